//! Who is calling: the `Auth` extractor reads the token secret out of the
//! request and asks the core to authenticate it ([`kyoyu_core::Hub::authenticate`]).

use crate::Failure;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use kyoyu_core::{Backend, Caller, Hub};
use kyoyu_trust::net::Cidr;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The authenticated caller, as a handler argument.
#[derive(Debug, Clone)]
pub struct Auth(pub Caller);

/// The client address, when the server knows it: the connection's peer,
/// or, when the peer is one of `trusted` proxies, the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy. The header is
/// ignored from anyone else (a client could write any address in it).
pub fn client_address(parts: &Parts, trusted: &[Cidr]) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|a| a.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    // Right to left: the last hop a trusted proxy saw first.
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !is_trusted(*ip))
            .unwrap_or(peer),
    )
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
        // Authenticated already, before the body was read (kyoyu-server).
        if let Some(done) = parts.extensions.get::<Auth>() {
            return Ok(done.clone());
        }
        let now = kyoyu_core::time::now_micros();
        let ip = client_address(parts, &hub.config().trusted_proxies);
        hub.authenticate(presented_secret(&parts.headers), ip, now)
            .await
            .map(Auth)
            .map_err(Failure)
    }
}
