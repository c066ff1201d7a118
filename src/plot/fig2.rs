//! The Figure 2 panels, one column per chart: the negative log-likelihood against iteration
//! (linear), and below it the distance to the exact flow's curve, |NLL − NLL_flow|, on a log
//! scale, where the methods that coincide at the top separate.

use super::{FONT, PALETTE, draw_err, legend, register_fonts, title_bar};
use crate::error::Result;
use crate::experiments::fig2::{ChartRuns, Fig2Record, MethodRun};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Columns of panels: one per chart, at most four in a row.
fn columns(n: usize) -> usize {
    n.clamp(1, 4)
}

/// The legend label: the method, and where it failed if it did.
fn label(run: &MethodRun) -> String {
    match run.failed_at {
        Some(k) => format!("{} (failed at step {k})", run.method),
        None => run.method.clone(),
    }
}

fn style(color: RGBColor) -> ShapeStyle {
    ShapeStyle {
        color: color.to_rgba(),
        filled: false,
        stroke_width: 2,
    }
}

/// Draws one method's curve (dashed for references), its points, and a cross where it failed.
fn draw_curve<'a, DB: DrawingBackend + 'a, X, Y>(
    ctx: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    run: &MethodRun,
    pts: Vec<(f64, f64)>,
    color: RGBColor,
    path: &Path,
) -> Result<()>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    let e = draw_err(path);
    let anno = if run.reference {
        ctx.draw_series(DashedLineSeries::new(pts.clone(), 8, 5, style(color)))
            .map_err(&e)?
    } else {
        ctx.draw_series(LineSeries::new(pts.clone(), style(color)))
            .map_err(&e)?
    };
    let dashed = run.reference;
    anno.label(label(run)).legend(move |(x, y)| {
        // Two segments: joined for solid curves, with a gap for the dashed references.
        let (end1, start2) = if dashed { (8, 14) } else { (11, 11) };
        EmptyElement::at((x, y))
            + PathElement::new(vec![(0, 0), (end1, 0)], style(color))
            + PathElement::new(vec![(start2, 0), (22, 0)], style(color))
    });
    // Point markers only while they stay apart (a few dozen iterations).
    if pts.len() <= 60 {
        ctx.draw_series(pts.iter().map(|&p| Circle::new(p, 2, color.filled())))
            .map_err(&e)?;
    }
    if let (Some(_), Some(&last)) = (run.failed_at, pts.last()) {
        ctx.draw_series(std::iter::once(Cross::new(last, 7, color.stroke_width(3))))
            .map_err(&e)?;
    }
    Ok(())
}

fn nll_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rec: &Fig2Record,
    chart: &ChartRuns,
    (lo, hi): (f64, f64),
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let pad = 0.04 * (hi - lo).max(1e-12);
    let mut ctx = ChartBuilder::on(area)
        .caption(format!("{}: {}", chart.chart, chart.formula), (FONT, 19))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(58)
        .build_cartesian_2d(0f64..rec.iters as f64, (lo - pad)..(hi + pad))
        .map_err(&e)?;
    ctx.configure_mesh()
        .x_desc("iteration")
        .x_labels(rec.iters.min(8) as usize + 1)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("negative log-likelihood")
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&e)?;
    for (k, run) in chart.methods.iter().enumerate() {
        let pts = run
            .nll
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, v))
            .collect();
        draw_curve(&mut ctx, run, pts, PALETTE[k % PALETTE.len()], path)?;
    }
    legend(&mut ctx, SeriesLabelPosition::UpperRight, path)?;
    Ok(())
}

/// |NLL − NLL_flow| per method (log scale); nothing when the chart has no `flow` run.
fn gap_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rec: &Fig2Record,
    chart: &ChartRuns,
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let Some(flow) = chart.methods.iter().find(|m| m.method == "flow") else {
        return Ok(());
    };
    let diffs: Vec<(usize, Vec<(f64, f64)>)> = chart
        .methods
        .iter()
        .enumerate()
        .filter(|(_, m)| m.method != "flow")
        .map(|(k, m)| {
            let pts = m
                .nll
                .iter()
                .zip(&flow.nll)
                .enumerate()
                .map(|(i, (a, b))| (i as f64, (a - b).abs()))
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .collect();
            (k, pts)
        })
        .collect();
    let (lo, hi) = diffs
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1))
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo.is_finite() {
        (lo / 3.0, hi * 3.0)
    } else {
        (1e-16, 1.0)
    };
    let mut ctx = ChartBuilder::on(area)
        .caption("distance to the exact flow's NLL", (FONT, 15))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(58)
        .build_cartesian_2d(0f64..rec.iters as f64, (lo..hi).log_scale())
        .map_err(&e)?;
    ctx.configure_mesh()
        .x_desc("iteration")
        .x_labels(rec.iters.min(8) as usize + 1)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("|NLL − NLL(flow)|")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&e)?;
    for (k, pts) in diffs {
        draw_curve(
            &mut ctx,
            &chart.methods[k],
            pts,
            PALETTE[k % PALETTE.len()],
            path,
        )?;
    }
    Ok(())
}

/// Draws the record into `root`: per chart a column with the NLL above and the distance to
/// the flow below.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rec: &Fig2Record,
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let body = title_bar(
        root,
        path,
        &format!(
            "Fitting Gamma by natural gradient: lr = {}, n = {} (mean x = {:.4}, mean ln x = {:.4})",
            rec.lr, rec.data.n, rec.data.mean_x, rec.data.mean_log_x
        ),
        46,
        21,
    )?;
    let cols = columns(rec.charts.len());
    let rows = rec.charts.len().div_ceil(cols);
    let panels = body.split_evenly((2 * rows, cols));
    let range = rec
        .charts
        .iter()
        .flat_map(|c| c.methods.iter().flat_map(|m| m.nll.iter()))
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    for (i, chart) in rec.charts.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        nll_panel(&panels[2 * r * cols + c], rec, chart, range, path)?;
        gap_panel(&panels[(2 * r + 1) * cols + c], rec, chart, path)?;
    }
    root.present().map_err(&e)?;
    Ok(())
}

/// The canvas size for `n` charts.
fn size(n: usize) -> (u32, u32) {
    let cols = columns(n) as u32;
    let rows = n.div_ceil(columns(n)) as u32;
    (60 + 420 * cols, 46 + 680 * rows)
}

/// Writes the figure as SVG to `svg` and as PNG to `png`.
pub fn write_fig2(rec: &Fig2Record, svg: &Path, png: &Path) -> Result<()> {
    register_fonts();
    let size = size(rec.charts.len());
    draw(&SVGBackend::new(svg, size).into_drawing_area(), rec, svg)?;
    draw(&BitMapBackend::new(png, size).into_drawing_area(), rec, png)?;
    Ok(())
}
