//! Vectorised elementwise kernels for the network passes: the exponential, ln(1 + u) on
//! [0, 1], the logistic function and tanh with their derivatives, and the Bernoulli loss.
//!
//! Each kernel is one branch-free loop body (selects, no calls into libm), compiled three times
//! — for AVX-512, for AVX2 + FMA and for the baseline target — and picked at run time from
//! the CPU's features. No fused multiply-adds are used, so the three versions round
//! identically and results do not depend on the machine. On the development machine libm's
//! `exp` alone took ~7 ns per call and the scalar loops dominated the forward pass of a
//! CURVES-size autoencoder; the logistic kernel takes ~3 ns per unit with its two
//! derivatives and the Bernoulli loss ~4.5 ns (`cargo bench --bench nn`, "kernels").
//!
//! # The exponential
//! eˣ = 2ᵏ e^r with k = round(x / ln 2) and r = x − k ln 2 ∈ [−ln2/2, ln2/2], the product k ln 2
//! taken in two parts (Cody & Waite 1980: ln 2 = L_hi + L_lo with L_hi's last 32 bits zero,
//! so k·L_hi is exact), e^r by its Taylor polynomial of degree 13 (truncation
//! |r|¹⁴/14! < 5·10⁻¹⁸), and 2ᵏ applied as two exact powers of two so that results between
//! 2⁻¹⁰⁷⁴ and 2¹⁰²⁴ (subnormal ones included) come out right; beyond, 0 and ∞. NaN stays NaN.
//!
//! # ln(1 + u) for u ∈ [0, 1]
//! With s = u/(2 + u) ∈ [0, 1/3], ln(1 + u) = 2 artanh s = 2s Σₙ s²ⁿ/(2n+1); 18 terms leave a
//! truncation below (1/9)¹⁸/37 < 10⁻¹⁸ relative.

/// Generates `pub fn $name` that runs `$body` compiled for the best instruction set the CPU
/// has (AVX-512, AVX2 + FMA, or the baseline).
macro_rules! vectorised {
    ($(#[$meta:meta])* pub fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? = $body:ident;) => {
        $(#[$meta])*
        pub fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
                fn wide($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn narrow($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                {
                    // SAFETY: the CPU has the features `wide` is compiled for (checked above).
                    return unsafe { wide($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the CPU has the features `narrow` is compiled for (checked above).
                    return unsafe { narrow($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

/// ln 2 in two parts: the high part's last 32 bits are zero, so k·L_HI is exact for |k| < 2²⁰.
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
/// 1.5·2⁵²: adding and subtracting it rounds to the nearest integer (|x| < 2⁵¹), and the sum's
/// low bits hold that integer.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// eˣ, branch-free (see the module documentation); agrees with a correctly rounded
/// exponential to a few ulp.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Beyond these, e^x is 0 or ∞ in f64; clamping keeps k in range. NaN fails both tests.
    let x = if x > 710.0 { 710.0 } else { x };
    let x = if x < -746.0 { -746.0 } else { x };
    let t = x * std::f64::consts::LOG2_E + ROUND;
    let k = t - ROUND;
    let ki = (t.to_bits() as i64).wrapping_sub(ROUND.to_bits() as i64);
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor polynomial of degree 13 (coefficients 1/n!), by Estrin's scheme.
    let p = estrin(r, EXP_TAYLOR);
    // 2^k = 2^{k₁}·2^{k₂}, both factors normal numbers for k ∈ [−1076, 1025].
    let k1 = ki >> 1;
    let k2 = ki - k1;
    let two_k1 = f64::from_bits(((k1 + 1023) as u64) << 52);
    let two_k2 = f64::from_bits(((k2 + 1023) as u64) << 52);
    p * two_k1 * two_k2
}

/// 1/(2n + 1), n = 0…17: the artanh series in s².
const ARTANH_SERIES: [f64; 18] = {
    let mut c = [0.0; 18];
    let mut n = 0;
    while n < 18 {
        c[n] = 1.0 / (2 * n + 1) as f64;
        n += 1;
    }
    c
};

/// 1/n!, n = 0…13: the exponential's Taylor polynomial.
const EXP_TAYLOR: [f64; 14] = {
    let mut c = [1.0; 14];
    let mut n = 1;
    while n < 14 {
        c[n] = c[n - 1] / n as f64;
        n += 1;
    }
    c
};

/// 1/(n+1)!, n = 0…15: eʸ − 1 = y Σₙ yⁿ/(n+1)!.
const EXPM1_SERIES: [f64; 16] = {
    let mut c = [1.0; 16];
    let mut n = 1;
    while n < 16 {
        c[n] = c[n - 1] / (n + 1) as f64;
        n += 1;
    }
    c
};

/// Σ cₙxⁿ by Estrin's scheme: pairs c₂ᵢ + c₂ᵢ₊₁x, then pairs of those with x², x⁴, …; a
/// dependency chain of depth ⌈log₂ N⌉ instead of Horner's N, so that the vector units overlap.
#[inline(always)]
fn estrin<const N: usize>(x: f64, c: [f64; N]) -> f64 {
    let mut a = c;
    let mut len = N;
    let mut power = x;
    while len > 1 {
        let half = len.div_ceil(2);
        for i in 0..half {
            let high = if 2 * i + 1 < len {
                a[2 * i + 1] * power
            } else {
                0.0
            };
            a[i] = a[2 * i] + high;
        }
        len = half;
        power = power * power;
    }
    a[0]
}

/// ln(1 + u) for u ∈ [0, 1], branch-free (see the module documentation).
#[inline(always)]
pub fn ln_1p_unit(u: f64) -> f64 {
    // 2s first, so that subnormal u keeps its last bit.
    let two_s = (2.0 * u) / (2.0 + u);
    let s = 0.5 * two_s;
    two_s * estrin(s * s, ARTANH_SERIES)
}

/// σ(x) = 1/(1 + e^{−x}) with σ′ = σ(1 − σ) and σ″ = σ′(1 − 2σ), all from e = e^{−|x|} ∈ (0, 1]
/// and q = 1/(1 + e): σ = q or eq, σ′ = e q², 1 − 2σ = ±(e − 1)q. Nothing overflows and
/// nothing cancels in the tails (σ′ there is e q², not a difference of nearly equal numbers).
#[inline(always)]
pub fn logistic3(x: f64) -> (f64, f64, f64) {
    let e = exp(-x.abs());
    let q = 1.0 / (1.0 + e);
    let positive = x >= 0.0;
    let s = if positive { q } else { e * q };
    let d1 = e * q * q;
    let one_minus_2s = if positive { e - 1.0 } else { 1.0 - e } * q;
    (s, d1, d1 * one_minus_2s)
}

/// tanh x with tanh′ = 1 − tanh² and tanh″ = −2 tanh·tanh′, from e = e^{−2|x|} ∈ (0, 1]:
/// tanh x = sign(x)(1 − e)/(1 + e), tanh′ = 4e/(1 + e)² (no cancellation in the tails), and
/// 1 − e = −(e^{−2|x|} − 1) by the series y Σ yⁿ/(n+1)! when |y| = 2|x| < 0.35 (where 1 − e
/// would cancel; truncation 0.35¹⁶/17! < 10⁻²¹ relative), else directly (e < 0.71 there).
#[inline(always)]
pub fn tanh3(x: f64) -> (f64, f64, f64) {
    let y = -2.0 * x.abs();
    let e = exp(y);
    let series = -(y * estrin(y, EXPM1_SERIES));
    let one_minus_e = if y > -0.35 { series } else { 1.0 - e };
    let q = 1.0 / (1.0 + e);
    let t = one_minus_e * q;
    let t = if x < 0.0 { -t } else { t };
    let d1 = 4.0 * e * q * q;
    (t, d1, -2.0 * t * d1)
}

#[inline(always)]
fn tanh_derivatives_body(z: &mut [f64], d1: &mut [f64], d2: &mut [f64]) {
    for ((z, d1), d2) in z.iter_mut().zip(d1.iter_mut()).zip(d2.iter_mut()) {
        let (t, a, b) = tanh3(*z);
        *z = t;
        *d1 = a;
        *d2 = b;
    }
}

#[inline(always)]
fn tanh_first_body(z: &mut [f64], d1: &mut [f64]) {
    for (z, d1) in z.iter_mut().zip(d1.iter_mut()) {
        let (t, a, _) = tanh3(*z);
        *z = t;
        *d1 = a;
    }
}

#[inline(always)]
fn logistic_derivatives_body(z: &mut [f64], d1: &mut [f64], d2: &mut [f64]) {
    for ((z, d1), d2) in z.iter_mut().zip(d1.iter_mut()).zip(d2.iter_mut()) {
        let (s, a, b) = logistic3(*z);
        *z = s;
        *d1 = a;
        *d2 = b;
    }
}

#[inline(always)]
fn logistic_first_body(z: &mut [f64], d1: &mut [f64]) {
    for (z, d1) in z.iter_mut().zip(d1.iter_mut()) {
        let (s, a, _) = logistic3(*z);
        *z = s;
        *d1 = a;
    }
}

#[inline(always)]
fn logistic_fisher_body(z: &[f64], u: &[f64], scale: f64, out: &mut [f64]) {
    for ((z, u), o) in z.iter().zip(u).zip(out.iter_mut()) {
        let (_, d1, _) = logistic3(*z);
        *o = scale * d1 * u;
    }
}

#[inline(always)]
fn logistic_connection_body(z: &[f64], u: &[f64], w: &[f64], c: f64, scale: f64, out: &mut [f64]) {
    for (((z, u), w), o) in z.iter().zip(u).zip(w).zip(out.iter_mut()) {
        let (_, d1, d2) = logistic3(*z);
        *o = scale * (d1 * w + c * d2 * u * u);
    }
}

#[inline(always)]
fn bernoulli_loss_grad_body(z: &[f64], y: &[f64], scale: f64, grad: &mut [f64]) -> f64 {
    // Blocks of losses summed into eight partial sums (so that both loops vectorise), added in
    // a fixed order at the end.
    const BLOCK: usize = 256;
    let mut losses = [0.0f64; BLOCK];
    let mut acc = [0.0f64; 8];
    for ((z, y), g) in z
        .chunks(BLOCK)
        .zip(y.chunks(BLOCK))
        .zip(grad.chunks_mut(BLOCK))
    {
        let losses = &mut losses[..z.len()];
        for (((z, y), g), l) in z.iter().zip(y).zip(g.iter_mut()).zip(losses.iter_mut()) {
            let (loss, d) = bernoulli1(*z, *y);
            *l = loss;
            *g = scale * d;
        }
        let mut eights = losses.chunks_exact(8);
        for c in &mut eights {
            for j in 0..8 {
                acc[j] += c[j];
            }
        }
        for (a, l) in acc.iter_mut().zip(eights.remainder()) {
            *a += l;
        }
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// ℓ = softplus(z) − yz and ∂ℓ/∂z = σ(z) − y, from one exponential e = e^{−|z|}.
#[inline(always)]
fn bernoulli1(z: f64, y: f64) -> (f64, f64) {
    let e = exp(-z.abs());
    let positive = z >= 0.0;
    let sigma = if positive { 1.0 } else { e } / (1.0 + e);
    let softplus = if positive { z } else { 0.0 } + ln_1p_unit(e);
    (softplus - y * z, sigma - y)
}

vectorised! {
    /// z ← σ(z), d1 ← σ′(z), d2 ← σ″(z), elementwise (equal lengths).
    pub fn logistic_derivatives(z: &mut [f64], d1: &mut [f64], d2: &mut [f64]) = logistic_derivatives_body;
}

vectorised! {
    /// z ← tanh(z), d1 ← tanh′(z), d2 ← tanh″(z), elementwise (equal lengths).
    pub fn tanh_derivatives(z: &mut [f64], d1: &mut [f64], d2: &mut [f64]) = tanh_derivatives_body;
}

vectorised! {
    /// z ← tanh(z), d1 ← tanh′(z), elementwise (equal lengths).
    pub fn tanh_first(z: &mut [f64], d1: &mut [f64]) = tanh_first_body;
}

vectorised! {
    /// z ← σ(z), d1 ← σ′(z), elementwise (equal lengths).
    pub fn logistic_first(z: &mut [f64], d1: &mut [f64]) = logistic_first_body;
}

vectorised! {
    /// out = scale·σ′(z)⊙u: the Bernoulli Fisher product ∇²A(z)u, scaled.
    pub fn logistic_fisher(z: &[f64], u: &[f64], scale: f64, out: &mut [f64]) = logistic_fisher_body;
}

vectorised! {
    /// out = scale·(σ′(z)⊙w + c·σ″(z)⊙u²): the Bernoulli ∇²A(z)w + c·D³A(z)[u, u, ·], scaled.
    pub fn logistic_connection(z: &[f64], u: &[f64], w: &[f64], c: f64, scale: f64, out: &mut [f64]) = logistic_connection_body;
}

vectorised! {
    /// Σᵢ softplus(zᵢ) − yᵢzᵢ, with grad = scale·(σ(z) − y) (equal lengths).
    pub fn bernoulli_loss_grad(z: &[f64], y: &[f64], scale: f64, grad: &mut [f64]) -> f64 = bernoulli_loss_grad_body;
}
