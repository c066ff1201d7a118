//! Maximum-likelihood fitting of any registered family, in any chart, by any method: the
//! generalisation of the paper's Gamma fit (`natflow fig2`) behind `natflow fit`.
//!
//! The loss is the sample's average negative log-likelihood in the chosen chart,
//! L(ξ) = −(1/n) Σ ln p(xᵢ | φ(ξ)) (for an exponential family A(η) − η·T̄ − mean ln h), and each
//! method takes `iters` steps of size h from the start with the family's α-connection.

use crate::data::SampleSummary;
use crate::error::{Error, Result};
use crate::optim::{Method, run_until_failure};
use crate::registry::Family;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What to fit and how.
#[derive(Debug, Clone, PartialEq)]
pub struct FitConfig {
    /// The chart to take steps in (`None`: the family's first chart).
    pub chart: Option<String>,
    /// The methods, each run from the same start.
    pub methods: Vec<Method>,
    /// Step size h.
    pub lr: f64,
    /// Number of steps.
    pub iters: u64,
    /// α of the connection (`geo`, `geo-f`, `riemannian-euler`).
    pub alpha: f64,
    /// The start in chart coordinates (`None`: the chart's image of the family's reference
    /// point).
    pub start: Option<Vec<f64>>,
}

/// One method's run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRun {
    /// The method.
    pub method: String,
    /// The loss at iterations 0, 1, ….
    pub loss: Vec<f64>,
    /// The iterates in chart coordinates.
    pub points: Vec<Vec<f64>>,
    /// The iterates in canonical coordinates.
    pub canonical: Vec<Vec<f64>>,
    /// The iteration whose step failed, if one did (the record stops there).
    pub failed_at: Option<usize>,
    /// Why it failed.
    pub reason: Option<String>,
    /// ‖∇L‖ in chart coordinates at the last iterate.
    pub final_gradient_norm: f64,
}

/// Everything `natflow fit` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRecord {
    /// The family.
    pub family: String,
    /// The chart.
    pub chart: String,
    /// Its formula.
    pub chart_formula: String,
    /// α of the connection.
    pub alpha: f64,
    /// Step size.
    pub lr: f64,
    /// Number of steps.
    pub iters: u64,
    /// The data: where it came from, its size and sufficient statistics.
    pub data: SampleSummary,
    /// The start in chart coordinates.
    pub start: Vec<f64>,
    /// The start in canonical coordinates.
    pub start_canonical: Vec<f64>,
    /// One entry per method.
    pub runs: Vec<FitRun>,
}

/// Fits `fam` to `data` (or its default data) as `cfg` says.
pub fn run_fit(fam: &dyn Family, data: Option<&Path>, cfg: &FitConfig) -> Result<FitRecord> {
    if !(cfg.lr.is_finite() && cfg.lr > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "--lr must be a positive number, got {}",
            cfg.lr
        )));
    }
    if !(1..=100_000).contains(&cfg.iters) {
        return Err(Error::InvalidArgument(format!(
            "--iters must be between 1 and 100000, got {}",
            cfg.iters
        )));
    }
    if cfg.methods.is_empty() {
        return Err(Error::InvalidArgument("no method to run".into()));
    }
    let chart = match &cfg.chart {
        Some(c) => c.clone(),
        None => fam.charts()[0].name.clone(),
    };
    let setup = fam.fit(data, std::slice::from_ref(&chart), cfg.alpha)?;
    let problem = &setup.problems[0];
    let n = problem.dim();
    let geometry = fam.geometry(&chart, Some(n))?;
    let start: Vec<f64> = match &cfg.start {
        Some(s) => {
            crate::error::check_vector("--start", s, n)?;
            problem
                .check(s)
                .map_err(|e| Error::InvalidArgument(format!("--start: {e}")))?;
            s.clone()
        }
        None => geometry.reference_point()?.iter().copied().collect(),
    };
    let start_canonical = problem.to_canonical(&start)?.iter().copied().collect();
    let mut runs = Vec::with_capacity(cfg.methods.len());
    for method in &cfg.methods {
        let traj = run_until_failure(problem.as_ref(), method, cfg.lr, cfg.iters, &start)?;
        let last = traj
            .points
            .last()
            .map(|p| p.as_slice().to_vec())
            .unwrap_or_default();
        let final_gradient_norm = problem.gradient(&last)?.norm();
        runs.push(FitRun {
            method: method.name(),
            loss: traj.losses,
            points: traj
                .points
                .iter()
                .map(|p| p.iter().copied().collect())
                .collect(),
            canonical: traj
                .canonical
                .iter()
                .map(|p| p.iter().copied().collect())
                .collect(),
            failed_at: traj.failure.as_ref().map(|f| f.at),
            reason: traj.failure.map(|f| f.error.to_string()),
            final_gradient_norm,
        });
    }
    Ok(FitRecord {
        family: fam.name().to_string(),
        chart: geometry.chart_name(),
        chart_formula: geometry.formula(),
        alpha: cfg.alpha,
        lr: cfg.lr,
        iters: cfg.iters,
        data: setup.data,
        start,
        start_canonical,
        runs,
    })
}
