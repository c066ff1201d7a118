//! `CartPole-v1`: balance a pole on a cart by pushing it left or right.
//!
//! State (x, ẋ, θ, θ̇); action 0 pushes with F = −10, action 1 with F = +10. With g = 9.8,
//! m_c = 1, m_p = 0.1, M = m_c + m_p, half-length l = 0.5, τ = 0.02 (Barto, Sutton & Anderson
//! 1983, as Florian 2007 corrects them):
//!
//! ```text
//! temp = (F + m_p l θ̇² sin θ) / M
//! θ̈    = (g sin θ − cos θ · temp) / (l (4/3 − m_p cos²θ / M))
//! ẍ    = temp − m_p l θ̈ cos θ / M
//! x' = x + τẋ,  ẋ' = ẋ + τẍ,  θ' = θ + τθ̇,  θ̇' = θ̇ + τθ̈      (explicit Euler)
//! ```
//!
//! Terminates when |x'| > 2.4 or |θ'| > 12° (reward 1 on every step, the terminating one
//! included); truncated after 500 steps; observation the state in float32; resets every
//! coordinate ~ U(−0.05, 0.05). As `gymnasium/envs/classic_control/cartpole.py`, in float64.

use super::{
    Action, ActionSpace, Environment, Transition, check_state, discrete, f32r, pow2, uniform,
};
use crate::error::Result;
use rand::rngs::StdRng;

const GRAVITY: f64 = 9.8;
const MASSCART: f64 = 1.0;
const MASSPOLE: f64 = 0.1;
const TOTAL_MASS: f64 = MASSPOLE + MASSCART;
const LENGTH: f64 = 0.5;
const POLEMASS_LENGTH: f64 = MASSPOLE * LENGTH;
const FORCE_MAG: f64 = 10.0;
const TAU: f64 = 0.02;
const X_THRESHOLD: f64 = 2.4;

/// The angle (radians) past which the episode fails: 12 · 2π / 360.
pub fn theta_threshold() -> f64 {
    12.0 * 2.0 * std::f64::consts::PI / 360.0
}

/// The cart and pole.
#[derive(Debug, Clone, Default)]
pub struct CartPole {
    s: [f64; 4],
}

impl Environment for CartPole {
    fn name(&self) -> &'static str {
        "CartPole-v1"
    }
    fn state_names(&self) -> Vec<String> {
        ["x", "x_dot", "theta", "theta_dot"]
            .map(String::from)
            .to_vec()
    }
    fn observation_dim(&self) -> usize {
        4
    }
    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete(2)
    }
    fn time_limit(&self) -> usize {
        500
    }
    fn state(&self) -> Vec<f64> {
        self.s.to_vec()
    }
    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        check_state(self.name(), &["x", "x_dot", "theta", "theta_dot"], state)?;
        self.s.copy_from_slice(state);
        Ok(())
    }
    fn reset(&mut self, rng: &mut StdRng) {
        for s in &mut self.s {
            *s = uniform(rng, -0.05, 0.05);
        }
    }
    fn observe(&self, out: &mut [f64]) {
        for (o, s) in out.iter_mut().zip(&self.s) {
            *o = f32r(*s);
        }
    }
    fn step(&mut self, action: Action<'_>) -> Result<Transition> {
        let a = discrete(self.name(), action, 2)?;
        let [x, x_dot, theta, theta_dot] = self.s;
        let force = if a == 1 { FORCE_MAG } else { -FORCE_MAG };
        let (costheta, sintheta) = (theta.cos(), theta.sin());
        let temp = (force + POLEMASS_LENGTH * pow2(theta_dot) * sintheta) / TOTAL_MASS;
        let thetaacc = (GRAVITY * sintheta - costheta * temp)
            / (LENGTH * (4.0 / 3.0 - MASSPOLE * pow2(costheta) / TOTAL_MASS));
        let xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS;
        let x = x + TAU * x_dot;
        let x_dot = x_dot + TAU * xacc;
        let theta = theta + TAU * theta_dot;
        let theta_dot = theta_dot + TAU * thetaacc;
        self.s = [x, x_dot, theta, theta_dot];
        let limit = theta_threshold();
        // Written as the reference compares (NaN-free states make it equal to a range test).
        #[allow(clippy::manual_range_contains)]
        let terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -limit || theta > limit;
        Ok(Transition {
            reward: 1.0,
            terminated,
        })
    }
}
