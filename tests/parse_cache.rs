//! The parse cache (src/load/cache.rs) saves time and changes nothing: every run with it reports
//! what a run without it reports, whatever state its directory is in.

mod common;

use std::path::Path;

use common::*;

/// `opsgate check DIR --format json` with the parse cache in `cache` (or none): exit code and stdout.
fn run(dir: &Path, cache: Option<&Path>, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = opsgate();
    cmd.arg("check")
        .arg(dir)
        .args(["--format", "json", "--as-of", AS_OF]);
    match cache {
        Some(cache) => cmd.arg("--cache-dir").arg(cache),
        None => cmd.arg("--no-cache"),
    };
    for (name, value) in env {
        cmd.env(name, value);
    }
    let output = cmd.output().expect("runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The example plus files with load problems (a syntax error, a near-miss apiVersion, a duplicate
/// id), which are never cached and must be reported on every run.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&acme(), dir.path());
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: opsgate/v1\nkind: Service\nmetadata: {id: x\n",
    );
    write(
        dir.path(),
        "near.yaml",
        "apiVersion: opsgate/v2\nkind: Service\nmetadata: {id: svc-near, title: N, owner: p-ben}\n",
    );
    let svc = std::fs::read_to_string(dir.path().join("services/services.yaml")).unwrap();
    write(dir.path(), "services/copy.yaml", svc);
    dir
}

/// The parse entries under `cache` (not the kept program: [`programs`]).
fn entries(cache: &Path) -> Vec<std::path::PathBuf> {
    files_under(cache)
        .into_iter()
        .filter(|p| !std::fs::read(p).is_ok_and(|b| b.starts_with(b"OGPB")))
        .collect()
}

fn files_under(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![cache.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn cached_runs_report_exactly_what_uncached_runs_report() {
    let repo = repository();
    let cache = tempfile::tempdir().unwrap();
    let (code, uncached, _) = run(repo.path(), None, &[]);
    assert_eq!(code, 3, "the load problems fail the run: {uncached}");
    assert!(entries(cache.path()).is_empty());
    let (cold_code, cold, _) = run(repo.path(), Some(cache.path()), &[]);
    let written = entries(cache.path()).len();
    let (warm_code, warm, _) = run(repo.path(), Some(cache.path()), &[]);
    assert_eq!((cold_code, warm_code), (code, code));
    assert_eq!(cold, uncached);
    assert_eq!(warm, uncached);
    // One entry per clean file: the two that do not load are parsed every time. The duplicate id
    // is found when the files are put together, from cached entries as from parsed ones.
    let yaml_files = walk_yaml(repo.path());
    assert_eq!(written, yaml_files - 2, "entries for the clean files only");
    assert!(uncached.contains("LOAD-SYNTAX") && uncached.contains("LOAD-DUPLICATE-ID"));
}

/// The example with planted problems (its findings show what a damaged cache would change).
fn gaps() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gaps")
}

/// Where `needle` starts in `haystack`.
fn occurrences(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    (0..haystack.len().saturating_sub(needle.len()))
        .filter(|&i| &haystack[i..i + needle.len()] == needle)
        .collect()
}

/// The kept compiled programs among the entries (src/evaluate/compiled.rs).
fn programs(cache: &Path) -> Vec<std::path::PathBuf> {
    files_under(cache)
        .into_iter()
        .filter(|p| std::fs::read(p).is_ok_and(|b| b.starts_with(b"OGPB")))
        .collect()
}

/// The compiled policy program is kept too: a run that reads it reports what a run that compiles
/// reports, and a damaged program (flipped bytes that may still decode, a truncated file) is
/// compiled again and written again.
#[test]
fn a_kept_program_changes_nothing_and_a_damaged_one_is_compiled_again() {
    let repo = repository();
    let cache = tempfile::tempdir().unwrap();
    let (_, uncached, _) = run(repo.path(), None, &[]);
    run(repo.path(), Some(cache.path()), &[]);
    let kept = programs(cache.path());
    assert_eq!(kept.len(), 1, "one program for the built-in policies");
    let whole = std::fs::read(&kept[0]).unwrap();
    let (_, warm, _) = run(repo.path(), Some(cache.path()), &[]);
    assert_eq!(warm, uncached);
    let mut flipped = whole.clone();
    let middle = flipped.len() / 2;
    flipped[middle..middle + 64]
        .iter_mut()
        .for_each(|b| *b ^= 0x20);
    for damaged in [flipped, whole[..whole.len() / 3].to_vec()] {
        std::fs::write(&kept[0], &damaged).unwrap();
        let (_, again, _) = run(repo.path(), Some(cache.path()), &[]);
        assert_eq!(again, uncached);
        assert_eq!(std::fs::read(&kept[0]).unwrap(), whole, "written again");
    }
}

/// One flipped bit inside a message of the program still decodes, into a program that reports
/// another message: the entry's own checksum is what turns it into a miss.
#[test]
fn a_kept_program_with_one_flipped_bit_in_a_message_is_not_used() {
    let gaps = gaps();
    let cache = tempfile::tempdir().unwrap();
    let (_, uncached, _) = run(&gaps, None, &[]);
    run(&gaps, Some(cache.path()), &[]);
    let kept = programs(cache.path());
    let whole = std::fs::read(&kept[0]).unwrap();
    let message = b"plan defines no trigger events";
    assert!(uncached.contains("plan defines no trigger events"));
    // Every copy (the program keeps the policies' text beside its literals).
    let at = occurrences(&whole, message);
    assert!(!at.is_empty(), "the message is a literal of the program");
    let mut flipped = whole.clone();
    at.iter().for_each(|&i| flipped[i] ^= 0x20); // `plan` → `Plan`
    std::fs::write(&kept[0], &flipped).unwrap();
    let (_, again, _) = run(&gaps, Some(cache.path()), &[]);
    assert!(again == uncached, "the damaged program was used");
}

/// Damage to a parse entry that still decodes (the typo REF-001 reports, "repaired" inside the
/// cached value) is a miss too: the file is parsed again and the finding stays.
#[test]
fn a_parse_entry_damaged_into_another_value_is_not_used() {
    let gaps = gaps();
    let cache = tempfile::tempdir().unwrap();
    let (_, uncached, _) = run(&gaps, None, &[]);
    assert!(uncached.contains("`ci-backup-vualt` does not exist"));
    run(&gaps, Some(cache.path()), &[]);
    let typo = b"ci-backup-vualt";
    let mut damaged = 0;
    for entry in entries(cache.path()) {
        let mut bytes = std::fs::read(&entry).unwrap();
        let at = occurrences(&bytes, typo);
        for i in &at {
            bytes[i + 11..i + 15].copy_from_slice(b"ault");
        }
        if !at.is_empty() {
            std::fs::write(&entry, &bytes).unwrap();
            damaged += 1;
        }
    }
    assert_eq!(damaged, 1, "the typo is in one cached file");
    let (_, again, _) = run(&gaps, Some(cache.path()), &[]);
    assert!(again == uncached, "the damaged entry was used");
}

fn walk_yaml(dir: &Path) -> usize {
    files_under(dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .count()
}

#[test]
fn corrupt_truncated_and_swapped_entries_are_misses() {
    let repo = repository();
    let cache = tempfile::tempdir().unwrap();
    let (_, uncached, _) = run(repo.path(), None, &[]);
    run(repo.path(), Some(cache.path()), &[]);
    let mut files = entries(cache.path());
    files.sort();
    assert!(files.len() > 4);
    // Garbage, a truncated entry, an empty file, and one file's entry in another's place.
    std::fs::write(&files[0], b"not an entry").unwrap();
    let second = std::fs::read(&files[1]).unwrap();
    std::fs::write(&files[1], &second[..second.len() / 2]).unwrap();
    std::fs::write(&files[2], b"").unwrap();
    std::fs::copy(&files[4], &files[3]).unwrap();
    let (_, warm, _) = run(repo.path(), Some(cache.path()), &[]);
    assert_eq!(warm, uncached);
    // The bad entries were written again.
    let (_, again, _) = run(repo.path(), Some(cache.path()), &[]);
    assert_eq!(again, uncached);
    assert_ne!(std::fs::read(&files[0]).unwrap(), b"not an entry");
}

/// An entry's file name is derived from the content, the path and the limits: the same content
/// under another name, or read with other limits, is parsed again (an artifact without an id is
/// known by its file and document).
#[test]
fn a_renamed_file_or_other_limits_do_not_reuse_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let body =
        "apiVersion: opsgate/v1\nkind: Service\nmetadata: {title: No id, owner: p-x}\nspec: {}\n";
    write(dir.path(), "a.yaml", body);
    let cache = tempfile::tempdir().unwrap();
    let (_, first, _) = run(dir.path(), Some(cache.path()), &[]);
    assert!(first.contains("\"a.yaml\""), "{first}");
    assert_eq!(entries(cache.path()).len(), 1);
    std::fs::rename(dir.path().join("a.yaml"), dir.path().join("b.yaml")).unwrap();
    let (_, renamed, _) = run(dir.path(), Some(cache.path()), &[]);
    assert!(
        renamed.contains("\"b.yaml\"") && !renamed.contains("a.yaml"),
        "{renamed}"
    );
    assert_eq!(entries(cache.path()).len(), 2);
    let mut cmd = opsgate();
    cmd.arg("check")
        .arg(dir.path())
        .args(["--as-of", AS_OF, "--max-documents", "5"]);
    cmd.arg("--cache-dir").arg(cache.path()).output().unwrap();
    assert_eq!(entries(cache.path()).len(), 3);
}

/// Whoever can write the cache decides what a file parses to: a directory other users may write,
/// or a symlink, is refused with a warning, and the run goes on without it.
#[cfg(unix)]
#[test]
fn a_cache_others_can_write_or_a_symlinked_one_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let repo = repository();
    let (_, uncached, _) = run(repo.path(), None, &[]);
    let open = tempfile::tempdir().unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let (_, out, err) = run(repo.path(), Some(open.path()), &[]);
    assert_eq!(out, uncached);
    assert!(err.contains("writable by its group or others"), "{err}");
    assert!(entries(open.path()).is_empty(), "nothing written into it");
    let real = tempfile::tempdir().unwrap();
    let link_parent = tempfile::tempdir().unwrap();
    let link = link_parent.path().join("cache");
    std::os::unix::fs::symlink(real.path(), &link).unwrap();
    let (_, out, err) = run(repo.path(), Some(&link), &[]);
    assert_eq!(out, uncached);
    assert!(err.contains("symbolic link"), "{err}");
    assert!(entries(real.path()).is_empty());
}

/// Without a directory named, the cache lives under the user's cache directory, private to them,
/// and a CI job (CI set) runs without one: CI caches are often restored from other branches' runs.
#[cfg(unix)]
#[test]
fn the_default_cache_is_private_and_off_in_ci() {
    use std::os::unix::fs::PermissionsExt as _;
    let repo = repository();
    let home = tempfile::tempdir().unwrap();
    let home_str = home.path().to_str().unwrap();
    let output = opsgate()
        .env_remove("OPSGATE_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", home_str)
        .env("CI", "true")
        .arg("check")
        .arg(repo.path())
        .args(["--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(!home.path().join(".cache").exists(), "no cache in CI");
    opsgate()
        .env_remove("OPSGATE_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("CI")
        .env("HOME", home_str)
        .arg("check")
        .arg(repo.path())
        .args(["--as-of", AS_OF])
        .output()
        .unwrap();
    let root = home.path().join(".cache/opsgate");
    let mode = std::fs::metadata(&root).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert!(!entries(&root).is_empty());
}

/// The git gates read blobs; the same content read from the index is a hit for the cache and
/// changes nothing either.
#[test]
fn the_staged_gate_reports_the_same_with_a_warm_cache() {
    let dir = acme_repo(&[], None);
    edit(
        dir.path(),
        "services/services.yaml",
        "owner: p-eva",
        "owner: p-nobody",
    );
    git(dir.path(), &["add", "-A"]);
    let cache = tempfile::tempdir().unwrap();
    let staged = |cache: Option<&Path>| staged_in(dir.path(), cache).1;
    let uncached = staged(None);
    assert!(uncached.contains("REF-001"), "{uncached}");
    assert_eq!(staged(Some(cache.path())), uncached);
    assert_eq!(staged(Some(cache.path())), uncached);
}

/// `opsgate check --staged --format json` in `dir` with the cache in `cache` (or none): exit code,
/// stdout and stderr.
fn staged_in(dir: &Path, cache: Option<&Path>) -> (i32, String, String) {
    let mut cmd = opsgate();
    cmd.current_dir(dir)
        .args(["check", "--staged", "--format", "json", "--as-of", AS_OF]);
    match cache {
        Some(c) => cmd.arg("--cache-dir").arg(c),
        None => cmd.arg("--no-cache"),
    };
    let output = cmd.output().expect("runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A git gate does not read a blob whose parse the cache holds under its id. The change re-points
/// a service's owner to another person of people.yaml, which the change leaves alone; then that
/// file's loose object is deleted. The warm gate reports what it reported before (the blob went
/// unread), while a gate without the cache cannot read people.yaml and finds the new owner missing.
#[test]
fn a_git_gate_does_not_read_a_blob_the_cache_knows() {
    let dir = acme_repo(&[], None);
    edit(
        dir.path(),
        "services/services.yaml",
        "owner: p-eva",
        "owner: p-ben",
    );
    git(dir.path(), &["add", "-A"]);
    let cache = tempfile::tempdir().unwrap();
    let warm = staged_in(dir.path(), Some(cache.path()));
    assert!(!warm.1.contains("p-ben"), "{}", warm.1);
    let blob = git(dir.path(), &["rev-parse", ":people/people.yaml"]);
    let blob = blob.trim();
    let object = dir
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).expect("a loose object");
    assert_eq!(staged_in(dir.path(), Some(cache.path())), warm);
    let (_, cold, _) = staged_in(dir.path(), None);
    assert!(
        cold.contains("REF-001") && cold.contains("p-ben"),
        "without the cache people.yaml is unreadable: {cold}"
    );
}

/// A blob's entry serves only its path (artifacts without an id are named after it) and its
/// limits: the same blob staged under a new name is parsed again and reported under that name.
#[test]
fn a_blob_entry_serves_only_its_path() {
    let body =
        "apiVersion: opsgate/v1\nkind: Service\nmetadata: {title: No id, owner: p-x}\nspec: {}\n";
    let dir = acme_repo(&[("old.yaml", body)], None);
    let cache = tempfile::tempdir().unwrap();
    let (_, first, _) = staged_in(dir.path(), Some(cache.path()));
    git(dir.path(), &["mv", "old.yaml", "new.yaml"]);
    let (_, renamed, _) = staged_in(dir.path(), Some(cache.path()));
    assert_eq!(renamed, staged_in(dir.path(), None).1);
    assert!(
        renamed.contains("new.yaml") && !renamed.contains("old.yaml"),
        "{first}\n{renamed}"
    );
}

/// `OPSGATE_NO_CACHE=1`, as the README writes it, turns the cache off (`0` or empty leaves it on);
/// it was once refused with "invalid value '1'".
#[test]
fn opsgate_no_cache_takes_one_and_zero() {
    let repo = repository();
    let cache = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(
        repo.path(),
        Some(cache.path()),
        &[("OPSGATE_NO_CACHE", "1")],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(files_under(cache.path()).is_empty(), "nothing cached");
    // Set but empty, as CI templates leave variables, is off too: the cache stays on.
    let (code, _, stderr) = run(repo.path(), Some(cache.path()), &[("OPSGATE_NO_CACHE", "")]);
    assert_eq!(code, 3, "{stderr}");
    assert!(!files_under(cache.path()).is_empty(), "cached");
    let (code, _, stderr) = run(
        repo.path(),
        Some(cache.path()),
        &[("OPSGATE_NO_CACHE", "0")],
    );
    assert_eq!(code, 3, "{stderr}");
}

/// A cache directory inside the checked repository (its work tree, however ignored, or its git
/// directory) is written by the change under review: one committed program file there switched
/// off most built-in rules. It is refused with a warning, before anything is created there, and
/// the run reports what a run without a cache reports.
#[test]
fn a_cache_inside_the_checked_repository_is_refused() {
    let repo = tempfile::tempdir().unwrap();
    copy_dir(&gaps(), repo.path());
    git(repo.path(), &["init", "-q"]);
    write(repo.path(), ".gitignore", ".og-cache/\n");
    let (_, uncached, _) = run(repo.path(), None, &[]);
    let inside = [
        repo.path().join(".og-cache"),
        repo.path().join("not/yet/there"),
        repo.path().join(".git/og-cache"),
        repo.path().join("services/../.og-cache"),
    ];
    for cache in &inside {
        let (_, out, stderr) = run(repo.path(), Some(cache), &[]);
        assert!(
            out == uncached,
            "{}: the findings of a run without a cache",
            cache.display()
        );
        assert!(
            stderr.contains("is inside the checked repository"),
            "{}: {stderr}",
            cache.display()
        );
        assert!(!cache.exists(), "{}: nothing created", cache.display());
    }
    // A relative one, from the repository's root, as a CI job would write it.
    let out = opsgate()
        .current_dir(repo.path())
        .args([
            "check",
            ".",
            "--format",
            "json",
            "--as-of",
            AS_OF,
            "--cache-dir",
            ".og-cache",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("is inside the checked repository"));
    assert!(!repo.path().join(".og-cache").exists());
}

/// Another policy set's program (the period report's, split by what bodies read) under this
/// set's digest, its checksum made to fit, is a miss: its entry points are not this set's.
#[test]
fn a_program_of_other_entry_points_under_this_digest_is_a_miss() {
    let repo = tempfile::tempdir().unwrap();
    copy_dir(&gaps(), repo.path());
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "-A"]);
    git_at(
        repo.path(),
        "Ann",
        "2026-10-01",
        &["commit", "-q", "-m", "gaps"],
    );
    let cache = tempfile::tempdir().unwrap();
    let (_, uncached, _) = run(repo.path(), None, &[]);
    run(repo.path(), Some(cache.path()), &[]);
    let check_program = programs(cache.path());
    assert_eq!(check_program.len(), 1);
    let period = opsgate()
        .arg("report")
        .arg(repo.path())
        .args(["--period", "2026-11-01..2026-11-24", "--format", "json"])
        .arg("--cache-dir")
        .arg(cache.path())
        .output()
        .unwrap();
    assert!(period.status.code().is_some());
    let period_program: Vec<_> = programs(cache.path())
        .into_iter()
        .filter(|p| *p != check_program[0])
        .collect();
    assert_eq!(
        period_program.len(),
        1,
        "the period report compiles its own program"
    );
    let theirs = std::fs::read(&period_program[0]).unwrap();
    let ours = std::fs::read(&check_program[0]).unwrap();
    // MAGIC (8) + digest (32) + the payload's SHA-256 (32) + payload.
    let payload = &theirs[72..];
    let mut forged = ours[..40].to_vec();
    forged.extend_from_slice(&sha256(payload));
    forged.extend_from_slice(payload);
    std::fs::write(&check_program[0], &forged).unwrap();
    let (_, again, _) = run(repo.path(), Some(cache.path()), &[]);
    assert!(
        again == uncached,
        "the period report's program was used for a check"
    );
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
