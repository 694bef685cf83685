//! Logistic(loc, scale) over Burn tensors, the noise the relaxed distributions rest on.

use burn::tensor::{Bool, DType, Tensor};

use crate::DistributionError;
use crate::ops::{
    Tail, batch_shape, expand, logistic_noise, logit, out_shape, pair, safe, sample_output_shape,
};

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
/// (loc not finite, scale not finite or `<= 0`) give NaN.
#[derive(Clone, Debug)]
pub struct Logistic<const D: usize> {
    loc: Tensor<D>,
    scale: Tensor<D>,
    batch_shape: Vec<usize>,
    widen: bool,
}

impl<const D: usize> Logistic<D> {
    /// Logistic(loc, scale).
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
        })
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
    /// As [`crate::RelaxedBernoulli::log_prob`].
    pub fn log_prob<const S: usize>(&self, x: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
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
    /// As [`crate::RelaxedBernoulli::log_prob`].
    pub fn quantile<const S: usize>(&self, q: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        let dtype = q.dtype();
        let (q, m, s, invalid) = self.with_value(q, self.eval_dtype())?;
        let inside = q
            .clone()
            .greater_elem(0.0)
            .bool_and(q.clone().lower_elem(1.0));
        let qs = safe(inside, q.clone(), 0.5);
        let v = m + s * logit(qs);
        let v = v.mask_fill(q.clone().equal_elem(0.0), f64::NEG_INFINITY);
        let v = v.mask_fill(q.clone().equal_elem(1.0), f64::INFINITY);
        let bad = q
            .clone()
            .lower_elem(0.0)
            .bool_or(q.clone().greater_elem(1.0))
            .bool_or(q.is_nan())
            .bool_or(invalid);
        Ok(v.mask_fill(bad, f64::NAN).cast(dtype))
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
