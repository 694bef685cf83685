//! The LogitRelaxedBernoulli distribution: the logit of a RelaxedBernoulli, on the real line.

use std::fmt;
use std::sync::Arc;

use ndarray::ArrayD;

use crate::batch::Batch;
use crate::dist::relaxed_bernoulli::{
    Kernel, Pathwise, RelaxedBernoulli, RelaxedBernoulliBuilder, RelaxedBernoulliError, check_unit,
    density_from_log, logistic_tail, tails,
};
use crate::float::Real;
use crate::math::{logit, softplus};
use crate::shape::ShapeError;
use crate::traits::{Function, KlDivergence, Moments, NoiseTransform, Reparameterized, Univariate};

/// LogitRelaxedBernoulli(temperature t, logits l): the law of `Y = logit(X)` for `X ~
/// RelaxedBernoulli(t, l)`, i.e. `Logistic(l / t, 1 / t)`, on the extended real line.
///
/// This is the variable to put a density on inside a loss (Maddison et al. 2016, TFP's
/// documentation): its log density never saturates, because `Y = (l + L) / t` never rounds to
/// a boundary the way `sigmoid` does. KL divergences are invariant under the sigmoid, so they
/// can be taken here.
///
/// # Density
///
/// ```text
/// z = t*y - l
/// log p(y) = ln t - softplus(z) - softplus(-z) = ln t - |z| - 2 ln1p(e^-|z|)
/// cdf(y) = sigmoid(z),  quantile(q) = (l + logit q) / t
/// ```
///
/// `z` is formed from `t`, `y` and `l` directly (never through the rounded `l / t`).
///
/// # Sampling
///
/// `y = (l + L) / t` with `L` standard logistic noise (see [`crate::noise`]).
///
/// # Numerical behaviour
///
/// `f64` within 1e-12, `f32` within 1e-5 (widening to `f64` where `t*y` nearly cancels `l`).
/// `y = ±inf` has density `-inf` and cdf 0 / 1; infinite logits are point masses at `±inf`
/// (density `+inf` there). `quantile(0) = -inf`, `quantile(1) = +inf`.
///
/// # Errors
///
/// The same as [`RelaxedBernoulli`] ([`RelaxedBernoulliError`]), except that every real value
/// (including ±inf) is in the support; NaN is rejected under `validate_args`.
///
/// # Example
///
/// ```
/// use relaxed::{LogitRelaxedBernoulli, Univariate};
/// // PyTorch's log_prob overflows to -inf here; the true value is about -100.
/// let d = LogitRelaxedBernoulli::from_logits(1.0_f32, 0.0).unwrap();
/// let lp = d.log_prob(-100.0).unwrap();
/// assert!((lp + 100.0).abs() < 1e-4);
/// ```
#[derive(Clone, PartialEq)]
pub struct LogitRelaxedBernoulli<F> {
    pub(crate) inner: RelaxedBernoulli<F>,
}

impl<F: fmt::Debug> fmt::Debug for LogitRelaxedBernoulli<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.inner;
        let mut s = f.debug_struct("LogitRelaxedBernoulli");
        s.field("name", &&*d.name)
            .field("temperature", &d.temperature);
        match &d.probs {
            Some(p) => s.field("probs", p),
            None => s.field("logits", &d.logits),
        };
        s.field("validate_args", &d.validate_args)
            .field("allow_nan_stats", &d.allow_nan_stats)
            .finish()
    }
}

// ----- constructors -----

impl<F: Real> LogitRelaxedBernoulli<F> {
    /// LogitRelaxedBernoulli(temperature, logits), `validate_args = false`.
    pub fn from_logits(temperature: F, logits: F) -> Result<Self, RelaxedBernoulliError> {
        RelaxedBernoulli::builder(temperature)
            .logits(logits)
            .build_logit()
    }
    /// LogitRelaxedBernoulli(temperature, probs), `validate_args = false`.
    pub fn from_probs(temperature: F, probs: F) -> Result<Self, RelaxedBernoulliError> {
        RelaxedBernoulli::builder(temperature)
            .probs(probs)
            .build_logit()
    }
    /// A builder (finish it with [`RelaxedBernoulliBuilder::build_logit`]).
    pub fn builder(temperature: F) -> RelaxedBernoulliBuilder<F> {
        RelaxedBernoulliBuilder::new(temperature)
    }
    /// A batch builder (finish it with `build_logit`).
    pub fn batch_builder(temperature: ArrayD<F>) -> RelaxedBernoulliBuilder<ArrayD<F>> {
        RelaxedBernoulliBuilder::new(temperature)
    }
}

// ----- parameters -----

impl<F: Real> LogitRelaxedBernoulli<F> {
    /// The temperature `t`.
    pub fn temperature(&self) -> F {
        self.inner.temperature
    }
    /// The logits (unclamped; see [`RelaxedBernoulli::logits_parameter`]).
    pub fn logits_parameter(&self) -> F {
        self.inner.logits_parameter()
    }
    /// The probabilities (unclamped).
    pub fn probs_parameter(&self) -> F {
        self.inner.probs_parameter()
    }
    /// Whether the parameters are valid (see [`RelaxedBernoulli::is_valid`]).
    pub fn is_valid(&self) -> bool {
        self.inner.valid
    }
    /// TFP's `allow_nan_stats`.
    pub fn allow_nan_stats(&self) -> bool {
        self.inner.allow_nan_stats
    }
    /// The RelaxedBernoulli `X = sigmoid(Y)` with the same parameters and options.
    pub fn to_relaxed(&self) -> RelaxedBernoulli<F> {
        self.inner.clone()
    }
}

// ----- statistics -----

/// The Logistic(l/t, 1/t) moments in closed form: mean = mode = `l / t`, variance
/// `π^2 / (3 t^2)`, entropy `2 - ln t`. Infinite logits are point masses at `±inf` (mean and
/// mode `±inf`, variance 0, entropy `-inf`). Every statistic is defined.
///
/// ```
/// use relaxed::{LogitRelaxedBernoulli, Moments};
/// let d = LogitRelaxedBernoulli::from_logits(0.5_f64, 1.0).unwrap();
/// assert_eq!(d.mean(), 2.0);
/// assert_eq!(d.mode().unwrap(), 2.0);
/// assert!((d.entropy() - (2.0 + 2f64.ln())).abs() < 1e-15);
/// ```
impl<F: Real> Moments for LogitRelaxedBernoulli<F> {
    fn mean(&self) -> F {
        self.stat(|t, l| l / t)
    }
    fn variance(&self) -> F {
        self.stat(|t, l| {
            if l.is_infinite() {
                0.0
            } else {
                core::f64::consts::PI.powi(2) / (3.0 * t * t)
            }
        })
    }
    fn stddev(&self) -> F {
        self.stat(|t, l| {
            if l.is_infinite() {
                0.0
            } else {
                core::f64::consts::PI / (3f64.sqrt() * t)
            }
        })
    }
    fn entropy(&self) -> F {
        self.stat(|t, l| {
            if l.is_infinite() {
                f64::NEG_INFINITY
            } else {
                2.0 - t.ln()
            }
        })
    }
    fn mode(&self) -> Result<F, RelaxedBernoulliError> {
        Ok(self.stat(|t, l| l / t))
    }
}

impl<F: Real> LogitRelaxedBernoulli<F> {
    fn stat(&self, f: impl Fn(f64, f64) -> f64) -> F {
        let d = &self.inner;
        if !d.valid {
            return F::nan();
        }
        F::from_f64(f(d.temperature.to_f64(), d.logits64))
    }
}

/// The same numbers as [`RelaxedBernoulli`]'s KL (the divergence is taken in logit space).
impl<F: Real> KlDivergence for LogitRelaxedBernoulli<F> {
    fn kl_divergence(&self, other: &Self) -> F {
        self.inner.kl_divergence(&other.inner)
    }
    fn kl_divergence_sample(&self, other: &Self, noise: F) -> F {
        self.inner.kl_divergence_sample(&other.inner, noise)
    }
}

// ----- evaluation -----

/// The kernel of [`LogitRelaxedBernoulli`] ([`lrb_eval`]).
struct LogitKernel;

impl Kernel for LogitKernel {
    fn eval<G: Real>(f: Function, t: G, l: G, y: G) -> (G, G) {
        lrb_eval(f, t, l, y)
    }
}

fn lrb_eval<G: Real>(f: Function, t: G, l: G, y: G) -> (G, G) {
    let zero = G::zero();
    if f == Function::Quantile {
        return lrb_quantile(t, l, y);
    }
    if y.is_nan() {
        return (y, zero);
    }
    if l.is_infinite() {
        // A point mass at l = ±inf.
        let at_mass = y == l;
        if f.is_density() {
            let lp = if at_mass {
                G::infinity()
            } else {
                G::neg_infinity()
            };
            return (density_from_log(f, lp), zero);
        }
        let cdf_is_one = l < zero || y == G::infinity();
        return (tails(f, cdf_is_one), zero);
    }
    if y.is_infinite() {
        if f.is_density() {
            return (density_from_log(f, G::neg_infinity()), zero);
        }
        return (tails(f, y > zero), zero);
    }
    let ty = t * y;
    let z = ty - l;
    if f.is_density() {
        let lt = t.fast_ln();
        let tail = (G::one() + G::one()) * (-z.abs()).fast_exp().fast_ln_1p();
        let lp = lt - z.abs() - tail;
        return (
            density_from_log(f, lp),
            lt.abs() + ty.abs() + l.abs() + tail,
        );
    }
    (logistic_tail(f, z), ty.abs() + l.abs())
}

fn lrb_quantile<G: Real>(t: G, l: G, q: G) -> (G, G) {
    let zero = G::zero();
    if q.is_nan() || q < zero || q > G::one() {
        return (G::nan(), zero);
    }
    if q == zero {
        return (G::neg_infinity(), zero);
    }
    if q == G::one() {
        return (G::infinity(), zero);
    }
    if l.is_infinite() {
        return (l, zero);
    }
    let lq = logit(q);
    let sum = l + lq;
    // Relative error of the result: eps * (|l| + |lq|) / |l + lq|.
    (sum / t, (l.abs() + lq.abs()) / sum.abs())
}

impl<F: Real> Univariate for LogitRelaxedBernoulli<F> {
    type Float = F;
    type Error = RelaxedBernoulliError;

    fn evaluate_unchecked(&self, f: Function, y: F) -> F {
        self.inner.evaluate_kernel::<LogitKernel>(f, y)
    }

    fn check_value(&self, f: Function, y: F) -> Result<(), RelaxedBernoulliError> {
        if !self.inner.validate_args {
            return Ok(());
        }
        check_unit(f, y, F::neg_infinity(), F::infinity(), &self.inner.name)
    }

    fn shape_error(name: &str, e: ShapeError) -> RelaxedBernoulliError {
        <RelaxedBernoulli<F> as Univariate>::shape_error(name, e)
    }

    fn name(&self) -> &str {
        &self.inner.name
    }

    fn validate_args(&self) -> bool {
        self.inner.validate_args
    }
}

// ----- sampling -----

impl<F: Real> LogitRelaxedBernoulli<F> {
    /// The sample `y = (l + noise) / t` and its log density `ln t - softplus(noise) -
    /// softplus(-noise)` (exact: `t*y - l` is the noise itself); `+inf` for infinite logits
    /// (a point mass), as `log_prob` at the mass.
    ///
    /// ```
    /// use relaxed::LogitRelaxedBernoulli;
    /// let d = LogitRelaxedBernoulli::from_logits(0.01_f32, 0.0).unwrap();
    /// let (y, lp) = d.sample_and_log_prob(1.0);
    /// assert_eq!(y, 100.0);
    /// assert!((lp - (0.01f32.ln() - 1.0 - 2.0 * (-1.0f32).exp().ln_1p())).abs() < 1e-6);
    /// ```
    pub fn sample_and_log_prob(&self, noise: F) -> (F, F) {
        let d = &self.inner;
        if !d.valid {
            return (F::nan(), F::nan());
        }
        let t = d.temperature;
        let y = (d.logits + noise) / t;
        if d.logits.is_infinite() {
            // A point mass at ±inf: the sample is the mass, its density +inf (as `log_prob`).
            return (y, F::infinity());
        }
        (y, t.ln() - softplus(noise) - softplus(-noise))
    }

    /// The sample `y = (l + noise) / t` and its derivatives `dy/dl = 1/t`,
    /// `dy/dt = -y/t`, `dy/dp = 1 / (t p (1 - p))`.
    pub fn pathwise(&self, noise: F) -> Pathwise<F> {
        let d = &self.inner;
        if !d.valid {
            let n = F::nan();
            return Pathwise {
                sample: n,
                d_logits: n,
                d_probs: n,
                d_temperature: n,
            };
        }
        let t = d.temperature;
        let y = (d.logits + noise) / t;
        if y.is_infinite() {
            let z = F::zero();
            return Pathwise {
                sample: y,
                d_logits: z,
                d_probs: z,
                d_temperature: z,
            };
        }
        let p = d.probs_parameter();
        let p1 = d
            .probs
            .map_or_else(|| crate::math::sigmoid(-d.logits), |p| F::one() - p);
        Pathwise {
            sample: y,
            d_logits: t.recip(),
            d_probs: (t * p * p1).recip(),
            d_temperature: -y / t,
        }
    }
}

impl<F: Real> Reparameterized for LogitRelaxedBernoulli<F> {
    #[inline]
    fn from_logistic_noise(&self, noise: F) -> F {
        let d = &self.inner;
        if !d.valid {
            return F::nan();
        }
        (d.logits + noise) / d.temperature
    }

    fn sample_and_log_prob_from_noise(&self, noise: F) -> (F, F) {
        self.sample_and_log_prob(noise)
    }

    fn noise_transform(&self) -> NoiseTransform<F> {
        let d = &self.inner;
        let a = if d.valid { d.logits } else { F::nan() };
        NoiseTransform::Logit {
            a,
            b: d.temperature,
        }
    }
}

crate::traits::impl_rand_distribution!(LogitRelaxedBernoulli);

impl<F: Real> From<RelaxedBernoulli<F>> for LogitRelaxedBernoulli<F> {
    fn from(d: RelaxedBernoulli<F>) -> Self {
        LogitRelaxedBernoulli { inner: d }
    }
}

/// Kept for symmetry with the batch constructors of [`RelaxedBernoulli`].
impl<F: Real> Batch<LogitRelaxedBernoulli<F>> {
    /// The batch of `RelaxedBernoulli` with the same members.
    pub fn to_relaxed(&self) -> Batch<RelaxedBernoulli<F>> {
        let members = self.members().iter().map(|d| d.inner.clone()).collect();
        Batch::from_members(
            self.batch_shape().to_vec(),
            members,
            Arc::from(self.name()),
            self.validate_args(),
        )
    }
}
