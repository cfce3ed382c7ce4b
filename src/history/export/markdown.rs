//! A run's headline figures as a Markdown table.

use crate::history::figures::*;
use crate::history::record::RunRecord;

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// The headline figures as a Markdown table, for chat and tickets.
pub fn markdown(r: &RunRecord) -> String {
    let mut s = format!(
        "**Fanout run** · `{}` on {} · {} · {} tasks · {}\n\n| Figure | Value |\n|---|---|\n",
        md_cell(&r.model).replace('`', "'"),
        md_cell(&r.host),
        r.kind.run_kind().name(),
        r.tasks.len(),
        date_of(r.at)
    );
    for f in figures(r) {
        s.push_str(&format!("| {} | {} |\n", f.label, md_cell(&f.text)));
    }
    if let Some(race) = r.race_drawn() {
        s.push_str("\n| Endpoint |");
        let rows = crate::race::figure_rows(&race.figures());
        for row in &rows {
            s.push_str(&format!(" {} |", row.label));
        }
        s.push_str(&format!("\n|---|{}\n", "---|".repeat(rows.len())));
        for (n, l) in race.lanes.iter().enumerate() {
            s.push_str(&format!(
                "| {}: {} (`{}`) |",
                n + 1,
                md_cell(&l.name),
                md_cell(&l.model).replace('`', "'")
            ));
            for row in &rows {
                let mark = if row.best[n] { " (best)" } else { "" };
                s.push_str(&format!(" {}{mark} |", md_cell(&row.cells[n])));
            }
            s.push('\n');
        }
    }
    if r.simulated {
        s.push_str("\n_Simulated run (demo provider): not a model's timings._\n");
    }
    s
}
