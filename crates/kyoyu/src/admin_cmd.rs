//! The administration commands (`kyoyu org|community|member|supplier|token|audit`):
//! each is one or a few calls to the running hub's REST API.

// `Value[key]` answers Null for a missing key or a non-object: it cannot panic.
#![allow(clippy::indexing_slicing)]
// Parsed once per process: the size of a subcommand's arguments does not matter.
#![allow(clippy::large_enum_variant)]

use serde_json::{Value, json};

/// Where the hub is and who is asking.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Remote {
    /// URL of the hub, e.g. http://127.0.0.1:8470
    #[arg(
        long,
        env = "KYOYU_URL",
        default_value = "http://127.0.0.1:8470",
        global = true
    )]
    url: String,
    /// An API token.
    #[arg(long, env = "KYOYU_TOKEN", hide_env_values = true, global = true)]
    token: Option<String>,
}

/// What went wrong: the message and the exit status.
pub(crate) struct Failure(String, u8);

impl Failure {
    /// A usage error (exit 2).
    pub(crate) fn usage(why: &str) -> Self {
        Failure(why.to_owned(), crate::EXIT_USAGE)
    }

    /// Prints the message; returns the exit status.
    pub(crate) fn report(self) -> u8 {
        eprintln!("kyoyu: {}", self.0);
        self.1
    }
}

impl Remote {
    /// The typed client of this hub, with the token.
    pub(crate) fn client(&self) -> Result<kyoyu_client::Client, Failure> {
        let token = self.token.as_deref().ok_or_else(|| {
            Failure(
                "give a token with --token or KYOYU_TOKEN (the admin token is in the hub's data directory)".into(),
                crate::EXIT_USAGE,
            )
        })?;
        Ok(kyoyu_client::Client::new(&self.url, token))
    }

    /// Calls the API; a non-2xx answer becomes a failure naming the hub's reason.
    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        self.client()?
            .call(method, path, body)
            .map_err(Failure::from)
    }
}

impl From<kyoyu_client::ClientError> for Failure {
    /// Refused: exit 1 with the hub's reason; unreachable: exit 2.
    fn from(e: kyoyu_client::ClientError) -> Self {
        let code = match e {
            kyoyu_client::ClientError::Refused { .. } => 1,
            kyoyu_client::ClientError::Unreachable(_) => crate::EXIT_USAGE,
        };
        Failure(e.to_string(), code)
    }
}

/// Runs a command body, printing failures; returns the exit status.
/// `audit verify` could not read the trail: not the same as finding it
/// tampered (exit 1), so a script can tell a network failure from an alarm.
const EXIT_UNCHECKED: u8 = 3;

fn cannot_check(why: &str) -> u8 {
    eprintln!("kyoyu: the audit trail could not be checked: {why}");
    EXIT_UNCHECKED
}

fn finish(result: Result<(), Failure>) -> u8 {
    result.map_or_else(Failure::report, |()| 0)
}

fn print_json(v: &Value) {
    out!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// Prints `v` as JSON with `--json`, else in the human form.
fn show(json: bool, v: &Value, human: impl FnOnce(&Value)) {
    if json {
        print_json(v);
    } else {
        human(v);
    }
}

/// A string field, or "".
fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// Parses `30d`, `12h`, `90m`, `45s`, `2w` or plain seconds.
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (n, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: i64 = n
        .parse()
        .map_err(|_| format!("'{s}' is not a duration such as 30d, 12h, 90m or 3600"))?;
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(format!("'{s}': use the units s, m, h, d or w")),
    };
    n.checked_mul(factor)
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("'{s}' must be a positive duration"))
}

/// An organization's sectors and identifying data (what concealment scrubs),
/// shared by `org create` and `org update` (where each list given replaces
/// the stored one).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct OrgData {
    /// A sector id (repeat); see `kyoyu org sectors`.
    #[arg(long = "sector")]
    sectors: Vec<String>,
    /// An internet domain it owns (repeat).
    #[arg(long = "domain")]
    domains: Vec<String>,
    /// An address range it owns, as CIDR (repeat).
    #[arg(long = "ip-range")]
    ip_ranges: Vec<String>,
    /// Another name or brand (repeat).
    #[arg(long = "alias")]
    aliases: Vec<String>,
    /// An autonomous system number (repeat).
    #[arg(long = "asn")]
    asns: Vec<u32>,
    /// A staff name, for scrubbing (repeat).
    #[arg(long = "staff")]
    staff: Vec<String>,
    /// A host-naming scheme, as a regular expression (repeat), e.g. 'ep-[a-z]+-\d+'.
    #[arg(long = "host-pattern")]
    host_patterns: Vec<String>,
}

impl OrgData {
    /// The lists that were given, by JSON key.
    fn given(&self) -> Vec<(&'static str, Value)> {
        [
            ("sectors", json!(self.sectors), self.sectors.is_empty()),
            ("domains", json!(self.domains), self.domains.is_empty()),
            (
                "ip_ranges",
                json!(self.ip_ranges),
                self.ip_ranges.is_empty(),
            ),
            ("aliases", json!(self.aliases), self.aliases.is_empty()),
            ("asns", json!(self.asns), self.asns.is_empty()),
            ("staff", json!(self.staff), self.staff.is_empty()),
            (
                "host_patterns",
                json!(self.host_patterns),
                self.host_patterns.is_empty(),
            ),
        ]
        .into_iter()
        .filter(|(_, _, empty)| !empty)
        .map(|(k, v, _)| (k, v))
        .collect()
    }
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum OrgCommand {
    /// Register an organization (it joins its sectors' and the standing communities).
    Create {
        /// Identifier: 2-64 of a-z, 0-9 and '-'.
        id: String,
        /// operator, ceptoar, ceptoar-council, ministry, national-centre, supplier, research, overseas-partner.
        #[arg(long)]
        kind: String,
        /// Name (default: the id).
        #[arg(long)]
        name: Option<String>,
        /// Name in Japanese.
        #[arg(long)]
        name_ja: Option<String>,
        /// ISO 3166-1 alpha-2 country code (default: the hub's country).
        #[arg(long)]
        country: Option<String>,
        /// A contact e-mail address (repeat).
        #[arg(long = "contact-email")]
        contacts: Vec<String>,
        #[command(flatten)]
        data: OrgData,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List organizations.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one organization and its communities.
    Show {
        /// Organization id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change an organization's record: each list given replaces the stored one.
    Update {
        /// Organization id.
        id: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New Japanese name.
        #[arg(long)]
        name_ja: Option<String>,
        #[command(flatten)]
        data: OrgData,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an organization (its memberships go, its tokens are revoked).
    Delete {
        /// Organization id.
        id: String,
    },
    /// List the sectors and their competent ministries.
    Sectors {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn org(remote: &Remote, cmd: &OrgCommand) -> u8 {
    finish(match cmd {
        OrgCommand::Create {
            id,
            kind,
            name,
            name_ja,
            country,
            contacts,
            data,
            json,
        } => {
            let mut body = json!({
                "id": id, "kind": kind, "name": name.clone().unwrap_or_else(|| id.clone()),
                "country": country.clone().unwrap_or_default(),
                "contacts": contacts.iter().map(|e| json!({"email": e})).collect::<Vec<_>>(),
            });
            if let Some(map) = body.as_object_mut() {
                map.extend(data.given().into_iter().map(|(k, v)| (k.to_owned(), v)));
                if let Some(ja) = name_ja {
                    map.insert("name_ja".into(), json!(ja));
                }
            }
            remote
                .call("POST", "/api/orgs", Some(&body))
                .map(|o| show(*json, &o, |_| out!("{id}")))
        }
        OrgCommand::List { json } => remote.call("GET", "/api/orgs", None).map(|v| {
            if *json {
                print_json(&v);
                return;
            }
            for o in v["orgs"].as_array().into_iter().flatten() {
                out!(
                    "{:<28} {:<17} {:<28} {}",
                    text(o, "id"),
                    text(o, "kind"),
                    o["sectors"]
                        .as_array()
                        .map(|s| s
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(","))
                        .unwrap_or_default(),
                    text(o, "name")
                );
            }
        }),
        OrgCommand::Show { id, json } => {
            remote
                .call("GET", &format!("/api/orgs/{id}"), None)
                .map(|v| {
                    if *json {
                        print_json(&v);
                    } else {
                        out!("{} ({}): {}", id, text(&v, "kind"), text(&v, "name"));
                        for c in v["communities"].as_array().into_iter().flatten() {
                            out!("  {:<32} {}", text(c, "community"), text(c, "standing"));
                        }
                    }
                })
        }
        OrgCommand::Update {
            id,
            name,
            name_ja,
            data,
            json,
        } => remote
            .call("GET", &format!("/api/orgs/{id}"), None)
            .and_then(|mut org| {
                if let Some(map) = org.as_object_mut() {
                    map.remove("communities");
                    if let Some(n) = name {
                        map.insert("name".into(), json!(n));
                    }
                    if let Some(n) = name_ja {
                        map.insert("name_ja".into(), json!(n));
                    }
                    map.extend(data.given().into_iter().map(|(k, v)| (k.to_owned(), v)));
                }
                remote.call("PUT", &format!("/api/orgs/{id}"), Some(&org))
            })
            .map(|o| show(*json, &o, |_| out!("{id}"))),
        OrgCommand::Delete { id } => remote
            .call("DELETE", &format!("/api/orgs/{id}"), None)
            .map(|_| ()),
        OrgCommand::Sectors { json } => remote.call("GET", "/api/sectors", None).map(|v| {
            if *json {
                print_json(&v);
                return;
            }
            for s in v["sectors"].as_array().into_iter().flatten() {
                out!(
                    "{:<26} {:<6} {:<40} {}",
                    text(s, "id"),
                    text(s, "ministry"),
                    text(s, "name"),
                    text(s, "name_ja")
                );
            }
        }),
    })
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum CommunityCommand {
    /// Create a community and its TAXII collection (alias = the id).
    /// Sector, national and standing communities exist from the start.
    Create {
        /// Identifier: 2-64 of a-z, 0-9 and '-'.
        id: String,
        /// iot, national, ceptoar-council, overseas or custom.
        #[arg(long)]
        kind: String,
        /// Name (default: the id).
        #[arg(long)]
        name: Option<String>,
        /// Name in Japanese.
        #[arg(long)]
        name_ja: Option<String>,
        /// Level of content without a known TLP marking: green, amber (default), amber+strict, red.
        #[arg(long)]
        default_tlp: Option<String>,
        /// How far federation may carry its content: organization, community (default), connected, all.
        #[arg(long)]
        distribution: Option<String>,
        /// A community whose members may read this one's TLP:CLEAR content (repeat).
        #[arg(long = "connected")]
        connected: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List communities.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a community and its members.
    Show {
        /// Community id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Whether concealed submissions in which no doubt was found go without
    /// a reviewer (by default every one waits for a reviewer).
    Review {
        /// Community id.
        id: String,
        /// true: those without doubts go without a reviewer; false: every one waits.
        #[arg(long, action = clap::ArgAction::Set)]
        release_without_review: bool,
    },
}

pub(crate) fn community(remote: &Remote, cmd: &CommunityCommand) -> u8 {
    finish(match cmd {
        CommunityCommand::Create {
            id,
            kind,
            name,
            name_ja,
            default_tlp,
            distribution,
            connected,
            json,
        } => {
            let mut body = json!({ "id": id, "kind": kind, "connected": connected });
            if let Some(map) = body.as_object_mut() {
                for (k, v) in [
                    ("name", name),
                    ("name_ja", name_ja),
                    ("default_tlp", default_tlp),
                    ("distribution", distribution),
                ] {
                    if let Some(v) = v {
                        map.insert(k.into(), json!(v));
                    }
                }
            }
            remote
                .call("POST", "/api/communities", Some(&body))
                .map(|c| show(*json, &c, |_| out!("{id}")))
        }
        CommunityCommand::List { json } => remote.call("GET", "/api/communities", None).map(|v| {
            if *json {
                print_json(&v);
                return;
            }
            for c in v["communities"].as_array().into_iter().flatten() {
                out!(
                    "{:<32} {:<16} {:>4} members  default {:<12} {}",
                    text(c, "id"),
                    text(c, "kind"),
                    c["members"].as_u64().unwrap_or(0),
                    text(c, "default_tlp"),
                    text(c, "name")
                );
            }
        }),
        CommunityCommand::Show { id, json } => remote
            .call("GET", &format!("/api/communities/{id}"), None)
            .map(|v| {
                if *json {
                    print_json(&v);
                    return;
                }
                out!("{id}: {}", text(&v, "name"));
                for m in v["members"].as_array().into_iter().flatten() {
                    out!("  {:<32} {}", text(m, "org"), text(m, "standing"));
                }
            }),
        CommunityCommand::Review {
            id,
            release_without_review,
        } => remote
            .call(
                "PUT",
                &format!("/api/communities/{id}/review"),
                Some(&json!({ "release_without_review": release_without_review })),
            )
            .map(|_| ()),
    })
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum MemberCommand {
    /// Add an organization to a community, or change its standing.
    Add {
        /// Community id.
        community: String,
        /// Organization id.
        org: String,
        /// member (default), community-admin or observer.
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Remove an organization from a community.
    Remove {
        /// Community id.
        community: String,
        /// Organization id.
        org: String,
    },
}

pub(crate) fn member(remote: &Remote, cmd: &MemberCommand) -> u8 {
    finish(match cmd {
        MemberCommand::Add {
            community,
            org,
            role,
        } => remote
            .call(
                "PUT",
                &format!("/api/communities/{community}/members/{org}"),
                Some(&json!({ "role": role })),
            )
            .map(|_| ()),
        MemberCommand::Remove { community, org } => remote
            .call(
                "DELETE",
                &format!("/api/communities/{community}/members/{org}"),
                None,
            )
            .map(|_| ()),
    })
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum SupplierCommand {
    /// SUPPLIER joins OPERATOR's supplier circle.
    Add {
        /// The operator.
        operator: String,
        /// The supplier or outsourcer.
        supplier: String,
    },
    /// SUPPLIER leaves OPERATOR's supplier circle.
    Remove {
        /// The operator.
        operator: String,
        /// The supplier.
        supplier: String,
    },
}

pub(crate) fn supplier(remote: &Remote, cmd: &SupplierCommand) -> u8 {
    finish(match cmd {
        SupplierCommand::Add { operator, supplier } => remote
            .call(
                "PUT",
                &format!("/api/orgs/{operator}/suppliers/{supplier}"),
                None,
            )
            .map(|_| ()),
        SupplierCommand::Remove { operator, supplier } => remote
            .call(
                "DELETE",
                &format!("/api/orgs/{operator}/suppliers/{supplier}"),
                None,
            )
            .map(|_| ()),
    })
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum TokenCommand {
    /// Issue a token; prints only the token on stdout.
    Create {
        /// The organization it acts for (default: the caller's).
        #[arg(long)]
        org: Option<String>,
        /// member, analyst, community-admin, ministry-liaison, national-centre-officer or hub-admin.
        #[arg(long, default_value = "member")]
        role: String,
        /// A label.
        #[arg(long)]
        name: Option<String>,
        /// Lifetime: 30d, 12h, 90m, 2w or seconds.
        #[arg(long)]
        expires: Option<String>,
        /// It may read but never write.
        #[arg(long)]
        read_only: bool,
        /// An address range it may be used from, as CIDR (repeat; default anywhere).
        #[arg(long = "ip-allow")]
        ip_allow: Vec<String>,
        /// Print the whole answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List tokens (hub admins: all; others: their organization's).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id; takes effect at once.
    Revoke {
        /// Token id (from `kyoyu token list`).
        id: String,
    },
}

pub(crate) fn token(remote: &Remote, cmd: &TokenCommand) -> u8 {
    finish(match cmd {
        TokenCommand::Create {
            org,
            role,
            name,
            expires,
            read_only,
            ip_allow,
            json,
        } => {
            let expires_in = match expires.as_deref().map(parse_duration).transpose() {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("kyoyu: --expires {e}");
                    return crate::EXIT_USAGE;
                }
            };
            let body = json!({
                "org": org, "role": role, "name": name, "read_only": read_only,
                "ip_allow": ip_allow, "expires_in": expires_in,
            });
            remote.call("POST", "/api/tokens", Some(&body)).map(|t| {
                if *json {
                    print_json(&t);
                } else {
                    out!("{}", text(&t, "token"));
                }
            })
        }
        TokenCommand::List { json } => remote.call("GET", "/api/tokens", None).map(|v| {
            if *json {
                print_json(&v);
                return;
            }
            for t in v["tokens"].as_array().into_iter().flatten() {
                out!(
                    "{:<10} {:<24} {:<24} {:<10} {}",
                    text(t, "id"),
                    text(t, "org"),
                    text(t, "role"),
                    if t["revoked"].as_bool().unwrap_or(false) {
                        "revoked"
                    } else if t["read_only"].as_bool().unwrap_or(false) {
                        "read-only"
                    } else {
                        ""
                    },
                    text(t, "name")
                );
            }
        }),
        TokenCommand::Revoke { id } => remote
            .call("DELETE", &format!("/api/tokens/{id}"), None)
            .map(|_| ()),
    })
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum UserCommand {
    /// Create a console user; prints the temporary password (changed at first sign-in).
    Create {
        /// Sign-in name (a-z, 0-9, '.', '_', '-').
        login: String,
        /// The organization (default: the caller's).
        #[arg(long)]
        org: Option<String>,
        /// member, analyst, community-admin, ministry-liaison, national-centre-officer or hub-admin.
        #[arg(long, default_value = "member")]
        role: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Print the whole answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the users you may manage.
    List {
        /// Only this organization's.
        #[arg(long)]
        org: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: it cannot sign in and its sessions end at once.
    Disable {
        /// Sign-in name.
        login: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// Sign-in name.
        login: String,
    },
    /// Reset a user: prints a new temporary password; the second factor is
    /// removed (set up again at next sign-in) and every session ends.
    Reset {
        /// Sign-in name.
        login: String,
    },
}

pub(crate) fn user(remote: &Remote, cmd: &UserCommand) -> u8 {
    let state = |login: &str, disabled: bool| {
        remote
            .call(
                "PUT",
                &format!("/api/users/{login}/state"),
                Some(&json!({ "disabled": disabled })),
            )
            .map(|_| ())
    };
    finish(match cmd {
        UserCommand::Create {
            login,
            org,
            role,
            name,
            email,
            json,
        } => {
            let body =
                json!({"login": login, "org": org, "role": role, "name": name, "email": email});
            remote.call("POST", "/api/users", Some(&body)).map(|u| {
                if *json {
                    print_json(&u);
                } else {
                    out!("{}", text(&u, "password"));
                }
            })
        }
        UserCommand::List { org, json } => {
            let path = match org {
                Some(o) => format!("/api/users?org={o}"),
                None => "/api/users".into(),
            };
            remote.call("GET", &path, None).map(|v| {
                if *json {
                    print_json(&v);
                    return;
                }
                for u in v["users"].as_array().into_iter().flatten() {
                    let flags: Vec<&str> = [
                        (u["disabled"] == true, "disabled"),
                        (u["totp"] == true, "2fa"),
                        (
                            u["totp_required"] == true && u["totp"] != true,
                            "2fa-pending",
                        ),
                        (u["must_change_password"] == true, "new-password"),
                    ]
                    .into_iter()
                    .filter_map(|(on, f)| on.then_some(f))
                    .collect();
                    out!(
                        "{:<24} {:<24} {:<24} {:<28} {}",
                        text(u, "login"),
                        text(u, "org"),
                        text(u, "role"),
                        flags.join(","),
                        text(u, "name")
                    );
                }
            })
        }
        UserCommand::Disable { login } => state(login, true),
        UserCommand::Enable { login } => state(login, false),
        UserCommand::Reset { login } => remote
            .call("POST", &format!("/api/users/{login}/reset"), None)
            .map(|u| out!("{}", text(&u, "password"))),
    })
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain of the whole audit trail.
    /// Exit status: 0 intact, 1 tampered (names the first bad entry), 2 unreachable.
    Verify {
        /// The head recorded earlier, as SEQ:HASH; catches entries removed from the end.
        #[arg(long)]
        expect_head: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print audit entries.
    List {
        /// Entries after this number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn audit(remote: &Remote, cmd: &AuditCommand) -> u8 {
    use kyoyu_trust::audit::{Entry, GENESIS, verify};
    match cmd {
        AuditCommand::List { after, limit, json } => finish(
            remote
                .call(
                    "GET",
                    &format!("/api/audit?after={after}&limit={limit}"),
                    None,
                )
                .map(|v| {
                    if *json {
                        print_json(&v);
                        return;
                    }
                    for e in v["entries"].as_array().into_iter().flatten() {
                        out!(
                            "{:>6} {} {:<16} {:<10} {:<18} {}",
                            e["seq"],
                            crate::admin_cmd::time_text(e["at"].as_i64().unwrap_or(0)),
                            text(e, "actor_org"),
                            text(e, "actor_token"),
                            text(e, "action"),
                            text(e, "target")
                        );
                    }
                }),
        ),
        AuditCommand::Verify { expect_head, json } => {
            let mut head: (i64, String) = (0, GENESIS.to_owned());
            let mut withheld = 0usize;
            loop {
                let page = match remote.call(
                    "GET",
                    &format!("/api/audit?after={}&limit=10000", head.0),
                    None,
                ) {
                    Ok(p) => p,
                    Err(f) => return cannot_check(&f.0),
                };
                let entries: Vec<Entry> = match serde_json::from_value(page["entries"].clone()) {
                    Ok(e) => e,
                    Err(e) => {
                        return cannot_check(&format!(
                            "the hub's audit answer is not a list of entries: {e}"
                        ));
                    }
                };
                if entries.is_empty() {
                    break;
                }
                withheld += entries.iter().filter(|e| e.withheld).count();
                match verify(&entries, head.clone()) {
                    Ok(h) => head = h,
                    Err(broken) => {
                        if *json {
                            out!(
                                "{}",
                                json!({"intact": false, "entry": broken.seq, "why": broken.why})
                            );
                        }
                        eprintln!(
                            "kyoyu: the audit trail is broken at entry {}: {}",
                            broken.seq, broken.why
                        );
                        return 1;
                    }
                }
            }
            if let Some(expected) = expect_head {
                let (seq, hash) = expected.split_once(':').unwrap_or((expected, ""));
                let seq: i64 = seq.parse().unwrap_or(-1);
                if seq > head.0 {
                    eprintln!(
                        "kyoyu: the audit trail ends at entry {} but entry {seq} was recorded earlier: entries were removed from the end",
                        head.0
                    );
                    return 1;
                }
                // The recorded head must still be in the chain, unchanged.
                let page = match remote.call(
                    "GET",
                    &format!("/api/audit?after={}&limit=1", seq - 1),
                    None,
                ) {
                    Ok(p) => p,
                    Err(f) => return cannot_check(&f.0),
                };
                if page["entries"][0]["hash"].as_str() != Some(hash) {
                    eprintln!(
                        "kyoyu: entry {seq} no longer has the hash recorded earlier: the trail was rewritten"
                    );
                    return 1;
                }
            }
            if *json {
                out!(
                    "{}",
                    json!({"intact": true, "entries": head.0, "withheld": withheld, "head": format!("{}:{}", head.0, head.1)})
                );
            } else {
                out!("intact: {} entries, head {}:{}", head.0, head.0, head.1);
                if withheld > 0 {
                    out!(
                        "{withheld} entries were withheld from this token: their place in the chain was checked, their content was not (a hub-admin token checks everything)"
                    );
                }
            }
            0
        }
    }
}

/// An audit time (microseconds) as RFC 3339.
pub(crate) fn time_text(micros: i64) -> String {
    kyoyu_stix::Timestamp::from_unix(
        micros.div_euclid(1_000_000),
        u32::try_from(micros.rem_euclid(1_000_000) * 1000).unwrap_or(0),
        3,
    )
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d"), Ok(30 * 86_400));
        assert_eq!(parse_duration("12h"), Ok(43_200));
        assert_eq!(parse_duration("3600"), Ok(3600));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("3y").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
