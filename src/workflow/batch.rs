//! Batches: documents × tasks as one list of jobs, run through the
//! [`Scheduler`] by an async driver over any [`Transport`]; progress
//! figures; and exports (CSV, JSON, JSONL) in input order.

use std::cell::RefCell;

use futures::future::{Either, select};
use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};

use crate::openai::{ApiError, ChatOutput, ChatRequest, Progress, Transport};
use crate::workflow::documents::Document;
use crate::workflow::engine::{RunSpec, TaskStatus, task_request};
use crate::workflow::order::{DurationLog, Order, RequestShape, SpeedModel, expected, start_order};
use crate::workflow::scheduler::{Limits, Next, Scheduler};
use crate::workflow::tasks::{TaskDef, estimate_tokens};

/// One request of a batch: document `doc` × task `task`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Index in the document list.
    pub doc: usize,
    /// Index in the task list.
    pub task: usize,
}

/// Every usable document × every task, document by document.
pub fn jobs(docs: &[Document], tasks: usize) -> Vec<Job> {
    docs.iter()
        .enumerate()
        .filter(|(_, d)| d.error.is_none())
        .flat_map(|(doc, _)| (0..tasks).map(move |task| Job { doc, task }))
        .collect()
}

/// The request of a job (plain text: a batch keeps answers as text).
pub fn job_request(base: &RunSpec, docs: &[Document], tasks: &[TaskDef], job: Job) -> ChatRequest {
    let spec = RunSpec {
        text: docs[job.doc].text.clone(),
        tasks: Vec::new(),
        ..base.clone()
    };
    task_request(&spec, &tasks[job.task], None)
}

/// How the requests of a batch are ordered: the user's order, with what
/// durations were measured in this browser and the request model.
pub struct Ordering<'a> {
    /// As listed or longest expected first.
    pub order: Order,
    /// Measured durations.
    pub log: &'a DurationLog,
    /// Figures for requests never measured.
    pub speed: &'a SpeedModel,
    /// The server's host ("demo" for the demo provider).
    pub host: &'a str,
}

/// The order `jobs` start in (positions in `jobs`): task priorities first,
/// then as listed or longest expected first, across documents × tasks.
pub fn job_order(
    base: &RunSpec,
    docs: &[Document],
    tasks: &[TaskDef],
    jobs: &[Job],
    how: &Ordering<'_>,
) -> Vec<usize> {
    let ms: Vec<f64> = jobs
        .iter()
        .map(|&j| {
            let task = &tasks[j.task];
            let shape = RequestShape {
                task: &task.id,
                input_tokens: estimate_tokens(&docs[j.doc].text),
                prompt_tokens: job_request(base, docs, tasks, j)
                    .messages
                    .iter()
                    .map(|m| estimate_tokens(&m.content))
                    .sum(),
                max_tokens: task.max_tokens,
            };
            expected(how.log, how.speed, &base.model, how.host, shape).ms
        })
        .collect();
    let priorities: Vec<u8> = jobs.iter().map(|j| tasks[j.task].priority).collect();
    start_order(&ms, &priorities, how.order)
}

/// Estimated tokens of a request: its prompt plus its answer limit.
pub fn estimate(req: &ChatRequest) -> f64 {
    let prompt: usize = req
        .messages
        .iter()
        .map(|m| estimate_tokens(&m.content))
        .sum();
    let limit = req.max_tokens.or(req.max_completion_tokens).unwrap_or(0);
    (prompt + limit as usize) as f64
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

/// Runs `requests` under `limits`, starting them in `order` (empty: as
/// listed), reporting as it goes; returns each request's output in input
/// order (cancelled ones that never started report `Aborted`).
pub async fn run_batch(
    transport: &dyn Transport,
    requests: &[ChatRequest],
    order: &[usize],
    limits: Limits,
    on: &dyn Fn(BatchEvent),
) -> Vec<Option<ChatOutput>> {
    let sched = RefCell::new(
        Scheduler::new(
            requests.iter().map(estimate).collect(),
            limits,
            transport.now_ms(),
        )
        .in_order(order),
    );
    let mut results: Vec<Option<ChatOutput>> = vec![None; requests.len()];
    let mut running = FuturesUnordered::new();
    let load = |s: &Scheduler| BatchEvent::Load {
        in_flight: s.in_flight(),
        k: s.current_k(),
    };
    let start_job = |i: usize| {
        let sched = &sched;
        async move {
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
                    let mut s = sched.borrow_mut();
                    s.rate_limited(transport.now_ms(), Some(ms));
                    on(load(&s));
                }
            };
            let out = transport.chat(&requests[i], &mut progress).await;
            (i, out)
        }
    };
    loop {
        if transport.cancelled() {
            sched.borrow_mut().cancel();
        }
        let next = sched.borrow_mut().next(transport.now_ms());
        let finished = match next {
            Next::Start(i) => {
                on(BatchEvent::Started(i));
                on(load(&sched.borrow()));
                running.push(start_job(i));
                continue;
            }
            Next::Finished => break,
            Next::WaitForCompletion => running.next().await,
            Next::WaitUntil(t) => {
                let nap = transport.sleep(t - transport.now_ms());
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
        if let Some((i, out)) = finished {
            let mut s = sched.borrow_mut();
            s.finished(out.error.is_none());
            on(load(&s));
            drop(s);
            on(BatchEvent::Finished(i, Box::new(out.clone())));
            results[i] = Some(out);
        }
    }
    results
}

/// A finished job's cell in the results table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Done, error or cancelled.
    pub status: TaskStatus,
    /// The answer (or what arrived before a failure).
    pub text: String,
    /// A readable error.
    pub error: Option<String>,
    /// Sent to done, ms.
    pub total_ms: f64,
    /// Sent to first token, ms.
    pub ttft_ms: Option<f64>,
    /// Prompt tokens, if reported.
    pub tokens_in: Option<u64>,
    /// Completion tokens, if reported.
    pub tokens_out: Option<u64>,
    /// Attempts made.
    pub attempts: usize,
}

impl Cell {
    /// The cell of a finished request.
    pub fn from_output(out: &ChatOutput) -> Self {
        Self {
            status: match &out.error {
                None => TaskStatus::Done,
                Some(ApiError::Aborted) => TaskStatus::Cancelled,
                Some(_) => TaskStatus::Error,
            },
            text: out.text.clone(),
            error: out
                .error
                .as_ref()
                .filter(|e| **e != ApiError::Aborted)
                .map(ToString::to_string),
            total_ms: out.timing.total_ms(),
            ttft_ms: out.timing.ttft_ms(),
            tokens_in: out.usage.map(|u| u.prompt_tokens),
            tokens_out: out.usage.map(|u| u.completion_tokens),
            attempts: out.attempts.len(),
        }
    }
}

/// A batch as kept on the device while it runs, so that a reload loses
/// nothing: what it was asked to do; results are saved one by one beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedBatch {
    /// The documents.
    pub docs: Vec<Document>,
    /// The tasks as they were when it started.
    pub tasks: Vec<TaskDef>,
    /// The jobs, in input order.
    pub jobs: Vec<Job>,
    /// The model.
    pub model: String,
    /// Run by the demo provider.
    pub simulated: bool,
    /// Translation target language.
    pub language: String,
}

impl SavedBatch {
    /// The cells of the table from saved results (`(job, cell)` pairs).
    pub fn cells(&self, saved: &[(usize, Cell)]) -> Vec<Option<Cell>> {
        let mut cells = vec![None; self.jobs.len()];
        for (job, cell) in saved {
            if let Some(slot) = cells.get_mut(*job) {
                *slot = Some(cell.clone());
            }
        }
        cells
    }

    /// Jobs with no saved result: what a resume still has to run.
    pub fn unfinished(&self, saved: &[(usize, Cell)]) -> Vec<usize> {
        self.cells(saved)
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_none())
            .map(|(i, _)| i)
            .collect()
    }
}

/// Counts and rates of a batch so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchProgress {
    /// Finished successfully.
    pub done: usize,
    /// Failed (or cancelled).
    pub failed: usize,
    /// Not finished yet.
    pub remaining: usize,
    /// Since the batch started, ms.
    pub elapsed_ms: f64,
    /// Estimated time to the end at the rate so far, ms.
    pub eta_ms: Option<f64>,
    /// Finished requests per second.
    pub requests_per_s: f64,
    /// Completion tokens per second.
    pub tokens_per_s: f64,
}

/// The time-weighted mean of requests in flight from `samples` of
/// (ms since start, in flight), up to `end_ms`.
pub fn mean_in_flight(samples: &[(f64, usize)], end_ms: f64) -> f64 {
    if end_ms <= 0.0 {
        return 0.0;
    }
    let mut area = 0.0;
    let (mut t, mut level) = (0.0, 0usize);
    for (at, n) in samples {
        area += (at.min(end_ms) - t).max(0.0) * level as f64;
        t = at.min(end_ms);
        level = *n;
    }
    area += (end_ms - t).max(0.0) * level as f64;
    area / end_ms
}

/// What progress needs of a batch's cells: counts and tokens, cheap to
/// keep (no texts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Finished successfully.
    pub done: usize,
    /// Failed or cancelled.
    pub failed: usize,
    /// Not finished.
    pub remaining: usize,
    /// Completion tokens of the finished.
    pub tokens_out: u64,
}

impl Tally {
    /// This tally with one more cell (`None` = not finished).
    pub fn with(mut self, c: Option<&Cell>) -> Self {
        match c {
            None => self.remaining += 1,
            Some(c) => {
                if c.status == TaskStatus::Done {
                    self.done += 1;
                } else {
                    self.failed += 1;
                }
                self.tokens_out += c.tokens_out.unwrap_or(0);
            }
        }
        self
    }

    /// Counts `cells` (one per job, `None` = not finished).
    pub fn of<'a>(cells: impl IntoIterator<Item = Option<&'a Cell>>) -> Self {
        cells.into_iter().fold(Tally::default(), Tally::with)
    }
}

/// Progress of `cells` (one per job, `None` = not finished) after `elapsed_ms`.
pub fn progress(cells: &[Option<Cell>], elapsed_ms: f64) -> BatchProgress {
    progress_of(Tally::of(cells.iter().map(Option::as_ref)), elapsed_ms)
}

/// Progress from a tally after `elapsed_ms`.
pub fn progress_of(t: Tally, elapsed_ms: f64) -> BatchProgress {
    let Tally {
        done,
        failed,
        remaining,
        tokens_out: tokens,
    } = t;
    let finished = done + failed;
    let secs = elapsed_ms / 1000.0;
    let rate = if secs > 0.0 {
        finished as f64 / secs
    } else {
        0.0
    };
    BatchProgress {
        done,
        failed,
        remaining,
        elapsed_ms,
        eta_ms: (rate > 0.0).then(|| remaining as f64 / rate * 1000.0),
        requests_per_s: rate,
        tokens_per_s: if secs > 0.0 {
            tokens as f64 / secs
        } else {
            0.0
        },
    }
}

/// The finished table: documents × tasks, `None` where a job has no result.
pub struct Table<'a> {
    /// The documents (unusable ones included, with their reason).
    pub docs: &'a [Document],
    /// The tasks, in column order.
    pub tasks: &'a [TaskDef],
    /// The jobs, in input order.
    pub jobs: &'a [Job],
    /// One cell per job.
    pub cells: &'a [Option<Cell>],
    /// Answered by the demo provider: every export says so.
    pub simulated: bool,
}

impl Table<'_> {
    fn cell(&self, doc: usize, task: usize) -> Option<&Cell> {
        self.jobs
            .iter()
            .position(|j| j.doc == doc && j.task == task)
            .and_then(|i| self.cells[i].as_ref())
    }

    /// One row per document, one column per task, then one timing column
    /// per task.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["document".to_string(), "error".to_string()];
        header.extend(self.tasks.iter().map(|t| t.id.clone()));
        header.extend(self.tasks.iter().map(|t| format!("{}_ms", t.id)));
        header.push("simulated".into());
        let _ = w.write_record(&header);
        for (d, doc) in self.docs.iter().enumerate() {
            let mut row = vec![doc.name.clone(), doc.error.clone().unwrap_or_default()];
            for t in 0..self.tasks.len() {
                row.push(match self.cell(d, t) {
                    Some(c) if c.status == TaskStatus::Done => c.text.clone(),
                    Some(c) => format!(
                        "[{}] {}",
                        c.status.name(),
                        c.error.clone().unwrap_or_default()
                    ),
                    None => String::new(),
                });
            }
            for t in 0..self.tasks.len() {
                row.push(
                    self.cell(d, t)
                        .map(|c| format!("{:.0}", c.total_ms))
                        .unwrap_or_default(),
                );
            }
            row.push(if self.simulated { "yes" } else { "no" }.into());
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    fn records(&self) -> Vec<serde_json::Value> {
        self.jobs
            .iter()
            .zip(self.cells)
            .map(|(j, c)| {
                serde_json::json!({
                    "document": self.docs[j.doc].name,
                    "task": self.tasks[j.task].id,
                    "result": c,
                    "simulated": self.simulated,
                })
            })
            .collect()
    }

    /// One JSON object per line: document, task and result.
    pub fn to_jsonl(&self) -> String {
        self.records()
            .iter()
            .map(|r| r.to_string() + "\n")
            .collect()
    }

    /// Everything, as one JSON document (never the key: it is not here).
    pub fn to_json(&self, model: &str) -> String {
        let docs: Vec<serde_json::Value> = self
            .docs
            .iter()
            .map(|d| serde_json::json!({"name": d.name, "chars": d.chars(), "error": d.error}))
            .collect();
        serde_json::to_string_pretty(&serde_json::json!({
            "format": "fanout-batch",
            "version": 1,
            "model": model,
            "simulated": self.simulated,
            "tasks": self.tasks,
            "documents": docs,
            "results": self.records(),
        }))
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::{AttemptRecord, Timing, Usage};
    use crate::workflow::documents::{from_csv, from_jsonl, split_pasted};
    use crate::workflow::tasks::builtin_tasks;
    use futures::executor::block_on;
    use std::cell::Cell as StdCell;

    fn docs() -> Vec<Document> {
        let mut d = split_pasted("Alpha, \"one\"\n---\nBeta\nline ☕\n---\nGamma");
        d.push(crate::workflow::documents::unreadable(
            "x.pdf",
            "not supported",
        ));
        d
    }

    fn base() -> RunSpec {
        RunSpec::new("m")
    }

    /// A transport whose requests finish at once, in call order, answering
    /// with the document's first word; one marked text fails.
    struct Instant {
        clock: StdCell<f64>,
        calls: StdCell<usize>,
    }

    impl Transport for Instant {
        fn chat<'a>(
            &'a self,
            req: &'a ChatRequest,
            _: &'a mut dyn FnMut(Progress),
        ) -> futures::future::LocalBoxFuture<'a, ChatOutput> {
            Box::pin(async move {
                self.calls.set(self.calls.get() + 1);
                let prompt = &req.messages.last().unwrap().content;
                let failing = prompt.contains("Beta") && prompt.starts_with("List");
                let sent = self.clock.get();
                self.clock.set(sent + 10.0);
                ChatOutput {
                    text: if failing {
                        String::new()
                    } else {
                        format!("answer to {}", prompt.len())
                    },
                    usage: Some(Usage {
                        prompt_tokens: 5,
                        completion_tokens: 7,
                        total_tokens: 12,
                    }),
                    finish_reason: None,
                    timing: Timing {
                        sent_ms: sent,
                        end_ms: sent + 10.0,
                        ..Timing::default()
                    },
                    attempts: vec![AttemptRecord {
                        number: 1,
                        started_ms: sent,
                        ended_ms: sent + 10.0,
                        outcome: "ok".into(),
                        wait_ms: None,
                    }],
                    error: failing.then(|| ApiError::Http {
                        status: 500,
                        message: "boom".into(),
                        retry_after: None,
                    }),
                }
            })
        }
        fn now_ms(&self) -> f64 {
            self.clock.get()
        }
        fn cancelled(&self) -> bool {
            false
        }
        fn sleep(&self, ms: f64) -> futures::future::LocalBoxFuture<'_, ()> {
            self.clock.set(self.clock.get() + ms);
            Box::pin(async {})
        }
    }

    #[test]
    fn jobs_skip_unusable_documents_and_keep_order() {
        let d = docs();
        let j = jobs(&d, 2);
        assert_eq!(j.len(), 6);
        assert_eq!(j[0], Job { doc: 0, task: 0 });
        assert_eq!(j[5], Job { doc: 2, task: 1 });
        let tasks = builtin_tasks();
        let req = job_request(&base(), &d, &tasks, j[3]);
        assert!(req.messages[1].content.ends_with("Beta\nline ☕"));
        assert!(req.response_format.is_none());
        let prompt =
            estimate_tokens(&req.messages[0].content) + estimate_tokens(&req.messages[1].content);
        // Sentiment's limit is 120 tokens.
        assert_eq!(estimate(&req), (prompt + 120) as f64);
    }

    #[test]
    fn batches_order_documents_times_tasks_longest_first_with_priorities() {
        let mut d = split_pasted("short\n---\nshort too");
        d.push(Document {
            name: "long".into(),
            text: "word ".repeat(4000),
            error: None,
        });
        let mut tasks: Vec<TaskDef> = builtin_tasks().into_iter().take(2).collect();
        let j = jobs(&d, tasks.len());
        let log = DurationLog::default();
        let speed = SpeedModel::default();
        let how = |order| Ordering {
            order,
            log: &log,
            speed: &speed,
            host: "h",
        };
        let listed = job_order(&base(), &d, &tasks, &j, &how(Order::AsListed));
        assert_eq!(listed, (0..6).collect::<Vec<_>>());
        // The long document's summary (200 tokens) first, then its
        // sentiment (120), then the short ones' summaries, the longer text first.
        let lpt = job_order(&base(), &d, &tasks, &j, &how(Order::LongestFirst));
        assert_eq!(&lpt[..4], [4, 5, 2, 0]);
        // Sentiment marked important starts first across every document
        // (longest first among them).
        tasks[1].priority = 5;
        let prio = job_order(&base(), &d, &tasks, &j, &how(Order::LongestFirst));
        assert_eq!(&prio[..3], [5, 3, 1]);
    }

    #[test]
    fn a_batch_runs_everything_once_in_order_with_one_failure() {
        let d = docs();
        let tasks: Vec<TaskDef> = builtin_tasks().into_iter().take(3).collect();
        let j = jobs(&d, tasks.len());
        let reqs: Vec<ChatRequest> = j
            .iter()
            .map(|j| job_request(&base(), &d, &tasks, *j))
            .collect();
        let t = Instant {
            clock: StdCell::new(0.0),
            calls: StdCell::new(0),
        };
        let events = RefCell::new(Vec::new());
        let out = block_on(run_batch(
            &t,
            &reqs,
            &[],
            Limits {
                max_in_flight: 4,
                ..Limits::default()
            },
            &|e| events.borrow_mut().push(e),
        ));
        assert_eq!(t.calls.get(), 9);
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
        assert_eq!(p.tokens_per_s, 63.0);
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

    #[test]
    fn a_saved_batch_knows_what_is_left() {
        let d = docs();
        let saved = SavedBatch {
            jobs: jobs(&d, 2),
            docs: d,
            tasks: builtin_tasks().into_iter().take(2).collect(),
            model: "m".into(),
            simulated: false,
            language: "Spanish".into(),
        };
        let cell = Cell {
            status: TaskStatus::Error,
            text: String::new(),
            error: Some("x".into()),
            total_ms: 1.0,
            ttft_ms: None,
            tokens_in: None,
            tokens_out: None,
            attempts: 1,
        };
        let results = vec![(0, cell.clone()), (4, cell.clone()), (99, cell)];
        // A failed result is finished (Retry failed re-runs it, not a resume).
        assert_eq!(saved.unfinished(&results), [1, 2, 3, 5]);
        assert_eq!(saved.cells(&results).iter().flatten().count(), 2);
        // It survives JSON, as it is stored.
        let json = serde_json::to_string(&saved).unwrap();
        assert_eq!(serde_json::from_str::<SavedBatch>(&json).unwrap(), saved);
        let c: Cell = serde_json::from_str(&serde_json::to_string(&results[0].1).unwrap()).unwrap();
        assert_eq!(c.status, TaskStatus::Error);
    }

    #[test]
    fn mean_in_flight_weighs_by_time() {
        // 2 in flight for 1 s, then 4 for 1 s, then 0 for 2 s: mean 1.5.
        assert_eq!(
            mean_in_flight(&[(0.0, 2), (1000.0, 4), (2000.0, 0)], 4000.0),
            1.5
        );
        assert_eq!(mean_in_flight(&[], 1000.0), 0.0);
        assert_eq!(mean_in_flight(&[(0.0, 3)], 0.0), 0.0);
    }

    #[test]
    fn progress_estimates_the_rest() {
        let cell = |ok: bool| {
            Some(Cell {
                status: if ok {
                    TaskStatus::Done
                } else {
                    TaskStatus::Error
                },
                text: String::new(),
                error: None,
                total_ms: 1.0,
                ttft_ms: None,
                tokens_in: None,
                tokens_out: Some(10),
                attempts: 1,
            })
        };
        let cells = vec![cell(true), cell(false), None, None];
        let p = progress(&cells, 4000.0);
        assert_eq!((p.done, p.failed, p.remaining), (1, 1, 2));
        assert_eq!(p.eta_ms, Some(4000.0));
        assert_eq!(progress(&[None], 0.0).eta_ms, None);
    }

    #[test]
    fn exports_round_trip_quotes_commas_newlines_and_utf8() {
        let d = docs();
        let tasks: Vec<TaskDef> = builtin_tasks().into_iter().take(2).collect();
        let j = jobs(&d, 2);
        let texts = ["a, \"b\"", "line\nbreak", "ünï ☕", "", "x", "y"];
        let cells: Vec<Option<Cell>> = texts
            .iter()
            .map(|t| {
                Some(Cell {
                    status: TaskStatus::Done,
                    text: t.to_string(),
                    error: None,
                    total_ms: 12.4,
                    ttft_ms: Some(3.0),
                    tokens_in: Some(1),
                    tokens_out: Some(2),
                    attempts: 1,
                })
            })
            .collect();
        let table = Table {
            docs: &d,
            tasks: &tasks,
            jobs: &j,
            cells: &cells,
            simulated: true,
        };
        // CSV: read back the summary column.
        let csv = table.to_csv();
        let back = from_csv("e.csv", &csv, "summary").unwrap();
        assert_eq!(back[0].text, "a, \"b\"");
        assert_eq!(back[1].text, "ünï ☕");
        assert_eq!(back[3].error.as_deref(), Some("it is empty")); // the unusable pdf row
        let sentiments = from_csv("e.csv", &csv, "sentiment").unwrap();
        assert_eq!(sentiments[0].text, "line\nbreak");
        let ms = from_csv("e.csv", &csv, "summary_ms").unwrap();
        assert_eq!(ms[0].text, "12");
        let errors = from_csv("e.csv", &csv, "error").unwrap();
        assert_eq!(errors[3].text, "not supported");
        // JSONL: one line per job, read back through the document reader.
        let jsonl = table.to_jsonl();
        assert_eq!(jsonl.lines().count(), 6);
        let lines: Vec<serde_json::Value> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[1]["result"]["text"], "line\nbreak");
        assert_eq!(lines[1]["result"]["status"], "done");
        assert_eq!(lines[2]["document"], "Pasted text 2");
        assert_eq!(lines[2]["simulated"], true);
        let flags = from_csv("e.csv", &csv, "simulated").unwrap();
        assert_eq!(flags[0].text, "yes");
        let via_reader = from_jsonl("e.jsonl", &jsonl, "task");
        assert_eq!(via_reader[1].text, "sentiment");
        // JSON: everything, labelled.
        let json: serde_json::Value = serde_json::from_str(&table.to_json("gpt-4o")).unwrap();
        assert_eq!(json["format"], "fanout-batch");
        assert_eq!(json["simulated"], true);
        assert_eq!(json["documents"][3]["error"], "not supported");
        assert_eq!(json["results"].as_array().unwrap().len(), 6);
    }
}
