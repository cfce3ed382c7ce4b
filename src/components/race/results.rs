//! A race's results: per endpoint its status and figures (best marked), one
//! timeline on a shared time axis, and every task's answers side by side
//! with the agreement.

use leptos::prelude::*;

use crate::charts::timeline::TimelineRow;
use crate::components::run_charts::TimelineChart;
use crate::format::duration_ms;
use crate::race::figure_rows;
use crate::race::live::Race;

/// A text or attribute that follows the race: `read` gets the race, the
/// lane `n` and the task `t`. Every use shares this one closure type, so a
/// use adds no view code of its own (each distinct closure in a view is
/// compiled on its own, which made the page's wasm much bigger).
fn follow(
    race: RwSignal<Option<Race>>,
    n: usize,
    t: usize,
    read: fn(&Race, usize, usize) -> String,
) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || {
        race.with(|r| {
            r.as_ref()
                .filter(|r| n < r.lanes.len() && t < r.labels.len().max(1))
                .map(|r| read(r, n, t))
                .unwrap_or_default()
        })
    }
}

/// A race's results, live or reopened: per endpoint a summary (the
/// `race-<n>` hooks), the figures side by side with the best marked, one
/// timeline on a shared axis and the answers aligned per task.
#[component]
pub fn RaceResults(
    /// The race.
    race: RwSignal<Option<Race>>,
    /// Ms since the race started, while it runs.
    now: Signal<Option<f64>>,
    /// Start of every test hook: `race` for the live race, `kept-race` for
    /// one reopened from history (so the two never share a hook).
    prefix: &'static str,
) -> impl IntoView {
    // Counts as memos: the tables are rebuilt when a race starts, not on
    // every streamed chunk (cells follow the race on their own).
    let lanes_memo = Memo::new(move |_| race.with(|r| r.as_ref().map_or(0, |r| r.lanes.len())));
    let tasks_memo = Memo::new(move |_| {
        race.with(|r| {
            r.as_ref()
                .map(|r| (r.task_ids.clone(), r.labels.clone()))
                .unwrap_or_default()
        })
    });
    let lanes = move || lanes_memo.get();
    let rows: Signal<Vec<TimelineRow>> = Signal::derive(move || {
        let now_v = now.get();
        race.with(|r| r.as_ref().map(|r| r.timeline(now_v)).unwrap_or_default())
    });
    let summary = Signal::derive(move || {
        race.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.lanes
                        .iter()
                        .enumerate()
                        .map(|(n, l)| {
                            let wall = l.wall_ms.map_or("running".into(), duration_ms);
                            format!("endpoint {} ({}): {wall}", n + 1, l.name)
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default()
        })
    });
    let figures = Memo::new(move |_| {
        race.with(|r| {
            r.as_ref()
                .map(|r| figure_rows(&r.figures()))
                .unwrap_or_default()
        })
    });
    let agreements =
        Memo::new(move |_| race.with(|r| r.as_ref().map(|r| r.agreements()).unwrap_or_default()));
    view! {
        <Show when=move || race.with(Option::is_some)>
            <section class="race" data-testid=prefix aria-label="Race">
                <p class="race-wall" data-testid=format!("{prefix}-wall")
                    data-ms=follow(race, 0, 0, |r, _, _| r.wall_ms.map(|w| format!("{}", w.round())).unwrap_or_default())>
                    {follow(race, 0, 0, |r, _, _| match r.wall_ms {
                        Some(w) => format!("Race wall time {}: every endpoint ran at once, so it is the slowest endpoint's time, not the sum.", duration_ms(w)),
                        None => "Racing: every endpoint runs the same tasks at once…".into(),
                    })}
                </p>
                <div class="race-lanes">
                    {move || (0..lanes()).map(|n| view! {
                        <div class="race-lane" data-testid=format!("{prefix}-{}", n + 1)
                            data-status=follow(race, n, 0, |r, n, _| r.lanes[n].status().into())
                            data-wall-ms=follow(race, n, 0, |r, n, _| r.lanes[n].wall_ms.map(|w| format!("{}", w.round())).unwrap_or_default())
                            data-done=follow(race, n, 0, |r, n, _| r.lanes[n].done().to_string())>
                            <strong>{follow(race, n, 0, |r, n, _| r.lanes[n].name.clone())}</strong>
                            <span class="hint">{follow(race, n, 0, |r, n, _| format!("{} · K = {}", r.lanes[n].model, r.lanes[n].k))}</span>
                            <span>{follow(race, n, 0, |r, n, _| {
                                let l = &r.lanes[n];
                                format!("{} · {} of {} done · {}", l.status(), l.done(), l.rows.len(), l.wall_ms.map_or("…".into(), duration_ms))
                            })}</span>
                        </div>
                    }).collect_view()}
                </div>
                <table class="race-figures" data-testid=format!("{prefix}-figures")>
                    <caption>"Per endpoint: times over its tasks (median and p90), tokens, cost. The best of each figure is marked among endpoints that answered every task."</caption>
                    <thead><tr><th scope="col">"Figure"</th>
                        {move || (0..lanes()).map(|n| view! { <th scope="col">{follow(race, n, 0, |r, n, _| format!("{}: {}", n + 1, r.lanes[n].name))}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {move || figures.get().into_iter().map(|row| view! {
                            <tr data-testid=format!("{prefix}-fig-{}", row.key)>
                                <th scope="row">{row.label}</th>
                                {row.cells.into_iter().zip(row.best).map(|(c, best)| view! {
                                    <td class:best=best data-best=best.to_string()>{c}{best.then_some(" ★")}</td>
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <TimelineChart rows=rows now=now summary=summary />
                <table class="race-answers" data-testid=format!("{prefix}-answers")>
                    <caption>"Answers per task, side by side; for sentiment, category and keywords, how far the endpoints agree."</caption>
                    <thead><tr><th scope="col">"Task"</th>
                        {move || (0..lanes()).map(|n| view! { <th scope="col">{follow(race, n, 0, |r, n, _| r.lanes[n].name.clone())}</th> }).collect_view()}
                        <th scope="col">"Agreement"</th>
                    </tr></thead>
                    <tbody>
                        {move || tasks_memo.get().0.into_iter().zip(tasks_memo.get().1).enumerate().map(|(t, (id, label))| {
                            view! {
                                <tr>
                                    <th scope="row">{label}</th>
                                    {(0..lanes()).map(|n| {
                                        let id = id.clone();
                                        let status = follow(race, n, t, |r, n, t| r.lanes[n].rows[t].status.name().into());
                                        let text = follow(race, n, t, |r, n, t| r.lanes[n].texts[t].clone());
                                        // Parsed fields as the cards show them; the JSON one click away.
                                        // Parsed once when the task is done, not at each
                                        // streamed chunk of the other lanes (a done
                                        // answer does not change).
                                        let done = Memo::new(move |_| status() == "done");
                                        let fields = Memo::new(move |_| {
                                            done.get()
                                                .then(|| race.with_untracked(|r| r.as_ref().and_then(|r| r.fields(n, t))))
                                                .flatten()
                                        });
                                        let fields_id = format!("{prefix}-{}-fields-{id}", n + 1);
                                        view! {
                                            <td data-testid=format!("{prefix}-{}-task-{id}", n + 1) data-status=status>
                                                <span class="status">{status}</span>
                                                {move || match fields.get() {
                                                    Some(f) => view! {
                                                        <dl class="fields" data-testid=fields_id.clone()>
                                                            {f.into_iter().map(|f| view! {
                                                                <div><dt>{f.name}</dt><dd>{f.value}</dd></div>
                                                            }).collect_view()}
                                                        </dl>
                                                        <details class="raw"><summary>"Raw JSON"</summary>
                                                            <pre class="answer" tabindex="0">{text}</pre>
                                                        </details>
                                                    }.into_any(),
                                                    None => view! { <pre class="answer" tabindex="0">{text}</pre> }.into_any(),
                                                }}
                                            </td>
                                        }
                                    }).collect_view()}
                                    <td data-testid=format!("{prefix}-agree-{id}")>{move || agreements.with(|a| a.get(t).cloned().flatten().map(|a| a.describe()).unwrap_or_else(|| "–".into()))}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        </Show>
    }
}
