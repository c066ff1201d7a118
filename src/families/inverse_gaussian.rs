//! The inverse Gaussian distribution IG(μ, λ) with mean μ > 0 and shape λ > 0 on x > 0,
//! p(x; μ, λ) = √(λ/(2πx³)) exp(−λ(x − μ)²/(2μ²x)).
//!
//! As an exponential family: T(x) = (x, 1/x), h(x) = (2πx³)^{−1/2}, η = (−λ/(2μ²), −λ/2),
//!
//! ```text
//! A(η) = −2√(η₁η₂) − ½ ln(−2η₂),   μ_T = E[T] = (μ, 1/μ + 1/λ),
//! ```
//!
//! (expand the exponent: −λx/(2μ²) − λ/(2x) + λ/μ, and λ/μ = 2√(η₁η₂)). In the `mean-shape`
//! chart the Fisher metric is diagonal, G(μ, λ) = diag(λ/μ³, 1/(2λ²)); the
//! tests check the pullback of ∇²A against it.

use super::parse_named;
use crate::error::{Error, Result};
use crate::geometry::{Chart, Real};
use crate::model::{ExponentialFamily, Observations};
use rand::rngs::StdRng;

/// The inverse-Gaussian family in η = (−λ/(2μ²), −λ/2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InverseGaussian;

impl InverseGaussian {
    /// (μ, λ) ↦ η, for any scalar type.
    pub fn natural<D: Real>(mu: D, lambda: D) -> Vec<D> {
        vec![-lambda / (mu * mu * 2.0), -lambda * 0.5]
    }
    /// η ↦ (μ, λ) = (√(η₂/η₁), −2η₂).
    pub fn mean_shape<D: Real>(eta: &[D]) -> (D, D) {
        ((eta[1] / eta[0]).sqrt(), -eta[1] * 2.0)
    }
}

impl ExponentialFamily for InverseGaussian {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "inverse-gaussian".into()
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        if eta[0] < 0.0 && eta[1] < 0.0 {
            Ok(())
        } else {
            Err("need η₁ = −λ/(2μ²) < 0 and η₂ = −λ/2 < 0".into())
        }
    }
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        -(eta[0] * eta[1]).sqrt() * 2.0 - (-eta[1] * 2.0).ln() * 0.5
    }
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        let (mu, lambda) = Self::mean_shape(eta);
        vec![mu, mu.recip() + lambda.recip()]
    }
    /// μ = m₁, λ = 1/(m₂ − 1/m₁), defined when m₁ > 0 and m₂ > 1/m₁ (Jensen: E[1/x] > 1/E[x]).
    fn natural_from_mean<D: Real>(&self, m: &[D]) -> Option<Vec<D>> {
        let gap = m[1] - m[0].recip();
        (m[0].re() > 0.0 && gap.re() > 0.0).then(|| Self::natural(m[0], gap.recip()))
    }
}

impl Observations for InverseGaussian {
    fn observation_dim(&self) -> usize {
        1
    }
    fn support(&self, x: &[f64]) -> std::result::Result<(), String> {
        if x[0] > 0.0 {
            Ok(())
        } else {
            Err("need x > 0".into())
        }
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        vec![x[0], x[0].recip()]
    }
    fn log_base_measure(&self, x: &[f64]) -> f64 {
        -0.5 * (2.0 * std::f64::consts::PI * x[0].powi(3)).ln()
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        let (mu, lambda) = Self::mean_shape(eta);
        vec![crate::random::inverse_gaussian(rng, mu, lambda)]
    }
}

/// The inverse-Gaussian family's charts (chart coordinates ↦ η).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InverseGaussianChart {
    /// `mean-shape`: (μ, λ) ↦ (−λ/(2μ²), −λ/2) (the default).
    MeanShape,
    /// `natural`: η ↦ η.
    Natural,
    /// `expectation`: (E x, E 1/x) = (μ, 1/μ + 1/λ) ↦ η.
    Expectation,
}

impl InverseGaussianChart {
    /// Every chart, the default first.
    pub const ALL: [InverseGaussianChart; 3] = [Self::MeanShape, Self::Natural, Self::Expectation];
}

impl std::str::FromStr for InverseGaussianChart {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_named("inverse-gaussian chart", s, &Self::ALL, |c| c.name())
    }
}

impl Chart for InverseGaussianChart {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        match self {
            Self::MeanShape => "mean-shape",
            Self::Natural => "natural",
            Self::Expectation => "expectation",
        }
        .into()
    }
    fn formula(&self) -> String {
        match self {
            Self::MeanShape => "(μ, λ) ↦ (−λ/(2μ²), −λ/2)",
            Self::Natural => "η ↦ η",
            Self::Expectation => "(m₁, m₂) ↦ η(μ = m₁, λ = 1/(m₂ − 1/m₁))",
        }
        .into()
    }
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        match self {
            Self::MeanShape if xi[0] > 0.0 && xi[1] > 0.0 => Ok(()),
            Self::MeanShape => Err("need mean μ > 0 and shape λ > 0".into()),
            Self::Natural => InverseGaussian.domain(xi),
            Self::Expectation if xi[0] > 0.0 && xi[1] > 1.0 / xi[0] => Ok(()),
            Self::Expectation => Err("need m₁ = E x > 0 and m₂ = E[1/x] > 1/m₁".into()),
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        match self {
            Self::MeanShape => InverseGaussian::natural(xi[0], xi[1]),
            Self::Natural => xi.to_vec(),
            Self::Expectation => InverseGaussian
                .natural_from_mean(xi)
                .unwrap_or_else(|| vec![D::from(f64::NAN); 2]),
        }
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        match self {
            Self::MeanShape => {
                let (mu, lambda) = InverseGaussian::mean_shape(eta);
                vec![mu, lambda]
            }
            Self::Natural => eta.to_vec(),
            Self::Expectation => InverseGaussian.mean(eta),
        }
    }
}
