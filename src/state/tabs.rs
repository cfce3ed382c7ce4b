//! This browser's other tabs: a Web Lock that one tab holds while it runs
//! the batch (the browser releases it when the tab closes, crashes or
//! reloads), and broadcast channels that tell the other tabs how far the
//! batch is and that the history changed.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The lock a running batch holds, and the channel its progress goes on.
pub const BATCH: &str = "fanout.batch";

/// The channel a tab tells the others on when it changed the history.
pub const HISTORY: &str = "fanout.history";

// `navigator.locks`, declared here: web-sys offers the Web Locks API only
// behind its unstable APIs flag.
#[wasm_bindgen]
extern "C" {
    type LockManager;
    #[wasm_bindgen(method, js_name = request)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &js_sys::Function,
    ) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn query(this: &LockManager) -> js_sys::Promise;
}

fn lock_manager() -> Option<LockManager> {
    let navigator = web_sys::window()?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &"locks".into()).ok()?;
    (!locks.is_undefined()).then(|| locks.unchecked_into())
}

/// A lock this tab holds until it is dropped.
pub struct Held {
    /// Resolves the promise the lock waits on: the lock goes.
    release: Option<js_sys::Function>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(f) = self.release.take() {
            let _ = f.call0(&JsValue::NULL);
        }
    }
}

/// Takes the lock `name` if no tab holds it: `None` when another does.
/// Where the browser has no Web Locks (an insecure context), the lock is
/// granted: one tab cannot see another's there.
pub async fn try_hold(name: &str) -> Option<Held> {
    let Some(locks) = lock_manager() else {
        return Some(Held { release: None });
    };
    let (tx, rx) = oneshot::channel::<Option<js_sys::Function>>();
    let tx = RefCell::new(Some(tx));
    let granted = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |lock: JsValue| {
        let Some(tx) = tx.borrow_mut().take() else {
            return JsValue::UNDEFINED;
        };
        if lock.is_null() {
            let _ = tx.send(None);
            return JsValue::UNDEFINED;
        }
        // Held until the promise returned here settles.
        let mut release = None;
        let held = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
        let _ = tx.send(release);
        held.into()
    });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &true.into());
    let _ = locks.request(name, &options, granted.as_ref().unchecked_ref());
    let release = rx.await.ok().flatten();
    release.map(|f| Held { release: Some(f) })
}

/// Whether another tab (or this one) holds the lock `name` now.
pub async fn held(name: &str) -> bool {
    let Some(locks) = lock_manager() else {
        return false;
    };
    let Ok(snapshot) = wasm_bindgen_futures::JsFuture::from(locks.query()).await else {
        return false;
    };
    let held = js_sys::Reflect::get(&snapshot, &"held".into()).unwrap_or_default();
    js_sys::Array::from(&held).iter().any(|l| {
        js_sys::Reflect::get(&l, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .is_some_and(|n| n == name)
    })
}

/// Resolves once no tab holds the lock `name` (waiting for it, then
/// letting it go at once).
pub async fn until_free(name: &str) {
    let Some(locks) = lock_manager() else {
        return;
    };
    let granted = Closure::<dyn FnMut(JsValue) -> JsValue>::new(|_| JsValue::UNDEFINED);
    let done = locks.request(
        name,
        &js_sys::Object::new(),
        granted.as_ref().unchecked_ref(),
    );
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
}

/// A broadcast channel to this origin's other tabs, with a listener kept
/// as long as it is.
pub struct Channel {
    channel: web_sys::BroadcastChannel,
    _listener: Option<gloo_events::EventListener>,
}

impl Channel {
    /// The channel `name`; `on` sees each message other tabs post.
    pub fn open(name: &str, on: impl Fn(JsValue) + 'static) -> Option<Rc<Self>> {
        let channel = web_sys::BroadcastChannel::new(name).ok()?;
        let listener = gloo_events::EventListener::new(&channel, "message", move |e| {
            if let Some(m) = e.dyn_ref::<web_sys::MessageEvent>() {
                on(m.data());
            }
        });
        Some(Rc::new(Self {
            channel,
            _listener: Some(listener),
        }))
    }

    /// Tells the other tabs `message`.
    pub fn post(&self, message: &JsValue) {
        let _ = self.channel.post_message(message);
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.close();
    }
}
