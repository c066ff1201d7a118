//! A multilayer perceptron whose output z is the natural parameter of an output family, with
//! its loss, gradient, Fisher-vector product and α-connection product computed matrix-free.
//!
//! Layers l = 1…L: Z_l = A_{l−1} W_lᵀ + 1 b_lᵀ, A_l = φ_l(Z_l), A_0 = X (N examples as rows),
//! z = Z_L (the last activation is linear). One flat parameter vector θ: layer by layer, W_l
//! (n_out × n_in) row by row, then b_l. L(θ) = (1/N) Σₙ ℓ(zₙ, yₙ).
//!
//! For a direction v (V_l, v_b in the same layout) the passes are, with Ż = ∂ᵥZ, Z̈ = ∂²ᵥZ:
//!
//! ```text
//! forward          Z_l = A_{l−1}W_lᵀ + b_l,            A_l = φ(Z_l)
//! R-pass (Jv)      Ż_l = Ȧ_{l−1}W_lᵀ + A_{l−1}V_lᵀ + v_b,   Ȧ_l = φ′(Z_l)⊙Ż_l
//! S-pass (D²z[v,v]) Z̈_l = Ä_{l−1}W_lᵀ + 2Ȧ_{l−1}V_lᵀ,      Ä_l = φ″(Z_l)⊙Ż_l² + φ′(Z_l)⊙Z̈_l
//! backprop (Jᵀδ)   ∂W_l = δ_lᵀA_{l−1}, ∂b_l = 1ᵀδ_l,      δ_{l−1} = (δ_l W_l)⊙φ′(Z_{l−1})
//! ```
//!
//! (Ȧ_0 = Ä_0 = 0: the inputs do not depend on θ.) Then, with Hₙ = ∇²A(zₙ):
//!
//! - ∇L = Jᵀδ with δₙ = (∇A(zₙ) − yₙ)/N;
//! - F v = (1/N) Σ Jₙᵀ Hₙ Jₙ v: backprop of δₙ = Hₙ Żₙ / N (the Gauss–Newton product,
//!   Schraudolph 2002; equal to the Fisher metric for these families, Martens 2014);
//! - c_α(v) = (1/N) Σ Jₙᵀ [Hₙ D²zₙ\[v,v\] + (1−α)/2 · D³A(zₙ)[Jₙv, Jₙv, ·]]: backprop of
//!   δₙ = (Hₙ Z̈ₙ + (1−α)/2 D³A[Żₙ, Żₙ, ·]) / N (the first-kind α-connection of the model,
//!   contracted twice with v; α = 0 is the Levi-Civita connection of F).
//!
//! Matrix products go through faer's packed, multithreaded GEMM; every buffer lives in a
//! [`Workspace`] made once per batch size, so a product allocates nothing.

use super::activation::Activation;
use super::output::OutputFamily;
use crate::error::{Error, Result, check_vector};
use crate::problem::check_out;
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef};

/// One dense layer's shape and activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    /// Inputs.
    pub n_in: usize,
    /// Outputs (units).
    pub n_out: usize,
    /// Activation.
    pub activation: Activation,
}

impl Layer {
    /// Parameters of the layer: n_out · n_in weights and n_out biases.
    pub fn n_params(&self) -> usize {
        self.n_out * (self.n_in + 1)
    }
}

/// A multilayer perceptron with an output family.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    /// Input dimension d.
    pub input_dim: usize,
    /// The layers, input to output.
    pub layers: Vec<Layer>,
    /// The output family of z = Z_L.
    pub output: OutputFamily,
}

/// Training or probing data: N examples, inputs and targets as rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// N.
    pub n: usize,
    /// Input dimension d.
    pub input_dim: usize,
    /// Target dimension k.
    pub target_dim: usize,
    /// X, N × d, row-major.
    pub x: Vec<f64>,
    /// Y, N × k, row-major.
    pub y: Vec<f64>,
}

impl Dataset {
    /// Data from rows; all rows of a kind must have one length, all numbers finite, N ≥ 1.
    pub fn from_rows(x: &[Vec<f64>], y: &[Vec<f64>]) -> Result<Self> {
        if x.is_empty() {
            return Err(Error::InvalidArgument("the data has no examples".into()));
        }
        if x.len() != y.len() {
            return Err(Error::InvalidArgument(format!(
                "the data has {} input rows but {} target rows",
                x.len(),
                y.len()
            )));
        }
        let (d, k) = (x[0].len(), y[0].len());
        if d == 0 || k == 0 {
            return Err(Error::InvalidArgument("empty input or target rows".into()));
        }
        let mut xs = Vec::with_capacity(x.len() * d);
        let mut ys = Vec::with_capacity(y.len() * k);
        for (i, (xr, yr)) in x.iter().zip(y).enumerate() {
            check_vector(&format!("input row {i}"), xr, d)?;
            check_vector(&format!("target row {i}"), yr, k)?;
            xs.extend_from_slice(xr);
            ys.extend_from_slice(yr);
        }
        Ok(Self {
            n: x.len(),
            input_dim: d,
            target_dim: k,
            x: xs,
            y: ys,
        })
    }

    /// The examples `start..end` as a dataset of their own (a copy).
    pub fn rows(&self, start: usize, end: usize) -> Result<Dataset> {
        if start >= end || end > self.n {
            return Err(Error::InvalidArgument(format!(
                "rows {start}..{end} are not a non-empty range of the {} examples",
                self.n
            )));
        }
        Ok(Dataset {
            n: end - start,
            input_dim: self.input_dim,
            target_dim: self.target_dim,
            x: self.x[start * self.input_dim..end * self.input_dim].to_vec(),
            y: self.y[start * self.target_dim..end * self.target_dim].to_vec(),
        })
    }

    /// Input row n.
    pub fn x_row(&self, n: usize) -> &[f64] {
        &self.x[n * self.input_dim..(n + 1) * self.input_dim]
    }

    /// Target row n.
    pub fn y_row(&self, n: usize) -> &[f64] {
        &self.y[n * self.target_dim..(n + 1) * self.target_dim]
    }
}

impl Mlp {
    /// A network from the input dimension, the layer widths and their activations; the last
    /// activation must be `linear` (z is the output family's natural parameter).
    pub fn new(
        input_dim: usize,
        widths: &[usize],
        activations: &[Activation],
        output: OutputFamily,
    ) -> Result<Self> {
        if input_dim == 0 || widths.is_empty() || widths.contains(&0) {
            return Err(Error::InvalidArgument(
                "a network needs a positive input dimension and at least one layer of positive width"
                    .into(),
            ));
        }
        if widths.len() != activations.len() {
            return Err(Error::InvalidArgument(format!(
                "{} layer widths but {} activations",
                widths.len(),
                activations.len()
            )));
        }
        if activations.last() != Some(&Activation::Linear) {
            return Err(Error::InvalidArgument(
                "the last layer's activation must be linear: its output is the natural parameter of the output family"
                    .into(),
            ));
        }
        let mut layers = Vec::with_capacity(widths.len());
        let mut n_in = input_dim;
        for (&n_out, &activation) in widths.iter().zip(activations) {
            layers.push(Layer {
                n_in,
                n_out,
                activation,
            });
            n_in = n_out;
        }
        Ok(Self {
            input_dim,
            layers,
            output,
        })
    }

    /// Sparse initialisation (Martens 2010): each unit gets min(15, n_in) incoming weights drawn
    /// from N(0, 1) at distinct random inputs, every other weight and every bias zero; seeded.
    pub fn sparse_init(&self, seed: u64) -> Vec<f64> {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut theta = vec![0.0; self.n_params()];
        let mut start = 0;
        for layer in &self.layers {
            let k = layer.n_in.min(15);
            for o in 0..layer.n_out {
                // k distinct inputs by a partial Fisher–Yates shuffle.
                let mut idx: Vec<usize> = (0..layer.n_in).collect();
                for j in 0..k {
                    let pick = rng.random_range(j..layer.n_in);
                    idx.swap(j, pick);
                    // N(0, 1) by Box–Muller.
                    let (u1, u2): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
                    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                    theta[start + o * layer.n_in + idx[j]] = z;
                }
            }
            start += layer.n_params();
        }
        theta
    }

    /// The number of parameters.
    pub fn n_params(&self) -> usize {
        self.layers.iter().map(Layer::n_params).sum()
    }

    /// The output dimension k.
    pub fn output_dim(&self) -> usize {
        self.layers.last().map_or(0, |l| l.n_out)
    }

    /// Checks that `data` fits the network (dimensions, targets of the output family).
    pub fn check_data(&self, data: &Dataset) -> Result<()> {
        if data.input_dim != self.input_dim {
            return Err(Error::InvalidArgument(format!(
                "the data has inputs of dimension {} but the network takes {}",
                data.input_dim, self.input_dim
            )));
        }
        if data.target_dim != self.output_dim() {
            return Err(Error::InvalidArgument(format!(
                "the data has targets of dimension {} but the network outputs {}",
                data.target_dim,
                self.output_dim()
            )));
        }
        for n in 0..data.n {
            self.output
                .check_target(data.y_row(n))
                .map_err(|r| Error::InvalidArgument(format!("target row {n}: {r}")))?;
        }
        Ok(())
    }

    /// (W_l, b_l) of layer l inside θ.
    pub fn layer_params<'a>(&self, theta: &'a [f64], l: usize) -> (&'a [f64], &'a [f64]) {
        let start: usize = self.layers[..l].iter().map(Layer::n_params).sum();
        let layer = self.layers[l];
        let w_end = start + layer.n_out * layer.n_in;
        (&theta[start..w_end], &theta[w_end..w_end + layer.n_out])
    }

    fn layer_params_mut<'a>(&self, g: &'a mut [f64], l: usize) -> (&'a mut [f64], &'a mut [f64]) {
        let start: usize = self.layers[..l].iter().map(Layer::n_params).sum();
        let layer = self.layers[l];
        let (_, rest) = g.split_at_mut(start);
        let (w, rest) = rest.split_at_mut(layer.n_out * layer.n_in);
        (w, &mut rest[..layer.n_out])
    }
}

/// Buffers for one batch size: activations and their first and second directional
/// derivatives, φ′ and φ″ at every layer, and the backpropagated errors.
#[derive(Debug, Clone)]
pub struct Workspace {
    n: usize,
    a: Vec<Vec<f64>>,
    d1: Vec<Vec<f64>>,
    d2: Vec<Vec<f64>>,
    a_dot: Vec<Vec<f64>>,
    a_ddot: Vec<Vec<f64>>,
    delta: Vec<f64>,
    delta_prev: Vec<f64>,
    mean: Vec<f64>,
}

impl Workspace {
    /// Buffers for `net` on batches of n examples.
    pub fn new(net: &Mlp, n: usize) -> Self {
        let widths: Vec<usize> = net.layers.iter().map(|l| l.n_out).collect();
        let per_layer = || widths.iter().map(|w| vec![0.0; n * w]).collect::<Vec<_>>();
        let widest = widths
            .iter()
            .copied()
            .chain([net.input_dim])
            .max()
            .unwrap_or(0);
        let k = net.output_dim();
        Self {
            n,
            a: per_layer(),
            d1: per_layer(),
            d2: per_layer(),
            a_dot: per_layer(),
            a_ddot: per_layer(),
            delta: vec![0.0; n * widest],
            delta_prev: vec![0.0; n * widest],
            mean: vec![0.0; k],
        }
    }

    /// The batch size the buffers are for.
    pub fn batch_size(&self) -> usize {
        self.n
    }
}

/// Products smaller than this many multiply-adds run on one thread (waking the pool costs
/// more than it saves on small layers).
const PARALLEL_WORK: usize = 1 << 18;

/// dst (m × n) = or += alpha · lhs · rhs, on every core when the product is large.
fn gemm(
    dst: MatMut<'_, f64>,
    accum: Accum,
    lhs: MatRef<'_, f64>,
    rhs: MatRef<'_, f64>,
    alpha: f64,
) {
    let work = dst.nrows() * dst.ncols() * lhs.ncols();
    let par = if work < PARALLEL_WORK {
        faer::Par::Seq
    } else {
        faer::get_global_parallelism()
    };
    matmul(dst, accum, lhs, rhs, alpha, par);
    clear_upper_simd_state();
}

/// Clears the upper halves of the vector registers (`vzeroupper`) after faer's AVX/AVX-512
/// kernels. Left dirty, every switch between them and the SSE code of the scalar loops and of
/// libm's `exp`/`log1p` pays a transition penalty: measured on the development machine, a
/// 200-example Bernoulli loss took 2.9 ms instead of ~0.1 ms, 360 ns per `exp`.
#[inline]
fn clear_upper_simd_state() {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx")]
        fn zero_upper() {
            std::arch::x86_64::_mm256_zeroupper();
        }
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU supports AVX (checked at run time).
            unsafe { zero_upper() }
        }
    }
}

/// dst (N × n_out) = or += alpha · src (N × n_in) · Mᵀ, for M (n_out × n_in, row-major) a
/// layer's weights or a direction's: the product every forward-type pass makes.
fn times_transposed(
    dst: &mut [f64],
    accum: Accum,
    src: &[f64],
    m: &[f64],
    n: usize,
    layer: Layer,
    alpha: f64,
) {
    gemm(
        rm_mut(dst, n, layer.n_out),
        accum,
        rm(src, n, layer.n_in),
        rm(m, layer.n_out, layer.n_in).transpose(),
        alpha,
    );
}

fn rm(s: &[f64], rows: usize, cols: usize) -> MatRef<'_, f64> {
    MatRef::from_row_major_slice(s, rows, cols)
}

fn rm_mut(s: &mut [f64], rows: usize, cols: usize) -> MatMut<'_, f64> {
    MatMut::from_row_major_slice_mut(s, rows, cols)
}

/// What the passes compute beyond the plain forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Passes {
    Forward,
    /// Forward and R-pass.
    First,
    /// Forward, R-pass and S-pass.
    Second,
}

impl Mlp {
    fn check_call(&self, theta: &[f64], data: &Dataset, ws: &Workspace) -> Result<()> {
        check_vector("parameters", theta, self.n_params())?;
        if ws.n != data.n {
            return Err(Error::Dimension {
                what: "workspace batch size".into(),
                expected: data.n,
                got: ws.n,
            });
        }
        if data.input_dim != self.input_dim || data.target_dim != self.output_dim() {
            return self.check_data(data);
        }
        Ok(())
    }

    /// The forward pass, and with a direction v the R- and S-passes, into the workspace.
    fn passes(
        &self,
        theta: &[f64],
        v: Option<&[f64]>,
        data: &Dataset,
        ws: &mut Workspace,
        which: Passes,
    ) {
        let n = data.n;
        for (l, layer) in self.layers.iter().enumerate() {
            let (w, b) = self.layer_params(theta, l);
            let (before, rest) = ws.a.split_at_mut(l);
            let a_prev: &[f64] = if l == 0 { &data.x } else { &before[l - 1] };
            let z = &mut rest[0];
            // Z = A_{l−1} Wᵀ + 1 bᵀ (bias first, then accumulate the product).
            for row in z.chunks_exact_mut(layer.n_out) {
                row.copy_from_slice(b);
            }
            times_transposed(z, Accum::Add, a_prev, w, n, *layer, 1.0);
            let (d1, d2) = (&mut ws.d1[l], &mut ws.d2[l]);
            let act = layer.activation;
            for i in 0..z.len() {
                let (f, f1, f2) = act.eval(z[i]);
                z[i] = f;
                d1[i] = f1;
                d2[i] = f2;
            }
            if which == Passes::Forward {
                continue;
            }
            let v = v.expect("a direction for the R-pass");
            let (vw, vb) = self.layer_params(v, l);
            // Ż = Ȧ_{l−1}Wᵀ + A_{l−1}Vᵀ + v_b, kept in a_dot until multiplied by φ′.
            let (dot_before, dot_rest) = ws.a_dot.split_at_mut(l);
            let z_dot = &mut dot_rest[0];
            for row in z_dot.chunks_exact_mut(layer.n_out) {
                row.copy_from_slice(vb);
            }
            times_transposed(z_dot, Accum::Add, a_prev, vw, n, *layer, 1.0);
            if l > 0 {
                times_transposed(z_dot, Accum::Add, &dot_before[l - 1], w, n, *layer, 1.0);
            }
            if which == Passes::Second {
                // Z̈ = Ä_{l−1}Wᵀ + 2Ȧ_{l−1}Vᵀ (zero at the first layer).
                let (dd_before, dd_rest) = ws.a_ddot.split_at_mut(l);
                let z_ddot = &mut dd_rest[0];
                if l == 0 {
                    z_ddot.iter_mut().for_each(|v| *v = 0.0);
                } else {
                    let (a_dd, a_d) = (&dd_before[l - 1], &dot_before[l - 1]);
                    times_transposed(z_ddot, Accum::Replace, a_dd, w, n, *layer, 1.0);
                    times_transposed(z_ddot, Accum::Add, a_d, vw, n, *layer, 2.0);
                }
                // Ä = φ″⊙Ż² + φ′⊙Z̈.
                for i in 0..z_ddot.len() {
                    z_ddot[i] = d2[i] * z_dot[i] * z_dot[i] + d1[i] * z_ddot[i];
                }
            }
            // Ȧ = φ′⊙Ż.
            for i in 0..z_dot.len() {
                z_dot[i] *= d1[i];
            }
        }
    }

    /// Backpropagates δ_L (in `ws.delta`, N × k) into `out` = Jᵀδ in the parameter layout.
    fn backprop(&self, theta: &[f64], data: &Dataset, ws: &mut Workspace, out: &mut [f64]) {
        let n = data.n;
        for l in (0..self.layers.len()).rev() {
            let layer = self.layers[l];
            let a_prev: &[f64] = if l == 0 { &data.x } else { &ws.a[l - 1] };
            let delta = &ws.delta[..n * layer.n_out];
            let (gw, gb) = self.layer_params_mut(out, l);
            // ∂W = δᵀ A_{l−1}, ∂b = column sums of δ.
            gemm(
                rm_mut(gw, layer.n_out, layer.n_in),
                Accum::Replace,
                rm(delta, n, layer.n_out).transpose(),
                rm(a_prev, n, layer.n_in),
                1.0,
            );
            gb.iter_mut().for_each(|g| *g = 0.0);
            for row in delta.chunks_exact(layer.n_out) {
                gb.iter_mut().zip(row).for_each(|(g, d)| *g += d);
            }
            if l > 0 {
                let (w, _) = self.layer_params(theta, l);
                let prev = &mut ws.delta_prev[..n * layer.n_in];
                gemm(
                    rm_mut(prev, n, layer.n_in),
                    Accum::Replace,
                    rm(delta, n, layer.n_out),
                    rm(w, layer.n_out, layer.n_in),
                    1.0,
                );
                let d1 = &ws.d1[l - 1];
                prev.iter_mut().zip(d1).for_each(|(p, d)| *p *= d);
                std::mem::swap(&mut ws.delta, &mut ws.delta_prev);
            }
        }
    }

    /// L = (1/N) Σ ℓ(zₙ, yₙ) after a forward pass, with δ_L = (∇A(zₙ) − yₙ)/N written to
    /// `ws.delta` (scaled by 1/N when `for_gradient`).
    ///
    /// The elementwise loops here and in the passes run on one thread: spreading them over a
    /// second thread pool (rayon's own, or faer's spindle pool between GEMM calls) made the
    /// products 3–7× slower on the 2-core development machine, as the pools' spinning workers
    /// took the cores from the next GEMM (measured with `cargo bench --bench nn`).
    fn output_loss(&self, data: &Dataset, ws: &mut Workspace, for_gradient: bool) -> f64 {
        let k = self.output_dim();
        let n = data.n;
        let inv_n = 1.0 / n as f64;
        let z = &ws.a[self.layers.len() - 1];
        let out = self.output;
        let mut loss = 0.0;
        for (i, dr) in ws.delta[..n * k].chunks_exact_mut(k).enumerate() {
            loss += out.loss_grad(&z[i * k..(i + 1) * k], data.y_row(i), dr);
            if for_gradient {
                dr.iter_mut().for_each(|g| *g *= inv_n);
            }
        }
        loss * inv_n
    }

    /// The loss L(θ) = (1/N) Σ ℓ(zₙ, yₙ) and its gradient into `grad`.
    pub fn loss_gradient(
        &self,
        theta: &[f64],
        data: &Dataset,
        ws: &mut Workspace,
        grad: &mut [f64],
    ) -> Result<f64> {
        self.check_call(theta, data, ws)?;
        check_out("gradient", grad, self.n_params())?;
        self.passes(theta, None, data, ws, Passes::Forward);
        let loss = self.output_loss(data, ws, true);
        self.backprop(theta, data, ws, grad);
        Ok(loss)
    }

    /// The loss and the training error from one forward pass. The error is the
    /// classification error rate for `categorical` (argmax z against argmax y), else the squared
    /// error of the mean prediction ∇A(z) summed over outputs, averaged over examples (the
    /// reconstruction error of Hinton & Salakhutdinov 2006 for autoencoders).
    pub fn loss_and_error(
        &self,
        theta: &[f64],
        data: &Dataset,
        ws: &mut Workspace,
    ) -> Result<(f64, f64)> {
        self.check_call(theta, data, ws)?;
        self.passes(theta, None, data, ws, Passes::Forward);
        let loss = self.output_loss(data, ws, false);
        let k = self.output_dim();
        let z = &ws.a[self.layers.len() - 1];
        let mut total = 0.0;
        for i in 0..data.n {
            let zi = &z[i * k..(i + 1) * k];
            let yi = data.y_row(i);
            total += match self.output {
                OutputFamily::Categorical => {
                    let arg = |v: &[f64]| (0..k).fold(0, |b, j| if v[j] > v[b] { j } else { b });
                    f64::from(u8::from(arg(zi) != arg(yi)))
                }
                _ => {
                    self.output.mean(zi, &mut ws.mean);
                    ws.mean.iter().zip(yi).map(|(p, y)| (p - y) * (p - y)).sum()
                }
            };
        }
        Ok((loss, total / data.n as f64))
    }

    /// The loss alone (one forward pass).
    pub fn loss(&self, theta: &[f64], data: &Dataset, ws: &mut Workspace) -> Result<f64> {
        self.check_call(theta, data, ws)?;
        self.passes(theta, None, data, ws, Passes::Forward);
        Ok(self.output_loss(data, ws, false))
    }

    /// The Fisher-vector product F v = (1/N) Σ Jₙᵀ Hₙ Jₙ v into `out`.
    pub fn fisher_vector(
        &self,
        theta: &[f64],
        data: &Dataset,
        v: &[f64],
        ws: &mut Workspace,
        out: &mut [f64],
    ) -> Result<()> {
        self.check_call(theta, data, ws)?;
        check_vector("vector", v, self.n_params())?;
        check_out("Fisher-vector product", out, self.n_params())?;
        self.passes(theta, Some(v), data, ws, Passes::First);
        let k = self.output_dim();
        let last = self.layers.len() - 1;
        let inv_n = 1.0 / data.n as f64;
        for i in 0..data.n {
            let z = &ws.a[last][i * k..(i + 1) * k];
            let jv = &ws.a_dot[last][i * k..(i + 1) * k];
            self.output.mean(z, &mut ws.mean);
            let d = &mut ws.delta[i * k..(i + 1) * k];
            self.output.hessian_vector(&ws.mean, jv, d);
            d.iter_mut().for_each(|x| *x *= inv_n);
        }
        self.backprop(theta, data, ws, out);
        Ok(())
    }

    /// The first-kind α-connection contracted twice with v,
    /// c_α(v) = (1/N) Σ Jₙᵀ [Hₙ D²zₙ\[v,v\] + (1−α)/2 D³A(zₙ)[Jₙv, Jₙv, ·]], into `out`.
    pub fn connection_vector(
        &self,
        theta: &[f64],
        data: &Dataset,
        v: &[f64],
        alpha: f64,
        ws: &mut Workspace,
        out: &mut [f64],
    ) -> Result<()> {
        self.check_call(theta, data, ws)?;
        check_vector("vector", v, self.n_params())?;
        check_out("connection product", out, self.n_params())?;
        if !alpha.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "α must be a finite number, got {alpha}"
            )));
        }
        self.passes(theta, Some(v), data, ws, Passes::Second);
        let k = self.output_dim();
        let last = self.layers.len() - 1;
        let inv_n = 1.0 / data.n as f64;
        let c = 0.5 * (1.0 - alpha);
        for i in 0..data.n {
            let z = &ws.a[last][i * k..(i + 1) * k];
            let jv = &ws.a_dot[last][i * k..(i + 1) * k];
            let d2z = &ws.a_ddot[last][i * k..(i + 1) * k];
            self.output.mean(z, &mut ws.mean);
            let d = &mut ws.delta[i * k..(i + 1) * k];
            self.output.hessian_vector(&ws.mean, d2z, d);
            if c != 0.0 {
                self.output.add_third_uu(&ws.mean, jv, c, d);
            }
            d.iter_mut().for_each(|x| *x *= inv_n);
        }
        self.backprop(theta, data, ws, out);
        Ok(())
    }
}
