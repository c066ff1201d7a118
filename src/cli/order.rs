//! `natflow order`: convergence- and invariance-order study.

use super::{ensure_dir, parse_list, write_json};
use crate::error::{Error, Result};
use crate::optim::Method;
use crate::registry::{family, family_order_study};
use crate::studies::{OrderConfig, OrderStudy};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `natflow order`.
#[derive(Debug, clap::Args)]
pub struct OrderArgs {
    /// Family: gamma or normal.
    #[arg(long, default_value = "gamma")]
    family: String,
    /// Comma-separated charts. Default: gamma rate,scale,cbrt-rate,sqrt-both; normal all four.
    #[arg(long)]
    charts: Option<String>,
    /// Comma-separated methods.
    #[arg(long, default_value = "ng,mid,rk4,geo,geo-f,riemannian-euler")]
    methods: String,
    /// Final time T.
    #[arg(long, default_value_t = 1.0)]
    t_final: f64,
    /// Comma-separated step counts n (h = T/n).
    #[arg(long, default_value = "2,4,8,16,32,64,128,256,512,1024")]
    steps: String,
    /// Start in canonical coordinates. Default: gamma (α, β) = (1, 1); normal (μ, σ) = (0, 1).
    #[arg(long, allow_hyphen_values = true)]
    start: Option<String>,
    /// Sample CSV (header `x`). Default: gamma, the paper's sample; normal, a sample with
    /// mean 1 and variance 4 (given by its moments).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Write the whole study as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write order_error, order_gap and order_work (SVG and PNG) into this directory.
    #[arg(long)]
    plot: Option<PathBuf>,
}

fn parse_steps(s: &str) -> Result<Vec<usize>> {
    s.split(',')
        .map(|p| {
            p.trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "--steps: '{}' is not a positive integer",
                        p.trim()
                    ))
                })
        })
        .collect()
}

fn progress_callback(
    enabled: bool,
) -> (Option<indicatif::ProgressBar>, impl Fn(usize, usize) + Sync) {
    let bar = enabled.then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:40}] {pos}/{len} runs ({elapsed})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        b.set_prefix("order study");
        b
    });
    let handle = bar.clone();
    let cb = move |done: usize, total: usize| {
        if let Some(b) = &handle {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    (bar, cb)
}

/// Runs `natflow order`.
pub fn run(args: &OrderArgs) -> Result<()> {
    let methods = args
        .methods
        .split(',')
        .map(|m| Method::parse(m.trim()))
        .collect::<Result<Vec<_>>>()?;
    let steps = parse_steps(&args.steps)?;
    let start_arg = args
        .start
        .as_deref()
        .map(|s| parse_list("--start", s))
        .transpose()?;
    let fam = family(&args.family)?;
    let charts: Vec<String> = match &args.charts {
        Some(s) => s.split(',').map(|c| c.trim().to_string()).collect(),
        None => fam.study_charts(),
    };
    let cfg = OrderConfig {
        t_final: args.t_final,
        steps,
        methods,
        ..OrderConfig::new(start_arg.unwrap_or_else(|| fam.reference_point()))
    };
    let (bar, cb) = progress_callback(std::io::stderr().is_terminal());
    let st: Result<OrderStudy> = family_order_study(fam, args.data.as_deref(), &charts, &cfg, &cb);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let st = st?;
    if let Some(path) = &args.json {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            ensure_dir(dir)?;
        }
        write_json(path, &st)?;
    }
    if let Some(dir) = &args.plot {
        ensure_dir(dir)?;
        crate::plot::order::write_order_figures(&st, dir)?;
    }
    print!("{}", render_table(&st));
    Ok(())
}

fn cell(v: Option<f64>) -> String {
    v.map_or("–".into(), |s| format!("{s:.2}"))
}

/// The summary table: fitted orders per method against the flow and Riemannian Euler in each
/// chart, and of the invariance gap.
pub fn render_table(st: &OrderStudy) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let h = &st.methods.first().map(|m| m.h.clone()).unwrap_or_default();
    let _ = writeln!(
        s,
        "{} order study: T = {}, start {:?}, h = {:e} … {:e} ({} step sizes); floor {:.1e}",
        st.family,
        st.t_final,
        st.start_canonical,
        h.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        h.iter().cloned().fold(f64::INFINITY, f64::min),
        h.len(),
        st.reference.floor
    );
    let w = 10;
    let _ = write!(s, "{:<18}", "");
    let _ = write!(
        s,
        "{:^width$}",
        "order vs flow",
        width = w * st.charts.len()
    );
    let _ = write!(
        s,
        " |{:^width$}",
        "order vs Riemannian Euler",
        width = w * st.charts.len()
    );
    let _ = writeln!(s, " | {:>8}", "gap");
    let _ = write!(s, "{:<18}", "method");
    for _ in 0..2 {
        for c in &st.charts {
            let _ = write!(s, "{:>w$}", c.chars().take(w - 1).collect::<String>());
        }
        let _ = write!(s, " |");
    }
    let _ = writeln!(s, " {:>8}", "order");
    for m in &st.methods {
        let _ = write!(s, "{:<18}", m.method);
        for c in &st.charts {
            let _ = write!(s, "{:>w$}", cell(m.orders.vs_flow[c]));
        }
        let _ = write!(s, " |");
        for c in &st.charts {
            let _ = write!(s, "{:>w$}", cell(m.orders.vs_riemannian_euler[c]));
        }
        let _ = writeln!(s, " | {:>8}", cell(m.orders.invariance_gap));
    }
    let _ = writeln!(
        s,
        "(– : no asymptotic window above the floor, e.g. exact agreement)"
    );
    s
}
