//! `natflow nn probe` as a user runs it: its JSON against independent computations of the same
//! quantities (forward-mode AD of the dense network, the expectation formula of the
//! α-connection, dense solves), and bad files refused with one line and exit code 2.

mod common;
use approx::assert_relative_eq;
use common::natflow;
use nalgebra::{DMatrix, DVector};
use natflow::geometry::Metric;
use natflow::model::alpha_connection;
use natflow::nn::dense::{DenseMlp, ExampleModel};
use natflow::nn::io::{read_dataset, read_network};
use num_dual::Dual64;
use serde_json::{Value, json};
use std::path::PathBuf;

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("natflow-nn-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn nums(v: &Value) -> DVector<f64> {
    DVector::from_iterator(
        v.as_array().unwrap().len(),
        v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()),
    )
}

/// A 2-2-3 softmax classifier with tanh hidden units on 5 examples.
fn write_files(d: &std::path::Path) -> (PathBuf, PathBuf, PathBuf) {
    let net = json!({
        "input_dim": 2,
        "layers": [
            {"activation": "tanh", "w": [[0.3, -0.7], [0.5, 0.2]], "b": [0.1, -0.2]},
            {"activation": "linear", "w": [[0.4, -0.3], [-0.6, 0.8], [0.2, 0.5]], "b": [0.0, 0.1, -0.1]}
        ],
        "output": "categorical"
    });
    let data = json!({
        "x": [[0.5, -1.0], [1.5, 0.3], [-0.4, 0.9], [0.0, 0.0], [2.0, -0.5]],
        "y": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0.3, 0.5], [0, 1, 0]]
    });
    let v = json!({"v": [0.2, -0.1, 0.4, 0.3, -0.5, 0.1, 0.7, -0.2, 0.05, 0.3, -0.4, 0.6, 0.1, -0.3, 0.2]});
    let paths = (d.join("net.json"), d.join("data.json"), d.join("v.json"));
    std::fs::write(&paths.0, net.to_string()).unwrap();
    std::fs::write(&paths.1, data.to_string()).unwrap();
    std::fs::write(&paths.2, v.to_string()).unwrap();
    paths
}

#[test]
fn probe_matches_independent_computations() {
    let d = dir("probe");
    let (net_p, data_p, v_p) = write_files(&d);
    let (code, out, err) = natflow(&[
        "nn",
        "probe",
        "--net",
        net_p.to_str().unwrap(),
        "--data",
        data_p.to_str().unwrap(),
        "--vector",
        v_p.to_str().unwrap(),
        "--alpha",
        "0,-1",
        "--damping",
        "0.01",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["n_params"], 15);
    let (net, theta) = read_network(&net_p).unwrap();
    let data = read_dataset(&data_p, &net).unwrap();
    let dense = DenseMlp {
        net: &net,
        data: &data,
    };
    let v: Vec<f64> = nums(&json!([
        0.2, -0.1, 0.4, 0.3, -0.5, 0.1, 0.7, -0.2, 0.05, 0.3, -0.4, 0.6, 0.1, -0.3, 0.2
    ]))
    .iter()
    .copied()
    .collect();
    // Gradient by forward-mode AD of the dense loss.
    let mut td: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
    let grad = DVector::from_fn(15, |j, _| {
        td[j].eps = 1.0;
        let g = dense.loss(&td).eps;
        td[j].eps = 0.0;
        g
    });
    assert_relative_eq!(nums(&r["grad"]), grad, max_relative = 1e-10);
    assert_relative_eq!(
        r["loss"].as_f64().unwrap(),
        dense.loss(&theta),
        max_relative = 1e-12
    );
    // F from AD, damped solves.
    let f = dense.metric(&theta).unwrap();
    let vv = DVector::from_column_slice(&v);
    assert_relative_eq!(nums(&r["fisher_v"]), &f * &vv, max_relative = 1e-10);
    let fd = &f + DMatrix::identity(15, 15) * 0.01;
    let chol = fd.clone().cholesky().unwrap();
    assert_relative_eq!(
        nums(&r["natural_gradient"]),
        chol.solve(&grad),
        max_relative = 1e-8
    );
    for (label, alpha) in [("0", 0.0), ("-1", -1.0)] {
        let mut c = DVector::zeros(15);
        for n in 0..data.n {
            c += alpha_connection(&ExampleModel { dense, n }, &theta, &v, alpha).unwrap()
                / data.n as f64;
        }
        assert_relative_eq!(nums(&r["connection_vv"][label]), c, max_relative = 1e-9);
        assert_relative_eq!(
            nums(&r["christoffel_vv"][label]),
            chol.solve(&c),
            max_relative = 1e-8
        );
    }
    assert_eq!(r["solve"], "dense");
    // Without a vector the v-dependent keys are absent; with --repeat, timings appear.
    let (code, out, _) = natflow(&[
        "nn",
        "probe",
        "--net",
        net_p.to_str().unwrap(),
        "--data",
        data_p.to_str().unwrap(),
        "--damping",
        "0.01",
        "--repeat",
        "3",
        "--json",
    ]);
    assert_eq!(code, 0);
    let r: Value = serde_json::from_str(&out).unwrap();
    for key in ["fisher_v", "connection_vv", "christoffel_vv"] {
        assert!(r.get(key).is_none(), "{key}");
    }
    assert!(r["timings"]["gradient_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn probe_refuses_bad_input() {
    let d = dir("bad");
    let (net_p, data_p, v_p) = write_files(&d);
    let write = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let swish = write(
        "swish.json",
        r#"{"input_dim": 2, "layers": [{"activation": "swish", "w": [[1, 2]], "b": [0]}], "output": "gaussian"}"#,
    );
    let short_row = write(
        "short.json",
        r#"{"input_dim": 2, "layers": [{"activation": "linear", "w": [[1]], "b": [0]}], "output": "gaussian"}"#,
    );
    let not_linear = write(
        "nl.json",
        r#"{"input_dim": 2, "layers": [{"activation": "tanh", "w": [[1, 2]], "b": [0]}], "output": "gaussian"}"#,
    );
    let bad_y = write("bady.json", r#"{"x": [[0, 1]], "y": [[0.5, 0.1, 0.1]]}"#);
    let wide_x = write("widex.json", r#"{"x": [[0, 1, 2]], "y": [[1, 0, 0]]}"#);
    let empty = write("empty.json", r#"{"x": [], "y": []}"#);
    let short_v = write("shortv.json", r#"{"v": [1, 2]}"#);
    let garbage = write("garbage.json", "{not json");
    let n = net_p.to_str().unwrap();
    let dd = data_p.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["--net", swish.to_str().unwrap(), "--data", dd],
        vec!["--net", short_row.to_str().unwrap(), "--data", dd],
        vec!["--net", not_linear.to_str().unwrap(), "--data", dd],
        vec!["--net", n, "--data", bad_y.to_str().unwrap()],
        vec!["--net", n, "--data", wide_x.to_str().unwrap()],
        vec!["--net", n, "--data", empty.to_str().unwrap()],
        vec![
            "--net",
            n,
            "--data",
            dd,
            "--vector",
            short_v.to_str().unwrap(),
        ],
        vec!["--net", garbage.to_str().unwrap(), "--data", dd],
        vec!["--net", "/no/such.json", "--data", dd],
        vec!["--net", n, "--data", dd, "--damping", "-1"],
        vec!["--net", n, "--data", dd, "--alpha", "x"],
        // 15 parameters, 5 examples × rank 2: F is singular without damping.
        vec!["--net", n, "--data", dd, "--vector", v_p.to_str().unwrap()],
    ];
    for extra in cases {
        let mut args = vec!["nn", "probe", "--json"];
        args.extend(extra.iter());
        let (code, out, err) = natflow(&args);
        assert_eq!(code, 2, "{extra:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{extra:?}: {err}");
        assert!(err.starts_with("natflow: error:"), "{err}");
        assert!(out.is_empty());
    }
}

#[test]
fn train_writes_records_and_refuses_bad_input() {
    let d = dir("train");
    let (net_p, data_p, _) = write_files(&d);
    let json_p = d.join("run.json");
    let (code, out, err) = natflow(&[
        "nn",
        "train",
        "--net",
        net_p.to_str().unwrap(),
        "--data",
        data_p.to_str().unwrap(),
        "--method",
        "geo-f",
        "--iters",
        "5",
        "--lambda",
        "1",
        "--threshold",
        "1e9",
        "--json",
        json_p.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("geo-f on 15 parameters"), "{out}");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&json_p).unwrap()).unwrap();
    assert_eq!(r["config"]["method"], "geo-f");
    assert_eq!(r["architecture"], json!([2, 2, 3]));
    let recs = r["records"].as_array().unwrap();
    assert_eq!(recs.len(), 6);
    for key in [
        "iter",
        "wall_s",
        "loss",
        "train_error",
        "lambda",
        "cg_iters",
        "rate",
        "products",
    ] {
        assert!(recs[5].get(key).is_some(), "missing records[].{key}");
    }
    let losses: Vec<f64> = recs.iter().map(|x| x["loss"].as_f64().unwrap()).collect();
    assert!(losses.windows(2).all(|w| w[1] <= w[0]), "{losses:?}");
    // --arch with a sparse initialisation, seeded: the same seed, the same run.
    let arch = |seed: &str| {
        natflow(&[
            "nn",
            "train",
            "--arch",
            "2-4-3",
            "--activations",
            "tanh",
            "--output",
            "categorical",
            "--data",
            data_p.to_str().unwrap(),
            "--iters",
            "3",
            "--lambda",
            "1",
            "--seed",
            seed,
        ])
    };
    let (a, b) = (arch("7"), arch("7"));
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a.1.split(" in ").next(), b.1.split(" in ").next());
    for bad in [
        vec!["--arch", "2-x-3"],
        vec!["--arch", "2"],
        vec!["--arch", "2-4-3", "--activations", "tanh,tanh,tanh"],
        vec!["--arch", "2-4-3", "--method", "newton"],
        vec!["--arch", "2-4-3", "--iters", "0"],
        vec!["--arch", "2-4-3", "--lambda", "-1"],
        vec!["--arch", "2-4-2"],
    ] {
        let mut args = vec![
            "nn",
            "train",
            "--data",
            data_p.to_str().unwrap(),
            "--output",
            "categorical",
        ];
        args.extend(bad.iter());
        let (code, _, err) = natflow(&args);
        assert_eq!(code, 2, "{bad:?}");
        assert_eq!(err.lines().count(), 1, "{bad:?}: {err}");
    }
}

#[test]
fn train_on_builtin_data_sets() {
    let (code, out, err) = natflow(&[
        "nn",
        "train",
        "--arch",
        "784-8-10",
        "--output",
        "categorical",
        "--dataset",
        "mnist-class:40",
        "--iters",
        "2",
        "--cg-max",
        "5",
        "--lambda",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("40 examples"), "{out}");
    let (code, _, err) = natflow(&[
        "nn",
        "train",
        "--arch",
        "784-4-784",
        "--dataset",
        "curves:10",
        "--iters",
        "1",
        "--cg-max",
        "3",
    ]);
    assert_eq!(code, 0, "{err}");
    for bad in [
        vec!["--arch", "784-8-10", "--dataset", "mnist-ae:10"],
        vec!["--arch", "784-8-10", "--dataset", "fashion:10"],
        vec!["--arch", "784-8-784", "--dataset", "curves:0"],
        vec!["--arch", "784-8-784"],
    ] {
        let mut args = vec!["nn", "train"];
        args.extend(bad.iter());
        let (code, _, err) = natflow(&args);
        assert_eq!(code, 2, "{bad:?}");
        assert_eq!(err.lines().count(), 1, "{bad:?}: {err}");
    }
}
