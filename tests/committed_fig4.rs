//! The committed reinforcement-learning results (`figures/fig4.json`, `figures/fig4_lqr.json`)
//! are what the current code computes — checked on the first updates of two runs, recomputed
//! here (whole runs take minutes) — and the numbers `paper_repro/README.md` quotes from them are
//! what the files hold. Regenerate with `natflow fig4` and
//! `natflow fig4 --envs lqr --seeds 3` (then rename to `fig4_lqr.*`) when a change moves them.

use natflow::experiments::fig4::{Fig4Env, Fig4Record, run_config};
use natflow::rl::env::EnvName;
use natflow::rl::npg::{PgMethod, train_rl};

fn committed(name: &str) -> Fig4Record {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("figures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn env(rec: &Fig4Record, name: EnvName) -> &Fig4Env {
    rec.envs.iter().find(|e| e.env == name).unwrap()
}

/// A run's first `updates` updates recomputed equal the committed ones.
fn prefix_is_current(rec: &Fig4Record, name: EnvName, method: PgMethod, seed: u64, updates: usize) {
    let mut cfg = run_config(&rec.config, name, method, seed);
    cfg.steps = updates * cfg.batch_steps;
    let now = train_rl(&cfg, &mut |_| {}).unwrap();
    let file = env(rec, name)
        .runs
        .iter()
        .find(|r| r.method == method && r.seed == seed)
        .unwrap();
    for (i, u) in now.history.iter().enumerate() {
        assert_eq!(
            u.mean_return,
            file.mean_return[i],
            "{name:?} {method:?} update {}",
            i + 1
        );
        assert_eq!(u.kl, file.kl[i]);
        if let Some(c) = &file.cost {
            assert_eq!(u.cost, Some(c[i]));
        }
    }
}

#[test]
fn committed_fig4_runs_are_current() {
    prefix_is_current(
        &committed("fig4.json"),
        EnvName::Pendulum,
        PgMethod::Mid,
        1,
        6,
    );
    prefix_is_current(
        &committed("fig4.json"),
        EnvName::Acrobot,
        PgMethod::GeoF,
        0,
        4,
    );
    prefix_is_current(
        &committed("fig4_lqr.json"),
        EnvName::Lqr,
        PgMethod::Geo,
        2,
        6,
    );
}

/// The first timestep (in thousands) at which each seed's mean return reaches `level`.
fn first_reach(e: &Fig4Env, method: PgMethod, level: f64) -> Vec<Option<usize>> {
    e.runs
        .iter()
        .filter(|r| r.method == method)
        .map(|r| {
            r.mean_return
                .iter()
                .position(|v| v.is_some_and(|v| v >= level))
                .map(|i| r.timesteps[i] / 1000)
        })
        .collect()
}

/// Each seed's mean return over the run, sorted, rounded.
fn area(e: &Fig4Env, method: PgMethod) -> Vec<i64> {
    let mut v: Vec<i64> = e
        .runs
        .iter()
        .filter(|r| r.method == method)
        .map(|r| {
            let vals: Vec<f64> = r.mean_return.iter().flatten().copied().collect();
            (vals.iter().sum::<f64>() / vals.len() as f64).round() as i64
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_documented_fig4_numbers_are_the_committed_ones() {
    use PgMethod::{Geo, GeoF, Mid, Npg};
    let rec = committed("fig4.json");
    let p = env(&rec, EnvName::Pendulum);
    assert_eq!(first_reach(p, Npg, -400.0), [45, 45, 42, 37, 45].map(Some));
    assert_eq!(first_reach(p, Mid, -400.0), [45, 35, 37, 35, 37].map(Some));
    assert_eq!(first_reach(p, Geo, -400.0), [42, 37, 37, 37, 35].map(Some));
    assert_eq!(first_reach(p, GeoF, -400.0), [52, 40, 40, 40, 45].map(Some));
    assert_eq!(area(p, Npg), [-510, -499, -491, -462, -452]);
    assert_eq!(area(p, Mid), [-472, -436, -424, -412, -412]);
    assert_eq!(area(p, Geo), [-456, -453, -431, -429, -428]);
    assert_eq!(area(p, GeoF), [-520, -497, -480, -453, -443]);
    let c = env(&rec, EnvName::CartPole);
    assert_eq!(first_reach(c, Npg, 475.0), [32, 25, 22, 17, 22].map(Some));
    assert_eq!(first_reach(c, Mid, 475.0), [25, 25, 25, 20, 25].map(Some));
    assert_eq!(first_reach(c, Geo, 475.0), [27, 25, 22, 22, 20].map(Some));
    assert_eq!(first_reach(c, GeoF, 475.0), [25, 30, 27, 20, 25].map(Some));
    assert_eq!(area(c, Npg), [406, 414, 422, 422, 435]);
    assert_eq!(area(c, Mid), [415, 420, 424, 425, 425]);
    assert_eq!(area(c, Geo), [407, 418, 420, 426, 436]);
    assert_eq!(area(c, GeoF), [419, 423, 423, 428, 433]);
    let a = env(&rec, EnvName::Acrobot);
    assert_eq!(first_reach(a, Npg, -150.0), [40, 127, 47, 27, 67].map(Some));
    assert_eq!(
        first_reach(a, Mid, -150.0),
        [Some(40), None, Some(45), Some(42), Some(47)]
    );
    assert_eq!(first_reach(a, Geo, -150.0), [62, 42, 47, 40, 57].map(Some));
    assert_eq!(first_reach(a, GeoF, -150.0), [32, 40, 47, 27, 57].map(Some));
    assert_eq!(area(a, Npg), [-284, -208, -168, -144, -123]);
    assert_eq!(area(a, Mid), [-500, -176, -153, -151, -141]);
    assert_eq!(area(a, Geo), [-182, -167, -155, -147, -146]);
    assert_eq!(area(a, GeoF), [-182, -165, -145, -130, -120]);
    let m = env(&rec, EnvName::MountainCarContinuous);
    for (method, goals) in [(Npg, 1), (Mid, 0), (Geo, 1), (GeoF, 1)] {
        let reached = first_reach(m, method, 50.0).iter().flatten().count();
        assert_eq!(reached, goals, "{method:?}");
    }
}

#[test]
fn the_documented_lqr_numbers_are_the_committed_ones() {
    let rec = committed("fig4_lqr.json");
    let e = env(&rec, EnvName::Lqr);
    let opt = e.optimal_cost.unwrap();
    assert!((opt - 34.158).abs() < 5e-4, "{opt}");
    let within = |c: &f64| *c <= 1.01 * opt;
    for (method, first, stays) in [
        (PgMethod::Npg, [166, 142, 94], [203, 146, 123]),
        (PgMethod::Mid, [68, 139, 112], [222, 146, 148]),
        (PgMethod::Geo, [166, 142, 96], [214, 146, 105]),
        (PgMethod::GeoF, [167, 142, 106], [214, 142, 106]),
    ] {
        for (s, r) in e.runs.iter().filter(|r| r.method == method).enumerate() {
            let cost = r.cost.as_ref().unwrap();
            assert_eq!(
                cost.iter().position(within).map(|i| i + 1),
                Some(first[s]),
                "{method:?} seed {s}"
            );
            let from = (0..cost.len())
                .find(|&i| cost[i..].iter().all(within))
                .map(|i| i + 1);
            assert_eq!(from, Some(stays[s]), "{method:?} seed {s}");
            let excess = cost.last().unwrap() / opt - 1.0;
            assert!(
                (0.0010..0.0083).contains(&excess),
                "{method:?} seed {s}: {excess}"
            );
        }
    }
}
