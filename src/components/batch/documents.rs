//! Documents in: files (text, CSV, JSONL, PDF/Word read by the worker),
//! pasted texts, and the table of what was found, each with its size or
//! the reason it cannot be used.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::BatchCtx;
use crate::batch::documents::{
    FileKind, file_kind, from_extracted, from_file, split_pasted, unreadable,
};
use crate::components::extractor::extract_each;
use crate::components::hooks;
use crate::components::virtual_rows::use_virtual_rows;
use crate::extract::too_big;

/// Opening and pasting documents, and their table.
#[component]
pub(super) fn Documents() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    // PDF and Word files still being read.
    let reading = RwSignal::new(0usize);
    let (paste, set_paste) = signal(String::new());
    let (field, set_field) = signal("text".to_string());
    let window = use_virtual_rows(Signal::derive(move || ctx.docs.with(Vec::len)));
    let add_files = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else {
            return;
        };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        input.set_value("");
        let field = field.get_untracked();
        let docs = ctx.docs;
        // PDF and Word files go to the extraction worker, in one queue.
        let (binary, files): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|f| matches!(file_kind(&f.name()), Ok(FileKind::Binary(_))));
        if !binary.is_empty() {
            reading.update(|n| *n += binary.len());
            spawn_local(async move {
                let mut names = Vec::new();
                let mut queue = Vec::new();
                for file in binary {
                    let name = file.name();
                    let Ok(FileKind::Binary(kind)) = file_kind(&name) else {
                        continue;
                    };
                    let read = if let Some(e) = too_big(file.size() as u64) {
                        Err(e)
                    } else {
                        gloo_file::futures::read_as_bytes(&gloo_file::File::from(file))
                            .await
                            .map_err(|_| "it could not be read".to_string())
                    };
                    match read {
                        Ok(bytes) => {
                            names.push(name);
                            queue.push((kind, bytes));
                        }
                        Err(e) => {
                            reading.update(|n| *n = n.saturating_sub(1));
                            docs.update(|d| d.push(unreadable(&name, &e)));
                        }
                    }
                }
                extract_each(queue, |i, result| {
                    reading.update(|n| *n = n.saturating_sub(1));
                    docs.update(|d| d.push(from_extracted(&names[i], result)));
                })
                .await;
            });
        }
        for file in files {
            let name = file.name();
            let field = field.clone();
            spawn_local(async move {
                let found =
                    match gloo_file::futures::read_as_text(&gloo_file::File::from(file)).await {
                        Ok(text) => from_file(&name, &text, &field),
                        Err(_) => vec![unreadable(&name, "it could not be read as UTF-8 text")],
                    };
                docs.update(|d| d.extend(found));
            });
        }
    };

    view! {
            <p class="hint">"Every document runs the tasks ticked above. Open .txt, .md, .pdf or .docx files (one document each; PDF and Word text is read in your browser), .csv files (one per row, from the column named below) or .jsonl files (one per line, from that field), or paste texts separated by a line of ---."</p>
            <div class="row">
                <label class="field">
                    <span>"Open files"</span>
                    <input type="file" multiple accept=".txt,.md,.markdown,.csv,.jsonl,.ndjson,.pdf,.docx" data-testid=hooks::BATCH_FILES on:change=add_files />
                </label>
                <Show when=move || { reading.get() > 0 }>
                    <p class="hint" role="status" data-testid=hooks::DOCS_READING>
                        {move || format!("Reading {} PDF/Word file(s)…", reading.get())}
                    </p>
                </Show>
                <label class="field small">
                    <span>"CSV column / JSONL field"</span>
                    <input type="text" data-testid=hooks::BATCH_FIELD prop:value=move || field.get()
                        on:input=move |ev| set_field.set(event_target_value(&ev)) />
                </label>
            </div>
            <label class="field">
                <span>"Paste texts (separate documents with a line of ---)"</span>
                <textarea rows="4" data-testid=hooks::BATCH_PASTE prop:value=move || paste.get()
                    on:input=move |ev| set_paste.set(event_target_value(&ev))></textarea>
            </label>
            <div class="row">
                <button type="button" data-testid=hooks::BATCH_ADD_PASTED on:click=move |_| {
                    let found = split_pasted(&paste.get_untracked());
                    if found.is_empty() {
                        ctx.job.error.set(Some("Nothing to add: the pasted text is empty.".into()));
                    } else {
                        ctx.job.error.set(None);
                        ctx.docs.update(|d| d.extend(found));
                        set_paste.set(String::new());
                    }
                }>"Add pasted texts"</button>
                <button type="button" data-testid=hooks::BATCH_CLEAR disabled=ctx.job.running on:click=move |_| ctx.docs.set(Vec::new())>"Clear documents"</button>
            </div>
            <Show when=move || ctx.docs.with(|d| !d.is_empty())>
                <div class="virtual" node_ref=window.node on:scroll=move |_| window.on_scroll.run(())>
                <table class="docs" data-testid=hooks::BATCH_DOCS>
                    <caption>{move || ctx.docs.with(|d| format!("{} documents, {} usable", d.len(), d.iter().filter(|x| x.error.is_none()).count()))}</caption>
                    <thead><tr><th scope="col">"Document"</th><th scope="col">"Characters"</th><th scope="col">"≈ Tokens"</th><th scope="col">"Status"</th></tr></thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.above.get())><td colspan="99"></td></tr>
                        // Only the rows in view (and a margin) are in the page.
                        {move || {
                            let (a, b) = window.range.get();
                            ctx.docs.with(|d| d.iter().enumerate().skip(a).take(b.saturating_sub(a)).map(|(i, doc)| view! {
                                <tr data-testid=format!("batch-doc-{i}")>
                                    <th scope="row">{doc.name.clone()}</th>
                                    <td>{doc.chars()}</td>
                                    <td>{doc.tokens()}</td>
                                    <td>{match &doc.error {
                                        Some(e) => view! { <span class="error" data-testid=format!("batch-doc-{i}-error")>{e.clone()}</span> }.into_any(),
                                        None => view! { <span>"ready"</span> }.into_any(),
                                    }}</td>
                                </tr>
                            }).collect_view())
                        }}
                        <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window.below.get())><td colspan="99"></td></tr>
                    </tbody>
                </table>
                </div>
            </Show>
    }
}
