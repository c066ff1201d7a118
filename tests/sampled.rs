//! Sampled problems and step-size policies: a minibatch Gamma fit is reproducible from its
//! seed and reduces to the full-batch run when the batch is the whole sample; a KL trust radius
//! makes steps of the requested second-order KL divergence.

use approx::assert_relative_eq;
use nalgebra::DVector;
use natflow::families::{Gamma, GammaChart, GammaSample, KlDivergence};
use natflow::geometry::Metric;
use natflow::integrators::Tableau;
use natflow::optim::{
    Method, NaturalGradient, RungeKutta, SampledNaturalGradient, StepSize, run, run_solver,
};
use natflow::problem::{ChartProblem, Domain, Loss, NaturalVelocity, Reparameterisation, Resample};
use rand::RngExt;

/// The Gamma fit on a minibatch of `batch` observations drawn with replacement (or, with
/// `batch == None`, on the whole sample), in one chart.
struct MinibatchGamma {
    xs: Vec<f64>,
    batch: Option<usize>,
    chart: GammaChart,
    current: ChartProblem<Gamma, GammaChart, GammaSample>,
}

impl MinibatchGamma {
    fn new(xs: Vec<f64>, batch: Option<usize>, chart: GammaChart) -> Self {
        let full = GammaSample::from_observations(&xs).unwrap();
        Self {
            current: ChartProblem::new(Gamma, chart, full).unwrap(),
            xs,
            batch,
            chart,
        }
    }
}

impl Resample for MinibatchGamma {
    fn resample(&mut self, rng: &mut dyn rand::Rng) -> natflow::Result<()> {
        let chosen: Vec<f64> = match self.batch {
            Some(b) => (0..b)
                .map(|_| self.xs[rng.random_range(0..self.xs.len())])
                .collect(),
            None => self.xs.clone(),
        };
        self.current =
            ChartProblem::new(Gamma, self.chart, GammaSample::from_observations(&chosen)?)?;
        Ok(())
    }
}

impl Domain for MinibatchGamma {
    fn dim(&self) -> usize {
        2
    }
    fn check(&self, x: &[f64]) -> natflow::Result<()> {
        self.current.check(x)
    }
}
impl Loss for MinibatchGamma {
    fn loss(&self, x: &[f64]) -> natflow::Result<f64> {
        self.current.loss(x)
    }
    fn gradient_into(&self, x: &[f64], out: &mut [f64]) -> natflow::Result<()> {
        self.current.gradient_into(x, out)
    }
}
impl NaturalVelocity for MinibatchGamma {
    fn natural_velocity_into(&self, x: &[f64], out: &mut [f64]) -> natflow::Result<()> {
        self.current.natural_velocity_into(x, out)
    }
}

fn observations() -> Vec<f64> {
    let text = natflow::data::PAPER_GAMMA_SAMPLE;
    natflow::data::parse_positive_column(text, std::path::Path::new("embedded")).unwrap()
}

fn ng(h: f64) -> NaturalGradient<RungeKutta> {
    let step = RungeKutta::new("ng", Tableau::euler(), 1, 2).unwrap();
    NaturalGradient::with_step(step, StepSize::Fixed(h), "ng".into()).unwrap()
}

fn sampled_path(batch: Option<usize>, seed: u64) -> Vec<DVector<f64>> {
    let p = MinibatchGamma::new(observations(), batch, GammaChart::Scale);
    let x0 = p.current.to_chart(&[1.0, 1.0]).unwrap();
    let solver = SampledNaturalGradient::new(ng(0.5), seed);
    run_solver(p, solver, 10, x0.as_slice())
        .unwrap()
        .into_iter()
        .map(|(x, _)| x)
        .collect()
}

#[test]
fn minibatch_runs_are_reproducible_from_their_seed() {
    let a = sampled_path(Some(100), 5);
    let b = sampled_path(Some(100), 5);
    let c = sampled_path(Some(100), 6);
    assert_eq!(a, b);
    assert!((&a[10] - &c[10]).norm() > 1e-6);
    // Noisy but near the full-batch path: the batch of 100 moves the fit by O(1/√100).
    let full = sampled_path(None, 5);
    assert!((&a[10] - &full[10]).norm() < 0.5 * full[10].norm());
}

#[test]
fn the_whole_sample_as_batch_is_the_deterministic_run() {
    let sampled = sampled_path(None, 1);
    let (sample, _) = natflow::data::gamma_sample(None).unwrap();
    let p = ChartProblem::new(Gamma, GammaChart::Scale, sample).unwrap();
    let x0 = p.to_chart(&[1.0, 1.0]).unwrap();
    let det = run(&p, &Method::parse("ng").unwrap(), 0.5, 10, x0.as_slice()).unwrap();
    assert_eq!(sampled, det.points);
}

#[test]
fn a_trust_radius_sets_the_second_order_kl_of_each_step() {
    let (sample, _) = natflow::data::gamma_sample(None).unwrap();
    let p = ChartProblem::new(Gamma, GammaChart::Rate, sample).unwrap();
    let delta = 1e-4;
    let policy = StepSize::TrustRadius { delta, max_h: 10.0 };
    // ½h²·fᵀG f = δ, with G the family's metric (not the f·∇L identity the policy uses).
    for x in [[1.0, 1.0], [5.0, 3.0]] {
        let h = policy.resolve(&p, &x).unwrap();
        let f = p.natural_velocity(&x).unwrap();
        let g = Gamma.metric(&x).unwrap();
        assert_relative_eq!(0.5 * h * h * f.dot(&(&g * &f)), delta, max_relative = 1e-12);
    }
    // Along a run, each step's exact KL divergence is δ up to O(δ^{3/2}).
    let step = RungeKutta::new("ng", Tableau::euler(), 1, 2).unwrap();
    let solver = NaturalGradient::with_step(step, policy, "ng".into()).unwrap();
    let path = run_solver(&p, solver, 20, &[1.0, 1.0]).unwrap();
    for w in path.windows(2) {
        let kl = Gamma.kl(w[0].0.as_slice(), w[1].0.as_slice());
        assert!((kl / delta - 1.0).abs() < 0.05, "KL {kl:e} vs δ {delta:e}");
        assert!(w[1].1 < w[0].1, "the loss decreases");
    }
    for bad in [
        StepSize::TrustRadius {
            delta: 0.0,
            max_h: 1.0,
        },
        StepSize::TrustRadius {
            delta: 1e-3,
            max_h: f64::NAN,
        },
        StepSize::Fixed(-1.0),
    ] {
        assert!(bad.validate().is_err());
        assert!(
            NaturalGradient::with_step(
                RungeKutta::new("ng", Tableau::euler(), 1, 2).unwrap(),
                bad,
                "ng".into()
            )
            .is_err()
        );
    }
}
