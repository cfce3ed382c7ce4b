//! Cutting a text into parts of similar size at paragraph boundaries, then
//! sentence boundaries, then between words, never inside one. Hand-written:
//! text splitters on crates.io cut by a maximum size, not into N balanced
//! parts, and bring tokenizer models this page does not need.

/// A piece of the text that is never cut, and how strong the boundary
/// before it is.
#[derive(Debug, Clone, Copy)]
struct Atom {
    start: usize,
    end: usize,
    /// Characters, the size measure (the page's token estimate is
    /// characters / 4, so equal characters are equal tokens).
    size: usize,
    level: Level,
}

/// What starts before an atom: the stronger, the better a place to cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Word,
    Sentence,
    Paragraph,
}

impl Level {
    /// How far from an even cut (as a share of one part) a boundary of
    /// this level is still preferred to a weaker one nearer.
    fn pull(self) -> f64 {
        match self {
            Level::Paragraph => 0.3,
            Level::Sentence => 0.15,
            Level::Word => 0.0,
        }
    }
}

/// `text` cut into at most `n` parts of similar size, in order, trimmed,
/// none empty. Fewer when the text has fewer words than `n`; none when it
/// is blank. The parts, joined, hold every word of `text` in order.
pub fn cut(text: &str, n: usize) -> Vec<String> {
    let n = n.max(1);
    let total: usize = text.trim().chars().count();
    if total == 0 {
        return Vec::new();
    }
    let target = total.div_ceil(n).max(1);
    let atoms = atoms(text, target);
    let n = n.min(atoms.len());
    let cuts = cut_points(&atoms, n);
    let mut parts = Vec::with_capacity(n);
    let mut from = 0;
    for to in cuts.into_iter().chain([atoms.len()]) {
        let part = text[atoms[from].start..atoms[to - 1].end].trim();
        if !part.is_empty() {
            parts.push(part.to_string());
        }
        from = to;
    }
    parts
}

/// The atoms of `text`: whole paragraphs, except those over `target`
/// characters, which are cut into sentences, themselves cut into words
/// when over `target`.
fn atoms(text: &str, target: usize) -> Vec<Atom> {
    let mut out = Vec::new();
    for (ps, pe) in paragraphs(text) {
        let mut level = Level::Paragraph;
        for (ss, se) in sentences(text, ps, pe, target) {
            for (ws, we) in words(text, ss, se, target) {
                out.push(Atom {
                    start: ws,
                    end: we,
                    size: text[ws..we].chars().count(),
                    level,
                });
                level = Level::Word;
            }
            level = Level::Sentence;
        }
    }
    out
}

/// Byte spans of the paragraphs (separated by blank lines), trimmed.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    let mut end = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim();
        if content.is_empty() {
            if let Some(s) = start.take() {
                spans.push((s, end));
            }
        } else {
            let lead = line.len() - line.trim_start().len();
            start.get_or_insert(at + lead);
            end = at + line.trim_end().len();
        }
        at += line.len();
    }
    if let Some(s) = start {
        spans.push((s, end));
    }
    spans
}

/// Byte spans of the sentences of `text[from..to]`, or the whole span when
/// it is at most `target` characters.
fn sentences(text: &str, from: usize, to: usize, target: usize) -> Vec<(usize, usize)> {
    let span = &text[from..to];
    if span.chars().count() <= target {
        return vec![(from, to)];
    }
    let mut spans = Vec::new();
    let mut start = from;
    let mut chars = span.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = match c {
            '\n' => true,
            '.' | '!' | '?' | '…' | ';' => {
                chars.peek().is_none_or(|(_, next)| next.is_whitespace())
            }
            // These scripts put no space after a full stop.
            '。' | '！' | '？' => true,
            _ => false,
        };
        if ends {
            let end = from + i + c.len_utf8();
            push_trimmed(text, start, end, &mut spans);
            start = end;
        }
    }
    push_trimmed(text, start, to, &mut spans);
    spans
}

/// Byte spans of the words of `text[from..to]`, or the whole span when it
/// is at most `target` characters.
fn words(text: &str, from: usize, to: usize, target: usize) -> Vec<(usize, usize)> {
    let span = &text[from..to];
    if span.chars().count() <= target {
        return vec![(from, to)];
    }
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in span.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(from + i),
            (true, Some(s)) => {
                spans.push((s, from + i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, to));
    }
    spans
}

/// Adds `text[start..end]` trimmed, if anything is left.
fn push_trimmed(text: &str, start: usize, end: usize, spans: &mut Vec<(usize, usize)>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let body = s.trim();
    if !body.is_empty() {
        spans.push((start + lead, start + lead + body.len()));
    }
}

/// The indices of the atoms that start parts 2..=n: each the boundary
/// nearest to an even cut, a paragraph or sentence preferred when it is
/// nearly as near, always leaving one atom at least for every later part.
fn cut_points(atoms: &[Atom], n: usize) -> Vec<usize> {
    let total: usize = atoms.iter().map(|a| a.size).sum();
    let part = total as f64 / n as f64;
    let mut before = vec![0usize; atoms.len() + 1];
    for (i, a) in atoms.iter().enumerate() {
        before[i + 1] = before[i] + a.size;
    }
    let mut cuts = Vec::with_capacity(n.saturating_sub(1));
    let mut last = 0;
    for k in 1..n {
        let ideal = part * k as f64;
        let score = |i: usize| (before[i] as f64 - ideal).abs() / part - atoms[i].level.pull();
        let best = (last + 1..=atoms.len() - (n - k))
            .min_by(|&a, &b| score(a).total_cmp(&score(b)))
            .expect("at least one atom is left for each part");
        cuts.push(best);
        last = best;
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(parts: &[String]) -> Vec<String> {
        parts
            .iter()
            .flat_map(|p| p.split_whitespace().map(str::to_string))
            .collect()
    }

    fn sizes(parts: &[String]) -> Vec<usize> {
        parts.iter().map(|p| p.chars().count()).collect()
    }

    #[test]
    fn paragraphs_of_equal_size_are_the_parts() {
        let text = "One two three four.\n\nFive six seven eight.\n\n\nNine ten eleven twelve.\n\nThirteen fourteen fifteen sixteen.";
        let parts = cut(text, 2);
        assert_eq!(
            parts,
            vec![
                "One two three four.\n\nFive six seven eight.",
                "Nine ten eleven twelve.\n\nThirteen fourteen fifteen sixteen."
            ]
        );
        assert_eq!(cut(text, 4).len(), 4);
        assert!(cut(text, 4).iter().all(|p| !p.contains("\n\n")));
    }

    #[test]
    fn a_paragraph_boundary_wins_over_a_nearer_sentence_boundary() {
        // The even cut falls one short sentence after the paragraph break.
        let text =
            "Alpha beta gamma delta epsilon.\n\nZeta. Theta iota kappa lambda mu nu xi omicron.";
        let parts = cut(text, 2);
        assert_eq!(parts[0], "Alpha beta gamma delta epsilon.");
    }

    #[test]
    fn one_long_paragraph_is_cut_at_sentences_into_similar_sizes() {
        let sentence = "The quarter closed with revenue up and costs held flat. ";
        let text = sentence.repeat(12);
        for n in [2, 3, 4, 6] {
            let parts = cut(&text, n);
            assert_eq!(parts.len(), n);
            assert!(parts.iter().all(|p| p.ends_with('.')), "{parts:?}");
            let s = sizes(&parts);
            let (lo, hi) = (s.iter().min().unwrap(), s.iter().max().unwrap());
            assert!(*hi as f64 <= *lo as f64 * 1.5, "n = {n}: {s:?}");
            assert_eq!(words_of(&parts), words_of(std::slice::from_ref(&text)));
        }
    }

    #[test]
    fn a_sentence_without_stops_is_cut_between_words_never_inside() {
        let text = (1..=40)
            .map(|i| format!("word{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let parts = cut(&text, 4);
        assert_eq!(parts.len(), 4);
        assert_eq!(words_of(&parts), words_of(std::slice::from_ref(&text)));
        for p in &parts {
            assert!(p.split(' ').all(|w| w.starts_with("word") && w.len() > 4));
        }
        let s = sizes(&parts);
        assert!(
            s.iter().max().unwrap() - s.iter().min().unwrap() <= 12,
            "{s:?}"
        );
    }

    #[test]
    fn more_parts_than_words_gives_one_part_per_word_and_blank_gives_none() {
        assert_eq!(cut("just three words", 16), vec!["just", "three", "words"]);
        assert!(cut("  \n\n \t ", 4).is_empty());
        assert_eq!(cut("  whole  ", 1), vec!["whole"]);
        assert_eq!(cut("whole", 0), vec!["whole"], "0 means not split");
    }

    #[test]
    fn scripts_without_spaces_are_cut_at_their_full_stops() {
        let text =
            "今日は晴れです。明日は雨が降るでしょう。週末は曇りの予報です。来週は暖かくなります。";
        let parts = cut(text, 2);
        assert_eq!(parts.len(), 2);
        assert!(parts[0].ends_with('。'));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn no_part_is_empty_and_order_is_kept_for_many_sizes() {
        let text = "A short one.\n\nThen a much longer paragraph that goes on for a while, with clauses; and more! Does it end? It does.\n\nEnd.";
        for n in 1..=16 {
            let parts = cut(text, n);
            assert!(!parts.is_empty() && parts.len() <= n);
            assert!(parts.iter().all(|p| !p.trim().is_empty()));
            assert_eq!(words_of(&parts), words_of(&[text.to_string()]), "n = {n}");
        }
    }
}
