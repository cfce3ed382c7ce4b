//! The start-order controls: "as listed" or "longest expected first", the
//! figures behind expected durations, and what each task is expected to
//! take. The rules live in `crate::workflow::order`.

use leptos::prelude::*;

use crate::components::fields::NumberField;
use crate::components::hooks;
use crate::format::duration_ms;
use crate::state::AppState;
use crate::workflow::order::{Expected, Order, Source, SpeedModel};

/// Order select plus a collapsible table of expected durations.
#[component]
pub fn OrderPanel(
    /// Each chosen task's name and expected duration, in card order.
    #[prop(into)]
    expected: Signal<Vec<(String, Expected)>>,
) -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let durations = expect_context::<AppState>().durations;
    let speed =
        move |f: fn(&SpeedModel) -> f64| Signal::derive(move || settings.with(|s| f(&s.speed)));
    let set = move |f: fn(&mut SpeedModel, f64)| {
        Callback::new(move |v: f64| settings.update(|s| f(&mut s.speed, v)))
    };
    let measured = move || durations.with(|d| d.entries.len());
    view! {
        <div class="order">
            <label class="field small" title="When fewer slots than requests are available (a concurrency limit K, a rate limit), the order requests start in decides when the last one ends.">
                <span>"Start order"</span>
                <select data-testid=hooks::ORDER
                    prop:value=move || settings.with(|s| match s.order { Order::AsListed => "as-listed", Order::LongestFirst => "longest-first" })
                    on:change=move |ev| {
                        let order = if event_target_value(&ev) == "as-listed" { Order::AsListed } else { Order::LongestFirst };
                        settings.update(|s| s.order = order);
                    }>
                    <option value="longest-first">"Longest expected first"</option>
                    <option value="as-listed">"As listed"</option>
                </select>
            </label>
            <details class="expected" data-testid=hooks::EXPECTED_DETAILS>
                <summary>"Expected durations"</summary>
                <p class="hint">
                    "Used to start the longest requests first when they cannot all start at once (task priorities come first). "
                    "A task's figure is the median of its last runs with this model and server in this browser (scaled by input length); "
                    "without any, it is estimated from the request with the figures below. "
                    {move || format!("{} measurement(s) kept.", measured())}
                </p>
                <table class="expected-table" data-testid=hooks::EXPECTED_TABLE>
                    <thead><tr><th>"Task"</th><th>"Expected"</th><th>"From"</th></tr></thead>
                    <tbody>
                        {move || expected.get().into_iter().map(|(label, e)| view! {
                            <tr>
                                <th scope="row">{label}</th>
                                <td>{duration_ms(e.ms)}</td>
                                <td>{match e.source { Source::History => "measured runs", Source::Model => "request estimate" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <div class="row">
                    <NumberField label="First token (ms)" testid="speed-ttft" min=0.0 max=60_000.0
                        value=speed(|s| s.ttft_ms) on_set=set(|s, v| s.ttft_ms = v) />
                    <NumberField label="Prompt read (tokens/s)" testid="speed-prompt" min=1.0 max=1_000_000.0
                        value=speed(|s| s.prompt_tokens_per_s) on_set=set(|s, v| s.prompt_tokens_per_s = v) />
                    <NumberField label="Answer (tokens/s)" testid="speed-rate" min=1.0 max=10_000.0
                        value=speed(|s| s.tokens_per_s) on_set=set(|s, v| s.tokens_per_s = v) />
                    <NumberField label="Share of token limit used" testid="speed-fill" min=0.05 max=1.0
                        value=speed(|s| s.fill) on_set=set(|s, v| s.fill = v) />
                </div>
                <button type="button" data-testid=hooks::FORGET_DURATIONS
                    on:click=move |_| durations.set(Default::default())>
                    "Forget measured durations"
                </button>
            </details>
        </div>
    }
}
