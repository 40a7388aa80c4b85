//! Prometheus counters for `/metrics`, kept as plain atomics.

use std::sync::atomic::{AtomicU64, Ordering};

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

/// Request and ingest counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: [AtomicU64; 6],
    latency_buckets: [AtomicU64; 10],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

impl Metrics {
    /// Records one request: its status class and how long it took.
    pub fn record_request(&self, status: u16, seconds: f64) {
        let class = usize::from(status / 100).min(5);
        if let Some(c) = self.requests.get(class) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        for (bound, bucket) in BUCKETS.iter().zip(&self.latency_buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self, ingested: (u64, u64), stored_versions: u64) -> String {
        let mut out = String::new();
        out.push_str("# HELP kyoyu_http_requests_total HTTP requests by status class.\n# TYPE kyoyu_http_requests_total counter\n");
        for (class, c) in self.requests.iter().enumerate().skip(1) {
            out.push_str(&format!(
                "kyoyu_http_requests_total{{class=\"{class}xx\"}} {}\n",
                c.load(Ordering::Relaxed)
            ));
        }
        out.push_str("# HELP kyoyu_http_request_seconds Request latency.\n# TYPE kyoyu_http_request_seconds histogram\n");
        for (bound, b) in BUCKETS.iter().zip(&self.latency_buckets) {
            out.push_str(&format!(
                "kyoyu_http_request_seconds_bucket{{le=\"{bound}\"}} {}\n",
                b.load(Ordering::Relaxed)
            ));
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        out.push_str(&format!(
            "kyoyu_http_request_seconds_bucket{{le=\"+Inf\"}} {count}\n"
        ));
        out.push_str(&format!(
            "kyoyu_http_request_seconds_sum {}\nkyoyu_http_request_seconds_count {count}\n",
            self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        ));
        out.push_str(&format!(
            "# HELP kyoyu_objects_ingested_total Object versions stored from TAXII POSTs.\n# TYPE kyoyu_objects_ingested_total counter\nkyoyu_objects_ingested_total {}\n",
            ingested.0
        ));
        out.push_str(&format!(
            "# HELP kyoyu_objects_refused_total Objects refused at ingest.\n# TYPE kyoyu_objects_refused_total counter\nkyoyu_objects_refused_total {}\n",
            ingested.1
        ));
        out.push_str(&format!(
            "# HELP kyoyu_stored_versions Object versions stored.\n# TYPE kyoyu_stored_versions gauge\nkyoyu_stored_versions {stored_versions}\n"
        ));
        out
    }
}
