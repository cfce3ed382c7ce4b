//! The run's figures and charts: headline numbers (`headline`), the
//! waterfall timeline (`timeline`), per-task bars and the same numbers as
//! a table (`per_task`), the concurrency sweep (`sweep`). Geometry comes
//! from `crate::charts`, figures from `crate::workflow::live`.

mod headline;
mod per_task;
mod sweep;
mod timeline;

use leptos::prelude::*;

use crate::workflow::live::LiveRow;
use crate::workflow::runner::Mode;

pub use headline::Headline;
pub use per_task::{PerTaskBars, PerTaskTable};
pub use sweep::SweepChart;
pub use timeline::{Timeline, TimelineChart};

/// Live timeline rows per mode.
pub type Rows = RwSignal<Vec<(Mode, Vec<LiveRow>)>>;
