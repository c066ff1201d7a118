//! Empirical orders: least-squares slopes of log error against log h over the asymptotic
//! window.
//!
//! Given step sizes hᵢ and errors eᵢ, points at or below the floating-point floor (and every
//! smaller h after the first such point) are dropped. The local slopes
//! sᵢ = Δln e / Δln h between neighbours define the asymptotic window: the run of consecutive
//! points, ending as close to h → 0 as the floor allows, whose local slopes agree within
//! [`SLOPE_AGREEMENT`] and which has at least three points. (A longest-run rule can pick a
//! pre-asymptotic stretch when the error is a sum of terms of different orders, e.g.
//! h + 50h², whose local slope drifts from 2 to 1; the asymptotic order is the one at small h.)
//! The order is the least-squares slope of ln e on ln h over that window, reported with its R².
//! Fewer than three usable points, or no two agreeing local slopes, give no order (`None`,
//! `null` in JSON) — for instance when everything sits at the floor.

use serde::{Deserialize, Serialize};

/// Largest spread (max − min) of local slopes inside one asymptotic window.
pub const SLOPE_AGREEMENT: f64 = 0.15;

/// A fitted order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderFit {
    /// Least-squares slope of ln e against ln h over the window.
    pub slope: f64,
    /// Coefficient of determination of that fit.
    pub r2: f64,
    /// The window's step sizes [h_min, h_max].
    pub window: [f64; 2],
    /// Number of points in the window.
    pub points: usize,
    /// Local slopes between all consecutive usable points, from large to small h.
    pub local_slopes: Vec<f64>,
}

/// Least-squares line y = a + b x; returns (b, R²).
pub fn least_squares(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let syy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    let slope = sxy / sxx;
    let r2 = if syy > 0.0 {
        sxy * sxy / (sxx * syy)
    } else {
        1.0
    };
    (slope, r2)
}

/// The empirical order of errors `err` at step sizes `h` (any order), ignoring errors at or
/// below `floor`. Non-finite errors count as unusable.
pub fn fit_order(h: &[f64], err: &[Option<f64>], floor: f64) -> Option<OrderFit> {
    let mut pts: Vec<(f64, Option<f64>)> = h.iter().copied().zip(err.iter().copied()).collect();
    pts.sort_by(|a, b| b.0.total_cmp(&a.0));
    // Usable points: from large h down, until the first floor (or failed) point at small h.
    // Failed runs at large h (a method that leaves the domain with a big step) are skipped.
    let mut usable: Vec<(f64, f64)> = Vec::new();
    for (hi, e) in pts {
        match e {
            Some(e) if e.is_finite() && e > floor => usable.push((hi.ln(), e.ln())),
            Some(e) if e.is_finite() => break,
            _ if usable.is_empty() => continue,
            _ => break,
        }
    }
    if usable.len() < 3 {
        return None;
    }
    let local: Vec<f64> = usable
        .windows(2)
        .map(|w| (w[1].1 - w[0].1) / (w[1].0 - w[0].0))
        .collect();
    // The asymptotic window ends as close to h → 0 as the floor allows: for each possible last
    // slope, from the smallest h back, take the run of local slopes ending there that agree
    // within SLOPE_AGREEMENT; the first run with at least two slopes (three points) wins.
    let mut chosen = None;
    for end in (0..local.len()).rev() {
        let (mut lo, mut hi) = (local[end], local[end]);
        let mut start = end;
        while start > 0 {
            let s = local[start - 1];
            if s.max(hi) - s.min(lo) > SLOPE_AGREEMENT {
                break;
            }
            lo = lo.min(s);
            hi = hi.max(s);
            start -= 1;
        }
        if end > start {
            chosen = Some((start, end - start + 1));
            break;
        }
    }
    let (best_start, best_len) = chosen?;
    // Slopes s_i..s_{i+len−1} join points i..i+len.
    let window = &usable[best_start..=best_start + best_len];
    let (x, y): (Vec<f64>, Vec<f64>) = window.iter().copied().unzip();
    let (slope, r2) = least_squares(&x, &y);
    Some(OrderFit {
        slope,
        r2,
        window: [x[x.len() - 1].exp(), x[0].exp()],
        points: window.len(),
        local_slopes: local,
    })
}
