//! The RelaxedBernoulli family over [Burn](https://burn.dev) tensors, for training.
//!
//! [`RelaxedBernoulli`] (binary Concrete, Gumbel-sigmoid), its logit-space variable
//! [`LogitRelaxedBernoulli`] and the [`Logistic`] they rest on, with the API of the core crate
//! [`relaxed`] (TFP's names) over Burn float tensors (`Tensor<D>`, backend chosen by the
//! `Device`; tested on the `flex` CPU backend with autodiff, in `f32` and `f64`):
//!
//! - `rsample(sample_shape, seed)`: reparameterized samples, differentiable with respect to
//!   the temperature, the logits and the probs (never routed through clamped probs), from the
//!   core crate's counter-based stream (`relaxed::noise`), so a seed gives the same numbers
//!   here as in [`relaxed::Batch::sample`]; `rsample_with_noise(noise)` for your own noise;
//!   `sample` (detached); `sample_and_log_prob` (the density from the pre-sigmoid value).
//! - `log_prob`, `prob`, `cdf`, `log_cdf`, `survival_function`, `log_survival_function`,
//!   `quantile`: the numerics of the core crate (two-branch log density, stable softplus and
//!   sigmoid) written in tensor ops, with the "double where" pattern so that no gradient is
//!   NaN because of a masked branch (see the module docs of `ops`).
//! - [`RelaxedBernoulli::rsample_hard`]: straight-through samples, forward `1[l + L > 0]`
//!   (exactly Bernoulli), backward the relaxed sample's gradient.
//! - [`RelaxedBernoulli::kl_divergence`] (equal temperatures, closed form with its small-`d`
//!   series) and [`RelaxedBernoulli::kl_divergence_samples`] (the logit-space Monte Carlo
//!   term, any temperatures): the KL term of a relaxed ELBO.
//! - TFP's `validate_args` (off by default) and `name`: `with_validate_args(true)`,
//!   `with_name(..)`, `name()`, `validate_args()` on each distribution (see "Validation").
//!
//! # Numerical behaviour
//!
//! On identical noise and inputs, `f64` values agree with the core crate within 1e-12
//! (relative, `max(1, |r|)` for log-space results) and `f32` values within 1e-5 on the test
//! grid (which includes `t = 1e-3` and `1e3`, `|l| = 100`, probs `1e-30`, 0 and 1, and samples
//! that round to 0 or 1); gradients agree with the closed forms and with central differences
//! of the core crate's `f64` functions within `1e-6 max(1, |g|)` (`f64`) and `1e-3 max(1, |g|)`
//! (`f32`), and are never NaN for valid parameters.
//!
//! - Evaluation (`log_prob`, the cdf family, `quantile`, the KL terms) of `f32` parameters runs
//!   in `f64` and is rounded once, like the core crate, which widens where `t logit(x)` nearly
//!   cancels a large logit (plain `f32` is 2e-5 off at `t = 1e3` and 4e-2 off for the quantile
//!   at `t = 1e-3`). Devices without `f64` can opt out with `with_f64_evaluation(false)`.
//!   Samples are drawn in the parameters' dtype (the core's `f32` sampler stays in `f32` too).
//! - Burn's `activation::sigmoid` is not used: its default implementation computes in `f32`
//!   even for `f64` tensors on some backends. The sigmoid, softplus and logit here are written
//!   in `exp`, `log`, `log1p` and `mask_where`.
//! - A gradient through a masked-out branch would be `0 * inf = NaN`; every branch that could
//!   hold ±inf is evaluated on a safe input (the "double where").
//!
//! # Validation
//!
//! As in TFP and the core crate, `validate_args` is off by default: invalid parameters give
//! NaN from every method and values outside the support give the edge values of DESIGN §3,
//! with no host round trip. The constructors are unchanged; `with_validate_args(true)`
//! (returning `Result<Self, DistributionError>`) turns the checks on and checks the parameters
//! at once: temperature (or [`Logistic`] scale) positive and finite, no NaN parameter, probs in
//! `[0, 1]`, [`Logistic`] loc finite. From then on `log_prob`, `prob` and the cdf family check
//! their argument (`0 <= x <= 1` for [`RelaxedBernoulli`], not NaN for the logit-space
//! variables) and `quantile` checks `q` in `[0, 1]`. A failed check is
//! [`DistributionError::InvalidArgument`]: the [`Violation`] (with TFP's message) and the
//! distribution's `name` (default the type's name, `with_name` to change it; also shown by
//! `Debug`), never a panic. When a tensor breaks several rules, the error names the first
//! rule broken by any element, in the order NaN, below the support, above it (the core
//! crate's `Batch` reports the first bad element instead: for `[1.1, -0.1]` this crate says
//! "below", the core "above").
//!
//! Each check reduces boolean masks on the device and reads the flags back to the host: it
//! **synchronises the device** (on a GPU, a stall per call), so leave it off in hot training
//! loops once the inputs are known to be good. The masks are comparisons of detached tensors,
//! so they record nothing in the autodiff graph: values and gradients are the same with and
//! without validation.
//!
//! ```
//! use burn::tensor::{DType, Device, Tensor, TensorData};
//! use relaxed_burn::{DistributionError, LogitRelaxedBernoulli, RelaxedBernoulli, Violation};
//!
//! let device = Device::flex().autodiff();
//! let f64s = |v: &[f64]| {
//!     Tensor::<1>::from_data(TensorData::new(v.to_vec(), [v.len()]), (&device, DType::F64))
//! };
//!
//! // Off by default: a temperature of 0 gives NaN, as in TFP.
//! let d = RelaxedBernoulli::from_logits(f64s(&[0.0]), f64s(&[1.0])).unwrap();
//! let lp: Vec<f64> = d.log_prob(f64s(&[0.5])).unwrap().to_data().to_vec().unwrap();
//! assert!(lp[0].is_nan());
//!
//! // On: the constructor's check fails, with TFP's message and the name.
//! let e = d.with_name("mask").with_validate_args(true).unwrap_err();
//! assert_eq!(
//!     e,
//!     DistributionError::InvalidArgument {
//!         name: "mask".into(),
//!         violation: Violation::TemperatureNotPositive,
//!     }
//! );
//! assert_eq!(e.to_string(), "mask: Argument `temperature` must be positive.");
//!
//! // Valid parameters (probs 0 and 1 are legal point masses) pass; values are checked.
//! let d = RelaxedBernoulli::from_probs(f64s(&[0.5, 0.5]), f64s(&[0.0, 1.0]))
//!     .unwrap()
//!     .with_validate_args(true)
//!     .unwrap();
//! assert!(d.log_prob(f64s(&[0.0, 1.0])).is_ok());
//! let e = d.cdf(f64s(&[0.5, 1.5])).unwrap_err();
//! assert_eq!(e.violation(), Some(Violation::ValueAboveSupport));
//! assert_eq!(e.name(), Some("RelaxedBernoulli"));
//! assert!(format!("{d:?}").contains("RelaxedBernoulli"));
//!
//! // The logit-space variable accepts every real value, but not NaN.
//! let y = LogitRelaxedBernoulli::from_logits(f64s(&[0.5]), f64s(&[1.0]))
//!     .unwrap()
//!     .with_validate_args(true)
//!     .unwrap();
//! assert!(y.log_prob(f64s(&[-1e3])).is_ok());
//! assert_eq!(
//!     y.log_prob(f64s(&[f64::NAN])).unwrap_err().to_string(),
//!     "LogitRelaxedBernoulli: Sample must not be NaN."
//! );
//! ```
//!
//! # Example
//!
//! ```
//! use burn::tensor::{DType, Device, Tensor, TensorData};
//! use relaxed_burn::RelaxedBernoulli;
//!
//! let device = Device::flex().autodiff();
//! let f64s = |v: Vec<f64>| Tensor::<1>::from_data(TensorData::new(v, [2]), (&device, DType::F64));
//! let logits = f64s(vec![0.3, -1.0]).require_grad();
//! let temperature = f64s(vec![0.5, 0.5]).require_grad();
//! let d = RelaxedBernoulli::from_logits(temperature.clone(), logits.clone()).unwrap();
//!
//! // The same seed means the same sample as the core crate's batch sampler.
//! let x = d.rsample::<2>(&[3], 7).unwrap();
//! let core = relaxed::RelaxedBernoulli::batch_builder(ndarray::arr0(0.5).into_dyn())
//!     .logits(ndarray::arr1(&[0.3, -1.0]).into_dyn())
//!     .build()
//!     .unwrap()
//!     .sample(&[3, 2], 7)
//!     .unwrap();
//! let xs: Vec<f64> = x.to_data().try_to_vec().unwrap();
//! for (a, b) in xs.iter().zip(core.iter()) {
//!     assert!((a - b).abs() <= 1e-15);
//! }
//!
//! // Gradients flow: d/dl sum(x) = sum x (1 - x) / t over the samples.
//! let grads = x.sum().backward();
//! let g: Vec<f64> = logits.grad(&grads).unwrap().to_data().try_to_vec().unwrap();
//! let expected: f64 = xs.iter().step_by(2).map(|x| x * (1.0 - x) / 0.5).sum();
//! assert!((g[0] - expected).abs() < 1e-14);
//! ```

mod logistic;
mod logit_relaxed_bernoulli;
mod ops;
mod relaxed_bernoulli;

use std::fmt;

/// The Burn this crate is built on (`=0.22.1`), re-exported so that code using this crate's
/// tensors needs no second, possibly different, pin of its own (the VAE experiment of
/// `crates/relaxed-vae` uses only this).
pub use burn;
pub use logistic::Logistic;
pub use logit_relaxed_bernoulli::LogitRelaxedBernoulli;
pub use ops::{sigmoid, softplus};
pub use relaxed_bernoulli::{RelaxedBernoulli, StraightThrough};

/// What went wrong in a constructor or method of this crate's distributions.
///
/// The errors of `validate_args` ([`DistributionError::InvalidArgument`]) and of reading its
/// checks back from the device ([`DistributionError::DeviceRead`]) carry the distribution's
/// `name` (shown first in the message, as in the core crate: `"RelaxedBernoulli: Argument
/// `temperature` must be positive."`); [`DistributionError::name`] and
/// [`DistributionError::violation`] read them without matching. The shape, rank and dtype
/// errors describe a call that could never work, whatever the values, and carry no name.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DistributionError {
    /// Two shapes do not broadcast together (NumPy rules).
    IncompatibleShapes {
        /// The first shape.
        lhs: Vec<usize>,
        /// The second shape.
        rhs: Vec<usize>,
    },
    /// The rank of a value or of the requested output does not fit: `expected` is what the
    /// batch (and sample) shape needs, `got` what was given.
    RankMismatch {
        /// The rank needed.
        expected: usize,
        /// The rank given.
        got: usize,
    },
    /// Tensors of different float dtypes were combined.
    DTypeMismatch,
    /// `kl_divergence` (the closed form) was asked for distributions whose temperatures differ.
    UnequalTemperatures,
    /// A `validate_args` check failed: a parameter at construction, or a value passed to a
    /// method (TFP's messages, see [`Violation`]).
    InvalidArgument {
        /// The name of the distribution that ran the check.
        name: String,
        /// What was wrong.
        violation: Violation,
    },
    /// The flags of a `validate_args` check could not be read back from the device.
    DeviceRead {
        /// The name of the distribution that ran the check.
        name: String,
        /// The backend's message.
        message: String,
    },
}

impl DistributionError {
    /// The name of the distribution that reported the error, for the errors that carry one
    /// ([`DistributionError::InvalidArgument`], [`DistributionError::DeviceRead`]).
    pub fn name(&self) -> Option<&str> {
        match self {
            DistributionError::InvalidArgument { name, .. }
            | DistributionError::DeviceRead { name, .. } => Some(name),
            _ => None,
        }
    }

    /// What a failed `validate_args` check found, if this is one.
    pub fn violation(&self) -> Option<Violation> {
        match self {
            DistributionError::InvalidArgument { violation, .. } => Some(*violation),
            _ => None,
        }
    }
}

impl fmt::Display for DistributionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DistributionError::IncompatibleShapes { lhs, rhs } => {
                write!(f, "shapes {lhs:?} and {rhs:?} cannot be broadcast together")
            }
            DistributionError::RankMismatch { expected, got } => {
                write!(f, "rank {got} given where rank {expected} is needed")
            }
            DistributionError::DTypeMismatch => f.write_str("tensors of different dtypes"),
            DistributionError::UnequalTemperatures => f.write_str(
                "the closed-form KL needs equal temperatures (use kl_divergence_samples)",
            ),
            DistributionError::InvalidArgument { name, violation } => {
                write!(f, "{name}: {violation}")
            }
            DistributionError::DeviceRead { name, message } => {
                write!(
                    f,
                    "{name}: reading the validate_args checks failed: {message}"
                )
            }
        }
    }
}

impl std::error::Error for DistributionError {}

/// What a `validate_args` check found, in [`DistributionError::InvalidArgument`]. `Display`
/// gives TFP's message (the core crate's wording, e.g. `relaxed::RelaxedBernoulliErrorKind`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Violation {
    /// A temperature is zero or negative.
    TemperatureNotPositive,
    /// A temperature is NaN or infinite.
    TemperatureNotFinite,
    /// A logit is NaN (infinite logits are legal point masses).
    LogitsNaN,
    /// A probability is below 0.
    ProbsBelowZero,
    /// A probability is above 1.
    ProbsAboveOne,
    /// A probability is NaN.
    ProbsNaN,
    /// A [`Logistic`] location is NaN or infinite.
    LocNotFinite,
    /// A [`Logistic`] scale is zero or negative.
    ScaleNotPositive,
    /// A [`Logistic`] scale is NaN or infinite.
    ScaleNotFinite,
    /// A value is below the support (below 0 for [`RelaxedBernoulli`]).
    ValueBelowSupport,
    /// A value is above the support (above 1 for [`RelaxedBernoulli`]).
    ValueAboveSupport,
    /// A value is NaN.
    ValueNaN,
    /// A quantile argument is outside `[0, 1]` or NaN.
    QuantileOutOfRange,
}

impl Violation {
    /// TFP's message for it.
    pub fn message(self) -> &'static str {
        match self {
            Violation::TemperatureNotPositive => "Argument `temperature` must be positive.",
            Violation::TemperatureNotFinite => "Argument `temperature` must be finite.",
            Violation::LogitsNaN => "Argument `logits` has NaN components.",
            Violation::ProbsBelowZero => "Argument `probs` has components less than 0.",
            Violation::ProbsAboveOne => "Argument `probs` has components greater than 1.",
            Violation::ProbsNaN => "Argument `probs` has NaN components.",
            Violation::LocNotFinite => "Argument `loc` must be finite.",
            Violation::ScaleNotPositive => "Argument `scale` must be positive.",
            Violation::ScaleNotFinite => "Argument `scale` must be finite.",
            Violation::ValueBelowSupport => "Sample must be non-negative.",
            Violation::ValueAboveSupport => "Sample must be less than or equal to `1`.",
            Violation::ValueNaN => "Sample must not be NaN.",
            Violation::QuantileOutOfRange => "Quantile argument must be in [0, 1].",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}
