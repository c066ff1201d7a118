//! The command line under bad and edge input, one test per defect found by trying it as a new
//! user would: nothing fails silently, nothing non-finite is printed as a result, a failed
//! command leaves no file behind, and every message names the real problem.

mod common;
use common::natflow;
use std::path::{Path, PathBuf};

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("natflow-hard-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every entry of `dir`, temporary files included.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Asserts exit code 2, exactly one line on stderr starting with `natflow: error:` and
/// containing `needle`, and nothing on stdout.
fn refused(args: &[&str], needle: &str) {
    let (code, out, err) = natflow(args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.starts_with("natflow: error:"), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
    assert!(out.is_empty(), "{args:?}: printed {out}");
}

#[test]
fn an_order_study_that_can_measure_nothing_is_an_error_and_writes_nothing() {
    let dir = scratch("tiny");
    let csv = dir.join("tiny.csv");
    std::fs::write(&csv, "x\n1e-300\n2e-300\n3e-300\n").unwrap();
    let json = dir.join("out.json");
    refused(
        &[
            "order",
            "--data",
            csv.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
        "every run of",
    );
    assert_eq!(entries(&dir), ["tiny.csv"]);
}

#[test]
fn failed_runs_are_reported_and_marked() {
    let dir = scratch("normal");
    let json = dir.join("o.json");
    let (code, out, err) = natflow(&[
        "order",
        "--family",
        "normal",
        "--charts",
        "mean-sd,natural",
        "--methods",
        "ng,geo",
        "--against",
        "flow",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // Which runs fail, found independently by running each method in each chart through the
    // library for every default step count n (h = 1/n) to T = 1.
    use natflow::families::{Normal, NormalChart, NormalSample};
    use natflow::optim::{Method, run};
    use natflow::problem::{ChartProblem, Reparameterisation};
    let sample = NormalSample::from_moments(1.0, 4.0).unwrap();
    let mut failed = vec![];
    for method in ["ng", "geo"] {
        for chart in [NormalChart::MeanSd, NormalChart::Natural] {
            let p = ChartProblem::new(Normal, chart, sample).unwrap();
            let x0 = p.to_chart(&[0.0, 1.0]).unwrap();
            for n in (1..=10).map(|k| 1u64 << k) {
                let m = Method::parse(method).unwrap();
                if run(&p, &m, 1.0 / n as f64, n, x0.as_slice()).is_err() {
                    failed.push((method, p.chart_name(), n));
                }
            }
        }
    }
    assert!(!failed.is_empty());
    assert!(
        err.contains(&format!("warning: {} of 40 runs failed", failed.len())),
        "{err} vs {failed:?}"
    );
    let (m, c, n) = &failed[0];
    let first = format!("{m} in chart '{c}', h = {}", 1.0 / *n as f64);
    assert!(err.contains(&first), "{err} lacks {first}");
    // The JSON records each failure where it happened, and nothing where none did.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for (mi, method) in ["ng", "geo"].iter().enumerate() {
        for (ci, chart) in ["mean-sd", "natural"].iter().enumerate() {
            let fails = &v["methods"][mi]["runs"][ci]["failures"];
            for (k, n) in (1..=10).map(|k| 1u64 << k).enumerate() {
                let expected = failed.contains(&(method, chart.to_string(), n));
                assert_eq!(!fails[k].is_null(), expected, "{method} {chart} n = {n}");
            }
        }
    }
    assert!(out.contains("fail : runs failed"));
}

#[test]
fn an_unmeasurable_order_shows_fail_not_a_dash() {
    // ng in the natural chart with only large steps: every fit has fewer than three good points.
    let (code, out, err) = natflow(&[
        "order",
        "--family",
        "normal",
        "--charts",
        "mean-sd,natural",
        "--methods",
        "ng",
        "--steps",
        "2,4,8",
        "--against",
        "flow",
    ]);
    assert_eq!(code, 0, "{err}");
    let row = out.lines().find(|l| l.starts_with("ng ")).unwrap();
    assert!(row.contains("fail"), "{out}");
}

#[test]
fn non_finite_geometry_is_an_error_naming_what_overflowed() {
    refused(&["geometry", "--at", "1e-300,1e-300"], "the metric");
    refused(&["geometry", "--at", "1e308,1"], "Christoffel symbols");
    refused(
        &["geometry", "--family", "normal", "--at", "0,1e-300"],
        "the metric",
    );
    refused(
        &["geometry", "--at", "1,1", "--velocity", "1e308,1e308"],
        "velocity [1e308, 1e308]",
    );
    // Near (not at) the edge: finite numbers only (JSON writes NaN as null).
    let (code, out, _) = natflow(&["geometry", "--at", "1e-3,1e-3", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["metric", "christoffel", "canonical"] {
        assert!(!v[key].to_string().contains("null"), "{key}: {}", v[key]);
    }
    // Zeros print as 0, never −0 (the mean chart's metric has −0 off the diagonal).
    let (code, out, _) = natflow(&["geometry", "--chart", "mean", "--velocity", "0,0.1"]);
    assert_eq!(code, 0);
    assert!(!out.contains("-0.000000000000e0"), "{out}");
}

#[test]
fn every_geometry_option_is_validated_even_when_unused() {
    refused(&["geometry", "--tol", "NaN"], "--tol");
    refused(&["geometry", "--tol", "10"], "--tol");
    refused(&["geometry", "--tol", "-1"], "--tol");
    refused(&["geometry", "--exp-time", "NaN"], "--exp-time");
    refused(
        &["geometry", "--velocity", "100,-100", "--exp-time", "10"],
        "before t = 10",
    );
}

#[test]
fn step_counts_are_checked() {
    refused(&["order", "--steps", "64,128"], "at least three");
    refused(&["order", "--steps", "2"], "at least three");
    refused(&["order", "--steps", "2,4,10000000"], "out of range");
    refused(&["order", "--steps", "-1,2,4"], "out of range");
    refused(&["order", "--charts", "rate,rate"], "listed twice");
    refused(&["order", "--methods", "ng,ng"], "listed twice");
    refused(&["order", "--against", "riemannian-euler"], "include flow");
}

#[test]
fn negative_numbers_reach_the_range_checks() {
    refused(&["fig2", "--lr", "-0.5"], "--lr must be a positive number");
    refused(&["fig2", "--iters", "-1"], "--iters must be between");
    refused(&["order", "--t-final", "-1"], "final time must be positive");
}

#[test]
fn a_failed_command_leaves_no_file_behind() {
    let dir = scratch("atomic");
    // An output path that is a directory: refused before any work, nothing written.
    std::fs::create_dir(dir.join("fig2.svg")).unwrap();
    refused(&["fig2", "--out", dir.to_str().unwrap()], "fig2.svg");
    assert_eq!(entries(&dir), ["fig2.svg"]);
    std::fs::remove_dir(dir.join("fig2.svg")).unwrap();
    std::fs::create_dir(dir.join("fig2.png")).unwrap();
    refused(&["fig2", "--out", dir.to_str().unwrap()], "fig2.png");
    assert_eq!(entries(&dir), ["fig2.png"]);
    std::fs::remove_dir(dir.join("fig2.png")).unwrap();
    // A plot directory that cannot be created (its parent is a file): no JSON left behind.
    std::fs::write(dir.join("file"), "").unwrap();
    let json = dir.join("ok.json");
    let plot = dir.join("file").join("plots");
    refused(
        &[
            "order",
            "--json",
            json.to_str().unwrap(),
            "--plot",
            plot.to_str().unwrap(),
            "--steps",
            "2,4,8",
        ],
        "plots",
    );
    assert_eq!(entries(&dir), ["file"]);
    // A failure after the outputs were planned (bad data) removes the directories it made.
    let out = dir.join("new").join("sub");
    refused(
        &[
            "fig2",
            "--out",
            out.to_str().unwrap(),
            "--data",
            "/no/such.csv",
        ],
        "/no/such.csv",
    );
    assert_eq!(entries(&dir), ["file"]);
}

#[test]
fn a_diverging_method_is_recorded_not_fatal() {
    let dir = scratch("lr1");
    let (code, out, err) = natflow(&["fig2", "--lr", "1", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // Where ng must fail in the scale chart (α, s), by hand: the natural velocity there is
    // J⁻¹f_θ with f_θ = −G⁻¹∇L in (α, β = 1/s) (G⁻¹ by the 2×2 formula) and J⁻¹ = diag(1, −s²);
    // step with h = 1 from (1, 1) until a step leaves α > 0, s > 0.
    use natflow::special::{digamma, trigamma};
    let st = natflow::data::gamma_sample(None).unwrap().0;
    let (mut a, mut sc) = (1.0f64, 1.0f64);
    let mut expected = None;
    for k in 0..10 {
        let b = 1.0 / sc;
        let (g11, g12, g22) = (trigamma(a), -1.0 / b, a / (b * b));
        let det = g11 * g22 - g12 * g12;
        let (d1, d2) = (digamma(a) - b.ln() - st.mean_log_x, -a / b + st.mean_x);
        let (fa, fb) = (-(g22 * d1 - g12 * d2) / det, -(g11 * d2 - g12 * d1) / det);
        a += fa;
        sc += -sc * sc * fb;
        if !(a > 0.0 && sc > 0.0) {
            expected = Some(k);
            break;
        }
    }
    let expected = expected.expect("ng leaves the domain at lr 1 in the scale chart");
    assert!(out.contains(&format!("failed@{expected}")), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fig2.json")).unwrap()).unwrap();
    let scale = &v["charts"][1];
    assert_eq!(scale["chart"], "scale");
    let ng = &scale["methods"][0];
    assert_eq!(ng["failed_at"], expected);
    assert_eq!(ng["nll"].as_array().unwrap().len(), expected + 1);
    assert!(
        ng["reason"]
            .as_str()
            .unwrap()
            .contains("outside the domain")
    );
    // The others ran all ten steps.
    let flow = &scale["methods"][6];
    assert!(flow["failed_at"].is_null());
    assert_eq!(flow["nll"].as_array().unwrap().len(), 11);
    assert_eq!(entries(&dir), ["fig2.json", "fig2.png", "fig2.svg"]);
}

#[test]
fn tiny_steps_and_horizons_work() {
    let dir = scratch("tinylr");
    let (code, _, err) = natflow(&["fig2", "--lr", "1e-300", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fig2.json")).unwrap()).unwrap();
    for c in v["charts"].as_array().unwrap() {
        for m in c["methods"].as_array().unwrap() {
            assert!(m["failed_at"].is_null(), "{}: {}", m["method"], m["reason"]);
        }
    }
    let (code, out, err) = natflow(&["order", "--t-final", "1e-300", "--steps", "2,4,8"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().next().unwrap().contains("T = 1e-300,"), "{out}");
}

#[test]
fn tables_fit_their_chart_names() {
    let (code, out, err) = natflow(&[
        "order",
        "--family",
        "normal",
        "--charts",
        "mean-log-sd",
        "--methods",
        "ng,rk4",
        "--steps",
        "8,16,32,64",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("mean-log-sd"), "{out}");
    // Every row of the table puts its separators in the same columns.
    let rows: Vec<&str> = out.lines().skip(1).take(4).collect();
    let bars = |l: &str| -> Vec<usize> {
        l.chars()
            .enumerate()
            .filter(|(_, c)| *c == '|')
            .map(|(i, _)| i)
            .collect()
    };
    for r in &rows {
        assert_eq!(bars(r), bars(rows[0]), "{out}");
    }
    assert!(
        rows.iter()
            .all(|r| r.trim_end().ends_with("n/a") || !r.starts_with("ng"))
    );
}

#[test]
fn order_help_lists_methods_and_charts_per_family() {
    let (code, out, _) = natflow(&["order", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Methods: ng, mid"), "{out}");
    assert!(out.contains("dopri5"));
    assert!(out.contains("Charts of gamma (default rate,scale,cbrt-rate,sqrt-both)"));
    assert!(out.contains("Charts of normal") && out.contains("mean-log-sd"));
}
