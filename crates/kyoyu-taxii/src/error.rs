//! The one error table of the TAXII layer: every error has a stable code,
//! an HTTP status and a TAXII error message body (TAXII 2.1 section 3.6.1)
//! whose description says what to fix.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The media type of every TAXII 2.1 body.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// A TAXII error: which row of the table, and the details for this case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxiiError {
    /// The row.
    pub kind: ErrorKind,
    /// What exactly is wrong and how to fix it.
    pub description: String,
    /// Seconds to wait before retrying (429).
    pub retry_after: Option<u64>,
}

/// Rows of the error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: a filter, cursor or body is malformed.
    BadRequest,
    /// 401: no credentials, or unknown / expired / revoked ones.
    Unauthorized,
    /// 403: known caller without the right.
    Forbidden,
    /// 404: no such resource (or not visible to the caller).
    NotFound,
    /// 409: the resource already exists.
    Conflict,
    /// 429: too many requests from this token, or failed logins from this address.
    TooManyRequests,
    /// 406: the Accept header excludes TAXII 2.1.
    NotAcceptable,
    /// 413: the body is larger than `max_content_length`.
    TooLarge,
    /// 415: the body is not TAXII 2.1 JSON.
    UnsupportedMediaType,
    /// 422: the envelope is well-formed JSON but not an envelope.
    Unprocessable,
    /// 500: storage failed; nothing the client can fix.
    Internal,
}

impl ErrorKind {
    /// Status, stable code and title.
    pub fn row(self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::BadRequest => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "The request is malformed",
            ),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication is required",
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "This token may not do that",
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, "not-found", "No such resource"),
            Self::Conflict => (StatusCode::CONFLICT, "conflict", "It already exists"),
            Self::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
            ),
            Self::NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                "not-acceptable",
                "Cannot answer in an accepted media type",
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "The request body is too large",
            ),
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            Self::Unprocessable => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                "The envelope cannot be processed",
            ),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The hub could not complete the request",
            ),
        }
    }
}

impl TaxiiError {
    /// An error of `kind` with a description.
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
            retry_after: None,
        }
    }

    /// A 429 that tells the client when to come back.
    pub fn slow_down(seconds: u64, description: impl Into<String>) -> Self {
        Self {
            retry_after: Some(seconds.max(1)),
            ..Self::new(ErrorKind::TooManyRequests, description)
        }
    }
}

impl From<kyoyu_store::StoreError> for TaxiiError {
    fn from(e: kyoyu_store::StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        Self::new(
            ErrorKind::Internal,
            "the hub's storage failed; retry later or contact the hub operator",
        )
    }
}

impl IntoResponse for TaxiiError {
    fn into_response(self) -> Response {
        let (status, code, title) = self.kind.row();
        let body = json!({
            "title": title,
            "description": self.description,
            "error_code": code,
            "http_status": status.as_u16().to_string(),
        });
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(TAXII_MEDIA_TYPE),
        );
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if self.kind == ErrorKind::Unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"kyoyu\", Bearer"),
            );
        }
        response
    }
}
