//! Thin views over the plain modules.

mod prompt;
mod settings_panel;

pub use prompt::PromptPanel;
pub use settings_panel::SettingsPanel;
