//! Branch-free `ln`, `ln1p` and `exp` for `f32` and `f64` that the compiler can vectorise.
//!
//! ## Design
//!
//! The sampling and evaluation loops spend their time in logarithms and exponentials, and
//! `std`'s (the platform libm's) are opaque calls that keep those loops scalar. These are the
//! classic fdlibm/musl algorithms (argument reduction to `[sqrt(2)/2, sqrt(2))` with the
//! `Lg1..Lg7` minimax series for `ln`; reduction by `k ln 2` with the `P1..P5` Remez series and
//! a rational correction for `exp`), written with integer bit operations and selects instead
//! of branches, so a loop over them becomes SIMD code. Their error bounds are those of fdlibm:
//! below 1 ulp for `ln` and `exp` (checked against `std` over millions of arguments in the
//! tests, and against 60-digit mpmath through the reference tables of the distributions).
//! Special values (0, subnormals, ±inf, NaN, negative arguments) follow IEEE 754 / `std`.
//! The lean `f32` variants ([`ln_normal_f32`], [`ln1p_unit_f32`], [`ln1p_unit_pos_f32`],
//! [`exp_nonpos_f32`]) serve the `f32` density kernel: each is accurate on a stated domain
//! only and skips the special-value selects (the kernel flags or widens anything outside).
//!
//! Every operation is a plain IEEE operation (no fused multiply-add, no reassociation), so a
//! result is bit-identical whether the loop runs as scalar code, SSE2 or AVX2.

// fdlibm's constants, written with all the digits it gives.
#![allow(clippy::excessive_precision, clippy::unreadable_literal)]

const LN2_HI_64: f64 = 6.93147180369123816490e-01;
const LN2_LO_64: f64 = 1.90821492927058770002e-10;
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;

/// `ln x` for `f64`, within 1 ulp.
#[inline(always)]
pub fn ln_f64(x: f64) -> f64 {
    // Subnormals: scale into the normal range first.
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18014398509481984.0 } else { x }; // 2^54
    let kadj = if sub { -54.0 } else { 0.0 };
    // Reduce: x = m 2^k with m in [sqrt(2)/2, sqrt(2)) (musl's offset trick on the bits).
    let ix = xs
        .to_bits()
        .wrapping_add(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_0000_0000);
    // k as a float straight from the exponent field (the 2^52 trick: an i64 -> f64
    // conversion would not vectorise before AVX-512).
    let dk =
        f64::from_bits(0x4330_0000_0000_0000 | (ix >> 52)) - 4503599627370496.0 - 1023.0 + kadj;
    let m = f64::from_bits((ix & 0x000f_ffff_ffff_ffff) + 0x3fe6_a09e_0000_0000);
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let y = s * (hfsq + r) + dk * LN2_LO_64 - hfsq + f + dk * LN2_HI_64;
    // Special values.
    let y = if x == 0.0 { f64::NEG_INFINITY } else { y };
    let y = if x == f64::INFINITY { f64::INFINITY } else { y };
    if x < 0.0 || x.is_nan() { f64::NAN } else { y }
}

/// `ln(1 + a)` for `f64` (a few ulp): `ln u + (a - (u - 1)) / u` with `u = 1 + a`, which
/// restores the part of `a` that `1 + a` rounded away.
#[inline(always)]
pub fn ln1p_f64(a: f64) -> f64 {
    let u = 1.0 + a;
    let c = (a - (u - 1.0)) / u;
    let y = ln_f64(u) + c;
    // Tiny arguments: ln1p(a) = a to the last bit; infinities pass through ln.
    let y = if a.abs() < 1e-300 { a } else { y };
    if u == f64::INFINITY || u == 0.0 {
        ln_f64(u)
    } else {
        y
    }
}

const INV_LN2_64: f64 = core::f64::consts::LOG2_E;
const P1: f64 = 1.66666666666666019037e-01;
const P2: f64 = -2.77777777770155933842e-03;
const P3: f64 = 6.61375632143793436117e-05;
const P4: f64 = -1.65339022054652515390e-06;
const P5: f64 = 4.13813679705723846039e-08;
/// 1.5 * 2^52: adding it rounds to an integer held in the low bits.
const ROUND_64: f64 = 6755399441055744.0;

/// `e^x` for `f64`, within 1 ulp; overflows to `inf` above 709.78, underflows through the
/// subnormals to 0 below -745.13.
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    let xc = x.clamp(-746.0, 710.0);
    // k = round(x / ln 2), as a float and as an integer (from the bits of the rounded sum).
    let big = xc * INV_LN2_64 + ROUND_64;
    let kf = big - ROUND_64;
    // k + 2048 (>= 0) as an unsigned integer, from the low bits of the rounded sum.
    let kp = big
        .to_bits()
        .wrapping_sub(ROUND_64.to_bits())
        .wrapping_add(2048);
    let hi = xc - kf * LN2_HI_64;
    let lo = kf * LN2_LO_64;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    // y * 2^k in two normal steps (k1 = floor(k/2), k2 = k - k1), so a subnormal result is
    // rounded once; unsigned arithmetic only (a signed 64-bit shift would not vectorise).
    let k1p = kp >> 1; // k1 + 1024
    let y = y * f64::from_bits((k1p - 1) << 52) * f64::from_bits((kp - k1p - 1) << 52);
    let y = if x > 709.782712893383973096 {
        f64::INFINITY
    } else {
        y
    };
    let y = if x < -745.13321910194110842 { 0.0 } else { y };
    if x.is_nan() { x } else { y }
}

const LN2_HI_32: f32 = 6.9313812256e-01;
const LN2_LO_32: f32 = 9.0580006145e-06;
const LG1_32: f32 = 0.66666662693;
const LG2_32: f32 = 0.40000972152;
const LG3_32: f32 = 0.28498786688;
const LG4_32: f32 = 0.24279078841;

/// `ln x` for `f32`, within 1 ulp.
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 33554432.0 } else { x }; // 2^25
    let kadj: i32 = if sub { -25 } else { 0 };
    let ix = xs.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let k = ((ix >> 23) as i32) - 0x7f + kadj;
    let m = f32::from_bits((ix & 0x007f_ffff) + 0x3f35_04f3);
    let y = ln_kernel_f32(k as f32, m - 1.0);
    let y = if x == 0.0 { f32::NEG_INFINITY } else { y };
    let y = if x == f32::INFINITY { f32::INFINITY } else { y };
    if x < 0.0 || x.is_nan() { f32::NAN } else { y }
}

/// `ln(1 + a)` for `f32` (a few ulp), as [`ln1p_f64`].
#[inline(always)]
pub fn ln1p_f32(a: f32) -> f32 {
    let u = 1.0 + a;
    let c = (a - (u - 1.0)) / u;
    let y = ln_f32(u) + c;
    let y = if a.abs() < 1e-30 { a } else { y };
    if u == f32::INFINITY || u == 0.0 {
        ln_f32(u)
    } else {
        y
    }
}

/// The fdlibm `ln` kernel for `f32`: `k ln 2 + ln(1 + f)` for a reduced argument `f` in about
/// `[sqrt(2)/2 - 1, sqrt(2) - 1]` and `dk = k` (as a float); [`ln_f32`] and the lean variants
/// all end here, so they give the same bits for the same `(k, f)`.
#[inline(always)]
fn ln_kernel_f32(dk: f32, f: f32) -> f32 {
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2_32 + w * LG4_32);
    let t2 = z * (LG1_32 + w * LG3_32);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    s * (hfsq + r) + dk * LN2_LO_32 - hfsq + f + dk * LN2_HI_32
}

/// `ln x` for a positive, normal, finite `f32` `x` (`f32::MIN_POSITIVE <= x < inf`), within 1
/// ulp: [`ln_f32`] without its special-value handling (bit-identical to it on that domain).
/// Other arguments (0, subnormals, negatives, ±inf, NaN) give an unspecified finite or NaN
/// value, never a panic: callers test for them separately (the RelaxedBernoulli density flags
/// or widens such elements).
#[inline(always)]
pub fn ln_normal_f32(x: f32) -> f32 {
    let ix = x.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let k = ((ix >> 23) as i32) - 0x7f;
    let m = f32::from_bits((ix & 0x007f_ffff) + 0x3f35_04f3);
    ln_kernel_f32(k as f32, m - 1.0)
}

/// `ln(1 + a)` for `f32` `a` in `(-1, 1]`, within a few ulp, without the division of
/// [`ln1p_f32`]: `u = 1 + a` rounds, and its rounding error `c = a - (u - 1)` is exact
/// (Fast2Sum, as `|a| <= 1`; `u - 1` is exact by Sterbenz for `u` in `[1/2, 2]`, and for
/// `u < 1/2` both `u` and `u - 1 = a` are exact). With `u = m 2^k` reduced as in [`ln_f32`],
/// `1 + a = (m + c 2^-k) 2^k` exactly, so the correction is added to the reduced argument
/// `f = m - 1` (one rounding, relative to `f + c 2^-k`) instead of dividing `c / u`. No special
/// values: `a = -1` gives a finite wrong value, NaN gives NaN or garbage; callers flag those.
#[inline(always)]
pub fn ln1p_unit_f32(a: f32) -> f32 {
    let u = 1.0 + a;
    let c = a - (u - 1.0);
    let ix = u.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let k = ((ix >> 23) as i32) - 0x7f;
    let m = f32::from_bits((ix & 0x007f_ffff) + 0x3f35_04f3);
    // 2^-k, a normal number: u is in [2^-24, 2], so k is in [-24, 1].
    let scale = f32::from_bits(((0x7f - k) as u32) << 23);
    ln_kernel_f32(k as f32, (m - 1.0) + c * scale)
}

/// `ln(1 + v)` for `f32` `v` in `[0, 1]` (the softplus tail `ln(1 + e^-|z|)`), within 1 ulp,
/// with no rounding of `1 + v` and no bit reduction: below `sqrt(2) - 1` the reduced argument
/// of [`ln_f32`] is `v` itself (`k = 0`), above it is `(v - 1) / 2` (`k = 1`; `v - 1` is
/// exact for `v >= 1/2` and off by at most `2^-25` below, a third of an ulp of the result).
/// Arguments outside `[0, 1]` give an unspecified value; NaN gives NaN.
#[inline(always)]
pub fn ln1p_unit_pos_f32(v: f32) -> f32 {
    let hi = v > 0.41421356;
    let f = if hi { (v - 1.0) * 0.5 } else { v };
    let dk = if hi { 1.0 } else { 0.0 };
    ln_kernel_f32(dk, f)
}

/// `e^w` for `f32` `w <= 0`, within 1 ulp above `e^-87`: [`exp_f32`] with `w` raised to -87
/// (so the result is never below `e^-87 = 1.6e-38`, an absolute error under 1.7e-38) and a
/// single scaling by `2^k` (k >= -126, a normal factor). No overflow handling: `w > 88.7`
/// gives `inf` or garbage; NaN propagates.
#[inline(always)]
pub fn exp_nonpos_f32(w: f32) -> f32 {
    let xc = if w < -87.0 { -87.0 } else { w };
    let (y, k) = exp_reduced_f32(xc);
    y * f32::from_bits(((k + 127) as u32) << 23)
}

/// The fdlibm `exp` core for `f32`: `e^xc = y 2^k` with `y` in about `[1/sqrt(2), sqrt(2)]`,
/// for `xc` already clamped by the caller (the scaling by `2^k` is the caller's).
#[inline(always)]
fn exp_reduced_f32(xc: f32) -> (f32, i32) {
    let big = xc * INV_LN2_32 + ROUND_32;
    let kf = big - ROUND_32;
    let k = (big.to_bits() as i32).wrapping_sub(ROUND_32.to_bits() as i32);
    let hi = xc - kf * LN2_HI_E32;
    let lo = kf * LN2_LO_E32;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1_32 + rr * P2_32);
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    (y, k)
}

const INV_LN2_32: f32 = core::f32::consts::LOG2_E;
const LN2_HI_E32: f32 = 6.9314575195e-01;
const LN2_LO_E32: f32 = 1.4286067653e-06;
const P1_32: f32 = 1.6666625440e-1;
const P2_32: f32 = -2.7667332906e-3;
/// 1.5 * 2^23.
const ROUND_32: f32 = 12582912.0;

/// `e^x` for `f32`, within 1 ulp; `inf` above 88.72, 0 below -103.97.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    let xc = x.clamp(-104.0, 89.0);
    let (y, k) = exp_reduced_f32(xc);
    let k1 = k >> 1;
    let k2 = k - k1;
    let y =
        y * f32::from_bits(((k1 + 127) as u32) << 23) * f32::from_bits(((k2 + 127) as u32) << 23);
    let y = if x > 88.7228393554688 {
        f32::INFINITY
    } else {
        y
    };
    let y = if x < -103.972084045410 { 0.0 } else { y };
    if x.is_nan() { x } else { y }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps64(a: f64, b: f64) -> u64 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        (a.to_bits() as i64).abs_diff(b.to_bits() as i64)
    }

    fn ulps32(a: f32, b: f32) -> u32 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        (a.to_bits() as i32).abs_diff(b.to_bits() as i32)
    }

    /// Arguments spread over the whole range: every binade, random mantissas.
    fn args64(n: usize) -> impl Iterator<Item = f64> {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        (0..n).map(move |_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            f64::from_bits(s & 0x7fff_ffff_ffff_ffff)
        })
    }

    #[test]
    fn ln_f64_within_one_ulp_of_std() {
        let mut worst = 0;
        for x in args64(2_000_000).filter(|x| x.is_finite()) {
            worst = worst.max(ulps64(ln_f64(x), x.ln()));
        }
        // std (glibc) is itself within ~0.5 ulp, so 2 ulp between the two bounds ours by 1.5.
        assert!(worst <= 2, "{worst}");
        for x in [
            0.0,
            -0.0,
            -1.0,
            f64::INFINITY,
            f64::NAN,
            5e-324,
            1e-310,
            f64::MIN_POSITIVE,
            1.0,
            f64::MAX,
        ] {
            assert_eq!(ulps64(ln_f64(x), x.ln()), 0, "{x}");
        }
    }

    #[test]
    fn exp_f64_within_one_ulp_of_std() {
        let mut worst = 0;
        for x in args64(2_000_000).map(|x| (x.to_bits() % 1_500_000_000) as f64 * 1e-6 - 750.0) {
            worst = worst.max(ulps64(exp_f64(x), x.exp()));
        }
        assert!(worst <= 2, "{worst}");
        for x in [
            0.0,
            -0.0,
            709.78,
            709.79,
            -745.0,
            -745.2,
            -740.0,
            -708.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e-300,
        ] {
            assert!(
                ulps64(exp_f64(x), x.exp()) <= 1,
                "{x}: {} vs {}",
                exp_f64(x),
                x.exp()
            );
        }
    }

    #[test]
    fn ln1p_f64_is_accurate() {
        for x in args64(1_000_000).map(|x| (x.to_bits() % 4_000_000_000) as f64 * 1e-9 - 0.999) {
            assert!(
                ulps64(ln1p_f64(x), x.ln_1p()) <= 3,
                "{x}: {} vs {}",
                ln1p_f64(x),
                x.ln_1p()
            );
        }
        for x in [
            0.0,
            1e-20,
            -1e-20,
            1e-310,
            -1.0,
            f64::INFINITY,
            1e300,
            f64::NAN,
        ] {
            assert!(ulps64(ln1p_f64(x), x.ln_1p()) <= 1, "{x}");
        }
    }

    #[test]
    fn ln_and_exp_f32_within_one_ulp_of_std() {
        let (mut wl, mut we) = (0, 0);
        for bits in (0..0x7f80_0000u32).step_by(97) {
            let x = f32::from_bits(bits);
            wl = wl.max(ulps32(ln_f32(x), (x as f64).ln() as f32));
        }
        for i in 0..2_000_000 {
            let x = -104.5 + i as f32 * (194.0 / 2_000_000.0);
            we = we.max(ulps32(exp_f32(x), (x as f64).exp() as f32));
        }
        assert!(wl <= 1 && we <= 1, "{wl} {we}");
        for x in [0.0f32, -1.0, f32::INFINITY, f32::NAN, 1.4e-45] {
            assert_eq!(ulps32(ln_f32(x), x.ln()), 0, "{x}");
        }
        for x in [89.0f32, -104.0, f32::NEG_INFINITY, f32::INFINITY, f32::NAN] {
            assert_eq!(ulps32(exp_f32(x), x.exp()), 0, "{x}");
        }
    }

    #[test]
    fn ln1p_f32_is_accurate() {
        for i in 0..1_000_000 {
            let x = -0.999f32 + i as f32 * (3.0 / 1_000_000.0);
            let want = (x as f64).ln_1p() as f32;
            assert!(
                ulps32(ln1p_f32(x), want) <= 2,
                "{x}: {} vs {want}",
                ln1p_f32(x)
            );
        }
    }
    #[test]
    fn lean_f32_functions_are_accurate() {
        // ln_normal_f32: the bits of ln_f32 on every positive normal (a stride of them).
        for bits in (0x0080_0000..0x7f80_0000u32).step_by(61) {
            let x = f32::from_bits(bits);
            assert_eq!(ln_normal_f32(x).to_bits(), ln_f32(x).to_bits(), "{x}");
        }
        // ln1p_unit_f32 on (-1, 1]: within 2 ulp of the correctly rounded value, including the
        // tiny arguments and those next to -1.
        let mut worst = 0;
        let mut check = |a: f32| {
            let want = (a as f64).ln_1p() as f32;
            let got = ln1p_unit_f32(a);
            worst = worst.max(ulps32(got, want));
            assert!(ulps32(got, want) <= 2, "{a}: {got} vs {want}");
        };
        for i in 1..=2_000_000 {
            check(-1.0 + i as f32 * (2.0 / 2_000_000.0));
        }
        for bits in (0..0x3f80_0000u32).step_by(101) {
            let a = f32::from_bits(bits);
            check(a);
            if a < 1.0 {
                check(-a);
            }
        }
        for a in [1.0f32, -0.99999994, 0.0, -0.0, 1e-45, 5.9604645e-8] {
            check(a);
        }
        // exp_nonpos_f32: the bits of exp_f32 on [-87, 0], and within 1.7e-38 below.
        for i in 0..2_000_000 {
            let w = -(i as f32) * (87.0 / 2_000_000.0);
            assert_eq!(exp_nonpos_f32(w).to_bits(), exp_f32(w).to_bits(), "{w}");
        }
        for w in [-87.5f32, -100.0, -1e30, f32::NEG_INFINITY] {
            let e = exp_nonpos_f32(w);
            assert!((0.0..1.7e-38).contains(&e), "{w}: {e}");
        }
        assert!(exp_nonpos_f32(f32::NAN).is_nan());
        // ln1p_unit_pos_f32 on [0, 1]: within 1 ulp of the correctly rounded value.
        let mut worst_pos = 0;
        let mut check_pos = |v: f32| {
            let want = (v as f64).ln_1p() as f32;
            let got = ln1p_unit_pos_f32(v);
            worst_pos = worst_pos.max(ulps32(got, want));
            assert!(ulps32(got, want) <= 1, "{v}: {got} vs {want}");
        };
        for bits in (0..=0x3f80_0000u32).step_by(29) {
            check_pos(f32::from_bits(bits));
        }
        for i in 0..=1_000_000 {
            check_pos(i as f32 / 1_000_000.0);
        }
        check_pos(1.0);
        assert!(ln1p_unit_pos_f32(f32::NAN).is_nan());
        println!("ln1p_unit_pos_f32 worst: {worst_pos} ulp");
        println!("ln1p_unit_f32 worst: {worst} ulp");
    }
}
