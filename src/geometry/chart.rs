//! Charts and pullbacks.
//!
//! A chart is a diffeomorphism φ: ξ ↦ θ from chart coordinates ξ to a family's canonical
//! coordinates θ, written once for any scalar type so natflow can differentiate it. Given a
//! metric G_θ in canonical coordinates, [`Pullback`] is the same metric written in ξ:
//!
//! ```text
//! G_ξ = Jᵀ G_θ(φ(ξ)) J,    ∇_ξL = Jᵀ ∇_θL,    Γ_ξ(u,w) = J⁻¹ [Γ_θ(Ju, Jw) + D²φ(u,w)],
//! ```
//!
//! with J = Dφ(ξ). The last line is the transformation law of the Levi-Civita connection; it
//! follows from differentiating θ(t) = φ(ξ(t)) twice in the geodesic equation, and it lets a
//! closed-form Γ_θ serve every chart. `tests/christoffel.rs` checks it against differentiating
//! G_ξ directly.

use super::{Christoffel, Metric, Real};
use crate::error::{Error, Result, check_vector};
use nalgebra::{DMatrix, DVector, Dyn, LU};
use num_dual::{Dual, Dual2, HyperDual};

/// A coordinate chart ξ ↦ θ onto a family's canonical coordinates.
///
/// A user-defined chart is one small type: the map, its inverse and its domain.
///
/// ```
/// use natflow::geometry::{Chart, Real};
/// /// (α, log β) ↦ (α, β).
/// struct LogRate;
/// impl Chart for LogRate {
///     fn dim(&self) -> usize { 2 }
///     fn name(&self) -> String { "log-rate".into() }
///     fn formula(&self) -> String { "(α, ℓ) ↦ (α, eˡ)".into() }
///     fn domain(&self, xi: &[f64]) -> Result<(), String> {
///         if xi[0] > 0.0 { Ok(()) } else { Err("need α > 0".into()) }
///     }
///     fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> { vec![xi[0], xi[1].exp()] }
///     fn to_chart(&self, theta: &[f64]) -> Vec<f64> { vec![theta[0], theta[1].ln()] }
/// }
/// ```
pub trait Chart {
    /// The dimension n (the same as the family's).
    fn dim(&self) -> usize;
    /// The chart's name as used on the command line and in JSON, e.g. `scale`.
    fn name(&self) -> String;
    /// The map in symbols, for titles, e.g. `(α, s) ↦ (α, 1/s)`.
    fn formula(&self) -> String;
    /// Whether ξ (n finite coordinates) lies in the chart's domain; `Err` names the condition.
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String>;
    /// φ(ξ) = θ, for any scalar type.
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D>;
    /// φ⁻¹(θ) = ξ, for θ in the family's domain.
    fn to_chart(&self, theta: &[f64]) -> Vec<f64>;
}

/// The identity chart of a family of dimension n (its canonical coordinates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canonical(pub usize);

impl Chart for Canonical {
    fn dim(&self) -> usize {
        self.0
    }
    fn name(&self) -> String {
        "canonical".into()
    }
    fn formula(&self) -> String {
        "θ ↦ θ".into()
    }
    fn domain(&self, _xi: &[f64]) -> std::result::Result<(), String> {
        Ok(())
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        xi.to_vec()
    }
    fn to_chart(&self, theta: &[f64]) -> Vec<f64> {
        theta.to_vec()
    }
}

/// φ(ξ) and its Jacobian J = Dφ(ξ), by n forward-mode passes, for any scalar type.
pub fn jacobian<C: Chart + ?Sized, D: Real>(chart: &C, xi: &[D]) -> (Vec<D>, DMatrix<D>) {
    let n = xi.len();
    let mut xd: Vec<Dual<D>> = xi.iter().map(|&t| Dual::from_re(t)).collect();
    let mut theta = Vec::new();
    let mut j = DMatrix::from_element(n, n, D::zero());
    for i in 0..n {
        xd[i].eps = D::one();
        let out = chart.to_canonical(&xd);
        xd[i].eps = D::zero();
        for (r, o) in out.iter().enumerate() {
            j[(r, i)] = o.eps;
        }
        if i == 0 {
            theta = out.iter().map(|o| o.re).collect();
        }
    }
    (theta, j)
}

/// A metric pulled back through a chart: the family `base` written in the chart's coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pullback<M, C> {
    /// The metric in canonical coordinates.
    pub base: M,
    /// The chart ξ ↦ θ.
    pub chart: C,
}

impl<M: Metric, C: Chart> Pullback<M, C> {
    /// The family `base` in the chart `chart`.
    pub fn new(base: M, chart: C) -> Result<Self> {
        if base.dim() != chart.dim() {
            return Err(Error::InvalidArgument(format!(
                "chart '{}' has dimension {} but {} has dimension {}",
                chart.name(),
                chart.dim(),
                base.name(),
                base.dim()
            )));
        }
        Ok(Self { base, chart })
    }

    /// θ = φ(ξ), after checking ξ.
    pub fn to_canonical(&self, xi: &[f64]) -> Result<DVector<f64>> {
        self.check(xi)?;
        Ok(DVector::from_vec(self.chart.to_canonical(xi)))
    }

    /// ξ = φ⁻¹(θ), after checking θ against the family's domain and ξ against the chart's.
    pub fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>> {
        self.base.check(theta)?;
        let xi = self.chart.to_chart(theta);
        self.check(&xi)?;
        Ok(DVector::from_vec(xi))
    }

    /// J = Dφ(ξ).
    pub fn jacobian(&self, xi: &[f64]) -> Result<DMatrix<f64>> {
        self.check(xi)?;
        Ok(jacobian(&self.chart, xi).1)
    }

    /// Pushes a chart tangent vector u at ξ to canonical coordinates: J u.
    pub fn push_vector(&self, xi: &[f64], u: &[f64]) -> Result<DVector<f64>> {
        check_vector("tangent vector", u, self.dim())?;
        Ok(self.jacobian(xi)? * DVector::from_column_slice(u))
    }

    /// Pulls a canonical tangent vector w at φ(ξ) back to the chart: J⁻¹ w.
    pub fn pull_vector(&self, xi: &[f64], w: &[f64]) -> Result<DVector<f64>> {
        check_vector("tangent vector", w, self.dim())?;
        let j = self.jacobian(xi)?;
        solve_jacobian(&self.chart, xi, &j.lu(), DVector::from_column_slice(w))
    }

    /// Pulls a canonical gradient (covector) back to the chart: ∇_ξ L = Jᵀ ∇_θ L.
    pub fn pull_gradient(&self, xi: &[f64], grad_theta: &[f64]) -> Result<DVector<f64>> {
        check_vector("gradient", grad_theta, self.dim())?;
        Ok(self.jacobian(xi)?.transpose() * DVector::from_column_slice(grad_theta))
    }
}

/// J⁻¹ b from an LU factorisation of J (factor once, solve for many right-hand sides).
fn solve_jacobian<C: Chart>(
    chart: &C,
    xi: &[f64],
    lu: &LU<f64, Dyn, Dyn>,
    b: DVector<f64>,
) -> Result<DVector<f64>> {
    lu.solve(&b).ok_or_else(|| Error::OutOfDomain {
        space: format!("chart '{}'", chart.name()),
        point: xi.to_vec(),
        reason: "the chart's Jacobian is singular here (not a diffeomorphism)".into(),
    })
}

impl<M: Metric, C: Chart> Metric for Pullback<M, C> {
    fn dim(&self) -> usize {
        self.base.dim()
    }

    fn name(&self) -> String {
        format!("{} in chart '{}'", self.base.name(), self.chart.name())
    }

    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        self.chart.domain(xi)?;
        let theta = self.chart.to_canonical(xi);
        if let Some(bad) = theta.iter().find(|t| !t.is_finite()) {
            return Err(format!(
                "the chart maps it to a non-finite coordinate ({bad})"
            ));
        }
        self.base
            .domain(&theta)
            .map_err(|r| format!("it maps to {theta:?}, where {r}"))
    }

    /// G_ξ = Jᵀ G_θ(φ(ξ)) J.
    fn metric_at<D: Real>(&self, xi: &[D]) -> DMatrix<D> {
        let (theta, j) = jacobian(&self.chart, xi);
        let g = self.base.metric_at(&theta);
        j.transpose() * g * j
    }

    /// Γ_ξ(u,u) = J⁻¹[Γ_θ(Ju, Ju) + D²φ(u,u)], with Ju and D²φ(u,u) from one second-order
    /// dual pass and Γ_θ from the base (closed form if it has one).
    fn christoffel_vv(&self, xi: &[f64], u: &[f64]) -> Result<DVector<f64>> {
        self.check(xi)?;
        check_vector("velocity", u, self.dim())?;
        let xd: Vec<Dual2<f64>> = xi
            .iter()
            .zip(u)
            .map(|(&x, &ui)| Dual2::new(x, ui, 0.0))
            .collect();
        let out = self.chart.to_canonical(&xd);
        let theta: Vec<f64> = out.iter().map(|o| o.re).collect();
        let ju: Vec<f64> = out.iter().map(|o| o.v1).collect();
        let d2 = DVector::from_iterator(out.len(), out.iter().map(|o| o.v2));
        let gamma_theta = self.base.christoffel_vv(&theta, &ju)?;
        let (_, j) = jacobian(&self.chart, xi);
        solve_jacobian(&self.chart, xi, &j.lu(), gamma_theta + d2)
    }

    /// T_ξ(u,u,·) = Jᵀ T_θ(Ju, Ju, ·): the skewness tensor is a tensor, so it pulls back like
    /// one (no second-derivative term, unlike Γ).
    fn skewness_vv(&self, xi: &[f64], u: &[f64]) -> Result<DVector<f64>> {
        self.check(xi)?;
        check_vector("velocity", u, self.dim())?;
        let (theta, j) = jacobian(&self.chart, xi);
        let ju = &j * DVector::from_column_slice(u);
        let t = self.base.skewness_vv(&theta, ju.as_slice())?;
        Ok(j.transpose() * t)
    }

    /// Γ_ξ^k_ij = (J⁻¹[Γ_θ(Jeᵢ, Jeⱼ) + ∂ᵢ∂ⱼφ])ᵏ, with ∂ᵢ∂ⱼφ from hyper-dual passes.
    fn christoffel(&self, xi: &[f64]) -> Result<Christoffel> {
        self.check(xi)?;
        let n = self.dim();
        let (theta, j) = jacobian(&self.chart, xi);
        let gamma_theta = self.base.christoffel(&theta)?;
        let lu = j.clone().lu();
        let mut out = Christoffel::zeros(n);
        let mut xh: Vec<HyperDual<f64>> = xi.iter().map(|&x| HyperDual::from_re(x)).collect();
        for a in 0..n {
            for b in a..n {
                xh[a].eps1 = 1.0;
                xh[b].eps2 = 1.0;
                let phi = self.chart.to_canonical(&xh);
                xh[a].eps1 = 0.0;
                xh[b].eps2 = 0.0;
                let d2 = DVector::from_iterator(n, phi.iter().map(|p| p.eps1eps2));
                let ja: Vec<f64> = j.column(a).iter().copied().collect();
                let jb: Vec<f64> = j.column(b).iter().copied().collect();
                let rhs = gamma_theta.contract(&ja, &jb)? + d2;
                let sol = solve_jacobian(&self.chart, xi, &lu, rhs)?;
                for k in 0..n {
                    out.set_sym(k, a, b, sol[k]);
                }
            }
        }
        Ok(out)
    }
}
