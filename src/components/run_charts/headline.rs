//! Headline figures with what each means, and the two wall times as bars.

use leptos::prelude::*;

use crate::components::hooks;
use crate::format::{duration_ms, signed_duration_ms};
use crate::history::figures::explain;
use crate::state::AppState;
use crate::workflow::cost::estimate_usd;
use crate::workflow::live::RunResults;
use crate::workflow::runner::Mode;

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
