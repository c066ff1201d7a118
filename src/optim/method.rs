//! Natural-gradient methods: discretisations of the flow ξ' = f(ξ) = −G_ξ⁻¹∇_ξL of different
//! orders of invariance (Song, Song & Ermon 2018). Names are the same in the library, the
//! command line and JSON.
//!
//! | name | step ξ ↦ | invariance |
//! |---|---|---|
//! | `ng` | ξ + h f(ξ) (Euler) | order 1 |
//! | `mid` | ξ + h f(ξ + h/2·f(ξ)) (explicit midpoint) | order 2 |
//! | any tableau (`rk4`, `heun`, …) | the explicit Runge–Kutta step | the tableau's order |
//! | `geo` | ξ + h f − ½h² Γ_ξ(f, f) | order 2 (approximates Exp_ξ(h f) to O(h³)) |
//! | `geo-f` | ξ + h f − ½h² Γ_ξ(v, v), v = (ξ_k − ξ_{k−1})/h; first step `geo` | order 2 |
//! | `geo3` | ξ + h f − ½h² Γ(f, f) − ⅙h³ [∂Γ(f)(f, f) − 2Γ(Γ(f, f), f)] | order 3 (approximates Exp_ξ(h f) to O(h⁴)) |
//! | `riemannian-euler` | Exp_ξ(h f(ξ)) (diffsol, tol 1e-12) | invariant in exact arithmetic (to the ODE tolerance in practice), order 1 vs the flow |
//! | `exp:<tableau>` (`exp:rk4`, `exp:midpoint`, …) | the tableau's step in normal coordinates at ξ: F(u) = dExp_ξ(u)⁻¹ f(Exp_ξ(u)), u₁ = RK step from 0, Exp_ξ(u₁) | invariant (to the ODE tolerance), the tableau's order vs the flow |
//! | `geo2:<tableau>`, `geo3:<tableau>` | `exp:<tableau>` with Exp_ξ and dExp_ξ replaced by their Taylor polynomials of order 2 or 3 in u (no ODE solves) | min(p, the tableau's order) |
//! | `riemannian-mid` | ξ½ = Exp_ξ(½h f(ξ)), w = f(ξ½) transported back to ξ, Exp_ξ(h w) | invariant (to the ODE tolerance), order 2 vs the flow |
//! | `flow` | the exact flow for time h (diffsol, tol 1e-12) | exact |
//! | `ng-fine` | 1000 Euler sub-steps of h/1000 | Euler with h/1000 (the paper's "ng (exact)") |

use crate::error::{Error, Result};
use crate::geometry::ExpOptions;
use crate::integrators::{RkStepper, Tableau, axpy};
use crate::ode::{self, OdeOptions};
use crate::problem::{Connection, ExpMap, NaturalVelocity, NgProblem, check_out};

/// Tolerance of the diffsol solves behind `riemannian-euler` and `flow`.
pub const REFERENCE_TOL: f64 = 1e-12;

/// Sub-steps per step of `ng-fine`.
pub const FINE_SUBSTEPS: usize = 1000;

/// A natural-gradient method.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Method {
    /// An explicit Runge–Kutta method on ξ' = f(ξ); `ng` is Euler, `mid` the midpoint rule.
    RungeKutta {
        /// The method's name (`ng`, `mid`, or the tableau's name).
        name: String,
        /// Its tableau.
        tableau: Tableau,
    },
    /// Geodesic correction ξ + h f − ½h² Γ(f, f).
    Geo,
    /// Faster geodesic correction: Γ on the previous displacement.
    GeoF,
    /// Third-order geodesic correction (the Taylor expansion of Exp to h³).
    Geo3,
    /// The Riemannian Euler step Exp_ξ(h f(ξ)).
    RiemannianEuler {
        /// ODE tolerance of the exponential map.
        tol: f64,
    },
    /// A Runge–Kutta tableau in Riemannian normal coordinates at each step (`exp:<tableau>`).
    NormalRk {
        /// The method's name, `exp:` and the tableau's.
        name: String,
        /// The tableau.
        tableau: Tableau,
        /// ODE tolerance of the exponential maps and Jacobi fields.
        tol: f64,
    },
    /// `exp:<tableau>` with Exp and dExp truncated to order 2 or 3 (`geo2:<tableau>`,
    /// `geo3:<tableau>`).
    TruncatedNormalRk {
        /// The method's name.
        name: String,
        /// The tableau.
        tableau: Tableau,
        /// The order p of the expansions, 2 or 3.
        p: u32,
    },
    /// The Riemannian midpoint rule (exponential maps and parallel transport).
    RiemannianMid {
        /// ODE tolerance of the exponential maps and the transport.
        tol: f64,
    },
    /// The exact flow, sampled every h.
    Flow {
        /// ODE tolerance.
        tol: f64,
    },
    /// Euler with `substeps` sub-steps per step.
    NgFine {
        /// Sub-steps per step.
        substeps: usize,
    },
}

impl Method {
    /// The methods of the paper's Figure 2, in plotting order.
    pub const PAPER: [&'static str; 7] = [
        "ng",
        "mid",
        "geo",
        "geo-f",
        "ng-fine",
        "riemannian-euler",
        "flow",
    ];

    /// The method called `name`: `ng`, `mid`, `geo`, `geo-f`, `geo3`, `riemannian-euler`,
    /// `riemannian-mid`, `flow`, `ng-fine`, the name of any tableau in [`Tableau::all`], or
    /// `exp:`, `geo2:` or `geo3:` followed by a tableau's name (`mid` and `ng` allowed).
    pub fn parse(name: &str) -> Result<Method> {
        Ok(match name {
            "ng" => Method::RungeKutta {
                name: "ng".into(),
                tableau: Tableau::euler(),
            },
            "mid" => Method::RungeKutta {
                name: "mid".into(),
                tableau: Tableau::midpoint(),
            },
            "geo" => Method::Geo,
            "geo-f" => Method::GeoF,
            "geo3" => Method::Geo3,
            "riemannian-euler" => Method::RiemannianEuler { tol: REFERENCE_TOL },
            "riemannian-mid" => Method::RiemannianMid { tol: REFERENCE_TOL },
            "flow" => Method::Flow { tol: REFERENCE_TOL },
            "ng-fine" => Method::NgFine {
                substeps: FINE_SUBSTEPS,
            },
            other
                if other.starts_with("exp:")
                    || other.starts_with("geo2:")
                    || other.starts_with("geo3:") =>
            {
                let (prefix, t) = other.split_once(':').expect("a prefix");
                let t = match t {
                    "ng" => "euler",
                    "mid" => "midpoint",
                    t => t,
                };
                let tableau = Tableau::by_name(t).map_err(|_| Error::Unknown {
                    kind: "tableau of exp:<tableau>".into(),
                    name: t.into(),
                    expected: Tableau::all()
                        .into_iter()
                        .map(|t| t.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
                match prefix {
                    "exp" => Method::NormalRk {
                        name: other.into(),
                        tableau,
                        tol: REFERENCE_TOL,
                    },
                    "geo2" => Method::TruncatedNormalRk {
                        name: other.into(),
                        tableau,
                        p: 2,
                    },
                    _ => Method::TruncatedNormalRk {
                        name: other.into(),
                        tableau,
                        p: 3,
                    },
                }
            }
            other => {
                let tableau = Tableau::by_name(other).map_err(|_| Error::Unknown {
                    kind: "method".into(),
                    name: other.into(),
                    expected: Self::names().join(", "),
                })?;
                Method::RungeKutta {
                    name: other.into(),
                    tableau,
                }
            }
        })
    }

    /// Every accepted method name.
    pub fn names() -> Vec<String> {
        let mut v: Vec<String> = Self::PAPER.iter().map(|s| s.to_string()).collect();
        v.push("riemannian-mid".into());
        v.push("geo3".into());
        // The normal-coordinate families take any tableau after the prefix; these are their
        // representatives.
        for m in [
            "exp:midpoint",
            "exp:rk4",
            "geo2:midpoint",
            "geo3:midpoint",
            "geo3:rk4",
        ] {
            v.push(m.into());
        }
        v.extend(Tableau::all().into_iter().map(|t| t.name));
        v
    }

    /// The method's name.
    pub fn name(&self) -> String {
        match self {
            Method::RungeKutta { name, .. } => name.clone(),
            Method::Geo => "geo".into(),
            Method::GeoF => "geo-f".into(),
            Method::Geo3 => "geo3".into(),
            Method::RiemannianEuler { .. } => "riemannian-euler".into(),
            Method::RiemannianMid { .. } => "riemannian-mid".into(),
            Method::NormalRk { name, .. } | Method::TruncatedNormalRk { name, .. } => name.clone(),
            Method::Flow { .. } => "flow".into(),
            Method::NgFine { .. } => "ng-fine".into(),
        }
    }

    /// Whether the method is a reference (an exact or near-exact solution) rather than a
    /// practical optimiser; figures draw these dashed.
    pub fn is_reference(&self) -> bool {
        matches!(
            self,
            Method::RiemannianEuler { .. } | Method::Flow { .. } | Method::NgFine { .. }
        )
    }
}

/// One step of a method, in place: x ← step(x, h). Each method bounds only what it uses of the
/// problem `P` (see [`crate::problem`]); on failure x is left unchanged and the error is an
/// [`Error::Step`] naming the method and h, with the cause inside.
pub trait Step<P: ?Sized> {
    /// The method's name.
    fn name(&self) -> String;
    /// Forgets what the method carries between steps (start of a new run).
    fn reset(&mut self);
    /// One step of size h > 0 from x, in place.
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()>;
}

fn check_h(h: f64) -> Result<()> {
    if h.is_finite() && h > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "step size must be a positive number, got {h}"
        )))
    }
}

/// Runs `body` (which writes the new point into `next`), checks the new point, and commits it
/// to x; any failure becomes an [`Error::Step`].
fn commit<P: crate::problem::Domain + ?Sized>(
    name: &str,
    p: &P,
    x: &mut [f64],
    h: f64,
    next: &mut Vec<f64>,
    body: impl FnOnce(&[f64], &mut [f64]) -> Result<()>,
) -> Result<()> {
    check_h(h)?;
    p.check(x)?;
    next.resize(x.len(), 0.0);
    body(x, next)
        .and_then(|()| p.check(next))
        .map_err(|e| Error::Step {
            method: name.to_string(),
            h,
            source: Box::new(e),
        })?;
    x.copy_from_slice(next);
    Ok(())
}

/// An explicit Runge–Kutta method on x' = f(x) (`ng` is Euler, `mid` the midpoint rule), with
/// `substeps` steps of h/substeps per step (`ng-fine`: Euler with 1000). Requires
/// [`NaturalVelocity`] only.
#[derive(Debug, Clone)]
pub struct RungeKutta {
    name: String,
    rk: RkStepper,
    substeps: usize,
    next: Vec<f64>,
    sub: Vec<f64>,
}

impl RungeKutta {
    /// `tableau` under the name `name`, `substeps` ≥ 1 sub-steps per step, in dimension n.
    pub fn new(name: &str, tableau: Tableau, substeps: usize, n: usize) -> Result<Self> {
        if substeps == 0 {
            return Err(Error::InvalidArgument(
                "sub-steps must be at least 1".into(),
            ));
        }
        Ok(Self {
            name: name.into(),
            rk: RkStepper::new(tableau, n),
            substeps,
            next: vec![0.0; n],
            sub: vec![0.0; n],
        })
    }
}

impl<P: NaturalVelocity + ?Sized> Step<P> for RungeKutta {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn reset(&mut self) {}
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        let Self {
            name,
            rk,
            substeps,
            next,
            sub,
        } = self;
        let mut field = |y: &[f64], k: &mut [f64]| p.natural_velocity_into(y, k);
        commit(name, p, x, h, next, |x, next| {
            if *substeps == 1 {
                return rk.step(&mut field, x, next, h);
            }
            let hs = h / *substeps as f64;
            sub.resize(x.len(), 0.0);
            sub.copy_from_slice(x);
            for _ in 0..*substeps {
                rk.step(&mut field, sub, next, hs)?;
                sub.copy_from_slice(next);
            }
            Ok(())
        })
    }
}

/// Geodesic correction x + h f − ½h² Γ(v, v) (Song, Song & Ermon 2018, §4): v = f for `geo`;
/// for the faster `geo-f`, v = (x_k − x_{k−1})/h, the previous step's displacement (first step
/// as `geo`). Requires [`NaturalVelocity`] and [`Connection`].
#[derive(Debug, Clone)]
pub struct GeodesicCorrection {
    fast: bool,
    f: Vec<f64>,
    v: Vec<f64>,
    gamma: Vec<f64>,
    next: Vec<f64>,
    before: Vec<f64>,
    /// x_{k−1}, for `geo-f`.
    previous: Option<Vec<f64>>,
}

impl GeodesicCorrection {
    /// `geo` (fast = false) or `geo-f` (fast = true).
    pub fn new(fast: bool) -> Self {
        Self {
            fast,
            f: vec![],
            v: vec![],
            gamma: vec![],
            next: vec![],
            before: vec![],
            previous: None,
        }
    }
}

impl<P: NaturalVelocity + Connection + ?Sized> Step<P> for GeodesicCorrection {
    fn name(&self) -> String {
        if self.fast { "geo-f" } else { "geo" }.into()
    }
    fn reset(&mut self) {
        self.previous = None;
    }
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        let name = <Self as Step<P>>::name(self);
        let Self {
            fast,
            f,
            v,
            gamma,
            next,
            before,
            previous,
        } = self;
        let n = x.len();
        for b in [&mut *f, &mut *v, &mut *gamma] {
            b.resize(n, 0.0);
        }
        if *fast {
            before.clear();
            before.extend_from_slice(x);
        }
        let prev = previous.as_deref().filter(|q| *fast && q.len() == n);
        commit(&name, p, x, h, next, |x, next| {
            p.natural_velocity_into(x, f)?;
            match prev {
                Some(q) => v
                    .iter_mut()
                    .zip(x.iter().zip(q))
                    .for_each(|(v, (x, q))| *v = (x - q) / h),
                None => v.copy_from_slice(f),
            }
            p.christoffel_vv_into(x, v, gamma)?;
            next.copy_from_slice(x);
            axpy(next, h, f);
            axpy(next, -0.5 * h * h, gamma);
            Ok(())
        })?;
        if *fast {
            let old = previous.get_or_insert_with(Vec::new);
            std::mem::swap(old, before);
        }
        Ok(())
    }
}

/// Third-order geodesic correction: the Euler step's point moved onto Exp_x(h f) to O(h⁴),
/// x + h f − ½h² Γ(f, f) − ⅙h³ [∂Γ(f)(f, f) − 2Γ(Γ(f, f), f)]: the Taylor polynomial of the
/// geodesic γ with γ(0) = x, γ′(0) = f, from γ″ = −Γ(γ′, γ′) and, differentiating,
/// γ‴ = −∂Γ(γ′)(γ′, γ′) − 2Γ(γ″, γ′) = −∂Γ(f)(f, f) + 2Γ(Γ(f, f), f) at t = 0. Γ(u, w) by
/// polarisation, ∂Γ by [`Connection::christoffel_vv_derivative_into`] (forward-mode AD of the
/// metric for a chart problem). Requires [`NaturalVelocity`] and [`Connection`].
#[derive(Debug, Clone, Default)]
pub struct GeodesicCorrection3 {
    f: Vec<f64>,
    gamma: Vec<f64>,
    dgamma: Vec<f64>,
    ggamma: Vec<f64>,
    scratch: [Vec<f64>; 3],
    next: Vec<f64>,
}

impl<P: NaturalVelocity + Connection + ?Sized> Step<P> for GeodesicCorrection3 {
    fn name(&self) -> String {
        "geo3".into()
    }
    fn reset(&mut self) {}
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        let Self {
            f,
            gamma,
            dgamma,
            ggamma,
            scratch,
            next,
        } = self;
        let n = x.len();
        for b in [&mut *f, &mut *gamma, &mut *dgamma, &mut *ggamma] {
            b.resize(n, 0.0);
        }
        commit("geo3", p, x, h, next, |x, next| {
            p.natural_velocity_into(x, f)?;
            p.christoffel_vv_into(x, f, gamma)?;
            p.christoffel_vv_derivative_into(x, f, f, dgamma)?;
            crate::problem::christoffel_uw_into(p, x, gamma, f, scratch, ggamma)?;
            next.copy_from_slice(x);
            axpy(next, h, f);
            axpy(next, -0.5 * h * h, gamma);
            axpy(next, -h * h * h / 6.0, dgamma);
            axpy(next, h * h * h / 3.0, ggamma);
            Ok(())
        })
    }
}

/// The Riemannian Euler step Exp_x(h f(x)): chart-invariant in exact arithmetic (numerically,
/// to the exponential map's ODE tolerance), first order to the flow.
/// Requires [`NaturalVelocity`] and [`ExpMap`] (the ODE default or a closed form).
#[derive(Debug, Clone)]
pub struct RiemannianEuler {
    /// ODE tolerance of the exponential map.
    pub tol: f64,
    f: Vec<f64>,
    next: Vec<f64>,
}

impl RiemannianEuler {
    /// With exponential maps solved at tolerance `tol`.
    pub fn new(tol: f64) -> Self {
        Self {
            tol,
            f: vec![],
            next: vec![],
        }
    }
}

impl<P: NaturalVelocity + ExpMap + ?Sized> Step<P> for RiemannianEuler {
    fn name(&self) -> String {
        "riemannian-euler".into()
    }
    fn reset(&mut self) {}
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        let Self { tol, f, next } = self;
        f.resize(x.len(), 0.0);
        commit("riemannian-euler", p, x, h, next, |x, next| {
            p.natural_velocity_into(x, f)?;
            f.iter_mut().for_each(|v| *v *= h);
            let end = p.exp(x, f, ExpOptions::with_tol(*tol))?;
            check_out("exponential map", end.as_slice(), next.len())?;
            next.copy_from_slice(end.as_slice());
            Ok(())
        })
    }
}

/// The Riemannian midpoint rule: x½ = Exp_x(½h f(x)), w = the parallel transport of f(x½)
/// back to x along that geodesic, x₁ = Exp_x(h w). Every ingredient is defined without
/// coordinates, so the step is chart-invariant for every h (numerically, to the ODE
/// tolerance); it is second order to the flow, the Riemannian counterpart of the explicit
/// midpoint rule (Crouch & Grossman 1993; Munthe-Kaas 1998, with Exp as the coordinate map).
/// Requires [`NaturalVelocity`] and [`ExpMap`]; the transport integrates the problem's
/// [`Connection`] ([`crate::geometry::transport`]).
#[derive(Debug, Clone)]
pub struct RiemannianMidpoint {
    /// ODE tolerance of the exponential maps and the transport.
    pub tol: f64,
    f: Vec<f64>,
    next: Vec<f64>,
}

impl RiemannianMidpoint {
    /// With every solve at tolerance `tol`.
    pub fn new(tol: f64) -> Self {
        Self {
            tol,
            f: vec![],
            next: vec![],
        }
    }
}

impl<P: NaturalVelocity + ExpMap + ?Sized> Step<P> for RiemannianMidpoint {
    fn name(&self) -> String {
        "riemannian-mid".into()
    }
    fn reset(&mut self) {}
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        use crate::geometry::transport::transport_along_geodesic;
        let Self { tol, f, next } = self;
        let opts = ExpOptions::with_tol(*tol);
        f.resize(x.len(), 0.0);
        commit("riemannian-mid", p, x, h, next, |x, next| {
            p.natural_velocity_into(x, f)?;
            let half: Vec<f64> = f.iter().map(|v| 0.5 * h * v).collect();
            let out = transport_along_geodesic(p, x, &half, &[], opts)?;
            p.natural_velocity_into(out.end.as_slice(), f)?;
            let back: Vec<f64> = out.end_velocity.iter().map(|u| -u).collect();
            let w = transport_along_geodesic(p, out.end.as_slice(), &back, &[f], opts)?;
            let step: Vec<f64> = w.vectors[0].iter().map(|v| h * v).collect();
            let end = p.exp(x, &step, opts)?;
            check_out("exponential map", end.as_slice(), next.len())?;
            next.copy_from_slice(end.as_slice());
            Ok(())
        })
    }
}

/// One step of `rk` for the vector field f written in a chart u ↦ E(u) around `base`
/// (E(0) = base, dE(0) = I): F(u) = dE(u)⁻¹ f(E(u)), F(0) = f(base), from u = 0 into `u1`.
/// `chart(u)` returns (E(u), dE(u)); `what` names the chart in the error for a singular dE.
#[allow(clippy::too_many_arguments)]
fn step_in_chart<P: NaturalVelocity + ?Sized>(
    p: &P,
    rk: &mut RkStepper,
    base: &[f64],
    u0: &mut Vec<f64>,
    u1: &mut Vec<f64>,
    h: f64,
    what: &str,
    chart: impl Fn(&[f64]) -> Result<(Vec<f64>, nalgebra::DMatrix<f64>)>,
) -> Result<()> {
    let n = base.len();
    u0.clear();
    u0.resize(n, 0.0);
    u1.resize(n, 0.0);
    let mut f_end = vec![0.0; n];
    let mut field = |u: &[f64], k: &mut [f64]| -> Result<()> {
        if u.iter().all(|v| *v == 0.0) {
            return p.natural_velocity_into(base, k);
        }
        let (end, d) = chart(u)?;
        p.check(&end)?;
        p.natural_velocity_into(&end, &mut f_end)?;
        let sol = d
            .lu()
            .solve(&nalgebra::DVector::from_column_slice(&f_end))
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "{what} is singular at this velocity; take a smaller step"
                ))
            })?;
        k.copy_from_slice(sol.as_slice());
        Ok(())
    };
    rk.step(&mut field, u0, u1, h)
}

/// A Runge–Kutta tableau in Riemannian normal coordinates: at each step the vector field is
/// written in the normal chart u ↦ Exp_x(u) at the current point, F(u) = dExp_x(u)⁻¹ f(Exp_x(u)),
/// one step of the tableau is taken from u = 0, and the result is mapped back, x₁ = Exp_x(u₁).
/// The normal chart is fixed up to a linear change of frame, which a Runge–Kutta step commutes
/// with, so the method is chart-invariant for every h (numerically, to the ODE tolerance) and
/// converges at the tableau's order (the idea of Munthe-Kaas' Lie-group methods, with Exp as
/// the coordinate map; Munthe-Kaas 1999). dExp from Jacobi fields
/// ([`crate::geometry::jacobi`]); F(0) = f(x). Requires [`NaturalVelocity`] and [`ExpMap`].
#[derive(Debug, Clone)]
pub struct NormalCoordinateRk {
    name: String,
    rk: RkStepper,
    /// ODE tolerance.
    pub tol: f64,
    u0: Vec<f64>,
    u1: Vec<f64>,
    next: Vec<f64>,
}

impl NormalCoordinateRk {
    /// `tableau` under `name` in dimension n, solves at tolerance `tol`.
    pub fn new(name: &str, tableau: Tableau, tol: f64, n: usize) -> Self {
        Self {
            name: name.into(),
            rk: RkStepper::new(tableau, n),
            tol,
            u0: vec![0.0; n],
            u1: vec![0.0; n],
            next: vec![0.0; n],
        }
    }
}

impl<P: NaturalVelocity + ExpMap + ?Sized> Step<P> for NormalCoordinateRk {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn reset(&mut self) {}
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        use crate::geometry::jacobi::exp_and_differential;
        let Self {
            name,
            rk,
            tol,
            u0,
            u1,
            next,
        } = self;
        let opts = ExpOptions::with_tol(*tol);
        commit(name, p, x, h, next, |x, next| {
            let chart = |u: &[f64]| {
                exp_and_differential(p, x, u, opts).map(|(e, d)| (e.as_slice().to_vec(), d))
            };
            step_in_chart(p, rk, x, u0, u1, h, "dExp (a conjugate point)", chart)?;
            let end = p.exp(x, u1, opts)?;
            check_out("exponential map", end.as_slice(), next.len())?;
            next.copy_from_slice(end.as_slice());
            Ok(())
        })
    }
}

/// [`NormalCoordinateRk`] with the exponential map and its differential replaced by their
/// Taylor polynomials of order p ∈ {2, 3} in u at x (Γ, ∂Γ at x only; no ODE solves):
///
/// ```text
/// E(u)    = x + u − ½Γ(u,u) − ⅙[∂Γ(u)(u,u) − 2Γ(Γ(u,u), u)]
/// dE(u)δ  = δ − Γ(u,δ) − ⅙[∂Γ(δ)(u,u) + 2∂Γ(u)(u,δ) − 2Γ(Γ(u,u), δ) − 4Γ(Γ(u,δ), u)]
/// ```
///
/// (the ⅙ terms only for p = 3; `geo2:euler` is `geo`). F(u) = dE(u)⁻¹ f(E(u)), one step of the
/// tableau from u = 0, x₁ = E(u₁). Requires [`NaturalVelocity`] and [`Connection`].
#[derive(Debug, Clone)]
pub struct TruncatedNormalRk {
    name: String,
    rk: RkStepper,
    p: u32,
    u0: Vec<f64>,
    u1: Vec<f64>,
    next: Vec<f64>,
}

impl TruncatedNormalRk {
    /// `tableau` with order-`p` expansions (2 or 3) in dimension n.
    pub fn new(name: &str, tableau: Tableau, p: u32, n: usize) -> Result<Self> {
        if !(p == 2 || p == 3) {
            return Err(Error::InvalidArgument(format!(
                "the truncated normal-coordinate methods expand to order 2 or 3, got {p}"
            )));
        }
        Ok(Self {
            name: name.into(),
            rk: RkStepper::new(tableau, n),
            p,
            u0: vec![0.0; n],
            u1: vec![0.0; n],
            next: vec![0.0; n],
        })
    }
}

/// The truncated exponential map and its differential at a fixed base point.
struct Expansion<'a, P: ?Sized> {
    p: &'a P,
    x: &'a [f64],
    order: u32,
    scratch: std::cell::RefCell<[Vec<f64>; 3]>,
}

impl<P: Connection + ?Sized> Expansion<'_, P> {
    fn gamma(&self, a: &[f64], b: &[f64]) -> Result<Vec<f64>> {
        let mut out = vec![0.0; a.len()];
        let mut s = self.scratch.borrow_mut();
        crate::problem::christoffel_uw_into(self.p, self.x, a, b, &mut s, &mut out)?;
        Ok(out)
    }
    /// ∂Γ(d)(a, b), polarised in (a, b).
    fn dgamma(&self, d: &[f64], a: &[f64], b: &[f64]) -> Result<Vec<f64>> {
        let n = a.len();
        let (sum, diff): (Vec<f64>, Vec<f64>) =
            a.iter().zip(b).map(|(a, b)| (a + b, a - b)).unzip();
        let (mut plus, mut minus) = (vec![0.0; n], vec![0.0; n]);
        self.p
            .christoffel_vv_derivative_into(self.x, &sum, d, &mut plus)?;
        self.p
            .christoffel_vv_derivative_into(self.x, &diff, d, &mut minus)?;
        Ok(plus
            .iter()
            .zip(&minus)
            .map(|(p, m)| 0.25 * (p - m))
            .collect())
    }
    /// E(u).
    fn exp(&self, u: &[f64]) -> Result<Vec<f64>> {
        let guu = self.gamma(u, u)?;
        let mut e: Vec<f64> = (0..u.len())
            .map(|i| self.x[i] + u[i] - 0.5 * guu[i])
            .collect();
        if self.order == 3 {
            let d = self.dgamma(u, u, u)?;
            let g2 = self.gamma(&guu, u)?;
            for i in 0..u.len() {
                e[i] -= (d[i] - 2.0 * g2[i]) / 6.0;
            }
        }
        Ok(e)
    }
    /// dE(u) as a matrix (column j: dE(u) e_j).
    fn differential(&self, u: &[f64]) -> Result<nalgebra::DMatrix<f64>> {
        let n = u.len();
        let guu = if self.order == 3 {
            self.gamma(u, u)?
        } else {
            vec![]
        };
        let mut m = nalgebra::DMatrix::zeros(n, n);
        for j in 0..n {
            let delta: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i == j))).collect();
            let gud = self.gamma(u, &delta)?;
            let mut col: Vec<f64> = (0..n).map(|i| delta[i] - gud[i]).collect();
            if self.order == 3 {
                let a = self.dgamma(&delta, u, u)?;
                let b = self.dgamma(u, u, &delta)?;
                let c = self.gamma(&guu, &delta)?;
                let d = self.gamma(&gud, u)?;
                for i in 0..n {
                    col[i] -= (a[i] + 2.0 * b[i] - 2.0 * c[i] - 4.0 * d[i]) / 6.0;
                }
            }
            for i in 0..n {
                m[(i, j)] = col[i];
            }
        }
        Ok(m)
    }
}

impl<P: NaturalVelocity + Connection + ?Sized> Step<P> for TruncatedNormalRk {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn reset(&mut self) {}
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        let Self {
            name,
            rk,
            p: order,
            u0,
            u1,
            next,
        } = self;
        commit(name, p, x, h, next, |x, next| {
            let ex = Expansion {
                p,
                x,
                order: *order,
                scratch: std::cell::RefCell::new([vec![], vec![], vec![]]),
            };
            let chart = |u: &[f64]| Ok((ex.exp(u)?, ex.differential(u)?));
            step_in_chart(p, rk, x, u0, u1, h, "the truncated dExp", chart)?;
            next.copy_from_slice(&ex.exp(u1)?);
            Ok(())
        })
    }
}

/// The exact flow x' = f(x) for time h (diffsol, tolerance `tol`). Requires
/// [`NaturalVelocity`] only.
#[derive(Debug, Clone)]
pub struct Flow {
    /// ODE tolerance.
    pub tol: f64,
    next: Vec<f64>,
}

impl Flow {
    /// The flow solved at tolerance `tol`.
    pub fn new(tol: f64) -> Self {
        Self { tol, next: vec![] }
    }
}

impl<P: NaturalVelocity + ?Sized> Step<P> for Flow {
    fn name(&self) -> String {
        "flow".into()
    }
    fn reset(&mut self) {}
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        let Self { tol, next } = self;
        commit("flow", p, x, h, next, |x, next| {
            let out = ode::solve(
                x,
                &[h],
                OdeOptions::with_tol(*tol),
                |y, dy| p.natural_velocity_into(y, dy),
                |y| p.check(y),
            )?;
            let end = out
                .first()
                .ok_or_else(|| Error::Solver("the flow solve returned no point".into()))?;
            next.copy_from_slice(end);
            Ok(())
        })
    }
}

/// A method chosen at run time ([`Method`]), as one [`Step`]: dispatches to [`RungeKutta`],
/// [`GeodesicCorrection`], [`RiemannianEuler`] or [`Flow`]. Requires the union of what they
/// need, [`NgProblem`].
#[derive(Debug, Clone)]
pub struct Stepper {
    method: Method,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Rk(RungeKutta),
    Geo(GeodesicCorrection),
    Geo3(GeodesicCorrection3),
    Re(RiemannianEuler),
    Rm(RiemannianMidpoint),
    Nrk(NormalCoordinateRk),
    Tnrk(TruncatedNormalRk),
    Flow(Flow),
}

impl Stepper {
    /// A stepper for `method` in dimension n (the problem's; a point of another dimension is
    /// refused with [`Error::Dimension`] at the step).
    pub fn new(method: Method, n: usize) -> Result<Self> {
        let kind = match &method {
            Method::RungeKutta { name, tableau } => {
                Kind::Rk(RungeKutta::new(name, tableau.clone(), 1, n)?)
            }
            Method::NgFine { substeps } => {
                Kind::Rk(RungeKutta::new("ng-fine", Tableau::euler(), *substeps, n)?)
            }
            Method::Geo => Kind::Geo(GeodesicCorrection::new(false)),
            Method::GeoF => Kind::Geo(GeodesicCorrection::new(true)),
            Method::Geo3 => Kind::Geo3(GeodesicCorrection3::default()),
            Method::RiemannianEuler { tol } => Kind::Re(RiemannianEuler::new(*tol)),
            Method::RiemannianMid { tol } => Kind::Rm(RiemannianMidpoint::new(*tol)),
            Method::NormalRk { name, tableau, tol } => {
                Kind::Nrk(NormalCoordinateRk::new(name, tableau.clone(), *tol, n))
            }
            Method::TruncatedNormalRk { name, tableau, p } => {
                Kind::Tnrk(TruncatedNormalRk::new(name, tableau.clone(), *p, n)?)
            }
            Method::Flow { tol } => Kind::Flow(Flow::new(*tol)),
        };
        Ok(Self { method, kind })
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Forgets what the method carries between steps (start of a new run).
    pub fn reset(&mut self) {
        if let Kind::Geo(g) = &mut self.kind {
            g.previous = None;
        }
    }
}

impl<P: NgProblem + ?Sized> Step<P> for Stepper {
    fn name(&self) -> String {
        self.method.name()
    }
    fn reset(&mut self) {
        Stepper::reset(self);
    }
    fn step(&mut self, p: &P, x: &mut [f64], h: f64) -> Result<()> {
        // Each step checks x against the problem (dimension, finiteness, domain) first.
        match &mut self.kind {
            Kind::Rk(s) => s.step(p, x, h),
            Kind::Geo(s) => s.step(p, x, h),
            Kind::Geo3(s) => s.step(p, x, h),
            Kind::Re(s) => s.step(p, x, h),
            Kind::Rm(s) => s.step(p, x, h),
            Kind::Nrk(s) => s.step(p, x, h),
            Kind::Tnrk(s) => s.step(p, x, h),
            Kind::Flow(s) => s.step(p, x, h),
        }
    }
}
