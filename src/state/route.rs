//! The page's views and their URL hashes (`#/run`, `#/batch`, `#/history`,
//! `#/prompt`), so reload and Back keep the view.

/// One of the page's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// One text, the tasks, the modes: the run and its figures.
    Run,
    /// Many documents.
    Batch,
    /// Kept runs.
    History,
    /// The prompt box.
    Prompt,
}

impl View {
    /// Every view, in the navigation's order.
    pub const ALL: [View; 4] = [View::Run, View::Batch, View::History, View::Prompt];

    /// Stable name: the hash path and the test hooks (`nav-…`, `view-…`).
    pub fn name(self) -> &'static str {
        match self {
            View::Run => "run",
            View::Batch => "batch",
            View::History => "history",
            View::Prompt => "prompt",
        }
    }

    /// What the navigation calls it.
    pub fn label(self) -> &'static str {
        match self {
            View::Run => "Run",
            View::Batch => "Batch",
            View::History => "History",
            View::Prompt => "Playground",
        }
    }

    /// The URL hash that shows it.
    pub fn hash(self) -> String {
        format!("#/{}", self.name())
    }

    /// The view a URL hash names; anything else (empty, unknown) is the Run
    /// view, so an old or mistyped link still opens the page.
    pub fn from_hash(hash: &str) -> View {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let name = path.split(['/', '?']).next().unwrap_or_default();
        View::ALL
            .into_iter()
            .find(|v| v.name() == name)
            .unwrap_or(View::Run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_view_round_trips_through_its_hash() {
        for v in View::ALL {
            assert_eq!(View::from_hash(&v.hash()), v);
        }
        assert_eq!(View::from_hash("#/history/run-1"), View::History);
        assert_eq!(View::from_hash("#batch"), View::Batch);
    }

    #[test]
    fn an_unknown_or_empty_hash_opens_the_run_view() {
        for h in ["", "#", "#/", "#/nowhere", "#/Run-ish"] {
            assert_eq!(View::from_hash(h), View::Run, "{h}");
        }
    }
}
