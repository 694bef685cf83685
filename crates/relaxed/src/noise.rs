//! The only place random bits become floats: the counter-based generator (Philox4x32-10),
//! open-interval uniforms and standard logistic noise.
//!
//! # The seeded stream (value-stable; a change is value-breaking, see CHANGELOG.md)
//!
//! A seed `s: u64` is the Philox key `(s as u32, (s >> 32) as u32)`. Element `i` of a sample
//! (its row-major index in the output of shape `sample_shape + batch_shape`) takes lane
//! `i % LANES` of the block with counter `(b as u32, (b >> 32) as u32, 0, 0)`, `b = i / LANES`,
//! where `LANES` is 2 for `f64` (64 bits per uniform) and 4 for `f32` (32 bits). A value
//! therefore depends only on the seed and its index, never on how the work is split across
//! threads.
//!
//! # Uniforms
//!
//! `f64`: `u = ((bits >> 12) + 1/2) * 2^-52`, the midpoints of 2^52 equal cells: `u` lies in
//! `[2^-53, 1 - 2^-53]`, never 0 or 1, and `1 - u` is exact. `f32`: `u = ((bits >> 9) + 1/2) *
//! 2^-23`, in `[2^-24, 1 - 2^-24]`. The logistic noise `ln(u / (1 - u))` is then finite and
//! bounded by 36.7 (`f64`) and 16.6 (`f32`) in magnitude; the mass beyond those bounds (2^-52 and
//! 2^-23) is where the sigmoid of the noise already rounds to 0 or 1.

use crate::float::Real;

const PHILOX_M0: u32 = 0xD251_1F53;
const PHILOX_M1: u32 = 0xCD9E_8D57;
const PHILOX_W0: u32 = 0x9E37_79B9;
const PHILOX_W1: u32 = 0xBB67_AE85;

#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = (a as u64) * (b as u64);
    ((p >> 32) as u32, p as u32)
}

/// The Philox4x32-10 block function of Salmon et al. (2011), as in Random123, TensorFlow's
/// stateless ops and NumPy's `Philox`: 10 rounds on a 128-bit counter under a 64-bit key.
///
/// ```
/// use relaxed::noise::philox4x32_10;
/// // Random123 known-answer vector.
/// assert_eq!(philox4x32_10([0; 4], [0; 2]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
/// ```
#[inline(always)]
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for round in 0..10 {
        if round > 0 {
            k[0] = k[0].wrapping_add(PHILOX_W0);
            k[1] = k[1].wrapping_add(PHILOX_W1);
        }
        let (hi0, lo0) = mulhilo(PHILOX_M0, c[0]);
        let (hi1, lo1) = mulhilo(PHILOX_M1, c[2]);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// A uniform in the open interval (0, 1) from 64 random bits: `((bits >> 12) + 1/2) * 2^-52`,
/// in `[2^-53, 1 - 2^-53]`.
///
/// ```
/// use relaxed::noise::open01_f64;
/// assert_eq!(open01_f64(0), 2f64.powi(-53));
/// assert_eq!(open01_f64(u64::MAX), 1.0 - 2f64.powi(-53));
/// ```
#[inline(always)]
pub fn open01_f64(bits: u64) -> f64 {
    // (bits >> 12) as f64, exactly, by the 2^52 exponent trick (vectorises, unlike u64 -> f64).
    let k = f64::from_bits(0x4330_0000_0000_0000 | (bits >> 12)) - 4503599627370496.0;
    (k + 0.5) * (1.0 / (1u64 << 52) as f64)
}

/// A uniform in the open interval (0, 1) from 32 random bits: `((bits >> 9) + 1/2) * 2^-23`,
/// in `[2^-24, 1 - 2^-24]`.
///
/// ```
/// use relaxed::noise::open01_f32;
/// assert_eq!(open01_f32(0), 2f32.powi(-24));
/// assert_eq!(open01_f32(u32::MAX), 1.0 - 2f32.powi(-24));
/// ```
#[inline(always)]
pub fn open01_f32(bits: u32) -> f32 {
    // (bits >> 9) as f32, exactly, by the 2^23 exponent trick.
    let k = f32::from_bits(0x4b00_0000 | (bits >> 9)) - 8388608.0;
    (k + 0.5) * (1.0 / (1u32 << 23) as f32)
}

/// Standard logistic noise from a uniform `u` in (0, 1): `L = ln(u / (1 - u))`, one logarithm
/// ([`crate::fastmath`]).
///
/// `1 - u` is exact for the uniforms of this module (and within half an ulp of 1 for any
/// `u`), the quotient rounds once, so `L` is within ~2 ulp of 1 plus 1 ulp of `|L|` of
/// `logit(u)`, the same as `ln u - ln1p(-u)` at half the cost. `u = 0` gives `-inf`, `u = 1`
/// gives `+inf`.
///
/// ```
/// use relaxed::noise::logistic_from_uniform;
/// assert_eq!(logistic_from_uniform(0.5_f64), 0.0);
/// assert!((logistic_from_uniform(0.75_f64) - 3f64.ln()).abs() < 1e-15);
/// ```
#[inline(always)]
pub fn logistic_from_uniform<F: Real>(u: F) -> F {
    (u / (F::one() - u)).fast_ln()
}

/// The seeded, counter-based uniform stream: element `index` of the stream for `seed`.
///
/// See the module docs for the exact definition. Random access costs one Philox block per
/// call; [`fill_uniforms`] amortises a block over its lanes.
///
/// ```
/// use relaxed::noise::{fill_uniforms, uniform_at};
/// let mut buf = [0.0_f64; 5];
/// fill_uniforms(7, 3, &mut buf);
/// assert_eq!(buf[2], uniform_at::<f64>(7, 5));
/// assert!(buf.iter().all(|&u| u > 0.0 && u < 1.0));
/// ```
#[inline(always)]
pub fn uniform_at<F: Real>(seed: u64, index: u64) -> F {
    let lanes = F::LANES as u64;
    let block = philox4x32_10(counter(index / lanes), key(seed));
    F::open01_from_block(block, (index % lanes) as usize)
}

/// Fills `out[j]` with element `start + j` of the stream for `seed` (the same values as
/// [`uniform_at`], one Philox block per `LANES` elements).
#[inline(always)]
pub fn fill_uniforms<F: Real>(seed: u64, start: u64, out: &mut [F]) {
    let lanes = F::LANES as u64;
    let key = key(seed);
    // A partial first block, then whole blocks (a loop the compiler unrolls and vectorises),
    // then a partial last block.
    let head = (((lanes - start % lanes) % lanes) as usize).min(out.len());
    for (j, slot) in out[..head].iter_mut().enumerate() {
        *slot = uniform_at(seed, start + j as u64);
    }
    let first_block = (start + head as u64) / lanes;
    let whole = (out.len() - head) / F::LANES * F::LANES;
    let tail_start = start + (head + whole) as u64;
    let mut blocks = out[head..].chunks_exact_mut(F::LANES);
    for (b, group) in (&mut blocks).enumerate() {
        let block = philox4x32_10(counter(first_block + b as u64), key);
        for (lane, slot) in group.iter_mut().enumerate() {
            *slot = F::open01_from_block(block, lane);
        }
    }
    let tail = blocks.into_remainder();
    for (j, slot) in tail.iter_mut().enumerate() {
        *slot = uniform_at(seed, tail_start + j as u64);
    }
}

/// The uniforms of the seeded stream as an array of `shape` (row-major element `i` is
/// [`uniform_at`]`(seed, i)`): exactly the uniforms that [`crate::Batch::sample`] uses for an
/// output of that shape.
pub fn uniforms<F: Real>(shape: &[usize], seed: u64) -> ndarray::ArrayD<F> {
    let n = shape.iter().product();
    let mut out = vec![F::zero(); n];
    fill_uniforms(seed, 0, &mut out);
    ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), out).expect("length is the product")
}

/// The standard logistic noise of the seeded stream as an array of `shape`:
/// `ln(u / (1 - u))` of [`uniforms`] ([`logistic_from_uniform`]). Feeding it to
/// [`crate::Batch::from_logistic_noise`] reproduces [`crate::Batch::sample`] for the same seed
/// (and is how the autodiff crate shares the core's stream).
///
/// ```
/// use ndarray::{ArrayD, IxDyn};
/// use relaxed::{RelaxedBernoulli, noise::logistic_noise};
/// let t = ArrayD::from_elem(IxDyn(&[]), 0.5_f64);
/// let l = ArrayD::from_elem(IxDyn(&[3]), 0.3_f64);
/// let b = RelaxedBernoulli::batch_builder(t).logits(l).build().unwrap();
/// let direct = b.sample(&[4], 9).unwrap();
/// let via_noise = b.from_logistic_noise(&logistic_noise::<f64>(&[4, 3], 9)).unwrap();
/// assert_eq!(direct, via_noise);
/// ```
pub fn logistic_noise<F: Real>(shape: &[usize], seed: u64) -> ndarray::ArrayD<F> {
    uniforms::<F>(shape, seed).mapv(logistic_from_uniform)
}

#[inline(always)]
fn key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

#[inline(always)]
fn counter(block: u64) -> [u32; 4] {
    [block as u32, (block >> 32) as u32, 0, 0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn philox_matches_random123_known_answers() {
        assert_eq!(
            philox4x32_10([0; 4], [0; 2]),
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0]
            ),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }

    #[test]
    fn open_interval_endpoints_are_exact_and_inside() {
        assert!(open01_f64(0) > 0.0 && open01_f64(u64::MAX) < 1.0);
        assert!(open01_f32(0) > 0.0 && open01_f32(u32::MAX) < 1.0);
        assert_eq!(1.0 - open01_f64(u64::MAX), 2f64.powi(-53));
        assert_eq!(1.0 - open01_f32(u32::MAX), 2f32.powi(-24));
        let lmax = logistic_from_uniform(open01_f64(u64::MAX));
        let lmin = logistic_from_uniform(open01_f64(0));
        assert!(lmax.is_finite() && lmin.is_finite() && (lmax + lmin).abs() < 1e-12);
    }

    fn fill_matches_random_access<F: Real>() {
        for start in [0u64, 1, 2, 3, 5, 1 << 40] {
            let mut buf = vec![F::zero(); 11];
            fill_uniforms(99, start, &mut buf);
            for (j, &u) in buf.iter().enumerate() {
                assert_eq!(u, uniform_at::<F>(99, start + j as u64));
            }
        }
    }

    #[test]
    fn fill_matches_random_access_f64() {
        fill_matches_random_access::<f64>();
    }

    #[test]
    fn fill_matches_random_access_f32() {
        fill_matches_random_access::<f32>();
    }

    #[test]
    fn uniforms_have_mean_one_half() {
        let n = 200_000;
        let mut buf = vec![0.0_f64; n];
        fill_uniforms(1, 0, &mut buf);
        let mean = buf.iter().sum::<f64>() / n as f64;
        // sd of the mean = sqrt(1/12/n) = 6.5e-4; 5 sd.
        assert!((mean - 0.5).abs() < 3.3e-3, "{mean}");
    }
}
