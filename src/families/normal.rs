//! The univariate Normal family N(μ, σ²) in canonical coordinates (μ, σ), σ > 0 the standard
//! deviation. Fisher metric
//!
//! ```text
//! G(μ, σ) = diag(1/σ², 2/σ²),
//! ```
//!
//! which in u = μ/√2 is 2·(du² + dσ²)/σ²: twice the hyperbolic metric of the upper half-plane
//! (Costa, Santos & Strapasson 2015, *Fisher information distance*, §3). Its Christoffel symbols
//! are Γ^μ_μσ = −1/σ, Γ^σ_μμ = 1/(2σ), Γ^σ_σσ = −1/σ, and its geodesics are known in closed form
//! ([`Normal::geodesic_closed_form`]): vertical lines σ = σ₀e^{ct}, and half-circles centred on
//! σ = 0 in (u, σ).

use super::parse_named;
use crate::error::{Error, Result, check_vector};
use crate::geometry::{Chart, Christoffel, Metric, Real};
use crate::model::{LogDensity, Objective};
use nalgebra::{DMatrix, DVector};

/// The Normal family in canonical coordinates (μ, σ).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Normal;

impl Metric for Normal {
    fn dim(&self) -> usize {
        2
    }

    fn name(&self) -> String {
        "normal (μ, σ)".into()
    }

    fn domain(&self, theta: &[f64]) -> std::result::Result<(), String> {
        if theta[1] > 0.0 {
            Ok(())
        } else {
            Err("need standard deviation σ > 0".into())
        }
    }

    fn metric_at<D: Real>(&self, theta: &[D]) -> DMatrix<D> {
        let inv_var = (theta[1] * theta[1]).recip();
        DMatrix::from_row_slice(2, 2, &[inv_var, D::zero(), D::zero(), inv_var * 2.0])
    }

    fn christoffel(&self, theta: &[f64]) -> Result<Christoffel> {
        Metric::check(self, theta)?;
        let s = theta[1];
        let mut g = Christoffel::zeros(2);
        g.set_sym(0, 0, 1, -1.0 / s);
        g.set_sym(1, 0, 0, 0.5 / s);
        g.set_sym(1, 1, 1, -1.0 / s);
        Ok(g)
    }

    fn christoffel_vv(&self, theta: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        Metric::check(self, theta)?;
        check_vector("velocity", v, 2)?;
        let s = theta[1];
        Ok(DVector::from_vec(vec![
            -2.0 * v[0] * v[1] / s,
            (0.5 * v[0] * v[0] - v[1] * v[1]) / s,
        ]))
    }

    /// T(v,v,·) from T_μμσ = 2/σ³, T_σσσ = 8/σ³ and the rest 0: with z = (x − μ)/σ the scores
    /// are z/σ and (z² − 1)/σ, and E[z²(z² − 1)] = 2, E[(z² − 1)³] = 8, odd moments vanish.
    fn skewness_vv(&self, theta: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        Metric::check(self, theta)?;
        check_vector("velocity", v, 2)?;
        let s3 = theta[1].powi(3);
        Ok(DVector::from_vec(vec![
            4.0 * v[0] * v[1] / s3,
            (2.0 * v[0] * v[0] + 8.0 * v[1] * v[1]) / s3,
        ]))
    }
}

/// The Normal family as a log-density, ℓ(μ, σ; x) = −ln σ − (x − μ)²/(2σ²) − ½ ln 2π, with
/// expectations by the 8-point Gauss–Hermite rule at x = μ + σt (exact for polynomials in x of
/// degree ≤ 15; the Fisher and α-connection integrands have degree ≤ 6). This is the generic
/// path that `tests/model.rs` checks the closed forms against.
impl LogDensity for Normal {
    type Outcome = f64;
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        Metric::name(self)
    }
    fn domain(&self, theta: &[f64]) -> std::result::Result<(), String> {
        Metric::domain(self, theta)
    }
    fn log_density<D: Real>(&self, theta: &[D], x: &f64) -> D {
        let (m, s) = (theta[0], theta[1]);
        let z = (m - *x) / s;
        -s.ln() - z * z * 0.5 - 0.5 * (2.0 * std::f64::consts::PI).ln()
    }
    fn expectation_rule(&self, theta: &[f64]) -> Result<Vec<(f64, f64)>> {
        let (t, w) = crate::model::quadrature::gauss_hermite(8)?;
        Ok(w.into_iter()
            .zip(t)
            .map(|(w, t)| (w, theta[0] + theta[1] * t))
            .collect())
    }
}

impl Normal {
    /// The geodesic from (μ₀, σ₀) with velocity (μ̇₀, σ̇₀), at time t, in closed form.
    ///
    /// With u = μ/√2 the metric is twice the half-plane metric, whose geodesics are
    /// u = c + r·tanh(s), σ = r·sech(s), s = s₀ + ṡt (or, when u̇₀ = 0, σ = σ₀·exp(σ̇₀t/σ₀)). From
    /// the initial data: sinh s₀ = −σ̇₀/u̇₀, r = σ₀ cosh s₀, c = u₀ − r tanh s₀, ṡ = u̇₀ cosh s₀ / σ₀.
    pub fn geodesic_closed_form(theta0: &[f64], v0: &[f64], t: f64) -> Result<DVector<f64>> {
        Metric::check(&Normal, theta0)?;
        check_vector("velocity", v0, 2)?;
        let sqrt2 = std::f64::consts::SQRT_2;
        let (u0, s0) = (theta0[0] / sqrt2, theta0[1]);
        let (du, ds) = (v0[0] / sqrt2, v0[1]);
        if du == 0.0 {
            return Ok(DVector::from_vec(vec![theta0[0], s0 * (ds / s0 * t).exp()]));
        }
        let arc0 = (-ds / du).asinh();
        let r = s0 * arc0.cosh();
        let c = u0 - r * arc0.tanh();
        let arc_rate = du * arc0.cosh() / s0;
        let arc = arc0 + arc_rate * t;
        Ok(DVector::from_vec(vec![
            (c + r * arc.tanh()) * sqrt2,
            r / arc.cosh(),
        ]))
    }
}

/// KL(p ‖ q) = ln(σ_q/σ_p) + (σ_p² + (μ_p − μ_q)²)/(2σ_q²) − ½.
impl super::KlDivergence for Normal {
    fn kl(&self, p: &[f64], q: &[f64]) -> f64 {
        let (mp, sp, mq, sq) = (p[0], p[1], q[0], q[1]);
        (sq / sp).ln() + (sp * sp + (mp - mq) * (mp - mq)) / (2.0 * sq * sq) - 0.5
    }
}

/// A Normal sample reduced to its sufficient statistics: the mean and the (population)
/// variance, each computed in a way that keeps its digits (the variance by two passes, as
/// mean((x − x̄)²), never as mean(x²) − x̄², which cancels when |x̄| ≫ s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormalSample {
    /// Sample size.
    pub n: usize,
    /// x̄ = (1/n) Σ xᵢ.
    pub mean_x: f64,
    /// s² = (1/n) Σ (xᵢ − x̄)².
    pub var_x: f64,
}

impl NormalSample {
    /// Sufficient statistics of finite observations (at least two distinct values).
    pub fn from_observations(xs: &[f64]) -> Result<Self> {
        if let Some((i, x)) = xs.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "Normal observations must be finite; observation {i} is {x}"
            )));
        }
        let n = xs.len() as f64;
        let mean_x = crate::special::accurate_sum(xs.iter().copied()) / n;
        let var_x =
            crate::special::accurate_sum(xs.iter().map(|x| (x - mean_x) * (x - mean_x))) / n;
        if xs.len() < 2 || !(var_x.is_finite() && var_x > 0.0) {
            return Err(Error::InvalidArgument(
                "a Normal sample needs at least two distinct observations".into(),
            ));
        }
        Ok(Self {
            n: xs.len(),
            mean_x,
            var_x,
        })
    }

    /// The statistics of a sample with exactly this mean and variance (n = 0 marks it as
    /// synthetic).
    pub fn from_moments(mean: f64, variance: f64) -> Result<Self> {
        if !(mean.is_finite() && variance.is_finite() && variance > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "need a finite mean and a positive variance, got {mean}, {variance}"
            )));
        }
        Ok(Self {
            n: 0,
            mean_x: mean,
            var_x: variance,
        })
    }

    /// The second moment (1/n) Σ xᵢ² = s² + x̄² (the mean of the sufficient statistic x²).
    pub fn mean_x2(&self) -> f64 {
        self.var_x + self.mean_x * self.mean_x
    }
}

/// Average negative log-likelihood
/// L(μ, σ) = ln σ + (s² + (x̄ − μ)²)/(2σ²) + ½ ln 2π.
impl Objective for NormalSample {
    fn value_at<D: Real>(&self, theta: &[D]) -> D {
        let (m, s) = (theta[0], theta[1]);
        let d = m - self.mean_x;
        let sq = d * d + self.var_x;
        s.ln() + sq / (s * s * 2.0) + 0.5 * (2.0 * std::f64::consts::PI).ln()
    }
}

/// The named Normal charts (chart coordinates ↦ canonical (μ, σ)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NormalChart {
    /// `mean-sd`: (μ, σ) ↦ (μ, σ), the canonical chart.
    MeanSd,
    /// `mean-var`: (μ, v) ↦ (μ, √v), v > 0 the variance.
    MeanVar,
    /// `mean-log-sd`: (μ, ℓ) ↦ (μ, eˡ).
    MeanLogSd,
    /// `natural`: the exponential-family natural parameters (η₁, η₂) = (μ/σ², −1/(2σ²)) ↦
    /// (μ, σ) = (−η₁/(2η₂), (−2η₂)^{−1/2}), η₂ < 0.
    Natural,
    /// `expectation`: the expectation parameters (m₁, m₂) = (E x, E x²) ↦ (m₁, √(m₂ − m₁²)).
    Expectation,
}

impl NormalChart {
    /// Every Normal chart.
    pub const ALL: [NormalChart; 5] = [
        NormalChart::MeanSd,
        NormalChart::MeanVar,
        NormalChart::MeanLogSd,
        NormalChart::Natural,
        NormalChart::Expectation,
    ];
    /// The charts an order study uses by default (the four of the committed studies).
    pub const STUDY: [NormalChart; 4] = [
        NormalChart::MeanSd,
        NormalChart::MeanVar,
        NormalChart::MeanLogSd,
        NormalChart::Natural,
    ];
}

impl std::str::FromStr for NormalChart {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_named("normal chart", s, &Self::ALL, |c| c.name())
    }
}

impl Chart for NormalChart {
    fn dim(&self) -> usize {
        2
    }

    fn name(&self) -> String {
        match self {
            Self::MeanSd => "mean-sd",
            Self::MeanVar => "mean-var",
            Self::MeanLogSd => "mean-log-sd",
            Self::Natural => "natural",
            Self::Expectation => "expectation",
        }
        .into()
    }

    fn formula(&self) -> String {
        match self {
            Self::MeanSd => "(μ, σ) ↦ (μ, σ)",
            Self::MeanVar => "(μ, v) ↦ (μ, √v)",
            Self::MeanLogSd => "(μ, ℓ) ↦ (μ, eˡ)",
            Self::Natural => "(η₁, η₂) ↦ (−η₁/2η₂, (−2η₂)^(−1/2))",
            Self::Expectation => "(m₁, m₂) ↦ (m₁, √(m₂ − m₁²))",
        }
        .into()
    }

    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        match self {
            Self::MeanSd | Self::MeanLogSd => Ok(()),
            Self::MeanVar if xi[1] > 0.0 => Ok(()),
            Self::MeanVar => Err("need variance v > 0".into()),
            Self::Natural if xi[1] < 0.0 => Ok(()),
            Self::Natural => Err("need η₂ < 0".into()),
            Self::Expectation if xi[1] > xi[0] * xi[0] => Ok(()),
            Self::Expectation => Err("need m₂ > m₁² (a positive variance)".into()),
        }
    }

    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        let (x0, x1) = (xi[0], xi[1]);
        match self {
            Self::MeanSd => vec![x0, x1],
            Self::MeanVar => vec![x0, x1.sqrt()],
            Self::MeanLogSd => vec![x0, x1.exp()],
            Self::Natural => vec![-x0 / (x1 * 2.0), (-x1 * 2.0).sqrt().recip()],
            Self::Expectation => vec![x0, (x1 - x0 * x0).sqrt()],
        }
    }

    fn to_chart(&self, theta: &[f64]) -> Vec<f64> {
        let (m, s) = (theta[0], theta[1]);
        match self {
            Self::MeanSd => vec![m, s],
            Self::MeanVar => vec![m, s * s],
            Self::MeanLogSd => vec![m, s.ln()],
            Self::Natural => vec![m / (s * s), -0.5 / (s * s)],
            Self::Expectation => vec![m, s * s + m * m],
        }
    }
}
