//! How a split task's parts come back together: joined in order (concat),
//! list items merged (merge), or a final request over the parts' answers
//! (combine).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::workflow::structured::{list_items, schema_for};

/// How the answers of a split task's parts become the task's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stitch {
    /// Answers joined in the input's order (translation, per-passage work).
    Concat,
    /// List items merged and de-duplicated (keywords).
    Merge,
    /// A final request gets the parts' answers and answers the task.
    Combine,
}

impl Stitch {
    /// The default for a task: translation joins, keywords merge, the rest
    /// (summary, questions, sentiment, category, your own) combine.
    pub fn default_for(task_id: &str) -> Stitch {
        match task_id {
            "translation" => Stitch::Concat,
            "keywords" => Stitch::Merge,
            _ => Stitch::Combine,
        }
    }

    /// Whether it makes one request more after the parts.
    pub fn extra_request(self) -> bool {
        self == Stitch::Combine
    }
}

/// The combine step's prompt, editable per task: `{task}` is the task's own
/// prompt with the text left out, `{answers}` the parts' answers in order.
pub const DEFAULT_COMBINE_PROMPT: &str = "A long text was cut into consecutive parts and the task below was done on each part. Combine the parts' answers into one answer to the task for the whole text, in the form the task asks for. Answer with that answer only.\n\nTask: {task}\n\n{answers}";

/// The combine request's prompt: `template` with the task (its prompt
/// without the text) and the numbered answers filled in.
pub fn combine_prompt(template: &str, task_prompt: &str, answers: &[&str]) -> String {
    let task = task_prompt
        .replace("{text}", "")
        .trim()
        .trim_end_matches(':')
        .trim()
        .to_string();
    let listed = answers
        .iter()
        .enumerate()
        .map(|(i, a)| format!("Part {} of {}:\n{}", i + 1, answers.len(), a.trim()))
        .collect::<Vec<_>>()
        .join("\n\n");
    template
        .replace("{task}", &task)
        .replace("{answers}", &listed)
}

/// Answers joined in order, a blank line between them.
pub fn concat(answers: &[&str]) -> String {
    answers
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Items of several lists merged: one of each (compared without case or
/// extra spaces, the first spelling kept), those in more lists first, then
/// in order of first appearance; at most `limit`.
pub fn merge_items(lists: &[Vec<String>], limit: Option<usize>) -> Vec<String> {
    let key = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    // (key, first spelling, lists it is in, first appearance)
    let mut seen: Vec<(String, String, usize, usize)> = Vec::new();
    let mut order = 0;
    for list in lists {
        let mut in_this: Vec<String> = Vec::new();
        for item in list {
            let k = key(item);
            if k.is_empty() || in_this.contains(&k) {
                continue;
            }
            in_this.push(k.clone());
            match seen.iter_mut().find(|s| s.0 == k) {
                Some(s) => s.2 += 1,
                None => {
                    seen.push((k, item.trim().to_string(), 1, order));
                    order += 1;
                }
            }
        }
    }
    seen.sort_by_key(|s| (std::cmp::Reverse(s.2), s.3));
    seen.into_iter()
        .map(|s| s.1)
        .take(limit.unwrap_or(usize::MAX))
        .collect()
}

/// The most items a task's prompt asks for ("the 5-7 most important…" → 7).
pub fn limit_asked(prompt: &str) -> Option<usize> {
    let bytes = prompt.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let rest = &prompt[i..];
            let dash = ["-", "–", " to "].iter().find(|d| rest.starts_with(**d));
            if let Some(d) = dash {
                let upper: String = rest[d.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(n) = upper.parse() {
                    return Some(n);
                }
            }
        } else {
            i += 1;
        }
    }
    None
}

/// A list task's answers merged into one answer in the task's own form: a
/// JSON object when the task has a schema, else one item per line. `None`
/// when no answer holds a readable list.
pub fn merge_answers(task_id: &str, prompt: &str, answers: &[&str]) -> Option<String> {
    let schema = schema_for(task_id).unwrap_or_else(|| json!({}));
    let lists: Vec<Vec<String>> = answers
        .iter()
        .filter_map(|a| list_items(&schema, a))
        .collect();
    if lists.is_empty() {
        return None;
    }
    let merged = merge_items(&lists, limit_asked(prompt));
    match schema["required"][0].as_str() {
        Some(field) => Some(json!({ field: merged }).to_string()),
        None => Some(merged.join("\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn built_in_tasks_have_the_issues_defaults() {
        assert_eq!(Stitch::default_for("translation"), Stitch::Concat);
        assert_eq!(Stitch::default_for("keywords"), Stitch::Merge);
        for id in ["summary", "questions", "category", "sentiment", "custom-1"] {
            assert_eq!(Stitch::default_for(id), Stitch::Combine, "{id}");
        }
        assert!(Stitch::Combine.extra_request() && !Stitch::Concat.extra_request());
    }

    #[test]
    fn merged_items_are_unique_the_shared_first_and_within_the_limit() {
        let merged = merge_items(
            &[
                list(&["Revenue", "costs", "Outlook"]),
                list(&["outlook", "hiring", " revenue "]),
                list(&["Europe", "revenue", "Hiring", "hiring"]),
            ],
            Some(4),
        );
        // revenue in 3 lists, outlook and hiring in 2, then costs, Europe.
        assert_eq!(merged, vec!["Revenue", "Outlook", "hiring", "costs"]);
        assert_eq!(merge_items(&[list(&["a", "b"])], None), vec!["a", "b"]);
        assert!(merge_items(&[], Some(3)).is_empty());
    }

    #[test]
    fn the_limit_is_read_from_the_prompt() {
        assert_eq!(
            limit_asked("List the 5-7 most important keywords of {text}"),
            Some(7)
        );
        assert_eq!(limit_asked("Give 3 to 5 tags"), Some(5));
        assert_eq!(limit_asked("Give 10–12 tags"), Some(12));
        assert_eq!(limit_asked("List the keywords"), None);
        assert_eq!(limit_asked("List 5 keywords"), None);
    }

    #[test]
    fn keyword_answers_merge_into_the_tasks_json_form() {
        let merged = merge_answers(
            "keywords",
            "List the 1-2 most important keywords",
            &[
                r#"{"keywords":["Cloud","margins"]}"#,
                "- cloud\n- Europe",
                "",
            ],
        )
        .expect("merged");
        let v: serde_json::Value = serde_json::from_str(&merged).unwrap();
        assert_eq!(v["keywords"], json!(["Cloud", "margins"]));
        assert_eq!(
            merge_answers("tags", "Tags", &["x\ny", "y\nz"]).as_deref(),
            Some("y\nx\nz")
        );
    }

    #[test]
    fn concat_keeps_order_and_skips_empty_answers() {
        assert_eq!(concat(&[" Eins ", "", "Zwei\n"]), "Eins\n\nZwei");
    }

    #[test]
    fn the_combine_prompt_names_the_task_and_numbers_the_parts() {
        let p = combine_prompt(
            DEFAULT_COMBINE_PROMPT,
            "Summarize the following text in 2-3 sentences:\n\n{text}",
            &["First half.", "Second half."],
        );
        assert!(p.contains("Task: Summarize the following text in 2-3 sentences\n"));
        assert!(p.contains("Part 1 of 2:\nFirst half.\n\nPart 2 of 2:\nSecond half."));
        assert!(!p.contains("{text}") && !p.contains("{answers}"));
    }
}
