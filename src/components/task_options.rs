//! A task's sending options: cut into parts (how they come back together)
//! and votes. Kept per task id in [`AppState::fans`].

use leptos::prelude::*;

use crate::components::fields::NumberField;
use crate::state::AppState;
use crate::workflow::engine::{Fan, MAX_PARTS, MAX_VOTES};
use crate::workflow::split::Stitch;

/// The options of task `id`.
#[component]
pub fn TaskOptions(
    /// Task id.
    id: String,
    /// Task name.
    label: String,
) -> impl IntoView {
    let fans = expect_context::<AppState>().fans;
    let key = StoredValue::new(id.clone());
    // One reader and one writer for every option (one view type each).
    let read = move |f: fn(&Fan) -> String| {
        move || key.with_value(|id| fans.with(|m| f(m.get(id).unwrap_or(&Fan::once(id)))))
    };
    let write = move |f: &dyn Fn(&mut Fan)| {
        key.with_value(|id| {
            fans.update(|m| f(m.entry(id.clone()).or_insert_with(|| Fan::once(id))))
        })
    };
    let number = move |f: fn(&Fan) -> usize| {
        Signal::derive(move || {
            key.with_value(|id| fans.with(|m| f(m.get(id).unwrap_or(&Fan::once(id)))))
        })
    };
    let combine_id = format!("combine-{id}");
    let combines =
        move || read(|f| (f.stitch == Stitch::Combine && f.parts != 1).to_string())() == "true";
    view! {
        <div class="task-options" data-testid=format!("task-options-{id}-panel") role="group" aria-label="How this task is sent">
            <h4>{format!("Parts and votes: {label}")}</h4>
            <div class="row">
                <NumberField label="Parts (1 = not split, 0 = auto)" testid=format!("split-{id}") min=0usize max=MAX_PARTS
                    value=number(|f| f.parts) on_set=Callback::new(move |v| write(&|f| f.parts = v)) />
                <label class="field small">
                    <span>"Parts come back"</span>
                    <select data-testid=format!("stitch-{id}") prop:value=read(|f| stitch_name(f.stitch).into())
                        on:change=move |ev| {
                            let s = match event_target_value(&ev).as_str() {
                                "concat" => Stitch::Concat,
                                "merge" => Stitch::Merge,
                                _ => Stitch::Combine,
                            };
                            write(&|f| f.stitch = s);
                        }>
                        <option value="concat">"joined in order"</option>
                        <option value="merge">"list items merged"</option>
                        <option value="combine">"combined by one more request"</option>
                    </select>
                </label>
                <NumberField label="Votes (answers asked for)" testid=format!("votes-{id}") min=1usize max=MAX_VOTES
                    value=number(|f| f.votes) on_set=Callback::new(move |v| write(&|f| f.votes = v)) />
                <label class="field small">
                    <span>"Vote temperature (empty = server's)"</span>
                    <input type="number" min="0" max="2" step="0.1" data-testid=format!("temperature-{id}")
                        prop:value=read(|f| f.temperature.map(|t| t.to_string()).unwrap_or_default())
                        on:change=move |ev| {
                            let t = event_target_value(&ev).trim().parse::<f32>().ok().filter(|t| (0.0..=2.0).contains(t));
                            write(&|f| f.temperature = t);
                        } />
                </label>
            </div>
            <Show when=combines>
                <label class="field">
                    <span>"Combine prompt ({task}: the task, {answers}: the parts' answers)"</span>
                    <textarea rows="3" data-testid=combine_id.clone() prop:value=read(|f| f.combine_prompt.clone())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            write(&|f| f.combine_prompt = v.clone());
                        }></textarea>
                </label>
            </Show>
            <p class="hint">"Parts run side by side on pieces of the text cut at paragraphs, then sentences; votes ask the same task several times and compare the answers."</p>
        </div>
    }
}

fn stitch_name(s: Stitch) -> &'static str {
    match s {
        Stitch::Concat => "concat",
        Stitch::Merge => "merge",
        Stitch::Combine => "combine",
    }
}
