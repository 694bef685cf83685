//! Integration tests of `stats`, `kl`, `plot` and `demo`: they run the built executable and
//! compare its output with the `relaxed` crate's own values (the CLI does no math).

use std::fs;
use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use relaxed::{KlDivergence, Moments, RelaxedBernoulli};

mod common;

use common::{entries, fails, num64, ok, run, same32, same64, significant_digits, stderr};

/// The statistics of `d` in the order of the `stats` columns.
fn library_stats<F: relaxed::Real>(d: &RelaxedBernoulli<F>) -> [F; 5] {
    let mode = d.mode().expect("allow_nan_stats is on by default");
    [d.mean(), d.variance(), d.stddev(), mode, d.entropy()]
}

/// The data rows of a CSV output, split into fields (no quoting in these tests).
fn rows(out: &str) -> Vec<Vec<&str>> {
    out.lines()
        .skip(1)
        .map(|r| r.split(',').collect())
        .collect()
}

// ----- stats -----

#[test]
fn stats_match_the_library_and_keep_input_columns() {
    let input = "id,temperature,logits,note\n\
                 007,0.5,-1.3,a\n\
                 x,2,0.7,b\n\
                 3,1,0,c\n\
                 4,1e-3,700,d\n\
                 5,10,-INF,e\n\
                 6,1.5,1e-8,f\n";
    let out = ok(&run(&["stats"], input.as_bytes()));
    assert_eq!(
        out.lines().next(),
        Some("id,temperature,logits,note,mean,variance,stddev,mode,entropy")
    );
    let given: Vec<&str> = input.lines().skip(1).collect();
    let got = rows(&out);
    assert_eq!(got.len(), given.len());
    for (fields, inp) in got.iter().zip(&given) {
        let inp: Vec<&str> = inp.split(',').collect();
        // Pass-through columns keep their exact text.
        assert_eq!(&fields[..4], &inp[..], "{fields:?}");
        let (t, l) = (num64(inp[1]), num64(inp[2]));
        let d = RelaxedBernoulli::builder(t)
            .logits(l)
            .build()
            .expect("valid");
        let want = library_stats(&d);
        for (k, name) in ["mean", "variance", "stddev", "mode", "entropy"]
            .iter()
            .enumerate()
        {
            let text = fields[4 + k];
            assert!(
                same64(num64(text), want[k]),
                "{name} of {inp:?}: got {text}, library {}",
                want[k]
            );
            if want[k].is_finite() {
                let shortest = significant_digits(&format!("{:e}", want[k]));
                assert_eq!(significant_digits(text), shortest, "{name}: {text}");
            }
        }
        // The mode is undefined (nan) exactly for t <= 1.
        assert_eq!(
            fields[7] == "nan",
            t <= 1.0,
            "mode of {inp:?}: {}",
            fields[7]
        );
    }
    // Golden values: t = 1, l = 0 is Uniform(0, 1).
    assert_eq!(
        &got[2][4..],
        [
            "0.5",
            &format!("{}", 1.0 / 12.0),
            &format!("{}", (1.0_f64 / 12.0).sqrt()),
            "nan",
            "0.0"
        ]
    );
}

#[test]
fn stats_probs_in_f32_print_shortest_f32_text() {
    let input = "temperature,probs\n0.5,0.3\n2,0.9\n0.1,1e-30\n";
    let out = ok(&run(&["stats", "--dtype", "f32"], input.as_bytes()));
    assert_eq!(
        out.lines().next(),
        Some("temperature,probs,mean,variance,stddev,mode,entropy")
    );
    for (fields, inp) in rows(&out).iter().zip(input.lines().skip(1)) {
        let p: Vec<f32> = inp.split(',').map(|s| s.parse().expect("number")).collect();
        let d = RelaxedBernoulli::builder(p[0])
            .probs(p[1])
            .build()
            .expect("valid");
        for (text, want) in fields[2..].iter().zip(library_stats(&d)) {
            let got: f32 = text.parse().expect("number");
            assert!(same32(got, want), "{inp}: got {text}, library {want}");
            if want.is_finite() {
                let shortest = significant_digits(&format!("{want:e}"));
                assert_eq!(significant_digits(text), shortest, "{text}");
            }
        }
    }
    // 0.3 in f32 stays `0.3` in the pass-through column and no f64 expansion appears.
    assert!(out.contains("\n0.5,0.3,"), "{out}");
    assert!(!out.contains("0.30000001"), "{out}");
}

#[test]
fn stats_errors_name_the_line_and_write_nothing() {
    let input = "temperature,logits\n0.5,1\n\n0.5,1.2.3\n2,1\n";
    let e = fails(&run(&["stats"], input.as_bytes()));
    assert!(e.contains("line 4") && e.contains("1.2.3"), "{e}");
    let e = fails(&run(&["stats"], b"0.5,1\n"));
    assert!(e.contains("no header") && e.contains("line 1"), "{e}");
    let e = fails(&run(&["stats"], b""));
    assert!(e.contains("empty input"), "{e}");
    let e = fails(&run(&["stats"], b"temperature,logits,probs\n0.5,1,0.3\n"));
    assert!(
        e.contains("both") && e.contains("logits") && e.contains("probs"),
        "{e}"
    );
    let e = fails(&run(&["stats"], b"temperature,logits,mode\n0.5,1,3\n"));
    assert!(e.contains("'mode'"), "{e}");
    let e = fails(&run(
        &["stats", "--validate-args"],
        b"temperature,probs\n0.5,0.3\n0.5,1.5\n",
    ));
    assert!(e.contains("line 3") && e.contains("probs"), "{e}");
    // Without validation, invalid parameters give nan.
    let out = ok(&run(&["stats"], b"temperature,probs\n0.5,1.5\n"));
    assert_eq!(out.lines().nth(1), Some("0.5,1.5,nan,nan,nan,nan,nan"));
    // A header-only table gives a header-only result.
    let out = ok(&run(&["stats"], b"id,temperature,probs\n"));
    assert_eq!(
        out,
        "id,temperature,probs,mean,variance,stddev,mode,entropy\n"
    );
}

#[test]
fn stats_keep_going_and_output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.csv");
    let p = path.to_str().expect("UTF-8 path");
    let input = "temperature,logits\n0.5,1\n0.5,oops\n2,1\n";
    let o = run(&["stats", "--keep-going", "-o", p], input.as_bytes());
    assert!(!o.status.success(), "a skipped row gives a non-zero exit");
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(e.contains("line 3") && !e.contains("line 2"), "{e}");
    let text = fs::read_to_string(&path).expect("written");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("0.5,1,") && lines[2].starts_with("2,1,"));
    assert_eq!(entries(dir.path()), ["s.csv"]);
}

// ----- kl -----

#[test]
fn kl_with_logits_or_probs_on_each_side() {
    let input = "id,temperature_p,probs_p,temperature_q,logits_q\n\
                 a,0.5,0.3,2,-1\n\
                 b,1,0.5,1,0\n\
                 c,0.5,0.7,0.5,1e-8\n";
    let out = ok(&run(&["kl"], input.as_bytes()));
    assert_eq!(
        out.lines().next(),
        Some("id,temperature_p,probs_p,temperature_q,logits_q,kl")
    );
    for (fields, inp) in rows(&out).iter().zip(input.lines().skip(1)) {
        let v: Vec<&str> = inp.split(',').collect();
        assert_eq!(&fields[..5], &v[..]);
        let p = RelaxedBernoulli::builder(num64(v[1]))
            .probs(num64(v[2]))
            .build()
            .expect("valid");
        let q = RelaxedBernoulli::builder(num64(v[3]))
            .logits(num64(v[4]))
            .build()
            .expect("valid");
        let want = p.kl_divergence(&q);
        assert!(
            same64(num64(fields[5]), want),
            "{inp}: {} vs {want}",
            fields[5]
        );
    }
    // The same distribution on both sides: 0.
    assert_eq!(rows(&out)[1][5], "0.0");

    // The other way round, in f32.
    let input = "temperature_q,probs_q,temperature_p,logits_p\n2,0.5,0.5,1\n";
    let out = ok(&run(&["kl", "--dtype", "f32"], input.as_bytes()));
    let p = RelaxedBernoulli::builder(0.5_f32)
        .logits(1.0)
        .build()
        .expect("valid");
    let q = RelaxedBernoulli::builder(2.0_f32)
        .probs(0.5)
        .build()
        .expect("valid");
    let text = rows(&out)[0][4].to_string();
    let got: f32 = text.parse().expect("number");
    assert!(same32(got, p.kl_divergence(&q)), "{text}");
    assert!(significant_digits(&text) <= 9, "{text}");
}

#[test]
fn kl_needs_exactly_one_parameter_per_side() {
    let both = "temperature_p,logits_p,probs_p,temperature_q,logits_q\n0.5,1,0.3,2,0\n";
    let e = fails(&run(&["kl"], both.as_bytes()));
    assert!(e.contains("line 1") && e.contains("both"), "{e}");
    assert!(e.contains("logits_p") && e.contains("probs_p"), "{e}");
    let neither = "temperature_p,logits_p,temperature_q\n0.5,1,2\n";
    let e = fails(&run(&["kl"], neither.as_bytes()));
    assert!(e.contains("neither"), "{e}");
    assert!(e.contains("logits_q") && e.contains("probs_q"), "{e}");
    let e = fails(&run(&["kl"], b"temperature,logits\n0.5,1\n"));
    assert!(e.contains("temperature_p"), "{e}");
}

#[test]
fn kl_errors_name_the_line() {
    let input = "temperature_p,logits_p,temperature_q,logits_q\n0.5,1,2,0\n0.5,1,x,0\n";
    let e = fails(&run(&["kl"], input.as_bytes()));
    assert!(e.contains("line 3") && e.contains("temperature_q"), "{e}");
    let input = "temperature_p,logits_p,temperature_q,logits_q\n0.5,1,-2,0\n";
    let e = fails(&run(&["kl", "--validate-args"], input.as_bytes()));
    assert!(
        e.contains("line 2") && e.contains("temperature_q = -2"),
        "{e}"
    );
    let out = ok(&run(&["kl"], input.as_bytes()));
    assert!(out.ends_with(",nan\n"), "{out}");
}

// ----- plot -----

/// The `points` lists of the SVG's polylines with at least `min` points.
fn long_polylines(svg: &str, min: usize) -> Vec<String> {
    svg.split("<polyline")
        .skip(1)
        .filter_map(|el| {
            let points = el.split("points=\"").nth(1)?.split('"').next()?;
            let stroke = el.split("stroke=\"").nth(1)?.split('"').next()?;
            (points.split_whitespace().count() >= min).then(|| stroke.to_string())
        })
        .collect()
}

/// Asserts that `text` contains each of `words`.
fn contains_all(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "{w:?} missing from:\n{text}");
    }
}

/// Runs `plot` with `args` (separated by spaces) and `-o dir/name`.
fn run_plot(dir: &Path, name: &str, args: &str) -> std::process::Output {
    let path = dir.join(name);
    let mut all = vec!["plot"];
    all.extend(args.split_whitespace());
    all.extend(["-o", path.to_str().expect("UTF-8 path")]);
    run(&all, b"")
}

/// Runs `plot` successfully and returns the file's bytes, after checking that nothing else
/// was left in `dir`.
fn plot(dir: &Path, name: &str, args: &str) -> Vec<u8> {
    let out = ok(&run_plot(dir, name, args));
    assert!(out.is_empty(), "plot printed {out:?}");
    let left = entries(dir);
    assert!(left.contains(&name.to_string()), "{left:?}");
    assert!(
        left.iter().all(|n| !n.starts_with(".relaxed-bernoulli-")),
        "a temporary file was left: {left:?}"
    );
    fs::read(dir.join(name)).expect("written")
}

#[test]
fn plot_writes_an_svg_with_one_curve_per_parameter_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = plot(dir.path(), "d.svg", "-t 0.5,2 --logits 0.5");
    let svg = String::from_utf8(svg).expect("SVG is text");
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..80]
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    contains_all(
        &svg,
        &[
            "t=0.5, logits=0.5",
            "t=2, logits=0.5",
            "density",
            "mean",
            "RelaxedBernoulli",
        ],
    );
    assert!(svg.contains(">\nx\n</text>"), "no x-axis label");
    // The curves: one long polyline each (801 grid points, some clipped at the y cap), in
    // different colours; the mode of t = 2 is a dot.
    let curves = long_polylines(&svg, 300);
    assert_eq!(curves.len(), 2, "{curves:?}");
    assert_ne!(curves[0], curves[1]);
    assert!(svg.contains("<circle"));

    // With probs, and a histogram of samples under each curve.
    let args = "-t 0.1 --probs 0.3,0.5,0.9 --samples 3000 --seed 5";
    let svg = String::from_utf8(plot(dir.path(), "h.svg", args)).expect("SVG is text");
    contains_all(
        &svg,
        &[
            "t=0.1, probs=0.3",
            "t=0.1, probs=0.5",
            "t=0.1, probs=0.9",
            "3000 draws",
        ],
    );
    assert_eq!(long_polylines(&svg, 300).len(), 3);
    assert!(svg.matches("<rect").count() > 3 * 10, "histogram bars");
    // t < 1: the densities are unbounded at 0 and 1, so the axis is capped and says so.
    assert!(svg.contains("capped at"));
}

/// The width and height in the IHDR chunk of a PNG file.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes(b.try_into().expect("4 bytes"));
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn plot_writes_a_png_of_the_requested_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = plot(dir.path(), "d.png", "-t 0.5 --logits -1.3");
    assert_eq!(png_size(&png), (960, 600));
    let args = "-t 0.1,0.5,2 -l 0.5 --samples 2000 --seed 1 --size 640x400";
    let png = plot(dir.path(), "s.PNG", args);
    assert_eq!(png_size(&png), (640, 400));
    // The same seed draws the same picture.
    assert_eq!(plot(dir.path(), "again.png", args), png);
}

#[test]
fn plot_errors_leave_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = |name: &str, args: &str| fails(&run_plot(dir.path(), name, args));
    let e = error("d.jpg", "-t 0.5 -l 1");
    assert!(e.contains(".svg") && e.contains(".png"), "{e}");
    let e = error("d", "-t 0.5 -l 1");
    assert!(e.contains("extension"), "{e}");
    let e = fails(&run(&["plot", "-t", "0.5", "-l", "1"], b""));
    assert!(e.contains("-o"), "{e}");
    let e = error("d.svg", "-t 0,1 -l 1");
    assert!(e.contains("temperature"), "{e}");
    let e = error("d.png", "-t 0.5 -p 1.5");
    assert!(e.contains("probs"), "{e}");
    let e = error("no/such/dir/d.png", "-t 0.5 -l 1");
    assert!(e.contains("no/such/dir"), "{e}");
    error("d.png", "-t 0.5 -l 1 --samples 0");
    error("d.png", "-t 0.5 -l 1 --size 10x10");
    error("d.png", "-t 0.5 -l 1,2,3,4,5,6,7,8,9,10,11,12,13");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));

    // A failing run leaves an existing file as it was.
    fs::write(dir.path().join("keep.png"), "original").expect("write");
    error("keep.png", "-t -1 -l 1");
    let kept = fs::read_to_string(dir.path().join("keep.png")).expect("read");
    assert_eq!(kept, "original");
    assert_eq!(entries(dir.path()), ["keep.png"]);
}

// ----- demo -----

#[test]
fn demo_prints_samples_and_statistics() {
    let o = run(&[], b"");
    let out = ok(&o);
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    assert_eq!(ok(&run(&["demo"], b"")), out, "`demo` is the default");
    assert!(out.lines().count() <= 42, "{out}");
    // The 10 samples: the seeded draws of the three examples (t = 0.5, 0.1, 2; logits 0.3).
    let t = ArrayD::from_shape_vec(IxDyn(&[3]), vec![0.5, 0.1, 2.0]).expect("shape");
    let b = RelaxedBernoulli::batch_builder(t)
        .logits(ArrayD::from_elem(IxDyn(&[]), 0.3))
        .build()
        .expect("valid");
    let draws = b.sample(&[10], 2026).expect("sample");
    for m in 0..3 {
        let shown: Vec<String> = (0..10).map(|i| format!("{:.4}", draws[[i, m]])).collect();
        assert!(
            out.contains(&shown.join(" ")),
            "samples of member {m} missing:\n{out}"
        );
    }
    // The statistics of the first example.
    let d = RelaxedBernoulli::from_logits(0.5, 0.3).expect("valid");
    for (name, v) in [
        ("mean", d.mean()),
        ("variance", d.variance()),
        ("entropy", d.entropy()),
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} line:\n{out}"));
        assert!(line.contains(&format!("{v:.4}")), "{line}");
    }
    let mode = out.lines().find(|l| l.starts_with("mode"));
    assert!(mode.is_some_and(|l| l.contains("undefined")), "{mode:?}");
    contains_all(
        &out,
        &[
            "P(X > 1/2)",
            "quantile(0.9)",
            "log_prob(0.5)",
            "relaxed-bernoulli --help",
        ],
    );
}

#[test]
fn help_lists_every_command_with_examples() {
    let top = ok(&run(&["--help"], b""));
    for cmd in ["eval", "stats", "kl", "sample", "plot", "demo"] {
        contains_all(&top, &[&format!("relaxed-bernoulli {cmd}")]);
    }
    for (cmd, words) in [
        ("stats", "mean variance stddev mode entropy --keep-going"),
        ("kl", "temperature_p probs_q KL(p --dtype"),
        ("plot", "--samples --ymax .png .svg capped legend"),
    ] {
        let help = ok(&run(&[cmd, "--help"], b""));
        let example = format!("relaxed-bernoulli {cmd}");
        contains_all(&help, &["Examples:", &example]);
        contains_all(&help, &words.split_whitespace().collect::<Vec<_>>());
    }
}
