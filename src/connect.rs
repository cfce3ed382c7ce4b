//! What a run talks to: the transport built from a connection's settings,
//! the HTTP client (its settings checked first) or the simulated server.
//! Kept apart from `settings` so that settings stay plain data and checks,
//! and every layer that builds transports sits above both.

use crate::demo::DemoTransport;
use crate::openai::{HttpTransport, Transport};
use crate::settings::{Provider, Settings, SettingsError};

/// The transport a run on `settings` uses, sending `api_key`; `signal`
/// cancels every request it makes.
pub fn transport(
    settings: &Settings,
    api_key: &str,
    signal: web_sys::AbortSignal,
) -> Result<Box<dyn Transport>, SettingsError> {
    match settings.provider {
        Provider::Api => Ok(Box::new(HttpTransport::new(
            settings.client_config(api_key)?,
            signal,
        ))),
        Provider::Demo => Ok(Box::new(DemoTransport::new(
            settings.demo,
            settings.retry_policy()?,
            signal,
        ))),
    }
}
