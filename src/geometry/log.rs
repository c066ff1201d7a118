//! The log map (the inverse of the exponential map) by shooting, and the Fisher–Rao distance.
//!
//! Log_x(y) is the initial velocity u of the geodesic from x that reaches y at time 1:
//! Exp_x(u) = y. natflow solves this by Newton's method on F(u) = Exp_x(u) − y, with the
//! Jacobian dExp_x(u) from the Jacobi equation ([`super::jacobi::exp_and_differential`]),
//! starting from u₀ = y − x (Exp_x(u) = x + u + O(‖u‖²)) and halving a step that leaves the
//! domain or does not reduce ‖F‖. Inside the injectivity radius of x, where geodesics from x are
//! unique and dExp is invertible, it converges quadratically once close; outside it (a conjugate
//! point, a geodesic leaving the domain) it stops with a clear error. Shooting is local: a far
//! target in a chart where the trial geodesics leave the domain (the Normal family's
//! expectation chart, for instance) can fail even inside the injectivity radius.
//!
//! For the Levi-Civita connection the Fisher–Rao distance is d(x, y) = ‖Log_x(y)‖_G(x) =
//! √(uᵀG(x)u) (geodesics are length-minimising inside the injectivity radius).

use super::Metric;
use super::alpha::AlphaConnection;
use crate::error::{Error, Result, check_vector};
use crate::ode::OdeOptions;
use crate::problem::Connection;
use nalgebra::DVector;

/// Options of the shooting solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogOptions {
    /// Tolerance of the geodesic and Jacobi ODE solves.
    pub ode_tol: f64,
    /// Stop when ‖Exp_x(u) − y‖ ≤ `tol`·(1 + ‖y‖).
    pub tol: f64,
    /// At most this many Newton steps.
    pub max_iterations: usize,
}

impl Default for LogOptions {
    fn default() -> Self {
        Self {
            ode_tol: 1e-13,
            tol: 1e-11,
            max_iterations: 60,
        }
    }
}

/// The result of a shooting solve.
#[derive(Debug, Clone, PartialEq)]
pub struct LogMap {
    /// u = Log_x(y).
    pub vector: DVector<f64>,
    /// ‖Exp_x(u) − y‖ at the end.
    pub residual: f64,
    /// Newton steps taken.
    pub iterations: usize,
}

/// Log_x(y) for the connection of `p` by shooting (see the module docs). If Newton's method
/// from u₀ = y − x fails (a far target), it continues along the chart segment from x to y:
/// targets x + s(y − x), s = 1/2ᵏ, 2/2ᵏ, …, 1 for k = 1…4, each solve starting from the last.
pub fn log_map<P: Connection + ?Sized>(
    p: &P,
    x: &[f64],
    y: &[f64],
    opts: LogOptions,
) -> Result<LogMap> {
    p.check(x)?;
    check_vector("target point", y, p.dim())?;
    p.check(y)
        .map_err(|e| Error::InvalidArgument(format!("the log map's target: {e}")))?;
    let xv = DVector::from_column_slice(x);
    let yv = DVector::from_column_slice(y);
    let direct = shoot(p, x, &yv, &yv - &xv, opts);
    if direct.is_ok() {
        return direct;
    }
    for k in 1..=4 {
        let stages = 1usize << k;
        let mut u = (&yv - &xv) / stages as f64;
        let mut total = 0;
        let mut last = None;
        for s in 1..=stages {
            let target = &xv + (&yv - &xv) * (s as f64 / stages as f64);
            if p.check(target.as_slice()).is_err() {
                last = None;
                break;
            }
            match shoot(p, x, &target, u.clone(), opts) {
                Ok(l) => {
                    total += l.iterations;
                    // Next stage starts from this solution stretched to the next target.
                    u = &l.vector * ((s + 1) as f64 / s as f64);
                    last = Some(LogMap {
                        iterations: total,
                        ..l
                    });
                }
                Err(_) => {
                    last = None;
                    break;
                }
            }
        }
        if let Some(l) = last {
            return Ok(l);
        }
    }
    direct
}

/// Newton's method on Exp_x(u) = y from u.
fn shoot<P: Connection + ?Sized>(
    p: &P,
    x: &[f64],
    yv: &DVector<f64>,
    mut u: DVector<f64>,
    opts: LogOptions,
) -> Result<LogMap> {
    let y = yv.as_slice();
    let ode = OdeOptions::with_tol(opts.ode_tol);
    let scale = 1.0 + yv.norm();
    let (mut end, mut jac) = super::jacobi::exp_and_differential(p, x, u.as_slice(), ode)?;
    let mut residual = (&end - yv).norm();
    for iteration in 0..=opts.max_iterations {
        if residual <= opts.tol * scale {
            return Ok(LogMap {
                vector: u,
                residual,
                iterations: iteration,
            });
        }
        if iteration == opts.max_iterations {
            break;
        }
        let step = jac.clone().lu().solve(&(&end - yv)).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "log map from {x:?} to {y:?}: dExp is singular along the way (a conjugate \
                 point); the target is outside the region where the log map is defined"
            ))
        })?;
        let mut t = 1.0;
        loop {
            let trial = &u - &step * t;
            match super::jacobi::exp_and_differential(p, x, trial.as_slice(), ode) {
                Ok((e, j)) if (&e - yv).norm() < residual => {
                    u = trial;
                    end = e;
                    jac = j;
                    residual = (&end - yv).norm();
                    break;
                }
                _ if t > 1.0 / 1024.0 => t *= 0.5,
                _ => {
                    return Err(Error::InvalidArgument(format!(
                        "log map from {x:?} to {y:?}: shooting stalled at residual {residual:.3e} \
                         (geodesics leave the domain or do not reach the target); the target \
                         is likely outside the injectivity radius"
                    )));
                }
            }
        }
    }
    Err(Error::InvalidArgument(format!(
        "log map from {x:?} to {y:?}: no convergence in {} Newton steps (residual \
         {residual:.3e}); the target is likely outside the injectivity radius",
        opts.max_iterations
    )))
}

/// The Fisher–Rao (geodesic) distance d(x, y) = √(uᵀG(x)u), u = Log_x(y) of the Levi-Civita
/// connection, and u.
pub fn fisher_rao_distance<M: Metric + ?Sized>(
    m: &M,
    x: &[f64],
    y: &[f64],
    opts: LogOptions,
) -> Result<(f64, DVector<f64>)> {
    let log = log_map(&AlphaConnection::new(m, 0.0)?, x, y, opts)?;
    let g = m.metric(x)?;
    let d2 = log.vector.dot(&(&g * &log.vector));
    Ok((d2.max(0.0).sqrt(), log.vector))
}
