//! Layout of the capacity charts: one figure against K (first token, or
//! each request's speed), p50 and p90 lines, the target as a horizontal
//! line, the answer's K marked, and optionally a second series on its own
//! right-hand axis (all requests' tokens/s together).

use super::scale::{LinearScale, nice_ticks};

/// One K's values: (K, p50, p90, second axis).
pub type CapacityPoint = (usize, Option<f64>, Option<f64>, Option<f64>);

/// The drawing, in SVG units.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityLayout {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// `points` of the p50 line.
    pub p50: String,
    /// `points` of the p90 line.
    pub p90: String,
    /// `points` of the second-axis line.
    pub second: String,
    /// y of the target line.
    pub target_y: f64,
    /// x of the answer's K, if it was measured.
    pub chosen_x: Option<f64>,
    /// x of each K measured, with its K.
    pub ks: Vec<(f64, usize)>,
    /// Left axis ticks: (y, value).
    pub left_ticks: Vec<(f64, f64)>,
    /// Right axis ticks: (y, value).
    pub right_ticks: Vec<(f64, f64)>,
    /// Left of the plot.
    pub x0: f64,
    /// Right of the plot.
    pub x1: f64,
}

/// Lays out `points` (any order: drawn in K order) against `target`, with
/// `chosen` marked.
pub fn layout_capacity(
    points: &[CapacityPoint],
    target: f64,
    chosen: Option<usize>,
    width: f64,
    height: f64,
) -> CapacityLayout {
    let mut pts = points.to_vec();
    pts.sort_by_key(|p| p.0);
    let (x0, x1) = (44.0, width - 44.0);
    let k_max = pts.iter().map(|p| p.0).max().unwrap_or(1).max(2) as f64;
    let x = LinearScale::new(1.0, k_max, x0, x1);
    let left_max = pts
        .iter()
        .flat_map(|p| [p.1, p.2])
        .flatten()
        .fold(target, f64::max);
    let right_max = pts.iter().filter_map(|p| p.3).fold(0.0, f64::max);
    let left = nice_ticks(left_max * 1.05, 4);
    let right = nice_ticks(right_max * 1.05, 4);
    let (top, bottom) = (10.0, height - 22.0);
    let y = LinearScale::new(0.0, *left.last().unwrap_or(&1.0), bottom, top);
    let y2 = LinearScale::new(0.0, *right.last().unwrap_or(&1.0), bottom, top);
    let line = |f: &dyn Fn(&CapacityPoint) -> Option<f64>, s: &LinearScale| {
        pts.iter()
            .filter_map(|p| f(p).map(|v| format!("{:.1},{:.1}", x.map(p.0 as f64), s.map(v))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    CapacityLayout {
        width,
        height,
        p50: line(&|p| p.1, &y),
        p90: line(&|p| p.2, &y),
        second: line(&|p| p.3, &y2),
        target_y: y.map(target),
        chosen_x: chosen
            .filter(|k| pts.iter().any(|p| p.0 == *k))
            .map(|k| x.map(k as f64)),
        ks: pts.iter().map(|p| (x.map(p.0 as f64), p.0)).collect(),
        left_ticks: left.iter().map(|v| (y.map(*v), *v)).collect(),
        right_ticks: if right_max > 0.0 {
            right.iter().map(|v| (y2.map(*v), *v)).collect()
        } else {
            Vec::new()
        },
        x0,
        x1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_target_and_answer_share_the_axes() {
        let pts = [
            (4, Some(500.0), Some(1500.0), Some(400.0)),
            (1, Some(400.0), Some(420.0), Some(100.0)),
            (2, Some(410.0), Some(450.0), Some(200.0)),
        ];
        let l = layout_capacity(&pts, 1000.0, Some(2), 300.0, 122.0);
        // x: K 1..4 onto 44..256; left axis 0..1600 (ticks of 500 → 2000).
        assert_eq!(l.left_ticks.last().unwrap().1, 2000.0);
        let y = |v: f64| 100.0 - v / 2000.0 * 90.0;
        assert_eq!(l.target_y, y(1000.0));
        assert_eq!(l.p90.split(' ').count(), 3);
        // Drawn in K order whatever the order measured.
        assert!(l.p50.starts_with("44.0,"), "{}", l.p50);
        assert_eq!(l.chosen_x, Some(44.0 + (2.0 - 1.0) / 3.0 * 212.0));
        assert_eq!(l.ks.iter().map(|k| k.1).collect::<Vec<_>>(), vec![1, 2, 4]);
        // The second axis has its own scale: 0..600 in steps of 200.
        assert_eq!(l.right_ticks.last().unwrap().1, 600.0);
        assert!(
            l.second
                .ends_with(&format!("256.0,{:.1}", 100.0 - 400.0 / 600.0 * 90.0))
        );
    }

    #[test]
    fn an_unmeasured_answer_is_not_marked_and_missing_values_are_skipped() {
        let l = layout_capacity(&[(1, None, None, None)], 20.0, Some(0), 300.0, 122.0);
        assert_eq!(l.chosen_x, None);
        assert_eq!(l.p50, "");
        assert!(l.right_ticks.is_empty());
    }
}
