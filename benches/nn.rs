//! The three matrix-free products on a CURVES-size autoencoder (Hinton & Salakhutdinov 2006:
//! 784-400-200-100-50-25-6-25-50-100-200-400-784, logistic hidden units, a linear code layer,
//! Bernoulli output; 842,340 parameters) on 1,000 examples — the yardstick of issue 9
//! (JAX: gradient 0.033 s, F·v 0.055 s, c₀(v) 0.072 s on this machine).
//!
//! Run with `cargo bench --bench nn`.

use criterion::{Criterion, criterion_group, criterion_main};
use natflow::nn::{Activation, Dataset, Mlp, OutputFamily, Workspace};
use rand::{RngExt, SeedableRng};
use std::hint::black_box;

fn curves() -> (Mlp, Dataset, Vec<f64>, Vec<f64>) {
    let widths = [400, 200, 100, 50, 25, 6, 25, 50, 100, 200, 400, 784];
    let acts: Vec<Activation> = widths
        .iter()
        .enumerate()
        .map(|(i, _)| {
            if i == 5 || i == widths.len() - 1 {
                Activation::Linear
            } else {
                Activation::Logistic
            }
        })
        .collect();
    let net = Mlp::new(784, &widths, &acts, OutputFamily::Bernoulli).expect("network");
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let n = 1000;
    let x: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..784).map(|_| rng.random_range(0.0..1.0)).collect())
        .collect();
    let data = Dataset::from_rows(&x, &x).expect("data");
    let theta: Vec<f64> = (0..net.n_params())
        .map(|_| rng.random_range(-0.05..0.05))
        .collect();
    let v: Vec<f64> = (0..net.n_params())
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    (net, data, theta, v)
}

fn products(c: &mut Criterion) {
    let (net, data, theta, v) = curves();
    assert_eq!(net.n_params(), 842_340);
    let mut ws = Workspace::new(&net, data.n);
    let mut out = vec![0.0; net.n_params()];
    let mut group = c.benchmark_group("CURVES autoencoder, 1000 examples");
    group.sample_size(11);
    group.bench_function("loss (forward pass only)", |b| {
        b.iter(|| black_box(net.loss(&theta, &data, &mut ws).expect("loss")))
    });
    group.bench_function("gradient", |b| {
        b.iter(|| {
            black_box(
                net.loss_gradient(&theta, &data, &mut ws, &mut out)
                    .expect("gradient"),
            )
        })
    });
    group.bench_function("fisher_vector", |b| {
        b.iter(|| {
            net.fisher_vector(&theta, &data, &v, &mut ws, &mut out)
                .expect("F·v")
        })
    });
    group.bench_function("connection_vector (α = 0)", |b| {
        b.iter(|| {
            net.connection_vector(&theta, &data, &v, 0.0, &mut ws, &mut out)
                .expect("c(v)")
        })
    });
    group.finish();

    // The elementwise kernels on one 784-unit layer of the batch.
    let mut group = c.benchmark_group("kernels, 784,000 units");
    group.sample_size(11);
    let z: Vec<f64> = (0..784_000)
        .map(|i| (i % 2000) as f64 / 100.0 - 10.0)
        .collect();
    let y: Vec<f64> = (0..784_000).map(|i| (i % 101) as f64 / 100.0).collect();
    let (mut a, mut d1, mut d2) = (z.clone(), vec![0.0; z.len()], vec![0.0; z.len()]);
    group.bench_function("logistic with σ′ and σ″", |b| {
        b.iter(|| {
            a.copy_from_slice(&z);
            natflow::nn::kernels::logistic_derivatives(&mut a, &mut d1, &mut d2)
        })
    });
    group.bench_function("Bernoulli loss and gradient", |b| {
        b.iter(|| {
            black_box(natflow::nn::kernels::bernoulli_loss_grad(
                &z, &y, 1.0, &mut d1,
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, products);
criterion_main!(benches);
