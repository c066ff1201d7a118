//! The paper's reinforcement-learning figure, on natflow's own control tasks: mean episode
//! return against environment steps for natural policy gradient (`npg`) and its midpoint
//! (`mid`) and geodesic (`geo`, `geo-f`) corrections, over seeds.
//!
//! The paper ran ACKTR (K-FAC Fisher) on MuJoCo tasks for 10⁶ steps; natflow uses exact
//! Fisher-vector products by conjugate gradient on the Gymnasium classic-control tasks, for
//! fewer steps (see [`Fig4Config::default`]).

use crate::error::{Error, Result};
use crate::rl::env::EnvName;
use crate::rl::npg::{PgMethod, RlConfig, UpdateRecord, train_rl};
use serde::{Deserialize, Serialize};

/// Settings of the experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig4Config {
    /// Environments.
    pub envs: Vec<EnvName>,
    /// Methods.
    pub methods: Vec<PgMethod>,
    /// Seeds 0…seeds−1.
    pub seeds: u64,
    /// Environment steps per run (none: each environment's default, [`default_steps`]).
    pub steps: Option<usize>,
    /// Steps per batch (none: the environment's default, [`RlConfig::new`]).
    pub batch_steps: Option<usize>,
    /// KL trust radius δ (none: the environment's default).
    pub delta: Option<f64>,
    /// α of the connection of geo and geo-f.
    pub alpha: f64,
}

impl Default for Fig4Config {
    /// The four Gymnasium tasks, the four methods, 5 seeds, each task's default length, batch
    /// size and trust radius (2,500 steps and δ = 0.01 for the Gymnasium tasks), α = 0.
    fn default() -> Self {
        Self {
            envs: vec![
                EnvName::Pendulum,
                EnvName::MountainCarContinuous,
                EnvName::CartPole,
                EnvName::Acrobot,
            ],
            methods: PgMethod::ALL.to_vec(),
            seeds: 5,
            steps: None,
            batch_steps: None,
            delta: None,
            alpha: 0.0,
        }
    }
}

/// Each environment's default run length in the figure (about six minutes for the whole
/// default figure on two cores): 100,000 steps (40 updates) for Pendulum and CartPole, where
/// every method has levelled off by then, 200,000 for MountainCarContinuous and Acrobot, and
/// 3,000,000 (300 updates of 10,000) for lqr, as `natflow rl train`.
pub fn default_steps(env: EnvName) -> usize {
    match env {
        EnvName::Lqr => 3_000_000,
        EnvName::Pendulum | EnvName::CartPole => 100_000,
        EnvName::MountainCarContinuous | EnvName::Acrobot => 200_000,
    }
}

/// One run's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig4Run {
    /// The method.
    pub method: PgMethod,
    /// The seed.
    pub seed: u64,
    /// Steps after each update.
    pub timesteps: Vec<usize>,
    /// Mean return of the episodes completed in each batch (null when none completed).
    pub mean_return: Vec<Option<f64>>,
    /// KL divergence of each update.
    pub kl: Vec<f64>,
    /// Seconds since the start of the run, after each update.
    pub wall_s: Vec<f64>,
    /// `lqr`: the cost of the mean policy after each update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<Vec<f64>>,
}

/// One environment's runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig4Env {
    /// The environment.
    pub env: EnvName,
    /// Steps per run.
    pub steps: usize,
    /// Steps per batch.
    pub batch_steps: usize,
    /// Trust radius δ.
    pub delta: f64,
    /// `lqr`: the Riccati optimum J*.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimal_cost: Option<f64>,
    /// Runs, method by method, seed by seed.
    pub runs: Vec<Fig4Run>,
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig4Record {
    /// The experiment's settings.
    pub config: Fig4Config,
    /// The settings every run shares (of the first environment; γ differs for lqr).
    pub train: RlConfig,
    /// Per environment.
    pub envs: Vec<Fig4Env>,
}

fn check(cfg: &Fig4Config) -> Result<()> {
    if cfg.envs.is_empty() || cfg.methods.is_empty() {
        return Err(Error::InvalidArgument(
            "fig4: give at least one environment and one method".into(),
        ));
    }
    for (i, e) in cfg.envs.iter().enumerate() {
        if cfg.envs[..i].contains(e) {
            return Err(Error::InvalidArgument(format!(
                "fig4: environment {} given twice",
                e.name()
            )));
        }
    }
    for (i, m) in cfg.methods.iter().enumerate() {
        if cfg.methods[..i].contains(m) {
            return Err(Error::InvalidArgument(format!(
                "fig4: method {} given twice",
                m.name()
            )));
        }
    }
    if cfg.seeds == 0 {
        return Err(Error::InvalidArgument(
            "fig4: need at least one seed".into(),
        ));
    }
    Ok(())
}

/// The training settings of one run.
pub fn run_config(cfg: &Fig4Config, env: EnvName, method: PgMethod, seed: u64) -> RlConfig {
    let defaults = RlConfig::new(env, method);
    RlConfig {
        seed,
        steps: cfg.steps.unwrap_or_else(|| default_steps(env)),
        batch_steps: cfg.batch_steps.unwrap_or(defaults.batch_steps),
        delta: cfg.delta.unwrap_or(defaults.delta),
        alpha: cfg.alpha,
        ..defaults
    }
}

/// Runs every environment × method × seed (runs in parallel on the rayon pool; each run is
/// deterministic given its seed). `progress(done, total)` counts finished runs.
pub fn run_fig4(cfg: &Fig4Config, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Fig4Record> {
    use rayon::prelude::*;
    check(cfg)?;
    let jobs: Vec<(EnvName, PgMethod, u64)> = cfg
        .envs
        .iter()
        .flat_map(|&e| {
            cfg.methods
                .iter()
                .flat_map(move |&m| (0..cfg.seeds).map(move |s| (e, m, s)))
        })
        .collect();
    // Validate every run's settings before any work.
    for &(e, m, s) in &jobs {
        let c = run_config(cfg, e, m, s);
        if c.steps < c.batch_steps {
            return Err(Error::InvalidArgument(format!(
                "fig4: --steps ({}) must be at least one batch ({} steps)",
                c.steps, c.batch_steps
            )));
        }
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = jobs.len();
    progress(0, total);
    let results: Vec<Result<(Fig4Run, Option<f64>)>> = jobs
        .par_iter()
        .map(|&(e, m, s)| {
            let run = train_rl(&run_config(cfg, e, m, s), &mut |_: &UpdateRecord| {})?;
            progress(
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1,
                total,
            );
            let h = &run.history;
            Ok((
                Fig4Run {
                    method: m,
                    seed: s,
                    timesteps: h.iter().map(|r| r.timesteps).collect(),
                    mean_return: h.iter().map(|r| r.mean_return).collect(),
                    kl: h.iter().map(|r| r.kl).collect(),
                    wall_s: h.iter().map(|r| r.wall_s).collect(),
                    cost: (e == EnvName::Lqr)
                        .then(|| h.iter().map(|r| r.cost.unwrap_or(f64::NAN)).collect()),
                },
                run.lqr.map(|l| l.optimal_cost),
            ))
        })
        .collect();
    let mut results = results.into_iter();
    let mut envs = vec![];
    for &env in &cfg.envs {
        let mut runs = vec![];
        let mut optimal_cost = None;
        for _ in 0..cfg.methods.len() * cfg.seeds as usize {
            let (run, opt) = results.next().expect("one result per job")?;
            optimal_cost = optimal_cost.or(opt);
            runs.push(run);
        }
        let c = run_config(cfg, env, cfg.methods[0], 0);
        envs.push(Fig4Env {
            env,
            steps: c.steps,
            batch_steps: c.batch_steps,
            delta: c.delta,
            optimal_cost,
            runs,
        });
    }
    Ok(Fig4Record {
        config: cfg.clone(),
        train: run_config(cfg, cfg.envs[0], cfg.methods[0], 0),
        envs,
    })
}
