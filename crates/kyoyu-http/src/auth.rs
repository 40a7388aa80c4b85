//! Who is calling: the `Auth` extractor reads the token secret out of the
//! request and asks the core to authenticate it ([`kyoyu_core::Hub::authenticate`]).

use crate::Failure;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use kyoyu_core::{Backend, Caller, Hub};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The authenticated caller, as a handler argument.
#[derive(Debug, Clone)]
pub struct Auth(pub Caller);

/// The client address, when the server knows it.
pub fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The secret in `Authorization: Bearer|Token <secret>` or HTTP Basic (the
/// password); else why none was found.
fn presented_secret(headers: &HeaderMap) -> Result<String, String> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(
            "send an API token as `Authorization: Bearer <token>` or as the HTTP Basic password",
        )?;
    // `Token <key>` is what taxii2-client's token helper sends.
    if let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("Token "))
    {
        return Ok(token.trim().to_owned());
    }
    if let Some(basic) = value.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or("the Basic credentials are not base64 of user:password")?;
        return Ok(decoded
            .split_once(':')
            .map(|(_, p)| p.to_owned())
            .unwrap_or(decoded));
    }
    Err("use the Bearer or Basic authorization scheme".into())
}

impl<S: Backend> FromRequestParts<Arc<Hub<S>>> for Auth {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        hub: &Arc<Hub<S>>,
    ) -> Result<Self, Self::Rejection> {
        let now = kyoyu_core::time::now_micros();
        hub.authenticate(presented_secret(&parts.headers), peer(parts), now)
            .await
            .map(Auth)
            .map_err(Failure)
    }
}
