//! Collecting a batch of steps with a policy.

use super::env::{Action, Episode};
use super::gae::StepEnd;
use super::policy::{Policy, PolicyKind};
use crate::error::Result;
use crate::nn::{Dataset, Workspace};
use rand::rngs::StdRng;

/// A batch of steps: states and actions (as a [`Dataset`]: x the observations, y the actions —
/// values, or one-hot), rewards, how each step ended, and the episodes that finished.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Observations (x) and actions (y).
    pub data: Dataset,
    /// Rewards.
    pub rewards: Vec<f64>,
    /// How each step ended.
    pub ends: Vec<End>,
    /// Observations (row-major) of the states truncated episodes ended in.
    pub bootstrap: Vec<f64>,
    /// Undiscounted returns of the episodes completed in this batch.
    pub episode_returns: Vec<f64>,
    /// Their lengths.
    pub episode_lengths: Vec<usize>,
}

/// How a step of a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The episode goes on.
    Continues,
    /// A terminal state.
    Terminal,
    /// Truncated (time limit or end of batch) in the state whose observation is row `bootstrap`
    /// of [`Batch::bootstrap`].
    Truncated {
        /// The row.
        bootstrap: usize,
    },
}

impl Batch {
    /// The step ends for [`super::gae::gae`], given the values of the bootstrap observations.
    pub fn step_ends(&self, bootstrap_values: &[f64]) -> Vec<StepEnd> {
        self.ends
            .iter()
            .map(|e| match *e {
                End::Continues => StepEnd::Continues,
                End::Terminal => StepEnd::Terminal,
                End::Truncated { bootstrap } => StepEnd::Truncated(bootstrap_values[bootstrap]),
            })
            .collect()
    }
}

/// Steps a policy in an episode, carrying the running episode across batches.
pub struct Collector {
    /// The episode (environment with its time limit).
    pub episode: Episode,
    obs: Vec<f64>,
    running_return: f64,
    one: Dataset,
    ws: Workspace,
    z: Vec<f64>,
    action: Vec<f64>,
}

impl Collector {
    /// A collector; resets the environment with `rng`.
    pub fn new(mut episode: Episode, policy: &Policy, rng: &mut StdRng) -> Self {
        episode.reset(rng);
        let d = episode.env.observation_dim();
        let k = policy.k();
        let mut obs = vec![0.0; d];
        episode.env.observe(&mut obs);
        Self {
            episode,
            obs,
            running_return: 0.0,
            one: Dataset {
                n: 1,
                input_dim: d,
                target_dim: k,
                x: vec![0.0; d],
                y: vec![0.0; k],
            },
            ws: Workspace::new(&policy.net, 1),
            z: vec![0.0; k],
            action: vec![0.0; k],
        }
    }

    /// Collects `n` steps with policy parameters θ. An episode still running at the end is
    /// cut (bootstrapped) and continues in the next batch.
    pub fn collect(
        &mut self,
        policy: &Policy,
        theta: &[f64],
        n: usize,
        rng: &mut StdRng,
    ) -> Result<Batch> {
        let (d, k) = (self.obs.len(), policy.k());
        crate::error::check_vector("policy parameters", theta, policy.n_params())?;
        let (net, log_std) = policy.split(theta);
        let mut b = Batch {
            data: Dataset {
                n,
                input_dim: d,
                target_dim: k,
                x: Vec::with_capacity(n * d),
                y: Vec::with_capacity(n * k),
            },
            rewards: Vec::with_capacity(n),
            ends: Vec::with_capacity(n),
            bootstrap: vec![],
            episode_returns: vec![],
            episode_lengths: vec![],
        };
        for t in 0..n {
            self.one.x.copy_from_slice(&self.obs);
            policy
                .net
                .outputs_prechecked(net, &self.one, &mut self.ws, &mut self.z);
            let index = policy.sample(&self.z, log_std, rng, &mut self.action);
            let action = match policy.kind {
                PolicyKind::Gaussian => Action::Continuous(&self.action),
                PolicyKind::Softmax => Action::Discrete(index),
            };
            b.data.x.extend_from_slice(&self.obs);
            b.data.y.extend_from_slice(&self.action);
            let step = self.episode.step(action)?;
            self.running_return += step.reward;
            b.rewards.push(step.reward);
            self.episode.env.observe(&mut self.obs);
            let end = if step.terminated {
                End::Terminal
            } else if step.truncated || t + 1 == n {
                b.bootstrap.extend_from_slice(&self.obs);
                End::Truncated {
                    bootstrap: b.bootstrap.len() / d - 1,
                }
            } else {
                End::Continues
            };
            b.ends.push(end);
            if step.terminated || step.truncated {
                b.episode_returns.push(self.running_return);
                b.episode_lengths.push(self.episode.elapsed());
                self.running_return = 0.0;
                self.episode.reset(rng);
                self.episode.env.observe(&mut self.obs);
            }
        }
        Ok(b)
    }
}
