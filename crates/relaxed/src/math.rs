//! Scalar log-space kernels, generic over [`Real`] (`f32` and `f64`).
//!
//! Each function states the regime where it is exact: "a few ulp" means the result is within a
//! few units in the last place of the correctly rounded value, relative to the result, for every
//! input in the stated domain; special inputs (±inf, NaN, signed zeros, subnormals) give the
//! documented values. All of them are checked against a 60-digit mpmath reference at the
//! extremes (`refdata/data/math_*.tsv`).

use crate::float::Real;

/// The logistic sigmoid `1 / (1 + e^-x)`, stable for every `x`.
///
/// Computed as `1 / (1 + e^-x)` for `x >= 0` and `e^x (1 / (1 + e^x))` for `x < 0`, so it never
/// overflows and keeps full relative accuracy in the lower tail (down to the subnormal range,
/// where `sigmoid(x) = e^x` is rounded gradually). A few ulp everywhere. `sigmoid(-inf) = 0`,
/// `sigmoid(inf) = 1`, NaN gives NaN. In `f64` the result rounds to exactly 1 for
/// `x > 36.7`, in `f32` for `x > 16.6`; it reaches 0 only below -745 (`f64`) / -104 (`f32`).
///
/// ```
/// use relaxed::math::sigmoid;
/// assert_eq!(sigmoid(0.0_f64), 0.5);
/// assert!((sigmoid(-700.0_f64) / 700.0_f64.neg_exp() - 1.0).abs() < 1e-15);
/// # trait NegExp { fn neg_exp(self) -> f64; } impl NegExp for f64 { fn neg_exp(self) -> f64 { (-self).exp() } }
/// ```
#[inline(always)]
pub fn sigmoid<F: Real>(x: F) -> F {
    // Branch-free (selects), so loops over it vectorise: e = e^-|x| never overflows.
    let e = (-x.abs()).fast_exp();
    let r = F::one() / (F::one() + e);
    if x >= F::zero() { r } else { e * r }
}

/// `softplus(x) = ln(1 + e^x)`, written as `max(x, 0) + ln1p(e^-|x|)`.
///
/// Never overflows, never cancels: a few ulp for every `x`. `softplus(-inf) = 0`,
/// `softplus(inf) = inf`, NaN gives NaN. For `x < -745` (`f64`) the exact value is below the
/// smallest subnormal and the result is 0.
///
/// ```
/// use relaxed::math::softplus;
/// assert_eq!(softplus(1000.0_f64), 1000.0);
/// assert_eq!(softplus(-1000.0_f64), 0.0);
/// assert!((softplus(0.0_f64) - 2f64.ln()).abs() < 1e-16);
/// ```
#[inline(always)]
pub fn softplus<F: Real>(x: F) -> F {
    // Branch-free: a NaN argument propagates through e^-|x|.
    x.max(F::zero()) + (-x.abs()).fast_exp().fast_ln_1p()
}

/// `log1pexp(x) = ln(1 + e^x)`, the numerical analysts' name for [`softplus`] (same function).
#[inline]
pub fn log1pexp<F: Real>(x: F) -> F {
    softplus(x)
}

/// `log_sigmoid(x) = ln(sigmoid(x)) = -softplus(-x)`, a few ulp everywhere.
///
/// `log_sigmoid(-inf) = -inf`, `log_sigmoid(inf) = 0`, NaN gives NaN. For large positive `x`
/// the result is `-e^-x`, kept to full relative accuracy (not rounded to 0 until it
/// underflows).
///
/// ```
/// use relaxed::math::log_sigmoid;
/// assert_eq!(log_sigmoid(-800.0_f64), -800.0);
/// assert!((log_sigmoid(40.0_f64) + (-40.0_f64).exp()).abs() < 1e-32);
/// ```
#[inline]
pub fn log_sigmoid<F: Real>(x: F) -> F {
    -softplus(-x)
}

/// `logit(p) = ln(p / (1 - p))`, the inverse of [`sigmoid`], for `p` in `[0, 1]`.
///
/// For `p` in `[0.25, 0.75]` it is `ln1p((2p - 1) / (1 - p))`, where `2p - 1` is exact, so the
/// result keeps full relative accuracy even next to `p = 1/2` (where `ln p - ln(1 - p)`
/// cancels); elsewhere `ln p - ln1p(-p)`, where no cancellation occurs. A few ulp for every
/// `p` in `[0, 1]`. `logit(0) = -inf`, `logit(1) = inf`; `p` outside `[0, 1]` or NaN gives
/// NaN.
///
/// ```
/// use relaxed::math::logit;
/// assert_eq!(logit(0.5_f64), 0.0);
/// assert_eq!(logit(1.0_f64), f64::INFINITY);
/// assert!((logit(1e-300_f64) + 690.7755278982137).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn logit<F: Real>(p: F) -> F {
    // Both forms, then a select (no branch, so loops over it vectorise).
    let two = F::one() + F::one();
    let middle = ((two * p - F::one()) / (F::one() - p)).fast_ln_1p();
    let tails = p.fast_ln() - (-p).fast_ln_1p();
    if p >= F::from_f64(0.25) && p <= F::from_f64(0.75) {
        middle
    } else {
        tails
    }
}

/// `log1mexp(a) = ln(1 - e^a)` for `a <= 0` (Mächler's algorithm).
///
/// `ln(-expm1(a))` for `a > -ln 2` and `ln1p(-e^a)` otherwise, which keeps a few ulp on the whole
/// domain. `log1mexp(0) = -inf`, `log1mexp(-inf) = 0`, `a > 0` or NaN gives NaN.
///
/// ```
/// use relaxed::math::log1mexp;
/// assert_eq!(log1mexp(0.0_f64), f64::NEG_INFINITY);
/// assert!((log1mexp(-1e-10_f64) - (1e-10_f64).ln()).abs() < 1e-9);
/// ```
#[inline]
pub fn log1mexp<F: Real>(a: F) -> F {
    if a > -F::LN_2() {
        (-a.exp_m1()).ln()
    } else {
        (-a.exp()).ln_1p()
    }
}

/// `xlogy(x, y) = x * ln(y)`, with `xlogy(0, y) = 0` for every non-NaN `y` (including 0).
#[inline]
pub fn xlogy<F: Real>(x: F, y: F) -> F {
    if x == F::zero() && !y.is_nan() {
        F::zero()
    } else {
        x * y.fast_ln()
    }
}

/// `xlog1py(x, y) = x * ln1p(y)`, with `xlog1py(0, y) = 0` for every non-NaN `y` (including
/// -1).
#[inline]
pub fn xlog1py<F: Real>(x: F, y: F) -> F {
    if x == F::zero() && !y.is_nan() {
        F::zero()
    } else {
        x * y.fast_ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_specials<F: Real>() {
        let inf = F::infinity();
        let nan = F::nan();
        let z = F::zero();
        let one = F::one();
        assert_eq!(sigmoid(-inf), z);
        assert_eq!(sigmoid(inf), one);
        assert!(sigmoid(nan).is_nan());
        assert_eq!(softplus(-inf), z);
        assert_eq!(softplus(inf), inf);
        assert!(softplus(nan).is_nan());
        assert_eq!(log_sigmoid(-inf), -inf);
        assert_eq!(log_sigmoid(inf), z);
        assert_eq!(logit(z), -inf);
        assert_eq!(logit(one), inf);
        assert!(logit(-F::epsilon()).is_nan());
        assert!(logit(one + F::epsilon()).is_nan());
        assert!(logit(nan).is_nan());
        assert_eq!(log1mexp(z), -inf);
        assert_eq!(log1mexp(-inf), z);
        assert!(log1mexp(one).is_nan());
        assert_eq!(xlogy(z, z), z);
        assert_eq!(xlog1py(z, -one), z);
        assert!(xlogy(z, nan).is_nan());
        assert_eq!(xlogy(one, z), -inf);
        assert_eq!(log1pexp(F::from_f64(3.0)), softplus(F::from_f64(3.0)));
    }

    #[test]
    fn specials_f64() {
        check_specials::<f64>();
    }

    #[test]
    fn specials_f32() {
        check_specials::<f32>();
    }

    #[test]
    fn logit_inverts_sigmoid_f64() {
        for &x in &[-700.0_f64, -30.0, -1.0, -1e-12, 0.0, 1e-12, 0.7] {
            let back = logit(sigmoid(x));
            assert!(
                (back - x).abs() <= 1e-15 * x.abs().max(1.0) * 4.0,
                "{x} -> {back}"
            );
        }
    }
}
