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

    /// The order in which the page draws its views: the one shown at start
    /// first, then the others in the navigation's order, each in its own
    /// task once the first is on screen (so start-up builds one view).
    pub fn draw_order(first: View) -> [View; 4] {
        let mut order = [first; 4];
        for (slot, v) in order[1..]
            .iter_mut()
            .zip(View::ALL.into_iter().filter(|v| *v != first))
        {
            *slot = v;
        }
        order
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
    fn the_shown_view_is_drawn_first_then_the_others_once_each() {
        for first in View::ALL {
            let order = View::draw_order(first);
            assert_eq!(order[0], first);
            for v in View::ALL {
                assert_eq!(
                    order.iter().filter(|x| **x == v).count(),
                    1,
                    "{v:?} in {order:?}"
                );
            }
            let rest: Vec<View> = View::ALL.into_iter().filter(|v| *v != first).collect();
            assert_eq!(&order[1..], rest.as_slice());
        }
    }

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
