//! The `natflow` command line: a thin front-end that parses arguments, calls the library and
//! writes what it returns. Every failure is one line on stderr and exit code 2.

pub mod fig2;
pub mod fig3;
pub mod fig4;
pub mod fit;
pub mod geometry;
pub mod nn;
pub mod order;
pub mod rl;

use crate::error::{Error, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Natural-gradient optimisation as an ODE on a statistical manifold.
#[derive(Debug, Parser)]
#[command(name = "natflow", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Metric, Christoffel symbols, Γ(v,v) and the exponential map of a family in a chart.
    Geometry(geometry::GeometryArgs),
    /// The paper's Figure 2: a Gamma fit by every method in four charts (JSON, SVG, PNG).
    Fig2(fig2::Fig2Args),
    /// The paper's Figure 3: deep autoencoders and a classifier trained by ng, mid, geo, geo-f
    /// and Adam (JSON, SVG, PNG).
    Fig3(fig3::Fig3Args),
    /// The paper's reinforcement-learning figure: natural policy gradient with midpoint and
    /// geodesic correction on control tasks (JSON, SVG, PNG).
    Fig4(fig4::Fig4Args),
    /// Maximum-likelihood fit of any family, in any chart, by any method (JSON, SVG, PNG).
    Fit(fit::FitArgs),
    /// Convergence- and invariance-order study of methods across charts (table, JSON, figures).
    Order(order::OrderArgs),
    /// Neural networks under natural gradient: `natflow nn probe`.
    Nn(nn::NnArgs),
    /// Control environments and natural policy gradient: `natflow rl replay`, `natflow rl train`.
    Rl(rl::RlArgs),
}

/// Runs the command line on `args` (including the program name), writing to stdout.
/// Returns the process exit code: 0 on success, 2 on any error (after printing one line).
pub fn main_with_args<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                print!("{e}");
                return 0;
            }
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                eprint!("{e}");
                return 2;
            }
            let first = e.to_string();
            let line = first.lines().next().unwrap_or("bad arguments");
            eprintln!("natflow: error: {}", line.trim_start_matches("error: "));
            return 2;
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("natflow: error: {e}");
            2
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Geometry(args) => geometry::run(&args),
        Command::Fig2(args) => fig2::run(&args),
        Command::Fig3(args) => fig3::run(&args),
        Command::Fig4(args) => fig4::run(&args),
        Command::Fit(args) => fit::run(&args),
        Command::Order(args) => order::run(&args),
        Command::Nn(args) => nn::run(&args),
        Command::Rl(args) => rl::run(&args),
    }
}

/// Parses a comma-separated list of numbers, e.g. `1,2.5,-3e-2`.
pub fn parse_list(flag: &str, s: &str) -> Result<Vec<f64>> {
    s.split(',')
        .map(|p| {
            let p = p.trim();
            p.parse::<f64>().map_err(|_| {
                Error::InvalidArgument(format!(
                    "{flag}: '{p}' is not a number (expected e.g. 1.5,2)"
                ))
            })
        })
        .collect()
}

/// Parses a comma-separated list of names with `parse`, naming the flag in errors.
pub fn parse_names<T>(flag: &str, s: &str, parse: impl Fn(&str) -> Result<T>) -> Result<Vec<T>> {
    s.split(',')
        .map(|p| parse(p.trim()).map_err(|e| Error::InvalidArgument(format!("{flag}: {e}"))))
        .collect()
}

/// A progress bar on stderr when it is a terminal, counting `unit` ("runs", "updates") with
/// elapsed and remaining time; none otherwise.
pub fn progress_bar(prefix: &str, unit: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{{prefix}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{elapsed}}, about {{eta}} left)"
        )) {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_prefix(prefix.to_string());
        b
    })
}

/// The files a command writes, checked before any work is done and put in place together.
///
/// [`Outputs::plan`] checks a final path (not a directory; its directory creatable and
/// writable, probed by creating the temporary file at once) and returns the temporary path to
/// write to — in the same directory, hidden, with the same extension (image encoders read it).
/// [`Outputs::commit`] renames every temporary file into place. If the command fails first,
/// dropping the `Outputs` removes the temporary files and the directories it created, so a
/// failed command leaves nothing behind.
#[derive(Debug, Default)]
pub struct Outputs {
    files: Vec<(PathBuf, PathBuf)>,
    created: Vec<PathBuf>,
    committed: bool,
}

impl Outputs {
    /// No files planned yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Plans `path`; returns the temporary path to write it to.
    pub fn plan(&mut self, path: &Path) -> Result<PathBuf> {
        let out_err = |reason: String| Error::Output {
            path: path.to_path_buf(),
            reason,
        };
        if path.is_dir() {
            return Err(out_err("it is a directory".into()));
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| out_err("not a file name".into()))?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        self.create_dir(&dir)?;
        let tmp = dir.join(format!(".natflow-tmp-{}-{name}", std::process::id()));
        std::fs::write(&tmp, b"").map_err(|e| out_err(format!("cannot write there: {e}")))?;
        self.files.push((tmp.clone(), path.to_path_buf()));
        Ok(tmp)
    }

    /// Creates `dir` and its missing parents, remembering which it created.
    fn create_dir(&mut self, dir: &Path) -> Result<()> {
        let mut missing = vec![];
        let mut d = Some(dir);
        while let Some(p) = d.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            missing.push(p.to_path_buf());
            d = p.parent();
        }
        for p in missing.into_iter().rev() {
            std::fs::create_dir(&p).map_err(|e| Error::Output {
                path: p.clone(),
                reason: e.to_string(),
            })?;
            self.created.push(p);
        }
        Ok(())
    }

    /// Renames every temporary file into place.
    pub fn commit(mut self) -> Result<()> {
        for (tmp, path) in &self.files {
            std::fs::rename(tmp, path).map_err(|e| Error::Output {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
        }
        for d in self.created.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Writes `value` as JSON to `path`.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    std::fs::write(path, text + "\n").map_err(|e| Error::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// A number as a person reads it: plain for 1e-4 ≤ |x| < 1e6, else scientific.
pub fn fmt_number(x: f64) -> String {
    if x == 0.0 || (1e-4..1e6).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}
