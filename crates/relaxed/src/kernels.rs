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

/// The instruction-set levels the kernels are compiled for, in increasing order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SimdLevel {
    /// The target's baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 and FMA.
    Avx2,
    /// AVX-512 F, DQ, VL and BW (64-bit integer conversions and shifts in vector registers).
    Avx512,
}

/// The best level this CPU runs (detected at run time; the values never depend on it).
pub fn simd_level() -> SimdLevel {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("avx512dq") && has!("avx512vl") && has!("avx512bw") {
            return SimdLevel::Avx512;
        }
        if has!("avx2") && has!("fma") {
            return SimdLevel::Avx2;
        }
    }
    SimdLevel::Baseline
}

/// Defines `fn name(level, args..)` that runs `body` compiled for `min(level, simd_level())`:
/// three builds of one body (baseline, AVX2, AVX-512), chosen at run time.
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident<$F:ident: Real>($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        #[allow(unsafe_code)]
        $vis fn $name<$F: Real>(level: $crate::kernels::SimdLevel, $($arg: $ty),*) {
            #[inline(always)]
            fn body<$F: Real>($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2<$F: Real>($($arg: $ty),*) {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
            fn avx512<$F: Real>($($arg: $ty),*) {
                body($($arg),*)
            }
            match level.min($crate::kernels::simd_level()) {
                // SAFETY: `avx512` and `avx2` are safe functions whose only requirement is that
                // the CPU supports the target features they are compiled with; the level is
                // capped by `simd_level`, which returns a level only after detecting every one of
                // its features at run time. The bodies are safe code. Tested by
                // `simd_builds_agree_to_the_bit` and, for the evaluation kernels,
                // `evaluation_kernel_builds_agree_to_the_bit` (and the reference-value tests,
                // which run the best build).
                #[cfg(target_arch = "x86_64")]
                $crate::kernels::SimdLevel::Avx512 => unsafe { avx512($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                $crate::kernels::SimdLevel::Avx2 => unsafe { avx2($($arg),*) },
                _ => body($($arg),*),
            }
        }
    };
}
pub(crate) use multiversion;

multiversion! {
    /// The fused sampling pass over one chunk ([`chunk`]) at the given SIMD level.
    pub(crate) fn sample_chunk<F: Real>(
        form: Form,
        a: &[F],
        b: &[F],
        seed: u64,
        start: u64,
        out: &mut [F],
    ) {
        chunk(form, a, b, seed, start, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare<F: Real>(form: Form, a: &[F], b: &[F]) {
        for (start, n) in [(0u64, 1000usize), (3, 997), (1 << 33, 64), (5, 1)] {
            let mut base = vec![F::zero(); n];
            sample_chunk(SimdLevel::Baseline, form, a, b, 77, start, &mut base);
            for level in [SimdLevel::Avx2, SimdLevel::Avx512] {
                let mut fast = vec![F::zero(); n];
                sample_chunk(level, form, a, b, 77, start, &mut fast);
                for (j, (x, y)) in base.iter().zip(&fast).enumerate() {
                    let same = x == y || (x.is_nan() && y.is_nan());
                    assert!(same, "{level:?} {form:?} {start} {j}: {x:?} {y:?}");
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
        println!("simd level: {:?}", simd_level());
        all::<f64>();
        all::<f32>();
    }
}
