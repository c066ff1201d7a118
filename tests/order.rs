//! Order studies on the Gamma fit: the measured orders are the theoretical ones (± 0.15), the
//! Riemannian Euler gap sits at the solver floor, and the slope fitter, KL divergences and
//! evaluation counts are right on cases with known answers.

use natflow::families::{Gamma, GammaChart, KlDivergence, Normal};
use natflow::geometry::Chart;
use natflow::optim::Method;
use natflow::registry::{GammaEntry, family_order_study};
use natflow::studies::order::OrderStudy;
use natflow::studies::{OrderConfig, fit_order};

fn paper_charts() -> Vec<String> {
    GammaChart::PAPER.iter().map(Chart::name).collect()
}
use std::sync::OnceLock;

fn gamma_study() -> &'static OrderStudy {
    static ST: OnceLock<OrderStudy> = OnceLock::new();
    ST.get_or_init(|| {
        family_order_study(
            &GammaEntry,
            None,
            &paper_charts(),
            0.0,
            &OrderConfig::new(vec![1.0, 1.0]),
            &|_, _| {},
        )
        .unwrap()
    })
}

fn method<'a>(st: &'a OrderStudy, name: &str) -> &'a natflow::studies::order::MethodStudy {
    st.methods.iter().find(|m| m.method == name).unwrap()
}

fn assert_near(got: Option<f64>, want: f64, what: &str) {
    let g = got.unwrap_or_else(|| panic!("{what}: no order"));
    assert!((g - want).abs() <= 0.15, "{what}: {g} vs {want}");
}

#[test]
fn runge_kutta_orders_against_the_flow() {
    let st = gamma_study();
    for (name, p) in [("ng", 1.0), ("mid", 2.0), ("rk4", 4.0)] {
        let m = method(st, name);
        for chart in &st.charts {
            assert_near(
                m.orders.vs_flow[chart],
                p,
                &format!("{name} vs flow in {chart}"),
            );
            // One step from the start: local error of order p + 1.
            assert_near(
                m.orders.local_vs_flow[chart],
                p + 1.0,
                &format!("{name} local in {chart}"),
            );
        }
        assert_near(m.orders.invariance_gap, p, &format!("{name} gap"));
    }
}

#[test]
fn geodesic_correction_is_second_order_invariant_but_first_order_accurate() {
    let st = gamma_study();
    for name in ["geo", "geo-f"] {
        let m = method(st, name);
        for chart in &st.charts {
            assert_near(
                m.orders.vs_riemannian_euler[chart],
                2.0,
                &format!("{name} vs RE in {chart}"),
            );
            assert_near(
                m.orders.vs_flow[chart],
                1.0,
                &format!("{name} vs flow in {chart}"),
            );
            // The slope 1 against the flow is the small-h limit: the local slope between the
            // two smallest h is within 0.05 of 1 (at large h the O(h²) distance to Riemannian
            // Euler dominates, and in some charts the error changes sign).
            let fit = m.fits.vs_flow[chart].as_ref().unwrap();
            let last = *fit.local_slopes.last().unwrap();
            assert!(
                (last - 1.0).abs() < 0.05,
                "{name} {chart}: local slopes {:?}",
                fit.local_slopes
            );
            assert!(fit.r2 > 0.99);
        }
        assert_near(m.orders.invariance_gap, 2.0, &format!("{name} gap"));
    }
    // A single geo step approximates the Riemannian Euler step to O(h³).
    for chart in &st.charts {
        assert_near(
            method(st, "geo").orders.local_vs_riemannian_euler[chart],
            3.0,
            "geo local vs RE",
        );
    }
}

#[test]
fn riemannian_euler_is_invariant_to_the_solver_floor() {
    let st = gamma_study();
    let re = method(st, "riemannian-euler");
    for g in &re.invariance_gap {
        assert!(g.unwrap() <= 1e-8, "gap {g:?}");
    }
    assert_eq!(re.orders.invariance_gap, None);
    for chart in &st.charts {
        assert_near(re.orders.vs_flow[chart], 1.0, "RE vs flow");
    }
    // Gap KL is tiny too (KL ~ distance²).
    assert!(re.invariance_gap_kl.iter().all(|g| g.unwrap() <= 1e-12));
}

#[test]
fn evaluation_counts_follow_the_stages() {
    let st = gamma_study();
    let n: Vec<u64> = st.steps.iter().map(|&s| s as u64).collect();
    for (name, velocities, chris) in [
        ("ng", 1, 0),
        ("mid", 2, 0),
        ("rk4", 4, 0),
        ("geo", 1, 1),
        ("geo-f", 1, 1),
    ] {
        for run in &method(st, name).runs {
            for (k, e) in run.evaluations.iter().enumerate() {
                assert_eq!(e.natural_velocities, velocities * n[k], "{name}");
                assert_eq!(e.gradients, 0, "{name}");
                assert_eq!(e.christoffels, chris * n[k], "{name}");
                assert_eq!(e.exp_maps, 0, "{name}");
            }
        }
    }
    // Each Riemannian Euler step is one natural velocity and one exponential map (whose
    // geodesic solve is the problem's own business, not the method's).
    for run in &method(st, "riemannian-euler").runs {
        for (e, n) in run.evaluations.iter().zip(&n) {
            assert_eq!(
                (e.natural_velocities, e.christoffels, e.exp_maps),
                (*n, 0, *n)
            );
        }
    }
}

#[test]
fn fit_recovers_known_slopes_and_handles_the_floor() {
    let h: Vec<f64> = (1..=10).map(|k| 0.5f64.powi(k)).collect();
    // Pure power law with a floor after the sixth point.
    let e: Vec<Option<f64>> = h
        .iter()
        .enumerate()
        .map(|(i, h)| Some(if i < 6 { 3.0 * h.powi(3) } else { 1e-16 }))
        .collect();
    let f = fit_order(&h, &e, 1e-12).unwrap();
    assert!((f.slope - 3.0).abs() < 1e-12 && (f.r2 - 1.0).abs() < 1e-12);
    assert_eq!(f.points, 6);
    // Everything at the floor: no order.
    assert!(fit_order(&h, &[Some(1e-15); 10], 1e-12).is_none());
    // e = h + 50 h²: slope 2 at large h, 1 in the limit; the window is the small-h end.
    let e: Vec<Option<f64>> = h.iter().map(|h| Some(h + 50.0 * h * h)).collect();
    let f = fit_order(&h, &e, 1e-14).unwrap();
    assert!((f.slope - 1.0).abs() < 0.15, "{f:?}");
    // Failed runs at large h are skipped, not fatal.
    let mut e: Vec<Option<f64>> = h.iter().map(|h| Some(h.powi(2))).collect();
    e[0] = None;
    assert!((fit_order(&h, &e, 1e-14).unwrap().slope - 2.0).abs() < 1e-12);
}

/// ∫ p ln(p/q) by the trapezoid rule on a log grid, an independent check of the closed form.
fn kl_quadrature(
    logp: impl Fn(f64) -> f64,
    logq: impl Fn(f64) -> f64,
    lo: f64,
    hi: f64,
    log_grid: bool,
) -> f64 {
    let n = 200_000;
    let mut s = 0.0;
    for i in 0..=n {
        let u = i as f64 / n as f64;
        let (x, dx) = if log_grid {
            let x = (lo.ln() + u * (hi / lo).ln()).exp();
            (x, x * (hi / lo).ln() / n as f64)
        } else {
            (lo + u * (hi - lo), (hi - lo) / n as f64)
        };
        let w = if i == 0 || i == n { 0.5 } else { 1.0 };
        let lp = logp(x);
        s += w * lp.exp() * (lp - logq(x)) * dx;
    }
    s
}

#[test]
fn kl_divergences_match_quadrature_and_the_fisher_metric() {
    use natflow::special::ln_gamma;
    let gamma_logpdf =
        |a: f64, b: f64| move |x: f64| a * b.ln() - ln_gamma(a) + (a - 1.0) * x.ln() - b * x;
    let (p, q) = ([3.0, 2.0], [2.2, 1.3]);
    let num = kl_quadrature(
        gamma_logpdf(p[0], p[1]),
        gamma_logpdf(q[0], q[1]),
        1e-6,
        60.0,
        true,
    );
    assert!(
        (Gamma.kl(&p, &q) - num).abs() < 1e-8,
        "{} vs {num}",
        Gamma.kl(&p, &q)
    );
    let normal_logpdf = |m: f64, s: f64| {
        move |x: f64| {
            -0.5 * ((x - m) / s).powi(2) - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
        }
    };
    let (p, q) = ([0.3, 1.2], [-0.5, 0.8]);
    let num = kl_quadrature(
        normal_logpdf(p[0], p[1]),
        normal_logpdf(q[0], q[1]),
        -15.0,
        15.0,
        false,
    );
    assert!((Normal.kl(&p, &q) - num).abs() < 1e-8);
    // KL(θ ‖ θ + δ) = ½ δᵀ G(θ) δ + O(δ³).
    use natflow::geometry::Metric;
    let th = [3.0, 2.0];
    let d = [1e-4, -2e-4];
    let g = Gamma.metric(&th).unwrap();
    let quad =
        0.5 * (g[(0, 0)] * d[0] * d[0] + 2.0 * g[(0, 1)] * d[0] * d[1] + g[(1, 1)] * d[1] * d[1]);
    let kl = Gamma.kl(&th, &[th[0] + d[0], th[1] + d[1]]);
    assert!((kl - quad).abs() < 1e-3 * quad, "{kl} vs {quad}");
}

#[test]
fn bad_configurations_are_refused() {
    let run = |cfg: OrderConfig| {
        family_order_study(&GammaEntry, None, &paper_charts(), 0.0, &cfg, &|_, _| {})
    };
    let base = OrderConfig::new(vec![1.0, 1.0]);
    assert!(
        run(OrderConfig {
            t_final: -1.0,
            ..base.clone()
        })
        .is_err()
    );
    assert!(
        run(OrderConfig {
            steps: vec![],
            ..base.clone()
        })
        .is_err()
    );
    assert!(
        run(OrderConfig {
            steps: vec![2, 2],
            ..base.clone()
        })
        .is_err()
    );
    assert!(
        run(OrderConfig {
            steps: vec![0, 2],
            ..base.clone()
        })
        .is_err()
    );
    assert!(
        run(OrderConfig {
            start: vec![1.0, -1.0],
            ..base.clone()
        })
        .is_err()
    );
    assert!(
        run(OrderConfig {
            methods: vec![],
            ..base.clone()
        })
        .is_err()
    );
    let ok = run(OrderConfig {
        steps: vec![4, 8, 16],
        methods: vec![Method::parse("heun").unwrap()],
        ..base
    });
    assert!(ok.is_ok());
}

#[test]
fn riemannian_euler_reference_is_the_same_whether_or_not_it_is_measured() {
    // With riemannian-euler among the methods its first-chart runs serve as the reference;
    // without it the reference is computed on its own. The two paths must agree bit for bit.
    let study = |methods: &[&str]| {
        let cfg = OrderConfig {
            steps: vec![4, 8, 16],
            methods: methods.iter().map(|m| Method::parse(m).unwrap()).collect(),
            ..OrderConfig::new(vec![1.0, 1.0])
        };
        family_order_study(&GammaEntry, None, &paper_charts(), 0.0, &cfg, &|_, _| {}).unwrap()
    };
    let with = study(&["geo", "riemannian-euler"]);
    let without = study(&["geo"]);
    assert_eq!(
        with.reference.riemannian_euler_endpoint_canonical,
        without.reference.riemannian_euler_endpoint_canonical
    );
    assert_eq!(
        with.methods[0].runs,
        without.methods[0]
            .runs
            .iter()
            .map(|r| {
                // wall times differ run to run; everything else must not
                let mut r = r.clone();
                r.seconds = with.methods[0]
                    .runs
                    .iter()
                    .find(|w| w.chart == r.chart)
                    .unwrap()
                    .seconds
                    .clone();
                r
            })
            .collect::<Vec<_>>()
    );
}
