//! User settings: what they are, how they are checked, and how they persist.
//!
//! Settings are saved in localStorage; the API key is kept apart and saved
//! only when the user opts in ("remember on this device").

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::demo::DemoSettings;
use crate::openai::lanes::lane_bases;
use crate::openai::request::{
    BaseUrlError, DEFAULT_BASE_URL, KeyHeader, host_of, normalize_base_url, plain_http_to_remote,
};
use crate::openai::{ClientConfig, RetryPolicy, TokenParam};
use crate::pool::Policy;
use crate::workflow::cost::{Price, default_prices};
use crate::workflow::engine::RunSpec;
use crate::workflow::order::{Order, SpeedModel};

pub mod endpoint;

pub use endpoint::{Endpoint, MAX_ENDPOINTS, main_label};

/// localStorage key of the settings (never holds the API key).
pub const SETTINGS_KEY: &str = "fanout.settings.v1";
/// localStorage key of the API key, present only when the user opted in.
pub const API_KEY_KEY: &str = "fanout.apikey.v1";
/// localStorage key of the race endpoints' keys (a list, endpoint 2 first),
/// present only when the user opted in, like the main key.
pub const ENDPOINT_KEYS_KEY: &str = "fanout.endpointkeys.v1";

/// Who answers the requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Provider {
    /// A simulated server inside the page: no key, no network.
    #[default]
    Demo,
    /// An OpenAI-compatible API at the base URL.
    Api,
}

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
    /// Who answers: the API, or the simulated demo provider.
    pub provider: Provider,
    /// How the demo provider behaves.
    pub demo: DemoSettings,
    /// The order requests start in when they cannot all start at once.
    pub order: Order,
    /// The user accepted sending the key over plain http:// to another machine.
    pub allow_plain_http: bool,
    /// Figures for expected durations when none were measured.
    pub speed: SpeedModel,
    /// The header the key goes in (Azure OpenAI wants `api-key`).
    pub key_header: KeyHeader,
    /// Endpoints 2 to 4 of a race (endpoint 1 is this connection); their
    /// keys are kept apart like this one's.
    pub endpoints: Vec<Endpoint>,
    /// More base URLs for the same server (lanes: other names or
    /// addresses of it), found by "Find lanes" or listed by the user.
    pub lanes: Vec<String>,
    /// The base URL (normalised) the lanes were found or listed for: they
    /// apply only while it is the base URL, so that a key never follows
    /// old lanes to another server.
    pub lanes_base: String,
    /// Spread batches over this connection and the endpoints (a pool).
    pub batch_pool: bool,
    /// How a pool shares jobs between its members.
    pub pool_policy: Policy,
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
            provider: Provider::Demo,
            demo: DemoSettings::default(),
            order: Order::default(),
            allow_plain_http: false,
            speed: SpeedModel::default(),
            key_header: KeyHeader::Bearer,
            endpoints: Vec::new(),
            lanes: Vec::new(),
            lanes_base: String::new(),
            batch_pool: false,
            pool_policy: Policy::default(),
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
    /// A model id with spaces in it.
    #[error("A model id has no spaces (got \"{0}\"); Test connection lists the server's ids.")]
    ModelSpaces(String),
    /// Timeout out of range.
    #[error("The timeout must be between 1 and 600 seconds.")]
    Timeout,
    /// The key would cross the network unencrypted.
    #[error(
        "This base URL is plain http:// to another machine, so the API key would cross the network unencrypted. Use https://, or tick \"Send the key over plain http\" to accept that."
    )]
    PlainHttpKey,
    /// Too many retries.
    #[error("Retries must be between 0 and 10.")]
    Retries,
    /// A lane that is not a base URL.
    #[error("Lane {0}: {1}")]
    Lane(String, BaseUrlError),
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

    /// Checks the model id alone (shown next to its field).
    pub fn model_error(&self) -> Option<SettingsError> {
        let model = self.model.trim();
        if model.is_empty() {
            Some(SettingsError::Model)
        } else if model.contains(char::is_whitespace) {
            Some(SettingsError::ModelSpaces(model.to_string()))
        } else {
            None
        }
    }

    /// The provider the page opens with. Without a key, OpenAI's own API
    /// cannot answer, so the page opens in demo mode; a user who chose a
    /// local server (which needs no key) keeps it.
    pub fn provider_on_open(&self, has_key: bool) -> Provider {
        let needs_key = normalize_base_url(&self.base_url).is_ok_and(|u| u == DEFAULT_BASE_URL);
        if self.provider == Provider::Api && !has_key && needs_key {
            Provider::Demo
        } else {
            self.provider
        }
    }

    /// The retry policy, or the error if the retry count is out of range.
    pub fn retry_policy(&self) -> Result<RetryPolicy, SettingsError> {
        if self.max_retries > Self::MAX_RETRIES {
            return Err(SettingsError::Retries);
        }
        Ok(RetryPolicy {
            max_retries: self.max_retries,
            ..RetryPolicy::default()
        })
    }

    /// Which server measured durations belong to: the base URL's host, or
    /// "demo" for the demo provider.
    pub fn server_host(&self) -> String {
        if self.provider == Provider::Demo {
            return "demo".into();
        }
        host_of(self.base_url.trim()).to_ascii_lowercase()
    }

    /// A run of these settings' model and request options, translating into `language`.
    pub fn run_spec(&self, language: &str) -> RunSpec {
        RunSpec {
            stream: self.stream,
            token_param: self.token_param,
            language: language.to_string(),
            ..RunSpec::new(self.model.trim())
        }
    }

    /// The lanes that apply: those listed for the base URL as it is now.
    pub fn current_lanes(&self) -> &[String] {
        let base = normalize_base_url(&self.base_url).unwrap_or_default();
        if !base.is_empty() && base == self.lanes_base {
            &self.lanes
        } else {
            &[]
        }
    }

    /// Sets the lanes of the base URL as it is now.
    pub fn set_lanes(&mut self, lanes: Vec<String>) {
        self.lanes_base = normalize_base_url(&self.base_url).unwrap_or_default();
        self.lanes = lanes;
    }

    /// The base URLs requests go to: the base URL first, then each lane on
    /// another origin; or the first lane that is not a base URL.
    pub fn lane_bases(&self) -> Result<Vec<String>, SettingsError> {
        for lane in self.current_lanes().iter().filter(|l| !l.trim().is_empty()) {
            if let Err(e) = normalize_base_url(lane) {
                return Err(SettingsError::Lane(lane.trim().to_string(), e));
            }
        }
        Ok(lane_bases(&self.base_url, self.current_lanes()))
    }

    /// How many origins requests spread over: 1 for the demo provider or
    /// a connection with no lanes (or lanes that cannot be used yet).
    pub fn lane_count(&self) -> usize {
        match self.provider {
            Provider::Demo => 1,
            Provider::Api => self.lane_bases().map_or(1, |b| b.len().max(1)),
        }
    }

    /// Each pool member's K for a batch at `batch_k`: the connection's is
    /// the batch's; an endpoint's is its own, or the batch's when 0.
    pub fn pool_ks(&self, batch_k: usize) -> Vec<usize> {
        std::iter::once(batch_k)
            .chain(
                self.endpoints
                    .iter()
                    .map(|e| if e.limit > 0 { e.limit } else { batch_k }),
            )
            .collect()
    }

    /// The client configuration, or the first setting that is wrong.
    pub fn client_config(&self, api_key: &str) -> Result<ClientConfig, SettingsError> {
        let base_url = normalize_base_url(&self.base_url)?;
        if let Some(e) = self.model_error() {
            return Err(e);
        }
        if !(1.0..=600.0).contains(&self.timeout_secs) {
            return Err(SettingsError::Timeout);
        }
        let lanes = self.lane_bases()?;
        let key_crosses = lanes.iter().any(|b| plain_http_to_remote(b));
        if !api_key.trim().is_empty() && key_crosses && !self.allow_plain_http {
            return Err(SettingsError::PlainHttpKey);
        }
        Ok(ClientConfig {
            lanes: lanes.into_iter().skip(1).collect(),
            base_url,
            api_key: api_key.trim().to_string(),
            key_header: self.key_header,
            timeout: Duration::from_secs_f64(self.timeout_secs),
            retry: self.retry_policy()?,
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
    fn model_ids_with_spaces_are_refused_with_the_id() {
        let s = Settings {
            model: " gpt 4o ".into(),
            ..Settings::default()
        };
        assert_eq!(
            s.model_error(),
            Some(SettingsError::ModelSpaces("gpt 4o".into()))
        );
        assert!(
            s.client_config("k")
                .unwrap_err()
                .to_string()
                .contains("\"gpt 4o\"")
        );
        let ok = Settings {
            model: " gpt-4o ".into(),
            ..Settings::default()
        };
        assert_eq!(ok.model_error(), None);
    }

    #[test]
    fn a_key_is_not_sent_over_plain_http_to_another_machine_unless_accepted() {
        let mut s = Settings {
            base_url: "http://192.168.1.5:8000/v1".into(),
            ..Settings::default()
        };
        assert_eq!(s.client_config("sk-x"), Err(SettingsError::PlainHttpKey));
        assert!(
            s.client_config("sk-x")
                .unwrap_err()
                .to_string()
                .contains("https://")
        );
        // No key, nothing to protect; a local server is fine.
        assert!(s.client_config("  ").is_ok());
        s.base_url = "http://127.0.0.1:8000/v1".into();
        assert!(s.client_config("sk-x").is_ok());
        s.base_url = "http://192.168.1.5:8000/v1".into();
        s.allow_plain_http = true;
        assert!(s.client_config("sk-x").is_ok());
    }

    #[test]
    fn measured_durations_are_kept_per_server_host() {
        let mut s = Settings::default();
        assert_eq!(s.server_host(), "demo");
        s.provider = Provider::Api;
        assert_eq!(s.server_host(), "api.openai.com");
        s.base_url = " HTTP://127.0.0.1:8190/v1/ ".into();
        assert_eq!(s.server_host(), "127.0.0.1:8190");
        // Settings saved before ordering existed load with its defaults.
        let old: Settings = serde_json::from_str(r#"{"model":"m"}"#).unwrap();
        assert_eq!(old.order, Order::LongestFirst);
        assert_eq!(old.speed, SpeedModel::default());
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
    fn without_a_key_openai_opens_in_demo_mode_but_a_local_server_stays() {
        let api = Settings {
            provider: Provider::Api,
            ..Settings::default()
        };
        assert_eq!(api.provider_on_open(false), Provider::Demo);
        assert_eq!(api.provider_on_open(true), Provider::Api);
        let local = Settings {
            base_url: "http://127.0.0.1:8080/v1".into(),
            ..api.clone()
        };
        assert_eq!(local.provider_on_open(false), Provider::Api);
        // A new visitor starts in demo mode; a chosen demo stays demo.
        assert_eq!(Settings::default().provider_on_open(true), Provider::Demo);
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

    #[test]
    fn lanes_apply_to_the_base_url_they_were_listed_for_only() {
        let mut s = Settings {
            provider: Provider::Api,
            base_url: "http://127.0.0.1:8081/v1".into(),
            ..Settings::default()
        };
        s.set_lanes(vec!["http://localhost:8081/v1".into()]);
        assert_eq!(s.lane_count(), 2);
        let cfg = s.client_config("sk-x").unwrap();
        assert_eq!(cfg.lanes, ["http://localhost:8081/v1"]);
        // Another server: the old lanes (and the key) do not follow.
        s.base_url = "https://api.openai.com/v1".into();
        assert_eq!(s.lane_count(), 1);
        assert!(s.client_config("sk-x").unwrap().lanes.is_empty());
        // Back to it (written differently): they apply again.
        s.base_url = " http://127.0.0.1:8081/v1/ ".into();
        assert_eq!(s.lane_count(), 2);
        // A lane that is not a base URL is refused with its text.
        s.set_lanes(vec!["nonsense".into()]);
        assert!(matches!(s.client_config(""), Err(SettingsError::Lane(l, _)) if l == "nonsense"));
        assert_eq!(s.lane_count(), 1);
        // A lane to another machine over plain http needs the consent a
        // base URL there would.
        s.set_lanes(vec!["http://192.168.1.5:8081/v1".into()]);
        assert_eq!(s.client_config("sk-x"), Err(SettingsError::PlainHttpKey));
        // The demo provider has one lane whatever is listed.
        s.provider = Provider::Demo;
        assert_eq!(s.lane_count(), 1);
    }

    #[test]
    fn a_pools_members_take_their_own_k_or_the_batchs() {
        let s = Settings {
            endpoints: vec![
                Endpoint {
                    limit: 8,
                    ..Endpoint::default()
                },
                Endpoint::default(),
            ],
            ..Settings::default()
        };
        assert_eq!(s.pool_ks(4), [4, 8, 4]);
        assert_eq!(Settings::default().pool_ks(6), [6]);
    }
}
