//! The one family registry every command uses: a family is found by name, its charts by name,
//! and from them the geometry of a chart ([`ChartGeometry`]) and the fitting problems of a
//! sample ([`FitSetup`]). Adding a family to the command line is one entry in [`FAMILIES`].

use crate::data::{SampleSummary, gamma_sample, read_column, read_observations};
use crate::error::{Error, Result, check_finite_result};
use crate::families::{
    Bernoulli, BernoulliChart, Beta, BetaChart, Categorical, CategoricalChart, Dirichlet,
    DirichletChart, Exponential, ExponentialChart, Gamma, GammaChart, InverseGaussian,
    InverseGaussianChart, KlDivergence, MvNormal, MvNormalChart, Normal, NormalChart, NormalSample,
    Poisson, PoissonChart,
};
use crate::geometry::{
    AlphaConnection, Chart, Christoffel, ExpOptions, LogMap, LogOptions, Metric, Pullback,
    alpha_christoffel, alpha_christoffel_vv, alpha_exp_map, fisher_rao_distance, log_map,
};
use crate::model::{ExpFamilySample, ExponentialFamily, NaturalCoordinates, Observations};
use crate::problem::{ChartProblem, NgProblem};
use nalgebra::{DMatrix, DVector};
use std::path::Path;

/// A family in one chart with its α-connections, chosen at run time: what `natflow geometry`
/// reports.
pub trait ChartGeometry: Send + Sync {
    /// The chart's name.
    fn chart_name(&self) -> String;
    /// The chart map in symbols.
    fn formula(&self) -> String;
    /// The dimension.
    fn dim(&self) -> usize;
    /// Checks a point in chart coordinates.
    fn check(&self, xi: &[f64]) -> Result<()>;
    /// G_ξ.
    fn metric(&self, xi: &[f64]) -> Result<DMatrix<f64>>;
    /// Γ^(α)ᵏᵢⱼ in the chart.
    fn christoffel(&self, xi: &[f64], alpha: f64) -> Result<Christoffel>;
    /// Γ^(α)(v,v) in the chart.
    fn christoffel_vv(&self, xi: &[f64], v: &[f64], alpha: f64) -> Result<DVector<f64>>;
    /// Exp_ξ(t·v) along the α-geodesic.
    fn exp(
        &self,
        xi: &[f64],
        v: &[f64],
        t: f64,
        alpha: f64,
        opts: ExpOptions,
    ) -> Result<DVector<f64>>;
    /// Log_ξ(target) of the α-connection, by shooting.
    fn log(&self, xi: &[f64], target: &[f64], alpha: f64, opts: LogOptions) -> Result<LogMap>;
    /// The Fisher–Rao distance from ξ to `target`.
    fn distance(&self, xi: &[f64], target: &[f64], opts: LogOptions) -> Result<f64>;
    /// θ = φ(ξ).
    fn to_canonical(&self, xi: &[f64]) -> Result<DVector<f64>>;
    /// ξ = φ⁻¹(θ).
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>>;
    /// The family's reference point in this chart (the default point of `natflow geometry`).
    fn reference_point(&self) -> Result<DVector<f64>>;
}

/// A family pulled back to a chart, with a reference point in canonical coordinates.
struct Located<M, C> {
    manifold: Pullback<M, C>,
    reference: Vec<f64>,
}

impl<M, C> ChartGeometry for Located<M, C>
where
    M: Metric + Send + Sync,
    C: Chart + Send + Sync,
{
    fn chart_name(&self) -> String {
        self.manifold.chart.name()
    }
    fn formula(&self) -> String {
        self.manifold.chart.formula()
    }
    fn dim(&self) -> usize {
        Metric::dim(&self.manifold)
    }
    fn check(&self, xi: &[f64]) -> Result<()> {
        Metric::check(&self.manifold, xi)
    }
    fn metric(&self, xi: &[f64]) -> Result<DMatrix<f64>> {
        let g = Metric::metric(&self.manifold, xi)?;
        check_finite_result(|| "the metric".into(), xi, g.iter())?;
        Ok(g)
    }
    fn christoffel(&self, xi: &[f64], alpha: f64) -> Result<Christoffel> {
        let c = alpha_christoffel(&self.manifold, xi, alpha)?;
        let nested = c.to_nested();
        let all = nested.iter().flatten().flatten();
        check_finite_result(|| "the Christoffel symbols".into(), xi, all)?;
        Ok(c)
    }
    fn christoffel_vv(&self, xi: &[f64], v: &[f64], alpha: f64) -> Result<DVector<f64>> {
        crate::error::check_vector("velocity", v, self.dim())?;
        let g = alpha_christoffel_vv(&self.manifold, xi, v, alpha)?;
        check_finite_result(|| format!("Γ(v,v) for the velocity {v:?}"), xi, g.iter())?;
        Ok(g)
    }
    fn exp(
        &self,
        xi: &[f64],
        v: &[f64],
        t: f64,
        alpha: f64,
        opts: ExpOptions,
    ) -> Result<DVector<f64>> {
        let end = alpha_exp_map(&self.manifold, xi, v, t, alpha, opts)?;
        check_finite_result(|| format!("Exp({t}·v), v = {v:?},"), xi, end.iter())?;
        Ok(end)
    }
    fn log(&self, xi: &[f64], target: &[f64], alpha: f64, opts: LogOptions) -> Result<LogMap> {
        log_map(
            &AlphaConnection::new(&self.manifold, alpha)?,
            xi,
            target,
            opts,
        )
    }
    fn distance(&self, xi: &[f64], target: &[f64], opts: LogOptions) -> Result<f64> {
        Ok(fisher_rao_distance(&self.manifold, xi, target, opts)?.0)
    }
    fn to_canonical(&self, xi: &[f64]) -> Result<DVector<f64>> {
        let theta = Pullback::to_canonical(&self.manifold, xi)?;
        check_finite_result(|| "the canonical point".into(), xi, theta.iter())?;
        Ok(theta)
    }
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>> {
        Pullback::to_chart(&self.manifold, theta)
    }
    fn reference_point(&self) -> Result<DVector<f64>> {
        Pullback::to_chart(&self.manifold, &self.reference)
    }
}

/// A family in a chart as a boxed [`ChartGeometry`] with its reference point.
fn located<M, C>(family: M, chart: C, reference: Vec<f64>) -> Result<Box<dyn ChartGeometry>>
where
    M: Metric + Send + Sync + 'static,
    C: Chart + Send + Sync + 'static,
{
    Ok(Box::new(Located {
        manifold: Pullback::new(family, chart)?,
        reference,
    }))
}

/// D(p ‖ q) between two members of a family, in canonical coordinates.
pub type Divergence = Box<dyn Fn(&[f64], &[f64]) -> f64 + Send + Sync>;

/// A sample loaded for fitting, and the problems "average negative log-likelihood of the
/// sample" in the requested charts.
pub struct FitSetup {
    /// Where the sample came from and its sufficient statistics.
    pub data: SampleSummary,
    /// One problem per chart, in the order requested.
    pub problems: Vec<Box<dyn NgProblem + Send + Sync>>,
    /// KL(p ‖ q) between members of the fitted family, in its canonical coordinates.
    pub divergence: Divergence,
}

/// A chart's name and formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartInfo {
    /// The name used on the command line and in JSON.
    pub name: String,
    /// The map ξ ↦ θ in symbols.
    pub formula: String,
}

/// A family as the command line sees it.
pub trait Family: Sync {
    /// The name used on the command line (`gamma`).
    fn name(&self) -> &'static str;
    /// Its canonical coordinates, in words (`(α, β), β the rate`).
    fn coordinates(&self) -> &'static str;
    /// Every chart (at the default dimension), the default one first.
    fn charts(&self) -> Vec<ChartInfo>;
    /// The charts an order study uses by default.
    fn study_charts(&self) -> Vec<String>;
    /// The reference point in canonical coordinates at the default dimension (the default
    /// start of an order study).
    fn reference_point(&self) -> Vec<f64>;
    /// What the default data is, in words.
    fn default_data(&self) -> &'static str;
    /// The family in the chart called `chart`; for a family whose dimension varies
    /// (categorical, dirichlet, mvnormal) `coordinates` — the number of chart coordinates
    /// given — fixes it (`None`: the default dimension).
    fn geometry(&self, chart: &str, coordinates: Option<usize>) -> Result<Box<dyn ChartGeometry>>;
    /// Loads a sample (`data`, or the family's default) and builds its fitting problem with the
    /// α-connection in each chart of `charts`.
    fn fit(&self, data: Option<&Path>, charts: &[String], alpha: f64) -> Result<FitSetup>;
}

/// The Gamma family's registry entry.
#[derive(Debug, Clone, Copy)]
pub struct GammaEntry;
/// The Normal family's registry entry.
#[derive(Debug, Clone, Copy)]
pub struct NormalEntry;

fn chart_infos<C: Chart>(all: &[C]) -> Vec<ChartInfo> {
    all.iter()
        .map(|c| ChartInfo {
            name: c.name(),
            formula: c.formula(),
        })
        .collect()
}

/// The loss `loss` on `family` with the α-connection in each of the charts `charts`.
fn chart_problems<M, C, L>(
    family: M,
    charts: &[C],
    loss: &L,
    alpha: f64,
) -> Result<Vec<Box<dyn NgProblem + Send + Sync>>>
where
    M: Metric + Copy + Send + Sync + 'static,
    C: Chart + Copy + Send + Sync + 'static,
    L: crate::model::Objective + Clone + Send + Sync + 'static,
{
    charts
        .iter()
        .map(|&chart| {
            Ok(
                Box::new(ChartProblem::new(family, chart, loss.clone())?.with_alpha(alpha)?)
                    as Box<dyn NgProblem + Send + Sync>,
            )
        })
        .collect()
}

/// Parses every chart name with `parse`.
fn parse_charts<C>(charts: &[String], parse: impl Fn(&str) -> Result<C>) -> Result<Vec<C>> {
    charts.iter().map(|c| parse(c)).collect()
}

impl Family for GammaEntry {
    fn name(&self) -> &'static str {
        "gamma"
    }
    fn coordinates(&self) -> &'static str {
        "(α, β): shape α > 0, rate β > 0"
    }
    fn charts(&self) -> Vec<ChartInfo> {
        chart_infos(&GammaChart::ALL)
    }
    fn study_charts(&self) -> Vec<String> {
        GammaChart::PAPER.iter().map(Chart::name).collect()
    }
    fn reference_point(&self) -> Vec<f64> {
        vec![1.0, 1.0]
    }
    fn default_data(&self) -> &'static str {
        "the paper's sample of 10,000 draws from Gamma(20, rate 20), embedded"
    }
    fn geometry(&self, chart: &str, _coordinates: Option<usize>) -> Result<Box<dyn ChartGeometry>> {
        located(Gamma, chart.parse::<GammaChart>()?, self.reference_point())
    }
    fn fit(&self, data: Option<&Path>, charts: &[String], alpha: f64) -> Result<FitSetup> {
        let charts = parse_charts(charts, |c| c.parse::<GammaChart>())?;
        let (sample, summary) = gamma_sample(data)?;
        Ok(FitSetup {
            data: summary.into(),
            problems: chart_problems(Gamma, &charts, &sample, alpha)?,
            divergence: Box::new(|p, q| Gamma.kl(p, q)),
        })
    }
}

impl Family for NormalEntry {
    fn name(&self) -> &'static str {
        "normal"
    }
    fn coordinates(&self) -> &'static str {
        "(μ, σ): mean μ, standard deviation σ > 0"
    }
    fn charts(&self) -> Vec<ChartInfo> {
        chart_infos(&NormalChart::ALL)
    }
    fn study_charts(&self) -> Vec<String> {
        NormalChart::STUDY.iter().map(Chart::name).collect()
    }
    fn reference_point(&self) -> Vec<f64> {
        vec![0.0, 1.0]
    }
    fn default_data(&self) -> &'static str {
        "a sample with mean 1 and variance 4 (given by its moments)"
    }
    fn geometry(&self, chart: &str, _coordinates: Option<usize>) -> Result<Box<dyn ChartGeometry>> {
        located(
            Normal,
            chart.parse::<NormalChart>()?,
            self.reference_point(),
        )
    }
    fn fit(&self, data: Option<&Path>, charts: &[String], alpha: f64) -> Result<FitSetup> {
        let charts = parse_charts(charts, |c| c.parse::<NormalChart>())?;
        let (sample, file) = match data {
            Some(p) => (
                NormalSample::from_observations(&read_column(p, false)?)?,
                p.display().to_string(),
            ),
            None => (
                NormalSample::from_moments(1.0, 4.0)?,
                "<moments: mean 1, variance 4>".to_string(),
            ),
        };
        Ok(FitSetup {
            data: SampleSummary::new(
                file,
                sample.n,
                [("mean_x", sample.mean_x), ("var_x", sample.var_x)],
            ),
            problems: chart_problems(Normal, &charts, &sample, alpha)?,
            divergence: Box::new(|p, q| Normal.kl(p, q)),
        })
    }
}

/// How the dimension of a family whose dimension varies is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// The family's default (categorical and dirichlet: 3; mvnormal: d = 2).
    Default,
    /// From the number of chart coordinates given.
    Coordinates(usize),
    /// From a data file: the width of an observation and, for class indices, 1 + the largest.
    Observations {
        /// Numbers per observation.
        width: usize,
        /// 1 + the largest value seen (the number of classes of categorical data).
        classes: usize,
    },
}

/// An exponential family in the registry: its natural-coordinate geometry, charts, reference
/// point, and default data follow from this description (see [`Family`], implemented for
/// every `ExpEntry`).
pub trait ExpEntry: Sync {
    /// The family type.
    type F: Observations + Copy + PartialEq + Send + Sync + 'static;
    /// Its chart type.
    type C: Chart + Copy + Send + Sync + 'static;
    /// The command-line name.
    const NAME: &'static str;
    /// The canonical (natural) coordinates, in words.
    const COORDINATES: &'static str;
    /// The chart names, the default first.
    fn chart_names(&self) -> Vec<String>;
    /// The charts an order study uses by default (all of them unless the family says
    /// otherwise).
    fn study_chart_names(&self) -> Vec<String> {
        self.chart_names()
    }
    /// The family and chart for a chart name and a size.
    fn resolve(&self, chart: &str, size: Size) -> Result<(Self::F, Self::C)>;
    /// The reference member, in η.
    fn reference(&self, f: &Self::F) -> Vec<f64>;
    /// The member whose mean sufficient statistic is the default data, in η.
    fn target(&self, f: &Self::F) -> Vec<f64>;
}

impl<T: ExpEntry> Family for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn coordinates(&self) -> &'static str {
        T::COORDINATES
    }
    fn charts(&self) -> Vec<ChartInfo> {
        self.chart_names()
            .into_iter()
            .filter_map(|c| self.resolve(&c, Size::Default).ok())
            .map(|(_, c)| ChartInfo {
                name: c.name(),
                formula: c.formula(),
            })
            .collect()
    }
    fn study_charts(&self) -> Vec<String> {
        self.study_chart_names()
    }
    fn reference_point(&self) -> Vec<f64> {
        match self.resolve(&self.chart_names()[0], Size::Default) {
            Ok((f, _)) => self.reference(&f),
            Err(_) => vec![],
        }
    }
    fn default_data(&self) -> &'static str {
        "synthetic: the mean sufficient statistic of a fixed member of the family (n = 0)"
    }
    fn geometry(&self, chart: &str, coordinates: Option<usize>) -> Result<Box<dyn ChartGeometry>> {
        let size = coordinates.map_or(Size::Default, Size::Coordinates);
        let (f, c) = self.resolve(chart, size)?;
        located(NaturalCoordinates(f), c, self.reference(&f))
    }
    fn fit(&self, data: Option<&Path>, charts: &[String], alpha: f64) -> Result<FitSetup> {
        let (rows, file, size) = match data {
            Some(p) => {
                let obs = read_observations(p)?;
                let width = obs.rows[0].len();
                let classes = obs
                    .rows
                    .iter()
                    .flatten()
                    .fold(0.0_f64, |m, &x| m.max(x + 1.0));
                let classes = if classes.is_finite() && classes < 1e6 {
                    classes as usize
                } else {
                    0
                };
                (
                    Some(obs.rows),
                    p.display().to_string(),
                    Size::Observations { width, classes },
                )
            }
            None => (None, "<synthetic>".to_string(), Size::Default),
        };
        let first = charts
            .first()
            .ok_or_else(|| Error::InvalidArgument("no chart to fit in".into()))?;
        let (family, _) = self.resolve(first, size)?;
        let resolved: Vec<T::C> = charts
            .iter()
            .map(|c| {
                let (f, chart) = self.resolve(c, size)?;
                if f == family {
                    Ok(chart)
                } else {
                    Err(Error::InvalidArgument(format!(
                        "chart '{c}' belongs to another model ({}) than chart '{first}' ({})",
                        f.name(),
                        family.name()
                    )))
                }
            })
            .collect::<Result<_>>()?;
        let sample = match rows {
            Some(rows) => ExpFamilySample::from_observations(family, &rows)
                .map_err(|e| Error::InvalidArgument(format!("{file}: {e}")))?,
            None => ExpFamilySample {
                family,
                n: 0,
                mean_t: family.mean(&self.target(&family)),
                mean_log_h: 0.0,
            },
        };
        let file = if sample.n == 0 {
            format!("<synthetic: E[T] at η = {:?}>", self.target(&family))
        } else {
            file
        };
        let statistics = sample
            .mean_t
            .iter()
            .enumerate()
            .map(|(k, &t)| (format!("mean_T{}", k + 1), t))
            .chain(std::iter::once((
                "mean_log_h".to_string(),
                sample.mean_log_h,
            )))
            .collect();
        let problems = chart_problems(NaturalCoordinates(family), &resolved, &sample, alpha)?;
        Ok(FitSetup {
            data: SampleSummary {
                file,
                n: sample.n,
                statistics,
            },
            problems,
            divergence: Box::new(move |p, q| bregman_kl(&family, p, q)),
        })
    }
}

/// KL(p_η ‖ p_η′) = A(η′) − A(η) − (η′ − η)·∇A(η) for an exponential family (the Bregman
/// divergence of A).
pub fn bregman_kl<E: ExponentialFamily + ?Sized>(fam: &E, p: &[f64], q: &[f64]) -> f64 {
    let mu = fam.mean(p);
    let lin: f64 = q
        .iter()
        .zip(p)
        .zip(&mu)
        .map(|((a, b), m)| (a - b) * m)
        .sum();
    fam.log_partition(q) - fam.log_partition(p) - lin
}

/// A fixed-dimension family's chart by name (`size` is checked downstream, against the point
/// or the data).
fn fixed<F: Copy, C: std::str::FromStr<Err = Error>>(family: F, chart: &str) -> Result<(F, C)> {
    Ok((family, chart.parse()?))
}

macro_rules! fixed_entry {
    ($entry:ident, $fam:ident, $chart:ty, $name:literal, $coords:literal,
     reference: $reference:expr, target: $target:expr) => {
        #[doc = concat!("The `", $name, "` family's registry entry.")]
        #[derive(Debug, Clone, Copy)]
        pub struct $entry;
        impl ExpEntry for $entry {
            type F = $fam;
            type C = $chart;
            const NAME: &'static str = $name;
            const COORDINATES: &'static str = $coords;
            fn chart_names(&self) -> Vec<String> {
                <$chart>::ALL.iter().map(|c| c.name()).collect()
            }
            fn resolve(&self, chart: &str, _size: Size) -> Result<($fam, $chart)> {
                fixed($fam, chart)
            }
            fn reference(&self, _f: &$fam) -> Vec<f64> {
                $reference
            }
            fn target(&self, _f: &$fam) -> Vec<f64> {
                $target
            }
        }
    };
}

fixed_entry!(ExponentialEntry, Exponential, ExponentialChart, "exponential",
    "η = −λ < 0 (λ the rate)", reference: vec![-1.0], target: vec![-2.5]);
fixed_entry!(PoissonEntry, Poisson, PoissonChart, "poisson",
    "η = ln λ (λ the rate)", reference: vec![0.0], target: vec![4.0_f64.ln()]);
fixed_entry!(BernoulliEntry, Bernoulli, BernoulliChart, "bernoulli",
    "η = ln(p/(1−p))", reference: vec![(1.0_f64 / 3.0).ln()], target: vec![(7.0_f64 / 3.0).ln()]);
fixed_entry!(BetaEntry, Beta, BetaChart, "beta",
    "η = (a − 1, b − 1)", reference: vec![1.0, 2.0], target: vec![3.0, 0.5]);
fixed_entry!(InverseGaussianEntry, InverseGaussian, InverseGaussianChart, "inverse-gaussian",
    "η = (−λ/(2μ²), −λ/2) (μ the mean, λ the shape)",
    reference: vec![-0.5, -0.5], target: vec![-0.375, -1.5]);

/// The `categorical` family's registry entry (K classes: coordinates + 1, or 1 + the largest
/// class index in the data; default 3).
#[derive(Debug, Clone, Copy)]
pub struct CategoricalEntry;

impl ExpEntry for CategoricalEntry {
    type F = Categorical;
    type C = CategoricalChart;
    const NAME: &'static str = "categorical";
    const COORDINATES: &'static str = "ηₖ = ln(pₖ/p₀), k = 1…K−1";
    fn chart_names(&self) -> Vec<String> {
        CategoricalChart::NAMES.map(String::from).to_vec()
    }
    fn resolve(&self, chart: &str, size: Size) -> Result<(Categorical, CategoricalChart)> {
        let k = match size {
            Size::Default => 3,
            Size::Coordinates(n) => n + 1,
            Size::Observations { classes, .. } => classes.max(2),
        };
        let f = Categorical::new(k)?;
        Ok((f, CategoricalChart::parse(chart, k)?))
    }
    fn reference(&self, f: &Categorical) -> Vec<f64> {
        vec![0.0; f.classes - 1]
    }
    fn target(&self, f: &Categorical) -> Vec<f64> {
        (1..f.classes).map(|k| ((k + 1) as f64).ln()).collect()
    }
}

/// The `dirichlet` family's registry entry (K components: the number of coordinates, or the
/// width of an observation; default 3).
#[derive(Debug, Clone, Copy)]
pub struct DirichletEntry;

impl ExpEntry for DirichletEntry {
    type F = Dirichlet;
    type C = DirichletChart;
    const NAME: &'static str = "dirichlet";
    const COORDINATES: &'static str = "η = a − 1 (a the concentrations)";
    fn chart_names(&self) -> Vec<String> {
        DirichletChart::NAMES.map(String::from).to_vec()
    }
    fn resolve(&self, chart: &str, size: Size) -> Result<(Dirichlet, DirichletChart)> {
        let k = match size {
            Size::Default => 3,
            Size::Coordinates(n) | Size::Observations { width: n, .. } => n,
        };
        let f = Dirichlet::new(k)?;
        Ok((f, DirichletChart::parse(chart, f)?))
    }
    fn reference(&self, f: &Dirichlet) -> Vec<f64> {
        vec![1.0; f.components]
    }
    fn target(&self, f: &Dirichlet) -> Vec<f64> {
        (0..f.components).map(|k| k as f64).collect()
    }
}

/// The `mvnormal` family's registry entry (d from the number of coordinates or the width of an
/// observation; default 2; the `-diag` charts are the diagonal-covariance submodel).
#[derive(Debug, Clone, Copy)]
pub struct MvNormalEntry;

impl ExpEntry for MvNormalEntry {
    type F = MvNormal;
    type C = MvNormalChart;
    const NAME: &'static str = "mvnormal";
    const COORDINATES: &'static str =
        "η = (Σ⁻¹μ, −½(Σ⁻¹)ᵢᵢ, −(Σ⁻¹)ᵢⱼ for i > j) (diagonal submodel: (Σ⁻¹μ, −½Σ⁻¹ᵢᵢ))";
    fn chart_names(&self) -> Vec<String> {
        MvNormalChart::NAMES.map(String::from).to_vec()
    }
    /// The full-covariance charts (the diagonal ones are another model).
    fn study_chart_names(&self) -> Vec<String> {
        MvNormalChart::NAMES[..3]
            .iter()
            .map(|c| c.to_string())
            .collect()
    }
    fn resolve(&self, chart: &str, size: Size) -> Result<(MvNormal, MvNormalChart)> {
        let diagonal = chart.ends_with("-diag");
        let n = match size {
            Size::Default => MvNormal::parameters(2, diagonal),
            Size::Coordinates(n) => n,
            Size::Observations { width, .. } => MvNormal::parameters(width, diagonal),
        };
        let c = MvNormalChart::parse(chart, n)?;
        Ok((c.family, c))
    }
    fn reference(&self, f: &MvNormal) -> Vec<f64> {
        let sigma: Vec<Vec<f64>> = (0..f.d)
            .map(|i| (0..f.d).map(|j| f64::from(u8::from(i == j))).collect())
            .collect();
        f.natural_from_moments(&vec![0.0; f.d], &sigma)
            .unwrap_or_default()
    }
    fn target(&self, f: &MvNormal) -> Vec<f64> {
        let mu: Vec<f64> = (0..f.d).map(|i| 1.0 - i as f64).collect();
        let sigma: Vec<Vec<f64>> = (0..f.d)
            .map(|i| {
                (0..f.d)
                    .map(|j| match (i == j, f.diagonal) {
                        (true, _) => 1.0 + i as f64,
                        (false, false) => 0.3,
                        (false, true) => 0.0,
                    })
                    .collect()
            })
            .collect();
        f.natural_from_moments(&mu, &sigma).unwrap_or_default()
    }
}

/// Every family the command line knows, in the order `--help` lists them.
pub static FAMILIES: [&dyn Family; 10] = [
    &GammaEntry,
    &NormalEntry,
    &ExponentialEntry,
    &PoissonEntry,
    &BernoulliEntry,
    &CategoricalEntry,
    &BetaEntry,
    &DirichletEntry,
    &InverseGaussianEntry,
    &MvNormalEntry,
];

/// The family called `name`.
pub fn family(name: &str) -> Result<&'static dyn Family> {
    FAMILIES
        .iter()
        .copied()
        .find(|f| f.name() == name)
        .ok_or_else(|| Error::Unknown {
            kind: "family".into(),
            name: name.into(),
            expected: family_names().join(", "),
        })
}

/// The names of every registered family.
pub fn family_names() -> Vec<&'static str> {
    FAMILIES.iter().map(|f| f.name()).collect()
}

/// An order study ([`crate::studies::order_study`]) of `fam`'s fit to a sample (`data`, or the
/// family's default) in the charts named `charts`, with the α-connection and the family's KL
/// divergence.
pub fn family_order_study(
    fam: &dyn Family,
    data: Option<&Path>,
    charts: &[String],
    alpha: f64,
    cfg: &crate::studies::OrderConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<crate::studies::OrderStudy> {
    let setup = fam.fit(data, charts, alpha)?;
    let problems: Vec<&(dyn NgProblem + Send + Sync)> =
        setup.problems.iter().map(|p| p.as_ref()).collect();
    let input = crate::studies::order::StudyInput {
        family: fam.name().to_string(),
        data: setup.data,
        problems: &problems,
        divergence: &*setup.divergence,
        alpha,
    };
    crate::studies::order_study(&input, cfg, progress)
}
