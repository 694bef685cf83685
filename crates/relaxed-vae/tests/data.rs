//! The shipped MNIST digits and their loader: pinned checksums, class counts, the standard split
//! and its binarization, and the rejection of malformed files.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::sync::OnceLock;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use relaxed_vae::data::{
    BINARIZE_SEED, Binarized, CLASS_COUNTS, DataError, LEN, MAGIC, Mnist, PIXELS, SIDE, SPLIT_SEED,
    Split, TEST_SIZE, TRAIN_SIZE, permutation,
};
use sha2::{Digest, Sha256};

/// The embedded file, as the crate embeds it.
const GZ: &[u8] = include_bytes!("../data/mnist-10k.bin.gz");

// Printed by data/convert.py (see data/README.md): the data is pinned.
const SHA256_PIXELS: &str = "0768d16c5adea568dee18fa5e4e1acb117e9ec2c5d6b1dffe5fc29c1e61c1eca";
const SHA256_LABELS: &str = "44e605757823cf79c6557e6d2a7f45c693b286e8cd303ea10339b002801b4916";
const SHA256_PAYLOAD: &str = "3893d88f9d94cc6de8f20e594d50b3677bcd79304cc52487b6b250289973c2a8";
const SHA256_GZ: &str = "62ccdfad8745c381960ad2c2cc1a34449cea1b0347b6cd49580b0c8ecfdcab86";

// The standard split (see `standard_split_is_value_stable`).
const TEST_HEAD: [usize; 10] = [711, 9460, 373, 6410, 7305, 3531, 545, 4011, 9280, 2202];
const SHA256_SPLIT_INDICES: &str =
    "757f9a5200f9d96774807dadff18246e4f83ac104032a1b83b54f5a1eb179876";
const SHA256_SPLIT_BITS: &str = "2d9fa27e68a6fc71c5f0dafd184ee46aff5becc085ae16259c7ec8b8227cb879";

fn mnist() -> &'static Mnist {
    static DATA: OnceLock<Mnist> = OnceLock::new();
    DATA.get_or_init(|| Mnist::load().expect("the embedded data loads"))
}

fn standard() -> &'static Split {
    static SPLIT: OnceLock<Split> = OnceLock::new();
    SPLIT.get_or_init(|| mnist().standard_split())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn gzip(payload: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(payload).unwrap();
    e.finish().unwrap()
}

/// An uncompressed payload: header with `count` and the shape, then the body.
fn payload(magic: &[u8; 8], count: u32, rows: u32, cols: u32, body: &[u8]) -> Vec<u8> {
    let mut p = magic.to_vec();
    for w in [count, rows, cols] {
        p.extend_from_slice(&w.to_le_bytes());
    }
    p.extend_from_slice(body);
    p
}

/// A valid 3-image file: labels 7, 0, 9; image `i` has pixel `p` = `(p * (i + 1)) % 256`.
fn small_body() -> Vec<u8> {
    let mut body = vec![7, 0, 9];
    for i in 0..3 {
        body.extend((0..PIXELS).map(|p| ((p * (i + 1)) % 256) as u8));
    }
    body
}

#[test]
fn embedded_data_matches_pinned_checksums() {
    assert_eq!(sha256_hex(GZ), SHA256_GZ, "compressed file");
    let mut raw = Vec::new();
    GzDecoder::new(GZ).read_to_end(&mut raw).unwrap();
    assert_eq!(sha256_hex(&raw), SHA256_PAYLOAD, "decompressed stream");
    let m = mnist();
    assert_eq!(sha256_hex(m.pixels()), SHA256_PIXELS, "pixel bytes");
    assert_eq!(sha256_hex(m.labels()), SHA256_LABELS, "label bytes");
    assert_eq!(&raw[..8], MAGIC);
    assert_eq!(&raw[20..20 + LEN], m.labels());
    assert_eq!(&raw[20 + LEN..], m.pixels());
}

#[test]
fn ten_thousand_images_with_the_published_class_counts() {
    let m = mnist();
    assert_eq!(m.len(), 10_000);
    assert_eq!(LEN, 10_000);
    assert!(!m.is_empty());
    assert_eq!(m.pixels().len(), 10_000 * PIXELS);
    assert_eq!(PIXELS, SIDE * SIDE);
    let counts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
    assert_eq!(m.class_counts(), counts);
    assert_eq!(CLASS_COUNTS, counts);
    // Files 0..9 in order: the labels are sorted.
    assert!(m.labels().windows(2).all(|w| w[0] <= w[1]));
    assert_eq!((m.label(0), m.label(9_999)), (0, 9));
}

#[test]
fn images_look_like_mnist() {
    let m = mnist();
    let (min, max) = (
        m.pixels().iter().min().unwrap(),
        m.pixels().iter().max().unwrap(),
    );
    assert_eq!((*min, *max), (0, 255), "grey levels span 0..=255");
    let mut saturated = 0;
    let mut blank_frame = 0;
    for i in 0..m.len() {
        let img = m.image(i);
        assert_eq!(img.len(), PIXELS);
        assert_eq!(img, &m.pixels()[i * PIXELS..(i + 1) * PIXELS]);
        assert_eq!(m.label(i), m.labels()[i]);
        let ink = img.iter().filter(|&&b| b > 0).count();
        assert!(ink >= 30, "image {i} has only {ink} inked pixels");
        saturated += usize::from(img.contains(&255));
        let frame = (0..SIDE).all(|k| {
            img[k] == 0 && img[PIXELS - 1 - k] == 0 && img[k * SIDE] == 0 && img[k * SIDE + 27] == 0
        });
        blank_frame += usize::from(frame);
    }
    assert!(saturated > 8_000, "most digits reach 255: {saturated}");
    // Digits are centred in a 20x20 box: the outer frame is nearly always blank.
    assert!(blank_frame > 9_500, "{blank_frame}");
    // The MNIST mean intensity is about 0.13.
    let mean =
        m.pixels().iter().map(|&b| f64::from(b)).sum::<f64>() / (255.0 * (LEN * PIXELS) as f64);
    assert!((0.12..0.14).contains(&mean), "{mean}");
}

#[test]
fn standard_split_has_fixed_sizes_and_is_disjoint_and_covering() {
    let s = standard();
    assert_eq!((s.train.len(), s.test.len()), (TRAIN_SIZE, TEST_SIZE));
    assert_eq!((TRAIN_SIZE, TEST_SIZE), (9_000, 1_000));
    for set in [&s.train, &s.test] {
        assert_eq!(set.pixels.len(), set.len() * PIXELS);
        assert_eq!(set.gray.len(), set.len() * PIXELS);
        assert_eq!(set.indices.len(), set.len());
    }
    let train: HashSet<usize> = s.train.indices.iter().copied().collect();
    let test: HashSet<usize> = s.test.indices.iter().copied().collect();
    assert_eq!(train.len(), TRAIN_SIZE, "no repeats in train");
    assert_eq!(test.len(), TEST_SIZE, "no repeats in test");
    assert!(train.is_disjoint(&test));
    let all: HashSet<usize> = train.union(&test).copied().collect();
    assert_eq!(all, (0..LEN).collect::<HashSet<_>>());
    // Each image carries its own label and grey levels.
    let m = mnist();
    for set in [&s.train, &s.test] {
        for (r, &k) in set.indices.iter().enumerate() {
            assert_eq!(set.labels[r], m.label(k));
            assert_eq!(&set.gray[r * PIXELS..(r + 1) * PIXELS], m.image(k));
        }
    }
    // Shuffled: every class is represented in the test set roughly in proportion.
    let mut test_counts = [0usize; 10];
    for &l in &s.test.labels {
        test_counts[l as usize] += 1;
    }
    assert!(
        test_counts.iter().all(|&c| (50..160).contains(&c)),
        "{test_counts:?}"
    );
}

#[test]
fn split_is_deterministic_and_follows_the_seeds() {
    let m = mnist();
    let s = standard();
    let again = m
        .split(TRAIN_SIZE, TEST_SIZE, SPLIT_SEED, BINARIZE_SEED)
        .unwrap();
    assert_eq!(again.train.indices, s.train.indices);
    assert_eq!(again.test.indices, s.test.indices);
    assert_eq!(again.train.pixels, s.train.pixels);
    assert_eq!(again.test.pixels, s.test.pixels);
    // The test set is the start of the permutation, the training set what follows.
    let order = permutation(LEN, SPLIT_SEED);
    assert_eq!(s.test.indices, order[..TEST_SIZE]);
    assert_eq!(s.train.indices, order[TEST_SIZE..]);
    // A smaller split is a prefix of the same permutation.
    let small = m.split(100, 10, SPLIT_SEED, BINARIZE_SEED).unwrap();
    assert_eq!(small.test.indices, order[..10]);
    assert_eq!(small.train.indices, order[10..110]);
    // Another split seed, another order.
    let other = m
        .split(TRAIN_SIZE, TEST_SIZE, SPLIT_SEED + 1, BINARIZE_SEED)
        .unwrap();
    assert_ne!(other.test.indices, s.test.indices);
}

#[test]
fn permutation_is_a_permutation() {
    for n in [0, 1, 2, 3, 10, 1000] {
        let mut p = permutation(n, 5);
        assert_eq!(p.len(), n);
        p.sort_unstable();
        assert_eq!(p, (0..n).collect::<Vec<_>>());
    }
    assert_eq!(permutation(1000, 5), permutation(1000, 5));
    assert_ne!(permutation(1000, 5), permutation(1000, 6));
    // Shuffled, not near the identity.
    let fixed = permutation(1000, 5)
        .iter()
        .enumerate()
        .filter(|(i, p)| i == *p)
        .count();
    assert!(fixed < 10, "{fixed} fixed points");
}

#[test]
fn binarization_is_binary_and_fixed_per_image() {
    let m = mnist();
    let s = standard();
    for set in [&s.train, &s.test] {
        assert!(set.pixels.iter().all(|&x| x == 0.0 || x == 1.0));
        // Black stays black, full white is always on.
        for (&x, &g) in set.pixels.iter().zip(&set.gray) {
            if g == 0 {
                assert_eq!(x, 0.0);
            }
            if g == 255 {
                assert_eq!(x, 1.0);
            }
        }
    }
    // An image's binarization does not depend on the split it lands in, nor on its position.
    let other = m
        .split(5_000, 5_000, SPLIT_SEED + 7, BINARIZE_SEED)
        .unwrap();
    let mut row_of = vec![None; LEN];
    for (r, &k) in other.train.indices.iter().enumerate() {
        row_of[k] = Some((&other.train, r));
    }
    for (r, &k) in other.test.indices.iter().enumerate() {
        row_of[k] = Some((&other.test, r));
    }
    for (r, &k) in s.train.indices.iter().enumerate() {
        let (set, r2) = row_of[k].unwrap();
        assert_eq!(s.train.image(r), set.image(r2), "image {k}");
    }
    // Mnist::binarize on its own gives the same pixels.
    let direct = m.binarize(&s.test.indices[..20], BINARIZE_SEED);
    assert_eq!(direct.pixels, s.test.pixels[..20 * PIXELS]);
}

#[test]
fn binarized_mean_matches_grey_mean_within_four_standard_errors() {
    let train = &standard().train;
    let n = train.pixels.len() as f64;
    let ones = train.pixels.iter().map(|&x| f64::from(x)).sum::<f64>();
    let (mut p_sum, mut var_sum) = (0.0, 0.0);
    for &g in &train.gray {
        let p = f64::from(g) / 255.0;
        p_sum += p;
        var_sum += p * (1.0 - p);
    }
    let se = var_sum.sqrt() / n;
    let (binary, grey) = (ones / n, p_sum / n);
    assert!(se > 0.0 && se < 1e-3, "{se}");
    assert!(
        (binary - grey).abs() < 4.0 * se,
        "binary mean {binary}, grey mean {grey}, se {se}"
    );
    // Per pixel position too, summed: the squared z-scores average about 1.
    let means = train.pixel_means();
    let mut chi2 = 0.0;
    let mut dof = 0;
    for (p, &mean) in means.iter().enumerate() {
        let (mut mu, mut var) = (0.0, 0.0);
        for g in train.gray.iter().skip(p).step_by(PIXELS) {
            let q = f64::from(*g) / 255.0;
            mu += q;
            var += q * (1.0 - q);
        }
        if var > 10.0 {
            let k = train.len() as f64;
            chi2 += (f64::from(mean) * k - mu).powi(2) / var;
            dof += 1;
        }
    }
    let z = (chi2 - dof as f64) / (2.0 * dof as f64).sqrt();
    assert!(
        dof > 400 && z.abs() < 5.0,
        "chi2 {chi2} on {dof} positions, z {z}"
    );
}

#[test]
fn another_binarize_seed_gives_other_pixels() {
    let m = mnist();
    let s = standard();
    let other = m
        .split(TRAIN_SIZE, TEST_SIZE, SPLIT_SEED, BINARIZE_SEED + 1)
        .unwrap();
    assert_eq!(other.train.indices, s.train.indices);
    assert_eq!(other.train.gray, s.train.gray);
    let differ = other
        .train
        .pixels
        .iter()
        .zip(&s.train.pixels)
        .filter(|(a, b)| a != b)
        .count();
    // Two independent binarizations disagree with probability 2 p (1 - p) per pixel.
    let expected: f64 = s
        .train
        .gray
        .iter()
        .map(|&g| f64::from(g) / 255.0)
        .map(|p| 2.0 * p * (1.0 - p))
        .sum();
    let rel = (differ as f64 - expected).abs() / expected;
    assert!(
        differ > 0 && rel < 0.02,
        "{differ} pixels differ, expected about {expected}"
    );
}

#[test]
fn split_rejects_too_many_images() {
    let m = mnist();
    for (tr, te) in [
        (9_001, 1_000),
        (10_001, 0),
        (0, 10_001),
        (usize::MAX, 1),
        (1, usize::MAX),
    ] {
        match m.split(tr, te, SPLIT_SEED, BINARIZE_SEED) {
            Err(e @ DataError::SplitTooLarge { .. }) => assert!(!e.to_string().is_empty()),
            other => panic!("({tr}, {te}): {other:?}"),
        }
    }
    let all = m.split(10_000, 0, SPLIT_SEED, BINARIZE_SEED).unwrap();
    assert_eq!(all.train.len(), 10_000);
    assert!(all.test.is_empty());
    let none = m.split(0, 0, SPLIT_SEED, BINARIZE_SEED).unwrap();
    assert!(none.train.is_empty() && none.test.is_empty());
}

#[test]
fn subset_and_pixel_means() {
    let test = &standard().test;
    let sub = test.subset(10..25);
    assert_eq!(sub.len(), 15);
    assert_eq!(sub.pixels, test.pixels[10 * PIXELS..25 * PIXELS]);
    assert_eq!(sub.gray, test.gray[10 * PIXELS..25 * PIXELS]);
    assert_eq!(sub.labels, test.labels[10..25]);
    assert_eq!(sub.indices, test.indices[10..25]);
    assert_eq!(sub.image(0), test.image(10));
    assert_eq!(test.subset(0..test.len()).pixels, test.pixels);
    let empty = test.subset(7..7);
    assert!(empty.is_empty() && empty.pixels.is_empty() && empty.gray.is_empty());
    assert_eq!(empty.pixel_means(), vec![0.0; PIXELS]);

    let means = sub.pixel_means();
    assert_eq!(means.len(), PIXELS);
    for (p, &mean) in means.iter().enumerate() {
        let ones = (0..sub.len()).filter(|&i| sub.image(i)[p] == 1.0).count();
        assert_eq!(mean, (ones as f64 / 15.0) as f32, "pixel {p}");
    }
    // Over the training set: a blank corner, an inked centre.
    let train = standard().train.pixel_means();
    assert!(train.iter().all(|&m| (0.0..=1.0).contains(&m)));
    assert_eq!(train[0], 0.0);
    assert!(train[14 * SIDE + 14] > 0.3, "{}", train[14 * SIDE + 14]);
    let overall = train.iter().map(|&m| f64::from(m)).sum::<f64>() / PIXELS as f64;
    assert!((0.12..0.14).contains(&overall), "{overall}");
}

#[test]
#[should_panic(expected = "out of range")]
fn subset_out_of_range_panics() {
    let b = Binarized {
        pixels: vec![0.0; PIXELS],
        gray: vec![0; PIXELS],
        labels: vec![3],
        indices: vec![0],
    };
    let _ = b.subset(0..2);
}

#[test]
fn a_small_valid_file_round_trips() {
    let body = small_body();
    let m = Mnist::from_gz_bytes(&gzip(&payload(MAGIC, 3, 28, 28, &body))).unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(m.labels(), [7, 0, 9]);
    assert_eq!(m.pixels(), &body[3..]);
    assert_eq!(m.image(1)[100], 200);
    assert_eq!(m.class_counts(), [1, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    let s = m.split(2, 1, 1, 2).unwrap();
    assert_eq!(s.train.len() + s.test.len(), 3);
    let empty = Mnist::from_gz_bytes(&gzip(&payload(MAGIC, 0, 28, 28, &[]))).unwrap();
    assert!(empty.is_empty());
}

#[test]
fn malformed_files_are_errors_not_panics() {
    let body = small_body();
    let good = payload(MAGIC, 3, 28, 28, &body);
    let check =
        |name: &str, bytes: &[u8], ok: fn(&DataError) -> bool| match Mnist::from_gz_bytes(bytes) {
            Err(e) => {
                assert!(ok(&e), "{name}: unexpected error {e:?}");
                assert!(!e.to_string().is_empty());
            }
            Ok(m) => panic!("{name}: accepted, {} images", m.len()),
        };
    check("empty", &[], |_| true);
    check(
        "garbage",
        b"this is not a gzip file at all, not even close",
        |e| matches!(e, DataError::Gzip(_)),
    );
    check("raw payload", &good, |e| matches!(e, DataError::Gzip(_)));
    check(
        "wrong magic",
        &gzip(&payload(b"RBMNIST2", 3, 28, 28, &body)),
        |e| matches!(e, DataError::BadMagic { found } if found == b"RBMNIST2"),
    );
    check("short header", &gzip(&good[..19]), |e| {
        matches!(e, DataError::TooShort { len: 19 })
    });
    check("empty payload", &gzip(&[]), |e| {
        matches!(e, DataError::TooShort { len: 0 })
    });
    check(
        "wrong shape",
        &gzip(&payload(MAGIC, 3, 28, 27, &body)),
        |e| matches!(e, DataError::BadShape { rows: 28, cols: 27 }),
    );
    check("missing byte", &gzip(&good[..good.len() - 1]), |e| {
        matches!(
            e,
            DataError::BadLength {
                count: 3,
                expected: 2355,
                found: 2354
            }
        )
    });
    let mut extra = good.clone();
    extra.push(0);
    check("extra byte", &gzip(&extra), |e| {
        matches!(e, DataError::BadLength { found: 2356, .. })
    });
    check(
        "count too large",
        &gzip(&payload(MAGIC, 4, 28, 28, &body)),
        |e| matches!(e, DataError::BadLength { .. }),
    );
    check(
        "huge count",
        &gzip(&payload(MAGIC, u32::MAX, 28, 28, &body)),
        |e| matches!(e, DataError::BadLength { .. }),
    );
    let mut bad_label = body.clone();
    bad_label[1] = 10;
    check(
        "label 10",
        &gzip(&payload(MAGIC, 3, 28, 28, &bad_label)),
        |e| {
            matches!(
                e,
                DataError::BadLabel {
                    index: 1,
                    label: 10
                }
            )
        },
    );

    // Every truncation of a valid file fails (the gzip trailer holds a CRC and the length).
    let gz = gzip(&good);
    assert!(Mnist::from_gz_bytes(&gz).is_ok());
    for cut in 0..gz.len() {
        assert!(
            Mnist::from_gz_bytes(&gz[..cut]).is_err(),
            "truncated at {cut} of {}",
            gz.len()
        );
    }
    // Any flipped byte in the deflate data or the trailer is caught (header bytes such as
    // the mtime or OS are not covered by the CRC, so start after the 10-byte header).
    for at in 10..gz.len() {
        let mut bad = gz.clone();
        bad[at] ^= 0x5a;
        assert!(
            Mnist::from_gz_bytes(&bad).is_err(),
            "flipped byte {at} of {}",
            gz.len()
        );
    }
}

#[test]
fn the_embedded_file_truncated_is_an_error() {
    for cut in [0, 10, GZ.len() / 2, GZ.len() - 9, GZ.len() - 1] {
        assert!(Mnist::from_gz_bytes(&GZ[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn standard_split_is_value_stable() {
    // Pinned from an independent Python implementation of the documented definition (Philox
    // stream, Fisher-Yates, binarization); a change here changes every reported number.
    let s = standard();
    let mut indices = Sha256::new();
    for &k in s.test.indices.iter().chain(&s.train.indices) {
        indices.update((k as u32).to_le_bytes());
    }
    let mut bits = Sha256::new();
    for &x in s.test.pixels.iter().chain(&s.train.pixels) {
        bits.update([x as u8]);
    }
    let hex = |d: Sha256| {
        d.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(s.test.indices[..10], TEST_HEAD);
    assert_eq!(hex(indices), SHA256_SPLIT_INDICES, "split indices");
    assert_eq!(hex(bits), SHA256_SPLIT_BITS, "binarized pixels");
}
