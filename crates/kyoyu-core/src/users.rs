//! People, not only tokens: console users of an organization with a role,
//! signing in with a password (argon2id) and, for the roles that can change
//! what others see, a second factor (TOTP). Sessions live in the store, so
//! any node serves them; the cookie holds a random secret and the store its
//! keyed hash, as for tokens. A session acts as a `Caller` whose credential
//! is `user:<login>`, so every audit entry written from the console names
//! the person.

use crate::time::{format_micros, now_micros};
use crate::{Caller, Error, ErrorKind, Hub, totp};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use kyoyu_store::{Change, SessionRecord, Store, UserRecord};
use kyoyu_trust::policy::{may_manage_users, needs_second_factor};
use kyoyu_trust::{Principal, Role};
use kyoyu_wire::admin::{TokenInfo, UserInfo, UserRequest};
use rand::RngCore;
use serde_json::{Value, json};
use std::net::IpAddr;

/// A session ends after this long without a request.
pub const IDLE_MICROS: i64 = 30 * 60 * 1_000_000;
/// And after this long whatever happens.
pub const ABSOLUTE_MICROS: i64 = 12 * 3600 * 1_000_000;
/// A session's last use is written at most this often.
const TOUCH_MICROS: i64 = 60 * 1_000_000;
/// Passwords from this long (NIST SP 800-63B asks at least 8; people
/// protecting a country's infrastructure get 12).
pub const MIN_PASSWORD: usize = 12;
const MAX_PASSWORD: usize = 1024;

/// Session stages.
pub const SIGNED_IN: &str = "signed-in";
/// Setting up the second factor the role requires.
pub const ENROL: &str = "enrol";
/// Choosing a new password after a reset.
pub const CHANGE_PASSWORD: &str = "change-password";

/// Whether `s` is a usable login: 2-64 of `a-z`, `0-9`, `.`, `_`, `-`,
/// starting with a letter or digit.
pub fn valid_login(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// What is wrong with a new password, if anything.
pub fn password_problem(password: &str, login: &str) -> Option<Error> {
    let n = password.chars().count();
    let bad = ErrorKind::BadRequest;
    if n < MIN_PASSWORD {
        return Some(Error::said(
            bad,
            "password.short",
            &[("length", &n), ("min", &MIN_PASSWORD)],
        ));
    }
    if n > MAX_PASSWORD {
        return Some(Error::said(bad, "password.long", &[("max", &MAX_PASSWORD)]));
    }
    if password.to_lowercase().contains(&login.to_lowercase()) {
        return Some(Error::said(bad, "password.has_login", &[]));
    }
    None
}

/// A password's argon2id PHC string.
fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::internal(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the PHC string (a malformed one matches nothing).
fn password_matches(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the login is unknown, so an unknown login
/// takes as long to refuse as a wrong password.
static DECOY: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("decoy password, never valid").unwrap_or_default());

/// A random password for a new or reset account (20 characters of base32:
/// 100 bits), shown once to the administrator.
fn temporary_password() -> String {
    let mut bytes = [0u8; 13];
    rand::rng().fill_bytes(&mut bytes);
    totp::base32(&bytes)
        .chars()
        .take(20)
        .collect::<String>()
        .to_lowercase()
}

/// The name of a person's own API tokens is this prefix and their login;
/// no other token may be given such a name.
pub const PERSONAL_PREFIX: &str = "personal:";

/// How many unrevoked, unexpired own tokens a person may hold.
pub const MAX_OWN_TOKENS: usize = 10;

/// The longest an own token may live, in days.
pub const MAX_OWN_TOKEN_DAYS: i64 = 365;

fn personal_name(login: &str) -> String {
    format!("{PERSONAL_PREFIX}{login}")
}

/// What a successful sign-in gives the browser.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The cookie's secret (never stored).
    pub secret: String,
    /// What the session may do first: [`SIGNED_IN`], [`ENROL`] or
    /// [`CHANGE_PASSWORD`].
    pub stage: String,
}

/// A request's session: who, and the anti-forgery token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    /// The person as a caller (credential `user:<login>`).
    pub caller: Caller,
    /// The person's record (hashes included: never shown).
    pub user: UserRecord,
    /// The session's stored record.
    pub record: SessionRecord,
}

impl Session {
    /// Whether `token` is this session's anti-forgery token (constant time).
    pub fn csrf_ok(&self, token: &str) -> bool {
        crate::keys::same(&self.record.csrf, token)
    }
}

/// A user as listed.
pub fn info(u: &UserRecord) -> UserInfo {
    UserInfo {
        login: u.login.clone(),
        org: u.org.clone(),
        role: u.role.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
        totp: u.totp_sealed.is_some(),
        totp_required: Role::parse(&u.role).is_none_or(needs_second_factor),
        disabled: u.disabled,
        must_change_password: u.must_change_password,
        created: format_micros(u.created),
    }
}

fn wrong() -> Error {
    Error::said(ErrorKind::Unauthorized, "sign_in.wrong", &[])
}

fn expired() -> Error {
    Error::said(ErrorKind::Unauthorized, "sign_in.session_ended", &[])
}

impl<S: Store> Hub<S> {
    fn bound(login: &str) -> String {
        format!("totp:{login}")
    }

    /// A user the caller may manage (404 for one it may not know of).
    async fn managed_user(&self, who: &Caller, login: &str) -> Result<UserRecord, Error> {
        let user = self.store.user(login).await?;
        user.filter(|u| {
            Role::parse(&u.role).is_some_and(|r| may_manage_users(&who.principal, &u.org, r))
        })
        .ok_or_else(|| Error::said(ErrorKind::NotFound, "user.unknown", &[("login", &login)]))
    }

    /// Creates a console user; the answer carries a temporary password, to be
    /// changed at first sign-in, shown this once.
    pub async fn create_user(&self, who: &Caller, req: UserRequest) -> Result<Value, Error> {
        self.add_user(who, req, None).await
    }

    /// Creates a console user with a chosen password that need not be
    /// changed: for a demonstration world only (`kyoyu serve --demo`),
    /// whose passwords are printed at every start. The same rules as
    /// [`Hub::create_user`] otherwise (who may, which login, which role).
    pub async fn seed_user(
        &self,
        who: &Caller,
        req: UserRequest,
        password: &str,
    ) -> Result<Value, Error> {
        if let Some(problem) = password_problem(password, &req.login) {
            return Err(problem);
        }
        self.add_user(who, req, Some(password)).await
    }

    async fn add_user(
        &self,
        who: &Caller,
        req: UserRequest,
        chosen: Option<&str>,
    ) -> Result<Value, Error> {
        let org = req.org.unwrap_or_else(|| who.principal.org.clone());
        let role_name = req.role.unwrap_or_else(|| "member".into());
        let role = Role::parse(&role_name).ok_or_else(|| {
            Error::said(
                ErrorKind::BadRequest,
                "user.unknown_role",
                &[("role", &role_name)],
            )
        })?;
        if !may_manage_users(&who.principal, &org, role) || who.principal.read_only {
            return Err(Error::said(
                ErrorKind::Forbidden,
                "user.may_not_create",
                &[("role", &role_name), ("org", &org)],
            ));
        }
        if !valid_login(&req.login) {
            return Err(Error::said(
                ErrorKind::BadRequest,
                "user.login_shape",
                &[("login", &req.login)],
            ));
        }
        if self.directory().org(&org).is_none() {
            return Err(Error::said(
                ErrorKind::NotFound,
                "org.unknown",
                &[("org", &org)],
            ));
        }
        let email = req.email.unwrap_or_default();
        if !email.is_empty() && !kyoyu_trust::model::looks_like_email(&email) {
            return Err(Error::said(
                ErrorKind::BadRequest,
                "user.email_shape",
                &[("email", &email)],
            ));
        }
        if self.store.user(&req.login).await?.is_some() {
            return Err(Error::said(
                ErrorKind::Conflict,
                "user.exists",
                &[("login", &req.login)],
            ));
        }
        let password = chosen.map_or_else(temporary_password, str::to_owned);
        let user = UserRecord {
            login: req.login.clone(),
            org: org.clone(),
            role: role.name().into(),
            name: req.name.unwrap_or_else(|| req.login.clone()),
            email,
            password_hash: hash_password(&password)?,
            totp_sealed: None,
            totp_last_step: 0,
            disabled: false,
            must_change_password: chosen.is_none(),
            created: now_micros(),
            language: None,
            time_zone: None,
            last_visit: None,
        };
        self.store
            .apply(
                vec![Change::AddUser(user.clone())],
                who.audit(
                    "user.create",
                    &user.login,
                    json!({"org": org, "role": role.name()}),
                ),
                now_micros(),
            )
            .await?;
        Ok(json!({"user": info(&user), "password": password}))
    }

    /// The users the caller may manage (of `org` when given).
    pub async fn users(&self, who: &Caller, org: Option<&str>) -> Result<Value, Error> {
        let list: Vec<UserInfo> = self
            .store
            .users()
            .await?
            .iter()
            .filter(|u| org.is_none_or(|o| o == u.org))
            .filter(|u| {
                Role::parse(&u.role).is_some_and(|r| may_manage_users(&who.principal, &u.org, r))
                    || who.token_id == format!("user:{}", u.login)
            })
            .map(info)
            .collect();
        Ok(json!({ "users": list }))
    }

    /// Disables (ending its sessions) or enables a user.
    pub async fn set_user_disabled(
        &self,
        who: &Caller,
        login: &str,
        disabled: bool,
    ) -> Result<Value, Error> {
        let mut user = self.managed_user(who, login).await?;
        if who.principal.read_only {
            return Err(Error::said(ErrorKind::Forbidden, "user.read_only", &[]));
        }
        user.disabled = disabled;
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        let mut changes = vec![
            Change::PutUser(user.clone()),
            Change::EndSessions(login.into()),
        ];
        if disabled {
            changes.extend(self.revoke_personal(&user).await?);
        }
        self.store
            .apply(
                changes,
                who.audit(action, login, json!({"org": user.org})),
                now_micros(),
            )
            .await?;
        Ok(json!({ "user": info(&user) }))
    }

    /// Resets a user: a new temporary password (shown once), the second
    /// factor removed (set up again at next sign-in), every session ended.
    pub async fn reset_user(&self, who: &Caller, login: &str) -> Result<Value, Error> {
        let mut user = self.managed_user(who, login).await?;
        if who.principal.read_only {
            return Err(Error::said(ErrorKind::Forbidden, "user.read_only", &[]));
        }
        let password = temporary_password();
        user.password_hash = hash_password(&password)?;
        user.must_change_password = true;
        user.totp_sealed = None;
        user.totp_last_step = 0;
        let mut changes = vec![
            Change::PutUser(user.clone()),
            Change::EndSessions(login.into()),
        ];
        changes.extend(self.revoke_personal(&user).await?);
        self.store
            .apply(
                changes,
                who.audit("user.reset", login, json!({"org": user.org})),
                now_micros(),
            )
            .await?;
        Ok(json!({"user": info(&user), "password": password}))
    }

    /// The person's own tokens that are still valid (never the secrets).
    async fn personal_tokens(
        &self,
        user: &UserRecord,
    ) -> Result<Vec<kyoyu_store::TokenRecord>, Error> {
        let name = personal_name(&user.login);
        let now = now_micros();
        Ok(self
            .store
            .tokens()
            .await?
            .into_iter()
            .filter(|t| t.name == name && t.org == user.org && !t.revoked)
            .filter(|t| t.expires.is_none_or(|e| e > now))
            .collect())
    }

    /// Revocations of every own token of `user` (when disabled or reset:
    /// a token must not outlive the standing it was made with).
    async fn revoke_personal(&self, user: &UserRecord) -> Result<Vec<Change>, Error> {
        Ok(self
            .personal_tokens(user)
            .await?
            .into_iter()
            .map(|t| Change::RevokeToken(t.id))
            .collect())
    }

    /// Sets the person's time zone (an IANA name such as `Asia/Tokyo`;
    /// `None`: the hub's default). The console checks the name against its
    /// time zone database; here only its shape.
    pub async fn set_time_zone(&self, s: &Session, zone: Option<String>) -> Result<(), Error> {
        if let Some(z) = &zone
            && (z.is_empty()
                || z.len() > 64
                || !z
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c)))
        {
            return Err(Error::said(
                ErrorKind::BadRequest,
                "account.time_zone",
                &[("zone", &z)],
            ));
        }
        let mut user = s.user.clone();
        user.time_zone = zone.clone();
        self.store
            .apply(
                vec![Change::PutUser(user)],
                s.caller.audit(
                    "user.preferences",
                    &s.user.login,
                    json!({"time_zone": zone}),
                ),
                now_micros(),
            )
            .await?;
        Ok(())
    }

    /// The signed-in person's own API tokens.
    pub async fn own_tokens(&self, s: &Session) -> Result<Vec<TokenInfo>, Error> {
        Ok(self
            .personal_tokens(&s.user)
            .await?
            .iter()
            .map(crate::admin::token_info)
            .collect())
    }

    /// Makes an API token for the signed-in person: their organization and
    /// role (never more), read-only if asked or if the session is, expiring
    /// in `days` (1 to [`MAX_OWN_TOKEN_DAYS`]). Its secret is returned once.
    /// Disabling or resetting the person revokes it.
    pub async fn issue_own_token(
        &self,
        s: &Session,
        days: i64,
        read_only: bool,
    ) -> Result<(String, TokenInfo), Error> {
        if s.record.stage != SIGNED_IN {
            return Err(Error::said(
                ErrorKind::Forbidden,
                "account.token_not_signed_in",
                &[],
            ));
        }
        if !(1..=MAX_OWN_TOKEN_DAYS).contains(&days) {
            return Err(Error::said(
                ErrorKind::BadRequest,
                "account.token_days",
                &[("max", &MAX_OWN_TOKEN_DAYS), ("days", &days)],
            ));
        }
        if self.personal_tokens(&s.user).await?.len() >= MAX_OWN_TOKENS {
            return Err(Error::said(
                ErrorKind::Conflict,
                "account.token_limit",
                &[("max", &MAX_OWN_TOKENS)],
            ));
        }
        let role = s.caller.principal.role;
        let read_only = read_only || role.reads_only();
        let expires = now_micros().saturating_add(days.saturating_mul(86_400_000_000));
        let (secret, record) = self.new_token(
            &s.user.org,
            role,
            &personal_name(&s.user.login),
            read_only,
            Vec::new(),
            Some(expires),
        );
        let detail = json!({"org": record.org, "role": record.role, "read_only": read_only, "expires": format_micros(expires)});
        self.store
            .apply(
                vec![Change::AddToken(record.clone())],
                s.caller.audit("token.create", &record.id, detail),
                now_micros(),
            )
            .await?;
        Ok((secret, crate::admin::token_info(&record)))
    }

    /// Revokes one of the signed-in person's own tokens (404 for any other).
    pub async fn revoke_own_token(&self, s: &Session, id: &str) -> Result<(), Error> {
        let own = self.personal_tokens(&s.user).await?;
        let t = own.iter().find(|t| t.id == id).ok_or_else(|| {
            Error::said(ErrorKind::NotFound, "account.token_unknown", &[("id", &id)])
        })?;
        self.store
            .apply(
                vec![Change::RevokeToken(t.id.clone())],
                s.caller
                    .audit("token.revoke", &t.id, json!({"org": t.org, "role": t.role})),
                now_micros(),
            )
            .await?;
        Ok(())
    }

    /// Signs a person in. `code` is the TOTP code, needed once one is set
    /// up. Failures say the same whatever was wrong, and count toward the
    /// address's backoff like failed token logins.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        code: Option<&str>,
        ip: Option<IpAddr>,
    ) -> Result<SignedIn, Error> {
        if let Some(wait) = self.guard.blocked(ip) {
            return Err(Error {
                retry_after: Some(wait.max(1)),
                ..Error::said(
                    ErrorKind::TooManyRequests,
                    "sign_in.slow_down",
                    &[("seconds", &wait)],
                )
            });
        }
        let now = now_micros();
        let user = self.store.user(login).await?;
        let Some(mut user) = user.filter(|u| password_matches(&u.password_hash, password)) else {
            // As long as a wrong password takes.
            let _ = password_matches(&DECOY, password);
            self.guard.failed(ip);
            return Err(wrong());
        };
        if let Some(sealed) = &user.totp_sealed {
            let secret = self
                .config
                .conceal
                .local_key
                .open(sealed, &Self::bound(&user.login))
                .ok_or_else(|| {
                    Error::internal(
                        "a second-factor secret cannot be opened with this node's local key",
                    )
                })?;
            let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
                return Err(Error::said(
                    ErrorKind::Unauthorized,
                    "sign_in.code_needed",
                    &[],
                ));
            };
            let Some(step) = totp::verify(&secret, code, now / 1_000_000, user.totp_last_step)
            else {
                self.guard.failed(ip);
                return Err(wrong());
            };
            user.totp_last_step = step;
        }
        if user.disabled {
            return Err(Error::said(ErrorKind::Forbidden, "sign_in.disabled", &[]));
        }
        let role = Role::parse(&user.role).ok_or_else(|| {
            Error::said(
                ErrorKind::Forbidden,
                "sign_in.unknown_role",
                &[("role", &user.role)],
            )
        })?;
        let stage = if user.must_change_password {
            CHANGE_PASSWORD
        } else if user.totp_sealed.is_none() && needs_second_factor(role) {
            ENROL
        } else {
            SIGNED_IN
        };
        let secret = crate::keys::new_secret("kyoyus_");
        let record = SessionRecord {
            hash: self.token_key.hash_hex(&secret),
            login: user.login.clone(),
            created: now,
            last_seen: now,
            csrf: crate::keys::new_secret(""),
            stage: stage.into(),
            pending_totp: None,
            previous_visit: user.last_visit,
        };
        let previous = user.last_visit;
        user.last_visit = Some(now);
        self.store.put_session(record).await?;
        self.store
            .apply(
                vec![Change::PutUser(user.clone())],
                kyoyu_store::AuditDraft {
                    actor_org: user.org.clone(),
                    actor_token: format!("user:{}", user.login),
                    action: "user.sign-in".into(),
                    target: user.login.clone(),
                    detail: json!({"second_factor": user.totp_sealed.is_some(), "previous_visit": previous.map(format_micros)}),
                },
                now,
            )
            .await?;
        Ok(SignedIn {
            secret,
            stage: stage.into(),
        })
    }

    /// The session a cookie's secret names, if it is still valid; marks it
    /// used. The user's standing is read now, so a disabled user or a
    /// changed role takes effect on the next request.
    pub async fn session(&self, secret: &str) -> Result<Session, Error> {
        let now = now_micros();
        let hash = self.token_key.hash_hex(secret);
        let Some(mut record) = self.store.session(&hash).await? else {
            return Err(expired());
        };
        if now - record.last_seen > IDLE_MICROS || now - record.created > ABSOLUTE_MICROS {
            self.store.end_session(&hash).await?;
            return Err(expired());
        }
        let user = self
            .store
            .user(&record.login)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(expired)?;
        let role = Role::parse(&user.role).ok_or_else(expired)?;
        if now - record.last_seen > TOUCH_MICROS {
            record.last_seen = now;
            self.store.put_session(record.clone()).await?;
        }
        let caller = Caller {
            token_id: format!("user:{}", user.login),
            principal: Principal {
                org: user.org.clone(),
                role,
                read_only: role.reads_only() || record.stage != SIGNED_IN,
            },
            limits: (None, Vec::new()),
            directory: self.directory(),
        };
        Ok(Session {
            caller,
            user,
            record,
        })
    }

    /// Removes sessions idle for longer than [`IDLE_MICROS`].
    pub(crate) async fn purge_idle_sessions(&self) -> Result<u64, Error> {
        Ok(self
            .store
            .purge_sessions(now_micros() - IDLE_MICROS)
            .await?)
    }

    /// Ends this session.
    pub async fn sign_out(&self, s: &Session) -> Result<(), Error> {
        self.store.end_session(&s.record.hash).await?;
        self.audit_now(s.caller.audit("user.sign-out", &s.user.login, json!({})))
            .await
    }

    /// Ends every session of this person, on every node.
    pub async fn sign_out_everywhere(&self, s: &Session) -> Result<(), Error> {
        self.store
            .apply(
                vec![Change::EndSessions(s.user.login.clone())],
                s.caller
                    .audit("user.sign-out-everywhere", &s.user.login, json!({})),
                now_micros(),
            )
            .await?;
        Ok(())
    }

    /// Changes the person's password (the current one is asked again).
    pub async fn change_password(
        &self,
        s: &Session,
        current: &str,
        new: &str,
    ) -> Result<(), Error> {
        if !password_matches(&s.user.password_hash, current) {
            return Err(Error::said(
                ErrorKind::Forbidden,
                "password.current_wrong",
                &[],
            ));
        }
        if let Some(problem) = password_problem(new, &s.user.login) {
            return Err(problem);
        }
        let mut user = s.user.clone();
        user.password_hash = hash_password(new)?;
        user.must_change_password = false;
        let mut record = s.record.clone();
        if record.stage == CHANGE_PASSWORD {
            let needs = Role::parse(&user.role).is_none_or(needs_second_factor);
            record.stage = if needs && user.totp_sealed.is_none() {
                ENROL.into()
            } else {
                SIGNED_IN.into()
            };
        }
        // Other sessions end: whoever knew the old password is out.
        self.store
            .apply(
                vec![
                    Change::PutUser(user),
                    Change::EndSessions(s.user.login.clone()),
                ],
                s.caller.audit("user.password", &s.user.login, json!({})),
                now_micros(),
            )
            .await?;
        self.store.put_session(record).await?;
        Ok(())
    }

    /// Starts setting up a second factor: a new secret, kept sealed in the
    /// session until a code confirms it. Returns the base32 secret and the
    /// `otpauth://` URI to show (as text and QR code).
    /// The secret being set up in this session is shown again rather than
    /// replaced (a wrong code, a reload), until a code confirms it.
    pub async fn totp_begin(&self, s: &Session) -> Result<(String, String), Error> {
        if let Some(pending) = s.record.pending_totp.as_deref().and_then(|p| {
            self.config
                .conceal
                .local_key
                .open(p, &format!("pending:{}", s.record.hash))
        }) {
            return Ok((
                totp::base32(&pending),
                totp::uri(&self.config.title, &s.user.login, &pending),
            ));
        }
        let mut secret = [0u8; 20];
        rand::rng().fill_bytes(&mut secret);
        let mut record = s.record.clone();
        record.pending_totp = Some(
            self.config
                .conceal
                .local_key
                .seal(&secret, &format!("pending:{}", record.hash))
                .ok_or_else(|| Error::internal("the second-factor secret could not be sealed"))?,
        );
        self.store.put_session(record).await?;
        Ok((
            totp::base32(&secret),
            totp::uri(&self.config.title, &s.user.login, &secret),
        ))
    }

    /// Confirms the second factor being set up with a code from it.
    pub async fn totp_confirm(&self, s: &Session, code: &str) -> Result<(), Error> {
        let secret = s
            .record
            .pending_totp
            .as_deref()
            .and_then(|p| {
                self.config
                    .conceal
                    .local_key
                    .open(p, &format!("pending:{}", s.record.hash))
            })
            .ok_or_else(|| Error::said(ErrorKind::Conflict, "totp.not_pending", &[]))?;
        let step = totp::verify(&secret, code, now_micros() / 1_000_000, 0)
            .ok_or_else(|| Error::said(ErrorKind::BadRequest, "totp.mismatch", &[]))?;
        let mut user = s.user.clone();
        user.totp_sealed = Some(
            self.config
                .conceal
                .local_key
                .seal(&secret, &Self::bound(&user.login))
                .ok_or_else(|| Error::internal("the second-factor secret could not be sealed"))?,
        );
        user.totp_last_step = step;
        let mut record = s.record.clone();
        record.pending_totp = None;
        if record.stage == ENROL {
            record.stage = SIGNED_IN.into();
        }
        self.store
            .apply(
                vec![Change::PutUser(user)],
                s.caller.audit("user.totp", &s.user.login, json!({})),
                now_micros(),
            )
            .await?;
        self.store.put_session(record).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_and_passwords() {
        for ok in ["t.yamada", "soc-01", "ab", "a_b"] {
            assert!(valid_login(ok), "{ok}");
        }
        for bad in ["", "a", "T.Yamada", ".x", "山田", "a b", &"x".repeat(65)] {
            assert!(!valid_login(bad), "{bad}");
        }
        assert!(password_problem("short", "t").is_some());
        assert!(password_problem("t.yamada-is-my-password", "t.yamada").is_some());
        assert!(password_problem("correct horse battery", "t.yamada").is_none());
    }

    #[test]
    fn password_hashes_verify_and_differ() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(password_matches(&a, "correct horse battery"));
        assert!(!password_matches(&a, "correct horse battery!"));
        assert!(!password_matches("not a hash", "x"));
        let t = temporary_password();
        assert_eq!(t.len(), 20);
        assert!(password_problem(&t, "someone").is_none());
    }
}

#[cfg(test)]
mod service_tests {
    //! The user service over a real SQLite store.
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::{HubConfig, recover_admin_token};
    use kyoyu_store_sqlite::SqliteStore;
    use kyoyu_trust::{Org, OrgKind};

    fn code_for(secret_b32: &str, at: i64) -> String {
        // Decode base32 (the test's own small decoder).
        let mut bits = 0u32;
        let mut buf = 0u32;
        let mut bytes = Vec::new();
        for c in secret_b32.bytes() {
            let v = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
                .find(char::from(c))
                .unwrap() as u32;
            buf = (buf << 5) | v;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push((buf >> bits) as u8);
            }
        }
        format!(
            "{:06}",
            totp::hotp(&bytes, totp::step_of(at) as u64).unwrap()
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn people_sign_in_with_a_second_factor_and_sessions_end() {
        let (_dir, hub, admin) = world("tokai-power", "Tokai Power", "electricity").await;
        let made = hub
            .create_user(
                &admin,
                UserRequest {
                    login: "k.sato".into(),
                    org: Some("tokai-power".into()),
                    role: Some("community-admin".into()),
                    name: Some("佐藤 健".into()),
                    email: Some("k.sato@tokai-power.example.jp".into()),
                },
            )
            .await
            .unwrap();
        let temporary = made["password"].as_str().unwrap().to_owned();
        let again = UserRequest {
            login: "k.sato".into(),
            ..UserRequest::default()
        };
        assert_eq!(
            hub.create_user(&admin, again).await.unwrap_err().kind,
            ErrorKind::Conflict
        );

        // Wrong password, unknown login: the same answer.
        let e1 = hub.sign_in("k.sato", "nope", None, None).await.unwrap_err();
        let e2 = hub.sign_in("nobody", "nope", None, None).await.unwrap_err();
        assert_eq!((e1.kind, &e1.description), (e2.kind, &e2.description));

        // First sign-in: a new password first, then the second factor the role needs.
        let first = hub.sign_in("k.sato", &temporary, None, None).await.unwrap();
        assert_eq!(first.stage, CHANGE_PASSWORD);
        let s = hub.session(&first.secret).await.unwrap();
        assert!(
            s.caller.principal.read_only,
            "nothing but the password change yet"
        );
        assert_eq!(s.caller.token_id, "user:k.sato");
        hub.change_password(&s, &temporary, "a long passphrase for tokai")
            .await
            .unwrap();
        // This session goes on, to the second factor; the old password is refused.
        let second = first;
        let s = hub.session(&second.secret).await.unwrap();
        assert_eq!(s.record.stage, ENROL);
        assert!(hub.sign_in("k.sato", &temporary, None, None).await.is_err());
        let (b32, uri) = hub.totp_begin(&s).await.unwrap();
        assert!(uri.contains(&b32));
        let s = hub.session(&second.secret).await.unwrap();
        assert_eq!(
            hub.totp_begin(&s).await.unwrap().0,
            b32,
            "the secret being set up is shown again, not replaced"
        );
        assert!(hub.totp_confirm(&s, "12 34").await.is_err(), "not a code");
        let now = now_micros() / 1_000_000;
        hub.totp_confirm(&s, &code_for(&b32, now)).await.unwrap();
        let s = hub.session(&second.secret).await.unwrap();
        assert_eq!(s.record.stage, SIGNED_IN);
        assert!(!s.caller.principal.read_only);

        // From now on the code is needed, and works once.
        let e = hub
            .sign_in("k.sato", "a long passphrase for tokai", None, None)
            .await
            .unwrap_err();
        assert!(
            e.description.contains("six-digit code"),
            "{}",
            e.description
        );
        let next = code_for(&b32, now + 30);
        let third = hub
            .sign_in("k.sato", "a long passphrase for tokai", Some(&next), None)
            .await;
        // The code of the next step is accepted (clock drift) unless it is
        // the one just used for enrolment.
        let third = third.unwrap();
        assert_eq!(third.stage, SIGNED_IN);
        assert!(
            hub.sign_in("k.sato", "a long passphrase for tokai", Some(&next), None)
                .await
                .is_err(),
            "a code is good once"
        );

        // The audit trail names the person.
        let entries = hub.store.audit_entries(0, 1000).await.unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "user.sign-in" && e.actor_token == "user:k.sato")
        );
        assert!(
            entries
                .iter()
                .any(|e| e.action == "user.totp" && e.actor_token == "user:k.sato")
        );

        // Disabled: its sessions end at once and it cannot sign in.
        hub.set_user_disabled(&admin, "k.sato", true).await.unwrap();
        assert!(hub.session(&third.secret).await.is_err());
        // Reset: a new temporary password, the second factor gone.
        hub.set_user_disabled(&admin, "k.sato", false)
            .await
            .unwrap();
        let reset = hub.reset_user(&admin, "k.sato").await.unwrap();
        assert_eq!(reset["user"]["totp"], false);
        let p = reset["password"].as_str().unwrap();
        let after = hub.sign_in("k.sato", p, None, None).await.unwrap();
        assert_eq!(after.stage, CHANGE_PASSWORD);

        // Idle sessions end.
        let s = hub.session(&after.secret).await.unwrap();
        let mut old = s.record.clone();
        old.last_seen -= IDLE_MICROS + 1;
        hub.store.put_session(old).await.unwrap();
        assert_eq!(
            hub.session(&after.secret).await.unwrap_err().kind,
            ErrorKind::Unauthorized
        );
        // Only managers see users; a member of another organization does not.
        let list = hub.users(&admin, Some("tokai-power")).await.unwrap();
        assert_eq!(list["users"].as_array().unwrap().len(), 1);
        let listed = list.to_string();
        assert!(
            !listed.contains("argon2") && !listed.contains("totp_sealed"),
            "{listed}"
        );
    }

    /// A hub on a fresh SQLite store, its admin, and one operator.
    async fn world(
        org: &str,
        name: &str,
        sector: &str,
    ) -> (tempfile::TempDir, std::sync::Arc<Hub<SqliteStore>>, Caller) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("hub.db")).unwrap();
        let hub = Hub::open(store.clone(), HubConfig::default())
            .await
            .unwrap();
        let (secret, _) = recover_admin_token(&store).await.unwrap();
        let admin = hub
            .authenticate(Ok(secret), None, now_micros())
            .await
            .unwrap();
        let op = Org {
            sectors: vec![sector.into()],
            ..Org::new(org, OrgKind::Operator, name, "JP")
        };
        hub.create_org(&admin, op).await.unwrap();
        (dir, hub, admin)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn own_tokens_carry_the_person_and_die_with_their_standing() {
        let (_dir, hub, admin) = world("kansai-gas", "Kansai Gas", "gas").await;
        let made = hub
            .create_user(
                &admin,
                UserRequest {
                    login: "m.ito".into(),
                    org: Some("kansai-gas".into()),
                    role: Some("member".into()),
                    name: None,
                    email: None,
                },
            )
            .await
            .unwrap();
        let temporary = made["password"].as_str().unwrap().to_owned();
        let signed = hub.sign_in("m.ito", &temporary, None, None).await.unwrap();
        let s = hub.session(&signed.secret).await.unwrap();
        // Not before the temporary password is replaced.
        assert!(hub.issue_own_token(&s, 30, false).await.is_err());
        hub.change_password(&s, &temporary, "correct horse battery staple")
            .await
            .unwrap();
        let s = hub.session(&signed.secret).await.unwrap();
        for days in [0, -1, 366] {
            assert!(
                hub.issue_own_token(&s, days, false).await.is_err(),
                "{days}"
            );
        }
        let (token, info) = hub.issue_own_token(&s, 30, false).await.unwrap();
        assert_eq!(
            (info.org.as_str(), info.role.as_str()),
            ("kansai-gas", "member")
        );
        assert_eq!(info.name, "personal:m.ito");
        let caller = hub
            .authenticate(Ok(token.clone()), None, now_micros())
            .await
            .unwrap();
        assert_eq!(caller.principal.org, "kansai-gas");
        assert_eq!(hub.own_tokens(&s).await.unwrap().len(), 1);
        // Nobody else may make a token with a person's name.
        let spec = crate::admin::TokenSpec {
            org: "kansai-gas".into(),
            role: Role::Member,
            name: "personal:m.ito".into(),
            read_only: false,
            ip_allow: Vec::new(),
            expires_in: None,
        };
        assert!(hub.issue_token(&admin, spec).await.is_err());
        // Revoking: one's own only; then the token is refused.
        assert!(hub.revoke_own_token(&s, "nosuchtoken").await.is_err());
        hub.revoke_own_token(&s, &info.id).await.unwrap();
        assert!(
            hub.authenticate(Ok(token), None, now_micros())
                .await
                .is_err()
        );
        // Disabling the person revokes what they still hold.
        let (second, _) = hub.issue_own_token(&s, 7, true).await.unwrap();
        hub.set_user_disabled(&admin, "m.ito", true).await.unwrap();
        assert!(
            hub.authenticate(Ok(second), None, now_micros())
                .await
                .is_err()
        );
    }

    /// `seed_user` (the demo world's people): the chosen password signs in
    /// at once, with no change asked; a second factor is still set up when
    /// the role needs one; weak passwords and unauthorized callers are
    /// refused as for `create_user`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn seeded_users_keep_their_chosen_password() {
        let (_dir, hub, admin) = world("tokai-power", "Tokai Power", "electricity").await;
        let person = |login: &str, role: &str| UserRequest {
            login: login.into(),
            org: Some("tokai-power".into()),
            role: Some(role.into()),
            name: Some(login.into()),
            email: None,
        };
        let made = hub
            .seed_user(&admin, person("m.ito", "member"), "demo passphrase 42")
            .await
            .unwrap();
        assert_eq!(made["user"]["must_change_password"], false, "{made}");
        let signed = hub
            .sign_in("m.ito", "demo passphrase 42", None, None)
            .await
            .unwrap();
        assert_eq!(signed.stage, SIGNED_IN, "no password change asked");
        let s = hub.session(&signed.secret).await.unwrap();
        assert!(!s.caller.principal.read_only);

        hub.seed_user(
            &admin,
            person("k.abe", "community-admin"),
            "another demo passphrase",
        )
        .await
        .unwrap();
        let signed = hub
            .sign_in("k.abe", "another demo passphrase", None, None)
            .await
            .unwrap();
        assert_eq!(signed.stage, ENROL, "the role's second factor first");

        assert_eq!(
            hub.seed_user(&admin, person("x.weak", "member"), "short")
                .await
                .unwrap_err()
                .kind,
            ErrorKind::BadRequest
        );
        let member = hub
            .authenticate(
                Ok(hub
                    .issue_token(
                        &admin,
                        crate::admin::TokenSpec {
                            org: "tokai-power".into(),
                            role: Role::Member,
                            name: "t".into(),
                            read_only: false,
                            ip_allow: Vec::new(),
                            expires_in: None,
                        },
                    )
                    .await
                    .unwrap()
                    .0),
                None,
                now_micros(),
            )
            .await
            .unwrap();
        assert_eq!(
            hub.seed_user(&member, person("x.nope", "member"), "demo passphrase 43")
                .await
                .unwrap_err()
                .kind,
            ErrorKind::Forbidden
        );
    }
}
