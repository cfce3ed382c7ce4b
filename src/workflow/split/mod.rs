//! Splitting the task that sets the wall time into parts run side by side
//! (`cut`, `stitch`, `plan`); voting reuses the race's agreement rules.

pub mod cut;
pub mod plan;
pub mod stitch;

pub use cut::cut;
pub use plan::{Advice, Timing, advice, auto_parts, max_parts, split_ms};
pub use stitch::Stitch;
