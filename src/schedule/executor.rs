//! The one async driver for "at most K in flight": it asks the
//! [`Scheduler`] what to start and when, starts jobs, waits for the first
//! to finish (or for a budget to refill) and reports back. The workflow's
//! parallel runs with a limit and every batch go through it.

use std::cell::RefCell;
use std::future::Future;

use futures::future::{Either, LocalBoxFuture, select};
use futures::stream::{FuturesUnordered, StreamExt};

use super::scheduler::{Limits, Next, Scheduler};
use crate::openai::Transport;

/// What the executor reports as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a, T> {
    /// Job `i` was started.
    Started(usize),
    /// Job `i` finished with this result.
    Finished(usize, &'a T),
}

/// Requests in flight and the scheduler's current K, after any change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    /// In flight now.
    pub in_flight: usize,
    /// The scheduler's current limit (lowered after 429s).
    pub k: usize,
}

/// Runs jobs `0..n` (n = the estimates given) with at most K in flight.
/// Jobs are started by a closure that gets the executor, so a job can
/// report a rate limit ([`Executor::rate_limited`]) while it runs.
pub struct Executor {
    sched: RefCell<Scheduler>,
}

impl Executor {
    /// Jobs with their estimated tokens, started in `order` (a permutation
    /// of the jobs; anything else means as listed), under `limits`.
    pub fn new(estimates: Vec<f64>, order: &[usize], limits: Limits, now: f64) -> Self {
        Self {
            sched: RefCell::new(Scheduler::new(estimates, limits, now).in_order(order)),
        }
    }

    /// The load now.
    pub fn load(&self) -> Load {
        let s = self.sched.borrow();
        Load {
            in_flight: s.in_flight(),
            k: s.current_k(),
        }
    }

    /// A running job met a 429 with this wait: K is halved and nothing new
    /// starts until the wait is over. Returns the load after the change.
    pub fn rate_limited(&self, now: f64, wait_ms: f64) -> Load {
        self.sched.borrow_mut().rate_limited(now, Some(wait_ms));
        self.load()
    }

    /// Runs every job: `start(i)` makes job `i` when its turn comes, `ok`
    /// says whether a result was a success (successes raise a lowered K
    /// again), `on` hears each start and finish and every change of load.
    /// Returns the results in job order; a job never started (the transport
    /// was cancelled) is `None`. Time and cancellation come from `clock`.
    pub async fn run<T, Fut>(
        &self,
        clock: &dyn Transport,
        start: impl Fn(usize) -> Fut,
        ok: impl Fn(&T) -> bool,
        on: &dyn Fn(Step<'_, T>, Load),
    ) -> Vec<Option<T>>
    where
        Fut: Future<Output = T>,
    {
        let n = self.sched.borrow().queued();
        let results: RefCell<Vec<Option<T>>> = RefCell::new((0..n).map(|_| None).collect());
        let (results, start, ok) = (&results, &start, &ok);
        // The loop itself is not generic (one copy in the page whatever the
        // jobs): jobs are boxed and keep their own results.
        self.drive(
            clock,
            &|i| {
                let job = start(i);
                Box::pin(async move {
                    let r = job.await;
                    let good = ok(&r);
                    results.borrow_mut()[i] = Some(r);
                    good
                })
            },
            &|i, finished, load| {
                if !finished {
                    on(Step::Started(i), load);
                } else if let Some(r) = &results.borrow()[i] {
                    on(Step::Finished(i, r), load);
                }
            },
        )
        .await;
        results.take()
    }

    /// The scheduling loop: `on(i, finished, load)` for each start and end.
    async fn drive<'a>(
        &'a self,
        clock: &'a dyn Transport,
        start: &'a dyn Fn(usize) -> LocalBoxFuture<'a, bool>,
        on: &'a dyn Fn(usize, bool, Load),
    ) {
        let mut running = FuturesUnordered::new();
        loop {
            if clock.cancelled() {
                self.sched.borrow_mut().cancel();
            }
            let next = self.sched.borrow_mut().next(clock.now_ms());
            let finished = match next {
                Next::Start(i) => {
                    on(i, false, self.load());
                    let job = start(i);
                    running.push(async move { (i, job.await) });
                    continue;
                }
                Next::Finished => break,
                Next::WaitForCompletion => running.next().await,
                Next::WaitUntil(t) => {
                    let nap = clock.sleep(t - clock.now_ms());
                    if running.is_empty() {
                        nap.await;
                        None
                    } else {
                        match select(running.next(), nap).await {
                            Either::Left((done, _)) => done,
                            Either::Right(((), _)) => None,
                        }
                    }
                }
            };
            if let Some((i, good)) = finished {
                self.sched.borrow_mut().finished(good);
                on(i, true, self.load());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeServer;
    use futures::channel::oneshot;
    use futures::executor::{LocalPool, block_on};
    use futures::task::LocalSpawnExt;
    use std::rc::Rc;

    /// A clock that moves only when slept on; the executor never sends.
    fn clock() -> FakeServer {
        FakeServer::new(|_| unreachable!("the executor never sends"))
    }

    fn limits(k: usize) -> Limits {
        Limits {
            max_in_flight: k,
            ..Limits::default()
        }
    }

    /// Six jobs, each released by the test, on a local pool.
    #[test]
    fn holds_k_in_flight_refills_a_slot_at_once_and_keeps_job_order() {
        let clock = Rc::new(clock());
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..6).map(|_| oneshot::channel::<()>()).unzip();
        let rxs = Rc::new(RefCell::new(rxs.into_iter().map(Some).collect::<Vec<_>>()));
        let log = Rc::new(RefCell::new(Vec::<(Option<usize>, Load)>::new()));
        let out = Rc::new(RefCell::new(None));
        let mut pool = LocalPool::new();
        {
            let (clock, rxs, log, out) = (clock.clone(), rxs.clone(), log.clone(), out.clone());
            pool.spawner()
                .spawn_local(async move {
                    // Longest (job 5) first, then as listed.
                    let exec = Executor::new(vec![0.0; 6], &[5, 0, 1, 2, 3, 4], limits(2), 0.0);
                    let r = exec
                        .run(
                            &*clock,
                            |i| {
                                let rx = rxs.borrow_mut()[i].take().unwrap();
                                async move {
                                    let _ = rx.await;
                                    i * 10
                                }
                            },
                            |_| true,
                            &|s, l| {
                                let started = match s {
                                    Step::Started(i) => Some(i),
                                    Step::Finished(..) => None,
                                };
                                log.borrow_mut().push((started, l))
                            },
                        )
                        .await;
                    *out.borrow_mut() = Some(r);
                })
                .unwrap();
        }
        pool.run_until_stalled();
        let started = |log: &[(Option<usize>, Load)]| -> Vec<usize> {
            log.iter().filter_map(|s| s.0).collect()
        };
        assert_eq!(
            started(&log.borrow()),
            [5, 0],
            "two slots, in the order given"
        );
        // Job 0 ends: its slot goes to job 1 at once, while 5 still runs.
        let mut txs: Vec<_> = txs.into_iter().map(Some).collect();
        txs[0].take().unwrap().send(()).unwrap();
        pool.run_until_stalled();
        assert_eq!(started(&log.borrow()), [5, 0, 1]);
        for i in [1, 2, 3, 4, 5] {
            txs[i].take().unwrap().send(()).unwrap();
            pool.run_until_stalled();
        }
        assert!(
            log.borrow()
                .iter()
                .all(|(_, l)| l.in_flight <= 2 && l.k == 2)
        );
        assert_eq!(
            out.borrow_mut().take().unwrap(),
            (0..6).map(|i| Some(i * 10)).collect::<Vec<_>>()
        );
        // No start waited on a timer (the clock moves only when slept on):
        // a slot is refilled when a job ends, so a hidden tab, whose timers
        // the browser throttles, keeps a batch without budgets at its pace.
        assert_eq!(clock.clock.get(), 0.0);
    }

    #[test]
    fn a_rate_limit_halves_k_and_a_cancel_starts_nothing_more() {
        let clock = clock();
        let exec = Executor::new(vec![0.0; 8], &[], limits(4), 0.0);
        let load = exec.rate_limited(0.0, 500.0);
        assert_eq!(load, Load { in_flight: 0, k: 2 });
        // Jobs wait out the pause on the clock, then run; job 3 cancels.
        let out = block_on(exec.run(
            &clock,
            |i| {
                if i == 3 {
                    clock.cancelled.set(true);
                }
                async move { i }
            },
            |_| true,
            &|_, _| {},
        ));
        assert!(clock.clock.get() >= 500.0, "the pause was waited out");
        let ran: Vec<usize> = out.iter().flatten().copied().collect();
        assert_eq!(ran, [0, 1, 2, 3]);
        assert!(out[4..].iter().all(Option::is_none), "{out:?}");
    }
}
