//! The linear 200H–784V model of Maddison et al. (2016), Table 1's first row, and its
//! objectives.
//!
//! - Encoder: logits `a = (x - x̄) W_e + b_e` of 200 independent binary units (`x̄` the training
//!   set's pixel means, fixed).
//! - Posterior (relaxed): the logit-space variable `Y ~ LogitRelaxedBernoulli(λ1 = 2/3, a)`,
//!   `Y = (a + L) / λ1`; prior `LogitRelaxedBernoulli(λ2 = 1/2, c)` with learned logits `c`.
//! - Decoder: pixel logits `s W_d + b_d` with units `s = 2 sigmoid(Y) - 1 = tanh(Y / 2)` in
//!   training and `s = 2b - 1`, `b = 1[a + L > 0]`, in evaluation (Appendix D.2 of the paper).
//!
//! The training objective is Maddison's Eq. 27 in logit space,
//! `log p(x | sigmoid(Y)) + log f_{c,λ2}(Y) - log g_{a,λ1}(Y | x)`, a lower bound on the relaxed
//! model's log-likelihood ([`KlMode::Concrete`]), or, for comparison, Jang et al.'s variant with
//! the analytic Bernoulli KL on relaxed samples ([`KlMode::Jang`]), which is not a bound.
//! Evaluation is on the discrete model: the ELBO with hard samples and the analytic Bernoulli KL,
//! and the importance-weighted bound (IWAE) with `k` hard samples.

use relaxed_burn::burn::tensor::{DType, Device, Tensor, TensorData};
use relaxed_burn::{LogitRelaxedBernoulli, sigmoid, softplus};

use crate::data::PIXELS;

/// The number of binary latent units.
pub const LATENT: usize = 200;

/// Which KL term the relaxed training objective uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KlMode {
    /// Maddison et al. Eq. 27: `log f_prior(Y) - log g_post(Y)` of the logit-space Logistic
    /// densities at the reparameterized sample. The only variant that is a lower bound.
    Concrete,
    /// Jang et al.: the analytic KL between the Bernoulli distributions `sigmoid(a)` and
    /// `sigmoid(c)`, with the decoder on relaxed samples. Not a bound on anything (Maddison et
    /// al. Appendix C.2): its value falls far below the discrete model's bound.
    Jang,
}

impl KlMode {
    /// A short name: `concrete` or `jang`.
    pub fn name(self) -> &'static str {
        match self {
            KlMode::Concrete => "concrete",
            KlMode::Jang => "jang",
        }
    }

    /// A label for tables and legends.
    pub fn label(self) -> &'static str {
        match self {
            KlMode::Concrete => "Concrete KL (Eq. 27, a bound)",
            KlMode::Jang => "Jang KL (Bernoulli, not a bound)",
        }
    }
}

/// The model's parameters (tensors on one device; `f32`).
#[derive(Clone, Debug)]
pub struct Vae {
    /// Encoder weights, `[784, 200]`.
    pub enc_w: Tensor<2>,
    /// Encoder biases, `[200]`.
    pub enc_b: Tensor<1>,
    /// Decoder weights, `[200, 784]`.
    pub dec_w: Tensor<2>,
    /// Decoder biases, `[784]`.
    pub dec_b: Tensor<1>,
    /// Prior logits `c`, `[200]`.
    pub prior: Tensor<1>,
    /// The training pixel means `x̄` subtracted before the encoder, `[784]` (not trained).
    pub x_mean: Tensor<1>,
    /// Posterior temperature λ1 (2/3 in the paper).
    pub posterior_temperature: f64,
    /// Prior temperature λ2 (1/2 in the paper).
    pub prior_temperature: f64,
}

/// An `f32` tensor of the given shape on `device`.
///
/// # Panics
///
/// If `values.len()` is not the product of `shape`.
pub fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), (device, DType::F32))
}

/// A seed for stream `stream`, step `n` of a run with base seed `base` (splitmix64 of the
/// three), so that every call draws fresh, reproducible noise from the core crate's generator.
pub fn seed_for(base: u64, stream: u64, n: u64) -> u64 {
    let mut z = base
        .wrapping_add(stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(n.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Vae {
    /// Glorot-uniform weights (seeded, from the core crate's generator), zero encoder biases and
    /// prior logits, decoder biases at the logit of the training pixel means (clamped to
    /// `[1e-4, 1 - 1e-4]`), as in Appendix D.3 of the paper.
    ///
    /// # Panics
    ///
    /// If `pixel_means` does not hold 784 values.
    pub fn new(
        pixel_means: &[f32],
        posterior_temperature: f64,
        prior_temperature: f64,
        seed: u64,
        device: &Device,
    ) -> Vae {
        assert_eq!(pixel_means.len(), PIXELS, "one mean per pixel");
        let glorot = |stream: u64| {
            let r = (6.0 / (PIXELS + LATENT) as f64).sqrt();
            let u = relaxed::noise::uniforms::<f64>(&[PIXELS * LATENT], seed_for(seed, stream, 0));
            u.iter()
                .map(|u| ((2.0 * u - 1.0) * r) as f32)
                .collect::<Vec<f32>>()
        };
        let dec_b = pixel_means
            .iter()
            .map(|&p| {
                let p = p.clamp(1e-4, 1.0 - 1e-4);
                (p / (1.0 - p)).ln()
            })
            .collect();
        Vae {
            enc_w: tensor(glorot(1), [PIXELS, LATENT], device),
            enc_b: tensor(vec![0.0; LATENT], [LATENT], device),
            dec_w: tensor(glorot(2), [LATENT, PIXELS], device),
            dec_b: tensor(dec_b, [PIXELS], device),
            prior: tensor(vec![0.0; LATENT], [LATENT], device),
            x_mean: tensor(pixel_means.to_vec(), [PIXELS], device),
            posterior_temperature,
            prior_temperature,
        }
    }

    /// The trainable parameters in a fixed order: encoder weights and biases, decoder weights
    /// and biases, prior logits.
    pub fn parameters(&self) -> (Tensor<2>, Tensor<1>, Tensor<2>, Tensor<1>, Tensor<1>) {
        (
            self.enc_w.clone(),
            self.enc_b.clone(),
            self.dec_w.clone(),
            self.dec_b.clone(),
            self.prior.clone(),
        )
    }

    /// The same model with every parameter detached (no gradient is recorded through it).
    pub fn detached(&self) -> Vae {
        Vae {
            enc_w: self.enc_w.clone().detach(),
            enc_b: self.enc_b.clone().detach(),
            dec_w: self.dec_w.clone().detach(),
            dec_b: self.dec_b.clone().detach(),
            prior: self.prior.clone().detach(),
            ..self.clone()
        }
    }

    /// The encoder logits `a = (x - x̄) W_e + b_e`, `[n, 200]` for `x` of shape `[n, 784]`.
    pub fn encode(&self, x: Tensor<2>) -> Tensor<2> {
        (x - self.x_mean.clone().unsqueeze::<2>()).matmul(self.enc_w.clone())
            + self.enc_b.clone().unsqueeze::<2>()
    }

    /// The decoder's pixel logits for units `s` in `[-1, 1]`, `[n, 784]`.
    pub fn decode(&self, s: Tensor<2>) -> Tensor<2> {
        s.matmul(self.dec_w.clone()) + self.dec_b.clone().unsqueeze::<2>()
    }

    /// `log p(x | s) = Σ_pixels x ℓ - softplus(ℓ)` with `ℓ` the decoder logits, `[n]`.
    pub fn log_likelihood(&self, s: Tensor<2>, x: Tensor<2>) -> Tensor<1> {
        let logits = self.decode(s);
        (x * logits.clone() - softplus(logits))
            .sum_dim(1)
            .squeeze_dim(1)
    }

    fn temperature(&self, t: f64, device: &Device) -> Tensor<2> {
        tensor(vec![t as f32], [1, 1], device)
    }

    /// The relaxed posterior `LogitRelaxedBernoulli(λ1, a)` for encoder logits `a`.
    pub fn posterior(&self, a: Tensor<2>) -> LogitRelaxedBernoulli<2> {
        let t = self.temperature(self.posterior_temperature, &a.device());
        LogitRelaxedBernoulli::from_logits(t, a).expect("[1, 1] broadcasts against [n, 200]")
    }

    /// The relaxed prior `LogitRelaxedBernoulli(λ2, c)`, batch shape `[1, 200]`.
    pub fn prior_distribution(&self) -> LogitRelaxedBernoulli<2> {
        let t = self.temperature(self.prior_temperature, &self.prior.device());
        LogitRelaxedBernoulli::from_logits(t, self.prior.clone().unsqueeze::<2>())
            .expect("[1, 1] broadcasts against [1, 200]")
    }

    /// The per-image relaxed objective (to be maximized), `[n]`, with one reparameterized
    /// sample per image from the core crate's stream `seed`:
    ///
    /// - [`KlMode::Concrete`]: `log p(x | tanh(Y/2)) + Σ_units [log f_{c,λ2}(Y) - log g_{a,λ1}(Y)]`
    ///   (Eq. 27), where `log g_{a,λ1}(Y)` comes from the noise itself
    ///   ([`LogitRelaxedBernoulli::sample_and_log_prob`]: exact, no cancellation);
    /// - [`KlMode::Jang`]: `log p(x | tanh(Y/2)) - KL(Bernoulli(σ(a)) || Bernoulli(σ(c)))`.
    pub fn relaxed_objective(&self, x: Tensor<2>, mode: KlMode, seed: u64) -> Tensor<1> {
        let a = self.encode(x.clone());
        let q = self.posterior(a.clone());
        let (y, log_q) = q
            .sample_and_log_prob::<2>(&[], seed)
            .expect("rank 2 sample of a rank 2 batch");
        let s = (y.clone() * 0.5).tanh();
        let ll = self.log_likelihood(s, x);
        let kl = match mode {
            KlMode::Concrete => {
                let log_p = self
                    .prior_distribution()
                    .log_prob::<2>(y)
                    .expect("[n, 200] against [1, 200]");
                (log_q - log_p).sum_dim(1).squeeze_dim(1)
            }
            KlMode::Jang => self.bernoulli_kl(a),
        };
        ll - kl
    }

    /// `KL(Bernoulli(σ(a)) || Bernoulli(σ(c)))` summed over the units, `[n]`, written with
    /// softplus only: `σ(a) (sp(-c) - sp(-a)) + σ(-a) (sp(c) - sp(a))`.
    pub fn bernoulli_kl(&self, a: Tensor<2>) -> Tensor<1> {
        let c = self.prior.clone().unsqueeze::<2>();
        let q1 = sigmoid(a.clone());
        let q0 = sigmoid(a.clone().neg());
        let kl = q1 * (softplus(c.clone().neg()) - softplus(a.clone().neg()))
            + q0 * (softplus(c) - softplus(a));
        kl.sum_dim(1).squeeze_dim(1)
    }

    /// Hard samples `b = 1[a + L > 0]` (exactly Bernoulli(σ(a))) for encoder logits `a`, with
    /// `sample_shape` leading axes, from the core crate's stream `seed`: the sign of the
    /// posterior's relaxed sample `(a + L) / λ1` (the same generator as the relaxed model's).
    pub fn hard_sample<const S: usize>(
        &self,
        a: Tensor<2>,
        sample_shape: &[usize],
        seed: u64,
    ) -> Tensor<S> {
        self.posterior(a)
            .sample::<S>(sample_shape, seed)
            .expect("sample rank = sample_shape + 2")
            .greater_elem(0.0)
            .float()
    }

    /// The discrete model's ELBO per image, `[n]`: `log p(x | 2b - 1) - KL(Bernoulli(σ(a)) ||
    /// Bernoulli(σ(c)))` with one hard sample `b` per image.
    pub fn discrete_elbo(&self, x: Tensor<2>, seed: u64) -> Tensor<1> {
        let a = self.encode(x.clone());
        let b = self.hard_sample::<2>(a.clone(), &[], seed);
        let ll = self.log_likelihood(b * 2.0 - 1.0, x);
        ll - self.bernoulli_kl(a)
    }

    /// The importance-weighted bound `log (1/k) Σ_i p(x, b_i) / q(b_i | x)` of the discrete
    /// model per image (`k` hard samples `b_i` from the posterior), returned in `f64`.
    pub fn iwae(&self, x: Tensor<2>, k: usize, seed: u64) -> Vec<f64> {
        let [n, _] = x.dims();
        let a = self.encode(x.clone());
        // [k, n, 200] hard samples; all k copies of an image share its encoder logits.
        let b = self.hard_sample::<3>(a.clone(), &[k], seed);
        let b = b.reshape([k * n, LATENT]);
        let xk = x
            .unsqueeze::<3>()
            .expand([k, n, PIXELS])
            .reshape([k * n, PIXELS]);
        let ak = a
            .unsqueeze::<3>()
            .expand([k, n, LATENT])
            .reshape([k * n, LATENT]);
        let c = self.prior.clone().unsqueeze::<2>();
        let ll = self.log_likelihood(b.clone() * 2.0 - 1.0, xk);
        // log Bernoulli(b; σ(z)) = b z - softplus(z), summed over the units.
        let log_bern = |z: Tensor<2>| {
            (b.clone() * z.clone() - softplus(z))
                .sum_dim(1)
                .squeeze_dim::<1>(1)
        };
        let log_w = ll + log_bern(c) - log_bern(ak);
        let w: Vec<f32> = log_w.into_data().try_to_vec().expect("f32 tensor");
        (0..n)
            .map(|i| {
                let col = (0..k).map(|j| f64::from(w[j * n + i]));
                let m = col.clone().fold(f64::NEG_INFINITY, f64::max);
                m + (col.map(|v| (v - m).exp()).sum::<f64>() / k as f64).ln()
            })
            .collect()
    }

    /// Decoder pixel probabilities for one hard posterior sample per image, `[n, 784]`: the
    /// reconstructions shown in the pictures.
    pub fn reconstruct(&self, x: Tensor<2>, seed: u64) -> Vec<f32> {
        let a = self.encode(x);
        let b = self.hard_sample::<2>(a, &[], seed);
        let logits = self.decode(b * 2.0 - 1.0);
        sigmoid(logits)
            .into_data()
            .try_to_vec()
            .expect("f32 tensor")
    }
}

/// Adam (β1 = 0.9, β2 = 0.999, ε = 1e-8) for one parameter tensor, in tensor ops.
#[derive(Debug)]
pub struct Adam<const D: usize> {
    m: Tensor<D>,
    v: Tensor<D>,
    steps: i32,
}

impl<const D: usize> Adam<D> {
    /// Zero moments shaped like `param`.
    pub fn new(param: &Tensor<D>) -> Self {
        Adam {
            m: param.zeros_like().detach(),
            v: param.zeros_like().detach(),
            steps: 0,
        }
    }

    /// One step on `param` with gradient `grad` and learning rate `lr`; returns the updated
    /// parameter, detached and requiring a gradient again.
    pub fn step(&mut self, param: Tensor<D>, grad: Tensor<D>, lr: f64) -> Tensor<D> {
        self.steps += 1;
        self.m = self.m.clone() * 0.9 + grad.clone() * 0.1;
        self.v = self.v.clone() * 0.999 + grad.square() * 0.001;
        let m_hat = self.m.clone() / (1.0 - 0.9f64.powi(self.steps));
        let v_hat = self.v.clone() / (1.0 - 0.999f64.powi(self.steps));
        (param.detach() - m_hat / (v_hat.sqrt() + 1e-8) * lr)
            .detach()
            .require_grad()
    }
}
