//! The one error type of natflow. Every fallible library function returns
//! `Result<T, natflow::Error>`; each variant's message says what was wrong and, where it helps,
//! what to do next.

use std::path::PathBuf;

/// What went wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A vector had the wrong number of coordinates.
    #[error("{what}: expected {expected} coordinates, got {got}")]
    Dimension {
        /// What the vector was (a point, a velocity, …).
        what: String,
        /// The dimension that was needed.
        expected: usize,
        /// The dimension that was given.
        got: usize,
    },
    /// A coordinate was NaN or infinite.
    #[error("{what}: coordinate {index} is {value}, not a finite number")]
    NonFinite {
        /// What the vector was.
        what: String,
        /// Its position.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A point lies outside the domain of a family or chart.
    #[error("{point:?} is outside the domain of {space}: {reason}")]
    OutOfDomain {
        /// The family or chart, e.g. `gamma chart 'scale'`.
        space: String,
        /// The point, in that space's coordinates.
        point: Vec<f64>,
        /// The violated condition, e.g. `need s > 0`.
        reason: String,
    },
    /// A computed quantity overflowed or underflowed to a non-finite value.
    #[error(
        "{what} at {point:?} came out non-finite: the formulas overflow or underflow in f64 there"
    )]
    NonFiniteResult {
        /// What was computed (the metric, Γ(v,v) for velocity …, …).
        what: String,
        /// The point, in the coordinates of the computation.
        point: Vec<f64>,
    },
    /// The metric cannot be inverted reliably.
    #[error(
        "the metric at {point:?} is singular or ill-conditioned (condition number ≈ {condition:.3e}); \
         move the point away from the domain's edge or use a better-scaled chart"
    )]
    SingularMetric {
        /// The point where it happened.
        point: Vec<f64>,
        /// Estimated 2-norm condition number (∞ when not positive definite).
        condition: f64,
    },
    /// A step of a method failed (it left the domain, the metric became singular, an ODE
    /// solve inside it failed); `source` is the underlying error, unchanged.
    #[error("{method} with step size {h} failed: {source}; try a smaller step or another chart")]
    Step {
        /// The method's name.
        method: String,
        /// The step size.
        h: f64,
        /// What went wrong inside the step.
        source: Box<Error>,
    },
    /// A linear solve (conjugate gradient) did not reach its tolerance.
    #[error(
        "conjugate gradient did not converge: relative residual {residual:.3e} after {iterations} \
         iterations (tolerance {tol:.1e}); raise the damping or the iteration limit"
    )]
    NotConverged {
        /// Iterations taken.
        iterations: usize,
        /// Final relative residual ‖b − Ax‖/‖b‖.
        residual: f64,
        /// The requested relative residual.
        tol: f64,
    },
    /// An ODE solve (geodesic, flow) failed.
    #[error("ODE solve failed: {0}")]
    Solver(String),
    /// A name (family, chart, method) that natflow does not know.
    #[error("unknown {kind} '{name}'; expected one of: {expected}")]
    Unknown {
        /// What kind of name (`family`, `chart`, `method`).
        kind: String,
        /// The name given.
        name: String,
        /// The accepted names, comma separated.
        expected: String,
    },
    /// A data file that could not be read or parsed.
    #[error("{}{}: {reason}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Data {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when the problem is on one line.
        line: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// Any other invalid argument (a bad option value, an empty list, …).
    #[error("{0}")]
    InvalidArgument(String),
    /// An output file that could not be written.
    #[error("cannot write {}: {reason}", path.display())]
    Output {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// natflow's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks that every value of a computed quantity is finite.
pub fn check_finite_result<'a>(
    what: impl FnOnce() -> String,
    point: &[f64],
    values: impl IntoIterator<Item = &'a f64>,
) -> Result<()> {
    if values.into_iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Error::NonFiniteResult {
            what: what(),
            point: point.to_vec(),
        })
    }
}

/// Checks that `x` has `n` finite coordinates.
pub fn check_vector(what: &str, x: &[f64], n: usize) -> Result<()> {
    if x.len() != n {
        return Err(Error::Dimension {
            what: what.to_string(),
            expected: n,
            got: x.len(),
        });
    }
    if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: what.to_string(),
            index,
            value,
        });
    }
    Ok(())
}

/// The item of `all` whose `name_of` is `name`, else [`Error::Unknown`] listing every name:
/// the parser behind the named enums (activations, output families, methods, tasks, …).
pub fn parse_named<T: Copy>(
    kind: &str,
    name: &str,
    all: &[T],
    name_of: fn(T) -> &'static str,
) -> Result<T> {
    all.iter()
        .copied()
        .find(|&t| name_of(t) == name)
        .ok_or_else(|| Error::Unknown {
            kind: kind.into(),
            name: name.into(),
            expected: all
                .iter()
                .map(|&t| name_of(t))
                .collect::<Vec<_>>()
                .join(", "),
        })
}
