//! The Run view: input, task choice, mode, Run/Cancel, one card per task,
//! headline figures and charts. `live` (runs), `race_run` (races) and
//! `capacity_run` (capacity searches) start them and turn their sessions'
//! events into the signals drawn here. The panel is cut into named parts
//! (the text, the modes, the capacity targets, the results, the kept run)
//! that share the form ([`RunForm`]) and the live state ([`Live`]) through
//! context.

mod capacity_run;
mod live;
mod race_run;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::capacity::Targets;
use crate::components::browser::{take_file, use_next_task};
use crate::components::capacity::CapacityResults;
use crate::components::extractor::read_input_file;
use crate::components::fields::NumberField;
use crate::components::history::ExportButtons;
use crate::components::hooks;
use crate::components::order_panel::OrderPanel;
use crate::components::race::{EndpointList, RaceResults};
use crate::components::request_figures::RequestFigures;
use crate::components::run_charts::{Headline, PerTaskBars, PerTaskTable, SweepChart, Timeline};
use crate::components::task_card::TaskCard;
use crate::components::task_editor::TaskList;
use crate::components::welcome::Welcome;
use crate::format::duration_ms;
use crate::samples::SAMPLES;
use crate::settings::Provider;
use crate::state::AppState;
use crate::state::History;
use crate::workflow::engine::{RunSpec, expected_durations};
use crate::workflow::input::check_text_file;
use crate::workflow::runner::RunKind;
use crate::workflow::tasks::{TaskDef, estimate_tokens};
use live::{Form, Live};

/// Above this estimate, warn that the text may not fit a model's context.
const CONTEXT_WARN_TOKENS: usize = 100_000;

/// What the Run view's form holds, shared with its parts through context.
#[derive(Clone, Copy)]
struct RunForm {
    /// The text the tasks run on.
    text: RwSignal<String>,
    /// The sample chosen (its index), or "custom".
    sample: RwSignal<String>,
    /// What the text is called in the history: the sample, the file, or typed.
    source: RwSignal<String>,
    /// The PDF or Word file whose text is being read.
    reading: RwSignal<Option<String>>,
    /// Sequential, parallel, compare, sweep, race or capacity.
    mode: RwSignal<RunKind>,
    /// K of the parallel runs (0 = all at once).
    limit: RwSignal<usize>,
    /// Compare rounds.
    rounds: RwSignal<usize>,
}

impl RunForm {
    fn new() -> Self {
        Self {
            text: RwSignal::new(SAMPLES[0].text.to_string()),
            sample: RwSignal::new(0usize.to_string()),
            source: RwSignal::new(SAMPLES[0].label.to_string()),
            reading: RwSignal::new(None),
            mode: RwSignal::new(RunKind::Compare),
            limit: RwSignal::new(0),
            rounds: RwSignal::new(1),
        }
    }
}

/// The workflow section.
#[component]
pub fn WorkflowPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = RunForm::new();
    provide_context(form);
    let live = Live::new(state, expect_context::<History>());
    provide_context(live);
    let RunForm {
        text,
        source,
        mode,
        limit,
        rounds,
        ..
    } = form;
    let language = state.language;
    let selected = state.selected;

    // What each chosen task is expected to take with the current text,
    // settings and measurements.
    let expected_figures = Memo::new(move |_| {
        let tasks = state.tasks.with(|c| c.chosen(&selected.get()));
        // Equal figures (after typing in a setting they do not depend on,
        // such as the key) change nothing downstream: a memo compares.
        let (base, speed, host) = state
            .settings
            .with(|s| (s.run_spec(""), s.speed, s.server_host()));
        let spec = RunSpec {
            text: text.get(),
            tasks,
            language: language.get(),
            ..base
        };
        let e = state
            .durations
            .with(|log| expected_durations(&spec, log, &speed, &host));
        spec.tasks
            .into_iter()
            .map(|t| t.label)
            .zip(e)
            .collect::<Vec<_>>()
    });

    // What the form holds now.
    let form_now = move || Form {
        text: text.get_untracked(),
        source: source.get_untracked(),
        language: language.get_untracked(),
        mode: mode.get_untracked(),
        limit: limit.get_untracked(),
        rounds: rounds.get_untracked(),
        expected: expected_figures
            .get_untracked()
            .into_iter()
            .map(|(_, e)| e)
            .collect(),
    };
    let run = move || {
        let form = form_now();
        match form.mode {
            RunKind::Race => live.race(form),
            RunKind::Capacity => live.capacity(form, state.targets.get_untracked()),
            _ => live.run(form),
        }
    };

    let run_demo = Callback::new(move |_| {
        state.settings.update(|s| s.provider = Provider::Demo);
        mode.set(RunKind::Compare);
        run();
    });

    view! {
        <Welcome on_run_demo=run_demo />
        <section class="panel workflow" aria-labelledby="workflow-title">
            <h2 id="workflow-title" class="visually-hidden">"Tasks over one text"</h2>
            <SampleChoice />
            <TaskList selected=selected />
            <ModeChoice />
            <div class="row run-buttons">
                <button type="button" class="primary" data-testid=hooks::RUN disabled=live.running
                    on:click=move |_| run()>
                    "Run"
                </button>
                <button type="button" data-testid=hooks::CANCEL disabled=move || !live.running.get()
                    on:click=move |_| live.cancel()>
                    "Cancel"
                </button>
            </div>
            <EndpointList
                tasks=Signal::derive(move || selected.with(Vec::len))
                limit=limit.into()
                open=Signal::derive(move || mode.get() == RunKind::Race)
                on_add=Callback::new(move |_| mode.set(RunKind::Race))
            />
            <div class="row run-row">
                <NumberField label="Concurrency K (0 = all)" testid="concurrency" min=0usize max=64usize
                    value=limit on_set=Callback::new(move |v| limit.set(v)) />
                <NumberField label="Rounds (compare)" testid="rounds" min=1usize max=5usize
                    value=rounds on_set=Callback::new(move |v| rounds.set(v)) />
                <OrderPanel expected=expected_figures />
            </div>
            <CapacityTargets />
            <Show when=move || live.error.get().is_some()>
                <p class="field-error" role="alert" data-testid=hooks::INPUT_ERROR>{move || live.error.get().unwrap_or_default()}</p>
            </Show>
            <p class="phase" aria-live="polite" data-testid=hooks::PHASE>{move || live.phase.get()}</p>
            <TextInput />
            <Show when=move || live.saving.get().is_some()>
                <p class="hint" data-testid=hooks::ORDER_SAVING>{move || live.saving.get().unwrap_or_default()}</p>
            </Show>
            <RunResultsArea />
            <KeptRun />
        </section>
    }
}

/// The sample texts, or "your own text".
#[component]
fn SampleChoice() -> impl IntoView {
    let RunForm {
        text,
        sample,
        source,
        ..
    } = expect_context::<RunForm>();
    view! {
        <div class="row">
            <label class="field">
                <span>"Text"</span>
                <select
                    data-testid=hooks::SAMPLE_SELECT
                    prop:value=move || sample.get()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(s) = v.parse::<usize>().ok().and_then(|i| SAMPLES.get(i)) {
                            text.set(s.text.to_string());
                            source.set(s.label.to_string());
                        }
                        sample.set(v);
                    }
                >
                    {SAMPLES
                        .iter()
                        .enumerate()
                        .map(|(i, s)| view! { <option value=i.to_string()>{s.label}</option> })
                        .collect_view()}
                    <option value="custom">"Your own text"</option>
                </select>
            </label>
        </div>
    }
}

/// One chip per kind of run the Run button makes.
#[component]
fn ModeChoice() -> impl IntoView {
    let mode = expect_context::<RunForm>().mode;
    view! {
        <fieldset class="modes">
            <legend class="visually-hidden">"Mode"</legend>
            {[
                (RunKind::Sequential, "sequential", "Sequential", "One after another"),
                (RunKind::Parallel, "parallel", "Parallel", "All at once, or K at a time"),
                (RunKind::Compare, "compare", "Compare", "Warm-up, then both, alternating"),
                (RunKind::Sweep, "sweep", "Sweep K", "Warm-up, then parallel at K = 1, 2, 4, …"),
                (RunKind::Race, "race", "Race", "The same tasks on every endpoint at once"),
                (RunKind::Capacity, "capacity", "Capacity", "The most requests at once that still meet latency targets"),
            ]
                .into_iter()
                .map(|(m, id, label, title)| view! {
                    <label class="chip" title=title>
                        <input type="radio" name="mode" data-testid=format!("mode-{id}")
                            prop:checked=move || mode.get() == m
                            on:change=move |_| mode.set(m) />
                        <span>{label}</span>
                    </label>
                })
                .collect_view()}
        </fieldset>
    }
}

/// A capacity search's targets, shown in capacity mode: each as a field,
/// and all the time targets as one text in vLLM's `--goodput` form
/// (`capacity-goodput`) to carry between tools.
#[component]
fn CapacityTargets() -> impl IntoView {
    let RunForm { mode, .. } = expect_context::<RunForm>();
    let targets = expect_context::<AppState>().targets;
    let set = move |f: fn(&mut Targets, f64)| Callback::new(move |v| targets.update(|t| f(t, v)));
    let (goodput_error, set_goodput_error) = signal(None::<String>);
    view! {
        <Show when=move || mode.get() == RunKind::Capacity>
            <div class="row run-row" data-testid=hooks::CAPACITY_TARGETS>
                <NumberField label="First token p90 at most (ms)" testid="capacity-ttft-ms" min=1.0 max=600_000.0
                    value=Signal::derive(move || targets.get().ttft_p90_ms)
                    on_set=set(|t, v| t.ttft_p90_ms = v) />
                <NumberField label="Tokens/s each, p90 at least (0 = none)" testid="capacity-tps" min=0.0 max=100_000.0
                    value=Signal::derive(move || targets.get().tokens_per_s_p90)
                    on_set=set(|t, v| t.tokens_per_s_p90 = v) />
                <NumberField label="Per token (TPOT) p90 at most (ms, 0 = none)" testid=hooks::CAPACITY_TPOT_MS min=0.0 max=600_000.0
                    value=Signal::derive(move || targets.get().tpot_ms.unwrap_or(0.0))
                    on_set=set(|t, v| t.tpot_ms = (v > 0.0).then_some(v)) />
                <NumberField label="End to end p90 at most (ms, 0 = none)" testid=hooks::CAPACITY_E2EL_MS min=0.0 max=600_000.0
                    value=Signal::derive(move || targets.get().e2el_ms.unwrap_or(0.0))
                    on_set=set(|t, v| t.e2el_ms = (v > 0.0).then_some(v)) />
                <label class="field">
                    <span>"As vLLM's --goodput (ms)"</span>
                    <input type="text" spellcheck="false" data-testid=hooks::CAPACITY_GOODPUT
                        prop:value=move || targets.get().goodput_arg()
                        on:change=move |ev| {
                            match targets.get_untracked().parse_goodput(&event_target_value(&ev)) {
                                Ok(t) => {
                                    set_goodput_error.set(None);
                                    targets.set(t);
                                }
                                Err(e) => set_goodput_error.set(Some(e)),
                            }
                        } />
                    {move || goodput_error.get().map(|e| view! {
                        <span class="field-error" role="alert" data-testid=hooks::CAPACITY_GOODPUT_ERROR>{e}</span>
                    })}
                </label>
                <p class="hint">"Runs the ticked tasks, repeated so that K are in flight, at K = 1, 2, 4, … until a target breaks, then bisects. Up to the concurrency field's K when set. Always streamed (first tokens need it). For a model that thinks, the first token is the answer's (thinking before it counts as waiting) and tokens/s are the answer's. The same targets count goodput in every per-request table."</p>
            </div>
        </Show>
    }
}

/// The text: a file to open, the translation's language, the text box and
/// what it holds.
#[component]
fn TextInput() -> impl IntoView {
    let RunForm {
        text,
        sample,
        source,
        reading,
        ..
    } = expect_context::<RunForm>();
    let live = expect_context::<Live>();
    let input_error = live.error;
    let language = expect_context::<AppState>().language;
    let chars = move || text.with(|t| t.chars().count());
    let tokens = move || text.with(|t| estimate_tokens(t));
    let open_file = move |ev: leptos::ev::Event| {
        let Some(file) = take_file(&ev) else {
            return;
        };
        let name = file.name();
        let kind = match check_text_file(&name, file.size() as u64) {
            Ok(kind) => kind,
            Err(e) => {
                input_error.set(Some(e.to_string()));
                return;
            }
        };
        spawn_local(async move {
            let read = read_input_file(file, kind, |on| {
                reading.set(on.then(|| name.clone()));
            })
            .await;
            match read {
                Ok(content) => {
                    input_error.set(None);
                    source.set(name.clone());
                    text.set(content);
                    sample.set("custom".into());
                }
                // What was in the text box stays.
                Err(e) => input_error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="row">
            <label class="field">
                <span>"or open a .txt, .md, .pdf or .docx file"</span>
                <input type="file" accept=".txt,.md,.markdown,.pdf,.docx,text/plain,text/markdown" data-testid=hooks::FILE_INPUT on:change=open_file />
            </label>
            <label class="field small">
                <span>"Translate to"</span>
                <input
                    type="text"
                    data-testid=hooks::LANGUAGE
                    prop:value=move || language.get()
                    on:input=move |ev| language.set(event_target_value(&ev))
                />
            </label>
        </div>
        <label class="field">
            <span>"Text"</span>
            <textarea
                rows="4"
                data-testid=hooks::INPUT_TEXT
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    sample.set("custom".into());
                    source.set("Your own text".into());
                }
            ></textarea>
        </label>
        <p class="hint" data-testid=hooks::INPUT_SIZE>
            {move || format!("{} characters, about {} tokens", chars(), tokens())}
        </p>
        <Show when=move || { tokens() > CONTEXT_WARN_TOKENS }>
            <p class="waiting" role="status">
                "This text is likely longer than many models' context window; the API may refuse it."
            </p>
        </Show>
        <Show when=move || reading.get().is_some()>
            <p class="hint" role="status" data-testid=hooks::INPUT_READING>
                {move || format!("Reading \"{}\"…", reading.get().unwrap_or_default())}
            </p>
        </Show>
    }
}

/// What the last run, race or capacity search shows: drawn in the task
/// after the form's, so start-up is two shorter tasks (before a run this
/// part is mostly empty).
#[component]
fn RunResultsArea() -> impl IntoView {
    let state = expect_context::<AppState>();
    let limit = expect_context::<RunForm>().limit;
    let live = expect_context::<Live>();
    let Live {
        shown,
        race,
        capacity,
        rows,
        now,
        sweep,
        sweep_tasks,
        results_ref,
        ..
    } = live;
    let results_drawn = use_next_task();
    view! {
        <div class="results" node_ref=results_ref>
            <Show when=move || results_drawn.get()>
                <RaceResults race=race now=now prefix="race" />
                <CapacityResults capacity=capacity prefix="capacity"
                    on_use=Callback::new(move |k: usize| {
                        state.batch_k.set(k);
                        limit.set(k);
                    }) />
                <div class="run-results" hidden=move || race.with(Option::is_some) || capacity.with(Option::is_some)>
                    <Headline results=shown.shown() />
                    <SplitAdvice />
                    <Timeline rows=rows now=now />
                    <Cards />
                    <PerTaskBars results=shown.shown() />
                    <PerTaskTable results=shown.shown() />
                    <SweepChart points=sweep tasks=sweep_tasks />
                </div>
            </Show>
        </div>
    }
}

/// After a parallel run: the task worth splitting; after a run that
/// followed that advice: its estimate beside the wall time measured.
#[component]
fn SplitAdvice() -> impl IntoView {
    let live = expect_context::<Live>();
    view! {
        {move || live.advice().map(|(label, parts, ms)| view! {
            <p class="advice" data-testid=hooks::SPLIT_ADVICE>
                {format!("{label} sets the wall time. Split into {parts} parts (\"⋯\" beside it in the task list: parts and votes), the parallel wall time would be about {}, estimated from this run's speeds.", duration_ms(ms))}
            </p>
        })}
        {move || live.checked().map(|(label, parts, est, measured)| view! {
            <p class="advice" data-testid=hooks::SPLIT_CHECKED>
                {format!("{label} in {parts} parts, as suggested: estimated {}, measured {}.", duration_ms(est), duration_ms(measured))}
            </p>
        })}
    }
}

/// One card per task, in the task list's order.
#[component]
fn Cards() -> impl IntoView {
    let state = expect_context::<AppState>();
    let Live { shown, cards, .. } = expect_context::<Live>();
    let selected = state.selected;
    view! {
        <div class="cards">
            <For
                each=move || state.tasks.with(|c| c.tasks())
                key=|t| t.id.clone()
                children=move |t: TaskDef| {
                    let id = t.id.clone();
                    let label = Signal::derive(move || {
                        state.tasks.with(|c| c.get(&id).map(|t| t.label).unwrap_or_default())
                    });
                    let simulated = Signal::derive(move || shown.shown().with(|r| r.simulated));
                    view! { <TaskCard id=t.id.clone() label=label card=cards.get(&t.id) selected=selected simulated=simulated /> }
                }
            />
        </div>
    }
}

/// The run as kept, with its per-request figures and export buttons.
#[component]
fn KeptRun() -> impl IntoView {
    let latest = expect_context::<Live>().latest;
    view! {
        {move || latest.get().map(|r| { let json = r.to_json(); view! {
            // The run as kept, for scripts (the benchmark reads its
            // figures): serialized once per run, not on every event.
            <div class="saved-run" data-testid=hooks::RUN_SAVED data-record=json>
                <RequestFigures record=r.clone() prefix="run" />
                <crate::components::storage_note::StorageNote />
                <p class="hint">"Kept in the history below. Export this run:"</p>
                <ExportButtons record=r />
            </div>
        }})}
    }
}
