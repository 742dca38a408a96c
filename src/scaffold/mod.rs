//! The commands that write files: `opsgate init` (a starter repository) and `opsgate new` (one
//! artifact from a template). Both write a file only where none exists, each through a temporary
//! file renamed into place, and say what they wrote and what they left alone.

mod dates;
pub mod draft;
mod new;
pub mod schemas;

use std::path::{Path, PathBuf};

pub use dates::shift_dates;
pub use new::{new_artifact, NewArtifact};

include!(concat!(env!("OUT_DIR"), "/starter_artifacts.rs"));

/// The date the starter artifacts (`fixtures/acme`) are current on.
pub const STARTER_DATE: &str = "2026-11-24";

/// Where the starter artifacts go inside the scaffolded repository.
pub const ARTIFACT_DIR: &str = "ops";

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

/// What a scaffolding command did.
#[derive(Debug, Default)]
pub struct Written {
    pub created: Vec<PathBuf>,
    pub skipped: Vec<PathBuf>,
}

/// Writes `content` to `path` unless something is already there. A repository is written by
/// whoever committed to it: a symlink anywhere on the way (`ops -> /elsewhere`) would redirect the
/// write out of the directory, so none is followed.
fn write_new(
    root: &Path,
    path: &Path,
    content: &str,
    written: &mut Written,
) -> Result<(), ScaffoldError> {
    refuse_links(root, path)?;
    if std::fs::symlink_metadata(path).is_ok() {
        written.skipped.push(path.to_path_buf());
        return Ok(());
    }
    crate::write::write_atomically(path, content.as_bytes(), false).map_err(|source| {
        ScaffoldError::Write {
            path: path.to_path_buf(),
            source,
        }
    })?;
    written.created.push(path.to_path_buf());
    Ok(())
}

/// An error when `path` or a directory between it and `root` is a symbolic link (`root` itself
/// is the user's choice).
fn refuse_links(root: &Path, path: &Path) -> Result<(), ScaffoldError> {
    for ancestor in path.ancestors() {
        if ancestor == root || !ancestor.starts_with(root) {
            break;
        }
        if std::fs::symlink_metadata(ancestor).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(ScaffoldError::Invalid(format!(
                "refusing to write {}: {} is a symbolic link, and opsgate never writes through one",
                path.display(),
                ancestor.display()
            )));
        }
    }
    Ok(())
}

/// The minimal starter: (file under `ops/`, kind, id, value for `spec.process`): a person who
/// owns everything, a service, and one draft of each document the management-system rules
/// require (BCM-018/019, CFG-018, CHG-022, CSC-024, CSI-014, INC-026, ISP-016). It fails until
/// filled in: DOC-001 for each placeholder, and each plan's own rules for what it still lacks.
const MINIMAL_STARTER: &[(&str, &str, &str, Option<&str>)] = &[
    ("people/owner.yaml", "Person", "p-owner", None),
    ("services/service.yaml", "Service", "svc-main", None),
    (
        "security/information-security-plan.yaml",
        "InformationSecurityPlan",
        "ISP-0001",
        None,
    ),
    (
        "processes/change-management-policy.yaml",
        "ProcessPolicy",
        "PP-0001",
        Some("change_management"),
    ),
    (
        "processes/configuration-management-policy.yaml",
        "ProcessPolicy",
        "PP-0002",
        Some("configuration_management"),
    ),
    (
        "incidents/incident-management-plan.yaml",
        "IncidentManagementPlan",
        "IMP-0001",
        None,
    ),
    (
        "continuity/business-impact-analysis.yaml",
        "BusinessImpactAnalysis",
        "BIA-0001",
        None,
    ),
    (
        "continuity/continuity-plan.yaml",
        "ContinuityPlan",
        "BCP-0001",
        None,
    ),
    (
        "controls/csc2-implementation.yaml",
        "ControlImplementation",
        "CTL-0001",
        None,
    ),
    (
        "improvement/improvement-register.yaml",
        "ImprovementRegister",
        "CSI-0001",
        None,
    ),
];

/// Scaffolds a repository in `dir`: configuration, hook and CI examples, the schemas and editor
/// mapping, and either the minimal starter (drafts to fill in) or, with `example`, the compliant
/// example set of every kind (`fixtures/acme`), its dates moved to `today`.
pub fn init(dir: &Path, today: &str, example: bool) -> Result<Written, ScaffoldError> {
    let days = days_between(STARTER_DATE, today)?;
    let mut written = Written::default();
    write_new(
        dir,
        &dir.join("opsgate.toml"),
        include_str!("../../templates/opsgate.toml"),
        &mut written,
    )?;
    write_new(
        dir,
        &dir.join(".pre-commit-config.yaml"),
        include_str!("../../templates/pre-commit-config.yaml"),
        &mut written,
    )?;
    write_new(
        dir,
        &dir.join(".github/workflows/opsgate.yml"),
        include_str!("../../templates/github-workflow.yml"),
        &mut written,
    )?;
    if example {
        for (relative, text) in STARTER_ARTIFACTS {
            let path = dir.join(ARTIFACT_DIR).join(relative);
            write_new(dir, &path, &shift_dates(text, days), &mut written)?;
        }
    } else {
        for (relative, kind, id, process) in MINIMAL_STARTER {
            let kind = crate::model::Kind::find(kind)
                .ok_or_else(|| ScaffoldError::Invalid(format!("unknown starter kind {kind}")))?;
            let owner = (kind.name != "Person").then_some(MINIMAL_STARTER[0].2);
            let mut text = draft::draft_owned_by(kind, id, today, owner)
                .ok_or_else(|| ScaffoldError::Invalid(format!("no draft for {}", kind.name)))?;
            if let Some(process) = process {
                let choice = format!(
                    "process: \"{}\"",
                    draft::placeholder("one of configuration_management, change_management")
                );
                text = text.replacen(&choice, &format!("process: {process}"), 1);
            }
            let path = dir.join(ARTIFACT_DIR).join(relative);
            write_new(dir, &path, &text, &mut written)?;
        }
    }
    schemas::init_editor(dir, ARTIFACT_DIR, &mut written)?;
    Ok(written)
}

fn days_between(from: &str, to: &str) -> Result<i64, ScaffoldError> {
    let parse = |d: &str| {
        d.parse::<jiff::civil::Date>()
            .map_err(|e| ScaffoldError::Invalid(format!("`{d}` is not a date: {e}")))
    };
    let span = parse(from)?
        .until(parse(to)?)
        .map_err(|e| ScaffoldError::Invalid(e.to_string()))?;
    Ok(i64::from(span.get_days()))
}
