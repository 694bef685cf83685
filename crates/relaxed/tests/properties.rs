//! Property tests (proptest): no input panics; valid parameters never give NaN; the cdf is
//! monotone; the quantile inverts the cdf in the bulk; a batch equals a loop over its scalar
//! members. Each property runs for `f32` and `f64`.

mod common;

use common::{As64, XorShift64Star, c, logit64, same_bits, sigmoid64, tol};
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use rand::distr::Distribution;
use relaxed::noise::uniform_at;
use relaxed::{
    Function, Logistic, LogitRelaxedBernoulli, Real, RelaxedBernoulli,
    RelaxedBernoulliErrorKind as K, Reparameterized, Univariate, broadcast_shapes,
};

/// `cases` cases per property (or `PROPTEST_CASES` from the environment, for a deeper run);
/// failing inputs are saved next to this file (`properties.proptest-regressions`) and
/// replayed first on the next run.
fn config(cases: u32) -> ProptestConfig {
    let env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: env.unwrap_or(cases),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

// ----- strategies -----

/// Special values every float strategy mixes in.
fn specials() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        2.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        5e-324,
        1.4e-45,
        f64::MAX,
        f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        1.0 + f64::EPSILON,
        1e-300,
        1e-3,
        1e3,
        700.0,
        -700.0,
        36.7,
        -745.0,
        16.6,
        -104.0,
    ]
}

/// The float types under test, with a strategy over all their bit patterns.
trait Gen: Real {
    /// Any value of the type: arbitrary bit patterns (NaN payloads, subnormals, infinities),
    /// special values and ordinary ranges.
    fn any_value() -> BoxedStrategy<Self>;
}

impl Gen for f64 {
    fn any_value() -> BoxedStrategy<f64> {
        prop_oneof![
            3 => any::<u64>().prop_map(f64::from_bits),
            2 => prop::sample::select(specials()),
            2 => -1e3..1e3f64,
            1 => 0.0..1.0f64,
        ]
        .boxed()
    }
}

impl Gen for f32 {
    fn any_value() -> BoxedStrategy<f32> {
        prop_oneof![
            3 => any::<u32>().prop_map(f32::from_bits),
            2 => prop::sample::select(specials()).prop_map(|v| v as f32),
            2 => -1e3..1e3f32,
            1 => 0.0..1.0f32,
        ]
        .boxed()
    }
}

/// A valid temperature: log-uniform on [1e-3, 1e3], with the ends and 1.
fn valid_temperature() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (-3.0..3.0f64).prop_map(|e| 10f64.powf(e)),
        1 => prop::sample::select(vec![1e-3, 1.0, 1e3]),
    ]
}

/// A valid finite logit, |l| <= 700.
fn valid_logits() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -700.0..700.0f64,
        3 => -40.0..40.0f64,
        1 => prop::sample::select(vec![0.0, -0.0, 1e-8, -1e-8, 700.0, -700.0]),
    ]
}

/// A value in [0, 1]: uniform, the edges, and both tails on a log scale.
fn unit_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0..=1.0f64,
        1 => prop::sample::select(vec![0.0, 1.0, 0.5, 5e-324, 1.4e-45, 1.0 - f64::EPSILON / 2.0]),
        2 => (0.0..320.0f64).prop_map(|e| 10f64.powf(-e)),
        2 => (1.0..16.0f64).prop_map(|e| 1.0 - 10f64.powf(-e)),
    ]
}

/// Parameters given as logits (`Ok`) or probs (`Err`), valid.
fn valid_param() -> impl Strategy<Value = Result<f64, f64>> {
    prop_oneof![
        2 => valid_logits().prop_map(Ok),
        1 => unit_value().prop_map(Err),
    ]
}

fn build<F: Real>(t: f64, param: Result<f64, f64>) -> RelaxedBernoulli<F> {
    let b = RelaxedBernoulli::<F>::builder(c(t)).validate_args(true);
    match param {
        Ok(l) => b.logits(c(l)),
        Err(p) => b.probs(c(p)),
    }
    .build()
    .unwrap()
}

/// A shape of rank 0..=3 with sizes 0..=3.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..4, 0..4)
}

fn fill<F: Real>(shape: &[usize], pool: &[F]) -> ArrayD<F> {
    let n: usize = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|k| pool[k % pool.len()]).collect()).unwrap()
}

// ----- no panic, any input -----

/// Whether validation must reject these parameters (DESIGN §3).
fn invalid(t: f64, v: f64, is_probs: bool) -> bool {
    !t.is_finite() || t <= 0.0 || v.is_nan() || (is_probs && !(0.0..=1.0).contains(&v))
}

/// Every constructor and method, on arbitrary inputs: no panic; with `validate_args` the
/// constructor fails exactly for invalid parameters (and for both/neither of logits/probs).
fn scalar_methods_never_panic<F: Real>(t: F, v: F, x: F, mode: u8, validate: bool) {
    let mut b = RelaxedBernoulli::<F>::builder(t)
        .validate_args(validate)
        .name("p");
    if mode & 1 == 1 {
        b = b.logits(v);
    }
    if mode & 2 == 2 {
        b = b.probs(v);
    }
    let both_or_neither = mode == 0 || mode == 3;
    let bad = invalid(t.as64(), v.as64(), mode == 2);
    match b.clone().build() {
        Err(e) => {
            assert!(both_or_neither || (validate && bad), "unexpected {e}");
            let _ = (e.to_string(), e.kind(), e.name(), format!("{e:?}"));
        }
        Ok(d) => {
            assert!(!(both_or_neither || validate && bad));
            assert_eq!(d.is_valid(), !bad);
            let _ = (
                d.logits_parameter(),
                d.probs_parameter(),
                d.temperature(),
                format!("{d:?}"),
            );
            for f in Function::ALL {
                let r = d.evaluate(f, x);
                assert!(validate || r.is_ok());
                let _ = d.evaluate_unchecked(f, x);
            }
            let _ = (
                d.sample_and_log_prob(x),
                d.pathwise(x),
                d.from_logistic_noise(x),
            );
            let _ = d.sample_and_log_prob_from_noise(x);
            let _ = d.from_uniform(x);
            let _: F = d.sample(&mut XorShift64Star::new(x.as64().to_bits()));
            let lrb = d.to_logit();
            for f in Function::ALL {
                let _ = lrb.evaluate(f, x);
            }
            let _ = (
                lrb.sample_and_log_prob(x),
                lrb.pathwise(x),
                lrb.from_logistic_noise(x),
            );
            let _ = (
                lrb.to_relaxed(),
                LogitRelaxedBernoulli::from(d),
                format!("{lrb:?}"),
            );
        }
    }
    if let Ok(d) = b.build_logit() {
        for f in Function::ALL {
            let _ = d.evaluate(f, x);
        }
    }
    if let Ok(d) = Logistic::with_options(v, t, validate, true, "n") {
        for f in Function::ALL {
            let _ = d.evaluate(f, x);
        }
        let _ = (
            d.sample_and_log_prob_from_noise(x),
            d.from_uniform(x),
            format!("{d:?}"),
        );
    }
}

/// Batches of arbitrary (small, possibly empty or incompatible) shapes and arbitrary values:
/// construction and every batch method either succeed with the broadcast shape or fail with an
/// error; never a panic.
#[allow(clippy::too_many_arguments)]
fn batch_methods_never_panic<F: Real>(
    ts: Vec<usize>,
    ls: Vec<usize>,
    xs: Vec<usize>,
    ss: Vec<usize>,
    pool: Vec<F>,
    probs: bool,
    validate: bool,
    seed: u64,
) {
    let t = fill(&ts, &pool);
    let p = fill(&ls, &pool[1..]);
    let x = fill(&xs, &pool[2..]);
    let b = RelaxedBernoulli::batch_builder(t).validate_args(validate);
    let b = if probs { b.probs(p) } else { b.logits(p) };
    let shape = broadcast_shapes(&ts, &ls);
    let batch = match (b.clone().build(), &shape) {
        (Err(e), Err(_)) => {
            assert_eq!(e.kind(), K::IncompatibleShapes);
            return;
        }
        (Err(e), Ok(_)) => {
            assert!(validate, "{e}");
            return;
        }
        (Ok(batch), Ok(shape)) => {
            assert_eq!(batch.batch_shape(), shape.as_slice());
            batch
        }
        (Ok(_), Err(_)) => panic!("incompatible shapes {ts:?} {ls:?} built"),
    };
    assert_eq!(batch.len(), batch.batch_shape().iter().product::<usize>());
    assert_eq!(batch.is_empty(), batch.batch_shape().contains(&0));
    let _ = format!("{batch:?}");
    let out = broadcast_shapes(&xs, batch.batch_shape());
    for f in Function::ALL {
        match (batch.evaluate(f, &x), &out) {
            (Ok(r), Ok(s)) => assert_eq!(r.shape(), s.as_slice()),
            (Err(e), Ok(_)) => assert!(validate, "{e}"),
            (Err(e), Err(_)) => assert_eq!(e.kind(), K::IncompatibleShapes),
            (Ok(_), Err(_)) => panic!("evaluated incompatible shapes"),
        }
    }
    let _ = (
        batch.log_prob(&x),
        batch.prob(&x),
        batch.cdf(&x),
        batch.log_cdf(&x),
    );
    let _ = (
        batch.survival_function(&x),
        batch.log_survival_function(&x),
        batch.quantile(&x),
    );
    let _ = batch.from_logistic_noise(&x);
    let mut expected = ss.clone();
    expected.extend_from_slice(batch.batch_shape());
    assert_eq!(
        batch.sample(&ss, seed).unwrap().shape(),
        expected.as_slice()
    );
    let (s, lp) = batch.sample_and_log_prob(&ss, seed).unwrap();
    assert_eq!(
        (s.shape(), lp.shape()),
        (expected.as_slice(), expected.as_slice())
    );
    let r = batch
        .sample_with_rng(&ss, &mut XorShift64Star::new(seed))
        .unwrap();
    assert_eq!(r.shape(), expected.as_slice());
    if let Ok(lb) = b.build_logit() {
        let _ = (
            lb.evaluate(Function::Cdf, &x),
            lb.sample(&ss, seed),
            lb.to_relaxed(),
        );
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn methods_arbitrary_inputs_never_panic_f64(
        t in f64::any_value(), v in f64::any_value(), x in f64::any_value(),
        mode in 0u8..4, validate in any::<bool>(),
    ) {
        scalar_methods_never_panic::<f64>(t, v, x, mode, validate);
    }

    #[test]
    fn methods_arbitrary_inputs_never_panic_f32(
        t in f32::any_value(), v in f32::any_value(), x in f32::any_value(),
        mode in 0u8..4, validate in any::<bool>(),
    ) {
        scalar_methods_never_panic::<f32>(t, v, x, mode, validate);
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn batch_arbitrary_shapes_never_panic_f64(
        ts in shape(), ls in shape(), xs in shape(), ss in shape(),
        pool in prop::collection::vec(f64::any_value(), 3..8),
        probs in any::<bool>(), validate in any::<bool>(), seed in any::<u64>(),
    ) {
        batch_methods_never_panic::<f64>(ts, ls, xs, ss, pool, probs, validate, seed);
    }

    #[test]
    fn batch_arbitrary_shapes_never_panic_f32(
        ts in shape(), ls in shape(), xs in shape(), ss in shape(),
        pool in prop::collection::vec(f32::any_value(), 3..8),
        probs in any::<bool>(), validate in any::<bool>(), seed in any::<u64>(),
    ) {
        batch_methods_never_panic::<f32>(ts, ls, xs, ss, pool, probs, validate, seed);
    }
}

// ----- valid parameters: no NaN -----

/// For valid parameters, `x` in [0, 1] and `q` in [0, 1], no function returns NaN (nor the
/// logit-space functions at `logit(x)` and at ±inf, nor the samplers at any noise the stream
/// can produce).
fn valid_methods_never_nan<F: Real>(t: f64, param: Result<f64, f64>, x: f64, q: f64, noise: f64) {
    let d = build::<F>(t, param);
    let (x, q) = (c::<F>(x), c::<F>(q));
    for f in Function::ALL {
        let arg = if f == Function::Quantile { q } else { x };
        let r = d.evaluate(f, arg).unwrap();
        assert!(!r.is_nan(), "{f}({arg:e}) = NaN for {d:?}");
    }
    let lrb = d.to_logit();
    let y = math_logit(x);
    for f in Function::ALL {
        for arg in [
            y,
            F::infinity(),
            F::neg_infinity(),
            if f == Function::Quantile { q } else { y },
        ] {
            if f == Function::Quantile && !(F::zero()..=F::one()).contains(&arg) {
                continue;
            }
            let r = lrb.evaluate(f, arg).unwrap();
            assert!(!r.is_nan(), "logit {f}({arg:e}) = NaN for {d:?}");
        }
    }
    let noise = c::<F>(noise);
    let (s, lp) = d.sample_and_log_prob(noise);
    assert!(
        !s.is_nan() && !lp.is_nan(),
        "sample_and_log_prob({noise:e}) = ({s}, {lp}) for {d:?}"
    );
    assert!(!d.from_logistic_noise(noise).is_nan());
    let (s, lp) = lrb.sample_and_log_prob(noise);
    assert!(
        !s.is_nan() && !lp.is_nan(),
        "logit sample_and_log_prob({noise:e}) for {d:?}"
    );
    let g = lrb.pathwise(noise);
    assert!(
        ![g.sample, g.d_logits, g.d_probs, g.d_temperature]
            .iter()
            .any(|v| v.is_nan())
    );
}

fn math_logit<F: Real>(x: F) -> F {
    relaxed::math::logit(x)
}

/// BUG (reported, see `sampler.rs`): `RelaxedBernoulli::pathwise` gives `d_probs = NaN` for
/// valid parameters where `p (1 - p)` and `x (1 - x)` underflow (`f32` |logits| > ~104).
fn valid_pathwise_never_nan<F: Real>(t: f64, param: Result<f64, f64>, noise: f64) {
    let d = build::<F>(t, param);
    let g = d.pathwise(c(noise));
    let all = [g.sample, g.d_logits, g.d_probs, g.d_temperature];
    assert!(
        !all.iter().any(|v| v.is_nan()),
        "pathwise({noise}) = {g:?} for {d:?}"
    );
}

/// Noise the seeded stream can produce: |L| <= 36.8 (`f64`) / 16.7 (`f32`).
fn noise_of<F: Real>(n: f64) -> f64 {
    if F::NAME == "f32" { n * 16.7 / 36.8 } else { n }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn methods_valid_parameters_never_nan_f64(
        t in valid_temperature(), param in valid_param(), x in unit_value(), q in unit_value(),
        noise in -36.8..36.8f64,
    ) {
        valid_methods_never_nan::<f64>(t, param, x, q, noise);
    }

    #[test]
    fn methods_valid_parameters_never_nan_f32(
        t in valid_temperature(), param in valid_param(), x in unit_value(), q in unit_value(),
        noise in -36.8..36.8f64,
    ) {
        valid_methods_never_nan::<f32>(t, param, x, q, noise_of::<f32>(noise));
    }

    #[test]
    fn pathwise_valid_parameters_never_nan_f64(
        t in valid_temperature(), param in valid_param(), noise in -36.8..36.8f64,
    ) {
        valid_pathwise_never_nan::<f64>(t, param, noise);
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]

    fn pathwise_valid_parameters_never_nan_f32(
        t in valid_temperature(), param in valid_param(), noise in -36.8..36.8f64,
    ) {
        valid_pathwise_never_nan::<f32>(t, param, noise_of::<f32>(noise));
    }
}

// ----- monotone cdf, quantile inverts cdf -----

/// For `x1 <= x2` in [0, 1]: `cdf` and `log_cdf` do not decrease, `survival` and
/// `log_survival` do not increase (up to `slack` in the error metric: exact for values apart,
/// the accuracy target for adjacent values, where the two opposing terms of `softplus` can
/// round against each other by an ulp), and `cdf + survival = 1` within twice the tolerance.
fn cdf_monotone<F: Real>(t: f64, param: Result<f64, f64>, a: F, b: F, slack: f64) {
    let d = build::<F>(t, param);
    let (x1, x2) = if a <= b { (a, b) } else { (b, a) };
    let ev = |f, x| d.evaluate(f, x).unwrap().as64();
    for (f, up) in [
        (Function::Cdf, true),
        (Function::LogCdf, true),
        (Function::Survival, false),
        (Function::LogSurvival, false),
    ] {
        let (v1, v2) = (ev(f, x1), ev(f, x2));
        let (lo, hi) = if up { (v1, v2) } else { (v2, v1) };
        let room = if f.is_log() {
            hi.abs().max(1.0)
        } else {
            hi.abs()
        };
        let ok = lo <= hi || (lo - hi) <= slack * room;
        assert!(
            ok,
            "{f} not monotone: {f}({x1:e}) = {v1:e}, {f}({x2:e}) = {v2:e} for {d:?}"
        );
    }
    let total = ev(Function::Cdf, x1) + ev(Function::Survival, x1);
    assert!(
        (total - 1.0).abs() <= 2.0 * tol::<F>(),
        "cdf + survival = {total} at {x1:e}"
    );
}

/// In the bulk (`c = cdf(x)` in [0.01, 0.99]), `quantile(cdf(x))` is `x` to the accuracy the
/// conditioning allows (DESIGN §4: cdf within relative `tol`, quantile within `max(tol, tol /
/// (10 t))`): relative `(1 - x) tol / ((1 - c) t) + max(tol, tol / (10 t))`, asserted with a
/// factor 4 and two ulp of `x`.
fn quantile_inverts_cdf<F: Real>(t: f64, l: f64, q0: f64) {
    let d = build::<F>(t, Ok(l));
    let (t64, l64) = (c::<F>(t).as64(), c::<F>(l).as64());
    let x = c::<F>(sigmoid64((l64 + logit64(q0)) / t64));
    let cx = d.cdf(x).unwrap();
    let c64 = cx.as64();
    if x == F::zero() || x == F::one() || !(0.01..=0.99).contains(&c64) {
        return; // x rounded away from the bulk
    }
    let back = d.quantile(cx).unwrap().as64();
    let x64 = x.as64();
    let tq = tol::<F>() * (1.0f64).max(0.1 / t64);
    let rel =
        4.0 * ((1.0 - x64) * tol::<F>() / ((1.0 - c64) * t64) + tq) + 2.0 * common::eps::<F>();
    assert!(
        ((back - x64) / x64).abs() <= rel,
        "t={t64} l={l64} x={x64:e}: quantile(cdf(x)) = {back:e}"
    );
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn cdf_increasing_values_is_monotone_f64(
        t in valid_temperature(), param in valid_param(), a in unit_value(), b in unit_value(),
    ) {
        cdf_monotone::<f64>(t, param, a, b, 0.0);
    }

    #[test]
    fn cdf_increasing_values_is_monotone_f32(
        t in valid_temperature(), param in valid_param(), a in unit_value(), b in unit_value(),
    ) {
        cdf_monotone::<f32>(t, param, a as f32, b as f32, 0.0);
    }

    #[test]
    fn cdf_adjacent_values_is_monotone_to_tolerance_f64(
        t in valid_temperature(), param in valid_param(), a in unit_value(), k in 1u32..4,
    ) {
        let mut b = a;
        for _ in 0..k { b = b.next_up().min(1.0); }
        cdf_monotone::<f64>(t, param, a, b, tol::<f64>());
    }

    #[test]
    fn cdf_adjacent_values_is_monotone_to_tolerance_f32(
        t in valid_temperature(), param in valid_param(), a in unit_value(), k in 1u32..4,
    ) {
        let mut b = a as f32;
        for _ in 0..k { b = b.next_up().min(1.0); }
        cdf_monotone::<f32>(t, param, a as f32, b, tol::<f32>());
    }

    #[test]
    fn quantile_of_cdf_in_bulk_returns_value_f64(
        t in valid_temperature(), l in valid_logits(), q0 in 0.02..0.98f64,
    ) {
        quantile_inverts_cdf::<f64>(t, l, q0);
    }

    #[test]
    fn quantile_of_cdf_in_bulk_returns_value_f32(
        t in valid_temperature(), l in valid_logits(), q0 in 0.02..0.98f64,
    ) {
        quantile_inverts_cdf::<f32>(t, l, q0);
    }
}

// ----- broadcasting: a batch is a loop over scalar members -----

/// A shape that broadcasts to `out`: some leading axes dropped, some sizes replaced by 1.
fn reduce(out: &[usize], drop: usize, mask: u8) -> Vec<usize> {
    let drop = drop.min(out.len());
    out[drop..]
        .iter()
        .enumerate()
        .map(|(k, &n)| if mask >> k & 1 == 1 { 1 } else { n })
        .collect()
}

/// `Batch::evaluate` (every function), `Batch::from_logistic_noise` and `Batch::sample` equal
/// a loop over scalar distributions built from the broadcast parameters, bit for bit; the
/// members are the broadcast parameters in row-major order.
#[allow(clippy::too_many_arguments)]
fn batch_equals_scalar_loop<F: Real>(
    out: Vec<usize>,
    drops: [usize; 3],
    masks: [u8; 3],
    temps: Vec<f64>,
    params: Vec<f64>,
    values: Vec<f64>,
    probs: bool,
    seed: u64,
) {
    let (ts, ps, xs) = (
        reduce(&out, drops[0], masks[0]),
        reduce(&out, drops[1], masks[1]),
        reduce(&out, drops[2], masks[2]),
    );
    let to_f = |v: &[f64]| v.iter().map(|&x| c::<F>(x)).collect::<Vec<F>>();
    let (t, p, x) = (
        fill(&ts, &to_f(&temps)),
        fill(&ps, &to_f(&params)),
        fill(&xs, &to_f(&values)),
    );
    let b = RelaxedBernoulli::batch_builder(t.clone()).validate_args(true);
    let b = if probs {
        b.probs(p.clone())
    } else {
        b.logits(p.clone())
    };
    let batch = b.build().unwrap();
    let bshape = broadcast_shapes(&ts, &ps).unwrap();
    assert_eq!(batch.batch_shape(), bshape.as_slice());
    let full = broadcast_shapes(&xs, &bshape).unwrap();
    let tb = t.broadcast(IxDyn(&full)).unwrap();
    let pb = p.broadcast(IxDyn(&full)).unwrap();
    let xb = x.broadcast(IxDyn(&full)).unwrap();
    let scalar = |t: F, v: F| {
        let b = RelaxedBernoulli::<F>::builder(t).validate_args(true);
        if probs { b.probs(v) } else { b.logits(v) }
            .build()
            .unwrap()
    };
    for f in Function::ALL {
        let r = batch.evaluate(f, &x).unwrap();
        assert_eq!(r.shape(), full.as_slice());
        for (((&t, &v), &x), &got) in tb.iter().zip(pb.iter()).zip(xb.iter()).zip(r.iter()) {
            let want = scalar(t, v).evaluate(f, x).unwrap();
            assert!(
                same_bits(got, want),
                "{f}({x:e}) t={t:e} v={v:e}: batch {got:e}, scalar {want:e}"
            );
        }
    }
    let noise = batch.from_logistic_noise(&x).unwrap();
    for (((&t, &v), &x), &got) in tb.iter().zip(pb.iter()).zip(xb.iter()).zip(noise.iter()) {
        assert!(same_bits(got, scalar(t, v).from_logistic_noise(x)));
    }
    // Members in row-major order of the batch shape.
    let tm = t.broadcast(IxDyn(&bshape)).unwrap();
    let pm = p.broadcast(IxDyn(&bshape)).unwrap();
    for ((d, &t), &v) in batch.members().iter().zip(tm.iter()).zip(pm.iter()) {
        assert_eq!(d, &scalar(t, v));
    }
    let s = batch.sample(&[2], seed).unwrap();
    for (i, &got) in s.iter().enumerate() {
        let d = &batch.members()[i % batch.len()];
        assert!(same_bits(
            got,
            d.from_uniform(uniform_at::<F>(seed, i as u64))
        ));
    }
}

fn out_shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..4, 0..4)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn batch_evaluate_broadcast_equals_scalar_loop_f64(
        out in out_shape(), drops in any::<[usize; 3]>().prop_map(|d| d.map(|v| v % 4)),
        masks in any::<[u8; 3]>(),
        temps in prop::collection::vec(valid_temperature(), 1..6),
        params in prop::collection::vec(prop_oneof![valid_logits(), unit_value()], 1..6),
        values in prop::collection::vec(unit_value(), 1..6),
        probs in any::<bool>(), seed in any::<u64>(),
    ) {
        let params = if probs { params.into_iter().map(|v| v.abs().min(1.0)).collect() } else { params };
        batch_equals_scalar_loop::<f64>(out, drops, masks, temps, params, values, probs, seed);
    }

    #[test]
    fn batch_evaluate_broadcast_equals_scalar_loop_f32(
        out in out_shape(), drops in any::<[usize; 3]>().prop_map(|d| d.map(|v| v % 4)),
        masks in any::<[u8; 3]>(),
        temps in prop::collection::vec(valid_temperature(), 1..6),
        params in prop::collection::vec(prop_oneof![valid_logits(), unit_value()], 1..6),
        values in prop::collection::vec(unit_value(), 1..6),
        probs in any::<bool>(), seed in any::<u64>(),
    ) {
        let params = if probs { params.into_iter().map(|v| v.abs().min(1.0)).collect() } else { params };
        batch_equals_scalar_loop::<f32>(out, drops, masks, temps, params, values, probs, seed);
    }
}
