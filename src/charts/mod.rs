//! Chart geometry as pure functions (scales, ticks, bar layout), drawn as SVG
//! by the components. No Leptos chart crate draws range bars (a Gantt
//! timeline), so the small amount of layout maths is written here.

pub mod bars;
pub mod capacity;
pub mod gauge;
pub mod scale;
pub mod sweep;
pub mod timeline;
pub mod trend;
