//! Which member of a pool takes the next job: pure, on a clock the caller
//! gives. A member takes jobs while it has a free slot (its K) and budget
//! (its requests and tokens per minute) and is not cooling down after a
//! failure; among those, the least busy goes first (or, by capacity, the
//! one with the most of its K free). A member that failed cools down, longer
//! each time, and is then tried with one job; an answer takes it back.

use serde::{Deserialize, Serialize};

/// How a member's health reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberState {
    /// Taking jobs.
    Ok,
    /// Failed lately: no new job until its cool-down ends, then one trial.
    Cooling,
    /// Failed [`DOWN_AFTER`] times in a row: tried again now and then.
    Down,
}

impl MemberState {
    /// The name the page shows and tests read (`data-state`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Cooling => "cooling",
            Self::Down => "down",
        }
    }
}

/// Failures in a row after which a member counts as down.
pub const DOWN_AFTER: u32 = 3;
/// The first cool-down, ms; each failure in a row doubles it.
pub const COOL_MS: f64 = 1000.0;
/// The longest cool-down, ms: a member that came back is found within it.
pub const MAX_COOL_MS: f64 = 15_000.0;
/// Server errors (5xx) in a row that make a member cool down: one can be
/// chance, a run is the server.
pub const ERRORS_IN_A_ROW: u32 = 2;

/// How jobs are shared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Policy {
    /// The member with the fewest jobs in flight.
    #[default]
    LeastBusy,
    /// The member with the largest share of its capacity (its K) free.
    ByCapacity,
}

/// What a member may carry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberLimits {
    /// Jobs in flight at most (its K: set by hand or found by a capacity
    /// search; at least 1).
    pub k: usize,
    /// Requests per minute at most.
    pub rpm: Option<f64>,
    /// Tokens per minute at most (estimated at the start of each job).
    pub tpm: Option<f64>,
}

/// How a job sent to a member ended, for the router.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// The member answered (time to first token, when streamed; tokens).
    Answered {
        /// Time to first token, ms.
        ttft_ms: Option<f64>,
        /// Prompt and completion tokens, as reported.
        tokens: (u64, u64),
    },
    /// The job failed for its own sake (a request no member would take):
    /// kept as failed, not moved.
    JobFailed,
    /// A server error: a run of them cools the member down.
    ServerError,
    /// The member is out of reach (refused, timed out, cut off, refused
    /// the key) or asked to wait (429, `wait_ms`): it cools down at once.
    Unreachable {
        /// The wait the member asked for, ms.
        wait_ms: Option<f64>,
    },
}

impl Outcome {
    /// Whether the job should go to another member.
    pub fn moves(self) -> bool {
        matches!(self, Self::ServerError | Self::Unreachable { .. })
    }
}

/// A member's figures, as the page shows them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MemberFigures {
    /// Jobs it answered.
    pub done: usize,
    /// Requests that failed on it (moved on or kept as failed).
    pub failed: usize,
    /// In flight now.
    pub in_flight: usize,
    /// Its K.
    pub k: usize,
    /// Health.
    pub state: Option<MemberState>,
    /// Time to first token of its answers, ms, in arrival order.
    pub ttft_ms: Vec<f64>,
    /// When it started its first job and answered its last, ms.
    pub span_ms: Option<(f64, f64)>,
    /// Prompt and completion tokens of its answers.
    pub tokens: (u64, u64),
}

impl MemberFigures {
    /// Answers per second over its span.
    pub fn requests_per_s(&self) -> Option<f64> {
        let (a, b) = self.span_ms?;
        (b > a && self.done > 0).then(|| self.done as f64 * 1000.0 / (b - a))
    }
}

#[derive(Debug, Clone)]
struct Member {
    limits: MemberLimits,
    figures: MemberFigures,
    fails_in_row: u32,
    errors_in_row: u32,
    /// No job before this, ms.
    until: f64,
    /// A trial job is out (after a cool-down): no other until it ends.
    trial: bool,
    /// Starts in the last minute: (when, estimated tokens).
    window: Vec<(f64, f64)>,
}

impl Member {
    fn state(&self) -> MemberState {
        if self.fails_in_row >= DOWN_AFTER {
            MemberState::Down
        } else if self.fails_in_row > 0 || self.errors_in_row >= ERRORS_IN_A_ROW {
            MemberState::Cooling
        } else {
            MemberState::Ok
        }
    }

    /// When this member could take a job of `tokens`, if not now; `None`
    /// when it can now. `f64::INFINITY` while only a slot freeing helps.
    fn ready_at(&mut self, now: f64, tokens: f64) -> Option<f64> {
        self.window.retain(|(t, _)| now - t < 60_000.0);
        let full = self.figures.in_flight >= self.limits.k.max(1);
        if self.state() != MemberState::Ok {
            // Cooling: nothing before `until`, then one trial at a time.
            if now < self.until {
                return Some(self.until);
            }
            if self.trial || full {
                return Some(f64::INFINITY);
            }
        } else if full {
            return Some(f64::INFINITY);
        }
        let oldest = self.window.first().map_or(now, |w| w.0 + 60_000.0);
        if let Some(rpm) = self.limits.rpm
            && self.window.len() as f64 >= rpm.max(1.0)
        {
            return Some(oldest);
        }
        if let Some(tpm) = self.limits.tpm {
            let used: f64 = self.window.iter().map(|w| w.1).sum();
            // A job larger than the whole budget goes when the window is empty.
            if used > 0.0 && used + tokens > tpm {
                return Some(oldest);
            }
        }
        None
    }
}

/// What the router says to a job asking for a member.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pick {
    /// Send it to member `i` (counted in flight there now).
    Member(usize),
    /// No member can take it before this time (ms), unless a job ends first.
    WaitUntil(f64),
    /// Every member is busy: wait for a job to end.
    WaitForSlot,
}

/// The pool's members and their state.
#[derive(Debug, Clone)]
pub struct Router {
    members: Vec<Member>,
    policy: Policy,
}

impl Router {
    /// A pool of members with these limits, sharing jobs by `policy`.
    pub fn new(limits: &[MemberLimits], policy: Policy) -> Self {
        Self {
            members: limits
                .iter()
                .map(|l| Member {
                    limits: MemberLimits {
                        k: l.k.max(1),
                        ..*l
                    },
                    figures: MemberFigures {
                        k: l.k.max(1),
                        state: Some(MemberState::Ok),
                        ..MemberFigures::default()
                    },
                    fails_in_row: 0,
                    errors_in_row: 0,
                    until: 0.0,
                    trial: false,
                    window: Vec::new(),
                })
                .collect(),
            policy,
        }
    }

    /// Members in the pool.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True for a pool of none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The jobs in flight the whole pool can carry: the sum of the Ks.
    pub fn capacity(&self) -> usize {
        self.members.iter().map(|m| m.limits.k).sum()
    }

    /// A member for a job of about `tokens`, at `now`, other than those in
    /// `avoid` (members this job already failed on) while another can take
    /// it.
    pub fn pick(&mut self, now: f64, tokens: f64, avoid: &[usize]) -> Pick {
        let mut ready: Vec<usize> = Vec::new();
        let mut soonest = f64::INFINITY;
        for (i, m) in self.members.iter_mut().enumerate() {
            match m.ready_at(now, tokens) {
                None => ready.push(i),
                Some(t) => soonest = soonest.min(t),
            }
        }
        // A member this job failed on only when no other can take it now.
        let fresh: Vec<usize> = ready
            .iter()
            .copied()
            .filter(|i| !avoid.contains(i))
            .collect();
        let choice = if fresh.is_empty() { ready } else { fresh };
        let best = choice.into_iter().min_by(|&a, &b| {
            let (ma, mb) = (&self.members[a], &self.members[b]);
            let key = |m: &Member| match self.policy {
                Policy::LeastBusy => m.figures.in_flight as f64,
                Policy::ByCapacity => (m.figures.in_flight + 1) as f64 / m.limits.k as f64,
            };
            key(ma).total_cmp(&key(mb)).then(a.cmp(&b))
        });
        match best {
            Some(i) => {
                let m = &mut self.members[i];
                m.figures.in_flight += 1;
                if m.state() != MemberState::Ok {
                    m.trial = true;
                }
                m.window.push((now, tokens));
                let span = m.figures.span_ms.get_or_insert((now, now));
                span.1 = span.1.max(now);
                Pick::Member(i)
            }
            None if soonest.is_finite() => Pick::WaitUntil(soonest),
            None => Pick::WaitForSlot,
        }
    }

    /// A job sent to member `i` ended with `outcome` at `now`.
    pub fn finished(&mut self, i: usize, outcome: Outcome, now: f64) {
        let Some(m) = self.members.get_mut(i) else {
            return;
        };
        m.figures.in_flight = m.figures.in_flight.saturating_sub(1);
        m.trial = false;
        match outcome {
            Outcome::Answered { ttft_ms, tokens } => {
                m.figures.done += 1;
                m.figures.tokens.0 += tokens.0;
                m.figures.tokens.1 += tokens.1;
                if let Some(t) = ttft_ms.filter(|t| t.is_finite()) {
                    m.figures.ttft_ms.push(t);
                }
                if let Some(span) = &mut m.figures.span_ms {
                    span.1 = span.1.max(now);
                }
                m.fails_in_row = 0;
                m.errors_in_row = 0;
            }
            Outcome::JobFailed => {
                m.figures.failed += 1;
            }
            Outcome::ServerError => {
                m.figures.failed += 1;
                m.errors_in_row += 1;
                if m.errors_in_row >= ERRORS_IN_A_ROW {
                    m.cool(now, None);
                }
            }
            Outcome::Unreachable { wait_ms } => {
                m.figures.failed += 1;
                m.cool(now, wait_ms);
            }
        }
        m.figures.state = Some(m.state());
    }

    /// Each member's figures now.
    pub fn figures(&self) -> Vec<MemberFigures> {
        self.members.iter().map(|m| m.figures.clone()).collect()
    }
}

impl Member {
    fn cool(&mut self, now: f64, wait_ms: Option<f64>) {
        self.fails_in_row += 1;
        let backoff = (COOL_MS * 2f64.powi(self.fails_in_row as i32 - 1)).min(MAX_COOL_MS);
        let wait = wait_ms
            .filter(|w| w.is_finite())
            .unwrap_or(0.0)
            .max(backoff);
        self.until = self.until.max(now + wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(k: usize) -> MemberLimits {
        MemberLimits {
            k,
            rpm: None,
            tpm: None,
        }
    }

    fn answered() -> Outcome {
        Outcome::Answered {
            ttft_ms: Some(100.0),
            tokens: (5, 7),
        }
    }

    #[test]
    fn least_busy_fills_every_member_and_waits_when_all_are_full() {
        let mut r = Router::new(&[member(2), member(1), member(2)], Policy::LeastBusy);
        assert_eq!(r.capacity(), 5);
        let picks: Vec<Pick> = (0..5).map(|_| r.pick(0.0, 10.0, &[])).collect();
        // One each first (fewest in flight, lowest number on ties), then
        // the members with room.
        assert_eq!(
            picks,
            [
                Pick::Member(0),
                Pick::Member(1),
                Pick::Member(2),
                Pick::Member(0),
                Pick::Member(2)
            ]
        );
        assert_eq!(r.pick(0.0, 10.0, &[]), Pick::WaitForSlot);
        r.finished(1, answered(), 50.0);
        assert_eq!(r.pick(50.0, 10.0, &[]), Pick::Member(1));
        let f = r.figures();
        assert_eq!((f[1].done, f[1].in_flight, f[1].k), (1, 1, 1));
        assert_eq!(f[1].ttft_ms, [100.0]);
        assert_eq!(f[1].tokens, (5, 7));
    }

    #[test]
    fn by_capacity_weighs_members_by_their_k() {
        // K 1 against K 4: the larger member takes the first three jobs,
        // as its share of capacity stays freer (¼, ½, ¾ against 1).
        let mut r = Router::new(&[member(1), member(4)], Policy::ByCapacity);
        let picks: Vec<Pick> = (0..5).map(|_| r.pick(0.0, 0.0, &[])).collect();
        assert_eq!(
            picks,
            [
                Pick::Member(1),
                Pick::Member(1),
                Pick::Member(1),
                Pick::Member(0),
                Pick::Member(1)
            ]
        );
        // Least busy would have taken member 0 first.
        let mut lb = Router::new(&[member(1), member(4)], Policy::LeastBusy);
        assert_eq!(lb.pick(0.0, 0.0, &[]), Pick::Member(0));
    }

    #[test]
    fn a_failing_member_cools_goes_down_and_comes_back_after_a_trial() {
        let mut r = Router::new(&[member(2), member(2)], Policy::LeastBusy);
        assert_eq!(r.pick(0.0, 0.0, &[]), Pick::Member(0));
        r.finished(0, Outcome::Unreachable { wait_ms: None }, 10.0);
        assert_eq!(r.figures()[0].state, Some(MemberState::Cooling));
        // While it cools, every job goes to member 1, until it is full.
        assert_eq!(r.pick(20.0, 0.0, &[]), Pick::Member(1));
        assert_eq!(r.pick(20.0, 0.0, &[]), Pick::Member(1));
        assert_eq!(r.pick(20.0, 0.0, &[]), Pick::WaitUntil(10.0 + COOL_MS));
        // After the cool-down: one trial job, no more while it runs.
        let t = 10.0 + COOL_MS;
        assert_eq!(r.pick(t, 0.0, &[]), Pick::Member(0));
        assert_eq!(r.pick(t, 0.0, &[]), Pick::WaitForSlot);
        // The trial fails, twice more: down, each cool-down longer.
        r.finished(0, Outcome::Unreachable { wait_ms: None }, t);
        let t2 = t + 2.0 * COOL_MS;
        assert_eq!(r.pick(t, 0.0, &[]), Pick::WaitUntil(t2));
        assert_eq!(r.pick(t2, 0.0, &[]), Pick::Member(0));
        r.finished(0, Outcome::Unreachable { wait_ms: None }, t2);
        assert_eq!(r.figures()[0].state, Some(MemberState::Down));
        assert_eq!(r.figures()[0].failed, 3);
        // It answers again: taken back at once.
        let t3 = t2 + 4.0 * COOL_MS;
        assert_eq!(r.pick(t3, 0.0, &[]), Pick::Member(0));
        r.finished(0, answered(), t3 + 5.0);
        assert_eq!(r.figures()[0].state, Some(MemberState::Ok));
        assert_eq!(r.pick(t3 + 5.0, 0.0, &[]), Pick::Member(0));
        assert_eq!(r.pick(t3 + 5.0, 0.0, &[]), Pick::Member(0));
    }

    #[test]
    fn a_long_retry_after_is_waited_and_one_server_error_is_not_a_run() {
        let mut r = Router::new(&[member(1), member(1)], Policy::LeastBusy);
        r.pick(0.0, 0.0, &[]);
        r.finished(
            0,
            Outcome::Unreachable {
                wait_ms: Some(20_000.0),
            },
            0.0,
        );
        r.pick(0.0, 0.0, &[]);
        assert_eq!(r.pick(0.0, 0.0, &[]), Pick::WaitUntil(20_000.0));
        // Member 1: one 5xx leaves it in; a second in a row cools it.
        r.finished(1, Outcome::ServerError, 1.0);
        assert_eq!(r.figures()[1].state, Some(MemberState::Ok));
        assert_eq!(r.pick(1.0, 0.0, &[]), Pick::Member(1));
        r.finished(1, Outcome::ServerError, 2.0);
        assert_eq!(r.figures()[1].state, Some(MemberState::Cooling));
        // A job's own failure (a bad request) says nothing of the member.
        let mut q = Router::new(&[member(1)], Policy::LeastBusy);
        q.pick(0.0, 0.0, &[]);
        q.finished(0, Outcome::JobFailed, 1.0);
        assert_eq!(q.figures()[0].state, Some(MemberState::Ok));
        assert!(!Outcome::JobFailed.moves() && Outcome::ServerError.moves());
    }

    #[test]
    fn a_job_avoids_the_member_it_failed_on_while_another_can_take_it() {
        let mut r = Router::new(&[member(2), member(2)], Policy::LeastBusy);
        assert_eq!(r.pick(0.0, 0.0, &[0]), Pick::Member(1));
        assert_eq!(r.pick(0.0, 0.0, &[1]), Pick::Member(0));
        // Member 1 full: the job goes back to member 0 rather than wait.
        assert_eq!(r.pick(0.0, 0.0, &[0]), Pick::Member(1));
        assert_eq!(r.pick(0.0, 0.0, &[0]), Pick::Member(0));
    }

    #[test]
    fn request_and_token_budgets_hold_a_member_back_for_their_minute() {
        let mut r = Router::new(
            &[
                MemberLimits {
                    k: 4,
                    rpm: Some(2.0),
                    tpm: None,
                },
                MemberLimits {
                    k: 4,
                    rpm: None,
                    tpm: Some(100.0),
                },
            ],
            Policy::LeastBusy,
        );
        assert_eq!(r.pick(0.0, 60.0, &[]), Pick::Member(0));
        assert_eq!(r.pick(10.0, 60.0, &[]), Pick::Member(1));
        assert_eq!(r.pick(20.0, 60.0, &[]), Pick::Member(0));
        // Member 0 used its 2 requests, member 1 would pass 100 tokens:
        // the first budget to refill is member 0's, a minute after 0.
        assert_eq!(r.pick(30.0, 60.0, &[]), Pick::WaitUntil(60_000.0));
        assert_eq!(r.pick(60_000.0, 60.0, &[]), Pick::Member(0));
        assert_eq!(r.pick(60_010.0, 60.0, &[]), Pick::Member(1));
    }
}
