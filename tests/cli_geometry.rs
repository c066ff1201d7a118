//! `natflow geometry` as a user runs it: JSON that parses and carries correct values, and bad
//! input refused with one line and exit code 2.

mod common;
use common::natflow;

use serde_json::Value;
use std::f64::consts::PI;

fn json(args: &[&str]) -> Value {
    let (code, out, err) = natflow(args);
    assert_eq!(code, 0, "stderr: {err}");
    serde_json::from_str(&out).expect("one JSON object")
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn json_has_the_documented_keys_and_values() {
    let v = json(&[
        "geometry",
        "--family",
        "gamma",
        "--chart",
        "rate",
        "--at",
        "2,3",
        "--velocity",
        "0.5,-1",
        "--json",
    ]);
    for key in [
        "family",
        "chart",
        "point",
        "canonical",
        "metric",
        "christoffel",
        "velocity",
        "gamma_vv",
        "exp",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["family"], "gamma");
    assert_eq!(v["chart"], "rate");
    // G(2, 3) = [[ψ₁(2), −1/3], [−1/3, 2/9]] with ψ₁(2) = π²/6 − 1.
    let g: Vec<Vec<f64>> = v["metric"].as_array().unwrap().iter().map(nums).collect();
    assert!((g[0][0] - (PI * PI / 6.0 - 1.0)).abs() < 1e-15);
    assert!((g[0][1] + 1.0 / 3.0).abs() < 1e-15 && (g[1][0] + 1.0 / 3.0).abs() < 1e-15);
    assert!((g[1][1] - 2.0 / 9.0).abs() < 1e-15);
    // christoffel[k][i][j]: Γ^α_αβ = 1/(2βΔ), Δ = αψ₁(α) − 1 (here 2(π²/6 − 1) − 1).
    let delta = 2.0 * (PI * PI / 6.0 - 1.0) - 1.0;
    let c = v["christoffel"][0][0][1].as_f64().unwrap();
    assert!((c - 1.0 / (6.0 * delta)).abs() < 1e-13 * c.abs());
    assert_eq!(nums(&v["exp"]["canonical"]).len(), 2);
    assert_eq!(v["exp"]["time"].as_f64(), Some(1.0));
}

#[test]
fn exp_endpoint_is_the_same_distribution_from_every_chart() {
    // Same start (α, β) = (2, 3) and the same tangent vector w = (0.5, −1) in canonical
    // coordinates, expressed in each chart by J⁻¹w (computed by hand for each chart).
    let cases: [(&str, &str, &str); 4] = [
        ("rate", "2,3", "0.5,-1"),
        ("scale", "2,0.3333333333333333", "0.5,0.1111111111111111"), // ds = −dβ/β²
        (
            "sqrt-both",
            "1.4142135623730951,1.7320508075688772",
            "0.1767766952966369,-0.2886751345948129",
        ), // da = dα/(2a)
        ("mean", "2,0.6666666666666666", "0.5,0.38888888888888884"), // dm = dα/β − α dβ/β²
    ];
    let mut ends = Vec::new();
    for (chart, at, vel) in cases {
        let v = json(&[
            "geometry",
            "--chart",
            chart,
            "--at",
            at,
            "--velocity",
            vel,
            "--json",
        ]);
        ends.push(nums(&v["exp"]["canonical"]));
    }
    for e in &ends[1..] {
        for k in 0..2 {
            assert!(
                (e[k] - ends[0][k]).abs() < 1e-9 * ends[0][k].abs(),
                "{e:?} vs {:?}",
                ends[0]
            );
        }
    }
}

#[test]
fn table_output_and_defaults_work() {
    let (code, out, _) = natflow(&["geometry"]);
    assert_eq!(code, 0);
    assert!(out.contains("Christoffel") && out.contains("metric"));
    let v = json(&["geometry", "--family", "normal", "--json"]);
    assert_eq!(nums(&v["canonical"]), vec![0.0, 1.0]);
    assert!(v["exp"].is_null() && v["gamma_vv"].is_null());
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let bad: [&[&str]; 9] = [
        &["geometry", "--chart", "bogus"],
        &["geometry", "--family", "weibull"],
        &["geometry", "--at", "1,-1"],
        &["geometry", "--at", "1,0"],
        &["geometry", "--at", "nan,1"],
        &["geometry", "--at", "1,2,3"],
        &["geometry", "--at", "1,x"],
        &["geometry", "--velocity", "1"],
        &["geometry", "--no-such-flag"],
    ];
    for args in bad {
        let (code, out, err) = natflow(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?} printed to stdout");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("natflow: error:"), "{err}");
        assert!(!err.contains("panicked"));
    }
}
