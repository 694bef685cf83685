//! `sample`: seeded draws from a batch of RelaxedBernoulli distributions, as CSV (one value per
//! line) or as a NumPy `.npy` file.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use ndarray::{ArrayD, IxDyn};
use rand::TryRng;
use rand::rngs::SysRng;
use relaxed::{Batch, RelaxedBernoulli};

use crate::cli::{Dtype, Format, ParamLists, SampleArgs};
use crate::error::CliError;
use crate::output::{CHUNK_BYTES, CliFloat, format_float, npy_header, parse_float, write_output};
use crate::stderr_line;

/// Runs `sample`.
pub fn run(args: &SampleArgs) -> Result<ExitCode, CliError> {
    let sample_shape = sample_shape(args)?;
    let seed = args.seed.as_deref().map(parse_seed).transpose()?;
    if args.format == Format::Npy && args.output.is_none() && io::stdout().is_terminal() {
        return Err(CliError::msg(
            "refusing to write binary .npy data to a terminal: use -o FILE.npy or redirect \
             stdout (> FILE.npy)",
        ));
    }
    match args.dtype {
        Dtype::F64 => sample_typed::<f64>(args, &sample_shape, seed)?,
        Dtype::F32 => sample_typed::<f32>(args, &sample_shape, seed)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The sample shape: `[N]` for `-n N`, the list of `--sample-shape`, or `[]`.
fn sample_shape(args: &SampleArgs) -> Result<Vec<usize>, CliError> {
    match (&args.count, &args.sample_shape) {
        (Some(_), Some(_)) => Err(CliError::msg("give -n or --sample-shape, not both")),
        (Some(n), None) => Ok(vec![parse_count("-n", n)?]),
        (None, Some(s)) if s.trim().is_empty() => Ok(Vec::new()),
        (None, Some(s)) => s
            .split(',')
            .map(|c| parse_count("--sample-shape", c))
            .collect(),
        (None, None) => Ok(Vec::new()),
    }
}

/// A count: a non-negative integer.
pub fn parse_count(option: &str, text: &str) -> Result<usize, CliError> {
    let t = text.trim();
    if t.starts_with('-') && t.len() > 1 {
        return Err(CliError::msg(format!(
            "{option}: '{t}' is negative; a count must be a non-negative integer"
        )));
    }
    t.parse::<usize>().map_err(|_| {
        CliError::msg(format!(
            "{option}: '{t}' is not a count (a non-negative integer)"
        ))
    })
}

/// A seed: an integer in `[0, 2^64)`.
pub fn parse_seed(text: &str) -> Result<u64, CliError> {
    let t = text.trim();
    t.parse::<u64>().map_err(|_| {
        CliError::msg(format!(
            "--seed: '{t}' is not a seed (an integer from 0 to {})",
            u64::MAX
        ))
    })
}

/// A fresh seed from the operating system.
fn os_seed() -> Result<u64, CliError> {
    SysRng.try_next_u64().map_err(|e| {
        CliError::msg(format!(
            "cannot get a random seed from the OS ({e}); pass --seed N"
        ))
    })
}

/// One number or a comma-separated list of them.
fn parse_list<F: CliFloat>(option: &str, text: &str) -> Result<Vec<F>, CliError> {
    text.split(',')
        .map(|item| {
            parse_float::<F>(item).ok_or_else(|| {
                CliError::msg(if item.trim().is_empty() {
                    format!(
                        "{option}: empty value in '{text}' (expected a number or a \
                         comma-separated list of numbers)"
                    )
                } else {
                    format!("{option}: '{}' is not a number", item.trim())
                })
            })
        })
        .collect()
}

/// A parameter list as an array: shape `[]` for one value, `[k]` for `k > 1` values.
fn to_array<F: CliFloat>(values: Vec<F>) -> Result<ArrayD<F>, CliError> {
    let shape: Vec<usize> = if values.len() == 1 {
        Vec::new()
    } else {
        vec![values.len()]
    };
    ArrayD::from_shape_vec(IxDyn(&shape), values)
        .map_err(|e| CliError::msg(format!("parameter list: {e}")))
}

/// The batch of distributions given by the parameter lists (NumPy broadcasting of a list of
/// length k against a single value); shared with `plot`.
pub fn parse_batch<F: CliFloat>(
    params: &ParamLists,
    validate_args: bool,
) -> Result<Batch<RelaxedBernoulli<F>>, CliError> {
    let t = parse_list::<F>("--temperature", &params.temperature)?;
    let (option, text, is_probs) = match (&params.logits, &params.probs) {
        (Some(l), None) => ("--logits", l, false),
        (None, Some(p)) => ("--probs", p, true),
        _ => return Err(CliError::msg("give exactly one of --logits and --probs")),
    };
    let p = parse_list::<F>(option, text)?;
    if t.len() > 1 && p.len() > 1 && t.len() != p.len() {
        return Err(CliError::msg(format!(
            "--temperature has {} values and {option} has {}: lists must have the same length, \
             or one of them a single value",
            t.len(),
            p.len()
        )));
    }
    let builder = RelaxedBernoulli::batch_builder(to_array(t)?).validate_args(validate_args);
    let p = to_array(p)?;
    let builder = if is_probs {
        builder.probs(p)
    } else {
        builder.logits(p)
    };
    builder.build().map_err(|e| CliError::msg(e.to_string()))
}

/// The seed of `--seed`, or a fresh one from the OS, printed on stderr (`seed: N`) so the run
/// can be repeated.
pub fn seed_or_fresh(seed: Option<u64>) -> Result<u64, CliError> {
    match seed {
        Some(s) => Ok(s),
        None => {
            let s = os_seed()?;
            stderr_line(&format!("seed: {s}"));
            Ok(s)
        }
    }
}

/// Parses the parameters, samples and writes the result.
fn sample_typed<F: CliFloat>(
    args: &SampleArgs,
    sample_shape: &[usize],
    seed: Option<u64>,
) -> Result<(), CliError> {
    let batch = parse_batch::<F>(&args.params, args.validate_args)?;

    let mut shape = sample_shape.to_vec();
    shape.extend_from_slice(batch.batch_shape());
    let bytes = shape
        .iter()
        .try_fold(1usize, |acc, &k| acc.checked_mul(k))
        .and_then(|n| n.checked_mul(size_of::<F>()));
    if bytes.is_none_or(|b| b > isize::MAX as usize) {
        return Err(CliError::msg(format!(
            "the output shape {shape:?} has too many elements to hold in memory"
        )));
    }

    let seed = seed_or_fresh(seed)?;
    let values = batch
        .sample(sample_shape, seed)
        .map_err(|e| CliError::msg(e.to_string()))?;
    match args.format {
        Format::Csv => write_output(args.output.as_deref(), |w| write_csv(w, &values)),
        Format::Npy => {
            let header = npy_header(F::NPY_DESCR, values.shape())?;
            write_output(args.output.as_deref(), |w| {
                w.write_all(&header)?;
                write_npy_data(w, &values)
            })
        }
    }
}

/// Calls `f` on each value in row-major order.
fn for_each_row_major<F: CliFloat>(values: &ArrayD<F>, mut f: impl FnMut(F)) {
    match values.as_slice() {
        Some(s) => s.iter().for_each(|&v| f(v)),
        None => values.iter().for_each(|&v| f(v)),
    }
}

/// One value per line, row-major.
fn write_csv<F: CliFloat>(w: &mut dyn Write, values: &ArrayD<F>) -> io::Result<()> {
    let mut buf = ryu::Buffer::new();
    let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + 64);
    let mut result = Ok(());
    for_each_row_major(values, |v| {
        chunk.extend_from_slice(format_float(&mut buf, v).as_bytes());
        chunk.push(b'\n');
        if chunk.len() >= CHUNK_BYTES && result.is_ok() {
            result = w.write_all(&chunk);
            chunk.clear();
        }
    });
    result?;
    w.write_all(&chunk)
}

/// The little-endian data of an `.npy` file, row-major (C order).
fn write_npy_data<F: CliFloat>(w: &mut dyn Write, values: &ArrayD<F>) -> io::Result<()> {
    let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + 8);
    let mut result = Ok(());
    for_each_row_major(values, |v| {
        v.extend_le(&mut chunk);
        if chunk.len() >= CHUNK_BYTES && result.is_ok() {
            result = w.write_all(&chunk);
            chunk.clear();
        }
    });
    result?;
    w.write_all(&chunk)
}
