//! The core's one error type: a row of the error table
//! ([`kyoyu_wire::ErrorKind`]) and a description that says what to fix.
//! The HTTP edge turns it into a response once (`kyoyu-http`).

pub use kyoyu_wire::ErrorKind;

/// Why a service refused or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The row.
    pub kind: ErrorKind,
    /// What exactly is wrong and how to fix it.
    pub description: String,
    /// Seconds to wait before retrying (429, 503).
    pub retry_after: Option<u64>,
    /// The description as keys of the core's message catalogue
    /// (`messages.toml`) with their arguments, so a transport can word it in
    /// the reader's language (empty for the few texts said no other way, such
    /// as storage failures).
    pub said: Vec<Said>,
}

pub use kyoyu_wire::text::Said;

impl Error {
    /// An error of `kind` with a description.
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
            retry_after: None,
            said: Vec::new(),
        }
    }

    /// An error of `kind` whose description is the catalogue's message `key`
    /// with `args` filled in.
    pub fn said(
        kind: ErrorKind,
        key: &'static str,
        args: &[(&'static str, &dyn std::fmt::Display)],
    ) -> Self {
        Self::said_all(kind, vec![Said::new(key, args)])
    }

    /// An error of `kind` for several problems at once (each keyed); the
    /// description says them all, in order.
    pub fn said_all(kind: ErrorKind, said: Vec<Said>) -> Self {
        let description = said
            .iter()
            .map(crate::messages::english)
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            said,
            ..Self::new(kind, description)
        }
    }

    /// A 429 that tells the client when to come back.
    pub fn slow_down(seconds: u64, description: impl Into<String>) -> Self {
        Self {
            retry_after: Some(seconds.max(1)),
            ..Self::new(ErrorKind::TooManyRequests, description)
        }
    }

    /// 400.
    pub fn bad(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, description)
    }

    /// 403.
    pub fn forbidden(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, description)
    }

    /// 404.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, description)
    }

    /// 409.
    pub fn conflict(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, description)
    }

    /// 422.
    /// A failure of the hub itself (500), with what it was doing.
    pub fn internal(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, description)
    }

    /// Unprocessable content (422).
    pub fn unprocessable(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unprocessable, description)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.description, self.kind.code())
    }
}

impl std::error::Error for Error {}

/// A storage failure becomes a 500 here, once; the details go to the log,
/// not to the client.
impl From<kyoyu_store::StoreError> for Error {
    fn from(e: kyoyu_store::StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        Self::new(
            ErrorKind::Internal,
            "the hub's storage failed; retry later or contact the hub operator",
        )
    }
}
