//! Help for the schema errors a newcomer's YAML produces without meaning to: YAML 1.2 reads
//! `yes` as text, and a comma inside a flow mapping ends the entry (`{title: A, B}` is
//! `title: A` and a key `B` without a value).

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::JsonType;

use crate::model::Artifact;

/// The words YAML 1.1 (and so many older tools) took for booleans and YAML 1.2 does not.
const YAML11_BOOLEANS: &[&str] = &["yes", "no", "on", "off", "y", "n"];

/// Help for a schema error on the value at `pointer`, when its cause is one of the traps above.
pub fn for_value(
    text: &str,
    artifact: &Artifact,
    pointer: &str,
    kind: &ValidationErrorKind,
) -> Option<String> {
    if let Some(help) = flow_comma(text, artifact, pointer) {
        return Some(help);
    }
    let ValidationErrorKind::Type { kind } = kind else {
        return None;
    };
    let wants_boolean = match kind {
        TypeKind::Single(single) => *single == JsonType::Boolean,
        TypeKind::Multiple(set) => set.contains(JsonType::Boolean),
    };
    let word = artifact.value.pointer(pointer)?.as_str()?;
    (wants_boolean && YAML11_BOOLEANS.contains(&word.to_lowercase().as_str())).then(|| {
        format!(
            "opsgate reads YAML 1.2, where `{word}` is the text \"{word}\", not a boolean: write `true` or `false`"
        )
    })
}

/// When the value at `pointer` is a key without a value that follows a comma inside a flow
/// mapping (`{id: x, title: Backup, restore}`), the help to quote the previous value.
pub fn flow_comma(text: &str, artifact: &Artifact, pointer: &str) -> Option<String> {
    if !artifact.value.pointer(pointer)?.is_null() {
        return None;
    }
    let (parent, token) = pointer.rsplit_once('/')?;
    let key = artifact.positions.get(pointer)?.key?;
    let container = artifact.positions.get(parent)?.value;
    if !text.get(container.start.offset..)?.starts_with('{') {
        return None;
    }
    if !text.get(..key.start.offset)?.trim_end().ends_with(',') {
        return None;
    }
    let name = text.get(key.start.offset..key.end.offset)?;
    let siblings = artifact.value.pointer(parent)?.as_object()?;
    // The entry the comma cut short: the sibling written last before this key.
    let previous = siblings
        .keys()
        .filter(|k| k.as_str() != token.replace("~1", "/").replace("~0", "~"))
        .filter_map(|k| {
            let spans = artifact.positions.get(&format!(
                "{parent}/{}",
                crate::load::position::escape_token(k)
            ))?;
            (spans.value.end.offset <= key.start.offset).then_some((
                spans.value.end.offset,
                k,
                spans,
            ))
        })
        .max_by_key(|(end, _, _)| *end);
    let example = match previous {
        Some((_, k, spans)) => {
            let value = text.get(spans.value.start.offset..spans.value.end.offset)?;
            format!(": write `{k}: \"{value}, {name}\"`")
        }
        None => String::new(),
    };
    Some(format!(
        "inside `{{…}}` a comma ends the entry, so `{name}` became a field of its own; quote a value that contains a comma{example}"
    ))
}
