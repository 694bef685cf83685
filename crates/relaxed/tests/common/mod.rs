//! Helpers shared by the integration tests: tolerances (named here, in one place), the error
//! metric of DESIGN §4, a tiny user RNG, a tie-aware Kolmogorov–Smirnov statistic, rigorous
//! critical values, and a composite Simpson rule.
#![allow(dead_code)]

use core::convert::Infallible;

use relaxed::Real;

/// Instantiates generic test functions `fn name<F: Real>()` for both float types: each `name`
/// becomes a module with the tests `name::f32` and `name::f64`.
#[allow(unused_macros)]
macro_rules! f32_and_f64 {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn f32() {
                super::$name::<f32>()
            }
            #[test]
            fn f64() {
                super::$name::<f64>()
            }
        }
    )*};
}

// ----- tolerances (the only place they are set) -----

/// DESIGN §4: every method within 1e-12 (`f64`) / 1e-5 (`f32`) in the error metric of
/// [`err_metric`].
pub fn tol<F: Real>() -> f64 {
    if F::NAME == "f32" { 1e-5 } else { 1e-12 }
}

/// Machine epsilon of `F`, as `f64`.
pub fn eps<F: Real>() -> f64 {
    F::epsilon().as64()
}

/// `F` from an `f64` (rounded to nearest).
pub fn c<F: Real>(v: f64) -> F {
    F::from_f64(v)
}

/// The error metric of DESIGN §4 for a result of type `F`: `|a - r| / max(1, |r|)` for
/// log-space results, `|a - r| / max(|r|, m)` otherwise, `m` the smallest normal `F`; the
/// reference `r` is first rounded to `F` (so a true value beyond `F`'s range must come out as
/// ±inf or 0); ±inf and NaN must match exactly (error 0 when they do, +inf when they do not).
pub fn err_metric<F: Real>(a: f64, r: f64, log_space: bool) -> f64 {
    let r = F::from_f64(r).as64();
    if a.is_nan() || r.is_nan() {
        return if a.is_nan() && r.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if a.is_infinite() || r.is_infinite() {
        return if a == r { 0.0 } else { f64::INFINITY };
    }
    let m = F::min_positive_value().as64();
    let scale = if log_space {
        r.abs().max(1.0)
    } else {
        r.abs().max(m)
    };
    (a - r).abs() / scale
}

/// Asserts `err_metric::<F>(a, r) <= tol`, with a message.
#[track_caller]
pub fn assert_close<F: Real>(a: f64, r: f64, log_space: bool, tol: f64, what: &str) {
    let e = err_metric::<F>(a, r, log_space);
    assert!(
        e <= tol,
        "{what}: got {a:e}, expected {r:e} (error {e:e} > {tol:e})"
    );
}

/// Bitwise equality that treats every NaN as equal.
pub fn same_bits<F: Real>(a: F, b: F) -> bool {
    (a.is_nan() && b.is_nan()) || a.as64().to_bits() == b.as64().to_bits()
}

// ----- independent f64 formulas (the oracle; not the library's kernels) -----

/// `1 / (1 + e^-x)`, computed on the stable side.
pub fn sigmoid64(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln x - ln(1 - x)`; exact-argument logs (`1 - x` is exact for `x >= 1/2`).
pub fn logit64(x: f64) -> f64 {
    if x > 0.5 {
        x.ln() - (1.0 - x).ln()
    } else {
        x.ln() - (-x).ln_1p()
    }
}

/// The RelaxedBernoulli cdf `sigmoid(t logit(x) - l)`, with the support edges.
pub fn rb_cdf64(t: f64, l: f64, x: f64) -> f64 {
    if x < 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        sigmoid64(t * logit64(x) - l)
    }
}

// ----- a user RNG -----

/// xorshift64* (Vigna 2016): a tiny, deterministic user RNG implementing `rand::TryRng`.
#[derive(Clone, Debug)]
pub struct XorShift64Star(pub u64);

impl XorShift64Star {
    /// A generator from any seed (0 is mapped to a fixed non-zero state).
    pub fn new(seed: u64) -> Self {
        XorShift64Star(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }
}

impl rand::TryRng for XorShift64Star {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        Ok(x.wrapping_mul(0x2545_F491_4F6C_DD1D))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

// ----- goodness of fit -----

/// Steps `v` by `k` units in the last place of its own type (negative `k` steps down).
pub trait Ulp: Copy {
    /// `v` moved by `k` representable values, as `f64`.
    fn step(self, k: i32) -> f64;
}

impl Ulp for f64 {
    fn step(self, k: i32) -> f64 {
        let mut v = self;
        for _ in 0..k.unsigned_abs() {
            v = if k > 0 { v.next_up() } else { v.next_down() };
        }
        v
    }
}

impl Ulp for f32 {
    fn step(self, k: i32) -> f64 {
        let mut v = self;
        for _ in 0..k.unsigned_abs() {
            v = if k > 0 { v.next_up() } else { v.next_down() };
        }
        v as f64
    }
}

/// How many units in the last place a computed sample may be off from the correctly rounded
/// value of its exact transform (a stable sigmoid of a few correctly rounded operations is
/// within 2-3 ulp; 4 leaves room).
pub const SAMPLE_ULPS: i32 = 4;

/// A conservative, tie-aware Kolmogorov–Smirnov statistic of `samples` against the continuous
/// cdf `cdf` of the exact (unrounded) variable.
///
/// Samples are rounded values (in `f32` at low temperature a sixth of them are exactly 1.0), so
/// the plain statistic would be dominated by the rounding atoms. For each distinct value `v`
/// with `k0` samples below it and `k1` at or below it, this takes
/// `max(k1/n - F(v + SAMPLE_ULPS ulp), F(v - SAMPLE_ULPS ulp) - k0/n)`. If every sample is
/// within `SAMPLE_ULPS` ulp of the exact transform of its noise, this is at most the KS
/// statistic of the unrounded samples, so the DKW bound of [`ks_critical`] applies to it: the
/// stated false-failure rate is an upper bound. The price is blindness to mass errors inside a
/// few ulp (in `f32` near 1 at `t = 0.1` one ulp holds about 1% of the mass). Errors of the
/// noise itself (`ln u - ln1p(-u)` in `f32`, then divided by `t`) move a sample by more ulps
/// but its cdf value by at most `|L| eps / 4 < 1e-6`; [`KS_SLACK`] covers them.
pub fn ks_statistic<S: Ulp + Into<f64> + PartialOrd>(
    samples: &mut [S],
    cdf: impl Fn(f64) -> f64,
) -> f64 {
    samples.sort_by(|a, b| a.partial_cmp(b).expect("no NaN samples"));
    let n = samples.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < samples.len() {
        let v = samples[i];
        let mut j = i;
        while j < samples.len() && samples[j] == v {
            j += 1;
        }
        let hi = cdf(v.step(SAMPLE_ULPS));
        let lo = cdf(v.step(-SAMPLE_ULPS));
        d = d.max(j as f64 / n - hi).max(lo - i as f64 / n);
        i = j;
    }
    d
}

/// Added to every KS critical value: the cdf effect of rounding in the noise (< 1e-6) and of
/// the uniform's 2^-23 (`f32`) grid (< 1e-7).
pub const KS_SLACK: f64 = 1e-5;

/// The critical value of the KS statistic for a false-failure rate `alpha`:
/// `sqrt(ln(2/alpha) / 2) / sqrt(n)`. By the Dvoretzky–Kiefer–Wolfowitz inequality with
/// Massart's constant, `P(D_n > c) <= 2 exp(-2 n c^2) = alpha` for every `n` (not only
/// asymptotically).
pub fn ks_critical(alpha: f64, n: usize) -> f64 {
    ((2.0 / alpha).ln() / 2.0).sqrt() / (n as f64).sqrt()
}

/// The half-width `e` of a two-sided test of a binomial proportion `p` from `n` trials with
/// false-failure rate at most `alpha`, by Bernstein's inequality:
/// `P(|k/n - p| >= e) <= 2 exp(-n e^2 / (2 p (1-p) + 2e/3)) = alpha`.
pub fn bernstein_halfwidth(p: f64, n: usize, alpha: f64) -> f64 {
    let l = (2.0 / alpha).ln();
    let n = n as f64;
    let var = p * (1.0 - p);
    ((2.0 / 3.0) * l + ((4.0 / 9.0) * l * l + 8.0 * n * var * l).sqrt()) / (2.0 * n)
}

// ----- quadrature -----

/// Composite Simpson rule with `n` (even) intervals on `[a, b]`, summed in `f64`.
pub fn simpson(a: f64, b: f64, n: usize, f: impl Fn(f64) -> f64) -> f64 {
    assert!(n.is_multiple_of(2) && n > 0);
    let h = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for k in 1..n {
        let w = if k % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(a + k as f64 * h);
    }
    s * h / 3.0
}

/// `Real::to_f64` without the clash with `num_traits::ToPrimitive::to_f64` (which returns an
/// `Option`) that a generic `F: Real` has in scope.
pub trait As64 {
    /// The exact `f64` value.
    fn as64(self) -> f64;
}

impl<F: Real> As64 for F {
    fn as64(self) -> f64 {
        Real::to_f64(self)
    }
}

/// A reference table of `refdata/data/` (tab-separated, `#` comment lines, a header line):
/// its column names and its rows of cells.
pub fn load_table(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../refdata/data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let columns = lines
        .next()
        .expect("header")
        .split('\t')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    (columns, rows)
}

/// A reference cell as a number (`inf`, `-inf`, `nan` as words).
pub fn parse_cell(s: &str) -> f64 {
    match s {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" => f64::NAN,
        _ => s.parse().unwrap_or_else(|_| panic!("bad number {s}")),
    }
}
