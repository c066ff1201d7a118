//! `natflow fit`: maximum-likelihood fitting of any family, in any chart, by any method.

use super::{Outputs, parse_list, write_json};
use crate::error::{Error, Result};
use crate::fit::{FitConfig, run_fit};
use crate::registry::family;
use std::path::PathBuf;

/// Arguments of `natflow fit`.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// Family (see `natflow geometry --help`).
    #[arg(long)]
    family: String,
    /// Chart to take the steps in. Default: the family's first chart.
    #[arg(long)]
    chart: Option<String>,
    /// Data file: one observation a line (a vector family: comma-separated values, with a
    /// header line naming the columns allowed). Default: the family's default data.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Method, or comma-separated methods each run from the same start (any name `natflow
    /// order` accepts: ng, mid, rk4, geo, geo-f, riemannian-euler, …).
    #[arg(long, default_value = "ng")]
    method: String,
    /// Step size h, positive.
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    lr: f64,
    /// Number of steps, 1 to 100000.
    #[arg(long, default_value_t = 20, allow_hyphen_values = true)]
    iters: i64,
    /// α of the connection used by geo, geo-f and riemannian-euler (0: Levi-Civita).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    alpha: f64,
    /// Start in chart coordinates. Default: the chart's image of the family's reference point.
    #[arg(long, allow_hyphen_values = true)]
    start: Option<String>,
    /// Write the whole record (config, data summary, every iterate) as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write fit.svg and fit.png (loss and iterates) into this directory.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// Runs `natflow fit`.
pub fn run(args: &FitArgs) -> Result<()> {
    let fam = family(&args.family)?;
    let methods = super::parse_names("--method", &args.method, crate::optim::Method::parse)?;
    for (i, m) in methods.iter().enumerate() {
        if methods[..i].contains(m) {
            return Err(Error::InvalidArgument(format!(
                "--method: {} given twice",
                m.name()
            )));
        }
    }
    crate::geometry::check_alpha(args.alpha)
        .map_err(|e| Error::InvalidArgument(format!("--alpha: {e}")))?;
    let iters = u64::try_from(args.iters).unwrap_or(0);
    let start = args
        .start
        .as_deref()
        .map(|s| parse_list("--start", s))
        .transpose()?;
    let mut outputs = Outputs::new();
    let json_tmp = args.json.as_ref().map(|p| outputs.plan(p)).transpose()?;
    let plot_tmps = match &args.plot {
        Some(dir) => Some((
            outputs.plan(&dir.join("fit.svg"))?,
            outputs.plan(&dir.join("fit.png"))?,
        )),
        None => None,
    };
    let cfg = FitConfig {
        chart: args.chart.clone(),
        methods,
        lr: args.lr,
        iters,
        alpha: args.alpha,
        start,
    };
    let rec = run_fit(fam, args.data.as_deref(), &cfg)?;
    if let Some(tmp) = &json_tmp {
        write_json(tmp, &rec)?;
    }
    if let Some((svg, png)) = &plot_tmps {
        crate::plot::fit::write_fit(&rec, svg, png)?;
    }
    outputs.commit()?;
    println!(
        "{} fit in chart '{}' ({}), h = {}, {} steps, α = {}; data {} (n = {})",
        rec.family,
        rec.chart,
        rec.chart_formula,
        rec.lr,
        rec.iters,
        rec.alpha,
        rec.data.file,
        rec.data.n
    );
    println!(
        "{:<18} {:>22} {:>12}  final point (chart)",
        "method", "final loss", "‖∇L‖"
    );
    for r in &rec.runs {
        let loss = r.loss.last().copied().unwrap_or(f64::NAN);
        let point: Vec<String> = r
            .points
            .last()
            .map(|p| p.iter().map(|x| format!("{x:.10}")).collect())
            .unwrap_or_default();
        let status = match r.failed_at {
            Some(at) => format!("  (failed at step {at})"),
            None => String::new(),
        };
        println!(
            "{:<18} {:>22.15} {:>12.3e}  ({}){status}",
            r.method,
            loss,
            r.final_gradient_norm,
            point.join(", ")
        );
    }
    Ok(())
}
