//! A pool as one [`Transport`]: each request goes to the member the
//! [`Router`] picks, with that member's model; a member that fails is
//! cooled down and the request goes to another, so a batch over a pool
//! loses no job when a server stops. The answer says which member gave it
//! ([`ChatOutput::served_by`]), and its attempts list every member tried.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::task::{Poll, Waker};

use futures::future::{Either, LocalBoxFuture, poll_fn, select};

use super::router::{MemberFigures, MemberLimits, Outcome, Pick, Policy, Router};
use crate::openai::{ApiError, ChatOutput, ChatRequest, Progress, Timing, Transport};

/// One member: what sends its requests (with its own key, base URL and
/// lanes; no retries of its own: the pool moves a failed request) and its
/// model.
pub struct Member {
    /// Its transport.
    pub transport: Box<dyn Transport>,
    /// The model its requests ask for.
    pub model: String,
    /// Its K and budgets.
    pub limits: MemberLimits,
}

/// Wakes the requests waiting for a member when a job ends. Hand-written:
/// a generation counter and the wakers of those waiting, no more.
#[derive(Default)]
struct Notify {
    generation: Cell<u64>,
    wakers: RefCell<Vec<Waker>>,
}

impl Notify {
    fn notify(&self) {
        self.generation.set(self.generation.get() + 1);
        for w in self.wakers.borrow_mut().drain(..) {
            w.wake();
        }
    }

    fn changed(&self) -> impl Future<Output = ()> + '_ {
        let start = self.generation.get();
        poll_fn(move |cx| {
            if self.generation.get() != start {
                Poll::Ready(())
            } else {
                self.wakers.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        })
    }
}

/// How a member's answer reads for the router.
pub fn outcome_of(out: &ChatOutput) -> Outcome {
    match &out.error {
        None => Outcome::Answered {
            ttft_ms: out.timing.ttft_ms(),
            tokens: out
                .usage
                .map_or((0, 0), |u| (u.prompt_tokens, u.completion_tokens)),
        },
        Some(ApiError::Aborted) => Outcome::JobFailed,
        Some(ApiError::Network { .. } | ApiError::Timeout(_) | ApiError::StreamCut(_)) => {
            Outcome::Unreachable { wait_ms: None }
        }
        Some(ApiError::Http {
            status,
            retry_after,
            ..
        }) => match status {
            429 => Outcome::Unreachable {
                wait_ms: retry_after.map(|d| d.as_secs_f64() * 1000.0),
            },
            // Another key, model or route would answer: this member's setup
            // is wrong, not the job.
            401 | 403 | 404 | 408 => Outcome::Unreachable { wait_ms: None },
            s if *s >= 500 => Outcome::ServerError,
            _ => Outcome::JobFailed,
        },
        Some(ApiError::Malformed(_)) => Outcome::ServerError,
    }
}

/// Requests over a pool of members.
pub struct PoolTransport {
    members: Vec<Member>,
    router: Rc<RefCell<Router>>,
    freed: Notify,
    /// Members a request may fail on before it is kept as failed.
    max_tries: usize,
    estimate: Box<dyn Fn(&ChatRequest) -> f64>,
    on_change: Box<dyn Fn()>,
}

impl PoolTransport {
    /// A pool of `members` (at least one), sharing by `policy`; a request
    /// is tried on up to `max_tries` members (at least one more than the
    /// pool's size is sensible), `estimate` gives its tokens for the
    /// budgets, and `on_change` hears of every change of the members'
    /// figures (read them through [`Self::router`] or [`Self::figures`]).
    pub fn new(
        members: Vec<Member>,
        policy: Policy,
        max_tries: usize,
        estimate: Box<dyn Fn(&ChatRequest) -> f64>,
        on_change: Box<dyn Fn()>,
    ) -> Self {
        let limits: Vec<MemberLimits> = members.iter().map(|m| m.limits).collect();
        Self {
            router: Rc::new(RefCell::new(Router::new(&limits, policy))),
            members,
            freed: Notify::default(),
            max_tries: max_tries.max(1),
            estimate,
            on_change,
        }
    }

    /// Jobs in flight the pool can carry: the sum of its members' K.
    pub fn capacity(&self) -> usize {
        self.router.borrow().capacity()
    }

    /// Each member's figures now.
    pub fn figures(&self) -> Vec<MemberFigures> {
        self.router.borrow().figures()
    }

    /// The router, shared: a view reads the members' figures from it when
    /// it draws (once a frame), not at every change.
    pub fn router(&self) -> Rc<RefCell<Router>> {
        self.router.clone()
    }

    fn changed(&self) {
        (self.on_change)();
    }

    async fn send(&self, req: &ChatRequest, on_progress: &mut dyn FnMut(Progress)) -> ChatOutput {
        let tokens = (self.estimate)(req);
        let mut failed_on: Vec<usize> = Vec::new();
        let mut earlier = Vec::new();
        loop {
            if self.cancelled() {
                return aborted(self.now_ms(), earlier);
            }
            let pick = self
                .router
                .borrow_mut()
                .pick(self.now_ms(), tokens, &failed_on);
            let i = match pick {
                Pick::Member(i) => i,
                Pick::WaitForSlot => {
                    self.freed.changed().await;
                    continue;
                }
                Pick::WaitUntil(t) => {
                    let nap = self.sleep(t - self.now_ms());
                    let freed = Box::pin(self.freed.changed());
                    match select(freed, nap).await {
                        Either::Left(_) | Either::Right(_) => continue,
                    }
                }
            };
            self.changed();
            let member = &self.members[i];
            let mine = ChatRequest {
                model: member.model.clone(),
                ..req.clone()
            };
            let mut out = member.transport.chat(&mine, on_progress).await;
            let outcome = if out.error == Some(ApiError::Aborted) {
                None
            } else {
                Some(outcome_of(&out))
            };
            self.router.borrow_mut().finished(
                i,
                outcome.unwrap_or(Outcome::JobFailed),
                self.now_ms(),
            );
            self.freed.notify();
            self.changed();
            let tries = failed_on.len() + 1;
            if outcome.is_some_and(Outcome::moves) && tries < self.max_tries && !self.cancelled() {
                earlier.append(&mut out.attempts);
                failed_on.push(i);
                continue;
            }
            earlier.append(&mut out.attempts);
            out.attempts = earlier;
            out.served_by = Some(i);
            return out;
        }
    }
}

/// A request the user cancelled before any member took it.
fn aborted(at: f64, attempts: Vec<crate::openai::AttemptRecord>) -> ChatOutput {
    ChatOutput {
        itl_ms: Vec::new(),
        text: String::new(),
        usage: None,
        finish_reason: None,
        timing: Timing {
            sent_ms: at,
            end_ms: at,
            ..Timing::default()
        },
        attempts,
        error: Some(ApiError::Aborted),
        rate_limit: None,
        served_by: None,
        reasoning: String::new(),
    }
}

impl Transport for PoolTransport {
    fn chat<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_progress: &'a mut dyn FnMut(Progress),
    ) -> LocalBoxFuture<'a, ChatOutput> {
        Box::pin(self.send(req, on_progress))
    }

    fn now_ms(&self) -> f64 {
        self.members[0].transport.now_ms()
    }

    fn cancelled(&self) -> bool {
        self.members[0].transport.cancelled()
    }

    fn sleep(&self, ms: f64) -> LocalBoxFuture<'_, ()> {
        self.members[0].transport.sleep(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::{ChatMessage, RequestOptions, build_chat_request};
    use crate::pool::router::MemberState;
    use crate::schedule::executor::{Executor, Step};
    use crate::schedule::scheduler::Limits;

    /// Runs `reqs` through the pool with its capacity in flight, as a
    /// batch does; `on_end` hears each finish.
    fn run(t: &PoolTransport, reqs: &[ChatRequest], on_end: &dyn Fn()) -> Vec<Option<ChatOutput>> {
        let exec = Executor::new(
            vec![0.0; reqs.len()],
            &[],
            Limits {
                max_in_flight: t.capacity(),
                ..Limits::default()
            },
            0.0,
        );
        block_on(exec.run(
            t,
            |i| async move { t.chat(&reqs[i], &mut |_| {}).await },
            |o: &ChatOutput| o.error.is_none(),
            &|step, _| {
                if let Step::Finished(..) = step {
                    on_end();
                }
            },
        ))
    }
    use crate::testing::FakeServer;
    use futures::executor::block_on;
    use std::rc::Rc;

    fn request(i: usize) -> ChatRequest {
        build_chat_request(
            "pool",
            vec![ChatMessage::user(format!("job {i}"))],
            &RequestOptions::default(),
        )
    }

    fn limits(k: usize) -> MemberLimits {
        MemberLimits {
            k,
            rpm: None,
            tpm: None,
        }
    }

    /// Three members on fake servers; member 2 (index 1) refuses every
    /// request once `down` is set.
    fn pool(
        down: Rc<Cell<bool>>,
        changes: Rc<Cell<usize>>,
    ) -> (PoolTransport, Vec<Rc<FakeServer>>) {
        let servers: Vec<Rc<FakeServer>> = (0..3)
            .map(|n| {
                let down = down.clone();
                Rc::new(FakeServer::new(move |_| {
                    if n == 1 && down.get() {
                        Err(ApiError::Network {
                            host: "member-2".into(),
                        })
                    } else {
                        Ok(format!("answer from member {}", n + 1))
                    }
                }))
            })
            .collect();
        let members = servers
            .iter()
            .enumerate()
            .map(|(n, s)| Member {
                transport: Box::new(Shared(s.clone())),
                model: format!("model-{}", n + 1),
                limits: limits(2),
            })
            .collect();
        let t = PoolTransport::new(
            members,
            Policy::LeastBusy,
            4,
            Box::new(|_| 10.0),
            Box::new(move || changes.set(changes.get() + 1)),
        );
        (t, servers)
    }

    /// A fake server shared between the pool and the test, which lets
    /// other requests run once before it answers (so that several are in
    /// flight at once, as on a network).
    struct Shared(Rc<FakeServer>);

    impl Transport for Shared {
        fn chat<'a>(
            &'a self,
            req: &'a ChatRequest,
            on_progress: &'a mut dyn FnMut(Progress),
        ) -> LocalBoxFuture<'a, ChatOutput> {
            Box::pin(async move {
                let mut yielded = false;
                poll_fn(|cx| {
                    if yielded {
                        Poll::Ready(())
                    } else {
                        yielded = true;
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                })
                .await;
                self.0.chat(req, on_progress).await
            })
        }
        fn now_ms(&self) -> f64 {
            self.0.now_ms()
        }
        fn cancelled(&self) -> bool {
            self.0.cancelled()
        }
        fn sleep(&self, ms: f64) -> LocalBoxFuture<'_, ()> {
            self.0.sleep(ms)
        }
    }

    #[test]
    fn a_batch_over_a_pool_uses_every_member_with_its_own_model() {
        let changes = Rc::new(Cell::new(0));
        let (t, servers) = pool(Rc::new(Cell::new(false)), changes.clone());
        let reqs: Vec<ChatRequest> = (0..30).map(request).collect();
        let out = run(&t, &reqs, &|| {});
        assert!(out.iter().all(|o| o.as_ref().unwrap().error.is_none()));
        for (n, s) in servers.iter().enumerate() {
            let sent = s.sent.borrow();
            assert!(!sent.is_empty(), "member {} took no job", n + 1);
            assert!(sent.iter().all(|r| r.model == format!("model-{}", n + 1)));
        }
        // Each answer names the member whose server gave it.
        for o in out.iter().flatten() {
            let by = o.served_by.unwrap();
            assert_eq!(o.text, format!("answer from member {}", by + 1));
        }
        let total: usize = t.figures().iter().map(|f| f.done).sum();
        // Each start and each end was told (the view redraws from them).
        assert!(changes.get() >= 60);
        assert_eq!(total, 30);
    }

    #[test]
    fn a_member_that_stops_mid_batch_loses_no_job_and_none_runs_twice_in_the_results() {
        let down = Rc::new(Cell::new(false));
        let (t, servers) = pool(down.clone(), Rc::new(Cell::new(0)));
        let reqs: Vec<ChatRequest> = (0..120).map(request).collect();
        let finished = RefCell::new(0usize);
        let out = run(&t, &reqs, &|| {
            *finished.borrow_mut() += 1;
            // Member 2's server stops after 40 results.
            if *finished.borrow() == 40 {
                down.set(true);
            }
        });
        // Every job answered, once each, by a member that was up.
        assert_eq!(out.len(), 120);
        assert_eq!(*finished.borrow(), 120);
        for (i, o) in out.iter().enumerate() {
            let o = o.as_ref().unwrap();
            assert!(o.error.is_none(), "job {i}: {:?}", o.error);
            let by = o.served_by.unwrap();
            assert_eq!(o.text, format!("answer from member {}", by + 1));
        }
        let figures = t.figures();
        assert_eq!(figures[1].state, Some(MemberState::Down));
        assert!(figures[1].failed >= 3, "{:?}", figures[1]);
        // Its share went to the others: members 1 and 3 answered the rest.
        let done: Vec<usize> = figures.iter().map(|f| f.done).collect();
        assert_eq!(done.iter().sum::<usize>(), 120);
        assert!(done[1] < 40, "{done:?}");
        // Attempts in the results add up to what the servers received.
        let attempts: usize = out.iter().flatten().map(|o| o.attempts.len()).sum();
        let received: usize = servers.iter().map(|s| s.sent.borrow().len()).sum();
        assert_eq!(attempts, received);
        let failed_there = figures[1].failed;
        assert_eq!(received, 120 + failed_there);
    }

    #[test]
    fn failures_of_the_request_itself_are_kept_not_moved() {
        let out = |error| ChatOutput {
            error: Some(error),
            ..aborted(0.0, Vec::new())
        };
        assert_eq!(outcome_of(&out(FakeServer::http(400))), Outcome::JobFailed);
        assert_eq!(
            outcome_of(&out(FakeServer::http(503))),
            Outcome::ServerError
        );
        assert_eq!(
            outcome_of(&out(ApiError::Http {
                status: 429,
                message: String::new(),
                retry_after: Some(std::time::Duration::from_secs(30)),
            })),
            Outcome::Unreachable {
                wait_ms: Some(30_000.0)
            }
        );
        assert!(outcome_of(&out(FakeServer::http(401))).moves());
    }
}
