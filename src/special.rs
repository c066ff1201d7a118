//! Special functions of a positive real argument: `ln Γ`, digamma ψ and the polygamma
//! functions ψₙ of any order, with their extension to forward-mode dual numbers.
//!
//! # Method
//! For x ≥ x₀(n) = 10 + n the asymptotic (Stirling / Euler–Maclaurin) series is used
//! (Abramowitz & Stegun 6.1.41, 6.3.18, 6.4.11; DLMF 5.11.1–2, 5.15.8):
//!
//! ```text
//! ln Γ(x) ~ (x − ½) ln x − x + ½ ln 2π + Σ_{k≥1} B₂ₖ / (2k(2k−1) x^{2k−1})
//! ψ(x)    ~ ln x − 1/(2x) − Σ_{k≥1} B₂ₖ / (2k x^{2k})
//! ψₙ(x)   ~ (−1)ⁿ⁺¹ [ (n−1)!/xⁿ + n!/(2xⁿ⁺¹) + Σ_{k≥1} B₂ₖ (2k+n−1)! / ((2k)! x^{2k+n}) ]
//! ```
//!
//! and smaller arguments are shifted up with the recurrence
//! ψₙ(x) = ψₙ(x+1) + (−1)ⁿ⁺¹ n!/xⁿ⁺¹ (DLMF 5.15.5), whose terms for n ≥ 1 all carry the
//! sign of ψₙ, so no cancellation occurs. `ln Γ` on [0.5, 10) is reduced to the Taylor
//! series of ln Γ(2+z) (DLMF 5.7.3), so that it keeps its relative accuracy near its zeros
//! x = 1 and x = 2, and ψ near its root x₀ ≈ 1.4616 uses its Taylor series at x₀.
//!
//! Accuracy, checked in `tests/special.rs`: within 1e-14 relative for ψₙ (n ≥ 0) and `ln Γ`
//! on 1e-3 ≤ x ≤ 1e5. Out-of-domain arguments (x ≤ 0, NaN) give NaN, like `f64::ln`.
//!
//! # Dual numbers
//! num-dual has no Γ-family functions, so [`Special`] adds them by the chain rule
//! f(re + ε·eps) = f(re) + f′(re)·eps·ε (and the second-order terms for hyper-dual and
//! second-order dual numbers), using ψₙ′ = ψₙ₊₁ and (ln Γ)′ = ψ. The implementation is recursive,
//! so nested duals (duals of duals) work too.

use num_dual::{Dual, Dual2, DualNum, HyperDual};
use std::sync::OnceLock;

/// Euler–Mascheroni constant γ = −ψ(1).
pub const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// Bernoulli numbers B₂, B₄, …, B₂₂.
const BERNOULLI_2K: [f64; 11] = [
    1.0 / 6.0,
    -1.0 / 30.0,
    1.0 / 42.0,
    -1.0 / 30.0,
    5.0 / 66.0,
    -691.0 / 2730.0,
    7.0 / 6.0,
    -3617.0 / 510.0,
    43867.0 / 798.0,
    -174611.0 / 330.0,
    854513.0 / 138.0,
];

/// Threshold above which the asymptotic series of ψₙ is accurate to a rounding error.
fn asymptotic_threshold(n: u32) -> f64 {
    10.0 + f64::from(n)
}

fn factorial(n: u32) -> f64 {
    (1..=n).fold(1.0, |acc, k| acc * f64::from(k))
}

/// The positive root x₀ of ψ as an unevaluated sum hi + lo of two doubles
/// (x₀ = 1.46163214496836234126…, OEIS A030169).
const DIGAMMA_ROOT: (f64, f64) = (1.461_632_144_968_362_2, 9.549_995_429_965_697e-17);

/// ψ near its root by the Taylor series ψ(x) = Σ_{k≥1} ψ_k(x₀)/k! · (x − x₀)ᵏ, with x − x₀
/// formed from the two-double root, so that ψ keeps its relative accuracy at the zero. The
/// coefficients fall like x₀^{−k}, so 30 terms reach a rounding error for |x − x₀| ≤ 1/4.
fn digamma_near_root(x: f64) -> f64 {
    static COEFFS: OnceLock<[f64; 30]> = OnceLock::new();
    let c = COEFFS.get_or_init(|| {
        let mut c = [0.0; 30];
        for (k, ck) in c.iter_mut().enumerate().skip(1) {
            *ck = polygamma(k as u32, DIGAMMA_ROOT.0) / factorial(k as u32);
        }
        c
    });
    let d = (x - DIGAMMA_ROOT.0) - DIGAMMA_ROOT.1;
    c.iter().skip(1).rev().fold(0.0, |acc, ck| (acc + ck) * d)
}

/// Digamma ψ(x) = d/dx ln Γ(x), for x > 0.
pub fn digamma(x: f64) -> f64 {
    polygamma(0, x)
}

/// Trigamma ψ₁(x), for x > 0.
pub fn trigamma(x: f64) -> f64 {
    polygamma(1, x)
}

/// ψ₁(x) − 1/x without cancellation for large x, where both terms approach 1/x:
/// for x ≥ 11 from the asymptotic series ψ₁(x) − 1/x = 1/(2x²) + Σ_{k≥1} B₂ₖ/x^{2k+1}, else by
/// subtraction (which loses at most a factor 20 there). xψ₁(x) − 1 is the determinant factor of
/// the Gamma family's Fisher metric.
pub fn trigamma_minus_inverse(x: f64) -> f64 {
    if x.is_nan() || x < 11.0 {
        return trigamma(x) - 1.0 / x;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let mut p = inv2 * inv;
    let mut s = 0.5 * inv2;
    for b in BERNOULLI_2K {
        s += b * p;
        p *= inv2;
    }
    s
}

/// Polygamma ψₙ(x) = dⁿ⁺¹/dxⁿ⁺¹ ln Γ(x) of any order n ≥ 0 (n = 0 is digamma), for x > 0.
///
/// Returns NaN for x ≤ 0 or NaN; may overflow to ±∞ where the value exceeds f64.
pub fn polygamma(n: u32, x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return if n == 0 { f64::INFINITY } else { 0.0 };
    }
    if n == 0 && (x - DIGAMMA_ROOT.0).abs() <= 0.25 {
        return digamma_near_root(x);
    }
    let x0 = asymptotic_threshold(n);
    // Shift x up to y ≥ x0, collecting the recurrence terms Σ 1/(x+j)^{n+1}.
    let mut y = x;
    let mut shift_sum = 0.0;
    while y < x0 {
        shift_sum += if n == 0 {
            1.0 / y
        } else {
            y.powi(-(n as i32) - 1)
        };
        y += 1.0;
    }
    let inv = 1.0 / y;
    let inv2 = inv * inv;
    if n == 0 {
        let mut series = 0.0;
        let mut p = inv2;
        for (k, b) in BERNOULLI_2K.iter().enumerate() {
            series += b / (2.0 * (k as f64 + 1.0)) * p;
            p *= inv2;
        }
        let asym = y.ln() - 0.5 * inv - series;
        return asym - shift_sum;
    }
    // ψₙ(y) = (−1)^{n+1} (n−1)!/yⁿ [1 + n/(2y) + Σ B_{2k} c_k / y^{2k}],
    // c_k = (2k+n−1)! / ((2k)! (n−1)!), c_1 = n(n+1)/2, c_{k+1} = c_k (2k+n)(2k+n+1)/((2k+1)(2k+2)).
    let nf = f64::from(n);
    let mut c = nf * (nf + 1.0) / 2.0;
    let mut p = inv2;
    let mut bracket = 1.0 + nf * 0.5 * inv;
    for (k0, b) in BERNOULLI_2K.iter().enumerate() {
        let k = k0 as f64 + 1.0;
        bracket += b * c * p;
        c *= (2.0 * k + nf) * (2.0 * k + nf + 1.0) / ((2.0 * k + 1.0) * (2.0 * k + 2.0));
        p *= inv2;
    }
    let magnitude = factorial(n - 1) * y.powi(-(n as i32)) * bracket + factorial(n) * shift_sum;
    if n % 2 == 1 { magnitude } else { -magnitude }
}

/// ζ(k) − 1 for k = 2, 3, …, 59, from ψ_{k−1}(2) = (−1)ᵏ (k−1)! (ζ(k) − 1) (DLMF 25.11.12),
/// which keeps full relative accuracy even where ζ(k) − 1 is tiny. Cached.
fn zeta_minus_one_table() -> &'static [f64; 60] {
    static TABLE: OnceLock<[f64; 60]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0.0; 60];
        for (k, z) in t.iter_mut().enumerate().skip(2) {
            let k = k as u32;
            *z = polygamma(k - 1, 2.0).abs() / factorial(k - 1);
        }
        t
    })
}

/// ln Γ(2+z) by its Taylor series at z = 0, for |z| ≤ 1/2:
/// ln Γ(2+z) = (1−γ)z + Σ_{k≥2} (−1)ᵏ (ζ(k)−1) zᵏ/k (DLMF 5.7.3 with ln Γ(2+z) = ln Γ(1+z) + ln(1+z)).
/// The terms fall like (|z|/2)ᵏ, so 55 of them reach a rounding error.
fn ln_gamma_2_plus(z: f64) -> f64 {
    let zeta1 = zeta_minus_one_table();
    let mut sum = 0.0;
    let mut zk = z * z;
    for (k, c) in zeta1.iter().enumerate().skip(2) {
        let term = c * zk / k as f64;
        sum += if k % 2 == 0 { term } else { -term };
        zk *= z;
    }
    (1.0 - EULER_GAMMA) * z + sum
}

/// ln Γ(x) for x > 0. Returns NaN for x ≤ 0 or NaN.
///
/// x ≥ 10: Stirling's series; 1.5 ≤ x < 10: ln Γ(x) = ln Γ(x−m) + ln[(x−1)…(x−m)] down to
/// [1.5, 2.5) and the Taylor series at 2; 0.5 ≤ x < 1.5: ln Γ(1+z+1) − ln(1+z) with z = x − 1
/// exact, so the zero at x = 1 keeps its relative accuracy; x < 0.5: ln Γ(x+1) − ln x.
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    if x < 0.5 {
        return ln_gamma(x + 1.0) - x.ln();
    }
    if x < 1.5 {
        let z = x - 1.0;
        return ln_gamma_2_plus(z) - z.ln_1p();
    }
    if x < 10.0 {
        let mut y = x;
        let mut prod = 1.0;
        while y >= 2.5 {
            y -= 1.0;
            prod *= y;
        }
        return ln_gamma_2_plus(y - 2.0) + prod.ln();
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let mut series = 0.0;
    let mut p = inv;
    for (k0, b) in BERNOULLI_2K.iter().enumerate() {
        let k = k0 as f64 + 1.0;
        series += b / (2.0 * k * (2.0 * k - 1.0)) * p;
        p *= inv2;
    }
    let half_ln_2pi = 0.918_938_533_204_672_8;
    (x - 0.5) * x.ln() - x + half_ln_2pi + series
}

/// Σ xᵢ by Neumaier's compensated summation (Neumaier 1974), accurate to about one rounding
/// of the result whatever the order of the terms.
pub fn accurate_sum(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for x in xs {
        let t = sum + x;
        comp += if sum.abs() >= x.abs() {
            (sum - t) + x
        } else {
            (x - t) + sum
        };
        sum = t;
    }
    sum + comp
}

/// Γ-family special functions on real and dual numbers.
///
/// Implemented for `f64` and, recursively, for num-dual's [`Dual`], [`HyperDual`] and [`Dual2`]
/// over any type that implements it, so a metric containing ψ₁ can be differentiated
/// automatically as many times as the dual type carries.
pub trait Special: Sized {
    /// ψₙ(x).
    fn polygamma(&self, n: u32) -> Self;
    /// ln Γ(x).
    fn ln_gamma(&self) -> Self;
    /// ψ(x) = ψ₀(x).
    fn digamma(&self) -> Self {
        self.polygamma(0)
    }
    /// ψ₁(x).
    fn trigamma(&self) -> Self {
        self.polygamma(1)
    }
}

impl Special for f64 {
    fn polygamma(&self, n: u32) -> Self {
        polygamma(n, *self)
    }
    fn ln_gamma(&self) -> Self {
        ln_gamma(*self)
    }
}

impl<T: DualNum + Special> Special for Dual<T> {
    fn polygamma(&self, n: u32) -> Self {
        let f1 = self.re.polygamma(n + 1);
        Dual::new(self.re.polygamma(n), self.eps.clone() * f1)
    }
    fn ln_gamma(&self) -> Self {
        let f1 = self.re.digamma();
        Dual::new(self.re.ln_gamma(), self.eps.clone() * f1)
    }
}

/// f(x) for a hyper-dual x, given f, f′, f″ at the real part.
fn hyper_chain<T: DualNum>(x: &HyperDual<T>, f0: T, f1: T, f2: T) -> HyperDual<T> {
    HyperDual::new(
        f0,
        x.eps1.clone() * f1.clone(),
        x.eps2.clone() * f1.clone(),
        x.eps1eps2.clone() * f1 + x.eps1.clone() * x.eps2.clone() * f2,
    )
}

impl<T: DualNum + Special> Special for HyperDual<T> {
    fn polygamma(&self, n: u32) -> Self {
        let r = &self.re;
        hyper_chain(self, r.polygamma(n), r.polygamma(n + 1), r.polygamma(n + 2))
    }
    fn ln_gamma(&self) -> Self {
        let r = &self.re;
        hyper_chain(self, r.ln_gamma(), r.polygamma(0), r.polygamma(1))
    }
}

/// f(x) for a second-order dual x, given f, f′, f″ at the real part.
fn dual2_chain<T: DualNum>(x: &Dual2<T>, f0: T, f1: T, f2: T) -> Dual2<T> {
    Dual2::new(
        f0,
        x.v1.clone() * f1.clone(),
        x.v2.clone() * f1 + x.v1.clone() * x.v1.clone() * f2,
    )
}

impl<T: DualNum + Special> Special for Dual2<T> {
    fn polygamma(&self, n: u32) -> Self {
        let r = &self.re;
        dual2_chain(self, r.polygamma(n), r.polygamma(n + 1), r.polygamma(n + 2))
    }
    fn ln_gamma(&self) -> Self {
        let r = &self.re;
        dual2_chain(self, r.ln_gamma(), r.polygamma(0), r.polygamma(1))
    }
}
