//! Image data: the IDX reader on hand-made files (plain, gzip, truncated, wrong magic, wrong
//! type), the embedded MNIST subset's shape and labels, and the CURVES generator's determinism
//! and range.

use flate2::Compression;
use flate2::write::GzEncoder;
use natflow::nn::data::mnist::{autoencoder, classifier};
use natflow::nn::data::{curves, mnist_subset, parse_idx, read_idx};
use std::io::Write;
use std::path::Path;

fn idx_2x3() -> Vec<u8> {
    let mut b = vec![0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3];
    b.extend([1, 2, 3, 4, 5, 250]);
    b
}

#[test]
fn idx_reader_on_hand_made_files() {
    let name = Path::new("test.idx");
    let a = parse_idx(&idx_2x3(), name).unwrap();
    assert_eq!(a.dims, [2, 3]);
    assert_eq!(a.item(1), [4, 5, 250]);
    // The same bytes gzipped, through a real file.
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&idx_2x3()).unwrap();
    let path = std::env::temp_dir().join(format!("natflow-idx-{}.gz", std::process::id()));
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    assert_eq!(read_idx(&path).unwrap(), a);
    // Truncated data, a truncated header, a wrong magic, an unsupported type, broken gzip.
    let mut short = idx_2x3();
    short.pop();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (short, "promises 6 values"),
        (vec![0, 0, 0x08, 3, 0, 0], "truncated"),
        (vec![1, 2, 0x08, 1, 0, 0, 0, 0], "two zero bytes"),
        (vec![0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0], "0x0d"),
        (vec![0x1f, 0x8b, 1, 2, 3], "gzip"),
    ];
    for (bytes, needle) in cases {
        let e = parse_idx(&bytes, name).unwrap_err().to_string();
        assert!(e.contains(needle) && e.contains("test.idx"), "{e}");
    }
    assert!(read_idx(Path::new("/no/such.idx")).is_err());
}

#[test]
fn the_embedded_mnist_subset() {
    let m = mnist_subset().unwrap();
    assert_eq!(m.train_images.dims, [7996, 28, 28]);
    assert_eq!(m.test_images.dims, [2004, 28, 28]);
    assert_eq!(m.train_labels.dims, [7996]);
    for d in 0..10u8 {
        let count = m.train_labels.data.iter().filter(|&&l| l == d).count();
        assert!(count > 500, "digit {d}: {count}");
    }
    let ae = autoencoder(&m.train_images, 100).unwrap();
    assert_eq!((ae.n, ae.input_dim, ae.target_dim), (100, 784, 784));
    assert!(ae.x.iter().all(|v| (0.0..=1.0).contains(v)));
    assert!(ae.x.contains(&1.0));
    let cl = classifier(&m.test_images, &m.test_labels, 50).unwrap();
    assert_eq!(cl.target_dim, 10);
    for i in 0..50 {
        let y = cl.y_row(i);
        assert_eq!(y.iter().sum::<f64>(), 1.0);
        assert_eq!(y[m.test_labels.data[i] as usize], 1.0);
    }
}

#[test]
fn curves_are_deterministic_and_in_range() {
    let a = curves(20, 7).unwrap();
    assert_eq!(a, curves(20, 7).unwrap());
    assert_ne!(a.x, curves(20, 8).unwrap().x);
    assert_eq!(a.input_dim, 784);
    for i in 0..a.n {
        let img = a.x_row(i);
        assert!(img.iter().all(|v| (0.0..=1.0).contains(v)));
        let max = img.iter().cloned().fold(0.0, f64::max);
        let mean = img.iter().sum::<f64>() / 784.0;
        // A curve: some pixels fully inked, most of the image blank.
        assert!(
            max > 0.9 && mean < 0.25,
            "image {i}: max {max}, mean {mean}"
        );
    }
}

#[test]
fn sparse_initialisation_has_fifteen_standard_normal_weights_per_unit() {
    use natflow::nn::{Activation, Mlp, OutputFamily};
    let widths = [400, 200, 30, 10];
    let acts = [
        Activation::Logistic,
        Activation::Logistic,
        Activation::Linear,
        Activation::Linear,
    ];
    let net = Mlp::new(784, &widths, &acts, OutputFamily::Categorical).unwrap();
    let theta = net.sparse_init(3);
    assert_eq!(theta, net.sparse_init(3));
    assert_ne!(theta, net.sparse_init(4));
    let mut weights = vec![];
    for (l, layer) in net.layers.iter().enumerate() {
        let (w, b) = net.layer_params(&theta, l);
        assert!(
            b.iter().all(|&v| v == 0.0),
            "layer {l}: biases must be zero"
        );
        for row in w.chunks_exact(layer.n_in) {
            let nonzero: Vec<f64> = row.iter().copied().filter(|&v| v != 0.0).collect();
            assert_eq!(nonzero.len(), layer.n_in.min(15), "layer {l}");
            weights.extend(nonzero);
        }
    }
    // 640 units × 15 weights from N(0, 1): mean and variance within four standard errors.
    let n = weights.len() as f64;
    assert_eq!(n, 9600.0);
    let mean = weights.iter().sum::<f64>() / n;
    let var = weights.iter().map(|w| (w - mean) * (w - mean)).sum::<f64>() / (n - 1.0);
    assert!(mean.abs() < 4.0 / n.sqrt(), "mean {mean}");
    assert!((var - 1.0).abs() < 4.0 * (2.0 / n).sqrt(), "variance {var}");
    // Fourth moment of a normal: 3σ⁴ (heavier or lighter tails would show here).
    let kurt = weights.iter().map(|w| (w - mean).powi(4)).sum::<f64>() / n / (var * var);
    assert!(
        (kurt - 3.0).abs() < 4.0 * (24.0 / n).sqrt(),
        "kurtosis {kurt}"
    );
}
