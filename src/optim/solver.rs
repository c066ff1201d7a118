//! Natural-gradient methods as argmin solvers.
//!
//! [`NaturalGradient`] is an argmin [`Solver`] that takes one step of a [`Method`] per
//! iteration on any [`NgProblem`]; [`TrajectoryRecorder`] is an argmin observer that keeps every
//! iterate and its loss. [`run`] wires the two through argmin's `Executor`; the example
//! `examples/argmin_executor.rs` shows a user doing it by hand with an observer of their own.

use super::method::{Method, Stepper};
use super::problem::NgProblem;
use crate::error::{Error, Result};
use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{Executor, IterState, KV, Problem, Solver, State};
use nalgebra::DVector;
use std::sync::{Arc, Mutex};

/// argmin's state for natflow's solvers: parameters and gradients are `DVector<f64>`.
pub type NgState = IterState<DVector<f64>, DVector<f64>, (), (), (), f64>;

/// One method with a fixed step size h, as an argmin solver.
///
/// Requires of the problem: [`NgProblem`] (loss, gradient, metric, and for `geo`/`geo-f` the
/// connection, for `riemannian-euler` the exponential map). Each iteration is one step; the
/// state's cost is the loss at the new point. Source: Song, Song & Ermon (2018), §3–4.
#[derive(Debug, Clone)]
pub struct NaturalGradient {
    stepper: Stepper,
    h: f64,
    name: String,
}

impl NaturalGradient {
    /// `method` with step size (learning rate) h in dimension n.
    pub fn new(method: Method, h: f64, n: usize) -> Result<Self> {
        if !(h.is_finite() && h > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "step size must be a positive number, got {h}"
            )));
        }
        Ok(Self {
            name: method.name(),
            stepper: Stepper::new(method, n),
            h,
        })
    }
}

fn need_param(state: &NgState) -> std::result::Result<&DVector<f64>, argmin::core::Error> {
    state.get_param().ok_or_else(|| {
        Error::InvalidArgument("no starting point: configure state.param(ξ₀)".into()).into()
    })
}

impl<O: NgProblem> Solver<O, NgState> for NaturalGradient {
    fn name(&self) -> &str {
        &self.name
    }

    fn init(
        &mut self,
        problem: &mut Problem<O>,
        state: NgState,
    ) -> std::result::Result<(NgState, Option<KV>), argmin::core::Error> {
        self.stepper.reset();
        let x = need_param(&state)?.clone();
        let cost = problem.problem("cost_count", |p| Ok(p.loss(x.as_slice())?))?;
        Ok((state.cost(cost), None))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        mut state: NgState,
    ) -> std::result::Result<(NgState, Option<KV>), argmin::core::Error> {
        let x = state
            .take_param()
            .ok_or_else(|| Error::InvalidArgument("solver state lost its parameters".into()))?;
        let h = self.h;
        let stepper = &mut self.stepper;
        let next = problem.problem("step_count", |p| Ok(stepper.step(p, &x, h)?))?;
        let cost = problem.problem("cost_count", |p| Ok(p.loss(next.as_slice())?))?;
        Ok((state.param(next).cost(cost), None))
    }
}

/// One recorded iterate (chart coordinates) and its loss.
pub type Record = (DVector<f64>, f64);

/// An argmin observer that records every iterate (chart coordinates) and its loss.
#[derive(Debug, Clone, Default)]
pub struct TrajectoryRecorder {
    points: Arc<Mutex<Vec<Record>>>,
}

impl TrajectoryRecorder {
    /// An empty recorder; clones share the same record.
    pub fn new() -> Self {
        Self::default()
    }

    /// The recorded (iterate, loss) pairs, starting with the initial point.
    pub fn take(&self) -> Vec<Record> {
        std::mem::take(&mut *self.points.lock().expect("recorder lock"))
    }

    fn push(&self, state: &NgState) {
        if let Some(p) = state.get_param() {
            self.points
                .lock()
                .expect("recorder lock")
                .push((p.clone(), state.get_cost()));
        }
    }
}

impl Observe<NgState> for TrajectoryRecorder {
    fn observe_init(
        &mut self,
        _name: &str,
        state: &NgState,
        _kv: &KV,
    ) -> std::result::Result<(), argmin::core::Error> {
        self.push(state);
        Ok(())
    }
    fn observe_iter(
        &mut self,
        state: &NgState,
        _kv: &KV,
    ) -> std::result::Result<(), argmin::core::Error> {
        self.push(state);
        Ok(())
    }
}

/// A run of one method: iterates in chart and canonical coordinates, and losses.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// ξ₀, ξ₁, …, in chart coordinates.
    pub points: Vec<DVector<f64>>,
    /// θ₀, θ₁, … = φ(ξ₀), φ(ξ₁), …
    pub canonical: Vec<DVector<f64>>,
    /// L(ξ₀), L(ξ₁), …
    pub losses: Vec<f64>,
}

/// Converts an argmin error back into natflow's, keeping the original when it was one.
pub fn from_argmin(e: argmin::core::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(e) => e,
        Err(e) => Error::Solver(e.to_string()),
    }
}

/// Runs `method` with step size h for `iters` steps from ξ₀ through argmin's `Executor`.
pub fn run<P: NgProblem + Clone>(
    problem: &P,
    method: &Method,
    h: f64,
    iters: u64,
    xi0: &[f64],
) -> Result<Trajectory> {
    problem.check(xi0)?;
    let solver = NaturalGradient::new(method.clone(), h, problem.dim())?;
    let recorder = TrajectoryRecorder::new();
    Executor::new(problem.clone(), solver)
        .configure(|s| s.param(DVector::from_column_slice(xi0)).max_iters(iters))
        .add_observer(recorder.clone(), ObserverMode::Always)
        .run()
        .map_err(from_argmin)?;
    let record = recorder.take();
    let mut out = Trajectory {
        points: Vec::with_capacity(record.len()),
        canonical: Vec::with_capacity(record.len()),
        losses: Vec::with_capacity(record.len()),
    };
    for (xi, loss) in record {
        out.canonical.push(problem.to_canonical(xi.as_slice())?);
        out.points.push(xi);
        out.losses.push(loss);
    }
    Ok(out)
}
