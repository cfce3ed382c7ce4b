//! Runs a workflow through a [`Transport`]: one mode (sequential, or
//! parallel with at most K in flight), or a fair comparison (a warm-up
//! request, then the modes in alternating order over several rounds).
//!
//! Everything the page shows comes from the events this module reports, so
//! the page holds no scheduling logic and this module knows nothing of the
//! page: it is tested natively with a fake transport.

use std::cell::Cell;

use crate::openai::{
    ApiError, ChatMessage, ChatOutput, ChatRequest, Progress, RequestOptions, Timing, TokenParam,
    Transport, build_chat_request,
};
use crate::workflow::metrics::{RunMetrics, TaskTiming, run_metrics};
use crate::workflow::order::{
    DurationLog, Expected, Observation, Order, RequestShape, Saving, SpeedModel, expected,
    start_order,
};
use crate::workflow::runner::{Mode, comparison_order, concurrency, run_limited, sweep_limits};
use crate::workflow::structured::{
    Field, is_format_refusal, parse_fields, response_format, schema_for, supports_json_schema,
};
use crate::workflow::tasks::{TaskDef, estimate_tokens, task_messages};

/// What a run sends: the model settings, the text and the tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Model id.
    pub model: String,
    /// Stream answers.
    pub stream: bool,
    /// Which token-limit field to send.
    pub token_param: TokenParam,
    /// The input text.
    pub text: String,
    /// Target language of the translation task.
    pub language: String,
    /// The tasks, in card order.
    pub tasks: Vec<TaskDef>,
    /// Parallel concurrency limit (0 = all at once).
    pub limit: usize,
    /// The order parallel runs start the tasks in when they cannot all start
    /// at once (see `workflow::order`); empty or not a permutation of the
    /// tasks = as listed. Sequential runs always go as listed.
    pub start_order: Vec<usize>,
}

impl RunSpec {
    /// A spec for `model` with the defaults: streamed, the token-limit field
    /// chosen by model, no text or tasks yet, translation into Spanish, no
    /// concurrency limit.
    pub fn new(model: &str) -> Self {
        Self {
            model: model.to_string(),
            stream: true,
            token_param: TokenParam::Auto,
            text: String::new(),
            language: "Spanish".into(),
            tasks: Vec::new(),
            limit: 0,
            start_order: Vec::new(),
        }
    }

    /// The order a run in `mode` starts the tasks in.
    pub fn starts(&self, mode: Mode) -> Vec<usize> {
        let n = self.tasks.len();
        let mut seen = vec![false; n];
        let valid = self.start_order.len() == n
            && self
                .start_order
                .iter()
                .all(|&i| i < n && !std::mem::replace(&mut seen[i], true));
        if mode == Mode::Parallel && valid {
            self.start_order.clone()
        } else {
            (0..n).collect()
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
    /// A run in `mode` starts; its cards start again from pending.
    RunStarted(Mode),
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
    /// Its figures.
    pub metrics: RunMetrics,
    /// Per task, in task order.
    pub results: Vec<TaskResult>,
}

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
    fn refused(&self) {
        self.0.set(false);
    }
}

fn options(spec: &RunSpec, max_tokens: u32) -> RequestOptions {
    RequestOptions {
        max_tokens: Some(max_tokens),
        stream: spec.stream,
        token_param: spec.token_param,
        ..RequestOptions::default()
    }
}

/// The most `runs` runs of `spec` can cost at `price`: every task's
/// estimated prompt tokens, and every answer as long as its token limit.
pub fn cost_ceiling(spec: &RunSpec, price: &crate::workflow::cost::Price, runs: u64) -> f64 {
    let (tokens_in, tokens_out) = spec.tasks.iter().fold((0u64, 0u64), |(i, o), t| {
        let prompt: usize = task_messages(t, &spec.text, &spec.language)
            .iter()
            .map(|m| estimate_tokens(&m.content))
            .sum();
        (i + prompt as u64, o + u64::from(t.max_tokens))
    });
    crate::workflow::cost::cost_usd(price, tokens_in * runs, tokens_out * runs)
}

/// The request of task `task` (with `format` as `response_format`).
pub fn task_request(
    spec: &RunSpec,
    task: &TaskDef,
    format: Option<serde_json::Value>,
) -> ChatRequest {
    let messages = task_messages(task, &spec.text, &spec.language);
    let opts = RequestOptions {
        response_format: format,
        ..options(spec, task.max_tokens)
    };
    build_chat_request(&spec.model, messages, &opts)
}

/// How long each of the spec's tasks is expected to take: from durations
/// measured before with this model on `host`, else from `speed`.
pub fn expected_durations(
    spec: &RunSpec,
    log: &DurationLog,
    speed: &SpeedModel,
    host: &str,
) -> Vec<Expected> {
    let input_tokens = estimate_tokens(&spec.text);
    spec.tasks
        .iter()
        .map(|t| {
            let prompt_tokens = task_messages(t, &spec.text, &spec.language)
                .iter()
                .map(|m| estimate_tokens(&m.content))
                .sum();
            let shape = RequestShape {
                task: &t.id,
                input_tokens,
                prompt_tokens,
                max_tokens: t.max_tokens,
            };
            expected(log, speed, &spec.model, host, shape)
        })
        .collect()
}

/// The spec with its parallel start order set by `order` (and the tasks'
/// priorities) from `expected`.
pub fn with_order(spec: RunSpec, expected: &[Expected], order: Order) -> RunSpec {
    let ms: Vec<f64> = expected.iter().map(|e| e.ms).collect();
    let priorities: Vec<u8> = spec.tasks.iter().map(|t| t.priority).collect();
    RunSpec {
        start_order: start_order(&ms, &priorities, order),
        ..spec
    }
}

/// What a run's successful tasks measured, to estimate the next runs.
pub fn observations(spec: &RunSpec, host: &str, outcome: &RunOutcome) -> Vec<Observation> {
    let input_tokens = estimate_tokens(&spec.text);
    spec.tasks
        .iter()
        .zip(&outcome.results)
        .filter(|(_, r)| r.status == TaskStatus::Done)
        .map(|(t, r)| {
            let total = r.timing.total_ms();
            Observation {
                task: t.id.clone(),
                model: spec.model.clone(),
                host: host.to_string(),
                input_tokens,
                first_token_ms: r.timing.ttft_ms().unwrap_or(total),
                total_ms: total,
            }
        })
        .collect()
}

/// What the spec's start order saved in a parallel run against "as
/// listed", replaying each task's measured duration; `None` for sequential
/// runs and when every task had a slot.
pub fn order_saving(spec: &RunSpec, outcome: &RunOutcome) -> Option<Saving> {
    if outcome.mode != Mode::Parallel {
        return None;
    }
    let k = concurrency(Mode::Parallel, spec.limit, spec.tasks.len());
    let durations: Vec<f64> = outcome
        .results
        .iter()
        .map(|r| r.timing.total_ms())
        .collect();
    Saving::of(&durations, &spec.starts(Mode::Parallel), k)
}

/// An output for a task that never started because the run was cancelled.
fn not_started(at: f64) -> ChatOutput {
    ChatOutput {
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
async fn run_task(
    transport: &dyn Transport,
    spec: &RunSpec,
    task: &TaskDef,
    start: f64,
    memory: &FormatMemory,
    on: &dyn Fn(TaskEvent),
) -> TaskResult {
    let rel = |t: f64| t - start;
    on(TaskEvent::Sent {
        at: rel(transport.now_ms()),
    });
    if transport.cancelled() {
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
        Progress::Waiting { .. } => on(TaskEvent::Waiting {
            at: rel(transport.now_ms()),
        }),
        Progress::Headers => {}
    };
    let format = schema.clone().map(|s| response_format(&task.id, s));
    let asked = format.is_some();
    let req = task_request(spec, task, format);
    let first = transport.chat(&req, &mut progress).await;
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

fn finish(task: &TaskDef, start: f64, output: ChatOutput, structured: Structured) -> TaskResult {
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
    }
}

/// Runs every task of `spec` once in `mode` and reports as it goes.
pub async fn run_tasks(
    transport: &dyn Transport,
    spec: &RunSpec,
    mode: Mode,
    memory: &FormatMemory,
    on: &dyn Fn(usize, TaskEvent),
) -> RunOutcome {
    let n = spec.tasks.len();
    let k = concurrency(mode, spec.limit, n);
    let start = transport.now_ms();
    let results = run_limited(&spec.starts(mode), k, |i| async move {
        let r = run_task(transport, spec, &spec.tasks[i], start, memory, &|e| {
            on(i, e)
        })
        .await;
        on(i, TaskEvent::Finished(Box::new(r.clone())));
        r
    })
    .await;
    let timings: Vec<TaskTiming> = results.iter().map(|r| r.timing.clone()).collect();
    RunOutcome {
        mode,
        metrics: run_metrics(start, &timings),
        results,
    }
}

/// Which runs to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// One run in this mode.
    Single(Mode),
    /// A warm-up request, then both modes alternating over `rounds` rounds.
    Compare {
        /// 1 to 5.
        rounds: usize,
    },
    /// A warm-up request, then parallel runs at K = 1, 2, 4, … up to the
    /// number of tasks (or `max`), to find where more parallelism stops paying.
    Sweep {
        /// Highest K tried.
        max: usize,
    },
}

impl Plan {
    /// The runs this plan makes for `tasks` tasks: (mode, concurrency limit;
    /// 0 = the spec's own).
    pub fn runs(self, tasks: usize) -> Vec<(Mode, usize)> {
        match self {
            Plan::Single(m) => vec![(m, 0)],
            Plan::Compare { rounds } => comparison_order(rounds.clamp(1, 5))
                .into_iter()
                .map(|m| (m, 0))
                .collect(),
            Plan::Sweep { max } => sweep_limits(tasks, max)
                .into_iter()
                .map(|k| (Mode::Parallel, k))
                .collect(),
        }
    }
}

/// The warm-up request of a comparison: tiny, so it costs next to nothing.
pub fn warm_up_request(spec: &RunSpec) -> ChatRequest {
    build_chat_request(
        &spec.model,
        vec![ChatMessage::user("Reply with OK.")],
        &options(spec, 5),
    )
}

/// Runs a plan to the end (or until cancelled) and returns every run made.
pub async fn run_plan(
    transport: &dyn Transport,
    spec: &RunSpec,
    plan: Plan,
    memory: &FormatMemory,
    on: &dyn Fn(WorkflowEvent),
) -> Vec<RunOutcome> {
    let order = plan.runs(spec.tasks.len());
    if !matches!(plan, Plan::Single(_)) {
        // Connection set-up and CORS preflight are paid here, not by
        // whichever run happens to go first.
        on(WorkflowEvent::Phase("Warming up the connection…".into()));
        transport.chat(&warm_up_request(spec), &mut |_| {}).await;
    }
    let total = order.len();
    let mut outcomes = Vec::with_capacity(total);
    for (i, (mode, limit)) in order.into_iter().enumerate() {
        if transport.cancelled() {
            break;
        }
        let limited;
        let spec = if limit > 0 {
            limited = RunSpec {
                limit,
                ..spec.clone()
            };
            &limited
        } else {
            spec
        };
        let k = if limit > 0 {
            format!(" at K = {limit}")
        } else {
            String::new()
        };
        on(WorkflowEvent::Phase(format!(
            "Run {} of {}: {}{k}",
            i + 1,
            total,
            mode.name()
        )));
        on(WorkflowEvent::RunStarted(mode));
        let outcome = run_tasks(transport, spec, mode, memory, &|i, e| {
            on(WorkflowEvent::Task(mode, i, e))
        })
        .await;
        on(WorkflowEvent::RunFinished(mode, outcome.metrics));
        outcomes.push(outcome);
    }
    on(WorkflowEvent::Phase(
        if transport.cancelled() {
            "Cancelled."
        } else {
            "Finished."
        }
        .into(),
    ));
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::{AttemptRecord, Usage};
    use crate::workflow::tasks::builtin_tasks;
    use futures::channel::oneshot;
    use futures::executor::{LocalPool, block_on};
    use futures::task::LocalSpawnExt;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;

    /// How the fake server answers a request.
    #[derive(Clone)]
    enum Reply {
        Ok(String),
        Fail(ApiError),
    }

    /// A transport whose clock moves 10 ms per request and that answers by
    /// a rule, recording every request.
    struct Fake {
        clock: Cell<f64>,
        rule: Box<dyn Fn(&ChatRequest) -> Reply>,
        sent: RefCell<Vec<ChatRequest>>,
        cancelled: Cell<bool>,
        /// When set, each request waits for the test to release it.
        gates: RefCell<Option<HashMap<String, oneshot::Receiver<()>>>>,
    }

    impl Fake {
        fn new(rule: impl Fn(&ChatRequest) -> Reply + 'static) -> Self {
            Self {
                clock: Cell::new(1000.0),
                rule: Box::new(rule),
                sent: RefCell::new(Vec::new()),
                cancelled: Cell::new(false),
                gates: RefCell::new(None),
            }
        }
    }

    fn user_prompt(req: &ChatRequest) -> String {
        req.messages.last().unwrap().content.clone()
    }

    impl Transport for Fake {
        fn chat<'a>(
            &'a self,
            req: &'a ChatRequest,
            on_progress: &'a mut dyn FnMut(Progress),
        ) -> futures::future::LocalBoxFuture<'a, ChatOutput> {
            Box::pin(async move {
                self.sent.borrow_mut().push(req.clone());
                let sent = self.now_ms();
                on_progress(Progress::Attempt(1));
                let gate = self
                    .gates
                    .borrow_mut()
                    .as_mut()
                    .and_then(|g| g.remove(&user_prompt(req)));
                if let Some(g) = gate {
                    let _ = g.await;
                }
                self.clock.set(self.clock.get() + 10.0);
                let end = self.now_ms();
                let (text, error) = match (self.rule)(req) {
                    Reply::Ok(t) => {
                        on_progress(Progress::Text(t.clone()));
                        (t, None)
                    }
                    Reply::Fail(e) => (String::new(), Some(e)),
                };
                ChatOutput {
                    text,
                    usage: error.is_none().then_some(Usage {
                        prompt_tokens: 10,
                        completion_tokens: 5,
                        total_tokens: 15,
                    }),
                    finish_reason: None,
                    timing: Timing {
                        sent_ms: sent,
                        headers_ms: Some(end),
                        first_token_ms: error.is_none().then_some(end),
                        last_token_ms: error.is_none().then_some(end),
                        end_ms: end,
                    },
                    attempts: vec![AttemptRecord {
                        number: 1,
                        started_ms: sent,
                        ended_ms: end,
                        outcome: if error.is_none() { "ok" } else { "failed" }.into(),
                        wait_ms: None,
                    }],
                    error,
                }
            })
        }
        fn now_ms(&self) -> f64 {
            self.clock.get()
        }
        fn cancelled(&self) -> bool {
            self.cancelled.get()
        }
        fn sleep(&self, ms: f64) -> futures::future::LocalBoxFuture<'_, ()> {
            self.clock.set(self.clock.get() + ms);
            Box::pin(async {})
        }
    }

    fn spec() -> RunSpec {
        RunSpec {
            text: "TEXT".into(),
            language: "French".into(),
            tasks: builtin_tasks(),
            ..RunSpec::new("gpt-4o-mini")
        }
    }

    /// Runs `spec` once in `mode`, ignoring events.
    fn run_quietly(fake: &Fake, spec: &RunSpec, mode: Mode) -> RunOutcome {
        block_on(run_tasks(
            fake,
            spec,
            mode,
            &FormatMemory::default(),
            &|_, _| {},
        ))
    }

    fn http(status: u16, message: &str) -> ApiError {
        ApiError::Http {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    #[test]
    fn one_failure_leaves_the_others_done() {
        let fake = Fake::new(|r| {
            if user_prompt(r).contains("keywords") {
                Reply::Fail(http(500, "boom"))
            } else {
                Reply::Ok(
                    r#"{"sentiment":"positive","reason":"r","category":"News","keywords":["a"]}"#
                        .into(),
                )
            }
        });
        let events = RefCell::new(Vec::new());
        let out = block_on(run_tasks(
            &fake,
            &spec(),
            Mode::Parallel,
            &FormatMemory::default(),
            &|i, e| events.borrow_mut().push((i, e)),
        ));
        let status: Vec<TaskStatus> = out.results.iter().map(|r| r.status).collect();
        use TaskStatus::*;
        assert_eq!(status, [Done, Done, Error, Done, Done, Done]);
        assert_eq!(out.metrics.errors, 1);
        assert_eq!(out.metrics.tasks, 6);
        assert_eq!(out.metrics.tokens_out, 25);
        // Every task reported sent, an attempt and a finish.
        let finished: Vec<usize> = events
            .borrow()
            .iter()
            .filter(|(_, e)| matches!(e, TaskEvent::Finished(_)))
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(finished.len(), 6);
        // The rendered prompts carry the text and the language.
        let sent = fake.sent.borrow();
        assert!(sent.iter().all(|r| user_prompt(r).ends_with("TEXT")));
        assert!(sent.iter().any(|r| user_prompt(r).contains("into French")));
    }

    #[test]
    fn structured_tasks_send_a_schema_and_parse_fields() {
        let fake = Fake::new(|r| {
            Reply::Ok(if r.response_format.is_some() {
                r#"{"sentiment":"mixed","reason":"Both.","keywords":["x","y"],"category":"Health"}"#
                    .into()
            } else {
                "plain".into()
            })
        });
        let out = run_quietly(&fake, &spec(), Mode::Sequential);
        let with_format: Vec<String> = fake
            .sent
            .borrow()
            .iter()
            .filter_map(|r| r.response_format.as_ref())
            .map(|f| f["json_schema"]["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(with_format, ["sentiment", "keywords", "category"]);
        let Structured::Parsed(f) = &out.results[1].structured else {
            panic!("sentiment not parsed: {:?}", out.results[1].structured);
        };
        assert_eq!(
            (f[0].name.as_str(), f[0].value.as_str()),
            ("sentiment", "mixed")
        );
        let Structured::Parsed(k) = &out.results[2].structured else {
            panic!("keywords not parsed");
        };
        assert_eq!(k[0].value, "x, y");
        assert_eq!(out.results[0].structured, Structured::NotAsked);
    }

    #[test]
    fn a_refused_schema_falls_back_to_plain_text_once() {
        let fake = Fake::new(|r| {
            if r.response_format.is_some() {
                Reply::Fail(http(
                    400,
                    "'response_format' of type 'json_schema' is not supported",
                ))
            } else {
                Reply::Ok("Positive: upbeat.".into())
            }
        });
        let memory = FormatMemory::default();
        let events = RefCell::new(Vec::new());
        let out = block_on(run_tasks(
            &fake,
            &spec(),
            Mode::Sequential,
            &memory,
            &|i, e| events.borrow_mut().push((i, e)),
        ));
        assert!(!memory.allowed());
        assert!(out.results.iter().all(|r| r.status == TaskStatus::Done));
        let s = &out.results[1];
        assert_eq!(s.structured, Structured::Refused);
        assert_eq!(s.output.text, "Positive: upbeat.");
        assert_eq!(s.output.attempts.len(), 2);
        assert_eq!(s.output.attempts[1].number, 2);
        // Its time covers both requests.
        assert_eq!(s.timing.total_ms(), 20.0);
        // Only the first structured task paid for the refusal: 6 tasks + 1.
        assert_eq!(fake.sent.borrow().len(), 7);
        assert_eq!(out.results[2].structured, Structured::NotAsked);
        // The fallback told the card to start over.
        assert!(events.borrow().iter().any(|(i, e)| *i == 1
            && matches!(
                e,
                TaskEvent::Attempt {
                    number: 2,
                    restart: true,
                    ..
                }
            )));
    }

    #[test]
    fn other_errors_and_old_models_do_not_fall_back() {
        let fake = Fake::new(|_| Reply::Fail(http(400, "maximum context length exceeded")));
        let memory = FormatMemory::default();
        let out = block_on(run_tasks(
            &fake,
            &spec(),
            Mode::Sequential,
            &memory,
            &|_, _| {},
        ));
        assert!(memory.allowed());
        assert_eq!(fake.sent.borrow().len(), 6);
        assert!(out.results.iter().all(|r| r.status == TaskStatus::Error));

        let fake = Fake::new(|_| Reply::Ok("ok".into()));
        let old = RunSpec {
            model: "gpt-3.5-turbo".into(),
            ..spec()
        };
        block_on(run_tasks(&fake, &old, Mode::Parallel, &memory, &|_, _| {}));
        assert!(
            fake.sent
                .borrow()
                .iter()
                .all(|r| r.response_format.is_none())
        );
    }

    #[test]
    fn cancelled_runs_send_nothing_more() {
        let fake = Fake::new(|_| Reply::Ok("ok".into()));
        fake.cancelled.set(true);
        let out = run_quietly(&fake, &spec(), Mode::Sequential);
        assert!(fake.sent.borrow().is_empty());
        assert!(
            out.results
                .iter()
                .all(|r| r.status == TaskStatus::Cancelled)
        );
        let plan = block_on(run_plan(
            &fake,
            &spec(),
            Plan::Compare { rounds: 3 },
            &FormatMemory::default(),
            &|_| {},
        ));
        assert!(plan.is_empty());
    }

    #[test]
    fn the_cost_ceiling_counts_every_prompt_and_every_token_limit() {
        let one = RunSpec {
            tasks: builtin_tasks()[..1].to_vec(),
            text: "abcd".repeat(100),
            ..spec()
        };
        let prompt: usize = task_messages(&one.tasks[0], &one.text, &one.language)
            .iter()
            .map(|m| estimate_tokens(&m.content))
            .sum();
        let price = crate::workflow::cost::Price {
            model: "m".into(),
            input_per_mtok: 1.0,
            output_per_mtok: 2.0,
        };
        let expected =
            (prompt as f64 + 2.0 * f64::from(one.tasks[0].max_tokens)) * 2.0 / 1_000_000.0;
        assert!((cost_ceiling(&one, &price, 2) - expected).abs() < 1e-12);
        assert!(prompt >= 100);
    }

    #[test]
    fn compare_warms_up_then_alternates() {
        let fake = Fake::new(|_| Reply::Ok("ok".into()));
        let one_task = RunSpec {
            tasks: builtin_tasks()[..1].to_vec(),
            ..spec()
        };
        let events = RefCell::new(Vec::new());
        let runs = block_on(run_plan(
            &fake,
            &one_task,
            Plan::Compare { rounds: 2 },
            &FormatMemory::default(),
            &|e| events.borrow_mut().push(e),
        ));
        let modes: Vec<Mode> = runs.iter().map(|r| r.mode).collect();
        use Mode::*;
        assert_eq!(modes, [Sequential, Parallel, Parallel, Sequential]);
        let sent = fake.sent.borrow();
        assert_eq!(sent.len(), 5);
        assert_eq!(user_prompt(&sent[0]), "Reply with OK.");
        assert_eq!(sent[0].max_tokens, Some(5));
        let ev = events.borrow();
        assert!(matches!(&ev[0], WorkflowEvent::Phase(p) if p.starts_with("Warming")));
        assert!(matches!(ev.last(), Some(WorkflowEvent::Phase(p)) if p == "Finished."));
        let started = ev
            .iter()
            .filter(|e| matches!(e, WorkflowEvent::RunStarted(_)))
            .count();
        assert_eq!(started, 4);
    }

    #[test]
    fn a_sweep_warms_up_then_runs_each_limit() {
        let fake = Fake::new(|_| Reply::Ok("ok".into()));
        let runs = block_on(run_plan(
            &fake,
            &spec(),
            Plan::Sweep { max: 64 },
            &FormatMemory::default(),
            &|_| {},
        ));
        assert_eq!(runs.len(), 4);
        assert!(runs.iter().all(|r| r.mode == Mode::Parallel));
        // 1 warm-up + 4 runs × 6 tasks.
        assert_eq!(fake.sent.borrow().len(), 25);
        assert_eq!(
            Plan::Sweep { max: 3 }.runs(6),
            [
                (Mode::Parallel, 1),
                (Mode::Parallel, 2),
                (Mode::Parallel, 3)
            ]
        );
    }

    /// Parallel runs start tasks in the spec's start order; sequential runs
    /// and a start order that is not a permutation go as listed.
    #[test]
    fn parallel_runs_start_in_the_chosen_order() {
        let first_words = |fake: &Fake| -> Vec<String> {
            fake.sent
                .borrow()
                .iter()
                .map(|r| {
                    r.messages[1]
                        .content
                        .split(' ')
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
                .collect()
        };
        let run = |mode: Mode, order: Vec<usize>| {
            let fake = Fake::new(|_| Reply::Ok("{}".into()));
            let spec = RunSpec {
                limit: 1,
                start_order: order,
                ..spec()
            };
            let out = run_quietly(&fake, &spec, mode);
            // Results stay in task order whatever the start order.
            assert_eq!(out.results[0].timing.id, "summary");
            first_words(&fake)
        };
        let listed = run(Mode::Parallel, vec![]);
        let reversed = run(Mode::Parallel, vec![5, 4, 3, 2, 1, 0]);
        let mut expect = listed.clone();
        expect.reverse();
        assert_eq!(reversed, expect);
        assert_ne!(listed, reversed);
        assert_eq!(run(Mode::Sequential, vec![5, 4, 3, 2, 1, 0]), listed);
        assert_eq!(run(Mode::Parallel, vec![0, 0, 1, 2, 3, 4]), listed);
        assert_eq!(run(Mode::Parallel, vec![5, 4]), listed);
    }

    #[test]
    fn measured_durations_feed_the_next_runs_order() {
        let fake = Fake::new(|_| Reply::Ok("{}".into()));
        let host = "127.0.0.1:8190";
        let mut log = DurationLog::default();
        let before = expected_durations(&spec(), &log, &SpeedModel::default(), host);
        assert!(
            before
                .iter()
                .all(|e| e.source == crate::workflow::order::Source::Model)
        );
        // The request model: Summary (200 tokens) is expected longer than
        // Sentiment (120), so it starts before it.
        assert!(before[0].ms > before[1].ms);
        let s = with_order(spec(), &before, Order::LongestFirst);
        let pos = |o: &[usize], i: usize| o.iter().position(|&x| x == i).unwrap();
        assert!(pos(&s.start_order, 0) < pos(&s.start_order, 1));
        let out = run_quietly(&fake, &spec(), Mode::Sequential);
        let mut obs = observations(&spec(), host, &out);
        assert_eq!(obs.len(), 6);
        assert!(obs.iter().all(|o| o.total_ms == 10.0 && o.host == host));
        // Say Category took 5 s last time.
        obs[5].total_ms = 5000.0;
        log.extend(obs);
        let after = expected_durations(&spec(), &log, &SpeedModel::default(), host);
        assert!(
            after
                .iter()
                .all(|e| e.source == crate::workflow::order::Source::History)
        );
        assert_eq!(after[5].ms, 5000.0);
        let s = with_order(spec(), &after, Order::LongestFirst);
        assert_eq!(s.start_order[0], 5);
        // As listed keeps the listing; a priority still goes first.
        let mut tasks = builtin_tasks();
        tasks[3].priority = 1;
        let listed = with_order(RunSpec { tasks, ..spec() }, &after, Order::AsListed);
        assert_eq!(listed.start_order, [3, 0, 1, 2, 4, 5]);
        // A parallel run at K = 2 reports a replayed saving; with every
        // task in flight, or sequential, there is nothing to compare.
        let k2 = RunSpec { limit: 2, ..s };
        let par = run_quietly(&fake, &k2, Mode::Parallel);
        assert!(order_saving(&k2, &par).is_some());
        assert_eq!(
            order_saving(
                &RunSpec {
                    limit: 0,
                    ..k2.clone()
                },
                &par
            ),
            None
        );
        assert_eq!(order_saving(&k2, &out), None);
    }

    /// With requests held open, parallel has every task in flight at once,
    /// sequential only one, and results keep task order whatever the
    /// completion order.
    #[test]
    fn in_flight_and_order() {
        for (mode, limit, expect_in_flight) in [
            (Mode::Parallel, 0, 6),
            (Mode::Parallel, 2, 2),
            (Mode::Sequential, 0, 1),
        ] {
            let fake = Rc::new(Fake::new(|r| Reply::Ok(user_prompt(r)[..12].to_string())));
            let mut senders = Vec::new();
            let mut gates = HashMap::new();
            let s = RunSpec { limit, ..spec() };
            for t in &s.tasks {
                let (tx, rx) = oneshot::channel();
                gates.insert(task_request(&s, t, None).messages[1].content.clone(), rx);
                senders.push(Some(tx));
            }
            *fake.gates.borrow_mut() = Some(gates);
            let result = Rc::new(RefCell::new(None));
            let mut pool = LocalPool::new();
            let (f, r) = (fake.clone(), result.clone());
            pool.spawner()
                .spawn_local(async move {
                    let spec = RunSpec { limit, ..spec() };
                    // Plain text only, so prompts match the gates.
                    let memory = FormatMemory::default();
                    memory.refused();
                    let out = run_tasks(&*f, &spec, mode, &memory, &|_, _| {}).await;
                    *r.borrow_mut() = Some(out);
                })
                .unwrap();
            pool.run_until_stalled();
            assert_eq!(
                fake.sent.borrow().len(),
                expect_in_flight,
                "{mode:?} K={limit}"
            );
            // Release in reverse order, one at a time.
            for i in (0..6).rev() {
                senders[i].take().unwrap().send(()).unwrap();
                pool.run_until_stalled();
            }
            // Sequential (and K=2) could not run the later ones yet: release all.
            pool.run_until_stalled();
            let out = result.borrow_mut().take().expect("run finished");
            let ids: Vec<&str> = out.results.iter().map(|r| r.timing.id.as_str()).collect();
            assert_eq!(
                ids,
                [
                    "summary",
                    "sentiment",
                    "keywords",
                    "questions",
                    "translation",
                    "category"
                ]
            );
            assert!(out.results.iter().all(|r| r.status == TaskStatus::Done));
        }
    }
}
