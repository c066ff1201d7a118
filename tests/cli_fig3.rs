//! `natflow fig3` as a user runs it, at the seconds-long `smoke` scale: well-formed JSON whose
//! records agree with what the engine and the task definitions imply, the figures, identical
//! results from the same seeds, and bad settings refused with nothing left behind.

mod common;
use common::natflow;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("natflow-fig3-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn smoke(out: &Path) -> Value {
    let (code, stdout, stderr) = natflow(&[
        "fig3",
        "--scale",
        "smoke",
        "--tasks",
        "curves,mnist-class",
        "--methods",
        "ng,geo-f,adam",
        "--seeds",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.contains("curves 784-8-4-8-784"), "{stdout}");
    let text = std::fs::read_to_string(out.join("fig3.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_smoke_run_writes_consistent_records_and_figures() {
    let out = dir("smoke");
    let rec = smoke(&out);
    assert_eq!(rec["config"]["scale"], "smoke");
    let tasks = rec["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    for task in tasks {
        let name = task["task"].as_str().unwrap();
        let classifier = name == "mnist-class";
        assert_eq!(
            task["architecture"],
            if classifier {
                "784-8-10"
            } else {
                "784-8-4-8-784"
            }
        );
        let n_train = task["n_train"].as_u64().unwrap();
        assert_eq!((n_train, task["n_test"].as_u64().unwrap()), (64, 32));
        let runs = task["runs"].as_array().unwrap();
        // Method by method, seed by seed.
        let order: Vec<(String, u64)> = runs
            .iter()
            .map(|r| {
                (
                    r["method"].as_str().unwrap().into(),
                    r["seed"].as_u64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, u64)> = ["ng", "geo-f", "adam"]
            .iter()
            .flat_map(|m| [1, 2].map(|s| (m.to_string(), s)))
            .collect();
        assert_eq!(order, want);
        for run in runs {
            let method = run["method"].as_str().unwrap();
            let records = run["records"].as_array().unwrap();
            // The smoke scale's two updates, the start first.
            assert_eq!(records.len(), 3);
            let mut last_wall = 0.0;
            for (k, r) in records.iter().enumerate() {
                assert_eq!(r["iter"].as_u64().unwrap() as usize, k);
                let wall = r["wall_s"].as_f64().unwrap();
                assert!(wall >= last_wall);
                last_wall = wall;
                let (train, test) = (
                    r["train_error"].as_f64().unwrap(),
                    r["test_error"].as_f64().unwrap(),
                );
                if classifier {
                    // Error rates: a whole number of the 64 (32) examples.
                    assert!(((train * 64.0) - (train * 64.0).round()).abs() < 1e-9);
                    assert!(((test * 32.0) - (test * 32.0).round()).abs() < 1e-9);
                } else {
                    // Squared error summed over 784 pixels in [0, 1]: between 0 and 784.
                    assert!(train > 0.0 && train < 784.0 && test > 0.0 && test < 784.0);
                }
                let p = &r["products"];
                // One full-batch gradient per update; curvature products only for the
                // second-order methods; no corrections while λ (from 45) is above the
                // threshold of 10.
                assert_eq!(p["gradient"].as_u64().unwrap() as usize, k);
                let fv = p["fisher_vector"].as_u64().unwrap();
                assert_eq!(fv == 0, method == "adam" || k == 0);
                assert_eq!(p["connection_vector"].as_u64().unwrap(), 0);
                assert_eq!(r["corrected"], false);
            }
        }
    }
    let png = std::fs::read(out.join("fig3.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(out.join("fig3.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("mnist-class"));
    // The same seeds give the same numbers (wall times aside).
    let again = smoke(&dir("smoke-again"));
    let strip = |v: &Value| -> Vec<f64> {
        v["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["runs"].as_array().unwrap().iter())
            .flat_map(|r| r["records"].as_array().unwrap().iter())
            .flat_map(|r| {
                ["train_loss", "train_error", "test_error", "lambda"]
                    .map(|k| r[k].as_f64().unwrap())
            })
            .collect()
    };
    assert_eq!(strip(&rec), strip(&again));
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(dir("smoke-again"));
}

#[test]
fn bad_settings_are_refused_with_nothing_written() {
    let out = dir("bad");
    let o = out.to_str().unwrap();
    for (args, says) in [
        (vec!["--scale", "huge"], "scale"),
        (vec!["--tasks", "curves,faces"], "task"),
        (vec!["--methods", "ng,newton"], "method"),
        (vec!["--methods", "ng,ng"], "twice"),
        (vec!["--seeds", "0"], "--seeds"),
        (vec!["--iters", "0"], "--iters"),
        (vec!["--alpha", "nan"], "--alpha"),
        (vec!["--threshold", "-1"], "--threshold"),
    ] {
        let mut all = vec!["fig3", "--scale", "smoke", "--out", o];
        all.extend(args.iter());
        let (code, _, stderr) = natflow(&all);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} left {out:?} behind");
    }
    // Fashion-MNIST asked for but not where it is said to be: a clear error, nothing written.
    let empty = dir("no-fashion");
    std::fs::create_dir_all(&empty).unwrap();
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_natflow"))
        .args([
            "fig3",
            "--scale",
            "smoke",
            "--tasks",
            "fashion-ae",
            "--out",
            o,
        ])
        .env("NATFLOW_FASHION_MNIST", &empty)
        .output()
        .unwrap();
    let stderr = String::from_utf8(result.stderr).unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr.contains("train-images-idx3-ubyte"), "{stderr}");
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&empty);
}
