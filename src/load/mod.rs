//! Stage 1 — load: files → artifacts with source positions.
//!
//! Files are read once each and parsed in parallel. Problems are findings, never panics: a broken
//! file is reported and every other file is still loaded.

pub mod cache;
mod dates;
pub mod discover;
mod envelope;
mod filter;
pub mod position;
pub mod yaml;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::finding::{Finding, Related, Severity, Stage};
use crate::git::GitFile;
use crate::model::{Artifact, SourceFile, Workspace};
use discover::Discovered;
use envelope::Classified;
pub use filter::PathFilter;
use position::{Position, TextRange};
use yaml::{FatalKind, YamlLimits};

/// Limits on what one run reads.
#[derive(Debug, Clone, Copy)]
pub struct LoadLimits {
    pub max_file_bytes: u64,
    pub yaml: YamlLimits,
    /// Where clean parses are kept between runs; `None` parses every file (the library's default:
    /// only the command line opens a cache).
    pub cache: Option<&'static cache::ParseCache>,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_file_bytes: 10 * 1024 * 1024,
            yaml: YamlLimits::default(),
            cache: None,
        }
    }
}

pub use crate::model::{Source, Unread};

/// What a Git LFS pointer file starts with (the LFS specification's first line).
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/";

/// What loading produced: the workspace and the problems met on the way.
pub struct Loaded {
    pub workspace: Workspace,
    pub findings: Vec<Finding>,
}

/// Discovers and loads every YAML file under `root` that `filter` allows.
pub fn load_path(root: &Path, limits: LoadLimits, filter: &PathFilter) -> Loaded {
    load_path_blaming(root, limits, filter, &HashSet::new())
}

/// [`load_path`], where a duplicate id is blamed on the file of `changed` (display paths) rather
/// than on the unchanged one it collides with.
pub fn load_path_blaming(
    root: &Path,
    limits: LoadLimits,
    filter: &PathFilter,
    changed: &HashSet<String>,
) -> Loaded {
    if root.exists() && !root.is_dir() && !root.is_file() {
        // A pipe or a device named on the command line (`opsgate check /dev/stdin`): one YAML
        // document stream, read as one file whatever its name. (A symlink inside a repository
        // is never followed: this is only the path the user named.)
        let source = Source {
            display: root.to_string_lossy().into_owned(),
            content: read_stream(root, limits.max_file_bytes),
            path: root.to_path_buf(),
        };
        return load_sources_blaming(vec![source], limits, changed);
    }
    // Every path below is this directory plus a lexical tail: the include/exclude globs match
    // what the repository says, not where a symlink points.
    let canonical = canonical_dir_of(root);
    let root = canonical.as_path();
    let mut discovered = discover::discover(root);
    discovered.retain(|item| filter.allows(item.path()));
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new(""))
    } else {
        root
    };
    let sources: Vec<Source> = discovered
        .into_par_iter()
        .map(|item| match item {
            Discovered::File(path) => Source {
                display: display_path(base, &path),
                content: read_limited(&path, limits.max_file_bytes),
                path,
            },
            Discovered::Blob { path, content } => Source {
                display: display_path(base, &path),
                content: Ok(content),
                path,
            },
            Discovered::Unreadable { path, reason } => Source {
                display: display_path(base, &path),
                content: Err(reason),
                path,
            },
        })
        .collect();
    load_sources_blaming(sources, limits, changed)
}

/// `path` with its directory resolved but not the path itself: a symlink named on the command line
/// stays a symlink (reported, never followed).
fn canonical_dir_of(path: &Path) -> PathBuf {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    match parent.canonicalize() {
        Ok(dir) => dir.join(name),
        Err(_) => path.to_path_buf(),
    }
}

fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Unread> {
    let size = std::fs::metadata(path)
        .map_err(|e| Unread::io(e.to_string()))?
        .len();
    if size > max_bytes {
        return Err(Unread::io(format!(
            "file is {size} bytes, over the {max_bytes}-byte limit (raise it with --max-file-size)"
        )));
    }
    std::fs::read(path).map_err(|e| Unread::io(e.to_string()))
}

/// `LOAD-DATE-RANGE` for every date of an artifact the policies cannot compute with (see `dates`).
fn date_findings(
    doc: &yaml::YamlDocument,
    file: &str,
    id: Option<&str>,
    kind: &str,
) -> Vec<Finding> {
    dates::out_of_range(&doc.value)
        .into_iter()
        .map(|(pointer, text)| {
            let range = doc
                .positions
                .nearest(&pointer)
                .map_or(doc.start, |(_, spans)| spans.value);
            let mut finding = Finding::new(
                "LOAD-DATE-RANGE",
                Severity::Error,
                Stage::Load,
                format!(
                    "date `{text}` is outside the years {}–{} that the policies can compute with",
                    dates::FIRST_YEAR,
                    dates::LAST_YEAR
                ),
            )
            .in_file(file, Some(range))
            .with_help("use a real date; time-based rules (expiry, review intervals) stop applying past 2262-04-11");
            finding.artifact = id.map(str::to_owned);
            finding.kind = Some(kind.to_owned());
            finding.pointer = Some(pointer);
            finding
        })
        .collect()
}

/// Reads a stream up to `max_bytes` (its size is not known beforehand).
fn read_stream(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Unread> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| Unread::io(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Unread::io(e.to_string()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(Unread::io(format!(
            "input is over the {max_bytes}-byte limit (raise it with --max-file-size)"
        )));
    }
    Ok(bytes)
}

/// Whether `text` names opsgate's apiVersion in any case, also as `opsgate\/` (the JSON-style
/// escape a double-quoted YAML string allows): such a file is this tool's business even when it
/// does not parse.
fn claims_artifacts(text: &str) -> bool {
    text.as_bytes()
        .windows(8)
        .any(|w| w[..7].eq_ignore_ascii_case(b"opsgate") && (w[7] == b'/' || w[7] == b'\\'))
}

/// `path` relative to `base`, `/`-separated; never rewritten (a path that is not UTF-8 is
/// shown escaped, and its source is reported unreadable by the caller).
fn display_path(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let relative = if relative.as_os_str().is_empty() {
        path
    } else {
        relative
    };
    crate::git::repo_path(relative)
        .unwrap_or_else(|| crate::git::escape_path(relative.as_os_str().as_encoded_bytes()))
}

/// Loads already-read sources (from disk, or from a git tree or index).
pub fn load_sources(sources: Vec<Source>, limits: LoadLimits) -> Loaded {
    load_sources_blaming(sources, limits, &HashSet::new())
}

/// [`load_sources`], blaming duplicate ids on the files of `changed` (see [`load_path_blaming`]).
pub fn load_sources_blaming(
    sources: Vec<Source>,
    limits: LoadLimits,
    changed: &HashSet<String>,
) -> Loaded {
    let yaml_files_seen = sources.len();
    let per_file: Vec<FileOutcome> = sources
        .into_par_iter()
        .map(|source| load_one(source, limits))
        .collect();
    assemble_blaming(per_file, yaml_files_seen, changed)
}

/// A file of a git state whose blob the parse cache knew: its text and artifacts, the blob unread.
pub struct KnownFile {
    text: String,
    artifacts: Vec<Artifact>,
}

/// The parse of blob `oid` at `display` the cache holds, decoded whole; `None` (the blob is then
/// read and parsed) without a cache, for an entry that is absent or damaged, or one that does not
/// decode.
pub fn known_blob(limits: &LoadLimits, display: &str, oid: &[u8]) -> Option<KnownFile> {
    let store = limits.cache?;
    let (text, cached) = store.get_blob(&cache::BlobKey::new(oid, display, limits))?;
    Some(KnownFile {
        text,
        artifacts: from_cache(cached)?,
    })
}

/// [`load_sources_blaming`] for the files of a git state (see [`crate::git::Git::index_files`]):
/// a file whose blob the cache knew is taken as cached; every other is loaded, and a clean parse
/// recorded under its blob too, so that the next git gate does not read it.
pub fn load_git_files_blaming(
    files: Vec<GitFile<KnownFile>>,
    limits: LoadLimits,
    changed: &HashSet<String>,
) -> Loaded {
    let yaml_files_seen = files.len();
    let per_file: Vec<FileOutcome> = files
        .into_par_iter()
        .map(|file| match file.known {
            Some(known) => outcome_of(
                file.source.display,
                file.source.path,
                &known.text,
                known.artifacts,
            ),
            None => load_blob(file.source, file.blob.as_deref(), limits),
        })
        .collect();
    assemble_blaming(per_file, yaml_files_seen, changed)
}

/// One file of a git state read from its blob: loaded, and a clean parse kept under `blob`.
fn load_blob(source: Source, blob: Option<&[u8]>, limits: LoadLimits) -> FileOutcome {
    let display = source.display.clone();
    let text = match (&source.content, limits.cache, blob) {
        (Ok(bytes), Some(_), Some(_)) => std::str::from_utf8(bytes).ok().map(str::to_owned),
        _ => None,
    };
    let outcome = load_one(source, limits);
    if let (Some(store), Some(blob), Some(text), true) =
        (limits.cache, blob, text, outcome.findings.is_empty())
    {
        let key = cache::BlobKey::new(blob, &display, &limits);
        store.put_blob(
            &key,
            &text,
            outcome.artifacts.iter().map(to_cache).collect(),
        );
    }
    outcome
}

/// The loaded state of `per_file` (`yaml_files_seen` files looked at), duplicate ids blamed on the
/// files of `changed`.
fn assemble_blaming(
    mut per_file: Vec<FileOutcome>,
    yaml_files_seen: usize,
    changed: &HashSet<String>,
) -> Loaded {
    // The first file to claim an id keeps it: files the change did not touch go first, so a
    // change that re-uses an existing id is blamed for it, not the record it copies.
    per_file.sort_by_key(|o| {
        o.file
            .as_ref()
            .is_some_and(|f| changed.contains(&f.display))
    });
    assemble(per_file, yaml_files_seen)
}

/// Another state of the same repository, built from `head` without parsing again what did not
/// change: the files in `changed` (display paths) are loaded from `replacements` (their content in
/// that other state; a file absent there is gone), every other file is copied from `head`.
pub fn substitute(
    head: &Loaded,
    changed: &HashSet<String>,
    replacements: Vec<Source>,
    limits: LoadLimits,
) -> Loaded {
    let yaml_files_seen = head.workspace.yaml_files_seen + replacements.len();
    let mut per_file: Vec<FileOutcome> = replacements
        .into_par_iter()
        .map(|source| load_one(source, limits))
        .collect();
    let mut copied: Vec<FileOutcome> = head
        .workspace
        .files
        .iter()
        .map(|file| FileOutcome {
            file: (!changed.contains(&file.display)).then(|| file.clone()),
            artifacts: Vec::new(),
            findings: Vec::new(),
        })
        .collect();
    let kept: Vec<Artifact> = head
        .workspace
        .artifacts
        .par_iter()
        .filter(|a| copied.get(a.file).is_some_and(|o| o.file.is_some()))
        .cloned()
        .collect();
    for artifact in kept {
        copied[artifact.file].artifacts.push(artifact);
    }
    // Problems of unchanged files stay; duplicate ids are found again over the new set.
    let kept_findings: Vec<Finding> = head
        .findings
        .iter()
        .filter(|f| f.code != "LOAD-DUPLICATE-ID")
        .filter(|f| f.file.as_ref().is_none_or(|file| !changed.contains(file)))
        .cloned()
        .collect();
    per_file.extend(copied.into_iter().filter(|o| o.file.is_some()));
    fn display(outcome: &FileOutcome) -> Option<&str> {
        outcome.file.as_ref().map(|f| f.display.as_str())
    }
    per_file.sort_by(|a, b| display(a).cmp(&display(b)));
    per_file.push(FileOutcome {
        file: None,
        artifacts: Vec::new(),
        findings: kept_findings,
    });
    assemble(per_file, yaml_files_seen)
}

/// The workspace of loaded files, in the order given: artifacts indexed by id, duplicates reported.
fn assemble(per_file: Vec<FileOutcome>, yaml_files_seen: usize) -> Loaded {
    let mut workspace = Workspace {
        yaml_files_seen,
        ..Workspace::default()
    };
    let mut findings = Vec::new();
    for outcome in per_file {
        findings.extend(outcome.findings);
        let Some(file) = outcome.file else { continue };
        let file_index = workspace.files.len();
        for mut artifact in outcome.artifacts {
            artifact.file = file_index;
            if artifact.has_id {
                if let Some(&first) = workspace.by_id.get(&artifact.id) {
                    // Located only here: the period report assembles a workspace per commit.
                    let first = &workspace.artifacts[first];
                    let first_file = match workspace.files.get(first.file) {
                        Some(earlier) => &earlier.display,
                        None => &file.display,
                    };
                    findings.push(duplicate_id(&artifact, &file.display, first, first_file));
                    continue;
                }
                workspace
                    .by_id
                    .insert(artifact.id.clone(), workspace.artifacts.len());
            }
            workspace.artifacts.push(artifact);
        }
        workspace.files.push(file);
    }
    Loaded {
        workspace,
        findings,
    }
}

/// `artifact` (in `file`) reuses the id of `first` (in `first_file`).
fn duplicate_id(artifact: &Artifact, file: &str, first: &Artifact, first_file: &str) -> Finding {
    let (_, id_range) = artifact.locate("/metadata/id");
    let (_, first_range) = first.locate("/metadata/id");
    let mut finding = Finding::new(
        "LOAD-DUPLICATE-ID",
        Severity::Error,
        Stage::Load,
        format!(
            "id `{}` is already used in {first_file}:{}",
            artifact.id, first_range.start.line
        ),
    )
    .in_file(file, Some(id_range))
    .with_help("ids are unique across the repository: give this artifact a new id");
    finding.artifact = Some(artifact.id.clone());
    finding.kind = Some(artifact.kind.name.to_owned());
    finding.related.push(Related {
        id: artifact.id.clone(),
        kind: None,
        file: Some(first_file.to_owned()),
        line: Some(first_range.start.line),
    });
    finding
}

struct FileOutcome {
    file: Option<SourceFile>,
    artifacts: Vec<Artifact>,
    findings: Vec<Finding>,
}

/// Reads, parses and classifies one file. Every problem becomes a finding of the outcome, in a
/// fixed order (unreadable, empty, fatal parse error, then each document's), so runs agree.
fn load_one(source: Source, limits: LoadLimits) -> FileOutcome {
    let mut outcome = FileOutcome {
        file: None,
        artifacts: Vec::new(),
        findings: Vec::new(),
    };
    let display = source.display;
    let text = match text_of(source.content, &display) {
        Ok(text) => text,
        Err(finding) => {
            outcome.findings.push(*finding);
            return outcome;
        }
    };
    let key = limits
        .cache
        .map(|_| cache::Key::new(text.as_bytes(), &display, &limits));
    if let (Some(store), Some(key)) = (limits.cache, &key) {
        if let Some(artifacts) = store.get(key).and_then(from_cache) {
            return outcome_of(display, source.path, &text, artifacts);
        }
    }
    let (body, shift) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8()),
        None => (text.as_str(), 0),
    };
    let parsed = yaml::parse_filtered(body, shift, limits.yaml, envelope::wanted);
    // Other tools' YAML (Helm templates, CloudFormation with `!Ref`) may not parse or may use
    // tags; such files are only this tool's business if they claim to hold opsgate artifacts.
    if claims_artifacts(body) {
        outcome.findings.extend(parse_findings(&parsed, &display));
    }
    for (index, doc) in parsed.documents.into_iter().enumerate() {
        classify_document(doc, index, &display, &mut outcome);
    }
    if let (Some(store), Some(key), true) = (limits.cache, &key, outcome.findings.is_empty()) {
        store.put(key, outcome.artifacts.iter().map(to_cache).collect());
    }
    if !outcome.artifacts.is_empty() || !outcome.findings.is_empty() {
        outcome.file = Some(SourceFile {
            display,
            path: source.path,
            text: Arc::from(text.as_str()),
        });
    }
    outcome
}

/// A file's text, or the finding that says why it has none: unread, a Git LFS pointer, not UTF-8.
fn text_of(content: Result<Vec<u8>, Unread>, display: &str) -> Result<String, Box<Finding>> {
    let content = content.and_then(|bytes| {
        if bytes.starts_with(LFS_POINTER) {
            Err(Unread::lfs_pointer())
        } else {
            Ok(bytes)
        }
    });
    let bytes = content.map_err(|unread| {
        let mut finding = Finding::new(unread.code, unread.severity, Stage::Load, unread.message)
            .in_file(display, None);
        finding.help = unread.help.map(str::to_owned);
        Box::new(finding)
    })?;
    String::from_utf8(bytes).map_err(|error| Box::new(not_utf8(&error, display)))
}

/// `LOAD-ENCODING`, located at the first invalid byte.
fn not_utf8(error: &std::string::FromUtf8Error, display: &str) -> Finding {
    let offset = error.utf8_error().valid_up_to();
    let valid = &error.as_bytes()[..offset];
    let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
    let pos = Position {
        offset,
        line,
        column: 1 + valid.iter().rev().take_while(|&&b| b != b'\n').count(),
    };
    Finding::new(
        "LOAD-ENCODING",
        Severity::Error,
        Stage::Load,
        format!("file is not valid UTF-8 (first invalid byte at offset {offset})"),
    )
    .in_file(
        display,
        Some(TextRange {
            start: pos,
            end: pos,
        }),
    )
    .with_help("save the file as UTF-8; binary files do not belong under a .yaml name")
}

/// The findings on the parse as a whole of a file that claims to hold artifacts: empty, then a
/// fatal error.
fn parse_findings(parsed: &yaml::ParsedYaml, display: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    // An empty or comment-only file is worth a warning only if it is ours: other tools keep such
    // files (a Helm chart's commented `values.yaml`), and `--fail-on warning` must not fail on them.
    let empty = parsed
        .documents
        .iter()
        .all(|d| d.value.is_null() && !d.skipped);
    if empty && parsed.fatal.is_none() {
        findings.push(
            Finding::new(
                "LOAD-EMPTY",
                Severity::Warning,
                Stage::Load,
                "file holds no YAML document",
            )
            .in_file(display, None)
            .with_help("delete the file or add an artifact to it"),
        );
    }
    if let Some(fatal) = &parsed.fatal {
        findings.push(fatal_finding(fatal, display));
    }
    findings
}

/// The finding of a parse that stopped: its code and help say which limit or error stopped it.
fn fatal_finding(fatal: &yaml::FatalYamlError, display: &str) -> Finding {
    let (code, help) = match fatal.kind {
        FatalKind::Syntax => (
            "LOAD-SYNTAX",
            "fix the YAML syntax; documents after this point were not read",
        ),
        FatalKind::AliasBudget => (
            "LOAD-ALIAS-LIMIT",
            "write the values out instead of nesting aliases",
        ),
        FatalKind::TooDeep => ("LOAD-TOO-DEEP", "flatten the document"),
        FatalKind::TooManyDocuments => (
            "LOAD-TOO-MANY-DOCUMENTS",
            "split the file, or raise the limit with --max-documents",
        ),
    };
    Finding::new(code, Severity::Error, Stage::Load, fatal.message.clone())
        .in_file(display, Some(fatal.range))
        .with_help(help)
}

/// Document `index` of the file: an artifact (with its date findings), a finding, or nothing.
fn classify_document(
    doc: yaml::YamlDocument,
    index: usize,
    display: &str,
    outcome: &mut FileOutcome,
) {
    match envelope::classify(&doc, display) {
        Classified::Foreign => {}
        Classified::NearMiss(finding) => outcome.findings.push(*finding),
        Classified::Invalid(findings) => outcome.findings.extend(findings),
        Classified::Artifact { kind, id } => {
            outcome
                .findings
                .extend(date_findings(&doc, display, id.as_deref(), kind.name));
            outcome.artifacts.push(Artifact {
                has_id: id.is_some(),
                id: id.unwrap_or_else(|| format!("{display}#{}", index + 1)),
                kind,
                file: 0,
                document: index,
                value: Arc::new(doc.value),
                positions: Arc::new(doc.positions),
                start: doc.start,
            })
        }
    }
}

/// A clean file's outcome, from its cached artifacts.
fn outcome_of(display: String, path: PathBuf, text: &str, artifacts: Vec<Artifact>) -> FileOutcome {
    FileOutcome {
        file: (!artifacts.is_empty()).then(|| SourceFile {
            display,
            path,
            text: Arc::from(text),
        }),
        artifacts,
        findings: Vec::new(),
    }
}

fn to_cache(artifact: &Artifact) -> cache::CachedArtifact {
    cache::CachedArtifact {
        id: artifact.id.clone(),
        has_id: artifact.has_id,
        kind: artifact.kind.name.to_owned(),
        document: artifact.document,
        value: artifact.value.to_string(),
        positions: (*artifact.positions).clone(),
        start: artifact.start,
    }
}

/// The artifacts of a cache entry, or `None` when one does not decode (then the file is parsed).
fn from_cache(cached: Vec<cache::CachedArtifact>) -> Option<Vec<Artifact>> {
    cached
        .into_iter()
        .map(|c| {
            Some(Artifact {
                id: c.id,
                has_id: c.has_id,
                kind: crate::model::Kind::find(&c.kind)?,
                file: 0,
                document: c.document,
                value: Arc::new(serde_json::from_str(&c.value).ok()?),
                positions: Arc::new(c.positions),
                start: c.start,
            })
        })
        .collect()
}

pub use dates::{in_range as date_in_range, FIRST_YEAR, LAST_YEAR};
