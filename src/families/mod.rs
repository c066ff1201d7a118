//! Statistical families, one per file, each in its canonical coordinates with its Fisher metric,
//! closed-form Christoffel symbols where known, and named charts.
//!
//! | family | canonical θ | charts |
//! |---|---|---|
//! | [`gamma::Gamma`] | (α, β), β the **rate** | `rate`, `scale`, `cbrt-rate`, `sqrt-both`, `mean` |
//! | [`normal::Normal`] | (μ, σ), σ the standard deviation | `mean-sd`, `mean-var`, `mean-log-sd`, `natural` |

pub mod bernoulli;
pub mod beta;
pub mod categorical;
pub mod dirichlet;
pub mod exponential;
pub mod gamma;
pub mod inverse_gaussian;
pub mod mvnormal;
pub mod normal;
pub mod poisson;

pub use bernoulli::{Bernoulli, BernoulliChart};
pub use beta::{Beta, BetaChart};
pub use categorical::{Categorical, CategoricalChart};
pub use dirichlet::{Dirichlet, DirichletChart};
pub use exponential::{Exponential, ExponentialChart};
pub use gamma::{Gamma, GammaChart, GammaNatural, GammaSample};
pub use inverse_gaussian::{InverseGaussian, InverseGaussianChart};
pub use mvnormal::{MvNormal, MvNormalChart};
pub use normal::{Normal, NormalChart, NormalSample};
pub use poisson::{Poisson, PoissonChart};

/// The Kullback–Leibler divergence between two members of a family, in canonical coordinates.
pub trait KlDivergence {
    /// KL(p ‖ q) = E_p[ln p − ln q] for the distributions with parameters p and q.
    fn kl(&self, p: &[f64], q: &[f64]) -> f64;
}

use crate::error::Error;

/// Parses a chart name against a chart enum's list of values, so the accepted names are
/// exactly the names the charts report (no second table to keep in sync).
pub(crate) fn parse_named<T: Copy>(
    kind: &str,
    name: &str,
    all: &[T],
    name_of: impl Fn(&T) -> String,
) -> Result<T, Error> {
    all.iter()
        .find(|c| name_of(c) == name)
        .copied()
        .ok_or_else(|| Error::Unknown {
            kind: kind.to_string(),
            name: name.to_string(),
            expected: all.iter().map(&name_of).collect::<Vec<_>>().join(", "),
        })
}
