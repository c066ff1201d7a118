//! The outputs committed in `figures/` are what the current code computes: regenerate them with
//! `natflow fig2` and `natflow order --json figures/order_gamma.json --plot figures` whenever a
//! change moves a number, and this test says when that is needed.

use natflow::data::gamma_sample;
use natflow::experiments::fig2::{Fig2Config, Fig2Record, run_fig2};
use natflow::geometry::Chart;
use natflow::registry::{GammaEntry, family_order_study};
use natflow::studies::{OrderConfig, OrderStudy};

fn committed(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("figures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn committed_fig2_json_is_current() {
    let file: Fig2Record = serde_json::from_str(&committed("fig2.json")).unwrap();
    let (sample, data) = gamma_sample(None).unwrap();
    let mut now = run_fig2(&sample, data, &Fig2Config::default()).unwrap();
    // The file records where the sample came from as the command line names it.
    now.data.file = file.data.file.clone();
    assert_eq!(file, now, "regenerate with `natflow fig2`");
}

#[test]
fn committed_order_study_is_current() {
    let mut file: OrderStudy = serde_json::from_str(&committed("order_gamma.json")).unwrap();
    let charts: Vec<String> = natflow::families::GammaChart::PAPER
        .iter()
        .map(Chart::name)
        .collect();
    let mut now = family_order_study(
        &GammaEntry,
        None,
        &charts,
        0.0,
        &OrderConfig::new(vec![1.0, 1.0]),
        &|_, _| {},
    )
    .unwrap();
    // Wall times differ run to run; everything else must not.
    for st in [&mut file, &mut now] {
        for m in &mut st.methods {
            for r in &mut m.runs {
                r.seconds.iter_mut().for_each(|s| *s = 0.0);
            }
        }
    }
    assert!(
        file == now,
        "regenerate with `natflow order --json figures/order_gamma.json --plot figures`"
    );
}

/// The higher-order study of the README (`figures/order_higher_{gamma,normal}.json`) is what
/// the current code computes, and the README's table holds its numbers.
#[test]
fn committed_higher_order_studies_are_current_and_tabled() {
    let methods = "ng,mid,rk4,geo,geo-f,geo3,riemannian-euler,riemannian-mid,exp:midpoint,exp:rk4,geo2:midpoint,geo3:midpoint,geo3:rk4";
    let mut studies = vec![];
    for (file, family, charts) in [
        (
            "order_higher_gamma.json",
            &GammaEntry as &dyn natflow::registry::Family,
            natflow::families::GammaChart::PAPER
                .iter()
                .map(Chart::name)
                .collect::<Vec<_>>(),
        ),
        (
            "order_higher_normal.json",
            &natflow::registry::NormalEntry,
            natflow::families::NormalChart::STUDY
                .iter()
                .map(Chart::name)
                .collect(),
        ),
    ] {
        let mut committed_study: OrderStudy = serde_json::from_str(&committed(file)).unwrap();
        let mut cfg = OrderConfig::new(committed_study.start_canonical.clone());
        cfg.methods = methods
            .split(',')
            .map(|m| natflow::optim::Method::parse(m).unwrap())
            .collect();
        let mut now = family_order_study(family, None, &charts, 0.0, &cfg, &|_, _| {}).unwrap();
        for st in [&mut committed_study, &mut now] {
            for m in &mut st.methods {
                for r in &mut m.runs {
                    r.seconds.iter_mut().for_each(|s| *s = 0.0);
                }
            }
        }
        assert!(
            committed_study == now,
            "regenerate {file} with the README's `natflow order` commands"
        );
        studies.push(committed_study);
    }
    // The README's rows: every cell but the measured µs per step.
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let range = |d: &std::collections::BTreeMap<String, Option<f64>>| {
        let v: Vec<f64> = d.values().flatten().copied().collect();
        if v.is_empty() {
            return "–".to_string();
        }
        if v.len() < d.len() {
            return "fail".to_string();
        }
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(*x), b.max(*x))
            });
        if format!("{lo:.2}") == format!("{hi:.2}") {
            format!("{lo:.2}")
        } else {
            format!("{lo:.2}–{hi:.2}")
        }
    };
    let (g, n) = (&studies[0], &studies[1]);
    for (mg, mn) in g.methods.iter().zip(&n.methods) {
        let gap = |x: Option<f64>, fam: &str| match x {
            Some(x) => format!("{x:.2}"),
            None if mg.method == "geo3:rk4" && fam == "normal" => "fail (h = ½)".into(),
            None => "–".into(),
        };
        let steps = *g.steps.last().unwrap() as u64;
        let ev = mg.runs[0].evaluations.last().unwrap();
        let mut calls = format!("{} f", ev.natural_velocities / steps);
        if ev.christoffels > 0 {
            calls += &format!(", {} Γ", (ev.christoffels as f64 / steps as f64).round());
        }
        if ev.exp_maps > 0 {
            calls += &format!(", {} Exp", ev.exp_maps / steps);
        }
        let row = format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            mg.method,
            range(&mg.orders.vs_flow),
            range(&mn.orders.vs_flow),
            gap(mg.orders.invariance_gap, "gamma"),
            gap(mn.orders.invariance_gap, "normal"),
            range(&mg.orders.vs_riemannian_euler),
            calls
        );
        assert!(readme.contains(&row), "README lacks the row {row}");
    }
}
