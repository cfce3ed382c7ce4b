//! Run files written before the record kept its kind as one enum (by the
//! version before it, in `tests/fixtures/records/`) import as the same
//! kind with the same payload, and are written back byte for byte: the
//! file shape did not change, only how the page holds a record.
#![cfg(not(target_arch = "wasm32"))]

use fanout::history::RunRecord;
use fanout::workflow::runner::RunKind;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/records/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn files_written_before_import_as_the_same_kind_and_write_back_unchanged() {
    for (name, kind) in [
        ("compare", RunKind::Compare),
        ("race", RunKind::Race),
        ("capacity", RunKind::Capacity),
        ("batch", RunKind::Batch),
    ] {
        let text = fixture(name);
        let record = RunRecord::import(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(record.kind.run_kind(), kind, "{name}");
        assert_eq!(
            record.kind.race().is_some(),
            kind == RunKind::Race,
            "{name}"
        );
        assert_eq!(
            record.kind.capacity().is_some(),
            kind == RunKind::Capacity,
            "{name}"
        );
        assert_eq!(
            record.kind.batch().is_some(),
            kind == RunKind::Batch,
            "{name}"
        );
        assert_eq!(record.to_json(), text, "{name} is written back as it was");
    }
}

#[test]
fn a_kind_and_a_payload_that_disagree_are_refused() {
    let race = fixture("race");
    let batch = fixture("batch");
    let swap = |text: &str, from: &str, to: &str| text.replacen(from, to, 1);
    for (text, reason) in [
        (
            swap(&race, "\"plan\": \"race\"", "\"plan\": \"parallel\""),
            "race endpoints in a run that is not a race",
        ),
        (
            swap(&batch, "\"plan\": \"batch\"", "\"plan\": \"race\""),
            "a race without its endpoints",
        ),
        (
            swap(&race, "\"plan\": \"race\"", "\"plan\": \"capacity\""),
            "a capacity run without its steps",
        ),
    ] {
        let err = RunRecord::import(&text).expect_err(reason).to_string();
        assert!(err.contains(reason), "{err} / {reason}");
    }
}
