//! Helpers shared by the integration tests: run the built binary and check its output.

// Each test file uses its own subset of the helpers.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_relaxed-bernoulli");

/// Runs the binary with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The binary may exit before reading everything (an option error): ignore EPIPE.
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for the binary");
    writer.join().expect("stdin writer");
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a successful run and returns its stdout.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}, stderr: {}",
        o.status,
        stderr(o)
    );
    stdout(o)
}

/// Asserts a failed run (non-zero exit, nothing on stdout, a message on stderr) and returns
/// the stderr text.
pub fn fails(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected a failure; stdout: {}",
        stdout(o)
    );
    assert!(
        o.stdout.is_empty(),
        "a failing run wrote to stdout: {:?}",
        stdout(o)
    );
    let e = stderr(o);
    assert!(e.contains("error"), "no error message on stderr: {e:?}");
    e
}

/// Parses a CLI number (`nan`, `inf`, `-inf` or a decimal).
pub fn num64(s: &str) -> f64 {
    s.parse::<f64>()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// Bitwise equality, NaN equal to NaN.
pub fn same64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

pub fn same32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// The number of significant digits of a decimal or scientific text.
pub fn significant_digits(s: &str) -> usize {
    let mantissa = s.split(['e', 'E']).next().unwrap_or("");
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let trimmed = digits.trim_start_matches('0').trim_end_matches('0');
    trimmed.len().max(1)
}

/// The names in a directory, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
