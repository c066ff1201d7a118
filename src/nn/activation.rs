//! Elementwise activations φ with φ′ and φ″ (for backpropagation and the second-order forward
//! pass), and the same φ for any scalar type (the dense automatic-differentiation check).

use crate::error::Result;
use crate::geometry::Real;
use serde::{Deserialize, Serialize};

/// An elementwise activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// σ(x) = 1/(1 + e^{−x}); σ′ = σ(1 − σ), σ″ = σ(1 − σ)(1 − 2σ).
    Logistic,
    /// tanh x; 1 − t², −2t(1 − t²).
    Tanh,
    /// max(0, x); 1(x > 0), 0 (the kink at 0 taken as 0).
    Relu,
    /// ln(1 + eˣ); σ(x), σ(x)(1 − σ(x)).
    Softplus,
    /// x; 1, 0.
    Linear,
}

impl Activation {
    /// Every activation, by the names used in network files.
    pub const ALL: [Activation; 5] = [
        Activation::Logistic,
        Activation::Tanh,
        Activation::Relu,
        Activation::Softplus,
        Activation::Linear,
    ];

    /// The name used in network files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Logistic => "logistic",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Softplus => "softplus",
            Activation::Linear => "linear",
        }
    }

    /// The activation called `name`.
    pub fn parse(name: &str) -> Result<Self> {
        crate::error::parse_named("activation", name, &Self::ALL, Self::name)
    }

    /// (φ(x), φ′(x), φ″(x)).
    #[inline]
    pub fn eval(self, x: f64) -> (f64, f64, f64) {
        match self {
            Activation::Logistic => super::kernels::logistic3(x),
            Activation::Tanh => super::kernels::tanh3(x),
            Activation::Relu => {
                if x > 0.0 {
                    (x, 1.0, 0.0)
                } else {
                    (0.0, 0.0, 0.0)
                }
            }
            Activation::Softplus => {
                let s = logistic(x);
                (softplus(x), s, s * (1.0 - s))
            }
            Activation::Linear => (x, 1.0, 0.0),
        }
    }

    /// z ← φ(z), d1 ← φ′(z) and, when given, d2 ← φ″(z), elementwise over a whole layer
    /// (the logistic function and tanh through the vectorised [`kernels`](super::kernels)).
    pub fn eval_slice(self, z: &mut [f64], d1: &mut [f64], d2: Option<&mut [f64]>) {
        match (self, d2) {
            (Activation::Logistic, Some(d2)) => super::kernels::logistic_derivatives(z, d1, d2),
            (Activation::Logistic, None) => super::kernels::logistic_first(z, d1),
            (Activation::Tanh, Some(d2)) => super::kernels::tanh_derivatives(z, d1, d2),
            (Activation::Tanh, None) => super::kernels::tanh_first(z, d1),
            (Activation::Linear, d2) => {
                d1.fill(1.0);
                if let Some(d2) = d2 {
                    d2.fill(0.0);
                }
            }
            (act, Some(d2)) => {
                for ((z, d1), d2) in z.iter_mut().zip(d1.iter_mut()).zip(d2.iter_mut()) {
                    (*z, *d1, *d2) = act.eval(*z);
                }
            }
            (act, None) => {
                for (z, d1) in z.iter_mut().zip(d1.iter_mut()) {
                    let (f, f1, _) = act.eval(*z);
                    (*z, *d1) = (f, f1);
                }
            }
        }
    }

    /// φ(x) for any scalar type.
    pub fn apply<D: Real>(self, x: D) -> D {
        match self {
            Activation::Logistic => (D::one() + (-x).exp()).recip(),
            Activation::Tanh => x.tanh(),
            Activation::Relu => {
                if x.re() > 0.0 {
                    x
                } else {
                    D::zero()
                }
            }
            Activation::Softplus => {
                // max(x, 0) + ln(1 + e^{−|x|}), stable for large |x|.
                if x.re() > 0.0 {
                    x + (D::one() + (-x).exp()).ln()
                } else {
                    (D::one() + x.exp()).ln()
                }
            }
            Activation::Linear => x,
        }
    }
}

/// σ(x) = 1/(1 + e^{−x}), without overflow.
#[inline]
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + eˣ), without overflow or loss of digits.
#[inline]
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}
