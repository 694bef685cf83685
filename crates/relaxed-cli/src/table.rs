//! The table machinery of `eval`, `stats` and `kl`: read a CSV table, find the columns in its
//! header, compute a group of result columns for each row, and write the table back with every
//! input column kept.
//!
//! A command describes itself with a [`TableCommand`] and computes its columns through a
//! [`Columns`] value made from the header; [`run`] does the rest (the reading, the line numbers,
//! `--keep-going`, the output). The whole output is built in memory and written only when every
//! row succeeded (or, with `--keep-going`, after the bad rows were reported and skipped), so a
//! failing run writes nothing to stdout.

use std::borrow::Cow;
use std::fs;
use std::io::{self, IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;

use csv::{ByteRecord, ReaderBuilder, WriterBuilder};
use relaxed::RelaxedBernoulli;

use crate::cli::{Dtype, TableArgs};
use crate::error::CliError;
use crate::output::{CliFloat, format_float, parse_float, write_output};
use crate::stderr_line;

/// What a table command says about itself in its messages.
#[derive(Debug)]
pub struct TableCommand {
    /// The subcommand's name (`eval`).
    pub name: &'static str,
    /// A header that works, for messages (`temperature,logits,x`).
    pub example: &'static str,
    /// The input columns in words, for messages.
    pub columns: &'static str,
    /// Appended to the advice when an input column has the name of a result column.
    pub rename_hint: &'static str,
}

/// The result columns of a table command, laid out for one table.
pub trait Columns {
    /// The names of the result columns, in output order.
    fn names(&self) -> Vec<&'static str>;

    /// Appends the result columns of `row` to `out` (empty on entry), one value per name; an
    /// error is a message without the line number.
    fn compute<F: CliFloat>(&self, row: &Row<'_>, out: &mut Vec<F>) -> Result<(), String>;
}

/// One data row, as [`Columns::compute`] reads it.
#[derive(Debug)]
pub struct Row<'a> {
    rec: &'a ByteRecord,
    /// `--validate-args`: checks in the distributions built from the row.
    validate_args: bool,
}

impl Row<'_> {
    /// The text of field `i` (lossy UTF-8, untrimmed), for messages.
    pub fn text(&self, i: usize) -> Cow<'_, str> {
        String::from_utf8_lossy(self.rec.get(i).unwrap_or(b""))
    }

    /// Field `i`, named `name`, as a number.
    pub fn number<F: CliFloat>(&self, i: usize, name: &str) -> Result<F, String> {
        let raw = self.text(i);
        parse_float::<F>(&raw).ok_or_else(|| {
            if raw.trim().is_empty() {
                format!("column '{name}' is empty")
            } else {
                format!("column '{name}': '{raw}' is not a number")
            }
        })
    }
}

/// Runs a table command: reads the input of `args`, lays the columns out with `layout` from
/// the header, computes every row and writes the table.
pub fn run<C: Columns>(
    args: &TableArgs,
    command: &'static TableCommand,
    layout: impl FnOnce(&Header) -> Result<C, String>,
) -> Result<ExitCode, CliError> {
    let input = read_input(args.input.as_deref(), command)?;
    let options = Options {
        validate_args: args.validate_args,
        keep_going: args.keep_going,
    };
    let table = match args.dtype {
        Dtype::F64 => process::<f64, C>(&input, command, layout, &options)?,
        Dtype::F32 => process::<f32, C>(&input, command, layout, &options)?,
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

/// The whole input, from `path` or stdin.
fn read_input(path: Option<&Path>, command: &TableCommand) -> Result<Vec<u8>, CliError> {
    match path {
        Some(p) => {
            fs::read(p).map_err(|e| CliError::msg(format!("cannot read '{}': {e}", p.display())))
        }
        None => {
            let stdin = io::stdin();
            if stdin.is_terminal() {
                stderr_line(&format!(
                    "relaxed-bernoulli: reading a CSV table from the terminal \
                     (end it with Ctrl-D; see `relaxed-bernoulli {} --help`)",
                    command.name
                ));
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
struct Options {
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

/// The header line (line 1): the column names, trimmed.
#[derive(Debug)]
pub struct Header {
    names: Vec<String>,
    command: &'static TableCommand,
}

impl Header {
    /// Reads the names; a line of numbers is taken for a missing header.
    fn new(rec: &ByteRecord, command: &'static TableCommand) -> Result<Self, String> {
        let names: Vec<String> = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        if names
            .iter()
            .all(|n| !n.is_empty() && parse_float::<f64>(n).is_some())
        {
            return Err(format!(
                "the input has no header line: it starts with data ({}); the first line must \
                 name the columns, e.g. {}",
                names.join(","),
                command.example
            ));
        }
        Ok(Header { names, command })
    }

    /// The index of the column named `want`, if there is one; a name given twice is an error.
    pub fn find(&self, want: &str) -> Result<Option<usize>, String> {
        let mut hits = self
            .names
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
    }

    /// The index of the column named `want`, which must be there.
    pub fn require(&self, want: &str) -> Result<usize, String> {
        self.find(want)?.ok_or_else(|| {
            format!(
                "no column '{want}' in the header (it has: {}); the columns are {}",
                self.names.join(", "),
                self.command.columns
            )
        })
    }

    /// Whether a column is named `name`.
    fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

/// Which parameter column a distribution is given by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Param {
    Logits,
    Probs,
}

/// The columns of one distribution: `temperature` and exactly one of `logits` / `probs`, each
/// name followed by a suffix (`""` in `eval` and `stats`, `_p` and `_q` in `kl`).
#[derive(Debug)]
pub struct ParamColumns {
    temperature: usize,
    param: Param,
    param_col: usize,
    names: [String; 2],
}

impl ParamColumns {
    /// Finds `temperature{suffix}` and exactly one of `logits{suffix}` / `probs{suffix}`.
    pub fn find(header: &Header, suffix: &str) -> Result<Self, String> {
        let temperature_name = format!("temperature{suffix}");
        let temperature = header.require(&temperature_name)?;
        let (logits, probs) = (format!("logits{suffix}"), format!("probs{suffix}"));
        let (param, param_col, param_name) = match (header.find(&logits)?, header.find(&probs)?) {
            (Some(i), None) => (Param::Logits, i, logits),
            (None, Some(i)) => (Param::Probs, i, probs),
            // Both (Some, Some) or neither (None, None).
            (found, _) => {
                let (which, and) = if found.is_some() {
                    ("both", "and")
                } else {
                    ("neither", "nor")
                };
                return Err(format!(
                    "the table has {which} a '{logits}' {and} a '{probs}' column: give exactly \
                     one of them"
                ));
            }
        };
        Ok(ParamColumns {
            temperature,
            param,
            param_col,
            names: [temperature_name, param_name],
        })
    }

    /// The distribution of `row` (`allow_nan_stats` on: an undefined statistic is NaN).
    pub fn build<F: CliFloat>(&self, row: &Row<'_>) -> Result<RelaxedBernoulli<F>, String> {
        let [tname, pname] = &self.names;
        let t: F = row.number(self.temperature, tname)?;
        let p: F = row.number(self.param_col, pname)?;
        let builder = RelaxedBernoulli::builder(t).validate_args(row.validate_args);
        let builder = match self.param {
            Param::Logits => builder.logits(p),
            Param::Probs => builder.probs(p),
        };
        builder.build().map_err(|e| {
            format!(
                "{tname} = {}, {pname} = {}: {e}",
                row.text(self.temperature).trim(),
                row.text(self.param_col).trim()
            )
        })
    }
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
fn process<F: CliFloat, C: Columns>(
    input: &[u8],
    command: &'static TableCommand,
    layout: impl FnOnce(&Header) -> Result<C, String>,
    options: &Options,
) -> Result<Table, CliError> {
    let mut reader = ReaderBuilder::new().has_headers(false).from_reader(input);
    let mut rec = ByteRecord::new();
    match reader.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            return Err(CliError::msg(format!(
                "empty input: expected a CSV table whose first line names the columns, e.g. \
                 {} (see `relaxed-bernoulli {} --help`)",
                command.example, command.name
            )));
        }
        Err(e) => return Err(CliError::msg(format!("line 1: {e}"))),
    }
    let header_line = |m: String| CliError::msg(format!("line 1: {m}"));
    let header = Header::new(&rec, command).map_err(header_line)?;
    let columns = layout(&header).map_err(header_line)?;
    let names = columns.names();
    if let Some(name) = names.iter().find(|n| header.has(n)) {
        return Err(header_line(format!(
            "the input already has a column named '{name}', which would be repeated in the \
             output: rename it{}",
            command.rename_hint
        )));
    }

    let mut writer = WriterBuilder::new().from_writer(Vec::with_capacity(2 * input.len() + 64));
    let mut out_header = rec.clone();
    for name in &names {
        out_header.push_field(name.as_bytes());
    }
    let write_err = |e: csv::Error| CliError::msg(format!("formatting the output: {e}"));
    writer.write_byte_record(&out_header).map_err(write_err)?;

    let mut lines = LineCounter::new(input);
    let mut values: Vec<F> = Vec::with_capacity(names.len());
    let mut buf = ryu::Buffer::new();
    let (mut rows, mut skipped) = (0usize, 0usize);
    loop {
        let outcome = match reader.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.line_of(rec.position().map_or(0, |p| p.byte()));
                let row = Row {
                    rec: &rec,
                    validate_args: options.validate_args,
                };
                values.clear();
                columns.compute(&row, &mut values).map_err(|m| (line, m))
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

    static TEST: TableCommand = TableCommand {
        name: "test",
        example: "temperature_p,logits_p",
        columns: "temperature_p, logits_p or probs_p",
        rename_hint: "",
    };

    fn header(line: &[u8]) -> Result<Header, String> {
        let mut reader = ReaderBuilder::new().has_headers(false).from_reader(line);
        let mut rec = ByteRecord::new();
        assert!(reader.read_byte_record(&mut rec).unwrap_or(false));
        Header::new(&rec, &TEST)
    }

    #[test]
    fn param_columns_need_exactly_one_of_logits_and_probs() {
        let h = header(b"id,probs_p,temperature_p,logits_q").expect("a header");
        let p = ParamColumns::find(&h, "_p").expect("found");
        assert_eq!((p.temperature, p.param, p.param_col), (2, Param::Probs, 1));
        let e = ParamColumns::find(&h, "_q").expect_err("no temperature_q");
        assert!(e.contains("'temperature_q'"), "{e}");
        let h = header(b"temperature,logits,probs").expect("a header");
        let e = ParamColumns::find(&h, "").expect_err("both");
        assert!(e.contains("both a 'logits' and a 'probs'"), "{e}");
        let h = header(b"temperature,x").expect("a header");
        let e = ParamColumns::find(&h, "").expect_err("neither");
        assert!(e.contains("neither a 'logits' nor a 'probs'"), "{e}");
        let e = header(b"0.5,1").expect_err("data");
        assert!(e.contains("no header line"), "{e}");
    }
}
