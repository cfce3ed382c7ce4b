//! What this page may keep on the device: the browser's estimate of what
//! it uses and may use, persistent storage asked for, and the last write
//! that failed, shown wherever it matters (history, a finished run, a
//! batch) with the figures and a way to free space.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::history::query::size_text;

/// Bytes this page uses and may use, as the browser estimates them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// Used, bytes.
    pub used: f64,
    /// The most it may use, bytes.
    pub quota: f64,
}

impl Usage {
    /// "Used 63.9 KB of 64.0 KB".
    pub fn describe(&self) -> String {
        format!(
            "Used {} of the {} the browser allows this page",
            size_text(self.used as usize),
            size_text(self.quota as usize)
        )
    }
}

fn manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // Absent in insecure contexts and old browsers.
    let has = js_sys::Reflect::has(&navigator, &"storage".into()).unwrap_or(false);
    has.then(|| navigator.storage())
}

/// The browser's estimate of what this page uses and may use.
pub async fn estimate() -> Option<Usage> {
    let promise = manager()?.estimate().ok()?;
    let e = JsFuture::from(promise).await.ok()?;
    let get = |k: &str| js_sys::Reflect::get(&e, &k.into()).ok()?.as_f64();
    Some(Usage {
        used: get("usage")?,
        quota: get("quota")?,
    })
}

/// Asks the browser to keep this page's storage under pressure: `Some`
/// with its answer, `None` where it cannot be asked.
pub async fn persist() -> Option<bool> {
    let promise = manager()?.persist().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// The page's storage state, shared through context.
#[derive(Clone, Copy)]
pub struct Storage {
    /// The last write that failed, in words (cleared by the next that
    /// succeeds).
    pub error: RwSignal<Option<String>>,
    /// What the browser said was used and allowed when it failed.
    pub usage: RwSignal<Option<Usage>>,
}

impl Storage {
    /// Makes it and provides it as context.
    pub fn provide() -> Self {
        let s = Self {
            error: RwSignal::new(None),
            usage: RwSignal::new(None),
        };
        provide_context(s);
        s
    }

    /// A write failed with `why` (`what` says what was not kept): the
    /// message, then the browser's figures once it gives them.
    pub fn failed(&self, what: &str, why: &str) {
        let s = *self;
        let message = format!("{what}: {why}");
        s.error.set(Some(message.clone()));
        leptos::task::spawn_local(async move {
            let usage = estimate().await;
            s.usage.try_set(usage);
            if let Some(u) = usage {
                s.error
                    .try_set(Some(format!("{message}. {}.", u.describe())));
            }
        });
    }

    /// A write succeeded: any earlier failure is over.
    pub fn written(&self) {
        if self.error.get_untracked().is_some() {
            self.error.set(None);
        }
    }
}
