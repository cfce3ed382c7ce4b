//! Progress of the batch shown: the bar, counts and rates (also as JSON
//! for scripts), the current K, and the step chart of requests in flight.

use leptos::prelude::*;

use super::BatchCtx;
use crate::batch::progress::progress_of;
use crate::charts::gauge::layout_gauge;
use crate::components::hooks;
use crate::format::duration_ms;

/// The batch's progress.
#[component]
pub(super) fn Progress() -> impl IntoView {
    let ctx = expect_context::<BatchCtx>();
    // Kept event by event (see `Shown::apply`): no walk over the jobs.
    let stats = move || progress_of(ctx.tally.get(), ctx.job.elapsed_ms.get());
    view! {
                <div class="batch-progress" aria-live="polite">
                    <progress
                        max=move || ctx.shown.with(|s| s.as_ref().map_or(0, |s| s.batch().jobs.len())).to_string()
                        value=move || { let p = stats(); (p.done + p.failed).to_string() }
                    ></progress>
                    // The figures as JSON too, for scripts (the benchmark reads them).
                    <p
                        data-testid=hooks::BATCH_PROGRESS
                        data-done=move || ctx.tally.with(|t| t.done.to_string())
                        data-failed=move || ctx.tally.with(|t| t.failed.to_string())
                        data-remaining=move || ctx.tally.with(|t| t.remaining.to_string())
                        data-figures=move || {
                            let p = stats();
                            let end = ctx.job.elapsed_ms.get();
                            serde_json::json!({
                                "done": p.done,
                                "failed": p.failed,
                                "remaining": p.remaining,
                                "elapsed_ms": end,
                                "mean_in_flight": ctx.flight.with(|f| f.mean(end)),
                                "peak_in_flight": ctx.flight.with(|f| f.peak),
                            })
                            .to_string()
                        }
                    >
                        {move || {
                            let p = stats();
                            let eta = if ctx.job.running.get() { p.eta_ms.map(|e| format!(" · ETA {}", duration_ms(e))).unwrap_or_default() } else { String::new() };
                            format!(
                                "{} done · {} failed · {} remaining · {} elapsed{} · {:.1} requests/s · {:.0} tokens/s",
                                p.done, p.failed, p.remaining, duration_ms(p.elapsed_ms), eta, p.requests_per_s, p.tokens_per_s
                            )
                        }}
                    </p>
                    <p class="hint">"Current limit K: "<span data-testid=hooks::BATCH_CURRENT_K>{move || ctx.current_k.get()}</span>
                        {move || ctx.shown.with(|s| s.as_ref().is_some_and(|s| s.batch().simulated)).then_some(" · simulated (demo provider)")}
                    </p>
                    {move || {
                        let l = ctx.samples.with(|s| layout_gauge(s, ctx.k.get(), ctx.job.elapsed_ms.get(), 600.0, 60.0));
                        view! {
                            <svg class="gauge" viewBox=format!("0 0 {} {}", l.width, l.height) role="img"
                                aria-label=format!("Requests in flight over {}: at most {}, limit {}", duration_ms(l.x_max), l.y_max, ctx.k.get())
                                data-testid=hooks::BATCH_INFLIGHT>
                                <line class="limit" x1="0" x2=l.width y1=l.limit_y y2=l.limit_y></line>
                                <polyline class="inflight" points=l.points fill="none"></polyline>
                            </svg>
                        }
                    }}
                </div>
    }
}
