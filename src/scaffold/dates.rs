//! Moving every date of a document by the same number of days, so the starter set written by
//! `opsgate init` is as current on the day it is written as the example is on its reference date.

use jiff::civil::Date;
use jiff::ToSpan;

/// Shifts every `YYYY-MM-DD` by `days` and every bare `YYYY-MM` (a period) by the matching number
/// of months. Digits glued to other digits or dashes (ids such as `CHG-2026-031`) are left alone.
pub fn shift_dates(text: &str, days: i64) -> String {
    if days == 0 {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 7 <= bytes.len() {
        let boundary_before =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'-');
        if boundary_before && is_year_month(&bytes[i..]) {
            let full =
                i + 10 <= bytes.len() && bytes[i + 7] == b'-' && digits(&bytes[i + 8..i + 10]);
            let end = if full { i + 10 } else { i + 7 };
            let boundary_after =
                end == bytes.len() || !(bytes[end].is_ascii_digit() || bytes[end] == b'-');
            if boundary_after {
                if let Some(shifted) = shift_one(&text[i..end], days) {
                    out.push_str(&text[copied..i]);
                    out.push_str(&shifted);
                    copied = end;
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

fn digits(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_digit)
}

fn is_year_month(bytes: &[u8]) -> bool {
    bytes.len() >= 7 && digits(&bytes[..4]) && bytes[4] == b'-' && digits(&bytes[5..7])
}

fn shift_one(text: &str, days: i64) -> Option<String> {
    if text.len() == 10 {
        let date: Date = text.parse().ok()?;
        return Some(date.checked_add(days.days()).ok()?.to_string());
    }
    let first: Date = format!("{text}-01").parse().ok()?;
    let shifted = first.checked_add(days.days()).ok()?;
    Some(format!("{:04}-{:02}", shifted.year(), shifted.month()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_periods_move_ids_do_not() {
        let text = "id: CHG-2026-031\ndate: 2026-11-24\nperiod: 2026-10\nat: 2026-10-14T20:05:00Z\nreport: SEC-2026-0142\n";
        assert_eq!(
            shift_dates(text, 7),
            "id: CHG-2026-031\ndate: 2026-12-01\nperiod: 2026-10\nat: 2026-10-21T20:05:00Z\nreport: SEC-2026-0142\n"
        );
        assert!(shift_dates("period: 2026-10\n", 40).contains("2026-11"));
    }
}
