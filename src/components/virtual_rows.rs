//! Long tables with only the rows in view in the page: `use_virtual_rows`
//! follows a scroll container and says which rows to draw; spacer rows
//! above and below keep the scrollbar true to the whole table. Hand-written:
//! the Leptos virtual-list crates draw lists of divs, not table rows with
//! their header and caption kept.

use leptos::prelude::*;

/// Each row's height in CSS pixels (`.virtual tr` in the stylesheet).
pub const ROW_PX: f64 = 30.0;
/// Rows drawn beyond the view on each side, and at least drawn.
const OVERSCAN: usize = 20;
const AT_LEAST: usize = 60;

/// The rows to draw: `start..end` of `total`, for a view `height` px tall
/// scrolled `top` px into rows `row` px tall.
pub fn visible_rows(top: f64, height: f64, row: f64, total: usize) -> (usize, usize) {
    let first = if row > 0.0 {
        (top.max(0.0) / row).floor() as usize
    } else {
        0
    };
    let shown = if row > 0.0 {
        (height.max(0.0) / row).ceil() as usize
    } else {
        0
    };
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = (first + shown + OVERSCAN).max(start + AT_LEAST).min(total);
    (start, end)
}

/// What a virtual table needs: its scroll container, the rows to draw, and
/// the spacers' heights.
#[derive(Clone, Copy)]
pub struct VirtualRows {
    /// Put on the scroll container (`class="virtual"`).
    pub node: NodeRef<leptos::html::Div>,
    /// Call from the container's `on:scroll`.
    pub on_scroll: Callback<()>,
    /// The rows to draw: `start..end`.
    pub range: Memo<(usize, usize)>,
    /// Height of the spacer above the rows drawn, px.
    pub above: Signal<f64>,
    /// Height of the spacer below, px.
    pub below: Signal<f64>,
}

/// Follows a scroll container over `total` rows.
pub fn use_virtual_rows(total: Signal<usize>) -> VirtualRows {
    let node = NodeRef::<leptos::html::Div>::new();
    let view = RwSignal::new((0.0f64, 600.0f64));
    let on_scroll = Callback::new(move |()| {
        if let Some(el) = node.get_untracked() {
            view.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
        }
    });
    let range = Memo::new(move |_| {
        let (top, height) = view.get();
        visible_rows(top, height, ROW_PX, total.get())
    });
    VirtualRows {
        node,
        on_scroll,
        range,
        above: Signal::derive(move || range.get().0 as f64 * ROW_PX),
        below: Signal::derive(move || {
            (total.get() - range.get().1.min(total.get())) as f64 * ROW_PX
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_the_rows_in_view_and_a_margin() {
        // 10,000 rows of 30 px, a 600 px view scrolled to row 1,000.
        assert_eq!(visible_rows(30_000.0, 600.0, 30.0, 10_000), (980, 1040));
        // At the top: at least 60 rows.
        assert_eq!(visible_rows(0.0, 600.0, 30.0, 10_000), (0, 60));
        // A short table is drawn whole.
        assert_eq!(visible_rows(0.0, 600.0, 30.0, 12), (0, 12));
        // Scrolled past the end (rows removed): still within the table.
        assert_eq!(visible_rows(900_000.0, 600.0, 30.0, 100), (100, 100));
        assert_eq!(visible_rows(0.0, 600.0, 30.0, 0), (0, 0));
    }
}
