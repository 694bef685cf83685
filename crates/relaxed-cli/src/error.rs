//! The one error type of the binary: a message for stderr, or a closed stdout.

use std::fmt;
use std::io;

/// Why a run failed.
#[derive(Debug)]
pub enum CliError {
    /// A user-facing message, printed as `error: <message>` with a non-zero exit status.
    Message(String),
    /// The reader of stdout went away (`... | head`): stop quietly.
    BrokenPipe,
}

impl CliError {
    /// An error with the given message.
    pub fn msg(message: impl Into<String>) -> Self {
        CliError::Message(message.into())
    }

    /// An I/O error while doing `what` (e.g. "writing 'out.csv'"); a broken pipe becomes
    /// [`CliError::BrokenPipe`].
    pub fn io(what: &str, e: &io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Message(format!("{what}: {e}"))
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Message(m) => f.write_str(m),
            CliError::BrokenPipe => f.write_str("broken pipe"),
        }
    }
}

impl std::error::Error for CliError {}
