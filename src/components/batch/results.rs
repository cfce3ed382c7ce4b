//! The results of the batch shown: a filter, exports, the table (a row per
//! document, a column per task) and the answer of the cell chosen.

use leptos::prelude::*;

use super::BatchCtx;
use crate::batch::export::Table;
use crate::components::browser::download_text;
use crate::format::duration_ms;
use crate::workflow::engine::TaskStatus;

/// The results table and its exports.
#[component]
pub(super) fn Results() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let (filter, set_filter) = signal("all".to_string());
    let export = move |kind: &'static str| {
        let Some(shown) = ctx.shown.get_untracked() else {
            return;
        };
        let s = shown.batch();
        let cells = shown.session.cells();
        let table = Table {
            docs: &s.docs,
            tasks: &s.tasks,
            jobs: &s.jobs,
            cells: &cells,
            simulated: s.simulated,
        };
        let (name, mime, body) = match kind {
            "csv" => ("fanout-batch.csv", "text/csv", table.to_csv()),
            "jsonl" => ("fanout-batch.jsonl", "application/jsonl", table.to_jsonl()),
            _ => (
                "fanout-batch.json",
                "application/json",
                table.to_json(&s.model),
            ),
        };
        if let Err(e) = download_text(name, mime, &body) {
            ctx.error.set(Some(format!("Export failed: {e}")));
        }
    };

    view! {
                <div class="row">
                    <label class="field small">
                        <span>"Show"</span>
                        <select data-testid="batch-filter" on:change=move |ev| set_filter.set(event_target_value(&ev))>
                            <option value="all">"all"</option>
                            <option value="done">"done"</option>
                            <option value="error">"failed"</option>
                            <option value="pending">"not finished"</option>
                        </select>
                    </label>
                    <button type="button" data-testid="batch-export-csv" on:click=move |_| export("csv")>"Export CSV"</button>
                    <button type="button" data-testid="batch-export-json" on:click=move |_| export("json")>"Export JSON"</button>
                    <button type="button" data-testid="batch-export-jsonl" on:click=move |_| export("jsonl")>"Export JSONL"</button>
                </div>
                {move || {
                    ctx.shown.get().map(|shown| {
                    let s = shown.batch();
                    let f = filter.get();
                    // Only a filter needs to follow every status change; with
                    // "all", the table is built once and each cell updates itself.
                    let all = f == "all";
                    let keep = move |st: TaskStatus| match f.as_str() {
                        "done" => st == TaskStatus::Done,
                        "error" => matches!(st, TaskStatus::Error | TaskStatus::Cancelled),
                        "pending" => matches!(st, TaskStatus::Pending | TaskStatus::Running),
                        _ => true,
                    };
                    let rows: Vec<usize> = (0..s.docs.len())
                        .filter(|d| s.docs[*d].error.is_none())
                        .filter(|d| all || s.jobs.iter().zip(shown.views.iter()).any(|(j, v)| j.doc == *d && keep(v.with(|v| v.status))))
                        .collect();
                    view! {
                        <table class="results" data-testid="batch-results">
                            <caption>"Results: one row per document, one column per task; choose a cell to read its answer."</caption>
                            <thead><tr>
                                <th scope="col">"Document"</th>
                                {s.tasks.iter().map(|t| view! { <th scope="col">{t.label.clone()}</th> }).collect_view()}
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|d| view! {
                                    <tr>
                                        <th scope="row">{s.docs[d].name.clone()}</th>
                                        {(0..s.tasks.len()).map(|t| {
                                            let i = s.jobs.iter().position(|j| j.doc == d && j.task == t);
                                            let v = i.map(|i| shown.views[i]);
                                            view! {
                                                <td>
                                                    {i.zip(v).map(|(i, v)| view! {
                                                        <button type="button" class="cell"
                                                            data-testid=format!("cell-{d}-{t}")
                                                            data-status=move || v.with(|v| v.status.name())
                                                            on:click=move |_| ctx.opened.set(Some(i))>
                                                            {move || v.with(|v| match &v.cell {
                                                                Some(c) => format!("{} · {}", v.status.name(), duration_ms(c.total_ms)),
                                                                None => v.status.name().to_string(),
                                                            })}
                                                        </button>
                                                    })}
                                                </td>
                                            }
                                        }).collect_view()}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    })
                }}
                {move || ctx.opened.get().and_then(|i| ctx.shown.with(|shown| {
                    let shown = shown.as_ref()?;
                    let s = shown.batch();
                    let job = *s.jobs.get(i)?;
                    let v = shown.views[i];
                    let title = format!("{} × {}", s.docs[job.doc].name, s.tasks[job.task].label);
                    Some(view! {
                        <div class="cell-output" data-testid="batch-output">
                            <h3>{title}</h3>
                            {move || v.with(|v| v.cell.as_ref().and_then(|c| c.error.clone())).map(|e| view! { <p class="error">{e}</p> })}
                            <pre class="answer" tabindex="0">{move || v.with(|v| v.cell.as_ref().map(|c| c.text.clone()).unwrap_or_default())}</pre>
                        </div>
                    })
                }))}
    }
}
