//! How many parts: the time a split task is expected to take, the number
//! "auto" picks, and the advice after a parallel run.

use super::stitch::Stitch;

/// A task's duration in two parts, measured or expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Until the first token: latency and reading the prompt.
    pub first_token_ms: f64,
    /// From the first token to the last.
    pub generation_ms: f64,
}

impl Timing {
    /// The whole request.
    pub fn total_ms(&self) -> f64 {
        self.first_token_ms + self.generation_ms
    }
}

/// Parts shorter than this many tokens (about) are not worth a request.
pub const MIN_PART_TOKENS: usize = 40;

/// The most parts a text of `tokens` may be cut into.
pub fn max_parts(tokens: usize) -> usize {
    (tokens / MIN_PART_TOKENS).clamp(1, 16)
}

/// The time a task is expected to take cut into `n` parts that run side by
/// side: each part keeps the whole first-token time (conservative: a
/// shorter prompt reads faster, but latency does not shrink); generation
/// shrinks with the part only when the answer follows the input's length
/// (concat: a translation of a part is a part of the translation); a
/// combine step adds one request more, as long as the task unsplit.
pub fn split_ms(t: &Timing, n: usize, stitch: Stitch) -> f64 {
    if n <= 1 {
        return t.total_ms();
    }
    let generation = match stitch {
        Stitch::Concat => t.generation_ms / n as f64,
        Stitch::Merge | Stitch::Combine => t.generation_ms,
    };
    let parts = t.first_token_ms + generation;
    if stitch.extra_request() {
        parts + t.total_ms()
    } else {
        parts
    }
}

/// The number of parts "auto" picks for a task: the fewest that bring its
/// expected time down to `others_ms` (the longest other task, which then
/// sets the wall time), or when none does, the fewest within 5 % of the
/// best; 1 when splitting would not make it shorter. At most `max`.
pub fn auto_parts(t: &Timing, stitch: Stitch, others_ms: f64, max: usize) -> usize {
    let max = max.clamp(1, 16);
    let whole = t.total_ms();
    let est = |n: usize| split_ms(t, n, stitch);
    let best = (2..=max).map(est).fold(f64::INFINITY, f64::min);
    if max < 2 || best >= whole {
        return 1;
    }
    if whole <= others_ms {
        return 1;
    }
    (2..=max)
        .find(|&n| est(n) <= others_ms)
        .or_else(|| (2..=max).find(|&n| est(n) <= best * 1.05))
        .unwrap_or(1)
}

/// A suggestion to split the task that sets the wall time.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    /// Index of the task.
    pub task: usize,
    /// Its share of the wall time.
    pub share: f64,
    /// Parts suggested.
    pub parts: usize,
    /// The wall time expected with it split: the longer of it and the
    /// other tasks.
    pub wall_ms: f64,
}

/// After a parallel run of tasks with these `timings` (`None`: failed) and
/// stitch kinds: the longest task, when it is more than half of the wall
/// time and splitting it is expected to save a fifth of it or more.
pub fn advice(
    timings: &[Option<Timing>],
    stitches: &[Stitch],
    wall_ms: f64,
    max: usize,
) -> Option<Advice> {
    let (task, longest) = timings
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.map(|t| (i, t)))
        .max_by(|a, b| a.1.total_ms().total_cmp(&b.1.total_ms()))?;
    let share = longest.total_ms() / wall_ms;
    // NaN (no wall time) gives no advice either.
    if share.is_nan() || share <= 0.5 {
        return None;
    }
    let others = timings
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != task)
        .filter_map(|(_, t)| t.map(|t| t.total_ms()))
        .fold(0.0, f64::max);
    let stitch = *stitches.get(task)?;
    let parts = auto_parts(&longest, stitch, others, max);
    let expected = split_ms(&longest, parts, stitch).max(others);
    (parts > 1 && expected <= 0.8 * wall_ms).then_some(Advice {
        task,
        share,
        parts,
        wall_ms: expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(first: f64, generation: f64) -> Timing {
        Timing {
            first_token_ms: first,
            generation_ms: generation,
        }
    }

    #[test]
    fn a_split_translation_takes_its_first_token_and_a_share_of_the_generation() {
        let tr = t(400.0, 6400.0);
        assert_eq!(split_ms(&tr, 1, Stitch::Concat), 6800.0);
        assert_eq!(split_ms(&tr, 4, Stitch::Concat), 2000.0);
        // Combining costs one request more; answers that do not shrink
        // with the part make a split longer.
        assert_eq!(split_ms(&tr, 4, Stitch::Combine), 400.0 + 6400.0 + 6800.0);
        assert_eq!(split_ms(&tr, 4, Stitch::Merge), 6800.0);
    }

    #[test]
    fn auto_takes_the_fewest_parts_that_stop_the_task_being_the_critical_path() {
        let tr = t(400.0, 6400.0);
        // 400 + 6400/n <= 2500 first at n = 4 (2000); n = 3 gives 2533.
        assert_eq!(auto_parts(&tr, Stitch::Concat, 2500.0, 16), 4);
        // Others at 300 ms: never reached; 5 % of the best (at 16: 800)
        // is 840, first reached at n = 15 (826.7).
        assert_eq!(auto_parts(&tr, Stitch::Concat, 300.0, 16), 15);
        assert_eq!(
            auto_parts(&tr, Stitch::Concat, 300.0, 3),
            3,
            "capped by the text"
        );
        assert_eq!(
            auto_parts(&tr, Stitch::Concat, 9000.0, 16),
            1,
            "not the critical path"
        );
        assert_eq!(auto_parts(&tr, Stitch::Combine, 300.0, 16), 1, "no gain");
        assert_eq!(auto_parts(&tr, Stitch::Concat, 300.0, 1), 1);
    }

    #[test]
    fn the_text_bounds_the_parts() {
        assert_eq!(max_parts(0), 1);
        assert_eq!(max_parts(79), 1);
        assert_eq!(max_parts(80), 2);
        assert_eq!(max_parts(100_000), 16);
    }

    #[test]
    fn advice_names_the_long_task_only_when_a_split_would_pay() {
        let stitches = [Stitch::Combine, Stitch::Concat, Stitch::Merge];
        let timings = [Some(t(300.0, 1200.0)), Some(t(400.0, 6400.0)), None];
        let a = advice(&timings, &stitches, 6850.0, 16).expect("advice");
        assert_eq!(a.task, 1);
        assert!((a.share - 6800.0 / 6850.0).abs() < 1e-9);
        // 400 + 6400/n <= 1500 first at n = 6 (1466.7).
        assert_eq!(a.parts, 6);
        assert_eq!(a.wall_ms, 1500.0, "then the summary sets the wall time");
        // Tasks of similar length: nothing to gain.
        let even = [Some(t(300.0, 3000.0)), Some(t(300.0, 3100.0))];
        assert_eq!(advice(&even, &stitches, 3450.0, 16), None);
        // The long task combines: a split would not shorten it.
        let summary_long = [Some(t(300.0, 6000.0)), Some(t(300.0, 500.0))];
        assert_eq!(advice(&summary_long, &stitches, 6350.0, 16), None);
        assert_eq!(advice(&[None, None], &stitches, 100.0, 16), None);
    }
}
