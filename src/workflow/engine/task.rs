//! One task sent as one request (and its plain-text fallback when the
//! server refuses structured output): the engine's unit above its types.

use std::cell::Cell;

use super::events::{Structured, TaskEvent, TaskResult, TaskStatus};
use super::spec::{RunSpec, task_request};
use crate::openai::{ApiError, ChatOutput, Progress, Timing, Transport};
use crate::schedule::permits::Permits;
use crate::workflow::metrics::TaskTiming;
use crate::workflow::structured::{
    is_format_refusal, parse_fields, response_format, schema_for, supports_json_schema,
};
use crate::workflow::tasks::TaskDef;

/// Remembers, across the runs of a session, that the server refused
/// structured output, so later tasks do not pay for the refusal again.
#[derive(Debug)]
pub struct FormatMemory(Cell<bool>);

impl Default for FormatMemory {
    fn default() -> Self {
        Self(Cell::new(true))
    }
}

impl FormatMemory {
    /// False once a server refused structured output.
    pub fn allowed(&self) -> bool {
        self.0.get()
    }
    pub(super) fn refused(&self) {
        self.0.set(false);
    }
}

/// An output for a task that never started because the run was cancelled.
pub(super) fn not_started(at: f64) -> ChatOutput {
    ChatOutput {
        itl_ms: Vec::new(),
        rate_limit: None,
        served_by: None,
        reasoning: String::new(),
        text: String::new(),
        usage: None,
        finish_reason: None,
        timing: Timing {
            sent_ms: at,
            end_ms: at,
            ..Timing::default()
        },
        attempts: Vec::new(),
        error: Some(ApiError::Aborted),
    }
}

/// Sends one task (and its plain-text fallback if needed).
pub(crate) async fn run_task(
    transport: &dyn Transport,
    spec: &RunSpec,
    task: &TaskDef,
    start: f64,
    memory: &FormatMemory,
    permits: Option<&Permits>,
    on: &dyn Fn(TaskEvent),
) -> TaskResult {
    let rel = |t: f64| t - start;
    let sent_at = rel(transport.now_ms());
    if transport.cancelled() {
        on(TaskEvent::Sent { at: sent_at });
        let out = not_started(transport.now_ms());
        return finish(task, start, out, Structured::NotAsked);
    }
    let schema = (task.structured && memory.allowed() && supports_json_schema(&spec.model))
        .then(|| schema_for(&task.id))
        .flatten();
    let offset = Cell::new(0u32);
    let mut progress = |p: Progress| match p {
        Progress::Attempt(n) => {
            let number = n + offset.get();
            on(TaskEvent::Attempt {
                number,
                at: rel(transport.now_ms()),
                restart: number > 1,
            });
        }
        Progress::Text(delta) => on(TaskEvent::Text {
            delta,
            at: rel(transport.now_ms()),
        }),
        Progress::Reasoning(delta) => on(TaskEvent::Reasoning {
            delta,
            at: rel(transport.now_ms()),
        }),
        Progress::Waiting { .. } => on(TaskEvent::Waiting {
            at: rel(transport.now_ms()),
        }),
        Progress::Headers => {}
    };
    let format = schema.clone().map(|s| response_format(&task.id, s));
    let asked = format.is_some();
    let req = task_request(spec, task, format);
    // In a run of tasks started together (join_all), every task builds its
    // request, then every task sends it, then the view hears of each: a
    // yield between the steps lets the other tasks take theirs first, so
    // the requests go out together, not one view update apart.
    YieldOnce::default().await;
    // Held through a plain-text fallback too: it is the same task's request.
    let _permit = match permits {
        Some(p) => Some(p.acquire().await),
        None => None,
    };
    let first = {
        let chat = transport.chat(&req, &mut progress);
        futures::pin_mut!(chat);
        // The first poll sends the request.
        match futures::poll!(chat.as_mut()) {
            std::task::Poll::Ready(out) => {
                on(TaskEvent::Sent { at: sent_at });
                out
            }
            std::task::Poll::Pending => {
                YieldOnce::default().await;
                on(TaskEvent::Sent { at: sent_at });
                chat.await
            }
        }
    };
    if !(asked && first.error.as_ref().is_some_and(is_format_refusal)) {
        let structured = match (&schema, &first.error) {
            (Some(s), None) => parse_fields(s, &first.text)
                .map(Structured::Parsed)
                .unwrap_or(Structured::Unreadable),
            _ => Structured::NotAsked,
        };
        return finish(task, start, first, structured);
    }
    // The server refused the schema: remember it, and send the task again
    // as plain text; both requests count in the task's time and attempts.
    memory.refused();
    offset.set(first.attempts.len() as u32);
    let plain = task_request(spec, task, None);
    let mut second = transport.chat(&plain, &mut progress).await;
    second.timing.sent_ms = first.timing.sent_ms;
    let mut attempts = first.attempts;
    let n = attempts.len() as u32;
    attempts.extend(second.attempts.into_iter().map(|mut a| {
        a.number += n;
        a
    }));
    second.attempts = attempts;
    finish(task, start, second, Structured::Refused)
}

/// Returns `Pending` once (waking itself at once), so that the other
/// futures polled beside this one run to their next step first.
#[derive(Default)]
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// A finished task of one request: its status and timing from the output.
pub(super) fn finish(
    task: &TaskDef,
    start: f64,
    output: ChatOutput,
    structured: Structured,
) -> TaskResult {
    let status = match &output.error {
        None => TaskStatus::Done,
        Some(ApiError::Aborted) => TaskStatus::Cancelled,
        Some(_) => TaskStatus::Error,
    };
    TaskResult {
        status,
        timing: TaskTiming::from_output(&task.id, start, &output),
        output,
        structured,
        requests: Vec::new(),
        agreement: None,
        extra_prompt_tokens: None,
    }
}
