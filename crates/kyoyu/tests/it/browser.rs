//! A real browser for the console's tests: Debian's headless Chromium,
//! driven over the W3C WebDriver protocol (ChromeDriver on a free port,
//! JSON over HTTP with `ureq`), plus axe-core for accessibility.
//!
//! `scripts/test` installs `chromium` and `chromium-driver` and fetches
//! axe-core from the npm registry (`KYOYU_AXE_JS` names the file). Without
//! ChromeDriver on the machine the browser tests fail, saying what to
//! install: a test that skips itself would hide that nothing ran.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The WebDriver id of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A ChromeDriver process and one browser session.
pub(crate) struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a fresh profile,
    /// asking for `lang` (`Accept-Language`).
    pub(crate) fn start(lang: &str) -> Browser {
        let driver_bin =
            std::env::var("KYOYU_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {driver_bin} ({e}): install Debian's chromium and chromium-driver (scripts/test does)")
            });
        let base = format!("http://127.0.0.1:{port}");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        let started = Instant::now();
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not answer on {base}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().expect("profile");
        let binary = std::env::var("KYOYU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--lang={lang}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {"intl.accept_languages": lang},
            },
        }}});
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
            agent,
            _profile: profile,
        };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_owned();
        b
    }

    /// One WebDriver command; its `value`. A WebDriver error fails the test.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = self.try_call(method, path, body);
        if let Some(e) = v.get("error") {
            panic!("WebDriver {method} {path}: {e}: {}", v["message"]);
        }
        v
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or_else(|| json!({})).to_string()),
        };
        let mut response = response.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let text = response
            .body_mut()
            .with_config()
            .limit(1 << 28)
            .read_to_string()
            .unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        v["value"].clone()
    }

    /// Opens `url`.
    pub(crate) fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    /// The current URL.
    pub(crate) fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The page's title.
    pub(crate) fn title(&self) -> String {
        self.call("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The element `css` selects (waits up to 5 s for it).
    pub(crate) fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let v = self.try_call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            );
            if let Some(id) = v[ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "no element '{css}' on {}: {}",
                self.url(),
                v
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types `text` into the field `css` selects (after clearing it).
    pub(crate) fn fill(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), None);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Whether an element `css` selects is on the page now.
    pub(crate) fn has(&self, css: &str) -> bool {
        let v = self.try_call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_array().is_some_and(|a| !a.is_empty())
    }

    /// Whether the page shows a relationship graph (an inline SVG with a
    /// title and at least one related node).
    pub(crate) fn has_svg_graph(&self) -> bool {
        self.has("svg.relation-graph title") && self.has("svg.relation-graph .graph-node")
    }

    /// Presses Tab `times` times (W3C actions); the focused element's
    /// `outerHTML`, cut to its start tag.
    pub(crate) fn tab(&self, times: usize) -> String {
        let mut keys = Vec::new();
        for _ in 0..times {
            keys.push(json!({"type": "keyDown", "value": "\u{E004}"}));
            keys.push(json!({"type": "keyUp", "value": "\u{E004}"}));
        }
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": keys}]})),
        );
        let html = self.run("return document.activeElement.outerHTML;", json!([]));
        let html = html.as_str().unwrap_or_default();
        html.split_once('>').map_or(html, |(tag, _)| tag).to_owned()
    }

    /// Clicks the element `css` selects.
    pub(crate) fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), None);
    }

    /// The visible text of the element `css` selects.
    pub(crate) fn text(&self, css: &str) -> String {
        let id = self.find(css);
        self.call("GET", &format!("/element/{id}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The visible text of `css` once it contains `want`, read in one step
    /// and retried for up to 10 s (after a click the next page may still be
    /// loading, and the old element go stale); the last text otherwise.
    pub(crate) fn text_with(&self, css: &str, want: &str) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            last = self
                .run(
                    "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
                    serde_json::json!([css]),
                )
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if last.contains(want) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        last
    }

    /// Runs `script` (a function body) with `args`; its return value.
    pub(crate) fn run(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Runs an asynchronous script (its last argument is the callback).
    pub(crate) fn run_async(&self, script: &str, args: Value) -> Value {
        self.call("POST", "/timeouts", Some(json!({"script": 60_000})));
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// The cookies the browser holds for the current page.
    pub(crate) fn cookies(&self) -> Value {
        self.call("GET", "/cookie", None)
    }

    /// Sets the window's size in CSS pixels (a tablet: 768 × 1024).
    pub(crate) fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }

    /// A PNG screenshot of the page, written to `path`.
    pub(crate) fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let data = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        std::fs::write(path, png).expect("write screenshot");
    }

    /// The serious and critical accessibility violations axe-core finds on
    /// the page (its id and the selectors of the nodes).
    pub(crate) fn axe_violations(&self) -> Vec<String> {
        let axe = axe_source();
        let result = self.run_async(
            &format!(
                "{axe}\nconst done = arguments[arguments.length - 1];\
                 axe.run(document, {{resultTypes: ['violations']}}).then(r => done(JSON.stringify(r.violations))).catch(e => done('error: ' + e));"
            ),
            json!([]),
        );
        let text = result.as_str().unwrap_or_default();
        let violations: Value =
            serde_json::from_str(text).unwrap_or_else(|_| panic!("axe-core did not run: {text}"));
        violations
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                let nodes: Vec<String> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| n["target"].to_string())
                    .collect();
                format!("{} ({}): {}", v["id"], v["impact"], nodes.join(", "))
            })
            .collect()
    }
}

/// axe-core's script: `KYOYU_AXE_JS` (scripts/test fetches it with
/// `npm pack axe-core`).
fn axe_source() -> String {
    let path = std::env::var("KYOYU_AXE_JS").unwrap_or_else(|_| {
        panic!(
            "set KYOYU_AXE_JS to axe.min.js (scripts/test fetches axe-core from the npm registry)"
        )
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Where the tests keep the screenshots (`KYOYU_SCREENSHOTS`, else
/// `target/screenshots`).
pub(crate) fn screenshot_dir() -> std::path::PathBuf {
    std::env::var_os("KYOYU_SCREENSHOTS").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots"),
        std::path::PathBuf::from,
    )
}
