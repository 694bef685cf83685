//! `eval`: a CSV table of parameters and values in, the same table with one column per
//! function out.
//!
//! The whole output is built in memory and written only when every row succeeded (or, with
//! `--keep-going`, after the bad rows were reported and skipped), so a failing run writes
//! nothing to stdout.

use std::borrow::Cow;
use std::fs;
use std::io::{self, IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;

use csv::{ByteRecord, ReaderBuilder, WriterBuilder};
use relaxed::{Function, RelaxedBernoulli, Univariate};

use crate::cli::{Dtype, EvalArgs};
use crate::error::CliError;
use crate::output::{CliFloat, format_float, parse_float, write_output};
use crate::stderr_line;

/// Runs `eval`.
pub fn run(args: &EvalArgs) -> Result<ExitCode, CliError> {
    // Check the options before waiting for stdin.
    let requested = args.functions.as_deref().map(parse_functions).transpose()?;
    let input = read_input(args.input.as_deref())?;
    let options = Options {
        requested: requested.as_deref(),
        validate_args: args.validate_args,
        keep_going: args.keep_going,
    };
    let table = match args.dtype {
        Dtype::F64 => eval_table::<f64>(&input, &options)?,
        Dtype::F32 => eval_table::<f32>(&input, &options)?,
    };
    write_output(args.output.as_deref(), |w| w.write_all(&table.bytes))?;
    if table.skipped > 0 {
        stderr_line(&format!(
            "warning: {} of {} rows skipped (see the errors above)",
            table.skipped, table.rows
        ));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
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

/// The whole input, from `path` or stdin.
fn read_input(path: Option<&Path>) -> Result<Vec<u8>, CliError> {
    match path {
        Some(p) => {
            fs::read(p).map_err(|e| CliError::msg(format!("cannot read '{}': {e}", p.display())))
        }
        None => {
            let stdin = io::stdin();
            if stdin.is_terminal() {
                stderr_line(
                    "relaxed-bernoulli: reading a CSV table from the terminal \
                     (end it with Ctrl-D; see `relaxed-bernoulli eval --help`)",
                );
            }
            let mut buf = Vec::new();
            stdin
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::msg(format!("cannot read stdin: {e}")))?;
            Ok(buf)
        }
    }
}

/// The run options that shape the table.
#[derive(Debug)]
struct Options<'a> {
    requested: Option<&'a [Function]>,
    validate_args: bool,
    keep_going: bool,
}

/// The finished output table.
#[derive(Debug)]
struct Table {
    /// The CSV text: the header and the good rows.
    bytes: Vec<u8>,
    /// Data rows read.
    rows: usize,
    /// Data rows skipped (`--keep-going`).
    skipped: usize,
}

/// Which parameter column the table has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Param {
    Logits,
    Probs,
}

impl Param {
    fn name(self) -> &'static str {
        match self {
            Param::Logits => "logits",
            Param::Probs => "probs",
        }
    }
}

/// Where the columns that are read are, and what is computed.
#[derive(Debug)]
struct Layout {
    temperature: usize,
    param: Param,
    param_col: usize,
    x: Option<usize>,
    q: Option<usize>,
    functions: Vec<Function>,
}

impl Layout {
    /// Finds the columns in the header (line 1) and decides the functions.
    fn from_header(header: &ByteRecord, requested: Option<&[Function]>) -> Result<Self, String> {
        let names: Vec<String> = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        let find = |want: &str| -> Result<Option<usize>, String> {
            let mut hits = names
                .iter()
                .enumerate()
                .filter(|(_, n)| *n == want)
                .map(|(i, _)| i);
            let first = hits.next();
            if hits.next().is_some() {
                return Err(format!(
                    "the header names the column '{want}' more than once"
                ));
            }
            Ok(first)
        };
        let Some(temperature) = find("temperature")? else {
            let looks_like_data = names
                .iter()
                .all(|n| !n.is_empty() && parse_float::<f64>(n).is_some());
            return Err(if looks_like_data {
                format!(
                    "the input has no header line: it starts with data ({}); the first line \
                     must name the columns, e.g. temperature,logits,x",
                    names.join(",")
                )
            } else {
                format!(
                    "no column 'temperature' in the header (it has: {}); the columns are \
                     temperature, logits or probs, x and/or q",
                    names.join(", ")
                )
            });
        };
        let (param, param_col) = match (find("logits")?, find("probs")?) {
            (Some(i), None) => (Param::Logits, i),
            (None, Some(i)) => (Param::Probs, i),
            (Some(_), Some(_)) => {
                return Err(
                    "the table has both a 'logits' and a 'probs' column: give exactly \
                            one of them"
                        .to_string(),
                );
            }
            (None, None) => {
                return Err(
                    "the table has neither a 'logits' nor a 'probs' column: give \
                            exactly one of them"
                        .to_string(),
                );
            }
        };
        let x = find("x")?;
        let q = find("q")?;
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
        for f in &functions {
            if names.iter().any(|n| n == f.name()) {
                return Err(format!(
                    "the input already has a column named '{}', which would be repeated in the \
                     output: rename it or choose other --functions",
                    f.name()
                ));
            }
        }
        Ok(Layout {
            temperature,
            param,
            param_col,
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

/// The text of field `i` (lossy UTF-8), for messages.
fn text(rec: &ByteRecord, i: usize) -> Cow<'_, str> {
    String::from_utf8_lossy(rec.get(i).unwrap_or(b""))
}

/// Field `i`, named `name`, as a number.
fn number<F: CliFloat>(rec: &ByteRecord, i: usize, name: &str) -> Result<F, String> {
    let raw = text(rec, i);
    parse_float::<F>(&raw).ok_or_else(|| {
        if raw.trim().is_empty() {
            format!("column '{name}' is empty")
        } else {
            format!("column '{name}': '{raw}' is not a number")
        }
    })
}

/// Evaluates one row into `out` (one value per function).
fn eval_row<F: CliFloat>(
    rec: &ByteRecord,
    layout: &Layout,
    validate_args: bool,
    out: &mut Vec<F>,
) -> Result<(), String> {
    out.clear();
    let pname = layout.param.name();
    let t: F = number(rec, layout.temperature, "temperature")?;
    let p: F = number(rec, layout.param_col, pname)?;
    let x: Option<F> = match layout.x {
        Some(i) if layout.needs_x() => Some(number(rec, i, "x")?),
        _ => None,
    };
    let q: Option<F> = match layout.q {
        Some(i) if layout.needs_q() => Some(number(rec, i, "q")?),
        _ => None,
    };
    let builder = RelaxedBernoulli::builder(t).validate_args(validate_args);
    let builder = match layout.param {
        Param::Logits => builder.logits(p),
        Param::Probs => builder.probs(p),
    };
    let d = builder.build().map_err(|e| {
        format!(
            "temperature = {}, {pname} = {}: {e}",
            text(rec, layout.temperature).trim(),
            text(rec, layout.param_col).trim()
        )
    })?;
    for &f in &layout.functions {
        let (value, col, i) = if f == Function::Quantile {
            (q, "q", layout.q)
        } else {
            (x, "x", layout.x)
        };
        let Some(value) = value else {
            return Err(format!("function '{}' needs a column '{col}'", f.name()));
        };
        let r = d.evaluate(f, value).map_err(|e| {
            let shown = i
                .map(|i| text(rec, i).trim().to_string())
                .unwrap_or_default();
            format!("{} at {col} = {shown}: {e}", f.name())
        })?;
        out.push(r);
    }
    Ok(())
}

/// Line numbers as an editor shows them (the first line is 1; `\n`, `\r\n` and a lone `\r`
/// each end a line), from the byte offsets of the records.
///
/// The `csv` crate's own `Position::line` is not used: it does not count blank lines, nor the
/// lines ended by `\r\n` after the first, and its byte offset points at the blank lines before
/// a record rather than at the record.
#[derive(Debug)]
struct LineCounter<'a> {
    input: &'a [u8],
    /// Bytes before `pos` are counted.
    pos: usize,
    /// The line of byte `pos`.
    line: u64,
    /// Whether byte `pos - 1` is `\r` (so a `\n` at `pos` ends no new line).
    after_cr: bool,
}

impl<'a> LineCounter<'a> {
    fn new(input: &'a [u8]) -> Self {
        LineCounter {
            input,
            pos: 0,
            line: 1,
            after_cr: false,
        }
    }

    /// The line of the record reported at byte offset `byte` (offsets must not decrease).
    fn line_of(&mut self, byte: u64) -> u64 {
        let len = self.input.len();
        let mut start = usize::try_from(byte).unwrap_or(len).min(len);
        // A record never starts with a line break: skip the blank lines before it.
        while start < len && matches!(self.input[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.pos {
            for &b in &self.input[self.pos..start] {
                match b {
                    b'\n' if self.after_cr => self.after_cr = false,
                    b'\n' => self.line += 1,
                    b'\r' => {
                        self.line += 1;
                        self.after_cr = true;
                    }
                    _ => self.after_cr = false,
                }
            }
            self.pos = start;
        }
        self.line
    }
}

/// A CSV reader error as (byte offset, message) if it concerns one row (a wrong number of
/// fields), `None` if it is fatal.
fn row_error(e: &csv::Error) -> Option<(u64, String)> {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos: Some(pos),
            expected_len,
            len,
        } => Some((
            pos.byte(),
            format!(
                "{len} field{}, but the header has {expected_len}",
                if *len == 1 { "" } else { "s" }
            ),
        )),
        _ => None,
    }
}

/// Reads the table in `input` and builds the output table.
fn eval_table<F: CliFloat>(input: &[u8], options: &Options<'_>) -> Result<Table, CliError> {
    let mut reader = ReaderBuilder::new().has_headers(false).from_reader(input);
    let mut rec = ByteRecord::new();
    match reader.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            return Err(CliError::msg(
                "empty input: expected a CSV table whose first line names the columns, e.g. \
                 temperature,logits,x (see `relaxed-bernoulli eval --help`)",
            ));
        }
        Err(e) => return Err(CliError::msg(format!("line 1: {e}"))),
    }
    let header = rec.clone();
    let layout = Layout::from_header(&header, options.requested)
        .map_err(|m| CliError::msg(format!("line 1: {m}")))?;

    let mut writer = WriterBuilder::new().from_writer(Vec::with_capacity(2 * input.len() + 64));
    let mut out_header = header.clone();
    for f in &layout.functions {
        out_header.push_field(f.name().as_bytes());
    }
    let write_err = |e: csv::Error| CliError::msg(format!("formatting the output: {e}"));
    writer.write_byte_record(&out_header).map_err(write_err)?;

    let mut lines = LineCounter::new(input);
    let mut values: Vec<F> = Vec::with_capacity(layout.functions.len());
    let mut buf = ryu::Buffer::new();
    let (mut rows, mut skipped) = (0usize, 0usize);
    loop {
        let outcome = match reader.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.line_of(rec.position().map_or(0, |p| p.byte()));
                eval_row(&rec, &layout, options.validate_args, &mut values).map_err(|m| (line, m))
            }
            Err(e) => match row_error(&e) {
                Some((byte, m)) => Err((lines.line_of(byte), m)),
                None => return Err(CliError::msg(format!("reading the input: {e}"))),
            },
        };
        rows += 1;
        match outcome {
            Ok(()) => {
                for field in rec.iter() {
                    writer.write_field(field).map_err(write_err)?;
                }
                for &v in &values {
                    writer
                        .write_field(format_float(&mut buf, v))
                        .map_err(write_err)?;
                }
                writer.write_record(None::<&[u8]>).map_err(write_err)?;
            }
            Err((line, message)) => {
                let message = format!("line {line}: {message}");
                if !options.keep_going {
                    return Err(CliError::msg(message));
                }
                stderr_line(&format!("error: {message} (row skipped)"));
                skipped += 1;
            }
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| CliError::msg(format!("formatting the output: {}", e.error())))?;
    Ok(Table {
        bytes,
        rows,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of the records of `input`, as the reader reports them.
    fn record_lines(input: &[u8]) -> Vec<u64> {
        let mut reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut lines = LineCounter::new(input);
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut rec).unwrap_or(false) {
            out.push(lines.line_of(rec.position().map_or(0, |p| p.byte())));
        }
        out
    }

    #[test]
    fn line_numbers_count_as_an_editor() {
        assert_eq!(record_lines(b"a,b\n1,2\n3,4\n"), [1, 2, 3]);
        assert_eq!(record_lines(b"a,b\n\n1,2\n\n\n3,4"), [1, 3, 6]);
        assert_eq!(record_lines(b"a,b\r\n\r\n1,2\r\n3,4\r\n"), [1, 3, 4]);
        assert_eq!(record_lines(b"a,b\r1,2\r\r3,4\r"), [1, 2, 4]);
        assert_eq!(record_lines(b"a,b\n\"x\ny\",2\n3,4\n"), [1, 2, 4]);
        assert_eq!(record_lines(b"\xef\xbb\xbfa,b\n1,2\n"), [1, 2]);
    }

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
