//! The workflow engine: one text × the chosen tasks, run sequentially, in
//! parallel (join_all, or at most K at a time), compared or swept.
//!
//! Everything the page shows comes from the events this module reports, so
//! the page holds no scheduling logic and this module knows nothing of the
//! page: it is tested natively with a fake transport.
//!
//! Its files are layered, each importing only those before it (the
//! layering test in `tests/layers.rs` checks it):
//! `events`, `spec` (types) → `task` (one request) → `fan` (a task as
//! several requests: parts, votes) → `run` (a run, a plan of runs).

mod events;
mod fan;
mod run;
mod spec;
mod task;

pub use events::{
    RunOutcome, Structured, SubKind, SubRequest, TaskEvent, TaskResult, TaskStatus, WorkflowEvent,
};
pub use fan::{resolve_auto, run_fanned};
pub use run::{observations, order_saving, run_plan, run_tasks};
pub use spec::{
    Fan, MAX_PARTS, MAX_VOTES, Plan, RunSpec, cost_ceiling, expected_durations, task_request,
    warm_up_request, with_order,
};
pub use task::FormatMemory;
pub(crate) use task::run_task;
