//! `lqr`: a linear–quadratic regulator, the control task whose optimal policy is known.
//!
//! x' = A x + B u + w, w ~ N(0, Σ_w); the reward is −(xᵀQx + uᵀRu); x₀ ~ N(0, Σ₀); actions
//! unbounded. The objective of a policy is its expected discounted cost from the initial-state
//! distribution, J = E[Σₜ γᵗ (xₜᵀQxₜ + uₜᵀRuₜ)].
//!
//! For a linear policy with mean u = W x + b the cost is exact: on the augmented state
//! ξ = (x, 1) the closed loop is ξ' = Ā ξ + (w, 0) with Ā = [[A + BW, Bb], [0, 1]], the stage
//! cost ξᵀ Q̄ ξ with Q̄ = [[Q + WᵀRW, WᵀRb], [bᵀRW, bᵀRb]], and the value ξᵀ P̄ ξ + c solves
//! the Lyapunov equation P̄ = Q̄ + γ Āᵀ P̄ Ā (iterated to convergence) with c = γ/(1−γ)·tr(P̄ₓₓΣ_w);
//! so J = tr(P̄ₓₓ Σ₀) + P̄₁₁ + γ/(1−γ) tr(P̄ₓₓ Σ_w). (A Gaussian policy's own action noise
//! ε ~ N(0, Σ_u) adds γ/(1−γ)·tr((R + γBᵀP̄ₓₓB)Σ_u) … the cost reported is the mean policy's.)
//!
//! The optimum is the discrete algebraic Riccati equation's solution, by iterating
//! P ← Q + γAᵀPA − γ²AᵀPB (R + γBᵀPB)⁻¹ BᵀPA to convergence: u = −K x with
//! K = γ (R + γBᵀPB)⁻¹ BᵀPA, and J* = tr(PΣ₀) + γ/(1−γ) tr(PΣ_w) (Bertsekas, *Dynamic
//! Programming and Optimal Control*, vol. 1, ch. 4, with discounting).

use super::{
    Action, ActionSpace, Environment, Transition, check_state, continuous, standard_normal,
};
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

/// The system: dynamics, costs, noise, initial-state covariance, discount and episode length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct LqrSystem {
    /// A (n × n), rows.
    pub A: Vec<Vec<f64>>,
    /// B (n × m), rows.
    pub B: Vec<Vec<f64>>,
    /// Q (n × n), symmetric positive semi-definite.
    pub Q: Vec<Vec<f64>>,
    /// R (m × m), symmetric positive definite.
    pub R: Vec<Vec<f64>>,
    /// γ ∈ (0, 1).
    pub gamma: f64,
    /// Σ₀ (n × n).
    pub x0_cov: Vec<Vec<f64>>,
    /// Σ_w (n × n).
    pub noise_cov: Vec<Vec<f64>>,
    /// Steps per episode (the time limit).
    pub horizon: usize,
}

impl Default for LqrSystem {
    /// Two coupled, lightly damped double integrators (positions and velocities of two masses
    /// joined by a spring, time step 0.1), a force on each: n = 4, m = 2; Q = I, R = 0.1 I,
    /// γ = 0.95, Σ₀ = I, Σ_w = 0.01 I, 200 steps.
    fn default() -> Self {
        let (dt, k, c) = (0.1, 0.5, 0.1);
        let a = vec![
            vec![1.0, dt, 0.0, 0.0],
            vec![-k * dt, 1.0 - c * dt, k * dt, 0.0],
            vec![0.0, 0.0, 1.0, dt],
            vec![k * dt, 0.0, -k * dt, 1.0 - c * dt],
        ];
        let b = vec![vec![0.0, 0.0], vec![dt, 0.0], vec![0.0, 0.0], vec![0.0, dt]];
        let eye = |n: usize, s: f64| -> Vec<Vec<f64>> {
            (0..n)
                .map(|i| (0..n).map(|j| if i == j { s } else { 0.0 }).collect())
                .collect()
        };
        Self {
            A: a,
            B: b,
            Q: eye(4, 1.0),
            R: eye(2, 0.1),
            gamma: 0.95,
            x0_cov: eye(4, 1.0),
            noise_cov: eye(4, 0.01),
            horizon: 200,
        }
    }
}

fn matrix(name: &str, rows: &[Vec<f64>], r: usize, c: usize) -> Result<DMatrix<f64>> {
    if rows.len() != r || rows.iter().any(|row| row.len() != c) {
        return Err(Error::InvalidArgument(format!(
            "lqr: {name} must be {r} × {c}"
        )));
    }
    if rows.iter().flatten().any(|v| !v.is_finite()) {
        return Err(Error::InvalidArgument(format!(
            "lqr: {name} has a non-finite entry"
        )));
    }
    Ok(DMatrix::from_fn(r, c, |i, j| rows[i][j]))
}

/// The system as matrices, checked.
#[derive(Debug, Clone)]
#[allow(non_snake_case)]
pub struct LqrMatrices {
    /// A.
    pub A: DMatrix<f64>,
    /// B.
    pub B: DMatrix<f64>,
    /// Q.
    pub Q: DMatrix<f64>,
    /// R.
    pub R: DMatrix<f64>,
    /// Σ₀.
    pub x0_cov: DMatrix<f64>,
    /// Σ_w.
    pub noise_cov: DMatrix<f64>,
    /// γ.
    pub gamma: f64,
    /// Lower Cholesky factor of Σ₀ (sampling).
    x0_chol: DMatrix<f64>,
    /// Lower Cholesky factor of Σ_w (sampling); zero when Σ_w = 0.
    noise_chol: DMatrix<f64>,
}

/// A lower factor L with L Lᵀ = S for a positive semi-definite S (zero rows for zero
/// variance), or an error naming the matrix.
fn psd_factor(name: &str, s: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    if (s - s.transpose()).abs().max() > 1e-12 * (1.0 + s.abs().max()) {
        return Err(Error::InvalidArgument(format!(
            "lqr: {name} must be symmetric"
        )));
    }
    let eig = s.clone().symmetric_eigen();
    if eig
        .eigenvalues
        .iter()
        .any(|&l| l < -1e-12 * (1.0 + s.abs().max()))
    {
        return Err(Error::InvalidArgument(format!(
            "lqr: {name} must be positive semi-definite"
        )));
    }
    let sqrt = DMatrix::from_diagonal(&eig.eigenvalues.map(|l| l.max(0.0).sqrt()));
    Ok(&eig.eigenvectors * sqrt)
}

impl LqrSystem {
    /// The matrices, after checking shapes, symmetry and definiteness.
    pub fn matrices(&self) -> Result<LqrMatrices> {
        let n = self.A.len();
        if n == 0 {
            return Err(Error::InvalidArgument("lqr: A must not be empty".into()));
        }
        let m = self.B.first().map_or(0, Vec::len);
        if m == 0 {
            return Err(Error::InvalidArgument(
                "lqr: B must have at least one column".into(),
            ));
        }
        if !(self.gamma > 0.0 && self.gamma < 1.0) {
            return Err(Error::InvalidArgument(format!(
                "lqr: gamma must lie in (0, 1), got {}",
                self.gamma
            )));
        }
        if self.horizon == 0 {
            return Err(Error::InvalidArgument(
                "lqr: horizon must be at least 1".into(),
            ));
        }
        let a = matrix("A", &self.A, n, n)?;
        let b = matrix("B", &self.B, n, m)?;
        let q = matrix("Q", &self.Q, n, n)?;
        let r = matrix("R", &self.R, m, m)?;
        let x0 = matrix("x0_cov", &self.x0_cov, n, n)?;
        let w = matrix("noise_cov", &self.noise_cov, n, n)?;
        psd_factor("Q", &q)?;
        let r_eig = psd_factor("R", &r).and_then(|_| {
            let min = r.clone().symmetric_eigen().eigenvalues.min();
            if min > 0.0 {
                Ok(())
            } else {
                Err(Error::InvalidArgument(
                    "lqr: R must be positive definite".into(),
                ))
            }
        });
        r_eig?;
        Ok(LqrMatrices {
            x0_chol: psd_factor("x0_cov", &x0)?,
            noise_chol: psd_factor("noise_cov", &w)?,
            A: a,
            B: b,
            Q: q,
            R: r,
            x0_cov: x0,
            noise_cov: w,
            gamma: self.gamma,
        })
    }
}

/// The Riccati optimum: P, the gain K (u = −Kx) and the optimal cost J*.
#[derive(Debug, Clone, PartialEq)]
pub struct RiccatiSolution {
    /// P, the optimal value's quadratic form.
    pub p: DMatrix<f64>,
    /// K.
    pub k: DMatrix<f64>,
    /// J* = tr(PΣ₀) + γ/(1−γ) tr(PΣ_w).
    pub cost: f64,
    /// Iterations of the recursion.
    pub iterations: usize,
}

impl LqrMatrices {
    /// The discounted Riccati recursion from P = Q, to a relative change below 1e-13.
    pub fn riccati(&self) -> Result<RiccatiSolution> {
        let (a, b, q, r, g) = (&self.A, &self.B, &self.Q, &self.R, self.gamma);
        let mut p = q.clone();
        for it in 1..=100_000 {
            let s = r + g * b.transpose() * &p * b;
            let s_inv = s
                .clone()
                .cholesky()
                .ok_or_else(|| Error::InvalidArgument("lqr: R + γBᵀPB lost definiteness".into()))?
                .inverse();
            let k = g * &s_inv * b.transpose() * &p * a;
            let next = q + g * a.transpose() * &p * a - g * a.transpose() * &p * b * &k;
            let next = 0.5 * (&next + next.transpose());
            if !next.iter().all(|v| v.is_finite()) {
                break;
            }
            let change = (&next - &p).abs().max() / next.abs().max().max(f64::MIN_POSITIVE);
            p = next;
            if change < 1e-13 {
                let s = r + g * b.transpose() * &p * b;
                let k = g * s.cholesky().expect("checked above").inverse() * b.transpose() * &p * a;
                let cost =
                    (&p * &self.x0_cov).trace() + g / (1.0 - g) * (&p * &self.noise_cov).trace();
                return Ok(RiccatiSolution {
                    p,
                    k,
                    cost,
                    iterations: it,
                });
            }
        }
        Err(Error::InvalidArgument(
            "lqr: the Riccati recursion did not converge (is (√γ A, √γ B) stabilisable?)".into(),
        ))
    }

    /// The expected discounted cost of the policy with mean u = W x + b (W: m × n), from the
    /// augmented Lyapunov equation; an error when the closed loop diverges under discounting
    /// (γ·ρ(A + BW)² ≥ 1: infinite cost).
    pub fn policy_cost(&self, w: &DMatrix<f64>, bias: &DVector<f64>) -> Result<f64> {
        let (n, m) = (self.A.nrows(), self.B.ncols());
        if w.nrows() != m || w.ncols() != n || bias.len() != m {
            return Err(Error::InvalidArgument(format!(
                "lqr: a linear policy needs W of {m} × {n} and b of {m}"
            )));
        }
        let g = self.gamma;
        let mut abar = DMatrix::zeros(n + 1, n + 1);
        abar.view_mut((0, 0), (n, n))
            .copy_from(&(&self.A + &self.B * w));
        abar.view_mut((0, n), (n, 1)).copy_from(&(&self.B * bias));
        abar[(n, n)] = 1.0;
        let mut qbar = DMatrix::zeros(n + 1, n + 1);
        let rw = &self.R * w;
        let rb = &self.R * bias;
        qbar.view_mut((0, 0), (n, n))
            .copy_from(&(&self.Q + w.transpose() * &rw));
        let cross = w.transpose() * &rb;
        qbar.view_mut((0, n), (n, 1)).copy_from(&cross);
        qbar.view_mut((n, 0), (1, n)).copy_from(&cross.transpose());
        qbar[(n, n)] = bias.dot(&rb);
        // P̄ = Q̄ + γ ĀᵀP̄Ā by doubling: P̄ = Σₖ γᵏ (Āᵀ)ᵏ Q̄ Āᵏ, summed in blocks of 2ʲ terms.
        let mut p = qbar.clone();
        let mut apow = abar.clone() * g.sqrt();
        for _ in 0..200 {
            let add = apow.transpose() * &p * &apow;
            if !add.iter().all(|v| v.is_finite()) {
                break;
            }
            let size = add.abs().max();
            p += &add;
            if size <= 1e-16 * p.abs().max() {
                let pxx = p.view((0, 0), (n, n)).into_owned();
                return Ok((&pxx * &self.x0_cov).trace()
                    + p[(n, n)]
                    + g / (1.0 - g) * (&pxx * &self.noise_cov).trace());
            }
            apow = &apow * &apow;
        }
        Err(Error::InvalidArgument(
            "lqr: the policy's closed loop diverges under discounting (infinite cost)".into(),
        ))
    }
}

/// The regulator as an environment.
#[derive(Debug)]
pub struct Lqr {
    /// The system as given.
    pub system: LqrSystem,
    mats: LqrMatrices,
    x: DVector<f64>,
    next: DVector<f64>,
    noise: DVector<f64>,
    /// The process noise's generator: seeded from the reset's; none after a state is set, so
    /// that a replay is deterministic and noise-free.
    noise_rng: Option<StdRng>,
}

impl Lqr {
    /// The environment of a system (checked).
    pub fn new(system: LqrSystem) -> Result<Self> {
        let mats = system.matrices()?;
        let n = mats.A.nrows();
        Ok(Self {
            system,
            mats,
            x: DVector::zeros(n),
            next: DVector::zeros(n),
            noise: DVector::zeros(n),
            noise_rng: None,
        })
    }

    /// The checked matrices.
    pub fn matrices(&self) -> &LqrMatrices {
        &self.mats
    }

    /// next = L z, z ~ N(0, I), L the factor of Σ₀ (`initial`) or Σ_w.
    fn draw(&mut self, rng: &mut StdRng, initial: bool) {
        let l = if initial {
            &self.mats.x0_chol
        } else {
            &self.mats.noise_chol
        };
        for v in self.noise.iter_mut() {
            *v = standard_normal(rng);
        }
        self.next.gemv(1.0, l, &self.noise, 0.0);
    }
}

impl Environment for Lqr {
    fn name(&self) -> &'static str {
        "lqr"
    }
    fn state_names(&self) -> Vec<String> {
        (1..=self.x.len()).map(|i| format!("x{i}")).collect()
    }
    fn observation_dim(&self) -> usize {
        self.x.len()
    }
    fn action_space(&self) -> ActionSpace {
        let m = self.mats.B.ncols();
        ActionSpace::Box {
            low: vec![f64::NEG_INFINITY; m],
            high: vec![f64::INFINITY; m],
        }
    }
    fn time_limit(&self) -> usize {
        self.system.horizon
    }
    fn state(&self) -> Vec<f64> {
        self.x.iter().copied().collect()
    }
    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        let names = self.state_names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        check_state(self.name(), &names, state)?;
        self.x.copy_from_slice(state);
        self.noise_rng = None;
        Ok(())
    }
    fn reset(&mut self, rng: &mut StdRng) {
        use rand::{RngExt, SeedableRng};
        self.draw(rng, true);
        self.x.copy_from(&self.next);
        self.noise_rng = Some(StdRng::seed_from_u64(rng.random()));
    }
    fn observe(&self, out: &mut [f64]) {
        out.copy_from_slice(self.x.as_slice());
    }
    fn step(&mut self, action: Action<'_>) -> Result<Transition> {
        let m = self.mats.B.ncols();
        let u = continuous(self.name(), action, m)?;
        // No allocation per step: quadratic forms by loops, x' = Ax + Bu into the spare vector.
        let quad = |mat: &DMatrix<f64>, v: &[f64]| -> f64 {
            let n = v.len();
            (0..n)
                .map(|i| v[i] * (0..n).map(|j| mat[(i, j)] * v[j]).sum::<f64>())
                .sum()
        };
        let cost = quad(&self.mats.Q, self.x.as_slice()) + quad(&self.mats.R, u);
        let uv = nalgebra::DVectorView::from_slice(u, m);
        self.next.gemv(1.0, &self.mats.A, &self.x, 0.0);
        self.next.gemv(1.0, &self.mats.B, &uv, 1.0);
        std::mem::swap(&mut self.x, &mut self.next);
        if let Some(mut rng) = self.noise_rng.take() {
            self.draw(&mut rng, false);
            self.x += &self.next;
            self.noise_rng = Some(rng);
        }
        Ok(Transition {
            reward: -cost,
            terminated: false,
        })
    }
    fn own_discount(&self) -> Option<f64> {
        Some(self.system.gamma)
    }
}
