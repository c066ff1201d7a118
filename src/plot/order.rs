//! Figures of an order study: error against h (log-log) per method with fitted slopes and
//! reference slopes 1, 2, 4; the invariance gap against h; work-precision diagrams.

use super::{FONT, PALETTE, draw_err, register_fonts, title_bar};
use crate::error::Result;
use crate::studies::OrderStudy;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// A curve: its legend label, its points, its colour, and the x values (step sizes) where a
/// run failed — drawn as crosses along the panel's top edge.
type Series = (String, Vec<(f64, f64)>, RGBColor, Vec<f64>);

/// The step sizes whose runs failed.
fn failed_at(h: &[f64], failures: &[Option<String>]) -> Vec<f64> {
    h.iter()
        .zip(failures)
        .filter(|(_, f)| f.is_some())
        .map(|(h, _)| *h)
        .collect()
}

/// A label with the number of failed runs appended.
fn with_failures(label: String, failed: &[f64]) -> String {
    match failed.len() {
        0 => label,
        k => format!("{label}, {k} failed"),
    }
}

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
    /// Where the legend goes (a corner the data leave empty).
    legend: SeriesLabelPosition,
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
        ref legend,
    } = *panel;
    let legend = legend.clone();
    let e = draw_err(path);
    let (x0, x1) = log_range(series.iter().flat_map(|s| s.1.iter().map(|p| p.0)));
    let (mut y0, mut y1) = log_range(series.iter().flat_map(|s| s.1.iter().map(|p| p.1)));
    if series.iter().any(|s| !s.3.is_empty()) {
        y1 *= 4.0;
    }
    // Show the floor only where the data come near it.
    let floor = floor.filter(|f| y0 < 100.0 * f);
    if let Some(f) = floor {
        y0 = y0.min(f / 2.0);
    }
    // Headroom above the data for a legend in an upper corner, so it covers no point: the
    // legend's height in pixels, as a share of the plotting height, in decades.
    if matches!(
        legend,
        SeriesLabelPosition::UpperLeft | SeriesLabelPosition::UpperRight
    ) {
        let entries = series.len() + usize::from(floor.is_some());
        let legend_px = 17.0 * entries as f64 + 14.0;
        let plot_px = (area.dim_in_pixel().1 as f64 - 90.0).max(2.0 * legend_px);
        let dy = (y1 / y0).log10();
        y1 *= 10f64.powf(dy * legend_px / (plot_px - legend_px));
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
    // Reference slopes: a fan of short guides in the lower-right corner, which error-vs-h
    // data (rising to the right) leave empty; each labelled at its upper end.
    if !ref_slopes.is_empty() {
        let (dx, dy) = ((x1 / x0).log10(), (y1 / y0).log10());
        let anchor = (x1 / 10f64.powf(0.3 * dx), y0 * 10f64.powf(0.04 * dy));
        for (i, &p) in ref_slopes.iter().enumerate() {
            // Run at most 15 % of the x decades, rise at most 40 % of the y decades.
            let run = (0.15 * dx).min(0.4 * dy / p);
            let end = (anchor.0 * 10f64.powf(run), anchor.1 * 10f64.powf(run * p));
            let grey = RGBColor(120, 120, 120).mix(1.0 - 0.15 * i as f64);
            ctx.draw_series(DashedLineSeries::new(
                vec![anchor, end],
                4,
                3,
                grey.stroke_width(1),
            ))
            .map_err(&e)?;
            ctx.draw_series(std::iter::once(Text::new(
                format!("slope {p}"),
                (end.0 * 1.08, end.1),
                (FONT, 11).into_font().color(&RGBColor(90, 90, 90)),
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
    for (label, pts, color, failed) in series {
        let color = *color;
        if !failed.is_empty() {
            ctx.draw_series(
                failed
                    .iter()
                    .map(|&x| Cross::new((x, y1 / 1.6), 5, color.stroke_width(2))),
            )
            .map_err(&e)?;
        }
        ctx.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(&e)?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        ctx.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(&e)?;
    }
    super::legend(&mut ctx, legend, path)?;
    Ok(())
}

/// Columns and rows for n panels: about square, at most four columns.
fn grid(n: usize) -> (usize, usize) {
    let cols = ((n as f64).sqrt().ceil() as usize).clamp(1, 4);
    (cols, n.div_ceil(cols).max(1))
}

/// The error figure's canvas, sized to its grid of panels.
fn error_size(st: &OrderStudy) -> (u32, u32) {
    let (cols, rows) = grid(st.methods.len());
    (460 * cols as u32, 40 + 400 * rows as u32)
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
        40,
        19,
    )?;
    let (cols, rows) = grid(st.methods.len());
    for (area, m) in body.split_evenly((rows, cols)).iter().zip(&st.methods) {
        let series: Vec<Series> = m
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let failed = failed_at(&m.h, &r.failures);
                (
                    with_failures(
                        format!("{} ({})", r.chart, fmt_slope(m.orders.vs_flow[&r.chart])),
                        &failed,
                    ),
                    positive(&m.h, &r.error_vs_flow),
                    PALETTE[i % PALETTE.len()],
                    failed,
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
                legend: SeriesLabelPosition::UpperLeft,
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
        40,
        19,
    )?;
    let series: Vec<Series> = st
        .methods
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let failed: Vec<f64> =
                m.h.iter()
                    .zip(&m.invariance_gap)
                    .filter(|(_, g)| g.is_none())
                    .filter(|(h, _)| {
                        let k = m.h.iter().position(|x| x == *h).unwrap_or(0);
                        m.runs.iter().any(|r| r.failures[k].is_some())
                    })
                    .map(|(h, _)| *h)
                    .collect();
            (
                with_failures(
                    format!("{} ({})", m.method, fmt_slope(m.orders.invariance_gap)),
                    &failed,
                ),
                positive(&m.h, &m.invariance_gap),
                PALETTE[i % PALETTE.len()],
                failed,
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
            legend: SeriesLabelPosition::UpperLeft,
        },
        &series,
    )?;
    root.present().map_err(draw_err(path))?;
    Ok(())
}

/// Calls per run of the first chart's run at step size k: f, ∇L, Γ(v,v) and ∂Γ, Exp.
fn calls(r: &crate::studies::order::ChartRun, k: usize) -> f64 {
    let e = r.evaluations[k];
    (e.natural_velocities + e.gradients + e.christoffels + e.exp_maps) as f64
}

/// The cost of a chart's run at step size k (calls or seconds).
type Cost<'a> = &'a dyn Fn(&crate::studies::order::ChartRun, usize) -> f64;

/// What a work–precision figure plots of a method at step size k, given the cost to use:
/// (cost, value).
type Point<'a> =
    &'a dyn Fn(&crate::studies::order::MethodStudy, usize, Cost<'_>) -> Option<(f64, f64)>;

/// A work–precision figure: a quantity of every method against its cost per run, in calls
/// (left) and seconds (right). `point(method, k, cost)` gives (cost, value) at step size k,
/// where `cost(run, k)` is the per-run cost to use.
fn draw_cost_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &OrderStudy,
    path: &Path,
    title: &str,
    y_desc: &str,
    calls_desc: &str,
    point: Point<'_>,
) -> Result<()> {
    let body = title_bar(root, path, title, 40, 19)?;
    let (left, right) = body.split_horizontally(body.dim_in_pixel().0 / 2);
    let by = |cost: Cost<'_>| -> Vec<Series> {
        st.methods
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let pts = (0..m.h.len())
                    .filter_map(|k| point(m, k, cost))
                    .filter(|p| p.0 > 0.0 && p.1 > 0.0)
                    .collect();
                (m.method.clone(), pts, PALETTE[i % PALETTE.len()], vec![])
            })
            .collect()
    };
    for (area, title, x_desc, cost) in [
        (&left, "against calls", calls_desc, &calls as Cost<'_>),
        (&right, "against wall time", "seconds per run", &|r, k| {
            r.seconds[k]
        }),
    ] {
        loglog_panel(
            area,
            path,
            &Panel {
                title,
                x_desc,
                y_desc,
                ref_slopes: &[],
                floor: None,
                legend: SeriesLabelPosition::UpperRight,
            },
            &by(cost),
        )?;
    }
    root.present().map_err(draw_err(path))?;
    Ok(())
}

/// Error against the flow in the first chart, against cost.
fn draw_work<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &OrderStudy,
    path: &Path,
) -> Result<()> {
    let chart = st.charts.first().cloned().unwrap_or_default();
    draw_cost_panels(
        root,
        st,
        path,
        &format!(
            "{}: work–precision in chart '{chart}' (error vs the flow)",
            st.family
        ),
        "error",
        "calls: f = −G⁻¹∇L, ∇L, Γ(v,v), Exp (each Exp one call)",
        &|m, k, cost| {
            let r = &m.runs[0];
            r.error_vs_flow[k].map(|e| (cost(r, k), e))
        },
    )
}

/// Which method buys invariance cheapest: the invariance gap (largest canonical distance
/// between the charts' endpoints) against the cost of a run (mean over the charts), per step
/// size. Exactly invariant methods lie at the solver floor whatever they cost.
fn draw_invariance_work<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &OrderStudy,
    path: &Path,
) -> Result<()> {
    draw_cost_panels(
        root,
        st,
        path,
        &format!(
            "{}: invariance gap against cost (over the charts {})",
            st.family,
            st.charts.join(", ")
        ),
        "invariance gap",
        "calls per run: f, ∇L, Γ(v,v) and ∂Γ (also inside transport and Jacobi solves), Exp",
        &|m, k, cost| {
            let mean = m.runs.iter().map(|r| cost(r, k)).sum::<f64>() / m.runs.len() as f64;
            m.invariance_gap[k].map(|g| (mean, g))
        },
    )
}

/// The figures [`write_order_figures`] writes, by file name.
pub const ORDER_FIGURES: [&str; 8] = [
    "order_error.svg",
    "order_error.png",
    "order_gap.svg",
    "order_gap.png",
    "order_work.svg",
    "order_work.png",
    "order_invariance.svg",
    "order_invariance.png",
];

/// Writes `order_error`, `order_gap`, `order_work` and `order_invariance`, each as SVG and PNG; `path_of(name)`
/// gives the path to write the file called `name` (one of [`ORDER_FIGURES`]) to.
pub fn write_order_figures(st: &OrderStudy, path_of: &dyn Fn(&str) -> PathBuf) -> Result<()> {
    register_fonts();
    // Each drawing function is generic over the backend; draw it once per format.
    macro_rules! svg_and_png {
        ($stem:literal, $size:expr, $draw:ident) => {{
            let svg = path_of(concat!($stem, ".svg"));
            $draw(&SVGBackend::new(&svg, $size).into_drawing_area(), st, &svg)?;
            let png = path_of(concat!($stem, ".png"));
            $draw(
                &BitMapBackend::new(&png, $size).into_drawing_area(),
                st,
                &png,
            )?;
        }};
    }
    svg_and_png!("order_error", error_size(st), draw_errors);
    svg_and_png!("order_gap", (900, 650), draw_gap);
    svg_and_png!("order_work", (1300, 600), draw_work);
    svg_and_png!("order_invariance", (1300, 600), draw_invariance_work);
    Ok(())
}
