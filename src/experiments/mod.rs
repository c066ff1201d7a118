//! The paper's experiments, each a function that returns a serialisable record.

pub mod fig2;
pub mod fig3;
pub mod fig4;
