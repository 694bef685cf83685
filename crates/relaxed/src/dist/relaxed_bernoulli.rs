//! The RelaxedBernoulli (binary Concrete, BinConcrete, Gumbel-sigmoid) distribution on [0, 1].

use std::fmt;
use std::sync::Arc;

use ndarray::ArrayD;

use crate::batch::Batch;
use crate::dist::logit_relaxed_bernoulli::LogitRelaxedBernoulli;
use crate::float::{Real, needs_widening, widen_if_needed};
use crate::math::{logit, sigmoid, softplus};
use crate::shape::ShapeError;
use crate::stats;
use crate::traits::generic_run;
use crate::traits::{Function, KlDivergence, Moments, NoiseTransform, Reparameterized, Univariate};

/// RelaxedBernoulli(temperature t, logits l): the binary Concrete distribution of Maddison et
/// al. (2016) ("BinConcrete"), the Gumbel-sigmoid of Jang et al. (2016), on the unit interval.
///
/// `X = sigmoid((l + L) / t)` with `L ~ Logistic(0, 1)`: a continuous relaxation of
/// `Bernoulli(sigmoid(l))`. As `t -> 0` it becomes that Bernoulli (exactly: `P(X > 1/2) =
/// sigmoid(l)` for every `t`); as `t -> inf` it becomes the constant 1/2.
///
/// # Density
///
/// ```text
/// y = logit(x) = ln x - ln(1 - x),  z = t*y - l
/// log p(x) = ln t - softplus(z) - softplus(-z) - ln x - ln(1 - x)      (0 < x < 1)
/// cdf(x) = sigmoid(z),  survival(x) = sigmoid(-z),  quantile(q) = sigmoid((l + logit q) / t)
/// ```
///
/// # Sampling
///
/// `u` uniform on the open interval (0, 1) (see [`crate::noise`]), `L = ln(u / (1 - u))`,
/// `x = sigmoid((l + L) / t)` with a stable sigmoid. Logits built from probs are computed once
/// as `ln p - ln1p(-p)`; sampling never goes through probs.
///
/// # Numerical behaviour
///
/// Every method is evaluated in log space with the two-branch form of TFP (no overflow, no
/// catastrophic cancellation); `f64` results are within 1e-12 of the exact value and `f32`
/// results within 1e-5 (see the crate docs, "Numerical guarantees"), an `f32` evaluation
/// widening to `f64` only where its error bound says it must. Samples can round to exactly 0 or
/// 1 at low temperature (`f32`: the sigmoid is 1 above 16.6 and 0 below -104); their density is
/// then `+inf` (t < 1). Use [`RelaxedBernoulli::sample_and_log_prob`] or
/// [`LogitRelaxedBernoulli`] when the density of such samples matters.
///
/// Edge semantics (TFP's, extended): at `x` in {0, 1} `log_prob` is `+inf` for t < 1, `-inf`
/// for t > 1, `-l` (at 0) and `+l` (at 1) for t = 1. Infinite logits are point masses (probs =
/// 0 at 0, probs = 1 at 1). Without `validate_args`, `x` outside `[0, 1]` gives `log_prob =
/// -inf`, `prob = 0`, `cdf = 0` below and `1` above; quantile of `q` outside `[0, 1]` is NaN.
/// Invalid parameters (t <= 0, t not finite, NaN logits, probs outside [0, 1]) are an error
/// with `validate_args`; without it, every method returns NaN for them.
///
/// # Errors
///
/// See [`RelaxedBernoulliErrorKind`].
///
/// # Example
///
/// ```
/// use relaxed::{RelaxedBernoulli, Univariate};
/// let d = RelaxedBernoulli::from_logits(0.5_f64, 0.3).unwrap();
/// // P(X <= 1/2) = sigmoid(-logits) at every temperature.
/// assert!((d.cdf(0.5).unwrap() - 1.0 / (1.0 + 0.3_f64.exp())).abs() < 1e-15);
/// let x = d.quantile(0.9).unwrap();
/// assert!((d.cdf(x).unwrap() - 0.9).abs() < 1e-14);
/// ```
///
/// # References
///
/// - C. J. Maddison, A. Mnih, Y. W. Teh, "The Concrete Distribution", ICLR 2017 (arXiv:1611.00712).
/// - E. Jang, S. Gu, B. Poole, "Categorical Reparameterization with Gumbel-Softmax", ICLR 2017
///   (arXiv:1611.01144).
#[derive(Clone, PartialEq)]
pub struct RelaxedBernoulli<F> {
    pub(crate) temperature: F,
    pub(crate) logits: F,
    /// The logits in `f64`, computed from the exact parameter (for `f32` widening).
    pub(crate) logits64: f64,
    pub(crate) probs: Option<F>,
    pub(crate) valid: bool,
    pub(crate) validate_args: bool,
    pub(crate) allow_nan_stats: bool,
    pub(crate) name: Arc<str>,
}

impl<F: fmt::Debug> fmt::Debug for RelaxedBernoulli<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("RelaxedBernoulli");
        s.field("name", &&*self.name)
            .field("temperature", &self.temperature);
        match &self.probs {
            Some(p) => s.field("probs", p),
            None => s.field("logits", &self.logits),
        };
        s.field("validate_args", &self.validate_args)
            .field("allow_nan_stats", &self.allow_nan_stats)
            .finish()
    }
}

/// What was wrong, in a [`RelaxedBernoulliError`] (also used by [`LogitRelaxedBernoulli`]).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelaxedBernoulliErrorKind {
    /// Both `logits` and `probs` were given (a builder only; TFP silently used logits).
    BothLogitsAndProbs,
    /// Neither `logits` nor `probs` was given (a builder only).
    NeitherLogitsNorProbs,
    /// `validate_args`: the temperature is zero or negative.
    TemperatureNotPositive,
    /// `validate_args`: the temperature is NaN or infinite.
    TemperatureNotFinite,
    /// `validate_args`: a logit is NaN.
    LogitsNaN,
    /// `validate_args`: a probability is below 0.
    ProbsBelowZero,
    /// `validate_args`: a probability is above 1.
    ProbsAboveOne,
    /// `validate_args`: a probability is NaN.
    ProbsNaN,
    /// `validate_args`: a value is below the support.
    ValueBelowSupport,
    /// `validate_args`: a value is above the support.
    ValueAboveSupport,
    /// `validate_args`: a value is NaN.
    ValueNaN,
    /// `validate_args`: a quantile argument is outside `[0, 1]` or NaN.
    QuantileOutOfRange,
    /// Parameter or value shapes do not broadcast together.
    IncompatibleShapes,
    /// `allow_nan_stats = false`: the statistic is undefined (the mode for `t <= 1`).
    UndefinedStatistic,
}

/// The error of [`RelaxedBernoulli`] and [`LogitRelaxedBernoulli`]: a
/// [`RelaxedBernoulliErrorKind`] and the distribution's name (shown in the message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelaxedBernoulliError {
    kind: RelaxedBernoulliErrorKind,
    name: Arc<str>,
    detail: Option<String>,
}

impl RelaxedBernoulliError {
    pub(crate) fn new(kind: RelaxedBernoulliErrorKind, name: &Arc<str>) -> Self {
        RelaxedBernoulliError {
            kind,
            name: name.clone(),
            detail: None,
        }
    }
    /// What was wrong.
    pub fn kind(&self) -> RelaxedBernoulliErrorKind {
        self.kind
    }
    /// The name of the distribution that reported it.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for RelaxedBernoulliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RelaxedBernoulliErrorKind as K;
        let msg = match self.kind {
            K::BothLogitsAndProbs => "Must pass `logits` or `probs`, but not both.",
            K::NeitherLogitsNorProbs => "Must pass one of `logits` or `probs`.",
            K::TemperatureNotPositive => "Argument `temperature` must be positive.",
            K::TemperatureNotFinite => "Argument `temperature` must be finite.",
            K::LogitsNaN => "Argument `logits` has NaN components.",
            K::ProbsBelowZero => "Argument `probs` has components less than 0.",
            K::ProbsAboveOne => "Argument `probs` has components greater than 1.",
            K::ProbsNaN => "Argument `probs` has NaN components.",
            K::ValueBelowSupport => "Sample must be non-negative.",
            K::ValueAboveSupport => "Sample must be less than or equal to `1`.",
            K::ValueNaN => "Sample must not be NaN.",
            K::QuantileOutOfRange => "Quantile argument must be in [0, 1].",
            K::IncompatibleShapes => "Shapes cannot be broadcast together.",
            K::UndefinedStatistic => {
                "The mode is undefined for temperature <= 1 (the density has no interior \
                 maximum); pass allow_nan_stats = true to get NaN."
            }
        };
        write!(f, "{}: {}", self.name, msg)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl core::error::Error for RelaxedBernoulliError {}

/// Builder for [`RelaxedBernoulli`] and [`LogitRelaxedBernoulli`], scalar (`P = F`) or batched
/// (`P = ArrayD<F>`): exactly one of [`logits`](Self::logits) / [`probs`](Self::probs).
///
/// ```
/// use relaxed::{RelaxedBernoulli, RelaxedBernoulliErrorKind};
/// let e = RelaxedBernoulli::builder(0.5_f64).logits(1.0).probs(0.3).build().unwrap_err();
/// assert_eq!(e.kind(), RelaxedBernoulliErrorKind::BothLogitsAndProbs);
/// let e = RelaxedBernoulli::builder(-1.0_f64).logits(1.0).validate_args(true).build().unwrap_err();
/// assert_eq!(e.kind(), RelaxedBernoulliErrorKind::TemperatureNotPositive);
/// ```
#[derive(Clone, Debug)]
pub struct RelaxedBernoulliBuilder<P> {
    temperature: P,
    logits: Option<P>,
    probs: Option<P>,
    validate_args: bool,
    allow_nan_stats: bool,
    name: Option<String>,
}

impl<P> RelaxedBernoulliBuilder<P> {
    /// A builder with the given temperature, `validate_args = false`, `allow_nan_stats = true`.
    pub fn new(temperature: P) -> Self {
        RelaxedBernoulliBuilder {
            temperature,
            logits: None,
            probs: None,
            validate_args: false,
            allow_nan_stats: true,
            name: None,
        }
    }
    /// Sets the logits (log-odds of the relaxed event).
    pub fn logits(mut self, logits: P) -> Self {
        self.logits = Some(logits);
        self
    }
    /// Sets the probabilities `sigmoid(logits)` instead of the logits.
    pub fn probs(mut self, probs: P) -> Self {
        self.probs = Some(probs);
        self
    }
    /// Turns parameter and value checks on or off (default off, as TFP).
    pub fn validate_args(mut self, on: bool) -> Self {
        self.validate_args = on;
        self
    }
    /// Whether an undefined statistic is NaN (true, default) or an error (false).
    pub fn allow_nan_stats(mut self, on: bool) -> Self {
        self.allow_nan_stats = on;
        self
    }
    /// The name shown in errors and `Debug` output (default "RelaxedBernoulli").
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    fn parts(self, default_name: &str) -> Result<(P, Param<P>, Flags), RelaxedBernoulliError> {
        let name: Arc<str> = Arc::from(self.name.as_deref().unwrap_or(default_name));
        let param = match (self.logits, self.probs) {
            (Some(l), None) => Param::Logits(l),
            (None, Some(p)) => Param::Probs(p),
            (Some(_), Some(_)) => {
                return Err(RelaxedBernoulliError::new(
                    RelaxedBernoulliErrorKind::BothLogitsAndProbs,
                    &name,
                ));
            }
            (None, None) => {
                return Err(RelaxedBernoulliError::new(
                    RelaxedBernoulliErrorKind::NeitherLogitsNorProbs,
                    &name,
                ));
            }
        };
        let flags = Flags {
            validate_args: self.validate_args,
            allow_nan_stats: self.allow_nan_stats,
            name,
        };
        Ok((self.temperature, param, flags))
    }
}

enum Param<P> {
    Logits(P),
    Probs(P),
}

pub(crate) struct Flags {
    validate_args: bool,
    allow_nan_stats: bool,
    name: Arc<str>,
}

impl<F: Real> RelaxedBernoulliBuilder<F> {
    /// Builds the scalar distribution.
    pub fn build(self) -> Result<RelaxedBernoulli<F>, RelaxedBernoulliError> {
        let (t, param, flags) = self.parts("RelaxedBernoulli")?;
        let p = match param {
            Param::Logits(l) => (l, None),
            Param::Probs(p) => (p, Some(p)),
        };
        RelaxedBernoulli::checked(t, p.0, p.1, &flags)
    }
    /// Builds the scalar logit-space distribution.
    pub fn build_logit(self) -> Result<LogitRelaxedBernoulli<F>, RelaxedBernoulliError> {
        let named = self.name.is_some();
        let mut d = self.build()?;
        if !named {
            d.name = Arc::from("LogitRelaxedBernoulli");
        }
        Ok(LogitRelaxedBernoulli { inner: d })
    }
}

impl<F: Real> RelaxedBernoulliBuilder<ArrayD<F>> {
    /// Builds the batch: temperature and logits|probs broadcast by NumPy rules into the batch
    /// shape.
    pub fn build(self) -> Result<Batch<RelaxedBernoulli<F>>, RelaxedBernoulliError> {
        let (t, param, flags) = self.parts("RelaxedBernoulli")?;
        let (values, is_probs) = match param {
            Param::Logits(l) => (l, false),
            Param::Probs(p) => (p, true),
        };
        let shape = crate::shape::broadcast_shapes(t.shape(), values.shape()).map_err(|e| {
            let mut err = RelaxedBernoulliError::new(
                RelaxedBernoulliErrorKind::IncompatibleShapes,
                &flags.name,
            );
            err.detail = Some(format!("temperature {:?}, parameter {:?}", e.left, e.right));
            err
        })?;
        let tb = t
            .broadcast(shape.as_slice())
            .expect("shape is the broadcast of both");
        let vb = values
            .broadcast(shape.as_slice())
            .expect("shape is the broadcast of both");
        let mut members = Vec::with_capacity(tb.len());
        for (&t, &v) in tb.iter().zip(vb.iter()) {
            let probs = if is_probs { Some(v) } else { None };
            members.push(RelaxedBernoulli::checked(t, v, probs, &flags)?);
        }
        Ok(Batch::from_members(
            shape,
            members,
            flags.name,
            flags.validate_args,
        ))
    }
    /// Builds the logit-space batch.
    pub fn build_logit(self) -> Result<Batch<LogitRelaxedBernoulli<F>>, RelaxedBernoulliError> {
        let named = self.name.is_some();
        let batch = self.build()?;
        let validate = batch.validate_args();
        let lname: Arc<str> = Arc::from("LogitRelaxedBernoulli");
        let name: Arc<str> = if named {
            Arc::from(batch.name())
        } else {
            lname.clone()
        };
        let (shape, members) = batch.into_parts();
        let members = members
            .into_iter()
            .map(|mut d| {
                if !named {
                    d.name = lname.clone();
                }
                LogitRelaxedBernoulli { inner: d }
            })
            .collect();
        Ok(Batch::from_members(shape, members, name, validate))
    }
}

// ----- constructors -----

impl<F: Real> RelaxedBernoulli<F> {
    /// RelaxedBernoulli(temperature, logits), `validate_args = false`.
    ///
    /// Never fails (the `Result` is for the builder's checks, which are off here); use
    /// [`RelaxedBernoulli::builder`] with `validate_args(true)` to reject invalid parameters.
    pub fn from_logits(temperature: F, logits: F) -> Result<Self, RelaxedBernoulliError> {
        Self::builder(temperature).logits(logits).build()
    }

    /// RelaxedBernoulli(temperature, probs), `validate_args = false`; `logits = ln p - ln1p(-p)`
    /// without clamping (probs 0 and 1 give infinite logits, which are legal point masses).
    pub fn from_probs(temperature: F, probs: F) -> Result<Self, RelaxedBernoulliError> {
        Self::builder(temperature).probs(probs).build()
    }

    /// A builder for the scalar distribution (all options).
    pub fn builder(temperature: F) -> RelaxedBernoulliBuilder<F> {
        RelaxedBernoulliBuilder::new(temperature)
    }

    /// A builder for a batch: parameters are arrays of any shapes that broadcast together.
    ///
    /// ```
    /// use ndarray::{ArrayD, IxDyn};
    /// use relaxed::RelaxedBernoulli;
    /// let t = ArrayD::from_shape_vec(IxDyn(&[3, 1]), vec![0.1, 1.0, 10.0]).unwrap();
    /// let l = ArrayD::from_shape_vec(IxDyn(&[4]), vec![-1.0, 0.0, 1.0, 2.0]).unwrap();
    /// let b = RelaxedBernoulli::batch_builder(t).logits(l).build().unwrap();
    /// assert_eq!(b.batch_shape(), &[3, 4]);
    /// ```
    pub fn batch_builder(temperature: ArrayD<F>) -> RelaxedBernoulliBuilder<ArrayD<F>> {
        RelaxedBernoulliBuilder::new(temperature)
    }

    pub(crate) fn checked(
        t: F,
        value: F,
        probs: Option<F>,
        flags: &Flags,
    ) -> Result<Self, RelaxedBernoulliError> {
        use RelaxedBernoulliErrorKind as K;
        let problem = if t.is_nan() || t.is_infinite() {
            Some(K::TemperatureNotFinite)
        } else if t <= F::zero() {
            Some(K::TemperatureNotPositive)
        } else if probs.is_some() && value.is_nan() {
            Some(K::ProbsNaN)
        } else if probs.is_some() && value < F::zero() {
            Some(K::ProbsBelowZero)
        } else if probs.is_some() && value > F::one() {
            Some(K::ProbsAboveOne)
        } else if value.is_nan() {
            Some(K::LogitsNaN)
        } else {
            None
        };
        if let (Some(kind), true) = (problem, flags.validate_args) {
            return Err(RelaxedBernoulliError::new(kind, &flags.name));
        }
        let (logits, logits64) = match probs {
            Some(p) => (logit(p), logit(p.to_f64())),
            None => (value, value.to_f64()),
        };
        Ok(RelaxedBernoulli {
            temperature: t,
            logits,
            logits64,
            probs,
            valid: problem.is_none(),
            validate_args: flags.validate_args,
            allow_nan_stats: flags.allow_nan_stats,
            name: flags.name.clone(),
        })
    }
}

impl<F: Real> RelaxedBernoulli<F> {
    /// The logits as the evaluation kernel takes them: NaN for an invalid member (flagged).
    #[inline]
    fn kernel_logits(&self) -> F {
        if self.valid { self.logits } else { F::nan() }
    }
}

// ----- parameters -----

impl<F: Real> RelaxedBernoulli<F> {
    /// The temperature `t`.
    pub fn temperature(&self) -> F {
        self.temperature
    }
    /// The logits: as given, or `ln p - ln1p(-p)` (unclamped; ±inf for probs 1 and 0).
    pub fn logits_parameter(&self) -> F {
        self.logits
    }
    /// The probabilities: as given, or `sigmoid(logits)` (unclamped).
    pub fn probs_parameter(&self) -> F {
        self.probs.unwrap_or_else(|| sigmoid(self.logits))
    }
    /// Whether the parameters are valid (t finite and > 0, no NaN, probs in [0, 1]). Invalid
    /// parameters are only possible with `validate_args = false`; every method then returns NaN.
    pub fn is_valid(&self) -> bool {
        self.valid
    }
    /// TFP's `allow_nan_stats`: whether an undefined statistic is NaN (true) or an error.
    pub fn allow_nan_stats(&self) -> bool {
        self.allow_nan_stats
    }
    /// The logit-space distribution `Y = logit(X)` with the same parameters and options.
    pub fn to_logit(&self) -> LogitRelaxedBernoulli<F> {
        LogitRelaxedBernoulli {
            inner: self.clone(),
        }
    }
}

// ----- statistics -----

/// Mean, variance, entropy and the mode by quadrature over the logistic noise, in `f64` (see
/// [`crate::stats`]); `f32` results are rounded once from the `f64` values. The mean at `t = 1`
/// is the closed form `a (a - 1 - ln a) / (a - 1)^2`, `a = e^l`, written stably. The mode is the
/// interior maximiser for `t > 1` and undefined for `t <= 1` (the density is log-convex and
/// unbounded at an edge). Infinite logits are point masses (mean 0 or 1, variance 0, entropy
/// `-inf`, mode at the mass).
///
/// ```
/// use relaxed::{Moments, RelaxedBernoulli};
/// let d = RelaxedBernoulli::from_logits(1.0_f64, 1.0).unwrap();
/// assert!((d.mean() - 0.661303112661534).abs() < 1e-14);
/// assert!(d.mode().unwrap().is_nan()); // t <= 1: undefined, allow_nan_stats = true
/// let strict = RelaxedBernoulli::builder(1.0_f64).logits(1.0).allow_nan_stats(false).build().unwrap();
/// assert!(strict.mode().is_err());
/// let hot = RelaxedBernoulli::from_logits(2.0_f64, 1.0).unwrap();
/// assert!((hot.mode().unwrap() - 0.659443609234534).abs() < 1e-14);
/// ```
impl<F: Real> Moments for RelaxedBernoulli<F> {
    fn mean(&self) -> F {
        self.stat(stats::mean)
    }
    fn variance(&self) -> F {
        self.stat(stats::variance)
    }
    fn stddev(&self) -> F {
        self.stat(|t, l| stats::variance(t, l).sqrt())
    }
    fn entropy(&self) -> F {
        self.stat(stats::entropy)
    }
    fn mode(&self) -> Result<F, RelaxedBernoulliError> {
        if !self.valid {
            return Ok(F::nan());
        }
        match stats::mode(self.temperature.to_f64(), self.logits64) {
            Some(m) => Ok(F::from_f64(m)),
            None if self.allow_nan_stats => Ok(F::nan()),
            None => Err(RelaxedBernoulliError::new(
                RelaxedBernoulliErrorKind::UndefinedStatistic,
                &self.name,
            )),
        }
    }
}

impl<F: Real> RelaxedBernoulli<F> {
    fn stat(&self, f: impl Fn(f64, f64) -> f64) -> F {
        if !self.valid {
            return F::nan();
        }
        F::from_f64(f(self.temperature.to_f64(), self.logits64))
    }
}

/// `KL(p || q)` is the KL divergence between the logit-space Logistics (the sigmoid is a
/// bijection, so it is the same number): `d coth(d/2) - 2` with `d = l_p - l_q` for equal
/// temperatures (a series for small `d`), quadrature otherwise. The Monte Carlo term is
/// evaluated in logit space, where it never saturates.
///
/// ```
/// use relaxed::{KlDivergence, RelaxedBernoulli};
/// let p = RelaxedBernoulli::from_logits(0.5_f64, 1.0 + 1e-8).unwrap();
/// let q = RelaxedBernoulli::from_logits(0.5_f64, 1.0).unwrap();
/// let kl = p.kl_divergence(&q);
/// assert!((kl / (1e-16 / 6.0) - 1.0).abs() < 1e-7); // d^2 / 6
/// ```
impl<F: Real> KlDivergence for RelaxedBernoulli<F> {
    fn kl_divergence(&self, other: &Self) -> F {
        if !self.valid || !other.valid {
            return F::nan();
        }
        F::from_f64(stats::kl(
            self.temperature.to_f64(),
            self.logits64,
            other.temperature.to_f64(),
            other.logits64,
        ))
    }
    fn kl_divergence_sample(&self, other: &Self, noise: F) -> F {
        if !self.valid || !other.valid {
            return F::nan();
        }
        F::from_f64(stats::kl_sample(
            self.temperature.to_f64(),
            self.logits64,
            other.temperature.to_f64(),
            other.logits64,
            noise.to_f64(),
        ))
    }
}

// ----- evaluation -----

/// An evaluation kernel over the parameters `(t, l)` of the RelaxedBernoulli family, generic
/// over the float type so that `f32` evaluation can be redone in `f64`.
pub(crate) trait Kernel {
    /// The value of `f` at `x` and the magnitude sum that bounds its rounding error.
    fn eval<G: Real>(f: Function, t: G, l: G, x: G) -> (G, G);
}

/// The kernel of [`RelaxedBernoulli`] ([`rb_eval`]).
pub(crate) struct RelaxedKernel;

impl Kernel for RelaxedKernel {
    fn eval<G: Real>(f: Function, t: G, l: G, x: G) -> (G, G) {
        rb_eval(f, t, l, x)
    }
}

impl<F: Real> RelaxedBernoulli<F> {
    /// Evaluates with kernel `K`: NaN for invalid parameters, else in `F`, widened to `f64`
    /// (with the `f64` logits) where the kernel's error bound asks for it.
    pub(crate) fn evaluate_kernel<K: Kernel>(&self, f: Function, x: F) -> F {
        if !self.valid {
            return F::nan();
        }
        let (t, l) = (self.temperature, self.logits);
        widen_if_needed(
            f.is_log(),
            || K::eval(f, t, l, x),
            || K::eval(f, t.to_f64(), self.logits64, x.to_f64()).0,
        )
    }
}

/// Elements per block of [`Univariate::evaluate_run`] for [`RelaxedBernoulli`].
const RUN_BLOCK: usize = 256;

/// The RelaxedBernoulli kernels in one float type, with the magnitude sum that bounds their
/// rounding error (0 for the exact special cases).
pub(crate) fn rb_eval<G: Real>(f: Function, t: G, l: G, x: G) -> (G, G) {
    let zero = G::zero();
    let one = G::one();
    let inf = G::infinity();
    if f == Function::Quantile {
        return (rb_quantile(t, l, x), zero);
    }
    if x.is_nan() {
        return (x, zero);
    }
    let below = || tails(f, false);
    let above = || tails(f, true);
    // Outside the support.
    if x < zero {
        return (
            if f.is_density() {
                density_out(f)
            } else {
                below()
            },
            zero,
        );
    }
    if x > one {
        return (
            if f.is_density() {
                density_out(f)
            } else {
                above()
            },
            zero,
        );
    }
    // Infinite logits: point masses at 0 (l = -inf) and 1 (l = +inf).
    if l.is_infinite() {
        let at_mass = if l < zero { x == zero } else { x == one };
        if f.is_density() {
            let lp = if at_mass { inf } else { -inf };
            return (density_from_log(f, lp), zero);
        }
        let cdf_is_one = l < zero || x == one;
        return (if cdf_is_one { above() } else { below() }, zero);
    }
    // The support edges.
    if x == zero || x == one {
        if f.is_density() {
            let lp = if t < one {
                inf
            } else if t > one {
                -inf
            } else if x == zero {
                -l
            } else {
                l
            };
            return (density_from_log(f, lp), zero);
        }
        return (if x == zero { below() } else { above() }, zero);
    }
    rb_interior(f, t, l, x)
}

/// The RelaxedBernoulli kernels for `0 < x < 1` and finite logits, branch-free (selects only),
/// so that a loop over them vectorises; with the magnitude sum that bounds the rounding error.
///
/// The density uses `y = ln x - ln1p(-x)` (its absolute error, `eps (|ln x| + |ln1p(-x)|)`, is
/// in the magnitude sum) and TFP's two-branch form chosen by the sign of `z = t y - l`; the cdf
/// family uses the accurate [`logit`], which keeps `t * logit(x)` exact to a few ulp near
/// `x = 1/2`.
#[inline(always)]
pub(crate) fn rb_interior<G: Real>(f: Function, t: G, l: G, x: G) -> (G, G) {
    if f.is_density() {
        let (lp, s) = rb_density(t, l, x);
        return (density_from_log(f, lp), s);
    }
    let (z, s) = rb_z(t, l, x);
    (logistic_tail(f, z), s)
}

/// The log density for `0 < x < 1` and finite logits, and its magnitude sum: in `f64` the
/// two-branch form ([`rb_density_branches`]), in `f32` (a type that widens) the cheaper
/// [`rb_density_narrow`].
#[inline(always)]
fn rb_density<G: Real>(t: G, l: G, x: G) -> (G, G) {
    if G::NEEDS_WIDENING {
        rb_density_narrow(t, l, x)
    } else {
        rb_density_branches(t, l, x)
    }
}

/// The log density in a type that widens (`f32`), with about half the operations of the
/// two-branch form, from `softplus(z) + softplus(-z) = |z| + 2 ln(1 + e^-|z|)`:
///
/// ```text
/// log p = ((ln t - |z|) - (ln x + ln(1 - x))) - 2 ln(1 + e^-|z|),   z = t (ln x - ln(1 - x)) - l
/// ```
///
/// with the lean functions of [`crate::fastmath`] (no special values, no division in the
/// `ln1p`s): `ln x` ([`Real::fast_ln_normal`], 1 ulp), `ln(1 - x)` ([`Real::fast_ln_1p_unit`],
/// 2 ulp), `ln(1 + e^-|z|)` ([`Real::fast_ln_1p_unit_pos`], 1 ulp), `e^-|z|`
/// ([`Real::fast_exp_nonpos`], 1 ulp, floored at
/// `e^-87`: an absolute error below 1.7e-38). The magnitude sum is
/// `S = |ln t| + |l| + |z| + (t + 1)(|ln x| + |ln(1 - x)|) + 2 tail` (the errors of `ln x` and
/// `ln(1 - x)` reach the result once directly and once through `z`, times `t`, hence the
/// factor `t + 1`; `|z| <= t (|ln x| + |ln(1 - x)|) + |l|`). A term-by-term worst case (1 ulp
/// per function, 2 for `ln(1 - x)`, half an ulp per arithmetic rounding of a partial sum, all
/// errors aligned) gives `12 * 2^-24 * S`, which at [`Real::WIDEN_RATIO`] = 32 would allow
/// 2.3e-5 relative: the `f32` accuracy of this kernel is a measured guarantee, not a proved
/// one. Measured: at most 1.7e-6 over 1.2 million sampled, grid and tail values against `f64`
/// (`tests/reference_values.rs`), 1.5e-6 against the mpmath tables (bound 1e-5). Where `S` is large
/// against the result (a large logit cancelled by `t logit(x)`), [`needs_widening`] asks for
/// `f64`. `ln x` needs a normal `x`: a subnormal `x` gets a NaN magnitude sum, which widens.
/// Cancellation-free terms aside, the form is exact to the same rounding budget as the
/// two-branch form (both expand to `l - (t + 1) ln x + (t - 1) ln(1 - x)` for `z >= 0`).
#[inline(always)]
fn rb_density_narrow<G: Real>(t: G, l: G, x: G) -> (G, G) {
    let one = G::one();
    let two = one + one;
    let lx = x.fast_ln_normal();
    let l1x = (-x).fast_ln_1p_unit();
    let az = (t * (lx - l1x) - l).abs();
    let tail = two * (-az).fast_exp_nonpos().fast_ln_1p_unit_pos();
    let lt = t.fast_ln();
    let sum = lx + l1x;
    let lp = ((lt - az) - sum) - tail;
    // ln x, ln(1 - x) <= 0, so |ln x| + |ln(1 - x)| = -sum.
    let s = (lt.abs() + l.abs()) + az - (t + one) * sum + two * tail;
    let s = if x < G::min_positive_value() {
        G::nan()
    } else {
        s
    };
    (lp, s)
}

/// The log density in TFP's two-branch form (chosen by the sign of `z`), and its magnitude sum.
#[inline(always)]
fn rb_density_branches<G: Real>(t: G, l: G, x: G) -> (G, G) {
    let one = G::one();
    let lx = x.fast_ln();
    let l1x = (-x).fast_ln_1p();
    let z = t * (lx - l1x) - l;
    let tail = (one + one) * (-z.abs()).fast_exp().fast_ln_1p();
    let neg = z < G::zero();
    let a = if neg { -l } else { l };
    let b = if neg { (t - one) * lx } else { -(t + one) * lx };
    let c = if neg {
        -(t + one) * l1x
    } else {
        (t - one) * l1x
    };
    let lt = t.fast_ln();
    let lp = lt + a + b + c - tail;
    let s = lt.abs() + a.abs() + b.abs() + c.abs() + tail + t * (lx.abs() + l1x.abs()) + l.abs();
    (lp, s)
}

/// `z = t logit(x) - l` (the cdf is `sigmoid(z)`) and its magnitude sum.
#[inline(always)]
fn rb_z<G: Real>(t: G, l: G, x: G) -> (G, G) {
    let ty = t * logit(x);
    (ty - l, ty.abs() + l.abs())
}

/// Whether an interior result `r` (with magnitude sum `s`) cannot stand: `x` not strictly
/// inside (0, 1) or NaN, logits not finite (also how invalid parameters are marked), or an
/// `f32` error bound that asks for `f64` ([`needs_widening`], the rule of [`widen_if_needed`]).
#[inline(always)]
fn rb_flag<G: Real>(log_space: bool, r: G, s: G, l: G, x: G) -> bool {
    // `!(0 < x < 1)` is also true for NaN.
    needs_widening(log_space, r, s) | !((x > G::zero()) & (x < G::one())) | !l.is_finite()
}

crate::kernels::multiversion! {
    /// The interior kernel over a block: `out[j]` and `flags[j]` (see [`rb_flag`]) for
    /// parameters `t`, `l` (each of length 1 or the block's length; `t` of length 1 with `l`
    /// of the block's length is the one-temperature case) and values `xs`.
    fn rb_block<F: Real>(
        f: Function,
        t: &[F],
        l: &[F],
        xs: &[F],
        out: &mut [F],
        flags: &mut [bool],
    ) {
        macro_rules! lanes {
            ($kernel:expr) => {
                if t.len() == 1 && l.len() == 1 {
                    let (t, l) = (t[0], l[0]);
                    for ((o, g), &x) in out.iter_mut().zip(flags.iter_mut()).zip(xs) {
                        (*o, *g) = $kernel(t, l, x);
                    }
                } else if t.len() == 1 {
                    // One temperature, many logits (e.g. a scalar temperature broadcast
                    // against an array of logits): `ln t` stays out of the loop.
                    let t = t[0];
                    for (((o, g), &x), &l) in
                        out.iter_mut().zip(flags.iter_mut()).zip(xs).zip(l)
                    {
                        (*o, *g) = $kernel(t, l, x);
                    }
                } else {
                    let params = t.iter().zip(l);
                    for (((o, g), &x), (&t, &l)) in
                        out.iter_mut().zip(flags.iter_mut()).zip(xs).zip(params)
                    {
                        (*o, *g) = $kernel(t, l, x);
                    }
                }
            };
        }
        match f {
            Function::LogProb => lanes!(|t, l, x| {
                let (r, s) = rb_density(t, l, x);
                (r, rb_flag(true, r, s, l, x))
            }),
            Function::Prob => lanes!(|t, l, x| {
                let (lp, s) = rb_density(t, l, x);
                let r = density_from_log(Function::Prob, lp);
                (r, rb_flag(false, r, s, l, x))
            }),
            Function::Cdf => lanes!(|t, l, x| {
                let (z, s) = rb_z(t, l, x);
                let r = logistic_tail(Function::Cdf, z);
                (r, rb_flag(false, r, s, l, x))
            }),
            Function::LogCdf => lanes!(|t, l, x| {
                let (z, s) = rb_z(t, l, x);
                let r = logistic_tail(Function::LogCdf, z);
                (r, rb_flag(true, r, s, l, x))
            }),
            Function::Survival => lanes!(|t, l, x| {
                let (z, s) = rb_z(t, l, x);
                let r = logistic_tail(Function::Survival, z);
                (r, rb_flag(false, r, s, l, x))
            }),
            Function::LogSurvival => lanes!(|t, l, x| {
                let (z, s) = rb_z(t, l, x);
                let r = logistic_tail(Function::LogSurvival, z);
                (r, rb_flag(true, r, s, l, x))
            }),
            // The quantile has no interior kernel: every element is flagged.
            Function::Quantile => flags.iter_mut().for_each(|g| *g = true),
        }
    }
}

/// `cdf`, `log_cdf`, `survival`, `log_survival` of a variable whose cdf is `sigmoid(z)`.
#[inline]
pub(crate) fn logistic_tail<G: Real>(f: Function, z: G) -> G {
    match f {
        Function::Cdf => sigmoid(z),
        Function::LogCdf => -softplus(-z),
        Function::Survival => sigmoid(-z),
        _ => -softplus(z),
    }
}

/// The four tail values below (`cdf = 0`) or at/above (`cdf = 1`) the support.
#[inline]
pub(crate) fn tails<G: Real>(f: Function, cdf_is_one: bool) -> G {
    let (c, lc, s, ls) = if cdf_is_one {
        (G::one(), G::zero(), G::zero(), G::neg_infinity())
    } else {
        (G::zero(), G::neg_infinity(), G::one(), G::zero())
    };
    match f {
        Function::Cdf => c,
        Function::LogCdf => lc,
        Function::Survival => s,
        _ => ls,
    }
}

/// `log_prob = -inf`, `prob = 0` (outside the support).
#[inline]
pub(crate) fn density_out<G: Real>(f: Function) -> G {
    density_from_log(f, G::neg_infinity())
}

#[inline]
pub(crate) fn density_from_log<G: Real>(f: Function, lp: G) -> G {
    if f == Function::Prob {
        lp.fast_exp()
    } else {
        lp
    }
}

fn rb_quantile<G: Real>(t: G, l: G, q: G) -> G {
    if q.is_nan() || q < G::zero() || q > G::one() {
        return G::nan();
    }
    if q == G::zero() {
        return G::zero();
    }
    if q == G::one() {
        return G::one();
    }
    sigmoid((l + logit(q)) / t)
}

impl Function {
    /// `log_prob` or `prob`.
    #[inline]
    pub(crate) fn is_density(self) -> bool {
        matches!(self, Function::LogProb | Function::Prob)
    }
}

/// Checks a value against the support [lo, hi] (or a quantile argument against [0, 1]).
pub(crate) fn check_unit<F: Real>(
    f: Function,
    x: F,
    lo: F,
    hi: F,
    name: &Arc<str>,
) -> Result<(), RelaxedBernoulliError> {
    use RelaxedBernoulliErrorKind as K;
    let kind = if f == Function::Quantile {
        if x.is_nan() || x < F::zero() || x > F::one() {
            Some(K::QuantileOutOfRange)
        } else {
            None
        }
    } else if x.is_nan() {
        Some(K::ValueNaN)
    } else if x < lo {
        Some(K::ValueBelowSupport)
    } else if x > hi {
        Some(K::ValueAboveSupport)
    } else {
        None
    };
    match kind {
        Some(k) => Err(RelaxedBernoulliError::new(k, name)),
        None => Ok(()),
    }
}

impl<F: Real> Univariate for RelaxedBernoulli<F> {
    type Float = F;
    type Error = RelaxedBernoulliError;

    fn evaluate_unchecked(&self, f: Function, x: F) -> F {
        self.evaluate_kernel::<RelaxedKernel>(f, x)
    }

    fn check_value(&self, f: Function, x: F) -> Result<(), RelaxedBernoulliError> {
        if !self.validate_args {
            return Ok(());
        }
        check_unit(f, x, F::zero(), F::one(), &self.name)
    }

    /// [`Univariate::evaluate_run_with`] with the parameters taken from the members.
    fn evaluate_run(members: &[Self], f: Function, xs: &[F], out: &mut [F]) {
        Self::evaluate_run_with(members, &[], 0, f, xs, out)
    }

    /// The temperatures (a single one when every member has it, e.g. a scalar temperature
    /// broadcast against an array of logits) and the logits (NaN for an invalid member, which
    /// the kernel flags).
    fn run_params(members: &[Self]) -> Vec<Vec<F>> {
        let mut t: Vec<F> = members.iter().map(|d| d.temperature).collect();
        if let Some(&t0) = t.first()
            && t.iter().all(|&ti| ti == t0)
        {
            t.truncate(1);
        }
        let l = members.iter().map(Self::kernel_logits).collect();
        vec![t, l]
    }

    /// The vectorised loop: blocks of 256 elements go through the branch-free
    /// interior kernel with a flag per element for what it does not cover
    /// (values at or outside the support edges, infinite logits, invalid parameters, an `f32`
    /// element whose error bound asks for `f64`); flagged elements are then redone by
    /// [`Univariate::evaluate_unchecked`], so every element has the scalar method's bits. The
    /// parameters come from `params` ([`Univariate::run_params`]) when given, else from the
    /// members, block by block.
    fn evaluate_run_with(
        members: &[Self],
        params: &[Vec<F>],
        first: usize,
        f: Function,
        xs: &[F],
        out: &mut [F],
    ) {
        if f == Function::Quantile {
            return generic_run(members, f, xs, out);
        }
        let level = crate::kernels::simd_level();
        let one_member = members.len() == 1;
        // Parameters that do not cover these members (not what `run_params` builds) are not
        // trusted: the members' own parameters are read instead (no panic, same bits).
        let packed = !one_member
            && params.len() == 2
            && params[1].len() >= first + members.len()
            && (params[0].len() == 1 || params[0].len() == params[1].len());
        let (mut tb, mut lb) = ([F::zero(); RUN_BLOCK], [F::zero(); RUN_BLOCK]);
        let mut flags = [false; RUN_BLOCK];
        for (k, (xb, ob)) in xs
            .chunks(RUN_BLOCK)
            .zip(out.chunks_mut(RUN_BLOCK))
            .enumerate()
        {
            let n = xb.len();
            let mb = if one_member {
                members
            } else {
                &members[k * RUN_BLOCK..][..n]
            };
            let np = mb.len();
            let (ts, ls): (&[F], &[F]) = if packed {
                let at = first + k * RUN_BLOCK;
                let ts = &params[0];
                // One shared temperature (see `run_params`) is passed once.
                let ts = if ts.len() == 1 {
                    &ts[..]
                } else {
                    &ts[at..at + np]
                };
                (ts, &params[1][at..at + np])
            } else {
                for (j, d) in mb.iter().enumerate() {
                    (tb[j], lb[j]) = (d.temperature, Self::kernel_logits(d));
                }
                // A block whose members share one temperature passes it once (branch-free
                // test).
                let nt = if tb[..np].iter().fold(true, |same, &t| same & (t == tb[0])) {
                    1
                } else {
                    np
                };
                (&tb[..nt], &lb[..np])
            };
            rb_block(level, f, ts, ls, xb, ob, &mut flags[..n]);
            // Flags are rare (values that round to 0 or 1 at low temperature, widened f32
            // elements): test 32 at a time with a branch-free OR (vectorised) before looking
            // at them one by one (a byte-by-byte scan of the block cost ~2 cycles per element).
            for (c, group) in flags[..n].chunks(32).enumerate() {
                if !group.iter().fold(false, |any, &g| any | g) {
                    continue;
                }
                for j in (c * 32..c * 32 + group.len()).filter(|&j| flags[j]) {
                    let d = if one_member { &mb[0] } else { &mb[j] };
                    ob[j] = d.evaluate_unchecked(f, xb[j]);
                }
            }
        }
    }

    fn shape_error(name: &str, e: ShapeError) -> RelaxedBernoulliError {
        RelaxedBernoulliError {
            kind: RelaxedBernoulliErrorKind::IncompatibleShapes,
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

/// A sample with its pathwise (reparameterization) derivatives, from
/// [`RelaxedBernoulli::pathwise`] or [`LogitRelaxedBernoulli::pathwise`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pathwise<F> {
    /// The sample.
    pub sample: F,
    /// Its derivative with respect to the logits, noise held fixed.
    pub d_logits: F,
    /// Its derivative with respect to the probs (through `logits = logit(probs)`).
    pub d_probs: F,
    /// Its derivative with respect to the temperature, noise held fixed.
    pub d_temperature: F,
}

impl<F: Real> RelaxedBernoulli<F> {
    /// The sample and its log density for logistic noise `noise`, the density computed from the
    /// pre-sigmoid value `w = (l + noise) / t`:
    /// `log p(x) = ln t - softplus(noise) - softplus(-noise) + softplus(w) + softplus(-w)`.
    /// It stays finite (and exact) where `x` itself rounds to 0 or 1, unlike `log_prob(x)`.
    ///
    /// ```
    /// use relaxed::RelaxedBernoulli;
    /// let d = RelaxedBernoulli::from_logits(0.01_f32, 0.0).unwrap();
    /// let (x, lp) = d.sample_and_log_prob(1.0);
    /// assert_eq!(x, 1.0); // sigmoid(100) rounds to 1 in f32
    /// assert!(lp.is_finite() && lp > 90.0); // ln 0.01 - 2 softplus(1) + 1 + 100 + ...: about 93.8
    /// ```
    pub fn sample_and_log_prob(&self, noise: F) -> (F, F) {
        if !self.valid {
            return (F::nan(), F::nan());
        }
        let t = self.temperature;
        let w = (self.logits + noise) / t;
        let x = sigmoid(w);
        let lp = t.ln() - softplus(noise) - softplus(-noise) + softplus(w) + softplus(-w);
        (x, lp)
    }

    /// The sample `x = sigmoid((l + noise) / t)` and its derivatives: with `w = (l + noise) /
    /// t`, `dx/dl = sigmoid(w) sigmoid(-w) / t`, `dx/dt = -w sigmoid(w) sigmoid(-w) / t`,
    /// `dx/dp = (dx/dl) / (p (1 - p))`. The product `sigmoid(w) sigmoid(-w)` is evaluated as
    /// such, so it stays accurate (and nonzero) where `x` rounds to 1; `dx/dp` is evaluated in
    /// log space (in `f64`), so it stays finite and accurate where `p (1 - p)` underflows.
    ///
    /// ```
    /// use relaxed::RelaxedBernoulli;
    /// let d = RelaxedBernoulli::from_logits(0.5_f64, 0.3).unwrap();
    /// let g = d.pathwise(0.2);
    /// let h = 1e-6;
    /// let up = RelaxedBernoulli::from_logits(0.5, 0.3 + h).unwrap().pathwise(0.2).sample;
    /// let dn = RelaxedBernoulli::from_logits(0.5, 0.3 - h).unwrap().pathwise(0.2).sample;
    /// assert!((g.d_logits - (up - dn) / (2.0 * h)).abs() < 1e-8);
    /// ```
    pub fn pathwise(&self, noise: F) -> Pathwise<F> {
        if !self.valid {
            let n = F::nan();
            return Pathwise {
                sample: n,
                d_logits: n,
                d_probs: n,
                d_temperature: n,
            };
        }
        let t = self.temperature;
        let w = (self.logits + noise) / t;
        let x = sigmoid(w);
        if w.is_infinite() {
            // A point mass (infinite logits): the sample does not move.
            let z = F::zero();
            return Pathwise {
                sample: x,
                d_logits: z,
                d_probs: z,
                d_temperature: z,
            };
        }
        let jac = x * sigmoid(-w);
        let d_logits = jac / t;
        // dx/dp = [sigmoid(w) sigmoid(-w) / t] / [sigmoid(l) sigmoid(-l)], in log space and
        // f64: both products underflow (and their ratio is 0/0) long before the ratio does.
        let (t64, w64, l64) = (t.to_f64(), w.to_f64(), self.logits64);
        let pair = |a: f64| softplus(a) + softplus(-a);
        let d_probs = F::from_f64((pair(l64) - pair(w64) - t64.ln()).exp());
        Pathwise {
            sample: x,
            d_logits,
            d_probs,
            d_temperature: -w * jac / t,
        }
    }
}

impl<F: Real> Reparameterized for RelaxedBernoulli<F> {
    #[inline]
    fn from_logistic_noise(&self, noise: F) -> F {
        if !self.valid {
            return F::nan();
        }
        sigmoid((self.logits + noise) / self.temperature)
    }

    fn sample_and_log_prob_from_noise(&self, noise: F) -> (F, F) {
        self.sample_and_log_prob(noise)
    }

    fn noise_transform(&self) -> NoiseTransform<F> {
        let a = if self.valid { self.logits } else { F::nan() };
        NoiseTransform::Sigmoid {
            a,
            b: self.temperature,
        }
    }
}

crate::traits::impl_rand_distribution!(RelaxedBernoulli);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::{SimdLevel, simd_level};

    /// Every build of the evaluation kernel this CPU runs (AVX-512, AVX2) gives the baseline
    /// build's bits and flags, for every function and parameter layout, over values that hit
    /// the special cases and a sample-like spread of interior values.
    fn builds_agree<F: Real>() {
        let c = F::from_f64;
        let mut xs: Vec<F> = [
            -0.5, 0.0, 5e-324, 1e-300, 1e-40, 1e-10, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.999, 1.0, 1.5,
        ]
        .iter()
        .map(|&v| c(v))
        .chain([F::nan(), F::one() - F::epsilon()])
        .collect();
        xs.extend((1..RUN_BLOCK - xs.len() + 1).map(|i| c((i as f64 * 0.618_034).fract())));
        let n = xs.len();
        assert_eq!(n, RUN_BLOCK);
        let ts: Vec<F> = (0..n)
            .map(|i| c([1e-3, 0.5, 1.0, 7.0, 1e3][i % 5]))
            .collect();
        let ls: Vec<F> = (0..n)
            .map(|i| c([-700.0, -3.0, 0.0, 0.3, 40.0, f64::INFINITY, f64::NAN][i % 7]))
            .collect();
        let layouts: [(&[F], &[F]); 3] = [(&ts[..1], &ls[3..4]), (&ts[1..2], &ls), (&ts, &ls)];
        for f in Function::ALL {
            for (t, l) in layouts {
                let (mut base, mut base_flags) = (vec![F::zero(); n], vec![false; n]);
                rb_block(
                    SimdLevel::Baseline,
                    f,
                    t,
                    l,
                    &xs,
                    &mut base,
                    &mut base_flags,
                );
                // Only the builds this CPU runs (a higher level would silently rerun a lower).
                for level in [SimdLevel::Avx2, SimdLevel::Avx512]
                    .into_iter()
                    .filter(|&level| level <= simd_level())
                {
                    let (mut out, mut flags) = (vec![F::zero(); n], vec![false; n]);
                    rb_block(level, f, t, l, &xs, &mut out, &mut flags);
                    for j in 0..n {
                        // The bits (so +0 and -0 differ), any NaN equal to any NaN.
                        let same = Real::to_f64(out[j]).to_bits()
                            == Real::to_f64(base[j]).to_bits()
                            || (out[j].is_nan() && base[j].is_nan());
                        let same = same || (flags[j] && base_flags[j]);
                        assert!(same && flags[j] == base_flags[j], "{level:?} {f} {j}");
                    }
                }
            }
        }
    }

    #[test]
    fn evaluation_kernel_builds_agree_to_the_bit() {
        println!("simd level: {:?}", simd_level());
        builds_agree::<f32>();
        builds_agree::<f64>();
    }
}
