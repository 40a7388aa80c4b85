//! The `kyoyu` command: wires the library crates to the command line.

/// mimalloc: the validator and (later) the server allocate many small objects.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Prints a line on standard output, like `println!`, but a reader that
/// has gone away (`kyoyu org sectors | head -c 10`) ends the command
/// quietly with status 141, as SIGPIPE would, instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::print_line(format_args!($($arg)*))
    };
}

mod admin_cmd;
mod conceal_cmd;
mod demo;
mod hotline_cmd;
mod pattern_cmd;
mod report_cmd;
mod serve_cmd;
mod validate_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// kyoyu (共有): the critical-infrastructure threat-sharing hub.
#[derive(Debug, Parser)]
#[command(name = "kyoyu", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate STIX 2.1 content: bundles, single objects, TAXII envelopes or JSON arrays.
    ///
    /// Exit status: 0 all valid, 1 some invalid, 2 unreadable input or bad usage.
    Validate(validate_cmd::Args),
    /// Check STIX patterns and match them against observed data.
    #[command(subcommand)]
    Pattern(pattern_cmd::Command),
    /// Run the hub: TAXII 2.1 over HTTP, SQLite in the data directory by default.
    Serve(serve_cmd::Args),
    /// Offline repairs on a hub's data folder (the hub's REST API is not needed).
    #[command(subcommand)]
    Admin(serve_cmd::AdminCommand),
    /// Organizations of a running hub (talks to its REST API: --url, --token).
    Org {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: admin_cmd::OrgCommand,
    },
    /// Communities of a running hub.
    Community {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: admin_cmd::CommunityCommand,
    },
    /// Community memberships.
    Member {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: admin_cmd::MemberCommand,
    },
    /// Operators' supplier circles.
    Supplier {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: admin_cmd::SupplierCommand,
    },
    /// API tokens.
    Token {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: admin_cmd::TokenCommand,
    },
    /// People who sign in to the web console.
    User {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: admin_cmd::UserCommand,
    },
    /// The tamper-evident audit trail.
    Audit {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: admin_cmd::AuditCommand,
    },
    /// Share with a community without revealing your organization; prints the receipt.
    Submit(conceal_cmd::SubmitArgs),
    /// The review queue of concealed submissions.
    Review {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: conceal_cmd::ReviewCommand,
    },
    /// What a receipt lets its holder do: status, withdraw.
    Receipt {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: conceal_cmd::ReceiptCommand,
    },
    /// Incident reporting: assess (offline), file, list, show, update, stix, share, ack, ask, forward.
    Report {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: report_cmd::ReportCommand,
    },
    /// The hotline to the national centre: raise, ack, list, show, watch, roster.
    Hotline {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: hotline_cmd::HotlineCommand,
    },
    /// The escrow key of sealed provenance (run offline by the officers).
    #[command(subcommand)]
    Escrow(conceal_cmd::EscrowCommand),
    /// Reveal the source of a concealed submission with m of n escrow shares.
    Provenance {
        #[command(flatten)]
        remote: admin_cmd::Remote,
        #[command(subcommand)]
        cmd: conceal_cmd::ProvenanceCommand,
    },
}

/// Exit status 2: the input could not be read or the command was misused.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Validate(args) => validate_cmd::run(&args),
        Command::Pattern(cmd) => pattern_cmd::run(&cmd),
        Command::Serve(args) => serve_cmd::run(&args),
        Command::Admin(cmd) => serve_cmd::admin(&cmd),
        Command::Org { remote, cmd } => admin_cmd::org(&remote, &cmd),
        Command::Community { remote, cmd } => admin_cmd::community(&remote, &cmd),
        Command::Member { remote, cmd } => admin_cmd::member(&remote, &cmd),
        Command::Supplier { remote, cmd } => admin_cmd::supplier(&remote, &cmd),
        Command::Token { remote, cmd } => admin_cmd::token(&remote, &cmd),
        Command::User { remote, cmd } => admin_cmd::user(&remote, &cmd),
        Command::Audit { remote, cmd } => admin_cmd::audit(&remote, &cmd),
        Command::Submit(args) => conceal_cmd::submit(&args),
        Command::Review { remote, cmd } => conceal_cmd::review(&remote, &cmd),
        Command::Receipt { remote, cmd } => conceal_cmd::receipt(&remote, &cmd),
        Command::Escrow(cmd) => conceal_cmd::escrow(&cmd),
        Command::Report { remote, cmd } => report_cmd::report(&remote, &cmd),
        Command::Hotline { remote, cmd } => hotline_cmd::hotline(&remote, &cmd),
        Command::Provenance { remote, cmd } => conceal_cmd::provenance(&remote, &cmd),
    };
    ExitCode::from(code)
}

/// Reads a file, or standard input for `-`.
fn read_input(path: &str) -> Result<String, String> {
    use std::io::Read;
    let mut text = String::new();
    let result = if path == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map(|_| ())
    };
    result
        .map(|()| text)
        .map_err(|e| format!("{path}: cannot read: {e}"))
}

/// Parses JSON text, naming the line and column of a syntax error.
fn parse_json(path: &str, text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| {
        if e.to_string().contains("recursion limit") {
            format!("{path}: JSON nests too deeply (at line {}, column {}); STIX content needs far fewer levels", e.line(), e.column())
        } else {
            format!("{path}: not valid JSON: {e}")
        }
    })
}

/// Exit status when standard output's reader has gone: 128 + SIGPIPE.
const EXIT_CLOSED_PIPE: i32 = 141;

/// Writes one line to standard output (see `out!`).
fn print_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(EXIT_CLOSED_PIPE);
        }
        eprintln!("kyoyu: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}
