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

/// A console user as listed (never the password or second-factor secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// Sign-in name.
    pub login: String,
    /// Organization.
    pub org: String,
    /// Role.
    pub role: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Whether the person has a second factor set up.
    pub totp: bool,
    /// Whether the role requires one.
    pub totp_required: bool,
    /// Whether the user is disabled.
    pub disabled: bool,
    /// Whether the next sign-in must choose a new password.
    pub must_change_password: bool,
    /// Creation time (RFC 3339).
    pub created: String,
}

/// A console user to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRequest {
    /// Sign-in name: 2-64 of a-z, 0-9, `.`, `_`, `-`.
    pub login: String,
    /// The organization (the caller's when absent).
    #[serde(default)]
    pub org: Option<String>,
    /// The role (`member` when absent).
    #[serde(default)]
    pub role: Option<String>,
    /// Display name (the login when absent).
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
}

/// The shape of [`UserRequest`].
pub const USER_SHAPE: &str = r#"{"login", "org"?, "role"?: "member|analyst|community-admin|ministry-liaison|national-centre-officer|hub-admin", "name"?, "email"?}"#;

/// Enables or disables a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserStateRequest {
    /// Whether the user is disabled.
    pub disabled: bool,
}

/// The shape of [`UserStateRequest`].
pub const USER_STATE_SHAPE: &str = r#"{"disabled": true|false}"#;
