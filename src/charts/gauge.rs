//! Layout of the in-flight gauge: requests in flight over time as a step
//! line, with the limit K drawn across, so a user sees whether it is held.

use super::scale::LinearScale;

/// The drawing, in SVG units.
#[derive(Debug, Clone, PartialEq)]
pub struct GaugeLayout {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// `points` of the step polyline.
    pub points: String,
    /// y of the limit line.
    pub limit_y: f64,
    /// The top of the y axis (requests).
    pub y_max: usize,
    /// The end of the x axis (ms).
    pub x_max: f64,
}

/// Lays out `samples` of (ms since start, in flight), in time order, against
/// the user's `limit`, up to time `now`.
pub fn layout_gauge(
    samples: &[(f64, usize)],
    limit: usize,
    now: f64,
    width: f64,
    height: f64,
) -> GaugeLayout {
    let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let y_max = peak.max(limit).max(1);
    let x_max = samples.last().map_or(0.0, |s| s.0).max(now).max(1.0);
    let x = LinearScale::new(0.0, x_max, 0.0, width);
    let y = LinearScale::new(0.0, y_max as f64, height - 2.0, 2.0);
    let mut pts: Vec<String> = Vec::with_capacity(samples.len() * 2 + 1);
    let mut level = 0usize;
    pts.push(format!("0,{:.1}", y.map(0.0)));
    for (t, n) in samples {
        // A step: hold the old level until t, then jump.
        pts.push(format!("{:.1},{:.1}", x.map(*t), y.map(level as f64)));
        pts.push(format!("{:.1},{:.1}", x.map(*t), y.map(*n as f64)));
        level = *n;
    }
    pts.push(format!("{:.1},{:.1}", x.map(x_max), y.map(level as f64)));
    GaugeLayout {
        width,
        height,
        points: pts.join(" "),
        limit_y: y.map(limit as f64),
        y_max,
        x_max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_samples_and_k_is_drawn() {
        let l = layout_gauge(&[(0.0, 2), (500.0, 4), (1000.0, 0)], 4, 1000.0, 100.0, 42.0);
        assert_eq!(l.y_max, 4);
        assert_eq!(l.x_max, 1000.0);
        // y: 0 → 40, 4 → 2; x: 1000 ms → 100.
        assert_eq!(
            l.points,
            "0,40.0 0.0,40.0 0.0,21.0 50.0,21.0 50.0,2.0 100.0,2.0 100.0,40.0 100.0,40.0"
        );
        assert_eq!(l.limit_y, 2.0);
        // Above the limit, the axis grows to the peak.
        let over = layout_gauge(&[(0.0, 8)], 4, 10.0, 100.0, 42.0);
        assert_eq!(over.y_max, 8);
        assert_eq!(over.limit_y, 21.0);
        // Nothing yet: a flat line at zero.
        assert_eq!(
            layout_gauge(&[], 6, 0.0, 100.0, 42.0).points,
            "0,40.0 100.0,40.0"
        );
    }
}
