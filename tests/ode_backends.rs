//! natflow's own Dormand–Prince 5(4) backend against closed forms and against diffsol:
//! y' = −y and the harmonic oscillator to their exact solutions, errors that fall with the
//! tolerance (like tol for a 5(4) pair with error-per-step control), the Gamma geodesic and
//! the exponential map equal to diffsol's, and failures reported as errors.

use approx::assert_relative_eq;
use natflow::families::{Gamma, GammaChart};
use natflow::geometry::{Pullback, exp_map};
use natflow::ode::{OdeBackend, OdeOptions, solve};

fn dopri(tol: f64) -> OdeOptions {
    OdeOptions {
        backend: OdeBackend::DormandPrince,
        ..OdeOptions::with_tol(tol)
    }
}

#[test]
fn closed_form_solutions() {
    // y' = −y: e^{−t} at t = 0.5, 1, 3.
    let out = solve(
        &[1.0],
        &[0.5, 1.0, 3.0],
        dopri(1e-12),
        |y, dy| {
            dy[0] = -y[0];
            Ok(())
        },
        |_| Ok(()),
    )
    .unwrap();
    for (o, t) in out.iter().zip([0.5_f64, 1.0, 3.0]) {
        assert_relative_eq!(o[0], (-t).exp(), max_relative = 1e-11);
    }
    // Harmonic oscillator (x, v)' = (v, −x) from (1, 0): (cos t, −sin t), over 10 periods.
    let t = 20.0 * std::f64::consts::PI;
    let errs: Vec<f64> = [1e-6, 1e-8, 1e-10, 1e-12]
        .iter()
        .map(|&tol| {
            let out = solve(
                &[1.0, 0.0],
                &[t],
                dopri(tol),
                |y, dy| {
                    dy[0] = y[1];
                    dy[1] = -y[0];
                    Ok(())
                },
                |_| Ok(()),
            )
            .unwrap();
            ((out[0][0] - t.cos()).powi(2) + (out[0][1] + t.sin()).powi(2)).sqrt()
        })
        .collect();
    assert!(errs[3] < 1e-9, "{errs:?}");
    // Error per step control: each factor 100 in tol buys at least a factor 30 in error.
    for w in errs.windows(2) {
        assert!(w[1] < w[0] / 30.0, "{errs:?}");
    }
}

#[test]
fn geodesics_agree_with_diffsol() {
    for chart in GammaChart::PAPER {
        let m = Pullback::new(Gamma, chart).unwrap();
        let xi = natflow::geometry::Chart::to_chart(&chart, &[2.0, 1.5]);
        let v = m.pull_vector(&xi, &[0.8, -0.5]).unwrap();
        let a = exp_map(&m, &xi, v.as_slice(), 1.0, OdeOptions::with_tol(1e-12)).unwrap();
        let b = exp_map(&m, &xi, v.as_slice(), 1.0, dopri(1e-12)).unwrap();
        assert_relative_eq!(a, b, max_relative = 1e-9);
    }
}

#[test]
fn failures_are_errors() {
    // The right-hand side fails beyond y = 2 (y' = 1 from 0 reaches it at t = 2).
    let r = solve(
        &[0.0],
        &[3.0],
        dopri(1e-10),
        |y, dy| {
            if y[0] > 2.0 {
                return Err(natflow::Error::InvalidArgument("left the domain".into()));
            }
            dy[0] = 1.0;
            Ok(())
        },
        |_| Ok(()),
    );
    assert!(r.is_err());
    // The domain check rejects an accepted state.
    let r = solve(
        &[0.0],
        &[3.0],
        dopri(1e-10),
        |_, dy| {
            dy[0] = 1.0;
            Ok(())
        },
        |y| {
            if y[0] > 1.0 {
                Err(natflow::Error::InvalidArgument("outside".into()))
            } else {
                Ok(())
            }
        },
    );
    assert!(r.is_err());
    // Blow-up y' = y², y(0) = 1 (at t = 1): the step limit stops it.
    let opts = OdeOptions {
        max_steps: 2_000,
        ..dopri(1e-10)
    };
    let r = solve(
        &[1.0],
        &[2.0],
        opts,
        |y, dy| {
            dy[0] = y[0] * y[0];
            Ok(())
        },
        |_| Ok(()),
    );
    assert!(r.is_err());
}
