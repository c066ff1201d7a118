//! The exponential distribution with rate λ > 0, p(x; λ) = λ e^{−λx} on x ≥ 0.
//!
//! As an exponential family: T(x) = x, h(x) = 1, natural parameter η = −λ < 0,
//!
//! ```text
//! A(η) = −ln(−η),   G(η) = 1/η²,   T(η) = ∂³A = −2/η³,   μ = E[x] = −1/η = 1/λ.
//! ```
//!
//! In the rate chart G(λ) = 1/λ² and Γ^λ_λλ = −1/λ (a one-dimensional metric g has
//! Γ = g′/(2g)); ln λ is its arc length coordinate.

use super::parse_named;
use crate::error::{Error, Result};
use crate::geometry::{Chart, Real};
use crate::model::{ExponentialFamily, Observations, expectation_domain};
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;

/// The exponential distribution as an exponential family in η = −λ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exponential;

impl ExponentialFamily for Exponential {
    fn dim(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        "exponential".into()
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        if eta[0] < 0.0 {
            Ok(())
        } else {
            Err("need η = −λ < 0".into())
        }
    }
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        -(-eta[0]).ln()
    }
    fn fisher_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        DMatrix::from_element(1, 1, (eta[0] * eta[0]).recip())
    }
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> DVector<f64> {
        DVector::from_element(1, -2.0 * v[0] * v[0] / eta[0].powi(3))
    }
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        vec![-eta[0].recip()]
    }
    fn natural_from_mean<D: Real>(&self, mu: &[D]) -> Option<Vec<D>> {
        (mu[0].re() > 0.0).then(|| vec![-mu[0].recip()])
    }
}

impl Observations for Exponential {
    fn observation_dim(&self) -> usize {
        1
    }
    fn support(&self, x: &[f64]) -> std::result::Result<(), String> {
        if x[0] >= 0.0 {
            Ok(())
        } else {
            Err("need x ≥ 0".into())
        }
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        vec![x[0]]
    }
    fn log_base_measure(&self, _x: &[f64]) -> f64 {
        0.0
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        vec![-crate::random::open_unit(rng).ln() / -eta[0]]
    }
}

/// The exponential family's charts (chart coordinates ↦ η).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExponentialChart {
    /// `rate`: λ ↦ η = −λ, λ > 0 (the default).
    Rate,
    /// `natural`: η ↦ η.
    Natural,
    /// `expectation`: the mean m = 1/λ ↦ η = −1/m.
    Expectation,
}

impl ExponentialChart {
    /// Every chart, the default first.
    pub const ALL: [ExponentialChart; 3] = [Self::Rate, Self::Natural, Self::Expectation];
}

impl std::str::FromStr for ExponentialChart {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_named("exponential chart", s, &Self::ALL, |c| c.name())
    }
}

impl Chart for ExponentialChart {
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
            Self::Rate => "λ ↦ η = −λ",
            Self::Natural => "η ↦ η",
            Self::Expectation => "m ↦ η = −1/m",
        }
        .into()
    }
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        match self {
            Self::Rate if xi[0] > 0.0 => Ok(()),
            Self::Rate => Err("need rate λ > 0".into()),
            Self::Natural => Ok(()),
            Self::Expectation => expectation_domain(&Exponential, xi),
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        match self {
            Self::Rate => vec![-xi[0]],
            Self::Natural => xi.to_vec(),
            Self::Expectation => vec![-xi[0].recip()],
        }
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        match self {
            Self::Rate => vec![-eta[0]],
            Self::Natural => eta.to_vec(),
            Self::Expectation => Exponential.mean(eta),
        }
    }
}
