//! Text every output must treat with care, defined once for the loader that refuses it in ids and
//! for every renderer that escapes it.

/// Characters no reader should receive raw: C0/C1 controls and DEL (terminal escapes), and the
/// invisible ones that change how text reads without showing (bidirectional overrides and isolates,
/// marks, line/paragraph separators, zero-width space and word joiner, byte-order mark).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}
