//! The demo provider: a simulated OpenAI-compatible server inside the page,
//! so Fanout does its whole job with no key and no network. It implements
//! the same [`crate::openai::Transport`] as the HTTP client; nothing above
//! that seam knows which one ran.

pub mod answers;
pub mod sim;
pub mod transport;

pub use sim::DemoSettings;
pub use transport::DemoTransport;
