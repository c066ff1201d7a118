//! Natural-gradient methods on the Gamma fit: the exact references are chart-invariant, the flow
//! matches its closed form, geodesic correction approximates the Riemannian Euler step to
//! O(h³) per step, and every method runs through argmin.

mod common;
use common::rel_err;
use nalgebra::DVector;
use natflow::families::{Gamma, GammaChart, GammaSample};
use natflow::geometry::Chart;
use natflow::optim::{ChartProblem, Method, NgProblem, Stepper, run};
use natflow::special::digamma;

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

/// In mean parameters μ = E[(ln x, x)] = (ψ(α) − ln β, α/β) the natural-gradient flow of the
/// average NLL of an exponential family is linear: μ(t) = s + (μ₀ − s)e^{−t}, s the sample
/// means of the sufficient statistics (Amari 1998; the gradient in θ is μ − s and G = ∂μ/∂θ).
#[test]
fn flow_matches_its_closed_form_in_mean_parameters() {
    let s = sample();
    let target = [s.mean_log_x, s.mean_x];
    let mu = |th: &DVector<f64>| [digamma(th[0]) - th[1].ln(), th[0] / th[1]];
    let h = 0.5;
    for chart in GammaChart::PAPER {
        let traj = canonical_run(chart, "flow", h, 10);
        let mu0 = mu(&traj[0]);
        for (k, th) in traj.iter().enumerate() {
            let decay = (-(k as f64) * h).exp();
            let want = [
                target[0] + (mu0[0] - target[0]) * decay,
                target[1] + (mu0[1] - target[1]) * decay,
            ];
            let got = mu(th);
            assert!(
                rel_err(&got, &want) < 1e-9,
                "{} step {k}: {got:?} vs {want:?}",
                chart.name()
            );
        }
    }
}

/// One step of `geo` from the same point agrees with the Riemannian Euler step Exp(h f) to
/// O(h³): the fitted log-log slope of the one-step difference is 3 (± 0.15) in every chart.
#[test]
fn geodesic_correction_is_third_order_accurate_per_step() {
    for chart in GammaChart::PAPER {
        let p = ChartProblem::new(Gamma, chart, sample()).unwrap();
        let xi = p.to_chart(&[3.0, 2.0]).unwrap();
        let hs: Vec<f64> = (3..=7).map(|k| 0.5f64.powi(k)).collect();
        let errs: Vec<f64> = hs
            .iter()
            .map(|&h| {
                let geo = Stepper::new(Method::Geo, 2).step(&p, &xi, h).unwrap();
                let re = Stepper::new(Method::parse("riemannian-euler").unwrap(), 2)
                    .step(&p, &xi, h)
                    .unwrap();
                (p.to_canonical(geo.as_slice()).unwrap() - p.to_canonical(re.as_slice()).unwrap())
                    .norm()
            })
            .collect();
        let slope = fit_slope(&hs, &errs);
        assert!(
            (slope - 3.0).abs() < 0.15,
            "{}: slope {slope}, errors {errs:?}",
            chart.name()
        );
    }
}

fn fit_slope(h: &[f64], e: &[f64]) -> f64 {
    let x: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let y: Vec<f64> = e.iter().map(|v| v.ln()).collect();
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

#[test]
fn geo_f_differs_from_geo_only_after_the_first_step() {
    let p = ChartProblem::new(Gamma, GammaChart::Scale, sample()).unwrap();
    let xi0 = p.to_chart(&[1.0, 1.0]).unwrap();
    let geo = run(&p, &Method::Geo, 0.5, 3, xi0.as_slice()).unwrap();
    let geof = run(&p, &Method::GeoF, 0.5, 3, xi0.as_slice()).unwrap();
    assert_eq!(geo.points[1], geof.points[1]);
    assert!((&geo.points[2] - &geof.points[2]).norm() > 1e-6);
}

#[test]
fn ng_is_invariant_only_in_the_limit() {
    // Plain natural gradient depends on the chart at finite h: the endpoints differ …
    let a = canonical_run(GammaChart::Rate, "ng", 0.5, 10);
    let b = canonical_run(GammaChart::Scale, "ng", 0.5, 10);
    assert!((&a[10] - &b[10]).norm() > 1e-2);
    // … and ng-fine (h/1000) is within O(h/1000) of the flow.
    let fine = canonical_run(GammaChart::Scale, "ng-fine", 0.5, 10);
    let flow = canonical_run(GammaChart::Scale, "flow", 0.5, 10);
    let e = rel_err(fine[10].as_slice(), flow[10].as_slice());
    assert!(e < 1e-3 && e > 1e-8, "ng-fine vs flow: {e:e}");
}

#[test]
fn unknown_method_and_bad_step_size_are_errors() {
    let e = Method::parse("rk17").unwrap_err();
    assert!(e.to_string().contains("geo-f"), "{e}");
    let p = ChartProblem::new(Gamma, GammaChart::Rate, sample()).unwrap();
    assert!(run(&p, &Method::Geo, -0.5, 3, &[1.0, 1.0]).is_err());
    assert!(run(&p, &Method::Geo, f64::NAN, 3, &[1.0, 1.0]).is_err());
    assert!(run(&p, &Method::Geo, 0.5, 3, &[1.0, -1.0]).is_err());
    // A huge step leaves the domain: a clear error, not a panic.
    let e = run(&p, &Method::parse("ng").unwrap(), 50.0, 3, &[1.0, 1.0]).unwrap_err();
    assert!(e.to_string().contains("left the domain"), "{e}");
}
