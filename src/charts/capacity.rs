//! Layout of the capacity charts: one figure against K (first token, or
//! each request's speed), p50 and p90 lines, the target as a horizontal
//! line, the answer's K marked, and optionally a second series on its own
//! right-hand axis (all requests' tokens/s together). K runs on a log₂
//! axis: the search doubles K, so each doubling gets the same width and
//! small Ks do not crowd the left edge.

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
    /// The Ks labelled: the answer's first, then others from the smallest
    /// wherever a label fits ([`LABEL_GAP`] from every other one).
    pub k_labels: Vec<(f64, usize)>,
    /// Left axis ticks: (y, value).
    pub left_ticks: Vec<(f64, f64)>,
    /// Right axis ticks: (y, value).
    pub right_ticks: Vec<(f64, f64)>,
    /// Left of the plot.
    pub x0: f64,
    /// Right of the plot.
    pub x1: f64,
}

/// Least distance between the centres of two K labels, in SVG units
/// ("K=64" is about 28 wide at the chart's font size).
pub const LABEL_GAP: f64 = 32.0;

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
    let log_x = LinearScale::new(0.0, k_max.log2(), x0, x1);
    let x = LogK(log_x);
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
        k_labels: labels(&pts, chosen, &x),
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

/// K on a log₂ axis (K = 0 is drawn at K = 1).
struct LogK(LinearScale);

impl LogK {
    fn map(&self, k: f64) -> f64 {
        self.0.map(k.max(1.0).log2())
    }
}

fn labels(pts: &[CapacityPoint], chosen: Option<usize>, x: &LogK) -> Vec<(f64, usize)> {
    let mut order: Vec<usize> = pts.iter().map(|p| p.0).collect();
    order.dedup();
    if let Some(c) = chosen.filter(|c| order.contains(c)) {
        order.retain(|k| *k != c);
        order.insert(0, c);
    }
    let mut kept: Vec<(f64, usize)> = Vec::new();
    for k in order {
        let at = x.map(k as f64);
        if kept.iter().all(|(x, _)| (x - at).abs() >= LABEL_GAP) {
            kept.push((at, k));
        }
    }
    kept.sort_by_key(|l| l.1);
    kept
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
        // K on a log₂ axis: 2 is half way from 1 to 4.
        assert_eq!(l.chosen_x, Some(44.0 + 0.5 * 212.0));
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

    #[test]
    fn doubling_steps_get_equal_room_and_labels_never_overlap() {
        // A search to 64, then bisection between 32 and 64.
        let ks = [1, 2, 4, 8, 16, 32, 64, 48, 40, 44];
        let pts: Vec<CapacityPoint> = ks
            .iter()
            .map(|k| (*k, Some(1.0), Some(2.0), None))
            .collect();
        let l = layout_capacity(&pts, 10.0, Some(44), 340.0, 150.0);
        let at = |k: usize| l.ks.iter().find(|p| p.1 == k).unwrap().0;
        let step = at(2) - at(1);
        assert!((at(64) - at(32) - step).abs() < 1e-9);
        assert!(step >= LABEL_GAP, "{step}");
        // Every K has its mark; labels keep the answer and stay apart.
        assert_eq!(l.ks.len(), ks.len());
        let labelled: Vec<usize> = l.k_labels.iter().map(|p| p.1).collect();
        assert!(labelled.contains(&44), "{labelled:?}");
        assert!(
            labelled.contains(&1) && labelled.contains(&8),
            "{labelled:?}"
        );
        assert!(
            !labelled.contains(&40) && !labelled.contains(&48),
            "{labelled:?}"
        );
        for w in l.k_labels.windows(2) {
            assert!(w[1].0 - w[0].0 >= LABEL_GAP, "{:?}", l.k_labels);
        }
    }
}
