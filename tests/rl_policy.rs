//! Policies' products against independent computations: the Gaussian policy's score, Fisher
//! metric and α-connection against the expectation formulas of natflow's model layer
//! (E[∇ℓ∇ℓᵀ], E[(∂²ᵥℓ + (1−α)/2 (∂ᵥℓ)²)∇ℓ] by exact Gauss–Hermite quadrature over actions, ℓ by
//! forward-mode AD through a dense copy of the network); the closed-form connection of the
//! Gaussian in (μ, ln σ) against the same formula; the softmax policy's score by dual numbers;
//! the KL divergence against ½sᵀFs.

use approx::assert_relative_eq;
use nalgebra::DVector;
use natflow::geometry::Real;
use natflow::model::quadrature::gauss_hermite;
use natflow::model::{LogDensity, alpha_connection, fisher_matrix};
use natflow::nn::dense::DenseMlp;
use natflow::nn::{Activation, Dataset};
use natflow::rl::env::ActionSpace;
use natflow::rl::policy::{Policy, PolicyWorkspace, gaussian_connection};
use num_dual::{Dual64, DualNum};

/// π(·|sₙ) of a Gaussian policy as a model in θ, with the product Gauss–Hermite rule of 4
/// points per action dimension (exact for the polynomials of degree ≤ 7 in a that the metric
/// and connection integrands are).
struct GaussianAt<'a> {
    policy: &'a Policy,
    data: &'a Dataset,
    n: usize,
}

impl LogDensity for GaussianAt<'_> {
    type Outcome = Vec<f64>;
    fn dim(&self) -> usize {
        self.policy.n_params()
    }
    fn name(&self) -> String {
        "gaussian policy".into()
    }
    fn domain(&self, _: &[f64]) -> Result<(), String> {
        Ok(())
    }
    fn log_density<D: Real>(&self, theta: &[D], a: &Vec<f64>) -> D {
        let p = self.policy.net.n_params();
        let dense = DenseMlp {
            net: &self.policy.net,
            data: self.data,
        };
        let mu = dense.output(&theta[..p], self.n);
        let mut l = D::zero();
        for j in 0..a.len() {
            let s = theta[p + j];
            let r = (D::from(a[j]) - mu[j]) * (-s).exp();
            l = l - r * r * 0.5 - s;
        }
        l
    }
    fn expectation_rule(&self, theta: &[f64]) -> natflow::Result<Vec<(f64, Vec<f64>)>> {
        let p = self.policy.net.n_params();
        let dense = DenseMlp {
            net: &self.policy.net,
            data: self.data,
        };
        let mu = dense.output(&theta[..p], self.n);
        let (t, w) = gauss_hermite(4)?;
        let mut rule = vec![(1.0, vec![])];
        for j in 0..mu.len() {
            let sigma = theta[p + j].exp();
            rule = rule
                .into_iter()
                .flat_map(|(wr, a): (f64, Vec<f64>)| {
                    let (t, w) = (t.clone(), w.clone());
                    let m = mu[j];
                    (0..t.len()).map(move |i| {
                        let mut a = a.clone();
                        a.push(m + sigma * t[i]);
                        (wr * w[i], a)
                    })
                })
                .collect();
        }
        Ok(rule)
    }
}

fn tiny_gaussian() -> (Policy, Dataset, Vec<f64>) {
    let space = ActionSpace::Box {
        low: vec![-1.0; 2],
        high: vec![1.0; 2],
    };
    let policy = Policy::new(3, &space, &[4], Activation::Tanh).unwrap();
    let mut theta = policy.init(5);
    // A larger output layer and unequal σ than at initialisation, so every term matters.
    let p = policy.net.n_params();
    for (i, t) in theta.iter_mut().enumerate().take(p) {
        *t += 0.3 * ((i as f64) * 0.7).sin();
    }
    theta[p] = -0.4;
    theta[p + 1] = 0.3;
    let x = vec![
        vec![0.5, -1.0, 0.2],
        vec![-0.3, 0.8, 1.5],
        vec![1.2, 0.1, -0.7],
    ];
    let y = vec![vec![0.1, -0.2], vec![0.7, 0.4], vec![-1.1, 0.9]];
    (policy, Dataset::from_rows(&x, &y).unwrap(), theta)
}

fn direction(n: usize) -> Vec<f64> {
    (0..n).map(|i| ((i as f64) * 1.3 + 0.4).cos()).collect()
}

#[test]
fn gaussian_connection_closed_form_matches_the_expectation_formula() {
    /// N(μ, e^{2s}) in (μ, s), with a 4-point Gauss–Hermite rule.
    struct Univariate;
    impl LogDensity for Univariate {
        type Outcome = f64;
        fn dim(&self) -> usize {
            2
        }
        fn name(&self) -> String {
            "normal (μ, ln σ)".into()
        }
        fn domain(&self, _: &[f64]) -> Result<(), String> {
            Ok(())
        }
        fn log_density<D: Real>(&self, th: &[D], x: &f64) -> D {
            let r = (D::from(*x) - th[0]) * (-th[1]).exp();
            -(r * r) * 0.5 - th[1]
        }
        fn expectation_rule(&self, th: &[f64]) -> natflow::Result<Vec<(f64, f64)>> {
            let (t, w) = gauss_hermite(4)?;
            Ok(t.iter()
                .zip(&w)
                .map(|(t, w)| (*w, th[0] + th[1].exp() * t))
                .collect())
        }
    }
    for alpha in [0.0, 1.0, -1.0, 0.4] {
        for (mu, s, u) in [(0.3, -0.5, [1.0, 0.0]), (-1.0, 0.7, [0.4, -1.3])] {
            let c = alpha_connection(&Univariate, &[mu, s], &u, alpha).unwrap();
            let (cm, cs) = gaussian_connection(f64::exp(s), alpha, u[0], u[1]);
            assert_relative_eq!(cm, c[0], epsilon = 1e-13, max_relative = 1e-12);
            assert_relative_eq!(cs, c[1], epsilon = 1e-13, max_relative = 1e-12);
        }
    }
}

#[test]
fn gaussian_policy_products_match_the_dense_expectations() {
    let (policy, data, theta) = tiny_gaussian();
    let np = policy.n_params();
    let mut ws = PolicyWorkspace::new(&policy, data.n);
    let v = direction(np);
    let mut fisher = DVector::zeros(np);
    let mut f_dense = nalgebra::DMatrix::zeros(np, np);
    for n in 0..data.n {
        f_dense += fisher_matrix(
            &GaussianAt {
                policy: &policy,
                data: &data,
                n,
            },
            &theta,
        )
        .unwrap();
    }
    f_dense /= data.n as f64;
    policy
        .fisher_vector(&theta, &data, &v, &mut ws, fisher.as_mut_slice())
        .unwrap();
    let expect = &f_dense * DVector::from_vec(v.clone());
    for i in 0..np {
        assert_relative_eq!(fisher[i], expect[i], epsilon = 1e-12, max_relative = 1e-10);
    }
    for alpha in [0.0, -1.0, 0.5] {
        let mut c = vec![0.0; np];
        policy
            .connection_vector(&theta, &data, &v, alpha, &mut ws, &mut c)
            .unwrap();
        let mut dense = DVector::zeros(np);
        for n in 0..data.n {
            dense += alpha_connection(
                &GaussianAt {
                    policy: &policy,
                    data: &data,
                    n,
                },
                &theta,
                &v,
                alpha,
            )
            .unwrap();
        }
        dense /= data.n as f64;
        for i in 0..np {
            assert_relative_eq!(c[i], dense[i], epsilon = 1e-12, max_relative = 1e-10);
        }
    }
    // The score: (1/N) Σ wₙ ∇ ln π(aₙ|sₙ) by forward-mode AD of the dense log-density.
    let w = [0.7, -1.2, 2.0];
    let mut g = vec![0.0; np];
    policy
        .weighted_score(&theta, &data, &w, &mut ws, &mut g)
        .unwrap();
    for i in 0..np {
        let mut td: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
        td[i].eps = 1.0;
        let mut d = 0.0;
        for (n, wn) in w.iter().enumerate() {
            let m = GaussianAt {
                policy: &policy,
                data: &data,
                n,
            };
            d += wn * m.log_density(&td, &data.y_row(n).to_vec()).eps;
        }
        assert_relative_eq!(g[i], d / 3.0, epsilon = 1e-13, max_relative = 1e-11);
    }
}

#[test]
fn softmax_policy_score_and_kl() {
    let policy = Policy::new(2, &ActionSpace::Discrete(3), &[5], Activation::Tanh).unwrap();
    let mut theta = policy.init(2);
    theta
        .iter_mut()
        .enumerate()
        .for_each(|(i, t)| *t += 0.5 * (i as f64).sin());
    let x = vec![
        vec![0.3, -0.2],
        vec![1.0, 0.5],
        vec![-0.8, 0.9],
        vec![0.1, 0.1],
    ];
    let y = vec![
        vec![1.0, 0.0, 0.0],
        vec![0.0, 0.0, 1.0],
        vec![0.0, 1.0, 0.0],
        vec![0.0, 0.0, 1.0],
    ];
    let data = Dataset::from_rows(&x, &y).unwrap();
    let mut ws = PolicyWorkspace::new(&policy, data.n);
    let w = [1.0, -0.5, 0.25, 2.0];
    let np = policy.n_params();
    let mut g = vec![0.0; np];
    policy
        .weighted_score(&theta, &data, &w, &mut ws, &mut g)
        .unwrap();
    let dense = DenseMlp {
        net: &policy.net,
        data: &data,
    };
    for i in 0..np {
        let mut td: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
        td[i].eps = 1.0;
        let mut d = 0.0;
        for n in 0..data.n {
            let z = dense.output(&td, n);
            let m = z
                .iter()
                .fold(Dual64::from_re(0.0), |acc, v| acc + v.exp())
                .ln();
            let a = (0..3).find(|&j| y[n][j] == 1.0).unwrap();
            d += w[n] * (z[a] - m).eps;
        }
        assert_relative_eq!(g[i], d / 4.0, epsilon = 1e-13, max_relative = 1e-11);
    }
    kl_is_half_the_fisher_norm(&policy, &data, &theta);
}

/// KL(π_θ ‖ π_{θ+εs}) = ½ε² sᵀFs + O(ε³).
fn kl_is_half_the_fisher_norm(policy: &Policy, data: &Dataset, theta: &[f64]) {
    let mut ws = PolicyWorkspace::new(policy, data.n);
    let s = direction(policy.n_params());
    let mut fs = vec![0.0; s.len()];
    policy
        .fisher_vector(theta, data, &s, &mut ws, &mut fs)
        .unwrap();
    let quad: f64 = s.iter().zip(&fs).map(|(a, b)| a * b).sum();
    for eps in [1e-3, 1e-4] {
        let moved: Vec<f64> = theta.iter().zip(&s).map(|(t, d)| t + eps * d).collect();
        let kl = policy.mean_kl(theta, &moved, data, &mut ws).unwrap();
        assert_relative_eq!(kl, 0.5 * eps * eps * quad, max_relative = 50.0 * eps);
    }
}

#[test]
fn gaussian_kl_and_log_probs() {
    let (policy, data, theta) = tiny_gaussian();
    kl_is_half_the_fisher_norm(&policy, &data, &theta);
    let mut ws = PolicyWorkspace::new(&policy, data.n);
    let mut lp = vec![0.0; data.n];
    policy.log_probs(&theta, &data, &mut ws, &mut lp).unwrap();
    let dense = DenseMlp {
        net: &policy.net,
        data: &data,
    };
    let p = policy.net.n_params();
    for (n, lp) in lp.iter().enumerate() {
        let mu: Vec<f64> = dense.output(&theta[..p], n);
        let expect: f64 = (0..2)
            .map(|j| {
                let sd = theta[p + j].exp();
                let r = (data.y_row(n)[j] - mu[j]) / sd;
                -0.5 * r * r - sd.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
            })
            .sum();
        assert_relative_eq!(*lp, expect, max_relative = 1e-13);
    }
}
