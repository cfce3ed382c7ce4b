//! The OpenAI Batch API hand-off: the batch as an input file, submitted
//! from the page (uploaded, created and checked until done), or an output
//! file run elsewhere read back into the same results.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{BatchCtx, Shown};
use crate::batch::batch_api::{custom_id, input_file, read_output};
use crate::components::browser::{download_text, take_file};
use crate::components::hooks;
use crate::openai::batches::run_to_end;
use crate::settings::Provider;
use crate::state::AppState;
use crate::state::tabs;

/// The Batch API section.
#[component]
pub(super) fn BatchApi() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let state = expect_context::<AppState>();
    let (api_status, set_api_status) = signal(String::new());

    // Fills cells from a Batch API output file's content.
    let apply_output = move |content: &str| {
        let Some(shown) = ctx.shown.get_untracked() else {
            return;
        };
        let b = shown.batch();
        let out = read_output(content, &b.jobs, &b.tasks);
        shown
            .session
            .apply(&out.cells, &ctx.sink(), &|e| shown.apply(e, &ctx));
        let mut msg = format!(
            "Read {} results from the Batch API output.",
            out.cells.len()
        );
        if !out.problems.is_empty() {
            msg.push_str(&format!(
                " Skipped {}: {}",
                out.problems.len(),
                out.problems.join("; ")
            ));
        }
        set_api_status.set(msg);
    };

    // The batch's input file, each line with its custom_id.
    let api_file = move |s: &Shown| {
        let base = state.settings.get_untracked().run_spec(&s.batch().language);
        let b = s.batch();
        let lines: Vec<_> = b
            .jobs
            .iter()
            .map(|j| custom_id(*j, &b.tasks))
            .zip(s.session.requests(&base))
            .collect();
        input_file(&lines)
    };

    let download_api_input = move |_| {
        let Some(s) = ctx.prepare(&state) else {
            return;
        };
        if let Err(e) = download_text(
            "fanout-batch-input.jsonl",
            "application/jsonl",
            &api_file(&s),
        ) {
            ctx.job.error.set(Some(format!("Export failed: {e}")));
        }
    };

    let submit = move |_| {
        let settings = state.settings.get_untracked();
        if settings.provider == Provider::Demo {
            ctx.job.error.set(Some(
                "The Batch API needs a real API: choose \"OpenAI-compatible API\" in the settings."
                    .into(),
            ));
            return;
        }
        let cfg = match settings.client_config(&state.api_key.get_untracked()) {
            Ok(c) => c,
            Err(e) => {
                ctx.job.error.set(Some(format!("Settings: {e}")));
                return;
            }
        };
        let Some(s) = ctx.prepare(&state) else {
            return;
        };
        let file = api_file(&s);
        ctx.job.start(|signal| {
            Ok(async move {
                // The hand-off holds the batch's lock like a running batch:
                // one tab submits and polls; no other tab starts a batch
                // (and saves it over this one) meanwhile.
                let Some(_held) = tabs::try_hold(tabs::BATCH).await else {
                    ctx.job.error.set(Some(super::RUNNING_ELSEWHERE.into()));
                    return;
                };
                if let Some(db) = ctx.store.get_value() {
                    let _ = db.start_batch(s.batch()).await;
                }
                match run_to_end(&cfg, &file, &signal, &|m| set_api_status.set(m)).await {
                    Ok(content) => apply_output(&content),
                    Err(e) => set_api_status.set(e),
                }
            })
        });
    };

    let import_api_output = move |ev: leptos::ev::Event| {
        let Some(file) = take_file(&ev) else {
            return;
        };
        if ctx
            .shown
            .with_untracked(|s| s.as_ref().is_none_or(|s| s.batch().jobs.is_empty()))
        {
            ctx.job.error.set(Some("Prepare the batch first (the same documents and tasks as the one sent), e.g. with \"Download Batch API input\".".into()));
            return;
        }
        let name = file.name();
        spawn_local(async move {
            match gloo_file::futures::read_as_text(&gloo_file::File::from(file)).await {
                Ok(content) => apply_output(&content),
                Err(_) => ctx
                    .job
                    .error
                    .set(Some(format!("\"{name}\" could not be read as text."))),
            }
        });
    };

    view! {
            <details class="batch-api">
                <summary>"Too big for a browser tab? Use OpenAI's Batch API (results within 24 hours, at half price)"</summary>
                <p class="hint">"Writes every document × task as one request line (custom_id = document number:task id). Submit it from here (the page uploads the file, creates the batch and checks it until it is done, then fills the table), or download the file, run it elsewhere and import the output file."</p>
                <div class="row">
                    <button type="button" data-testid=hooks::BATCH_API_INPUT disabled=ctx.job.running on:click=download_api_input>"Download Batch API input"</button>
                    <button type="button" data-testid=hooks::BATCH_API_SUBMIT disabled=ctx.job.running on:click=submit>"Submit to the Batch API"</button>
                    <label class="file-button">
                        <span>"Import Batch API output (.jsonl)"</span>
                        <input type="file" accept=".jsonl,.json,application/jsonl" data-testid=hooks::BATCH_API_OUTPUT on:change=import_api_output />
                    </label>
                </div>
                <p class="hint" role="status" data-testid=hooks::BATCH_API_STATUS>{move || api_status.get()}</p>
            </details>
    }
}
