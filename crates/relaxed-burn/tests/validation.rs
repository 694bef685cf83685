//! `validate_args` and `name`: every check fires with the right violation, TFP's message and
//! the distribution's name; valid edge parameters and values pass; without validation the
//! NaN / edge behaviour of DESIGN §3 is unchanged; gradients are the same with validation on.

mod common;

use burn::tensor::{DType, Tensor};
use common::agree::Evaluate;
use common::*;
use relaxed_burn::{
    DistributionError, Logistic, LogitRelaxedBernoulli, RelaxedBernoulli, Violation,
};

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

fn f64s(v: &[f64]) -> Tensor<1> {
    t1(v, DType::F64)
}

/// Asserts `r` is `InvalidArgument { name, violation }` with the message `"{name}: {msg}"`.
fn assert_invalid<T: std::fmt::Debug>(
    r: Result<T, DistributionError>,
    name: &str,
    violation: Violation,
    context: &str,
) {
    let e = r.expect_err(context);
    assert_eq!(
        e,
        DistributionError::InvalidArgument {
            name: name.to_string(),
            violation,
        },
        "{context}"
    );
    assert_eq!(e.name(), Some(name), "{context}");
    assert_eq!(e.violation(), Some(violation), "{context}");
    assert_eq!(
        e.to_string(),
        format!("{name}: {}", violation.message()),
        "{context}"
    );
}

fn rb_logits(t: &[f64], l: &[f64]) -> RelaxedBernoulli<1> {
    RelaxedBernoulli::from_logits(f64s(t), f64s(l)).unwrap()
}

fn rb_probs(t: &[f64], p: &[f64]) -> RelaxedBernoulli<1> {
    RelaxedBernoulli::from_probs(f64s(t), f64s(p)).unwrap()
}

#[test]
fn messages_are_tfps() {
    use Violation as V;
    let cases = [
        (
            V::TemperatureNotPositive,
            "Argument `temperature` must be positive.",
        ),
        (
            V::TemperatureNotFinite,
            "Argument `temperature` must be finite.",
        ),
        (V::LogitsNaN, "Argument `logits` has NaN components."),
        (
            V::ProbsBelowZero,
            "Argument `probs` has components less than 0.",
        ),
        (
            V::ProbsAboveOne,
            "Argument `probs` has components greater than 1.",
        ),
        (V::ProbsNaN, "Argument `probs` has NaN components."),
        (V::LocNotFinite, "Argument `loc` must be finite."),
        (V::ScaleNotPositive, "Argument `scale` must be positive."),
        (V::ScaleNotFinite, "Argument `scale` must be finite."),
        (V::ValueBelowSupport, "Sample must be non-negative."),
        (
            V::ValueAboveSupport,
            "Sample must be less than or equal to `1`.",
        ),
        (V::ValueNaN, "Sample must not be NaN."),
        (
            V::QuantileOutOfRange,
            "Quantile argument must be in [0, 1].",
        ),
    ];
    for (v, msg) in cases {
        assert_eq!(v.to_string(), msg);
    }
    // The same wording as the core crate.
    let core = relaxed::RelaxedBernoulli::builder(-1.0_f64)
        .logits(0.0)
        .validate_args(true)
        .name("x")
        .build()
        .unwrap_err();
    let burn = rb_logits(&[-1.0], &[0.0])
        .with_name("x")
        .with_validate_args(true)
        .unwrap_err();
    assert_eq!(core.to_string(), burn.to_string());
    // Errors without a name.
    assert_eq!(DistributionError::DTypeMismatch.name(), None);
    assert_eq!(DistributionError::DTypeMismatch.violation(), None);
}

#[test]
fn temperature_checks_fire() {
    use Violation as V;
    for (t, v) in [
        (0.0, V::TemperatureNotPositive),
        (-1.0, V::TemperatureNotPositive),
        (-0.0, V::TemperatureNotPositive),
        (INF, V::TemperatureNotFinite),
        (-INF, V::TemperatureNotFinite),
        (NAN, V::TemperatureNotFinite),
    ] {
        // The bad temperature as the second element of a broadcast batch.
        let ctx = format!("t = {t}");
        assert_invalid(
            rb_logits(&[0.5, t], &[0.3]).with_validate_args(true),
            "RelaxedBernoulli",
            v,
            &ctx,
        );
        assert_invalid(
            rb_probs(&[0.5, t], &[0.3, 0.6])
                .with_name("gate")
                .with_validate_args(true),
            "gate",
            v,
            &ctx,
        );
        assert_invalid(
            LogitRelaxedBernoulli::from_logits(f64s(&[t]), f64s(&[0.3, -2.0]))
                .unwrap()
                .with_validate_args(true),
            "LogitRelaxedBernoulli",
            v,
            &ctx,
        );
        assert_invalid(
            LogitRelaxedBernoulli::from_probs(f64s(&[t]), f64s(&[0.3]))
                .unwrap()
                .with_name("y")
                .with_validate_args(true),
            "y",
            v,
            &ctx,
        );
    }
    // Precedence as the core crate: not finite before not positive.
    assert_invalid(
        rb_logits(&[-1.0, NAN], &[0.0]).with_validate_args(true),
        "RelaxedBernoulli",
        V::TemperatureNotFinite,
        "t = [-1, NaN]",
    );
}

#[test]
fn parameter_checks_fire() {
    use Violation as V;
    for (p, v) in [
        (-0.1, V::ProbsBelowZero),
        (1.5, V::ProbsAboveOne),
        (NAN, V::ProbsNaN),
        (-INF, V::ProbsBelowZero),
    ] {
        let ctx = format!("probs = {p}");
        assert_invalid(
            rb_probs(&[0.5], &[0.2, p]).with_validate_args(true),
            "RelaxedBernoulli",
            v,
            &ctx,
        );
        assert_invalid(
            LogitRelaxedBernoulli::from_probs(f64s(&[0.5]), f64s(&[p, 0.2]))
                .unwrap()
                .with_validate_args(true),
            "LogitRelaxedBernoulli",
            v,
            &ctx,
        );
    }
    assert_invalid(
        rb_logits(&[0.5], &[1.0, NAN]).with_validate_args(true),
        "RelaxedBernoulli",
        V::LogitsNaN,
        "logits NaN",
    );
    assert_invalid(
        LogitRelaxedBernoulli::from_logits(f64s(&[0.5]), f64s(&[NAN]))
            .unwrap()
            .with_validate_args(true),
        "LogitRelaxedBernoulli",
        V::LogitsNaN,
        "logits NaN (logit space)",
    );
    // Logistic: loc finite, scale positive and finite.
    for (m, s, v) in [
        (NAN, 1.0, V::LocNotFinite),
        (INF, 1.0, V::LocNotFinite),
        (0.0, 0.0, V::ScaleNotPositive),
        (0.0, -1.0, V::ScaleNotPositive),
        (0.0, INF, V::ScaleNotFinite),
        (0.0, NAN, V::ScaleNotFinite),
    ] {
        assert_invalid(
            Logistic::new(f64s(&[m]), f64s(&[1.0, s]))
                .unwrap()
                .with_validate_args(true),
            "Logistic",
            v,
            &format!("loc = {m}, scale = {s}"),
        );
    }
    // f32 parameters are checked too.
    assert_invalid(
        RelaxedBernoulli::from_logits(t1(&[0.0], DType::F32), t1(&[0.0], DType::F32))
            .unwrap()
            .with_validate_args(true),
        "RelaxedBernoulli",
        V::TemperatureNotPositive,
        "f32 t = 0",
    );
}

#[test]
fn valid_edge_parameters_pass() {
    let d = rb_probs(&[1e-3, 0.5, 1e3], &[0.0, 1.0, 0.5])
        .with_validate_args(true)
        .unwrap();
    assert!(d.validate_args());
    let d = rb_logits(&[1e-300, 0.5, 1e300], &[-INF, INF, 0.0])
        .with_validate_args(true)
        .unwrap();
    assert!(d.validate_args());
    let ld = LogitRelaxedBernoulli::from_logits(f64s(&[0.5]), f64s(&[-INF, INF]))
        .unwrap()
        .with_validate_args(true)
        .unwrap();
    assert!(ld.validate_args());
    let lg = Logistic::new(f64s(&[-1e300, 1e300]), f64s(&[1e-300]))
        .unwrap()
        .with_validate_args(true)
        .unwrap();
    assert!(lg.validate_args());
    // Off again: no check, the NaN parameters are accepted.
    let d = rb_logits(&[0.0], &[NAN]).with_validate_args(false).unwrap();
    assert!(!d.validate_args());
}

/// Every value method but the quantile (`log_prob`, `prob`, the cdf family) at `x`.
fn value_methods<Dist: Evaluate>(
    d: &Dist,
    x: &[f64],
) -> Vec<(&'static str, Result<Tensor<1>, DistributionError>)> {
    relaxed::Function::VALUES
        .iter()
        .map(|&f| (f.name(), d.evaluate(f, f64s(x))))
        .collect()
}

#[test]
fn value_checks_fire() {
    use Violation as V;
    let d = rb_logits(&[0.5, 2.0], &[0.3])
        .with_name("rb")
        .with_validate_args(true)
        .unwrap();
    for (x, v) in [
        (-0.1, V::ValueBelowSupport),
        (1.1, V::ValueAboveSupport),
        (NAN, V::ValueNaN),
        (-INF, V::ValueBelowSupport),
        (INF, V::ValueAboveSupport),
    ] {
        for (m, r) in value_methods(&d, &[0.5, x]) {
            assert_invalid(r, "rb", v, &format!("RelaxedBernoulli {m}({x})"));
        }
    }
    // NaN is reported first, then below, then above (for one value, the core crate's order;
    // across elements the rule order decides, see the crate docs).
    for (m, r) in value_methods(&d, &[1.1, -0.1]) {
        assert_invalid(r, "rb", V::ValueBelowSupport, m);
    }
    for (m, r) in value_methods(&d, &[1.1, NAN]) {
        assert_invalid(r, "rb", V::ValueNaN, m);
    }
    // Rank-2 values (a sample dimension) are checked too.
    let x2 = tn::<2>(&[0.1, 0.2, 0.3, 1.5], &[2, 2], DType::F64);
    assert_invalid(
        d.log_prob(x2),
        "rb",
        V::ValueAboveSupport,
        "rank-2 log_prob",
    );

    // Logit space: every real value and ±inf is in the support; NaN is not.
    let ld = LogitRelaxedBernoulli::from_logits(f64s(&[0.5]), f64s(&[0.3]))
        .unwrap()
        .with_validate_args(true)
        .unwrap();
    for (m, r) in value_methods(&ld, &[0.0, NAN]) {
        assert_invalid(r, "LogitRelaxedBernoulli", V::ValueNaN, m);
    }
    for (m, r) in value_methods(&ld, &[-INF, -1e300, -1.1, 1.1, 1e300, INF]) {
        assert!(r.is_ok(), "LogitRelaxedBernoulli {m}: {r:?}");
    }
    let lg = Logistic::new(f64s(&[0.0]), f64s(&[2.0]))
        .unwrap()
        .with_name("noise")
        .with_validate_args(true)
        .unwrap();
    for (m, r) in value_methods(&lg, &[NAN]) {
        assert_invalid(r, "noise", V::ValueNaN, m);
    }
    for (m, r) in value_methods(&lg, &[-INF, -5.0, 5.0, INF]) {
        assert!(r.is_ok(), "Logistic {m}: {r:?}");
    }

    // Quantiles: q in [0, 1] for all three.
    for q in [-0.1, 1.1, NAN, -INF, INF] {
        let ctx = format!("quantile({q})");
        assert_invalid(
            d.quantile(f64s(&[0.5, q])),
            "rb",
            V::QuantileOutOfRange,
            &ctx,
        );
        assert_invalid(
            ld.quantile(f64s(&[q])),
            "LogitRelaxedBernoulli",
            V::QuantileOutOfRange,
            &ctx,
        );
        assert_invalid(
            lg.quantile(f64s(&[q])),
            "noise",
            V::QuantileOutOfRange,
            &ctx,
        );
    }
    assert!(d.quantile(f64s(&[0.0, 1.0])).is_ok());
    assert!(ld.quantile(f64s(&[0.0, 1.0])).is_ok());
    assert!(lg.quantile(f64s(&[0.0, 1.0])).is_ok());

    // The name survives to_logit / to_relaxed, as in the core crate.
    let e = d.to_logit().quantile(f64s(&[2.0])).unwrap_err();
    assert_eq!(e.name(), Some("rb"));
    let e = ld.to_relaxed().log_prob(f64s(&[2.0])).unwrap_err();
    assert_eq!(e.name(), Some("LogitRelaxedBernoulli"));
}

#[test]
fn valid_values_pass_and_equal_unvalidated_results() {
    let t = [0.5, 1.0, 2.0];
    let l = [-1.0, 0.0, INF];
    let plain = rb_logits(&t, &l);
    let checked = plain.clone().with_validate_args(true).unwrap();
    for x in [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.3, 0.5, 0.9]] {
        let a = value_methods(&plain, &x);
        let b = value_methods(&checked, &x);
        for ((m, ra), (_, rb)) in a.into_iter().zip(b) {
            let (va, vb) = (vals(&ra.unwrap()), vals(&rb.unwrap()));
            for (p, q) in va.iter().zip(&vb) {
                assert!(p.to_bits() == q.to_bits(), "{m}({x:?}): {va:?} vs {vb:?}");
            }
        }
        let qa = vals(&plain.quantile(f64s(&x)).unwrap());
        let qb = vals(&checked.quantile(f64s(&x)).unwrap());
        assert_eq!(qa, qb);
    }
    // The probs point masses at their own edges.
    let d = rb_probs(&[0.5, 0.5], &[0.0, 1.0])
        .with_validate_args(true)
        .unwrap();
    assert_eq!(
        vals(&d.log_prob(f64s(&[0.0, 1.0])).unwrap()),
        vec![INF, INF]
    );
}

/// Without validation (the default), invalid parameters give NaN and values outside the
/// support the edge values of DESIGN §3, as before.
#[test]
fn without_validation_invalid_input_gives_nan() {
    for d in [
        rb_logits(&[0.0, -1.0, INF, NAN, 0.5], &[0.3, 0.3, 0.3, 0.3, NAN]),
        rb_probs(&[0.5, 0.5, 0.5], &[-0.1, 1.5, NAN]),
    ] {
        assert!(!d.validate_args());
        let n = d.batch_shape()[0];
        for (m, r) in value_methods(&d, &vec![0.5; n]) {
            let v = vals(&r.unwrap());
            assert!(v.iter().all(|x| x.is_nan()), "{m}: {v:?}");
        }
        let v = vals(&d.quantile(f64s(&vec![0.5; n])).unwrap());
        assert!(v.iter().all(|x| x.is_nan()), "quantile: {v:?}");
        let v = vals(&d.rsample_with_noise(f64s(&vec![0.1; n])).unwrap());
        assert!(v.iter().all(|x| x.is_nan()), "rsample: {v:?}");
    }
    let d = rb_logits(&[0.5], &[0.3]);
    let x = [-0.1, 1.1, NAN];
    assert_eq!(vals(&d.log_prob(f64s(&x)).unwrap())[..2], [-INF, -INF]);
    assert_eq!(vals(&d.prob(f64s(&x)).unwrap())[..2], [0.0, 0.0]);
    assert_eq!(vals(&d.cdf(f64s(&x)).unwrap())[..2], [0.0, 1.0]);
    assert!(vals(&d.log_prob(f64s(&x)).unwrap())[2].is_nan());
    let q = vals(&d.quantile(f64s(&[-0.1, 1.1, NAN])).unwrap());
    assert!(q.iter().all(|v| v.is_nan()));
    let lg = Logistic::new(f64s(&[NAN, 0.0]), f64s(&[1.0, -1.0])).unwrap();
    assert!(
        vals(&lg.cdf(f64s(&[0.0])).unwrap())
            .iter()
            .all(|v| v.is_nan())
    );
    let ld = LogitRelaxedBernoulli::from_logits(f64s(&[0.0]), f64s(&[1.0])).unwrap();
    assert!(vals(&ld.log_prob(f64s(&[0.0])).unwrap())[0].is_nan());
}

#[test]
fn name_is_kept_and_shown_in_debug() {
    let d = rb_logits(&[0.5], &[0.3]);
    assert_eq!(d.name(), "RelaxedBernoulli");
    let s = format!("{d:?}");
    assert!(s.starts_with("RelaxedBernoulli {"), "{s}");
    assert!(s.contains("name: \"RelaxedBernoulli\""), "{s}");
    assert!(s.contains("validate_args: false"), "{s}");
    let d = d.with_name("gate").with_validate_args(true).unwrap();
    assert_eq!(d.name(), "gate");
    let s = format!("{d:?}");
    assert!(
        s.contains("name: \"gate\"") && s.contains("validate_args: true"),
        "{s}"
    );
    // The name survives the other builders.
    assert_eq!(d.clone().with_f64_evaluation(false).name(), "gate");
    assert!(d.clone().with_f64_evaluation(false).validate_args());
    assert_eq!(d.to_logit().name(), "gate");

    let p = rb_probs(&[0.5], &[0.3]);
    assert!(format!("{p:?}").contains("probs"));

    let ld = LogitRelaxedBernoulli::from_probs(f64s(&[0.5]), f64s(&[0.3])).unwrap();
    assert_eq!(ld.name(), "LogitRelaxedBernoulli");
    let s = format!("{ld:?}");
    assert!(s.starts_with("LogitRelaxedBernoulli {"), "{s}");
    assert!(s.contains("name: \"LogitRelaxedBernoulli\""), "{s}");
    let ld = ld.with_name(String::from("latent"));
    assert_eq!(ld.name(), "latent");
    assert!(format!("{ld:?}").contains("name: \"latent\""));
    assert_eq!(ld.with_f64_evaluation(false).name(), "latent");

    let lg = Logistic::new(f64s(&[0.0]), f64s(&[1.0])).unwrap();
    assert_eq!(lg.name(), "Logistic");
    assert!(!lg.validate_args());
    let s = format!("{lg:?}");
    assert!(
        s.starts_with("Logistic {") && s.contains("name: \"Logistic\""),
        "{s}"
    );
    let lg = lg.with_name("eps");
    assert!(format!("{lg:?}").contains("name: \"eps\""));
    assert_eq!(lg.with_f64_evaluation(false).name(), "eps");
}

/// The checks read detached masks: values and gradients with respect to the logits, the
/// probs and the temperature are bit-identical with and without validation, in f64 and f32.
#[test]
fn gradients_flow_with_validation() {
    for dtype in [DType::F64, DType::F32] {
        let grads = |validate: bool, probs: bool| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
            let t = t1(&[0.5, 2.0, 0.7], dtype).require_grad();
            let p = t1(&[-0.4, 0.3, 3.0], dtype);
            let p = if probs {
                t1(&[0.2, 0.6, 0.9], dtype).require_grad()
            } else {
                p.require_grad()
            };
            let d = if probs {
                RelaxedBernoulli::from_probs(t.clone(), p.clone())
            } else {
                RelaxedBernoulli::from_logits(t.clone(), p.clone())
            }
            .unwrap()
            .with_validate_args(validate)
            .unwrap();
            assert_eq!(d.validate_args(), validate);
            let x = t1(&[0.1, 0.5, 0.95], dtype);
            let lp = d.log_prob(x.clone()).unwrap();
            let c = d.log_cdf(x).unwrap();
            let q = d.quantile(t1(&[0.3, 0.6, 0.9], dtype)).unwrap();
            // A validated logit-space density as well, through to_logit.
            let ly = d.to_logit().log_prob(t1(&[-1.0, 0.0, 2.0], dtype)).unwrap();
            let loss = lp.clone().sum() + c.sum() + q.sum() + ly.sum();
            let g = loss.backward();
            (
                vals(&lp),
                vals(&t.grad(&g).expect("temperature gradient")),
                vals(&p.grad(&g).expect("parameter gradient")),
            )
        };
        for probs in [false, true] {
            let (v0, gt0, gp0) = grads(false, probs);
            let (v1, gt1, gp1) = grads(true, probs);
            assert_eq!(v0, v1, "{dtype:?} values");
            assert_eq!(gt0, gt1, "{dtype:?} d/dt");
            assert_eq!(gp0, gp1, "{dtype:?} d/d{}", if probs { "p" } else { "l" });
            assert!(gt1.iter().chain(&gp1).all(|g| g.is_finite() && *g != 0.0));
        }
    }
    // Logistic: d/dloc and d/dscale of a validated log_prob.
    let run = |validate: bool| {
        let m = f64s(&[0.3]).require_grad();
        let s = f64s(&[1.5]).require_grad();
        let d = Logistic::new(m.clone(), s.clone())
            .unwrap()
            .with_validate_args(validate)
            .unwrap();
        let g = d.log_prob(f64s(&[1.0, -2.0])).unwrap().sum().backward();
        (vals(&m.grad(&g).unwrap()), vals(&s.grad(&g).unwrap()))
    };
    let (a, b) = (run(false), run(true));
    assert_eq!(a, b);
    assert!(a.0[0] != 0.0 && a.1[0] != 0.0);
}
