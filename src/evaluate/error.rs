//! Policy errors, located in the `.rego` file that caused them.

use std::sync::Arc;

/// A policy that does not load or does not evaluate.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    pub message: String,
    /// The policy file and its text, when the error names a place in it.
    pub file: Option<String>,
    pub text: Option<Arc<str>>,
    pub line: usize,
    pub column: usize,
    /// Byte offset of line:column in `text`.
    pub offset: usize,
    pub help: Option<String>,
}

impl PolicyError {
    pub fn plain(message: impl Into<String>) -> Self {
        PolicyError {
            message: message.into(),
            file: None,
            text: None,
            line: 0,
            column: 0,
            offset: 0,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// regorus reports positions only inside its message text (`--> file:line:col`); this finds
    /// them so the error can be shown on the policy's own line.
    pub fn from_regorus(error: &dyn std::fmt::Display, policies: &[(String, Arc<str>)]) -> Self {
        let full = error.to_string();
        let mut located = PolicyError::plain(first_meaningful_line(&full));
        if let Some((file, line, column)) = find_location(&full) {
            if let Some((name, text)) = policies.iter().find(|(name, _)| *name == file) {
                located.offset = offset_of(text, line, column);
                located.file = Some(name.clone());
                located.text = Some(text.clone());
                located.line = line;
                located.column = column;
            }
        }
        located
    }
}

/// The reason regorus gives, without the location and source excerpt it wraps around it (opsgate
/// shows those itself, from the policy's own text).
fn first_meaningful_line(text: &str) -> String {
    if let Some(reason) = text.lines().find_map(|l| l.trim().strip_prefix("error:")) {
        return reason.trim().to_owned();
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("policy error");
    match first.strip_prefix("-->") {
        // `--> file:line:col: reason`
        Some(rest) => rest
            .splitn(4, ':')
            .nth(3)
            .map_or(first, str::trim)
            .to_owned(),
        None => first.to_owned(),
    }
}

fn find_location(text: &str) -> Option<(String, usize, usize)> {
    let after = &text[text.find("-->")? + 3..];
    let location = after.lines().next()?.trim();
    let mut parts = location.rsplitn(3, ':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    let file = parts.next()?.trim().to_owned();
    Some((file, line, column))
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let in_line = text[line_start.min(text.len())..]
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum::<usize>();
    (line_start + in_line).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_read_from_regorus_messages() {
        let text: Arc<str> = Arc::from("package a\n\nimport rego.v1\nx := [\n");
        let error = "policies/a.rego:4:6: error: unexpected eof\n  --> policies/a.rego:4:6\n   |\n";
        let located = PolicyError::from_regorus(&error, &[("policies/a.rego".into(), text)]);
        assert_eq!((located.line, located.column), (4, 6));
        assert_eq!(located.offset, "package a\n\nimport rego.v1\n".len() + 5);
        assert_eq!(located.file.as_deref(), Some("policies/a.rego"));
    }
}
