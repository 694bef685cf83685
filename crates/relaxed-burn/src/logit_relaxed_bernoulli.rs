//! LogitRelaxedBernoulli: the logit of a RelaxedBernoulli, `Logistic(l / t, 1 / t)`, over Burn
//! tensors.

use std::fmt;
use std::sync::Arc;

use burn::tensor::Tensor;

use crate::DistributionError;
use crate::ops::{Domain, Tail, pair, quantile_from_logit, safe, select};
use crate::relaxed_bernoulli::{Expanded, RelaxedBernoulli};

/// LogitRelaxedBernoulli(temperature t, logits l) over Burn tensors: the law of `Y = logit(X)`
/// for `X ~ RelaxedBernoulli(t, l)`, i.e. `Y = (l + L) / t`, the tensor mirror of
/// [`relaxed::LogitRelaxedBernoulli`]. This is the variable to put a density on inside a loss
/// (maximum likelihood, the relaxed ELBO): its log density never saturates.
///
/// # Density
///
/// ```text
/// z = t*y - l
/// log p(y) = ln t - softplus(z) - softplus(-z) = ln t - |z| - 2 ln1p(e^-|z|)
/// cdf(y) = sigmoid(z),  quantile(q) = (l + logit q) / t
/// ```
///
/// Shapes, gradients and edge rules as [`RelaxedBernoulli`]: `y = ±inf` has density `-inf`
/// and cdf 0 / 1, infinite logits are point masses at `±inf`, `quantile(0) = -inf` and
/// `quantile(1) = inf`.
///
/// # Validation
///
/// As [`RelaxedBernoulli`] (off by default; [`LogitRelaxedBernoulli::with_validate_args`]),
/// except that every real value and `±inf` is in the support: `log_prob`, `prob` and the cdf
/// family reject only NaN values ([`crate::Violation::ValueNaN`]), `quantile` a `q` outside
/// `[0, 1]`. The default name is "LogitRelaxedBernoulli".
#[derive(Clone)]
pub struct LogitRelaxedBernoulli<const D: usize> {
    pub(crate) inner: RelaxedBernoulli<D>,
}

impl<const D: usize> fmt::Debug for LogitRelaxedBernoulli<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("LogitRelaxedBernoulli");
        self.inner.debug_fields(&mut s);
        s.finish()
    }
}

// ----- constructors -----

impl<const D: usize> LogitRelaxedBernoulli<D> {
    /// LogitRelaxedBernoulli(temperature, logits), named "LogitRelaxedBernoulli",
    /// `validate_args = false`.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::from_logits`].
    pub fn from_logits(
        temperature: Tensor<D>,
        logits: Tensor<D>,
    ) -> Result<Self, DistributionError> {
        Ok(RelaxedBernoulli::from_logits(temperature, logits)?
            .with_name("LogitRelaxedBernoulli")
            .to_logit())
    }

    /// LogitRelaxedBernoulli(temperature, probs) (logits `ln p - ln1p(-p)`, unclamped), named
    /// "LogitRelaxedBernoulli", `validate_args = false`.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::from_logits`].
    pub fn from_probs(temperature: Tensor<D>, probs: Tensor<D>) -> Result<Self, DistributionError> {
        Ok(RelaxedBernoulli::from_probs(temperature, probs)?
            .with_name("LogitRelaxedBernoulli")
            .to_logit())
    }

    /// As [`RelaxedBernoulli::with_validate_args`]: turns `validate_args` on or off, checking
    /// the parameters now when on.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::with_validate_args`].
    pub fn with_validate_args(self, on: bool) -> Result<Self, DistributionError> {
        Ok(self.inner.with_validate_args(on)?.to_logit())
    }

    /// Whether `validate_args` is on.
    pub fn validate_args(&self) -> bool {
        self.inner.validate_args()
    }

    /// The name shown in errors and `Debug` output (default "LogitRelaxedBernoulli").
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// The same distribution under another name.
    pub fn with_name(self, name: impl Into<Arc<str>>) -> Self {
        self.inner.with_name(name).to_logit()
    }
}

// ----- parameters -----

impl<const D: usize> LogitRelaxedBernoulli<D> {
    /// The batch shape.
    pub fn batch_shape(&self) -> &[usize] {
        self.inner.batch_shape()
    }
    /// The temperature tensor.
    pub fn temperature(&self) -> Tensor<D> {
        self.inner.temperature()
    }
    /// The logits (see [`RelaxedBernoulli::logits_parameter`]).
    pub fn logits_parameter(&self) -> Tensor<D> {
        self.inner.logits_parameter()
    }
    /// The probabilities (see [`RelaxedBernoulli::probs_parameter`]).
    pub fn probs_parameter(&self) -> Tensor<D> {
        self.inner.probs_parameter()
    }
    /// The RelaxedBernoulli `X = sigmoid(Y)`, with the same name and `validate_args`.
    pub fn to_relaxed(&self) -> RelaxedBernoulli<D> {
        self.inner.clone()
    }
}

// ----- statistics -----

impl<const D: usize> LogitRelaxedBernoulli<D> {
    /// The same as [`RelaxedBernoulli::kl_divergence`] (the KL is taken in logit space).
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::kl_divergence`].
    pub fn kl_divergence(&self, other: &Self) -> Result<Tensor<D>, DistributionError> {
        self.inner.kl_divergence(&other.inner)
    }

    /// The same as [`RelaxedBernoulli::kl_divergence_samples`].
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::kl_divergence_samples`].
    pub fn kl_divergence_samples<const S: usize>(
        &self,
        other: &Self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<Tensor<S>, DistributionError> {
        self.inner
            .kl_divergence_samples(&other.inner, sample_shape, seed)
    }

    /// The same as [`RelaxedBernoulli::kl_divergence_with_noise`].
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::kl_divergence_with_noise`].
    pub fn kl_divergence_with_noise<const S: usize>(
        &self,
        other: &Self,
        noise: Tensor<S>,
    ) -> Result<Tensor<S>, DistributionError> {
        self.inner.kl_divergence_with_noise(&other.inner, noise)
    }
}

// ----- evaluation -----

impl<const D: usize> LogitRelaxedBernoulli<D> {
    /// As [`RelaxedBernoulli::with_f64_evaluation`].
    pub fn with_f64_evaluation(self, on: bool) -> Self {
        self.inner.with_f64_evaluation(on).to_logit()
    }

    fn with_value<const S: usize>(
        &self,
        y: Tensor<S>,
    ) -> Result<(Tensor<S>, Expanded<S>), DistributionError> {
        self.inner.with_value(y, self.inner.eval_dtype())
    }

    fn with_value_native<const S: usize>(
        &self,
        y: Tensor<S>,
    ) -> Result<(Tensor<S>, Expanded<S>), DistributionError> {
        self.inner.with_value(y, self.inner.logits.dtype())
    }

    /// The log density `ln t - |z| - 2 ln1p(e^-|z|)`, `z = t y - l`, at `y` (rank `S >= D`).
    ///
    /// # Errors
    ///
    /// Shape errors as [`RelaxedBernoulli::log_prob`]; with `validate_args`,
    /// [`DistributionError::InvalidArgument`] if some `y` is NaN.
    pub fn log_prob<const S: usize>(&self, y: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.inner.check(&y, Domain::Real)?;
        let dtype = y.dtype();
        let (y, p) = self.with_value(y)?;
        let ok = y.clone().is_finite().bool_and(p.l_finite.clone());
        let ys = safe(ok.clone(), y.clone(), 0.0);
        let z = p.t.clone() * ys - p.ls;
        let lp = p.t.log() - pair(z);
        let at_mass = p.l.clone().equal(y.clone());
        let v = select(
            ok.clone(),
            lp,
            y.zeros_like().mask_fill(at_mass, f64::INFINITY),
        );
        let v = v.mask_fill(
            ok.bool_not().bool_and(p.l.equal(y.clone()).bool_not()),
            f64::NEG_INFINITY,
        );
        Ok(v.mask_fill(y.is_nan().bool_or(p.invalid), f64::NAN)
            .cast(dtype))
    }

    crate::ops::tail_methods! {
        value: y,
        cdf: "The cdf `sigmoid(t y - l)`.",
        log_cdf: "`-softplus(l - t y)`.",
        survival: "`sigmoid(l - t y)`.",
        log_survival: "`-softplus(t y - l)`.",
    }

    fn tail<const S: usize>(&self, f: Tail, y: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.inner.check(&y, Domain::Real)?;
        let dtype = y.dtype();
        let (y, p) = self.with_value(y)?;
        let ok = y.clone().is_finite().bool_and(p.l_finite.clone());
        let ys = safe(ok.clone(), y.clone(), 0.0);
        let z = p.t * ys - p.ls;
        let one =
            p.l.equal_elem(f64::NEG_INFINITY)
                .bool_or(y.clone().equal_elem(f64::INFINITY));
        let v = f.finish(ok, f.of(z), one);
        Ok(v.mask_fill(y.is_nan().bool_or(p.invalid), f64::NAN)
            .cast(dtype))
    }

    /// The quantile `(l + logit q) / t`; `quantile(0) = -inf`, `quantile(1) = inf`, NaN outside
    /// `[0, 1]`.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::quantile`].
    pub fn quantile<const S: usize>(&self, q: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.inner.check(&q, Domain::Probability)?;
        let dtype = q.dtype();
        let (q, p) = self.with_value(q)?;
        let v = quantile_from_logit(q, p.invalid, f64::NEG_INFINITY, f64::INFINITY, |lq| {
            select(p.l_finite, (p.ls + lq) / p.t, p.l)
        });
        Ok(v.cast(dtype))
    }
}

// ----- sampling -----

impl<const D: usize> LogitRelaxedBernoulli<D> {
    /// A reparameterized sample `y = (l + L) / t` of shape `sample_shape + batch_shape` from the
    /// core crate's seeded stream (see [`RelaxedBernoulli::rsample`]); `dy/dl = 1/t`, `dy/dt =
    /// -y/t`. Infinite logits give `y = l` with zero gradient.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample`].
    pub fn rsample<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<Tensor<S>, DistributionError> {
        let noise = self.inner.noise::<S>(sample_shape, seed)?;
        self.rsample_with_noise(noise)
    }

    /// `(l + noise) / t` for given standard logistic noise.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample_with_noise`].
    pub fn rsample_with_noise<const S: usize>(
        &self,
        noise: Tensor<S>,
    ) -> Result<Tensor<S>, DistributionError> {
        let (noise, p) = self.with_value_native(noise)?;
        let y = (p.ls + noise) / p.t;
        let y = select(p.l_finite, y, p.l);
        Ok(y.mask_fill(p.invalid, f64::NAN))
    }

    /// A sample without gradient.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample`].
    pub fn sample<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<Tensor<S>, DistributionError> {
        Ok(self.rsample::<S>(sample_shape, seed)?.detach())
    }

    /// A reparameterized sample and its log density `ln t - softplus(L) - softplus(-L)`
    /// (exact: `t y - l` is the noise itself); `+inf` for infinite logits, whose sample is the
    /// point mass `y = l`, as in the core crate.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample`].
    pub fn sample_and_log_prob<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<(Tensor<S>, Tensor<S>), DistributionError> {
        let noise = self.inner.noise::<S>(sample_shape, seed)?;
        self.sample_and_log_prob_with_noise(noise)
    }

    /// [`LogitRelaxedBernoulli::sample_and_log_prob`] for given logistic noise.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample_with_noise`].
    pub fn sample_and_log_prob_with_noise<const S: usize>(
        &self,
        noise: Tensor<S>,
    ) -> Result<(Tensor<S>, Tensor<S>), DistributionError> {
        let (noise, p) = self.with_value_native(noise)?;
        let y = (p.ls + noise.clone()) / p.t.clone();
        let y = select(p.l_finite.clone(), y, p.l);
        // As the core crate: `ln t - pair(L)`, and +inf for infinite logits (a point mass, as
        // `log_prob` at the mass); `inf` is a constant there, so no gradient flows through it.
        let lp = p.t.log() - pair(noise);
        let lp = lp.mask_fill(p.l_finite.clone().bool_not(), f64::INFINITY);
        Ok((
            y.mask_fill(p.invalid.clone(), f64::NAN),
            lp.mask_fill(p.invalid, f64::NAN),
        ))
    }
}
