//! Export buttons for one run: JSON, timings CSV, the HTML report, and a
//! Markdown summary copied to the clipboard.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::browser::download_text;
use crate::components::hooks;
use crate::components::share::ShareLink;
use crate::history::export::{self, csv::csv, html::html, markdown::markdown};
use crate::history::record::RunRecord;

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
    let targets = expect_context::<crate::state::AppState>().targets;
    let save = move |ext: &str, mime: &str, body: &dyn Fn(&RunRecord) -> String| {
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
            <button type="button" data-testid=hooks::EXPORT_JSON on:click=move |_| save("json", "application/json", &RunRecord::to_json)>"Export JSON"</button>
            <button type="button" data-testid=hooks::EXPORT_CSV on:click=move |_| save("csv", "text/csv", &csv)>"Timings CSV"</button>
            <button type="button" data-testid=hooks::EXPORT_REPORT on:click=move |_| save("html", "text/html", &|r| html(r, &targets.get_untracked()))>"HTML report"</button>
            {record.with_value(|r| r.kind.batch().is_none()).then(|| view! {
                <button type="button" data-testid=hooks::EXPORT_VLLM
                    title="One JSON object per benchmark (a capacity search: per K; a run: per mode or endpoint), as vLLM bench serve --save-result writes them"
                    on:click=move |_| save("vllm.json", "application/json", &|r| {
                        crate::history::export::vllm::vllm(r, &targets.get_untracked()).unwrap_or_default()
                    })>"vLLM bench JSON"</button>
            })}
            <button type="button" data-testid=hooks::COPY_SUMMARY on:click=copy>"Copy summary"</button>
            <ShareLink record=record.get_value() />
            <span class="hint" role="status" data-testid=hooks::EXPORT_NOTE>{move || note.get()}</span>
        </div>
        <Show when=move || manual.get().is_some()>
            <textarea readonly rows="8" aria-label="Summary as Markdown" data-testid=hooks::SUMMARY_TEXT
                prop:value=move || manual.get().unwrap_or_default()></textarea>
        </Show>
    }
}
