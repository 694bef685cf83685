//! Benchmarks of the core crate: sampling and log_prob over batches (f32 and f64, scalar and
//! broadcast parameters, N = 10^3 ... 10^7, 1 and 2 threads), and the cost of each statistic
//! per batch member. Run by hand with `cargo bench -p relaxed --bench core` (a filter such as
//! `-- f32/scalar` narrows it); never timed in CI (the machines are shared and noisy). Figures
//! are recorded in BENCHMARKS.md.

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

/// A batch with an array of 1000 logits (broadcast case) and scalar temperature 0.5.
fn broadcast_batch<F: relaxed::Real>() -> relaxed::Batch<RelaxedBernoulli<F>> {
    let logits = (0..1000)
        .map(|i| F::from_f64(-3.0 + 6.0 * i as f64 / 999.0))
        .collect();
    RelaxedBernoulli::batch_builder(ArrayD::from_elem(IxDyn(&[]), F::from_f64(0.5)))
        .logits(ArrayD::from_shape_vec(IxDyn(&[1000]), logits).expect("shape"))
        .build()
        .expect("valid")
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
}

/// Sampling and log_prob, f32 and f64, scalar and broadcast parameters, N = 10^3 ... 10^7, on
/// 1 and 2 threads (rayon pools; below 2^15 elements everything runs on the calling thread).
fn kernels<F: relaxed::Real>(c: &mut Criterion, dtype: &str) {
    let cases: [(&str, relaxed::Batch<RelaxedBernoulli<F>>, usize); 2] = [
        ("scalar", scalar_batch::<F>(0.5, 0.3), 1),
        ("broadcast", broadcast_batch::<F>(), 1000),
    ];
    for threads in [1, 2] {
        let pool = pool(threads);
        for (kind, batch, width) in &cases {
            let mut g = c.benchmark_group(format!("{dtype}/{kind}/{threads}t"));
            for n in [1_000usize, 100_000, 10_000_000] {
                if n < *width {
                    continue;
                }
                g.throughput(Throughput::Elements(n as u64));
                if n >= 10_000_000 {
                    g.sample_size(10);
                }
                let shape = [n / width];
                g.bench_with_input(BenchmarkId::new("sample", n), &n, |b, _| {
                    pool.install(|| b.iter(|| black_box(batch.sample(&shape, 1).expect("ok"))))
                });
                let x = batch.sample(&shape, 2).expect("ok");
                g.bench_with_input(BenchmarkId::new("log_prob", n), &n, |b, _| {
                    pool.install(|| b.iter(|| black_box(batch.log_prob(&x).expect("ok"))))
                });
            }
            g.finish();
        }
    }
}

fn sampling_and_log_prob(c: &mut Criterion) {
    kernels::<f32>(c, "f32");
    kernels::<f64>(c, "f64");
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

criterion_group!(benches, sampling_and_log_prob, statistics);
criterion_main!(benches);
