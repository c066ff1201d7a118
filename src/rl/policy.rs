//! Stochastic policies on the network engine, with their Fisher metric and α-connection.
//!
//! - Continuous actions: a diagonal Gaussian π(a|s) = N(μ(s), diag σ²), the mean from a
//!   network ([`Mlp`], linear last layer) and a state-independent log standard deviation
//!   s = ln σ (one parameter per action dimension). θ = (network parameters, s).
//! - Discrete actions: a softmax over the network's outputs (logits z, the natural parameter
//!   of the categorical family). θ = network parameters.
//!
//! The policy's Fisher metric on a batch of states is the pullback of the action distribution's
//! Fisher metric, F = (1/N) Σₙ Jₙᵀ g(zₙ) Jₙ, and its first-kind α-connection contracted twice
//! with v is c_α(v) = (1/N) Σₙ Jₙᵀ [g(zₙ) D²zₙ\[v,v\] + Γ^(α)(zₙ)[Jₙv, Jₙv]], with g and Γ^(α)
//! the action distribution's metric and connection in its own coordinates (see
//! [`gaussian_connection`]; for the softmax, the categorical family in natural coordinates, as
//! [`crate::nn::OutputFamily::Categorical`]). Both are matrix-free (one R-pass, or R- and
//! S-pass, and one backpropagation).

use crate::error::{Error, Result, check_vector};
use crate::nn::{Activation, Dataset, Mlp, OutputFamily, Passes, Workspace};
use crate::rl::env::{ActionSpace, standard_normal};
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

/// The action distribution of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// Diagonal Gaussian with state-independent log standard deviations.
    Gaussian,
    /// Softmax over discrete actions.
    Softmax,
}

/// A policy: its network and action distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The mean (Gaussian) or logits (softmax) network.
    pub net: Mlp,
    /// The action distribution.
    pub kind: PolicyKind,
}

/// The first-kind α-connection of the univariate Gaussian in coordinates (μ, s = ln σ),
/// contracted twice with u = (u_μ, u_s): returns (Γ_{ij,μ}uⁱuʲ, Γ_{ij,s}uⁱuʲ).
///
/// With the metric g = diag(1/σ², 2) and the skewness T_ijk = E[∂ᵢℓ∂ⱼℓ∂ₖℓ] (T_μμs = 2/σ²,
/// T_sss = 8, the others 0), Γ^(α) = Γ^(0) − (α/2)T gives the non-zero symbols
/// Γ_{μμ,s} = (1−α)/σ², Γ_{μs,μ} = Γ_{sμ,μ} = −(1+α)/σ², Γ_{ss,s} = −4α; so
/// Γ(u,u)_μ = −2(1+α)u_μu_s/σ² and Γ(u,u)_s = (1−α)u_μ²/σ² − 4αu_s² (Amari & Nagaoka 2000,
/// §2.3, with ℓ = −s − (x−μ)²/(2e^{2s})).
pub fn gaussian_connection(sigma: f64, alpha: f64, u_mu: f64, u_s: f64) -> (f64, f64) {
    let inv_var = 1.0 / (sigma * sigma);
    (
        -2.0 * (1.0 + alpha) * u_mu * u_s * inv_var,
        (1.0 - alpha) * u_mu * u_mu * inv_var - 4.0 * alpha * u_s * u_s,
    )
}

impl Policy {
    /// A policy for an action space: Gaussian for a box, softmax for a discrete space; hidden
    /// layers of the given widths with one activation (none: a linear policy).
    pub fn new(
        obs_dim: usize,
        space: &ActionSpace,
        hidden: &[usize],
        activation: Activation,
    ) -> Result<Self> {
        let (k, kind, output) = match space {
            ActionSpace::Box { low, .. } => {
                (low.len(), PolicyKind::Gaussian, OutputFamily::Gaussian)
            }
            ActionSpace::Discrete(n) => (*n, PolicyKind::Softmax, OutputFamily::Categorical),
        };
        let mut widths = hidden.to_vec();
        widths.push(k);
        let mut acts = vec![activation; hidden.len()];
        acts.push(Activation::Linear);
        Ok(Self {
            net: Mlp::new(obs_dim, &widths, &acts, output)?,
            kind,
        })
    }

    /// Action dimension (Gaussian) or number of actions (softmax): the width of z.
    pub fn k(&self) -> usize {
        self.net.output_dim()
    }

    /// Parameters: the network's, then (Gaussian) one log standard deviation per dimension.
    pub fn n_params(&self) -> usize {
        self.net.n_params() + self.n_log_std()
    }

    fn n_log_std(&self) -> usize {
        match self.kind {
            PolicyKind::Gaussian => self.k(),
            PolicyKind::Softmax => 0,
        }
    }

    /// Splits θ into the network's parameters and the log standard deviations.
    pub fn split<'a>(&self, theta: &'a [f64]) -> (&'a [f64], &'a [f64]) {
        theta.split_at(self.net.n_params())
    }

    /// Initial parameters, seeded: each layer's weights N(0, 1/n_in) scaled by `gain` (1 for
    /// hidden layers, 0.01 for the output layer, so the first policy is nearly uniform or
    /// centred at 0), biases 0, log standard deviations 0.
    pub fn init(&self, seed: u64) -> Vec<f64> {
        use rand::SeedableRng;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut theta = Vec::with_capacity(self.n_params());
        let last = self.net.layers.len() - 1;
        for (l, layer) in self.net.layers.iter().enumerate() {
            let gain = if l == last { 0.01 } else { 1.0 };
            let scale = gain / (layer.n_in as f64).sqrt();
            for _ in 0..layer.n_out * layer.n_in {
                theta.push(scale * standard_normal(&mut rng));
            }
            theta.extend(std::iter::repeat_n(0.0, layer.n_out));
        }
        theta.extend(std::iter::repeat_n(0.0, self.n_log_std()));
        theta
    }

    /// ln π(a|z) for one example from its output z (and log standard deviations); `a` holds
    /// the action values (Gaussian) or the one-hot action (softmax).
    pub fn log_prob(&self, z: &[f64], log_std: &[f64], a: &[f64]) -> f64 {
        match self.kind {
            PolicyKind::Gaussian => {
                let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
                z.iter()
                    .zip(log_std)
                    .zip(a)
                    .map(|((m, s), a)| {
                        let r = (a - m) * (-s).exp();
                        -0.5 * r * r - s - half_ln_2pi
                    })
                    .sum()
            }
            PolicyKind::Softmax => {
                let lse = log_sum_exp(z);
                z.iter().zip(a).map(|(z, a)| a * (z - lse)).sum()
            }
        }
    }

    /// Samples an action from the output z of one state into `a` (values, or one-hot); returns
    /// the discrete index for a softmax policy.
    pub fn sample(&self, z: &[f64], log_std: &[f64], rng: &mut StdRng, a: &mut [f64]) -> usize {
        use rand::RngExt;
        match self.kind {
            PolicyKind::Gaussian => {
                for ((a, m), s) in a.iter_mut().zip(z).zip(log_std) {
                    *a = m + s.exp() * standard_normal(rng);
                }
                0
            }
            PolicyKind::Softmax => {
                let lse = log_sum_exp(z);
                let u: f64 = rng.random();
                let mut acc = 0.0;
                let mut pick = z.len() - 1;
                for (i, zi) in z.iter().enumerate() {
                    acc += (zi - lse).exp();
                    if u < acc {
                        pick = i;
                        break;
                    }
                }
                a.iter_mut()
                    .enumerate()
                    .for_each(|(i, v)| *v = f64::from(u8::from(i == pick)));
                pick
            }
        }
    }

    fn check(&self, theta: &[f64], batch: &Dataset, ws: &PolicyWorkspace) -> Result<()> {
        check_vector("policy parameters", theta, self.n_params())?;
        if batch.target_dim != self.k() {
            return Err(Error::Dimension {
                what: "batch actions".into(),
                expected: self.k(),
                got: batch.target_dim,
            });
        }
        if ws.z.len() != batch.n * self.k() {
            return Err(Error::Dimension {
                what: "policy workspace batch size".into(),
                expected: batch.n,
                got: ws.z.len() / self.k(),
            });
        }
        Ok(())
    }

    /// ln π(aₙ|sₙ) for every example of the batch (x: states, y: actions) into `out`.
    pub fn log_probs(
        &self,
        theta: &[f64],
        batch: &Dataset,
        ws: &mut PolicyWorkspace,
        out: &mut [f64],
    ) -> Result<()> {
        self.check(theta, batch, ws)?;
        crate::problem::check_out("log-probabilities", out, batch.n)?;
        let (net, log_std) = self.split(theta);
        self.net.outputs(net, batch, &mut ws.net, &mut ws.z)?;
        let k = self.k();
        for (n, o) in out.iter_mut().enumerate() {
            *o = self.log_prob(&ws.z[n * k..(n + 1) * k], log_std, batch.y_row(n));
        }
        Ok(())
    }

    /// The mean KL divergence (1/N) Σₙ KL(π_θ(·|sₙ) ‖ π_θ′(·|sₙ)) over the batch's states.
    pub fn mean_kl(
        &self,
        theta: &[f64],
        theta_new: &[f64],
        batch: &Dataset,
        ws: &mut PolicyWorkspace,
    ) -> Result<f64> {
        self.check(theta, batch, ws)?;
        check_vector("new policy parameters", theta_new, self.n_params())?;
        let (net, s) = self.split(theta);
        let (net_new, s_new) = self.split(theta_new);
        self.net.outputs(net, batch, &mut ws.net, &mut ws.z)?;
        self.net
            .outputs(net_new, batch, &mut ws.net, &mut ws.z_dot)?;
        let k = self.k();
        let mut total = 0.0;
        for n in 0..batch.n {
            let (z, z2) = (&ws.z[n * k..(n + 1) * k], &ws.z_dot[n * k..(n + 1) * k]);
            total += match self.kind {
                // Σⱼ s′ⱼ − sⱼ + (σⱼ² + (μⱼ − μ′ⱼ)²)/(2σ′ⱼ²) − ½.
                PolicyKind::Gaussian => (0..k)
                    .map(|j| {
                        let d = z[j] - z2[j];
                        s_new[j] - s[j]
                            + ((2.0 * s[j]).exp() + d * d) * 0.5 * (-2.0 * s_new[j]).exp()
                            - 0.5
                    })
                    .sum::<f64>(),
                // Σᵢ pᵢ (ln pᵢ − ln p′ᵢ).
                PolicyKind::Softmax => {
                    let (l, l2) = (log_sum_exp(z), log_sum_exp(z2));
                    (0..k)
                        .map(|i| (z[i] - l).exp() * ((z[i] - l) - (z2[i] - l2)))
                        .sum::<f64>()
                }
            };
        }
        Ok(total / batch.n as f64)
    }

    /// The weighted score g = (1/N) Σₙ wₙ ∇_θ ln π(aₙ|sₙ) into `out`: the gradient of the
    /// surrogate (1/N) Σₙ wₙ ln π(aₙ|sₙ), wₙ an advantage (times an importance weight).
    ///
    /// ∂ ln π/∂μⱼ = (aⱼ − μⱼ)/σⱼ², ∂ ln π/∂sⱼ = (aⱼ − μⱼ)²/σⱼ² − 1 (Gaussian);
    /// ∂ ln π/∂z = onehot(a) − softmax(z) (softmax).
    pub fn weighted_score(
        &self,
        theta: &[f64],
        batch: &Dataset,
        weights: &[f64],
        ws: &mut PolicyWorkspace,
        out: &mut [f64],
    ) -> Result<()> {
        self.check(theta, batch, ws)?;
        check_vector("weights", weights, batch.n)?;
        crate::problem::check_out("score", out, self.n_params())?;
        let (net, log_std) = self.split(theta);
        let (out_net, out_s) = out.split_at_mut(self.net.n_params());
        let inv_n = 1.0 / batch.n as f64;
        let k = self.k();
        if self.kind == PolicyKind::Gaussian {
            self.net.outputs(net, batch, &mut ws.net, &mut ws.z)?;
            out_s.iter_mut().for_each(|v| *v = 0.0);
            for (n, w) in weights.iter().enumerate() {
                let (z, a) = (&ws.z[n * k..(n + 1) * k], batch.y_row(n));
                for j in 0..k {
                    let r = (a[j] - z[j]) * (-log_std[j]).exp();
                    out_s[j] += w * inv_n * (r * r - 1.0);
                }
            }
        }
        let kind = self.kind;
        self.net.pullback(
            net,
            batch,
            None,
            Passes::Forward,
            &mut ws.net,
            out_net,
            |row, delta| {
                let w = weights[row.index] * inv_n;
                match kind {
                    PolicyKind::Gaussian => {
                        for (j, d) in delta.iter_mut().enumerate() {
                            *d = w * (row.y[j] - row.z[j]) * (-2.0 * log_std[j]).exp();
                        }
                    }
                    PolicyKind::Softmax => {
                        let lse = log_sum_exp(row.z);
                        for (j, d) in delta.iter_mut().enumerate() {
                            *d = w * (row.y[j] - (row.z[j] - lse).exp());
                        }
                    }
                }
                0.0
            },
        )?;
        Ok(())
    }

    /// The Fisher-vector product F v on the batch's states into `out`:
    /// F = (1/N) Σₙ Jₙᵀ diag(1/σ²) Jₙ ⊕ 2I (Gaussian), (1/N) Σₙ Jₙᵀ (diag p − ppᵀ) Jₙ (softmax).
    pub fn fisher_vector(
        &self,
        theta: &[f64],
        batch: &Dataset,
        v: &[f64],
        ws: &mut PolicyWorkspace,
        out: &mut [f64],
    ) -> Result<()> {
        self.check(theta, batch, ws)?;
        check_vector("vector", v, self.n_params())?;
        crate::problem::check_out("Fisher-vector product", out, self.n_params())?;
        let (net, log_std) = self.split(theta);
        let (v_net, v_s) = self.split(v);
        let (out_net, out_s) = out.split_at_mut(self.net.n_params());
        match self.kind {
            PolicyKind::Softmax => self
                .net
                .fisher_vector(net, batch, v_net, &mut ws.net, out_net),
            PolicyKind::Gaussian => {
                let inv_n = 1.0 / batch.n as f64;
                self.net.pullback(
                    net,
                    batch,
                    Some(v_net),
                    Passes::First,
                    &mut ws.net,
                    out_net,
                    |row, delta| {
                        for (j, d) in delta.iter_mut().enumerate() {
                            *d = row.z_dot[j] * (-2.0 * log_std[j]).exp() * inv_n;
                        }
                        0.0
                    },
                )?;
                for (o, v) in out_s.iter_mut().zip(v_s) {
                    *o = 2.0 * v;
                }
                Ok(())
            }
        }
    }

    /// The first-kind α-connection contracted twice with v, c_α(v), into `out` (see the
    /// module's formula and [`gaussian_connection`]).
    pub fn connection_vector(
        &self,
        theta: &[f64],
        batch: &Dataset,
        v: &[f64],
        alpha: f64,
        ws: &mut PolicyWorkspace,
        out: &mut [f64],
    ) -> Result<()> {
        self.check(theta, batch, ws)?;
        check_vector("vector", v, self.n_params())?;
        crate::problem::check_out("connection product", out, self.n_params())?;
        if !alpha.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "α must be a finite number, got {alpha}"
            )));
        }
        let (net, log_std) = self.split(theta);
        let (v_net, v_s) = self.split(v);
        let (out_net, out_s) = out.split_at_mut(self.net.n_params());
        match self.kind {
            PolicyKind::Softmax => {
                self.net
                    .connection_vector(net, batch, v_net, alpha, &mut ws.net, out_net)
            }
            PolicyKind::Gaussian => {
                let k = self.k();
                let inv_n = 1.0 / batch.n as f64;
                // The log-σ coordinates: (1/N) Σₙ Γ(uₙ, uₙ)_s, uₙ = (Jₙv, v_s).
                self.net
                    .jvp(net, batch, v_net, &mut ws.net, &mut ws.z, &mut ws.z_dot)?;
                out_s.iter_mut().for_each(|o| *o = 0.0);
                for n in 0..batch.n {
                    for j in 0..k {
                        let sigma = log_std[j].exp();
                        out_s[j] += gaussian_connection(sigma, alpha, ws.z_dot[n * k + j], v_s[j])
                            .1
                            * inv_n;
                    }
                }
                // The network: Jₙᵀ [Z̈ₙ/σ² + Γ(uₙ, uₙ)_μ].
                self.net.pullback(
                    net,
                    batch,
                    Some(v_net),
                    Passes::Second,
                    &mut ws.net,
                    out_net,
                    |row, delta| {
                        for (j, d) in delta.iter_mut().enumerate() {
                            let sigma = log_std[j].exp();
                            let gamma_mu =
                                gaussian_connection(sigma, alpha, row.z_dot[j], v_s[j]).0;
                            *d = (row.z_ddot[j] / (sigma * sigma) + gamma_mu) * inv_n;
                        }
                        0.0
                    },
                )?;
                Ok(())
            }
        }
    }
}

/// Buffers for a policy's products on batches of one size.
#[derive(Debug, Clone)]
pub struct PolicyWorkspace {
    net: Workspace,
    z: Vec<f64>,
    z_dot: Vec<f64>,
}

impl PolicyWorkspace {
    /// Buffers for batches of n states.
    pub fn new(policy: &Policy, n: usize) -> Self {
        Self {
            net: Workspace::new(&policy.net, n),
            z: vec![0.0; n * policy.k()],
            z_dot: vec![0.0; n * policy.k()],
        }
    }

    /// The outputs z of the last forward pass (N × k).
    pub fn outputs(&self) -> &[f64] {
        &self.z
    }
}

/// ln Σ exp(zᵢ), stably.
pub fn log_sum_exp(z: &[f64]) -> f64 {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}
