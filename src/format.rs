//! Formatting numbers for display, and JSON for people to read.

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

/// Compact JSON (as `serde_json::to_string` writes it) indented as
/// `serde_json::to_string_pretty` would: two spaces, `"key": value`, empty
/// `[]` and `{}` kept on one line. Hand-written on purpose: pretty-printing
/// a record with serde_json compiles its whole serializer a second time
/// (once per formatter), and this re-indents the compact text instead.
pub fn pretty_json(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    out.push(close);
                    chars.next();
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
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

    #[test]
    fn pretty_json_is_what_serde_json_writes() {
        let value = serde_json::json!({
            "a": [1, 2.5, -3e-7, {"b": [], "c": {}}],
            "text": "quote \" backslash \\ brace { colon : comma , newline \n",
            "nested": {"empty": "", "list": [[], [[]], {"x": null, "y": true}]},
            "unicode": "é ✓"
        });
        let compact = serde_json::to_string(&value).unwrap();
        assert_eq!(
            pretty_json(&compact),
            serde_json::to_string_pretty(&value).unwrap()
        );
        assert_eq!(pretty_json("[]"), "[]");
        assert_eq!(pretty_json("{}"), "{}");
    }
}
