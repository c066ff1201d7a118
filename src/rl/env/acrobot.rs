//! `Acrobot-v1`: swing the tip of a two-link chain, actuated at the middle joint, above a line.
//!
//! State (θ₁, θ₂, θ̇₁, θ̇₂); actions 0, 1, 2 apply the torque τ = −1, 0, +1 to the second joint.
//! The dynamics ("book" version of Sutton & Barto, m₁ = m₂ = 1, l₁ = 1, l_c1 = l_c2 = 0.5,
//! I₁ = I₂ = 1, g = 9.8):
//!
//! ```text
//! d₁ = m₁l_c1² + m₂(l₁² + l_c2² + 2l₁l_c2 cos θ₂) + I₁ + I₂,   d₂ = m₂(l_c2² + l₁l_c2 cos θ₂) + I₂
//! φ₂ = m₂l_c2 g cos(θ₁ + θ₂ − π/2)
//! φ₁ = −m₂l₁l_c2 θ̇₂² sin θ₂ − 2m₂l₁l_c2 θ̇₂θ̇₁ sin θ₂ + (m₁l_c1 + m₂l₁) g cos(θ₁ − π/2) + φ₂
//! θ̈₂ = (τ + d₂/d₁ φ₁ − m₂l₁l_c2 θ̇₁² sin θ₂ − φ₂) / (m₂l_c2² + I₂ − d₂²/d₁)
//! θ̈₁ = −(d₂θ̈₂ + φ₁)/d₁
//! ```
//!
//! integrated over dt = 0.2 by one classical Runge–Kutta step, then θ₁, θ₂ wrapped into
//! [−π, π] and θ̇₁, θ̇₂ clipped to ±4π, ±9π. Terminates when −cos θ₁ − cos(θ₂ + θ₁) > 1
//! (reward 0, else −1); truncated after 500 steps; observation
//! (cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂) in float32; resets every coordinate
//! ~ U(−0.1, 0.1), rounded to float32 as the reference does. As
//! `gymnasium/envs/classic_control/acrobot.py`, in float64 after the reset.

use super::{
    Action, ActionSpace, Environment, Transition, check_state, discrete, f32r, pow2, uniform,
};
use crate::error::Result;
use rand::rngs::StdRng;
use std::f64::consts::PI;

const DT: f64 = 0.2;
const LINK_LENGTH_1: f64 = 1.0;
const LINK_MASS_1: f64 = 1.0;
const LINK_MASS_2: f64 = 1.0;
const LINK_COM_POS_1: f64 = 0.5;
const LINK_COM_POS_2: f64 = 0.5;
const LINK_MOI: f64 = 1.0;
const MAX_VEL_1: f64 = 4.0 * PI;
const MAX_VEL_2: f64 = 9.0 * PI;
const AVAIL_TORQUE: [f64; 3] = [-1.0, 0.0, 1.0];

/// The two-link arm.
#[derive(Debug, Clone, Default)]
pub struct Acrobot {
    s: [f64; 4],
}

/// The time derivative of the state augmented with the torque (whose derivative is 0).
fn dsdt(s: &[f64; 5]) -> [f64; 5] {
    let (m1, m2, l1, lc1, lc2) = (
        LINK_MASS_1,
        LINK_MASS_2,
        LINK_LENGTH_1,
        LINK_COM_POS_1,
        LINK_COM_POS_2,
    );
    let (i1, i2, g) = (LINK_MOI, LINK_MOI, 9.8);
    let [theta1, theta2, dtheta1, dtheta2, a] = *s;
    let d1 = m1 * pow2(lc1) + m2 * (pow2(l1) + pow2(lc2) + 2.0 * l1 * lc2 * theta2.cos()) + i1 + i2;
    let d2 = m2 * (pow2(lc2) + l1 * lc2 * theta2.cos()) + i2;
    let phi2 = m2 * lc2 * g * (theta1 + theta2 - PI / 2.0).cos();
    let phi1 = -m2 * l1 * lc2 * pow2(dtheta2) * theta2.sin()
        - 2.0 * m2 * l1 * lc2 * dtheta2 * dtheta1 * theta2.sin()
        + (m1 * lc1 + m2 * l1) * g * (theta1 - PI / 2.0).cos()
        + phi2;
    let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * pow2(dtheta1) * theta2.sin() - phi2)
        / (m2 * pow2(lc2) + i2 - pow2(d2) / d1);
    let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    [dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0]
}

/// y + c·k, elementwise.
fn axpy(y: &[f64; 5], c: f64, k: &[f64; 5]) -> [f64; 5] {
    std::array::from_fn(|i| y[i] + c * k[i])
}

/// Wraps x into [m, M] by whole periods M − m.
fn wrap(mut x: f64, m: f64, big_m: f64) -> f64 {
    let diff = big_m - m;
    while x > big_m {
        x -= diff;
    }
    while x < m {
        x += diff;
    }
    x
}

impl Environment for Acrobot {
    fn name(&self) -> &'static str {
        "Acrobot-v1"
    }
    fn state_names(&self) -> Vec<String> {
        ["theta1", "theta2", "theta1_dot", "theta2_dot"]
            .map(String::from)
            .to_vec()
    }
    fn observation_dim(&self) -> usize {
        6
    }
    fn action_space(&self) -> ActionSpace {
        ActionSpace::Discrete(3)
    }
    fn time_limit(&self) -> usize {
        500
    }
    fn state(&self) -> Vec<f64> {
        self.s.to_vec()
    }
    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        check_state(
            self.name(),
            &["theta1", "theta2", "theta1_dot", "theta2_dot"],
            state,
        )?;
        self.s.copy_from_slice(state);
        Ok(())
    }
    fn reset(&mut self, rng: &mut StdRng) {
        for s in &mut self.s {
            *s = f32r(uniform(rng, -0.1, 0.1));
        }
    }
    fn observe(&self, out: &mut [f64]) {
        let s = &self.s;
        let o = [s[0].cos(), s[0].sin(), s[1].cos(), s[1].sin(), s[2], s[3]];
        for (out, o) in out.iter_mut().zip(o) {
            *out = f32r(o);
        }
    }
    fn step(&mut self, action: Action<'_>) -> Result<Transition> {
        let a = discrete(self.name(), action, 3)?;
        let y0 = [self.s[0], self.s[1], self.s[2], self.s[3], AVAIL_TORQUE[a]];
        // One step of the reference's rk4 over t = [0, dt].
        let dt = DT - 0.0;
        let dt2 = dt / 2.0;
        let k1 = dsdt(&y0);
        let k2 = dsdt(&axpy(&y0, dt2, &k1));
        let k3 = dsdt(&axpy(&y0, dt2, &k2));
        let k4 = dsdt(&axpy(&y0, dt, &k3));
        let c = dt / 6.0;
        let ns: [f64; 5] =
            std::array::from_fn(|i| y0[i] + c * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]));
        self.s = [
            wrap(ns[0], -PI, PI),
            wrap(ns[1], -PI, PI),
            ns[2].clamp(-MAX_VEL_1, MAX_VEL_1),
            ns[3].clamp(-MAX_VEL_2, MAX_VEL_2),
        ];
        let s = &self.s;
        let terminated = -s[0].cos() - (s[1] + s[0]).cos() > 1.0;
        Ok(Transition {
            reward: if terminated { 0.0 } else { -1.0 },
            terminated,
        })
    }
}
