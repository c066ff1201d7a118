//! `natflow rl`: control environments and natural policy gradient.

use super::{Outputs, fmt_number, parse_list, write_json};
use crate::error::{Error, Result};
use crate::rl::env::EnvName;
use crate::rl::npg::{PgMethod, RlConfig, train_rl};
use crate::rl::replay::{parse_actions, replay};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `natflow rl`.
#[derive(Debug, clap::Args)]
pub struct RlArgs {
    #[command(subcommand)]
    command: RlCommand,
}

#[derive(Debug, clap::Subcommand)]
enum RlCommand {
    /// Step an environment from a given internal state through a list of actions and print the
    /// observations, rewards and flags (to check an environment against another
    /// implementation).
    Replay(ReplayArgs),
    /// Train a policy by natural policy gradient (npg) or its midpoint (mid) and geodesic
    /// (geo, geo-f) corrections under a KL trust radius, recording every update.
    Train(TrainArgs),
}

/// Arguments of `natflow rl train`.
#[derive(Debug, clap::Args)]
struct TrainArgs {
    /// Environment: Pendulum-v1, MountainCarContinuous-v0, CartPole-v1, Acrobot-v1 or lqr.
    #[arg(long)]
    env: String,
    /// Update method: npg, mid, geo or geo-f.
    #[arg(long, default_value = "npg")]
    method: String,
    /// Seed of everything random.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Total environment steps (default 1,000,000; lqr 3,000,000).
    #[arg(long)]
    steps: Option<usize>,
    /// Steps per batch, one update each (default 2,500; lqr 10,000).
    #[arg(long)]
    batch_steps: Option<usize>,
    /// KL trust radius δ (default 0.01; lqr 0.002).
    #[arg(long)]
    delta: Option<f64>,
    /// GAE λ (1: Monte Carlo returns with the value baseline).
    #[arg(long, default_value_t = 0.97)]
    lambda: f64,
    /// α of the connection used by geo and geo-f (0: Levi-Civita, −1: mixture).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    alpha: f64,
    /// Write the run (settings, every update, and for lqr the Riccati optimum) as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// lqr only: the system as JSON {"A", "B", "Q", "R", "gamma", "x0_cov", "noise_cov",
    /// "horizon"} (matrices as lists of rows; default: two coupled masses, 4 states, 2 inputs).
    #[arg(long)]
    lqr_system: Option<PathBuf>,
}

/// Reads an LQR system file.
fn read_lqr_system(path: &std::path::Path) -> Result<crate::rl::env::lqr::LqrSystem> {
    let data_err = |reason: String| Error::Data {
        path: path.to_path_buf(),
        line: None,
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| data_err(e.to_string()))?;
    let sys: crate::rl::env::lqr::LqrSystem =
        serde_json::from_str(&text).map_err(|e| data_err(e.to_string()))?;
    sys.matrices().map_err(|e| data_err(e.to_string()))?;
    Ok(sys)
}

/// Arguments of `natflow rl replay`.
#[derive(Debug, clap::Args)]
struct ReplayArgs {
    /// Environment: Pendulum-v1, MountainCarContinuous-v0, CartPole-v1, Acrobot-v1 or lqr.
    #[arg(long)]
    env: String,
    /// Internal state, comma-separated: Pendulum (θ, θ̇); MountainCarContinuous (position,
    /// velocity); CartPole (x, ẋ, θ, θ̇); Acrobot (θ₁, θ₂, θ̇₁, θ̇₂); lqr (x₁…xₙ).
    #[arg(long, allow_hyphen_values = true)]
    state: String,
    /// Action file: one action per line (comma-separated numbers for continuous actions, an
    /// index for discrete ones).
    #[arg(long)]
    actions: PathBuf,
    /// Print one JSON object (otherwise a table).
    #[arg(long)]
    json: bool,
}

/// Runs `natflow rl`.
pub fn run(args: &RlArgs) -> Result<()> {
    match &args.command {
        RlCommand::Replay(a) => run_replay(a),
        RlCommand::Train(a) => run_train(a),
    }
}

fn run_train(a: &TrainArgs) -> Result<()> {
    let env = EnvName::parse(&a.env)?;
    let method = PgMethod::parse(&a.method)?;
    let mut defaults = RlConfig::new(env, method);
    match (&a.lqr_system, env) {
        (Some(p), EnvName::Lqr) => {
            let sys = read_lqr_system(p)?;
            defaults.gamma = sys.gamma;
            defaults.lqr = Some(sys);
        }
        (Some(_), _) => {
            return Err(Error::InvalidArgument(
                "--lqr-system applies to --env lqr only".into(),
            ));
        }
        (None, _) => {}
    }
    let cfg = RlConfig {
        seed: a.seed,
        steps: a.steps.unwrap_or(defaults.steps),
        batch_steps: a.batch_steps.unwrap_or(defaults.batch_steps),
        delta: a.delta.unwrap_or(defaults.delta),
        lambda: a.lambda,
        alpha: a.alpha,
        ..defaults
    };
    let mut outputs = Outputs::new();
    let json_tmp = a.json.as_ref().map(|p| outputs.plan(p)).transpose()?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new((cfg.steps / cfg.batch_steps.max(1)) as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:40}] {pos}/{len} updates ({elapsed}) {msg}",
        ) {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_prefix(format!("{} {}", env.name(), method.name()));
        b
    });
    let run = train_rl(&cfg, &mut |r| {
        if let Some(b) = &bar {
            b.set_position(r.update as u64);
            match (r.cost, r.mean_return) {
                (Some(c), _) => b.set_message(format!("cost {}", fmt_number(c))),
                (None, Some(ret)) => b.set_message(format!("return {ret:.1}")),
                _ => {}
            }
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let run = run?;
    if let Some(tmp) = &json_tmp {
        write_json(tmp, &run)?;
    }
    outputs.commit()?;
    let last = run.history.last().expect("at least one update");
    let returns: Vec<f64> = run.history.iter().filter_map(|r| r.mean_return).collect();
    let tail = &returns[returns.len().saturating_sub(5)..];
    println!(
        "{} {} on {} parameters: {} updates, {} steps, {:.1} s; mean return of the last {} batches {}; mean KL per update {:.2e}",
        env.name(),
        method.name(),
        run.n_params,
        run.history.len(),
        last.timesteps,
        last.wall_s,
        tail.len(),
        if tail.is_empty() {
            "n/a".to_string()
        } else {
            format!("{:.2}", tail.iter().sum::<f64>() / tail.len() as f64)
        },
        run.history.iter().map(|r| r.kl).sum::<f64>() / run.history.len() as f64
    );
    if let Some(l) = &run.lqr {
        println!(
            "lqr: Riccati optimum J* = {}; policy cost {} → {} ({:+.3} % from J*); within 1 % after {}",
            fmt_number(l.optimal_cost),
            fmt_number(l.initial_cost),
            fmt_number(l.final_cost),
            100.0 * (l.final_cost / l.optimal_cost - 1.0),
            l.updates_to_1pct
                .map_or("never".to_string(), |u| format!("{u} updates"))
        );
    }
    Ok(())
}

fn run_replay(a: &ReplayArgs) -> Result<()> {
    let env = EnvName::parse(&a.env)?;
    let state = parse_list("--state", &a.state)?;
    let text = std::fs::read_to_string(&a.actions).map_err(|e| Error::Data {
        path: a.actions.clone(),
        line: None,
        reason: e.to_string(),
    })?;
    let actions = parse_actions(&text, &env.make().action_space(), &a.actions)?;
    let r = replay(env, &state, &actions)?;
    if a.json {
        let text = serde_json::to_string(&r)
            .map_err(|e| Error::InvalidArgument(format!("cannot encode the replay: {e}")))?;
        println!("{text}");
    } else {
        println!("{}: {} steps from {:?}", r.env, r.rewards.len(), state);
        println!(
            "{:>5}  {:>12}  {:>5}  {:>5}  observation",
            "step", "reward", "term", "trunc"
        );
        for i in 0..r.rewards.len() {
            println!(
                "{:>5}  {:>12.6}  {:>5}  {:>5}  {:?}",
                i + 1,
                r.rewards[i],
                r.terminated[i],
                r.truncated[i],
                r.observations[i]
            );
        }
    }
    Ok(())
}
