//! Every registered family and chart: charts round-trip, the losses' gradients (closed form or
//! the default automatic path) agree with independent computations, and the registry's names
//! are the ones its entries report.

use approx::assert_relative_eq;
use natflow::families::{GammaSample, NormalSample};
use natflow::geometry::Real;
use natflow::model::Objective;
use natflow::registry::{FAMILIES, family, family_names};

/// Points in canonical coordinates per family, spread over the domain.
fn points(name: &str) -> Vec<Vec<f64>> {
    match name {
        "gamma" => vec![
            vec![0.3, 2.0],
            vec![1.0, 1.0],
            vec![20.0, 20.0],
            vec![150.0, 7.0],
        ],
        "normal" => vec![vec![0.0, 1.0], vec![-3.0, 0.2], vec![1e3, 40.0]],
        // Natural coordinates η of the exponential families (default dimensions).
        "exponential" => vec![vec![-1.0], vec![-0.01], vec![-300.0]],
        "poisson" => vec![vec![0.0], vec![-5.0], vec![6.0]],
        "bernoulli" => vec![vec![0.0], vec![-4.0], vec![2.5]],
        "categorical" => vec![vec![0.0, 0.0], vec![-3.0, 2.0], vec![5.0, 4.0]],
        "beta" => vec![vec![1.0, 2.0], vec![-0.7, -0.5], vec![30.0, 8.0]],
        "dirichlet" => vec![
            vec![1.0, 1.0, 1.0],
            vec![-0.5, 0.0, 3.0],
            vec![20.0, 9.0, 1.0],
        ],
        "inverse-gaussian" => vec![vec![-0.5, -0.5], vec![-0.01, -3.0], vec![-4.0, -0.2]],
        "mvnormal" => vec![
            vec![0.0, 0.0, -0.5, 0.0, -0.5],
            vec![1.0, -2.0, -1.0, 0.4, -0.3],
            // The diagonal submodel (the `-diag` charts).
            vec![1.0, -1.0, -0.5, -2.0],
        ],
        other => panic!("add test points for family {other}"),
    }
}

#[test]
fn every_chart_round_trips() {
    for fam in FAMILIES {
        for chart in fam.charts() {
            let geometry = |theta: &[f64]| fam.geometry(&chart.name, Some(theta.len()));
            // Expectation coordinates lose digits where the family is nearly degenerate: the
            // Newton inversion of Gamma's (E ln x, E x) at α = 150 (condition ~1e3), the
            // cancellation in σ² = E[x²] − E[x]² for a Normal with |μ| ≫ σ.
            let tol = if chart.name == "expectation" {
                1e-12
            } else {
                1e-14
            };
            for theta in points(fam.name()) {
                // mvnormal: full-covariance points for the full charts, diagonal for `-diag`.
                let g = match geometry(&theta) {
                    Err(_) if fam.name() == "mvnormal" => continue,
                    g => g.unwrap(),
                };
                // A coordinate at 0 is compared absolutely, at the scale of the others.
                let eps = tol * theta.iter().fold(1.0_f64, |m, t| m.max(t.abs()));
                let xi = g.to_chart(&theta).unwrap();
                let back = g.to_canonical(xi.as_slice()).unwrap();
                assert_relative_eq!(
                    back.as_slice(),
                    theta.as_slice(),
                    max_relative = tol,
                    epsilon = eps
                );
                let xi2 = g.to_chart(back.as_slice()).unwrap();
                let eps = tol * xi.iter().fold(1.0_f64, |m, t| m.max(t.abs()));
                assert_relative_eq!(xi2, xi, max_relative = tol, epsilon = eps);
            }
        }
    }
}

#[test]
fn the_registry_finds_what_it_lists() {
    for name in family_names() {
        assert_eq!(family(name).unwrap().name(), name);
        let fam = family(name).unwrap();
        assert!(fam.geometry("no-such-chart", None).is_err());
        // Gamma's and Normal's first chart is their canonical one; an exponential family's
        // canonical coordinates are its natural ones. Either maps θ to itself.
        let identity = match name {
            "gamma" | "normal" => fam.charts()[0].name.clone(),
            _ => "natural".to_string(),
        };
        let theta = fam.reference_point();
        let xi = fam
            .geometry(&identity, None)
            .unwrap()
            .to_chart(&theta)
            .unwrap();
        assert_eq!(xi.as_slice(), theta.as_slice());
    }
    let e = family("weibull").err().unwrap();
    assert!(e.to_string().contains("gamma, normal"), "{e}");
}

/// Only the value of a loss: its gradient comes from the trait's default, forward-mode AD.
struct ValueOnly<L>(L);
impl<L: Objective> Objective for ValueOnly<L> {
    fn value_at<D: Real>(&self, theta: &[D]) -> D {
        self.0.value_at(theta)
    }
}

#[test]
fn automatic_gradients_match_the_closed_forms() {
    let g = GammaSample::from_observations(&[0.5, 1.5, 2.25, 4.0]).unwrap();
    for th in points("gamma") {
        // Closed form ∇L = (ψ(α) − ln β − mean ln x, −α/β + mean x) against the AD default.
        assert_relative_eq!(
            g.gradient(&th),
            ValueOnly(g).gradient(&th),
            max_relative = 1e-13
        );
    }
    let n = NormalSample::from_observations(&[-1.0, 0.5, 2.0, 3.5]).unwrap();
    for th in points("normal") {
        let (m, s) = (th[0], th[1]);
        let second = n.var_x + (n.mean_x - m) * (n.mean_x - m); // mean (x − μ)²
        let want = [(m - n.mean_x) / (s * s), 1.0 / s - second / (s * s * s)];
        assert_relative_eq!(n.gradient(&th).as_slice(), &want[..], max_relative = 1e-12);
    }
}

/// The sample variance keeps its digits when the mean is large: 10000.1, 10000.2, 10000.3 have
/// population variance 0.02/3.
#[test]
fn normal_sample_variance_does_not_cancel() {
    let xs = [10000.1, 10000.2, 10000.3];
    let s = NormalSample::from_observations(&xs).unwrap();
    // The inputs carry rounding of ~1e-12 (the spacing of f64 near 1e4), i.e. ~1e-11 relative
    // in the variance; mean(x²) − x̄² would lose ~4e-6 relative here.
    assert_relative_eq!(s.var_x, 0.02 / 3.0, max_relative = 1e-9);
}
