//! User settings: what they are, how they are checked, and how they persist.
//!
//! Settings are saved in localStorage; the API key is kept apart and saved
//! only when the user opts in ("remember on this device").

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::openai::request::{BaseUrlError, DEFAULT_BASE_URL, normalize_base_url};
use crate::openai::{ClientConfig, RetryPolicy, TokenParam};
use crate::workflow::cost::{Price, default_prices};

/// localStorage key of the settings (never holds the API key).
pub const SETTINGS_KEY: &str = "fanout.settings.v1";
/// localStorage key of the API key, present only when the user opted in.
pub const API_KEY_KEY: &str = "fanout.apikey.v1";

/// Everything the settings panel edits, except the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Base URL of the OpenAI-compatible API.
    pub base_url: String,
    /// Model id.
    pub model: String,
    /// Request timeout in seconds (time to headers, and longest gap in a stream).
    pub timeout_secs: f64,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Stream answers (off for servers or proxies that cannot).
    pub stream: bool,
    /// Which token-limit field requests carry.
    pub token_param: TokenParam,
    /// Keep the key in localStorage.
    pub remember_key: bool,
    /// Price table for cost estimates (editable).
    pub prices: Vec<Price>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            model: "gpt-4o-mini".into(),
            timeout_secs: 120.0,
            max_retries: 2,
            stream: true,
            token_param: TokenParam::Auto,
            remember_key: false,
            prices: default_prices(),
        }
    }
}

/// A setting that cannot be used, named after its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The base URL is unusable.
    #[error("{0}")]
    BaseUrl(#[from] BaseUrlError),
    /// No model chosen.
    #[error("Choose a model (Test connection lists the server's models).")]
    Model,
    /// Timeout out of range.
    #[error("The timeout must be between 1 and 600 seconds.")]
    Timeout,
    /// Too many retries.
    #[error("Retries must be between 0 and 10.")]
    Retries,
}

impl Settings {
    /// Largest retry count accepted.
    pub const MAX_RETRIES: u32 = 10;

    /// Parses stored settings, falling back to defaults for a missing or
    /// unreadable value (an old or hand-edited entry must not break the page).
    pub fn from_json(json: Option<&str>) -> Self {
        json.and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default()
    }

    /// Checks the base URL alone (shown next to its field).
    pub fn base_url_error(&self) -> Option<SettingsError> {
        normalize_base_url(&self.base_url).err().map(Into::into)
    }

    /// The client configuration, or the first setting that is wrong.
    pub fn client_config(&self, api_key: &str) -> Result<ClientConfig, SettingsError> {
        let base_url = normalize_base_url(&self.base_url)?;
        if self.model.trim().is_empty() {
            return Err(SettingsError::Model);
        }
        if !(1.0..=600.0).contains(&self.timeout_secs) {
            return Err(SettingsError::Timeout);
        }
        if self.max_retries > Self::MAX_RETRIES {
            return Err(SettingsError::Retries);
        }
        Ok(ClientConfig {
            base_url,
            api_key: api_key.trim().to_string(),
            timeout: Duration::from_secs_f64(self.timeout_secs),
            retry: RetryPolicy {
                max_retries: self.max_retries,
                ..RetryPolicy::default()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_openai_with_sdk_like_limits() {
        let cfg = Settings::default().client_config(" sk-test ").unwrap();
        assert_eq!(cfg.base_url, "https://api.openai.com/v1");
        assert_eq!(cfg.api_key, "sk-test");
        assert_eq!(cfg.timeout, Duration::from_secs(120));
        assert_eq!(cfg.retry.max_retries, 2);
    }

    #[test]
    fn bad_values_name_the_field() {
        let s = Settings {
            base_url: "localhost:8080".into(),
            ..Settings::default()
        };
        assert!(matches!(
            s.client_config(""),
            Err(SettingsError::BaseUrl(_))
        ));
        assert!(s.base_url_error().is_some());
        let s = Settings {
            model: " ".into(),
            ..Settings::default()
        };
        assert_eq!(s.client_config("").unwrap_err(), SettingsError::Model);
        let s = Settings {
            timeout_secs: 0.5,
            ..Settings::default()
        };
        assert_eq!(s.client_config("").unwrap_err(), SettingsError::Timeout);
        let s = Settings {
            max_retries: 11,
            ..Settings::default()
        };
        assert_eq!(s.client_config("").unwrap_err(), SettingsError::Retries);
    }

    #[test]
    fn stored_settings_never_hold_the_key_and_survive_bad_json() {
        let json = serde_json::to_string(&Settings::default()).unwrap();
        assert!(!json.to_lowercase().contains("api_key"));
        assert_eq!(Settings::from_json(Some(&json)), Settings::default());
        assert_eq!(Settings::from_json(Some("{not json")), Settings::default());
        // A partial entry from an older version keeps what it has.
        let s = Settings::from_json(Some(r#"{"model":"llama3"}"#));
        assert_eq!(s.model, "llama3");
        assert_eq!(s.base_url, DEFAULT_BASE_URL);
    }
}
