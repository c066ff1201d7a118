//! Hessian-free training: on logistic regression (convex) every method reaches the optimum of a
//! dense Newton iteration; on a small autoencoder every method lowers the loss, the
//! second-order methods never raise it, the corrections are applied and counted; runs are
//! reproducible.

use approx::assert_relative_eq;
use nalgebra::{DMatrix, DVector};
use natflow::geometry::Metric;
use natflow::nn::dense::DenseMlp;
use natflow::nn::train::{TrainConfig, TrainMethod, train};
use natflow::nn::{Activation, Dataset, Mlp, OutputFamily};
use num_dual::Dual64;
use rand::{RngExt, SeedableRng};

fn logistic_regression() -> (Mlp, Dataset) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    let net = Mlp::new(3, &[1], &[Activation::Linear], OutputFamily::Bernoulli).unwrap();
    let w = [1.5, -2.0, 0.7, 0.3];
    let mut x = vec![];
    let mut y = vec![];
    for _ in 0..40 {
        let xi: Vec<f64> = (0..3).map(|_| rng.random_range(-1.5..1.5)).collect();
        let z = w[0] * xi[0] + w[1] * xi[1] + w[2] * xi[2] + w[3];
        let p = 1.0 / (1.0 + (-z).exp());
        y.push(vec![f64::from(u8::from(rng.random_range(0.0..1.0) < p))]);
        x.push(xi);
    }
    (net, Dataset::from_rows(&x, &y).unwrap())
}

/// The optimum of L(θ) + ½wd‖θ‖² by Newton's method on the dense AD path (for logistic
/// regression the Hessian of L is the Fisher metric).
fn newton_optimum(net: &Mlp, data: &Dataset, wd: f64) -> f64 {
    let dense = DenseMlp { net, data };
    let p = net.n_params();
    let objective = |th: &[Dual64]| {
        let sq = th.iter().fold(Dual64::from_re(0.0), |a, &t| a + t * t);
        dense.loss(th) + sq * (0.5 * wd)
    };
    let mut theta = vec![0.0; p];
    for _ in 0..50 {
        let mut td: Vec<Dual64> = theta.iter().map(|&t| Dual64::from_re(t)).collect();
        let g = DVector::from_fn(p, |j, _| {
            td[j].eps = 1.0;
            let v = objective(&td).eps;
            td[j].eps = 0.0;
            v
        });
        let h = dense.metric(&theta).unwrap() + DMatrix::identity(p, p) * wd;
        let step = h.cholesky().unwrap().solve(&g);
        theta.iter_mut().zip(step.iter()).for_each(|(t, s)| *t -= s);
    }
    let sq: f64 = theta.iter().map(|t| t * t).sum();
    dense.loss(&theta) + 0.5 * wd * sq
}

#[test]
fn every_method_reaches_the_newton_optimum_on_logistic_regression() {
    let (net, data) = logistic_regression();
    let wd = 1e-3;
    let best = newton_optimum(&net, &data, wd);
    let theta0 = vec![0.0; net.n_params()];
    for method in TrainMethod::ALL {
        let (iters, lr, tol) = match method {
            TrainMethod::Adam => (3000, 0.02, 1e-6),
            TrainMethod::Sgd => (3000, 0.5, 1e-9),
            _ => (25, 0.0, 1e-10),
        };
        let cfg = TrainConfig {
            method,
            iters,
            lambda0: 1.0,
            weight_decay: wd,
            chunk: data.n,
            cg_max: 50,
            correction_threshold: 1e9,
            lr: if lr > 0.0 { lr } else { 1e-3 },
            ..TrainConfig::default()
        };
        let run = train(&net, &theta0, &data, &cfg, &|_| {}).unwrap();
        let last = run.records.last().unwrap().loss;
        assert!(
            ((last - best) / best).abs() < tol,
            "{}: {last} vs Newton {best}",
            method.name()
        );
    }
}

fn autoencoder() -> (Mlp, Dataset, Vec<f64>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let acts = [
        Activation::Logistic,
        Activation::Linear,
        Activation::Logistic,
        Activation::Linear,
    ];
    let net = Mlp::new(6, &[4, 2, 4, 6], &acts, OutputFamily::Bernoulli).unwrap();
    let x: Vec<Vec<f64>> = (0..30)
        .map(|_| (0..6).map(|_| rng.random_range(0.0..1.0)).collect())
        .collect();
    let data = Dataset::from_rows(&x, &x).unwrap();
    let theta: Vec<f64> = (0..net.n_params())
        .map(|_| rng.random_range(-0.5..0.5))
        .collect();
    (net, data, theta)
}

#[test]
fn every_method_lowers_the_loss_of_a_small_autoencoder() {
    let (net, data, theta0) = autoencoder();
    for method in TrainMethod::ALL {
        let cfg = TrainConfig {
            method,
            iters: 8,
            lambda0: 1.0,
            chunk: 10,
            cg_max: 30,
            correction_threshold: 1e9,
            lr: 0.05,
            ..TrainConfig::default()
        };
        let run = train(&net, &theta0, &data, &cfg, &|_| {}).unwrap();
        let r = &run.records;
        assert_eq!(r.len(), 9);
        assert!(
            r[8].loss < r[0].loss,
            "{}: {} → {}",
            method.name(),
            r[0].loss,
            r[8].loss
        );
        if !matches!(method, TrainMethod::Adam | TrainMethod::Sgd) {
            for w in r.windows(2) {
                assert!(w[1].loss <= w[0].loss, "{}: the loss rose", method.name());
            }
        }
        let last = r[8].products;
        match method {
            // One correction solve's product per iteration.
            TrainMethod::Geo => {
                assert!(r[1..].iter().all(|x| x.corrected));
                assert_eq!(last.connection_vector, 8);
            }
            // From the second iteration on (the first has no previous update).
            TrainMethod::GeoF => {
                assert!(!r[1].corrected && r[2..].iter().all(|x| x.corrected));
                assert_eq!(last.connection_vector, 7);
            }
            TrainMethod::Mid => assert_eq!(last.gradient, 16),
            _ => assert_eq!(last.connection_vector, 0),
        }
    }
}

#[test]
fn training_is_reproducible_and_refuses_bad_settings() {
    let (net, data, theta0) = autoencoder();
    let cfg = TrainConfig {
        method: TrainMethod::GeoF,
        iters: 4,
        lambda0: 1.0,
        chunk: 10,
        cg_max: 20,
        correction_threshold: 1e9,
        ..TrainConfig::default()
    };
    let a = train(&net, &theta0, &data, &cfg, &|_| {}).unwrap();
    let b = train(&net, &theta0, &data, &cfg, &|_| {}).unwrap();
    assert_eq!(a.theta, b.theta);
    for (x, y) in a.records.iter().zip(&b.records) {
        assert_relative_eq!(x.loss, y.loss, max_relative = 0.0);
        assert_eq!(
            (x.lambda, x.cg_iters, x.rate),
            (y.lambda, y.cg_iters, y.rate)
        );
    }
    for bad in [
        TrainConfig {
            iters: 0,
            ..cfg.clone()
        },
        TrainConfig {
            lambda0: -1.0,
            ..cfg.clone()
        },
        TrainConfig {
            chunk: 0,
            ..cfg.clone()
        },
        TrainConfig {
            alpha: f64::NAN,
            ..cfg.clone()
        },
        TrainConfig {
            momentum: 1.0,
            ..cfg.clone()
        },
    ] {
        assert!(train(&net, &theta0, &data, &bad, &|_| {}).is_err());
    }
    assert!(train(&net, &theta0[1..], &data, &cfg, &|_| {}).is_err());
    assert!(TrainMethod::parse("newton").is_err());
}
