//! [`ChartProblem`]: a loss on a family, in a chart, answered densely.

use super::{Connection, Domain, ExpMap, Loss, NaturalVelocity, Reparameterisation, check_out};
use crate::error::{Result, check_vector};
use crate::geometry::chart::jacobian;
use crate::geometry::{AlphaConnection, Chart, Metric, Pullback};
use crate::linalg::solve_spd;
use crate::model::Objective;
use nalgebra::{DMatrix, DVector};

/// A loss on a family, in a chart: the family `M` (a [`Metric`] in canonical coordinates θ)
/// pulled back through the chart `C` (ξ ↦ θ), and a loss `L` written on θ.
///
/// Everything is dense, for small families: ∇_ξL = Jᵀ∇_θL, G_ξ = JᵀG_θJ, the natural velocity
/// f = −G_ξ⁻¹∇_ξL by Cholesky ([`solve_spd`], refusing an ill-conditioned G), Γ_ξ(v,v) by the
/// transformation law ([`Pullback`]), Exp by the geodesic ODE.
///
/// The connection is the family's α-connection ([`crate::geometry::alpha`]; α = 0, the
/// Levi-Civita connection, unless [`ChartProblem::with_alpha`] says otherwise): `geo`, `geo-f`,
/// `riemannian-euler` and the geodesics all use it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartProblem<M, C, L> {
    /// The family pulled back to the chart.
    pub manifold: Pullback<M, C>,
    /// The loss on canonical coordinates.
    pub objective: L,
    /// α of the connection.
    pub alpha: f64,
}

impl<M: Metric, C: Chart, L: Objective> ChartProblem<M, C, L> {
    /// The loss `objective` on `family` in `chart`.
    pub fn new(family: M, chart: C, objective: L) -> Result<Self> {
        Ok(Self {
            manifold: Pullback::new(family, chart)?,
            objective,
            alpha: 0.0,
        })
    }

    /// The same problem with the α-connection (errors on a non-finite α; α ≠ 0 needs a family
    /// with a skewness tensor, which the first Γ evaluation reports otherwise).
    pub fn with_alpha(mut self, alpha: f64) -> Result<Self> {
        crate::geometry::check_alpha(alpha)?;
        self.alpha = alpha;
        Ok(self)
    }

    /// G_ξ and ∇_ξL from one Jacobian.
    fn metric_and_gradient(&self, xi: &[f64]) -> Result<(DMatrix<f64>, DVector<f64>)> {
        self.check(xi)?;
        let (theta, j) = jacobian(&self.manifold.chart, xi);
        let g = j.transpose() * self.manifold.base.metric_at(&theta) * &j;
        let grad = j.transpose() * self.objective.gradient(&theta);
        Ok((g, grad))
    }
}

impl<M: Metric, C: Chart, L> Domain for ChartProblem<M, C, L> {
    fn dim(&self) -> usize {
        self.manifold.dim()
    }
    fn check(&self, xi: &[f64]) -> Result<()> {
        self.manifold.check(xi)
    }
}

impl<M: Metric, C: Chart, L: Objective> Loss for ChartProblem<M, C, L> {
    fn loss(&self, xi: &[f64]) -> Result<f64> {
        let theta = self.manifold.to_canonical(xi)?;
        Ok(self.objective.value_at(theta.as_slice()))
    }
    /// ∇_ξL = Jᵀ∇_θL.
    fn gradient_into(&self, xi: &[f64], out: &mut [f64]) -> Result<()> {
        self.check(xi)?;
        check_out("gradient", out, self.dim())?;
        let (theta, j) = jacobian(&self.manifold.chart, xi);
        out.copy_from_slice((j.transpose() * self.objective.gradient(&theta)).as_slice());
        Ok(())
    }
}

impl<M: Metric, C: Chart, L: Objective> NaturalVelocity for ChartProblem<M, C, L> {
    /// f = −G_ξ⁻¹∇_ξL by Cholesky.
    fn natural_velocity_into(&self, xi: &[f64], out: &mut [f64]) -> Result<()> {
        check_out("natural velocity", out, self.dim())?;
        let (g, grad) = self.metric_and_gradient(xi)?;
        let y = solve_spd(xi, &g, &grad)?;
        out.iter_mut().zip(y.iter()).for_each(|(o, y)| *o = -y);
        Ok(())
    }
}

/// The family's α-connection in the chart, as [`AlphaConnection`] computes it (∂Γ by AD for
/// α = 0, a central difference otherwise).
impl<M: Metric, C: Chart, L> Connection for ChartProblem<M, C, L> {
    fn christoffel_vv_into(&self, xi: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        check_vector("velocity", v, self.dim())?;
        AlphaConnection::new(&self.manifold, self.alpha)?.christoffel_vv_into(xi, v, out)
    }
    fn christoffel_vv_derivative_into(
        &self,
        xi: &[f64],
        v: &[f64],
        d: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        AlphaConnection::new(&self.manifold, self.alpha)?
            .christoffel_vv_derivative_into(xi, v, d, out)
    }
}

impl<M: Metric, C: Chart, L> ExpMap for ChartProblem<M, C, L> {}

impl<M: Metric, C: Chart, L> Reparameterisation for ChartProblem<M, C, L> {
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
