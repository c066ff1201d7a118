//! Explicit Runge–Kutta integrators as values: a [`Tableau`] is consumed by one generic stepper
//! ([`RkStepper`]), and its order is *computed* from the order conditions ([`order`]), never
//! just stored.

pub mod order;
pub mod tableau;

pub use order::{RootedTree, order_of, rooted_trees};
pub use tableau::Tableau;

use crate::error::Result;
use nalgebra::DVector;

/// Reusable stage storage for explicit Runge–Kutta steps of one tableau in one dimension.
#[derive(Debug, Clone)]
pub struct RkStepper {
    tableau: Tableau,
    stages: Vec<DVector<f64>>,
    trial: DVector<f64>,
}

impl RkStepper {
    /// A stepper for `tableau` in dimension n.
    pub fn new(tableau: Tableau, n: usize) -> Self {
        let s = tableau.stages();
        Self {
            tableau,
            stages: vec![DVector::zeros(n); s],
            trial: DVector::zeros(n),
        }
    }

    /// The tableau.
    pub fn tableau(&self) -> &Tableau {
        &self.tableau
    }

    /// One step y ← y + h Σᵢ bᵢ kᵢ with kᵢ = f(y + h Σ_{j<i} a_ij k_j), in place.
    ///
    /// `f(y, out)` writes f(y) into `out`, or fails (which aborts the step, leaving y as it was).
    pub fn step<F>(&mut self, f: &mut F, y: &mut DVector<f64>, h: f64) -> Result<()>
    where
        F: FnMut(&DVector<f64>, &mut DVector<f64>) -> Result<()>,
    {
        let s = self.tableau.stages();
        for i in 0..s {
            self.trial.copy_from(y);
            for j in 0..i {
                let a = self.tableau.a[i][j];
                if a != 0.0 {
                    self.trial.axpy(h * a, &self.stages[j], 1.0);
                }
            }
            f(&self.trial, &mut self.stages[i])?;
        }
        for (b, k) in self.tableau.b.iter().zip(&self.stages) {
            if *b != 0.0 {
                y.axpy(h * b, k, 1.0);
            }
        }
        Ok(())
    }
}
