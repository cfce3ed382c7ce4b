//! The waterfall timeline: one row per task (or request), on one time axis.

use leptos::prelude::*;

use super::Rows;
use crate::charts::timeline::{BarGeom, TimelineFrame, TimelineRow, layout_timeline};
use crate::components::browser::use_element_width;
use crate::components::hooks;
use crate::format::duration_ms;

/// The waterfall timeline of a workflow run: one group of rows per mode.
#[component]
pub fn Timeline(
    /// Rows per mode.
    rows: Rows,
    /// Ms since the run started, while it runs.
    now: Signal<Option<f64>>,
) -> impl IntoView {
    let flat = Signal::derive(move || {
        let now_v = now.get();
        rows.with(|all| {
            all.iter()
                .flat_map(|(m, rs)| rs.iter().map(move |r| r.to_timeline(*m, now_v)))
                .collect::<Vec<TimelineRow>>()
        })
    });
    let summary = Signal::derive(move || {
        rows.with(|all| {
            all.iter()
                .map(|(m, rs)| {
                    let end = rs.iter().filter_map(|r| r.end).fold(0.0, f64::max);
                    format!(
                        "{} run: {} tasks, last finished at {}",
                        m.name(),
                        rs.len(),
                        duration_ms(end)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
    });
    view! { <TimelineChart rows=flat now=now summary=summary /> }
}

/// A waterfall timeline of any rows on one time axis (a run's modes, a
/// race's endpoints), hidden while there are none.
#[component]
pub fn TimelineChart(
    /// The bars, grouped by their `group`.
    rows: Signal<Vec<TimelineRow>>,
    /// Ms since the start, while running (draws the "now" line).
    now: Signal<Option<f64>>,
    /// What the chart shows, for screen readers.
    summary: Signal<String>,
) -> impl IntoView {
    // Drawn at the width it is shown at (1 SVG unit = 1 CSS px), so its text
    // reads the same on a phone as on a wide screen.
    let figure = NodeRef::<leptos::html::Figure>::new();
    let width = use_element_width(figure, 720.0);
    // One layout per change of rows, time or width; the SVG below is built
    // once and only the attributes whose values change are set again (the
    // bars grow and the axis rescales every tick while a run goes).
    let layout = Memo::new(move |_| {
        rows.with(|flat| {
            layout_timeline(flat, 0.0, now.get(), TimelineFrame::for_width(width.get()))
        })
    });
    let bars = Memo::new(move |_| layout.with(|l| l.bars.len()));
    let ticks = Memo::new(move |_| layout.with(|l| l.ticks.len()));
    let axis_y = move || layout.with(|l| l.axis_y);
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <figure class="timeline" node_ref=figure>
                <figcaption>"Timeline: each bar runs from request sent to answer done; the lighter start is the wait for the first token; hatched marks are waits before a retry; the faint outline behind a bar is how long the task was expected to take."</figcaption>
                <svg
                    viewBox=move || layout.with(|l| format!("0 0 {} {}", l.width, l.height))
                    role="img"
                    aria-label=summary
                    data-testid=hooks::TIMELINE
                >
                    <For each=move || 0..ticks.get() key=|i| *i let:i>
                        {
                            let tick = Memo::new(move |_| layout.with(|l| l.ticks.get(i).copied().unwrap_or_default()));
                            let x = move || tick.get().0;
                            view! {
                                <g class="tick">
                                    <line x1=x x2=x y1="0" y2=axis_y></line>
                                    <text x=x y=move || axis_y() + 16.0 text-anchor="middle">{move || duration_ms(tick.get().1)}</text>
                                </g>
                            }
                        }
                    </For>
                    <For each=move || 0..bars.get() key=|i| *i let:i>
                        <TimelineBar bar=Memo::new(move |_| layout.with(|l| l.bars.get(i).cloned())) />
                    </For>
                    {move || layout.with(|l| l.now_x).map(|x| view! { <line class="now" x1=x x2=x y1="0" y2=axis_y></line> })}
                </svg>
            </figure>
        </Show>
    }
}

/// One row of the timeline; its attributes follow the bar's geometry.
#[component]
fn TimelineBar(
    /// The bar (`None` for the moment a row is removed).
    bar: Memo<Option<BarGeom>>,
) -> impl IntoView {
    let get = move |f: fn(&BarGeom) -> f64| move || bar.with(|b| b.as_ref().map_or(0.0, f));
    let y = move |dy: f64| move || bar.with(|b| b.as_ref().map_or(0.0, |b| b.y + dy));
    // Memos, so that the marks below are rebuilt only when they change (a
    // plain task has none, and its expected bar only moves).
    let expected = Memo::new(move |_| bar.with(|b| b.as_ref().and_then(|b| b.expected_width)));
    let has_expected = Memo::new(move |_| expected.with(Option::is_some));
    let parts = Memo::new(move |_| {
        bar.with(|b| {
            b.as_ref()
                .map(|b| (b.y, b.parts.clone()))
                .unwrap_or_default()
        })
    });
    let waits = Memo::new(move |_| {
        bar.with(|b| {
            b.as_ref()
                .map(|b| (b.y, b.waits.clone()))
                .unwrap_or_default()
        })
    });
    view! {
        <g class=move || bar.with(|b| b.as_ref().map(|b| format!("bar {} {}", b.status, b.group)).unwrap_or_default())>
            <text class="label" x="4" y=y(15.0)>{move || bar.with(|b| b.as_ref().map(|b| b.label.clone()).unwrap_or_default())}</text>
            {move || has_expected.get().then(|| view! {
                <rect class="expected" data-testid=hooks::EXPECTED_BAR x=get(|b| b.x) y=y(1.0) width=move || expected.get().unwrap_or(0.0).max(1.0) height="20" rx="2"></rect>
            })}
            <rect class="total" x=get(|b| b.x) y=y(3.0) width=get(|b| b.width) height="16" rx="2"></rect>
            <rect class="ttft" x=get(|b| b.x) y=y(3.0) width=get(|b| b.ttft_width) height="16" rx="2"></rect>
            {move || {
                let (top, marks) = parts.get();
                marks.into_iter().map(|(x, w, combine)| view! {
                    <rect class=if combine { "combine" } else { "part" } data-testid=hooks::PART_MARK x=x y=top + 16.0 width=w height="3"></rect>
                }).collect_view()
            }}
            {move || {
                let (top, marks) = waits.get();
                marks.into_iter().map(|(x, w)| view! {
                    <rect class="retry-wait" data-testid=hooks::RETRY_MARK x=x y=top + 1.0 width=w height="20"></rect>
                }).collect_view()
            }}
        </g>
    }
}

/// Vertical grid lines with time labels under the axis, shared by both charts.
#[component]
pub(super) fn AxisTicks(
    /// (x, ms) of each tick.
    ticks: Vec<(f64, f64)>,
    /// y of the axis line.
    axis_y: f64,
) -> impl IntoView {
    ticks
        .into_iter()
        .map(|(x, t)| {
            view! {
                <g class="tick">
                    <line x1=x x2=x y1="0" y2=axis_y></line>
                    <text x=x y=axis_y + 16.0 text-anchor="middle">{duration_ms(t)}</text>
                </g>
            }
        })
        .collect_view()
}
