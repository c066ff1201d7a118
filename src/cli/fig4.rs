//! `natflow fig4`: natural policy gradient with midpoint and geodesic correction on control
//! tasks (the paper's reinforcement-learning figure, on natflow's own environments).

use super::{Outputs, parse_names, progress_bar, write_json};
use crate::error::{Error, Result};
use crate::experiments::fig4::{Fig4Config, run_fig4};
use crate::plot::fig4::summary;
use crate::rl::env::EnvName;
use crate::rl::npg::PgMethod;
use std::path::PathBuf;

/// Arguments of `natflow fig4`.
#[derive(Debug, clap::Args)]
pub struct Fig4Args {
    /// Comma-separated environments: Pendulum-v1, MountainCarContinuous-v0, CartPole-v1,
    /// Acrobot-v1, lqr.
    #[arg(
        long,
        default_value = "Pendulum-v1,MountainCarContinuous-v0,CartPole-v1,Acrobot-v1"
    )]
    envs: String,
    /// Comma-separated methods: npg, mid, geo, geo-f.
    #[arg(long, default_value = "npg,mid,geo,geo-f")]
    methods: String,
    /// Seeds 0…N−1, 1 to 100.
    #[arg(long, default_value_t = 5, allow_hyphen_values = true)]
    seeds: i64,
    /// Environment steps per run (default: Pendulum and CartPole 100,000, MountainCarContinuous
    /// and Acrobot 200,000, lqr 3,000,000).
    #[arg(long, allow_hyphen_values = true)]
    steps: Option<i64>,
    /// Steps per batch, one update each (default 2,500; lqr 10,000).
    #[arg(long)]
    batch_steps: Option<usize>,
    /// KL trust radius δ (default 0.01; lqr 0.002).
    #[arg(long)]
    delta: Option<f64>,
    /// α of the connection used by geo and geo-f.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    alpha: f64,
    /// Output directory for fig4.json, fig4.svg and fig4.png.
    #[arg(long, default_value = "figures")]
    out: PathBuf,
}

/// Runs `natflow fig4`.
pub fn run(args: &Fig4Args) -> Result<()> {
    if !(1..=100).contains(&args.seeds) {
        return Err(Error::InvalidArgument(format!(
            "--seeds must be between 1 and 100, got {}",
            args.seeds
        )));
    }
    let steps = match args.steps {
        Some(s) if s < 1 => {
            return Err(Error::InvalidArgument(format!(
                "--steps must be positive, got {s}"
            )));
        }
        s => s.map(|s| s as usize),
    };
    if let Some(d) = args.delta
        && !(d.is_finite() && d > 0.0)
    {
        return Err(Error::InvalidArgument(format!(
            "--delta must be a positive number, got {d}"
        )));
    }
    if !args.alpha.is_finite() {
        return Err(Error::InvalidArgument(format!(
            "--alpha must be a finite number, got {}",
            args.alpha
        )));
    }
    let cfg = Fig4Config {
        envs: parse_names("--envs", &args.envs, EnvName::parse)?,
        methods: parse_names("--methods", &args.methods, PgMethod::parse)?,
        seeds: args.seeds as u64,
        steps,
        batch_steps: args.batch_steps,
        delta: args.delta,
        alpha: args.alpha,
    };
    let mut outputs = Outputs::new();
    let json = args.out.join("fig4.json");
    let json_tmp = outputs.plan(&json)?;
    let svg_tmp = outputs.plan(&args.out.join("fig4.svg"))?;
    let png_tmp = outputs.plan(&args.out.join("fig4.png"))?;
    let bar = progress_bar("fig4", "runs");
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let rec = run_fig4(&cfg, &progress)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    write_json(&json_tmp, &rec)?;
    crate::plot::fig4::write_fig4(&rec, &svg_tmp, &png_tmp)?;
    outputs.commit()?;
    for env in &rec.envs {
        let lqr = env.optimal_cost.is_some();
        println!(
            "{} ({} steps per run), median over {} seeds of the {}:",
            env.env.name(),
            env.steps,
            cfg.seeds,
            if lqr {
                "mean policy's cost above the optimum J* (%)"
            } else {
                "mean episode return"
            }
        );
        println!(
            "  {:<7}{:>12}{:>12}{:>12}{:>11}{:>12}",
            "method", "first", "middle", "last", "max KL", "s per run"
        );
        for &m in &cfg.methods {
            let s = summary(env, m);
            let runs: Vec<_> = env.runs.iter().filter(|r| r.method == m).collect();
            let max_kl = runs
                .iter()
                .flat_map(|r| r.kl.iter().copied())
                .fold(0.0f64, f64::max);
            let mut secs: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.wall_s.last().copied())
                .collect();
            secs.sort_by(f64::total_cmp);
            // The figure's lqr values are log₁₀(J/J* − 1); print them as per cent.
            let at = |i: usize| {
                s.get(i).map_or(
                    f64::NAN,
                    |p| {
                        if lqr { 100.0 * 10f64.powf(p.1) } else { p.1 }
                    },
                )
            };
            println!(
                "  {:<7}{:>12.2}{:>12.2}{:>12.2}{:>11.4}{:>12.1}",
                m.name(),
                at(0),
                at(s.len() / 2),
                at(s.len().saturating_sub(1)),
                max_kl,
                secs.get(secs.len() / 2).copied().unwrap_or(f64::NAN)
            );
        }
        if let Some(opt) = env.optimal_cost {
            println!("  Riccati optimum J* = {opt:.4}");
        }
    }
    println!("wrote {}, fig4.svg, fig4.png", json.display());
    Ok(())
}
