//! The page's state layer: app-wide reactive state provided as context,
//! the run history, and what is kept on the device (localStorage, IndexedDB).

pub mod app;
pub mod history;
pub mod route;
pub mod sink;
pub mod storage;
pub mod store;
pub mod tabs;

pub use app::AppState;
pub use history::History;
pub use storage::Storage;
