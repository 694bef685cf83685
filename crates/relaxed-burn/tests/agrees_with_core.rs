//! Values equal the core crate's on identical inputs and identical noise: every method of the
//! three distributions, `f64` within 1e-12 and `f32` within 1e-5 (DESIGN §4's metric), on a
//! grid with the extremes (t = 1e-3 and 1e3, |logits| = 100, probs 1e-30 and 0/1, x at and
//! beyond the support edges, samples that round to 0 or 1).

mod common;

use burn::tensor::DType;
use common::agree::{Case, Evaluate, compare, grid, methods_agree_with_core, tol};
use common::*;
use relaxed::{Reparameterized, Univariate};
use relaxed_burn::{Logistic, LogitRelaxedBernoulli, RelaxedBernoulli};

const TEMPS: [f64; 6] = [1e-3, 0.1, 0.5, 1.0, 2.0, 1e3];
const LOGITS: [f64; 9] = [
    -100.0,
    -7.5,
    -0.3,
    0.0,
    1e-9,
    0.3,
    7.5,
    100.0,
    f64::INFINITY,
];
const PROBS: [f64; 9] = [0.0, 1e-30, 1e-5, 0.2, 0.5, 0.9, 1.0 - 1e-9, 1.0, f64::NAN];
const XS: [f64; 16] = [
    0.0,
    1e-300,
    1e-30,
    1e-10,
    0.01,
    0.3,
    0.5,
    0.7,
    0.99,
    1.0 - 1e-10,
    1.0 - 1.1102230246251565e-16,
    1.0,
    -0.5,
    1.5,
    f64::NAN,
    0.25,
];
const QS: [f64; 11] = [
    0.0,
    1e-30,
    1e-10,
    0.1,
    0.5,
    0.9,
    1.0 - 1e-10,
    1.0,
    -0.1,
    1.1,
    f64::NAN,
];
const YS: [f64; 12] = [
    f64::NEG_INFINITY,
    -1e5,
    -100.0,
    -3.0,
    0.0,
    0.4,
    3.0,
    100.0,
    1e5,
    f64::INFINITY,
    f64::NAN,
    -1e-7,
];

#[derive(Clone, Copy, PartialEq)]
enum Param {
    Logits,
    Probs,
}

impl Param {
    fn axis(self) -> &'static [f64] {
        match self {
            Param::Logits => &LOGITS,
            Param::Probs => &PROBS,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Param::Logits => "logits",
            Param::Probs => "probs",
        }
    }
}

/// The core's `$ty` (RelaxedBernoulli or LogitRelaxedBernoulli) from `$param` in the
/// precision of `$dtype`, its scalar method `$f` at `$x`, as `f64`.
macro_rules! core_eval {
    ($ty:ident, $dtype:expr, $param:expr, $t:expr, $p:expr, $f:expr, $x:expr) => {
        if $dtype == DType::F64 {
            match $param {
                Param::Logits => relaxed::$ty::from_logits($t, $p),
                Param::Probs => relaxed::$ty::from_probs($t, $p),
            }
            .unwrap()
            .evaluate_unchecked($f, $x)
        } else {
            match $param {
                Param::Logits => relaxed::$ty::from_logits($t as f32, $p as f32),
                Param::Probs => relaxed::$ty::from_probs($t as f32, $p as f32),
            }
            .unwrap()
            .evaluate_unchecked($f, $x as f32) as f64
        }
    };
}

/// The core's scalar method `f` for one element in the precision of `dtype`.
fn core_rb(dtype: DType, param: Param, t: f64, p: f64, f: relaxed::Function, x: f64) -> f64 {
    core_eval!(RelaxedBernoulli, dtype, param, t, p, f, x)
}

fn core_lrb(dtype: DType, param: Param, t: f64, p: f64, f: relaxed::Function, y: f64) -> f64 {
    core_eval!(LogitRelaxedBernoulli, dtype, param, t, p, f, y)
}

fn relaxed_bernoulli_methods(dtype: DType, param: Param) {
    let label = format!("RelaxedBernoulli ({})", param.label());
    let case = Case {
        label: &label,
        dtype,
        scales: &TEMPS,
        params: param.axis(),
        values: &XS,
        quantiles: &QS,
    };
    methods_agree_with_core(
        &case,
        &relaxed::Function::ALL,
        |t, p| {
            match param {
                Param::Logits => RelaxedBernoulli::from_logits(t, p),
                Param::Probs => RelaxedBernoulli::from_probs(t, p),
            }
            .unwrap()
        },
        |f, t, p, x| core_rb(dtype, param, t, p, f, x),
    );
}

fn logit_relaxed_bernoulli_methods(dtype: DType, param: Param) {
    let label = format!("LogitRelaxedBernoulli ({})", param.label());
    let case = Case {
        label: &label,
        dtype,
        scales: &TEMPS,
        params: param.axis(),
        values: &YS,
        quantiles: &QS,
    };
    methods_agree_with_core(
        &case,
        &relaxed::Function::ALL,
        |t, p| {
            match param {
                Param::Logits => LogitRelaxedBernoulli::from_logits(t, p),
                Param::Probs => LogitRelaxedBernoulli::from_probs(t, p),
            }
            .unwrap()
        },
        |f, t, p, y| core_lrb(dtype, param, t, p, f, y),
    );
}

#[test]
fn relaxed_bernoulli_methods_match_core_f64() {
    relaxed_bernoulli_methods(DType::F64, Param::Logits);
    relaxed_bernoulli_methods(DType::F64, Param::Probs);
}

#[test]
fn relaxed_bernoulli_methods_match_core_f32() {
    relaxed_bernoulli_methods(DType::F32, Param::Logits);
    relaxed_bernoulli_methods(DType::F32, Param::Probs);
}

#[test]
fn logit_relaxed_bernoulli_methods_match_core_f64() {
    logit_relaxed_bernoulli_methods(DType::F64, Param::Logits);
    logit_relaxed_bernoulli_methods(DType::F64, Param::Probs);
}

#[test]
fn logit_relaxed_bernoulli_methods_match_core_f32() {
    logit_relaxed_bernoulli_methods(DType::F32, Param::Logits);
    logit_relaxed_bernoulli_methods(DType::F32, Param::Probs);
}

fn logistic_methods(dtype: DType) {
    let locs = [-100.0, -1.0, 0.0, 2.5, 100.0];
    // TEMPS serve as scales.
    let case = Case {
        label: "Logistic",
        dtype,
        scales: &TEMPS,
        params: &locs,
        values: &YS,
        quantiles: &QS,
    };
    methods_agree_with_core(
        &case,
        &relaxed::Function::ALL,
        |s, m| Logistic::new(m, s).unwrap(),
        |f, s, m, x| {
            if dtype == DType::F64 {
                relaxed::Logistic::new(m, s)
                    .unwrap()
                    .evaluate_unchecked(f, x)
            } else {
                relaxed::Logistic::new(m as f32, s as f32)
                    .unwrap()
                    .evaluate_unchecked(f, x as f32) as f64
            }
        },
    );
}

#[test]
fn logistic_methods_match_core() {
    logistic_methods(DType::F64);
    logistic_methods(DType::F32);
}

/// rsample, sample_and_log_prob and the straight-through sample on the same noise as the core's
/// scalar transforms, including samples that round to 0 or 1 at t = 1e-3.
fn samples_on_identical_noise(dtype: DType, param: Param) {
    let noise_vals = [-36.0, -16.0, -3.0, -0.5, 0.0, 1e-12, 0.5, 3.0, 16.0, 36.0];
    let (t, p, n) = grid(&TEMPS, param.axis(), &noise_vals);
    let n: Vec<f64> = n.iter().map(|&v| round_to(v, dtype)).collect();
    let inputs: Vec<_> = (0..t.len()).map(|i| (t[i], p[i], n[i])).collect();
    let d = match param {
        Param::Logits => RelaxedBernoulli::from_logits(t1(&t, dtype), t1(&p, dtype)),
        Param::Probs => RelaxedBernoulli::from_probs(t1(&t, dtype), t1(&p, dtype)),
    }
    .unwrap();
    let core = |i: usize| -> (f64, f64, f64) {
        if dtype == DType::F64 {
            let c = match param {
                Param::Logits => relaxed::RelaxedBernoulli::from_logits(t[i], p[i]),
                Param::Probs => relaxed::RelaxedBernoulli::from_probs(t[i], p[i]),
            }
            .unwrap();
            let (x, lp) = c.sample_and_log_prob(n[i]);
            (c.from_logistic_noise(n[i]), x, lp)
        } else {
            let c = match param {
                Param::Logits => relaxed::RelaxedBernoulli::from_logits(t[i] as f32, p[i] as f32),
                Param::Probs => relaxed::RelaxedBernoulli::from_probs(t[i] as f32, p[i] as f32),
            }
            .unwrap();
            let (x, lp) = c.sample_and_log_prob(n[i] as f32);
            (
                c.from_logistic_noise(n[i] as f32) as f64,
                x as f64,
                lp as f64,
            )
        }
    };
    let want: Vec<(f64, f64, f64)> = (0..t.len()).map(core).collect();
    let label = param.label();
    let x = vals(&d.rsample_with_noise(t1(&n, dtype)).unwrap());
    let w: Vec<f64> = want.iter().map(|w| w.0).collect();
    compare(
        &format!("rsample ({label})"),
        &x,
        &w,
        false,
        dtype,
        tol(dtype),
        &inputs,
    );
    assert!(
        x.contains(&1.0) && x.contains(&0.0),
        "the grid has saturated samples"
    );
    let (xs, lp) = d.sample_and_log_prob_with_noise(t1(&n, dtype)).unwrap();
    let w: Vec<f64> = want.iter().map(|w| w.1).collect();
    compare(
        &format!("sample_and_log_prob x ({label})"),
        &vals(&xs),
        &w,
        false,
        dtype,
        tol(dtype),
        &inputs,
    );
    let w: Vec<f64> = want.iter().map(|w| w.2).collect();
    compare(
        &format!("sample_and_log_prob lp ({label})"),
        &vals(&lp),
        &w,
        true,
        dtype,
        tol(dtype),
        &inputs,
    );
    // The logit-space variable on the same noise.
    let ld = d.to_logit();
    let y = vals(&ld.rsample_with_noise(t1(&n, dtype)).unwrap());
    let (ys, ylp) = ld.sample_and_log_prob_with_noise(t1(&n, dtype)).unwrap();
    let (ys, ylp) = (vals(&ys), vals(&ylp));
    let mut worst = 0.0_f64;
    for i in 0..t.len() {
        let (cy, clp) = if dtype == DType::F64 {
            let c = match param {
                Param::Logits => relaxed::LogitRelaxedBernoulli::from_logits(t[i], p[i]),
                Param::Probs => relaxed::LogitRelaxedBernoulli::from_probs(t[i], p[i]),
            }
            .unwrap();
            c.sample_and_log_prob(n[i])
        } else {
            let c = match param {
                Param::Logits => {
                    relaxed::LogitRelaxedBernoulli::from_logits(t[i] as f32, p[i] as f32)
                }
                Param::Probs => {
                    relaxed::LogitRelaxedBernoulli::from_probs(t[i] as f32, p[i] as f32)
                }
            }
            .unwrap();
            let (a, b) = c.sample_and_log_prob(n[i] as f32);
            (a as f64, b as f64)
        };
        for (g, r, log) in [(y[i], cy, false), (ys[i], cy, false), (ylp[i], clp, true)] {
            let e = err(g, r, log, tiny(dtype));
            assert!(
                e <= tol(dtype),
                "logit sample {dtype:?} {:?}: {g:e} vs {r:e}",
                inputs[i]
            );
            worst = worst.max(e);
        }
    }
    eprintln!(
        "{:>28} {dtype:?}: max error {worst:.2e}",
        format!("logit rsample ({label})")
    );
}

#[test]
fn samples_match_core_on_identical_noise_f64() {
    samples_on_identical_noise(DType::F64, Param::Logits);
    samples_on_identical_noise(DType::F64, Param::Probs);
}

#[test]
fn samples_match_core_on_identical_noise_f32() {
    samples_on_identical_noise(DType::F32, Param::Logits);
    samples_on_identical_noise(DType::F32, Param::Probs);
}

/// A seed means the same thing in both crates: `rsample(sample_shape, seed)` over a broadcast
/// batch equals `relaxed::Batch::sample(sample_shape, seed)`, bit for bit in f64 and f32 up to
/// the sigmoid's last bits.
#[test]
fn seeded_rsample_equals_core_batch_sample() {
    use ndarray::{ArrayD, IxDyn};
    let tv = [0.1, 1.0, 3.0];
    let lv = [-2.0, 0.0, 0.5, 4.0];
    for dtype in [DType::F64, DType::F32] {
        let t = tn::<2>(&tv, &[3, 1], dtype);
        let l = tn::<2>(&lv, &[1, 4], dtype);
        let d = RelaxedBernoulli::from_logits(t, l).unwrap();
        assert_eq!(d.batch_shape(), &[3, 4]);
        let x = d.rsample::<4>(&[5, 2], 42).unwrap();
        assert_eq!(x.dims(), [5, 2, 3, 4]);
        let ld = d.to_logit();
        let y = ld.sample::<3>(&[5], 43).unwrap();
        let got = vals(&x);
        let got_y = vals(&y);
        let (want, want_y): (Vec<f64>, Vec<f64>) = if dtype == DType::F64 {
            let b = relaxed::RelaxedBernoulli::batch_builder(
                ArrayD::from_shape_vec(IxDyn(&[3, 1]), tv.to_vec()).unwrap(),
            )
            .logits(ArrayD::from_shape_vec(IxDyn(&[4]), lv.to_vec()).unwrap());
            let a = b.clone().build().unwrap().sample(&[5, 2], 42).unwrap();
            let ay = b.build_logit().unwrap().sample(&[5], 43).unwrap();
            (a.iter().copied().collect(), ay.iter().copied().collect())
        } else {
            let tv32: Vec<f32> = tv.iter().map(|&v| v as f32).collect();
            let lv32: Vec<f32> = lv.iter().map(|&v| v as f32).collect();
            let b = relaxed::RelaxedBernoulli::batch_builder(
                ArrayD::from_shape_vec(IxDyn(&[3, 1]), tv32).unwrap(),
            )
            .logits(ArrayD::from_shape_vec(IxDyn(&[4]), lv32).unwrap());
            let a = b.clone().build().unwrap().sample(&[5, 2], 42).unwrap();
            let ay = b.build_logit().unwrap().sample(&[5], 43).unwrap();
            (
                a.iter().map(|&v| v as f64).collect(),
                ay.iter().map(|&v| v as f64).collect(),
            )
        };
        for (g, w) in got.iter().zip(&want).chain(got_y.iter().zip(&want_y)) {
            assert!(
                err(*g, *w, false, tiny(dtype)) <= tol(dtype),
                "{dtype:?}: {g} vs {w}"
            );
        }
        // Logistic shares the stream too.
        let lg = Logistic::new(tn::<1>(&[0.5], &[1], dtype), tn::<1>(&[2.0], &[1], dtype)).unwrap();
        let z = vals(&lg.sample::<2>(&[6], 9).unwrap());
        let noise = relaxed::noise::logistic_noise::<f64>(&[6, 1], 9);
        for (i, v) in z.iter().enumerate() {
            let r = if dtype == DType::F64 {
                0.5 + 2.0 * noise[[i, 0]]
            } else {
                let n32 = relaxed::noise::logistic_noise::<f32>(&[6, 1], 9);
                (0.5f32 + 2.0f32 * n32[[i, 0]]) as f64
            };
            assert!(err(*v, r, false, tiny(dtype)) <= tol(dtype));
        }
    }
}

/// Shape errors are errors, not panics.
#[test]
fn shape_errors_are_reported() {
    use relaxed_burn::DistributionError;
    let t = tn::<1>(&[1.0, 2.0], &[2], DType::F64);
    let l = tn::<1>(&[1.0, 2.0, 3.0], &[3], DType::F64);
    assert!(matches!(
        RelaxedBernoulli::from_logits(t.clone(), l),
        Err(DistributionError::IncompatibleShapes { .. })
    ));
    let l32 = tn::<1>(&[1.0, 2.0], &[2], DType::F32);
    assert_eq!(
        RelaxedBernoulli::from_logits(t.clone(), l32).unwrap_err(),
        DistributionError::DTypeMismatch
    );
    let d = RelaxedBernoulli::from_logits(t.clone(), t.clone()).unwrap();
    assert!(matches!(
        d.rsample::<3>(&[4], 1),
        Err(DistributionError::RankMismatch { .. })
    ));
    assert!(matches!(
        d.log_prob(tn::<1>(&[0.5; 3], &[3], DType::F64)),
        Err(DistributionError::IncompatibleShapes { .. })
    ));
    let e =
        RelaxedBernoulli::from_logits(tn::<1>(&[1.0, 3.0], &[2], DType::F64), t.clone()).unwrap();
    assert_eq!(
        d.kl_divergence(&e).unwrap_err(),
        DistributionError::UnequalTemperatures
    );
    assert!(
        !DistributionError::UnequalTemperatures
            .to_string()
            .is_empty()
    );
    // Parameters round-trip.
    let p =
        RelaxedBernoulli::from_probs(t.clone(), tn::<1>(&[0.25, 0.5], &[2], DType::F64)).unwrap();
    let l = vals(&p.logits_parameter());
    assert!((l[0] + 3f64.ln()).abs() < 1e-15 && l[1] == 0.0);
    assert_eq!(vals(&p.probs_parameter()), vec![0.25, 0.5]);
    assert_eq!(vals(&p.temperature()), vec![1.0, 2.0]);
    let q = vals(&d.probs_parameter());
    assert!((q[0] - 1.0 / (1.0 + (-1f64).exp())).abs() < 1e-16);
    let ld = p.to_logit();
    assert_eq!(ld.batch_shape(), &[2]);
    assert_eq!(vals(&ld.probs_parameter()), vec![0.25, 0.5]);
    assert_eq!(vals(&ld.logits_parameter()), l);
    assert_eq!(vals(&ld.temperature()), vec![1.0, 2.0]);
    assert_eq!(ld.to_relaxed().batch_shape(), &[2]);
    let lg = Logistic::new(t.clone(), t).unwrap();
    assert_eq!(lg.batch_shape(), &[2]);
    assert_eq!(vals(&lg.loc()), vals(&lg.scale()));
}

/// With `with_f64_evaluation(false)`, `f32` stays in `f32` throughout: within 1e-5 of the core
/// on the bulk of the grid (t in [0.1, 2], |logits| <= 7.5, x in [0.01, 0.99]); at the extremes
/// plain `f32` loses what the core's widening keeps (printed, not asserted).
#[test]
fn f32_without_widening_matches_core_in_the_bulk() {
    let dtype = DType::F32;
    let temps = [0.1, 0.5, 1.0, 2.0];
    let logits = [-7.5, -0.3, 0.0, 0.3, 7.5];
    let xs = [0.01, 0.3, 0.5, 0.7, 0.99];
    let (mut t, mut l, mut x) = (vec![], vec![], vec![]);
    for &a in &temps {
        for &b in &logits {
            for &c in &xs {
                t.push(a);
                l.push(b);
                x.push(round_to(c, dtype));
            }
        }
    }
    let inputs: Vec<_> = (0..t.len()).map(|i| (t[i], l[i], x[i])).collect();
    let d = RelaxedBernoulli::from_logits(t1(&t, dtype), t1(&l, dtype))
        .unwrap()
        .with_f64_evaluation(false);
    for f in relaxed::Function::ALL {
        let got = vals(&d.evaluate(f, t1(&x, dtype)).unwrap());
        let want: Vec<f64> = (0..t.len())
            .map(|i| core_rb(dtype, Param::Logits, t[i], l[i], f, x[i]))
            .collect();
        compare(
            &format!("narrow f32 {}", f.name()),
            &got,
            &want,
            f.is_log(),
            dtype,
            TOL_F32,
            &inputs,
        );
    }
    let ld = d.to_logit().with_f64_evaluation(false);
    let lp = vals(&ld.log_prob(t1(&[0.5; 100], dtype)).unwrap());
    assert!(lp.iter().all(|v| v.is_finite()));
    let lg = Logistic::new(t1(&[0.5], dtype), t1(&[2.0], dtype))
        .unwrap()
        .with_f64_evaluation(false);
    let c = vals(&lg.cdf(t1(&[0.5], dtype)).unwrap());
    assert_eq!(c, vec![0.5]);
    // The full grid, for the record.
    let (t, p, x) = grid(&TEMPS, &LOGITS, &XS);
    let x: Vec<f64> = x.iter().map(|&v| round_to(v, dtype)).collect();
    let d = RelaxedBernoulli::from_logits(t1(&t, dtype), t1(&p, dtype))
        .unwrap()
        .with_f64_evaluation(false);
    for f in relaxed::Function::VALUES {
        let got = vals(&d.evaluate(f, t1(&x, dtype)).unwrap());
        let worst = (0..t.len())
            .map(|i| {
                err(
                    got[i],
                    core_rb(dtype, Param::Logits, t[i], p[i], f, x[i]),
                    f.is_log(),
                    tiny(dtype),
                )
            })
            .fold(0.0, f64::max);
        eprintln!(
            "narrow f32 {} on the full grid: max error {worst:.1e}",
            f.name()
        );
    }
}
