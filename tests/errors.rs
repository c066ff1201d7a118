//! Bad input to the library is refused with a typed error, never a panic.

use nalgebra::{DMatrix, DVector};
use natflow::Error;
use natflow::families::{Gamma, GammaChart, GammaSample, NormalChart};
use natflow::geometry::{Metric, Pullback, christoffel_vv_ad};
use natflow::linalg::solve_spd as solve_metric;

#[test]
fn out_of_domain_points() {
    assert!(matches!(
        Gamma.metric(&[1.0, 0.0]),
        Err(Error::OutOfDomain { .. })
    ));
    assert!(matches!(
        Gamma.metric(&[-1.0, 1.0]),
        Err(Error::OutOfDomain { .. })
    ));
    let m = Pullback::new(Gamma, GammaChart::Scale).unwrap();
    assert!(matches!(
        m.metric(&[1.0, -2.0]),
        Err(Error::OutOfDomain { .. })
    ));
    let m = Pullback::new(Gamma, GammaChart::SqrtBoth).unwrap();
    assert!(matches!(
        m.christoffel(&[-1.0, 1.0]),
        Err(Error::OutOfDomain { .. })
    ));
    assert!(matches!(
        m.to_chart(&[1.0, -1.0]),
        Err(Error::OutOfDomain { .. })
    ));
}

#[test]
fn non_finite_and_wrong_dimension() {
    assert!(matches!(
        Gamma.metric(&[f64::NAN, 1.0]),
        Err(Error::NonFinite { index: 0, .. })
    ));
    assert!(matches!(
        Gamma.metric(&[1.0, f64::INFINITY]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        Gamma.metric(&[1.0]),
        Err(Error::Dimension {
            expected: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        Gamma.christoffel_vv(&[1.0, 1.0], &[1.0, 2.0, 3.0]),
        Err(Error::Dimension { .. })
    ));
}

#[test]
fn unknown_names() {
    let e = "nope".parse::<GammaChart>().unwrap_err();
    assert!(matches!(&e, Error::Unknown { .. }));
    assert!(
        e.to_string().contains("sqrt-both"),
        "lists the accepted names: {e}"
    );
    assert!("rate".parse::<NormalChart>().is_err());
    for c in GammaChart::ALL {
        use natflow::geometry::Chart;
        assert_eq!(c.name().parse::<GammaChart>().unwrap(), c);
    }
}

#[test]
fn singular_and_ill_conditioned_metrics() {
    let g = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
    let b = DVector::from_vec(vec![1.0, 0.0]);
    assert!(matches!(
        solve_metric(&[0.0, 0.0], &g, &b),
        Err(Error::SingularMetric { .. })
    ));
    let g = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, -1.0]);
    assert!(matches!(
        solve_metric(&[0.0, 0.0], &g, &b),
        Err(Error::SingularMetric { .. })
    ));
    // Gamma's Jacobi-scaled condition number grows like 8α: at α = 1e13 the AD path refuses.
    let e = christoffel_vv_ad(&Gamma, &[1e13, 1.0], &[1.0, 1.0]).unwrap_err();
    assert!(matches!(e, Error::SingularMetric { .. }), "{e}");
    assert!(christoffel_vv_ad(&Gamma, &[1e3, 1.0], &[1.0, 1.0]).is_ok());
}

#[test]
fn bad_samples() {
    assert!(GammaSample::from_observations(&[]).is_err());
    assert!(GammaSample::from_observations(&[1.0, -2.0]).is_err());
    assert!(GammaSample::from_observations(&[1.0, f64::NAN]).is_err());
    let s = GammaSample::from_observations(&[1.0, 2.0, 4.0]).unwrap();
    assert_eq!(s.mean_x, 7.0 / 3.0);
    assert!((s.mean_log_x - 8f64.ln() / 3.0).abs() < 1e-15);
}

#[test]
fn christoffel_contraction_refuses_vectors_of_the_wrong_length() {
    let gamma = Gamma.christoffel(&[2.0, 1.0]).unwrap();
    assert!(gamma.contract(&[1.0, 0.0], &[0.0, 1.0]).is_ok());
    for (u, w) in [
        (&[1.0][..], &[0.0, 1.0][..]),
        (&[1.0, 0.0], &[0.0, 1.0, 2.0]),
    ] {
        assert!(matches!(
            gamma.contract(u, w),
            Err(Error::Dimension { expected: 2, .. })
        ));
    }
}

#[test]
fn steppers_and_solvers_refuse_bad_dimensions_and_step_sizes() {
    use natflow::optim::{Method, NaturalGradient};
    let (sample, _) = natflow::data::gamma_sample(None).unwrap();
    let p = natflow::problem::ChartProblem::new(Gamma, GammaChart::Rate, sample).unwrap();
    // The argmin path: a start of the wrong dimension is a typed error from `run`.
    let e = natflow::optim::run(&p, &Method::Geo, 0.5, 3, &[1.0, 1.0, 1.0]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Dimension {
                expected: 2,
                got: 3,
                ..
            }
        ),
        "{e}"
    );
    assert!(NaturalGradient::new(Method::Geo, 0.0, 2).is_err());
    assert!(NaturalGradient::new(Method::Geo, f64::INFINITY, 2).is_err());
}
