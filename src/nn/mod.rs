//! Neural networks trained by natural gradient, matrix-free: a multilayer perceptron whose
//! output is the natural parameter of an output family ([`output`]), with its gradient,
//! Fisher-vector product F·v and α-connection product c_α(v) from forward, R-, S- and backward
//! passes ([`mlp`]); the same network written for any scalar type ([`dense`]) ties the
//! products to natflow's generic geometry in the tests.

pub mod activation;
pub mod data;
pub mod dense;
pub mod io;
pub mod kernels;
pub mod mlp;
pub mod output;
pub mod probe;
pub mod problem;
pub mod train;

pub use activation::Activation;
pub use mlp::{Dataset, Layer, Mlp, OutputRow, Passes, Workspace};
pub use output::OutputFamily;
pub use problem::NetworkProblem;
