//! Where the page's sessions end their runs: the history (IndexedDB) and
//! the measured durations (localStorage), and each batch cell as it arrives.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::batch::saved::Cell;
use crate::history::RunRecord;
use crate::session::RunSink;
use crate::session::batch::BatchSink;
use crate::state::store::Store;
use crate::state::{AppState, History};
use crate::workflow::order::Observation;

/// Batch cells whose write failed, by job: written again once space is
/// freed, so that a reload does not ask for them a second time.
pub type Unwritten = Rc<RefCell<Vec<usize>>>;

/// The page's [`RunSink`]: runs go to the history, durations to the log,
/// batch cells to the batch kept in IndexedDB (when it opened).
#[derive(Clone)]
pub struct PageSink {
    /// Where records go.
    pub history: History,
    /// Where durations go.
    pub state: AppState,
    /// The batch store, for cells.
    pub store: Option<Rc<Store>>,
    /// Where a batch's cells that could not be written are listed.
    pub unwritten: Option<Unwritten>,
}

impl RunSink for PageSink {
    fn date_ms(&self) -> f64 {
        js_sys::Date::now()
    }
    fn keep(&self, record: RunRecord) {
        self.history.add(record);
    }
    fn learn(&self, observations: Vec<Observation>) {
        self.state
            .durations
            .try_update(|log| log.extend(observations));
    }
}

impl BatchSink for PageSink {
    fn save_cell(&self, job: usize, cell: &Cell) {
        if let Some(db) = self.store.clone() {
            let cell = cell.clone();
            let storage = self.history.storage();
            let unwritten = self.unwritten.clone();
            spawn_local(async move {
                let saved = db.save_result(job, &cell).await;
                if let Some(u) = unwritten {
                    let mut u = u.borrow_mut();
                    u.retain(|j| *j != job);
                    if saved.is_err() {
                        u.push(job);
                    }
                }
                // A result that cannot be written is told (the batch view
                // pauses the batch on it), never dropped in silence.
                if let (Err(e), Some(s)) = (saved, storage) {
                    s.failed("Batch results could not be written", &e);
                }
            });
        }
    }
}
