//! The one family registry every command uses: a family is found by name, its charts by name,
//! and from them the geometry of a chart ([`ChartGeometry`]) and the fitting problems of a
//! sample ([`FitSetup`]). Adding a family to the command line is one entry in [`FAMILIES`].

use crate::data::{SampleSummary, gamma_sample, read_column};
use crate::error::{Error, Result, check_finite_result};
use crate::families::{Gamma, GammaChart, KlDivergence, Normal, NormalChart, NormalSample};
use crate::geometry::{Chart, Christoffel, ExpOptions, Metric, Pullback, exp_map};
use crate::problem::{ChartProblem, NgProblem};
use nalgebra::{DMatrix, DVector};
use std::path::Path;

/// A family in one chart, chosen at run time: what `natflow geometry` reports.
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
    /// Γ^k_ij in the chart.
    fn christoffel(&self, xi: &[f64]) -> Result<Christoffel>;
    /// Γ(v,v) in the chart.
    fn christoffel_vv(&self, xi: &[f64], v: &[f64]) -> Result<DVector<f64>>;
    /// Exp_ξ(t·v).
    fn exp(&self, xi: &[f64], v: &[f64], t: f64, opts: ExpOptions) -> Result<DVector<f64>>;
    /// θ = φ(ξ).
    fn to_canonical(&self, xi: &[f64]) -> Result<DVector<f64>>;
    /// ξ = φ⁻¹(θ).
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>>;
}

impl<M, C> ChartGeometry for Pullback<M, C>
where
    M: Metric + Send + Sync,
    C: Chart + Send + Sync,
{
    fn chart_name(&self) -> String {
        self.chart.name()
    }
    fn formula(&self) -> String {
        self.chart.formula()
    }
    fn dim(&self) -> usize {
        Metric::dim(self)
    }
    fn check(&self, xi: &[f64]) -> Result<()> {
        Metric::check(self, xi)
    }
    fn metric(&self, xi: &[f64]) -> Result<DMatrix<f64>> {
        let g = Metric::metric(self, xi)?;
        check_finite_result(|| "the metric".into(), xi, g.iter())?;
        Ok(g)
    }
    fn christoffel(&self, xi: &[f64]) -> Result<Christoffel> {
        let c = Metric::christoffel(self, xi)?;
        let nested = c.to_nested();
        let all = nested.iter().flatten().flatten();
        check_finite_result(|| "the Christoffel symbols".into(), xi, all)?;
        Ok(c)
    }
    fn christoffel_vv(&self, xi: &[f64], v: &[f64]) -> Result<DVector<f64>> {
        crate::error::check_vector("velocity", v, Metric::dim(self))?;
        let g = Metric::christoffel_vv(self, xi, v)?;
        check_finite_result(|| format!("Γ(v,v) for the velocity {v:?}"), xi, g.iter())?;
        Ok(g)
    }
    fn exp(&self, xi: &[f64], v: &[f64], t: f64, opts: ExpOptions) -> Result<DVector<f64>> {
        let end = exp_map(self, xi, v, t, opts)?;
        check_finite_result(|| format!("Exp({t}·v), v = {v:?},"), xi, end.iter())?;
        Ok(end)
    }
    fn to_canonical(&self, xi: &[f64]) -> Result<DVector<f64>> {
        let theta = Pullback::to_canonical(self, xi)?;
        check_finite_result(|| "the canonical point".into(), xi, theta.iter())?;
        Ok(theta)
    }
    fn to_chart(&self, theta: &[f64]) -> Result<DVector<f64>> {
        Pullback::to_chart(self, theta)
    }
}

/// A sample loaded for fitting, and the problems "average negative log-likelihood of the
/// sample" in the requested charts.
pub struct FitSetup {
    /// Where the sample came from and its sufficient statistics.
    pub data: SampleSummary,
    /// One problem per chart, in the order requested.
    pub problems: Vec<Box<dyn NgProblem + Send + Sync>>,
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
    /// Every chart, the canonical one first.
    fn charts(&self) -> Vec<ChartInfo>;
    /// The charts an order study uses by default.
    fn study_charts(&self) -> Vec<String>;
    /// The reference point in canonical coordinates (the default start and geometry point).
    fn reference_point(&self) -> Vec<f64>;
    /// What the default data is, in words.
    fn default_data(&self) -> &'static str;
    /// The family in the chart called `chart`.
    fn geometry(&self, chart: &str) -> Result<Box<dyn ChartGeometry>>;
    /// Loads a sample (`data`, or the family's default) and builds its fitting problem in each
    /// chart of `charts`.
    fn fit(&self, data: Option<&Path>, charts: &[String]) -> Result<FitSetup>;
    /// KL(p ‖ q) for canonical parameters p, q.
    fn kl(&self, p: &[f64], q: &[f64]) -> f64;
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

/// The loss `loss` on `family` in each of the charts named `charts` (parsed by the chart type).
fn chart_problems<M, C, L>(
    family: M,
    charts: &[String],
    loss: L,
) -> Result<Vec<Box<dyn NgProblem + Send + Sync>>>
where
    M: Metric + Copy + Send + Sync + 'static,
    C: Chart + std::str::FromStr<Err = Error> + Send + Sync + 'static,
    L: crate::model::Objective + Copy + Send + Sync + 'static,
{
    charts
        .iter()
        .map(|c| {
            let chart: C = c.parse()?;
            Ok(Box::new(ChartProblem::new(family, chart, loss)?)
                as Box<dyn NgProblem + Send + Sync>)
        })
        .collect()
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
    fn geometry(&self, chart: &str) -> Result<Box<dyn ChartGeometry>> {
        Ok(Box::new(Pullback::new(
            Gamma,
            chart.parse::<GammaChart>()?,
        )?))
    }
    fn fit(&self, data: Option<&Path>, charts: &[String]) -> Result<FitSetup> {
        let (sample, summary) = gamma_sample(data)?;
        let problems = chart_problems::<_, GammaChart, _>(Gamma, charts, sample)?;
        Ok(FitSetup {
            data: summary.into(),
            problems,
        })
    }
    fn kl(&self, p: &[f64], q: &[f64]) -> f64 {
        Gamma.kl(p, q)
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
        NormalChart::ALL.iter().map(Chart::name).collect()
    }
    fn reference_point(&self) -> Vec<f64> {
        vec![0.0, 1.0]
    }
    fn default_data(&self) -> &'static str {
        "a sample with mean 1 and variance 4 (given by its moments)"
    }
    fn geometry(&self, chart: &str) -> Result<Box<dyn ChartGeometry>> {
        Ok(Box::new(Pullback::new(
            Normal,
            chart.parse::<NormalChart>()?,
        )?))
    }
    fn fit(&self, data: Option<&Path>, charts: &[String]) -> Result<FitSetup> {
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
        let problems = chart_problems::<_, NormalChart, _>(Normal, charts, sample)?;
        Ok(FitSetup {
            data: SampleSummary::new(
                file,
                sample.n,
                [("mean_x", sample.mean_x), ("var_x", sample.var_x)],
            ),
            problems,
        })
    }
    fn kl(&self, p: &[f64], q: &[f64]) -> f64 {
        Normal.kl(p, q)
    }
}

/// Every family the command line knows, in the order `--help` lists them.
pub static FAMILIES: [&dyn Family; 2] = [&GammaEntry, &NormalEntry];

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
/// family's default) in the charts named `charts`, with the family's KL divergence.
pub fn family_order_study(
    fam: &dyn Family,
    data: Option<&Path>,
    charts: &[String],
    cfg: &crate::studies::OrderConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<crate::studies::OrderStudy> {
    let setup = fam.fit(data, charts)?;
    let problems: Vec<&(dyn NgProblem + Send + Sync)> =
        setup.problems.iter().map(|p| p.as_ref()).collect();
    let divergence = |p: &[f64], q: &[f64]| fam.kl(p, q);
    let input = crate::studies::order::StudyInput {
        family: fam.name().to_string(),
        data: setup.data,
        problems: &problems,
        divergence: &divergence,
    };
    crate::studies::order_study(&input, cfg, progress)
}
