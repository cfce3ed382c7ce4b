//! App-wide state shared through context rather than props: settings, the
//! key, tasks, the chosen tasks, the language and measured durations, loaded
//! from localStorage and written back when they change.

use std::collections::HashMap;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::capacity::Targets;
use crate::settings::{API_KEY_KEY, ENDPOINT_KEYS_KEY, SETTINGS_KEY, Settings};
use crate::workflow::catalog::{TASKS_KEY, TaskCatalog};
use crate::workflow::engine::Fan;
use crate::workflow::order::{DURATIONS_KEY, DurationLog};

/// Every localStorage key Fanout writes starts with this, so "forget
/// everything" can remove them all and nothing else (a shared origin, such
/// as a GitHub Pages user site, may hold other apps' keys).
pub const STORAGE_PREFIX: &str = "fanout.";
/// The chosen colour theme ("light" or "dark"; absent = follow the system).
pub const THEME_KEY: &str = "fanout.theme";
/// Set once the first-visit guidance was dismissed.
pub const WELCOMED_KEY: &str = "fanout.welcomed";
/// How each task is sent (parts, votes), by task id.
pub const FANS_KEY: &str = "fanout.fans.v1";
/// localStorage key of the latency targets (capacity, goodput).
pub const TARGETS_KEY: &str = "fanout.targets.v1";

/// App-wide state shared through context rather than props.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The settings the panel edits.
    pub settings: RwSignal<Settings>,
    /// The API key; in memory only unless `settings.remember_key`.
    pub api_key: RwSignal<String>,
    /// The keys of race endpoints 2 to 4, in order; kept like `api_key`.
    pub endpoint_keys: RwSignal<Vec<String>>,
    /// Edited built-in tasks and the user's own tasks.
    pub tasks: RwSignal<TaskCatalog>,
    /// Ids of the tasks that run (in the workflow and in batches).
    pub selected: RwSignal<Vec<String>>,
    /// Target language of the translation task.
    pub language: RwSignal<String>,
    /// Durations measured in this browser, for expected durations.
    pub durations: RwSignal<DurationLog>,
    /// How each task is sent (split into parts, votes), by task id; a task
    /// not here is sent once.
    pub fans: RwSignal<HashMap<String, Fan>>,
    /// The batch panel's K (requests in flight at most); capacity's "Use
    /// this K" sets it from the Run view.
    pub batch_k: RwSignal<usize>,
    /// Latency targets: what a capacity search holds to, and what goodput
    /// and SLO attainment count in every per-request table.
    pub targets: RwSignal<Targets>,
}

impl AppState {
    /// How the tasks `tasks` are sent, in their order.
    pub fn fans_of(&self, tasks: &[crate::workflow::tasks::TaskDef]) -> Vec<Fan> {
        self.fans.with_untracked(|f| {
            tasks
                .iter()
                .map(|t| f.get(&t.id).cloned().unwrap_or_else(|| Fan::once(&t.id)))
                .collect()
        })
    }
}

impl AppState {
    /// Loads settings (and the key, if the user chose to keep it) from
    /// localStorage.
    /// Loads the state, provides it as context and keeps it in sync with
    /// localStorage: settings (never the key), the key only while
    /// "remember" is ticked, the tasks and the measured durations.
    pub fn provide() -> Self {
        let state = Self::load();
        provide_context(state);
        // Each effect's first run only subscribes: what was just loaded is
        // not written back at start-up.
        Effect::new(move |ran: Option<()>| {
            let s = state.settings.get();
            let (key, endpoint_keys) = (state.api_key.get(), state.endpoint_keys.get());
            if ran.is_some() {
                let _ = LocalStorage::set(SETTINGS_KEY, &s);
            }
            if ran.is_some() && s.remember_key {
                let _ = LocalStorage::set(API_KEY_KEY, key);
                let _ = LocalStorage::set(ENDPOINT_KEYS_KEY, endpoint_keys);
            } else if !s.remember_key {
                // At start too: a key is never left stored unasked.
                LocalStorage::delete(API_KEY_KEY);
                LocalStorage::delete(ENDPOINT_KEYS_KEY);
            }
        });
        Effect::new(move |ran: Option<()>| {
            state.tasks.track();
            if ran.is_some() {
                let _ = state.tasks.with(|t| LocalStorage::set(TASKS_KEY, t));
            }
        });
        Effect::new(move |ran: Option<()>| {
            state.durations.track();
            if ran.is_some() {
                let _ = state
                    .durations
                    .with(|d| LocalStorage::set(DURATIONS_KEY, d));
            }
        });
        Effect::new(move |ran: Option<()>| {
            state.fans.track();
            if ran.is_some() {
                let _ = state.fans.with(|f| LocalStorage::set(FANS_KEY, f));
            }
        });
        Effect::new(move |ran: Option<()>| {
            let t = state.targets.get();
            if ran.is_some() {
                let _ = LocalStorage::set(TARGETS_KEY, t);
            }
        });
        state
    }

    fn load() -> Self {
        let raw: Option<String> = LocalStorage::raw().get_item(SETTINGS_KEY).ok().flatten();
        let mut settings = Settings::from_json(raw.as_deref());
        let (key, endpoint_keys) = if settings.remember_key {
            (
                LocalStorage::get::<String>(API_KEY_KEY).unwrap_or_default(),
                LocalStorage::get::<Vec<String>>(ENDPOINT_KEYS_KEY).unwrap_or_default(),
            )
        } else {
            (String::new(), Vec::new())
        };
        settings.provider = settings.provider_on_open(!key.trim().is_empty());
        let tasks: Option<String> = LocalStorage::raw().get_item(TASKS_KEY).ok().flatten();
        let tasks = TaskCatalog::from_json(tasks.as_deref());
        let selected = tasks.tasks().into_iter().map(|t| t.id).collect();
        Self {
            settings: RwSignal::new(settings),
            api_key: RwSignal::new(key),
            endpoint_keys: RwSignal::new(endpoint_keys),
            tasks: RwSignal::new(tasks),
            selected: RwSignal::new(selected),
            language: RwSignal::new("Spanish".into()),
            // A log that cannot be read starts empty: it is only a cache of
            // measurements.
            durations: RwSignal::new(LocalStorage::get(DURATIONS_KEY).unwrap_or_default()),
            // Options that cannot be read are dropped: each task is then sent once.
            fans: RwSignal::new(LocalStorage::get(FANS_KEY).unwrap_or_default()),
            batch_k: RwSignal::new(6),
            // Targets that cannot be read give way to the defaults.
            targets: RwSignal::new(LocalStorage::get(TARGETS_KEY).unwrap_or_default()),
        }
    }
}
