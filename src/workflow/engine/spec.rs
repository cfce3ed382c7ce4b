//! What a run sends and which runs a plan makes: the spec (model, text,
//! tasks, limit, start order, how each task fans out), the request of each
//! task, expected durations.

use serde::{Deserialize, Serialize};

use crate::openai::{ChatMessage, ChatRequest, RequestOptions, TokenParam, build_chat_request};
use crate::workflow::order::{
    DurationLog, Expected, Order, RequestShape, SpeedModel, expected, start_order,
};
use crate::workflow::runner::{Mode, RunKind, comparison_order, sweep_limits};
use crate::workflow::split::Stitch;
use crate::workflow::split::stitch::DEFAULT_COMBINE_PROMPT;
use crate::workflow::tasks::{TaskDef, estimate_tokens, task_messages};

/// Most parts a task may be cut into.
pub const MAX_PARTS: usize = 16;
/// Most answers a task may ask for.
pub const MAX_VOTES: usize = 9;

/// How a task is sent in a run; the default sends it once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fan {
    /// Parts the input is cut into (1 = not split).
    pub parts: usize,
    /// How the parts' answers come back together.
    pub stitch: Stitch,
    /// The combine step's prompt (`{task}`, `{answers}`).
    pub combine_prompt: String,
    /// Answers asked for (1 = one).
    pub votes: usize,
    /// Temperature of the votes (`None`: the server's default).
    pub temperature: Option<f32>,
}

impl Fan {
    /// One request, with the task's default stitch should it be split.
    pub fn once(task_id: &str) -> Self {
        Self {
            parts: 1,
            stitch: Stitch::default_for(task_id),
            combine_prompt: DEFAULT_COMBINE_PROMPT.to_string(),
            votes: 1,
            temperature: None,
        }
    }
}

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
    /// Requests per minute at most (None = no budget).
    pub rpm: Option<f64>,
    /// How each task is sent, in task order (split, votes); a task past
    /// the end is sent once.
    pub fans: Vec<Fan>,
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
            rpm: None,
            fans: Vec::new(),
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
    /// The runs a Run click of `kind` makes with a concurrency field of
    /// `limit` (0 = all) and `rounds` rounds: a race's endpoints and a
    /// capacity search (and a batch) each make parallel runs of their own.
    pub fn of_kind(kind: RunKind, limit: usize, rounds: usize) -> Plan {
        match kind {
            RunKind::Sequential => Plan::Single(Mode::Sequential),
            RunKind::Parallel
            | RunKind::Race
            | RunKind::Capacity
            | RunKind::Batch
            | RunKind::Imported => Plan::Single(Mode::Parallel),
            RunKind::Compare => Plan::Compare { rounds },
            // Up to the concurrency field's K when set, else every task at once.
            RunKind::Sweep => Plan::Sweep {
                max: match limit {
                    0 => usize::MAX,
                    k => k,
                },
            },
        }
    }

    /// The kind of run this plan is.
    pub fn kind(self) -> RunKind {
        match self {
            Plan::Single(Mode::Sequential) => RunKind::Sequential,
            Plan::Single(Mode::Parallel) => RunKind::Parallel,
            Plan::Compare { .. } => RunKind::Compare,
            Plan::Sweep { .. } => RunKind::Sweep,
        }
    }

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

/// The warm-up request of a comparison: tiny, so it costs next to nothing.
pub fn warm_up_request(spec: &RunSpec) -> ChatRequest {
    build_chat_request(
        &spec.model,
        vec![ChatMessage::user("Reply with OK.")],
        &options(spec, 5),
    )
}
