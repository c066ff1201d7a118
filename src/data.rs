//! Reading samples from CSV files: a header line `x`, then one positive number a line.
//!
//! The paper's Gamma sample (10,000 draws from Gamma(shape 20, rate 20), NumPy seed 1234) ships
//! in `paper_repro/data/` and is also compiled into the binary, so the default run needs no
//! file at all.

use crate::error::{Error, Result};
use crate::families::GammaSample;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Path of the paper's Gamma sample, relative to the repository root.
pub const PAPER_GAMMA_SAMPLE_PATH: &str = "paper_repro/data/gamma_shape20_rate20_n10000.csv";

/// The paper's Gamma sample, embedded in the binary.
pub const PAPER_GAMMA_SAMPLE: &str =
    include_str!("../paper_repro/data/gamma_shape20_rate20_n10000.csv");

/// Parses CSV text (header `x`, one positive finite number a line; blank lines are skipped).
/// `path` names the source in errors.
pub fn parse_positive_column(text: &str, path: &Path) -> Result<Vec<f64>> {
    parse_column(text, path, true)
}

/// Parses CSV text (header `x`, one finite number a line, positive if `positive`; blank lines
/// are skipped). `path` names the source in errors.
pub fn parse_column(text: &str, path: &Path, positive: bool) -> Result<Vec<f64>> {
    let err = |line: Option<usize>, reason: String| Error::Data {
        path: PathBuf::from(path),
        line,
        reason,
    };
    let mut lines = text.lines().enumerate();
    let header = loop {
        match lines.next() {
            None => {
                return Err(err(
                    None,
                    "the file is empty (expected a header line `x`)".into(),
                ));
            }
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((i, l)) => break (i, l),
        }
    };
    if header.1.trim().trim_start_matches('\u{feff}') != "x" {
        return Err(err(
            Some(header.0 + 1),
            format!("expected the header `x`, found `{}`", header.1.trim()),
        ));
    }
    let mut xs = Vec::new();
    for (i, line) in lines {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let x: f64 = t
            .parse()
            .map_err(|_| err(Some(i + 1), format!("`{t}` is not a number")))?;
        if !x.is_finite() || (positive && x <= 0.0) {
            let what = if positive {
                "a positive finite number"
            } else {
                "a finite number"
            };
            return Err(err(Some(i + 1), format!("{t} is not {what}")));
        }
        xs.push(x);
    }
    if xs.is_empty() {
        return Err(err(None, "no observations after the header".into()));
    }
    Ok(xs)
}

/// Reads a sample file of positive numbers (see [`parse_positive_column`]).
pub fn read_positive_column(path: &Path) -> Result<Vec<f64>> {
    read_column(path, true)
}

/// Reads a sample file (see [`parse_column`]).
pub fn read_column(path: &Path, positive: bool) -> Result<Vec<f64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        line: None,
        reason: format!("cannot read: {e}"),
    })?;
    parse_column(&text, path, positive)
}

/// Where the sample came from and its sufficient statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    /// The file (or `<embedded: …>` for the built-in sample).
    pub file: String,
    /// Number of observations.
    pub n: usize,
    /// (1/n) Σ x.
    pub mean_x: f64,
    /// (1/n) Σ ln x.
    pub mean_log_x: f64,
}

/// Where a sample came from, its size and its sufficient statistics by name (e.g. `mean_x`,
/// `mean_log_x`); serialised flat: `{"file", "n", "mean_x", …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleSummary {
    /// The file (or a description of the built-in data).
    pub file: String,
    /// Number of observations (0 for data given by its moments).
    pub n: usize,
    /// The sufficient statistics.
    #[serde(flatten)]
    pub statistics: std::collections::BTreeMap<String, f64>,
}

impl SampleSummary {
    /// A summary from named statistics.
    pub fn new<const K: usize>(file: String, n: usize, statistics: [(&str, f64); K]) -> Self {
        Self {
            file,
            n,
            statistics: statistics
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

impl From<DataSummary> for SampleSummary {
    fn from(d: DataSummary) -> Self {
        Self::new(
            d.file,
            d.n,
            [("mean_x", d.mean_x), ("mean_log_x", d.mean_log_x)],
        )
    }
}

/// A Gamma sample reduced to its sufficient statistics, from `path`, or the paper's sample
/// (embedded) when `path` is `None`; with a summary that records where it came from.
pub fn gamma_sample(path: Option<&Path>) -> Result<(GammaSample, DataSummary)> {
    let (xs, file) = match path {
        Some(p) => (read_positive_column(p)?, p.display().to_string()),
        None => (
            parse_positive_column(PAPER_GAMMA_SAMPLE, Path::new(PAPER_GAMMA_SAMPLE_PATH))?,
            format!("{PAPER_GAMMA_SAMPLE_PATH} (embedded)"),
        ),
    };
    let s = GammaSample::from_observations(&xs)?;
    Ok((
        s,
        DataSummary {
            file,
            n: s.n,
            mean_x: s.mean_x,
            mean_log_x: s.mean_log_x,
        },
    ))
}

/// Observations read from a text file: one observation a line, its values separated by commas;
/// an optional first line naming the columns (it is a header when any of its fields is not a
/// number); blank lines skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    /// The column names, if the file has a header.
    pub columns: Option<Vec<String>>,
    /// The observations, all of the same width.
    pub rows: Vec<Vec<f64>>,
}

/// Parses observations (see [`Observations`]); `path` names the source in errors. Every value
/// must be a finite number and every row as wide as the first.
pub fn parse_observations(text: &str, path: &Path) -> Result<Observations> {
    let err = |line: Option<usize>, reason: String| Error::Data {
        path: PathBuf::from(path),
        line,
        reason,
    };
    let mut columns = None;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut width = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim().trim_start_matches('\u{feff}');
        if t.is_empty() {
            continue;
        }
        let fields: Vec<&str> = t.split(',').map(str::trim).collect();
        let parsed: Vec<Option<f64>> = fields.iter().map(|f| f.parse::<f64>().ok()).collect();
        if width.is_none() && parsed.iter().any(Option::is_none) {
            columns = Some(fields.iter().map(|f| f.to_string()).collect::<Vec<_>>());
            width = Some(fields.len());
            continue;
        }
        let w = *width.get_or_insert(fields.len());
        if fields.len() != w {
            return Err(err(
                Some(i + 1),
                format!(
                    "expected {w} comma-separated values, found {}",
                    fields.len()
                ),
            ));
        }
        let mut row = Vec::with_capacity(w);
        for (f, p) in fields.iter().zip(parsed) {
            match p {
                Some(x) if x.is_finite() => row.push(x),
                Some(_) => return Err(err(Some(i + 1), format!("{f} is not a finite number"))),
                None => return Err(err(Some(i + 1), format!("`{f}` is not a number"))),
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(err(None, "no observations in the file".into()));
    }
    Ok(Observations { columns, rows })
}

/// Reads observations from a file (see [`parse_observations`]).
pub fn read_observations(path: &Path) -> Result<Observations> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        line: None,
        reason: format!("cannot read: {e}"),
    })?;
    parse_observations(&text, path)
}
