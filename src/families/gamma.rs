//! The Gamma family in the **rate** parameterisation (α, β), α > 0 shape, β > 0 rate:
//!
//! ```text
//! p(x; α, β) = βᵅ / Γ(α) · x^(α−1) e^(−βx),    x > 0.
//! ```
//!
//! Fisher metric (e.g. Amari & Nagaoka 2000, §2.3; it is the Hessian of the log-partition
//! ln Γ(α) − α ln β in the natural parameters (α−1, −β) pulled back to (α, β)):
//!
//! ```text
//! G(α, β) = ⎡ ψ₁(α)   −1/β ⎤
//!           ⎣ −1/β    α/β² ⎦
//! ```
//!
//! Closed-form Christoffel symbols, with Δ = αψ₁(α) − 1 > 0 (derived from G by the formula in
//! [`crate::geometry`]; checked against automatic differentiation in `tests/christoffel.rs`):
//!
//! | Γ | value |
//! |---|---|
//! | Γ^α_αα | αψ₂(α) / (2Δ) |
//! | Γ^α_αβ | 1 / (2βΔ) |
//! | Γ^α_ββ | −α / (2β²Δ) |
//! | Γ^β_αα | βψ₂(α) / (2Δ) |
//! | Γ^β_αβ | ψ₁(α) / (2Δ) |
//! | Γ^β_ββ | (1 − 2αψ₁(α)) / (2βΔ) |
//!
//! Charts (chart coordinates ↦ canonical), as in Song, Song & Ermon (2018), Fig. 2, plus the
//! mean chart in which G is diagonal: see [`GammaChart`].

use super::parse_named;
use crate::error::{Error, Result};
use crate::geometry::{Chart, Christoffel, Metric, Real};
use crate::model::{
    ExponentialFamily, LogDensity, NaturalCoordinates, Objective, Observations, expectation_domain,
};
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;

/// The Gamma family in canonical coordinates (α shape, β **rate**).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gamma;

impl Gamma {
    /// Δ = αψ₁(α) − 1 = β² det G, positive for every α > 0; computed as α·(ψ₁(α) − 1/α)
    /// so that it keeps its accuracy as α → ∞, where Δ ≈ 1/(2α).
    pub fn delta(alpha: f64) -> f64 {
        alpha * crate::special::trigamma_minus_inverse(alpha)
    }
}

impl Metric for Gamma {
    fn dim(&self) -> usize {
        2
    }

    fn name(&self) -> String {
        "gamma (α, β=rate)".into()
    }

    fn domain(&self, theta: &[f64]) -> std::result::Result<(), String> {
        match (theta[0] > 0.0, theta[1] > 0.0) {
            (true, true) => Ok(()),
            (false, _) => Err("need shape α > 0".into()),
            (_, false) => Err("need rate β > 0".into()),
        }
    }

    fn metric_at<D: Real>(&self, theta: &[D]) -> DMatrix<D> {
        let (a, b) = (theta[0], theta[1]);
        let off = -b.recip();
        DMatrix::from_row_slice(2, 2, &[a.trigamma(), off, off, a / (b * b)])
    }

    fn christoffel(&self, theta: &[f64]) -> Result<Christoffel> {
        Metric::check(self, theta)?;
        let (a, b) = (theta[0], theta[1]);
        let psi1 = crate::special::trigamma(a);
        let psi2 = crate::special::polygamma(2, a);
        let d = Self::delta(a);
        let mut g = Christoffel::zeros(2);
        g.set_sym(0, 0, 0, a * psi2 / (2.0 * d));
        g.set_sym(0, 0, 1, 1.0 / (2.0 * b * d));
        g.set_sym(0, 1, 1, -a / (2.0 * b * b * d));
        g.set_sym(1, 0, 0, b * psi2 / (2.0 * d));
        g.set_sym(1, 0, 1, psi1 / (2.0 * d));
        g.set_sym(1, 1, 1, (1.0 - 2.0 * a * psi1) / (2.0 * b * d));
        Ok(g)
    }

    fn christoffel_vv(&self, theta: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        crate::error::check_vector("velocity", v, 2)?;
        self.christoffel(theta)?.contract(v, v)
    }

    /// T(v,v,·) from T_ααα = ψ₂(α), T_ααβ = 0, T_αββ = 1/β², T_βββ = −2α/β³: η = (α − 1, −β)
    /// is affine in (α, β), so T is the third derivative of A = ln Γ(α) − α ln β in (α, β).
    fn skewness_vv(&self, theta: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        Metric::check(self, theta)?;
        crate::error::check_vector("velocity", v, 2)?;
        let (a, b) = (theta[0], theta[1]);
        let (va, vb) = (v[0], v[1]);
        Ok(DVector::from_vec(vec![
            crate::special::polygamma(2, a) * va * va + vb * vb / (b * b),
            2.0 * va * vb / (b * b) - 2.0 * a * vb * vb / (b * b * b),
        ]))
    }
}

/// The Gamma family as an exponential family: T(x) = (ln x, x), h(x) = 1/x on x > 0,
/// η = (α − 1, −β), A(η) = ln Γ(η₁ + 1) − (η₁ + 1) ln(−η₂). The generic path the closed forms
/// of [`Gamma`] are tested against, and the map behind the `natural` and `expectation` charts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GammaNatural;

impl ExponentialFamily for GammaNatural {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "gamma".into()
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        Metric::domain(&Gamma, &[eta[0] + 1.0, -eta[1]])
    }
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        let a = eta[0] + 1.0;
        a.ln_gamma() - a * (-eta[1]).ln()
    }
    fn newton_start(&self, _mu: &[f64]) -> Option<Vec<f64>> {
        Some(vec![0.0, -1.0])
    }
}

impl Observations for GammaNatural {
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
        vec![x[0].ln(), x[0]]
    }
    fn log_base_measure(&self, x: &[f64]) -> f64 {
        -x[0].ln()
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        vec![crate::random::gamma(rng, eta[0] + 1.0) / -eta[1]]
    }
}

/// ℓ(α, β; x) = α ln β − ln Γ(α) + (α − 1) ln x − βx, with expectations by a seeded Monte Carlo
/// sample ([`crate::model::exponential::MONTE_CARLO_DRAWS`] Marsaglia–Tsang draws).
impl LogDensity for Gamma {
    type Outcome = Vec<f64>;
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        Metric::name(self)
    }
    fn domain(&self, theta: &[f64]) -> std::result::Result<(), String> {
        Metric::domain(self, theta)
    }
    fn log_density<D: Real>(&self, theta: &[D], x: &Vec<f64>) -> D {
        let (a, b) = (theta[0], theta[1]);
        a * b.ln() - a.ln_gamma() + (a - 1.0) * x[0].ln() - b * x[0]
    }
    fn expectation_rule(&self, theta: &[f64]) -> Result<Vec<(f64, Vec<f64>)>> {
        LogDensity::check(self, theta)?;
        NaturalCoordinates(GammaNatural).expectation_rule(&[theta[0] - 1.0, -theta[1]])
    }
}

/// The closed form in the rate parameterisation (e.g. Penny 2001, *KL divergences of Normal,
/// Gamma, Dirichlet and Wishart densities*, rewritten with rates):
///
/// ```text
/// KL(p ‖ q) = (α_p − α_q) ψ(α_p) − ln Γ(α_p) + ln Γ(α_q)
///             + α_q (ln β_p − ln β_q) + α_p (β_q − β_p)/β_p.
/// ```
impl super::KlDivergence for Gamma {
    fn kl(&self, p: &[f64], q: &[f64]) -> f64 {
        use crate::special::{digamma, ln_gamma};
        let (ap, bp, aq, bq) = (p[0], p[1], q[0], q[1]);
        (ap - aq) * digamma(ap) - ln_gamma(ap)
            + ln_gamma(aq)
            + aq * (bp / bq).ln()
            + ap * (bq - bp) / bp
    }
}

/// The named Gamma charts (chart coordinates ↦ canonical (α, β=rate)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GammaChart {
    /// `rate`: (α, β) ↦ (α, β), the canonical chart.
    Rate,
    /// `scale`: (α, s) ↦ (α, 1/s), s > 0 the scale.
    Scale,
    /// `cbrt-rate`: (α, b) ↦ (α, b³), b > 0.
    CbrtRate,
    /// `sqrt-both`: (a, b) ↦ (a², b²), a, b > 0.
    SqrtBoth,
    /// `mean`: (α, m) ↦ (α, α/m), m > 0 the mean; G is diagonal here.
    Mean,
    /// `natural`: the natural parameters (η₁, η₂) = (α − 1, −β) ↦ (η₁ + 1, −η₂).
    Natural,
    /// `expectation`: the expectation parameters (E ln x, E x) = (ψ(α) − ln β, α/β) ↦ (α, β),
    /// inverted by Newton's method ([`crate::model::natural_from_mean_newton`]).
    Expectation,
}

impl GammaChart {
    /// Every Gamma chart.
    pub const ALL: [GammaChart; 7] = [
        GammaChart::Rate,
        GammaChart::Scale,
        GammaChart::CbrtRate,
        GammaChart::SqrtBoth,
        GammaChart::Mean,
        GammaChart::Natural,
        GammaChart::Expectation,
    ];
    /// The four charts of the paper's Figure 2.
    pub const PAPER: [GammaChart; 4] = [
        GammaChart::Rate,
        GammaChart::Scale,
        GammaChart::CbrtRate,
        GammaChart::SqrtBoth,
    ];
}

impl std::str::FromStr for GammaChart {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_named("gamma chart", s, &Self::ALL, |c| c.name())
    }
}

impl Chart for GammaChart {
    fn dim(&self) -> usize {
        2
    }

    fn name(&self) -> String {
        match self {
            Self::Rate => "rate",
            Self::Scale => "scale",
            Self::CbrtRate => "cbrt-rate",
            Self::SqrtBoth => "sqrt-both",
            Self::Mean => "mean",
            Self::Natural => "natural",
            Self::Expectation => "expectation",
        }
        .into()
    }

    fn formula(&self) -> String {
        match self {
            Self::Rate => "(α, β) ↦ (α, β)",
            Self::Scale => "(α, s) ↦ (α, 1/s)",
            Self::CbrtRate => "(α, b) ↦ (α, b³)",
            Self::SqrtBoth => "(a, b) ↦ (a², b²)",
            Self::Mean => "(α, m) ↦ (α, α/m)",
            Self::Natural => "(η₁, η₂) ↦ (η₁ + 1, −η₂)",
            Self::Expectation => "(E ln x, E x) ↦ (α, β) (Newton)",
        }
        .into()
    }

    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        let (x0, x1) = (xi[0], xi[1]);
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("need {what}"))
            }
        };
        match self {
            Self::Rate => Ok(()),
            Self::Scale => need(x1 > 0.0, "scale s > 0"),
            Self::CbrtRate => need(x1 > 0.0, "b > 0"),
            Self::SqrtBoth => need(x0 > 0.0, "a > 0").and(need(x1 > 0.0, "b > 0")),
            Self::Mean => need(x1 > 0.0, "mean m > 0"),
            Self::Natural => need(x0 > -1.0, "η₁ > −1").and(need(x1 < 0.0, "η₂ < 0")),
            Self::Expectation => expectation_domain(&GammaNatural, xi),
        }
    }

    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        let (x0, x1) = (xi[0], xi[1]);
        match self {
            Self::Rate => vec![x0, x1],
            Self::Scale => vec![x0, x1.recip()],
            Self::CbrtRate => vec![x0, x1.powi(3)],
            Self::SqrtBoth => vec![x0 * x0, x1 * x1],
            Self::Mean => vec![x0, x0 / x1],
            Self::Natural => vec![x0 + 1.0, -x1],
            Self::Expectation => match GammaNatural.natural_from_mean(xi) {
                Some(eta) => vec![eta[0] + 1.0, -eta[1]],
                None => vec![D::from(f64::NAN); 2],
            },
        }
    }

    fn to_chart(&self, theta: &[f64]) -> Vec<f64> {
        let (a, b) = (theta[0], theta[1]);
        match self {
            Self::Rate => vec![a, b],
            Self::Scale => vec![a, 1.0 / b],
            Self::CbrtRate => vec![a, b.cbrt()],
            Self::SqrtBoth => vec![a.sqrt(), b.sqrt()],
            Self::Mean => vec![a, a / b],
            Self::Natural => vec![a - 1.0, -b],
            Self::Expectation => vec![crate::special::digamma(a) - b.ln(), a / b],
        }
    }
}

/// A Gamma sample reduced to its sufficient statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaSample {
    /// Sample size.
    pub n: usize,
    /// (1/n) Σ xᵢ.
    pub mean_x: f64,
    /// (1/n) Σ ln xᵢ.
    pub mean_log_x: f64,
}

impl GammaSample {
    /// Sufficient statistics of positive, finite observations.
    pub fn from_observations(xs: &[f64]) -> Result<Self> {
        if xs.is_empty() {
            return Err(Error::InvalidArgument(
                "a Gamma sample needs at least one observation".into(),
            ));
        }
        if let Some((i, x)) = xs
            .iter()
            .enumerate()
            .find(|(_, x)| !(x.is_finite() && **x > 0.0))
        {
            return Err(Error::InvalidArgument(format!(
                "Gamma observations must be positive and finite; observation {i} is {x}"
            )));
        }
        let n = xs.len() as f64;
        Ok(Self {
            n: xs.len(),
            mean_x: crate::special::accurate_sum(xs.iter().copied()) / n,
            mean_log_x: crate::special::accurate_sum(xs.iter().map(|x| x.ln())) / n,
        })
    }
}

/// The sample's average negative log-likelihood is the loss natflow fits:
/// L(α, β) = ln Γ(α) − α ln β − (α − 1)·mean(ln x) + β·mean(x).
impl Objective for GammaSample {
    fn value_at<D: Real>(&self, theta: &[D]) -> D {
        let (a, b) = (theta[0], theta[1]);
        a.ln_gamma() - a * b.ln() - (a - 1.0) * self.mean_log_x + b * self.mean_x
    }

    /// ∇L(α, β) = (ψ(α) − ln β − mean(ln x), −α/β + mean(x)).
    fn gradient(&self, theta: &[f64]) -> DVector<f64> {
        let (a, b) = (theta[0], theta[1]);
        DVector::from_vec(vec![
            crate::special::digamma(a) - b.ln() - self.mean_log_x,
            -a / b + self.mean_x,
        ])
    }
}
