//! Natural policy gradient end to end on tiny networks: GAE against a hand-computed episode,
//! the trust radius respected by every method (measured KL ≤ 1.5δ; the natural step's KL
//! within a factor 2 of δ without backtracking), the products each method uses, seeded runs
//! identical, and learning on the LQR measured by its exact policy cost.

use approx::assert_relative_eq;
use natflow::rl::env::EnvName;
use natflow::rl::gae::{StepEnd, gae};
use natflow::rl::npg::{PgMethod, RlConfig, RlRun, train_rl};

#[test]
fn gae_matches_a_hand_computed_episode() {
    // γ = 0.9, λ = 0.8: δ₂ = 3 − 0.3, δ₁ = 2 + 0.9·0.3 − 0.4, δ₀ = 1 + 0.9·0.4 − 0.5;
    // A₂ = δ₂, A₁ = δ₁ + 0.72 A₂, A₀ = δ₀ + 0.72 A₁ (a terminal state ends the episode).
    let (adv, ret) = gae(
        &[1.0, 2.0, 3.0],
        &[0.5, 0.4, 0.3],
        &[StepEnd::Continues, StepEnd::Continues, StepEnd::Terminal],
        0.9,
        0.8,
    )
    .unwrap();
    let a2 = 2.7;
    let a1 = 1.87 + 0.72 * a2;
    let a0 = 0.86 + 0.72 * a1;
    for (got, want) in adv.iter().zip([a0, a1, a2]) {
        assert_relative_eq!(*got, want, max_relative = 1e-14);
    }
    assert_relative_eq!(ret[0], a0 + 0.5, max_relative = 1e-14);
    // A truncated episode bootstraps from the value of the state it was cut in, and a new
    // episode after it does not leak into it.
    let (adv, _) = gae(
        &[1.0, 5.0, 2.0],
        &[0.5, 1.0, 0.2],
        &[
            StepEnd::Truncated(4.0),
            StepEnd::Continues,
            StepEnd::Terminal,
        ],
        0.9,
        0.8,
    )
    .unwrap();
    assert_relative_eq!(adv[0], 1.0 + 0.9 * 4.0 - 0.5, max_relative = 1e-14);
    assert_relative_eq!(adv[2], 2.0 - 0.2, max_relative = 1e-14);
    assert_relative_eq!(
        adv[1],
        5.0 + 0.9 * 0.2 - 1.0 + 0.72 * 1.8,
        max_relative = 1e-14
    );
    assert!(gae(&[1.0], &[0.0], &[StepEnd::Continues], 0.9, 0.8).is_err());
}

fn tiny(env: EnvName, method: PgMethod, updates: usize) -> RlConfig {
    RlConfig {
        steps: 400 * updates,
        batch_steps: 400,
        policy_hidden: if env == EnvName::Lqr { vec![] } else { vec![8] },
        value_hidden: vec![8],
        seed: 3,
        ..RlConfig::new(env, method)
    }
}

fn run(cfg: &RlConfig) -> RlRun {
    train_rl(cfg, &mut |_| {}).unwrap()
}

#[test]
fn every_method_respects_the_trust_radius_and_uses_its_products() {
    for env in [EnvName::CartPole, EnvName::Pendulum] {
        for method in PgMethod::ALL {
            let cfg = tiny(env, method, 3);
            let r = run(&cfg);
            assert_eq!(r.history.len(), 3);
            for (i, u) in r.history.iter().enumerate() {
                assert!(
                    u.kl > 0.0 && u.kl <= 1.5 * cfg.delta,
                    "{} {} update {}: KL {} for δ {}",
                    env.name(),
                    method.name(),
                    i + 1,
                    u.kl,
                    cfg.delta
                );
                assert_eq!(u.timesteps, 400 * (i + 1));
                // The plain natural steps land on the trust radius by the quadratic model
                // ½sᵀFs = δ alone: the measured KL is δ up to higher-order terms.
                if matches!(method, PgMethod::Npg | PgMethod::GeoF) {
                    assert_eq!(u.kl_backtracks, 0);
                    assert!(u.kl >= 0.5 * cfg.delta, "{method:?}: KL {}", u.kl);
                }
                let p = u.products;
                let (score, connection) = match method {
                    PgMethod::Npg => (1, 0),
                    PgMethod::Mid => (2, 0),
                    PgMethod::Geo => (1, 1),
                    PgMethod::GeoF => (1, usize::from(i > 0)),
                };
                assert_eq!((p.score, p.connection), (score, connection), "{method:?}");
                // CG products plus one xᵀFx per step size.
                assert!(p.fisher_vector > u.cg_iterations, "{p:?}");
            }
        }
    }
}

#[test]
fn seeded_runs_are_identical() {
    let cfg = tiny(EnvName::Acrobot, PgMethod::GeoF, 2);
    let (a, b) = (run(&cfg), run(&cfg));
    assert_eq!(a.theta, b.theta);
    let strip = |r: &RlRun| -> Vec<(Option<f64>, f64)> {
        r.history.iter().map(|u| (u.mean_return, u.kl)).collect()
    };
    assert_eq!(strip(&a), strip(&b));
    let other = run(&RlConfig { seed: 4, ..cfg });
    assert_ne!(other.theta, a.theta);
}

#[test]
fn npg_lowers_the_exact_lqr_cost() {
    // A linear policy from W = 0 (cost ≈ 200 on the default system, J* ≈ 34): fifteen
    // updates of 2,500 steps at δ = 0.01 lower the mean policy's exact cost by over 15 %.
    let cfg = RlConfig {
        steps: 15 * 2500,
        batch_steps: 2500,
        delta: 0.01,
        ..RlConfig::new(EnvName::Lqr, PgMethod::Npg)
    };
    let r = run(&cfg);
    let lqr = r.lqr.as_ref().unwrap();
    assert!(lqr.optimal_cost < lqr.final_cost);
    assert!(
        lqr.final_cost < 0.85 * lqr.initial_cost,
        "cost {} → {}",
        lqr.initial_cost,
        lqr.final_cost
    );
    assert_eq!(r.history.last().unwrap().cost, Some(lqr.final_cost));
}

#[test]
fn the_geodesic_step_size_puts_the_whole_step_on_the_trust_radius() {
    use natflow::rl::npg::geodesic_step_size;
    // y = 0: the plain natural step, h = √(2δ/a).
    assert_relative_eq!(
        geodesic_step_size(4.0, 0.0, 0.0, 0.01),
        (0.02f64 / 4.0).sqrt(),
        max_relative = 1e-12
    );
    for (a, b, c) in [(2.0, 1.5, 3.0), (1.0, -2.0, 0.5), (0.3, 4.0, 60.0)] {
        let h = geodesic_step_size(a, b, c, 0.01);
        let q = 0.5 * h * h * (a - h * b + 0.25 * h * h * c);
        assert_relative_eq!(q, 0.01, max_relative = 1e-10);
        // The smallest positive root: q < δ everywhere before h.
        assert!((1..1000).all(|k| {
            let t = h * k as f64 / 1000.0;
            0.5 * t * t * (a - t * b + 0.25 * t * t * c) < 0.01
        }));
    }
}

#[test]
fn bad_settings_are_refused() {
    let good = tiny(EnvName::CartPole, PgMethod::Npg, 1);
    for bad in [
        RlConfig {
            steps: 10,
            ..good.clone()
        },
        RlConfig {
            delta: 0.0,
            ..good.clone()
        },
        RlConfig {
            alpha: f64::NAN,
            ..good.clone()
        },
        RlConfig {
            gamma: 1.0,
            ..good.clone()
        },
    ] {
        assert!(train_rl(&bad, &mut |_| {}).is_err());
    }
    assert!(
        PgMethod::parse("trpo")
            .unwrap_err()
            .to_string()
            .contains("geo-f")
    );
}
