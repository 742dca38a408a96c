//! Keeping user content from steering a terminal: artifacts are written by anyone who can open a
//! pull request, and a finding's message may quote them.

/// Removes control characters (ANSI escapes, carriage returns, bells) but keeps newlines and tabs.
pub fn strip_controls(text: &str) -> String {
    if !text.chars().any(is_unwanted) {
        return text.to_owned();
    }
    text.chars().filter(|c| !is_unwanted(*c)).collect()
}

/// The text of a source file made safe to print in a snippet: every unwanted character becomes `?`
/// repeated to its UTF-8 length, so the byte offsets of spans into the original text stay right.
/// A carriage return survives only as part of a CRLF line ending.
pub fn mask_controls(text: &str) -> String {
    let mut chars = text.chars().peekable();
    let mut masked = String::with_capacity(text.len());
    while let Some(c) = chars.next() {
        let keep = if c == '\r' {
            chars.peek() == Some(&'\n')
        } else {
            !is_unwanted(c)
        };
        if keep {
            masked.push(c);
        } else {
            masked.extend(std::iter::repeat_n('?', c.len_utf8()));
        }
    }
    masked
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

    #[test]
    fn masked_source_keeps_every_byte_offset() {
        let text = "id: \u{1b}[2J\r\nname: \u{202e}x\rb\u{85}\n";
        let masked = mask_controls(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "id: ?[2J\r\nname: ???x?b??\n");
    }
}
