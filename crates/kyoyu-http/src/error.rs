//! Errors to HTTP, once: a core [`Error`] becomes a response whose status,
//! code and title come from the one table ([`kyoyu_wire::ErrorKind`]) and
//! whose body is a TAXII error message, for TAXII and REST alike.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kyoyu_core::{Error, ErrorKind};
use kyoyu_wire::{ErrorBody, TAXII_MEDIA_TYPE};

/// A failed request, as a handler returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub Error);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl Failure {
    /// A failure of `kind` with a description.
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> Self {
        Self(Error::new(kind, description))
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let e = self.0;
        let status =
            StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody::new(e.kind, e.description);
        let text = serde_json::to_string(&body).unwrap_or_default();
        let mut response = (status, text).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(TAXII_MEDIA_TYPE),
        );
        if let Some(s) = e.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if e.kind == ErrorKind::Unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"kyoyu\", Bearer"),
            );
        }
        response
    }
}
