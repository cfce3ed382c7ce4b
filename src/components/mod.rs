//! Thin views over the plain modules.

mod batch;
mod browser;
mod extractor;
mod fields;
mod history;
mod order_panel;
mod prompt;
mod run_charts;
mod settings_panel;
mod task_card;
mod task_editor;
mod workflow;

pub use batch::BatchPanel;
pub use history::{ExportButtons, HistoryPanel, RunView};
pub use prompt::PromptPanel;
pub use settings_panel::SettingsPanel;
pub use workflow::WorkflowPanel;
