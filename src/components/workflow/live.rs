//! The Run view's live state and what starts a run or a race: it turns a
//! session's events into the signals the view draws. The sessions
//! themselves (`crate::session`) know nothing of the page.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::browser::PerFrame;
use crate::components::job::{Job, UseJobOptions, begin, use_job};
use crate::components::run_charts::Rows;
use crate::components::task_card::CardState;
use crate::history::RunRecord;
use crate::openai::http1::browser_slots;
use crate::openai::now_ms;
use crate::race::live::Race;
use crate::session::RunContext;
use crate::session::workflow::{RunRequest, WorkflowSession};
use crate::settings::{Provider, Settings};
use crate::state::sink::PageSink;
use crate::state::{AppState, History};
use crate::workflow::engine::{
    Fan, FormatMemory, RunSpec, TaskEvent, TaskStatus, WorkflowEvent, resolve_auto,
};
use crate::workflow::live::{LiveRow, RunResults, TaskOutcome};
use crate::workflow::order::Expected;
use crate::workflow::runner::Mode;
use crate::workflow::runner::RunKind;
use crate::workflow::split::{Stitch, max_parts};
use crate::workflow::tasks::{TaskDef, estimate_tokens};

/// What the form holds when Run is pressed.
pub struct Form {
    /// The text the tasks run on.
    pub text: String,
    /// What the text is called in the history.
    pub source: String,
    /// Target language of the translation task.
    pub language: String,
    /// Sequential, parallel, compare, sweep, race or capacity.
    pub mode: RunKind,
    /// K of the parallel runs (0 = all at once).
    pub limit: usize,
    /// Compare rounds.
    pub rounds: usize,
    /// The expected figures the page shows for the chosen tasks.
    pub expected: Vec<Expected>,
}

/// One card state per task id, made on first use and kept so a card keeps
/// its last answer while tasks are edited; each under an owner of its own,
/// disposed once its task is removed.
#[derive(Clone, Copy)]
pub struct Cards {
    owner: StoredValue<Owner, LocalStorage>,
    cards: StoredValue<HashMap<String, (Owner, CardState)>, LocalStorage>,
}

impl Cards {
    /// Cards owned by the calling component.
    pub fn new() -> Self {
        Self {
            owner: StoredValue::new_local(Owner::current().expect("the Run view has an owner")),
            cards: StoredValue::new_local(HashMap::new()),
        }
    }

    /// The card of task `id`.
    pub fn get(self, id: &str) -> CardState {
        if let Some(c) = self.cards.with_value(|m| m.get(id).map(|c| c.1)) {
            return c;
        }
        let card_owner = self.owner.with_value(|o| o.with(Owner::new));
        let c = card_owner.with(CardState::new);
        self.cards.update_value(|m| {
            m.insert(id.to_string(), (card_owner, c));
        });
        c
    }

    /// Disposes the cards of tasks no longer in `ids`; empties the rest.
    fn keep_only(self, ids: &[String]) {
        self.cards.update_value(|m| {
            m.retain(|id, (o, _)| {
                let keep = ids.contains(id);
                if !keep {
                    o.cleanup();
                }
                keep
            })
        });
        self.cards
            .with_value(|m| m.values().for_each(|c| c.1.reset()));
    }
}

/// Per task of a run: its label, how its parts come back and how many parts
/// it was cut into; and the most parts its text allows.
pub type SplitOfRun = (Vec<(String, Stitch, usize)>, usize);

/// How many requests can be in flight at once for these settings: K when
/// set, else the browser's HTTP/1.1 cap for a plain-http server (6 per
/// lane), else no known bound.
pub fn slots_of(settings: &Settings, limit: usize) -> Option<usize> {
    if limit > 0 {
        Some(limit)
    } else if settings.provider == Provider::Api {
        browser_slots(&settings.base_url, settings.lane_count())
    } else {
        None
    }
}

/// The Run view's live state: what the last run or race shows.
#[derive(Clone, Copy)]
pub struct Live {
    pub(super) state: AppState,
    pub(super) history: History,
    /// The run, race or capacity search under way.
    pub(super) job: Job,
    /// Headline figures and per-task outcomes of the last run.
    pub results: RwSignal<RunResults>,
    /// `results` as the figures draw them: at most once per frame.
    pub shown: PerFrame<RunResults>,
    /// The last race, while it is what the results show.
    pub race: RwSignal<Option<Race>>,
    /// The last capacity search, while it is what the results show.
    pub capacity: RwSignal<Option<crate::components::capacity::CapacityLive>>,
    /// Timeline rows per mode.
    pub rows: Rows,
    /// Time since the start while running (the timeline's "now" line).
    pub now: Signal<Option<f64>>,
    /// Concurrency sweep: (K, wall ms) per run.
    pub sweep: RwSignal<Vec<(usize, f64)>>,
    /// The number of tasks swept.
    pub sweep_tasks: RwSignal<usize>,
    /// Whether a run is under way.
    pub running: Signal<bool>,
    /// What the run is doing, in words.
    pub phase: RwSignal<String>,
    /// What the start order saved against "as listed" in the last run.
    pub saving: RwSignal<Option<String>>,
    /// The last run's record, for its export buttons.
    pub latest: RwSignal<Option<RunRecord>>,
    /// Why the run could not start.
    pub error: RwSignal<Option<String>>,
    /// The figures and timeline, brought on screen when a run starts.
    pub results_ref: NodeRef<leptos::html::Div>,
    /// The task cards.
    pub cards: Cards,
    /// Per task of the last run: its label, how its parts come back and
    /// how many parts it was cut into; and the most parts its text allows.
    pub split_of_run: RwSignal<SplitOfRun>,
    /// The split suggested after the run before the last: task label,
    /// parts, estimated parallel wall time.
    pub suggested: RwSignal<Option<(String, usize, f64)>>,
    /// Whether the server refused structured output, per server and model.
    pub(super) formats: StoredValue<HashMap<(String, String), Rc<FormatMemory>>, LocalStorage>,
}

impl Live {
    /// Live state owned by the calling component (its runs are cancelled
    /// when it goes away).
    pub fn new(state: AppState, history: History) -> Self {
        let results = RwSignal::new(RunResults::default());
        // The ticker moves the timeline's "now" line.
        let job = use_job(UseJobOptions {
            tick: Some(std::time::Duration::from_millis(100)),
        });
        Self {
            state,
            history,
            job,
            results,
            shown: PerFrame::new(results),
            race: RwSignal::new(None),
            capacity: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            now: Signal::derive(move || job.running.get().then(|| job.elapsed_ms.get())),
            sweep: RwSignal::new(Vec::new()),
            sweep_tasks: RwSignal::new(0),
            running: job.running,
            phase: RwSignal::new(String::new()),
            saving: RwSignal::new(None),
            latest: RwSignal::new(None),
            error: job.error,
            results_ref: NodeRef::new(),
            cards: Cards::new(),
            split_of_run: RwSignal::new((Vec::new(), 1)),
            suggested: RwSignal::new(None),
            formats: StoredValue::new_local(HashMap::new()),
        }
    }

    /// Stops the run under way.
    pub fn cancel(self) {
        self.job.cancel();
    }

    /// The chosen tasks and how each is sent, auto parts chosen here,
    /// where the browser's connection cap is known.
    pub(super) fn chosen(self, form: &Form, settings: &Settings) -> (Vec<TaskDef>, Vec<Fan>) {
        let state = self.state;
        let tasks = state
            .tasks
            .with_untracked(|c| c.chosen(&state.selected.get_untracked()));
        let mut fans = state.fans_of(&tasks);
        let expected_ms: Vec<f64> = form.expected.iter().map(|e| e.ms).collect();
        resolve_auto(
            &mut fans,
            &expected_ms,
            &form.text,
            slots_of(settings, form.limit),
        );
        (tasks, fans)
    }

    pub(super) fn format_memory(self, settings: &Settings) -> Rc<FormatMemory> {
        let key = (
            format!("{:?} {}", settings.provider, settings.base_url.trim()),
            settings.model.clone(),
        );
        self.formats.update_value(|f| {
            f.entry(key.clone()).or_default();
        });
        self.formats.with_value(|f| f[&key].clone())
    }

    pub(super) fn sink(self) -> PageSink {
        PageSink {
            history: self.history,
            state: self.state,
            store: None,
            unwritten: None,
        }
    }

    /// A run, race or capacity search starts (its job sets Run disabled and
    /// moves the "now" line): the last run's figures go and the results are
    /// brought on screen; returns the start on the page clock.
    pub(super) fn go_live(self) -> f64 {
        self.saving.set(None);
        self.latest.set(None);
        self.sweep.set(Vec::new());
        self.rows.set(Vec::new());
        let results_ref = self.results_ref;
        // After this turn's DOM updates (a welcome closing above would
        // otherwise move the results off screen again).
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            if let Some(el) = results_ref.get_untracked() {
                el.scroll_into_view();
            }
        });
        now_ms()
    }

    /// The work of a run ends: its figures are drawn at once.
    pub(super) fn end_live(self) {
        self.shown.now();
    }

    /// Runs the chosen tasks on the text in the form's mode (not a race).
    pub fn run(self, form: Form) {
        self.job.start(|signal| self.prepare_run(form, signal));
    }

    /// A run's work, or why it cannot start.
    fn prepare_run(
        self,
        form: Form,
        signal: web_sys::AbortSignal,
    ) -> Result<impl Future<Output = ()> + 'static, String> {
        let state = self.state;
        let (settings, transport) = begin(&state, signal)?;
        let (tasks, fans) = self.chosen(&form, &settings);
        let request = RunRequest {
            base: RunSpec {
                fans,
                ..settings.run_spec(&form.language)
            },
            text: form.text,
            tasks,
            mode: form.mode,
            limit: form.limit,
            rounds: form.rounds,
            expected: form.expected,
            order: settings.order,
            context: RunContext {
                host: settings.server_host(),
                simulated: settings.provider == Provider::Demo,
                input_name: form.source,
                prices: settings.prices.clone(),
            },
        };
        let session = WorkflowSession::new(request).map_err(|e| e.to_string())?;
        let memory = self.format_memory(&settings);
        let spec = session.spec().clone();
        let sweep_ks = session.sweep_ks();
        let labels: Vec<String> = spec.tasks.iter().map(|t| t.label.clone()).collect();
        let expected = session.expected_ms().to_vec();
        let ids: Vec<String> = state
            .tasks
            .with_untracked(|c| c.tasks())
            .into_iter()
            .map(|t| t.id)
            .collect();
        self.cards.keep_only(&ids);
        let run_cards: Vec<CardState> = spec.tasks.iter().map(|t| self.cards.get(&t.id)).collect();
        // The advice shown after the last run is what this one is checked
        // against.
        let advice = self.advice();
        self.suggested.set(advice);
        self.split_of_run.set((
            spec.tasks
                .iter()
                .zip(&spec.fans)
                .map(|(t, f)| (t.label.clone(), f.stitch, f.parts))
                .collect(),
            max_parts(estimate_tokens(&spec.text)),
        ));
        self.results.set(RunResults {
            simulated: settings.provider == Provider::Demo,
            ..RunResults::new(&labels, 0, &spec.model)
        });
        self.race.set(None);
        self.capacity.set(None);
        self.sweep_tasks.set(spec.tasks.len());
        self.go_live();
        let Live {
            results,
            shown,
            rows,
            sweep,
            phase,
            ..
        } = self;
        Ok(async move {
            // Page-clock start of the current run, to place finished tasks.
            let started = Cell::new(0.0);
            let on_event = |e: WorkflowEvent| match e {
                WorkflowEvent::Phase(p) => {
                    // What a phase says ("Finished.") is on screen with it.
                    shown.now();
                    phase.set(p)
                }
                WorkflowEvent::RunStarted { mode: m, k } => {
                    started.set(now_ms());
                    run_cards.iter().for_each(CardState::reset);
                    if sweep_ks.is_empty() {
                        results.update(|r| {
                            r.begin_run(m);
                            if m == Mode::Parallel {
                                r.concurrency = k;
                            }
                        });
                    }
                    rows.update(|all| {
                        all.retain(|(mode, _)| *mode != m);
                        all.push((
                            m,
                            labels
                                .iter()
                                .zip(&expected)
                                .map(|(l, e)| LiveRow::pending(l, Some(*e)))
                                .collect(),
                        ));
                        // Sequential above parallel, whichever ran first.
                        all.sort_by_key(|(mode, _)| *mode == Mode::Parallel);
                    });
                }
                WorkflowEvent::Task(m, i, ev) => {
                    if let TaskEvent::Finished(r) = &ev {
                        let outcome = TaskOutcome::of(&r.timing, r.status == TaskStatus::Done);
                        results.update(|res| res.record_task(m, i, outcome));
                    }
                    // Only a change the timeline draws re-renders it.
                    rows.maybe_update(|all| {
                        all.iter_mut()
                            .find(|(mode, _)| *mode == m)
                            .and_then(|(_, r)| r.get_mut(i))
                            .is_some_and(|row| row.apply(&ev, started.get()))
                    });
                    run_cards[i].apply(ev);
                }
                WorkflowEvent::RunFinished(m, metrics) => {
                    if sweep_ks.is_empty() {
                        results.update(|res| res.record_run(m, metrics));
                    } else {
                        // A sweep's runs are its points, not parallel rounds.
                        sweep.update(|s| {
                            let k = sweep_ks[s.len()];
                            s.push((k, metrics.wall_ms));
                        });
                    }
                }
            };
            let end = session
                .run(&*transport, &memory, &self.sink(), &on_event)
                .await;
            self.latest.set(end.record);
            self.saving.set(end.saving);
            self.end_live();
        })
    }

    /// After a parallel run: the task worth splitting, the parts and the
    /// wall time expected with it split.
    pub fn advice(self) -> Option<(String, usize, f64)> {
        let (tasks, max) = self.split_of_run.get();
        let stitches: Vec<Stitch> = tasks.iter().map(|t| t.1).collect();
        // A task already split is not advised again.
        self.shown
            .shown()
            .with(|r| r.split_advice(&stitches, max))
            .filter(|(_, a)| tasks.get(a.task).is_some_and(|t| t.2 <= 1))
            .map(|(label, a)| (label, a.parts, a.wall_ms))
    }

    /// The suggestion followed in the last run, with its estimate and the
    /// parallel wall time measured.
    pub fn checked(self) -> Option<(String, usize, f64, f64)> {
        let (label, parts, estimate) = self.suggested.get()?;
        let followed = self
            .split_of_run
            .with(|(t, _)| t.iter().any(|(l, _, p)| *l == label && *p == parts));
        let measured = self
            .shown
            .shown()
            .with(|r| r.parallel.last().map(|m| m.wall_ms))?;
        followed.then_some((label, parts, estimate, measured))
    }
}
