//! Reads PDF and Word files in the extraction worker (`src/bin/extract.rs`),
//! off the page's main thread and out of its download.

use futures::StreamExt;
use futures::channel::mpsc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use crate::extract::{Binary, ExtractReply, ExtractRequest};

/// Where trunk writes the worker's loader (named after the binary, unhashed).
const WORKER_URL: &str = "./extract_loader.js";

enum Message {
    Posted(String),
    Crashed(String),
}

/// A started worker; terminated when dropped.
struct Running {
    worker: Worker,
    replies: mpsc::UnboundedReceiver<Message>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

async fn start() -> Result<Running, String> {
    let worker = Worker::new(WORKER_URL)
        .map_err(|e| format!("the PDF and Word reader could not start ({e:?})"))?;
    let (tx, replies) = mpsc::unbounded();
    let posted = tx.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        let _ = posted.unbounded_send(Message::Posted(ev.data().as_string().unwrap_or_default()));
    });
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        // Handled here: keep it out of the console as an uncaught error.
        ev.prevent_default();
        let why = ev
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "the reader's files could not be loaded".into());
        let _ = tx.unbounded_send(Message::Crashed(why));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let mut running = Running {
        worker,
        replies,
        _on_message: on_message,
        _on_error: on_error,
    };
    match running.replies.next().await {
        Some(Message::Posted(s)) if s == "ready" => Ok(running),
        Some(Message::Crashed(why)) => {
            Err(format!("the PDF and Word reader could not start ({why})"))
        }
        _ => Err("the PDF and Word reader could not start".into()),
    }
}

/// Extracts the text of each file in turn, calling `done(i, result)` as each
/// finishes. One worker serves them all; if a file crashes it, that file gets
/// the error and a fresh worker reads the rest.
pub async fn extract_each(
    files: Vec<(Binary, Vec<u8>)>,
    mut done: impl FnMut(usize, Result<String, String>),
) {
    let mut running: Option<Running> = None;
    for (i, (kind, bytes)) in files.into_iter().enumerate() {
        if running.is_none() {
            match start().await {
                Ok(r) => running = Some(r),
                Err(e) => {
                    done(i, Err(e));
                    continue;
                }
            }
        }
        let Some(r) = running.as_mut() else { continue };
        let request =
            serde_json::to_string(&ExtractRequest { id: i as u32, kind }).unwrap_or_default();
        let buffer = js_sys::Uint8Array::from(&bytes[..]);
        drop(bytes);
        let message = js_sys::Array::of2(&JsValue::from_str(&request), &buffer);
        // Transferred, not copied: the page's copy is given to the worker.
        let transfer = js_sys::Array::of1(&buffer.buffer());
        if let Err(e) = r.worker.post_message_with_transfer(&message, &transfer) {
            done(
                i,
                Err(format!("the file could not be sent to the reader ({e:?})")),
            );
            continue;
        }
        match r.replies.next().await {
            Some(Message::Posted(json)) => match serde_json::from_str::<ExtractReply>(&json) {
                Ok(reply) => done(i, reply.result),
                Err(_) => done(
                    i,
                    Err("the reader gave an answer that could not be read".into()),
                ),
            },
            Some(Message::Crashed(why)) => {
                running = None;
                done(
                    i,
                    Err(format!(
                        "the reader failed on this file ({why}); it may be damaged"
                    )),
                );
            }
            None => {
                running = None;
                done(i, Err("the reader stopped".into()));
            }
        }
    }
}

/// Reads a file chosen as the input text: a text file as it is, a PDF or
/// Word file through the worker (`on_extracting` is told while it reads).
/// The error, with the file's name, is for the user; binary junk is refused.
pub async fn read_input_file(
    file: web_sys::File,
    kind: Option<Binary>,
    on_extracting: impl Fn(bool),
) -> Result<String, String> {
    use crate::workflow::input::{FileError, looks_binary};
    let name = file.name();
    let file = gloo_file::File::from(file);
    let unreadable = || FileError::Unreadable(name.clone()).to_string();
    let content = match kind {
        None => gloo_file::futures::read_as_text(&file)
            .await
            .map_err(|_| unreadable())?,
        Some(kind) => {
            let bytes = gloo_file::futures::read_as_bytes(&file)
                .await
                .map_err(|_| unreadable())?;
            on_extracting(true);
            let mut out = Err(String::new());
            extract_each(vec![(kind, bytes)], |_, r| out = r).await;
            on_extracting(false);
            out.map_err(|e| format!("\"{name}\": {e}"))?
        }
    };
    if looks_binary(&content) {
        return Err(format!(
            "\"{name}\" looks like a binary file, not text: open a .txt, .md, .pdf or .docx file."
        ));
    }
    Ok(content)
}
