//! A CURVES generator: 28×28 images of one smooth curve each, for the deep-autoencoder
//! benchmark of Hinton & Salakhutdinov (2006).
//!
//! What is known of the original: synthetic 28×28 images of curves, each made from a few
//! randomly placed control points joined by a smooth spline and rendered with grey levels in
//! [0, 1] (20,000 training and 10,000 test images in the original set, which is not available
//! here). What natflow chooses, documented so that it can be compared: three control points
//! drawn uniformly in [3, 25]², the quadratic Bézier curve B(t) = (1−t)²P₀ + 2t(1−t)P₁ + t²P₂
//! (smooth, through P₀ and P₂, pulled toward P₁), sampled at 200 values of t, and anti-aliased
//! ink: a pixel with centre c gets max_t exp(−‖c − B(t)‖² / (2·0.6²)), a stroke about two pixels
//! wide, so intensities lie in [0, 1] with 1 on the curve. Deterministic from the seed.

use crate::error::Result;
use crate::nn::mlp::Dataset;
use rand::{RngExt, SeedableRng};

/// Image side in pixels.
pub const SIDE: usize = 28;

/// One curve image (row-major, SIDE × SIDE) from three control points.
pub fn render(p: [[f64; 2]; 3]) -> Vec<f64> {
    let mut img = vec![0.0f64; SIDE * SIDE];
    let width = 0.6f64;
    let samples = 200;
    for s in 0..samples {
        let t = s as f64 / (samples - 1) as f64;
        let (a, b, c) = ((1.0 - t) * (1.0 - t), 2.0 * t * (1.0 - t), t * t);
        let bx = a * p[0][0] + b * p[1][0] + c * p[2][0];
        let by = a * p[0][1] + b * p[1][1] + c * p[2][1];
        // Only pixels within 4 widths matter.
        let (x0, x1) = (
            (bx - 3.0).floor().max(0.0) as usize,
            (bx + 3.0).ceil().min(27.0) as usize,
        );
        let (y0, y1) = (
            (by - 3.0).floor().max(0.0) as usize,
            (by + 3.0).ceil().min(27.0) as usize,
        );
        for row in y0..=y1 {
            for col in x0..=x1 {
                let (dx, dy) = (col as f64 + 0.5 - bx, row as f64 + 0.5 - by);
                let ink = (-(dx * dx + dy * dy) / (2.0 * width * width)).exp();
                let px = &mut img[row * SIDE + col];
                *px = px.max(ink);
            }
        }
    }
    img
}

/// n curve images from `seed`, as an autoencoder dataset (x = y).
pub fn curves(n: usize, seed: u64) -> Result<Dataset> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            let mut p = [[0.0; 2]; 3];
            for q in &mut p {
                *q = [rng.random_range(3.0..25.0), rng.random_range(3.0..25.0)];
            }
            render(p)
        })
        .collect();
    Dataset::from_rows(&rows, &rows)
}
