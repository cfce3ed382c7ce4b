//! First-visit guidance on the Run view: one paragraph and a button that
//! runs a simulated compare.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::components::hooks;
use crate::samples::SAMPLES;
use crate::state::AppState;
use crate::state::app::WELCOMED_KEY;
use crate::workflow::cost::price_for;
use crate::workflow::engine::{RunSpec, cost_ceiling};

/// What Fanout does, where the key stays and what a run costs, until the
/// user dismisses it (kept on the device).
#[component]
pub fn Welcome(
    /// Runs a demo compare (the welcome closes first).
    on_run_demo: Callback<()>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let seen = LocalStorage::raw()
        .get_item(WELCOMED_KEY)
        .ok()
        .flatten()
        .is_some();
    let (open, set_open) = signal(!seen);
    let dismiss = move || {
        let _ = LocalStorage::raw().set_item(WELCOMED_KEY, "1");
        set_open.set(false);
    };
    // The most a compare run of the tasks on the first sample costs with the
    // current model and prices (a tiny warm-up, then each task once per
    // mode, every answer as long as its limit).
    let ceiling = move || {
        let s = state.settings.get();
        let spec = RunSpec {
            text: SAMPLES[0].text.to_string(),
            tasks: state.tasks.with(|c| c.tasks()),
            ..s.run_spec("Spanish")
        };
        match price_for(&s.prices, &s.model) {
            Some(p) => format!(
                "With {}, a compare run sends {} requests and costs at most ${:.4}.",
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
            <section class="welcome" aria-label="Welcome" data-testid=hooks::WELCOME>
                <p>
                    "Fanout runs tasks on one text one after another and all at once, and shows what parallelism saves. "
                    "This is a simulation; add your API key (kept in this tab, sent only to the base URL you set) to use a real model. "
                    <span data-testid=hooks::WELCOME_COST>{ceiling}</span>
                </p>
                <div class="row">
                    <button type="button" class="primary" data-testid=hooks::WELCOME_RUN_DEMO on:click=move |_| {
                        dismiss();
                        on_run_demo.run(());
                    }>"Run a demo compare"</button>
                    <button type="button" data-testid=hooks::WELCOME_DISMISS on:click=move |_| dismiss()>"Got it"</button>
                </div>
            </section>
        </Show>
    }
}
