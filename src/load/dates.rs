//! Dates the policies cannot compute with.
//!
//! Rego's time built-ins count nanoseconds in a signed 64-bit number: from 1677-09-21 to
//! 2262-04-11. Past that, `time.parse_rfc3339_ns` fails, the expression is undefined and every
//! time-based rule on the artifact silently stops applying (a risk acceptance that `expires:
//! 9999-12-31` raised nothing and waived everything forever). Every date an artifact holds must
//! therefore lie in the years both ends can compute with, and so must `--as-of`.

use serde_json::Value;

/// The first and last year every date must fall in (whole years inside the engine's range).
pub const FIRST_YEAR: i32 = 1678;
pub const LAST_YEAR: i32 = 2261;

/// The year of a date or date-time written `YYYY-MM-DD…`, if `text` is one.
pub fn year_of(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let shape = bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit)
        && (bytes.len() == 10 || matches!(bytes[10], b'T' | b't' | b' '));
    if !shape {
        return None;
    }
    text[..4].parse().ok()
}

/// Whether a year is one the engine computes with.
pub fn in_range(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// The pointer and text of every date in `value` outside the range, in document order.
pub fn out_of_range(value: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    walk(value, &mut String::new(), &mut found);
    found
}

fn walk(value: &Value, pointer: &mut String, found: &mut Vec<(String, String)>) {
    let len = pointer.len();
    match value {
        Value::String(text) if year_of(text).is_some_and(|year| !in_range(year)) => {
            found.push((pointer.clone(), text.clone()));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push_str(&format!("/{i}"));
                walk(item, pointer, found);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                pointer.push('/');
                pointer.push_str(&super::position::escape_token(key));
                walk(item, pointer, found);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_past_2262_and_before_1678_are_found() {
        let value = json!({"spec": {"expires": "9999-12-31", "at": ["2261-12-31T23:59:59Z", "2262-04-12T00:00:00Z"], "born": "1600-01-01", "note": "2999 is a year"}});
        assert_eq!(
            out_of_range(&value),
            vec![
                ("/spec/expires".to_owned(), "9999-12-31".to_owned()),
                ("/spec/at/1".to_owned(), "2262-04-12T00:00:00Z".to_owned()),
                ("/spec/born".to_owned(), "1600-01-01".to_owned()),
            ]
        );
    }
}
