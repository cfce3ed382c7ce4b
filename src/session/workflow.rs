//! A workflow Run click as a session: the input checked, the spec and plan
//! made from what the user chose, the plan run through the engine, and the
//! run ended through [`finish_run`] (record, history, durations).

use crate::history::RunRecord;
use crate::openai::Transport;
use crate::session::finish::{RunContext, RunSink, finish_run};
use crate::workflow::engine::{
    FormatMemory, Plan, RunOutcome, RunSpec, WorkflowEvent, observations, order_saving,
    resolve_auto, run_plan, with_order,
};
use crate::workflow::input::looks_binary;
use crate::workflow::order::{Expected, Order};
use crate::workflow::runner::RunKind;
use crate::workflow::tasks::TaskDef;

/// Why a Run click cannot start; the text is shown next to the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing to run on.
    #[error("The text is empty: pick a sample, paste a text or open a file.")]
    Empty,
    /// Control characters: a binary file pasted or opened as text.
    #[error(
        "The text looks like binary data (control characters), not words: paste or open a text, PDF or Word file."
    )]
    Binary,
    /// No task ticked.
    #[error("Choose at least one task.")]
    NoTasks,
}

/// What the user asked for with a Run click.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    /// The settings' request defaults (model, streaming, token field, language).
    pub base: RunSpec,
    /// The input text.
    pub text: String,
    /// The ticked tasks, in card order.
    pub tasks: Vec<TaskDef>,
    /// The mode chosen.
    pub mode: RunKind,
    /// Concurrency K (0 = all at once).
    pub limit: usize,
    /// Rounds of a comparison.
    pub rounds: usize,
    /// Each task's expected duration, as the page shows it.
    pub expected: Vec<Expected>,
    /// Start order.
    pub order: Order,
    /// Server, provider, input name and prices.
    pub context: RunContext,
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowEnd {
    /// The record kept, unless nothing ran.
    pub record: Option<RunRecord>,
    /// What the start order saved against "as listed", as a sentence (a
    /// parallel run with fewer slots than tasks, not cancelled, not a sweep).
    pub saving: Option<String>,
}

/// One Run click, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowSession {
    spec: RunSpec,
    plan: Plan,
    expected_ms: Vec<f64>,
    order: Order,
    context: RunContext,
}

impl WorkflowSession {
    /// Checks the input and makes the spec (with its start order) and plan.
    pub fn new(req: RunRequest) -> Result<Self, InputError> {
        if req.text.trim().is_empty() {
            return Err(InputError::Empty);
        }
        if looks_binary(&req.text) {
            return Err(InputError::Binary);
        }
        if req.tasks.is_empty() {
            return Err(InputError::NoTasks);
        }
        let mut spec = RunSpec {
            text: req.text,
            limit: req.limit,
            tasks: req.tasks,
            ..req.base
        };
        let expected_ms: Vec<f64> = req.expected.iter().map(|e| e.ms).collect();
        // K, when set, bounds the parts (the page also knows the browser's
        // connection cap and resolves auto parts before this).
        let slots = (req.limit > 0).then_some(req.limit);
        resolve_auto(&mut spec.fans, &expected_ms, &spec.text, slots);
        let spec = with_order(spec, &req.expected, req.order);
        Ok(Self {
            spec,
            plan: Plan::of_kind(req.mode, req.limit, req.rounds),
            expected_ms,
            order: req.order,
            context: req.context,
        })
    }

    /// What it sends.
    pub fn spec(&self) -> &RunSpec {
        &self.spec
    }

    /// Which runs it makes.
    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// Each task's expected duration, ms.
    pub fn expected_ms(&self) -> &[f64] {
        &self.expected_ms
    }

    /// The K of each run of a sweep, in order (empty for other plans).
    pub fn sweep_ks(&self) -> Vec<usize> {
        match self.plan {
            Plan::Sweep { .. } => self
                .plan
                .runs(self.spec.tasks.len())
                .into_iter()
                .map(|r| r.1)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Runs the plan, reporting through `on`, then ends the run in `sink`.
    pub async fn run(
        &self,
        transport: &dyn Transport,
        memory: &FormatMemory,
        sink: &dyn RunSink,
        on: &dyn Fn(WorkflowEvent),
    ) -> WorkflowEnd {
        let outcomes = run_plan(transport, &self.spec, self.plan, memory, on).await;
        let cancelled = transport.cancelled();
        let record = (!outcomes.is_empty()).then(|| self.finish(sink, &outcomes, cancelled));
        // A sweep changes K from run to run: no single replay applies.
        let saving = if matches!(self.plan, Plan::Sweep { .. }) || cancelled {
            None
        } else {
            outcomes
                .iter()
                .rev()
                .find_map(|o| order_saving(&self.spec, o).map(|s| s.describe(self.order, o.k)))
        };
        WorkflowEnd { record, saving }
    }

    fn finish(&self, sink: &dyn RunSink, outcomes: &[RunOutcome], cancelled: bool) -> RunRecord {
        let tokens = outcomes.iter().fold((0, 0), |(i, o), x| {
            (i + x.metrics.tokens_in, o + x.metrics.tokens_out)
        });
        let learned = outcomes
            .iter()
            .flat_map(|o| observations(&self.spec, &self.context.host, o))
            .collect();
        finish_run(
            sink,
            &self.context,
            &self.spec.model,
            tokens,
            cancelled,
            |meta| RunRecord::workflow(meta, &self.spec, self.plan, outcomes, &self.expected_ms),
            learned,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::session::finish::Kept;
    use crate::testing::FakeServer;
    use crate::workflow::cost::Price;
    use crate::workflow::order::Source;
    use crate::workflow::tasks::builtin_tasks;
    use futures::executor::block_on;

    fn request(mode: RunKind) -> RunRequest {
        let tasks = builtin_tasks();
        let expected = (0..tasks.len())
            .map(|i| Expected {
                ms: 100.0 * (i + 1) as f64,
                source: Source::Model,
            })
            .collect();
        RunRequest {
            base: RunSpec::new("gpt-4o-mini"),
            text: "A short text about a product.".into(),
            tasks,
            mode,
            limit: 0,
            rounds: 1,
            expected,
            order: Order::LongestFirst,
            context: RunContext {
                host: "127.0.0.1".into(),
                simulated: false,
                input_name: "Your own text".into(),
                prices: vec![Price {
                    model: "gpt-4o-mini".into(),
                    input_per_mtok: 1_000_000.0,
                    output_per_mtok: 0.0,
                }],
            },
        }
    }

    #[test]
    fn bad_input_is_refused_with_its_reason() {
        let with = |f: &dyn Fn(&mut RunRequest)| {
            let mut r = request(RunKind::Parallel);
            f(&mut r);
            WorkflowSession::new(r).err()
        };
        assert_eq!(with(&|r| r.text = "  \n".into()), Some(InputError::Empty));
        assert_eq!(
            with(&|r| r.text = "\u{0}\u{1}\u{2}\u{3}binary".repeat(20)),
            Some(InputError::Binary)
        );
        assert_eq!(with(&|r| r.tasks.clear()), Some(InputError::NoTasks));
        assert_eq!(with(&|_| {}), None);
        assert!(
            InputError::Empty
                .to_string()
                .starts_with("The text is empty")
        );
    }

    #[test]
    fn a_compare_click_keeps_one_record_and_learns_what_finished() {
        // Keywords fail; the rest answer.
        let server = FakeServer::new(|req| {
            if req.messages.last().unwrap().content.starts_with("List") {
                Err(FakeServer::http(500))
            } else {
                Ok("{}".into())
            }
        });
        let session = WorkflowSession::new(request(RunKind::Compare)).unwrap();
        // Longest expected (the last task) starts first in parallel runs.
        assert_eq!(session.spec().start_order[0], 5);
        let sink = Kept::default();
        let end = block_on(session.run(&server, &FormatMemory::default(), &sink, &|_| {}));
        // A warm-up, then six tasks sequential and six parallel.
        assert_eq!(server.sent.borrow().len(), 13);
        let kept = sink.records.borrow();
        assert_eq!(kept.len(), 1);
        let record = end.record.expect("a record");
        assert_eq!(kept[0], record);
        assert_eq!(record.kind.run_kind(), RunKind::Compare);
        assert_eq!(record.runs.len(), 2);
        assert_eq!((record.runs[0].k, record.runs[1].k), (1, 6));
        assert_eq!(record.at, sink.date_ms());
        assert_eq!(record.input.name, "Your own text");
        // 12 answered requests of 5 prompt tokens at $1 per token.
        assert_eq!(record.cost_usd, Some(50.0));
        assert!(!record.cancelled);
        // Five tasks per run finished: ten measurements, none for keywords.
        let learned = sink.learned.borrow();
        assert_eq!(learned.len(), 10);
        assert!(
            learned
                .iter()
                .all(|o| o.task != "keywords" && o.host == "127.0.0.1")
        );
        // Every task had a slot: no order saving to report.
        assert_eq!(end.saving, None);
    }

    #[test]
    fn a_limited_parallel_run_reports_its_order_saving_and_a_sweep_its_ks() {
        let server = FakeServer::new(|_| Ok("{}".into()));
        let session = WorkflowSession::new(RunRequest {
            limit: 2,
            ..request(RunKind::Parallel)
        })
        .unwrap();
        let sink = Kept::default();
        let end = block_on(session.run(&server, &FormatMemory::default(), &sink, &|_| {}));
        let record = end.record.unwrap();
        assert_eq!(record.runs[0].k, 2);
        assert!(end.saving.is_some(), "K = 2 of 6 tasks");
        let sweep = WorkflowSession::new(RunRequest {
            limit: 4,
            ..request(RunKind::Sweep)
        })
        .unwrap();
        assert_eq!(sweep.sweep_ks(), [1, 2, 4]);
        let end = block_on(sweep.run(&server, &FormatMemory::default(), &sink, &|_| {}));
        assert_eq!(end.saving, None);
        assert_eq!(end.record.unwrap().kind.run_kind(), RunKind::Sweep);
    }

    #[test]
    fn a_run_cancelled_before_it_starts_keeps_nothing() {
        let server = FakeServer::new(|_| Ok("{}".into()));
        server.cancelled.set(true);
        let session = WorkflowSession::new(request(RunKind::Compare)).unwrap();
        let sink = Kept::default();
        let end = block_on(session.run(&server, &FormatMemory::default(), &sink, &|_| {}));
        assert_eq!(
            end,
            WorkflowEnd {
                record: None,
                saving: None
            }
        );
        assert!(sink.records.borrow().is_empty());
        assert!(sink.learned.borrow().is_empty());
    }
}
