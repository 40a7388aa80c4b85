//! Who is calling: a presented token secret is checked (keyed-hash lookup,
//! expiry, revocation, address allow-list), then the per-token rate limit
//! and the failed-login backoff. Secrets never reach a log: only the
//! token's public id is ever recorded. The failed-login backoff refuses
//! only failures: a valid token is never refused because other tokens
//! failed from its address. Reading the secret out of a request
//! is the HTTP edge's work (`kyoyu-http`).

use crate::{Caller, Error, ErrorKind, Hub};
use kyoyu_store::Store;
use kyoyu_trust::net::Cidr;
use kyoyu_trust::{Principal, Role};
use std::net::IpAddr;

impl<S: Store> Hub<S> {
    /// Authenticates `secret` (or its absence, which the HTTP edge explains
    /// in `missing`) presented from `ip` at time `now`.
    pub async fn authenticate(
        &self,
        secret: Result<String, String>,
        ip: Option<IpAddr>,
        now: i64,
    ) -> Result<Caller, Error> {
        // The backoff slows guessers down; it never refuses a valid token.
        // Tokens are 256-bit random, so a correct one is no guess, and one
        // broken script behind a company proxy must not lock out everyone
        // else at that address.
        let backoff = || {
            self.guard.blocked(ip).map(|wait| {
                Error::slow_down(
                    wait,
                    format!(
                        "too many failed logins from this address; wait {wait} s and check the token"
                    ),
                )
            })
        };
        let secret = match secret {
            Ok(s) => s,
            Err(why) => {
                return Err(backoff().unwrap_or_else(|| Error::new(ErrorKind::Unauthorized, why)));
            }
        };
        let hash = self.token_key.hash_hex(&secret);
        let found = self.store.token_by_hash(&hash).await?;
        let usable = found.filter(|t| {
            crate::keys::same(&t.hash, &hash) && !t.revoked && t.expires.is_none_or(|e| e > now)
        });
        let Some(t) = usable else {
            if let Some(slow) = backoff() {
                return Err(slow);
            }
            self.guard.failed(ip);
            return Err(Error::new(
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
                if let Some(slow) = backoff() {
                    return Err(slow);
                }
                self.guard.failed(ip);
                return Err(Error::forbidden(
                    "this token may not be used from this address (see its IP allow-list)",
                ));
            }
        }
        if let Err(wait) = self.guard.take(&t.id) {
            return Err(Error::slow_down(
                wait,
                format!("this token is over its request rate; retry in {wait} s"),
            ));
        }
        let Some(role) = Role::parse(&t.role) else {
            return Err(Error::forbidden(format!(
                "the token has role '{}', which this hub does not know",
                t.role
            )));
        };
        Ok(Caller {
            limits: (t.expires, t.ip_allow),
            token_id: t.id,
            principal: Principal {
                org: t.org,
                role,
                read_only: t.read_only || role.reads_only(),
            },
            directory: self.directory(),
        })
    }
}
