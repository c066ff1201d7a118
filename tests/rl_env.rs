//! The control environments against transitions worked out by hand from their definitions
//! (each environment, with clipping, wrapping, termination and truncation), and the LQR's
//! Riccati optimum and policy costs against closed forms.

use approx::assert_relative_eq;
use nalgebra::{DMatrix, DVector};
use natflow::rl::env::lqr::{Lqr, LqrSystem};
use natflow::rl::env::{Action, EnvName, Environment, Episode};

fn f32r(x: f64) -> f64 {
    x as f32 as f64
}

fn env_at(name: EnvName, state: &[f64]) -> Box<dyn Environment> {
    let mut e = name.make();
    e.set_state(state).unwrap();
    e
}

fn observe(e: &dyn Environment) -> Vec<f64> {
    let mut o = vec![0.0; e.observation_dim()];
    e.observe(&mut o);
    o
}

#[test]
fn pendulum_torque_speed_limit_and_angle_wrap() {
    // At rest upright, torque 1: θ̈ = 3u/(ml²) = 3, so θ̇' = 3·0.05 and θ' = θ̇'·0.05; the cost
    // is only the torque's 0.001·1², in float32.
    let mut e = env_at(EnvName::Pendulum, &[0.0, 0.0]);
    let t = e.step(Action::Continuous(&[1.0])).unwrap();
    assert_eq!(t.reward, -f64::from(0.001_f32));
    assert!(!t.terminated);
    assert_relative_eq!(e.state()[1], 0.15, max_relative = 1e-15);
    assert_relative_eq!(e.state()[0], 0.0075, max_relative = 1e-15);
    let o = observe(e.as_ref());
    assert_eq!(
        o,
        vec![f32r(0.0075f64.cos()), f32r(0.0075f64.sin()), f32r(0.15)]
    );
    // A torque of 5 is clipped to the bound 2.
    let mut clipped = env_at(EnvName::Pendulum, &[0.0, 0.0]);
    clipped.step(Action::Continuous(&[5.0])).unwrap();
    assert_relative_eq!(clipped.state()[1], 0.3, max_relative = 1e-15);
    // The speed is clipped to 8 before the angle moves: θ' = θ + 8·0.05.
    let mut fast = env_at(EnvName::Pendulum, &[0.0, 7.9]);
    fast.step(Action::Continuous(&[2.0])).unwrap();
    assert_eq!(fast.state()[1], 8.0);
    assert_relative_eq!(fast.state()[0], 0.4, max_relative = 1e-15);
    // Hanging down at rest without torque: cost π², and the angle enters the cost wrapped
    // into [−π, π): θ = 0.5 + 2π costs what θ = 0.5 does.
    let mut down = env_at(EnvName::Pendulum, &[std::f64::consts::PI, 0.0]);
    let t = down.step(Action::Continuous(&[0.0])).unwrap();
    assert_relative_eq!(
        t.reward,
        -std::f64::consts::PI.powi(2),
        max_relative = 1e-15
    );
    let mut a = env_at(EnvName::Pendulum, &[0.5, 0.0]);
    let mut b = env_at(EnvName::Pendulum, &[0.5 + 2.0 * std::f64::consts::PI, 0.0]);
    let (ra, rb) = (
        a.step(Action::Continuous(&[0.0])).unwrap().reward,
        b.step(Action::Continuous(&[0.0])).unwrap().reward,
    );
    assert_relative_eq!(ra, -0.25, max_relative = 1e-14);
    assert_relative_eq!(rb, -0.25, max_relative = 1e-14);
}

#[test]
fn pendulum_truncates_after_200_steps_and_never_terminates() {
    let mut ep = Episode::new(env_at(EnvName::Pendulum, &[1.0, 0.0]));
    for k in 1..=201 {
        let s = ep.step(Action::Continuous(&[0.3])).unwrap();
        assert!(!s.terminated);
        assert_eq!(s.truncated, k >= 200, "step {k}");
    }
}

#[test]
fn cartpole_push_from_rest_and_termination() {
    // Upright at rest, push right (F = 10): temp = F/M, θ̈ = −temp/(l(4/3 − m_p/M)),
    // ẍ = temp − m_p l θ̈/M; explicit Euler moves only the velocities.
    let mut e = env_at(EnvName::CartPole, &[0.0; 4]);
    let t = e.step(Action::Discrete(1)).unwrap();
    let (m, mp, l) = (1.1, 0.1, 0.5);
    let temp = 10.0 / m;
    let thetaacc = -temp / (l * (4.0 / 3.0 - mp / m));
    let xacc = temp - mp * l * thetaacc / m;
    let s = e.state();
    assert_eq!((s[0], s[2]), (0.0, 0.0));
    assert_relative_eq!(s[1], 0.02 * xacc, max_relative = 1e-14);
    assert_relative_eq!(s[3], 0.02 * thetaacc, max_relative = 1e-14);
    assert_eq!((t.reward, t.terminated), (1.0, false));
    // Action 0 pushes left: the mirror image.
    let mut left = env_at(EnvName::CartPole, &[0.0; 4]);
    left.step(Action::Discrete(0)).unwrap();
    assert_relative_eq!(left.state()[1], -s[1], max_relative = 1e-15);
    // x = 2.39 moving right at 1: x' = 2.41 > 2.4 terminates, with reward 1.
    let mut edge = Episode::new(env_at(EnvName::CartPole, &[2.39, 1.0, 0.0, 0.0]));
    let t = edge.step(Action::Discrete(1)).unwrap();
    assert!(t.terminated && !t.truncated);
    assert_eq!(t.reward, 1.0);
    let err = edge.step(Action::Discrete(1)).unwrap_err().to_string();
    assert!(err.contains("past termination"), "{err}");
    // The pole past 12°: θ = 0.2 with θ̇ = 1 gives θ' = 0.22 > 12·2π/360 = 0.2094.
    let mut fall = env_at(EnvName::CartPole, &[0.0, 0.0, 0.2, 1.0]);
    assert!(fall.step(Action::Discrete(0)).unwrap().terminated);
    // Only actions 0 and 1 exist.
    assert!(
        env_at(EnvName::CartPole, &[0.0; 4])
            .step(Action::Discrete(2))
            .is_err()
    );
    assert!(
        env_at(EnvName::CartPole, &[0.0; 4])
            .step(Action::Continuous(&[1.0]))
            .is_err()
    );
}

#[test]
fn acrobot_rest_wrap_clip_and_termination() {
    // Hanging at rest without torque it stays at rest (up to cos(−π/2) ≈ 6e-17 in φ).
    let mut e = env_at(EnvName::Acrobot, &[0.0; 4]);
    let t = e.step(Action::Discrete(1)).unwrap();
    assert!(e.state().iter().all(|v| v.abs() < 1e-14), "{:?}", e.state());
    assert_eq!((t.reward, t.terminated), (-1.0, false));
    assert_eq!(observe(e.as_ref())[0], 1.0);
    // Torque +1 on the second joint at rest accelerates θ₂ forward and θ₁ backward:
    // θ̈₂ = τ / (m₂l_c2² + I₂ − d₂²/d₁) > 0 with d₁ = 3.5, d₂ = 1.75 at θ = 0.
    let mut push = env_at(EnvName::Acrobot, &[0.0; 4]);
    push.step(Action::Discrete(2)).unwrap();
    let s = push.state();
    assert!(s[3] > 0.0 && s[2] < 0.0, "{s:?}");
    // Gravity pulls back as the arm moves, so θ̇₂ after 0.2 s stays below 0.2·θ̈₂(0).
    let dd2 = 1.0 / (1.25 - 1.75f64.powi(2) / 3.5);
    assert!(s[3] < 0.2 * dd2, "{s:?}");
    // Wrapping: θ₁ = 3.1 turning at 1 rad/s ends past π and is wrapped to about 3.3 − 2π.
    let mut w = env_at(EnvName::Acrobot, &[3.1, 0.0, 1.0, 0.0]);
    w.step(Action::Discrete(1)).unwrap();
    let th1 = w.state()[0];
    assert!((-std::f64::consts::PI..-2.8).contains(&th1), "{th1}");
    // Clipping: θ̇₁ = 100 is bounded to 4π.
    let mut c = env_at(EnvName::Acrobot, &[0.0, 0.0, 100.0, 0.0]);
    c.step(Action::Discrete(1)).unwrap();
    assert_eq!(c.state()[2], 4.0 * std::f64::consts::PI);
    // Upright (θ₁ = π): −cos θ₁ − cos(θ₂ + θ₁) = 2 > 1, terminal with reward 0.
    let mut up = env_at(EnvName::Acrobot, &[std::f64::consts::PI, 0.0, 0.0, 0.0]);
    let t = up.step(Action::Discrete(1)).unwrap();
    assert_eq!((t.reward, t.terminated), (0.0, true));
}

#[test]
fn mountain_car_slope_walls_goal_and_float32_state() {
    // At p = −0.5 at rest, no force: v' = −0.0025 cos(−1.5) (rounded to float32, the force
    // term being a float32), p' = p + v' in float64 (a set state is float64), then the state
    // is stored in float32.
    let mut e = env_at(EnvName::MountainCarContinuous, &[-0.5, 0.0]);
    let t = e.step(Action::Continuous(&[0.0])).unwrap();
    let v = f64::from(0.0_f32 - (0.0025 * (-1.5f64).cos()) as f32);
    assert_eq!(e.state(), vec![f32r(-0.5 + v), f32r(v)]);
    assert_eq!(observe(e.as_ref()), vec![f32r(-0.5 + v), f32r(v)]);
    assert_eq!((t.reward, t.terminated), (0.0, false));
    // The reward charges the unclipped action, the force is clipped: a = 2 acts as 1.
    let mut two = env_at(EnvName::MountainCarContinuous, &[-0.5, 0.0]);
    let mut one = env_at(EnvName::MountainCarContinuous, &[-0.5, 0.0]);
    let r2 = two.step(Action::Continuous(&[2.0])).unwrap().reward;
    one.step(Action::Continuous(&[1.0])).unwrap();
    assert_eq!(two.state(), one.state());
    assert_relative_eq!(r2, -0.4, max_relative = 1e-15);
    // The left wall stops the car: p clipped to −1.2 and a negative velocity zeroed.
    let mut wall = env_at(EnvName::MountainCarContinuous, &[-1.19, -0.05]);
    wall.step(Action::Continuous(&[-1.0])).unwrap();
    assert_eq!(wall.state(), vec![f32r(-1.2), 0.0]);
    // Speed limit 0.07.
    let mut fast = env_at(EnvName::MountainCarContinuous, &[-0.5, 0.0699]);
    fast.step(Action::Continuous(&[1.0])).unwrap();
    assert_eq!(fast.state()[1], f32r(0.07));
    // Reaching p ≥ 0.45 moving forward ends the episode with 100 − 0.1a².
    let mut goal = env_at(EnvName::MountainCarContinuous, &[0.44, 0.02]);
    let t = goal.step(Action::Continuous(&[0.5])).unwrap();
    assert!(t.terminated);
    assert_relative_eq!(t.reward, 100.0 - 0.025, max_relative = 1e-15);
}

#[test]
fn resets_are_seeded_and_in_the_reference_ranges() {
    use rand::SeedableRng;
    for name in [
        EnvName::Pendulum,
        EnvName::MountainCarContinuous,
        EnvName::CartPole,
        EnvName::Acrobot,
    ] {
        let mut e = name.make();
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut states = vec![];
        for _ in 0..200 {
            e.reset(&mut rng);
            states.push(e.state());
        }
        let bound: &[f64] = match name {
            EnvName::Pendulum => &[std::f64::consts::PI, 1.0],
            EnvName::CartPole => &[0.05; 4],
            EnvName::Acrobot => &[0.1; 4],
            _ => &[],
        };
        for s in &states {
            if name == EnvName::MountainCarContinuous {
                assert!((-0.6..-0.4).contains(&s[0]) && s[1] == 0.0, "{s:?}");
            } else {
                assert!(s.iter().zip(bound).all(|(v, b)| v.abs() <= *b), "{s:?}");
            }
        }
        let mut again = name.make();
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        again.reset(&mut rng);
        assert_eq!(again.state(), states[0]);
    }
}

/// The scalar discounted Riccati equation P = q + γa²P − γ²a²b²P²/(r + γb²P), multiplied out:
/// γb²P² + (r(1 − γa²) − γqb²)P − qr = 0, its positive root.
fn scalar_riccati(a: f64, b: f64, q: f64, r: f64, g: f64) -> f64 {
    let (qa, qb, qc) = (g * b * b, r * (1.0 - g * a * a) - g * q * b * b, -q * r);
    (-qb + (qb * qb - 4.0 * qa * qc).sqrt()) / (2.0 * qa)
}

fn scalar(a: f64, b: f64, q: f64, r: f64, g: f64) -> LqrSystem {
    LqrSystem {
        A: vec![vec![a]],
        B: vec![vec![b]],
        Q: vec![vec![q]],
        R: vec![vec![r]],
        gamma: g,
        x0_cov: vec![vec![2.0]],
        noise_cov: vec![vec![0.3]],
        horizon: 50,
    }
}

#[test]
fn riccati_matches_the_scalar_closed_form_and_the_policy_cost() {
    for (a, b, q, r, g) in [(1.1, 0.5, 1.0, 0.2, 0.95), (0.7, -2.0, 3.0, 1.0, 0.5)] {
        let m = scalar(a, b, q, r, g).matrices().unwrap();
        let sol = m.riccati().unwrap();
        let p = scalar_riccati(a, b, q, r, g);
        assert_relative_eq!(sol.p[(0, 0)], p, max_relative = 1e-12);
        let k = g * a * b * p / (r + g * b * b * p);
        assert_relative_eq!(sol.k[(0, 0)], k, max_relative = 1e-12);
        assert_relative_eq!(
            sol.cost,
            p * 2.0 + g / (1.0 - g) * p * 0.3,
            max_relative = 1e-12
        );
        // The Lyapunov cost of the optimal gain is the Riccati cost; of any other gain, the
        // geometric series (q + rw²)/(1 − γ(a + bw)²) per unit of state variance.
        let opt = m
            .policy_cost(&DMatrix::from_element(1, 1, -k), &DVector::zeros(1))
            .unwrap();
        assert_relative_eq!(opt, sol.cost, max_relative = 1e-10);
        let w = -0.5 * k;
        let pw = (q + r * w * w) / (1.0 - g * (a + b * w).powi(2));
        let cost = m
            .policy_cost(&DMatrix::from_element(1, 1, w), &DVector::zeros(1))
            .unwrap();
        assert_relative_eq!(
            cost,
            pw * 2.0 + g / (1.0 - g) * pw * 0.3,
            max_relative = 1e-10
        );
        assert!(cost > sol.cost);
        // A bias c adds the discounted cost of the constant action's drift: at w = 0 the
        // state mean follows m' = a m + b c, cost Σ γᵗ (q mₜ² + r c²) from m₀ = 0.
        let c = 0.3;
        let (mut mean, mut disc, mut total) = (0.0f64, 1.0, 0.0);
        for _ in 0..5000 {
            total += disc * (q * mean * mean + r * c * c);
            mean = a * mean + b * c;
            disc *= g;
        }
        let p0 = q / (1.0 - g * a * a);
        let with_bias = m.policy_cost(&DMatrix::zeros(1, 1), &DVector::from_element(1, c));
        if g * a * a >= 1.0 {
            // The open loop diverges faster than the discount: infinite cost, an error.
            assert!(with_bias.unwrap_err().to_string().contains("diverges"));
        } else {
            let with_bias = with_bias.unwrap();
            assert_relative_eq!(
                with_bias,
                p0 * 2.0 + g / (1.0 - g) * p0 * 0.3 + total,
                max_relative = 1e-9
            );
        }
    }
}

#[test]
fn lqr_steps_are_linear_with_quadratic_cost() {
    let sys = LqrSystem::default();
    let mut e = Lqr::new(sys.clone()).unwrap();
    let x = [1.0, -0.5, 0.25, 2.0];
    e.set_state(&x).unwrap();
    let u = [0.3, -1.0];
    let t = e.step(Action::Continuous(&u)).unwrap();
    let cost: f64 = x.iter().map(|v| v * v).sum::<f64>() + 0.1 * (0.09 + 1.0);
    assert_relative_eq!(t.reward, -cost, max_relative = 1e-15);
    for i in 0..4 {
        let expect: f64 = (0..4).map(|j| sys.A[i][j] * x[j]).sum::<f64>()
            + (0..2).map(|j| sys.B[i][j] * u[j]).sum::<f64>();
        assert_relative_eq!(e.state()[i], expect, max_relative = 1e-15);
    }
    // Bad systems are refused.
    let mut bad = sys.clone();
    bad.R = vec![vec![0.0, 0.0], vec![0.0, 1.0]];
    assert!(
        bad.matrices()
            .unwrap_err()
            .to_string()
            .contains("positive definite")
    );
    let mut bad = sys;
    bad.gamma = 1.0;
    assert!(bad.matrices().is_err());
}

#[test]
fn bad_states_and_actions_are_errors() {
    let mut e = EnvName::Pendulum.make();
    assert!(e.set_state(&[0.0]).is_err());
    assert!(e.set_state(&[f64::NAN, 0.0]).is_err());
    assert!(e.step(Action::Continuous(&[f64::INFINITY])).is_err());
    assert!(e.step(Action::Continuous(&[1.0, 2.0])).is_err());
    assert!(e.step(Action::Discrete(0)).is_err());
    assert!(
        EnvName::parse("Pendulum-v0")
            .unwrap_err()
            .to_string()
            .contains("Pendulum-v1")
    );
}
