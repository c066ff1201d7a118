//! Natural policy gradient finds the optimal controller of a linear–quadratic regulator.
//!
//! The LQR is the one control task whose optimal policy is known in closed form: the discounted
//! Riccati equation gives the gain K (u = −Kx) and the optimal cost J*. A Gaussian policy with a
//! linear mean u = Wx + b, trained by natural policy gradient from W = 0 on sampled episodes
//! only, should approach it: its exact cost J(W, b) (a Lyapunov equation) falls towards J*, and
//! −W towards K. Each update moves the policy by a fixed KL divergence δ.

use natflow::rl::env::EnvName;
use natflow::rl::npg::{PgMethod, RlConfig, train_rl};

fn main() -> natflow::Result<()> {
    let cfg = RlConfig {
        steps: 600_000, // 60 updates of 10,000 steps; `natflow rl train --env lqr` runs 300
        ..RlConfig::new(EnvName::Lqr, PgMethod::Npg)
    };
    let run = train_rl(&cfg, &mut |u| {
        if u.update % 10 == 0 {
            println!(
                "update {:>3}: cost of the mean policy {:.3}",
                u.update,
                u.cost.unwrap_or(f64::NAN)
            );
        }
    })?;
    let lqr = run.lqr.expect("an lqr run reports its optimum");
    println!(
        "Riccati optimum J* = {:.3}; the policy went from {:.3} to {:.3} ({:+.2} % from J*)",
        lqr.optimal_cost,
        lqr.initial_cost,
        lqr.final_cost,
        100.0 * (lqr.final_cost / lqr.optimal_cost - 1.0)
    );
    println!("K_opt   = {:.3?}", lqr.K_opt);
    println!("−W      = {:.3?}", lqr.K_final);
    Ok(())
}
