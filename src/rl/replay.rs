//! Stepping an environment from a given internal state through a list of actions: the check
//! of an environment against another implementation (`natflow rl replay`).

use super::env::{Action, ActionSpace, EnvName, Episode};
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::Path;

/// One action as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionValue {
    /// Continuous values.
    Continuous(Vec<f64>),
    /// A discrete index.
    Discrete(usize),
}

/// Parses an action list: one action per line, comma-separated numbers for a box space, an
/// index for a discrete one; blank lines and lines starting with `#` are skipped. Errors name
/// the file and line.
pub fn parse_actions(text: &str, space: &ActionSpace, path: &Path) -> Result<Vec<ActionValue>> {
    let err = |line: usize, reason: String| Error::Data {
        path: path.to_path_buf(),
        line: Some(line),
        reason,
    };
    let mut out = vec![];
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match space {
            ActionSpace::Box { low, .. } => {
                let values = line
                    .split(',')
                    .map(|p| {
                        let p = p.trim();
                        p.parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite())
                            .ok_or_else(|| err(i + 1, format!("'{p}' is not a finite number")))
                    })
                    .collect::<Result<Vec<f64>>>()?;
                if values.len() != low.len() {
                    return Err(err(
                        i + 1,
                        format!(
                            "expected {} comma-separated numbers (the action's dimension), got {}",
                            low.len(),
                            values.len()
                        ),
                    ));
                }
                out.push(ActionValue::Continuous(values));
            }
            ActionSpace::Discrete(n) => {
                let a = line
                    .parse::<usize>()
                    .ok()
                    .filter(|a| a < n)
                    .ok_or_else(|| {
                        err(
                            i + 1,
                            format!("'{line}' is not an action index (0…{})", n - 1),
                        )
                    })?;
                out.push(ActionValue::Discrete(a));
            }
        }
    }
    if out.is_empty() {
        return Err(Error::Data {
            path: path.to_path_buf(),
            line: None,
            reason: "no actions".into(),
        });
    }
    Ok(out)
}

/// What a replay returns: the observation, reward and flags after every step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    /// The environment's registered name.
    pub env: String,
    /// The observation after each step.
    pub observations: Vec<Vec<f64>>,
    /// Each step's reward.
    pub rewards: Vec<f64>,
    /// Whether each step reached a terminal state.
    pub terminated: Vec<bool>,
    /// Whether each step reached the time limit (counted from the replayed state).
    pub truncated: Vec<bool>,
}

/// Steps `env` from `state` through `actions`. Stepping past termination is an error.
pub fn replay(env: EnvName, state: &[f64], actions: &[ActionValue]) -> Result<Replay> {
    let mut e = env.make();
    e.set_state(state)?;
    let dim = e.observation_dim();
    let mut episode = Episode::new(e);
    let mut out = Replay {
        env: env.name().into(),
        observations: vec![],
        rewards: vec![],
        terminated: vec![],
        truncated: vec![],
    };
    let mut obs = vec![0.0; dim];
    for (i, a) in actions.iter().enumerate() {
        let action = match a {
            ActionValue::Continuous(v) => Action::Continuous(v),
            ActionValue::Discrete(k) => Action::Discrete(*k),
        };
        let step = episode
            .step(action)
            .map_err(|e| Error::InvalidArgument(format!("action {}: {e}", i + 1)))?;
        episode.env.observe(&mut obs);
        out.observations.push(obs.clone());
        out.rewards.push(step.reward);
        out.terminated.push(step.terminated);
        out.truncated.push(step.truncated);
    }
    Ok(out)
}
