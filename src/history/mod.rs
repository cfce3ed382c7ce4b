//! Run history: the record of each run (`record`), what the page draws
//! from it (`derive`), checked import of run files (`import`), its headline
//! figures and the differences between two runs (`figures`), the files made
//! from it (`export`), other tools' result files (`foreign`), and the list and trend queries over many records
//! (`query`). Pure code with native tests; the page keeps records in
//! IndexedDB (`crate::state::store`).

pub mod derive;
pub mod export;
pub mod figures;
pub mod foreign;
pub mod import;
pub mod query;
pub mod race;
pub mod record;

pub use import::ImportError;
pub use record::RunRecord;
