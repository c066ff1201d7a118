//! `MountainCarContinuous-v0`: drive an under-powered car up a hill.
//!
//! State (position, velocity). With the force f = clip(a, −1, 1) (Python's `min(max(a, −1), 1)`
//! on the float32 action), power 0.0015:
//!
//! ```text
//! v' = clip(v + f·power − 0.0025 cos(3p), −0.07, 0.07)
//! p' = clip(p + v', −1.2, 0.6);   v' = 0 if p' = −1.2 and v' < 0
//! terminated = p' ≥ 0.45 and v' ≥ 0;   reward = 100·[terminated] − 0.1 a²  (a unclipped)
//! ```
//!
//! The reference keeps the state as a float32 array after every step (a reset leaves float64
//! values; a state set by the user is taken as such a float64 state), so each step mixes float32
//! and Python floats; this implementation follows NumPy 2's rules (NEP 50) operation by
//! operation: a Python float meeting a float32 is rounded to float32 first and the operation is
//! done in float32 (comparisons included), `math.cos` works in float64, and the clip values
//! enter as Python floats. Truncated after 999 steps; resets p ~ U(−0.6, −0.4), v = 0; the
//! observation is the float32 state.

use super::{Action, ActionSpace, Environment, Transition, check_state, continuous, pow2, uniform};
use crate::error::Result;
use rand::rngs::StdRng;

const MIN_POSITION: f64 = -1.2;
const MAX_POSITION: f64 = 0.6;
const MAX_SPEED: f64 = 0.07;
const GOAL_POSITION: f64 = 0.45;
const POWER: f64 = 0.0015;

/// A number as the reference holds it: a float32 (a NumPy scalar) or a float64 (a Python float
/// or a NumPy float64). Arithmetic follows NEP 50: float32 with float64 gives float32 when the
/// float64 is a Python float (`weak`), else float64.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    F32(f32),
    /// A NumPy float64 (from the float64 state after a reset).
    F64(f64),
    /// A Python float (a literal or a clip value).
    Py(f64),
}

impl Num {
    fn value(self) -> f64 {
        match self {
            Num::F32(x) => f64::from(x),
            Num::F64(x) | Num::Py(x) => x,
        }
    }

    /// self + other.
    fn add(self, other: Num) -> Num {
        match (self, other) {
            (Num::F32(a), Num::F32(b)) => Num::F32(a + b),
            (Num::F32(a), Num::Py(b)) | (Num::Py(b), Num::F32(a)) => Num::F32(a + b as f32),
            (Num::Py(a), Num::Py(b)) => Num::Py(a + b),
            (a, b) => Num::F64(a.value() + b.value()),
        }
    }

    /// self − (Python float) c.
    fn sub_py(self, c: f64) -> Num {
        match self {
            Num::F32(a) => Num::F32(a - c as f32),
            Num::F64(a) => Num::F64(a - c),
            Num::Py(a) => Num::Py(a - c),
        }
    }

    /// self · (Python float) c.
    fn mul_py(self, c: f64) -> Num {
        match self {
            Num::F32(a) => Num::F32(a * c as f32),
            Num::F64(a) => Num::F64(a * c),
            Num::Py(a) => Num::Py(a * c),
        }
    }

    /// self compared with the Python float c (in float32 when self is a float32).
    fn cmp_py(self, c: f64) -> std::cmp::Ordering {
        let (a, c) = match self {
            Num::F32(a) => (f64::from(a), f64::from(c as f32)),
            Num::F64(a) | Num::Py(a) => (a, c),
        };
        a.partial_cmp(&c).expect("finite values")
    }
}

/// The car on the hill.
#[derive(Debug, Clone)]
pub struct MountainCarContinuous {
    position: Num,
    velocity: Num,
}

impl Default for MountainCarContinuous {
    fn default() -> Self {
        Self {
            position: Num::F64(-0.5),
            velocity: Num::F64(0.0),
        }
    }
}

impl Environment for MountainCarContinuous {
    fn name(&self) -> &'static str {
        "MountainCarContinuous-v0"
    }
    fn state_names(&self) -> Vec<String> {
        vec!["position".into(), "velocity".into()]
    }
    fn observation_dim(&self) -> usize {
        2
    }
    fn action_space(&self) -> ActionSpace {
        ActionSpace::Box {
            low: vec![-1.0],
            high: vec![1.0],
        }
    }
    fn time_limit(&self) -> usize {
        999
    }
    fn state(&self) -> Vec<f64> {
        vec![self.position.value(), self.velocity.value()]
    }
    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        check_state(self.name(), &["position", "velocity"], state)?;
        self.position = Num::F64(state[0]);
        self.velocity = Num::F64(state[1]);
        Ok(())
    }
    fn reset(&mut self, rng: &mut StdRng) {
        self.position = Num::F64(uniform(rng, -0.6, -0.4));
        self.velocity = Num::F64(0.0);
    }
    fn observe(&self, out: &mut [f64]) {
        out[0] = f64::from(self.position.value() as f32);
        out[1] = f64::from(self.velocity.value() as f32);
    }
    fn step(&mut self, action: Action<'_>) -> Result<Transition> {
        use std::cmp::Ordering::{Greater, Less};
        let a = continuous(self.name(), action, 1)?[0] as f32;
        let (mut position, mut velocity) = (self.position, self.velocity);
        // force = min(max(a, −1.0), 1.0): the float32 action or a Python float bound.
        let force = if a < -1.0 {
            Num::Py(-1.0)
        } else if a > 1.0 {
            Num::Py(1.0)
        } else {
            Num::F32(a)
        };
        // 3 · position keeps the state's type; math.cos returns a Python float.
        let three_p = match position {
            Num::F32(p) => f64::from(3.0 * p),
            other => 3.0 * other.value(),
        };
        let slope = 0.0025 * three_p.cos();
        velocity = velocity.add(force.mul_py(POWER).sub_py(slope));
        if velocity.cmp_py(MAX_SPEED) == Greater {
            velocity = Num::Py(MAX_SPEED);
        }
        if velocity.cmp_py(-MAX_SPEED) == Less {
            velocity = Num::Py(-MAX_SPEED);
        }
        position = position.add(velocity);
        if position.cmp_py(MAX_POSITION) == Greater {
            position = Num::Py(MAX_POSITION);
        }
        if position.cmp_py(MIN_POSITION) == Less {
            position = Num::Py(MIN_POSITION);
        }
        if position.cmp_py(MIN_POSITION).is_eq() && velocity.cmp_py(0.0) == Less {
            velocity = Num::Py(0.0);
        }
        let terminated = position.cmp_py(GOAL_POSITION) != Less && velocity.cmp_py(0.0) != Less;
        let a64 = f64::from(a);
        let reward = (if terminated { 100.0 } else { 0.0 }) - pow2(a64) * 0.1;
        self.position = Num::F32(position.value() as f32);
        self.velocity = Num::F32(velocity.value() as f32);
        Ok(Transition { reward, terminated })
    }
}
