//! Which K to try next: K = 1, 2, 4, … until a step misses a target (or
//! the highest K allowed holds), then bisection between the last K that
//! held and the first that broke, so the answer is a K that held next to
//! one that broke, found in as few steps as that takes.

/// The search's state: every step's K and whether it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    max: usize,
    held: Option<usize>,
    broke: Option<usize>,
    steps: Vec<(usize, bool)>,
}

impl Search {
    /// A search up to `max` at once (at least 1).
    pub fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            held: None,
            broke: None,
            steps: Vec::new(),
        }
    }

    /// The next K to measure, or `None` once the answer is known.
    pub fn next(&self) -> Option<usize> {
        match (self.held, self.broke) {
            (None, None) => Some(1),
            // Doubling until a step breaks or the cap is reached.
            (Some(h), None) => (h < self.max).then(|| (h * 2).min(self.max)),
            (held, Some(b)) => {
                let lo = held.unwrap_or(0);
                (b > lo + 1).then(|| lo + (b - lo) / 2)
            }
        }
    }

    /// What the step at `k` showed. A result against the bracket (a K below
    /// one that broke holding, above one that held breaking) narrows it all
    /// the same: the search only ever measures inside it.
    pub fn record(&mut self, k: usize, held: bool) {
        self.steps.push((k, held));
        if held {
            self.held = Some(self.held.map_or(k, |h| h.max(k)));
        } else {
            self.broke = Some(self.broke.map_or(k, |b| b.min(k)));
        }
    }

    /// The largest K that held with every K tried above it broken: the
    /// answer once [`Search::next`] is `None` (0 if even K = 1 broke).
    pub fn answer(&self) -> usize {
        self.held.unwrap_or(0)
    }

    /// The smallest K that broke, if any did.
    pub fn broke(&self) -> Option<usize> {
        self.broke
    }

    /// Whether the answer is the cap, not a K that broke above it.
    pub fn capped(&self) -> bool {
        self.broke.is_none() && self.held == Some(self.max)
    }

    /// Each step's K and whether it held, in order.
    pub fn steps(&self) -> &[(usize, bool)] {
        &self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the search against `holds` and returns the steps' Ks and the answer.
    fn run(max: usize, holds: impl Fn(usize) -> bool) -> (Vec<usize>, usize) {
        let mut s = Search::new(max);
        let mut ks = Vec::new();
        while let Some(k) = s.next() {
            assert!(!ks.contains(&k), "K = {k} measured twice: {ks:?}");
            assert!(ks.len() < 64, "no end: {ks:?}");
            ks.push(k);
            s.record(k, holds(k));
        }
        (ks, s.answer())
    }

    #[test]
    fn doubles_then_bisects_to_the_exact_k() {
        // A server holding 3: 1, 2, 4 (broke), then 3.
        assert_eq!(run(64, |k| k <= 3), (vec![1, 2, 4, 3], 3));
        // Holding 4: 1, 2, 4, 8 (broke), 6, 5.
        assert_eq!(run(64, |k| k <= 4), (vec![1, 2, 4, 8, 6, 5], 4));
        // Holding 2: 1, 2, 4 (broke), 3.
        assert_eq!(run(64, |k| k <= 2), (vec![1, 2, 4, 3], 2));
        // Holding 5: 1, 2, 4, 8, 6, 5.
        assert_eq!(run(64, |k| k <= 5), (vec![1, 2, 4, 8, 6, 5], 5));
        // Nothing holds.
        assert_eq!(run(64, |_| false), (vec![1], 0));
    }

    #[test]
    fn never_more_steps_than_doubling_and_bisection_need() {
        for max in [1usize, 6, 16, 64] {
            for n in 0..=max {
                let (ks, answer) = run(max, |k| k <= n);
                assert_eq!(answer, n, "max {max}, holds {n}: {ks:?}");
                // Doublings up to the first break (or the cap), then
                // ⌈log2(gap)⌉ bisections of the bracket left.
                let mut coarse = 0;
                let mut k = 1;
                let mut last_held = 0;
                let broke = loop {
                    coarse += 1;
                    if k > n {
                        break Some(k);
                    }
                    last_held = k;
                    if k == max {
                        break None;
                    }
                    k = (k * 2).min(max);
                };
                let fine = broke.map_or(0, |b| {
                    let gap = b - last_held;
                    usize::BITS as usize - (gap - 1).leading_zeros() as usize
                });
                assert_eq!(ks.len(), coarse + fine, "max {max}, holds {n}: {ks:?}");
            }
        }
    }

    #[test]
    fn stops_at_the_cap_when_it_holds() {
        let mut s = Search::new(6);
        let mut ks = Vec::new();
        while let Some(k) = s.next() {
            ks.push(k);
            s.record(k, true);
        }
        assert_eq!(ks, vec![1, 2, 4, 6]);
        assert_eq!(s.answer(), 6);
        assert!(s.capped());
    }

    #[test]
    fn a_non_monotone_server_still_gives_a_k_that_held_beside_one_that_broke() {
        // Holds at 1, 2, 5 and 6 only; 3, 4 and 7+ break.
        let holds = |k: usize| matches!(k, 1 | 2 | 5 | 6);
        let (ks, answer) = run(64, holds);
        assert_eq!(ks, vec![1, 2, 4, 3]);
        assert_eq!(answer, 2);
        // Breaking inside the doubling, then holding above a break:
        // 1, 2, 4 held, 8 broke, 6 broke, 5 held → 5 (6 broke beside it).
        let odd = |k: usize| k <= 5 || k == 7;
        let (ks, answer) = run(64, odd);
        assert_eq!(ks, vec![1, 2, 4, 8, 6, 5]);
        assert_eq!(answer, 5);
        assert!(holds(answer) && odd(answer));
        // Whatever the results, the answer held and answer + 1 broke (or
        // was never reachable), for every pattern over K = 1..=8.
        for pattern in 0u32..256 {
            let h = |k: usize| pattern & (1 << (k - 1)) != 0;
            let mut s = Search::new(8);
            while let Some(k) = s.next() {
                s.record(k, h(k));
            }
            let a = s.answer();
            let tried: Vec<(usize, bool)> = s.steps().to_vec();
            if a > 0 {
                assert!(tried.contains(&(a, true)), "{pattern:b}: {tried:?}");
            }
            if a < 8 {
                assert!(tried.contains(&(a + 1, false)), "{pattern:b}: {tried:?}");
            }
        }
    }
}
