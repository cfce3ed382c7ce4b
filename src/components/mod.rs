//! Thin views over the plain modules.

// `unreachable_pub` does not fit here: `#[component]` generates items with
// the function's visibility that the lint reports wherever a view is
// `pub(crate)`, so the views keep plain `pub` behind this private module.
#![allow(unreachable_pub)]

mod batch;
mod browser;
mod capacity;
mod connection_bar;
mod extractor;
mod fields;
mod history;
pub mod hooks;
mod job;
mod lanes;
mod local_servers;
mod order_panel;
mod prompt;
mod race;
mod request_figures;
mod run_charts;
mod settings_panel;
mod share;
mod storage_note;
mod task_card;
mod task_editor;
mod task_options;
mod virtual_rows;
mod welcome;
mod workflow;

pub use batch::BatchPanel;
pub use browser::{use_hash_view, use_next_task};
pub use connection_bar::{ConnectionBar, SettingsOpen};
pub use history::{ExportButtons, HistoryPanel, RunView};
pub use prompt::PromptPanel;
pub use settings_panel::SettingsPanel;
pub use share::SharedRun;
pub use workflow::WorkflowPanel;
