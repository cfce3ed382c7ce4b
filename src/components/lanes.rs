//! The connection's lanes in the settings: more base URLs for the same
//! server, listed by hand or found ("Find lanes" probes this machine's
//! loopback names for a server on it), and what they lift the browser's
//! cap to.

use leptos::prelude::*;

use crate::components::hooks;
use crate::components::job::{UseJobOptions, use_job};
use crate::components::settings_panel::page_connect_src;
use crate::openai::http1::{HTTP1_PER_ORIGIN, http1};
use crate::openai::lanes::{detect, found_note, loopback_candidates};
use crate::openai::request::{connect_src_allows, host_of};
use crate::settings::Provider;
use crate::state::AppState;

/// The lanes field, its count and "Find lanes".
#[component]
pub fn LanesField() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    let job = use_job(UseJobOptions::default());
    let (note, set_note) = signal(None::<String>);
    let count = move || settings.with(|s| s.lane_count());
    let error = move || settings.with(|s| s.lane_bases().err().map(|e| e.to_string()));
    let plain = move || settings.with(|s| http1(&s.base_url, None).is_some());
    let loopback = move || settings.with(|s| !loopback_candidates(&s.base_url).is_empty());

    let find = move |_| {
        set_note.set(None);
        let s = settings.get_untracked();
        let cfg = match s.client_config(&state.api_key.get_untracked()) {
            Ok(c) => c,
            Err(e) => {
                set_note.set(Some(e.to_string()));
                return;
            }
        };
        // Only names this copy of the page may call (its own policy).
        let policy = page_connect_src();
        let candidates: Vec<String> = loopback_candidates(&cfg.base_url)
            .into_iter()
            .filter(|c| {
                policy
                    .as_ref()
                    .is_none_or(|(sources, origin)| connect_src_allows(sources, origin, c))
            })
            .collect();
        job.start(move |signal| {
            Ok(async move {
                let found = detect(&cfg, &candidates, &signal).await;
                let msg = match found {
                    Ok(found) => {
                        let lanes = found.len() + 1;
                        let names: Vec<&str> = std::iter::once(cfg.base_url.as_str())
                            .chain(found.iter().map(String::as_str))
                            .map(host_of)
                            .collect();
                        let _ = settings.try_update(|s| s.set_lanes(found.clone()));
                        found_note(lanes, &names, host_of(&cfg.base_url))
                    }
                    Err(e) => format!("The base URL did not list its models, so no lane could be checked against it: {e}"),
                };
                let _ = set_note.try_set(Some(msg));
            })
        });
    };

    view! {
        <Show when=move || settings.with(|s| s.provider == Provider::Api)>
            <fieldset class="lanes">
                <legend data-testid=hooks::LANES data-count=move || count().to_string()>
                    {move || match count() {
                        1 => "Lanes: 1 (this base URL only)".to_string(),
                        n => format!("Lanes: {n} origins for this server"),
                    }}
                </legend>
                <p class="hint">{move || if plain() {
                    format!(
                        "Over plain http:// a browser opens at most {HTTP1_PER_ORIGIN} connections per server name, so requests beyond {} wait in the browser. The same server under more names (lanes) takes {HTTP1_PER_ORIGIN} more each; requests spread so that no name carries more than {HTTP1_PER_ORIGIN}. The key goes to these names only.",
                        HTTP1_PER_ORIGIN * count(),
                    )
                } else {
                    "An https:// server is reached over HTTP/2, one connection for every request: it needs no lanes.".to_string()
                }}</p>
                <label class="field">
                    <span>"More base URLs for the same server (one per line)"</span>
                    <textarea rows="3" spellcheck="false" data-testid=hooks::LANES_LIST
                        prop:value=move || settings.with(|s| s.current_lanes().join("\n"))
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            settings.update(|s| {
                                s.set_lanes(v.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect());
                            });
                        }
                    ></textarea>
                </label>
                {move || error().map(|e| view! { <p class="field-error" role="alert" data-testid=hooks::LANES_ERROR>{e}</p> })}
                <button type="button" data-testid=hooks::LANES_DETECT
                    disabled=move || job.running.get() || !loopback()
                    title="Probes localhost and 127.0.0.1 to 127.0.0.8 at this port (and [::1] where the page's policy admits it) for the same model list"
                    on:click=find>
                    {move || if job.running.get() { "Finding lanes…" } else { "Find lanes on this machine" }}
                </button>
                {move || note.get().map(|n| view! { <p class="hint" role="status" data-testid=hooks::LANES_NOTE>{n}</p> })}
            </fieldset>
        </Show>
    }
}
