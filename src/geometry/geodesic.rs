//! Geodesics and the exponential map.
//!
//! A geodesic is a curve x(t) with x'' = −Γ(x', x') (Γ the Levi-Civita connection of the
//! metric). The exponential map is Exp_x(v) = γ(1) for the geodesic with γ(0) = x, γ'(0) = v,
//! so Exp_x(t·v) = γ(t). It does not depend on the chart: pushing x and v to another chart and
//! taking Exp there lands on the same point of the manifold (`tests/geodesic.rs` checks this).
//!
//! The first-order system (x, p)' = (p, −Γ(p, p)) is integrated with diffsol
//! ([`crate::ode::solve`]) at a tolerance given as a parameter (default 1e-12).

use super::Metric;
use crate::error::{Result, check_vector};
use crate::ode::{self, OdeOptions};
use nalgebra::DVector;

/// Options of the exponential map.
pub type ExpOptions = OdeOptions;

/// The geodesic from x with initial velocity v, sampled at the times `t_eval` (increasing,
/// non-negative); each entry is (position, velocity).
pub fn geodesic<M: Metric + ?Sized>(
    m: &M,
    x: &[f64],
    v: &[f64],
    t_eval: &[f64],
    opts: ExpOptions,
) -> Result<Vec<(DVector<f64>, DVector<f64>)>> {
    m.check(x)?;
    geodesic_with(
        x,
        v,
        t_eval,
        opts,
        |p, q| m.christoffel_vv(p, q),
        |p| m.check(p),
    )
}

/// The geodesic x'' = −Γ(x', x') for a connection given as a function `gamma_vv(x, v)` and a
/// domain check `check(x)`, from x with velocity v, sampled at `t_eval`. This is the engine
/// behind [`geodesic`] and [`exp_map`], usable when Γ comes from somewhere other than a
/// [`Metric`] (e.g. an instrumented problem).
pub fn geodesic_with<G, C>(
    x: &[f64],
    v: &[f64],
    t_eval: &[f64],
    opts: ExpOptions,
    gamma_vv: G,
    check: C,
) -> Result<Vec<(DVector<f64>, DVector<f64>)>>
where
    G: Fn(&[f64], &[f64]) -> Result<DVector<f64>>,
    C: Fn(&[f64]) -> Result<()>,
{
    let n = x.len();
    check_vector("velocity", v, n)?;
    let y0: Vec<f64> = x.iter().chain(v).copied().collect();
    let sol = ode::solve(
        &y0,
        t_eval,
        opts,
        |y, dy| {
            let (pos, vel) = y.split_at(n);
            let acc = gamma_vv(pos, vel)?;
            dy[..n].copy_from_slice(vel);
            for k in 0..n {
                dy[n + k] = -acc[k];
            }
            Ok(())
        },
        |y| check(&y[..n]),
    )?;
    Ok(sol
        .into_iter()
        .map(|y| {
            (
                DVector::from_column_slice(&y[..n]),
                DVector::from_column_slice(&y[n..]),
            )
        })
        .collect())
}

/// Exp_x(t·v): the point reached at time t by the geodesic from x with velocity v
/// (t may be negative). Errors if the solve fails or the geodesic leaves the domain.
pub fn exp_map<M: Metric + ?Sized>(
    m: &M,
    x: &[f64],
    v: &[f64],
    t: f64,
    opts: ExpOptions,
) -> Result<DVector<f64>> {
    check_vector("velocity", v, m.dim())?;
    if !t.is_finite() {
        return Err(crate::Error::InvalidArgument(format!(
            "exponential-map time must be finite, got {t}"
        )));
    }
    // Exp_x(t v) is the geodesic with velocity sign(t)·v at time |t|.
    let sv: Vec<f64> = v.iter().map(|vi| t.signum() * vi).collect();
    let mut path = geodesic(m, x, &sv, &[t.abs()], opts)?;
    path.pop()
        .map(|(point, _)| point)
        .ok_or_else(|| crate::Error::Solver("the geodesic solve returned no point".into()))
}
