//! A binary-latent VAE on real MNIST digits (Maddison et al. 2016, Table 1, 200H–784V), trained
//! through BinConcrete relaxations with `relaxed-burn` on Burn's CPU backend.
//!
//! ```text
//! cargo run --release --example vae                 # the paper's setup, both KL variants
//! cargo run --release --example vae -- --kl concrete --epochs 30
//! cargo run --release --example vae -- --quick      # seconds: a smoke test
//! ```
//!
//! Writes `curves.png`, `reconstructions.png`, `results.md` and `history.csv` to `--out`
//! (default `vae-output/`), prints a progress bar per epoch (when stderr is a terminal), one
//! line per epoch and the results table.

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use relaxed_burn::burn::tensor::Device;
use relaxed_vae::data::Mnist;
use relaxed_vae::model::KlMode;
use relaxed_vae::report::{RunSummary, plot_curves, plot_reconstructions, results_markdown};
use relaxed_vae::train::{Config, Experiment};

/// Train the 200H-784V binary-latent VAE of Maddison et al. (2016) on 9,000 real MNIST digits
/// and evaluate the discrete model on 1,000 test digits.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Which KL term the relaxed objective uses: Maddison's logit-space Concrete KL (Eq. 27, a
    /// lower bound), Jang et al.'s analytic Bernoulli KL on relaxed samples (not a bound), or
    /// both, one after the other, side by side in the outputs.
    #[arg(long, value_enum, default_value_t = KlArg::Both)]
    kl: KlArg,
    /// A run of a few seconds: 1,000 training images, 3 epochs, 200 evaluated, k = 10. Exits
    /// with an error if the relaxed objective did not fall.
    #[arg(long)]
    quick: bool,
    /// Passes over the training images (default 100, or 3 with --quick).
    #[arg(long)]
    epochs: Option<usize>,
    /// Adam's learning rate.
    #[arg(long)]
    lr: Option<f64>,
    /// Importance samples of the final IWAE bound (default 100, or 10 with --quick).
    #[arg(long)]
    iwae_k: Option<usize>,
    /// Base seed (initialization, minibatch order, noise).
    #[arg(long)]
    seed: Option<u64>,
    /// Directory for the pictures, the table and the per-epoch history.
    #[arg(long, default_value = "vae-output")]
    out: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum KlArg {
    Concrete,
    Jang,
    Both,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let modes: &[KlMode] = match args.kl {
        KlArg::Concrete => &[KlMode::Concrete],
        KlArg::Jang => &[KlMode::Jang],
        KlArg::Both => &[KlMode::Concrete, KlMode::Jang],
    };
    if args.quick && args.epochs.is_some_and(|e| e < 2) {
        return Err(
            "--quick compares the first and the last epoch: give --epochs 2 or more".into(),
        );
    }
    fs::create_dir_all(&args.out)?;
    let split = Mnist::load()?.standard_split();
    let device = Device::flex().autodiff();
    let mut summaries = Vec::new();
    let mut first_experiment = None;
    for &mode in modes {
        let mut config = if args.quick {
            Config::quick(mode)
        } else {
            Config::paper(mode)
        };
        config.epochs = args.epochs.unwrap_or(config.epochs);
        config.lr = args.lr.unwrap_or(config.lr);
        config.iwae_k = args.iwae_k.unwrap_or(config.iwae_k);
        config.seed = args.seed.unwrap_or(config.seed);
        println!(
            "\n{}: {} training images, batch {}, Adam lr {}, {} epochs, λ1 = {:.4}, λ2 = {}",
            mode.label(),
            config.train_size,
            config.batch,
            config.lr,
            config.epochs,
            config.posterior_temperature,
            config.prior_temperature
        );
        println!("epoch  relaxed obj.  discrete -ELBO train / test   seconds");
        let mut experiment = Experiment::new(config.clone(), &split.train, &split.test, &device)?;
        let started = Instant::now();
        for epoch in 1..=config.epochs {
            let bar = ProgressBar::new(config.train_size.div_ceil(config.batch) as u64);
            bar.set_style(ProgressStyle::with_template(
                "epoch {prefix:>3} [{bar:30}] {pos}/{len} steps  objective {msg}  {elapsed}",
            )?);
            bar.set_prefix(epoch.to_string());
            let stats = experiment.run_epoch(&mut |done, _, running| {
                bar.set_position(done as u64);
                bar.set_message(format!("{running:.2}"));
            });
            bar.finish_and_clear();
            println!(
                "{:5}  {:12.2}  {:12.2} / {:<12.2}  {:7.1}",
                stats.epoch,
                stats.relaxed,
                stats.discrete_train,
                stats.discrete_test,
                stats.seconds
            );
        }
        let train_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let (train, test) = experiment.evaluate();
        let eval_seconds = started.elapsed().as_secs_f64();
        println!(
            "final (negated bounds, nats): relaxed {:.2} / {:.2}, discrete -ELBO {:.2} / {:.2}, \
             -IWAE(k = {}) {:.2} / {:.2} (train / test); training {train_seconds:.0} s, \
             evaluation {eval_seconds:.0} s",
            train.relaxed.mean,
            test.relaxed.mean,
            train.discrete_elbo.mean,
            test.discrete_elbo.mean,
            config.iwae_k,
            train.iwae.mean,
            test.iwae.mean,
        );
        if args.quick {
            let h = &experiment.history;
            let (first, last) = (&h[0], &h[h.len() - 1]);
            if !(last.relaxed < first.relaxed && last.discrete_test < first.discrete_test) {
                return Err(format!(
                    "quick check failed: the objective did not fall ({:.2} -> {:.2}, test -ELBO \
                     {:.2} -> {:.2})",
                    first.relaxed, last.relaxed, first.discrete_test, last.discrete_test
                )
                .into());
            }
        }
        summaries.push(RunSummary {
            config,
            history: experiment.history.clone(),
            train,
            test,
            train_seconds,
            eval_seconds,
        });
        first_experiment.get_or_insert(experiment);
    }

    let table = results_markdown(&summaries);
    println!("\n{table}");
    fs::write(args.out.join("results.md"), &table)?;
    let mut csv = String::from("kl,epoch,relaxed,discrete_train,discrete_test,seconds\n");
    for s in &summaries {
        for h in &s.history {
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                s.config.kl.name(),
                h.epoch,
                h.relaxed,
                h.discrete_train,
                h.discrete_test,
                h.seconds
            ));
        }
    }
    fs::write(args.out.join("history.csv"), csv)?;
    plot_curves(&args.out.join("curves.png"), &summaries)?;
    let experiment = first_experiment.expect("at least one run");
    let columns = 16;
    let test = experiment.test_set().subset(0..columns);
    let x = experiment.rows(&test, 0, columns);
    let recon = experiment.model.detached().reconstruct(x, 7);
    plot_reconstructions(
        &args.out.join("reconstructions.png"),
        &test.gray,
        &test.pixels,
        &recon,
        columns,
    )?;
    println!(
        "wrote {}/{{results.md, history.csv, curves.png, reconstructions.png}}",
        args.out.display()
    );
    Ok(())
}
