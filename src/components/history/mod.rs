//! The history section: every finished run, kept in IndexedDB; a sortable,
//! filterable list; a run opened again as it was; two runs compared; the
//! trend per model; import and export. Logic lives in `crate::history`.

mod exports;
mod imported;
mod run_view;
mod trend;

pub use exports::ExportButtons;
pub use run_view::RunView;
use trend::TrendChart;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::browser::take_file;
use crate::components::hooks;
use crate::format::duration_ms;
use crate::history::figures::{date_of, differences};
use crate::history::query::{Query, Row, SortKey, rows, size_text};
use crate::history::record::{MAX_IMPORT_BYTES, RunRecord};
use crate::state::history::History;

/// What the history view shows, shared with its parts through context.
#[derive(Clone, Copy)]
struct HistoryUi {
    /// The filter's words.
    filter: RwSignal<String>,
    /// What the list is sorted by.
    sort: RwSignal<SortKey>,
    /// Largest or newest first.
    descending: RwSignal<bool>,
    /// The runs ticked for comparison (the two most recent ticks).
    ticked: RwSignal<Vec<String>>,
    /// The run opened.
    opened: RwSignal<Option<String>>,
    /// The two runs compared.
    comparing: RwSignal<Option<(String, String)>>,
}

impl HistoryUi {
    /// Opens the run `id`, closing a comparison.
    fn open(self, id: String) {
        self.comparing.set(None);
        self.opened.set(Some(id));
    }
}

/// The kept run with `id`, if any.
fn find(h: History, id: &str) -> Option<RunRecord> {
    h.runs.with(|all| all.iter().find(|r| r.id == id).cloned())
}

/// The history section.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let h = expect_context::<History>();
    let ui = HistoryUi {
        filter: RwSignal::new(String::new()),
        sort: RwSignal::new(SortKey::Date),
        descending: RwSignal::new(true),
        ticked: RwSignal::new(Vec::new()),
        opened: RwSignal::new(None),
        comparing: RwSignal::new(None),
    };
    provide_context(ui);
    let size = move || {
        let bytes = h.bytes();
        format!(
            "{} run(s) kept on this device, about {}.",
            h.runs.with(Vec::len),
            size_text(bytes)
        )
    };
    view! {
        <section class="panel history" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <p class="hint" data-testid=hooks::HISTORY_SIZE data-saving=move || h.pending_writes().to_string()>
                {size}
                " Kept only in this browser: never the key; each input only as its name, size, a hash and its first 200 characters."
            </p>
            <Show when=move || h.error.get().is_some()>
                <p class="field-error" role="alert" data-testid=hooks::HISTORY_ERROR>{move || h.error.get()}</p>
            </Show>
            <crate::components::storage_note::StorageNote />
            <HistoryControls />
            <Show when=move || !h.runs.with(Vec::is_empty)
                fallback=|| view! { <p class="empty" data-testid=hooks::HISTORY_EMPTY>"No runs kept yet. Every finished run (and batch) is kept here, so you can open it again, compare two, and export or share it."</p> }>
                <HistoryList />
                <HistoryActions />
                <TrendChart runs=h.runs />
            </Show>
            {move || ui.opened.get().and_then(|id| find(h, &id)).map(|r| view! {
                <div class="viewer">
                    <button type="button" class="link" data-testid=hooks::HISTORY_CLOSE on:click=move |_| ui.opened.set(None)>"Close"</button>
                    <RunView record=r />
                </div>
            })}
            <Comparison />
        </section>
    }
}

/// Filter, sort and import.
#[component]
fn HistoryControls() -> impl IntoView {
    let h = expect_context::<History>();
    let ui = expect_context::<HistoryUi>();
    let HistoryUi {
        filter,
        sort,
        descending,
        ..
    } = ui;
    let (import_error, set_import_error) = signal(None::<String>);
    let (import_note, set_import_note) = signal(None::<String>);
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
                .and_then(|t| {
                    RunRecord::import_any(&name, &t, js_sys::Date::now()).map_err(|e| e.to_string())
                }) {
                Ok(run) => {
                    let again = find(h, &run.id).is_some();
                    let id = run.id.clone();
                    h.add(run);
                    set_import_error.set(None);
                    set_import_note.set(Some(if again {
                        format!("\"{name}\" was already in the history; it was replaced by the file's copy.")
                    } else {
                        format!("\"{name}\" was added to the history.")
                    }));
                    ui.open(id);
                }
                // Nothing changes in the history.
                Err(e) => set_import_error.set(Some(format!("\"{name}\" was not imported: {e}."))),
            }
        });
    };
    view! {
        <div class="row">
            <label class="field">
                <span>"Filter (model, server, mode, input, task)"</span>
                <input type="search" data-testid=hooks::HISTORY_FILTER prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>"Sort by"</span>
                <select data-testid=hooks::HISTORY_SORT on:change=move |ev| sort.set(SortKey::named(&event_target_value(&ev)))>
                    {SortKey::ALL.iter().map(|(k, name, label)| view! {
                        <option value=*name selected=move || sort.get() == *k>{*label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="check">
                <input type="checkbox" data-testid=hooks::HISTORY_DESCENDING prop:checked=move || descending.get()
                    on:change=move |ev| descending.set(event_target_checked(&ev)) />
                <span>"Largest / newest first"</span>
            </label>
            <label class="field">
                <span>"Import a run (.json)"</span>
                <input type="file" accept=".json,application/json" data-testid=hooks::HISTORY_IMPORT on:change=import />
            </label>
        </div>
        <Show when=move || import_error.get().is_some()>
            <p class="field-error" role="alert" data-testid=hooks::HISTORY_IMPORT_ERROR>{move || import_error.get()}</p>
        </Show>
        <Show when=move || import_note.get().is_some()>
            <p class="ok" role="status" data-testid=hooks::HISTORY_IMPORT_NOTE>{move || import_note.get()}</p>
        </Show>
    }
}

/// The kept runs as the filter and sort leave them.
#[component]
fn HistoryList() -> impl IntoView {
    let h = expect_context::<History>();
    let ui = expect_context::<HistoryUi>();
    let shown = Memo::new(move |_| {
        let q = Query {
            filter: ui.filter.get(),
            sort: ui.sort.get(),
            descending: ui.descending.get(),
        };
        h.runs.with(|all| rows(all, &q))
    });
    view! {
        <div class="table-scroll">
            <table class="history-list" data-testid=hooks::HISTORY_LIST>
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
                        <HistoryRow row=r />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// One kept run in the list.
#[component]
fn HistoryRow(
    /// What the list shows of the run.
    row: Row,
) -> impl IntoView {
    let h = expect_context::<History>();
    let ui = expect_context::<HistoryUi>();
    let HistoryUi {
        ticked,
        opened,
        comparing,
        ..
    } = ui;
    let r = row;
    let id = r.id.clone();
    let (id1, id2, id3, id4) = (id.clone(), id.clone(), id.clone(), id.clone());
    let when = date_of(r.at);
    view! {
        <tr data-testid=hooks::HISTORY_ROW data-id=id.clone() data-source=r.source>
            <td><input type="checkbox" data-testid=hooks::HISTORY_TICK
                aria-label=format!("Compare the run of {when}")
                prop:checked=move || ticked.with(|t| t.contains(&id1))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    ticked.update(|t| {
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
            <td>{r.input.clone()}</td>
            {match r.headline.clone() {
                // A race or a capacity search: its own headline across the
                // two figure columns.
                Some(text) => view! {
                    <td colspan="2" data-testid=hooks::HISTORY_HEADLINE>{text}</td>
                }.into_any(),
                None => view! {
                    <td data-testid=hooks::HISTORY_SPEEDUP>{r.speedup.map(|s| format!("{s:.2}")).unwrap_or_else(|| "–".into())}</td>
                    <td>{r.parallel_ms.map(duration_ms).unwrap_or_else(|| "–".into())}</td>
                }.into_any(),
            }}
            <td>{r.errors}</td>
            <td class="actions">
                <button type="button" data-testid=hooks::HISTORY_OPEN
                    aria-label=format!("Open the run of {when}")
                    on:click=move |_| ui.open(id3.clone())>"Open"</button>
                <button type="button" data-testid=hooks::HISTORY_DELETE
                    aria-label=format!("Delete the run of {when}")
                    on:click=move |_| {
                        if opened.get_untracked().as_deref() == Some(id4.as_str()) { opened.set(None); }
                        ticked.update(|t| t.retain(|x| *x != id4));
                        comparing.set(None);
                        h.delete(id4.clone());
                    }>"Delete"</button>
            </td>
        </tr>
    }
}

/// Compare the two ticked runs; delete them all (asked first).
#[component]
fn HistoryActions() -> impl IntoView {
    let h = expect_context::<History>();
    let HistoryUi {
        ticked,
        opened,
        comparing,
        ..
    } = expect_context::<HistoryUi>();
    let (asking, set_asking) = signal(false);
    view! {
        <div class="row">
            <button type="button" data-testid=hooks::HISTORY_COMPARE
                disabled=move || ticked.with(|t| t.len() != 2)
                on:click=move |_| {
                    let t = ticked.get_untracked();
                    opened.set(None);
                    comparing.set(Some((t[0].clone(), t[1].clone())));
                }>
                "Compare the two ticked runs"
            </button>
            <Show when=move || !asking.get()
                fallback=move || view! {
                    <span role="alert" data-testid=hooks::HISTORY_CLEAR_EXPLAINED>
                        {move || format!("Delete all {} kept runs from this device? This cannot be undone. ", h.runs.with(Vec::len))}
                    </span>
                    <button type="button" data-testid=hooks::HISTORY_CLEAR_CONFIRM on:click=move |_| {
                        h.clear();
                        opened.set(None);
                        comparing.set(None);
                        ticked.set(Vec::new());
                        set_asking.set(false);
                    }>"Delete them all"</button>
                    <button type="button" data-testid=hooks::HISTORY_CLEAR_CANCEL on:click=move |_| set_asking.set(false)>"Keep them"</button>
                }>
                <button type="button" data-testid=hooks::HISTORY_CLEAR on:click=move |_| set_asking.set(true)>"Delete all…"</button>
            </Show>
        </div>
    }
}

/// Two runs side by side: the headline figures' differences, then each run.
#[component]
fn Comparison() -> impl IntoView {
    let h = expect_context::<History>();
    let comparing = expect_context::<HistoryUi>().comparing;
    view! {
        {move || comparing.get().and_then(|(a, b)| Some((find(h, &a)?, find(h, &b)?))).map(|(a, b)| {
            // Older first: "change" reads as what happened since.
            let (a, b) = if a.at <= b.at { (a, b) } else { (b, a) };
            let diff = differences(&a, &b);
            view! {
                <div class="viewer" data-testid=hooks::COMPARE_VIEW>
                    <button type="button" class="link" data-testid=hooks::COMPARE_CLOSE on:click=move |_| comparing.set(None)>"Close"</button>
                    <table class="per-task" data-testid=hooks::COMPARE_TABLE>
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
    }
}
