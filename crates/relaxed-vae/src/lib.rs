//! The experiment of Maddison, Mnih & Teh (2016): a VAE with 200 binary latent units on real
//! MNIST digits, trained through BinConcrete relaxations with [`relaxed_burn`].
//!
//! - [`data`]: 10,000 real MNIST digits shipped in the crate, a fixed 9,000 / 1,000 split and
//!   a fixed stochastic binarization.
//! - [`model`]: the linear 200H–784V model, the relaxed objectives and the discrete bounds.
//! - [`train`]: the training loop (Adam), per-epoch and final evaluation.
//! - [`report`]: the training-curve and reconstruction pictures, the results table.
//!
//! `cargo run --release --example vae` runs the paper's setup (README: results and pictures).
//!
//! # Example
//!
//! One epoch on 200 images, then the discrete model's bounds on 100 test images:
//!
//! ```
//! use relaxed_burn::burn::tensor::Device;
//! use relaxed_vae::data::Mnist;
//! use relaxed_vae::model::KlMode;
//! use relaxed_vae::train::{Config, Experiment};
//!
//! let split = Mnist::load()?.standard_split();
//! let config = Config {
//!     train_size: 200,
//!     train_eval_size: 100,
//!     test_size: 100,
//!     epochs: 1,
//!     iwae_k: 5,
//!     ..Config::quick(KlMode::Concrete)
//! };
//! let mut run = Experiment::new(config, &split.train, &split.test, &Device::flex().autodiff())?;
//! let epoch = run.run_epoch(&mut |_step, _steps, _running_objective| {});
//! assert!(epoch.relaxed.is_finite());
//! let (_train, test) = run.evaluate();
//! // The importance-weighted bound is the tighter one: -IWAE < -ELBO.
//! assert!(test.iwae.mean < test.discrete_elbo.mean);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod data;
pub mod model;
pub mod report;
pub mod train;
