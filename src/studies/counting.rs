//! An instrumented problem that counts what a method evaluates, for work-precision records.

use crate::error::Result;
use crate::optim::NgProblem;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use std::cell::Cell;

/// Evaluation counts of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluations {
    /// Gradients ∇L.
    pub gradients: u64,
    /// Metrics G (each natural-gradient direction needs one, and one solve).
    pub metrics: u64,
    /// Connection contractions Γ(v, v) (geodesic correction; every stage of an exponential map).
    pub christoffels: u64,
}

/// Wraps a problem and counts gradient, metric and connection evaluations, including those
/// made inside exponential maps (whose geodesic ODE calls [`NgProblem::christoffel_vv`]).
pub struct Counting<'a, P: ?Sized> {
    inner: &'a P,
    gradients: Cell<u64>,
    metrics: Cell<u64>,
    christoffels: Cell<u64>,
}

impl<'a, P: NgProblem + ?Sized> Counting<'a, P> {
    /// Starts counting on `inner`.
    pub fn new(inner: &'a P) -> Self {
        Self {
            inner,
            gradients: Cell::new(0),
            metrics: Cell::new(0),
            christoffels: Cell::new(0),
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> Evaluations {
        Evaluations {
            gradients: self.gradients.get(),
            metrics: self.metrics.get(),
            christoffels: self.christoffels.get(),
        }
    }
}

fn bump(c: &Cell<u64>) {
    c.set(c.get() + 1);
}

impl<P: NgProblem + ?Sized> NgProblem for Counting<'_, P> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn check(&self, xi: &[f64]) -> Result<()> {
        self.inner.check(xi)
    }
    fn loss(&self, xi: &[f64]) -> Result<f64> {
        self.inner.loss(xi)
    }
    fn gradient(&self, xi: &[f64]) -> Result<DVector<f64>> {
        bump(&self.gradients);
        self.inner.gradient(xi)
    }
    fn metric(&self, xi: &[f64]) -> Result<DMatrix<f64>> {
        bump(&self.metrics);
        self.inner.metric(xi)
    }
    fn christoffel_vv(&self, xi: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        bump(&self.christoffels);
        self.inner.christoffel_vv(xi, v)
    }
    fn to_canonical(&self, xi: &[f64]) -> Result<DVector<f64>> {
        self.inner.to_canonical(xi)
    }
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>> {
        self.inner.to_chart(theta)
    }
    fn chart_name(&self) -> String {
        self.inner.chart_name()
    }
}
