//! A plain prompt box that streams one answer and shows its timings,
//! attempts and usage.

use leptos::prelude::*;

use crate::components::fields::NumberField;
use crate::components::hooks;
use crate::components::job::{UseJobOptions, begin, use_job};
use crate::format::duration_ms;
use crate::openai::{
    ApiError, ChatMessage, ChatOutput, Progress, RequestOptions, build_chat_request,
};
use crate::state::AppState;
use crate::workflow::tasks::MAX_TASK_TOKENS;

/// Where the current request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Idle,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "error",
            Status::Cancelled => "cancelled",
        }
    }
}

/// Prompt, Send/Cancel, and the streamed answer with its figures.
#[component]
pub fn PromptPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let (prompt, set_prompt) = signal(String::from(
        "Explain in two sentences why parallel requests finish sooner.",
    ));
    let (max_tokens, set_max_tokens) = signal(300u32);
    let (status, set_status) = signal(Status::Idle);
    let answer = RwSignal::new(String::new());
    let waiting = RwSignal::new(None::<String>);
    let attempt = RwSignal::new(0u32);
    let output = RwSignal::new(None::<ChatOutput>);
    let job = use_job(UseJobOptions::default());

    let send = move || {
        let text = prompt.get_untracked();
        let started = job.start(|signal| {
            let (settings, transport) = begin(&state, signal)?;
            if text.trim().is_empty() {
                return Err("Type a prompt first.".into());
            }
            let req = build_chat_request(
                settings.model.trim(),
                vec![ChatMessage::user(text)],
                &RequestOptions {
                    max_tokens: Some(max_tokens.get_untracked()),
                    stream: settings.stream,
                    token_param: settings.token_param,
                    ..RequestOptions::default()
                },
            );
            Ok(async move {
                let out = transport
                    .chat(&req, &mut |p| match p {
                        Progress::Attempt(n) => {
                            attempt.set(n);
                            waiting.set(None);
                            if n > 1 {
                                answer.set(String::new());
                            }
                        }
                        Progress::Headers => {}
                        Progress::Text(delta) => answer.update(|a| a.push_str(&delta)),
                        // The prompt box shows the answer; thinking stays out of it.
                        Progress::Reasoning(_) => {}
                        Progress::Waiting {
                            attempt,
                            wait,
                            error,
                        } => waiting.set(Some(format!(
                            "Attempt {attempt} failed ({}); retrying in {}.",
                            error.short(),
                            duration_ms(wait.as_secs_f64() * 1000.0)
                        ))),
                    })
                    .await;
                answer.set(out.text.clone());
                waiting.set(None);
                set_status.set(match &out.error {
                    None => Status::Done,
                    Some(ApiError::Aborted) => Status::Cancelled,
                    Some(_) => Status::Failed,
                });
                output.set(Some(out));
            })
        });
        if started {
            answer.set(String::new());
            output.set(None);
            waiting.set(None);
            set_status.set(Status::Running);
        }
    };

    let cancel = move |_| job.cancel();
    // Why it could not start, next to the form.
    let form_error = job.error;

    let running = move || status.get() == Status::Running;

    view! {
        <section class="panel prompt" aria-labelledby="prompt-title">
            <h2 id="prompt-title">"Prompt"</h2>
            <form on:submit=move |ev| {
                ev.prevent_default();
                send();
            }>
                <label class="field">
                    <span>"Message"</span>
                    <textarea
                        rows="4"
                        data-testid=hooks::PROMPT_INPUT
                        prop:value=move || prompt.get()
                        on:input=move |ev| set_prompt.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <div class="row">
                    <NumberField label="Token limit" testid="max-tokens" min=1u32 max=MAX_TASK_TOKENS
                        value=max_tokens on_set=Callback::new(move |v| set_max_tokens.set(v)) />
                    <button type="submit" class="primary" data-testid=hooks::SEND disabled=running>
                        "Send"
                    </button>
                    <button type="button" data-testid=hooks::PROMPT_CANCEL disabled=move || !running() on:click=cancel>
                        "Cancel"
                    </button>
                </div>
                <Show when=move || form_error.get().is_some()>
                    <p class="field-error" role="alert" data-testid=hooks::FORM_ERROR>
                        {move || form_error.get().unwrap_or_default()}
                    </p>
                </Show>
            </form>
            <div class="result" aria-live="polite">
                <p class="status">
                    "Status: "
                    <span data-testid=hooks::STATUS class=move || format!("badge {}", status.get().label())>
                        {move || status.get().label()}
                    </span>
                    <Show when=move || { running() && attempt.get() >= 2 }>
                        <span class="attempt">{move || format!(" (attempt {})", attempt.get())}</span>
                    </Show>
                </p>
                <Show when=move || waiting.get().is_some()>
                    <p class="waiting" data-testid=hooks::RETRY_WAIT>{move || waiting.get().unwrap_or_default()}</p>
                </Show>
                <pre class="answer" tabindex="0" data-testid=hooks::ANSWER>{move || answer.get()}</pre>
                {move || output.get().map(|out| view! { <OutputDetails out=out /> })}
            </div>
        </section>
    }
}

/// Error, timings, usage and attempts of a finished request.
#[component]
fn OutputDetails(
    /// The finished request.
    out: ChatOutput,
) -> impl IntoView {
    let t = out.timing;
    let error = out
        .error
        .clone()
        .filter(|e| *e != ApiError::Aborted)
        .map(|e| e.to_string());
    let usage = match out.usage {
        Some(u) => format!(
            "{} prompt + {} completion = {} tokens",
            u.prompt_tokens, u.completion_tokens, u.total_tokens
        ),
        None => "unknown (the server sent no usage)".into(),
    };
    let attempts = out.attempts.clone();
    view! {
        {error.map(|e| view! { <p class="error" role="alert" data-testid=hooks::ERROR_MESSAGE>{e}</p> })}
        <dl class="timings" data-testid=hooks::TIMINGS>
            <dt>"Total"</dt>
            <dd data-testid=hooks::TOTAL_MS>{duration_ms(t.total_ms())}</dd>
            <dt>"Response headers"</dt>
            <dd>{t.headers_ms.map_or("–".into(), |h| duration_ms(h - t.sent_ms))}</dd>
            <dt>"First token"</dt>
            <dd data-testid=hooks::TTFT_MS>{t.ttft_ms().map_or("– (not streamed)".into(), duration_ms)}</dd>
            <dt>"Usage"</dt>
            <dd data-testid=hooks::USAGE>{usage}</dd>
        </dl>
        <ol class="attempts" data-testid=hooks::ATTEMPTS>
            {attempts
                .into_iter()
                .map(|a| view! { <li data-testid=hooks::ATTEMPT>{a.describe()}</li> })
                .collect_view()}
        </ol>
    }
}
