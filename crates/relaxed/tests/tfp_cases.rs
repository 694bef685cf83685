//! TensorFlow Probability's RelaxedBernoulli test cases (ANCHORS.md §3, numbers 1–17 and 23),
//! ported to this crate's API, with the other anchors' tests worth reusing (R tfprobability,
//! PyTorch) and the extra exact identities of ANCHORS §3.
//!
//! TFP runs every case with `validate_args=True` and `assertAllClose(rtol=1e-6, atol=1e-6)`
//! unless stated; here the crate's own tolerances (DESIGN §4, `common::tol`: 1e-12 for `f64`,
//! 1e-5 for `f32`, in the error metric of `common::err_metric`) are used wherever they are
//! tighter. Each test names the TFP case it ports and how it maps.
//!
//! Not ported here: TFP 18–20 (gradients of loss through variables: our analogue is
//! `pathwise`, tested against finite differences in `sampler.rs`) and TFP 21–22 (assertions
//! re-run after mutating a `tf.Variable`: our parameters are immutable, so the checks of TFP 3
//! and 5 at construction are the whole story).

#[macro_use]
mod common;

use common::{
    As64, XorShift64Star, assert_close, bernstein_halfwidth, c, err_metric, logit64, rb_cdf64,
    same_bits, sigmoid64, simpson, tol,
};
use ndarray::{ArrayD, IxDyn};
use rand::distr::Distribution;
use relaxed::{
    Batch, Function, LogitRelaxedBernoulli, Real, RelaxedBernoulli, RelaxedBernoulliError,
    RelaxedBernoulliErrorKind as K, Reparameterized, Univariate, math,
};

// ----- helpers -----

fn arr<F: Real>(shape: &[usize], v: &[f64]) -> ArrayD<F> {
    ArrayD::from_shape_vec(IxDyn(shape), v.iter().map(|&x| c::<F>(x)).collect()).unwrap()
}

fn scalar<F: Real>(v: f64) -> ArrayD<F> {
    arr(&[], &[v])
}

/// RelaxedBernoulli(t, logits) with `validate_args` on (as every TFP test).
fn rb<F: Real>(t: f64, l: f64) -> RelaxedBernoulli<F> {
    RelaxedBernoulli::<F>::builder(c(t))
        .logits(c(l))
        .validate_args(true)
        .build()
        .unwrap()
}

/// RelaxedBernoulli(t, probs) with `validate_args` on.
fn rb_p<F: Real>(t: f64, p: f64) -> RelaxedBernoulli<F> {
    RelaxedBernoulli::<F>::builder(c(t))
        .probs(c(p))
        .validate_args(true)
        .build()
        .unwrap()
}

fn batch_p<F: Real>(t: ArrayD<F>, p: ArrayD<F>) -> Batch<RelaxedBernoulli<F>> {
    RelaxedBernoulli::batch_builder(t)
        .probs(p)
        .validate_args(true)
        .build()
        .unwrap()
}

fn batch_l<F: Real>(t: ArrayD<F>, l: ArrayD<F>) -> Batch<RelaxedBernoulli<F>> {
    RelaxedBernoulli::batch_builder(t)
        .logits(l)
        .validate_args(true)
        .build()
        .unwrap()
}

// ----- TFP 1–17 -----

/// TFP 1 `testP`: t = 1, probs [0.1, 0.4]: the stored probs are returned exactly (scalar and
/// batch forms).
fn probs_parameter_given_probs_returns_input_exactly<F: Real>() {
    for p in [0.1, 0.4] {
        assert_eq!(rb_p::<F>(1.0, p).probs_parameter(), c::<F>(p));
    }
    let b = batch_p::<F>(scalar(1.0), arr(&[2], &[0.1, 0.4]));
    let got: Vec<F> = b.members().iter().map(|d| d.probs_parameter()).collect();
    assert_eq!(got, vec![c::<F>(0.1), c::<F>(0.4)]);
}

/// TFP 2 `testLogits`: t = 2, logits [-42, 42]: logits returned exactly, `probs_parameter` =
/// expit(logits) (about [5.7e-19, 1.0]); then probs [0.01, 0.99, 0.42]: `logits_parameter` =
/// scipy's logit (here an independent `f64` `ln p - ln(1 - p)` at the same input).
fn logits_parameter_given_logits_returns_input_and_probs_is_sigmoid<F: Real>() {
    for l in [-42.0, 42.0] {
        let d = rb::<F>(2.0, l);
        assert_eq!(d.logits_parameter(), c::<F>(l));
        let p = d.probs_parameter().as64();
        assert_close::<F>(p, sigmoid64(l), false, tol::<F>(), "probs_parameter");
    }
    assert!((rb::<F>(2.0, -42.0).probs_parameter().as64() / 5.749e-19 - 1.0).abs() < 1e-3);
    for p in [0.01, 0.99, 0.42] {
        let pf = c::<F>(p);
        let l = rb_p::<F>(2.0, p).logits_parameter().as64();
        assert_close::<F>(l, logit64(pf.as64()), false, tol::<F>(), "logits_parameter");
    }
}

/// TFP 3 `testInvalidP`: probs 1.01 and 2 fail with "... greater than 1.", -0.01 and -3 with
/// "... less than 0."; 0, 0.5 and 1 are accepted and returned exactly. Our errors carry the
/// exact kind; the Display text is TFP's message after the distribution's name.
fn from_probs_outside_unit_interval_errors_with_tfp_messages<F: Real>() {
    let cases = [
        (
            1.01,
            K::ProbsAboveOne,
            "Argument `probs` has components greater than 1.",
        ),
        (
            2.0,
            K::ProbsAboveOne,
            "Argument `probs` has components greater than 1.",
        ),
        (
            -0.01,
            K::ProbsBelowZero,
            "Argument `probs` has components less than 0.",
        ),
        (
            -3.0,
            K::ProbsBelowZero,
            "Argument `probs` has components less than 0.",
        ),
    ];
    for (p, kind, msg) in cases {
        let e = RelaxedBernoulli::builder(c::<F>(1.0))
            .probs(c(p))
            .validate_args(true)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), kind, "probs {p}");
        assert_eq!(e.to_string(), format!("RelaxedBernoulli: {msg}"));
    }
    for p in [0.0, 0.5, 1.0] {
        assert_eq!(rb_p::<F>(1.0, p).probs_parameter(), c::<F>(p));
    }
}

/// TFP 4 `testShapes`: t = 1, probs of batch shape [], [1], [2, 3, 4]: the batch shape is the
/// parameter shape, the event shape is scalar (a sample of shape `sample_shape` has shape
/// `sample_shape + batch_shape`, a scalar value evaluates to `batch_shape`). Also with the
/// shapes on the temperature instead.
fn batch_shape_follows_parameters_and_event_shape_is_scalar<F: Real>() {
    for shape in [&[][..], &[1], &[2, 3, 4]] {
        let n: usize = shape.iter().product();
        let probs: Vec<f64> = (0..n)
            .map(|i| (i as f64 + 1.0) / (n as f64 + 2.0))
            .collect();
        let temps: Vec<f64> = (0..n).map(|i| 0.5 + i as f64).collect();
        let batches = [
            batch_p::<F>(scalar(1.0), arr(shape, &probs)),
            batch_p::<F>(arr(shape, &temps), scalar(0.3)),
        ];
        for b in batches {
            assert_eq!(b.batch_shape(), shape);
            assert_eq!(b.len(), n);
            assert_eq!(b.sample(&[], 1).unwrap().shape(), shape);
            let mut expected = vec![5];
            expected.extend_from_slice(shape);
            assert_eq!(b.sample(&[5], 1).unwrap().shape(), expected.as_slice());
            assert_eq!(b.log_prob(&scalar::<F>(0.5)).unwrap().shape(), shape);
        }
    }
}

/// TFP 5 `testZeroTemperature`: t = 0, probs [0.1, 0.4]: TFP's sampling raises "`temperature`
/// must be positive."; ours fails at construction with the same message (checks run once, at
/// construction). Without `validate_args` it constructs and samples are NaN (documented).
fn temperature_zero_errors_with_validation_and_samples_nan_without<F: Real>() {
    let e = RelaxedBernoulli::batch_builder(scalar::<F>(0.0))
        .probs(arr(&[2], &[0.1, 0.4]))
        .validate_args(true)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), K::TemperatureNotPositive);
    assert!(
        e.to_string()
            .ends_with("Argument `temperature` must be positive."),
        "{e}"
    );
    let b = RelaxedBernoulli::batch_builder(scalar::<F>(0.0))
        .probs(arr(&[2], &[0.1, 0.4]))
        .build()
        .unwrap();
    assert!(b.sample(&[5], 3).unwrap().iter().all(|x| x.is_nan()));
}

/// TFP 6 `testDtype`: f32 (t = 1, probs [0.1, 0.4]): samples, `prob([0])` and `log_prob([0])`
/// are of the parameter type (checked statically here by the annotations), with values: at
/// t = 1 the density at 0 is e^-l = (1 - p) / p = 9 for p = 0.1 and 1.5 for p = 0.4.
fn dtype_of_results_is_parameter_type<F: Real>() {
    let b = batch_p::<F>(scalar(1.0), arr(&[2], &[0.1, 0.4]));
    let s: ArrayD<F> = b.sample(&[5], 0).unwrap();
    assert_eq!(s.shape(), &[5, 2]);
    let p: ArrayD<F> = b.prob(&arr::<F>(&[1], &[0.0])).unwrap();
    let lp: ArrayD<F> = b.log_prob(&arr::<F>(&[1], &[0.0])).unwrap();
    let (p0, p1) = (c::<F>(0.1).as64(), c::<F>(0.4).as64());
    let expect = [(1.0 - p0) / p0, (1.0 - p1) / p1];
    for k in 0..2 {
        assert_close::<F>(p[[k]].as64(), expect[k], false, tol::<F>(), "prob(0)");
        assert_close::<F>(
            lp[[k]].as64(),
            expect[k].ln(),
            true,
            tol::<F>(),
            "log_prob(0)",
        );
    }
}

/// TFP 7 `testLogProb`: float64, t = 1, p = 0.1, x = [0.1, 0.3, 0.5, 0.9] against Maddison's
/// closed form; the reference values are ANCHORS §3's (TFP run), to 1e-14 relative.
#[test]
fn log_prob_tfp7_float64_matches_reference_values() {
    let d = rb_p::<f64>(1.0, 0.1);
    let xs = [0.1, 0.3, 0.5, 0.9];
    let expected = [
        1.0216512475319812,
        -0.2503262859080118,
        -1.0216512475319812,
        -2.0110437312041953,
    ];
    for (x, r) in xs.into_iter().zip(expected) {
        let got = d.log_prob(x).unwrap();
        assert!(
            ((got - r) / r).abs() <= 1e-14,
            "log_prob({x}) = {got:e}, expected {r:e}"
        );
        let b = batch_p::<f64>(scalar(1.0), scalar(0.1));
        assert_eq!(b.log_prob(&scalar::<f64>(x)).unwrap()[[]], got);
    }
}

/// TFP 7 generalised: log_prob against Maddison et al.'s closed form `ln t + ln α -
/// (t + 1)(ln x + ln(1 - x)) - 2 ln(α x^-t + (1 - x)^-t)`, α = p / (1 - p), evaluated in `f64`
/// at the exact (type-rounded) inputs, over a grid of t, p, x; both types.
fn log_prob_interior_matches_maddison_closed_form<F: Real>() {
    for t in [0.1, 0.5, 1.0, 2.0, 5.0] {
        for p in [0.1, 0.5, 0.9] {
            let d = rb_p::<F>(t, p);
            let (t64, p64) = (c::<F>(t).as64(), c::<F>(p).as64());
            let alpha = p64 / (1.0 - p64);
            for x in [0.1, 0.3, 0.5, 0.9] {
                let x64 = c::<F>(x).as64();
                let r = t64.ln() + alpha.ln()
                    - (t64 + 1.0) * (x64.ln() + (1.0 - x64).ln())
                    - 2.0 * (alpha * x64.powf(-t64) + (1.0 - x64).powf(-t64)).ln();
                let got = d.log_prob(c(x)).unwrap().as64();
                assert_close::<F>(
                    got,
                    r,
                    true,
                    tol::<F>(),
                    &format!("log_prob t={t} p={p} x={x}"),
                );
                let pr = d.prob(c(x)).unwrap().as64();
                assert_close::<F>(pr, r.exp(), false, 4.0 * tol::<F>(), "prob");
            }
        }
    }
}

/// TFP 8 `testBoundaryConditions`: t = 1e-2; probs = 1: log_prob(0) = -inf, log_prob(1) = +inf;
/// probs = 0: the mirror. Exact infinities (and prob 0 / +inf).
fn log_prob_point_mass_boundaries_are_exact_infinities<F: Real>() {
    let inf = F::infinity();
    for (p, at0, at1) in [(1.0, -inf, inf), (0.0, inf, -inf)] {
        let d = rb_p::<F>(1e-2, p);
        assert_eq!(d.log_prob(F::zero()).unwrap(), at0, "probs {p}");
        assert_eq!(d.log_prob(F::one()).unwrap(), at1, "probs {p}");
        assert_eq!(d.prob(F::zero()).unwrap(), at0.exp());
        assert_eq!(d.prob(F::one()).unwrap(), at1.exp());
    }
}

/// TFP 9 `testSamplesAtBoundaryNotNaN`: t = 1e-2, probs 1 and then 0: 10 samples are exactly 1
/// resp. 0 and their log_prob is +inf, never NaN (also from `sample_and_log_prob`).
fn log_prob_of_point_mass_samples_is_infinite_not_nan<F: Real>() {
    for (p, at) in [(1.0, F::one()), (0.0, F::zero())] {
        let b = batch_p::<F>(scalar(1e-2), scalar(p));
        let s = b.sample(&[10], 9).unwrap();
        assert!(s.iter().all(|&x| x == at), "probs {p}: {s:?}");
        let lp = b.log_prob(&s).unwrap();
        assert!(lp.iter().all(|&v| v == F::infinity()), "probs {p}: {lp:?}");
        let (s2, lp2) = b.sample_and_log_prob(&[10], 9).unwrap();
        assert_eq!(s2, s);
        assert!(lp2.iter().all(|v| !v.is_nan()), "probs {p}: {lp2:?}");
    }
}

/// TFP 10 `testPdfAtBoundary`: t = 0.1, logits [[3, 5], [3, 2]], values [0, 1] broadcast along
/// the last axis: prob and log_prob are all +inf. Extended with DESIGN §3's other two regimes:
/// t > 1 gives -inf (prob 0), t = 1 gives -l at 0 and +l at 1.
fn prob_at_support_edges_follows_temperature_regime<F: Real>() {
    let logits = [3.0, 5.0, 3.0, 2.0];
    let values = arr::<F>(&[2], &[0.0, 1.0]);
    let b = batch_l::<F>(scalar(0.1), arr(&[2, 2], &logits));
    let p = b.prob(&values).unwrap();
    let lp = b.log_prob(&values).unwrap();
    assert_eq!(p.shape(), &[2, 2]);
    assert!(
        p.iter().chain(lp.iter()).all(|&v| v == F::infinity()),
        "{p:?} {lp:?}"
    );
    let b = batch_l::<F>(scalar(2.0), arr(&[2, 2], &logits));
    assert!(
        b.log_prob(&values)
            .unwrap()
            .iter()
            .all(|&v| v == F::neg_infinity())
    );
    assert!(b.prob(&values).unwrap().iter().all(|&v| v == F::zero()));
    let b = batch_l::<F>(scalar(1.0), arr(&[2, 2], &logits));
    let lp = b.log_prob(&values).unwrap();
    for (k, &l) in logits.iter().enumerate() {
        let got = lp[[k / 2, k % 2]];
        let expect = if k % 2 == 0 { -c::<F>(l) } else { c::<F>(l) };
        assert_eq!(got, expect, "t = 1, logits {l}");
    }
}

/// TFP 11 `testAssertValidSample`: t = 1e-2, probs [0.2, 0.6, 0.5]: `log_cdf([0.3, -0.2, 0.5])`
/// fails with "Sample must be non-negative.", `prob([0.3, 0.1, 1.2])` with "Sample must be less
/// than or equal to `1`." Extended: every value-taking method, scalar and batch, NaN values,
/// the quantile's argument; 0 and 1 themselves are accepted.
fn value_outside_support_errors_with_tfp_messages<F: Real>() {
    let b = batch_p::<F>(scalar(1e-2), arr(&[3], &[0.2, 0.6, 0.5]));
    let e = b.log_cdf(&arr::<F>(&[3], &[0.3, -0.2, 0.5])).unwrap_err();
    assert_eq!(e.kind(), K::ValueBelowSupport);
    assert_eq!(
        e.to_string(),
        "RelaxedBernoulli: Sample must be non-negative."
    );
    let e = b.prob(&arr::<F>(&[3], &[0.3, 0.1, 1.2])).unwrap_err();
    assert_eq!(e.kind(), K::ValueAboveSupport);
    assert_eq!(
        e.to_string(),
        "RelaxedBernoulli: Sample must be less than or equal to `1`."
    );
    let d = rb_p::<F>(1e-2, 0.2);
    for f in Function::VALUES {
        let kind = |x: F| d.evaluate(f, x).unwrap_err().kind();
        assert_eq!(kind(c(-0.2)), K::ValueBelowSupport, "{f}");
        assert_eq!(kind(-F::min_positive_value()), K::ValueBelowSupport, "{f}");
        assert_eq!(kind(c(1.2)), K::ValueAboveSupport, "{f}");
        assert_eq!(kind(F::one() + F::epsilon()), K::ValueAboveSupport, "{f}");
        assert_eq!(kind(F::nan()), K::ValueNaN, "{f}");
        assert!(
            d.evaluate(f, F::zero()).is_ok() && d.evaluate(f, F::one()).is_ok(),
            "{f}"
        );
        assert_eq!(
            b.evaluate(f, &arr::<F>(&[1], &[-0.2])).unwrap_err().kind(),
            K::ValueBelowSupport
        );
    }
    for q in [-0.1, 1.1, f64::NAN] {
        assert_eq!(d.quantile(c(q)).unwrap_err().kind(), K::QuantileOutOfRange);
    }
}

/// TFP 12 `testSampleN`: t = 1e-2, probs [0.2, 0.6, 0.5]: samples are in [0, 1] and the
/// fraction >= 1/2 matches probs (TFP: n = 10 000, atol 1e-2). Here n = 100 000 per member and
/// a Bernstein bound with false-failure rate 1e-6 per comparison (its half-width, below 0.008,
/// is also asserted to be inside TFP's 1e-2).
fn sample_fraction_above_half_matches_probs<F: Real>() {
    let probs = [0.2, 0.6, 0.5];
    let n = 100_000;
    let s = batch_p::<F>(scalar(1e-2), arr(&[3], &probs))
        .sample(&[n], 12)
        .unwrap();
    assert!(s.iter().all(|&x| x >= F::zero() && x <= F::one()));
    for (k, &p) in probs.iter().enumerate() {
        let hits = (0..n).filter(|&i| s[[i, k]] >= c(0.5)).count();
        let frac = hits as f64 / n as f64;
        let w = bernstein_halfwidth(p, n, 1e-6);
        assert!(w < 1e-2);
        assert!(
            (frac - p).abs() <= w,
            "probs {p}: fraction {frac}, half-width {w}"
        );
    }
}

/// TFP 13 `testParamTensorFromLogits`: logits [-1, 0.5, 1], t = 1: `logits_parameter` is the
/// input and `probs_parameter` is sigmoid (TFP: rtol 1e-4; here the crate tolerance).
fn probs_parameter_given_logits_is_sigmoid<F: Real>() {
    for l in [-1.0, 0.5, 1.0] {
        let d = rb::<F>(1.0, l);
        assert_eq!(d.logits_parameter(), c::<F>(l));
        let lf = c::<F>(l).as64();
        assert_close::<F>(
            d.probs_parameter().as64(),
            sigmoid64(lf),
            false,
            tol::<F>(),
            "probs",
        );
    }
}

/// TFP 14 `testParamTensorFromProbs`: probs [0.1, 0.5, 0.4], t = 1: `logits_parameter` is
/// `ln p - ln1p(-p)` and `probs_parameter` the input (TFP: rtol 1e-4; here the crate
/// tolerance, and absolute 1e-300 at p = 1/2 where the logit is 0).
fn logits_parameter_given_probs_is_logit<F: Real>() {
    for p in [0.1, 0.5, 0.4] {
        let d = rb_p::<F>(1.0, p);
        assert_eq!(d.probs_parameter(), c::<F>(p));
        let pf = c::<F>(p).as64();
        let r = pf.ln() - (-pf).ln_1p();
        let got = d.logits_parameter().as64();
        assert!(
            got == r || err_metric::<F>(got, r, false) <= tol::<F>(),
            "p {p}: {got:e} vs {r:e}"
        );
    }
    assert_eq!(rb_p::<F>(1.0, 0.5).logits_parameter(), F::zero());
}

/// TFP 15 `testUnknownShape`: logits of a partially unknown shape (1, None), t = 0.5 (and a
/// graph-mode placeholder variant). Rust has no graph mode: the analogue is a shape known only
/// at run time, which is every `ArrayD` shape; sampling works and has the expected shape.
fn sample_with_runtime_shapes_has_expected_shape<F: Real>() {
    let width = std::hint::black_box(3usize);
    let logits: Vec<f64> = (0..width).map(|i| i as f64 - 1.0).collect();
    let b = batch_l::<F>(scalar(0.5), arr(&[1, width], &logits));
    assert_eq!(b.batch_shape(), &[1, width]);
    let s = b.sample(&[std::hint::black_box(4)], 15).unwrap();
    assert_eq!(s.shape(), &[4, 1, width]);
    assert!(s.iter().all(|&x| x > F::zero() && x < F::one()));
}

/// TFP 16 `testCdfAgreesWithLogProb`: probs in (0.3, 0.7), t in {0.5, 1, 2}, x in {0.1, 0.25,
/// 0.5, 0.75, 0.9}. TFP integrates the density over [0, x] with 500 Gauss–Legendre nodes and
/// compares with rtol 2e-2 (its quadrature is poor at t = 0.5, where the density is
/// `y^-1/2`-singular at 0). Here the density is integrated in logit space, `cdf(x) =
/// P(Y < -A) + ∫_{-A}^{logit x} prob(sigmoid y) sigmoid(y) sigmoid(-y) dy`, where the integrand
/// is smooth and the far tail `P(Y < -A) = sigmoid(-t A - l)` is below e^-45; composite Simpson
/// with 8000 intervals (error < 1e-10). Both `cdf` and `log_cdf` are compared (to 1e-9 for
/// `f64`, 5e-5 for `f32`), and `cdf` also to the exact closed form `sigmoid(t logit(x) - l)`.
fn cdf_agrees_with_prob_integrated_in_logit_space<F: Real>() {
    let probs: Vec<f64> = (0..12)
        .map(|i| 0.3 + 0.4 * (i as f64 + 0.5) / 12.0)
        .collect();
    let temps = [0.5, 1.0, 2.0];
    let xs = [0.1, 0.25, 0.5, 0.75, 0.9];
    let b = batch_p::<F>(arr(&[3, 1], &temps), arr(&[probs.len(), 1, 1], &probs));
    let xa = arr::<F>(&[xs.len()], &xs);
    let cdf = b.cdf(&xa).unwrap();
    let log_cdf = b.log_cdf(&xa).unwrap();
    assert_eq!(cdf.shape(), &[probs.len(), 3, xs.len()]);
    let quad_tol = if F::NAME == "f32" { 5e-5 } else { 1e-9 };
    for (i, &p) in probs.iter().enumerate() {
        for (j, &t) in temps.iter().enumerate() {
            let d = rb_p::<F>(t, p);
            let (t64, l64) = (c::<F>(t).as64(), logit64(c::<F>(p).as64()));
            let a = (45.0 + l64.abs()) / t64;
            let lower = if F::NAME == "f32" { -a.min(87.0) } else { -a };
            let integrand = |y: f64| {
                let x = c::<F>(sigmoid64(y));
                let x64 = x.as64();
                d.prob(x).unwrap().as64() * x64 * (1.0 - x64)
            };
            for (k, &x) in xs.iter().enumerate() {
                let x64 = c::<F>(x).as64();
                let tail = sigmoid64(t64 * lower - l64);
                let integral = tail + simpson(lower, logit64(x64), 8000, integrand);
                let what = format!("p={p} t={t} x={x}");
                let got = cdf[[i, j, k]].as64();
                assert_close::<F>(
                    got,
                    integral,
                    false,
                    quad_tol,
                    &format!("cdf vs quadrature {what}"),
                );
                let lgot = log_cdf[[i, j, k]].as64();
                assert_close::<F>(
                    lgot,
                    integral.ln(),
                    true,
                    quad_tol,
                    &format!("log_cdf {what}"),
                );
                let exact = sigmoid64(t64 * logit64(x64) - l64);
                assert_close::<F>(
                    got,
                    exact,
                    false,
                    tol::<F>(),
                    &format!("cdf vs closed form {what}"),
                );
            }
        }
    }
}

/// TFP 17 `testCdfNotNanNearEndpoints`: probs = linspace(0, 1, 30) as a column, t = 0.1,
/// x = [0, 0.25, 0.5, 0.75, 1]: no NaN; rows 1..28 non-decreasing along x; the probs = 0 row
/// is exactly [1, 1, 1, 1, 1] and the probs = 1 row exactly [0, 0, 0, 0, 1]. Extended to the
/// other three tail functions (survival non-increasing; exact complements on the edge rows).
fn cdf_near_endpoints_is_not_nan_and_exact_at_point_masses<F: Real>() {
    let probs: Vec<f64> = (0..30).map(|i| i as f64 / 29.0).collect();
    let xs = arr::<F>(&[5], &[0.0, 0.25, 0.5, 0.75, 1.0]);
    let b = batch_p::<F>(scalar(0.1), arr(&[30, 1], &probs));
    let cdf = b.cdf(&xs).unwrap();
    let sf = b.survival_function(&xs).unwrap();
    let lcdf = b.log_cdf(&xs).unwrap();
    let lsf = b.log_survival_function(&xs).unwrap();
    assert_eq!(cdf.shape(), &[30, 5]);
    for a in [&cdf, &sf, &lcdf, &lsf] {
        assert!(a.iter().all(|v| !v.is_nan()), "{a:?}");
    }
    for i in 1..29 {
        for k in 1..5 {
            assert!(cdf[[i, k]] >= cdf[[i, k - 1]], "cdf row {i}");
            assert!(sf[[i, k]] <= sf[[i, k - 1]], "survival row {i}");
        }
    }
    let (one, zero, ninf) = (F::one(), F::zero(), F::neg_infinity());
    let row = |a: &ArrayD<F>, i: usize| (0..5).map(|k| a[[i, k]]).collect::<Vec<_>>();
    assert_eq!(row(&cdf, 0), vec![one; 5]);
    assert_eq!(row(&cdf, 29), vec![zero, zero, zero, zero, one]);
    assert_eq!(row(&sf, 0), vec![zero; 5]);
    assert_eq!(row(&sf, 29), vec![one, one, one, one, zero]);
    assert_eq!(row(&lcdf, 0), vec![zero; 5]);
    assert_eq!(row(&lcdf, 29), vec![ninf, ninf, ninf, ninf, zero]);
    assert_eq!(row(&lsf, 0), vec![ninf; 5]);
    assert_eq!(row(&lsf, 29), vec![zero, zero, zero, zero, ninf]);
}

/// TFP 23 `testSupportBijectorOutsideRange`: probs [0.45, 0.07, 0.32, 0.99], t = 1: the default
/// event-space bijector's inverse (logit) of [-2.3, -1e-6, 1 + 1e-6, 1.4] is NaN. We have no
/// bijector object: its inverse is `math::logit` (the map into `LogitRelaxedBernoulli`'s space),
/// which gives NaN there. The distribution itself rejects those values under `validate_args`
/// and, without it, gives DESIGN §3's documented edge values: log_prob -inf, prob 0, cdf 0
/// below and 1 above (survival the complement); quantile(q) is NaN outside [0, 1].
fn logit_of_values_outside_unit_interval_is_nan<F: Real>() {
    let values = [-2.3, -1e-6, 1.0 + 1e-6, 1.4];
    for v in values {
        assert!(math::logit(c::<F>(v)).is_nan(), "logit({v})");
    }
    let probs = [0.45, 0.07, 0.32, 0.99];
    let e = batch_p::<F>(scalar(1.0), arr(&[4], &probs)).log_prob(&arr::<F>(&[4], &values));
    assert_eq!(e.unwrap_err().kind(), K::ValueBelowSupport);
    for (&p, &v) in probs.iter().zip(&values) {
        let d = RelaxedBernoulli::from_probs(c::<F>(1.0), c(p)).unwrap();
        let above = v > 1.0;
        let x = c::<F>(v);
        assert_eq!(d.log_prob(x).unwrap(), F::neg_infinity());
        assert_eq!(d.prob(x).unwrap(), F::zero());
        let (cdf, sf) = if above {
            (F::one(), F::zero())
        } else {
            (F::zero(), F::one())
        };
        assert_eq!(d.cdf(x).unwrap(), cdf);
        assert_eq!(d.survival_function(x).unwrap(), sf);
        assert_eq!(d.log_cdf(x).unwrap(), cdf.ln());
        assert_eq!(d.log_survival_function(x).unwrap(), sf.ln());
        assert!(d.quantile(x).unwrap().is_nan());
    }
    let d = RelaxedBernoulli::from_probs(c::<F>(1.0), c(0.45)).unwrap();
    assert_eq!(d.quantile(F::zero()).unwrap(), F::zero());
    assert_eq!(d.quantile(F::one()).unwrap(), F::one());
}

f32_and_f64!(
    probs_parameter_given_probs_returns_input_exactly,
    logits_parameter_given_logits_returns_input_and_probs_is_sigmoid,
    from_probs_outside_unit_interval_errors_with_tfp_messages,
    batch_shape_follows_parameters_and_event_shape_is_scalar,
    temperature_zero_errors_with_validation_and_samples_nan_without,
    dtype_of_results_is_parameter_type,
    log_prob_interior_matches_maddison_closed_form,
    log_prob_point_mass_boundaries_are_exact_infinities,
    log_prob_of_point_mass_samples_is_infinite_not_nan,
    prob_at_support_edges_follows_temperature_regime,
    value_outside_support_errors_with_tfp_messages,
    sample_fraction_above_half_matches_probs,
    probs_parameter_given_logits_is_sigmoid,
    logits_parameter_given_probs_is_logit,
    sample_with_runtime_shapes_has_expected_shape,
    cdf_agrees_with_prob_integrated_in_logit_space,
    cdf_near_endpoints_is_not_nan_and_exact_at_point_masses,
    logit_of_values_outside_unit_interval_is_nan,
);

// ----- other anchors -----

/// R tfprobability (tests/testthat/test-distributions.R): t = 1e-10 with logits (1e5, -1e5)
/// gives 10 samples of exactly (1, 0), and with probs (0, 1) exactly (0, 1); sample shape
/// (10, 2).
fn sample_at_tiny_temperature_is_exactly_zero_or_one<F: Real>() {
    let b = batch_l::<F>(scalar(1e-10), arr(&[2], &[1e5, -1e5]));
    let s = b.sample(&[10], 2019).unwrap();
    assert_eq!(s.shape(), &[10, 2]);
    for i in 0..10 {
        assert_eq!((s[[i, 0]], s[[i, 1]]), (F::one(), F::zero()));
    }
    let b = batch_p::<F>(scalar(1e-10), arr(&[2], &[0.0, 1.0]));
    let s = b.sample(&[10], 2019).unwrap();
    for i in 0..10 {
        assert_eq!((s[[i, 0]], s[[i, 1]]), (F::zero(), F::one()));
    }
}

/// PyTorch `test_rounded_relaxed_bernoulli`: with t = 1e10 the sample is 0.5 for probs in
/// {0.001, 0.2, 0.999} (PyTorch: exactly, in f32). `(l + L) / t` is below 3e-9 in magnitude,
/// so the correctly rounded sigmoid is exactly 1/2 in `f32` and within 1e-9 of it in `f64`.
fn sample_at_huge_temperature_is_one_half<F: Real>() {
    let b = batch_p::<F>(scalar(1e10), arr(&[3], &[0.001, 0.2, 0.999]));
    let s = b.sample(&[100], 1).unwrap();
    for &x in &s {
        if F::NAME == "f32" {
            assert_eq!(x, c::<F>(0.5));
        } else {
            assert!((x.as64() - 0.5).abs() <= 1e-9, "{x}");
        }
    }
}

f32_and_f64!(
    sample_at_tiny_temperature_is_exactly_zero_or_one,
    sample_at_huge_temperature_is_one_half
);

// ----- extra exact identities (ANCHORS §3) -----

const TEMPS: [f64; 5] = [0.01, 0.3, 1.0, 2.5, 100.0];
const LOGITS: [f64; 6] = [-20.0, -1.5, 0.0, 0.7, 3.0, 30.0];

/// Values `x` in [1/2, 1], where `1 - x` is exact (Sterbenz), including the tails.
fn mirror_points<F: Real>() -> Vec<F> {
    let mut v: Vec<F> = [0.5, 0.5 + 2f64.powi(-20), 0.6, 0.75, 0.9, 0.99, 1.0 - 1e-5]
        .iter()
        .map(|&x| c::<F>(x))
        .collect();
    v.push(F::one() - F::epsilon() / c(2.0)); // the largest value below 1
    v.push(F::one() - F::epsilon() * c(8.0));
    if F::NAME == "f64" {
        v.push(c(1.0 - 2f64.powi(-40)));
    }
    v.push(F::one());
    v
}

/// `log_prob(x; t, l) = log_prob(1 - x; t, -l)` (X ~ RB(t, l) iff 1 - X ~ RB(t, -l)), for `x`
/// where `1 - x` is exact; also `prob`, and exact infinities at the edges.
fn log_prob_mirrored_value_and_logits_is_equal<F: Real>() {
    for t in TEMPS {
        for l in LOGITS {
            let (d, m) = (rb::<F>(t, l), rb::<F>(t, -l));
            for x in mirror_points::<F>() {
                let what = format!("t={t} l={l} x={x:e}");
                let (a, b) = (d.log_prob(x).unwrap(), m.log_prob(F::one() - x).unwrap());
                assert_close::<F>(a.as64(), b.as64(), true, 2.0 * tol::<F>(), &what);
                let (a, b) = (d.prob(x).unwrap(), m.prob(F::one() - x).unwrap());
                assert_close::<F>(a.as64(), b.as64(), false, 4.0 * tol::<F>(), &what);
            }
        }
    }
}

/// `cdf(x; l) = survival(1 - x; -l)` and `log_cdf(x; l) = log_survival(1 - x; -l)`, for `x`
/// where `1 - x` is exact.
fn cdf_equals_mirrored_survival<F: Real>() {
    for t in TEMPS {
        for l in LOGITS {
            let (d, m) = (rb::<F>(t, l), rb::<F>(t, -l));
            for x in mirror_points::<F>() {
                let what = format!("t={t} l={l} x={x:e}");
                let y = F::one() - x;
                for (f, g) in [
                    (Function::Cdf, Function::Survival),
                    (Function::Survival, Function::Cdf),
                    (Function::LogCdf, Function::LogSurvival),
                    (Function::LogSurvival, Function::LogCdf),
                ] {
                    let a = d.evaluate(f, x).unwrap().as64();
                    let b = m.evaluate(g, y).unwrap().as64();
                    assert_close::<F>(a, b, f.is_log(), 2.0 * tol::<F>(), &format!("{f} {what}"));
                }
            }
        }
    }
}

/// `cdf(1/2) = sigmoid(-l)` at every temperature (`logit(1/2) = 0`), and `log_cdf(1/2) =
/// -softplus(l)`, `survival(1/2) = sigmoid(l)`.
fn cdf_at_one_half_is_sigmoid_of_minus_logits<F: Real>() {
    for t in [0.001, 0.01, 0.3, 1.0, 2.5, 100.0, 1000.0] {
        for l in [-700.0, -30.0, -1.5, -1e-8, 0.0, 1e-8, 0.7, 3.0, 30.0, 700.0] {
            let d = rb::<F>(t, l);
            let lf = c::<F>(l).as64();
            let half = c::<F>(0.5);
            let what = format!("t={t} l={l}");
            assert_close::<F>(
                d.cdf(half).unwrap().as64(),
                sigmoid64(-lf),
                false,
                tol::<F>(),
                &what,
            );
            let sf = d.survival_function(half).unwrap().as64();
            assert_close::<F>(sf, sigmoid64(lf), false, tol::<F>(), &what);
            let softplus = lf.max(0.0) + (-lf.abs()).exp().ln_1p();
            let lc = d.log_cdf(half).unwrap().as64();
            assert_close::<F>(lc, -softplus, true, tol::<F>(), &what);
        }
    }
}

/// `quantile(cdf(x)) = x` and `cdf(quantile(q)) = q` in the bulk, to the accuracy the
/// conditioning allows: with the guarantees of DESIGN §4 (cdf relative `tol`, quantile relative
/// `max(tol, tol / (10 t))`), `x` comes back within relative `(1 - x) tol / ((1 - c) t) +
/// max(tol, tol / (10 t))`, and `q` within relative `(1 - q) t max(tol, tol / (10 t)) / (1 - x)
/// + tol`; asserted with a factor 4.
fn quantile_inverts_cdf_in_bulk<F: Real>() {
    let tq = |t: f64| tol::<F>() * (1.0f64).max(0.1 / t);
    for t in [0.1, 0.5, 1.0, 2.0, 10.0] {
        for l in [-3.0, 0.0, 1.5] {
            let d = rb::<F>(t, l);
            for k in 1..100 {
                let x = c::<F>(k as f64 / 100.0);
                let cx = d.cdf(x).unwrap();
                let c64 = cx.as64();
                if !(1e-3..=1.0 - 1e-3).contains(&c64) {
                    continue;
                }
                let back = d.quantile(cx).unwrap().as64();
                let x64 = x.as64();
                let rel = (1.0 - x64) * tol::<F>() / ((1.0 - c64) * t) + tq(t);
                assert!(
                    ((back - x64) / x64).abs() <= 4.0 * rel + 2.0 * eps_of::<F>(),
                    "t={t} l={l} x={x64}: quantile(cdf(x)) = {back}"
                );
                let q = cx; // a probability in the bulk
                let xq = d.quantile(q).unwrap();
                if xq.as64() > 0.9 {
                    continue;
                }
                let cq = d.cdf(xq).unwrap().as64();
                let rel = (1.0 - c64) * t * tq(t) / (1.0 - xq.as64()) + tol::<F>();
                let rel = rel + t * eps_of::<F>() / (1.0 - xq.as64());
                assert!(
                    ((cq - c64) / c64).abs() <= 4.0 * rel,
                    "t={t} l={l} q={c64}: {cq}"
                );
            }
        }
    }
}

fn eps_of<F: Real>() -> f64 {
    F::epsilon().as64()
}

/// The density integrates to 1. The integral over [0, 1] is split at 1/2 and each half taken
/// in logit space, `∫_0^{1/2} p(x) dx = ∫_{-A}^0 prob(sigmoid y) sigmoid(y) sigmoid(-y) dy +
/// sigmoid(-t A - l)`, where `x = sigmoid(y) <= 1/2` is represented to full relative accuracy
/// (near 1 it is not: the mass of a low-temperature RelaxedBernoulli sits at values no float
/// can hold). The upper half uses `1 - X ~ RB(t, -l)`. `A = (50 + |l|) / t` (capped where
/// `sigmoid(-A)` would leave the normal range), composite Simpson with 10 000 intervals; sums
/// to 1 within 1e-10 (`f64`) / 3e-5 (`f32`).
fn prob_integrates_to_one<F: Real>() {
    let quad_tol = if F::NAME == "f32" { 3e-5 } else { 1e-10 };
    for t in [0.1, 0.5, 1.0, 2.0, 10.0] {
        for l in [-3.0, 0.0, 1.5] {
            let mut total = 0.0;
            for sign in [1.0, -1.0] {
                let d = rb::<F>(t, sign * l);
                let (t64, l64) = (c::<F>(t).as64(), d.logits_parameter().as64());
                let cap = if F::NAME == "f32" { 87.0 } else { 700.0 };
                let a = ((50.0 + l64.abs()) / t64).min(cap);
                let g = |y: f64| {
                    let x = c::<F>(sigmoid64(y));
                    let x64 = x.as64();
                    d.prob(x).unwrap().as64() * x64 * (1.0 - x64)
                };
                total += sigmoid64(-t64 * a - l64) + simpson(-a, 0.0, 10_000, g);
            }
            assert!(
                (total - 1.0).abs() <= quad_tol,
                "t={t} l={l}: integral {total}"
            );
        }
    }
}

/// The logit-space density integrates to 1: `∫ exp(log_prob(y)) dy` over `l/t ± 50/t` (the
/// rest has mass 2e-22), composite Simpson with 10 000 intervals.
fn logit_relaxed_bernoulli_prob_integrates_to_one<F: Real>() {
    let quad_tol = if F::NAME == "f32" { 3e-5 } else { 1e-10 };
    for t in [0.01, 0.1, 1.0, 10.0, 100.0] {
        for l in [-3.0, 0.0, 1.5, 40.0] {
            let d = LogitRelaxedBernoulli::builder(c::<F>(t))
                .logits(c(l))
                .validate_args(true)
                .build_logit()
                .unwrap();
            let (t64, l64) = (c::<F>(t).as64(), c::<F>(l).as64());
            let (lo, hi) = ((l64 - 50.0) / t64, (l64 + 50.0) / t64);
            let g = |y: f64| d.log_prob(c(y)).unwrap().as64().exp();
            let total = simpson(lo, hi, 10_000, g);
            assert!(
                (total - 1.0).abs() <= quad_tol,
                "t={t} l={l}: integral {total}"
            );
        }
    }
}

f32_and_f64!(
    log_prob_mirrored_value_and_logits_is_equal,
    cdf_equals_mirrored_survival,
    cdf_at_one_half_is_sigmoid_of_minus_logits,
    quantile_inverts_cdf_in_bulk,
    prob_integrates_to_one,
    logit_relaxed_bernoulli_prob_integrates_to_one,
);

// ----- the constructor error table -----

/// One row of the table: temperature, logits, probs, the expected kind and Display text.
type Row = (f64, Option<f64>, Option<f64>, K, &'static str);

fn error_table() -> Vec<Row> {
    let (nan, inf) = (f64::NAN, f64::INFINITY);
    let pos = "Argument `temperature` must be positive.";
    let fin = "Argument `temperature` must be finite.";
    let above = "Argument `probs` has components greater than 1.";
    let below = "Argument `probs` has components less than 0.";
    vec![
        (0.0, Some(0.5), None, K::TemperatureNotPositive, pos),
        (-0.0, Some(0.5), None, K::TemperatureNotPositive, pos),
        (-1.0, Some(0.5), None, K::TemperatureNotPositive, pos),
        (-1.0, None, Some(0.5), K::TemperatureNotPositive, pos),
        (nan, Some(0.5), None, K::TemperatureNotFinite, fin),
        (inf, Some(0.5), None, K::TemperatureNotFinite, fin),
        (-inf, None, Some(0.5), K::TemperatureNotFinite, fin),
        (1.0, None, Some(1.01), K::ProbsAboveOne, above),
        (1.0, None, Some(2.0), K::ProbsAboveOne, above),
        (1.0, None, Some(inf), K::ProbsAboveOne, above),
        (1.0, None, Some(-0.01), K::ProbsBelowZero, below),
        (1.0, None, Some(-3.0), K::ProbsBelowZero, below),
        (1.0, None, Some(-inf), K::ProbsBelowZero, below),
        (
            1.0,
            None,
            Some(nan),
            K::ProbsNaN,
            "Argument `probs` has NaN components.",
        ),
        (
            1.0,
            Some(nan),
            None,
            K::LogitsNaN,
            "Argument `logits` has NaN components.",
        ),
        (
            1.0,
            Some(0.5),
            Some(0.5),
            K::BothLogitsAndProbs,
            "Must pass `logits` or `probs`, but not both.",
        ),
        (
            1.0,
            None,
            None,
            K::NeitherLogitsNorProbs,
            "Must pass one of `logits` or `probs`.",
        ),
    ]
}

fn build_row<F: Real>(
    row: &Row,
    validate: bool,
) -> Result<RelaxedBernoulli<F>, RelaxedBernoulliError> {
    let mut b = RelaxedBernoulli::builder(c::<F>(row.0)).validate_args(validate);
    if let Some(l) = row.1 {
        b = b.logits(c(l));
    }
    if let Some(p) = row.2 {
        b = b.probs(c(p));
    }
    b.build()
}

/// With `validate_args`, each invalid parameter set fails with its exact
/// `RelaxedBernoulliErrorKind` and message (scalar, logit-space and batch builders; a custom
/// name is shown). Both or neither of logits/probs fail whatever `validate_args` says.
fn builder_invalid_parameters_error_with_exact_kind<F: Real>() {
    for row in error_table() {
        let (t, l, p, kind, msg) = row;
        let what = format!("t={t} logits={l:?} probs={p:?}");
        let e = build_row::<F>(&row, true).unwrap_err();
        assert_eq!(e.kind(), kind, "{what}");
        assert_eq!(e.name(), "RelaxedBernoulli");
        assert_eq!(e.to_string(), format!("RelaxedBernoulli: {msg}"), "{what}");
        // The logit-space builder, with a custom name.
        let mut b = LogitRelaxedBernoulli::builder(c::<F>(t))
            .validate_args(true)
            .name("coin");
        if let Some(l) = l {
            b = b.logits(c(l));
        }
        if let Some(p) = p {
            b = b.probs(c(p));
        }
        let e = b.build_logit().unwrap_err();
        assert_eq!(e.kind(), kind, "{what}");
        assert_eq!(e.to_string(), format!("coin: {msg}"));
        // A batch with one bad member among good ones.
        let mut b = RelaxedBernoulli::batch_builder(arr::<F>(&[2], &[1.0, t])).validate_args(true);
        if let Some(l) = l {
            b = b.logits(arr(&[2], &[0.0, l]));
        }
        if let Some(p) = p {
            b = b.probs(arr(&[2], &[0.5, p]));
        }
        assert_eq!(b.build().unwrap_err().kind(), kind, "batch {what}");
        if matches!(kind, K::BothLogitsAndProbs | K::NeitherLogitsNorProbs) {
            assert_eq!(build_row::<F>(&row, false).unwrap_err().kind(), kind);
        }
    }
    // Incompatible batch shapes.
    let e = RelaxedBernoulli::batch_builder(arr::<F>(&[3], &[1.0, 2.0, 3.0]))
        .logits(arr(&[4], &[0.0; 4]))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), K::IncompatibleShapes);
    // The edges of the valid set are accepted.
    let edges = [
        (F::min_positive_value(), Some(F::zero()), None),
        (F::max_value(), Some(F::zero()), None),
        (F::one(), Some(F::infinity()), None),
        (F::one(), Some(F::neg_infinity()), None),
        (F::one(), None, Some(F::zero())),
        (F::one(), None, Some(F::one())),
    ];
    for (t, l, p) in edges {
        let mut b = RelaxedBernoulli::builder(t).validate_args(true);
        if let Some(l) = l {
            b = b.logits(l);
        }
        if let Some(p) = p {
            b = b.probs(p);
        }
        let d = b.build().unwrap();
        assert!(d.is_valid(), "t={t:e} logits={l:?} probs={p:?}");
    }
}

/// Without `validate_args`, the same invalid parameters construct (`is_valid()` is false) and
/// every method returns NaN: all seven functions at values inside, on and outside the support,
/// samples (noise, user RNG, seeded batch), `sample_and_log_prob`, `pathwise`, and the
/// logit-space view (DESIGN §3, documented on `RelaxedBernoulli`).
fn builder_invalid_parameters_without_validation_give_nan_everywhere<F: Real>() {
    for row in error_table() {
        let what = format!("t={} logits={:?} probs={:?}", row.0, row.1, row.2);
        if matches!(row.3, K::BothLogitsAndProbs | K::NeitherLogitsNorProbs) {
            continue;
        }
        let d = build_row::<F>(&row, false).unwrap();
        assert!(!d.is_valid(), "{what}");
        let lrb = d.to_logit();
        for f in Function::ALL {
            for x in [-1.0, 0.0, 0.25, 0.5, 1.0, 2.0, f64::NAN] {
                assert!(d.evaluate(f, c(x)).unwrap().is_nan(), "{f}({x}) {what}");
                assert!(
                    lrb.evaluate(f, c(x)).unwrap().is_nan(),
                    "logit {f}({x}) {what}"
                );
            }
        }
        for noise in [-3.0, 0.0, 2.0] {
            let n = c::<F>(noise);
            assert!(d.from_logistic_noise(n).is_nan(), "{what}");
            let (x, lp) = d.sample_and_log_prob(n);
            assert!(x.is_nan() && lp.is_nan(), "{what}");
            let g = d.pathwise(n);
            assert!(
                [g.sample, g.d_logits, g.d_probs, g.d_temperature]
                    .iter()
                    .all(|v| v.is_nan())
            );
            let g = lrb.pathwise(n);
            assert!(
                [g.sample, g.d_logits, g.d_probs, g.d_temperature]
                    .iter()
                    .all(|v| v.is_nan())
            );
            let (y, lp) = lrb.sample_and_log_prob(n);
            assert!(y.is_nan() && lp.is_nan(), "{what}");
        }
        let mut rng = XorShift64Star::new(5);
        let x: F = d.sample(&mut rng);
        assert!(x.is_nan());
        let mut b = RelaxedBernoulli::batch_builder(arr::<F>(&[2], &[1.0, row.0]));
        if let Some(l) = row.1 {
            b = b.logits(arr(&[2], &[0.0, l]));
        }
        if let Some(p) = row.2 {
            b = b.probs(arr(&[2], &[0.5, p]));
        }
        let b = b.build().unwrap();
        let s = b.sample(&[3], 1).unwrap();
        for i in 0..3 {
            assert!(!s[[i, 0]].is_nan() && s[[i, 1]].is_nan(), "{what}: {s:?}");
        }
        let lp = b.log_prob(&arr::<F>(&[1], &[0.5])).unwrap();
        assert!(!lp[[0]].is_nan() && lp[[1]].is_nan());
        assert!(same_bits(lp[[1]], F::nan()));
    }
}

f32_and_f64!(
    builder_invalid_parameters_error_with_exact_kind,
    builder_invalid_parameters_without_validation_give_nan_everywhere,
);

// Keeps the f64 oracle of the cdf used (it is the reference of `sampler.rs` too).
#[test]
fn cdf_matches_independent_oracle_on_grid() {
    for t in TEMPS {
        for l in LOGITS {
            let d = rb::<f64>(t, l);
            for k in 0..=64 {
                let x = k as f64 / 64.0;
                assert_close::<f64>(d.cdf(x).unwrap(), rb_cdf64(t, l, x), false, 1e-12, "cdf");
            }
        }
    }
}
