//! The statistical-model layer: a family written once, as a log-density or a log-partition,
//! generic over dual numbers, and the geometry that follows from it.
//!
//! **From a log-density** ℓ(θ; x) = ln p(x | θ) and a rule for expectations under p_θ
//! ([`LogDensity`]), with ∂ᵥ the derivative along v:
//!
//! - the Fisher metric G(θ) = E[∇ℓ ∇ℓᵀ] and its product G v = E[∇ℓ · ∂ᵥℓ] ([`fisher_matrix`],
//!   [`fisher_vector`]);
//! - the α-connection of the first kind contracted twice with v (Amari & Nagaoka 2000, §2.3),
//!   c_α(v)ₖ = Γ^(α)_{ij,k} vⁱvʲ = E[(∂²ᵥℓ + (1−α)/2 · (∂ᵥℓ)²) ∂ₖℓ] ([`alpha_connection`]),
//!   and Γ^(α)(v,v) = G⁻¹ c_α(v). α = 0 is the Levi-Civita connection of G, α = 1 the
//!   exponential (e-) and α = −1 the mixture (m-) connection.
//!
//! The expectation is exact where the rule is: a finite support (Bernoulli, categorical), a
//! Gaussian quadrature that integrates the integrands exactly ([`quadrature`]), or Monte Carlo
//! otherwise. [`ModelGeometry`] turns a model and an α into a [`crate::problem::Connection`]
//! and a [`crate::problem::MetricProduct`].
//!
//! **From a log-partition** A(η) of an exponential family p(x | η) = h(x) exp(η·T(x) − A(η))
//! in its natural coordinates η ([`ExponentialFamily`]): G = ∇²A, the skewness tensor
//! T_ijk = ∂ᵢ∂ⱼ∂ₖA, and c_α(v)ₖ = (1−α)/2 · ∂ₖ(∂²ᵥA), all exactly by automatic
//! differentiation ([`NaturalCoordinates`]); other charts by pullback.
//!
//! A closed form (a family's own Γ, geodesics) always overrides these generic paths, and the
//! tests check each against the other.

pub mod exponential;
pub mod quadrature;

pub use exponential::{
    ExpFamilySample, ExponentialFamily, NaturalCoordinates, Observations, expectation_domain,
    natural_from_mean_newton,
};

use crate::error::{Error, Result, check_vector};
use crate::geometry::Real;
use crate::linalg::solve_spd;
use nalgebra::{DMatrix, DVector};
use num_dual::{Dual2, Dual64};

/// A loss written on a family's canonical coordinates θ, for any scalar type.
pub trait Objective {
    /// L(θ).
    fn value_at<D: Real>(&self, theta: &[D]) -> D;

    /// ∇L(θ). Default: forward-mode AD, one pass per coordinate.
    fn gradient(&self, theta: &[f64]) -> DVector<f64> {
        let n = theta.len();
        let mut x: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
        DVector::from_fn(n, |i, _| {
            x[i].eps = 1.0;
            let d = self.value_at(&x).eps;
            x[i].eps = 0.0;
            d
        })
    }
}

/// A parametric family given by its log-density, with a rule for expectations.
pub trait LogDensity {
    /// An observation x.
    type Outcome;
    /// The dimension n of θ.
    fn dim(&self) -> usize;
    /// A short name for messages.
    fn name(&self) -> String;
    /// Whether θ (n finite coordinates) is a valid parameter; `Err` names the condition.
    fn domain(&self, theta: &[f64]) -> std::result::Result<(), String>;
    /// ℓ(θ; x) = ln p(x | θ), for any scalar type.
    fn log_density<D: Real>(&self, theta: &[D], x: &Self::Outcome) -> D;
    /// Weighted outcomes (wᵢ, xᵢ) with Σᵢ wᵢ g(xᵢ) = E_θ[g(x)] for the integrands natflow needs
    /// (products of up to three derivatives of ℓ): the support itself for a finite family, a
    /// Gaussian quadrature rule, or a Monte Carlo sample with weights 1/N.
    fn expectation_rule(&self, theta: &[f64]) -> Result<Vec<(f64, Self::Outcome)>>;

    /// Checks dimension, finiteness and domain of θ.
    fn check(&self, theta: &[f64]) -> Result<()> {
        check_vector("parameter", theta, self.dim())?;
        self.domain(theta).map_err(|reason| Error::OutOfDomain {
            space: self.name(),
            point: theta.to_vec(),
            reason,
        })
    }
}

/// ∇_θ ℓ(θ; x) by n forward-mode passes, into `out`.
fn score<M: LogDensity + ?Sized>(m: &M, xd: &mut [Dual64], x: &M::Outcome, out: &mut [f64]) {
    for i in 0..xd.len() {
        xd[i].eps = 1.0;
        out[i] = m.log_density(xd, x).eps;
        xd[i].eps = 0.0;
    }
}

/// The Fisher metric G(θ) = E[∇ℓ ∇ℓᵀ] under the model's expectation rule.
pub fn fisher_matrix<M: LogDensity + ?Sized>(m: &M, theta: &[f64]) -> Result<DMatrix<f64>> {
    m.check(theta)?;
    let n = m.dim();
    let mut g = DMatrix::zeros(n, n);
    let mut xd: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
    let mut s = vec![0.0; n];
    for (w, x) in m.expectation_rule(theta)? {
        score(m, &mut xd, &x, &mut s);
        for i in 0..n {
            for j in 0..n {
                g[(i, j)] += w * s[i] * s[j];
            }
        }
    }
    Ok(g)
}

/// The Fisher-vector product G(θ) v = E[∇ℓ · ∂ᵥℓ], without forming G.
pub fn fisher_vector<M: LogDensity + ?Sized>(
    m: &M,
    theta: &[f64],
    v: &[f64],
) -> Result<DVector<f64>> {
    m.check(theta)?;
    let n = m.dim();
    check_vector("vector", v, n)?;
    let mut out = DVector::zeros(n);
    let mut xd: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
    let mut s = vec![0.0; n];
    for (w, x) in m.expectation_rule(theta)? {
        score(m, &mut xd, &x, &mut s);
        let dv: f64 = s.iter().zip(v).map(|(a, b)| a * b).sum();
        for i in 0..n {
            out[i] += w * s[i] * dv;
        }
    }
    Ok(out)
}

/// The α-connection of the first kind contracted twice with v:
/// c_α(v)ₖ = E[(∂²ᵥℓ + (1−α)/2 · (∂ᵥℓ)²) ∂ₖℓ].
///
/// ∂ᵥℓ and ∂²ᵥℓ come from one second-order dual pass along v, ∇ℓ from n first-order passes.
pub fn alpha_connection<M: LogDensity + ?Sized>(
    m: &M,
    theta: &[f64],
    v: &[f64],
    alpha: f64,
) -> Result<DVector<f64>> {
    m.check(theta)?;
    let n = m.dim();
    check_vector("vector", v, n)?;
    check_alpha(alpha)?;
    let mut out = DVector::zeros(n);
    let mut xd: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
    let x2: Vec<Dual2<f64>> = theta
        .iter()
        .zip(v)
        .map(|(&t, &vi)| Dual2::new(t, vi, 0.0))
        .collect();
    let mut s = vec![0.0; n];
    for (w, x) in m.expectation_rule(theta)? {
        score(m, &mut xd, &x, &mut s);
        let l2 = m.log_density(&x2, &x);
        let weight = l2.v2 + 0.5 * (1.0 - alpha) * l2.v1 * l2.v1;
        for k in 0..n {
            out[k] += w * weight * s[k];
        }
    }
    Ok(out)
}

use crate::geometry::check_alpha;

/// A statistical model with a chosen α-connection, as a problem-side geometry: the Fisher
/// metric-vector product ([`crate::problem::MetricProduct`]) and Γ^(α)(v,v) = G⁻¹c_α(v)
/// ([`crate::problem::Connection`], dense solve with the quadrature Fisher matrix).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelGeometry<M> {
    /// The model.
    pub model: M,
    /// α of the connection (0: Levi-Civita).
    pub alpha: f64,
}

impl<M: LogDensity> ModelGeometry<M> {
    /// `model` with the α-connection; errors on a non-finite α.
    pub fn new(model: M, alpha: f64) -> Result<Self> {
        check_alpha(alpha)?;
        Ok(Self { model, alpha })
    }
}

impl<M: LogDensity> crate::problem::Domain for ModelGeometry<M> {
    fn dim(&self) -> usize {
        self.model.dim()
    }
    fn check(&self, x: &[f64]) -> Result<()> {
        self.model.check(x)
    }
}

impl<M: LogDensity> crate::problem::MetricProduct for ModelGeometry<M> {
    fn metric_vector_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        crate::problem::check_out("metric-vector product", out, self.model.dim())?;
        out.copy_from_slice(fisher_vector(&self.model, x, v)?.as_slice());
        Ok(())
    }
}

impl<M: LogDensity> crate::problem::FirstKindConnection for ModelGeometry<M> {
    /// c_α(v) = E[(∂²ᵥℓ + (1−α)/2 (∂ᵥℓ)²)∇ℓ].
    fn connection_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        crate::problem::check_out("first-kind connection", out, self.model.dim())?;
        out.copy_from_slice(alpha_connection(&self.model, x, v, self.alpha)?.as_slice());
        Ok(())
    }
}

impl<M: LogDensity> crate::problem::Connection for ModelGeometry<M> {
    fn christoffel_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        crate::problem::check_out("Γ(v,v)", out, self.model.dim())?;
        let c = alpha_connection(&self.model, x, v, self.alpha)?;
        let g = fisher_matrix(&self.model, x)?;
        out.copy_from_slice(solve_spd(x, &g, &c)?.as_slice());
        Ok(())
    }
}
