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
