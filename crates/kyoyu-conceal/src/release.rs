//! Stage 4, release timing: concealed submissions wait and go out in
//! batches, so the moment one appears in a collection does not betray the
//! moment (and so the organization) it came from.

/// When a batch goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// The oldest waiting submission waits at most this long (microseconds).
    pub window: i64,
    /// Or until this many are waiting.
    pub k: usize,
}

impl Default for Batching {
    fn default() -> Self {
        Self {
            window: 3_600_000_000,
            k: 5,
        }
    }
}

impl Batching {
    /// Whether the waiting submissions go now: `waiting_since` are their
    /// arrival times, `senders` how many distinct organizations sent them
    /// (k counts senders, so one member cannot flush a batch with dummies).
    /// A batch that goes because its oldest report waited the window goes
    /// `jitter` later still ([`Batching::jitter`]): otherwise a lone report
    /// appears exactly one window after it arrived, which gives its arrival
    /// time to the second.
    pub fn due(&self, waiting_since: &[i64], senders: usize, now: i64, jitter: i64) -> bool {
        let Some(oldest) = waiting_since.iter().min() else {
            return false;
        };
        senders >= self.k.max(1) || now - oldest >= self.window.saturating_add(jitter)
    }

    /// The extra wait of a batch released by its window, from `random`
    /// (a keyed hash of the oldest report, so it is the same at every check
    /// and unknown outside the hub): up to half a window.
    pub fn jitter(&self, random: u64) -> i64 {
        let span = u64::try_from(self.window.max(0)).unwrap_or(0) / 2 + 1;
        i64::try_from(random % span).unwrap_or(0)
    }
}

/// Shuffles a batch, so order within it says nothing either.
pub fn shuffle<T>(items: &mut [T]) {
    use rand::seq::SliceRandom;
    items.shuffle(&mut rand::rng());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_or_count() {
        let b = Batching { window: 100, k: 3 };
        assert!(!b.due(&[], 0, 1000, 0));
        assert!(!b.due(&[950, 960], 2, 1000, 0));
        assert!(
            b.due(&[900, 960], 2, 1000, 0),
            "the oldest waited the window"
        );
        assert!(b.due(&[990, 995, 999], 3, 1000, 0), "k senders are waiting");
        assert!(
            !b.due(&[990, 995, 999], 1, 1000, 0),
            "one sender's three reports are not k"
        );
    }

    #[test]
    fn a_lone_report_waits_the_window_and_its_jitter() {
        let b = Batching { window: 100, k: 3 };
        assert!(!b.due(&[900], 1, 1000, 30), "window passed, jitter not");
        assert!(b.due(&[900], 1, 1030, 30));
        assert!(
            b.due(&[999, 998, 997], 3, 1000, 50),
            "k senders do not wait for it"
        );
        // Jitter spans up to half a window, and varies with its input.
        let seen: std::collections::BTreeSet<i64> = (0..1000u64)
            .map(|r| b.jitter(r.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
            .collect();
        assert!(seen.iter().all(|j| (0..=50).contains(j)));
        assert!(seen.len() > 40, "{seen:?}");
    }
}
