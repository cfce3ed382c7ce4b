//! Runs a workflow through a [`Transport`]: one mode (sequential, or
//! parallel with at most K in flight), or a fair comparison (a warm-up
//! request, then the modes in alternating order over several rounds).

use futures::future::join_all;

use super::events::*;
use super::fan::run_fanned;
use super::spec::*;
use super::task::{FormatMemory, finish, not_started, run_task};
use crate::openai::Transport;
use crate::schedule::executor::Executor;
use crate::schedule::permits::Permits;
use crate::schedule::scheduler::Limits;
use crate::workflow::metrics::{TaskTiming, run_metrics};
use crate::workflow::order::{Observation, Saving};
use crate::workflow::runner::{Mode, concurrency};
use crate::workflow::tasks::estimate_tokens;

/// What a run's successful tasks measured, to estimate the next runs.
pub fn observations(spec: &RunSpec, host: &str, outcome: &RunOutcome) -> Vec<Observation> {
    let input_tokens = estimate_tokens(&spec.text);
    spec.tasks
        .iter()
        .zip(&outcome.results)
        // A split or voted task's time is not one request's: learning it
        // would make the next "auto" choice think the task is short.
        .filter(|(_, r)| r.status == TaskStatus::Done && r.requests.is_empty())
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
    let k = outcome.k;
    let durations: Vec<f64> = outcome
        .results
        .iter()
        .map(|r| r.timing.total_ms())
        .collect();
    Saving::of(&durations, &spec.starts(Mode::Parallel), k)
}

/// Runs every task of `spec` once in `mode` and reports as it goes:
/// parallel with no limit is `join_all` over every task's future; parallel
/// with a limit K below the number of tasks, and sequential (K = 1: each
/// task awaited before the next starts), go through the shared executor (a
/// finished task frees its slot at once). Results are in task order
/// whatever the start order.
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
    // When K limits the run and a task is sent as several requests, every
    // request (plain or part) takes one of K permits, so K bounds requests
    // in flight, not only tasks.
    let fanned = spec.fans.iter().take(n).any(|f| f.parts > 1 || f.votes > 1);
    let permits = (fanned && (mode == Mode::Sequential || spec.limit > 0)).then(|| Permits::new(k));
    let permits = permits.as_ref();
    let task = |i: usize| async move {
        let on_task = |e| on(i, e);
        let fanned = match spec.fans.get(i) {
            Some(fan) => {
                run_fanned(
                    transport,
                    spec,
                    &spec.tasks[i],
                    fan,
                    start,
                    memory,
                    permits,
                    &on_task,
                )
                .await
            }
            None => None,
        };
        let r = match fanned {
            Some(r) => r,
            None => {
                run_task(
                    transport,
                    spec,
                    &spec.tasks[i],
                    start,
                    memory,
                    permits,
                    &on_task,
                )
                .await
            }
        };
        on(i, TaskEvent::Finished(Box::new(r.clone())));
        r
    };
    let order = spec.starts(mode);
    // Per task, in task order; `None` = a cancel kept it from starting.
    let ran: Vec<Option<TaskResult>> = if mode == Mode::Parallel && k >= n && spec.rpm.is_none() {
        let mut out: Vec<Option<TaskResult>> = (0..n).map(|_| None).collect();
        let done = join_all(order.iter().map(|&i| task(i))).await;
        for (&i, r) in order.iter().zip(done) {
            out[i] = Some(r);
        }
        out
    } else {
        // Sequential is K = 1: each task awaited before the next starts.
        let limits = Limits {
            max_in_flight: k,
            rpm: spec.rpm,
            ..Limits::default()
        };
        let exec = Executor::new(vec![0.0; n], &order, limits, start);
        exec.run(transport, task, |_| true, &|_, _| {}).await
    };
    // Tasks a cancel kept from starting end as cancelled, like the ones
    // that were asked to start after it.
    let results: Vec<TaskResult> = ran
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                let at = transport.now_ms();
                on(i, TaskEvent::Sent { at: at - start });
                let r = finish(&spec.tasks[i], start, not_started(at), Structured::NotAsked);
                on(i, TaskEvent::Finished(Box::new(r.clone())));
                r
            })
        })
        .collect();
    let timings: Vec<TaskTiming> = results.iter().map(|r| r.timing.clone()).collect();
    RunOutcome {
        mode,
        k,
        metrics: run_metrics(start, &timings),
        results,
    }
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
        on(WorkflowEvent::RunStarted {
            mode,
            k: concurrency(mode, spec.limit, spec.tasks.len()),
        });
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
    use crate::openai::{
        ApiError, AttemptRecord, ChatOutput, ChatRequest, Progress, Timing, Usage,
    };
    use crate::workflow::order::{DurationLog, Order, SpeedModel};
    use crate::workflow::tasks::builtin_tasks;
    use crate::workflow::tasks::task_messages;
    use futures::channel::oneshot;
    use futures::executor::{LocalPool, block_on};
    use futures::task::LocalSpawnExt;
    use std::cell::Cell;
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
                    itl_ms: Vec::new(),
                    rate_limit: None,
                    served_by: None,
                    reasoning: String::new(),
                    text,
                    usage: error.is_none().then_some(Usage {
                        prompt_tokens: 10,
                        completion_tokens: 5,
                        total_tokens: 15,
                        completion_tokens_details: None,
                    }),
                    finish_reason: None,
                    timing: Timing {
                        gaps: None,
                        sent_ms: sent,
                        headers_ms: Some(end),
                        first_token_ms: error.is_none().then_some(end),
                        first_any_ms: error.is_none().then_some(end),
                        reasoning_chunks: 0,
                        server: None,
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
            .filter(|e| matches!(e, WorkflowEvent::RunStarted { .. }))
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
        // The K a run actually had (in its outcome) decides, not the spec.
        let all = RunSpec {
            limit: 0,
            ..k2.clone()
        };
        let all_at_once = run_quietly(&fake, &all, Mode::Parallel);
        assert_eq!(all_at_once.k, 6);
        assert_eq!(order_saving(&all, &all_at_once), None);
        assert_eq!(order_saving(&k2, &out), None);
    }

    /// With requests held open, parallel has every task in flight at once,
    /// sequential only one, and results keep task order whatever the
    /// completion order.
    #[test]
    fn a_parallel_run_sends_every_request_before_the_view_hears_of_any() {
        let fake = Rc::new(Fake::new(|r| Reply::Ok(user_prompt(r)[..12].to_string())));
        let s = spec();
        let mut senders = Vec::new();
        let mut gates = HashMap::new();
        for t in &s.tasks {
            let (tx, rx) = oneshot::channel();
            gates.insert(task_request(&s, t, None).messages[1].content.clone(), rx);
            senders.push(tx);
        }
        *fake.gates.borrow_mut() = Some(gates);
        // Requests already sent when each "sent" event reached the view.
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut pool = LocalPool::new();
        let (f, seen2) = (fake.clone(), seen.clone());
        pool.spawner()
            .spawn_local(async move {
                let memory = FormatMemory::default();
                memory.refused();
                let on = |_: usize, e: TaskEvent| {
                    if matches!(e, TaskEvent::Sent { .. }) {
                        seen2.borrow_mut().push(f.sent.borrow().len());
                    }
                };
                run_tasks(&*f, &spec(), Mode::Parallel, &memory, &on).await;
            })
            .unwrap();
        pool.run_until_stalled();
        assert_eq!(*seen.borrow(), vec![6; 6]);
        for tx in senders {
            tx.send(()).unwrap();
        }
        pool.run_until_stalled();
        assert_eq!(fake.sent.borrow().len(), 6);
    }

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
