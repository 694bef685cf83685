//! The vectorised batch paths give the scalar methods' bits: evaluation of every function over
//! values that hit every special case (support edges, outside the support, NaN, infinite
//! logits, invalid members without validation, f32 elements that widen to f64), for one member
//! and for many members cycling through a chunk, below and above the parallel threshold.

use ndarray::{ArrayD, IxDyn};
use relaxed::{Function, Real, RelaxedBernoulli, Univariate};

fn values<F: Real>() -> Vec<F> {
    let v = [
        -0.5,
        0.0,
        5e-324,
        1e-300,
        1e-40,
        1e-10,
        1e-3,
        0.1,
        0.3,
        0.5,
        0.7,
        0.999,
        1.0 - 1e-12,
        1.0,
        1.5,
        f64::NAN,
        0.25,
        0.75,
    ];
    v.iter().map(|&x| F::from_f64(x)).collect()
}

fn check<F: Real>(temps: &[f64], logits: &[f64], n_samples: usize) {
    let t = ArrayD::from_shape_vec(
        IxDyn(&[temps.len(), 1]),
        temps.iter().map(|&v| F::from_f64(v)).collect(),
    )
    .unwrap();
    let l = ArrayD::from_shape_vec(
        IxDyn(&[logits.len()]),
        logits.iter().map(|&v| F::from_f64(v)).collect(),
    )
    .unwrap();
    let b = RelaxedBernoulli::batch_builder(t)
        .logits(l)
        .build()
        .unwrap();
    let nb = b.len();
    let vals = values::<F>();
    // Values of shape [n_samples] + batch_shape, cycling through the special values.
    let mut shape = vec![n_samples];
    shape.extend_from_slice(b.batch_shape());
    let xs: Vec<F> = (0..n_samples * nb)
        .map(|i| vals[(i * 7 + i / 3) % vals.len()])
        .collect();
    let x = ArrayD::from_shape_vec(IxDyn(&shape), xs.clone()).unwrap();
    // A caller-owned buffer, reused across functions and holding stale values: the same bits.
    let mut buffer = vec![F::from_f64(42.0); xs.len()];
    for f in Function::ALL {
        let got = b.evaluate(f, &x).unwrap();
        b.evaluate_into(f, &x, &mut buffer).unwrap();
        for (i, (g, r)) in got.iter().zip(&buffer).enumerate() {
            assert!(
                Real::to_f64(*g).to_bits() == Real::to_f64(*r).to_bits(),
                "{f} element {i}: evaluate_into {r:?} vs evaluate {g:?}"
            );
        }
        for (i, (&g, &xi)) in got.iter().zip(&xs).enumerate() {
            let want = b.members()[i % nb].evaluate_unchecked(f, xi);
            let same = g == want || (g.is_nan() && want.is_nan());
            assert!(
                same,
                "{f} element {i} x={xi:?} member {:?}: {g:?} vs {want:?}",
                b.members()[i % nb]
            );
        }
    }
}

fn all<F: Real>() {
    let temps = [1e-3, 0.1, 0.5, 1.0, 2.0, 1e3, -1.0, f64::NAN];
    let logits = [
        -700.0,
        -30.0,
        -1.0,
        0.0,
        0.3,
        5.0,
        100.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    check::<F>(&temps, &logits, 3);
    check::<F>(&temps, &logits, 700); // above the parallel threshold (50 400 elements)
    // One temperature, many logits (the kernel's one-temperature loop), as in the benchmark's
    // broadcast case.
    check::<F>(&[0.5], &logits, 700);
    let wide: Vec<f64> = (0..1000).map(|i| -3.0 + 6.0 * i as f64 / 999.0).collect();
    check::<F>(&[0.5], &wide, 60);
    check::<F>(&[0.5], &[0.3], 5000);
    check::<F>(&[1e3], &[700.0], 300);
}

#[test]
fn batch_evaluate_matches_scalar_bits_f64() {
    all::<f64>();
}

#[test]
fn batch_evaluate_matches_scalar_bits_f32() {
    all::<f32>();
}

/// `evaluate_run` called directly (parameters gathered from the members, not from
/// `run_params`) gives the scalar bits too.
#[test]
fn evaluate_run_without_run_params_matches_scalar_bits() {
    fn run<F: Real>() {
        let members: Vec<RelaxedBernoulli<F>> = (0..600)
            .map(|i| {
                let t = if i % 3 == 0 {
                    0.5
                } else {
                    0.1 + i as f64 / 100.0
                };
                let l = -4.0 + i as f64 / 75.0;
                RelaxedBernoulli::from_logits(F::from_f64(t), F::from_f64(l)).unwrap()
            })
            .collect();
        let vals = values::<F>();
        let xs: Vec<F> = (0..members.len())
            .map(|i| vals[(i * 5 + i / 7) % vals.len()])
            .collect();
        for f in Function::ALL {
            let mut out = vec![F::zero(); xs.len()];
            RelaxedBernoulli::evaluate_run(&members, f, &xs, &mut out);
            for (j, (&g, d)) in out.iter().zip(&members).enumerate() {
                let want = d.evaluate_unchecked(f, xs[j]);
                assert!(g == want || (g.is_nan() && want.is_nan()), "{f} {j}");
            }
            // Parameters too short for the members asked about: ignored, no panic, same bits.
            let params = RelaxedBernoulli::run_params(&members[..100]);
            let mut out2 = vec![F::zero(); xs.len() - 50];
            RelaxedBernoulli::evaluate_run_with(
                &members[50..],
                &params,
                50,
                f,
                &xs[50..],
                &mut out2,
            );
            for (j, (&g, &o)) in out2.iter().zip(&out[50..]).enumerate() {
                assert!(g == o || (g.is_nan() && o.is_nan()), "{f} short params {j}");
            }
        }
    }
    run::<f32>();
    run::<f64>();
}

/// `evaluate_into` where the values stretch the batch (the general, non-contiguous path), and
/// its length check: a wrong buffer is an error and is left untouched.
#[test]
fn evaluate_into_general_path_and_length_check() {
    let t = ArrayD::from_shape_vec(IxDyn(&[2, 1]), vec![0.5_f64, 2.0]).unwrap();
    let b = RelaxedBernoulli::batch_builder(t)
        .logits(ArrayD::from_elem(IxDyn(&[1]), 0.3))
        .build()
        .unwrap();
    let x = ndarray::arr1(&[0.1, 0.5, 0.9]);
    let want = b.log_prob(&x).unwrap();
    assert_eq!(want.shape(), &[2, 3]);
    let mut out = vec![f64::NAN; 6];
    b.evaluate_into(Function::LogProb, &x, &mut out).unwrap();
    for (i, (w, o)) in want.iter().zip(&out).enumerate() {
        assert_eq!(w.to_bits(), o.to_bits(), "element {i}");
        let member = &b.members()[i / 3];
        assert_eq!(o.to_bits(), member.log_prob(x[i % 3]).unwrap().to_bits());
    }
    let mut short = vec![7.0; 5];
    let e = b
        .evaluate_into(Function::LogProb, &x, &mut short)
        .unwrap_err();
    assert!(e.to_string().contains("[5]"), "{e}");
    assert!(short.iter().all(|&v| v == 7.0));
    let mut long = vec![7.0; 7];
    assert!(b.evaluate_into(Function::Cdf, &x, &mut long).is_err());
    assert!(long.iter().all(|&v| v == 7.0));
}
