//! The concurrency sweep: measured speedup at each K against the ideal.

use leptos::prelude::*;

use crate::charts::sweep::layout_sweep;
use crate::components::hooks;
use crate::format::duration_ms;
use crate::workflow::runner::ideal_speedup;

/// The concurrency sweep: measured speedup at each K against the ideal.
#[component]
pub fn SweepChart(
    /// (K, wall ms) of each run, K = 1 first.
    points: RwSignal<Vec<(usize, f64)>>,
    /// How many tasks each run had.
    tasks: RwSignal<usize>,
) -> impl IntoView {
    // Speedup against the K = 1 run, beside the best K slots can give.
    let rows = move || {
        let n = tasks.get();
        points.with(|p| {
            let base = p.first().map(|x| x.1).unwrap_or(0.0);
            p.iter()
                .map(|(k, wall)| {
                    let speedup = if *wall > 0.0 { base / wall } else { 0.0 };
                    (*k, *wall, speedup, ideal_speedup(n, *k))
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || points.with(|p| !p.is_empty())>
            <figure class="sweep">
                <figcaption>"Concurrency sweep: measured speedup over K = 1 (solid) against the ideal for these tasks (dashed). Where the solid line flattens, more parallelism stops paying."</figcaption>
                {move || {
                    let r = rows();
                    let l = layout_sweep(&r.iter().map(|x| (x.0, x.2, x.3)).collect::<Vec<_>>(), 330.0, 140.0);
                    let label = r.iter().map(|x| format!("K {}: speedup {:.2} (ideal {:.2})", x.0, x.2, x.3)).collect::<Vec<_>>().join("; ");
                    view! {
                        <svg viewBox=format!("0 0 {} {}", l.width, l.height) role="img" aria-label=label data-testid=hooks::SWEEP_CHART>
                            <polyline class="ideal" points=l.ideal fill="none"></polyline>
                            <polyline class="measured" points=l.measured fill="none"></polyline>
                            {l.dots.iter().map(|(x, y, k)| view! {
                                <g>
                                    <circle cx=*x cy=*y r="3"></circle>
                                    <text x=*x y=l.height - 4.0 text-anchor="middle">{format!("K={k}")}</text>
                                </g>
                            }).collect_view()}
                        </svg>
                    }
                }}
                <table class="per-task" data-testid=hooks::SWEEP_TABLE>
                    <thead><tr><th scope="col">"K"</th><th scope="col">"Wall"</th><th scope="col">"Speedup"</th><th scope="col">"Ideal"</th></tr></thead>
                    <tbody>
                        {move || rows().into_iter().map(|(k, wall, s, ideal)| view! {
                            <tr><th scope="row">{k}</th><td>{duration_ms(wall)}</td><td>{format!("{s:.2}")}</td><td>{format!("{ideal:.2}")}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </figure>
        </Show>
    }
}
