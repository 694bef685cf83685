//! Logistic(loc, scale) over Burn tensors, the noise the relaxed distributions rest on.

use std::fmt;
use std::sync::Arc;

use burn::tensor::{Bool, DType, Tensor};

use crate::ops::{
    Domain, Tail, batch_shape, check_value, expand, first_violation, logistic_noise, out_shape,
    pair, quantile_from_logit, safe, sample_output_shape,
};
use crate::{DistributionError, Violation};

/// Logistic(loc μ, scale s) over Burn tensors: `X = μ + s L`, the tensor mirror of
/// [`relaxed::Logistic`].
///
/// # Density
///
/// ```text
/// w = (x - μ) / s
/// log p(x) = -ln s - softplus(w) - softplus(-w),  cdf(x) = sigmoid(w),  quantile(q) = μ + s logit(q)
/// ```
///
/// Shapes and gradients as [`crate::RelaxedBernoulli`]. `x = ±inf` has density `-inf` and cdf
/// 0 / 1; `quantile(0) = -inf`, `quantile(1) = inf`, NaN outside `[0, 1]`. Invalid parameters
/// (loc not finite, scale not finite or `<= 0`) give NaN unless `validate_args` is on.
///
/// # Validation
///
/// As [`crate::RelaxedBernoulli`] (off by default; [`Logistic::with_validate_args`]): the
/// parameters are checked when it is turned on (loc finite, scale positive and finite), and
/// `log_prob`, `prob` and the cdf family reject NaN values, `quantile` a `q` outside `[0, 1]`
/// or NaN, with TFP's messages and the name (default "Logistic"); the checks synchronise the
/// device and leave the autodiff graph alone.
#[derive(Clone)]
pub struct Logistic<const D: usize> {
    loc: Tensor<D>,
    scale: Tensor<D>,
    batch_shape: Vec<usize>,
    widen: bool,
    validate_args: bool,
    name: Arc<str>,
}

impl<const D: usize> fmt::Debug for Logistic<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logistic")
            .field("name", &&*self.name)
            .field("loc", &self.loc)
            .field("scale", &self.scale)
            .field("batch_shape", &self.batch_shape)
            .field("validate_args", &self.validate_args)
            .field("f64_evaluation", &self.widen)
            .finish()
    }
}

impl<const D: usize> Logistic<D> {
    /// Logistic(loc, scale), named "Logistic", `validate_args = false`.
    ///
    /// # Errors
    ///
    /// As [`crate::RelaxedBernoulli::from_logits`].
    pub fn new(loc: Tensor<D>, scale: Tensor<D>) -> Result<Self, DistributionError> {
        let batch_shape = batch_shape(&loc, &scale)?;
        Ok(Logistic {
            loc,
            scale,
            batch_shape,
            widen: true,
            validate_args: false,
            name: Arc::from("Logistic"),
        })
    }

    /// Turns TFP's `validate_args` on or off (default off). Turning it on checks the
    /// parameters now, reading flags back from the device (a synchronisation): every loc
    /// finite, every scale positive and finite. Set the name first for it to appear in the
    /// error.
    ///
    /// # Errors
    ///
    /// [`DistributionError::InvalidArgument`] for the first failed check, in the order loc not
    /// finite, scale not finite, scale not positive, carrying the name;
    /// [`DistributionError::DeviceRead`] if the flags cannot be read back.
    pub fn with_validate_args(mut self, on: bool) -> Result<Self, DistributionError> {
        self.validate_args = on;
        if on {
            let (m, s) = (self.loc.clone().detach(), self.scale.clone().detach());
            first_violation(
                &self.name,
                vec![
                    (m.is_finite().bool_not(), Violation::LocNotFinite),
                    (s.clone().is_finite().bool_not(), Violation::ScaleNotFinite),
                    (s.lower_equal_elem(0.0), Violation::ScaleNotPositive),
                ],
            )?;
        }
        Ok(self)
    }

    crate::ops::name_accessors!("Logistic");

    /// Under `validate_args`, checks a method's argument against `domain`.
    fn check<const S: usize>(
        &self,
        x: &Tensor<S>,
        domain: Domain,
    ) -> Result<(), DistributionError> {
        if self.validate_args {
            check_value(&self.name, x, domain)
        } else {
            Ok(())
        }
    }

    /// As [`crate::RelaxedBernoulli::with_f64_evaluation`].
    pub fn with_f64_evaluation(mut self, on: bool) -> Self {
        self.widen = on;
        self
    }

    fn eval_dtype(&self) -> DType {
        let d = self.loc.dtype();
        if self.widen && d != DType::F64 {
            DType::F64
        } else {
            d
        }
    }

    /// The batch shape.
    pub fn batch_shape(&self) -> &[usize] {
        &self.batch_shape
    }
    /// The location μ.
    pub fn loc(&self) -> Tensor<D> {
        self.loc.clone()
    }
    /// The scale s.
    pub fn scale(&self) -> Tensor<D> {
        self.scale.clone()
    }

    #[allow(clippy::type_complexity)]
    fn with_value<const S: usize>(
        &self,
        x: Tensor<S>,
        dtype: DType,
    ) -> Result<(Tensor<S>, Tensor<S>, Tensor<S>, Tensor<S, Bool>), DistributionError> {
        if x.dtype() != self.loc.dtype() {
            return Err(DistributionError::DTypeMismatch);
        }
        let shape = out_shape(&x.dims(), &self.batch_shape)?;
        let x: Tensor<S> = expand(x.cast(dtype), &shape);
        let m: Tensor<S> = expand(self.loc.clone().cast(dtype), &shape);
        let s: Tensor<S> = expand(self.scale.clone().cast(dtype), &shape);
        let invalid = m
            .clone()
            .is_finite()
            .bool_not()
            .bool_or(s.clone().is_finite().bool_not())
            .bool_or(s.clone().greater_elem(0.0).bool_not());
        Ok((x, m, s, invalid))
    }

    /// The log density `-ln s - pair(w)`, `w = (x - μ) / s`, at `x` (rank `S >= D`).
    ///
    /// # Errors
    ///
    /// As [`crate::LogitRelaxedBernoulli::log_prob`] (with `validate_args`, NaN values are
    /// rejected).
    pub fn log_prob<const S: usize>(&self, x: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.check(&x, Domain::Real)?;
        let dtype = x.dtype();
        let (x, m, s, invalid) = self.with_value(x, self.eval_dtype())?;
        let fin = x.clone().is_finite();
        let xs = safe(fin.clone(), x.clone(), 0.0);
        let w = (xs - m) / s.clone();
        let lp = s.log().neg() - pair(w);
        let lp = lp.mask_fill(fin.bool_not(), f64::NEG_INFINITY);
        Ok(lp
            .mask_fill(x.is_nan().bool_or(invalid), f64::NAN)
            .cast(dtype))
    }

    crate::ops::tail_methods! {
        value: x,
        cdf: "The cdf `sigmoid(w)`.",
        log_cdf: "`-softplus(-w)`.",
        survival: "`sigmoid(-w)`.",
        log_survival: "`-softplus(w)`.",
    }

    fn tail<const S: usize>(&self, f: Tail, x: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.check(&x, Domain::Real)?;
        let dtype = x.dtype();
        let (x, m, s, invalid) = self.with_value(x, self.eval_dtype())?;
        let fin = x.clone().is_finite();
        let xs = safe(fin.clone(), x.clone(), 0.0);
        let w = (xs - m) / s;
        let one = x.clone().greater_elem(0.0);
        let v = f.finish(fin, f.of(w), one);
        Ok(v.mask_fill(x.is_nan().bool_or(invalid), f64::NAN)
            .cast(dtype))
    }

    /// The quantile `μ + s logit(q)`.
    ///
    /// # Errors
    ///
    /// As [`crate::RelaxedBernoulli::quantile`].
    pub fn quantile<const S: usize>(&self, q: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.check(&q, Domain::Probability)?;
        let dtype = q.dtype();
        let (q, m, s, invalid) = self.with_value(q, self.eval_dtype())?;
        Ok(
            quantile_from_logit(q, invalid, f64::NEG_INFINITY, f64::INFINITY, |lq| {
                m + s * lq
            })
            .cast(dtype),
        )
    }

    /// A reparameterized sample `μ + s L` of shape `sample_shape + batch_shape` from the core
    /// crate's seeded stream.
    ///
    /// # Errors
    ///
    /// As [`crate::RelaxedBernoulli::rsample`].
    pub fn rsample<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<Tensor<S>, DistributionError> {
        let shape = sample_output_shape::<S>(sample_shape, &self.batch_shape)?;
        let noise = logistic_noise(&shape, seed, &self.loc.device(), self.loc.dtype());
        self.rsample_with_noise(noise)
    }

    /// `μ + s noise` for given standard logistic noise.
    ///
    /// # Errors
    ///
    /// As [`crate::RelaxedBernoulli::rsample_with_noise`].
    pub fn rsample_with_noise<const S: usize>(
        &self,
        noise: Tensor<S>,
    ) -> Result<Tensor<S>, DistributionError> {
        let (noise, m, s, invalid) = self.with_value(noise, self.loc.dtype())?;
        Ok((m + s * noise).mask_fill(invalid, f64::NAN))
    }

    /// A sample without gradient.
    ///
    /// # Errors
    ///
    /// As [`crate::RelaxedBernoulli::rsample`].
    pub fn sample<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<Tensor<S>, DistributionError> {
        Ok(self.rsample::<S>(sample_shape, seed)?.detach())
    }
}
