//! The Figure 2 panels: negative log-likelihood against iteration, one panel per chart.

use super::{FONT, PALETTE, draw_err, register_fonts};
use crate::error::Result;
use crate::experiments::fig2::Fig2Record;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Draws the record into `root` (2 × 2 panels, or one row for fewer charts).
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rec: &Fig2Record,
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    root.fill(&WHITE).map_err(&e)?;
    let (title_area, body) = root.split_vertically(50);
    title_area
        .titled(
            &format!(
                "Fitting Gamma by natural gradient: lr = {}, n = {} (mean x = {:.4}, mean ln x = {:.4})",
                rec.lr, rec.data.n, rec.data.mean_x, rec.data.mean_log_x
            ),
            (FONT, 22),
        )
        .map_err(&e)?;
    let cols = if rec.charts.len() >= 4 {
        2
    } else {
        rec.charts.len().max(1)
    };
    let rows = rec.charts.len().div_ceil(cols);
    let panels = body.split_evenly((rows, cols));
    let (lo, hi) = rec
        .charts
        .iter()
        .flat_map(|c| c.methods.iter().flat_map(|m| m.nll.iter()))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let pad = 0.04 * (hi - lo).max(1e-12);
    for (panel, chart) in panels.iter().zip(&rec.charts) {
        let mut ctx = ChartBuilder::on(panel)
            .caption(format!("{}: {}", chart.chart, chart.formula), (FONT, 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..rec.iters as f64, (lo - pad)..(hi + pad))
            .map_err(&e)?;
        ctx.configure_mesh()
            .x_desc("iteration")
            .x_labels(rec.iters.min(20) as usize + 1)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc("negative log-likelihood")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(&e)?;
        for (k, run) in chart.methods.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let pts: Vec<(f64, f64)> = run
                .nll
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v))
                .collect();
            let style = ShapeStyle {
                color: color.to_rgba(),
                filled: false,
                stroke_width: 2,
            };
            let anno = if run.reference {
                ctx.draw_series(DashedLineSeries::new(pts.clone(), 8, 5, style))
                    .map_err(&e)?
            } else {
                ctx.draw_series(LineSeries::new(pts.clone(), style))
                    .map_err(&e)?
            };
            let dashed = run.reference;
            anno.label(&run.method).legend(move |(x, y)| {
                let s = ShapeStyle {
                    color: color.to_rgba(),
                    filled: false,
                    stroke_width: 2,
                };
                // Two segments: joined for solid curves, with a gap for the dashed references.
                let (end1, start2) = if dashed { (8, 14) } else { (11, 11) };
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (end1, 0)], s)
                    + PathElement::new(vec![(start2, 0), (22, 0)], s)
            });
            ctx.draw_series(pts.iter().map(|&p| Circle::new(p, 2, color.filled())))
                .map_err(&e)?;
        }
        ctx.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 14))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(&e)?;
    }
    root.present().map_err(&e)?;
    Ok(())
}

/// Writes the figure as `stem.svg` and `stem.png` in `dir`.
pub fn write_fig2(rec: &Fig2Record, dir: &Path, stem: &str) -> Result<()> {
    register_fonts();
    let size = (1200, 950);
    let svg = dir.join(format!("{stem}.svg"));
    draw(&SVGBackend::new(&svg, size).into_drawing_area(), rec, &svg)?;
    let png = dir.join(format!("{stem}.png"));
    draw(
        &BitMapBackend::new(&png, size).into_drawing_area(),
        rec,
        &png,
    )?;
    Ok(())
}
