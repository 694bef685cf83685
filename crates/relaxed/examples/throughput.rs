//! Throughput of sampling and `log_prob` through the public API, as JSON lines, for the peer
//! benchmark (`benches/peers/run.sh`, see BENCHMARKS.md). Run by hand, never in CI:
//!
//! ```text
//! cargo run --release -p relaxed --example throughput -- [options]
//!
//!   --sizes 1000,100000,10000000   N, the number of output elements
//!   --threads 1,2                  rayon pool sizes (each run inside ThreadPool::install)
//!   --dtypes f32,f64
//!   --cases scalar,broadcast       scalar: t = 0.5, logits = 0.3, sample_shape [N];
//!                                  broadcast: t = 0.5, logits of shape [1000]
//!                                  (-3 + 6 i / 999), sample_shape [N / 1000]
//!   --ops sample,log_prob,sample_into,log_prob_into
//!   --reps 7                       timed repetitions (the median is reported)
//!   --min-rep-ms 20                each repetition loops the call until it lasts this long
//!   --no-baseline                  skip the plain-std scalar loop
//!   --peak-mem N                   peak resident memory of one sample(N), for each dtype and
//!                                  case in a fresh child process (VmHWM of /proc/self/status)
//! ```
//!
//! Every line is one JSON object. `"impl": "ours"` is the public API (`Batch::sample`,
//! `Batch::log_prob`, `Batch::sample_into` and `Batch::evaluate_into(Function::LogProb, ..)`
//! into a reused buffer); `"impl": "baseline"` is the
//! plain scalar loop of the issue: the same counter-based uniforms
//! ([`relaxed::noise::fill_uniforms`]), then `u -> ln u - ln1p(-u) -> stable sigmoid`, and
//! `log_prob` in DESIGN §3's form `ln t - softplus(z) - softplus(-z) - ln x - ln1p(-x)`, all with
//! `std`'s `ln`, `ln_1p` and `exp`, on one thread. The values of `log_prob` are evaluated at a
//! sample of the same distribution (seed 2: the CLI's `--seed 2` writes the same values).

use std::hint::black_box;
use std::time::Instant;

use ndarray::{ArrayD, IxDyn};
use relaxed::noise::fill_uniforms;
use relaxed::{Batch, Function, Real, RelaxedBernoulli};

/// Elements per block of the baseline's uniforms (the core's chunk size, so the uniforms of a
/// block stay in cache between the two loops).
const BLOCK: usize = 1 << 13;
/// The seed of the timed samples.
const SEED: u64 = 1;
/// The seed of the sample at which `log_prob` is evaluated.
const X_SEED: u64 = 2;
/// Width of the broadcast case.
const WIDTH: usize = 1000;
const TEMPERATURE: f64 = 0.5;
const LOGITS: f64 = 0.3;

/// `std`'s (the platform libm's) functions, named apart from the crate's `Real` methods.
trait StdMath: Real {
    fn std_ln(self) -> Self;
    fn std_ln_1p(self) -> Self;
    fn std_exp(self) -> Self;
}

impl StdMath for f32 {
    fn std_ln(self) -> f32 {
        self.ln()
    }
    fn std_ln_1p(self) -> f32 {
        self.ln_1p()
    }
    fn std_exp(self) -> f32 {
        self.exp()
    }
}

impl StdMath for f64 {
    fn std_ln(self) -> f64 {
        self.ln()
    }
    fn std_ln_1p(self) -> f64 {
        self.ln_1p()
    }
    fn std_exp(self) -> f64 {
        self.exp()
    }
}

/// The two parameter layouts of the benchmark.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Scalar,
    Broadcast,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Scalar => "scalar",
            Case::Broadcast => "broadcast",
        }
    }
    fn width(self) -> usize {
        match self {
            Case::Scalar => 1,
            Case::Broadcast => WIDTH,
        }
    }
    /// The logits of the case (one value for the scalar case).
    fn logits<F: Real>(self) -> Vec<F> {
        match self {
            Case::Scalar => vec![F::from_f64(LOGITS)],
            Case::Broadcast => (0..WIDTH)
                .map(|i| F::from_f64(-3.0 + 6.0 * i as f64 / (WIDTH - 1) as f64))
                .collect(),
        }
    }
    fn batch<F: Real>(self) -> Batch<RelaxedBernoulli<F>> {
        let l = self.logits::<F>();
        let l = match self {
            Case::Scalar => ArrayD::from_elem(IxDyn(&[]), l[0]),
            Case::Broadcast => ArrayD::from_shape_vec(IxDyn(&[WIDTH]), l).expect("shape"),
        };
        RelaxedBernoulli::batch_builder(ArrayD::from_elem(IxDyn(&[]), F::from_f64(TEMPERATURE)))
            .logits(l)
            .build()
            .expect("valid parameters")
    }
}

// ---------------------------------------------------------------------------------------------
// The baseline: plain scalar loops over std's ln / ln_1p / exp.

/// `sigmoid(z)` without overflow: `1 / (1 + e^-z)` for `z >= 0`, `e^z / (1 + e^z)` below.
#[inline(always)]
fn stable_sigmoid<F: StdMath>(z: F) -> F {
    if z >= F::zero() {
        F::one() / (F::one() + (-z).std_exp())
    } else {
        let e = z.std_exp();
        e / (F::one() + e)
    }
}

/// `softplus(z) = ln(1 + e^z)` without overflow: `max(z, 0) + ln1p(e^-|z|)`.
#[inline(always)]
fn softplus<F: StdMath>(z: F) -> F {
    z.max(F::zero()) + (-z.abs()).std_exp().std_ln_1p()
}

/// The baseline sampler: element `i` of the output uses uniform `i` of the stream for `seed`
/// and logits `logits[i % logits.len()]` (the core's element order).
fn baseline_sample<F: StdMath>(t: F, logits: &[F], seed: u64, n: usize) -> Vec<F> {
    let mut out = vec![F::zero(); n];
    let nb = logits.len();
    for (k, block) in out.chunks_mut(BLOCK).enumerate() {
        let start = k * BLOCK;
        fill_uniforms(seed, start as u64, block);
        for (j, x) in block.iter_mut().enumerate() {
            let u = *x;
            let noise = u.std_ln() - (-u).std_ln_1p();
            let l = logits[(start + j) % nb];
            *x = stable_sigmoid((l + noise) / t);
        }
    }
    out
}

/// The baseline `log_prob`: `ln t - softplus(z) - softplus(-z) - ln x - ln1p(-x)` with
/// `z = t (ln x - ln1p(-x)) - l`.
fn baseline_log_prob<F: StdMath>(t: F, logits: &[F], x: &[F]) -> Vec<F> {
    let ln_t = t.std_ln();
    let nb = logits.len();
    x.iter()
        .enumerate()
        .map(|(i, &x)| {
            let ln_x = x.std_ln();
            let ln_1mx = (-x).std_ln_1p();
            let z = t * (ln_x - ln_1mx) - logits[i % nb];
            ln_t - softplus(z) - softplus(-z) - ln_x - ln_1mx
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Timing.

struct Timing {
    reps: usize,
    inner: usize,
    /// Seconds per call, one per repetition, sorted.
    per_call: Vec<f64>,
}

fn median(sorted: &[f64]) -> f64 {
    let m = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[m]
    } else {
        0.5 * (sorted[m - 1] + sorted[m])
    }
}

/// One warm-up call, then `reps` repetitions, each looping `f` `inner` times, with `inner`
/// chosen (from the warm-up) so that a repetition lasts at least `min_rep` seconds.
fn time<T>(reps: usize, min_rep: f64, mut f: impl FnMut() -> T) -> Timing {
    let start = Instant::now();
    black_box(f());
    let warm = start.elapsed().as_secs_f64().max(1e-9);
    let inner = ((min_rep / warm).ceil() as usize).clamp(1, 1_000_000);
    let mut per_call: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..inner {
                black_box(f());
            }
            start.elapsed().as_secs_f64() / inner as f64
        })
        .collect();
    per_call.sort_by(|a, b| a.total_cmp(b));
    Timing {
        reps,
        inner,
        per_call,
    }
}

struct Entry<'a> {
    imp: &'a str,
    op: &'a str,
    dtype: &'a str,
    case: Case,
    n: usize,
    threads: usize,
}

fn report(e: &Entry<'_>, t: &Timing) {
    let med = median(&t.per_call);
    let rate = |s: f64| e.n as f64 / s / 1e6;
    println!(
        "{{\"impl\":\"{}\",\"op\":\"{}\",\"dtype\":\"{}\",\"case\":\"{}\",\"n\":{},\"threads\":{},\
         \"reps\":{},\"inner\":{},\"median_s\":{:e},\"melem_s\":{:.3},\"min_melem_s\":{:.3},\
         \"max_melem_s\":{:.3}}}",
        e.imp,
        e.op,
        e.dtype,
        e.case.name(),
        e.n,
        e.threads,
        t.reps,
        t.inner,
        med,
        rate(med),
        rate(*t.per_call.last().expect("reps > 0")),
        rate(t.per_call[0]),
    );
}

struct Options {
    sizes: Vec<usize>,
    threads: Vec<usize>,
    dtypes: Vec<String>,
    cases: Vec<Case>,
    ops: Vec<String>,
    reps: usize,
    min_rep: f64,
    baseline: bool,
}

fn run_dtype<F: StdMath>(o: &Options) {
    let dtype = F::NAME;
    for &case in &o.cases {
        let batch = case.batch::<F>();
        let logits = case.logits::<F>();
        let t = F::from_f64(TEMPERATURE);
        for &n in &o.sizes {
            if n < case.width() || n % case.width() != 0 {
                continue;
            }
            let shape = [n / case.width()];
            let x = batch.sample(&shape, X_SEED).expect("sample");
            let xs = x.as_slice().expect("standard layout");
            for &threads in &o.threads {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("thread pool");
                pool.install(|| {
                    for op in &o.ops {
                        let timing = match op.as_str() {
                            "sample" => time(o.reps, o.min_rep, || {
                                batch.sample(&shape, SEED).expect("sample")
                            }),
                            "sample_into" => {
                                let mut buf = vec![F::zero(); n];
                                time(o.reps, o.min_rep, || {
                                    batch.sample_into(&mut buf, 0, SEED);
                                    buf[n - 1]
                                })
                            }
                            "log_prob" => {
                                time(o.reps, o.min_rep, || batch.log_prob(&x).expect("log_prob"))
                            }
                            "log_prob_into" => {
                                let mut buf = vec![F::zero(); n];
                                time(o.reps, o.min_rep, || {
                                    batch
                                        .evaluate_into(Function::LogProb, &x, &mut buf)
                                        .expect("log_prob");
                                    buf[n - 1]
                                })
                            }
                            other => panic!("unknown op {other:?}"),
                        };
                        let e = Entry {
                            imp: "ours",
                            op,
                            dtype,
                            case,
                            n,
                            threads,
                        };
                        report(&e, &timing);
                    }
                });
            }
            if o.baseline {
                // One thread: the calling thread, outside any pool.
                for op in &o.ops {
                    let timing = match op.as_str() {
                        "sample" => {
                            time(o.reps, o.min_rep, || baseline_sample(t, &logits, SEED, n))
                        }
                        "log_prob" => time(o.reps, o.min_rep, || baseline_log_prob(t, &logits, xs)),
                        _ => continue,
                    };
                    let e = Entry {
                        imp: "baseline",
                        op,
                        dtype,
                        case,
                        n,
                        threads: 1,
                    };
                    report(&e, &timing);
                }
            }
        }
    }
}

/// A field of `/proc/self/status` in kB (Linux; `None` elsewhere).
fn status_kb(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Peak resident memory of one `sample(N)` in this (fresh) process, on rayon's global pool:
/// the high-water mark of the resident set after the call minus the resident set before it
/// (the mark is reset first through `/proc/self/clear_refs` where the kernel allows it).
fn peak_mem<F: Real>(n: usize, case: Case) {
    let batch = case.batch::<F>();
    rayon::join(|| (), || ()); // start the global pool before the first reading
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before_rss = status_kb("VmRSS:");
    let before_hwm = status_kb("VmHWM:");
    let x = batch.sample(&[n / case.width()], SEED).expect("sample");
    let after_hwm = status_kb("VmHWM:");
    black_box(&x);
    let out_bytes = std::mem::size_of_val(x.as_slice().expect("standard layout"));
    match (before_rss, before_hwm, after_hwm) {
        (Some(rss0), Some(hwm0), Some(hwm1)) => {
            let extra = hwm1.saturating_sub(rss0) * 1024;
            println!(
                "{{\"impl\":\"ours\",\"op\":\"peak_mem\",\"dtype\":\"{}\",\"case\":\"{}\",\"n\":{n},\
                 \"threads\":{},\"output_bytes\":{out_bytes},\"peak_extra_bytes\":{extra},\
                 \"overhead_pct\":{:.2},\"vmrss_before_kb\":{rss0},\"vmhwm_before_kb\":{hwm0},\
                 \"vmhwm_after_kb\":{hwm1},\"hwm_reset\":{reset}}}",
                F::NAME,
                case.name(),
                rayon::current_num_threads(),
                (extra as f64 / out_bytes as f64 - 1.0) * 100.0,
            );
        }
        _ => {
            println!("{{\"impl\":\"ours\",\"op\":\"peak_mem\",\"error\":\"no /proc/self/status\"}}")
        }
    }
}

/// Runs `peak_mem` for one dtype and case in a fresh child process each (so that no earlier
/// allocation of this process counts), forwarding the child's line.
fn peak_mem_children(n: usize, o: &Options) {
    let exe = std::env::current_exe().expect("current executable");
    for dtype in &o.dtypes {
        for case in &o.cases {
            let out = std::process::Command::new(&exe)
                .args([
                    "--peak-mem",
                    &n.to_string(),
                    "--dtype",
                    dtype,
                    "--case",
                    case.name(),
                ])
                .output()
                .expect("run the child process");
            assert!(out.status.success(), "peak-mem child failed: {out:?}");
            print!("{}", String::from_utf8_lossy(&out.stdout));
        }
    }
}

fn list<T>(v: &str, parse: impl Fn(&str) -> T) -> Vec<T> {
    v.split(',').filter(|s| !s.is_empty()).map(parse).collect()
}

fn size(s: &str) -> usize {
    // Accepts 10000000, 1e7, 10_000_000.
    let s = s.replace('_', "");
    s.parse::<usize>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().map(|v| v as usize))
        .unwrap_or_else(|| panic!("not a size: {s:?}"))
}

fn main() {
    let mut o = Options {
        sizes: vec![1_000, 100_000, 10_000_000],
        threads: vec![1, 2],
        dtypes: vec!["f32".into(), "f64".into()],
        cases: vec![Case::Scalar, Case::Broadcast],
        ops: vec!["sample".into(), "log_prob".into()],
        reps: 7,
        min_rep: 0.02,
        baseline: true,
    };
    let mut peak: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--sizes" => o.sizes = list(&value(), size),
            "--threads" => o.threads = list(&value(), |s| s.parse().expect("thread count")),
            "--dtypes" | "--dtype" => o.dtypes = list(&value(), str::to_string),
            "--cases" | "--case" => {
                o.cases = list(&value(), |s| match s {
                    "scalar" => Case::Scalar,
                    "broadcast" => Case::Broadcast,
                    _ => panic!("unknown case {s:?}"),
                })
            }
            "--ops" => o.ops = list(&value(), str::to_string),
            "--reps" => o.reps = value().parse().expect("reps"),
            "--min-rep-ms" => o.min_rep = value().parse::<f64>().expect("milliseconds") / 1e3,
            "--no-baseline" => o.baseline = false,
            "--peak-mem" => peak = Some(size(&value())),
            "-h" | "--help" => {
                println!("see the header of crates/relaxed/examples/throughput.rs");
                return;
            }
            _ => panic!("unknown argument {a:?} (try --help)"),
        }
    }
    assert!(o.reps > 0, "--reps must be positive");
    if let Some(n) = peak {
        if o.dtypes.len() * o.cases.len() > 1 {
            peak_mem_children(n, &o);
            return;
        }
        match o.dtypes[0].as_str() {
            "f32" => peak_mem::<f32>(n, o.cases[0]),
            "f64" => peak_mem::<f64>(n, o.cases[0]),
            other => panic!("unknown dtype {other:?}"),
        }
        return;
    }
    println!(
        "{{\"impl\":\"meta\",\"simd_level\":\"{:?}\",\"available_parallelism\":{}}}",
        relaxed::kernels::simd_level(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for dtype in &o.dtypes {
        match dtype.as_str() {
            "f32" => run_dtype::<f32>(&o),
            "f64" => run_dtype::<f64>(&o),
            _ => panic!("unknown dtype {dtype:?}"),
        }
    }
}
