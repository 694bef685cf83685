//! Integration tests of the `relaxed-bernoulli` binary: they run the built executable and
//! compare its output with the `relaxed` crate's own values (the CLI does no math).

use std::fs;

use ndarray::{ArrayD, IxDyn};
use relaxed::{Function, RelaxedBernoulli, Univariate};

mod common;

use common::{entries, fails, num64, ok, run, same32, same64, significant_digits, stderr, stdout};

// ----- eval -----

#[test]
fn eval_matches_the_library_and_keeps_input_columns() {
    let input = "id,temperature,logits,x,q\n\
                 007,0.5,-1.3,0.25,0.1\n\
                 abc,2,0.7,0.9,0.99\n\
                 003,1,0,1e-7,0\n\
                 x9,0.1,-INF,0,1\n\
                 z,0.5,3,1,nan\n\
                 w,1e-3,700,0.5,0.5\n";
    let out = ok(&run(&["eval"], input.as_bytes()));
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("id,temperature,logits,x,q,log_prob,prob,cdf,log_cdf,survival,log_survival,quantile")
    );
    let rows: Vec<&str> = lines.collect();
    let inputs: Vec<&str> = input.lines().skip(1).collect();
    assert_eq!(rows.len(), inputs.len());
    for (row, inp) in rows.iter().zip(&inputs) {
        let fields: Vec<&str> = row.split(',').collect();
        let given: Vec<&str> = inp.split(',').collect();
        assert_eq!(fields.len(), 12, "{row}");
        // Pass-through columns keep their exact text.
        assert_eq!(&fields[..5], &given[..], "{row}");
        let (t, l, x, q) = (
            num64(given[1]),
            num64(given[2]),
            num64(given[3]),
            num64(given[4]),
        );
        let d = RelaxedBernoulli::builder(t)
            .logits(l)
            .build()
            .expect("valid");
        for (k, f) in Function::ALL.into_iter().enumerate() {
            let arg = if f == Function::Quantile { q } else { x };
            let want = d.evaluate(f, arg).expect("no validation");
            let text = fields[5 + k];
            let got = num64(text);
            assert!(
                same64(got, want),
                "{} of row {inp}: got {got}, library {want}",
                f.name()
            );
            if want.is_finite() {
                // The shortest round-trip text, in scientific notation when tiny (`1e-7`).
                let shortest = significant_digits(&format!("{want:e}"));
                assert_eq!(significant_digits(text), shortest, "{}: {text}", f.name());
                if want != 0.0 && want.abs() < 1e-6 {
                    assert!(text.contains("e-"), "{}: {text}", f.name());
                }
            }
        }
    }
    // Shortest round-trip text and the non-finite spellings.
    assert!(rows[0].starts_with("007,"));
    assert!(out.contains(",inf,") || out.contains(",-inf,"), "{out}");
    assert!(
        rows[4].ends_with(",nan"),
        "quantile(nan) prints nan: {}",
        rows[4]
    );
}

#[test]
fn eval_probs_and_function_selection() {
    let input = "temperature,probs,x\n0.5,0.3,0.25\n";
    let out = ok(&run(
        &["eval", "--functions", "cdf, log_prob"],
        input.as_bytes(),
    ));
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("temperature,probs,x,cdf,log_prob"));
    let fields: Vec<&str> = lines.next().expect("one row").split(',').collect();
    let d = RelaxedBernoulli::builder(0.5)
        .probs(0.3)
        .build()
        .expect("valid");
    assert!(same64(num64(fields[3]), d.cdf(0.25).expect("cdf")));
    assert!(same64(
        num64(fields[4]),
        d.log_prob(0.25).expect("log_prob")
    ));
    // Only q: quantile is the default.
    let out = ok(&run(&["eval"], b"temperature,logits,q\n0.5,1,0.5\n"));
    assert_eq!(out.lines().next(), Some("temperature,logits,q,quantile"));
}

#[test]
fn eval_quoted_fields_pass_through() {
    let input = "note,temperature,logits,x\n\"a,b\",0.5,1,0.5\n";
    let out = ok(&run(&["eval", "-f", "cdf"], input.as_bytes()));
    let row = out.lines().nth(1).expect("one row");
    assert!(row.starts_with("\"a,b\",0.5,1,0.5,"), "{row}");
}

#[test]
fn eval_f32_prints_shortest_f32_text() {
    let input = "temperature,logits,x,q\n1,0,0.3,0.7\n0.5,-1.3,1e-7,0.1\n";
    let out = ok(&run(&["eval", "--dtype", "f32"], input.as_bytes()));
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 2);
    for (row, inp) in rows.iter().zip(input.lines().skip(1)) {
        let fields: Vec<&str> = row.split(',').collect();
        let given: Vec<f32> = inp.split(',').map(|s| s.parse().expect("number")).collect();
        let d = RelaxedBernoulli::builder(given[0])
            .logits(given[1])
            .build()
            .expect("valid");
        for (k, f) in Function::ALL.into_iter().enumerate() {
            let arg = if f == Function::Quantile {
                given[3]
            } else {
                given[2]
            };
            let want = d.evaluate(f, arg).expect("no validation");
            let text = fields[4 + k];
            let got: f32 = text.parse().expect("number");
            assert!(
                same32(got, want),
                "{}: got {text}, library {want}",
                f.name()
            );
            if want.is_finite() {
                // As short as the shortest text that reads back as the same f32.
                let shortest = significant_digits(&format!("{want:e}"));
                assert_eq!(significant_digits(text), shortest, "{}: {text}", f.name());
            }
        }
    }
    // cdf(x) = x for t = 1, l = 0: `0.3`, not the f64 expansion of the f32 0.3.
    let d = RelaxedBernoulli::builder(1.0_f32)
        .logits(0.0)
        .build()
        .expect("valid");
    if d.cdf(0.3).expect("cdf") == 0.3_f32 {
        assert_eq!(rows[0].split(',').nth(6), Some("0.3"), "{}", rows[0]);
    }
    assert!(!out.contains("0.30000001192092896"), "{out}");
}

#[test]
fn eval_header_only_table() {
    let out = ok(&run(&["eval"], b"id,temperature,logits,x\n"));
    assert_eq!(
        out,
        "id,temperature,logits,x,log_prob,prob,cdf,log_cdf,survival,log_survival\n"
    );
    let out = ok(&run(&["eval"], b"temperature,probs,q"));
    assert_eq!(out, "temperature,probs,q,quantile\n");
}

#[test]
fn eval_empty_input_is_an_error() {
    let e = fails(&run(&["eval"], b""));
    assert!(e.contains("empty input"), "{e}");
    fails(&run(&["eval"], b"\n\n"));
}

#[test]
fn eval_missing_header_is_an_error() {
    let e = fails(&run(&["eval"], b"0.5,1,0.3\n1,2,0.4\n"));
    assert!(e.contains("no header"), "{e}");
    assert!(e.contains("line 1"), "{e}");
    let e = fails(&run(&["eval"], b"temp,logits,x\n0.5,1,0.3\n"));
    assert!(e.contains("temperature"), "{e}");
}

#[test]
fn eval_bad_number_names_the_line_and_writes_nothing() {
    let input = "temperature,logits,x\n0.5,1,0.25\n0.5,1,0.2.5\n0.5,1,0.5\n";
    let e = fails(&run(&["eval"], input.as_bytes()));
    assert!(e.contains("line 3"), "{e}");
    assert!(e.contains("0.2.5"), "{e}");
    // Blank lines and CRLF count as the editor counts them.
    let input = "temperature,logits,x\r\n\r\n0.5,1,0.25\r\n\r\n0.5,abc,0.5\r\n";
    let e = fails(&run(&["eval"], input.as_bytes()));
    assert!(e.contains("line 5"), "{e}");
    // A row with a missing field.
    let e = fails(&run(
        &["eval"],
        b"temperature,logits,x\n0.5,1,0.25\n0.5,1\n",
    ));
    assert!(e.contains("line 3"), "{e}");
}

#[test]
fn eval_non_finite_inputs_in_any_case() {
    let input = "temperature,logits,x\n1,-INF,0.5\n1,Infinity,0.5\n1,1,NaN\n";
    let out = ok(&run(&["eval", "-f", "cdf"], input.as_bytes()));
    let cdfs: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|r| r.rsplit(',').next().unwrap_or(""))
        .collect();
    assert_eq!(cdfs, ["1.0", "0.0", "nan"]);
}

#[test]
fn eval_both_logits_and_probs_is_an_error() {
    let e = fails(&run(
        &["eval"],
        b"temperature,logits,probs,x\n0.5,1,0.3,0.5\n",
    ));
    assert!(e.contains("logits") && e.contains("probs"), "{e}");
    let e = fails(&run(&["eval"], b"temperature,x\n0.5,0.5\n"));
    assert!(e.contains("logits") && e.contains("probs"), "{e}");
}

#[test]
fn eval_unknown_function_lists_the_valid_ones() {
    let e = fails(&run(
        &["eval", "--functions", "cdf,pdf"],
        b"temperature,logits,x\n1,1,0.5\n",
    ));
    assert!(e.contains("pdf"), "{e}");
    for name in [
        "log_prob",
        "prob",
        "cdf",
        "log_cdf",
        "survival",
        "log_survival",
        "quantile",
    ] {
        assert!(e.contains(name), "{e}");
    }
    // A function whose column is missing.
    let e = fails(&run(
        &["eval", "-f", "quantile"],
        b"temperature,logits,x\n1,1,0.5\n",
    ));
    assert!(e.contains("'q'"), "{e}");
}

#[test]
fn eval_validate_args_errors_name_the_line() {
    let input = "temperature,logits,x\n0.5,1,0.5\n0.5,1,1.5\n";
    let e = fails(&run(&["eval", "--validate-args"], input.as_bytes()));
    assert!(e.contains("line 3"), "{e}");
    // Without validation the edge values are printed.
    let out = ok(&run(&["eval", "-f", "log_prob,prob"], input.as_bytes()));
    assert!(
        out.lines().nth(2).is_some_and(|r| r.ends_with(",-inf,0.0")),
        "{out}"
    );
    let e = fails(&run(
        &["eval", "--validate-args"],
        b"temperature,logits,x\n-1,1,0.5\n",
    ));
    assert!(e.contains("line 2") && e.contains("temperature"), "{e}");
}

#[test]
fn eval_keep_going_skips_bad_rows() {
    let input = "temperature,logits,x\n0.5,1,0.25\n0.5,1,oops\n2,1\n1,0,0.5\n";
    let o = run(&["eval", "--keep-going", "-f", "cdf"], input.as_bytes());
    assert!(!o.status.success(), "skipped rows give a non-zero exit");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0], "temperature,logits,x,cdf");
    assert!(lines[1].starts_with("0.5,1,0.25,"));
    assert!(lines[2].starts_with("1,0,0.5,"));
    let e = stderr(&o);
    assert!(e.contains("line 3") && e.contains("line 4"), "{e}");
    assert!(!e.contains("line 2") && !e.contains("line 5"), "{e}");
}

#[test]
fn eval_output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.csv");
    let p = path.to_str().expect("UTF-8 path");
    let o = run(
        &["eval", "-o", p, "-f", "cdf"],
        b"temperature,logits,x\n1,0,0.5\n",
    );
    assert!(ok(&o).is_empty());
    assert_eq!(
        fs::read_to_string(&path).expect("written"),
        "temperature,logits,x,cdf\n1,0,0.5,0.5\n"
    );
    assert_eq!(entries(dir.path()), ["out.csv"]);
}

// ----- sample -----

/// A parsed `.npy` file: descr, shape, data bytes.
fn parse_npy(bytes: &[u8]) -> (String, Vec<usize>, Vec<u8>) {
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00", "magic and version 1.0");
    let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + len) % 64, 0, "data aligned to 64 bytes");
    let header = std::str::from_utf8(&bytes[10..10 + len]).expect("ASCII header");
    assert!(header.ends_with('\n'), "{header:?}");
    assert!(header.starts_with("{'descr': '"), "{header:?}");
    assert!(header.contains("'fortran_order': False"), "{header:?}");
    let descr = header
        .split("'descr': '")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("descr");
    let shape_text = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("shape");
    let shape: Vec<usize> = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("dimension"))
        .collect();
    (descr.to_string(), shape, bytes[10 + len..].to_vec())
}

fn npy_f64(data: &[u8]) -> Vec<f64> {
    data.chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

fn npy_f32(data: &[u8]) -> Vec<f32> {
    data.chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect()
}

#[test]
fn sample_csv_matches_the_library() {
    let out = ok(&run(
        &[
            "sample",
            "--temperature",
            "0.5",
            "--logits",
            "-1,0,2",
            "-n",
            "4",
            "--seed",
            "42",
        ],
        b"",
    ));
    let got: Vec<f64> = out.lines().map(num64).collect();
    let t = ArrayD::from_elem(IxDyn(&[]), 0.5);
    let l = ArrayD::from_shape_vec(IxDyn(&[3]), vec![-1.0, 0.0, 2.0]).expect("shape");
    let b = RelaxedBernoulli::batch_builder(t)
        .logits(l)
        .build()
        .expect("valid");
    let want = b.sample(&[4], 42).expect("sample");
    assert_eq!(want.shape(), &[4, 3]);
    assert_eq!(got.len(), 12);
    for (g, w) in got.iter().zip(want.iter()) {
        assert!(same64(*g, *w), "{g} vs {w}");
    }
}

#[test]
fn sample_npy_has_the_csv_values() {
    for dtype in ["f64", "f32"] {
        let args = [
            "sample",
            "-t",
            "0.5,1,2",
            "--probs",
            "0.3",
            "--sample-shape",
            "2,2",
            "--seed",
            "7",
            "--dtype",
            dtype,
        ];
        let csv = ok(&run(&args, b""));
        let mut npy_args = args.to_vec();
        npy_args.extend(["--format", "npy"]);
        let o = run(&npy_args, b"");
        assert!(o.status.success(), "{}", stderr(&o));
        let (descr, shape, data) = parse_npy(&o.stdout);
        assert_eq!(shape, [2, 2, 3]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 12);
        if dtype == "f64" {
            assert_eq!(descr, "<f8");
            let vals = npy_f64(&data);
            assert_eq!(vals.len(), 12);
            for (v, s) in vals.iter().zip(&lines) {
                assert!(same64(*v, num64(s)), "{v} vs {s}");
            }
        } else {
            assert_eq!(descr, "<f4");
            let vals = npy_f32(&data);
            assert_eq!(vals.len(), 12);
            for (v, s) in vals.iter().zip(&lines) {
                assert!(same32(*v, s.parse().expect("f32")), "{v} vs {s}");
                assert!(significant_digits(s) <= 9, "{s}");
            }
        }
    }
}

#[test]
fn sample_npy_shapes() {
    let shape_of = |extra: &[&str]| {
        let mut args = vec!["sample", "--seed", "1", "--format", "npy"];
        args.extend_from_slice(extra);
        let o = run(&args, b"");
        assert!(o.status.success(), "{}", stderr(&o));
        let (_, shape, data) = parse_npy(&o.stdout);
        assert_eq!(data.len(), 8 * shape.iter().product::<usize>());
        let header_len = u16::from_le_bytes([o.stdout[8], o.stdout[9]]) as usize;
        let header = String::from_utf8_lossy(&o.stdout[10..10 + header_len]).into_owned();
        (shape, header)
    };
    let (shape, header) = shape_of(&["-t", "0.5", "--logits", "1"]);
    assert!(shape.is_empty());
    assert!(header.contains("'shape': ()"), "{header}");
    let (shape, header) = shape_of(&["-t", "0.5", "--logits", "1", "-n", "5"]);
    assert_eq!(shape, [5]);
    assert!(header.contains("'shape': (5,)"), "{header}");
    let (shape, header) = shape_of(&["-t", "0.5", "--logits", "-1,0,1", "--sample-shape", "2,3"]);
    assert_eq!(shape, [2, 3, 3]);
    assert!(header.contains("'shape': (2, 3, 3)"), "{header}");
    let (shape, _) = shape_of(&["-t", "0.1,1", "--probs", "0.5"]);
    assert_eq!(shape, [2]);
}

#[test]
fn sample_negative_logits_as_separate_value() {
    let a = ok(&run(
        &[
            "sample",
            "--temperature",
            "0.5",
            "--logits",
            "-1.3",
            "-n",
            "3",
            "--seed",
            "9",
        ],
        b"",
    ));
    let b = ok(&run(
        &[
            "sample",
            "--temperature",
            "0.5",
            "--logits=-1.3",
            "-n",
            "3",
            "--seed",
            "9",
        ],
        b"",
    ));
    assert_eq!(a, b);
    assert_eq!(a.lines().count(), 3);
    let c = ok(&run(
        &["sample", "-t", "0.5", "-l", "-1.3,-2", "--seed", "9"],
        b"",
    ));
    assert_eq!(c.lines().count(), 2);
}

#[test]
fn sample_without_seed_prints_it() {
    let o = run(&["sample", "-t", "0.5", "--logits", "0.3", "-n", "3"], b"");
    let out = ok(&o);
    let e = stderr(&o);
    let seed = e
        .lines()
        .find_map(|l| l.strip_prefix("seed: "))
        .unwrap_or_else(|| panic!("no seed on stderr: {e:?}"));
    let seed: u64 = seed.trim().parse().expect("the seed is a u64");
    let again = ok(&run(
        &[
            "sample",
            "-t",
            "0.5",
            "--logits",
            "0.3",
            "-n",
            "3",
            "--seed",
            &seed.to_string(),
        ],
        b"",
    ));
    assert_eq!(out, again, "the printed seed repeats the run");
    // With --seed nothing is printed.
    let o = run(
        &["sample", "-t", "0.5", "--logits", "0.3", "--seed", "1"],
        b"",
    );
    ok(&o);
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn sample_count_errors() {
    let e = fails(&run(
        &["sample", "-t", "0.5", "--logits", "1", "-n", "-5"],
        b"",
    ));
    assert!(e.contains("negative"), "{e}");
    let e = fails(&run(
        &["sample", "-t", "0.5", "--logits", "1", "-n", "2.5"],
        b"",
    ));
    assert!(e.contains("2.5"), "{e}");
    let e = fails(&run(
        &[
            "sample",
            "-t",
            "0.5",
            "--logits",
            "1",
            "--sample-shape",
            "2,-1",
        ],
        b"",
    ));
    assert!(e.contains("negative"), "{e}");
    fails(&run(
        &[
            "sample",
            "-t",
            "0.5",
            "--logits",
            "1",
            "-n",
            "2",
            "--sample-shape",
            "2",
        ],
        b"",
    ));
    let e = fails(&run(&["sample", "-t", "0.5,1", "--logits", "1,2,3"], b""));
    assert!(e.contains("same length"), "{e}");
    let e = fails(&run(&["sample", "-t", "0.5", "--logits", "abc"], b""));
    assert!(e.contains("abc"), "{e}");
    fails(&run(
        &["sample", "-t", "0.5", "--logits", "1", "--probs", "0.3"],
        b"",
    ));
    let e = fails(&run(
        &["sample", "-t", "-1", "--logits", "1", "--validate-args"],
        b"",
    ));
    assert!(e.contains("temperature"), "{e}");
}

#[test]
fn output_file_is_atomic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.csv");
    let p = path.to_str().expect("UTF-8 path");
    fs::write(&path, "original\n").expect("write");

    // Failing runs leave the file as it was and no temporary file behind.
    fails(&run(
        &["sample", "-t", "0.5", "--logits", "nope", "-o", p],
        b"",
    ));
    fails(&run(
        &["eval", "-o", p],
        b"temperature,logits,x\n0.5,1,0.5\n0.5,1,bad\n",
    ));
    assert_eq!(fs::read_to_string(&path).expect("read"), "original\n");
    assert_eq!(entries(dir.path()), ["out.csv"]);

    // A failure after the temporary file exists (the target is a directory).
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).expect("mkdir");
    let s = sub.to_str().expect("UTF-8 path");
    fails(&run(
        &[
            "sample", "-t", "0.5", "--logits", "1", "--seed", "1", "-o", s,
        ],
        b"",
    ));
    assert_eq!(entries(dir.path()), ["out.csv", "sub"]);

    // A successful run replaces the file, with nothing left over.
    let o = run(
        &[
            "sample", "-t", "0.5", "--logits", "1", "-n", "3", "--seed", "1", "-o", p,
        ],
        b"",
    );
    assert!(ok(&o).is_empty());
    let text = fs::read_to_string(&path).expect("read");
    assert_eq!(text.lines().count(), 3);
    let direct = ok(&run(
        &[
            "sample", "-t", "0.5", "--logits", "1", "-n", "3", "--seed", "1",
        ],
        b"",
    ));
    assert_eq!(text, direct);
    assert_eq!(entries(dir.path()), ["out.csv", "sub"]);
}

#[test]
fn help_has_examples() {
    let top = ok(&run(&["--help"], b""));
    assert!(top.contains("RelaxedBernoulli"), "{top}");
    assert!(top.contains("relaxed-bernoulli eval"), "{top}");
    assert!(top.contains("relaxed-bernoulli sample"), "{top}");
    let eval = ok(&run(&["eval", "--help"], b""));
    assert!(
        eval.contains("Examples:") && eval.contains("relaxed-bernoulli eval"),
        "{eval}"
    );
    for col in [
        "temperature",
        "logits",
        "probs",
        "log_survival",
        "quantile",
        "--keep-going",
    ] {
        assert!(eval.contains(col), "{col} missing from eval --help");
    }
    let sample = ok(&run(&["sample", "--help"], b""));
    assert!(
        sample.contains("Examples:") && sample.contains("relaxed-bernoulli sample"),
        "{sample}"
    );
    assert!(
        sample.contains("npy") && sample.contains("seed: N"),
        "{sample}"
    );
}
