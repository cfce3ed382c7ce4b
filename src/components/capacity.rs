//! The capacity mode's results: the answer (`<prefix>-result`, `data-k`),
//! why K + 1 broke, every step's figures, the charts against K, and "Use
//! this K". Drawn live from the search and again from a kept record.

use leptos::prelude::*;

use crate::capacity::{COLUMNS, Capacity, Step, Targets, close_note, is_queueing};
use crate::charts::capacity::{CapacityPoint, layout_capacity};
use crate::components::hooks;
use crate::openai::ratelimit::NOT_EXPOSED;

/// A capacity search as the page shows it: its steps so far and, once
/// over, its result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapacityLive {
    /// The targets.
    pub targets: Targets,
    /// Each K measured so far.
    pub steps: Vec<Step>,
    /// The step under way: K, requests finished, requests in the step.
    pub progress: Option<(usize, usize, usize)>,
    /// The answer, once the search ended.
    pub result: Option<Capacity>,
    /// Answered by the demo provider (it sends no rate-limit headers).
    pub simulated: bool,
}

impl CapacityLive {
    /// A finished search, as a kept record has it.
    pub fn of(c: &Capacity, simulated: bool) -> Self {
        Self {
            targets: c.targets,
            steps: c.steps.clone(),
            progress: None,
            result: Some(c.clone()),
            simulated,
        }
    }
}

fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.0}"))
}

/// One chart: a figure's p50 and p90 against K, its target as a line, the
/// answer's K marked, and a second series on the right axis.
#[component]
fn CapacityChart(
    /// What it shows, for the caption and the screen reader.
    caption: &'static str,
    /// Its test id.
    testid: String,
    /// Each K's values: (K, p50, p90, right axis).
    points: Vec<CapacityPoint>,
    /// The target on the left axis.
    target: f64,
    /// Units of the left axis.
    unit: &'static str,
    /// Label of the right axis, when there is a second series.
    right: Option<&'static str>,
    /// The answer's K.
    chosen: Option<usize>,
) -> impl IntoView {
    let l = layout_capacity(&points, target, chosen, 340.0, 150.0);
    let label = points
        .iter()
        .map(|p| format!("K {}: p50 {} p90 {} {unit}", p.0, rate(p.1), rate(p.2)))
        .collect::<Vec<_>>()
        .join("; ");
    let bottom = l.height - 22.0;
    view! {
        <figure class="capacity-chart">
            <figcaption>{caption}</figcaption>
            <svg viewBox=format!("0 0 {} {}", l.width, l.height) role="img" aria-label=label data-testid=testid>
                {l.left_ticks.iter().map(|(y, v)| view! {
                    <g class="tick">
                        <line x1=l.x0 x2=l.x1 y1=*y y2=*y></line>
                        <text x=l.x0 - 4.0 y=*y + 3.0 text-anchor="end">{format!("{v:.0}")}</text>
                    </g>
                }).collect_view()}
                {l.right_ticks.iter().map(|(y, v)| view! {
                    <text class="right-tick" x=l.x1 + 4.0 y=*y + 3.0>{format!("{v:.0}")}</text>
                }).collect_view()}
                <line class="target" x1=l.x0 x2=l.x1 y1=l.target_y y2=l.target_y></line>
                {l.chosen_x.map(|x| view! { <line class="chosen" x1=x x2=x y1="6" y2=bottom></line> })}
                <polyline class="second" points=l.second.clone() fill="none"></polyline>
                <polyline class="p50" points=l.p50.clone() fill="none"></polyline>
                <polyline class="p90" points=l.p90.clone() fill="none"></polyline>
                {l.ks.iter().map(|(x, _)| view! {
                    <line class="k-mark" x1=*x x2=*x y1=bottom y2=bottom + 3.0></line>
                }).collect_view()}
                {l.k_labels.iter().map(|(x, k)| view! {
                    <text x=*x y=l.height - 6.0 text-anchor="middle">{format!("K={k}")}</text>
                }).collect_view()}
                <text x="2" y="8" class="axis-label">{unit}</text>
                {right.map(|r| view! { <text x=l.width - 2.0 y="8" text-anchor="end" class="axis-label">{r}</text> })}
            </svg>
        </figure>
    }
}

/// A capacity search's results. Its hooks are the prefix and a name:
/// `capacity-results`, `capacity-progress`, `capacity-result` (with
/// `data-k` and `data-queueing`), `capacity-reason`, `capacity-capped`,
/// `capacity-steps`, `capacity-use`, …; under `kept-capacity` when
/// reopened from history (`e2e/README.md` says what each means).
#[component]
pub fn CapacityResults(
    /// The search shown, if any.
    capacity: RwSignal<Option<CapacityLive>>,
    /// Prefix of the test ids: `capacity` live, `kept-capacity` in history.
    prefix: &'static str,
    /// "Use this K": sets the batch panel's K and the Run view's K.
    #[prop(optional)]
    on_use: Option<Callback<usize>>,
) -> impl IntoView {
    let id = move |s: &str| format!("{prefix}-{s}");
    // The live answer's hook, the one other checks drive, named in full.
    let result_id = move || match prefix {
        "capacity" => hooks::CAPACITY_RESULT.to_string(),
        _ => id("result"),
    };
    view! {
        {move || capacity.get().map(|c| {
            let targets = c.targets;
            let chosen = c.result.as_ref().map(|r| r.k);
            let ttft: Vec<CapacityPoint> = c.steps.iter().map(|s| (s.k, s.stats.ttft.p50, s.stats.ttft.p90, None)).collect();
            let speed: Vec<CapacityPoint> = c.steps.iter().map(|s| (s.k, s.stats.speed.p50, s.stats.speed.p90, Some(s.stats.throughput_tps))).collect();
            view! {
                <section class="capacity" data-testid=id("results")>
                    <h3>"Capacity"</h3>
                    <p class="hint">{format!(
                        "Targets, each as a p90 (speeds from the slow end): {}; no errors. As vLLM's --goodput: {}.",
                        targets.describe(), targets.goodput_arg()
                    )}</p>
                    {c.progress.filter(|_| c.result.is_none()).map(|(k, done, total)| view! {
                        <p class="phase" data-testid=id("progress")>{format!("K = {k}: {done} of {total} requests (the first {k} warm up, not counted)")}</p>
                    })}
                    {c.result.clone().map(|r| {
                        let queueing = r.reason.as_deref().is_some_and(is_queueing);
                        let k = r.k;
                        view! {
                            <p class="capacity-answer" data-testid=result_id() data-k=k.to_string()
                                data-queueing=queueing.to_string()>{r.sentence.clone()}</p>
                            {r.reason.clone().map(|why| view! { <p data-testid=id("reason")>{why}</p> })}
                            {r.capped.clone().map(|why| view! { <p class="hint" data-testid=id("capped")>{why}</p> })}
                            {close_note(&r.steps).map(|note| view! { <p class="waiting" data-testid=id("close")>{note}</p> })}
                            {(!r.too_few.is_empty()).then(|| view! {
                                <p class="waiting">{format!(
                                    "Too few answered requests for a p90 at K = {}: read those steps with care.",
                                    r.too_few.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                                )}</p>
                            })}
                            {r.cancelled.then(|| view! { <p class="waiting">"Stopped before the end: the answer covers the steps measured."</p> })}
                            {match (&r.rate_limit, c.simulated) {
                                (Some(l), _) => Some(format!("Rate limits left, as the server's last response said: {}.", l.describe())),
                                (None, false) => Some(NOT_EXPOSED.to_string()),
                                (None, true) => None,
                            }.map(|l| view! { <p class="hint" data-testid=id("rate-limit")>{l}</p> })}
                            <p class="hint" data-testid=id("requests")>{format!("The search sent {} requests in {} steps.", r.requests, r.steps.len())}</p>
                            {on_use.filter(|_| k > 0).map(|f| view! {
                                <button type="button" data-testid=id("use") on:click=move |_| f.run(k)>
                                    {format!("Use K = {k} for batches and races")}
                                </button>
                            })}
                        }
                    })}
                    <div class="capacity-charts">
                        <CapacityChart caption="First token against K: p50 (thin), p90 (thick), target (dashed)"
                            testid=id("ttft-chart") points=ttft target=targets.ttft_p90_ms unit="ms" right=None chosen=chosen />
                        <CapacityChart caption="Each request's tokens/s against K: p50 (thin), p90 (thick), target (dashed); all requests together on the right axis (dotted)"
                            testid=id("tps-chart") points=speed target=targets.tokens_per_s_p90 unit="tokens/s" right=Some("all, tokens/s") chosen=chosen />
                    </div>
                    <table class="per-task" data-testid=id("steps")>
                        <caption>"Each K measured (p90 of a speed counts from the slow end)"</caption>
                        <thead><tr>
                            <th scope="col">"K"</th><th scope="col">"Held"</th>
                            <th scope="col" title="The share of requests that met every target on their own (SLO attainment), with its 95 % Wilson interval">"Met every target"</th>
                            {COLUMNS.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {c.steps.iter().map(|s| view! {
                                <tr data-k=s.k.to_string() data-held=s.held.to_string()
                                    data-again=s.again.to_string() data-close=s.close.to_string()
                                    data-attainment=s.stats.attainment().map(|a| format!("{:.3}", a.0)).unwrap_or_default()>
                                    <th scope="row" title=(s.again > 0).then(|| format!("Too close to call at first: measured {} more time{}", s.again, if s.again == 1 { "" } else { "s" }))>
                                        {s.k}{(s.again > 0).then(|| format!(" (×{})", s.again + 1))}
                                    </th>
                                    <td>{if s.held { "yes" } else { "no" }}</td>
                                    <td>{s.stats.attainment().map_or("–".to_string(), |(a, (lo, hi))| format!(
                                        "{:.0} % ({:.0}–{:.0} %)", a * 100.0, lo * 100.0, hi * 100.0
                                    ))}</td>
                                    {s.stats.cells().into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })}
    }
}
