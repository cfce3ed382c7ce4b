//! How far the endpoints of a race agree on a structured task: the same
//! sentiment or category (the majority value, "2 of 3"), or which keywords
//! every answer lists.

use serde_json::Value;

use crate::workflow::structured::{list_items, parse_fields, schema_for};

/// The agreement between endpoints' answers to one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// A one-value field (sentiment, category).
    Value {
        /// The field compared.
        field: String,
        /// Each endpoint's value, lowercased (`None`: failed or unreadable).
        values: Vec<Option<String>>,
        /// The most common value.
        top: String,
        /// Endpoints that gave it.
        count: usize,
        /// Endpoints with a readable value.
        answered: usize,
        /// Another value was as common.
        tie: bool,
    },
    /// A list field (keywords).
    Items {
        /// The field compared.
        field: String,
        /// Items every readable answer lists, in the first one's order.
        shared: Vec<String>,
        /// Endpoints with a readable list.
        answered: usize,
    },
}

impl Agreement {
    /// One line for the page and the reports.
    pub fn describe(&self) -> String {
        match self {
            Agreement::Value {
                top,
                count,
                answered,
                tie: false,
                ..
            } => {
                format!("{count} of {answered} agree: {top}")
            }
            Agreement::Value {
                values, answered, ..
            } => {
                let mut seen: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
                seen.sort_unstable();
                seen.dedup();
                format!("Tie among {answered}: {}", seen.join(", "))
            }
            Agreement::Items {
                shared, answered, ..
            } if shared.is_empty() => {
                format!("No item in all {answered} lists")
            }
            Agreement::Items {
                shared, answered, ..
            } => {
                format!("In all {answered} lists: {}", shared.join(", "))
            }
        }
    }

    /// Every readable answer agrees.
    pub fn unanimous(&self) -> bool {
        match self {
            Agreement::Value {
                count, answered, ..
            } => count == answered,
            Agreement::Items { .. } => false,
        }
    }
}

/// The agreement on task `task_id` between `answers` (one per endpoint,
/// `None` where it failed); `None` for tasks without a structured answer or
/// with fewer than two readable answers.
pub fn agreement(task_id: &str, answers: &[Option<&str>]) -> Option<Agreement> {
    let schema = schema_for(task_id)?;
    let field = schema["required"][0].as_str()?.to_string();
    let is_list = schema["properties"][&field]["type"] == "array";
    if is_list {
        let lists: Vec<Vec<String>> = answers
            .iter()
            .flatten()
            .filter_map(|a| list_of(&schema, a))
            .collect();
        if lists.len() < 2 {
            return None;
        }
        let shared = lists[0]
            .iter()
            .filter(|item| lists[1..].iter().all(|l| l.contains(item)))
            .cloned()
            .collect();
        return Some(Agreement::Items {
            field,
            shared,
            answered: lists.len(),
        });
    }
    let allowed: Vec<String> = schema["properties"][&field]["enum"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let values: Vec<Option<String>> = answers
        .iter()
        .map(|a| a.and_then(|a| value_of(&schema, &field, &allowed, a)))
        .collect();
    let readable: Vec<&String> = values.iter().flatten().collect();
    if readable.len() < 2 {
        return None;
    }
    let count_of = |v: &String| readable.iter().filter(|x| **x == v).count();
    // The first endpoint's value wins among equals, so the order is stable.
    let top = readable
        .iter()
        .copied()
        .max_by_key(|v| {
            (
                count_of(v),
                std::cmp::Reverse(readable.iter().position(|x| x == v)),
            )
        })
        .cloned()?;
    let count = count_of(&top);
    let tie = readable.iter().any(|v| **v != top && count_of(v) == count);
    Some(Agreement::Value {
        field,
        answered: readable.len(),
        values,
        top,
        count,
        tie,
    })
}

/// The field's value from a JSON answer, or else the allowed value the
/// plain-text answer names first.
fn value_of(schema: &Value, field: &str, allowed: &[String], text: &str) -> Option<String> {
    if let Some(fields) = parse_fields(schema, text) {
        return fields
            .into_iter()
            .find(|f| f.name == field)
            .map(|f| f.value.trim().to_lowercase());
    }
    let lower = text.to_lowercase();
    allowed
        .iter()
        .filter_map(|v| find_word(&lower, v).map(|at| (at, v)))
        .min()
        .map(|(_, v)| v.clone())
}

/// Where `word` first stands as a whole word in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A list answer's items, lowercased: the JSON field, or else the text's
/// lines or comma-separated parts without bullets and numbers.
fn list_of(schema: &Value, text: &str) -> Option<Vec<String>> {
    list_items(schema, text).map(|items| items.iter().map(|s| s.to_lowercase()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_majority_value_is_read_from_json_or_plain_text() {
        let a = r#"{"sentiment":"positive","reason":"upbeat"}"#;
        let b = "```json\n{\"sentiment\":\"Positive\",\"reason\":\"good\"}\n```";
        let c = "Negative. The text complains, though it is not positive.";
        let got = agreement("sentiment", &[Some(a), Some(b), Some(c), None]).unwrap();
        assert_eq!(got.describe(), "2 of 3 agree: positive");
        assert!(!got.unanimous());
        let Agreement::Value { values, .. } = &got else {
            panic!("a value")
        };
        assert_eq!(values[2].as_deref(), Some("negative"));
        assert_eq!(values[3], None);
        let all = agreement("category", &[Some("Business"), Some("business news")]).unwrap();
        assert!(all.unanimous());
        assert_eq!(all.describe(), "2 of 2 agree: business");
    }

    #[test]
    fn ties_are_reported_as_ties() {
        let got = agreement("sentiment", &[Some("neutral"), Some("mixed")]).unwrap();
        assert!(matches!(got, Agreement::Value { tie: true, .. }));
        assert_eq!(got.describe(), "Tie among 2: mixed, neutral");
    }

    #[test]
    fn keyword_lists_agree_on_the_items_they_all_list() {
        let a = r#"{"keywords":["Revenue","cloud","margins"]}"#;
        let b = "1. revenue\n2. Margins\n3. hiring";
        let got = agreement("keywords", &[Some(a), Some(b)]).unwrap();
        assert_eq!(got.describe(), "In all 2 lists: revenue, margins");
        let none = agreement("keywords", &[Some("a, b"), Some("c")]).unwrap();
        assert_eq!(none.describe(), "No item in all 2 lists");
    }

    #[test]
    fn free_text_tasks_and_single_answers_have_no_agreement() {
        assert_eq!(agreement("summary", &[Some("a"), Some("a")]), None);
        assert_eq!(agreement("sentiment", &[Some("positive"), None]), None);
        // A word inside another is not a value ("unmixed" is not "mixed").
        assert_eq!(
            agreement("sentiment", &[Some("unmixed"), Some("mixed")]),
            None
        );
    }
}
