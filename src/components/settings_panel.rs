//! The full settings panel, opened from the connection bar: provider, key,
//! base URL, model, timeout, retries, prices, the demo's knobs (folded).

use crate::components::browser::forget_everything;
use crate::components::connection_bar::SettingsOpen;
use crate::components::fields::NumberField;
use crate::components::hooks;
use crate::components::lanes::LanesField;
use crate::components::local_servers::LocalServers;
use crate::demo::DemoSettings;
use crate::openai::TokenParam;
use crate::openai::request::{KeyHeader, connect_src_allows, connect_src_of, plain_http_to_remote};
use crate::providers::{PRESETS, preset, preset_for};
use crate::settings::{Provider, SettingsError};
use crate::state::AppState;
use crate::workflow::cost::{edit_price, parse_price, price_for};
use leptos::prelude::*;

/// Settings form. Reads and writes [`AppState`] from context.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let SettingsOpen(open) = expect_context::<SettingsOpen>();
    let settings = state.settings;
    let base_url_error = move || settings.with(|s| s.base_url_error().map(|e| e.to_string()));
    // The servers this copy of the page may call, from its own policy.
    let policy = page_connect_src();
    let csp_refuses = move || {
        let Some((sources, origin)) = &policy else {
            return None;
        };
        settings.with(|s| {
            (s.provider == Provider::Api
                && s.base_url_error().is_none()
                && !connect_src_allows(sources, origin, &s.base_url))
            .then(|| sources.clone())
        })
    };

    view! {
        <section class="panel settings" id="settings" aria-labelledby="settings-title" data-testid=hooks::SETTINGS_PANEL>
            <div class="panel-head">
                <h2 id="settings-title">"Settings"</h2>
                <button type="button" data-testid=hooks::SETTINGS_CLOSE on:click=move |_| open.set(false)>"Close"</button>
            </div>
            <fieldset class="provider">
                <legend>"Provider"</legend>
                {[
                    (Provider::Api, "api", "OpenAI-compatible API"),
                    (Provider::Demo, "demo", "Demo (simulated, no network)"),
                ]
                    .into_iter()
                    .map(|(p, id, label)| view! {
                        <label class="check">
                            <input type="radio" name="provider" data-testid=format!("provider-{id}")
                                prop:checked=move || settings.with(|s| s.provider == p)
                                on:change=move |_| settings.update(|s| s.provider = p) />
                            <span>{label}</span>
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <Show when=move || settings.with(|s| s.provider == Provider::Demo)>
                <DemoSettingsFields />
            </Show>
            <PresetField />
            <LocalServers />
            <label class="field">
                <span>"API key"</span>
                <input
                    type="password"
                    autocomplete="off"
                    spellcheck="false"
                    data-testid=hooks::API_KEY
                    placeholder="sk-… (leave empty for local servers)"
                    prop:value=move || state.api_key.get()
                    on:input=move |ev| {
                        let key = event_target_value(&ev);
                        // Entering a key means the user wants the real API.
                        if !key.trim().is_empty() {
                            settings.update(|s| s.provider = Provider::Api);
                        }
                        state.api_key.set(key);
                    }
                />
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid=hooks::REMEMBER_KEY
                    prop:checked=move || settings.with(|s| s.remember_key)
                    on:change=move |ev| settings.update(|s| s.remember_key = event_target_checked(&ev))
                />
                <span>"Remember the key on this device (localStorage)"</span>
            </label>
            <p class="hint">"The key is sent only to the base URL below, in the key header chosen above."</p>
            <label class="field">
                <span>"Base URL"</span>
                <input
                    type="url"
                    data-testid=hooks::BASE_URL
                    aria-invalid=move || base_url_error().is_some().to_string()
                    prop:value=move || settings.with(|s| s.base_url.clone())
                    on:input=move |ev| settings.update(|s| {
                        s.base_url = event_target_value(&ev);
                        s.provider = Provider::Api;
                    })
                />
            </label>
            <Show when=move || base_url_error().is_some()>
                <p class="field-error" data-testid=hooks::BASE_URL_ERROR role="alert">
                    {move || base_url_error().unwrap_or_default()}
                </p>
            </Show>
            {move || csp_refuses().map(|sources| view! {
                <p class="field-warning" data-testid=hooks::CSP_WARNING role="alert">
                    {format!(
                        "This copy of Fanout may call only the servers its Content-Security-Policy names ({sources}); the browser will refuse this base URL. Build it with FANOUT_CONNECT_SRC naming this server, or serve it with your own policy header (see the README)."
                    )}
                </p>
            })}
            <Show when=move || {
                settings.with(|s| plain_http_to_remote(&s.base_url))
                    && state.api_key.with(|k| !k.trim().is_empty())
            }>
                <div class="field-warning" data-testid=hooks::PLAIN_HTTP_WARNING role="alert">
                    <p>"This base URL is plain http:// to another machine: the API key would cross the network unencrypted, readable by anyone on the way. Use https:// if the server offers it."</p>
                    <label class="check">
                        <input type="checkbox" data-testid=hooks::ALLOW_PLAIN_HTTP
                            prop:checked=move || settings.with(|s| s.allow_plain_http)
                            on:change=move |ev| settings.update(|s| s.allow_plain_http = event_target_checked(&ev)) />
                        <span>"Send the key over plain http anyway"</span>
                    </label>
                </div>
            </Show>
            <LanesField />
            <label class="field">
                <span>"Model"</span>
                <input
                    type="text"
                    list="model-options"
                    data-testid=hooks::MODEL
                    prop:value=move || settings.with(|s| s.model.clone())
                    on:input=move |ev| settings.update(|s| s.model = event_target_value(&ev))
                />
            </label>
            {move || settings.with(|s| s.model_error()).filter(|e| matches!(e, SettingsError::ModelSpaces(_))).map(|e| view! {
                <p class="field-error" data-testid=hooks::MODEL_ERROR role="alert">{e.to_string()}</p>
            })}
            <RequestOptions />
            <PriceFields />
            <ForgetEverything />
        </section>
    }
}

/// How requests go out: timeout, retries, streaming, the token-limit field.
#[component]
fn RequestOptions() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    view! {
        <div class="row">
            <NumberField label="Timeout (s)" testid="timeout" min=1.0 max=600.0
                value=Signal::derive(move || settings.with(|s| s.timeout_secs))
                on_set=Callback::new(move |v| settings.update(|s| s.timeout_secs = v)) />
            <NumberField label="Max retries" testid="max-retries" min=0u32 max=10u32
                value=Signal::derive(move || settings.with(|s| s.max_retries))
                on_set=Callback::new(move |v| settings.update(|s| s.max_retries = v)) />
        </div>
        <label class="check">
            <input
                type="checkbox"
                data-testid=hooks::STREAMING
                prop:checked=move || settings.with(|s| s.stream)
                on:change=move |ev| settings.update(|s| s.stream = event_target_checked(&ev))
            />
            <span>"Stream answers"</span>
        </label>
        <label class="field">
            <span>"Token limit field"</span>
            <select
                data-testid=hooks::TOKEN_PARAM
                on:change=move |ev| {
                    let v = match event_target_value(&ev).as_str() {
                        "max_tokens" => TokenParam::MaxTokens,
                        "max_completion_tokens" => TokenParam::MaxCompletionTokens,
                        _ => TokenParam::Auto,
                    };
                    settings.update(|s| s.token_param = v);
                }
            >
                <option value="auto" selected=move || settings.with(|s| s.token_param == TokenParam::Auto)>
                    "Automatic (by model)"
                </option>
                <option value="max_tokens" selected=move || settings.with(|s| s.token_param == TokenParam::MaxTokens)>
                    "max_tokens"
                </option>
                <option
                    value="max_completion_tokens"
                    selected=move || settings.with(|s| s.token_param == TokenParam::MaxCompletionTokens)
                >
                    "max_completion_tokens"
                </option>
            </select>
        </label>
    }
}

/// The current model's price, for cost estimates.
#[component]
fn PriceFields() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    // Edits the input (or output) price of the current model.
    let (price_error, set_price_error) = signal(None::<String>);
    let edit = move |ev: &leptos::ev::Event, input_side: bool| {
        // A number input reports "" for text it cannot read as a number.
        let typed = event_target_value(ev);
        let v = match parse_price(&typed) {
            Ok(v) => v,
            Err(e) => {
                set_price_error.set(Some(e));
                return;
            }
        };
        set_price_error.set(None);
        {
            settings.update(|s| {
                let model = s.model.clone();
                let (i, o) = if input_side {
                    (Some(v), None)
                } else {
                    (None, Some(v))
                };
                edit_price(&mut s.prices, &model, i, o);
            });
        }
    };
    view! {
        <fieldset class="prices">
            <legend>{move || format!("Price of {} (USD per 1M tokens)", settings.with(|s| s.model.clone()))}</legend>
            <div class="row">
                <label class="field small">
                    <span>"Input"</span>
                    <input
                        type="number"
                        min="0"
                        step="0.01"
                        data-testid=hooks::PRICE_INPUT
                        prop:value=move || settings.with(|s| price_for(&s.prices, &s.model).map(|p| p.input_per_mtok.to_string()).unwrap_or_default())
                        on:change=move |ev| edit(&ev, true)
                    />
                </label>
                <label class="field small">
                    <span>"Output"</span>
                    <input
                        type="number"
                        min="0"
                        step="0.01"
                        data-testid=hooks::PRICE_OUTPUT
                        prop:value=move || settings.with(|s| price_for(&s.prices, &s.model).map(|p| p.output_per_mtok.to_string()).unwrap_or_default())
                        on:change=move |ev| edit(&ev, false)
                    />
                </label>
            </div>
            {move || price_error.get().map(|e| view! {
                <p class="field-error" data-testid=hooks::PRICE_ERROR role="alert">{e}</p>
            })}
            <p class="hint">"List prices when this table was written; edit them to match your plan. Empty means unknown."</p>
        </fieldset>
    }
}

/// The provider presets: picking one fills base URL, key header and model
/// (all stay editable); "Custom" is any other base URL.
#[component]
fn PresetField() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let current =
        move || settings.with(|s| preset_for(&s.base_url).map(|p| p.id).unwrap_or("custom"));
    let note = move || settings.with(|s| preset_for(&s.base_url).map(|p| p.browser_note()));
    view! {
        <label class="field">
            <span>"Provider preset"</span>
            <select
                data-testid=hooks::PROVIDER_PRESET
                prop:value=current
                on:change=move |ev| {
                    if let Some(p) = preset(&event_target_value(&ev)) {
                        settings.update(|s| {
                            s.provider = Provider::Api;
                            s.base_url = p.base_url.to_string();
                            s.model = p.model.to_string();
                            s.key_header = p.key_header;
                        });
                    }
                }
            >
                {PRESETS.iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                <option value="custom">"Custom (any OpenAI-compatible URL)"</option>
            </select>
        </label>
        {move || note().map(|n| view! { <p class="hint" data-testid=hooks::PRESET_NOTE>{n}</p> })}
        <label class="field">
            <span>"Key header"</span>
            <select
                data-testid=hooks::KEY_HEADER
                prop:value=move || settings.with(|s| if s.key_header == KeyHeader::ApiKey { "api-key" } else { "bearer" })
                on:change=move |ev| {
                    let h = if event_target_value(&ev) == "api-key" { KeyHeader::ApiKey } else { KeyHeader::Bearer };
                    settings.update(|s| s.key_header = h);
                }
            >
                <option value="bearer">"Authorization: Bearer (most servers)"</option>
                <option value="api-key">"api-key (Azure OpenAI)"</option>
            </select>
        </label>
    }
}

/// The demo provider's distributions and simulated server limits.
#[component]
fn DemoSettingsFields() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let demo =
        move |f: fn(&DemoSettings) -> f64| Signal::derive(move || settings.with(|s| f(&s.demo)));
    let set = move |f: fn(&mut DemoSettings, f64)| {
        Callback::new(move |v: f64| settings.update(|s| f(&mut s.demo, v)))
    };
    view! {
        <details class="demo-settings" data-testid=hooks::DEMO_SETTINGS>
            <summary data-testid=hooks::DEMO_SETTINGS_OPEN>"Simulated server"</summary>
            <div class="row">
                <NumberField label="First token, median (ms)" testid="demo-ttft" min=0.0 max=60_000.0
                    value=demo(|d| d.ttft_median_ms) on_set=set(|d, v| d.ttft_median_ms = v) />
                <NumberField label="First token spread (σ of log)" testid="demo-ttft-sigma" min=0.0 max=2.0
                    value=demo(|d| d.ttft_sigma) on_set=set(|d, v| d.ttft_sigma = v) />
            </div>
            <div class="row">
                <NumberField label="Tokens per second" testid="demo-rate" min=1.0 max=5_000.0
                    value=demo(|d| d.tokens_per_s) on_set=set(|d, v| d.tokens_per_s = v) />
                <NumberField label="Speed jitter (share)" testid="demo-rate-jitter" min=0.0 max=1.0
                    value=demo(|d| d.rate_jitter) on_set=set(|d, v| d.rate_jitter = v) />
            </div>
            <div class="row">
                <NumberField label="Slows down above (0 = never)" testid="demo-slowdown" min=0u32 max=1000u32
                    value=Signal::derive(move || settings.with(|s| s.demo.slowdown_above))
                    on_set=Callback::new(move |v| settings.update(|s| s.demo.slowdown_above = v)) />
                <NumberField label="Works on at most (0 = no limit)" testid="demo-slots" min=0u32 max=1000u32
                    value=Signal::derive(move || settings.with(|s| s.demo.slots))
                    on_set=Callback::new(move |v| settings.update(|s| s.demo.slots = v)) />
                <NumberField label="Thinks for, tokens (0 = does not think)" testid="demo-thinking" min=0u32 max=10_000u32
                    value=Signal::derive(move || settings.with(|s| s.demo.thinking_tokens))
                    on_set=Callback::new(move |v| settings.update(|s| s.demo.thinking_tokens = v)) />
                <NumberField label="Requests per minute (0 = no limit)" testid="demo-rpm" min=0u32 max=100_000u32
                    value=Signal::derive(move || settings.with(|s| s.demo.rpm_limit))
                    on_set=Callback::new(move |v| settings.update(|s| s.demo.rpm_limit = v)) />
                <NumberField label="Seed" testid="demo-seed" min=0u64 max=u64::MAX
                    value=Signal::derive(move || settings.with(|s| s.demo.seed))
                    on_set=Callback::new(move |v| settings.update(|s| s.demo.seed = v)) />
            </div>
            <p class="hint">"Same seed, same timings. Answers are prepared for the bundled samples and generic otherwise."</p>
        </details>
    }
}

/// The page's `connect-src` sources and its origin, if it has a policy.
pub(super) fn page_connect_src() -> Option<(String, String)> {
    let window = web_sys::window()?;
    let meta = window
        .document()?
        .query_selector("meta[http-equiv='Content-Security-Policy']")
        .ok()??;
    let policy = meta.get_attribute("content")?;
    let sources = connect_src_of(&policy)?.to_string();
    Some((sources, window.location().origin().ok()?))
}

/// "Forget everything on this device", with a confirmation step.
#[component]
fn ForgetEverything() -> impl IntoView {
    let (asking, set_asking) = signal(false);
    let (failed, set_failed) = signal(None::<String>);
    view! {
        <div class="forget">
            <Show
                when=move || asking.get()
                fallback=move || view! {
                    <button type="button" data-testid=hooks::FORGET on:click=move |_| set_asking.set(true)>
                        "Forget everything on this device…"
                    </button>
                }
            >
                <p role="alert" data-testid=hooks::FORGET_EXPLAINED>
                    "This removes the API key, the settings, your edited and added tasks, the measured durations and the saved batch from this browser, then reloads the page."
                </p>
                <button type="button" data-testid=hooks::FORGET_CONFIRM on:click=move |_| {
                    if let Err(e) = forget_everything() {
                        set_failed.set(Some(e));
                    }
                }>"Forget everything"</button>
                <button type="button" data-testid=hooks::FORGET_CANCEL on:click=move |_| set_asking.set(false)>"Keep it"</button>
            </Show>
            {move || failed.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
    }
}
