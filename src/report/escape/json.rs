//! JSON documents (the findings, SARIF, the audit and period reports, OSCAL): serde_json writes
//! the syntax; [`hidden`] escapes what it leaves raw.

use std::fmt::Write as _;

use super::is_hidden;

/// JSON text (from serde_json) with every hidden character written as a `\uXXXX` escape: serde_json
/// escapes only C0 controls, and a raw U+202E or C1 control would reach whoever views the file.
/// `##[` becomes `#\u0023[` too: JSON printed in a CI log must not hold a legacy workflow command.
/// Such characters can only occur inside JSON strings, so the document and its values stay the same.
pub fn hidden(json: String) -> String {
    if !json.chars().any(is_hidden) && !json.contains("##[") {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    let mut escape_hash = false;
    for (at, c) in json.char_indices() {
        if escape_hash {
            out.push_str("\\u0023");
            escape_hash = false;
        } else if is_hidden(c) && !matches!(c, '\n' | '\r' | '\t') {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            // `##[` → `#\u0023[`: the second `#` is escaped on the next step.
            escape_hash = c == '#' && json[at..].starts_with("##[");
            out.push(c);
        }
    }
    out
}

/// `value` as pretty JSON with a final line break, hidden characters escaped.
pub fn document(value: &impl serde::Serialize) -> String {
    let mut text = hidden(
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
    );
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_keeps_hidden_characters_escaped() {
        let json = serde_json::to_string("a\u{202e}b\u{85}\u{1F600} ###[x]").unwrap();
        let escaped = super::hidden(json);
        assert_eq!(escaped, "\"a\\u202eb\\u0085\u{1F600} ##\\u0023[x]\"");
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, "a\u{202e}b\u{85}\u{1F600} ###[x]");
    }
}
