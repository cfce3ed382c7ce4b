//! A run in a link: what a shared record holds (figures, answers only when
//! asked, the input only when asked, never a key), and the link's fragment
//! (`#share=1.<checksum>.<data>`: the format version, an FNV-1a 64 checksum
//! of the record's JSON, and the JSON compressed with deflate-raw in
//! base64url). The fragment never reaches a server: browsers do not send
//! it. Compressing is the page's (the browser's `CompressionStream`); this
//! module only builds, reads and checks.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::history::record::{RunRecord, fnv1a_hex};

/// The fragment's prefix.
pub const PREFIX: &str = "#share=";

/// The link format this page writes and reads.
pub const LINK_VERSION: u32 = 1;

/// The longest fragment read (characters): far above what any chat tool
/// keeps, and small enough to decode at once.
pub const MAX_FRAGMENT_CHARS: usize = 400_000;

/// The most bytes a link's record may take once decompressed: a link is
/// refused as soon as decompressing passes it (a small link can inflate to
/// a huge text).
pub const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;

/// Above this length some chat tools and browsers' address bars cut a link.
pub const LONG_LINK_CHARS: usize = 2_000;

/// What a shared record carries besides the figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShareOptions {
    /// The tasks' answers and thinking (each request's too).
    pub answers: bool,
    /// The start of the input text the record keeps.
    pub input: bool,
}

/// The record as shared: the figures always; answers and the input's start
/// only when asked. A record never holds a key; a host is kept without any
/// credentials written before an `@`.
pub fn shareable(record: &RunRecord, options: ShareOptions) -> RunRecord {
    let mut r = record.clone();
    if !options.answers {
        for t in r.runs.iter_mut().flat_map(|run| run.tasks.iter_mut()) {
            t.text.clear();
            t.reasoning.clear();
            for q in &mut t.requests {
                q.text.clear();
            }
        }
        if let Some(b) = r.kind.batch_mut() {
            for c in b.cells.iter_mut().flatten() {
                c.text.clear();
                c.reasoning.clear();
            }
        }
    }
    if !options.input {
        r.input.head.clear();
    }
    if let Some((_, host)) = r.host.rsplit_once('@') {
        r.host = host.to_string();
    }
    r
}

/// The fragment for `json` (a record's compact JSON) compressed as
/// `deflated`.
pub fn fragment(json: &str, deflated: &[u8]) -> String {
    format!(
        "{PREFIX}{LINK_VERSION}.{}.{}",
        fnv1a_hex(json),
        URL_SAFE_NO_PAD.encode(deflated)
    )
}

/// Why a shared link could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// Longer than any link this page writes.
    #[error(
        "This shared link is {0} characters long, more than a shared run can be; it was not read."
    )]
    TooLong(usize),
    /// Written by a newer version of the page.
    #[error(
        "This link was made by a newer version of Fanout (link format {0}); this page reads format 1."
    )]
    Newer(u32),
    /// Its parts or its data are not what a link holds.
    #[error("This shared link is cut or damaged ({0}). Ask for the whole link again.")]
    Damaged(String),
    /// It decompresses to more than a record may take.
    #[error("This shared link holds more than 4 MB of data; it was not opened.")]
    TooBig,
    /// The data does not match its checksum.
    #[error(
        "This shared link was altered or cut: its data does not match its checksum. Ask for the link again."
    )]
    Altered,
    /// The data is not a run this page can show.
    #[error("This shared link does not hold a run Fanout can show: {0}.")]
    NotARun(String),
}

/// A link's parts, before decompressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The checksum of the record's JSON (16 hex digits).
    pub checksum: String,
    /// The compressed record.
    pub deflated: Vec<u8>,
}

/// Reads a URL's fragment: `None` when it is no shared link; an error when
/// it is one that cannot be read. Sizes are bounded before decoding.
pub fn parse_fragment(hash: &str) -> Option<Result<Encoded, ShareError>> {
    let rest = hash.strip_prefix(PREFIX)?;
    Some(parse(rest))
}

fn parse(rest: &str) -> Result<Encoded, ShareError> {
    if rest.len() > MAX_FRAGMENT_CHARS {
        return Err(ShareError::TooLong(rest.len()));
    }
    let mut parts = rest.splitn(3, '.');
    let (version, checksum, data) = (parts.next(), parts.next(), parts.next());
    let version: u32 = version
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ShareError::Damaged("no format version".into()))?;
    if version > LINK_VERSION {
        return Err(ShareError::Newer(version));
    }
    if version != LINK_VERSION {
        return Err(ShareError::Damaged(format!("unknown format {version}")));
    }
    let checksum = checksum
        .filter(|c| c.len() == 16 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| ShareError::Damaged("no checksum".into()))?;
    let data = data
        .filter(|d| !d.is_empty())
        .ok_or_else(|| ShareError::Damaged("no data".into()))?;
    let deflated = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| ShareError::Damaged("its data is not base64url".into()))?;
    Ok(Encoded {
        checksum: checksum.to_ascii_lowercase(),
        deflated,
    })
}

/// The record in a link's decompressed `json`, once its checksum matches
/// and it passes the same checks as an imported file.
pub fn open(encoded: &Encoded, json: &str) -> Result<RunRecord, ShareError> {
    if fnv1a_hex(json) != encoded.checksum {
        return Err(ShareError::Altered);
    }
    RunRecord::import(json).map_err(|e| ShareError::NotARun(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::fixtures::compare;

    /// A stand-in for deflate-raw (the browser's): the JSON's bytes as
    /// they are. The link's framing and checks do not depend on it.
    fn link(record: &RunRecord) -> (String, String) {
        let json = serde_json::to_string(record).unwrap();
        (fragment(&json, json.as_bytes()), json)
    }

    fn read(hash: &str) -> Result<RunRecord, ShareError> {
        let e = parse_fragment(hash).expect("a shared link")?;
        let json = String::from_utf8(e.deflated.clone())
            .map_err(|_| ShareError::Damaged("utf-8".into()))?;
        open(&e, &json)
    }

    #[test]
    fn figures_only_drops_answers_and_input_and_keeps_every_figure() {
        let mut r = compare("gpt-4o-mini", 1.7e12, 500.0, 3, "The secret answer");
        r.input.head = "My private text".into();
        r.runs[1].tasks[0].reasoning = "private thinking".into();
        r.host = "user:pw@api.example.com".into();
        let shared = shareable(&r, ShareOptions::default());
        let (hash, json) = link(&shared);
        assert!(
            !json.contains("secret") && !json.contains("private"),
            "{json}"
        );
        assert!(!json.contains("user:pw"));
        assert_eq!(shared.host, "api.example.com");
        let back = read(&hash).unwrap();
        assert_eq!(back, shared);
        // The figures are the original's.
        let figures = |x: &RunRecord| {
            crate::history::figures::figures(x)
                .into_iter()
                .map(|f| (f.key, f.text))
                .collect::<Vec<_>>()
        };
        assert_eq!(figures(&back), figures(&r));
        // Asked for, answers and input come along.
        let all = shareable(
            &r,
            ShareOptions {
                answers: true,
                input: true,
            },
        );
        let (_, json) = link(&all);
        assert!(json.contains("The secret answer") && json.contains("My private text"));
        assert!(json.contains("private thinking"));
    }

    #[test]
    fn a_cut_altered_newer_or_foreign_link_is_refused_with_its_reason() {
        let r = compare("gpt-4o-mini", 1.7e12, 500.0, 3, "A");
        let (hash, json) = link(&r);
        assert!(read(&hash).is_ok());
        assert_eq!(parse_fragment("#/run"), None);
        // Cut: mid-group, the data is no base64url; at a group's end, it
        // no longer matches its checksum.
        let cut = &hash[..hash.len() - 41];
        assert!(
            matches!(read(cut), Err(ShareError::Damaged(_))),
            "{:?}",
            read(cut)
        );
        let data_at = hash.rfind('.').unwrap() + 1;
        let whole_groups = data_at + (hash.len() - data_at - 40) / 4 * 4;
        assert_eq!(read(&hash[..whole_groups]), Err(ShareError::Altered));
        // Altered: valid JSON, other figures.
        let altered_json = json.replacen("gpt-4o-mini", "gpt-4o-maxi", 1);
        let altered = format!(
            "{PREFIX}1.{}.{}",
            fnv1a_hex(&json),
            URL_SAFE_NO_PAD.encode(altered_json.as_bytes())
        );
        assert_eq!(read(&altered), Err(ShareError::Altered));
        // Newer, unreadable, too long.
        assert_eq!(
            read("#share=2.0123456789abcdef.AAAA"),
            Err(ShareError::Newer(2))
        );
        assert!(matches!(
            read("#share=1.xyz.AAAA"),
            Err(ShareError::Damaged(_))
        ));
        assert!(matches!(
            read("#share=1.0123456789abcdef.@@@"),
            Err(ShareError::Damaged(_))
        ));
        assert!(matches!(
            read("#share=1.0123456789abcdef."),
            Err(ShareError::Damaged(_))
        ));
        let long = format!(
            "#share=1.0123456789abcdef.{}",
            "A".repeat(MAX_FRAGMENT_CHARS)
        );
        assert!(matches!(read(&long), Err(ShareError::TooLong(_))));
        // A checksum that matches JSON that is no run.
        let other = r#"{"format":"something else"}"#;
        let foreign = fragment(other, other.as_bytes());
        assert!(
            matches!(read(&foreign), Err(ShareError::NotARun(_))),
            "{:?}",
            read(&foreign)
        );
        // Every message says what to do or what it was.
        assert!(ShareError::Altered.to_string().contains("altered or cut"));
        assert!(ShareError::Newer(2).to_string().contains("newer version"));
    }
}
