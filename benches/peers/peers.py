#!/usr/bin/env python3
"""Side-by-side throughput of RelaxedBernoulli sampling and log_prob: PyTorch, NumPyro,
TFP-on-JAX and this repository (the `throughput` example, its plain-std baseline, and the whole
`relaxed-bernoulli sample` CLI process), measured in the same run on the same inputs.

Run through `bash benches/peers/run.sh` (it installs the peers into benches/peers/.venv and
builds our release binaries); see BENCHMARKS.md. Never run in CI.

Design:
- Inputs. Scalar case: t = 0.5, logits = 0.3, sample shape (N,). Broadcast case: t = 0.5 and
  logits of shape (1000,) (-3 + 6 i / 999), sample shape (N / 1000,). log_prob is evaluated by
  every implementation at the same values: our CLI's sample for seed 2, which is also the
  sample at which the `throughput` example evaluates log_prob.
- Each peer runs in its own worker process (this file with --worker), so that thread pools do
  not disturb each other and JAX's float64 mode (jax_enable_x64, global) is on only in the
  float64 workers (with it on, NumPyro returns float64 samples for float32 parameters).
- Timing: one warm-up call (for JAX this includes compilation), then --reps repetitions, each
  looping the call until it lasts --min-rep-ms; the per-call median is reported. JAX calls are
  jit-compiled and end with block_until_ready(). PyTorch runs with torch.set_num_threads(k);
  XLA uses all cores (2 here) and is reported as 2 threads.
- The whole measurement is repeated --rounds times, interleaving the implementations; the
  table gives the median over rounds (and the min-max), and each ratio is the median of the
  per-round ratios (same-round ratios are what survive the noise of a shared machine).
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TEMPERATURE = 0.5
LOGITS = 0.3
WIDTH = 1000
X_SEED = 2
CASES = ("scalar", "broadcast")
DTYPES = ("f32", "f64")

# Targets of the issue ("Done when"), N = 1e7.
TARGETS = {
    # (dtype, op): (vs PyTorch 2 threads, vs TFP-JAX, vs the plain-std baseline on 1 thread)
    ("f32", "sample"): (15, 5, 5),
    ("f32", "log_prob"): (10, 2, 5),
    ("f64", "sample"): (8, 2.5, 2),
    ("f64", "log_prob"): (7, 2, 2),
}


def broadcast_logits():
    # The same values as the throughput example: F::from_f64(-3 + 6 i / 999).
    return [-3.0 + 6.0 * i / (WIDTH - 1) for i in range(WIDTH)]


def sample_shape(case, n):
    return (n,) if case == "scalar" else (n // WIDTH,)


def timeit(fn, reps, min_rep):
    """Warm-up, then `reps` repetitions of >= min_rep seconds; seconds per call, sorted."""
    t0 = time.perf_counter()
    fn()
    warm = max(time.perf_counter() - t0, 1e-9)
    inner = max(1, min(1_000_000, math.ceil(min_rep / warm)))
    per_call = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        per_call.append((time.perf_counter() - t0) / inner)
    per_call.sort()
    return per_call, inner


def emit(impl, op, dtype, case, n, threads, per_call, inner, **extra):
    med = statistics.median(per_call)
    rec = dict(
        impl=impl, op=op, dtype=dtype, case=case, n=n, threads=threads,
        reps=len(per_call), inner=inner, median_s=med, melem_s=n / med / 1e6,
        min_melem_s=n / per_call[-1] / 1e6, max_melem_s=n / per_call[0] / 1e6, **extra,
    )
    print(json.dumps(rec), flush=True)


def finite_stats(sample, log_prob):
    """Means of a sample and of log_prob at the shared x (over its finite values: at t = 0.5 an
    f32 sample rounds to exactly 1.0 with probability ~3e-4, where log_prob is +inf)."""
    import numpy as np

    fin = np.isfinite(log_prob)
    return dict(sample_mean=float(sample.mean()),
                log_prob_mean=float(log_prob[fin].mean()),
                log_prob_nonfinite=int((~fin).sum()),
                log_prob_nonfinite_kinds=sorted({repr(float(v)) for v in log_prob[~fin][:1000]}))


def x_path(xdir, dtype, case, n):
    return os.path.join(xdir, f"x_{dtype}_{case}_{n}.npy")


# ----------------------------------------------------------------------------------------------
# Workers (one process each).


def worker_torch(a):
    import numpy as np
    import torch
    from torch.distributions import RelaxedBernoulli

    print(json.dumps(dict(impl="meta", peer="torch", version=torch.__version__,
                          cpu_capability=torch.backends.cpu.get_cpu_capability())), flush=True)
    for threads in a.threads:
        torch.set_num_threads(threads)
        for dtype in a.dtypes:
            tdt = torch.float32 if dtype == "f32" else torch.float64
            for case in a.cases:
                t = torch.tensor(TEMPERATURE, dtype=tdt)
                logits = (torch.tensor(LOGITS, dtype=tdt) if case == "scalar"
                          else torch.tensor(broadcast_logits(), dtype=tdt))
                # validate_args=False as in ours, TFP and NumPyro (PyTorch validates by
                # default: a support check on every log_prob value).
                d = RelaxedBernoulli(t, logits=logits, validate_args=False)
                for n in a.sizes:
                    shape = sample_shape(case, n)
                    x = torch.from_numpy(np.load(x_path(a.xdir, dtype, case, n)))
                    assert x.dtype == tdt and x.numel() == n
                    with torch.no_grad():
                        s = d.rsample(shape)
                        assert s.dtype == tdt and s.numel() == n, (s.dtype, s.shape)
                        lp = d.log_prob(x)
                        assert lp.dtype == tdt and lp.numel() == n
                        check = finite_stats(s.double().numpy(), lp.double().numpy())
                        pc, inner = timeit(lambda: d.rsample(shape), a.reps, a.min_rep)
                        emit("torch", "sample", dtype, case, n, threads, pc, inner, **check)
                        pc, inner = timeit(lambda: d.log_prob(x), a.reps, a.min_rep)
                        emit("torch", "log_prob", dtype, case, n, threads, pc, inner)


def worker_jax(a, peer):
    dtype = a.dtypes[0]
    import jax

    if dtype == "f64":
        jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np

    jdt = jnp.float32 if dtype == "f32" else jnp.float64
    if peer == "numpyro":
        import numpyro
        import numpyro.distributions as dist

        version = numpyro.__version__

        def make(t, l):
            return dist.RelaxedBernoulliLogits(t, l)

        def draw(d, key, shape):
            return d.sample(key, shape)
    else:
        from tensorflow_probability.substrates import jax as tfp

        version = tfp.__version__

        def make(t, l):
            return tfp.distributions.RelaxedBernoulli(t, logits=l)

        def draw(d, key, shape):
            return d.sample(shape, seed=key)

    print(json.dumps(dict(impl="meta", peer=peer, version=version, jax=jax.__version__,
                          devices=str(jax.devices()))), flush=True)
    threads = os.cpu_count()
    key = jax.random.PRNGKey(0)
    for case in a.cases:
        t = jnp.asarray(TEMPERATURE, dtype=jdt)
        l = (jnp.asarray(LOGITS, dtype=jdt) if case == "scalar"
             else jnp.asarray(broadcast_logits(), dtype=jdt))
        for n in a.sizes:
            shape = sample_shape(case, n)
            sample = jax.jit(lambda key, t, l, shape=shape: draw(make(t, l), key, shape))
            log_prob = jax.jit(lambda x, t, l: make(t, l).log_prob(x))
            x = jnp.asarray(np.load(x_path(a.xdir, dtype, case, n)))
            assert x.dtype == jdt and x.size == n
            s = sample(key, t, l).block_until_ready()
            assert s.dtype == jdt and s.size == n, (s.dtype, s.shape)
            lp = log_prob(x, t, l).block_until_ready()
            assert lp.dtype == jdt and lp.size == n
            check = finite_stats(np.asarray(s, dtype=np.float64), np.asarray(lp, dtype=np.float64))
            pc, inner = timeit(lambda: sample(key, t, l).block_until_ready(), a.reps, a.min_rep)
            emit(peer, "sample", dtype, case, n, threads, pc, inner, **check)
            pc, inner = timeit(lambda: log_prob(x, t, l).block_until_ready(), a.reps, a.min_rep)
            emit(peer, "log_prob", dtype, case, n, threads, pc, inner)


# ----------------------------------------------------------------------------------------------
# The orchestrator.


def run_lines(cmd, env=None):
    """Runs `cmd`, returns its JSON lines (stderr passes through)."""
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def cli_args(cli, dtype, case, n, out):
    logits = (repr(LOGITS) if case == "scalar"
              else ",".join(repr(v) for v in broadcast_logits()))
    return [cli, "sample", "--temperature", repr(TEMPERATURE), "--logits", logits,
            "-n", str(sample_shape(case, n)[0]), "--seed", str(X_SEED), "--format", "npy",
            "--dtype", dtype, "-o", out]


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def machine_info():
    info = dict(nproc=os.cpu_count(), python=platform.python_version())
    try:
        info["nproc"] = int(subprocess.run(["nproc"], stdout=subprocess.PIPE, text=True).stdout)
    except Exception:
        pass
    model, flags = "?", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "?":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    info["model"] = model
    info["flags"] = " ".join(fl for fl in ("avx2", "fma", "avx512f") if fl in flags) or "none"
    return info


def fmt(v, digits=1):
    if v is None:
        return "–"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def span(vals):
    if not vals:
        return "–"
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt(med)
    return f"{fmt(med)} ({fmt(min(vals))}–{fmt(max(vals))})"


def orchestrate(a):
    root = os.path.abspath(a.root)
    here = os.path.dirname(os.path.abspath(__file__))
    work = tempfile.mkdtemp(prefix="relaxed-peers-")
    # Snapshot our binaries: others may rebuild target/ while this runs.
    ours = os.path.join(work, "throughput")
    cli = os.path.join(work, "relaxed-bernoulli")
    shutil.copy2(os.path.join(root, "target/release/examples/throughput"), ours)
    shutil.copy2(os.path.join(root, "target/release/relaxed-bernoulli"), cli)
    xdir = os.path.join(work, "x")
    os.makedirs(xdir)
    me = [sys.executable, os.path.abspath(__file__)]
    common = ["--reps", str(a.reps), "--min-rep-ms", str(a.min_rep * 1e3),
              "--sizes", ",".join(map(str, a.sizes)), "--cases", ",".join(a.cases)]
    started = datetime.datetime.now(datetime.timezone.utc)
    info = machine_info()
    print(f"# {started:%Y-%m-%d %H:%M} UTC, {info}", file=sys.stderr)

    # The shared inputs: our CLI's samples for seed 2 (the values the example's log_prob uses).
    for dtype in a.dtypes:
        for case in a.cases:
            for n in a.sizes:
                subprocess.run(cli_args(cli, dtype, case, n, x_path(xdir, dtype, case, n)),
                               check=True)

    records = []  # (round, record)
    metas = {}
    peak = []
    cli_out = a.cli_out or os.path.join(work, "cli.npy")
    loads = []
    for r in range(a.rounds):
        loads.append(loadavg())
        print(f"# round {r + 1}/{a.rounds}, load average {loads[-1]}", file=sys.stderr)
        jobs = []
        if "torch" in a.peers:
            jobs.append(me + ["--worker", "torch", "--dtypes", ",".join(a.dtypes),
                              "--threads", ",".join(map(str, a.threads)), "--xdir", xdir]
                        + common)
        for peer in ("numpyro", "tfp"):
            if peer in a.peers:
                for dtype in a.dtypes:
                    jobs.append(me + ["--worker", peer, "--dtypes", dtype, "--xdir", xdir]
                                + common)
        if "ours" in a.peers:
            jobs.append([ours, "--dtypes", ",".join(a.dtypes), "--threads",
                         ",".join(map(str, a.threads))] + common)
        for cmd in jobs:
            t0 = time.perf_counter()
            env = None
            if "torch" in cmd and a.torch_omp_wait_policy != "default":
                env = dict(os.environ, OMP_WAIT_POLICY=a.torch_omp_wait_policy)
            for rec in run_lines(cmd, env=env):
                if rec.get("impl") == "meta":
                    metas[rec.get("peer", "ours")] = rec
                else:
                    records.append((r, rec))
            print(f"#   {os.path.basename(cmd[1] if cmd[0] == sys.executable else cmd[0])} "
                  f"{' '.join(cmd[2:5])}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        if "cli" in a.peers:
            # The whole process, wall clock: start-up, sampling, the .npy write (atomic rename).
            n = max(a.sizes)
            for dtype in a.dtypes:
                for case in a.cases:
                    cmd = cli_args(cli, dtype, case, n, cli_out)
                    subprocess.run(cmd, check=True)  # warm the page cache and the binary
                    walls = []
                    for _ in range(a.cli_runs):
                        t0 = time.perf_counter()
                        subprocess.run(cmd, check=True)
                        walls.append(time.perf_counter() - t0)
                    walls.sort()
                    emit_rec = dict(impl="cli", op="sample", dtype=dtype, case=case, n=n,
                                    threads=info["nproc"], reps=len(walls), inner=1,
                                    median_s=statistics.median(walls),
                                    melem_s=n / statistics.median(walls) / 1e6,
                                    min_melem_s=n / walls[-1] / 1e6,
                                    max_melem_s=n / walls[0] / 1e6)
                    print(json.dumps(emit_rec), flush=True)
                    records.append((r, emit_rec))
    if "ours" in a.peers:
        peak = run_lines([ours, "--peak-mem", str(max(a.sizes)), "--dtypes",
                          ",".join(a.dtypes), "--cases", ",".join(a.cases)])

    loads.append(loadavg())
    info["loads"] = loads
    md = table(a, records, metas, peak, info, started)
    print(md)
    out = a.out or os.path.join(here, "last_run.md")
    with open(out, "w") as f:
        f.write(md)
    raw = os.path.splitext(out)[0] + ".jsonl"
    with open(raw, "w") as f:
        f.write(json.dumps(dict(impl="run", started=started.isoformat(), info=info, metas=metas,
                                args=run_args(a))) + "\n")
        for r, rec in records:
            f.write(json.dumps(dict(round=r, **rec)) + "\n")
        for rec in peak:
            f.write(json.dumps(rec) + "\n")
    print(f"# wrote {out} and {raw}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)


def run_args(a):
    return dict(rounds=a.rounds, reps=a.reps, min_rep=a.min_rep, cli_runs=a.cli_runs,
                torch_omp_wait_policy=a.torch_omp_wait_policy, sizes=a.sizes,
                threads=a.threads, dtypes=a.dtypes, cases=a.cases)


def from_jsonl(a):
    """Renders one table from the raw records of several runs (each file's rounds count as
    separate rounds): `peers.py --from-jsonl run1.jsonl run2.jsonl ... [--out FILE]`."""
    records, metas, peak, runs = [], {}, [], []
    for k, path in enumerate(a.from_jsonl):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                if rec.get("impl") == "run":
                    runs.append(rec)
                    metas.update(rec.get("metas", {}))
                elif rec.get("op") == "peak_mem":
                    if k == len(a.from_jsonl) - 1:
                        peak.append(rec)
                elif "round" in rec:
                    r = rec.pop("round")
                    records.append(((k, r), rec))
    if runs:
        info = dict(runs[0]["info"])
        info["loads"] = [l for run in runs for l in run["info"].get("loads", [])]
        for key, v in runs[0]["args"].items():
            setattr(a, key, v)
        a.reps = min(run["args"]["reps"] for run in runs)
        started = datetime.datetime.fromisoformat(runs[0]["started"])
    else:
        info, started = machine_info(), datetime.datetime.now(datetime.timezone.utc)
    a.sizes = sorted({rec["n"] for _, rec in records})
    a.rounds = len({r for r, _ in records})
    md = table(a, records, metas, peak, info, started,
               note=f"pooled from {len(a.from_jsonl)} runs ({', '.join(a.from_jsonl)})")
    print(md)
    if a.out:
        with open(a.out, "w") as f:
            f.write(md)


def table(a, records, metas, peak, info, started, note=None):
    by = {}  # key -> {round: melem_s}
    checks = {}
    for r, rec in records:
        key = (rec["impl"], rec["op"], rec["dtype"], rec["case"], rec["n"], rec["threads"])
        by.setdefault(key, {})[r] = rec["melem_s"]
        if "sample_mean" in rec:
            checks[(rec["impl"], rec["dtype"], rec["case"], rec["n"])] = (
                rec["sample_mean"], rec["log_prob_mean"], rec["log_prob_nonfinite"],
                " ".join(rec["log_prob_nonfinite_kinds"]))
    ncpu = info["nproc"]
    t1, t2 = min(a.threads), max(a.threads)

    def vals(impl, op, dtype, case, n, threads):
        return list(by.get((impl, op, dtype, case, n, threads), {}).values())

    def ratio(num, den):
        """Per-round ratios num / den, for the rounds that have both."""
        nd, dd = by.get(num, {}), by.get(den, {})
        return [nd[r] / dd[r] for r in nd if r in dd]

    lines = []
    w = lines.append
    w("# Peer benchmark: RelaxedBernoulli sampling and log_prob\n")
    if note:
        w(f"- {note}")
    versions = ", ".join(
        f"{k} {v.get('version')}" for k, v in sorted(metas.items()) if k != "ours")
    jaxv = next((v.get("jax") for v in metas.values() if v.get("jax")), None)
    w(f"- run: {started:%Y-%m-%d %H:%M} UTC; {a.rounds} round(s) × {a.reps} repetitions "
      f"(≥ {a.min_rep * 1e3:.0f} ms each) per figure; CLI: {a.cli_runs} runs per round")
    w(f"- machine: {info['nproc']} cores, {info['model']}, flags: {info['flags']}; load "
      f"average (1, 5, 15 min) at the start of each round and at the end: "
      + "; ".join(info.get("loads", [])))
    w(f"- peers: {versions}" + (f", jax {jaxv}" if jaxv else "")
      + f"; Python {info['python']}; PyTorch's OMP_WAIT_POLICY: {a.torch_omp_wait_policy}")
    if "ours" in metas:
        w(f"- ours: SIMD level {metas['ours'].get('simd_level')} (run-time dispatch)")
    w("- inputs: t = 0.5; scalar: logits = 0.3, sample shape (N,); broadcast: logits of shape "
      "(1000,) = -3 + 6 i / 999, sample shape (N/1000,); log_prob at our CLI's sample for seed 2 "
      "(the same values for every implementation)")
    w("- figures: M elements/s, median over rounds of the per-round median "
      "(min–max over rounds in parentheses); PyTorch with torch.set_num_threads(k); JAX "
      f"(jit, block_until_ready) on XLA's default pool (all {ncpu} cores); baseline: the "
      "plain-std scalar loop, 1 thread; CLI: the whole `relaxed-bernoulli sample ... --format "
      "npy -o FILE` process, wall clock, on all cores\n")

    w("## Throughput (M elements/s)\n")
    head = (f"| op | dtype | case | N | PyTorch {t1}t | PyTorch {t2}t | NumPyro | TFP-JAX | "
            f"ours {t1}t | ours {t2}t | baseline 1t | CLI process |")
    w(head)
    w("|" + " --- |" * (head.count("|") - 1))
    for op in ("sample", "log_prob"):
        for dtype in a.dtypes:
            for case in a.cases:
                for n in a.sizes:
                    row = [op, dtype, case, f"{n:.0e}".replace("+0", "")]
                    row.append(span(vals("torch", op, dtype, case, n, t1)))
                    row.append(span(vals("torch", op, dtype, case, n, t2)))
                    row.append(span(vals("numpyro", op, dtype, case, n, ncpu)))
                    row.append(span(vals("tfp", op, dtype, case, n, ncpu)))
                    row.append(span(vals("ours", op, dtype, case, n, t1)))
                    row.append(span(vals("ours", op, dtype, case, n, t2)))
                    row.append(span(vals("baseline", op, dtype, case, n, 1)))
                    row.append(span(vals("cli", op, dtype, case, n, ncpu)))
                    w("| " + " | ".join(row) + " |")
    w("")

    n = max(a.sizes)
    w(f"## Ratios at N = {n:.0e} (median of per-round ratios; the issue's target in brackets, "
      "✓ met / ✗ not met)\n".replace("+0", ""))
    head = (f"| op | dtype | case | ours {t2}t / PyTorch {t2}t | ours {t2}t / TFP-JAX | "
            f"ours {t2}t / NumPyro | ours 1t / baseline 1t | CLI / PyTorch {t2}t | "
            "CLI / TFP-JAX | CLI / NumPyro |")
    w(head)
    w("|" + " --- |" * (head.count("|") - 1))

    def cell(rs, target=None):
        if not rs:
            return "–"
        med = statistics.median(rs)
        s = f"{med:.2f}"
        if len(rs) > 1:
            s += f" ({min(rs):.2f}–{max(rs):.2f})"
        if target is not None:
            s += f" [≥ {target}] " + ("✓" if med >= target else "✗")
        return s

    for op in ("sample", "log_prob"):
        for dtype in a.dtypes:
            tt, tj, tb = TARGETS[(dtype, op)]
            for case in a.cases:
                ours2 = ("ours", op, dtype, case, n, t2)
                row = [op, dtype, case,
                       cell(ratio(ours2, ("torch", op, dtype, case, n, t2)), tt),
                       cell(ratio(ours2, ("tfp", op, dtype, case, n, ncpu)), tj),
                       cell(ratio(ours2, ("numpyro", op, dtype, case, n, ncpu))),
                       cell(ratio(("ours", op, dtype, case, n, 1),
                                  ("baseline", op, dtype, case, n, 1)), tb)]
                if op == "sample":
                    c = ("cli", op, dtype, case, n, ncpu)
                    row += [cell(ratio(c, ("torch", op, dtype, case, n, t2))),
                            cell(ratio(c, ("tfp", op, dtype, case, n, ncpu))),
                            cell(ratio(c, ("numpyro", op, dtype, case, n, ncpu)))]
                else:
                    row += ["", "", ""]
                w("| " + " | ".join(row) + " |")
    w("")
    if peak:
        w(f"## Peak memory of one `Batch::sample`, N = {n:.0e}\n".replace("+0", ""))
        w("| dtype | case | output | peak above the resident set before the call | overhead |")
        w("| --- | --- | --- | --- | --- |")
        for p in peak:
            if "error" in p:
                w(f"| {p['error']} | | | | |")
                continue
            w(f"| {p['dtype']} | {p['case']} | {p['output_bytes'] / 1e6:.1f} MB | "
              f"{p['peak_extra_bytes'] / 1e6:.1f} MB | {p['overhead_pct']:+.2f} % |")
        w("")
    if checks:
        w(f"## Sanity check (N = {n:.0e}: all implementations sample the same law and agree on "
          "log_prob at the same values)\n".replace("+0", ""))
        w("| peer | dtype | case | mean of its own sample | mean of finite log_prob(x) | "
          "non-finite log_prob(x) |")
        w("| --- | --- | --- | --- | --- | --- |")
        for (impl, dtype, case, nn), (sm, lm, nf, kinds) in sorted(checks.items()):
            if nn == n:
                w(f"| {impl} | {dtype} | {case} | {sm:.5f} | {lm:.5f} | {nf} {kinds} |")
        w("")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--min-rep-ms", type=float, default=20.0)
    p.add_argument("--sizes", default="100000,10000000")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--dtypes", default="f32,f64")
    p.add_argument("--cases", default="scalar,broadcast")
    p.add_argument("--cli-runs", type=int, default=5)
    p.add_argument("--cli-out", default=None,
                   help="the CLI's output file (default: a file in a temporary directory)")
    p.add_argument("--peers", default="torch,numpyro,tfp,ours,cli",
                   help="which of torch,numpyro,tfp,ours,cli to run")
    p.add_argument("--torch-omp-wait-policy", default="PASSIVE",
                   choices=("PASSIVE", "ACTIVE", "default"),
                   help="OMP_WAIT_POLICY of the PyTorch worker (default PASSIVE: on a loaded "
                        "2-core machine libgomp's default spin-then-sleep made 2-thread "
                        "PyTorch calls on 1e5 elements take ~160 ms; 'default' leaves it unset)")
    p.add_argument("--quick", action="store_true",
                   help="a smoke test: N = 1e5 only, one round")
    p.add_argument("--out", default=None, help="the Markdown table (default: last_run.md)")
    p.add_argument("--from-jsonl", nargs="+", metavar="FILE",
                   help="render one table from the .jsonl files of earlier runs (no measuring)")
    p.add_argument("--worker", choices=("torch", "numpyro", "tfp"), help=argparse.SUPPRESS)
    p.add_argument("--xdir", help=argparse.SUPPRESS)
    a = p.parse_args()

    def size(s):
        return int(float(s.replace("_", "")))

    a.sizes = [size(s) for s in a.sizes.split(",") if s]
    a.threads = [int(s) for s in a.threads.split(",") if s]
    a.dtypes = [s for s in a.dtypes.split(",") if s]
    a.cases = [s for s in a.cases.split(",") if s]
    a.peers = [s for s in a.peers.split(",") if s]
    a.min_rep = a.min_rep_ms / 1e3
    if a.quick:
        a.sizes, a.rounds = [100_000], 1
    assert a.reps >= 1 and a.rounds >= 1
    assert all(d in DTYPES for d in a.dtypes) and all(c in CASES for c in a.cases)
    assert all(n % WIDTH == 0 for n in a.sizes), "N must be a multiple of 1000"
    if a.from_jsonl:
        from_jsonl(a)
    elif a.worker == "torch":
        worker_torch(a)
    elif a.worker in ("numpyro", "tfp"):
        worker_jax(a, a.worker)
    else:
        orchestrate(a)


if __name__ == "__main__":
    main()
