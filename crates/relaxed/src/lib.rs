//! The RelaxedBernoulli family, exact and reproducible.
//!
//! RelaxedBernoulli (the binary Concrete or BinConcrete of Maddison et al. 2016, the
//! Gumbel-sigmoid of Jang et al. 2016) is the law of `X = sigmoid((l + L) / t)` on `[0, 1]`,
//! with temperature `t > 0`, logits `l` and standard logistic noise `L`. This crate gives it,
//! its logit-space variable [`LogitRelaxedBernoulli`] and the [`Logistic`] they rest on, with
//! TensorFlow Probability's API and semantics (`log_prob`, `prob`, `cdf`, `log_cdf`,
//! `survival_function`, `log_survival_function`, `quantile`, `sample(sample_shape)`,
//! `validate_args`, `allow_nan_stats`) where TFP is right, and exact numerics where no peer is.
//!
//! | layer | items |
//! | --- | --- |
//! | log-space kernels | [`math`]: `sigmoid`, `softplus`, `log_sigmoid`, `logit`, `log1pexp`, `log1mexp` |
//! | noise | [`noise`]: Philox4x32-10 counter-based stream, open-interval uniforms, logistic noise |
//! | distributions | [`RelaxedBernoulli`], [`LogitRelaxedBernoulli`], [`Logistic`], via [`Univariate`] and [`Reparameterized`] |
//! | batches | [`Batch`]: NumPy broadcasting, `sample(sample_shape, seed)` split across threads |
//!
//! # Numerical guarantees
//!
//! Error metric: for log-space results `|a - r| / max(1, |r|)`, for the others `|a - r| /
//! max(|r|, m)` with `m` the type's smallest normal number; ±inf and NaN match exactly; a true
//! value beyond the type's range comes out as ±inf. `r` is the exact value (mpmath at 60
//! digits) at the exact floating-point inputs.
//!
//! - `f64`: every method within 1e-12 for every finite input, including the tails (`x` down to
//!   5e-324 and up to 1 - 2^-53, `t` from 1e-3 to 1e3, `|l|` up to 700, probs down to 1e-300);
//!   the quantile within `max(1e-12, 1e-13 / t)` (its conditioning: `logit q` rounded to `f64`
//!   is amplified by `1 / t`).
//! - `f32`: within 1e-5 on the same grid rounded to `f32` (with `x` down to 1.4e-45 and up to
//!   1 - 2^-24). Each `f32` evaluation bounds its own rounding error from the magnitudes it
//!   adds up and, where plain `f32` could miss the target (`t * logit(x)` nearly cancelling a
//!   large logit, a subnormal `x` in the density, the quantile at small `t`), redoes that
//!   element in `f64`.
//! - No NaN for any valid input, no panic for any input. Invalid parameters without
//!   `validate_args` give NaN from every method (documented, never a panic).
//!
//! The reference tables and their generator are in the repository's `refdata/`.
//!
//! # Example
//!
//! ```
//! use rand::distr::Distribution;
//! use relaxed::{RelaxedBernoulli, Univariate};
//!
//! let d = RelaxedBernoulli::from_logits(0.5_f64, 0.3).unwrap();
//! let lp = d.log_prob(0.25).unwrap();
//! assert!((lp - (-0.5806226555777401_f64)).abs() < 1e-15); // mpmath, 30 digits
//! // The density at a sample that rounds to 1 is +inf (t < 1): use sample_and_log_prob.
//! let (x, lp) = RelaxedBernoulli::from_logits(0.001_f64, 0.0).unwrap().sample_and_log_prob(1.0);
//! assert_eq!(x, 1.0);
//! assert!(lp.is_finite());
//! # struct R(u64);
//! # impl rand::TryRng for R { type Error = core::convert::Infallible;
//! #   fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(self.try_next_u64()? as u32) }
//! #   fn try_next_u64(&mut self) -> Result<u64, Self::Error> { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); Ok(self.0) }
//! #   fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> { for b in d { *b = self.try_next_u64()? as u8 } Ok(()) } }
//! let x: f64 = d.sample(&mut R(1));
//! assert!(x > 0.0 && x < 1.0);
//! ```

pub mod batch;
mod dist;
pub mod fastmath;
pub mod float;
pub mod kernels;
pub mod math;
pub mod noise;
pub mod quadrature;
pub mod shape;
pub mod stats;
pub mod traits;

pub use batch::Batch;
pub use dist::logistic::{Logistic, LogisticError, LogisticErrorKind};
pub use dist::logit_relaxed_bernoulli::LogitRelaxedBernoulli;
pub use dist::relaxed_bernoulli::{
    Pathwise, RelaxedBernoulli, RelaxedBernoulliBuilder, RelaxedBernoulliError,
    RelaxedBernoulliErrorKind,
};
pub use float::Real;
pub use shape::{ShapeError, broadcast_shapes};
pub use traits::{
    Function, KlDivergence, Moments, NoiseTransform, Reparameterized, Univariate, UnknownFunction,
};
