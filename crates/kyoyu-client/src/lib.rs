//! A typed client of the hub's REST API. Bodies are the wire types of
//! `kyoyu-wire`; a refusal comes back as the hub's error body (its stable
//! code, status and the description that says what to fix), so callers
//! can tell "the hub said no" from "the hub could not be reached".

mod events;

pub use events::{StreamEvent, read_events};
use kyoyu_wire::ErrorBody;
use kyoyu_wire::admin::{TokenInfo, TokenRequest};
use kyoyu_wire::submission::{ReceiptRequest, SubmitRequest, Submitted, UpdateRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The hub answered with an error.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The hub's error body.
        body: ErrorBody,
    },
    /// No answer: the hub could not be reached, or it answered with
    /// something that is not the hub's JSON.
    Unreachable(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused { status, body } => {
                write!(f, "the hub refused ({status}): {}", body.description)
            }
            Self::Unreachable(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ClientError {}

/// A non-2xx answer as a refusal: the hub's error body, or its text.
fn refusal(status: u16, text: String) -> ClientError {
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or_else(|_| ErrorBody {
        title: "Error".into(),
        description: if text.is_empty() {
            "no details".into()
        } else {
            text
        },
        error_code: String::new(),
        http_status: status.to_string(),
    });
    ClientError::Refused { status, body }
}

/// Shorthand.
pub type Result<T> = std::result::Result<T, ClientError>;

/// The largest answer the client reads: well above the hub's pages, which
/// it cuts by size (audit pages at 8 MB, one entry at least).
pub const ANSWER_LIMIT: u64 = 256 * 1024 * 1024;

/// A hub and the token to call it with.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the hub at `base` (e.g. `http://127.0.0.1:8470`).
    pub fn new(base: &str, token: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .new_agent(),
        }
    }

    /// Any call: `method` on `path` with an optional JSON body; the JSON answer.
    ///
    /// Answers up to [`ANSWER_LIMIT`] bytes are read.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        let sent = match (method, body) {
            ("POST", Some(b)) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .send_json(b),
            ("POST", None) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .send_empty(),
            ("PUT", Some(b)) => self
                .agent
                .put(&url)
                .header("Authorization", &auth)
                .send_json(b),
            ("PUT", None) => self
                .agent
                .put(&url)
                .header("Authorization", &auth)
                .send_empty(),
            ("DELETE", _) => self
                .agent
                .delete(&url)
                .header("Authorization", &auth)
                .call(),
            _ => self.agent.get(&url).header("Authorization", &auth).call(),
        };
        let mut response =
            sent.map_err(|e| ClientError::Unreachable(format!("cannot reach {url}: {e}")))?;
        let status = response.status().as_u16();
        // Answers can be large (an audit entry lists every object of a
        // 100 MB envelope); a body that cannot be read is an error, never
        // an empty answer.
        let text = response
            .body_mut()
            .with_config()
            .limit(ANSWER_LIMIT)
            .read_to_string()
            .map_err(|e| {
                ClientError::Unreachable(format!("cannot read the answer from {url}: {e}"))
            })?;
        if (200..300).contains(&status) {
            if text.is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| {
                ClientError::Unreachable(format!(
                    "{url} answered {status} with something that is not JSON: {e}"
                ))
            });
        }
        Err(refusal(status, text))
    }

    fn typed<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let body = body
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| ClientError::Unreachable(format!("cannot encode the request: {e}")))?;
        let answer = self.call(method, path, body.as_ref())?;
        serde_json::from_value(answer).map_err(|e| {
            ClientError::Unreachable(format!(
                "the hub's answer to {method} {path} has another shape: {e}"
            ))
        })
    }

    /// `POST /api/submissions`: a concealed submission; the receipt.
    pub fn submit(&self, req: &SubmitRequest) -> Result<Submitted> {
        self.typed("POST", "/api/submissions", Some(req))
    }

    /// `POST /api/receipts/status`.
    pub fn receipt_status(&self, receipt: &str) -> Result<Value> {
        let req = ReceiptRequest {
            receipt: receipt.to_owned(),
        };
        self.typed("POST", "/api/receipts/status", Some(&req))
    }

    /// `POST /api/receipts/withdraw`.
    pub fn withdraw(&self, receipt: &str) -> Result<Value> {
        let req = ReceiptRequest {
            receipt: receipt.to_owned(),
        };
        self.typed("POST", "/api/receipts/withdraw", Some(&req))
    }

    /// `POST /api/receipts/update`.
    pub fn update(&self, receipt: &str, objects: Vec<Value>) -> Result<Value> {
        let req = UpdateRequest {
            receipt: receipt.to_owned(),
            objects,
        };
        self.typed("POST", "/api/receipts/update", Some(&req))
    }

    /// `GET /api/tokens`: the tokens this one may list.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        #[derive(serde::Deserialize)]
        struct Listing {
            tokens: Vec<TokenInfo>,
        }
        let l: Listing = self.typed::<(), _>("GET", "/api/tokens", None)?;
        Ok(l.tokens)
    }

    /// `POST /api/tokens`: the new token's secret (shown once) and record.
    pub fn create_token(&self, req: &TokenRequest) -> Result<(String, TokenInfo)> {
        let answer = self.call(
            "POST",
            "/api/tokens",
            Some(&serde_json::to_value(req).unwrap_or(Value::Null)),
        )?;
        let secret = answer
            .get("token")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let info = serde_json::from_value(answer).map_err(|e| {
            ClientError::Unreachable(format!("the hub's token answer has another shape: {e}"))
        })?;
        Ok((secret, info))
    }
}
