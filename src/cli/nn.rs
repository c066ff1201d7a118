//! `natflow nn`: neural networks under natural gradient.

use crate::error::{Error, Result};
use crate::nn::io::{read_dataset, read_network, read_vector};
use crate::nn::probe::probe;
use std::path::PathBuf;

/// Arguments of `natflow nn`.
#[derive(Debug, clap::Args)]
pub struct NnArgs {
    #[command(subcommand)]
    command: NnCommand,
}

#[derive(Debug, clap::Subcommand)]
enum NnCommand {
    /// Loss, gradient, F·v, c_α(v), natural gradient and Γ_α(v,v) of a network at its
    /// parameters, to working precision (a checking tool), and with --repeat their timings.
    Probe(ProbeArgs),
}

/// Arguments of `natflow nn probe`.
#[derive(Debug, clap::Args)]
struct ProbeArgs {
    /// Network file: {"input_dim", "layers": [{"activation", "w", "b"}…], "output"}.
    #[arg(long)]
    net: PathBuf,
    /// Data file: {"x": [[…]…], "y": [[…]…]}.
    #[arg(long)]
    data: PathBuf,
    /// Vector file {"v": […]} (parameter layout): adds F·v, c_α(v) and Γ_α(v,v).
    #[arg(long)]
    vector: Option<PathBuf>,
    /// Comma-separated α values of the connection (0: Levi-Civita, −1: mixture).
    #[arg(long, default_value = "0", allow_hyphen_values = true)]
    alpha: String,
    /// Damping λ ≥ 0 of the solves (F + λI) y = b.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    damping: f64,
    /// Time each product: median over K repeats after a warm-up.
    #[arg(long, default_value_t = 0)]
    repeat: usize,
    /// Print one JSON object (otherwise a short summary).
    #[arg(long)]
    json: bool,
}

/// Runs `natflow nn`.
pub fn run(args: &NnArgs) -> Result<()> {
    match &args.command {
        NnCommand::Probe(a) => run_probe(a),
    }
}

fn run_probe(a: &ProbeArgs) -> Result<()> {
    let alphas = a
        .alpha
        .split(',')
        .map(|s| {
            let s = s.trim();
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok((s.to_string(), v)),
                _ => Err(Error::InvalidArgument(format!(
                    "--alpha: '{s}' is not a finite number"
                ))),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    if a.repeat > 1000 {
        return Err(Error::InvalidArgument(format!(
            "--repeat must be at most 1000, got {}",
            a.repeat
        )));
    }
    let (net, theta) = read_network(&a.net)?;
    let data = read_dataset(&a.data, &net)?;
    let v = a
        .vector
        .as_deref()
        .map(|p| read_vector(p, net.n_params()))
        .transpose()?;
    let report = probe(
        &net,
        &theta,
        &data,
        v.as_deref(),
        &alphas,
        a.damping,
        a.repeat,
    )?;
    if a.json {
        let text =
            serde_json::to_string(&report).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        println!("{text}");
    } else {
        let norm = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
        println!(
            "network: {} parameters, {} examples; loss {:.12e}",
            report.n_params, data.n, report.loss
        );
        println!("‖∇L‖ = {:.6e}", norm(&report.grad));
        println!(
            "‖(F + λI)⁻¹∇L‖ = {:.6e}  (λ = {}, {} solve)",
            norm(&report.natural_gradient),
            report.damping,
            report.solve
        );
        if let (Some(fv), Some(c)) = (&report.fisher_v, &report.connection_vv) {
            println!("‖F·v‖ = {:.6e}", norm(fv));
            for (alpha, c) in c {
                println!("α = {alpha}: ‖c_α(v)‖ = {:.6e}", norm(c));
            }
        }
        if let Some(t) = &report.timings {
            println!(
                "median of {}: gradient {:.4} s, F·v {:.4} s, c(v) {:.4} s",
                t.repeats, t.gradient_s, t.fisher_vector_s, t.connection_vector_s
            );
        }
    }
    Ok(())
}
