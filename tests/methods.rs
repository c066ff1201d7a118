//! Natural-gradient methods: one shared harness runs every method against problems whose flow
//! is known in closed form and asserts its measured order; the exact references are
//! chart-invariant; geodesic correction approximates the Riemannian Euler step to O(h³) per
//! step; and every method runs through argmin.

mod common;
use approx::assert_relative_eq;
use common::rel_err;
use nalgebra::DVector;
use natflow::families::{Gamma, GammaChart, GammaSample, Normal, NormalChart, NormalSample};
use natflow::geometry::Chart;
use natflow::integrators::order_of;
use natflow::optim::{Method, Step, Stepper, run};
use natflow::problem::{ChartProblem, Connection, NaturalVelocity, NgProblem, Reparameterisation};
use natflow::special::digamma;
use natflow::studies::fit::{fit_order, least_squares};

fn sample() -> GammaSample {
    natflow::data::gamma_sample(None).unwrap().0
}

fn canonical_run(chart: GammaChart, method: &str, h: f64, iters: u64) -> Vec<DVector<f64>> {
    let p = ChartProblem::new(Gamma, chart, sample()).unwrap();
    let xi0 = p.to_chart(&[1.0, 1.0]).unwrap();
    run(
        &p,
        &Method::parse(method).unwrap(),
        h,
        iters,
        xi0.as_slice(),
    )
    .unwrap()
    .canonical
}

// ---------------------------------------------------------------------------------------------
// The shared harness.
//
// For the average negative log-likelihood of an exponential family, the natural-gradient flow
// is linear in the mean parameters μ = E[T(x)]: μ(t) = s + (μ₀ − s)e^{−t}, s the sample means of
// the sufficient statistics (Amari 1998: ∇_θL = μ − s and G = ∂μ/∂θ, so μ' = G θ' = −(μ − s)).
// Every method is run to T = 1 on such problems (Gamma and Normal, two charts each), its
// endpoint compared with the closed form in μ, and the order fitted over the asymptotic window.
// A new method added to `Method` gets this test by being listed in `expected_order`.

/// A problem with a closed-form flow: the loss in a chart, the map θ ↦ μ, and the target s.
struct KnownFlow {
    name: String,
    problem: Box<dyn NgProblem + Send + Sync>,
    start: Vec<f64>,
    mean: fn(&DVector<f64>) -> [f64; 2],
    target: [f64; 2],
}

impl KnownFlow {
    fn exact(&self, t: f64) -> [f64; 2] {
        let mu0 = (self.mean)(&DVector::from_column_slice(&self.start));
        let d = (-t).exp();
        [
            self.target[0] + (mu0[0] - self.target[0]) * d,
            self.target[1] + (mu0[1] - self.target[1]) * d,
        ]
    }
}

fn known_flows() -> Vec<KnownFlow> {
    let g = sample();
    let gamma_mean: fn(&DVector<f64>) -> [f64; 2] =
        |th| [digamma(th[0]) - th[1].ln(), th[0] / th[1]];
    let n = NormalSample::from_moments(1.0, 4.0).unwrap();
    let normal_mean: fn(&DVector<f64>) -> [f64; 2] = |th| [th[0], th[0] * th[0] + th[1] * th[1]];
    let mut out = vec![];
    for chart in [GammaChart::Rate, GammaChart::Scale] {
        out.push(KnownFlow {
            name: format!("gamma/{}", chart.name()),
            problem: Box::new(ChartProblem::new(Gamma, chart, g).unwrap()),
            start: vec![1.0, 1.0],
            mean: gamma_mean,
            target: [g.mean_log_x, g.mean_x],
        });
    }
    for chart in [NormalChart::MeanVar, NormalChart::Natural] {
        out.push(KnownFlow {
            name: format!("normal/{}", chart.name()),
            problem: Box::new(ChartProblem::new(Normal, chart, n).unwrap()),
            start: vec![0.0, 1.0],
            mean: normal_mean,
            target: [n.mean_x, n.mean_x2()],
        });
    }
    out
}

/// The global order each method must show against the flow; `None` for the flow itself (exact).
fn expected_order(m: &Method) -> Option<f64> {
    match m {
        Method::RungeKutta { tableau, .. } => Some(order_of(tableau, 6) as f64),
        Method::Geo
        | Method::GeoF
        | Method::Geo3
        | Method::RiemannianEuler { .. }
        | Method::NgFine { .. } => Some(1.0),
        Method::RiemannianMid { .. } => Some(2.0),
        Method::NormalRk { tableau, .. } | Method::TruncatedNormalRk { tableau, .. } => {
            Some(order_of(tableau, 6) as f64)
        }
        Method::Flow { .. } => None,
        other => panic!("add {} to the harness", other.name()),
    }
}

/// Error in mean parameters at T = 1 after n steps of `method`; `None` if a step left the
/// domain (possible at the largest h, e.g. dopri5 with h = 1/4 in the Normal natural chart).
fn mean_error(k: &KnownFlow, method: &Method, n: usize) -> Option<f64> {
    let xi0 = k.problem.to_chart(&k.start).unwrap();
    let traj = match run(&k.problem, method, 1.0 / n as f64, n as u64, xi0.as_slice()) {
        Ok(t) => t,
        Err(natflow::Error::Step { .. }) if n <= 4 => return None,
        Err(e) => panic!("{} with n = {n} on {}: {e}", method.name(), k.name),
    };
    let got = (k.mean)(traj.canonical.last().unwrap());
    let want = k.exact(1.0);
    Some(((got[0] - want[0]).powi(2) + (got[1] - want[1]).powi(2)).sqrt())
}

#[test]
fn every_method_converges_to_the_known_flow_at_its_order() {
    for name in Method::names() {
        let method = Method::parse(&name).unwrap();
        let order = expected_order(&method);
        // Step counts whose errors lie between the pre-asymptotic range and the floor.
        let steps: Vec<usize> = match (&method, order) {
            (Method::NgFine { .. }, _) => vec![4, 8, 16, 32, 64],
            // geo2:/geo3:midpoint: measured here, the error falls at a slope near 3 up to
            // n ≈ 128 (16 → 128: 3.1) before its O(h²) term takes over.
            (Method::TruncatedNormalRk { .. }, Some(p)) if p < 4.0 => {
                vec![256, 512, 1024, 2048, 4096]
            }
            (_, Some(p)) if p >= 5.0 => vec![4, 8, 16, 32, 64, 128, 256],
            (_, Some(p)) if p >= 2.0 => vec![16, 32, 64, 128, 256, 512],
            (_, Some(_)) => vec![16, 32, 64, 128, 256, 512, 1024, 2048],
            (_, None) => vec![2, 4],
        };
        for k in known_flows() {
            // dopri5 (order 5, small principal error constants) in the Normal natural chart:
            // the local slopes measured here fall 7.3, 6.7, 6.1, 5.7, 5.4 from n = 8 to 256 and
            // the error meets the floor before they settle, so no asymptotic window exists.
            if order.is_some_and(|p| p >= 5.0) && k.name == "normal/natural" {
                continue;
            }
            // The fourth-order normal-coordinate methods on Normal: their errors carry a large
            // h⁵ term, the local slopes fall from ≈ 4.6 towards 4 (4.63 … 4.12 from n = 64 to
            // 2048 at T = 3) and reach the floor here before settling; tests/higher_order.rs
            // checks them where the asymptotic slope is reachable.
            let normal_coordinates = matches!(
                method,
                Method::NormalRk { .. } | Method::TruncatedNormalRk { .. }
            );
            if normal_coordinates
                && order.is_some_and(|p| p >= 4.0)
                && k.name.starts_with("normal/")
            {
                continue;
            }
            let errs: Vec<Option<f64>> =
                steps.iter().map(|&n| mean_error(&k, &method, n)).collect();
            match order {
                None => {
                    for e in &errs {
                        let e = e.expect("the flow never fails here");
                        assert!(e < 1e-9, "{name} on {}: error {e:e}", k.name);
                    }
                }
                Some(p) => {
                    let h: Vec<f64> = steps.iter().map(|&n| 1.0 / n as f64).collect();
                    let fit = fit_order(&h, &errs, 1e-13)
                        .unwrap_or_else(|| panic!("{name} on {}: no window in {errs:?}", k.name));
                    assert!(
                        (fit.slope - p).abs() <= 0.15,
                        "{name} on {}: slope {} vs order {p} (errors {errs:?})",
                        k.name,
                        fit.slope
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

#[test]
fn exact_references_agree_across_charts() {
    for method in ["riemannian-euler", "flow"] {
        let reference = canonical_run(GammaChart::Rate, method, 0.5, 10);
        for chart in GammaChart::ALL {
            let other = canonical_run(chart, method, 0.5, 10);
            for (a, b) in other.iter().zip(&reference) {
                let e = rel_err(a.as_slice(), b.as_slice());
                assert!(e < 1e-9, "{method} in {}: {a} vs {b}", chart.name());
            }
        }
    }
}

/// One step of `geo` from the same point agrees with the Riemannian Euler step Exp(h f) to
/// O(h³): the least-squares log-log slope of the one-step difference is 3 (± 0.05) in every
/// chart.
#[test]
fn geodesic_correction_is_third_order_accurate_per_step() {
    for chart in GammaChart::PAPER {
        let p = ChartProblem::new(Gamma, chart, sample()).unwrap();
        let xi = p.to_chart(&[3.0, 2.0]).unwrap();
        let hs: Vec<f64> = (3..=7).map(|k| 0.5f64.powi(k)).collect();
        let one_step = |name: &str, h: f64| {
            let mut x = xi.clone();
            let mut s = Stepper::new(Method::parse(name).unwrap(), 2).unwrap();
            s.step(&p, x.as_mut_slice(), h).unwrap();
            p.to_canonical(x.as_slice()).unwrap()
        };
        let errs: Vec<f64> = hs
            .iter()
            .map(|&h| (one_step("geo", h) - one_step("riemannian-euler", h)).norm())
            .collect();
        let x: Vec<f64> = hs.iter().map(|h| h.ln()).collect();
        let y: Vec<f64> = errs.iter().map(|e| e.ln()).collect();
        let (slope, _) = least_squares(&x, &y);
        assert!(
            (slope - 3.0).abs() < 0.05,
            "{}: slope {slope}, errors {errs:?}",
            chart.name()
        );
    }
}

/// `geo-f`'s second step, assembled by hand from the problem's own f and Γ with
/// v = (ξ₁ − ξ₀)/h, equals the solver's; its first step equals `geo`'s.
#[test]
fn geo_f_uses_the_previous_displacement() {
    let p = ChartProblem::new(Gamma, GammaChart::Scale, sample()).unwrap();
    let xi0 = p.to_chart(&[1.0, 1.0]).unwrap();
    let h = 0.5;
    let geo = run(&p, &Method::Geo, h, 3, xi0.as_slice()).unwrap();
    let geof = run(&p, &Method::GeoF, h, 3, xi0.as_slice()).unwrap();
    assert_eq!(geo.points[1], geof.points[1]);
    let (x0, x1) = (&geof.points[0], &geof.points[1]);
    let v = (x1 - x0) / h;
    let f = p.natural_velocity(x1.as_slice()).unwrap();
    let gamma = p.christoffel_vv(x1.as_slice(), v.as_slice()).unwrap();
    let want = x1 + f * h - gamma * (0.5 * h * h);
    assert_relative_eq!(geof.points[2], want, max_relative = 1e-14);
    // … and it is not `geo`'s second step.
    assert!((&geo.points[2] - &geof.points[2]).norm() > 1e-3);
}

#[test]
fn ng_is_invariant_only_in_the_limit() {
    // Plain natural gradient depends on the chart at finite h: the endpoints differ …
    let a = canonical_run(GammaChart::Rate, "ng", 0.5, 10);
    let b = canonical_run(GammaChart::Scale, "ng", 0.5, 10);
    assert!((&a[10] - &b[10]).norm() > 1e-2);
    // … ng-fine is exactly Euler with h/1000 …
    let fine = canonical_run(GammaChart::Scale, "ng-fine", 0.5, 10);
    let euler = canonical_run(GammaChart::Scale, "ng", 0.5e-3, 10_000);
    assert_relative_eq!(fine[10], euler[10_000], max_relative = 1e-12);
    // … whose error against the flow halves with h (first order): Euler with 2h has twice it.
    let flow = canonical_run(GammaChart::Scale, "flow", 0.5, 10);
    let coarse = canonical_run(GammaChart::Scale, "ng", 1e-3, 5_000);
    let ratio = (&coarse[5_000] - &flow[10]).norm() / (&fine[10] - &flow[10]).norm();
    assert!((ratio - 2.0).abs() < 0.01, "error ratio {ratio}");
}

#[test]
fn unknown_method_and_bad_step_size_are_errors() {
    let e = Method::parse("rk17").unwrap_err();
    assert!(e.to_string().contains("geo-f"), "{e}");
    let p = ChartProblem::new(Gamma, GammaChart::Rate, sample()).unwrap();
    assert!(run(&p, &Method::Geo, -0.5, 3, &[1.0, 1.0]).is_err());
    assert!(run(&p, &Method::Geo, f64::NAN, 3, &[1.0, 1.0]).is_err());
    assert!(run(&p, &Method::Geo, 0.5, 3, &[1.0, -1.0]).is_err());
    // A huge step leaves the domain: a typed step error with the domain error inside.
    let e = run(&p, &Method::parse("ng").unwrap(), 50.0, 3, &[1.0, 1.0]).unwrap_err();
    match &e {
        natflow::Error::Step { method, h, source } => {
            assert_eq!(method, "ng");
            assert_eq!(*h, 50.0);
            assert!(
                matches!(**source, natflow::Error::OutOfDomain { .. }),
                "{source}"
            );
        }
        other => panic!("expected a step error, got {other}"),
    }
    assert!(e.to_string().contains("outside the domain"), "{e}");
}

#[test]
fn points_of_the_wrong_dimension_are_refused_not_truncated() {
    let p = ChartProblem::new(Gamma, GammaChart::Rate, sample()).unwrap();
    for name in ["ng", "geo", "riemannian-euler", "flow"] {
        let mut s = Stepper::new(Method::parse(name).unwrap(), 2).unwrap();
        let mut x = [1.0, 1.0, 1.0];
        let e = s.step(&p, &mut x, 0.1).unwrap_err();
        assert!(
            matches!(
                e,
                natflow::Error::Dimension {
                    expected: 2,
                    got: 3,
                    ..
                }
            ),
            "{name}: {e}"
        );
        assert_eq!(x, [1.0, 1.0, 1.0], "{name} changed a refused point");
    }
    let mut out = [0.0; 3];
    let e = p.natural_velocity_into(&[1.0, 1.0], &mut out).unwrap_err();
    assert!(matches!(e, natflow::Error::Dimension { .. }), "{e}");
    let e = p.christoffel_vv(&[1.0, 1.0], &[1.0]).unwrap_err();
    assert!(matches!(e, natflow::Error::Dimension { .. }), "{e}");
}

/// `ng` in the rate chart written out by hand — G⁻¹ by the 2×2 formula, ∇L in closed form —
/// against the library's run of the paper's Figure 2 setting (h = 0.5, 10 steps from (1, 1)).
#[test]
fn ng_in_the_rate_chart_matches_a_hand_written_iteration() {
    let s = sample();
    let lib = canonical_run(GammaChart::Rate, "ng", 0.5, 10);
    let (mut a, mut b) = (1.0f64, 1.0f64);
    for (k, th) in lib.iter().enumerate() {
        assert_relative_eq!(th[0], a, max_relative = 1e-13);
        assert_relative_eq!(th[1], b, max_relative = 1e-13, epsilon = 0.0);
        if k == 10 {
            break;
        }
        let (g11, g12, g22) = (natflow::special::trigamma(a), -1.0 / b, a / (b * b));
        let det = g11 * g22 - g12 * g12;
        let (d1, d2) = (digamma(a) - b.ln() - s.mean_log_x, -a / b + s.mean_x);
        let (f1, f2) = ((g22 * d1 - g12 * d2) / det, (g11 * d2 - g12 * d1) / det);
        a -= 0.5 * f1;
        b -= 0.5 * f2;
    }
}
