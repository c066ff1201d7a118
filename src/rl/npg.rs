//! Natural policy gradient with midpoint and geodesic correction, under a KL trust radius.
//!
//! Each update collects a batch of steps with the current policy π_θ, estimates advantages
//! Âₙ by GAE(γ, λ) with a fitted value baseline (standardised over the batch), and forms the
//! policy gradient g = (1/N) Σₙ Âₙ ∇ ln π_θ(aₙ|sₙ) and the Fisher metric F of the policy on
//! the batch's states ([`super::policy`]). With x = (F + εI)⁻¹g by conjugate gradient (Fisher-
//! vector products only) and the trust radius δ setting the step size h = √(2δ / xᵀFx) (so the
//! natural step s = hx has ½sᵀFs = δ, the KL divergence to second order), the methods are, for
//! the ascent flow dθ/dt = F⁻¹g:
//!
//! - `npg`: θ′ = θ + h x (Kakade 2002; the Euler step).
//! - `mid`: the midpoint rule on the same batch: θ½ = θ + ½h x; at θ½ the surrogate gradient
//!   g½ = (1/N) Σₙ Âₙ ρₙ ∇ ln π_θ½(aₙ|sₙ) with importance weights ρₙ = π_θ½(aₙ|sₙ)/π_θ(aₙ|sₙ)
//!   and x½ = (F(θ½) + εI)⁻¹g½; θ′ = θ + h x½.
//! - `geo`: geodesic correction, θ′ = θ + h x − ½h² Γ_α(x, x), Γ_α(x, x) = (F + εI)⁻¹c_α(x)
//!   (a second solve), with h chosen so that the whole corrected step has ½sᵀFs = δ
//!   ([`geodesic_step_size`]; with the uncorrected h the correction, noisy on small batches,
//!   can push the KL well past δ).
//! - `geo-f`: the faster correction with the previous update s₋ as the velocity in Γ, folded
//!   into the one solve as in the paper's code: θ + h x − ½Γ_α(s₋, s₋) = θ + h (F + εI)⁻¹
//!   (g − c_α(s₋)/(2h)) with h ≈ h₋, the previous step size; the direction
//!   x̃ = (F + εI)⁻¹(g − c_α(s₋)/(2h₋)) is then scaled to the trust radius like x (the first
//!   update is `npg`).
//!
//! Every step then passes a backtracking check on the measured KL divergence (TRPO's
//! safeguard, Schulman et al. 2015): while the mean KL from π_θ to π_θ′ over the batch's states
//! exceeds 1.5δ, h shrinks by 0.8 (the whole step s(h), geodesic shape included). The
//! quadratic model ½sᵀFs = δ holds to second order only; on small batches the `geo` and `mid`
//! steps can leave it, and the count of backtracks is recorded with each update.
//!
//! Same names and meanings as the 2-D methods and the network trainer (Song, Song & Ermon
//! 2018, Algorithm 1 and §5.3).

use super::env::lqr::{LqrMatrices, LqrSystem};
use super::env::{EnvName, Episode};
use super::gae::gae;
use super::policy::{Policy, PolicyWorkspace};
use super::rollout::Collector;
use super::value::{ValueConfig, ValueFunction};
use crate::error::{Error, Result, parse_named};
use crate::linalg::{CgOptions, CgWorkspace, conjugate_gradient};
use crate::nn::{Activation, Dataset, Workspace};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// A policy-update method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PgMethod {
    /// Natural policy gradient (Euler).
    #[serde(rename = "npg")]
    Npg,
    /// Midpoint rule.
    #[serde(rename = "mid")]
    Mid,
    /// Geodesic correction with a second solve.
    #[serde(rename = "geo")]
    Geo,
    /// Faster geodesic correction from the previous update.
    #[serde(rename = "geo-f")]
    GeoF,
}

impl PgMethod {
    /// Every method.
    pub const ALL: [PgMethod; 4] = [PgMethod::Npg, PgMethod::Mid, PgMethod::Geo, PgMethod::GeoF];

    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            PgMethod::Npg => "npg",
            PgMethod::Mid => "mid",
            PgMethod::Geo => "geo",
            PgMethod::GeoF => "geo-f",
        }
    }

    /// Parses a name.
    pub fn parse(name: &str) -> Result<Self> {
        parse_named("policy-gradient method", name, &Self::ALL, Self::name)
    }
}

/// Settings of a natural-policy-gradient run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RlConfig {
    /// The environment.
    pub env: EnvName,
    /// The update method.
    pub method: PgMethod,
    /// Seed of everything random (initialisation, resets, actions, minibatches).
    pub seed: u64,
    /// Total environment steps.
    pub steps: usize,
    /// Steps per batch (per update).
    pub batch_steps: usize,
    /// Discount γ.
    pub gamma: f64,
    /// GAE λ.
    pub lambda: f64,
    /// KL trust radius δ.
    pub delta: f64,
    /// α of the connection (`geo`, `geo-f`).
    pub alpha: f64,
    /// Conjugate-gradient iterations per solve.
    pub cg_iters: usize,
    /// Damping ε of the solves (F + εI)x = b.
    pub damping: f64,
    /// Hidden layers of the policy network (empty: a linear policy).
    pub policy_hidden: Vec<usize>,
    /// Hidden layers of the value network.
    pub value_hidden: Vec<usize>,
    /// Activation of the hidden layers.
    pub activation: Activation,
    /// The value fit.
    pub value: ValueConfig,
    /// The LQR system (for `lqr`).
    pub lqr: Option<LqrSystem>,
}

impl RlConfig {
    /// The paper's code's defaults (batches of 2,500 steps, γ = 0.99, λ = 0.97, δ = 0.01,
    /// 64-64 tanh policy and value networks), 10 CG iterations with damping 10⁻²; 10⁶ steps.
    /// For `lqr`: its default system, its own γ, a linear policy, and batches of 10,000 steps
    /// with δ = 0.002 for 3·10⁶ steps — a trust-region step has a fixed KL length, so near the
    /// optimum the policy moves by noise-sized steps until its σ shrinks; with the Gym
    /// defaults the cost stalls 5–10 % above the optimum (see the README).
    pub fn new(env: EnvName, method: PgMethod) -> Self {
        let lqr = (env == EnvName::Lqr).then(LqrSystem::default);
        let is_lqr = lqr.is_some();
        Self {
            env,
            method,
            seed: 0,
            steps: if is_lqr { 3_000_000 } else { 1_000_000 },
            batch_steps: if is_lqr { 10_000 } else { 2500 },
            gamma: lqr.as_ref().map_or(0.99, |s| s.gamma),
            lambda: 0.97,
            delta: if is_lqr { 0.002 } else { 0.01 },
            alpha: 0.0,
            cg_iters: 10,
            damping: 1e-2,
            policy_hidden: if lqr.is_some() { vec![] } else { vec![64, 64] },
            value_hidden: vec![64, 64],
            activation: Activation::Tanh,
            value: ValueConfig::default(),
            lqr,
        }
    }

    fn check(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::InvalidArgument(what.to_string()));
        if self.batch_steps < 2 {
            return bad("rl: batches need at least 2 steps");
        }
        if self.steps < self.batch_steps {
            return Err(Error::InvalidArgument(format!(
                "rl: --steps ({}) must be at least one batch ({} steps)",
                self.steps, self.batch_steps
            )));
        }
        if !(self.gamma > 0.0 && self.gamma < 1.0 && (0.0..=1.0).contains(&self.lambda)) {
            return bad("rl: need 0 < γ < 1 and 0 ≤ λ ≤ 1");
        }
        if !(self.delta.is_finite() && self.delta > 0.0) {
            return bad("rl: the trust radius δ must be positive");
        }
        if !self.alpha.is_finite() {
            return bad("rl: α must be a finite number");
        }
        if self.cg_iters == 0 || !(self.damping.is_finite() && self.damping >= 0.0) {
            return bad("rl: need at least one CG iteration and damping ≥ 0");
        }
        if self.env == EnvName::Lqr && self.lqr.is_none() {
            return bad("rl: lqr needs its system");
        }
        Ok(())
    }
}

/// The measured KL divergence an update may reach, in units of δ, before its step is shrunk.
pub const KL_TOLERANCE: f64 = 1.5;

/// Products an update used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PgProducts {
    /// Weighted-score (policy-gradient) products.
    pub score: usize,
    /// Fisher-vector products.
    pub fisher_vector: usize,
    /// Connection products c_α(v).
    pub connection: usize,
}

/// One update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateRecord {
    /// Update number, from 1.
    pub update: usize,
    /// Environment steps so far (after this batch).
    pub timesteps: usize,
    /// Mean undiscounted return of the episodes completed in the batch (none completed: null).
    pub mean_return: Option<f64>,
    /// Episodes completed in the batch.
    pub episodes: usize,
    /// KL(π_θ ‖ π_θ′) averaged over the batch's states.
    pub kl: f64,
    /// The step size h (after any backtracking).
    pub step_size: f64,
    /// Times h was shrunk (× 0.8) because the measured KL exceeded 1.5δ.
    pub kl_backtracks: usize,
    /// Conjugate-gradient iterations.
    pub cg_iterations: usize,
    /// Products used.
    pub products: PgProducts,
    /// Seconds since the start of training.
    pub wall_s: f64,
    /// `lqr`: the expected discounted cost of the updated policy's mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// The LQR's optimum and the run's result on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct LqrReport {
    /// The system (its fields A, B, Q, R, gamma, x0_cov, noise_cov, horizon, at this level).
    #[serde(flatten)]
    pub system: LqrSystem,
    /// J* from the Riccati equation.
    pub optimal_cost: f64,
    /// The optimal gain K (u = −Kx), rows.
    pub K_opt: Vec<Vec<f64>>,
    /// The cost of the initial policy's mean.
    pub initial_cost: f64,
    /// The cost of the final policy's mean.
    pub final_cost: f64,
    /// The first update whose policy's cost is within 1 % of J* (none: null).
    pub updates_to_1pct: Option<usize>,
    /// The final policy's gain −W (rows), to compare with K_opt.
    pub K_final: Vec<Vec<f64>>,
}

/// A run: its settings, records and (for `lqr`) the optimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RlRun {
    /// Settings.
    pub config: RlConfig,
    /// Policy parameters.
    pub n_params: usize,
    /// Every update.
    pub history: Vec<UpdateRecord>,
    /// `lqr` only: the system, the Riccati optimum and the final cost, at the top level of the
    /// JSON.
    #[serde(flatten)]
    pub lqr: Option<LqrReport>,
    /// The final policy parameters.
    pub theta: Vec<f64>,
}

/// The LQR cost of a linear policy's mean (u = W x + b), when the policy is linear.
fn linear_policy_cost(policy: &Policy, theta: &[f64], m: &LqrMatrices) -> Result<Option<f64>> {
    if policy.net.layers.len() != 1 {
        return Ok(None);
    }
    let (w, b) = policy.net.layer_params(policy.split(theta).0, 0);
    let layer = policy.net.layers[0];
    let w = DMatrix::from_row_slice(layer.n_out, layer.n_in, w);
    match m.policy_cost(&w, &DVector::from_column_slice(b)) {
        Ok(c) => Ok(Some(c)),
        Err(_) => Ok(Some(f64::INFINITY)),
    }
}

struct Solver<'a> {
    policy: &'a Policy,
    batch: &'a Dataset,
    ws: PolicyWorkspace,
    cg: CgWorkspace,
    opts: CgOptions,
    products: PgProducts,
    cg_iterations: usize,
}

impl Solver<'_> {
    /// (F(θ) + εI)⁻¹ b by conjugate gradient from 0.
    fn solve(&mut self, theta: &[f64], b: &[f64]) -> Result<Vec<f64>> {
        let mut x = vec![0.0; b.len()];
        let (policy, batch) = (self.policy, self.batch);
        let ws = &mut self.ws;
        let count = &mut self.products.fisher_vector;
        let report = conjugate_gradient(
            |v, out| {
                *count += 1;
                policy.fisher_vector(theta, batch, v, ws, out)
            },
            b,
            &mut x,
            None,
            self.opts,
            &mut self.cg,
        )?;
        self.cg_iterations += report.iterations;
        Ok(x)
    }

    /// F(θ)v.
    fn fisher(&mut self, theta: &[f64], v: &[f64]) -> Result<Vec<f64>> {
        let mut fv = vec![0.0; v.len()];
        self.products.fisher_vector += 1;
        self.policy
            .fisher_vector(theta, self.batch, v, &mut self.ws, &mut fv)?;
        Ok(fv)
    }

    fn score(&mut self, theta: &[f64], weights: &[f64]) -> Result<Vec<f64>> {
        let mut g = vec![0.0; theta.len()];
        self.products.score += 1;
        self.policy
            .weighted_score(theta, self.batch, weights, &mut self.ws, &mut g)?;
        Ok(g)
    }

    fn connection(&mut self, theta: &[f64], v: &[f64], alpha: f64) -> Result<Vec<f64>> {
        let mut c = vec![0.0; theta.len()];
        self.products.connection += 1;
        self.policy
            .connection_vector(theta, self.batch, v, alpha, &mut self.ws, &mut c)?;
        Ok(c)
    }

    /// The trust-region step size for direction x: √(2δ / xᵀFx) (0 for a zero direction),
    /// and F x.
    fn step_size(&mut self, theta: &[f64], x: &[f64], delta: f64) -> Result<(f64, Vec<f64>)> {
        let fx = self.fisher(theta, x)?;
        let q = dot(x, &fx);
        let h = if q > 0.0 && q.is_finite() {
            (2.0 * delta / q).sqrt()
        } else {
            0.0
        };
        Ok((h, fx))
    }
}

/// The step size h of the geodesic step s(h) = hx − ½h²y with ½ s(h)ᵀF s(h) = δ, the
/// trust radius applied to the whole corrected step: with a = xᵀFx, b = xᵀFy, c = yᵀFy,
/// q(h) = ½sᵀFs = ½(h²a − h³b + ¼h⁴c) (a quartic, q → ∞). The smallest positive root: the
/// first of 1,000 grid points on (0, H] with q ≥ δ, H the first of √(2δ/a)·2ᵏ where q ≥ δ,
/// then bisection inside that grid cell (no further products). 0 for a zero direction.
pub fn geodesic_step_size(a: f64, b: f64, c: f64, delta: f64) -> f64 {
    if !(a > 0.0 && a.is_finite() && b.is_finite() && c.is_finite()) {
        return 0.0;
    }
    let q = |h: f64| 0.5 * h * h * (a - h * b + 0.25 * h * h * c);
    let mut top = (2.0 * delta / a).sqrt();
    for _ in 0..60 {
        if q(top) >= delta {
            break;
        }
        top *= 2.0;
    }
    let cells = 1000;
    let (mut lo, mut hi) = (0.0, top);
    for k in 1..=cells {
        let h = top * k as f64 / cells as f64;
        if q(h) >= delta {
            hi = h;
            break;
        }
        lo = h;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if q(mid) < delta {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Trains a policy by the configured method; `progress` sees every update.
pub fn train_rl(cfg: &RlConfig, progress: &mut dyn FnMut(&UpdateRecord)) -> Result<RlRun> {
    use rand::SeedableRng;
    cfg.check()?;
    let env = match (&cfg.lqr, cfg.env) {
        (Some(sys), EnvName::Lqr) => {
            Box::new(super::env::lqr::Lqr::new(sys.clone())?) as Box<dyn super::env::Environment>
        }
        _ => cfg.env.make(),
    };
    let lqr = match (&cfg.lqr, cfg.env) {
        (Some(sys), EnvName::Lqr) => Some((sys.clone(), sys.matrices()?)),
        _ => None,
    };
    let obs_dim = env.observation_dim();
    let policy = Policy::new(
        obs_dim,
        &env.action_space(),
        &cfg.policy_hidden,
        cfg.activation,
    )?;
    let mut theta = policy.init(cfg.seed);
    let mut value = ValueFunction::new(
        obs_dim,
        &cfg.value_hidden,
        cfg.activation,
        cfg.value,
        cfg.seed ^ 0x005e_ed0f_0a1e,
    )?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(cfg.seed);
    let mut collector = Collector::new(Episode::new(env), &policy, &mut rng);
    let n = cfg.batch_steps;
    let mut value_ws = Workspace::new(&value.net, n);
    let initial_cost = match &lqr {
        Some((_, m)) => linear_policy_cost(&policy, &theta, m)?,
        None => None,
    };
    let start = Instant::now();
    let mut history = vec![];
    let mut previous: Option<(Vec<f64>, f64)> = None;
    let updates = cfg.steps / n;
    let mut timesteps = 0;
    for update in 1..=updates {
        let batch = collector.collect(&policy, &theta, n, &mut rng)?;
        timesteps += n;
        // Advantages with the current value function.
        let mut values = vec![0.0; n];
        let states = Dataset {
            n,
            input_dim: obs_dim,
            target_dim: 1,
            x: batch.data.x.clone(),
            y: vec![0.0; n],
        };
        value.predict(&states, &mut value_ws, &mut values)?;
        let n_boot = batch.bootstrap.len() / obs_dim;
        let mut boot_values = vec![0.0; n_boot];
        if n_boot > 0 {
            let boot = Dataset {
                n: n_boot,
                input_dim: obs_dim,
                target_dim: 1,
                x: batch.bootstrap.clone(),
                y: vec![0.0; n_boot],
            };
            let mut ws = Workspace::new(&value.net, n_boot);
            value.predict(&boot, &mut ws, &mut boot_values)?;
        }
        let (adv, returns) = gae(
            &batch.rewards,
            &values,
            &batch.step_ends(&boot_values),
            cfg.gamma,
            cfg.lambda,
        )?;
        let mean = adv.iter().sum::<f64>() / n as f64;
        let sd = (adv.iter().map(|a| (a - mean) * (a - mean)).sum::<f64>() / n as f64).sqrt();
        let weights: Vec<f64> = adv.iter().map(|a| (a - mean) / (sd + 1e-8)).collect();
        // The policy update.
        let mut solver = Solver {
            policy: &policy,
            batch: &batch.data,
            ws: PolicyWorkspace::new(&policy, n),
            cg: CgWorkspace::new(theta.len()),
            opts: CgOptions {
                damping: cfg.damping,
                rel_tol: 1e-10,
                max_iters: cfg.cg_iters,
            },
            products: PgProducts::default(),
            cg_iterations: 0,
        };
        let g = solver.score(&theta, &weights)?;
        // The step as s(h) = h·d − ½h²·y (y = 0 except for geo) and its h.
        let (d, y, h) = match (cfg.method, &previous) {
            (PgMethod::GeoF, Some((s_prev, h_prev))) if *h_prev > 0.0 => {
                let c = solver.connection(&theta, s_prev, cfg.alpha)?;
                let rhs: Vec<f64> = g
                    .iter()
                    .zip(&c)
                    .map(|(g, c)| g - c / (2.0 * h_prev))
                    .collect();
                let x = solver.solve(&theta, &rhs)?;
                let (h, _) = solver.step_size(&theta, &x, cfg.delta)?;
                (x, None, h)
            }
            _ => {
                let x = solver.solve(&theta, &g)?;
                let (h, fx) = solver.step_size(&theta, &x, cfg.delta)?;
                match cfg.method {
                    PgMethod::Npg | PgMethod::GeoF => (x, None, h),
                    PgMethod::Geo => {
                        let c = solver.connection(&theta, &x, cfg.alpha)?;
                        let y = solver.solve(&theta, &c)?;
                        let fy = solver.fisher(&theta, &y)?;
                        let h =
                            geodesic_step_size(dot(&x, &fx), dot(&x, &fy), dot(&y, &fy), cfg.delta);
                        (x, Some(y), h)
                    }
                    PgMethod::Mid => {
                        let half: Vec<f64> =
                            theta.iter().zip(&x).map(|(t, x)| t + 0.5 * h * x).collect();
                        let mut lp = vec![0.0; n];
                        let mut lp_half = vec![0.0; n];
                        policy.log_probs(&theta, &batch.data, &mut solver.ws, &mut lp)?;
                        policy.log_probs(&half, &batch.data, &mut solver.ws, &mut lp_half)?;
                        let w_half: Vec<f64> = weights
                            .iter()
                            .zip(lp.iter().zip(&lp_half))
                            .map(|(w, (a, b))| w * (b - a).exp())
                            .collect();
                        let g_half = solver.score(&half, &w_half)?;
                        let x_half = solver.solve(&half, &g_half)?;
                        (x_half, None, h)
                    }
                }
            }
        };
        let step_at = |h: f64| -> Vec<f64> {
            match &y {
                Some(y) => d
                    .iter()
                    .zip(y)
                    .map(|(d, y)| h * d - 0.5 * h * h * y)
                    .collect(),
                None => d.iter().map(|d| h * d).collect(),
            }
        };
        // Backtracking on the measured KL (as TRPO's line search): while the new policy is
        // more than 1.5δ from the old one, h × 0.8 (at most 30 times).
        let (mut h, mut kl_backtracks) = (h, 0);
        let (step, new_theta, kl) = loop {
            let step = step_at(h);
            if step.iter().any(|s| !s.is_finite()) {
                return Err(Error::InvalidArgument(format!(
                    "rl: update {update} produced a non-finite step; lower the trust radius δ or raise the damping"
                )));
            }
            let new_theta: Vec<f64> = theta.iter().zip(&step).map(|(t, s)| t + s).collect();
            let kl = policy.mean_kl(&theta, &new_theta, &batch.data, &mut solver.ws)?;
            if kl <= KL_TOLERANCE * cfg.delta || kl_backtracks == 30 {
                break (step, new_theta, kl);
            }
            h *= 0.8;
            kl_backtracks += 1;
        };
        let (products, cg_iterations) = (solver.products, solver.cg_iterations);
        theta = new_theta;
        previous = Some((step, h));
        // The value function on this batch's returns.
        value.fit(&batch.data.x, &returns, &mut rng)?;
        let cost = match &lqr {
            Some((_, m)) => linear_policy_cost(&policy, &theta, m)?,
            None => None,
        };
        let episodes = batch.episode_returns.len();
        let rec = UpdateRecord {
            update,
            timesteps,
            mean_return: (episodes > 0)
                .then(|| batch.episode_returns.iter().sum::<f64>() / episodes as f64),
            episodes,
            kl,
            step_size: h,
            kl_backtracks,
            cg_iterations,
            products,
            wall_s: start.elapsed().as_secs_f64(),
            cost,
        };
        progress(&rec);
        history.push(rec);
    }
    let lqr_report = match lqr {
        Some((system, m)) => {
            let opt = m.riccati()?;
            let rows = |mat: &DMatrix<f64>| -> Vec<Vec<f64>> {
                (0..mat.nrows())
                    .map(|i| mat.row(i).iter().copied().collect())
                    .collect()
            };
            let final_cost = linear_policy_cost(&policy, &theta, &m)?.unwrap_or(f64::NAN);
            let k_final = if policy.net.layers.len() == 1 {
                let layer = policy.net.layers[0];
                let (w, _) = policy.net.layer_params(policy.split(&theta).0, 0);
                rows(&(-DMatrix::from_row_slice(layer.n_out, layer.n_in, w)))
            } else {
                vec![]
            };
            Some(LqrReport {
                system,
                optimal_cost: opt.cost,
                K_opt: rows(&opt.k),
                initial_cost: initial_cost.unwrap_or(f64::NAN),
                final_cost,
                updates_to_1pct: history
                    .iter()
                    .find(|r| r.cost.is_some_and(|c| c <= 1.01 * opt.cost))
                    .map(|r| r.update),
                K_final: k_final,
            })
        }
        None => None,
    };
    Ok(RlRun {
        config: cfg.clone(),
        n_params: policy.n_params(),
        history,
        lqr: lqr_report,
        theta,
    })
}
