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

/// The examples a part of the batch covers: n rows of X (n × d) and Y (n × k), row-major.
#[derive(Debug, Clone, Copy)]
struct Rows<'a> {
    n: usize,
    x: &'a [f64],
    y: &'a [f64],
}

/// Buffers for one part of a batch: activations and their first and second directional
/// derivatives, φ′ and φ″ at every layer, and the backpropagated errors.
#[derive(Debug, Clone)]
struct Buffers {
    n: usize,
    /// The rows `start..start + n` of the batch.
    start: usize,
    a: Vec<Vec<f64>>,
    d1: Vec<Vec<f64>>,
    d2: Vec<Vec<f64>>,
    a_dot: Vec<Vec<f64>>,
    a_ddot: Vec<Vec<f64>>,
    delta: Vec<f64>,
    delta_prev: Vec<f64>,
    mean: Vec<f64>,
    /// This part's Jᵀδ (parts after the first; the first writes into the caller's buffer).
    partial: Vec<f64>,
    /// This part's sums (loss, error) from the last product (parts after the first).
    sums: (f64, f64),
    /// Let each GEMM use every core (when the batch is not split).
    parallel_gemm: bool,
}

impl Buffers {
    fn new(net: &Mlp, start: usize, n: usize, partial: usize, parallel_gemm: bool) -> Self {
        let widths: Vec<usize> = net.layers.iter().map(|l| l.n_out).collect();
        let per_layer = || widths.iter().map(|w| vec![0.0; n * w]).collect::<Vec<_>>();
        let widest = widths
            .iter()
            .copied()
            .chain([net.input_dim])
            .max()
            .unwrap_or(0);
        Self {
            n,
            start,
            a: per_layer(),
            d1: per_layer(),
            d2: per_layer(),
            a_dot: per_layer(),
            a_ddot: per_layer(),
            delta: vec![0.0; n * widest],
            delta_prev: vec![0.0; n * widest],
            mean: vec![0.0; net.output_dim()],
            partial: vec![0.0; partial],
            sums: (0.0, 0.0),
            parallel_gemm,
        }
    }

    fn rows<'a>(&self, data: &'a Dataset) -> Rows<'a> {
        let (d, k) = (data.input_dim, data.target_dim);
        let range = self.start..self.start + self.n;
        Rows {
            n: self.n,
            x: &data.x[range.start * d..range.end * d],
            y: &data.y[range.start * k..range.end * k],
        }
    }
}

/// Buffers for one batch size, so that a product allocates nothing.
///
/// A batch of at least 2·[`MIN_PART_ROWS`] examples is split by rows into one part per
/// thread of the rayon pool (at most N / [`MIN_PART_ROWS`] parts); each part runs its whole
/// forward, R-, S- and backward passes on one thread with single-threaded GEMMs, and the parts'
/// sums (loss, Jᵀδ) are added in part order, so results are identical run to run on a
/// machine. Data parallelism beats splitting every GEMM: it also spreads the elementwise work
/// and pays one fork–join per product instead of one per matrix product.
#[derive(Debug, Clone)]
pub struct Workspace {
    n: usize,
    parts: Vec<Buffers>,
}

/// The fewest examples a part of a split batch gets.
pub const MIN_PART_ROWS: usize = 64;

impl Workspace {
    /// Buffers for `net` on batches of n examples, split over the threads of the rayon pool.
    pub fn new(net: &Mlp, n: usize) -> Self {
        Self::with_parts(net, n, rayon::current_num_threads())
    }

    /// Buffers for `net` on batches of n examples, split into at most `parts` parts (at least
    /// one; fewer when the batch is small).
    pub fn with_parts(net: &Mlp, n: usize, parts: usize) -> Self {
        let parts = parts.min(n / MIN_PART_ROWS).max(1);
        let p = net.n_params();
        let buffers = (0..parts)
            .map(|i| {
                let (start, end) = (i * n / parts, (i + 1) * n / parts);
                Buffers::new(
                    net,
                    start,
                    end - start,
                    if i == 0 { 0 } else { p },
                    parts == 1,
                )
            })
            .collect();
        Self { n, parts: buffers }
    }

    /// The batch size the buffers are for.
    pub fn batch_size(&self) -> usize {
        self.n
    }

    /// The number of parts the batch is split into.
    pub fn n_parts(&self) -> usize {
        self.parts.len()
    }
}

/// Products smaller than this many multiply-adds run on one thread (waking the pool costs
/// more than it saves on small layers).
const PARALLEL_WORK: usize = 1 << 18;

/// dst (m × n) = or += alpha · lhs · rhs, on every core when allowed and the product is large.
fn gemm(
    dst: MatMut<'_, f64>,
    accum: Accum,
    lhs: MatRef<'_, f64>,
    rhs: MatRef<'_, f64>,
    alpha: f64,
    parallel: bool,
) {
    let work = dst.nrows() * dst.ncols() * lhs.ncols();
    let par = if !parallel || work < PARALLEL_WORK {
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
#[allow(clippy::too_many_arguments)]
fn times_transposed(
    dst: &mut [f64],
    accum: Accum,
    src: &[f64],
    m: &[f64],
    n: usize,
    layer: Layer,
    alpha: f64,
    parallel: bool,
) {
    gemm(
        rm_mut(dst, n, layer.n_out),
        accum,
        rm(src, n, layer.n_in),
        rm(m, layer.n_out, layer.n_in).transpose(),
        alpha,
        parallel,
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
pub enum Passes {
    /// The forward pass alone (z).
    Forward,
    /// Forward and R-pass (z and Ż = Jv).
    First,
    /// Forward, R-pass and S-pass (z, Ż and Z̈ = D²z\[v,v\]).
    Second,
}

/// What an output rule of [`Mlp::pullback`] sees of one example: its index n in the batch,
/// zₙ, the directional derivatives Żₙ and Z̈ₙ (empty slices when not computed) and the target
/// row yₙ.
#[derive(Debug, Clone, Copy)]
pub struct OutputRow<'a> {
    /// n.
    pub index: usize,
    /// zₙ.
    pub z: &'a [f64],
    /// Żₙ = Jₙv (empty unless the passes include the R-pass).
    pub z_dot: &'a [f64],
    /// Z̈ₙ = D²zₙ\[v,v\] (empty unless the passes include the S-pass).
    pub z_ddot: &'a [f64],
    /// yₙ.
    pub y: &'a [f64],
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

    /// Runs `part` on every part of the batch (in parallel when split), each with its rows,
    /// its buffers and its own output buffer (the first part: `out`, when given); then adds the
    /// other parts' outputs into `out` and their two sums (loss, error, …) together, in part
    /// order. Nothing is allocated.
    fn over_parts(
        &self,
        data: &Dataset,
        ws: &mut Workspace,
        mut out: Option<&mut [f64]>,
        part: impl Fn(Rows<'_>, &mut Buffers, Option<&mut [f64]>) -> (f64, f64) + Sync,
    ) -> (f64, f64) {
        use rayon::prelude::*;
        let with_out = out.is_some();
        let (first, rest) = ws.parts.split_first_mut().expect("at least one part");
        if rest.is_empty() {
            return part(first.rows(data), first, out);
        }
        let first_sums = rayon::join(
            || part(first.rows(data), first, out.as_deref_mut()),
            || {
                rest.par_iter_mut().for_each(|buf| {
                    let mut partial = std::mem::take(&mut buf.partial);
                    buf.sums = part(buf.rows(data), buf, with_out.then_some(&mut partial[..]));
                    buf.partial = partial;
                })
            },
        )
        .0;
        let mut sums = first_sums;
        for buf in rest.iter() {
            sums = (sums.0 + buf.sums.0, sums.1 + buf.sums.1);
            if let Some(out) = out.as_deref_mut() {
                out.iter_mut().zip(&buf.partial).for_each(|(o, p)| *o += p);
            }
        }
        sums
    }

    /// The forward pass, and with a direction v the R- and S-passes, into the buffers.
    fn passes(
        &self,
        theta: &[f64],
        v: Option<&[f64]>,
        rows: Rows<'_>,
        ws: &mut Buffers,
        which: Passes,
    ) {
        let n = rows.n;
        let par = ws.parallel_gemm;
        for (l, layer) in self.layers.iter().enumerate() {
            let (w, b) = self.layer_params(theta, l);
            let (before, rest) = ws.a.split_at_mut(l);
            let a_prev: &[f64] = if l == 0 { rows.x } else { &before[l - 1] };
            let z = &mut rest[0];
            // Z = A_{l−1} Wᵀ + 1 bᵀ (bias first, then accumulate the product).
            for row in z.chunks_exact_mut(layer.n_out) {
                row.copy_from_slice(b);
            }
            times_transposed(z, Accum::Add, a_prev, w, n, *layer, 1.0, par);
            let (d1, d2) = (&mut ws.d1[l], &mut ws.d2[l]);
            // φ″ only feeds the S-pass.
            layer
                .activation
                .eval_slice(z, d1, (which == Passes::Second).then_some(&mut d2[..]));
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
            times_transposed(z_dot, Accum::Add, a_prev, vw, n, *layer, 1.0, par);
            if l > 0 {
                times_transposed(
                    z_dot,
                    Accum::Add,
                    &dot_before[l - 1],
                    w,
                    n,
                    *layer,
                    1.0,
                    par,
                );
            }
            if which == Passes::Second {
                // Z̈ = Ä_{l−1}Wᵀ + 2Ȧ_{l−1}Vᵀ (zero at the first layer).
                let (dd_before, dd_rest) = ws.a_ddot.split_at_mut(l);
                let z_ddot = &mut dd_rest[0];
                if l == 0 {
                    z_ddot.iter_mut().for_each(|v| *v = 0.0);
                } else {
                    let (a_dd, a_d) = (&dd_before[l - 1], &dot_before[l - 1]);
                    times_transposed(z_ddot, Accum::Replace, a_dd, w, n, *layer, 1.0, par);
                    times_transposed(z_ddot, Accum::Add, a_d, vw, n, *layer, 2.0, par);
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

    /// Backpropagates δ_L (in `ws.delta`, n × k) into `out` = Jᵀδ in the parameter layout.
    fn backprop(&self, theta: &[f64], rows: Rows<'_>, ws: &mut Buffers, out: &mut [f64]) {
        let n = rows.n;
        let par = ws.parallel_gemm;
        for l in (0..self.layers.len()).rev() {
            let layer = self.layers[l];
            let a_prev: &[f64] = if l == 0 { rows.x } else { &ws.a[l - 1] };
            let delta = &ws.delta[..n * layer.n_out];
            let (gw, gb) = self.layer_params_mut(out, l);
            // ∂W = δᵀ A_{l−1}, ∂b = column sums of δ.
            gemm(
                rm_mut(gw, layer.n_out, layer.n_in),
                Accum::Replace,
                rm(delta, n, layer.n_out).transpose(),
                rm(a_prev, n, layer.n_in),
                1.0,
                par,
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
                    par,
                );
                let d1 = &ws.d1[l - 1];
                prev.iter_mut().zip(d1).for_each(|(p, d)| *p *= d);
                std::mem::swap(&mut ws.delta, &mut ws.delta_prev);
            }
        }
    }

    /// Σ ℓ(zₙ, yₙ) over the part's rows after a forward pass, with δ_L = scale·(∇A(zₙ) − yₙ)
    /// written to `ws.delta`.
    fn output_loss(&self, rows: Rows<'_>, ws: &mut Buffers, scale: f64) -> f64 {
        let k = self.output_dim();
        let z = &ws.a[self.layers.len() - 1];
        self.output
            .loss_grad_batch(z, rows.y, k, scale, &mut ws.delta[..rows.n * k])
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
        let inv_n = 1.0 / data.n as f64;
        let (loss, _) = self.over_parts(data, ws, Some(&mut *grad), |rows, buf, out| {
            self.passes(theta, None, rows, buf, Passes::Forward);
            let loss = self.output_loss(rows, buf, inv_n);
            self.backprop(theta, rows, buf, out.expect("an output"));
            (loss, 0.0)
        });
        Ok(loss * inv_n)
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
        let k = self.output_dim();
        let (loss, error) = self.over_parts(data, ws, None, |rows, buf, _| {
            self.passes(theta, None, rows, buf, Passes::Forward);
            let loss = self.output_loss(rows, buf, 1.0);
            let z = &buf.a[self.layers.len() - 1];
            let mut total = 0.0;
            for (zi, yi) in z.chunks_exact(k).zip(rows.y.chunks_exact(k)) {
                total += match self.output {
                    OutputFamily::Categorical => {
                        let arg =
                            |v: &[f64]| (0..k).fold(0, |b, j| if v[j] > v[b] { j } else { b });
                        f64::from(u8::from(arg(zi) != arg(yi)))
                    }
                    _ => {
                        self.output.mean(zi, &mut buf.mean);
                        buf.mean
                            .iter()
                            .zip(yi)
                            .map(|(p, y)| (p - y) * (p - y))
                            .sum()
                    }
                };
            }
            (loss, total)
        });
        let inv_n = 1.0 / data.n as f64;
        Ok((loss * inv_n, error * inv_n))
    }

    /// The loss alone (one forward pass).
    pub fn loss(&self, theta: &[f64], data: &Dataset, ws: &mut Workspace) -> Result<f64> {
        self.check_call(theta, data, ws)?;
        let (loss, _) = self.over_parts(data, ws, None, |rows, buf, _| {
            self.passes(theta, None, rows, buf, Passes::Forward);
            (self.output_loss(rows, buf, 1.0), 0.0)
        });
        Ok(loss / data.n as f64)
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
        self.output_product(theta, data, v, None, ws, out);
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
        self.output_product(theta, data, v, Some(alpha), ws, out);
        Ok(())
    }

    /// The general pullback Σₙ Jₙᵀ δₙ into `out`, with δₙ (length k) written by
    /// `rule(rowₙ, δₙ)` from zₙ and, with a direction v, Żₙ = Jₙv (`passes` ≥ First) and
    /// Z̈ₙ = D²zₙ\[v,v\] (`passes` = Second); returns Σₙ of the rule's values. Every product of
    /// a model whose output distribution is not one of [`OutputFamily`]'s — a Gaussian policy
    /// with its own variances, a surrogate objective with per-example weights — is one call: a
    /// gradient (rule: ∂ℓ/∂z), a Fisher-vector product (rule: g_out(z)Ż) or a connection
    /// product (rule: g_out(z)Z̈ + Γ_out(z)\[Ż,Ż\]). The rule is called from the worker threads,
    /// on disjoint examples; the parts' results are added in a fixed order.
    #[allow(clippy::too_many_arguments)]
    pub fn pullback<R>(
        &self,
        theta: &[f64],
        data: &Dataset,
        v: Option<&[f64]>,
        passes: Passes,
        ws: &mut Workspace,
        out: &mut [f64],
        rule: R,
    ) -> Result<f64>
    where
        R: Fn(OutputRow<'_>, &mut [f64]) -> f64 + Sync,
    {
        self.check_call(theta, data, ws)?;
        check_out("pullback", out, self.n_params())?;
        if passes != Passes::Forward {
            match v {
                Some(v) => check_vector("vector", v, self.n_params())?,
                None => {
                    return Err(Error::InvalidArgument(
                        "directional passes need a direction v".into(),
                    ));
                }
            }
        }
        let k = self.output_dim();
        let last = self.layers.len() - 1;
        let (total, _) = self.over_parts(data, ws, Some(&mut *out), |rows, buf, o| {
            self.passes(theta, v, rows, buf, passes);
            let mut total = 0.0;
            for i in 0..rows.n {
                let span = i * k..(i + 1) * k;
                let row = OutputRow {
                    index: buf.start + i,
                    z: &buf.a[last][span.clone()],
                    z_dot: if passes == Passes::Forward {
                        &[]
                    } else {
                        &buf.a_dot[last][span.clone()]
                    },
                    z_ddot: if passes == Passes::Second {
                        &buf.a_ddot[last][span.clone()]
                    } else {
                        &[]
                    },
                    y: &rows.y[span.clone()],
                };
                total += rule(row, &mut buf.delta[span]);
            }
            self.backprop(theta, rows, buf, o.expect("an output"));
            (total, 0.0)
        });
        Ok(total)
    }

    /// The outputs zₙ of every example into `z` (N × k, row-major): one forward pass.
    pub fn outputs(
        &self,
        theta: &[f64],
        data: &Dataset,
        ws: &mut Workspace,
        z: &mut [f64],
    ) -> Result<()> {
        self.outputs_along(theta, data, None, ws, z, None)
    }

    /// The outputs zₙ and their directional derivatives Żₙ = Jₙv (N × k each): the forward and
    /// R-passes.
    pub fn jvp(
        &self,
        theta: &[f64],
        data: &Dataset,
        v: &[f64],
        ws: &mut Workspace,
        z: &mut [f64],
        z_dot: &mut [f64],
    ) -> Result<()> {
        check_vector("vector", v, self.n_params())?;
        self.outputs_along(theta, data, Some(v), ws, z, Some(z_dot))
    }

    /// [`Mlp::outputs`] without checking θ and the data again: for callers that checked them
    /// once and then run many small forward passes (a policy acting step by step).
    pub(crate) fn outputs_prechecked(
        &self,
        theta: &[f64],
        data: &Dataset,
        ws: &mut Workspace,
        z: &mut [f64],
    ) {
        debug_assert!(self.check_call(theta, data, ws).is_ok());
        self.over_parts(data, ws, None, |rows, buf, _| {
            self.passes(theta, None, rows, buf, Passes::Forward);
            (0.0, 0.0)
        });
        let (k, last) = (self.output_dim(), self.layers.len() - 1);
        for buf in &ws.parts {
            z[buf.start * k..(buf.start + buf.n) * k].copy_from_slice(&buf.a[last][..buf.n * k]);
        }
    }

    fn outputs_along(
        &self,
        theta: &[f64],
        data: &Dataset,
        v: Option<&[f64]>,
        ws: &mut Workspace,
        z: &mut [f64],
        mut z_dot: Option<&mut [f64]>,
    ) -> Result<()> {
        self.check_call(theta, data, ws)?;
        let k = self.output_dim();
        check_out("outputs", z, data.n * k)?;
        if let Some(zd) = z_dot.as_deref() {
            check_out("output derivatives", zd, data.n * k)?;
        }
        let which = if v.is_some() {
            Passes::First
        } else {
            Passes::Forward
        };
        self.over_parts(data, ws, None, |rows, buf, _| {
            self.passes(theta, v, rows, buf, which);
            (0.0, 0.0)
        });
        let last = self.layers.len() - 1;
        for buf in &ws.parts {
            let span = buf.start * k..(buf.start + buf.n) * k;
            z[span.clone()].copy_from_slice(&buf.a[last][..buf.n * k]);
            if let Some(zd) = z_dot.as_deref_mut() {
                zd[span].copy_from_slice(&buf.a_dot[last][..buf.n * k]);
            }
        }
        Ok(())
    }

    /// F·v (`alpha` = None) or c_α(v): the passes, the output family's share at z, backprop.
    fn output_product(
        &self,
        theta: &[f64],
        data: &Dataset,
        v: &[f64],
        alpha: Option<f64>,
        ws: &mut Workspace,
        out: &mut [f64],
    ) {
        let k = self.output_dim();
        let last = self.layers.len() - 1;
        let inv_n = 1.0 / data.n as f64;
        self.over_parts(data, ws, Some(&mut *out), |rows, buf, o| {
            let which = if alpha.is_some() {
                Passes::Second
            } else {
                Passes::First
            };
            self.passes(theta, Some(v), rows, buf, which);
            let nk = rows.n * k;
            let (third, w) = match alpha {
                // c_α: ∇²A(z) Z̈ + (1−α)/2 D³A(z)[Ż, Ż, ·].
                Some(alpha) => (
                    Some((&buf.a_dot[last][..nk], 0.5 * (1.0 - alpha))),
                    &buf.a_ddot[last][..nk],
                ),
                // F·v: ∇²A(z) Ż.
                None => (None, &buf.a_dot[last][..nk]),
            };
            self.output.connection_batch(
                &buf.a[last],
                third,
                w,
                k,
                inv_n,
                &mut buf.mean,
                &mut buf.delta[..nk],
            );
            self.backprop(theta, rows, buf, o.expect("an output"));
            (0.0, 0.0)
        });
    }
}
