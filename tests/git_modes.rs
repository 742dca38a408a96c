//! The git-aware gates on real temporary repositories made with the `git` program.

mod common;

use std::path::Path;

use common::*;
use predicates::str::contains;
use serde_json::Value;

/// A repository holding the compliant example, committed on `main`.
fn repo() -> tempfile::TempDir {
    acme_repo(&[], None)
}

/// Stages a new incident that refers to artifacts that only exist in other files of the index.
fn stage_new_incident(dir: &Path) {
    write(
        dir,
        "incidents/INC-2026-103.yaml",
        std::fs::read_to_string(dir.join("incidents/INC-2026-101.yaml"))
            .unwrap()
            .replace("INC-2026-101", "INC-2026-103"),
    );
    git(dir, &["add", "incidents/INC-2026-103.yaml"]);
}

/// A gap (SLM-011) in the work tree: the SLA loses its penalties.
fn drop_sla_penalties(dir: &Path) {
    edit(dir, "agreements/sla-portal.yaml", "  penalties: Service credit of 5 % of the monthly fee per 0.1 % below target, capped at 25 %.\n", "");
}

fn found(json: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["artifact"]
                    .as_str()
                    .or(f["file"].as_str())
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn staged_mode_checks_the_index_not_the_work_tree() {
    let dir = repo();
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    git(dir.path(), &["add", "releases/REL-2026-014.yaml"]);
    // Fixed again in the work tree, but not staged: the commit would still carry the gap.
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: false",
        "tested: true",
    );
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(found(&json), pairs(&[("REL-004", "REL-2026-014")]));
    assert_eq!(code, 1);
    assert_eq!(json["mode"], "staged");
    let (code, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "the work tree itself is clean");
}

#[test]
fn staged_mode_reports_only_what_the_commit_changes_and_resolves_against_the_whole_index() {
    let dir = repo();
    // A pre-existing gap, committed: not this commit's business.
    drop_sla_penalties(dir.path());
    git(dir.path(), &["commit", "-q", "-am", "drop penalties"]);
    stage_new_incident(dir.path());
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(
        found(&json),
        Vec::<(String, String)>::new(),
        "neither SLM-011 (committed before) nor REF-001: {:#}",
        json["findings"]
    );
    assert_eq!(code, 0);
}

#[test]
fn pull_request_mode_reports_what_the_change_adds_modifies_and_breaks() {
    let dir = repo();
    drop_sla_penalties(dir.path());
    git(
        dir.path(),
        &["commit", "-q", "-am", "a gap already on main"],
    );
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    // Modified: an incident with a priority that breaks the matrix.
    edit(
        dir.path(),
        "incidents/INC-2026-102.yaml",
        "priority: P2",
        "priority: P4",
    );
    // Added: a problem without incidents.
    write(dir.path(), "problems/PRB-2026-009.yaml", "apiVersion: opsgate/v1\nkind: ProblemRecord\nmetadata: {id: PRB-2026-009, title: Slow reports, owner: p-ben}\nspec: {status: logged, classification: minor, service: svc-reporting}\n");
    // Deleted: a change record that the release still needs.
    std::fs::remove_file(dir.path().join("changes/CHG-2026-004.yaml")).unwrap();
    // Renamed without a content change: nothing to report.
    git(
        dir.path(),
        &[
            "mv",
            "capacity/capacity-plan.yaml",
            "capacity/portal-capacity.yaml",
        ],
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "feature work"]);

    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(json["mode"], "diff");
    let got = found(&json);
    assert!(
        got.contains(&("INC-020".into(), "INC-2026-102".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("PRB-001".into(), "PRB-2026-009".into())),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|(code, id)| code == "REF-001" && id == "sla-portal"),
        "an unchanged artifact broken by the deletion: {got:?}"
    );
    assert!(
        !got.iter().any(|(code, _)| code == "SLM-011"),
        "pre-existing findings stay out: {got:?}"
    );
    assert!(
        !got.iter().any(|(_, id)| id == "cap-portal"),
        "a rename is not a change: {got:?}"
    );

    let (_, json) = check_json(dir.path(), &["--base", "main", "--all"]);
    let pre: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["pre_existing"] == true)
        .collect();
    assert!(pre.iter().any(|f| f["code"] == "SLM-011"), "{pre:?}");
    assert_eq!(
        json["summary"]["pre_existing"].as_u64().unwrap() as usize,
        pre.len()
    );
}

#[test]
fn pull_request_mode_compares_with_the_merge_base_of_diverged_branches() {
    let dir = repo();
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    edit(
        dir.path(),
        "capacity/capacity-plan.yaml",
        "current_usage: 11",
        "current_usage: 12",
    );
    git(dir.path(), &["commit", "-q", "-am", "feature"]);
    git(dir.path(), &["checkout", "-q", "main"]);
    // main moves on with an unrelated gap after the branch point.
    drop_sla_penalties(dir.path());
    git(dir.path(), &["commit", "-q", "-am", "main moves on"]);
    git(dir.path(), &["checkout", "-q", "feature"]);
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(
        found(&json),
        Vec::<(String, String)>::new(),
        "{:#}",
        json["findings"]
    );
    assert_eq!(code, 0);
    // --worktree compares the uncommitted state too.
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    let (_, json) = check_json(dir.path(), &["--base", "main", "--worktree"]);
    assert_eq!(found(&json), pairs(&[("REL-004", "REL-2026-014")]));
}

#[test]
fn change_control_rules_over_the_diff() {
    let dir = repo();
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    // GIT-001: a production CI edited under its old change.
    edit(
        dir.path(),
        "cmdb/ci-web-01.yaml",
        "ubuntu-24.04.1",
        "ubuntu-24.04.2",
    );
    // GIT-002: an SLA edited without a new revision.
    edit(
        dir.path(),
        "agreements/sla-portal.yaml",
        "response_minutes: 30",
        "response_minutes: 20",
    );
    // GIT-003: a closed incident rewritten.
    edit(
        dir.path(),
        "incidents/INC-2026-101.yaml",
        "Renewed the certificate",
        "Renewed all certificates",
    );
    // GIT-004: a risk acceptance extended.
    edit(
        dir.path(),
        "risk/RA-2026-001.yaml",
        "expires: 2027-03-31",
        "expires: 2027-06-30",
    );
    // GIT-005: the gate's own configuration.
    write(
        dir.path(),
        "opsgate.toml",
        "[params]\ntest_interval_days = 400\n",
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "risky"]);
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1);
    let got = found(&json);
    for expected in [
        ("GIT-001", "ci-web-01"),
        ("GIT-002", "sla-portal"),
        ("GIT-003", "INC-2026-101"),
        ("GIT-004", "RA-2026-001"),
        ("GIT-005", "opsgate.toml"),
    ] {
        assert!(
            got.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} missing from {got:?}"
        );
    }

    // The compliant way: a new authorized change for the CI, a new SLA revision.
    let dir = repo();
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(
        dir.path(),
        "changes/CHG-2026-040.yaml",
        std::fs::read_to_string(dir.path().join("changes/CHG-2026-031.yaml"))
            .unwrap()
            .replace("CHG-2026-031", "CHG-2026-040"),
    );
    edit(
        dir.path(),
        "cmdb/ci-web-01.yaml",
        "ubuntu-24.04.1",
        "ubuntu-24.04.2",
    );
    edit(
        dir.path(),
        "cmdb/ci-web-01.yaml",
        "last_change: CHG-2026-031",
        "last_change: CHG-2026-040",
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "authorized"]);
    let (_, json) = check_json(dir.path(), &["--base", "main"]);
    assert!(
        !found(&json)
            .iter()
            .any(|(code, _)| code.starts_with("GIT-")),
        "{:#}",
        json["findings"]
    );
}

#[test]
fn a_shallow_clone_without_its_base_says_how_to_fetch_it() {
    let origin = repo();
    edit(
        origin.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: true # checked",
    );
    git(origin.path(), &["commit", "-q", "-am", "second"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "."]);
    opsgate()
        .arg("check")
        .arg(clone.path())
        .args(["--base", "HEAD~1"])
        .assert()
        .code(2)
        .stderr(contains("shallow clone"))
        .stderr(contains("fetch-depth: 0"));
}

#[test]
fn git_modes_outside_a_repository_are_a_clear_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.yaml", person("p-a"));
    opsgate()
        .arg("check")
        .arg(dir.path())
        .arg("--staged")
        .assert()
        .code(2)
        .stderr(contains("not inside a git repository"));
    opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--base", "main"])
        .assert()
        .code(2);
    let (code, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "plain directory mode keeps working");
}

#[test]
fn an_unknown_base_revision_is_a_usage_error() {
    let dir = repo();
    opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--base", "no-such-branch"])
        .assert()
        .code(2)
        .stderr(contains("does not exist"));
}

#[test]
fn findings_carry_the_last_commit_of_their_file_as_evidence() {
    let repo = repo();
    write(
        repo.path(),
        "people/committed.yaml",
        person("p-committed").replace("owner: p-committed", "owner: p-nobody"),
    );
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "Add p-committed"]);
    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    write(
        repo.path(),
        "people/uncommitted.yaml",
        person("p-uncommitted").replace("owner: p-uncommitted", "owner: p-nobody"),
    );

    let (code, json) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    let of = |file: &str| -> Value {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == file)
            .unwrap_or_else(|| panic!("no finding on {file}: {json:#}"))["last_commit"]
            .clone()
    };
    let evidence = of("people/committed.yaml");
    assert_eq!(evidence["sha"], head.as_str());
    assert_eq!(evidence["author"], "Dev");
    assert_eq!(evidence["summary"], "Add p-committed");
    assert_eq!(of("people/uncommitted.yaml"), Value::Null);

    let sarif: Value = serde_json::from_slice(
        &opsgate()
            .arg("check")
            .arg(repo.path())
            .args(["--format", "sarif", "--as-of", AS_OF])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let committed = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "people/committed.yaml"
        })
        .expect("a result on the committed file");
    assert_eq!(committed["properties"]["lastCommit"]["sha"], head.as_str());
}

/// The git gates validate only what a change touches, yet the whole-inventory joins read every
/// artifact: values of the wrong type elsewhere in the repository, committed long ago, must not
/// turn a pre-commit run into a policy error.
#[test]
fn staged_mode_survives_ill_typed_artifacts_it_does_not_validate() {
    let dir = repo();
    write(
        dir.path(),
        "legacy/odd.yaml",
        "apiVersion: opsgate/v1\nkind: ConfigurationItem\nmetadata: {id: ci-odd}\nspec:\n  relationships: oops\n\
         ---\napiVersion: opsgate/v1\nkind: Service\nmetadata: {id: svc-odd}\nspec: oops\n\
         ---\napiVersion: opsgate/v1\nkind: ServiceLevelAgreement\nmetadata: {id: sla-odd}\nspec: {services: oops}\n\
         ---\napiVersion: opsgate/v1\nkind: ProblemRecord\nmetadata: {id: prb-odd}\nspec: {incidents: 7}\n\
         ---\napiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: ra-odd}\nspec: {artifacts: oops, rules: 3}\n",
    );
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "legacy"]);
    stage_new_incident(dir.path());
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(json["policy_errors"], serde_json::json!([]), "{json:#}");
    assert_eq!(code, 0, "{:#}", json["findings"]);

    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(json["policy_errors"], serde_json::json!([]), "{json:#}");
    assert_eq!(code, 1);
}

/// A commit that changes no artifact's content (a comment, reformatting) has nothing to check, even
/// in a repository with gaps elsewhere; the gate skips the policy stage for it.
#[test]
fn a_comment_only_change_has_nothing_to_report() {
    let dir = repo();
    drop_sla_penalties(dir.path());
    git(dir.path(), &["commit", "-q", "-am", "a gap, committed"]);
    let path = dir.path().join("agreements/sla-portal.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("# reviewed 2026-12-01\n{text}")).unwrap();
    git(dir.path(), &["add", "."]);
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(found(&json), Vec::<(String, String)>::new(), "{json:#}");
    assert_eq!(json["policy_errors"], serde_json::json!([]));
    assert_eq!(code, 0);
}

/// An artifact evaluated at the edge of the neighbourhood reads one beyond it: that one is not
/// in scope, but its ill-typed values must still be kept from the policies.
#[test]
fn staged_mode_keeps_ill_typed_values_beyond_the_neighbourhood_from_the_policies() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |kind: &str, id: &str, spec: &str| {
        format!("apiVersion: opsgate/v1\nkind: {kind}\nmetadata: {{id: {id}, title: t, owner: p-a}}\nspec: {spec}\n")
    };
    // p-b (changed) ← c-1 ← i-1 → imp-1: the plan is three steps from the change.
    write(dir.path(), "p.yaml", doc("Person", "p-b", "{name: B}"));
    write(
        dir.path(),
        "c.yaml",
        doc("ChangeRecord", "c-1", "{note: p-b}"),
    );
    write(
        dir.path(),
        "i.yaml",
        doc(
            "IncidentRecord",
            "i-1",
            "{plan: imp-1, change: c-1, impact: high}",
        ),
    );
    write(
        dir.path(),
        "imp.yaml",
        doc(
            "IncidentManagementPlan",
            "imp-1",
            "{classification: {impact_levels: high}}",
        ),
    );
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "start"]);
    write(dir.path(), "p.yaml", doc("Person", "p-b", "{name: Bea}"));
    git(dir.path(), &["add", "."]);
    let (_, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(json["policy_errors"], serde_json::json!([]), "{json:#}");
}
