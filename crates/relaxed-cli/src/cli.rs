//! The command line: subcommands, options and the help texts.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// One-line description (`-h`).
const ABOUT: &str = "\
Evaluate, sample, summarise and plot RelaxedBernoulli (binary Concrete, Gumbel-sigmoid): the
law of X = sigmoid((logits + L) / temperature) on [0, 1], with L ~ Logistic(0, 1)";

/// Long description (`--help`).
const LONG_ABOUT: &str = "\
Evaluate, sample, summarise and plot the RelaxedBernoulli distribution (binary Concrete /
Gumbel-sigmoid).

RelaxedBernoulli(temperature t, logits l) is the law of X = sigmoid((l + L) / t) on [0, 1],
with L ~ Logistic(0, 1): a continuous relaxation of a Bernoulli(sigmoid(l)) coin that becomes
that coin as t -> 0 and the constant 1/2 as t -> inf. It is given by a temperature t > 0 and
either logits l (log-odds, any real) or probs p = sigmoid(l) in [0, 1].

Without a command, relaxed-bernoulli runs `demo`: a short tour on built-in examples.";

/// Examples and conventions shared by the top-level help.
const MAIN_AFTER_HELP: &str = "\
Examples:
  # A short demonstration on built-in examples (the same as `relaxed-bernoulli` alone):
  relaxed-bernoulli demo

  # log_prob, prob, cdf, log_cdf, survival, log_survival of each row:
  printf 'temperature,logits,x\\n0.5,-1.3,0.25\\n2,0.7,0.9\\n' | relaxed-bernoulli eval

  # mean, variance, stddev, mode, entropy of each row:
  printf 'temperature,probs\\n0.5,0.3\\n2,0.3\\n' | relaxed-bernoulli stats

  # KL(p || q) of each row (each side with logits or probs):
  printf 'temperature_p,logits_p,temperature_q,probs_q\\n0.5,1,2,0.5\\n' | relaxed-bernoulli kl

  # 5 samples with a fixed seed, one per line:
  relaxed-bernoulli sample --temperature 0.5 --logits -1.3 -n 5 --seed 42

  # 1000 x 3 samples (one temperature, three logits) as a NumPy file:
  relaxed-bernoulli sample -t 0.5 --logits -1,0,2 -n 1000 --seed 7 --format npy -o x.npy

  # Three densities over histograms of 20000 samples each, as PNG (or SVG: -o density.svg):
  relaxed-bernoulli plot -t 0.1,0.5,2 --logits 0.5 --samples 20000 --seed 1 -o density.png

Numbers print in the shortest form that reads back as the same value (1e-7, 0.1, 5e-324; in
f32 mode as f32); non-finite values as nan, inf, -inf (read in any case). Run
`relaxed-bernoulli <COMMAND> --help` for the details of a command.

Exit status: 0 on success, 1 on an error (message on stderr), 2 on a usage error.";

/// The conventions of the table commands (`eval`, `stats`, `kl`), in their help texts.
macro_rules! table_conventions {
    () => {
        "\
Errors name the line of the input (the header is line 1). A failing run writes nothing to
stdout (not even the header) and leaves an existing -o FILE as it was. With --keep-going a
bad row is reported on stderr and skipped, the other rows are written, and the exit status
is 1 if any row was skipped."
    };
}

/// The `eval` help after the options.
const EVAL_AFTER_HELP: &str = concat!(
    "\
Input columns (a CSV table with a header line; the order does not matter):
  temperature        t > 0
  logits | probs     exactly one of the two (log-odds, or probabilities in [0, 1])
  x                  a value in [0, 1], for log_prob prob cdf log_cdf survival log_survival
  q                  a probability in [0, 1], for quantile
  any other column   passed through unchanged

Output: every input column (same names, order and text), then one column per function, named
log_prob, prob, cdf, log_cdf, survival, log_survival, quantile. Without --functions: every
function the columns allow (x gives the first six, q gives quantile), in that order.

Edge values (without --validate-args): x outside [0, 1] gives log_prob -inf, prob 0, cdf 0
below and 1 above; q outside [0, 1] gives quantile nan; invalid parameters (t <= 0, probs
outside [0, 1], NaN) give nan. With --validate-args each of these is an error.

",
    table_conventions!(),
    "

Examples:
  printf 'temperature,logits,x\\n0.5,-1.3,0.25\\n2,0.7,0.9\\n' | relaxed-bernoulli eval
  relaxed-bernoulli eval --input params.csv --functions log_prob,cdf -o out.csv
  printf 'id,temperature,probs,q\\n007,0.1,0.3,0.5\\n' | relaxed-bernoulli eval --dtype f32"
);

/// The `stats` help after the options.
const STATS_AFTER_HELP: &str = concat!(
    "\
Input columns (a CSV table with a header line; the order does not matter):
  temperature        t > 0
  logits | probs     exactly one of the two (log-odds, or probabilities in [0, 1])
  any other column   passed through unchanged

Output: every input column (same names, order and text), then the columns mean, variance,
stddev, mode, entropy (differential entropy in nats; it can be negative). The mode is the
interior maximum of the density, which exists only for t > 1: for t <= 1 it prints nan.
Invalid parameters (without --validate-args) give nan in every column. Computed in f64 by
quadrature (closed forms where they exist); with --dtype f32 rounded once to f32.

",
    table_conventions!(),
    "

Examples:
  printf 'temperature,logits\\n0.5,-1.3\\n2,0.7\\n' | relaxed-bernoulli stats
  printf 'id,temperature,probs\\n007,0.1,0.3\\n' | relaxed-bernoulli stats --dtype f32 -o s.csv"
);

/// The `kl` help after the options.
const KL_AFTER_HELP: &str = concat!(
    "\
Input columns (a CSV table with a header line; the order does not matter):
  temperature_p          t > 0 of p
  logits_p | probs_p     exactly one of the two, for p
  temperature_q          t > 0 of q
  logits_q | probs_q     exactly one of the two, for q (independently of p's choice)
  any other column       passed through unchanged

Output: every input column (same names, order and text), then the column kl = KL(p || q), the
Kullback-Leibler divergence of q from p in nats: the KL of the logit-space Logistic laws
(equal under the sigmoid), in closed form for equal temperatures and by quadrature
otherwise. Invalid parameters (without --validate-args) give nan.

",
    table_conventions!(),
    "

Examples:
  printf 'temperature_p,logits_p,temperature_q,logits_q\\n0.5,1,0.5,0\\n' | relaxed-bernoulli kl
  printf 'temperature_p,probs_p,temperature_q,logits_q\\n0.5,0.3,2,0\\n' | relaxed-bernoulli kl"
);

/// The parameter lists of `sample` and `plot`, in their help texts.
macro_rules! parameter_lists {
    () => {
        "\
Parameters: --temperature and --logits (or --probs) take one value or a comma-separated list.
Lists form a batch by NumPy broadcasting: a list of length k with a single value gives k
distributions; two lists must have the same length (or one of them a single value)."
    };
}

/// The `sample` help after the options.
const SAMPLE_AFTER_HELP: &str = concat!(
    parameter_lists!(),
    "

Output shape: sample_shape + batch_shape, where sample_shape is [N] for -n N, [2, 3] for
--sample-shape 2,3, and [] (one draw per distribution) without either.
  csv  one value per line, row-major over that shape, no header
  npy  a NumPy .npy file (<f8, or <f4 with --dtype f32) of that shape; `()` for single values
       and no -n. The same values as csv for the same seed. Refused when stdout is a terminal:
       use -o FILE or a redirect.

The same seed, parameters, shape and dtype give the same values on every run and machine.
Without --seed a fresh seed is drawn from the OS and printed on stderr as `seed: N`, so the
run can be repeated. -o FILE writes a temporary file next to FILE and renames it over FILE
when done: a failing run leaves an existing FILE as it was.

Examples:
  relaxed-bernoulli sample --temperature 0.5 --logits -1.3 -n 5 --seed 42
  relaxed-bernoulli sample -t 0.1,1,10 --probs 0.3 --sample-shape 2,4 --seed 1
  relaxed-bernoulli sample -t 0.5 --logits -1,0,2 -n 1000 --seed 7 --format npy -o x.npy"
);

/// The `plot` help after the options.
const PLOT_AFTER_HELP: &str = concat!(
    parameter_lists!(),
    "
Each distribution is one curve (at most 12), named in the legend t=..., logits=... (or
probs=..., as given).

The picture: the density of each distribution on (0, 1), evaluated at 801 points that are
denser near 0 and 1 (x = sin^2(pi u / 2), u evenly spaced), in double precision; the mean
marked by a dashed vertical line under the curve and the mode, where it exists (t > 1), by a
dot on the curve; labelled axes, a title and a legend. With --samples N, a histogram of N
seeded draws per distribution, normalised to a density (bar area = fraction of draws),
drawn under its curve.

The y-axis: a density with t < 1 is unbounded at 0 and 1, so the y-axis is capped. By
default it ends at 1.1 times the largest of: the density at the mode of each curve that has
one (t > 1; its maximum), and, for each curve without one (t <= 1: largest at an edge), the
95th percentile of its density at 1001 evenly spaced points. Curves and bars are clipped
there, and the axis label says `density (capped at Y)` when something was cut off. --ymax Y
sets the top instead.

The format follows the extension of -o (.svg or .png, any case; anything else is an error).
The file is drawn into a temporary file next to it and renamed over it when complete: a
failing run leaves no file, and an existing file as it was. The text uses a bundled DejaVu
Sans font (no system fonts needed). Seeds work as in `sample`: the same seed draws the same
histogram; without --seed a fresh one is printed on stderr as `seed: N`.

Examples:
  relaxed-bernoulli plot -t 0.1,0.5,2 --logits 0.5 --samples 20000 --seed 1 -o density.png
  relaxed-bernoulli plot -t 2 --probs 0.1,0.5,0.9 -o hot.svg
  relaxed-bernoulli plot -t 0.5 --logits -1.3 --ymax 3 --size 640x400 -o small.png"
);

/// The `demo` help after the options.
const DEMO_AFTER_HELP: &str = "\
Prints, for RelaxedBernoulli(t=0.5, logits=0.3), a low-temperature one (t=0.1) and a
high-temperature one (t=2): 10 samples (seed 2026), log_prob and cdf at a few points, three
quantiles, the mean, variance, mode and entropy, P(X > 1/2) = sigmoid(logits) against the
frequency in 100000 draws, a text histogram of those draws, and the next commands to try.
The output is the same on every run.";

/// `relaxed-bernoulli`: the command line.
#[derive(Debug, Parser)]
#[command(
    name = "relaxed-bernoulli",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = MAIN_AFTER_HELP
)]
pub struct Cli {
    /// The subcommand to run (none: `demo`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate log_prob, prob, cdf, ..., quantile for each row of a CSV table
    #[command(after_help = EVAL_AFTER_HELP)]
    Eval(EvalArgs),
    /// Add mean, variance, stddev, mode and entropy to each row of a CSV table
    #[command(after_help = STATS_AFTER_HELP)]
    Stats(StatsArgs),
    /// Add KL(p || q) to each row of a CSV table of parameter pairs
    #[command(after_help = KL_AFTER_HELP)]
    Kl(KlArgs),
    /// Draw seeded samples, as CSV (one value per line) or a NumPy .npy file
    #[command(after_help = SAMPLE_AFTER_HELP)]
    Sample(SampleArgs),
    /// Plot densities (and histograms of samples) to an SVG or PNG file
    #[command(after_help = PLOT_AFTER_HELP)]
    Plot(PlotArgs),
    /// Print a short demonstration on built-in examples (the default command)
    #[command(after_help = DEMO_AFTER_HELP)]
    Demo,
}

/// The floating-point type of the computation, the inputs and the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Dtype {
    /// 64-bit floats (double precision)
    F64,
    /// 32-bit floats: inputs read as f32, results computed and printed as f32
    F32,
}

/// The output format of `sample`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One value per line, no header
    Csv,
    /// A NumPy .npy file (version 1.0, little-endian)
    Npy,
}

/// The options every table command (`eval`, `stats`, `kl`) has.
#[derive(Debug, Args)]
pub struct TableArgs {
    /// Read the CSV table from FILE instead of stdin
    #[arg(short, long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Float type
    ///
    /// The inputs are read as this type (rounded once), the distribution computes in it,
    /// and results print as the shortest text that reads back as the same value of it.
    #[arg(long, value_enum, default_value_t = Dtype::F64, verbatim_doc_comment)]
    pub dtype: Dtype,

    /// Make invalid parameters and values an error
    ///
    /// Checks the parameters (t > 0 and finite, probs in [0, 1], no NaN) and, in eval,
    /// the values (x and q in [0, 1], not NaN): a violation is an error naming the line,
    /// instead of an edge value or nan.
    #[arg(long, verbatim_doc_comment)]
    pub validate_args: bool,

    /// Skip bad rows (reported on stderr) instead of stopping
    ///
    /// A bad row is reported on stderr with its line number and left out of the output,
    /// instead of stopping with no output. The other rows are written; the exit status is
    /// 1 if any row was skipped.
    #[arg(long, verbatim_doc_comment)]
    pub keep_going: bool,

    /// Write the table to FILE (atomically) instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options of `eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Functions to evaluate, comma-separated (default: all the columns allow)
    ///
    /// The output columns follow the order of the list. Names: log_prob, prob, cdf,
    /// log_cdf, survival, log_survival (these need a column x) and quantile (needs a
    /// column q).
    #[arg(short, long, value_name = "LIST", verbatim_doc_comment)]
    pub functions: Option<String>,

    /// The table options.
    #[command(flatten)]
    pub table: TableArgs,
}

/// Options of `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The table options.
    #[command(flatten)]
    pub table: TableArgs,
}

/// Options of `kl`.
#[derive(Debug, Args)]
pub struct KlArgs {
    /// The table options.
    #[command(flatten)]
    pub table: TableArgs,
}

/// The parameters of `sample` and `plot`: one distribution, or a batch from lists.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("parameter").args(["logits", "probs"]).required(true)))]
pub struct ParamLists {
    /// Temperature t > 0, or a comma-separated list of them
    #[arg(short, long, value_name = "T", allow_hyphen_values = true)]
    pub temperature: String,

    /// Logits (log-odds, e.g. --logits -1.3), or a comma-separated list
    #[arg(short, long, value_name = "L", allow_hyphen_values = true)]
    pub logits: Option<String>,

    /// Probs = sigmoid(logits) in [0, 1], or a list (instead of --logits)
    #[arg(short, long, value_name = "P", allow_hyphen_values = true)]
    pub probs: Option<String>,
}

/// Options of `plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The parameters: one curve per distribution.
    #[command(flatten)]
    pub params: ParamLists,

    /// Draw a histogram of N seeded samples under each curve
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub samples: Option<String>,

    /// Seed of the samples, an integer in [0, 2^64) (default: a fresh one, printed)
    #[arg(
        long,
        value_name = "SEED",
        allow_hyphen_values = true,
        requires = "samples"
    )]
    pub seed: Option<String>,

    /// Top of the y-axis (default: automatic, see below)
    #[arg(long, value_name = "Y", allow_hyphen_values = true)]
    pub ymax: Option<String>,

    /// Picture size in pixels, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", default_value = "960x600")]
    pub size: String,

    /// Write the picture to FILE.svg or FILE.png (required)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options of `sample`.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// The parameters: one distribution or a batch.
    #[command(flatten)]
    pub params: ParamLists,

    /// Draw N samples per distribution (sample shape: N)
    #[arg(
        short = 'n',
        value_name = "N",
        allow_hyphen_values = true,
        conflicts_with = "sample_shape"
    )]
    pub count: Option<String>,

    /// Sample shape, comma-separated: 2,3 means [2, 3] (instead of -n)
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub sample_shape: Option<String>,

    /// Seed, an integer in [0, 2^64) (default: a fresh one, printed on stderr)
    #[arg(long, value_name = "SEED", allow_hyphen_values = true)]
    pub seed: Option<String>,

    /// Float type
    ///
    /// The parameters are read as this type, the samples are drawn in it (f32 draws are
    /// not the f64 draws rounded) and written as it.
    #[arg(long, value_enum, default_value_t = Dtype::F64, verbatim_doc_comment)]
    pub dtype: Dtype,

    /// Make invalid parameters an error
    ///
    /// Checks the parameters (t > 0 and finite, probs in [0, 1], no NaN): a violation is
    /// an error instead of nan samples.
    #[arg(long, verbatim_doc_comment)]
    pub validate_args: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,

    /// Write to FILE (atomically) instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}
