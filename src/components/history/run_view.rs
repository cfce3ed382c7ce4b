//! One kept run drawn again from its record, exactly as it finished.

use leptos::prelude::*;

use super::ExportButtons;
use crate::components::capacity::{CapacityLive, CapacityResults};
use crate::components::hooks;
use crate::components::race::RaceResults;
use crate::components::request_figures::RequestFigures;
use crate::components::run_charts::{PerTaskBars, PerTaskTable, SweepChart, Timeline};
use crate::format::duration_ms;
use crate::history::export::html::extra_tokens;
use crate::history::figures::{date_of, explain, figures};
use crate::history::record::RunRecord;

/// The headline figures of a kept run, with what each means on hover/focus.
#[component]
fn Figures(
    /// The run.
    record: RunRecord,
) -> impl IntoView {
    view! {
        <dl class="headline">
            {figures(&record).into_iter().map(|f| view! {
                <div class="metric" tabindex="0">
                    <dt>{f.label}</dt>
                    <dd data-testid=format!("fig-{}", f.key)>{f.text}</dd>
                    <dd class="explain">{explain(f.key)}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

/// One kept run, drawn again from its record exactly as it finished.
#[component]
pub fn RunView(
    /// The run.
    record: RunRecord,
) -> impl IntoView {
    // A kept run does not change; the chart components take RwSignal props
    // because Signal<T> props measured 3.8 KB gzip more on the page.
    let rows = RwSignal::new(record.rows());
    let results = RwSignal::new(record.results());
    let sweep = RwSignal::new(record.sweep());
    let sweep_tasks = RwSignal::new(record.tasks.len());
    // A kept run has no "now" line.
    let now = Signal::stored(None::<f64>);
    let race = RwSignal::new(record.race_drawn());
    let capacity = RwSignal::new(
        record
            .kind
            .capacity()
            .map(|c| CapacityLive::of(c, record.simulated)),
    );
    let title = format!(
        "{} · {} · {}",
        record.model,
        record.kind.run_kind().name(),
        date_of(record.at)
    );
    let about = format!(
        "Server {} · input \"{}\" ({} characters, hash {}) · tasks: {}",
        record.host,
        record.input.name,
        record.input.chars,
        record.input.hash,
        record.tasks.join(", ")
    );
    let answers: Vec<_> = record.answers().into_iter().cloned().collect();
    // What the figures cover when a task failed in some run.
    let figures_note = record.results().fair().and_then(|f| f.note());
    let batch = record.kind.batch().cloned();
    let tasks = record.tasks.clone();
    view! {
        <article class="run-view" data-testid=hooks::RUN_VIEW data-id=record.id.clone()>
            <h3>{title}</h3>
            <p class="hint">{about}</p>
            {record.simulated.then(|| view! {
                <p class="simulated-label">"Simulated run (demo provider): not a model's timings or answers."</p>
            })}
            {record.cancelled.then(|| view! { <p class="waiting">"Stopped by the user before the end."</p> })}
            <ExportButtons record=record.clone() />
            <Figures record=record.clone() />
            {figures_note.map(|n| view! { <p class="figures-note" data-testid=hooks::KEPT_FIGURES_NOTE>{n}</p> })}
            <RaceResults race=race now=now prefix="kept-race" />
            <RequestFigures record=record.clone() prefix="kept" />
            <CapacityResults capacity=capacity prefix="kept-capacity" />
            {record.kind.imported().cloned().map(|i| view! { <super::imported::ImportedResults imported=i /> })}
            <Timeline rows=rows now=now />
            <PerTaskBars results=results />
            <PerTaskTable results=results />
            <SweepChart points=sweep tasks=sweep_tasks />
            {(!answers.is_empty()).then(|| view! {
                <div class="answers">
                    {answers.into_iter().map(|t| view! {
                        <details data-testid=hooks::KEPT_ANSWER>
                            <summary>{format!("{} · {} · {}", t.label, t.status.name(), duration_ms(t.timing.total_ms()))}</summary>
                            {(!t.reasoning.is_empty()).then(|| view! {
                                <details class="thinking"><summary>"Thinking"</summary>
                                    <pre class="answer" tabindex="0" data-testid=hooks::KEPT_REASONING>{t.reasoning.clone()}</pre>
                                </details>
                            })}
                            <pre class="answer" tabindex="0">{t.text}</pre>
                            {t.agreement.map(|a| view! { <p class="agreement" data-testid=hooks::KEPT_AGREEMENT>{a}</p> })}
                            {(!t.requests.is_empty()).then(|| format!(
                                "{} requests: {}{}",
                                t.requests.len(),
                                t.requests.iter().map(|q| q.kind.describe()).collect::<Vec<_>>().join(", "),
                                extra_tokens(t.extra_prompt_tokens)
                            )).map(|r| view! { <p class="hint" data-testid=hooks::KEPT_REQUESTS>{r}</p> })}
                            {t.error.map(|e| view! { <p class="error">{e}</p> })}
                        </details>
                    }).collect_view()}
                </div>
            })}
            {batch.map(|b| {
                let n = tasks.len().max(1);
                view! {
                    <table class="per-task" data-testid=hooks::KEPT_BATCH>
                        <caption>"Results per document and task"</caption>
                        <thead><tr><th scope="col">"Document"</th>
                            {tasks.iter().map(|t| view! { <th scope="col">{t.clone()}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {b.docs.iter().enumerate().map(|(d, name)| view! {
                                <tr><th scope="row">{name.clone()}</th>
                                    {(0..n).map(|t| {
                                        let c = b.cells.get(d * n + t).cloned().flatten();
                                        let text = c.map(|c| format!("{} · {}", c.status.name(), duration_ms(c.total_ms))).unwrap_or_else(|| "not finished".into());
                                        view! { <td>{text}</td> }
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
        </article>
    }
}
