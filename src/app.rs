//! The root component: provides the state layer and composes the views.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::components::{BatchPanel, HistoryPanel, PromptPanel, SettingsPanel, WorkflowPanel};
use crate::samples::SAMPLES;
use crate::settings::Provider;
use crate::state::app::{THEME_KEY, WELCOMED_KEY};
use crate::state::{AppState, History};
use crate::workflow::cost::price_for;
use crate::workflow::engine::{RunSpec, cost_ceiling};

/// Fanout's page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::provide();
    History::provide();

    view! {
        <header class="app-header">
            <div>
                <h1>"Fanout"</h1>
                <p class="tagline">"Run LLM tasks in parallel, straight from your browser, and see what it buys."</p>
            </div>
            <ThemeSwitch />
        </header>
        <Welcome />
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
                <HistoryPanel />
            </div>
        </main>
    }
}

/// Light, dark, or the system's theme; the choice is kept on the device and
/// applied as `data-theme` on the document element (the CSS does the rest).
#[component]
fn ThemeSwitch() -> impl IntoView {
    let stored: Option<String> = LocalStorage::raw().get_item(THEME_KEY).ok().flatten();
    let (theme, set_theme) = signal(stored.unwrap_or_default());
    Effect::new(move |_| {
        let t = theme.get();
        let root = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element());
        if t == "light" || t == "dark" {
            let _ = LocalStorage::raw().set_item(THEME_KEY, &t);
            if let Some(root) = &root {
                let _ = root.set_attribute("data-theme", &t);
            }
        } else {
            let _ = LocalStorage::raw().remove_item(THEME_KEY);
            if let Some(root) = &root {
                let _ = root.remove_attribute("data-theme");
            }
        }
    });
    view! {
        <label class="field theme">
            <span>"Theme"</span>
            <select data-testid="theme" on:change=move |ev| set_theme.set(event_target_value(&ev))>
                {[("", "As the system"), ("light", "Light"), ("dark", "Dark")].into_iter().map(|(v, label)| view! {
                    <option value=v selected=move || theme.get() == v>{label}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// First-visit guidance: what a key is, where it stays, what a run costs.
#[component]
fn Welcome() -> impl IntoView {
    let state = expect_context::<AppState>();
    let seen = LocalStorage::raw()
        .get_item(WELCOMED_KEY)
        .ok()
        .flatten()
        .is_some();
    let (open, set_open) = signal(!seen);
    // The most a compare run of the six tasks on the first sample costs with
    // the current model and prices (13 requests: a tiny warm-up, then each
    // task once per mode, every answer as long as its limit).
    let ceiling = move || {
        let s = state.settings.get();
        let spec = RunSpec {
            text: SAMPLES[0].text.to_string(),
            tasks: state.tasks.with(|c| c.tasks()),
            ..s.run_spec("Spanish")
        };
        match price_for(&s.prices, &s.model) {
            Some(p) => format!(
                "A compare run of the {} tasks on a sample text with {} sends {} requests and costs at most ${:.4} at the prices in the settings (usually far less: answers rarely reach their token limit).",
                spec.tasks.len(),
                s.model,
                2 * spec.tasks.len() + 1,
                cost_ceiling(&spec, p, 2)
            ),
            None => format!(
                "The model {} has no price in the settings, so the page cannot estimate what a run costs; add its price to see it.",
                s.model
            ),
        }
    };
    view! {
        <Show when=move || open.get()>
            <section class="welcome" aria-labelledby="welcome-title" data-testid="welcome">
                <h2 id="welcome-title">"Welcome to Fanout"</h2>
                <ul>
                    <li>"Fanout sends six tasks (summary, sentiment, keywords, …) about one text to a language model, one after another and all at once, and shows how much time running them in parallel saves."</li>
                    <li><strong>"No key yet? "</strong>"The page starts in demo mode: answers and times are simulated in the page and nothing leaves it."</li>
                    <li><strong>"An API key "</strong>"is a secret from your OpenAI account (platform.openai.com › API keys) that lets this page call the API on your behalf; calls are billed to that account. A local server (llama.cpp, vLLM, Ollama, LM Studio) needs none: set its URL under Settings."</li>
                    <li><strong>"Where it stays: "</strong>"the key is kept in this tab's memory and sent only to the base URL in the settings; it is saved on this device only if you tick \"Remember the key\". There is no Fanout server."</li>
                    <li><strong>"Cost: "</strong><span data-testid="welcome-cost">{ceiling}</span></li>
                </ul>
                <button type="button" class="primary" data-testid="welcome-dismiss" on:click=move |_| {
                    let _ = LocalStorage::raw().set_item(WELCOMED_KEY, "1");
                    set_open.set(false);
                }>"Got it"</button>
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::{API_KEY_KEY, SETTINGS_KEY};
    use crate::state::app::{STORAGE_PREFIX, THEME_KEY, WELCOMED_KEY};
    use crate::workflow::catalog::TASKS_KEY;
    use crate::workflow::order::DURATIONS_KEY;

    #[test]
    fn every_stored_key_is_one_that_forgetting_removes() {
        for key in [
            SETTINGS_KEY,
            API_KEY_KEY,
            TASKS_KEY,
            DURATIONS_KEY,
            THEME_KEY,
            WELCOMED_KEY,
        ] {
            assert!(key.starts_with(STORAGE_PREFIX), "{key}");
        }
    }
}
