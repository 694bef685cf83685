//! Number formatting and parsing, NPY headers, and writing a result to stdout or atomically to
//! a file.
//!
//! Numbers print in the shortest text that reads back as the same value of their type (`ryu`):
//! `0.1`, `1e-7`, `5e-324`; `f32` results as `f32` (`0.1`, not `0.10000000149011612`).
//! Non-finite values print as `nan`, `inf`, `-inf`.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::str::FromStr;

use relaxed::Real;
use tempfile::NamedTempFile;

use crate::error::CliError;

/// Capacity of the output buffers, and the size of the chunks the writers hand to them.
pub const CHUNK_BYTES: usize = 1 << 16;

/// A float type the CLI reads, computes in and writes: `f32` or `f64`.
pub trait CliFloat: Real + FromStr + ryu::Float {
    /// The NumPy dtype descriptor of the type, little-endian: `<f4` or `<f8`.
    const NPY_DESCR: &'static str;
    /// Appends the little-endian bytes of `self` to `out`.
    fn extend_le(self, out: &mut Vec<u8>);
}

impl CliFloat for f64 {
    const NPY_DESCR: &'static str = "<f8";
    #[inline]
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl CliFloat for f32 {
    const NPY_DESCR: &'static str = "<f4";
    #[inline]
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

/// The shortest text that reads back as `v` in its own type; `nan`, `inf`, `-inf` for the
/// non-finite values.
#[inline]
pub fn format_float<F: CliFloat>(buf: &mut ryu::Buffer, v: F) -> &str {
    if v.is_nan() {
        "nan"
    } else if v.is_infinite() {
        if v.is_sign_positive() { "inf" } else { "-inf" }
    } else {
        buf.format_finite(v)
    }
}

/// Parses a number, rounding once to `F` (so `--dtype f32` reads `0.1` as the nearest `f32`).
/// Surrounding whitespace is ignored; `nan`, `inf`, `-inf`, `infinity` are accepted in any
/// case. `None` for anything else, including an empty field.
pub fn parse_float<F: CliFloat>(text: &str) -> Option<F> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<F>().ok()
}

/// The header of a NumPy `.npy` file, format version 1.0: magic, version, header length and the
/// dict `{'descr': ..., 'fortran_order': False, 'shape': (...), }`, padded with spaces and
/// ending in `\n` so that the data starts at a multiple of 64 bytes.
pub fn npy_header(descr: &str, shape: &[usize]) -> Result<Vec<u8>, CliError> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_text = match dims.len() {
        0 => "()".to_string(),
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Magic (6 bytes), version (2), header length (2), the dict, the padding and '\n'.
    let unpadded = 10 + dict.len() + 1;
    let total = unpadded.div_ceil(64) * 64;
    let header_len = u16::try_from(total - 10).map_err(|_| {
        CliError::msg(format!(
            "the shape {shape_text} is too long for an .npy header"
        ))
    })?;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    Ok(out)
}

/// Runs `body` on a buffered writer to stdout (`path` is `None`) or to `path`, atomically: the
/// bytes go to a temporary file in the same directory, which is renamed over `path` only when
/// `body` and the flush succeeded. On any failure the temporary file is removed and an existing
/// file at `path` is left as it was. An existing file's permissions are kept.
pub fn write_output(
    path: Option<&Path>,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::with_capacity(CHUNK_BYTES, stdout.lock());
            body(&mut w).map_err(|e| CliError::io("writing to stdout", &e))?;
            w.flush().map_err(|e| CliError::io("writing to stdout", &e))
        }
        Some(path) => write_atomically(path, body),
    }
}

fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    replace_atomically(path, ".tmp", |tmp| {
        let what = format!("writing '{}'", path.display());
        let mut w = BufWriter::with_capacity(CHUNK_BYTES, tmp.as_file_mut());
        body(&mut w).map_err(|e| CliError::io(&what, &e))?;
        w.flush().map_err(|e| CliError::io(&what, &e))
    })
}

/// Creates a temporary file next to `path`, named `.relaxed-bernoulli-*{suffix}` (a writer
/// that picks the format by the extension, as plotters' PNG encoder does, needs the right
/// suffix), lets `fill` write it (through the handle, or by its path), and renames it over
/// `path`. On any failure the temporary file is removed and an existing file at `path` is left
/// as it was. A new file gets the permissions `umask` allows; a replaced file keeps its own.
pub fn replace_atomically(
    path: &Path,
    suffix: &str,
    fill: impl FnOnce(&mut NamedTempFile) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".relaxed-bernoulli-").suffix(suffix);
    #[cfg(unix)]
    {
        // As a newly created file would be (the umask applies); tempfile's default is 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        CliError::io(
            &format!("cannot create a temporary file in '{}'", dir.display()),
            &e,
        )
    })?;
    fill(&mut tmp)?;
    if let Ok(meta) = fs::metadata(path)
        && meta.is_file()
    {
        // Best effort: keep the mode of the file we replace.
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| CliError::io(&format!("writing '{shown}'"), &e))?;
    // On failure the PersistError owns the temporary file; dropping it removes the file.
    tmp.persist(path)
        .map_err(|e| CliError::msg(format!("cannot write '{shown}': {}", e.error)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_shortest() {
        let mut b = ryu::Buffer::new();
        assert_eq!(format_float(&mut b, 1e-7_f64), "1e-7");
        assert_eq!(format_float(&mut b, 5e-324_f64), "5e-324");
        assert_eq!(format_float(&mut b, 0.1_f32), "0.1");
        assert_eq!(format_float(&mut b, 0.1_f64), "0.1");
        assert_eq!(format_float(&mut b, f64::NAN), "nan");
        assert_eq!(format_float(&mut b, f32::INFINITY), "inf");
        assert_eq!(format_float(&mut b, f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn floats_parse_in_any_case() {
        assert_eq!(parse_float::<f64>(" -INF "), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float::<f64>("Infinity"), Some(f64::INFINITY));
        assert!(parse_float::<f64>("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_float::<f32>("0.1"), Some(0.1_f32));
        assert_eq!(parse_float::<f64>("5e-324"), Some(5e-324));
        assert_eq!(parse_float::<f64>(""), None);
        assert_eq!(parse_float::<f64>("1.2.3"), None);
    }

    #[test]
    fn npy_headers_are_aligned() {
        for shape in [&[][..], &[5], &[2, 3, 4], &[123_456_789, 987_654_321]] {
            let h = npy_header("<f8", shape).expect("short header");
            assert_eq!(h.len() % 64, 0);
            assert_eq!(h.last(), Some(&b'\n'));
            let len = u16::from_le_bytes([h[8], h[9]]) as usize;
            assert_eq!(10 + len, h.len());
        }
        let h = npy_header("<f4", &[]).expect("short header");
        let text = String::from_utf8_lossy(&h[10..]);
        assert!(text.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"));
        let h = npy_header("<f8", &[7]).expect("short header");
        assert!(String::from_utf8_lossy(&h).contains("'shape': (7,), }"));
    }
}
