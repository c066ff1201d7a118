//! Shared helpers for the integration tests.
#![allow(dead_code)]

/// Largest |a − b| over max(1, largest |b|): a relative error that does not blow up at zeros.
pub fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1e-300f64, |m, x| m.max(x.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / scale
}

/// Gamma test points (α, β=rate): small, paper start, fitted region, large shape.
pub const GAMMA_POINTS: [[f64; 2]; 5] = [
    [0.3, 2.0],
    [1.0, 1.0],
    [20.0, 20.0],
    [3.5, 0.4],
    [150.0, 7.0],
];

/// Runs the `natflow` binary; returns (exit code, stdout, stderr).
pub fn natflow(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_natflow"))
        .args(args)
        .output()
        .expect("run natflow");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
