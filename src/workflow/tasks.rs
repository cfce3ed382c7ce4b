//! The LLM tasks: built-in definitions, prompt rendering and validation of
//! user-written tasks.

use serde::{Deserialize, Serialize};

use crate::openai::ChatMessage;

/// The placeholder a prompt template must contain.
pub const TEXT_PLACEHOLDER: &str = "{text}";
/// Replaced by the translation target language.
pub const LANGUAGE_PLACEHOLDER: &str = "{language}";
/// Largest token limit accepted for one task.
pub const MAX_TASK_TOKENS: u32 = 32_768;

/// One task: a system message, a prompt template and a token limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDef {
    /// Stable id (`summary`, ...): lowercase letters, digits, `-`, `_`.
    pub id: String,
    /// Name shown on the card.
    pub label: String,
    /// System message.
    pub system: String,
    /// User prompt with `{text}` (and optionally `{language}`).
    pub prompt: String,
    /// Token limit for the answer.
    pub max_tokens: u32,
    /// Ask for a JSON answer following the task's schema, where the id has
    /// one ([`crate::workflow::structured::schema_for`]) and the server takes it.
    #[serde(default)]
    pub structured: bool,
    /// Start priority, 0 to [`MAX_PRIORITY`]: when not every request can
    /// start at once, higher ones start first whatever their expected
    /// duration (see `workflow::order`).
    #[serde(default)]
    pub priority: u8,
}

/// Highest task priority.
pub const MAX_PRIORITY: u8 = 9;

fn task(id: &str, label: &str, system: &str, prompt: &str, max_tokens: u32) -> TaskDef {
    TaskDef {
        id: id.into(),
        label: label.into(),
        system: system.into(),
        prompt: prompt.into(),
        max_tokens,
        structured: crate::workflow::structured::schema_for(id).is_some(),
        priority: 0,
    }
}

/// The six built-in tasks, in display order.
pub fn builtin_tasks() -> Vec<TaskDef> {
    vec![
        task(
            "summary",
            "Summary",
            "You are an expert at writing concise, accurate summaries.",
            "Summarise the following text in 2-3 sentences, keeping the key points:\n\n{text}",
            200,
        ),
        task(
            "sentiment",
            "Sentiment",
            "You analyse the emotional tone of texts.",
            "Classify the overall sentiment of the following text as positive, negative, neutral or mixed, then give a one-sentence reason.\n\n{text}",
            120,
        ),
        task(
            "keywords",
            "Keywords",
            "You extract the main topics of texts.",
            "List the 5-7 most important keywords or topics of the following text, one per line.\n\n{text}",
            120,
        ),
        task(
            "questions",
            "Questions",
            "You write thought-provoking questions about texts.",
            "Write 3 insightful questions a careful reader might ask about the following text, one per line.\n\n{text}",
            200,
        ),
        task(
            "translation",
            "Translation",
            "You are a professional translator.",
            "Translate the following text into {language}. Reply with the translation only.\n\n{text}",
            600,
        ),
        task(
            "category",
            "Category",
            "You classify texts into categories.",
            "Assign the following text to exactly one category: Business, Technology, Health, Education, Entertainment, News or Other. Reply with the category, then a one-sentence reason.\n\n{text}",
            100,
        ),
    ]
}

/// Fills a template: `{text}` with the input, `{language}` with the target language.
pub fn render_prompt(template: &str, text: &str, language: &str) -> String {
    // Language first, so a `{language}` inside the user's text stays as written.
    template
        .replace(LANGUAGE_PLACEHOLDER, language)
        .replace(TEXT_PLACEHOLDER, text)
}

/// The messages a task sends for `text`.
pub fn task_messages(task: &TaskDef, text: &str, language: &str) -> Vec<ChatMessage> {
    let mut messages = Vec::with_capacity(2);
    if !task.system.trim().is_empty() {
        messages.push(ChatMessage::system(task.system.clone()));
    }
    messages.push(ChatMessage::user(render_prompt(
        &task.prompt,
        text,
        language,
    )));
    messages
}

/// Why a task definition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// No id.
    #[error("Give the task an id.")]
    EmptyId,
    /// Characters outside the allowed set.
    #[error("The id may use only lowercase letters, digits, '-' and '_' (got \"{0}\").")]
    BadId(String),
    /// Another task has this id.
    #[error("Another task already has the id \"{0}\".")]
    DuplicateId(String),
    /// No label.
    #[error("Give the task a name.")]
    EmptyLabel,
    /// `{text}` missing from the prompt.
    #[error("The prompt must contain {{text}}, where the input text goes.")]
    MissingPlaceholder,
    /// Token limit out of range.
    #[error("The token limit must be between 1 and {max} (got {0}).", max = MAX_TASK_TOKENS)]
    TokenLimit(u32),
    /// Priority out of range.
    #[error("The priority must be between 0 and {max} (got {0}).", max = MAX_PRIORITY)]
    Priority(u8),
}

/// Checks a task against the rules and the ids already taken by others.
pub fn validate_task<'a>(
    task: &TaskDef,
    other_ids: impl IntoIterator<Item = &'a str>,
) -> Result<(), TaskError> {
    let id = task.id.trim();
    if id.is_empty() {
        return Err(TaskError::EmptyId);
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(TaskError::BadId(id.to_string()));
    }
    if other_ids.into_iter().any(|o| o == id) {
        return Err(TaskError::DuplicateId(id.to_string()));
    }
    if task.label.trim().is_empty() {
        return Err(TaskError::EmptyLabel);
    }
    if !task.prompt.contains(TEXT_PLACEHOLDER) {
        return Err(TaskError::MissingPlaceholder);
    }
    if task.max_tokens == 0 || task.max_tokens > MAX_TASK_TOKENS {
        return Err(TaskError::TokenLimit(task.max_tokens));
    }
    if task.priority > MAX_PRIORITY {
        return Err(TaskError::Priority(task.priority));
    }
    Ok(())
}

/// A rough token estimate (about 4 characters per token for English), used
/// for warnings before anything is sent.
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_valid_and_unique() {
        let tasks = builtin_tasks();
        let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "summary",
                "sentiment",
                "keywords",
                "questions",
                "translation",
                "category"
            ]
        );
        for (i, t) in tasks.iter().enumerate() {
            let others = ids
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, id)| *id);
            assert_eq!(validate_task(t, others), Ok(()), "{}", t.id);
        }
    }

    #[test]
    fn prompts_render_text_and_language() {
        let t = &builtin_tasks()[4];
        let msgs = task_messages(t, "Hello {language} world", "Spanish");
        assert_eq!(msgs[0].role, "system");
        assert_eq!(msgs[1].role, "user");
        assert!(
            msgs[1]
                .content
                .starts_with("Translate the following text into Spanish.")
        );
        // The user's own "{language}" is not replaced.
        assert!(msgs[1].content.ends_with("Hello {language} world"));
        let no_system = TaskDef {
            system: " ".into(),
            ..t.clone()
        };
        assert_eq!(task_messages(&no_system, "x", "French").len(), 1);
    }

    #[test]
    fn custom_task_errors_are_specific() {
        let ok = TaskDef {
            id: "tone".into(),
            label: "Tone".into(),
            system: String::new(),
            prompt: "Describe the tone: {text}".into(),
            max_tokens: 100,
            structured: false,
            priority: 3,
        };
        assert_eq!(validate_task(&ok, ["summary"]), Ok(()));
        assert_eq!(
            validate_task(
                &TaskDef {
                    priority: 10,
                    ..ok.clone()
                },
                ["summary"]
            ),
            Err(TaskError::Priority(10))
        );
        let with = |f: &dyn Fn(&mut TaskDef)| {
            let mut t = ok.clone();
            f(&mut t);
            validate_task(&t, ["summary"]).unwrap_err()
        };
        assert_eq!(with(&|t| t.id = " ".into()), TaskError::EmptyId);
        assert_eq!(
            with(&|t| t.id = "Tone!".into()),
            TaskError::BadId("Tone!".into())
        );
        assert_eq!(
            with(&|t| t.id = "summary".into()),
            TaskError::DuplicateId("summary".into())
        );
        assert_eq!(with(&|t| t.label = String::new()), TaskError::EmptyLabel);
        assert_eq!(
            with(&|t| t.prompt = "Describe the tone.".into()),
            TaskError::MissingPlaceholder
        );
        assert_eq!(with(&|t| t.max_tokens = 0), TaskError::TokenLimit(0));
        assert_eq!(
            with(&|t| t.max_tokens = 1_000_000),
            TaskError::TokenLimit(1_000_000)
        );
        assert!(TaskError::MissingPlaceholder.to_string().contains("{text}"));
    }

    #[test]
    fn token_estimate_is_about_four_chars_each() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcd"), 1);
        assert_eq!(estimate_tokens("abcde"), 2);
        assert_eq!(estimate_tokens(&"x".repeat(4000)), 1000);
    }
}
