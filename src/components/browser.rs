//! Small browser helpers shared by views.

use leptos::prelude::{
    Effect, Get, GetUntracked, LocalStorage, NodeRef, ReadSignal, RwSignal, Set, StoredValue,
    Track, UpdateValue, document, request_animation_frame, set_timeout_with_handle, signal,
};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;

use crate::state::route::View;

/// Offers `content` to the user as a downloaded file named `name`.
pub fn download_text(name: &str, mime: &str, content: &str) -> Result<(), String> {
    download_parts(name, mime, &[content])
}

/// Offers the concatenation of `parts` as a downloaded file, without
/// joining them into one string first (a large export stays in pieces).
pub fn download_parts<S: AsRef<str>>(name: &str, mime: &str, parts: &[S]) -> Result<(), String> {
    let seq = js_sys::Array::new();
    for p in parts {
        seq.push(&wasm_bindgen::JsValue::from_str(p.as_ref()));
    }
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&seq, &opts)
        .map_err(|_| "cannot make the file")?;
    let url = gloo_file::ObjectUrl::from(gloo_file::Blob::from(blob));
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "cannot create a link")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoking at once can cancel the download in some browsers: keep the
    // URL for a minute, then let it drop (which revokes it).
    gloo_timers::callback::Timeout::new(60_000, move || drop(url)).forget();
    Ok(())
}

/// Removes everything Fanout keeps in this browser (its localStorage keys
/// and its IndexedDB database), then reloads the page so nothing stays in
/// memory either. The database is deleted once the reload has closed the
/// page's connection to it.
pub fn forget_everything() -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    if let Ok(Some(storage)) = window.local_storage() {
        let len = storage.length().unwrap_or(0);
        let ours: Vec<String> = (0..len)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(crate::state::app::STORAGE_PREFIX))
            .collect();
        for key in ours {
            let _ = storage.remove_item(&key);
        }
    }
    if let Ok(Some(idb)) = window.indexed_db() {
        idb.delete_database(crate::state::store::DB)
            .map_err(|_| "the browser refused to delete its stored batch")?;
    }
    window
        .location()
        .reload()
        .map_err(|_| "the page could not reload".to_string())
}

/// The first file chosen in a file input, and clears the input so the same
/// file can be chosen again.
pub fn take_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files().and_then(|f| f.get(0));
    input.set_value("");
    file
}

/// The view the URL's hash names, kept in step with links, Back and
/// Forward (`hashchange`); the listener goes with the calling component.
pub fn use_hash_view() -> ReadSignal<View> {
    let read = || {
        web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default()
    };
    let (view, set_view) = signal(View::from_hash(&read()));
    on_window_event("hashchange", move || set_view.set(View::from_hash(&read())));
    view
}

/// False now, true from the next task on: a part of a view that is not
/// needed on the first screen, drawn under `<Show when=…>` with it, is built
/// in a task of its own, so start-up is not one long task.
pub fn use_next_task() -> ReadSignal<bool> {
    let (ready, set_ready) = signal(false);
    leptos::prelude::set_timeout(
        move || {
            // The view may be gone by then.
            set_ready.try_set(true);
        },
        std::time::Duration::ZERO,
    );
    ready
}

/// How late an animation frame may be before a [`FrameQueue`]'s items are
/// handed over without one.
const FRAME_FALLBACK: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs `run` at the next animation frame, or by a timer where no frame
/// comes within [`FRAME_FALLBACK`] (at once where the tab is hidden: a
/// hidden tab draws no frames). Not generic, so that one copy serves every
/// queue.
fn at_next_frame(run: Box<dyn FnOnce()>) {
    let hidden = document().hidden();
    let run = Rc::new(RefCell::new(Some(run)));
    let fire = move || {
        if let Some(f) = run.borrow_mut().take() {
            f();
        }
    };
    let wait = if hidden {
        std::time::Duration::ZERO
    } else {
        FRAME_FALLBACK
    };
    let timer = set_timeout_with_handle(fire.clone(), wait).ok();
    if !hidden {
        request_animation_frame(move || {
            if let Some(t) = timer {
                t.clear();
            }
            fire();
        });
    }
}

/// The page's one per-frame batcher: items pushed during a frame are
/// handed over together at the next animation frame, so views that
/// receive many changes within a frame (a stream's chunks, six tasks
/// ending together, a batch's results) draw once per frame, and the work
/// for each change is only the change itself.
pub struct FrameQueue<T: 'static>(StoredValue<(Vec<T>, bool), LocalStorage>);

// Copy whatever T is: the field is a handle (derive would ask T: Copy).
impl<T: 'static> Clone for FrameQueue<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for FrameQueue<T> {}

impl<T: 'static> FrameQueue<T> {
    /// An empty queue, owned by the calling component.
    pub fn new() -> Self {
        Self(StoredValue::new_local((Vec::new(), false)))
    }

    /// Queues `item`; the first push of a frame schedules `apply`, which
    /// gets every item queued by then at the next animation frame.
    ///
    /// A hidden tab draws no frames, so there (and if a frame is late by
    /// [`FRAME_FALLBACK`], as when the tab is hidden after the push) a timer
    /// hands the items over instead: a batch running in a background tab
    /// keeps its counts, which other tabs are told, and shows up to date
    /// when the tab comes back, with no backlog to draw at once.
    pub fn push(self, item: T, apply: impl FnOnce(Vec<T>) + 'static) {
        let first = self
            .0
            .try_update_value(|(q, scheduled)| {
                q.push(item);
                !std::mem::replace(scheduled, true)
            })
            .unwrap_or(false);
        if first {
            at_next_frame(Box::new(move || apply(self.take())));
        }
    }

    /// Every item queued so far, now (a frame already scheduled then gets
    /// nothing).
    pub fn take(self) -> Vec<T> {
        self.0
            .try_update_value(|(q, scheduled)| {
                *scheduled = false;
                std::mem::take(q)
            })
            .unwrap_or_default()
    }

    /// Drops what is queued.
    pub fn clear(self) {
        self.0.try_update_value(|(q, _)| q.clear());
    }
}

impl<T: 'static> Default for FrameQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A copy of a signal that follows it at most once per animation frame
/// (through a [`FrameQueue`]): views that are costly to redraw read the
/// copy. `now` catches up at once (at a run's phases, so that what a phase
/// announces is on screen with it).
pub struct PerFrame<T: Send + Sync + 'static> {
    source: RwSignal<T>,
    shown: RwSignal<T>,
    queue: FrameQueue<()>,
}

// Copy whatever T is: the fields are handles (derive would ask T: Copy).
impl<T: Send + Sync + 'static> Clone for PerFrame<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for PerFrame<T> {}

impl<T: Clone + Send + Sync + 'static> PerFrame<T> {
    /// Follows `source`, owned by the calling component.
    pub fn new(source: RwSignal<T>) -> Self {
        let f = Self {
            source,
            shown: RwSignal::new(source.get_untracked()),
            queue: FrameQueue::new(),
        };
        // The first run only subscribes: the copy starts equal.
        Effect::new(move |ran: Option<()>| {
            source.track();
            if ran.is_some() {
                f.later();
            }
        });
        f
    }

    /// The copy, for views.
    pub fn shown(self) -> RwSignal<T> {
        self.shown
    }

    /// Brings the copy up to date in the next frame.
    pub fn later(self) {
        self.queue.push((), move |_| self.copy());
    }

    /// Brings the copy up to date now.
    pub fn now(self) {
        self.queue.take();
        self.copy();
    }

    fn copy(self) {
        if let Some(v) = self.source.try_get_untracked() {
            self.shown.try_set(v);
        }
    }
}

/// Calls `f` on each `event` of the window while the calling component
/// lives (the listener is dropped on its cleanup).
pub fn on_window_event(event: &'static str, mut f: impl FnMut() + 'static) {
    if let Some(window) = web_sys::window() {
        let listener = gloo_events::EventListener::new(&window, event, move |_| f());
        // Cleanups must be Send; the page is single-threaded.
        let keep = send_wrapper::SendWrapper::new(listener);
        leptos::prelude::on_cleanup(move || drop(keep));
    }
}

/// The width of `el` in CSS px, `initial` until it is shown (a hidden view
/// measures 0), following window resizes.
pub fn use_element_width<E>(el: NodeRef<E>, initial: f64) -> ReadSignal<f64>
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let (width, set_width) = signal(initial);
    let measure = move || {
        let measured = el
            .get_untracked()
            .map(|e| e.unchecked_into::<web_sys::Element>().client_width() as f64)
            .filter(|w| *w > 0.0);
        if let Some(w) = measured
            && (w - width.get_untracked()).abs() >= 1.0
        {
            set_width.set(w);
        }
    };
    // Measures once the element is in the page (the effect reads the ref).
    Effect::new(move |_| {
        if el.get().is_some() {
            measure();
        }
    });
    on_window_event("resize", measure);
    width
}

/// The protocol (`h2`, `http/1.1`, …) resource timing reports for the
/// page's last request whose URL starts with `prefix`; empty or `None` when
/// the browser hides it (a cross-origin server without Timing-Allow-Origin).
pub fn next_hop_protocol(prefix: &str) -> Option<String> {
    let perf = web_sys::window()?.performance()?;
    let entries = perf.get_entries_by_type("resource");
    entries.iter().rev().find_map(|e| {
        let name = js_sys::Reflect::get(&e, &"name".into()).ok()?.as_string()?;
        if !name.starts_with(prefix) {
            return None;
        }
        js_sys::Reflect::get(&e, &"nextHopProtocol".into())
            .ok()?
            .as_string()
    })
}
