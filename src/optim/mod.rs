//! Natural-gradient optimisation: problems, methods, and their argmin solver.

pub mod method;
pub mod problem;
pub mod solver;

pub use method::{Method, Stepper};
pub use problem::{ChartProblem, NgProblem, Objective};
pub use solver::{NaturalGradient, Trajectory, TrajectoryRecorder, run};
