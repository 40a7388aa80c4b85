//! The HTTP edge the transports share (`kyoyu-taxii`, `kyoyu-rest`, later
//! the console): the [`Auth`] extractor, errors turned into responses once
//! ([`Failure`]), and the JSON helpers. Split from `kyoyu-server` so that
//! transports need not depend on the crate that assembles them.

mod auth;
mod error;

pub use auth::{Auth, client_address};
pub use error::Failure;

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kyoyu_core::{Error, Hub};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The state every handler gets.
pub type HubState<S> = axum::extract::State<Arc<Hub<S>>>;

/// What a handler returns.
pub type Answer = Result<Response, Failure>;

/// A JSON answer.
pub fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    with_type(status, body.to_string(), "application/json")
}

/// A body with its content type.
pub fn with_type(status: StatusCode, body: String, content_type: &'static str) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Parses a JSON body, saying what to send when it does not fit.
pub fn body<T: DeserializeOwned>(bytes: &Bytes, shape: &str) -> Result<T, Failure> {
    serde_json::from_slice(bytes).map_err(|e| {
        Failure(Error::bad(format!(
            "the body must be JSON of the form {shape}: {e}"
        )))
    })
}
