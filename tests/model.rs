//! The statistical-model layer against closed forms and against each other: Fisher metrics and
//! α-connections from a log-density (finite sums, Gauss–Hermite quadrature) and from a
//! log-partition (automatic differentiation) agree with the families' closed forms; the
//! α-connections are dual; and a matrix-free problem answered by conjugate gradient takes the
//! same steps as the dense one.

use approx::assert_relative_eq;
use nalgebra::{DMatrix, DVector};
use natflow::families::{Gamma, Normal, NormalChart, NormalSample};
use natflow::geometry::{Chart, Metric, Pullback, Real, christoffel_vv_ad};
use natflow::linalg::{CgOptions, CgWorkspace, conjugate_gradient, solve_spd};
use natflow::model::quadrature::gauss_hermite;
use natflow::model::{
    ExponentialFamily, LogDensity, ModelGeometry, NaturalCoordinates, Objective, alpha_connection,
    fisher_matrix, fisher_vector,
};
use natflow::optim::{GeodesicCorrection, NaturalGradient, StepSize, run_solver};
use natflow::problem::{
    ChartProblem, Connection, Domain, FirstKindConnection, Loss, MatrixFreeProblem, MetricProduct,
    NaturalVelocity,
};
use num_dual::Dual64;
use rand::{RngExt, SeedableRng};

const ALPHAS: [f64; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];

// --- A categorical family with K = 3 outcomes, written two ways. -----------------------------

/// As a log-density over its finite support, in natural coordinates η (η₀ = 0):
/// ℓ(η; k) = η_k − ln(1 + e^{η₁} + e^{η₂}).
struct CategoricalDensity;

/// As an exponential family: A(η) = ln(1 + e^{η₁} + e^{η₂}).
struct CategoricalPartition;

impl LogDensity for CategoricalDensity {
    type Outcome = usize;
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "categorical(3)".into()
    }
    fn domain(&self, _: &[f64]) -> Result<(), String> {
        Ok(())
    }
    fn log_density<D: Real>(&self, eta: &[D], k: &usize) -> D {
        let a = (eta[0].exp() + eta[1].exp() + 1.0).ln();
        match k {
            0 => -a,
            k => eta[k - 1] - a,
        }
    }
    fn expectation_rule(&self, eta: &[f64]) -> natflow::Result<Vec<(f64, usize)>> {
        let z = 1.0 + eta[0].exp() + eta[1].exp();
        Ok(vec![
            (1.0 / z, 0),
            (eta[0].exp() / z, 1),
            (eta[1].exp() / z, 2),
        ])
    }
}

impl ExponentialFamily for CategoricalPartition {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "categorical(3)".into()
    }
    fn domain(&self, _: &[f64]) -> Result<(), String> {
        Ok(())
    }
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        (eta[0].exp() + eta[1].exp() + 1.0).ln()
    }
}

#[test]
fn finite_sums_and_log_partition_derivatives_agree() {
    let nat = NaturalCoordinates(CategoricalPartition);
    for eta in [[0.0, 0.0], [1.3, -0.7], [-2.0, 0.4]] {
        let g_sum = fisher_matrix(&CategoricalDensity, &eta).unwrap();
        let g_ad = nat.metric(&eta).unwrap();
        assert_relative_eq!(g_sum, g_ad, max_relative = 1e-13);
        // The closed form of ∇²A: diag(p) − ppᵀ over the non-reference classes.
        let z = 1.0 + eta[0].exp() + eta[1].exp();
        let p = [eta[0].exp() / z, eta[1].exp() / z];
        let closed = DMatrix::from_fn(2, 2, |i, j| {
            if i == j {
                p[i] - p[i] * p[j]
            } else {
                -p[i] * p[j]
            }
        });
        assert_relative_eq!(g_ad, closed, max_relative = 1e-13);
        for v in [[1.0, 0.0], [0.3, -1.2]] {
            let gv = fisher_vector(&CategoricalDensity, &eta, &v).unwrap();
            assert_relative_eq!(
                gv,
                &closed * DVector::from_column_slice(&v),
                max_relative = 1e-13
            );
            for alpha in ALPHAS {
                let by_sum = alpha_connection(&CategoricalDensity, &eta, &v, alpha).unwrap();
                let by_ad = nat.alpha_connection(&eta, &v, alpha).unwrap();
                assert_relative_eq!(by_sum, by_ad, epsilon = 1e-15, max_relative = 1e-12);
            }
        }
    }
}

#[test]
fn alpha_zero_is_the_levi_civita_connection_of_the_fisher_metric() {
    // Levi-Civita by differentiating G = ∇²A (christoffel_vv_ad) against ½G⁻¹T(v,v) from third
    // derivatives of A.
    let nat = NaturalCoordinates(CategoricalPartition);
    for eta in [[0.2, -0.1], [1.5, 2.0]] {
        for v in [[1.0, -1.0], [0.7, 0.2]] {
            let lc = christoffel_vv_ad(&nat, &eta, &v).unwrap();
            let a0 = nat.alpha_christoffel_vv(&eta, &v, 0.0).unwrap();
            assert_relative_eq!(lc, a0, max_relative = 1e-12);
            // e-flat: the exponential connection vanishes in natural coordinates.
            assert_eq!(nat.alpha_christoffel_vv(&eta, &v, 1.0).unwrap().norm(), 0.0);
        }
    }
}

// --- Gamma as an exponential family. ---------------------------------------------------------

/// T(x) = (ln x, x), η = (α − 1, −β), A(η) = ln Γ(η₁ + 1) − (η₁ + 1) ln(−η₂).
struct GammaPartition;
impl ExponentialFamily for GammaPartition {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "gamma".into()
    }
    fn domain(&self, eta: &[f64]) -> Result<(), String> {
        if eta[0] > -1.0 && eta[1] < 0.0 {
            Ok(())
        } else {
            Err("need η₁ > −1, η₂ < 0".into())
        }
    }
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        let a = eta[0] + 1.0;
        a.ln_gamma() - a * (-eta[1]).ln()
    }
}

/// (α, β) ↦ η = (α − 1, −β).
struct RateToNatural;
impl Chart for RateToNatural {
    fn dim(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "rate".into()
    }
    fn formula(&self) -> String {
        "(α, β) ↦ (α − 1, −β)".into()
    }
    fn domain(&self, xi: &[f64]) -> Result<(), String> {
        if xi[0] > 0.0 && xi[1] > 0.0 {
            Ok(())
        } else {
            Err("need α, β > 0".into())
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        vec![xi[0] - 1.0, -xi[1]]
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        vec![eta[0] + 1.0, -eta[1]]
    }
}

#[test]
fn gamma_from_its_log_partition_matches_the_closed_forms() {
    let m = Pullback::new(NaturalCoordinates(GammaPartition), RateToNatural).unwrap();
    for th in [[0.3, 2.0], [1.0, 1.0], [20.0, 20.0], [3.5, 0.4]] {
        assert_relative_eq!(
            m.metric(&th).unwrap(),
            Gamma.metric(&th).unwrap(),
            max_relative = 1e-13
        );
        for v in [[1.0, 0.0], [0.2, -0.9]] {
            let from_a = m.christoffel_vv(&th, &v).unwrap();
            let closed = Gamma.christoffel_vv(&th, &v).unwrap();
            assert_relative_eq!(from_a, closed, epsilon = 1e-14, max_relative = 1e-10);
        }
    }
}

// --- Normal from its log-density by Gauss–Hermite quadrature. --------------------------------

#[test]
fn gauss_hermite_integrates_normal_moments_exactly() {
    let (t, w) = gauss_hermite(8).unwrap();
    // E[Z^{2k}] = (2k − 1)!!, odd moments 0, up to degree 15.
    let mut double_factorial = 1.0;
    for k in 0..8 {
        let even: f64 = t.iter().zip(&w).map(|(t, w)| w * t.powi(2 * k)).sum();
        let odd: f64 = t.iter().zip(&w).map(|(t, w)| w * t.powi(2 * k + 1)).sum();
        assert_relative_eq!(even, double_factorial, max_relative = 1e-12);
        assert!(
            odd.abs() < 1e-12 * double_factorial.max(1.0),
            "E[Z^{}] = {odd}",
            2 * k + 1
        );
        double_factorial *= (2 * k + 1) as f64;
    }
    assert!(gauss_hermite(0).is_err() && gauss_hermite(65).is_err());
}

#[test]
fn normal_fisher_and_connection_from_its_log_density() {
    let geo = ModelGeometry::new(Normal, 0.0).unwrap();
    for th in [[0.0, 1.0], [3.0, 0.2], [-1.5, 7.0]] {
        let g = fisher_matrix(&Normal, &th).unwrap();
        let closed = Metric::metric(&Normal, &th).unwrap();
        assert_relative_eq!(
            g,
            closed,
            epsilon = 1e-14 * closed.norm(),
            max_relative = 1e-12
        );
        for v in [[1.0, 0.0], [0.5, -2.0]] {
            let gamma = geo.christoffel_vv(&th, &v).unwrap();
            let closed = Metric::christoffel_vv(&Normal, &th, &v).unwrap();
            assert_relative_eq!(gamma, closed, epsilon = 1e-13, max_relative = 1e-11);
        }
    }
    assert!(ModelGeometry::new(Normal, f64::NAN).is_err());
    assert!(fisher_matrix(&Normal, &[0.0, -1.0]).is_err());
    assert!(fisher_vector(&Normal, &[0.0, 1.0], &[1.0]).is_err());
}

/// Dual connections: ∂ᵥ(vᵀG v) = v·c_α(v) + v·c_{−α}(v) for every α (Amari & Nagaoka 2000,
/// Thm 3.1, contracted with v three times); ∂ᵥ of the closed-form metric by a dual number.
#[test]
fn alpha_connections_are_dual() {
    let th = [0.7, 1.3];
    let v = [0.4, -0.25];
    let xd: Vec<Dual64> = th
        .iter()
        .zip(&v)
        .map(|(&t, &vi)| Dual64::new(t, vi))
        .collect();
    let gd = Metric::metric_at(&Normal, &xd);
    let dv_q: f64 = (0..2)
        .flat_map(|i| (0..2).map(move |j| (i, j)))
        .map(|(i, j)| v[i] * gd[(i, j)].eps * v[j])
        .sum();
    for alpha in ALPHAS {
        let ca = alpha_connection(&Normal, &th, &v, alpha).unwrap();
        let cb = alpha_connection(&Normal, &th, &v, -alpha).unwrap();
        let vv = DVector::from_column_slice(&v);
        assert_relative_eq!(vv.dot(&ca) + vv.dot(&cb), dv_q, max_relative = 1e-12);
    }
}

// --- Conjugate gradient and a matrix-free problem. -------------------------------------------

#[test]
fn conjugate_gradient_matches_a_dense_solve() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let n = 30;
    let a = DMatrix::from_fn(n, n, |_, _| rng.random_range(-1.0..1.0));
    let g = &a * a.transpose() + DMatrix::identity(n, n) * 0.1;
    let b = DVector::from_fn(n, |_, _| rng.random_range(-1.0..1.0));
    let mut ws = CgWorkspace::new(n);
    for damping in [0.0, 0.5] {
        let gd = &g + DMatrix::identity(n, n) * damping;
        let want = solve_spd(&[], &gd, &b).unwrap();
        let opts = CgOptions {
            damping,
            ..CgOptions::default()
        };
        let apply = |v: &[f64], out: &mut [f64]| {
            out.copy_from_slice((&g * DVector::from_column_slice(v)).as_slice());
            Ok(())
        };
        let mut y = vec![0.0; n];
        let rep = conjugate_gradient(apply, b.as_slice(), &mut y, None, opts, &mut ws).unwrap();
        assert!(rep.converged && rep.iterations <= 3 * n, "{rep:?}");
        assert_relative_eq!(DVector::from_vec(y), want, max_relative = 1e-9);
        // Jacobi preconditioning reaches the same solution.
        let diag: Vec<f64> = gd.diagonal().iter().copied().collect();
        let mut y = vec![0.0; n];
        conjugate_gradient(apply, b.as_slice(), &mut y, Some(&diag), opts, &mut ws).unwrap();
        assert_relative_eq!(DVector::from_vec(y), want, max_relative = 1e-9);
    }
    // Truncated: reports, does not fail.
    let mut y = vec![0.0; n];
    let opts = CgOptions {
        max_iters: 3,
        ..CgOptions::default()
    };
    let rep = conjugate_gradient(
        |v, out| {
            out.copy_from_slice((&g * DVector::from_column_slice(v)).as_slice());
            Ok(())
        },
        b.as_slice(),
        &mut y,
        None,
        opts,
        &mut ws,
    )
    .unwrap();
    assert!(!rep.converged && rep.iterations == 3);
    // Indefinite: refused.
    let neg = -DMatrix::<f64>::identity(n, n);
    let e = conjugate_gradient(
        |v, out| {
            out.copy_from_slice((&neg * DVector::from_column_slice(v)).as_slice());
            Ok(())
        },
        b.as_slice(),
        &mut vec![0.0; n],
        None,
        CgOptions::default(),
        &mut ws,
    );
    assert!(matches!(e, Err(natflow::Error::SingularMetric { .. })));
    let e = conjugate_gradient(
        |_, _| Ok(()),
        b.as_slice(),
        &mut [0.0; 3],
        None,
        opts,
        &mut ws,
    );
    assert!(matches!(e, Err(natflow::Error::Dimension { .. })));
}

/// The Normal fit with nothing but a loss, Fisher-vector products and the first-kind
/// connection from the log-density: no metric matrix, no chart, no exponential map.
struct MatrixFreeNormal {
    geometry: ModelGeometry<Normal>,
    sample: NormalSample,
}

impl Domain for MatrixFreeNormal {
    fn dim(&self) -> usize {
        2
    }
    fn check(&self, x: &[f64]) -> natflow::Result<()> {
        LogDensity::check(&Normal, x)
    }
}
impl Loss for MatrixFreeNormal {
    fn loss(&self, x: &[f64]) -> natflow::Result<f64> {
        self.check(x)?;
        Ok(self.sample.value_at(x))
    }
    fn gradient_into(&self, x: &[f64], out: &mut [f64]) -> natflow::Result<()> {
        self.check(x)?;
        out.copy_from_slice(self.sample.gradient(x).as_slice());
        Ok(())
    }
}
impl MetricProduct for MatrixFreeNormal {
    fn metric_vector_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> natflow::Result<()> {
        self.geometry.metric_vector_into(x, v, out)
    }
}
impl FirstKindConnection for MatrixFreeNormal {
    fn connection_vv_into(&self, x: &[f64], v: &[f64], out: &mut [f64]) -> natflow::Result<()> {
        self.geometry.connection_vv_into(x, v, out)
    }
}

#[test]
fn a_matrix_free_problem_takes_the_dense_problems_steps() {
    let sample = NormalSample::from_moments(1.0, 4.0).unwrap();
    let dense = ChartProblem::new(Normal, NormalChart::MeanSd, sample).unwrap();
    let free = MatrixFreeProblem::new(
        MatrixFreeNormal {
            geometry: ModelGeometry::new(Normal, 0.0).unwrap(),
            sample,
        },
        CgOptions::default(),
    );
    for x in [[0.0, 1.0], [2.0, 0.5]] {
        assert_relative_eq!(
            free.natural_velocity(&x).unwrap(),
            dense.natural_velocity(&x).unwrap(),
            max_relative = 1e-10
        );
        assert_relative_eq!(
            free.christoffel_vv(&x, &[0.3, 0.1]).unwrap(),
            dense.christoffel_vv(&x, &[0.3, 0.1]).unwrap(),
            max_relative = 1e-10
        );
    }
    // geo through the argmin solver, bounded only by what geodesic correction uses.
    let solver = NaturalGradient::with_step(
        GeodesicCorrection::new(true),
        StepSize::Fixed(0.3),
        "geo-f".into(),
    )
    .unwrap();
    let free_path = run_solver(&free, solver, 8, &[0.0, 1.0]).unwrap();
    let dense_path =
        natflow::optim::run(&dense, &natflow::optim::Method::GeoF, 0.3, 8, &[0.0, 1.0]).unwrap();
    for ((x, l), (y, m)) in free_path
        .iter()
        .zip(dense_path.points.iter().zip(&dense_path.losses))
    {
        assert_relative_eq!(x, y, max_relative = 1e-9);
        assert_relative_eq!(*l, *m, max_relative = 1e-12);
    }
}
