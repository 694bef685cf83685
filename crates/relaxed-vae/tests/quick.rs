//! The quick mode of the VAE experiment, end to end, plus checks of the model's bounds that
//! would fail if an objective were wrong.

use relaxed_burn::burn::tensor::Device;
use relaxed_vae::data::Mnist;
use relaxed_vae::model::{KlMode, Vae};
use relaxed_vae::train::{Config, Experiment};

fn device() -> Device {
    Device::flex().autodiff()
}

#[test]
fn quick_training_lowers_the_objective_and_the_bounds_are_ordered() {
    let split = Mnist::load().expect("embedded data").standard_split();
    let config = Config::quick(KlMode::Concrete);
    let mut e = Experiment::new(config.clone(), &split.train, &split.test, &device()).unwrap();
    for _ in 0..config.epochs {
        e.run_epoch(&mut |_, _, _| {});
    }
    let h = &e.history;
    let (first, last) = (&h[0], &h[h.len() - 1]);
    eprintln!("history: {h:#?}");
    assert!(
        last.relaxed < first.relaxed - 5.0,
        "relaxed objective fell by > 5 nats"
    );
    assert!(last.discrete_test < first.discrete_test, "test -ELBO fell");
    let (train, test) = e.evaluate();
    eprintln!("train {train:#?}\ntest {test:#?}");
    for ev in [train, test] {
        // -IWAE <= -ELBO (in expectation; k importance samples tighten the bound): well beyond
        // the standard errors after any training.
        assert!(
            ev.iwae.mean < ev.discrete_elbo.mean,
            "IWAE is the tighter bound"
        );
        // Every negated bound of a binary image is positive and below 784 ln 2 + KL-ish scale.
        for v in [ev.iwae.mean, ev.discrete_elbo.mean, ev.relaxed.mean] {
            assert!(v.is_finite() && v > 0.0 && v < 600.0, "{v}");
        }
    }
}

/// With k = 1 the IWAE bound is the single-sample discrete ELBO with the Monte Carlo KL
/// `log q(b) - log p(b)`: its mean over many samples equals the analytic-KL ELBO's mean.
#[test]
fn iwae_with_one_sample_is_unbiased_for_the_elbo() {
    let split = Mnist::load().expect("embedded data").standard_split();
    let dev = device();
    let model = Vae::new(&split.train.pixel_means(), 2.0 / 3.0, 0.5, 3, &dev);
    let n = 64;
    let x = relaxed_vae::model::tensor(split.test.pixels[..n * 784].to_vec(), [n, 784], &dev);
    let reps = 100;
    let mut iwae = 0.0;
    let mut sq = 0.0;
    for r in 0..reps {
        let v: f64 = model.iwae(x.clone(), 1, 100 + r).iter().sum::<f64>() / n as f64;
        iwae += v / reps as f64;
        sq += v * v / reps as f64;
    }
    let se = ((sq - iwae * iwae) / reps as f64).sqrt();
    let mut elbo = 0.0;
    for r in 0..reps {
        let v: Vec<f32> = model
            .discrete_elbo(x.clone(), 10_000 + r)
            .into_data()
            .try_to_vec()
            .unwrap();
        elbo += v.iter().map(|&v| f64::from(v)).sum::<f64>() / (n * reps as usize) as f64;
    }
    eprintln!("iwae(k=1) {iwae} ± {se}, elbo {elbo}");
    assert!(
        (iwae - elbo).abs() < 5.0 * se + 0.05,
        "{iwae} vs {elbo} (se {se})"
    );
}

/// The analytic Bernoulli KL against its definition, evaluated in f64 on the host, including
/// logits where a naive `p ln(p/q)` would lose everything (|a| = 30).
#[test]
fn bernoulli_kl_matches_its_definition() {
    let dev = device();
    let split_means = vec![0.5f32; 784];
    let mut model = Vae::new(&split_means, 2.0 / 3.0, 0.5, 1, &dev);
    let a: Vec<f32> = (0..200).map(|j| (j as f32 - 100.0) * 0.3).collect();
    let c: Vec<f32> = (0..200)
        .map(|j| ((j * 37) % 200) as f32 * 0.1 - 10.0)
        .collect();
    model.prior = relaxed_vae::model::tensor(c.clone(), [200], &dev);
    let kl: Vec<f32> = model
        .bernoulli_kl(relaxed_vae::model::tensor(a.clone(), [1, 200], &dev))
        .into_data()
        .try_to_vec()
        .unwrap();
    let log_sigmoid = |z: f64| {
        if z >= 0.0 {
            -(-z).exp().ln_1p()
        } else {
            z - z.exp().ln_1p()
        }
    };
    let expected: f64 = a
        .iter()
        .zip(&c)
        .map(|(&a, &c)| {
            let (a, c) = (f64::from(a), f64::from(c));
            let (q1, q0) = (log_sigmoid(a).exp(), log_sigmoid(-a).exp());
            q1 * (log_sigmoid(a) - log_sigmoid(c)) + q0 * (log_sigmoid(-a) - log_sigmoid(-c))
        })
        .sum();
    let got = f64::from(kl[0]);
    assert!(
        (got - expected).abs() <= 1e-5 * expected.abs(),
        "{got} vs {expected}"
    );
}

#[test]
fn bad_configurations_are_errors() {
    let split = Mnist::load().expect("embedded data").standard_split();
    let base = Config::quick(KlMode::Concrete);
    let cases: Vec<(Config, &str)> = vec![
        (
            Config {
                epochs: 0,
                ..base.clone()
            },
            "epochs",
        ),
        (
            Config {
                iwae_k: 0,
                ..base.clone()
            },
            "iwae_k",
        ),
        (
            Config {
                lr: f64::NAN,
                ..base.clone()
            },
            "lr",
        ),
        (
            Config {
                prior_temperature: 0.0,
                ..base.clone()
            },
            "prior_temperature",
        ),
        (
            Config {
                train_eval_size: 2_000,
                ..base.clone()
            },
            "train_eval_size",
        ),
        (
            Config {
                train_size: 20_000,
                train_eval_size: 10,
                ..base.clone()
            },
            "20000",
        ),
    ];
    for (config, word) in cases {
        let e = Experiment::new(config, &split.train, &split.test, &device()).unwrap_err();
        assert!(e.to_string().contains(word), "{e}");
    }
    assert!(Config::paper(KlMode::Jang).check().is_ok());
}

/// Gradients of the relaxed objective (Eq. 27) through the model — the reparameterized sample
/// and both logit-space densities — against central differences with the same noise, for the
/// prior logits and the encoder biases of a few units, in both KL modes.
#[test]
fn objective_gradients_match_central_differences() {
    let split = Mnist::load().expect("embedded data").standard_split();
    let dev = device();
    let base = Vae::new(&split.train.pixel_means(), 2.0 / 3.0, 0.5, 5, &dev);
    // A non-trivial point: prior logits and encoder biases away from 0.
    let c: Vec<f32> = (0..200)
        .map(|j| ((j * 7) % 13) as f32 * 0.3 - 1.8)
        .collect();
    let b: Vec<f32> = (0..200)
        .map(|j| ((j * 5) % 11) as f32 * 0.4 - 2.0)
        .collect();
    // Two images: the objective (~400 nats in f32) then rounds to ~3e-5, so a central
    // difference with h = 0.05 is good to ~1e-3 (truncation ~h^2/6 |f'''| ~ 2e-4).
    let n = 2;
    let x = relaxed_vae::model::tensor(split.test.pixels[..n * 784].to_vec(), [n, 784], &dev);
    let objective = |c: &[f32], b: &[f32], mode: KlMode, grad: bool| {
        let mut m = base.clone();
        m.prior = relaxed_vae::model::tensor(c.to_vec(), [200], &dev);
        m.enc_b = relaxed_vae::model::tensor(b.to_vec(), [200], &dev);
        if grad {
            m.prior = m.prior.require_grad();
            m.enc_b = m.enc_b.require_grad();
        }
        let f = m.relaxed_objective(x.clone(), mode, 99).sum();
        (m, f)
    };
    for mode in [KlMode::Concrete, KlMode::Jang] {
        let (m, f) = objective(&c, &b, mode, true);
        let grads = f.backward();
        let gc: Vec<f32> = m
            .prior
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_to_vec()
            .unwrap();
        let gb: Vec<f32> = m
            .enc_b
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_to_vec()
            .unwrap();
        let h = 5e-2f32;
        for j in [0usize, 17, 123, 199] {
            let value = |c: &[f32], b: &[f32]| -> f64 {
                f64::from(objective(c, b, mode, false).1.into_scalar::<f32>())
            };
            let shift = |v: &[f32], d: f32| {
                let mut v = v.to_vec();
                v[j] += d;
                v
            };
            let fd_c =
                (value(&shift(&c, h), &b) - value(&shift(&c, -h), &b)) / (2.0 * f64::from(h));
            let fd_b =
                (value(&c, &shift(&b, h)) - value(&c, &shift(&b, -h))) / (2.0 * f64::from(h));
            for (what, g, fd) in [("prior", gc[j], fd_c), ("enc_b", gb[j], fd_b)] {
                let g = f64::from(g);
                assert!(
                    (g - fd).abs() <= 5e-3 * g.abs().max(1.0),
                    "{mode:?} d/d{what}[{j}]: autodiff {g} vs central difference {fd}"
                );
            }
        }
    }
}

/// The value of Eq. 27 (and of the Jang variant) against a host computation in f64 with the
/// core crate's `LogitRelaxedBernoulli` on the same noise: pins the formula (the KL's sign,
/// which temperature belongs to which density, the decoder's units), not only its gradient.
#[test]
fn relaxed_objective_values_match_a_host_computation() {
    use relaxed::Univariate;
    let split = Mnist::load().expect("embedded data").standard_split();
    let dev = device();
    let mut model = Vae::new(&split.train.pixel_means(), 2.0 / 3.0, 0.5, 11, &dev);
    let c: Vec<f32> = (0..200)
        .map(|j| ((j * 3) % 17) as f32 * 0.25 - 2.0)
        .collect();
    model.prior = relaxed_vae::model::tensor(c.clone(), [200], &dev);
    let n = 3;
    let xs = split.test.pixels[..n * 784].to_vec();
    let x = relaxed_vae::model::tensor(xs.clone(), [n, 784], &dev);
    let to_vec = |t: relaxed_burn::burn::tensor::Tensor<2>| -> Vec<f64> {
        let v: Vec<f32> = t.into_data().try_to_vec().unwrap();
        v.into_iter().map(f64::from).collect()
    };
    let a = to_vec(model.encode(x.clone()));
    let w: Vec<f64> = to_vec(model.dec_w.clone());
    let b: Vec<f64> = to_vec(model.dec_b.clone().unsqueeze::<2>());
    let seed = 4242;
    // The Burn crate draws f32 noise for f32 tensors: the core's stream in f32.
    let noise = relaxed::noise::logistic_noise::<f32>(&[n, 200], seed);
    let (t1, t2) = (model.posterior_temperature, model.prior_temperature);
    let softplus = |z: f64| z.max(0.0) + (-z.abs()).exp().ln_1p();
    for mode in [KlMode::Concrete, KlMode::Jang] {
        let got: Vec<f32> = model
            .relaxed_objective(x.clone(), mode, seed)
            .into_data()
            .try_to_vec()
            .unwrap();
        for i in 0..n {
            let mut kl = 0.0;
            let mut s = vec![0.0; 200];
            for j in 0..200 {
                let (aij, cj) = (a[i * 200 + j], f64::from(c[j]));
                let y = (aij + f64::from(noise[[i, j]])) / t1;
                s[j] = (y / 2.0).tanh();
                kl += match mode {
                    KlMode::Concrete => {
                        let q = relaxed::LogitRelaxedBernoulli::from_logits(t1, aij).unwrap();
                        let p = relaxed::LogitRelaxedBernoulli::from_logits(t2, cj).unwrap();
                        q.log_prob(y).unwrap() - p.log_prob(y).unwrap()
                    }
                    KlMode::Jang => {
                        let (q1, q0) = (1.0 / (1.0 + (-aij).exp()), 1.0 / (1.0 + aij.exp()));
                        q1 * (softplus(-cj) - softplus(-aij)) + q0 * (softplus(cj) - softplus(aij))
                    }
                };
            }
            let ll: f64 = (0..784)
                .map(|p| {
                    let l = b[p] + (0..200).map(|j| s[j] * w[j * 784 + p]).sum::<f64>();
                    f64::from(xs[i * 784 + p]) * l - softplus(l)
                })
                .sum();
            let want = ll - kl;
            let g = f64::from(got[i]);
            assert!(
                (g - want).abs() <= 2e-4 * want.abs(),
                "{mode:?} image {i}: {g} vs host {want}"
            );
        }
    }
}
