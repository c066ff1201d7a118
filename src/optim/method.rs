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
//! | `riemannian-euler` | Exp_ξ(h f(ξ)) (diffsol, tol 1e-12) | exactly invariant, order 1 vs the flow |
//! | `flow` | the exact flow for time h (diffsol, tol 1e-12) | exact |
//! | `ng-fine` | 1000 Euler sub-steps of h/1000 | Euler with h/1000 (the paper's "ng (exact)") |

use super::problem::NgProblem;
use crate::error::{Error, Result};
use crate::geometry::ExpOptions;
use crate::integrators::{RkStepper, Tableau};
use crate::ode::{self, OdeOptions};
use nalgebra::DVector;

/// Tolerance of the diffsol solves behind `riemannian-euler` and `flow`.
pub const REFERENCE_TOL: f64 = 1e-12;

/// Sub-steps per step of `ng-fine`.
pub const FINE_SUBSTEPS: usize = 1000;

/// A natural-gradient method.
#[derive(Debug, Clone, PartialEq)]
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
    /// The Riemannian Euler step Exp_ξ(h f(ξ)).
    RiemannianEuler {
        /// ODE tolerance of the exponential map.
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

    /// The method called `name`: `ng`, `mid`, `geo`, `geo-f`, `riemannian-euler`, `flow`,
    /// `ng-fine`, or the name of any tableau in [`Tableau::all`].
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
            "riemannian-euler" => Method::RiemannianEuler { tol: REFERENCE_TOL },
            "flow" => Method::Flow { tol: REFERENCE_TOL },
            "ng-fine" => Method::NgFine {
                substeps: FINE_SUBSTEPS,
            },
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
        v.extend(Tableau::all().into_iter().map(|t| t.name));
        v
    }

    /// The method's name.
    pub fn name(&self) -> String {
        match self {
            Method::RungeKutta { name, .. } => name.clone(),
            Method::Geo => "geo".into(),
            Method::GeoF => "geo-f".into(),
            Method::RiemannianEuler { .. } => "riemannian-euler".into(),
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

/// Takes steps of one method on one problem, keeping what the method carries between steps.
#[derive(Debug, Clone)]
pub struct Stepper {
    method: Method,
    rk: Option<RkStepper>,
    /// The previous iterate (for `geo-f`).
    previous: Option<DVector<f64>>,
}

impl Stepper {
    /// A stepper for `method` in dimension n.
    pub fn new(method: Method, n: usize) -> Self {
        let rk = match &method {
            Method::RungeKutta { tableau, .. } => Some(RkStepper::new(tableau.clone(), n)),
            Method::NgFine { .. } => Some(RkStepper::new(Tableau::euler(), n)),
            _ => None,
        };
        Self {
            method,
            rk,
            previous: None,
        }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Forgets the previous iterate (start of a new run).
    pub fn reset(&mut self) {
        self.previous = None;
    }

    /// One step of size h from ξ.
    pub fn step<P: NgProblem + ?Sized>(
        &mut self,
        p: &P,
        xi: &DVector<f64>,
        h: f64,
    ) -> Result<DVector<f64>> {
        if !(h.is_finite() && h > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "step size must be a positive number, got {h}"
            )));
        }
        let mut field = |y: &DVector<f64>, out: &mut DVector<f64>| -> Result<()> {
            *out = p.natural_velocity(y.as_slice())?;
            Ok(())
        };
        let next = match &self.method {
            Method::RungeKutta { .. } => {
                let mut y = xi.clone();
                self.rk
                    .as_mut()
                    .expect("rk stepper")
                    .step(&mut field, &mut y, h)?;
                y
            }
            Method::NgFine { substeps } => {
                let mut y = xi.clone();
                let rk = self.rk.as_mut().expect("euler stepper");
                let sub = h / *substeps as f64;
                for _ in 0..*substeps {
                    rk.step(&mut field, &mut y, sub)?;
                }
                y
            }
            Method::Geo => {
                let f = p.natural_velocity(xi.as_slice())?;
                let gamma = p.christoffel_vv(xi.as_slice(), f.as_slice())?;
                xi + &f * h - gamma * (0.5 * h * h)
            }
            Method::GeoF => {
                let f = p.natural_velocity(xi.as_slice())?;
                let v = match &self.previous {
                    Some(prev) => (xi - prev) / h,
                    None => f.clone(),
                };
                let gamma = p.christoffel_vv(xi.as_slice(), v.as_slice())?;
                xi + &f * h - gamma * (0.5 * h * h)
            }
            Method::RiemannianEuler { tol } => {
                let f = p.natural_velocity(xi.as_slice())?;
                p.exp(
                    xi.as_slice(),
                    (f * h).as_slice(),
                    ExpOptions::with_tol(*tol),
                )?
            }
            Method::Flow { tol } => {
                let out = ode::solve(
                    xi.as_slice(),
                    &[h],
                    OdeOptions::with_tol(*tol),
                    |y, dy| {
                        dy.copy_from_slice(p.natural_velocity(y)?.as_slice());
                        Ok(())
                    },
                    |y| p.check(y),
                )?;
                DVector::from_vec(out.into_iter().next().expect("one output time"))
            }
        };
        p.check(next.as_slice()).map_err(|e| {
            Error::InvalidArgument(format!(
                "{} with step size {h} left the domain: {e}; try a smaller step or another chart",
                self.method.name()
            ))
        })?;
        self.previous = Some(xi.clone());
        Ok(next)
    }
}
