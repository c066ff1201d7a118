//! Christoffel symbols: closed forms (and the transformation law through charts) against
//! automatic differentiation of the metric written in each chart; symmetry; metric
//! compatibility ∇G = 0.

mod common;
use common::{GAMMA_POINTS, rel_err};
use natflow::families::{Gamma, GammaChart, Normal, NormalChart};
use natflow::geometry::{Chart, Metric, Pullback, christoffel_ad, christoffel_vv_ad};
use num_dual::Dual64;

fn flat(m: &natflow::geometry::Christoffel) -> Vec<f64> {
    m.to_nested().into_iter().flatten().flatten().collect()
}

/// Closed-form Γ (and, through a chart, the transformation law applied to it) equals the
/// AD path that differentiates G_ξ = JᵀGJ directly.
fn check_closed_vs_ad<M: Metric>(m: &M, x: &[f64]) {
    check_closed_vs_ad_tol(m, x, 1e-12);
}

/// As [`check_closed_vs_ad`] with tolerance `tol` (an implicit chart, whose map is a Newton
/// solve, loses digits in proportion to the condition number of its Jacobian).
fn check_closed_vs_ad_tol<M: Metric>(m: &M, x: &[f64], tol: f64) {
    let closed = m.christoffel(x).unwrap();
    let auto = christoffel_ad(m, x).unwrap();
    let e = rel_err(&flat(&closed), &flat(&auto));
    assert!(e < tol, "{} at {x:?}: closed vs AD rel err {e:e}", m.name());
    for v in [[1.0, 0.0], [0.3, -0.7], [-2.0, 5.0]] {
        let a = m.christoffel_vv(x, &v).unwrap();
        let b = christoffel_vv_ad(m, x, &v).unwrap();
        let c = closed.contract(&v, &v).unwrap();
        assert!(
            rel_err(a.as_slice(), b.as_slice()) < tol,
            "{} Γ(v,v) at {x:?}",
            m.name()
        );
        assert!(rel_err(c.as_slice(), b.as_slice()) < tol);
    }
}

#[test]
fn gamma_closed_form_matches_ad_in_every_chart() {
    for theta in GAMMA_POINTS {
        check_closed_vs_ad(&Gamma, &theta);
        for chart in GammaChart::ALL {
            let m = Pullback::new(Gamma, chart).unwrap();
            let xi = chart.to_chart(&theta);
            // The expectation chart inverts (α, β) ↦ (ψ(α) − ln β, α/β) by Newton's method:
            // allow for the condition number κ of its Jacobian.
            let j = m.jacobian(&xi).unwrap();
            let sv = j.singular_values();
            let kappa = sv.max() / sv.min();
            let tol = if chart == GammaChart::Expectation {
                1e-12 * kappa
            } else {
                1e-12
            };
            check_closed_vs_ad_tol(&m, &xi, tol);
        }
    }
}

#[test]
fn normal_closed_form_matches_ad_in_every_chart() {
    for theta in [[0.0, 1.0], [-3.0, 0.2], [10.0, 4.0]] {
        check_closed_vs_ad(&Normal, &theta);
        for chart in NormalChart::ALL {
            let m = Pullback::new(Normal, chart).unwrap();
            check_closed_vs_ad(&m, &chart.to_chart(&theta));
        }
    }
}

/// Γ(u,w) from the quadratic form by polarisation, ½[Γ(u+w,u+w) − Γ(u,u) − Γ(w,w)], equals the
/// table contracted either way round: the table is the symmetric (torsion-free) connection of
/// the quadratic form the geodesic equation uses.
#[test]
fn symmetric_in_lower_indices() {
    let theta = [2.5, 0.8];
    for chart in GammaChart::ALL {
        let m = Pullback::new(Gamma, chart).unwrap();
        let xi = chart.to_chart(&theta);
        let table = m.christoffel(&xi).unwrap();
        for i in 0..2 {
            for j in 0..2 {
                let mut ei = [0.0; 2];
                let mut ej = [0.0; 2];
                ei[i] = 1.0;
                ej[j] = 1.0;
                let sum = [ei[0] + ej[0], ei[1] + ej[1]];
                let polar = (m.christoffel_vv(&xi, &sum).unwrap()
                    - m.christoffel_vv(&xi, &ei).unwrap()
                    - m.christoffel_vv(&xi, &ej).unwrap())
                    * 0.5;
                for k in 0..2 {
                    let scale = polar[k].abs().max(1.0);
                    assert!((table.get(k, i, j) - polar[k]).abs() < 1e-11 * scale);
                    assert!((table.get(k, j, i) - polar[k]).abs() < 1e-11 * scale);
                }
            }
        }
    }
}

/// Metric compatibility of the Levi-Civita connection:
/// ∂_k G_ij = Γ^l_ki G_lj + Γ^l_kj G_il, with ∂_k G by a dual-number pass.
fn check_compatibility<M: Metric>(m: &M, x: &[f64]) {
    let g = m.metric(x).unwrap();
    let gamma = m.christoffel(x).unwrap();
    let n = m.dim();
    for k in 0..n {
        let xd: Vec<Dual64> = (0..n)
            .map(|i| Dual64::new(x[i], if i == k { 1.0 } else { 0.0 }))
            .collect();
        let dk_g = m.metric_at(&xd).map(|d| d.eps);
        let scale = dk_g.amax().max(g.amax());
        for i in 0..n {
            for j in 0..n {
                let rhs: f64 = (0..n)
                    .map(|l| gamma.get(l, k, i) * g[(l, j)] + gamma.get(l, k, j) * g[(i, l)])
                    .sum();
                assert!(
                    (dk_g[(i, j)] - rhs).abs() < 1e-12 * scale,
                    "{} at {x:?}: ∂{k}G{i}{j} = {} vs {rhs}",
                    m.name(),
                    dk_g[(i, j)]
                );
            }
        }
    }
}

#[test]
fn metric_compatibility_in_every_chart() {
    for theta in GAMMA_POINTS {
        for chart in GammaChart::ALL {
            let m = Pullback::new(Gamma, chart).unwrap();
            check_compatibility(&m, &chart.to_chart(&theta));
        }
    }
    for chart in NormalChart::ALL {
        let m = Pullback::new(Normal, chart).unwrap();
        check_compatibility(&m, &chart.to_chart(&[1.0, 0.5]));
    }
}

/// The pulled-back metric JᵀGJ against G written out by hand in the scale chart:
/// with β = 1/s, G_ξ = [[ψ₁(α), 1/s], [1/s, α/s²]].
#[test]
fn pullback_metric_matches_hand_derivation() {
    let m = Pullback::new(Gamma, GammaChart::Scale).unwrap();
    let (a, s) = (2.5, 0.4);
    let g = m.metric(&[a, s]).unwrap();
    let t = natflow::special::trigamma(a);
    let want = [t, 1.0 / s, 1.0 / s, a / (s * s)];
    assert!(rel_err(g.transpose().as_slice(), &want) < 1e-15);
    // In the mean chart the metric is diagonal: G = diag(ψ₁(α) − 1/α, α/m²).
    let m = Pullback::new(Gamma, GammaChart::Mean).unwrap();
    let mu = 1.7;
    let g = m.metric(&[a, mu]).unwrap();
    assert!(g[(0, 1)].abs() < 1e-15 && g[(1, 0)].abs() < 1e-15);
    assert!((g[(0, 0)] - (t - 1.0 / a)).abs() < 1e-15);
    assert!((g[(1, 1)] - a / (mu * mu)).abs() < 1e-15);
}
