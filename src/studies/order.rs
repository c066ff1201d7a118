//! Convergence- and invariance-order studies.
//!
//! Song, Song & Ermon (2018) define the *order of invariance* of a method as its order of
//! convergence to an invariant solution. An [`order_study`] measures it: for every method,
//! chart and step size h = T/n it runs n steps from the same distribution and maps the
//! endpoint to canonical coordinates, then compares
//!
//! - with the exact flow at T (diffsol, tolerance [`OrderConfig::flow_tol`]): convergence order;
//! - with the Riemannian Euler endpoint for the same h, which is chart-invariant (in exact
//!   arithmetic; to the ODE tolerance in practice): the
//!   order at which a method approaches that invariant discretisation;
//! - across charts: the invariance gap, the largest canonical distance (and KL divergence)
//!   between the endpoints reached in two different charts.
//!
//! Errors are Euclidean distances in canonical coordinates and KL(p_ref ‖ p_method). Orders are
//! fitted by [`fit_order`] over the asymptotic window. One-step (local) errors from the start,
//! whose order is one more than the global one, are reported too, and every run records its
//! evaluation counts and wall time for work-precision plots. Runs go in parallel (rayon; one by one on WebAssembly).

use super::counting::{Counting, Evaluations};
use super::fit::{OrderFit, fit_order};
use crate::data::SampleSummary;
use crate::error::{Error, Result};
use crate::optim::{Method, Stepper, run_to_end};
use crate::problem::NgProblem;
use nalgebra::DVector;
#[cfg(not(target_arch = "wasm32"))]
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
#[cfg(not(target_arch = "wasm32"))]
use std::time::Instant;
// std's clock panics on wasm32-unknown-unknown; web-time reads the browser's.
#[cfg(target_arch = "wasm32")]
use web_time::Instant;

/// Settings of an order study.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderConfig {
    /// Final time T.
    pub t_final: f64,
    /// Step counts n (h = T/n).
    pub steps: Vec<usize>,
    /// Start, in canonical coordinates.
    pub start: Vec<f64>,
    /// Methods to measure.
    pub methods: Vec<Method>,
    /// Tolerance of each Riemannian Euler step of the reference.
    pub riemannian_euler_tol: f64,
    /// Tolerance of the flow reference.
    pub flow_tol: f64,
    /// Errors at or below `floor_rel · max(1, ‖θ_flow(T)‖)` are treated as the floating-point /
    /// solver floor and left out of the fits.
    pub floor_rel: f64,
    /// Whether to measure against the Riemannian Euler reference (one exponential map per step
    /// per h — the study's most expensive reference); without it the `vs_riemannian_euler`
    /// errors and orders are `null`.
    pub against_riemannian_euler: bool,
}

impl OrderConfig {
    /// The default sweep from `start`: T = 1, n = 2, 4, …, 1024, methods ng, mid, rk4, geo,
    /// geo-f, riemannian-euler.
    pub fn new(start: Vec<f64>) -> Self {
        Self {
            t_final: 1.0,
            steps: (1..=10).map(|k| 1usize << k).collect(),
            start,
            methods: Self::DEFAULT_METHODS
                .iter()
                .map(|m| Method::parse(m).expect("default methods parse"))
                .collect(),
            riemannian_euler_tol: 1e-12,
            flow_tol: 1e-13,
            floor_rel: 1e-12,
            against_riemannian_euler: true,
        }
    }

    /// Largest step count accepted (a bound on the work of one run).
    pub const MAX_STEPS: usize = 100_000;

    /// The default methods.
    pub const DEFAULT_METHODS: [&'static str; 6] =
        ["ng", "mid", "rk4", "geo", "geo-f", "riemannian-euler"];
}

/// The references every method is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct References {
    /// θ_flow(T).
    pub flow_endpoint_canonical: Vec<f64>,
    /// Its ODE tolerance.
    pub flow_tol: f64,
    /// Riemannian Euler endpoints, one per h (computed in the first chart; invariant up to the ODE tolerance).
    pub riemannian_euler_endpoint_canonical: Vec<Option<Vec<f64>>>,
    /// Tolerance of each exponential map.
    pub riemannian_euler_tol: f64,
    /// The error floor used by the fits (absolute, canonical coordinates):
    /// `floor_rel · max(1, ‖θ_flow(T)‖)`.
    pub floor: f64,
    /// The relative floor setting.
    pub floor_rel: f64,
    /// Largest spread of local slopes inside a fitted window ([`super::fit::SLOPE_AGREEMENT`]).
    pub slope_agreement: f64,
    /// Whether the Riemannian Euler reference was computed (else its entries are `null`).
    pub against_riemannian_euler: bool,
}

/// One method in one chart, across step sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartRun {
    /// The chart.
    pub chart: String,
    /// θ(T) per h (null where the run failed).
    pub endpoint_canonical: Vec<Option<Vec<f64>>>,
    /// ‖θ(T) − θ_flow(T)‖ per h.
    pub error_vs_flow: Vec<Option<f64>>,
    /// KL(p_flow(T) ‖ p_θ(T)) per h.
    pub kl_vs_flow: Vec<Option<f64>>,
    /// ‖θ(T) − θ_RE(T; h)‖ per h.
    pub error_vs_riemannian_euler: Vec<Option<f64>>,
    /// One step from the start: ‖θ₁ − θ_flow(h)‖ per h.
    pub local_error_vs_flow: Vec<Option<f64>>,
    /// One step from the start: ‖θ₁ − Exp(h f)‖ per h.
    pub local_error_vs_riemannian_euler: Vec<Option<f64>>,
    /// Evaluations of the run to T, per h.
    pub evaluations: Vec<Evaluations>,
    /// Wall time of the run to T, per h (seconds).
    pub seconds: Vec<f64>,
    /// Why a run failed, per h (null where it succeeded).
    pub failures: Vec<Option<String>>,
}

/// Fitted slopes (`null` where no asymptotic window exists, e.g. all at the floor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Orders {
    /// Order of convergence to the flow, per chart.
    pub vs_flow: BTreeMap<String, Option<f64>>,
    /// Order of convergence to Riemannian Euler, per chart.
    pub vs_riemannian_euler: BTreeMap<String, Option<f64>>,
    /// Order of the invariance gap.
    pub invariance_gap: Option<f64>,
    /// One-step order against the flow, per chart (global order + 1 for a consistent method).
    pub local_vs_flow: BTreeMap<String, Option<f64>>,
    /// One-step order against the Riemannian Euler step, per chart.
    pub local_vs_riemannian_euler: BTreeMap<String, Option<f64>>,
}

/// The fits behind [`Orders`], with windows and R².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fits {
    /// Per chart.
    pub vs_flow: BTreeMap<String, Option<OrderFit>>,
    /// Per chart.
    pub vs_riemannian_euler: BTreeMap<String, Option<OrderFit>>,
    /// The gap.
    pub invariance_gap: Option<OrderFit>,
}

/// Everything measured for one method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodStudy {
    /// The method.
    pub method: String,
    /// Step sizes h = T/n.
    pub h: Vec<f64>,
    /// One entry per chart.
    pub runs: Vec<ChartRun>,
    /// Largest canonical distance between endpoints of two charts, per h.
    pub invariance_gap: Vec<Option<f64>>,
    /// Largest KL divergence between endpoints of two charts (either direction), per h.
    pub invariance_gap_kl: Vec<Option<f64>>,
    /// Fitted orders.
    pub orders: Orders,
    /// Fit details.
    pub fits: Fits,
}

/// A whole study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderStudy {
    /// The family.
    pub family: String,
    /// The loss's data (file, size, sufficient statistics).
    pub data: SampleSummary,
    /// T.
    pub t_final: f64,
    /// Start (canonical).
    pub start_canonical: Vec<f64>,
    /// α of the connection (`geo`, `geo-f`, `riemannian-euler`; 0 = Levi-Civita).
    #[serde(default)]
    pub alpha: f64,
    /// Chart names.
    pub charts: Vec<String>,
    /// Step counts.
    pub steps: Vec<usize>,
    /// The references.
    pub reference: References,
    /// One entry per method.
    pub methods: Vec<MethodStudy>,
}

/// Result of running one method in one chart for n steps.
struct RunOut {
    endpoint: Result<DVector<f64>>,
    evals: Evaluations,
    seconds: f64,
}

/// Runs `method` for n steps through the argmin solver (the same driver as every other run)
/// on a counting view of `p`, and maps the endpoint to canonical coordinates.
fn run_steps<P: NgProblem + ?Sized>(
    p: &P,
    method: &Method,
    h: f64,
    n: usize,
    xi0: &DVector<f64>,
) -> RunOut {
    let counting = Counting::new(p);
    let t0 = Instant::now();
    let endpoint = Stepper::new(method.clone(), p.dim())
        .and_then(|stepper| run_to_end(&counting, stepper, h, n as u64, xi0.as_slice()))
        .and_then(|x| p.to_canonical(x.as_slice()));
    RunOut {
        endpoint,
        evals: counting.counts(),
        seconds: t0.elapsed().as_secs_f64(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Task {
    /// Method m in chart c with step count index k, to T.
    Global(usize, usize, usize),
    /// One step of method m in chart c with h_k.
    Local(usize, usize, usize),
    /// Riemannian Euler reference to T with h_k.
    ReferenceRe(usize),
    /// One Riemannian Euler step with h_k.
    ReferenceReLocal(usize),
    /// The flow for time h_k.
    ReferenceFlowLocal(usize),
    /// The flow for time T.
    ReferenceFlow,
}

fn validate(cfg: &OrderConfig, n_charts: usize) -> Result<()> {
    let bad = |s: String| Err(Error::InvalidArgument(s));
    if !(cfg.t_final.is_finite() && cfg.t_final > 0.0) {
        return bad(format!(
            "the final time must be positive, got {}",
            cfg.t_final
        ));
    }
    if cfg.steps.is_empty() || cfg.steps.contains(&0) {
        return bad("step counts must be a non-empty list of positive integers".into());
    }
    if cfg.steps.len() < 3 {
        return bad(format!(
            "an order is fitted over at least three step sizes; got {} step count(s)",
            cfg.steps.len()
        ));
    }
    if let Some(n) = cfg.steps.iter().find(|&&n| n > OrderConfig::MAX_STEPS) {
        return bad(format!(
            "step counts may be at most {}, got {n}",
            OrderConfig::MAX_STEPS
        ));
    }
    let mut s = cfg.steps.clone();
    s.sort_unstable();
    s.dedup();
    if s.len() != cfg.steps.len() {
        return bad("step counts must be distinct".into());
    }
    if cfg.methods.is_empty() || n_charts == 0 {
        return bad("an order study needs at least one method and one chart".into());
    }
    let names: Vec<String> = cfg.methods.iter().map(Method::name).collect();
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
    {
        return bad(format!("method '{}' is listed twice", dup.1));
    }
    for tol in [cfg.flow_tol, cfg.riemannian_euler_tol, cfg.floor_rel] {
        if !(tol.is_finite() && tol > 0.0) {
            return bad(format!("tolerances must be positive, got {tol}"));
        }
    }
    Ok(())
}

fn dist(a: &DVector<f64>, b: &DVector<f64>) -> f64 {
    (a - b).norm()
}

/// What an order study measures: the same loss on the same family in several charts.
pub struct StudyInput<'a, P: ?Sized> {
    /// The family's name (for the record).
    pub family: String,
    /// The loss's data (for the record).
    pub data: SampleSummary,
    /// One prebuilt problem per chart; all must share the canonical coordinates.
    pub problems: &'a [&'a P],
    /// A divergence between two canonical parameters, D(p ‖ q) (KL for the families here).
    pub divergence: &'a (dyn Fn(&[f64], &[f64]) -> f64 + Sync),
    /// α of the connection the problems use (for the record).
    pub alpha: f64,
}

/// Runs an order study on prebuilt problems (one per chart). `progress(done, total)` is called
/// after every finished run (from worker threads). Every run goes through the argmin solver.
pub fn order_study<P: NgProblem + Sync + ?Sized>(
    input: &StudyInput<'_, P>,
    cfg: &OrderConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<OrderStudy> {
    let problems = input.problems;
    validate(cfg, problems.len())?;
    let divergence = input.divergence;
    let charts: Vec<String> = problems.iter().map(|p| p.chart_name()).collect();
    {
        let mut sorted = charts.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != charts.len() {
            return Err(Error::InvalidArgument(format!(
                "each chart may appear only once in an order study, got {}",
                charts.join(",")
            )));
        }
    }
    let starts: Vec<DVector<f64>> = problems
        .iter()
        .map(|p| {
            p.to_chart(&cfg.start)
                .map_err(|e| Error::InvalidArgument(format!("--start: {e}")))
        })
        .collect::<Result<_>>()?;
    let hs: Vec<f64> = cfg.steps.iter().map(|&n| cfg.t_final / n as f64).collect();
    let (nm, nc, nk) = (cfg.methods.len(), problems.len(), hs.len());

    let re = Method::RiemannianEuler {
        tol: cfg.riemannian_euler_tol,
    };
    let flow = Method::Flow { tol: cfg.flow_tol };
    // When Riemannian Euler (at the reference tolerance) is itself measured, its runs in the
    // first chart are the reference: reuse them instead of computing them twice.
    let measured_re = cfg.methods.iter().position(|m| *m == re);
    let need_re = cfg.against_riemannian_euler;
    let mut tasks = vec![Task::ReferenceFlow];
    for k in 0..nk {
        tasks.push(Task::ReferenceFlowLocal(k));
        if need_re && measured_re.is_none() {
            tasks.extend([Task::ReferenceRe(k), Task::ReferenceReLocal(k)]);
        }
        for m in 0..nm {
            for c in 0..nc {
                tasks.extend([Task::Global(m, c, k), Task::Local(m, c, k)]);
            }
        }
    }
    // Longest first: small h, expensive methods.
    tasks.sort_by_key(|t| match *t {
        Task::Global(_, _, k) | Task::ReferenceRe(k) => std::cmp::Reverse(cfg.steps[k]),
        _ => std::cmp::Reverse(0),
    });
    let total = tasks.len();
    progress(0, total);
    let done = std::sync::atomic::AtomicUsize::new(0);
    // In parallel (rayon); WebAssembly has no threads, so there the runs go one by one.
    #[cfg(not(target_arch = "wasm32"))]
    let tasks_iter = tasks.par_iter();
    #[cfg(target_arch = "wasm32")]
    let tasks_iter = tasks.iter();
    let results: Vec<(Task, RunOut)> = tasks_iter
        .map(|&task| {
            let out = match task {
                Task::Global(m, c, k) => run_steps(
                    problems[c],
                    &cfg.methods[m],
                    hs[k],
                    cfg.steps[k],
                    &starts[c],
                ),
                Task::Local(m, c, k) => {
                    run_steps(problems[c], &cfg.methods[m], hs[k], 1, &starts[c])
                }
                Task::ReferenceRe(k) => {
                    run_steps(problems[0], &re, hs[k], cfg.steps[k], &starts[0])
                }
                Task::ReferenceReLocal(k) => run_steps(problems[0], &re, hs[k], 1, &starts[0]),
                Task::ReferenceFlowLocal(k) => run_steps(problems[0], &flow, hs[k], 1, &starts[0]),
                Task::ReferenceFlow => run_steps(problems[0], &flow, cfg.t_final, 1, &starts[0]),
            };
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(d, total);
            (task, out)
        })
        .collect();

    // Gather.
    let mut flow_t: Option<Result<DVector<f64>>> = None;
    let mut re_t: Vec<Option<DVector<f64>>> = vec![None; nk];
    let mut re_local: Vec<Option<DVector<f64>>> = vec![None; nk];
    let mut flow_local: Vec<Option<DVector<f64>>> = vec![None; nk];
    let mut global: Vec<Option<RunOut>> = (0..nm * nc * nk).map(|_| None).collect();
    let mut local: Vec<Option<DVector<f64>>> = vec![None; nm * nc * nk];
    let idx = |m: usize, c: usize, k: usize| (m * nc + c) * nk + k;
    for (task, out) in results {
        match task {
            Task::ReferenceFlow => flow_t = Some(out.endpoint),
            Task::ReferenceRe(k) => re_t[k] = out.endpoint.ok(),
            Task::ReferenceReLocal(k) => re_local[k] = out.endpoint.ok(),
            Task::ReferenceFlowLocal(k) => flow_local[k] = out.endpoint.ok(),
            Task::Global(m, c, k) => global[idx(m, c, k)] = Some(out),
            Task::Local(m, c, k) => local[idx(m, c, k)] = out.endpoint.ok(),
        }
    }
    if let Some(m) = measured_re.filter(|_| need_re) {
        for k in 0..nk {
            let run = global[idx(m, 0, k)].as_ref().expect("every run ran");
            re_t[k] = run.endpoint.as_ref().ok().cloned();
            re_local[k] = local[idx(m, 0, k)].clone();
        }
    }
    let flow_t = flow_t.expect("the flow reference ran").map_err(|e| {
        Error::Solver(format!(
            "the flow reference to T = {} failed: {e}",
            cfg.t_final
        ))
    })?;
    let floor = cfg.floor_rel * flow_t.norm().max(1.0);
    let vs = |x: &Option<DVector<f64>>, r: &Option<DVector<f64>>| match (x, r) {
        (Some(x), Some(r)) => Some(dist(x, r)),
        _ => None,
    };

    let mut methods = Vec::with_capacity(nm);
    for (m, method) in cfg.methods.iter().enumerate() {
        let mut runs = Vec::with_capacity(nc);
        for (c, chart) in charts.iter().enumerate() {
            let mut run = ChartRun {
                chart: chart.clone(),
                endpoint_canonical: vec![],
                error_vs_flow: vec![],
                kl_vs_flow: vec![],
                error_vs_riemannian_euler: vec![],
                local_error_vs_flow: vec![],
                local_error_vs_riemannian_euler: vec![],
                evaluations: vec![],
                seconds: vec![],
                failures: vec![],
            };
            for k in 0..nk {
                let out = global[idx(m, c, k)].take().expect("every run ran");
                let end = match out.endpoint {
                    Ok(e) => {
                        run.failures.push(None);
                        Some(e)
                    }
                    Err(e) => {
                        run.failures.push(Some(e.to_string()));
                        None
                    }
                };
                run.error_vs_flow
                    .push(end.as_ref().map(|e| dist(e, &flow_t)));
                run.kl_vs_flow.push(
                    end.as_ref()
                        .map(|e| divergence(flow_t.as_slice(), e.as_slice())),
                );
                run.error_vs_riemannian_euler.push(vs(&end, &re_t[k]));
                run.local_error_vs_flow
                    .push(vs(&local[idx(m, c, k)], &flow_local[k]));
                run.local_error_vs_riemannian_euler
                    .push(vs(&local[idx(m, c, k)], &re_local[k]));
                run.endpoint_canonical
                    .push(end.map(|e| e.iter().copied().collect()));
                run.evaluations.push(out.evals);
                run.seconds.push(out.seconds);
            }
            runs.push(run);
        }
        let mut gap = Vec::with_capacity(nk);
        let mut gap_kl = Vec::with_capacity(nk);
        for k in 0..nk {
            let ends: Option<Vec<DVector<f64>>> = runs
                .iter()
                .map(|r| {
                    r.endpoint_canonical[k]
                        .as_ref()
                        .map(|v| DVector::from_column_slice(v))
                })
                .collect();
            match ends {
                Some(ends) if ends.len() >= 2 => {
                    let (mut g, mut gk) = (0.0f64, 0.0f64);
                    for i in 0..ends.len() {
                        for j in 0..ends.len() {
                            if i != j {
                                g = g.max(dist(&ends[i], &ends[j]));
                                gk = gk.max(divergence(ends[i].as_slice(), ends[j].as_slice()));
                            }
                        }
                    }
                    gap.push(Some(g));
                    gap_kl.push(Some(gk));
                }
                _ => {
                    gap.push(None);
                    gap_kl.push(None);
                }
            }
        }
        let per_chart =
            |f: &dyn Fn(&ChartRun) -> &Vec<Option<f64>>| -> BTreeMap<String, Option<OrderFit>> {
                runs.iter()
                    .map(|r| (r.chart.clone(), fit_order(&hs, f(r), floor)))
                    .collect()
            };
        let fits = Fits {
            vs_flow: per_chart(&|r| &r.error_vs_flow),
            vs_riemannian_euler: per_chart(&|r| &r.error_vs_riemannian_euler),
            invariance_gap: fit_order(&hs, &gap, floor),
        };
        let slopes = |f: &BTreeMap<String, Option<OrderFit>>| -> BTreeMap<String, Option<f64>> {
            f.iter()
                .map(|(k, v)| (k.clone(), v.as_ref().map(|v| v.slope)))
                .collect()
        };
        let local_fit =
            |f: &dyn Fn(&ChartRun) -> &Vec<Option<f64>>| -> BTreeMap<String, Option<f64>> {
                runs.iter()
                    .map(|r| {
                        (
                            r.chart.clone(),
                            fit_order(&hs, f(r), floor).map(|v| v.slope),
                        )
                    })
                    .collect()
            };
        let orders = Orders {
            vs_flow: slopes(&fits.vs_flow),
            vs_riemannian_euler: slopes(&fits.vs_riemannian_euler),
            invariance_gap: fits.invariance_gap.as_ref().map(|f| f.slope),
            local_vs_flow: local_fit(&|r| &r.local_error_vs_flow),
            local_vs_riemannian_euler: local_fit(&|r| &r.local_error_vs_riemannian_euler),
        };
        methods.push(MethodStudy {
            method: method.name(),
            h: hs.clone(),
            runs,
            invariance_gap: gap,
            invariance_gap_kl: gap_kl,
            orders,
            fits,
        });
    }
    Ok(OrderStudy {
        family: input.family.clone(),
        data: input.data.clone(),
        t_final: cfg.t_final,
        start_canonical: cfg.start.clone(),
        alpha: input.alpha,
        charts,
        steps: cfg.steps.clone(),
        reference: References {
            flow_endpoint_canonical: flow_t.iter().copied().collect(),
            flow_tol: cfg.flow_tol,
            riemannian_euler_endpoint_canonical: re_t
                .iter()
                .map(|r| r.as_ref().map(|v| v.iter().copied().collect()))
                .collect(),
            riemannian_euler_tol: cfg.riemannian_euler_tol,
            floor,
            floor_rel: cfg.floor_rel,
            slope_agreement: super::fit::SLOPE_AGREEMENT,
            against_riemannian_euler: need_re,
        },
        methods,
    })
}
