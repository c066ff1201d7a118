//! Natural-gradient problems: a loss on a statistical manifold, seen in one chart.
//!
//! The methods need, at a point ξ of the chart: the loss L(ξ), its gradient ∇_ξL, the metric
//! G_ξ, the connection Γ_ξ(v,v), the exponential map, and the way back to canonical
//! coordinates. [`NgProblem`] is that interface (dyn-compatible, so a program can choose a
//! family and chart at run time); [`ChartProblem`] provides it for any family ([`Metric`]),
//! chart ([`Chart`]) and loss written on canonical coordinates ([`Objective`]).

use crate::error::Result;
use crate::geometry::geodesic::geodesic_with;
use crate::geometry::{Chart, ExpOptions, Metric, Pullback, Real, solve_metric};
use nalgebra::{DMatrix, DVector};
use num_dual::Dual64;

/// A loss written on a family's canonical coordinates θ, for any scalar type.
pub trait Objective {
    /// L(θ).
    fn value_at<D: Real>(&self, theta: &[D]) -> D;

    /// ∇L(θ). Default: forward-mode AD, one pass per coordinate.
    fn gradient(&self, theta: &[f64]) -> DVector<f64> {
        let n = theta.len();
        let mut x: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
        DVector::from_fn(n, |i, _| {
            x[i].eps = 1.0;
            let d = self.value_at(&x).eps;
            x[i].eps = 0.0;
            d
        })
    }
}

/// What natural-gradient methods need of a problem, at a point ξ of its chart.
pub trait NgProblem {
    /// Dimension n.
    fn dim(&self) -> usize;
    /// Checks that ξ is a valid point.
    fn check(&self, xi: &[f64]) -> Result<()>;
    /// The loss L(ξ).
    fn loss(&self, xi: &[f64]) -> Result<f64>;
    /// ∇_ξ L.
    fn gradient(&self, xi: &[f64]) -> Result<DVector<f64>>;
    /// G_ξ.
    fn metric(&self, xi: &[f64]) -> Result<DMatrix<f64>>;
    /// Γ_ξ(v, v).
    fn christoffel_vv(&self, xi: &[f64], v: &[f64]) -> Result<DVector<f64>>;
    /// Exp_ξ(v): the geodesic of this problem's connection ([`NgProblem::christoffel_vv`])
    /// from ξ with velocity v, at time 1.
    fn exp(&self, xi: &[f64], v: &[f64], opts: ExpOptions) -> Result<DVector<f64>> {
        self.check(xi)?;
        let mut path = geodesic_with(
            xi,
            v,
            &[1.0],
            opts,
            |x, u| self.christoffel_vv(x, u),
            |x| self.check(x),
        )?;
        Ok(path.pop().expect("one output time").0)
    }
    /// θ = φ(ξ).
    fn to_canonical(&self, xi: &[f64]) -> Result<DVector<f64>>;
    /// ξ = φ⁻¹(θ).
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>>;
    /// The chart's name.
    fn chart_name(&self) -> String;

    /// The natural-gradient vector field f(ξ) = −G_ξ⁻¹ ∇_ξ L.
    fn natural_velocity(&self, xi: &[f64]) -> Result<DVector<f64>> {
        let g = self.metric(xi)?;
        let grad = self.gradient(xi)?;
        Ok(-solve_metric(xi, &g, &grad)?)
    }
}

/// A loss on a family, in a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartProblem<M, C, L> {
    /// The family pulled back to the chart.
    pub manifold: Pullback<M, C>,
    /// The loss on canonical coordinates.
    pub objective: L,
}

impl<M: Metric, C: Chart, L: Objective> ChartProblem<M, C, L> {
    /// The loss `objective` on `family` in `chart`.
    pub fn new(family: M, chart: C, objective: L) -> Result<Self> {
        Ok(Self {
            manifold: Pullback::new(family, chart)?,
            objective,
        })
    }
}

impl<M: Metric, C: Chart, L: Objective> NgProblem for ChartProblem<M, C, L> {
    fn dim(&self) -> usize {
        self.manifold.dim()
    }
    fn check(&self, xi: &[f64]) -> Result<()> {
        self.manifold.check(xi)
    }
    fn loss(&self, xi: &[f64]) -> Result<f64> {
        let theta = self.manifold.to_canonical(xi)?;
        Ok(self.objective.value_at(theta.as_slice()))
    }
    /// ∇_ξ L = Jᵀ ∇_θ L.
    fn gradient(&self, xi: &[f64]) -> Result<DVector<f64>> {
        self.check(xi)?;
        let (theta, j) = crate::geometry::chart::jacobian(&self.manifold.chart, xi);
        Ok(j.transpose() * self.objective.gradient(&theta))
    }
    fn metric(&self, xi: &[f64]) -> Result<DMatrix<f64>> {
        self.manifold.metric(xi)
    }
    fn christoffel_vv(&self, xi: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        self.manifold.christoffel_vv(xi, v)
    }
    fn to_canonical(&self, xi: &[f64]) -> Result<DVector<f64>> {
        self.manifold.to_canonical(xi)
    }
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>> {
        self.manifold.to_chart(theta)
    }
    fn chart_name(&self) -> String {
        self.manifold.chart.name()
    }
}
