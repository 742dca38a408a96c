//! `opsgate new KIND`: a draft artifact (see `draft`), with the next free id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{write_new, ScaffoldError, Written, ARTIFACT_DIR, STARTER_ARTIFACTS};
use crate::model::{Kind, Workspace};

/// What `opsgate new` wrote.
#[derive(Debug)]
pub struct NewArtifact {
    pub id: String,
    pub path: PathBuf,
}

/// Id prefixes for a repository that has no artifact of the kind yet.
fn default_prefix(kind: &str) -> &'static str {
    match kind {
        "Person" => "p-",
        "Service" => "svc-",
        "InformationSecurityPlan" => "ISP-",
        "SecurityBaseline" => "SB-",
        "ConfigurationItem" => "CI-",
        "ProcessPolicy" => "PP-",
        "ChangeRecord" => "CHG-",
        "ControlImplementation" => "CTL-",
        "IncidentManagementPlan" => "IMP-",
        "IncidentRecord" => "INC-",
        "ProblemRecord" => "PRB-",
        "ReleaseRecord" => "REL-",
        "ServiceLevelAgreement" => "SLA-",
        "AvailabilityPlan" => "AVP-",
        "CapacityPlan" => "CAP-",
        "BusinessImpactAnalysis" => "BIA-",
        "ContinuityPlan" => "BCP-",
        "ImprovementRegister" => "CSI-",
        "RiskAcceptance" => "RA-",
        _ => "ID-",
    }
}

/// `CHG-2026-031` → (`CHG-2026-`, 31, 3).
fn split_number(id: &str) -> Option<(&str, u64, usize)> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let (prefix, number) = id.split_at(id.len() - digits);
    Some((prefix, number.parse().ok()?, digits))
}

/// The next id in the numbering the repository already uses for `kind` (the prefix of the
/// highest-sorting id), or `<PREFIX>0001`.
pub fn next_id(workspace: &Workspace, kind: &str) -> String {
    let mut by_prefix: BTreeMap<&str, (u64, usize)> = BTreeMap::new();
    let mut last_prefix = None;
    let mut ids: Vec<&str> = workspace
        .artifacts
        .iter()
        .filter(|a| a.kind.name == kind && a.has_id)
        .map(|a| a.id.as_str())
        .collect();
    ids.sort_unstable();
    for id in ids {
        if let Some((prefix, number, width)) = split_number(id) {
            let entry = by_prefix.entry(prefix).or_insert((0, width));
            entry.0 = entry.0.max(number);
            entry.1 = entry.1.max(width);
            last_prefix = Some(prefix);
        }
    }
    match last_prefix.and_then(|p| by_prefix.get(p).map(|v| (p, *v))) {
        Some((prefix, (max, width))) => {
            let mut candidate = max + 1;
            loop {
                let id = format!("{prefix}{candidate:0width$}");
                if !workspace.by_id.contains_key(&id) {
                    return id;
                }
                candidate += 1;
            }
        }
        None => format!("{}0001", default_prefix(kind)),
    }
}

/// The starter document of `kind`, from the example repository.
fn starter_document(kind: &Kind) -> Option<(&'static str, String)> {
    let marker = format!("\nkind: {}\n", kind.name);
    STARTER_ARTIFACTS.iter().find_map(|(path, text)| {
        text.split("\n---\n")
            .find(|doc| format!("\n{doc}").contains(&marker))
            .map(|doc| (*path, doc.trim_start_matches('\n').to_owned()))
    })
}

/// Writes a new artifact of `kind` next to the existing ones (or under `ops/`), never over a file.
pub fn new_artifact(
    root: &Path,
    workspace: &Workspace,
    kind: &Kind,
    id: Option<&str>,
    today: &str,
) -> Result<NewArtifact, ScaffoldError> {
    let id = match id {
        Some(id) if workspace.by_id.contains_key(id) => {
            return Err(ScaffoldError::Invalid(format!(
                "an artifact with id `{id}` already exists"
            )))
        }
        Some(id) => id.to_owned(),
        None => next_id(workspace, kind.name),
    };
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c))
    {
        return Err(ScaffoldError::Invalid(format!(
            "`{id}` is not a valid id (letters, digits, `.`, `_`, `:`, `-`)"
        )));
    }
    let text = super::draft::draft(kind, &id, today)
        .ok_or_else(|| ScaffoldError::Invalid(format!("no template for {}", kind.name)))?;
    let folder = workspace
        .artifacts
        .iter()
        .filter(|a| a.kind.name == kind.name)
        .filter_map(|a| workspace.file_of(a).path.parent().map(Path::to_path_buf))
        .next()
        .unwrap_or_else(|| {
            let starter = starter_document(kind).map_or("", |(path, _)| path);
            let sub = Path::new(starter).parent().unwrap_or(Path::new(""));
            root.join(ARTIFACT_DIR).join(sub)
        });
    let path = folder.join(format!("{}.yaml", id.replace(':', "_")));
    let mut written = Written::default();
    write_new(root, &path, &text, &mut written)?;
    if written.created.is_empty() {
        return Err(ScaffoldError::Invalid(format!(
            "{} already exists",
            path.display()
        )));
    }
    Ok(NewArtifact { id, path })
}
