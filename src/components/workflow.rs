//! The six-task workflow: input, task choice, mode, Run/Cancel, one card per
//! task, headline figures and the timeline. Scheduling, metrics and chart
//! layout live in `crate::workflow` and `crate::charts`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use crate::app::AppState;
use crate::charts::bars::{BAR_HEIGHT, layout_bars};
use crate::charts::timeline::{TimelineFrame, TimelineRow, layout_timeline};
use crate::format::duration_ms;
use crate::openai::client::now_ms;
use crate::openai::{
    ApiError, ChatMessage, ClientConfig, Progress, RequestOptions, build_chat_request, chat,
};
use crate::settings::Settings;
use crate::workflow::input::{FileError, check_text_file};
use crate::workflow::metrics::{
    Comparison, RunMetrics, TaskTiming, compare_medians, run_metrics, spread,
};
use crate::workflow::runner::{Mode, comparison_order, concurrency, run_limited};
use crate::workflow::tasks::{TaskDef, builtin_tasks, estimate_tokens, task_messages};

/// The bundled sample texts: (label, text).
const SAMPLES: [(&str, &str); 4] = [
    (
        "AI technology article",
        include_str!("../../samples/ai-technology-article.txt"),
    ),
    (
        "Business report",
        include_str!("../../samples/business-report.txt"),
    ),
    (
        "Healthcare study",
        include_str!("../../samples/healthcare-study.txt"),
    ),
    (
        "Technology news",
        include_str!("../../samples/technology-news.txt"),
    ),
];

/// Above this estimate, warn that the text may not fit a model's context.
const CONTEXT_WARN_TOKENS: usize = 100_000;

/// What the Run button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunMode {
    Sequential,
    Parallel,
    Compare,
}

/// A card's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardStatus {
    Pending,
    Running,
    Done,
    Error,
    Cancelled,
}

impl CardStatus {
    fn name(self) -> &'static str {
        match self {
            CardStatus::Pending => "pending",
            CardStatus::Running => "running",
            CardStatus::Done => "done",
            CardStatus::Error => "error",
            CardStatus::Cancelled => "cancelled",
        }
    }
}

/// Live state of one task's card.
#[derive(Clone)]
struct Card {
    task: TaskDef,
    status: RwSignal<CardStatus>,
    text: RwSignal<String>,
    ms: RwSignal<Option<f64>>,
    error: RwSignal<Option<String>>,
    attempts: RwSignal<u32>,
}

/// A timeline row while it is being drawn (end unknown while running).
#[derive(Debug, Clone, PartialEq)]
struct LiveRow {
    label: String,
    status: CardStatus,
    start: f64,
    first: Option<f64>,
    end: Option<f64>,
    waits: Vec<(f64, f64)>,
}

/// Results of the runs so far, per mode.
#[derive(Debug, Clone, Default, PartialEq)]
struct Results {
    sequential: Vec<RunMetrics>,
    parallel: Vec<RunMetrics>,
    /// Per task: (label, last sequential ms, last parallel ms).
    per_task: Vec<(String, Option<f64>, Option<f64>)>,
    concurrency: usize,
    /// The model the runs used (prices are looked up for it).
    model: String,
}

impl Results {
    fn comparison(&self) -> Option<Comparison> {
        let walls = |v: &[RunMetrics]| v.iter().map(|m| m.wall_ms).collect::<Vec<_>>();
        compare_medians(
            &walls(&self.sequential),
            &walls(&self.parallel),
            self.concurrency,
        )
    }
}

/// Everything one run needs, cloned into the async task.
struct RunInput {
    cfg: ClientConfig,
    settings: Settings,
    text: String,
    language: String,
    cards: Vec<Card>,
    limit: usize,
}

/// Runs the cards' tasks in one mode; returns the run's metrics. Rows of
/// the timeline are written to `rows` as they change.
async fn run_once(
    input: &RunInput,
    mode: Mode,
    signal: &web_sys::AbortSignal,
    rows: RwSignal<Vec<(Mode, Vec<LiveRow>)>>,
) -> (RunMetrics, Vec<TaskTiming>) {
    let n = input.cards.len();
    let k = concurrency(mode, input.limit, n);
    for c in &input.cards {
        c.status.set(CardStatus::Pending);
        c.text.set(String::new());
        c.ms.set(None);
        c.error.set(None);
        c.attempts.set(0);
    }
    let start = now_ms();
    rows.update(|all| {
        all.retain(|(m, _)| *m != mode);
        let fresh = input
            .cards
            .iter()
            .map(|c| LiveRow {
                label: c.task.label.clone(),
                status: CardStatus::Pending,
                start: 0.0,
                first: None,
                end: None,
                waits: vec![],
            })
            .collect();
        all.push((mode, fresh));
        all.sort_by_key(|(m, _)| *m == Mode::Parallel);
    });
    let set_row = move |i: usize, f: &dyn Fn(&mut LiveRow)| {
        rows.update(|all| {
            if let Some((_, r)) = all.iter_mut().find(|(m, _)| *m == mode) {
                f(&mut r[i]);
            }
        });
    };

    let timings = run_limited(n, k, |i| {
        let card = input.cards[i].clone();
        async move {
            let req = build_chat_request(
                &input.settings.model,
                task_messages(&card.task, &input.text, &input.language),
                &RequestOptions {
                    max_tokens: Some(card.task.max_tokens),
                    stream: input.settings.stream,
                    token_param: input.settings.token_param,
                    ..RequestOptions::default()
                },
            );
            if signal.aborted() {
                card.status.set(CardStatus::Cancelled);
            } else {
                card.status.set(CardStatus::Running);
            }
            let sent = now_ms() - start;
            set_row(i, &|r| {
                r.status = CardStatus::Running;
                r.start = sent;
            });
            let mut got_first = false;
            let out = chat(&input.cfg, &req, signal, &mut |p| match p {
                Progress::Attempt(n) => {
                    card.attempts.set(n);
                    if n > 1 {
                        card.text.set(String::new());
                        let t = now_ms() - start;
                        set_row(i, &|r| {
                            if let Some(w) = r.waits.last_mut() {
                                w.1 = t;
                            }
                        });
                    }
                }
                Progress::Text(delta) => {
                    card.text.update(|t| t.push_str(&delta));
                    if !got_first {
                        got_first = true;
                        let t = now_ms() - start;
                        set_row(i, &|r| r.first = Some(t));
                    }
                }
                Progress::Waiting { .. } => {
                    let t = now_ms() - start;
                    set_row(i, &|r| r.waits.push((t, t)));
                }
                Progress::Headers => {}
            })
            .await;
            let status = match &out.error {
                None => CardStatus::Done,
                Some(ApiError::Aborted) => CardStatus::Cancelled,
                Some(_) => CardStatus::Error,
            };
            card.text.set(out.text.clone());
            card.ms.set(Some(out.timing.total_ms()));
            card.error.set(
                out.error
                    .as_ref()
                    .filter(|e| **e != ApiError::Aborted)
                    .map(ToString::to_string),
            );
            card.status.set(status);
            let end = out.timing.end_ms - start;
            let first = out.timing.first_token_ms.map(|f| f - start);
            set_row(i, &|r| {
                r.status = status;
                r.end = Some(end);
                r.first = first;
            });
            TaskTiming::from_output(&card.task.id, start, &out)
        }
    })
    .await;
    (run_metrics(start, &timings), timings)
}

/// The workflow section.
#[component]
pub fn WorkflowPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let (text, set_text) = signal(SAMPLES[0].1.to_string());
    let (sample, set_sample) = signal(0usize.to_string());
    let (language, set_language) = signal("Spanish".to_string());
    let (mode, set_mode) = signal(RunMode::Compare);
    let (limit, set_limit) = signal(0usize);
    let (rounds, set_rounds) = signal(1usize);
    let (input_error, set_input_error) = signal(None::<String>);
    let (running, set_running) = signal(false);
    let (phase, set_phase) = signal(String::new());
    let results = RwSignal::new(Results::default());
    let rows = RwSignal::new(Vec::<(Mode, Vec<LiveRow>)>::new());
    let now = RwSignal::new(None::<f64>);
    let controller = StoredValue::new_local(None::<AbortController>);

    let tasks = builtin_tasks();
    let selected = RwSignal::new(tasks.iter().map(|t| t.id.clone()).collect::<Vec<_>>());
    let cards: Vec<Card> = tasks
        .into_iter()
        .map(|task| Card {
            task,
            status: RwSignal::new(CardStatus::Pending),
            text: RwSignal::new(String::new()),
            ms: RwSignal::new(None),
            error: RwSignal::new(None),
            attempts: RwSignal::new(0),
        })
        .collect();
    let all_cards = StoredValue::new(cards.clone());

    let chars = move || text.with(|t| t.chars().count());
    let tokens = move || text.with(|t| estimate_tokens(t));

    let run = move || {
        set_input_error.set(None);
        let settings = state.settings.get_untracked();
        let cfg = match settings.client_config(&state.api_key.get_untracked()) {
            Ok(c) => c,
            Err(e) => {
                set_input_error.set(Some(format!("Settings: {e}")));
                return;
            }
        };
        let input_text = text.get_untracked();
        if input_text.trim().is_empty() {
            set_input_error.set(Some(
                "The text is empty: pick a sample, paste a text or open a file.".into(),
            ));
            return;
        }
        let chosen = selected.get_untracked();
        let cards: Vec<Card> = all_cards.with_value(|c| {
            c.iter()
                .filter(|c| chosen.contains(&c.task.id))
                .cloned()
                .collect()
        });
        if cards.is_empty() {
            set_input_error.set(Some("Choose at least one task.".into()));
            return;
        }
        let Ok(ctl) = AbortController::new() else {
            return;
        };
        controller.set_value(Some(ctl.clone()));
        let run_mode = mode.get_untracked();
        let input = RunInput {
            cfg,
            settings,
            text: input_text,
            language: language.get_untracked(),
            limit: limit.get_untracked(),
            cards,
        };
        results.set(Results {
            concurrency: concurrency(Mode::Parallel, input.limit, input.cards.len()),
            model: input.settings.model.clone(),
            ..Results::default()
        });
        rows.set(Vec::new());
        all_cards.with_value(|all| {
            for c in all {
                c.status.set(CardStatus::Pending);
                c.text.set(String::new());
                c.ms.set(None);
                c.error.set(None);
            }
        });
        set_running.set(true);
        // A ticker moves the "now" line and running bars while the run goes.
        let run_start = now_ms();
        let ticker =
            gloo_timers::callback::Interval::new(100, move || now.set(Some(now_ms() - run_start)));
        spawn_local(async move {
            let signal = ctl.signal();
            let order = match run_mode {
                RunMode::Sequential => vec![Mode::Sequential],
                RunMode::Parallel => vec![Mode::Parallel],
                RunMode::Compare => {
                    // Warm-up: connection set-up and CORS preflight are paid
                    // here, not by whichever mode happens to go first.
                    set_phase.set("Warming up the connection…".into());
                    let warm = build_chat_request(
                        &input.settings.model,
                        vec![ChatMessage::user("Reply with OK.")],
                        &RequestOptions {
                            max_tokens: Some(5),
                            stream: input.settings.stream,
                            token_param: input.settings.token_param,
                            ..RequestOptions::default()
                        },
                    );
                    chat(&input.cfg, &warm, &signal, &mut |_| {}).await;
                    comparison_order(rounds.get_untracked())
                }
            };
            let total = order.len();
            for (i, m) in order.into_iter().enumerate() {
                if signal.aborted() {
                    break;
                }
                set_phase.set(format!("Run {} of {}: {}", i + 1, total, m.name()));
                let (metrics, timings) = run_once(&input, m, &signal, rows).await;
                results.update(|r| {
                    match m {
                        Mode::Sequential => r.sequential.push(metrics),
                        Mode::Parallel => r.parallel.push(metrics),
                    }
                    if r.per_task.is_empty() {
                        r.per_task = input
                            .cards
                            .iter()
                            .map(|c| (c.task.label.clone(), None, None))
                            .collect();
                    }
                    for (row, t) in r.per_task.iter_mut().zip(&timings) {
                        match m {
                            Mode::Sequential => row.1 = Some(t.total_ms()),
                            Mode::Parallel => row.2 = Some(t.total_ms()),
                        }
                    }
                });
            }
            drop(ticker);
            now.set(None);
            set_phase.set(if signal.aborted() {
                "Cancelled.".into()
            } else {
                "Finished.".into()
            });
            set_running.set(false);
            controller.set_value(None);
        });
    };

    let cancel = move |_| {
        controller.with_value(|c| {
            if let Some(c) = c {
                c.abort();
            }
        });
    };

    let open_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // Let the same file be chosen again later.
        input.set_value("");
        let name = file.name();
        if let Err(e) = check_text_file(&name, file.size() as u64) {
            set_input_error.set(Some(e.to_string()));
            return;
        }
        spawn_local(async move {
            match gloo_file::futures::read_as_text(&gloo_file::File::from(file)).await {
                Ok(content) => {
                    set_input_error.set(None);
                    set_text.set(content);
                    set_sample.set("custom".into());
                }
                Err(_) => set_input_error.set(Some(FileError::Unreadable(name).to_string())),
            }
        });
    };

    let toggle = move |id: String, on: bool| {
        selected.update(|s| {
            s.retain(|x| *x != id);
            if on {
                s.push(id);
            }
        });
    };

    view! {
        <section class="panel workflow" aria-labelledby="workflow-title">
            <h2 id="workflow-title">"Six tasks over one text"</h2>
            <div class="row">
                <label class="field">
                    <span>"Sample text"</span>
                    <select
                        data-testid="sample-select"
                        prop:value=move || sample.get()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some((_, t)) = v.parse::<usize>().ok().and_then(|i| SAMPLES.get(i)) {
                                set_text.set((*t).to_string());
                            }
                            set_sample.set(v);
                        }
                    >
                        {SAMPLES
                            .iter()
                            .enumerate()
                            .map(|(i, (label, _))| view! { <option value=i.to_string()>{*label}</option> })
                            .collect_view()}
                        <option value="custom">"Your own text"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Open a .txt or .md file"</span>
                    <input type="file" accept=".txt,.md,.markdown,text/plain,text/markdown" data-testid="file-input" on:change=open_file />
                </label>
                <label class="field">
                    <span>"Translate to"</span>
                    <input
                        type="text"
                        data-testid="language"
                        prop:value=move || language.get()
                        on:input=move |ev| set_language.set(event_target_value(&ev))
                    />
                </label>
            </div>
            <label class="field">
                <span>"Text"</span>
                <textarea
                    rows="8"
                    data-testid="input-text"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        set_text.set(event_target_value(&ev));
                        set_sample.set("custom".into());
                    }
                ></textarea>
            </label>
            <p class="hint" data-testid="input-size">
                {move || format!("{} characters, about {} tokens", chars(), tokens())}
            </p>
            <Show when=move || { tokens() > CONTEXT_WARN_TOKENS }>
                <p class="waiting" role="status">
                    "This text is likely longer than many models' context window; the API may refuse it."
                </p>
            </Show>
            <fieldset class="tasks">
                <legend>"Tasks"</legend>
                {all_cards
                    .get_value()
                    .into_iter()
                    .map(|c| {
                        let id = c.task.id.clone();
                        let id2 = id.clone();
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    data-testid=format!("select-{id}")
                                    prop:checked=move || selected.with(|s| s.contains(&id))
                                    on:change=move |ev| toggle(id2.clone(), event_target_checked(&ev))
                                />
                                <span>{c.task.label.clone()}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <fieldset class="modes">
                <legend>"Mode"</legend>
                {[
                    (RunMode::Sequential, "sequential", "Sequential (one after another)"),
                    (RunMode::Parallel, "parallel", "Parallel (all at once, or K at a time)"),
                    (RunMode::Compare, "compare", "Compare (warm-up, then both, alternating)"),
                ]
                    .into_iter()
                    .map(|(m, id, label)| view! {
                        <label class="check">
                            <input type="radio" name="mode" data-testid=format!("mode-{id}")
                                prop:checked=move || mode.get() == m
                                on:change=move |_| set_mode.set(m) />
                            <span>{label}</span>
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <div class="row">
                <label class="field small">
                    <span>"Concurrency K (0 = all)"</span>
                    <input type="number" min="0" max="64" data-testid="concurrency"
                        prop:value=move || limit.get().to_string()
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                                set_limit.set(v.min(64));
                            }
                        } />
                </label>
                <label class="field small">
                    <span>"Rounds (compare)"</span>
                    <input type="number" min="1" max="5" data-testid="rounds"
                        prop:value=move || rounds.get().to_string()
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                                set_rounds.set(v.clamp(1, 5));
                            }
                        } />
                </label>
                <button type="button" class="primary" data-testid="run" disabled=running on:click=move |_| run()>
                    "Run"
                </button>
                <button type="button" data-testid="cancel" disabled=move || !running.get() on:click=cancel>
                    "Cancel"
                </button>
            </div>
            <Show when=move || input_error.get().is_some()>
                <p class="field-error" role="alert" data-testid="input-error">{move || input_error.get().unwrap_or_default()}</p>
            </Show>
            <p class="phase" aria-live="polite" data-testid="phase">{move || phase.get()}</p>
            <Headline results=results />
            <Timeline rows=rows now=now />
            <div class="cards">
                {cards
                    .into_iter()
                    .map(|c| view! { <TaskCard card=c selected=selected /> })
                    .collect_view()}
            </div>
            <PerTaskBars results=results />
            <PerTaskTable results=results />
        </section>
    }
}

/// One task's card.
#[component]
fn TaskCard(
    /// The card's state.
    card: Card,
    /// Selected task ids (unselected cards are dimmed).
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let id = card.task.id.clone();
    let id_sel = id.clone();
    let Card {
        status,
        text,
        ms,
        error,
        attempts,
        ..
    } = card;
    view! {
        <article
            class="card"
            class:unselected=move || !selected.with(|s| s.contains(&id_sel))
            data-testid=format!("task-{id}")
            data-status=move || status.get().name()
        >
            <header>
                <h3>{card.task.label.clone()}</h3>
                <span class=move || format!("badge {}", status.get().name())>{move || status.get().name()}</span>
            </header>
            <pre class="answer" data-testid=format!("task-{id}-output")>{move || text.get()}</pre>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid=format!("task-{}-error", card.task.id)>
                    {move || error.get().unwrap_or_default()}
                </p>
            </Show>
            <footer class="card-foot">
                <span>"Time: "</span>
                <span data-testid=format!("task-{id}-ms")>{move || ms.get().map(|m| format!("{}", m.round())).unwrap_or_default()}</span>
                <span>" ms"</span>
                <Show when=move || { attempts.get() >= 2 }>
                    <span class="attempt">{move || format!(" · {} attempts", attempts.get())}</span>
                </Show>
            </footer>
        </article>
    }
}

/// Headline figures with what each means.
#[component]
fn Headline(
    /// Results so far.
    results: RwSignal<Results>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let cmp = move || results.with(Results::comparison);
    let seq = move || {
        results.with(|r| {
            crate::workflow::metrics::median(
                &r.sequential.iter().map(|m| m.wall_ms).collect::<Vec<_>>(),
            )
        })
    };
    let par_runs = move || results.with(|r| r.parallel.clone());
    let par = move || {
        crate::workflow::metrics::median(&par_runs().iter().map(|m| m.wall_ms).collect::<Vec<_>>())
    };
    let overhead = move || {
        crate::workflow::metrics::median(&par_runs().iter().map(|m| m.overhead).collect::<Vec<_>>())
    };
    let tokens = move || {
        results.with(|r| {
            let all: Vec<&RunMetrics> = r.sequential.iter().chain(&r.parallel).collect();
            let (i, o): (u64, u64) = all
                .iter()
                .fold((0, 0), |(i, o), m| (i + m.tokens_in, o + m.tokens_out));
            let unknown: usize = all.iter().map(|m| m.usage_unknown).sum();
            let errors: usize = all.iter().map(|m| m.errors).sum();
            (i, o, unknown, errors, all.len())
        })
    };
    let ms = |v: Option<f64>| v.map(|m| format!("{}", m.round())).unwrap_or_default();
    // Min–max over rounds, shown when there was more than one.
    let range = move |seq: bool| {
        results.with(|r| {
            let walls: Vec<f64> = if seq { &r.sequential } else { &r.parallel }
                .iter()
                .map(|m| m.wall_ms)
                .collect();
            match spread(&walls) {
                Some((lo, hi)) if walls.len() > 1 => {
                    format!("{} runs, {}–{} ms", walls.len(), lo.round(), hi.round())
                }
                _ => String::new(),
            }
        })
    };
    view! {
        <dl class="headline" aria-live="polite">
            <div title="Wall time of the sequential run: first request sent to last answer finished (median over rounds).">
                <dt>"Sequential"</dt>
                <dd><span data-testid="total-sequential-ms">{move || ms(seq())}</span>" ms"</dd>
                <dd class="spread" data-testid="spread-sequential">{move || range(true)}</dd>
            </div>
            <div title="Wall time of the parallel run (median over rounds).">
                <dt>"Parallel"</dt>
                <dd><span data-testid="total-parallel-ms">{move || ms(par())}</span>" ms"</dd>
                <dd class="spread" data-testid="spread-parallel">{move || range(false)}</dd>
            </div>
            <div title="Speedup = sequential wall time / parallel wall time.">
                <dt>"Speedup"</dt>
                <dd data-testid="speedup">{move || cmp().map(|c| format!("{:.2}", c.speedup)).unwrap_or_default()}</dd>
            </div>
            <div title="Time saved = sequential - parallel wall time (and as % of sequential).">
                <dt>"Time saved"</dt>
                <dd>
                    <span data-testid="time-saved">{move || cmp().map(|c| format!("{}", c.time_saved_ms.round())).unwrap_or_default()}</span>
                    " ms "
                    <span class="muted">{move || cmp().map(|c| format!("({:.1} %)", c.time_saved_pct)).unwrap_or_default()}</span>
                </dd>
            </div>
            <div title="Parallel efficiency = speedup / number of tasks run at once (1.00 = every extra slot paid off fully).">
                <dt>"Efficiency"</dt>
                <dd data-testid="efficiency">{move || cmp().map(|c| format!("{:.2}", c.efficiency)).unwrap_or_default()}</dd>
            </div>
            <div title="Overhead = parallel wall time / slowest task in that run (1.00 = nothing lost beyond the slowest task).">
                <dt>"Overhead"</dt>
                <dd data-testid="overhead">{move || overhead().map(|o| format!("{o:.2}")).unwrap_or_default()}</dd>
            </div>
            <div title="Estimated cost of all runs here: tokens reported by the server times the price table in the settings (warm-up not counted).">
                <dt>"Cost"</dt>
                <dd data-testid="cost">
                    {move || {
                        let (i, o, _, _, runs) = tokens();
                        if runs == 0 {
                            return String::new();
                        }
                        let model = results.with(|r| r.model.clone());
                        state.settings.with(|s| match crate::workflow::cost::price_for(&s.prices, &model) {
                            Some(p) => format!("${:.4}", crate::workflow::cost::cost_usd(p, i, o)),
                            None => "unknown (no price)".into(),
                        })
                    }}
                </dd>
            </div>
            <div title="Tokens reported by the server over all runs; tasks without usage are counted as unknown.">
                <dt>"Tokens"</dt>
                <dd data-testid="tokens">
                    {move || {
                        let (i, o, unknown, errors, runs) = tokens();
                        if runs == 0 {
                            String::new()
                        } else {
                            let mut s = format!("{i} in / {o} out");
                            if unknown > 0 {
                                s.push_str(&format!(", {unknown} unknown"));
                            }
                            if errors > 0 {
                                s.push_str(&format!(" · {errors} failed"));
                            }
                            s
                        }
                    }}
                </dd>
            </div>
        </dl>
    }
}

/// The waterfall timeline: sequential and parallel on one time axis.
#[component]
fn Timeline(
    /// Rows per mode.
    rows: RwSignal<Vec<(Mode, Vec<LiveRow>)>>,
    /// Ms since the run started, while it runs.
    now: RwSignal<Option<f64>>,
) -> impl IntoView {
    let layout = move || {
        let now_v = now.get();
        let flat: Vec<TimelineRow> = rows.with(|all| {
            all.iter()
                .flat_map(|(m, rs)| {
                    rs.iter().map(move |r| TimelineRow {
                        label: format!(
                            "{} · {}",
                            r.label,
                            if *m == Mode::Sequential { "seq" } else { "par" }
                        ),
                        group: m.name().into(),
                        status: r.status.name().into(),
                        start_ms: r.start,
                        first_token_ms: r.first,
                        end_ms: r
                            .end
                            .unwrap_or_else(|| now_v.unwrap_or(r.start).max(r.start)),
                        waits: r.waits.clone(),
                    })
                })
                .collect()
        });
        layout_timeline(&flat, 0.0, now_v, TimelineFrame::default())
    };
    let summary = move || {
        rows.with(|all| {
            all.iter()
                .map(|(m, rs)| {
                    let end = rs.iter().filter_map(|r| r.end).fold(0.0, f64::max);
                    format!(
                        "{} run: {} tasks, last finished at {}",
                        m.name(),
                        rs.len(),
                        duration_ms(end)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
    };
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <figure class="timeline">
                <figcaption>"Timeline: each bar runs from request sent to answer done; the lighter start is the wait for the first token; hatched marks are waits before a retry."</figcaption>
                {move || {
                    let l = layout();
                    view! {
                        <svg
                            viewBox=format!("0 0 {} {}", l.width, l.height)
                            role="img"
                            aria-label=summary()
                            data-testid="timeline"
                        >
                            <AxisTicks ticks=l.ticks.clone() axis_y=l.axis_y />
                            {l.bars.iter().map(|b| view! {
                                <g class=format!("bar {} {}", b.status, b.group)>
                                    <text class="label" x="4" y=b.y + 15.0>{b.label.clone()}</text>
                                    <rect class="total" x=b.x y=b.y + 3.0 width=b.width height="16" rx="2"></rect>
                                    <rect class="ttft" x=b.x y=b.y + 3.0 width=b.ttft_width height="16" rx="2"></rect>
                                    {b.waits.iter().map(|(x, w)| view! {
                                        <rect class="retry-wait" data-testid="retry-mark" x=*x y=b.y + 1.0 width=*w height="20"></rect>
                                    }).collect_view()}
                                </g>
                            }).collect_view()}
                            {l.now_x.map(|x| view! { <line class="now" x1=x x2=x y1="0" y2=l.axis_y></line> })}
                        </svg>
                    }
                }}
            </figure>
        </Show>
    }
}

/// Vertical grid lines with time labels under the axis, shared by both charts.
#[component]
fn AxisTicks(
    /// (x, ms) of each tick.
    ticks: Vec<(f64, f64)>,
    /// y of the axis line.
    axis_y: f64,
) -> impl IntoView {
    ticks
        .into_iter()
        .map(|(x, t)| {
            view! {
                <g class="tick">
                    <line x1=x x2=x y1="0" y2=axis_y></line>
                    <text x=x y=axis_y + 16.0 text-anchor="middle">{duration_ms(t)}</text>
                </g>
            }
        })
        .collect_view()
}

/// Per-task durations, sequential and parallel side by side.
#[component]
fn PerTaskBars(
    /// Results so far.
    results: RwSignal<Results>,
) -> impl IntoView {
    let description = move || {
        results.with(|r| {
            r.per_task
                .iter()
                .map(|(l, s, p)| {
                    format!(
                        "{l}: sequential {}, parallel {}",
                        s.map(duration_ms).unwrap_or("–".into()),
                        p.map(duration_ms).unwrap_or("–".into())
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
    };
    view! {
        <Show when=move || results.with(|r| !r.per_task.is_empty())>
            <figure class="bars">
                <figcaption>"Per-task duration: upper bar sequential, lower bar parallel (same scale)."</figcaption>
                {move || {
                    let l = results.with(|r| layout_bars(&r.per_task, 720.0, 150.0));
                    view! {
                        <svg viewBox=format!("0 0 {} {}", l.width, l.height) role="img" aria-label=description() data-testid="per-task-bars">
                            <AxisTicks ticks=l.ticks.clone() axis_y=l.axis_y />
                            {l.pairs.iter().map(|p| view! {
                                <g>
                                    <text class="label" x="4" y=p.y + BAR_HEIGHT + 3.0>{p.label.clone()}</text>
                                    {p.sequential.map(|w| view! { <rect class="seq" x=l.x0 y=p.y width=w height=BAR_HEIGHT></rect> })}
                                    {p.parallel.map(|w| view! { <rect class="par" x=l.x0 y=p.y + BAR_HEIGHT width=w height=BAR_HEIGHT></rect> })}
                                </g>
                            }).collect_view()}
                        </svg>
                    }
                }}
            </figure>
        </Show>
    }
}

/// The same numbers as a table, per task and mode.
#[component]
fn PerTaskTable(
    /// Results so far.
    results: RwSignal<Results>,
) -> impl IntoView {
    let ms = |v: Option<f64>| v.map(duration_ms).unwrap_or_else(|| "–".into());
    view! {
        <Show when=move || results.with(|r| !r.per_task.is_empty())>
            <table class="per-task" data-testid="per-task-table">
                <caption>"Per-task duration (last run of each mode)"</caption>
                <thead>
                    <tr><th scope="col">"Task"</th><th scope="col">"Sequential"</th><th scope="col">"Parallel"</th></tr>
                </thead>
                <tbody>
                    {move || results.with(|r| r.per_task.iter().map(|(label, s, p)| view! {
                        <tr><th scope="row">{label.clone()}</th><td>{ms(*s)}</td><td>{ms(*p)}</td></tr>
                    }).collect_view())}
                </tbody>
            </table>
        </Show>
    }
}
