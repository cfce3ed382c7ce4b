//! A run in a link: "Share link" under a finished or kept run makes a URL
//! whose fragment holds the record (compressed by the browser's
//! `CompressionStream`, so no compression crate is in the page), and a page
//! opened at such a URL shows the run read-only, with "Keep in my history".
//! The fragment is never sent to any server, and opening one sends nothing.

use futures::StreamExt;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::components::browser::on_window_event;
use crate::components::history::RunView;
use crate::components::hooks;
use crate::history::record::RunRecord;
use crate::share::{
    Encoded, LONG_LINK_CHARS, MAX_RECORD_BYTES, ShareError, ShareOptions, fragment, open,
    parse_fragment, shareable,
};
use crate::state::History;

// The browser's compression streams, declared here: web-sys offers them
// only behind its unstable APIs flag.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = CompressionStream)]
    type Compressor;
    #[wasm_bindgen(constructor, catch, js_class = "CompressionStream")]
    fn new(format: &str) -> Result<Compressor, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &Compressor) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &Compressor) -> web_sys::WritableStream;

    #[wasm_bindgen(js_name = DecompressionStream)]
    type Decompressor;
    #[wasm_bindgen(constructor, catch, js_class = "DecompressionStream")]
    fn new(format: &str) -> Result<Decompressor, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &Decompressor) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &Decompressor) -> web_sys::WritableStream;
}

/// `bytes` through a transform stream (`readable`, `writable`), read back
/// chunk by chunk; `None` once more than `max` bytes came out (the rest is
/// not read).
async fn through(
    bytes: &[u8],
    readable: web_sys::ReadableStream,
    writable: web_sys::WritableStream,
    max: usize,
) -> Result<Option<Vec<u8>>, JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts)?;
    let out = blob
        .stream()
        .pipe_through(&web_sys::ReadableWritablePair::new(&readable, &writable));
    let mut chunks = wasm_streams::ReadableStream::from_raw(out.unchecked_into()).into_stream();
    let mut all = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = js_sys::Uint8Array::new(&chunk?);
        if all.len() + chunk.length() as usize > max {
            return Ok(None);
        }
        all.extend(chunk.to_vec());
    }
    Ok(Some(all))
}

/// The link for `record` with `options`, on this page's address.
async fn share_url(record: &RunRecord, options: ShareOptions) -> Result<String, String> {
    let json = serde_json::to_string(&shareable(record, options)).map_err(|e| e.to_string())?;
    let c = Compressor::new("deflate-raw")
        .map_err(|_| "this browser cannot compress (no CompressionStream)".to_string())?;
    let deflated = through(json.as_bytes(), c.readable(), c.writable(), usize::MAX)
        .await
        .map_err(|_| "compressing failed".to_string())?
        .unwrap_or_default();
    let location = web_sys::window().ok_or("no window")?.location();
    let page = format!(
        "{}{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    Ok(page + &fragment(&json, &deflated))
}

/// The run a link's parts hold, decompressed within the size bound and
/// checked.
async fn read_link(encoded: Encoded) -> Result<RunRecord, ShareError> {
    let d = Decompressor::new("deflate-raw")
        .map_err(|_| ShareError::Damaged("this browser cannot decompress".into()))?;
    let json = through(
        &encoded.deflated,
        d.readable(),
        d.writable(),
        MAX_RECORD_BYTES,
    )
    .await
    .map_err(|_| ShareError::Damaged("its data does not decompress".into()))?
    .ok_or(ShareError::TooBig)?;
    let json =
        String::from_utf8(json).map_err(|_| ShareError::Damaged("its data is not text".into()))?;
    open(&encoded, &json)
}

/// "Share link" for one run: the URL (figures only, or with answers; the
/// input's start only when ticked), its length, and a warning where chat
/// tools may cut it.
#[component]
pub fn ShareLink(
    /// The run.
    record: RunRecord,
) -> impl IntoView {
    let record = StoredValue::new(record);
    let (shown, set_shown) = signal(false);
    let (answers, set_answers) = signal(false);
    let (input, set_input) = signal(false);
    let (url, set_url) = signal(None::<Result<String, String>>);
    // The options the shown URL was made for: a slower earlier one never
    // replaces a later one.
    let made_for = StoredValue::new(None::<ShareOptions>);
    Effect::new(move |_| {
        if !shown.get() {
            return;
        }
        let options = ShareOptions {
            answers: answers.get(),
            input: input.get(),
        };
        made_for.set_value(Some(options));
        leptos::task::spawn_local(async move {
            let made = share_url(&record.get_value(), options).await;
            if made_for.get_value() == Some(options) {
                set_url.set(Some(made));
            }
        });
    });
    let length = move || {
        url.get()
            .and_then(Result::ok)
            .map_or(0, |u| u.chars().count())
    };
    view! {
        <button type="button" data-testid=hooks::SHARE_LINK aria-expanded=move || shown.get().to_string()
            on:click=move |_| set_shown.update(|s| *s = !*s)>"Share link"</button>
        <Show when=move || shown.get()>
            <div class="share" role="group" aria-label="Share this run by link">
                <label class="check"><input type="checkbox" data-testid=hooks::SHARE_ANSWERS
                    prop:checked=answers on:change=move |ev| set_answers.set(event_target_checked(&ev)) />
                    "Include the answers"</label>
                <label class="check"><input type="checkbox" data-testid=hooks::SHARE_INPUT
                    prop:checked=input on:change=move |ev| set_input.set(event_target_checked(&ev)) />
                    "Include the input's start (what the record keeps of it)"</label>
                {move || match url.get() {
                    None => view! { <p class="hint">"Making the link…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="field-error" role="alert">{format!("No link: {e}.")}</p> }.into_any(),
                    Some(Ok(u)) => view! {
                        <input type="text" readonly class="share-url" aria-label="The link" data-testid=hooks::SHARE_URL
                            data-length=length().to_string() prop:value=u
                            on:focus=move |ev| {
                                if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    i.select();
                                }
                            } />
                        <p class="hint">{format!(
                            "{} characters. The run is in the part after #, which browsers never send to any server; the link holds no key.",
                            length()
                        )}</p>
                        {(length() > LONG_LINK_CHARS).then(|| view! {
                            <p class="waiting" data-testid=hooks::SHARE_WARNING>{format!(
                                "Longer than {LONG_LINK_CHARS} characters: some chat tools and browsers cut links this long. Share without answers, or export the run as a file."
                            )}</p>
                        })}
                    }.into_any(),
                }}
            </div>
        </Show>
    }
}

/// The URL's fragment now.
fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// A shared run opened from the page's address: read-only, with "Keep in
/// my history"; a link that cannot be read says why (`shared-error`).
#[component]
pub fn SharedRun() -> impl IntoView {
    let (opened, set_opened) = signal(None::<Result<RunRecord, String>>);
    let (kept, set_kept) = signal(false);
    let read = move || {
        let Some(parsed) = parse_fragment(&current_hash()) else {
            set_opened.set(None);
            return;
        };
        set_kept.set(false);
        match parsed {
            Err(e) => set_opened.set(Some(Err(e.to_string()))),
            Ok(encoded) => leptos::task::spawn_local(async move {
                set_opened.set(Some(read_link(encoded).await.map_err(|e| e.to_string())));
            }),
        }
    };
    read();
    on_window_event("hashchange", read);
    let history = expect_context::<History>();
    let close = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash("/run");
        }
    };
    view! {
        {move || opened.get().map(|o| match o {
            Err(e) => view! {
                <section class="panel shared" aria-label="Shared run">
                    <p class="field-error" role="alert" data-testid=hooks::SHARED_ERROR>{e}</p>
                    <button type="button" on:click=close>"Close"</button>
                </section>
            }.into_any(),
            Ok(record) => {
                let keep = record.clone();
                view! {
                    <section class="panel shared" aria-label="Shared run" data-testid=hooks::SHARED_RUN>
                        <h2>"Shared run"</h2>
                        <p class="hint">"Read-only, from the link: nothing was sent anywhere to show it, and it is not in your history unless you keep it."</p>
                        <div class="row">
                            <button type="button" data-testid=hooks::SHARED_KEEP disabled=move || kept.get()
                                on:click=move |_| {
                                    history.add(keep.clone());
                                    set_kept.set(true);
                                }>
                                {move || if kept.get() { "Kept in your history" } else { "Keep in my history" }}
                            </button>
                            <button type="button" on:click=close>"Close"</button>
                        </div>
                        <RunView record=record />
                    </section>
                }.into_any()
            }
        })}
    }
}
