//! The d-dimensional Normal family N(μ, Σ), with a full or a diagonal covariance.
//!
//! As an exponential family, with the precision P = Σ⁻¹ and h = Pμ:
//!
//! ```text
//! ln p(x) = hᵀx − ½xᵀPx − A(η) − (d/2) ln 2π,     A(η) = ½hᵀP⁻¹h − ½ ln det P
//!         = ½μᵀΣ⁻¹μ + ½ ln det Σ.
//! ```
//!
//! **Full covariance** (n = d + d(d+1)/2): η = (h, then the lower triangle of P row by row as
//! ηᵢᵢ = −½Pᵢᵢ, ηᵢⱼ = −Pᵢⱼ for i > j), with T(x) = (x, then xᵢxⱼ for i ≥ j row by row), so
//! η·T(x) = hᵀx − ½xᵀPx. The expectation parameters are (μ, E[xᵢxⱼ] = Σᵢⱼ + μᵢμⱼ).
//! Charts: `mean-cholesky` (μ and the lower Cholesky factor L of Σ = LLᵀ with Lᵢᵢ > 0, row by
//! row; the default), `natural`, `expectation`.
//!
//! **Diagonal covariance** (n = 2d, the submodel of independent coordinates): η = (h, −½Pᵢᵢ),
//! T(x) = (x, xᵢ²). Charts: `mean-diag` (μ and the standard deviations σᵢ), `natural-diag`,
//! `expectation-diag` (μ, E[xᵢ²]). It is a different manifold from the full family, hence the
//! separate chart names.
//!
//! A, the mean map and its inverse are written for any scalar type with a Cholesky
//! factorisation of their own (so automatic differentiation passes through them). d follows
//! from the number of coordinates.

use crate::error::{Error, Result};
use crate::geometry::{Chart, Real};
use crate::model::{ExponentialFamily, Observations};
use rand::rngs::StdRng;

/// The d-dimensional Normal family, full or diagonal covariance, in natural coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MvNormal {
    /// d.
    pub d: usize,
    /// Diagonal covariance (the submodel of independent coordinates).
    pub diagonal: bool,
}

/// Lower-triangle positions (i, j), i ≥ j, row by row.
fn lower(d: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..d).flat_map(|i| (0..=i).map(move |j| (i, j)))
}

/// The Cholesky factor L (lower, by rows) of a symmetric matrix, for any scalar type; `None`
/// if a pivot's real part is not positive (the matrix is not positive definite).
fn cholesky<D: Real>(a: &[Vec<D>]) -> Option<Vec<Vec<D>>> {
    let d = a.len();
    let mut l = vec![vec![D::zero(); d]; d];
    for i in 0..d {
        for j in 0..=i {
            let s = (0..j).fold(a[i][j], |s, k| s - l[i][k] * l[j][k]);
            if i == j {
                if s.re() <= 0.0 || !s.re().is_finite() {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

/// y = L⁻¹b (forward substitution).
fn forward<D: Real>(l: &[Vec<D>], b: &[D]) -> Vec<D> {
    let mut y = b.to_vec();
    for i in 0..l.len() {
        for k in 0..i {
            let t = l[i][k] * y[k];
            y[i] -= t;
        }
        y[i] /= l[i][i];
    }
    y
}

/// x = L⁻ᵀy (back substitution).
fn backward<D: Real>(l: &[Vec<D>], y: &[D]) -> Vec<D> {
    let d = l.len();
    let mut x = y.to_vec();
    for i in (0..d).rev() {
        for k in i + 1..d {
            let t = l[k][i] * x[k];
            x[i] -= t;
        }
        x[i] /= l[i][i];
    }
    x
}

/// A⁻¹ of a symmetric positive-definite matrix with Cholesky factor L, column by column.
fn spd_inverse<D: Real>(l: &[Vec<D>]) -> Vec<Vec<D>> {
    let d = l.len();
    let cols: Vec<Vec<D>> = (0..d)
        .map(|c| {
            let e: Vec<D> = (0..d)
                .map(|r| if r == c { D::one() } else { D::zero() })
                .collect();
            backward(l, &forward(l, &e))
        })
        .collect();
    (0..d)
        .map(|r| (0..d).map(|c| cols[c][r]).collect())
        .collect()
}

impl MvNormal {
    /// The family of dimension d (≥ 1).
    pub fn new(d: usize, diagonal: bool) -> Result<Self> {
        if d == 0 {
            return Err(Error::InvalidArgument(
                "a multivariate Normal family needs dimension d ≥ 1".into(),
            ));
        }
        Ok(Self { d, diagonal })
    }

    /// The number of parameters for dimension d.
    pub fn parameters(d: usize, diagonal: bool) -> usize {
        if diagonal { 2 * d } else { d + d * (d + 1) / 2 }
    }

    /// The d with `n` parameters, if there is one.
    pub fn dimension_for(n: usize, diagonal: bool) -> Option<usize> {
        (1..=n).find(|&d| Self::parameters(d, diagonal) == n)
    }

    /// The precision P and h = Pμ from η.
    fn precision<D: Real>(&self, eta: &[D]) -> (Vec<Vec<D>>, Vec<D>) {
        let d = self.d;
        let h = eta[..d].to_vec();
        let mut p = vec![vec![D::zero(); d]; d];
        if self.diagonal {
            for i in 0..d {
                p[i][i] = -eta[d + i] * 2.0;
            }
        } else {
            for (k, (i, j)) in lower(d).enumerate() {
                let e = eta[d + k];
                if i == j {
                    p[i][i] = -e * 2.0;
                } else {
                    p[i][j] = -e;
                    p[j][i] = -e;
                }
            }
        }
        (p, h)
    }

    /// η from the precision P and h = Pμ.
    fn natural_from_precision<D: Real>(&self, p: &[Vec<D>], h: Vec<D>) -> Vec<D> {
        let mut eta = h;
        if self.diagonal {
            eta.extend((0..self.d).map(|i| -p[i][i] * 0.5));
        } else {
            eta.extend(lower(self.d).map(|(i, j)| if i == j { -p[i][i] * 0.5 } else { -p[i][j] }));
        }
        eta
    }

    /// η from the mean μ and the covariance Σ (`None` if Σ is not positive definite).
    pub fn natural_from_moments<D: Real>(&self, mu: &[D], sigma: &[Vec<D>]) -> Option<Vec<D>> {
        let l = cholesky(sigma)?;
        let p = spd_inverse(&l);
        let h = backward(&l, &forward(&l, mu));
        Some(self.natural_from_precision(&p, h))
    }

    /// (μ, Σ) from η (`None` if P is not positive definite).
    pub fn moments<D: Real>(&self, eta: &[D]) -> Option<(Vec<D>, Vec<Vec<D>>)> {
        let (p, h) = self.precision(eta);
        let l = cholesky(&p)?;
        let sigma = spd_inverse(&l);
        let mu = backward(&l, &forward(&l, &h));
        Some((mu, sigma))
    }
}

impl ExponentialFamily for MvNormal {
    fn dim(&self) -> usize {
        Self::parameters(self.d, self.diagonal)
    }
    fn name(&self) -> String {
        let kind = if self.diagonal { "diagonal" } else { "full" };
        format!("mvnormal(d = {}, {kind} covariance)", self.d)
    }
    fn domain(&self, eta: &[f64]) -> std::result::Result<(), String> {
        let (p, _) = self.precision(eta);
        match cholesky(&p) {
            Some(_) => Ok(()),
            None => Err("need the precision P = −2·(η's matrix part) positive definite".into()),
        }
    }
    /// ½hᵀP⁻¹h − ½ ln det P = ½‖L⁻¹h‖² − Σ ln Lᵢᵢ with P = LLᵀ.
    fn log_partition<D: Real>(&self, eta: &[D]) -> D {
        let (p, h) = self.precision(eta);
        let Some(l) = cholesky(&p) else {
            return D::from(f64::NAN);
        };
        let y = forward(&l, &h);
        let quad = y.iter().fold(D::zero(), |s, &v| s + v * v);
        let log_det = (0..self.d).fold(D::zero(), |s, i| s + l[i][i].ln());
        quad * 0.5 - log_det
    }
    /// (μ, E[xᵢxⱼ] = Σᵢⱼ + μᵢμⱼ).
    fn mean<D: Real>(&self, eta: &[D]) -> Vec<D> {
        let n = self.dim();
        let Some((mu, sigma)) = self.moments(eta) else {
            return vec![D::from(f64::NAN); n];
        };
        let mut m = mu.clone();
        if self.diagonal {
            m.extend((0..self.d).map(|i| sigma[i][i] + mu[i] * mu[i]));
        } else {
            m.extend(lower(self.d).map(|(i, j)| sigma[i][j] + mu[i] * mu[j]));
        }
        m
    }
    /// Σ = M₂ − μμᵀ, then η from (μ, Σ).
    fn natural_from_mean<D: Real>(&self, m: &[D]) -> Option<Vec<D>> {
        let d = self.d;
        let mu = &m[..d];
        let mut sigma = vec![vec![D::zero(); d]; d];
        if self.diagonal {
            for i in 0..d {
                sigma[i][i] = m[d + i] - mu[i] * mu[i];
            }
        } else {
            for (k, (i, j)) in lower(d).enumerate() {
                let s = m[d + k] - mu[i] * mu[j];
                sigma[i][j] = s;
                sigma[j][i] = s;
            }
        }
        self.natural_from_moments(mu, &sigma)
    }
}

impl Observations for MvNormal {
    fn observation_dim(&self) -> usize {
        self.d
    }
    fn support(&self, _x: &[f64]) -> std::result::Result<(), String> {
        Ok(())
    }
    fn sufficient_statistic(&self, x: &[f64]) -> Vec<f64> {
        let mut t = x.to_vec();
        if self.diagonal {
            t.extend(x.iter().map(|v| v * v));
        } else {
            t.extend(lower(self.d).map(|(i, j)| x[i] * x[j]));
        }
        t
    }
    fn log_base_measure(&self, _x: &[f64]) -> f64 {
        -0.5 * self.d as f64 * (2.0 * std::f64::consts::PI).ln()
    }
    fn sample(&self, eta: &[f64], rng: &mut StdRng) -> Vec<f64> {
        let (mu, sigma) = self.moments(eta).unwrap_or_default();
        let Some(l) = cholesky(&sigma) else {
            return vec![f64::NAN; self.d];
        };
        let z: Vec<f64> = (0..self.d)
            .map(|_| crate::random::standard_normal(rng))
            .collect();
        (0..self.d)
            .map(|i| mu[i] + (0..=i).map(|k| l[i][k] * z[k]).sum::<f64>())
            .collect()
    }
}

/// Which multivariate-Normal chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MvNormalKind {
    /// `mean-cholesky`: (μ, L) with Σ = LLᵀ, L lower with positive diagonal, row by row.
    MeanCholesky,
    /// `natural`: η of the full family.
    Natural,
    /// `expectation`: (μ, E[xᵢxⱼ], i ≥ j row by row).
    Expectation,
    /// `mean-diag`: (μ, σ₁, …, σ_d), Σ = diag(σ²) — the diagonal family.
    MeanDiag,
    /// `natural-diag`: η of the diagonal family.
    NaturalDiag,
    /// `expectation-diag`: (μ, E[xᵢ²]) of the diagonal family.
    ExpectationDiag,
}

/// A chart of the multivariate Normal family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MvNormalChart {
    /// Which chart.
    pub kind: MvNormalKind,
    /// The family (d, and whether it is the diagonal one).
    pub family: MvNormal,
}

impl MvNormalChart {
    /// The chart names, the default first.
    pub const NAMES: [&'static str; 6] = [
        "mean-cholesky",
        "natural",
        "expectation",
        "mean-diag",
        "natural-diag",
        "expectation-diag",
    ];

    /// The chart called `name` with `n` coordinates (which fix d and the family).
    pub fn parse(name: &str, n: usize) -> Result<Self> {
        use MvNormalKind as K;
        let kind = match name {
            "mean-cholesky" => K::MeanCholesky,
            "natural" => K::Natural,
            "expectation" => K::Expectation,
            "mean-diag" => K::MeanDiag,
            "natural-diag" => K::NaturalDiag,
            "expectation-diag" => K::ExpectationDiag,
            _ => {
                return Err(Error::Unknown {
                    kind: "mvnormal chart".into(),
                    name: name.into(),
                    expected: Self::NAMES.join(", "),
                });
            }
        };
        let diagonal = matches!(kind, K::MeanDiag | K::NaturalDiag | K::ExpectationDiag);
        let d = MvNormal::dimension_for(n, diagonal).ok_or_else(|| {
            let sizes = if diagonal {
                "2d: 2, 4, 6, …"
            } else {
                "d + d(d+1)/2: 2, 5, 9, 14, …"
            };
            Error::InvalidArgument(format!(
                "mvnormal chart '{name}' takes {sizes} coordinates, got {n}"
            ))
        })?;
        Ok(Self {
            kind,
            family: MvNormal::new(d, diagonal)?,
        })
    }
}

impl Chart for MvNormalChart {
    fn dim(&self) -> usize {
        self.family.dim()
    }
    fn name(&self) -> String {
        Self::NAMES[self.kind as usize].into()
    }
    fn formula(&self) -> String {
        use MvNormalKind as K;
        match self.kind {
            K::MeanCholesky => "(μ, L) ↦ η(μ, Σ = LLᵀ)",
            K::Natural | K::NaturalDiag => "η ↦ η",
            K::Expectation => "(μ, E[xᵢxⱼ]) ↦ η",
            K::MeanDiag => "(μ, σ) ↦ (μᵢ/σᵢ², −1/(2σᵢ²))",
            K::ExpectationDiag => "(μ, E[xᵢ²]) ↦ η",
        }
        .into()
    }
    fn domain(&self, xi: &[f64]) -> std::result::Result<(), String> {
        use MvNormalKind as K;
        let d = self.family.d;
        match self.kind {
            K::MeanCholesky => {
                let bad = lower(d)
                    .enumerate()
                    .find(|&(k, (i, j))| i == j && xi[d + k] <= 0.0);
                match bad {
                    None => Ok(()),
                    Some((_, (i, _))) => Err(format!("need L_{i}{i} > 0 (diagonal of L)")),
                }
            }
            K::MeanDiag => match xi[d..].iter().position(|&s| s <= 0.0) {
                None => Ok(()),
                Some(i) => Err(format!("need σ_{i} > 0")),
            },
            K::Natural | K::NaturalDiag => Ok(()),
            K::Expectation | K::ExpectationDiag => match self.family.natural_from_mean(xi) {
                Some(_) => Ok(()),
                None => Err("need the covariance E[xxᵀ] − μμᵀ positive definite".into()),
            },
        }
    }
    fn to_canonical<D: Real>(&self, xi: &[D]) -> Vec<D> {
        use MvNormalKind as K;
        let f = self.family;
        let d = f.d;
        let nan = || vec![D::from(f64::NAN); f.dim()];
        match self.kind {
            K::Natural | K::NaturalDiag => xi.to_vec(),
            K::Expectation | K::ExpectationDiag => f.natural_from_mean(xi).unwrap_or_else(nan),
            K::MeanCholesky => {
                let mut l = vec![vec![D::zero(); d]; d];
                for (k, (i, j)) in lower(d).enumerate() {
                    l[i][j] = xi[d + k];
                }
                let sigma: Vec<Vec<D>> = (0..d)
                    .map(|i| {
                        (0..d)
                            .map(|j| (0..d).fold(D::zero(), |s, k| s + l[i][k] * l[j][k]))
                            .collect()
                    })
                    .collect();
                f.natural_from_moments(&xi[..d], &sigma).unwrap_or_else(nan)
            }
            K::MeanDiag => {
                let mut eta: Vec<D> = (0..d).map(|i| xi[i] / (xi[d + i] * xi[d + i])).collect();
                eta.extend((0..d).map(|i| -(xi[d + i] * xi[d + i] * 2.0).recip()));
                eta
            }
        }
    }
    fn to_chart(&self, eta: &[f64]) -> Vec<f64> {
        use MvNormalKind as K;
        let f = self.family;
        let d = f.d;
        match self.kind {
            K::Natural | K::NaturalDiag => eta.to_vec(),
            K::Expectation | K::ExpectationDiag => f.mean(eta),
            K::MeanCholesky | K::MeanDiag => {
                let Some((mu, sigma)) = f.moments(eta) else {
                    return vec![f64::NAN; f.dim()];
                };
                let mut xi = mu;
                if self.kind == K::MeanDiag {
                    xi.extend((0..d).map(|i| sigma[i][i].sqrt()));
                } else {
                    let l = cholesky(&sigma).unwrap_or_else(|| vec![vec![f64::NAN; d]; d]);
                    xi.extend(lower(d).map(|(i, j)| l[i][j]));
                }
                xi
            }
        }
    }
}
