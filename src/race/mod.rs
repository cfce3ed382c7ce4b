//! The race: the same tasks on 2–4 endpoints (provider, base URL, key,
//! model, K) at once. Endpoint settings, the per-endpoint figures and how
//! far the endpoints agree live here as plain Rust; the session that runs a
//! race is `crate::session::race`.

pub mod agreement;
pub mod endpoint;
pub mod figures;
pub mod live;

pub use agreement::{Agreement, agreement};
pub use endpoint::{Endpoint, MAX_ENDPOINTS};
pub use figures::{EndpointFigures, FigureRow, best_of, figure_rows};
