//! `stats`: a CSV table of parameters in, the same table with `mean`, `variance`, `stddev`,
//! `mode`, `entropy` out (the table machinery is [`crate::table`]).

use std::process::ExitCode;

use relaxed::Moments;

use crate::cli::StatsArgs;
use crate::error::CliError;
use crate::output::CliFloat;
use crate::table::{self, Columns, ParamColumns, Row, TableCommand};

/// How `stats` names itself in messages.
static STATS: TableCommand = TableCommand {
    name: "stats",
    example: "temperature,logits",
    columns: "temperature and logits or probs",
    rename_hint: "",
};

/// The result columns, in output order.
const NAMES: [&str; 5] = ["mean", "variance", "stddev", "mode", "entropy"];

/// Runs `stats`.
pub fn run(args: &StatsArgs) -> Result<ExitCode, CliError> {
    table::run(&args.table, &STATS, |header| {
        ParamColumns::find(header, "").map(Stats)
    })
}

/// The statistics of the distribution in each row.
#[derive(Debug)]
struct Stats(ParamColumns);

impl Columns for Stats {
    fn names(&self) -> Vec<&'static str> {
        NAMES.to_vec()
    }

    fn compute<F: CliFloat>(&self, row: &Row<'_>, out: &mut Vec<F>) -> Result<(), String> {
        // Built with allow_nan_stats: an undefined mode (t <= 1) is NaN, never an error.
        let d = self.0.build::<F>(row)?;
        let mode = d.mode().map_err(|e| e.to_string())?;
        out.extend([d.mean(), d.variance(), d.stddev(), mode, d.entropy()]);
        Ok(())
    }
}
