//! Who is calling: the `Auth` extractor checks the token (keyed hash
//! lookup, expiry, revocation, address allow-list), the per-token rate
//! limit and the failed-login backoff. Secrets never reach a log: only the
//! token's public id is ever recorded.

use crate::error::{ErrorKind, TaxiiError};
use crate::{Caller, Hub};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use kyoyu_store::Store;
use kyoyu_trust::net::Cidr;
use kyoyu_trust::{Principal, Role};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The authenticated caller, as a handler argument.
#[derive(Debug, Clone)]
pub(crate) struct Auth(pub(crate) Caller);

/// The client address, when the server knows it.
pub(crate) fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The secret in `Authorization: Bearer|Token <secret>` or HTTP Basic (the password).
fn presented_secret(headers: &HeaderMap) -> Result<String, TaxiiError> {
    let unauthorized = |why: &str| TaxiiError::new(ErrorKind::Unauthorized, why.to_owned());
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("send an API token as `Authorization: Bearer <token>` or as the HTTP Basic password"))?;
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
            .ok_or_else(|| unauthorized("the Basic credentials are not base64 of user:password"))?;
        return Ok(decoded
            .split_once(':')
            .map(|(_, p)| p.to_owned())
            .unwrap_or(decoded));
    }
    Err(unauthorized("use the Bearer or Basic authorization scheme"))
}

/// Constant-time equality of two hex strings.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl<S: Store> Hub<S> {
    /// Authenticates a request's credentials from `ip` at time `now`.
    pub(crate) async fn authenticate(
        &self,
        headers: &HeaderMap,
        ip: Option<IpAddr>,
        now: i64,
    ) -> Result<Caller, TaxiiError> {
        if let Some(wait) = self.guard.blocked(ip) {
            return Err(TaxiiError::slow_down(
                wait,
                format!(
                    "too many failed logins from this address; wait {wait} s and check the token"
                ),
            ));
        }
        let secret = presented_secret(headers)?;
        let hash = self.token_key.hash_hex(&secret);
        let found = self.store.token_by_hash(&hash).await?;
        let usable = found
            .filter(|t| same(&t.hash, &hash) && !t.revoked && t.expires.is_none_or(|e| e > now));
        let Some(t) = usable else {
            self.guard.failed(ip);
            return Err(TaxiiError::new(
                ErrorKind::Unauthorized,
                "the token is unknown, expired or revoked; ask your organization's administrator for a new one",
            ));
        };
        if !t.ip_allow.is_empty() {
            let allowed = ip.is_some_and(|ip| {
                t.ip_allow
                    .iter()
                    .filter_map(|c| c.parse::<Cidr>().ok())
                    .any(|c| c.contains(ip))
            });
            if !allowed {
                self.guard.failed(ip);
                return Err(TaxiiError::new(
                    ErrorKind::Forbidden,
                    "this token may not be used from this address (see its IP allow-list)",
                ));
            }
        }
        self.guard.succeeded(ip);
        if let Err(wait) = self.guard.take(&t.id) {
            return Err(TaxiiError::slow_down(
                wait,
                format!("this token is over its request rate; retry in {wait} s"),
            ));
        }
        let Some(role) = Role::parse(&t.role) else {
            return Err(TaxiiError::new(
                ErrorKind::Forbidden,
                format!(
                    "the token has role '{}', which this hub does not know",
                    t.role
                ),
            ));
        };
        Ok(Caller {
            token_id: t.id,
            principal: Principal {
                org: t.org,
                role,
                read_only: t.read_only,
            },
            directory: self.directory(),
        })
    }
}

impl<S: Store> FromRequestParts<Arc<Hub<S>>> for Auth {
    type Rejection = TaxiiError;

    async fn from_request_parts(
        parts: &mut Parts,
        hub: &Arc<Hub<S>>,
    ) -> Result<Self, Self::Rejection> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        hub.authenticate(&parts.headers, peer(parts), now)
            .await
            .map(Auth)
    }
}
