//! `kyoyu serve`: opens the store, bootstraps an empty hub, serves TAXII.

use kyoyu_core::{Hub, HubConfig};
use kyoyu_store::Store;
use kyoyu_store_postgres::PostgresStore;
use kyoyu_store_sqlite::SqliteStore;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Settings of `kyoyu serve`. Each is a flag, a `KYOYU_*` variable, or a key
/// of the TOML file given by `--config` (flag > variable > file > default).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Data directory: the SQLite database and the admin token file.
    #[arg(long, env = "KYOYU_DATA")]
    data: Option<PathBuf>,
    /// Run a demonstration world: fictional organizations, people (their
    /// passwords printed at start), intelligence and concealed submissions,
    /// seeded once into its own data folder (default ./kyoyu-demo-data),
    /// every console page marked as a demo. Never used on a real hub's folder.
    #[arg(long, env = "KYOYU_DEMO")]
    demo: bool,
    /// Address to listen on.
    #[arg(long, env = "KYOYU_LISTEN")]
    listen: Option<SocketAddr>,
    /// PostgreSQL URL (postgres://user@host:port/db); default: SQLite in the data directory.
    #[arg(long, env = "KYOYU_DATABASE_URL")]
    database_url: Option<String>,
    /// TOML file with any of: data, listen, database_url, log_format, max_content_length, title.
    #[arg(long, env = "KYOYU_CONFIG")]
    config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, env = "KYOYU_LOG_FORMAT")]
    log_format: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "KYOYU_MAX_CONTENT_LENGTH")]
    max_content_length: Option<usize>,
    /// Sustained requests per second per token, with bursts of five times as many (0: no limit; default 500).
    #[arg(long, env = "KYOYU_RATE_LIMIT")]
    rate_limit: Option<f64>,
    /// Directory with the data files `sectors.toml` and `communities.toml`
    /// (default: the files shipped with kyoyu).
    #[arg(long, env = "KYOYU_RULES")]
    rules: Option<PathBuf>,
    /// Escrow public key (`kyoyu escrow init` prints it) that concealed
    /// submissions' provenance is sealed to; without one it is not kept at all.
    #[arg(long, env = "KYOYU_ESCROW_KEY")]
    escrow_key: Option<String>,
    /// Concealed submissions wait at most this many seconds for their release batch (default 3600).
    #[arg(long, env = "KYOYU_RELEASE_WINDOW")]
    release_window: Option<u64>,
    /// ... or until reports from this many organizations wait for the same community (default 5).
    #[arg(long, env = "KYOYU_RELEASE_K")]
    release_k: Option<usize>,
    /// A reverse proxy in front of the hub (CIDR; repeat): requests from it
    /// are taken to come from the address it names in `X-Forwarded-For`.
    /// Without one, that header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "KYOYU_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<String>,
    /// The local key file (contributor tags, sealed senders, provenance
    /// MACs); default DIR/tag-key, created at first start. Keep it off the
    /// data folder's volume and out of its backups, so that a copy of the
    /// folder alone cannot test who contributed. Every node of one database
    /// needs the same key.
    #[arg(long, env = "KYOYU_LOCAL_KEY_FILE")]
    local_key_file: Option<PathBuf>,
    /// Request bodies read and handled at once; more wait unread (0: no bound; default 8).
    #[arg(long, env = "KYOYU_BODIES_IN_FLIGHT")]
    bodies_in_flight: Option<usize>,
    /// Seconds a hotline call waits for an acknowledgement before it
    /// escalates to the next officer on duty (default 900: 15 minutes).
    #[arg(long, env = "KYOYU_HOTLINE_ACK_SECONDS")]
    hotline_ack_seconds: Option<u64>,
    /// How long before a reporting deadline the filer is reminded: durations
    /// with a unit, comma-separated (default `24h,2h`; `m` minutes, `h`
    /// hours, `d` days). An overdue notice follows a missed deadline.
    #[arg(long, env = "KYOYU_REMIND_BEFORE", value_delimiter = ',')]
    remind_before: Option<Vec<String>>,
    /// Let organizations point their reminder webhooks at loopback, private
    /// and link-local addresses (a hub on a closed network). Off: the hub
    /// posts only to public addresses.
    #[arg(long)]
    allow_private_webhooks: bool,
    /// A webhook of the national centre's duty channel: every hotline event
    /// is posted there as JSON, signed (repeat for several).
    #[arg(long = "hotline-webhook", value_name = "URL")]
    hotline_webhooks: Vec<String>,
    /// The file holding the webhooks' shared secret (the signature key).
    #[arg(long, env = "KYOYU_HOTLINE_WEBHOOK_SECRET_FILE")]
    hotline_webhook_secret_file: Option<PathBuf>,
    /// The SMTP relay hotline mail goes through (HOST:PORT); no mail without it.
    #[arg(long, env = "KYOYU_SMTP")]
    smtp: Option<String>,
    /// The sender of the hub's mail.
    #[arg(long, env = "KYOYU_MAIL_FROM", default_value = "kyoyu@localhost")]
    mail_from: String,
    /// A folder of extra reporting regimes (`*.toml`, one per regime; one with
    /// the id of a shipped regime replaces it). A malformed file stops the
    /// start, naming its line.
    #[arg(long, env = "KYOYU_REGIMES")]
    regimes: Option<PathBuf>,
    /// The console's public address, for links in messages (https://hub.example.jp).
    #[arg(long, env = "KYOYU_PUBLIC_URL")]
    public_url: Option<String>,
    /// Seconds a client has to send a request's head, also between
    /// keep-alive requests; then the connection is closed (default 10).
    #[arg(long, env = "KYOYU_HEADER_TIMEOUT")]
    header_timeout: Option<u64>,
    /// Seconds a client has to send a request's body; then 408 (default 120).
    #[arg(long, env = "KYOYU_BODY_TIMEOUT")]
    body_timeout: Option<u64>,
    /// Open connections at once; more are closed unread (default 4096;
    /// keep it well below `ulimit -n`).
    #[arg(long, env = "KYOYU_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Open connections at once from one client address (trusted proxies
    /// excepted; default 256).
    #[arg(long, env = "KYOYU_MAX_CONNECTIONS_PER_ADDRESS")]
    max_connections_per_address: Option<usize>,
}

/// The `[conceal]` table: a switch per stage of concealed sharing.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConcealFile {
    identity: Option<bool>,
    scrub: Option<bool>,
    reattribute: Option<bool>,
    granularity_seconds: Option<i64>,
    review: Option<bool>,
    batching: Option<bool>,
    release_window: Option<u64>,
    release_k: Option<usize>,
    escrow_key: Option<String>,
    k_anonymity: Option<usize>,
    ceptoar_creator: Option<bool>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data: Option<PathBuf>,
    listen: Option<SocketAddr>,
    database_url: Option<String>,
    log_format: Option<String>,
    max_content_length: Option<usize>,
    title: Option<String>,
    rate_limit: Option<f64>,
    rules: Option<PathBuf>,
    #[serde(default)]
    trusted_proxies: Vec<String>,
    bodies_in_flight: Option<usize>,
    hotline_ack_seconds: Option<u64>,
    local_key_file: Option<PathBuf>,
    header_timeout: Option<u64>,
    body_timeout: Option<u64>,
    max_connections: Option<usize>,
    max_connections_per_address: Option<usize>,
    #[serde(default)]
    conceal: ConcealFile,
}

fn load_file(path: Option<&Path>) -> Result<FileConfig, String> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn init_logging(format: &str) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("KYOYU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // tokio-postgres logs every statement's parameters at debug: token
    // hashes and member records beside the time of each request, which
    // would tie a concealed submission to its sender. Never below info.
    if let Ok(cap) = "tokio_postgres=info".parse() {
        filter = filter.add_directive(cap);
    }
    // Colour only for a person at a terminal: a log file or a collector
    // gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Creates the data folder, or makes an existing one, accessible to its
/// owner only (mode 0700): it holds the database (TLP:RED content), the
/// admin token and the local key.
pub(crate) fn private_dir(dir: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: cannot make it private: {e}", dir.display()))
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))
}

/// Writes the admin token file readable by its owner only.
pub(crate) fn write_secret(path: &Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(secret.as_bytes())?;
        f.write_all(b"\n")
    }
    #[cfg(not(unix))]
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        f.write_all(secret.as_bytes())
    }
}

/// Applies the concealment settings (flag > variable > `[conceal]` > default).
fn conceal_settings(
    c: &mut kyoyu_core::ConcealConfig,
    args: &Args,
    file: &ConcealFile,
    data: &Path,
    file_key: Option<&PathBuf>,
) -> Result<(), String> {
    let s = &mut c.stages;
    s.identity = file.identity.unwrap_or(s.identity);
    s.scrub = file.scrub.unwrap_or(s.scrub);
    s.reattribute = file.reattribute.unwrap_or(s.reattribute);
    s.granularity_seconds = file
        .granularity_seconds
        .unwrap_or(s.granularity_seconds)
        .max(1);
    c.review = file.review.unwrap_or(c.review);
    c.k = file.k_anonymity.unwrap_or(c.k).max(1);
    c.ceptoar_creator = file.ceptoar_creator.unwrap_or(c.ceptoar_creator);
    if file.batching == Some(false) {
        c.batching = None;
    } else if let Some(b) = &mut c.batching {
        if let Some(w) = args.release_window.or(file.release_window) {
            b.window = i64::try_from(w)
                .unwrap_or(i64::MAX / 2_000_000)
                .saturating_mul(1_000_000);
        }
        if let Some(k) = args.release_k.or(file.release_k) {
            b.k = k.max(1);
        }
    }
    if let Some(key) = args.escrow_key.clone().or(file.escrow_key.clone()) {
        c.escrow = Some(kyoyu_conceal::seal::EscrowPublic::from_text(&key).ok_or(
            "--escrow-key must be the `kyoyu-escrow-public:…` line that `kyoyu escrow init` printed",
        )?);
    }
    // The local key stays outside the database: a stolen or rewritten
    // database cannot test contributor tags, open seals or forge provenance.
    private_dir(data)?;
    let key_file = args
        .local_key_file
        .clone()
        .or_else(|| file_key.cloned())
        .unwrap_or_else(|| data.join("tag-key"));
    if let Some(dir) = key_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    if !key_file.exists() {
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        let text: String = key.iter().map(|b| format!("{b:02x}")).collect();
        write_secret(&key_file, &text).map_err(|e| format!("{}: {e}", key_file.display()))?;
    }
    let text =
        std::fs::read_to_string(&key_file).map_err(|e| format!("{}: {e}", key_file.display()))?;
    c.local_key = kyoyu_core::keys::LocalKey::new(text.trim().as_bytes());
    Ok(())
}

pub(crate) fn run(args: &Args) -> u8 {
    let file = match load_file(args.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kyoyu: bad configuration: {e}");
            return crate::EXIT_USAGE;
        }
    };
    let data = args.data.clone().or(file.data).unwrap_or_else(|| {
        PathBuf::from(if args.demo {
            "kyoyu-demo-data"
        } else {
            "kyoyu-data"
        })
    });
    if args.demo {
        if crate::demo::holds_real_hub(&data) {
            eprintln!(
                "kyoyu: {} holds a hub that is not a demo: --demo never seeds over real data; give it its own folder with --data",
                data.display()
            );
            return crate::EXIT_USAGE;
        }
        if let Err(e) = crate::demo::mark(&data) {
            eprintln!("kyoyu: {}: {e}", data.display());
            return 1;
        }
    }
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8470)));
    let log_format = args
        .log_format
        .clone()
        .or(file.log_format)
        .unwrap_or_else(|| "text".into());
    if !["text", "json"].contains(&log_format.as_str()) {
        eprintln!("kyoyu: --log-format must be text or json (got '{log_format}')");
        return crate::EXIT_USAGE;
    }
    init_logging(&log_format);
    let database_url = args.database_url.clone().or(file.database_url);
    if let Some(url) = &database_url
        && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        eprintln!(
            "kyoyu: --database-url must be a postgres:// URL (leave it unset for SQLite in the data directory)"
        );
        return crate::EXIT_USAGE;
    }
    let mut config = HubConfig {
        demo: args.demo,
        ..HubConfig::default()
    };
    if let Some(n) = args.max_content_length.or(file.max_content_length) {
        config.max_content_length = n;
    }
    if let Some(t) = file.title {
        config.title = t;
    }
    if let Some(r) = args.rate_limit.or(file.rate_limit) {
        config.limits.per_second = r;
        config.limits.burst = (r * 5.0).max(1.0);
    }
    if let Some(dir) = args.rules.clone().or(file.rules) {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))
        };
        let seeds = read("sectors.toml").and_then(|s| {
            read("communities.toml").and_then(|c| {
                kyoyu_trust::seeds::Seeds::parse(&s, &c)
                    .map_err(|e| format!("{}/{e}", dir.display()))
            })
        });
        match seeds {
            Ok(s) => config.seeds = Some(s),
            Err(e) => {
                eprintln!("kyoyu: bad rules: {e}");
                return crate::EXIT_USAGE;
            }
        }
    }
    if let Some(dir) = &args.regimes {
        match load_regimes(dir) {
            Ok(r) => config.regimes = Some(r),
            Err(e) => {
                eprintln!("kyoyu: {e}");
                return crate::EXIT_USAGE;
            }
        }
    }
    if let Some(s) = args.hotline_ack_seconds.or(file.hotline_ack_seconds) {
        if s == 0 {
            eprintln!("kyoyu: --hotline-ack-seconds must be at least 1");
            return crate::EXIT_USAGE;
        }
        config.hotline_ack = std::time::Duration::from_secs(s);
    }
    config.private_webhooks = args.allow_private_webhooks;
    if let Some(leads) = &args.remind_before {
        match leads.iter().map(|l| lead(l)).collect::<Result<Vec<_>, _>>() {
            Ok(leads) => config.remind_before = leads,
            Err(e) => {
                eprintln!("kyoyu: --remind-before {e}");
                return crate::EXIT_USAGE;
            }
        }
    }
    if let Some(n) = args.bodies_in_flight.or(file.bodies_in_flight) {
        config.bodies_in_flight = n;
    }
    let mut limits = kyoyu_server::Limits::default();
    if let Some(s) = args.header_timeout.or(file.header_timeout) {
        limits.header_timeout = std::time::Duration::from_secs(s);
    }
    if let Some(s) = args.body_timeout.or(file.body_timeout) {
        limits.body_timeout = std::time::Duration::from_secs(s);
    }
    if let Some(n) = args.max_connections.or(file.max_connections) {
        limits.connections = n;
    }
    if let Some(n) = args
        .max_connections_per_address
        .or(file.max_connections_per_address)
    {
        limits.connections_per_address = n;
    }
    if limits.header_timeout.is_zero()
        || limits.body_timeout.is_zero()
        || limits.connections == 0
        || limits.connections_per_address == 0
    {
        eprintln!(
            "kyoyu: --header-timeout, --body-timeout, --max-connections and --max-connections-per-address must be at least 1"
        );
        return crate::EXIT_USAGE;
    }
    let proxies = if args.trusted_proxies.is_empty() {
        &file.trusted_proxies
    } else {
        &args.trusted_proxies
    };
    for p in proxies {
        match p.parse::<kyoyu_trust::net::Cidr>() {
            Ok(c) => config.trusted_proxies.push(c),
            Err(e) => {
                eprintln!("kyoyu: --trusted-proxy {p}: {e}");
                return crate::EXIT_USAGE;
            }
        }
    }
    // The port first: if it is taken, nothing is created (no data folder,
    // no database, no admin token printed for a hub that never serves).
    let listener = match std::net::TcpListener::bind(listen) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kyoyu: cannot listen on {listen}: {e}");
            return 1;
        }
    };
    if let Err(e) = conceal_settings(
        &mut config.conceal,
        args,
        &file.conceal,
        &data,
        file.local_key_file.as_ref(),
    ) {
        eprintln!("kyoyu: bad configuration: {e}");
        return crate::EXIT_USAGE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kyoyu: cannot start the runtime: {e}");
            return 1;
        }
    };
    let notify = match notify_config(args) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("kyoyu: {e}");
            return crate::EXIT_USAGE;
        }
    };
    match runtime.block_on(serve(data, listener, database_url, config, limits, notify)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kyoyu: {e}");
            1
        }
    }
}

async fn serve(
    data: PathBuf,
    listen: std::net::TcpListener,
    database_url: Option<String>,
    config: HubConfig,
    limits: kyoyu_server::Limits,
    notify: kyoyu_notify::NotifyConfig,
) -> Result<(), String> {
    private_dir(&data)?;
    match database_url {
        Some(url) => {
            let store = PostgresStore::connect(&url)
                .await
                .map_err(|e| format!("PostgreSQL: {e}"))?;
            serve_store(store, data, listen, config, limits, notify).await
        }
        None => {
            let store =
                SqliteStore::open(&data.join("kyoyu.sqlite3")).map_err(|e| e.to_string())?;
            serve_store(store, data, listen, config, limits, notify).await
        }
    }
}

/// The shipped regimes and those of `dir` (its `*.toml` files, by name).
fn load_regimes(dir: &std::path::Path) -> Result<kyoyu_report::Profiles, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("--regimes {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut regimes = kyoyu_report::Profiles::shipped().clone();
    for path in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        regimes = regimes
            .with(&path.display().to_string(), &text)
            .map_err(|e| format!("a regime file cannot be used: {e}"))?;
    }
    Ok(regimes)
}

/// The notification channels from the flags.
fn notify_config(args: &Args) -> Result<kyoyu_notify::NotifyConfig, String> {
    let secret = match &args.hotline_webhook_secret_file {
        Some(path) => std::fs::read_to_string(path)
            .map(|s| s.trim().to_owned())
            .map_err(|e| format!("--hotline-webhook-secret-file {}: {e}", path.display()))?,
        None => String::new(),
    };
    if !args.hotline_webhooks.is_empty() && secret.is_empty() {
        return Err(
            "--hotline-webhook needs --hotline-webhook-secret-file: every delivery is signed"
                .into(),
        );
    }
    for url in &args.hotline_webhooks {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "--hotline-webhook {url}: give an http:// or https:// URL"
            ));
        }
    }
    let smtp = match &args.smtp {
        Some(s) => {
            let (host, port) = s
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
                .ok_or_else(|| format!("--smtp {s}: write HOST:PORT, such as 127.0.0.1:25"))?;
            Some((host, port))
        }
        None => None,
    };
    Ok(kyoyu_notify::NotifyConfig {
        webhooks: args
            .hotline_webhooks
            .iter()
            .map(|u| (u.clone(), secret.clone()))
            .collect(),
        smtp,
        mail_from: args.mail_from.clone(),
        console_url: args.public_url.clone(),
    })
}

async fn serve_store<S: Store>(
    store: S,
    data: PathBuf,
    listen: std::net::TcpListener,
    config: HubConfig,
    limits: kyoyu_server::Limits,
    notify: kyoyu_notify::NotifyConfig,
) -> Result<(), String> {
    let hub = Hub::open(store, config).await.map_err(|e| e.to_string())?;
    kyoyu_notify::start(&hub, notify);
    let token_file = data.join("admin-token");
    let bootstrapped = !token_file.exists();
    if bootstrapped {
        let secret = hub
            .bootstrap_admin_token()
            .await
            .map_err(|e| e.to_string())?;
        write_secret(&token_file, &secret).map_err(|e| format!("{}: {e}", token_file.display()))?;
        out!(
            "kyoyu: created the admin token (also in {}, mode 0600):\n{secret}",
            token_file.display()
        );
    }
    if hub.config().demo {
        let secret = std::fs::read_to_string(&token_file)
            .map_err(|e| format!("{}: {e}", token_file.display()))?;
        let admin = hub
            .authenticate(
                Ok(secret.trim().to_owned()),
                None,
                kyoyu_core::time::now_micros(),
            )
            .await
            .map_err(|e| format!("the demo's admin token: {}", e.description))?;
        let table = match crate::demo::seed(&hub, &data, &admin).await {
            Ok(table) => table,
            Err(e) => {
                // A database that is not the demo's keeps no token of ours.
                if bootstrapped && hub.revoke_token(&admin, &admin.token_id).await.is_ok() {
                    let _ = std::fs::remove_file(&token_file);
                }
                return Err(e);
            }
        };
        out!("kyoyu: DEMO hub: fictional data only. Sign in at the console with:\n{table}");
    }
    let listener = listen
        .set_nonblocking(true)
        .and_then(|()| tokio::net::TcpListener::from_std(listen))
        .map_err(|e| format!("cannot listen: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    out!(
        "kyoyu: serving TAXII 2.1 at http://{local}/taxii2/ (data in {})",
        data.display()
    );
    out!(
        "kyoyu: connect with the admin token as `Authorization: Bearer <token>` or as the HTTP Basic password"
    );
    kyoyu_server::serve(listener, hub, &limits, async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            if let Ok(mut term) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
                return;
            }
        }
        let _ = ctrl_c.await;
    })
    .await
    .map_err(|e| e.to_string())?;
    tracing::info!("shut down after finishing in-flight requests");
    Ok(())
}

/// `kyoyu admin`: offline repairs.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum AdminCommand {
    /// Issue a new hub-admin token when every admin token is lost or
    /// revoked. Run on the hub's machine: whoever holds the data folder (or
    /// the database) already holds the hub. Prints the token once and
    /// records its creation in the audit trail.
    Recover {
        /// The hub's data folder (holds kyoyu.sqlite3).
        #[arg(long, env = "KYOYU_DATA")]
        data: PathBuf,
        /// The hub's PostgreSQL URL, if it is configured for one.
        #[arg(long, env = "KYOYU_DATABASE_URL")]
        database_url: Option<String>,
    },
}

pub(crate) fn admin(cmd: &AdminCommand) -> u8 {
    let AdminCommand::Recover { data, database_url } = cmd;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kyoyu: cannot start the runtime: {e}");
            return 1;
        }
    };
    let result = runtime.block_on(async {
        match database_url {
            Some(url) => {
                if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    return Err((
                        crate::EXIT_USAGE,
                        "--database-url must be a postgres:// URL (leave it unset for SQLite in the data folder)".to_owned(),
                    ));
                }
                let store = PostgresStore::connect(url)
                    .await
                    .map_err(|e| (1, format!("PostgreSQL: {e}")))?;
                kyoyu_core::recover_admin_token(&store).await
            }
            None => {
                let file = data.join("kyoyu.sqlite3");
                if !file.is_file() {
                    return Err((
                        crate::EXIT_USAGE,
                        format!(
                            "{} holds no hub database (kyoyu.sqlite3): give --data the folder `kyoyu serve` uses, or --database-url for a hub on PostgreSQL",
                            data.display()
                        ),
                    ));
                }
                let store = SqliteStore::open(&file).map_err(|e| (1, e.to_string()))?;
                kyoyu_core::recover_admin_token(&store).await
            }
        }
        .map_err(|e| (1, e.to_string()))
    });
    match result {
        Ok((secret, id)) => {
            out!(
                "kyoyu: created hub-admin token {id} (recorded in the audit trail; shown only now):\n{secret}"
            );
            0
        }
        Err((code, e)) => {
            eprintln!("kyoyu: {e}");
            code
        }
    }
}

/// A reminder lead: a whole number and a unit (`90m`, `24h`, `3d`).
fn lead(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let unit = t.chars().last().unwrap_or(' ');
    let seconds = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => {
            return Err(format!(
                "{t:?}: give a number and a unit m, h or d, e.g. 24h,2h"
            ));
        }
    };
    let n: u64 = t
        .strip_suffix(unit)
        .unwrap_or_default()
        .parse()
        .map_err(|_| format!("{t:?}: give a whole number before the unit, e.g. 24h"))?;
    if n == 0 || n > 366 * 86_400 / seconds {
        return Err(format!(
            "{t:?}: a lead is more than zero and at most a year"
        ));
    }
    Ok(std::time::Duration::from_secs(n * seconds))
}
