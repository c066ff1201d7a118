//! Measuring an order of invariance from the library: a small study of three methods on the
//! Normal family in two charts, and the fitted orders with their asymptotic windows.

use natflow::families::{Normal, NormalChart, NormalSample};
use natflow::optim::Method;
use natflow::problem::ChartProblem;
use natflow::studies::order::StudyInput;
use natflow::studies::{OrderConfig, order_study};

fn main() -> natflow::Result<()> {
    // Fit N(1, 2²) by its moments, from N(0, 1), in (μ, σ) and in (μ, σ²).
    let loss = NormalSample::from_moments(1.0, 4.0)?;
    let cfg = OrderConfig {
        steps: vec![8, 16, 32, 64, 128, 256],
        methods: ["ng", "geo", "rk4"]
            .iter()
            .map(|m| Method::parse(m))
            .collect::<natflow::Result<_>>()?,
        ..OrderConfig::new(vec![0.0, 1.0])
    };
    // The same loss in two charts: prebuilt problems, and a divergence to compare endpoints.
    let in_sd = ChartProblem::new(Normal, NormalChart::MeanSd, loss)?;
    let in_var = ChartProblem::new(Normal, NormalChart::MeanVar, loss)?;
    let kl = |p: &[f64], q: &[f64]| natflow::families::KlDivergence::kl(&Normal, p, q);
    let input = StudyInput {
        family: "normal".into(),
        data: natflow::data::SampleSummary::new("<moments>".into(), 0, []),
        problems: &[&in_sd, &in_var],
        divergence: &kl,
        alpha: 0.0,
    };
    let study = order_study(&input, &cfg, &|_, _| {})?;
    for m in &study.methods {
        println!("{}:", m.method);
        for (chart, fit) in &m.fits.vs_flow {
            if let Some(f) = fit {
                println!(
                    "  vs flow in {chart:<9} slope {:.3} over h ∈ [{:.4}, {:.4}] ({} points, R² {:.5})",
                    f.slope, f.window[0], f.window[1], f.points, f.r2
                );
            }
        }
        match &m.fits.invariance_gap {
            Some(f) => println!("  invariance gap         slope {:.3}", f.slope),
            None => println!("  invariance gap         at the floor"),
        }
    }
    Ok(())
}
