//! The batch section: many documents × the selected tasks under a limit K
//! and optional rate budgets, with progress, the in-flight gauge, a results
//! table and exports. Scheduling lives in `crate::schedule::scheduler` and
//! `crate::workflow::batch`; this view turns their events into signals.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::batch::batch_api::{custom_id, input_file, poll_delay_ms, read_output};
use crate::batch::documents::{
    Document, FileKind, file_kind, from_extracted, from_file, split_pasted, unreadable,
};
use crate::batch::driver::{BatchEvent, run_batch};
use crate::batch::export::Table;
use crate::batch::extract::too_big;
use crate::batch::jobs::{Job, Ordering, job_order, job_request, jobs};
use crate::batch::progress::{Tally, mean_in_flight, progress_of};
use crate::batch::saved::{Cell, SavedBatch};
use crate::charts::gauge::layout_gauge;
use crate::components::browser::{download_text, take_file, use_canceller};
use crate::components::extractor::extract_each;
use crate::components::fields::NumberField;
use crate::format::duration_ms;
use crate::history::RunRecord;
use crate::history::record::{BatchEntry, Meta};
use crate::openai::ChatRequest;
use crate::openai::batches::{create_batch, file_content, get_batch, upload_batch_file};
use crate::openai::client::now_ms;
use crate::schedule::scheduler::{Limits, MAX_IN_FLIGHT};
use crate::settings::{Provider, Settings};
use crate::state::AppState;
use crate::state::History;
use crate::state::store::Store;
use crate::workflow::cost::estimate_usd;
use crate::workflow::engine::{RunSpec, TaskStatus};
use crate::workflow::tasks::TaskDef;

/// Browsers open at most this many HTTP/1.1 connections per origin.
const HTTP1_CONNECTIONS: usize = 6;

/// One job's live state.
#[derive(Debug, Clone, PartialEq)]
struct JobView {
    status: TaskStatus,
    cell: Option<Cell>,
}

/// The batch being shown: its documents, tasks, jobs and one signal per job.
#[derive(Clone, Default)]
struct Shown {
    docs: Vec<Document>,
    tasks: Vec<TaskDef>,
    jobs: Vec<Job>,
    views: Vec<RwSignal<JobView>>,
    model: String,
    simulated: bool,
    language: String,
}

impl Shown {
    /// The request settings the batch's jobs are built with.
    fn base(&self, settings: &Settings) -> RunSpec {
        settings.run_spec(&self.language)
    }

    fn saved(&self) -> SavedBatch {
        SavedBatch {
            docs: self.docs.clone(),
            tasks: self.tasks.clone(),
            jobs: self.jobs.clone(),
            model: self.model.clone(),
            simulated: self.simulated,
            language: self.language.clone(),
        }
    }

    fn cells(&self) -> Vec<Option<Cell>> {
        self.views
            .iter()
            .map(|v| v.with(|j| j.cell.clone()))
            .collect()
    }
}

/// The batch section.
#[component]
pub fn BatchPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let docs = RwSignal::new(Vec::<Document>::new());
    // PDF and Word files still being read.
    let reading = RwSignal::new(0usize);
    let (paste, set_paste) = signal(String::new());
    let (field, set_field) = signal("text".to_string());
    let (k, set_k) = signal(6usize);
    let (rpm, set_rpm) = signal(0u32);
    let (tpm, set_tpm) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let (running, set_running) = signal(false);
    let (filter, set_filter) = signal("all".to_string());
    let (api_status, set_api_status) = signal(String::new());
    let shown = RwSignal::new(Shown::default());
    let current_k = RwSignal::new(0usize);
    let samples = RwSignal::new(Vec::<(f64, usize)>::new());
    let started_at = RwSignal::new(0.0f64);
    let elapsed = RwSignal::new(0.0f64);
    let opened = RwSignal::new(None::<usize>);
    let controller = use_canceller();
    let history = expect_context::<History>();
    // The history id of the batch shown, so a retry updates its entry.
    let record_id = StoredValue::new(None::<String>);
    let owner = StoredValue::new_local(Owner::current().expect("BatchPanel has an owner"));
    // IndexedDB, where the batch and its results are kept as they arrive.
    let store = StoredValue::new_local(None::<Rc<Store>>);
    // Unfinished jobs of a batch found on the device at start-up.
    let resumable = RwSignal::new(None::<Vec<usize>>);
    let make_views = move |cells: Vec<Option<Cell>>| {
        owner.with_value(|o| {
            o.with(|| {
                cells
                    .into_iter()
                    .map(|cell| {
                        RwSignal::new(JobView {
                            status: cell.as_ref().map_or(TaskStatus::Pending, |c| c.status),
                            cell,
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    spawn_local(async move {
        let Ok(db) = Store::open().await else {
            return;
        };
        if let Ok(Some((saved, results))) = db.load_batch().await {
            let left = saved.unfinished(&results);
            let views = make_views(saved.cells(&results));
            shown.set(Shown {
                docs: saved.docs,
                tasks: saved.tasks,
                jobs: saved.jobs,
                views,
                model: saved.model,
                simulated: saved.simulated,
                language: saved.language,
            });
            if !left.is_empty() {
                resumable.set(Some(left));
            }
        }
        store.set_value(Some(Rc::new(db)));
    });

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

    // Runs `indices` of the shown jobs (all of them, or the failed ones).
    let start = move |indices: Vec<usize>| {
        set_error.set(None);
        let (settings, transport) = match controller.begin(&state) {
            Ok(begun) => begun,
            Err(e) => {
                set_error.set(Some(e));
                return;
            }
        };
        let s = shown.get_untracked();
        let base = s.base(&settings);
        let requests: Vec<ChatRequest> = indices
            .iter()
            .map(|&i| job_request(&base, &s.docs, &s.tasks, s.jobs[i]))
            .collect();
        let picked: Vec<Job> = indices.iter().map(|&i| s.jobs[i]).collect();
        let host = settings.server_host();
        let order = state.durations.with_untracked(|log| {
            let how = Ordering {
                order: settings.order,
                log,
                speed: &settings.speed,
                host: &host,
            };
            job_order(&base, &s.docs, &s.tasks, &picked, &how)
        });
        for &i in &indices {
            s.views[i].set(JobView {
                status: TaskStatus::Pending,
                cell: None,
            });
        }
        let limits = Limits {
            max_in_flight: k.get_untracked(),
            rpm: Some(f64::from(rpm.get_untracked())).filter(|v| *v > 0.0),
            tpm: Some(f64::from(tpm.get_untracked())).filter(|v| *v > 0.0),
            ..Limits::default()
        };
        samples.set(Vec::new());
        let t0 = now_ms();
        started_at.set(t0);
        elapsed.set(0.0);
        set_running.set(true);
        let ticker = gloo_timers::callback::Interval::new(250, move || elapsed.set(now_ms() - t0));
        spawn_local(async move {
            let on = |e: BatchEvent| match e {
                BatchEvent::Started(i) => {
                    s.views[indices[i]].update(|v| v.status = TaskStatus::Running)
                }
                BatchEvent::Finished(i, out) => {
                    let cell = Cell::from_output(&out);
                    if let Some(db) = store.get_value() {
                        let (job, cell) = (indices[i], cell.clone());
                        spawn_local(async move {
                            let _ = db.save_result(job, &cell).await;
                        });
                    }
                    s.views[indices[i]].set(JobView {
                        status: cell.status,
                        cell: Some(cell),
                    });
                }
                BatchEvent::Load { in_flight, k } => {
                    current_k.set(k);
                    samples.update(|v| v.push((now_ms() - t0, in_flight)));
                }
            };
            let outputs = run_batch(&*transport, &requests, &order, limits, &on).await;
            // Jobs never started (cancelled) are marked so, not left pending.
            for (pos, out) in outputs.iter().enumerate() {
                if out.is_none() {
                    s.views[indices[pos]].update(|v| v.status = TaskStatus::Cancelled);
                }
            }
            drop(ticker);
            let end = now_ms() - t0;
            elapsed.set(end);
            let shown_now = shown.get_untracked();
            let cells = shown_now.cells();
            let (tokens_in, tokens_out) = cells.iter().flatten().fold((0, 0), |(i, o), c| {
                (i + c.tokens_in.unwrap_or(0), o + c.tokens_out.unwrap_or(0))
            });
            let usable: Vec<(String, String)> = shown_now
                .docs
                .iter()
                .filter(|d| d.error.is_none())
                .map(|d| (d.name.clone(), d.text.clone()))
                .collect();
            let meta = Meta {
                at: js_sys::Date::now(),
                host,
                simulated: shown_now.simulated,
                input_name: String::new(),
                cost_usd: estimate_usd(&settings.prices, &shown_now.model, tokens_in, tokens_out),
                cancelled: transport.cancelled(),
            };
            let entry = BatchEntry {
                docs: usable.iter().map(|d| d.0.clone()).collect(),
                k: limits.max_in_flight,
                wall_ms: end,
                mean_in_flight: samples.with_untracked(|v| mean_in_flight(v, end)),
                cells,
            };
            let labels: Vec<String> = shown_now.tasks.iter().map(|t| t.label.clone()).collect();
            let mut record = RunRecord::batch(meta, &shown_now.model, &usable, &labels, entry);
            match record_id.get_value() {
                Some(id) => record.id = id,
                None => record_id.set_value(Some(record.id.clone())),
            }
            history.add(record);
            set_running.set(false);
            controller.finish();
        });
    };

    // Shows a fresh batch of the documents × selected tasks and saves it on
    // the device; None (with the reason shown) if there is nothing to run.
    let prepare = move || -> Option<Shown> {
        set_error.set(None);
        let d = docs.get_untracked();
        if d.iter().all(|d| d.error.is_some()) {
            set_error.set(Some(
                "Add documents first: open files, or paste texts and press \"Add pasted texts\"."
                    .into(),
            ));
            return None;
        }
        let tasks = state
            .tasks
            .with_untracked(|c| c.chosen(&state.selected.get_untracked()));
        if tasks.is_empty() {
            set_error.set(Some(
                "Choose at least one task (in the task list above).".into(),
            ));
            return None;
        }
        let j = jobs(&d, tasks.len());
        let views = make_views(vec![None; j.len()]);
        let settings = state.settings.get_untracked();
        opened.set(None);
        resumable.set(None);
        record_id.set_value(None);
        let s = Shown {
            docs: d,
            tasks,
            jobs: j.clone(),
            views,
            model: settings.model.clone(),
            simulated: settings.provider == Provider::Demo,
            language: state.language.get_untracked(),
        };
        shown.set(s.clone());
        Some(s)
    };

    let run_all = move |_| {
        let Some(s) = prepare() else {
            return;
        };
        // Save the batch before any result can arrive, then run it.
        spawn_local(async move {
            if let Some(db) = store.get_value() {
                let _ = db.start_batch(&s.saved()).await;
            }
            start((0..s.jobs.len()).collect());
        });
    };

    // Fills cells from a Batch API output file's content.
    let apply_output = move |content: &str| {
        let s = shown.get_untracked();
        let out = read_output(content, &s.jobs, &s.tasks);
        for (job, cell) in &out.cells {
            s.views[*job].set(JobView {
                status: cell.status,
                cell: Some(cell.clone()),
            });
            if let Some(db) = store.get_value() {
                let (job, cell) = (*job, cell.clone());
                spawn_local(async move {
                    let _ = db.save_result(job, &cell).await;
                });
            }
        }
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

    let api_requests = move |s: &Shown| {
        let base = s.base(&state.settings.get_untracked());
        s.jobs
            .iter()
            .map(|j| {
                (
                    custom_id(*j, &s.tasks),
                    job_request(&base, &s.docs, &s.tasks, *j),
                )
            })
            .collect::<Vec<_>>()
    };

    let download_api_input = move |_| {
        let Some(s) = prepare() else {
            return;
        };
        let file = input_file(&api_requests(&s));
        if let Err(e) = download_text("fanout-batch-input.jsonl", "application/jsonl", &file) {
            set_error.set(Some(format!("Export failed: {e}")));
        }
    };

    let submit = move |_| {
        let settings = state.settings.get_untracked();
        if settings.provider == Provider::Demo {
            set_error.set(Some(
                "The Batch API needs a real API: choose \"OpenAI-compatible API\" in the settings."
                    .into(),
            ));
            return;
        }
        let cfg = match settings.client_config(&state.api_key.get_untracked()) {
            Ok(c) => c,
            Err(e) => {
                set_error.set(Some(format!("Settings: {e}")));
                return;
            }
        };
        let Some(s) = prepare() else {
            return;
        };
        let Some(signal) = controller.start() else {
            return;
        };
        let file = input_file(&api_requests(&s));
        set_running.set(true);
        spawn_local(async move {
            if let Some(db) = store.get_value() {
                let _ = db.start_batch(&s.saved()).await;
            }
            let result: Result<(), String> = async {
                set_api_status.set("Uploading the input file…".into());
                let file_id = upload_batch_file(&cfg, "fanout-batch-input.jsonl", &file, &signal)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut batch = create_batch(&cfg, &file_id, &signal)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut n = 0;
                while !batch.is_final() {
                    set_api_status.set(format!(
                        "{} · next check in {}",
                        batch.describe(),
                        duration_ms(poll_delay_ms(n))
                    ));
                    gloo_timers::future::sleep(std::time::Duration::from_secs_f64(
                        poll_delay_ms(n) / 1000.0,
                    ))
                    .await;
                    if signal.aborted() {
                        return Err(format!(
                            "Stopped checking {}; it keeps running at the provider.",
                            batch.id
                        ));
                    }
                    batch = get_batch(&cfg, &batch.id, &signal)
                        .await
                        .map_err(|e| e.to_string())?;
                    n += 1;
                }
                set_api_status.set(batch.describe());
                let mut content = String::new();
                for id in [&batch.output_file_id, &batch.error_file_id]
                    .into_iter()
                    .flatten()
                {
                    content.push_str(
                        &file_content(&cfg, id, &signal)
                            .await
                            .map_err(|e| e.to_string())?,
                    );
                    content.push('\n');
                }
                apply_output(&content);
                Ok(())
            }
            .await;
            if let Err(e) = result {
                set_api_status.set(e);
            }
            set_running.set(false);
            controller.finish();
        });
    };

    let import_api_output = move |ev: leptos::ev::Event| {
        let Some(file) = take_file(&ev) else {
            return;
        };
        if shown.with_untracked(|s| s.jobs.is_empty()) {
            set_error.set(Some("Prepare the batch first (the same documents and tasks as the one sent), e.g. with \"Download Batch API input\".".into()));
            return;
        }
        let name = file.name();
        spawn_local(async move {
            match gloo_file::futures::read_as_text(&gloo_file::File::from(file)).await {
                Ok(content) => apply_output(&content),
                Err(_) => set_error.set(Some(format!("\"{name}\" could not be read as text."))),
            }
        });
    };

    let resume = move |_| {
        if let Some(left) = resumable.get_untracked() {
            resumable.set(None);
            start(left);
        }
    };
    let discard = move |_| {
        resumable.set(None);
        shown.set(Shown::default());
        if let Some(db) = store.get_value() {
            spawn_local(async move {
                let _ = db.clear_batch().await;
            });
        }
    };

    let retry_failed = move |_| {
        let failed: Vec<usize> = shown.with_untracked(|s| {
            s.views
                .iter()
                .enumerate()
                .filter(|(_, v)| {
                    v.with_untracked(|v| {
                        matches!(v.status, TaskStatus::Error | TaskStatus::Cancelled)
                    })
                })
                .map(|(i, _)| i)
                .collect()
        });
        if !failed.is_empty() {
            start(failed);
        }
    };

    let export = move |kind: &'static str| {
        let s = shown.get_untracked();
        let cells = s.cells();
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
            set_error.set(Some(format!("Export failed: {e}")));
        }
    };

    // Counts change once per finished request; the texts are not copied.
    let tally = Memo::new(move |_| {
        shown.with(|s| {
            let mut t = Tally::default();
            for v in &s.views {
                v.with(|j| t = t.with(j.cell.as_ref()));
            }
            t
        })
    });
    let stats = move || progress_of(tally.get(), elapsed.get());
    let has_jobs = move || shown.with(|s| !s.jobs.is_empty());
    let http1 = move || {
        state
            .settings
            .with(|s| s.provider == Provider::Api && s.base_url.trim().starts_with("http://"))
            && k.get() > HTTP1_CONNECTIONS
    };

    view! {
        <section class="panel batch" aria-labelledby="batch-title">
            <h2 id="batch-title">"Batch: many documents"</h2>
            <p class="hint">"Every document runs the tasks ticked above. Open .txt, .md, .pdf or .docx files (one document each; PDF and Word text is read in your browser), .csv files (one per row, from the column named below) or .jsonl files (one per line, from that field), or paste texts separated by a line of ---."</p>
            <div class="row">
                <label class="field">
                    <span>"Open files"</span>
                    <input type="file" multiple accept=".txt,.md,.markdown,.csv,.jsonl,.ndjson,.pdf,.docx" data-testid="batch-files" on:change=add_files />
                </label>
                <Show when=move || { reading.get() > 0 }>
                    <p class="hint" role="status" data-testid="docs-reading">
                        {move || format!("Reading {} PDF/Word file(s)…", reading.get())}
                    </p>
                </Show>
                <label class="field small">
                    <span>"CSV column / JSONL field"</span>
                    <input type="text" data-testid="batch-field" prop:value=move || field.get()
                        on:input=move |ev| set_field.set(event_target_value(&ev)) />
                </label>
            </div>
            <label class="field">
                <span>"Paste texts (separate documents with a line of ---)"</span>
                <textarea rows="4" data-testid="batch-paste" prop:value=move || paste.get()
                    on:input=move |ev| set_paste.set(event_target_value(&ev))></textarea>
            </label>
            <div class="row">
                <button type="button" data-testid="batch-add-pasted" on:click=move |_| {
                    let found = split_pasted(&paste.get_untracked());
                    if found.is_empty() {
                        set_error.set(Some("Nothing to add: the pasted text is empty.".into()));
                    } else {
                        set_error.set(None);
                        docs.update(|d| d.extend(found));
                        set_paste.set(String::new());
                    }
                }>"Add pasted texts"</button>
                <button type="button" data-testid="batch-clear" disabled=running on:click=move |_| docs.set(Vec::new())>"Clear documents"</button>
            </div>
            <Show when=move || docs.with(|d| !d.is_empty())>
                <table class="docs" data-testid="batch-docs">
                    <caption>{move || docs.with(|d| format!("{} documents, {} usable", d.len(), d.iter().filter(|x| x.error.is_none()).count()))}</caption>
                    <thead><tr><th scope="col">"Document"</th><th scope="col">"Characters"</th><th scope="col">"≈ Tokens"</th><th scope="col">"Status"</th></tr></thead>
                    <tbody>
                        {move || docs.with(|d| d.iter().enumerate().map(|(i, doc)| view! {
                            <tr data-testid=format!("batch-doc-{i}")>
                                <th scope="row">{doc.name.clone()}</th>
                                <td>{doc.chars()}</td>
                                <td>{doc.tokens()}</td>
                                <td>{match &doc.error {
                                    Some(e) => view! { <span class="error" data-testid=format!("batch-doc-{i}-error")>{e.clone()}</span> }.into_any(),
                                    None => view! { <span>"ready"</span> }.into_any(),
                                }}</td>
                            </tr>
                        }).collect_view())}
                    </tbody>
                </table>
            </Show>
            <div class="row">
                <NumberField label="In flight at most (K)" testid="batch-k" min=1usize max=MAX_IN_FLIGHT
                    value=k on_set=Callback::new(move |v| set_k.set(v)) />
                <NumberField label="Requests / min (0 = no limit)" testid="batch-rpm" min=0u32 max=1_000_000u32
                    value=rpm on_set=Callback::new(move |v| set_rpm.set(v)) />
                <NumberField label="Tokens / min (0 = no limit)" testid="batch-tpm" min=0u32 max=100_000_000u32
                    value=tpm on_set=Callback::new(move |v| set_tpm.set(v)) />
            </div>
            <p class="hint" data-testid="batch-order">
                {move || format!(
                    "Requests start {} across documents × tasks (task priorities first); change it under Start order above.",
                    state.settings.with(|s| s.order.label()),
                )}
            </p>
            <Show when=http1>
                <p class="hint" data-testid="batch-h1-note">"This base URL is plain http://, which browsers reach over HTTP/1.1 with at most 6 connections per server: requests beyond 6 wait in the browser. The OpenAI API (HTTP/2) has no such cap."</p>
            </Show>
            <div class="row">
                <button type="button" class="primary" data-testid="batch-run" disabled=running on:click=run_all>"Run batch"</button>
                <button type="button" data-testid="batch-cancel" disabled=move || !running.get() on:click=move |_| controller.cancel()>"Cancel"</button>
                <button type="button" data-testid="batch-retry-failed"
                    disabled=move || running.get() || stats().failed == 0
                    on:click=retry_failed>"Retry failed"</button>
            </div>
            <details class="batch-api">
                <summary>"Too big for a browser tab? Use OpenAI's Batch API (results within 24 hours, at half price)"</summary>
                <p class="hint">"Writes every document × task as one request line (custom_id = document number:task id). Submit it from here (the page uploads the file, creates the batch and checks it until it is done, then fills the table), or download the file, run it elsewhere and import the output file."</p>
                <div class="row">
                    <button type="button" data-testid="batch-api-input" disabled=running on:click=download_api_input>"Download Batch API input"</button>
                    <button type="button" data-testid="batch-api-submit" disabled=running on:click=submit>"Submit to the Batch API"</button>
                    <label class="file-button">
                        <span>"Import Batch API output (.jsonl)"</span>
                        <input type="file" accept=".jsonl,.json,application/jsonl" data-testid="batch-api-output" on:change=import_api_output />
                    </label>
                </div>
                <p class="hint" role="status" data-testid="batch-api-status">{move || api_status.get()}</p>
            </details>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="batch-error">{e}</p> })}
            {move || resumable.get().map(|left| {
                let total = shown.with(|s| s.jobs.len());
                view! {
                    <div class="resume" role="status" data-testid="batch-resume-offer">
                        <p>{format!("An unfinished batch was kept on this device: {} of {} requests finished, {} left.", total - left.len(), total, left.len())}</p>
                        <button type="button" class="primary" data-testid="batch-resume" on:click=resume>"Resume"</button>
                        <button type="button" data-testid="batch-discard" on:click=discard>"Discard it"</button>
                    </div>
                }
            })}
            <Show when=has_jobs>
                <div class="batch-progress" aria-live="polite">
                    <progress
                        max=move || shown.with(|s| s.jobs.len()).to_string()
                        value=move || { let p = stats(); (p.done + p.failed).to_string() }
                    ></progress>
                    // The figures as JSON too, for scripts (the benchmark reads them).
                    <p
                        data-testid="batch-progress"
                        data-figures=move || {
                            let p = stats();
                            let end = elapsed.get();
                            serde_json::json!({
                                "done": p.done,
                                "failed": p.failed,
                                "remaining": p.remaining,
                                "elapsed_ms": end,
                                "mean_in_flight": samples.with(|s| mean_in_flight(s, end)),
                                "peak_in_flight": samples.with(|s| s.iter().map(|x| x.1).max().unwrap_or(0)),
                            })
                            .to_string()
                        }
                    >
                        {move || {
                            let p = stats();
                            let eta = if running.get() { p.eta_ms.map(|e| format!(" · ETA {}", duration_ms(e))).unwrap_or_default() } else { String::new() };
                            format!(
                                "{} done · {} failed · {} remaining · {} elapsed{} · {:.1} requests/s · {:.0} tokens/s",
                                p.done, p.failed, p.remaining, duration_ms(p.elapsed_ms), eta, p.requests_per_s, p.tokens_per_s
                            )
                        }}
                    </p>
                    <p class="hint">"Current limit K: "<span data-testid="batch-current-k">{move || current_k.get()}</span>
                        {move || shown.with(|s| s.simulated).then_some(" · simulated (demo provider)")}
                    </p>
                    {move || {
                        let l = samples.with(|s| layout_gauge(s, k.get(), elapsed.get(), 600.0, 60.0));
                        view! {
                            <svg class="gauge" viewBox=format!("0 0 {} {}", l.width, l.height) role="img"
                                aria-label=format!("Requests in flight over {}: at most {}, limit {}", duration_ms(l.x_max), l.y_max, k.get())
                                data-testid="batch-inflight">
                                <line class="limit" x1="0" x2=l.width y1=l.limit_y y2=l.limit_y></line>
                                <polyline class="inflight" points=l.points fill="none"></polyline>
                            </svg>
                        }
                    }}
                </div>
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
                    let s = shown.get();
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
                        .filter(|d| all || s.jobs.iter().zip(&s.views).any(|(j, v)| j.doc == *d && keep(v.with(|v| v.status))))
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
                                            let v = i.map(|i| s.views[i]);
                                            view! {
                                                <td>
                                                    {i.zip(v).map(|(i, v)| view! {
                                                        <button type="button" class="cell"
                                                            data-testid=format!("cell-{d}-{t}")
                                                            data-status=move || v.with(|v| v.status.name())
                                                            on:click=move |_| opened.set(Some(i))>
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
                }}
                {move || opened.get().and_then(|i| shown.with(|s| {
                    let job = *s.jobs.get(i)?;
                    let v = s.views[i];
                    let title = format!("{} × {}", s.docs[job.doc].name, s.tasks[job.task].label);
                    Some(view! {
                        <div class="cell-output" data-testid="batch-output">
                            <h3>{title}</h3>
                            {move || v.with(|v| v.cell.as_ref().and_then(|c| c.error.clone())).map(|e| view! { <p class="error">{e}</p> })}
                            <pre class="answer" tabindex="0">{move || v.with(|v| v.cell.as_ref().map(|c| c.text.clone()).unwrap_or_default())}</pre>
                        </div>
                    })
                }))}
            </Show>
        </section>
    }
}
