//! The paper's Figure 3 (Song, Song & Ermon 2018, §6.2): deep autoencoders and a deep classifier
//! trained by Hessian-free natural gradient (`ng`), its midpoint (`mid`) and geodesic
//! corrections (`geo`, `geo-f`), and Adam, with the same machinery for every method
//! ([`crate::nn::train`]).
//!
//! The paper's setting: logistic hidden units except a linear code layer, sparse
//! initialisation, weight decay 10⁻⁵, λ₀ = 45, corrections while λ is below a per-task threshold
//! (CURVES 5, MNIST 10), 140 updates. [`Scale::Paper`] uses its architectures on the data
//! natflow has (CURVES generated, the 7,996-digit MNIST subset instead of 60,000 digits);
//! [`Scale::Default`] keeps the depth and the code layers but narrows every hidden layer and
//! uses 1,000 training examples, so that the whole figure (3 tasks × 5 methods × 3 seeds) runs
//! in about ten minutes on two cores; [`Scale::Smoke`] is a seconds-long run for tests.
//!
//! The seed draws the sparse initialisation; the data are fixed per task (CURVES from seed
//! 2006, MNIST's first examples), so the spread over seeds is the spread over initialisations.

use crate::error::{Error, Result};
use crate::nn::data::{curves, mnist};
use crate::nn::train::{TrainConfig, TrainMethod, train_evaluated};
use crate::nn::{Activation, Dataset, Mlp, OutputFamily};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How large the networks, the data and the runs are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// About ten minutes for the whole figure on two cores.
    Default,
    /// The paper's architectures and 140 updates (hours).
    Paper,
    /// Tiny networks and a few updates (seconds; for tests).
    Smoke,
}

impl Scale {
    /// Every scale, by name.
    pub const ALL: [Scale; 3] = [Scale::Default, Scale::Paper, Scale::Smoke];

    /// The scale's name.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Default => "default",
            Scale::Paper => "paper",
            Scale::Smoke => "smoke",
        }
    }

    /// The scale called `name`.
    pub fn parse(name: &str) -> Result<Self> {
        crate::error::parse_named("scale", name, &Self::ALL, Self::name)
    }
}

/// A task of the figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    /// The CURVES autoencoder (generated curves, Bernoulli output).
    #[serde(rename = "curves")]
    Curves,
    /// The MNIST autoencoder (Bernoulli output).
    #[serde(rename = "mnist-ae")]
    MnistAe,
    /// The MNIST classifier (softmax output).
    #[serde(rename = "mnist-class")]
    MnistClass,
    /// A Fashion-MNIST autoencoder with Gaussian output, standing in for FACES (needs the
    /// Fashion-MNIST files, see [`fashion_dir`]).
    #[serde(rename = "fashion-ae")]
    FashionAe,
}

impl Task {
    /// Every task, by name.
    pub const ALL: [Task; 4] = [
        Task::Curves,
        Task::MnistAe,
        Task::MnistClass,
        Task::FashionAe,
    ];

    /// The task's name.
    pub fn name(self) -> &'static str {
        match self {
            Task::Curves => "curves",
            Task::MnistAe => "mnist-ae",
            Task::MnistClass => "mnist-class",
            Task::FashionAe => "fashion-ae",
        }
    }

    /// The task called `name`.
    pub fn parse(name: &str) -> Result<Self> {
        crate::error::parse_named("task", name, &Self::ALL, Self::name)
    }
}

/// A task at a scale: the network, the data sizes and the training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// The task.
    pub task: Task,
    /// Layer widths from the input, e.g. 784-100-…-784.
    pub widths: Vec<usize>,
    /// The output family.
    pub output: OutputFamily,
    /// Training examples.
    pub n_train: usize,
    /// Held-out examples.
    pub n_test: usize,
    /// Examples per curvature chunk.
    pub chunk: usize,
    /// CG iterations per solve, at most.
    pub cg_max: usize,
    /// Corrections only while λ is below this (the paper: CURVES 5, MNIST 10).
    pub threshold: f64,
    /// Updates.
    pub iters: usize,
}

impl TaskSpec {
    /// The architecture as written in the paper, e.g. `784-400-…-784`.
    pub fn architecture(&self) -> String {
        self.widths
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Logistic hidden units, a linear code layer (the narrowest hidden layer of an
    /// autoencoder) and a linear output layer (z is the output family's natural parameter).
    pub fn activations(&self) -> Vec<Activation> {
        let layers = &self.widths[1..];
        let code = if self.task == Task::MnistClass {
            None
        } else {
            (0..layers.len() - 1).min_by_key(|&i| layers[i])
        };
        (0..layers.len())
            .map(|i| {
                if i + 1 == layers.len() || Some(i) == code {
                    Activation::Linear
                } else {
                    Activation::Logistic
                }
            })
            .collect()
    }

    /// The network.
    pub fn network(&self) -> Result<Mlp> {
        Mlp::new(
            self.widths[0],
            &self.widths[1..],
            &self.activations(),
            self.output,
        )
    }
}

/// The task's specification at `scale`.
pub fn spec(task: Task, scale: Scale) -> TaskSpec {
    let w = |s: &str| s.split('-').map(|v| v.parse().expect("width")).collect();
    let (widths, output, threshold) = match (task, scale) {
        (Task::Curves, Scale::Paper) => (
            w("784-400-200-100-50-25-6-25-50-100-200-400-784"),
            OutputFamily::Bernoulli,
            5.0,
        ),
        (Task::Curves, Scale::Default) => (
            w("784-100-50-25-12-6-12-25-50-100-784"),
            OutputFamily::Bernoulli,
            5.0,
        ),
        (Task::MnistAe, Scale::Paper) => (
            w("784-1000-500-250-30-250-500-1000-784"),
            OutputFamily::Bernoulli,
            10.0,
        ),
        (Task::MnistAe, Scale::Default) => (
            w("784-100-50-25-10-25-50-100-784"),
            OutputFamily::Bernoulli,
            10.0,
        ),
        (Task::MnistClass, Scale::Paper) => {
            (w("784-1000-500-250-30-10"), OutputFamily::Categorical, 10.0)
        }
        (Task::MnistClass, Scale::Default) => {
            (w("784-100-50-25-10"), OutputFamily::Categorical, 10.0)
        }
        (Task::FashionAe, Scale::Paper) => (
            w("784-1000-500-250-30-250-500-1000-784"),
            OutputFamily::Gaussian,
            10.0,
        ),
        (Task::FashionAe, Scale::Default) => (
            w("784-100-50-25-10-25-50-100-784"),
            OutputFamily::Gaussian,
            10.0,
        ),
        (Task::MnistClass, Scale::Smoke) => (w("784-8-10"), OutputFamily::Categorical, 10.0),
        (Task::FashionAe, Scale::Smoke) => (w("784-8-4-8-784"), OutputFamily::Gaussian, 10.0),
        (_, Scale::Smoke) => (w("784-8-4-8-784"), OutputFamily::Bernoulli, 10.0),
    };
    let (n_train, n_test, chunk, cg_max, iters) = match (task, scale) {
        (Task::Curves, Scale::Paper) => (20_000, 2_000, 1_000, 250, 140),
        (_, Scale::Paper) => (7_996, 2_004, 1_000, 250, 140),
        (_, Scale::Default) => (1_000, 500, 500, 40, 25),
        (_, Scale::Smoke) => (64, 32, 32, 5, 2),
    };
    TaskSpec {
        task,
        widths,
        output,
        n_train,
        n_test,
        chunk,
        cg_max,
        threshold,
        iters,
    }
}

/// Where Fashion-MNIST's IDX files are: `$NATFLOW_FASHION_MNIST`, else the first of the
/// directories Debian's `dataset-fashion-mnist` package and common layouts use that holds
/// `train-images-idx3-ubyte(.gz)`.
pub fn fashion_dir() -> Option<PathBuf> {
    let has_files = |d: &PathBuf| {
        ["train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"]
            .iter()
            .any(|f| d.join(f).is_file())
    };
    if let Some(d) = std::env::var_os("NATFLOW_FASHION_MNIST") {
        return Some(PathBuf::from(d));
    }
    [
        "/usr/share/dataset-fashion-mnist",
        "/usr/share/fashion-mnist",
        "/usr/share/datasets/fashion-mnist",
        "/usr/share/dataset-fashion-mnist/data",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(has_files)
}

/// The task's training and held-out data.
pub fn task_data(spec: &TaskSpec) -> Result<(Dataset, Dataset)> {
    let (n, m) = (spec.n_train, spec.n_test);
    match spec.task {
        Task::Curves => {
            let all = curves::curves(n + m, 2006)?;
            Ok((all.rows(0, n)?, all.rows(n, n + m)?))
        }
        Task::MnistAe => {
            let d = mnist::mnist_subset()?;
            Ok((
                mnist::autoencoder(&d.train_images, n)?,
                mnist::autoencoder(&d.test_images, m)?,
            ))
        }
        Task::MnistClass => {
            let d = mnist::mnist_subset()?;
            Ok((
                mnist::classifier(&d.train_images, &d.train_labels, n)?,
                mnist::classifier(&d.test_images, &d.test_labels, m)?,
            ))
        }
        Task::FashionAe => {
            let dir = fashion_dir().ok_or_else(|| {
                Error::InvalidArgument(
                    "the fashion-ae task needs Fashion-MNIST: install Debian's dataset-fashion-mnist or set NATFLOW_FASHION_MNIST to a directory with its IDX files"
                        .into(),
                )
            })?;
            let read = |stem: &str| {
                let plain = dir.join(stem);
                let path = if plain.is_file() {
                    plain
                } else {
                    dir.join(format!("{stem}.gz"))
                };
                crate::nn::data::idx::read_idx(&path)
            };
            Ok((
                mnist::autoencoder(&read("train-images-idx3-ubyte")?, n)?,
                mnist::autoencoder(&read("t10k-images-idx3-ubyte")?, m)?,
            ))
        }
    }
}

/// What `natflow fig3` runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig3Config {
    /// The scale.
    pub scale: Scale,
    /// The tasks.
    pub tasks: Vec<Task>,
    /// The methods.
    pub methods: Vec<TrainMethod>,
    /// Seeds 1…seeds.
    pub seeds: u64,
    /// Updates per run (None: the scale's).
    pub iters: Option<usize>,
    /// α of the connection (0: Levi-Civita, the paper's).
    pub alpha: f64,
    /// The correction threshold on λ for every task (None: the task's, CURVES 5, MNIST 10).
    pub threshold: Option<f64>,
    /// λ₀.
    pub lambda0: f64,
    /// Weight decay.
    pub weight_decay: f64,
    /// Adam's learning rate.
    pub adam_lr: f64,
}

impl Default for Fig3Config {
    /// The default scale, CURVES, the MNIST autoencoder and classifier, `ng`, `mid`, `geo`,
    /// `geo-f`, `adam`, 3 seeds, α = 0, λ₀ = 45, weight decay 10⁻⁵, Adam's rate 10⁻³.
    fn default() -> Self {
        Self {
            scale: Scale::Default,
            tasks: vec![Task::Curves, Task::MnistAe, Task::MnistClass],
            methods: vec![
                TrainMethod::Ng,
                TrainMethod::Mid,
                TrainMethod::Geo,
                TrainMethod::GeoF,
                TrainMethod::Adam,
            ],
            seeds: 3,
            iters: None,
            alpha: 0.0,
            threshold: None,
            lambda0: 45.0,
            weight_decay: 1e-5,
            adam_lr: 1e-3,
        }
    }
}

/// Products made so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fig3Products {
    /// Gradients on the training set.
    pub gradient: u64,
    /// Fisher-vector products on a chunk.
    pub fisher_vector: u64,
    /// Connection products on a chunk.
    pub connection_vector: u64,
}

/// One iteration of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig3Iter {
    /// Iteration (0: the start).
    pub iter: usize,
    /// Training wall time so far, seconds (held-out evaluation excluded).
    pub wall_s: f64,
    /// Training loss with weight decay.
    pub train_loss: f64,
    /// Training error: squared reconstruction error summed over pixels, mean over examples
    /// (autoencoders); classification error rate (classifier).
    pub train_error: f64,
    /// The same error on the held-out examples.
    pub test_error: f64,
    /// Damping λ after the update.
    pub lambda: f64,
    /// CG iterations in the update.
    pub cg_iters: usize,
    /// Whether a correction was applied.
    pub corrected: bool,
    /// Products so far.
    pub products: Fig3Products,
}

/// One method from one seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig3Run {
    /// The method.
    pub method: TrainMethod,
    /// The seed of the initialisation.
    pub seed: u64,
    /// One record per iteration, the start first.
    pub records: Vec<Fig3Iter>,
}

/// One task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig3Task {
    /// The task.
    pub task: Task,
    /// The architecture, e.g. `784-100-…-784`.
    pub architecture: String,
    /// The hidden and output activations, layer by layer.
    pub activations: Vec<Activation>,
    /// The output family.
    pub output: OutputFamily,
    /// Training examples.
    pub n_train: usize,
    /// Held-out examples.
    pub n_test: usize,
    /// The training settings shared by every method (method and learning rate aside).
    pub train: TrainConfig,
    /// The runs, method by method, seed by seed.
    pub runs: Vec<Fig3Run>,
}

/// The whole figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fig3Record {
    /// What was run.
    pub config: Fig3Config,
    /// Task by task.
    pub tasks: Vec<Fig3Task>,
}

/// Checks the configuration before any work.
fn validate(cfg: &Fig3Config) -> Result<()> {
    let bad = |s: String| Err(Error::InvalidArgument(s));
    if cfg.tasks.is_empty() || cfg.methods.is_empty() {
        return bad("give at least one task and one method".into());
    }
    if !(1..=100).contains(&cfg.seeds) {
        return bad(format!("seeds must be 1 to 100, got {}", cfg.seeds));
    }
    if let Some(i) = cfg.iters
        && !(1..=100_000).contains(&i)
    {
        return bad(format!("iterations must be 1 to 100000, got {i}"));
    }
    if let Some(t) = cfg.threshold
        && (t.is_nan() || t < 0.0)
    {
        return bad(format!("the correction threshold must be ≥ 0, got {t}"));
    }
    for (i, t) in cfg.tasks.iter().enumerate() {
        if cfg.tasks[..i].contains(t) {
            return bad(format!("task {} is listed twice", t.name()));
        }
    }
    for (i, m) in cfg.methods.iter().enumerate() {
        if cfg.methods[..i].contains(m) {
            return bad(format!("method {} is listed twice", m.name()));
        }
    }
    Ok(())
}

/// Runs the figure; `progress(done, total)` counts updates over every run.
pub fn run_fig3(cfg: &Fig3Config, progress: &dyn Fn(usize, usize)) -> Result<Fig3Record> {
    validate(cfg)?;
    let specs: Vec<TaskSpec> = cfg
        .tasks
        .iter()
        .map(|&t| {
            let mut s = spec(t, cfg.scale);
            if let Some(i) = cfg.iters {
                s.iters = i;
            }
            if let Some(t) = cfg.threshold {
                s.threshold = t;
            }
            s
        })
        .collect();
    // Load every task's data first, so that a missing data set fails before hours of work.
    let data: Vec<(Dataset, Dataset)> = specs.iter().map(task_data).collect::<Result<_>>()?;
    let total: usize = specs
        .iter()
        .map(|s| s.iters * cfg.methods.len() * cfg.seeds as usize)
        .sum();
    let mut done = 0;
    progress(0, total);
    let mut tasks = vec![];
    for (s, (train_set, test_set)) in specs.iter().zip(&data) {
        let net = s.network()?;
        let base = TrainConfig {
            method: TrainMethod::Ng,
            iters: s.iters,
            alpha: cfg.alpha,
            lambda0: cfg.lambda0,
            cg_max: s.cg_max,
            weight_decay: cfg.weight_decay,
            correction_threshold: s.threshold,
            chunk: s.chunk,
            lr: cfg.adam_lr,
            ..TrainConfig::default()
        };
        let mut runs = vec![];
        for &method in &cfg.methods {
            for seed in 1..=cfg.seeds {
                let theta0 = net.sparse_init(seed);
                let tc = TrainConfig {
                    method,
                    ..base.clone()
                };
                let before = done;
                let run = train_evaluated(&net, &theta0, train_set, Some(test_set), &tc, &|k| {
                    progress(before + k, total)
                })?;
                done = before + s.iters;
                let records = run
                    .records
                    .iter()
                    .map(|r| Fig3Iter {
                        iter: r.iter,
                        wall_s: r.wall_s,
                        train_loss: r.loss,
                        train_error: r.train_error,
                        test_error: r.test_error.unwrap_or(f64::NAN),
                        lambda: r.lambda,
                        cg_iters: r.cg_iters,
                        corrected: r.corrected,
                        products: Fig3Products {
                            gradient: r.products.gradient,
                            fisher_vector: r.products.fisher_vector,
                            connection_vector: r.products.connection_vector,
                        },
                    })
                    .collect();
                runs.push(Fig3Run {
                    method,
                    seed,
                    records,
                });
            }
        }
        tasks.push(Fig3Task {
            task: s.task,
            architecture: s.architecture(),
            activations: s.activations(),
            output: s.output,
            n_train: train_set.n,
            n_test: test_set.n,
            train: base,
            runs,
        });
    }
    Ok(Fig3Record {
        config: cfg.clone(),
        tasks,
    })
}

/// The first iteration and the wall time at which a run's training error is at most `level`.
pub fn first_reaching(run: &Fig3Run, level: f64) -> Option<(usize, f64)> {
    run.records
        .iter()
        .find(|r| r.train_error <= level)
        .map(|r| (r.iter, r.wall_s))
}
