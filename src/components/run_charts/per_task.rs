//! Per-task durations per mode, as bars and as a table.

use leptos::prelude::*;

use super::timeline::AxisTicks;
use crate::charts::bars::{BAR_HEIGHT, layout_bars};
use crate::components::hooks;
use crate::format::duration_ms;
use crate::workflow::live::RunResults;

/// Per-task durations, sequential and parallel side by side.
#[component]
pub fn PerTaskBars(
    /// Results so far.
    results: RwSignal<RunResults>,
) -> impl IntoView {
    let description = move || {
        results.with(|r| {
            r.per_task
                .iter()
                .map(|(l, s, p)| {
                    format!(
                        "{l}: sequential {}, parallel {}",
                        s.map(duration_ms).unwrap_or("–".into()),
                        p.map(duration_ms).unwrap_or("–".into())
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
    };
    view! {
        <Show when=move || results.with(|r| !r.per_task.is_empty())>
            <figure class="bars">
                <figcaption>"Per-task duration: upper bar sequential, lower bar parallel (same scale)."</figcaption>
                {move || {
                    let l = results.with(|r| layout_bars(&r.per_task, 720.0, 150.0));
                    view! {
                        <svg viewBox=format!("0 0 {} {}", l.width, l.height) role="img" aria-label=description() data-testid=hooks::PER_TASK_BARS>
                            <AxisTicks ticks=l.ticks.clone() axis_y=l.axis_y />
                            {l.pairs.iter().map(|p| view! {
                                <g>
                                    <text class="label" x="4" y=p.y + BAR_HEIGHT + 3.0>{p.label.clone()}</text>
                                    {p.sequential.map(|w| view! { <rect class="seq" x=l.x0 y=p.y width=w height=BAR_HEIGHT></rect> })}
                                    {p.parallel.map(|w| view! { <rect class="par" x=l.x0 y=p.y + BAR_HEIGHT width=w height=BAR_HEIGHT></rect> })}
                                </g>
                            }).collect_view()}
                        </svg>
                    }
                }}
            </figure>
        </Show>
    }
}

/// The same numbers as a table, per task and mode.
#[component]
pub fn PerTaskTable(
    /// Results so far.
    results: RwSignal<RunResults>,
) -> impl IntoView {
    let ms = |v: Option<f64>| v.map(duration_ms).unwrap_or_else(|| "–".into());
    view! {
        <Show when=move || results.with(|r| !r.per_task.is_empty())>
            <table class="per-task" data-testid=hooks::PER_TASK_TABLE>
                <caption>"Per-task duration (last run of each mode)"</caption>
                <thead>
                    <tr><th scope="col">"Task"</th><th scope="col">"Sequential"</th><th scope="col">"Parallel"</th></tr>
                </thead>
                <tbody>
                    {move || results.with(|r| r.per_task.iter().map(|(label, s, p)| view! {
                        <tr><th scope="row">{label.clone()}</th><td>{ms(*s)}</td><td>{ms(*p)}</td></tr>
                    }).collect_view())}
                </tbody>
            </table>
        </Show>
    }
}
