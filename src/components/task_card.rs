//! One task's card: status, the answer as it streams, structured fields,
//! the error, and the time breakdown of its request.

use leptos::prelude::*;
use reactive_stores::{KeyMap, Patch, PatchField, Store, StorePath};

use crate::components::browser::FrameQueue;
use crate::format::duration_ms;
use crate::history::export::html::extra_tokens as extra_text;
use crate::openai::{ApiError, AttemptRecord};
use crate::workflow::engine::{Structured, SubRequest, TaskEvent, TaskStatus};
use crate::workflow::metrics::TaskTiming;

/// What a card shows of its task's last request, as one store: each field
/// is read on its own, and a patch notifies only the fields that changed.
#[derive(Debug, Clone, PartialEq, Store, Patch)]
pub struct Card {
    /// Pending, running, done, error or cancelled.
    pub status: TaskStatus,
    /// The answer so far.
    pub text: String,
    /// The thinking so far (a reasoning model's), apart from the answer.
    pub reasoning: String,
    /// A readable error, if it failed.
    pub error: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Timing once finished.
    pub timing: Option<TaskTiming>,
    /// Structured output, once finished.
    pub structured: Structured,
    /// Every attempt, once finished.
    pub attempt_log: Vec<AttemptRecord>,
    /// Requests the last run made for the task (0 before it finished).
    pub made: usize,
    /// Each request, when it made more than one (parts, votes).
    pub requests: Vec<SubRequest>,
    /// How far the votes agree, in words.
    pub agreement: Option<String>,
    /// For a split task, prompt tokens beyond one request's (estimated).
    pub extra_tokens: Option<u64>,
}

impl Default for Card {
    /// A pending card.
    fn default() -> Self {
        Self {
            status: TaskStatus::Pending,
            text: String::new(),
            reasoning: String::new(),
            error: None,
            attempts: 0,
            timing: None,
            structured: Structured::NotAsked,
            attempt_log: Vec::new(),
            made: 0,
            requests: Vec::new(),
            agreement: None,
            extra_tokens: None,
        }
    }
}

/// The engine's values a card holds are patched whole: replaced, and their
/// field notified, when they differ.
macro_rules! patch_whole {
    ($($ty:ty),*) => {$(
        impl PatchField for $ty {
            fn patch_field(
                &mut self,
                new: Self,
                path: &StorePath,
                notify: &mut dyn FnMut(&StorePath),
                _keys: Option<&KeyMap>,
            ) {
                if *self != new {
                    *self = new;
                    notify(path);
                }
            }
        }
    )*};
}

patch_whole!(
    TaskStatus,
    TaskTiming,
    Structured,
    AttemptRecord,
    SubRequest
);

/// Live state of one task's card: its store and the text streamed since
/// the last frame (`Copy`: both are handles).
#[derive(Clone, Copy)]
pub struct CardState {
    /// What the card shows.
    pub card: Store<Card>,
    /// Text streamed since the last frame: the card re-renders once a
    /// frame, not once a chunk, so reading six streams never waits on
    /// drawing them.
    pending: FrameQueue<(bool, String)>,
}

impl CardState {
    /// A pending card.
    pub fn new() -> Self {
        Self {
            card: Store::new(Card::default()),
            pending: FrameQueue::new(),
        }
    }

    /// Appends streamed text (thinking when `thinking`), shown at the next
    /// animation frame.
    fn stream(&self, delta: &str, thinking: bool) {
        let (text, reasoning) = (self.card.text(), self.card.reasoning());
        self.pending
            .push((thinking, delta.to_string()), move |parts| {
                for (thinking, p) in parts {
                    let field = if thinking { reasoning } else { text };
                    field.try_update(|t| t.push_str(&p));
                }
            });
    }

    /// Drops streamed text not shown yet (a restart, or the whole answer
    /// arriving at once).
    fn drop_pending(&self) {
        self.pending.clear();
    }

    /// Back to pending, for a new run.
    pub fn reset(&self) {
        self.drop_pending();
        self.card.patch(Card::default());
    }

    /// Shows one event of the task's request.
    pub fn apply(&self, event: TaskEvent) {
        let card = self.card;
        match event {
            TaskEvent::Sent { .. } => card.status().set(TaskStatus::Running),
            TaskEvent::Attempt {
                number, restart, ..
            } => {
                card.attempts().set(number);
                if restart {
                    self.drop_pending();
                    card.text().set(String::new());
                    card.reasoning().set(String::new());
                }
            }
            TaskEvent::Text { delta, .. } => self.stream(&delta, false),
            TaskEvent::Reasoning { delta, .. } => self.stream(&delta, true),
            TaskEvent::Waiting { .. } => {}
            TaskEvent::Finished(r) => {
                self.drop_pending();
                // A patch sets only what changed: an unchanged value would
                // still redraw what reads it, and six tasks end within a few
                // ms.
                card.patch(Card {
                    status: r.status,
                    text: r.output.text,
                    reasoning: r.output.reasoning,
                    error: r
                        .output
                        .error
                        .filter(|e| *e != ApiError::Aborted)
                        .map(|e| e.to_string()),
                    attempts: card.attempts().get_untracked(),
                    timing: Some(r.timing),
                    structured: r.structured,
                    attempt_log: r.output.attempts,
                    made: r.requests.len().max(1),
                    requests: r.requests,
                    agreement: r.agreement.as_ref().map(|a| a.describe()),
                    extra_tokens: r.extra_prompt_tokens,
                });
            }
        }
    }
}

impl Default for CardState {
    fn default() -> Self {
        Self::new()
    }
}

/// A figure of a finished task's timing, rounded, as a test hook reads it
/// (empty until the task is done or when unknown).
fn figure(timing: Option<&TaskTiming>, of: impl Fn(&TaskTiming) -> Option<f64>) -> String {
    timing
        .and_then(of)
        .map_or(String::new(), |v| format!("{}", v.round()))
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
    let card = card.card;
    let (status, text, error, attempts, timing) = (
        card.status(),
        card.text(),
        card.error(),
        card.attempts(),
        card.timing(),
    );
    let (structured, attempt_log, made, requests, agreement, extra_tokens) = (
        card.structured(),
        card.attempt_log(),
        card.made(),
        card.requests(),
        card.agreement(),
        card.extra_tokens(),
    );
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
            data-ttft-ms=move || timing.with(|t| figure(t.as_ref(), |t| t.ttft_any_ms()))
            data-first-answer-ms=move || timing.with(|t| figure(t.as_ref(), |t| t.ttft_ms()))
            data-reasoning-tokens=move || timing.with(|t| figure(t.as_ref(), |t| Some(t.reasoning_tokens.unwrap_or(0) as f64)))
            data-answer-tokens=move || timing.with(|t| figure(t.as_ref(), |t| t.answer_tokens().map(|n| n as f64)))
            data-answer-tps=move || timing.with(|t| figure(t.as_ref(), |t| t.tokens_per_s()))
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
                // A reasoning model's thinking, apart from the answer: open
                // while the task runs, folded once it is done.
                let id = id.clone();
                let reasoning = card.reasoning();
                let thought = Memo::new(move |_| reasoning.with(|r| !r.is_empty()));
                move || thought.get().then(|| {
                    let id = id.clone();
                    view! {
                        <details class="thinking" prop:open=move || status.get() == TaskStatus::Running>
                            <summary>"Thinking"</summary>
                            <pre class="answer" tabindex="0" data-testid=format!("task-{id}-reasoning")>{move || reasoning.get()}</pre>
                        </details>
                    }
                })
            }
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
