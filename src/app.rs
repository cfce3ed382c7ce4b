//! The root component: provides the state layer and composes the views.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::components::hooks;
use crate::components::{
    BatchPanel, ConnectionBar, HistoryPanel, PromptPanel, SettingsOpen, SettingsPanel, SharedRun,
    WorkflowPanel, use_hash_view, use_next_task,
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
    crate::state::Storage::provide();
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
    // Start-up is several short tasks rather than one long one: this frame
    // (header, navigation), then the connection bar, then the view shown,
    // then the other views one per task (or at once when navigated to).
    // Once drawn, a view stays mounted.
    let bar_drawn = use_next_task();
    let drawn = use_drawn_views(current);

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
        <Show when=move || bar_drawn.get()>
            <ConnectionBar />
        </Show>
        <Show when=move || settings_open.get()>
            <SettingsPanel />
        </Show>
        <main class="views-main">
            <Show when=move || bar_drawn.get()>
                <SharedRun />
            </Show>
            {View::ALL.into_iter().map(|v| view! {
                <div data-testid=format!("view-{}", v.name()) hidden=hidden(v)>
                    <Show when=move || drawn.is(v)>{panel(v)}</Show>
                </div>
            }).collect_view()}
        </main>
    }
}

/// The panel that shows `view`.
fn panel(view: View) -> AnyView {
    match view {
        View::Run => view! { <WorkflowPanel /> }.into_any(),
        View::Batch => view! { <BatchPanel /> }.into_any(),
        View::History => view! { <HistoryPanel /> }.into_any(),
        View::Prompt => view! { <PromptPanel /> }.into_any(),
    }
}

/// Which views are drawn: the one shown at start in the task after the
/// page's frame, a view navigated to at once, the rest one per task after
/// it, in [`View::draw_order`].
#[derive(Clone, Copy)]
struct DrawnViews {
    order: [View; 4],
    flags: [RwSignal<bool>; 4],
}

impl DrawnViews {
    fn index(self, v: View) -> usize {
        self.order.iter().position(|x| *x == v).unwrap_or(0)
    }

    /// Whether `v` is drawn (tracked).
    fn is(self, v: View) -> bool {
        self.flags[self.index(v)].get()
    }

    fn draw(self, i: usize) {
        if !self.flags[i].get_untracked() {
            self.flags[i].set(true);
        }
    }

    /// A timer per view, each after the previous one's task.
    fn draw_from(self, i: usize) {
        if i >= self.flags.len() {
            return;
        }
        set_timeout(
            move || {
                self.draw(i);
                self.draw_from(i + 1);
            },
            std::time::Duration::ZERO,
        );
    }
}

fn use_drawn_views(current: ReadSignal<View>) -> DrawnViews {
    let views = DrawnViews {
        order: View::draw_order(current.get_untracked()),
        flags: std::array::from_fn(|_| RwSignal::new(false)),
    };
    Effect::new(move |_| {
        let v = current.get();
        // Navigated to after start-up: drawn at once.
        if views.flags.iter().any(|f| f.get_untracked()) {
            views.draw(views.index(v));
        }
    });
    // The shown view in the task after the page's frame (header, connection
    // bar), the others one per task once it is on its way to the screen.
    set_timeout(
        move || {
            views.draw(0);
            request_animation_frame(move || views.draw_from(1));
        },
        std::time::Duration::ZERO,
    );
    views
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
            <select data-testid=hooks::THEME on:change=move |ev| set_theme.set(event_target_value(&ev))>
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
