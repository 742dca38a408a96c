//! The period report's incremental evaluation (the neighbourhood of each commit, and on a new
//! date only the rules that read it) against a naive full re-check at every point, over a crafted
//! history on a real temporary git repository: any neighbour or dated rule the incremental
//! evaluation missed shows up as a difference at some point.

mod common;

use std::path::Path;

use common::*;
use opsgate::check::CheckOptions;
use opsgate::git::Git;
use opsgate::history::{collect_with, Collected, Period, Strategy};

fn commit_at(dir: &Path, author: &str, date: &str) {
    git_at(dir, author, date, &["add", "-A"]);
    git_at(
        dir,
        author,
        date,
        &["commit", "-q", "--allow-empty", "-m", "change"],
    );
}

fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} lacks {from:?}");
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// acme before the period, then: a CI removed (its referrers, untouched, fail) and a same-day
/// edit elsewhere; the waiver's expiry moved into the period (it lapses by date alone, no commit
/// touches it then); the CI restored; a problem record broken and fixed; empty days passing the
/// availability and capacity plans' review dates (future-dated reviews stop failing by date).
fn history() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path();
    copy_dir(&acme(), root);
    git(root, &["init", "-q", "-b", "main"]);
    commit_at(root, "Ivy", "2026-09-20");
    let db = std::fs::read_to_string(root.join("cmdb/ci-db-01.yaml")).expect("read");
    std::fs::remove_file(root.join("cmdb/ci-db-01.yaml")).expect("remove");
    commit_at(root, "Bea", "2026-10-05");
    replace(
        root,
        "services/services.yaml",
        "title: Customer portal",
        "title: Client portal",
    );
    commit_at(root, "Cy", "2026-10-05");
    // Both plan-level packages mix rules that read the date with rules that do not, and one of
    // them computes its codes from a table: the baseline's and the plan's reviews go stale while
    // no commit touches them (a dated body), and the plan loses an area (an undated body with a
    // computed code) whose finding must be carried over every later date.
    replace(
        root,
        "security/baseline-cloud-workload.yaml",
        "last_reviewed: 2026-04-01",
        "last_reviewed: 2025-10-15",
    );
    replace(
        root,
        "security/information-security-plan.yaml",
        "last_reviewed: 2026-01-18",
        "last_reviewed: 2025-10-20",
    );
    replace(
        root,
        "security/information-security-plan.yaml",
        "    security_management:\n",
        "    security_managment:\n",
    );
    commit_at(root, "Dan", "2026-10-06");
    replace(
        root,
        "risk/RA-2026-001.yaml",
        "expires: 2027-03-31",
        "expires: 2026-10-20",
    );
    commit_at(root, "Ann", "2026-10-12");
    write(root, "cmdb/ci-db-01.yaml", db);
    commit_at(root, "Fay", "2026-10-25");
    let problem = root.join("problems/PRB-2026-007.yaml");
    let record = std::fs::read_to_string(&problem).expect("read");
    replace(
        root,
        "problems/PRB-2026-007.yaml",
        "  root_cause:",
        "  cause_notes:",
    );
    commit_at(root, "Bea", "2026-10-31");
    std::fs::write(&problem, record).expect("write");
    commit_at(root, "Fay", "2026-10-31");
    for day in ["2026-11-03", "2026-11-04", "2026-11-20"] {
        commit_at(root, "Nora", day);
    }
    dir
}

fn collected(dir: &Path, strategy: Strategy, workers: Option<usize>) -> Collected {
    let git = Git::discover(dir).expect("a repository");
    let tip = git.head_oid().expect("HEAD");
    let period = Period::parse("2026-10-01..2026-11-24").expect("period");
    let options = CheckOptions::new(dir, "2026-11-24");
    collect_with(&git, &options, &period, tip, strategy, workers).expect("collected")
}

/// Every point's findings as JSON lines, for a readable difference.
fn points(collected: &Collected) -> Vec<(String, Vec<String>)> {
    collected
        .points
        .iter()
        .map(|p| {
            let sha = p.commit.as_ref().map_or(String::new(), |c| c.sha.clone());
            let findings = p
                .findings
                .iter()
                .map(|f| serde_json::to_string(f).expect("serializes"))
                .collect();
            (format!("{} {sha}", p.as_of), findings)
        })
        .collect()
}

/// Each point's findings, and what the commit touched, are the same in both.
fn assert_same_points(incremental: &Collected, naive: &[(String, Vec<String>)], label: &str) {
    let points_of = points(incremental);
    for (a, b) in points_of.iter().zip(naive) {
        assert_eq!(a.0, b.0, "{label}");
        let missing: Vec<&String> = b.1.iter().filter(|f| !a.1.contains(f)).collect();
        let extra: Vec<&String> = a.1.iter().filter(|f| !b.1.contains(f)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{label} at {}: missed {missing:#?}, extra {extra:#?}",
            a.0
        );
    }
    assert_eq!(points_of.len(), naive.len(), "{label}");
}

#[test]
fn the_incremental_period_evaluation_equals_a_full_re_check_at_every_point() {
    let dir = history();
    // The reference: every point evaluated whole, by the policies as `check` loads them.
    let naive_run = collected(dir.path(), Strategy::Naive, Some(1));
    assert!(naive_run.errors.is_empty());
    let naive = points(&naive_run);
    // The start, each of the 10 commits (an empty one on a new date is a point too), the end.
    assert_eq!(
        naive.len(),
        1 + 10 + 1,
        "{:#?}",
        naive.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    // One run through the history, and the history cut into parallel runs (each after the first
    // starts from the commit before it): the same points.
    for workers in [1, 4] {
        let incremental = collected(dir.path(), Strategy::Incremental, Some(workers));
        assert!(incremental.errors.is_empty());
        assert_same_points(&incremental, &naive, &format!("{workers} runs"));
        let touched = |c: &Collected| -> Vec<Vec<String>> {
            c.points
                .iter()
                .map(|p| {
                    let mut t: Vec<String> = p.touched.iter().cloned().collect();
                    t.sort();
                    t
                })
                .collect()
        };
        assert_eq!(touched(&incremental), touched(&naive_run), "{workers} runs");
    }
    // The history exercises what the incremental evaluation could miss.
    let codes_at = |index: usize| -> Vec<String> {
        naive[index]
            .1
            .iter()
            .filter_map(|f| serde_json::from_str::<serde_json::Value>(f).ok())
            .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let count = |index: usize, code: &str| codes_at(index).iter().filter(|c| *c == code).count();
    // The removed CI's referrers, which no commit touched, fail (its neighbourhood).
    assert_eq!(
        (
            count(0, "REF-001"),
            count(1, "REF-001"),
            count(5, "REF-001")
        ),
        (0, 6, 0)
    );
    // The waiver lapses on 2026-10-20 by date alone; future-dated plan reviews stop failing.
    assert_eq!(
        (
            count(4, "RSK-001"),
            count(5, "RSK-001"),
            count(11, "RSK-001")
        ),
        (0, 1, 1)
    );
    assert_eq!((count(5, "AVL-011"), count(6, "AVL-011")), (1, 0));
    assert_eq!((count(7, "CAP-011"), count(8, "CAP-011")), (1, 0));
    // The plan's missing area (a computed code, no date) holds at every later point; the two
    // reviews go stale on 2026-10-16 and 2026-10-21, first seen at the 2026-10-25 commit.
    let series = |code: &str| (3..=11).map(|i| count(i, code)).collect::<Vec<_>>();
    assert_eq!(count(2, "ISP-001"), 0);
    assert_eq!(series("ISP-001"), [1; 9]);
    assert_eq!(series("ISP-014"), [0, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert_eq!(series("CFG-013"), [0, 0, 1, 1, 1, 1, 1, 1, 1]);
    // And the stale reviews were found by date, outside what any commit touched.
    let untouched = |id: &str| {
        (4..=11)
            .filter(|i| !naive_run.points[*i].touched.contains(id))
            .count()
    };
    assert!(untouched("isp-2026") > 0 && untouched("sb-cloud-workload") > 0);
}
