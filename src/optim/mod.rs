//! Natural-gradient optimisation: methods as steps, step-size policies, and their argmin
//! solvers.

pub mod method;
pub mod solver;
pub mod step_size;

pub use method::{Flow, GeodesicCorrection, Method, RiemannianEuler, RungeKutta, Step, Stepper};
pub use solver::{
    Failure, NaturalGradient, SampledNaturalGradient, Trajectory, TrajectoryRecorder, run,
    run_solver, run_to_end, run_until_failure,
};
pub use step_size::StepSize;
