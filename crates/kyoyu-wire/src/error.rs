//! The one error table: every error the hub returns has a row here, with a
//! stable code, an HTTP status and a title. The body (a TAXII 2.1 error
//! message, section 3.6.1) carries a description that says what to fix.

use serde::{Deserialize, Serialize};

/// Rows of the error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 400: a filter, cursor or body is malformed.
    BadRequest,
    /// 401: no credentials, or unknown / expired / revoked ones.
    Unauthorized,
    /// 403: known caller without the right.
    Forbidden,
    /// 404: no such resource (or not visible to the caller).
    NotFound,
    /// 405: the endpoint does not support the method.
    MethodNotAllowed,
    /// 406: the Accept header excludes what the endpoint answers in.
    NotAcceptable,
    /// 408: the request did not arrive in time.
    RequestTimeout,
    /// 409: the resource is in a state that does not allow it.
    Conflict,
    /// 413: the body is larger than `max_content_length`.
    TooLarge,
    /// 415: the body is not of the media type the endpoint takes.
    UnsupportedMediaType,
    /// 422: well-formed, but cannot be processed.
    Unprocessable,
    /// 429: too many requests from this token, or failed logins from this address.
    TooManyRequests,
    /// 500: storage failed; nothing the client can fix.
    Internal,
    /// 503: the hub is overloaded or shutting down; retry later.
    Unavailable,
}

/// Every row, for tests and documentation.
pub const ALL: [ErrorKind; 14] = [
    ErrorKind::BadRequest,
    ErrorKind::Unauthorized,
    ErrorKind::Forbidden,
    ErrorKind::NotFound,
    ErrorKind::MethodNotAllowed,
    ErrorKind::NotAcceptable,
    ErrorKind::RequestTimeout,
    ErrorKind::Conflict,
    ErrorKind::TooLarge,
    ErrorKind::UnsupportedMediaType,
    ErrorKind::Unprocessable,
    ErrorKind::TooManyRequests,
    ErrorKind::Internal,
    ErrorKind::Unavailable,
];

impl ErrorKind {
    /// HTTP status, stable code and title.
    pub fn row(self) -> (u16, &'static str, &'static str) {
        match self {
            Self::BadRequest => (400, "bad-request", "The request is malformed"),
            Self::Unauthorized => (401, "unauthorized", "Authentication is required"),
            Self::Forbidden => (403, "forbidden", "This token may not do that"),
            Self::NotFound => (404, "not-found", "No such resource"),
            Self::MethodNotAllowed => (405, "method-not-allowed", "Method not allowed"),
            Self::NotAcceptable => (
                406,
                "not-acceptable",
                "Cannot answer in an accepted media type",
            ),
            Self::RequestTimeout => (
                408,
                "request-timeout",
                "The request took too long to arrive",
            ),
            Self::Conflict => (409, "conflict", "The resource does not allow that now"),
            Self::TooLarge => (413, "too-large", "The request body is too large"),
            Self::UnsupportedMediaType => (415, "unsupported-media-type", "Unsupported media type"),
            Self::Unprocessable => (422, "unprocessable", "The request cannot be processed"),
            Self::TooManyRequests => (429, "too-many-requests", "Too many requests"),
            Self::Internal => (500, "internal", "The hub could not complete the request"),
            Self::Unavailable => (503, "unavailable", "The hub cannot take the request now"),
        }
    }

    /// The HTTP status.
    pub fn status(self) -> u16 {
        self.row().0
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        self.row().1
    }

    /// The row of a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        ALL.into_iter().find(|k| k.code() == code)
    }
}

/// An error body as sent (a TAXII 2.1 error message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The row's title.
    pub title: String,
    /// What exactly is wrong and how to fix it.
    pub description: String,
    /// The row's stable code.
    pub error_code: String,
    /// The HTTP status, as a string (TAXII writes it so).
    pub http_status: String,
}

impl ErrorBody {
    /// The body of an error of `kind`.
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> Self {
        let (status, code, title) = kind.row();
        Self {
            title: title.to_owned(),
            description: description.into(),
            error_code: code.to_owned(),
            http_status: status.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_are_unique_and_round_trip() {
        let mut codes = std::collections::HashSet::new();
        let mut statuses = std::collections::HashSet::new();
        for k in ALL {
            assert!(codes.insert(k.code()), "duplicate code {}", k.code());
            assert!(
                statuses.insert(k.status()),
                "duplicate status {}",
                k.status()
            );
            assert_eq!(ErrorKind::from_code(k.code()), Some(k));
            let client_error = (400..500).contains(&k.status());
            let server_error = (500..600).contains(&k.status());
            assert!(client_error || server_error);
        }
    }
}
