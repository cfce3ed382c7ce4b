//! Run history: the record of each run (`record`), reports and exports made
//! from it (`report`), and the list, comparison and trend queries over many
//! records (`query`). Pure code with native tests; the page keeps records
//! in IndexedDB (`crate::state::store`).

pub mod query;
pub mod record;
pub mod report;

pub use record::{ImportError, RunRecord};
