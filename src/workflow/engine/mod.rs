//! The workflow engine: one text × the chosen tasks, run sequentially, in
//! parallel (join_all, or at most K at a time), compared or swept.
//!
//! Everything the page shows comes from the events this module reports, so
//! the page holds no scheduling logic and this module knows nothing of the
//! page: it is tested natively with a fake transport.

mod events;
mod fan;
mod run;
mod spec;

pub use events::*;
pub use fan::{Fan, MAX_PARTS, MAX_VOTES, SubKind, SubRequest, resolve_auto, run_fanned};
pub use run::*;
pub use spec::*;
