//! The run's figures and charts: headline numbers, the waterfall timeline,
//! per-task bars and the same numbers as a table. Geometry comes from
//! `crate::charts`, figures from `crate::workflow::live`.

use leptos::prelude::*;

use crate::charts::bars::{BAR_HEIGHT, layout_bars};
use crate::charts::sweep::layout_sweep;
use crate::charts::timeline::{BarGeom, TimelineFrame, TimelineRow, layout_timeline};
use crate::components::browser::use_element_width;
use crate::components::hooks;
use crate::format::{duration_ms, signed_duration_ms};
use crate::history::figures::explain;
use crate::state::AppState;
use crate::workflow::cost::estimate_usd;
use crate::workflow::live::{LiveRow, RunResults};
use crate::workflow::runner::Mode;
use crate::workflow::runner::ideal_speedup;

/// Live timeline rows per mode.
pub type Rows = RwSignal<Vec<(Mode, Vec<LiveRow>)>>;

/// Headline figures with what each means: speedup first, the two wall
/// times as bars beside it, then the rest. Every figure derived from both
/// modes counts only the tasks that succeeded in both
/// ([`RunResults::fair`]), and says so when that is not all of them.
#[component]
pub fn Headline(
    /// Results so far.
    results: RwSignal<RunResults>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let fair = Memo::new(move |_| results.with(RunResults::fair));
    let cmp = move || fair.with(|f| f.as_ref().and_then(|f| f.comparison));
    let wall = move |m: Mode| results.with(|r| r.median_wall(m));
    let ms_attr = |v: Option<f64>| v.map(|m| format!("{}", m.round())).unwrap_or_default();
    let range = move |m: Mode| {
        results.with(|r| {
            r.wall_spread(m)
                .map(|(n, lo, hi)| format!("{n} runs, {}–{}", duration_ms(lo), duration_ms(hi)))
                .unwrap_or_default()
        })
    };
    let tokens = move || results.with(RunResults::tokens);
    let critical = move || {
        results.with(RunResults::critical_path).map(|(label, task, wall)| {
            format!(
                "{label}: {} of the {} parallel wall. It sets the wall time, so it bounds the speedup.",
                duration_ms(task),
                duration_ms(wall)
            )
        })
    };
    view! {
        <Show when=move || results.with(|r| r.simulated)>
            <p class="simulated-label" data-testid=hooks::SIMULATED_LABEL>
                "Simulated run (demo provider): the times and answers below come from the page's built-in simulation, not from a model."
            </p>
        </Show>
        <div class="headline" aria-live="polite" data-testid=hooks::HEADLINE>
            <div class="hero metric" tabindex="0">
                <span class="hero-label">"Speedup"</span>
                <span class="hero-value">
                    <span
                        data-testid=hooks::SPEEDUP
                        data-value=move || cmp().map(|c| format!("{:.4}", c.speedup)).unwrap_or_default()
                    >
                        {move || cmp().map(|c| format!("{:.2}", c.speedup)).unwrap_or_default()}
                    </span>
                    <span class="unit">{move || cmp().map(|_| "×")}</span>
                </span>
                <span class="explain">{explain("speedup")}</span>
                <WallBars results />
            </div>
            {move || fair.with(|f| f.as_ref().and_then(|f| f.note())).map(|n| view! {
                <p class="figures-note" role="status" data-testid=hooks::FIGURES_NOTE>{n}</p>
            })}
            {move || critical().map(|c| view! {
                <p class="critical-path" data-testid=hooks::CRITICAL_PATH>{c}</p>
            })}
            <dl class="figures">
                <div class="metric" tabindex="0">
                    <dt>"Sequential"</dt>
                    <dd><span data-testid=hooks::TOTAL_SEQUENTIAL_MS data-ms=move || ms_attr(wall(Mode::Sequential))>{move || wall(Mode::Sequential).map(duration_ms)}</span></dd>
                    <dd class="spread" data-testid=hooks::SPREAD_SEQUENTIAL>{move || range(Mode::Sequential)}</dd>
                    <dd class="explain">{explain("sequential")}</dd>
                </div>
                <div class="metric" tabindex="0">
                    <dt>"Parallel"</dt>
                    <dd><span data-testid=hooks::TOTAL_PARALLEL_MS data-ms=move || ms_attr(wall(Mode::Parallel))>{move || wall(Mode::Parallel).map(duration_ms)}</span></dd>
                    <dd class="spread" data-testid=hooks::SPREAD_PARALLEL>{move || range(Mode::Parallel)}</dd>
                    <dd class="explain">{explain("parallel")}</dd>
                </div>
                <div class="metric" tabindex="0">
                    <dt>"Time saved"</dt>
                    <dd>
                        <span data-testid=hooks::TIME_SAVED data-ms=move || ms_attr(cmp().map(|c| c.time_saved_ms))>{move || cmp().map(|c| signed_duration_ms(c.time_saved_ms))}</span>
                        " "
                        <span class="muted">{move || cmp().map(|c| format!("({:.1} %)", c.time_saved_pct))}</span>
                    </dd>
                    <dd class="explain">"Time saved = sequential - parallel wall time (and as % of sequential)."</dd>
                </div>
                <div class="metric" tabindex="0">
                    <dt>"Efficiency"</dt>
                    <dd data-testid=hooks::EFFICIENCY>{move || cmp().map(|c| format!("{:.2}", c.efficiency))}</dd>
                    <dd class="explain">{explain("efficiency")}</dd>
                </div>
                <div class="metric" tabindex="0">
                    <dt>"Overhead"</dt>
                    <dd data-testid=hooks::OVERHEAD>{move || fair.with(|f| f.as_ref().and_then(|f| f.overhead)).map(|o| format!("{o:.2}"))}</dd>
                    <dd class="explain">{explain("overhead")}</dd>
                </div>
                <div class="metric" tabindex="0">
                    <dt>"Cost"</dt>
                    <dd data-testid=hooks::COST>
                        {move || {
                            let t = tokens();
                            if t.runs == 0 {
                                return String::new();
                            }
                            let model = results.with(|r| r.model.clone());
                            state.settings.with(|s| match estimate_usd(&s.prices, &model, t.input, t.output) {
                                Some(usd) => format!("${usd:.4}"),
                                None => "unknown (no price)".into(),
                            })
                        }}
                    </dd>
                    <dd class="explain">"Estimated cost of all runs here: tokens reported by the server times the price table in the settings (warm-up not counted)."</dd>
                </div>
                <div class="metric" tabindex="0">
                    <dt>"Tokens"</dt>
                    <dd data-testid=hooks::TOKENS>
                        {move || {
                            let t = tokens();
                            if t.runs == 0 {
                                return String::new();
                            }
                            let mut s = format!("{} in / {} out", t.input, t.output);
                            if t.unknown > 0 {
                                s.push_str(&format!(", {} unknown", t.unknown));
                            }
                            if t.errors > 0 {
                                s.push_str(&format!(" · {} failed", t.errors));
                            }
                            s
                        }}
                    </dd>
                    <dd class="explain">{explain("tokens")}</dd>
                </div>
            </dl>
        </div>
    }
}

/// The two median wall times as bars on one scale, beside the speedup.
#[component]
fn WallBars(
    /// Results so far.
    results: RwSignal<RunResults>,
) -> impl IntoView {
    const W: f64 = 240.0;
    let walls =
        move || results.with(|r| [Mode::Sequential, Mode::Parallel].map(|m| (m, r.median_wall(m))));
    view! {
        {move || {
            let w = walls();
            let max = w.iter().filter_map(|x| x.1).fold(0.0, f64::max);
            (max > 0.0).then(|| {
                let label = w
                    .iter()
                    .filter_map(|(m, v)| v.map(|v| format!("{} {}", m.name(), duration_ms(v))))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <svg class="wall-bars" viewBox=format!("0 0 {W} 44") role="img" aria-label=format!("Wall time: {label}") data-testid=hooks::WALL_BARS>
                        {w.iter().enumerate().filter_map(|(i, (m, v))| v.map(|v| {
                            let y = i as f64 * 22.0;
                            let width = (v / max * (W - 80.0)).max(1.0);
                            view! {
                                <g class=format!("wall {}", m.name())>
                                    <rect x="0" y=y + 2.0 width=width height="16" rx="2"></rect>
                                    <text x=width + 4.0 y=y + 15.0>{format!("{} {}", if *m == Mode::Sequential { "seq" } else { "par" }, duration_ms(v))}</text>
                                </g>
                            }
                        })).collect_view()}
                    </svg>
                }
            })
        }}
    }
}

/// The waterfall timeline of a workflow run: one group of rows per mode.
#[component]
pub fn Timeline(
    /// Rows per mode.
    rows: Rows,
    /// Ms since the run started, while it runs.
    now: Signal<Option<f64>>,
) -> impl IntoView {
    let flat = Signal::derive(move || {
        let now_v = now.get();
        rows.with(|all| {
            all.iter()
                .flat_map(|(m, rs)| rs.iter().map(move |r| r.to_timeline(*m, now_v)))
                .collect::<Vec<TimelineRow>>()
        })
    });
    let summary = Signal::derive(move || {
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
    });
    view! { <TimelineChart rows=flat now=now summary=summary /> }
}

/// A waterfall timeline of any rows on one time axis (a run's modes, a
/// race's endpoints), hidden while there are none.
#[component]
pub fn TimelineChart(
    /// The bars, grouped by their `group`.
    rows: Signal<Vec<TimelineRow>>,
    /// Ms since the start, while running (draws the "now" line).
    now: Signal<Option<f64>>,
    /// What the chart shows, for screen readers.
    summary: Signal<String>,
) -> impl IntoView {
    // Drawn at the width it is shown at (1 SVG unit = 1 CSS px), so its text
    // reads the same on a phone as on a wide screen.
    let figure = NodeRef::<leptos::html::Figure>::new();
    let width = use_element_width(figure, 720.0);
    // One layout per change of rows, time or width; the SVG below is built
    // once and only the attributes whose values change are set again (the
    // bars grow and the axis rescales every tick while a run goes).
    let layout = Memo::new(move |_| {
        rows.with(|flat| {
            layout_timeline(flat, 0.0, now.get(), TimelineFrame::for_width(width.get()))
        })
    });
    let bars = Memo::new(move |_| layout.with(|l| l.bars.len()));
    let ticks = Memo::new(move |_| layout.with(|l| l.ticks.len()));
    let axis_y = move || layout.with(|l| l.axis_y);
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <figure class="timeline" node_ref=figure>
                <figcaption>"Timeline: each bar runs from request sent to answer done; the lighter start is the wait for the first token; hatched marks are waits before a retry; the faint outline behind a bar is how long the task was expected to take."</figcaption>
                <svg
                    viewBox=move || layout.with(|l| format!("0 0 {} {}", l.width, l.height))
                    role="img"
                    aria-label=summary
                    data-testid=hooks::TIMELINE
                >
                    <For each=move || 0..ticks.get() key=|i| *i let:i>
                        {
                            let tick = Memo::new(move |_| layout.with(|l| l.ticks.get(i).copied().unwrap_or_default()));
                            let x = move || tick.get().0;
                            view! {
                                <g class="tick">
                                    <line x1=x x2=x y1="0" y2=axis_y></line>
                                    <text x=x y=move || axis_y() + 16.0 text-anchor="middle">{move || duration_ms(tick.get().1)}</text>
                                </g>
                            }
                        }
                    </For>
                    <For each=move || 0..bars.get() key=|i| *i let:i>
                        <TimelineBar bar=Memo::new(move |_| layout.with(|l| l.bars.get(i).cloned())) />
                    </For>
                    {move || layout.with(|l| l.now_x).map(|x| view! { <line class="now" x1=x x2=x y1="0" y2=axis_y></line> })}
                </svg>
            </figure>
        </Show>
    }
}

/// One row of the timeline; its attributes follow the bar's geometry.
#[component]
fn TimelineBar(
    /// The bar (`None` for the moment a row is removed).
    bar: Memo<Option<BarGeom>>,
) -> impl IntoView {
    let get = move |f: fn(&BarGeom) -> f64| move || bar.with(|b| b.as_ref().map_or(0.0, f));
    let y = move |dy: f64| move || bar.with(|b| b.as_ref().map_or(0.0, |b| b.y + dy));
    // Memos, so that the marks below are rebuilt only when they change (a
    // plain task has none, and its expected bar only moves).
    let expected = Memo::new(move |_| bar.with(|b| b.as_ref().and_then(|b| b.expected_width)));
    let has_expected = Memo::new(move |_| expected.with(Option::is_some));
    let parts = Memo::new(move |_| {
        bar.with(|b| {
            b.as_ref()
                .map(|b| (b.y, b.parts.clone()))
                .unwrap_or_default()
        })
    });
    let waits = Memo::new(move |_| {
        bar.with(|b| {
            b.as_ref()
                .map(|b| (b.y, b.waits.clone()))
                .unwrap_or_default()
        })
    });
    view! {
        <g class=move || bar.with(|b| b.as_ref().map(|b| format!("bar {} {}", b.status, b.group)).unwrap_or_default())>
            <text class="label" x="4" y=y(15.0)>{move || bar.with(|b| b.as_ref().map(|b| b.label.clone()).unwrap_or_default())}</text>
            {move || has_expected.get().then(|| view! {
                <rect class="expected" data-testid=hooks::EXPECTED_BAR x=get(|b| b.x) y=y(1.0) width=move || expected.get().unwrap_or(0.0).max(1.0) height="20" rx="2"></rect>
            })}
            <rect class="total" x=get(|b| b.x) y=y(3.0) width=get(|b| b.width) height="16" rx="2"></rect>
            <rect class="ttft" x=get(|b| b.x) y=y(3.0) width=get(|b| b.ttft_width) height="16" rx="2"></rect>
            {move || {
                let (top, marks) = parts.get();
                marks.into_iter().map(|(x, w, combine)| view! {
                    <rect class=if combine { "combine" } else { "part" } data-testid=hooks::PART_MARK x=x y=top + 16.0 width=w height="3"></rect>
                }).collect_view()
            }}
            {move || {
                let (top, marks) = waits.get();
                marks.into_iter().map(|(x, w)| view! {
                    <rect class="retry-wait" data-testid=hooks::RETRY_MARK x=x y=top + 1.0 width=w height="20"></rect>
                }).collect_view()
            }}
        </g>
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
pub fn PerTaskBars(
    /// Results so far.
    results: RwSignal<RunResults>,
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
                        <svg viewBox=format!("0 0 {} {}", l.width, l.height) role="img" aria-label=description() data-testid=hooks::PER_TASK_BARS>
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
pub fn PerTaskTable(
    /// Results so far.
    results: RwSignal<RunResults>,
) -> impl IntoView {
    let ms = |v: Option<f64>| v.map(duration_ms).unwrap_or_else(|| "–".into());
    view! {
        <Show when=move || results.with(|r| !r.per_task.is_empty())>
            <table class="per-task" data-testid=hooks::PER_TASK_TABLE>
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

/// The concurrency sweep: measured speedup at each K against the ideal.
#[component]
pub fn SweepChart(
    /// (K, wall ms) of each run, K = 1 first.
    points: RwSignal<Vec<(usize, f64)>>,
    /// How many tasks each run had.
    tasks: RwSignal<usize>,
) -> impl IntoView {
    // Speedup against the K = 1 run, beside the best K slots can give.
    let rows = move || {
        let n = tasks.get();
        points.with(|p| {
            let base = p.first().map(|x| x.1).unwrap_or(0.0);
            p.iter()
                .map(|(k, wall)| {
                    let speedup = if *wall > 0.0 { base / wall } else { 0.0 };
                    (*k, *wall, speedup, ideal_speedup(n, *k))
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || points.with(|p| !p.is_empty())>
            <figure class="sweep">
                <figcaption>"Concurrency sweep: measured speedup over K = 1 (solid) against the ideal for these tasks (dashed). Where the solid line flattens, more parallelism stops paying."</figcaption>
                {move || {
                    let r = rows();
                    let l = layout_sweep(&r.iter().map(|x| (x.0, x.2, x.3)).collect::<Vec<_>>(), 330.0, 140.0);
                    let label = r.iter().map(|x| format!("K {}: speedup {:.2} (ideal {:.2})", x.0, x.2, x.3)).collect::<Vec<_>>().join("; ");
                    view! {
                        <svg viewBox=format!("0 0 {} {}", l.width, l.height) role="img" aria-label=label data-testid=hooks::SWEEP_CHART>
                            <polyline class="ideal" points=l.ideal fill="none"></polyline>
                            <polyline class="measured" points=l.measured fill="none"></polyline>
                            {l.dots.iter().map(|(x, y, k)| view! {
                                <g>
                                    <circle cx=*x cy=*y r="3"></circle>
                                    <text x=*x y=l.height - 4.0 text-anchor="middle">{format!("K={k}")}</text>
                                </g>
                            }).collect_view()}
                        </svg>
                    }
                }}
                <table class="per-task" data-testid=hooks::SWEEP_TABLE>
                    <thead><tr><th scope="col">"K"</th><th scope="col">"Wall"</th><th scope="col">"Speedup"</th><th scope="col">"Ideal"</th></tr></thead>
                    <tbody>
                        {move || rows().into_iter().map(|(k, wall, s, ideal)| view! {
                            <tr><th scope="row">{k}</th><td>{duration_ms(wall)}</td><td>{format!("{s:.2}")}</td><td>{format!("{ideal:.2}")}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </figure>
        </Show>
    }
}
