//! The statistics of the relaxed distributions in `f64`: closed forms where they exist,
//! quadrature over the logistic noise otherwise (DESIGN §3, "Statistics").
//!
//! Every function takes the temperature `t` and logits `l` of a RelaxedBernoulli (the
//! logit-space variable is `Logistic(l / t, 1 / t)`); symmetric cases are reduced to `l <= 0`,
//! where the integrands are small and their relative accuracy is preserved.

use crate::math::{sigmoid, softplus};
use crate::quadrature::logistic_expectation;

/// The mean at `t = 1`: `a (a - 1 - l) / (a - 1)^2` with `a = e^l`, for `l <= 0`, written with
/// `expm1` (the printed form overflows for `l >= 355` and cancels near 0) and a Taylor series
/// `1/2 + l/6 - l^3/180 + l^5/5040 - l^7/151200` for `|l| < 0.01`.
pub fn mean_t1(l: f64) -> f64 {
    if l > 0.0 {
        return 1.0 - mean_t1(-l);
    }
    if l > -0.01 {
        let l2 = l * l;
        return 0.5 + l * (1.0 / 6.0 + l2 * (-1.0 / 180.0 + l2 * (1.0 / 5040.0 - l2 / 151200.0)));
    }
    let em1 = l.exp_m1(); // a - 1
    l.exp() * (em1 - l) / (em1 * em1)
}

/// `E[X]`, `X = sigmoid((l + L) / t)`.
pub fn mean(t: f64, l: f64) -> f64 {
    if l.is_infinite() {
        return if l > 0.0 { 1.0 } else { 0.0 };
    }
    if l == 0.0 {
        return 0.5;
    }
    if l > 0.0 {
        return 1.0 - mean(t, -l);
    }
    if t == 1.0 {
        return mean_t1(l);
    }
    logistic_expectation(|s| sigmoid((l + s) / t), -l).value
}

/// `Var[X] = E[(X - E X)^2]`, by a second pass (no `E[X^2] - (E X)^2` cancellation).
pub fn variance(t: f64, l: f64) -> f64 {
    if l.is_infinite() {
        return 0.0;
    }
    let l = -l.abs();
    if l == 0.0 && t == 1.0 {
        return 1.0 / 12.0;
    }
    let m = mean(t, l);
    logistic_expectation(
        |s| {
            let d = sigmoid((l + s) / t) - m;
            d * d
        },
        -l,
    )
    .value
}

/// The differential entropy `H(X) = 2 - ln t - E[softplus(Y) + softplus(-Y)]`, `Y = (l + L) / t`.
/// A point mass (infinite logits) has entropy `-inf`.
pub fn entropy(t: f64, l: f64) -> f64 {
    if l.is_infinite() {
        return f64::NEG_INFINITY;
    }
    let l = -l.abs();
    if l == 0.0 && t == 1.0 {
        return 0.0;
    }
    let e = logistic_expectation(
        |s| {
            let w = (l + s) / t;
            w.abs() + 2.0 * (-w.abs()).exp().ln_1p()
        },
        -l,
    )
    .value;
    2.0 - t.ln() - e
}

/// The interior mode for `t > 1`: `sigmoid(y)` at the root of `tanh(y/2) = t tanh((t y - l)/2)`,
/// by bisection (the root is bracketed by `l / t` and `(l ∓ 2 atanh(1/t)) / t`). `None` for
/// `t <= 1`, where the density has no interior maximum. Infinite logits give the point mass.
pub fn mode(t: f64, l: f64) -> Option<f64> {
    if t.is_nan() || t <= 1.0 {
        return None;
    }
    if l.is_infinite() {
        return Some(if l > 0.0 { 1.0 } else { 0.0 });
    }
    if l == 0.0 {
        return Some(0.5);
    }
    if l > 0.0 {
        return mode(t, -l).map(|m| 1.0 - m);
    }
    // tanh(a/2) = sigmoid(a) - sigmoid(-a), without cancellation near ±1.
    let th = |a: f64| sigmoid(a) - sigmoid(-a);
    let g = |y: f64| th(y) - t * th(t * y - l);
    let mut hi = l / t; // g(hi) = tanh(l / 2t) < 0
    let mut lo = (l - 2.0 * (1.0 / t).atanh()) / t; // g(lo) = tanh(lo/2) + 1 > 0
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if g(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(sigmoid(0.5 * (lo + hi)))
}

/// `d coth(d/2) - 2`, the KL divergence between two RelaxedBernoullis of equal temperature and
/// logits differing by `d`; the series `d^2/6 - d^4/360 + d^6/15120 - d^8/604800 +
/// d^10/23950080` for `|d| < 0.1` (the printed form gives 0 at `d = 1e-8`).
pub fn kl_equal_temperature(d: f64) -> f64 {
    let a = d.abs();
    if a.is_infinite() {
        return f64::INFINITY;
    }
    if a < 0.1 {
        let d2 = d * d;
        return d2
            * (1.0 / 6.0
                + d2 * (-1.0 / 360.0
                    + d2 * (1.0 / 15120.0 + d2 * (-1.0 / 604800.0 + d2 / 23950080.0))));
    }
    a / (0.5 * a).tanh() - 2.0
}

/// `KL(RB(t1, l1) || RB(t2, l2))`, the KL divergence between the logit-space Logistics
/// `Logistic(l1/t1, 1/t1)` and `Logistic(l2/t2, 1/t2)` (invariant under the sigmoid): the closed
/// form for equal temperatures, else `E_p[ln(t1/t2) - sp(L) - sp(-L) + sp(z2) + sp(-z2)]` with
/// `z2 = (t2/t1)(l1 + L) - l2`. Point masses: 0 between the same one, `+inf` otherwise.
pub fn kl(t1: f64, l1: f64, t2: f64, l2: f64) -> f64 {
    if l1.is_infinite() || l2.is_infinite() {
        return if l1 == l2 { 0.0 } else { f64::INFINITY };
    }
    if t1 == t2 {
        return kl_equal_temperature(l1 - l2);
    }
    let r = t2 / t1;
    let c = (t1 / t2).ln();
    let pair = |a: f64| a.abs() + 2.0 * (-a.abs()).exp().ln_1p();
    // z2 = 0 at s = l2 / r - l1: the kink of |z2|.
    let v = logistic_expectation(|s| c - pair(s) + pair(r * (l1 + s) - l2), l2 / r - l1).value;
    v.max(0.0)
}

/// One Monte Carlo term of `KL(p || q)` in logit space for noise `L`: `ln p(Y) - ln q(Y)` with
/// `Y = (l1 + L) / t1` (an unbiased estimate; its mean over `L ~ Logistic(0, 1)` is [`kl`]).
pub fn kl_sample(t1: f64, l1: f64, t2: f64, l2: f64, noise: f64) -> f64 {
    if l1.is_infinite() || l2.is_infinite() {
        // Point masses, as in [`kl`]: 0 between the same one, +inf otherwise.
        return if l1 == l2 { 0.0 } else { f64::INFINITY };
    }
    let y = (l1 + noise) / t1;
    let z2 = t2 * y - l2;
    (t1 / t2).ln() - softplus(noise) - softplus(-noise) + softplus(z2) + softplus(-z2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of ANCHORS.md §5 (50-digit mpmath, 15 digits shown).
    const ANCHORS: [(f64, f64, f64, f64, f64, f64); 10] = [
        (1.0, 0.0, 0.5, 0.0833333333333333, 0.0, f64::NAN),
        (
            1.0,
            1.0,
            0.661303112661534,
            0.0730337271362977,
            -0.163953413738653,
            f64::NAN,
        ),
        (
            1.0,
            -2.0,
            0.20551318773349,
            0.0499490930212545,
            -0.626070570998663,
            f64::NAN,
        ),
        (
            0.5,
            0.0,
            0.5,
            0.142699081698724,
            -0.448445473029848,
            f64::NAN,
        ),
        (
            0.5,
            1.5,
            0.785902579797731,
            0.0939787582370828,
            -1.35777616081947,
            f64::NAN,
        ),
        (
            0.1,
            -1.0,
            0.27041312402307,
            0.177687645831002,
            -12.0271957674813,
            f64::NAN,
        ),
        (2.0, 0.0, 0.5, 0.0353981633974483, -0.263943507354842, 0.5),
        (
            2.0,
            1.0,
            0.605803174841841,
            0.0330985357036485,
            -0.317217604662492,
            0.659443609234534,
        ),
        (
            5.0,
            -3.0,
            0.358418831769526,
            0.00650386183766614,
            -1.11402690189432,
            0.348822763379361,
        ),
        (
            0.25,
            3.0,
            0.948252082616922,
            0.0369470460959972,
            -9.04147391403891,
            f64::NAN,
        ),
    ];

    #[test]
    fn statistics_match_the_anchor_table() {
        for (t, l, m, v, h, md) in ANCHORS {
            let close = |a: f64, b: f64| (a - b).abs() <= 2e-14 * b.abs().max(1.0);
            assert!(close(mean(t, l), m), "mean {t} {l}: {}", mean(t, l));
            assert!(close(variance(t, l), v), "var {t} {l}: {}", variance(t, l));
            assert!(
                close(entropy(t, l), h),
                "entropy {t} {l}: {}",
                entropy(t, l)
            );
            match mode(t, l) {
                Some(x) => assert!(close(x, md), "mode {t} {l}: {x}"),
                None => assert!(md.is_nan()),
            }
        }
    }

    #[test]
    fn mean_t1_closed_form_agrees_with_quadrature() {
        for l in [-30.0, -5.0, -0.5, -0.02, -0.009, -1e-5] {
            let q = logistic_expectation(|s| sigmoid(l + s), -l).value;
            assert!(
                (mean_t1(l) - q).abs() <= 1e-14 * q,
                "{l}: {} vs {q}",
                mean_t1(l)
            );
        }
        assert_eq!(mean_t1(-800.0), 0.0);
        assert_eq!(mean_t1(800.0), 1.0);
        assert!((mean_t1(-700.0) / (699.0 * (-700f64).exp()) - 1.0).abs() < 1e-13);
    }

    #[test]
    fn kl_closed_form_agrees_with_quadrature_and_series() {
        for (t, d) in [(0.5, 1.0), (3.0, 0.05), (0.01, 2.0)] {
            let l1 = 0.3 + d;
            // Quadrature at slightly different temperatures converges to the closed form.
            let q = kl(t, l1, t * (1.0 + 1e-12), 0.3);
            let c = kl(t, l1, t, 0.3);
            assert!((q - c).abs() <= 1e-9 * c, "{t} {d}: {q} vs {c}");
        }
        let d = 1e-8;
        assert!((kl_equal_temperature(d) - d * d / 6.0).abs() < 1e-32);
        assert!((kl_equal_temperature(700.0) - 698.0).abs() < 1e-12);
    }
}
