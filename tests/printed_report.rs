//! The auditor's report printed to PDF by headless Chromium and read back with `pdftotext`
//! (Debian poppler-utils): what an auditor archives must show every piece of evidence.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::*;

fn tool(variable: &str, what: &str) -> PathBuf {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!(
                "{variable} is not set: run the tests with scripts/test.sh, which installs {what}"
            )
        })
}

fn pdf_text(html: &Path) -> String {
    let chromium = tool("OPSGATE_CHROMIUM", "headless Chromium");
    let pdftotext = tool("OPSGATE_PDFTOTEXT", "poppler-utils (pdftotext)");
    let profile = tempfile::tempdir().unwrap();
    let pdf = html.with_extension("pdf");
    let out = Process::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Process::new(pdftotext)
        // Reading order (no -layout): a table cell's text stays together.
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_printed_report_shows_every_evidence_file_rationale_and_waiver() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gaps"),
        dir.path(),
    );
    write(
        dir.path(),
        "risk/RA-2026-009.yaml",
        "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: RA-2026-009, title: Root cause with the vendor, owner: p-ben}\nspec:\n  rules: [PRB-004]\n  artifacts: [PRB-2026-007]\n  scope: The one closed problem whose root cause the vendor still investigates.\n  justification: The vendor's analysis is contracted for January; the workaround holds meanwhile.\n  risk_owner: p-ben\n  approval: {approver: p-gwen, role: Chief Operating Officer, date: 2026-11-02, decision: approved}\n  expires: 2027-01-31\n  compensating_controls: [Weekly certificate expiry report]\n",
    );
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(
        dir.path(),
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/acme/ops-records.git",
        ],
    );
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "Import"]);
    let out_dir = tempfile::tempdir().unwrap();
    let html = out_dir.path().join("report.html");
    let status = opsgate()
        .arg("report")
        .arg(dir.path())
        .args(["--as-of", AS_OF, "--output"])
        .arg(&html)
        .output()
        .unwrap()
        .status;
    assert!(matches!(status.code(), Some(0) | Some(3)));
    let text = pdf_text(&html);
    // pdftotext breaks long lines and drops the hyphen at a break ("RA-2026-001" can come out
    // as "RA2026-001"): compare without whitespace and hyphens.
    let flat: String = text.split_whitespace().collect::<String>().replace('-', "");
    let has = |needle: &str| flat.contains(&needle.replace([' ', '-'], ""));
    for file in [
        "problems/PRB-2026-007.yaml",
        "changes/CHG-2026-004.yaml",
        "cmdb/ci-report-job.yaml",
        "people/people.yaml",
    ] {
        assert!(has(file), "{file} is not in the printed report:\n{text}");
    }
    // The remote, not a local path; the commit author on evidence rows.
    assert!(has("https://github.com/acme/ops-records.git"), "{text}");
    assert!(
        !has(&dir.path().display().to_string()),
        "a local path is printed"
    );
    assert!(has("by Dev"));
    // A failed requirement's rationale and remediation; the waiver's justification and approver.
    assert!(has("Remediation:"), "{text}");
    assert!(has("Why it matters:"), "{text}");
    assert!(
        has("The vendor's analysis is contracted for January"),
        "{text}"
    );
    assert!(
        has("The one closed problem whose root cause the vendor still investigates"),
        "{text}"
    );
    for value in ["p-gwen", "2026-11-02", "2027-01-31"] {
        assert!(has(value), "{value} is not in the printed report:\n{text}");
    }
    // The controls no rule covers sit in <details> closed on screen (one per CIS Control, NIST
    // family, Annex A theme): printed, every one is open.
    for uncovered in [
        "Not covered by any rule: 236 of 299 controls.",
        "AC Access Control — 19 of 23 not covered",
        "AC-3 Access Enforcement",
        "SR-12 Component Disposal",
        "18.5 Perform Periodic Internal Penetration Tests",
        "3.14 Log Sensitive Data Access",
        "A.7.7 Clear desk and clear screen",
        "Architecture management",
    ] {
        assert!(
            has(uncovered),
            "{uncovered} is not in the printed report:\n{text}"
        );
    }
}
