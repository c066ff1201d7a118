//! Third-order geodesic correction `geo3`: its ∂Γ (forward-mode AD of the metric) against
//! finite differences of Γ, its one step against the exact exponential map at order h⁴, and
//! its orders on Gamma and Normal — third order to the Riemannian Euler step and in its
//! invariance gap, first order to the flow (it is still an Euler step, moved onto the
//! geodesic).

use natflow::families::{Gamma, GammaChart, Normal, NormalChart};
use natflow::geometry::{Chart, christoffel_vv_derivative};
use natflow::optim::Method;
use natflow::problem::{ChartProblem, Connection, Reparameterisation};
use natflow::registry::{Family, GammaEntry, NormalEntry, family_order_study};
use natflow::studies::OrderConfig;

/// ∂Γ(d)(v,v) at (x, v, d), as a function to check.
type Derivative<'a> = &'a dyn Fn(&[f64], &[f64], &[f64]) -> nalgebra::DVector<f64>;

/// ∂Γ(d)(v,v) by AD (the library function and the problem's trait method) against
/// Richardson-extrapolated central differences of the problem's Γ(v,v).
fn check_derivative<P: Connection>(p: &P, metric: Derivative<'_>, x: &[f64]) {
    let (v, d) = ([0.3, -0.7], [0.5, 0.25]);
    let ad = metric(x, &v, &d);
    let mut via_trait = vec![0.0; 2];
    p.christoffel_vv_derivative_into(x, &v, &d, &mut via_trait)
        .unwrap();
    let cd = |e: f64| {
        let plus: Vec<f64> = x.iter().zip(&d).map(|(x, d)| x + e * d).collect();
        let minus: Vec<f64> = x.iter().zip(&d).map(|(x, d)| x - e * d).collect();
        (p.christoffel_vv(&plus, &v).unwrap() - p.christoffel_vv(&minus, &v).unwrap()) / (2.0 * e)
    };
    let fd = (cd(1e-3) * 4.0 - cd(2e-3)) / 3.0;
    let scale = ad.amax().max(1e-3);
    for k in 0..2 {
        assert!((ad[k] - fd[k]).abs() <= 1e-8 * scale, "{ad} vs {fd}");
        assert_eq!(ad[k], via_trait[k]);
    }
}

#[test]
fn the_derivative_of_gamma_matches_finite_differences() {
    let (sample, _) = natflow::data::gamma_sample(None).unwrap();
    for chart in GammaChart::PAPER {
        let p = ChartProblem::new(Gamma, chart, sample).unwrap();
        let x = p.to_chart(&[2.0, 1.5]).unwrap();
        let ad = |x: &[f64], v: &[f64], d: &[f64]| {
            christoffel_vv_derivative(&p.manifold, x, v, d).unwrap()
        };
        check_derivative(&p, &ad, x.as_slice());
    }
    let sample = natflow::families::NormalSample::from_moments(1.0, 4.0).unwrap();
    for chart in NormalChart::ALL {
        let p = ChartProblem::new(Normal, chart, sample).unwrap();
        let x = p.to_chart(&[0.5, 1.5]).unwrap();
        let ad = |x: &[f64], v: &[f64], d: &[f64]| {
            christoffel_vv_derivative(&p.manifold, x, v, d).unwrap()
        };
        check_derivative(&p, &ad, x.as_slice());
    }
}

fn study(
    family: &dyn Family,
    start: Vec<f64>,
    charts: Vec<String>,
) -> natflow::studies::OrderStudy {
    let mut cfg = OrderConfig::new(start);
    cfg.methods = vec![Method::parse("geo3").unwrap()];
    cfg.steps = (1..=8).map(|k| 1usize << k).collect();
    family_order_study(family, None, &charts, &cfg, &|_, _| {}).unwrap()
}

#[test]
fn geo3_is_third_order_invariant_and_first_order_accurate() {
    let within = |got: Option<f64>, want: f64, what: &str| {
        let g = got.unwrap_or_else(|| panic!("{what}: no order"));
        assert!((g - want).abs() <= 0.15, "{what}: {g} vs {want}");
    };
    for (family, start, charts) in [
        (
            &GammaEntry as &dyn Family,
            vec![1.0, 1.0],
            GammaChart::PAPER
                .iter()
                .map(Chart::name)
                .collect::<Vec<_>>(),
        ),
        (
            &NormalEntry,
            vec![0.0, 1.0],
            NormalChart::ALL.iter().map(Chart::name).collect(),
        ),
    ] {
        let st = study(family, start, charts);
        let m = &st.methods[0];
        for chart in &st.charts {
            let what = format!("{} {chart}", family.name());
            within(m.orders.vs_flow[chart], 1.0, &format!("{what} vs flow"));
            within(
                m.orders.vs_riemannian_euler[chart],
                3.0,
                &format!("{what} vs RE"),
            );
            // One step: the expansion agrees with Exp_x(h f) to O(h⁴).
            within(
                m.orders.local_vs_riemannian_euler[chart],
                4.0,
                &format!("{what} local vs RE"),
            );
        }
        within(
            m.orders.invariance_gap,
            3.0,
            &format!("{} gap", family.name()),
        );
    }
}
