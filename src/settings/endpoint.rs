//! An endpoint of a race besides the main connection (kept in the settings): its own name, base
//! URL, model, K, optional requests-per-minute budget and price. Its key is
//! not here: keys stay in memory (or, when the user asks, in their own
//! storage entry), never in the settings, history or exports.

use serde::{Deserialize, Serialize};

use crate::demo::DemoSettings;
use crate::openai::request::KeyHeader;
use crate::settings::{Provider, Settings, SettingsError};
use crate::workflow::cost::Price;

/// Endpoints in a race at most, the main connection included.
pub const MAX_ENDPOINTS: usize = 4;

/// One added endpoint (2 to [`MAX_ENDPOINTS`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Endpoint {
    /// What the race calls it.
    pub name: String,
    /// The API at the base URL, or the page's simulated server.
    pub provider: Provider,
    /// Base URL of the OpenAI-compatible API.
    pub base_url: String,
    /// The header the key goes in.
    pub key_header: KeyHeader,
    /// Model id.
    pub model: String,
    /// Requests in flight at most (0 = every task at once).
    pub limit: usize,
    /// Requests per minute at most (0 = no budget).
    pub rpm: u32,
    /// Tokens per minute at most in a pool (0 = no budget).
    pub tpm: u32,
    /// More base URLs for the same server (lanes), like the connection's.
    pub lanes: Vec<String>,
    /// The base URL the lanes were listed for (they apply only to it).
    pub lanes_base: String,
    /// Dollars per million prompt tokens (with `price_out`; both 0 = the
    /// price table's entry for the model, if any).
    pub price_in: f64,
    /// Dollars per million completion tokens.
    pub price_out: f64,
    /// A simulated endpoint's speed against the demo settings (2 = twice
    /// the tokens per second and half the time to first token).
    pub demo_speed: f64,
}

impl Default for Endpoint {
    fn default() -> Self {
        Self {
            name: String::new(),
            provider: Provider::Api,
            base_url: String::new(),
            key_header: KeyHeader::Bearer,
            model: String::new(),
            limit: 0,
            rpm: 0,
            tpm: 0,
            lanes: Vec::new(),
            lanes_base: String::new(),
            price_in: 0.0,
            price_out: 0.0,
            demo_speed: 1.0,
        }
    }
}

impl Endpoint {
    /// The endpoint added as number `n` (2 to 4): like the main connection
    /// (same provider, base URL and model, so a second model or a second
    /// provider is one edit away); a simulated one runs at another speed so
    /// a demo race has a winner.
    pub fn added(n: usize, main: &Settings) -> Self {
        let simulated = main.provider == Provider::Demo;
        Self {
            name: if simulated {
                format!("Demo {}", ["", "", "fast", "slow", "steady"][n.min(4)])
            } else {
                format!("Endpoint {n}")
            },
            provider: main.provider,
            // A simulated endpoint has no server; typing one makes it real.
            base_url: if simulated {
                String::new()
            } else {
                main.base_url.clone()
            },
            key_header: main.key_header,
            model: main.model.clone(),
            lanes: if simulated {
                Vec::new()
            } else {
                main.current_lanes().to_vec()
            },
            lanes_base: if simulated {
                String::new()
            } else {
                main.lanes_base.clone()
            },
            demo_speed: match n {
                2 => 2.0,
                3 => 0.6,
                _ => 1.3,
            },
            ..Self::default()
        }
    }

    /// Sets its lanes, for its base URL as it is now.
    pub fn set_lanes(&mut self, lanes: Vec<String>) {
        self.lanes_base =
            crate::openai::request::normalize_base_url(&self.base_url).unwrap_or_default();
        self.lanes = lanes;
    }

    /// The name shown, never empty.
    pub fn label(&self, n: usize) -> String {
        match self.name.trim() {
            "" => format!("Endpoint {n}"),
            name => name.to_string(),
        }
    }

    /// Its own price, if both figures are set; else the table's.
    pub fn price(&self) -> Option<Price> {
        (self.price_in > 0.0 || self.price_out > 0.0).then(|| Price {
            model: self.model.trim().to_string(),
            input_per_mtok: self.price_in,
            output_per_mtok: self.price_out,
        })
    }

    /// The settings its requests go out with: the main settings' request
    /// options (timeout, retries, streaming, token field) with this
    /// endpoint's server, model and price; checked like the main ones.
    pub fn settings(&self, main: &Settings) -> Result<Settings, SettingsError> {
        let mut s = Settings {
            provider: self.provider,
            base_url: self.base_url.trim().to_string(),
            key_header: self.key_header,
            model: self.model.trim().to_string(),
            lanes: self.lanes.clone(),
            lanes_base: self.lanes_base.clone(),
            demo: DemoSettings {
                ttft_median_ms: main.demo.ttft_median_ms / self.speed(),
                tokens_per_s: main.demo.tokens_per_s * self.speed(),
                // Another server: another draw of times.
                seed: main.demo.seed.wrapping_add((self.speed() * 1000.0) as u64),
                ..main.demo
            },
            ..main.clone()
        };
        if let Some(p) = self.price() {
            s.prices.insert(0, p);
        }
        if s.provider == Provider::Api
            && let Some(e) = s.base_url_error().or_else(|| s.model_error())
        {
            return Err(e);
        }
        Ok(s)
    }

    fn speed(&self) -> f64 {
        if self.demo_speed.is_finite() && self.demo_speed > 0.0 {
            self.demo_speed.clamp(0.1, 10.0)
        } else {
            1.0
        }
    }

    /// The requests-per-minute budget, if any.
    pub fn rpm_budget(&self) -> Option<f64> {
        (self.rpm > 0).then_some(f64::from(self.rpm))
    }
}

/// What a race calls endpoint 1 (the connection in the settings): its
/// preset's name, its host, or "Demo".
pub fn main_label(main: &Settings) -> String {
    match main.provider {
        Provider::Demo => "Demo".into(),
        Provider::Api => crate::providers::preset_for(&main.base_url)
            .map(|p| p.name.to_string())
            .unwrap_or_else(|| main.server_host()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_added_endpoint_starts_like_the_main_connection() {
        let main = Settings {
            provider: Provider::Api,
            base_url: "http://127.0.0.1:8080/v1".into(),
            model: "llama".into(),
            ..Settings::default()
        };
        let e = Endpoint::added(2, &main);
        assert_eq!(
            (e.base_url.as_str(), e.model.as_str()),
            ("http://127.0.0.1:8080/v1", "llama")
        );
        assert_eq!(e.label(2), "Endpoint 2");
        assert_eq!(Endpoint::default().label(3), "Endpoint 3");
        // In demo mode each added endpoint runs at its own speed.
        let demo = Settings::default();
        let (fast, slow) = (Endpoint::added(2, &demo), Endpoint::added(3, &demo));
        assert_eq!(fast.name, "Demo fast");
        let (f, s) = (fast.settings(&demo).unwrap(), slow.settings(&demo).unwrap());
        assert!(f.demo.tokens_per_s > demo.demo.tokens_per_s);
        assert!(s.demo.tokens_per_s < demo.demo.tokens_per_s);
        assert!(f.demo.ttft_median_ms < s.demo.ttft_median_ms);
    }

    #[test]
    fn its_settings_are_checked_and_its_price_comes_first() {
        let main = Settings::default();
        let mut e = Endpoint {
            provider: Provider::Api,
            base_url: "localhost:8080".into(),
            model: "m".into(),
            ..Endpoint::default()
        };
        assert!(matches!(e.settings(&main), Err(SettingsError::BaseUrl(_))));
        e.base_url = "http://127.0.0.1:8080/v1".into();
        e.model = "two words".into();
        assert!(matches!(
            e.settings(&main),
            Err(SettingsError::ModelSpaces(_))
        ));
        e.model = "m".into();
        assert_eq!(e.price(), None);
        e.price_in = 2.0;
        let s = e.settings(&main).unwrap();
        assert_eq!(s.prices[0].model, "m");
        assert_eq!(s.prices[0].input_per_mtok, 2.0);
        assert_eq!(s.timeout_secs, main.timeout_secs);
        assert_eq!(e.rpm_budget(), None);
        e.rpm = 30;
        assert_eq!(e.rpm_budget(), Some(30.0));
    }

    #[test]
    fn an_endpoint_has_lanes_of_its_own_for_its_base_url() {
        let main = Settings::default();
        let mut e = Endpoint {
            provider: Provider::Api,
            base_url: "http://127.0.0.1:9000/v1".into(),
            model: "m".into(),
            ..Endpoint::default()
        };
        e.set_lanes(vec!["http://localhost:9000/v1".into()]);
        let s = e.settings(&main).unwrap();
        assert_eq!(s.lane_count(), 2);
        assert_eq!(
            s.client_config("").unwrap().lanes,
            ["http://localhost:9000/v1"]
        );
        e.base_url = "http://127.0.0.1:9100/v1".into();
        assert_eq!(e.settings(&main).unwrap().lane_count(), 1);
    }
}
