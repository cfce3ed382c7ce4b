//! Thin views over the plain modules.

mod prompt;
mod settings_panel;
mod workflow;

pub use prompt::PromptPanel;
pub use settings_panel::SettingsPanel;
pub use workflow::WorkflowPanel;
