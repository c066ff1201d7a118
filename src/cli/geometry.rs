//! `natflow geometry`: the geometry of a family at a point of a chart.

use super::parse_list;
use crate::error::{Error, Result};
use crate::geometry::ExpOptions;
use crate::registry::{ChartGeometry, family};
use serde::Serialize;

/// Arguments of `natflow geometry`.
#[derive(Debug, clap::Args)]
pub struct GeometryArgs {
    /// Family: gamma, normal, exponential, poisson, bernoulli, categorical, beta, dirichlet,
    /// inverse-gaussian, mvnormal.
    #[arg(long, default_value = "gamma")]
    family: String,
    /// Chart name (every family: its default chart, `natural`, `expectation`; gamma also
    /// scale, cbrt-rate, sqrt-both, mean; normal mean-var, mean-log-sd; see README). Default:
    /// the family's first chart.
    #[arg(long)]
    chart: Option<String>,
    /// The point, in chart coordinates, e.g. 1,1. Default: the chart's image of the family's
    /// reference point (gamma (α, β) = (1, 1); normal (μ, σ) = (0, 1); …). For categorical,
    /// dirichlet and mvnormal the number of coordinates fixes the dimension.
    #[arg(long, allow_hyphen_values = true)]
    at: Option<String>,
    /// α of the connection: 0 Levi-Civita (default), 1 exponential, −1 mixture; Γ, Γ(v,v),
    /// Exp and the log map use it.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    alpha: f64,
    /// A second point (chart coordinates): adds the log map Log_ξ(X) of the α-connection and
    /// the Fisher–Rao distance.
    #[arg(long, allow_hyphen_values = true)]
    log_to: Option<String>,
    /// A tangent vector in chart coordinates: adds Γ(v,v) and Exp(T·v).
    #[arg(long, allow_hyphen_values = true)]
    velocity: Option<String>,
    /// The time T of the exponential map Exp(T·v).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    exp_time: f64,
    /// Tolerance of the geodesic ODE solve, 1e-15 to 1e-2.
    #[arg(long, default_value_t = 1e-12, allow_hyphen_values = true)]
    tol: f64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// The exponential map's endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct ExpReport {
    /// T in Exp(T·v).
    pub time: f64,
    /// The endpoint in chart coordinates.
    pub point: Vec<f64>,
    /// The endpoint in canonical coordinates.
    pub canonical: Vec<f64>,
    /// The ODE tolerance used.
    pub tol: f64,
}

/// The log map to a second point.
#[derive(Debug, Clone, Serialize)]
pub struct LogReport {
    /// The target point, in chart coordinates.
    pub target: Vec<f64>,
    /// Log_ξ(target) of the α-connection.
    pub vector: Vec<f64>,
    /// ‖Exp_ξ(vector) − target‖ at the end of the shooting solve.
    pub residual: f64,
    /// The Fisher–Rao distance (α = 0, whatever --alpha is).
    pub distance: f64,
}

/// What `natflow geometry` reports.
#[derive(Debug, Clone, Serialize)]
pub struct GeometryReport {
    /// Family name.
    pub family: String,
    /// Chart name.
    pub chart: String,
    /// The chart map in symbols.
    pub chart_formula: String,
    /// The point in chart coordinates.
    pub point: Vec<f64>,
    /// The point in canonical coordinates.
    pub canonical: Vec<f64>,
    /// α of the connection the Christoffel symbols, Γ(v,v), Exp and Log belong to.
    pub alpha: f64,
    /// G as row lists.
    pub metric: Vec<Vec<f64>>,
    /// `christoffel[k][i][j]` = Γ^k_ij.
    pub christoffel: Vec<Vec<Vec<f64>>>,
    /// The tangent vector, if given.
    pub velocity: Option<Vec<f64>>,
    /// Γ(v,v), if a velocity was given.
    pub gamma_vv: Option<Vec<f64>>,
    /// Exp(T·v), if a velocity was given.
    pub exp: Option<ExpReport>,
    /// The log map and distance, if --log-to was given.
    pub log: Option<LogReport>,
}

/// The point, velocity and options of one `natflow geometry` report.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// ξ.
    pub xi: &'a [f64],
    /// The velocity v, if any.
    pub velocity: Option<&'a [f64]>,
    /// The log map's target, if any.
    pub log_to: Option<&'a [f64]>,
    /// α.
    pub alpha: f64,
    /// T of Exp(T·v).
    pub exp_time: f64,
    /// ODE tolerance.
    pub tol: f64,
}

/// Computes the report for `family` in the chart `m`.
pub fn report(family: &str, m: &dyn ChartGeometry, q: &Query) -> Result<GeometryReport> {
    let (xi, exp_time, tol, alpha) = (q.xi, q.exp_time, q.tol, q.alpha);
    if !exp_time.is_finite() {
        return Err(Error::InvalidArgument(format!(
            "--exp-time must be a finite number, got {exp_time}"
        )));
    }
    if !(tol.is_finite() && (1e-15..=1e-2).contains(&tol)) {
        return Err(Error::InvalidArgument(format!(
            "--tol must be between 1e-15 and 1e-2, got {tol}"
        )));
    }
    crate::geometry::check_alpha(alpha)
        .map_err(|e| Error::InvalidArgument(format!("--alpha: {e}")))?;
    m.check(xi)
        .map_err(|e| Error::InvalidArgument(format!("--at: {e}")))?;
    if let Some(v) = q.velocity {
        crate::error::check_vector("--velocity", v, m.dim())?;
    }
    if let Some(y) = q.log_to {
        crate::error::check_vector("--log-to", y, m.dim())?;
        m.check(y)
            .map_err(|e| Error::InvalidArgument(format!("--log-to: {e}")))?;
    }
    let g = m.metric(xi)?;
    let canonical = m.to_canonical(xi)?;
    let christoffel = m.christoffel(xi, alpha)?.to_nested();
    let (gamma_vv, exp) = match q.velocity {
        None => (None, None),
        Some(v) => {
            let gvv = m.christoffel_vv(xi, v, alpha)?;
            let end = m.exp(xi, v, exp_time, alpha, ExpOptions::with_tol(tol))?;
            let end_canonical = m.to_canonical(end.as_slice())?;
            (
                Some(gvv.iter().copied().collect()),
                Some(ExpReport {
                    time: exp_time,
                    point: end.iter().copied().collect(),
                    canonical: end_canonical.iter().copied().collect(),
                    tol,
                }),
            )
        }
    };
    let log = match q.log_to {
        None => None,
        Some(y) => {
            let opts = crate::geometry::LogOptions {
                ode_tol: tol.min(1e-12),
                ..Default::default()
            };
            let l = m.log(xi, y, alpha, opts)?;
            let distance = m.distance(xi, y, opts)?;
            Some(LogReport {
                target: y.to_vec(),
                vector: l.vector.iter().copied().collect(),
                residual: l.residual,
                distance,
            })
        }
    };
    Ok(GeometryReport {
        family: family.to_string(),
        chart: m.chart_name(),
        chart_formula: m.formula(),
        point: xi.to_vec(),
        canonical: canonical.iter().copied().collect(),
        alpha,
        metric: g.row_iter().map(|r| r.iter().copied().collect()).collect(),
        christoffel,
        velocity: q.velocity.map(<[f64]>::to_vec),
        gamma_vv,
        exp,
        log,
    })
}

/// Runs `natflow geometry`.
pub fn run(args: &GeometryArgs) -> Result<()> {
    let fam = family(&args.family)?;
    let chart = match &args.chart {
        Some(c) => c.clone(),
        None => fam.charts()[0].name.clone(),
    };
    let at = args
        .at
        .as_deref()
        .map(|s| parse_list("--at", s))
        .transpose()?;
    let m = fam.geometry(&chart, at.as_ref().map(Vec::len))?;
    let xi = match at {
        Some(xi) => xi,
        None => m.reference_point()?.iter().copied().collect(),
    };
    let log_to = args
        .log_to
        .as_deref()
        .map(|s| parse_list("--log-to", s))
        .transpose()?;
    let v = args
        .velocity
        .as_deref()
        .map(|s| parse_list("--velocity", s))
        .transpose()?;
    let rep = report(
        fam.name(),
        m.as_ref(),
        &Query {
            xi: &xi,
            velocity: v.as_deref(),
            log_to: log_to.as_deref(),
            alpha: args.alpha,
            exp_time: args.exp_time,
            tol: args.tol,
        },
    )?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&rep).map_err(|e| Error::InvalidArgument(e.to_string()))?
        );
    } else {
        print!("{}", render_table(&rep));
    }
    Ok(())
}

/// x in scientific notation with 12 decimals; −0 prints as 0.
fn fmt_num(x: f64) -> String {
    let x = if x == 0.0 { 0.0 } else { x };
    format!("{x:.12e}")
}

fn fmt_vec(v: &[f64]) -> String {
    let parts: Vec<String> = v.iter().map(|&x| fmt_num(x)).collect();
    format!("({})", parts.join(", "))
}

/// The human-readable form of a report.
pub fn render_table(r: &GeometryReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "family {}, chart {}: {}",
        r.family, r.chart, r.chart_formula
    );
    let _ = writeln!(s, "point      ξ = {}", fmt_vec(&r.point));
    let _ = writeln!(s, "canonical  θ = {}", fmt_vec(&r.canonical));
    let _ = writeln!(s, "metric G(ξ):");
    for row in &r.metric {
        let _ = writeln!(
            s,
            "  {}",
            row.iter()
                .map(|&x| format!("{:>20}", fmt_num(x)))
                .collect::<String>()
        );
    }
    let _ = writeln!(s, "Christoffel symbols Γ^k_ij (α = {}):", r.alpha);
    let _ = writeln!(s, "  {:>3} {:>3} {:>3} {:>20}", "k", "i", "j", "Γ^k_ij");
    let n = r.point.len();
    for k in 0..n {
        for i in 0..n {
            for j in i..n {
                let _ = writeln!(
                    s,
                    "  {k:>3} {i:>3} {j:>3} {:>20}",
                    fmt_num(r.christoffel[k][i][j])
                );
            }
        }
    }
    if let (Some(v), Some(g), Some(e)) = (&r.velocity, &r.gamma_vv, &r.exp) {
        let _ = writeln!(s, "velocity   v = {}", fmt_vec(v));
        let _ = writeln!(s, "Γ(v,v)       = {}", fmt_vec(g));
        let _ = writeln!(
            s,
            "Exp({}·v)     = {}  (chart, tol {:e})",
            e.time,
            fmt_vec(&e.point),
            e.tol
        );
        let _ = writeln!(s, "             = {}  (canonical)", fmt_vec(&e.canonical));
    }
    if let Some(l) = &r.log {
        let _ = writeln!(s, "Log(X), X    = {}", fmt_vec(&l.target));
        let _ = writeln!(
            s,
            "             = {}  (residual {:e})",
            fmt_vec(&l.vector),
            l.residual
        );
        let _ = writeln!(s, "Fisher–Rao distance d(ξ, X) = {}", fmt_num(l.distance));
    }
    s
}
