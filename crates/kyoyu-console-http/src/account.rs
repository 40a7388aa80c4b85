//! Signing in and out, the second factor, and the console's static files.

use crate::visit::{PRESESSION_COOKIE, SESSION_COOKIE, Visit, encode, query_value, set_cookie};
use axum::Form;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kyoyu_console::{
    AccountPage, PasswordPage, PasswordProblem, SignInNotice, SignInPage, SignInProblem, TokenRow,
    TotpEnrolPage, TotpProblem, paths, render_account, render_password, render_sign_in,
    render_totp_enrol,
};
use kyoyu_core::users::SIGNED_IN;
use kyoyu_core::{Backend, ErrorKind};
use serde::Deserialize;

/// `/`: the console.
pub(crate) async fn front_door() -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(paths::ROOT));
    r
}

/// `/favicon.ico`: browsers ask for it whatever the page says.
pub(crate) async fn favicon() -> Response {
    asset_response(kyoyu_console::assets::favicon())
}

/// An embedded asset by its hashed name.
pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    match kyoyu_console::asset(&file) {
        Some(a) => asset_response(a),
        None => (StatusCode::NOT_FOUND, "no such console asset").into_response(),
    }
}

fn asset_response(a: &kyoyu_console::Asset) -> Response {
    let mut r = a.bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(kyoyu_console::assets::ASSET_CACHE_CONTROL),
    );
    r
}

/// The sign-in form's token and where to go after, kept in a cookie of
/// its own (`<token>.<next, percent-encoded>`).
fn presession(value: Option<&str>) -> Option<(&str, String)> {
    let (token, next) = value?.split_once('.')?;
    let next = crate::visit::decode(next);
    Some((token, next))
}

/// The sign-in page with a fresh form token (and its cookie).
fn sign_in_page<S: Backend>(
    v: &Visit<S>,
    status: StatusCode,
    login: &str,
    problem: Option<SignInProblem>,
    notice: Option<SignInNotice>,
    next: &str,
) -> Response {
    let token = kyoyu_core::keys::new_secret("");
    let page = SignInPage {
        chrome: v.chrome(None),
        login: login.to_owned(),
        problem,
        notice,
        csrf_token: Some(token.clone()),
    };
    let mut r = v.page_with(status, render_sign_in(&page));
    let value = format!("{token}.{}", encode(paths::local_or_root(next)));
    set_cookie(
        r.headers_mut(),
        PRESESSION_COOKIE,
        &value,
        paths::SIGN_IN,
        Some(3600),
    );
    r
}

/// GET `/console/sign-in`.
pub(crate) async fn sign_in_form<S: Backend>(v: Visit<S>) -> Response {
    let query = v.path.split_once('?').map_or("", |(_, q)| q).to_owned();
    let next = query_value(&query, "next").unwrap_or_else(|| paths::ROOT.into());
    if let Some(s) = &v.session
        && s.record.stage == SIGNED_IN
    {
        return v.redirect(&next);
    }
    let problem =
        (v.expired || query_value(&query, "expired").is_some()).then_some(SignInProblem::Expired);
    let notice = query_value(&query, "signed_out").map(|_| SignInNotice::SignedOut);
    sign_in_page(&v, StatusCode::OK, "", problem, notice, &next)
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// POST `/console/sign-in`.
pub(crate) async fn sign_in<S: Backend>(v: Visit<S>, Form(f): Form<SignInForm>) -> Response {
    let kept = presession(v.cookie(PRESESSION_COOKIE));
    let next = kept
        .as_ref()
        .map_or_else(|| paths::ROOT.to_owned(), |(_, n)| n.clone());
    let login = f.login.trim().to_lowercase();
    let form_ok = v.same_origin()
        && kept
            .as_ref()
            .is_some_and(|(t, _)| kyoyu_core::keys::same(t, &f.csrf));
    if !form_ok {
        return sign_in_page(
            &v,
            StatusCode::FORBIDDEN,
            &login,
            Some(SignInProblem::FormExpired),
            None,
            &next,
        );
    }
    let code = Some(f.code.trim()).filter(|c| !c.is_empty());
    match v.hub.sign_in(&login, &f.password, code, v.ip).await {
        Ok(signed) => {
            let to = match signed.stage.as_str() {
                SIGNED_IN => next,
                kyoyu_core::users::ENROL => paths::TOTP_ENROL.to_owned(),
                _ => "/console/account/password".to_owned(),
            };
            let mut r = v.redirect(&to);
            let h = r.headers_mut();
            set_cookie(h, SESSION_COOKIE, &signed.secret, paths::ROOT, None);
            set_cookie(h, PRESESSION_COOKIE, "", paths::SIGN_IN, Some(0));
            r
        }
        Err(e) => {
            let (status, problem) = match e.kind {
                ErrorKind::TooManyRequests => {
                    (StatusCode::TOO_MANY_REQUESTS, SignInProblem::TooMany)
                }
                ErrorKind::Forbidden => (StatusCode::FORBIDDEN, SignInProblem::Disabled),
                ErrorKind::Unauthorized => (StatusCode::UNAUTHORIZED, SignInProblem::Invalid),
                _ => return v.error(&e),
            };
            sign_in_page(&v, status, &login, Some(problem), None, &next)
        }
    }
}

/// A form that only carries its token (and a choice).
#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    everywhere: Option<String>,
}

/// POST `/console/sign-out`: this session, or every session of the
/// person with `everywhere`.
pub(crate) async fn sign_out<S: Backend>(v: Visit<S>, Form(f): Form<TokenForm>) -> Response {
    let s = match v.any_session() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let done = if f.everywhere.is_some() {
        v.hub.sign_out_everywhere(s).await
    } else {
        v.hub.sign_out(s).await
    };
    if let Err(e) = done {
        return v.error(&e);
    }
    let mut r = v.redirect("/console/sign-in?signed_out=1");
    set_cookie(r.headers_mut(), SESSION_COOKIE, "", paths::ROOT, Some(0));
    r
}

/// The set-up page of the second factor.
async fn totp_page<S: Backend>(v: &Visit<S>, problem: Option<TotpProblem>) -> Response {
    let s = match v.any_session() {
        Ok(s) => s,
        Err(r) => return r,
    };
    match v.hub.totp_begin(s).await {
        Ok((secret, uri)) => {
            let page = TotpEnrolPage {
                chrome: v.chrome(None),
                secret_base32: secret,
                otpauth_uri: uri,
                csrf_token: s.record.csrf.clone(),
                problem,
            };
            let status = if problem.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            v.page_with(status, render_totp_enrol(&page))
        }
        Err(e) => v.error(&e),
    }
}

/// GET `/console/account/totp`.
pub(crate) async fn totp_form<S: Backend>(v: Visit<S>) -> Response {
    totp_page(&v, None).await
}

/// The code that confirms a second factor.
#[derive(Debug, Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// POST `/console/account/totp`.
pub(crate) async fn totp_confirm<S: Backend>(v: Visit<S>, Form(f): Form<CodeForm>) -> Response {
    let s = match v.any_session() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if v.check_form(s, &f.csrf).is_err() {
        return totp_page(&v, Some(TotpProblem::FormExpired)).await;
    }
    match v.hub.totp_confirm(s, f.code.trim()).await {
        Ok(()) => v.redirect(paths::ROOT),
        Err(e) if e.kind == ErrorKind::BadRequest => {
            totp_page(&v, Some(TotpProblem::WrongCode)).await
        }
        Err(e) => v.error(&e),
    }
}

/// The change-password page.
fn password_page<S: Backend>(
    v: &Visit<S>,
    s: &kyoyu_core::users::Session,
    status: StatusCode,
    problem: Option<PasswordProblem>,
) -> Response {
    let page = PasswordPage {
        chrome: v.chrome(None),
        required: s.record.stage == kyoyu_core::users::CHANGE_PASSWORD,
        csrf_token: s.record.csrf.clone(),
        problem,
    };
    v.page_with(status, render_password(&page))
}

/// GET `/console/account/password`.
pub(crate) async fn password_form<S: Backend>(v: Visit<S>) -> Response {
    match v.any_session() {
        Ok(s) => password_page(&v, s, StatusCode::OK, None),
        Err(r) => r,
    }
}

/// The change-password form.
#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// POST `/console/account/password`: the person's other sessions end;
/// this one goes on (to the second factor's set-up if it is needed).
pub(crate) async fn change_password<S: Backend>(
    v: Visit<S>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let s = match v.any_session() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    if f.new != f.repeat {
        return password_page(
            &v,
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(PasswordProblem::Mismatch),
        );
    }
    match v.hub.change_password(s, &f.current, &f.new).await {
        Ok(()) => v.redirect(paths::ROOT),
        Err(e) if matches!(e.kind, ErrorKind::BadRequest | ErrorKind::Forbidden) => {
            let status = crate::visit::status_of(&e);
            password_page(&v, s, status, Some(PasswordProblem::Refused(v.explain(&e))))
        }
        Err(e) => v.error(&e),
    }
}

/// The account page.
async fn account_page<S: Backend>(
    v: &Visit<S>,
    s: &kyoyu_core::users::Session,
    status: StatusCode,
    new_secret: Option<String>,
    problem: Option<String>,
) -> Response {
    let tokens = match v.hub.own_tokens(s).await {
        Ok(t) => t,
        Err(e) => return v.error(&e),
    };
    let page = AccountPage {
        chrome: v.chrome(None),
        role: s.user.role.clone(),
        second_factor: s.user.totp_sealed.is_some(),
        time_zone: s.user.time_zone.clone(),
        zones: ZONES.iter().map(|z| (*z).to_owned()).collect(),
        tokens: tokens.into_iter().map(token_row).collect(),
        new_secret,
        csrf_token: s.record.csrf.clone(),
        problem,
    };
    v.page_with(status, render_account(&page))
}

/// GET `/console/account`.
pub(crate) async fn account<S: Backend>(v: Visit<S>) -> Response {
    match v.signed_in() {
        Ok(s) => account_page(&v, s, StatusCode::OK, None, None).await,
        Err(r) => r,
    }
}

/// A new own token's form.
#[derive(Debug, Deserialize)]
pub(crate) struct NewTokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    read_only: Option<String>,
}

/// POST `/console/account/tokens`: the secret is on the answer's page, once.
pub(crate) async fn create_token<S: Backend>(v: Visit<S>, Form(f): Form<NewTokenForm>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let Ok(days) = f.days.trim().parse::<i64>() else {
        let why = format!("'{}' is not a number of days", f.days);
        return account_page(&v, s, StatusCode::BAD_REQUEST, None, Some(why)).await;
    };
    match v.hub.issue_own_token(s, days, f.read_only.is_some()).await {
        Ok((secret, _)) => account_page(&v, s, StatusCode::CREATED, Some(secret), None).await,
        Err(e) => {
            let status = crate::visit::status_of(&e);
            account_page(&v, s, status, None, Some(v.explain(&e))).await
        }
    }
}

/// Which own token to revoke.
#[derive(Debug, Deserialize)]
pub(crate) struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

/// POST `/console/account/tokens/revoke`.
pub(crate) async fn revoke_token<S: Backend>(v: Visit<S>, Form(f): Form<RevokeForm>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    match v.hub.revoke_own_token(s, f.id.trim()).await {
        Ok(()) => account_page(&v, s, StatusCode::OK, None, None).await,
        Err(e) => {
            let status = crate::visit::status_of(&e);
            account_page(&v, s, status, None, Some(v.explain(&e))).await
        }
    }
}

/// A token as the console lists it.
pub(crate) fn token_row(t: kyoyu_wire::admin::TokenInfo) -> TokenRow {
    TokenRow {
        id: t.id,
        name: t.name,
        org: t.org,
        role: t.role,
        read_only: t.read_only,
        created: t.created,
        expires: t.expires,
        revoked: t.revoked,
    }
}

/// The time zones the account page offers (any IANA name the bundled
/// database knows is accepted).
const ZONES: [&str; 10] = [
    "Asia/Tokyo",
    "UTC",
    "Asia/Seoul",
    "Asia/Singapore",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
];

/// The time-zone form.
#[derive(Debug, Deserialize)]
pub(crate) struct ZoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    zone: String,
}

/// POST `/console/account/time-zone`: empty for the hub's default.
pub(crate) async fn time_zone<S: Backend>(v: Visit<S>, Form(f): Form<ZoneForm>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let zone = Some(f.zone.trim().to_owned()).filter(|z| !z.is_empty());
    if let Some(z) = &zone
        && jiff::tz::TimeZone::get(z).is_err()
    {
        let why = format!("'{z}' is not a time zone this hub knows (write it as Asia/Tokyo)");
        return account_page(&v, s, StatusCode::BAD_REQUEST, None, Some(why)).await;
    }
    match v.hub.set_time_zone(s, zone).await {
        Ok(()) => v.redirect(paths::ACCOUNT),
        Err(e) => v.error(&e),
    }
}
