//! Abuse resistance: a token bucket per token, and exponential backoff per
//! client address after failed authentication. The backoff holds back only
//! further failures from the address (answered 429 instead of 401, without
//! counting again); a valid token from it is served. A good login does not
//! clear an address's failures (a guesser holding one valid token could
//! reset its own backoff); they are forgotten an hour after the last one. In memory, per process: a
//! limit that several nodes share would live in the database later.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Limits, from the hub configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Sustained requests per second per token (0: no limit).
    pub per_second: f64,
    /// Requests a token may make at once above the sustained rate.
    pub burst: f64,
    /// Failed authentications from one address before backoff starts.
    pub free_failures: u32,
    /// Longest backoff.
    pub max_backoff: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_second: 500.0,
            burst: 2500.0,
            free_failures: 5,
            max_backoff: Duration::from_secs(300),
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug)]
struct Failures {
    count: u32,
    blocked_until: Option<Instant>,
    last: Instant,
}

/// The state of the limits.
#[derive(Debug)]
pub(crate) struct Guard {
    limits: Limits,
    buckets: Mutex<HashMap<String, Bucket>>,
    failures: Mutex<HashMap<IpAddr, Failures>>,
}

/// Entries idle this long are forgotten (keeps the maps small).
const FORGET: Duration = Duration::from_secs(3600);

impl Guard {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            buckets: Mutex::default(),
            failures: Mutex::default(),
        }
    }

    /// Takes one request from the token's bucket; `Err(seconds)` to wait when empty.
    pub(crate) fn take(&self, token: &str) -> Result<(), u64> {
        let l = self.limits;
        if l.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        // A poisoned lock still holds the counts: keep enforcing them.
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() > 100_000 {
            buckets.retain(|_, b| now.duration_since(b.at) < FORGET);
        }
        let b = buckets.entry(token.to_owned()).or_insert(Bucket {
            tokens: l.burst.max(1.0),
            at: now,
        });
        let refill = now.duration_since(b.at).as_secs_f64() * l.per_second;
        b.tokens = (b.tokens + refill).min(l.burst.max(1.0));
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / l.per_second).ceil() as u64)
        }
    }

    /// Seconds this address must still wait before authenticating again.
    pub(crate) fn blocked(&self, ip: Option<IpAddr>) -> Option<u64> {
        let ip = ip?;
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let until = failures.get(&ip)?.blocked_until?;
        (until > now).then(|| until.duration_since(now).as_secs().max(1))
    }

    /// Records a failed authentication; past the free ones, each doubles the wait.
    pub(crate) fn failed(&self, ip: Option<IpAddr>) {
        let Some(ip) = ip else { return };
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() > 100_000 {
            failures.retain(|_, f| now.duration_since(f.last) < FORGET);
        }
        let f = failures.entry(ip).or_insert(Failures {
            count: 0,
            blocked_until: None,
            last: now,
        });
        if now.duration_since(f.last) > FORGET {
            f.count = 0;
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
        if f.count > self.limits.free_failures {
            let over = f.count - self.limits.free_failures - 1;
            let wait = Duration::from_secs(1u64 << over.min(16)).min(self.limits.max_backoff);
            f.blocked_until = Some(now + wait);
        }
    }
}
