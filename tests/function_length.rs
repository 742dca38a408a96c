//! Functions in src/ fit one screen: at most [`LIMIT`] lines from `fn` to its closing brace, so a
//! reader sees a whole function at once. A longer one is split into named helpers (or, for a long
//! `match` over events, one method per arm). The scan is lexical: strings, characters and comments
//! are blanked before braces are counted, which is all Rust's grammar needs here.

use std::path::{Path, PathBuf};

const LIMIT: usize = 60;

/// Functions allowed to be longer for now, with the reason; each is a debt, not a precedent.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// `text` with the contents of string, raw string, character and byte literals and of comments
/// replaced by spaces (line breaks kept, so line numbers stay right).
fn blank_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let rest = &chars[i..];
        let starts = |s: &str| rest.iter().take(s.len()).copied().eq(s.chars());
        let end = if starts("//") {
            rest.iter().position(|&c| c == '\n').unwrap_or(rest.len())
        } else if starts("/*") {
            block_comment_len(rest)
        } else if let Some(len) = raw_string_len(rest, i == 0 || !is_ident(chars[i - 1])) {
            len
        } else if rest[0] == '"' {
            quoted_len(rest, '"')
        } else if rest[0] == '\'' {
            char_literal_len(rest).unwrap_or(0)
        } else {
            0
        };
        if end == 0 {
            out.push(rest[0]);
            i += 1;
        } else {
            out.extend(rest[..end].iter().map(|&c| blank(c)));
            i += end;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The length of a (nested) block comment at the start of `rest`.
fn block_comment_len(rest: &[char]) -> usize {
    let (mut depth, mut i) = (0usize, 0usize);
    while i + 1 < rest.len() {
        match (rest[i], rest[i + 1]) {
            ('/', '*') => (depth, i) = (depth + 1, i + 2),
            ('*', '/') => {
                (depth, i) = (depth - 1, i + 2);
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    rest.len()
}

/// The length of `r"…"`, `r#"…"#`, `br"…"` at the start of `rest` (when it starts a token).
fn raw_string_len(rest: &[char], token_start: bool) -> Option<usize> {
    if !token_start {
        return None;
    }
    let mut i = usize::from(rest.first() == Some(&'b'));
    if rest.get(i) != Some(&'r') {
        return None;
    }
    i += 1;
    let hashes = rest[i..].iter().take_while(|&&c| c == '#').count();
    i += hashes;
    if rest.get(i) != Some(&'"') {
        return None;
    }
    let close: Vec<char> = std::iter::once('"')
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    (i + 1..rest.len())
        .find(|&at| rest[at..].starts_with(&close))
        .map(|at| at + close.len())
        .or(Some(rest.len()))
}

/// The length of a literal quoted by `quote` at the start of `rest`, escapes honoured.
fn quoted_len(rest: &[char], quote: char) -> usize {
    let mut i = 1;
    while i < rest.len() {
        match rest[i] {
            '\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    rest.len()
}

/// The length of a character literal at the start of `rest`; `None` for a lifetime (`'a`).
fn char_literal_len(rest: &[char]) -> Option<usize> {
    match rest.get(1)? {
        '\\' => Some(quoted_len(rest, '\'')),
        _ if rest.get(2) == Some(&'\'') => Some(3),
        _ => None,
    }
}

/// (name, first line, length in lines) of every function with a body in `text`.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let code = blank_literals(text);
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        let mut depth = 0i64;
        'lines: for (end, body) in lines.iter().enumerate().skip(start) {
            for c in body.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    // A declaration without a body (a trait's method).
                    ';' if depth == 0 => break 'lines,
                    _ => continue,
                }
                if depth == 0 {
                    found.push((name, start + 1, end - start + 1));
                    break 'lines;
                }
            }
        }
    }
    found
}

/// The name of the function whose signature starts on `line`.
fn fn_name(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "fn")?;
    let qualifiers = ["pub", "const", "async", "unsafe", "extern", "\"C\""];
    let prefix_ok = words[..at]
        .iter()
        .all(|w| qualifiers.contains(w) || w.starts_with("pub("));
    let name: String = words
        .get(at + 1)?
        .chars()
        .take_while(|&c| is_ident(c))
        .collect();
    (prefix_ok && !name.is_empty()).then_some(name)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_function_in_src_fits_one_screen() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let (mut long, mut seen) = (Vec::new(), 0);
    for file in files {
        let rel = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (name, line, length) in functions(&std::fs::read_to_string(&file).unwrap()) {
            seen += 1;
            let excepted = EXCEPTIONS.iter().any(|(f, n, _)| *f == rel && *n == name);
            if length > LIMIT && !excepted {
                long.push(format!("{rel}:{line} `{name}`: {length} lines"));
            }
        }
    }
    assert!(seen > 500, "the sources were read: {seen} functions");
    assert!(
        long.is_empty(),
        "functions over {LIMIT} lines (split them into named helpers):\n{}",
        long.join("\n")
    );
}

/// The scan itself: braces in strings, characters, raw strings and comments do not count, a
/// lifetime is not a character, a declaration without a body is no function.
#[test]
fn the_scan_counts_only_code_braces() {
    let text = "pub(crate) fn a<'x>(s: &'x str) -> char {\n    let _ = \"}}\";\n    let _ = r#\"}\"#;\n    // }\n    /* } /* } */ } */\n    '}'\n}\ntrait T {\n    fn b(&self);\n}\nfn c() {}\n";
    assert_eq!(
        functions(text),
        vec![("a".to_owned(), 1, 7), ("c".to_owned(), 11, 1)]
    );
}

/// Every exception still names a function over the limit: a split one leaves the list.
#[test]
fn every_exception_is_still_needed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, name, _) in EXCEPTIONS {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let length = functions(&text)
            .into_iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, _, length)| length);
        assert!(
            length.is_some_and(|l| l > LIMIT),
            "{file} `{name}` is {length:?} lines: remove it from EXCEPTIONS"
        );
    }
}
