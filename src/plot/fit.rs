//! The `natflow fit` figure: the loss above the best value reached, on a log scale, against
//! iteration (left), and the path of the iterates in
//! the chart (right; the first two chart coordinates, or the one coordinate against iteration
//! for a one-parameter family). One colour per method, a cross where a run failed.

use super::{FONT, draw_err, head_with_legend, series_color};
use crate::error::Result;
use crate::fit::FitRecord;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// (lo, hi) of `values`, padded by 5 % (a flat range gets ±1e-9 relative).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = 0.05 * (hi - lo).max(1e-9 * lo.abs().max(1e-12));
    (lo - pad, hi + pad)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rec: &FitRecord,
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let names: Vec<&str> = rec.runs.iter().map(|r| r.method.as_str()).collect();
    let title = format!(
        "{} fit in chart '{}' ({}), h = {}, α = {}, n = {}",
        rec.family, rec.chart, rec.chart_formula, rec.lr, rec.alpha, rec.data.n
    );
    let body = head_with_legend(root, path, &title, &names)?;
    let (left, right) = body.split_horizontally(body.dim_in_pixel().0 / 2);
    // The loss above the best value any run reached, on a log scale (points at the best value
    // itself are left out).
    let best = rec
        .runs
        .iter()
        .flat_map(|r| r.loss.iter().copied())
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let gaps: Vec<Vec<(f64, f64)>> = rec
        .runs
        .iter()
        .map(|r| {
            r.loss
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v - best))
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .collect()
        })
        .collect();
    let (glo, ghi) = gaps
        .iter()
        .flatten()
        .fold((f64::INFINITY, 0.0f64), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let (glo, ghi) = if glo.is_finite() {
        (glo / 3.0, ghi * 3.0)
    } else {
        (1e-16, 1.0)
    };
    let mut ctx = ChartBuilder::on(&left)
        .caption(format!("loss − best loss ({best:.12})"), (FONT, 17))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..rec.iters as f64, (glo..ghi).log_scale())
        .map_err(&e)?;
    ctx.configure_mesh()
        .x_desc("iteration")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("average NLL − best")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&e)?;
    for (r, pts) in rec.runs.iter().zip(&gaps) {
        let c = series_color(&names, &r.method.as_str());
        ctx.draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            .map_err(&e)?;
        if r.failed_at.is_some()
            && let Some(&p) = pts.last()
        {
            ctx.draw_series(std::iter::once(Cross::new(p, 7, c.stroke_width(3))))
                .map_err(&e)?;
        }
    }
    // The path in the chart.
    let dim = rec.start.len();
    let coords = |p: &Vec<f64>, i: usize| -> (f64, f64) {
        if dim == 1 {
            (i as f64, p[0])
        } else {
            (p[0], p[1])
        }
    };
    let pts: Vec<Vec<(f64, f64)>> = rec
        .runs
        .iter()
        .map(|r| {
            r.points
                .iter()
                .enumerate()
                .map(|(i, p)| coords(p, i))
                .collect()
        })
        .collect();
    let (x0, x1) = range(pts.iter().flatten().map(|p| p.0));
    let (y0, y1) = range(pts.iter().flatten().map(|p| p.1));
    let (xd, yd) = if dim == 1 {
        ("iteration".to_string(), "ξ₁".to_string())
    } else {
        ("ξ₁".to_string(), "ξ₂".to_string())
    };
    let caption = if dim > 2 {
        format!("iterates (first two of {dim} chart coordinates)")
    } else {
        "iterates in the chart".to_string()
    };
    let mut ctx = ChartBuilder::on(&right)
        .caption(caption, (FONT, 17))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(&e)?;
    ctx.configure_mesh()
        .x_desc(xd)
        .y_desc(yd)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&e)?;
    for (r, p) in rec.runs.iter().zip(&pts) {
        let c = series_color(&names, &r.method.as_str());
        ctx.draw_series(LineSeries::new(p.clone(), c.stroke_width(2)))
            .map_err(&e)?;
        if p.len() <= 60 {
            ctx.draw_series(p.iter().map(|&q| Circle::new(q, 3, c.filled())))
                .map_err(&e)?;
        }
    }
    if let Some(first) = pts.first().and_then(|p| p.first()) {
        ctx.draw_series(std::iter::once(Circle::new(
            *first,
            6,
            BLACK.stroke_width(2),
        )))
        .map_err(&e)?;
    }
    Ok(())
}

/// Writes the figure as SVG to `svg` and PNG to `png`.
pub fn write_fit(rec: &FitRecord, svg: &Path, png: &Path) -> Result<()> {
    super::register_fonts();
    let size = (1200, 560);
    draw(&SVGBackend::new(svg, size).into_drawing_area(), rec, svg)?;
    draw(&BitMapBackend::new(png, size).into_drawing_area(), rec, png)?;
    Ok(())
}
