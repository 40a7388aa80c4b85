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
    pub fn due(&self, waiting_since: &[i64], senders: usize, now: i64) -> bool {
        let Some(oldest) = waiting_since.iter().min() else {
            return false;
        };
        senders >= self.k.max(1) || now - oldest >= self.window
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
        assert!(!b.due(&[], 0, 1000));
        assert!(!b.due(&[950, 960], 2, 1000));
        assert!(b.due(&[900, 960], 2, 1000), "the oldest waited the window");
        assert!(b.due(&[990, 995, 999], 3, 1000), "k senders are waiting");
        assert!(
            !b.due(&[990, 995, 999], 1, 1000),
            "one sender's three reports are not k"
        );
    }
}
