//! One job primitive for views, written as leptos-use writes its `use_*`
//! functions: [`use_job`] takes an options struct and returns a [`Job`]
//! whose fields are the job's state as signals (running, error, elapsed)
//! and whose methods start and cancel it.
//!
//! Every async job a view starts goes through it: a run, a race or a
//! capacity search on the Run view, a batch or a Batch API hand-off, the
//! prompt, Test connection, finding local servers. The work runs under the
//! view's owner; Cancel aborts its requests through an `AbortController`,
//! and the work itself goes on to its end, so a cancelled run still keeps
//! its record. When the view goes away the job in flight is aborted, and its
//! ticker stops with it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::callback::Interval;
use leptos::prelude::*;
use leptos::task::{spawn_local, spawn_local_scoped};

use crate::openai::{Transport, now_ms};
use crate::settings::Settings;
use crate::state::AppState;

/// Options of [`use_job`].
#[derive(Debug, Clone, Copy, Default)]
pub struct UseJobOptions {
    /// How often `elapsed_ms` moves while the job runs (`None`: it is set
    /// when the job starts and when it ends only).
    pub tick: Option<Duration>,
}

/// A view's job: its state as signals, and [`Job::start`] / [`Job::cancel`].
#[derive(Clone, Copy)]
pub struct Job {
    /// Whether the job is under way.
    pub running: Signal<bool>,
    /// Why the last job could not start or failed, in words (shown next to
    /// what started it); cleared when a job starts.
    pub error: RwSignal<Option<String>>,
    /// Time since the job started, ms (page clock): moved by the ticker
    /// while it runs, final once it ends.
    pub elapsed_ms: Signal<f64>,
    set_running: RwSignal<bool>,
    elapsed: RwSignal<f64>,
    /// A figure the work measured itself, used as the final elapsed time.
    measured: StoredValue<Option<f64>, LocalStorage>,
    tick: Option<Duration>,
    ticker: StoredValue<Option<Interval>, LocalStorage>,
    controller: StoredValue<Rc<RefCell<Option<web_sys::AbortController>>>, LocalStorage>,
    owner: StoredValue<Option<Owner>, LocalStorage>,
}

/// A job owned by the calling component: cancelled, and its ticker
/// stopped, when the component goes away.
pub fn use_job(options: UseJobOptions) -> Job {
    let current = Rc::new(RefCell::new(None::<web_sys::AbortController>));
    // Cleanups must be Send; the page is single-threaded, so the wrapper
    // never crosses threads.
    let on_drop = send_wrapper::SendWrapper::new(current.clone());
    on_cleanup(move || {
        if let Some(c) = on_drop.borrow_mut().take() {
            c.abort();
        }
    });
    let set_running = RwSignal::new(false);
    let elapsed = RwSignal::new(0.0);
    Job {
        running: set_running.into(),
        error: RwSignal::new(None),
        elapsed_ms: elapsed.into(),
        set_running,
        elapsed,
        measured: StoredValue::new_local(None),
        tick: options.tick,
        ticker: StoredValue::new_local(None),
        controller: StoredValue::new_local(current),
        owner: StoredValue::new_local(Owner::current()),
    }
}

/// Said when the browser has no `AbortController` (no job can be cancelled).
const NO_ABORT: &str = "This browser cannot cancel requests (no AbortController).";

impl Job {
    /// Starts a job unless one is under way. `prepare` gets the job's
    /// `AbortSignal` (every request of the job goes out with it) and either
    /// says why the job cannot start (shown as [`Job::error`]) or returns the
    /// work, which then runs under the view's owner. Returns whether it
    /// started.
    pub fn start<Fut>(
        self,
        prepare: impl FnOnce(web_sys::AbortSignal) -> Result<Fut, String>,
    ) -> bool
    where
        Fut: Future<Output = ()> + 'static,
    {
        if self.set_running.get_untracked() {
            return false;
        }
        self.error.set(None);
        let Some(ctl) = web_sys::AbortController::new().ok() else {
            self.error.set(Some(NO_ABORT.into()));
            return false;
        };
        let work = match prepare(ctl.signal()) {
            Ok(work) => work,
            Err(e) => {
                self.error.set(Some(e));
                return false;
            }
        };
        self.controller.with_value(|c| *c.borrow_mut() = Some(ctl));
        self.run(Box::pin(work));
        true
    }

    /// Runs started work to its end. Not generic, so the page carries this
    /// code once rather than once per kind of job.
    fn run(self, work: Pin<Box<dyn Future<Output = ()>>>) {
        self.measured.set_value(None);
        let t0 = now_ms();
        self.elapsed.set(0.0);
        self.set_running.set(true);
        if let Some(every) = self.tick {
            let elapsed = self.elapsed;
            let ms = u32::try_from(every.as_millis()).unwrap_or(u32::MAX).max(1);
            self.ticker.set_value(Some(Interval::new(ms, move || {
                elapsed.try_set(now_ms() - t0);
            })));
        }
        let task = async move {
            work.await;
            // The view may be gone by now: every write is a try.
            self.ticker.try_set_value(None);
            let measured = self.measured.try_get_value().flatten();
            self.elapsed
                .try_set(measured.unwrap_or_else(|| now_ms() - t0));
            self.set_running.try_set(false);
            let _ = self.controller.try_with_value(|c| c.borrow_mut().take());
        };
        match self.owner.try_get_value().flatten() {
            Some(owner) => owner.with(|| spawn_local_scoped(task)),
            None => spawn_local(task),
        }
    }

    /// Aborts the job's requests, if a job is under way; its work goes on
    /// to its end (and keeps what it finished).
    pub fn cancel(self) {
        self.controller.with_value(|c| {
            if let Some(c) = &*c.borrow() {
                c.abort();
            }
        });
    }

    /// Sets the elapsed time the job ends with to a figure it measured
    /// itself (a batch's wall time), instead of the page clock's.
    pub fn measured(self, ms: f64) {
        self.measured.try_set_value(Some(ms));
    }
}

/// What a race starts with: the settings now, each endpoint's settings
/// (the main connection first) and its transport.
pub struct RaceStart {
    /// The settings as they are now.
    pub main: Settings,
    /// Each endpoint's settings, endpoint 1 first.
    pub settings: Vec<Settings>,
    /// Each endpoint's transport, with its own key only.
    pub transports: Vec<Box<dyn Transport>>,
}

/// The settings as they are now and a transport whose requests `signal`
/// cancels; the error is a message to show the user.
pub fn begin(
    state: &AppState,
    signal: web_sys::AbortSignal,
) -> Result<(Settings, Box<dyn Transport>), String> {
    let settings = state.settings.get_untracked();
    let transport = crate::connect::transport(&settings, &state.api_key.get_untracked(), signal)
        .map_err(|e| format!("Settings: {e}"))?;
    Ok((settings, transport))
}

/// A race's start: the settings as they are now and one transport per
/// endpoint (the main connection first), each with its own key only, all
/// cancelled by `signal`; the error names the endpoint.
pub fn begin_race(state: &AppState, signal: web_sys::AbortSignal) -> Result<RaceStart, String> {
    begin_members(state, signal, None)
}

/// Like [`begin_race`], for a pool: each member's transport makes one
/// attempt per request (`retries` = 0), as the pool moves a failed request
/// to another member instead of retrying it where it failed.
pub fn begin_members(
    state: &AppState,
    signal: web_sys::AbortSignal,
    retries: Option<u32>,
) -> Result<RaceStart, String> {
    let main = state.settings.get_untracked();
    let adjust = |mut s: Settings| {
        if let Some(r) = retries {
            s.max_retries = r;
        }
        s
    };
    let keys = state.endpoint_keys.get_untracked();
    let first = adjust(main.clone());
    let mut transports = vec![
        crate::connect::transport(&first, &state.api_key.get_untracked(), signal.clone())
            .map_err(|e| format!("Endpoint 1 (settings): {e}"))?,
    ];
    let mut settings = vec![first];
    for (i, e) in main.endpoints.iter().enumerate() {
        let n = i + 2;
        let key = keys.get(i).map(String::as_str).unwrap_or("");
        let s = adjust(
            e.settings(&main)
                .map_err(|err| format!("Endpoint {n}: {err}"))?,
        );
        transports.push(
            crate::connect::transport(&s, key, signal.clone())
                .map_err(|err| format!("Endpoint {n}: {err}"))?,
        );
        settings.push(s);
    }
    Ok(RaceStart {
        main,
        settings,
        transports,
    })
}
