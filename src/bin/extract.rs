//! The document-reading web worker: PDF and Word text extraction.
//!
//! Built by trunk as a separate wasm module (`data-type="worker"` in
//! index.html) so the page itself never downloads the PDF and zip readers;
//! the page starts this worker the first time a user opens such a file
//! (`components::extractor`). Protocol: the worker posts `"ready"` once it
//! runs, then answers each `[request JSON, bytes]` message with an
//! `ExtractReply` as JSON.

use fanout::extract::{ExtractReply, ExtractRequest, text_of};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        let data = js_sys::Array::from(&ev.data());
        let Some(request) = data
            .get(0)
            .as_string()
            .and_then(|s| serde_json::from_str::<ExtractRequest>(&s).ok())
        else {
            return;
        };
        let bytes = js_sys::Uint8Array::new(&data.get(1)).to_vec();
        let reply = ExtractReply {
            id: request.id,
            result: text_of(request.kind, &bytes),
        };
        let json = serde_json::to_string(&reply).unwrap_or_default();
        let _ = reply_to.post_message(&JsValue::from_str(&json));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    // Messages sent before this point would have found no handler, so the
    // page waits for this before sending any.
    let _ = scope.post_message(&JsValue::from_str("ready"));
}
