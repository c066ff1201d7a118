//! Figures with plotters, as SVG and PNG. PNG text is drawn with DejaVu Sans compiled into the
//! binary (the `dejavu` crate), registered once, so no system font is needed.

pub mod fig2;
pub mod fig3;
pub mod order;

use crate::error::Error;
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

/// A colour-blind-friendly palette (Okabe & Ito 2008) plus black and grey.
pub const PALETTE: [RGBColor; 9] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
];

/// Maps a plotters error on `path` to natflow's.
pub(crate) fn draw_err<E: std::fmt::Display>(path: &Path) -> impl Fn(E) -> Error + '_ {
    move |e| Error::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}
