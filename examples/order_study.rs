//! Measuring an order of invariance from the library: a small study of three methods on the
//! Normal family in two charts, and the fitted orders with their asymptotic windows.

use natflow::families::{Normal, NormalChart, NormalSample};
use natflow::optim::Method;
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
    let charts = [NormalChart::MeanSd, NormalChart::MeanVar];
    let study = order_study(
        "normal",
        Normal,
        &charts,
        loss,
        serde_json::Value::Null,
        &cfg,
        &|_, _| {},
    )?;
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
