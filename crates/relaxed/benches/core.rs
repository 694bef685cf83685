//! Benchmarks of the core crate: sampling and log_prob over batches, and the cost of each
//! statistic per batch member. Run by hand with `cargo bench -p relaxed --bench core`; never
//! timed in CI (the machines are shared and noisy). Figures are recorded in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{ArrayD, IxDyn};
use relaxed::{KlDivergence, Moments, RelaxedBernoulli};

fn scalar_batch<F: relaxed::Real>(t: f64, l: f64) -> relaxed::Batch<RelaxedBernoulli<F>> {
    RelaxedBernoulli::batch_builder(ArrayD::from_elem(IxDyn(&[]), F::from_f64(t)))
        .logits(ArrayD::from_elem(IxDyn(&[]), F::from_f64(l)))
        .build()
        .expect("valid")
}

fn sampling(c: &mut Criterion) {
    let mut g = c.benchmark_group("sample");
    for n in [1_000usize, 100_000, 1_000_000] {
        g.throughput(Throughput::Elements(n as u64));
        let b64 = scalar_batch::<f64>(0.5, 0.3);
        g.bench_with_input(BenchmarkId::new("f64", n), &n, |bch, &n| {
            bch.iter(|| black_box(b64.sample(&[n], 1).expect("ok")))
        });
        let b32 = scalar_batch::<f32>(0.5, 0.3);
        g.bench_with_input(BenchmarkId::new("f32", n), &n, |bch, &n| {
            bch.iter(|| black_box(b32.sample(&[n], 1).expect("ok")))
        });
    }
    g.finish();
}

fn log_prob(c: &mut Criterion) {
    let mut g = c.benchmark_group("log_prob");
    let n = 1_000_000usize;
    g.throughput(Throughput::Elements(n as u64));
    let b64 = scalar_batch::<f64>(0.5, 0.3);
    let x64 = b64.sample(&[n], 2).expect("ok");
    g.bench_function("f64", |bch| {
        bch.iter(|| black_box(b64.log_prob(&x64).expect("ok")))
    });
    let b32 = scalar_batch::<f32>(0.5, 0.3);
    let x32 = b32.sample(&[n], 2).expect("ok");
    g.bench_function("f32", |bch| {
        bch.iter(|| black_box(b32.log_prob(&x32).expect("ok")))
    });
    g.finish();
}

fn statistics(c: &mut Criterion) {
    let mut g = c.benchmark_group("statistics per member");
    for (t, l) in [(0.5_f64, 0.3_f64), (0.01, -20.0), (100.0, 5.0)] {
        let d = RelaxedBernoulli::from_logits(t, l).expect("valid");
        let e = RelaxedBernoulli::from_logits(t * 1.7, l - 1.0).expect("valid");
        let hot = RelaxedBernoulli::from_logits(t.max(1.5), l).expect("valid");
        let id = format!("t={t},l={l}");
        g.bench_function(BenchmarkId::new("mean", &id), |b| {
            b.iter(|| black_box(&d).mean())
        });
        g.bench_function(BenchmarkId::new("variance", &id), |b| {
            b.iter(|| black_box(&d).variance())
        });
        g.bench_function(BenchmarkId::new("entropy", &id), |b| {
            b.iter(|| black_box(&d).entropy())
        });
        g.bench_function(BenchmarkId::new("mode", &id), |b| {
            b.iter(|| black_box(&hot).mode())
        });
        g.bench_function(BenchmarkId::new("kl_unequal_t", &id), |b| {
            b.iter(|| black_box(&d).kl_divergence(black_box(&e)))
        });
    }
    g.finish();
}

criterion_group!(benches, sampling, log_prob, statistics);
criterion_main!(benches);
