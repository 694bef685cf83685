//! `relaxed-bernoulli`: evaluate, sample, summarise and plot the RelaxedBernoulli distribution
//! from the shell.
//!
//! RelaxedBernoulli(temperature t, logits l) is the law of `X = sigmoid((l + L) / t)` on
//! `[0, 1]` with `L ~ Logistic(0, 1)`. Subcommands:
//!
//! - `eval`: a CSV table (`temperature`, `logits` or `probs`, `x` and/or `q`) in, the same
//!   table with `log_prob`, `prob`, `cdf`, `log_cdf`, `survival`, `log_survival`, `quantile`
//!   columns out;
//! - `stats`: a CSV table (`temperature`, `logits` or `probs`) in, the same table with `mean`,
//!   `variance`, `stddev`, `mode`, `entropy` out (`nan` for the mode at `t <= 1`);
//! - `kl`: a CSV table (`temperature_p`, `logits_p` or `probs_p`, `temperature_q`, `logits_q`
//!   or `probs_q`) in, the same table with `kl` = KL(p || q) out;
//! - `sample`: seeded draws as CSV (one value per line) or a NumPy `.npy` file;
//! - `plot`: the densities of one or more parameter sets, with the mean and mode marked and
//!   optional histograms of seeded draws, as an SVG or PNG file (the text in a bundled DejaVu
//!   Sans font, so no system font is needed);
//! - `demo`, also run by `relaxed-bernoulli` alone: a short tour on built-in examples.
//!
//! The three table commands share one table routine (`table.rs`): every input column is kept
//! verbatim, errors name the input line (the header is line 1), a failing run writes nothing
//! to stdout, `--keep-going` skips bad rows, `--dtype f64|f32` picks the float type, and
//! `--validate-args` makes invalid parameters an error.
//!
//! This crate parses, formats and draws only; every number comes from the `relaxed` crate.
//! The contract (number formats, errors with line numbers, atomic `-o`) is DESIGN.md §5; the
//! user documentation is `relaxed-bernoulli --help`.

mod cli;
mod demo;
mod error;
mod eval;
mod kl;
mod output;
mod plot;
mod sample;
mod stats;
mod table;

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
        Some(Command::Eval(args)) => eval::run(args),
        Some(Command::Stats(args)) => stats::run(args),
        Some(Command::Kl(args)) => kl::run(args),
        Some(Command::Sample(args)) => sample::run(args),
        Some(Command::Plot(args)) => plot::run(args),
        Some(Command::Demo) | None => demo::run(),
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
