//! Per-request figures of a finished run (`<prefix>-request-figures`): per
//! mode, endpoint or batch, the spread of time to first token, time per
//! token, speed, end to end and stream gaps, throughput and goodput, with
//! the rate-limit headers the server let the page read (or why none).

use leptos::prelude::*;

use crate::capacity::COLUMNS;
use crate::history::RunRecord;
use crate::openai::ratelimit::NOT_EXPOSED;

/// The table of a finished run's per-request figures (nothing for a run
/// without requests, or a capacity run, which has its own).
#[component]
pub fn RequestFigures(
    /// The run.
    record: RunRecord,
    /// Prefix of the test ids.
    prefix: &'static str,
) -> impl IntoView {
    let targets = expect_context::<crate::state::AppState>().targets;
    // Drawn again when the targets change: goodput counts them.
    move || {
        let t = targets.get();
        let groups = record.request_stats(&t);
        (!groups.is_empty()).then(|| {
        let limit = groups
            .iter()
            .filter_map(|g| g.rate_limit.as_ref().map(|r| format!("{}: {}", g.name, r.describe())))
            .collect::<Vec<_>>();
        let limit = if limit.is_empty() || record.simulated {
            (!record.simulated).then(|| NOT_EXPOSED.to_string())
        } else {
            Some(format!("Rate limits left, as the server's last response said: {}.", limit.join("; ")))
        };
        view! {
            <table class="per-task request-figures" data-testid=format!("{prefix}-request-figures")>
                <caption>{format!(
                    "Per request (p90 of a speed counts from the slow end; TPOT and ITL as vLLM defines them; goodput: requests per second with {} ({}))",
                    t.describe(), t.goodput_arg()
                )}</caption>
                <thead><tr>
                    <th scope="col">""</th>
                    {COLUMNS.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {groups.into_iter().map(|g| view! {
                        <tr data-group=g.name.clone()>
                            <th scope="row">{g.name.clone()}</th>
                            {g.stats.cells().into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {limit.map(|l| view! { <p class="hint" data-testid=format!("{prefix}-rate-limit")>{l}</p> })}
        }
    })
    }
}
