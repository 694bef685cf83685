//! `relaxed-bernoulli`: evaluate and sample the RelaxedBernoulli distribution from the shell.
//!
//! RelaxedBernoulli(temperature t, logits l) is the law of `X = sigmoid((l + L) / t)` on
//! `[0, 1]` with `L ~ Logistic(0, 1)`. Subcommands:
//!
//! - `eval`: a CSV table (`temperature`, `logits` or `probs`, `x` and/or `q`) in, the same
//!   table with `log_prob`, `prob`, `cdf`, `log_cdf`, `survival`, `log_survival`, `quantile`
//!   columns out;
//! - `sample`: seeded draws as CSV (one value per line) or a NumPy `.npy` file.
//!
//! This crate parses and formats only; every number comes from the `relaxed` crate. The
//! contract (number formats, errors with line numbers, atomic `-o`) is DESIGN.md §5; the user
//! documentation is `relaxed-bernoulli --help`.

mod cli;
mod error;
mod eval;
mod output;
mod sample;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::CliError;

/// Writes one line to stderr, ignoring a failure (there is nowhere left to report it).
pub(crate) fn stderr_line(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Sample(args) => sample::run(args),
    };
    match result {
        Ok(code) => code,
        // The reader of stdout has gone (`... | head`): nothing is wrong with the run.
        Err(CliError::BrokenPipe) => ExitCode::SUCCESS,
        Err(e) => {
            stderr_line(&format!("error: {e}"));
            ExitCode::FAILURE
        }
    }
}
