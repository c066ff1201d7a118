//! A network, its data and an α as a natural-gradient problem: loss and gradient, the
//! Fisher-vector product and the first-kind α-connection, each matrix-free. Wrapped in
//! [`crate::problem::MatrixFreeProblem`] it answers the natural velocity and Γ_α(v,v) by
//! conjugate gradient, so every method of [`crate::optim`] runs on it unchanged.

use super::mlp::{Dataset, Mlp, Workspace};
use crate::error::{Error, Result, check_vector};
use crate::problem::{Domain, FirstKindConnection, Loss, MetricProduct, check_out};
use std::cell::RefCell;

/// A network on a dataset with the α-connection (α = 0: Levi-Civita of the Fisher metric).
///
/// Holds one [`Workspace`] for the dataset's size, reused by every product (single-threaded use
/// per instance; the products themselves run their matrix multiplications on every core).
#[derive(Debug)]
pub struct NetworkProblem {
    /// The network.
    pub net: Mlp,
    /// The data.
    pub data: Dataset,
    /// α of the connection.
    pub alpha: f64,
    ws: RefCell<Workspace>,
}

impl NetworkProblem {
    /// `net` on `data` with the α-connection; checks that they fit together.
    pub fn new(net: Mlp, data: Dataset, alpha: f64) -> Result<Self> {
        net.check_data(&data)?;
        if !alpha.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "α must be a finite number, got {alpha}"
            )));
        }
        let ws = RefCell::new(Workspace::new(&net, data.n));
        Ok(Self {
            net,
            data,
            alpha,
            ws,
        })
    }
}

impl Domain for NetworkProblem {
    fn dim(&self) -> usize {
        self.net.n_params()
    }
    fn check(&self, theta: &[f64]) -> Result<()> {
        check_vector("parameters", theta, self.net.n_params())
    }
}

impl Loss for NetworkProblem {
    fn loss(&self, theta: &[f64]) -> Result<f64> {
        self.net.loss(theta, &self.data, &mut self.ws.borrow_mut())
    }
    fn gradient_into(&self, theta: &[f64], out: &mut [f64]) -> Result<()> {
        check_out("gradient", out, self.dim())?;
        self.net
            .loss_gradient(theta, &self.data, &mut self.ws.borrow_mut(), out)
            .map(|_| ())
    }
}

impl MetricProduct for NetworkProblem {
    fn metric_vector_into(&self, theta: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        self.net
            .fisher_vector(theta, &self.data, v, &mut self.ws.borrow_mut(), out)
    }
}

impl FirstKindConnection for NetworkProblem {
    fn connection_vv_into(&self, theta: &[f64], v: &[f64], out: &mut [f64]) -> Result<()> {
        self.net.connection_vector(
            theta,
            &self.data,
            v,
            self.alpha,
            &mut self.ws.borrow_mut(),
            out,
        )
    }
}
