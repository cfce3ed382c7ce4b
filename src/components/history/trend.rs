//! Speedup and median task latency per model over time.

use leptos::prelude::*;

use crate::charts::trend::layout_trend;
use crate::format::duration_ms;
use crate::history::query::trend;
use crate::history::record::RunRecord;

/// Speedup and median task latency per model over time.
#[component]
pub(super) fn TrendChart(
    /// The history.
    runs: RwSignal<Vec<RunRecord>>,
) -> impl IntoView {
    let series = Memo::new(move |_| runs.with(|r| trend(r)));
    let chart = move |what: &'static str| {
        let data: Vec<(String, Vec<(f64, f64)>)> = series.with(|s| {
            s.iter()
                .map(|x| {
                    (
                        x.model.clone(),
                        if what == "speedup" {
                            x.speedup.clone()
                        } else {
                            x.latency.clone()
                        },
                    )
                })
                .filter(|x| !x.1.is_empty())
                .collect()
        });
        let l = layout_trend(&data, 360.0, 150.0);
        let show = move |v: f64| {
            if what == "speedup" {
                format!("{v:.2}")
            } else {
                duration_ms(v)
            }
        };
        let label = data
            .iter()
            .map(|(m, p)| {
                format!(
                    "{m}: {}",
                    p.iter().map(|x| show(x.1)).collect::<Vec<_>>().join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        view! {
            <svg viewBox=format!("0 0 {} {}", l.width, l.height) role="img" aria-label=format!("{what} over time: {label}") data-testid=format!("trend-{what}")>
                {l.ticks.iter().map(|(y, v)| view! {
                    <g class="tick">
                        <line x1=l.x0 x2=l.width - 8.0 y1=*y y2=*y></line>
                        <text x=l.x0 - 4.0 y=*y + 4.0 text-anchor="end">{show(*v)}</text>
                    </g>
                }).collect_view()}
                {l.lines.iter().enumerate().map(|(i, line)| view! {
                    <g class=format!("series s{}", i % 6)>
                        <polyline points=line.points.clone() fill="none"></polyline>
                        {line.dots.iter().map(|(x, y, v)| view! {
                            <circle cx=*x cy=*y r="3"><title>{format!("{}: {}", line.model, show(*v))}</title></circle>
                        }).collect_view()}
                    </g>
                }).collect_view()}
            </svg>
        }
    };
    view! {
        <Show when=move || series.with(|s| !s.is_empty())
            fallback=|| view! { <p class="hint">"The trend chart appears once runs against a model (not the demo) are kept."</p> }>
            <figure class="trend">
                <figcaption>"Trend per model, oldest run on the left: speedup (sequential ÷ parallel) and median task latency."</figcaption>
                <div class="trend-charts">
                    {move || chart("speedup")}
                    {move || chart("latency")}
                </div>
                <ul class="legend">
                    {move || series.with(|s| s.iter().enumerate().map(|(i, x)| view! {
                        <li class=format!("series s{}", i % 6)>{x.model.clone()}</li>
                    }).collect_view())}
                </ul>
            </figure>
        </Show>
    }
}
