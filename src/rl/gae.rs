//! Generalised advantage estimation (Schulman et al. 2016).
//!
//! For a batch of steps t with rewards rₜ and values Vₜ = V(sₜ):
//!
//! ```text
//! δₜ = rₜ + γ V(sₜ₊₁)·[sₜ₊₁ not terminal] − V(sₜ)
//! Aₜ = δₜ + γλ Aₜ₊₁·[the episode goes on after t]
//! ```
//!
//! where V(sₜ₊₁) is the next step's value inside an episode and, at the end of a truncated
//! or cut episode, the value of the observation it ended in (bootstrapping); a terminal state
//! is worth 0. The returns Aₜ + Vₜ are the targets of the value function (TD(λ)).

use crate::error::{Error, Result};

/// How step t ends, for [`gae`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepEnd {
    /// The episode goes on: V(sₜ₊₁) is the next step's value.
    Continues,
    /// A terminal state: worth 0.
    Terminal,
    /// Truncated (time limit or end of the batch) in a state of the given value.
    Truncated(f64),
}

/// The advantages and the returns (advantage + value) of a batch.
pub fn gae(
    rewards: &[f64],
    values: &[f64],
    ends: &[StepEnd],
    gamma: f64,
    lambda: f64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let n = rewards.len();
    if values.len() != n || ends.len() != n {
        return Err(Error::InvalidArgument(format!(
            "gae: {n} rewards, {} values and {} step ends",
            values.len(),
            ends.len()
        )));
    }
    if n > 0 && ends[n - 1] == StepEnd::Continues {
        return Err(Error::InvalidArgument(
            "gae: the last step of a batch must end its episode (terminal or truncated)".into(),
        ));
    }
    let mut adv = vec![0.0; n];
    let mut next_adv = 0.0;
    for t in (0..n).rev() {
        let (next_value, goes_on) = match ends[t] {
            StepEnd::Continues => (values[t + 1], true),
            StepEnd::Terminal => (0.0, false),
            StepEnd::Truncated(v) => (v, false),
        };
        let delta = rewards[t] + gamma * next_value - values[t];
        adv[t] = delta
            + if goes_on {
                gamma * lambda * next_adv
            } else {
                0.0
            };
        next_adv = adv[t];
    }
    let returns = adv.iter().zip(values).map(|(a, v)| a + v).collect();
    Ok((adv, returns))
}
