//! The connection bar on every view: provider, model, key state, "Test
//! connection", and the button that opens the full settings.

use leptos::prelude::*;

use crate::components::hooks;
use crate::components::job::{UseJobOptions, use_job};
use crate::openai::list_models;
use crate::openai::request::host_of;
use crate::providers::preset_for;
use crate::settings::Provider;
use crate::state::AppState;

/// Whether the full settings panel is open; provided by the root so the bar
/// and the panel share it.
#[derive(Clone, Copy)]
pub struct SettingsOpen(pub RwSignal<bool>);

/// Outcome of the last connection test.
#[derive(Debug, Clone, PartialEq)]
enum Connection {
    Untested,
    Testing,
    Ok(Vec<String>),
    Failed(String),
}

/// The compact bar: what the page talks to, and the way to the settings.
#[component]
pub fn ConnectionBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let SettingsOpen(open) = expect_context::<SettingsOpen>();
    let settings = state.settings;
    let (connection, set_connection) = signal(Connection::Untested);
    let job = use_job(UseJobOptions::default());

    let provider = move || {
        settings.with(|s| match s.provider {
            Provider::Demo => "Demo (simulated)".to_string(),
            Provider::Api => preset_for(&s.base_url)
                .map(|p| p.name.to_string())
                .unwrap_or_else(|| host_of(&s.base_url).to_string()),
        })
    };
    let key_state = move || {
        let demo = settings.with(|s| s.provider == Provider::Demo);
        let has_key = state.api_key.with(|k| !k.trim().is_empty());
        match (demo, has_key) {
            (true, _) => "no key needed",
            (false, true) => "key set",
            (false, false) => "no key",
        }
    };

    let test_connection = move |_| {
        let cfg = match settings
            .get_untracked()
            .client_config(&state.api_key.get_untracked())
        {
            Ok(c) => c,
            Err(e) => {
                set_connection.set(Connection::Failed(e.to_string()));
                return;
            }
        };
        job.start(|signal| {
            Ok(async move {
                let result = list_models(&cfg, &signal).await;
                // The bar may be gone (a reload in a test); then nothing to show.
                let _ = set_connection.try_set(match result {
                    Ok(models) => Connection::Ok(models.into_iter().map(|m| m.id).collect()),
                    Err(e) => Connection::Failed(e.to_string()),
                });
            })
        });
        set_connection.set(Connection::Testing);
    };
    let models = move || match connection.get() {
        Connection::Ok(m) => m,
        _ => Vec::new(),
    };

    view! {
        <div class="connection-bar" data-testid=hooks::CONNECTION_BAR>
            <dl class="connection-facts">
                <div><dt>"Provider"</dt><dd data-testid=hooks::BAR_PROVIDER>{provider}</dd></div>
                <div><dt>"Model"</dt><dd data-testid=hooks::BAR_MODEL>{move || settings.with(|s| s.model.clone())}</dd></div>
                <div><dt>"Key"</dt><dd data-testid=hooks::BAR_KEY>{key_state}</dd></div>
            </dl>
            <button
                type="button"
                data-testid=hooks::TEST_CONNECTION
                disabled=move || connection.get() == Connection::Testing
                on:click=test_connection
            >
                "Test connection"
            </button>
            <button
                type="button"
                data-testid=hooks::SETTINGS_OPEN
                aria-expanded=move || open.get().to_string()
                aria-controls="settings"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || if open.get() { "Close settings" } else { "Settings" }}
            </button>
            <Show when=move || settings.with(|s| s.provider == Provider::Demo)>
                <p class="demo-banner" role="status" data-testid=hooks::DEMO_BANNER>
                    <strong>"Demo: "</strong>
                    "simulated, nothing is sent. "
                    <button type="button" class="link" data-testid=hooks::USE_API
                        on:click=move |_| {
                            settings.update(|s| s.provider = Provider::Api);
                            open.set(true);
                        }>
                        "Use a real API"
                    </button>
                </p>
            </Show>
        </div>
        <datalist id="model-options">
            <For each=models key=|m| m.clone() let:m>
                <option value=m.clone()></option>
            </For>
        </datalist>
        <div class="connection" aria-live="polite" data-testid=hooks::CONNECTION_STATUS>
            {move || match connection.get() {
                Connection::Untested => ().into_any(),
                Connection::Testing => view! { <p>"Testing…"</p> }.into_any(),
                Connection::Ok(models) => {
                    let n = models.len();
                    view! {
                        <p class="ok">{format!("Connected: {n} models. Pick one:")}</p>
                        <ul class="model-list" data-testid=hooks::MODEL_LIST>
                            {models
                                .into_iter()
                                .map(|id| {
                                    let pick = id.clone();
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class="link"
                                                on:click=move |_| settings.update(|s| s.model = pick.clone())
                                            >
                                                {id}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
                Connection::Failed(msg) => {
                    view! { <p class="error" data-testid=hooks::CONNECTION_ERROR role="alert">{msg}</p> }.into_any()
                }
            }}
        </div>
    }
}
