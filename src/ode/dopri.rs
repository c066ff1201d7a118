//! A pure-Rust adaptive Dormand–Prince 5(4) integrator for y' = f(y) (Dormand & Prince 1980;
//! Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4–II.5): the fifth-order solution advances,
//! the embedded fourth-order one (b̂) estimates the local error, the seventh stage is the first
//! stage of the next step (FSAL).
//!
//! Error per step: err = ‖(y₅ − y₄) / (tol·(1 + max(|yₙ|, |yₙ₊₁|)))‖_RMS; a step is accepted when
//! err ≤ 1, and the next step is h·min(5, max(0.2, 0.9·err^(−1/5))). The initial step follows
//! HNW I §II.4 (from ‖y₀‖, ‖f(y₀)‖ and one explicit Euler trial). Output times are hit exactly
//! (the step is shortened to land on them), so no interpolation is involved.
//!
//! It needs nothing beyond the standard library: the backend a WebAssembly build of natflow can
//! use where diffsol (through faer) does not compile.

use super::OdeOptions;
use crate::error::{Error, Result};
use crate::integrators::Tableau;

/// The embedded fourth-order weights b̂ of the pair, stages 1…7 (HNW I, Table II.5.2).
const B_HAT: [f64; 7] = [
    5179.0 / 57600.0,
    0.0,
    7571.0 / 16695.0,
    393.0 / 640.0,
    -92097.0 / 339200.0,
    187.0 / 2100.0,
    1.0 / 40.0,
];

/// Solves y' = f(y) on [0, T] (T the last output time, already rescaled to 1 by the caller if
/// it wishes) and returns y at each time of `t_eval`; `check` is called on every accepted state.
pub fn solve<F, C>(
    y0: &[f64],
    t_eval: &[f64],
    opts: OdeOptions,
    f: F,
    check: C,
) -> Result<Vec<Vec<f64>>>
where
    F: Fn(&[f64], &mut [f64]) -> Result<()>,
    C: Fn(&[f64]) -> Result<()>,
{
    let tab = Tableau::dopri5();
    let n = y0.len();
    let tol = opts.tol;
    let mut k: Vec<Vec<f64>> = vec![vec![0.0; n]; 7];
    let mut y = y0.to_vec();
    let mut stage = vec![0.0; n];
    let mut y5 = vec![0.0; n];
    let mut t = 0.0_f64;
    let mut steps = 0usize;
    let norm = |v: &[f64], y: &[f64]| -> f64 {
        (v.iter()
            .zip(y)
            .map(|(vi, yi)| (vi / (tol * (1.0 + yi.abs()))).powi(2))
            .sum::<f64>()
            / n.max(1) as f64)
            .sqrt()
    };
    f(&y, &mut k[0])?;
    // Initial step (HNW I, §II.4).
    let d0 = norm(&y, &y);
    let d1 = norm(&k[0], &y);
    let mut h = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    };
    {
        let trial: Vec<f64> = y.iter().zip(&k[0]).map(|(yi, ki)| yi + h * ki).collect();
        let mut f1 = vec![0.0; n];
        if f(&trial, &mut f1).is_ok() {
            let diff: Vec<f64> = f1.iter().zip(&k[0]).map(|(a, b)| a - b).collect();
            let d2 = norm(&diff, &y) / h;
            let h1 = if d1.max(d2) <= 1e-15 {
                (h * 1e-3).max(1e-6)
            } else {
                (0.01 / d1.max(d2)).powf(0.2)
            };
            h = (100.0 * h).min(h1);
        }
    }
    let mut out = Vec::with_capacity(t_eval.len());
    for &target in t_eval {
        while t < target {
            let last = h >= target - t;
            let step = if last { target - t } else { h };
            // Stages 2…6 (stage 1 is k[0], FSAL).
            let mut failed = None;
            for i in 1..6 {
                for j in 0..n {
                    stage[j] = y[j] + step * (0..i).map(|m| tab.a[i][m] * k[m][j]).sum::<f64>();
                }
                if let Err(e) = f(&stage, &mut k[i]) {
                    failed = Some(e);
                    break;
                }
            }
            let accepted = if let Some(e) = failed {
                // A stage left the domain: retry smaller, or give up if the step is negligible.
                if step < 1e-14 {
                    return Err(e);
                }
                None
            } else {
                for j in 0..n {
                    y5[j] = y[j] + step * (0..6).map(|m| tab.b[m] * k[m][j]).sum::<f64>();
                }
                match f(&y5, &mut k[6]) {
                    Err(e) if step < 1e-14 => return Err(e),
                    Err(_) => None,
                    Ok(()) => {
                        // ‖step·Σ (bₘ − b̂ₘ)kₘ‖ scaled by tol·(1 + max(|yₙ|, |yₙ₊₁|)), RMS.
                        let mut sum = 0.0;
                        for j in 0..n {
                            let e = step
                                * (0..7)
                                    .map(|m| {
                                        let b = if m < 6 { tab.b[m] } else { 0.0 };
                                        (b - B_HAT[m]) * k[m][j]
                                    })
                                    .sum::<f64>();
                            let sc = tol * (1.0 + y[j].abs().max(y5[j].abs()));
                            sum += (e / sc).powi(2);
                        }
                        Some((sum / n.max(1) as f64).sqrt())
                    }
                }
            };
            match accepted {
                Some(err) if err <= 1.0 && err.is_finite() => {
                    check(&y5)?;
                    std::mem::swap(&mut y, &mut y5);
                    k.swap(0, 6);
                    t = if last { target } else { t + step };
                    let factor = if err == 0.0 {
                        5.0
                    } else {
                        (0.9 * err.powf(-0.2)).clamp(0.2, 5.0)
                    };
                    if !last || factor < 1.0 {
                        h = step * factor;
                    }
                }
                Some(err) => {
                    let factor = if err.is_finite() {
                        (0.9 * err.powf(-0.2)).clamp(0.2, 1.0)
                    } else {
                        0.2
                    };
                    h = step * factor;
                }
                None => h = step * 0.25,
            }
            steps += 1;
            if steps > opts.max_steps {
                return Err(Error::Solver(format!(
                    "more than {} steps before t = {target}; the solution may blow up or leave the domain",
                    opts.max_steps
                )));
            }
        }
        out.push(y.clone());
    }
    Ok(out)
}
