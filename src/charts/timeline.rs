//! Layout of the waterfall timeline: one row per task and run, a bar from
//! sent to done, the wait for the first token shaded, retry waits marked.

use super::scale::{LinearScale, nice_ticks};

/// One bar to draw, in data terms (ms relative to the chart's origin).
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    /// Row label, e.g. "Summary".
    pub label: String,
    /// Which run the row belongs to ("sequential", "parallel").
    pub group: String,
    /// Status class for styling (`running`, `done`, `error`, ...).
    pub status: String,
    /// Sent.
    pub start_ms: f64,
    /// First token, if any yet.
    pub first_token_ms: Option<f64>,
    /// Done, or "now" while running.
    pub end_ms: f64,
    /// Waits before retries, (start, end).
    pub waits: Vec<(f64, f64)>,
    /// How long the task was expected to take (drawn faint behind the bar).
    pub expected_ms: Option<f64>,
    /// The requests of a task made of several (parts and the combine step,
    /// or votes): (sent, done, is the combine step), drawn under the bar.
    pub parts: Vec<(f64, f64, bool)>,
}

/// Sizes of the drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimelineFrame {
    /// Total width in SVG units.
    pub width: f64,
    /// Space for labels on the left.
    pub label_width: f64,
    /// Height of one row.
    pub row_height: f64,
    /// Extra space between groups.
    pub group_gap: f64,
    /// Space for the axis at the bottom.
    pub axis_height: f64,
    /// Space right of the axis's end, so its last label is not cut off.
    pub right_margin: f64,
    /// Most axis labels.
    pub max_ticks: usize,
}

impl Default for TimelineFrame {
    fn default() -> Self {
        Self {
            width: 720.0,
            label_width: 150.0,
            row_height: 22.0,
            group_gap: 10.0,
            axis_height: 24.0,
            right_margin: 28.0,
            max_ticks: 6,
        }
    }
}

impl TimelineFrame {
    /// A frame as wide as the space it is drawn in (CSS px), so its text is
    /// the page's size on a phone and on a wide screen alike: narrower
    /// labels and fewer axis labels when space is short.
    pub fn for_width(px: f64) -> Self {
        let width = px.clamp(280.0, 1600.0);
        let label_width = if width < 520.0 { 112.0 } else { 150.0 };
        Self {
            width,
            label_width,
            // One axis label per ~90 px: "12.00 s" needs about 45.
            max_ticks: (((width - label_width) / 90.0) as usize).clamp(2, 6),
            ..Self::default()
        }
    }
}

/// One bar's geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct BarGeom {
    /// Row label.
    pub label: String,
    /// Group of the row.
    pub group: String,
    /// Status class.
    pub status: String,
    /// Top of the row.
    pub y: f64,
    /// Bar start.
    pub x: f64,
    /// Bar width (at least 1 unit, so a bar never vanishes).
    pub width: f64,
    /// Width of the time-to-first-token part at the bar's start.
    pub ttft_width: f64,
    /// Retry waits as (x, width).
    pub waits: Vec<(f64, f64)>,
    /// Width of the expected-duration bar from the bar's start, if known.
    pub expected_width: Option<f64>,
    /// Each request of a task made of several, as (x, width, combine step).
    pub parts: Vec<(f64, f64, bool)>,
}

/// The whole chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineLayout {
    /// Width in SVG units.
    pub width: f64,
    /// Height in SVG units.
    pub height: f64,
    /// Bars, in row order.
    pub bars: Vec<BarGeom>,
    /// Axis ticks: (x, ms).
    pub ticks: Vec<(f64, f64)>,
    /// The y of the axis line.
    pub axis_y: f64,
    /// Where "now" is, while a run goes.
    pub now_x: Option<f64>,
}

/// Lays out rows on a shared time axis from 0 to at least `span_ms` (and at
/// least the latest bar end), so runs drawn together are comparable.
pub fn layout_timeline(
    rows: &[TimelineRow],
    span_ms: f64,
    now_ms: Option<f64>,
    frame: TimelineFrame,
) -> TimelineLayout {
    let latest = rows
        .iter()
        .map(|r| r.end_ms.max(r.start_ms + r.expected_ms.unwrap_or(0.0)))
        .fold(span_ms.max(now_ms.unwrap_or(0.0)), f64::max);
    let ticks = nice_ticks(latest, frame.max_ticks);
    let axis_max = ticks.last().copied().unwrap_or(0.0).max(1.0);
    let x = LinearScale::new(
        0.0,
        axis_max,
        frame.label_width,
        frame.width - frame.right_margin,
    );
    let mut y = 4.0;
    let mut bars = Vec::with_capacity(rows.len());
    let mut prev_group: Option<&str> = None;
    for r in rows {
        if prev_group.is_some_and(|g| g != r.group) {
            y += frame.group_gap;
        }
        prev_group = Some(&r.group);
        let x0 = x.map(r.start_ms);
        let x1 = x.map(r.end_ms.max(r.start_ms));
        let ttft_end = r
            .first_token_ms
            .map_or(x0, |f| x.map(f.clamp(r.start_ms, r.end_ms.max(r.start_ms))));
        bars.push(BarGeom {
            label: r.label.clone(),
            group: r.group.clone(),
            status: r.status.clone(),
            y,
            x: x0,
            width: (x1 - x0).max(1.0),
            ttft_width: ttft_end - x0,
            waits: r
                .waits
                .iter()
                .map(|(a, b)| (x.map(*a), (x.map(*b) - x.map(*a)).max(1.0)))
                .collect(),
            expected_width: r.expected_ms.map(|e| x.map(r.start_ms + e.max(0.0)) - x0),
            parts: r
                .parts
                .iter()
                .map(|(a, b, c)| (x.map(*a), (x.map(*b) - x.map(*a)).max(1.0), *c))
                .collect(),
        });
        y += frame.row_height;
    }
    let axis_y = y + 4.0;
    TimelineLayout {
        width: frame.width,
        height: axis_y + frame.axis_height,
        bars,
        ticks: ticks.iter().map(|t| (x.map(*t), *t)).collect(),
        axis_y,
        now_x: now_ms.map(|n| x.map(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, group: &str, start: f64, first: Option<f64>, end: f64) -> TimelineRow {
        TimelineRow {
            label: label.into(),
            group: group.into(),
            status: "done".into(),
            start_ms: start,
            first_token_ms: first,
            end_ms: end,
            waits: vec![],
            expected_ms: None,
            parts: vec![],
        }
    }

    fn frame() -> TimelineFrame {
        // Plot area from x = 100 to x = 500 (width 508 minus the 8 margin).
        TimelineFrame {
            width: 508.0,
            label_width: 100.0,
            row_height: 20.0,
            group_gap: 10.0,
            axis_height: 20.0,
            right_margin: 8.0,
            max_ticks: 6,
        }
    }

    #[test]
    fn a_frame_fits_its_width_with_room_for_the_last_label() {
        let rows = vec![row("A", "parallel", 0.0, None, 11_500.0)];
        for px in [330.0, 720.0, 1300.0] {
            let f = TimelineFrame::for_width(px);
            let l = layout_timeline(&rows, 0.0, None, f);
            assert_eq!(l.width, px);
            // Labels about 45 units wide never overlap, and the last one
            // (centred on its tick) stays inside.
            let xs: Vec<f64> = l.ticks.iter().map(|t| t.0).collect();
            assert!(xs.windows(2).all(|w| w[1] - w[0] >= 50.0), "{px}: {xs:?}");
            assert!(px - xs.last().unwrap() >= 22.0, "{px}");
        }
        assert_eq!(TimelineFrame::for_width(330.0).label_width, 112.0);
    }

    #[test]
    fn bars_share_one_axis_and_groups_are_separated() {
        let rows = vec![
            row("A", "sequential", 0.0, Some(500.0), 1000.0),
            row("B", "sequential", 1000.0, None, 2000.0),
            row("A", "parallel", 0.0, Some(250.0), 1000.0),
        ];
        let l = layout_timeline(&rows, 0.0, None, frame());
        // Axis 0..2000 ms over 400 units: 0.2 units per ms.
        assert_eq!(l.ticks.first(), Some(&(100.0, 0.0)));
        assert_eq!(l.ticks.last(), Some(&(500.0, 2000.0)));
        assert_eq!(
            (l.bars[0].x, l.bars[0].width, l.bars[0].ttft_width),
            (100.0, 200.0, 100.0)
        );
        assert_eq!(
            (l.bars[1].x, l.bars[1].width, l.bars[1].ttft_width),
            (300.0, 200.0, 0.0)
        );
        assert_eq!(l.bars[2].ttft_width, 50.0);
        // Rows 20 apart, plus the 10 gap between groups.
        assert_eq!((l.bars[0].y, l.bars[1].y, l.bars[2].y), (4.0, 24.0, 54.0));
        assert_eq!(l.axis_y, 78.0);
        assert_eq!(l.height, 98.0);
        assert_eq!(l.bars[0].expected_width, None);
    }

    #[test]
    fn expected_durations_are_drawn_from_the_bar_start_and_widen_the_axis() {
        let mut late = row("B", "parallel", 1000.0, None, 1500.0);
        late.expected_ms = Some(3000.0);
        let mut early = row("A", "parallel", 0.0, None, 2000.0);
        early.expected_ms = Some(500.0);
        let l = layout_timeline(&[early, late], 0.0, None, frame());
        // The expected end of B (4000 ms) sets the axis: 0.1 units per ms.
        assert_eq!(l.ticks.last(), Some(&(500.0, 4000.0)));
        assert_eq!(l.bars[0].expected_width, Some(50.0));
        assert_eq!(
            (l.bars[1].x, l.bars[1].expected_width),
            (200.0, Some(300.0))
        );
    }

    #[test]
    fn a_task_of_several_requests_draws_each_under_its_bar() {
        let mut split = row("Translation", "parallel", 0.0, Some(100.0), 4000.0);
        // Three parts side by side, then the combine step.
        split.parts = vec![
            (0.0, 3000.0, false),
            (0.0, 2000.0, false),
            (0.0, 2500.0, false),
            (3000.0, 4000.0, true),
        ];
        let l = layout_timeline(&[split], 0.0, None, frame());
        // 4000 ms over 400 units from x = 100: 0.1 unit per ms.
        assert_eq!(
            l.bars[0].parts,
            vec![
                (100.0, 300.0, false),
                (100.0, 200.0, false),
                (100.0, 250.0, false),
                (400.0, 100.0, true)
            ]
        );
    }

    #[test]
    fn live_runs_show_now_and_tiny_bars_stay_visible() {
        let mut r = row("A", "parallel", 0.0, None, 0.0);
        r.waits = vec![(0.0, 0.0)];
        let l = layout_timeline(&[r], 1000.0, Some(500.0), frame());
        assert_eq!(l.now_x, Some(300.0));
        assert_eq!(l.bars[0].width, 1.0);
        assert_eq!(l.bars[0].waits, vec![(100.0, 1.0)]);
    }

    #[test]
    fn first_token_outside_the_bar_is_clamped() {
        let l = layout_timeline(
            &[row("A", "p", 100.0, Some(50.0), 1000.0)],
            0.0,
            None,
            frame(),
        );
        assert_eq!(l.bars[0].ttft_width, 0.0);
    }
}
