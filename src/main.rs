//! The `natflow` binary: see `natflow --help` and `natflow::cli`.

fn main() {
    std::process::exit(natflow::cli::main_with_args(std::env::args_os()));
}
