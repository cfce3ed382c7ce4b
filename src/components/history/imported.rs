//! Another tool's results, reopened: where they came from and each of their
//! benchmarks' figures in our units and names ("–" where the file has none).

use leptos::prelude::*;

use crate::components::hooks;
use crate::components::run_charts::TimelineChart;
use crate::format::duration_ms;
use crate::history::foreign::{Dist, Imported, TIMELINE_REQUESTS};

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), duration_ms)
}

fn fine(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.1} ms"))
}

fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
}

fn spread(d: &Dist, show: fn(Option<f64>) -> String) -> String {
    format!(
        "{} / {} / {} / {}",
        show(d.mean),
        show(d.median),
        show(d.p90),
        show(d.p99)
    )
}

/// The benchmarks of an imported file.
#[component]
pub fn ImportedResults(
    /// The file's results.
    imported: Imported,
) -> impl IntoView {
    let source = imported.source;
    // Requests the file gives with start times, on the same timeline as
    // our runs' (a long benchmark: its first requests).
    let bars: Vec<_> = imported
        .points
        .iter()
        .flat_map(|p| p.timeline(TIMELINE_REQUESTS))
        .collect();
    let cut = imported
        .points
        .iter()
        .any(|p| p.requests.len() > TIMELINE_REQUESTS && !p.timeline(1).is_empty());
    let summary = format!(
        "Requests from the {} file over time: {} shown",
        source.label(),
        bars.len()
    );
    let timeline = (!bars.is_empty()).then(|| {
        view! {
            {cut.then(|| view! { <p class="hint">{format!("The timeline draws the first {TIMELINE_REQUESTS} requests of each benchmark by start.")}</p> })}
            <TimelineChart rows=Signal::stored(bars) now=Signal::stored(None) summary=Signal::stored(summary) />
        }
    });
    view! {
        <section class="imported" data-testid=hooks::IMPORTED_RESULTS data-source=source.name()>
            <p class="hint">{format!(
                "Imported from {} (\"{}\"): figures as the file gives them, in ms and per second, under this page's names (TPOT and ITL as vLLM defines them; docs/timings.md maps each tool's names). \"–\": the file has no such figure.",
                source.label(), imported.file
            )}</p>
            <div class="table-scroll">
                <table class="per-task">
                    <caption>"Each benchmark: mean / p50 / p90 / p99"</caption>
                    <thead><tr>
                        <th scope="col">"Benchmark"</th>
                        <th scope="col">"Answered / failed"</th>
                        <th scope="col">"First token"</th>
                        <th scope="col">"TPOT"</th>
                        <th scope="col">"ITL"</th>
                        <th scope="col">"End to end"</th>
                        <th scope="col">"Requests/s"</th>
                        <th scope="col">"Output tokens/s"</th>
                        <th scope="col">"Goodput, req/s"</th>
                    </tr></thead>
                    <tbody>
                        {imported.points.into_iter().map(|p| view! {
                            <tr data-testid=hooks::IMPORTED_POINT data-label=p.label.clone()>
                                <th scope="row">{p.label.clone()}</th>
                                <td>{format!("{} / {}",
                                    p.completed.map_or("–".into(), |v| v.to_string()),
                                    p.failed.map_or("–".into(), |v| v.to_string()))}</td>
                                <td data-metric="ttft">{spread(&p.ttft, ms)}</td>
                                <td data-metric="tpot">{spread(&p.tpot, fine)}</td>
                                <td data-metric="itl">{spread(&p.itl, fine)}</td>
                                <td data-metric="e2el">{spread(&p.e2el, ms)}</td>
                                <td data-metric="req-rate">{rate(p.request_throughput)}</td>
                                <td data-metric="output-tps">{p.output_throughput.map_or("–".into(), |v| format!("{v:.0}"))}</td>
                                <td data-metric="goodput">{rate(p.goodput)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {timeline}
        </section>
    }
}
