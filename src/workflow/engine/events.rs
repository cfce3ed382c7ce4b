//! What a run reports and returns: task states, live task events, the
//! workflow's events, and each finished run's outcome.

use serde::{Deserialize, Serialize};

use crate::openai::{ChatOutput, Usage};
use crate::workflow::metrics::{RunMetrics, TaskTiming};
use crate::workflow::runner::Mode;
use crate::workflow::structured::Field;

/// What one request of a task that made several was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "index")]
pub enum SubKind {
    /// Part `n` (0-based) of the input.
    Part(usize),
    /// The step that combined the parts' answers.
    Combine,
    /// Answer `n` (0-based) of a vote.
    Vote(usize),
}

impl SubKind {
    /// In words: "Part 2", "Combine", "Answer 3".
    pub fn describe(self) -> String {
        match self {
            SubKind::Part(n) => format!("Part {}", n + 1),
            SubKind::Combine => "Combine".into(),
            SubKind::Vote(n) => format!("Answer {}", n + 1),
        }
    }
}

/// One request of a task that made several; times in ms since the run
/// started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubRequest {
    /// Which request.
    pub kind: SubKind,
    /// Sent.
    pub sent_ms: f64,
    /// First token, when streamed.
    pub first_token_ms: Option<f64>,
    /// Finished.
    pub end_ms: f64,
    /// Token usage, if reported.
    pub usage: Option<Usage>,
    /// Whether it succeeded.
    pub ok: bool,
    /// Its answer.
    pub text: String,
}

impl SubRequest {
    pub(super) fn of(kind: SubKind, start: f64, out: &ChatOutput) -> Self {
        Self {
            kind,
            sent_ms: out.timing.sent_ms - start,
            first_token_ms: out.timing.first_token_ms.map(|t| t - start),
            end_ms: out.timing.end_ms - start,
            usage: out.usage,
            ok: out.error.is_none(),
            text: out.text.clone(),
        }
    }
}

/// A task's state, as its card shows it (serialized as its [`TaskStatus::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    /// Not started.
    Pending,
    /// Request in flight.
    Running,
    /// Answered.
    Done,
    /// Failed (after any retries).
    Error,
    /// Stopped by the user.
    Cancelled,
}

impl TaskStatus {
    /// Lowercase name, as used in `data-status` and CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Running => "running",
            TaskStatus::Done => "done",
            TaskStatus::Error => "error",
            TaskStatus::Cancelled => "cancelled",
        }
    }
}

/// What became of a structured-output request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Structured {
    /// Not asked for (task without schema, option off, or a model known to refuse).
    NotAsked,
    /// Asked for and read.
    Parsed(Vec<Field>),
    /// Asked for, but the answer was not the expected JSON.
    Unreadable,
    /// The server refused it; the task was sent again as plain text.
    Refused,
}

/// A finished task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskResult {
    /// Done, error or cancelled.
    pub status: TaskStatus,
    /// What the transport returned (both requests merged after a fallback).
    pub output: ChatOutput,
    /// Its timing in the run.
    pub timing: TaskTiming,
    /// Structured output, if any.
    pub structured: Structured,
    /// Each request, when the task made more than one (parts and the
    /// combine step, or votes); empty when it made one.
    pub requests: Vec<SubRequest>,
    /// How far the votes agree, for a voted structured task.
    pub agreement: Option<crate::workflow::agreement::Agreement>,
    /// For a split task: how many more prompt tokens its requests sent than
    /// one request over the whole text would (estimated from characters).
    pub extra_prompt_tokens: Option<u64>,
}

/// Live updates about task `i` of a run; times are ms since the run started.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskEvent {
    /// Its request is being sent.
    Sent {
        /// When.
        at: f64,
    },
    /// Attempt `number` started; `restart` means the text so far is void.
    Attempt {
        /// 1-based, counting all requests of the task.
        number: u32,
        /// When.
        at: f64,
        /// A retry or a plain-text fallback: discard the text shown so far.
        restart: bool,
    },
    /// New answer text.
    Text {
        /// The new part.
        delta: String,
        /// When it arrived.
        at: f64,
    },
    /// New thinking text (a reasoning model's, apart from the answer).
    Reasoning {
        /// The new part.
        delta: String,
        /// When it arrived.
        at: f64,
    },
    /// A wait before a retry began.
    Waiting {
        /// When.
        at: f64,
    },
    /// The task finished.
    Finished(Box<TaskResult>),
}

/// What the workflow reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkflowEvent {
    /// A human-readable description of what happens now.
    Phase(String),
    /// A run starts; its cards start again from pending.
    RunStarted {
        /// Its mode.
        mode: Mode,
        /// How many tasks it runs at once (1 for sequential).
        k: usize,
    },
    /// Something happened to task `index` of the current run.
    Task(Mode, usize, TaskEvent),
    /// A run finished.
    RunFinished(Mode, RunMetrics),
}

/// One finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// The mode it ran in.
    pub mode: Mode,
    /// How many tasks it ran at once (1 for sequential).
    pub k: usize,
    /// Its figures.
    pub metrics: RunMetrics,
    /// Per task, in task order.
    pub results: Vec<TaskResult>,
}
