//! Runs a batch's requests through the shared executor (at most K in flight,
//! request and token budgets, back-off on 429) over any transport.

use crate::batch::jobs::estimate;
use crate::openai::{ApiError, ChatOutput, ChatRequest, Progress, Transport};
use crate::schedule::executor::{Executor, Load, Step};
use crate::schedule::permits::Permits;
use crate::schedule::scheduler::Limits;
use crate::workflow::engine::{Fan, FormatMemory, RunSpec, run_fanned};
use crate::workflow::tasks::TaskDef;

/// A job sent as parts or votes instead of one request: its document as
/// the spec's text, its task and how it is sent.
#[derive(Debug, Clone)]
pub struct Fanned {
    /// The spec with the document as its text.
    pub spec: RunSpec,
    /// The job's task.
    pub task: TaskDef,
    /// Its parts and votes.
    pub fan: Fan,
}

/// What the batch driver reports.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchEvent {
    /// Request `i` (of the list given) was started.
    Started(usize),
    /// Request `i` finished.
    Finished(usize, Box<ChatOutput>),
    /// Requests in flight and the current limit K, after any change.
    Load {
        /// In flight now.
        in_flight: usize,
        /// The scheduler's current K.
        k: usize,
    },
}

fn load_event(l: Load) -> BatchEvent {
    BatchEvent::Load {
        in_flight: l.in_flight,
        k: l.k,
    }
}

/// Runs `requests` under `limits`, starting them in `order` (empty: as
/// listed), reporting as it goes; returns each request's output in input
/// order (`None` for those a cancel kept from starting). A job with an
/// entry in `fanned` is sent as its parts or votes (in its one slot) and
/// its output is the stitched answer, usage summed over its requests.
pub async fn run_batch(
    transport: &dyn Transport,
    requests: &[ChatRequest],
    fanned: &[Option<Fanned>],
    order: &[usize],
    limits: Limits,
    on: &dyn Fn(BatchEvent),
) -> Vec<Option<ChatOutput>> {
    // Remembers a refused structured output across the batch's jobs.
    let memory = FormatMemory::default();
    let memory = &memory;
    // With split or voted jobs, each of their requests counts against K.
    let permits = fanned
        .iter()
        .any(Option::is_some)
        .then(|| Permits::new(limits.max_in_flight));
    let permits = permits.as_ref();
    let exec = Executor::new(
        requests.iter().map(estimate).collect(),
        order,
        limits,
        transport.now_ms(),
    );
    let exec = &exec;
    let start = |i: usize| async move {
        // A 429 lowers K for the whole batch while the client retries.
        let mut progress = |p: Progress| {
            if let Progress::Waiting {
                error:
                    ApiError::Http {
                        status: 429,
                        retry_after,
                        ..
                    },
                wait,
                ..
            } = p
            {
                let ms = retry_after.unwrap_or(wait).as_secs_f64() * 1000.0;
                on(load_event(exec.rate_limited(transport.now_ms(), ms)));
            }
        };
        if let Some(Some(f)) = fanned.get(i) {
            let at = transport.now_ms();
            if let Some(r) = run_fanned(
                transport,
                &f.spec,
                &f.task,
                &f.fan,
                at,
                memory,
                permits,
                &|_| {},
            )
            .await
            {
                return without_itl(r.output);
            }
        }
        let _permit = match permits {
            Some(p) => Some(p.acquire().await),
            None => None,
        };
        without_itl(transport.chat(&requests[i], &mut progress).await)
    };
    exec.run(
        transport,
        start,
        |out: &ChatOutput| out.error.is_none(),
        &|step, load| match step {
            Step::Started(i) => {
                on(BatchEvent::Started(i));
                on(load_event(load));
            }
            Step::Finished(i, out) => {
                on(load_event(load));
                on(BatchEvent::Finished(i, Box::new(out.clone())));
            }
        },
    )
    .await
}

/// A batch keeps no per-chunk gaps (its cells have no ITL): thousands of
/// outputs are held until the batch ends.
fn without_itl(mut out: ChatOutput) -> ChatOutput {
    out.itl_ms = Vec::new();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::jobs::tests::{base, docs};
    use crate::batch::jobs::{job_request, jobs};
    use crate::batch::progress::progress;
    use crate::batch::saved::Cell;
    use crate::testing::FakeServer;
    use crate::workflow::tasks::{TaskDef, builtin_tasks};
    use futures::executor::block_on;
    use std::cell::RefCell;

    #[test]
    fn a_batch_runs_everything_once_in_order_with_one_failure() {
        let d = docs();
        let tasks: Vec<TaskDef> = builtin_tasks().into_iter().take(3).collect();
        let j = jobs(&d, tasks.len());
        let reqs: Vec<ChatRequest> = j
            .iter()
            .map(|j| job_request(&base(), &d, &tasks, *j))
            .collect();
        // Doc 1 (Beta) × keywords ("List ...") fails.
        let t = FakeServer::new(|req| {
            let prompt = &req.messages.last().unwrap().content;
            if prompt.contains("Beta") && prompt.starts_with("List") {
                Err(FakeServer::http(500))
            } else {
                Ok(format!("answer to {}", prompt.len()))
            }
        });
        let events = RefCell::new(Vec::new());
        let out = block_on(run_batch(
            &t,
            &reqs,
            &[],
            &[],
            Limits {
                max_in_flight: 4,
                ..Limits::default()
            },
            &|e| events.borrow_mut().push(e),
        ));
        assert_eq!(t.sent.borrow().len(), 9);
        let cells: Vec<Option<Cell>> = out
            .iter()
            .map(|o| o.as_ref().map(Cell::from_output))
            .collect();
        let status: Vec<&str> = cells
            .iter()
            .map(|c| c.as_ref().unwrap().status.name())
            .collect();
        // Doc 1 (Beta) × keywords ("List ...") fails; the rest are done.
        assert_eq!(
            status,
            [
                "done", "done", "done", "done", "done", "error", "done", "done", "done"
            ]
        );
        let p = progress(&cells, 1000.0);
        assert_eq!((p.done, p.failed, p.remaining), (8, 1, 0));
        assert_eq!(p.requests_per_s, 9.0);
        // 7 completion tokens per answer; the failure reports no usage.
        assert_eq!(p.tokens_per_s, 56.0);
        let ev = events.borrow();
        assert_eq!(
            ev.iter()
                .filter(|e| matches!(e, BatchEvent::Started(_)))
                .count(),
            9
        );
        assert!(
            ev.iter()
                .all(|e| !matches!(e, BatchEvent::Load { in_flight, .. } if *in_flight > 4))
        );
    }
}
