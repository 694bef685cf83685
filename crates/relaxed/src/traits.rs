//! The interface every scalar distribution of the crate implements: evaluation by
//! [`Function`], value checks under `validate_args`, and the noise -> sample transform.
//!
//! ## Design
//!
//! Each distribution implements one unchecked evaluation, [`Univariate::evaluate_unchecked`],
//! and one value check, [`Univariate::check_value`]; the named methods (`log_prob`, `cdf`,
//! ...) are provided on top, so the scalar form, the batch form ([`crate::Batch`]) and the CLI
//! all go through the same code. Sampling is a deterministic transform of standard logistic
//! noise ([`Reparameterized::from_logistic_noise`]), so the seeded stream, user RNGs and the
//! autodiff crate all share it.

use core::fmt;
use core::str::FromStr;

use crate::float::Real;
use crate::noise::logistic_from_uniform;
use crate::shape::ShapeError;

/// The evaluation functions, with the names used by TFP and by the CLI's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Function {
    /// `log_prob(x)`: the log density.
    LogProb,
    /// `prob(x) = exp(log_prob(x))`.
    Prob,
    /// `cdf(x) = P(X <= x)`.
    Cdf,
    /// `log_cdf(x) = ln P(X <= x)`, computed directly.
    LogCdf,
    /// `survival_function(x) = P(X > x)`, computed directly (not `1 - cdf`).
    Survival,
    /// `log_survival_function(x) = ln P(X > x)`, computed directly.
    LogSurvival,
    /// `quantile(q)`, the inverse of the cdf, for `q` in `[0, 1]`.
    Quantile,
}

impl Function {
    /// The functions of a value `x` (every one but the quantile), in the order of the CLI's
    /// columns.
    pub const VALUES: [Function; 6] = [
        Function::LogProb,
        Function::Prob,
        Function::Cdf,
        Function::LogCdf,
        Function::Survival,
        Function::LogSurvival,
    ];

    /// Every function, in the order of the CLI's columns: [`Function::VALUES`], then the
    /// quantile.
    pub const ALL: [Function; 7] = {
        let v = Function::VALUES;
        [v[0], v[1], v[2], v[3], v[4], v[5], Function::Quantile]
    };

    /// The CLI column name: `log_prob`, `prob`, `cdf`, `log_cdf`, `survival`, `log_survival`,
    /// `quantile`.
    pub fn name(self) -> &'static str {
        match self {
            Function::LogProb => "log_prob",
            Function::Prob => "prob",
            Function::Cdf => "cdf",
            Function::LogCdf => "log_cdf",
            Function::Survival => "survival",
            Function::LogSurvival => "log_survival",
            Function::Quantile => "quantile",
        }
    }

    /// Whether the result is a logarithm (its error is measured against `max(1, |r|)`).
    pub fn is_log(self) -> bool {
        matches!(
            self,
            Function::LogProb | Function::LogCdf | Function::LogSurvival
        )
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown function name given to [`Function::from_str`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFunction(pub String);

impl fmt::Display for UnknownFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown function '{}' (expected one of log_prob, prob, cdf, log_cdf, survival, \
             log_survival, quantile)",
            self.0
        )
    }
}

impl core::error::Error for UnknownFunction {}

impl FromStr for Function {
    type Err = UnknownFunction;
    /// Parses a CLI column name; the TFP method names `survival_function` and
    /// `log_survival_function` are accepted too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "survival_function" => return Ok(Function::Survival),
            "log_survival_function" => return Ok(Function::LogSurvival),
            _ => {}
        }
        Function::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFunction(s.to_string()))
    }
}

/// A scalar (batch-shape `[]`) distribution over `F`.
///
/// The provided methods apply `validate_args`: when it is on, a value outside the support (or a
/// quantile argument outside `[0, 1]`, or NaN) is an error; when it is off they never fail and
/// return the documented edge values.
pub trait Univariate: Clone + fmt::Debug + Send + Sync {
    /// The float type, `f32` or `f64`.
    type Float: Real;
    /// The distribution's error type.
    type Error: core::error::Error + Clone + Send + Sync + 'static;

    /// Evaluates `f` at `x` (at `q` for [`Function::Quantile`]) without any value check.
    fn evaluate_unchecked(&self, f: Function, x: Self::Float) -> Self::Float;

    /// Checks a value (or, for [`Function::Quantile`], a probability) when `validate_args` is
    /// on; always `Ok` when it is off.
    fn check_value(&self, f: Function, x: Self::Float) -> Result<(), Self::Error>;

    /// The error for parameter or value shapes that do not broadcast (used by [`crate::Batch`]),
    /// for the distribution named `name`.
    fn shape_error(name: &str, e: ShapeError) -> Self::Error;

    /// The name given at construction.
    fn name(&self) -> &str;

    /// Whether values are checked (TFP's `validate_args`).
    fn validate_args(&self) -> bool;

    /// Evaluates `f` over a run of values without checks: `out[j] = members[j].evaluate_unchecked(
    /// f, xs[j])`, or with the single member when `members` has length 1. The batch layer calls
    /// it; a distribution may override it with a vectorised loop that gives the same bits.
    fn evaluate_run(members: &[Self], f: Function, xs: &[Self::Float], out: &mut [Self::Float])
    where
        Self: Sized,
    {
        generic_run(members, f, xs, out)
    }

    /// The members' parameters as a struct of arrays (each array one entry per member), built
    /// once per batch evaluation so that [`Univariate::evaluate_run_with`] reads them
    /// contiguously instead of gathering them from the members run after run. Empty (the
    /// default) when the distribution does not use them.
    fn run_params(members: &[Self]) -> Vec<Vec<Self::Float>>
    where
        Self: Sized,
    {
        let _ = members;
        Vec::new()
    }

    /// [`Univariate::evaluate_run`] for the members `first..first + members.len()` of a batch
    /// whose [`Univariate::run_params`] are `params` (or an empty `params`, which gives
    /// `evaluate_run` itself, the default). The same bits as `evaluate_run`.
    ///
    /// A protocol between [`crate::Batch`] and a distribution's kernel: `params` must be what
    /// `run_params` returned for the whole batch (a one-entry array stands for a value shared
    /// by every member). Implementations fall back to the members' own parameters when
    /// `params` is too short for `first..first + members.len()`, and never panic.
    fn evaluate_run_with(
        members: &[Self],
        params: &[Vec<Self::Float>],
        first: usize,
        f: Function,
        xs: &[Self::Float],
        out: &mut [Self::Float],
    ) where
        Self: Sized,
    {
        let _ = (params, first);
        Self::evaluate_run(members, f, xs, out)
    }

    /// Evaluates `f` at `x`, checking `x` when `validate_args` is on.
    #[inline]
    fn evaluate(&self, f: Function, x: Self::Float) -> Result<Self::Float, Self::Error> {
        self.check_value(f, x)?;
        Ok(self.evaluate_unchecked(f, x))
    }
    /// The log density at `x`.
    fn log_prob(&self, x: Self::Float) -> Result<Self::Float, Self::Error> {
        self.evaluate(Function::LogProb, x)
    }
    /// The density at `x`, `exp(log_prob(x))`.
    fn prob(&self, x: Self::Float) -> Result<Self::Float, Self::Error> {
        self.evaluate(Function::Prob, x)
    }
    /// The cumulative distribution function at `x`.
    fn cdf(&self, x: Self::Float) -> Result<Self::Float, Self::Error> {
        self.evaluate(Function::Cdf, x)
    }
    /// The log of the cdf at `x`, computed directly.
    fn log_cdf(&self, x: Self::Float) -> Result<Self::Float, Self::Error> {
        self.evaluate(Function::LogCdf, x)
    }
    /// `P(X > x)`, computed directly.
    fn survival_function(&self, x: Self::Float) -> Result<Self::Float, Self::Error> {
        self.evaluate(Function::Survival, x)
    }
    /// `ln P(X > x)`, computed directly.
    fn log_survival_function(&self, x: Self::Float) -> Result<Self::Float, Self::Error> {
        self.evaluate(Function::LogSurvival, x)
    }
    /// The quantile function at `q`.
    fn quantile(&self, q: Self::Float) -> Result<Self::Float, Self::Error> {
        self.evaluate(Function::Quantile, q)
    }
}

/// A distribution sampled as a deterministic, differentiable transform of standard logistic
/// noise `L ~ Logistic(0, 1)`.
pub trait Reparameterized: Univariate {
    /// The sample for logistic noise `noise`.
    #[allow(clippy::wrong_self_convention)] // the name of the transform, as rand_distr's `from_zscore`
    fn from_logistic_noise(&self, noise: Self::Float) -> Self::Float;

    /// The sample for logistic noise `noise` together with its log density, computed from the
    /// noise rather than from the (possibly rounded) sample.
    fn sample_and_log_prob_from_noise(&self, noise: Self::Float) -> (Self::Float, Self::Float);

    /// The transform [`Reparameterized::from_logistic_noise`] applies, as data, so batched
    /// samplers can run it over arrays of parameters. Invalid parameters give NaN in it.
    fn noise_transform(&self) -> NoiseTransform<Self::Float>;

    /// The sample for a uniform `u` in (0, 1): `from_logistic_noise(ln(u / (1 - u)))`.
    #[inline]
    #[allow(clippy::wrong_self_convention)]
    fn from_uniform(&self, u: Self::Float) -> Self::Float {
        self.from_logistic_noise(logistic_from_uniform(u))
    }
}

/// Summary statistics: TFP's `mean`, `variance`, `stddev`, `mode`, `entropy` (no peer library
/// implements them for the relaxed distributions).
///
/// An undefined statistic (the mode of a RelaxedBernoulli at `t <= 1`) is NaN when the
/// distribution was built with `allow_nan_stats = true` (the default) and an error otherwise.
/// Invalid parameters (possible only without `validate_args`) give NaN.
pub trait Moments: Univariate {
    /// The mean.
    fn mean(&self) -> Self::Float;
    /// The variance.
    fn variance(&self) -> Self::Float;
    /// The standard deviation, `sqrt(variance)`.
    fn stddev(&self) -> Self::Float;
    /// The differential entropy (nats; can be negative).
    fn entropy(&self) -> Self::Float;
    /// The mode, or NaN / an error where it is undefined (see the trait docs).
    fn mode(&self) -> Result<Self::Float, Self::Error>;
}

/// The KL divergence between two distributions of the same type, exactly (closed form or
/// quadrature), and its one-sample Monte Carlo estimate for use inside training losses.
pub trait KlDivergence: Univariate {
    /// `KL(self || other)`.
    fn kl_divergence(&self, other: &Self) -> Self::Float;
    /// The Monte Carlo term `ln p(Y) - ln q(Y)`, `Y` the logit-space sample of `self` for the
    /// logistic noise `noise` (reparameterized); its expectation over the noise is
    /// [`KlDivergence::kl_divergence`].
    fn kl_divergence_sample(&self, other: &Self, noise: Self::Float) -> Self::Float;
}

/// How a distribution turns standard logistic noise `L` into a sample (see
/// [`Reparameterized::noise_transform`]); every form is computed exactly as written, so a
/// batched kernel and the scalar [`Reparameterized::from_logistic_noise`] agree to the bit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NoiseTransform<F> {
    /// `sigmoid((a + L) / b)`: RelaxedBernoulli with logits `a`, temperature `b`.
    Sigmoid {
        /// The logits.
        a: F,
        /// The temperature.
        b: F,
    },
    /// `(a + L) / b`: LogitRelaxedBernoulli with logits `a`, temperature `b`.
    Logit {
        /// The logits.
        a: F,
        /// The temperature.
        b: F,
    },
    /// `a + b L`: Logistic with location `a`, scale `b`.
    Affine {
        /// The location.
        a: F,
        /// The scale.
        b: F,
    },
}

impl<F: Real> NoiseTransform<F> {
    /// The parameters `(a, b)`.
    pub fn params(&self) -> (F, F) {
        match *self {
            NoiseTransform::Sigmoid { a, b }
            | NoiseTransform::Logit { a, b }
            | NoiseTransform::Affine { a, b } => (a, b),
        }
    }
}

/// The default [`Univariate::evaluate_run`]: one scalar evaluation per element.
pub(crate) fn generic_run<D: Univariate>(
    members: &[D],
    f: Function,
    xs: &[D::Float],
    out: &mut [D::Float],
) {
    if members.len() == 1 {
        for (o, &x) in out.iter_mut().zip(xs) {
            *o = members[0].evaluate_unchecked(f, x);
        }
    } else {
        for ((o, &x), d) in out.iter_mut().zip(xs).zip(members) {
            *o = d.evaluate_unchecked(f, x);
        }
    }
}

/// Implements `rand`'s `Distribution<F>` for a [`Reparameterized`] distribution type: one draw
/// from 64 bits of the generator ([`crate::Real::open01_from_bits`], then the noise transform).
macro_rules! impl_rand_distribution {
    ($t:ident) => {
        impl<F: $crate::Real> rand::distr::Distribution<F> for $t<F> {
            /// One draw from 64 bits of `rng` (see [`crate::noise`]).
            fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> F {
                $crate::Reparameterized::from_uniform(self, F::open01_from_bits(rng.next_u64()))
            }
        }
    };
}
pub(crate) use impl_rand_distribution;
