//! The results of the batch shown: a filter, exports, the table (a row per
//! document, a column per task) and the answer of the cell chosen.

use leptos::prelude::*;

use super::BatchCtx;
use leptos::task::spawn_local;

use crate::batch::export::{CHUNK_ROWS, Table};
use crate::components::browser::download_parts;
use crate::components::hooks;
use crate::components::virtual_rows::use_virtual_rows;
use crate::format::duration_ms;
use crate::workflow::engine::TaskStatus;

/// The results table and its exports.
#[component]
pub(super) fn Results() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let (filter, set_filter) = signal("all".to_string());
    // CSV and JSONL are written in chunks with a yield between them, so a
    // 10,000-row file never holds the page; the parts go into one Blob.
    let export = move |kind: &'static str| {
        let Some(shown) = ctx.shown.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let s = shown.batch();
            let cells = shown.session.cells();
            let table = Table {
                docs: &s.docs,
                tasks: &s.tasks,
                jobs: &s.jobs,
                cells: &cells,
                simulated: s.simulated,
            };
            let mut parts: Vec<String> = Vec::new();
            let (name, mime) = match kind {
                "csv" => {
                    parts.push(table.csv_header());
                    for a in (0..s.docs.len()).step_by(CHUNK_ROWS) {
                        parts.push(
                            table.csv_rows(a..(a + CHUNK_ROWS).min(s.docs.len()), &shown.index),
                        );
                        gloo_timers::future::TimeoutFuture::new(0).await;
                    }
                    ("fanout-batch.csv", "text/csv")
                }
                "jsonl" => {
                    for a in (0..s.jobs.len()).step_by(CHUNK_ROWS) {
                        parts.push(table.jsonl_lines(a..(a + CHUNK_ROWS).min(s.jobs.len())));
                        gloo_timers::future::TimeoutFuture::new(0).await;
                    }
                    ("fanout-batch.jsonl", "application/jsonl")
                }
                _ => {
                    parts.push(table.to_json(&s.model));
                    ("fanout-batch.json", "application/json")
                }
            };
            match download_parts(name, mime, &parts) {
                // What it holds may be dropped from the device to free space.
                Ok(()) => ctx.exported.set(crate::batch::saved::answered(&cells)),
                Err(e) => ctx.job.error.set(Some(format!("Export failed: {e}"))),
            }
        });
    };
    // The documents shown under the filter (usable ones; with a filter,
    // those with a job in that state), recounted at most once a frame.
    let rows = Memo::new(move |_| {
        let f = filter.get();
        ctx.shown.with(|shown| {
            let Some(shown) = shown else {
                return Vec::new();
            };
            let s = shown.batch();
            let keep = |st: TaskStatus| match f.as_str() {
                "done" => st == TaskStatus::Done,
                "error" => matches!(st, TaskStatus::Error | TaskStatus::Cancelled),
                "pending" => matches!(st, TaskStatus::Pending | TaskStatus::Running),
                _ => true,
            };
            (0..s.docs.len())
                .filter(|d| s.docs[*d].error.is_none())
                .filter(|d| {
                    f == "all"
                        || (0..s.tasks.len()).any(|t| {
                            shown
                                .job(*d, t)
                                .is_some_and(|i| keep(shown.views[i].with(|v| v.status)))
                        })
                })
                .collect::<Vec<usize>>()
        })
    });
    let rows_n = Signal::derive(move || rows.with(Vec::len));
    let window = use_virtual_rows(rows_n);

    view! {
                <div class="row">
                    <label class="field small">
                        <span>"Show"</span>
                        <select data-testid=hooks::BATCH_FILTER on:change=move |ev| set_filter.set(event_target_value(&ev))>
                            <option value="all">"all"</option>
                            <option value="done">"done"</option>
                            <option value="error">"failed"</option>
                            <option value="pending">"not finished"</option>
                        </select>
                    </label>
                    <button type="button" data-testid=hooks::BATCH_EXPORT_CSV on:click=move |_| export("csv")>"Export CSV"</button>
                    <button type="button" data-testid=hooks::BATCH_EXPORT_JSON on:click=move |_| export("json")>"Export JSON"</button>
                    <button type="button" data-testid=hooks::BATCH_EXPORT_JSONL on:click=move |_| export("jsonl")>"Export JSONL"</button>
                    // The batch as kept, once it has ended: its figures
                    // (and answers, if asked) by link.
                    {move || ctx.finished.get().filter(|_| !ctx.job.running.get()).map(|r| view! {
                        <crate::components::share::ShareLink record=r />
                    })}
                </div>
                {move || {
                    ctx.shown.get().map(|shown| {
                    let s = shown.batch();
                    let tasks = s.tasks.len();
                    // The page is single-threaded; `For` asks for Send.
                    let shown = send_wrapper::SendWrapper::new(shown.clone());
                    let row = move |d: usize| {
                        let name = shown.batch().docs[d].name.clone();
                        view! {
                            <tr>
                                <th scope="row">{name}</th>
                                {(0..tasks).map(|t| {
                                    let i = shown.job(d, t);
                                    let v = i.map(|i| shown.views[i]);
                                    view! {
                                        <td>
                                            {i.zip(v).map(|(i, v)| {
                                                let session = send_wrapper::SendWrapper::new(shown.session.clone());
                                                // The member that answered, in a pooled batch.
                                                let by = move || { v.track(); session.served_by(i) };
                                                let by_text = by.clone();
                                                view! {
                                                <button type="button" class="cell"
                                                    data-testid=format!("cell-{d}-{t}")
                                                    data-status=move || v.with(|v| v.status.name())
                                                    data-served-by=by
                                                    on:click=move |_| ctx.opened.set(Some(i))>
                                                    {move || v.with(|v| match &v.ended {
                                                        Some(e) => format!("{} · {}", v.status.name(), duration_ms(e.total_ms)),
                                                        None => v.status.name().to_string(),
                                                    })}
                                                    {move || by_text().map(|m| format!(" · {m}"))}
                                                </button>
                                            }})}
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }
                    };
                    let labels: Vec<String> = s.tasks.iter().map(|t| t.label.clone()).collect();
                    view! {
                        <div class="virtual" node_ref=window.node on:scroll=move |_| window.on_scroll.run(())>
                        <table class="results" data-testid=hooks::BATCH_RESULTS data-rows=move || rows_n.get().to_string()>
                            <caption>"Results: one row per document, one column per task; choose a cell to read its answer."</caption>
                            <thead><tr>
                                <th scope="col">"Document"</th>
                                {labels.into_iter().map(|l| view! { <th scope="col">{l}</th> }).collect_view()}
                            </tr></thead>
                            <tbody>
                                <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.above.get())><td colspan="99"></td></tr>
                                // Only the rows in view (and a margin) are in the page.
                                <For
                                    each=move || { let (a, b) = window.range.get(); rows.with(|r| r.get(a..b).map(<[usize]>::to_vec).unwrap_or_default()) }
                                    key=|d| *d
                                    children=row
                                />
                                <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.below.get())><td colspan="99"></td></tr>
                            </tbody>
                        </table>
                        </div>
                    }
                    })
                }}
                {move || ctx.opened.get().and_then(|i| ctx.shown.with(|shown| {
                    let shown = shown.as_ref()?;
                    let s = shown.batch();
                    let job = *s.jobs.get(i)?;
                    let v = shown.views[i];
                    // The answer is read from the session when shown.
                    let session = send_wrapper::SendWrapper::new(shown.session.clone());
                    let error_of = session.clone();
                    let member_of = session.clone();
                    let dropped_of = session.clone();
                    let dropped = move || { v.track(); dropped_of.cell(i).is_some_and(|c| c.dropped) };
                    let dropped_attr = dropped.clone();
                    let title = format!("{} × {}", s.docs[job.doc].name, s.tasks[job.task].label);
                    Some(view! {
                        <div class="cell-output" data-testid=hooks::BATCH_OUTPUT data-dropped=move || dropped_attr().to_string()>
                            <h3>{title}</h3>
                            {move || dropped().then(|| view! { <p class="hint">"This answer was dropped from this device to free space, after an export held it: read it in that export."</p> })}
                            {move || { v.track(); member_of.served_by(i) }.map(|m| view! { <p class="hint">{format!("Answered by {m} (pool member).")}</p> })}
                            {move || { v.track(); error_of.cell(i).and_then(|c| c.error) }.map(|e| view! { <p class="error">{e}</p> })}
                            <pre class="answer" tabindex="0">{move || { v.track(); session.cell(i).map(|c| c.text).unwrap_or_default() }}</pre>
                        </div>
                    })
                }))}
    }
}
