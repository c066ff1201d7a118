//! Adding a family: the geometric distribution p(x) = (1 − q)qˣ, x = 0, 1, …, written as its
//! log-partition A(η) = −ln(1 − e^η) with η = ln q, its observations and one chart — then the
//! conformance suite checks everything natflow derives from it (the README's example).

use natflow::geometry::{Chart, Real};
use natflow::model::{ExponentialFamily, NaturalCoordinates, Observations};
use rand::rngs::StdRng;

#[derive(Clone, Copy)]
struct Geometric;

impl ExponentialFamily for Geometric {
    fn dim(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        "geometric".into()
    }
    fn domain(&self, eta: &[f64]) -> Result<(), String> {
        if eta[0] < 0.0 {
            Ok(())
        } else {
            Err("need η = ln q < 0".into())
        }
    }
    /// A(η) = −ln(1 − q), q = e^η.
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        -(-eta[0].exp()).ln_1p()
    }
}

impl Observations for Geometric {
    fn observation_dim(&self) -> usize {
        1
    }
    fn support(&self, x: &[f64]) -> Result<(), String> {
        if x[0] >= 0.0 && x[0].fract() == 0.0 {
            Ok(())
        } else {
            Err("need a count".into())
        }
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        vec![x[0]]
    }
    fn log_base_measure(&self, _x: &[f64]) -> f64 {
        0.0
    }
    /// Inversion: P(X ≥ k) = qᵏ, so X = ⌊ln u / ln q⌋.
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        let u = natflow::random::open_unit(rng);
        vec![(u.ln() / eta[0]).floor()]
    }
}

/// The chart q ↦ η = ln q.
#[derive(Clone, Copy)]
struct Q;

impl Chart for Q {
    fn dim(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        "q".into()
    }
    fn formula(&self) -> String {
        "q ↦ ln q".into()
    }
    fn domain(&self, xi: &[f64]) -> Result<(), String> {
        if xi[0] > 0.0 && xi[0] < 1.0 {
            Ok(())
        } else {
            Err("need 0 < q < 1".into())
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        vec![xi[0].ln()]
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        vec![eta[0].exp()]
    }
}

fn main() {
    let report = natflow::testing::check_family(
        &NaturalCoordinates(Geometric),
        &Q,
        &[0.4],
        &Default::default(),
    )
    .expect("0.4 is a valid q");
    print!("{report}");
    assert!(report.passed());
}
