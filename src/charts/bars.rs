//! Layout of the per-task duration chart: for each task, a sequential and a
//! parallel bar side by side on one scale.

use super::scale::{LinearScale, nice_ticks};

/// One task's pair of bars.
#[derive(Debug, Clone, PartialEq)]
pub struct BarPair {
    /// Task label.
    pub label: String,
    /// y of the pair's first bar.
    pub y: f64,
    /// Width of the sequential bar, if that mode ran.
    pub sequential: Option<f64>,
    /// Width of the parallel bar, if that mode ran.
    pub parallel: Option<f64>,
}

/// The chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BarsLayout {
    /// Width in SVG units.
    pub width: f64,
    /// Height in SVG units.
    pub height: f64,
    /// Where the bars start.
    pub x0: f64,
    /// Pairs in task order.
    pub pairs: Vec<BarPair>,
    /// Axis ticks: (x, ms).
    pub ticks: Vec<(f64, f64)>,
    /// y of the axis.
    pub axis_y: f64,
}

/// Height of one bar; a pair takes two plus a gap.
pub const BAR_HEIGHT: f64 = 9.0;

/// Lays out `(label, sequential ms, parallel ms)` rows.
pub fn layout_bars(
    rows: &[(String, Option<f64>, Option<f64>)],
    width: f64,
    label_width: f64,
) -> BarsLayout {
    let max = rows
        .iter()
        .flat_map(|(_, s, p)| [*s, *p])
        .flatten()
        .fold(0.0, f64::max);
    let ticks = nice_ticks(max, 5);
    let axis_max = ticks.last().copied().unwrap_or(0.0).max(1.0);
    let x = LinearScale::new(0.0, axis_max, label_width, width - 8.0);
    let w = |v: Option<f64>| v.map(|ms| (x.map(ms) - label_width).max(1.0));
    let pitch = 2.0 * BAR_HEIGHT + 8.0;
    let pairs: Vec<BarPair> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, s, p))| BarPair {
            label: label.clone(),
            y: 4.0 + i as f64 * pitch,
            sequential: w(*s),
            parallel: w(*p),
        })
        .collect();
    let axis_y = 4.0 + rows.len() as f64 * pitch;
    BarsLayout {
        width,
        height: axis_y + 22.0,
        x0: label_width,
        pairs,
        ticks: ticks.iter().map(|t| (x.map(*t), *t)).collect(),
        axis_y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_share_one_scale() {
        let rows = vec![
            ("Summary".to_string(), Some(1000.0), Some(500.0)),
            ("Keywords".to_string(), Some(2000.0), None),
        ];
        // Plot from x = 100 to 500: 400 units for 0..2000 ms.
        let l = layout_bars(&rows, 508.0, 100.0);
        assert_eq!(l.pairs[0].sequential, Some(200.0));
        assert_eq!(l.pairs[0].parallel, Some(100.0));
        assert_eq!(l.pairs[1].sequential, Some(400.0));
        assert_eq!(l.pairs[1].parallel, None);
        assert_eq!(l.pairs[1].y - l.pairs[0].y, 2.0 * BAR_HEIGHT + 8.0);
        assert_eq!(l.ticks.last(), Some(&(500.0, 2000.0)));
        assert_eq!(l.axis_y, 4.0 + 2.0 * 26.0);
    }

    #[test]
    fn zero_durations_stay_visible() {
        let l = layout_bars(&[("A".into(), Some(0.0), Some(0.0))], 300.0, 100.0);
        assert_eq!(l.pairs[0].sequential, Some(1.0));
    }
}
