//! Feature selection with RelaxedBernoulli gates, trained end to end with Burn's autodiff.
//!
//! Data: `y = X w* + noise` with 8 features of which 3 matter. Model: `y ≈ X (z ⊙ w)` with
//! one gate per feature, `z ~ RelaxedBernoulli(t = 0.5, logits θ)` (reparameterized, fresh
//! noise every step), and the loss of a relaxed ELBO: the mean squared error plus
//! `KL(q(θ) || prior)` against a sparse prior `RelaxedBernoulli(0.5, logits = -2)` (closed form
//! at equal temperatures), weighted by `1 / n`. θ and `w` are fitted by Adam (written here in
//! tensor ops, so the example needs only the crate's Burn features). The loss goes down, and
//! the gates of the three useful features open (probability near 1) while the others close.
//!
//! Run: `cargo run -p relaxed-burn --example train`.

use burn::tensor::{DType, Device, Tensor, TensorData};
use relaxed_burn::RelaxedBernoulli;

const N: usize = 256;
const K: usize = 8;

fn tensor<const D: usize>(v: Vec<f64>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(v, shape), (device, DType::F64))
}

/// Adam state for one parameter tensor.
struct Adam {
    m: Tensor<1>,
    v: Tensor<1>,
}

impl Adam {
    fn new(like: &Tensor<1>) -> Self {
        Adam {
            m: like.zeros_like().detach(),
            v: like.zeros_like().detach(),
        }
    }
    /// One step of Adam (lr, beta1 = 0.9, beta2 = 0.999) on `p` with gradient `g`; returns the
    /// updated parameter, detached and marked to require a gradient again.
    fn step(&mut self, p: Tensor<1>, g: Tensor<1>, lr: f64, k: i32) -> Tensor<1> {
        self.m = self.m.clone() * 0.9 + g.clone() * 0.1;
        self.v = self.v.clone() * 0.999 + g.clone() * g * 0.001;
        let mhat = self.m.clone() / (1.0 - 0.9f64.powi(k));
        let vhat = self.v.clone() / (1.0 - 0.999f64.powi(k));
        (p.detach() - mhat / (vhat.sqrt() + 1e-8) * lr)
            .detach()
            .require_grad()
    }
}

fn main() {
    let device = Device::flex().autodiff();
    // Features uniform on (-1, 1) from the core crate's seeded stream; 3 useful features.
    let u = relaxed::noise::uniforms::<f64>(&[N, K], 1);
    let x: Vec<f64> = u.iter().map(|u| 2.0 * u - 1.0).collect();
    let w_true = [2.0, -3.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0];
    let eps = relaxed::noise::logistic_noise::<f64>(&[N], 2);
    let y: Vec<f64> = (0..N)
        .map(|i| (0..K).map(|j| x[i * K + j] * w_true[j]).sum::<f64>() + 0.05 * eps[i])
        .collect();
    let x = tensor(x, [N, K], &device);
    let y = tensor(y, [N, 1], &device);

    let temperature = tensor(vec![0.5], [1], &device);
    let prior =
        RelaxedBernoulli::from_logits(temperature.clone(), tensor(vec![-2.0; K], [K], &device))
            .expect("shapes broadcast");
    let mut theta = tensor(vec![0.0; K], [K], &device).require_grad();
    let mut w = tensor(vec![0.1; K], [K], &device).require_grad();
    let (mut adam_theta, mut adam_w) = (Adam::new(&theta), Adam::new(&w));

    println!("step      loss       mse");
    let mut first = None;
    let mut last = 0.0;
    for step in 0..=600 {
        let q = RelaxedBernoulli::from_logits(temperature.clone(), theta.clone()).expect("shapes");
        // One gate sample per row and feature: shape [N, K], differentiable w.r.t. theta.
        let z = q.rsample::<2>(&[N], 1000 + step as u64).expect("rank 2");
        let pred = (x.clone() * z * w.clone().unsqueeze::<2>()).sum_dim(1);
        let mse = (pred - y.clone()).powi_scalar(2).mean();
        let kl = q.kl_divergence(&prior).expect("equal temperatures").sum() / N as f64;
        let loss = mse.clone() + kl;
        let loss_value: f64 = loss.clone().into_scalar::<f64>();
        first.get_or_insert(loss_value);
        last = loss_value;
        if step % 50 == 0 {
            println!(
                "{step:4}  {loss_value:9.5}  {:9.5}",
                mse.into_scalar::<f64>()
            );
        }
        let grads = loss.backward();
        let (gt, gw) = (
            theta.grad(&grads).expect("tracked"),
            w.grad(&grads).expect("tracked"),
        );
        theta = adam_theta.step(theta, gt, 0.05, step + 1);
        w = adam_w.step(w, gw, 0.05, step + 1);
    }
    let probs: Vec<f64> = RelaxedBernoulli::from_logits(temperature, theta)
        .expect("shapes")
        .probs_parameter()
        .to_data()
        .try_to_vec()
        .expect("f64");
    let weights: Vec<f64> = w.to_data().try_to_vec().expect("f64");
    println!("gate probabilities: {:.3?}", probs);
    println!("weights:            {:.3?}", weights);
    println!("true weights:       {:.3?}", w_true);
    let first = first.expect("at least one step");
    println!("loss {first:.4} -> {last:.4}");
    assert!(last < 0.1 * first, "the loss went down");
}
