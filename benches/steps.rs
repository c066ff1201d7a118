//! One step of each natural-gradient method on the paper's Gamma fit (scale chart, from
//! (α, β) = (3, 2)), the whole Figure 2 computation, and the default order study.
//!
//! Run with `cargo bench --bench steps`.

use criterion::{Criterion, criterion_group, criterion_main};
use natflow::data::gamma_sample;
use natflow::experiments::fig2::{Fig2Config, run_fig2};
use natflow::families::{Gamma, GammaChart};
use natflow::optim::{Method, Step, Stepper};
use natflow::problem::{ChartProblem, Reparameterisation};
use natflow::registry::{GammaEntry, family_order_study};
use natflow::studies::OrderConfig;
use std::hint::black_box;

fn steps(c: &mut Criterion) {
    let (sample, _) = gamma_sample(None).expect("embedded sample");
    let p = ChartProblem::new(Gamma, GammaChart::Scale, sample).expect("problem");
    let xi = p.to_chart(&[3.0, 2.0]).expect("point");
    let mut group = c.benchmark_group("one step (gamma, scale chart, h = 0.5)");
    for name in Method::PAPER.iter().chain(&["rk4", "dopri5"]) {
        let method = Method::parse(name).expect("method");
        let mut stepper = Stepper::new(method, 2).expect("stepper");
        let mut x = xi.clone();
        group.bench_function(*name, |b| {
            b.iter(|| {
                stepper.reset();
                x.copy_from(&xi);
                stepper
                    .step(&p, black_box(x.as_mut_slice()), 0.5)
                    .expect("step");
                black_box(&x);
            })
        });
    }
    group.finish();
    c.bench_function("fig2 (all methods, four charts, 10 steps)", |b| {
        let (sample, data) = gamma_sample(None).expect("embedded sample");
        let cfg = Fig2Config::default();
        b.iter(|| black_box(run_fig2(&sample, data.clone(), &cfg).expect("fig2")))
    });
}

fn order_sweep(c: &mut Criterion) {
    let cfg = OrderConfig::new(vec![1.0, 1.0]);
    let charts: Vec<String> = GammaChart::PAPER
        .iter()
        .map(natflow::geometry::Chart::name)
        .collect();
    let mut group = c.benchmark_group("order study");
    group.sample_size(10);
    group.bench_function(
        "gamma default sweep (6 methods, 4 charts, h = 2⁻¹…2⁻¹⁰, references)",
        |b| {
            b.iter(|| {
                black_box(
                    family_order_study(&GammaEntry, None, &charts, 0.0, &cfg, &|_, _| {})
                        .expect("study"),
                )
            })
        },
    );
    group.finish();
}

criterion_group!(benches, steps, order_sweep);
criterion_main!(benches);
