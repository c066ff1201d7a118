//! `Pendulum-v1`: swing a pendulum up and hold it upright with a bounded torque.
//!
//! State (θ, θ̇), θ = 0 upright. With u = clip(a, −2, 2) (float32, the action space's dtype),
//! g = 10, m = l = 1, dt = 0.05:
//!
//! ```text
//! cost  = norm(θ)² + 0.1 θ̇² + 0.001 u²           norm(θ) = ((θ + π) mod 2π) − π
//! θ̇'    = clip(θ̇ + (3g/(2l) sin θ + 3/(ml²) u) dt, −8, 8)
//! θ'    = θ + θ̇' dt                               reward = −cost (of the state before the step)
//! ```
//!
//! Observation (cos θ, sin θ, θ̇) in float32; never terminates; truncated after 200 steps;
//! resets θ ~ U(−π, π), θ̇ ~ U(−1, 1). As `gymnasium/envs/classic_control/pendulum.py`: the
//! terms with u are float32 products (NumPy 2 keeps float32 when a Python float multiplies a
//! float32), everything else float64.

use super::{
    Action, ActionSpace, Environment, Transition, check_state, continuous, f32r, pow2, pow2_f32,
    uniform,
};
use crate::error::Result;
use rand::rngs::StdRng;
use std::f64::consts::PI;

const MAX_SPEED: f64 = 8.0;
const MAX_TORQUE: f32 = 2.0;
const DT: f64 = 0.05;
const G: f64 = 10.0;
const M: f64 = 1.0;
const L: f64 = 1.0;

/// The pendulum.
#[derive(Debug, Clone, Default)]
pub struct Pendulum {
    theta: f64,
    theta_dot: f64,
}

/// ((x + π) mod 2π) − π with Python's floor modulo (the result has the divisor's sign).
fn angle_normalize(x: f64) -> f64 {
    (x + PI).rem_euclid(2.0 * PI) - PI
}

impl Environment for Pendulum {
    fn name(&self) -> &'static str {
        "Pendulum-v1"
    }
    fn state_names(&self) -> Vec<String> {
        vec!["theta".into(), "theta_dot".into()]
    }
    fn observation_dim(&self) -> usize {
        3
    }
    fn action_space(&self) -> ActionSpace {
        ActionSpace::Box {
            low: vec![-f64::from(MAX_TORQUE)],
            high: vec![f64::from(MAX_TORQUE)],
        }
    }
    fn time_limit(&self) -> usize {
        200
    }
    fn state(&self) -> Vec<f64> {
        vec![self.theta, self.theta_dot]
    }
    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        check_state(self.name(), &["theta", "theta_dot"], state)?;
        (self.theta, self.theta_dot) = (state[0], state[1]);
        Ok(())
    }
    fn reset(&mut self, rng: &mut StdRng) {
        self.theta = uniform(rng, -PI, PI);
        self.theta_dot = uniform(rng, -1.0, 1.0);
    }
    fn observe(&self, out: &mut [f64]) {
        out[0] = f32r(self.theta.cos());
        out[1] = f32r(self.theta.sin());
        out[2] = f32r(self.theta_dot);
    }
    fn step(&mut self, action: Action<'_>) -> Result<Transition> {
        let a = continuous(self.name(), action, 1)?;
        let (th, thdot) = (self.theta, self.theta_dot);
        let u = (a[0] as f32).clamp(-MAX_TORQUE, MAX_TORQUE);
        let n = angle_normalize(th);
        let costs = pow2(n) + 0.1 * pow2(thdot) + f64::from(0.001_f32 * pow2_f32(u));
        let torque_term = f64::from((3.0 / (M * L * L)) as f32 * u);
        let new_thdot = thdot + (3.0 * G / (2.0 * L) * th.sin() + torque_term) * DT;
        let new_thdot = new_thdot.clamp(-MAX_SPEED, MAX_SPEED);
        let new_th = th + new_thdot * DT;
        (self.theta, self.theta_dot) = (new_th, new_thdot);
        Ok(Transition {
            reward: -costs,
            terminated: false,
        })
    }
}
