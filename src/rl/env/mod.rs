//! Control environments, written from the definitions of the Gymnasium reference
//! environments of the same names (Farama Foundation, Gymnasium 1.x, `classic_control`), and a
//! linear–quadratic regulator with a known optimum.
//!
//! Each environment reproduces its reference step exactly: the same integrator, constants and
//! order of clipping and integration, the same order of floating-point operations, and the same
//! float32 roundings where the reference makes them (observations cast to float32; the
//! continuous actions, whose space has dtype float32, taken as float32; MountainCarContinuous's
//! float32 state; NumPy 2 promotion rules, NEP 50, where a Python float meets a float32). Resets
//! draw from the reference's initial-state distributions with natflow's own seeded generator
//! (not NumPy's, so a seed gives other episodes than in Gymnasium).
//!
//! [`Episode`] adds the reference's `TimeLimit` (truncation after the registered number of
//! steps) and refuses to step past termination.

pub mod acrobot;
pub mod cartpole;
pub mod lqr;
pub mod mountain_car;
pub mod pendulum;

use crate::error::{Error, Result, check_vector, parse_named};
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

/// An action: continuous values (a Box space) or the index of a discrete one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action<'a> {
    /// Box actions, one number per dimension.
    Continuous(&'a [f64]),
    /// The index of a discrete action.
    Discrete(usize),
}

/// An environment's action space.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionSpace {
    /// A box: `low ≤ a ≤ high` per dimension (±∞ when unbounded).
    Box {
        /// Lower bounds.
        low: Vec<f64>,
        /// Upper bounds.
        high: Vec<f64>,
    },
    /// n discrete actions 0…n−1.
    Discrete(usize),
}

impl ActionSpace {
    /// The number of action dimensions (Box) or of actions (Discrete).
    pub fn size(&self) -> usize {
        match self {
            ActionSpace::Box { low, .. } => low.len(),
            ActionSpace::Discrete(n) => *n,
        }
    }
}

/// One transition's reward and whether it ended the episode (a terminal state).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transition {
    /// The reward.
    pub reward: f64,
    /// The new state is terminal.
    pub terminated: bool,
}

/// A control environment: an internal state, observations, seeded resets and steps.
pub trait Environment: Send {
    /// The registered name, e.g. `Pendulum-v1`.
    fn name(&self) -> &'static str;
    /// The names of the internal state's coordinates, e.g. `["theta", "theta_dot"]`.
    fn state_names(&self) -> Vec<String>;
    /// The observation's dimension.
    fn observation_dim(&self) -> usize;
    /// The action space.
    fn action_space(&self) -> ActionSpace;
    /// The number of steps after which the reference truncates an episode.
    fn time_limit(&self) -> usize;
    /// The internal state.
    fn state(&self) -> Vec<f64>;
    /// Sets the internal state (as the reference holds it after a reset).
    fn set_state(&mut self, state: &[f64]) -> Result<()>;
    /// Draws an initial state from the reference's distribution.
    fn reset(&mut self, rng: &mut StdRng);
    /// The current observation into `out` (length [`Environment::observation_dim`]).
    fn observe(&self, out: &mut [f64]);
    /// One step. The action must be of the environment's kind and finite; out-of-range
    /// continuous actions are clipped where (and as) the reference clips them, out-of-range
    /// discrete ones are errors.
    fn step(&mut self, action: Action<'_>) -> Result<Transition>;
    /// The discount factor the environment's objective is defined with, if it has its own
    /// (the LQR's expected discounted cost); `None` for the Gymnasium tasks.
    fn own_discount(&self) -> Option<f64> {
        None
    }
}

/// The environments natflow implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnvName {
    /// `Pendulum-v1`.
    #[serde(rename = "Pendulum-v1")]
    Pendulum,
    /// `MountainCarContinuous-v0`.
    #[serde(rename = "MountainCarContinuous-v0")]
    MountainCarContinuous,
    /// `CartPole-v1`.
    #[serde(rename = "CartPole-v1")]
    CartPole,
    /// `Acrobot-v1`.
    #[serde(rename = "Acrobot-v1")]
    Acrobot,
    /// The linear–quadratic regulator of [`lqr`].
    #[serde(rename = "lqr")]
    Lqr,
}

impl EnvName {
    /// Every environment.
    pub const ALL: [EnvName; 5] = [
        EnvName::Pendulum,
        EnvName::MountainCarContinuous,
        EnvName::CartPole,
        EnvName::Acrobot,
        EnvName::Lqr,
    ];

    /// The registered name.
    pub fn name(self) -> &'static str {
        match self {
            EnvName::Pendulum => "Pendulum-v1",
            EnvName::MountainCarContinuous => "MountainCarContinuous-v0",
            EnvName::CartPole => "CartPole-v1",
            EnvName::Acrobot => "Acrobot-v1",
            EnvName::Lqr => "lqr",
        }
    }

    /// Parses a registered name.
    pub fn parse(name: &str) -> Result<Self> {
        parse_named("environment", name, &Self::ALL, Self::name)
    }

    /// A fresh environment (the LQR with its default system); reset or set its state next.
    pub fn make(self) -> Box<dyn Environment> {
        match self {
            EnvName::Pendulum => Box::new(pendulum::Pendulum::default()),
            EnvName::MountainCarContinuous => {
                Box::new(mountain_car::MountainCarContinuous::default())
            }
            EnvName::CartPole => Box::new(cartpole::CartPole::default()),
            EnvName::Acrobot => Box::new(acrobot::Acrobot::default()),
            EnvName::Lqr => Box::new(
                lqr::Lqr::new(lqr::LqrSystem::default()).expect("the default system is valid"),
            ),
        }
    }
}

/// Checks a state given by a user: its length and finiteness.
pub(crate) fn check_state(env: &str, names: &[&str], state: &[f64]) -> Result<()> {
    check_vector(
        &format!("{env} state ({})", names.join(", ")),
        state,
        names.len(),
    )
}

/// Checks a continuous action: kind, length and finiteness; returns its values.
pub(crate) fn continuous<'a>(env: &str, action: Action<'a>, dim: usize) -> Result<&'a [f64]> {
    match action {
        Action::Continuous(a) => {
            check_vector(&format!("{env} action"), a, dim)?;
            Ok(a)
        }
        Action::Discrete(i) => Err(Error::InvalidArgument(format!(
            "{env} has continuous actions (a box of dimension {dim}), got the discrete action {i}"
        ))),
    }
}

/// Checks a discrete action: kind and range; returns the index.
pub(crate) fn discrete(env: &str, action: Action<'_>, n: usize) -> Result<usize> {
    match action {
        Action::Discrete(i) if i < n => Ok(i),
        Action::Discrete(i) => Err(Error::InvalidArgument(format!(
            "{env} has the discrete actions 0…{}, got {i}",
            n - 1
        ))),
        Action::Continuous(a) => Err(Error::InvalidArgument(format!(
            "{env} has {n} discrete actions, got the continuous action {a:?}"
        ))),
    }
}

/// A uniform draw from [low, high).
pub(crate) fn uniform(rng: &mut StdRng, low: f64, high: f64) -> f64 {
    use rand::RngExt;
    low + (high - low) * rng.random::<f64>()
}

/// A standard normal draw (Box–Muller).
pub fn standard_normal(rng: &mut StdRng) -> f64 {
    crate::random::standard_normal(rng)
}

/// An environment under the reference's `TimeLimit`: counts steps, reports truncation, and
/// refuses to step past termination.
pub struct Episode {
    /// The environment.
    pub env: Box<dyn Environment>,
    elapsed: usize,
    terminated: bool,
}

/// One step of an [`Episode`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpisodeStep {
    /// The reward.
    pub reward: f64,
    /// A terminal state was reached.
    pub terminated: bool,
    /// The time limit was reached.
    pub truncated: bool,
}

impl Episode {
    /// An episode of `env` from its current state (the time limit counts from here).
    pub fn new(env: Box<dyn Environment>) -> Self {
        Self {
            env,
            elapsed: 0,
            terminated: false,
        }
    }

    /// Resets the environment and the step count.
    pub fn reset(&mut self, rng: &mut StdRng) {
        self.env.reset(rng);
        self.elapsed = 0;
        self.terminated = false;
    }

    /// Steps taken since the start of the episode.
    pub fn elapsed(&self) -> usize {
        self.elapsed
    }

    /// One step; an error after termination.
    pub fn step(&mut self, action: Action<'_>) -> Result<EpisodeStep> {
        if self.terminated {
            return Err(Error::InvalidArgument(format!(
                "{} terminated at step {}; stepping past termination is undefined in the \
                 reference (reset first)",
                self.env.name(),
                self.elapsed
            )));
        }
        let t = self.env.step(action)?;
        self.elapsed += 1;
        self.terminated = t.terminated;
        Ok(EpisodeStep {
            reward: t.reward,
            terminated: t.terminated,
            truncated: self.elapsed >= self.env.time_limit(),
        })
    }
}

/// Rounds to float32 and back: the reference's `np.float32` casts.
#[inline]
pub(crate) fn f32r(x: f64) -> f64 {
    x as f32 as f64
}

/// x², as Python's and NumPy's `x ** 2` computes it: the C library's `pow(x, 2.0)`, which is
/// not always the correctly rounded x·x (glibc's `pow` is accurate to < 1 ulp, not exact; the
/// two differ in the last bit for some x). `black_box` keeps the compiler from replacing the
/// call by a multiplication.
#[inline]
pub(crate) fn pow2(x: f64) -> f64 {
    x.powf(std::hint::black_box(2.0))
}

/// u², as NumPy's float32 `u ** 2` computes it: the C library's `powf(u, 2.0f)`.
#[inline]
pub(crate) fn pow2_f32(u: f32) -> f32 {
    u.powf(std::hint::black_box(2.0))
}
