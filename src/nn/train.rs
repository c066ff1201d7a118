//! Training a network by Hessian-free natural gradient (Martens 2010, as in the code of Song,
//! Song & Ermon 2018) with midpoint and geodesic corrections, and first-order baselines.
//!
//! Each iteration of the second-order methods, with g = ∇L(θ) + wd·θ on the whole batch and the
//! damped curvature B = F_c + (λ + wd)I on the current chunk c of the data (chunks cycle):
//!
//! 1. x ≈ B⁻¹g by truncated preconditioned conjugate gradient (at most `cg_max` iterations,
//!    preconditioner (g⊙g + λ)^¾, warm start 0.95 × the previous solution), with backtracking
//!    over the CG iterates kept at iterations ⌈1.3ʲ⌉: the iterate with the lowest loss;
//! 2. the method's step s(r) for a rate r:
//!    - `ng`: s = −r x;
//!    - `geo`: y ≈ B⁻¹c_α(x) by a second solve, s = −r x − ½r² y;
//!    - `geo-f`: x solved with right-hand side g + ½c_α(δ), δ the previous accepted update (the
//!      paper's faster correction; the first iteration is `ng`), s = −r x;
//!    - `mid`: x at θ, then g, x again at θ − ½x (same chunk), s = −r x(θ − ½x);
//!
//!    corrections (`geo`, `geo-f`) only while λ < `correction_threshold` (the paper's rule);
//! 3. Armijo line search on r from 1 (L(θ + s(r)) ≤ L(θ) + 10⁻² r gᵀs′(0), r × 0.8, at most 60
//!    tries; none accepted: no step);
//! 4. Levenberg–Marquardt: ρ = (L(θ + s) − L(θ)) / (gᵀs + ½sᵀBs); λ × 3/2 if ρ < ¼, × 2/3 if
//!    ρ > ¾.
//!
//! `adam` (Kingma & Ba 2015) and `sgd` (heavy-ball momentum) take full-batch gradient steps on
//! the same data. Every iteration is recorded with its products, so cost ratios can be measured.

use super::mlp::{Dataset, Mlp, Workspace};
use crate::error::{Error, Result};
use crate::linalg::{CgOptions, CgWorkspace, conjugate_gradient_observed};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// A training method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrainMethod {
    /// Hessian-free natural gradient.
    #[serde(rename = "ng")]
    Ng,
    /// Midpoint rule.
    #[serde(rename = "mid")]
    Mid,
    /// Geodesic correction with a second solve.
    #[serde(rename = "geo")]
    Geo,
    /// Faster geodesic correction from the previous update.
    #[serde(rename = "geo-f")]
    GeoF,
    /// Adam.
    #[serde(rename = "adam")]
    Adam,
    /// Gradient descent with momentum.
    #[serde(rename = "sgd")]
    Sgd,
}

impl TrainMethod {
    /// Every method.
    pub const ALL: [TrainMethod; 6] = [
        TrainMethod::Ng,
        TrainMethod::Mid,
        TrainMethod::Geo,
        TrainMethod::GeoF,
        TrainMethod::Adam,
        TrainMethod::Sgd,
    ];

    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            TrainMethod::Ng => "ng",
            TrainMethod::Mid => "mid",
            TrainMethod::Geo => "geo",
            TrainMethod::GeoF => "geo-f",
            TrainMethod::Adam => "adam",
            TrainMethod::Sgd => "sgd",
        }
    }

    /// The method called `name`.
    pub fn parse(name: &str) -> Result<Self> {
        crate::error::parse_named("training method", name, &Self::ALL, Self::name)
    }
}

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// The method.
    pub method: TrainMethod,
    /// Iterations (updates).
    pub iters: usize,
    /// α of the connection used by `geo` and `geo-f` (0: Levi-Civita).
    pub alpha: f64,
    /// Initial damping λ₀.
    pub lambda0: f64,
    /// Conjugate-gradient iterations per solve, at most.
    pub cg_max: usize,
    /// L2 weight decay wd (adds ½wd‖θ‖² to the loss).
    pub weight_decay: f64,
    /// Corrections only while λ is below this.
    pub correction_threshold: f64,
    /// Examples per curvature chunk (the chunks cycle; the gradient uses every example).
    pub chunk: usize,
    /// Learning rate of `adam` and `sgd`.
    pub lr: f64,
    /// Momentum of `sgd` (β₁ of `adam`).
    pub momentum: f64,
}

impl Default for TrainConfig {
    /// `ng`, 20 iterations, the paper's λ₀ = 45, wd = 10⁻⁵, CG ≤ 250, chunks of 1000,
    /// corrections while λ < 10; adam/sgd lr 10⁻³, momentum 0.9.
    fn default() -> Self {
        Self {
            method: TrainMethod::Ng,
            iters: 20,
            alpha: 0.0,
            lambda0: 45.0,
            cg_max: 250,
            weight_decay: 1e-5,
            correction_threshold: 10.0,
            chunk: 1000,
            lr: 1e-3,
            momentum: 0.9,
        }
    }
}

/// Products made, cumulative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Products {
    /// Gradients (each a forward and a backward pass over the whole batch).
    pub gradient: u64,
    /// Fisher-vector products (on a chunk).
    pub fisher_vector: u64,
    /// Connection products c_α(v) (on a chunk).
    pub connection_vector: u64,
    /// Loss evaluations (forward passes over the whole batch, line search and backtracking).
    pub loss: u64,
}

/// One iteration's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IterRecord {
    /// Iteration (0 = the start).
    pub iter: usize,
    /// Wall time since the start, seconds (cumulative).
    pub wall_s: f64,
    /// L(θ) + ½wd‖θ‖².
    pub loss: f64,
    /// Training error ([`Mlp::loss_and_error`]).
    pub train_error: f64,
    /// The same error on held-out data, when given ([`train_evaluated`]); its forward pass is
    /// not counted in `wall_s` or `products`.
    pub test_error: Option<f64>,
    /// Damping λ after the update.
    pub lambda: f64,
    /// Reduction ratio ρ (null for first-order methods and the start).
    pub rho: Option<f64>,
    /// CG iterations in this update.
    pub cg_iters: usize,
    /// Accepted line-search rate (0: no step).
    pub rate: f64,
    /// Whether a correction (geo, geo-f) was applied.
    pub corrected: bool,
    /// Products so far.
    pub products: Products,
}

/// A training run.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainRun {
    /// The final parameters.
    pub theta: Vec<f64>,
    /// One record per iteration, the start first.
    pub records: Vec<IterRecord>,
}

/// The objective, the curvature chunks and their workspaces.
struct Objective<'a> {
    net: &'a Mlp,
    data: &'a Dataset,
    chunks: Vec<Dataset>,
    ws: Workspace,
    chunk_ws: Vec<Workspace>,
    cg: CgWorkspace,
    wd: f64,
    products: Products,
}

impl Objective<'_> {
    fn loss(&mut self, theta: &[f64]) -> Result<f64> {
        self.products.loss += 1;
        let l = self.net.loss(theta, self.data, &mut self.ws)?;
        Ok(l + 0.5 * self.wd * dot(theta, theta))
    }

    /// The loss (with weight decay) and the training error, from one forward pass.
    fn loss_and_error(&mut self, theta: &[f64]) -> Result<(f64, f64)> {
        self.products.loss += 1;
        let (l, e) = self.net.loss_and_error(theta, self.data, &mut self.ws)?;
        Ok((l + 0.5 * self.wd * dot(theta, theta), e))
    }

    fn gradient(&mut self, theta: &[f64], g: &mut [f64]) -> Result<f64> {
        self.products.gradient += 1;
        let l = self.net.loss_gradient(theta, self.data, &mut self.ws, g)?;
        g.iter_mut().zip(theta).for_each(|(g, t)| *g += self.wd * t);
        Ok(l + 0.5 * self.wd * dot(theta, theta))
    }

    /// out = (F_c + (λ + wd) I) v.
    fn curvature(
        &mut self,
        c: usize,
        theta: &[f64],
        v: &[f64],
        lambda: f64,
        out: &mut [f64],
    ) -> Result<()> {
        self.products.fisher_vector += 1;
        self.net
            .fisher_vector(theta, &self.chunks[c], v, &mut self.chunk_ws[c], out)?;
        out.iter_mut()
            .zip(v)
            .for_each(|(o, v)| *o += (lambda + self.wd) * v);
        Ok(())
    }

    fn connection(
        &mut self,
        c: usize,
        theta: &[f64],
        v: &[f64],
        alpha: f64,
        out: &mut [f64],
    ) -> Result<()> {
        self.products.connection_vector += 1;
        self.net
            .connection_vector(theta, &self.chunks[c], v, alpha, &mut self.chunk_ws[c], out)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A conjugate-gradient iterate kept for backtracking: (iteration, x).
type Kept = (usize, Vec<f64>);

/// Truncated PCG for B x = b from the warm start in `x` (relative residual 1e-10 or
/// `max_iters`), keeping the iterates at iterations ⌈1.3ʲ⌉ and the last; returns them
/// (iteration, x) and the iterations taken.
#[allow(clippy::too_many_arguments)]
fn pcg_with_iterates(
    obj: &mut Objective<'_>,
    c: usize,
    theta: &[f64],
    lambda: f64,
    b: &[f64],
    x: &mut [f64],
    precond: &[f64],
    max_iters: usize,
) -> Result<(Vec<Kept>, usize)> {
    let mut keep_at = vec![];
    let mut k = 1.0f64;
    while (k.ceil() as usize) <= max_iters {
        let i = k.ceil() as usize;
        if keep_at.last() != Some(&i) {
            keep_at.push(i);
        }
        k *= 1.3;
    }
    let mut kept = vec![];
    let opts = CgOptions {
        damping: 0.0, // B already holds λ + wd
        rel_tol: 1e-10,
        max_iters,
    };
    let mut ws = std::mem::take(&mut obj.cg);
    let report = conjugate_gradient_observed(
        |v, out| obj.curvature(c, theta, v, lambda, out),
        b,
        x,
        Some(precond),
        opts,
        &mut ws,
        |k, y| {
            if keep_at.contains(&k) {
                kept.push((k, y.to_vec()));
            }
        },
    );
    obj.cg = ws;
    let report = report?;
    let it = report.iterations;
    if kept.last().map(|k| k.0) != Some(it) {
        kept.push((it, x.to_vec()));
    }
    Ok((kept, it))
}

/// Trains `net` from θ₀ on `data`; `progress(iteration)` is called after every update.
pub fn train(
    net: &Mlp,
    theta0: &[f64],
    data: &Dataset,
    cfg: &TrainConfig,
    progress: &dyn Fn(usize),
) -> Result<TrainRun> {
    train_evaluated(net, theta0, data, None, cfg, progress)
}

/// [`train`], also recording the error on held-out `test` data at every iteration (outside the
/// timed and counted work).
pub fn train_evaluated(
    net: &Mlp,
    theta0: &[f64],
    data: &Dataset,
    test: Option<&Dataset>,
    cfg: &TrainConfig,
    progress: &dyn Fn(usize),
) -> Result<TrainRun> {
    validate(net, theta0, data, cfg)?;
    if let Some(t) = test {
        net.check_data(t)?;
    }
    let mut test_ws = test.map(|t| Workspace::new(net, t.n));
    // Seconds spent on the test error, taken out of the wall time.
    let held_out_s = std::cell::Cell::new(0.0);
    let mut test_error = |theta: &[f64]| -> Result<Option<f64>> {
        let (Some(t), Some(ws)) = (test, test_ws.as_mut()) else {
            return Ok(None);
        };
        let clock = Instant::now();
        let e = net.loss_and_error(theta, t, ws)?.1;
        held_out_s.set(held_out_s.get() + clock.elapsed().as_secs_f64());
        Ok(Some(e))
    };
    let p = net.n_params();
    let chunk = cfg.chunk.min(data.n);
    let chunks: Vec<Dataset> = (0..data.n.div_ceil(chunk))
        .map(|i| data.rows(i * chunk, ((i + 1) * chunk).min(data.n)))
        .collect::<Result<_>>()?;
    let chunk_ws = chunks.iter().map(|c| Workspace::new(net, c.n)).collect();
    let mut obj = Objective {
        net,
        data,
        ws: Workspace::new(net, data.n),
        chunks,
        chunk_ws,
        cg: CgWorkspace::new(p),
        wd: cfg.weight_decay,
        products: Products::default(),
    };
    let start = Instant::now();
    let mut theta = theta0.to_vec();
    let mut g = vec![0.0; p];
    let (mut loss, train_error) = obj.loss_and_error(&theta)?;
    let first_test_error = test_error(&theta)?;
    let mut records = vec![IterRecord {
        iter: 0,
        wall_s: 0.0,
        loss,
        train_error,
        test_error: first_test_error,
        lambda: cfg.lambda0,
        rho: None,
        cg_iters: 0,
        rate: 0.0,
        corrected: false,
        products: obj.products,
    }];
    let mut lambda = cfg.lambda0;
    let mut x_prev = vec![0.0; p];
    let mut delta_prev: Option<Vec<f64>> = None;
    let (mut m1, mut m2) = (vec![0.0; p], vec![0.0; p]);
    for k in 1..=cfg.iters {
        let c = (k - 1) % obj.chunks.len();
        loss = obj.gradient(&theta, &mut g)?;
        let (step, rho, cg_iters, rate, corrected) = match cfg.method {
            TrainMethod::Adam | TrainMethod::Sgd => {
                let s = first_order_step(cfg, k, &g, &mut m1, &mut m2);
                (s, None, 0, cfg.lr, false)
            }
            _ => {
                let r = hf_step(
                    &mut obj,
                    cfg,
                    c,
                    &theta,
                    &g,
                    loss,
                    lambda,
                    &mut x_prev,
                    delta_prev.as_deref(),
                )?;
                (r.step, Some(r.rho), r.cg_iters, r.rate, r.corrected)
            }
        };
        for (t, s) in theta.iter_mut().zip(&step) {
            *t += s;
        }
        if let Some(rho) = rho {
            if rho < 0.25 {
                lambda *= 1.5;
            } else if rho > 0.75 {
                lambda *= 2.0 / 3.0;
            }
        }
        if rate > 0.0 {
            delta_prev = Some(step);
        }
        let (new_loss, train_error) = obj.loss_and_error(&theta)?;
        loss = new_loss;
        let wall_s = start.elapsed().as_secs_f64();
        let test_error = test_error(&theta)?;
        records.push(IterRecord {
            iter: k,
            wall_s: wall_s - held_out_s.get(),
            loss,
            train_error,
            test_error,
            lambda,
            rho,
            cg_iters,
            rate,
            corrected,
            products: obj.products,
        });
        if !loss.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "the loss became {loss} at iteration {k}; lower the learning rate or raise the damping"
            )));
        }
        progress(k);
    }
    Ok(TrainRun { theta, records })
}

fn validate(net: &Mlp, theta0: &[f64], data: &Dataset, cfg: &TrainConfig) -> Result<()> {
    crate::error::check_vector("initial parameters", theta0, net.n_params())?;
    net.check_data(data)?;
    let bad = |s: String| Err(Error::InvalidArgument(s));
    let pos = |v: f64| v.is_finite() && v > 0.0;
    if cfg.iters == 0 || cfg.iters > 1_000_000 {
        return bad(format!(
            "iterations must be 1 to 1000000, got {}",
            cfg.iters
        ));
    }
    if !pos(cfg.lambda0) {
        return bad(format!("λ₀ must be positive, got {}", cfg.lambda0));
    }
    if !(cfg.weight_decay.is_finite() && cfg.weight_decay >= 0.0) {
        return bad(format!(
            "weight decay must be ≥ 0, got {}",
            cfg.weight_decay
        ));
    }
    if cfg.cg_max == 0 || cfg.chunk == 0 {
        return bad("CG iterations and the chunk size must be positive".into());
    }
    if !cfg.alpha.is_finite() || cfg.correction_threshold.is_nan() || cfg.correction_threshold < 0.0
    {
        return bad("α must be finite and the correction threshold ≥ 0".into());
    }
    if !pos(cfg.lr) || !(0.0..1.0).contains(&cfg.momentum) {
        return bad(format!(
            "learning rate must be positive and momentum in [0, 1), got {} and {}",
            cfg.lr, cfg.momentum
        ));
    }
    Ok(())
}

/// Adam or heavy-ball momentum on the gradient g; returns the update.
fn first_order_step(
    cfg: &TrainConfig,
    k: usize,
    g: &[f64],
    m1: &mut [f64],
    m2: &mut [f64],
) -> Vec<f64> {
    let b1 = cfg.momentum;
    match cfg.method {
        TrainMethod::Adam => {
            let b2: f64 = 0.999;
            let (c1, c2) = (1.0 - b1.powi(k as i32), 1.0 - b2.powi(k as i32));
            (0..g.len())
                .map(|i| {
                    m1[i] = b1 * m1[i] + (1.0 - b1) * g[i];
                    m2[i] = b2 * m2[i] + (1.0 - b2) * g[i] * g[i];
                    -cfg.lr * (m1[i] / c1) / ((m2[i] / c2).sqrt() + 1e-8)
                })
                .collect()
        }
        _ => (0..g.len())
            .map(|i| {
                m1[i] = b1 * m1[i] - cfg.lr * g[i];
                m1[i]
            })
            .collect(),
    }
}

struct HfStep {
    step: Vec<f64>,
    rho: f64,
    cg_iters: usize,
    rate: f64,
    corrected: bool,
}

/// Solves B x = b (warm start from `x`, preconditioner (g⊙g + λ)^¾); with `backtrack`, then
/// picks among the kept CG iterates the one with the lowest loss at θ − x. Returns the CG
/// iterations.
#[allow(clippy::too_many_arguments)]
fn solve(
    obj: &mut Objective<'_>,
    c: usize,
    theta: &[f64],
    g: &[f64],
    lambda: f64,
    b: &[f64],
    x: &mut [f64],
    cg_max: usize,
    backtrack: bool,
) -> Result<usize> {
    let precond: Vec<f64> = g.iter().map(|g| (g * g + lambda).powf(0.75)).collect();
    let (kept, iters) = pcg_with_iterates(obj, c, theta, lambda, b, x, &precond, cg_max)?;
    if !backtrack {
        return Ok(iters);
    }
    let mut best: Option<(f64, usize)> = None;
    let mut trial = vec![0.0; theta.len()];
    for (j, (_, xi)) in kept.iter().enumerate().rev() {
        trial
            .iter_mut()
            .zip(theta.iter().zip(xi))
            .for_each(|(t, (th, x))| *t = th - x);
        let l = obj.loss(&trial)?;
        match best {
            Some((lb, _)) if l >= lb => break,
            _ => best = Some((l, j)),
        }
    }
    if let Some((_, j)) = best {
        x.copy_from_slice(&kept[j].1);
    }
    Ok(iters)
}

#[allow(clippy::too_many_arguments)]
fn hf_step(
    obj: &mut Objective<'_>,
    cfg: &TrainConfig,
    c: usize,
    theta: &[f64],
    g: &[f64],
    loss: f64,
    lambda: f64,
    x_prev: &mut Vec<f64>,
    delta_prev: Option<&[f64]>,
) -> Result<HfStep> {
    let p = theta.len();
    let correct = lambda < cfg.correction_threshold;
    let mut x: Vec<f64> = x_prev.iter().map(|v| 0.95 * v).collect();
    let mut cg_iters = 0;
    let mut corrected = false;
    // The right-hand side: g, or g + ½c_α(δ) for geo-f.
    let mut b = g.to_vec();
    if let Some(d) = delta_prev.filter(|_| cfg.method == TrainMethod::GeoF && correct) {
        let mut cd = vec![0.0; p];
        obj.connection(c, theta, d, cfg.alpha, &mut cd)?;
        b.iter_mut().zip(&cd).for_each(|(b, c)| *b += 0.5 * c);
        corrected = true;
    }
    cg_iters += solve(obj, c, theta, g, lambda, &b, &mut x, cfg.cg_max, true)?;
    *x_prev = x.clone();
    // Direction s(r) = −r·x − ½r²·y.
    let mut y: Option<Vec<f64>> = None;
    if cfg.method == TrainMethod::Geo && correct {
        let mut cx = vec![0.0; p];
        obj.connection(c, theta, &x, cfg.alpha, &mut cx)?;
        let mut yv = vec![0.0; p];
        cg_iters += solve(obj, c, theta, g, lambda, &cx, &mut yv, cfg.cg_max, false)?;
        y = Some(yv);
        corrected = true;
    }
    if cfg.method == TrainMethod::Mid {
        let half: Vec<f64> = theta.iter().zip(&x).map(|(t, x)| t - 0.5 * x).collect();
        let mut g_half = vec![0.0; p];
        obj.gradient(&half, &mut g_half)?;
        let mut x_half = x.clone();
        cg_iters += solve(
            obj,
            c,
            &half,
            &g_half,
            lambda,
            &g_half,
            &mut x_half,
            cfg.cg_max,
            true,
        )?;
        x = x_half;
    }
    let step_at = |r: f64| -> Vec<f64> {
        (0..p)
            .map(|i| -r * x[i] - y.as_ref().map_or(0.0, |y| 0.5 * r * r * y[i]))
            .collect()
    };
    let slope = -dot(g, &x);
    let mut rate = 1.0;
    let mut accepted = None;
    for _ in 0..60 {
        let s = step_at(rate);
        let trial: Vec<f64> = theta.iter().zip(&s).map(|(t, s)| t + s).collect();
        let l = obj.loss(&trial)?;
        if l.is_finite() && l <= loss + 1e-2 * rate * slope {
            accepted = Some((s, l));
            break;
        }
        rate *= 0.8;
    }
    let Some((step, new_loss)) = accepted else {
        return Ok(HfStep {
            step: vec![0.0; p],
            rho: 0.0,
            cg_iters,
            rate: 0.0,
            corrected,
        });
    };
    // ρ against the quadratic model on the chunk.
    let mut bs = vec![0.0; p];
    obj.curvature(c, theta, &step, lambda, &mut bs)?;
    let model = dot(g, &step) + 0.5 * dot(&step, &bs);
    let rho = if model < 0.0 {
        (new_loss - loss) / model
    } else {
        0.0
    };
    Ok(HfStep {
        step,
        rho,
        cg_iters,
        rate,
        corrected,
    })
}
