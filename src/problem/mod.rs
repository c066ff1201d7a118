//! What a natural-gradient method asks of a problem, one small trait per question.
//!
//! A method needs at most five things from a problem at a point x of its coordinates, and each
//! method bounds only what it uses (in the style of argmin's problem traits):
//!
//! | trait | answers | used by |
//! |---|---|---|
//! | [`Domain`] | the dimension; is x a valid point? | every method |
//! | [`Loss`] | L(x) and ∇L(x) | the argmin solver's cost, trust-radius step sizes |
//! | [`NaturalVelocity`] | the vector field f(x) = −G(x)⁻¹∇L(x) | every method |
//! | [`Connection`] | Γ(v,v) at x | `geo`, `geo-f`, geodesics |
//! | [`ExpMap`] | Exp_x(v) (ODE by default, closed form where known) | `riemannian-euler` |
//! | [`Reparameterisation`] | the way to and from canonical coordinates | studies, figures |
//!
//! [`NgProblem`] is their union, implemented automatically for anything that has all of them;
//! it is what [`crate::optim::Method`] (a method chosen by name at run time) requires.
//!
//! Every vector is a slice: a problem's point can be any contiguous `f64` storage (a network's
//! flat parameter vector as well as a 2-vector), and results are written into caller-owned
//! buffers (`…_into`), so a Runge–Kutta stage or a conjugate-gradient iteration allocates
//! nothing. How a problem answers [`NaturalVelocity`] is its own business: dense Cholesky on an
//! explicit G ([`crate::linalg::solve_spd`], as [`ChartProblem`] does) or conjugate gradient on
//! metric-vector products ([`crate::linalg::conjugate_gradient`], see [`MatrixFreeProblem`]).
//!
//! Problems whose loss or metric is estimated from a random batch implement [`Resample`]; the
//! solver [`crate::optim::SampledNaturalGradient`] draws a new batch before every step from a
//! seeded generator.

pub mod chart_problem;
pub mod matrix_free;

pub use chart_problem::ChartProblem;
pub use matrix_free::{FirstKindConnection, MatrixFreeProblem, MetricProduct};

use crate::error::{Error, Result, check_vector};
use crate::geometry::ExpOptions;
use crate::geometry::geodesic::geodesic_with;
use nalgebra::DVector;

/// The points of a problem: its dimension and its domain.
pub trait Domain {
    /// The dimension n.
    fn dim(&self) -> usize;
    /// Checks that x has n finite coordinates and lies in the domain.
    fn check(&self, x: &[f64]) -> Result<()>;
}

/// A loss L with its gradient.
pub trait Loss: Domain {
    /// L(x).
    fn loss(&self, x: &[f64]) -> Result<f64>;
    /// ∇L(x), written into `out` (length n).
    fn gradient_into(&self, x: &[f64], out: &mut [f64]) -> Result<()>;

    /// ∇L(x) as a new vector.
    fn gradient(&self, x: &[f64]) -> Result<DVector<f64>> {
        let mut out = DVector::zeros(self.dim());
        self.gradient_into(x, out.as_mut_slice())?;
        Ok(out)
    }
}

/// The natural-gradient vector field f(x) = −G(x)⁻¹∇L(x), whose flow every method integrates.
pub trait NaturalVelocity: Domain {
    /// f(x), written into `out` (length n).
    fn natural_velocity_into(&self, x: &[f64], out: &mut [f64]) -> Result<()>;

    /// f(x) as a new vector.
    fn natural_velocity(&self, x: &[f64]) -> Result<DVector<f64>> {
        let mut out = DVector::zeros(self.dim());
        self.natural_velocity_into(x, out.as_mut_slice())?;
        Ok(out)
    }
}

/// An affine connection, through its contraction Γ(v,v)ᵏ = Γ^k_ij vⁱ vʲ — what the geodesic
/// equation x'' = −Γ(x', x') and geodesic correction need. Levi-Civita from a metric
/// ([`crate::geometry::Metric::christoffel_vv`]) and the α-connections of a statistical model
/// ([`crate::model`]) are implementations.
pub trait Connection: Domain {
    /// Γ(v,v) at x, written into `out` (length n).
    fn christoffel_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()>;

    /// Γ(v,v) at x as a new vector.
    fn christoffel_vv(&self, x: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        let mut out = DVector::zeros(self.dim());
        self.christoffel_vv_into(x, v, out.as_mut_slice())?;
        Ok(out)
    }

    /// The directional derivative of the contraction in x, ∂Γ(d)(v,v) = d/dε Γ(x + εd)(v,v)
    /// at ε = 0, into `out` — what the third-order geodesic expansion needs.
    ///
    /// Default: a central difference with ε = 10⁻⁵·(1 + ‖x‖)/‖d‖ (error O(ε²), about 1e-9
    /// relative); problems with an exact path (a metric, by AD) override it.
    fn christoffel_vv_derivative_into(
        &self,
        x: &[f64],
        v: &[f64],
        d: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        christoffel_vv_derivative_fd(self, x, v, d, out)
    }
}

/// ∂Γ(d)(v,v) by a central difference with ε = 10⁻⁵·(1 + ‖x‖)/‖d‖ (error O(ε²), about 1e-9
/// relative): the default of [`Connection::christoffel_vv_derivative_into`].
pub fn christoffel_vv_derivative_fd<P: Connection + ?Sized>(
    p: &P,
    x: &[f64],
    v: &[f64],
    d: &[f64],
    out: &mut [f64],
) -> Result<()> {
    let n = p.dim();
    crate::error::check_vector("direction", d, n)?;
    check_out("∂Γ(d)(v,v)", out, n)?;
    let norm = |a: &[f64]| a.iter().map(|v| v * v).sum::<f64>().sqrt();
    let dn = norm(d);
    if dn == 0.0 {
        out.iter_mut().for_each(|o| *o = 0.0);
        return Ok(());
    }
    let eps = 1e-5 * (1.0 + norm(x)) / dn;
    let plus: Vec<f64> = x.iter().zip(d).map(|(x, d)| x + eps * d).collect();
    let minus: Vec<f64> = x.iter().zip(d).map(|(x, d)| x - eps * d).collect();
    let (gp, gm) = (p.christoffel_vv(&plus, v)?, p.christoffel_vv(&minus, v)?);
    for k in 0..n {
        out[k] = (gp[k] - gm[k]) / (2.0 * eps);
    }
    Ok(())
}

/// The bilinear Γ(u, w)ᵏ = Γᵏᵢⱼ uⁱ wʲ from the contraction by polarisation,
/// Γ(u, w) = ¼[Γ(u + w, u + w) − Γ(u − w, u − w)] (torsion-free connections), into `out`;
/// `scratch` holds three vectors of length n.
pub fn christoffel_uw_into<P: Connection + ?Sized>(
    p: &P,
    x: &[f64],
    u: &[f64],
    w: &[f64],
    scratch: &mut [Vec<f64>; 3],
    out: &mut [f64],
) -> Result<()> {
    let n = u.len();
    let [sum, diff, plus] = scratch;
    for b in [&mut *sum, &mut *diff, &mut *plus] {
        b.resize(n, 0.0);
    }
    for i in 0..n {
        sum[i] = u[i] + w[i];
        diff[i] = u[i] - w[i];
    }
    p.christoffel_vv_into(x, sum, plus)?;
    p.christoffel_vv_into(x, diff, out)?;
    for i in 0..n {
        out[i] = 0.25 * (plus[i] - out[i]);
    }
    Ok(())
}

/// The exponential map of the problem's connection: Exp_x(v) = γ(1) for the geodesic with
/// γ(0) = x, γ'(0) = v.
///
/// Default: integrate the geodesic equation with diffsol ([`exp_by_ode`]); a problem with a
/// closed form overrides [`ExpMap::exp`].
pub trait ExpMap: Connection {
    /// Exp_x(v).
    fn exp(&self, x: &[f64], v: &[f64], opts: ExpOptions) -> Result<DVector<f64>> {
        exp_by_ode(self, x, v, opts)
    }
}

/// Exp_x(v) by integrating x'' = −Γ(x', x') of `p`'s connection (diffsol, tolerance
/// `opts.tol`), refusing a geodesic that leaves the domain.
pub fn exp_by_ode<P: Connection + ?Sized>(
    p: &P,
    x: &[f64],
    v: &[f64],
    opts: ExpOptions,
) -> Result<DVector<f64>> {
    p.check(x)?;
    check_vector("velocity", v, p.dim())?;
    let mut path = geodesic_with(
        x,
        v,
        &[1.0],
        opts,
        |y, u| p.christoffel_vv(y, u),
        |y| p.check(y),
    )?;
    path.pop()
        .map(|(point, _)| point)
        .ok_or_else(|| Error::Solver("the geodesic solve returned no point".into()))
}

/// The problem's coordinates against a family's canonical coordinates θ.
pub trait Reparameterisation {
    /// θ = φ(x).
    fn to_canonical(&self, x: &[f64]) -> Result<DVector<f64>>;
    /// x = φ⁻¹(θ).
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>>;
    /// The chart's name.
    fn chart_name(&self) -> String;
}

/// A problem whose loss (or metric) is estimated on a random batch: [`Resample::resample`]
/// draws the next batch from `rng`. Seed the generator and a run is reproducible.
pub trait Resample {
    /// Draws the batch the next evaluations use.
    fn resample(&mut self, rng: &mut dyn rand::Rng) -> Result<()>;
}

/// Everything a method chosen by name at run time may ask for: the union of the small traits,
/// implemented automatically. dyn-compatible, so a program can choose a family and chart at
/// run time (`Box<dyn NgProblem + Send + Sync>`).
pub trait NgProblem: Loss + NaturalVelocity + ExpMap + Reparameterisation {}
impl<T: Loss + NaturalVelocity + ExpMap + Reparameterisation + ?Sized> NgProblem for T {}

macro_rules! forward_ref {
    ($($ty:ty),*) => {$(
        impl<P: Domain + ?Sized> Domain for $ty {
            fn dim(&self) -> usize { (**self).dim() }
            fn check(&self, x: &[f64]) -> Result<()> { (**self).check(x) }
        }
        impl<P: Loss + ?Sized> Loss for $ty {
            fn loss(&self, x: &[f64]) -> Result<f64> { (**self).loss(x) }
            fn gradient_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
                (**self).gradient_into(x, out)
            }
        }
        impl<P: NaturalVelocity + ?Sized> NaturalVelocity for $ty {
            fn natural_velocity_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
                (**self).natural_velocity_into(x, out)
            }
        }
        impl<P: Connection + ?Sized> Connection for $ty {
            fn christoffel_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
                (**self).christoffel_vv_into(x, v, out)
            }
            fn christoffel_vv_derivative_into(
                &self,
                x: &[f64],
                v: &[f64],
                d: &[f64],
                out: &mut [f64],
            ) -> Result<()> {
                (**self).christoffel_vv_derivative_into(x, v, d, out)
            }
        }
        impl<P: ExpMap + ?Sized> ExpMap for $ty {
            fn exp(&self, x: &[f64], v: &[f64], opts: ExpOptions) -> Result<DVector<f64>> {
                (**self).exp(x, v, opts)
            }
        }
        impl<P: Reparameterisation + ?Sized> Reparameterisation for $ty {
            fn to_canonical(&self, x: &[f64]) -> Result<DVector<f64>> { (**self).to_canonical(x) }
            fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>> { (**self).to_chart(theta) }
            fn chart_name(&self) -> String { (**self).chart_name() }
        }
    )*};
}
forward_ref!(&P, Box<P>, std::sync::Arc<P>);

/// Checks an output buffer's length (a caller-owned buffer of the wrong size is a typed error,
/// never a panic or a silent truncation).
pub fn check_out(what: &str, out: &[f64], n: usize) -> Result<()> {
    if out.len() == n {
        Ok(())
    } else {
        Err(Error::Dimension {
            what: what.to_string(),
            expected: n,
            got: out.len(),
        })
    }
}
