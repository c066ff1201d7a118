//! Step-size policies: a fixed h, or a KL trust radius.

use crate::error::{Error, Result};
use crate::problem::{Loss, NaturalVelocity};

/// How a solver chooses h at each iterate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepSize {
    /// The same h every step (the paper's learning rate).
    Fixed(f64),
    /// A KL trust radius δ, as in natural policy gradient (Kakade 2001; Schulman et al. 2015):
    /// the step h f is scaled so that the second-order KL divergence it makes,
    /// ½ h² fᵀG f, equals δ, i.e. h = √(2δ / fᵀG f), capped at `max_h`. Since G f = −∇L,
    /// fᵀG f = −f·∇L needs no metric product. At a stationary point (fᵀG f = 0) h = `max_h`.
    TrustRadius {
        /// δ > 0.
        delta: f64,
        /// Largest h allowed.
        max_h: f64,
    },
}

impl StepSize {
    /// Checks the policy's parameters.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str, v: f64| {
            Err(Error::InvalidArgument(format!(
                "{what} must be a positive number, got {v}"
            )))
        };
        match *self {
            StepSize::Fixed(h) if !(h.is_finite() && h > 0.0) => bad("step size", h),
            StepSize::TrustRadius { delta, .. } if !(delta.is_finite() && delta > 0.0) => {
                bad("trust radius δ", delta)
            }
            StepSize::TrustRadius { max_h, .. } if !(max_h.is_finite() && max_h > 0.0) => {
                bad("largest step size", max_h)
            }
            _ => Ok(()),
        }
    }

    /// The h to use at x. For a trust radius this evaluates ∇L(x) and f(x) once (an extra
    /// gradient and natural-velocity evaluation per step).
    pub fn resolve<P: Loss + NaturalVelocity + ?Sized>(&self, p: &P, x: &[f64]) -> Result<f64> {
        self.validate()?;
        match *self {
            StepSize::Fixed(h) => Ok(h),
            StepSize::TrustRadius { delta, max_h } => {
                let g = p.gradient(x)?;
                let f = p.natural_velocity(x)?;
                let quad = -f.dot(&g);
                Ok(if quad > 0.0 {
                    (2.0 * delta / quad).sqrt().min(max_h)
                } else {
                    max_h
                })
            }
        }
    }
}
