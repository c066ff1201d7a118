//! The Bernoulli distribution with success probability 0 < p < 1 on x ∈ {0, 1}.
//!
//! As an exponential family: T(x) = x, h = 1, η = logit p = ln(p/(1−p)),
//!
//! ```text
//! A(η) = ln(1 + e^η),   G(η) = p(1−p),   T(η) = p(1−p)(1−2p),   μ = p = σ(η).
//! ```
//!
//! In the probability chart G(p) = 1/(p(1−p)) and Γ^p_pp = (2p−1)/(2p(1−p)); 2 arcsin √p is its
//! arc length coordinate. The expectation chart is the probability chart (μ = p).

use super::parse_named;
use crate::error::{Error, Result};
use crate::geometry::{Chart, Real};
use crate::model::{ExponentialFamily, Observations};
use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rand::rngs::StdRng;

/// The Bernoulli family in η = logit p.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bernoulli;

/// σ(η) = 1/(1 + e^{−η}), for any scalar type.
fn logistic<D: Real>(eta: D) -> D {
    (D::one() + (-eta).exp()).recip()
}

impl ExponentialFamily for Bernoulli {
    fn dim(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        "bernoulli".into()
    }
    fn domain(&self, _eta: &[f64]) -> std::result::Result<(), String> {
        Ok(())
    }
    /// ln(1 + e^η), written as max(η, 0) + ln(1 + e^{−|η|}) so it never overflows.
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        let e = eta[0];
        if e.re() > 0.0 {
            e + (-e).exp().ln_1p()
        } else {
            e.exp().ln_1p()
        }
    }
    fn fisher_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        let p = logistic(eta[0]);
        DMatrix::from_element(1, 1, p * (D::one() - p))
    }
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> DVector<f64> {
        let p = logistic(eta[0]);
        DVector::from_element(1, p * (1.0 - p) * (1.0 - 2.0 * p) * v[0] * v[0])
    }
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        vec![logistic(eta[0])]
    }
    fn natural_from_mean<D: Real>(&self, mu: &[D]) -> Option<Vec<D>> {
        let p = mu[0];
        (p.re() > 0.0 && p.re() < 1.0).then(|| vec![(p / (D::one() - p)).ln()])
    }
}

impl Observations for Bernoulli {
    fn observation_dim(&self) -> usize {
        1
    }
    fn support(&self, x: &[f64]) -> std::result::Result<(), String> {
        if x[0] == 0.0 || x[0] == 1.0 {
            Ok(())
        } else {
            Err("need x = 0 or x = 1".into())
        }
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        vec![x[0]]
    }
    fn log_base_measure(&self, _x: &[f64]) -> f64 {
        0.0
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        let p = logistic(eta[0]);
        vec![f64::from(u8::from(rng.random::<f64>() < p))]
    }
    fn finite_support(&self, eta: &[f64]) -> Option<Vec<(f64, Vec<f64>)>> {
        let p = logistic(eta[0]);
        Some(vec![(1.0 - p, vec![0.0]), (p, vec![1.0])])
    }
}

/// The Bernoulli family's charts (chart coordinates ↦ η).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BernoulliChart {
    /// `probability`: p ↦ η = ln(p/(1−p)), 0 < p < 1 (the default).
    Probability,
    /// `natural`: η ↦ η.
    Natural,
    /// `expectation`: μ = p ↦ η (the same map as `probability`).
    Expectation,
}

impl BernoulliChart {
    /// Every chart, the default first.
    pub const ALL: [BernoulliChart; 3] = [Self::Probability, Self::Natural, Self::Expectation];
}

impl std::str::FromStr for BernoulliChart {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_named("bernoulli chart", s, &Self::ALL, |c| c.name())
    }
}

impl Chart for BernoulliChart {
    fn dim(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        match self {
            Self::Probability => "probability",
            Self::Natural => "natural",
            Self::Expectation => "expectation",
        }
        .into()
    }
    fn formula(&self) -> String {
        match self {
            Self::Natural => "η ↦ η",
            _ => "p ↦ η = ln(p/(1−p))",
        }
        .into()
    }
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        match self {
            Self::Natural => Ok(()),
            _ if xi[0] > 0.0 && xi[0] < 1.0 => Ok(()),
            _ => Err("need 0 < p < 1".into()),
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        match self {
            Self::Natural => xi.to_vec(),
            _ => vec![(xi[0] / (D::one() - xi[0])).ln()],
        }
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        match self {
            Self::Natural => eta.to_vec(),
            _ => vec![logistic(eta[0])],
        }
    }
}
