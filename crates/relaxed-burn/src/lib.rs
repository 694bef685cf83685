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

pub use logistic::Logistic;
pub use logit_relaxed_bernoulli::LogitRelaxedBernoulli;
pub use relaxed_bernoulli::{RelaxedBernoulli, StraightThrough};

/// What went wrong in a constructor or method of this crate's distributions.
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
        }
    }
}

impl std::error::Error for DistributionError {}
