//! Layers that only point down: each module of `src/` may import only the
//! modules of the layers below its own, in the written orders here (one for
//! the top-level modules, one for the engine's files). A module missing
//! from its order fails too, so a new module is placed on purpose.
//!
//! Read from the source text: every `crate::…` path (and, in the engine,
//! `super::…`), including `use crate::{a, b::c}` groups, outside comments
//! and string literals; test code counts as much as the rest.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules, lowest layer first. Modules of one layer are
/// peers: neither imports the other.
const TOP_LEVEL: &[&[&str]] = &[
    // Pure helpers: formatting, statistics, chart geometry, the sample
    // texts, document text extraction.
    &["format", "stats", "charts", "samples", "extract"],
    // The OpenAI-compatible API: types, requests, streams, retries, client.
    &["openai"],
    // Test-only fakes of the transport (compiled under `cfg(test)`).
    &["testing"],
    // Provider presets; the scheduler and its executor.
    &["providers", "schedule"],
    // Pools: the router and the transport that spreads requests over
    // several servers.
    &["pool"],
    // Tasks, prompts, structured output, the engine, metrics, parts, votes.
    &["workflow"],
    // The simulated provider.
    &["demo"],
    // What the user set (plain data and checks).
    &["settings"],
    // Building transports; batches; capacity searches; races.
    &["connect", "batch", "capacity", "race"],
    // Kept records, their figures, exports and imports.
    &["history"],
    // Sessions: a click's whole job, reported through sinks; a run in a
    // link (what it holds, its fragment and checks).
    &["session", "share"],
    // The page's state layer (signals, storage, sinks).
    &["state"],
    // The views.
    &["components"],
    // The root component.
    &["app"],
];

/// The engine's files (`src/workflow/engine/`), lowest first.
const ENGINE: &[&[&str]] = &[&["events", "spec"], &["task"], &["fan"], &["run"]];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Source text with comments removed and string and char literals emptied,
/// so that paths in docs and messages do not count.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            let mut depth = 0;
            while i < b.len() {
                if text[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if text[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(text, i) {
            let close = format!("\"{}", "#".repeat(hashes));
            let body = i + 2 + hashes;
            i = text[body..]
                .find(&close)
                .map_or(b.len(), |j| body + j + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && char_literal_len(&text[i..]).is_some() {
            i += char_literal_len(&text[i..]).unwrap_or(1);
            out.push_str("' '");
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `r"…"` or `r#"…"#` starting at `i` (not inside an identifier): its `#`s.
fn raw_string_start(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    if b[i] != b'r' || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) {
        return None;
    }
    let hashes = text[i + 1..].bytes().take_while(|c| *c == b'#').count();
    (b.get(i + 1 + hashes) == Some(&b'"')).then_some(hashes)
}

/// The length of a char literal at the start of `s` (`'x'`, `'\n'`,
/// `'\u{1F600}'`), or `None` for a lifetime.
fn char_literal_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices().skip(1);
    let (_, c) = chars.next()?;
    if c == '\\' {
        let end = s[2..].find('\'')?;
        return Some(2 + end + 1);
    }
    let (j, close) = chars.next()?;
    (close == '\'').then_some(j + 1)
}

/// The first segment of every path that starts with `prefix` (`crate::`,
/// `super::`), a `{…}` group after the prefix counting each of its items.
fn first_segments(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(prefix) {
        let start = from + at;
        from = start + prefix.len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.extend(ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            found.extend(ident(&item));
        } else {
            found.extend(ident(rest));
        }
    }
    found
}

fn ident(s: &str) -> Option<String> {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| s[..end].to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn layer_of(order: &[&[&str]], module: &str) -> Option<usize> {
    order.iter().position(|layer| layer.contains(&module))
}

/// The imports that break `order`: "a (file) imports b, which is not below
/// it", for each module in `files` (module, file, its code).
fn violations(order: &[&[&str]], files: &[(String, String, BTreeSet<String>)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (module, file, imports) in files {
        let Some(own) = layer_of(order, module) else {
            bad.push(format!(
                "{module} ({file}) is in no layer: place it in the order"
            ));
            continue;
        };
        for other in imports {
            if other == module {
                continue;
            }
            if let Some(theirs) = layer_of(order, other)
                && theirs >= own
            {
                bad.push(format!(
                    "{module} ({file}) imports {other}, which is not below it"
                ));
            }
        }
    }
    bad
}

/// Every top-level module with the modules each of its files imports.
fn top_level_imports() -> Vec<(String, String, BTreeSet<String>)> {
    let root = src();
    let mut paths = Vec::new();
    rust_files(&root, &mut paths);
    let mut files = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(&root).expect("under src/");
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        // The crate root and the binaries sit above every module.
        if rel_text == "lib.rs" || rel_text == "main.rs" || rel_text.starts_with("bin/") {
            continue;
        }
        let first = rel.components().next().expect("a path");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let code = code_only(&std::fs::read_to_string(&path).expect("readable"));
        files.push((module, rel_text, first_segments(&code, "crate::")));
    }
    files
}

fn engine_imports() -> Vec<(String, String, BTreeSet<String>)> {
    let dir = src().join("workflow/engine");
    let mut paths = Vec::new();
    rust_files(&dir, &mut paths);
    let names: BTreeSet<String> = paths
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_string()))
        .filter(|n| n != "mod")
        .collect();
    paths
        .iter()
        .filter(|p| p.file_stem().is_some_and(|s| s != "mod"))
        .map(|p| {
            let module = p.file_stem().expect("a name").to_string_lossy().to_string();
            let code = code_only(&std::fs::read_to_string(p).expect("readable"));
            let mut imports = first_segments(&code, "super::");
            for path in ["crate::workflow::engine::", "engine::"] {
                imports.extend(first_segments(&code, path));
            }
            imports.retain(|m| names.contains(m));
            (
                module.clone(),
                format!("workflow/engine/{module}.rs"),
                imports,
            )
        })
        .collect()
}

#[test]
fn top_level_modules_import_only_layers_below() {
    let files = top_level_imports();
    let bad = violations(TOP_LEVEL, &files);
    assert!(
        bad.is_empty(),
        "upward or sideways imports:\n{}",
        bad.join("\n")
    );
    // Every layer's module exists (a renamed module leaves no stale entry).
    let present: BTreeSet<&str> = files.iter().map(|f| f.0.as_str()).collect();
    for m in TOP_LEVEL.iter().flat_map(|l| l.iter()) {
        assert!(present.contains(m), "{m} is in the order but not in src/");
    }
}

#[test]
fn the_engines_files_import_only_files_below() {
    let files = engine_imports();
    assert!(files.len() >= 5, "engine files found: {}", files.len());
    let bad = violations(ENGINE, &files);
    assert!(
        bad.is_empty(),
        "upward or sideways imports:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_reader_finds_paths_in_code_and_groups_but_not_in_comments_or_strings() {
    let code = code_only(
        r#"
        use crate::openai::Transport;
        use crate::{format, stats::median, workflow::{engine::RunSpec, tasks}};
        // use crate::history::RunRecord;
        /* crate::app */ let s = "crate::components"; let c = '"'; let r = r"crate::state";
        fn f<'a>(x: &'a str) -> crate::race::live::Race { todo!() }
        let y = other_crate::session::x;
        "#,
    );
    let found = first_segments(&code, "crate::");
    let expected: BTreeSet<String> = ["openai", "format", "stats", "workflow", "race"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn an_upward_or_sideways_import_is_reported() {
    let order: &[&[&str]] = &[&["low", "peer"], &["high"]];
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let files = vec![
        ("low".to_string(), "low.rs".to_string(), set(&["high"])),
        ("peer".to_string(), "peer.rs".to_string(), set(&["low"])),
        (
            "high".to_string(),
            "high.rs".to_string(),
            set(&["low", "peer"]),
        ),
        ("new".to_string(), "new.rs".to_string(), set(&[])),
    ];
    assert_eq!(
        violations(order, &files),
        [
            "low (low.rs) imports high, which is not below it",
            "peer (peer.rs) imports low, which is not below it",
            "new (new.rs) is in no layer: place it in the order",
        ]
    );
}
