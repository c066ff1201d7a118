//! Parallel transport along a geodesic.
//!
//! A vector field W along a curve γ is parallel when ∇_{γ'}W = 0, in coordinates
//! W' = −Γ(γ', W) with Γ(u, w)ᵏ = Γᵏᵢⱼ uⁱ wʲ. Along the geodesic of Exp_x(v) the system
//! (γ, γ', W₁, …, W_m)' = (γ', −Γ(γ', γ'), −Γ(γ', W₁), …, −Γ(γ', W_m)) is integrated over
//! t ∈ [0, 1] with diffsol. The bilinear Γ(u, w) comes from the contraction Γ(v, v) that every
//! [`Connection`] provides, by polarisation: Γ(u, w) = ¼[Γ(u + w, u + w) − Γ(u − w, u − w)]
//! (the connections here are torsion-free, Γᵏᵢⱼ = Γᵏⱼᵢ). For the Levi-Civita connection the
//! transport is an isometry, ⟨W₁, W₂⟩_{G(γ(t))} constant (do Carmo, *Riemannian Geometry*,
//! ch. 2, Prop. 3.2); transporting back along the reversed geodesic returns the vector.

use crate::error::{Error, Result, check_vector};
use crate::ode::{self, OdeOptions};
use crate::problem::{Connection, christoffel_uw_into};
use nalgebra::DVector;

/// Where the geodesic ends, its velocity there, and the transported vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Transported {
    /// γ(1) = Exp_x(v).
    pub end: DVector<f64>,
    /// γ'(1).
    pub end_velocity: DVector<f64>,
    /// The parallel transports of the given vectors to γ(1).
    pub vectors: Vec<DVector<f64>>,
}

/// The geodesic from x with initial velocity v for unit time, carrying the vectors `ws`
/// (each of length n) by parallel transport; diffsol at `opts.tol`. Errors if the geodesic
/// leaves the domain or the solve fails.
pub fn transport_along_geodesic<P: Connection + ?Sized>(
    p: &P,
    x: &[f64],
    v: &[f64],
    ws: &[&[f64]],
    opts: OdeOptions,
) -> Result<Transported> {
    p.check(x)?;
    let n = p.dim();
    check_vector("velocity", v, n)?;
    for w in ws {
        check_vector("transported vector", w, n)?;
    }
    let m = ws.len();
    let mut y0: Vec<f64> = x.iter().chain(v).copied().collect();
    for w in ws {
        y0.extend_from_slice(w);
    }
    // Scratch for Γ(u, w) and its result, so that the right-hand side allocates nothing.
    let scratch =
        std::cell::RefCell::new(([vec![0.0; n], vec![0.0; n], vec![0.0; n]], vec![0.0; n]));
    let sol = ode::solve(
        &y0,
        &[1.0],
        opts,
        |y, dy| {
            let (work, out) = &mut *scratch.borrow_mut();
            let (pos, rest) = y.split_at(n);
            let (vel, carried) = rest.split_at(n);
            p.christoffel_vv_into(pos, vel, out)?;
            dy[..n].copy_from_slice(vel);
            for k in 0..n {
                dy[n + k] = -out[k];
            }
            for j in 0..m {
                christoffel_uw_into(p, pos, vel, &carried[j * n..(j + 1) * n], work, out)?;
                for k in 0..n {
                    dy[2 * n + j * n + k] = -out[k];
                }
            }
            Ok(())
        },
        |y| p.check(&y[..n]),
    )?;
    let y = sol
        .last()
        .ok_or_else(|| Error::Solver("the transport solve returned no point".into()))?;
    Ok(Transported {
        end: DVector::from_column_slice(&y[..n]),
        end_velocity: DVector::from_column_slice(&y[n..2 * n]),
        vectors: (0..m)
            .map(|j| DVector::from_column_slice(&y[2 * n + j * n..2 * n + (j + 1) * n]))
            .collect(),
    })
}
