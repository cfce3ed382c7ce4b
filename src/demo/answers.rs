//! What the demo provider answers: prepared replies (in
//! `samples/demo-answers.json`, written for this project) when a request is
//! an unedited built-in task on a bundled sample, else a clearly generic
//! reply of a length set by the token limit.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::openai::{ChatRequest, Usage};
use crate::samples::SAMPLES;
use crate::workflow::tasks::{builtin_tasks, estimate_tokens, render_prompt};

/// The language the prepared translations are in.
pub const PREPARED_LANGUAGE: &str = "Spanish";

/// Starts every generic reply, so nobody mistakes it for a model's output.
pub const GENERIC_PREFIX: &str = "[Simulated answer: no model was called.]";

/// Sample id → task id → prepared answer (a string, or the structured object).
type Prepared = HashMap<String, HashMap<String, Value>>;

fn prepared() -> &'static Prepared {
    static ANSWERS: OnceLock<Prepared> = OnceLock::new();
    ANSWERS.get_or_init(|| {
        serde_json::from_str(include_str!("../../samples/demo-answers.json"))
            .expect("samples/demo-answers.json is valid (checked by a unit test)")
    })
}

/// A reply to send: its text, and whether the token limit cut it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The pieces streamed one "token" at a time.
    pub tokens: Vec<String>,
    /// `"stop"` or `"length"`.
    pub finish_reason: String,
    /// Prompt and completion tokens.
    pub usage: Usage,
}

impl Reply {
    /// The whole text.
    pub fn text(&self) -> String {
        self.tokens.concat()
    }
}

/// Splits text into word-sized pieces that keep their following whitespace,
/// so joining them gives the text back exactly.
pub fn split_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_space = false;
    for c in text.chars() {
        if !c.is_whitespace() && in_space {
            out.push(std::mem::take(&mut cur));
            in_space = false;
        }
        in_space |= c.is_whitespace();
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The (sample, task) a request is the unedited built-in prompt for, if any.
fn recognise(req: &ChatRequest) -> Option<(&'static str, String)> {
    let user = req.messages.iter().rev().find(|m| m.role == "user")?;
    let system = req.messages.iter().find(|m| m.role == "system");
    builtin_tasks().into_iter().find_map(|t| {
        if system.map(|m| m.content.as_str()) != Some(t.system.as_str()) {
            return None;
        }
        SAMPLES
            .iter()
            .find(|s| render_prompt(&t.prompt, s.text, PREPARED_LANGUAGE) == user.content)
            .map(|s| (s.id, t.id.clone()))
    })
}

/// A structured answer as plain text, for a request without a schema.
fn as_plain(v: &Value) -> String {
    let reasoned = |key: &str| {
        let label = v[key].as_str().unwrap_or_default();
        let mut cap = label.chars();
        let label = cap
            .next()
            .map(|f| f.to_uppercase().chain(cap).collect::<String>())
            .unwrap_or_default();
        format!("{label}. {}", v["reason"].as_str().unwrap_or_default())
    };
    if v.get("sentiment").is_some() {
        reasoned("sentiment")
    } else if v.get("category").is_some() {
        reasoned("category")
    } else if let Some(k) = v.get("keywords").and_then(Value::as_array) {
        k.iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        v.to_string()
    }
}

/// An object that follows the request's schema, filled with generic values.
fn generic_structured(schema: &Value) -> Value {
    let mut obj = serde_json::Map::new();
    let props = schema.get("properties").and_then(Value::as_object);
    for (name, p) in props.into_iter().flatten() {
        let value = if let Some(first) = p.get("enum").and_then(|e| e.get(0)) {
            first.clone()
        } else if p.get("type") == Some(&json!("array")) {
            json!(["simulated", "demo"])
        } else {
            json!(GENERIC_PREFIX)
        };
        obj.insert(name.clone(), value);
    }
    Value::Object(obj)
}

/// A generic reply of about 60 % of the token limit (10 to 400 words), and
/// no longer than the request's own message in words, so that the answer
/// to a part of a text is as much shorter as the part is.
fn generic_text(max_tokens: u32, input_words: usize) -> String {
    let words = (f64::from(max_tokens) * 0.6)
        .min(input_words as f64)
        .clamp(10.0, 400.0) as usize;
    let filler = "This text stands in for a model's answer so that the timeline, \
                  the figures and the saving can be shown without a key or a server.";
    let mut out: Vec<&str> = GENERIC_PREFIX.split(' ').collect();
    let mut more = filler.split(' ').cycle();
    while out.len() < words {
        out.push(more.next().unwrap_or("simulated"));
    }
    out.join(" ")
}

/// The schema a request asks its answer to follow, if any.
fn requested_schema(req: &ChatRequest) -> Option<&Value> {
    req.response_format
        .as_ref()?
        .get("json_schema")?
        .get("schema")
}

/// What the demo provider replies to `req`.
pub fn reply_for(req: &ChatRequest) -> Reply {
    let schema = requested_schema(req);
    let text = match recognise(req).and_then(|(s, t)| prepared().get(s)?.get(&t).cloned()) {
        Some(Value::String(s)) => s,
        Some(v) if schema.is_some() => v.to_string(),
        Some(v) => as_plain(&v),
        None => match schema {
            Some(s) => generic_structured(s).to_string(),
            None => generic_text(
                req.max_tokens.or(req.max_completion_tokens).unwrap_or(200),
                req.messages
                    .last()
                    .map_or(0, |m| m.content.split_whitespace().count()),
            ),
        },
    };
    let limit = req
        .max_tokens
        .or(req.max_completion_tokens)
        .map_or(usize::MAX, |m| m as usize);
    let mut tokens = split_tokens(&text);
    let finish_reason = if tokens.len() > limit {
        tokens.truncate(limit);
        "length"
    } else {
        "stop"
    };
    let prompt: usize = req
        .messages
        .iter()
        .map(|m| estimate_tokens(&m.content))
        .sum();
    Reply {
        usage: Usage {
            prompt_tokens: prompt as u64,
            completion_tokens: tokens.len() as u64,
            total_tokens: (prompt + tokens.len()) as u64,
            completion_tokens_details: None,
        },
        tokens,
        finish_reason: finish_reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::{RequestOptions, build_chat_request};
    use crate::workflow::structured::{parse_fields, response_format, schema_for};
    use crate::workflow::tasks::{TaskDef, task_messages};

    fn request(task: &TaskDef, text: &str, language: &str, structured: bool) -> ChatRequest {
        let format = structured
            .then(|| schema_for(&task.id).map(|s| response_format(&task.id, s)))
            .flatten();
        build_chat_request(
            "demo",
            task_messages(task, text, language),
            &RequestOptions {
                max_tokens: Some(task.max_tokens),
                response_format: format,
                ..RequestOptions::default()
            },
        )
    }

    #[test]
    fn every_sample_has_every_builtin_answer_within_its_limit() {
        for s in SAMPLES {
            for t in builtin_tasks() {
                let r = reply_for(&request(&t, s.text, "Spanish", true));
                let text = r.text();
                assert!(!text.starts_with(GENERIC_PREFIX), "{} {}", s.id, t.id);
                assert_eq!(r.finish_reason, "stop", "{} {} too long", s.id, t.id);
                if let Some(schema) = schema_for(&t.id) {
                    let fields = parse_fields(&schema, &text)
                        .unwrap_or_else(|| panic!("{} {}: {text}", s.id, t.id));
                    assert_eq!(fields.len(), schema["required"].as_array().unwrap().len());
                }
            }
        }
    }

    #[test]
    fn plain_requests_get_plain_text() {
        let sentiment = &builtin_tasks()[1];
        let r = reply_for(&request(sentiment, SAMPLES[1].text, "Spanish", false));
        assert!(r.text().starts_with("Positive. Revenue"), "{}", r.text());
        let keywords = &builtin_tasks()[2];
        let r = reply_for(&request(keywords, SAMPLES[0].text, "Spanish", false));
        assert!(
            r.text()
                .starts_with("artificial intelligence\nlarge language models")
        );
    }

    #[test]
    fn other_texts_tasks_and_languages_get_generic_replies() {
        let summary = &builtin_tasks()[0];
        let long = "My own text goes on. ".repeat(60);
        let own = reply_for(&request(summary, &long, "Spanish", false));
        assert!(own.text().starts_with(GENERIC_PREFIX));
        // 60 % of the 200-token limit, in words.
        assert_eq!(own.tokens.len(), 120);
        // No longer than the message: a part of a text gets a shorter reply.
        let short = reply_for(&request(summary, &"word ".repeat(30), "Spanish", false));
        let words = short.text().split_whitespace().count();
        let asked = render_prompt(&summary.prompt, &"word ".repeat(30), "Spanish")
            .split_whitespace()
            .count();
        assert_eq!(words, asked);
        let translation = &builtin_tasks()[4];
        let french = reply_for(&request(translation, SAMPLES[0].text, "French", false));
        assert!(french.text().starts_with(GENERIC_PREFIX));
        let spanish = reply_for(&request(translation, SAMPLES[0].text, "Spanish", false));
        assert!(spanish.text().starts_with("La inteligencia artificial"));
        // An edited built-in is no longer recognised.
        let mut edited = summary.clone();
        edited.system = "Be brief.".into();
        let r = reply_for(&request(&edited, SAMPLES[0].text, "Spanish", false));
        assert!(r.text().starts_with(GENERIC_PREFIX));
        // A structured request without a prepared answer still follows its schema.
        let category = &builtin_tasks()[5];
        let r = reply_for(&request(category, "My own text.", "Spanish", true));
        let f = parse_fields(&schema_for("category").unwrap(), &r.text()).unwrap();
        assert_eq!(f[0].value, "Business");
    }

    #[test]
    fn token_limits_cut_replies_and_usage_counts() {
        let mut t = builtin_tasks()[4].clone();
        t.max_tokens = 12;
        let r = reply_for(&request(&t, SAMPLES[2].text, "Spanish", false));
        assert_eq!(r.tokens.len(), 12);
        assert_eq!(r.finish_reason, "length");
        assert_eq!(r.usage.completion_tokens, 12);
        assert!(r.usage.prompt_tokens > 200);
    }

    #[test]
    fn splitting_keeps_the_text() {
        let t = "Hello,  world!\nNew line\tend ";
        let parts = split_tokens(t);
        assert_eq!(parts, ["Hello,  ", "world!\n", "New ", "line\t", "end "]);
        assert_eq!(parts.concat(), t);
        assert!(split_tokens("").is_empty());
    }
}
