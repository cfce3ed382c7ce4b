//! "Find local servers": probes this machine's usual model-server ports in
//! parallel and lists what answers, with a one-click "Use".

use std::time::Duration;

use futures::future::join_all;
use leptos::prelude::*;

use crate::components::hooks;
use crate::components::job::{UseJobOptions, use_job};
use crate::openai::request::KeyHeader;
use crate::openai::{ApiError, ClientConfig, RetryPolicy, answers_at_all, list_models};
use crate::providers::{LOCAL_PORTS, Probe, local_base_url};
use crate::settings::Provider;
use crate::state::AppState;

/// How long one port may take to answer: a local server answers in
/// milliseconds, and nothing listening is refused at once.
const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// Probes one port: the model list first, then, if that failed without an
/// answer, whether anything answers at all (to tell CORS from nobody).
async fn probe(port: u16, user: &web_sys::AbortSignal) -> Probe {
    let cfg = ClientConfig {
        base_url: local_base_url(port),
        api_key: String::new(),
        key_header: KeyHeader::Bearer,
        timeout: PROBE_TIMEOUT,
        retry: RetryPolicy::default(),
        lanes: Vec::new(),
    };
    match list_models(&cfg, user).await {
        Ok(models) => Probe::Found(models.into_iter().map(|m| m.id).collect()),
        Err(ApiError::Http { status, .. }) => Probe::NotOpenAi(format!("HTTP {status}")),
        Err(ApiError::Malformed(_)) => Probe::NotOpenAi("not a model list".into()),
        Err(_) => {
            if answers_at_all(&format!("{}/models", cfg.base_url), PROBE_TIMEOUT, user).await {
                Probe::NoCors
            } else {
                Probe::Nothing
            }
        }
    }
}

/// The button and what it found.
#[component]
pub fn LocalServers() -> impl IntoView {
    let state = expect_context::<AppState>();
    let job = use_job(UseJobOptions::default());
    let (results, set_results) = signal(None::<Vec<(u16, &'static str, Probe)>>);
    let busy = job.running;
    // On this machine there is no Local Network Access prompt to blame.
    let page_is_local = web_sys::window()
        .and_then(|w| w.location().hostname().ok())
        .is_some_and(|h| h == "127.0.0.1" || h == "localhost");
    let detect = move |_| {
        job.start(|signal| {
            Ok(async move {
                let found = join_all(LOCAL_PORTS.iter().map(|(port, usual)| {
                    let signal = signal.clone();
                    async move { (*port, *usual, probe(*port, &signal).await) }
                }))
                .await;
                let _ = set_results.try_set(Some(found));
            })
        });
    };
    let use_server = move |port: u16, model: Option<String>| {
        state.settings.update(|s| {
            s.provider = Provider::Api;
            s.base_url = local_base_url(port);
            s.key_header = KeyHeader::Bearer;
            if let Some(m) = model {
                s.model = m;
            }
        });
    };
    view! {
        <div class="local-servers">
            <button type="button" data-testid=hooks::DETECT_LOCAL disabled=busy on:click=detect>
                {move || if busy.get() { "Looking…" } else { "Find local servers" }}
            </button>
            {move || results.get().map(|list| {
                let any = list.iter().any(|r| matches!(r.2, Probe::Found(_)));
                view! {
                    <ul class="local-list" data-testid=hooks::LOCAL_RESULTS>
                        {list.into_iter().map(|(port, usual, probe)| {
                            let line = probe.describe(port, usual, page_is_local);
                            match probe {
                                Probe::Found(models) => {
                                    let first = models.first().cloned();
                                    view! {
                                        <li data-testid=hooks::LOCAL_SERVER data-base-url=local_base_url(port)>
                                            <span>{line}</span>" "
                                            <span class="muted">{models.join(", ")}</span>" "
                                            <button type="button" class="link" data-testid=hooks::LOCAL_SERVER_USE
                                                on:click=move |_| use_server(port, first.clone())>"Use"</button>
                                        </li>
                                    }.into_any()
                                }
                                _ => view! { <li class="muted" data-testid=hooks::LOCAL_MISS data-port=port>{line}</li> }.into_any(),
                            }
                        }).collect_view()}
                    </ul>
                    {(!any).then(|| view! { <p class="hint">"No local server found. Start one (see the README), then look again."</p> })}
                }
            })}
        </div>
    }
}
