//! The root component and the app-wide context.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::components::{BatchPanel, PromptPanel, SettingsPanel, WorkflowPanel};
use crate::settings::{API_KEY_KEY, Provider, SETTINGS_KEY, Settings};
use crate::workflow::catalog::{TASKS_KEY, TaskCatalog};
use crate::workflow::order::{DURATIONS_KEY, DurationLog};

/// Every localStorage key Fanout writes starts with this, so "forget
/// everything" can remove them all and nothing else (a shared origin, such
/// as a GitHub Pages user site, may hold other apps' keys).
pub const STORAGE_PREFIX: &str = "fanout.";

/// App-wide state shared through context rather than props.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The settings the panel edits.
    pub settings: RwSignal<Settings>,
    /// The API key; in memory only unless `settings.remember_key`.
    pub api_key: RwSignal<String>,
    /// Edited built-in tasks and the user's own tasks.
    pub tasks: RwSignal<TaskCatalog>,
    /// Ids of the tasks that run (in the workflow and in batches).
    pub selected: RwSignal<Vec<String>>,
    /// Target language of the translation task.
    pub language: RwSignal<String>,
    /// Durations measured in this browser, for expected durations.
    pub durations: RwSignal<DurationLog>,
}

impl AppState {
    /// Loads settings (and the key, if the user chose to keep it) from
    /// localStorage.
    fn load() -> Self {
        let raw: Option<String> = LocalStorage::raw().get_item(SETTINGS_KEY).ok().flatten();
        let mut settings = Settings::from_json(raw.as_deref());
        let key = if settings.remember_key {
            LocalStorage::get::<String>(API_KEY_KEY).unwrap_or_default()
        } else {
            String::new()
        };
        settings.provider = settings.provider_on_open(!key.trim().is_empty());
        let tasks: Option<String> = LocalStorage::raw().get_item(TASKS_KEY).ok().flatten();
        let tasks = TaskCatalog::from_json(tasks.as_deref());
        let selected = tasks.tasks().into_iter().map(|t| t.id).collect();
        Self {
            settings: RwSignal::new(settings),
            api_key: RwSignal::new(key),
            tasks: RwSignal::new(tasks),
            selected: RwSignal::new(selected),
            language: RwSignal::new("Spanish".into()),
            // A log that cannot be read starts empty: it is only a cache of
            // measurements.
            durations: RwSignal::new(LocalStorage::get(DURATIONS_KEY).unwrap_or_default()),
        }
    }
}

/// Fanout's page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::load();
    provide_context(state);

    // Sync with the outside world: settings (never the key) to localStorage,
    // and the key only while "remember" is ticked.
    Effect::new(move |_| {
        let s = state.settings.get();
        let _ = LocalStorage::set(SETTINGS_KEY, &s);
        if s.remember_key {
            let _ = LocalStorage::set(API_KEY_KEY, state.api_key.get());
        } else {
            LocalStorage::delete(API_KEY_KEY);
        }
    });

    Effect::new(move |_| {
        let _ = LocalStorage::set(TASKS_KEY, state.tasks.get());
    });
    Effect::new(move |_| {
        let _ = LocalStorage::set(DURATIONS_KEY, state.durations.get());
    });

    view! {
        <header class="app-header">
            <h1>"Fanout"</h1>
            <p class="tagline">"Run LLM tasks in parallel, straight from your browser, and see what it buys."</p>
        </header>
        <Show when=move || state.settings.with(|s| s.provider == Provider::Demo)>
            <p class="demo-banner" role="status" data-testid="demo-banner">
                <strong>"Demo mode: "</strong>
                "answers and timings are simulated inside this page; nothing is sent anywhere and no key is needed. "
                "To use a real API, choose \"OpenAI-compatible API\" under Settings › Provider and enter your key (or a local server's URL). "
                <button type="button" class="link" data-testid="use-api"
                    on:click=move |_| state.settings.update(|s| s.provider = Provider::Api)>
                    "Switch to the API"
                </button>
            </p>
        </Show>
        <main class="layout">
            <SettingsPanel />
            <div class="main-col">
                <WorkflowPanel />
                <BatchPanel />
                <PromptPanel />
            </div>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::order::DURATIONS_KEY;

    #[test]
    fn every_stored_key_is_one_that_forgetting_removes() {
        for key in [SETTINGS_KEY, API_KEY_KEY, TASKS_KEY, DURATIONS_KEY] {
            assert!(key.starts_with(STORAGE_PREFIX), "{key}");
        }
    }
}
