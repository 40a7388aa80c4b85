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
/// Incident reports.
pub const INCIDENTS: &str = "/console/incidents";
/// The hotline.
pub const HOTLINE: &str = "/console/hotline";
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
/// One object: `/console/intelligence/{id}` (`?version=` picks a version; `/stix` downloads it).
pub const OBJECT_PREFIX: &str = "/console/intelligence/";
/// The person's account page.
pub const ACCOUNT: &str = "/console/account";
/// Changing the password (GET the form, POST fields `current`, `new`, `repeat`).
pub const PASSWORD: &str = "/console/account/password";
/// Making an own API token (POST fields `days`, `read_only`).
pub const ACCOUNT_TOKENS: &str = "/console/account/tokens";
/// Revoking an own API token (POST field `id`).
pub const ACCOUNT_TOKEN_REVOKE: &str = "/console/account/tokens/revoke";
/// Adding a console user (POST fields `login`, `name`, `org`, `role`, `email`).
pub const ADMIN_USERS: &str = "/console/admin/users";
/// Disabling or enabling a user (POST fields `login`, `disabled` = `yes`/`no`).
pub const ADMIN_USER_STATE: &str = "/console/admin/users/state";
/// Resetting a user's password and second factor (POST field `login`).
pub const ADMIN_USER_RESET: &str = "/console/admin/users/reset";
/// Revoking any API token (POST field `id`).
pub const ADMIN_TOKEN_REVOKE: &str = "/console/admin/tokens/revoke";
/// Choosing one's time zone (POST).
pub const ACCOUNT_TIME_ZONE: &str = "/console/account/time-zone";
/// Registering an organization (POST).
pub const ADMIN_ORGS: &str = "/console/admin/orgs";
/// Adding an organization to a community (POST).
pub const ADMIN_MEMBERS: &str = "/console/admin/members";
/// Removing an organization from a community (POST).
pub const ADMIN_MEMBER_REMOVE: &str = "/console/admin/members/remove";
/// Adding a supplier to an operator's circle (POST).
pub const ADMIN_SUPPLIERS: &str = "/console/admin/suppliers";
/// Removing a supplier from an operator's circle (POST).
pub const ADMIN_SUPPLIER_REMOVE: &str = "/console/admin/suppliers/remove";

/// The CSRF field of every form that posts.
pub const CSRF_FIELD: &str = "csrf";
/// The sign-in form's login field.
pub const LOGIN_FIELD: &str = "login";
/// The sign-in form's password field.
pub const PASSWORD_FIELD: &str = "password";
/// The TOTP code field (sign-in and enrolment).
pub const CODE_FIELD: &str = "code";

/// The submit and review forms' button field: `preview`, `submit` (submit page), `approve`,
/// `reject` (review page); on the receipts page `status` (look up) or `withdraw`.
pub const ACTION_FIELD: &str = "action";
/// The search page's full-text field.
pub const QUERY_FIELD: &str = "q";
/// The search page's observable-value field.
pub const VALUE_FIELD: &str = "value";
/// The submit form's STIX file upload (the form is `multipart/form-data`).
pub const FILE_FIELD: &str = "file";
/// The submit form's pasted STIX JSON.
pub const STIX_FIELD: &str = "stix";
/// The review form's kept doubts: one `keep=<number>` per ticked doubt (numbers from 1).
pub const KEEP_FIELD: &str = "keep";
/// The review forms' version read (a hidden field).
pub const REV_FIELD: &str = "rev";
/// The reject form's reason.
pub const REASON_FIELD: &str = "reason";
/// The receipts page's receipt field.
pub const RECEIPT_FIELD: &str = "receipt";
/// The withdraw form's confirmation checkbox (`yes`).
pub const CONFIRM_FIELD: &str = "confirm";
/// An object page's version parameter (`?version=`).
pub const VERSION_QUERY: &str = "version";

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
