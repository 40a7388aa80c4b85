//! The console's paths and form field names, shared by the pages (links, form actions) and the
//! handlers that will answer them.

/// The console's root (the dashboard).
pub const ROOT: &str = "/console";
/// The dashboard.
pub const DASHBOARD: &str = "/console";
/// Browsing intelligence.
pub const INTELLIGENCE: &str = "/console/intelligence";
/// Search.
pub const SEARCH: &str = "/console/search";
/// Submitting a report.
pub const SUBMIT: &str = "/console/submit";
/// The review queue.
pub const REVIEW: &str = "/console/review";
/// The sender's receipts.
pub const RECEIPTS: &str = "/console/receipts";
/// Administration.
pub const ADMIN: &str = "/console/admin";
/// The sign-in form (GET) and its target (POST).
pub const SIGN_IN: &str = "/console/sign-in";
/// Signing out (POST only, with the CSRF field).
pub const SIGN_OUT: &str = "/console/sign-out";
/// TOTP enrolment (GET shows the secret, POST confirms a code).
pub const TOTP_ENROL: &str = "/console/account/totp";
/// The prefix of the assets (`/console/assets/console.<hash>.css`).
pub const ASSETS: &str = "/console/assets/";

/// The CSRF field of every form that posts.
pub const CSRF_FIELD: &str = "csrf";
/// The sign-in form's login field.
pub const LOGIN_FIELD: &str = "login";
/// The sign-in form's password field.
pub const PASSWORD_FIELD: &str = "password";
/// The TOTP code field (sign-in and enrolment).
pub const CODE_FIELD: &str = "code";

/// The request header `console.js` sends on a partial update; its value is the id of the element
/// it will replace. A handler may answer with just that fragment (say, from
/// [`crate::pages::render_object_table`]); a whole page works too, since the script picks the
/// element out of whatever comes back.
pub const PARTIAL_HEADER: &str = "kyoyu-partial";

/// `path` if it is a local path (`/…`, not `//…` or `/\…`), else the console's root: what the
/// pages put in links built from request data, so none leads off the hub.
pub fn local_or_root(path: &str) -> &str {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control());
    if local { path } else { ROOT }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_pass() {
        for ok in ["/console", "/console/search?q=a&lang=en", "/"] {
            assert_eq!(local_or_root(ok), ok);
        }
        for bad in [
            "",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "console",
            "/console\n/x",
        ] {
            assert_eq!(local_or_root(bad), ROOT, "{bad:?}");
        }
    }
}
