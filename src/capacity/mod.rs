//! Capacity: the most requests a server holds at once for the user's own
//! tasks while every request still meets latency targets, found by doubling
//! K then bisecting, with the reason the next K broke.
//!
//! `figures` (per-request figures, spreads, goodput), `search` (which K
//! next), `verdict` (held or not, the sentence, the reason) are pure;
//! `run` drives them through a [`crate::openai::Transport`].

pub mod figures;
pub mod run;
pub mod search;
pub mod verdict;

pub use figures::{COLUMNS, MIN_FOR_P90, RequestFigures, RequestStats, Spread, Targets};
pub use run::{Cap, Capacity, CapacityEvent, MAX_K, browser_cap, run_capacity};
pub use search::Search;
pub use verdict::{Step, close_note, is_queueing, too_close};
