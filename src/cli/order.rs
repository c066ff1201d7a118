//! `natflow order`: convergence- and invariance-order study.

use super::{Outputs, fmt_number, parse_list, write_json};
use crate::error::{Error, Result};
use crate::optim::Method;
use crate::registry::{FAMILIES, family, family_order_study};
use crate::studies::{OrderConfig, OrderStudy};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The methods and, per family, the charts — for `natflow order --help`.
fn names_help() -> String {
    let mut s = format!("Methods: {}\n", Method::names().join(", "));
    for f in FAMILIES {
        let charts: Vec<String> = f.charts().into_iter().map(|c| c.name).collect();
        s += &format!(
            "Charts of {} (default {}): {}\n",
            f.name(),
            f.study_charts().join(","),
            charts.join(", ")
        );
    }
    s
}

/// Arguments of `natflow order`.
#[derive(Debug, clap::Args)]
#[command(after_help = names_help())]
pub struct OrderArgs {
    /// Family (see `natflow geometry --help`).
    #[arg(long, default_value = "gamma")]
    family: String,
    /// α of the connection used by geo, geo-f and riemannian-euler (0: Levi-Civita).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    alpha: f64,
    /// Comma-separated charts, each once (default: the family's, see below).
    #[arg(long)]
    charts: Option<String>,
    /// Comma-separated methods, each once (see below).
    #[arg(long, default_value = "ng,mid,rk4,geo,geo-f,riemannian-euler")]
    methods: String,
    /// Final time T, positive.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    t_final: f64,
    /// Comma-separated step counts n (h = T/n), at least three, each 1 to 100000.
    #[arg(
        long,
        default_value = "2,4,8,16,32,64,128,256,512,1024",
        allow_hyphen_values = true
    )]
    steps: String,
    /// References to measure against: `flow` and/or `riemannian-euler` (the expensive one).
    #[arg(long, default_value = "flow,riemannian-euler")]
    against: String,
    /// Start in canonical coordinates. Default: gamma (α, β) = (1, 1); normal (μ, σ) = (0, 1);
    /// an exponential family's reference point in natural coordinates.
    #[arg(long, allow_hyphen_values = true)]
    start: Option<String>,
    /// Sample file (one observation a line). Default: gamma, the paper's sample; normal, a
    /// sample with mean 1 and variance 4 (given by its moments); other families, the mean
    /// sufficient statistic of a fixed member.
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
            let p = p.trim();
            match p.parse::<i64>() {
                Ok(n) if (1..=OrderConfig::MAX_STEPS as i64).contains(&n) => Ok(n as usize),
                Ok(n) => Err(Error::InvalidArgument(format!(
                    "--steps: {n} is out of range; step counts are 1 to {}",
                    OrderConfig::MAX_STEPS
                ))),
                Err(_) => Err(Error::InvalidArgument(format!(
                    "--steps: '{p}' is not a positive integer"
                ))),
            }
        })
        .collect()
}

/// Whether to measure against Riemannian Euler, from `--against`.
fn parse_against(s: &str) -> Result<bool> {
    let mut re = false;
    let mut flow = false;
    for part in s.split(',').map(str::trim) {
        match part {
            "flow" => flow = true,
            "riemannian-euler" => re = true,
            other => {
                return Err(Error::Unknown {
                    kind: "reference".into(),
                    name: other.into(),
                    expected: "flow, riemannian-euler".into(),
                });
            }
        }
    }
    if !flow {
        return Err(Error::InvalidArgument(
            "--against must include flow (every study measures against the exact flow)".into(),
        ));
    }
    Ok(re)
}

type Bar = Arc<OnceLock<indicatif::ProgressBar>>;

/// A progress bar on a terminal, created at the first report (when the total is known).
fn progress_callback(enabled: bool) -> (Bar, impl Fn(usize, usize) + Sync) {
    let bar: Bar = Arc::new(OnceLock::new());
    let handle = bar.clone();
    let cb = move |done: usize, total: usize| {
        if !enabled || total == 0 {
            return;
        }
        let b = handle.get_or_init(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:40}] {pos}/{len} runs ({elapsed})",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_prefix("order study");
            b
        });
        b.set_position(done as u64);
    };
    (bar, cb)
}

/// Failed runs of a study: (method, chart, h, reason), in the study's order.
fn failures(st: &OrderStudy) -> Vec<(String, String, f64, String)> {
    let mut out = vec![];
    for m in &st.methods {
        for r in &m.runs {
            for (k, f) in r.failures.iter().enumerate() {
                if let Some(reason) = f {
                    out.push((m.method.clone(), r.chart.clone(), m.h[k], reason.clone()));
                }
            }
        }
    }
    out
}

/// Runs `natflow order`.
pub fn run(args: &OrderArgs) -> Result<()> {
    let methods = args
        .methods
        .split(',')
        .map(|m| Method::parse(m.trim()))
        .collect::<Result<Vec<_>>>()?;
    let steps = parse_steps(&args.steps)?;
    let against_re = parse_against(&args.against)?;
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
    for (i, c) in charts.iter().enumerate() {
        if charts[..i].contains(c) {
            return Err(Error::InvalidArgument(format!(
                "--charts: '{c}' is listed twice"
            )));
        }
    }
    let cfg = OrderConfig {
        t_final: args.t_final,
        steps,
        methods,
        against_riemannian_euler: against_re,
        ..OrderConfig::new(start_arg.unwrap_or_else(|| fam.reference_point()))
    };
    // Every output path is checked before any work.
    let mut outputs = Outputs::new();
    let json_tmp = args.json.as_ref().map(|p| outputs.plan(p)).transpose()?;
    let plot_tmps = match &args.plot {
        Some(dir) => crate::plot::order::ORDER_FIGURES
            .iter()
            .map(|name| Ok((name.to_string(), outputs.plan(&dir.join(name))?)))
            .collect::<Result<Vec<_>>>()?,
        None => vec![],
    };
    let (bar, cb) = progress_callback(std::io::stderr().is_terminal());
    let st = family_order_study(fam, args.data.as_deref(), &charts, args.alpha, &cfg, &cb);
    if let Some(b) = bar.get() {
        b.finish_and_clear();
    }
    let st = st?;
    // A method that could not be run at all in some chart measured nothing there: an error.
    for m in &st.methods {
        for r in &m.runs {
            if r.failures.iter().all(Option::is_some) {
                return Err(Error::InvalidArgument(format!(
                    "every run of {} in chart '{}' failed, so nothing could be measured; first: {}",
                    m.method,
                    r.chart,
                    r.failures[0].as_deref().unwrap_or("?")
                )));
            }
        }
    }
    let failed = failures(&st);
    if !failed.is_empty() {
        let total: usize = st.methods.iter().map(|m| m.runs.len() * m.h.len()).sum();
        eprintln!(
            "natflow: warning: {} of {total} runs failed (marked `fail` where they leave an order unmeasured); first:",
            failed.len()
        );
        for (m, c, h, reason) in failed.iter().take(3) {
            eprintln!("  {m} in chart '{c}', h = {}: {reason}", fmt_number(*h));
        }
    }
    if let Some(tmp) = &json_tmp {
        write_json(tmp, &st)?;
    }
    if !plot_tmps.is_empty() {
        let path_of = |name: &str| {
            plot_tmps
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p.clone())
                .unwrap_or_else(|| PathBuf::from(name))
        };
        crate::plot::order::write_order_figures(&st, &path_of)?;
    }
    outputs.commit()?;
    print!("{}", render_table(&st));
    Ok(())
}

/// A fitted order, `fail` if there is none because runs failed, `–` if there is none although
/// every run succeeded (exact agreement, or no asymptotic window above the floor).
fn cell(v: Option<f64>, any_failed: bool) -> String {
    match v {
        Some(s) => format!("{s:.2}"),
        None if any_failed => "fail".into(),
        None => "–".into(),
    }
}

/// The summary table: fitted orders per method against the flow and Riemannian Euler in each
/// chart, and of the invariance gap.
pub fn render_table(st: &OrderStudy) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let h = st.methods.first().map(|m| m.h.clone()).unwrap_or_default();
    let _ = writeln!(
        s,
        "{} order study: T = {}, start {:?}, h = {} … {} ({} step sizes); floor {:.1e}",
        st.family,
        fmt_number(st.t_final),
        st.start_canonical,
        fmt_number(h.iter().cloned().fold(f64::NEG_INFINITY, f64::max)),
        fmt_number(h.iter().cloned().fold(f64::INFINITY, f64::min)),
        h.len(),
        st.reference.floor
    );
    let re = st.reference.against_riemannian_euler;
    // Column widths: each chart's name fits; a group is at least as wide as its heading.
    let widths: Vec<usize> = st
        .charts
        .iter()
        .map(|c| c.chars().count().max(6) + 2)
        .collect();
    let groups: Vec<&str> = if re {
        vec!["order vs flow", "order vs Riemannian Euler"]
    } else {
        vec!["order vs flow"]
    };
    let group_width = |g: &str| widths.iter().sum::<usize>().max(g.chars().count() + 2);
    let method_w = st
        .methods
        .iter()
        .map(|m| m.method.chars().count())
        .max()
        .unwrap_or(6)
        .max(6)
        + 2;
    let gap_w = 8;
    let _ = write!(s, "{:<method_w$}", "");
    for g in &groups {
        let _ = write!(s, "{:^w$} |", g, w = group_width(g));
    }
    let _ = writeln!(s, "{:>gap_w$}", "gap");
    let _ = write!(s, "{:<method_w$}", "method");
    for g in &groups {
        let pad = group_width(g) - widths.iter().sum::<usize>();
        let _ = write!(s, "{:pad$}", "");
        for (c, w) in st.charts.iter().zip(&widths) {
            let _ = write!(s, "{c:>w$}");
        }
        let _ = write!(s, " |");
    }
    let _ = writeln!(s, "{:>gap_w$}", "order");
    for m in &st.methods {
        let _ = write!(s, "{:<method_w$}", m.method);
        let runs_failed = |c: &str| {
            m.runs
                .iter()
                .filter(|r| r.chart == c)
                .any(|r| r.failures.iter().any(Option::is_some))
        };
        let orders: Vec<_> = if re {
            vec![&m.orders.vs_flow, &m.orders.vs_riemannian_euler]
        } else {
            vec![&m.orders.vs_flow]
        };
        for (g, o) in groups.iter().zip(orders) {
            let pad = group_width(g) - widths.iter().sum::<usize>();
            let _ = write!(s, "{:pad$}", "");
            for (c, w) in st.charts.iter().zip(&widths) {
                let _ = write!(s, "{:>w$}", cell(o[c], runs_failed(c)));
            }
            let _ = write!(s, " |");
        }
        let any = m
            .runs
            .iter()
            .any(|r| r.failures.iter().any(Option::is_some));
        let gap = if st.charts.len() < 2 {
            "n/a".to_string() // a gap needs two charts
        } else {
            cell(m.orders.invariance_gap, any)
        };
        let _ = writeln!(s, "{gap:>gap_w$}");
    }
    let _ = writeln!(
        s,
        "(– : no asymptotic window above the floor, e.g. exact agreement; fail : runs failed)"
    );
    s
}
