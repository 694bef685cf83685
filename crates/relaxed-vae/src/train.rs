//! Training and evaluation: the loop, its configuration, and what it measures.

use std::time::Instant;

use relaxed_burn::burn::tensor::{Device, Tensor};

use crate::data::{Binarized, PIXELS, permutation};
use crate::model::{Adam, KlMode, Vae, seed_for, tensor};

/// Everything a run depends on. [`Config::paper`] is PAPERS.md §7's setup; [`Config::quick`]
/// a smoke-sized run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Training images used (the first `train_size` of the split's training part).
    pub train_size: usize,
    /// Training images evaluated as "train" (the first ones of the training set).
    pub train_eval_size: usize,
    /// Test images evaluated.
    pub test_size: usize,
    /// Passes over the training images.
    pub epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Adam's learning rate.
    pub lr: f64,
    /// The KL term of the training objective.
    pub kl: KlMode,
    /// Posterior temperature λ1.
    pub posterior_temperature: f64,
    /// Prior temperature λ2.
    pub prior_temperature: f64,
    /// Importance samples of the final IWAE bound.
    pub iwae_k: usize,
    /// Hard samples per image of the final discrete ELBO.
    pub elbo_samples: usize,
    /// Base seed of initialization, minibatch order and noise.
    pub seed: u64,
}

impl Config {
    /// PAPERS.md §7: 9,000 training images, batch 100, Adam lr 1e-3, λ1 = 2/3, λ2 = 1/2,
    /// 100 epochs (9,000 steps), evaluation on 1,000 test and 1,000 training images with
    /// 10-sample discrete ELBO and IWAE k = 100.
    pub fn paper(kl: KlMode) -> Config {
        Config {
            train_size: 9_000,
            train_eval_size: 1_000,
            test_size: 1_000,
            epochs: 100,
            batch: 100,
            lr: 1e-3,
            kl,
            posterior_temperature: 2.0 / 3.0,
            prior_temperature: 0.5,
            iwae_k: 100,
            elbo_samples: 10,
            seed: 2016,
        }
    }

    /// A run of a few seconds (unoptimised builds included): 1,000 training images, 3 epochs,
    /// 200 images evaluated, IWAE k = 10.
    pub fn quick(kl: KlMode) -> Config {
        Config {
            train_size: 1_000,
            train_eval_size: 200,
            test_size: 200,
            epochs: 3,
            iwae_k: 10,
            elbo_samples: 2,
            ..Config::paper(kl)
        }
    }
}

/// A configuration that cannot run; the message says which setting and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Checks the settings: every count at least 1 (`train_eval_size <= train_size`), the
    /// learning rate and both temperatures positive and finite.
    ///
    /// # Errors
    ///
    /// The first setting that is out of range.
    pub fn check(&self) -> Result<(), ConfigError> {
        let counts = [
            ("train_size", self.train_size),
            ("train_eval_size", self.train_eval_size),
            ("test_size", self.test_size),
            ("epochs", self.epochs),
            ("batch", self.batch),
            ("iwae_k", self.iwae_k),
            ("elbo_samples", self.elbo_samples),
        ];
        if let Some((name, _)) = counts.iter().find(|(_, v)| *v == 0) {
            return Err(ConfigError(format!("{name} must be at least 1")));
        }
        if self.train_eval_size > self.train_size {
            return Err(ConfigError(format!(
                "train_eval_size ({}) cannot exceed train_size ({})",
                self.train_eval_size, self.train_size
            )));
        }
        let reals = [
            ("lr", self.lr),
            ("posterior_temperature", self.posterior_temperature),
            ("prior_temperature", self.prior_temperature),
        ];
        if let Some((name, v)) = reals.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
            return Err(ConfigError(format!(
                "{name} must be positive and finite, not {v}"
            )));
        }
        Ok(())
    }
}

/// What one epoch measured (nats per image; lower is better).
#[derive(Clone, Debug, PartialEq)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// The negated relaxed objective, averaged over the epoch's minibatches (while training).
    pub relaxed: f64,
    /// The discrete model's -ELBO on the evaluated training images (one hard sample each).
    pub discrete_train: f64,
    /// The discrete model's -ELBO on the test images (one hard sample each).
    pub discrete_test: f64,
    /// Wall-clock seconds of the epoch (training and the two evaluations).
    pub seconds: f64,
}

/// A mean and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The mean over images.
    pub mean: f64,
    /// Its standard error (standard deviation over images / sqrt(n)).
    pub se: f64,
}

impl Estimate {
    /// The mean and standard error of `values`.
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        Estimate {
            mean,
            se: (var / n).sqrt(),
        }
    }
}

/// The final evaluation of one image set (nats per image, negated bounds: lower is better).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// The negated relaxed objective of the run's [`KlMode`], one sample per image.
    pub relaxed: Estimate,
    /// The discrete -ELBO (hard samples, analytic Bernoulli KL), averaged over
    /// [`Config::elbo_samples`] samples per image.
    pub discrete_elbo: Estimate,
    /// The discrete -IWAE bound with [`Config::iwae_k`] samples.
    pub iwae: Estimate,
}

/// A model, its data and its optimizer state.
#[derive(Debug)]
pub struct Experiment {
    /// The run's configuration.
    pub config: Config,
    /// The model (parameters require gradients).
    pub model: Vae,
    /// Epochs done so far.
    pub history: Vec<EpochStats>,
    train: Binarized,
    test: Binarized,
    device: Device,
    adam: (Adam<2>, Adam<1>, Adam<2>, Adam<1>, Adam<1>),
    steps: u64,
}

/// Noise streams (see [`seed_for`]).
const STREAM_ORDER: u64 = 10;
const STREAM_TRAIN: u64 = 11;
const STREAM_EPOCH_EVAL: u64 = 12;
const STREAM_FINAL: u64 = 13;
/// Added to an evaluation stream for the test images, so that image `i` of the training and
/// of the test set do not share their noise.
const TEST_OFFSET: u64 = 100;

impl Experiment {
    /// A fresh model for `config` on `device`, trained on `train` and evaluated on `test`
    /// (cut to the sizes of `config`).
    ///
    /// # Errors
    ///
    /// [`Config::check`]'s, and if the sets are smaller than the configuration asks.
    pub fn new(
        config: Config,
        train: &Binarized,
        test: &Binarized,
        device: &Device,
    ) -> Result<Self, ConfigError> {
        config.check()?;
        for (what, set) in [("training", train), ("test", test)] {
            if set.pixels.len() != set.len() * PIXELS || set.gray.len() != set.pixels.len() {
                return Err(ConfigError(format!(
                    "the {what} set is inconsistent: {} labels, {} pixels, {} grey levels",
                    set.len(),
                    set.pixels.len(),
                    set.gray.len()
                )));
            }
        }
        if config.train_size > train.len() || config.test_size > test.len() {
            return Err(ConfigError(format!(
                "the configuration asks for {} training and {} test images; the sets have {} and {}",
                config.train_size,
                config.test_size,
                train.len(),
                test.len()
            )));
        }
        let train = train.subset(0..config.train_size);
        let test = test.subset(0..config.test_size);
        let model = Vae::new(
            &train.pixel_means(),
            config.posterior_temperature,
            config.prior_temperature,
            config.seed,
            device,
        );
        let model = Vae {
            enc_w: model.enc_w.require_grad(),
            enc_b: model.enc_b.require_grad(),
            dec_w: model.dec_w.require_grad(),
            dec_b: model.dec_b.require_grad(),
            prior: model.prior.require_grad(),
            ..model
        };
        let adam = (
            Adam::new(&model.enc_w),
            Adam::new(&model.enc_b),
            Adam::new(&model.dec_w),
            Adam::new(&model.dec_b),
            Adam::new(&model.prior),
        );
        Ok(Experiment {
            config,
            model,
            history: Vec::new(),
            train,
            test,
            device: device.clone(),
            adam,
            steps: 0,
        })
    }

    /// The test images the run evaluates.
    pub fn test_set(&self) -> &Binarized {
        &self.test
    }

    /// Rows `rows` of `set` as a `[rows.len(), 784]` tensor.
    fn batch_of(&self, set: &Binarized, rows: impl Iterator<Item = usize>) -> Tensor<2> {
        let mut v = Vec::new();
        for r in rows {
            v.extend_from_slice(&set.pixels[r * PIXELS..(r + 1) * PIXELS]);
        }
        let n = v.len() / PIXELS;
        tensor(v, [n, PIXELS], &self.device)
    }

    /// Rows `start..end` of `set` as a tensor.
    ///
    /// # Panics
    ///
    /// If `start > end` or `end > set.len()`.
    pub fn rows(&self, set: &Binarized, start: usize, end: usize) -> Tensor<2> {
        self.batch_of(set, start..end)
    }

    /// One pass over the training images in a seeded random order, one Adam step per
    /// minibatch; `progress(done, total, running_relaxed)` is called after each step. Ends with
    /// the per-epoch evaluation and returns (and records) its statistics.
    pub fn run_epoch(&mut self, progress: &mut dyn FnMut(usize, usize, f64)) -> EpochStats {
        let start = Instant::now();
        let epoch = self.history.len() + 1;
        let cfg = self.config.clone();
        let order = permutation(
            cfg.train_size,
            seed_for(cfg.seed, STREAM_ORDER, epoch as u64),
        );
        let batches = cfg.train_size.div_ceil(cfg.batch);
        let mut total = 0.0;
        for (i, rows) in order.chunks(cfg.batch).enumerate() {
            let x = self.batch_of(&self.train, rows.iter().copied());
            self.steps += 1;
            let objective = self.model.relaxed_objective(
                x,
                cfg.kl,
                seed_for(cfg.seed, STREAM_TRAIN, self.steps),
            );
            let loss = objective.mean().neg();
            total += loss.clone().into_scalar::<f32>() as f64 * rows.len() as f64;
            let grads = loss.backward();
            let m = &self.model;
            let g = |t: &Tensor<2>| t.grad(&grads).expect("parameter is tracked");
            let g1 = |t: &Tensor<1>| t.grad(&grads).expect("parameter is tracked");
            let (gw_e, gb_e, gw_d, gb_d, gc) = (
                g(&m.enc_w),
                g1(&m.enc_b),
                g(&m.dec_w),
                g1(&m.dec_b),
                g1(&m.prior),
            );
            let (a0, a1, a2, a3, a4) = &mut self.adam;
            self.model = Vae {
                enc_w: a0.step(m.enc_w.clone(), gw_e, cfg.lr),
                enc_b: a1.step(m.enc_b.clone(), gb_e, cfg.lr),
                dec_w: a2.step(m.dec_w.clone(), gw_d, cfg.lr),
                dec_b: a3.step(m.dec_b.clone(), gb_d, cfg.lr),
                prior: a4.step(m.prior.clone(), gc, cfg.lr),
                ..m.clone()
            };
            let done = (i + 1) * cfg.batch;
            progress(i + 1, batches, total / done.min(cfg.train_size) as f64);
        }
        let seed = |stream| seed_for(cfg.seed, stream, epoch as u64);
        let discrete_train = -self
            .mean_discrete_elbo(&self.train, cfg.train_eval_size, 1, seed(STREAM_EPOCH_EVAL))
            .mean;
        let discrete_test = -self
            .mean_discrete_elbo(
                &self.test,
                cfg.test_size,
                1,
                seed(STREAM_EPOCH_EVAL + TEST_OFFSET),
            )
            .mean;
        let stats = EpochStats {
            epoch,
            relaxed: total / cfg.train_size as f64,
            discrete_train,
            discrete_test,
            seconds: start.elapsed().as_secs_f64(),
        };
        self.history.push(stats.clone());
        stats
    }

    /// Evaluation chunk size in images (bounded memory for any `k`).
    fn chunk(&self, per_image: usize) -> usize {
        (20_000 / per_image.max(1)).clamp(1, 1_000)
    }

    /// The discrete ELBO per image over the first `n` images of `set`, averaged over `samples`
    /// hard samples each.
    fn mean_discrete_elbo(&self, set: &Binarized, n: usize, samples: usize, seed: u64) -> Estimate {
        let model = self.model.detached();
        let mut per_image = vec![0.0; n];
        let step = self.chunk(1);
        for s in 0..samples {
            for start in (0..n).step_by(step) {
                let end = (start + step).min(n);
                let x = self.rows(set, start, end);
                let v: Vec<f32> = model
                    .discrete_elbo(x, seed_for(seed, s as u64, start as u64))
                    .into_data()
                    .try_to_vec()
                    .expect("f32 tensor");
                for (acc, v) in per_image[start..end].iter_mut().zip(v) {
                    *acc += f64::from(v) / samples as f64;
                }
            }
        }
        Estimate::of(&per_image)
    }

    /// The final evaluation of the first `n` images of `set` (see [`Evaluation`]).
    fn evaluate_set(&self, set: &Binarized, n: usize, seed: u64) -> Evaluation {
        let cfg = &self.config;
        let model = self.model.detached();
        let mut relaxed = Vec::with_capacity(n);
        let mut iwae = Vec::with_capacity(n);
        let step = self.chunk(cfg.iwae_k);
        for start in (0..n).step_by(step) {
            let end = (start + step).min(n);
            let x = self.rows(set, start, end);
            let r: Vec<f32> = model
                .relaxed_objective(x.clone(), cfg.kl, seed_for(seed, 1, start as u64))
                .into_data()
                .try_to_vec()
                .expect("f32 tensor");
            relaxed.extend(r.into_iter().map(|v| -f64::from(v)));
            iwae.extend(
                model
                    .iwae(x, cfg.iwae_k, seed_for(seed, 2, start as u64))
                    .into_iter()
                    .map(|v| -v),
            );
        }
        let elbo = self.mean_discrete_elbo(set, n, cfg.elbo_samples, seed_for(seed, 3, 0));
        Evaluation {
            relaxed: Estimate::of(&relaxed),
            discrete_elbo: Estimate {
                mean: -elbo.mean,
                se: elbo.se,
            },
            iwae: Estimate::of(&iwae),
        }
    }

    /// The final evaluation on the evaluated training images and on the test images:
    /// `(train, test)`.
    pub fn evaluate(&self) -> (Evaluation, Evaluation) {
        let seed = |stream| seed_for(self.config.seed, stream, 0);
        (
            self.evaluate_set(&self.train, self.config.train_eval_size, seed(STREAM_FINAL)),
            self.evaluate_set(
                &self.test,
                self.config.test_size,
                seed(STREAM_FINAL + TEST_OFFSET),
            ),
        )
    }
}
