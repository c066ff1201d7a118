//! The geometry core: Riemannian metrics, their Levi-Civita connection, charts and geodesics.
//!
//! A statistical family is a manifold with the Fisher metric G(θ). Everything natflow needs of
//! it follows from a small required core, the [`Metric`] trait: the dimension, a domain check,
//! and G(θ) written once for any scalar type (real or forward-mode dual). From that, natflow
//! provides the Christoffel symbols of the second kind,
//!
//! ```text
//! Γᵏᵢⱼ = ½ Gᵏˡ (∂ᵢG_lj + ∂ⱼG_li − ∂ₗGᵢⱼ),
//! ```
//!
//! by forward-mode automatic differentiation ([`christoffel_vv_ad`], [`christoffel_ad`]), both as
//! the contraction Γ(v,v) — the quantity the geodesic equation θ'' = −Γ(θ',θ') and the geodesic
//! correction need — and as the full table Γ^k_ij. A family with a closed form overrides
//! [`Metric::christoffel_vv`] / [`Metric::christoffel`]; `tests/christoffel.rs` checks every
//! closed form against the automatic path.
//!
//! Charts ([`chart`]) re-express a metric in other coordinates by pullback, and [`geodesic`]
//! integrates the geodesic equation with diffsol for the exponential map. [`alpha`] adds
//! Amari's α-connections of a statistical family (a metric with a skewness tensor), and [`log`]
//! inverts the exponential map by shooting (the log map and the Fisher–Rao distance).

pub mod alpha;
pub mod chart;
pub mod geodesic;
pub mod jacobi;
pub mod log;
pub mod transport;

pub use alpha::{
    AlphaConnection, alpha_christoffel, alpha_christoffel_vv, alpha_exp_map, check_alpha,
};
pub use chart::{Chart, Pullback};
pub use geodesic::{ExpOptions, exp_map};
pub use log::{LogMap, LogOptions, fisher_rao_distance, log_map};

use crate::error::{Error, Result, check_vector};
use crate::linalg::solve_spd;
use crate::special::Special;
use nalgebra::{DMatrix, DVector};
use num_dual::{Dual64, DualNum};

/// A scalar a metric or chart can be evaluated in: `f64` or a (nested) num-dual number over
/// `f64` that also has the Γ-family special functions. Write a metric or chart once with
/// `D: Real` and natflow differentiates it.
pub trait Real: DualNum<Primitive = f64> + Copy + Special {}
impl<T: DualNum<Primitive = f64> + Copy + Special> Real for T {}

pub use crate::linalg::{MAX_CONDITION, scaled_condition};

/// A Riemannian metric on an open subset of ℝⁿ, in one fixed coordinate system.
///
/// Required: [`dim`](Metric::dim), [`name`](Metric::name), [`domain`](Metric::domain) and
/// [`metric_at`](Metric::metric_at). Everything else is provided; families override
/// [`christoffel_vv`](Metric::christoffel_vv) and [`christoffel`](Metric::christoffel) with
/// closed forms where they have them.
pub trait Metric {
    /// The dimension n.
    fn dim(&self) -> usize;

    /// A short name for messages and outputs, e.g. `gamma (α, β=rate)`.
    fn name(&self) -> String;

    /// Whether a point with n finite coordinates lies in the domain; `Err` carries the violated
    /// condition (e.g. `"need β > 0"`). Length and finiteness are checked before this is called.
    fn domain(&self, x: &[f64]) -> std::result::Result<(), String>;

    /// The metric matrix G(x), for any scalar type. Called only at points in the domain.
    fn metric_at<D: Real>(&self, x: &[D]) -> DMatrix<D>;

    /// Checks dimension, finiteness and domain of a point.
    fn check(&self, x: &[f64]) -> Result<()> {
        check_vector("point", x, self.dim())?;
        self.domain(x).map_err(|reason| Error::OutOfDomain {
            space: self.name(),
            point: x.to_vec(),
            reason,
        })
    }

    /// G(x), after checking x.
    fn metric(&self, x: &[f64]) -> Result<DMatrix<f64>> {
        self.check(x)?;
        Ok(self.metric_at(x))
    }

    /// The Christoffel contraction Γ(v,v)ᵏ = Γ^k_ij vⁱ vʲ at x.
    ///
    /// Default: automatic differentiation of the metric ([`christoffel_vv_ad`]).
    fn christoffel_vv(&self, x: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        christoffel_vv_ad(self, x, v)
    }

    /// The full Christoffel symbols Γ^k_ij at x.
    ///
    /// Default: automatic differentiation of the metric ([`christoffel_ad`]).
    fn christoffel(&self, x: &[f64]) -> Result<Christoffel> {
        christoffel_ad(self, x)
    }

    /// The Amari–Chentsov skewness tensor contracted twice, T(v,v,·)ₖ = T_ijk vⁱ vʲ with
    /// T_ijk = E[∂ᵢℓ ∂ⱼℓ ∂ₖℓ] (ℓ the log-density). With the metric it makes a statistical
    /// manifold and gives every α-connection ([`alpha_christoffel_vv`]).
    ///
    /// Default: an error — a Riemannian metric alone has only its Levi-Civita connection.
    /// Statistical families override it (closed form, or from a log-partition:
    /// [`crate::model::NaturalCoordinates`]).
    fn skewness_vv(&self, x: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        let _ = (x, v);
        Err(Error::InvalidArgument(format!(
            "{} has no skewness tensor, so only α = 0 (the Levi-Civita connection) is defined \
             for it; α-connections need a statistical family",
            self.name()
        )))
    }
}

/// Christoffel symbols of the second kind Γ^k_ij at one point, symmetric in i, j.
#[derive(Debug, Clone, PartialEq)]
pub struct Christoffel {
    n: usize,
    /// Γ^k_ij at `data[(k * n + i) * n + j]`.
    data: Vec<f64>,
}

impl Christoffel {
    /// All-zero symbols in dimension n (the Euclidean connection).
    pub fn zeros(n: usize) -> Self {
        Self {
            n,
            data: vec![0.0; n * n * n],
        }
    }

    /// Dimension n.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Γ^k_ij.
    pub fn get(&self, k: usize, i: usize, j: usize) -> f64 {
        self.data[(k * self.n + i) * self.n + j]
    }

    /// Sets Γ^k_ij and Γ^k_ji to `value`.
    pub fn set_sym(&mut self, k: usize, i: usize, j: usize, value: f64) {
        let n = self.n;
        self.data[(k * n + i) * n + j] = value;
        self.data[(k * n + j) * n + i] = value;
    }

    /// The bilinear form Γ(u,w)ᵏ = Γ^k_ij uⁱ wʲ; u and w must have n coordinates.
    pub fn contract(&self, u: &[f64], w: &[f64]) -> Result<DVector<f64>> {
        let n = self.n;
        check_vector("first vector of Γ(u,w)", u, n)?;
        check_vector("second vector of Γ(u,w)", w, n)?;
        Ok(DVector::from_fn(n, |k, _| {
            let row = &self.data[k * n * n..(k + 1) * n * n];
            u.iter()
                .zip(row.chunks_exact(n))
                .map(|(ui, gi)| ui * gi.iter().zip(w).map(|(g, wj)| g * wj).sum::<f64>())
                .sum()
        }))
    }

    /// As nested lists: `nested[k][i][j]` = Γ^k_ij.
    pub fn to_nested(&self) -> Vec<Vec<Vec<f64>>> {
        let n = self.n;
        (0..n)
            .map(|k| {
                (0..n)
                    .map(|i| (0..n).map(|j| self.get(k, i, j)).collect())
                    .collect()
            })
            .collect()
    }
}

/// ∂_l G at x for l = 0..n, one forward-mode pass per direction.
fn metric_partials<M: Metric + ?Sized>(m: &M, x: &[f64]) -> Vec<DMatrix<f64>> {
    let n = m.dim();
    let mut xd: Vec<Dual64> = x.iter().map(|&t| Dual64::from_re(t)).collect();
    (0..n)
        .map(|l| {
            xd[l].eps = 1.0;
            let g = m.metric_at(&xd);
            xd[l].eps = 0.0;
            g.map(|d| d.eps)
        })
        .collect()
}

/// Γ(v,v) from the metric by forward-mode AD, without building the n³ table:
///
/// ```text
/// Γ(v,v) = G⁻¹ [ (∂ᵥG) v − ½ ∇ₓ(vᵀ G(x) v) ],
/// ```
///
/// where ∂_v G = Σ_l vˡ ∂_l G; the n directional derivatives ∂_l G are taken one at a time and
/// folded into ∂_v G and the gradient of vᵀGv as they come.
pub fn christoffel_vv_ad<M: Metric + ?Sized>(m: &M, x: &[f64], v: &[f64]) -> Result<DVector<f64>> {
    let (g, rhs) = first_kind_and_metric(m, x, v)?;
    solve_spd(x, &g, &rhs)
}

/// The Levi-Civita connection of the first kind contracted twice with v, G Γ(v,v) =
/// (∂ᵥG) v − ½ ∇ₓ(vᵀG(x)v), by forward-mode AD of the metric — no solve, so it exists where G
/// is singular (a network's Fisher metric, for instance).
pub fn christoffel_first_kind_vv_ad<M: Metric + ?Sized>(
    m: &M,
    x: &[f64],
    v: &[f64],
) -> Result<DVector<f64>> {
    Ok(first_kind_and_metric(m, x, v)?.1)
}

/// (G(x), (∂ᵥG) v − ½ ∇ₓ(vᵀGv)), folding the n directional derivatives ∂ₗG in as they come.
fn first_kind_and_metric<M: Metric + ?Sized>(
    m: &M,
    x: &[f64],
    v: &[f64],
) -> Result<(DMatrix<f64>, DVector<f64>)> {
    m.check(x)?;
    let n = m.dim();
    check_vector("velocity", v, n)?;
    let vv = DVector::from_column_slice(v);
    let mut xd: Vec<Dual64> = x.iter().map(|&t| Dual64::from_re(t)).collect();
    let mut g = DMatrix::zeros(n, n);
    let mut dv_g = DMatrix::zeros(n, n);
    let mut grad_q = DVector::zeros(n);
    for l in 0..n {
        xd[l].eps = 1.0;
        let gd = m.metric_at(&xd);
        xd[l].eps = 0.0;
        if l == 0 {
            g = gd.map(|d| d.re);
        }
        let dl_g = gd.map(|d| d.eps);
        grad_q[l] = vv.dot(&(&dl_g * &vv));
        dv_g += dl_g * v[l];
    }
    Ok((g, dv_g * &vv - grad_q * 0.5))
}

/// Γ(v,v) at x for any scalar type D, from the metric: G Γ(v,v) = (∂ᵥG)v − ½∇ₓ(vᵀGv) with
/// the derivatives of G by forward-mode AD one level above D, solved by Gaussian elimination
/// with partial pivoting. With D = `Dual64` and x carrying a direction d, the dual parts are
/// the directional derivative ∂Γ(d)(v,v) = d/dε Γ(x + εd)(v,v) — exactly, not by differences.
/// x must lie in the domain (checked by callers on the real parts).
pub fn christoffel_vv_generic<M: Metric + ?Sized, D: Real>(m: &M, x: &[D], v: &[D]) -> Vec<D> {
    use num_dual::Dual;
    let n = x.len();
    let mut xd: Vec<Dual<D>> = x.iter().map(|&t| Dual::from_re(t)).collect();
    let mut g = vec![vec![D::zero(); n]; n];
    let mut rhs = vec![D::zero(); n];
    for l in 0..n {
        xd[l].eps = D::one();
        let gd = m.metric_at(&xd);
        xd[l].eps = D::zero();
        let mut quad = D::zero();
        for i in 0..n {
            for j in 0..n {
                let (gij, dl) = (gd[(i, j)].re, gd[(i, j)].eps);
                if l == 0 {
                    g[i][j] = gij;
                }
                // (∂ᵥG)v: Σₗ vₗ (∂ₗG) v; ½∇ₓ(vᵀGv): ½ vᵀ(∂ₗG)v in coordinate l.
                rhs[i] += v[l] * dl * v[j];
                quad += v[i] * dl * v[j];
            }
        }
        rhs[l] -= quad * 0.5;
    }
    crate::linalg::solve_generic(g, rhs)
}

/// ∂Γ(d)(v,v) = d/dε Γ(x + εd)(v,v) at ε = 0, by forward-mode AD of [`christoffel_vv_generic`].
pub fn christoffel_vv_derivative<M: Metric + ?Sized>(
    m: &M,
    x: &[f64],
    v: &[f64],
    d: &[f64],
) -> Result<DVector<f64>> {
    m.check(x)?;
    let n = m.dim();
    check_vector("velocity", v, n)?;
    check_vector("direction", d, n)?;
    let xd: Vec<Dual64> = x.iter().zip(d).map(|(&t, &e)| Dual64::new(t, e)).collect();
    let vd: Vec<Dual64> = v.iter().map(|&t| Dual64::from_re(t)).collect();
    let out = christoffel_vv_generic(m, &xd, &vd);
    let out = DVector::from_iterator(n, out.iter().map(|o| o.eps));
    crate::error::check_finite_result(|| "∂Γ(d)(v,v)".into(), x, out.iter())?;
    Ok(out)
}

/// The full Christoffel symbols Γ^k_ij from the metric by forward-mode AD (n passes).
pub fn christoffel_ad<M: Metric + ?Sized>(m: &M, x: &[f64]) -> Result<Christoffel> {
    m.check(x)?;
    let n = m.dim();
    let g = m.metric_at(x);
    let dg = metric_partials(m, x);
    let mut out = Christoffel::zeros(n);
    for i in 0..n {
        for j in i..n {
            // First kind: Γ_{l,ij} = ½(∂_i G_lj + ∂_j G_li − ∂_l G_ij).
            let first = DVector::from_fn(n, |l, _| {
                0.5 * (dg[i][(l, j)] + dg[j][(l, i)] - dg[l][(i, j)])
            });
            let second = solve_spd(x, &g, &first)?;
            for k in 0..n {
                out.set_sym(k, i, j, second[k]);
            }
        }
    }
    Ok(out)
}
