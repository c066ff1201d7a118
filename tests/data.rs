//! Sample files: the bundled paper sample reads back with the statistics its README states,
//! and every malformed file is an error naming the file and the line.

use natflow::Error;
use natflow::data::{PAPER_GAMMA_SAMPLE_PATH, read_positive_column};
use natflow::families::GammaSample;
use std::path::{Path, PathBuf};

fn tmp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("natflow-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn paper_sample_has_the_documented_statistics() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PAPER_GAMMA_SAMPLE_PATH);
    let xs = read_positive_column(&path).unwrap();
    assert_eq!(xs.len(), 10_000);
    let s = GammaSample::from_observations(&xs).unwrap();
    // shared/data/README.md: mean(x) = 1.0056316359665303, mean(log x) = -0.018847442111271494
    // (NumPy pairwise sums, which may differ from a compensated sum in the last bits).
    assert!((s.mean_x - 1.005_631_635_966_530_3).abs() < 4e-16);
    assert!((s.mean_log_x + 0.018_847_442_111_271_494).abs() < 1e-17);
    // The embedded copy is the same file.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        natflow::data::PAPER_GAMMA_SAMPLE
    );
}

fn data_err(text: &str) -> (Option<usize>, String, PathBuf) {
    let p = tmp(&format!("f{}.csv", text.len()), text);
    match read_positive_column(&p).unwrap_err() {
        Error::Data { path, line, reason } => {
            assert_eq!(path, p);
            (line, reason, path)
        }
        other => panic!("expected a data error, got {other}"),
    }
}

#[test]
fn malformed_files_name_the_file_and_line() {
    assert_eq!(data_err("").0, None);
    assert_eq!(data_err("x\n").0, None);
    assert_eq!(data_err("y\n1.0\n").0, Some(1));
    let (line, reason, path) = data_err("x\n1.0\n2.0\nabc\n");
    assert_eq!(line, Some(4));
    assert!(reason.contains("abc"));
    let msg = Error::Data {
        path: path.clone(),
        line,
        reason,
    }
    .to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains(":4"),
        "{msg}"
    );
    assert_eq!(data_err("x\n1.0\n-2.0\n").0, Some(3));
    assert_eq!(data_err("x\n1.0\n0\n\n").0, Some(3));
    assert_eq!(data_err("x\n1.0\ninf\n").0, Some(3));
    let missing = read_positive_column(Path::new("/no/such/file.csv")).unwrap_err();
    assert!(
        missing.to_string().contains("/no/such/file.csv"),
        "{missing}"
    );
}

#[test]
fn blank_lines_and_crlf_are_accepted() {
    let p = tmp("crlf.csv", "x\r\n1.5\r\n\r\n2.5\r\n");
    assert_eq!(read_positive_column(&p).unwrap(), vec![1.5, 2.5]);
}
