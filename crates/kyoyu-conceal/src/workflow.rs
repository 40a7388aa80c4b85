//! The review-and-release workflow of a concealed submission, as a state
//! machine: which transitions each state allows, and what they lead to.
//! The hub applies each transition with compare-and-set on the stored
//! state, so two requests racing on one submission cannot both act on the
//! state they read: one wins, the other is told to retry.

/// Where a submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Waiting for a reviewer (the detectors had doubts).
    Review,
    /// Waiting for its release batch.
    Held,
    /// Claimed by a release (which publishes it, then marks it released).
    Releasing,
    /// Published in its community.
    Released,
    /// Refused by a reviewer; its content is erased.
    Rejected,
    /// Taken back by its sender; its content and released objects are gone.
    Withdrawn,
}

/// Every state.
pub const STATES: [State; 6] = [
    State::Review,
    State::Held,
    State::Releasing,
    State::Released,
    State::Rejected,
    State::Withdrawn,
];

impl State {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Held => "held",
            Self::Releasing => "releasing",
            Self::Released => "released",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The state a stored name stands for (`None` for a name no version of
    /// the hub writes: such a row is left alone, never guessed at).
    pub fn parse(name: &str) -> Option<Self> {
        STATES.into_iter().find(|s| s.name() == name)
    }
}

/// What happens to a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    /// A reviewer lets it go to the next batch.
    Approve,
    /// A reviewer replaces its content and lets it go.
    Edit,
    /// A reviewer refuses it.
    Reject,
    /// Its sender sends a new version; `doubtful` when the detectors
    /// doubt the new content (it goes back to review).
    Update {
        /// Whether the new version needs a reviewer.
        doubtful: bool,
    },
    /// Its sender takes it back.
    Withdraw,
    /// A release claims it.
    Claim,
    /// The claimed release has published it.
    Publish,
}

/// Why a transition cannot happen now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It is being released: retry in a moment.
    Busy,
    /// Not from this state (the message says which).
    NotNow,
}

/// The state `t` leads to from `s`.
pub fn next(s: State, t: Transition) -> Result<State, Refusal> {
    use State::{Held, Released, Releasing, Review, Withdrawn};
    use Transition::{Approve, Claim, Edit, Publish, Reject, Update, Withdraw};
    match (s, t) {
        (Review, Approve | Edit) => Ok(Held),
        (Review, Reject) => Ok(State::Rejected),
        (Review | Held | Released, Update { doubtful: true }) => Ok(Review),
        (Review | Held | Released, Update { doubtful: false }) => Ok(Held),
        (Review | Held | Released | State::Rejected, Withdraw) => Ok(Withdrawn),
        (Held, Claim) => Ok(Releasing),
        (Releasing, Publish) => Ok(Released),
        (Releasing, Approve | Edit | Reject | Update { .. } | Withdraw) => Err(Refusal::Busy),
        _ => Err(Refusal::NotNow),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Transition; 8] = [
        Transition::Approve,
        Transition::Edit,
        Transition::Reject,
        Transition::Update { doubtful: true },
        Transition::Update { doubtful: false },
        Transition::Withdraw,
        Transition::Claim,
        Transition::Publish,
    ];

    #[test]
    fn names_round_trip() {
        for s in STATES {
            assert_eq!(State::parse(s.name()), Some(s));
        }
        assert_eq!(State::parse("approved"), None);
    }

    #[test]
    fn terminal_states_stay() {
        for t in ALL {
            assert!(next(State::Withdrawn, t).is_err(), "{t:?} out of withdrawn");
        }
        for t in ALL {
            let ok = next(State::Rejected, t);
            assert!(
                ok.is_err() || ok == Ok(State::Withdrawn),
                "{t:?} out of rejected"
            );
        }
    }

    #[test]
    fn only_a_claim_starts_a_release_and_only_a_release_publishes() {
        for s in STATES {
            for t in ALL {
                if next(s, t) == Ok(State::Releasing) {
                    assert_eq!((s, t), (State::Held, Transition::Claim));
                }
                if next(s, t) == Ok(State::Released) {
                    assert_eq!((s, t), (State::Releasing, Transition::Publish));
                }
            }
        }
    }

    #[test]
    fn nothing_changes_under_a_release() {
        for t in ALL {
            if t != Transition::Publish {
                assert!(next(State::Releasing, t).is_err(), "{t:?}");
            }
        }
    }
}
