//! The `natflow` command line: a thin front-end that parses arguments, calls the library and
//! writes what it returns. Every failure is one line on stderr and exit code 2.

pub mod fig2;
pub mod geometry;
pub mod order;

use crate::error::{Error, Result};
use clap::{Parser, Subcommand};
use std::path::Path;

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
    /// Convergence- and invariance-order study of methods across charts (table, JSON, figures).
    Order(order::OrderArgs),
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
        Command::Order(args) => order::run(&args),
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

/// Creates `dir` if needed.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Output {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })
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
