//! `natflow rl replay`, `natflow rl train` and `natflow fig4` as a user runs them: JSON in the
//! documented shape whose numbers agree with the environments' definitions and the LQR's
//! Riccati optimum, figures written, and bad input refused with one line, exit code 2 and
//! nothing left behind.

mod common;
use common::natflow;
use serde_json::Value;
use std::path::PathBuf;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("natflow-rl-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn actions(dir: &std::path::Path, text: &str) -> String {
    let p = dir.join(format!("actions-{}.txt", text.len()));
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn f32r(x: f64) -> f64 {
    x as f32 as f64
}

#[test]
fn replay_prints_the_documented_json() {
    let d = tmp("replay");
    let a = actions(&d, "1.0\n# a comment\n\n5\n");
    let (code, out, err) = natflow(&[
        "rl",
        "replay",
        "--env",
        "Pendulum-v1",
        "--state",
        "0,0",
        "--actions",
        &a,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["env"], "Pendulum-v1");
    let obs = v["observations"].as_array().unwrap();
    assert_eq!(obs.len(), 2);
    // Step 1 from rest with torque 1: θ̇ = 0.15, θ = 0.0075 (see the Pendulum's definition).
    let o0: Vec<f64> = serde_json::from_value(obs[0].clone()).unwrap();
    assert_eq!(
        o0,
        vec![f32r(0.0075f64.cos()), f32r(0.0075f64.sin()), f32r(0.15)]
    );
    // Step 2: the torque 5 is clipped to 2, so θ̇ gains 3·2·0.05 plus gravity's 15 sin θ·0.05.
    let o1: Vec<f64> = serde_json::from_value(obs[1].clone()).unwrap();
    let thdot = 0.15 + (15.0 * 0.0075f64.sin() + 6.0) * 0.05;
    assert!((o1[2] - thdot).abs() < 1e-6, "{o1:?}");
    assert_eq!(v["rewards"][0].as_f64().unwrap(), -f64::from(0.001_f32));
    assert_eq!(v["terminated"], serde_json::json!([false, false]));
    assert_eq!(v["truncated"], serde_json::json!([false, false]));
    // Discrete actions; the time limit counts from the replayed state.
    let a = actions(&d, &"1\n".repeat(3));
    let (code, out, _) = natflow(&[
        "rl",
        "replay",
        "--env",
        "CartPole-v1",
        "--state",
        "0,0,0,0",
        "--actions",
        &a,
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rewards"], serde_json::json!([1.0, 1.0, 1.0]));
    let a200 = actions(&d, &"0.1\n".repeat(201));
    let (code, out, _) = natflow(&[
        "rl",
        "replay",
        "--env",
        "Pendulum-v1",
        "--state",
        "3,0",
        "--actions",
        &a200,
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let trunc: Vec<bool> = serde_json::from_value(v["truncated"].clone()).unwrap();
    assert_eq!(trunc.iter().position(|&t| t), Some(199));
    // Without --json: a table.
    let (code, out, _) = natflow(&[
        "rl",
        "replay",
        "--env",
        "CartPole-v1",
        "--state",
        "0,0,0,0",
        "--actions",
        &a,
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("reward") && out.lines().count() == 5, "{out}");
}

#[test]
fn replay_refuses_bad_input() {
    let d = tmp("replay-bad");
    let cont = actions(&d, "0.5\n");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--env".into(),
                "Pendulum-v9".into(),
                "--state".into(),
                "0,0".into(),
                "--actions".into(),
                cont.clone(),
            ],
            "unknown environment",
        ),
        (
            vec![
                "--env".into(),
                "Pendulum-v1".into(),
                "--state".into(),
                "0".into(),
                "--actions".into(),
                cont.clone(),
            ],
            "expected 2",
        ),
        (
            vec![
                "--env".into(),
                "Pendulum-v1".into(),
                "--state".into(),
                "nan,0".into(),
                "--actions".into(),
                cont.clone(),
            ],
            "not a finite number",
        ),
        (
            vec![
                "--env".into(),
                "Pendulum-v1".into(),
                "--state".into(),
                "0,0".into(),
                "--actions".into(),
                d.join("missing.txt").to_str().unwrap().into(),
            ],
            "missing.txt",
        ),
    ];
    for (args, msg) in cases {
        let mut full = vec!["rl".to_string(), "replay".into()];
        full.extend(args);
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let (code, out, err) = natflow(&refs);
        assert_eq!(code, 2, "{full:?}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(msg), "{full:?}: {err}");
    }
    for (env, state, text, msg) in [
        (
            "Pendulum-v1",
            "0,0",
            "0.5\nabc\n",
            ":2: 'abc' is not a finite number",
        ),
        (
            "Pendulum-v1",
            "0,0",
            "0.5,1\n",
            "expected 1 comma-separated",
        ),
        ("CartPole-v1", "0,0,0,0", "2\n", "not an action index (0…1)"),
        ("CartPole-v1", "2.39,1,0,0", "1\n1\n", "past termination"),
        ("Acrobot-v1", "0,0,0,0", "", "no actions"),
    ] {
        let a = actions(&d, text);
        let (code, _, err) = natflow(&[
            "rl",
            "replay",
            "--env",
            env,
            "--state",
            state,
            "--actions",
            &a,
            "--json",
        ]);
        assert_eq!(code, 2, "{env} {text:?}");
        assert!(err.contains(msg), "{env} {text:?}: {err}");
    }
}

#[test]
fn train_on_lqr_writes_the_system_optimum_and_costs() {
    let d = tmp("train");
    let json = d.join("lqr.json");
    let (code, out, err) = natflow(&[
        "rl",
        "train",
        "--env",
        "lqr",
        "--method",
        "geo",
        "--steps",
        "5000",
        "--batch-steps",
        "2500",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Riccati optimum"), "{out}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for key in [
        "A",
        "B",
        "Q",
        "R",
        "gamma",
        "x0_cov",
        "noise_cov",
        "optimal_cost",
        "K_opt",
        "final_cost",
    ] {
        assert!(!v[key].is_null(), "missing {key}");
    }
    let h = v["history"].as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["cost"], v["final_cost"]);
    assert!(v["final_cost"].as_f64().unwrap() > v["optimal_cost"].as_f64().unwrap());
    // K_opt is 2 × 4 (two inputs, four states) and J* > 0.
    assert_eq!(v["K_opt"].as_array().unwrap().len(), 2);
    assert_eq!(v["K_opt"][0].as_array().unwrap().len(), 4);
    assert_eq!(v["config"]["method"], "geo");
    // Bad settings: exit 2, nothing written.
    let bad = d.join("bad.json");
    for args in [
        vec!["--env", "lqr", "--method", "trpo"],
        vec!["--env", "CartPole-v1", "--steps", "10"],
        vec!["--env", "CartPole-v1", "--steps", "5000", "--delta", "-1"],
    ] {
        let mut full = vec!["rl", "train", "--json", bad.to_str().unwrap()];
        full.extend(args.iter());
        let (code, _, err) = natflow(&full);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!bad.exists());
    }
}

#[test]
fn train_takes_a_user_lqr_system() {
    // x' = 0.9x + u + w, cost x² + u², γ = 0.9, Σ₀ = 1, no noise: the scalar Riccati equation
    // 0.9P² − (1 − 0.9·0.81 − 0.9)·(−1)P − 1 = 0 gives P = (0.629 + √(0.629² + 3.6))/1.8 = J*.
    let d = tmp("system");
    let sys = d.join("sys.json");
    std::fs::write(
        &sys,
        r#"{"A": [[0.9]], "B": [[1.0]], "Q": [[1.0]], "R": [[1.0]], "gamma": 0.9,
            "x0_cov": [[1.0]], "noise_cov": [[0.0]], "horizon": 100}"#,
    )
    .unwrap();
    let json = d.join("run.json");
    let (code, _, err) = natflow(&[
        "rl",
        "train",
        "--env",
        "lqr",
        "--lqr-system",
        sys.to_str().unwrap(),
        "--steps",
        "2000",
        "--batch-steps",
        "1000",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let p = (0.629 + (0.629f64 * 0.629 + 3.6).sqrt()) / 1.8;
    approx::assert_relative_eq!(v["optimal_cost"].as_f64().unwrap(), p, max_relative = 1e-12);
    assert_eq!(v["gamma"], 0.9);
    assert_eq!(v["config"]["gamma"], 0.9);
    // A malformed system file, or one given to another environment: one line, exit 2.
    std::fs::write(d.join("bad.json"), r#"{"A": [[1.0]]}"#).unwrap();
    for (env, file) in [("lqr", "bad.json"), ("CartPole-v1", "sys.json")] {
        let (code, _, err) = natflow(&[
            "rl",
            "train",
            "--env",
            env,
            "--lqr-system",
            d.join(file).to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{env}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// `natflow fig4` on CartPole and lqr, two methods, two seeds, two updates; its JSON.
fn fig4_smoke(d: &std::path::Path) -> Value {
    let (code, out, err) = natflow(&[
        "fig4",
        "--envs",
        "CartPole-v1,lqr",
        "--methods",
        "npg,geo-f",
        "--seeds",
        "2",
        "--steps",
        "2000",
        "--batch-steps",
        "1000",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Riccati optimum"), "{out}");
    serde_json::from_str(&std::fs::read_to_string(d.join("fig4.json")).unwrap()).unwrap()
}

#[test]
fn fig4_smoke_run_writes_records_and_figures() {
    let d = tmp("fig4");
    let v = fig4_smoke(&d);
    let envs = v["envs"].as_array().unwrap();
    assert_eq!(envs.len(), 2);
    for e in envs {
        let runs = e["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 4);
        for r in runs {
            assert_eq!(r["timesteps"], serde_json::json!([1000, 2000]));
            assert_eq!(r["kl"].as_array().unwrap().len(), 2);
            assert!(
                r["kl"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|k| k.as_f64().unwrap() <= 1.5 * e["delta"].as_f64().unwrap())
            );
        }
    }
    assert!(envs[1]["optimal_cost"].as_f64().unwrap() > 0.0);
    for f in ["fig4.svg", "fig4.png"] {
        assert!(std::fs::metadata(d.join(f)).unwrap().len() > 1000, "{f}");
    }
    // Same seeds, same numbers.
    let v2 = fig4_smoke(&tmp("fig4-again"));
    for (a, b) in v["envs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(v2["envs"].as_array().unwrap())
    {
        for (ra, rb) in a["runs"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["runs"].as_array().unwrap())
        {
            assert_eq!(ra["mean_return"], rb["mean_return"]);
            assert_eq!(ra["kl"], rb["kl"]);
        }
    }
    // Bad settings leave nothing behind.
    let bad = tmp("fig4-bad").join("out");
    for args in [
        vec!["--envs", "CartPole-v1,CartPole-v1"],
        vec!["--methods", "npg,sgd"],
        vec!["--seeds", "0"],
        vec!["--steps", "0"],
        vec!["--envs", "lqr", "--steps", "100"],
    ] {
        let mut full = vec!["fig4", "--out", bad.to_str().unwrap()];
        full.extend(args.iter());
        let (code, _, err) = natflow(&full);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!bad.exists(), "{args:?}");
    }
}
