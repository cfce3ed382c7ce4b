//! The run history as app-wide state: every kept run, loaded from
//! IndexedDB at start, added to by finished runs, shown by the history view.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::history::RunRecord;
use crate::state::storage::Storage;
use crate::state::store::Store;
use crate::state::tabs;

/// The page's database as it opens (or opened, or failed to), shared by
/// everyone who asks for it.
type Opening = Shared<LocalBoxFuture<'static, Result<Rc<Store>, String>>>;

/// The run history, shared through context: the page's runs add to it, the
/// history section shows it.
#[derive(Clone, Copy)]
pub struct History {
    /// Every kept run, in stored order.
    pub runs: RwSignal<Vec<RunRecord>>,
    /// A storage failure to show, if any.
    pub error: RwSignal<Option<String>>,
    /// Stored size of each run (its JSON), by id.
    sizes: RwSignal<HashMap<String, usize>>,
    /// Writes to the device not yet finished (adds, deletes, clears).
    pending: RwSignal<usize>,
    db: StoredValue<Option<Opening>, LocalStorage>,
    /// Tells this browser's other tabs that the history changed, and hears
    /// them: each run is stored under its own key, so two tabs' writes
    /// never overwrite each other, and each tab's list follows the other's.
    channel: StoredValue<Option<Rc<tabs::Channel>>, LocalStorage>,
    /// Ids of runs added here whose write has not finished (or failed).
    unsaved: StoredValue<HashSet<String>, LocalStorage>,
    /// Where a failed write is told, with the browser's figures.
    storage: Option<Storage>,
}

impl History {
    /// Makes the history, loads what the device kept, and provides it.
    pub fn provide() -> Self {
        let h = Self {
            runs: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            sizes: RwSignal::new(HashMap::new()),
            pending: RwSignal::new(0),
            db: StoredValue::new_local(None),
            channel: StoredValue::new_local(None),
            unsaved: StoredValue::new_local(HashSet::new()),
            storage: use_context::<Storage>(),
        };
        provide_context(h);
        h.channel
            .set_value(tabs::Channel::open(tabs::HISTORY, move |_| h.load()));
        spawn_local(async move {
            // Not in start-up's task: the first screen does not show the
            // history.
            gloo_timers::future::TimeoutFuture::new(0).await;
            h.load();
        });
        h
    }

    /// Reads the kept runs from the device into the list; runs added here
    /// and not stored yet stay, once.
    fn load(&self) {
        let h = *self;
        spawn_local(async move {
            let loaded = match h.db().await {
                Ok(db) => db.runs().await,
                Err(e) => Err(e),
            };
            match loaded {
                Ok((stored, unreadable)) => {
                    h.sizes.update(|m| {
                        for (r, bytes) in &stored {
                            m.entry(r.id.clone()).or_insert(*bytes);
                        }
                    });
                    let runs: Vec<RunRecord> = stored.into_iter().map(|(r, _)| r).collect();
                    h.runs.update(|now| {
                        let mine = std::mem::take(now);
                        *now = runs;
                        // Runs this tab added and has not finished storing
                        // stay (as this tab has them), once.
                        h.unsaved.with_value(|unsaved| {
                            for r in mine.into_iter().filter(|r| unsaved.contains(&r.id)) {
                                now.retain(|x| x.id != r.id);
                                now.push(r);
                            }
                        });
                    });
                    if unreadable > 0 {
                        h.error.set(Some(format!(
                            "{unreadable} stored run(s) could not be read and are not listed."
                        )));
                    }
                }
                Err(e) => h.error.set(Some(e)),
            }
        });
    }

    /// The page's one connection to its database, opened on first use: the
    /// Batch view keeps its batch through it too (a second connection's
    /// open would wait unseen behind a blocked first one).
    pub async fn db(&self) -> Result<Rc<Store>, String> {
        let opening = self.db.get_value().unwrap_or_else(|| {
            // Everyone asking meanwhile waits on this one open.
            let o = Store::open().map(|r| r.map(Rc::new)).boxed_local().shared();
            self.db.set_value(Some(o.clone()));
            o
        });
        opening.await
    }

    /// How many writes to the device are still under way: 0 once every
    /// add, delete and clear so far is stored (a reload then loses nothing).
    pub fn pending_writes(&self) -> usize {
        self.pending.get()
    }

    /// Runs one write to the device, counted in `pending`; its failure is
    /// shown with `context` before it.
    fn write<F>(&self, context: &'static str, op: impl FnOnce(Rc<Store>) -> F + 'static)
    where
        F: std::future::Future<Output = Result<(), String>> + 'static,
    {
        let h = *self;
        h.pending.update(|n| *n += 1);
        spawn_local(async move {
            let done = match h.db().await {
                Ok(db) => op(db).await,
                Err(e) => Err(e),
            };
            match done {
                Err(e) => {
                    h.error.set(Some(format!("{context}{e}")));
                    if let Some(s) = h.storage {
                        s.failed(context.trim_end_matches(": "), &e);
                    }
                }
                // The other tabs read the list again.
                Ok(()) => {
                    if let Some(s) = h.storage {
                        s.written();
                    }
                    h.channel.with_value(|c| {
                        if let Some(c) = c {
                            c.post(&wasm_bindgen::JsValue::TRUE);
                        }
                    })
                }
            }
            h.pending.update(|n| *n -= 1);
        });
    }

    /// Bytes the kept runs take on the device (their JSON), tracked.
    pub fn bytes(&self) -> usize {
        self.sizes.with(|m| m.values().sum())
    }

    /// Keeps `run` (replacing a run with the same id) and stores it.
    pub fn add(&self, run: RunRecord) {
        // Serialized once: the stored JSON and the size shown come from it.
        let json = serde_json::to_string(&run).map_err(|e| e.to_string());
        let id = run.id.clone();
        if let Ok(json) = &json {
            self.sizes.update(|m| {
                m.insert(id.clone(), json.len());
            });
        }
        self.runs.update(|all| {
            all.retain(|r| r.id != run.id);
            all.push(run);
        });
        self.unsaved.update_value(|u| {
            u.insert(id.clone());
        });
        let h = *self;
        self.write("The run could not be kept: ", move |db| async move {
            db.save_run(&id, json?).await?;
            h.unsaved.update_value(|u| {
                u.remove(&id);
            });
            Ok(())
        });
    }

    /// Where failed writes are told, if anywhere.
    pub fn storage(&self) -> Option<Storage> {
        self.storage
    }

    /// Kept runs that are stored on the device (not those that could not be).
    pub fn stored(&self) -> usize {
        self.unsaved.with_value(|u| {
            self.runs
                .with(|all| all.iter().filter(|r| !u.contains(&r.id)).count())
        })
    }

    /// Frees space: deletes the `n` oldest kept runs that are stored, then
    /// stores again the runs that could not be kept.
    pub fn free_oldest(&self, n: usize) {
        let unsaved = self.unsaved.get_value();
        let mut stored: Vec<(f64, String)> = self.runs.with_untracked(|all| {
            all.iter()
                .filter(|r| !unsaved.contains(&r.id))
                .map(|r| (r.at, r.id.clone()))
                .collect()
        });
        stored.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, id) in stored.into_iter().take(n) {
            self.delete(id);
        }
        self.error.set(None);
        let again: Vec<RunRecord> = self.runs.with_untracked(|all| {
            all.iter()
                .filter(|r| unsaved.contains(&r.id))
                .cloned()
                .collect()
        });
        for r in again {
            self.add(r);
        }
    }

    /// Removes one run from the list and the device.
    pub fn delete(&self, id: String) {
        self.runs.update(|all| all.retain(|r| r.id != id));
        self.sizes.update(|m| {
            m.remove(&id);
        });
        self.write("", move |db| async move { db.delete_run(&id).await });
    }

    /// Removes every run from the list and the device.
    pub fn clear(&self) {
        self.runs.set(Vec::new());
        self.sizes.set(HashMap::new());
        self.write("", move |db| async move { db.clear_runs().await });
    }
}
