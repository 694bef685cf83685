//! The experiment of Maddison, Mnih & Teh (2016): a VAE with 200 binary latent units on real
//! MNIST digits, trained through BinConcrete relaxations with [`relaxed_burn`].
//!
//! - [`data`]: 10,000 real MNIST digits shipped in the crate, a fixed 9,000 / 1,000 split and
//!   a fixed stochastic binarization.
//! - [`model`]: the linear 200H–784V model, the relaxed objectives and the discrete bounds.
//! - [`train`]: the training loop (Adam), per-epoch and final evaluation.

pub mod data;
pub mod model;
pub mod report;
pub mod train;
