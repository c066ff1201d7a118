//! `natflow nn`: neural networks under natural gradient.

use super::{Outputs, write_json};
use crate::error::{Error, Result};
use crate::nn::io::{read_dataset, read_network, read_vector};
use crate::nn::probe::probe;
use crate::nn::train::{TrainConfig, TrainMethod, train};
use crate::nn::{Activation, Mlp, OutputFamily};
use std::io::IsTerminal;
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
    /// Train a network by Hessian-free natural gradient (ng, mid, geo, geo-f) or a first-order
    /// baseline (adam, sgd), recording every iteration.
    Train(TrainArgs),
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
        NnCommand::Train(a) => run_train(a),
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

/// Arguments of `natflow nn train`.
#[derive(Debug, clap::Args)]
struct TrainArgs {
    /// Network file with its parameters (else give --arch).
    #[arg(long, conflicts_with = "arch")]
    net: Option<PathBuf>,
    /// Architecture, layer widths from the input: e.g. 784-400-200-6-200-400-784.
    #[arg(long)]
    arch: Option<String>,
    /// With --arch: one activation for every hidden layer, or one per layer (comma separated);
    /// the last layer is linear.
    #[arg(long, default_value = "logistic")]
    activations: String,
    /// With --arch: the output family (bernoulli, gaussian, categorical).
    #[arg(long, default_value = "bernoulli")]
    output: String,
    /// Data file: {"x": [[…]…], "y": [[…]…]}.
    #[arg(long, conflicts_with = "dataset", required_unless_present = "dataset")]
    data: Option<PathBuf>,
    /// A built-in data set instead of --data: `curves:N` (N generated curve images, seeded by
    /// --seed), `mnist-ae:N` or `mnist-class:N` (the first N of the embedded MNIST training
    /// digits, as an autoencoder or a classifier task).
    #[arg(long)]
    dataset: Option<String>,
    /// ng, mid, geo, geo-f, adam or sgd.
    #[arg(long, default_value = "ng")]
    method: String,
    /// α of the connection for geo and geo-f.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    alpha: f64,
    /// Updates.
    #[arg(long, default_value_t = 20)]
    iters: usize,
    /// Initial damping λ₀.
    #[arg(long, default_value_t = 45.0, allow_hyphen_values = true)]
    lambda: f64,
    /// Conjugate-gradient iterations per solve, at most.
    #[arg(long, default_value_t = 250)]
    cg_max: usize,
    /// Corrections only while λ is below this.
    #[arg(long, default_value_t = 10.0, allow_hyphen_values = true)]
    threshold: f64,
    /// Examples per curvature chunk.
    #[arg(long, default_value_t = 1000)]
    chunk: usize,
    /// L2 weight decay.
    #[arg(long, default_value_t = 1e-5, allow_hyphen_values = true)]
    weight_decay: f64,
    /// Learning rate of adam and sgd.
    #[arg(long, default_value_t = 1e-3, allow_hyphen_values = true)]
    lr: f64,
    /// Seed of the sparse initialisation (with --arch).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Write the configuration and the per-iteration records as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// What `natflow nn train --json` writes.
#[derive(Debug, serde::Serialize)]
struct TrainRecord<'a> {
    config: &'a TrainConfig,
    architecture: Vec<usize>,
    activations: Vec<&'static str>,
    output: &'static str,
    n_params: usize,
    n_train: usize,
    data: String,
    seed: Option<u64>,
    records: &'a [crate::nn::train::IterRecord],
}

fn build_network(a: &TrainArgs) -> Result<(Mlp, Vec<f64>, Option<u64>)> {
    if let Some(p) = &a.net {
        let (net, theta) = read_network(p)?;
        return Ok((net, theta, None));
    }
    let arch = a.arch.as_deref().ok_or_else(|| {
        Error::InvalidArgument("give a network: --net FILE or --arch 784-400-…".into())
    })?;
    let widths = arch
        .split('-')
        .map(|w| match w.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(Error::InvalidArgument(format!(
                "--arch: '{w}' is not a positive layer width"
            ))),
        })
        .collect::<Result<Vec<_>>>()?;
    if widths.len() < 2 {
        return Err(Error::InvalidArgument(
            "--arch needs the input width and at least one layer".into(),
        ));
    }
    let names: Vec<&str> = a.activations.split(',').map(str::trim).collect();
    let layers = widths.len() - 1;
    let acts: Vec<Activation> = match names.len() {
        1 => {
            let hidden = Activation::parse(names[0])?;
            (0..layers)
                .map(|l| {
                    if l + 1 == layers {
                        Activation::Linear
                    } else {
                        hidden
                    }
                })
                .collect()
        }
        n if n == layers => names
            .iter()
            .map(|n| Activation::parse(n))
            .collect::<Result<_>>()?,
        n => {
            return Err(Error::InvalidArgument(format!(
                "--activations: {n} names for {layers} layers"
            )));
        }
    };
    let net = Mlp::new(
        widths[0],
        &widths[1..],
        &acts,
        OutputFamily::parse(&a.output)?,
    )?;
    let theta = net.sparse_init(a.seed);
    Ok((net, theta, Some(a.seed)))
}

/// `curves:N`, `mnist-ae:N` or `mnist-class:N`.
fn builtin_dataset(spec: &str, seed: u64) -> Result<crate::nn::Dataset> {
    use crate::nn::data::{curves, mnist};
    let (name, n) = spec.split_once(':').unwrap_or((spec, "1000"));
    let n: usize = match n.parse() {
        Ok(n) if n > 0 => n,
        _ => {
            return Err(Error::InvalidArgument(format!(
                "--dataset: '{n}' is not a positive number of examples"
            )));
        }
    };
    match name {
        "curves" => curves(n, seed),
        "mnist-ae" => mnist::autoencoder(&mnist::mnist_subset()?.train_images, n),
        "mnist-class" => {
            let m = mnist::mnist_subset()?;
            mnist::classifier(&m.train_images, &m.train_labels, n)
        }
        other => Err(Error::Unknown {
            kind: "data set".into(),
            name: other.into(),
            expected: "curves, mnist-ae, mnist-class".into(),
        }),
    }
}

fn run_train(a: &TrainArgs) -> Result<()> {
    let method = TrainMethod::parse(&a.method)?;
    let cfg = TrainConfig {
        method,
        iters: a.iters,
        alpha: a.alpha,
        lambda0: a.lambda,
        cg_max: a.cg_max,
        weight_decay: a.weight_decay,
        correction_threshold: a.threshold,
        chunk: a.chunk,
        lr: a.lr,
        ..TrainConfig::default()
    };
    let (net, theta, seed) = build_network(a)?;
    let (data, data_name) = match (&a.data, &a.dataset) {
        (Some(p), _) => (read_dataset(p, &net)?, p.display().to_string()),
        (None, Some(spec)) => (builtin_dataset(spec, a.seed)?, spec.clone()),
        (None, None) => {
            return Err(Error::InvalidArgument(
                "give the data: --data FILE or --dataset curves:N|mnist-ae:N|mnist-class:N".into(),
            ));
        }
    };
    net.check_data(&data)?;
    let mut outputs = Outputs::new();
    let json_tmp = a.json.as_ref().map(|p| outputs.plan(p)).transpose()?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(cfg.iters as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("training [{bar:40}] {pos}/{len} ({elapsed})")
        {
            b.set_style(style.progress_chars("=> "));
        }
        b
    });
    let run = train(&net, &theta, &data, &cfg, &|k| {
        if let Some(b) = &bar {
            b.set_position(k as u64);
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let run = run?;
    if let Some(tmp) = &json_tmp {
        let rec = TrainRecord {
            config: &cfg,
            architecture: std::iter::once(net.input_dim)
                .chain(net.layers.iter().map(|l| l.n_out))
                .collect(),
            activations: net.layers.iter().map(|l| l.activation.name()).collect(),
            output: net.output.name(),
            n_params: net.n_params(),
            n_train: data.n,
            data: data_name,
            seed,
            records: &run.records,
        };
        write_json(tmp, &rec)?;
    }
    outputs.commit()?;
    let (first, last) = (&run.records[0], &run.records[run.records.len() - 1]);
    println!(
        "{} on {} parameters, {} examples: loss {:.6e} → {:.6e}, training error {:.6e} → {:.6e} in {} updates, {:.3} s",
        method.name(),
        net.n_params(),
        data.n,
        first.loss,
        last.loss,
        first.train_error,
        last.train_error,
        cfg.iters,
        last.wall_s
    );
    Ok(())
}
