//! Figures of an order study: error against h (log-log) per method with fitted slopes and
//! reference slopes 1, 2, 4; the invariance gap against h; work-precision diagrams.

use super::{FONT, PALETTE, draw_err, register_fonts};
use crate::error::Result;
use crate::studies::OrderStudy;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

type Series = (String, Vec<(f64, f64)>, RGBColor);

fn positive(xs: &[f64], ys: &[Option<f64>]) -> Vec<(f64, f64)> {
    xs.iter()
        .zip(ys)
        .filter_map(|(&x, y)| y.filter(|v| v.is_finite() && *v > 0.0).map(|v| (x, v)))
        .collect()
}

fn fmt_slope(s: Option<f64>) -> String {
    s.map_or("–".into(), |s| format!("{s:.2}"))
}

fn log_range(vals: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = vals
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo.is_finite() {
        (lo / 2.0, hi * 2.0)
    } else {
        (1e-16, 1.0)
    }
}

/// How one log-log panel is labelled.
struct Panel<'a> {
    title: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    /// Reference slopes drawn through the data's centre.
    ref_slopes: &'a [f64],
    /// The error floor, drawn where the data come near it.
    floor: Option<f64>,
}

/// One log-log panel: the series, optional reference slopes through the data, a legend.
fn loglog_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    path: &Path,
    panel: &Panel,
    series: &[Series],
) -> Result<()> {
    let Panel {
        title,
        x_desc,
        y_desc,
        ref_slopes,
        floor,
    } = *panel;
    let e = draw_err(path);
    let (x0, x1) = log_range(series.iter().flat_map(|s| s.1.iter().map(|p| p.0)));
    let (mut y0, y1) = log_range(series.iter().flat_map(|s| s.1.iter().map(|p| p.1)));
    // Show the floor only where the data come near it.
    let floor = floor.filter(|f| y0 < 100.0 * f);
    if let Some(f) = floor {
        y0 = y0.min(f / 2.0);
    }
    let mut ctx = ChartBuilder::on(area)
        .caption(title, (FONT, 17))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(62)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
        .map_err(&e)?;
    ctx.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .x_label_formatter(&|x| format!("{x:.0e}"))
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&e)?;
    // Reference slopes through the geometric centre of the data.
    let (cx, cy) = {
        let pts: Vec<(f64, f64)> = series.iter().flat_map(|s| s.1.iter().copied()).collect();
        let n = pts.len().max(1) as f64;
        (
            (pts.iter().map(|p| p.0.ln()).sum::<f64>() / n).exp(),
            (pts.iter().map(|p| p.1.ln()).sum::<f64>() / n).exp(),
        )
    };
    for (i, &p) in ref_slopes.iter().enumerate() {
        let line: Vec<(f64, f64)> = [x0, x1]
            .iter()
            .map(|&x| (x, cy * (x / cx).powf(p)))
            .collect();
        let grey = RGBColor(150, 150, 150).mix(1.0 - 0.2 * i as f64);
        ctx.draw_series(DashedLineSeries::new(
            line.clone(),
            4,
            4,
            grey.stroke_width(1),
        ))
        .map_err(&e)?;
        let (lx, ly) = line[1];
        if ly < y1 && ly > y0 {
            ctx.draw_series(std::iter::once(Text::new(
                format!("slope {p}"),
                (lx * 0.6, ly),
                (FONT, 11).into_font().color(&RGBColor(110, 110, 110)),
            )))
            .map_err(&e)?;
        }
    }
    if let Some(f) = floor {
        ctx.draw_series(DashedLineSeries::new(
            vec![(x0, f), (x1, f)],
            2,
            3,
            RED.mix(0.5).stroke_width(1),
        ))
        .map_err(&e)?
        .label("error floor")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED.mix(0.5)));
    }
    for (label, pts, color) in series {
        let color = *color;
        ctx.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(&e)?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        ctx.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(&e)?;
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 12))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(&e)?;
    Ok(())
}

fn title_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    path: &Path,
    text: &str,
) -> Result<DrawingArea<DB, Shift>> {
    let e = draw_err(path);
    root.fill(&WHITE).map_err(&e)?;
    let (top, body) = root.split_vertically(40);
    top.titled(text, (FONT, 19)).map_err(&e)?;
    Ok(body)
}

fn draw_errors<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &OrderStudy,
    path: &Path,
) -> Result<()> {
    let body = title_bar(
        root,
        path,
        &format!(
            "{}: error vs the flow at T = {} (fitted slope per chart)",
            st.family, st.t_final
        ),
    )?;
    let cols = 3.min(st.methods.len()).max(1);
    let rows = st.methods.len().div_ceil(cols);
    for (area, m) in body.split_evenly((rows, cols)).iter().zip(&st.methods) {
        let series: Vec<Series> = m
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    format!("{} ({})", r.chart, fmt_slope(m.orders.vs_flow[&r.chart])),
                    positive(&m.h, &r.error_vs_flow),
                    PALETTE[i % PALETTE.len()],
                )
            })
            .collect();
        loglog_panel(
            area,
            path,
            &Panel {
                title: &m.method,
                x_desc: "step size h",
                y_desc: "‖θ(T) − θ_flow(T)‖",
                ref_slopes: &[1.0, 2.0, 4.0],
                floor: Some(st.reference.floor),
            },
            &series,
        )?;
    }
    root.present().map_err(draw_err(path))?;
    Ok(())
}

fn draw_gap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &OrderStudy,
    path: &Path,
) -> Result<()> {
    let body = title_bar(
        root,
        path,
        &format!(
            "{}: invariance gap (largest distance between charts' endpoints)",
            st.family
        ),
    )?;
    let series: Vec<Series> = st
        .methods
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (
                format!("{} ({})", m.method, fmt_slope(m.orders.invariance_gap)),
                positive(&m.h, &m.invariance_gap),
                PALETTE[i % PALETTE.len()],
            )
        })
        .collect();
    loglog_panel(
        &body,
        path,
        &Panel {
            title: &st.charts.join(", "),
            x_desc: "step size h",
            y_desc: "invariance gap",
            ref_slopes: &[1.0, 2.0, 4.0],
            floor: Some(st.reference.floor),
        },
        &series,
    )?;
    root.present().map_err(draw_err(path))?;
    Ok(())
}

fn draw_work<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &OrderStudy,
    path: &Path,
) -> Result<()> {
    let chart = st.charts.first().cloned().unwrap_or_default();
    let body = title_bar(
        root,
        path,
        &format!(
            "{}: work–precision in chart '{chart}' (error vs the flow)",
            st.family
        ),
    )?;
    let (left, right) = body.split_horizontally(body.dim_in_pixel().0 / 2);
    let by = |f: &dyn Fn(&crate::studies::order::ChartRun, usize) -> f64| -> Vec<Series> {
        st.methods
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let r = &m.runs[0];
                let pts = (0..m.h.len())
                    .filter_map(|k| {
                        r.error_vs_flow[k]
                            .filter(|e| *e > 0.0)
                            .map(|e| (f(r, k), e))
                    })
                    .filter(|p| p.0 > 0.0)
                    .collect();
                (m.method.clone(), pts, PALETTE[i % PALETTE.len()])
            })
            .collect()
    };
    let evals = by(&|r, k| {
        let e = r.evaluations[k];
        (e.gradients + e.christoffels) as f64
    });
    loglog_panel(
        &left,
        path,
        &Panel {
            title: "against evaluations",
            x_desc: "gradient + Γ(v,v) evaluations",
            y_desc: "error",
            ref_slopes: &[],
            floor: None,
        },
        &evals,
    )?;
    let time = by(&|r, k| r.seconds[k]);
    loglog_panel(
        &right,
        path,
        &Panel {
            title: "against wall time",
            x_desc: "seconds",
            y_desc: "error",
            ref_slopes: &[],
            floor: None,
        },
        &time,
    )?;
    root.present().map_err(draw_err(path))?;
    Ok(())
}

/// Writes `order_error`, `order_gap` and `order_work`, each as SVG and PNG, into `dir`.
pub fn write_order_figures(st: &OrderStudy, dir: &Path) -> Result<()> {
    register_fonts();
    // Each drawing function is generic over the backend; draw it once per format.
    macro_rules! svg_and_png {
        ($stem:literal, $size:expr, $draw:ident) => {{
            let svg = dir.join(concat!($stem, ".svg"));
            $draw(&SVGBackend::new(&svg, $size).into_drawing_area(), st, &svg)?;
            let png = dir.join(concat!($stem, ".png"));
            $draw(
                &BitMapBackend::new(&png, $size).into_drawing_area(),
                st,
                &png,
            )?;
        }};
    }
    svg_and_png!("order_error", (1350, 850), draw_errors);
    svg_and_png!("order_gap", (900, 650), draw_gap);
    svg_and_png!("order_work", (1300, 600), draw_work);
    Ok(())
}
