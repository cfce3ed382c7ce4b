//! Structured output for the built-in tasks that have a fixed answer shape
//! (sentiment, keywords, category): the JSON schema sent as
//! `response_format`, which models are known to refuse it, when a refusal
//! means "fall back to plain text", and reading the answer into fields.

use serde_json::{Value, json};

use crate::openai::ApiError;

const CATEGORIES: [&str; 7] = [
    "Business",
    "Technology",
    "Health",
    "Education",
    "Entertainment",
    "News",
    "Other",
];

/// The JSON schema of a task's answer, for the built-in ids that have one.
pub fn schema_for(task_id: &str) -> Option<Value> {
    let reasoned = |field: &str, values: &[&str]| {
        json!({
            "type": "object",
            "properties": {
                field: {"type": "string", "enum": values},
                "reason": {"type": "string"}
            },
            "required": [field, "reason"],
            "additionalProperties": false
        })
    };
    match task_id {
        "sentiment" => Some(reasoned(
            "sentiment",
            &["positive", "negative", "neutral", "mixed"],
        )),
        "category" => Some(reasoned("category", &CATEGORIES)),
        "keywords" => Some(json!({
            "type": "object",
            "properties": {
                "keywords": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["keywords"],
            "additionalProperties": false
        })),
        _ => None,
    }
}

/// The items of a list answer (keywords): from its JSON field, or else one
/// per line or comma of plain text, list markers removed, case kept.
pub fn list_items(schema: &Value, text: &str) -> Option<Vec<String>> {
    let raw: Vec<String> = match parse_fields(schema, text) {
        Some(fields) => fields
            .first()?
            .value
            .split(", ")
            .map(String::from)
            .collect(),
        None => text.split(['\n', ',']).map(String::from).collect(),
    };
    let items: Vec<String> = raw
        .iter()
        .map(|s| {
            s.trim()
                .trim_start_matches(|c: char| c.is_ascii_digit() || "-*•.) ".contains(c))
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    (!items.is_empty()).then_some(items)
}

/// The `response_format` value asking for answers that follow `schema`.
pub fn response_format(task_id: &str, schema: Value) -> Value {
    json!({
        "type": "json_schema",
        "json_schema": {"name": task_id, "strict": true, "schema": schema}
    })
}

/// False for OpenAI models known to refuse `json_schema` (they predate it);
/// everything else is tried, and a refusal falls back to plain text.
pub fn supports_json_schema(model: &str) -> bool {
    let id = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase();
    let old = id.starts_with("gpt-3.5")
        || id.starts_with("gpt-4-")
        || id == "gpt-4"
        || id.starts_with("gpt-4-turbo");
    !old
}

/// True when an error means the server refused the structured-output
/// request itself (so the same request as plain text may well succeed).
pub fn is_format_refusal(error: &ApiError) -> bool {
    match error {
        ApiError::Http {
            status: 400 | 422,
            message,
            ..
        } => {
            let m = message.to_ascii_lowercase();
            ["response_format", "json_schema", "schema", "structured"]
                .iter()
                .any(|k| m.contains(k))
        }
        _ => false,
    }
}

/// One field of a structured answer, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Property name, e.g. `sentiment`.
    pub name: String,
    /// Its value as text (lists joined with ", ").
    pub value: String,
}

/// Reads a structured answer into fields in the order of the schema's
/// `required` list (every property is required in strict mode; an array
/// keeps its order where a JSON map need not).
/// `None` when the text is not a JSON object (e.g. cut off by the token
/// limit); the caller then shows the raw text.
pub fn parse_fields(schema: &Value, text: &str) -> Option<Vec<Field>> {
    let body = strip_fence(text.trim());
    let obj: serde_json::Map<String, Value> = serde_json::from_str(body).ok()?;
    let names = schema.get("required")?.as_array()?;
    let fields: Vec<Field> = names
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|name| {
            let value = match obj.get(name)? {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            Some(Field {
                name: name.to_string(),
                value,
            })
        })
        .collect();
    (!fields.is_empty()).then_some(fields)
}

/// Some servers wrap JSON in a Markdown code fence even when asked not to.
fn strip_fence(text: &str) -> &str {
    text.strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|t| t.strip_suffix("```"))
        .map_or(text, str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn three_builtins_have_schemas() {
        for id in ["sentiment", "keywords", "category"] {
            let s = schema_for(id).unwrap();
            assert_eq!(s["type"], "object");
            assert_eq!(s["additionalProperties"], false);
            // Strict mode needs every property required.
            let props: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
            let required: Vec<&str> = s["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(props.len(), required.len(), "{id}");
            assert!(props.iter().all(|p| required.contains(&p.as_str())), "{id}");
        }
        for id in ["summary", "questions", "translation", "mine"] {
            assert!(schema_for(id).is_none(), "{id}");
        }
        let f = response_format("sentiment", schema_for("sentiment").unwrap());
        assert_eq!(f["type"], "json_schema");
        assert_eq!(f["json_schema"]["name"], "sentiment");
        assert_eq!(f["json_schema"]["strict"], true);
        assert_eq!(
            f["json_schema"]["schema"]["properties"]["sentiment"]["enum"][3],
            "mixed"
        );
    }

    #[test]
    fn old_openai_models_skip_json_schema() {
        for m in [
            "gpt-3.5-turbo",
            "gpt-4",
            "gpt-4-turbo",
            "gpt-4-0613",
            "openai/gpt-3.5-turbo",
        ] {
            assert!(!supports_json_schema(m), "{m}");
        }
        for m in [
            "gpt-4o",
            "gpt-4o-mini",
            "gpt-4.1",
            "gpt-5",
            "o3-mini",
            "llama-3.1-8b",
        ] {
            assert!(supports_json_schema(m), "{m}");
        }
    }

    #[test]
    fn only_format_refusals_fall_back() {
        let http = |status, message: &str| ApiError::Http {
            status,
            message: message.into(),
            retry_after: None,
        };
        assert!(is_format_refusal(&http(
            400,
            "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."
        )));
        assert!(is_format_refusal(&http(422, "Unsupported JSON Schema")));
        assert!(!is_format_refusal(&http(
            400,
            "This model's maximum context length is 8192 tokens."
        )));
        assert!(!is_format_refusal(&http(500, "response_format failed")));
        assert!(!is_format_refusal(&ApiError::Timeout(Duration::from_secs(
            1
        ))));
    }

    #[test]
    fn fields_follow_schema_order() {
        let s = schema_for("sentiment").unwrap();
        let f = parse_fields(&s, r#"{"reason": "Upbeat.", "sentiment": "positive"}"#).unwrap();
        assert_eq!(
            f,
            vec![
                Field {
                    name: "sentiment".into(),
                    value: "positive".into()
                },
                Field {
                    name: "reason".into(),
                    value: "Upbeat.".into()
                }
            ]
        );
        let k = schema_for("keywords").unwrap();
        let f = parse_fields(&k, "```json\n{\"keywords\": [\"AI\", \"chips\", 3]}\n```").unwrap();
        assert_eq!(f[0].value, "AI, chips, 3");
    }

    #[test]
    fn unreadable_answers_are_none() {
        let s = schema_for("category").unwrap();
        assert_eq!(parse_fields(&s, "Technology: it is about chips."), None);
        assert_eq!(parse_fields(&s, r#"{"category": "Tech"#), None);
        assert_eq!(parse_fields(&s, r#"{"other": 1}"#), None);
        assert_eq!(parse_fields(&s, "[1, 2]"), None);
    }
}
