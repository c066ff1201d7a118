//! Explicit Runge–Kutta integrators as values: a [`Tableau`] is consumed by one generic stepper
//! ([`RkStepper`]), and its order is *computed* from the order conditions ([`order`]), never
//! just stored.

pub mod order;
pub mod tableau;

pub use order::{RootedTree, order_of, rooted_trees};
pub use tableau::Tableau;

use crate::error::{Error, Result};

/// Reusable stage storage for explicit Runge–Kutta steps of one tableau in one dimension.
#[derive(Debug, Clone)]
pub struct RkStepper {
    tableau: Tableau,
    n: usize,
    stages: Vec<Vec<f64>>,
    trial: Vec<f64>,
}

impl RkStepper {
    /// A stepper for `tableau` in dimension n.
    pub fn new(tableau: Tableau, n: usize) -> Self {
        let s = tableau.stages();
        Self {
            tableau,
            n,
            stages: vec![vec![0.0; n]; s],
            trial: vec![0.0; n],
        }
    }

    /// The tableau.
    pub fn tableau(&self) -> &Tableau {
        &self.tableau
    }

    /// The dimension n the stepper was made for.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// One step y₁ = y + h Σᵢ bᵢ kᵢ with kᵢ = f(y + h Σ_{j<i} a_ij k_j), written into `out`.
    ///
    /// `f(y, k)` writes f(y) into `k`, or fails (which aborts the step). `y` and `out` must have
    /// the stepper's dimension (else [`Error::Dimension`]); no allocation.
    pub fn step<F>(&mut self, f: &mut F, y: &[f64], out: &mut [f64], h: f64) -> Result<()>
    where
        F: FnMut(&[f64], &mut [f64]) -> Result<()>,
    {
        for (what, len) in [
            ("Runge–Kutta state", y.len()),
            ("Runge–Kutta output", out.len()),
        ] {
            if len != self.n {
                return Err(Error::Dimension {
                    what: what.into(),
                    expected: self.n,
                    got: len,
                });
            }
        }
        let s = self.tableau.stages();
        for i in 0..s {
            self.trial.copy_from_slice(y);
            for j in 0..i {
                let a = self.tableau.a[i][j];
                if a != 0.0 {
                    axpy(&mut self.trial, h * a, &self.stages[j]);
                }
            }
            f(&self.trial, &mut self.stages[i])?;
        }
        out.copy_from_slice(y);
        for (b, k) in self.tableau.b.iter().zip(&self.stages) {
            if *b != 0.0 {
                axpy(out, h * b, k);
            }
        }
        Ok(())
    }
}

/// y ← y + a x.
pub(crate) fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}
