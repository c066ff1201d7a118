//! The Figure 3 panels, one column per task: training error against updates (top) and against
//! training wall time (bottom), log scale, the median over seeds as a line and the spread
//! (smallest to largest over seeds) as a shaded band.

use super::{FONT, draw_err, head_with_legend, median, register_fonts, series_color};
use crate::error::Result;
use crate::experiments::fig3::{Fig3Record, Fig3Run, Fig3Task};
use crate::nn::train::TrainMethod;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// v with three significant digits.
fn significant(v: f64) -> String {
    let decimals = (2 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{v:.decimals$}")
}

/// Per iteration over a method's seeds: (median x, median error, lowest, highest), where x is
/// the iteration or the median wall time.
pub fn summary(runs: &[&Fig3Run], wall: bool) -> Vec<(f64, f64, f64, f64)> {
    let len = runs.iter().map(|r| r.records.len()).min().unwrap_or(0);
    (0..len)
        .map(|i| {
            let mut x: Vec<f64> = runs
                .iter()
                .map(|r| {
                    if wall {
                        r.records[i].wall_s
                    } else {
                        r.records[i].iter as f64
                    }
                })
                .collect();
            let mut e: Vec<f64> = runs.iter().map(|r| r.records[i].train_error).collect();
            let lo = e.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (median(&mut x), median(&mut e), lo, hi)
        })
        .collect()
}

/// The task's runs grouped by method, in the order methods first appear.
pub fn by_method(task: &Fig3Task) -> Vec<(TrainMethod, Vec<&Fig3Run>)> {
    let mut out: Vec<(TrainMethod, Vec<&Fig3Run>)> = vec![];
    for r in &task.runs {
        match out.iter_mut().find(|(m, _)| *m == r.method) {
            Some((_, v)) => v.push(r),
            None => out.push((r.method, vec![r])),
        }
    }
    out
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    task: &Fig3Task,
    methods: &[TrainMethod],
    wall: bool,
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let groups: Vec<_> = by_method(task)
        .into_iter()
        .map(|(m, runs)| (m, summary(&runs, wall)))
        .collect();
    let pts = groups.iter().flat_map(|(_, s)| s.iter());
    let positive = |v: f64| v.is_finite() && v > 0.0;
    let x_hi = pts.clone().map(|p| p.0).fold(0.0f64, f64::max).max(1e-9);
    let ys = pts.flat_map(|p| [p.2, p.3]).filter(|&v| positive(v));
    let (y_lo, y_hi) = ys.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    // The axis is log₁₀ of the error, labelled with the error itself, so that a range within
    // one decade still gets labels.
    let (y_lo, y_hi) = if y_lo.is_finite() && y_hi > 0.0 {
        let (a, b) = (y_lo.log10(), y_hi.log10());
        let pad = 0.05 * (b - a).max(0.02);
        (a - pad, b + pad)
    } else {
        (-3.0, 0.0)
    };
    let decimals = (1 - x_hi.log10().floor() as i32).clamp(0, 6) as usize;
    let classifier = task.output == crate::nn::OutputFamily::Categorical;
    let what = if classifier {
        "training error rate (log scale)"
    } else {
        "training error, squared per example (log scale)"
    };
    let caption = if wall {
        format!("{}: against wall time", task.task.name())
    } else {
        format!(
            "{} {} (N = {})",
            task.task.name(),
            task.architecture,
            task.n_train
        )
    };
    let mut ctx = ChartBuilder::on(area)
        .caption(caption, (FONT, 16))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(62)
        .build_cartesian_2d(0f64..x_hi * 1.02, y_lo..y_hi)
        .map_err(&e)?;
    ctx.configure_mesh()
        .x_desc(if wall { "seconds" } else { "update" })
        .x_label_formatter(&|x| {
            if wall {
                format!("{x:.decimals$}")
            } else {
                format!("{x:.0}")
            }
        })
        .y_labels(8)
        .y_desc(what)
        .y_label_formatter(&|y| significant(10f64.powf(*y)))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&e)?;
    for (method, s) in &groups {
        let color = series_color(methods, method);
        let band: Vec<(f64, f64)> = s
            .iter()
            .filter(|p| positive(p.2))
            .map(|p| (p.0, p.3.log10()))
            .chain(
                s.iter()
                    .rev()
                    .filter(|p| positive(p.2))
                    .map(|p| (p.0, p.2.log10())),
            )
            .collect();
        if band.len() > 2 {
            ctx.draw_series(std::iter::once(Polygon::new(band, color.mix(0.18))))
                .map_err(&e)?;
        }
        let line: Vec<(f64, f64)> = s
            .iter()
            .filter(|p| positive(p.1))
            .map(|p| (p.0, p.1.log10()))
            .collect();
        ctx.draw_series(LineSeries::new(line, color.stroke_width(2)))
            .map_err(&e)?;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rec: &Fig3Record,
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let names: Vec<&str> = rec.config.methods.iter().map(|m| m.name()).collect();
    let body = head_with_legend(
        root,
        path,
        &format!(
            "Figure 3, {} scale: median and range over {} seed{}, α = {}",
            rec.config.scale.name(),
            rec.config.seeds,
            if rec.config.seeds == 1 { "" } else { "s" },
            rec.config.alpha
        ),
        &names,
    )?;
    let cols = rec.tasks.len().max(1);
    let panels = body.split_evenly((2, cols));
    for (i, task) in rec.tasks.iter().enumerate() {
        panel(&panels[i], task, &rec.config.methods, false, path)?;
        panel(&panels[cols + i], task, &rec.config.methods, true, path)?;
    }
    root.present().map_err(&e)?;
    Ok(())
}

/// Writes the figure as SVG to `svg` and as PNG to `png`.
pub fn write_fig3(rec: &Fig3Record, svg: &Path, png: &Path) -> Result<()> {
    register_fonts();
    let size = (
        (40 + 460 * rec.tasks.len() as u32).max(620),
        44 + 30 + 2 * 380,
    );
    draw(&SVGBackend::new(svg, size).into_drawing_area(), rec, svg)?;
    draw(&BitMapBackend::new(png, size).into_drawing_area(), rec, png)?;
    Ok(())
}
