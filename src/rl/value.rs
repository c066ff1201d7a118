//! The value-function baseline: a network V(s) fitted to the returns by Adam.
//!
//! Targets are standardised per fit (V(s) = m + σ·net(s), m and σ the mean and standard
//! deviation of the latest targets), so one learning rate serves rewards of any scale.

use crate::error::Result;
use crate::nn::{Activation, Dataset, Mlp, OutputFamily, Workspace};
use rand::rngs::StdRng;

/// Settings of the value fit.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValueConfig {
    /// Passes over the batch per fit.
    pub epochs: usize,
    /// Minibatch size.
    pub minibatch: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
}

impl Default for ValueConfig {
    /// 10 epochs of minibatches of 128, learning rate 10⁻³.
    fn default() -> Self {
        Self {
            epochs: 10,
            minibatch: 128,
            learning_rate: 1e-3,
        }
    }
}

/// A value network with its Adam state.
#[derive(Debug, Clone)]
pub struct ValueFunction {
    /// The network (one linear output, squared loss).
    pub net: Mlp,
    /// Its parameters.
    pub theta: Vec<f64>,
    shift: f64,
    scale: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: u64,
    cfg: ValueConfig,
}

impl ValueFunction {
    /// A network obs_dim → hidden → 1, seeded (weights N(0, 1/n_in), output layer × 0.01).
    pub fn new(
        obs_dim: usize,
        hidden: &[usize],
        activation: Activation,
        cfg: ValueConfig,
        seed: u64,
    ) -> Result<Self> {
        use rand::SeedableRng;
        let mut widths = hidden.to_vec();
        widths.push(1);
        let mut acts = vec![activation; hidden.len()];
        acts.push(Activation::Linear);
        let net = Mlp::new(obs_dim, &widths, &acts, OutputFamily::Gaussian)?;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut theta = Vec::with_capacity(net.n_params());
        let last = net.layers.len() - 1;
        for (l, layer) in net.layers.iter().enumerate() {
            let gain = if l == last { 0.01 } else { 1.0 };
            let sd = gain / (layer.n_in as f64).sqrt();
            for _ in 0..layer.n_out * layer.n_in {
                theta.push(sd * crate::rl::env::standard_normal(&mut rng));
            }
            theta.extend(std::iter::repeat_n(0.0, layer.n_out));
        }
        let p = net.n_params();
        Ok(Self {
            net,
            theta,
            shift: 0.0,
            scale: 1.0,
            m: vec![0.0; p],
            v: vec![0.0; p],
            t: 0,
            cfg,
        })
    }

    /// V(sₙ) for the rows of `states` (N × obs_dim) into `out`.
    pub fn predict(&self, states: &Dataset, ws: &mut Workspace, out: &mut [f64]) -> Result<()> {
        self.net.outputs(&self.theta, states, ws, out)?;
        for o in out.iter_mut() {
            *o = self.shift + self.scale * *o;
        }
        Ok(())
    }

    /// Fits V to `targets` on `states` (standardised targets, Adam on shuffled minibatches).
    pub fn fit(&mut self, states: &[f64], targets: &[f64], rng: &mut StdRng) -> Result<()> {
        use rand::RngExt;
        let n = targets.len();
        let d = self.net.input_dim;
        let mean = targets.iter().sum::<f64>() / n as f64;
        let var = targets.iter().map(|t| (t - mean) * (t - mean)).sum::<f64>() / n as f64;
        let (shift, scale) = (mean, var.sqrt().max(1e-8));
        // Keep V(s) unchanged under the new standardisation (as PopArt does): rescale the
        // linear output layer, o′ = (m + σo − m′)/σ′.
        let last = self.net.layers[self.net.layers.len() - 1];
        let p = self.net.n_params();
        let (w_start, b_start) = (p - last.n_params(), p - 1);
        let ratio = self.scale / scale;
        for w in &mut self.theta[w_start..b_start] {
            *w *= ratio;
        }
        self.theta[b_start] = (self.theta[b_start] * self.scale + self.shift - shift) / scale;
        (self.shift, self.scale) = (shift, scale);
        let b = self.cfg.minibatch.min(n);
        let mut batch = Dataset {
            n: b,
            input_dim: d,
            target_dim: 1,
            x: vec![0.0; b * d],
            y: vec![0.0; b],
        };
        let mut ws = Workspace::new(&self.net, b);
        let mut grad = vec![0.0; self.net.n_params()];
        let mut order: Vec<usize> = (0..n).collect();
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        for _ in 0..self.cfg.epochs {
            for i in (1..n).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            for chunk in order.chunks_exact(b) {
                for (r, &i) in chunk.iter().enumerate() {
                    batch.x[r * d..(r + 1) * d].copy_from_slice(&states[i * d..(i + 1) * d]);
                    batch.y[r] = (targets[i] - self.shift) / self.scale;
                }
                self.net
                    .loss_gradient(&self.theta, &batch, &mut ws, &mut grad)?;
                self.t += 1;
                let t = self.t as f64;
                let (c1, c2) = (1.0 - f64::powf(b1, t), 1.0 - f64::powf(b2, t));
                let lr = self.cfg.learning_rate;
                let params = self.theta.iter_mut().zip(&mut self.m).zip(&mut self.v);
                for (((t, m), v), g) in params.zip(&grad) {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *t -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
                }
            }
        }
        Ok(())
    }
}
