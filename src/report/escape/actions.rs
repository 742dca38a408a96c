//! GitHub Actions workflow commands (`::error file=…::message`): every value is escaped the way the
//! runner unescapes it, so a message cannot end its command early or inject a new one (`::`,
//! newlines and `%` in user content are neutralised).

use super::visible;

/// The message part of a workflow command: [`visible`] first (line breaks, control and invisible
/// characters visible, `##[` broken), then the runner's own percent-escapes.
pub fn data(text: &str) -> String {
    percent(&visible(text))
}

/// The runner's percent-escapes alone, for opsgate's own text (its line breaks are meant).
pub fn percent(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property of a workflow command.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
