//! NumPy/TFP broadcasting of shapes, returning an error instead of panicking.

use core::fmt;

/// Two shapes that cannot be broadcast together by NumPy rules.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShapeError {
    /// The first shape.
    pub left: Vec<usize>,
    /// The second shape.
    pub right: Vec<usize>,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "shapes {:?} and {:?} cannot be broadcast together",
            self.left, self.right
        )
    }
}

impl core::error::Error for ShapeError {}

/// The broadcast of two shapes by NumPy rules: align the trailing axes, prepend size-1 axes to
/// the shorter shape, and on each axis the sizes must be equal or one of them 1 (a size-1 axis
/// stretches, also to size 0).
///
/// ```
/// use relaxed::broadcast_shapes;
/// assert_eq!(broadcast_shapes(&[3, 1], &[4]).unwrap(), vec![3, 4]);
/// assert_eq!(broadcast_shapes(&[], &[2, 0]).unwrap(), vec![2, 0]);
/// assert!(broadcast_shapes(&[3], &[4]).is_err());
/// ```
pub fn broadcast_shapes(left: &[usize], right: &[usize]) -> Result<Vec<usize>, ShapeError> {
    let n = left.len().max(right.len());
    let mut out = vec![0; n];
    for (k, slot) in out.iter_mut().enumerate() {
        let a = axis(left, n, k);
        let b = axis(right, n, k);
        *slot = if a == b || b == 1 {
            a
        } else if a == 1 {
            b
        } else {
            return Err(ShapeError {
                left: left.to_vec(),
                right: right.to_vec(),
            });
        };
    }
    Ok(out)
}

fn axis(shape: &[usize], n: usize, k: usize) -> usize {
    let pad = n - shape.len();
    if k < pad { 1 } else { shape[k - pad] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_table() {
        let ok: &[(&[usize], &[usize], &[usize])] = &[
            (&[], &[], &[]),
            (&[], &[3], &[3]),
            (&[3, 1], &[4], &[3, 4]),
            (&[1], &[5, 1, 2], &[5, 1, 2]),
            (&[2, 1, 4], &[3, 1], &[2, 3, 4]),
            (&[0], &[1], &[0]),
            (&[1, 0], &[3, 1], &[3, 0]),
        ];
        for &(a, b, c) in ok {
            assert_eq!(broadcast_shapes(a, b).unwrap(), c, "{a:?} {b:?}");
            assert_eq!(broadcast_shapes(b, a).unwrap(), c, "{b:?} {a:?}");
        }
        let bad: &[(&[usize], &[usize])] = &[(&[3], &[4]), (&[2, 3], &[3, 2]), (&[0], &[2])];
        for &(a, b) in bad {
            let e = broadcast_shapes(a, b).unwrap_err();
            assert_eq!(e.left, a);
            assert!(e.to_string().contains("cannot be broadcast"));
        }
    }
}
