//! Formatting numbers for display.

/// A duration in milliseconds as people read it: "850 ms", "1.24 s", "2 min 5 s".
pub fn duration_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "–".into();
    }
    if ms < 1000.0 {
        format!("{} ms", ms.round() as u64)
    } else if ms < 60_000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        let secs = (ms / 1000.0).round() as u64;
        format!("{} min {} s", secs / 60, secs % 60)
    }
}

/// A duration that may be negative (a time "saved" that was lost): "−250 ms".
pub fn signed_duration_ms(ms: f64) -> String {
    if ms < 0.0 {
        format!("−{}", duration_ms(-ms))
    } else {
        duration_ms(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_ms(849.6), "850 ms");
        assert_eq!(duration_ms(1234.0), "1.23 s");
        assert_eq!(duration_ms(125_000.0), "2 min 5 s");
        assert_eq!(duration_ms(f64::NAN), "–");
        assert_eq!(duration_ms(-1.0), "–");
        assert_eq!(signed_duration_ms(-250.4), "−250 ms");
        assert_eq!(signed_duration_ms(4950.0), "4.95 s");
    }
}
