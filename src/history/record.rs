//! One run as history keeps it: what was asked (model, server host, mode,
//! tasks, a description of the input) and what happened (every run's
//! figures and every task's timing and answer). Never the key, never the
//! whole input text (only its size, a hash and its first characters).
//!
//! The charts and figures the page shows are derived from the record, so an
//! opened run looks exactly as it did, and an imported file is checked
//! ([`RunRecord::import`]) before anything is stored.

use serde::{Deserialize, Serialize};

use crate::batch::saved::Cell;
use crate::openai::ApiError;
use crate::workflow::engine::{Plan, RunOutcome, RunSpec, TaskResult, TaskStatus};
use crate::workflow::live::{LiveRow, RunResults};
use crate::workflow::metrics::{RunMetrics, TaskTiming, median};
use crate::workflow::runner::Mode;

/// The `format` of an exported run, so a stray JSON file is told apart.
pub const FORMAT: &str = "fanout.run";
/// The record layout this version writes and reads.
pub const VERSION: u32 = 1;
/// Characters of the input kept in a record.
pub const HEAD_CHARS: usize = 200;
/// Largest run file accepted for import.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// What was run on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputInfo {
    /// The sample's label, the file's name or "Your own text".
    pub name: String,
    /// Length in characters.
    pub chars: usize,
    /// FNV-1a 64 of the text, hex: tells identical inputs apart without
    /// keeping them (an identifier, not a security measure).
    pub hash: String,
    /// The first [`HEAD_CHARS`] characters.
    pub head: String,
}

impl InputInfo {
    /// Describes `text`, named `name`.
    pub fn of(name: &str, text: &str) -> Self {
        Self {
            name: name.to_string(),
            chars: text.chars().count(),
            hash: fnv1a_hex(text),
            head: text.chars().take(HEAD_CHARS).collect(),
        }
    }
}

/// FNV-1a, 64 bits, as hex. Hand-written: eight lines, where a crate would
/// add a dependency for a non-cryptographic fingerprint.
pub fn fnv1a_hex(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// One task of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEntry {
    /// Task label.
    pub label: String,
    /// Done, error or cancelled.
    pub status: TaskStatus,
    /// The answer (or what arrived before a failure).
    pub text: String,
    /// A readable error, if it failed.
    pub error: Option<String>,
    /// Requests made for it.
    pub attempts: usize,
    /// When it went through its stages (page clock; `queued_ms` is the
    /// run's start).
    pub timing: TaskTiming,
}

impl TaskEntry {
    fn of(label: &str, r: &TaskResult) -> Self {
        Self {
            label: label.to_string(),
            status: r.status,
            text: r.output.text.clone(),
            error: r
                .output
                .error
                .as_ref()
                .filter(|e| **e != ApiError::Aborted)
                .map(ToString::to_string),
            attempts: r.output.attempts.len(),
            timing: r.timing.clone(),
        }
    }
}

/// One run (one mode, one round) of a Run click.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEntry {
    /// Sequential or parallel.
    pub mode: Mode,
    /// Tasks in flight at once.
    pub k: usize,
    /// Its figures.
    pub metrics: RunMetrics,
    /// Per task, in task order.
    pub tasks: Vec<TaskEntry>,
}

/// A batch's outcome, for batch records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchEntry {
    /// Document names, in input order.
    pub docs: Vec<String>,
    /// Most requests in flight at once.
    pub k: usize,
    /// First request to last answer, ms.
    pub wall_ms: f64,
    /// Mean requests in flight over the batch.
    pub mean_in_flight: f64,
    /// One per document × task, document-major (`None` = never finished).
    pub cells: Vec<Option<Cell>>,
}

/// What kind of Run it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanKind {
    /// Sequential only.
    Sequential,
    /// Parallel only.
    Parallel,
    /// Both, alternating, after a warm-up.
    Compare,
    /// Parallel at K = 1, 2, 4, ….
    Sweep,
    /// Many documents.
    Batch,
}

impl PlanKind {
    /// The workflow plan's kind.
    pub fn of(plan: Plan) -> Self {
        match plan {
            Plan::Single(Mode::Sequential) => Self::Sequential,
            Plan::Single(Mode::Parallel) => Self::Parallel,
            Plan::Compare { .. } => Self::Compare,
            Plan::Sweep { .. } => Self::Sweep,
        }
    }
    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sequential => "sequential",
            Self::Parallel => "parallel",
            Self::Compare => "compare",
            Self::Sweep => "sweep",
            Self::Batch => "batch",
        }
    }
}

/// One Run click (or batch), as kept in history and exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] when written by this version.
    pub version: u32,
    /// Unique within a history: the time and a hash.
    pub id: String,
    /// When it finished, ms since the Unix epoch.
    pub at: f64,
    /// What kind of run.
    pub plan: PlanKind,
    /// Model id.
    pub model: String,
    /// Host of the base URL ("demo" for the simulated provider).
    pub host: String,
    /// Answered by the demo provider.
    pub simulated: bool,
    /// The input (a batch: the first document).
    pub input: InputInfo,
    /// Task labels, in card order.
    pub tasks: Vec<String>,
    /// The runs, in the order they ran.
    pub runs: Vec<RunEntry>,
    /// Expected duration per task when it started, ms.
    pub expected: Vec<Option<f64>>,
    /// Estimated cost in US dollars, if the model had a price.
    pub cost_usd: Option<f64>,
    /// Stopped by the user before the end.
    pub cancelled: bool,
    /// A batch's outcome.
    pub batch: Option<BatchEntry>,
}

/// Facts about a Run click beside its outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// When it finished, ms since the Unix epoch.
    pub at: f64,
    /// Server host ("demo" in demo mode).
    pub host: String,
    /// Demo provider.
    pub simulated: bool,
    /// The input's name.
    pub input_name: String,
    /// Estimated cost, if the model has a price.
    pub cost_usd: Option<f64>,
    /// Stopped by the user.
    pub cancelled: bool,
}

fn id_for(at: f64, salt: &str) -> String {
    format!(
        "run-{}-{}",
        at.max(0.0).round() as u64,
        &fnv1a_hex(salt)[..8]
    )
}

impl RunRecord {
    /// The record of a workflow Run click: `outcomes` are the runs of
    /// `plan` in order (fewer if it was cancelled).
    pub fn workflow(
        meta: Meta,
        spec: &RunSpec,
        plan: Plan,
        outcomes: &[RunOutcome],
        expected: &[f64],
    ) -> Self {
        let labels: Vec<String> = spec.tasks.iter().map(|t| t.label.clone()).collect();
        let runs = outcomes
            .iter()
            .map(|o| RunEntry {
                mode: o.mode,
                k: o.k,
                metrics: o.metrics,
                tasks: labels
                    .iter()
                    .zip(&o.results)
                    .map(|(l, r)| TaskEntry::of(l, r))
                    .collect(),
            })
            .collect();
        Self {
            format: FORMAT.into(),
            version: VERSION,
            id: id_for(
                meta.at,
                &format!("{}{}{}", spec.model, spec.text, meta.host),
            ),
            at: meta.at,
            plan: PlanKind::of(plan),
            model: spec.model.clone(),
            host: meta.host,
            simulated: meta.simulated,
            input: InputInfo::of(&meta.input_name, &spec.text),
            tasks: labels,
            runs,
            expected: spec
                .tasks
                .iter()
                .enumerate()
                .map(|(i, _)| expected.get(i).copied())
                .collect(),
            cost_usd: meta.cost_usd,
            cancelled: meta.cancelled,
            batch: None,
        }
    }

    /// The record of a batch: `docs` are (name, text) in input order.
    pub fn batch(
        meta: Meta,
        model: &str,
        docs: &[(String, String)],
        tasks: &[String],
        batch: BatchEntry,
    ) -> Self {
        let first = docs.first().map(|d| d.1.as_str()).unwrap_or("");
        let all: String = docs.iter().map(|d| d.1.as_str()).collect();
        let name = match docs.len() {
            1 => docs[0].0.clone(),
            n => format!("{n} documents"),
        };
        Self {
            format: FORMAT.into(),
            version: VERSION,
            id: id_for(meta.at, &format!("{model}{all}{}", meta.host)),
            at: meta.at,
            plan: PlanKind::Batch,
            model: model.to_string(),
            host: meta.host,
            simulated: meta.simulated,
            input: InputInfo {
                hash: fnv1a_hex(&all),
                chars: docs.iter().map(|d| d.1.chars().count()).sum(),
                ..InputInfo::of(&name, first)
            },
            tasks: tasks.to_vec(),
            runs: Vec::new(),
            expected: Vec::new(),
            cost_usd: meta.cost_usd,
            cancelled: meta.cancelled,
            batch: Some(batch),
        }
    }

    /// The runs that make the headline figures (a sweep's runs are its
    /// points instead).
    fn figure_runs(&self) -> impl Iterator<Item = &RunEntry> {
        self.runs
            .iter()
            .filter(move |_| self.plan != PlanKind::Sweep)
    }

    /// The figures as the page's headline and per-task charts show them.
    pub fn results(&self) -> RunResults {
        let k = self
            .runs
            .iter()
            .rfind(|r| r.mode == Mode::Parallel)
            .map(|r| r.k)
            .unwrap_or(self.tasks.len());
        let mut r = RunResults {
            simulated: self.simulated,
            ..RunResults::new(&self.tasks, k, &self.model)
        };
        for run in self.figure_runs() {
            for (i, t) in run.tasks.iter().enumerate() {
                r.record_task(run.mode, i, t.timing.total_ms());
            }
            r.record_run(run.mode, run.metrics);
        }
        r
    }

    /// The timeline's rows: the last run of each mode, sequential first.
    pub fn rows(&self) -> Vec<(Mode, Vec<LiveRow>)> {
        let mut rows = Vec::new();
        for mode in [Mode::Sequential, Mode::Parallel] {
            let Some(run) = self.figure_runs().filter(|r| r.mode == mode).last() else {
                continue;
            };
            let list = run
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let t0 = t.timing.queued_ms;
                    LiveRow {
                        label: t.label.clone(),
                        status: t.status,
                        start: t.timing.sent_ms - t0,
                        first: t.timing.first_token_ms.map(|f| f - t0),
                        end: Some(t.timing.done_ms - t0),
                        waits: t
                            .timing
                            .retry_waits
                            .iter()
                            .map(|(a, b)| (a - t0, b - t0))
                            .collect(),
                        expected: self.expected.get(i).copied().flatten(),
                    }
                })
                .collect();
            rows.push((mode, list));
        }
        rows
    }

    /// A sweep's points: (K, wall ms).
    pub fn sweep(&self) -> Vec<(usize, f64)> {
        if self.plan != PlanKind::Sweep {
            return Vec::new();
        }
        self.runs.iter().map(|r| (r.k, r.metrics.wall_ms)).collect()
    }

    /// The answers to show: the last run's of each task.
    pub fn answers(&self) -> Vec<&TaskEntry> {
        self.runs
            .last()
            .map(|r| r.tasks.iter().collect())
            .unwrap_or_default()
    }

    /// Median duration (sent to done) of the tasks that finished, over every
    /// run (or batch cell): the "latency" of the trend chart.
    pub fn median_latency_ms(&self) -> Option<f64> {
        let mut v: Vec<f64> = self
            .runs
            .iter()
            .flat_map(|r| &r.tasks)
            .filter(|t| t.status == TaskStatus::Done)
            .map(|t| t.timing.total_ms())
            .collect();
        if let Some(b) = &self.batch {
            v.extend(
                b.cells
                    .iter()
                    .flatten()
                    .filter(|c| c.status == TaskStatus::Done)
                    .map(|c| c.total_ms),
            );
        }
        median(&v)
    }

    /// Tasks (or batch requests) that failed.
    pub fn errors(&self) -> usize {
        let runs: usize = self.runs.iter().map(|r| r.metrics.errors).sum();
        let batch = self.batch.as_ref().map_or(0, |b| {
            b.cells
                .iter()
                .flatten()
                .filter(|c| c.status == TaskStatus::Error)
                .count()
        });
        runs + batch
    }

    /// The record as a JSON file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a run file from an unknown source, checking every field a view
    /// or chart relies on; nothing partial is ever returned.
    pub fn import(text: &str) -> Result<Self, ImportError> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(ImportError::TooBig(text.len()));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(ImportError::NotARun);
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(ImportError::Version(v)),
            None => return Err(ImportError::Invalid("\"version\" is missing".into())),
        }
        let record: RunRecord =
            serde_json::from_value(value).map_err(|e| ImportError::Invalid(e.to_string()))?;
        record.check().map_err(ImportError::Invalid)?;
        Ok(record)
    }

    /// Every invariant the views rely on.
    fn check(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 80
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err("\"id\" must be 1–80 letters, digits, - or _".into());
        }
        if !(self.at.is_finite() && self.at > 0.0) {
            return Err("\"at\" is not a time".into());
        }
        if self.model.trim().is_empty() || self.model.len() > 200 {
            return Err("\"model\" must be 1–200 characters".into());
        }
        if self.host.len() > 300 || self.tasks.iter().any(|t| t.len() > 200) {
            return Err("a host or task label is too long".into());
        }
        if self.tasks.is_empty() || self.tasks.len() > 64 {
            return Err("a run has 1–64 tasks".into());
        }
        if self.input.head.chars().count() > HEAD_CHARS || self.input.name.len() > 500 {
            return Err("\"input\" is longer than a record keeps".into());
        }
        if !self.expected.is_empty() && self.expected.len() != self.tasks.len() {
            return Err("\"expected\" does not have one entry per task".into());
        }
        let times_ok = |v: f64| v.is_finite() && v >= 0.0;
        if !self.expected.iter().flatten().all(|v| times_ok(*v))
            || !self.cost_usd.is_none_or(times_ok)
        {
            return Err("a duration or cost is negative or not a number".into());
        }
        for (i, run) in self.runs.iter().enumerate() {
            let m = &run.metrics;
            if run.tasks.len() != self.tasks.len() {
                return Err(format!("run {} does not have one entry per task", i + 1));
            }
            if ![m.wall_ms, m.sum_task_ms, m.slowest_task_ms, m.overhead]
                .into_iter()
                .all(times_ok)
                || run.k == 0
            {
                return Err(format!("run {} has a figure that is not a number", i + 1));
            }
            for t in &run.tasks {
                let tm = &t.timing;
                let ordered = [tm.queued_ms, tm.sent_ms, tm.done_ms]
                    .into_iter()
                    .all(times_ok)
                    && tm.queued_ms <= tm.sent_ms
                    && tm.sent_ms <= tm.done_ms
                    && tm
                        .first_token_ms
                        .is_none_or(|f| f.is_finite() && f >= tm.sent_ms && f <= tm.done_ms)
                    && tm
                        .retry_waits
                        .iter()
                        .all(|(a, b)| a.is_finite() && b.is_finite() && a <= b);
                if !ordered {
                    return Err(format!(
                        "run {}, task \"{}\": its times are out of order",
                        i + 1,
                        t.label
                    ));
                }
            }
        }
        match (&self.batch, self.plan) {
            (None, PlanKind::Batch) => return Err("a batch run without its results".into()),
            (Some(_), p) if p != PlanKind::Batch => {
                return Err("batch results in a run that is not a batch".into());
            }
            (Some(b), _) => {
                if b.cells.len() != b.docs.len() * self.tasks.len() {
                    return Err("the batch does not have one result per document and task".into());
                }
                if !times_ok(b.wall_ms) || !times_ok(b.mean_in_flight) {
                    return Err("the batch has a figure that is not a number".into());
                }
                if b.cells.iter().flatten().any(|c| !times_ok(c.total_ms)) {
                    return Err("a batch result has a duration that is not a number".into());
                }
            }
            (None, _) if self.runs.is_empty() && !self.cancelled => {
                return Err("a run without any results".into());
            }
            _ => {}
        }
        Ok(())
    }
}

/// Why a file could not be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// Over [`MAX_IMPORT_BYTES`].
    #[error("the file is {0} bytes; a run file is at most 20 MB")]
    TooBig(usize),
    /// Not JSON at all.
    #[error("the file is not JSON ({0})")]
    NotJson(String),
    /// JSON, but not a Fanout run.
    #[error("the file is JSON but not a Fanout run (no \"format\": \"fanout.run\")")]
    NotARun,
    /// Another layout version.
    #[error("the file is a Fanout run of format version {0}; this page reads version 1")]
    Version(u64),
    /// A field is missing or wrong.
    #[error("the run file is damaged: {0}")]
    Invalid(String),
}

/// Records made through the real builders, for this module's tests and the
/// report and query tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::openai::{ChatOutput, Timing, Usage};
    use crate::workflow::engine::Structured;
    use crate::workflow::metrics::run_metrics;
    use crate::workflow::tasks::builtin_tasks;

    /// A finished task that ran from `start` to `end` (ms on a run starting
    /// at `t0`) and answered `text`.
    pub fn result(id: &str, t0: f64, start: f64, end: f64, text: &str) -> TaskResult {
        let timing = TaskTiming {
            id: id.into(),
            queued_ms: t0,
            sent_ms: t0 + start,
            first_token_ms: Some(t0 + start + (end - start) / 4.0),
            done_ms: t0 + end,
            usage: Some(Usage {
                prompt_tokens: 100,
                completion_tokens: 20,
                total_tokens: 120,
            }),
            ok: true,
            retry_waits: vec![],
        };
        TaskResult {
            status: TaskStatus::Done,
            output: ChatOutput {
                text: text.into(),
                usage: timing.usage,
                finish_reason: None,
                timing: Timing {
                    sent_ms: timing.sent_ms,
                    end_ms: timing.done_ms,
                    ..Timing::default()
                },
                attempts: vec![],
                error: None,
            },
            timing,
            structured: Structured::NotAsked,
        }
    }

    /// A compare run of the first `n` built-in tasks on `model`, finished
    /// at `at`: sequential tasks of `ms` each, then parallel all at once.
    pub fn compare(model: &str, at: f64, ms: f64, n: usize, text: &str) -> RunRecord {
        let tasks = builtin_tasks()[..n].to_vec();
        let spec = RunSpec {
            tasks: tasks.clone(),
            text: format!("{}The end of the text.", "Words of the input. ".repeat(15)),
            ..RunSpec::new(model)
        };
        let outcome = |mode: Mode, t0: f64| {
            let results: Vec<TaskResult> = tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let (s, e) = match mode {
                        Mode::Sequential => (i as f64 * ms, (i + 1) as f64 * ms),
                        Mode::Parallel => (1.0, ms + i as f64),
                    };
                    result(&t.id, t0, s, e, text)
                })
                .collect();
            let timings: Vec<TaskTiming> = results.iter().map(|r| r.timing.clone()).collect();
            RunOutcome {
                mode,
                k: if mode == Mode::Parallel { n } else { 1 },
                metrics: run_metrics(t0, &timings),
                results,
            }
        };
        let outcomes = vec![
            outcome(Mode::Sequential, 1000.0),
            outcome(Mode::Parallel, 9000.0),
        ];
        let meta = Meta {
            at,
            host: "127.0.0.1".into(),
            simulated: false,
            input_name: "Sample: product review".into(),
            cost_usd: Some(0.0012),
            cancelled: false,
        };
        RunRecord::workflow(
            meta,
            &spec,
            Plan::Compare { rounds: 1 },
            &outcomes,
            &vec![ms; n],
        )
    }
}

#[cfg(test)]
pub(crate) mod batch_fixture {
    use super::*;

    /// A batch of two documents × two tasks: three done, one failed.
    pub fn batch() -> RunRecord {
        let cell = Cell {
            status: TaskStatus::Done,
            text: "ok".into(),
            error: None,
            total_ms: 800.0,
            ttft_ms: Some(100.0),
            tokens_in: Some(10),
            tokens_out: Some(5),
            attempts: 1,
        };
        let meta = Meta {
            at: 1.7e12,
            host: "api.openai.com".into(),
            simulated: false,
            input_name: String::new(),
            cost_usd: None,
            cancelled: false,
        };
        let docs = vec![
            ("a.txt".to_string(), "Alpha".to_string()),
            ("b.txt".into(), "Beta".into()),
        ];
        let entry = BatchEntry {
            docs: docs.iter().map(|d| d.0.clone()).collect(),
            k: 4,
            wall_ms: 2000.0,
            mean_in_flight: 3.5,
            cells: vec![
                Some(cell.clone()),
                Some(cell.clone()),
                None,
                Some(Cell {
                    status: TaskStatus::Error,
                    ..cell
                }),
            ],
        };
        RunRecord::batch(
            meta,
            "gpt-4o-mini",
            &docs,
            &["Summary".into(), "Keywords".into()],
            entry,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::compare;
    use super::*;

    #[test]
    fn a_compare_click_keeps_every_figure_the_page_showed() {
        let r = compare("gpt-4o-mini", 1.7e12, 1000.0, 3, "Answer");
        assert_eq!(r.plan, PlanKind::Compare);
        assert_eq!(r.tasks.len(), 3);
        assert_eq!(r.runs.len(), 2);
        assert_eq!((r.runs[0].k, r.runs[1].k), (1, 3));
        let res = r.results();
        assert_eq!(res.median_wall(Mode::Sequential), Some(3000.0));
        assert_eq!(res.median_wall(Mode::Parallel), Some(1002.0));
        assert_eq!(res.per_task[2].1, Some(1000.0));
        let c = res.comparison().unwrap();
        assert!((c.speedup - 3000.0 / 1002.0).abs() < 1e-9);
        // Timeline rows are run-relative, one group per mode.
        let rows = r.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, Mode::Sequential);
        assert_eq!(rows[0].1[1].start, 1000.0);
        assert_eq!(rows[0].1[1].end, Some(2000.0));
        assert_eq!(rows[1].1[0].expected, Some(1000.0));
        assert_eq!(r.answers().len(), 3);
        assert_eq!(r.median_latency_ms(), Some(1000.0));
        assert_eq!(r.errors(), 0);
        assert!(r.sweep().is_empty());
    }

    #[test]
    fn the_record_keeps_a_description_of_the_input_not_the_input() {
        let text = "x".repeat(1000);
        let i = InputInfo::of("notes.txt", &text);
        assert_eq!(i.chars, 1000);
        assert_eq!(i.head.len(), HEAD_CHARS);
        assert_eq!(i.hash, fnv1a_hex(&text));
        assert_ne!(i.hash, fnv1a_hex("y"));
        // Known FNV-1a 64 values.
        assert_eq!(fnv1a_hex(""), "cbf29ce484222325");
        assert_eq!(fnv1a_hex("a"), "af63dc4c8601ec8c");
        let r = compare("m", 1.7e12, 10.0, 2, "A");
        let json = r.to_json();
        assert!(json.contains("Words of the input. Words"));
        assert!(!json.contains("The end of the text."));
    }

    #[test]
    fn an_exported_run_imports_as_the_same_run() {
        let r = compare("gpt-4o-mini", 1.7e12, 500.0, 6, "Ça <b>va</b>, \"quoted\"");
        let back = RunRecord::import(&r.to_json()).unwrap();
        assert_eq!(back, r);
    }

    fn edited(f: impl FnOnce(&mut serde_json::Value)) -> Result<RunRecord, ImportError> {
        let r = compare("gpt-4o-mini", 1.7e12, 500.0, 2, "ok");
        let mut v = serde_json::to_value(&r).unwrap();
        f(&mut v);
        RunRecord::import(&v.to_string())
    }

    #[test]
    fn a_bad_file_is_refused_with_the_reason() {
        assert!(matches!(
            RunRecord::import("not json"),
            Err(ImportError::NotJson(_))
        ));
        assert_eq!(
            RunRecord::import(r#"{"hello": 1}"#),
            Err(ImportError::NotARun)
        );
        assert_eq!(
            edited(|v| v["version"] = 2.into()),
            Err(ImportError::Version(2))
        );
        type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|v| v["id"] = "../etc".into()), "\"id\""),
            (Box::new(|v| v["at"] = (-5).into()), "\"at\""),
            (Box::new(|v| v["model"] = "".into()), "\"model\""),
            (
                Box::new(|v| v["tasks"] = serde_json::json!([])),
                "1–64 tasks",
            ),
            (
                Box::new(|v| {
                    v["runs"][0]["tasks"]
                        .as_array_mut()
                        .unwrap()
                        .pop()
                        .map(|_| ())
                        .unwrap()
                }),
                "one entry per task",
            ),
            (
                Box::new(|v| v["runs"][1]["metrics"]["wall_ms"] = (-1.0).into()),
                "not a number",
            ),
            (
                Box::new(|v| v["runs"][0]["tasks"][0]["timing"]["done_ms"] = 0.into()),
                "out of order",
            ),
            (
                Box::new(|v| v["runs"][0]["mode"] = "Diagonal".into()),
                "Diagonal",
            ),
            (
                Box::new(|v| v["plan"] = "batch".into()),
                "without its results",
            ),
            (Box::new(|v| v["cost_usd"] = (-0.5).into()), "negative"),
            (
                Box::new(|v| v["input"]["head"] = "x".repeat(201).into()),
                "longer",
            ),
        ];
        for (edit, reason) in cases {
            match edited(edit) {
                Err(ImportError::Invalid(msg)) => assert!(msg.contains(reason), "{msg} / {reason}"),
                other => panic!("{reason}: {other:?}"),
            }
        }
        let big = " ".repeat(MAX_IMPORT_BYTES + 1);
        assert!(matches!(
            RunRecord::import(&big),
            Err(ImportError::TooBig(_))
        ));
    }

    #[test]
    fn a_batch_record_checks_its_cells() {
        let r = super::batch_fixture::batch();
        assert_eq!(r.input.name, "2 documents");
        assert_eq!(r.input.chars, 9);
        assert_eq!(r.errors(), 1);
        assert_eq!(r.median_latency_ms(), Some(800.0));
        assert_eq!(RunRecord::import(&r.to_json()).unwrap(), r);
        let mut v = serde_json::to_value(&r).unwrap();
        v["batch"]["cells"].as_array_mut().unwrap().pop();
        assert!(
            matches!(RunRecord::import(&v.to_string()), Err(ImportError::Invalid(m)) if m.contains("one result per"))
        );
    }
}
