//! Text out of PDF and Word (.docx) files, in the browser.
//!
//! PDF goes through `pdf-extract` (on `lopdf`); a .docx is a zip of XML, read
//! with `zip` and `quick-xml`. These crates make a large wasm module, so the
//! page never loads them: they run in a web worker (`src/bin/extract.rs`)
//! that is fetched the first time a user opens such a file. The functions
//! here are plain Rust so native tests read real files with them.

use std::io::Read;

use quick_xml::events::Event;

/// Refuse files this large: extraction holds the whole file in memory twice.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

/// The kinds of binary document this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Binary {
    /// A PDF file.
    Pdf,
    /// A Word document (Office Open XML).
    Docx,
}

/// Why a file of `size` bytes is too big to read, if it is.
pub fn too_big(size: u64) -> Option<String> {
    (size > MAX_BYTES as u64).then(|| {
        format!(
            "it is {} MB; files over {} MB are not read here",
            size / (1024 * 1024),
            MAX_BYTES / (1024 * 1024)
        )
    })
}

/// The text of a binary document, or a reason a person can act on.
pub fn text_of(kind: Binary, bytes: &[u8]) -> Result<String, String> {
    if let Some(e) = too_big(bytes.len() as u64) {
        return Err(e);
    }
    let text = match kind {
        Binary::Pdf => pdf_text(bytes)?,
        Binary::Docx => docx_text(bytes)?,
    };
    let text = tidy(&text);
    if text.is_empty() {
        return Err(match kind {
            Binary::Pdf => "no text found in this PDF (a scanned PDF holds only images; run it through OCR first)".into(),
            Binary::Docx => "no text found in this Word document".into(),
        });
    }
    Ok(text)
}

/// The text of a PDF file.
pub fn pdf_text(bytes: &[u8]) -> Result<String, String> {
    if !bytes.starts_with(b"%PDF") {
        return Err("it is not a PDF file (it does not start with %PDF)".into());
    }
    pdf_extract::extract_text_from_mem(bytes).map_err(|e| {
        let e = e.to_string();
        if e.to_ascii_lowercase().contains("decrypt") || e.to_ascii_lowercase().contains("encrypt")
        {
            "this PDF is password-protected; save an unprotected copy and open that".into()
        } else {
            format!("this PDF could not be read ({e})")
        }
    })
}

/// The text of a .docx file: paragraphs of `word/document.xml` one per line,
/// tabs and line breaks kept.
pub fn docx_text(bytes: &[u8]) -> Result<String, String> {
    if !bytes.starts_with(b"PK") {
        return Err("it is not a Word .docx file (a .docx is a zip archive; old .doc files are not supported: save as .docx)".into());
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("this .docx could not be opened ({e})"))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|_| {
            "this zip file is not a Word document (it has no word/document.xml)".to_string()
        })?
        .read_to_string(&mut xml)
        .map_err(|e| format!("this .docx could not be read ({e})"))?;
    document_xml_text(&xml)
}

/// The text in WordprocessingML: `w:t` runs, `w:tab`, `w:br`, and a line
/// break after each `w:p` paragraph. Hand-written because the docx crates
/// that parse whole documents pull in image decoders for what is a walk over
/// a few element names.
fn document_xml_text(xml: &str) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("this .docx has broken XML ({e})"))?;
        match event {
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                "w:tab" => out.push('\t'),
                "w:br" | "w:cr" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Trims each line's end and collapses runs of blank lines (PDF text comes
/// with many), so token estimates are not inflated by layout whitespace.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

/// A request to the extraction worker.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExtractRequest {
    /// Matches the reply to its request.
    pub id: u32,
    /// What kind of file the bytes are.
    pub kind: Binary,
}

/// The worker's reply.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExtractReply {
    /// The request's id.
    pub id: u32,
    /// The text, or why there is none.
    pub result: Result<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/e2e/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn pdf_text_comes_out_of_a_real_file() {
        let text = text_of(Binary::Pdf, &fixture("claim.pdf")).unwrap();
        assert!(text.contains("Claim 4471"), "{text}");
        assert!(text.contains("water damage"), "{text}");
        // Both pages.
        assert!(text.contains("Second page"), "{text}");
    }

    #[test]
    fn docx_text_keeps_paragraphs_and_entities() {
        let text = text_of(Binary::Docx, &fixture("ticket.docx")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Ticket 981: printer offline", "{text}");
        assert!(text.contains("R&D floor"), "{text}");
        assert!(text.contains("Steps:\tcheck the cable"), "{text}");
        assert!(lines.len() >= 3, "{text}");
    }

    #[test]
    fn a_file_that_is_not_what_its_name_says_is_refused_with_the_reason() {
        let e = text_of(Binary::Pdf, b"hello, not a pdf").unwrap_err();
        assert!(e.contains("not a PDF"), "{e}");
        let e = text_of(Binary::Docx, b"{\\rtf1 old word}").unwrap_err();
        assert!(e.contains("not a Word .docx"), "{e}");
        // A zip, but not a Word document.
        let e = text_of(Binary::Docx, &fixture("not-word.docx")).unwrap_err();
        assert!(e.contains("no word/document.xml"), "{e}");
        // A truncated PDF.
        let pdf = fixture("claim.pdf");
        let e = text_of(Binary::Pdf, &pdf[..pdf.len() / 3]).unwrap_err();
        assert!(e.contains("could not be read"), "{e}");
    }

    #[test]
    fn a_pdf_without_text_says_it_needs_ocr() {
        let e = text_of(Binary::Pdf, &fixture("blank.pdf")).unwrap_err();
        assert!(e.contains("OCR"), "{e}");
    }

    #[test]
    fn files_over_the_limit_are_refused_before_reading() {
        assert_eq!(too_big(MAX_BYTES as u64), None);
        let e = too_big(60 * 1024 * 1024).unwrap();
        assert_eq!(e, "it is 60 MB; files over 50 MB are not read here");
    }

    #[test]
    fn tidy_collapses_layout_whitespace() {
        assert_eq!(tidy("  a  \n\n\n\nb\n   \nc"), "  a\n\nb\n\nc");
        assert_eq!(tidy("\n\n"), "");
    }
}
