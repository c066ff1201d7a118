//! `natflow fig3`: the paper's Figure 3 (deep autoencoders and a classifier).

use super::{Outputs, parse_names, progress_bar, write_json};
use crate::error::{Error, Result};
use crate::experiments::fig3::{Fig3Config, Scale, Task, first_reaching, run_fig3};
use crate::nn::train::TrainMethod;
use crate::plot::fig3::{by_method, summary};
use std::path::PathBuf;

/// Arguments of `natflow fig3`.
#[derive(Debug, clap::Args)]
pub struct Fig3Args {
    /// default (about ten minutes on two cores), paper (the paper's architectures and 140
    /// updates; hours) or smoke (seconds; tiny networks).
    #[arg(long, default_value = "default")]
    scale: String,
    /// Comma-separated tasks: curves, mnist-ae, mnist-class, fashion-ae (needs Fashion-MNIST).
    #[arg(long, default_value = "curves,mnist-ae,mnist-class")]
    tasks: String,
    /// Comma-separated methods: ng, mid, geo, geo-f, adam, sgd.
    #[arg(long, default_value = "ng,mid,geo,geo-f,adam")]
    methods: String,
    /// Seeds of the initialisation, 1 to 100.
    #[arg(long, default_value_t = 3, allow_hyphen_values = true)]
    seeds: i64,
    /// Updates per run (default: the scale's: default 25, paper 140, smoke 2).
    #[arg(long, allow_hyphen_values = true)]
    iters: Option<i64>,
    /// α of the connection used by geo and geo-f (0: Levi-Civita, as in the paper).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    alpha: f64,
    /// Apply corrections only while λ is below this, for every task (default: the paper's
    /// per-task thresholds, CURVES 5, MNIST 10; `inf`: always).
    #[arg(long, allow_hyphen_values = true)]
    threshold: Option<f64>,
    /// Output directory for fig3.json, fig3.svg and fig3.png.
    #[arg(long, default_value = "figures")]
    out: PathBuf,
}

/// Runs `natflow fig3`.
pub fn run(args: &Fig3Args) -> Result<()> {
    let scale =
        Scale::parse(&args.scale).map_err(|e| Error::InvalidArgument(format!("--scale: {e}")))?;
    if !args.alpha.is_finite() {
        return Err(Error::InvalidArgument(format!(
            "--alpha must be a finite number, got {}",
            args.alpha
        )));
    }
    if !(1..=100).contains(&args.seeds) {
        return Err(Error::InvalidArgument(format!(
            "--seeds must be between 1 and 100, got {}",
            args.seeds
        )));
    }
    if let Some(t) = args.threshold
        && (t.is_nan() || t < 0.0)
    {
        return Err(Error::InvalidArgument(format!(
            "--threshold must be a number ≥ 0 (inf: always correct), got {t}"
        )));
    }
    let iters = match args.iters {
        Some(i) if !(1..=100_000).contains(&i) => {
            return Err(Error::InvalidArgument(format!(
                "--iters must be between 1 and 100000, got {i}"
            )));
        }
        i => i.map(|i| i as usize),
    };
    let cfg = Fig3Config {
        scale,
        tasks: parse_names("--tasks", &args.tasks, Task::parse)?,
        methods: parse_names("--methods", &args.methods, TrainMethod::parse)?,
        seeds: args.seeds as u64,
        iters,
        alpha: args.alpha,
        threshold: args.threshold,
        ..Fig3Config::default()
    };
    let mut outputs = Outputs::new();
    let json = args.out.join("fig3.json");
    let json_tmp = outputs.plan(&json)?;
    let svg_tmp = outputs.plan(&args.out.join("fig3.svg"))?;
    let png_tmp = outputs.plan(&args.out.join("fig3.png"))?;
    let bar = progress_bar("fig3", "updates");
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let rec = run_fig3(&cfg, &progress)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    write_json(&json_tmp, &rec)?;
    crate::plot::fig3::write_fig3(&rec, &svg_tmp, &png_tmp)?;
    outputs.commit()?;
    for task in &rec.tasks {
        println!(
            "{} {} (N = {}, held out {}), median over {} seeds:",
            task.task.name(),
            task.architecture,
            task.n_train,
            task.n_test,
            cfg.seeds
        );
        println!(
            "  {:<8}{:>14}{:>14}{:>12}{:>14}",
            "method", "train error", "test error", "seconds", "s per update"
        );
        for (method, runs) in by_method(task) {
            let s = summary(&runs, true);
            let Some(&(wall, err, _, _)) = s.last() else {
                continue;
            };
            let mut test: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.records.last().map(|x| x.test_error))
                .collect();
            test.sort_by(f64::total_cmp);
            let updates = (s.len() - 1).max(1) as f64;
            println!(
                "  {:<8}{:>14.4}{:>14.4}{:>12.1}{:>14.3}",
                method.name(),
                err,
                test[test.len() / 2],
                wall,
                wall / updates
            );
        }
        // The update at which each run first reaches the ng median's final error.
        if let Some((_, ng_runs)) = by_method(task)
            .into_iter()
            .find(|(m, _)| *m == TrainMethod::Ng)
            && let Some(&(_, level, _, _)) = summary(&ng_runs, false).last()
        {
            print!("  first update at ng's final error {level:.4}:");
            for (method, runs) in by_method(task) {
                let hits: Vec<String> = runs
                    .iter()
                    .map(|r| first_reaching(r, level).map_or("-".into(), |(k, _)| k.to_string()))
                    .collect();
                print!("  {} [{}]", method.name(), hits.join(" "));
            }
            println!();
        }
    }
    println!("wrote {}, fig3.svg, fig3.png", json.display());
    Ok(())
}
