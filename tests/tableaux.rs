//! Butcher tableaux: the order computed from the order conditions is exactly the claimed one,
//! and the measured convergence slope on an ODE with a known solution agrees.

use nalgebra::DVector;
use natflow::integrators::{RkStepper, Tableau, order_of, rooted_trees};

#[test]
fn tree_counts_match_the_known_sequence() {
    // Number of rooted trees with n vertices, OEIS A000081.
    let want = [1, 1, 2, 4, 9, 20, 48, 115];
    for (n, &w) in (1..=8).zip(&want) {
        let trees = rooted_trees(n);
        assert_eq!(trees.len(), w, "order {n}");
        assert!(trees.iter().all(|t| t.order() == n));
        let mut dedup = trees.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), trees.len(), "duplicates at order {n}");
    }
    // γ of the tall tree of order 4 [[[•]]] is 4·3·2·1 = 24; of the bushy tree [•••] it is 4.
    let gammas: Vec<f64> = rooted_trees(4).iter().map(|t| t.density()).collect();
    assert!(gammas.contains(&24.0) && gammas.contains(&4.0));
}

fn claimed() -> Vec<(Tableau, usize)> {
    vec![
        (Tableau::euler(), 1),
        (Tableau::midpoint(), 2),
        (Tableau::heun(), 2),
        (Tableau::ralston(), 2),
        (Tableau::kutta3(), 3),
        (Tableau::ssprk3(), 3),
        (Tableau::rk4(), 4),
        (Tableau::rk38(), 4),
        (Tableau::dopri5(), 5),
    ]
}

#[test]
fn every_named_tableau_has_exactly_its_order() {
    for (tab, p) in claimed() {
        // All conditions up to p hold …
        for q in 1..=p {
            for t in rooted_trees(q) {
                assert!(
                    t.residual(&tab).abs() < 1e-13,
                    "{}: tree {} fails",
                    tab.name,
                    t.notation()
                );
            }
        }
        // … and at least one at p + 1 fails.
        assert!(
            rooted_trees(p + 1)
                .iter()
                .any(|t| t.residual(&tab).abs() > 1e-6),
            "{} satisfies all order-{} conditions",
            tab.name,
            p + 1
        );
        assert_eq!(order_of(&tab, 8), p, "{}", tab.name);
    }
    assert_eq!(
        Tableau::all().len(),
        claimed().len(),
        "every named tableau is checked"
    );
}

/// y = (u, p, q) with u' = −u² (so u(t) = 1/(1+t) from u(0) = 1) and (p, q) rotating at the
/// u-dependent rate 1 + u/2: a nonlinear, coupled system with a closed-form solution.
fn field(y: &[f64], out: &mut [f64]) -> natflow::Result<()> {
    out[0] = -y[0] * y[0];
    out[1] = -y[2] * (1.0 + 0.5 * y[0]);
    out[2] = y[1] * (1.0 + 0.5 * y[0]);
    Ok(())
}

fn exact(t: f64) -> DVector<f64> {
    // θ(t) = ∫ (1 + 0.5/(1+s)) ds = t + 0.5 ln(1+t).
    let th = t + 0.5 * (1.0 + t).ln();
    DVector::from_vec(vec![1.0 / (1.0 + t), th.cos(), th.sin()])
}

fn global_error(tab: &Tableau, n: usize) -> f64 {
    let mut st = RkStepper::new(tab.clone(), 3);
    let mut y = exact(0.0);
    let mut next = y.clone();
    let h = 1.0 / n as f64;
    for _ in 0..n {
        st.step(&mut field, y.as_slice(), next.as_mut_slice(), h)
            .unwrap();
        y.copy_from(&next);
    }
    (y - exact(1.0)).norm()
}

#[test]
fn measured_convergence_slopes_match_the_orders() {
    for (tab, p) in claimed() {
        // Step counts chosen so that the errors stay well above rounding for every order.
        let ns: Vec<usize> = match p {
            1 | 2 => vec![16, 32, 64, 128],
            3 | 4 => vec![8, 16, 32, 64],
            _ => vec![4, 8, 16, 32],
        };
        let errs: Vec<f64> = ns.iter().map(|&n| global_error(&tab, n)).collect();
        let k = errs.len() - 1;
        let slope = (errs[k - 1] / errs[k]).log2();
        assert!(
            (slope - p as f64).abs() < 0.15,
            "{}: slope {slope} vs order {p} (errors {errs:?})",
            tab.name
        );
    }
}

#[test]
fn a_state_of_the_wrong_dimension_is_a_typed_error() {
    let mut st = RkStepper::new(Tableau::rk4(), 3);
    // A short state, then a short output buffer.
    let (mut out, mut short) = ([0.0; 3], [0.0; 2]);
    let cases: [(&[f64], &mut [f64]); 2] =
        [(&[1.0, 0.0], &mut out), (&[1.0, 0.0, 0.0], &mut short)];
    for (y, out) in cases {
        let e = st.step(&mut field, y, out, 0.1).unwrap_err();
        let ok = matches!(
            e,
            natflow::Error::Dimension {
                expected: 3,
                got: 2,
                ..
            }
        );
        assert!(ok, "{e}");
    }
}

#[test]
fn malformed_tableaux_are_refused() {
    assert!(Tableau::new("x", "", vec![vec![], vec![0.5, 0.5]], vec![0.5, 0.5]).is_err());
    assert!(Tableau::new("x", "", vec![vec![]], vec![0.5, 0.5]).is_err());
    assert!(Tableau::new("x", "", vec![vec![], vec![f64::NAN]], vec![0.5, 0.5]).is_err());
    assert!(Tableau::new("x", "", vec![], vec![]).is_err());
    assert!(Tableau::by_name("rk17").is_err());
    // A user-built tableau: Heun's third-order method (Heun 1900), order computed as 3.
    let heun3 = Tableau::new(
        "heun3",
        "Heun (1900)",
        vec![vec![], vec![1.0 / 3.0], vec![0.0, 2.0 / 3.0]],
        vec![0.25, 0.0, 0.75],
    )
    .unwrap();
    assert_eq!(order_of(&heun3, 6), 3);
}
