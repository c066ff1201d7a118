//! `natflow order` as a user runs it: JSON of the documented shape, figures, a table, and bad
//! input refused with one line and exit code 2.

mod common;
use common::natflow;

#[test]
fn order_json_and_plots() {
    let dir = std::env::temp_dir().join(format!("natflow-order-{}", std::process::id()));
    let json = dir.join("order.json");
    let (code, out, err) = natflow(&[
        "order",
        "--family",
        "normal",
        "--steps",
        "4,8,16,32,64",
        "--methods",
        "ng,mid,geo,riemannian-euler",
        "--json",
        json.to_str().unwrap(),
        "--plot",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("order vs flow") && out.contains("mean-var"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for key in ["family", "t_final", "start_canonical", "charts", "methods"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["family"], "normal");
    let m = &v["methods"][0];
    for key in [
        "method",
        "h",
        "runs",
        "invariance_gap",
        "invariance_gap_kl",
        "orders",
    ] {
        assert!(m.get(key).is_some(), "missing methods[].{key}");
    }
    assert_eq!(m["h"].as_array().unwrap().len(), 5);
    for key in [
        "chart",
        "endpoint_canonical",
        "error_vs_flow",
        "kl_vs_flow",
        "error_vs_riemannian_euler",
    ] {
        assert!(m["runs"][0].get(key).is_some(), "missing runs[].{key}");
    }
    for key in ["vs_flow", "vs_riemannian_euler", "invariance_gap"] {
        assert!(m["orders"].get(key).is_some(), "missing orders.{key}");
    }
    assert!(m["orders"]["vs_flow"]["mean-sd"].is_f64());
    // Riemannian Euler agrees with itself: its order against itself is null.
    assert!(v["methods"][3]["orders"]["vs_riemannian_euler"]["mean-sd"].is_null());
    for stem in ["order_error", "order_gap", "order_work"] {
        let png = std::fs::read(dir.join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[..4], b"\x89PNG");
        assert!(dir.join(format!("{stem}.svg")).exists());
    }
}

#[test]
fn order_bad_input_is_one_line_and_exit_2() {
    let bad: [&[&str]; 7] = [
        &["order", "--methods", "ng,warp"],
        &["order", "--charts", "rate,nope"],
        &["order", "--steps", "2,x"],
        &["order", "--steps", "0,2"],
        &["order", "--t-final", "-1"],
        &["order", "--start", "1,-1"],
        &["order", "--family", "weibull"],
    ];
    for args in bad {
        let (code, _, err) = natflow(args);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("natflow: error:"));
    }
}
