//! Keeping user content from steering a terminal: artifacts are written by anyone who can open a
//! pull request, and a finding's message may quote them.

/// Removes control characters (ANSI escapes, carriage returns, bells) but keeps newlines and tabs.
pub fn strip_controls(text: &str) -> String {
    if !text.chars().any(is_unwanted) {
        return text.to_owned();
    }
    text.chars().filter(|c| !is_unwanted(*c)).collect()
}

fn is_unwanted(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_removed() {
        assert_eq!(strip_controls("a\u{1b}[31mred\u{7}\r\nb"), "a[31mred\nb");
        assert_eq!(strip_controls("plain"), "plain");
    }
}
