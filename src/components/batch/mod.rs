//! The batch view: documents in, limits and Run, the Batch API hand-off,
//! progress and the results table. Runs are [`BatchSession`]s; these views
//! show their state and forward what the user asks for.

mod batch_api;
mod documents;
mod pool;
mod progress;
mod results;

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::batch::documents::Document;
use crate::batch::export::job_index;
use crate::batch::jobs::Ordering;
use crate::batch::progress::{Ended, InFlight, Tally, push_bounded};
use crate::batch::saved::SavedBatch;
use crate::components::browser::FrameQueue;
use crate::components::fields::NumberField;
use crate::components::hooks;
use crate::components::job::{Job, UseJobOptions, begin, use_job};
use crate::openai::http1::{HTTP1_PER_ORIGIN, LIFT_CAP, browser_slots};
use crate::schedule::scheduler::{Limits, MAX_IN_FLIGHT};
use crate::session::RunContext;
use crate::session::batch::{BatchSession, JobEvent, RunSettings, prepare};
use crate::settings::Provider;
use crate::state::sink::{PageSink, Unwritten};
use crate::state::store::Store;
use crate::state::tabs;
use crate::state::{AppState, History};
use crate::workflow::engine::{RunSpec, TaskStatus};

/// One job's live state: its status and what the counts and the table
/// show of its end; the answer stays in the session alone (read when the
/// cell is opened), so the signals grow by a few bytes per job.
#[derive(Debug, Clone, Copy, PartialEq)]
struct JobView {
    status: TaskStatus,
    ended: Option<Ended>,
}

/// The batch shown: its session and one signal per job, made under an
/// owner of their own so they are disposed when another batch replaces it.
#[derive(Clone)]
struct Shown {
    session: Rc<BatchSession>,
    views: Rc<Vec<RwSignal<JobView>>>,
    /// The job of each (document, task): `index[doc * tasks + task]`.
    index: Rc<Vec<Option<usize>>>,
    owner: Owner,
}

impl Shown {
    /// The batch's signals are made under a child of `parent` (the view's
    /// owner), so they go with the view too.
    fn new(session: BatchSession, parent: &Owner) -> Self {
        let owner = parent.with(Owner::new);
        let views = owner.with(|| {
            session
                .cells()
                .into_iter()
                .zip(session.statuses())
                .map(|(cell, status)| {
                    RwSignal::new(JobView {
                        status,
                        ended: cell.as_ref().map(Ended::from),
                    })
                })
                .collect()
        });
        let b = session.batch();
        let index = job_index(&b.jobs, b.docs.len(), b.tasks.len());
        Self {
            session: Rc::new(session),
            views: Rc::new(views),
            index: Rc::new(index),
            owner,
        }
    }

    /// The job of document `doc` × task `task`, if it has one.
    fn job(&self, doc: usize, task: usize) -> Option<usize> {
        self.index
            .get(doc * self.batch().tasks.len() + task)
            .copied()
            .flatten()
    }

    fn batch(&self) -> &SavedBatch {
        self.session.batch()
    }

    /// Shows one event of the session: one job's signal and the counts,
    /// in constant time whatever the batch's size.
    fn apply(&self, e: JobEvent, ctx: &BatchCtx) {
        let swap = |i: usize, new: Option<Ended>| {
            let old = self.views[i].with_untracked(|v| v.ended);
            ctx.tally.update(|t| t.swap_ended(old, new));
        };
        match e {
            JobEvent::Pending(i) => {
                swap(i, None);
                self.views[i].set(JobView {
                    status: TaskStatus::Pending,
                    ended: None,
                })
            }
            JobEvent::Running(i) => self.views[i].update(|v| v.status = TaskStatus::Running),
            JobEvent::NotStarted(i) => self.views[i].update(|v| v.status = TaskStatus::Cancelled),
            JobEvent::Finished(i, cell) => {
                let ended = Ended::from(&cell);
                swap(i, Some(ended));
                self.views[i].set(JobView {
                    status: cell.status,
                    ended: Some(ended),
                })
            }
            JobEvent::Load { at, in_flight, k } => {
                ctx.current_k.set(k);
                ctx.flight.update(|f| f.sample(at, in_flight));
                ctx.samples
                    .update(|v| push_bounded(v, (at, in_flight), GAUGE_POINTS));
            }
        }
    }
}

/// The most points the in-flight chart keeps.
const GAUGE_POINTS: usize = 1200;

/// The batch view's state, shared with its parts through context.
#[derive(Clone, Copy)]
struct BatchCtx {
    docs: RwSignal<Vec<Document>>,
    shown: RwSignal<Option<Shown>, LocalStorage>,
    /// The batch run or Batch API hand-off under way (its running, error
    /// and elapsed time are what the view shows).
    job: Job,
    /// The scheduler's current K.
    current_k: RwSignal<usize>,
    /// (ms since start, in flight) at each change, at most
    /// [`GAUGE_POINTS`] of them (merged in pairs past that).
    samples: RwSignal<Vec<(f64, usize)>>,
    /// Requests in flight over time: mean and peak, kept as samples come.
    flight: RwSignal<InFlight>,
    /// Done, failed, remaining and tokens of the batch shown, kept event
    /// by event.
    tally: RwSignal<Tally>,
    /// Events not shown yet.
    queue: FrameQueue<JobEvent>,
    /// The job whose answer is open.
    opened: RwSignal<Option<usize>>,
    /// The user's K.
    k: RwSignal<usize>,
    /// Requests per minute at most (0 = no limit).
    rpm: RwSignal<u32>,
    /// Tokens per minute at most (0 = no limit).
    tpm: RwSignal<u32>,
    /// Unfinished jobs of a batch found on the device at start-up.
    resumable: RwSignal<Option<Vec<usize>>>,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    /// The view's owner: async code (the restore at start-up) has none.
    owner: StoredValue<Owner, LocalStorage>,
    /// Where finished batches go (taken from context while the view is made:
    /// async code has no owner to look it up).
    history: History,
    state: AppState,
    /// The members of the pool the batch shown ran over, if any.
    pool: pool::PoolView,
    /// The batch another tab of this browser runs, as last heard.
    elsewhere: RwSignal<Option<Elsewhere>>,
    /// The channel a running batch's progress goes on to the other tabs.
    channel: StoredValue<Option<Rc<tabs::Channel>>, LocalStorage>,
    /// Why the batch was paused (its results could not be written).
    paused: RwSignal<Option<String>>,
    /// What the browser answered when asked to keep this page's storage.
    persisted: RwSignal<Option<bool>>,
    /// The last batch run here as kept, once it has ended (for its link).
    finished: RwSignal<Option<crate::history::RunRecord>>,
    /// Jobs whose answers the last export held (and no run has replaced
    /// since): what "Free space" may drop from the device.
    exported: RwSignal<Vec<usize>>,
    /// What the last drop of exported answers freed, in words, and how
    /// many requests' answers went.
    freed: RwSignal<Option<(String, usize)>>,
    /// Cells of the batch shown whose write failed.
    unwritten: StoredValue<Unwritten, LocalStorage>,
}

/// A batch another tab runs: its counts as it last told them, and whether
/// that tab has gone (closed, crashed, reloaded) so this one may take over.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Elsewhere {
    done: usize,
    failed: usize,
    total: usize,
    gone: bool,
}

/// What a tab says when another runs the batch.
const RUNNING_ELSEWHERE: &str = "This batch is running in another tab of this browser. It can be taken over here once that tab is closed.";

/// A batch's counts as a message to the other tabs.
fn progress_message(t: &Tally, total: usize) -> wasm_bindgen::JsValue {
    let m = js_sys::Object::new();
    for (k, v) in [("done", t.done), ("failed", t.failed), ("total", total)] {
        let _ = js_sys::Reflect::set(&m, &k.into(), &(v as f64).into());
    }
    m.into()
}

/// A count of a message from another tab.
fn count_of(m: &wasm_bindgen::JsValue, key: &str) -> usize {
    js_sys::Reflect::get(m, &key.into())
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(0, |v| v as usize)
}

impl BatchCtx {
    /// The sink the batch's session reports to.
    fn sink(&self) -> PageSink {
        PageSink {
            history: self.history,
            state: self.state,
            store: self.store.try_get_value().flatten(),
            unwritten: self.unwritten.try_get_value(),
        }
    }

    /// Queues an event of the shown batch; the next animation frame shows
    /// every event queued since the last, so the page renders once a frame
    /// however fast results arrive.
    fn push(&self, shown: &Shown, e: JobEvent) {
        let (ctx, shown) = (*self, shown.clone());
        self.queue.push(e, move |events| {
            events.into_iter().for_each(|e| shown.apply(e, &ctx));
        });
    }

    /// Shows every queued event now.
    fn flush(&self, shown: &Shown) {
        for e in self.queue.take() {
            shown.apply(e, self);
        }
    }

    /// Shows `session` instead of the batch shown, whose signals go.
    fn show(&self, session: BatchSession) -> Shown {
        let next = self.owner.with_value(|o| Shown::new(session, o));
        if let Some(old) = self.shown.try_get_untracked().flatten() {
            // After the views that read them have been replaced.
            request_animation_frame(move || old.owner.cleanup());
        }
        self.opened.set(None);
        self.finished.set(None);
        self.exported.set(Vec::new());
        self.freed.set(None);
        self.unwritten.with_value(|u| u.borrow_mut().clear());
        self.tally
            .set(next.views.iter().fold(Tally::default(), |t, v| {
                t.with_ended(v.with_untracked(|v| v.ended))
            }));
        self.shown.set(Some(next.clone()));
        next
    }

    /// A fresh batch of the documents × selected tasks, shown and returned;
    /// None (with the reason shown) if there is nothing to run.
    fn prepare(&self, state: &AppState) -> Option<Shown> {
        self.job.error.set(None);
        let settings = state.settings.get_untracked();
        let batch = prepare(
            self.docs.get_untracked(),
            state
                .tasks
                .with_untracked(|c| c.chosen(&state.selected.get_untracked())),
            &settings.model,
            settings.provider == Provider::Demo,
            &state.language.get_untracked(),
        );
        match batch {
            Ok(b) => Some(self.show(BatchSession::new(b, &[]))),
            Err(e) => {
                self.job.error.set(Some(e.to_string()));
                None
            }
        }
    }

    /// Shows that another tab runs the batch (`seen`), and waits for that
    /// tab to let it go: then the batch as stored is shown again, with a
    /// take-over offer if jobs are left.
    fn watch_elsewhere(self, seen: Elsewhere) {
        if self.elsewhere.get_untracked().is_some() {
            self.elsewhere.update(|e| {
                if let Some(e) = e {
                    *e = Elsewhere {
                        gone: false,
                        ..seen
                    };
                }
            });
            return;
        }
        self.elsewhere.set(Some(seen));
        spawn_local(async move {
            tabs::until_free(tabs::BATCH).await;
            let Some(db) = self.store.try_get_value().flatten() else {
                return;
            };
            let Ok(Some((saved, results))) = db.load_batch().await else {
                self.elsewhere.try_set(None);
                return;
            };
            let left = saved.unfinished(&results);
            let total = saved.jobs.len();
            self.show(BatchSession::new(saved, &results));
            self.elsewhere
                .try_set((!left.is_empty()).then_some(Elsewhere {
                    done: total - left.len(),
                    failed: 0,
                    total,
                    gone: true,
                }));
        });
    }

    /// Runs what the tab that has gone left of the batch, as stored now.
    fn take_over(self) {
        spawn_local(async move {
            let Some(db) = self.store.try_get_value().flatten() else {
                return;
            };
            if let Ok(Some((saved, results))) = db.load_batch().await {
                let left = saved.unfinished(&results);
                self.show(BatchSession::new(saved, &results));
                self.elsewhere.set(None);
                self.start(left);
            }
        });
    }

    /// Deletes from the device the answers the last export held (their
    /// cells stay, done and marked dropped), and this batch's record in the
    /// history, kept again at once without them: deletions go through
    /// where a full storage refuses every write.
    fn drop_exported(self) {
        let (Some(shown), Some(db)) = (self.shown.get_untracked(), self.store.get_value()) else {
            return;
        };
        let storage = self.history.storage();
        let jobs = self.exported.get_untracked();
        spawn_local(async move {
            let before = crate::state::storage::estimate().await;
            let mut record = self.finished.get_untracked();
            let run = record.as_ref().map(|r| r.id.clone());
            if let Err(e) = db.drop_answers(&jobs, run.as_deref()).await {
                if let Some(s) = storage {
                    s.failed("The exported answers could not be dropped", &e);
                }
                return;
            }
            shown.session.drop_answers(&jobs, record.as_mut());
            for &j in &jobs {
                if let Some(v) = shown.views.get(j) {
                    v.notify();
                }
            }
            self.exported.set(Vec::new());
            if let Some(s) = storage {
                s.written();
            }
            // Cells whose write failed (the answers dropped, if exported).
            let rewritten = self.write_unwritten(&shown, &db).await;
            if let Some(r) = record {
                self.finished.set(Some(r.clone()));
                self.history.add(r);
            }
            let after = crate::state::storage::estimate().await;
            let figures = match (before, after) {
                (Some(b), Some(a)) => format!(
                    " This page used {} before, {} now.",
                    crate::history::query::size_text(b.used as usize),
                    crate::history::query::size_text(a.used as usize)
                ),
                _ => String::new(),
            };
            self.freed.try_set(Some((
                format!(
                    "Dropped from this device the answers of {} requests that your export holds; their cells stay done, marked dropped.{}{figures} Run what is left with Retry failed.",
                    jobs.len(),
                    if rewritten > 0 {
                        format!(" {rewritten} results that could not be written before are kept now.")
                    } else {
                        String::new()
                    },
                ),
                jobs.len(),
            )));
        });
    }

    /// Writes the cells whose write failed, now that there may be room, so
    /// that a reload does not ask for them again; how many were written (a
    /// failure is told, and the rest wait for the next try).
    async fn write_unwritten(&self, shown: &Shown, db: &Store) -> usize {
        let unwritten = self.unwritten.get_value();
        let again = unwritten.borrow().clone();
        let mut written = 0;
        for j in again {
            let Some(cell) = shown.session.cell(j) else {
                continue;
            };
            match db.save_result(j, &cell).await {
                Ok(()) => {
                    unwritten.borrow_mut().retain(|u| *u != j);
                    written += 1;
                }
                Err(e) => {
                    if let Some(s) = self.history.storage() {
                        s.failed("Batch results could not be written", &e);
                    }
                    break;
                }
            }
        }
        written
    }

    /// Runs `indices` of the shown jobs (all of them, the failed ones, or
    /// what a reload left).
    fn start(self, indices: Vec<usize>) {
        let Some(shown) = self.shown.get_untracked() else {
            return;
        };
        // Their new answers are in no export yet.
        let mut rerun = vec![false; shown.batch().jobs.len()];
        for &i in &indices {
            rerun[i] = true;
        }
        self.exported.update(|e| e.retain(|j| !rerun[*j]));
        self.freed.set(None);
        self.job.start(|signal| {
            let k = self.k.get_untracked();
            let rpm = Some(f64::from(self.rpm.get_untracked())).filter(|v| *v > 0.0);
            let tpm = Some(f64::from(self.tpm.get_untracked())).filter(|v| *v > 0.0);
            let pooled = self
                .state
                .settings
                .with_untracked(|s| s.batch_pool && !s.endpoints.is_empty());
            // Over a pool, each member keeps its own K and budgets, and the
            // batch runs as many at once as they add up to.
            let (settings, transport, limits, members): (
                _,
                Box<dyn crate::openai::Transport>,
                _,
                _,
            ) = if pooled {
                let (settings, pool, labels) =
                    pool::begin_pool(&self.state, signal, (k, rpm, tpm), self.pool)?;
                let limits = Limits {
                    max_in_flight: pool.capacity(),
                    ..Limits::default()
                };
                (settings, Box::new(pool), limits, labels)
            } else {
                let (settings, transport) = begin(&self.state, signal)?;
                self.pool.clear();
                let limits = Limits {
                    max_in_flight: k,
                    rpm,
                    tpm,
                    ..Limits::default()
                };
                (settings, transport, limits, Vec::new())
            };
            self.samples.set(Vec::new());
            self.flight.set(InFlight::default());
            self.finished.set(None);
            let sink = self.sink();
            Ok(async move {
                // One tab runs a batch at a time: the lock goes with this
                // future (at its end, or with the tab).
                let Some(_held) = tabs::try_hold(tabs::BATCH).await else {
                    self.job.error.set(Some(RUNNING_ELSEWHERE.into()));
                    self.watch_elsewhere(Elsewhere::default());
                    return;
                };
                self.elsewhere.set(None);
                self.paused.set(None);
                // What a pause left unwritten goes first (space may have been
                // freed another way, such as the oldest kept runs deleted).
                if let Some(db) = self.store.try_get_value().flatten() {
                    self.write_unwritten(&shown, &db).await;
                }
                // A long batch's results should survive the browser's
                // clean-ups: ask, and say what it answered.
                self.persisted.set(crate::state::storage::persist().await);
                let log = self.state.durations.get_untracked();
                let host = settings.server_host();
                let how = RunSettings {
                    base: RunSpec {
                        // Split and voted tasks (auto parts count as one here:
                        // a batch has no expected duration per document).
                        fans: self.state.fans_of(&shown.batch().tasks),
                        ..settings.run_spec(&shown.batch().language)
                    },
                    limits,
                    ordering: Ordering {
                        order: settings.order,
                        log: &log,
                        speed: &settings.speed,
                        host: &host,
                    },
                    context: RunContext {
                        host: host.clone(),
                        prices: settings.prices.clone(),
                        ..RunContext::default()
                    },
                    members,
                };
                let ctx = self;
                let on = |e: JobEvent| ctx.push(&shown, e);
                let record = shown
                    .session
                    .run(&indices, &*transport, how, &sink, &on)
                    .await;
                // The last events before the figures are read as final.
                ctx.flush(&shown);
                if let Some(b) = record.kind.batch() {
                    ctx.job.measured(b.wall_ms);
                }
                ctx.finished.set(Some(record));
            })
        });
    }
}

/// The batch section.
#[component]
pub fn BatchPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ctx = BatchCtx {
        docs: RwSignal::new(Vec::new()),
        shown: RwSignal::new_local(None),
        job: use_job(UseJobOptions {
            tick: Some(std::time::Duration::from_millis(250)),
        }),
        current_k: RwSignal::new(0),
        samples: RwSignal::new(Vec::new()),
        flight: RwSignal::new(InFlight::default()),
        tally: RwSignal::new(Tally::default()),
        queue: FrameQueue::new(),
        opened: RwSignal::new(None),
        k: state.batch_k,
        rpm: RwSignal::new(0),
        tpm: RwSignal::new(0),
        resumable: RwSignal::new(None),
        store: StoredValue::new_local(None),
        owner: StoredValue::new_local(Owner::current().expect("BatchPanel has an owner")),
        history: expect_context::<History>(),
        state,
        pool: pool::PoolView::new(),
        elsewhere: RwSignal::new(None),
        channel: StoredValue::new_local(None),
        paused: RwSignal::new(None),
        persisted: RwSignal::new(None),
        finished: RwSignal::new(None),
        exported: RwSignal::new(Vec::new()),
        freed: RwSignal::new(None),
        unwritten: StoredValue::new_local(Unwritten::default()),
    };
    provide_context(ctx);
    // Results that cannot be written pause the batch rather than letting
    // it run on while they are lost.
    let storage = expect_context::<crate::state::Storage>();
    Effect::new(move |_| {
        if let Some(e) = storage.error.get()
            && ctx.job.running.get_untracked()
        {
            ctx.job.cancel();
            ctx.paused.set(Some(format!(
                "Paused: {e}. The results so far are on screen and can be exported; free space, then run what is left (Retry failed, or Resume after a reload)."
            )));
        }
    });
    // Another tab's batch: its counts as it tells them.
    ctx.channel
        .set_value(tabs::Channel::open(tabs::BATCH, move |m| {
            if ctx.job.running.get_untracked() {
                return;
            }
            ctx.watch_elsewhere(Elsewhere {
                done: count_of(&m, "done"),
                failed: count_of(&m, "failed"),
                total: count_of(&m, "total"),
                gone: false,
            });
        }));
    // This tab's running batch tells the others how far it is.
    Effect::new(move |_| {
        let t = ctx.tally.get();
        if ctx.job.running.get_untracked() {
            let total = ctx
                .shown
                .with_untracked(|s| s.as_ref().map_or(0, |s| s.batch().jobs.len()));
            ctx.channel.with_value(|c| {
                if let Some(c) = c {
                    c.post(&progress_message(&t, total));
                }
            });
        }
    });
    spawn_local(async move {
        let db = match ctx.history.db().await {
            Ok(db) => db,
            Err(e) => {
                // No saved batch can be read or kept: say why.
                ctx.job.error.try_set(Some(e));
                return;
            }
        };
        if let Ok(Some((saved, results))) = db.load_batch().await {
            // The view may have gone while the database opened.
            if ctx.owner.try_with_value(|_| ()).is_none() {
                return;
            }
            let left = saved.unfinished(&results);
            let total = saved.jobs.len();
            ctx.show(BatchSession::new(saved, &results));
            ctx.store.try_set_value(Some(db.clone()));
            if left.is_empty() {
                return;
            }
            if tabs::held(tabs::BATCH).await {
                // Another tab runs it: no resume offer, its progress instead.
                ctx.watch_elsewhere(Elsewhere {
                    done: total - left.len(),
                    failed: 0,
                    total,
                    gone: false,
                });
            } else {
                ctx.resumable.try_set(Some(left));
            }
            return;
        }
        ctx.store.try_set_value(Some(db.clone()));
    });

    view! {
        <section class="panel batch" aria-labelledby="batch-title">
            <h2 id="batch-title">"Batch: many documents"</h2>
            <BatchTasks />
            <documents::Documents />
            <BatchLimits />
            <BatchButtons />
            <batch_api::BatchApi />
            {move || ctx.job.error.get().map(|e| view! { <p class="field-error" role="alert" data-testid=hooks::BATCH_ERROR>{e}</p> })}
            <ResumeOffer />
            <RunningElsewhere />
            {move || ctx.paused.get().map(|p| view! { <p class="field-error" role="alert" data-testid=hooks::BATCH_PAUSED>{p}</p> })}
            <crate::components::storage_note::StorageNote />
            <DropExported />
            {move || ctx.persisted.get().map(|granted| view! {
                <p class="hint" data-testid=hooks::BATCH_PERSIST data-granted=granted.to_string()>{if granted {
                    "The browser keeps this page's storage (persistent storage granted): the batch's results are not cleared when the disk runs low."
                } else {
                    "The browser did not grant persistent storage: it may clear the saved batch if the disk runs low. Export results as they come."
                }}</p>
            })}
            <Show when=move || ctx.shown.with(|s| s.as_ref().is_some_and(|s| !s.batch().jobs.is_empty()))>
                <progress::Progress />
                <pool::PoolMembers />
                <results::Results />
            </Show>
        </section>
    }
}

/// When storage is full or the batch paused: drop from the device the
/// answers an export already holds; then what that freed.
#[component]
fn DropExported() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let storage = expect_context::<crate::state::Storage>();
    let offered = move || {
        let n = ctx.exported.with(Vec::len);
        (n > 0
            && !ctx.job.running.get()
            && (storage.error.with(Option::is_some) || ctx.paused.with(Option::is_some)))
        .then_some(n)
    };
    view! {
        {move || offered().map(|n| view! {
            <button type="button" data-testid=hooks::STORAGE_FREE_BATCH on:click=move |_| ctx.drop_exported()>
                {format!("Free space: drop from this device the answers of the {n} requests your export holds")}
            </button>
        })}
        {move || ctx.freed.get().map(|(text, n)| view! {
            <p class="hint" role="status" data-testid=hooks::STORAGE_FREED data-count=n.to_string()>{text}</p>
        })}
    }
}

/// Which tasks each document gets: those ticked on the Run view.
#[component]
fn BatchTasks() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        // The tasks are chosen once, on the Run view, for runs and batches.
        <p class="hint" data-testid=hooks::BATCH_TASKS>
            {move || {
                let labels: Vec<String> = state
                    .tasks
                    .with(|c| c.chosen(&state.selected.get()))
                    .into_iter()
                    .map(|t| t.label)
                    .collect();
                if labels.is_empty() {
                    "No task is ticked: ".to_string()
                } else {
                    format!("Each document gets {}: ", labels.join(", "))
                }
            }}
            <a href="#/run">"choose the tasks on the Run view"</a>
            "."
        </p>
    }
}

/// K, the rate limits, the start order, and the browser's HTTP/1.1 cap
/// where it applies.
#[component]
fn BatchLimits() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let state = ctx.state;
    // The browser's cap for this connection (6 per lane), when K is above it.
    let capped = move || {
        state.settings.with(|s| {
            (s.provider == Provider::Api)
                .then(|| browser_slots(&s.base_url, s.lane_count()))
                .flatten()
                .filter(|cap| ctx.k.get() > *cap)
                .map(|cap| (cap, s.lane_count()))
        })
    };
    view! {
        <div class="row">
            <NumberField label="In flight at most (K)" testid="batch-k" min=1usize max=MAX_IN_FLIGHT
                value=ctx.k on_set=Callback::new(move |v| ctx.k.set(v)) />
            <NumberField label="Requests / min (0 = no limit)" testid="batch-rpm" min=0u32 max=1_000_000u32
                value=ctx.rpm on_set=Callback::new(move |v| ctx.rpm.set(v)) />
            <NumberField label="Tokens / min (0 = no limit)" testid="batch-tpm" min=0u32 max=100_000_000u32
                value=ctx.tpm on_set=Callback::new(move |v| ctx.tpm.set(v)) />
        </div>
        <pool::PoolChoice />
        <p class="hint" data-testid=hooks::BATCH_ORDER>
            {move || format!(
                "Requests start {} across documents × tasks (task priorities first); change it under Start order on the Run view.",
                state.settings.with(|s| s.order.label()),
            )}
        </p>
        {move || capped().map(|(cap, lanes)| view! {
            <p class="hint" data-testid=hooks::BATCH_H1_NOTE>{format!(
                "This base URL is plain http://, which browsers reach over HTTP/1.1 with at most {HTTP1_PER_ORIGIN} connections per server name{}: requests beyond {cap} wait in the browser. The OpenAI API (HTTP/2) has no such cap. {LIFT_CAP}",
                if lanes > 1 { format!(" ({lanes} lanes: {cap})") } else { String::new() },
            )}</p>
        })}
    }
}

/// Run, Cancel, Retry failed.
#[component]
fn BatchButtons() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let storage = expect_context::<crate::state::Storage>();
    let run_all = move |_| {
        let Some(shown) = ctx.prepare(&ctx.state) else {
            return;
        };
        ctx.resumable.set(None);
        // Save the batch before any result can arrive, then run it; a batch
        // that cannot be saved is not started (its results would be lost).
        spawn_local(async move {
            // Saving would replace the batch another tab is running.
            if tabs::held(tabs::BATCH).await {
                ctx.job.error.set(Some(RUNNING_ELSEWHERE.into()));
                ctx.watch_elsewhere(Elsewhere::default());
                return;
            }
            if let Some(db) = ctx.store.get_value()
                && let Err(e) = db.start_batch(shown.batch()).await
            {
                storage.failed(
                    "The batch was not started: it could not be saved on this device",
                    &e,
                );
                return;
            }
            ctx.start((0..shown.batch().jobs.len()).collect());
        });
    };
    let retry_failed = move |_| {
        let failed = ctx
            .shown
            .with_untracked(|s| s.as_ref().map(|s| s.session.failed()))
            .unwrap_or_default();
        if !failed.is_empty() {
            ctx.start(failed);
        }
    };
    // A finished cell that failed (as the progress counts it).
    let any_failed = move || ctx.tally.with(|t| t.failed > 0);
    view! {
        <div class="row">
            <button type="button" class="primary" data-testid=hooks::BATCH_RUN
                disabled=move || ctx.job.running.get() || ctx.elsewhere.with(|e| e.is_some_and(|e| !e.gone))
                on:click=run_all>"Run batch"</button>
            <button type="button" data-testid=hooks::BATCH_CANCEL disabled=move || !ctx.job.running.get() on:click=move |_| ctx.job.cancel()>"Cancel"</button>
            <button type="button" data-testid=hooks::BATCH_RETRY_FAILED
                disabled=move || ctx.job.running.get() || !any_failed()
                on:click=retry_failed>"Retry failed"</button>
        </div>
    }
}

/// A batch another tab runs: its progress, and "Take over" once that tab
/// has gone.
#[component]
fn RunningElsewhere() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    view! {
        {move || ctx.elsewhere.get().map(|e| view! {
            <div class="resume" role="status" data-testid=hooks::BATCH_ELSEWHERE
                data-done=e.done.to_string() data-gone=e.gone.to_string()>
                <p>{if e.gone {
                    format!("The tab that ran this batch has gone: {} of {} requests finished, {} left.", e.done, e.total, e.total.saturating_sub(e.done))
                } else {
                    format!("This batch is running in another tab of this browser: {} of {} requests done{}. It can be taken over here once that tab is closed.",
                        e.done, e.total, if e.failed > 0 { format!(", {} failed", e.failed) } else { String::new() })
                }}</p>
                <button type="button" class="primary" data-testid=hooks::BATCH_TAKE_OVER disabled=!e.gone
                    on:click=move |_| ctx.take_over()>"Take over"</button>
            </div>
        })}
    }
}

/// A batch a reload left unfinished: resume it, or discard it.
#[component]
fn ResumeOffer() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let resumable = ctx.resumable;
    let resume = move |_| {
        if let Some(left) = resumable.get_untracked() {
            resumable.set(None);
            ctx.start(left);
        }
    };
    let discard = move |_| {
        resumable.set(None);
        if let Some(old) = ctx.shown.get_untracked() {
            ctx.shown.set(None);
            request_animation_frame(move || old.owner.cleanup());
        }
        if let Some(db) = ctx.store.get_value() {
            spawn_local(async move {
                let _ = db.clear_batch().await;
            });
        }
    };
    view! {
        {move || resumable.get().map(|left| {
            let total = ctx.shown.with(|s| s.as_ref().map_or(0, |s| s.batch().jobs.len()));
            view! {
                <div class="resume" role="status" data-testid=hooks::BATCH_RESUME_OFFER>
                    <p>{format!("An unfinished batch was kept on this device: {} of {} requests finished, {} left.", total - left.len(), total, left.len())}</p>
                    <button type="button" class="primary" data-testid=hooks::BATCH_RESUME on:click=resume>"Resume"</button>
                    <button type="button" data-testid=hooks::BATCH_DISCARD on:click=discard>"Discard it"</button>
                </div>
            }
        })}
    }
}
