//! α-connections, closed forms against the automatic path, and the log map:
//! - every closed form of an exponential family (G, T(v,v,·), μ(η), η(μ)) equals automatic
//!   differentiation of its log-partition;
//! - Gamma's and Normal's closed-form skewness equals the log-partition path through the chart
//!   to natural coordinates, and Normal's α-connection equals the model layer's expectation
//!   E[(∂²ᵥℓ + (1−α)/2 (∂ᵥℓ)²)∇ℓ] (exact Gauss–Hermite);
//! - e-geodesics (α = 1) are straight lines in natural coordinates and m-geodesics (α = −1)
//!   straight lines in expectation coordinates, whatever chart they are computed in;
//! - Exp∘Log = id and Log∘Exp = id, and the Normal family's Fisher–Rao distance equals its
//!   closed form (√2 times the hyperbolic distance in (μ/√2, σ)).

use approx::assert_relative_eq;
use nalgebra::DVector;
use natflow::families::{
    Bernoulli, Beta, BetaChart, Categorical, Dirichlet, DirichletChart, Exponential, Gamma,
    GammaChart, GammaNatural, InverseGaussian, InverseGaussianChart, MvNormal, Normal, NormalChart,
    Poisson,
};
use natflow::geometry::{
    AlphaConnection, Chart, LogOptions, Metric, Pullback, alpha_christoffel_vv, alpha_exp_map,
    fisher_rao_distance, log_map,
};
use natflow::model::exponential::{log_partition_hessian, log_partition_third};
use natflow::model::{ExponentialFamily, NaturalCoordinates, alpha_connection};
use natflow::ode::OdeOptions;

/// G, T(v,v,·), μ(η) as the family writes them against AD of A; η(μ(η)) = η.
fn closed_forms_match_ad<E: ExponentialFamily>(fam: &E, etas: &[Vec<f64>]) {
    for eta in etas {
        let n = eta.len();
        let g = fam.fisher_at(eta);
        let g_ad = log_partition_hessian(fam, eta);
        assert_relative_eq!(g, g_ad, max_relative = 1e-12, epsilon = 1e-14);
        for v in [
            vec![1.0; n],
            (0..n).map(|i| 0.5 - i as f64).collect::<Vec<_>>(),
        ] {
            let t = fam.skewness_vv(eta, &v);
            let t_ad = log_partition_third(fam, eta, &v);
            assert_relative_eq!(t, t_ad, max_relative = 1e-11, epsilon = 1e-13);
        }
        // μ by the family against one dual pass of A per coordinate (the trait's default).
        let mu = fam.mean(eta);
        let mut x: Vec<num_dual::Dual64> =
            eta.iter().map(|&e| num_dual::Dual64::from_re(e)).collect();
        for i in 0..n {
            x[i].eps = 1.0;
            assert_relative_eq!(
                mu[i],
                fam.log_partition(&x).eps,
                max_relative = 1e-12,
                epsilon = 1e-14
            );
            x[i].eps = 0.0;
        }
        let back = fam.natural_from_mean(&mu).unwrap();
        assert_relative_eq!(
            back.as_slice(),
            eta.as_slice(),
            max_relative = 1e-10,
            epsilon = 1e-12
        );
    }
}

#[test]
fn exponential_family_closed_forms_match_the_log_partition() {
    closed_forms_match_ad(&Exponential, &[vec![-1.0], vec![-0.05], vec![-40.0]]);
    closed_forms_match_ad(&Poisson, &[vec![0.0], vec![-3.0], vec![4.0]]);
    closed_forms_match_ad(&Bernoulli, &[vec![0.0], vec![-3.0], vec![2.0]]);
    closed_forms_match_ad(&Categorical::new(4).unwrap(), &[vec![0.1, -1.0, 2.0]]);
    closed_forms_match_ad(&Beta, &[vec![1.0, 2.0], vec![-0.5, 6.0]]);
    closed_forms_match_ad(&Dirichlet::new(3).unwrap(), &[vec![0.5, 1.0, 4.0]]);
    closed_forms_match_ad(&InverseGaussian, &[vec![-0.5, -0.5], vec![-0.1, -2.0]]);
    closed_forms_match_ad(
        &MvNormal::new(2, false).unwrap(),
        &[vec![0.5, -1.0, -0.6, 0.3, -0.8]],
    );
    closed_forms_match_ad(
        &MvNormal::new(3, true).unwrap(),
        &[vec![0.5, -1.0, 2.0, -0.6, -0.3, -2.0]],
    );
    closed_forms_match_ad(&GammaNatural, &[vec![1.0, -2.0], vec![-0.5, -0.3]]);
}

/// The inverse-Gaussian metric in (μ, λ) is diag(λ/μ³, 1/(2λ²)).
#[test]
fn inverse_gaussian_metric_has_its_closed_form() {
    let m = Pullback::new(
        NaturalCoordinates(InverseGaussian),
        InverseGaussianChart::MeanShape,
    )
    .unwrap();
    for (mu, lambda) in [(1.0, 1.0), (2.5, 0.3), (0.2, 7.0)] {
        let g = m.metric(&[mu, lambda]).unwrap();
        assert_relative_eq!(g[(0, 0)], lambda / mu.powi(3), max_relative = 1e-13);
        assert_relative_eq!(g[(1, 1)], 0.5 / (lambda * lambda), max_relative = 1e-13);
        assert!(g[(0, 1)].abs() < 1e-13 * g[(0, 0)].abs());
    }
}

#[test]
fn closed_form_skewness_of_gamma_and_normal() {
    // Gamma's closed form in (α, β), pulled back to natural coordinates η = (α − 1, −β),
    // against ∇³A(η) by AD.
    let closed = Pullback::new(Gamma, GammaChart::Natural).unwrap();
    let generic = NaturalCoordinates(GammaNatural);
    for theta in [[2.0, 3.0], [0.4, 0.1], [30.0, 2.0]] {
        let eta = GammaChart::Natural.to_chart(&theta);
        for v in [[1.0, 0.0], [0.3, -0.7], [-2.0, 5.0]] {
            let a = closed.skewness_vv(&eta, &v).unwrap();
            let b = generic.skewness_vv(&eta, &v).unwrap();
            assert_relative_eq!(a, b, max_relative = 1e-11, epsilon = 1e-14);
        }
    }
    // Normal: G·Γ^(α)(v,v) against the model layer's expectation (exact quadrature).
    for theta in [[0.5, 1.5], [-2.0, 0.3]] {
        for alpha in [-1.0, -0.5, 0.0, 0.5, 1.0] {
            let v = [0.7, -1.2];
            let gamma = alpha_christoffel_vv(&Normal, &theta, &v, alpha).unwrap();
            let first = Normal.metric(&theta).unwrap() * gamma;
            let expected = alpha_connection(&Normal, &theta, &v, alpha).unwrap();
            // A component that cancels to 0 is compared at the scale of the vector.
            let eps = 1e-12 * expected.amax();
            assert_relative_eq!(first, expected, max_relative = 1e-12, epsilon = eps);
        }
    }
}

/// Straight lines: with φ the map to natural (α = 1) or expectation (α = −1) coordinates,
/// φ(Exp^(α)_ξ(t v)) = φ(ξ) + t Dφ(ξ)v for t = ½ and 1.
fn flat_in<M: Metric + Clone, C: Chart + Clone>(
    m: &Pullback<M, C>,
    xi: &[f64],
    v: &[f64],
    alpha: f64,
    affine: &dyn Fn(&[f64]) -> Vec<f64>,
) {
    let ode = OdeOptions::with_tol(1e-12);
    let eps = 1e-6;
    let start = affine(xi);
    let plus: Vec<f64> = xi.iter().zip(v).map(|(x, d)| x + eps * d).collect();
    let minus: Vec<f64> = xi.iter().zip(v).map(|(x, d)| x - eps * d).collect();
    // The tangent of φ along v by a central difference (error ~1e-12 relative).
    let dphi: Vec<f64> = affine(&plus)
        .iter()
        .zip(affine(&minus))
        .map(|(p, q)| (p - q) / (2.0 * eps))
        .collect();
    for t in [0.5, 1.0] {
        let end = alpha_exp_map(m, xi, v, t, alpha, ode).unwrap();
        let got = affine(end.as_slice());
        let want: Vec<f64> = start.iter().zip(&dphi).map(|(s, d)| s + t * d).collect();
        assert_relative_eq!(
            got.as_slice(),
            want.as_slice(),
            max_relative = 1e-7,
            epsilon = 1e-8
        );
    }
}

#[test]
fn e_and_m_geodesics_are_straight_in_every_chart() {
    // Gamma: natural (α − 1, −β), expectation (ψ(α) − ln β, α/β).
    let natural = |th: &[f64]| GammaChart::Natural.to_chart(th);
    let expectation = |th: &[f64]| GammaChart::Expectation.to_chart(th);
    for chart in GammaChart::ALL {
        let m = Pullback::new(Gamma, chart).unwrap();
        let xi = chart.to_chart(&[2.0, 1.5]);
        let v = m.pull_vector(&xi, &[0.4, -0.3]).unwrap();
        let to_theta = |x: &[f64]| {
            m.to_canonical(x)
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<f64>>()
        };
        flat_in(&m, &xi, v.as_slice(), 1.0, &|x| natural(&to_theta(x)));
        flat_in(&m, &xi, v.as_slice(), -1.0, &|x| expectation(&to_theta(x)));
    }
    // Beta and Dirichlet in natural coordinates η; expectation by the family's mean map.
    for chart in BetaChart::ALL {
        let m = Pullback::new(NaturalCoordinates(Beta), chart).unwrap();
        let xi = chart.to_chart(&[1.0, 2.0]);
        let v = m.pull_vector(&xi, &[0.3, -0.5]).unwrap();
        let eta = |x: &[f64]| {
            m.to_canonical(x)
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<f64>>()
        };
        flat_in(&m, &xi, v.as_slice(), 1.0, &eta);
        flat_in(&m, &xi, v.as_slice(), -1.0, &|x| Beta.mean(&eta(x)));
    }
    let d3 = Dirichlet::new(3).unwrap();
    for name in DirichletChart::NAMES {
        let chart = DirichletChart::parse(name, d3).unwrap();
        let m = Pullback::new(NaturalCoordinates(d3), chart).unwrap();
        let xi = chart.to_chart(&[0.5, 1.0, 2.0]);
        let v = m.pull_vector(&xi, &[0.2, -0.1, 0.3]).unwrap();
        let eta = |x: &[f64]| {
            m.to_canonical(x)
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<f64>>()
        };
        flat_in(&m, &xi, v.as_slice(), 1.0, &eta);
        flat_in(&m, &xi, v.as_slice(), -1.0, &|x| d3.mean(&eta(x)));
    }
    // Normal: natural (μ/σ², −1/(2σ²)), expectation (μ, μ² + σ²).
    for chart in NormalChart::ALL {
        let m = Pullback::new(Normal, chart).unwrap();
        let xi = chart.to_chart(&[0.5, 1.2]);
        let v = m.pull_vector(&xi, &[0.3, 0.2]).unwrap();
        let th = |x: &[f64]| {
            m.to_canonical(x)
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<f64>>()
        };
        flat_in(&m, &xi, v.as_slice(), 1.0, &|x| {
            NormalChart::Natural.to_chart(&th(x))
        });
        flat_in(&m, &xi, v.as_slice(), -1.0, &|x| {
            NormalChart::Expectation.to_chart(&th(x))
        });
    }
}

/// d((μ₁, σ₁), (μ₂, σ₂)) = √2 · arccosh(1 + ((μ₁ − μ₂)²/2 + (σ₁ − σ₂)²)/(2σ₁σ₂)).
fn normal_distance(a: &[f64], b: &[f64]) -> f64 {
    let num = (a[0] - b[0]).powi(2) / 2.0 + (a[1] - b[1]).powi(2);
    std::f64::consts::SQRT_2 * (1.0 + num / (2.0 * a[1] * b[1])).acosh()
}

#[test]
fn log_map_inverts_exp_and_gives_the_fisher_rao_distance() {
    let opts = LogOptions::default();
    // Shooting is a local method: a near pair in every chart, a far pair (distance ≈ 5.7) in
    // the canonical chart, where the geodesics from u₀ = y − x stay in the domain.
    let pairs = |chart| {
        let mut p = vec![([0.0, 1.0], [1.5, 0.6])];
        if chart == NormalChart::MeanSd {
            p.push(([-2.0, 0.3], [3.0, 2.0]));
        }
        p
    };
    for chart in NormalChart::ALL {
        let m = Pullback::new(Normal, chart).unwrap();
        for (a, b) in pairs(chart) {
            let (xa, xb) = (chart.to_chart(&a), chart.to_chart(&b));
            let (d, u) = fisher_rao_distance(&m, &xa, &xb, opts).unwrap();
            assert_relative_eq!(d, normal_distance(&a, &b), max_relative = 1e-9);
            // Exp∘Log = id.
            let end =
                natflow::geometry::exp_map(&m, &xa, u.as_slice(), 1.0, OdeOptions::with_tol(1e-13))
                    .unwrap();
            assert_relative_eq!(
                end.as_slice(),
                xb.as_slice(),
                max_relative = 1e-9,
                epsilon = 1e-10
            );
        }
    }
    // Log∘Exp = id for several families and α.
    let gamma_rate = Pullback::new(Gamma, GammaChart::Scale).unwrap();
    let beta = Pullback::new(NaturalCoordinates(Beta), BetaChart::MeanPrecision).unwrap();
    type Case<'a> = (&'a dyn Fn(f64) -> (DVector<f64>, DVector<f64>), f64);
    let cases: [Case; 4] = [
        (
            &|alpha| logexp(&gamma_rate, &[2.0, 0.5], &[0.3, 0.1], alpha),
            0.0,
        ),
        (
            &|alpha| logexp(&gamma_rate, &[2.0, 0.5], &[0.3, 0.1], alpha),
            1.0,
        ),
        (
            &|alpha| logexp(&beta, &[0.3, 5.0], &[0.05, -1.0], alpha),
            0.0,
        ),
        (
            &|alpha| logexp(&beta, &[0.3, 5.0], &[0.05, -1.0], alpha),
            -1.0,
        ),
    ];
    for (f, alpha) in cases {
        let (u, back) = f(alpha);
        assert_relative_eq!(back, u, max_relative = 1e-8, epsilon = 1e-10);
    }
}

/// (u, Log_x(Exp_x(u))) for the α-connection.
fn logexp<M: Metric, C: Chart>(
    m: &Pullback<M, C>,
    x: &[f64],
    u: &[f64],
    alpha: f64,
) -> (DVector<f64>, DVector<f64>) {
    let y = alpha_exp_map(m, x, u, 1.0, alpha, OdeOptions::with_tol(1e-13)).unwrap();
    let conn = AlphaConnection::new(m, alpha).unwrap();
    let l = log_map(&conn, x, y.as_slice(), LogOptions::default()).unwrap();
    (DVector::from_column_slice(u), l.vector)
}

#[test]
fn log_map_outside_its_region_is_a_clear_error() {
    // Antipodal-ish points of the Bernoulli family's circle are fine, but a target outside the
    // domain is refused, and a non-finite α is refused.
    let m = Pullback::new(Normal, NormalChart::MeanSd).unwrap();
    let conn = AlphaConnection::new(&m, 0.0).unwrap();
    assert!(log_map(&conn, &[0.0, 1.0], &[0.0, -1.0], LogOptions::default()).is_err());
    assert!(AlphaConnection::new(&m, f64::NAN).is_err());
}
