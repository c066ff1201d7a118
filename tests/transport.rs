//! Parallel transport along geodesics and the Riemannian midpoint rule built on it: the
//! Levi-Civita transport is an isometry (⟨W₁, W₂⟩_G is preserved) and transporting back along
//! the reversed geodesic returns the vector, in every chart of Gamma and Normal; the midpoint
//! rule converges at order 2 to the flow in every chart with its invariance gap at the solver
//! floor.

use approx::assert_relative_eq;
use natflow::families::{Gamma, GammaChart, Normal, NormalChart};
use natflow::geometry::transport::transport_along_geodesic;
use natflow::geometry::{Chart, ExpOptions, Metric};
use natflow::optim::Method;
use natflow::problem::{ChartProblem, Connection, Reparameterisation};
use natflow::registry::{GammaEntry, NormalEntry, family_order_study};
use natflow::studies::OrderConfig;

fn inner(g: &nalgebra::DMatrix<f64>, a: &[f64], b: &[f64]) -> f64 {
    (0..a.len())
        .flat_map(|i| (0..b.len()).map(move |j| (i, j)))
        .map(|(i, j)| a[i] * g[(i, j)] * b[j])
        .sum()
}

/// Transport two vectors along Exp_x(v) in a problem whose metric in the chart is `metric`:
/// inner products kept, and transporting back returns to x with the vectors.
fn check_transport<P: Connection>(
    p: &P,
    metric: impl Fn(&[f64]) -> nalgebra::DMatrix<f64>,
    x: &[f64],
    v: &[f64],
) {
    let w = [[0.7, -0.4], [0.2, 1.1]];
    let opts = ExpOptions::with_tol(1e-13);
    let t = transport_along_geodesic(p, x, v, &[&w[0], &w[1]], opts).unwrap();
    let (g0, g1) = (metric(x), metric(t.end.as_slice()));
    for (i, j) in [(0, 0), (0, 1), (1, 1)] {
        assert_relative_eq!(
            inner(&g1, t.vectors[i].as_slice(), t.vectors[j].as_slice()),
            inner(&g0, &w[i], &w[j]),
            epsilon = 1e-10,
            max_relative = 1e-10
        );
    }
    // The transport moves vectors: along a curved geodesic they are not constant in the chart.
    assert!((t.vectors[0][0] - w[0][0]).abs() + (t.vectors[0][1] - w[0][1]).abs() > 1e-3);
    let back: Vec<f64> = t.end_velocity.iter().map(|u| -u).collect();
    let r = transport_along_geodesic(p, t.end.as_slice(), &back, &[t.vectors[0].as_slice()], opts)
        .unwrap();
    for i in 0..2 {
        assert_relative_eq!(r.end[i], x[i], epsilon = 1e-10, max_relative = 1e-10);
        assert_relative_eq!(
            r.vectors[0][i],
            w[0][i],
            epsilon = 1e-10,
            max_relative = 1e-10
        );
    }
}

#[test]
fn levi_civita_transport_is_an_isometry_and_reversible() {
    let (sample, _) = natflow::data::gamma_sample(None).unwrap();
    for chart in GammaChart::PAPER {
        let p = ChartProblem::new(Gamma, chart, sample).unwrap();
        let x = p.to_chart(&[2.0, 1.5]).unwrap();
        let v = [0.6 * x[0], -0.5 * x[1]];
        check_transport(&p, |y| p.manifold.metric(y).unwrap(), x.as_slice(), &v);
    }
    for chart in NormalChart::ALL {
        let p = ChartProblem::new(Normal, chart, sample_moments()).unwrap();
        let x = p.to_chart(&[0.5, 1.5]).unwrap();
        let v = [0.8 * x[0].abs().max(0.5), -0.4 * x[1]];
        check_transport(&p, |y| p.manifold.metric(y).unwrap(), x.as_slice(), &v);
    }
}

fn sample_moments() -> natflow::families::NormalSample {
    natflow::families::NormalSample::from_moments(1.0, 4.0).unwrap()
}

#[test]
fn the_riemannian_midpoint_rule_is_second_order_and_invariant() {
    for (family, start) in [
        (
            &GammaEntry as &dyn natflow::registry::Family,
            vec![1.0, 1.0],
        ),
        (&NormalEntry, vec![0.0, 1.0]),
    ] {
        let charts: Vec<String> = match family.name() {
            "gamma" => GammaChart::PAPER.iter().map(Chart::name).collect(),
            _ => NormalChart::ALL.iter().map(Chart::name).collect(),
        };
        let mut cfg = OrderConfig::new(start);
        cfg.methods = vec![Method::parse("riemannian-mid").unwrap()];
        cfg.steps = (1..=7).map(|k| 1usize << k).collect();
        cfg.against_riemannian_euler = false;
        let st = family_order_study(family, None, &charts, 0.0, &cfg, &|_, _| {}).unwrap();
        let m = &st.methods[0];
        for chart in &st.charts {
            let order = m.orders.vs_flow[chart].unwrap();
            assert!(
                (order - 2.0).abs() <= 0.15,
                "{} {chart}: order {order}",
                family.name()
            );
        }
        // Exactly invariant: the charts' endpoints agree to the solver floor at every h.
        for g in &m.invariance_gap {
            assert!(g.unwrap() <= 1e-8, "{}: gap {g:?}", family.name());
        }
        assert_eq!(m.orders.invariance_gap, None);
    }
}
