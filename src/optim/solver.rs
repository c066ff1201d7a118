//! Natural-gradient methods as argmin solvers — the one iteration driver of natflow.
//!
//! [`NaturalGradient`] is an argmin [`Solver`] that takes one [`Step`] per iteration with a
//! [`StepSize`] policy; [`SampledNaturalGradient`] also draws a new batch ([`Resample`]) from a
//! seeded generator before every step. [`TrajectoryRecorder`] is an argmin observer that keeps
//! every iterate and its loss. [`run`] wires them through argmin's `Executor`; studies and
//! experiments use it too, so there is one loop. The example `examples/argmin_executor.rs` shows
//! a user doing it by hand with an observer of their own.

use super::method::{Method, Step, Stepper};
use super::step_size::StepSize;
use crate::error::{Error, Result};
use crate::problem::{Loss, NaturalVelocity, NgProblem, Resample};
use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{Executor, IterState, KV, Problem, Solver, State};
use nalgebra::DVector;
use rand::SeedableRng;
use std::sync::{Arc, Mutex};

/// argmin's state for natflow's solvers: parameters and gradients are `DVector<f64>`.
pub type NgState = IterState<DVector<f64>, DVector<f64>, (), (), (), f64>;

/// One method with a step-size policy, as an argmin solver.
///
/// Requires of the problem: a [`Loss`] (the state's cost) and [`NaturalVelocity`], plus what
/// the step `S` requires ([`Stepper`]: everything, [`super::RungeKutta`]: nothing more,
/// [`super::GeodesicCorrection`]: a connection, [`super::RiemannianEuler`]: an exponential map).
/// Each iteration is one step; the state's cost is the loss at the new point. Source: Song,
/// Song & Ermon (2018), §3–4.
#[derive(Debug, Clone)]
pub struct NaturalGradient<S = Stepper> {
    step: S,
    step_size: StepSize,
    name: String,
}

impl NaturalGradient<Stepper> {
    /// `method` with a fixed step size (learning rate) h in dimension n.
    pub fn new(method: Method, h: f64, n: usize) -> Result<Self> {
        let name = method.name();
        Self::with_step(Stepper::new(method, n)?, StepSize::Fixed(h), name)
    }
}

impl<S> NaturalGradient<S> {
    /// Any step `step` with the policy `step_size`, reported under `name`.
    pub fn with_step(step: S, step_size: StepSize, name: String) -> Result<Self> {
        step_size.validate()?;
        Ok(Self {
            step,
            step_size,
            name,
        })
    }
}

fn need_param(state: &NgState) -> std::result::Result<&DVector<f64>, argmin::core::Error> {
    state.get_param().ok_or_else(|| {
        Error::InvalidArgument("no starting point: configure state.param(ξ₀)".into()).into()
    })
}

fn init_state<O: Loss>(
    problem: &mut Problem<O>,
    state: NgState,
) -> std::result::Result<(NgState, Option<KV>), argmin::core::Error> {
    let x = need_param(&state)?.clone();
    let cost = problem.problem("cost_count", |p| Ok(p.loss(x.as_slice())?))?;
    Ok((state.cost(cost), None))
}

impl<S> NaturalGradient<S> {
    fn advance<O>(
        &mut self,
        problem: &mut Problem<O>,
        mut state: NgState,
    ) -> std::result::Result<(NgState, Option<KV>), argmin::core::Error>
    where
        O: Loss + NaturalVelocity,
        S: Step<O>,
    {
        let mut x = state
            .take_param()
            .ok_or_else(|| Error::InvalidArgument("solver state lost its parameters".into()))?;
        let step = &mut self.step;
        let policy = self.step_size;
        problem.problem("step_count", |p| {
            let h = policy.resolve(p, x.as_slice())?;
            Ok(step.step(p, x.as_mut_slice(), h)?)
        })?;
        let cost = problem.problem("cost_count", |p| Ok(p.loss(x.as_slice())?))?;
        Ok((state.param(x).cost(cost), None))
    }
}

impl<O, S> Solver<O, NgState> for NaturalGradient<S>
where
    O: Loss + NaturalVelocity,
    S: Step<O>,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn init(
        &mut self,
        problem: &mut Problem<O>,
        state: NgState,
    ) -> std::result::Result<(NgState, Option<KV>), argmin::core::Error> {
        self.step.reset();
        init_state(problem, state)
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        state: NgState,
    ) -> std::result::Result<(NgState, Option<KV>), argmin::core::Error> {
        self.advance(problem, state)
    }
}

/// [`NaturalGradient`] on a sampled problem: before every step (and before the initial cost)
/// the problem draws a new batch ([`Resample`]) from a generator seeded with `seed`, so a run
/// is reproducible from its seed.
#[derive(Debug)]
pub struct SampledNaturalGradient<S = Stepper> {
    inner: NaturalGradient<S>,
    seed: u64,
    rng: rand::rngs::StdRng,
}

impl<S> SampledNaturalGradient<S> {
    /// `inner`, resampling from a generator seeded with `seed`.
    pub fn new(inner: NaturalGradient<S>, seed: u64) -> Self {
        Self {
            inner,
            seed,
            rng: rand::rngs::StdRng::seed_from_u64(seed),
        }
    }
}

fn resample<O: Resample>(
    problem: &mut Problem<O>,
    rng: &mut rand::rngs::StdRng,
) -> std::result::Result<(), argmin::core::Error> {
    let p = problem
        .problem
        .as_mut()
        .ok_or_else(|| Error::InvalidArgument("argmin lost the problem".into()))?;
    *problem.counts.entry("resample_count").or_insert(0) += 1;
    Ok(p.resample(rng)?)
}

impl<O, S> Solver<O, NgState> for SampledNaturalGradient<S>
where
    O: Loss + NaturalVelocity + Resample,
    S: Step<O>,
{
    fn name(&self) -> &str {
        &self.inner.name
    }

    fn init(
        &mut self,
        problem: &mut Problem<O>,
        state: NgState,
    ) -> std::result::Result<(NgState, Option<KV>), argmin::core::Error> {
        self.inner.step.reset();
        self.rng = rand::rngs::StdRng::seed_from_u64(self.seed);
        resample(problem, &mut self.rng)?;
        init_state(problem, state)
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        state: NgState,
    ) -> std::result::Result<(NgState, Option<KV>), argmin::core::Error> {
        resample(problem, &mut self.rng)?;
        self.inner.advance(problem, state)
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
        match self.points.lock() {
            Ok(mut g) => std::mem::take(&mut *g),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    fn push(&self, state: &NgState) {
        if let Some(p) = state.get_param() {
            let mut g = match self.points.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            g.push((p.clone(), state.get_cost()));
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
    /// Why the run stopped early, if it did: the step from iterate `at` (the last one
    /// recorded) failed with `error`.
    pub failure: Option<Failure>,
}

/// A run that stopped early.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The index of the iterate whose step failed (= the number of completed steps).
    pub at: usize,
    /// What went wrong.
    pub error: Error,
}

/// Converts an argmin error back into natflow's, keeping the original when it was one.
pub fn from_argmin(e: argmin::core::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(e) => e,
        Err(e) => Error::Solver(e.to_string()),
    }
}

/// Runs `solver` for `iters` iterations from x₀ through argmin's `Executor`, recording every
/// iterate (chart coordinates) and its loss.
pub fn run_solver<P, S>(problem: P, solver: S, iters: u64, x0: &[f64]) -> Result<Vec<Record>>
where
    S: Solver<P, NgState>,
{
    let recorder = TrajectoryRecorder::new();
    Executor::new(problem, solver)
        .configure(|s| s.param(DVector::from_column_slice(x0)).max_iters(iters))
        .add_observer(recorder.clone(), ObserverMode::Always)
        .run()
        .map_err(from_argmin)?;
    Ok(recorder.take())
}

/// Runs `method` with step size h for `iters` steps from ξ₀ and maps the iterates to canonical
/// coordinates; a step that fails is an error (see [`run_until_failure`] to keep the path).
pub fn run<P: NgProblem + ?Sized>(
    problem: &P,
    method: &Method,
    h: f64,
    iters: u64,
    xi0: &[f64],
) -> Result<Trajectory> {
    let t = run_until_failure(problem, method, h, iters, xi0)?;
    match t.failure {
        Some(f) => Err(f.error),
        None => Ok(t),
    }
}

/// As [`run`], but a step that fails ends the run instead of discarding it: the trajectory up
/// to the last good iterate is returned with [`Trajectory::failure`] set — what a learning-rate
/// study needs to show a method diverging. A bad setting (start, step size, dimension) is
/// still an `Err`.
pub fn run_until_failure<P: NgProblem + ?Sized>(
    problem: &P,
    method: &Method,
    h: f64,
    iters: u64,
    xi0: &[f64],
) -> Result<Trajectory> {
    problem.check(xi0)?;
    let solver = NaturalGradient::new(method.clone(), h, problem.dim())?;
    let recorder = TrajectoryRecorder::new();
    let outcome = Executor::new(problem, solver)
        .configure(|s| s.param(DVector::from_column_slice(xi0)).max_iters(iters))
        .add_observer(recorder.clone(), ObserverMode::Always)
        .run()
        .map_err(from_argmin);
    let record = recorder.take();
    let failure = match outcome {
        Ok(_) => None,
        // A failure before the first iterate was recorded is a bad setting, not a divergence.
        Err(e) if record.is_empty() => return Err(e),
        Err(error) => Some(Failure {
            at: record.len() - 1,
            error,
        }),
    };
    let mut out = Trajectory {
        points: Vec::with_capacity(record.len()),
        canonical: Vec::with_capacity(record.len()),
        losses: Vec::with_capacity(record.len()),
        failure,
    };
    for (xi, loss) in record {
        out.canonical.push(problem.to_canonical(xi.as_slice())?);
        out.points.push(xi);
        out.losses.push(loss);
    }
    Ok(out)
}

/// Runs `method` for `iters` steps from ξ₀ and returns the last iterate (chart coordinates),
/// without recording the path — what order studies need.
pub fn run_to_end<P: Loss + NaturalVelocity, S: Step<P>>(
    problem: P,
    step: S,
    h: f64,
    iters: u64,
    xi0: &[f64],
) -> Result<DVector<f64>> {
    problem.check(xi0)?;
    let name = step.name();
    let solver = NaturalGradient::with_step(step, StepSize::Fixed(h), name)?;
    let result = Executor::new(problem, solver)
        .configure(|s| s.param(DVector::from_column_slice(xi0)).max_iters(iters))
        .run()
        .map_err(from_argmin)?;
    result
        .state()
        .get_param()
        .cloned()
        .ok_or_else(|| Error::Solver("the solver returned no point".into()))
}
