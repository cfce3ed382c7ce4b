//! Layout of the trend chart: one line per model over time, on a shared
//! time axis.

use super::scale::{LinearScale, nice_ticks};

/// One model's line.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendLine {
    /// Model id.
    pub model: String,
    /// SVG `points` of the polyline.
    pub points: String,
    /// Each point's (x, y, value), for dots and their titles.
    pub dots: Vec<(f64, f64, f64)>,
}

/// The chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendLayout {
    /// Width in SVG units.
    pub width: f64,
    /// Height in SVG units.
    pub height: f64,
    /// Lines in the order given.
    pub lines: Vec<TrendLine>,
    /// Value ticks: (y, value).
    pub ticks: Vec<(f64, f64)>,
    /// Left edge of the plot.
    pub x0: f64,
    /// y of the time axis.
    pub axis_y: f64,
}

/// Lays out `(model, [(time, value)])` series; time runs from the earliest
/// point to the latest over all series, values from 0 to a nice maximum.
pub fn layout_trend(series: &[(String, Vec<(f64, f64)>)], width: f64, height: f64) -> TrendLayout {
    let (x0, top, bottom) = (44.0, 8.0, 20.0);
    let axis_y = height - bottom;
    let all = series.iter().flat_map(|s| s.1.iter());
    let (t_min, t_max) = all
        .clone()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.0), hi.max(p.0))
        });
    let v_max = all.map(|p| p.1).fold(0.0, f64::max);
    let ticks = nice_ticks(v_max, 4);
    let y = LinearScale::new(
        0.0,
        ticks.last().copied().unwrap_or(1.0).max(1e-9),
        axis_y,
        top,
    );
    // One point in time (or none) sits in the middle.
    let x = |t: f64| {
        if t_max > t_min {
            LinearScale::new(t_min, t_max, x0 + 6.0, width - 8.0).map(t)
        } else {
            (x0 + width) / 2.0
        }
    };
    let lines = series
        .iter()
        .map(|(model, pts)| {
            let dots: Vec<(f64, f64, f64)> =
                pts.iter().map(|(t, v)| (x(*t), y.map(*v), *v)).collect();
            TrendLine {
                model: model.clone(),
                points: dots
                    .iter()
                    .map(|(a, b, _)| format!("{a:.1},{b:.1}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                dots,
            }
        })
        .collect();
    TrendLayout {
        width,
        height,
        lines,
        ticks: ticks.iter().map(|v| (y.map(*v), *v)).collect(),
        x0,
        axis_y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_share_the_time_axis_and_the_value_scale() {
        let s = vec![
            ("a".to_string(), vec![(0.0, 2.0), (10.0, 4.0)]),
            ("b".to_string(), vec![(5.0, 1.0)]),
        ];
        let l = layout_trend(&s, 300.0, 120.0);
        assert_eq!(l.lines.len(), 2);
        let a = &l.lines[0].dots;
        assert_eq!(a[0].0, 50.0);
        assert_eq!(a[1].0, 292.0);
        assert_eq!(l.lines[1].dots[0].0, 171.0);
        // Value 0 is on the axis; the top tick at the top.
        let top = l.ticks.last().unwrap();
        assert_eq!(l.ticks[0], (100.0, 0.0));
        assert_eq!(top.0, 8.0);
        assert!(top.1 >= 4.0);
        // Higher values are higher up.
        assert!(a[1].1 < a[0].1);
        assert_eq!(
            l.lines[0].points,
            format!("50.0,{:.1} 292.0,{:.1}", a[0].1, a[1].1)
        );
    }

    #[test]
    fn a_single_point_or_none_still_draws() {
        let l = layout_trend(&[("a".into(), vec![(7.0, 3.0)])], 300.0, 120.0);
        assert_eq!(l.lines[0].dots[0].0, 172.0);
        let empty = layout_trend(&[], 300.0, 120.0);
        assert!(empty.lines.is_empty());
        assert!(!empty.ticks.is_empty());
    }
}
