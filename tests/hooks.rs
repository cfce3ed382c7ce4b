//! The test hooks live in one place (`src/components/hooks.rs`) and every
//! one is listed, with its meaning, in `e2e/README.md`: a hook added without
//! a word on what it means, or a literal `data-testid` outside that place,
//! fails here.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use fanout::components::hooks::ALL;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_hook_is_listed_with_its_meaning() {
    let readme = std::fs::read_to_string(root().join("e2e/README.md")).expect("e2e/README.md");
    let missing: Vec<&str> = ALL
        .iter()
        .copied()
        .filter(|id| !readme.contains(&format!("`{id}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "hooks not listed in e2e/README.md: {missing:?}"
    );
    // Each value once: two constants for one hook would drift apart.
    let mut sorted = ALL.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ALL.len());
}

#[test]
fn views_take_their_hooks_from_the_one_place() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let literal: Vec<String> = files
        .iter()
        .filter(|f| !f.ends_with("components/hooks.rs"))
        .filter(|f| {
            std::fs::read_to_string(f)
                .expect("readable")
                .contains("data-testid=\"")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        literal.is_empty(),
        "literal data-testid values (use components::hooks): {literal:?}"
    );
}
