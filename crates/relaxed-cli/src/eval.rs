//! `eval`: a CSV table of parameters and values in, the same table with one column per
//! function out (the table machinery is [`crate::table`]).

use std::process::ExitCode;
use std::str::FromStr;

use relaxed::{Function, Univariate};

use crate::cli::EvalArgs;
use crate::error::CliError;
use crate::output::CliFloat;
use crate::table::{self, Columns, Header, ParamColumns, Row, TableCommand};

/// How `eval` names itself in messages.
static EVAL: TableCommand = TableCommand {
    name: "eval",
    example: "temperature,logits,x",
    columns: "temperature, logits or probs, x and/or q",
    rename_hint: " or choose other --functions",
};

/// Runs `eval`.
pub fn run(args: &EvalArgs) -> Result<ExitCode, CliError> {
    // Check the options before waiting for stdin.
    let requested = args.functions.as_deref().map(parse_functions).transpose()?;
    table::run(&args.table, &EVAL, |header| {
        Layout::from_header(header, requested.as_deref())
    })
}

/// The valid function names, for error messages.
fn function_names() -> String {
    Function::ALL
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses `--functions`: comma-separated names, each once.
fn parse_functions(list: &str) -> Result<Vec<Function>, CliError> {
    let mut out = Vec::new();
    for name in list.split(',') {
        let name = name.trim();
        if name.is_empty() {
            return Err(CliError::msg(format!(
                "--functions: empty name in '{list}' (expected a comma-separated list of: {})",
                function_names()
            )));
        }
        let f = Function::from_str(name).map_err(|e| CliError::msg(format!("--functions: {e}")))?;
        if out.contains(&f) {
            return Err(CliError::msg(format!(
                "--functions: '{}' is listed twice",
                f.name()
            )));
        }
        out.push(f);
    }
    Ok(out)
}

/// Where the columns that are read are, and what is computed.
#[derive(Debug)]
struct Layout {
    params: ParamColumns,
    x: Option<usize>,
    q: Option<usize>,
    functions: Vec<Function>,
}

impl Layout {
    /// Finds the columns in the header (line 1) and decides the functions.
    fn from_header(header: &Header, requested: Option<&[Function]>) -> Result<Self, String> {
        let params = ParamColumns::find(header, "")?;
        let x = header.find("x")?;
        let q = header.find("q")?;
        let functions = match requested {
            Some(fs) => {
                for &f in fs {
                    let (col, present) = if f == Function::Quantile {
                        ("q", q.is_some())
                    } else {
                        ("x", x.is_some())
                    };
                    if !present {
                        return Err(format!(
                            "function '{}' needs a column '{col}', which the table does not have",
                            f.name()
                        ));
                    }
                }
                fs.to_vec()
            }
            None => {
                let fs: Vec<Function> = Function::ALL
                    .into_iter()
                    .filter(|&f| {
                        if f == Function::Quantile {
                            q.is_some()
                        } else {
                            x.is_some()
                        }
                    })
                    .collect();
                if fs.is_empty() {
                    return Err(
                        "nothing to evaluate: the table has neither an 'x' column (for \
                                log_prob, prob, cdf, log_cdf, survival, log_survival) nor a 'q' \
                                column (for quantile)"
                            .to_string(),
                    );
                }
                fs
            }
        };
        Ok(Layout {
            params,
            x,
            q,
            functions,
        })
    }

    fn needs_x(&self) -> bool {
        self.functions.iter().any(|&f| f != Function::Quantile)
    }

    fn needs_q(&self) -> bool {
        self.functions.contains(&Function::Quantile)
    }
}

impl Columns for Layout {
    fn names(&self) -> Vec<&'static str> {
        self.functions.iter().map(|f| f.name()).collect()
    }

    /// One value per function.
    fn compute<F: CliFloat>(&self, row: &Row<'_>, out: &mut Vec<F>) -> Result<(), String> {
        let d = self.params.build::<F>(row)?;
        let x: Option<F> = match self.x {
            Some(i) if self.needs_x() => Some(row.number(i, "x")?),
            _ => None,
        };
        let q: Option<F> = match self.q {
            Some(i) if self.needs_q() => Some(row.number(i, "q")?),
            _ => None,
        };
        for &f in &self.functions {
            let (value, col, i) = if f == Function::Quantile {
                (q, "q", self.q)
            } else {
                (x, "x", self.x)
            };
            let Some(value) = value else {
                return Err(format!("function '{}' needs a column '{col}'", f.name()));
            };
            let r = d.evaluate(f, value).map_err(|e| {
                let shown = i
                    .map(|i| row.text(i).trim().to_string())
                    .unwrap_or_default();
                format!("{} at {col} = {shown}: {e}", f.name())
            })?;
            out.push(r);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_lists() {
        assert_eq!(
            parse_functions("cdf, log_prob").ok(),
            Some(vec![Function::Cdf, Function::LogProb])
        );
        assert!(parse_functions("cdf,cdf").is_err());
        assert!(parse_functions("cdf,").is_err());
        assert!(parse_functions("pdf").is_err());
    }
}
