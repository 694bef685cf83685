//! The Logistic(loc, scale) distribution, the noise every relaxed distribution rests on.

use std::fmt;
use std::sync::Arc;

use crate::batch::Batch;
use crate::dist::relaxed_bernoulli::{density_from_log, logistic_tail, tails};
use crate::float::{Real, widen_if_needed};
use crate::math::logit;
use crate::shape::ShapeError;
use crate::stats;
use crate::traits::{Function, KlDivergence, Moments, NoiseTransform, Reparameterized, Univariate};

/// Logistic(loc μ, scale s) on the extended real line: `X = μ + s L` with `L` standard
/// logistic noise.
///
/// # Density
///
/// ```text
/// w = (x - μ) / s
/// log p(x) = -ln s - softplus(w) - softplus(-w),  cdf(x) = sigmoid(w),  quantile(q) = μ + s logit(q)
/// ```
///
/// # Sampling
///
/// `x = μ + s ln(u / (1 - u))`, `u` uniform on the open interval (0, 1).
///
/// # Numerical behaviour
///
/// `f64` within 1e-12, `f32` within 1e-5 (widening where `|w|` is large). `x = ±inf` has
/// density `-inf` and cdf 0 / 1; `quantile(0) = -inf`, `quantile(1) = +inf`, NaN outside
/// `[0, 1]`. The quantile near its zero crossing is as accurate as its conditioning allows
/// (`μ + s logit(q)` cancels).
///
/// # Errors
///
/// See [`LogisticErrorKind`]; parameters are checked only with `validate_args`, and invalid
/// parameters otherwise make every method return NaN.
///
/// # Example
///
/// ```
/// use relaxed::{Logistic, Univariate};
/// let d = Logistic::new(1.0_f64, 2.0).unwrap();
/// assert_eq!(d.cdf(1.0).unwrap(), 0.5);
/// assert!((d.log_prob(1.0).unwrap() + (8.0_f64).ln()).abs() < 1e-15);
/// ```
#[derive(Clone, PartialEq)]
pub struct Logistic<F> {
    loc: F,
    scale: F,
    valid: bool,
    validate_args: bool,
    allow_nan_stats: bool,
    name: Arc<str>,
}

impl<F: fmt::Debug> fmt::Debug for Logistic<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logistic")
            .field("name", &&*self.name)
            .field("loc", &self.loc)
            .field("scale", &self.scale)
            .field("validate_args", &self.validate_args)
            .field("allow_nan_stats", &self.allow_nan_stats)
            .finish()
    }
}

/// What was wrong, in a [`LogisticError`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogisticErrorKind {
    /// `validate_args`: the location is NaN or infinite.
    LocNotFinite,
    /// `validate_args`: the scale is zero or negative.
    ScaleNotPositive,
    /// `validate_args`: the scale is NaN or infinite.
    ScaleNotFinite,
    /// `validate_args`: a value is NaN.
    ValueNaN,
    /// `validate_args`: a quantile argument is outside `[0, 1]` or NaN.
    QuantileOutOfRange,
    /// Parameter or value shapes do not broadcast together.
    IncompatibleShapes,
}

/// The error of [`Logistic`]: a [`LogisticErrorKind`] and the distribution's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogisticError {
    kind: LogisticErrorKind,
    name: Arc<str>,
    detail: Option<String>,
}

impl LogisticError {
    /// What was wrong.
    pub fn kind(&self) -> LogisticErrorKind {
        self.kind
    }
}

impl fmt::Display for LogisticError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LogisticErrorKind as K;
        let msg = match self.kind {
            K::LocNotFinite => "Argument `loc` must be finite.",
            K::ScaleNotPositive => "Argument `scale` must be positive.",
            K::ScaleNotFinite => "Argument `scale` must be finite.",
            K::ValueNaN => "Sample must not be NaN.",
            K::QuantileOutOfRange => "Quantile argument must be in [0, 1].",
            K::IncompatibleShapes => "Shapes cannot be broadcast together.",
        };
        write!(f, "{}: {}", self.name, msg)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl core::error::Error for LogisticError {}

// ----- constructors -----

impl<F: Real> Logistic<F> {
    /// Logistic(loc, scale), `validate_args = false` (never fails).
    pub fn new(loc: F, scale: F) -> Result<Self, LogisticError> {
        Self::with_options(loc, scale, false, true, "Logistic")
    }

    /// Logistic(loc, scale) with TFP's options; with `validate_args`, `loc` must be finite and
    /// `scale` finite and positive.
    ///
    /// ```
    /// use relaxed::{Logistic, LogisticErrorKind};
    /// let e = Logistic::with_options(0.0_f64, 0.0, true, true, "noise").unwrap_err();
    /// assert_eq!(e.kind(), LogisticErrorKind::ScaleNotPositive);
    /// assert_eq!(e.to_string(), "noise: Argument `scale` must be positive.");
    /// ```
    pub fn with_options(
        loc: F,
        scale: F,
        validate_args: bool,
        allow_nan_stats: bool,
        name: &str,
    ) -> Result<Self, LogisticError> {
        let name: Arc<str> = Arc::from(name);
        let problem = if !loc.is_finite() {
            Some(LogisticErrorKind::LocNotFinite)
        } else if !scale.is_finite() {
            Some(LogisticErrorKind::ScaleNotFinite)
        } else if scale <= F::zero() {
            Some(LogisticErrorKind::ScaleNotPositive)
        } else {
            None
        };
        if let (Some(kind), true) = (problem, validate_args) {
            return Err(LogisticError {
                kind,
                name,
                detail: None,
            });
        }
        Ok(Logistic {
            loc,
            scale,
            valid: problem.is_none(),
            validate_args,
            allow_nan_stats,
            name,
        })
    }
}

impl<F: Real> Logistic<F> {
    /// A batch: `loc` and `scale` broadcast by NumPy rules into the batch shape.
    ///
    /// ```
    /// use ndarray::{arr1, ArrayD, IxDyn};
    /// use relaxed::Logistic;
    /// let loc = arr1(&[0.0_f64, 1.0]).into_dyn();
    /// let scale = ArrayD::from_elem(IxDyn(&[3, 1]), 2.0);
    /// let b = Logistic::batch(loc, scale, true, true, "noise").unwrap();
    /// assert_eq!(b.batch_shape(), &[3, 2]);
    /// ```
    pub fn batch(
        loc: ndarray::ArrayD<F>,
        scale: ndarray::ArrayD<F>,
        validate_args: bool,
        allow_nan_stats: bool,
        name: &str,
    ) -> Result<Batch<Logistic<F>>, LogisticError> {
        let shape = crate::shape::broadcast_shapes(loc.shape(), scale.shape())
            .map_err(|e| <Logistic<F> as Univariate>::shape_error(name, e))?;
        let lb = loc.broadcast(shape.as_slice()).expect("broadcast shape");
        let sb = scale.broadcast(shape.as_slice()).expect("broadcast shape");
        let members = lb
            .iter()
            .zip(sb.iter())
            .map(|(&l, &s)| Logistic::with_options(l, s, validate_args, allow_nan_stats, name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Batch::from_members(
            shape,
            members,
            Arc::from(name),
            validate_args,
        ))
    }
}

// ----- parameters -----

impl<F: Real> Logistic<F> {
    /// The location μ.
    pub fn loc(&self) -> F {
        self.loc
    }
    /// The scale s.
    pub fn scale(&self) -> F {
        self.scale
    }
    /// Whether the parameters are valid (finite loc, finite positive scale).
    pub fn is_valid(&self) -> bool {
        self.valid
    }
    /// TFP's `allow_nan_stats`.
    pub fn allow_nan_stats(&self) -> bool {
        self.allow_nan_stats
    }
}

// ----- statistics -----

/// Closed forms: mean = mode = μ, variance `s^2 π^2 / 3`, entropy `ln s + 2`.
///
/// ```
/// use relaxed::{Logistic, Moments};
/// let d = Logistic::new(1.0_f64, 2.0).unwrap();
/// assert_eq!(d.mean(), 1.0);
/// assert!((d.variance() - 4.0 * std::f64::consts::PI.powi(2) / 3.0).abs() < 1e-14);
/// ```
impl<F: Real> Moments for Logistic<F> {
    fn mean(&self) -> F {
        self.stat(|m, _| m)
    }
    fn variance(&self) -> F {
        self.stat(|_, s| (s * core::f64::consts::PI).powi(2) / 3.0)
    }
    fn stddev(&self) -> F {
        self.stat(|_, s| s * core::f64::consts::PI / 3f64.sqrt())
    }
    fn entropy(&self) -> F {
        self.stat(|_, s| s.ln() + 2.0)
    }
    fn mode(&self) -> Result<F, LogisticError> {
        Ok(self.stat(|m, _| m))
    }
}

impl<F: Real> Logistic<F> {
    fn stat(&self, f: impl Fn(f64, f64) -> f64) -> F {
        if !self.valid {
            return F::nan();
        }
        F::from_f64(f(self.loc.to_f64(), self.scale.to_f64()))
    }
}

/// `KL(Logistic(μ1, s1) || Logistic(μ2, s2))`: for equal scales `d coth(d/2) - 2` with
/// `d = (μ1 - μ2) / s`, otherwise quadrature (the same kernels as [`crate::RelaxedBernoulli`]
/// with `t = 1/s`, `l = μ/s`).
impl<F: Real> KlDivergence for Logistic<F> {
    fn kl_divergence(&self, other: &Self) -> F {
        if !self.valid || !other.valid {
            return F::nan();
        }
        let (m1, s1) = (self.loc.to_f64(), self.scale.to_f64());
        let (m2, s2) = (other.loc.to_f64(), other.scale.to_f64());
        if s1 == s2 {
            return F::from_f64(stats::kl_equal_temperature((m1 - m2) / s1));
        }
        F::from_f64(stats::kl(1.0 / s1, m1 / s1, 1.0 / s2, m2 / s2))
    }
    fn kl_divergence_sample(&self, other: &Self, noise: F) -> F {
        if !self.valid || !other.valid {
            return F::nan();
        }
        let (m1, s1) = (self.loc.to_f64(), self.scale.to_f64());
        let (m2, s2) = (other.loc.to_f64(), other.scale.to_f64());
        let x = m1 + s1 * noise.to_f64();
        let w2 = (x - m2) / s2;
        let pair = |a: f64| crate::math::softplus(a) + crate::math::softplus(-a);
        F::from_f64((s2 / s1).ln() - pair(noise.to_f64()) + pair(w2))
    }
}

// ----- evaluation -----

fn logistic_eval<G: Real>(f: Function, loc: G, scale: G, x: G) -> (G, G) {
    let zero = G::zero();
    if f == Function::Quantile {
        if x.is_nan() || x < zero || x > G::one() {
            return (G::nan(), zero);
        }
        if x == zero {
            return (G::neg_infinity(), zero);
        }
        if x == G::one() {
            return (G::infinity(), zero);
        }
        let sl = scale * logit(x);
        let r = loc + sl;
        return (r, (loc.abs() + sl.abs()) / r.abs());
    }
    if x.is_nan() {
        return (x, zero);
    }
    if x.is_infinite() {
        if f.is_density() {
            return (density_from_log(f, G::neg_infinity()), zero);
        }
        return (tails(f, x > zero), zero);
    }
    let w = (x - loc) / scale;
    if f.is_density() {
        let ls = scale.fast_ln();
        let tail = (G::one() + G::one()) * (-w.abs()).fast_exp().fast_ln_1p();
        let lp = -ls - w.abs() - tail;
        return (density_from_log(f, lp), ls.abs() + w.abs() + tail);
    }
    (logistic_tail(f, w), w.abs())
}

impl<F: Real> Univariate for Logistic<F> {
    type Float = F;
    type Error = LogisticError;

    fn evaluate_unchecked(&self, f: Function, x: F) -> F {
        if !self.valid {
            return F::nan();
        }
        widen_if_needed(
            f.is_log(),
            || logistic_eval(f, self.loc, self.scale, x),
            || logistic_eval(f, self.loc.to_f64(), self.scale.to_f64(), x.to_f64()).0,
        )
    }

    fn check_value(&self, f: Function, x: F) -> Result<(), LogisticError> {
        if !self.validate_args {
            return Ok(());
        }
        let kind = if f == Function::Quantile {
            if x.is_nan() || x < F::zero() || x > F::one() {
                Some(LogisticErrorKind::QuantileOutOfRange)
            } else {
                None
            }
        } else if x.is_nan() {
            Some(LogisticErrorKind::ValueNaN)
        } else {
            None
        };
        match kind {
            Some(kind) => Err(LogisticError {
                kind,
                name: self.name.clone(),
                detail: None,
            }),
            None => Ok(()),
        }
    }

    fn shape_error(name: &str, e: ShapeError) -> LogisticError {
        LogisticError {
            kind: LogisticErrorKind::IncompatibleShapes,
            name: Arc::from(name),
            detail: Some(e.to_string()),
        }
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn validate_args(&self) -> bool {
        self.validate_args
    }
}

// ----- sampling -----

impl<F: Real> Reparameterized for Logistic<F> {
    #[inline]
    fn from_logistic_noise(&self, noise: F) -> F {
        if !self.valid {
            return F::nan();
        }
        self.loc + self.scale * noise
    }

    /// `x = μ + s L` and `log p(x) = -ln s - softplus(L) - softplus(-L)` (from the noise).
    fn sample_and_log_prob_from_noise(&self, noise: F) -> (F, F) {
        if !self.valid {
            return (F::nan(), F::nan());
        }
        let lp = -self.scale.ln() - crate::math::softplus(noise) - crate::math::softplus(-noise);
        (self.loc + self.scale * noise, lp)
    }

    fn noise_transform(&self) -> NoiseTransform<F> {
        let a = if self.valid { self.loc } else { F::nan() };
        NoiseTransform::Affine { a, b: self.scale }
    }
}

crate::traits::impl_rand_distribution!(Logistic);
