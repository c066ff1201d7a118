//! The same network written once for any scalar type, for small networks: a [`Metric`] in θ
//! (the output family's Fisher metric pulled back through z, by automatic differentiation), so
//! natflow's generic geometry gives the dense F and its Levi-Civita connection; and each
//! example's conditional model p(y | xₙ, θ) as a [`LogDensity`] with an exact expectation rule,
//! so the α-connection follows from its definition. The tests check the matrix-free products
//! of [`super::Mlp`] against both.

use super::mlp::{Dataset, Mlp};
use super::output::OutputFamily;
use crate::error::Result;
use crate::geometry::{Metric, Real};
use crate::model::LogDensity;
use crate::model::quadrature::gauss_hermite;
use nalgebra::DMatrix;
use num_dual::{Dual, HyperDual};

/// A network and its data, evaluated densely for any scalar type.
#[derive(Debug, Clone, Copy)]
pub struct DenseMlp<'a> {
    /// The network.
    pub net: &'a Mlp,
    /// The data.
    pub data: &'a Dataset,
}

impl DenseMlp<'_> {
    /// z(θ; xₙ) for example n.
    pub fn output<D: Real>(&self, theta: &[D], n: usize) -> Vec<D> {
        let mut a: Vec<D> = self.data.x_row(n).iter().map(|&x| D::from(x)).collect();
        let mut start = 0;
        for layer in &self.net.layers {
            let w = &theta[start..start + layer.n_out * layer.n_in];
            let b = &theta[start + layer.n_out * layer.n_in..start + layer.n_params()];
            a = (0..layer.n_out)
                .map(|o| {
                    let pre =
                        (0..layer.n_in).fold(b[o], |acc, i| acc + w[o * layer.n_in + i] * a[i]);
                    layer.activation.apply(pre)
                })
                .collect();
            start += layer.n_params();
        }
        a
    }

    /// L(θ) = (1/N) Σ [A(zₙ) − yₙ·zₙ] (for `gaussian` this differs from ½‖y − z‖² by a constant).
    pub fn loss<D: Real>(&self, theta: &[D]) -> D {
        let mut total = D::zero();
        for n in 0..self.data.n {
            let z = self.output(theta, n);
            let yz = z
                .iter()
                .zip(self.data.y_row(n))
                .fold(D::zero(), |acc, (&z, &y)| acc + z * y);
            total += self.net.output.log_partition(&z) - yz;
        }
        total / self.data.n as f64
    }
}

impl Metric for DenseMlp<'_> {
    fn dim(&self) -> usize {
        self.net.n_params()
    }
    fn name(&self) -> String {
        format!("network with {} parameters", self.net.n_params())
    }
    fn domain(&self, _theta: &[f64]) -> std::result::Result<(), String> {
        Ok(())
    }
    /// F(θ) = (1/N) Σ Jₙᵀ ∇²A(zₙ) Jₙ, Jₙ by one forward-mode pass per parameter and ∇²A by
    /// hyper-dual passes.
    fn metric_at<D: Real>(&self, theta: &[D]) -> DMatrix<D> {
        let p = theta.len();
        let k = self.net.output_dim();
        let mut f = DMatrix::from_element(p, p, D::zero());
        let mut td: Vec<Dual<D>> = theta.iter().map(|&t| Dual::from_re(t)).collect();
        for n in 0..self.data.n {
            let mut jac = DMatrix::from_element(k, p, D::zero());
            let mut z = vec![];
            for j in 0..p {
                td[j].eps = D::one();
                let out = self.output(&td, n);
                td[j].eps = D::zero();
                for (r, o) in out.iter().enumerate() {
                    jac[(r, j)] = o.eps;
                }
                if j == 0 {
                    z = out.iter().map(|o| o.re).collect();
                }
            }
            let mut h = DMatrix::from_element(k, k, D::zero());
            let mut zh: Vec<HyperDual<D>> = z.iter().map(|&v| HyperDual::from_re(v)).collect();
            for a in 0..k {
                for b in a..k {
                    zh[a].eps1 = D::one();
                    zh[b].eps2 = D::one();
                    let v = self.net.output.log_partition(&zh).eps1eps2;
                    zh[a].eps1 = D::zero();
                    zh[b].eps2 = D::zero();
                    h[(a, b)] = v;
                    h[(b, a)] = v;
                }
            }
            f += jac.transpose() * h * jac;
        }
        let inv_n = D::from(1.0 / self.data.n as f64);
        f.map(|v| v * inv_n)
    }
}

/// Example n's conditional model p(y | xₙ, θ) = h(y) exp(y·z − A(z)), z = z(θ; xₙ), with an
/// exact expectation rule over y: the 2ᵏ binary vectors (bernoulli), the k one-hot vectors
/// (categorical), or a tensor Gauss–Hermite rule of 4 points per output around z (gaussian,
/// exact for the cubic integrands of the Fisher metric and the α-connection).
#[derive(Debug, Clone, Copy)]
pub struct ExampleModel<'a> {
    /// The network and data.
    pub dense: DenseMlp<'a>,
    /// Which example.
    pub n: usize,
}

impl LogDensity for ExampleModel<'_> {
    type Outcome = Vec<f64>;
    fn dim(&self) -> usize {
        self.dense.net.n_params()
    }
    fn name(&self) -> String {
        format!("example {} of a network", self.n)
    }
    fn domain(&self, _theta: &[f64]) -> std::result::Result<(), String> {
        Ok(())
    }
    fn log_density<D: Real>(&self, theta: &[D], y: &Vec<f64>) -> D {
        let z = self.dense.output(theta, self.n);
        let yz = z.iter().zip(y).fold(D::zero(), |acc, (&z, &y)| acc + z * y);
        yz - self.dense.net.output.log_partition(&z)
    }
    fn expectation_rule(&self, theta: &[f64]) -> Result<Vec<(f64, Vec<f64>)>> {
        let z = self.dense.output(theta, self.n);
        let k = z.len();
        let mut mean = vec![0.0; k];
        self.dense.net.output.mean(&z, &mut mean);
        Ok(match self.dense.net.output {
            OutputFamily::Bernoulli => (0..1usize << k)
                .map(|bits| {
                    let y: Vec<f64> = (0..k).map(|i| ((bits >> i) & 1) as f64).collect();
                    let w = y
                        .iter()
                        .zip(&mean)
                        .map(|(y, p)| if *y == 1.0 { *p } else { 1.0 - p })
                        .product();
                    (w, y)
                })
                .collect(),
            OutputFamily::Categorical => (0..k)
                .map(|c| {
                    let y = (0..k).map(|i| f64::from(u8::from(i == c))).collect();
                    (mean[c], y)
                })
                .collect(),
            OutputFamily::Gaussian => {
                let (t, w) = gauss_hermite(4)?;
                let mut rule = vec![(1.0, mean.clone())];
                for i in 0..k {
                    rule = rule
                        .into_iter()
                        .flat_map(|(wr, y)| {
                            t.iter().zip(&w).map(move |(ti, wi)| {
                                let mut y = y.clone();
                                y[i] += ti;
                                (wr * wi, y)
                            })
                        })
                        .collect();
                }
                rule
            }
        })
    }
}
