//! The MNIST subset shipped with natflow (`paper_repro/data/mnist10k`, embedded in the binary):
//! 7,996 training and 2,004 test digits of the real MNIST set, and its conversions to the
//! autoencoder task (pixels in [0, 1] as inputs and Bernoulli targets) and the classifier task
//! (one-hot targets).

use super::idx::{IdxArray, parse_idx};
use crate::error::{Error, Result};
use crate::nn::mlp::Dataset;
use std::path::Path;

const DIR: &str = "paper_repro/data/mnist10k";
const TRAIN_IMAGES: &[u8] =
    include_bytes!("../../../paper_repro/data/mnist10k/train-images-idx3-ubyte.gz");
const TRAIN_LABELS: &[u8] =
    include_bytes!("../../../paper_repro/data/mnist10k/train-labels-idx1-ubyte.gz");
const TEST_IMAGES: &[u8] =
    include_bytes!("../../../paper_repro/data/mnist10k/t10k-images-idx3-ubyte.gz");
const TEST_LABELS: &[u8] =
    include_bytes!("../../../paper_repro/data/mnist10k/t10k-labels-idx1-ubyte.gz");

/// Images and labels of both splits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mnist {
    /// Training images, [N, 28, 28].
    pub train_images: IdxArray,
    /// Training labels, \[N\].
    pub train_labels: IdxArray,
    /// Test images.
    pub test_images: IdxArray,
    /// Test labels.
    pub test_labels: IdxArray,
}

/// The embedded MNIST subset.
pub fn mnist_subset() -> Result<Mnist> {
    let p = |name: &str| Path::new(DIR).join(name);
    let m = Mnist {
        train_images: parse_idx(TRAIN_IMAGES, &p("train-images-idx3-ubyte.gz"))?,
        train_labels: parse_idx(TRAIN_LABELS, &p("train-labels-idx1-ubyte.gz"))?,
        test_images: parse_idx(TEST_IMAGES, &p("t10k-images-idx3-ubyte.gz"))?,
        test_labels: parse_idx(TEST_LABELS, &p("t10k-labels-idx1-ubyte.gz"))?,
    };
    for (images, labels) in [
        (&m.train_images, &m.train_labels),
        (&m.test_images, &m.test_labels),
    ] {
        if images.len() != labels.len() || labels.data.iter().any(|&l| l > 9) {
            return Err(Error::InvalidArgument(
                "the MNIST files do not fit together (counts or labels)".into(),
            ));
        }
    }
    Ok(m)
}

/// The first `n` images as rows of intensities pixel/255 ∈ [0, 1].
fn pixels(images: &IdxArray, n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| {
            images
                .item(i)
                .iter()
                .map(|&p| f64::from(p) / 255.0)
                .collect()
        })
        .collect()
}

/// The first `n` images (all if `n` exceeds them) as an autoencoder dataset: x = y = pixel/255.
pub fn autoencoder(images: &IdxArray, n: usize) -> Result<Dataset> {
    let rows = pixels(images, n.min(images.len()));
    Dataset::from_rows(&rows, &rows)
}

/// The first `n` images and labels as a classifier dataset: pixel/255 inputs, one-hot targets
/// over the ten digits.
pub fn classifier(images: &IdxArray, labels: &IdxArray, n: usize) -> Result<Dataset> {
    let n = n.min(images.len()).min(labels.len());
    let x = pixels(images, n);
    let y: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..10)
                .map(|c| f64::from(u8::from(labels.data[i] as usize == c)))
                .collect()
        })
        .collect();
    Dataset::from_rows(&x, &y)
}
