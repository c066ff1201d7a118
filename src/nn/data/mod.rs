//! Image data for the network experiments: an IDX reader (plain or gzip), the real MNIST
//! subset embedded in the binary, and a deterministic CURVES generator.

pub mod curves;
pub mod idx;
pub mod mnist;

pub use curves::curves;
pub use idx::{IdxArray, parse_idx, read_idx};
pub use mnist::{Mnist, mnist_subset};
