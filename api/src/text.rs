//! Small text helpers shared by the messages this crate writes.

/// `text` cut to at most `max_chars` characters, with `…` after the cut so a reader knows
/// there was more (a message never repeats an unbounded piece of input).
pub(crate) fn cut_with_ellipsis(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max_chars).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_with_an_ellipsis() {
        assert_eq!(cut_with_ellipsis("héllo", 5), "héllo");
        assert_eq!(cut_with_ellipsis("héllo!", 5), "héllo…");
        assert_eq!(cut_with_ellipsis("", 0), "");
    }
}
