//! Reading a Server-Sent Events stream of the hub (`/api/hotline/stream`):
//! events one at a time, and the `id` to resume from after a reconnect.

use crate::{Client, ClientError, Result};
use std::io::BufRead;

/// One event of a stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamEvent {
    /// Its number (`id:`), to resume after.
    pub id: Option<i64>,
    /// Its name (`event:`).
    pub event: String,
    /// Its data lines, joined by newlines.
    pub data: String,
}

/// Reads events from SSE text, calling `each` for every complete event
/// until it answers false or the text ends. Comments (keep-alives) are
/// skipped. Returns whether `each` asked to stop.
pub fn read_events(
    reader: impl BufRead,
    mut each: impl FnMut(StreamEvent) -> bool,
) -> std::io::Result<bool> {
    let mut current = StreamEvent::default();
    let mut has_data = false;
    for line in reader.lines() {
        let line = line?;
        if line.is_empty() {
            if has_data && !each(std::mem::take(&mut current)) {
                return Ok(true);
            }
            current = StreamEvent::default();
            has_data = false;
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "id" => current.id = value.trim().parse().ok(),
            "event" => current.event = value.to_owned(),
            "data" => {
                if has_data {
                    current.data.push('\n');
                }
                current.data.push_str(value);
                has_data = true;
            }
            _ => {}
        }
    }
    Ok(false)
}

impl Client {
    /// Opens the stream at `path`, resuming after event `after` (sent as
    /// `Last-Event-ID`), and hands each event to `each` until it answers
    /// false (`Ok(true)`) or the hub closes the stream (`Ok(false)`).
    pub fn stream(
        &self,
        path: &str,
        after: Option<i64>,
        each: impl FnMut(StreamEvent) -> bool,
    ) -> Result<bool> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .agent
            .get(&url)
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Accept", "text/event-stream");
        if let Some(after) = after {
            request = request.header("Last-Event-ID", &after.to_string());
        }
        let mut response = request
            .call()
            .map_err(|e| ClientError::Unreachable(format!("cannot reach {url}: {e}")))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let text = response.body_mut().read_to_string().unwrap_or_default();
            return Err(crate::refusal(status, text));
        }
        let reader = std::io::BufReader::new(response.body_mut().as_reader());
        read_events(reader, each)
            .map_err(|e| ClientError::Unreachable(format!("the stream from {url} broke: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_on_blank_lines_and_comments_skipped() {
        let text = ": keep-alive\n\nid: 7\nevent: hotline\ndata: {\"a\":1}\n\n\
                    id:8\ndata: one\ndata: two\n\n: ping\n\nid: 9\ndata: cut";
        let mut seen = Vec::new();
        let stopped = read_events(text.as_bytes(), |e| {
            seen.push(e);
            true
        })
        .expect("read");
        assert!(!stopped);
        assert_eq!(
            seen,
            vec![
                StreamEvent {
                    id: Some(7),
                    event: "hotline".into(),
                    data: "{\"a\":1}".into()
                },
                StreamEvent {
                    id: Some(8),
                    event: String::new(),
                    data: "one\ntwo".into()
                },
            ],
            "an event without its closing blank line is not handed out"
        );
    }

    #[test]
    fn the_reader_stops_when_asked() {
        let text = "id: 1\ndata: a\n\nid: 2\ndata: b\n\n";
        let mut n = 0;
        let stopped = read_events(text.as_bytes(), |_| {
            n += 1;
            false
        })
        .expect("read");
        assert!(stopped);
        assert_eq!(n, 1);
    }
}
