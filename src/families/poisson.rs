//! The Poisson distribution with rate λ > 0, p(x; λ) = λˣ e^{−λ} / x! on x = 0, 1, 2, ….
//!
//! As an exponential family: T(x) = x, h(x) = 1/x!, η = ln λ ∈ ℝ,
//!
//! ```text
//! A(η) = e^η,   G(η) = e^η,   T(η) = e^η,   μ = E[x] = e^η = λ.
//! ```
//!
//! In the rate chart G(λ) = 1/λ and Γ^λ_λλ = −1/(2λ); 2√λ is its arc length coordinate. The
//! expectation chart is the rate chart (μ = λ).

use super::parse_named;
use crate::error::{Error, Result};
use crate::geometry::{Chart, Real};
use crate::model::{ExponentialFamily, Observations};
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;

/// The Poisson family in η = ln λ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Poisson;

impl ExponentialFamily for Poisson {
    fn dim(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        "poisson".into()
    }
    fn domain(&self, _eta: &[f64]) -> std::result::Result<(), String> {
        Ok(())
    }
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        eta[0].exp()
    }
    fn fisher_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        DMatrix::from_element(1, 1, eta[0].exp())
    }
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> DVector<f64> {
        DVector::from_element(1, eta[0].exp() * v[0] * v[0])
    }
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        vec![eta[0].exp()]
    }
    fn natural_from_mean<D: Real>(&self, mu: &[D]) -> Option<Vec<D>> {
        (mu[0].re() > 0.0).then(|| vec![mu[0].ln()])
    }
}

impl Observations for Poisson {
    fn observation_dim(&self) -> usize {
        1
    }
    fn support(&self, x: &[f64]) -> std::result::Result<(), String> {
        if x[0] >= 0.0 && x[0].fract() == 0.0 {
            Ok(())
        } else {
            Err("need a count x = 0, 1, 2, …".into())
        }
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        vec![x[0]]
    }
    fn log_base_measure(&self, x: &[f64]) -> f64 {
        -crate::special::ln_gamma(x[0] + 1.0)
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        vec![crate::random::poisson(rng, eta[0].exp())]
    }
}

/// The Poisson family's charts (chart coordinates ↦ η).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoissonChart {
    /// `rate`: λ ↦ η = ln λ, λ > 0 (the default).
    Rate,
    /// `natural`: η ↦ η.
    Natural,
    /// `expectation`: the mean μ = λ ↦ η = ln μ (the same map as `rate`).
    Expectation,
}

impl PoissonChart {
    /// Every chart, the default first.
    pub const ALL: [PoissonChart; 3] = [Self::Rate, Self::Natural, Self::Expectation];
}

impl std::str::FromStr for PoissonChart {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_named("poisson chart", s, &Self::ALL, |c| c.name())
    }
}

impl Chart for PoissonChart {
    fn dim(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        match self {
            Self::Rate => "rate",
            Self::Natural => "natural",
            Self::Expectation => "expectation",
        }
        .into()
    }
    fn formula(&self) -> String {
        match self {
            Self::Rate => "λ ↦ η = ln λ",
            Self::Natural => "η ↦ η",
            Self::Expectation => "μ ↦ η = ln μ",
        }
        .into()
    }
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        match self {
            Self::Natural => Ok(()),
            _ if xi[0] > 0.0 => Ok(()),
            _ => Err("need λ > 0".into()),
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        match self {
            Self::Natural => xi.to_vec(),
            Self::Rate | Self::Expectation => vec![xi[0].ln()],
        }
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        match self {
            Self::Natural => eta.to_vec(),
            Self::Rate | Self::Expectation => vec![eta[0].exp()],
        }
    }
}
