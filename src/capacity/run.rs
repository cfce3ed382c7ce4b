//! Measures capacity through a [`Transport`]: a warm-up request, then for
//! each K the search asks for, rounds of K requests sent at once (the
//! chosen tasks in turn), each round awaited before the next. The first
//! round opens the connections and is not counted; enough rounds follow for
//! at least [`MIN_FOR_P90`] measured requests.
//!
//! Rounds rather than K workers each sending again as soon as it is
//! answered: such a closed loop drifts into staggered arrivals, where a
//! queue on the server shows as a wait of one request's duration ÷ its
//! slots on every request, hidden in the mean; rounds give every step the
//! same load, K arriving together, and a queued request waits whole
//! requests' durations, which is what a batch of K feels at its start.

use std::cell::Cell;

use futures::future::join_all;

use super::figures::{MIN_FOR_P90, RequestStats, Targets};
use super::search::Search;
use super::verdict::{MAX_AGAIN, Step, reason, sentence, step, too_close};
use crate::openai::Transport;
use crate::openai::http1::{HTTP1_PER_ORIGIN, Http1, LIFT_CAP, http1};
use crate::workflow::engine::{FormatMemory, RunSpec, run_task, warm_up_request};
use crate::workflow::metrics::TaskTiming;

/// The most at once a capacity search tries when nothing else bounds it.
pub const MAX_K: usize = 64;

/// What bounds K besides the user: the browser's connections per server.
#[derive(Debug, Clone, PartialEq)]
pub struct Cap {
    /// At most this many at once.
    pub max: usize,
    /// Why, in words.
    pub why: String,
}

/// The browser's own cap for a server at `base_url` reached through
/// `lanes` origins, given the protocol resource timing reported for its
/// last request (`None` or empty when the server does not let the page see
/// it): over HTTP/1.1 a page opens at most 6 connections per server name,
/// so K above 6 × lanes would measure the browser.
pub fn browser_cap(base_url: &str, protocol: Option<&str>, lanes: usize) -> Option<Cap> {
    let how = match http1(base_url, protocol)? {
        Http1::Measured => "The browser reached this server over HTTP/1.1 (resource timing)",
        Http1::PlainHttp => "This server is plain http://, which browsers reach over HTTP/1.1",
    };
    let lanes = lanes.max(1);
    let max = HTTP1_PER_ORIGIN * lanes;
    let through = if lanes == 1 {
        "one server".to_string()
    } else {
        format!("one server name; through its {lanes} lanes that is {max}")
    };
    Some(Cap {
        max,
        why: format!(
            "{how}: a page opens at most {HTTP1_PER_ORIGIN} connections to {through}, so K above {max} would measure the browser, not the server. The search stops at {max}. {LIFT_CAP}"
        ),
    })
}

/// What a capacity run reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum CapacityEvent {
    /// What happens now, in words.
    Phase(String),
    /// A step's requests: `done` of `total` finished at K = `k`.
    Progress {
        /// Requests in flight.
        k: usize,
        /// Finished.
        done: usize,
        /// In the step, warm-up wave included.
        total: usize,
    },
    /// A step was measured.
    Step(Box<Step>),
}

/// A capacity run's outcome, as kept in records.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Capacity {
    /// The targets it was measured against.
    pub targets: Targets,
    /// Each K measured, in order.
    pub steps: Vec<Step>,
    /// The largest K that met every target (0: none did).
    pub k: usize,
    /// The answer in words.
    pub sentence: String,
    /// Why K + 1 broke, when a step broke.
    pub reason: Option<String>,
    /// Why the search stopped at a cap rather than at a K that broke.
    pub capped: Option<String>,
    /// Steps with too few answered requests for a p90.
    pub too_few: Vec<usize>,
    /// Requests sent in all, warm-ups included.
    pub requests: usize,
    /// Stopped by the user.
    pub cancelled: bool,
    /// The last rate-limit headers the server let the page read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<crate::openai::ratelimit::RateLimit>,
}

/// Requests a step at K sends: the warm-up round of K, then rounds of K
/// for at least [`MIN_FOR_P90`] measured requests and at least two rounds.
pub fn step_requests(k: usize) -> (usize, usize) {
    let k = k.max(1);
    let rounds = MIN_FOR_P90.div_ceil(k).max(2);
    (k, k * rounds)
}

/// One step: rounds of K of `spec`'s tasks at once, after a warm-up round
/// when `warm_up` (a step measured again needs none).
pub async fn measure(
    transport: &dyn Transport,
    spec: &RunSpec,
    k: usize,
    memory: &FormatMemory,
    on: &dyn Fn(CapacityEvent),
    warm_up: bool,
) -> Measured {
    let (warm, counted) = step_requests(k);
    let warm = if warm_up { warm } else { 0 };
    let total = warm + counted;
    let done = Cell::new(0usize);
    let limit = std::cell::RefCell::new(None);
    let tokens = Cell::new((0u64, 0u64));
    let mut measured = Vec::with_capacity(counted);
    let n = spec.tasks.len();
    if n == 0 {
        return Measured::default();
    }
    let one = |i: usize| {
        let (done, tokens, limit) = (&done, &tokens, &limit);
        async move {
            let start = transport.now_ms();
            let r = run_task(
                transport,
                spec,
                &spec.tasks[i % n],
                start,
                memory,
                None,
                &|_| {},
            )
            .await;
            if let Some(u) = r.output.usage {
                let (a, b) = tokens.get();
                tokens.set((a + u.prompt_tokens, b + u.completion_tokens));
            }
            if r.output.rate_limit.is_some() {
                *limit.borrow_mut() = r.output.rate_limit.clone();
            }
            done.set(done.get() + 1);
            on(CapacityEvent::Progress {
                k,
                done: done.get(),
                total,
            });
            // A request the user cancelled measured nothing.
            (!matches!(r.output.error, Some(crate::openai::ApiError::Aborted))).then_some(r.timing)
        }
    };
    let mut next = 0;
    while next < total && !transport.cancelled() {
        let round = join_all((next..next + k).map(one)).await;
        if next >= warm {
            measured.extend(round.into_iter().flatten());
        }
        next += k;
    }
    Measured {
        timings: measured,
        tokens: tokens.get(),
        rate_limit: limit.into_inner(),
    }
}

/// What one step measured.
#[derive(Debug, Default)]
pub struct Measured {
    /// The counted requests' timings (the warm-up round left out).
    pub timings: Vec<TaskTiming>,
    /// Tokens (in, out) of every request of the step.
    pub tokens: (u64, u64),
    /// The last rate-limit headers the page could read.
    pub rate_limit: Option<crate::openai::ratelimit::RateLimit>,
}

/// The whole search: a warm-up request, then steps at the Ks [`Search`]
/// picks, up to `max` (and `cap()`, read after the warm-up, when the
/// connection's protocol is known).
pub async fn run_capacity(
    transport: &dyn Transport,
    spec: &RunSpec,
    targets: Targets,
    max: usize,
    cap: &dyn Fn() -> Option<Cap>,
    memory: &FormatMemory,
    on: &dyn Fn(CapacityEvent),
) -> (Capacity, (u64, u64)) {
    // First tokens need a stream, whatever the settings say.
    let spec = RunSpec {
        stream: true,
        limit: 0,
        fans: Vec::new(),
        ..spec.clone()
    };
    on(CapacityEvent::Phase("Warming up the connection…".into()));
    let warm = transport.chat(&warm_up_request(&spec), &mut |_| {}).await;
    let mut tokens = warm
        .usage
        .map_or((0, 0), |u| (u.prompt_tokens, u.completion_tokens));
    let mut requests = 1;
    let mut rate_limit = warm.rate_limit.clone();
    let cap = cap().filter(|c| c.max < max.max(1));
    let mut search = Search::new(cap.as_ref().map_or(max, |c| c.max));
    let mut steps: Vec<Step> = Vec::new();
    while let Some(k) = search.next() {
        if transport.cancelled() {
            break;
        }
        on(CapacityEvent::Phase(format!(
            "Measuring K = {k}: {} requests, {k} at a time (the first {k} not counted)…",
            step_requests(k).0 + step_requests(k).1
        )));
        let m = measure(transport, &spec, k, memory, on, true).await;
        let (w, c) = step_requests(k);
        requests += w + c;
        tokens = (tokens.0 + m.tokens.0, tokens.1 + m.tokens.1);
        rate_limit = m.rate_limit.or(rate_limit);
        let mut timings = m.timings;
        let mut again = 0;
        // A verdict too close to call is measured again, on all its
        // requests together, up to MAX_AGAIN times.
        while again < MAX_AGAIN
            && !transport.cancelled()
            && too_close(&RequestStats::of(&timings, &targets))
        {
            on(CapacityEvent::Phase(format!(
                "K = {k} is too close to call: measuring {c} more requests, {k} at a time…"
            )));
            let m = measure(transport, &spec, k, memory, on, false).await;
            requests += c;
            tokens = (tokens.0 + m.tokens.0, tokens.1 + m.tokens.1);
            rate_limit = m.rate_limit.or(rate_limit);
            timings.extend(m.timings);
            again += 1;
        }
        if transport.cancelled() {
            break;
        }
        let s = Step {
            again,
            ..step(k, RequestStats::of(&timings, &targets), &targets)
        };
        search.record(k, s.held);
        on(CapacityEvent::Step(Box::new(s.clone())));
        steps.push(s);
    }
    let cancelled = transport.cancelled();
    let k = search.answer();
    let at = steps.iter().find(|s| s.k == k);
    let broke = search.broke().and_then(|b| steps.iter().find(|s| s.k == b));
    let result = Capacity {
        targets,
        k,
        sentence: sentence(k, at, search.capped()),
        reason: broke.map(|b| reason(at, b, &targets)),
        capped: cap.filter(|_| search.capped()).map(|c| c.why),
        too_few: steps
            .iter()
            .filter(|s| !s.stats.enough_for_p90())
            .map(|s| s.k)
            .collect(),
        steps,
        requests,
        cancelled,
        rate_limit,
    };
    on(CapacityEvent::Phase(
        if cancelled { "Cancelled." } else { "Finished." }.into(),
    ));
    (result, tokens)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::openai::{AttemptRecord, ChatOutput, ChatRequest, Progress, Timing, Usage};
    use crate::workflow::tasks::builtin_tasks;
    use futures::channel::oneshot;
    use futures::executor::LocalPool;
    use futures::future::LocalBoxFuture;
    use futures::task::LocalSpawnExt;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A server that works on at most `slots` requests at once and queues
    /// the rest first come, first served; each takes `prefill` ms to its
    /// first token, then `tokens` tokens over `generation` ms (each
    /// slower by `share` per other request in service). Time is virtual:
    /// [`SlotServer::drive`] runs the page's futures and moves the clock to
    /// the next request's end.
    pub(crate) struct SlotServer {
        pub prefill: f64,
        pub generation: f64,
        pub tokens: u64,
        pub share: f64,
        clock: Cell<f64>,
        /// When each slot is free again.
        free: RefCell<Vec<f64>>,
        timers: RefCell<Vec<(f64, oneshot::Sender<()>)>>,
        pub sent: Cell<usize>,
        pub in_flight: Cell<usize>,
        pub most_in_flight: Cell<usize>,
    }

    impl SlotServer {
        pub(crate) fn new(slots: usize, prefill: f64, generation: f64) -> Self {
            Self {
                prefill,
                generation,
                tokens: 20,
                share: 0.0,
                clock: Cell::new(0.0),
                free: RefCell::new(vec![0.0; slots]),
                timers: RefCell::new(Vec::new()),
                sent: Cell::new(0),
                in_flight: Cell::new(0),
                most_in_flight: Cell::new(0),
            }
        }

        fn wait_until(&self, at: f64) -> oneshot::Receiver<()> {
            let (tx, rx) = oneshot::channel();
            self.timers.borrow_mut().push((at, tx));
            rx
        }

        /// Runs `fut` to its end on virtual time.
        pub(crate) fn drive<T: 'static>(
            self: &Rc<Self>,
            fut: impl std::future::Future<Output = T> + 'static,
        ) -> T {
            let mut pool = LocalPool::new();
            let out = Rc::new(RefCell::new(None));
            let o = out.clone();
            pool.spawner()
                .spawn_local(async move {
                    *o.borrow_mut() = Some(fut.await);
                })
                .unwrap();
            loop {
                pool.run_until_stalled();
                if out.borrow().is_some() {
                    break;
                }
                let mut timers = self.timers.borrow_mut();
                let i = (0..timers.len())
                    .min_by(|&a, &b| timers[a].0.total_cmp(&timers[b].0))
                    .expect("stalled with no timer");
                let (at, tx) = timers.swap_remove(i);
                drop(timers);
                self.clock.set(self.clock.get().max(at));
                let _ = tx.send(());
            }
            out.borrow_mut().take().unwrap()
        }
    }

    impl Transport for SlotServer {
        fn chat<'a>(
            &'a self,
            _req: &'a ChatRequest,
            on: &'a mut dyn FnMut(Progress),
        ) -> LocalBoxFuture<'a, ChatOutput> {
            Box::pin(async move {
                let sent = self.clock.get();
                self.sent.set(self.sent.get() + 1);
                self.in_flight.set(self.in_flight.get() + 1);
                self.most_in_flight
                    .set(self.most_in_flight.get().max(self.in_flight.get()));
                on(Progress::Attempt(1));
                // The slot free soonest takes it, after whatever it serves.
                let (slot, start) = {
                    let free = self.free.borrow();
                    let (i, t) = free
                        .iter()
                        .enumerate()
                        .min_by(|a, b| a.1.total_cmp(b.1))
                        .map(|(i, t)| (i, *t))
                        .unwrap();
                    (i, t.max(sent))
                };
                let busy = self.free.borrow().iter().filter(|t| **t > start).count() as f64;
                let first = start + self.prefill;
                let end = first + self.generation * (1.0 + self.share * busy);
                self.free.borrow_mut()[slot] = end;
                self.wait_until(end).await.ok();
                self.in_flight.set(self.in_flight.get() - 1);
                on(Progress::Text("ok".into()));
                ChatOutput {
                    itl_ms: Vec::new(),
                    rate_limit: None,
                    served_by: None,
                    reasoning: String::new(),
                    text: "ok".into(),
                    usage: Some(Usage {
                        prompt_tokens: 10,
                        completion_tokens: self.tokens,
                        total_tokens: 10 + self.tokens,
                        completion_tokens_details: None,
                    }),
                    finish_reason: Some("stop".into()),
                    timing: Timing {
                        gaps: None,
                        sent_ms: sent,
                        headers_ms: Some(first),
                        first_token_ms: Some(first),
                        first_any_ms: Some(first),
                        reasoning_chunks: 0,
                        server: None,
                        last_token_ms: Some(end),
                        end_ms: end,
                    },
                    attempts: vec![AttemptRecord {
                        number: 1,
                        started_ms: sent,
                        ended_ms: end,
                        outcome: "ok".into(),
                        wait_ms: None,
                    }],
                    error: None,
                }
            })
        }
        fn now_ms(&self) -> f64 {
            self.clock.get()
        }
        fn cancelled(&self) -> bool {
            false
        }
        fn sleep(&self, ms: f64) -> LocalBoxFuture<'_, ()> {
            let rx = self.wait_until(self.clock.get() + ms);
            Box::pin(async move {
                rx.await.ok();
            })
        }
    }

    fn spec() -> RunSpec {
        RunSpec {
            text: "A short text.".into(),
            tasks: builtin_tasks().into_iter().take(1).collect(),
            ..RunSpec::new("m")
        }
    }

    /// Capacity of a server with `slots` slots, one request alone taking
    /// `prefill` to its first token and 100 ms more to its end.
    fn capacity_of(
        server: SlotServer,
        targets: Targets,
        cap: Option<Cap>,
    ) -> (Capacity, Rc<SlotServer>) {
        let server = Rc::new(server);
        let s = server.clone();
        let (c, _) = server.drive(async move {
            let memory = FormatMemory::default();
            run_capacity(
                &*s,
                &spec(),
                targets,
                MAX_K,
                &|| cap.clone(),
                &memory,
                &|_| {},
            )
            .await
        });
        (c, server)
    }

    fn queue_targets(prefill: f64, duration: f64) -> Targets {
        // Between one and two requests' durations.
        Targets {
            ttft_p90_ms: prefill + 0.5 * duration,
            tokens_per_s_p90: 20.0,
            ..Targets::default()
        }
    }

    #[test]
    fn a_queueing_server_holds_exactly_its_slots() {
        for slots in [1, 2, 3, 4, 5] {
            let (c, server) = capacity_of(
                SlotServer::new(slots, 400.0, 100.0),
                queue_targets(400.0, 500.0),
                None,
            );
            assert_eq!(c.k, slots, "{c:#?}");
            let why = c.reason.clone().unwrap();
            assert!(why.contains("queued on the server"), "{why}");
            assert!(why.contains("kept its speed"), "{why}");
            assert!(
                c.sentence.starts_with(&format!("Holds {slots} at once")),
                "{}",
                c.sentence
            );
            // Every step measured a p90's worth, and no step sent more at
            // once than its K.
            assert!(c.too_few.is_empty());
            let most = c.steps.iter().map(|s| s.k).max().unwrap();
            assert_eq!(server.most_in_flight.get(), most);
            let sent: usize = c
                .steps
                .iter()
                .map(|s| {
                    let (w, n) = step_requests(s.k);
                    w + n * (1 + s.again)
                })
                .sum();
            assert_eq!(c.requests, sent + 1);
            assert_eq!(server.sent.get(), c.requests);
            // Only a step where some requests missed is measured again.
            for s in &c.steps {
                let (share, _) = s.stats.attainment().unwrap();
                assert!(s.again == 0 || share < 1.0, "{s:?}");
            }
        }
    }

    #[test]
    fn a_verdict_too_close_to_call_is_measured_again_on_more_requests() {
        // 4 slots: at K = 5 one request in 5 queues a whole request, so 8
        // of 10 meet the first-token target; 80 % (49–94 %) holds the 90 %
        // a p90 asks for: too close to call at 10 requests.
        let (c, server) = capacity_of(
            SlotServer::new(4, 400.0, 100.0),
            queue_targets(400.0, 500.0),
            None,
        );
        assert_eq!(c.k, 4);
        let five = c.steps.iter().find(|s| s.k == 5).unwrap();
        assert_eq!(five.again, MAX_AGAIN);
        assert_eq!(five.stats.requests, 10 * (1 + MAX_AGAIN));
        // 24 of 30 met: 80 % (62.7–90.5 %) still holds 90 %: still close, and
        // the p90 rule's verdict stands.
        let (share, (lo, hi)) = five.stats.attainment().unwrap();
        assert_eq!(share, 0.8);
        assert!(lo < 0.9 && hi >= 0.9, "{lo} {hi}");
        assert!(five.close && !five.held);
        let note = super::super::verdict::close_note(&c.steps).unwrap();
        assert!(
            note.contains(
                "K = 5 (30 requests: 80.0 % met every target, 95 % interval 62.7–90.5 %)"
            ),
            "{note}"
        );
        // K = 4 held with every request on time: measured once.
        let four = c.steps.iter().find(|s| s.k == 4).unwrap();
        assert_eq!((four.again, four.close), (0, false));
        assert_eq!(server.sent.get(), c.requests);
    }

    #[test]
    fn shared_compute_is_named_when_each_request_slows() {
        // Every request in service slows the others by 60 %: speed falls
        // below 20 tokens/s (20 tokens over 100 ms × (1 + 0.6 × others)).
        let mut server = SlotServer::new(64, 100.0, 400.0);
        server.share = 0.6;
        let targets = Targets {
            ttft_p90_ms: 10_000.0,
            tokens_per_s_p90: 20.0,
            ..Targets::default()
        };
        let (c, _) = capacity_of(server, targets, None);
        let why = c.reason.unwrap();
        assert!(why.contains("Shared compute"), "{why}");
        assert!(!why.contains("queued on the server"), "{why}");
        assert!(c.k >= 1 && c.k < 8, "{}", c.k);
    }

    #[test]
    fn http_1_caps_at_six_http_2_does_not() {
        assert_eq!(
            browser_cap("https://api.openai.com/v1", Some("h2"), 1),
            None
        );
        assert_eq!(browser_cap("http://127.0.0.1:8080/v1", Some("h2"), 1), None);
        let h1 = browser_cap("https://example.com/v1", Some("http/1.1"), 1).unwrap();
        assert_eq!(h1.max, 6);
        assert!(h1.why.contains("resource timing"), "{}", h1.why);
        // The way past it is said where the cap is.
        assert!(
            h1.why.contains("lanes") && h1.why.contains("HTTP/2"),
            "{}",
            h1.why
        );
        // Hidden protocol: plain http is HTTP/1.1 in every browser.
        let plain = browser_cap("http://127.0.0.1:8080/v1", Some(""), 1).unwrap();
        assert!(plain.why.contains("plain http://"), "{}", plain.why);
        assert_eq!(browser_cap("https://api.openai.com/v1", None, 1), None);
        // Four lanes: four times the connections.
        let wide = browser_cap("http://127.0.0.1:8080/v1", None, 4).unwrap();
        assert_eq!(wide.max, 24);
        assert!(wide.why.contains("its 4 lanes that is 24"), "{}", wide.why);
    }

    #[test]
    fn the_cap_stops_the_search_and_says_why() {
        let cap = Cap {
            max: 6,
            why: "HTTP/1.1: 6 connections".into(),
        };
        let (c, server) = capacity_of(
            SlotServer::new(32, 100.0, 100.0),
            queue_targets(100.0, 200.0),
            Some(cap),
        );
        assert_eq!(c.k, 6);
        assert_eq!(c.capped.as_deref(), Some("HTTP/1.1: 6 connections"));
        assert_eq!(c.reason, None);
        assert_eq!(server.most_in_flight.get(), 6);
        let ks: Vec<usize> = c.steps.iter().map(|s| s.k).collect();
        assert_eq!(ks, vec![1, 2, 4, 6]);
        // Nothing broke: 6 is a lower bound, and the sentence says so.
        assert!(
            c.sentence.starts_with("Holds at least 6 at once"),
            "{}",
            c.sentence
        );
    }

    #[test]
    fn a_server_that_holds_the_searchs_ceiling_is_held_at_least_that() {
        let (c, _) = capacity_of(
            SlotServer::new(2 * MAX_K, 100.0, 100.0),
            queue_targets(100.0, 200.0),
            None,
        );
        assert_eq!((c.k, c.reason.as_deref()), (MAX_K, None));
        assert!(
            c.sentence.starts_with(&format!(
                "Holds at least {MAX_K} at once ({MAX_K} is the most this search tries)"
            )),
            "{}",
            c.sentence
        );
    }
}
