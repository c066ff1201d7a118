//! The linear algebra behind a natural direction: solving G y = b.
//!
//! Two ways, one per scale:
//!
//! - **dense** ([`solve_spd`]): Cholesky factorisation of an explicit G, for small problems. It
//!   refuses a G that is not positive definite or whose Jacobi-scaled condition number exceeds
//!   [`MAX_CONDITION`] (more than twelve digits would be lost).
//! - **matrix-free** ([`conjugate_gradient`]): (preconditioned) conjugate gradient on the
//!   damped system (G + λI) y = b, needing only the product v ↦ G v, for problems whose G is
//!   never formed (networks with ~10⁶ parameters). Hestenes & Stiefel (1952); Nocedal &
//!   Wright, *Numerical Optimization* (2006), Alg. 5.3.

use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};

/// Largest Jacobi-scaled condition number of G for which natflow solves G x = b by Cholesky.
/// Beyond it more than twelve digits could be lost, and [`Error::SingularMetric`] is returned.
pub const MAX_CONDITION: f64 = 1e12;

/// Jacobi-scaled 2-norm condition number of a symmetric matrix, κ(D^{-1/2} G D^{-1/2}) with
/// D = diag(G); ∞ when a diagonal entry is not positive. Cholesky's accuracy depends on this
/// number, not on the unscaled one (van der Sluis 1969), so charts that merely rescale
/// coordinates do not change it.
pub fn scaled_condition(g: &DMatrix<f64>) -> f64 {
    let n = g.nrows();
    if g.diagonal().iter().any(|&d| d.is_nan() || d <= 0.0) {
        return f64::INFINITY;
    }
    let s: Vec<f64> = g.diagonal().iter().map(|d| d.sqrt().recip()).collect();
    if n == 1 {
        return 1.0;
    }
    if n == 2 {
        let c = (g[(0, 1)] * s[0] * s[1]).abs();
        return if c >= 1.0 {
            f64::INFINITY
        } else {
            (1.0 + c) / (1.0 - c)
        };
    }
    let scaled = DMatrix::from_fn(n, n, |i, j| g[(i, j)] * s[i] * s[j]);
    let ev = scaled.symmetric_eigenvalues();
    let (lo, hi) = ev.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &e| {
        (lo.min(e), hi.max(e))
    });
    if lo <= 0.0 { f64::INFINITY } else { hi / lo }
}

/// Solves G y = b for symmetric positive-definite G by Cholesky, refusing a G that is not
/// positive definite or whose [`scaled_condition`] exceeds [`MAX_CONDITION`]. `x` is the point
/// (for the error message).
pub fn solve_spd(x: &[f64], g: &DMatrix<f64>, b: &DVector<f64>) -> Result<DVector<f64>> {
    let singular = |condition| Error::SingularMetric {
        point: x.to_vec(),
        condition,
    };
    if g.nrows() != g.ncols() || g.nrows() != b.len() {
        return Err(Error::Dimension {
            what: "right-hand side of G y = b".into(),
            expected: g.nrows(),
            got: b.len(),
        });
    }
    let condition = scaled_condition(g);
    if condition.is_nan() || condition > MAX_CONDITION {
        return Err(singular(condition));
    }
    let chol = g
        .clone()
        .cholesky()
        .ok_or_else(|| singular(f64::INFINITY))?;
    Ok(chol.solve(b))
}

/// Settings of [`conjugate_gradient`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CgOptions {
    /// Levenberg–Marquardt damping λ ≥ 0: the system solved is (G + λI) y = b.
    pub damping: f64,
    /// Stop when ‖b − (G + λI) y‖ ≤ `rel_tol` · ‖b‖.
    pub rel_tol: f64,
    /// Stop after this many iterations (a truncated solve, as in Hessian-free optimisation).
    pub max_iters: usize,
}

impl Default for CgOptions {
    /// Undamped, relative residual 1e-12, at most 1000 iterations.
    fn default() -> Self {
        Self {
            damping: 0.0,
            rel_tol: 1e-12,
            max_iters: 1000,
        }
    }
}

/// What a conjugate-gradient solve did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CgReport {
    /// Iterations (products with G) taken.
    pub iterations: usize,
    /// Final relative residual ‖b − (G + λI) y‖ / ‖b‖ (the recursively updated one).
    pub residual: f64,
    /// Whether `residual ≤ rel_tol`.
    pub converged: bool,
}

/// Reusable vectors for [`conjugate_gradient`] in one dimension, so repeated solves allocate
/// nothing.
#[derive(Debug, Clone, Default)]
pub struct CgWorkspace {
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    ap: Vec<f64>,
}

impl CgWorkspace {
    /// A workspace for dimension n.
    pub fn new(n: usize) -> Self {
        Self {
            r: vec![0.0; n],
            z: vec![0.0; n],
            p: vec![0.0; n],
            ap: vec![0.0; n],
        }
    }

    fn fit(&mut self, n: usize) {
        for v in [&mut self.r, &mut self.z, &mut self.p, &mut self.ap] {
            v.resize(n, 0.0);
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Preconditioned conjugate gradient for (G + λI) y = b, G symmetric positive semi-definite,
/// given only the product `apply(v, out)`: out = G v.
///
/// `y` holds the starting guess on entry (zeros for a cold start; a previous solution for a warm
/// start, as Hessian-free training does) and the solution on exit. `precondition`, if given, is
/// the diagonal M of a preconditioner M ≈ G + λI (applied as M⁻¹r). Errors if G + λI shows
/// non-positive curvature along a search direction (pᵀ(G + λI)p ≤ 0: the system is singular or
/// G is not positive semi-definite) or a product is not finite; a solve that merely runs out of
/// iterations is not an error — check [`CgReport::converged`].
pub fn conjugate_gradient<A>(
    apply: A,
    b: &[f64],
    y: &mut [f64],
    precondition: Option<&[f64]>,
    opts: CgOptions,
    ws: &mut CgWorkspace,
) -> Result<CgReport>
where
    A: FnMut(&[f64], &mut [f64]) -> Result<()>,
{
    conjugate_gradient_observed(apply, b, y, precondition, opts, ws, |_, _| {})
}

/// [`conjugate_gradient`], calling `observe(k, y)` after every iteration k = 1, 2, … with the
/// current iterate (Hessian-free training keeps some iterates to backtrack over).
pub fn conjugate_gradient_observed<A, O>(
    mut apply: A,
    b: &[f64],
    y: &mut [f64],
    precondition: Option<&[f64]>,
    opts: CgOptions,
    ws: &mut CgWorkspace,
    mut observe: O,
) -> Result<CgReport>
where
    A: FnMut(&[f64], &mut [f64]) -> Result<()>,
    O: FnMut(usize, &[f64]),
{
    let n = b.len();
    if y.len() != n {
        return Err(Error::Dimension {
            what: "conjugate-gradient solution".into(),
            expected: n,
            got: y.len(),
        });
    }
    if let Some(m) = precondition {
        if m.len() != n {
            return Err(Error::Dimension {
                what: "preconditioner".into(),
                expected: n,
                got: m.len(),
            });
        }
        if m.iter().any(|d| !(d.is_finite() && *d > 0.0)) {
            return Err(Error::InvalidArgument(
                "the preconditioner's diagonal must be positive and finite".into(),
            ));
        }
    }
    if !(opts.damping.is_finite() && opts.damping >= 0.0) {
        return Err(Error::InvalidArgument(format!(
            "damping must be a non-negative number, got {}",
            opts.damping
        )));
    }
    if !(opts.rel_tol.is_finite() && opts.rel_tol > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "conjugate-gradient tolerance must be positive, got {}",
            opts.rel_tol
        )));
    }
    crate::error::check_vector("right-hand side", b, n)?;
    ws.fit(n);
    let CgWorkspace { r, z, p, ap } = ws;
    let lambda = opts.damping;
    let b_norm = dot(b, b).sqrt();
    if b_norm == 0.0 {
        y.iter_mut().for_each(|v| *v = 0.0);
        return Ok(CgReport {
            iterations: 0,
            residual: 0.0,
            converged: true,
        });
    }
    // r = b − (G + λI) y
    apply(y, ap)?;
    for i in 0..n {
        r[i] = b[i] - ap[i] - lambda * y[i];
    }
    let precond = |r: &[f64], z: &mut [f64]| match precondition {
        Some(m) => z
            .iter_mut()
            .zip(r.iter().zip(m))
            .for_each(|(z, (r, m))| *z = r / m),
        None => z.copy_from_slice(r),
    };
    precond(r, z);
    p.copy_from_slice(z);
    let mut rz = dot(r, z);
    let mut residual = dot(r, r).sqrt() / b_norm;
    let mut iterations = 0;
    while residual > opts.rel_tol && iterations < opts.max_iters {
        apply(p, ap)?;
        for i in 0..n {
            ap[i] += lambda * p[i];
        }
        let curvature = dot(p, ap);
        if !curvature.is_finite() {
            return Err(Error::InvalidArgument(
                "a metric-vector product was not finite".into(),
            ));
        }
        if curvature <= 0.0 {
            return Err(Error::SingularMetric {
                point: vec![],
                condition: f64::INFINITY,
            });
        }
        let step = rz / curvature;
        for i in 0..n {
            y[i] += step * p[i];
            r[i] -= step * ap[i];
        }
        iterations += 1;
        observe(iterations, y);
        residual = dot(r, r).sqrt() / b_norm;
        precond(r, z);
        let rz_next = dot(r, z);
        let beta = rz_next / rz;
        rz = rz_next;
        for i in 0..n {
            p[i] = z[i] + beta * p[i];
        }
    }
    Ok(CgReport {
        iterations,
        residual,
        converged: residual <= opts.rel_tol,
    })
}

/// Solves A y = b for any scalar type (f64 or a nested dual number) by Gaussian elimination
/// with partial pivoting on the real parts; `a` is given by rows. With dual-number entries the
/// dual parts of y are the exact derivatives of the solution (the solve is a rational function
/// of the entries). A zero pivot gives non-finite entries, which callers check.
pub fn solve_generic<D: num_dual::DualNum<Primitive = f64> + Copy>(
    mut a: Vec<Vec<D>>,
    mut b: Vec<D>,
) -> Vec<D> {
    let n = b.len();
    for c in 0..n {
        let pivot = (c..n)
            .max_by(|&p, &q| a[p][c].re().abs().total_cmp(&a[q][c].re().abs()))
            .unwrap_or(c);
        a.swap(c, pivot);
        b.swap(c, pivot);
        let (top, below) = a.split_at_mut(c + 1);
        let pivot_row = &top[c];
        for (r, row) in below.iter_mut().enumerate() {
            let f = row[c] / pivot_row[c];
            for (x, &p) in row[c..].iter_mut().zip(&pivot_row[c..]) {
                *x -= f * p;
            }
            let sub = f * b[c];
            b[c + 1 + r] -= sub;
        }
    }
    let mut y = vec![D::zero(); n];
    for r in (0..n).rev() {
        let mut acc = b[r];
        for k in r + 1..n {
            acc -= a[r][k] * y[k];
        }
        y[r] = acc / a[r][r];
    }
    y
}
