//! A batch as a session: documents × tasks checked and laid out as jobs,
//! any subset of them run (all, the failed ones, what a reload left) under
//! the user's limits, each cell kept as it arrives, and the batch ended
//! through [`finish_run`].

use std::cell::RefCell;

use crate::batch::documents::Document;
use crate::batch::driver::{BatchEvent, Fanned, run_batch};
use crate::batch::jobs::{Ordering, job_order, job_request, jobs};
use crate::batch::progress::mean_in_flight;
use crate::batch::saved::{Cell, SavedBatch};
use crate::history::RunRecord;
use crate::history::record::BatchEntry;
use crate::openai::{ChatRequest, Transport};
use crate::schedule::scheduler::Limits;
use crate::session::finish::{RunContext, RunSink, finish_run};
use crate::workflow::engine::{RunSpec, TaskStatus};
use crate::workflow::tasks::TaskDef;

/// Why a batch cannot be prepared; shown next to the batch form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// No usable document.
    #[error("Add documents first: open files, or paste texts and press \"Add pasted texts\".")]
    NoDocuments,
    /// No task ticked.
    #[error("Choose at least one task (in the task list above).")]
    NoTasks,
}

/// Lays out the documents × the ticked tasks as a batch.
pub fn prepare(
    docs: Vec<Document>,
    tasks: Vec<TaskDef>,
    model: &str,
    simulated: bool,
    language: &str,
) -> Result<SavedBatch, BatchError> {
    if docs.iter().all(|d| d.error.is_some()) {
        return Err(BatchError::NoDocuments);
    }
    if tasks.is_empty() {
        return Err(BatchError::NoTasks);
    }
    Ok(SavedBatch {
        jobs: jobs(&docs, tasks.len()),
        docs,
        tasks,
        model: model.to_string(),
        simulated,
        language: language.to_string(),
    })
}

/// What happens to job `job` of the batch (its index in the batch's jobs).
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// Queued again for this run.
    Pending(usize),
    /// Sent.
    Running(usize),
    /// Finished with this cell (also saved through the sink).
    Finished(usize, Cell),
    /// A cancel kept it from starting.
    NotStarted(usize),
    /// Requests in flight and the current K, `at` ms after the run started.
    Load {
        /// Since the run started, ms.
        at: f64,
        /// In flight now.
        in_flight: usize,
        /// The scheduler's current K.
        k: usize,
    },
}

/// Where a batch's cells go as they arrive, besides the history.
pub trait BatchSink: RunSink {
    /// Saves one finished cell (the page writes it to IndexedDB).
    fn save_cell(&self, job: usize, cell: &Cell);
}

/// How to run: the request defaults, the limits and the start order.
pub struct RunSettings<'a> {
    /// Model, streaming, token field (the batch's own language is used).
    pub base: RunSpec,
    /// K and the budgets.
    pub limits: Limits,
    /// Start order, measured durations and the request model.
    pub ordering: Ordering<'a>,
    /// Server, provider and prices.
    pub context: RunContext,
    /// The pool's members by name, when the transport is a pool (a cell
    /// keeps the name of the member that answered it); empty otherwise.
    pub members: Vec<String>,
}

/// A batch and its results so far.
pub struct BatchSession {
    batch: SavedBatch,
    statuses: RefCell<Vec<TaskStatus>>,
    cells: RefCell<Vec<Option<Cell>>>,
    /// The history id of this batch once kept, so a retry updates its entry.
    record_id: RefCell<Option<String>>,
}

impl BatchSession {
    /// A batch with the cells saved so far (`(job, cell)` pairs).
    pub fn new(batch: SavedBatch, saved: &[(usize, Cell)]) -> Self {
        let cells = batch.cells(saved);
        Self {
            statuses: RefCell::new(
                cells
                    .iter()
                    .map(|c| c.as_ref().map_or(TaskStatus::Pending, |c| c.status))
                    .collect(),
            ),
            cells: RefCell::new(cells),
            batch,
            record_id: RefCell::new(None),
        }
    }

    /// What it runs.
    pub fn batch(&self) -> &SavedBatch {
        &self.batch
    }

    /// Job `i`'s cell so far.
    pub fn cell(&self, i: usize) -> Option<Cell> {
        self.cells.borrow().get(i).cloned().flatten()
    }

    /// The pool member that answered job `i`, if a pool did.
    pub fn served_by(&self, i: usize) -> Option<String> {
        self.cells.borrow().get(i)?.as_ref()?.served_by.clone()
    }

    /// Each job's cell so far.
    pub fn cells(&self) -> Vec<Option<Cell>> {
        self.cells.borrow().clone()
    }

    /// Each job's status so far.
    pub fn statuses(&self) -> Vec<TaskStatus> {
        self.statuses.borrow().clone()
    }

    /// Jobs that failed or were cancelled: what "Retry failed" runs.
    pub fn failed(&self) -> Vec<usize> {
        self.statuses
            .borrow()
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, TaskStatus::Error | TaskStatus::Cancelled))
            .map(|(i, _)| i)
            .collect()
    }

    /// Jobs whose cells hold an answer or thinking: what an export made now
    /// holds, and what dropping them afterwards frees.
    pub fn answered(&self) -> Vec<usize> {
        crate::batch::saved::answered(&self.cells.borrow())
    }

    /// Drops the answers of `jobs` from their cells, here and in `record`
    /// (this batch as kept in the history), once an export holds them.
    pub fn drop_answers(&self, jobs: &[usize], record: Option<&mut RunRecord>) {
        let mut cells = self.cells.borrow_mut();
        let mut kept = record
            .and_then(|r| r.kind.batch_mut())
            .map(|b| &mut b.cells);
        for &j in jobs {
            if let Some(Some(c)) = cells.get_mut(j) {
                c.drop_answer();
            }
            if let Some(Some(c)) = kept.as_mut().and_then(|k| k.get_mut(j)) {
                c.drop_answer();
            }
        }
    }

    /// The request of every job, in job order (for the Batch API input file).
    pub fn requests(&self, base: &RunSpec) -> Vec<ChatRequest> {
        (0..self.batch.jobs.len())
            .map(|i| self.request(base, i))
            .collect()
    }

    fn request(&self, base: &RunSpec, i: usize) -> ChatRequest {
        let b = &self.batch;
        let base = RunSpec {
            language: b.language.clone(),
            ..base.clone()
        };
        job_request(&base, &b.docs, &b.tasks, b.jobs[i])
    }

    /// Takes cells that arrived another way (a Batch API output file).
    pub fn apply(&self, cells: &[(usize, Cell)], sink: &dyn BatchSink, on: &dyn Fn(JobEvent)) {
        for (job, cell) in cells {
            if *job >= self.batch.jobs.len() {
                continue;
            }
            self.set(*job, cell.clone(), sink, on);
        }
    }

    fn set(&self, job: usize, cell: Cell, sink: &dyn BatchSink, on: &dyn Fn(JobEvent)) {
        sink.save_cell(job, &cell);
        self.statuses.borrow_mut()[job] = cell.status;
        self.cells.borrow_mut()[job] = Some(cell.clone());
        on(JobEvent::Finished(job, cell));
    }

    /// Runs `indices` of the jobs and ends the batch in `sink`: its
    /// record (every cell so far) is kept, under the same id on a retry.
    pub async fn run(
        &self,
        indices: &[usize],
        transport: &dyn Transport,
        how: RunSettings<'_>,
        sink: &dyn BatchSink,
        on: &dyn Fn(JobEvent),
    ) -> RunRecord {
        let b = &self.batch;
        let requests: Vec<ChatRequest> = indices
            .iter()
            .map(|&i| self.request(&how.base, i))
            .collect();
        let picked: Vec<_> = indices.iter().map(|&i| b.jobs[i]).collect();
        let order = job_order(&how.base, &b.docs, &b.tasks, &picked, &how.ordering);
        for &i in indices {
            self.statuses.borrow_mut()[i] = TaskStatus::Pending;
            self.cells.borrow_mut()[i] = None;
            on(JobEvent::Pending(i));
        }
        let t0 = transport.now_ms();
        let samples = RefCell::new(Vec::<(f64, usize)>::new());
        // Jobs whose task is split or voted on.
        let fanned: Vec<Option<Fanned>> = indices
            .iter()
            .map(|&i| {
                let job = b.jobs[i];
                let fan = how.base.fans.get(job.task)?;
                (fan.parts > 1 || fan.votes > 1).then(|| Fanned {
                    spec: RunSpec {
                        text: b.docs[job.doc].text.clone(),
                        language: b.language.clone(),
                        tasks: Vec::new(),
                        fans: Vec::new(),
                        ..how.base.clone()
                    },
                    task: b.tasks[job.task].clone(),
                    fan: fan.clone(),
                })
            })
            .collect();
        let outputs = run_batch(
            transport,
            &requests,
            &fanned,
            &order,
            how.limits,
            &|e| match e {
                BatchEvent::Started(i) => {
                    self.statuses.borrow_mut()[indices[i]] = TaskStatus::Running;
                    on(JobEvent::Running(indices[i]));
                }
                BatchEvent::Finished(i, out) => {
                    let cell = Cell {
                        served_by: out.served_by.and_then(|m| how.members.get(m).cloned()),
                        ..Cell::from_output(&out)
                    };
                    self.set(indices[i], cell, sink, on);
                }
                BatchEvent::Load { in_flight, k } => {
                    let at = transport.now_ms() - t0;
                    samples.borrow_mut().push((at, in_flight));
                    on(JobEvent::Load { at, in_flight, k });
                }
            },
        )
        .await;
        // Jobs never started (cancelled) are marked so, not left pending.
        for (pos, out) in outputs.iter().enumerate() {
            if out.is_none() {
                self.statuses.borrow_mut()[indices[pos]] = TaskStatus::Cancelled;
                on(JobEvent::NotStarted(indices[pos]));
            }
        }
        let wall_ms = transport.now_ms() - t0;
        let cells = self.cells();
        let tokens = cells.iter().flatten().fold((0, 0), |(i, o), c| {
            (i + c.tokens_in.unwrap_or(0), o + c.tokens_out.unwrap_or(0))
        });
        let usable: Vec<(String, String)> = b
            .docs
            .iter()
            .filter(|d| d.error.is_none())
            .map(|d| (d.name.clone(), d.text.clone()))
            .collect();
        let entry = BatchEntry {
            docs: usable.iter().map(|d| d.0.clone()).collect(),
            k: how.limits.max_in_flight,
            wall_ms,
            mean_in_flight: mean_in_flight(&samples.borrow(), wall_ms),
            cells,
        };
        let labels: Vec<String> = b.tasks.iter().map(|t| t.label.clone()).collect();
        let context = RunContext {
            input_name: String::new(),
            simulated: b.simulated,
            ..how.context
        };
        let id = self.record_id.borrow().clone();
        let record = finish_run(
            sink,
            &context,
            &b.model,
            tokens,
            transport.cancelled(),
            |meta| {
                let mut r = RunRecord::batch(meta, &b.model, &usable, &labels, entry);
                if let Some(id) = id {
                    r.id = id;
                }
                r
            },
            Vec::new(),
        );
        *self.record_id.borrow_mut() = Some(record.id.clone());
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::documents::{split_pasted, unreadable};
    use crate::session::finish::Kept;
    use crate::testing::FakeServer;
    use crate::workflow::order::{DurationLog, Order, SpeedModel};
    use crate::workflow::runner::RunKind;
    use crate::workflow::tasks::builtin_tasks;
    use futures::executor::block_on;

    impl BatchSink for Kept {
        fn save_cell(&self, job: usize, _: &Cell) {
            self.saved.borrow_mut().push(job);
        }
    }

    fn batch() -> SavedBatch {
        let mut docs = split_pasted("Alpha\n---\nBeta\n---\nGamma");
        docs.push(unreadable("x.pdf", "no text layer"));
        prepare(
            docs,
            builtin_tasks().into_iter().take(2).collect(),
            "m",
            false,
            "French",
        )
        .unwrap()
    }

    fn settings<'a>(log: &'a DurationLog, speed: &'a SpeedModel) -> RunSettings<'a> {
        RunSettings {
            base: RunSpec::new("m"),
            limits: Limits {
                max_in_flight: 2,
                ..Limits::default()
            },
            ordering: Ordering {
                order: Order::AsListed,
                log,
                speed,
                host: "h",
            },
            context: RunContext {
                host: "h".into(),
                ..RunContext::default()
            },
            members: Vec::new(),
        }
    }

    #[test]
    fn nothing_to_run_is_refused_with_its_reason() {
        let tasks = builtin_tasks();
        assert_eq!(
            prepare(vec![unreadable("a.pdf", "x")], tasks, "m", false, "French").err(),
            Some(BatchError::NoDocuments)
        );
        assert_eq!(
            prepare(split_pasted("A"), vec![], "m", false, "French").err(),
            Some(BatchError::NoTasks)
        );
    }

    #[test]
    fn a_failed_job_is_retried_alone_and_the_record_keeps_its_id() {
        // Beta's sentiment fails the first time only.
        let failures = std::cell::Cell::new(0);
        let server = FakeServer::new(move |req| {
            let prompt = &req.messages.last().unwrap().content;
            if prompt.contains("Beta") && !prompt.contains("Summar") && failures.get() == 0 {
                failures.set(1);
                Err(FakeServer::http(500))
            } else {
                Ok(format!("answer in {}", req.messages[0].content.len()))
            }
        });
        let session = BatchSession::new(batch(), &[]);
        assert_eq!(
            session.batch().jobs.len(),
            6,
            "3 usable documents × 2 tasks"
        );
        let (log, speed) = (DurationLog::default(), SpeedModel::default());
        let sink = Kept::default();
        let events = RefCell::new(Vec::new());
        let all: Vec<usize> = (0..6).collect();
        let first = block_on(
            session.run(&all, &server, settings(&log, &speed), &sink, &|e| {
                events.borrow_mut().push(e)
            }),
        );
        assert_eq!(session.failed(), [3]);
        assert_eq!(first.kind.run_kind(), RunKind::Batch);
        let entry = first.kind.batch().unwrap();
        assert_eq!(
            entry.docs,
            ["Pasted text 1", "Pasted text 2", "Pasted text 3"]
        );
        assert!(entry.mean_in_flight > 0.0 && entry.mean_in_flight <= 2.0);
        assert!(
            events
                .borrow()
                .iter()
                .all(|e| !matches!(e, JobEvent::Load { in_flight, .. } if *in_flight > 2))
        );
        // The retry sends only the failed job; the record is replaced.
        let again = block_on(session.run(
            &session.failed(),
            &server,
            settings(&log, &speed),
            &sink,
            &|_| {},
        ));
        assert_eq!(server.sent.borrow().len(), 7);
        // Every cell was saved as it arrived, the retried one twice.
        assert_eq!(*sink.saved.borrow(), [0, 1, 2, 3, 4, 5, 3]);
        assert!(session.failed().is_empty());
        assert_eq!(again.id, first.id);
        let kept = sink.records.borrow();
        assert_eq!(kept.len(), 1);
        let cells = &kept[0].kind.batch().unwrap().cells;
        assert!(
            cells
                .iter()
                .all(|c| c.as_ref().unwrap().status == TaskStatus::Done)
        );
    }

    #[test]
    fn a_voted_task_in_a_batch_sends_its_votes_and_keeps_one_answer_per_cell() {
        // Sentiment (the second task) asked three times per document.
        let server = FakeServer::new(|req| {
            let prompt = &req.messages.last().unwrap().content;
            Ok(if prompt.contains("sentiment") {
                "Positive.".into()
            } else {
                "A summary.".into()
            })
        });
        let session = BatchSession::new(batch(), &[]);
        let (log, speed) = (DurationLog::default(), SpeedModel::default());
        let tasks = builtin_tasks();
        let mut how = settings(&log, &speed);
        how.base.fans = vec![
            crate::workflow::engine::Fan::once(&tasks[0].id),
            crate::workflow::engine::Fan {
                votes: 3,
                ..crate::workflow::engine::Fan::once(&tasks[1].id)
            },
        ];
        let all: Vec<usize> = (0..6).collect();
        let record = block_on(session.run(&all, &server, how, &Kept::default(), &|_| {}));
        // 3 summaries + 3 documents × 3 votes.
        assert_eq!(server.sent.borrow().len(), 12);
        let cells = &record.kind.batch().unwrap().cells;
        let sentiment: Vec<&str> = [1, 3, 5]
            .iter()
            .map(|&j| cells[j].as_ref().unwrap().text.as_str())
            .collect();
        assert_eq!(sentiment, ["Positive."; 3]);
        // Usage counts every vote: 3 × 7 completion tokens.
        assert_eq!(cells[1].as_ref().unwrap().tokens_out, Some(21));
        assert_eq!(cells[0].as_ref().unwrap().tokens_out, Some(7));
    }

    #[test]
    fn answers_dropped_after_an_export_leave_the_cells_and_their_record_figures() {
        let server = FakeServer::new(|_| Ok("an answer".into()));
        let session = BatchSession::new(batch(), &[]);
        let (log, speed) = (DurationLog::default(), SpeedModel::default());
        let all: Vec<usize> = (0..6).collect();
        let mut record = block_on(session.run(
            &all,
            &server,
            settings(&log, &speed),
            &Kept::default(),
            &|_| {},
        ));
        assert_eq!(session.answered(), all);
        session.drop_answers(&[0, 2], Some(&mut record));
        assert_eq!(session.answered(), [1, 3, 4, 5]);
        let kept = &record.kind.batch().unwrap().cells;
        for (j, cell) in session.cells().iter().enumerate() {
            let (here, there) = (cell.as_ref().unwrap(), kept[j].as_ref().unwrap());
            let dropped = j == 0 || j == 2;
            assert_eq!((here.dropped, there.dropped), (dropped, dropped), "job {j}");
            assert_eq!(here.text.is_empty(), dropped);
            assert_eq!(there.text.is_empty(), dropped);
            // Still done, with its figures.
            assert_eq!(here.status, TaskStatus::Done);
            assert!(there.tokens_out.is_some());
        }
        // Nothing to run again: dropped answers are not unfinished.
        let saved: Vec<(usize, Cell)> = session
            .cells()
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| Some((i, c?)))
            .collect();
        assert!(session.batch().unfinished(&saved).is_empty());
    }

    #[test]
    fn a_cancel_marks_the_jobs_never_started_and_a_resume_runs_only_them() {
        let server = FakeServer::new(|_| Ok("ok".into()));
        let session = BatchSession::new(batch(), &[]);
        let (log, speed) = (DurationLog::default(), SpeedModel::default());
        let sink = Kept::default();
        let stop_after = |e: JobEvent| {
            if matches!(e, JobEvent::Finished(1, _)) {
                server.cancelled.set(true);
            }
        };
        let record = block_on(session.run(
            &(0..6).collect::<Vec<_>>(),
            &server,
            settings(&log, &speed),
            &sink,
            &stop_after,
        ));
        assert!(record.cancelled);
        let statuses = session.statuses();
        assert!(statuses.contains(&TaskStatus::Cancelled));
        // What a reload finds: the batch and its finished cells.
        let saved: Vec<(usize, Cell)> = session
            .cells()
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|c| (i, c)))
            .collect();
        let left = session.batch().unfinished(&saved);
        assert!(!left.is_empty() && left.len() < 6, "{left:?}");
        let reloaded = BatchSession::new(session.batch().clone(), &saved);
        server.cancelled.set(false);
        let before = server.sent.borrow().len();
        block_on(reloaded.run(&left, &server, settings(&log, &speed), &sink, &|_| {}));
        assert_eq!(server.sent.borrow().len() - before, left.len());
        assert!(reloaded.cells().iter().all(Option::is_some));
    }

    #[test]
    fn a_pooled_batch_keeps_the_name_of_the_member_that_answered_each_cell() {
        use crate::openai::ApiError;
        use crate::pool::{Member, MemberLimits, Policy, PoolTransport};
        // Member "down" refuses every request; member "up" answers.
        let member = |up: bool| Member {
            transport: Box::new(FakeServer::new(move |_| {
                if up {
                    Ok("fine".into())
                } else {
                    Err(ApiError::Network {
                        host: "down".into(),
                    })
                }
            })),
            model: "m".into(),
            limits: MemberLimits {
                k: 2,
                rpm: None,
                tpm: None,
            },
        };
        let pool = PoolTransport::new(
            vec![member(false), member(true)],
            Policy::LeastBusy,
            3,
            Box::new(|_| 0.0),
            Box::new(|| {}),
        );
        let session = BatchSession::new(batch(), &[]);
        let (log, speed) = (DurationLog::default(), SpeedModel::default());
        let how = RunSettings {
            members: vec!["down".into(), "up".into()],
            ..settings(&log, &speed)
        };
        let all: Vec<usize> = (0..6).collect();
        block_on(session.run(&all, &pool, how, &Kept::default(), &|_| {}));
        let cells: Vec<Cell> = session.cells().into_iter().flatten().collect();
        assert_eq!(cells.len(), 6);
        assert!(cells.iter().all(|c| c.status == TaskStatus::Done));
        assert!(cells.iter().all(|c| c.served_by.as_deref() == Some("up")));
        // The first job tried the refusing member before the other.
        assert_eq!(cells.iter().map(|c| c.attempts).max(), Some(2));
        assert_eq!(session.served_by(0).as_deref(), Some("up"));
    }
}
