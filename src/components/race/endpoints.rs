//! The endpoints of a race: endpoint 1 summarized, 2–4 edited here, from
//! one table of fields.

use leptos::prelude::*;

use crate::components::hooks;
use crate::providers::{PRESETS, preset, preset_for};
use crate::race::origins::shared_origin_notes;
use crate::settings::Provider;
use crate::settings::{Endpoint, MAX_ENDPOINTS};
use crate::state::AppState;

/// The endpoints of a race: endpoint 1 summarized (it is the connection),
/// 2–4 editable, the button that adds one, and where endpoints share the
/// browser's connections to one origin.
#[component]
pub fn EndpointList(
    /// Tasks ticked (how many requests an endpoint with K = 0 sends at once).
    tasks: Signal<usize>,
    /// The concurrency field's K, endpoint 1's.
    limit: Signal<usize>,
    /// Shown in full (race mode); otherwise only the add button.
    open: Signal<bool>,
    /// Called when an endpoint is added (the view switches to race mode).
    on_add: Callback<()>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    let count = move || settings.with(|s| s.endpoints.len());
    let add = move |_: leptos::ev::MouseEvent| {
        settings.update(|s| {
            if s.endpoints.len() + 1 < MAX_ENDPOINTS {
                let n = s.endpoints.len() + 2;
                let e = Endpoint::added(n, s);
                s.endpoints.push(e);
            }
        });
        on_add.run(());
    };
    let full = move || count() + 1 >= MAX_ENDPOINTS;
    let indices = move || (0..count()).collect::<Vec<usize>>();
    let main_summary = move || {
        settings.with(|s| {
            let server = match s.provider {
                Provider::Demo => "Demo (simulated)".to_string(),
                Provider::Api => preset_for(&s.base_url)
                    .map(|p| p.name.to_string())
                    .unwrap_or_else(|| s.server_host()),
            };
            let k = match limit.get() {
                0 => "all at once".to_string(),
                k => format!("K = {k}"),
            };
            format!(
                "1: {server} · {} · {k} (the connection above)",
                s.model.trim()
            )
        })
    };
    let notes = move || {
        settings.with(|s| {
            let mut all = vec![(1, s.clone(), limit.get())];
            for (i, e) in s.endpoints.iter().enumerate() {
                if let Ok(es) = e.settings(s) {
                    all.push((i + 2, es, e.limit));
                }
            }
            let refs: Vec<(usize, &crate::settings::Settings, usize)> =
                all.iter().map(|(n, s, k)| (*n, s, *k)).collect();
            shared_origin_notes(&refs, tasks.get())
        })
    };
    view! {
        <div class="endpoints" data-testid=hooks::ENDPOINTS>
            <Show when=move || open.get()>
                <p class="hint" data-testid=hooks::ENDPOINT_1>{main_summary}</p>
                <For
                    each=indices
                    key=|i| *i
                    children=move |i| view! { <EndpointRow index=i /> }
                />
                {move || notes().into_iter().map(|n| view! { <p class="hint" data-testid=hooks::ENDPOINT_ORIGIN_NOTE>{n}</p> }).collect_view()}
            </Show>
            <button type="button" data-testid=hooks::ENDPOINT_ADD
                disabled=full
                on:click=add>
                {move || if count() == 0 { "Add an endpoint to race" } else { "Add an endpoint" }}
            </button>
        </div>
    }
}

/// One editable field of an endpoint. The fields are data and one function
/// draws them all: eight hand-written inputs made the page's wasm
/// noticeably bigger, each closure being its own view type.
struct Field {
    /// Test hook suffix: `endpoint-<n>-<id>`.
    id: &'static str,
    /// Visible label.
    label: &'static str,
    /// CSS class of the label (its width).
    class: &'static str,
    /// Input type.
    kind: &'static str,
    /// Only for simulated endpoints.
    demo_only: bool,
    /// The value shown.
    get: fn(&Endpoint) -> String,
    /// Applies typed text; false when it changes nothing (a number not yet
    /// whole, such as "0."), so the input keeps what is being typed.
    set: fn(&mut Endpoint, &str) -> bool,
}

/// A number of at least 0, if `text` is one written as it reads back.
fn non_negative(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0 && v.to_string() == text.trim())
}

/// Sets `slot` to `v`; whether it changed.
fn put<T: PartialEq>(slot: &mut T, v: T) -> bool {
    let changed = *slot != v;
    *slot = v;
    changed
}

const FIELDS: [Field; 10] = [
    Field {
        id: "name",
        label: "Name",
        class: "field small",
        kind: "text",
        demo_only: false,
        get: |e| e.name.clone(),
        set: |e, v| put(&mut e.name, v.to_string()),
    },
    Field {
        id: "base-url",
        label: "Base URL",
        class: "field",
        kind: "url",
        demo_only: false,
        get: |e| e.base_url.clone(),
        // Typing a URL means a real server.
        set: |e, v| put(&mut e.base_url, v.to_string()) | put(&mut e.provider, Provider::Api),
    },
    Field {
        id: "model",
        label: "Model",
        class: "field small",
        kind: "text",
        demo_only: false,
        get: |e| e.model.clone(),
        set: |e, v| put(&mut e.model, v.to_string()),
    },
    Field {
        id: "k",
        label: "K (0 = all)",
        class: "field tiny",
        kind: "number",
        demo_only: false,
        get: |e| e.limit.to_string(),
        set: |e, v| non_negative(v).is_some_and(|v| put(&mut e.limit, (v as usize).min(64))),
    },
    Field {
        id: "rpm",
        label: "RPM (0 = none)",
        class: "field tiny",
        kind: "number",
        demo_only: false,
        get: |e| e.rpm.to_string(),
        set: |e, v| non_negative(v).is_some_and(|v| put(&mut e.rpm, v as u32)),
    },
    Field {
        id: "tpm",
        label: "TPM (0 = none)",
        class: "field tiny",
        kind: "number",
        demo_only: false,
        get: |e| e.tpm.to_string(),
        set: |e, v| non_negative(v).is_some_and(|v| put(&mut e.tpm, v as u32)),
    },
    Field {
        id: "lanes",
        label: "Lanes (more base URLs of this server)",
        class: "field",
        kind: "text",
        demo_only: false,
        // Lanes listed for another base URL no longer apply: not shown.
        get: |e| {
            let base = crate::openai::request::normalize_base_url(&e.base_url);
            if base.map_or(true, |b| b == e.lanes_base) {
                e.lanes.join(" ")
            } else {
                String::new()
            }
        },
        set: |e, v| {
            let lanes: Vec<String> = v.split_whitespace().map(String::from).collect();
            let changed = lanes != e.lanes;
            e.set_lanes(lanes);
            changed
        },
    },
    Field {
        id: "price-in",
        label: "$ / M in",
        class: "field tiny",
        kind: "number",
        demo_only: false,
        get: |e| e.price_in.to_string(),
        set: |e, v| non_negative(v).is_some_and(|v| put(&mut e.price_in, v)),
    },
    Field {
        id: "price-out",
        label: "$ / M out",
        class: "field tiny",
        kind: "number",
        demo_only: false,
        get: |e| e.price_out.to_string(),
        set: |e, v| non_negative(v).is_some_and(|v| put(&mut e.price_out, v)),
    },
    Field {
        id: "speed",
        label: "Speed ×",
        class: "field tiny",
        kind: "number",
        demo_only: true,
        get: |e| e.demo_speed.to_string(),
        set: |e, v| {
            non_negative(v)
                .filter(|v| *v > 0.0)
                .is_some_and(|v| put(&mut e.demo_speed, v))
        },
    },
];

/// One field of endpoint `index` (0 = endpoint 2).
fn field_input(index: usize, f: &'static Field) -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let endpoint = move |read: &dyn Fn(&Endpoint) -> String| {
        settings.with(|s| s.endpoints.get(index).map(read).unwrap_or_default())
    };
    let hidden = move || {
        f.demo_only
            && !settings.with(|s| {
                s.endpoints
                    .get(index)
                    .is_some_and(|e| e.provider == Provider::Demo)
            })
    };
    view! {
        <label class=f.class hidden=hidden>
            <span>{f.label}</span>
            <input type=f.kind data-testid=format!("endpoint-{}-{}", index + 2, f.id)
                prop:value=move || endpoint(&|e| (f.get)(e))
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    settings.maybe_update(|s| {
                        s.endpoints.get_mut(index).is_some_and(|e| (f.set)(e, &v))
                    });
                } />
        </label>
    }
}

/// One added endpoint's fields; `index` 0 is endpoint 2.
#[component]
fn EndpointRow(
    /// Its place in the settings' list.
    index: usize,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    let n = index + 2;
    let key = move || {
        state
            .endpoint_keys
            .with(|k| k.get(index).cloned().unwrap_or_default())
    };
    let set_key = move |v: String| {
        state.endpoint_keys.update(|k| {
            if k.len() <= index {
                k.resize(index + 1, String::new());
            }
            k[index] = v;
        })
    };
    let error = move || {
        settings.with(|s| {
            s.endpoints
                .get(index)
                .and_then(|e| e.settings(s).err())
                .map(|e| e.to_string())
        })
    };
    let current_preset = move || {
        settings.with(|s| match s.endpoints.get(index) {
            Some(e) if e.provider == Provider::Demo => "demo",
            Some(e) => preset_for(&e.base_url).map(|p| p.id).unwrap_or("custom"),
            None => "custom",
        })
    };
    let pick = move |v: String| {
        settings.update(|s| {
            let Some(e) = s.endpoints.get_mut(index) else {
                return;
            };
            if v == "demo" {
                e.provider = Provider::Demo;
            } else {
                e.provider = Provider::Api;
                if let Some(p) = preset(&v) {
                    e.base_url = p.base_url.to_string();
                    e.model = p.model.to_string();
                    e.key_header = p.key_header;
                }
            }
        })
    };
    let id = move |field: &str| format!("endpoint-{n}-{field}");
    let remove = move |_| {
        settings.update(|s| {
            if index < s.endpoints.len() {
                s.endpoints.remove(index);
            }
        });
        state.endpoint_keys.update(|k| {
            if index < k.len() {
                k.remove(index);
            }
        });
    };
    view! {
        <fieldset class="endpoint" data-testid=id("row")>
            <legend>{format!("Endpoint {n}")}</legend>
            <div class="row">
                {field_input(index, &FIELDS[0])}
                <label class="field small">
                    <span>"Provider"</span>
                    <select data-testid=id("preset") prop:value=current_preset
                        on:change=move |ev| pick(event_target_value(&ev))>
                        <option value="demo">"Demo (simulated)"</option>
                        {PRESETS.iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        <option value="custom">"Custom URL"</option>
                    </select>
                </label>
                {field_input(index, &FIELDS[1])}
            </div>
            <div class="row">
                <label class="field small">
                    <span>"Key (this endpoint's only)"</span>
                    <input type="password" autocomplete="off" data-testid=id("key") prop:value=key
                        on:input=move |ev| set_key(event_target_value(&ev)) />
                </label>
                {FIELDS[2..].iter().map(|f| field_input(index, f)).collect_view()}
                <button type="button" class="remove" data-testid=id("remove") on:click=remove>"Remove"</button>
            </div>
            {move || error().map(|e| view! { <p class="field-error" role="alert" data-testid=id("error")>{e}</p> })}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(id: &str) -> &'static Field {
        FIELDS.iter().find(|f| f.id == id).expect("a field")
    }

    #[test]
    fn fields_apply_whole_values_only_and_say_whether_anything_changed() {
        let mut e = Endpoint::default();
        // "0." is on its way to "0.5": nothing changes, the input keeps it.
        assert!(!(field("price-in").set)(&mut e, "0."));
        assert!((field("price-in").set)(&mut e, "0.5"));
        assert_eq!(e.price_in, 0.5);
        assert!(!(field("price-in").set)(&mut e, "0.5"), "same value");
        assert!(!(field("k").set)(&mut e, "-1"));
        assert!((field("k").set)(&mut e, "100"));
        assert_eq!(e.limit, 64, "K is at most 64");
        assert!(
            !(field("speed").set)(&mut e, "0"),
            "a speed of 0 is refused"
        );
        // Typing a base URL makes a simulated endpoint a real one.
        e.provider = Provider::Demo;
        assert!((field("base-url").set)(&mut e, "http://127.0.0.1:1/v1"));
        assert_eq!(e.provider, Provider::Api);
        assert_eq!((field("base-url").get)(&e), "http://127.0.0.1:1/v1");
    }
}
