//! `demo` (also `relaxed-bernoulli` with no command): a short tour on built-in examples.
//!
//! Three distributions with the same logits at a medium, a low and a high temperature: their
//! seeded samples, a few evaluations and statistics, the `P(X > 1/2) = sigmoid(logits)`
//! identity against the frequency in many draws, a text histogram of those draws, and the
//! commands to try next. Every number comes from the `relaxed` crate; the output is the same on
//! every run.

use std::fmt::Write as _;
use std::process::ExitCode;

use ndarray::{ArrayD, IxDyn};
use relaxed::{Moments, RelaxedBernoulli, Univariate};

use crate::error::CliError;
use crate::output::write_output;

/// The logits of every example.
const LOGITS: f64 = 0.3;
/// The temperatures of the examples A, B, C, with what each shows.
const EXAMPLES: [(&str, f64, &str); 3] = [
    ("A", 0.5, ""),
    ("B", 0.1, "low temperature: nearly a coin"),
    ("C", 2.0, "high temperature: a bump, with a mode"),
];
/// The seed of every draw.
const SEED: u64 = 2026;
/// Samples shown per example.
const SHOWN: usize = 10;
/// Draws for the frequency and the histogram.
const DRAWS: usize = 100_000;
/// Histogram bins, and the height of the text histogram in lines.
const BINS: usize = 20;
const HIST_LINES: usize = 5;
/// The width of a value column of the table.
const COL: usize = 13;

/// Runs `demo`.
pub fn run() -> Result<ExitCode, CliError> {
    let text = demo_text().map_err(|e| CliError::msg(e.to_string()))?;
    write_output(None, |w| w.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

/// A value for the table: 4 decimals, or 3 significant digits when tiny; `undefined` for NaN
/// (the mode at t <= 1).
fn cell(v: f64) -> String {
    if v.is_nan() {
        "undefined".to_string()
    } else if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:.2e}")
    } else {
        format!("{v:.4}")
    }
}

/// A row of the table: a label and one value per example.
fn table_row(out: &mut String, label: &str, values: &[f64]) -> std::fmt::Result {
    write!(out, "{label:<22}")?;
    for &v in values {
        write!(out, "{:>COL$}", cell(v))?;
    }
    writeln!(out)
}

/// The whole demonstration text.
fn demo_text() -> Result<String, Box<dyn std::error::Error>> {
    let dists = EXAMPLES
        .iter()
        .map(|&(_, t, _)| RelaxedBernoulli::from_logits(t, LOGITS))
        .collect::<Result<Vec<_>, _>>()?;
    // One batch of the three, so the draws are those of
    // `relaxed-bernoulli sample -t 0.5,0.1,2 --logits 0.3 -n N --seed 2026`.
    let temperatures: Vec<f64> = EXAMPLES.iter().map(|&(_, t, _)| t).collect();
    let batch = RelaxedBernoulli::batch_builder(ArrayD::from_shape_vec(
        IxDyn(&[EXAMPLES.len()]),
        temperatures,
    )?)
    .logits(ArrayD::from_elem(IxDyn(&[]), LOGITS))
    .build()?;
    let draws = batch.sample(&[DRAWS], SEED)?;
    let draws = draws.as_slice().ok_or("draws are contiguous")?;
    let k = EXAMPLES.len();
    let column = |m: usize| draws.iter().skip(m).step_by(k).copied();

    let mut out = String::new();
    writeln!(
        out,
        "RelaxedBernoulli(t, logits): X = sigmoid((logits + L) / t) on [0, 1], L ~ Logistic(0, 1)"
    )?;
    for &(name, t, note) in &EXAMPLES {
        let def = format!("  {name} = RelaxedBernoulli(t={t}, logits={LOGITS})");
        writeln!(out, "{}", format!("{def:<42}{note}").trim_end())?;
    }
    // The first SHOWN draws of the stream are the first SHOWN rows of the 100000.
    writeln!(out, "\n{SHOWN} samples each (seed {SEED}):")?;
    for (m, &(name, _, _)) in EXAMPLES.iter().enumerate() {
        let shown: Vec<String> = column(m).take(SHOWN).map(|x| format!("{x:.4}")).collect();
        writeln!(out, "  {name}  {}", shown.join(" "))?;
    }

    write!(out, "\n{:<22}", "")?;
    for &(name, _, _) in &EXAMPLES {
        write!(out, "{name:>COL$}")?;
    }
    writeln!(out)?;
    let each = |f: &dyn Fn(&RelaxedBernoulli<f64>) -> f64| dists.iter().map(f).collect::<Vec<_>>();
    for x in [0.1, 0.5, 0.9] {
        let lp = each(&|d| d.log_prob(x).unwrap_or(f64::NAN));
        table_row(&mut out, &format!("log_prob({x})"), &lp)?;
    }
    for x in [0.1, 0.9] {
        let c = each(&|d| d.cdf(x).unwrap_or(f64::NAN));
        table_row(&mut out, &format!("cdf({x})"), &c)?;
    }
    for q in [0.1, 0.5, 0.9] {
        let v = each(&|d| d.quantile(q).unwrap_or(f64::NAN));
        table_row(&mut out, &format!("quantile({q})"), &v)?;
    }
    table_row(&mut out, "mean", &each(&|d| d.mean()))?;
    table_row(&mut out, "variance", &each(&|d| d.variance()))?;
    table_row(
        &mut out,
        "mode (t > 1 only)",
        &each(&|d| d.mode().unwrap_or(f64::NAN)),
    )?;
    table_row(&mut out, "entropy", &each(&|d| d.entropy()))?;
    let above = each(&|d| d.survival_function(0.5).unwrap_or(f64::NAN));
    table_row(&mut out, "P(X > 1/2)=sigmoid(l)", &above)?;
    let freq: Vec<f64> = (0..k)
        .map(|m| column(m).filter(|&x| x > 0.5).count() as f64 / DRAWS as f64)
        .collect();
    table_row(&mut out, &format!("  frequency in {DRAWS}"), &freq)?;

    writeln!(
        out,
        "\nhistograms of the {DRAWS} draws ({BINS} bins on [0, 1], each to its tallest bar):"
    )?;
    let bars: Vec<Vec<usize>> = (0..k)
        .map(|m| {
            let mut counts = [0usize; BINS];
            for x in column(m) {
                counts[((x * BINS as f64) as usize).min(BINS - 1)] += 1;
            }
            let tallest = counts.iter().copied().max().unwrap_or(0).max(1);
            // Bar heights in eighths of a line would need Unicode; whole lines, rounded.
            counts
                .iter()
                .map(|&c| (c * HIST_LINES * 2 + tallest) / (2 * tallest))
                .collect()
        })
        .collect();
    for level in (1..=HIST_LINES).rev() {
        let cols: Vec<String> = bars
            .iter()
            .map(|b| {
                b.iter()
                    .map(|&h| if h >= level { '#' } else { ' ' })
                    .collect()
            })
            .collect();
        writeln!(out, "  {}", cols.join("    ").trim_end())?;
    }
    let axis = format!("0{}1", "-".repeat(BINS - 2));
    let names: Vec<String> = EXAMPLES
        .iter()
        .map(|&(name, _, _)| format!("{name:^BINS$}"))
        .collect();
    writeln!(out, "  {}", [axis.as_str(); 3].join("    "))?;
    writeln!(out, "  {}", names.join("    ").trim_end())?;

    writeln!(
        out,
        "\nNext: relaxed-bernoulli --help, and relaxed-bernoulli <command> --help. For example:"
    )?;
    for cmd in [
        "printf 'temperature,logits,x\\n0.5,0.3,0.25\\n' | relaxed-bernoulli eval",
        "printf 'temperature,logits\\n0.5,0.3\\n2,0.3\\n' | relaxed-bernoulli stats",
        "relaxed-bernoulli sample -t 0.5,0.1,2 --logits 0.3 -n 10 --seed 2026",
        "relaxed-bernoulli plot -t 0.5,0.1,2 -l 0.3 --samples 20000 -o demo.png",
    ] {
        writeln!(out, "  {cmd}")?;
    }
    Ok(out)
}
