//! Bytes → the whole check of one file: load, schema validation and every built-in policy, as
//! `opsgate check` runs them. Nothing may panic, and every finding with a range lies inside the input.
#![no_main]

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use opsgate::check::{findings_of, CheckOptions, Scope};
use opsgate::evaluate::PolicySet;
use opsgate::validate::SchemaSet;

mod invariants;

/// Compiled once per process: compiling is the same for every input and costs far more than a check.
struct Compiled {
    schemas: SchemaSet,
    policies: PolicySet,
    options: CheckOptions,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let timeout = Duration::from_secs(5);
        Compiled {
            schemas: SchemaSet::compile().expect("built-in schemas compile"),
            policies: PolicySet::load(&[], timeout).expect("built-in policies load"),
            options: CheckOptions::new(invariants::DISPLAY, "2026-11-24"),
        }
    })
}

fuzz_target!(
    init: {
        compiled();
    },
    |bytes: &[u8]| {
        let compiled = compiled();
        let loaded = invariants::load(bytes);
        let input = invariants::Input::new(bytes);
        if loaded.workspace.artifacts.is_empty() {
            // Nothing to validate or evaluate: the policy stage would only rebuild its indexes over
            // an empty inventory (the same work for every such input, ~0.25 s under the sanitizer),
            // which would cut the executions per second in half for nothing.
            input.check_findings(&loaded.findings);
            input.check_workspace(&loaded.workspace);
            return;
        }
        let (findings, policy_errors) = findings_of(
            &loaded.workspace,
            loaded.findings,
            &compiled.schemas,
            &compiled.policies,
            &compiled.options,
            Scope::default(),
        );
        input.check_findings(&findings);
        input.check_workspace(&loaded.workspace);
        report_policy_errors(&policy_errors);
    }
);

/// A built-in policy that fails on some input makes `opsgate check` exit 4 for that repository:
/// a bug, found like a crash (and minimised with `cargo fuzz tmin`). With
/// `OPSGATE_FUZZ_POLICY_ERRORS=log` each distinct error is printed once instead, so fuzzing can
/// go on while one is being fixed.
fn report_policy_errors(errors: &[opsgate::evaluate::PolicyError]) {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    static PANIC: OnceLock<bool> = OnceLock::new();
    if errors.is_empty() {
        return;
    }
    let panic = *PANIC
        .get_or_init(|| std::env::var("OPSGATE_FUZZ_POLICY_ERRORS").map_or(true, |v| v != "log"));
    for error in errors {
        let place = format!(
            "{}:{}:{}",
            error.file.as_deref().unwrap_or("-"),
            error.line,
            error.column
        );
        if panic {
            panic!("policy error at {place}: {}", error.message);
        }
        let key = format!(
            "{place} {}",
            error.message.chars().take(80).collect::<String>()
        );
        let mut seen = SEEN
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if seen.len() < 200 && seen.insert(key) {
            eprintln!("opsgate-fuzz: policy error at {place}: {}", error.message);
        }
    }
}
