//! Every family and chart in natflow passes the conformance suite
//! (`natflow::testing::check_family`): metric SPD, Fisher = E[∇ℓ∇ℓᵀ] (exact rule or Monte Carlo
//! within 6 standard errors), skewness = E[(∂ᵥℓ)²∇ℓ], closed-form Γ = AD, α-duality, chart
//! round trip, Exp chart invariance, metric compatibility — and the suite catches a wrong metric.

use nalgebra::DMatrix;
use natflow::families::{
    Bernoulli, BernoulliChart, Beta, BetaChart, Categorical, CategoricalChart, Dirichlet,
    DirichletChart, Exponential, ExponentialChart, Gamma, GammaChart, InverseGaussian,
    InverseGaussianChart, MvNormalChart, Normal, NormalChart, Poisson, PoissonChart,
};
use natflow::geometry::{Chart, Metric, Real};
use natflow::model::{LogDensity, NaturalCoordinates};
use natflow::testing::{ConformanceOptions, check_family};

/// Runs the suite at canonical points θ in every chart, and fails with the whole report.
fn conforms<M, C>(family: M, charts: &[C], thetas: &[Vec<f64>])
where
    M: Metric + LogDensity + Clone,
    C: Chart + Clone,
{
    let opts = ConformanceOptions::default();
    for chart in charts {
        for theta in thetas {
            let xi = chart.to_chart(theta);
            let report = check_family(&family, chart, &xi, &opts).unwrap();
            assert!(report.passed(), "{report}");
        }
    }
}

#[test]
fn gamma_and_normal_conform() {
    conforms(Gamma, &GammaChart::ALL, &[vec![2.0, 3.0], vec![0.7, 0.4]]);
    conforms(
        Normal,
        &NormalChart::ALL,
        &[vec![0.5, 1.5], vec![-2.0, 0.3]],
    );
}

#[test]
fn one_parameter_families_conform() {
    conforms(
        NaturalCoordinates(Exponential),
        &ExponentialChart::ALL,
        &[vec![-1.0], vec![-4.0]],
    );
    conforms(
        NaturalCoordinates(Poisson),
        &PoissonChart::ALL,
        &[vec![0.3], vec![2.0]],
    );
    conforms(
        NaturalCoordinates(Bernoulli),
        &BernoulliChart::ALL,
        &[vec![-0.8], vec![1.5]],
    );
}

#[test]
fn two_parameter_families_conform() {
    conforms(
        NaturalCoordinates(Beta),
        &BetaChart::ALL,
        &[vec![1.0, 2.0], vec![0.5, -0.3]],
    );
    conforms(
        NaturalCoordinates(InverseGaussian),
        &InverseGaussianChart::ALL,
        &[vec![-0.5, -0.5], vec![-0.2, -1.5]],
    );
}

#[test]
fn families_of_any_dimension_conform() {
    for k in [2, 3, 4] {
        let f = Categorical::new(k).unwrap();
        let charts: Vec<CategoricalChart> = CategoricalChart::NAMES
            .iter()
            .map(|c| CategoricalChart::parse(c, k).unwrap())
            .collect();
        let eta: Vec<f64> = (1..k).map(|i| 0.4 * i as f64 - 0.5).collect();
        conforms(NaturalCoordinates(f), &charts, &[eta]);
    }
    for k in [2, 3] {
        let f = Dirichlet::new(k).unwrap();
        let charts: Vec<DirichletChart> = DirichletChart::NAMES
            .iter()
            .map(|c| DirichletChart::parse(c, f).unwrap())
            .collect();
        let eta: Vec<f64> = (0..k).map(|i| 0.7 * i as f64 + 0.2).collect();
        conforms(NaturalCoordinates(f), &charts, &[eta]);
    }
    // mvnormal, d = 2: full covariance (5 coordinates) and the diagonal submodel (4).
    for (names, eta) in [
        (
            ["mean-cholesky", "natural", "expectation"],
            vec![0.5, -1.0, -0.6, 0.3, -0.8],
        ),
        (
            ["mean-diag", "natural-diag", "expectation-diag"],
            vec![0.5, -1.0, -0.6, -0.8],
        ),
    ] {
        let charts: Vec<MvNormalChart> = names
            .iter()
            .map(|c| MvNormalChart::parse(c, eta.len()).unwrap())
            .collect();
        conforms(NaturalCoordinates(charts[0].family), &charts, &[eta]);
    }
}

/// A Normal family whose metric is wrong by a factor on the σσ entry (3/σ² instead of 2/σ²)
/// and whose skewness tensor is 10 % too large: the suite must notice both through the
/// expectations. (α-duality holds for any G and symmetric T by the construction
/// Γ^(α) = Γ^(0) − α/2·G⁻¹T, so it checks the α machinery, not the family.)
#[derive(Clone)]
struct WrongNormal;

impl Metric for WrongNormal {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "wrong normal".into()
    }
    fn domain(&self, t: &[f64]) -> Result<(), String> {
        Metric::domain(&Normal, t)
    }
    fn metric_at<D: Real>(&self, t: &[D]) -> DMatrix<D> {
        let iv = (t[1] * t[1]).recip();
        DMatrix::from_row_slice(2, 2, &[iv, D::zero(), D::zero(), iv * 3.0])
    }
    fn skewness_vv(&self, t: &[f64], v: &[f64]) -> natflow::Result<nalgebra::DVector<f64>> {
        Ok(Normal.skewness_vv(t, v)? * 1.1)
    }
}

impl LogDensity for WrongNormal {
    type Outcome = f64;
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "wrong normal".into()
    }
    fn domain(&self, t: &[f64]) -> Result<(), String> {
        Metric::domain(&Normal, t)
    }
    fn log_density<D: Real>(&self, t: &[D], x: &f64) -> D {
        Normal.log_density(t, x)
    }
    fn expectation_rule(&self, t: &[f64]) -> natflow::Result<Vec<(f64, f64)>> {
        Normal.expectation_rule(t)
    }
}

#[test]
fn the_suite_catches_a_wrong_metric() {
    let report = check_family(
        &WrongNormal,
        &NormalChart::MeanSd,
        &[0.5, 1.5],
        &ConformanceOptions::default(),
    )
    .unwrap();
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect();
    assert!(failed.contains(&"fisher-expectation"), "{report}");
    assert!(failed.contains(&"skewness-expectation"), "{report}");
    assert!(!failed.contains(&"alpha-duality"), "{report}");
    // The Levi-Civita parts are self-consistent for any metric.
    assert!(!failed.contains(&"christoffel") && !failed.contains(&"metric-compatibility"));
}
