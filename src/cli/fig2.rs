//! `natflow fig2`: the paper's Figure 2 (Gamma fit in four charts).

use super::{Outputs, write_json};
use crate::data::gamma_sample;
use crate::error::{Error, Result};
use crate::experiments::fig2::{Fig2Config, run_fig2};
use std::path::PathBuf;

/// Arguments of `natflow fig2`.
#[derive(Debug, clap::Args)]
pub struct Fig2Args {
    /// CSV sample (header `x`, one positive number a line). Default: the paper's sample,
    /// embedded in the binary (paper_repro/data/gamma_shape20_rate20_n10000.csv).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Step size (learning rate), positive.
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    lr: f64,
    /// Number of steps, 1 to 100000.
    #[arg(long, default_value_t = 10, allow_hyphen_values = true)]
    iters: i64,
    /// Comma-separated methods, each once (default: the paper's ng, mid, geo, geo-f, ng-fine,
    /// riemannian-euler, flow; any name `natflow order` accepts, e.g. riemannian-mid, geo3,
    /// exp:rk4, geo3:midpoint).
    #[arg(long)]
    methods: Option<String>,
    /// α of the connection geo, geo-f and riemannian-euler use (0, the paper's: Levi-Civita;
    /// 1 the e-connection, −1 the m-connection).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    alpha: f64,
    /// Output directory for fig2.json, fig2.svg and fig2.png.
    #[arg(long, default_value = "figures")]
    out: PathBuf,
}

/// Runs `natflow fig2`.
pub fn run(args: &Fig2Args) -> Result<()> {
    if !(args.lr.is_finite() && args.lr > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "--lr must be a positive number, got {}",
            args.lr
        )));
    }
    if !(1..=100_000).contains(&args.iters) {
        return Err(Error::InvalidArgument(format!(
            "--iters must be between 1 and 100000, got {}",
            args.iters
        )));
    }
    let methods = match &args.methods {
        Some(list) => {
            let methods = super::parse_names("--methods", list, crate::optim::Method::parse)?;
            for (i, m) in methods.iter().enumerate() {
                if methods[..i].contains(m) {
                    return Err(Error::InvalidArgument(format!(
                        "--methods: {} given twice",
                        m.name()
                    )));
                }
            }
            Some(methods)
        }
        None => None,
    };
    crate::geometry::check_alpha(args.alpha)
        .map_err(|e| Error::InvalidArgument(format!("--alpha: {e}")))?;
    let mut outputs = Outputs::new();
    let json = args.out.join("fig2.json");
    let json_tmp = outputs.plan(&json)?;
    let svg_tmp = outputs.plan(&args.out.join("fig2.svg"))?;
    let png_tmp = outputs.plan(&args.out.join("fig2.png"))?;
    let (sample, data) = gamma_sample(args.data.as_deref())?;
    let defaults = Fig2Config::default();
    let cfg = Fig2Config {
        lr: args.lr,
        iters: args.iters as u64,
        methods: methods.unwrap_or(defaults.methods.clone()),
        alpha: args.alpha,
        ..defaults
    };
    let rec = run_fig2(&sample, data, &cfg)?;
    write_json(&json_tmp, &rec)?;
    crate::plot::fig2::write_fig2(&rec, &svg_tmp, &png_tmp)?;
    outputs.commit()?;
    println!(
        "Gamma fit, lr {}, {} steps from (α, β) = (1, 1); n = {}, mean x = {}, mean ln x = {}",
        rec.lr, rec.iters, rec.data.n, rec.data.mean_x, rec.data.mean_log_x
    );
    print!("{:<18}", "final NLL");
    for c in &rec.charts {
        print!("{:>14}", c.chart);
    }
    println!();
    for (k, m) in rec.charts[0].methods.iter().enumerate() {
        print!("{:<18}", m.method);
        for c in &rec.charts {
            let run = &c.methods[k];
            match run.failed_at {
                Some(at) => print!("{:>14}", format!("failed@{at}")),
                None => print!("{:>14.8}", run.nll.last().copied().unwrap_or(f64::NAN)),
            }
        }
        println!();
    }
    println!("wrote {}, fig2.svg, fig2.png", json.display());
    Ok(())
}
