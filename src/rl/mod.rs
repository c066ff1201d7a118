//! Natural policy gradient on control tasks: environments, policies with their Fisher metric
//! and α-connection, advantage estimation, and the `npg`, `mid`, `geo` and `geo-f` updates.

pub mod env;
pub mod gae;
pub mod npg;
pub mod policy;
pub mod replay;
pub mod rollout;
pub mod value;
