//! Bodies of the administration endpoints (`/api/tokens`, `/api/audit`).

use serde::{Deserialize, Serialize};

/// A token as listed: never its secret nor the hash of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Public id.
    pub id: String,
    /// Label.
    pub name: String,
    /// The organization it acts for.
    pub org: String,
    /// Its role.
    pub role: String,
    /// Whether it never writes.
    pub read_only: bool,
    /// Addresses it may be used from (CIDR).
    pub ip_allow: Vec<String>,
    /// Expiry (RFC 3339), if any.
    pub expires: Option<String>,
    /// Creation time (RFC 3339).
    pub created: String,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A token to issue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The organization (the caller's when absent).
    #[serde(default)]
    pub org: Option<String>,
    /// The role (`member` when absent).
    #[serde(default)]
    pub role: Option<String>,
    /// A label.
    #[serde(default)]
    pub name: Option<String>,
    /// Never writes.
    #[serde(default)]
    pub read_only: bool,
    /// Addresses it may be used from (CIDR).
    #[serde(default)]
    pub ip_allow: Vec<String>,
    /// Lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<i64>,
}

/// The shape of [`TokenRequest`].
pub const TOKEN_SHAPE: &str = r#"{"org"?, "role"?: "member|analyst|community-admin|ministry-liaison|national-centre-officer|hub-admin", "name"?, "read_only"?, "ip_allow"?: [CIDR], "expires_in"?: seconds}"#;
