//! The client's error type: what went wrong with the service (never a modeled syscall's errno).

use std::fmt;

/// The kind of service failure, from the gRPC status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// No machine with that id for this tenant.
    NotFound,
    /// The request was malformed (the message names the field).
    InvalidArgument,
    /// A quota or a full server.
    ResourceExhausted,
    /// A missing or unknown bearer token.
    Unauthenticated,
    /// The call's deadline passed.
    DeadlineExceeded,
    /// The server is unreachable or shutting down.
    Unavailable,
    /// A snapshot whose digest does not match.
    FailedPrecondition,
    /// A message over the size limit.
    OutOfRange,
    /// Any other status.
    Other,
}

impl Code {
    fn from_tonic(c: tonic::Code) -> Code {
        match c {
            tonic::Code::NotFound => Code::NotFound,
            tonic::Code::InvalidArgument => Code::InvalidArgument,
            tonic::Code::ResourceExhausted => Code::ResourceExhausted,
            tonic::Code::Unauthenticated => Code::Unauthenticated,
            tonic::Code::DeadlineExceeded => Code::DeadlineExceeded,
            tonic::Code::Unavailable => Code::Unavailable,
            tonic::Code::FailedPrecondition => Code::FailedPrecondition,
            tonic::Code::OutOfRange => Code::OutOfRange,
            _ => Code::Other,
        }
    }
}

/// A failure of the service, the connection or the protocol.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a gRPC status other than OK.
    #[error("{}", status_text(.code, .grpc, .message))]
    Status {
        code: Code,
        /// The gRPC code as tonic names it.
        grpc: tonic::Code,
        message: String,
    },
    /// The server could not be reached, or the URL or TLS options are unusable.
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    /// The server sent something this client does not understand.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
}

fn status_text(code: &Code, grpc: &tonic::Code, message: &str) -> String {
    let what = match code {
        Code::NotFound => "not found",
        Code::InvalidArgument => "invalid argument",
        Code::ResourceExhausted => "resource exhausted",
        Code::Unauthenticated => "unauthenticated (give a token with --token or MMLAB_TOKEN)",
        Code::DeadlineExceeded => "deadline exceeded",
        Code::Unavailable => "server unavailable",
        Code::FailedPrecondition => "failed precondition",
        Code::OutOfRange => "out of range",
        Code::Other => return format!("{grpc:?}: {message}"),
    };
    if message.is_empty() { what.to_string() } else { format!("{what}: {message}") }
}

impl Error {
    /// The status code, for a [`Error::Status`].
    pub fn code(&self) -> Option<Code> {
        match self {
            Error::Status { code, .. } => Some(*code),
            _ => None,
        }
    }
}

impl From<tonic::Status> for Error {
    fn from(s: tonic::Status) -> Error {
        Error::Status { code: Code::from_tonic(s.code()), grpc: s.code(), message: s.message().to_string() }
    }
}

impl From<mmlab_server::convert::Invalid> for Error {
    fn from(e: mmlab_server::convert::Invalid) -> Error {
        Error::Protocol(e.to_string())
    }
}

/// Displays the error and its sources (tonic's transport errors hide the cause one level down).
pub(crate) struct Chain<'a>(pub &'a dyn std::error::Error);

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut src = self.0.source();
        while let Some(s) = src {
            write!(f, ": {s}")?;
            src = s.source();
        }
        Ok(())
    }
}
