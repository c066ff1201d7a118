//! Seeded draws from the families natflow knows, written from the textbook algorithms: what the
//! conformance suite's Monte Carlo checks ([`crate::testing`]) and synthetic data need.
//!
//! | draw | algorithm |
//! |---|---|
//! | standard normal | Box–Muller |
//! | Gamma(a, 1) | Marsaglia & Tsang (2000), *A simple method for generating gamma variables*; a < 1 by Gamma(a + 1)·U^{1/a} |
//! | Beta, Dirichlet | normalised independent Gamma draws |
//! | Poisson(λ) | inversion by sequential search (λ split into parts ≤ 500, a sum of Poissons is Poisson) |
//! | inverse Gaussian | Michael, Schucany & Haas (1976) |

use rand::{Rng, RngExt};

/// A uniform draw from (0, 1): never 0, so its logarithm is finite.
pub fn open_unit<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rng.random_range(f64::EPSILON..1.0)
}

/// A standard normal draw (Box–Muller).
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let (u1, u2): (f64, f64) = (open_unit(rng), rng.random());
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A Gamma(shape a, rate 1) draw, a > 0 (Marsaglia–Tsang squeeze and rejection).
pub fn gamma<R: Rng + ?Sized>(rng: &mut R, a: f64) -> f64 {
    if a < 1.0 {
        // Gamma(a) = Gamma(a + 1) · U^{1/a}.
        return gamma(rng, a + 1.0) * open_unit(rng).powf(1.0 / a);
    }
    let d = a - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let z = standard_normal(rng);
        let v = 1.0 + c * z;
        if v <= 0.0 {
            continue;
        }
        let v3 = v * v * v;
        let u = open_unit(rng);
        if u < 1.0 - 0.0331 * z.powi(4) || u.ln() < 0.5 * z * z + d * (1.0 - v3 + v3.ln()) {
            return d * v3;
        }
    }
}

/// A Dirichlet(a₁, …, a_K) draw: independent Gamma(aᵢ, 1) draws, normalised.
pub fn dirichlet<R: Rng + ?Sized>(rng: &mut R, a: &[f64]) -> Vec<f64> {
    let g: Vec<f64> = a.iter().map(|&ai| gamma(rng, ai)).collect();
    let s: f64 = g.iter().sum();
    g.iter().map(|x| x / s).collect()
}

/// A Poisson(λ) draw by inversion: walk up the cumulative distribution from 0 with
/// p(k+1) = p(k)·λ/(k+1). λ above 500 is split into equal parts (e^{−λ} would underflow).
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    let parts = (lambda / 500.0).ceil().max(1.0);
    let part = lambda / parts;
    let mut total = 0.0;
    for _ in 0..parts as usize {
        let u: f64 = rng.random();
        let mut p = (-part).exp();
        let mut cdf = p;
        let mut k = 0.0;
        while u > cdf && p > 0.0 {
            k += 1.0;
            p *= part / k;
            cdf += p;
        }
        total += k;
    }
    total
}

/// An inverse-Gaussian IG(mean μ, shape λ) draw (Michael, Schucany & Haas 1976): the smaller
/// root of the quadratic in x for a χ²₁ draw, kept with probability μ/(μ + x), else μ²/x.
pub fn inverse_gaussian<R: Rng + ?Sized>(rng: &mut R, mu: f64, lambda: f64) -> f64 {
    let z = standard_normal(rng);
    let y = z * z;
    let x = mu + mu * mu * y / (2.0 * lambda)
        - mu / (2.0 * lambda) * (4.0 * mu * lambda * y + mu * mu * y * y).sqrt();
    let u: f64 = rng.random();
    if u <= mu / (mu + x) { x } else { mu * mu / x }
}

/// A draw from a finite distribution with probabilities p (summing to 1), by inversion.
pub fn categorical<R: Rng + ?Sized>(rng: &mut R, p: &[f64]) -> usize {
    let u: f64 = rng.random();
    let mut cdf = 0.0;
    for (k, pk) in p.iter().enumerate() {
        cdf += pk;
        if u < cdf {
            return k;
        }
    }
    p.len() - 1
}
