//! Plain-text phrases several renderers share, before each escapes them for its language.

use crate::period::{Cause, Event};

/// The first 12 characters of a commit id.
pub fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// "2026-02-03, commit `abc` by Pat (summary)" or "2026-02-03 (date passed)".
pub fn event_text(event: &Event) -> String {
    match (&event.cause, &event.commit) {
        (Cause::BeforePeriod, _) => format!("{} (already at the period's start)", event.date),
        (Cause::Commit, Some(c)) => format!(
            "{}, commit {} by {} ({})",
            event.date,
            short(&c.sha),
            c.author,
            c.summary
        ),
        _ => format!("{} (no commit: a date passed)", event.date),
    }
}
