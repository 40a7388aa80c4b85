//! `kyoyu token create`: asks the running hub's REST API for a new token.

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Create an API token; prints only the token on stdout.
    Create {
        /// URL of the hub, e.g. http://127.0.0.1:8470
        #[arg(long, env = "KYOYU_URL", default_value = "http://127.0.0.1:8470")]
        url: String,
        /// An admin token.
        #[arg(long, env = "KYOYU_TOKEN", hide_env_values = true)]
        token: String,
        /// A label for the new token.
        #[arg(long)]
        name: Option<String>,
        /// Collection the token may read (repeat; `*` for all).
        #[arg(long)]
        read: Vec<String>,
        /// Collection the token may write (repeat; `*` for all).
        #[arg(long)]
        write: Vec<String>,
        /// Make it an admin token.
        #[arg(long)]
        admin: bool,
        /// Lifetime in seconds.
        #[arg(long)]
        expires_in: Option<i64>,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(cmd: &Command) -> u8 {
    let Command::Create {
        url,
        token,
        name,
        read,
        write,
        admin,
        expires_in,
        json,
    } = cmd;
    let body = serde_json::json!({
        "name": name, "read": read, "write": write, "admin": admin, "expires_in": expires_in,
    });
    let endpoint = format!("{}/api/tokens", url.trim_end_matches('/'));
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let response = agent
        .post(&endpoint)
        .header("Authorization", &format!("Bearer {token}"))
        .send_json(&body);
    let mut response = match response {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kyoyu: cannot reach {endpoint}: {e}");
            return crate::EXIT_USAGE;
        }
    };
    let status = response.status().as_u16();
    let answer: serde_json::Value = response.body_mut().read_json().unwrap_or_default();
    if status != 201 {
        let why = answer
            .get("description")
            .and_then(|d| d.as_str())
            .unwrap_or("no details");
        eprintln!("kyoyu: the hub refused ({status}): {why}");
        return 1;
    }
    if *json {
        println!("{answer}");
    } else {
        println!(
            "{}",
            answer
                .get("token")
                .and_then(|t| t.as_str())
                .unwrap_or_default()
        );
    }
    0
}
