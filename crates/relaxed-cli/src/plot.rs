//! `plot`: the densities of a batch of RelaxedBernoulli distributions, optionally over
//! histograms of seeded samples, drawn to an SVG or PNG file with plotters.
//!
//! Every number comes from the `relaxed` crate (`prob`, `mean`, `mode`, the seeded sampler);
//! this module lays the picture out. Text uses the DejaVu Sans font bundled in `assets/` and
//! registered with plotters' `ab_glyph` text renderer, so no system font (fontconfig,
//! freetype) is needed at build or run time.

use std::path::Path;
use std::process::ExitCode;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use relaxed::{Batch, Function, Moments, RelaxedBernoulli, Univariate};

use crate::cli::PlotArgs;
use crate::error::CliError;
use crate::output::replace_atomically;
use crate::sample::{parse_batch, parse_count, parse_seed, seed_or_fresh};

/// The bundled font (DejaVu Sans; licence in `assets/DejaVuSans-LICENSE.txt`).
const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// The font family the picture's text asks for, and under which [`FONT`] is registered.
const FAMILY: &str = "sans-serif";

/// Density evaluations per curve (denser near 0 and 1, see [`grid`]).
const GRID_POINTS: usize = 801;
/// Evenly spaced points for the automatic y-axis cap of a curve without a mode.
const CAP_POINTS: usize = 1001;
/// The percentile of those points that sets the cap of a curve without a mode.
const CAP_PERCENTILE: f64 = 0.95;
/// Headroom above the tallest curve feature.
const CAP_HEADROOM: f64 = 1.1;
/// The most curves one picture takes (the palette and the legend are sized for them).
const MAX_CURVES: usize = 12;
/// The default picture size, and the size the font sizes are designed for.
const BASE_SIZE: (u32, u32) = (960, 600);
/// Samples drawn per call to the sampler when filling the histograms.
const SAMPLE_CHUNK: usize = 1 << 16;

/// The curve colours: Okabe & Ito's colour-blind-safe palette (without its yellow), then Paul
/// Tol's muted one.
const PALETTE: [u32; MAX_CURVES] = [
    0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000, 0x332288, 0x882255,
    0x999933, 0x44AA99, 0xAA4499,
];
/// The colour of the marker explanations in the legend.
const KEY_GREY: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// Runs `plot`.
pub fn run(args: &PlotArgs) -> Result<ExitCode, CliError> {
    // The options first: a bad -o is reported before anything is computed.
    let path = args
        .output
        .as_deref()
        .ok_or_else(|| CliError::msg("plot writes a picture: give -o FILE.svg or -o FILE.png"))?;
    let format = ImageFormat::of(path)?;
    let size = parse_size(&args.size)?;
    let samples = args
        .samples
        .as_deref()
        .map(|n| parse_count("--samples", n))
        .transpose()?;
    if samples == Some(0) {
        return Err(CliError::msg(
            "--samples: 0 draws make no histogram (leave --samples out for none)",
        ));
    }
    let seed = args.seed.as_deref().map(parse_seed).transpose()?;
    let ymax = args.ymax.as_deref().map(parse_ymax).transpose()?;

    // Invalid parameters are always an error here: a curve of NaN shows nothing.
    let batch = parse_batch::<f64>(&args.params, true)?;
    if batch.len() > MAX_CURVES {
        return Err(CliError::msg(format!(
            "{} parameter sets: plot draws at most {MAX_CURVES} curves",
            batch.len()
        )));
    }
    let param = if args.params.probs.is_some() {
        "probs"
    } else {
        "logits"
    };
    let curves: Vec<Curve> = batch
        .members()
        .iter()
        .zip(PALETTE)
        .map(|(d, rgb)| Curve::new(d, param, rgb_color(rgb)))
        .collect();
    let histograms = match samples {
        Some(n) => {
            let seed = seed_or_fresh(seed)?;
            Some((histograms(&batch, n, seed)?, n, seed))
        }
        None => None,
    };
    let cap = ymax.unwrap_or_else(|| auto_cap(&curves));
    let picture = Picture {
        curves,
        histograms,
        cap,
    };

    plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
        .map_err(|_| CliError::msg("the bundled font (DejaVu Sans) could not be loaded"))?;
    replace_atomically(path, format.suffix(), |tmp| {
        let drawn = match format {
            ImageFormat::Svg => picture.draw(SVGBackend::new(tmp.path(), size).into_drawing_area()),
            ImageFormat::Png => {
                picture.draw(BitMapBackend::new(tmp.path(), size).into_drawing_area())
            }
        };
        drawn.map_err(|e| CliError::msg(format!("drawing '{}': {e}", path.display())))?;
        // The encoders flush their buffered writers on drop, where an error is lost: check
        // that the file is whole before it replaces anything.
        let written = std::fs::read(tmp.path()).unwrap_or_default();
        if format.is_complete(&written) {
            Ok(())
        } else {
            Err(CliError::msg(format!(
                "writing '{}': the picture was not written completely (is the disk full?)",
                path.display()
            )))
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The picture formats, chosen by the extension of `-o`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ImageFormat {
    Svg,
    Png,
}

impl ImageFormat {
    /// The format of `path` by its extension (any case).
    fn of(path: &Path) -> Result<Self, CliError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("svg") => Ok(ImageFormat::Svg),
            Some("png") => Ok(ImageFormat::Png),
            _ => Err(CliError::msg(format!(
                "-o '{}': the picture format follows the extension, which must be .svg or .png",
                path.display()
            ))),
        }
    }

    /// Whether `bytes` end as a whole file of the format does: the PNG `IEND` chunk, the SVG
    /// closing tag.
    fn is_complete(self, bytes: &[u8]) -> bool {
        match self {
            ImageFormat::Svg => bytes.trim_ascii_end().ends_with(b"</svg>"),
            ImageFormat::Png => bytes.ends_with(b"IEND\xaeB`\x82"),
        }
    }

    /// The suffix of the temporary file (the PNG encoder picks the format by it).
    fn suffix(self) -> &'static str {
        match self {
            ImageFormat::Svg => ".svg",
            ImageFormat::Png => ".png",
        }
    }
}

/// The colour of a `0xRRGGBB` value.
fn rgb_color(rgb: u32) -> RGBColor {
    let [_, r, g, b] = rgb.to_be_bytes();
    RGBColor(r, g, b)
}

/// `--size WIDTHxHEIGHT`, each from 100 to 10000 pixels.
fn parse_size(text: &str) -> Result<(u32, u32), CliError> {
    let bad = || {
        CliError::msg(format!(
            "--size: '{text}' is not a size WIDTHxHEIGHT in pixels, each from 100 to 10000 \
             (e.g. 960x600)"
        ))
    };
    let (w, h) = text.trim().split_once(['x', 'X']).ok_or_else(bad)?;
    let dim = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (100..=10_000).contains(d))
    };
    Ok((dim(w).ok_or_else(bad)?, dim(h).ok_or_else(bad)?))
}

/// `--ymax Y`: a finite number > 0.
fn parse_ymax(text: &str) -> Result<f64, CliError> {
    crate::output::parse_float::<f64>(text)
        .filter(|y| y.is_finite() && *y > 0.0)
        .ok_or_else(|| {
            CliError::msg(format!(
                "--ymax: '{}' is not a positive number",
                text.trim()
            ))
        })
}

/// A number for a label: plain decimal in the usual range, scientific outside it.
fn short(v: f64) -> String {
    if v == 0.0 || (1e-4..1e6).contains(&v.abs()) || !v.is_finite() {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// The plotting grid: `x = sin^2(pi u / 2)` for `u` evenly spaced in (0, 1), so the points
/// are closest together near 0 and 1, where the density changes fastest (`x` from 3.8e-6 to
/// `1 - 3.8e-6` for 801 points).
fn grid() -> impl Iterator<Item = f64> {
    (1..=GRID_POINTS).map(|i| {
        let u = i as f64 / (GRID_POINTS + 1) as f64;
        let s = (std::f64::consts::FRAC_PI_2 * u).sin();
        s * s
    })
}

/// One distribution's curve and markers.
#[derive(Debug)]
struct Curve {
    label: String,
    color: RGBColor,
    /// `(x, prob(x))` on the grid.
    points: Vec<(f64, f64)>,
    /// `(mean, prob(mean))`.
    mean: (f64, f64),
    /// `(mode, prob(mode))` where the mode exists (t > 1).
    mode: Option<(f64, f64)>,
    /// The density the automatic y-axis cap must show: at the mode, or (no mode: the density
    /// is unbounded or largest at an edge) the 95th percentile over evenly spaced points.
    typical: f64,
}

impl Curve {
    fn new(d: &RelaxedBernoulli<f64>, param: &str, color: RGBColor) -> Self {
        let prob = |x: f64| d.evaluate_unchecked(Function::Prob, x);
        let value = if param == "probs" {
            d.probs_parameter()
        } else {
            d.logits_parameter()
        };
        let label = format!("t={}, {param}={}", short(d.temperature()), short(value));
        let points: Vec<(f64, f64)> = grid().map(|x| (x, prob(x))).collect();
        let mean = d.mean();
        // allow_nan_stats is on: an undefined mode (t <= 1) is NaN.
        let mode = d
            .mode()
            .ok()
            .filter(|m| m.is_finite())
            .map(|m| (m, prob(m)));
        let typical = match mode {
            Some((_, peak)) => peak,
            None => {
                let mut values: Vec<f64> = (1..=CAP_POINTS)
                    .map(|i| prob(i as f64 / (CAP_POINTS + 1) as f64))
                    .filter(|v| v.is_finite())
                    .collect();
                values.sort_by(f64::total_cmp);
                let k = ((values.len() as f64 - 1.0) * CAP_PERCENTILE).round() as usize;
                values.get(k).copied().unwrap_or(0.0)
            }
        };
        Curve {
            label,
            color,
            points,
            mean: (mean, prob(mean)),
            mode,
            typical,
        }
    }
}

/// The automatic top of the y-axis: [`CAP_HEADROOM`] times the largest typical density of the
/// curves (1 if they are all flat zero, as point masses are).
fn auto_cap(curves: &[Curve]) -> f64 {
    let top = curves.iter().map(|c| c.typical).fold(0.0, f64::max);
    if top.is_finite() && top > 0.0 {
        CAP_HEADROOM * top
    } else {
        1.0
    }
}

/// A histogram on [0, 1] with equal bins, as densities (bar area = fraction of the draws).
#[derive(Debug)]
struct Histogram {
    heights: Vec<f64>,
}

impl Histogram {
    /// The bin `[lo, hi)` and height of each bar.
    fn bars(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        let width = 1.0 / self.heights.len() as f64;
        self.heights
            .iter()
            .enumerate()
            .map(move |(b, &h)| (b as f64 * width, (b + 1) as f64 * width, h))
    }
}

/// The number of bins for `n` draws: twice the cube root (Rice's rule), from 10 to 80.
fn bin_count(n: usize) -> usize {
    ((2.0 * (n as f64).cbrt()).round() as usize).clamp(10, 80)
}

/// Histograms of `n` draws from each member of `batch`, seeded: the draws are those of
/// `Batch::sample(&[n], seed)` (element `i` of the flat output belongs to member `i % len`),
/// generated in chunks so memory stays bounded for any `n`.
fn histograms(
    batch: &Batch<RelaxedBernoulli<f64>>,
    n: usize,
    seed: u64,
) -> Result<Vec<Histogram>, CliError> {
    let k = batch.len();
    let total = n
        .checked_mul(k)
        .ok_or_else(|| CliError::msg(format!("--samples: {n} draws per curve are too many")))?;
    let bins = bin_count(n);
    let mut counts = vec![vec![0u64; bins]; k];
    let mut chunk = vec![0.0_f64; SAMPLE_CHUNK.min(total)];
    let mut start = 0usize;
    while start < total {
        let len = SAMPLE_CHUNK.min(total - start);
        let buf = &mut chunk[..len];
        batch.sample_into(buf, start as u64, seed);
        for (j, &x) in buf.iter().enumerate() {
            // Samples can be exactly 0 or 1 at low temperature: the end bins take them.
            let b = ((x * bins as f64) as usize).min(bins - 1);
            counts[(start + j) % k][b] += 1;
        }
        start += len;
    }
    let scale = bins as f64 / n as f64;
    Ok(counts
        .into_iter()
        .map(|c| Histogram {
            heights: c.into_iter().map(|c| c as f64 * scale).collect(),
        })
        .collect())
}

/// The pieces of the polyline `points` at or below `cap`, each ending where the line crosses
/// the cap (interpolated linearly), so nothing is drawn above the plotting area.
fn clip_below(points: &[(f64, f64)], cap: f64) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut piece: Vec<(f64, f64)> = Vec::new();
    let mut prev: Option<(f64, f64)> = None;
    for &(x, y) in points {
        let inside = y <= cap;
        if let Some((px, py)) = prev
            && (py <= cap) != inside
        {
            let crossing = if py.is_finite() && y.is_finite() {
                px + (x - px) * (cap - py) / (y - py)
            } else if inside {
                x
            } else {
                px
            };
            piece.push((crossing, cap));
            if !inside {
                pieces.push(std::mem::take(&mut piece));
            }
        }
        if inside {
            piece.push((x, y));
        }
        prev = Some((x, y));
    }
    pieces.push(piece);
    pieces.retain(|p| p.len() >= 2);
    pieces
}

/// A significant-digits rendering of the y-axis cap for the axis label.
fn cap_text(cap: f64) -> String {
    let decimals = (2 - cap.log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{cap:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Everything drawn.
#[derive(Debug)]
struct Picture {
    curves: Vec<Curve>,
    /// The histograms (one per curve), the draws per curve and the seed.
    histograms: Option<(Vec<Histogram>, usize, u64)>,
    /// The top of the y-axis.
    cap: f64,
}

impl Picture {
    /// Whether a curve or a bar goes above the top of the y-axis.
    fn clipped(&self) -> bool {
        let curve = self
            .curves
            .iter()
            .any(|c| c.points.iter().any(|&(_, y)| y > self.cap));
        let bar = self
            .histograms
            .as_ref()
            .is_some_and(|(hs, _, _)| hs.iter().any(|h| h.heights.iter().any(|&y| y > self.cap)));
        curve || bar
    }

    fn title(&self) -> String {
        let what = if self.curves.len() == 1 {
            "RelaxedBernoulli density"
        } else {
            "RelaxedBernoulli densities"
        };
        match &self.histograms {
            Some((_, n, seed)) => format!("{what} over histograms of {n} draws (seed {seed})"),
            None => what.to_string(),
        }
    }

    /// Draws the picture on `root` and writes it out (`present`).
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let (w, h) = root.dim_in_pixel();
        let scale = (f64::from(w) / f64::from(BASE_SIZE.0))
            .min(f64::from(h) / f64::from(BASE_SIZE.1))
            .clamp(0.5, 4.0);
        let px = |v: f64| (v * scale).round().max(1.0);
        let font = |size: f64| (FAMILY, px(size)).into_font();

        root.fill(&WHITE).map_err(err)?;
        let root = root
            .titled(&self.title(), font(22.0).color(&BLACK))
            .map_err(err)?;

        // The legend goes in a panel on the right, where it can never hide a curve.
        let legend_style = font(15.0).color(&BLACK);
        let mut entries: Vec<(LegendKey, String)> = self
            .curves
            .iter()
            .map(|c| (LegendKey::Line(c.color), c.label.clone()))
            .collect();
        entries.push((LegendKey::Mean, "mean".to_string()));
        entries.push((LegendKey::Dot, "mode (t > 1)".to_string()));
        if self.histograms.is_some() {
            entries.push((LegendKey::Bar, "histogram of draws".to_string()));
        }
        let mut text_width = 0;
        for (_, label) in &entries {
            let (tw, _) = root.estimate_text_size(label, &legend_style).map_err(err)?;
            text_width = text_width.max(tw);
        }
        let swatch = px(36.0) as u32;
        let gap = px(10.0) as u32;
        let panel = (text_width + swatch + 3 * gap).min(w / 2);
        let (plot_area, legend_area) = root.split_horizontally(w.saturating_sub(panel));

        let y_desc = if self.clipped() {
            format!("density (capped at {})", cap_text(self.cap))
        } else {
            "density".to_string()
        };
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(px(12.0) as u32)
            .x_label_area_size(px(48.0) as u32)
            .y_label_area_size(px(64.0) as u32)
            .build_cartesian_2d(0.0..1.0_f64, 0.0..self.cap)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc(y_desc)
            .axis_desc_style(font(18.0))
            .label_style(font(14.0))
            .x_labels(11)
            .max_light_lines(0)
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
            .draw()
            .map_err(err)?;

        if let Some((hists, _, _)) = &self.histograms {
            // Pale bars with a darker outline, so overlapping histograms stay apart.
            for (curve, hist) in self.curves.iter().zip(hists) {
                let fill = curve.color.mix(0.15).filled();
                let bars = hist
                    .bars()
                    .filter(|&(_, _, h)| h > 0.0)
                    .map(|(lo, hi, h)| Rectangle::new([(lo, 0.0), (hi, h.min(self.cap))], fill));
                chart.draw_series(bars).map_err(err)?;
                let mut outline = vec![(0.0, 0.0)];
                for (lo, hi, h) in hist.bars() {
                    outline.extend([(lo, h.min(self.cap)), (hi, h.min(self.cap))]);
                }
                outline.push((1.0, 0.0));
                chart
                    .draw_series(LineSeries::new(outline, curve.color.mix(0.5)))
                    .map_err(err)?;
            }
        }
        let line_width = px(2.0) as u32;
        for curve in &self.curves {
            let style = curve.color.stroke_width(line_width);
            for piece in clip_below(&curve.points, self.cap) {
                chart
                    .draw_series(LineSeries::new(piece, style))
                    .map_err(err)?;
            }
            // The mean: a dashed line up to the curve, and a cross on it.
            let (m, pm) = curve.mean;
            if m.is_finite() {
                let top = if pm <= self.cap { pm } else { self.cap };
                chart
                    .draw_series(DashedLineSeries::new(
                        [(m, 0.0), (m, top)],
                        px(6.0) as u32,
                        px(4.0) as u32,
                        style,
                    ))
                    .map_err(err)?;
                if pm <= self.cap {
                    chart
                        .draw_series(std::iter::once(Cross::new((m, pm), px(5.0) as u32, style)))
                        .map_err(err)?;
                }
            }
            if let Some((x, y)) = curve.mode.filter(|&(_, y)| y <= self.cap) {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (x, y),
                        px(5.0) as u32,
                        curve.color.filled(),
                    )))
                    .map_err(err)?;
            }
        }

        // The legend: one row per curve, then the key to the markers.
        let row = px(26.0) as i32;
        let top = px(60.0) as i32;
        let x0 = gap as i32;
        let x1 = x0 + swatch as i32;
        for (i, (key, label)) in entries.iter().enumerate() {
            let y = top + row * i as i32;
            key.draw(&legend_area, (x0, x1, y), scale).map_err(err)?;
            legend_area
                .draw(&Text::new(
                    label.as_str(),
                    (x1 + gap as i32, y),
                    legend_style.pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(err)?;
        }
        legend_area.present().map_err(err)
    }
}

/// The symbol of a legend row.
#[derive(Clone, Copy, Debug)]
enum LegendKey {
    /// A curve: a line in its colour.
    Line(RGBColor),
    /// The mean: a dashed line and a cross.
    Mean,
    /// The mode: a dot.
    Dot,
    /// A histogram: a pale bar.
    Bar,
}

impl LegendKey {
    /// Draws the symbol between pixel columns `x0` and `x1`, centred on row `y`.
    fn draw<DB: DrawingBackend>(
        self,
        area: &DrawingArea<DB, Shift>,
        (x0, x1, y): (i32, i32, i32),
        scale: f64,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let width = (2.0 * scale).round().max(1.0) as u32;
        match self {
            LegendKey::Line(color) => area.draw(&PathElement::new(
                vec![(x0, y), (x1, y)],
                color.stroke_width(width),
            )),
            LegendKey::Mean => {
                let style = KEY_GREY.stroke_width(width);
                let dash = ((x1 - x0) / 5).max(2);
                for k in (0..5).step_by(2) {
                    let a = x0 + k * dash;
                    area.draw(&PathElement::new(
                        vec![(a, y), ((a + dash).min(x1), y)],
                        style,
                    ))?;
                }
                let r = (5.0 * scale).round().max(2.0) as i32;
                area.draw(&Cross::new(((x0 + x1) / 2, y), r, style))
            }
            LegendKey::Dot => {
                let r = (5.0 * scale).round().max(2.0) as i32;
                area.draw(&Circle::new(((x0 + x1) / 2, y), r, KEY_GREY.filled()))
            }
            LegendKey::Bar => {
                let half = (7.0 * scale).round().max(2.0) as i32;
                area.draw(&Rectangle::new(
                    [(x0, y - half), (x1, y + half)],
                    KEY_GREY.mix(0.3).filled(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(
            ImageFormat::of(Path::new("a.svg")).ok(),
            Some(ImageFormat::Svg)
        );
        assert_eq!(
            ImageFormat::of(Path::new("d/a.PNG")).ok(),
            Some(ImageFormat::Png)
        );
        assert!(ImageFormat::of(Path::new("a.jpg")).is_err());
        assert!(ImageFormat::of(Path::new("png")).is_err());
        assert!(ImageFormat::Svg.is_complete(b"<svg>\n</svg>\n"));
        assert!(!ImageFormat::Svg.is_complete(b"<svg>\n<text"));
        assert!(!ImageFormat::Png.is_complete(b"\x89PNG\r\n\x1a\n"));
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("640x400").ok(), Some((640, 400)));
        assert_eq!(parse_size(" 1000X700 ").ok(), Some((1000, 700)));
        assert!(parse_size("640").is_err());
        assert!(parse_size("50x50").is_err());
        assert!(parse_size("640x-4").is_err());
    }

    #[test]
    fn grid_is_inside_and_denser_at_the_edges() {
        let g: Vec<f64> = grid().collect();
        assert_eq!(g.len(), GRID_POINTS);
        assert!(g[0] > 0.0 && g[GRID_POINTS - 1] < 1.0);
        assert!(g.windows(2).all(|w| w[0] < w[1]));
        let mid = GRID_POINTS / 2;
        assert!(g[1] - g[0] < (g[mid + 1] - g[mid]) / 100.0);
    }

    #[test]
    fn clipping_cuts_at_the_cap() {
        let pts = [(0.0, 5.0), (1.0, 1.0), (2.0, 1.0), (3.0, 5.0), (4.0, 1.0)];
        let pieces = clip_below(&pts, 3.0);
        assert_eq!(
            pieces,
            vec![
                vec![(0.5, 3.0), (1.0, 1.0), (2.0, 1.0), (2.5, 3.0)],
                vec![(3.5, 3.0), (4.0, 1.0)],
            ]
        );
        assert_eq!(clip_below(&pts, 10.0), vec![pts.to_vec()]);
        assert!(clip_below(&[(0.0, f64::INFINITY), (1.0, 9.0)], 3.0).is_empty());
    }

    #[test]
    fn cap_labels_have_three_digits() {
        assert_eq!(cap_text(4.3127), "4.31");
        assert_eq!(cap_text(12.0), "12");
        assert_eq!(cap_text(0.0123456), "0.0123");
        assert_eq!(cap_text(2500.4), "2500");
    }

    #[test]
    fn histograms_hold_every_draw() {
        let t = ndarray::ArrayD::from_elem(ndarray::IxDyn(&[2]), 0.5);
        let l = ndarray::ArrayD::from_elem(ndarray::IxDyn(&[]), 0.3);
        let batch = RelaxedBernoulli::batch_builder(t)
            .logits(l)
            .build()
            .expect("valid");
        let n = 70_001;
        let hs = histograms(&batch, n, 7).expect("histograms");
        let draws = batch.sample(&[n], 7).expect("sample");
        for (m, h) in hs.iter().enumerate() {
            let bins = h.heights.len();
            assert_eq!(bins, bin_count(n));
            let area: f64 = h.heights.iter().sum::<f64>() / bins as f64;
            assert!((area - 1.0).abs() < 1e-12, "{area}");
            // The first bin counts the same draws as Batch::sample gives.
            let first = draws
                .iter()
                .skip(m)
                .step_by(2)
                .filter(|&&x| x * (bins as f64) < 1.0)
                .count();
            assert_eq!(h.heights[0], first as f64 * bins as f64 / n as f64);
        }
    }
}
