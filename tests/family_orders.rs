//! The order study on every family from the log-partition, in every default chart: the orders
//! the theory predicts (Song, Song & Ermon 2018) — ng order 1 and mid order 2 to the flow, geo
//! order 2 to the Riemannian Euler step (or exact agreement, where the geodesic is a quadratic
//! in t, e.g. the Poisson rate chart), and invariance gaps of order ≥ 2 for mid and geo.

use natflow::registry::{family, family_order_study};
use natflow::studies::OrderConfig;

fn near(got: Option<f64>, want: f64, what: &str) {
    let g = got.unwrap_or_else(|| panic!("{what}: no order"));
    assert!((g - want).abs() <= 0.15, "{what}: {g} vs {want}");
}

#[test]
fn every_exponential_family_has_the_predicted_orders() {
    for name in [
        "exponential",
        "poisson",
        "bernoulli",
        "categorical",
        "beta",
        "dirichlet",
        "inverse-gaussian",
        "mvnormal",
    ] {
        let fam = family(name).unwrap();
        let charts = fam.study_charts();
        let mut cfg = OrderConfig::new(fam.reference_point());
        cfg.steps = vec![4, 8, 16, 32, 64, 128];
        cfg.methods = ["ng", "mid", "geo", "riemannian-euler"]
            .iter()
            .map(|m| natflow::optim::Method::parse(m).unwrap())
            .collect();
        let st = family_order_study(fam, None, &charts, 0.0, &cfg, &|_, _| {}).unwrap();
        let m = |n: &str| st.methods.iter().find(|m| m.method == n).unwrap();
        for chart in &charts {
            near(
                m("ng").orders.vs_flow[chart],
                1.0,
                &format!("{name} ng vs flow in {chart}"),
            );
            near(
                m("mid").orders.vs_flow[chart],
                2.0,
                &format!("{name} mid vs flow in {chart}"),
            );
            near(
                m("riemannian-euler").orders.vs_flow[chart],
                1.0,
                &format!("{name} RE vs flow in {chart}"),
            );
            if let Some(o) = m("geo").orders.vs_riemannian_euler[chart] {
                assert!(o >= 1.85, "{name} geo vs RE in {chart}: {o}");
            }
        }
        for method in ["mid", "geo"] {
            let g = m(method).orders.invariance_gap.unwrap();
            assert!(g >= 1.85, "{name} {method} gap order {g}");
        }
        near(
            m("ng").orders.invariance_gap,
            1.0,
            &format!("{name} ng gap"),
        );
    }
}
