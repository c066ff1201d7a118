//! The reinforcement-learning figure: one panel per environment, mean episode return against
//! environment steps (for `lqr`: the mean policy's exact discounted cost relative to the
//! Riccati optimum, J/J* − 1, on a log scale, with 1 % dashed), the median over seeds as a
//! line and the range (smallest to largest) as a shaded band.

use super::{FONT, draw_err, head_with_legend, median, register_fonts, series_color};
use crate::error::Result;
use crate::experiments::fig4::{Fig4Env, Fig4Record, Fig4Run};
use crate::rl::env::EnvName;
use crate::rl::npg::PgMethod;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// The value a panel plots for update i of a run: log₁₀(J/J* − 1) (lqr) or the mean return.
fn value(env: &Fig4Env, run: &Fig4Run, i: usize) -> Option<f64> {
    match (&run.cost, env.optimal_cost) {
        (Some(c), Some(opt)) => Some((c[i] / opt - 1.0).log10()).filter(|v| v.is_finite()),
        _ => run.mean_return[i],
    }
}

/// Per update over a method's seeds: (timesteps, median, lowest, highest) of the values
/// present (updates where no seed completed an episode are skipped).
pub fn summary(env: &Fig4Env, method: PgMethod) -> Vec<(f64, f64, f64, f64)> {
    let runs: Vec<&Fig4Run> = env.runs.iter().filter(|r| r.method == method).collect();
    let len = runs.iter().map(|r| r.timesteps.len()).min().unwrap_or(0);
    (0..len)
        .filter_map(|i| {
            let mut v: Vec<f64> = runs.iter().filter_map(|r| value(env, r, i)).collect();
            if v.is_empty() {
                return None;
            }
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Some((runs[0].timesteps[i] as f64, median(&mut v), lo, hi))
        })
        .collect()
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    env: &Fig4Env,
    methods: &[PgMethod],
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let groups: Vec<_> = methods.iter().map(|&m| (m, summary(env, m))).collect();
    let pts = groups.iter().flat_map(|(_, s)| s.iter());
    let x_hi = pts.clone().map(|p| p.0).fold(1.0f64, f64::max);
    let (mut y_lo, mut y_hi) = pts
        .flat_map(|p| [p.2, p.3])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if env.optimal_cost.is_some() {
        // The 1 % line.
        y_lo = y_lo.min(-2.0);
        y_hi = y_hi.max(-2.0);
    }
    if !(y_lo.is_finite() && y_hi.is_finite()) {
        (y_lo, y_hi) = (0.0, 1.0);
    }
    let pad = 0.05 * (y_hi - y_lo).max(1e-9);
    let lqr = env.env == EnvName::Lqr;
    let mut ctx = ChartBuilder::on(area)
        .caption(
            format!(
                "{}: batches of {}, δ = {}",
                env.env.name(),
                env.batch_steps,
                env.delta
            ),
            (FONT, 16),
        )
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(62)
        .build_cartesian_2d(0f64..x_hi * 1.02, (y_lo - pad)..(y_hi + pad))
        .map_err(&e)?;
    ctx.configure_mesh()
        .x_desc("environment steps")
        .x_label_formatter(&|x| {
            let decimals = if x_hi < 20_000.0 { 1 } else { 0 };
            format!("{:.decimals$}k", x / 1000.0)
        })
        .y_desc(if lqr {
            "mean policy's cost / J* − 1 (log scale)"
        } else {
            "mean episode return"
        })
        .y_label_formatter(&|y| {
            if lqr {
                let v = 10f64.powf(*y);
                let d = (1 - y.floor() as i32).clamp(0, 8) as usize;
                format!("{v:.d$}")
            } else {
                format!("{y}")
            }
        })
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&e)?;
    if env.optimal_cost.is_some() {
        ctx.draw_series(DashedLineSeries::new(
            vec![(0.0, -2.0), (x_hi * 1.02, -2.0)],
            6,
            4,
            BLACK.mix(0.6).stroke_width(1),
        ))
        .map_err(&e)?;
    }
    for (m, s) in &groups {
        let c = series_color(methods, m);
        let band: Vec<(f64, f64)> = s
            .iter()
            .map(|p| (p.0, p.3))
            .chain(s.iter().rev().map(|p| (p.0, p.2)))
            .collect();
        if band.len() > 2 {
            ctx.draw_series(std::iter::once(Polygon::new(band, c.mix(0.15))))
                .map_err(&e)?;
        }
        ctx.draw_series(LineSeries::new(
            s.iter().map(|p| (p.0, p.1)),
            c.stroke_width(2),
        ))
        .map_err(&e)?;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rec: &Fig4Record,
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let names: Vec<&str> = rec.config.methods.iter().map(|m| m.name()).collect();
    let body = head_with_legend(
        root,
        path,
        &format!(
            "Natural policy gradient: median and range over {} seed{}, α = {}",
            rec.config.seeds,
            if rec.config.seeds == 1 { "" } else { "s" },
            rec.config.alpha
        ),
        &names,
    )?;
    let n = rec.envs.len().max(1);
    let cols = n.min(2);
    let rows = n.div_ceil(cols);
    let panels = body.split_evenly((rows, cols));
    for (i, env) in rec.envs.iter().enumerate() {
        panel(&panels[i], env, &rec.config.methods, path)?;
    }
    root.present().map_err(&e)?;
    Ok(())
}

/// Writes the figure as SVG to `svg` and as PNG to `png`.
pub fn write_fig4(rec: &Fig4Record, svg: &Path, png: &Path) -> Result<()> {
    register_fonts();
    let n = rec.envs.len().max(1) as u32;
    let cols = n.min(2);
    let rows = n.div_ceil(cols);
    let size = (40 + 520 * cols, 44 + 30 + 360 * rows);
    draw(&SVGBackend::new(svg, size).into_drawing_area(), rec, svg)?;
    draw(&BitMapBackend::new(png, size).into_drawing_area(), rec, png)?;
    Ok(())
}
