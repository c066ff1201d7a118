//! `natflow rl`: control environments and natural policy gradient.

use super::parse_list;
use crate::error::{Error, Result};
use crate::rl::env::EnvName;
use crate::rl::replay::{parse_actions, replay};
use std::path::PathBuf;

/// Arguments of `natflow rl`.
#[derive(Debug, clap::Args)]
pub struct RlArgs {
    #[command(subcommand)]
    command: RlCommand,
}

#[derive(Debug, clap::Subcommand)]
enum RlCommand {
    /// Step an environment from a given internal state through a list of actions and print the
    /// observations, rewards and flags (to check an environment against another
    /// implementation).
    Replay(ReplayArgs),
}

/// Arguments of `natflow rl replay`.
#[derive(Debug, clap::Args)]
struct ReplayArgs {
    /// Environment: Pendulum-v1, MountainCarContinuous-v0, CartPole-v1, Acrobot-v1 or lqr.
    #[arg(long)]
    env: String,
    /// Internal state, comma-separated: Pendulum (θ, θ̇); MountainCarContinuous (position,
    /// velocity); CartPole (x, ẋ, θ, θ̇); Acrobot (θ₁, θ₂, θ̇₁, θ̇₂); lqr (x₁…xₙ).
    #[arg(long, allow_hyphen_values = true)]
    state: String,
    /// Action file: one action per line (comma-separated numbers for continuous actions, an
    /// index for discrete ones).
    #[arg(long)]
    actions: PathBuf,
    /// Print one JSON object (otherwise a table).
    #[arg(long)]
    json: bool,
}

/// Runs `natflow rl`.
pub fn run(args: &RlArgs) -> Result<()> {
    match &args.command {
        RlCommand::Replay(a) => run_replay(a),
    }
}

fn run_replay(a: &ReplayArgs) -> Result<()> {
    let env = EnvName::parse(&a.env)?;
    let state = parse_list("--state", &a.state)?;
    let text = std::fs::read_to_string(&a.actions).map_err(|e| Error::Data {
        path: a.actions.clone(),
        line: None,
        reason: e.to_string(),
    })?;
    let actions = parse_actions(&text, &env.make().action_space(), &a.actions)?;
    let r = replay(env, &state, &actions)?;
    if a.json {
        let text = serde_json::to_string(&r)
            .map_err(|e| Error::InvalidArgument(format!("cannot encode the replay: {e}")))?;
        println!("{text}");
    } else {
        println!("{}: {} steps from {:?}", r.env, r.rewards.len(), state);
        println!(
            "{:>5}  {:>12}  {:>5}  {:>5}  observation",
            "step", "reward", "term", "trunc"
        );
        for i in 0..r.rewards.len() {
            println!(
                "{:>5}  {:>12.6}  {:>5}  {:>5}  {:?}",
                i + 1,
                r.rewards[i],
                r.terminated[i],
                r.truncated[i],
                r.observations[i]
            );
        }
    }
    Ok(())
}
