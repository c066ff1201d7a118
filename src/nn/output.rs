//! Output families: the network's last layer z is the natural parameter of an exponential
//! family with log-partition A, the loss per example is ℓ(z, y) = A(z) − y·z (+ a constant),
//! and the model's Fisher metric and α-connection need ∇²A and D³A (Amari 1998; Martens 2014,
//! §9 for the Gauss–Newton form).
//!
//! | family | A(z) | ∇A = mean | ∇²A u | D³A[u, u, ·] |
//! |---|---|---|---|---|
//! | `bernoulli` | Σ softplus(zᵢ) | p = σ(z) | p(1−p)⊙u | p(1−p)(1−2p)⊙u² |
//! | `gaussian` | ½‖z‖² | z | u | 0 |
//! | `categorical` | logsumexp(z) | p = softmax(z) | p⊙u − p(p·u) | p⊙(u − ū)² − p Σⱼpⱼ(uⱼ − ū)², ū = p·u |
//!
//! The categorical third derivative is the third central moment of the one-hot statistic t:
//! E[(t − p)ₖ ((t − p)·u)²].

use super::activation::logistic;
use crate::error::Result;
use crate::geometry::Real;
use serde::{Deserialize, Serialize};

/// The distribution of the targets given the network's output z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFamily {
    /// Independent Bernoulli units, p = σ(z); targets in [0, 1] (soft targets allowed).
    Bernoulli,
    /// N(z, I); loss ½‖y − z‖².
    Gaussian,
    /// Categorical, p = softmax(z); targets are probability rows (one-hot usually).
    Categorical,
}

impl OutputFamily {
    /// Every family, by the names used in network files.
    pub const ALL: [OutputFamily; 3] = [
        OutputFamily::Bernoulli,
        OutputFamily::Gaussian,
        OutputFamily::Categorical,
    ];

    /// The name used in network files.
    pub fn name(self) -> &'static str {
        match self {
            OutputFamily::Bernoulli => "bernoulli",
            OutputFamily::Gaussian => "gaussian",
            OutputFamily::Categorical => "categorical",
        }
    }

    /// The family called `name`.
    pub fn parse(name: &str) -> Result<Self> {
        crate::error::parse_named("output family", name, &Self::ALL, Self::name)
    }

    /// Checks one target row: in [0, 1] for Bernoulli, a probability vector (sum 1 within
    /// 1e-9) for categorical, finite for Gaussian.
    pub fn check_target(self, y: &[f64]) -> std::result::Result<(), String> {
        if let Some(v) = y.iter().find(|v| !v.is_finite()) {
            return Err(format!("target {v} is not finite"));
        }
        match self {
            OutputFamily::Gaussian => Ok(()),
            OutputFamily::Bernoulli => match y.iter().find(|v| !(0.0..=1.0).contains(*v)) {
                Some(v) => Err(format!("bernoulli targets must lie in [0, 1], got {v}")),
                None => Ok(()),
            },
            OutputFamily::Categorical => {
                let s: f64 = y.iter().sum();
                if y.iter().any(|v| *v < 0.0) || (s - 1.0).abs() > 1e-9 {
                    Err(format!(
                        "categorical targets must be probability rows (non-negative, sum 1), got sum {s}"
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// ℓ(z, y) = A(z) − y·z (Gaussian: ½‖y − z‖²), and ∇_z ℓ = ∇A(z) − y into `grad`.
    pub fn loss_grad(self, z: &[f64], y: &[f64], grad: &mut [f64]) -> f64 {
        match self {
            OutputFamily::Bernoulli => {
                // One exponential per unit: e = e^{−|z|} gives σ(z) and softplus(z).
                let mut l = 0.0;
                for i in 0..z.len() {
                    let e = (-z[i].abs()).exp();
                    let (sigma, sp) = if z[i] >= 0.0 {
                        (1.0 / (1.0 + e), z[i] + e.ln_1p())
                    } else {
                        (e / (1.0 + e), e.ln_1p())
                    };
                    l += sp - y[i] * z[i];
                    grad[i] = sigma - y[i];
                }
                l
            }
            OutputFamily::Gaussian => {
                let mut l = 0.0;
                for i in 0..z.len() {
                    let d = z[i] - y[i];
                    l += 0.5 * d * d;
                    grad[i] = d;
                }
                l
            }
            OutputFamily::Categorical => {
                let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let s: f64 = z.iter().map(|v| (v - m).exp()).sum();
                let lse = m + s.ln();
                let mut l = lse;
                for i in 0..z.len() {
                    l -= y[i] * z[i];
                    grad[i] = (z[i] - lse).exp() - y[i];
                }
                l
            }
        }
    }

    /// Over a batch of rows of width k: Σₙ ℓ(zₙ, yₙ), with `grad` = scale·(∇A(z) − y) row by row
    /// (Bernoulli through the vectorised [`kernels`](super::kernels)).
    pub fn loss_grad_batch(
        self,
        z: &[f64],
        y: &[f64],
        k: usize,
        scale: f64,
        grad: &mut [f64],
    ) -> f64 {
        let nk = grad.len();
        if self == OutputFamily::Bernoulli {
            return super::kernels::bernoulli_loss_grad(&z[..nk], &y[..nk], scale, grad);
        }
        let mut loss = 0.0;
        for (i, g) in grad.chunks_exact_mut(k).enumerate() {
            let rows = i * k..(i + 1) * k;
            loss += self.loss_grad(&z[rows.clone()], &y[rows], g);
            if scale != 1.0 {
                g.iter_mut().for_each(|g| *g *= scale);
            }
        }
        loss
    }

    /// Over a batch of rows of width k: out = scale·(∇²A(z)w + c·D³A(z)[u, u, ·]) row by row,
    /// the output layer's share of the α-connection product (w = D²z\[v,v\], u = Jv,
    /// c = (1−α)/2); with `third` = None, out = scale·∇²A(z)w, of the Fisher product. `mean` is
    /// scratch of length k.
    #[allow(clippy::too_many_arguments)]
    pub fn connection_batch(
        self,
        z: &[f64],
        third: Option<(&[f64], f64)>,
        w: &[f64],
        k: usize,
        scale: f64,
        mean: &mut [f64],
        out: &mut [f64],
    ) {
        let nk = out.len();
        if self == OutputFamily::Bernoulli {
            match third {
                Some((u, c)) => {
                    super::kernels::logistic_connection(&z[..nk], &u[..nk], &w[..nk], c, scale, out)
                }
                None => super::kernels::logistic_fisher(&z[..nk], &w[..nk], scale, out),
            }
            return;
        }
        for (i, d) in out.chunks_exact_mut(k).enumerate() {
            let rows = i * k..(i + 1) * k;
            self.mean(&z[rows.clone()], mean);
            self.hessian_vector(mean, &w[rows.clone()], d);
            if let Some((u, c)) = third
                && c != 0.0
            {
                self.add_third_uu(mean, &u[rows], c, d);
            }
            d.iter_mut().for_each(|x| *x *= scale);
        }
    }

    /// The mean ∇A(z) into `p` (σ(z), z or softmax(z)).
    pub fn mean(self, z: &[f64], p: &mut [f64]) {
        match self {
            OutputFamily::Bernoulli => p.iter_mut().zip(z).for_each(|(p, z)| *p = logistic(*z)),
            OutputFamily::Gaussian => p.copy_from_slice(z),
            OutputFamily::Categorical => {
                let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let mut s = 0.0;
                for (p, z) in p.iter_mut().zip(z) {
                    *p = (z - m).exp();
                    s += *p;
                }
                p.iter_mut().for_each(|p| *p /= s);
            }
        }
    }

    /// out = ∇²A(z) u, given the mean p = ∇A(z).
    pub fn hessian_vector(self, p: &[f64], u: &[f64], out: &mut [f64]) {
        match self {
            OutputFamily::Bernoulli => {
                for i in 0..u.len() {
                    out[i] = p[i] * (1.0 - p[i]) * u[i];
                }
            }
            OutputFamily::Gaussian => out.copy_from_slice(u),
            OutputFamily::Categorical => {
                let pu: f64 = p.iter().zip(u).map(|(p, u)| p * u).sum();
                for i in 0..u.len() {
                    out[i] = p[i] * (u[i] - pu);
                }
            }
        }
    }

    /// out += c · D³A(z)[u, u, ·], given the mean p = ∇A(z).
    pub fn add_third_uu(self, p: &[f64], u: &[f64], c: f64, out: &mut [f64]) {
        match self {
            OutputFamily::Bernoulli => {
                for i in 0..u.len() {
                    out[i] += c * p[i] * (1.0 - p[i]) * (1.0 - 2.0 * p[i]) * u[i] * u[i];
                }
            }
            OutputFamily::Gaussian => {}
            OutputFamily::Categorical => {
                let ubar: f64 = p.iter().zip(u).map(|(p, u)| p * u).sum();
                let var: f64 = p
                    .iter()
                    .zip(u)
                    .map(|(p, u)| p * (u - ubar) * (u - ubar))
                    .sum();
                for i in 0..u.len() {
                    let d = u[i] - ubar;
                    out[i] += c * p[i] * (d * d - var);
                }
            }
        }
    }

    /// A(z) for any scalar type (the dense automatic-differentiation check).
    pub fn log_partition<D: Real>(self, z: &[D]) -> D {
        match self {
            OutputFamily::Bernoulli => z.iter().fold(D::zero(), |acc, &v| {
                acc + super::activation::Activation::Softplus.apply(v)
            }),
            OutputFamily::Gaussian => z.iter().fold(D::zero(), |acc, &v| acc + v * v * 0.5),
            OutputFamily::Categorical => {
                let m = z.iter().map(|v| v.re()).fold(f64::NEG_INFINITY, f64::max);
                let s = z.iter().fold(D::zero(), |acc, &v| acc + (v - m).exp());
                s.ln() + m
            }
        }
    }
}
