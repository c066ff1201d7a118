//! Figures with plotters, as SVG and PNG. PNG text is drawn with DejaVu Sans compiled into the
//! binary (the `dejavu` crate), registered once, so no system font is needed.

pub mod fig2;
pub mod fig3;
pub mod fig4;
pub mod fit;
pub mod order;

use crate::error::{Error, Result};
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::RGBColor;
use std::path::Path;
use std::sync::OnceLock;

/// The font family name figures use.
pub const FONT: &str = "sans-serif";

/// Registers the embedded DejaVu Sans as [`FONT`] (idempotent).
pub fn register_fonts() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        use plotters::style::{FontStyle, register_font};
        // The bytes are a valid TrueType font shipped by the dejavu crate.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// A colour-blind-friendly palette (Okabe & Ito 2008) plus black and grey, then five darker
/// hues for figures with more than nine series (the higher-order study draws thirteen).
pub const PALETTE: [RGBColor; 14] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
    RGBColor(153, 0, 0),
    RGBColor(102, 51, 153),
    RGBColor(128, 128, 0),
    RGBColor(0, 0, 128),
    RGBColor(139, 69, 19),
];

/// Maps a plotters error on `path` to natflow's.
pub(crate) fn draw_err<E: std::fmt::Display>(path: &Path) -> impl Fn(E) -> Error + '_ {
    move |e| Error::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Fills `root` white, writes `text` in a bar `height` pixels tall at the top and returns the
/// area below it.
pub(crate) fn title_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    path: &Path,
    text: &str,
    height: u32,
    font_size: u32,
) -> Result<DrawingArea<DB, Shift>> {
    let e = draw_err(path);
    root.fill(&WHITE).map_err(&e)?;
    let (top, body) = root.split_vertically(height);
    top.titled(text, (FONT, font_size)).map_err(&e)?;
    Ok(body)
}

/// The series legend every figure uses: small type on a translucent white box at `position`.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    ctx: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    path: &Path,
) -> Result<()> {
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 12))
        .position(position)
        .draw()
        .map_err(draw_err(path))?;
    Ok(())
}

/// The median of `v` (non-empty; sorts it).
pub(crate) fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// One legend for a whole figure, in a strip: a line of each entry's colour and its name,
/// centred.
pub(crate) fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(&str, RGBColor)],
    path: &Path,
) -> Result<()> {
    let e = draw_err(path);
    let width = 110;
    let start = (area.dim_in_pixel().0 as i32 - width * entries.len() as i32).max(0) / 2;
    for (k, (name, color)) in entries.iter().enumerate() {
        let x = start + width * k as i32;
        area.draw(&PathElement::new(
            vec![(x, 14), (x + 28, 14)],
            color.stroke_width(3),
        ))
        .map_err(&e)?;
        area.draw(&Text::new(*name, (x + 36, 6), (FONT, 15)))
            .map_err(&e)?;
    }
    Ok(())
}

/// The colour of item `x` of a figure's list `all` (its place in the list), the same in every
/// panel.
pub(crate) fn series_color<T: PartialEq>(all: &[T], x: &T) -> RGBColor {
    PALETTE[all.iter().position(|a| a == x).unwrap_or(0) % PALETTE.len()]
}

/// A figure's head: the title bar, then one legend strip naming `names` in their
/// [`series_color`]s; returns the area below.
pub(crate) fn head_with_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    path: &Path,
    title: &str,
    names: &[&str],
) -> Result<DrawingArea<DB, Shift>> {
    let body = title_bar(root, path, title, 44, 19)?;
    let (strip, body) = body.split_vertically(30);
    let entries: Vec<(&str, RGBColor)> =
        names.iter().map(|n| (*n, series_color(names, n))).collect();
    legend_strip(&strip, &entries, path)?;
    Ok(body)
}
