//! The exponential map: against the Normal family's closed-form geodesics, chart invariance for
//! Gamma, conservation of speed, and refusal of geodesics that leave the domain.

mod common;
use common::rel_err;
use nalgebra::DMatrix;
use natflow::Error;
use natflow::families::{Gamma, GammaChart, Normal, NormalChart};
use natflow::geometry::{Chart, ExpOptions, Metric, Pullback, Real, exp_map};

#[test]
fn normal_exp_matches_closed_form_geodesics() {
    let starts = [[0.0, 1.0], [2.0, 0.5], [-1.0, 3.0]];
    let velocities = [
        [1.0, 0.0],
        [0.0, 1.0],
        [0.0, -0.7],
        [-0.8, 0.6],
        [3.0, -2.0],
    ];
    for x in starts {
        for v in velocities {
            for t in [0.3, 1.0, 2.5, -1.2] {
                let num = exp_map(&Normal, &x, &v, t, ExpOptions::default()).unwrap();
                let exact = Normal::geodesic_closed_form(&x, &v, t).unwrap();
                let e = rel_err(num.as_slice(), exact.as_slice());
                assert!(
                    e < 1e-9,
                    "x={x:?} v={v:?} t={t}: {num} vs {exact}, err {e:e}"
                );
            }
        }
    }
}

/// Exp from the same point along the same tangent vector, computed in each chart and mapped to
/// canonical coordinates, lands on the same distribution.
fn check_invariance<M: Metric + Copy, C: Chart + Copy>(
    base: M,
    charts: &[C],
    theta: &[f64],
    w: &[f64],
    t: f64,
) {
    let reference = exp_map(&base, theta, w, t, ExpOptions::default()).unwrap();
    for &chart in charts {
        let m = Pullback::new(base, chart).unwrap();
        let xi = m.to_chart(theta).unwrap();
        let u = m.pull_vector(xi.as_slice(), w).unwrap();
        let end = exp_map(&m, xi.as_slice(), u.as_slice(), t, ExpOptions::default()).unwrap();
        let end_theta = m.to_canonical(end.as_slice()).unwrap();
        let e = rel_err(end_theta.as_slice(), reference.as_slice());
        assert!(
            e < 1e-9,
            "chart {}: {end_theta} vs {reference}, err {e:e}",
            chart.name()
        );
    }
}

#[test]
fn exp_is_chart_invariant_for_gamma() {
    for (theta, w) in [
        ([1.0, 1.0], [0.5, 0.8]),
        ([20.0, 20.0], [-3.0, 1.0]),
        ([2.0, 0.5], [1.0, -0.2]),
    ] {
        check_invariance(Gamma, &GammaChart::ALL, &theta, &w, 1.0);
    }
}

#[test]
fn exp_is_chart_invariant_for_normal() {
    check_invariance(Normal, &NormalChart::ALL, &[0.5, 1.5], &[1.0, -0.4], 1.3);
}

#[test]
fn geodesic_speed_is_conserved() {
    // g(x', x') is constant along a geodesic.
    let m = Pullback::new(Gamma, GammaChart::SqrtBoth).unwrap();
    let x = [1.2, 0.9];
    let v = [0.4, -0.3];
    let speed = |x: &[f64], v: &[f64]| {
        let g = m.metric(x).unwrap();
        let v = nalgebra::DVector::from_column_slice(v);
        v.dot(&(&g * &v))
    };
    let s0 = speed(&x, &v);
    let path =
        natflow::geometry::geodesic::geodesic(&m, &x, &v, &[0.5, 1.0, 2.0], ExpOptions::default())
            .unwrap();
    for (p, q) in path {
        let s = speed(p.as_slice(), q.as_slice());
        assert!((s - s0).abs() < 1e-10 * s0, "{s} vs {s0}");
    }
}

/// The flat metric on the half-line x > 0: geodesics are straight lines, so the one from x = 1
/// with velocity −1 leaves the domain at t = 1.
struct HalfLine;
impl Metric for HalfLine {
    fn dim(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        "half-line".into()
    }
    fn domain(&self, x: &[f64]) -> Result<(), String> {
        if x[0] > 0.0 {
            Ok(())
        } else {
            Err("need x > 0".into())
        }
    }
    fn metric_at<D: Real>(&self, _x: &[D]) -> DMatrix<D> {
        DMatrix::from_element(1, 1, D::one())
    }
}

#[test]
fn leaving_the_domain_is_an_error() {
    let inside = exp_map(&HalfLine, &[1.0], &[-1.0], 0.5, ExpOptions::default()).unwrap();
    assert!((inside[0] - 0.5).abs() < 1e-12);
    let err = exp_map(&HalfLine, &[1.0], &[-1.0], 2.0, ExpOptions::default()).unwrap_err();
    assert!(matches!(err, Error::OutOfDomain { .. }), "{err}");
}

#[test]
fn bad_exp_arguments_are_errors() {
    let o = ExpOptions::default();
    assert!(matches!(
        exp_map(&Normal, &[0.0, -1.0], &[1.0, 0.0], 1.0, o),
        Err(Error::OutOfDomain { .. })
    ));
    assert!(matches!(
        exp_map(&Normal, &[0.0, 1.0], &[f64::NAN, 0.0], 1.0, o),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        exp_map(&Normal, &[0.0, 1.0], &[1.0], 1.0, o),
        Err(Error::Dimension { .. })
    ));
    assert!(matches!(
        exp_map(&Normal, &[0.0, 1.0], &[1.0, 0.0], f64::INFINITY, o),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        exp_map(
            &Normal,
            &[0.0, 1.0],
            &[1.0, 0.0],
            1.0,
            ExpOptions::with_tol(-1.0)
        ),
        Err(Error::InvalidArgument(_))
    ));
}
