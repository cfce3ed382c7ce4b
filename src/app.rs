//! The root component: provides the state layer and composes the views.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::components::{
    BatchPanel, ConnectionBar, HistoryPanel, PromptPanel, SettingsOpen, SettingsPanel,
    WorkflowPanel, use_hash_view,
};
use crate::state::app::THEME_KEY;
use crate::state::route::View;
use crate::state::{AppState, History};

/// Fanout's page: a header with the views' navigation, the connection bar,
/// and one view at a time (each stays mounted, so a run or a batch goes on
/// while another view is shown).
#[component]
pub fn App() -> impl IntoView {
    AppState::provide();
    History::provide();
    let settings_open = RwSignal::new(false);
    provide_context(SettingsOpen(settings_open));
    let current = use_hash_view();
    // The tab's title names the view (history entries read better too).
    Effect::new(move |_| {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title(&format!("Fanout · {}", current.get().label()));
        }
    });
    let hidden = move |v: View| move || current.get() != v;

    view! {
        <header class="app-header">
            <h1 class="brand">"Fanout"</h1>
            <nav class="views" aria-label="Views">
                {View::ALL.into_iter().map(|v| view! {
                    <a
                        href=v.hash()
                        data-testid=format!("nav-{}", v.name())
                        aria-current=move || (current.get() == v).then_some("page")
                    >
                        {v.label()}
                    </a>
                }).collect_view()}
            </nav>
            <ThemeSwitch />
        </header>
        <ConnectionBar />
        <Show when=move || settings_open.get()>
            <SettingsPanel />
        </Show>
        <main class="views-main">
            <div data-testid="view-run" hidden=hidden(View::Run)><WorkflowPanel /></div>
            <div data-testid="view-batch" hidden=hidden(View::Batch)><BatchPanel /></div>
            <div data-testid="view-history" hidden=hidden(View::History)><HistoryPanel /></div>
            <div data-testid="view-prompt" hidden=hidden(View::Prompt)><PromptPanel /></div>
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
            <span class="visually-hidden">"Theme"</span>
            <select data-testid="theme" on:change=move |ev| set_theme.set(event_target_value(&ev))>
                {[("", "System theme"), ("light", "Light"), ("dark", "Dark")].into_iter().map(|(v, label)| view! {
                    <option value=v selected=move || theme.get() == v>{label}</option>
                }).collect_view()}
            </select>
        </label>
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
