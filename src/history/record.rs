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
use crate::workflow::engine::{Plan, RunOutcome, RunSpec, SubRequest, TaskResult, TaskStatus};
use crate::workflow::metrics::{RunMetrics, TaskTiming};
use crate::workflow::runner::{Mode, RunKind};

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
    /// The model's thinking, apart from the answer (reasoning models).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasoning: String,
    /// A readable error, if it failed.
    pub error: Option<String>,
    /// Requests made for it.
    pub attempts: usize,
    /// When it went through its stages (page clock; `queued_ms` is the
    /// run's start).
    pub timing: TaskTiming,
    /// Each request, when the task made more than one (its parts and the
    /// combine step, or its votes); absent when it made one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<SubRequest>,
    /// How far its votes agreed, in words ("2 of 3 agree: positive").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
    /// For a split task: prompt tokens sent beyond one request's
    /// (estimated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_prompt_tokens: Option<u64>,
    /// The rate-limit headers of its last response, when the page could
    /// read them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<crate::openai::ratelimit::RateLimit>,
}

impl TaskEntry {
    fn of(label: &str, r: &TaskResult) -> Self {
        Self {
            label: label.to_string(),
            status: r.status,
            text: r.output.text.clone(),
            reasoning: r.output.reasoning.clone(),
            error: r
                .output
                .error
                .as_ref()
                .filter(|e| **e != ApiError::Aborted)
                .map(ToString::to_string),
            attempts: r.output.attempts.len(),
            timing: r.timing.clone(),
            requests: r.requests.clone(),
            agreement: r.agreement.as_ref().map(|a| a.describe()),
            extra_prompt_tokens: r.extra_prompt_tokens,
            rate_limit: r.output.rate_limit.clone(),
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

/// What kind of run a record keeps, with what only that kind keeps: a
/// race's endpoints, a capacity search's steps, a batch's results. A kind
/// and its payload cannot disagree; files keep their shape (`plan` beside
/// optional `batch`, `race`, `capacity`), read and written through
/// [`RecordFile`].
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Sequential only.
    Sequential,
    /// Parallel only.
    Parallel,
    /// Both, alternating, after a warm-up.
    Compare,
    /// Parallel at K = 1, 2, 4, ….
    Sweep,
    /// The same tasks on 2–4 endpoints at once (`runs[i]` is endpoint
    /// `i + 1`'s parallel run).
    Race(RaceEntry),
    /// The most requests at once meeting latency targets.
    Capacity(Box<crate::capacity::Capacity>),
    /// Many documents.
    Batch(BatchEntry),
    /// Another tool's results.
    Imported(Box<crate::history::foreign::Imported>),
}

impl Kind {
    /// The kind, in the vocabulary every layer shares.
    pub fn run_kind(&self) -> RunKind {
        match self {
            Self::Sequential => RunKind::Sequential,
            Self::Parallel => RunKind::Parallel,
            Self::Compare => RunKind::Compare,
            Self::Sweep => RunKind::Sweep,
            Self::Race(_) => RunKind::Race,
            Self::Capacity(_) => RunKind::Capacity,
            Self::Batch(_) => RunKind::Batch,
            Self::Imported(_) => RunKind::Imported,
        }
    }

    /// A workflow plan's kind.
    pub fn of(plan: Plan) -> Self {
        match plan.kind() {
            RunKind::Sequential => Self::Sequential,
            RunKind::Compare => Self::Compare,
            RunKind::Sweep => Self::Sweep,
            _ => Self::Parallel,
        }
    }

    /// A race's endpoints, if it is a race.
    pub fn race(&self) -> Option<&RaceEntry> {
        match self {
            Self::Race(r) => Some(r),
            _ => None,
        }
    }

    /// A capacity search's steps and answer, if it is one.
    pub fn capacity(&self) -> Option<&crate::capacity::Capacity> {
        match self {
            Self::Capacity(c) => Some(c),
            _ => None,
        }
    }

    /// A batch's results, if it is a batch.
    pub fn batch(&self) -> Option<&BatchEntry> {
        match self {
            Self::Batch(b) => Some(b),
            _ => None,
        }
    }

    /// Another tool's results, if imported.
    pub fn imported(&self) -> Option<&crate::history::foreign::Imported> {
        match self {
            Self::Imported(i) => Some(i),
            _ => None,
        }
    }

    /// A batch's results to change, if it is a batch.
    pub fn batch_mut(&mut self) -> Option<&mut BatchEntry> {
        match self {
            Self::Batch(b) => Some(b),
            _ => None,
        }
    }
}

/// One Run click (or batch), as kept in history and exported.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RecordFile")]
pub struct RunRecord {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] when written by this version.
    pub version: u32,
    /// Unique within a history: the time and a hash.
    pub id: String,
    /// When it finished, ms since the Unix epoch.
    pub at: f64,
    /// What kind of run, with what only that kind keeps.
    pub kind: Kind,
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
}

/// A record as files have it (version 1): the kind as `plan`, its payload
/// beside the other fields (`batch` always, `null` but for batches; `race`
/// and `capacity` only when present). Every saved file and export has this
/// shape, so files written before [`Kind`] import as they are.
#[derive(Deserialize)]
struct RecordFile {
    format: String,
    version: u32,
    id: String,
    at: f64,
    plan: RunKind,
    model: String,
    host: String,
    simulated: bool,
    input: InputInfo,
    tasks: Vec<String>,
    runs: Vec<RunEntry>,
    expected: Vec<Option<f64>>,
    cost_usd: Option<f64>,
    cancelled: bool,
    batch: Option<BatchEntry>,
    #[serde(default)]
    race: Option<RaceEntry>,
    #[serde(default)]
    capacity: Option<crate::capacity::Capacity>,
    #[serde(default)]
    imported: Option<crate::history::foreign::Imported>,
}

/// [`RecordFile`]'s shape, written from a record without copying it.
#[derive(Serialize)]
struct RecordFileRef<'a> {
    format: &'a str,
    version: u32,
    id: &'a str,
    at: f64,
    plan: RunKind,
    model: &'a str,
    host: &'a str,
    simulated: bool,
    input: &'a InputInfo,
    tasks: &'a [String],
    runs: &'a [RunEntry],
    expected: &'a [Option<f64>],
    cost_usd: Option<f64>,
    cancelled: bool,
    batch: Option<&'a BatchEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    race: Option<&'a RaceEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capacity: Option<&'a crate::capacity::Capacity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    imported: Option<&'a crate::history::foreign::Imported>,
}

impl Serialize for RunRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RecordFileRef {
            format: &self.format,
            version: self.version,
            id: &self.id,
            at: self.at,
            plan: self.kind.run_kind(),
            model: &self.model,
            host: &self.host,
            simulated: self.simulated,
            input: &self.input,
            tasks: &self.tasks,
            runs: &self.runs,
            expected: &self.expected,
            cost_usd: self.cost_usd,
            cancelled: self.cancelled,
            batch: self.kind.batch(),
            race: self.kind.race(),
            capacity: self.kind.capacity(),
            imported: self.kind.imported(),
        }
        .serialize(s)
    }
}

impl TryFrom<RecordFile> for RunRecord {
    type Error = String;

    /// The kind and its payload together: a payload without its kind, or a
    /// kind without its payload, is refused.
    fn try_from(f: RecordFile) -> Result<Self, String> {
        let kind = match (f.plan, f.imported) {
            (RunKind::Imported, Some(i)) => Some(Kind::Imported(Box::new(i))),
            (RunKind::Imported, None) => return Err("an imported run without its results".into()),
            (_, Some(_)) => return Err("imported results in a run that is not imported".into()),
            (_, None) => None,
        };
        let kind = match (f.plan, f.batch, f.race, f.capacity) {
            (RunKind::Imported, None, None, None) => kind.expect("checked above"),
            (RunKind::Imported, ..) => {
                return Err("an imported run with a batch, race or capacity payload".into());
            }
            (RunKind::Batch, Some(b), None, None) => Kind::Batch(b),
            (RunKind::Race, None, Some(r), None) => Kind::Race(r),
            (RunKind::Capacity, None, None, Some(c)) => Kind::Capacity(Box::new(c)),
            (RunKind::Batch, None, ..) => return Err("a batch run without its results".into()),
            (RunKind::Race, _, None, _) => return Err("a race without its endpoints".into()),
            (RunKind::Capacity, _, _, None) => {
                return Err("a capacity run without its steps".into());
            }
            (_, Some(_), ..) => return Err("batch results in a run that is not a batch".into()),
            (_, _, Some(_), _) => {
                return Err("race endpoints in a run that is not a race".into());
            }
            (_, _, _, Some(_)) => {
                return Err("capacity steps in a run that is not a capacity run".into());
            }
            (RunKind::Sequential, ..) => Kind::Sequential,
            (RunKind::Parallel, ..) => Kind::Parallel,
            (RunKind::Compare, ..) => Kind::Compare,
            (RunKind::Sweep, ..) => Kind::Sweep,
        };
        Ok(Self {
            format: f.format,
            version: f.version,
            id: f.id,
            at: f.at,
            kind,
            model: f.model,
            host: f.host,
            simulated: f.simulated,
            input: f.input,
            tasks: f.tasks,
            runs: f.runs,
            expected: f.expected,
            cost_usd: f.cost_usd,
            cancelled: f.cancelled,
        })
    }
}

/// One endpoint of a race, as a record keeps it: never its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceEndpoint {
    /// What the race called it.
    pub name: String,
    /// Host of its base URL ("demo" for a simulated one).
    pub host: String,
    /// Model id.
    pub model: String,
    /// Answered by the demo provider.
    pub simulated: bool,
    /// Its estimated cost, if its model had a price.
    pub cost_usd: Option<f64>,
    /// When its run started after the race's start, ms.
    pub offset_ms: f64,
}

/// A race's outcome, for race records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceEntry {
    /// The endpoints, in order (endpoint 1 is the main connection).
    pub endpoints: Vec<RaceEndpoint>,
    /// Task ids, in card order (agreement needs to know which task is which).
    pub task_ids: Vec<String>,
    /// Race start to the last endpoint's last task, ms.
    pub wall_ms: f64,
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
            kind: Kind::of(plan),
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
        }
    }

    /// The record of a race: `lanes` are each endpoint's description and
    /// parallel run, in endpoint order, all over `spec`'s text and tasks;
    /// `wall_ms` from the race's start to its last answer.
    pub fn race(
        meta: Meta,
        spec: &RunSpec,
        lanes: Vec<(RaceEndpoint, RunOutcome)>,
        wall_ms: f64,
    ) -> Self {
        let joined = |f: &dyn Fn(&RaceEndpoint) -> &str| {
            let mut all: Vec<&str> = Vec::new();
            for e in lanes.iter().map(|l| f(&l.0)) {
                if !all.contains(&e) {
                    all.push(e);
                }
            }
            all.join(" vs ")
        };
        let model = joined(&|e| &e.model);
        let host = joined(&|e| &e.host);
        let outcomes: Vec<RunOutcome> = lanes.iter().map(|l| l.1.clone()).collect();
        let spec = RunSpec {
            model,
            ..spec.clone()
        };
        let mut record = Self::workflow(
            Meta { host, ..meta },
            &spec,
            Plan::Single(Mode::Parallel),
            &outcomes,
            &[],
        );
        record.expected = Vec::new();
        record.kind = Kind::Race(RaceEntry {
            endpoints: lanes.into_iter().map(|l| l.0).collect(),
            task_ids: spec.tasks.iter().map(|t| t.id.clone()).collect(),
            wall_ms,
        });
        record
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
            kind: Kind::Batch(batch),
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
        }
    }

    /// The record of a capacity search over `spec`'s text and tasks.
    pub fn capacity(meta: Meta, spec: &RunSpec, capacity: crate::capacity::Capacity) -> Self {
        let mut record = Self::workflow(meta, spec, Plan::Single(Mode::Parallel), &[], &[]);
        record.expected = Vec::new();
        record.kind = Kind::Capacity(Box::new(capacity));
        record
    }

    /// The record as a JSON file (indented; the same text serde_json's
    /// pretty printer writes, see [`crate::format::pretty_json`]).
    pub fn to_json(&self) -> String {
        crate::format::pretty_json(&serde_json::to_string(self).unwrap_or_default())
    }
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
    pub(crate) fn result(id: &str, t0: f64, start: f64, end: f64, text: &str) -> TaskResult {
        let timing = TaskTiming {
            itl_ms: Vec::new(),
            gaps: None,
            id: id.into(),
            queued_ms: t0,
            sent_ms: t0 + start,
            first_token_ms: Some(t0 + start + (end - start) / 4.0),
            first_any_ms: None,
            reasoning_tokens: None,
            server: None,
            done_ms: t0 + end,
            usage: Some(Usage {
                prompt_tokens: 100,
                completion_tokens: 20,
                total_tokens: 120,
                completion_tokens_details: None,
            }),
            ok: true,
            retry_waits: vec![],
        };
        TaskResult {
            status: TaskStatus::Done,
            output: ChatOutput {
                itl_ms: Vec::new(),
                rate_limit: None,
                served_by: None,
                reasoning: String::new(),
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
            requests: Vec::new(),
            agreement: None,
            extra_prompt_tokens: None,
        }
    }

    /// A compare run of the first `n` built-in tasks on `model`, finished
    /// at `at`: sequential tasks of `ms` each, then parallel all at once.
    pub(crate) fn compare(model: &str, at: f64, ms: f64, n: usize, text: &str) -> RunRecord {
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
    pub(crate) fn batch() -> RunRecord {
        let cell = Cell {
            status: TaskStatus::Done,
            text: "ok".into(),
            error: None,
            total_ms: 800.0,
            ttft_ms: Some(100.0),
            tokens_in: Some(10),
            tokens_out: Some(5),
            attempts: 1,
            served_by: None,
            reasoning: String::new(),
            dropped: false,
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
    use super::fixtures::{compare, result};
    use super::*;
    use crate::workflow::engine::SubKind;

    #[test]
    fn a_task_made_of_several_requests_keeps_them_and_its_agreement() {
        let vote = |n: usize, text: &str| SubRequest {
            kind: SubKind::Vote(n),
            sent_ms: 0.0,
            first_token_ms: Some(5.0),
            end_ms: 50.0,
            usage: None,
            ok: true,
            text: text.into(),
        };
        let mut r = result("sentiment", 0.0, 0.0, 100.0, "Positive.");
        r.requests = vec![
            vote(0, "Positive."),
            vote(1, "Negative."),
            vote(2, "Positive."),
        ];
        r.agreement = crate::workflow::agreement::agreement(
            "sentiment",
            &[Some("Positive."), Some("Negative."), Some("Positive.")],
        );
        let e = TaskEntry::of("Sentiment", &r);
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains(r#""kind":"vote","index":1"#), "{json}");
        let back: TaskEntry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.agreement.as_deref(), Some("2 of 3 agree: positive"));
        assert_eq!(back.requests.len(), 3);
        // A task sent once writes neither field, as before.
        let plain = serde_json::to_string(&TaskEntry::of(
            "Summary",
            &result("summary", 0.0, 0.0, 9.0, "x"),
        ))
        .unwrap();
        assert!(!plain.contains("requests") && !plain.contains("agreement"));
    }

    #[test]
    fn a_compare_click_keeps_every_figure_the_page_showed() {
        let r = compare("gpt-4o-mini", 1.7e12, 1000.0, 3, "Answer");
        assert_eq!(r.kind.run_kind(), RunKind::Compare);
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
        // The file is the text serde_json's pretty printer writes.
        assert_eq!(json, serde_json::to_string_pretty(&r).unwrap());
        let b = batch_fixture::batch();
        assert_eq!(b.to_json(), serde_json::to_string_pretty(&b).unwrap());
    }
}
