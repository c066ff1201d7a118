//! The conformance suite a family and chart must pass: [`check_family`].
//!
//! A user who writes a family (a [`Metric`] with its skewness tensor, and a [`LogDensity`] with
//! an expectation rule) and a [`Chart`] runs
//!
//! ```
//! use natflow::families::{Gamma, GammaChart};
//! let report = natflow::testing::check_family(&Gamma, &GammaChart::Scale, &[2.0, 0.5], &Default::default()).unwrap();
//! assert!(report.passed(), "{report}");
//! ```
//!
//! and gets one line per property, each computed two independent ways:
//!
//! | check | compares |
//! |---|---|
//! | `metric-spd` | G_ξ is symmetric and positive definite (Cholesky) |
//! | `fisher-expectation` | G(θ) against E[∇ℓ ∇ℓᵀ] under the model's expectation rule |
//! | `skewness-expectation` | T(v,v,·) against E[(∂ᵥℓ)² ∇ℓ] (statistical families) |
//! | `christoffel` | Γ_ξ(v,v) as the family computes it (closed form through the chart) against AD of G_ξ |
//! | `alpha-duality` | ∂ₖG_ij = Γ^(α)_{ki,j} + Γ^(−α)_{kj,i} in the chart (AD of G_ξ on the left; it holds for any G and symmetric T, so it checks the α-connection machinery and the chart's Γ) |
//! | `chart-round-trip` | φ⁻¹(φ(ξ)) = ξ |
//! | `exp-chart-invariance` | φ(Exp_ξ(v)) = Exp_θ(Jv): the exponential map does not depend on the chart |
//! | `metric-compatibility` | parallel transport along a geodesic keeps ⟨w₁, w₂⟩_G (Levi-Civita) |
//!
//! Expectations under a Monte Carlo rule (equal weights, N ≥ 1000 draws) pass within `z`
//! standard errors of the sample mean; exact rules (finite support, quadrature) within
//! `tol_exact` relative.

use crate::error::Result;
use crate::geometry::{
    AlphaConnection, Chart, Metric, Pullback, alpha_christoffel, christoffel_vv_ad, exp_map,
};
use crate::model::LogDensity;
use crate::ode::OdeOptions;
use nalgebra::{DMatrix, DVector};
use num_dual::Dual64;

/// Tolerances and test vectors of [`check_family`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConformanceOptions {
    /// Relative tolerance of deterministic comparisons (AD against closed forms, duality).
    pub tol: f64,
    /// Relative tolerance of expectations under an exact rule.
    pub tol_exact: f64,
    /// Standard errors allowed for expectations under a Monte Carlo rule.
    pub z: f64,
    /// Relative tolerance of the ODE-based checks (Exp, transport), at ODE tolerance 1e-12.
    pub tol_ode: f64,
    /// α of the duality check (and −α).
    pub alpha: f64,
    /// Tangent vectors (chart coordinates) scaled to this G-length for Exp and transport.
    pub step: f64,
}

impl Default for ConformanceOptions {
    fn default() -> Self {
        Self {
            tol: 1e-9,
            tol_exact: 1e-10,
            z: 6.0,
            tol_ode: 1e-8,
            alpha: 0.5,
            step: 0.3,
        }
    }
}

/// One property's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The property (see the module docs).
    pub name: &'static str,
    /// Whether it holds.
    pub passed: bool,
    /// What was measured.
    pub detail: String,
}

/// Every property's outcome at one point of one chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Conformance {
    /// The family in the chart.
    pub space: String,
    /// The point ξ.
    pub point: Vec<f64>,
    /// The checks, in the order of the module docs.
    pub checks: Vec<Check>,
}

impl Conformance {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

impl std::fmt::Display for Conformance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} at {:?}:", self.space, self.point)?;
        for c in &self.checks {
            let mark = if c.passed { "ok  " } else { "FAIL" };
            writeln!(f, "  {mark} {:<22} {}", c.name, c.detail)?;
        }
        Ok(())
    }
}

/// max |a − b| / max(|b|, floor).
fn rel(a: &[f64], b: &[f64], floor: f64) -> f64 {
    let scale = b.iter().fold(floor, |m, x| m.max(x.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / scale
}

/// A few fixed tangent directions of dimension n, not aligned with the axes.
fn directions(n: usize) -> Vec<Vec<f64>> {
    vec![
        (0..n).map(|i| 1.0 - 0.37 * i as f64).collect(),
        (0..n)
            .map(|i| if i % 2 == 0 { 0.6 } else { -1.1 })
            .collect(),
    ]
}

/// v scaled to G-length `len` at ξ.
fn scaled(g: &DMatrix<f64>, v: &[f64], len: f64) -> Vec<f64> {
    let vv = DVector::from_column_slice(v);
    let norm = vv.dot(&(g * &vv)).sqrt();
    v.iter().map(|x| x * len / norm).collect()
}

/// An expectation E[f(x)] (vector-valued) under a weighted rule, with the standard error of a
/// Monte Carlo mean when the rule is one (equal weights, at least 1000 draws).
fn expectation(rule_weights: &[f64], values: &[Vec<f64>]) -> (Vec<f64>, Option<Vec<f64>>) {
    let m = values[0].len();
    let mean: Vec<f64> = (0..m)
        .map(|k| rule_weights.iter().zip(values).map(|(w, v)| w * v[k]).sum())
        .collect();
    let n = rule_weights.len();
    let equal = rule_weights
        .iter()
        .all(|w| (w - rule_weights[0]).abs() < 1e-15);
    let se = (equal && n >= 1000).then(|| {
        (0..m)
            .map(|k| {
                let var =
                    values.iter().map(|v| (v[k] - mean[k]).powi(2)).sum::<f64>() / (n as f64 - 1.0);
                (var / n as f64).sqrt()
            })
            .collect()
    });
    (mean, se)
}

/// Compares `got` (the family's value) with an expectation (mean, se).
fn compare_expectation(
    name: &'static str,
    got: &[f64],
    mean: &[f64],
    se: Option<&Vec<f64>>,
    opts: &ConformanceOptions,
) -> Check {
    match se {
        Some(se) => {
            let worst = got
                .iter()
                .zip(mean)
                .zip(se)
                .map(|((g, m), s)| (g - m).abs() / s.max(1e-300))
                .fold(0.0, f64::max);
            Check {
                name,
                passed: worst <= opts.z,
                detail: format!(
                    "Monte Carlo ({} draws): largest deviation {worst:.2} standard errors (≤ {})",
                    crate::model::exponential::MONTE_CARLO_DRAWS,
                    opts.z
                ),
            }
        }
        None => {
            let e = rel(got, mean, 1e-300);
            Check {
                name,
                passed: e <= opts.tol_exact,
                detail: format!(
                    "exact rule: relative difference {e:.2e} (≤ {:.0e})",
                    opts.tol_exact
                ),
            }
        }
    }
}

/// Runs every check of the suite for `family` in `chart` at the chart point ξ.
///
/// Errors only when ξ is not a valid point; a failed property is a failed [`Check`].
pub fn check_family<M, C>(
    family: &M,
    chart: &C,
    xi: &[f64],
    opts: &ConformanceOptions,
) -> Result<Conformance>
where
    M: Metric + LogDensity + Clone,
    C: Chart + Clone,
{
    let m = Pullback::new(family.clone(), chart.clone())?;
    Metric::check(&m, xi)?;
    let n = Metric::dim(&m);
    let theta = m.to_canonical(xi)?;
    let theta = theta.as_slice();
    let j = m.jacobian(xi)?;
    let g = Metric::metric(&m, xi)?;
    let dirs = directions(n);
    let mut checks = Vec::new();

    // metric-spd
    let asym = rel(
        g.as_slice(),
        g.transpose().as_slice(),
        g.iter().fold(0.0, |a, b| a.max(b.abs())),
    );
    let spd = g.clone().cholesky().is_some();
    checks.push(Check {
        name: "metric-spd",
        passed: asym <= 1e-14 && spd,
        detail: format!(
            "asymmetry {asym:.1e}, Cholesky {}",
            if spd { "ok" } else { "fails" }
        ),
    });

    // fisher-expectation and skewness-expectation, in canonical coordinates θ.
    let rule = family.expectation_rule(theta)?;
    let weights: Vec<f64> = rule.iter().map(|(w, _)| *w).collect();
    let mut xd: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
    let scores: Vec<Vec<f64>> = rule
        .iter()
        .map(|(_, x)| {
            (0..n)
                .map(|i| {
                    xd[i].eps = 1.0;
                    let d = family.log_density(&xd, x).eps;
                    xd[i].eps = 0.0;
                    d
                })
                .collect()
        })
        .collect();
    let outer: Vec<Vec<f64>> = scores
        .iter()
        .map(|s| (0..n * n).map(|k| s[k / n] * s[k % n]).collect())
        .collect();
    let (mean, se) = expectation(&weights, &outer);
    let g_theta = Metric::metric(family, theta)?;
    let g_rows: Vec<f64> = (0..n * n).map(|k| g_theta[(k / n, k % n)]).collect();
    checks.push(compare_expectation(
        "fisher-expectation",
        &g_rows,
        &mean,
        se.as_ref(),
        opts,
    ));
    let v = &dirs[0];
    match family.skewness_vv(theta, v) {
        Ok(t) => {
            let third: Vec<Vec<f64>> = scores
                .iter()
                .map(|s| {
                    let dv: f64 = s.iter().zip(v).map(|(a, b)| a * b).sum();
                    s.iter().map(|sk| dv * dv * sk).collect()
                })
                .collect();
            let (mean, se) = expectation(&weights, &third);
            checks.push(compare_expectation(
                "skewness-expectation",
                t.as_slice(),
                &mean,
                se.as_ref(),
                opts,
            ));
        }
        Err(e) => checks.push(Check {
            name: "skewness-expectation",
            passed: false,
            detail: format!("no skewness tensor: {e}"),
        }),
    }

    // christoffel: the family's Γ through the chart against AD of G_ξ.
    let worst = dirs
        .iter()
        .map(|v| {
            let a = Metric::christoffel_vv(&m, xi, v)?;
            let b = christoffel_vv_ad(&m, xi, v)?;
            Ok(rel(a.as_slice(), b.as_slice(), 1e-300))
        })
        .collect::<Result<Vec<f64>>>()?
        .into_iter()
        .fold(0.0, f64::max);
    checks.push(Check {
        name: "christoffel",
        passed: worst <= opts.tol,
        detail: format!("relative difference {worst:.2e} (≤ {:.0e})", opts.tol),
    });

    // alpha-duality: ∂ₖG_ij = Γ^(α)_{ki,j} + Γ^(−α)_{kj,i}, first-kind Γ_{ki,j} = G_jl Γˡ_ki.
    let duality = (|| -> Result<f64> {
        let ga = alpha_christoffel(&m, xi, opts.alpha)?;
        let gb = alpha_christoffel(&m, xi, -opts.alpha)?;
        let first = |c: &crate::geometry::Christoffel, k: usize, i: usize, jj: usize| {
            (0..n).map(|l| g[(jj, l)] * c.get(l, k, i)).sum::<f64>()
        };
        let mut xd: Vec<Dual64> = xi.iter().map(|&t| Dual64::from_re(t)).collect();
        let mut lhs = Vec::new();
        let mut rhs = Vec::new();
        for k in 0..n {
            xd[k].eps = 1.0;
            let dg = m.metric_at(&xd).map(|d| d.eps);
            xd[k].eps = 0.0;
            for i in 0..n {
                for jj in 0..n {
                    lhs.push(dg[(i, jj)]);
                    rhs.push(first(&ga, k, i, jj) + first(&gb, k, jj, i));
                }
            }
        }
        Ok(rel(&rhs, &lhs, 1e-300))
    })();
    checks.push(match duality {
        Ok(e) => Check {
            name: "alpha-duality",
            passed: e <= opts.tol,
            detail: format!(
                "α = ±{}: relative difference {e:.2e} (≤ {:.0e})",
                opts.alpha, opts.tol
            ),
        },
        Err(e) => Check {
            name: "alpha-duality",
            passed: false,
            detail: e.to_string(),
        },
    });

    // chart-round-trip
    let back = m.to_chart(theta)?;
    let e = rel(back.as_slice(), xi, 1.0);
    checks.push(Check {
        name: "chart-round-trip",
        passed: e <= opts.tol,
        detail: format!("relative difference {e:.2e}"),
    });

    // exp-chart-invariance
    let ode = OdeOptions::with_tol(1e-12);
    let u = scaled(&g, &dirs[0], opts.step);
    let invariance = (|| -> Result<f64> {
        let end_chart = exp_map(&m, xi, &u, 1.0, ode)?;
        let end_theta = m.to_canonical(end_chart.as_slice())?;
        let ju = &j * DVector::from_column_slice(&u);
        let direct = exp_map(family, theta, ju.as_slice(), 1.0, ode)?;
        Ok(rel(end_theta.as_slice(), direct.as_slice(), 1.0))
    })();
    checks.push(match invariance {
        Ok(e) => Check {
            name: "exp-chart-invariance",
            passed: e <= opts.tol_ode,
            detail: format!("relative difference {e:.2e} (≤ {:.0e})", opts.tol_ode),
        },
        Err(e) => Check {
            name: "exp-chart-invariance",
            passed: false,
            detail: e.to_string(),
        },
    });

    // metric-compatibility: ⟨w₁, w₂⟩ kept by parallel transport of the Levi-Civita connection.
    let compat = (|| -> Result<f64> {
        let lc = AlphaConnection::new(&m, 0.0)?;
        let (w1, w2) = (&dirs[0], &dirs[1]);
        let t = crate::geometry::transport::transport_along_geodesic(&lc, xi, &u, &[w1, w2], ode)?;
        let g_end = Metric::metric(&m, t.end.as_slice())?;
        let inner = |g: &DMatrix<f64>, a: &DVector<f64>, b: &DVector<f64>| a.dot(&(g * b));
        let (a0, b0) = (
            DVector::from_column_slice(w1),
            DVector::from_column_slice(w2),
        );
        let before = [
            inner(&g, &a0, &a0),
            inner(&g, &a0, &b0),
            inner(&g, &b0, &b0),
        ];
        let (a1, b1) = (&t.vectors[0], &t.vectors[1]);
        let after = [
            inner(&g_end, a1, a1),
            inner(&g_end, a1, b1),
            inner(&g_end, b1, b1),
        ];
        Ok(rel(&after, &before, 1e-300))
    })();
    checks.push(match compat {
        Ok(e) => Check {
            name: "metric-compatibility",
            passed: e <= opts.tol_ode,
            detail: format!("inner products change by {e:.2e} (≤ {:.0e})", opts.tol_ode),
        },
        Err(e) => Check {
            name: "metric-compatibility",
            passed: false,
            detail: e.to_string(),
        },
    });

    Ok(Conformance {
        space: Metric::name(&m),
        point: xi.to_vec(),
        checks,
    })
}
