//! Order conditions of Runge–Kutta methods by rooted trees (Butcher 1963; Hairer, Nørsett &
//! Wanner, *Solving ODEs I*, §II.2).
//!
//! A method has order p iff for every rooted tree t with |t| ≤ p
//!
//! ```text
//! Σᵢ bᵢ Φᵢ(t) = 1/γ(t),
//! ```
//!
//! where, for t = [t₁, …, t_m] (a root with subtrees tₖ), the elementary weight is
//! Φᵢ(t) = Πₖ (Σⱼ a_ij Φⱼ(tₖ)) (Φᵢ(•) = 1) and the density is γ(t) = |t|·Πₖ γ(tₖ).
//! Trees are generated, not tabulated: 1, 1, 2, 4, 9, 20, 48, 115 of orders 1…8.

use super::Tableau;

/// A rooted tree as the sorted list of its root's subtrees (canonical form, so equal trees are
/// equal values).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RootedTree(pub Vec<RootedTree>);

impl RootedTree {
    /// Number of vertices |t|.
    pub fn order(&self) -> usize {
        1 + self.0.iter().map(RootedTree::order).sum::<usize>()
    }

    /// Density γ(t) = |t| Πₖ γ(tₖ).
    pub fn density(&self) -> f64 {
        self.order() as f64 * self.0.iter().map(RootedTree::density).product::<f64>()
    }

    /// Elementary weights Φᵢ(t) of the tableau, one per stage.
    pub fn elementary_weights(&self, tab: &Tableau) -> Vec<f64> {
        let s = tab.stages();
        let mut phi = vec![1.0; s];
        for child in &self.0 {
            let pc = child.elementary_weights(tab);
            for (i, p) in phi.iter_mut().enumerate() {
                *p *= tab.a[i].iter().zip(&pc).map(|(a, x)| a * x).sum::<f64>();
            }
        }
        phi
    }

    /// The residual Σ bᵢ Φᵢ(t) − 1/γ(t).
    pub fn residual(&self, tab: &Tableau) -> f64 {
        let phi = self.elementary_weights(tab);
        tab.b.iter().zip(&phi).map(|(b, p)| b * p).sum::<f64>() - 1.0 / self.density()
    }

    /// Bracket notation, e.g. `[[•]•]`.
    pub fn notation(&self) -> String {
        if self.0.is_empty() {
            "•".into()
        } else {
            format!(
                "[{}]",
                self.0.iter().map(RootedTree::notation).collect::<String>()
            )
        }
    }
}

/// All rooted trees with exactly `n` vertices, each once.
pub fn rooted_trees(n: usize) -> Vec<RootedTree> {
    let mut by_order: Vec<Vec<RootedTree>> = vec![vec![]];
    for m in 1..=n {
        // Trees of order m: a root with a multiset of subtrees whose orders sum to m − 1.
        let mut out = Vec::new();
        let mut children = Vec::new();
        forests(m - 1, m - 1, 0, &by_order, &mut children, &mut out);
        out.sort();
        by_order.push(out);
    }
    by_order.swap_remove(n)
}

/// Pushes to `out` every tree whose root has the subtrees in `children` plus a multiset of
/// subtrees with total order `remaining`, taken in non-increasing (order, index) sequence
/// starting at (max_order, min_index) so each multiset appears once.
fn forests(
    remaining: usize,
    max_order: usize,
    min_index: usize,
    by_order: &[Vec<RootedTree>],
    children: &mut Vec<RootedTree>,
    out: &mut Vec<RootedTree>,
) {
    if remaining == 0 {
        let mut c = children.clone();
        c.sort();
        out.push(RootedTree(c));
        return;
    }
    for k in (1..=max_order.min(remaining)).rev() {
        let start = if k == max_order { min_index } else { 0 };
        for (idx, t) in by_order[k].iter().enumerate().skip(start) {
            children.push(t.clone());
            forests(remaining - k, k, idx, by_order, children, out);
            children.pop();
        }
    }
}

/// Tolerance on an order-condition residual: a few ulps times the size of the terms.
const RESIDUAL_TOL: f64 = 1e-12;

/// The order of a tableau: the largest p ≤ `max_order` such that every tree with |t| ≤ p
/// satisfies its order condition (to 1e-12). Returns `max_order` if all checked trees hold.
pub fn order_of(tab: &Tableau, max_order: usize) -> usize {
    for p in 1..=max_order {
        if rooted_trees(p)
            .iter()
            .any(|t| t.residual(tab).abs() > RESIDUAL_TOL)
        {
            return p - 1;
        }
    }
    max_order
}
