//! Exponential families from the log-partition.
//!
//! A family p(x | η) = h(x) exp(η·T(x) − A(η)) is given by its log-partition A, written once
//! for any scalar type ([`ExponentialFamily`]). In its natural coordinates η everything follows
//! by automatic differentiation of A (Amari & Nagaoka 2000, §2.3 and §3.1):
//!
//! ```text
//! G(η) = ∇²A(η),   T_ijk(η) = ∂ᵢ∂ⱼ∂ₖA(η),   μ = ∇A(η) (the expectation parameters),
//! Γ^(α)_{ij,k} = (1−α)/2 · T_ijk          (first kind, natural coordinates),
//! ```
//!
//! so η is an affine coordinate system of the e-connection (α = 1) and μ one of the
//! m-connection (α = −1), and the Levi-Civita connection is Γ^(0)(v,v) = ½ G⁻¹T(v,v,·).
//! [`NaturalCoordinates`] is the family as a [`Metric`] in η with that connection and
//! skewness tensor; every other chart is a [`crate::geometry::Pullback`] of it. A family may
//! override the automatic G, T(v,v,·), μ(η) and η(μ) with closed forms — the conformance suite
//! ([`crate::testing::check_family`]) checks each against the automatic path.
//!
//! With observations ([`Observations`]: T(x), ln h(x), the support and a sampler) the family is
//! also a [`LogDensity`], and a sample reduces to the mean of T ([`ExpFamilySample`]), whose
//! average negative log-likelihood A(η) − η·T̄ − mean ln h is what `natflow fit` minimises.

use super::{LogDensity, Objective};
use crate::error::{Error, Result, check_vector};
use crate::geometry::{Christoffel, Metric, Real, check_alpha};
use crate::linalg::{solve_generic, solve_spd};
use nalgebra::{DMatrix, DVector};
use num_dual::{Dual, Dual2, Dual64, HyperDual};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// An exponential family p(x | η) = h(x) exp(η·T(x) − A(η)) given by its log-partition A,
/// written once for any scalar type, in natural coordinates η.
///
/// Required: the dimension, a name, the natural parameter space and A. The rest has automatic
/// defaults that a family may replace with closed forms.
pub trait ExponentialFamily {
    /// The dimension n of η.
    fn dim(&self) -> usize;
    /// A short name for messages.
    fn name(&self) -> String;
    /// Whether η lies in the natural parameter space; `Err` names the condition.
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String>;
    /// A(η).
    fn log_partition<D: Real>(&self, eta: &[D]) -> D;

    /// The Fisher metric G(η) = ∇²A(η). Default: one hyper-dual pass of A per pair i ≤ j.
    fn fisher_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        log_partition_hessian(self, eta)
    }

    /// The skewness tensor contracted twice, T(v,v,·)ₖ = ∂ₖ∂²ᵥA(η). Default: one nested
    /// second-order-over-first-order dual pass of A per k.
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> DVector<f64> {
        log_partition_third(self, eta, v)
    }

    /// The expectation parameters μ = ∇A(η) = E[T(x)]. Default: one dual pass per coordinate.
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        let mut x: Vec<Dual<D>> = eta.iter().map(|&e| Dual::from_re(e)).collect();
        (0..eta.len())
            .map(|i| {
                x[i].eps = D::one();
                let d = self.log_partition(&x).eps;
                x[i].eps = D::zero();
                d
            })
            .collect()
    }

    /// η = (∇A)⁻¹(μ), or `None` when μ is not the mean of any member of the family. Default:
    /// [`natural_from_mean_newton`] from [`ExponentialFamily::newton_start`]; families with a
    /// closed form override it.
    fn natural_from_mean<D: Real>(&self, mu: &[D]) -> Option<Vec<D>> {
        let re: Vec<f64> = mu.iter().map(|m| m.re()).collect();
        let start = self.newton_start(&re)?;
        natural_from_mean_newton(self, mu, &start)
    }

    /// Where the Newton solve of μ ↦ η starts (a point of the natural parameter space).
    /// Default: none, so a family without a closed-form η(μ) must give one to have an
    /// expectation chart.
    fn newton_start(&self, mu: &[f64]) -> Option<Vec<f64>> {
        let _ = mu;
        None
    }
}

/// ∇²A(η) by hyper-dual AD, for any scalar type.
pub fn log_partition_hessian<E: ExponentialFamily + ?Sized, D: Real>(
    fam: &E,
    eta: &[D],
) -> DMatrix<D> {
    let n = eta.len();
    let mut g = DMatrix::from_element(n, n, D::zero());
    let mut xh: Vec<HyperDual<D>> = eta.iter().map(|&e| HyperDual::from_re(e)).collect();
    for i in 0..n {
        for j in i..n {
            xh[i].eps1 = D::one();
            xh[j].eps2 = D::one();
            let a = fam.log_partition(&xh).eps1eps2;
            xh[i].eps1 = D::zero();
            xh[j].eps2 = D::zero();
            g[(i, j)] = a;
            g[(j, i)] = a;
        }
    }
    g
}

/// ∇(∂²ᵥA)(η) by nested dual AD.
pub fn log_partition_third<E: ExponentialFamily + ?Sized>(
    fam: &E,
    eta: &[f64],
    v: &[f64],
) -> DVector<f64> {
    let n = eta.len();
    let mut x: Vec<Dual2<Dual64>> = eta
        .iter()
        .zip(v)
        .map(|(&e, &vi)| Dual2::new(Dual::from_re(e), Dual::from_re(vi), Dual::from_re(0.0)))
        .collect();
    DVector::from_fn(n, |k, _| {
        x[k].re.eps = 1.0;
        let t = fam.log_partition(&x).v2.eps;
        x[k].re.eps = 0.0;
        t
    })
}

/// η = (∇A)⁻¹(μ) by Newton's method on the strictly convex F(η) = A(η) − μ·η, whose unique
/// minimiser is the answer when μ lies in the interior of the expectation space.
///
/// First in f64 from `start`: damped Newton (steps halved until they stay in the domain and
/// lower F, or ‖∇F‖ where F is flat to rounding), until ∇A(η) − μ is at rounding level (1e-14
/// relative) or the step below 1e-15 relative. Then three undamped Newton steps in the scalar type
/// D: with μ carrying derivatives, each step doubles the order to which the derivative parts
/// are exact (1 → 2 → 4 → 8), so the result is η(μ) with exact derivatives up to third order
/// (the implicit function theorem, without writing it down). `None` if the f64 solve fails
/// (μ outside the expectation space, or no convergence in 200 iterations).
pub fn natural_from_mean_newton<E: ExponentialFamily + ?Sized, D: Real>(
    fam: &E,
    mu: &[D],
    start: &[f64],
) -> Option<Vec<D>> {
    let n = fam.dim();
    if mu.len() != n || start.len() != n || fam.domain(start).is_err() {
        return None;
    }
    let mu_re: Vec<f64> = mu.iter().map(|m| m.re()).collect();
    let objective = |eta: &[f64]| {
        fam.log_partition(eta) - eta.iter().zip(&mu_re).map(|(e, m)| e * m).sum::<f64>()
    };
    let gradient = |eta: &[f64]| -> Vec<f64> {
        fam.mean(eta)
            .iter()
            .zip(&mu_re)
            .map(|(m, t)| m - t)
            .collect()
    };
    let size = |g: &[f64]| g.iter().map(|x| x * x).sum::<f64>().sqrt();
    let mut eta = start.to_vec();
    let mut f = objective(&eta);
    let mut grad = gradient(&eta);
    let mut converged = false;
    for _ in 0..200 {
        // ∇A(η) − μ at rounding level (a few ulps of μ): converged; Newton steps from here
        // only wander within the rounding of ∇A.
        if grad
            .iter()
            .zip(&mu_re)
            .all(|(g, m)| g.abs() <= 1e-14 * (1.0 + m.abs()))
        {
            converged = true;
            break;
        }
        let h: Vec<Vec<f64>> = fam
            .fisher_at(&eta)
            .row_iter()
            .map(|r| r.iter().copied().collect())
            .collect();
        let step = solve_generic(h, grad.clone());
        if step.iter().any(|s| !s.is_finite()) {
            return None;
        }
        let scale = 1.0 + eta.iter().map(|e| e.abs()).fold(0.0, f64::max);
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) <= 1e-15 * scale {
            converged = true;
            break;
        }
        // Backtrack until the trial stays in the domain and lowers F — or, near the optimum
        // where F is flat to rounding, lowers ‖∇F‖.
        let mut t = 1.0;
        let accepted = loop {
            let trial: Vec<f64> = eta.iter().zip(&step).map(|(e, s)| e - t * s).collect();
            if trial.iter().all(|x| x.is_finite()) && fam.domain(&trial).is_ok() {
                let ft = objective(&trial);
                let gt = gradient(&trial);
                if ft.is_finite() && (ft < f || size(&gt) < size(&grad)) {
                    break Some((trial, ft, gt));
                }
            }
            t *= 0.5;
            if t < 1e-12 {
                break None;
            }
        };
        match accepted {
            Some((trial, ft, gt)) if trial != eta => {
                eta = trial;
                f = ft;
                grad = gt;
            }
            _ => break,
        }
    }
    // A solve that stalled with the gradient near rounding still counts.
    converged = converged
        || grad
            .iter()
            .zip(&mu_re)
            .all(|(g, m)| g.abs() <= 1e-10 * (1.0 + m.abs()));
    if !converged {
        return None;
    }
    let mut x: Vec<D> = eta.iter().map(|&e| D::from(e)).collect();
    for _ in 0..3 {
        let grad: Vec<D> = fam.mean(&x).iter().zip(mu).map(|(&m, &t)| m - t).collect();
        let g = fam.fisher_at(&x);
        let rows: Vec<Vec<D>> = (0..n)
            .map(|i| (0..n).map(|j| g[(i, j)]).collect())
            .collect();
        let step = solve_generic(rows, grad);
        for (xi, s) in x.iter_mut().zip(step) {
            *xi -= s;
        }
    }
    Some(x)
}

/// Whether μ is the mean of a member of `fam`: η(μ) exists and lies in the natural parameter
/// space. The domain check of every expectation chart.
pub fn expectation_domain<E: ExponentialFamily + ?Sized>(
    fam: &E,
    mu: &[f64],
) -> std::result::Result<(), String> {
    match fam.natural_from_mean(mu) {
        Some(eta) if eta.iter().all(|e| e.is_finite()) => fam
            .domain(&eta)
            .map_err(|r| format!("it maps to η = {eta:?}, where {r}")),
        _ => Err(format!(
            "it is not the mean E[T(x)] of any member of the {} family (not inside the \
             expectation space)",
            fam.name()
        )),
    }
}

/// An exponential family in its natural coordinates η, as a [`Metric`]: G(η) = ∇²A(η), the
/// skewness tensor T = ∇³A, and the Levi-Civita connection in closed form from them,
/// Γ^(0)(v,v) = ½G⁻¹T(v,v,·) (the generic path differentiates G instead; the tests compare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NaturalCoordinates<E>(pub E);

impl<E: ExponentialFamily> Metric for NaturalCoordinates<E> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn name(&self) -> String {
        format!("{} (natural coordinates)", self.0.name())
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        self.0.domain(eta)
    }
    /// ∇²A(η).
    fn metric_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        self.0.fisher_at(eta)
    }
    /// Γ^(0)(v,v) = ½ G⁻¹ T(v,v,·): in natural coordinates Γ^(0)_{ij,k} = ½∂ᵢ∂ⱼ∂ₖA.
    fn christoffel_vv(&self, eta: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        let t = Metric::skewness_vv(self, eta, v)?;
        let g = self.metric(eta)?;
        Ok(solve_spd(eta, &g, &t)? * 0.5)
    }
    /// The table Γ^(0)ᵏᵢⱼ = ½(G⁻¹T(eᵢ,eⱼ,·))ᵏ: the α = −1 table of
    /// [`crate::geometry::alpha_christoffel`] built on the flat (e-) connection.
    fn christoffel(&self, eta: &[f64]) -> Result<Christoffel> {
        crate::geometry::alpha_christoffel(&EFlat(self), eta, -1.0)
    }
    /// T(v,v,·) = ∇(∂²ᵥA)(η).
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        self.check(eta)?;
        check_vector("velocity", v, self.dim())?;
        Ok(self.0.skewness_vv(eta, v))
    }
}

/// The natural coordinates with the e-connection (α = 1) as their base connection, whose
/// symbols vanish there: [`crate::geometry::alpha_christoffel`] at α = −1 on it adds ½G⁻¹T and
/// so gives the Levi-Civita table Γ^(0) = Γ^(1) + ½G⁻¹T.
struct EFlat<'a, E>(&'a NaturalCoordinates<E>);

impl<E: ExponentialFamily> Metric for EFlat<'_, E> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn name(&self) -> String {
        self.0.name()
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        self.0.0.domain(eta)
    }
    fn metric_at<D: Real>(&self, eta: &[D]) -> DMatrix<D> {
        self.0.0.fisher_at(eta)
    }
    fn christoffel(&self, eta: &[f64]) -> Result<Christoffel> {
        self.check(eta)?;
        Ok(Christoffel::zeros(self.dim()))
    }
    fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        Metric::skewness_vv(self.0, eta, v)
    }
}

impl<E: ExponentialFamily> NaturalCoordinates<E> {
    /// T(v,v,·)ₖ = ∂ₖ∂²ᵥA(η), after checking η and v.
    pub fn skewness_vv(&self, eta: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        Metric::skewness_vv(self, eta, v)
    }

    /// The first-kind α-connection c_α(v) = (1−α)/2 · T(v,v,·) in natural coordinates
    /// (Amari & Nagaoka 2000, Thm 2.4: Γ^(1) = 0 — the family is e-flat in η).
    pub fn alpha_connection(&self, eta: &[f64], v: &[f64], alpha: f64) -> Result<DVector<f64>> {
        check_alpha(alpha)?;
        Ok(self.skewness_vv(eta, v)? * (0.5 * (1.0 - alpha)))
    }

    /// Γ^(α)(v,v) = G⁻¹c_α(v) in natural coordinates.
    pub fn alpha_christoffel_vv(&self, eta: &[f64], v: &[f64], alpha: f64) -> Result<DVector<f64>> {
        let c = self.alpha_connection(eta, v, alpha)?;
        solve_spd(eta, &self.metric(eta)?, &c)
    }
}

/// An exponential family's observations: what fitting it to data and checking it by sampling
/// need. x is a slice of `observation_dim` numbers (a class index is one number).
pub trait Observations: ExponentialFamily {
    /// How many numbers one observation has.
    fn observation_dim(&self) -> usize;
    /// Whether x lies in the support; `Err` names the condition (e.g. `need 0 < x < 1`).
    fn support(&self, x: &[f64]) -> std::result::Result<(), String>;
    /// The sufficient statistic T(x) (n numbers).
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64>;
    /// ln h(x), the base measure.
    fn log_base_measure(&self, x: &[f64]) -> f64;
    /// One draw from p(· | η).
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64>;
    /// The support with its probabilities, for a family with a finite support (exact
    /// expectations). Default: `None` (expectations by Monte Carlo).
    fn finite_support(&self, eta: &[f64]) -> Option<Vec<(f64, Vec<f64>)>> {
        let _ = eta;
        None
    }
}

/// The number of draws of the Monte Carlo expectation rule of a family without a finite
/// support, and its seed (fixed, so every check is reproducible).
pub const MONTE_CARLO_DRAWS: usize = 200_000;
const MONTE_CARLO_SEED: u64 = 0x006e_6174_666c_6f77;

/// ℓ(η; x) = η·T(x) − A(η) + ln h(x); expectations exact on a finite support, otherwise a
/// seeded Monte Carlo sample of [`MONTE_CARLO_DRAWS`] draws with weights 1/N.
impl<E: Observations> LogDensity for NaturalCoordinates<E> {
    type Outcome = Vec<f64>;
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn name(&self) -> String {
        Metric::name(self)
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        self.0.domain(eta)
    }
    fn log_density<D: Real>(&self, eta: &[D], x: &Vec<f64>) -> D {
        let t = self.0.sufficient_statistic(x);
        let dot = eta
            .iter()
            .zip(&t)
            .fold(D::zero(), |acc, (&e, &ti)| acc + e * ti);
        dot - self.0.log_partition(eta) + self.0.log_base_measure(x)
    }
    fn expectation_rule(&self, eta: &[f64]) -> Result<Vec<(f64, Vec<f64>)>> {
        LogDensity::check(self, eta)?;
        if let Some(rule) = self.0.finite_support(eta) {
            return Ok(rule);
        }
        let mut rng = StdRng::seed_from_u64(MONTE_CARLO_SEED);
        let w = 1.0 / MONTE_CARLO_DRAWS as f64;
        Ok((0..MONTE_CARLO_DRAWS)
            .map(|_| (w, self.0.sample(eta, &mut rng)))
            .collect())
    }
}

/// A sample from an exponential family reduced to its sufficient statistics: the mean of T(x)
/// and of ln h(x). As an [`Objective`] on η it is the average negative log-likelihood
///
/// ```text
/// L(η) = A(η) − η·T̄ − mean ln h(x),    ∇L(η) = ∇A(η) − T̄,
/// ```
///
/// minimised where the expectation parameters equal the sample mean of T (when T̄ lies inside
/// the expectation space).
#[derive(Debug, Clone, PartialEq)]
pub struct ExpFamilySample<E> {
    /// The family.
    pub family: E,
    /// Sample size.
    pub n: usize,
    /// T̄ = (1/n) Σ T(xᵢ).
    pub mean_t: Vec<f64>,
    /// (1/n) Σ ln h(xᵢ).
    pub mean_log_h: f64,
}

impl<E: Observations> ExpFamilySample<E> {
    /// Sufficient statistics of observations, each checked for length, finiteness and support
    /// (the error names the observation, counting from 1).
    pub fn from_observations(family: E, xs: &[Vec<f64>]) -> Result<Self> {
        if xs.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "a {} sample needs at least one observation",
                family.name()
            )));
        }
        let n = family.dim();
        let mut sums = vec![Vec::with_capacity(xs.len()); n];
        let mut log_h = Vec::with_capacity(xs.len());
        for (i, x) in xs.iter().enumerate() {
            let i = i + 1;
            check_vector(&format!("observation {i}"), x, family.observation_dim())?;
            family.support(x).map_err(|reason| {
                Error::InvalidArgument(format!(
                    "observation {i} ({}) is outside the support of the {} family: {reason}",
                    x.iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    family.name()
                ))
            })?;
            for (s, t) in sums.iter_mut().zip(family.sufficient_statistic(x)) {
                s.push(t);
            }
            log_h.push(family.log_base_measure(x));
        }
        let count = xs.len() as f64;
        let mean = |v: &[f64]| crate::special::accurate_sum(v.iter().copied()) / count;
        Ok(Self {
            n: xs.len(),
            mean_t: sums.iter().map(|s| mean(s)).collect(),
            mean_log_h: mean(&log_h),
            family,
        })
    }
}

impl<E: ExponentialFamily> Objective for ExpFamilySample<E> {
    fn value_at<D: Real>(&self, eta: &[D]) -> D {
        let dot = eta
            .iter()
            .zip(&self.mean_t)
            .fold(D::zero(), |acc, (&e, &t)| acc + e * t);
        self.family.log_partition(eta) - dot - self.mean_log_h
    }
    /// ∇A(η) − T̄.
    fn gradient(&self, eta: &[f64]) -> DVector<f64> {
        let mu = self.family.mean(eta);
        DVector::from_iterator(eta.len(), mu.iter().zip(&self.mean_t).map(|(m, t)| m - t))
    }
}
