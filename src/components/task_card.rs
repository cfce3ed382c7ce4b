//! One task's card: status, the answer as it streams, structured fields,
//! the error, and the time breakdown of its request.

use leptos::prelude::*;

use crate::format::duration_ms;
use crate::history::export::html::extra_tokens as extra_text;
use crate::openai::{ApiError, AttemptRecord};
use crate::workflow::engine::{Structured, SubRequest, TaskEvent, TaskStatus};
use crate::workflow::metrics::TaskTiming;

/// Live state of one task's card (all signals, so it is `Copy`).
#[derive(Clone, Copy)]
pub struct CardState {
    /// Pending, running, done, error or cancelled.
    pub status: RwSignal<TaskStatus>,
    /// The answer so far.
    pub text: RwSignal<String>,
    /// A readable error, if it failed.
    pub error: RwSignal<Option<String>>,
    /// Attempts made.
    pub attempts: RwSignal<u32>,
    /// Timing once finished.
    pub timing: RwSignal<Option<TaskTiming>>,
    /// Structured output, once finished.
    pub structured: RwSignal<Structured>,
    /// Every attempt, once finished.
    pub attempt_log: RwSignal<Vec<AttemptRecord>>,
    /// Requests the last run made for the task (0 before it finished).
    pub made: RwSignal<usize>,
    /// Each request, when it made more than one (parts, votes).
    pub requests: RwSignal<Vec<SubRequest>>,
    /// How far the votes agree, in words.
    pub agreement: RwSignal<Option<String>>,
    /// For a split task, prompt tokens beyond one request's (estimated).
    pub extra_tokens: RwSignal<Option<u64>>,
    /// Text streamed since the last frame, and whether a frame will show
    /// it: the card re-renders once a frame, not once a chunk, so reading
    /// six streams never waits on drawing them.
    pending: StoredValue<(String, bool), LocalStorage>,
}

impl CardState {
    /// A pending card.
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(TaskStatus::Pending),
            text: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            attempts: RwSignal::new(0),
            timing: RwSignal::new(None),
            structured: RwSignal::new(Structured::NotAsked),
            attempt_log: RwSignal::new(Vec::new()),
            made: RwSignal::new(0),
            requests: RwSignal::new(Vec::new()),
            agreement: RwSignal::new(None),
            extra_tokens: RwSignal::new(None),
            pending: StoredValue::new_local((String::new(), false)),
        }
    }

    /// Appends streamed text, shown at the next animation frame.
    fn stream(&self, delta: &str) {
        let first = self
            .pending
            .try_update_value(|(p, scheduled)| {
                p.push_str(delta);
                !std::mem::replace(scheduled, true)
            })
            .unwrap_or(false);
        if first {
            let card = *self;
            request_animation_frame(move || card.show_pending());
        }
    }

    /// Shows the text streamed since the last frame.
    fn show_pending(&self) {
        let text = self
            .pending
            .try_update_value(|(p, scheduled)| {
                *scheduled = false;
                std::mem::take(p)
            })
            .unwrap_or_default();
        if !text.is_empty() {
            self.text.try_update(|t| t.push_str(&text));
        }
    }

    /// Drops streamed text not shown yet (a restart, or the whole answer
    /// arriving at once).
    fn drop_pending(&self) {
        self.pending.try_update_value(|(p, _)| p.clear());
    }

    /// Back to pending, for a new run.
    pub fn reset(&self) {
        self.drop_pending();
        self.status.set(TaskStatus::Pending);
        self.text.set(String::new());
        self.error.set(None);
        self.attempts.set(0);
        self.timing.set(None);
        self.structured.set(Structured::NotAsked);
        self.attempt_log.set(Vec::new());
        self.made.set(0);
        self.requests.set(Vec::new());
        self.agreement.set(None);
        self.extra_tokens.set(None);
    }

    /// Shows one event of the task's request.
    pub fn apply(&self, event: TaskEvent) {
        match event {
            TaskEvent::Sent { .. } => self.status.set(TaskStatus::Running),
            TaskEvent::Attempt {
                number, restart, ..
            } => {
                self.attempts.set(number);
                if restart {
                    self.drop_pending();
                    self.text.set(String::new());
                }
            }
            TaskEvent::Text { delta, .. } => self.stream(&delta),
            TaskEvent::Waiting { .. } => {}
            TaskEvent::Finished(r) => {
                self.drop_pending();
                // Only what changed is set: an unchanged value would still
                // redraw what reads it, and six tasks end within a few ms.
                changed(self.text, r.output.text);
                changed(self.attempt_log, r.output.attempts);
                changed(
                    self.error,
                    r.output
                        .error
                        .filter(|e| *e != ApiError::Aborted)
                        .map(|e| e.to_string()),
                );
                self.timing.set(Some(r.timing));
                changed(self.made, r.requests.len().max(1));
                changed(self.agreement, r.agreement.as_ref().map(|a| a.describe()));
                changed(self.extra_tokens, r.extra_prompt_tokens);
                changed(self.requests, r.requests);
                changed(self.structured, r.structured);
                self.status.set(r.status);
            }
        }
    }
}

/// Sets `signal` to `value` unless it holds it already.
fn changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

impl Default for CardState {
    fn default() -> Self {
        Self::new()
    }
}

/// One task's card.
#[component]
pub fn TaskCard(
    /// Task id (for the test hooks).
    id: String,
    /// Task name, kept current when the task is edited.
    label: Signal<String>,
    /// The card's live state.
    card: CardState,
    /// Selected task ids (unselected cards are dimmed).
    selected: RwSignal<Vec<String>>,
    /// The last run was answered by the demo provider.
    simulated: Signal<bool>,
) -> impl IntoView {
    let id_sel = id.clone();
    let id_badge = id.clone();
    let CardState {
        status,
        text,
        error,
        attempts,
        timing,
        structured,
        attempt_log,
        made,
        requests,
        agreement,
        extra_tokens,
        ..
    } = card;
    let fields = move || match structured.get() {
        Structured::Parsed(f) => Some(f),
        _ => None,
    };
    let note = move || match structured.get() {
        Structured::Refused => {
            Some("This server refused structured output; the answer is plain text.")
        }
        Structured::Unreadable => Some("The answer was not the JSON asked for; shown as text."),
        _ => None,
    };
    view! {
        <article
            class="card"
            class:unselected=move || !selected.with(|s| s.contains(&id_sel))
            data-testid=format!("task-{id}")
            data-status=move || status.get().name()
            data-requests=move || made.get().to_string()
        >
            <header>
                <h3>{move || label.get()}</h3>
                <span class="badges">
                    <Show when=move || simulated.get() && status.get() != TaskStatus::Pending>
                        <span class="badge simulated" data-testid=format!("task-{}-simulated", id_badge)>"simulated"</span>
                    </Show>
                    <span class=move || format!("badge {}", status.get().name())>{move || status.get().name()}</span>
                </span>
            </header>
            {
                let id = id.clone();
                move || fields().map(|f| view! {
                    <dl class="fields" data-testid=format!("task-{id}-fields")>
                        {f.into_iter().map(|f| view! {
                            <div><dt>{f.name}</dt><dd>{f.value}</dd></div>
                        }).collect_view()}
                    </dl>
                })
            }
            {
                // Parsed fields are the answer; their JSON stays one click away.
                let id = id.clone();
                let answer = move || view! {
                    <pre class="answer" tabindex="0" data-testid=format!("task-{id}-output")>{move || text.get()}</pre>
                };
                // Rebuilt only when fields appear or go, not at every
                // change of the structured state (each task's end sets it).
                let has_fields = Memo::new(move |_| structured.with(|s| matches!(s, Structured::Parsed(_))));
                move || if has_fields.get() {
                    view! { <details class="raw"><summary>"Raw JSON"</summary>{answer()}</details> }.into_any()
                } else {
                    answer().into_any()
                }
            }
            {
                let id = id.clone();
                move || agreement.get().map(|a| view! {
                    <p class="agreement" data-testid=format!("task-{id}-agreement")>{a}</p>
                })
            }
            {
                let id = id.clone();
                move || requests.with(|r| !r.is_empty()).then(|| view! {
                    <details class="requests" data-testid=format!("task-{id}-requests")>
                        <summary>{format!("{} requests{}", requests.with(Vec::len), extra_text(extra_tokens.get()))}</summary>
                        <ol>
                            {requests.get().into_iter().map(|q| view! {
                                <li>
                                    <strong>{q.kind.describe()}</strong>
                                    {format!(" · {}{}", duration_ms(q.end_ms - q.sent_ms), if q.ok { "" } else { " · failed" })}
                                    <pre class="answer">{q.text}</pre>
                                </li>
                            }).collect_view()}
                        </ol>
                    </details>
                })
            }
            {
                let id = id.clone();
                move || note().map(|n| view! { <p class="hint" data-testid=format!("task-{id}-note")>{n}</p> })
            }
            {
                let id = id.clone();
                move || error.get().map(|e| view! {
                    <p class="error" role="alert" data-testid=format!("task-{id}-error")>{e}</p>
                })
            }
            {
                let id = id.clone();
                // The list is worth its space only when something went wrong.
                move || attempt_log.with(|log| (log.len() > 1 || error.with(Option::is_some)) && !log.is_empty()).then(|| view! {
                    <ol class="attempts" data-testid=format!("task-{id}-attempts")>
                        {attempt_log.get().iter().map(|a| view! { <li>{a.describe()}</li> }).collect_view()}
                    </ol>
                })
            }
            <footer class="card-foot">
                <span>"Time: "</span>
                <span
                    data-testid=format!("task-{id}-ms")
                    data-ms=move || timing.with(|t| t.as_ref().map(|t| format!("{}", t.total_ms().round())).unwrap_or_default())
                >
                    {move || timing.with(|t| t.as_ref().map(|t| duration_ms(t.total_ms())).unwrap_or_default())}
                </span>
                <Show when=move || { attempts.get() >= 2 }>
                    <span class="attempt">{move || format!(" · {} attempts", attempts.get())}</span>
                </Show>
                <span class="breakdown" data-testid=format!("task-{id}-breakdown")>
                    {move || timing.with(|t| t.as_ref().map(TaskTiming::breakdown).unwrap_or_default())}
                </span>
            </footer>
        </article>
    }
}
