//! An instrumented problem that counts what a method asks for, for work–precision records.

use crate::error::Result;
use crate::geometry::ExpOptions;
use crate::problem::{Connection, Domain, ExpMap, Loss, NaturalVelocity, Reparameterisation};
use nalgebra::DVector;
use serde::{Deserialize, Serialize};
use std::cell::Cell;

/// Evaluation counts of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluations {
    /// Natural velocities f = −G⁻¹∇L (each one gradient and one solve with G).
    pub natural_velocities: u64,
    /// Gradients ∇L asked for on their own (trust-radius step sizes).
    pub gradients: u64,
    /// Connection contractions Γ(v, v) asked for by the method (geodesic correction).
    pub christoffels: u64,
    /// Exponential maps (each an ODE solve, or a closed form).
    pub exp_maps: u64,
}

/// Wraps a problem and counts every call a method makes, forwarding each to the problem's own
/// implementation (so a problem's closed-form Exp or its own natural velocity is what runs).
/// Work done *inside* a forwarded call (the Γ evaluations of an ODE exponential map) is the
/// problem's business and is not counted; wall time covers it.
pub struct Counting<'a, P: ?Sized> {
    inner: &'a P,
    natural_velocities: Cell<u64>,
    gradients: Cell<u64>,
    christoffels: Cell<u64>,
    exp_maps: Cell<u64>,
}

impl<'a, P: ?Sized> Counting<'a, P> {
    /// Starts counting on `inner`.
    pub fn new(inner: &'a P) -> Self {
        Self {
            inner,
            natural_velocities: Cell::new(0),
            gradients: Cell::new(0),
            christoffels: Cell::new(0),
            exp_maps: Cell::new(0),
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> Evaluations {
        Evaluations {
            natural_velocities: self.natural_velocities.get(),
            gradients: self.gradients.get(),
            christoffels: self.christoffels.get(),
            exp_maps: self.exp_maps.get(),
        }
    }
}

fn bump(c: &Cell<u64>) {
    c.set(c.get() + 1);
}

impl<P: Domain + ?Sized> Domain for Counting<'_, P> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn check(&self, x: &[f64]) -> Result<()> {
        self.inner.check(x)
    }
}

impl<P: Loss + ?Sized> Loss for Counting<'_, P> {
    fn loss(&self, x: &[f64]) -> Result<f64> {
        self.inner.loss(x)
    }
    fn gradient_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        bump(&self.gradients);
        self.inner.gradient_into(x, out)
    }
}

impl<P: NaturalVelocity + ?Sized> NaturalVelocity for Counting<'_, P> {
    fn natural_velocity_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        bump(&self.natural_velocities);
        self.inner.natural_velocity_into(x, out)
    }
}

impl<P: Connection + ?Sized> Connection for Counting<'_, P> {
    fn christoffel_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        bump(&self.christoffels);
        self.inner.christoffel_vv_into(x, v, out)
    }
    /// Counted as one Γ evaluation (an AD pass costs about one).
    fn christoffel_vv_derivative_into(
        &self,
        x: &[f64],
        v: &[f64],
        d: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        bump(&self.christoffels);
        self.inner.christoffel_vv_derivative_into(x, v, d, out)
    }
}

impl<P: ExpMap + ?Sized> ExpMap for Counting<'_, P> {
    fn exp(&self, x: &[f64], v: &[f64], opts: ExpOptions) -> Result<DVector<f64>> {
        bump(&self.exp_maps);
        self.inner.exp(x, v, opts)
    }
}

impl<P: Reparameterisation + ?Sized> Reparameterisation for Counting<'_, P> {
    fn to_canonical(&self, x: &[f64]) -> Result<DVector<f64>> {
        self.inner.to_canonical(x)
    }
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>> {
        self.inner.to_chart(theta)
    }
    fn chart_name(&self) -> String {
        self.inner.chart_name()
    }
}
