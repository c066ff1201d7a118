//! [`MatrixFreeProblem`]: natural directions and Γ(v,v) by conjugate gradient on metric-vector
//! products, for problems whose metric is never formed.

use super::{Connection, Domain, Loss, NaturalVelocity, check_out};
use crate::error::{Error, Result, check_vector};
use crate::linalg::{CgOptions, CgWorkspace, conjugate_gradient};
use std::cell::RefCell;

/// The product v ↦ G(x) v of a metric that is never formed (for a network: a forward pass
/// carrying a directional derivative, then backpropagation through the output family's Hessian).
pub trait MetricProduct: Domain {
    /// G(x) v, written into `out`.
    fn metric_vector_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()>;
}

/// A connection of the first kind, c(v) = G(x) Γ(v,v) — what a model computes without a solve
/// (for a statistical model, E[(∂²ᵥℓ + (1−α)/2 (∂ᵥℓ)²)∇ℓ]).
pub trait FirstKindConnection: Domain {
    /// c(v) at x, written into `out`.
    fn connection_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()>;
}

/// A problem `P` with a loss, a metric-vector product and (optionally) a first-kind connection,
/// answered matrix-free: the natural velocity f = −(G + λI)⁻¹∇L and Γ(v,v) = (G + λI)⁻¹c(v) by
/// conjugate gradient ([`conjugate_gradient`]) with damping λ = `cg.damping`.
///
/// Memory O(n): the conjugate-gradient vectors live in a workspace reused by every solve
/// (single-threaded use per instance; clone it per thread). A solve that does not reach
/// `cg.rel_tol` within `cg.max_iters` is an [`Error::NotConverged`].
#[derive(Debug, Clone)]
pub struct MatrixFreeProblem<P> {
    /// The problem.
    pub inner: P,
    /// Conjugate-gradient settings, damping included.
    pub cg: CgOptions,
    work: RefCell<(CgWorkspace, Vec<f64>)>,
}

impl<P: Domain> MatrixFreeProblem<P> {
    /// `inner` with conjugate-gradient settings `cg`.
    pub fn new(inner: P, cg: CgOptions) -> Self {
        let n = inner.dim();
        Self {
            inner,
            cg,
            work: RefCell::new((CgWorkspace::new(n), vec![0.0; n])),
        }
    }
}

impl<P: MetricProduct> MatrixFreeProblem<P> {
    /// Solves (G(x) + λI) y = b into `y` (cold start).
    pub fn solve_metric_into(&self, x: &[f64], b: &[f64], y: &mut [f64]) -> Result<()> {
        self.inner.check(x)?;
        let n = self.inner.dim();
        check_vector("right-hand side", b, n)?;
        check_out("solution", y, n)?;
        y.iter_mut().for_each(|v| *v = 0.0);
        let mut work = self.work.borrow_mut();
        let report = conjugate_gradient(
            |v, out| self.inner.metric_vector_into(x, v, out),
            b,
            y,
            None,
            self.cg,
            &mut work.0,
        )
        .map_err(|e| match e {
            Error::SingularMetric { condition, .. } => Error::SingularMetric {
                point: x.to_vec(),
                condition,
            },
            e => e,
        })?;
        if report.converged {
            Ok(())
        } else {
            Err(Error::NotConverged {
                iterations: report.iterations,
                residual: report.residual,
                tol: self.cg.rel_tol,
            })
        }
    }
}

impl<P: Domain> Domain for MatrixFreeProblem<P> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn check(&self, x: &[f64]) -> Result<()> {
        self.inner.check(x)
    }
}

impl<P: Loss> Loss for MatrixFreeProblem<P> {
    fn loss(&self, x: &[f64]) -> Result<f64> {
        self.inner.loss(x)
    }
    fn gradient_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        self.inner.gradient_into(x, out)
    }
}

impl<P: Loss + MetricProduct> NaturalVelocity for MatrixFreeProblem<P> {
    /// f = −(G + λI)⁻¹∇L.
    fn natural_velocity_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        check_out("natural velocity", out, self.dim())?;
        let mut grad = std::mem::take(&mut self.work.borrow_mut().1);
        grad.resize(self.dim(), 0.0);
        let res = self
            .inner
            .gradient_into(x, &mut grad)
            .and_then(|()| self.solve_metric_into(x, &grad, out));
        self.work.borrow_mut().1 = grad;
        res?;
        out.iter_mut().for_each(|v| *v = -*v);
        Ok(())
    }
}

impl<P: MetricProduct + FirstKindConnection> Connection for MatrixFreeProblem<P> {
    /// Γ(v,v) = (G + λI)⁻¹c(v).
    fn christoffel_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        check_vector("velocity", v, self.dim())?;
        check_out("Γ(v,v)", out, self.dim())?;
        let mut c = std::mem::take(&mut self.work.borrow_mut().1);
        c.resize(self.dim(), 0.0);
        let res = self
            .inner
            .connection_vv_into(x, v, &mut c)
            .and_then(|()| self.solve_metric_into(x, &c, out));
        self.work.borrow_mut().1 = c;
        res
    }
}
