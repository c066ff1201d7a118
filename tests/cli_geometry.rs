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

/// The families from the log-partition through the command line: closed-form metrics at
/// chosen points (independent of natflow's formulas), the dimension read from the number of
/// coordinates, the log map's distance against the Normal family's closed form, and bad
/// points, bad α and bad targets refused.
#[test]
fn exponential_families_alpha_and_log_map_from_the_command_line() {
    let metric = |args: &[&str]| -> Vec<f64> {
        let mut a = vec!["geometry", "--json"];
        a.extend_from_slice(args);
        let v = json(&a);
        v["metric"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(nums)
            .collect()
    };
    // Exponential, rate λ = 2: 1/λ². Poisson, λ = 4: 1/λ. Bernoulli, p = 0.2: 1/(p(1−p)).
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
    assert!(close(
        metric(&["--family", "exponential", "--at", "2"])[0],
        0.25
    ));
    assert!(close(
        metric(&["--family", "poisson", "--at", "4"])[0],
        0.25
    ));
    assert!(close(
        metric(&["--family", "bernoulli", "--at", "0.2"])[0],
        1.0 / 0.16
    ));
    // Categorical K = 4 at p = (0.1, 0.2, 0.3), p₀ = 0.4: diag(1/p) + 11ᵀ/p₀.
    let g = metric(&["--family", "categorical", "--at", "0.1,0.2,0.3"]);
    assert_eq!(g.len(), 9);
    for (k, &gk) in g.iter().enumerate() {
        let (i, j) = (k / 3, k % 3);
        let want = 2.5
            + if i == j {
                1.0 / [0.1, 0.2, 0.3][i]
            } else {
                0.0
            };
        assert!(
            close(gk, want),
            "categorical G[{i}][{j}] = {gk}, want {want}"
        );
    }
    // Inverse Gaussian (μ, λ) = (2, 3): diag(λ/μ³, 1/(2λ²)).
    let g = metric(&["--family", "inverse-gaussian", "--at", "2,3"]);
    assert!(close(g[0], 3.0 / 8.0) && close(g[3], 1.0 / 18.0) && g[1].abs() < 1e-14);
    // mvnormal mean-diag (μ₁, μ₂, σ₁, σ₂) = (0, 1, 2, 0.5): diag(1/σ₁², 1/σ₂², 2/σ₁², 2/σ₂²).
    let g = metric(&[
        "--family",
        "mvnormal",
        "--chart",
        "mean-diag",
        "--at",
        "0,1,2,0.5",
    ]);
    let want = [0.25, 4.0, 0.5, 8.0];
    for i in 0..4 {
        assert!(
            close(g[i * 5], want[i]),
            "mvnormal G[{i}][{i}] = {}",
            g[i * 5]
        );
    }
    // Dirichlet with 4 coordinates is the 4-component family.
    assert_eq!(
        metric(&["--family", "dirichlet", "--at", "1,2,3,4"]).len(),
        16
    );
    // Fisher–Rao distance of two Normals: √2·arccosh(1 + (Δμ²/2 + Δσ²)/(2σ₁σ₂)).
    let v = json(&[
        "geometry", "--family", "normal", "--at", "0,1", "--log-to", "1.5,0.6", "--json",
    ]);
    let want = std::f64::consts::SQRT_2 * (1.0 + (1.125 + 0.16) / 1.2_f64).acosh();
    let d = v["log"]["distance"].as_f64().unwrap();
    assert!((d - want).abs() < 1e-9 * want, "{d} vs {want}");
    // α is recorded and changes Γ: at α = 1 in natural coordinates Γ vanishes.
    let v = json(&[
        "geometry", "--family", "beta", "--chart", "natural", "--at", "1,2", "--alpha", "1",
        "--json",
    ]);
    assert_eq!(v["alpha"].as_f64(), Some(1.0));
    let all: Vec<f64> = v["christoffel"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| {
            k.as_array()
                .unwrap()
                .iter()
                .flat_map(nums)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(all.iter().all(|g| g.abs() < 1e-12), "{all:?}");
    for bad in [
        &["geometry", "--family", "beta", "--at", "-1,2"][..],
        &["geometry", "--family", "poisson", "--at", "0"],
        &["geometry", "--family", "categorical", "--at", "0.6,0.5"],
        &["geometry", "--family", "mvnormal", "--at", "1,2,3"],
        &["geometry", "--family", "dirichlet", "--at", "1"],
        &["geometry", "--family", "gamma", "--alpha", "nan"],
        &[
            "geometry", "--family", "normal", "--at", "0,1", "--log-to", "0,-1",
        ],
        &["geometry", "--family", "weibull"],
    ] {
        let (code, _, err) = natflow(bad);
        assert_eq!(code, 2, "{bad:?}");
        assert_eq!(err.lines().count(), 1, "{bad:?}: {err}");
    }
}
