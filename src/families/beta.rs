//! The Beta distribution with shapes a, b > 0 on 0 < x < 1,
//! p(x; a, b) = x^{a−1}(1−x)^{b−1} / B(a, b).
//!
//! As an exponential family it is the two-component Dirichlet family read through x ↦ (x, 1−x):
//! T(x) = (ln x, ln(1−x)), h = 1, η = (a − 1, b − 1), A(η) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), and
//! with s = a + b
//!
//! ```text
//! G = ⎡ ψ₁(a) − ψ₁(s)     −ψ₁(s)    ⎤      T(v,v,·) = ⎛ ψ₂(a)v₁² − ψ₂(s)(v₁+v₂)² ⎞
//!     ⎣   −ψ₁(s)      ψ₁(b) − ψ₁(s) ⎦                 ⎝ ψ₂(b)v₂² − ψ₂(s)(v₁+v₂)² ⎠
//! ```
//!
//! and μ = (ψ(a) − ψ(s), ψ(b) − ψ(s)). Charts: `shape` (a, b), `mean-precision` (m, κ) with
//! a = mκ, b = (1−m)κ, `natural`, and `expectation` (η(μ) by Newton's method).

use super::dirichlet;
use crate::error::{Error, Result};
use crate::geometry::{Chart, Real};
use crate::model::{ExponentialFamily, Observations, expectation_domain};
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;

/// The Beta family in η = (a − 1, b − 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Beta;

impl ExponentialFamily for Beta {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "beta".into()
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        match (eta[0] > -1.0, eta[1] > -1.0) {
            (true, true) => Ok(()),
            (false, _) => Err("need a = η₁ + 1 > 0".into()),
            (_, false) => Err("need b = η₂ + 1 > 0".into()),
        }
    }
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        dirichlet::log_partition(eta)
    }
    fn fisher_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        dirichlet::fisher(eta)
    }
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> DVector<f64> {
        dirichlet::skewness_vv(eta, v)
    }
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        dirichlet::mean(eta)
    }
    fn newton_start(&self, _mu: &[f64]) -> Option<Vec<f64>> {
        Some(vec![0.0, 0.0])
    }
}

impl Observations for Beta {
    fn observation_dim(&self) -> usize {
        1
    }
    fn support(&self, x: &[f64]) -> std::result::Result<(), String> {
        if x[0] > 0.0 && x[0] < 1.0 {
            Ok(())
        } else {
            Err("need 0 < x < 1".into())
        }
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        vec![x[0].ln(), (-x[0]).ln_1p()]
    }
    fn log_base_measure(&self, _x: &[f64]) -> f64 {
        0.0
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        vec![crate::random::dirichlet(rng, &[eta[0] + 1.0, eta[1] + 1.0])[0]]
    }
}

/// The Beta family's charts (chart coordinates ↦ η).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BetaChart {
    /// `shape`: (a, b) ↦ η = (a − 1, b − 1) (the default).
    Shape,
    /// `mean-precision`: (m, κ) ↦ (mκ − 1, (1−m)κ − 1), 0 < m < 1, κ > 0.
    MeanPrecision,
    /// `natural`: η ↦ η.
    Natural,
    /// `expectation`: μ = (E ln x, E ln(1−x)) ↦ η(μ), by Newton's method.
    Expectation,
}

impl BetaChart {
    /// Every chart, the default first.
    pub const ALL: [BetaChart; 4] = [
        Self::Shape,
        Self::MeanPrecision,
        Self::Natural,
        Self::Expectation,
    ];
}

impl std::str::FromStr for BetaChart {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        super::parse_named("beta chart", s, &Self::ALL, |c| c.name())
    }
}

impl Chart for BetaChart {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        match self {
            Self::Shape => "shape",
            Self::MeanPrecision => "mean-precision",
            Self::Natural => "natural",
            Self::Expectation => "expectation",
        }
        .into()
    }
    fn formula(&self) -> String {
        match self {
            Self::Shape => "(a, b) ↦ (a − 1, b − 1)",
            Self::MeanPrecision => "(m, κ) ↦ (mκ − 1, (1−m)κ − 1)",
            Self::Natural => "η ↦ η",
            Self::Expectation => "μ = (E ln x, E ln(1−x)) ↦ η(μ) (Newton)",
        }
        .into()
    }
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        match self {
            Self::Shape if xi[0] > 0.0 && xi[1] > 0.0 => Ok(()),
            Self::Shape => Err("need a > 0 and b > 0".into()),
            Self::MeanPrecision if xi[0] > 0.0 && xi[0] < 1.0 && xi[1] > 0.0 => Ok(()),
            Self::MeanPrecision => Err("need 0 < m < 1 and κ > 0".into()),
            Self::Natural => Ok(()),
            Self::Expectation => expectation_domain(&Beta, xi),
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        match self {
            Self::Shape => vec![xi[0] - 1.0, xi[1] - 1.0],
            Self::MeanPrecision => vec![xi[0] * xi[1] - 1.0, (D::one() - xi[0]) * xi[1] - 1.0],
            Self::Natural => xi.to_vec(),
            Self::Expectation => Beta
                .natural_from_mean(xi)
                .unwrap_or_else(|| vec![D::from(f64::NAN); 2]),
        }
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        let (a, b) = (eta[0] + 1.0, eta[1] + 1.0);
        match self {
            Self::Shape => vec![a, b],
            Self::MeanPrecision => vec![a / (a + b), a + b],
            Self::Natural => eta.to_vec(),
            Self::Expectation => Beta.mean(eta),
        }
    }
}
