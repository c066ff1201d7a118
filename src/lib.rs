//! # natflow
//!
//! Natural-gradient optimisation seen as an ODE on a statistical manifold.
//!
//! Natural-gradient descent θ ← θ − h G(θ)⁻¹∇L(θ) is the Euler method for the flow
//! dθ/dt = −G⁻¹∇L. The flow is invariant under reparameterisation; finite steps are not.
//! natflow makes each noun of that sentence a value: a family with its Fisher metric G
//! ([`families`]), its connection Γ and charts ([`geometry`]), and the exact geodesics and flows
//! that the finite methods approximate (Song, Song & Ermon, *Accelerating Natural Gradient with
//! Higher-Order Invariance*, ICML 2018, arXiv:1803.01273).

#[cfg(feature = "cli")]
pub mod cli;
pub mod data;
pub mod error;
pub mod experiments;
pub mod families;
pub mod fit;
pub mod geometry;
pub mod integrators;
pub mod linalg;
pub mod model;
#[cfg(feature = "networks")]
pub mod nn;
pub mod ode;
pub mod optim;
#[cfg(feature = "cli")]
pub mod plot;
pub mod problem;
pub mod random;
pub mod registry;
#[cfg(feature = "networks")]
pub mod rl;
pub mod special;
pub mod studies;
pub mod testing;

pub use error::{Error, Result};

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
