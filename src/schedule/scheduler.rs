//! The batch scheduler as a pure state machine: which request starts next,
//! and when, under a limit K of requests in flight, optional requests- and
//! tokens-per-minute budgets (token buckets refilled continuously, as in
//! OpenAI's cookbook parallel processor), and adaptive back-off (a 429
//! halves K and pauses new starts for the server's wait; a run of successes
//! raises K again, up to the user's limit).
//!
//! It never sleeps or sends: a driver asks [`Scheduler::next`] at a time and
//! reports back, so it is tested with a simulated clock.

use std::collections::VecDeque;

/// The user's limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Requests in flight at most (1 to 64).
    pub max_in_flight: usize,
    /// Requests per minute (None = no budget).
    pub rpm: Option<f64>,
    /// Tokens per minute (None = no budget).
    pub tpm: Option<f64>,
    /// Successes in a row after which K grows by one again.
    pub recover_after: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_in_flight: 6,
            rpm: None,
            tpm: None,
            recover_after: 5,
        }
    }
}

/// Largest K a user can set.
pub const MAX_IN_FLIGHT: usize = 64;

/// A budget per minute, refilled continuously.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bucket {
    capacity: f64,
    level: f64,
    per_ms: f64,
    at: f64,
}

impl Bucket {
    fn new(per_minute: f64, now: f64) -> Self {
        Self {
            capacity: per_minute,
            level: per_minute,
            per_ms: per_minute / 60_000.0,
            at: now,
        }
    }

    fn refill(&mut self, now: f64) {
        if now > self.at {
            self.level = (self.level + (now - self.at) * self.per_ms).min(self.capacity);
            self.at = now;
        }
    }

    /// When `need` will be available (now if it is); a need above the
    /// capacity waits for a full bucket rather than forever.
    fn ready_at(&self, need: f64) -> f64 {
        let need = need.min(self.capacity);
        if self.level >= need {
            self.at
        } else {
            self.at + (need - self.level) / self.per_ms
        }
    }

    fn take(&mut self, amount: f64) {
        self.level -= amount.min(self.capacity);
    }
}

/// What the driver should do now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Start job `i`.
    Start(usize),
    /// Nothing can start before this time (a budget or a back-off pause);
    /// a completion before then is worth waking for too.
    WaitUntil(f64),
    /// K requests are in flight: wait for one to finish.
    WaitForCompletion,
    /// Nothing left to start and nothing in flight.
    Finished,
}

/// The state of one batch's scheduling.
#[derive(Debug, Clone)]
pub struct Scheduler {
    limits: Limits,
    k: usize,
    in_flight: usize,
    queue: VecDeque<usize>,
    /// Estimated tokens of each job (prompt + token limit).
    estimates: Vec<f64>,
    requests: Option<Bucket>,
    tokens: Option<Bucket>,
    paused_until: f64,
    streak: usize,
}

impl Scheduler {
    /// Jobs `0..estimates.len()` in order, each with its estimated tokens.
    pub fn new(estimates: Vec<f64>, limits: Limits, now: f64) -> Self {
        let k = limits.max_in_flight.clamp(1, MAX_IN_FLIGHT);
        Self {
            limits: Limits {
                max_in_flight: k,
                ..limits
            },
            k,
            in_flight: 0,
            queue: (0..estimates.len()).collect(),
            estimates,
            requests: limits.rpm.filter(|r| *r > 0.0).map(|r| Bucket::new(r, now)),
            tokens: limits.tpm.filter(|t| *t > 0.0).map(|t| Bucket::new(t, now)),
            paused_until: f64::NEG_INFINITY,
            streak: 0,
        }
    }

    /// Starts the jobs in `order` (a permutation of the jobs, as
    /// `workflow::order::start_order` gives) instead of `0..n`; an order
    /// that is not a permutation is ignored.
    pub fn in_order(mut self, order: &[usize]) -> Self {
        let n = self.estimates.len();
        let mut seen = vec![false; n];
        if order.len() == n
            && order
                .iter()
                .all(|&i| i < n && !std::mem::replace(&mut seen[i], true))
        {
            self.queue = order.iter().copied().collect();
        }
        self
    }

    /// The current limit on requests in flight (lowered after 429s).
    pub fn current_k(&self) -> usize {
        self.k
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Jobs not yet started.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// What to do at `now`. A `Start` counts the job as in flight at once.
    pub fn next(&mut self, now: f64) -> Next {
        let Some(&job) = self.queue.front() else {
            return if self.in_flight == 0 {
                Next::Finished
            } else {
                Next::WaitForCompletion
            };
        };
        if self.in_flight >= self.k {
            return Next::WaitForCompletion;
        }
        let mut ready = self.paused_until;
        if let Some(b) = &mut self.requests {
            b.refill(now);
            ready = ready.max(b.ready_at(1.0));
        }
        let need = self.estimates.get(job).copied().unwrap_or(0.0);
        if let Some(b) = &mut self.tokens {
            b.refill(now);
            ready = ready.max(b.ready_at(need));
        }
        if ready > now {
            return Next::WaitUntil(ready);
        }
        if let Some(b) = &mut self.requests {
            b.take(1.0);
        }
        if let Some(b) = &mut self.tokens {
            b.take(need);
        }
        self.queue.pop_front();
        self.in_flight += 1;
        Next::Start(job)
    }

    /// The server answered 429 to a request in flight (which its client
    /// will retry): halve K and start nothing new until the wait is over.
    pub fn rate_limited(&mut self, now: f64, wait_ms: Option<f64>) {
        self.k = (self.k / 2).max(1);
        self.streak = 0;
        self.paused_until = self.paused_until.max(now + wait_ms.unwrap_or(1000.0));
    }

    /// A started job ended; `ok` if it succeeded.
    pub fn finished(&mut self, ok: bool) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if ok {
            self.streak += 1;
            if self.streak >= self.limits.recover_after && self.k < self.limits.max_in_flight {
                self.k += 1;
                self.streak = 0;
            }
        } else {
            self.streak = 0;
        }
    }

    /// Stops starting anything: jobs not started are dropped.
    pub fn cancel(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A discrete-event run: each job takes `duration(job)` ms; `rate_limit`
    /// says whether a job's first attempt gets a 429 (it then holds its slot
    /// for the wait and runs again). Returns start times, peak in flight, K
    /// over time and the end time.
    struct Sim {
        starts: Vec<(usize, f64)>,
        peak: usize,
        ks: Vec<usize>,
        end: f64,
        /// (time, in flight, queued) each time the scheduler waits.
        trace: Vec<(f64, usize, usize)>,
    }

    fn simulate(
        mut s: Scheduler,
        duration: impl Fn(usize) -> f64,
        rate_limit: impl Fn(usize) -> Option<f64>,
    ) -> Sim {
        let mut now = 0.0;
        // (end time, job, ok)
        let mut running: Vec<(f64, usize)> = Vec::new();
        let mut sim = Sim {
            starts: vec![],
            peak: 0,
            ks: vec![],
            end: 0.0,
            trace: vec![],
        };
        for _ in 0..100_000 {
            match s.next(now) {
                Next::Start(j) => {
                    let mut d = duration(j);
                    if let Some(wait) = rate_limit(j) {
                        s.rate_limited(now, Some(wait));
                        d += wait;
                    }
                    running.push((now + d, j));
                    sim.starts.push((j, now));
                    sim.peak = sim.peak.max(s.in_flight());
                }
                Next::Finished => {
                    sim.end = now;
                    return sim;
                }
                wait => {
                    sim.trace.push((now, s.in_flight(), s.queued()));
                    running.sort_by(|a, b| a.0.total_cmp(&b.0));
                    let completion = running.first().map(|r| r.0);
                    let until = match wait {
                        Next::WaitUntil(t) => completion.map_or(t, |c| c.min(t)),
                        _ => completion.expect("waiting for a completion with none running"),
                    };
                    now = until;
                    while running.first().is_some_and(|r| r.0 <= now) {
                        running.remove(0);
                        s.finished(true);
                        sim.ks.push(s.current_k());
                    }
                }
            }
        }
        panic!("simulation did not end");
    }

    #[test]
    fn jobs_start_in_the_given_order_and_longest_first_ends_sooner() {
        // K = 2 over 1, 1, 1, 1, 10 as listed ends at 12; longest first at 10.
        let d = [1.0, 1.0, 1.0, 1.0, 10.0];
        let listed = simulate(
            Scheduler::new(vec![0.0; 5], limits(2), 0.0),
            |j| d[j],
            |_| None,
        );
        // Longest first (what `workflow::order` picks for these; the
        // replay there gives the same ends, 12 and 10).
        let order = [4, 0, 1, 2, 3];
        let lpt = simulate(
            Scheduler::new(vec![0.0; 5], limits(2), 0.0).in_order(&order),
            |j| d[j],
            |_| None,
        );
        assert_eq!(
            lpt.starts.iter().map(|s| s.0).collect::<Vec<_>>(),
            [4, 0, 1, 2, 3]
        );
        assert_eq!((listed.end, lpt.end), (12.0, 10.0));
        // Not a permutation: ignored.
        let bad = simulate(
            Scheduler::new(vec![0.0; 5], limits(2), 0.0).in_order(&[4, 4, 0, 1, 2]),
            |j| d[j],
            |_| None,
        );
        assert_eq!(
            bad.starts.iter().map(|s| s.0).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
    }

    fn limits(k: usize) -> Limits {
        Limits {
            max_in_flight: k,
            ..Limits::default()
        }
    }

    #[test]
    fn keeps_exactly_k_busy_without_waves() {
        // 20 jobs of varied length, K = 4: a finished job's slot is refilled
        // at once, so in flight stays 4 until the queue is empty.
        let durations: Vec<f64> = (0..20)
            .map(|i| 100.0 + (i * 37 % 11) as f64 * 50.0)
            .collect();
        let sim = simulate(
            Scheduler::new(vec![0.0; 20], limits(4), 0.0),
            |j| durations[j],
            |_| None,
        );
        assert_eq!(sim.peak, 4);
        assert_eq!(sim.starts.len(), 20);
        // Started in input order.
        assert!(sim.starts.windows(2).all(|w| w[0].0 < w[1].0));
        // While jobs remained queued, every start came at a completion time
        // (or at 0), never later: no waiting for a whole wave.
        let first_four: Vec<f64> = sim.starts[..4].iter().map(|s| s.1).collect();
        assert_eq!(first_four, [0.0; 4]);
        // Whenever it waited with work queued, exactly K were in flight.
        for (t, n, queued) in &sim.trace {
            if *queued > 0 {
                assert_eq!(*n, 4, "{n} in flight at {t} with {queued} queued");
            }
        }
        assert!(sim.trace.iter().any(|(_, _, q)| *q > 0));
        // Total time is close to the sum / 4 (list scheduling bound).
        let sum: f64 = durations.iter().sum();
        let max = durations.iter().copied().fold(0.0, f64::max);
        assert!(sim.end <= sum / 4.0 + max, "{}", sim.end);
    }

    #[test]
    fn the_request_budget_is_never_exceeded() {
        // 30 rpm, K = 10, 60 quick jobs: starts are spread so that no
        // 60-second window holds more than 30 + the initial burst allowance.
        let s = Scheduler::new(
            vec![0.0; 60],
            Limits {
                max_in_flight: 10,
                rpm: Some(30.0),
                ..Limits::default()
            },
            0.0,
        );
        let sim = simulate(s, |_| 10.0, |_| None);
        let times: Vec<f64> = sim.starts.iter().map(|s| s.1).collect();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..].iter().filter(|u| **u < t + 60_000.0).count();
            // A full bucket (30) plus what refills within the window (30).
            assert!(
                in_window <= 60,
                "{in_window} starts in the minute after {t}"
            );
        }
        // After the burst of 30, one start every 2 s.
        assert!((times[31] - times[30] - 2000.0).abs() < 1e-6);
        assert!(
            (sim.end - (29.0 * 2000.0 + 2000.0 + 10.0)).abs() < 1.0,
            "{}",
            sim.end
        );
    }

    #[test]
    fn the_token_budget_is_never_exceeded() {
        // 10k tokens per minute, jobs of 2,500 tokens: 4 at once, then one
        // every 15 s.
        let s = Scheduler::new(
            vec![2500.0; 8],
            Limits {
                max_in_flight: 8,
                tpm: Some(10_000.0),
                ..Limits::default()
            },
            0.0,
        );
        let sim = simulate(s, |_| 100.0, |_| None);
        let times: Vec<f64> = sim.starts.iter().map(|s| s.1).collect();
        assert_eq!(&times[..4], [0.0; 4]);
        assert!((times[4] - 15_000.0).abs() < 1e-6);
        assert!((times[7] - 60_000.0).abs() < 1e-6);
        // A single job larger than the whole budget still runs (on a full bucket).
        let mut big = Scheduler::new(
            vec![50_000.0],
            Limits {
                tpm: Some(10_000.0),
                ..Limits::default()
            },
            0.0,
        );
        assert_eq!(big.next(0.0), Next::Start(0));
    }

    #[test]
    fn a_429_halves_k_pauses_and_recovers() {
        let mut s = Scheduler::new(
            vec![0.0; 40],
            Limits {
                max_in_flight: 8,
                recover_after: 3,
                ..Limits::default()
            },
            0.0,
        );
        for _ in 0..8 {
            assert!(matches!(s.next(0.0), Next::Start(_)));
        }
        s.rate_limited(100.0, Some(2000.0));
        assert_eq!(s.current_k(), 4);
        s.rate_limited(100.0, Some(500.0));
        assert_eq!(s.current_k(), 2);
        // Finishing some does not start new ones while 2+ are in flight.
        for _ in 0..5 {
            s.finished(true);
        }
        assert_eq!(s.in_flight(), 3);
        assert_eq!(s.next(150.0), Next::WaitForCompletion);
        s.finished(true);
        s.finished(true);
        // Below K now, but paused until the server's wait (the longer one) ends.
        assert_eq!(s.next(200.0), Next::WaitUntil(2100.0));
        assert!(matches!(s.next(2100.0), Next::Start(_)));
        // Successes raise K by one per 3, never past the user's 8.
        for _ in 0..60 {
            s.finished(true);
        }
        assert_eq!(s.current_k(), 8);
        // K never drops below 1.
        for _ in 0..10 {
            s.rate_limited(3000.0, None);
        }
        assert_eq!(s.current_k(), 1);
    }

    #[test]
    fn rate_limits_in_a_run_lower_the_peak_and_lose_nothing() {
        // Job 3's first attempt meets a 429 with a 1 s wait.
        let sim = simulate(
            Scheduler::new(vec![0.0; 30], limits(8), 0.0),
            |_| 200.0,
            |j| (j == 3).then_some(1000.0),
        );
        assert_eq!(sim.starts.len(), 30);
        let mut ids: Vec<usize> = sim.starts.iter().map(|s| s.0).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..30).collect::<Vec<_>>());
        // Nothing new started during the pause after the 429 (at t = 0 .. 1000).
        assert!(sim.starts.iter().skip(4).all(|s| s.1 >= 1000.0));
    }

    #[test]
    fn cancel_drops_the_queue_but_waits_for_those_in_flight() {
        let mut s = Scheduler::new(vec![0.0; 10], limits(3), 0.0);
        for _ in 0..3 {
            s.next(0.0);
        }
        s.cancel();
        assert_eq!(s.queued(), 0);
        assert_eq!(s.next(1.0), Next::WaitForCompletion);
        (0..3).for_each(|_| s.finished(false));
        assert_eq!(s.next(2.0), Next::Finished);
        // K is clamped to 1..=64.
        assert_eq!(Scheduler::new(vec![], limits(0), 0.0).current_k(), 1);
        assert_eq!(Scheduler::new(vec![], limits(500), 0.0).current_k(), 64);
    }
}
