//! A thin, fallible front-end for the autonomous ODEs natflow integrates (geodesics,
//! natural-gradient flows): y' = f(y), solved by default with diffsol's adaptive Tsitouras 5(4)
//! Runge–Kutta method (`tsit45`) at a relative and absolute tolerance `tol`, or with natflow's
//! own adaptive Dormand–Prince 5(4) ([`dopri`], [`OdeBackend::DormandPrince`]), which needs no
//! dependency (the backend for a WebAssembly build).
//!
//! The right-hand side may fail (a trial stage left the domain, the metric became singular);
//! the first such error is kept and returned instead of the solver's state, so a failed solve is
//! an `Err`, never a panic or a silent NaN.

use crate::error::{Error, Result};
#[cfg(feature = "diffsol")]
use diffsol::{NalgebraMat, OdeBuilder, OdeSolverMethod, OdeSolverStopReason, Vector};
#[cfg(feature = "diffsol")]
use std::cell::RefCell;

pub mod dopri;

/// Which adaptive solver integrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdeBackend {
    /// diffsol's Tsitouras 5(4) (`tsit45`), the default when natflow is built with its
    /// `diffsol` feature (the command line always is).
    Diffsol,
    /// natflow's Dormand–Prince 5(4) ([`dopri`]).
    DormandPrince,
}

impl Default for OdeBackend {
    /// diffsol with the `diffsol` feature, Dormand–Prince without it.
    fn default() -> Self {
        if cfg!(feature = "diffsol") {
            Self::Diffsol
        } else {
            Self::DormandPrince
        }
    }
}

/// Integration settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OdeOptions {
    /// Relative and absolute tolerance of the adaptive solver.
    pub tol: f64,
    /// Refuse to take more than this many internal steps.
    pub max_steps: usize,
    /// The solver.
    pub backend: OdeBackend,
}

impl Default for OdeOptions {
    fn default() -> Self {
        Self {
            tol: 1e-12,
            max_steps: 200_000,
            backend: OdeBackend::default(),
        }
    }
}

impl OdeOptions {
    /// Default options with tolerance `tol`.
    pub fn with_tol(tol: f64) -> Self {
        Self {
            tol,
            ..Self::default()
        }
    }
}

/// Solves y' = f(y), y(0) = y0 and returns y at each time of `t_eval` (increasing, ≥ 0).
///
/// `f(y, dy)` writes dy = f(y) or returns an error; `check(y)` is called on every accepted
/// state and may reject it (e.g. a point outside the domain).
///
/// The solver integrates in the rescaled time s = t/T ∈ [0, 1], T the last output time, i.e.
/// dy/ds = T·f(y): the same solution, and a horizon of any length (1e-300 as well as 1e3) is one
/// unit of solver time (diffsol cannot step across an interval shorter than its own time
/// resolution). For T = 1 this is the plain problem.
pub fn solve<F, C>(
    y0: &[f64],
    t_eval: &[f64],
    opts: OdeOptions,
    f: F,
    check: C,
) -> Result<Vec<Vec<f64>>>
where
    F: Fn(&[f64], &mut [f64]) -> Result<()>,
    C: Fn(&[f64]) -> Result<()>,
{
    if !(opts.tol.is_finite() && opts.tol > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "ODE tolerance must be a positive number, got {}",
            opts.tol
        )));
    }
    if t_eval.iter().any(|t| !t.is_finite() || *t < 0.0) || t_eval.windows(2).any(|w| w[1] < w[0]) {
        return Err(Error::InvalidArgument(
            "ODE output times must be finite, non-negative and increasing".into(),
        ));
    }
    let n = y0.len();
    let scale = t_eval.last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
    if opts.backend == OdeBackend::DormandPrince {
        let s_eval: Vec<f64> = t_eval.iter().map(|t| t / scale).collect();
        let rhs = |y: &[f64], dy: &mut [f64]| -> Result<()> {
            f(y, dy)?;
            if scale != 1.0 {
                dy.iter_mut().for_each(|d| *d *= scale);
            }
            Ok(())
        };
        return dopri::solve(y0, &s_eval, opts, rhs, check);
    }
    #[cfg(not(feature = "diffsol"))]
    {
        let _ = (n, f, check);
        Err(Error::InvalidArgument(
            "this build of natflow has no diffsol (feature `diffsol`); use OdeBackend::DormandPrince".into(),
        ))
    }
    #[cfg(feature = "diffsol")]
    diffsol_solve(y0, t_eval, opts, n, scale, f, check)
}

/// The diffsol (`tsit45`) path of [`solve`], in the rescaled time s = t/`scale`.
#[cfg(feature = "diffsol")]
fn diffsol_solve<F, C>(
    y0: &[f64],
    t_eval: &[f64],
    opts: OdeOptions,
    n: usize,
    scale: f64,
    f: F,
    check: C,
) -> Result<Vec<Vec<f64>>>
where
    F: Fn(&[f64], &mut [f64]) -> Result<()>,
    C: Fn(&[f64]) -> Result<()>,
{
    let failure: RefCell<Option<Error>> = RefCell::new(None);
    let y_init = y0.to_vec();
    let problem = OdeBuilder::<NalgebraMat<f64>>::new()
        .rtol(opts.tol)
        .atol(vec![opts.tol; n])
        .rhs(
            |y: &[f64], _p: &[f64], _t: f64, dy: &mut [f64]| match f(y, dy) {
                Ok(()) if scale != 1.0 => dy.iter_mut().for_each(|d| *d *= scale),
                Ok(()) => {}
                Err(e) => {
                    dy.iter_mut().for_each(|d| *d = f64::NAN);
                    failure.borrow_mut().get_or_insert(e);
                }
            },
        )
        .init(
            move |_p: &[f64], _t: f64, y: &mut [f64]| y.copy_from_slice(&y_init),
            n,
        )
        .build()
        .map_err(|e| Error::Solver(e.to_string()))?;
    let mut solver = problem.tsit45().map_err(|e| Error::Solver(e.to_string()))?;
    let mut out = Vec::with_capacity(t_eval.len());
    let mut steps = 0usize;
    for &time in t_eval {
        let t = time / scale;
        if t == 0.0 {
            out.push(y0.to_vec());
            continue;
        }
        if t > solver.state().t {
            solver
                .set_stop_time(t)
                .map_err(|e| Error::Solver(e.to_string()))?;
            loop {
                let reason = solver.step();
                if let Some(e) = failure.borrow_mut().take() {
                    return Err(e);
                }
                let reason = reason.map_err(|e| {
                    Error::Solver(format!(
                        "{e} (the solution may blow up here; try a smaller time or step, or a looser tolerance)"
                    ))
                })?;
                let y = solver.state().y.clone_as_vec();
                check(&y)?;
                steps += 1;
                if steps > opts.max_steps {
                    return Err(Error::Solver(format!(
                        "more than {} steps before t = {time}; the solution may blow up or leave the domain",
                        opts.max_steps
                    )));
                }
                if matches!(reason, OdeSolverStopReason::TstopReached) {
                    break;
                }
            }
        }
        out.push(solver.state().y.clone_as_vec());
    }
    Ok(out)
}
