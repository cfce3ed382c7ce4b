//! A linear scale and "nice" axis ticks.

/// Maps a domain interval linearly onto a range interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl LinearScale {
    /// Domain [d0, d1] onto range [r0, r1]. An empty domain maps everything to r0.
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Self { d0, d1, r0, r1 }
    }

    /// The range value of `v`.
    pub fn map(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return self.r0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Ticks from 0 to at least `max`, about `target` of them, at steps of
/// 1, 2 or 5 times a power of ten.
pub fn nice_ticks(max: f64, target: usize) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) || target == 0 {
        return vec![0.0];
    }
    let raw = max / target as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let n = (max / step).ceil() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_linearly_both_ways() {
        let s = LinearScale::new(0.0, 2000.0, 100.0, 500.0);
        assert_eq!(s.map(0.0), 100.0);
        assert_eq!(s.map(1000.0), 300.0);
        assert_eq!(s.map(2000.0), 500.0);
        let flipped = LinearScale::new(0.0, 10.0, 50.0, 0.0);
        assert_eq!(flipped.map(2.0), 40.0);
        assert_eq!(LinearScale::new(5.0, 5.0, 7.0, 9.0).map(5.0), 7.0);
    }

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(
            nice_ticks(6000.0, 6),
            vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0, 6000.0]
        );
        assert_eq!(nice_ticks(1234.0, 5), vec![0.0, 500.0, 1000.0, 1500.0]);
        assert_eq!(nice_ticks(7.0, 4), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(0.0, 5), vec![0.0]);
        assert_eq!(nice_ticks(f64::NAN, 5), vec![0.0]);
        let t = nice_ticks(98_765.0, 6);
        assert!(*t.last().unwrap() >= 98_765.0 && t.len() <= 8, "{t:?}");
    }
}
