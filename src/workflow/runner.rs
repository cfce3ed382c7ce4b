//! How a set of tasks is run: one after another, all at once, or at most K
//! at a time, and the order of runs in a fair comparison.

use std::future::Future;

use futures::StreamExt;
use serde::{Deserialize, Serialize};

/// How the tasks of a run are scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// One after another, each awaited before the next starts.
    Sequential,
    /// All at once (or at most K at a time with a concurrency limit).
    Parallel,
}

impl Mode {
    /// Lowercase name, as used in labels and test hooks.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Parallel => "parallel",
        }
    }
}

/// The runs of a comparison over `rounds` rounds: modes alternate which goes
/// first, so neither always runs on a warmer (or more loaded) server.
pub fn comparison_order(rounds: usize) -> Vec<Mode> {
    (0..rounds)
        .flat_map(|r| {
            if r % 2 == 0 {
                [Mode::Sequential, Mode::Parallel]
            } else {
                [Mode::Parallel, Mode::Sequential]
            }
        })
        .collect()
}

/// How many tasks run at once: 1 for sequential, else the limit (0 = no
/// limit), never more than there are tasks.
pub fn concurrency(mode: Mode, limit: usize, tasks: usize) -> usize {
    match mode {
        Mode::Sequential => 1.min(tasks),
        Mode::Parallel if limit == 0 => tasks,
        Mode::Parallel => limit.min(tasks),
    }
}

/// The limits a concurrency sweep tries for `n` tasks: 1, 2, 4, … and `n`
/// itself (or `max`, if lower).
pub fn sweep_limits(n: usize, max: usize) -> Vec<usize> {
    let top = n.min(max).max(1);
    let mut ks: Vec<usize> = std::iter::successors(Some(1usize), |k| k.checked_mul(2))
        .take_while(|k| *k < top)
        .collect();
    ks.push(top);
    ks
}

/// The best speedup K slots can give `n` equal tasks: n / ceil(n / K).
pub fn ideal_speedup(n: usize, k: usize) -> f64 {
    if n == 0 || k == 0 {
        return 0.0;
    }
    n as f64 / n.div_ceil(k) as f64
}

/// Runs jobs `0..n` with at most `limit` in flight, starting them in
/// `order` (a permutation of `0..n`; see `workflow::order`) and the next as
/// soon as one finishes (no waves), and returns the results in job order
/// whatever the completion order. `start(i)` creates job `i` when its turn
/// comes.
pub async fn run_limited<T, F, Fut>(order: &[usize], limit: usize, mut start: F) -> Vec<T>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = T>,
{
    let n = order.len();
    let mut results: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let mut running = futures::stream::iter(order.iter().copied())
        .map(|i| {
            let job = start(i);
            async move { (i, job.await) }
        })
        .buffer_unordered(limit.max(1));
    while let Some((i, r)) = running.next().await {
        results[i] = Some(r);
    }
    results
        .into_iter()
        .map(|r| r.expect("every job finished"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_double_up_to_the_task_count() {
        assert_eq!(sweep_limits(6, 64), [1, 2, 4, 6]);
        assert_eq!(sweep_limits(8, 64), [1, 2, 4, 8]);
        assert_eq!(sweep_limits(12, 5), [1, 2, 4, 5]);
        assert_eq!(sweep_limits(1, 64), [1]);
        assert_eq!(ideal_speedup(6, 4), 3.0);
        assert_eq!(ideal_speedup(6, 6), 6.0);
        assert_eq!(ideal_speedup(6, 1), 1.0);
        assert_eq!(ideal_speedup(0, 3), 0.0);
    }
    use std::cell::{Cell, RefCell};
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// A fake job: pending for `polls` polls (waking itself), counting how
    /// many jobs are in flight at once.
    struct FakeJob<'a> {
        id: usize,
        polls: usize,
        started: bool,
        in_flight: &'a Cell<usize>,
        max_in_flight: &'a Cell<usize>,
        finished: &'a RefCell<Vec<usize>>,
    }

    impl Future for FakeJob<'_> {
        type Output = String;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<String> {
            if !self.started {
                self.started = true;
                self.in_flight.set(self.in_flight.get() + 1);
                self.max_in_flight
                    .set(self.max_in_flight.get().max(self.in_flight.get()));
            }
            if self.polls == 0 {
                self.in_flight.set(self.in_flight.get() - 1);
                self.finished.borrow_mut().push(self.id);
                return Poll::Ready(format!("result {}", self.id));
            }
            self.polls -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    fn run(durations: &[usize], limit: usize) -> (Vec<String>, usize, Vec<usize>) {
        let in_flight = Cell::new(0);
        let max = Cell::new(0);
        let finished = RefCell::new(vec![]);
        let order: Vec<usize> = (0..durations.len()).collect();
        let out = futures::executor::block_on(run_limited(&order, limit, |i| FakeJob {
            id: i,
            polls: durations[i],
            started: false,
            in_flight: &in_flight,
            max_in_flight: &max,
            finished: &finished,
        }));
        (out, max.get(), finished.into_inner())
    }

    #[test]
    fn results_keep_input_order_whatever_finishes_first() {
        let (out, max, finished) = run(&[30, 5, 20, 1, 10, 2], 6);
        assert_eq!(
            out,
            (0..6).map(|i| format!("result {i}")).collect::<Vec<_>>()
        );
        assert_eq!(max, 6, "all six in flight at once");
        assert_ne!(
            finished,
            vec![0, 1, 2, 3, 4, 5],
            "they did finish out of order"
        );
    }

    #[test]
    fn sequential_runs_one_at_a_time_in_order() {
        let (out, max, finished) = run(&[3, 1, 2], 1);
        assert_eq!(max, 1);
        assert_eq!(finished, vec![0, 1, 2]);
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn a_limit_holds_exactly_k_in_flight_without_waves() {
        // Job 1 is long; with K = 2 the short ones keep flowing through the
        // other slot instead of waiting for job 1 (a wave would wait).
        let (_, max, finished) = run(&[2, 50, 2, 2, 2, 2], 2);
        assert_eq!(max, 2);
        assert_eq!(
            *finished.last().unwrap(),
            1,
            "the long job finishes last: {finished:?}"
        );
        assert_eq!(&finished[..5], &[0, 2, 3, 4, 5]);
    }

    #[test]
    fn comparison_alternates_which_mode_goes_first() {
        use Mode::*;
        assert_eq!(comparison_order(1), vec![Sequential, Parallel]);
        assert_eq!(
            comparison_order(3),
            vec![
                Sequential, Parallel, Parallel, Sequential, Sequential, Parallel
            ]
        );
        assert!(comparison_order(0).is_empty());
    }

    #[test]
    fn concurrency_per_mode() {
        assert_eq!(concurrency(Mode::Sequential, 0, 6), 1);
        assert_eq!(concurrency(Mode::Parallel, 0, 6), 6);
        assert_eq!(concurrency(Mode::Parallel, 2, 6), 2);
        assert_eq!(concurrency(Mode::Parallel, 10, 6), 6);
        assert_eq!(concurrency(Mode::Sequential, 0, 0), 0);
    }
}
