//! What Fanout keeps in the browser's IndexedDB (through rexie): the batch
//! in progress and its results as they arrive, so a reload loses nothing,
//! and the run history. Values are stored as JSON strings.

use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

use crate::batch::saved::{Cell, SavedBatch};
use crate::history::RunRecord;

/// The database's name (removed whole by "forget everything").
pub const DB: &str = "fanout";
const BATCH: &str = "batch";
const RESULTS: &str = "batch_results";
const CURRENT: &str = "current";
const RUNS: &str = "runs";

/// The open database.
pub struct Store(Rexie);

fn err(e: impl std::fmt::Display) -> String {
    format!("The browser's storage failed: {e}")
}

impl Store {
    /// Opens (and on first use creates) the database.
    pub async fn open() -> Result<Self, String> {
        Rexie::builder(DB)
            // Version 2 added the history; upgrading keeps the other stores.
            .version(2)
            .add_object_store(ObjectStore::new(BATCH))
            .add_object_store(ObjectStore::new(RESULTS))
            .add_object_store(ObjectStore::new(RUNS))
            .build()
            .await
            .map(Store)
            .map_err(err)
    }

    async fn put(&self, store: &str, key: JsValue, json: String) -> Result<(), String> {
        let tx = self
            .0
            .transaction(&[store], TransactionMode::ReadWrite)
            .map_err(err)?;
        tx.store(store)
            .map_err(err)?
            .put(&JsValue::from_str(&json), Some(&key))
            .await
            .map_err(err)?;
        tx.done().await.map_err(err)?;
        Ok(())
    }

    /// A new batch starts: it replaces any saved one and its results.
    pub async fn start_batch(&self, batch: &SavedBatch) -> Result<(), String> {
        self.clear_batch().await?;
        let json = serde_json::to_string(batch).map_err(err)?;
        self.put(BATCH, JsValue::from_str(CURRENT), json).await
    }

    /// Saves one finished job's result.
    pub async fn save_result(&self, job: usize, cell: &Cell) -> Result<(), String> {
        let json = serde_json::to_string(cell).map_err(err)?;
        self.put(RESULTS, JsValue::from_f64(job as f64), json).await
    }

    /// The saved batch and its results, if there is one.
    pub async fn load_batch(&self) -> Result<Option<(SavedBatch, Vec<(usize, Cell)>)>, String> {
        let tx = self
            .0
            .transaction(&[BATCH, RESULTS], TransactionMode::ReadOnly)
            .map_err(err)?;
        let Some(raw) = tx
            .store(BATCH)
            .map_err(err)?
            .get(JsValue::from_str(CURRENT))
            .await
            .map_err(err)?
        else {
            return Ok(None);
        };
        let batch: SavedBatch = serde_json::from_str(&raw.as_string().unwrap_or_default())
            .map_err(|e| err(format!("a saved batch is unreadable ({e})")))?;
        let rows = tx
            .store(RESULTS)
            .map_err(err)?
            .scan(None, None, None, None)
            .await
            .map_err(err)?;
        let results = rows
            .into_iter()
            .filter_map(|(k, v)| {
                let job = k.as_f64()? as usize;
                let cell = serde_json::from_str(&v.as_string()?).ok()?;
                Some((job, cell))
            })
            .collect();
        Ok(Some((batch, results)))
    }

    /// Forgets the saved batch and its results.
    pub async fn clear_batch(&self) -> Result<(), String> {
        let tx = self
            .0
            .transaction(&[BATCH, RESULTS], TransactionMode::ReadWrite)
            .map_err(err)?;
        tx.store(BATCH).map_err(err)?.clear().await.map_err(err)?;
        tx.store(RESULTS).map_err(err)?.clear().await.map_err(err)?;
        tx.done().await.map_err(err)?;
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
        let tx = self
            .0
            .transaction(&[RUNS], TransactionMode::ReadOnly)
            .map_err(err)?;
        let rows = tx
            .store(RUNS)
            .map_err(err)?
            .scan(None, None, None, None)
            .await
            .map_err(err)?;
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
        let tx = self
            .0
            .transaction(&[RUNS], TransactionMode::ReadWrite)
            .map_err(err)?;
        tx.store(RUNS)
            .map_err(err)?
            .delete(JsValue::from_str(id))
            .await
            .map_err(err)?;
        tx.done().await.map_err(err)?;
        Ok(())
    }

    /// Deletes the whole history.
    pub async fn clear_runs(&self) -> Result<(), String> {
        let tx = self
            .0
            .transaction(&[RUNS], TransactionMode::ReadWrite)
            .map_err(err)?;
        tx.store(RUNS).map_err(err)?.clear().await.map_err(err)?;
        tx.done().await.map_err(err)?;
        Ok(())
    }
}
