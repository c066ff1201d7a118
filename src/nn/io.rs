//! Network, data and vector files (JSON):
//!
//! - network: `{"input_dim": d, "layers": [{"activation": "tanh", "w": [[…] rows], "b": […]}, …],
//!   "output": "bernoulli|gaussian|categorical"}` — each layer's `w` has one row per unit, each
//!   row as long as the previous layer is wide; the last activation is `linear`;
//! - data: `{"x": [[…] N rows], "y": [[…] N rows]}`;
//! - vector: `{"v": […]}` in the parameter layout of [`super::Mlp`].

use super::activation::Activation;
use super::mlp::{Dataset, Mlp};
use super::output::OutputFamily;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerFile {
    activation: String,
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkFile {
    input_dim: usize,
    layers: Vec<LayerFile>,
    output: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    x: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    v: Vec<f64>,
}

fn data_err(path: &Path, reason: impl Into<String>) -> Error {
    Error::Data {
        path: path.to_path_buf(),
        line: None,
        reason: reason.into(),
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).map_err(|e| data_err(path, format!("cannot read: {e}")))?;
    serde_json::from_str(&text).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        line: Some(e.line()),
        reason: format!("not a valid file of this kind: {e}"),
    })
}

/// Reads a network file: the network and its parameters θ.
pub fn read_network(path: &Path) -> Result<(Mlp, Vec<f64>)> {
    let file: NetworkFile = read_json(path)?;
    let err = |r: String| data_err(path, r);
    let acts = file
        .layers
        .iter()
        .map(|l| Activation::parse(&l.activation))
        .collect::<Result<Vec<_>>>()
        .map_err(|e| err(e.to_string()))?;
    let output = OutputFamily::parse(&file.output).map_err(|e| err(e.to_string()))?;
    let widths: Vec<usize> = file.layers.iter().map(|l| l.w.len()).collect();
    let net = Mlp::new(file.input_dim, &widths, &acts, output).map_err(|e| err(e.to_string()))?;
    let mut theta = Vec::with_capacity(net.n_params());
    for (i, (layer, spec)) in file.layers.iter().zip(&net.layers).enumerate() {
        if layer.b.len() != spec.n_out {
            return Err(err(format!(
                "layer {i}: {} weight rows but {} biases",
                spec.n_out,
                layer.b.len()
            )));
        }
        for (r, row) in layer.w.iter().enumerate() {
            if row.len() != spec.n_in {
                return Err(err(format!(
                    "layer {i}, weight row {r}: {} entries, but the layer has {} inputs",
                    row.len(),
                    spec.n_in
                )));
            }
            theta.extend_from_slice(row);
        }
        theta.extend_from_slice(&layer.b);
    }
    if let Some(v) = theta.iter().find(|v| !v.is_finite()) {
        return Err(err(format!("a parameter is {v}, not a finite number")));
    }
    Ok((net, theta))
}

/// Reads a data file and checks it against `net`.
pub fn read_dataset(path: &Path, net: &Mlp) -> Result<Dataset> {
    let file: DataFile = read_json(path)?;
    let data = Dataset::from_rows(&file.x, &file.y).map_err(|e| data_err(path, e.to_string()))?;
    net.check_data(&data)
        .map_err(|e| data_err(path, e.to_string()))?;
    Ok(data)
}

/// Reads a vector file of length n.
pub fn read_vector(path: &Path, n: usize) -> Result<Vec<f64>> {
    let file: VectorFile = read_json(path)?;
    crate::error::check_vector("v", &file.v, n).map_err(|e| data_err(path, e.to_string()))?;
    Ok(file.v)
}
