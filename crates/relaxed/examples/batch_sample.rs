//! A batch of RelaxedBernoulli distributions: sample with a seed, evaluate the density, and
//! check the defining property P(X > 1/2) = sigmoid(logits) at every temperature.
//!
//! Run with `cargo run -p relaxed --example batch_sample`.

use ndarray::{ArrayD, Axis, IxDyn, arr1};
use relaxed::math::sigmoid;
use relaxed::{LogitRelaxedBernoulli, RelaxedBernoulli, Univariate};

fn main() {
    // Temperatures [0.1, 1, 10] (shape [3, 1]) broadcast against logits [-1, 0.5] (shape [2]).
    let t = ArrayD::from_shape_vec(IxDyn(&[3, 1]), vec![0.1, 1.0, 10.0]).expect("shape");
    let l = arr1(&[-1.0, 0.5]).into_dyn();
    let batch = RelaxedBernoulli::batch_builder(t)
        .logits(l)
        .name("demo")
        .build()
        .expect("valid");
    println!("batch shape {:?}", batch.batch_shape());

    let n = 100_000;
    let x = batch.sample(&[n], 2026).expect("sample");
    println!("sample shape {:?}", x.shape());
    for (k, d) in batch.members().iter().enumerate() {
        let (i, j) = (k / 2, k % 2);
        let column = x.index_axis(Axis(1), i);
        let column = column.index_axis(Axis(1), j);
        let above = column.iter().filter(|&&v| v > 0.5).count() as f64 / n as f64;
        let mean = column.mean().expect("non-empty");
        println!(
            "t = {:>4}, logits = {:>4}: P(X > 1/2) = {above:.4} (exact {:.4}), sample mean {mean:.4}, \
             density at 0.25 = {:.4}",
            d.temperature(),
            d.logits_parameter(),
            sigmoid(d.logits_parameter()),
            d.prob(0.25).expect("no validation error"),
        );
    }

    // At low temperature in f32, samples round to exactly 0 or 1 and their density is +inf;
    // the logit-space variable keeps everything finite.
    let d = RelaxedBernoulli::from_logits(0.01_f32, 0.0).expect("valid");
    let (x, lp) = d.sample_and_log_prob(0.5);
    let y = LogitRelaxedBernoulli::from_logits(0.01_f32, 0.0).expect("valid");
    println!(
        "f32, t = 0.01, noise 0.5: x = {x}, log_prob(x) = {}, log_prob from the noise = {lp}, \
         logit-space log_prob = {}",
        d.log_prob(x).expect("no validation"),
        y.log_prob(50.0).expect("no validation"),
    );
}
