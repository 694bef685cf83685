//! Helpers shared by the integration tests: devices, tensors from vectors, error metrics and
//! finite differences of the core crate's `f64` functions.
#![allow(dead_code)]

pub mod agree;

use burn::tensor::{DType, Device, Tensor, TensorData};

/// `f64` values within `1e-12` of the core crate (DESIGN §4).
pub const TOL_F64: f64 = 1e-12;
/// `f32` values within `1e-5` of the core crate.
pub const TOL_F32: f64 = 1e-5;
/// `f64` gradients within `1e-6 max(1, |g|)` of the reference.
pub const GRAD_TOL_F64: f64 = 1e-6;
/// `f32` gradients within `1e-3 max(1, |g|)` of the reference.
pub const GRAD_TOL_F32: f64 = 1e-3;

/// The flex CPU backend with autodiff.
pub fn device() -> Device {
    Device::flex().autodiff()
}

/// A rank-1 tensor of `dtype` from `f64` values (rounded once to `f32` for `F32`).
pub fn t1(v: &[f64], dtype: DType) -> Tensor<1> {
    tn::<1>(v, &[v.len()], dtype)
}

/// A tensor of `shape` and `dtype` from `f64` values.
pub fn tn<const D: usize>(v: &[f64], shape: &[usize], dtype: DType) -> Tensor<D> {
    let dev = device();
    let data = if dtype == DType::F64 {
        TensorData::new(v.to_vec(), shape.to_vec())
    } else {
        TensorData::new(
            v.iter().map(|&x| x as f32).collect::<Vec<_>>(),
            shape.to_vec(),
        )
    };
    Tensor::from_data(data, (&dev, dtype))
}

/// The values of a tensor as `f64`.
pub fn vals<const D: usize>(t: &Tensor<D>) -> Vec<f64> {
    let data = t.to_data();
    if t.dtype() == DType::F64 {
        data.try_to_vec::<f64>().unwrap()
    } else {
        data.convert::<f32>()
            .try_to_vec::<f32>()
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect()
    }
}

/// `v` rounded to the precision of `dtype` (identity for `F64`).
pub fn round_to(v: f64, dtype: DType) -> f64 {
    if dtype == DType::F64 {
        v
    } else {
        v as f32 as f64
    }
}

/// The error metric of DESIGN §4: `|a - r| / max(1, |r|)` for log-space results, `|a - r| /
/// max(|r|, tiny)` otherwise; `inf` if the non-finite values differ.
pub fn err(a: f64, r: f64, log_space: bool, tiny: f64) -> f64 {
    if a.is_nan() || r.is_nan() || a.is_infinite() || r.is_infinite() {
        let same = (a.is_nan() && r.is_nan()) || a == r;
        return if same { 0.0 } else { f64::INFINITY };
    }
    let scale = if log_space {
        r.abs().max(1.0)
    } else {
        r.abs().max(tiny)
    };
    (a - r).abs() / scale
}

/// The gradient metric: `|g - r| / max(1, |r|)`, `inf` for a NaN gradient.
pub fn grad_err(g: f64, r: f64) -> f64 {
    if g.is_nan() || r.is_nan() {
        return f64::INFINITY;
    }
    if g.is_infinite() || r.is_infinite() {
        return if g == r { 0.0 } else { f64::INFINITY };
    }
    (g - r).abs() / r.abs().max(1.0)
}

/// Central difference of `f` at `x` with step `h`, improved by one Richardson step (error
/// `O(h^4)`): `(4 D(h/2) - D(h)) / 3`, each `D` divided by the step actually taken (`x + h`
/// and `x - h` are rounded).
pub fn central_diff(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    let d = |h: f64| {
        let (a, b) = (x + h, x - h);
        (f(a) - f(b)) / (a - b)
    };
    (4.0 * d(h / 2.0) - d(h)) / 3.0
}

/// The smallest normal number of `dtype`.
pub fn tiny(dtype: DType) -> f64 {
    if dtype == DType::F64 {
        f64::MIN_POSITIVE
    } else {
        f32::MIN_POSITIVE as f64
    }
}
