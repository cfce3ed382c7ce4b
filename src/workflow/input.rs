//! Checks on files opened from disk (input texts, task files), before they
//! are read.

use crate::extract::{Binary, MAX_BYTES};

/// Largest file accepted as input text.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// Largest task file accepted for import.
pub const MAX_TASK_FILE_BYTES: u64 = 1024 * 1024;

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    /// Not a .txt, .md, .pdf or .docx file.
    #[error("\"{0}\" is not a text file: open a .txt, .md, .pdf or .docx file.")]
    Kind(String),
    /// Too big for one text.
    #[error("\"{name}\" is {mb:.1} MB; the limit is {limit} MB for this kind of file.")]
    TooBig {
        /// File name.
        name: String,
        /// Size in MB.
        mb: f64,
        /// The limit in MB.
        limit: u64,
    },
    /// Not a .json file.
    #[error("\"{0}\" is not a task file: choose a .json file exported by Fanout.")]
    NotJson(String),
    /// Too big for a task file.
    #[error("\"{0}\" is larger than 1 MB, too large for a task file.")]
    TooBigForTasks(String),
    /// Empty file.
    #[error("\"{0}\" is empty.")]
    Empty(String),
    /// Not readable as UTF-8 text.
    #[error("\"{0}\" could not be read as UTF-8 text.")]
    Unreadable(String),
}

/// Whether a file with this name and size may be opened as the input text:
/// `None` for a text file read as it is, the kind for a PDF or Word file
/// whose text is extracted first.
pub fn check_text_file(name: &str, size: u64) -> Result<Option<Binary>, FileError> {
    let lower = name.to_ascii_lowercase();
    let kind = if [".txt", ".md", ".markdown", ".text"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        None
    } else if lower.ends_with(".pdf") {
        Some(Binary::Pdf)
    } else if lower.ends_with(".docx") {
        Some(Binary::Docx)
    } else {
        return Err(FileError::Kind(name.to_string()));
    };
    if size == 0 {
        return Err(FileError::Empty(name.to_string()));
    }
    let limit = if kind.is_some() {
        MAX_BYTES as u64
    } else {
        MAX_FILE_BYTES
    };
    if size > limit {
        return Err(FileError::TooBig {
            name: name.to_string(),
            mb: size as f64 / (1024.0 * 1024.0),
            limit: limit / (1024 * 1024),
        });
    }
    Ok(kind)
}

/// Whether a text looks like binary data (a program, an image, an archive
/// read as text) rather than words: a NUL, or more than 5 % control or
/// undecodable characters in its first 64 Ki characters.
pub fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut odd = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        if c == '\0' {
            return true;
        }
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}')) {
            odd += 1;
        }
    }
    odd * 20 > total
}

/// Whether a file with this name and size may be imported as tasks.
pub fn check_task_file(name: &str, size: u64) -> Result<(), FileError> {
    if !name.to_ascii_lowercase().ends_with(".json") {
        return Err(FileError::NotJson(name.to_string()));
    }
    if size == 0 {
        return Err(FileError::Empty(name.to_string()));
    }
    if size > MAX_TASK_FILE_BYTES {
        return Err(FileError::TooBigForTasks(name.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_files_pass_and_others_are_explained() {
        assert_eq!(check_text_file("notes.TXT", 10), Ok(None));
        assert_eq!(check_text_file("readme.md", 10), Ok(None));
        assert_eq!(check_text_file("claim.PDF", 10), Ok(Some(Binary::Pdf)));
        assert_eq!(check_text_file("memo.docx", 10), Ok(Some(Binary::Docx)));
        // PDFs may be larger than a text file: the text is what counts.
        assert!(check_text_file("scan.pdf", 6 * 1024 * 1024).is_ok());
        assert!(check_text_file("scan.pdf", MAX_BYTES as u64 + 1).is_err());
        assert_eq!(
            check_text_file("photo.png", 10),
            Err(FileError::Kind("photo.png".into()))
        );
        assert_eq!(
            check_text_file("a.txt", 0),
            Err(FileError::Empty("a.txt".into()))
        );
        let big = check_text_file("big.txt", 6 * 1024 * 1024).unwrap_err();
        assert_eq!(
            big.to_string(),
            "\"big.txt\" is 6.0 MB; the limit is 5 MB for this kind of file."
        );
        assert!(check_text_file("x.txt", MAX_FILE_BYTES).is_ok());
    }

    #[test]
    fn binary_junk_is_told_apart_from_text() {
        assert!(!looks_binary(
            "Plain text,\twith tabs\r\nand lines. Café ☕"
        ));
        assert!(!looks_binary(""));
        assert!(looks_binary("PK\u{3}\u{4}\0\0zip"));
        // An image read as UTF-8: mostly replacement characters.
        let png = String::from_utf8_lossy(&[
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1,
        ])
        .to_string();
        assert!(looks_binary(&png));
        // One stray control character in a long text is not enough.
        let mostly = format!("{}\u{7}", "word ".repeat(100));
        assert!(!looks_binary(&mostly));
    }

    #[test]
    fn task_files_must_be_small_json() {
        assert_eq!(check_task_file("tasks.JSON", 10), Ok(()));
        assert_eq!(
            check_task_file("tasks.txt", 10),
            Err(FileError::NotJson("tasks.txt".into()))
        );
        assert_eq!(
            check_task_file("t.json", 0),
            Err(FileError::Empty("t.json".into()))
        );
        assert_eq!(
            check_task_file("t.json", MAX_TASK_FILE_BYTES + 1),
            Err(FileError::TooBigForTasks("t.json".into()))
        );
    }
}
