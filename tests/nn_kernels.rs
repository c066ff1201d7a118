//! The vectorised elementwise kernels against libm and the textbook formulas: eˣ over the
//! whole range (subnormal results, overflow, NaN), ln(1 + u) on [0, 1], the logistic function
//! with its derivatives, and the Bernoulli loss and gradient.

use approx::assert_relative_eq;
use natflow::nn::kernels;

/// |a − b| ≤ ulps · ulp(b), for finite b.
fn within_ulps(a: f64, b: f64, ulps: f64) -> bool {
    let ulp = if b == 0.0 {
        f64::from_bits(1)
    } else {
        let bits = b.abs().to_bits();
        f64::from_bits(bits + 1) - b.abs()
    };
    (a - b).abs() <= ulps * ulp
}

#[test]
fn exp_agrees_with_libm_to_a_few_ulp_over_the_whole_range() {
    let mut worst: f64 = 0.0;
    let n = 400_000;
    for i in 0..=n {
        let x = -745.0 + (709.7 + 745.0) * i as f64 / n as f64;
        let (got, want) = (kernels::exp(x), x.exp());
        if want > f64::MIN_POSITIVE {
            worst = worst.max(((got - want) / want).abs() / f64::EPSILON);
        } else {
            // Subnormal results: absolute error of a few units of the smallest subnormal.
            assert!(within_ulps(got, want, 2.0), "exp({x}) = {got}, libm {want}");
        }
    }
    assert!(worst <= 4.0, "worst relative error {worst} ulp");
    for x in [
        0.0,
        -0.0,
        1e-300,
        -1e-300,
        1.0,
        -1.0,
        0.5 * std::f64::consts::LN_2,
    ] {
        assert!(within_ulps(kernels::exp(x), x.exp(), 2.0), "exp({x})");
    }
    assert_eq!(kernels::exp(710.0), f64::INFINITY);
    assert_eq!(kernels::exp(f64::INFINITY), f64::INFINITY);
    assert_eq!(kernels::exp(-746.0), 0.0);
    assert_eq!(kernels::exp(f64::NEG_INFINITY), 0.0);
    assert!(kernels::exp(f64::NAN).is_nan());
}

#[test]
fn ln_1p_on_the_unit_interval_agrees_with_libm() {
    let mut worst: f64 = 0.0;
    let n = 200_000;
    for i in 0..=n {
        for u in [i as f64 / n as f64, 1e-300 * (1.0 + i as f64)] {
            let (got, want) = (kernels::ln_1p_unit(u), u.ln_1p());
            if want != 0.0 {
                worst = worst.max(((got - want) / want).abs() / f64::EPSILON);
            } else {
                assert_eq!(got, 0.0);
            }
        }
    }
    assert!(worst <= 4.0, "worst relative error {worst} ulp");
    assert_eq!(kernels::ln_1p_unit(f64::from_bits(1)), f64::from_bits(1));
}

/// σ, σ′, σ″ from libm, in the form that does not cancel: σ′ = e/(1+e)², e = e^{−|x|}.
fn logistic_reference(x: f64) -> (f64, f64, f64) {
    let e = (-x.abs()).exp();
    let s = if x >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    let d1 = e / ((1.0 + e) * (1.0 + e));
    // 1 − 2σ = tanh(−x/2).
    (s, d1, d1 * (-x / 2.0).tanh())
}

#[test]
fn logistic_and_its_derivatives_agree_with_the_formulas() {
    let xs: Vec<f64> = (0..20_001)
        .map(|i| -800.0 + 1600.0 * i as f64 / 20_000.0)
        .chain((0..2001).map(|i| -1.0 + i as f64 / 1000.0))
        .chain([
            0.0, -0.0, 1e-12, -1e-12, 36.0, -36.0, 709.0, -709.0, 745.0, -745.0,
        ])
        .collect();
    let mut z = xs.clone();
    let mut d1 = vec![0.0; xs.len()];
    let mut d2 = vec![0.0; xs.len()];
    kernels::logistic_derivatives(&mut z, &mut d1, &mut d2);
    let mut z1 = xs.clone();
    let mut d1b = vec![0.0; xs.len()];
    kernels::logistic_first(&mut z1, &mut d1b);
    for (i, &x) in xs.iter().enumerate() {
        let (s, a, b) = logistic_reference(x);
        assert_relative_eq!(z[i], s, epsilon = 1e-300, max_relative = 1e-15);
        assert_relative_eq!(d1[i], a, epsilon = 1e-300, max_relative = 1e-15);
        // σ″ changes sign at 0, where 1 − 2σ is a difference: absolute error ~ ε·σ′.
        assert_relative_eq!(d2[i], b, epsilon = 1e-16, max_relative = 1e-13);
        assert_eq!((z1[i], d1b[i]), (z[i], d1[i]));
    }
    let mut nan = [f64::NAN];
    kernels::logistic_first(&mut nan, &mut [0.0]);
    assert!(nan[0].is_nan());
}

#[test]
fn bernoulli_loss_and_gradient_agree_with_the_formulas() {
    // Odd length, so that the blocks and the eight partial sums have remainders.
    let n = 1037;
    let z: Vec<f64> = (0..n)
        .map(|i| -40.0 + 80.0 * ((i * 7919) % n) as f64 / n as f64)
        .collect();
    let y: Vec<f64> = (0..n).map(|i| ((i * 31) % 101) as f64 / 100.0).collect();
    let mut grad = vec![0.0; n];
    let scale = 0.25;
    let loss = kernels::bernoulli_loss_grad(&z, &y, scale, &mut grad);
    let mut want = 0.0;
    for i in 0..n {
        // softplus(z) = max(z, 0) + ln(1 + e^{−|z|}); σ(z) − y.
        let sp = z[i].max(0.0) + (-z[i].abs()).exp().ln_1p();
        want += sp - y[i] * z[i];
        let (s, _, _) = logistic_reference(z[i]);
        assert_relative_eq!(
            grad[i],
            scale * (s - y[i]),
            epsilon = 1e-16,
            max_relative = 1e-14
        );
    }
    assert_relative_eq!(loss, want, max_relative = 1e-13);
}

#[test]
fn fisher_and_connection_kernels_are_the_bernoulli_output_products() {
    // ∇²A(z)w = σ′(z)w and D³A(z)[u, u, ·] = σ″(z)u² for A = Σ softplus.
    let n = 29;
    let z: Vec<f64> = (0..n).map(|i| -7.0 + 0.5 * i as f64).collect();
    let u: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let w: Vec<f64> = (0..n).map(|i| (i as f64 * 0.91).cos()).collect();
    let (mut f, mut c) = (vec![0.0; n], vec![0.0; n]);
    kernels::logistic_fisher(&z, &w, 0.5, &mut f);
    kernels::logistic_connection(&z, &u, &w, 0.75, 0.5, &mut c);
    for i in 0..n {
        let (_, d1, d2) = logistic_reference(z[i]);
        assert_relative_eq!(f[i], 0.5 * d1 * w[i], epsilon = 1e-17, max_relative = 1e-14);
        let want = 0.5 * (d1 * w[i] + 0.75 * d2 * u[i] * u[i]);
        assert_relative_eq!(c[i], want, epsilon = 1e-17, max_relative = 1e-13);
    }
}

#[test]
fn tanh_and_its_derivatives_agree_with_libm() {
    // tanh against libm's over [−40, 40] (and tiny and huge arguments); tanh′ = 1/cosh² and
    // tanh″ = −2 tanh/cosh² against libm's cosh where cosh does not overflow.
    let mut worst: [f64; 3] = [0.0; 3];
    let n = 200_000;
    for i in 0..=n {
        let x = -40.0 + 80.0 * i as f64 / n as f64;
        for x in [x, x * 1e-9] {
            let (t, d1, d2) = kernels::tanh3(x);
            let c = x.cosh();
            let want = [x.tanh(), 1.0 / (c * c), -2.0 * x.tanh() / (c * c)];
            for (k, (got, want)) in [t, d1, d2].into_iter().zip(want).enumerate() {
                if want != 0.0 {
                    worst[k] = worst[k].max(((got - want) / want).abs() / f64::EPSILON);
                } else {
                    assert_eq!(got, 0.0, "tanh3({x}) component {k}");
                }
            }
        }
    }
    assert!(
        worst[0] <= 4.0,
        "tanh: worst relative error {} ulp",
        worst[0]
    );
    assert!(
        worst[1] <= 16.0,
        "tanh′: worst relative error {} ulp",
        worst[1]
    );
    assert!(
        worst[2] <= 16.0,
        "tanh″: worst relative error {} ulp",
        worst[2]
    );
    assert_eq!(kernels::tanh3(1e-300).0, 1e-300);
    assert_eq!(kernels::tanh3(-800.0), (-1.0, 0.0, 0.0));
    // The slice kernels give the scalar kernel's values.
    let mut z: Vec<f64> = (0..37).map(|i| -9.0 + 0.5 * i as f64).collect();
    let x = z.clone();
    let (mut d1, mut d2) = (vec![0.0; z.len()], vec![0.0; z.len()]);
    kernels::tanh_derivatives(&mut z, &mut d1, &mut d2);
    for i in 0..x.len() {
        assert_eq!((z[i], d1[i], d2[i]), kernels::tanh3(x[i]));
    }
}
