//! Gradients of the tensor methods against closed forms and against central finite
//! differences of the core crate's `f64` functions (one Richardson step, steps scaled to each
//! function's variation), within `1e-6 max(1, |g|)` for `f64` tensors and `1e-3 max(1, |g|)`
//! for `f32` tensors, on a grid with the extremes: t = 1e-3 and 1e3, |logits| = 100, probs
//! 1e-30 and 1 - 1e-9, x in {0, 1} and next to them, samples that round to 0 or 1. No
//! gradient may be NaN; where the true gradient underflows, the autodiff one is 0 within the
//! floor.

mod common;

use burn::tensor::{DType, Tensor};
use common::*;
use relaxed::Univariate;
use relaxed::math::{logit, softplus};
use relaxed_burn::{LogitRelaxedBernoulli, RelaxedBernoulli};

const TEMPS: [f64; 6] = [1e-3, 0.1, 0.5, 1.0, 2.0, 1e3];
const LOGITS: [f64; 8] = [-100.0, -7.5, -0.3, 0.0, 0.3, 2.0, 7.5, 100.0];
const PROBS: [f64; 7] = [1e-30, 1e-5, 0.2, 0.5, 0.9, 1.0 - 1e-9, 0.999];
const XS: [f64; 12] = [
    0.0,
    1e-30,
    1e-10,
    0.01,
    0.3,
    0.5,
    0.7,
    0.99,
    0.999999,
    1.0 - 1e-10,
    1.0,
    0.25,
];
const NOISE: [f64; 10] = [-36.0, -16.0, -3.0, -0.5, 0.0, 0.5, 1.7, 3.0, 16.0, 36.0];
const YS: [f64; 9] = [-1e5, -100.0, -3.0, -1e-7, 0.0, 0.4, 3.0, 100.0, 1e5];
const QS: [f64; 7] = [1e-30, 1e-10, 0.1, 0.5, 0.9, 1.0 - 1e-10, 0.999];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Param {
    Logits,
    Probs,
}

/// The functions under test.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Fun {
    Rsample,
    SampleLogProb,
    LogProb,
    Cdf,
    LogCdf,
    Survival,
    LogSurvival,
    Quantile,
    LogitRsample,
    LogitLogProb,
    LogitLogCdf,
}

impl Fun {
    /// Whether the value argument is noise (or a quantile level) transformed through `w = (l +
    /// s) / t`, rather than a point `x` where `z = t logit(x) - l`.
    fn sample_like(self) -> bool {
        matches!(
            self,
            Fun::Rsample | Fun::SampleLogProb | Fun::Quantile | Fun::LogitRsample
        )
    }
    fn values(self) -> &'static [f64] {
        match self {
            Fun::Rsample | Fun::SampleLogProb | Fun::LogitRsample => &NOISE,
            Fun::Quantile => &QS,
            Fun::LogitLogProb | Fun::LogitLogCdf => &YS,
            _ => &XS,
        }
    }
}

/// The core crate's `f64` value of `f` at `(t, logits l, value v)`.
fn core_value(f: Fun, t: f64, l: f64, v: f64) -> f64 {
    let d = relaxed::RelaxedBernoulli::from_logits(t, l).unwrap();
    let ld = relaxed::LogitRelaxedBernoulli::from_logits(t, l).unwrap();
    use relaxed::Reparameterized;
    match f {
        Fun::Rsample => d.from_logistic_noise(v),
        Fun::SampleLogProb => d.sample_and_log_prob(v).1,
        Fun::LogProb => d.log_prob(v).unwrap(),
        Fun::Cdf => d.cdf(v).unwrap(),
        Fun::LogCdf => d.log_cdf(v).unwrap(),
        Fun::Survival => d.survival_function(v).unwrap(),
        Fun::LogSurvival => d.log_survival_function(v).unwrap(),
        Fun::Quantile => d.quantile(v).unwrap(),
        Fun::LogitRsample => ld.from_logistic_noise(v),
        Fun::LogitLogProb => ld.log_prob(v).unwrap(),
        Fun::LogitLogCdf => ld.log_cdf(v).unwrap(),
    }
}

/// Closed-form `(d/dl, d/dt)` where the tests state one.
fn closed_form(f: Fun, t: f64, l: f64, v: f64) -> Option<(f64, f64)> {
    let th = |a: f64| relaxed::math::sigmoid(a) - relaxed::math::sigmoid(-a); // tanh(a/2)
    match f {
        Fun::Rsample => {
            // dx/dl = x(1-x)/t, dx/dt = -x(1-x)(l+L)/t^2: the core's pathwise derivatives.
            let p = relaxed::RelaxedBernoulli::from_logits(t, l)
                .unwrap()
                .pathwise(v);
            Some((p.d_logits, p.d_temperature))
        }
        Fun::LogProb if v > 0.0 && v < 1.0 => {
            // log p = ln t - sp(z) - sp(-z) - ..., z = t y - l: d/dl = tanh(z/2), d/dt = 1/t - y tanh(z/2).
            let y = logit(v);
            let z = t * y - l;
            Some((th(z), 1.0 / t - y * th(z)))
        }
        Fun::LogitRsample => {
            let p = relaxed::LogitRelaxedBernoulli::from_logits(t, l)
                .unwrap()
                .pathwise(v);
            Some((p.d_logits, p.d_temperature))
        }
        Fun::LogitLogProb => {
            let z = t * v - l;
            Some((th(z), 1.0 / t - v * th(z)))
        }
        Fun::SampleLogProb => {
            // ln t - pair(L) + pair(w), w = (l + L)/t: d/dl = tanh(w/2)/t, d/dt = 1/t - w tanh(w/2)/t.
            let w = (l + v) / t;
            Some((th(w) / t, 1.0 / t - w * th(w) / t))
        }
        _ => None,
    }
}

/// `1 - f` by the core crate (to full relative precision) where `f` is a probability next to 1.
fn complement(f: Fun, t: f64, l: f64, v: f64) -> Option<f64> {
    use relaxed::Reparameterized;
    let d = relaxed::RelaxedBernoulli::from_logits(t, l).unwrap();
    let mirror = relaxed::RelaxedBernoulli::from_logits(t, -l).unwrap();
    match f {
        Fun::Rsample => Some(mirror.from_logistic_noise(-v)),
        Fun::Cdf => Some(d.survival_function(v).unwrap()),
        Fun::Survival => Some(d.cdf(v).unwrap()),
        // 1 - q is exact for q >= 1/2.
        Fun::Quantile if v >= 0.5 => Some(mirror.quantile(1.0 - v).unwrap()),
        _ => None,
    }
}

/// The burn method under test.
fn burn_value(f: Fun, d: &RelaxedBernoulli<1>, v: Tensor<1>) -> Tensor<1> {
    let ld: LogitRelaxedBernoulli<1> = d.to_logit();
    match f {
        Fun::Rsample => d.rsample_with_noise(v).unwrap(),
        Fun::SampleLogProb => d.sample_and_log_prob_with_noise(v).unwrap().1,
        Fun::LogProb => d.log_prob(v).unwrap(),
        Fun::Cdf => d.cdf(v).unwrap(),
        Fun::LogCdf => d.log_cdf(v).unwrap(),
        Fun::Survival => d.survival_function(v).unwrap(),
        Fun::LogSurvival => d.log_survival_function(v).unwrap(),
        Fun::Quantile => d.quantile(v).unwrap(),
        Fun::LogitRsample => ld.rsample_with_noise(v).unwrap(),
        Fun::LogitLogProb => ld.log_prob(v).unwrap(),
        Fun::LogitLogCdf => ld.log_cdf(v).unwrap(),
    }
}

/// `(d/d param, d/dt)` from autodiff for every grid point, with the grid.
#[allow(clippy::type_complexity)]
fn autodiff(f: Fun, dtype: DType, param: Param) -> (Vec<(f64, f64, f64)>, Vec<f64>, Vec<f64>) {
    let params: &[f64] = if param == Param::Logits {
        &LOGITS
    } else {
        &PROBS
    };
    let mut grid = vec![];
    for &t in &TEMPS {
        for &p in params {
            for &v in f.values() {
                grid.push((round_to(t, dtype), round_to(p, dtype), round_to(v, dtype)));
            }
        }
    }
    let tt = t1(&grid.iter().map(|g| g.0).collect::<Vec<_>>(), dtype).require_grad();
    let pt = t1(&grid.iter().map(|g| g.1).collect::<Vec<_>>(), dtype).require_grad();
    let vt = t1(&grid.iter().map(|g| g.2).collect::<Vec<_>>(), dtype);
    let d = match param {
        Param::Logits => RelaxedBernoulli::from_logits(tt.clone(), pt.clone()),
        Param::Probs => RelaxedBernoulli::from_probs(tt.clone(), pt.clone()),
    }
    .unwrap();
    let out = burn_value(f, &d, vt);
    let grads = out.sum().backward();
    let gp = vals(&pt.grad(&grads).unwrap());
    let gt = vals(&tt.grad(&grads).unwrap());
    (grid, gp, gt)
}

/// Checks one function for one dtype and parameterization; returns the largest errors
/// (closed form, finite differences).
fn check(f: Fun, dtype: DType, param: Param) -> (Option<f64>, f64) {
    let (grid, gp, gt) = autodiff(f, dtype, param);
    let tol = if dtype == DType::F64 {
        GRAD_TOL_F64
    } else {
        GRAD_TOL_F32
    };
    let (mut worst_cf, mut worst_fd) = (None::<f64>, 0.0_f64);
    for (i, &(t, p, v)) in grid.iter().enumerate() {
        let ctx = format!(
            "{f:?} {dtype:?} {param:?} (t, p, v) = ({t:e}, {p:e}, {v:e}): d/dp {}, d/dt {}",
            gp[i], gt[i]
        );
        assert!(!gp[i].is_nan() && !gt[i].is_nan(), "NaN gradient: {ctx}");
        let l = if param == Param::Logits { p } else { logit(p) };
        // Point masses do not move.
        if l.is_infinite() {
            assert!(gp[i] == 0.0 && gt[i] == 0.0, "point mass: {ctx}");
            continue;
        }
        // The support edges: the density is +-inf (constant) or -l / +l at t = 1.
        if !f.sample_like()
            && !matches!(f, Fun::LogitLogProb | Fun::LogitLogCdf)
            && (v == 0.0 || v == 1.0)
        {
            let dl = if f == Fun::LogProb && t == 1.0 {
                if v == 0.0 { -1.0 } else { 1.0 }
            } else {
                0.0
            };
            let dp = if param == Param::Logits {
                dl
            } else {
                dl / (p * (1.0 - p))
            };
            assert!(grad_err(gp[i], dp) <= tol && gt[i] == 0.0, "edge: {ctx}");
            continue;
        }
        // quantile(0) = 0 and quantile(1) = 1 do not move.
        if f == Fun::Quantile && (v == 0.0 || v == 1.0) {
            assert!(gp[i] == 0.0 && gt[i] == 0.0, "quantile edge: {ctx}");
            continue;
        }
        // Closed forms (logits; probs through dl/dp = 1 / (p (1 - p))).
        let jac = if param == Param::Logits {
            1.0
        } else {
            1.0 / (p * (1.0 - p))
        };
        if let Some((cl, ct)) = closed_form(f, t, l, v) {
            let (e1, e2) = (grad_err(gp[i], cl * jac), grad_err(gt[i], ct));
            assert!(
                e1 <= tol && e2 <= tol,
                "closed form ({:e}, {ct:e}): {ctx}",
                cl * jac
            );
            worst_cf = Some(worst_cf.unwrap_or(0.0).max(e1).max(e2));
        }
        // The core's pathwise d/dprobs (evaluated in log space there).
        if param == Param::Probs && matches!(f, Fun::Rsample | Fun::LogitRsample) {
            let pw = if f == Fun::Rsample {
                relaxed::RelaxedBernoulli::from_probs(t, p)
                    .unwrap()
                    .pathwise(v)
            } else {
                relaxed::LogitRelaxedBernoulli::from_probs(t, p)
                    .unwrap()
                    .pathwise(v)
            };
            let e = grad_err(gp[i], pw.d_probs);
            assert!(e <= tol, "pathwise d_probs {:e}: {ctx}", pw.d_probs);
            worst_cf = Some(worst_cf.unwrap_or(0.0).max(e));
        }
        // Central differences of the core's f64 function, of its complement `1 - f` where `f`
        // is next to 1 (which the complement resolves to full relative precision), and in
        // probs directly where the difference quotient resolves the derivative (otherwise the
        // logits difference times the exact dl/dp = 1 / (p (1 - p))). Each is allowed its own
        // rounding error, 8 eps |f| / step, on top of the tolerance.
        let (hl, ht) = if f.sample_like() {
            let w = (l + if f == Fun::Quantile { logit(v) } else { v }) / t;
            (1e-3 * t, 1e-3 * t / (1.0 + w.abs()))
        } else {
            let y = if matches!(f, Fun::LogitLogProb | Fun::LogitLogCdf) {
                v
            } else {
                logit(v)
            };
            (1e-3, 1e-3 * t.min(1.0 / y.abs()))
        };
        let use_complement = core_value(f, t, l, v) > 0.5 && complement(f, t, l, v).is_some();
        let value = |t: f64, l: f64| -> f64 {
            if use_complement {
                -complement(f, t, l, v).unwrap()
            } else {
                core_value(f, t, l, v)
            }
        };
        let f0 = value(t, l).abs();
        let fd_l = central_diff(|a| value(t, a), l, hl);
        let (fd_p, err_p) = if param == Param::Logits {
            (fd_l, 8.0 * f64::EPSILON * f0 / hl)
        } else {
            let hp = hl.min(1e-3) * p * (1.0 - p);
            let direct = 8.0 * f64::EPSILON * f0 / hp;
            let chain = 8.0 * f64::EPSILON * f0 / hl * jac;
            if direct <= chain {
                (central_diff(|a| value(t, logit(a)), p, hp), direct)
            } else {
                (fd_l * jac, chain)
            }
        };
        let fd_t = central_diff(|a| value(a, l), t, ht);
        let err_t = 8.0 * f64::EPSILON * f0 / ht;
        let (e1, e2) = (grad_err(gp[i], fd_p), grad_err(gt[i], fd_t));
        let (b1, b2) = (err_p / fd_p.abs().max(1.0), err_t / fd_t.abs().max(1.0));
        assert!(
            e1 <= tol + b1 && e2 <= tol + b2,
            "finite differences ({fd_p:e} +- {err_p:.1e}, {fd_t:e} +- {err_t:.1e}): {ctx}"
        );
        let (e1, e2) = ((e1 - b1).max(0.0), (e2 - b2).max(0.0));
        worst_fd = worst_fd.max(e1).max(e2);
    }
    (worst_cf, worst_fd)
}

fn check_all(dtype: DType) {
    let funs = [
        Fun::Rsample,
        Fun::SampleLogProb,
        Fun::LogProb,
        Fun::Cdf,
        Fun::LogCdf,
        Fun::Survival,
        Fun::LogSurvival,
        Fun::Quantile,
        Fun::LogitRsample,
        Fun::LogitLogProb,
        Fun::LogitLogCdf,
    ];
    for f in funs {
        for param in [Param::Logits, Param::Probs] {
            let (cf, fd) = check(f, dtype, param);
            let cf = cf.map_or("n/a".to_string(), |e| format!("{e:.1e}"));
            eprintln!(
                "{f:>14?} {dtype:?} {param:>6?}: max gradient error vs closed form {cf}, vs finite differences {fd:.1e}"
            );
        }
    }
}

#[test]
fn gradients_match_closed_forms_and_finite_differences_f64() {
    check_all(DType::F64);
}

#[test]
fn gradients_match_closed_forms_and_finite_differences_f32() {
    check_all(DType::F32);
}

/// Infinite logits (probs 0 and 1) and boundary values never give NaN gradients.
#[test]
fn no_nan_gradients_at_point_masses_and_edges() {
    for dtype in [DType::F64, DType::F32] {
        let t = t1(&[1e-3, 1.0, 2.0, 0.5], dtype).require_grad();
        let p = t1(&[0.0, 1.0, 0.0, 1.0], dtype).require_grad();
        let d = RelaxedBernoulli::from_probs(t.clone(), p.clone()).unwrap();
        let x = t1(&[0.0, 1.0, 0.5, 1.0], dtype);
        let loss = d
            .rsample_with_noise(t1(&[0.3, -2.0, 40.0, 0.0], dtype))
            .unwrap()
            .sum()
            + d.sample_and_log_prob_with_noise(t1(&[0.3, -2.0, 40.0, 0.0], dtype))
                .unwrap()
                .0
                .sum()
            + d.cdf(x.clone()).unwrap().sum()
            + d.log_survival_function(x.clone()).unwrap().sum()
            + d.quantile(t1(&[0.5, 0.1, 0.0, 1.0], dtype)).unwrap().sum()
            + d.to_logit()
                .rsample_with_noise(t1(&[0.3, -2.0, 40.0, 0.0], dtype))
                .unwrap()
                .sum();
        let lp = d.log_prob(x).unwrap();
        let grads = (loss + lp.clone().mask_fill(lp.is_inf(), 0.0).sum()).backward();
        for g in [
            vals(&t.grad(&grads).unwrap()),
            vals(&p.grad(&grads).unwrap()),
        ] {
            assert!(g.iter().all(|v| v.is_finite()), "{dtype:?}: {g:?}");
        }
    }
}

/// softplus(0) has derivative 1/2 (not the 0 or 1 of a kink): log_cdf at z = 0 exactly.
#[test]
fn log_cdf_gradient_at_z_zero_is_one_half() {
    let l = t1(&[0.0], DType::F64).require_grad();
    let d = RelaxedBernoulli::from_logits(t1(&[0.7], DType::F64), l.clone()).unwrap();
    let grads = d.log_cdf(t1(&[0.5], DType::F64)).unwrap().sum().backward();
    // d/dl [-softplus(l - t y)] = -sigmoid(0) = -1/2.
    assert_eq!(vals(&l.grad(&grads).unwrap()), vec![-0.5]);
    let _ = softplus(0.0_f64);
}
