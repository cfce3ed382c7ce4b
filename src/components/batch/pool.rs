//! A batch over a pool: the choice to spread it over the connection and the
//! endpoints added on the Run view, how jobs are shared, and each member's
//! figures while it runs (health, jobs, speed, first token, cost, share).

use leptos::prelude::*;

use super::BatchCtx;
use crate::components::browser::FrameQueue;
use crate::components::hooks;
use crate::components::job::begin_members;
use std::cell::RefCell;
use std::rc::Rc;

use crate::pool::{Member, MemberFigures, MemberLimits, Policy, PoolTransport, Router};
use crate::settings::{Settings, main_label};
use crate::state::AppState;
use crate::stats::percentile;
use crate::workflow::cost::{Price, cost_usd, price_for};

/// What the pool of the batch shown looks like: its members' names,
/// prices and figures (drawn at most once a frame).
#[derive(Clone, Copy)]
pub(super) struct PoolView {
    /// Each member's figures, member 1 (the connection) first; empty when
    /// the batch shown did not run over a pool.
    pub figures: RwSignal<Vec<MemberFigures>>,
    /// Each member's name.
    pub labels: RwSignal<Vec<String>>,
    /// Each member's price, if known.
    prices: StoredValue<Vec<Option<Price>>>,
    /// The running pool's router, read once a frame after a change.
    router: StoredValue<Option<Rc<RefCell<Router>>>, LocalStorage>,
    queue: FrameQueue<()>,
}

impl PoolView {
    /// An empty view, owned by the calling component.
    pub fn new() -> Self {
        Self {
            figures: RwSignal::new(Vec::new()),
            labels: RwSignal::new(Vec::new()),
            prices: StoredValue::new(Vec::new()),
            router: StoredValue::new_local(None),
            queue: FrameQueue::new(),
        }
    }

    /// Forgets the last pool (a batch that runs without one).
    pub fn clear(self) {
        self.queue.clear();
        self.router.set_value(None);
        self.figures.set(Vec::new());
        self.labels.set(Vec::new());
    }

    /// The members' figures changed: read them at the next frame, once
    /// however many changes the frame saw.
    fn changed(self) {
        self.queue.push((), move |_| {
            let figures = self
                .router
                .try_with_value(|r| r.as_ref().map(|r| r.borrow().figures()))
                .flatten();
            if let Some(f) = figures {
                self.figures.try_set(f);
            }
        });
    }
}

/// A pool for the batch: the connection and every endpoint, each with its
/// own key and lanes and no retries of its own; the members' names, and
/// the settings of the connection. `k`, `rpm` and `tpm` are the batch
/// form's, for member 1 and for endpoints whose K is 0.
pub(super) fn begin_pool(
    state: &AppState,
    signal: web_sys::AbortSignal,
    (k, rpm, tpm): (usize, Option<f64>, Option<f64>),
    view: PoolView,
) -> Result<(Settings, PoolTransport, Vec<String>), String> {
    let start = begin_members(state, signal, Some(0))?;
    let main = start.main;
    let ks = main.pool_ks(k);
    let mut labels = vec![main_label(&main)];
    let mut limits = vec![MemberLimits { k, rpm, tpm }];
    for (i, (e, k)) in main.endpoints.iter().zip(&ks[1..]).enumerate() {
        labels.push(e.label(i + 2));
        limits.push(MemberLimits {
            k: *k,
            rpm: e.rpm_budget(),
            tpm: (e.tpm > 0).then_some(f64::from(e.tpm)),
        });
    }
    let prices: Vec<Option<Price>> = start
        .settings
        .iter()
        .map(|s| price_for(&s.prices, &s.model).cloned())
        .collect();
    let members: Vec<Member> = start
        .transports
        .into_iter()
        .zip(&start.settings)
        .zip(limits)
        .map(|((transport, s), limits)| Member {
            transport,
            model: s.model.trim().to_string(),
            limits,
        })
        .collect();
    // A request may fail once on each member, and as many more times as
    // the settings allow retries.
    let tries = members.len() + main.max_retries as usize;
    view.labels.set(labels.clone());
    view.prices.set_value(prices);
    view.figures.set(Vec::new());
    let transport = PoolTransport::new(
        members,
        main.pool_policy,
        tries,
        Box::new(crate::batch::jobs::estimate),
        Box::new(move || view.changed()),
    );
    view.router.set_value(Some(transport.router()));
    view.figures.set(transport.figures());
    Ok((main, transport, labels))
}

/// The pool checkbox and how jobs are shared.
#[component]
pub(super) fn PoolChoice() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let settings = ctx.state.settings;
    let endpoints = move || settings.with(|s| s.endpoints.len());
    view! {
        <div class="pool-choice">
            <label class="check">
                <input type="checkbox" data-testid=hooks::BATCH_POOL
                    disabled=move || endpoints() == 0 || ctx.job.running.get()
                    prop:checked=move || { settings.with(|s| s.batch_pool) && endpoints() > 0 }
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        settings.update(|s| s.batch_pool = on);
                    } />
                <span>{move || match endpoints() {
                    0 => "Spread the batch over several servers (add endpoints under Race on the Run view first)".to_string(),
                    n => format!("Spread the batch over the connection and the {n} endpoint{} added on the Run view (a pool)", if n == 1 { "" } else { "s" }),
                }}</span>
            </label>
            <Show when=move || { settings.with(|s| s.batch_pool) && endpoints() > 0 }>
                <label class="field small">
                    <span>"Share jobs"</span>
                    <select data-testid=hooks::POOL_POLICY
                        on:change=move |ev| {
                            let p = if event_target_value(&ev) == "capacity" { Policy::ByCapacity } else { Policy::LeastBusy };
                            settings.update(|s| s.pool_policy = p);
                        }>
                        <option value="least-busy" selected=move || settings.with(|s| s.pool_policy == Policy::LeastBusy)>"Least busy member first"</option>
                        <option value="capacity" selected=move || settings.with(|s| s.pool_policy == Policy::ByCapacity)>"By capacity (most of its K free)"</option>
                    </select>
                </label>
                <p class="hint" data-testid=hooks::POOL_NOTE>{move || {
                    let ks = settings.with(|s| s.pool_ks(ctx.k.get()));
                    format!(
                        "Up to {} requests at once: K {} per member (member 1 is this connection with the K above; an endpoint's K is its own, or this one when 0; \"Use this K\" after a capacity search sets it). A member that fails (refused, a run of server errors, a 429, a timeout) cools down and its jobs go to the others; each cell says which member answered it.",
                        ks.iter().sum::<usize>(),
                        ks.iter().map(ToString::to_string).collect::<Vec<_>>().join(" + "),
                    )
                }}</p>
            </Show>
        </div>
    }
}

/// Each member's figures, and its share of the work.
#[component]
pub(super) fn PoolMembers() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let pool = ctx.pool;
    let rows = move || {
        let labels = pool.labels.get();
        let prices = pool.prices.get_value();
        pool.figures
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let state = f.state.map_or("ok", |s| s.name());
                let p = |q| {
                    percentile(&f.ttft_ms, q).map_or("–".to_string(), |v: f64| format!("{v:.0} ms"))
                };
                let cost = prices
                    .get(i)
                    .cloned()
                    .flatten()
                    .map_or("–".to_string(), |p| {
                        format!("${:.4}", cost_usd(&p, f.tokens.0, f.tokens.1))
                    });
                view! {
                    <tr data-testid=format!("pool-member-{}", i + 1)
                        data-done=f.done.to_string() data-failed=f.failed.to_string()
                        data-in-flight=f.in_flight.to_string() data-state=state>
                        <td>{format!("{}. {}", i + 1, labels.get(i).cloned().unwrap_or_default())}</td>
                        <td class=format!("state {state}")>{state}</td>
                        <td>{f.k}</td>
                        <td>{f.in_flight}</td>
                        <td>{f.done}</td>
                        <td>{f.failed}</td>
                        <td>{f.requests_per_s().map_or("–".to_string(), |r| format!("{r:.1}"))}</td>
                        <td>{format!("{} / {}", p(0.5), p(0.9))}</td>
                        <td>{cost}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || pool.figures.with(|f| !f.is_empty())>
            <h3>"Pool"</h3>
            <ShareBar />
            <table class="pool-members" data-testid=hooks::POOL_MEMBERS>
                <thead><tr>
                    <th>"Member"</th><th>"State"</th><th>"K"</th><th>"In flight"</th><th>"Done"</th>
                    <th>"Failed"</th><th>"Requests/s"</th><th>"First token p50 / p90"</th><th>"Cost"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="hint">"Failed counts requests that failed on a member, moved to another or kept as failed. Requests/s: answers over the time from the member's first start to its last answer."</p>
        </Show>
    }
}

/// One bar split by member: each one's share of the answers so far.
#[component]
fn ShareBar() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    let pool = ctx.pool;
    let segments = move || {
        let figures = pool.figures.get();
        let labels = pool.labels.get();
        let total: usize = figures.iter().map(|f| f.done).sum();
        let mut x = 0.0;
        figures
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let share = if total > 0 {
                    f.done as f64 / total as f64
                } else {
                    0.0
                };
                let at = x;
                x += share * 600.0;
                let name = labels.get(i).cloned().unwrap_or_default();
                view! {
                    <rect class=format!("member-{}", i % 4 + 1) x=format!("{at:.1}") y="0"
                        width=format!("{:.1}", share * 600.0) height="18">
                        <title>{format!("{}. {name}: {} answers ({:.0} %)", i + 1, f.done, share * 100.0)}</title>
                    </rect>
                }
            })
            .collect_view()
    };
    let legend = move || {
        let figures = pool.figures.get();
        let total: usize = figures.iter().map(|f| f.done).sum::<usize>().max(1);
        pool.labels
            .get()
            .into_iter()
            .zip(figures)
            .enumerate()
            .map(|(i, (name, f))| {
                format!(
                    "{}. {name} {:.0} %",
                    i + 1,
                    f.done as f64 * 100.0 / total as f64
                )
            })
            .collect::<Vec<_>>()
            .join(" · ")
    };
    view! {
        <figure class="pool-share">
            <svg viewBox="0 0 600 18" role="img" data-testid=hooks::POOL_SHARE
                aria-label=move || format!("Share of the answers: {}", legend())>
                {segments}
            </svg>
            <figcaption class="hint">{move || format!("Share of the answers: {}", legend())}</figcaption>
        </figure>
    }
}
