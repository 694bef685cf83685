//! Straight-through samples (exactly Bernoulli forward, the relaxed sample's gradient
//! backward) and the KL terms of a relaxed ELBO (closed form at equal temperatures with its
//! small-`d` series, and the unbiased logit-space Monte Carlo term).

mod common;

use burn::tensor::DType;
use common::*;
use relaxed::stats::{kl, kl_equal_temperature, kl_sample};
use relaxed_burn::{LogitRelaxedBernoulli, RelaxedBernoulli};

/// Forward values are exactly 0 or 1, equal to `1[l + L > 0]` on the same noise, and
/// Bernoulli(sigmoid(l)) at every temperature: for n = 20000 draws the proportion of ones is
/// within 5 standard errors `sqrt(p (1 - p) / n)` of `p` (false-failure probability 5.7e-7 per
/// check, under 2e-5 for the 32 checks; the seeds are fixed, so the test is deterministic).
#[test]
fn straight_through_forward_is_exactly_bernoulli() {
    let n = 20_000;
    let lv = [-2.0, 0.0, 0.7, 3.0];
    for dtype in [DType::F64, DType::F32] {
        for (k, &t) in [1e-3, 0.1, 1.0, 5.0].iter().enumerate() {
            let d = RelaxedBernoulli::from_logits(t1(&[t], dtype), t1(&lv, dtype)).unwrap();
            let s = d.rsample_hard::<2>(&[n], 100 + k as u64).unwrap();
            let hard = vals(&s.hard);
            let noise = if dtype == DType::F64 {
                relaxed::noise::logistic_noise::<f64>(&[n, 4], 100 + k as u64)
                    .iter()
                    .copied()
                    .collect::<Vec<_>>()
            } else {
                relaxed::noise::logistic_noise::<f32>(&[n, 4], 100 + k as u64)
                    .iter()
                    .map(|&v| v as f64)
                    .collect()
            };
            for (i, &h) in hard.iter().enumerate() {
                let l = round_to(lv[i % 4], dtype);
                let want = if l + noise[i] > 0.0 { 1.0 } else { 0.0 };
                assert_eq!(h, want, "{dtype:?} t = {t}: element {i}");
            }
            for (j, &l) in lv.iter().enumerate() {
                let ones = hard
                    .iter()
                    .skip(j)
                    .step_by(4)
                    .filter(|&&h| h == 1.0)
                    .count();
                let p = 1.0 / (1.0 + (-l).exp());
                let se = (p * (1.0 - p) / n as f64).sqrt();
                let phat = ones as f64 / n as f64;
                assert!(
                    (phat - p).abs() <= 5.0 * se,
                    "{dtype:?} t = {t}, l = {l}: {phat} vs {p}"
                );
            }
        }
    }
}

/// The straight-through sample carries the soft sample's gradient, and its log_prob is the
/// soft sample's (from the pre-sigmoid value).
#[test]
fn straight_through_gradient_is_the_soft_gradient() {
    for dtype in [DType::F64, DType::F32] {
        let noise = [-3.0, -0.2, 0.0, 0.4, 2.5, 16.0];
        let mk = || {
            let t = t1(&[0.3; 6], dtype).require_grad();
            let l = t1(&[0.5, -1.0, 0.0, 2.0, -0.7, 1e-3], dtype).require_grad();
            (
                t.clone(),
                l.clone(),
                RelaxedBernoulli::from_logits(t, l).unwrap(),
            )
        };
        let weights = t1(&[1.0, -2.0, 0.5, 3.0, 1.5, -1.0], dtype);
        let (t, l, d) = mk();
        let s = d.rsample_hard_with_noise(t1(&noise, dtype)).unwrap();
        let (x, lp) = d.sample_and_log_prob_with_noise(t1(&noise, dtype)).unwrap();
        assert_eq!(vals(&s.soft), vals(&x));
        assert_eq!(vals(&s.log_prob), vals(&lp));
        let g = (s.hard * weights.clone()).sum().backward();
        let (gt, gl) = (vals(&t.grad(&g).unwrap()), vals(&l.grad(&g).unwrap()));
        let (t2, l2, d2) = mk();
        let g2 = (d2.rsample_with_noise(t1(&noise, dtype)).unwrap() * weights)
            .sum()
            .backward();
        assert_eq!(gt, vals(&t2.grad(&g2).unwrap()));
        assert_eq!(gl, vals(&l2.grad(&g2).unwrap()));
    }
}

/// d/dd [d coth(d/2) - 2] = coth(d/2) - (d/2) / sinh^2(d/2), with its series d/3 - d^3/90 +
/// d^5/2520 - d^7/75600 below 0.1.
fn kl_derivative(d: f64) -> f64 {
    if d.abs() < 0.1 {
        let d2 = d * d;
        return d * (1.0 / 3.0 + d2 * (-1.0 / 90.0 + d2 * (1.0 / 2520.0 - d2 / 75600.0)));
    }
    let h = d / 2.0;
    1.0 / h.tanh() - h / (h.sinh() * h.sinh())
}

/// The closed form matches the core's `kl_equal_temperature` and its gradient the derivative
/// above (and central differences of the core), through the series/closed-form switch and down
/// to d = 1e-8, where it is d/3 to full precision.
#[test]
fn closed_form_kl_and_its_gradient_near_zero() {
    let ds = [
        0.0, 1e-8, -1e-8, 1e-4, 0.05, -0.0999, 0.0999999, 0.1, 0.1000001, -0.5, 1.0, 3.0, -30.0,
        700.0,
    ];
    let l2v = 0.3;
    for dtype in [DType::F64, DType::F32] {
        let l1v: Vec<f64> = ds.iter().map(|d| round_to(l2v + d, dtype)).collect();
        let l1 = t1(&l1v, dtype).require_grad();
        let l2 = t1(&[l2v; 14], dtype).require_grad();
        let temp = t1(&[0.4], dtype);
        let p = LogitRelaxedBernoulli::from_logits(temp.clone(), l1.clone()).unwrap();
        let q = LogitRelaxedBernoulli::from_logits(temp, l2.clone()).unwrap();
        let k = p.kl_divergence(&q).unwrap();
        let kv = vals(&k);
        let grads = k.sum().backward();
        let (g1, g2) = (
            vals(&l1.grad(&grads).unwrap()),
            vals(&l2.grad(&grads).unwrap()),
        );
        let tol = if dtype == DType::F64 {
            TOL_F64
        } else {
            TOL_F32
        };
        let gtol = if dtype == DType::F64 {
            GRAD_TOL_F64
        } else {
            GRAD_TOL_F32
        };
        let mut worst = (0.0_f64, 0.0_f64);
        for i in 0..ds.len() {
            let d = l1v[i] - round_to(l2v, dtype);
            let want = kl_equal_temperature(d);
            let e = (kv[i] - want).abs() / want.max(f64::MIN_POSITIVE);
            assert!(
                e <= tol || (kv[i] - want).abs() < 1e-300,
                "{dtype:?} d = {d:e}: {} vs {want:e}",
                kv[i]
            );
            let gw = kl_derivative(d);
            let eg = grad_err(g1[i], gw).max(grad_err(-g2[i], gw));
            // Relative to the gradient itself at small d (≈ d/3), not only to max(1, |g|).
            let rel = (g1[i] - gw).abs() / gw.abs().max(f64::MIN_POSITIVE);
            assert!(
                eg <= gtol && (d == 0.0 || rel <= 100.0 * tol),
                "{dtype:?} d = {d:e}: {} vs {gw:e}",
                g1[i]
            );
            if d.abs() > 1e-3 && d.abs() < 100.0 {
                let fd = central_diff(kl_equal_temperature, d, 1e-4 * d.abs().max(1.0));
                assert!(
                    grad_err(g1[i], fd) <= gtol,
                    "{dtype:?} d = {d}: {} vs fd {fd}",
                    g1[i]
                );
            }
            worst = (worst.0.max(e), worst.1.max(rel));
        }
        // d = 1e-8: KL = d^2/6 = 1.7e-17 (the printed form gives 0), gradient d/3.
        if dtype == DType::F64 {
            assert!((kv[1] / (1e-16 / 6.0) - 1.0).abs() < 1e-7);
            assert!((g1[1] / (1e-8 / 3.0) - 1.0).abs() < 1e-7);
        }
        eprintln!(
            "closed-form KL {dtype:?}: max value error {:.1e}, max relative gradient error {:.1e}",
            worst.0, worst.1
        );
    }
}

/// Point masses: KL 0 between the same one, inf otherwise, no NaN gradient.
#[test]
fn kl_at_point_masses() {
    let p = t1(&[0.0, 1.0, 0.0, 0.3], DType::F64).require_grad();
    let q = t1(&[0.0, 0.0, 0.5, 1.0], DType::F64).require_grad();
    let temp = t1(&[0.5], DType::F64);
    let a = RelaxedBernoulli::from_probs(temp.clone(), p.clone()).unwrap();
    let b = RelaxedBernoulli::from_probs(temp, q.clone()).unwrap();
    let k = a.kl_divergence(&b).unwrap();
    assert_eq!(
        vals(&k),
        vec![0.0, f64::INFINITY, f64::INFINITY, f64::INFINITY]
    );
    let m = a.kl_divergence_samples::<2>(&b, &[3], 5).unwrap();
    let mv = vals(&m);
    assert!(
        mv.iter().step_by(4).all(|&v| v == 0.0)
            && mv.iter().skip(1).step_by(4).all(|&v| v == f64::INFINITY)
    );
    let (ki, mi) = (k.clone().is_inf(), m.clone().is_inf());
    let g = (k.mask_fill(ki, 0.0).sum() + m.mask_fill(mi, 0.0).sum()).backward();
    assert!(vals(&p.grad(&g).unwrap()).iter().all(|v| v.is_finite()));
    assert!(vals(&q.grad(&g).unwrap()).iter().all(|v| v.is_finite()));
}

/// The Monte Carlo term equals the core's `kl_sample` on the same noise, and its mean over n =
/// 200000 seeded draws is within 4 standard errors of the exact KL (closed form, or the core's
/// quadrature for unequal temperatures): false-failure probability 6.3e-5 per case. Its
/// pathwise gradient is unbiased too: the mean per-draw gradient w.r.t. the logits is within 4
/// standard errors of the closed form's derivative at equal temperatures.
#[test]
fn monte_carlo_kl_is_unbiased_and_differentiable() {
    let n = 200_000;
    let cases = [
        (0.5, 1.0, 0.5, -0.3),
        (0.2, 0.4, 0.2, 0.35),
        (0.5, 1.0, 2.0, 0.0),
        (1.5, -2.0, 0.3, 1.0),
    ];
    for (c, &(ta, la, tb, lb)) in cases.iter().enumerate() {
        let dtype = DType::F64;
        let la_t = tn::<1>(&vec![la; n], &[n], dtype).require_grad();
        let ta_t = t1(&[ta], dtype).require_grad();
        let p = RelaxedBernoulli::from_logits(ta_t.clone(), la_t.clone()).unwrap();
        let q = RelaxedBernoulli::from_logits(t1(&[tb], dtype), t1(&[lb], dtype)).unwrap();
        // Noise of shape [n] against a batch of shape [n]: one draw per element.
        let seed = 7 + c as u64;
        let terms = p.kl_divergence_samples::<1>(&q, &[], seed).unwrap();
        let tv = vals(&terms);
        let noise = relaxed::noise::logistic_noise::<f64>(&[n], seed);
        for i in (0..n).step_by(997) {
            let r = kl_sample(ta, la, tb, lb, noise[i]);
            assert!(
                (tv[i] - r).abs() <= TOL_F64 * r.abs().max(1.0),
                "{i}: {} vs {r}",
                tv[i]
            );
        }
        let mean = tv.iter().sum::<f64>() / n as f64;
        let var = tv.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se = (var / n as f64).sqrt();
        let exact = kl(ta, la, tb, lb);
        assert!(
            (mean - exact).abs() <= 4.0 * se,
            "case {c}: mean {mean} vs exact {exact} (se {se})"
        );
        let grads = terms.sum().backward();
        let gl = vals(&la_t.grad(&grads).unwrap());
        assert!(gl.iter().all(|g| g.is_finite()));
        assert!(vals(&ta_t.grad(&grads).unwrap())[0].is_finite());
        if ta == tb {
            let gm = gl.iter().sum::<f64>() / n as f64;
            let gv = gl.iter().map(|g| (g - gm).powi(2)).sum::<f64>() / (n - 1) as f64;
            let gse = (gv / n as f64).sqrt();
            let want = kl_derivative(la - lb);
            assert!(
                (gm - want).abs() <= 4.0 * gse,
                "case {c}: gradient {gm} vs {want} (se {gse})"
            );
            eprintln!(
                "MC KL case {c}: mean {mean:.6} vs exact {exact:.6} (se {se:.1e}); d/dl {gm:.5} vs {want:.5} (se {gse:.1e})"
            );
        } else {
            eprintln!("MC KL case {c}: mean {mean:.6} vs exact {exact:.6} (se {se:.1e})");
        }
    }
    // Per-draw gradients against central differences of the core's kl_sample (both sides).
    let noise = [-5.0, -0.7, 0.0, 1.3, 12.0];
    let (ta, la, tb, lb) = (0.6, 0.8, 1.7, -0.4);
    let tat = t1(&[ta; 5], DType::F64).require_grad();
    let lat = t1(&[la; 5], DType::F64).require_grad();
    let tbt = t1(&[tb; 5], DType::F64).require_grad();
    let lbt = t1(&[lb; 5], DType::F64).require_grad();
    let p = LogitRelaxedBernoulli::from_logits(tat.clone(), lat.clone()).unwrap();
    let q = LogitRelaxedBernoulli::from_logits(tbt.clone(), lbt.clone()).unwrap();
    let g = p
        .kl_divergence_with_noise(&q, t1(&noise, DType::F64))
        .unwrap()
        .sum()
        .backward();
    let got = [&tat, &lat, &tbt, &lbt].map(|x| vals(&x.grad(&g).unwrap()));
    for (i, &e) in noise.iter().enumerate() {
        let fds = [
            central_diff(|a| kl_sample(a, la, tb, lb, e), ta, 1e-4),
            central_diff(|a| kl_sample(ta, a, tb, lb, e), la, 1e-4),
            central_diff(|a| kl_sample(ta, la, a, lb, e), tb, 1e-4),
            central_diff(|a| kl_sample(ta, la, tb, a, e), lb, 1e-4),
        ];
        for k in 0..4 {
            assert!(
                grad_err(got[k][i], fds[k]) <= GRAD_TOL_F64,
                "noise {e}, parameter {k}: {} vs {}",
                got[k][i],
                fds[k]
            );
        }
    }
}

/// Invalid parameters (NaN logits, probs outside [0, 1]) give NaN KL terms, not a point-mass
/// value.
#[test]
fn kl_of_invalid_parameters_is_nan() {
    let temp = t1(&[0.5], DType::F64);
    let a = RelaxedBernoulli::from_logits(temp.clone(), t1(&[f64::NAN, 0.3], DType::F64)).unwrap();
    let b = RelaxedBernoulli::from_probs(temp, t1(&[0.5, 1.5], DType::F64)).unwrap();
    assert!(
        vals(&a.kl_divergence(&b).unwrap())
            .iter()
            .all(|v| v.is_nan())
    );
    assert!(
        vals(&a.kl_divergence_samples::<2>(&b, &[2], 1).unwrap())
            .iter()
            .all(|v| v.is_nan())
    );
}
