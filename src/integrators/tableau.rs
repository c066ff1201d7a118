//! Butcher tableaux of explicit Runge–Kutta methods,
//!
//! ```text
//! kᵢ = f(y + h Σ_{j<i} aᵢⱼ kⱼ),    yₙ₊₁ = yₙ + h Σᵢ bᵢ kᵢ,    cᵢ = Σⱼ aᵢⱼ,
//! ```
//!
//! with named constructors for the classical methods, each citing its source. Any explicit
//! tableau can be built with [`Tableau::new`]; its order is computed by
//! [`crate::integrators::order_of`] from the order conditions.

use crate::error::{Error, Result};

/// An explicit Butcher tableau (strictly lower-triangular A).
#[derive(Debug, Clone, PartialEq)]
pub struct Tableau {
    /// Name used on the command line and in outputs.
    pub name: String,
    /// Where the coefficients come from.
    pub source: String,
    /// A, as rows: `a[i]` has i entries a_i0 … a_i(i−1).
    pub a: Vec<Vec<f64>>,
    /// Weights b.
    pub b: Vec<f64>,
    /// Nodes c (cᵢ = Σⱼ a_ij, checked).
    pub c: Vec<f64>,
}

impl Tableau {
    /// Builds and validates an explicit tableau: s rows of A with row i holding i entries,
    /// s weights, finite values, and nodes cᵢ = Σⱼ a_ij (the row-sum condition, which makes
    /// the method treat autonomous and non-autonomous problems alike).
    pub fn new(name: &str, source: &str, a: Vec<Vec<f64>>, b: Vec<f64>) -> Result<Self> {
        let s = b.len();
        let bad = |why: String| Err(Error::InvalidArgument(format!("tableau '{name}': {why}")));
        if s == 0 {
            return bad("needs at least one stage".into());
        }
        if a.len() != s {
            return bad(format!("A has {} rows but b has {s} weights", a.len()));
        }
        for (i, row) in a.iter().enumerate() {
            if row.len() != i {
                return bad(format!(
                    "row {i} of A must have {i} entries (explicit methods only), has {}",
                    row.len()
                ));
            }
        }
        if a.iter().flatten().chain(&b).any(|x| !x.is_finite()) {
            return bad("coefficients must be finite".into());
        }
        let c = a.iter().map(|row| row.iter().sum()).collect();
        Ok(Self {
            name: name.to_string(),
            source: source.to_string(),
            a,
            b,
            c,
        })
    }

    fn known(name: &str, source: &str, a: Vec<Vec<f64>>, b: Vec<f64>) -> Self {
        Self::new(name, source, a, b).expect("built-in tableaux are well formed")
    }

    /// Number of stages s.
    pub fn stages(&self) -> usize {
        self.b.len()
    }

    /// Forward Euler: y + h f(y). Order 1.
    pub fn euler() -> Self {
        Self::known("euler", "Euler (1768)", vec![vec![]], vec![1.0])
    }

    /// Explicit midpoint: k₂ = f(y + h/2 k₁), y + h k₂. Order 2 (Hairer, Nørsett & Wanner,
    /// *Solving ODEs I*, §II.1, (1.3)).
    pub fn midpoint() -> Self {
        Self::known(
            "midpoint",
            "Runge (1895); HNW I §II.1",
            vec![vec![], vec![0.5]],
            vec![0.0, 1.0],
        )
    }

    /// Heun's method (explicit trapezoid). Order 2 (Heun 1900; Butcher 2016, §23).
    pub fn heun() -> Self {
        Self::known(
            "heun",
            "Heun (1900)",
            vec![vec![], vec![1.0]],
            vec![0.5, 0.5],
        )
    }

    /// Ralston's second-order method, c₂ = 2/3 (Ralston 1962, minimum error bound).
    pub fn ralston() -> Self {
        Self::known(
            "ralston",
            "Ralston (1962), Math. Comp. 16:431",
            vec![vec![], vec![2.0 / 3.0]],
            vec![0.25, 0.75],
        )
    }

    /// Kutta's third-order method (Kutta 1901; HNW I, Table II.1.1).
    pub fn kutta3() -> Self {
        Self::known(
            "kutta3",
            "Kutta (1901); HNW I Table 1.1",
            vec![vec![], vec![0.5], vec![-1.0, 2.0]],
            vec![1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0],
        )
    }

    /// The three-stage strong-stability-preserving method SSPRK(3,3) of Shu & Osher (1988).
    /// Order 3.
    pub fn ssprk3() -> Self {
        Self::known(
            "ssprk3",
            "Shu & Osher (1988), J. Comput. Phys. 77:439",
            vec![vec![], vec![1.0], vec![0.25, 0.25]],
            vec![1.0 / 6.0, 1.0 / 6.0, 2.0 / 3.0],
        )
    }

    /// The classical Runge–Kutta method. Order 4 (Kutta 1901; HNW I, Table II.1.2 left).
    pub fn rk4() -> Self {
        Self::known(
            "rk4",
            "Kutta (1901); HNW I Table 1.2",
            vec![vec![], vec![0.5], vec![0.0, 0.5], vec![0.0, 0.0, 1.0]],
            vec![1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0],
        )
    }

    /// Kutta's 3/8 rule. Order 4 (Kutta 1901; HNW I, Table II.1.2 right).
    pub fn rk38() -> Self {
        Self::known(
            "rk38",
            "Kutta (1901); HNW I Table 1.2",
            vec![
                vec![],
                vec![1.0 / 3.0],
                vec![-1.0 / 3.0, 1.0],
                vec![1.0, -1.0, 1.0],
            ],
            vec![0.125, 0.375, 0.375, 0.125],
        )
    }

    /// The fifth-order solution of Dormand & Prince's 5(4) pair, the six stages that carry
    /// weight (the seventh, FSAL stage has b₇ = 0 and is only used for the error estimate).
    /// Order 5 (Dormand & Prince 1980, J. Comput. Appl. Math. 6:19; HNW I, Table II.5.2).
    pub fn dopri5() -> Self {
        Self::known(
            "dopri5",
            "Dormand & Prince (1980); HNW I Table 5.2",
            vec![
                vec![],
                vec![1.0 / 5.0],
                vec![3.0 / 40.0, 9.0 / 40.0],
                vec![44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
                vec![
                    19372.0 / 6561.0,
                    -25360.0 / 2187.0,
                    64448.0 / 6561.0,
                    -212.0 / 729.0,
                ],
                vec![
                    9017.0 / 3168.0,
                    -355.0 / 33.0,
                    46732.0 / 5247.0,
                    49.0 / 176.0,
                    -5103.0 / 18656.0,
                ],
            ],
            vec![
                35.0 / 384.0,
                0.0,
                500.0 / 1113.0,
                125.0 / 192.0,
                -2187.0 / 6784.0,
                11.0 / 84.0,
            ],
        )
    }

    /// Every named tableau.
    pub fn all() -> Vec<Tableau> {
        vec![
            Self::euler(),
            Self::midpoint(),
            Self::heun(),
            Self::ralston(),
            Self::kutta3(),
            Self::ssprk3(),
            Self::rk4(),
            Self::rk38(),
            Self::dopri5(),
        ]
    }

    /// The named tableau called `name`.
    pub fn by_name(name: &str) -> Result<Tableau> {
        let all = Self::all();
        let names: Vec<String> = all.iter().map(|t| t.name.clone()).collect();
        all.into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| Error::Unknown {
                kind: "tableau".into(),
                name: name.into(),
                expected: names.join(", "),
            })
    }
}
