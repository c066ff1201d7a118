//! The network's matrix-free products against independent computations: the gradient against
//! forward-mode AD of the dense network and finite differences; F·v against the dense Fisher
//! metric (AD) and the expectation E[∇ℓ ∂ᵥℓ] over each example's exact outcome rule; c_α(v)
//! against the expectation formula E[(∂²ᵥℓ + (1−α)/2 (∂ᵥℓ)²)∇ℓ] for several α, and c₀ against
//! the Levi-Civita connection of F itself; conjugate gradient against a dense solve.

use approx::assert_relative_eq;
use nalgebra::{DMatrix, DVector};
use natflow::geometry::{Metric, christoffel_first_kind_vv_ad};
use natflow::linalg::{CgOptions, solve_spd};
use natflow::model::{alpha_connection, fisher_vector};
use natflow::nn::dense::{DenseMlp, ExampleModel};
use natflow::nn::{Activation, Dataset, Mlp, NetworkProblem, OutputFamily, Workspace};
use natflow::problem::{MatrixFreeProblem, NaturalVelocity};
use num_dual::Dual64;
use rand::{RngExt, SeedableRng};

/// A 2-3-k network (k = 3 for categorical, else 2) with hidden `act`, random θ, and N examples
/// with valid targets, all from `seed`.
fn tiny(act: Activation, out: OutputFamily, n: usize, seed: u64) -> (Mlp, Dataset, Vec<f64>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let k = if out == OutputFamily::Categorical {
        3
    } else {
        2
    };
    let net = Mlp::new(2, &[3, k], &[act, Activation::Linear], out).unwrap();
    let theta: Vec<f64> = (0..net.n_params())
        .map(|_| rng.random_range(-0.9..0.9))
        .collect();
    let x: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..2).map(|_| rng.random_range(-1.5..1.5)).collect())
        .collect();
    let y: Vec<Vec<f64>> = (0..n)
        .map(|i| match out {
            OutputFamily::Bernoulli => (0..k).map(|_| rng.random_range(0.0..1.0)).collect(),
            OutputFamily::Gaussian => (0..k).map(|_| rng.random_range(-1.0..1.0)).collect(),
            OutputFamily::Categorical => (0..k).map(|c| f64::from(u8::from(c == i % k))).collect(),
        })
        .collect();
    (net, Dataset::from_rows(&x, &y).unwrap(), theta)
}

fn all_cases() -> Vec<(Activation, OutputFamily)> {
    Activation::ALL
        .into_iter()
        .flat_map(|a| OutputFamily::ALL.into_iter().map(move |o| (a, o)))
        .collect()
}

fn direction(p: usize, seed: u64) -> Vec<f64> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..p).map(|_| rng.random_range(-1.0..1.0)).collect()
}

#[test]
fn gradient_matches_automatic_differentiation_and_finite_differences() {
    for (act, out) in all_cases() {
        let (net, data, theta) = tiny(act, out, 7, 1);
        let mut ws = Workspace::new(&net, data.n);
        let mut grad = vec![0.0; net.n_params()];
        let loss = net
            .loss_gradient(&theta, &data, &mut ws, &mut grad)
            .unwrap();
        let dense = DenseMlp {
            net: &net,
            data: &data,
        };
        // Gaussian: ½‖y − z‖² = A(z) − y·z + ½‖y‖².
        let shift = if out == OutputFamily::Gaussian {
            data.y.iter().map(|y| 0.5 * y * y).sum::<f64>() / data.n as f64
        } else {
            0.0
        };
        assert_relative_eq!(loss, dense.loss(&theta) + shift, max_relative = 1e-13);
        let mut td: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
        for j in 0..theta.len() {
            td[j].eps = 1.0;
            let g = dense.loss(&td).eps;
            td[j].eps = 0.0;
            assert_relative_eq!(grad[j], g, epsilon = 1e-14, max_relative = 1e-10);
        }
        // Central differences along a direction (relu: away from kinks at this seed).
        let v = direction(theta.len(), 2);
        let e = 1e-6;
        let shifted =
            |s: f64| -> Vec<f64> { theta.iter().zip(&v).map(|(t, v)| t + s * v).collect() };
        let fd = (net.loss(&shifted(e), &data, &mut ws).unwrap()
            - net.loss(&shifted(-e), &data, &mut ws).unwrap())
            / (2.0 * e);
        let gv: f64 = grad.iter().zip(&v).map(|(g, v)| g * v).sum();
        assert_relative_eq!(fd, gv, epsilon = 1e-9, max_relative = 1e-6);
    }
}

#[test]
fn fisher_vector_matches_the_dense_metric_and_its_expectation() {
    for (act, out) in all_cases() {
        let (net, data, theta) = tiny(act, out, 5, 3);
        let mut ws = Workspace::new(&net, data.n);
        let v = direction(net.n_params(), 4);
        let mut fv = vec![0.0; net.n_params()];
        net.fisher_vector(&theta, &data, &v, &mut ws, &mut fv)
            .unwrap();
        let dense = DenseMlp {
            net: &net,
            data: &data,
        };
        let f = dense.metric(&theta).unwrap();
        let want = &f * DVector::from_column_slice(&v);
        assert_relative_eq!(
            DVector::from_vec(fv.clone()),
            want,
            epsilon = 1e-14,
            max_relative = 1e-10
        );
        // E_y[∇ℓ ∂ᵥℓ] per example, over its exact outcome rule.
        let mut by_expectation = DVector::zeros(net.n_params());
        for n in 0..data.n {
            let m = ExampleModel { dense, n };
            by_expectation += fisher_vector(&m, &theta, &v).unwrap() / data.n as f64;
        }
        assert_relative_eq!(
            DVector::from_vec(fv),
            by_expectation,
            epsilon = 1e-13,
            max_relative = 1e-10
        );
        // Symmetric positive semi-definite.
        let u = direction(net.n_params(), 5);
        let mut fu = vec![0.0; net.n_params()];
        net.fisher_vector(&theta, &data, &u, &mut ws, &mut fu)
            .unwrap();
        let mut fv = vec![0.0; net.n_params()];
        net.fisher_vector(&theta, &data, &v, &mut ws, &mut fv)
            .unwrap();
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        assert_relative_eq!(
            dot(&u, &fv),
            dot(&v, &fu),
            epsilon = 1e-14,
            max_relative = 1e-12
        );
        assert!(dot(&v, &fv) >= 0.0 && dot(&u, &fu) >= 0.0);
    }
}

#[test]
fn connection_matches_the_expectation_formula_for_every_alpha() {
    for (act, out) in all_cases() {
        let (net, data, theta) = tiny(act, out, 4, 6);
        let mut ws = Workspace::new(&net, data.n);
        let v = direction(net.n_params(), 7);
        let dense = DenseMlp {
            net: &net,
            data: &data,
        };
        for alpha in [-1.0, 0.0, 0.5, 1.0] {
            let mut c = vec![0.0; net.n_params()];
            net.connection_vector(&theta, &data, &v, alpha, &mut ws, &mut c)
                .unwrap();
            let mut want = DVector::zeros(net.n_params());
            for n in 0..data.n {
                let m = ExampleModel { dense, n };
                want += alpha_connection(&m, &theta, &v, alpha).unwrap() / data.n as f64;
            }
            assert_relative_eq!(
                DVector::from_vec(c),
                want,
                epsilon = 1e-13,
                max_relative = 1e-10
            );
        }
    }
}

/// c₀(v) is the Levi-Civita connection of F of the first kind contracted with v twice:
/// (∂ᵥF) v − ½ ∇_θ(vᵀF v), by automatic differentiation of the dense metric (natflow's generic
/// path, checked against closed forms in `tests/christoffel.rs`) — no solve.
#[test]
fn c0_is_the_levi_civita_connection_of_the_fisher_metric() {
    for (act, out) in all_cases() {
        let (net, data, theta) = tiny(act, out, 3, 8);
        let mut ws = Workspace::new(&net, data.n);
        let v = direction(net.n_params(), 9);
        let mut c = vec![0.0; net.n_params()];
        net.connection_vector(&theta, &data, &v, 0.0, &mut ws, &mut c)
            .unwrap();
        let dense = DenseMlp {
            net: &net,
            data: &data,
        };
        let want = christoffel_first_kind_vv_ad(&dense, &theta, &v).unwrap();
        assert_relative_eq!(
            DVector::from_vec(c),
            want,
            epsilon = 1e-13,
            max_relative = 1e-10
        );
    }
}

#[test]
fn natural_direction_by_conjugate_gradient_matches_a_dense_solve() {
    for out in OutputFamily::ALL {
        let (net, data, theta) = tiny(Activation::Tanh, out, 12, 10);
        let dense_f = DenseMlp {
            net: &net,
            data: &data,
        }
        .metric(&theta)
        .unwrap();
        let lambda = 1e-3;
        let problem = NetworkProblem::new(net.clone(), data.clone(), 0.0).unwrap();
        let mut ws = Workspace::new(&net, data.n);
        let mut grad = vec![0.0; net.n_params()];
        net.loss_gradient(&theta, &data, &mut ws, &mut grad)
            .unwrap();
        let p = net.n_params();
        let want = -solve_spd(
            &theta,
            &(dense_f + DMatrix::identity(p, p) * lambda),
            &DVector::from_vec(grad),
        )
        .unwrap();
        let cg = CgOptions {
            damping: lambda,
            rel_tol: 1e-12,
            max_iters: 10 * p,
        };
        let free = MatrixFreeProblem::new(problem, cg);
        let got = free.natural_velocity(&theta).unwrap();
        assert_relative_eq!(got, want, max_relative = 1e-7);
    }
}

#[test]
fn products_are_identical_run_to_run() {
    // 200 examples in three parts: the threaded path, whose partial sums must be added in a
    // fixed order.
    let (net, data, theta) = tiny(Activation::Logistic, OutputFamily::Bernoulli, 200, 11);
    let v = direction(net.n_params(), 12);
    let run = || {
        let mut ws = Workspace::with_parts(&net, data.n, 3);
        assert_eq!(ws.n_parts(), 3);
        let mut out = vec![0.0; net.n_params()];
        net.connection_vector(&theta, &data, &v, 0.0, &mut ws, &mut out)
            .unwrap();
        out
    };
    assert_eq!(run(), run());
}

#[test]
fn a_batch_split_over_threads_gives_the_products_of_the_whole_batch() {
    // The split path against the single-part path (itself checked against AD above): the same
    // sums in another order, so equal to rounding.
    for (act, out) in all_cases() {
        let (net, data, theta) = tiny(act, out, 203, 21);
        let v = direction(net.n_params(), 22);
        let mut whole = Workspace::with_parts(&net, data.n, 1);
        let mut split = Workspace::with_parts(&net, data.n, 3);
        assert_eq!((whole.n_parts(), split.n_parts()), (1, 3));
        let p = net.n_params();
        let (mut a, mut b) = (vec![0.0; p], vec![0.0; p]);
        let agree =
            |a: &[f64], b: &[f64]| assert_relative_eq!(a, b, epsilon = 1e-15, max_relative = 1e-12);
        let la = net
            .loss_gradient(&theta, &data, &mut whole, &mut a)
            .unwrap();
        let lb = net
            .loss_gradient(&theta, &data, &mut split, &mut b)
            .unwrap();
        assert_relative_eq!(la, lb, max_relative = 1e-13);
        agree(&a, &b);
        net.fisher_vector(&theta, &data, &v, &mut whole, &mut a)
            .unwrap();
        net.fisher_vector(&theta, &data, &v, &mut split, &mut b)
            .unwrap();
        agree(&a, &b);
        net.connection_vector(&theta, &data, &v, 0.5, &mut whole, &mut a)
            .unwrap();
        net.connection_vector(&theta, &data, &v, 0.5, &mut split, &mut b)
            .unwrap();
        agree(&a, &b);
        let (ea, eb) = (
            net.loss_and_error(&theta, &data, &mut whole).unwrap(),
            net.loss_and_error(&theta, &data, &mut split).unwrap(),
        );
        assert_relative_eq!(ea.0, eb.0, max_relative = 1e-13);
        assert_relative_eq!(ea.1, eb.1, epsilon = 1e-15, max_relative = 1e-13);
        assert_relative_eq!(
            net.loss(&theta, &data, &mut split).unwrap(),
            la,
            max_relative = 1e-13
        );
    }
}

#[test]
fn bad_networks_and_data_are_typed_errors() {
    use natflow::Error;
    let lin = Activation::Linear;
    assert!(
        Mlp::new(
            2,
            &[3, 2],
            &[Activation::Tanh, Activation::Tanh],
            OutputFamily::Gaussian
        )
        .is_err()
    );
    assert!(Mlp::new(0, &[2], &[lin], OutputFamily::Gaussian).is_err());
    assert!(Mlp::new(2, &[2, 0], &[lin, lin], OutputFamily::Gaussian).is_err());
    assert!(Mlp::new(2, &[2], &[lin, lin], OutputFamily::Gaussian).is_err());
    assert!(Activation::parse("swish").is_err() && OutputFamily::parse("poisson").is_err());
    let net = Mlp::new(2, &[2], &[lin], OutputFamily::Bernoulli).unwrap();
    let bad_y = Dataset::from_rows(&[vec![0.0, 1.0]], &[vec![1.5, 0.0]]).unwrap();
    assert!(NetworkProblem::new(net.clone(), bad_y, 0.0).is_err());
    let wide = Dataset::from_rows(&[vec![0.0, 1.0, 2.0]], &[vec![1.0, 0.0]]).unwrap();
    assert!(NetworkProblem::new(net.clone(), wide, 0.0).is_err());
    assert!(Dataset::from_rows(&[], &[]).is_err());
    assert!(Dataset::from_rows(&[vec![f64::NAN, 0.0]], &[vec![1.0, 0.0]]).is_err());
    assert!(
        Dataset::from_rows(
            &[vec![0.0, 1.0], vec![0.0]],
            &[vec![1.0, 0.0], vec![0.0, 1.0]]
        )
        .is_err()
    );
    let cat = Mlp::new(2, &[2], &[lin], OutputFamily::Categorical).unwrap();
    let not_prob = Dataset::from_rows(&[vec![0.0, 1.0]], &[vec![0.5, 0.4]]).unwrap();
    assert!(NetworkProblem::new(cat, not_prob, 0.0).is_err());
    // Wrong parameter or vector lengths.
    let data = Dataset::from_rows(&[vec![0.0, 1.0]], &[vec![1.0, 0.0]]).unwrap();
    let mut ws = Workspace::new(&net, 1);
    let mut out = vec![0.0; net.n_params()];
    let e = net
        .fisher_vector(&[0.0; 3], &data, &[0.0; 6], &mut ws, &mut out)
        .unwrap_err();
    assert!(matches!(e, Error::Dimension { .. }), "{e}");
    let e = net
        .connection_vector(&[0.0; 6], &data, &[0.0; 6], f64::NAN, &mut ws, &mut out)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let mut short = vec![0.0; 2];
    assert!(
        net.loss_gradient(&[0.0; 6], &data, &mut ws, &mut short)
            .is_err()
    );
}
