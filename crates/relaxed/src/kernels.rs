//! The fused sampling kernel: counter-based bits -> open-interval uniform -> logistic noise ->
//! the distribution's transform -> store, in one pass over a chunk of the output, with
//! run-time CPU-feature dispatch.
//!
//! ## Design
//!
//! A chunk of the flat output (row-major `sample_shape + batch_shape`) covers consecutive
//! batch members, cycling. The kernel takes the members' transform parameters as two arrays
//! (`a`, `b`: struct of arrays) and walks the chunk in runs over consecutive members, so every
//! inner loop is a branch-free zip of slices that the compiler vectorises; a batch with one
//! member (scalar parameters) is a single loop with the parameters in registers. The math is
//! [`crate::fastmath`] (no libm calls, no fused multiply-add), so the AVX2 build of the loop
//! and the baseline (SSE2) build give bit-identical values: which one runs depends only on
//! the CPU, never the results (the same holds for the AVX-512 build). Both agree to the bit with the scalar
//! [`crate::Reparameterized::from_logistic_noise`].

use crate::float::Real;
use crate::math::sigmoid;
use crate::noise::{fill_uniforms, logistic_from_uniform};
use crate::traits::NoiseTransform;

/// Which transform a batch applies (the parameters travel separately, as arrays).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    Sigmoid,
    Logit,
    Affine,
}

impl Form {
    pub(crate) fn of<F>(t: &NoiseTransform<F>) -> Form {
        match t {
            NoiseTransform::Sigmoid { .. } => Form::Sigmoid,
            NoiseTransform::Logit { .. } => Form::Logit,
            NoiseTransform::Affine { .. } => Form::Affine,
        }
    }
}

/// One sample from logistic noise `l` (the scalar definition every path reproduces).
#[inline(always)]
fn apply<F: Real>(form: Form, a: F, b: F, l: F) -> F {
    match form {
        Form::Sigmoid => sigmoid((a + l) / b),
        Form::Logit => (a + l) / b,
        Form::Affine => a + b * l,
    }
}

/// The loop over one run: `out[j] = apply(a[j], b[j], L(u = out[j]))`; `a`, `b` either have
/// the run's length or length 1 (scalar parameters).
#[inline(always)]
fn run<F: Real>(form: Form, a: &[F], b: &[F], out: &mut [F]) {
    macro_rules! each {
        ($f:expr) => {
            if a.len() == 1 {
                let (a, b) = (a[0], b[0]);
                for x in out.iter_mut() {
                    *x = $f(a, b, logistic_from_uniform(*x));
                }
            } else {
                for ((x, &a), &b) in out.iter_mut().zip(a).zip(b) {
                    *x = $f(a, b, logistic_from_uniform(*x));
                }
            }
        };
    }
    match form {
        Form::Sigmoid => each!(|a, b, l| apply(Form::Sigmoid, a, b, l)),
        Form::Logit => each!(|a, b, l| apply(Form::Logit, a, b, l)),
        Form::Affine => each!(|a, b, l| apply(Form::Affine, a, b, l)),
    }
}

/// Fills `out` with elements `start..start + out.len()` of the seeded sample of a batch whose
/// members have transform parameters `a`, `b` (element `i` uses member `i % a.len()`).
#[inline(always)]
fn chunk<F: Real>(form: Form, a: &[F], b: &[F], seed: u64, start: u64, out: &mut [F]) {
    fill_uniforms(seed, start, out);
    let nb = a.len();
    if nb == 1 {
        run(form, a, b, out);
        return;
    }
    let mut m = (start % nb as u64) as usize;
    let mut rest = out;
    while !rest.is_empty() {
        let len = (nb - m).min(rest.len());
        let (head, tail) = rest.split_at_mut(len);
        run(form, &a[m..m + len], &b[m..m + len], head);
        rest = tail;
        m = 0;
    }
}

/// [`chunk`] compiled for AVX2 and FMA (no fused multiply-add is ever formed: Rust does not
/// contract `a * b + c`, and the code calls no `mul_add`; see the module docs).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn chunk_avx2<F: Real>(form: Form, a: &[F], b: &[F], seed: u64, start: u64, out: &mut [F]) {
    chunk(form, a, b, seed, start, out)
}

/// [`chunk`] compiled for AVX-512 (F, DQ, VL, BW): 64-bit integer conversions and shifts in
/// vector registers, twice the lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
fn chunk_avx512<F: Real>(form: Form, a: &[F], b: &[F], seed: u64, start: u64, out: &mut [F]) {
    chunk(form, a, b, seed, start, out)
}

/// The baseline build of [`chunk`] (no run-time dispatch).
pub(crate) fn sample_chunk_baseline<F: Real>(
    form: Form,
    a: &[F],
    b: &[F],
    seed: u64,
    start: u64,
    out: &mut [F],
) {
    chunk(form, a, b, seed, start, out)
}

/// The instruction-set level of the sampling kernel on this CPU: `"avx512"`, `"avx2"` or
/// `"baseline"` (the values do not depend on it; see the module docs).
pub fn simd_level() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("avx512dq") && has!("avx512vl") && has!("avx512bw") {
            return "avx512";
        }
        if has!("avx2") && has!("fma") {
            return "avx2";
        }
    }
    "baseline"
}

/// [`chunk`] in the best build this CPU runs ([`simd_level`]).
#[allow(unsafe_code)]
pub(crate) fn sample_chunk<F: Real>(
    form: Form,
    a: &[F],
    b: &[F],
    seed: u64,
    start: u64,
    out: &mut [F],
) {
    #[cfg(target_arch = "x86_64")]
    match simd_level() {
        // SAFETY (both arms): `chunk_avx512` and `chunk_avx2` are safe functions whose only
        // requirement is that the CPU supports the target features they are compiled with;
        // `simd_level` returned this arm's level only after detecting every one of them at run
        // time. Their bodies are safe code. Tested by `simd_builds_agree_to_the_bit`.
        "avx512" => return unsafe { chunk_avx512(form, a, b, seed, start, out) },
        "avx2" => return unsafe { chunk_avx2(form, a, b, seed, start, out) },
        _ => {}
    }
    sample_chunk_baseline(form, a, b, seed, start, out)
}

/// Runs one named build (for the tests): `None` if the CPU lacks it.
#[cfg(test)]
#[allow(unsafe_code)]
pub(crate) fn sample_chunk_with<F: Real>(
    level: &str,
    form: Form,
    a: &[F],
    b: &[F],
    seed: u64,
    start: u64,
    out: &mut [F],
) -> Option<()> {
    let rank = |l: &str| ["baseline", "avx2", "avx512"].iter().position(|&x| x == l);
    if rank(level)? > rank(simd_level())? {
        return None;
    }
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in `sample_chunk`: the CPU has this level's features (checked above).
        "avx512" => unsafe { chunk_avx512(form, a, b, seed, start, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        "avx2" => unsafe { chunk_avx2(form, a, b, seed, start, out) },
        _ => sample_chunk_baseline(form, a, b, seed, start, out),
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare<F: Real>(form: Form, a: &[F], b: &[F]) {
        for (start, n) in [(0u64, 1000usize), (3, 997), (1 << 33, 64), (5, 1)] {
            let mut base = vec![F::zero(); n];
            sample_chunk_baseline(form, a, b, 77, start, &mut base);
            for level in ["avx2", "avx512"] {
                let mut fast = vec![F::zero(); n];
                if sample_chunk_with(level, form, a, b, 77, start, &mut fast).is_none() {
                    continue;
                }
                for (j, (x, y)) in base.iter().zip(&fast).enumerate() {
                    let same = x == y || (x.is_nan() && y.is_nan());
                    assert!(same, "{level} {form:?} {start} {j}: {x:?} {y:?}");
                }
            }
            // And with the scalar definition, element by element.
            for (j, x) in base.iter().enumerate() {
                let i = start + j as u64;
                let m = (i % a.len() as u64) as usize;
                let l = logistic_from_uniform(crate::noise::uniform_at::<F>(77, i));
                let want = apply(form, a[m], b[m], l);
                assert!(*x == want || (x.is_nan() && want.is_nan()), "{form:?} {i}");
            }
        }
    }

    fn all<F: Real>() {
        let c = |v: f64| F::from_f64(v);
        let a = [
            c(0.3),
            c(-2.0),
            c(f64::INFINITY),
            c(f64::NAN),
            c(40.0),
            c(-700.0),
            c(0.0),
        ];
        let b = [c(0.5), c(0.01), c(1.0), c(1.0), c(1e-3), c(2.0), c(1e3)];
        for form in [Form::Sigmoid, Form::Logit, Form::Affine] {
            compare(form, &a, &b);
            compare(form, &a[..1], &b[..1]);
        }
    }

    #[test]
    fn simd_builds_agree_to_the_bit() {
        // Every build this CPU runs is compared with the baseline build and with the scalar
        // definition; `simd_level` says which builds that covered.
        println!("simd level: {}", simd_level());
        all::<f64>();
        all::<f32>();
    }
}
