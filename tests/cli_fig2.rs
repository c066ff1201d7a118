//! `natflow fig2` as a user runs it: the JSON has the documented shape, its numbers are the
//! library's to the last bit (f64 round-trip), the figures are written, and bad input is
//! refused cleanly.

mod common;
use common::natflow;

use natflow::data::gamma_sample;
use natflow::experiments::fig2::{Fig2Config, Fig2Record, run_fig2};

fn out_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("natflow-fig2-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn fig2_writes_json_and_figures_that_round_trip() {
    let dir = out_dir("ok");
    let (code, stdout, stderr) = natflow(&["fig2", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("riemannian-euler"));
    let text = std::fs::read_to_string(dir.join("fig2.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for key in ["lr", "iters", "data", "charts"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in ["file", "n", "mean_x", "mean_log_x"] {
        assert!(v["data"].get(key).is_some(), "missing data.{key}");
    }
    let charts: Vec<&str> = v["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["chart"].as_str().unwrap())
        .collect();
    assert_eq!(charts, ["rate", "scale", "cbrt-rate", "sqrt-both"]);
    for c in v["charts"].as_array().unwrap() {
        let methods: Vec<&str> = c["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["method"].as_str().unwrap())
            .collect();
        assert_eq!(
            methods,
            [
                "ng",
                "mid",
                "geo",
                "geo-f",
                "ng-fine",
                "riemannian-euler",
                "flow"
            ]
        );
        for m in c["methods"].as_array().unwrap() {
            assert_eq!(m["nll"].as_array().unwrap().len(), 11);
            assert_eq!(m["canonical"].as_array().unwrap().len(), 11);
        }
    }
    // Exact round trip: the file's numbers equal an in-process run bit for bit.
    let parsed: Fig2Record = serde_json::from_str(&text).unwrap();
    let (sample, data) = gamma_sample(None).unwrap();
    let direct = run_fig2(&sample, data, &Fig2Config::default()).unwrap();
    assert_eq!(parsed, direct);
    // The figures exist and are real images.
    let png = std::fs::read(dir.join("fig2.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 20_000);
    let svg = std::fs::read_to_string(dir.join("fig2.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("sqrt-both"));
}

#[test]
fn fig2_bad_input_is_one_line_and_exit_2() {
    let csv = std::env::temp_dir().join(format!("natflow-bad-{}.csv", std::process::id()));
    std::fs::write(&csv, "x\n1.0\n-3\n").unwrap();
    let dir = out_dir("bad");
    let cases: Vec<Vec<String>> = vec![
        vec!["--lr".into(), "-1".into()],
        vec!["--lr".into(), "nan".into()],
        vec!["--iters".into(), "0".into()],
        vec!["--data".into(), "/no/such.csv".into()],
        vec!["--data".into(), csv.display().to_string()],
    ];
    for extra in cases {
        let mut args = vec![
            "fig2".to_string(),
            "--out".into(),
            dir.display().to_string(),
        ];
        args.extend(extra.clone());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = natflow(&refs);
        assert_eq!(code, 2, "{extra:?}");
        assert_eq!(err.lines().count(), 1, "{extra:?}: {err}");
        assert!(err.starts_with("natflow: error:"), "{err}");
    }
    let (_, _, err) = natflow(&[
        "fig2",
        "--data",
        csv.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(err.contains(":3"), "names the line: {err}");
}

#[test]
fn fig2_takes_any_method_and_exact_ones_agree_across_charts() {
    let out = out_dir("methods");
    let (code, stdout, stderr) = natflow(&[
        "fig2",
        "--methods",
        "ng,riemannian-mid,exp:rk4,geo3:midpoint",
        "--iters",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("exp:rk4"), "{stdout}");
    let rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("fig2.json")).unwrap()).unwrap();
    let charts = rec["charts"].as_array().unwrap();
    // The exactly invariant methods end on the same distribution in every chart; ng does not.
    let end = |c: &serde_json::Value, m: &str| -> Vec<f64> {
        let run = c["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["method"] == m)
            .unwrap();
        serde_json::from_value(run["canonical"].as_array().unwrap().last().unwrap().clone())
            .unwrap()
    };
    for m in ["riemannian-mid", "exp:rk4"] {
        let first = end(&charts[0], m);
        for c in &charts[1..] {
            let e = end(c, m);
            assert!(
                (e[0] - first[0]).abs() + (e[1] - first[1]).abs() < 1e-8,
                "{m}: {e:?} vs {first:?}"
            );
        }
    }
    let (a, b) = (end(&charts[0], "ng"), end(&charts[1], "ng"));
    assert!((a[0] - b[0]).abs() > 1e-3);
    // A repeated or unknown method: one line, exit 2, nothing written.
    let bad = out_dir("methods-bad");
    for list in ["ng,ng", "ng,exp:rk5"] {
        let (code, _, err) = natflow(&["fig2", "--methods", list, "--out", bad.to_str().unwrap()]);
        assert_eq!(code, 2, "{list}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!bad.join("fig2.json").exists());
    }
}

/// `--alpha`: the connection changes `geo` and `riemannian-euler` but not `ng`, and the exact
/// α-Riemannian Euler step is still chart-invariant.
#[test]
fn fig2_alpha_changes_the_connection_not_the_invariance() {
    let run = |alpha: &str| -> serde_json::Value {
        let out = out_dir(&format!("alpha{alpha}"));
        let (code, _, stderr) = natflow(&[
            "fig2",
            "--methods",
            "ng,geo,riemannian-euler",
            "--iters",
            "4",
            "--alpha",
            alpha,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&std::fs::read_to_string(out.join("fig2.json")).unwrap()).unwrap()
    };
    let (a0, a1) = (run("0"), run("1"));
    assert_eq!(a1["alpha"].as_f64(), Some(1.0));
    let ends = |rec: &serde_json::Value, chart: usize, m: usize| -> Vec<f64> {
        let c = &rec["charts"][chart]["methods"][m]["canonical"];
        serde_json::from_value(c.as_array().unwrap().last().unwrap().clone()).unwrap()
    };
    // ng ignores the connection.
    assert_eq!(ends(&a0, 0, 0), ends(&a1, 0, 0));
    // geo and riemannian-euler use it.
    for m in [1, 2] {
        let (x, y) = (ends(&a0, 0, m), ends(&a1, 0, m));
        assert!((x[0] - y[0]).abs() > 1e-6, "method {m}: {x:?} vs {y:?}");
    }
    // The α = 1 Riemannian Euler step lands on the same distribution in every chart.
    let first = ends(&a1, 0, 2);
    for c in 1..4 {
        let e = ends(&a1, c, 2);
        assert!(
            (e[0] - first[0]).abs() + (e[1] - first[1]).abs() < 1e-8,
            "{e:?} vs {first:?}"
        );
    }
    // A bad α: one line, exit 2.
    let (code, _, err) = natflow(&[
        "fig2",
        "--alpha",
        "nan",
        "--out",
        out_dir("alpha-bad").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
}
