#!/usr/bin/env bash
# Audits Cargo.lock against a snapshot of the RustSec advisory database,
# offline, with warnings (unmaintained, unsound, yanked) denied.
#   FANOUT_RUSTSEC  the snapshot (.tar.gz of the database's crates/ and rust/);
#                   default ../shared/rustsec/advisory-db.tar.gz. Set and
#                   missing is an error; the default missing skips, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."

snapshot="${FANOUT_RUSTSEC:-../shared/rustsec/advisory-db.tar.gz}"
if [ ! -f "$snapshot" ]; then
  if [ -n "${FANOUT_RUSTSEC:-}" ]; then
    echo "audit: FANOUT_RUSTSEC names no file: $snapshot" >&2
    exit 1
  fi
  echo "audit: SKIPPED, no advisory snapshot at $snapshot (set FANOUT_RUSTSEC to one)"
  exit 0
fi

db=target/advisory-db
rm -rf "$db" && mkdir -p "$db"
tar -xzf "$snapshot" -C "$db"
newest=$(grep -rh '^date = ' "$db/crates" "$db/rust" | sort | tail -1 | tr -dc '0-9-')
echo "audit: RustSec snapshot $snapshot, newest advisory dated $newest (no fetch: nothing newer is known)"

# Ignored, each with its reason:
#  RUSTSEC-2024-0436  paste is unmaintained; it is a proc-macro that leptos
#                     itself depends on (either_of, tachys), so it cannot be
#                     replaced from here. No vulnerability is reported.
#  RUSTSEC-2026-0192  ttf-parser is unmaintained; it comes through
#                     pdf-extract -> lopdf and runs only in the PDF reader
#                     worker, on fonts of PDFs the user opened. No
#                     vulnerability is reported; replacing pdf-extract is
#                     more than this notice warrants for now.
.venv/bin/cargo-audit audit --db "$db" --no-fetch --no-yanked --file Cargo.lock \
  --deny warnings \
  --ignore RUSTSEC-2024-0436 \
  --ignore RUSTSEC-2026-0192
