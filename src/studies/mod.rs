//! Empirical convergence- and invariance-order studies against reference solutions.

pub mod counting;
pub mod fit;
pub mod order;

pub use counting::{Counting, Evaluations};
pub use fit::{OrderFit, fit_order};
pub use order::{OrderConfig, OrderStudy, order_study};
