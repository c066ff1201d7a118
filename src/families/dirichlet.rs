//! The Dirichlet distribution with concentrations a₁, …, a_K > 0 (K ≥ 2) on the simplex
//! {x : xₖ > 0, Σxₖ = 1}, p(x; a) = Γ(a₀)/ΠΓ(aₖ) · Π xₖ^{aₖ−1}, a₀ = Σaₖ.
//!
//! As an exponential family: T(x) = (ln x₁, …, ln x_K), h = 1, ηₖ = aₖ − 1 > −1,
//!
//! ```text
//! A(η) = Σ ln Γ(aₖ) − ln Γ(a₀),
//! G = diag(ψ₁(aₖ)) − ψ₁(a₀) 11ᵀ,
//! T(v,v,·)ₖ = ψ₂(aₖ) vₖ² − ψ₂(a₀) (Σⱼ vⱼ)²,
//! μₖ = E[ln xₖ] = ψ(aₖ) − ψ(a₀),
//! ```
//!
//! (ψₙ the polygamma functions; ∂ᵢ∂ⱼ∂ₖA = ψ₂(aᵢ)δᵢⱼₖ − ψ₂(a₀)). η is affine in a, so the
//! `concentrations` chart has the same G and T. The expectation chart has no closed form:
//! η(μ) by Newton's method ([`crate::model::natural_from_mean_newton`]) from a = 1.

use crate::error::{Error, Result};
use crate::geometry::{Chart, Real};
use crate::model::{ExponentialFamily, Observations, expectation_domain};
use crate::special::polygamma;
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;

/// The Dirichlet family with K = `components` ≥ 2, in η = a − 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dirichlet {
    /// K.
    pub components: usize,
}

impl Dirichlet {
    /// K components; K ≥ 2.
    pub fn new(components: usize) -> Result<Self> {
        if components < 2 {
            return Err(Error::InvalidArgument(format!(
                "a Dirichlet family needs at least 2 components, got {components}"
            )));
        }
        Ok(Self { components })
    }
}

/// Σ ln Γ(aₖ) − ln Γ(Σaₖ) at a = η + 1 (shared with the Beta family).
pub(crate) fn log_partition<D: Real>(eta: &[D]) -> D {
    let a: Vec<D> = eta.iter().map(|&e| e + 1.0).collect();
    let a0 = a.iter().fold(D::zero(), |s, &x| s + x);
    a.iter().fold(D::zero(), |s, x| s + x.ln_gamma()) - a0.ln_gamma()
}

/// diag(ψ₁(aₖ)) − ψ₁(a₀)11ᵀ at a = η + 1.
pub(crate) fn fisher<D: Real>(eta: &[D]) -> DMatrix<D> {
    let n = eta.len();
    let a: Vec<D> = eta.iter().map(|&e| e + 1.0).collect();
    let t0 = a.iter().fold(D::zero(), |s, &x| s + x).trigamma();
    DMatrix::from_fn(n, n, |i, j| if i == j { a[i].trigamma() - t0 } else { -t0 })
}

/// ψ₂(aₖ)vₖ² − ψ₂(a₀)(Σv)² at a = η + 1.
pub(crate) fn skewness_vv(eta: &[f64], v: &[f64]) -> DVector<f64> {
    let a0: f64 = eta.iter().map(|e| e + 1.0).sum();
    let sv: f64 = v.iter().sum();
    let common = polygamma(2, a0) * sv * sv;
    DVector::from_fn(eta.len(), |k, _| {
        polygamma(2, eta[k] + 1.0) * v[k] * v[k] - common
    })
}

/// ψ(aₖ) − ψ(a₀) at a = η + 1.
pub(crate) fn mean<D: Real>(eta: &[D]) -> Vec<D> {
    let a: Vec<D> = eta.iter().map(|&e| e + 1.0).collect();
    let d0 = a.iter().fold(D::zero(), |s, &x| s + x).digamma();
    a.iter().map(|x| x.digamma() - d0).collect()
}

/// Every ηₖ > −1.
pub(crate) fn domain(eta: &[f64]) -> std::result::Result<(), String> {
    match eta.iter().position(|&e| e <= -1.0) {
        None => Ok(()),
        Some(k) => Err(format!(
            "need every concentration aₖ = ηₖ + 1 > 0 (k = {k})"
        )),
    }
}

impl ExponentialFamily for Dirichlet {
    fn dim(&self) -> usize {
        self.components
    }
    fn name(&self) -> String {
        format!("dirichlet({})", self.components)
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        domain(eta)
    }
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        log_partition(eta)
    }
    fn fisher_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        fisher(eta)
    }
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> DVector<f64> {
        skewness_vv(eta, v)
    }
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        mean(eta)
    }
    fn newton_start(&self, _mu: &[f64]) -> Option<Vec<f64>> {
        Some(vec![0.0; self.components])
    }
}

impl Observations for Dirichlet {
    fn observation_dim(&self) -> usize {
        self.components
    }
    fn support(&self, x: &[f64]) -> std::result::Result<(), String> {
        let sum: f64 = x.iter().sum();
        if x.iter().all(|&v| v > 0.0 && v < 1.0) && (sum - 1.0).abs() <= 1e-9 * x.len() as f64 {
            Ok(())
        } else {
            Err(format!("need 0 < xₖ < 1 and Σxₖ = 1 (the sum is {sum})"))
        }
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        x.iter().map(|v| v.ln()).collect()
    }
    fn log_base_measure(&self, _x: &[f64]) -> f64 {
        0.0
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        let a: Vec<f64> = eta.iter().map(|e| e + 1.0).collect();
        crate::random::dirichlet(rng, &a)
    }
}

/// Which Dirichlet chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DirichletKind {
    /// `concentrations`: (a₁, …, a_K) ↦ η = a − 1 (the default).
    Concentrations,
    /// `natural`: η ↦ η.
    Natural,
    /// `expectation`: μ = (E ln x₁, …, E ln x_K) ↦ η(μ), by Newton's method.
    Expectation,
}

/// A chart of the Dirichlet family with K components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DirichletChart {
    /// Which chart.
    pub kind: DirichletKind,
    /// The family (K).
    pub family: Dirichlet,
}

impl DirichletChart {
    /// The chart names, the default first.
    pub const NAMES: [&'static str; 3] = ["concentrations", "natural", "expectation"];

    /// The chart called `name` for K components.
    pub fn parse(name: &str, family: Dirichlet) -> Result<Self> {
        let kind = match name {
            "concentrations" => DirichletKind::Concentrations,
            "natural" => DirichletKind::Natural,
            "expectation" => DirichletKind::Expectation,
            _ => {
                return Err(Error::Unknown {
                    kind: "dirichlet chart".into(),
                    name: name.into(),
                    expected: Self::NAMES.join(", "),
                });
            }
        };
        Ok(Self { kind, family })
    }
}

impl Chart for DirichletChart {
    fn dim(&self) -> usize {
        self.family.components
    }
    fn name(&self) -> String {
        Self::NAMES[self.kind as usize].into()
    }
    fn formula(&self) -> String {
        match self.kind {
            DirichletKind::Concentrations => "a ↦ η = a − 1",
            DirichletKind::Natural => "η ↦ η",
            DirichletKind::Expectation => "μ = E[ln x] ↦ η(μ) (Newton)",
        }
        .into()
    }
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        match self.kind {
            DirichletKind::Concentrations => match xi.iter().position(|&a| a <= 0.0) {
                None => Ok(()),
                Some(k) => Err(format!("need every concentration aₖ > 0 (k = {k})")),
            },
            DirichletKind::Natural => Ok(()),
            DirichletKind::Expectation => expectation_domain(&self.family, xi),
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        match self.kind {
            DirichletKind::Concentrations => xi.iter().map(|&a| a - 1.0).collect(),
            DirichletKind::Natural => xi.to_vec(),
            DirichletKind::Expectation => self
                .family
                .natural_from_mean(xi)
                .unwrap_or_else(|| vec![D::from(f64::NAN); xi.len()]),
        }
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        match self.kind {
            DirichletKind::Concentrations => eta.iter().map(|e| e + 1.0).collect(),
            DirichletKind::Natural => eta.to_vec(),
            DirichletKind::Expectation => mean(eta),
        }
    }
}
