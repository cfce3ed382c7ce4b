//! The race: the same tasks on 2–4 endpoints (provider, base URL, key,
//! model, K) at once. The per-endpoint figures, the live lanes and where
//! endpoints share an origin live here as plain Rust; an endpoint's
//! settings are `crate::settings::endpoint`, how far answers agree is
//! `crate::workflow::agreement`, and the session that runs a race is
//! `crate::session::race`.

pub mod figures;
pub mod live;
pub mod origins;

pub use figures::{EndpointFigures, FigureRow, best_of, figure_rows};
