//! The history section: every finished run, kept in IndexedDB; a sortable,
//! filterable list; a run opened again as it was; two runs compared; the
//! trend per model; import and export. Logic lives in `crate::history`.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::charts::trend::layout_trend;
use crate::components::browser::{download_text, take_file};
use crate::components::run_charts::{PerTaskBars, PerTaskTable, SweepChart, Timeline};
use crate::format::duration_ms;
use crate::history::export::{self, csv::csv, html::html, markdown::markdown};
use crate::history::figures::{date_of, differences, explain, figures};
use crate::history::query::{Query, SortKey, list, parallel_ms, size_text, speedup, trend};
use crate::history::record::{MAX_IMPORT_BYTES, RunRecord};
use crate::state::history::History;

/// Copies `text` to the clipboard.
async fn copy_text(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow copying".to_string())
}

/// Export buttons for one run: JSON (re-importable), CSV of timings, a
/// self-contained HTML report, and a Markdown summary copied to the clipboard.
#[component]
pub fn ExportButtons(
    /// The run.
    record: RunRecord,
) -> impl IntoView {
    let record = StoredValue::new(record);
    let (note, set_note) = signal(None::<String>);
    // The summary, shown for copying by hand when the clipboard refuses.
    let (manual, set_manual) = signal(None::<String>);
    let save = move |ext: &str, mime: &str, body: fn(&RunRecord) -> String| {
        let (name, text) =
            record.with_value(|r| (format!("{}.{ext}", export::file_stem(r)), body(r)));
        if let Err(e) = download_text(&name, mime, &text) {
            set_note.set(Some(e));
        }
    };
    let copy = move |_| {
        let md = record.with_value(markdown);
        spawn_local(async move {
            match copy_text(&md).await {
                Ok(()) => {
                    set_manual.set(None);
                    set_note.set(Some("Summary copied as a Markdown table.".into()));
                }
                Err(e) => {
                    set_note.set(Some(format!(
                        "Not copied ({e}): select the text below and copy it."
                    )));
                    set_manual.set(Some(md));
                }
            }
        });
    };
    view! {
        <div class="exports" role="group" aria-label="Export this run">
            <button type="button" data-testid="export-json" on:click=move |_| save("json", "application/json", RunRecord::to_json)>"Export JSON"</button>
            <button type="button" data-testid="export-csv" on:click=move |_| save("csv", "text/csv", csv)>"Timings CSV"</button>
            <button type="button" data-testid="export-report" on:click=move |_| save("html", "text/html", html)>"HTML report"</button>
            <button type="button" data-testid="copy-summary" on:click=copy>"Copy summary"</button>
            <span class="hint" role="status" data-testid="export-note">{move || note.get()}</span>
        </div>
        <Show when=move || manual.get().is_some()>
            <textarea readonly rows="8" aria-label="Summary as Markdown" data-testid="summary-text"
                prop:value=move || manual.get().unwrap_or_default()></textarea>
        </Show>
    }
}

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
    // A kept run does not change: its charts get fixed values.
    let rows = Signal::stored(record.rows());
    let results = Signal::stored(record.results());
    let sweep = Signal::stored(record.sweep());
    let sweep_tasks = Signal::stored(record.tasks.len());
    let now = Signal::stored(None::<f64>);
    let title = format!(
        "{} · {} · {}",
        record.model,
        record.plan.name(),
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
    let batch = record.batch.clone();
    let tasks = record.tasks.clone();
    view! {
        <article class="run-view" data-testid="run-view" data-id=record.id.clone()>
            <h3>{title}</h3>
            <p class="hint">{about}</p>
            {record.simulated.then(|| view! {
                <p class="simulated-label">"Simulated run (demo provider): not a model's timings or answers."</p>
            })}
            {record.cancelled.then(|| view! { <p class="waiting">"Stopped by the user before the end."</p> })}
            <ExportButtons record=record.clone() />
            <Figures record=record.clone() />
            <Timeline rows=rows now=now />
            <PerTaskBars results=results />
            <PerTaskTable results=results />
            <SweepChart points=sweep tasks=sweep_tasks />
            {(!answers.is_empty()).then(|| view! {
                <div class="answers">
                    {answers.into_iter().map(|t| view! {
                        <details data-testid="kept-answer">
                            <summary>{format!("{} · {} · {}", t.label, t.status.name(), duration_ms(t.timing.total_ms()))}</summary>
                            <pre class="answer" tabindex="0">{t.text}</pre>
                            {t.error.map(|e| view! { <p class="error">{e}</p> })}
                        </details>
                    }).collect_view()}
                </div>
            })}
            {batch.map(|b| {
                let n = tasks.len().max(1);
                view! {
                    <table class="per-task" data-testid="kept-batch">
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

/// Speedup and median task latency per model over time.
#[component]
fn TrendChart(
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

/// The history section.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let h = expect_context::<History>();
    let (filter, set_filter) = signal(String::new());
    let (sort, set_sort) = signal(SortKey::Date);
    let (descending, set_descending) = signal(true);
    let (ticked, set_ticked) = signal(Vec::<String>::new());
    let (opened, set_opened) = signal(None::<String>);
    let (comparing, set_comparing) = signal(None::<(String, String)>);
    let (asking, set_asking) = signal(false);
    let (import_error, set_import_error) = signal(None::<String>);
    let (import_note, set_import_note) = signal(None::<String>);

    let shown = Memo::new(move |_| {
        let q = Query {
            filter: filter.get(),
            sort: sort.get(),
            descending: descending.get(),
        };
        h.runs.with(|all| {
            list(all, &q)
                .into_iter()
                .map(|i| all[i].clone())
                .collect::<Vec<_>>()
        })
    });
    let size = move || {
        let bytes = h.bytes();
        format!(
            "{} run(s) kept on this device, about {}.",
            h.runs.with(Vec::len),
            size_text(bytes)
        )
    };
    let find = move |id: &str| h.runs.with(|all| all.iter().find(|r| r.id == id).cloned());

    let import = move |ev: leptos::ev::Event| {
        let Some(file) = take_file(&ev) else { return };
        set_import_note.set(None);
        let name = file.name();
        if file.size() > MAX_IMPORT_BYTES as f64 {
            set_import_error.set(Some(format!(
                "\"{name}\" is larger than 20 MB: not a run file."
            )));
            return;
        }
        spawn_local(async move {
            let text = gloo_file::futures::read_as_text(&gloo_file::File::from(file)).await;
            match text
                .map_err(|_| "the file could not be read".to_string())
                .and_then(|t| RunRecord::import(&t).map_err(|e| e.to_string()))
            {
                Ok(run) => {
                    let again = find(&run.id).is_some();
                    let id = run.id.clone();
                    h.add(run);
                    set_import_error.set(None);
                    set_import_note.set(Some(if again {
                        format!("\"{name}\" was already in the history; it was replaced by the file's copy.")
                    } else {
                        format!("\"{name}\" was added to the history.")
                    }));
                    set_comparing.set(None);
                    set_opened.set(Some(id));
                }
                // Nothing changes in the history.
                Err(e) => set_import_error.set(Some(format!("\"{name}\" was not imported: {e}."))),
            }
        });
    };

    view! {
        <section class="panel history" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <p class="hint" data-testid="history-size">
                {size}
                " Kept only in this browser: never the key; each input only as its name, size, a hash and its first 200 characters."
            </p>
            <Show when=move || h.error.get().is_some()>
                <p class="field-error" role="alert" data-testid="history-error">{move || h.error.get()}</p>
            </Show>
            <div class="row">
                <label class="field">
                    <span>"Filter (model, server, mode, input, task)"</span>
                    <input type="search" data-testid="history-filter" prop:value=move || filter.get()
                        on:input=move |ev| set_filter.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>"Sort by"</span>
                    <select data-testid="history-sort" on:change=move |ev| set_sort.set(SortKey::named(&event_target_value(&ev)))>
                        {SortKey::ALL.iter().map(|(k, name, label)| view! {
                            <option value=*name selected=move || sort.get() == *k>{*label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="history-descending" prop:checked=move || descending.get()
                        on:change=move |ev| set_descending.set(event_target_checked(&ev)) />
                    <span>"Largest / newest first"</span>
                </label>
                <label class="field">
                    <span>"Import a run (.json)"</span>
                    <input type="file" accept=".json,application/json" data-testid="history-import" on:change=import />
                </label>
            </div>
            <Show when=move || import_error.get().is_some()>
                <p class="field-error" role="alert" data-testid="history-import-error">{move || import_error.get()}</p>
            </Show>
            <Show when=move || import_note.get().is_some()>
                <p class="ok" role="status" data-testid="history-import-note">{move || import_note.get()}</p>
            </Show>
            <Show when=move || !h.runs.with(Vec::is_empty)
                fallback=|| view! { <p class="empty" data-testid="history-empty">"No runs kept yet. Every finished run (and batch) is kept here, so you can open it again, compare two, and export or share it."</p> }>
                <div class="table-scroll">
                    <table class="history-list" data-testid="history-list">
                        <caption class="visually-hidden">"Kept runs"</caption>
                        <thead><tr>
                            <th scope="col">"Compare"</th>
                            <th scope="col">"Finished"</th>
                            <th scope="col">"Model"</th>
                            <th scope="col">"Server"</th>
                            <th scope="col">"Mode"</th>
                            <th scope="col">"Input"</th>
                            <th scope="col" title="Sequential ÷ parallel wall time">"Speedup"</th>
                            <th scope="col" title="Median parallel wall time">"Parallel"</th>
                            <th scope="col">"Failed"</th>
                            <th scope="col">"Actions"</th>
                        </tr></thead>
                        <tbody>
                            <For each=move || shown.get() key=|r| r.id.clone() let:r>
                                {
                                    let id = r.id.clone();
                                    let (id1, id2, id3, id4) = (id.clone(), id.clone(), id.clone(), id.clone());
                                    let when = date_of(r.at);
                                    view! {
                                        <tr data-testid="history-row" data-id=id.clone()>
                                            <td><input type="checkbox" data-testid="history-tick"
                                                aria-label=format!("Compare the run of {when}")
                                                prop:checked=move || ticked.with(|t| t.contains(&id1))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    set_ticked.update(|t| {
                                                        t.retain(|x| *x != id2);
                                                        if on { t.push(id2.clone()); }
                                                        // The two most recently ticked.
                                                        while t.len() > 2 { t.remove(0); }
                                                    });
                                                } /></td>
                                            <td>{when.clone()}</td>
                                            <td>{r.model.clone()}{r.simulated.then_some(" (simulated)")}</td>
                                            <td>{r.host.clone()}</td>
                                            <td>{r.plan.name()}</td>
                                            <td>{r.input.name.clone()}</td>
                                            <td data-testid="history-speedup">{speedup(&r).map(|s| format!("{s:.2}")).unwrap_or_else(|| "–".into())}</td>
                                            <td>{parallel_ms(&r).map(duration_ms).unwrap_or_else(|| "–".into())}</td>
                                            <td>{r.errors()}</td>
                                            <td class="actions">
                                                <button type="button" data-testid="history-open"
                                                    aria-label=format!("Open the run of {when}")
                                                    on:click=move |_| { set_comparing.set(None); set_opened.set(Some(id3.clone())); }>"Open"</button>
                                                <button type="button" data-testid="history-delete"
                                                    aria-label=format!("Delete the run of {when}")
                                                    on:click=move |_| {
                                                        if opened.get_untracked().as_deref() == Some(id4.as_str()) { set_opened.set(None); }
                                                        set_ticked.update(|t| t.retain(|x| *x != id4));
                                                        set_comparing.set(None);
                                                        h.delete(id4.clone());
                                                    }>"Delete"</button>
                                            </td>
                                        </tr>
                                    }
                                }
                            </For>
                        </tbody>
                    </table>
                </div>
                <div class="row">
                    <button type="button" data-testid="history-compare"
                        disabled=move || ticked.with(|t| t.len() != 2)
                        on:click=move |_| {
                            let t = ticked.get_untracked();
                            set_opened.set(None);
                            set_comparing.set(Some((t[0].clone(), t[1].clone())));
                        }>
                        "Compare the two ticked runs"
                    </button>
                    <Show when=move || !asking.get()
                        fallback=move || view! {
                            <span role="alert" data-testid="history-clear-explained">
                                {move || format!("Delete all {} kept runs from this device? This cannot be undone. ", h.runs.with(Vec::len))}
                            </span>
                            <button type="button" data-testid="history-clear-confirm" on:click=move |_| {
                                h.clear();
                                set_opened.set(None);
                                set_comparing.set(None);
                                set_ticked.set(Vec::new());
                                set_asking.set(false);
                            }>"Delete them all"</button>
                            <button type="button" data-testid="history-clear-cancel" on:click=move |_| set_asking.set(false)>"Keep them"</button>
                        }>
                        <button type="button" data-testid="history-clear" on:click=move |_| set_asking.set(true)>"Delete all…"</button>
                    </Show>
                </div>
                <TrendChart runs=h.runs />
            </Show>
            {move || opened.get().and_then(|id| find(&id)).map(|r| view! {
                <div class="viewer">
                    <button type="button" class="link" data-testid="history-close" on:click=move |_| set_opened.set(None)>"Close"</button>
                    <RunView record=r />
                </div>
            })}
            {move || comparing.get().and_then(|(a, b)| Some((find(&a)?, find(&b)?))).map(|(a, b)| {
                // Older first: "change" reads as what happened since.
                let (a, b) = if a.at <= b.at { (a, b) } else { (b, a) };
                let diff = differences(&a, &b);
                view! {
                    <div class="viewer" data-testid="compare-view">
                        <button type="button" class="link" data-testid="compare-close" on:click=move |_| set_comparing.set(None)>"Close"</button>
                        <table class="per-task" data-testid="compare-table">
                            <caption>"Headline figures: A (older) against B (newer)"</caption>
                            <thead><tr><th scope="col">"Figure"</th><th scope="col">"A"</th><th scope="col">"B"</th><th scope="col">"B against A"</th></tr></thead>
                            <tbody>
                                {diff.into_iter().map(|d| {
                                    let class = match d.b_better { Some(true) => "better", Some(false) => "worse", None => "" };
                                    let word = match d.b_better { Some(true) => " (better)", Some(false) => " (worse)", None => "" };
                                    view! {
                                        <tr data-testid=format!("compare-{}", d.key)>
                                            <th scope="row">{d.label}</th><td>{d.a}</td><td>{d.b}</td>
                                            <td class=class>{d.change}{word}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h3 class="compare-head">"A"</h3>
                        <RunView record=a />
                        <h3 class="compare-head">"B"</h3>
                        <RunView record=b />
                    </div>
                }
            })}
        </section>
    }
}
