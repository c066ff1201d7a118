//! Special functions against known values, the recurrence, and the asymptotic series.
#![allow(clippy::excessive_precision)] // reference values keep all the digits they were given

use natflow::special::{EULER_GAMMA, Special, digamma, ln_gamma, polygamma, trigamma};
use num_dual::{Dual64, HyperDual64};
use std::f64::consts::PI;

// Apéry's constant ζ(3) and ζ(5) (DLMF 25.6, OEIS A002117, A013663).
const ZETA3: f64 = 1.202_056_903_159_594_2;
const ZETA5: f64 = 1.036_927_755_143_369_9;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn known_values_at_one_and_half() {
    assert!(rel(trigamma(1.0), PI * PI / 6.0) < 1e-15);
    assert!(rel(polygamma(2, 1.0), -2.0 * ZETA3) < 1e-15);
    assert!(rel(polygamma(4, 1.0), -24.0 * ZETA5) < 1e-15);
    assert!(rel(digamma(1.0), -EULER_GAMMA) < 1e-15);
    // ψ(1/2) = −γ − 2 ln 2, ψ₁(1/2) = π²/2 (DLMF 5.4.13, 5.15.3)
    assert!(rel(digamma(0.5), -EULER_GAMMA - 2.0 * 2f64.ln()) < 1e-15);
    assert!(rel(trigamma(0.5), PI * PI / 2.0) < 1e-15);
    // ψ₃(1) = 6 ζ(4) = π⁴/15
    assert!(rel(polygamma(3, 1.0), PI.powi(4) / 15.0) < 1e-15);
    // ln Γ(1/2) = ln √π; ln Γ(1) = ln Γ(2) = 0; ln Γ(n) = ln (n−1)!.
    assert!(rel(ln_gamma(0.5), 0.5 * PI.ln()) < 1e-15);
    assert_eq!(ln_gamma(1.0), 0.0);
    assert_eq!(ln_gamma(2.0), 0.0);
    let fact: f64 = (1..30).map(f64::from).product();
    assert!(rel(ln_gamma(30.0), fact.ln()) < 1e-15);
    let fact10: f64 = (1..10).map(f64::from).product();
    assert!(rel(ln_gamma(10.0), fact10.ln()) < 1e-15);
}

/// ln Γ at 1 + z and 2 + z for small z (x = 1.0 + z and 2.0 + z as f64, exactly), from
/// mpmath 1.3.0 at 40 digits (mpmath.loggamma(mpf(x))), rounded to 20.
const MPMATH_LNGAMMA_NEAR_ZEROS: [(f64, f64, f64); 5] = [
    (0.001, -0.00057639359828330615152, 0.00042310673480011699119),
    (
        -0.001,
        0.00057803853289138023817,
        -0.00042246180069210728418,
    ),
    (1e-08, -5.77215653168851219e-9, 4.2278433575367790418e-9),
    (0.1, -0.049872441259839761785, 0.045437738544485179002),
    (-0.2, 0.15205967839983754592, -0.071083872914372154332),
];

#[test]
fn ln_gamma_near_its_zeros_keeps_relative_accuracy() {
    for (z, at1, at2) in MPMATH_LNGAMMA_NEAR_ZEROS {
        assert!(rel(ln_gamma(1.0 + z), at1) < 1e-14, "ln Γ(1 + {z})");
        assert!(rel(ln_gamma(2.0 + z), at2) < 1e-14, "ln Γ(2 + {z})");
    }
    let x = 1.0 + 1e-10;
    let z = x - 1.0; // exact: the z that x really carries
    // ln Γ(1+z) = −γz + ζ(2)z²/2 − …; the next term ζ(3)z³/3 is ~1e-20 relative.
    assert!(rel(ln_gamma(x), -EULER_GAMMA * z + PI * PI / 12.0 * z * z) < 1e-15);
}

#[test]
fn recurrence_holds_across_the_range() {
    // ψₙ(x+1) = ψₙ(x) + (−1)ⁿ n!/x^{n+1}; ln Γ(x+1) = ln Γ(x) + ln x.
    let mut x = 1e-3;
    while x < 1e5 {
        for n in 0..=6u32 {
            let fact: f64 = (1..=n).map(f64::from).product();
            let sign = if n % 2 == 0 { 1.0 } else { -1.0 };
            let lhs = polygamma(n, x + 1.0);
            let rhs = polygamma(n, x) + sign * fact / x.powi(n as i32 + 1);
            let scale = lhs.abs().max(polygamma(n, x).abs());
            assert!(
                (lhs - rhs).abs() <= 4e-15 * scale,
                "n={n} x={x}: {lhs} vs {rhs}"
            );
        }
        let l = ln_gamma(x + 1.0);
        let r = ln_gamma(x) + x.ln();
        assert!(
            (l - r).abs() <= 4e-15 * l.abs().max(ln_gamma(x).abs()).max(1.0),
            "x={x}"
        );
        x *= 1.37;
    }
}

#[test]
fn asymptotic_series_at_large_x() {
    // Leading terms of the asymptotic expansions, truncated where the next term is < 1e-20
    // relative (x = 1e4): ψ₁(x) ≈ 1/x + 1/(2x²) + 1/(6x³) − 1/(30x⁵),
    // ψ(x) ≈ ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴).
    let x: f64 = 1e4;
    let t1 = 1.0 / x + 1.0 / (2.0 * x * x) + 1.0 / (6.0 * x.powi(3)) - 1.0 / (30.0 * x.powi(5));
    assert!(rel(trigamma(x), t1) < 1e-15);
    let d = x.ln() - 1.0 / (2.0 * x) - 1.0 / (12.0 * x * x) + 1.0 / (120.0 * x.powi(4));
    assert!(rel(digamma(x), d) < 1e-15);
    // Small x, against mpmath.psi(1, mpf(1e-3)) at 40 digits.
    assert!(rel(trigamma(1e-3), 1000001.6425331958273) < 1e-15);
}

#[test]
fn out_of_domain_is_nan() {
    assert!(polygamma(1, 0.0).is_nan());
    assert!(polygamma(1, -2.0).is_nan());
    assert!(ln_gamma(f64::NAN).is_nan());
}

/// Derivatives carried by dual numbers against mpmath (40 digits): ψ₂(2.3), ψ(2.3), ψ₃(0.7),
/// and through compositions, d/dx ln Γ(x²) and d²/dx² ψ₁(x²) at x = 1.7 (mpmath.diff).
#[test]
fn dual_extension_matches_independent_derivatives() {
    let x = Dual64::new(2.3, 1.0);
    assert!(rel(x.polygamma(1).eps, -0.28813024337293980488) < 1e-14);
    assert!(rel(x.ln_gamma().eps, 0.60003988036396947876) < 1e-14);
    let h = HyperDual64::new(0.7, 1.0, 1.0, 0.0).polygamma(1);
    assert!(rel(h.eps1eps2, 25.879149678427737993) < 1e-14);
    let y = Dual64::new(1.7, 1.0);
    assert!(rel((y * y).ln_gamma().eps, 2.9864986454960593453) < 1e-14);
    let w = HyperDual64::new(1.7, 1.0, 1.0, 0.0);
    assert!(rel((w * w).polygamma(1).eps1eps2, 1.2275504565410068905) < 1e-13);
}

/// Reference values computed independently with mpmath 1.3.0 at 40 significant digits
/// (mpmath.polygamma(n, x), mpmath.loggamma(x)), rounded to 20 digits.
const MPMATH_POLYGAMMA: [(u32, f64, f64); 30] = [
    (0, 0.001, -1000.5755719318102797),
    (0, 0.3, -3.5025242222001331249),
    (0, 3.7, 1.1671535393615114409),
    (0, 12.5, 2.4851956512749120482),
    (0, 250.0, 5.519459584531046417),
    (0, 100000.0, 11.512920464961895087),
    (1, 0.001, 1000001.6425331958273),
    (1, 0.3, 12.245364546107731301),
    (1, 3.7, 0.31003785767003830216),
    (1, 12.5, 0.083285224601578370444),
    (1, 250.0, 0.0040080106666325337234),
    (1, 100000.0, 0.000010000050000166666667),
    (2, 0.001, -2000000002.3976321648),
    (2, 0.3, -75.272536588726038917),
    (2, 3.7, -0.095395308728554033483),
    (2, 12.5, -0.0069324365857882407909),
    (2, 250.0, -0.000016064127999317344256),
    (2, 100000.0, -1.00001000005e-10),
    (3, 0.001, 6000000000006.4686145),
    (3, 0.3, 743.14176465504977709),
    (3, 3.7, 0.058279217956563614119),
    (3, 12.5, 0.0011534128049134051459),
    (3, 250.0, 1.2877004798361634951e-7),
    (3, 100000.0, 2.0000300002e-15),
    (7, 0.001, 5.0399999999999991607e+27),
    (7, 0.3, 76818182.998493221021),
    (7, 3.7, 0.17110607134145693554),
    (7, 12.5, 0.000019774079710321120989),
    (7, 250.0, 1.1962511502701770767e-14),
    (7, 100000.0, 7.2002520033599999995e-33),
];
const MPMATH_LN_GAMMA: [(f64, f64); 7] = [
    (0.001, 6.9071788853838536617),
    (0.3, 1.0957979948180755606),
    (1.2, -0.085374090003315836884),
    (3.7, 1.4280723266653881292),
    (12.5, 18.734347511936445702),
    (250.0, 1128.5237708729907142),
    (100000.0, 1051287.7089736568949),
];

#[test]
fn matches_independent_high_precision_values() {
    for (n, x, want) in MPMATH_POLYGAMMA {
        let got = polygamma(n, x);
        assert!(rel(got, want) < 1e-14, "ψ_{n}({x}) = {got}, want {want}");
    }
    for (x, want) in MPMATH_LN_GAMMA {
        let got = ln_gamma(x);
        assert!(rel(got, want) < 1e-14, "lnΓ({x}) = {got}, want {want}");
    }
}

#[test]
fn digamma_keeps_relative_accuracy_at_its_root() {
    // x₀ = 1.46163214496836234126… (OEIS A030169); its nearest double lies δ = −9.55e-17 below,
    // so ψ(double) = ψ₁(x₀)·δ to first order.
    let x = 1.461_632_144_968_362_2;
    let delta = -9.549_995_429_965_697e-17;
    assert!(rel(digamma(x), trigamma(x) * delta) < 1e-10);
}

#[test]
fn trigamma_minus_inverse_has_no_cancellation() {
    use natflow::special::trigamma_minus_inverse;
    // Against the plain difference where it is accurate, and against the series' first terms
    // 1/(2x²) + 1/(6x³) − 1/(30x⁵) where the plain difference cancels (x = 1e6: next term 1e-42).
    for x in [0.5, 3.0, 10.9, 11.0, 30.0] {
        let plain = trigamma(x) - 1.0 / x;
        assert!(rel(trigamma_minus_inverse(x), plain) < 1e-13, "x = {x}");
    }
    let x: f64 = 1e6;
    let series = 0.5 / (x * x) + 1.0 / (6.0 * x.powi(3)) - 1.0 / (30.0 * x.powi(5));
    assert!(rel(trigamma_minus_inverse(x), series) < 1e-15);
}
