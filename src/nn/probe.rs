//! `natflow nn probe`: every quantity of the natural-gradient geometry of a network at one θ,
//! computed to working precision — a checking tool, and (with repeats) a timing tool.

use super::mlp::{Dataset, Mlp, Workspace};
use crate::error::{Error, Result};
use crate::linalg::{CgOptions, CgWorkspace, conjugate_gradient, solve_spd};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// Networks with at most this many parameters are solved densely (F built column by column
/// from F·eⱼ, then Cholesky); larger ones by conjugate gradient to a relative residual 1e-12.
pub const DENSE_LIMIT: usize = 1500;

/// Median seconds per product over the repeats (each a whole product, forward passes included).
#[derive(Debug, Clone, Serialize)]
pub struct Timings {
    /// Loss and gradient.
    pub gradient_s: f64,
    /// F·v.
    pub fisher_vector_s: f64,
    /// c_α(v) for the first α.
    pub connection_vector_s: f64,
    /// Repeats after one warm-up.
    pub repeats: usize,
}

/// What the probe reports; the v-dependent entries are absent without a vector.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    /// Number of parameters.
    pub n_params: usize,
    /// L(θ).
    pub loss: f64,
    /// ∇L(θ).
    pub grad: Vec<f64>,
    /// F·v (undamped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fisher_v: Option<Vec<f64>>,
    /// c_α(v), keyed by α as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_vv: Option<BTreeMap<String, Vec<f64>>>,
    /// (F + λI)⁻¹∇L.
    pub natural_gradient: Vec<f64>,
    /// (F + λI)⁻¹c_α(v), keyed by α as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub christoffel_vv: Option<BTreeMap<String, Vec<f64>>>,
    /// λ.
    pub damping: f64,
    /// `dense` or `conjugate-gradient`.
    pub solve: String,
    /// Present with repeats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timings: Option<Timings>,
}

/// Solves (F + λI) y = b, densely or by conjugate gradient.
struct Solver<'a> {
    net: &'a Mlp,
    theta: &'a [f64],
    data: &'a Dataset,
    damping: f64,
    dense: Option<DMatrix<f64>>,
}

impl Solver<'_> {
    fn solve(&self, ws: &mut Workspace, b: &[f64]) -> Result<Vec<f64>> {
        if let Some(f) = &self.dense {
            return Ok(solve_spd(self.theta, f, &DVector::from_column_slice(b))?
                .iter()
                .copied()
                .collect());
        }
        let n = self.net.n_params();
        let mut y = vec![0.0; n];
        let opts = CgOptions {
            damping: self.damping,
            rel_tol: 1e-12,
            max_iters: 10 * n,
        };
        let mut cg = CgWorkspace::new(n);
        let rep = conjugate_gradient(
            |v, out| self.net.fisher_vector(self.theta, self.data, v, ws, out),
            b,
            &mut y,
            None,
            opts,
            &mut cg,
        )?;
        if !rep.converged {
            return Err(Error::NotConverged {
                iterations: rep.iterations,
                residual: rep.residual,
                tol: opts.rel_tol,
            });
        }
        Ok(y)
    }
}

fn median_seconds(repeats: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    f()?; // warm-up
    let mut t = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let start = Instant::now();
        f()?;
        t.push(start.elapsed().as_secs_f64());
    }
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

/// Probes `net` at θ on `data`: loss, gradient, natural gradient, and with a vector v also F·v,
/// c_α(v) and (F + λI)⁻¹c_α(v) for each α of `alphas` (label as written, value); with
/// `repeats` > 0 the median time of each product (v = the gradient when no vector is given).
pub fn probe(
    net: &Mlp,
    theta: &[f64],
    data: &Dataset,
    v: Option<&[f64]>,
    alphas: &[(String, f64)],
    damping: f64,
    repeats: usize,
) -> Result<ProbeReport> {
    if !(damping.is_finite() && damping >= 0.0) {
        return Err(Error::InvalidArgument(format!(
            "damping must be a non-negative number, got {damping}"
        )));
    }
    if alphas.is_empty() {
        return Err(Error::InvalidArgument("give at least one α".into()));
    }
    net.check_data(data)?;
    let p = net.n_params();
    let mut ws = Workspace::new(net, data.n);
    let mut grad = vec![0.0; p];
    let loss = net.loss_gradient(theta, data, &mut ws, &mut grad)?;
    let dense = if p <= DENSE_LIMIT {
        let mut f = DMatrix::zeros(p, p);
        let mut e = vec![0.0; p];
        let mut col = vec![0.0; p];
        for j in 0..p {
            e[j] = 1.0;
            net.fisher_vector(theta, data, &e, &mut ws, &mut col)?;
            e[j] = 0.0;
            f.column_mut(j).copy_from_slice(&col);
        }
        // Symmetrise the rounding, then damp.
        let f = (&f + f.transpose()) * 0.5 + DMatrix::identity(p, p) * damping;
        Some(f)
    } else {
        None
    };
    let solve = if dense.is_some() {
        "dense"
    } else {
        "conjugate-gradient"
    };
    let solver = Solver {
        net,
        theta,
        data,
        damping,
        dense,
    };
    let natural_gradient = solver.solve(&mut ws, &grad)?;
    let (mut fisher_v, mut connection_vv, mut christoffel_vv) = (None, None, None);
    if let Some(v) = v {
        let mut fv = vec![0.0; p];
        net.fisher_vector(theta, data, v, &mut ws, &mut fv)?;
        fisher_v = Some(fv);
        let mut c_map = BTreeMap::new();
        let mut g_map = BTreeMap::new();
        for (label, alpha) in alphas {
            let mut c = vec![0.0; p];
            net.connection_vector(theta, data, v, *alpha, &mut ws, &mut c)?;
            g_map.insert(label.clone(), solver.solve(&mut ws, &c)?);
            c_map.insert(label.clone(), c);
        }
        connection_vv = Some(c_map);
        christoffel_vv = Some(g_map);
    }
    let timings = if repeats > 0 {
        let dir: Vec<f64> = v.map_or_else(|| grad.clone(), <[f64]>::to_vec);
        let mut out = vec![0.0; p];
        let alpha = alphas[0].1;
        Some(Timings {
            gradient_s: median_seconds(repeats, || {
                net.loss_gradient(theta, data, &mut ws, &mut out)
                    .map(|_| ())
            })?,
            fisher_vector_s: median_seconds(repeats, || {
                net.fisher_vector(theta, data, &dir, &mut ws, &mut out)
            })?,
            connection_vector_s: median_seconds(repeats, || {
                net.connection_vector(theta, data, &dir, alpha, &mut ws, &mut out)
            })?,
            repeats,
        })
    } else {
        None
    };
    Ok(ProbeReport {
        n_params: p,
        loss,
        grad,
        fisher_v,
        connection_vv,
        natural_gradient,
        christoffel_vv,
        damping,
        solve: solve.into(),
        timings,
    })
}
