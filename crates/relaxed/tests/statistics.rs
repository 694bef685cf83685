//! The statistics (mean, variance, stddev, entropy, mode, KL) against the committed mpmath
//! quadrature tables (`refdata/data/stats_f64.tsv`, `kl_f64.tsv`, made by
//! `refdata/generate_stats.py` at 60 digits), with the bounds of DESIGN §4:
//! mean, variance, stddev, mode within 1e-10 relative; entropy within 1e-10 * max(1, |H|);
//! KL within 1e-10 * KL + 1e-15. `f32` results (computed in `f64` from the `f32`-rounded
//! parameters and rounded once) within 1e-5 plus the conditioning of rounding the parameters
//! to `f32` (estimated by finite differences of the `f64` statistic).
//!
//! Also: symmetry, closed forms at their hard points, Monte Carlo agreement with the sampler,
//! and the unbiasedness of the Monte Carlo KL term.

use ndarray::{ArrayD, IxDyn, arr1};
use relaxed::{
    KlDivergence, Logistic, LogitRelaxedBernoulli, Moments, RelaxedBernoulli,
    RelaxedBernoulliErrorKind,
};

mod common;

use common::{load_table as load, parse_cell as num};

fn col(cols: &[String], name: &str) -> usize {
    cols.iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// `(error, bound)` of `got` against `want` for statistic `what`.
fn err_bound(what: &str, got: f64, want: f64) -> (f64, f64) {
    if want.is_nan() || want.is_infinite() {
        let same = (got.is_nan() && want.is_nan()) || got == want;
        return (if same { 0.0 } else { f64::INFINITY }, 0.0);
    }
    let e = (got - want).abs();
    match what {
        "entropy" => (e / want.abs().max(1.0), 1e-10),
        _ => (e / want.abs(), 1e-10),
    }
}

#[test]
fn statistics_f64_match_mpmath() {
    let (cols, rows) = load("stats_f64.tsv");
    let (ct, cl) = (col(&cols, "temperature"), col(&cols, "logits"));
    let mut worst: Vec<(f64, String)> = vec![(0.0, String::new()); 5];
    let names = ["mean", "variance", "stddev", "entropy", "mode"];
    let mut failures = Vec::new();
    for row in &rows {
        let (t, l) = (num(&row[ct]), num(&row[cl]));
        let d = RelaxedBernoulli::from_logits(t, l).unwrap();
        let got = [
            d.mean(),
            d.variance(),
            d.stddev(),
            d.entropy(),
            d.mode().unwrap(),
        ];
        for (k, name) in names.iter().enumerate() {
            let want = num(&row[col(&cols, name)]);
            let (e, bound) = err_bound(name, got[k], want);
            if e > worst[k].0 {
                worst[k] = (e, row[0].clone());
            }
            if e.is_nan() || e > bound {
                failures.push(format!(
                    "{} t={t} l={l} {name}: got {:e} want {want:e} err {e:.2e}",
                    row[0], got[k]
                ));
            }
        }
    }
    println!(
        "stats_f64.tsv: {} rows; worst error per statistic:",
        rows.len()
    );
    for (k, name) in names.iter().enumerate() {
        println!("  {name:<9} {:.3e} ({})", worst[k].0, worst[k].1);
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn statistics_f32_match_mpmath_within_conditioning() {
    let (cols, rows) = load("stats_f64.tsv");
    let (ct, cl) = (col(&cols, "temperature"), col(&cols, "logits"));
    let mut failures = Vec::new();
    for row in &rows {
        let (t, l) = (num(&row[ct]), num(&row[cl]));
        let (t32, l32) = (t as f32, l as f32);
        let d32 = RelaxedBernoulli::from_logits(t32, l32).unwrap();
        let d64 = RelaxedBernoulli::from_logits(t32 as f64, l32 as f64).unwrap();
        let got = [d32.mean(), d32.variance(), d32.stddev(), d32.entropy()];
        let at_rounded = [d64.mean(), d64.variance(), d64.stddev(), d64.entropy()];
        for (k, name) in ["mean", "variance", "stddev", "entropy"].iter().enumerate() {
            let want = num(&row[col(&cols, name)]);
            // The f64 statistic at the f32 parameters differs from the reference only by the
            // conditioning of rounding the parameters; it is itself within 1e-10.
            let shift = (at_rounded[k] - want).abs()
                / if *name == "entropy" {
                    want.abs().max(1.0)
                } else {
                    want.abs()
                };
            // DESIGN §4's floor: relative to max(|r|, f32::MIN_POSITIVE), so results in the
            // subnormal range need only be right to the last subnormal place.
            let (e, _) = err_bound(name, got[k] as f64, want);
            let e = if *name == "entropy" {
                e
            } else {
                e * want.abs() / want.abs().max(f32::MIN_POSITIVE as f64)
            };
            let bound = 1e-5 + shift;
            if e.is_nan() || e > bound {
                failures.push(format!(
                    "{} t={t} l={l} {name}: got {:e} want {want:e} err {e:.2e}",
                    row[0], got[k]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn kl_f64_matches_mpmath() {
    let (cols, rows) = load("kl_f64.tsv");
    let c = |n| col(&cols, n);
    let (mut worst, mut worst_id, mut worst_large) = (0.0f64, String::new(), 0.0f64);
    let mut failures = Vec::new();
    for row in &rows {
        let p =
            RelaxedBernoulli::from_logits(num(&row[c("temperature_p")]), num(&row[c("logits_p")]))
                .unwrap();
        let q =
            RelaxedBernoulli::from_logits(num(&row[c("temperature_q")]), num(&row[c("logits_q")]))
                .unwrap();
        let want = num(&row[c("kl")]);
        let got = p.kl_divergence(&q);
        // The logit-space pair gives the same number.
        assert_eq!(
            got.to_bits(),
            p.to_logit().kl_divergence(&q.to_logit()).to_bits()
        );
        let (e, bound) = if want.is_finite() {
            ((got - want).abs(), 1e-10 * want + 1e-15)
        } else {
            (if got == want { 0.0 } else { f64::INFINITY }, 0.0)
        };
        let rel = if want > 0.0 { e / want } else { e };
        if rel > worst {
            worst = rel;
            worst_id = row[0].clone();
        }
        if want > 1e-6 && rel > worst_large {
            worst_large = rel;
        }
        if e.is_nan() || e > bound {
            failures.push(format!("{}: got {got:e} want {want:e}", row[0]));
        }
    }
    println!(
        "kl_f64.tsv: {} rows; worst relative error {worst:.3e} ({worst_id}); {worst_large:.3e} \
         where KL > 1e-6",
        rows.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn statistics_symmetry_holds() {
    for t in [0.01_f64, 0.3, 1.0, 2.5, 50.0] {
        for l in [1e-8_f64, 0.4, 3.0, 17.0] {
            let a = RelaxedBernoulli::from_logits(t, l).unwrap();
            let b = RelaxedBernoulli::from_logits(t, -l).unwrap();
            assert!((a.mean() - (1.0 - b.mean())).abs() <= 1e-15, "t={t} l={l}");
            assert_eq!(a.variance(), b.variance());
            assert_eq!(a.entropy(), b.entropy());
            if t > 1.0 {
                assert!((a.mode().unwrap() - (1.0 - b.mode().unwrap())).abs() <= 1e-15);
            }
        }
    }
}

#[test]
fn closed_forms_hold_at_their_hard_points() {
    // t = 1, logits = 0: Uniform(0, 1).
    let u = RelaxedBernoulli::from_logits(1.0_f64, 0.0).unwrap();
    assert_eq!(
        (u.mean(), u.variance(), u.entropy()),
        (0.5, 1.0 / 12.0, 0.0)
    );
    // logits = 0: mean 1/2 at every temperature.
    for t in [0.01, 0.7, 30.0] {
        assert_eq!(
            RelaxedBernoulli::from_logits(t, 0.0_f64).unwrap().mean(),
            0.5
        );
    }
    // t = 1 mean a(a - 1 - ln a)/(a - 1)^2 at l = ±1e-8 (the printed form is 2.6e-9 off)
    // and ±700 (it overflows): 1/2 + l/6 and 699 e^-700.
    let m = RelaxedBernoulli::from_logits(1.0_f64, 1e-8).unwrap().mean();
    assert!((m - (0.5 + 1e-8 / 6.0)).abs() < 1e-17, "{m}");
    let m = RelaxedBernoulli::from_logits(1.0_f64, -1e-8)
        .unwrap()
        .mean();
    assert!((m - (0.5 - 1e-8 / 6.0)).abs() < 1e-17, "{m}");
    let m = RelaxedBernoulli::from_logits(1.0_f64, -700.0)
        .unwrap()
        .mean();
    assert!((m / (699.0 * (-700f64).exp()) - 1.0).abs() < 1e-13, "{m}");
    assert_eq!(
        RelaxedBernoulli::from_logits(1.0_f64, 700.0)
            .unwrap()
            .mean(),
        1.0
    );
    // KL at equal temperature: d^2/6 at d = 1e-8 (the printed form gives 0), d - 2 at d = 700.
    let p = RelaxedBernoulli::from_logits(0.5_f64, 1e-8).unwrap();
    let q = RelaxedBernoulli::from_logits(0.5_f64, 0.0).unwrap();
    assert!((p.kl_divergence(&q) / (1e-16 / 6.0) - 1.0).abs() < 1e-12);
    let p = RelaxedBernoulli::from_logits(0.5_f64, 700.0).unwrap();
    assert!((p.kl_divergence(&q) - 698.0).abs() < 1e-12);
    // Consistency: at t = 1, entropy(l) = -KL(RB(1, l) || RB(1, 0)) (the uniform density is 1).
    for l in [0.3, -2.0, 9.0] {
        let p = RelaxedBernoulli::from_logits(1.0_f64, l).unwrap();
        let kl = p.kl_divergence(&q.clone_with_temperature(1.0));
        assert!((p.entropy() + kl).abs() < 1e-13, "l={l}");
    }
}

trait CloneWithTemperature {
    fn clone_with_temperature(&self, t: f64) -> Self;
}

impl CloneWithTemperature for RelaxedBernoulli<f64> {
    fn clone_with_temperature(&self, t: f64) -> Self {
        RelaxedBernoulli::from_logits(t, self.logits_parameter()).unwrap()
    }
}

#[test]
fn mode_follows_allow_nan_stats() {
    for t in [0.5_f32, 1.0] {
        let d = RelaxedBernoulli::from_logits(t, 0.3).unwrap();
        assert!(d.mode().unwrap().is_nan());
        let strict = RelaxedBernoulli::builder(t)
            .logits(0.3)
            .allow_nan_stats(false)
            .build()
            .unwrap();
        let e = strict.mode().unwrap_err();
        assert_eq!(e.kind(), RelaxedBernoulliErrorKind::UndefinedStatistic);
        assert!(e.to_string().contains("allow_nan_stats"));
    }
    // Batched: one undefined member makes the strict batch fail, the lenient one NaN there.
    let t = arr1(&[0.5_f64, 2.0]).into_dyn();
    let l = ArrayD::from_elem(IxDyn(&[]), 0.3);
    let lenient = RelaxedBernoulli::batch_builder(t.clone())
        .logits(l.clone())
        .build()
        .unwrap();
    let m = lenient.mode().unwrap();
    assert!(m[[0]].is_nan() && m[[1]] > 0.5);
    let strict = RelaxedBernoulli::batch_builder(t)
        .logits(l)
        .allow_nan_stats(false)
        .build()
        .unwrap();
    assert!(strict.mode().is_err());
}

#[test]
fn statistics_agree_with_the_sampler() {
    // Mean and variance of 200 000 seeded samples within 5 standard errors (false-failure rate
    // about 6e-7 per comparison under normality of the sample mean).
    let n = 200_000;
    for (t, l) in [(0.1_f64, -1.0_f64), (0.5, 1.5), (2.0, 1.0), (5.0, -3.0)] {
        let b = RelaxedBernoulli::batch_builder(ArrayD::from_elem(IxDyn(&[]), t))
            .logits(ArrayD::from_elem(IxDyn(&[]), l))
            .build()
            .unwrap();
        let x = b.sample(&[n], 7).unwrap();
        let d = &b.members()[0];
        let mean = x.mean().unwrap();
        let exact_mean = d.mean();
        let var = x.mapv(|v| (v - exact_mean).powi(2)).mean().unwrap();
        let se_mean = (d.variance() / n as f64).sqrt();
        assert!(
            (mean - d.mean()).abs() < 5.0 * se_mean,
            "t={t} l={l}: {mean} vs {}",
            d.mean()
        );
        // Var of (X - m)^2 <= E[(X - m)^4] <= E[(X - m)^2] (|X - m| <= 1).
        let se_var = (d.variance() / n as f64).sqrt();
        assert!(
            (var - d.variance()).abs() < 5.0 * se_var,
            "t={t} l={l}: {var} vs {}",
            d.variance()
        );
        assert!((b.stddev()[IxDyn(&[])] - d.variance().sqrt()).abs() < 1e-15);
        assert_eq!(b.mean()[IxDyn(&[])], d.mean());
        assert_eq!(b.entropy()[IxDyn(&[])], d.entropy());
        assert_eq!(b.variance()[IxDyn(&[])], d.variance());
        // Entropy: -mean(log_prob) of the samples, evaluated from the noise (exact even where
        // x rounds), within 5 standard errors.
        let (_, lp) = b.sample_and_log_prob(&[n], 8).unwrap();
        let h = -lp.mean().unwrap();
        let sd = lp.std(1.0);
        assert!(
            (h - d.entropy()).abs() < 5.0 * sd / (n as f64).sqrt(),
            "t={t} l={l}: {h} vs {}",
            d.entropy()
        );
    }
}

#[test]
fn kl_monte_carlo_terms_are_unbiased() {
    // Mean of 200 000 terms within 5 standard errors of the exact KL, for equal and unequal
    // temperatures (false-failure rate about 6e-7 per case).
    let n = 200_000;
    for (tp, lp, tq, lq) in [
        (0.5, 1.0, 0.5, -0.5),
        (0.3, 2.0, 1.5, 0.0),
        (2.0, -1.0, 0.7, 3.0),
    ] {
        let p = RelaxedBernoulli::batch_builder(ArrayD::from_elem(IxDyn(&[]), tp))
            .logits(ArrayD::from_elem(IxDyn(&[]), lp))
            .build()
            .unwrap();
        let q = RelaxedBernoulli::batch_builder(ArrayD::from_elem(IxDyn(&[]), tq))
            .logits(ArrayD::from_elem(IxDyn(&[]), lq))
            .build()
            .unwrap();
        let terms = p.kl_divergence_samples(&q, &[n], 11).unwrap();
        let exact = p.kl_divergence(&q).unwrap()[IxDyn(&[])];
        let est = terms.mean().unwrap();
        let se = terms.std(1.0) / (n as f64).sqrt();
        assert!(
            (est - exact).abs() < 5.0 * se,
            "{tp} {lp} {tq} {lq}: {est} vs {exact} (se {se})"
        );
    }
    // Batched KL broadcasts the two batch shapes.
    let p = RelaxedBernoulli::batch_builder(arr1(&[0.5, 1.0, 2.0]).into_dyn())
        .logits(ArrayD::from_elem(IxDyn(&[]), 1.0))
        .build()
        .unwrap();
    let q = RelaxedBernoulli::batch_builder(
        ArrayD::from_shape_vec(IxDyn(&[2, 1]), vec![0.5, 1.0]).unwrap(),
    )
    .logits(ArrayD::from_elem(IxDyn(&[]), 0.0))
    .build()
    .unwrap();
    let kl = p.kl_divergence(&q).unwrap();
    assert_eq!(kl.shape(), &[2, 3]);
    let scalar = RelaxedBernoulli::from_logits(2.0, 1.0)
        .unwrap()
        .kl_divergence(&RelaxedBernoulli::from_logits(0.5, 0.0).unwrap());
    assert_eq!(kl[[0, 2]], scalar);
}

#[test]
fn logistic_and_logit_space_statistics_are_closed_forms() {
    let d = LogitRelaxedBernoulli::from_logits(0.25_f32, -1.0).unwrap();
    assert_eq!(d.mean(), -4.0);
    assert!((d.variance() - 16.0 * std::f32::consts::PI.powi(2) / 3.0).abs() < 1e-4);
    assert!((d.stddev() - d.variance().sqrt()).abs() < 1e-5);
    assert!((d.entropy() - (2.0 - 0.25f32.ln())).abs() < 1e-6);
    let g = Logistic::new(3.0_f64, 0.5).unwrap();
    assert_eq!(g.mode().unwrap(), 3.0);
    assert!((g.entropy() - (0.5f64.ln() + 2.0)).abs() < 1e-15);
    assert!((g.stddev() - 0.5 * std::f64::consts::PI / 3f64.sqrt()).abs() < 1e-15);
    // KL between Logistics equals the RelaxedBernoulli KL with t = 1/s, l = μ/s.
    let h = Logistic::new(-1.0_f64, 2.0).unwrap();
    let rb = RelaxedBernoulli::from_logits(2.0, 6.0)
        .unwrap()
        .kl_divergence(&RelaxedBernoulli::from_logits(0.5, -0.5).unwrap());
    assert!((g.kl_divergence(&h) - rb).abs() < 1e-12 * rb);
    // Monte Carlo term of the Logistic KL has the right mean at a fixed noise grid (midpoint
    // rule over the noise's quantiles).
    let m = 20_000;
    let avg: f64 = (0..m)
        .map(|i| {
            let u = (i as f64 + 0.5) / m as f64;
            g.kl_divergence_sample(&h, u.ln() - (-u).ln_1p())
        })
        .sum::<f64>()
        / m as f64;
    assert!((avg - g.kl_divergence(&h)).abs() < 1e-3 * g.kl_divergence(&h));
}
