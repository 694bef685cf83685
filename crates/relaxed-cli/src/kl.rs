//! `kl`: a CSV table of parameter pairs in, the same table with `kl` = KL(p || q) out (the
//! table machinery is [`crate::table`]).

use std::process::ExitCode;

use relaxed::KlDivergence;

use crate::cli::KlArgs;
use crate::error::CliError;
use crate::output::CliFloat;
use crate::table::{self, Columns, ParamColumns, Row, TableCommand};

/// How `kl` names itself in messages.
static KL: TableCommand = TableCommand {
    name: "kl",
    example: "temperature_p,logits_p,temperature_q,logits_q",
    columns: "temperature_p, logits_p or probs_p, temperature_q, logits_q or probs_q",
    rename_hint: "",
};

/// Runs `kl`.
pub fn run(args: &KlArgs) -> Result<ExitCode, CliError> {
    table::run(&args.table, &KL, |header| {
        Ok(Kl {
            p: ParamColumns::find(header, "_p")?,
            q: ParamColumns::find(header, "_q")?,
        })
    })
}

/// The two distributions of each row; each side picks logits or probs on its own.
#[derive(Debug)]
struct Kl {
    p: ParamColumns,
    q: ParamColumns,
}

impl Columns for Kl {
    fn names(&self) -> Vec<&'static str> {
        vec!["kl"]
    }

    fn compute<F: CliFloat>(&self, row: &Row<'_>, out: &mut Vec<F>) -> Result<(), String> {
        let p = self.p.build::<F>(row)?;
        let q = self.q.build::<F>(row)?;
        out.push(p.kl_divergence(&q));
        Ok(())
    }
}
