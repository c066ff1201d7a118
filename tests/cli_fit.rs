//! `natflow fit` as a user runs it: maximum-likelihood estimates that equal the closed-form
//! MLEs (sample means of the sufficient statistics, computed here from the raw data), the
//! Gamma fit identical to `natflow fig2`'s, a JSON record with its configuration, and bad data
//! refused with one line, exit code 2 and nothing written.

mod common;
use common::natflow;
use natflow::special::digamma;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("natflow_cli_fit_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn write(name: &str, text: &str) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs a fit and returns its JSON record.
fn fit(args: &[&str]) -> Value {
    let json = tmp(&format!(
        "fit_{}.json",
        args.join("_").replace(['/', '.', ','], "")
    ));
    let mut a = vec!["fit"];
    a.extend_from_slice(args);
    let j = json.display().to_string();
    a.extend(["--json", &j]);
    let (code, _, err) = natflow(&a);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

/// The last iterate of the first run, in chart coordinates.
fn last_point(v: &Value) -> Vec<f64> {
    let pts = v["runs"][0]["points"].as_array().unwrap();
    pts.last()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

#[test]
fn fits_reach_the_closed_form_maximum_likelihood_estimates() {
    let xs = [0.3, 1.7, 0.9, 2.4, 0.2, 1.1, 0.6];
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let column = |xs: &[f64]| {
        std::iter::once("x".to_string())
            .chain(xs.iter().map(|x| x.to_string()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // Exponential: λ̂ = 1/x̄ (natural gradient in the rate chart, h = 1: Newton-like).
    let data = write("exp.csv", &column(&xs));
    let d = data.display().to_string();
    let v = fit(&[
        "--family",
        "exponential",
        "--data",
        &d,
        "--iters",
        "40",
        "--lr",
        "1",
    ]);
    assert!(
        close(last_point(&v)[0], 1.0 / mean, 1e-10),
        "{:?}",
        last_point(&v)
    );
    assert_eq!(v["data"]["n"].as_u64(), Some(7));
    // Inverse Gaussian: μ̂ = x̄, 1/λ̂ = mean(1/x) − 1/x̄.
    let v = fit(&[
        "--family",
        "inverse-gaussian",
        "--data",
        &d,
        "--iters",
        "60",
        "--lr",
        "0.8",
    ]);
    let inv = xs.iter().map(|x| 1.0 / x).sum::<f64>() / n;
    let p = last_point(&v);
    assert!(
        close(p[0], mean, 1e-9) && close(p[1], 1.0 / (inv - 1.0 / mean), 1e-9),
        "{p:?}"
    );
    // Poisson: λ̂ = x̄.
    let counts = [0.0, 3.0, 1.0, 4.0, 2.0, 2.0];
    let data = write("pois.csv", &column(&counts));
    let v = fit(&[
        "--family",
        "poisson",
        "--data",
        &data.display().to_string(),
        "--iters",
        "40",
        "--lr",
        "1",
    ]);
    assert!(close(last_point(&v)[0], 2.0, 1e-10));
    // Categorical, 4 classes: p̂ₖ = countₖ/n.
    let classes = [0.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 1.0];
    let data = write("cat.csv", &column(&classes));
    let v = fit(&[
        "--family",
        "categorical",
        "--data",
        &data.display().to_string(),
        "--iters",
        "40",
        "--lr",
        "1",
    ]);
    let p = last_point(&v);
    for (got, want) in p.iter().zip([3.0 / 8.0, 1.0 / 8.0, 3.0 / 8.0]) {
        assert!(close(*got, want, 1e-10), "{p:?}");
    }
    // Beta: ψ(â) − ψ(â + b̂) = mean ln x and ψ(b̂) − ψ(â + b̂) = mean ln(1 − x).
    let us = [0.2, 0.7, 0.5, 0.9, 0.35, 0.6];
    let data = write("beta.csv", &column(&us));
    let v = fit(&[
        "--family",
        "beta",
        "--data",
        &data.display().to_string(),
        "--method",
        "riemannian-euler",
        "--iters",
        "40",
        "--lr",
        "1",
    ]);
    let p = last_point(&v);
    let m1 = us.iter().map(|u: &f64| u.ln()).sum::<f64>() / us.len() as f64;
    let m2 = us.iter().map(|u: &f64| (1.0 - u).ln()).sum::<f64>() / us.len() as f64;
    assert!(
        close(digamma(p[0]) - digamma(p[0] + p[1]), m1, 1e-9),
        "{p:?}"
    );
    assert!(
        close(digamma(p[1]) - digamma(p[0] + p[1]), m2, 1e-9),
        "{p:?}"
    );
    // mvnormal (d = 2, header line): μ̂ = x̄, Σ̂ = population covariance, in mean-cholesky.
    let rows = [[1.0, 2.0], [0.5, -1.0], [2.0, 0.3], [-0.4, 1.1], [0.9, 0.0]];
    let text = std::iter::once("u,v".to_string())
        .chain(rows.iter().map(|r| format!("{},{}", r[0], r[1])))
        .collect::<Vec<_>>()
        .join("\n");
    let data = write("mvn.csv", &text);
    let v = fit(&[
        "--family",
        "mvnormal",
        "--data",
        &data.display().to_string(),
        "--iters",
        "60",
        "--lr",
        "1",
    ]);
    let p = last_point(&v);
    let k = rows.len() as f64;
    let mu = [
        rows.iter().map(|r| r[0]).sum::<f64>() / k,
        rows.iter().map(|r| r[1]).sum::<f64>() / k,
    ];
    let cov = |a: usize, b: usize| {
        rows.iter()
            .map(|r| (r[a] - mu[a]) * (r[b] - mu[b]))
            .sum::<f64>()
            / k
    };
    let (s00, s10, s11) = (cov(0, 0), cov(1, 0), cov(1, 1));
    let l00 = s00.sqrt();
    let l10 = s10 / l00;
    let l11 = (s11 - l10 * l10).sqrt();
    for (got, want) in p.iter().zip([mu[0], mu[1], l00, l10, l11]) {
        assert!((got - want).abs() < 1e-9 * (1.0 + want.abs()), "{p:?}");
    }
}

#[test]
fn the_gamma_fit_is_figure_2s_and_the_record_is_complete() {
    let v = fit(&[
        "--family", "gamma", "--method", "ng,geo-f", "--lr", "0.5", "--iters", "10", "--alpha", "0",
    ]);
    let dir = tmp("fig2_for_fit");
    let (code, _, err) = natflow(&[
        "fig2",
        "--methods",
        "ng,geo-f",
        "--out",
        &dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    let fig2: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fig2.json")).unwrap()).unwrap();
    let rate = &fig2["charts"][0];
    assert_eq!(rate["chart"], "rate");
    for (k, method) in ["ng", "geo-f"].iter().enumerate() {
        assert_eq!(v["runs"][k]["method"], *method);
        assert_eq!(v["runs"][k]["loss"], rate["methods"][k]["nll"], "{method}");
    }
    for key in [
        "family",
        "chart",
        "chart_formula",
        "alpha",
        "lr",
        "iters",
        "data",
        "start",
        "start_canonical",
    ] {
        assert!(!v[key].is_null(), "missing {key}");
    }
    assert_eq!(v["data"]["n"].as_u64(), Some(10_000));
    // --plot writes both figures.
    let plot = tmp("fit_plot");
    let (code, _, err) = natflow(&[
        "fit",
        "--family",
        "normal",
        "--method",
        "ng,mid",
        "--plot",
        &plot.display().to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(plot.join("fit.svg").exists() && plot.join("fit.png").exists());
}

#[test]
fn bad_data_and_flags_are_one_line_exit_2_and_write_nothing() {
    let beta = write("bad_beta.csv", "x\n0.5\n1.3\n");
    let pois = write("bad_pois.csv", "x\n2\n2.5\n");
    let ragged = write("ragged.csv", "a,b,c\n0.2,0.3,0.5\n0.5,0.5\n");
    let dir = write("not_simplex.csv", "a,b\n0.2,0.3\n");
    let out = tmp("never");
    let o = out.display().to_string();
    let (b, p, r, d) = (
        beta.display().to_string(),
        pois.display().to_string(),
        ragged.display().to_string(),
        dir.display().to_string(),
    );
    let cases: [(&[&str], &str); 9] = [
        (
            &["fit", "--family", "beta", "--data", &b, "--plot", &o],
            "outside the support",
        ),
        (
            &["fit", "--family", "poisson", "--data", &p, "--plot", &o],
            "need a count",
        ),
        (
            &["fit", "--family", "dirichlet", "--data", &r, "--plot", &o],
            "expected 3",
        ),
        (
            &["fit", "--family", "dirichlet", "--data", &d, "--plot", &o],
            "Σxₖ = 1",
        ),
        (
            &["fit", "--family", "gamma", "--chart", "nope", "--plot", &o],
            "unknown gamma chart",
        ),
        (
            &["fit", "--family", "beta", "--start", "1", "--plot", &o],
            "--start",
        ),
        (
            &["fit", "--family", "beta", "--alpha", "inf", "--plot", &o],
            "--alpha",
        ),
        (
            &["fit", "--family", "beta", "--method", "warp", "--plot", &o],
            "--method",
        ),
        (
            &[
                "fit",
                "--family",
                "beta",
                "--data",
                "/no/such/file",
                "--plot",
                &o,
            ],
            "cannot read",
        ),
    ];
    for (args, needle) in cases {
        let (code, _, err) = natflow(args);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!Path::new(&out).exists(), "{args:?} left {out:?} behind");
    }
}
