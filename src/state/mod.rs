//! The page's state layer: app-wide reactive state provided as context,
//! the run history, and what is kept on the device (localStorage, IndexedDB).

pub mod store;
