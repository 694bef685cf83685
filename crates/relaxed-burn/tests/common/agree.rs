//! The comparison of a Burn distribution's evaluation methods with the core crate's, shared by
//! the three distributions (`agrees_with_core.rs`) and the validation tests.

use burn::tensor::{DType, Tensor};
use relaxed::Function;
use relaxed_burn::{DistributionError, Logistic, LogitRelaxedBernoulli, RelaxedBernoulli};

use super::{TOL_F32, TOL_F64, err, round_to, t1, tiny, vals};

/// A Burn distribution with the seven value methods of [`Function`].
pub trait Evaluate {
    /// The method `f` at `x`.
    fn evaluate(&self, f: Function, x: Tensor<1>) -> Result<Tensor<1>, DistributionError>;
}

macro_rules! impl_evaluate {
    ($($ty:ty),*) => {$(
        impl Evaluate for $ty {
            fn evaluate(&self, f: Function, x: Tensor<1>) -> Result<Tensor<1>, DistributionError> {
                match f {
                    Function::LogProb => self.log_prob(x),
                    Function::Prob => self.prob(x),
                    Function::Cdf => self.cdf(x),
                    Function::LogCdf => self.log_cdf(x),
                    Function::Survival => self.survival_function(x),
                    Function::LogSurvival => self.log_survival_function(x),
                    Function::Quantile => self.quantile(x),
                }
            }
        }
    )*};
}

impl_evaluate!(RelaxedBernoulli<1>, LogitRelaxedBernoulli<1>, Logistic<1>);

/// The tolerance of DESIGN §4 for `dtype`: `TOL_F64` or `TOL_F32`.
pub fn tol(dtype: DType) -> f64 {
    if dtype == DType::F64 {
        TOL_F64
    } else {
        TOL_F32
    }
}

/// The cartesian product of scales (temperatures), parameters and values, as flat vectors.
pub fn grid(scales: &[f64], params: &[f64], values: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (mut t, mut p, mut x) = (vec![], vec![], vec![]);
    for &ti in scales {
        for &pi in params {
            for &xi in values {
                t.push(ti);
                p.push(pi);
                x.push(xi);
            }
        }
    }
    (t, p, x)
}

/// Asserts `got` matches `want` elementwise within `tol`, returns the largest error.
pub fn compare(
    name: &str,
    got: &[f64],
    want: &[f64],
    log_space: bool,
    dtype: DType,
    tol: f64,
    inputs: &[(f64, f64, f64)],
) -> f64 {
    let mut worst = 0.0_f64;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let e = err(g, w, log_space, tiny(dtype));
        assert!(
            e <= tol,
            "{name} {dtype:?} at (t, param, x) = {:?}: got {g:e}, core {w:e}, error {e:e}",
            inputs[i]
        );
        worst = worst.max(e);
    }
    eprintln!(
        "{name:>28} {dtype:?}: max error {worst:.2e} over {} points",
        got.len()
    );
    worst
}

/// Where a method of the Burn distribution is compared with the core crate.
pub struct Case<'a> {
    /// The label of the printed errors and of failed assertions.
    pub label: &'a str,
    /// The float type of the tensors (and of the core's scalar distributions).
    pub dtype: DType,
    /// The first parameter axis of the grid (temperatures, or Logistic scales).
    pub scales: &'a [f64],
    /// The second parameter axis (logits, probs, or Logistic locations).
    pub params: &'a [f64],
    /// The values of every function but the quantile.
    pub values: &'a [f64],
    /// The arguments of the quantile.
    pub quantiles: &'a [f64],
}

/// Every method in `functions` of `build(scales, params)` on the grid `scales x params x
/// values` (values rounded to `dtype`), against `core(f, scale, param, value)` with the error
/// metric of DESIGN §4 (log-space for the log functions) within `tol(dtype)`.
pub fn methods_agree_with_core<Dist: Evaluate>(
    case: &Case<'_>,
    functions: &[Function],
    build: impl Fn(Tensor<1>, Tensor<1>) -> Dist,
    core: impl Fn(Function, f64, f64, f64) -> f64,
) {
    let dtype = case.dtype;
    for &f in functions {
        let values = if f == Function::Quantile {
            case.quantiles
        } else {
            case.values
        };
        let (t, p, x) = grid(case.scales, case.params, values);
        let x: Vec<f64> = x.iter().map(|&v| round_to(v, dtype)).collect();
        let d = build(t1(&t, dtype), t1(&p, dtype));
        let got = vals(&d.evaluate(f, t1(&x, dtype)).unwrap());
        let want: Vec<f64> = (0..t.len()).map(|i| core(f, t[i], p[i], x[i])).collect();
        let inputs: Vec<_> = (0..t.len()).map(|i| (t[i], p[i], x[i])).collect();
        compare(
            &format!("{} {}", case.label, f.name()),
            &got,
            &want,
            f.is_log(),
            dtype,
            tol(dtype),
            &inputs,
        );
    }
}
