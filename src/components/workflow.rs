//! The workflow section: input, task choice, mode, Run/Cancel, one card per
//! task, headline figures and charts. Runs go through
//! `crate::workflow::engine`; this view only turns its events into signals.

use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::browser::{take_file, use_canceller};
use crate::components::extractor::read_input_file;
use crate::components::fields::NumberField;
use crate::components::history::ExportButtons;
use crate::components::order_panel::OrderPanel;
use crate::components::race::{EndpointList, RaceResults};
use crate::components::run_charts::{
    Headline, PerTaskBars, PerTaskTable, Rows, SweepChart, Timeline,
};
use crate::components::task_card::{CardState, TaskCard};
use crate::components::task_editor::TaskList;
use crate::components::welcome::Welcome;
use crate::history::RunRecord;
use crate::openai::now_ms;
use crate::race::live::{Lane, Race};
use crate::samples::SAMPLES;
use crate::session::RunContext;
use crate::session::race::{RaceLane, RaceSession};
use crate::session::workflow::{RunMode, RunRequest, WorkflowSession};
use crate::settings::{Provider, Settings};
use crate::state::AppState;
use crate::state::History;
use crate::state::sink::PageSink;
use crate::workflow::engine::{
    FormatMemory, RunSpec, TaskEvent, TaskStatus, WorkflowEvent, expected_durations,
};
use crate::workflow::input::check_text_file;
use crate::workflow::live::{LiveRow, RunResults, TaskOutcome};
use crate::workflow::runner::Mode;
use crate::workflow::tasks::{TaskDef, estimate_tokens};

/// Above this estimate, warn that the text may not fit a model's context.
const CONTEXT_WARN_TOKENS: usize = 100_000;

/// The workflow section.
#[component]
pub fn WorkflowPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let (text, set_text) = signal(SAMPLES[0].text.to_string());
    let (sample, set_sample) = signal(0usize.to_string());
    // What the text is called in the history: the sample, the file, or typed.
    let (source, set_source) = signal(SAMPLES[0].label.to_string());
    let history = expect_context::<History>();
    // The last run's record, for its export buttons.
    let (latest, set_latest) = signal(None::<RunRecord>);
    let language = state.language;
    let (mode, set_mode) = signal(RunMode::Compare);
    let (limit, set_limit) = signal(0usize);
    let (rounds, set_rounds) = signal(1usize);
    let (input_error, set_input_error) = signal(None::<String>);
    // The PDF or Word file whose text is being read.
    let (reading, set_reading) = signal(None::<String>);
    let (running, set_running) = signal(false);
    let (phase, set_phase) = signal(String::new());
    // What the start order saved against "as listed" in the last run.
    let (saving, set_saving) = signal(None::<String>);
    let results = RwSignal::new(RunResults::default());
    // The last race, while it is what the results show.
    let race = RwSignal::new(None::<Race>);
    // The figures and timeline, brought on screen when a run starts.
    let results_ref = NodeRef::<leptos::html::Div>::new();
    // Concurrency sweep: (K, wall ms) per run, and the number of tasks swept.
    let sweep = RwSignal::new(Vec::<(usize, f64)>::new());
    let sweep_tasks = RwSignal::new(0usize);
    let rows: Rows = RwSignal::new(Vec::new());
    let now = RwSignal::new(None::<f64>);
    let controller = use_canceller();
    // Whether the server refused structured output, per base URL and model.
    let formats = StoredValue::new_local(HashMap::<(String, String), Rc<FormatMemory>>::new());
    let format_memory = move |settings: &Settings| -> Rc<FormatMemory> {
        let key = (
            format!("{:?} {}", settings.provider, settings.base_url.trim()),
            settings.model.clone(),
        );
        formats.update_value(|f| {
            f.entry(key.clone()).or_default();
        });
        formats.with_value(|f| f[&key].clone())
    };
    let ticker = StoredValue::new_local(None::<gloo_timers::callback::Interval>);
    let selected = state.selected;

    // One card state per task id, made on first use and kept so a card
    // keeps its last answer while tasks are edited; each under an owner of
    // its own, disposed once its task is removed.
    let owner = StoredValue::new_local(Owner::current().expect("WorkflowPanel has an owner"));
    let cards = StoredValue::new_local(HashMap::<String, (Owner, CardState)>::new());
    let card_for = move |id: &str| -> CardState {
        if let Some(c) = cards.with_value(|m| m.get(id).map(|c| c.1)) {
            return c;
        }
        let card_owner = owner.with_value(|o| o.with(Owner::new));
        let c = card_owner.with(CardState::new);
        cards.update_value(|m| {
            m.insert(id.to_string(), (card_owner, c));
        });
        c
    };
    let forget_removed_cards = move || {
        let ids: Vec<String> = state
            .tasks
            .with_untracked(|c| c.tasks())
            .into_iter()
            .map(|t| t.id)
            .collect();
        cards.update_value(|m| {
            m.retain(|id, (o, _)| {
                let keep = ids.contains(id);
                if !keep {
                    o.cleanup();
                }
                keep
            })
        });
    };

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

    let chars = move || text.with(|t| t.chars().count());
    let tokens = move || text.with(|t| estimate_tokens(t));

    let page_sink = move || PageSink {
        history,
        state,
        store: None,
    };
    // A run or race starts: Run disabled, results brought on screen, and a
    // ticker moving the "now" line; returns the start on the page clock.
    let go_live = move || -> f64 {
        set_running.set(true);
        // After this turn's DOM updates (a welcome closing above would
        // otherwise move the results off screen again).
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            if let Some(el) = results_ref.get_untracked() {
                el.scroll_into_view();
            }
        });
        // Kept by the view, so it stops with it.
        let start = now_ms();
        ticker.set_value(Some(gloo_timers::callback::Interval::new(100, move || {
            now.set(Some(now_ms() - start))
        })));
        start
    };
    let end_live = move || {
        ticker.try_set_value(None);
        now.set(None);
        set_running.set(false);
        controller.finish();
    };

    let run = move || {
        set_input_error.set(None);
        let (settings, transport) = match controller.begin(&state) {
            Ok(begun) => begun,
            Err(e) => {
                set_input_error.set(Some(e));
                return;
            }
        };
        let language = language.get_untracked();
        let request = RunRequest {
            base: settings.run_spec(&language),
            text: text.get_untracked(),
            tasks: state
                .tasks
                .with_untracked(|c| c.chosen(&selected.get_untracked())),
            mode: mode.get_untracked(),
            limit: limit.get_untracked(),
            rounds: rounds.get_untracked(),
            // The figures the page shows for these tasks, text and settings.
            expected: expected_figures
                .get_untracked()
                .into_iter()
                .map(|(_, e)| e)
                .collect(),
            order: settings.order,
            context: RunContext {
                host: settings.server_host(),
                simulated: settings.provider == Provider::Demo,
                input_name: source.get_untracked(),
                prices: settings.prices.clone(),
            },
        };
        let session = match WorkflowSession::new(request) {
            Ok(s) => s,
            Err(e) => {
                controller.finish();
                set_input_error.set(Some(e.to_string()));
                return;
            }
        };
        let memory = format_memory(&settings);
        let spec = session.spec().clone();
        let sweep_ks = session.sweep_ks();
        sweep.set(Vec::new());
        sweep_tasks.set(spec.tasks.len());
        set_saving.set(None);
        set_latest.set(None);
        let labels: Vec<String> = spec.tasks.iter().map(|t| t.label.clone()).collect();
        let expected = session.expected_ms().to_vec();
        forget_removed_cards();
        let run_cards: Vec<CardState> = spec.tasks.iter().map(|t| card_for(&t.id)).collect();
        let simulated = settings.provider == Provider::Demo;
        results.set(RunResults {
            simulated,
            ..RunResults::new(&labels, 0, &spec.model)
        });
        race.set(None);
        rows.set(Vec::new());
        cards.with_value(|m| m.values().for_each(|c| c.1.reset()));
        go_live();
        let sink = page_sink();
        spawn_local(async move {
            // Page-clock start of the current run, to place finished tasks.
            let started = std::cell::Cell::new(0.0);
            let on_event = |e: WorkflowEvent| match e {
                WorkflowEvent::Phase(p) => set_phase.set(p),
                WorkflowEvent::RunStarted { mode: m, k } => {
                    started.set(now_ms());
                    run_cards.iter().for_each(CardState::reset);
                    if sweep_ks.is_empty() {
                        results.update(|r| {
                            r.begin_run(m);
                            if m == Mode::Parallel {
                                r.concurrency = k;
                            }
                        });
                    }
                    rows.update(|all| {
                        all.retain(|(mode, _)| *mode != m);
                        all.push((
                            m,
                            labels
                                .iter()
                                .zip(&expected)
                                .map(|(l, e)| LiveRow::pending(l, Some(*e)))
                                .collect(),
                        ));
                        // Sequential above parallel, whichever ran first.
                        all.sort_by_key(|(mode, _)| *mode == Mode::Parallel);
                    });
                }
                WorkflowEvent::Task(m, i, ev) => {
                    if let TaskEvent::Finished(r) = &ev {
                        let outcome = TaskOutcome::of(&r.timing, r.status == TaskStatus::Done);
                        results.update(|res| res.record_task(m, i, outcome));
                    }
                    // Only a change the timeline draws re-renders it.
                    rows.maybe_update(|all| {
                        all.iter_mut()
                            .find(|(mode, _)| *mode == m)
                            .and_then(|(_, r)| r.get_mut(i))
                            .is_some_and(|row| row.apply(&ev, started.get()))
                    });
                    run_cards[i].apply(ev);
                }
                WorkflowEvent::RunFinished(m, metrics) => {
                    if sweep_ks.is_empty() {
                        results.update(|res| res.record_run(m, metrics));
                    } else {
                        // A sweep's runs are its points, not parallel rounds.
                        sweep.update(|s| {
                            let k = sweep_ks[s.len()];
                            s.push((k, metrics.wall_ms));
                        });
                    }
                }
            };
            let end = session.run(&*transport, &memory, &sink, &on_event).await;
            set_latest.set(end.record);
            set_saving.set(end.saving);
            end_live();
        });
    };

    // A race: the ticked tasks on every endpoint at once, each under its
    // own K, each failing on its own.
    let run_race = move || {
        set_input_error.set(None);
        let crate::components::browser::RaceStart {
            main,
            settings: lane_settings,
            transports,
        } = match controller.begin_race(&state) {
            Ok(begun) => begun,
            Err(e) => {
                set_input_error.set(Some(e));
                return;
            }
        };
        if lane_settings.len() < 2 {
            controller.finish();
            set_input_error.set(Some(
                "A race needs a second endpoint: press \"Add an endpoint to race\" and set its server and model.".into(),
            ));
            return;
        }
        let language = language.get_untracked();
        let tasks = state
            .tasks
            .with_untracked(|c| c.chosen(&selected.get_untracked()));
        let n_tasks = tasks.len();
        let lanes: Vec<RaceLane> = lane_settings
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let added = i.checked_sub(1).and_then(|j| main.endpoints.get(j));
                RaceLane {
                    name: match added {
                        Some(e) => e.label(i + 1),
                        None => crate::race::endpoint::main_label(&main),
                    },
                    host: s.server_host(),
                    simulated: s.provider == Provider::Demo,
                    spec: RunSpec {
                        limit: added.map_or(limit.get_untracked(), |e| e.limit),
                        rpm: added.and_then(|e| e.rpm_budget()),
                        ..s.run_spec(&language)
                    },
                    prices: s.prices.clone(),
                }
            })
            .collect();
        let context = RunContext {
            host: main.server_host(),
            simulated: main.provider == Provider::Demo,
            input_name: source.get_untracked(),
            prices: main.prices.clone(),
        };
        let session = match RaceSession::new(&text.get_untracked(), tasks, lanes, context) {
            Ok(s) => s,
            Err(e) => {
                controller.finish();
                set_input_error.set(Some(e.to_string()));
                return;
            }
        };
        let memories: Vec<Rc<FormatMemory>> = lane_settings.iter().map(format_memory).collect();
        let first = &session.lanes()[0].spec;
        let labels: Vec<String> = first.tasks.iter().map(|t| t.label.clone()).collect();
        race.set(Some(Race {
            task_ids: first.tasks.iter().map(|t| t.id.clone()).collect(),
            labels: labels.clone(),
            lanes: session
                .lanes()
                .iter()
                .map(|l| Lane {
                    k: crate::workflow::runner::concurrency(Mode::Parallel, l.spec.limit, n_tasks),
                    ..Lane::new(&l.name, &l.spec.model, l.prices.clone(), &labels)
                })
                .collect(),
            wall_ms: None,
        }));
        results.set(RunResults::default());
        rows.set(Vec::new());
        sweep.set(Vec::new());
        set_saving.set(None);
        set_latest.set(None);
        let race_start = go_live();
        let sink = page_sink();
        let lanes_n = session.lanes().len();
        set_phase.set(format!(
            "Racing {lanes_n} endpoints: the same {n_tasks} tasks on each, all at once…"
        ));
        spawn_local(async move {
            // Page-clock start of each endpoint's run.
            let starts = std::cell::RefCell::new(vec![race_start; lanes_n]);
            let on_event = |n: usize, e: WorkflowEvent| match e {
                WorkflowEvent::RunStarted { k, .. } => {
                    let at = now_ms();
                    starts.borrow_mut()[n] = at;
                    race.update(|r| {
                        if let Some(l) = r.as_mut().and_then(|r| r.lanes.get_mut(n)) {
                            l.started = true;
                            l.offset = at - race_start;
                            l.k = k;
                        }
                    });
                }
                WorkflowEvent::Task(_, i, ev) => {
                    let start = starts.borrow()[n];
                    race.update(|r| {
                        if let Some(l) = r.as_mut().and_then(|r| r.lanes.get_mut(n)) {
                            l.apply(i, &ev, start);
                        }
                    });
                }
                WorkflowEvent::RunFinished(_, metrics) => race.update(|r| {
                    if let Some(l) = r.as_mut().and_then(|r| r.lanes.get_mut(n)) {
                        l.wall_ms = Some(metrics.wall_ms);
                    }
                }),
                WorkflowEvent::Phase(_) => {}
            };
            let refs: Vec<&dyn crate::openai::Transport> =
                transports.iter().map(|t| &**t).collect();
            let mems: Vec<&FormatMemory> = memories.iter().map(|m| &**m).collect();
            let record = session.run(&refs, &mems, &sink, &on_event).await;
            let wall = record
                .as_ref()
                .and_then(|r| r.race.as_ref())
                .map(|r| r.wall_ms);
            race.update(|r| {
                if let Some(r) = r.as_mut() {
                    r.wall_ms = wall;
                }
            });
            set_phase.set(match wall {
                Some(w) => format!("Race over in {}.", crate::format::duration_ms(w)),
                None => "Cancelled.".into(),
            });
            set_latest.set(record);
            end_live();
        });
    };

    let cancel = move |_| controller.cancel();

    let open_file = move |ev: leptos::ev::Event| {
        let Some(file) = take_file(&ev) else {
            return;
        };
        let name = file.name();
        let kind = match check_text_file(&name, file.size() as u64) {
            Ok(kind) => kind,
            Err(e) => {
                set_input_error.set(Some(e.to_string()));
                return;
            }
        };
        spawn_local(async move {
            let read = read_input_file(file, kind, |on| {
                set_reading.set(on.then(|| name.clone()));
            })
            .await;
            match read {
                Ok(content) => {
                    set_input_error.set(None);
                    set_source.set(name.clone());
                    set_text.set(content);
                    set_sample.set("custom".into());
                }
                // What was in the text box stays.
                Err(e) => set_input_error.set(Some(e)),
            }
        });
    };

    let run_demo = Callback::new(move |_| {
        state.settings.update(|s| s.provider = Provider::Demo);
        set_mode.set(RunMode::Compare);
        run();
    });

    view! {
        <Welcome on_run_demo=run_demo />
        <section class="panel workflow" aria-labelledby="workflow-title">
            <h2 id="workflow-title" class="visually-hidden">"Tasks over one text"</h2>
            <div class="row">
                <label class="field">
                    <span>"Text"</span>
                    <select
                        data-testid="sample-select"
                        prop:value=move || sample.get()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(s) = v.parse::<usize>().ok().and_then(|i| SAMPLES.get(i)) {
                                set_text.set(s.text.to_string());
                                set_source.set(s.label.to_string());
                            }
                            set_sample.set(v);
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
            <TaskList selected=selected />
            <fieldset class="modes">
                <legend class="visually-hidden">"Mode"</legend>
                {[
                    (RunMode::Sequential, "sequential", "Sequential", "One after another"),
                    (RunMode::Parallel, "parallel", "Parallel", "All at once, or K at a time"),
                    (RunMode::Compare, "compare", "Compare", "Warm-up, then both, alternating"),
                    (RunMode::Sweep, "sweep", "Sweep K", "Warm-up, then parallel at K = 1, 2, 4, …"),
                    (RunMode::Race, "race", "Race", "The same tasks on every endpoint at once"),
                ]
                    .into_iter()
                    .map(|(m, id, label, title)| view! {
                        <label class="chip" title=title>
                            <input type="radio" name="mode" data-testid=format!("mode-{id}")
                                prop:checked=move || mode.get() == m
                                on:change=move |_| set_mode.set(m) />
                            <span>{label}</span>
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <div class="row run-buttons">
                <button type="button" class="primary" data-testid="run" disabled=running
                    on:click=move |_| if mode.get_untracked() == RunMode::Race { run_race() } else { run() }>
                    "Run"
                </button>
                <button type="button" data-testid="cancel" disabled=move || !running.get() on:click=cancel>
                    "Cancel"
                </button>
            </div>
            <EndpointList
                tasks=Signal::derive(move || selected.with(Vec::len))
                limit=limit.into()
                open=Signal::derive(move || mode.get() == RunMode::Race)
                on_add=Callback::new(move |_| set_mode.set(RunMode::Race))
            />
            <div class="row run-row">
                <NumberField label="Concurrency K (0 = all)" testid="concurrency" min=0usize max=64usize
                    value=limit on_set=Callback::new(move |v| set_limit.set(v)) />
                <NumberField label="Rounds (compare)" testid="rounds" min=1usize max=5usize
                    value=rounds on_set=Callback::new(move |v| set_rounds.set(v)) />
                <OrderPanel expected=expected_figures />
            </div>
            <Show when=move || input_error.get().is_some()>
                <p class="field-error" role="alert" data-testid="input-error">{move || input_error.get().unwrap_or_default()}</p>
            </Show>
            <p class="phase" aria-live="polite" data-testid="phase">{move || phase.get()}</p>
            <div class="row">
                <label class="field">
                    <span>"or open a .txt, .md, .pdf or .docx file"</span>
                    <input type="file" accept=".txt,.md,.markdown,.pdf,.docx,text/plain,text/markdown" data-testid="file-input" on:change=open_file />
                </label>
                <label class="field small">
                    <span>"Translate to"</span>
                    <input
                        type="text"
                        data-testid="language"
                        prop:value=move || language.get()
                        on:input=move |ev| language.set(event_target_value(&ev))
                    />
                </label>
            </div>
            <label class="field">
                <span>"Text"</span>
                <textarea
                    rows="4"
                    data-testid="input-text"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        set_text.set(event_target_value(&ev));
                        set_sample.set("custom".into());
                        set_source.set("Your own text".into());
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
            <Show when=move || reading.get().is_some()>
                <p class="hint" role="status" data-testid="input-reading">
                    {move || format!("Reading \"{}\"…", reading.get().unwrap_or_default())}
                </p>
            </Show>
            <Show when=move || saving.get().is_some()>
                <p class="hint" data-testid="order-saving">{move || saving.get().unwrap_or_default()}</p>
            </Show>
            <div class="results" node_ref=results_ref>
            <RaceResults race=race now=now prefix="race" />
            <div class="run-results" hidden=move || race.with(Option::is_some)>
            <Headline results=results />
            <Timeline rows=rows now=now />
            <div class="cards">
                <For
                    each=move || state.tasks.with(|c| c.tasks())
                    key=|t| t.id.clone()
                    children=move |t: TaskDef| {
                        let id = t.id.clone();
                        let label = Signal::derive(move || {
                            state.tasks.with(|c| c.get(&id).map(|t| t.label).unwrap_or_default())
                        });
                        let simulated = Signal::derive(move || results.with(|r| r.simulated));
                        view! { <TaskCard id=t.id.clone() label=label card=card_for(&t.id) selected=selected simulated=simulated /> }
                    }
                />
            </div>
            <PerTaskBars results=results />
            <PerTaskTable results=results />
            <SweepChart points=sweep tasks=sweep_tasks />
            </div>
            </div>
            {move || latest.get().map(|r| { let json = r.to_json(); view! {
                // The run as kept, for scripts (the benchmark reads its
                // figures): serialized once per run, not on every event.
                <div class="saved-run" data-testid="run-saved" data-record=json>
                    <p class="hint">"Kept in the history below. Export this run:"</p>
                    <ExportButtons record=r />
                </div>
            }})}
        </section>
    }
}
