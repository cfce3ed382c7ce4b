//! The user's task list: built-in tasks (possibly edited) followed by tasks
//! the user wrote, with the rules for saving, resetting, removing, and
//! exporting/importing them as JSON. Stored as one JSON value on the device.

use serde::{Deserialize, Serialize};

use crate::workflow::tasks::{TaskDef, TaskError, builtin_tasks, validate_task};

/// localStorage key of the catalog.
pub const TASKS_KEY: &str = "fanout.tasks.v1";

/// The `format` tag of an exported file.
pub const EXPORT_FORMAT: &str = "fanout-tasks";

/// Edits to the built-in tasks and the user's own tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCatalog {
    /// Built-in tasks the user changed (same id as the built-in).
    #[serde(default)]
    pub edited: Vec<TaskDef>,
    /// The user's tasks, in the order they were added.
    #[serde(default)]
    pub custom: Vec<TaskDef>,
}

/// An exported task file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ExportFile {
    format: String,
    version: u32,
    tasks: Vec<TaskDef>,
}

/// Why an import was refused (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON, or not a task file.
    #[error("This is not a Fanout task file ({0}).")]
    NotTasks(String),
    /// The file holds no task.
    #[error("The file holds no task.")]
    Empty,
    /// One task breaks a rule.
    #[error("Task {index} (\"{id}\"): {error}")]
    Task {
        /// 1-based position in the file.
        index: usize,
        /// Its id as written.
        id: String,
        /// The rule it breaks.
        error: TaskError,
    },
}

/// True for the ids of the six built-in tasks.
pub fn is_builtin(id: &str) -> bool {
    builtin_tasks().iter().any(|t| t.id == id)
}

impl TaskCatalog {
    /// Reads a stored catalog; anything unreadable gives the defaults.
    pub fn from_json(json: Option<&str>) -> Self {
        json.and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default()
    }

    /// Every task in card order: the built-ins (as edited), then the user's.
    pub fn tasks(&self) -> Vec<TaskDef> {
        builtin_tasks()
            .into_iter()
            .map(|b| {
                self.edited
                    .iter()
                    .find(|e| e.id == b.id)
                    .cloned()
                    .unwrap_or(b)
            })
            .chain(self.custom.iter().cloned())
            .collect()
    }

    /// The tasks whose ids are in `ids`, in card order.
    pub fn chosen(&self, ids: &[String]) -> Vec<TaskDef> {
        self.tasks()
            .into_iter()
            .filter(|t| ids.contains(&t.id))
            .collect()
    }

    /// The task with this id.
    pub fn get(&self, id: &str) -> Option<TaskDef> {
        self.tasks().into_iter().find(|t| t.id == id)
    }

    /// True if the built-in task `id` differs from its default.
    pub fn is_edited(&self, id: &str) -> bool {
        self.edited.iter().any(|e| e.id == id)
    }

    /// Saves `task`: a new task when `original` is `None`, else a change to
    /// the task that had id `original` (a built-in keeps its id).
    pub fn save(&mut self, original: Option<&str>, mut task: TaskDef) -> Result<(), TaskError> {
        task.id = task.id.trim().to_string();
        task.label = task.label.trim().to_string();
        let all = self.tasks();
        let others = all
            .iter()
            .map(|t| t.id.as_str())
            .filter(|id| Some(*id) != original);
        match original {
            Some(id) if is_builtin(id) => {
                task.id = id.to_string();
                validate_task(&task, others)?;
                self.edited.retain(|e| e.id != id);
                let default = builtin_tasks().into_iter().find(|b| b.id == id);
                if default.as_ref() != Some(&task) {
                    self.edited.push(task);
                }
            }
            Some(id) => {
                validate_task(&task, others)?;
                match self.custom.iter_mut().find(|c| c.id == id) {
                    Some(slot) => *slot = task,
                    None => self.custom.push(task),
                }
            }
            None => {
                validate_task(&task, others)?;
                self.custom.push(task);
            }
        }
        Ok(())
    }

    /// Puts a built-in task back to its default.
    pub fn reset(&mut self, id: &str) {
        self.edited.retain(|e| e.id != id);
    }

    /// Removes one of the user's tasks; built-ins cannot be removed.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.custom.len();
        self.custom.retain(|c| c.id != id);
        self.custom.len() != before
    }

    /// The edited built-ins and the user's tasks as an export file.
    pub fn export_json(&self) -> String {
        let file = ExportFile {
            format: EXPORT_FORMAT.into(),
            version: 1,
            tasks: self.edited.iter().chain(&self.custom).cloned().collect(),
        };
        crate::format::pretty_json(&serde_json::to_string(&file).unwrap_or_default())
    }

    /// Imports an export file (or a bare JSON list of tasks): a task with a
    /// built-in's id replaces that built-in's edit, one with the id of a
    /// user's task replaces it, others are added. All or nothing: on any
    /// error nothing changes. Returns how many tasks were imported.
    pub fn import(&mut self, json: &str) -> Result<usize, ImportError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ImportError::NotTasks(e.to_string()))?;
        // Read again from the text, not from `value`: the stored catalog is
        // read from text too, so the page compiles one reader of tasks.
        let tasks: Vec<TaskDef> = if value.is_array() {
            serde_json::from_str(json)
        } else {
            let format = value.get("format").and_then(|f| f.as_str());
            if format != Some(EXPORT_FORMAT) {
                return Err(ImportError::NotTasks(format!(
                    "expected \"format\": \"{EXPORT_FORMAT}\""
                )));
            }
            serde_json::from_str::<ExportFile>(json).map(|f| f.tasks)
        }
        .map_err(|e| ImportError::NotTasks(e.to_string()))?;
        if tasks.is_empty() {
            return Err(ImportError::Empty);
        }
        let mut next = self.clone();
        let mut seen: Vec<String> = Vec::new();
        for (i, t) in tasks.iter().enumerate() {
            let fail = |error| ImportError::Task {
                index: i + 1,
                id: t.id.clone(),
                error,
            };
            // Duplicates within the file are an error; ids already here are replaced.
            validate_task(t, seen.iter().map(String::as_str)).map_err(fail)?;
            let id = t.id.trim().to_string();
            let original = next.get(&id).map(|_| id.clone());
            next.save(original.as_deref(), t.clone()).map_err(fail)?;
            seen.push(id);
        }
        *self = next;
        Ok(tasks.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mine(id: &str) -> TaskDef {
        TaskDef {
            id: id.into(),
            label: format!("Task {id}"),
            system: "Be brief.".into(),
            prompt: "Do it: {text}".into(),
            max_tokens: 50,
            structured: false,
            priority: 0,
        }
    }

    fn ids(c: &TaskCatalog) -> Vec<String> {
        c.tasks().into_iter().map(|t| t.id).collect()
    }

    #[test]
    fn adds_edits_removes_custom_tasks() {
        let mut c = TaskCatalog::default();
        assert_eq!(ids(&c).len(), 6);
        c.save(None, mine(" tone ")).unwrap();
        assert_eq!(ids(&c)[6], "tone");
        assert_eq!(
            c.save(None, mine("tone")),
            Err(TaskError::DuplicateId("tone".into()))
        );
        assert_eq!(
            c.save(None, mine("summary")),
            Err(TaskError::DuplicateId("summary".into()))
        );
        // Renaming a custom task keeps its place.
        c.save(None, mine("risk")).unwrap();
        c.save(Some("tone"), mine("mood")).unwrap();
        assert_eq!(&ids(&c)[6..], ["mood", "risk"]);
        // Chosen tasks come in card order, whatever the order of the ids.
        let chosen: Vec<String> = c
            .chosen(&["risk".into(), "summary".into(), "gone".into()])
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(chosen, ["summary", "risk"]);
        assert!(c.remove("mood"));
        assert!(!c.remove("summary"));
        assert_eq!(ids(&c).len(), 7);
    }

    #[test]
    fn built_ins_are_edited_and_reset() {
        let mut c = TaskCatalog::default();
        let mut s = c.get("summary").unwrap();
        s.prompt = "One line: {text}".into();
        s.id = "other".into(); // a built-in keeps its id
        c.save(Some("summary"), s).unwrap();
        assert!(c.is_edited("summary"));
        assert_eq!(c.get("summary").unwrap().prompt, "One line: {text}");
        assert_eq!(ids(&c)[0], "summary");
        let mut bad = c.get("summary").unwrap();
        bad.prompt = "no placeholder".into();
        assert_eq!(
            c.save(Some("summary"), bad),
            Err(TaskError::MissingPlaceholder)
        );
        c.reset("summary");
        assert!(!c.is_edited("summary"));
        assert_eq!(c.get("summary"), builtin_tasks().into_iter().next());
        // Saving a built-in unchanged stores no edit.
        let same = c.get("keywords").unwrap();
        c.save(Some("keywords"), same).unwrap();
        assert!(c.edited.is_empty());
    }

    #[test]
    fn export_then_import_round_trips() {
        let mut c = TaskCatalog::default();
        c.save(None, mine("tone")).unwrap();
        let mut cat = c.get("category").unwrap();
        cat.max_tokens = 42;
        c.save(Some("category"), cat).unwrap();
        let file = c.export_json();
        assert!(file.contains("\"format\": \"fanout-tasks\""));

        let mut fresh = TaskCatalog::default();
        assert_eq!(fresh.import(&file), Ok(2));
        assert_eq!(fresh, c);
        // Importing again replaces rather than duplicates.
        assert_eq!(fresh.import(&file), Ok(2));
        assert_eq!(fresh, c);
        // A stored catalog reads back.
        let stored = serde_json::to_string(&c).unwrap();
        assert_eq!(TaskCatalog::from_json(Some(&stored)), c);
        assert_eq!(
            TaskCatalog::from_json(Some("{oops")),
            TaskCatalog::default()
        );
    }

    #[test]
    fn bad_imports_change_nothing() {
        let mut c = TaskCatalog::default();
        c.save(None, mine("tone")).unwrap();
        let before = c.clone();
        let bad_second = serde_json::json!([mine("a"), {
            "id": "b", "label": "B", "system": "", "prompt": "no placeholder", "max_tokens": 10
        }])
        .to_string();
        assert_eq!(
            c.import(&bad_second),
            Err(ImportError::Task {
                index: 2,
                id: "b".into(),
                error: TaskError::MissingPlaceholder
            })
        );
        let dup = serde_json::json!([mine("a"), mine("a")]).to_string();
        assert!(matches!(
            c.import(&dup),
            Err(ImportError::Task {
                index: 2,
                error: TaskError::DuplicateId(_),
                ..
            })
        ));
        assert!(matches!(
            c.import("not json"),
            Err(ImportError::NotTasks(_))
        ));
        assert!(matches!(
            c.import(r#"{"format": "something-else", "tasks": []}"#),
            Err(ImportError::NotTasks(_))
        ));
        assert!(matches!(
            c.import(r#"[{"id": 1}]"#),
            Err(ImportError::NotTasks(_))
        ));
        assert_eq!(c.import("[]"), Err(ImportError::Empty));
        assert_eq!(c, before);
        let msg = c.import(&bad_second).unwrap_err().to_string();
        assert!(
            msg.starts_with("Task 2 (\"b\"): The prompt must contain {text}"),
            "{msg}"
        );
    }
}
