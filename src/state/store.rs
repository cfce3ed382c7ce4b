//! What Fanout keeps in the browser's IndexedDB: the batch in progress and
//! its results as they arrive, so a reload loses nothing, and the run
//! history. Values are stored as JSON strings under out-of-line keys, but
//! for the batch cells' answers: pairs of strings (answer, thinking).
//!
//! Written on web-sys's IndexedDB calls directly (a request's `success` or
//! `error` event, a transaction's `complete`, each awaited through a
//! oneshot channel) rather than through rexie: the few calls below are all
//! the page needs, and rexie with idb brought tokio, num-traits and a second
//! thiserror into the page's wasm for them.

use std::cell::Cell;
use std::rc::Rc;

use futures::channel::oneshot;
use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
};

use crate::batch::saved::{Answer, Cell as SavedCell, SavedBatch};
use crate::history::RunRecord;

/// The database's name (removed whole by "forget everything").
pub const DB: &str = "fanout";
/// Version 2 added the history, 3 the answers apart from their cells;
/// upgrading keeps the other stores.
const VERSION: u32 = 3;
const BATCH: &str = "batch";
const RESULTS: &str = "batch_results";
/// The batch cells' answers, by job, apart from the cells so that they
/// can be dropped by deletions alone (a full storage refuses rewrites).
const ANSWERS: &str = "batch_answers";
const CURRENT: &str = "current";
const RUNS: &str = "runs";

/// The open database.
pub struct Store {
    db: IdbDatabase,
    /// Set when a newer version of the page, in another tab, asked to
    /// upgrade the database: this connection closed to let it.
    closed: Rc<Cell<bool>>,
    _on_upgrade_elsewhere: EventListener,
}

/// Why a write fails once a newer version has taken the database.
const UPDATED_ELSEWHERE: &str = "a newer version of Fanout in another tab has updated this page's storage: reload this tab to store here again";

/// Why the database does not open while an older tab holds it.
const HELD_BY_OLDER: &str = "Fanout is open in another tab at an older version, which holds this page's storage: close or reload that tab, then reload this one";

fn err(e: impl std::fmt::Display) -> String {
    format!("The browser's storage failed: {e}")
}

/// What a failed write's `DOMException` means, in words: a full storage
/// and a storage the browser blocks are named (their messages are often
/// empty).
fn dom_err(e: &web_sys::DomException) -> String {
    match e.name().as_str() {
        "QuotaExceededError" => {
            "this page's storage is full (the browser refused the write: QuotaExceededError)".into()
        }
        "InvalidStateError" | "SecurityError" | "UnknownError" => format!(
            "the browser does not let this page store data ({}: private browsing, or storage blocked for this site?)",
            e.name()
        ),
        name => {
            let m = e.message();
            if m.is_empty() {
                name.to_string()
            } else {
                format!("{name}: {m}")
            }
        }
    }
}

/// The message of a failed call or request's `DOMException`.
fn js_err(e: &JsValue) -> String {
    if let Some(d) = e.dyn_ref::<web_sys::DomException>() {
        return err(dom_err(d));
    }
    let message = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| {
            js_sys::Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown error".into());
    err(message)
}

/// Waits for the first of `events` on `target`; returns its index.
async fn first_of(target: &web_sys::EventTarget, events: &[&'static str]) -> usize {
    let (tx, rx) = oneshot::channel::<usize>();
    let tx = Rc::new(Cell::new(Some(tx)));
    let _listeners: Vec<EventListener> = events
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let tx = tx.clone();
            EventListener::once(target, *name, move |_| {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(i);
                }
            })
        })
        .collect();
    rx.await.unwrap_or(events.len())
}

/// A request's result, once it succeeded.
async fn request(req: Result<IdbRequest, JsValue>) -> Result<JsValue, String> {
    let req = req.map_err(|e| js_err(&e))?;
    if first_of(&req, &["success", "error"]).await == 0 {
        req.result().map_err(|e| js_err(&e))
    } else {
        Err(req
            .error()
            .ok()
            .flatten()
            .map(|e| err(dom_err(&e)))
            .unwrap_or_else(|| err("a request failed")))
    }
}

/// Waits until `tx` has committed.
async fn committed(tx: &IdbTransaction) -> Result<(), String> {
    match first_of(tx, &["complete", "error", "abort"]).await {
        0 => Ok(()),
        _ => Err(tx
            .error()
            .map(|e| err(dom_err(&e)))
            .unwrap_or_else(|| err("a write was not completed"))),
    }
}

/// Waits for `tx` to commit once its requests are `issued`; if one could
/// not be issued, aborts it, so that none of them is kept.
async fn all_or_nothing(tx: &IdbTransaction, issued: Result<(), JsValue>) -> Result<(), String> {
    if let Err(e) = issued {
        let _ = tx.abort();
        return Err(js_err(&e));
    }
    committed(tx).await
}

impl Store {
    /// Opens (and on first use creates) the database.
    pub async fn open() -> Result<Self, String> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| err("this browser gives the page no IndexedDB"))?;
        let open: IdbOpenDbRequest = factory.open_with_u32(DB, VERSION).map_err(|e| js_err(&e))?;
        // Creates the stores an older version (or none) lacks; kept ones
        // keep their data.
        let upgrade = {
            let open = open.clone();
            EventListener::new(&open.clone(), "upgradeneeded", move |_| {
                let Ok(db) = open.result().map(JsCast::unchecked_into::<IdbDatabase>) else {
                    return;
                };
                let names = db.object_store_names();
                for name in [BATCH, RESULTS, ANSWERS, RUNS] {
                    if !names.contains(name) {
                        let _ = db.create_object_store(name);
                    }
                }
            })
        };
        // An older tab that keeps its connection blocks the upgrade: say so
        // rather than wait for a tab the user may not think of.
        let req: IdbRequest = open.unchecked_into();
        let outcome = first_of(&req, &["success", "error", "blocked"]).await;
        if outcome == 2 {
            // The open goes on once that tab lets go: the upgrade must still
            // create the stores, and the connection it makes is not used.
            std::mem::forget(upgrade);
            let late = req.clone();
            EventListener::once(&req, "success", move |_| {
                if let Ok(db) = late.result() {
                    db.unchecked_into::<IdbDatabase>().close();
                }
            })
            .forget();
            return Err(err(HELD_BY_OLDER));
        }
        drop(upgrade);
        let db: IdbDatabase = match outcome {
            0 => req.result().map_err(|e| js_err(&e))?.unchecked_into(),
            _ => {
                return Err(req
                    .error()
                    .ok()
                    .flatten()
                    .map(|e| err(dom_err(&e)))
                    .unwrap_or_else(|| err("the database did not open")));
            }
        };
        // A newer version opening it elsewhere: close, so its upgrade is
        // not blocked; this tab's writes then say to reload.
        let closed = Rc::new(Cell::new(false));
        let on_upgrade_elsewhere = {
            let (db, closed) = (db.clone(), closed.clone());
            EventListener::new(&db.clone(), "versionchange", move |_| {
                db.close();
                closed.set(true);
            })
        };
        Ok(Store {
            db,
            closed,
            _on_upgrade_elsewhere: on_upgrade_elsewhere,
        })
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
    ) -> Result<IdbTransaction, String> {
        if self.closed.get() {
            return Err(err(UPDATED_ELSEWHERE));
        }
        let names = js_sys::Array::new();
        for s in stores {
            names.push(&JsValue::from_str(s));
        }
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(|e| js_err(&e))
    }

    fn store(tx: &IdbTransaction, name: &str) -> Result<IdbObjectStore, String> {
        tx.object_store(name).map_err(|e| js_err(&e))
    }

    async fn put(&self, store: &str, key: JsValue, json: String) -> Result<(), String> {
        let tx = self.transaction(&[store], IdbTransactionMode::Readwrite)?;
        request(Self::store(&tx, store)?.put_with_key(&JsValue::from_str(&json), &key)).await?;
        committed(&tx).await
    }

    /// Every (key, value) of a store, in key order, as strings' JSON.
    async fn scan(tx: &IdbTransaction, store: &str) -> Result<Vec<(JsValue, JsValue)>, String> {
        let s = Self::store(tx, store)?;
        // Both asked at once, in one transaction, so they see the same rows.
        let (keys, values) = (s.get_all_keys(), s.get_all());
        let keys: js_sys::Array = request(keys).await?.unchecked_into();
        let values: js_sys::Array = request(values).await?.unchecked_into();
        Ok(keys.iter().zip(values.iter()).collect())
    }

    /// A new batch starts: it replaces any saved one and its results.
    pub async fn start_batch(&self, batch: &SavedBatch) -> Result<(), String> {
        self.clear_batch().await?;
        let json = serde_json::to_string(batch).map_err(err)?;
        self.put(BATCH, JsValue::from_str(CURRENT), json).await
    }

    /// Saves one finished job's result: the cell and its answer apart, in
    /// one transaction.
    pub async fn save_result(&self, job: usize, cell: &SavedCell) -> Result<(), String> {
        let (rest, answer) = cell.split();
        let key = JsValue::from_f64(job as f64);
        let json = serde_json::to_string(&rest).map_err(err)?;
        let tx = self.transaction(&[RESULTS, ANSWERS], IdbTransactionMode::Readwrite)?;
        let issued = (|| {
            let answers = tx.object_store(ANSWERS)?;
            match answer {
                Some(a) => {
                    let pair = js_sys::Array::of2(&a.text.into(), &a.reasoning.into());
                    answers.put_with_key(&pair, &key)?
                }
                // A retried job's earlier answer goes.
                None => answers.delete(&key)?,
            };
            tx.object_store(RESULTS)?
                .put_with_key(&JsValue::from_str(&json), &key)
        })();
        // The transaction's end says how both went: waiting on each request
        // in turn could miss the second's events while awaiting the first.
        all_or_nothing(&tx, issued.map(drop)).await
    }

    /// The saved batch and its results, if there is one.
    pub async fn load_batch(
        &self,
    ) -> Result<Option<(SavedBatch, Vec<(usize, SavedCell)>)>, String> {
        let tx = self.transaction(&[BATCH, RESULTS, ANSWERS], IdbTransactionMode::Readonly)?;
        let raw = request(Self::store(&tx, BATCH)?.get(&JsValue::from_str(CURRENT))).await?;
        if raw.is_undefined() {
            return Ok(None);
        }
        let batch: SavedBatch = serde_json::from_str(&raw.as_string().unwrap_or_default())
            .map_err(|e| err(format!("a saved batch is unreadable ({e})")))?;
        let rows = Self::scan(&tx, RESULTS).await?;
        // Both come in key order: each cell meets its answer, if any, by
        // walking the two lists together.
        let mut answers = Self::scan(&tx, ANSWERS)
            .await?
            .into_iter()
            .filter_map(|(k, v)| {
                let pair: js_sys::Array = v.dyn_into().ok()?;
                let answer = Answer {
                    text: pair.get(0).as_string()?,
                    reasoning: pair.get(1).as_string().unwrap_or_default(),
                };
                Some((k.as_f64()? as usize, answer))
            })
            .peekable();
        let results = rows
            .into_iter()
            .filter_map(|(k, v)| {
                let job = k.as_f64()? as usize;
                let cell: SavedCell = serde_json::from_str(&v.as_string()?).ok()?;
                while answers.next_if(|(a, _)| *a < job).is_some() {}
                let answer = answers.next_if(|(a, _)| *a == job).map(|(_, a)| a);
                Some((job, cell.joined(answer)))
            })
            .collect();
        Ok(Some((batch, results)))
    }

    /// Deletes the answers of `jobs` (their cells stay, marked dropped)
    /// and the history's run `run`, if given, in one transaction of
    /// deletions: a storage too full for any write still allows it.
    pub async fn drop_answers(&self, jobs: &[usize], run: Option<&str>) -> Result<(), String> {
        let tx = self.transaction(&[ANSWERS, RUNS], IdbTransactionMode::Readwrite)?;
        let issued = (|| {
            let answers = tx.object_store(ANSWERS)?;
            for &job in jobs {
                answers.delete(&JsValue::from_f64(job as f64))?;
            }
            if let Some(id) = run {
                tx.object_store(RUNS)?.delete(&JsValue::from_str(id))?;
            }
            Ok(())
        })();
        all_or_nothing(&tx, issued).await
    }

    /// Forgets the saved batch and its results.
    pub async fn clear_batch(&self) -> Result<(), String> {
        let tx = self.transaction(&[BATCH, RESULTS, ANSWERS], IdbTransactionMode::Readwrite)?;
        request(Self::store(&tx, BATCH)?.clear()).await?;
        request(Self::store(&tx, RESULTS)?.clear()).await?;
        request(Self::store(&tx, ANSWERS)?.clear()).await?;
        committed(&tx).await?;
        Ok(())
    }

    /// Adds (or replaces) the run with this id, as its JSON.
    pub async fn save_run(&self, id: &str, json: String) -> Result<(), String> {
        self.put(RUNS, JsValue::from_str(id), json).await
    }

    /// Every run in the history with its stored size in bytes, and how many
    /// stored entries could not be read (kept, not deleted: a later version
    /// may read them).
    pub async fn runs(&self) -> Result<(Vec<(RunRecord, usize)>, usize), String> {
        let tx = self.transaction(&[RUNS], IdbTransactionMode::Readonly)?;
        let rows = Self::scan(&tx, RUNS).await?;
        let total = rows.len();
        let runs: Vec<(RunRecord, usize)> = rows
            .into_iter()
            .filter_map(|(_, v)| {
                let json = v.as_string()?;
                Some((serde_json::from_str(&json).ok()?, json.len()))
            })
            .collect();
        let unreadable = total - runs.len();
        Ok((runs, unreadable))
    }

    /// Deletes one run from the history.
    pub async fn delete_run(&self, id: &str) -> Result<(), String> {
        let tx = self.transaction(&[RUNS], IdbTransactionMode::Readwrite)?;
        request(Self::store(&tx, RUNS)?.delete(&JsValue::from_str(id))).await?;
        committed(&tx).await?;
        Ok(())
    }

    /// Deletes the whole history.
    pub async fn clear_runs(&self) -> Result<(), String> {
        let tx = self.transaction(&[RUNS], IdbTransactionMode::Readwrite)?;
        request(Self::store(&tx, RUNS)?.clear()).await?;
        committed(&tx).await?;
        Ok(())
    }
}
