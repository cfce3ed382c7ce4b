//! Layout of the concurrency sweep chart: measured speedup against K, with
//! the ideal line for comparison.

use super::scale::LinearScale;

/// One measured point: K, measured speedup, ideal speedup.
pub type SweepPoint = (usize, f64, f64);

/// The drawing, in SVG units.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepLayout {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// `points` of the measured line.
    pub measured: String,
    /// `points` of the ideal line.
    pub ideal: String,
    /// Dots of the measured points: (x, y, K).
    pub dots: Vec<(f64, f64, usize)>,
    /// Largest speedup on the y axis.
    pub y_max: f64,
}

/// Lays out `points` (in K order) with x = K and y = speedup.
pub fn layout_sweep(points: &[SweepPoint], width: f64, height: f64) -> SweepLayout {
    let k_max = points.iter().map(|p| p.0).max().unwrap_or(1).max(2) as f64;
    let y_max = points
        .iter()
        .map(|p| p.1.max(p.2))
        .fold(1.0, f64::max)
        .ceil();
    let x = LinearScale::new(1.0, k_max, 30.0, width - 10.0);
    let y = LinearScale::new(0.0, y_max, height - 20.0, 10.0);
    let line = |f: &dyn Fn(&SweepPoint) -> f64| {
        points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x.map(p.0 as f64), y.map(f(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    SweepLayout {
        width,
        height,
        measured: line(&|p| p.1),
        ideal: line(&|p| p.2),
        dots: points
            .iter()
            .map(|p| (x.map(p.0 as f64), y.map(p.1), p.0))
            .collect(),
        y_max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measured_and_ideal_share_the_axes() {
        let l = layout_sweep(&[(1, 1.0, 1.0), (2, 1.8, 2.0), (4, 3.0, 3.0)], 330.0, 130.0);
        // x: K 1..4 onto 30..320; y: 0..3 onto 110..10.
        assert_eq!(l.y_max, 3.0);
        assert_eq!(l.ideal, "30.0,76.7 126.7,43.3 320.0,10.0");
        assert_eq!(l.measured, "30.0,76.7 126.7,50.0 320.0,10.0");
        assert_eq!(l.dots[1].2, 2);
        assert_eq!(layout_sweep(&[], 100.0, 100.0).measured, "");
    }
}
