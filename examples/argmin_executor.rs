//! Natural-gradient methods are argmin solvers. This example runs geodesic-corrected natural
//! gradient on the paper's Gamma fit through argmin's own `Executor`, with an observer of our
//! own that prints the distance travelled each step — the way you would plug natflow into an
//! argmin-based workflow.

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{Executor, KV, State};
use natflow::families::{Gamma, GammaChart};
use natflow::optim::solver::NgState;
use natflow::optim::{Method, NaturalGradient};
use natflow::problem::{ChartProblem, Reparameterisation};

/// Prints the iteration, the loss and the step length.
struct StepPrinter {
    last: Option<nalgebra::DVector<f64>>,
}

impl Observe<NgState> for StepPrinter {
    fn observe_iter(&mut self, state: &NgState, _kv: &KV) -> Result<(), argmin::core::Error> {
        let x = state.get_param().expect("a point").clone();
        let step = self.last.as_ref().map_or(0.0, |l| (&x - l).norm());
        // argmin increments the iteration counter after the observers run.
        let k = state.get_iter() + 1;
        println!("step {k:>2}  NLL {:.10}  |Δξ| {step:.3e}", state.get_cost());
        self.last = Some(x);
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (sample, _) = natflow::data::gamma_sample(None)?; // the paper's sample, embedded
    // The Gamma fit in the scale chart (α, s), started at (α, β) = (1, 1).
    let problem = ChartProblem::new(Gamma, GammaChart::Scale, sample)?;
    let xi0 = problem.to_chart(&[1.0, 1.0])?;
    let solver = NaturalGradient::new(Method::parse("geo")?, 0.5, 2)?;
    let result = Executor::new(problem, solver)
        .configure(|s| s.param(xi0.clone()).max_iters(10))
        .add_observer(
            StepPrinter {
                last: Some(xi0.clone()),
            },
            ObserverMode::Always,
        )
        .run()?;
    let xi = result.state().get_best_param().expect("a best point");
    let theta = problem.to_canonical(xi.as_slice())?;
    println!("fitted (α, β) = ({:.6}, {:.6})", theta[0], theta[1]);
    Ok(())
}
