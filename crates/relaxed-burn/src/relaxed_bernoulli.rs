//! RelaxedBernoulli (binary Concrete, Gumbel-sigmoid) over Burn float tensors.

use std::fmt;
use std::sync::Arc;

use burn::tensor::{Bool, DType, Tensor};

use crate::logit_relaxed_bernoulli::LogitRelaxedBernoulli;
use crate::ops::{
    Domain, Tail, batch_shape, check_value, expand, first_violation, logistic_noise, logit,
    out_shape, pair, probs_to_logits, quantile_from_logit, safe, sample_output_shape, select,
    sigmoid,
};
use crate::{DistributionError, Violation};

/// RelaxedBernoulli(temperature t, logits l) over Burn tensors: `X = sigmoid((l + L) / t)`
/// with `L ~ Logistic(0, 1)`, the tensor mirror of [`relaxed::RelaxedBernoulli`].
///
/// # Shapes
///
/// `temperature` and `logits` (or `probs`) are float tensors of the same rank `D` and dtype
/// whose shapes broadcast (NumPy rules, size-1 axes stretch) to the batch shape. A sample of
/// `sample_shape` has shape `sample_shape + batch_shape` (rank `S`, given as the method's
/// const parameter); a value of rank `S >= D` broadcasts against the batch shape, the batch
/// shape aligned to its last axes.
///
/// # Density
///
/// ```text
/// y = ln x - ln1p(-x),  z = t*y - l
/// log p(x) = ln t - softplus(z) - softplus(-z) - ln x - ln1p(-x)   (TFP's two-branch form by the sign of z)
/// cdf(x) = sigmoid(z),  log_cdf = -softplus(-z),  survival = sigmoid(-z),  log_survival = -softplus(z)
/// quantile(q) = sigmoid((l + logit q) / t)
/// ```
///
/// # Gradients
///
/// Every method is differentiable with respect to the temperature, the logits and the probs
/// (when built from probs, the logits are `ln p - ln1p(-p)` of the probs tensor, never a
/// clamped copy). Branches that are masked out are evaluated on safe inputs, so no gradient is
/// NaN because of them: at `x` in {0, 1}, infinite logits, or samples that round to 0 or 1,
/// the gradient is finite (0 where the value does not move).
///
/// # Edge semantics
///
/// Those of DESIGN §3 and the core crate: `log_prob` at `x` in {0, 1} is `+inf` for `t < 1`,
/// `-inf` for `t > 1`, `-l` / `+l` for `t = 1`; infinite logits are point masses; outside
/// `[0, 1]` `log_prob = -inf` and the cdf is 0 below and 1 above; `quantile` of `q` outside
/// `[0, 1]` is NaN.
///
/// # Validation
///
/// As in TFP, `validate_args` is off by default: invalid parameters (t <= 0 or not finite,
/// NaN logits, probs outside [0, 1] or NaN) then give NaN from every method, and values
/// outside the support give the edge values above. [`RelaxedBernoulli::with_validate_args`]
/// turns it on: the parameters are checked at once, and `log_prob`, `prob`, the cdf family
/// (`0 <= x <= 1`, no NaN) and `quantile` (`q` in `[0, 1]`) check their argument, returning
/// [`DistributionError::InvalidArgument`] with TFP's message and the distribution's
/// [`name`](RelaxedBernoulli::name) instead of a value. Each check reduces its masks on the
/// device and reads a few flags back to the host, which synchronises the device (a cost per
/// call, on GPU backends a stall); the checks record nothing in the autodiff graph, so
/// gradients are the same with and without them. Samplers (`rsample`, `*_with_noise`) and the
/// KL terms take noise, not values, and are not checked.
///
/// ```
/// use burn::tensor::{DType, Device, Tensor, TensorData};
/// use relaxed_burn::{RelaxedBernoulli, Violation};
///
/// let device = Device::flex().autodiff();
/// let f64s = |v: Vec<f64>| Tensor::<1>::from_data(TensorData::new(v, [2]), (&device, DType::F64));
/// let e = RelaxedBernoulli::from_logits(f64s(vec![0.5, 0.0]), f64s(vec![1.0, 2.0]))
///     .unwrap()
///     .with_name("gate")
///     .with_validate_args(true)
///     .unwrap_err();
/// assert_eq!(e.violation(), Some(Violation::TemperatureNotPositive));
/// assert_eq!(e.to_string(), "gate: Argument `temperature` must be positive.");
/// ```
#[derive(Clone)]
pub struct RelaxedBernoulli<const D: usize> {
    pub(crate) temperature: Tensor<D>,
    pub(crate) logits: Tensor<D>,
    pub(crate) probs: Option<Tensor<D>>,
    pub(crate) batch_shape: Vec<usize>,
    pub(crate) widen: bool,
    pub(crate) validate_args: bool,
    pub(crate) name: Arc<str>,
}

impl<const D: usize> fmt::Debug for RelaxedBernoulli<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("RelaxedBernoulli");
        self.debug_fields(&mut s);
        s.finish()
    }
}

impl<const D: usize> RelaxedBernoulli<D> {
    /// The fields shown by `Debug` (shared with [`LogitRelaxedBernoulli`]).
    pub(crate) fn debug_fields(&self, s: &mut fmt::DebugStruct<'_, '_>) {
        s.field("name", &&*self.name)
            .field("temperature", &self.temperature);
        match &self.probs {
            Some(p) => s.field("probs", p),
            None => s.field("logits", &self.logits),
        };
        s.field("batch_shape", &self.batch_shape)
            .field("validate_args", &self.validate_args)
            .field("f64_evaluation", &self.widen);
    }
}

// ----- constructors -----

impl<const D: usize> RelaxedBernoulli<D> {
    /// RelaxedBernoulli(temperature, logits), named "RelaxedBernoulli", `validate_args = false`
    /// (see [`RelaxedBernoulli::with_validate_args`]).
    ///
    /// # Errors
    ///
    /// [`DistributionError::IncompatibleShapes`] if the shapes do not broadcast,
    /// [`DistributionError::DTypeMismatch`] if the dtypes differ.
    pub fn from_logits(
        temperature: Tensor<D>,
        logits: Tensor<D>,
    ) -> Result<Self, DistributionError> {
        let batch_shape = batch_shape(&temperature, &logits)?;
        Ok(RelaxedBernoulli {
            temperature,
            logits,
            probs: None,
            batch_shape,
            widen: true,
            validate_args: false,
            name: Arc::from("RelaxedBernoulli"),
        })
    }

    /// RelaxedBernoulli(temperature, probs), with logits `ln p - ln1p(-p)` computed from the
    /// probs tensor without clamping (p = 0 and 1 give infinite logits, legal point masses);
    /// named "RelaxedBernoulli", `validate_args = false`.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::from_logits`].
    pub fn from_probs(temperature: Tensor<D>, probs: Tensor<D>) -> Result<Self, DistributionError> {
        let batch_shape = batch_shape(&temperature, &probs)?;
        Ok(RelaxedBernoulli {
            temperature,
            logits: probs_to_logits(probs.clone()),
            probs: Some(probs),
            batch_shape,
            widen: true,
            validate_args: false,
            name: Arc::from("RelaxedBernoulli"),
        })
    }
}

impl<const D: usize> RelaxedBernoulli<D> {
    /// Whether evaluation (`log_prob`, the cdf family, `quantile`, the KL terms) of `f32` (or
    /// half-precision) parameters is done in `f64` and rounded once (default `true`): the
    /// accuracy of the core crate, which widens where `t logit(x)` nearly cancels a large
    /// logit. Turn it off on devices without `f64` support; samples are always drawn in the
    /// parameters' dtype.
    pub fn with_f64_evaluation(mut self, on: bool) -> Self {
        self.widen = on;
        self
    }

    /// Turns TFP's `validate_args` on or off (default off; see "Validation" in the type's
    /// docs). Turning it on checks the parameters now: every temperature positive and finite,
    /// no NaN logit, every probability in `[0, 1]` (not NaN); infinite logits and probs 0 and 1
    /// are legal point masses. The check reads flags back from the device (a synchronisation)
    /// and does not touch the autodiff graph. Set the name first ([`RelaxedBernoulli::with_name`])
    /// for it to appear in the error.
    ///
    /// # Errors
    ///
    /// [`DistributionError::InvalidArgument`] for the first failed check, in the order
    /// temperature not finite, temperature not positive, then probs NaN / below 0 / above 1 (or
    /// logits NaN), carrying the distribution's name; [`DistributionError::DeviceRead`] if the
    /// backend cannot read the flags back.
    pub fn with_validate_args(mut self, on: bool) -> Result<Self, DistributionError> {
        self.validate_args = on;
        if on {
            self.check_parameters()?;
        }
        Ok(self)
    }

    crate::ops::name_accessors!("RelaxedBernoulli");

    fn check_parameters(&self) -> Result<(), DistributionError> {
        let t = self.temperature.clone().detach();
        let mut checks = vec![
            (
                t.clone().is_finite().bool_not(),
                Violation::TemperatureNotFinite,
            ),
            (t.lower_equal_elem(0.0), Violation::TemperatureNotPositive),
        ];
        match &self.probs {
            Some(p) => {
                let p = p.clone().detach();
                checks.push((p.clone().is_nan(), Violation::ProbsNaN));
                checks.push((p.clone().lower_elem(0.0), Violation::ProbsBelowZero));
                checks.push((p.greater_elem(1.0), Violation::ProbsAboveOne));
            }
            None => checks.push((self.logits.clone().detach().is_nan(), Violation::LogitsNaN)),
        }
        first_violation(&self.name, checks)
    }

    /// Under `validate_args`, checks a method's argument against `domain`.
    pub(crate) fn check<const S: usize>(
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

    /// The dtype evaluation runs in.
    pub(crate) fn eval_dtype(&self) -> DType {
        let d = self.logits.dtype();
        if self.widen && d != DType::F64 {
            DType::F64
        } else {
            d
        }
    }
}

// ----- parameters -----

impl<const D: usize> RelaxedBernoulli<D> {
    /// The batch shape: the broadcast of the temperature and logits shapes.
    pub fn batch_shape(&self) -> &[usize] {
        &self.batch_shape
    }
    /// The temperature tensor, as given.
    pub fn temperature(&self) -> Tensor<D> {
        self.temperature.clone()
    }
    /// The logits: as given, or `ln p - ln1p(-p)` of the probs (differentiable).
    pub fn logits_parameter(&self) -> Tensor<D> {
        self.logits.clone()
    }
    /// The probabilities: as given, or the stable `sigmoid(logits)`.
    pub fn probs_parameter(&self) -> Tensor<D> {
        match &self.probs {
            Some(p) => p.clone(),
            None => sigmoid(self.logits.clone()),
        }
    }
    /// The logit-space distribution `Y = logit(X)` with the same parameters, name and
    /// `validate_args` (as the core crate's `to_logit`).
    pub fn to_logit(&self) -> LogitRelaxedBernoulli<D> {
        LogitRelaxedBernoulli {
            inner: self.clone(),
        }
    }
}

/// The parameters expanded to an output shape, with the masks every method needs.
pub(crate) struct Expanded<const S: usize> {
    pub(crate) t: Tensor<S>,
    pub(crate) l: Tensor<S>,
    /// The logits where finite, 0 elsewhere (the safe input of the double where).
    pub(crate) ls: Tensor<S>,
    pub(crate) l_finite: Tensor<S, Bool>,
    /// t <= 0, t not finite, or NaN logits.
    pub(crate) invalid: Tensor<S, Bool>,
}

impl<const D: usize> RelaxedBernoulli<D> {
    /// The parameters in `dtype` expanded to `shape` (logits from probs are recomputed in a
    /// wider dtype, never rounded through the narrow one).
    pub(crate) fn expanded<const S: usize>(&self, shape: &[usize], dtype: DType) -> Expanded<S> {
        let t: Tensor<S> = expand(self.temperature.clone().cast(dtype), shape);
        let l = match &self.probs {
            Some(p) if dtype != self.logits.dtype() => probs_to_logits(p.clone().cast(dtype)),
            _ => self.logits.clone().cast(dtype),
        };
        let l: Tensor<S> = expand(l, shape);
        let l_finite = l.clone().is_finite();
        let ls = safe(l_finite.clone(), l.clone(), 0.0);
        let invalid = t
            .clone()
            .greater_elem(0.0)
            .bool_not()
            .bool_or(t.clone().is_inf())
            .bool_or(l.clone().is_nan());
        Expanded {
            t,
            l,
            ls,
            l_finite,
            invalid,
        }
    }

    /// The value and the parameters in `dtype`, all expanded to their broadcast shape.
    pub(crate) fn with_value<const S: usize>(
        &self,
        x: Tensor<S>,
        dtype: DType,
    ) -> Result<(Tensor<S>, Expanded<S>), DistributionError> {
        if x.dtype() != self.logits.dtype() {
            return Err(DistributionError::DTypeMismatch);
        }
        let shape = out_shape(&x.dims(), &self.batch_shape)?;
        let x: Tensor<S> = expand(x.cast(dtype), &shape);
        Ok((x, self.expanded(&shape, dtype)))
    }
}

// ----- statistics -----

impl<const D: usize> RelaxedBernoulli<D> {
    /// `KL(self || other)` for equal temperatures: `d coth(d/2) - 2`, `d = l_self - l_other`
    /// (the divergence between the logit-space Logistics; it does not depend on the common
    /// temperature), with the series `d^2/6 - d^4/360 + d^6/15120 - d^8/604800 + d^10/23950080`
    /// for `|d| < 0.1`, so the value and its gradient (`d/3` as `d -> 0`) are exact near 0.
    /// Point masses: 0 between the same one, `+inf` otherwise. Shape: the broadcast of the two
    /// batch shapes.
    ///
    /// The gradient with respect to the logits is exact. With respect to the temperatures it is
    /// the derivative along `t_self = t_other` (zero): when the two temperatures are separate
    /// trainable tensors, use [`RelaxedBernoulli::kl_divergence_samples`], whose gradient is
    /// the pathwise one with respect to each.
    ///
    /// # Errors
    ///
    /// [`DistributionError::UnequalTemperatures`] if some pair of temperatures differs (checked
    /// on the host), [`DistributionError::DeviceRead`] if that check cannot be read back, shape
    /// and dtype errors as the constructors.
    pub fn kl_divergence(&self, other: &Self) -> Result<Tensor<D>, DistributionError> {
        if self.logits.dtype() != other.logits.dtype() {
            return Err(DistributionError::DTypeMismatch);
        }
        let shape = out_shape(&self.batch_shape, &other.batch_shape)?;
        let t1: Tensor<D> = expand(self.temperature.clone(), &shape);
        let t2: Tensor<D> = expand(other.temperature.clone(), &shape);
        // Read back without panicking: a failed device read is an error like the checks'.
        let differ = t1
            .not_equal(t2)
            .any()
            .int()
            .try_into_data()
            .map_err(|e| DistributionError::DeviceRead {
                name: self.name.to_string(),
                message: e.to_string(),
            })?
            .iter::<i64>()
            .any(|flag| flag != 0);
        if differ {
            return Err(DistributionError::UnequalTemperatures);
        }
        let dtype = self.eval_dtype();
        let l1 = self.expanded::<D>(&shape, dtype).l;
        let l2 = other.expanded::<D>(&shape, dtype).l;
        Ok(kl_equal_temperature(l1, l2).cast(self.logits.dtype()))
    }

    /// Monte Carlo terms of `KL(self || other)` in logit space, `ln p(Y) - ln q(Y)` with `Y =
    /// (l_self + L) / t_self` reparameterized from the seeded noise (`sample_shape +
    /// broadcast(batch shapes)`, rank `S`): each term's mean over the noise is the KL (any
    /// temperatures), and its gradient is differentiable with respect to both distributions'
    /// logits (or probs) and temperatures.
    ///
    /// # Errors
    ///
    /// [`DistributionError::RankMismatch`] if `S` is not `sample_shape.len() + D`; shape and
    /// dtype errors as the constructors.
    pub fn kl_divergence_samples<const S: usize>(
        &self,
        other: &Self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<Tensor<S>, DistributionError> {
        let bshape = out_shape(&self.batch_shape, &other.batch_shape)?;
        let shape = sample_output_shape::<S>(sample_shape, &bshape)?;
        let noise = logistic_noise(&shape, seed, &self.logits.device(), self.logits.dtype());
        self.kl_divergence_with_noise(other, noise)
    }

    /// [`RelaxedBernoulli::kl_divergence_samples`] for given logistic noise (shape
    /// broadcasting against both batch shapes).
    ///
    /// # Errors
    ///
    /// Shape and dtype errors as the constructors.
    pub fn kl_divergence_with_noise<const S: usize>(
        &self,
        other: &Self,
        noise: Tensor<S>,
    ) -> Result<Tensor<S>, DistributionError> {
        let bshape = out_shape(&self.batch_shape, &other.batch_shape)?;
        let shape = out_shape(&noise.dims(), &bshape)?;
        if noise.dtype() != self.logits.dtype() || other.logits.dtype() != self.logits.dtype() {
            return Err(DistributionError::DTypeMismatch);
        }
        let (out, dtype) = (noise.dtype(), self.eval_dtype());
        let noise: Tensor<S> = expand(noise.cast(dtype), &shape);
        let p = self.expanded::<S>(&shape, dtype);
        let q = other.expanded::<S>(&shape, dtype);
        // ln p(Y) = ln t1 - pair(L) exactly (t1 Y - l1 = L); ln q(Y) = ln t2 - pair(t2 Y - l2).
        let y = (p.ls + noise.clone()) / p.t.clone();
        let z2 = q.t.clone() * y - q.ls;
        let v = p.t.log() - q.t.log() - pair(noise) + pair(z2);
        // Point masses: 0 between the same one, inf otherwise; invalid parameters: NaN.
        let any_inf = p.l_finite.clone().bool_and(q.l_finite.clone()).bool_not();
        let same = p.l.equal(q.l);
        let v = v.mask_fill(any_inf.clone().bool_and(same.clone()), 0.0);
        let v = v.mask_fill(any_inf.bool_and(same.bool_not()), f64::INFINITY);
        Ok(v.mask_fill(p.invalid.bool_or(q.invalid), f64::NAN)
            .cast(out))
    }
}

/// `d coth(d/2) - 2` for `d = l1 - l2` (same shapes), the series below `|d| = 0.1`, both
/// branches double-where'd; infinite logits: 0 if equal, else inf.
pub(crate) fn kl_equal_temperature<const S: usize>(l1: Tensor<S>, l2: Tensor<S>) -> Tensor<S> {
    let nan = l1.clone().is_nan().bool_or(l2.clone().is_nan());
    let fin = l1.clone().is_finite().bool_and(l2.clone().is_finite());
    let same = l1.clone().equal(l2.clone());
    let d = safe(fin.clone(), l1, 0.0) - safe(fin.clone(), l2, 0.0);
    let small = d.clone().abs().lower_elem(0.1);
    let ds = safe(small.clone(), d.clone(), 0.0);
    let d2 = ds.clone() * ds;
    // d^2 (1/6 + d^2 (-1/360 + d^2 (1/15120 + d^2 (-1/604800 + d^2 / 23950080)))).
    let inner = d2.clone() * (1.0 / 23950080.0) - 1.0 / 604800.0;
    let inner = inner * d2.clone() + 1.0 / 15120.0;
    let inner = inner * d2.clone() - 1.0 / 360.0;
    let inner = inner * d2.clone() + 1.0 / 6.0;
    let series = inner * d2;
    let db = safe(small.clone().bool_not(), d, 1.0).abs();
    let big = db.clone() / (db * 0.5).tanh() - 2.0;
    let v = select(small, series, big);
    let v = v.mask_fill(fin.clone().bool_not().bool_and(same.clone()), 0.0);
    let v = v.mask_fill(fin.bool_not().bool_and(same.bool_not()), f64::INFINITY);
    v.mask_fill(nan, f64::NAN)
}

// ----- evaluation -----

impl<const D: usize> RelaxedBernoulli<D> {
    /// The log density at `x` (rank `S >= D`, broadcasting against the batch shape), by the
    /// two-branch form (DESIGN §3) on the interior and the edge rules elsewhere.
    ///
    /// # Errors
    ///
    /// [`DistributionError::IncompatibleShapes`], [`DistributionError::RankMismatch`] or
    /// [`DistributionError::DTypeMismatch`] if `x` does not fit the batch; with
    /// `validate_args`, [`DistributionError::InvalidArgument`] if some `x` is NaN, below 0 or
    /// above 1 (checked in that order).
    pub fn log_prob<const S: usize>(&self, x: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.check(&x, Domain::Unit)?;
        let dtype = x.dtype();
        let (x, p) = self.with_value(x, self.eval_dtype())?;
        Ok(log_prob_expanded(x, p).cast(dtype))
    }

    crate::ops::tail_methods! {
        value: x,
        cdf: "The cdf `sigmoid(t logit(x) - l)`.",
        log_cdf: "`ln cdf(x) = -softplus(l - t logit(x))`, computed directly.",
        survival: "`P(X > x) = sigmoid(l - t logit(x))`, computed directly.",
        log_survival: "`ln P(X > x) = -softplus(t logit(x) - l)`, computed directly.",
    }

    fn tail<const S: usize>(&self, f: Tail, x: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.check(&x, Domain::Unit)?;
        let dtype = x.dtype();
        let (x, p) = self.with_value(x, self.eval_dtype())?;
        let inside = x
            .clone()
            .greater_elem(0.0)
            .bool_and(x.clone().lower_elem(1.0))
            .bool_and(p.l_finite.clone());
        let xs = safe(inside.clone(), x.clone(), 0.5);
        let z = p.t * logit(xs) - p.ls;
        // Outside the interior: cdf = 1 at or above 1, and everywhere in [0, 1] for l = -inf.
        let one = x.clone().greater_equal_elem(1.0).bool_or(
            p.l.clone()
                .equal_elem(f64::NEG_INFINITY)
                .bool_and(x.clone().greater_equal_elem(0.0)),
        );
        let v = f.finish(inside, f.of(z), one);
        Ok(v.mask_fill(x.is_nan().bool_or(p.invalid), f64::NAN)
            .cast(dtype))
    }

    /// The quantile `sigmoid((l + logit q) / t)`; `quantile(0) = 0`, `quantile(1) = 1`, NaN
    /// outside `[0, 1]`.
    ///
    /// # Errors
    ///
    /// Shape errors as [`RelaxedBernoulli::log_prob`]; with `validate_args`,
    /// [`DistributionError::InvalidArgument`] ([`Violation::QuantileOutOfRange`]) if some `q` is
    /// outside `[0, 1]` or NaN.
    pub fn quantile<const S: usize>(&self, q: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
        self.check(&q, Domain::Probability)?;
        let dtype = q.dtype();
        let (q, p) = self.with_value(q, self.eval_dtype())?;
        let v = quantile_from_logit(q, p.invalid, 0.0, 1.0, |lq| {
            select(p.l_finite, sigmoid((p.ls + lq) / p.t), sigmoid(p.l))
        });
        Ok(v.cast(dtype))
    }
}

/// The log density on expanded tensors.
fn log_prob_expanded<const S: usize>(x: Tensor<S>, p: Expanded<S>) -> Tensor<S> {
    let Expanded {
        t,
        l,
        ls,
        l_finite,
        invalid,
    } = p;
    let inside = x
        .clone()
        .greater_elem(0.0)
        .bool_and(x.clone().lower_elem(1.0))
        .bool_and(l_finite.clone());
    let xs = safe(inside.clone(), x.clone(), 0.5);
    let lx = xs.clone().log();
    let l1x = xs.neg().log1p();
    let z = t.clone() * (lx.clone() - l1x.clone()) - ls.clone();
    // -|z| taking the z >= 0 side at 0, the side whose branch is used below: each branch is
    // then one smooth formula, so its derivative is right at z = 0 too.
    let neg = z.clone().lower_elem(0.0);
    let tail = select(neg.clone(), z.clone(), z.neg()).exp().log1p() * 2.0;
    let tp1 = t.clone() + 1.0;
    let tm1 = t.clone() - 1.0;
    let a = select(neg.clone(), ls.clone().neg(), ls.clone());
    let b = select(
        neg.clone(),
        tm1.clone() * lx.clone(),
        (tp1.clone() * lx).neg(),
    );
    let c = select(neg, (tp1 * l1x.clone()).neg(), tm1 * l1x);
    let interior = t.clone().log() + a + b + c - tail;
    // x in {0, 1} (finite logits): +inf for t < 1, -inf for t > 1, -l at 0 and +l at 1 for t = 1.
    let at_t1 = select(x.clone().equal_elem(0.0), ls.clone().neg(), ls);
    let edge = at_t1
        .mask_fill(t.clone().lower_elem(1.0), f64::INFINITY)
        .mask_fill(t.greater_elem(1.0), f64::NEG_INFINITY);
    let v = select(inside, interior, edge);
    // Infinite logits: point masses at 0 (l = -inf) and 1 (l = inf).
    let at_mass = l
        .clone()
        .equal_elem(f64::NEG_INFINITY)
        .bool_and(x.clone().equal_elem(0.0))
        .bool_or(
            l.clone()
                .equal_elem(f64::INFINITY)
                .bool_and(x.clone().equal_elem(1.0)),
        );
    let l_inf = l_finite.bool_not();
    let v = v.mask_fill(l_inf.clone().bool_and(at_mass.clone()), f64::INFINITY);
    let v = v.mask_fill(l_inf.bool_and(at_mass.bool_not()), f64::NEG_INFINITY);
    let outside = x
        .clone()
        .lower_elem(0.0)
        .bool_or(x.clone().greater_elem(1.0));
    let v = v.mask_fill(outside, f64::NEG_INFINITY);
    v.mask_fill(x.is_nan().bool_or(invalid), f64::NAN)
}

// ----- sampling -----

/// A straight-through sample from [`RelaxedBernoulli::rsample_hard`].
#[derive(Clone, Debug)]
pub struct StraightThrough<const S: usize> {
    /// `hard + (soft - soft.detach())`: forward values exactly 0 or 1 (`1[l + L > 0]`,
    /// `Bernoulli(sigmoid(l))` at every temperature), gradient that of `soft`.
    pub hard: Tensor<S>,
    /// The relaxed sample `sigmoid((l + L) / t)` the gradient comes from.
    pub soft: Tensor<S>,
    /// The log density of the soft sample, from the pre-sigmoid value (finite where `soft`
    /// rounds to 0 or 1).
    pub log_prob: Tensor<S>,
}

impl<const D: usize> RelaxedBernoulli<D> {
    /// A reparameterized sample of shape `sample_shape + batch_shape` (rank `S`), from the core
    /// crate's seeded stream: element `i` (row-major) uses `relaxed::noise::logistic_noise(shape,
    /// seed)[i]`, so the same seed gives the same values as `relaxed::Batch::sample` (`f64`
    /// noise for `F64` tensors, `f32` noise otherwise). Differentiable with respect to the
    /// logits (or probs) and the temperature: `dx/dl = x (1 - x) / t`, `dx/dt = -x (1 - x) (l
    /// + L) / t^2`.
    ///
    /// # Errors
    ///
    /// [`DistributionError::RankMismatch`] if `S != sample_shape.len() + D`.
    pub fn rsample<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<Tensor<S>, DistributionError> {
        let noise = self.noise::<S>(sample_shape, seed)?;
        self.rsample_with_noise(noise)
    }

    /// The seeded standard logistic noise of shape `sample_shape + batch_shape`.
    pub(crate) fn noise<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<Tensor<S>, DistributionError> {
        let shape = sample_output_shape::<S>(sample_shape, &self.batch_shape)?;
        Ok(logistic_noise(
            &shape,
            seed,
            &self.logits.device(),
            self.logits.dtype(),
        ))
    }

    /// `sigmoid((l + noise) / t)` for given standard logistic noise (rank `S >= D`,
    /// broadcasting against the batch shape). Infinite logits give the point mass (0 or 1) with
    /// zero gradient.
    ///
    /// # Errors
    ///
    /// Shape, rank and dtype errors as [`RelaxedBernoulli::log_prob`].
    pub fn rsample_with_noise<const S: usize>(
        &self,
        noise: Tensor<S>,
    ) -> Result<Tensor<S>, DistributionError> {
        let (noise, p) = self.with_value(noise, self.logits.dtype())?;
        let w = (p.ls + noise) / p.t;
        let x = select(p.l_finite, sigmoid(w), sigmoid(p.l));
        Ok(x.mask_fill(p.invalid, f64::NAN))
    }

    /// A sample without gradient (`rsample(..).detach()`).
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

    /// A reparameterized sample and its log density, the density computed from the pre-sigmoid
    /// value `w = (l + L) / t`: `ln t - pair(L) + pair(w)`, `pair(a) = softplus(a) +
    /// softplus(-a)`. Finite (and exact) where the sample rounds to 0 or 1, unlike
    /// `log_prob(sample)`.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample`].
    pub fn sample_and_log_prob<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<(Tensor<S>, Tensor<S>), DistributionError> {
        let noise = self.noise::<S>(sample_shape, seed)?;
        self.sample_and_log_prob_with_noise(noise)
    }

    /// [`RelaxedBernoulli::sample_and_log_prob`] for given logistic noise.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample_with_noise`].
    pub fn sample_and_log_prob_with_noise<const S: usize>(
        &self,
        noise: Tensor<S>,
    ) -> Result<(Tensor<S>, Tensor<S>), DistributionError> {
        let (noise, p) = self.with_value(noise, self.logits.dtype())?;
        let (x, lp, _) = soft_and_log_prob(noise, p);
        Ok((x, lp))
    }

    /// A straight-through sample (DESIGN §3): forward value `1[l + L > 0]`, exactly
    /// `Bernoulli(sigmoid(l))` at every temperature, with the gradient of the relaxed sample
    /// `sigmoid((l + L) / t)`; the log density is that of the relaxed sample.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample`].
    pub fn rsample_hard<const S: usize>(
        &self,
        sample_shape: &[usize],
        seed: u64,
    ) -> Result<StraightThrough<S>, DistributionError> {
        let noise = self.noise::<S>(sample_shape, seed)?;
        self.rsample_hard_with_noise(noise)
    }

    /// [`RelaxedBernoulli::rsample_hard`] for given logistic noise.
    ///
    /// # Errors
    ///
    /// As [`RelaxedBernoulli::rsample_with_noise`].
    pub fn rsample_hard_with_noise<const S: usize>(
        &self,
        noise: Tensor<S>,
    ) -> Result<StraightThrough<S>, DistributionError> {
        let (noise, p) = self.with_value(noise, self.logits.dtype())?;
        let (soft, log_prob, above) = soft_and_log_prob(noise, p);
        let zero = soft.zeros_like().detach();
        let hard = zero.mask_fill(above, 1.0);
        // soft - soft.detach() is exactly 0 forward; its gradient is soft's.
        let hard = hard + (soft.clone() - soft.clone().detach());
        Ok(StraightThrough {
            hard,
            soft,
            log_prob,
        })
    }
}

/// The sample, its log density from the pre-sigmoid value, and the mask `l + L > 0`.
fn soft_and_log_prob<const S: usize>(
    noise: Tensor<S>,
    p: Expanded<S>,
) -> (Tensor<S>, Tensor<S>, Tensor<S, Bool>) {
    let above = (p.l.clone() + noise.clone()).greater_elem(0.0);
    let w = (p.ls + noise.clone()) / p.t.clone();
    let x = select(p.l_finite.clone(), sigmoid(w.clone()), sigmoid(p.l));
    let lp = p.t.log() - pair(noise) + pair(w);
    let lp = lp.mask_fill(p.l_finite.bool_not(), f64::INFINITY);
    let x = x.mask_fill(p.invalid.clone(), f64::NAN);
    let lp = lp.mask_fill(p.invalid, f64::NAN);
    (x, lp, above)
}
