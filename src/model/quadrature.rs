//! Gaussian quadrature rules for expectations under continuous families.
//!
//! Gauss–Hermite for the standard normal weight: nodes tᵢ and weights wᵢ with
//! Σ wᵢ g(tᵢ) = E[g(Z)], Z ~ N(0, 1), exactly for polynomials g of degree ≤ 2m − 1. Computed by
//! the Golub–Welsch algorithm (Golub & Welsch 1969): the nodes are the eigenvalues of the
//! symmetric tridiagonal Jacobi matrix of the probabilists' Hermite polynomials (zero diagonal,
//! off-diagonal √k), and each weight is the squared first component of its unit eigenvector.

use crate::error::{Error, Result};
use nalgebra::DMatrix;

/// The m-point Gauss–Hermite rule for N(0, 1) (1 ≤ m ≤ 64): (nodes, weights), nodes increasing.
pub fn gauss_hermite(m: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    if !(1..=64).contains(&m) {
        return Err(Error::InvalidArgument(format!(
            "Gauss–Hermite rules are available for 1 to 64 points, not {m}"
        )));
    }
    let jacobi = DMatrix::from_fn(m, m, |i, j| {
        if i.abs_diff(j) == 1 {
            (i.max(j) as f64).sqrt()
        } else {
            0.0
        }
    });
    let eig = jacobi.symmetric_eigen();
    let mut pairs: Vec<(f64, f64)> = (0..m)
        .map(|k| (eig.eigenvalues[k], eig.eigenvectors[(0, k)].powi(2)))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(pairs.into_iter().unzip())
}
