//! Many documents for a batch: pasted texts split by a separator line, text
//! files, PDF and Word files, and the rows of a CSV or JSONL file (a chosen
//! column or field).
//! Every source gives one entry per document; an entry that cannot be used
//! keeps its reason, and the others still run.

use serde_json::Value;

use crate::extract::Binary;
use crate::workflow::input::looks_binary;
use crate::workflow::tasks::estimate_tokens;

/// One document to process, or why it cannot be.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Document {
    /// File name, or file name and row, or "Pasted text N".
    pub name: String,
    /// The text (empty when unusable).
    pub text: String,
    /// Why this document cannot run, if it cannot.
    pub error: Option<String>,
}

impl Document {
    fn ok(name: String, text: String) -> Self {
        if text.trim().is_empty() {
            return Self::bad(name, "it is empty".into());
        }
        if looks_binary(&text) {
            return Self::bad(name, "it looks like binary data, not text".into());
        }
        Self {
            name,
            text,
            error: None,
        }
    }

    fn bad(name: String, error: String) -> Self {
        Self {
            name,
            text: String::new(),
            error: Some(error),
        }
    }

    /// Estimated tokens of its text.
    pub fn tokens(&self) -> usize {
        estimate_tokens(&self.text)
    }

    /// Characters of its text.
    pub fn chars(&self) -> usize {
        self.text.chars().count()
    }
}

/// Splits pasted text into documents at lines holding only `---` (three or
/// more dashes); empty parts are skipped.
pub fn split_pasted(text: &str) -> Vec<Document> {
    let mut parts = vec![String::new()];
    for line in text.lines() {
        let t = line.trim();
        if t.len() >= 3 && t.chars().all(|c| c == '-') {
            parts.push(String::new());
        } else {
            let cur = parts.last_mut().expect("never empty");
            cur.push_str(line);
            cur.push('\n');
        }
    }
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .enumerate()
        .map(|(i, p)| Document::ok(format!("Pasted text {}", i + 1), p))
        .collect()
}

/// The column names of a CSV file (its header row).
pub fn csv_columns(content: &str) -> Result<Vec<String>, String> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(content.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| format!("unreadable CSV header ({e})"))?;
    Ok(headers.iter().map(str::to_string).collect())
}

/// One document per CSV row, from the column named `column`.
pub fn from_csv(file: &str, content: &str, column: &str) -> Result<Vec<Document>, String> {
    let columns = csv_columns(content)?;
    let Some(idx) = columns.iter().position(|c| c.trim() == column.trim()) else {
        return Err(format!(
            "\"{file}\" has no column \"{column}\"; its columns are: {}",
            columns.join(", ")
        ));
    };
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(content.as_bytes());
    Ok(r.records()
        .enumerate()
        .map(|(i, rec)| {
            // Row numbers as a spreadsheet shows them (header is row 1).
            let name = format!("{file} row {}", i + 2);
            match rec {
                Ok(rec) => match rec.get(idx) {
                    Some(text) => Document::ok(name, text.to_string()),
                    None => Document::bad(name, format!("the row has no \"{column}\" value")),
                },
                Err(e) => Document::bad(name, format!("unreadable row ({e})")),
            }
        })
        .collect())
}

/// One document per JSONL line, from the string field `field`.
pub fn from_jsonl(file: &str, content: &str, field: &str) -> Vec<Document> {
    content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let name = format!("{file} line {}", i + 1);
            match serde_json::from_str::<Value>(line) {
                Ok(v) => match v.get(field) {
                    Some(Value::String(s)) => Document::ok(name, s.clone()),
                    Some(_) => Document::bad(name, format!("\"{field}\" is not a string")),
                    None => Document::bad(name, format!("no \"{field}\" field")),
                },
                Err(e) => Document::bad(name, format!("not valid JSON ({e})")),
            }
        })
        .collect()
}

/// What a file holds, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// .txt / .md: the whole file is one document.
    Text,
    /// .csv: one document per row.
    Csv,
    /// .jsonl: one document per line.
    Jsonl,
    /// .pdf / .docx: text extracted in a worker (see `extract`).
    Binary(Binary),
}

/// The kind of a file from its name, or why it cannot be used.
pub fn file_kind(name: &str) -> Result<FileKind, String> {
    let lower = name.to_ascii_lowercase();
    if [".txt", ".md", ".markdown", ".text"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        Ok(FileKind::Text)
    } else if lower.ends_with(".csv") {
        Ok(FileKind::Csv)
    } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        Ok(FileKind::Jsonl)
    } else if lower.ends_with(".pdf") {
        Ok(FileKind::Binary(Binary::Pdf))
    } else if lower.ends_with(".docx") {
        Ok(FileKind::Binary(Binary::Docx))
    } else if lower.ends_with(".doc") {
        Err(format!(
            "\"{name}\" is an old Word .doc file: save it as .docx and open that"
        ))
    } else {
        Err(format!(
            "\"{name}\" cannot be read here: open .txt, .md, .csv, .jsonl, .pdf or .docx files"
        ))
    }
}

/// The documents in one text file's content (a PDF or Word file's text
/// comes from [`from_extracted`]).
pub fn from_file(name: &str, content: &str, field: &str) -> Vec<Document> {
    match file_kind(name) {
        Ok(FileKind::Binary(_)) => vec![Document::bad(
            name.to_string(),
            "its text must be extracted first".into(),
        )],
        Ok(FileKind::Text) => vec![Document::ok(name.to_string(), content.to_string())],
        Ok(FileKind::Csv) => from_csv(name, content, field)
            .unwrap_or_else(|e| vec![Document::bad(name.to_string(), e)]),
        Ok(FileKind::Jsonl) => from_jsonl(name, content, field),
        Err(e) => vec![Document::bad(name.to_string(), e)],
    }
}

/// The document for a PDF or Word file, from what extraction gave.
pub fn from_extracted(name: &str, extracted: Result<String, String>) -> Document {
    match extracted {
        Ok(text) => Document::ok(name.to_string(), text),
        Err(e) => Document::bad(name.to_string(), e),
    }
}

/// A document for a file that could not be read at all.
pub fn unreadable(name: &str, why: &str) -> Document {
    Document::bad(name.to_string(), why.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_texts_split_at_dash_lines() {
        let docs = split_pasted("First one.\n---\n\nSecond\nhas two lines.\n  -----  \n---\nThird");
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["First one.", "Second\nhas two lines.", "Third"]);
        assert_eq!(docs[2].name, "Pasted text 3");
        // "--" is text, not a separator.
        assert_eq!(split_pasted("a\n--\nb").len(), 1);
    }

    #[test]
    fn csv_rows_with_quotes_commas_newlines_and_utf8() {
        let csv = "id,body\n1,\"Hello, world\"\n2,\"Line one\nline two \"\"quoted\"\"\"\n3,Ünïcödé ☕\n4,\n";
        let docs = from_csv("t.csv", csv, "body").unwrap();
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Hello, world",
                "Line one\nline two \"quoted\"",
                "Ünïcödé ☕",
                ""
            ]
        );
        assert_eq!(docs[0].name, "t.csv row 2");
        assert_eq!(docs[3].error.as_deref(), Some("it is empty"));
        let err = from_csv("t.csv", csv, "text").unwrap_err();
        assert_eq!(
            err,
            "\"t.csv\" has no column \"text\"; its columns are: id, body"
        );
        assert_eq!(csv_columns(csv).unwrap(), ["id", "body"]);
    }

    #[test]
    fn jsonl_lines_keep_going_past_bad_ones() {
        let jsonl = "{\"text\": \"one\"}\nnot json\n\n{\"text\": 5}\n{\"other\": \"x\"}\n{\"text\": \"two ☕\"}\n";
        let docs = from_jsonl("d.jsonl", jsonl, "text");
        assert_eq!(docs.len(), 5);
        assert_eq!(docs[0].text, "one");
        assert!(
            docs[1]
                .error
                .as_deref()
                .unwrap()
                .starts_with("not valid JSON")
        );
        assert_eq!(docs[1].name, "d.jsonl line 2");
        assert_eq!(docs[2].error.as_deref(), Some("\"text\" is not a string"));
        assert_eq!(docs[3].error.as_deref(), Some("no \"text\" field"));
        assert_eq!(docs[4].text, "two ☕");
    }

    #[test]
    fn files_by_kind() {
        assert_eq!(from_file("a.md", "# Hi", "text")[0].text, "# Hi");
        assert_eq!(file_kind("Report.PDF"), Ok(FileKind::Binary(Binary::Pdf)));
        assert_eq!(file_kind("memo.docx"), Ok(FileKind::Binary(Binary::Docx)));
        assert!(
            file_kind("memo.doc")
                .unwrap_err()
                .contains("save it as .docx")
        );
        assert!(
            file_kind("photo.png")
                .unwrap_err()
                .contains(".pdf or .docx")
        );
        let pdf = from_extracted("a.pdf", Ok("  \n".into()));
        assert_eq!(pdf.error.as_deref(), Some("it is empty"));
        let pdf = from_extracted("a.pdf", Err("no text found".into()));
        assert_eq!(pdf.error.as_deref(), Some("no text found"));
        let bad_csv = &from_file("x.csv", "a,b\n1,2\n", "text")[0];
        assert!(
            bad_csv
                .error
                .as_deref()
                .unwrap()
                .contains("no column \"text\"")
        );
        assert_eq!(file_kind("x.NDJSON"), Ok(FileKind::Jsonl));
        let junk = &from_file("a.txt", "\u{0}\u{1}ELF\u{2}", "")[0];
        assert_eq!(
            junk.error.as_deref(),
            Some("it looks like binary data, not text")
        );
        let d = &from_file("a.txt", "abcdefgh", "")[0];
        assert_eq!((d.chars(), d.tokens()), (8, 2));
    }
}
