//! The categorical distribution on K ≥ 2 classes {0, …, K−1} with probabilities p₀, …, p_{K−1}.
//!
//! As an exponential family with class 0 as reference: T(x) = (1[x=1], …, 1[x=K−1]), h = 1,
//! ηₖ = ln(pₖ/p₀) for k = 1…K−1,
//!
//! ```text
//! A(η) = ln(1 + Σₖ e^{ηₖ}),   G = diag(p) − ppᵀ,   μ = (p₁, …, p_{K−1}),
//! T(v,v,·)ₖ = pₖ[(vₖ − v̄)² − Σⱼ pⱼ(vⱼ − v̄)²],   v̄ = Σⱼ pⱼvⱼ (j = 0…K−1, v₀ = 0),
//! ```
//!
//! the last being the third cumulant E[(v·(T−μ))² (T−μ)ₖ] of the indicator vector. The
//! `probabilities` chart (p₁, …, p_{K−1}) is also the expectation chart; in it G is the
//! multinomial Fisher metric diag(1/p) + 11ᵀ/p₀, a piece of a sphere (pₖ = sₖ², Σ sₖ² = 1).

use crate::error::{Error, Result};
use crate::geometry::{Chart, Real};
use crate::model::{ExponentialFamily, Observations};
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;

/// The categorical family with `classes` = K ≥ 2 classes, in η ∈ ℝ^{K−1}.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Categorical {
    /// K.
    pub classes: usize,
}

impl Categorical {
    /// K classes; K ≥ 2.
    pub fn new(classes: usize) -> Result<Self> {
        if classes < 2 {
            return Err(Error::InvalidArgument(format!(
                "a categorical family needs at least 2 classes, got {classes}"
            )));
        }
        Ok(Self { classes })
    }

    /// (p₀, p₁, …, p_{K−1}) from η, computed without overflow.
    pub fn probabilities<D: Real>(eta: &[D]) -> Vec<D> {
        let m = eta.iter().map(|e| e.re()).fold(0.0, f64::max);
        let mut p: Vec<D> = std::iter::once(D::from(-m).exp())
            .chain(eta.iter().map(|&e| (e - m).exp()))
            .collect();
        let z = p.iter().fold(D::zero(), |a, &b| a + b);
        p.iter_mut().for_each(|x| *x /= z);
        p
    }
}

impl ExponentialFamily for Categorical {
    fn dim(&self) -> usize {
        self.classes - 1
    }
    fn name(&self) -> String {
        format!("categorical({})", self.classes)
    }
    fn domain(&self, _eta: &[f64]) -> std::result::Result<(), String> {
        Ok(())
    }
    /// ln(1 + Σ e^{ηₖ}) = m + ln(e^{−m} + Σ e^{ηₖ−m}), m = max(0, ηₖ).
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        let m = eta.iter().map(|e| e.re()).fold(0.0, f64::max);
        let s = eta
            .iter()
            .fold(D::from(-m).exp(), |acc, &e| acc + (e - m).exp());
        s.ln() + m
    }
    fn fisher_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        let p = Self::probabilities(eta);
        let n = eta.len();
        DMatrix::from_fn(n, n, |i, j| {
            let d = if i == j { p[i + 1] } else { D::zero() };
            d - p[i + 1] * p[j + 1]
        })
    }
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> DVector<f64> {
        let p = Self::probabilities(eta);
        let vv = |j: usize| if j == 0 { 0.0 } else { v[j - 1] };
        let vbar: f64 = (0..p.len()).map(|j| p[j] * vv(j)).sum();
        let spread: f64 = (0..p.len()).map(|j| p[j] * (vv(j) - vbar).powi(2)).sum();
        DVector::from_fn(eta.len(), |k, _| {
            p[k + 1] * ((vv(k + 1) - vbar).powi(2) - spread)
        })
    }
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        Self::probabilities(eta)[1..].to_vec()
    }
    fn natural_from_mean<D: Real>(&self, mu: &[D]) -> Option<Vec<D>> {
        let p0 = mu.iter().fold(D::one(), |a, &b| a - b);
        let ok = p0.re() > 0.0 && mu.iter().all(|m| m.re() > 0.0);
        ok.then(|| mu.iter().map(|&m| (m / p0).ln()).collect())
    }
}

impl Observations for Categorical {
    fn observation_dim(&self) -> usize {
        1
    }
    fn support(&self, x: &[f64]) -> std::result::Result<(), String> {
        if x[0] >= 0.0 && x[0].fract() == 0.0 && x[0] < self.classes as f64 {
            Ok(())
        } else {
            Err(format!("need a class index 0, 1, …, {}", self.classes - 1))
        }
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        let k = x[0] as usize;
        (1..self.classes)
            .map(|j| f64::from(u8::from(j == k)))
            .collect()
    }
    fn log_base_measure(&self, _x: &[f64]) -> f64 {
        0.0
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        vec![crate::random::categorical(rng, &Self::probabilities(eta)) as f64]
    }
    fn finite_support(&self, eta: &[f64]) -> Option<Vec<(f64, Vec<f64>)>> {
        let p = Self::probabilities(eta);
        Some(
            p.iter()
                .enumerate()
                .map(|(k, &pk)| (pk, vec![k as f64]))
                .collect(),
        )
    }
}

/// The categorical family's charts (chart coordinates ↦ η).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CategoricalKind {
    /// `probabilities`: (p₁, …, p_{K−1}) ↦ ηₖ = ln(pₖ/p₀), p₀ = 1 − Σpₖ (the default).
    Probabilities,
    /// `natural`: η ↦ η.
    Natural,
    /// `expectation`: μ = (p₁, …, p_{K−1}) (the same map as `probabilities`).
    Expectation,
}

/// A chart of the categorical family with K classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CategoricalChart {
    /// Which chart.
    pub kind: CategoricalKind,
    /// K.
    pub classes: usize,
}

impl CategoricalChart {
    /// The chart names, the default first.
    pub const NAMES: [&'static str; 3] = ["probabilities", "natural", "expectation"];

    /// The chart called `name` for K classes.
    pub fn parse(name: &str, classes: usize) -> Result<Self> {
        let kind = match name {
            "probabilities" => CategoricalKind::Probabilities,
            "natural" => CategoricalKind::Natural,
            "expectation" => CategoricalKind::Expectation,
            _ => {
                return Err(Error::Unknown {
                    kind: "categorical chart".into(),
                    name: name.into(),
                    expected: Self::NAMES.join(", "),
                });
            }
        };
        Ok(Self { kind, classes })
    }
}

impl Chart for CategoricalChart {
    fn dim(&self) -> usize {
        self.classes - 1
    }
    fn name(&self) -> String {
        match self.kind {
            CategoricalKind::Probabilities => "probabilities",
            CategoricalKind::Natural => "natural",
            CategoricalKind::Expectation => "expectation",
        }
        .into()
    }
    fn formula(&self) -> String {
        match self.kind {
            CategoricalKind::Natural => "η ↦ η".into(),
            _ => "(p₁…p_{K−1}) ↦ ηₖ = ln(pₖ/p₀), p₀ = 1 − Σpₖ".into(),
        }
    }
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        if self.kind == CategoricalKind::Natural {
            return Ok(());
        }
        let p0 = 1.0 - xi.iter().sum::<f64>();
        if xi.iter().all(|&p| p > 0.0) && p0 > 0.0 {
            Ok(())
        } else {
            Err("need every pₖ > 0 and p₀ = 1 − Σpₖ > 0".into())
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        match self.kind {
            CategoricalKind::Natural => xi.to_vec(),
            _ => {
                let p0 = xi.iter().fold(D::one(), |a, &b| a - b);
                xi.iter().map(|&p| (p / p0).ln()).collect()
            }
        }
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        match self.kind {
            CategoricalKind::Natural => eta.to_vec(),
            _ => Categorical::probabilities(eta)[1..].to_vec(),
        }
    }
}
