//! The differential of the exponential map from Jacobi fields.
//!
//! For the geodesic γ(t) = Exp_x(t u), the variation of the initial velocity u in a direction
//! δ moves γ(1) by dExp_x(u)\[δ\] = J(1), where J solves the linearised geodesic equation (the
//! Jacobi equation in coordinates) with J(0) = 0, J′(0) = δ:
//!
//! ```text
//! J″ = −∂Γ(J)(γ′, γ′) − 2Γ(γ′, J′)
//! ```
//!
//! (differentiate γ″ = −Γ(γ)(γ′, γ′) with respect to the variation; ∂Γ(J)(v, v) is the
//! derivative of the contraction in x along J,
//! [`Connection::christoffel_vv_derivative_into`], and Γ(v, w) the polarised bilinear form).
//! Integrating the geodesic with n such fields, J_j′(0) = e_j, gives Exp_x(u) and the n × n
//! matrix dExp_x(u) in one diffsol solve.

use crate::error::{Error, Result, check_vector};
use crate::ode::{self, OdeOptions};
use crate::problem::{Connection, christoffel_uw_into};
use nalgebra::{DMatrix, DVector};

/// Exp_x(u) and dExp_x(u) (column j: the image of the j-th coordinate direction).
pub fn exp_and_differential<P: Connection + ?Sized>(
    p: &P,
    x: &[f64],
    u: &[f64],
    opts: OdeOptions,
) -> Result<(DVector<f64>, DMatrix<f64>)> {
    p.check(x)?;
    let n = p.dim();
    check_vector("velocity", u, n)?;
    // State: x, v, then for each j: J_j, J_j′.
    let mut y0: Vec<f64> = x.iter().chain(u).copied().collect();
    for j in 0..n {
        y0.extend(std::iter::repeat_n(0.0, n));
        y0.extend((0..n).map(|i| f64::from(u8::from(i == j))));
    }
    let scratch = std::cell::RefCell::new((
        [vec![0.0; n], vec![0.0; n], vec![0.0; n]],
        vec![0.0; n],
        vec![0.0; n],
    ));
    let sol = ode::solve(
        &y0,
        &[1.0],
        opts,
        |y, dy| {
            let (work, a, b) = &mut *scratch.borrow_mut();
            let (pos, vel) = (&y[..n], &y[n..2 * n]);
            p.christoffel_vv_into(pos, vel, a)?;
            dy[..n].copy_from_slice(vel);
            for k in 0..n {
                dy[n + k] = -a[k];
            }
            for j in 0..n {
                let base = 2 * n + 2 * n * j;
                let (jac, jac_dot) = (&y[base..base + n], &y[base + n..base + 2 * n]);
                p.christoffel_vv_derivative_into(pos, vel, jac, a)?;
                christoffel_uw_into(p, pos, vel, jac_dot, work, b)?;
                for k in 0..n {
                    dy[base + k] = jac_dot[k];
                    dy[base + n + k] = -a[k] - 2.0 * b[k];
                }
            }
            Ok(())
        },
        |y| p.check(&y[..n]),
    )?;
    let y = sol
        .last()
        .ok_or_else(|| Error::Solver("the Jacobi-field solve returned no point".into()))?;
    let end = DVector::from_column_slice(&y[..n]);
    let dexp = DMatrix::from_fn(n, n, |i, j| y[2 * n + 2 * n * j + i]);
    Ok((end, dexp))
}
