//! Provider presets: where each OpenAI-compatible service listens, how it
//! wants the key, a model to start with, and what it documents about calls
//! from a browser (CORS). Picking one fills the settings; all stays editable.

use crate::openai::request::{KeyHeader, normalize_base_url};

/// One provider's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    /// Stable id (the select's value and test hook).
    pub id: &'static str,
    /// What the list calls it.
    pub name: &'static str,
    /// Base URL (for Azure, a placeholder resource name to replace).
    pub base_url: &'static str,
    /// The header the key goes in.
    pub key_header: KeyHeader,
    /// A model to start with (Azure: a deployment name).
    pub model: &'static str,
    /// Runs on this machine and needs no key by default.
    pub local: bool,
    /// Calls from a browser: what its documentation says, and whether this
    /// project has checked it (it has no network access to hosted APIs, so
    /// none of those is verified here).
    pub browser: &'static str,
}

const UNVERIFIED: &str = "Not verified from this project, which cannot reach hosted APIs.";

/// Every preset, hosted first, then local servers; "custom" keeps whatever
/// is typed.
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "openai",
        name: "OpenAI",
        base_url: "https://api.openai.com/v1",
        key_header: KeyHeader::Bearer,
        model: "gpt-4o-mini",
        local: false,
        browser: "Answers browser calls with CORS headers in practice; its documentation advises against putting keys in browsers (here the key stays on your device).",
    },
    Preset {
        id: "azure",
        name: "Azure OpenAI",
        base_url: "https://YOUR-RESOURCE.openai.azure.com/openai/v1",
        key_header: KeyHeader::ApiKey,
        model: "your-deployment-name",
        local: false,
        browser: "The v1 endpoint takes the key in an api-key header; replace YOUR-RESOURCE and use your deployment's name as the model. Browser (CORS) support is not documented.",
    },
    Preset {
        id: "openrouter",
        name: "OpenRouter",
        base_url: "https://openrouter.ai/api/v1",
        key_header: KeyHeader::Bearer,
        model: "openai/gpt-4o-mini",
        local: false,
        browser: "Documents calls straight from browser code.",
    },
    Preset {
        id: "groq",
        name: "Groq",
        base_url: "https://api.groq.com/openai/v1",
        key_header: KeyHeader::Bearer,
        model: "llama-3.1-8b-instant",
        local: false,
        browser: "Browser (CORS) support is not documented.",
    },
    Preset {
        id: "together",
        name: "Together",
        base_url: "https://api.together.xyz/v1",
        key_header: KeyHeader::Bearer,
        model: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        local: false,
        browser: "Browser (CORS) support is not documented.",
    },
    Preset {
        id: "mistral",
        name: "Mistral",
        base_url: "https://api.mistral.ai/v1",
        key_header: KeyHeader::Bearer,
        model: "mistral-small-latest",
        local: false,
        browser: "Browser (CORS) support is not documented.",
    },
    Preset {
        id: "deepseek",
        name: "DeepSeek",
        base_url: "https://api.deepseek.com/v1",
        key_header: KeyHeader::Bearer,
        model: "deepseek-chat",
        local: false,
        browser: "Browser (CORS) support is not documented.",
    },
    Preset {
        id: "fireworks",
        name: "Fireworks",
        base_url: "https://api.fireworks.ai/inference/v1",
        key_header: KeyHeader::Bearer,
        model: "accounts/fireworks/models/llama-v3p1-8b-instruct",
        local: false,
        browser: "Browser (CORS) support is not documented.",
    },
    Preset {
        id: "gemini",
        name: "Gemini (OpenAI-compatible)",
        base_url: "https://generativelanguage.googleapis.com/v1beta/openai",
        key_header: KeyHeader::Bearer,
        model: "gemini-2.0-flash",
        local: false,
        browser: "Browser (CORS) support of the OpenAI-compatible endpoint is not documented.",
    },
    Preset {
        id: "ollama",
        name: "Ollama (this machine)",
        base_url: "http://127.0.0.1:11434/v1",
        key_header: KeyHeader::Bearer,
        model: "llama3.2",
        local: true,
        browser: "Allows only some origins by default: start it with OLLAMA_ORIGINS=* (its FAQ).",
    },
    Preset {
        id: "llamacpp",
        name: "llama.cpp server (this machine)",
        base_url: "http://127.0.0.1:8080/v1",
        key_header: KeyHeader::Bearer,
        model: "local",
        local: true,
        browser: "llama-server answers any origin by default; it serves the model it was started with, whatever the model field says.",
    },
    Preset {
        id: "vllm",
        name: "vLLM (this machine)",
        base_url: "http://127.0.0.1:8000/v1",
        key_header: KeyHeader::Bearer,
        model: "your-served-model",
        local: true,
        browser: "Start it with --allowed-origins '[\"*\"]'; the model is the name it serves.",
    },
    Preset {
        id: "lmstudio",
        name: "LM Studio (this machine)",
        base_url: "http://127.0.0.1:1234/v1",
        key_header: KeyHeader::Bearer,
        model: "your-loaded-model",
        local: true,
        browser: "Turn on CORS in its server settings.",
    },
];

impl Preset {
    /// What the settings say about browser calls to it, with whether that
    /// was checked.
    pub fn browser_note(&self) -> String {
        if self.local {
            self.browser.to_string()
        } else {
            format!("{} {UNVERIFIED}", self.browser)
        }
    }
}

/// The preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// The preset whose base URL this is (after the usual normalising: a pasted
/// endpoint or a trailing slash still matches); `None` is "Custom".
pub fn preset_for(base_url: &str) -> Option<&'static Preset> {
    let base = normalize_base_url(base_url).ok()?;
    PRESETS
        .iter()
        .find(|p| normalize_base_url(p.base_url).ok().as_deref() == Some(base.as_str()))
}

/// The ports local model servers listen on by default, probed by "Find
/// local servers": (port, who usually listens there).
pub const LOCAL_PORTS: &[(u16, &str)] = &[
    (11434, "Ollama"),
    (8080, "llama.cpp"),
    (8000, "vLLM"),
    (1234, "LM Studio"),
    (5000, "a local server"),
    (5001, "a local server"),
    (8081, "a local server"),
];

/// The base URL probed for a local port.
pub fn local_base_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/v1")
}

/// What a probe of one local port found.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// An OpenAI-compatible server this page may call, with its models.
    Found(Vec<String>),
    /// Something answered, but not to this page: it sent no CORS headers.
    NoCors,
    /// Something answered to this page but not as an OpenAI-compatible
    /// server (an error status or not the model list).
    NotOpenAi(String),
    /// No answer: nothing listens there, or the browser kept the page from
    /// asking (Local Network Access, when the page is not on this machine).
    Nothing,
}

impl Probe {
    /// One line for the list, naming the cause of a refusal.
    pub fn describe(&self, port: u16, usual: &str, page_is_local: bool) -> String {
        let at = format!("127.0.0.1:{port} ({usual})");
        match self {
            Probe::Found(models) => format!("{at}: {} model(s)", models.len()),
            Probe::NoCors => format!(
                "{at}: a server answers but does not allow calls from this page (CORS); start it with its CORS option"
            ),
            Probe::NotOpenAi(why) => {
                format!("{at}: answers, but not as an OpenAI-compatible server ({why})")
            }
            Probe::Nothing if page_is_local => format!("{at}: nothing listening"),
            Probe::Nothing => format!(
                "{at}: no answer: nothing listening, or the browser's Local Network Access permission for this page was refused"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_usable_and_unique() {
        let mut ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), PRESETS.len());
        for p in PRESETS {
            let base = normalize_base_url(p.base_url).unwrap();
            // Hosted presets are https; local ones are this machine.
            if p.local {
                assert!(base.starts_with("http://127.0.0.1:"), "{}", p.id);
            } else {
                assert!(base.starts_with("https://"), "{}", p.id);
                assert!(p.browser_note().contains("Not verified"), "{}", p.id);
            }
            assert!(!p.model.contains(' '), "{}", p.id);
            assert_eq!(preset_for(p.base_url), Some(p), "{}", p.id);
        }
    }

    #[test]
    fn local_probes_cover_the_usual_ports_and_name_each_cause() {
        let ports: Vec<u16> = LOCAL_PORTS.iter().map(|p| p.0).collect();
        assert_eq!(ports, [11434, 8080, 8000, 1234, 5000, 5001, 8081]);
        // Every local preset's port is probed.
        for p in PRESETS.iter().filter(|p| p.local) {
            assert!(
                LOCAL_PORTS
                    .iter()
                    .any(|(port, _)| p.base_url == local_base_url(*port)),
                "{}",
                p.id
            );
        }
        let found = Probe::Found(vec!["a".into(), "b".into()]);
        assert_eq!(
            found.describe(11434, "Ollama", true),
            "127.0.0.1:11434 (Ollama): 2 model(s)"
        );
        assert!(
            Probe::NoCors
                .describe(8080, "llama.cpp", true)
                .contains("(CORS)")
        );
        assert!(
            Probe::Nothing
                .describe(8000, "vLLM", true)
                .ends_with("nothing listening")
        );
        assert!(
            Probe::Nothing
                .describe(8000, "vLLM", false)
                .contains("Local Network Access")
        );
        assert!(
            Probe::NotOpenAi("HTTP 404".into())
                .describe(5000, "x", true)
                .contains("HTTP 404")
        );
    }

    #[test]
    fn only_azure_takes_the_key_in_an_api_key_header() {
        let api_key: Vec<&str> = PRESETS
            .iter()
            .filter(|p| p.key_header == KeyHeader::ApiKey)
            .map(|p| p.id)
            .collect();
        assert_eq!(api_key, ["azure"]);
    }

    #[test]
    fn a_pasted_endpoint_still_names_its_preset_and_others_are_custom() {
        assert_eq!(
            preset_for("https://openrouter.ai/api/v1/chat/completions").map(|p| p.id),
            Some("openrouter")
        );
        assert_eq!(
            preset_for("https://api.openai.com/v1/").map(|p| p.id),
            Some("openai")
        );
        assert_eq!(preset_for("http://127.0.0.1:8190/v1"), None);
        assert_eq!(preset_for("not a url"), None);
        assert_eq!(
            preset("groq").map(|p| p.model),
            Some("llama-3.1-8b-instant")
        );
    }
}
