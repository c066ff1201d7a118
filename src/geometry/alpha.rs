//! Amari's α-connections of a statistical manifold (G, T).
//!
//! A statistical family carries, besides its Fisher metric G, the skewness tensor
//! T_ijk = E[∂ᵢℓ ∂ⱼℓ ∂ₖℓ] ([`Metric::skewness_vv`]). Together they define a one-parameter family
//! of torsion-free connections (Amari & Nagaoka 2000, §2.3, in first-kind symbols):
//!
//! ```text
//! Γ^(α)_{ij,k} = Γ^(0)_{ij,k} − (α/2) T_ijk,       Γ^(α)(v,v) = Γ^(0)(v,v) − (α/2) G⁻¹T(v,v,·),
//! ```
//!
//! α = 0 the Levi-Civita connection of G, α = 1 the exponential (e-) connection, flat in the
//! natural parameters of an exponential family, α = −1 the mixture (m-) connection, flat in the
//! expectation parameters. Γ^(α) and Γ^(−α) are dual: ∂ₖG_ij = Γ^(α)_{ki,j} + Γ^(−α)_{kj,i}.
//! [`AlphaConnection`] makes a metric and an α a [`Connection`], so geodesics, the exponential
//! and log maps and the geodesic-corrected methods work with any α.

use super::{Christoffel, Metric};
use crate::error::{Error, Result, check_vector};
use crate::geometry::geodesic::{ExpOptions, geodesic_with};
use crate::linalg::solve_spd;
use crate::problem::{Connection, Domain, ExpMap, check_out};
use nalgebra::DVector;

/// The α-connection's Christoffel contraction, Γ^(α)(v,v) = Γ^(0)(v,v) − (α/2) G⁻¹T(v,v,·).
///
/// From Γ^(α)_{ij,k} = Γ^(0)_{ij,k} − (α/2) T_ijk (Amari & Nagaoka 2000, §2.3, with the
/// first-kind symbols Γ_{ij,k} = G_kl Γˡᵢⱼ): α = 0 is the Levi-Civita connection, α = 1 the
/// exponential and α = −1 the mixture connection. α = 0 uses the metric's own (closed-form or
/// automatic) Γ and needs no skewness tensor.
pub fn alpha_christoffel_vv<M: Metric + ?Sized>(
    m: &M,
    x: &[f64],
    v: &[f64],
    alpha: f64,
) -> Result<DVector<f64>> {
    check_alpha(alpha)?;
    let lc = m.christoffel_vv(x, v)?;
    if alpha == 0.0 {
        return Ok(lc);
    }
    let t = m.skewness_vv(x, v)?;
    let g = m.metric(x)?;
    Ok(lc - solve_spd(x, &g, &t)? * (0.5 * alpha))
}

/// The full α-connection symbols Γ^(α)ᵏᵢⱼ = Γ^(0)ᵏᵢⱼ − (α/2)(G⁻¹T(eᵢ,eⱼ,·))ᵏ, with T(eᵢ,eⱼ,·)
/// from the contraction by polarisation, T(u,w,·) = ¼[T(u+w,u+w,·) − T(u−w,u−w,·)].
pub fn alpha_christoffel<M: Metric + ?Sized>(m: &M, x: &[f64], alpha: f64) -> Result<Christoffel> {
    check_alpha(alpha)?;
    let mut out = m.christoffel(x)?;
    if alpha == 0.0 {
        return Ok(out);
    }
    let n = m.dim();
    let g = m.metric(x)?;
    let unit = |i: usize| -> Vec<f64> { (0..n).map(|k| f64::from(u8::from(k == i))).collect() };
    for i in 0..n {
        for j in i..n {
            let t = if i == j {
                m.skewness_vv(x, &unit(i))?
            } else {
                let plus: Vec<f64> = (0..n).map(|k| unit(i)[k] + unit(j)[k]).collect();
                let minus: Vec<f64> = (0..n).map(|k| unit(i)[k] - unit(j)[k]).collect();
                (m.skewness_vv(x, &plus)? - m.skewness_vv(x, &minus)?) * 0.25
            };
            let correction = solve_spd(x, &g, &t)?;
            for k in 0..n {
                let value = out.get(k, i, j) - 0.5 * alpha * correction[k];
                out.set_sym(k, i, j, value);
            }
        }
    }
    Ok(out)
}

/// Refuses a non-finite α.
pub fn check_alpha(alpha: f64) -> Result<()> {
    if alpha.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "α of an α-connection must be a finite number, got {alpha}"
        )))
    }
}

/// A metric with its α-connection, as a [`Connection`] (and [`ExpMap`], by the geodesic ODE).
///
/// ∂Γ(d)(v,v) (for dExp and the third-order methods) is exact by AD at α = 0 and a central
/// difference otherwise (the trait's default, about 1e-9 relative).
#[derive(Debug, Clone, Copy)]
pub struct AlphaConnection<'a, M: ?Sized> {
    /// The metric (with a skewness tensor when α ≠ 0).
    pub metric: &'a M,
    /// α.
    pub alpha: f64,
}

impl<'a, M: Metric + ?Sized> AlphaConnection<'a, M> {
    /// The α-connection of `metric`; errors on a non-finite α.
    pub fn new(metric: &'a M, alpha: f64) -> Result<Self> {
        check_alpha(alpha)?;
        Ok(Self { metric, alpha })
    }
}

impl<M: Metric + ?Sized> Domain for AlphaConnection<'_, M> {
    fn dim(&self) -> usize {
        self.metric.dim()
    }
    fn check(&self, x: &[f64]) -> Result<()> {
        self.metric.check(x)
    }
}

impl<M: Metric + ?Sized> Connection for AlphaConnection<'_, M> {
    fn christoffel_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        check_out("Γ(v,v)", out, self.metric.dim())?;
        let g = alpha_christoffel_vv(self.metric, x, v, self.alpha)?;
        out.copy_from_slice(g.as_slice());
        Ok(())
    }
    fn christoffel_vv_derivative_into(
        &self,
        x: &[f64],
        v: &[f64],
        d: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        if self.alpha == 0.0 {
            check_out("∂Γ(d)(v,v)", out, self.metric.dim())?;
            let g = super::christoffel_vv_derivative(self.metric, x, v, d)?;
            out.copy_from_slice(g.as_slice());
            Ok(())
        } else {
            crate::problem::christoffel_vv_derivative_fd(self, x, v, d, out)
        }
    }
}

impl<M: Metric + ?Sized> ExpMap for AlphaConnection<'_, M> {}

/// Exp_x(t·v) along the α-geodesic x'' = −Γ^(α)(x', x') (t may be negative). α = 0 is
/// [`super::exp_map`].
pub fn alpha_exp_map<M: Metric + ?Sized>(
    m: &M,
    x: &[f64],
    v: &[f64],
    t: f64,
    alpha: f64,
    opts: ExpOptions,
) -> Result<DVector<f64>> {
    check_alpha(alpha)?;
    m.check(x)?;
    check_vector("velocity", v, m.dim())?;
    if !t.is_finite() {
        return Err(Error::InvalidArgument(format!(
            "exponential-map time must be finite, got {t}"
        )));
    }
    let sv: Vec<f64> = v.iter().map(|vi| t.signum() * vi).collect();
    let mut path = geodesic_with(
        x,
        &sv,
        &[t.abs()],
        opts,
        |p, q| alpha_christoffel_vv(m, p, q, alpha),
        |p| m.check(p),
    )?;
    path.pop()
        .map(|(point, _)| point)
        .ok_or_else(|| Error::Solver("the geodesic solve returned no point".into()))
}
