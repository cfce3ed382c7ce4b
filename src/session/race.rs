//! A race as a session: the same text and tasks on every endpoint at once,
//! each one parallel run under its own K (and RPM budget), each failing on
//! its own; one record for the whole race.

use futures::future::join_all;

use crate::history::RunRecord;
use crate::history::record::RaceEndpoint;
use crate::openai::Transport;
use crate::session::finish::{RunContext, RunSink, finish_run};
use crate::session::workflow::InputError;
use crate::workflow::cost::{Price, estimate_usd};
use crate::workflow::engine::{
    FormatMemory, Plan, RunOutcome, RunSpec, WorkflowEvent, observations, run_plan,
};
use crate::workflow::input::looks_binary;
use crate::workflow::runner::Mode;
use crate::workflow::tasks::TaskDef;

/// One endpoint of a race, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceLane {
    /// What the race calls it.
    pub name: String,
    /// Host of its base URL ("demo" when simulated).
    pub host: String,
    /// Answered by the demo provider.
    pub simulated: bool,
    /// Its model, request options, K and RPM (text and tasks are filled in).
    pub spec: RunSpec,
    /// Its prices (its own first).
    pub prices: Vec<Price>,
}

/// A race, checked and ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceSession {
    lanes: Vec<RaceLane>,
    context: RunContext,
}

impl RaceSession {
    /// Checks the input and gives every lane the text and tasks.
    pub fn new(
        text: &str,
        tasks: Vec<TaskDef>,
        mut lanes: Vec<RaceLane>,
        context: RunContext,
    ) -> Result<Self, InputError> {
        if text.trim().is_empty() {
            return Err(InputError::Empty);
        }
        if looks_binary(text) {
            return Err(InputError::Binary);
        }
        if tasks.is_empty() {
            return Err(InputError::NoTasks);
        }
        for lane in &mut lanes {
            lane.spec.text = text.to_string();
            lane.spec.tasks = tasks.clone();
        }
        Ok(Self { lanes, context })
    }

    /// The lanes, in endpoint order.
    pub fn lanes(&self) -> &[RaceLane] {
        &self.lanes
    }

    /// Runs every lane at once on its own transport (and structured-output
    /// memory), reporting each lane's events through `on` with its index,
    /// then keeps one record in `sink`. `None` when cancelled before any
    /// lane ran.
    pub async fn run(
        &self,
        transports: &[&dyn Transport],
        memories: &[&FormatMemory],
        sink: &dyn RunSink,
        on: &dyn Fn(usize, WorkflowEvent),
    ) -> Option<RunRecord> {
        let race_start = transports.first()?.now_ms();
        let lanes = self
            .lanes
            .iter()
            .zip(transports)
            .zip(memories)
            .enumerate()
            .map(|(n, ((lane, transport), memory))| async move {
                let start = transport.now_ms();
                let runs = run_plan(
                    *transport,
                    &lane.spec,
                    Plan::Single(Mode::Parallel),
                    memory,
                    &|e| on(n, e),
                )
                .await;
                (start - race_start, runs.into_iter().next())
            });
        let ran = join_all(lanes).await;
        if ran.iter().all(|r| r.1.is_none()) {
            return None;
        }
        let cancelled = transports.iter().any(|t| t.cancelled());
        Some(self.finish(sink, ran, cancelled))
    }

    fn finish(
        &self,
        sink: &dyn RunSink,
        ran: Vec<(f64, Option<RunOutcome>)>,
        cancelled: bool,
    ) -> RunRecord {
        let mut tokens = (0, 0);
        let mut cost: Option<f64> = None;
        let mut learned = Vec::new();
        let mut lanes = Vec::new();
        let mut wall_ms: f64 = 0.0;
        for (lane, (offset, outcome)) in self.lanes.iter().zip(ran) {
            // A lane cancelled before it started still has a run: every
            // task cancelled at once.
            let Some(outcome) = outcome else { continue };
            let m = &outcome.metrics;
            tokens = (tokens.0 + m.tokens_in, tokens.1 + m.tokens_out);
            let lane_cost = estimate_usd(&lane.prices, &lane.spec.model, m.tokens_in, m.tokens_out);
            if let Some(c) = lane_cost {
                cost = Some(cost.unwrap_or(0.0) + c);
            }
            learned.extend(observations(&lane.spec, &lane.host, &outcome));
            let offset = offset.max(0.0);
            wall_ms = wall_ms.max(offset + m.wall_ms);
            lanes.push((
                RaceEndpoint {
                    name: lane.name.clone(),
                    host: lane.host.clone(),
                    model: lane.spec.model.clone(),
                    simulated: lane.simulated,
                    cost_usd: lane_cost,
                    offset_ms: offset,
                },
                outcome,
            ));
        }
        let spec = &self.lanes[0].spec;
        let simulated = self.lanes.iter().all(|l| l.simulated);
        let context = RunContext {
            simulated,
            ..self.context.clone()
        };
        finish_run(
            sink,
            &context,
            &spec.model,
            tokens,
            cancelled,
            // The race's cost is the sum of its endpoints' (each at its own
            // price), not the first model's price for every token.
            |meta| {
                RunRecord::race(
                    crate::history::record::Meta {
                        cost_usd: cost,
                        ..meta
                    },
                    spec,
                    lanes,
                    wall_ms,
                )
            },
            learned,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::finish::Kept;
    use crate::testing::FakeServer;
    use crate::workflow::engine::TaskStatus;
    use crate::workflow::runner::RunKind;
    use crate::workflow::tasks::builtin_tasks;
    use futures::executor::block_on;

    fn lane(name: &str, model: &str, host: &str, price: f64) -> RaceLane {
        RaceLane {
            name: name.into(),
            host: host.into(),
            simulated: false,
            spec: RunSpec::new(model),
            prices: vec![Price {
                model: model.into(),
                input_per_mtok: price * 1e6,
                output_per_mtok: 0.0,
            }],
        }
    }

    fn context() -> RunContext {
        RunContext {
            host: "ignored".into(),
            simulated: false,
            input_name: "Sample".into(),
            prices: Vec::new(),
        }
    }

    #[test]
    fn one_endpoint_failing_everything_leaves_the_other_all_done() {
        let up = FakeServer::new(|_| {
            Ok(
                r#"{"sentiment":"positive","reason":"r","category":"Business","keywords":["a"]}"#
                    .into(),
            )
        });
        let down = FakeServer::new(|_| Err(FakeServer::http(401)));
        let session = RaceSession::new(
            "A text.",
            builtin_tasks(),
            vec![
                lane("A", "m-a", "a.test", 1.0),
                lane("B", "m-b", "b.test", 2.0),
            ],
            context(),
        )
        .unwrap();
        let sink = Kept::default();
        let events = std::cell::RefCell::new(vec![0usize; 2]);
        let record = block_on(session.run(
            &[&up, &down],
            &[&FormatMemory::default(), &FormatMemory::default()],
            &sink,
            &|n, _| events.borrow_mut()[n] += 1,
        ))
        .unwrap();
        // Each server got its own six requests, once (a 401 is not retried).
        assert_eq!(up.sent.borrow().len(), 6);
        assert_eq!(down.sent.borrow().len(), 6);
        assert!(up.sent.borrow().iter().all(|r| r.model == "m-a"));
        assert!(events.borrow().iter().all(|&e| e > 6));
        assert_eq!(record.kind.run_kind(), RunKind::Race);
        assert_eq!(record.model, "m-a vs m-b");
        assert_eq!(record.host, "a.test vs b.test");
        assert_eq!(sink.records.borrow().len(), 1);
        let race = record.kind.race().unwrap();
        assert_eq!(race.endpoints.len(), 2);
        assert_eq!(record.runs.len(), 2);
        assert!(
            record.runs[0]
                .tasks
                .iter()
                .all(|t| t.status == TaskStatus::Done)
        );
        assert!(
            record.runs[1]
                .tasks
                .iter()
                .all(|t| t.status == TaskStatus::Error)
        );
        // Six answered requests of 5 prompt tokens at $1 each; B answered none.
        assert_eq!(race.endpoints[0].cost_usd, Some(30.0));
        assert_eq!(race.endpoints[1].cost_usd, Some(0.0));
        assert_eq!(record.cost_usd, Some(30.0));
        assert_eq!(
            race.wall_ms,
            record
                .runs
                .iter()
                .map(|r| r.metrics.wall_ms)
                .fold(0.0, f64::max)
        );
        // Only the endpoint that answered taught durations, under its host.
        assert!(sink.learned.borrow().iter().all(|o| o.host == "a.test"));
        assert_eq!(sink.learned.borrow().len(), 6);

        // Drawn again from the record: A done, B in error, nothing to agree
        // on with one readable answer per task.
        let drawn = record.race_drawn().unwrap();
        assert_eq!(drawn.lanes[0].status(), "done");
        assert_eq!(drawn.lanes[1].status(), "error");
        assert_eq!(drawn.lanes[0].done(), 6);
        assert!(drawn.agreements().iter().all(Option::is_none));
        let figures = drawn.figures();
        assert_eq!((figures[0].done, figures[1].errors), (6, 6));
        // Reports show both endpoints and their answers side by side.
        let html =
            crate::history::export::html::html(&record, &crate::capacity::Targets::default());
        assert!(html.contains("<h2>Endpoints</h2>") && html.contains("Answers by task"));
        assert!(html.contains("1: A") && html.contains("2: B"));
        let md = crate::history::export::markdown::markdown(&record);
        assert!(md.contains("| 2: B (`m-b`) |"), "{md}");
        let csv = crate::history::export::csv::csv(&record);
        assert!(csv.starts_with("endpoint,mode"));
        assert!(csv.contains("\n2: B,parallel,6,Summary,error"), "{csv}");
        // Two races compare by their race wall time.
        let diff = crate::history::figures::differences(&record, &record);
        assert!(diff.iter().any(|d| d.key == "race-wall"));
        // Kept and imported again, the race is the same.
        let again = RunRecord::import(&record.to_json()).unwrap();
        assert_eq!(again.runs[0], record.runs[0]);
        assert_eq!(again.kind, record.kind);
    }

    #[test]
    fn agreeing_endpoints_agree_and_a_cancelled_race_keeps_nothing() {
        let a = FakeServer::new(|_| Ok(r#"{"sentiment":"positive","reason":"r"}"#.into()));
        let b = FakeServer::new(|_| Ok("Positive, mostly.".into()));
        let tasks: Vec<TaskDef> = builtin_tasks()
            .into_iter()
            .filter(|t| t.id == "sentiment")
            .collect();
        let session = RaceSession::new(
            "A text.",
            tasks.clone(),
            vec![lane("A", "m", "a.test", 0.0), lane("B", "m", "b.test", 0.0)],
            context(),
        )
        .unwrap();
        let memories = [&FormatMemory::default(), &FormatMemory::default()];
        let record =
            block_on(session.run(&[&a, &b], &memories, &Kept::default(), &|_, _| {})).unwrap();
        assert_eq!(record.model, "m");
        let drawn = record.race_drawn().unwrap();
        let agreed = drawn.agreements()[0].clone().unwrap();
        assert_eq!(agreed.describe(), "2 of 2 agree: positive");

        a.cancelled.set(true);
        b.cancelled.set(true);
        let sink = Kept::default();
        assert_eq!(
            block_on(session.run(&[&a, &b], &memories, &sink, &|_, _| {})),
            None
        );
        assert!(sink.records.borrow().is_empty());
        assert_eq!(
            RaceSession::new(" ", tasks, vec![], context()).err(),
            Some(InputError::Empty)
        );
    }
}
