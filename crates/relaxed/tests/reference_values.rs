//! Every method of every distribution against the committed mpmath reference tables
//! (`refdata/data/*.tsv`, made by `refdata/generate.py` at 60 digits), with the error metric of
//! DESIGN §4:
//!
//! - log-space results: `|a - r| / max(1, |r|)`;
//! - the others: `|a - r| / max(|r|, m)`, `m` the type's smallest normal number;
//! - ±inf and NaN must match exactly, and a reference beyond the type's range must come out as
//!   ±inf (the reference is rounded to the type first).
//!
//! Tolerances: `f64` 1e-12 (the RelaxedBernoulli quantile `max(1e-12, 1e-13 / t)`, set by its
//! conditioning), `f32` 1e-5. Each test prints the worst error per method, so the figures in
//! the docs can be re-measured with `cargo test --test reference_values -- --nocapture`.

use std::collections::BTreeMap;

use relaxed::math::{log_sigmoid, log1mexp, logit, sigmoid, softplus};
use relaxed::{Function, Logistic, LogitRelaxedBernoulli, Real, RelaxedBernoulli, Univariate};

const TOL_F64: f64 = 1e-12;
const TOL_F32: f64 = 1e-5;

mod common;

use common::{load_table, parse_cell as parse};

struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn load(name: &str) -> Table {
        let (columns, rows) = load_table(name);
        Table { columns, rows }
    }
    fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
}

/// The error of `a` against the reference text `r` in type `F`, by the metric above.
fn error<F: Real>(a: F, r_text: &str, log_space: bool) -> f64 {
    let r64 = parse(r_text);
    let r = F::from_f64(r64);
    if r.is_nan() || r.is_infinite() || a.is_nan() || a.is_infinite() {
        let same = (a.is_nan() && r.is_nan()) || a == r;
        return if same { 0.0 } else { f64::INFINITY };
    }
    let a = a.to_f64();
    if log_space {
        (a - r64).abs() / r64.abs().max(1.0)
    } else {
        (a - r64).abs() / r64.abs().max(F::min_positive_value().to_f64())
    }
}

#[derive(Default)]
struct Report {
    worst: BTreeMap<String, (f64, String)>,
    failures: Vec<String>,
    checked: usize,
}

impl Report {
    fn record(&mut self, method: &str, id: &str, err: f64, tol: f64, detail: impl Fn() -> String) {
        self.checked += 1;
        let e = self
            .worst
            .entry(method.to_string())
            .or_insert((0.0, String::new()));
        if err > e.0 {
            *e = (err, id.to_string());
        }
        if err.is_nan() || err > tol {
            self.failures.push(format!(
                "{id} {method}: err {err:.3e} > {tol:.0e}; {}",
                detail()
            ));
        }
    }
    fn finish(self, what: &str) {
        println!(
            "{what}: {} values checked; worst error per method:",
            self.checked
        );
        for (m, (e, id)) in &self.worst {
            println!("  {m:<14} {e:.3e}  ({id})");
        }
        if !self.failures.is_empty() {
            let n = self.failures.len();
            let shown: Vec<_> = self.failures.into_iter().take(40).collect();
            panic!("{what}: {n} failures, first ones:\n{}", shown.join("\n"));
        }
    }
}

fn tolerance<F: Real>() -> f64 {
    if F::NEEDS_WIDENING { TOL_F32 } else { TOL_F64 }
}

/// A table of RelaxedBernoulli (`logit_space = false`) or LogitRelaxedBernoulli rows.
fn check_relaxed<F: Real>(file: &str, logit_space: bool) {
    let table = Table::load(file);
    let (ct, cp, cv, cq) = (
        table.col("temperature"),
        table.col("param"),
        table.col("value"),
        table.col("q"),
    );
    let cx = table.col(if logit_space { "y" } else { "x" });
    let outs: Vec<(Function, usize)> = Function::ALL
        .iter()
        .map(|&f| (f, table.col(f.name())))
        .collect();
    let tol = tolerance::<F>();
    let mut report = Report::default();
    for row in &table.rows {
        let t = F::from_f64(parse(&row[ct]));
        let v = F::from_f64(parse(&row[cv]));
        let x = F::from_f64(parse(&row[cx]));
        let q = F::from_f64(parse(&row[cq]));
        let builder = RelaxedBernoulli::builder(t).validate_args(true);
        let builder = if row[cp] == "logits" {
            builder.logits(v)
        } else {
            builder.probs(v)
        };
        let eval: Box<dyn Fn(Function, F) -> F> = if logit_space {
            let d: LogitRelaxedBernoulli<F> = builder.build_logit().expect("valid parameters");
            Box::new(move |f, a| d.evaluate_unchecked(f, a))
        } else {
            let d = builder.build().expect("valid parameters");
            Box::new(move |f, a| d.evaluate_unchecked(f, a))
        };
        for &(f, c) in &outs {
            let arg = if f == Function::Quantile { q } else { x };
            let got = eval(f, arg);
            let err = error(got, &row[c], f.is_log());
            let tol_f = if f == Function::Quantile && !F::NEEDS_WIDENING {
                if logit_space {
                    // (l + logit q) / t cancels near its zero: allow the conditioning of the sum.
                    let l = parse(&row[cv]);
                    let l = if row[cp] == "logits" { l } else { logit(l) };
                    let lq = logit(q.to_f64());
                    let cond = (l.abs() + lq.abs()) / (l + lq).abs();
                    tol.max(4.0 * f64::EPSILON * cond)
                } else {
                    tol.max(1e-13 / t.to_f64())
                }
            } else {
                tol
            };
            report.record(f.name(), &row[0], err, tol_f, || {
                format!(
                    "t={} {}={} arg={} got={got:e} want={}",
                    row[ct], row[cp], row[cv], arg, row[c]
                )
            });
        }
    }
    report.finish(file);
}

fn check_logistic<F: Real>(file: &str) {
    let table = Table::load(file);
    let (cl, cs, cx, cq) = (
        table.col("loc"),
        table.col("scale"),
        table.col("x"),
        table.col("q"),
    );
    let tol = tolerance::<F>();
    let mut report = Report::default();
    for row in &table.rows {
        let loc = F::from_f64(parse(&row[cl]));
        let scale = F::from_f64(parse(&row[cs]));
        let d = Logistic::with_options(loc, scale, true, true, "Logistic").expect("valid");
        for f in Function::ALL {
            let arg = F::from_f64(parse(&row[if f == Function::Quantile { cq } else { cx }]));
            let got = d.evaluate_unchecked(f, arg);
            let c = table.col(f.name());
            let err = error(got, &row[c], f.is_log());
            let tol_f = if f == Function::Quantile {
                // loc + scale * logit(q) cancels near its zero: allow its conditioning.
                let sl = (scale.to_f64() * logit(arg.to_f64())).abs();
                let r = parse(&row[c]).abs();
                let eps = if F::NEEDS_WIDENING {
                    f32::EPSILON as f64
                } else {
                    f64::EPSILON
                };
                tol.max(4.0 * eps * (loc.to_f64().abs() + sl) / r)
            } else {
                tol
            };
            report.record(f.name(), &row[0], err, tol_f, || {
                format!(
                    "loc={} scale={} arg={arg} got={got:e} want={}",
                    row[cl], row[cs], row[c]
                )
            });
        }
    }
    report.finish(file);
}

fn check_math<F: Real>(file: &str) {
    let table = Table::load(file);
    let (cf, cx, ce) = (table.col("function"), table.col("x"), table.col("expected"));
    // The kernels promise a few ulp relative to the result (not only the log-space metric).
    let tol = if F::NEEDS_WIDENING {
        8.0 * f32::EPSILON as f64
    } else {
        8.0 * f64::EPSILON
    };
    let mut report = Report::default();
    for row in &table.rows {
        let x = F::from_f64(parse(&row[cx]));
        let got = match row[cf].as_str() {
            "sigmoid" => sigmoid(x),
            "log_sigmoid" => log_sigmoid(x),
            "softplus" => softplus(x),
            "logit" => logit(x),
            "log1mexp" => log1mexp(x),
            other => panic!("unknown function {other}"),
        };
        let err = error(got, &row[ce], false);
        report.record(&row[cf], &row[0], err, tol, || {
            format!("x={} got={got:e} want={}", row[cx], row[ce])
        });
    }
    report.finish(file);
}

#[test]
fn relaxed_bernoulli_f64_matches_mpmath() {
    check_relaxed::<f64>("relaxed_bernoulli_f64.tsv", false);
}

#[test]
fn relaxed_bernoulli_f32_matches_mpmath() {
    check_relaxed::<f32>("relaxed_bernoulli_f32.tsv", false);
}

#[test]
fn logit_relaxed_bernoulli_f64_matches_mpmath() {
    check_relaxed::<f64>("logit_relaxed_bernoulli_f64.tsv", true);
}

#[test]
fn logit_relaxed_bernoulli_f32_matches_mpmath() {
    check_relaxed::<f32>("logit_relaxed_bernoulli_f32.tsv", true);
}

#[test]
fn logistic_f64_matches_mpmath() {
    check_logistic::<f64>("logistic_f64.tsv");
}

#[test]
fn logistic_f32_matches_mpmath() {
    check_logistic::<f32>("logistic_f32.tsv");
}

#[test]
fn math_kernels_f64_match_mpmath() {
    check_math::<f64>("math_f64.tsv");
}

#[test]
fn math_kernels_f32_match_mpmath() {
    check_math::<f32>("math_f32.tsv");
}

/// The `f32` density (`log_prob`, `prob`) against the `f64` one (itself within 1e-12 of mpmath,
/// above) at the same `f32` inputs, by the metric above, over many more values than the table:
/// samples of each distribution (the values the benchmarks evaluate, where `x` crowds towards 0
/// and 1 at low temperature), a uniform grid, and the `f32` tails, through the batch path.
#[test]
fn relaxed_bernoulli_f32_density_matches_f64_on_samples() {
    let temps = [1e-3, 0.01, 0.1, 0.5, 0.9, 1.0, 1.5, 3.0, 10.0, 100.0, 1e3];
    let logits = [-100.0, -20.0, -3.0, -0.3, 0.0, 0.3, 1.0, 5.0, 20.0, 100.0];
    let mut grid: Vec<f32> = (1..1000).map(|i| i as f32 / 1000.0).collect();
    for e in 1..=149 {
        let tiny = 2f64.powi(-e) as f32;
        grid.extend([tiny, 1.5 * tiny, 1.0 - tiny.min(0.5)]);
    }
    grid.extend([
        f32::from_bits(1),
        1.0 - f32::EPSILON / 2.0,
        0.5 + f32::EPSILON,
    ]);
    let mut report = Report::default();
    for &t in &temps {
        for &l in &logits {
            let d32 = RelaxedBernoulli::from_logits(t as f32, l as f32).unwrap();
            let d64 = RelaxedBernoulli::from_logits(t as f32 as f64, l as f32 as f64).unwrap();
            let batch = RelaxedBernoulli::batch_builder(ndarray::arr0(t as f32).into_dyn())
                .logits(ndarray::arr0(l as f32).into_dyn())
                .build()
                .unwrap();
            let mut xs = batch
                .sample(&[4000], 7)
                .unwrap()
                .into_raw_vec_and_offset()
                .0;
            xs.extend_from_slice(&grid);
            let xs = ndarray::Array1::from_vec(xs);
            for (name, f) in [("log_prob", Function::LogProb), ("prob", Function::Prob)] {
                let got = batch.evaluate(f, &xs).unwrap();
                for (&x, &a) in xs.iter().zip(got.iter()) {
                    let r64 = d64.evaluate(f, x as f64).unwrap();
                    let err = error(a, &format!("{r64:e}"), f == Function::LogProb);
                    report.record(name, &format!("t={t} l={l} x={x:e}"), err, TOL_F32, || {
                        format!("got={a:e} want={r64:e}")
                    });
                    assert_eq!(
                        a.to_bits(),
                        d32.evaluate(f, x).unwrap().to_bits(),
                        "batch vs scalar"
                    );
                }
            }
        }
    }
    report.finish("f32 density vs f64 on samples");
}
