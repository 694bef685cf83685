//! Tensor primitives shared by the distributions: the stable sigmoid, softplus and logit of
//! DESIGN §3 written in Burn ops, the "double where" selection, shapes and noise upload.
//!
//! Every function here is built from `exp`, `log`, `log1p`, `abs`, `tanh`, arithmetic and
//! `mask_where`, which the `flex` backend computes natively in the tensor's dtype (Burn's
//! `activation::sigmoid` is not used: its default implementation computes in `f32`).
//!
//! ## Design: no NaN gradients from masked branches
//!
//! `mask_where` passes a zero gradient to the branch it did not select, but the chain rule
//! then multiplies that zero by the branch's local derivatives, and `0 * inf = NaN`. So a
//! branch that could hold ±inf or NaN for some element is evaluated on a *safe* input there
//! (the "double where": select the input, compute, select the output).

use burn::tensor::{Bool, DType, Device, Shape, Tensor, TensorData};

use crate::{DistributionError, Violation};

/// `a` where `mask`, else `b`.
pub(crate) fn select<const S: usize>(
    mask: Tensor<S, Bool>,
    a: Tensor<S>,
    b: Tensor<S>,
) -> Tensor<S> {
    b.mask_where(mask, a)
}

/// `x` where `mask`, else the constant `c` (the safe input of a double where).
pub(crate) fn safe<const S: usize>(mask: Tensor<S, Bool>, x: Tensor<S>, c: f64) -> Tensor<S> {
    x.mask_fill(mask.bool_not(), c)
}

/// `-|x|`, taking the `x >= 0` side at 0 (so that derivatives built on it are one-sided and
/// continuous there, unlike `abs`, whose derivative at 0 is `sign(0) = 0`), with the mask.
fn neg_abs<const S: usize>(x: Tensor<S>) -> (Tensor<S>, Tensor<S, Bool>) {
    let pos = x.clone().greater_equal_elem(0.0);
    (select(pos.clone(), x.clone().neg(), x), pos)
}

/// The stable sigmoid: `e = exp(-|x|)`, `1 / (1 + e)` for `x >= 0` and `e / (1 + e)` below.
/// Both branches are finite for every `x` (so are their derivatives); exact relative accuracy
/// in both tails; `sigmoid(±inf) = 1, 0` with derivative 0.
pub fn sigmoid<const S: usize>(x: Tensor<S>) -> Tensor<S> {
    let (na, pos) = neg_abs(x);
    let e = na.exp();
    let r = (e.clone() + 1.0).recip();
    select(pos, r.clone(), e * r)
}

/// `softplus(x) = max(x, 0) + log1p(exp(-|x|))`; its derivative is `sigmoid(x)` everywhere,
/// including `1/2` at 0. `softplus(-inf) = 0`, `softplus(inf) = inf`.
pub fn softplus<const S: usize>(x: Tensor<S>) -> Tensor<S> {
    let (na, pos) = neg_abs(x.clone());
    let relu = select(pos, x.clone(), x.zeros_like());
    relu + na.exp().log1p()
}

/// `softplus(a) + softplus(-a) = |a| + 2 log1p(exp(-|a|))` (even: derivative 0 at 0).
pub(crate) fn pair<const S: usize>(a: Tensor<S>) -> Tensor<S> {
    let na = a.abs().neg();
    na.clone().exp().log1p().mul_scalar(2.0) - na
}

/// The accurate logit of the core crate: `ln1p((2p - 1) / (1 - p))` on `[1/4, 3/4]` (no
/// cancellation next to 1/2), `ln p - ln1p(-p)` elsewhere; each branch on a safe input.
/// `logit(0) = -inf`, `logit(1) = inf` (with an infinite derivative: callers mask those).
pub(crate) fn logit<const S: usize>(p: Tensor<S>) -> Tensor<S> {
    let mid = p
        .clone()
        .greater_equal_elem(0.25)
        .bool_and(p.clone().lower_equal_elem(0.75));
    let pm = safe(mid.clone(), p.clone(), 0.5);
    let middle = ((pm.clone() * 2.0 - 1.0) / (pm.neg() + 1.0)).log1p();
    let pt = safe(mid.clone().bool_not(), p, 0.1);
    let tails = pt.clone().log() - pt.neg().log1p();
    select(mid, middle, tails)
}

/// The quantile of a variable whose quantile inside `(0, 1)` is `inner(logit q)`: the logit is
/// taken of a safe input (so no gradient through the edges is NaN), `q = 0` and `q = 1` give
/// `at_zero` and `at_one`, and `q` outside `[0, 1]`, NaN `q` or an `invalid` member give NaN.
pub(crate) fn quantile_from_logit<const S: usize>(
    q: Tensor<S>,
    invalid: Tensor<S, Bool>,
    at_zero: f64,
    at_one: f64,
    inner: impl FnOnce(Tensor<S>) -> Tensor<S>,
) -> Tensor<S> {
    let inside = q
        .clone()
        .greater_elem(0.0)
        .bool_and(q.clone().lower_elem(1.0));
    let qs = safe(inside, q.clone(), 0.5);
    let v = inner(logit(qs));
    let v = v.mask_fill(q.clone().equal_elem(0.0), at_zero);
    let v = v.mask_fill(q.clone().equal_elem(1.0), at_one);
    let bad = q
        .clone()
        .lower_elem(0.0)
        .bool_or(q.clone().greater_elem(1.0))
        .bool_or(q.is_nan())
        .bool_or(invalid);
    v.mask_fill(bad, f64::NAN)
}

/// Logits from probabilities, `ln p - ln1p(-p)` with no clamping: `p = 0 -> -inf`, `p = 1 ->
/// inf` (with derivative 0 there, a point mass does not move), NaN outside `[0, 1]`.
pub(crate) fn probs_to_logits<const S: usize>(p: Tensor<S>) -> Tensor<S> {
    let inside = p
        .clone()
        .greater_elem(0.0)
        .bool_and(p.clone().lower_elem(1.0));
    let l = logit(safe(inside, p.clone(), 0.5));
    let l = l.mask_fill(p.clone().equal_elem(0.0), f64::NEG_INFINITY);
    let l = l.mask_fill(p.clone().equal_elem(1.0), f64::INFINITY);
    let bad = p
        .clone()
        .lower_elem(0.0)
        .bool_or(p.clone().greater_elem(1.0))
        .bool_or(p.is_nan());
    l.mask_fill(bad, f64::NAN)
}

/// Which tail function of a variable whose cdf is `sigmoid(z)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tail {
    Cdf,
    LogCdf,
    Survival,
    LogSurvival,
}

impl Tail {
    /// `sigmoid(z)`, `-softplus(-z)`, `sigmoid(-z)`, `-softplus(z)`.
    pub(crate) fn of<const S: usize>(self, z: Tensor<S>) -> Tensor<S> {
        match self {
            Tail::Cdf => sigmoid(z),
            Tail::LogCdf => softplus(z.neg()).neg(),
            Tail::Survival => sigmoid(z.neg()),
            Tail::LogSurvival => softplus(z).neg(),
        }
    }
    /// The value where the cdf is 1 (`true`) or 0 (`false`).
    pub(crate) fn edge(self, cdf_is_one: bool) -> f64 {
        match (self, cdf_is_one) {
            (Tail::Cdf, true) | (Tail::Survival, false) => 1.0,
            (Tail::Cdf, false) | (Tail::Survival, true) => 0.0,
            (Tail::LogCdf, true) | (Tail::LogSurvival, false) => 0.0,
            (Tail::LogCdf, false) | (Tail::LogSurvival, true) => f64::NEG_INFINITY,
        }
    }
    /// `val` where `inside`, else the edge value chosen by `cdf_is_one`.
    pub(crate) fn finish<const S: usize>(
        self,
        inside: Tensor<S, Bool>,
        val: Tensor<S>,
        cdf_is_one: Tensor<S, Bool>,
    ) -> Tensor<S> {
        let out = inside.bool_not();
        let val = val.mask_fill(out.clone().bool_and(cdf_is_one.clone()), self.edge(true));
        val.mask_fill(out.bool_and(cdf_is_one.bool_not()), self.edge(false))
    }
}

/// The broadcast shape of a value of rank `S` against a batch shape of rank `<= S`.
pub(crate) fn out_shape(value: &[usize], batch: &[usize]) -> Result<Vec<usize>, DistributionError> {
    if value.len() < batch.len() {
        return Err(DistributionError::RankMismatch {
            expected: batch.len(),
            got: value.len(),
        });
    }
    relaxed::broadcast_shapes(value, batch).map_err(|_| DistributionError::IncompatibleShapes {
        lhs: value.to_vec(),
        rhs: batch.to_vec(),
    })
}

/// `x` (rank `D <= S`) with leading unit axes added and expanded to `shape`.
pub(crate) fn expand<const D: usize, const S: usize>(x: Tensor<D>, shape: &[usize]) -> Tensor<S> {
    let x = x.unsqueeze::<S>();
    if x.dims().as_slice() == shape {
        return x;
    }
    x.expand(Shape::from(shape.to_vec()))
}

/// Standard logistic noise of the core crate's seeded stream, shape `shape` (row-major element
/// `i` is `relaxed::noise::logistic_noise(shape, seed)[i]`), uploaded in `dtype` (`f64` noise
/// for `F64`, `f32` noise for every other float type, as the core crate draws them).
pub(crate) fn logistic_noise<const S: usize>(
    shape: &[usize],
    seed: u64,
    device: &Device,
    dtype: DType,
) -> Tensor<S> {
    let data = if dtype == DType::F64 {
        let (v, _) = relaxed::noise::logistic_noise::<f64>(shape, seed).into_raw_vec_and_offset();
        TensorData::new(v, shape.to_vec())
    } else {
        let (v, _) = relaxed::noise::logistic_noise::<f32>(shape, seed).into_raw_vec_and_offset();
        TensorData::new(v, shape.to_vec())
    };
    Tensor::from_data(data, (device, dtype))
}

/// The sample shape followed by the batch shape, checked against the output rank `S`.
pub(crate) fn sample_output_shape<const S: usize>(
    sample_shape: &[usize],
    batch: &[usize],
) -> Result<Vec<usize>, DistributionError> {
    let mut shape = sample_shape.to_vec();
    shape.extend_from_slice(batch);
    if shape.len() != S {
        return Err(DistributionError::RankMismatch {
            expected: shape.len(),
            got: S,
        });
    }
    Ok(shape)
}

/// Checks that two parameter tensors broadcast together and share a dtype; returns the
/// broadcast shape.
pub(crate) fn batch_shape<const D: usize>(
    a: &Tensor<D>,
    b: &Tensor<D>,
) -> Result<Vec<usize>, DistributionError> {
    if a.dtype() != b.dtype() {
        return Err(DistributionError::DTypeMismatch);
    }
    let (sa, sb) = (a.dims(), b.dims());
    relaxed::broadcast_shapes(&sa, &sb).map_err(|_| DistributionError::IncompatibleShapes {
        lhs: sa.to_vec(),
        rhs: sb.to_vec(),
    })
}

/// The `validate_args` checks of one call: each mask is reduced with `any` on the device and
/// the flags are read back to the host together (one transfer, which synchronises the device);
/// the first check in `checks` that holds for some element is reported, with `name`. The masks
/// are comparisons, which record nothing in the autodiff graph.
pub(crate) fn first_violation<const S: usize>(
    name: &str,
    checks: Vec<(Tensor<S, Bool>, Violation)>,
) -> Result<(), DistributionError> {
    if checks.is_empty() {
        return Ok(());
    }
    let (masks, kinds): (Vec<_>, Vec<_>) = checks.into_iter().unzip();
    let flags: Vec<Tensor<1, Bool>> = masks.into_iter().map(|m| m.any()).collect();
    let data =
        Tensor::cat(flags, 0)
            .int()
            .try_into_data()
            .map_err(|e| DistributionError::DeviceRead {
                name: name.to_string(),
                message: e.to_string(),
            })?;
    match data.iter::<i64>().zip(kinds).find(|(flag, _)| *flag != 0) {
        Some((_, violation)) => Err(DistributionError::InvalidArgument {
            name: name.to_string(),
            violation,
        }),
        None => Ok(()),
    }
}

/// The domain a method's argument is checked against under `validate_args`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Domain {
    /// A value of a RelaxedBernoulli: `[0, 1]`, not NaN.
    Unit,
    /// A value of a logit-space variable: any real or `±inf`, not NaN.
    Real,
    /// A quantile argument: `[0, 1]`, not NaN.
    Probability,
}

/// Checks a method's argument against its domain (see [`first_violation`]): NaN first, then
/// below and above the support.
pub(crate) fn check_value<const S: usize>(
    name: &str,
    x: &Tensor<S>,
    domain: Domain,
) -> Result<(), DistributionError> {
    let x = x.clone().detach();
    let checks = match domain {
        Domain::Unit => vec![
            (x.clone().is_nan(), Violation::ValueNaN),
            (x.clone().lower_elem(0.0), Violation::ValueBelowSupport),
            (x.greater_elem(1.0), Violation::ValueAboveSupport),
        ],
        Domain::Real => vec![(x.is_nan(), Violation::ValueNaN)],
        Domain::Probability => vec![(
            x.clone()
                .is_nan()
                .bool_or(x.clone().lower_elem(0.0))
                .bool_or(x.greater_elem(1.0)),
            Violation::QuantileOutOfRange,
        )],
    };
    first_violation(name, checks)
}

/// The five methods every distribution of the crate derives from `log_prob` and its `tail`
/// kernel: `prob`, `cdf`, `log_cdf`, `survival_function`, `log_survival_function` (each
/// documented with the formula passed in).
macro_rules! tail_methods {
    (value: $v:ident, cdf: $cdf:literal, log_cdf: $lcdf:literal, survival: $sf:literal,
     log_survival: $lsf:literal $(,)?) => {
        /// The density `exp(log_prob)`.
        ///
        /// # Errors
        ///
        /// As `log_prob`.
        pub fn prob<const S: usize>(&self, $v: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
            Ok(self.log_prob($v)?.exp())
        }

        #[doc = $cdf]
        ///
        /// # Errors
        ///
        /// As `log_prob`.
        pub fn cdf<const S: usize>(&self, $v: Tensor<S>) -> Result<Tensor<S>, DistributionError> {
            self.tail(Tail::Cdf, $v)
        }

        #[doc = $lcdf]
        ///
        /// # Errors
        ///
        /// As `log_prob`.
        pub fn log_cdf<const S: usize>(
            &self,
            $v: Tensor<S>,
        ) -> Result<Tensor<S>, DistributionError> {
            self.tail(Tail::LogCdf, $v)
        }

        #[doc = $sf]
        ///
        /// # Errors
        ///
        /// As `log_prob`.
        pub fn survival_function<const S: usize>(
            &self,
            $v: Tensor<S>,
        ) -> Result<Tensor<S>, DistributionError> {
            self.tail(Tail::Survival, $v)
        }

        #[doc = $lsf]
        ///
        /// # Errors
        ///
        /// As `log_prob`.
        pub fn log_survival_function<const S: usize>(
            &self,
            $v: Tensor<S>,
        ) -> Result<Tensor<S>, DistributionError> {
            self.tail(Tail::LogSurvival, $v)
        }
    };
}
pub(crate) use tail_methods;

/// `validate_args()`, `name()` and `with_name()` for a distribution with fields
/// `validate_args: bool` and `name: Arc<str>`; `$default` is its default name.
macro_rules! name_accessors {
    ($default:literal) => {
        /// Whether `validate_args` is on.
        pub fn validate_args(&self) -> bool {
            self.validate_args
        }

        #[doc = concat!("The name shown in errors and `Debug` output (default \"", $default, "\").")]
        pub fn name(&self) -> &str {
            &self.name
        }

        /// The same distribution under another name (for the errors and `Debug` output).
        pub fn with_name(mut self, name: impl Into<std::sync::Arc<str>>) -> Self {
            self.name = name.into();
            self
        }
    };
}
pub(crate) use name_accessors;
