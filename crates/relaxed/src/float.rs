//! The one floating-point bound of the crate, [`Real`], implemented for `f32` and `f64`.

use core::fmt::{Debug, Display, LowerExp};

/// A floating-point type the distributions are generic over: `f32` or `f64`.
///
/// It adds to [`num_traits::Float`] the per-type constants the numerics need and the rule for
/// *widening*: an `f32` evaluation whose cheap error bound says plain `f32` arithmetic cannot
/// reach the crate's accuracy target (1e-5, see the crate docs) is redone in `f64` and rounded
/// back once. For `f64`, [`Real::NEEDS_WIDENING`] is `false` and the widening code compiles
/// away.
///
/// Implemented for `f32` and `f64` only.
pub trait Real:
    num_traits::Float
    + num_traits::FloatConst
    + Debug
    + Display
    + LowerExp
    + Default
    + Send
    + Sync
    + 'static
{
    /// Whether evaluation may need to widen to `f64` (true for `f32`, false for `f64`).
    const NEEDS_WIDENING: bool;
    /// Name of the type, `"f32"` or `"f64"`.
    const NAME: &'static str;
    /// Largest ratio (sum of the magnitudes an evaluation rounds) / (scale of the result) for
    /// which the plain evaluation is trusted. Each of the few roundings in a kernel costs at
    /// most 2^-24 of the magnitude it touches; with about four of them a magnitude sum `S`
    /// gives an error below `4 * 2^-24 * S = 2.4e-7 * S`, so `S <= 32 * scale` keeps the error
    /// below `7.6e-6 * scale`, inside the `f32` target of 1e-5. That count is a rule of thumb,
    /// not a proof (a strict worst case of the `f32` density kernel is three times larger, see
    /// its docs); the reference tests measure the errors it lets through (at most 8.1e-6, the
    /// quantile; 1.7e-6 for the density). Infinite for `f64`.
    const WIDEN_RATIO: Self;
    /// How many uniforms one Philox block (128 bits) yields: 2 for `f64`, 4 for `f32`.
    const LANES: usize;
    /// Converts from `f64` with rounding to nearest (overflow gives ±inf).
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64` exactly.
    fn to_f64(self) -> f64;
    /// A uniform variate in the open interval (0, 1) from 64 random bits; see
    /// [`crate::noise`] for the construction and its range.
    fn open01_from_bits(bits: u64) -> Self;
    /// The uniform of lane `lane` (< [`Real::LANES`]) of a Philox output block.
    fn open01_from_block(block: [u32; 4], lane: usize) -> Self;
    /// `ln self`, branch-free and vectorisable, within 1 ulp ([`crate::fastmath`]).
    fn fast_ln(self) -> Self;
    /// `ln(1 + self)`, branch-free and vectorisable, within a few ulp.
    fn fast_ln_1p(self) -> Self;
    /// `e^self`, branch-free and vectorisable, within 1 ulp.
    fn fast_exp(self) -> Self;
    /// `ln self` for a positive normal finite argument only (anything else gives an
    /// unspecified value): for `f32` [`crate::fastmath::ln_normal_f32`], which skips the
    /// special-value handling of [`Real::fast_ln`] (same bits on that domain); for `f64`
    /// simply [`Real::fast_ln`].
    fn fast_ln_normal(self) -> Self;
    /// `ln(1 + self)` for `self` in `(-1, 1]` only: for `f32`
    /// [`crate::fastmath::ln1p_unit_f32`] (no division, no special values, within 2 ulp); for
    /// `f64` simply [`Real::fast_ln_1p`].
    fn fast_ln_1p_unit(self) -> Self;
    /// `ln(1 + self)` for `self` in `[0, 1]` only: for `f32`
    /// [`crate::fastmath::ln1p_unit_pos_f32`] (1 ulp, fewer operations than
    /// [`Real::fast_ln_1p_unit`]); for `f64` simply [`Real::fast_ln_1p`].
    fn fast_ln_1p_unit_pos(self) -> Self;
    /// `e^self` for `self <= 0` only: for `f32` [`crate::fastmath::exp_nonpos_f32`] (results
    /// below `e^-87` come out as `e^-87`); for `f64` simply [`Real::fast_exp`].
    fn fast_exp_nonpos(self) -> Self;
}

impl Real for f64 {
    const NEEDS_WIDENING: bool = false;
    const NAME: &'static str = "f64";
    const WIDEN_RATIO: f64 = f64::INFINITY;
    const LANES: usize = 2;
    #[inline(always)]
    fn from_f64(v: f64) -> f64 {
        v
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn open01_from_bits(bits: u64) -> f64 {
        crate::noise::open01_f64(bits)
    }
    #[inline(always)]
    fn open01_from_block(block: [u32; 4], lane: usize) -> f64 {
        let hi = block[2 * lane] as u64;
        let lo = block[2 * lane + 1] as u64;
        crate::noise::open01_f64((hi << 32) | lo)
    }
    #[inline(always)]
    fn fast_ln(self) -> f64 {
        crate::fastmath::ln_f64(self)
    }
    #[inline(always)]
    fn fast_ln_1p(self) -> f64 {
        crate::fastmath::ln1p_f64(self)
    }
    #[inline(always)]
    fn fast_exp(self) -> f64 {
        crate::fastmath::exp_f64(self)
    }
    #[inline(always)]
    fn fast_ln_normal(self) -> f64 {
        crate::fastmath::ln_f64(self)
    }
    #[inline(always)]
    fn fast_ln_1p_unit(self) -> f64 {
        crate::fastmath::ln1p_f64(self)
    }
    #[inline(always)]
    fn fast_ln_1p_unit_pos(self) -> f64 {
        crate::fastmath::ln1p_f64(self)
    }
    #[inline(always)]
    fn fast_exp_nonpos(self) -> f64 {
        crate::fastmath::exp_f64(self)
    }
}

impl Real for f32 {
    const NEEDS_WIDENING: bool = true;
    const NAME: &'static str = "f32";
    const WIDEN_RATIO: f32 = 32.0;
    const LANES: usize = 4;
    #[inline(always)]
    fn from_f64(v: f64) -> f32 {
        v as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn open01_from_bits(bits: u64) -> f32 {
        crate::noise::open01_f32((bits >> 32) as u32)
    }
    #[inline(always)]
    fn open01_from_block(block: [u32; 4], lane: usize) -> f32 {
        crate::noise::open01_f32(block[lane])
    }
    #[inline(always)]
    fn fast_ln(self) -> f32 {
        crate::fastmath::ln_f32(self)
    }
    #[inline(always)]
    fn fast_ln_1p(self) -> f32 {
        crate::fastmath::ln1p_f32(self)
    }
    #[inline(always)]
    fn fast_exp(self) -> f32 {
        crate::fastmath::exp_f32(self)
    }
    #[inline(always)]
    fn fast_ln_normal(self) -> f32 {
        crate::fastmath::ln_normal_f32(self)
    }
    #[inline(always)]
    fn fast_ln_1p_unit(self) -> f32 {
        crate::fastmath::ln1p_unit_f32(self)
    }
    #[inline(always)]
    fn fast_ln_1p_unit_pos(self) -> f32 {
        crate::fastmath::ln1p_unit_pos_f32(self)
    }
    #[inline(always)]
    fn fast_exp_nonpos(self) -> f32 {
        crate::fastmath::exp_nonpos_f32(self)
    }
}

/// Runs `kernel` in `F`; if `F` may need widening and the kernel's magnitude sum `s` exceeds
/// [`Real::WIDEN_RATIO`] times `scale(result)`, runs it again in `f64` and rounds once.
///
/// `log_space` selects the scale: `max(1, |r|)` for log-space results, `1` for the others
/// (whose error metric is relative, and whose relative error is bounded by the absolute error
/// of the argument of an `exp` or a sigmoid).
#[inline(always)]
pub(crate) fn widen_if_needed<F: Real>(
    log_space: bool,
    plain: impl FnOnce() -> (F, F),
    wide: impl FnOnce() -> f64,
) -> F {
    let (r, s) = plain();
    if needs_widening(log_space, r, s) {
        return F::from_f64(wide());
    }
    r
}

/// The widening rule: whether `F` may need it and the magnitude sum `s` of result `r` exceeds
/// [`Real::WIDEN_RATIO`] times its scale (`max(1, |r|)` in log space, else 1), or is NaN (an
/// overflowed intermediate). Branch-free, so vectorised kernels use it too.
#[inline(always)]
pub(crate) fn needs_widening<F: Real>(log_space: bool, r: F, s: F) -> bool {
    let scale = if log_space {
        r.abs().max(F::one())
    } else {
        F::one()
    };
    // `!(s <= bound)`: `s > bound` or `s` NaN, in one comparison (the bound is never NaN).
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    let over = !(s <= F::WIDEN_RATIO * scale);
    F::NEEDS_WIDENING & over
}
