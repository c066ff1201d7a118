//! The paper's experiments, each a function that returns a serialisable record.

pub mod fig2;
#[cfg(feature = "networks")]
pub mod fig3;
#[cfg(feature = "networks")]
pub mod fig4;
