//! Figure 2 of Song, Song & Ermon (2018): fitting a Gamma distribution by natural gradient in
//! four parameterisations, with methods of different order of invariance.
//!
//! Every method starts from the canonical point (α, β) = (1, 1), mapped into each chart, and
//! takes `iters` steps of size `lr` on the average negative log-likelihood of the sample.

use crate::error::Result;
use crate::families::{Gamma, GammaChart, GammaSample};
use crate::geometry::Chart;
use crate::optim::method::{FINE_SUBSTEPS, REFERENCE_TOL};
use crate::optim::{Method, run_until_failure};
use crate::problem::{ChartProblem, Reparameterisation};
use serde::{Deserialize, Serialize};

pub use crate::data::DataSummary;

/// One method's run in one chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodRun {
    /// The method's name.
    pub method: String,
    /// Whether it is a reference curve (drawn dashed).
    pub reference: bool,
    /// Negative log-likelihood at iterations 0..=iters.
    pub nll: Vec<f64>,
    /// (α, β) at iterations 0..=iters.
    pub canonical: Vec<[f64; 2]>,
    /// If a step failed (e.g. left the domain at a large learning rate): the iteration whose
    /// step failed; `nll` and `canonical` stop there. `null` when the run completed.
    pub failed_at: Option<usize>,
    /// Why it failed (`null` when it did not).
    pub reason: Option<String>,
}

/// All methods in one chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartRuns {
    /// The chart's name.
    pub chart: String,
    /// Its formula.
    pub formula: String,
    /// One entry per method.
    pub methods: Vec<MethodRun>,
}

/// The whole figure's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig2Record {
    /// Step size (learning rate).
    pub lr: f64,
    /// Number of steps.
    pub iters: u64,
    /// The sample.
    pub data: DataSummary,
    /// The start in canonical coordinates (α, β).
    pub start_canonical: [f64; 2],
    /// ODE tolerance of `riemannian-euler` and `flow`.
    pub reference_tol: f64,
    /// Sub-steps of `ng-fine`.
    pub ng_fine_substeps: usize,
    /// α of the connection `geo`, `geo-f` and `riemannian-euler` use (0: Levi-Civita, the
    /// paper's).
    #[serde(default)]
    pub alpha: f64,
    /// One entry per chart.
    pub charts: Vec<ChartRuns>,
}

/// Settings of the figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Fig2Config {
    /// Step size; the paper uses 0.5.
    pub lr: f64,
    /// Number of steps; the paper shows 10.
    pub iters: u64,
    /// The charts (the paper's four by default).
    pub charts: Vec<GammaChart>,
    /// The methods ([`Method::PAPER`] by default).
    pub methods: Vec<Method>,
    /// Start (α, β).
    pub start: [f64; 2],
    /// α of the connection (0 in the paper).
    pub alpha: f64,
}

impl Default for Fig2Config {
    fn default() -> Self {
        Self {
            lr: 0.5,
            iters: 10,
            charts: GammaChart::PAPER.to_vec(),
            methods: Method::PAPER
                .iter()
                .map(|m| Method::parse(m).expect("paper methods parse"))
                .collect(),
            start: [1.0, 1.0],
            alpha: 0.0,
        }
    }
}

/// Runs every method in every chart.
pub fn run_fig2(sample: &GammaSample, data: DataSummary, cfg: &Fig2Config) -> Result<Fig2Record> {
    let mut charts = Vec::with_capacity(cfg.charts.len());
    for &chart in &cfg.charts {
        let problem = ChartProblem::new(Gamma, chart, *sample)?.with_alpha(cfg.alpha)?;
        let xi0 = problem.to_chart(&cfg.start)?;
        let mut methods = Vec::with_capacity(cfg.methods.len());
        for method in &cfg.methods {
            let traj = run_until_failure(&problem, method, cfg.lr, cfg.iters, xi0.as_slice())?;
            methods.push(MethodRun {
                method: method.name(),
                reference: method.is_reference(),
                nll: traj.losses,
                canonical: traj.canonical.iter().map(|t| [t[0], t[1]]).collect(),
                failed_at: traj.failure.as_ref().map(|f| f.at),
                reason: traj.failure.map(|f| f.error.to_string()),
            });
        }
        charts.push(ChartRuns {
            chart: chart.name(),
            formula: chart.formula(),
            methods,
        });
    }
    Ok(Fig2Record {
        lr: cfg.lr,
        iters: cfg.iters,
        data,
        start_canonical: cfg.start,
        reference_tol: REFERENCE_TOL,
        ng_fine_substeps: FINE_SUBSTEPS,
        alpha: cfg.alpha,
        charts,
    })
}
