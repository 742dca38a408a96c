//! The compiled engine: regorus's register VM (feature `rvm`) for the `deny` rules of the packages
//! proven to behave like the interpreter.
//!
//! The VM is ~4× faster than the tree-walking interpreter but not the same language: on hostile
//! inputs it silently differs (see docs/engine-differences.md). So a package's `deny` runs compiled
//! only when (1) it is on [`PROVEN`], the list the differential test (tests/differential.rs)
//! reviews — the test fails when a listed package differs from the interpreter or from OPA, or when
//! an unlisted one stops differing, so the list cannot rot either way — and (2) it compiles.
//! Everything else, and every team policy, stays on the interpreter.
//!
//! Conflicts: where the interpreter reports a conflict (a complete rule or function with two
//! values) as an error, the VM answers undefined. [`CompiledDeny::run`] therefore hands back
//! nothing but a well-formed set: an error or an undefined `deny` (what a conflict in a rule the
//! whole set depends on gives) is re-evaluated by the caller on the interpreter, which reports the
//! conflict as it always did. A conflict inside one body only drops that body's finding in the VM;
//! there the differential test is the guard: the interpreter's conflict error against the VM's set
//! is a difference, which fails the test for a package on [`PROVEN`]. (No mutation so far reached
//! one; whether a function with several definitions can ever give two values is not checked
//! statically.)

use std::sync::{Arc, OnceLock};

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::DeserializationResult;
use sha2::{Digest, Sha256};

use crate::load::cache::ParseCache;
use regorus::rvm::program::Program;
use regorus::rvm::vm::RegoVM;
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Rc, Value};

/// Built-in packages whose `deny` runs compiled: the differential test showed no difference on
/// them. Kept sorted; the test names the packages to add or remove. Not here: `change_control`
/// (diff mode only, never probed). `references` compiles without its walk fallback ([`compilable`]).
pub const PROVEN: &[&str] = &[
    "data.opsgate.rules.availability",
    "data.opsgate.rules.business_cycles",
    "data.opsgate.rules.capacity",
    "data.opsgate.rules.change",
    "data.opsgate.rules.configuration",
    "data.opsgate.rules.continuity",
    "data.opsgate.rules.control_csc2",
    "data.opsgate.rules.cross_process",
    "data.opsgate.rules.document_control",
    "data.opsgate.rules.improvement",
    "data.opsgate.rules.incident",
    "data.opsgate.rules.information_security",
    "data.opsgate.rules.management_system",
    "data.opsgate.rules.placeholders",
    "data.opsgate.rules.problem",
    "data.opsgate.rules.problem_management",
    "data.opsgate.rules.references",
    "data.opsgate.rules.release",
    "data.opsgate.rules.risk_acceptance",
    "data.opsgate.rules.service_level",
];

/// The compiled `deny` rules of one policy set.
pub struct CompiledDeny {
    program: Arc<Program>,
    /// For each package of the policy set (same order), the rules (`deny`, and `deny_dated` of a
    /// package the period report split) that run compiled: none when the package does not.
    entries: Vec<Vec<(&'static str, String)>>,
    /// For each package: it was compiled from [`compilable`] text.
    assumes_references: Vec<bool>,
    timer: Option<ExecutionTimerConfig>,
}

/// Where compiled programs are kept between runs: the parse cache, when this run has one.
static KEPT: OnceLock<&'static ParseCache> = OnceLock::new();

/// Keeps compiled programs in `cache` from now on (the command line calls this once it has opened
/// the parse cache): compiling the built-in policies costs ~80 ms of each run, reading the program
/// back ~5 ms. The cache's trust (README "Trust model") covers what it holds: whoever can write it
/// decides what a file parses to, and what a policy compiles to.
pub fn keep_programs_in(cache: &'static ParseCache) {
    let _ = KEPT.set(cache);
}

/// What a compiled program is made from, hashed: the texts the compiler reads (after
/// [`compilable`]), in load order, and the entries it compiles. The cache's directory names the
/// build (`OPSGATE_PARSER_ID` covers the locked regorus), so a program of another compiler is
/// never read.
fn program_digest(texts: &[(String, String)], packages: &[&Candidate<'_>]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"opsgate compiled program\0");
    for (package, text) in texts {
        let compiled = compilable(text);
        for part in [package.as_str(), compiled.as_deref().unwrap_or(text)] {
            hasher.update(part.len().to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    for package in packages {
        hasher.update([u8::from(package.assumes_references)]);
        for entry in package.entries() {
            hasher.update(entry.len().to_le_bytes());
            hasher.update(entry.as_bytes());
        }
    }
    hasher.finalize().into()
}

/// A kept program: which of the admitted packages compiled, and the program's bytes.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    runs: Vec<bool>,
    program: Vec<u8>,
}

/// The entry point of a package's findings.
pub fn deny_rule(package: &str) -> String {
    format!("{package}.deny")
}

/// Compiles the `deny` rules of `packages` (paths such as `data.opsgate.rules.change`) into one
/// program; the compiler's error when one of them does not compile.
pub fn compile(engine: &Engine, packages: &[&str]) -> Result<Arc<Program>, String> {
    let entries: Vec<String> = packages.iter().map(|p| deny_rule(p)).collect();
    compile_entries(engine, &entries)
}

/// Compiles the rules named by `entries` (paths such as `data.opsgate.rules.change.deny`) into
/// one program.
fn compile_entries(engine: &Engine, entries: &[String]) -> Result<Arc<Program>, String> {
    let first = entries.first().ok_or("no package to compile")?;
    // Compiling prepares the engine: work on a clone so the caller's stays as it was.
    let mut engine = engine.clone();
    let policy = engine
        .compile_with_entrypoint(&Rc::from(first.as_str()))
        .map_err(|e| e.to_string())?;
    let names: Vec<&str> = entries.iter().map(String::as_str).collect();
    Compiler::compile_from_policy(&policy, &names).map_err(|e| e.to_string())
}

/// A package of the policy set as the compiled engine sees it: its path and the `deny` rules it
/// has (a package the period report split has `deny_dated` too, or only that).
pub struct Candidate<'a> {
    pub path: &'a str,
    pub rules: Vec<&'static str>,
    /// Compiled from [`compilable`] text: it runs only on inputs with `unresolved_references`.
    pub assumes_references: bool,
}

/// What marks a rule that walks the document itself: opsgate resolves references natively and
/// passes `input.unresolved_references`; other engines (OPA, conftest, `opsgate graph`) walk.
const WALK_FALLBACK: [&str; 2] = ["not input.unresolved_references", "walk("];

/// The text the compiler gets for a policy: a top-level rule whose body walks the document only
/// when `input.unresolved_references` is absent is blanked (the RVM compiler has no `walk` loops),
/// lines kept so locations stay. Sound because such a body is false on every input that has the
/// field, and the VM runs the package only on those ([`CompiledDeny::run`]). `None`: the text
/// compiles as written.
pub fn compilable(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .chain([lines.len()])
        .collect();
    let mut blanked = vec![false; lines.len()];
    for pair in starts.windows(2) {
        let block: String = lines[pair[0]..pair[1]].concat();
        if WALK_FALLBACK.iter().all(|mark| block.contains(mark)) {
            blanked[pair[0]..pair[1]].fill(true);
        }
    }
    blanked.contains(&true).then(|| {
        lines
            .iter()
            .zip(&blanked)
            .map(|(line, blank)| match blank {
                true => "\n",
                false => line,
            })
            .collect()
    })
}

impl Candidate<'_> {
    fn entries(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|rule| format!("{}.{rule}", self.path))
            .collect()
    }
}

impl CompiledDeny {
    /// The compiled engine for those of `packages` (in policy-set order) that `admit` accepts and
    /// that compile; `None` when there are none. A package that does not compile is left to the
    /// interpreter rather than failing the load: the interpreter is the reference.
    ///
    /// Splitting a package for the period report renames some `deny` bodies `deny_dated` and
    /// changes nothing else, so a package proven as written runs compiled split as well: each body
    /// is compiled as it was, the union of the two rules is the `deny` the test compared.
    pub fn build(
        engine: &Engine,
        packages: &[Candidate<'_>],
        admit: impl Fn(&str) -> bool,
        timer: Option<ExecutionTimerConfig>,
    ) -> Option<CompiledDeny> {
        let wanted: Vec<&Candidate<'_>> = packages
            .iter()
            .filter(|p| admit(p.path) && !p.rules.is_empty())
            .collect();
        let all = |list: &[&Candidate<'_>]| -> Vec<String> {
            list.iter().flat_map(|p| p.entries()).collect()
        };
        // Compiling takes ~1 s: once when everything compiles, package by package only to find
        // which do not.
        let (program, compiled) = match compile_entries(engine, &all(&wanted)) {
            Ok(program) => (program, wanted),
            Err(_) => {
                let compiled: Vec<&Candidate<'_>> = wanted
                    .into_iter()
                    .filter(|p| compile_entries(engine, &p.entries()).is_ok())
                    .collect();
                (compile_entries(engine, &all(&compiled)).ok()?, compiled)
            }
        };
        let runs = |path: &str| compiled.iter().any(|p| p.path == path);
        Some(CompiledDeny::of(packages, program, runs, timer))
    }

    /// [`CompiledDeny::build`], read from the kept programs when this set of texts and entries was
    /// compiled before; `engine` (the engine the compiler reads) is made only when it was not.
    pub fn kept_or_build(
        texts: &[(String, String)],
        packages: &[Candidate<'_>],
        admit: impl Fn(&str) -> bool,
        timer: Option<ExecutionTimerConfig>,
        engine: impl FnOnce() -> Option<Engine>,
    ) -> Option<CompiledDeny> {
        let Some(store) = KEPT.get() else {
            return CompiledDeny::build(&engine()?, packages, admit, timer);
        };
        let admitted: Vec<&Candidate<'_>> = packages
            .iter()
            .filter(|p| admit(p.path) && !p.rules.is_empty())
            .collect();
        let digest = program_digest(texts, &admitted);
        if let Some(kept) = store
            .get_bytes(&digest)
            .and_then(|b| read_kept(&b, &admitted))
        {
            return Some(CompiledDeny::of(
                packages,
                kept.0,
                |p| kept.1.contains(&p),
                timer,
            ));
        }
        let built = CompiledDeny::build(&engine()?, packages, admit, timer)?;
        if let Ok(program) = built.program.serialize_binary() {
            let runs = admitted.iter().map(|p| built.runs_path(packages, p.path));
            let kept = Kept {
                runs: runs.collect(),
                program,
            };
            if let Ok(bytes) = postcard::to_stdvec(&kept) {
                store.put_bytes(&digest, &bytes);
            }
        }
        Some(built)
    }

    /// The compiled engine over `program`, for the packages `runs` names.
    fn of(
        packages: &[Candidate<'_>],
        program: Arc<Program>,
        runs: impl Fn(&str) -> bool,
        timer: Option<ExecutionTimerConfig>,
    ) -> CompiledDeny {
        let entries = packages
            .iter()
            .map(|p| match runs(p.path) {
                true => p.rules.iter().copied().zip(p.entries()).collect(),
                false => Vec::new(),
            })
            .collect();
        CompiledDeny {
            program,
            entries,
            assumes_references: packages.iter().map(|p| p.assumes_references).collect(),
            timer,
        }
    }

    fn runs_path(&self, packages: &[Candidate<'_>], path: &str) -> bool {
        packages
            .iter()
            .position(|p| p.path == path)
            .is_some_and(|index| self.runs(index))
    }

    /// Whether package number `index` of the policy set runs compiled.
    pub fn runs(&self, index: usize) -> bool {
        self.entries.get(index).is_some_and(|e| !e.is_empty())
    }

    /// A VM for one worker thread, over the run's `data` (inventory, params, indexes).
    pub fn vm(&self, data: &Value) -> Result<RegoVM, String> {
        new_vm(&self.program, data, self.timer)
    }

    /// The findings of package `index`'s `rule` on the VM's current input: `None` when it does not
    /// run compiled or when the VM gives an error or anything but a set (see the module docs: the
    /// caller then asks the interpreter, as for a package compiled without its walk fallback when
    /// the input has no `unresolved_references`).
    pub fn run(
        &self,
        vm: &mut RegoVM,
        index: usize,
        rule: &str,
        has_references: bool,
    ) -> Option<Value> {
        if !has_references && self.assumes_references.get(index).copied().unwrap_or(true) {
            return None;
        }
        let (_, entry) = self.entries.get(index)?.iter().find(|(r, _)| *r == rule)?;
        run_entry(vm, entry).ok().flatten()
    }
}

/// A kept program and the paths of the packages it runs; `None` when it does not decode whole
/// (then the policies are compiled again).
fn read_kept<'p>(
    bytes: &[u8],
    admitted: &[&Candidate<'p>],
) -> Option<(Arc<Program>, Vec<&'p str>)> {
    let kept: Kept = postcard::from_bytes(bytes).ok()?;
    if kept.runs.len() != admitted.len() {
        return None;
    }
    let program = match Program::deserialize_binary(&kept.program).ok()? {
        DeserializationResult::Complete(program) if !program.needs_recompilation => program,
        _ => return None,
    };
    let runs: Vec<&Candidate<'p>> = admitted
        .iter()
        .zip(&kept.runs)
        .filter(|(_, runs)| **runs)
        .map(|(p, _)| *p)
        .collect();
    // The program of another policy set (another build's, the period report's split one) under
    // this digest has other entry points: a miss, not the wrong rules.
    let expected: std::collections::BTreeSet<String> =
        runs.iter().flat_map(|p| p.entries()).collect();
    let has: std::collections::BTreeSet<String> = program.entry_points.keys().cloned().collect();
    if has != expected {
        return None;
    }
    Some((Arc::new(program), runs.iter().map(|p| p.path).collect()))
}

/// A program of the VM's own, not shared with the other threads' VMs: the VM takes a reference to
/// its program on every rule call and drops it on return, and on one shared `Arc` those atomic
/// updates from two cores fight over one cache line (18 % of the VM's own time in a 10k check,
/// `perf`). The copy's tables are its own; its literals still share their text.
fn own_copy(program: &Arc<Program>) -> Arc<Program> {
    Arc::new(Program::clone(program))
}

/// A VM with the interpreter's settings: builtin errors make an expression undefined (OPA's
/// default, as [`super::PolicySet::load`] sets), the policy time limit, and no instruction limit of
/// its own (the default of 25,000 instructions stops ordinary artifacts; the time limit bounds it).
pub fn new_vm(
    program: &Arc<Program>,
    data: &Value,
    timer: Option<ExecutionTimerConfig>,
) -> Result<RegoVM, String> {
    let mut vm = RegoVM::new();
    vm.load_program(own_copy(program));
    vm.set_strict_builtin_errors(false);
    vm.set_max_instructions(usize::MAX);
    vm.set_execution_timer_config(timer);
    vm.set_data(data.clone()).map_err(|e| e.to_string())?;
    Ok(vm)
}

/// Runs one entry point: `Ok(None)` when it is not a set (undefined: a possible conflict).
pub fn run_entry(vm: &mut RegoVM, entry: &str) -> Result<Option<Value>, String> {
    let value = vm
        .execute_entry_point_by_name(entry)
        .map_err(|e| e.to_string())?;
    Ok(matches!(value, Value::Set(_)).then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(policy: &str) -> Engine {
        let mut engine = Engine::new();
        engine.set_strict_builtin_errors(false);
        engine
            .add_policy("t.rego".to_owned(), policy.to_owned())
            .expect("policy parses");
        engine
    }

    fn t() -> [Candidate<'static>; 1] {
        [Candidate {
            path: "data.t",
            rules: vec!["deny"],
            assumes_references: false,
        }]
    }

    fn compiled(engine: &Engine) -> (CompiledDeny, RegoVM) {
        let deny = CompiledDeny::build(engine, &t(), |_| true, None).expect("compiles");
        let vm = deny.vm(&Value::new_object()).expect("a VM");
        (deny, vm)
    }

    /// The compiled engine gives the interpreter's findings.
    #[test]
    fn a_compiled_deny_gives_the_interpreters_set() {
        let mut engine =
            engine("package t\nimport rego.v1\ndeny contains x if { some x in input.xs; x > 1 }\n");
        let (deny, mut vm) = compiled(&engine);
        let input = Value::from_json_str(r#"{"xs": [1, 2, 3]}"#).expect("json");
        vm.set_input(input.clone());
        engine.set_input(input);
        let expected = engine
            .eval_rule("data.t.deny".to_owned())
            .expect("evaluates");
        assert_eq!(deny.run(&mut vm, 0, "deny", false), Some(expected));
    }

    /// A conflict the whole set depends on: the VM says undefined, so `run` hands the package back
    /// to the interpreter (which reports the conflict) instead of returning no findings.
    #[test]
    fn a_conflict_goes_back_to_the_interpreter() {
        let policy = "package t\nimport rego.v1\nv := 1 if input.a\nv := 2 if input.b\n\
                      deny := {v}\n";
        let mut engine = engine(policy);
        let (deny, mut vm) = compiled(&engine);
        let input = Value::from_json_str(r#"{"a": true, "b": true}"#).expect("json");
        vm.set_input(input.clone());
        engine.set_input(input);
        assert_eq!(deny.run(&mut vm, 0, "deny", false), None);
        assert!(engine.eval_rule("data.t.deny".to_owned()).is_err());
    }

    /// A package that does not compile is left out, not an error.
    #[test]
    fn a_package_that_does_not_compile_stays_on_the_interpreter() {
        let engine = engine("package t\nimport rego.v1\ndeny contains p if walk(input, [p, _])\n");
        assert!(CompiledDeny::build(&engine, &t(), |_| true, None).is_none());
    }
}

/// The differences of docs/engine-differences.md, pinned: when a regorus upgrade changes one, this
/// fails, and the document and [`PROVEN`] are reviewed again.
#[cfg(test)]
mod documented_differences {
    use super::*;

    /// (interpreter, VM) results of `data.t.p`, as JSON text or the first line of the error.
    fn both(policy: &str, input: &str) -> (String, String) {
        let rule = "data.t.p";
        let mut engine = Engine::new();
        engine.set_strict_builtin_errors(false);
        let policy = format!("package t\nimport rego.v1\n{policy}\n");
        engine
            .add_policy("t.rego".to_owned(), policy)
            .expect("parses");
        let input = Value::from_json_str(input).expect("json");
        engine.set_input(input.clone());
        let shown = |r: Result<Value, String>| match r {
            Ok(v) => v
                .to_json_str()
                .unwrap_or_default()
                .split_whitespace()
                .collect(),
            Err(e) => e.lines().last().unwrap_or_default().to_owned(),
        };
        let interpreter = shown(engine.eval_rule(rule.to_owned()).map_err(|e| e.to_string()));
        let vm = (|| {
            let mut e = engine.clone();
            let policy = e
                .compile_with_entrypoint(&Rc::from(rule))
                .map_err(|e| e.to_string())?;
            let program =
                Compiler::compile_from_policy(&policy, &[rule]).map_err(|e| e.to_string())?;
            let mut vm = new_vm(&program, &Value::new_object(), None)?;
            vm.set_input(input);
            vm.execute_entry_point_by_name(rule)
                .map_err(|e| e.to_string())
        })();
        (interpreter, shown(vm))
    }

    fn check(policy: &str, input: &str, interpreter: &str, vm: &str) {
        assert_eq!(
            both(policy, input),
            (interpreter.to_owned(), vm.to_owned()),
            "{policy}"
        );
    }

    #[test]
    fn multi_value_rules_come_back_flat() {
        check(
            "m[k] contains v if { some k, v in input.o }\np := m",
            r#"{"o": {"a": 1, "b": 2}}"#,
            r#"{"a":[1],"b":[2]}"#,
            "[1,2]",
        );
    }

    #[test]
    fn an_unused_assignment_of_undefined_does_not_fail_the_body() {
        check(
            "p contains 1 if { x := input.a.b }",
            r#"{"a": {}}"#,
            "[]",
            "[1]",
        );
    }

    #[test]
    fn an_undefined_variable_used_only_under_not_passes() {
        check(
            "f(x) := true if x.ok\np contains 1 if { x := input.missing; not f(x) }",
            "{}",
            "[]",
            "[1]",
        );
    }

    #[test]
    fn an_else_whose_value_is_undefined_is_taken() {
        let policy =
            "v := \"a\" if input.never\nelse := m if { m := input.missing }\nelse := \"c\"\np := v";
        check(policy, "{}", "\"c\"", "\"<undefined>\"");
    }

    #[test]
    fn an_array_comprehension_of_an_undefined_value_has_one_element() {
        check(
            "p := [x | x := input.missing]",
            "{}",
            "[]",
            r#"["<undefined>"]"#,
        );
    }

    /// Inside a loop too; a later use of the variable (`is_number(x)`) restores the interpreter's
    /// answer, the form policies run compiled must use (tests/differential.rs checks it).
    #[test]
    fn an_undefined_comprehension_head_becomes_an_element() {
        let f = "f(y) := 1 if y == 1\n";
        let input = r#"{"ys": [1, 2]}"#;
        check(
            &format!("{f}p := [x | some y in input.ys; x := f(y)]"),
            input,
            "[1]",
            r#"[1,"<undefined>"]"#,
        );
        check(
            &format!("{f}p := [x | some y in input.ys; x := f(y); is_number(x)]"),
            input,
            "[1]",
            "[1]",
        );
        check(
            &format!("{f}p := {{x | some y in input.ys; x := f(y)}}"),
            input,
            "[1]",
            "[1]",
        );
    }

    #[test]
    fn a_conflict_is_undefined_instead_of_an_error() {
        check(
            "v := 1 if input.a\nv := 2 if input.b\np contains 1 if v",
            r#"{"a": true, "b": true}"#,
            "error: rule conflicts with rule at t.rego:3:1",
            "[]",
        );
        check(
            "f(x) := 1 if x > 0\nf(x) := 2 if x > 1\np contains y if { y := f(input.n) }",
            r#"{"n": 5}"#,
            "error: functions must not produce multiple outputs for same inputs",
            "[]",
        );
    }

    #[test]
    fn iterating_a_string_is_an_error_only_in_the_interpreter() {
        check("p contains i if { some i, o in input.xs; ys := [y | some y in o.l; y > 1]; count(ys) == 0 }",
              r#"{"xs": [{"l": [1]}, {"l": [5]}, {"l": "s"}]}"#,
              "error: `some .. in collection` expects array/set/object. Got `\"s\"`", "[0,2]");
    }

    #[test]
    fn walk_does_not_compile() {
        let (_, vm) = both("p contains x if walk(input, [x, _])", "{}");
        assert!(vm.contains("walk loops are not yet supported"), "{vm}");
    }

    /// The walk fallback is blanked, lines kept, and nothing else; a text without one is `None`.
    #[test]
    fn compilable_text_blanks_only_the_walk_fallback() {
        let text = "package t\n\nimport rego.v1\n\n\
            refs contains r if {\n\tsome r in input.unresolved_references\n}\n\n\
            refs contains id if {\n\tnot input.unresolved_references\n\twalk(input.artifact, [_, id])\n}\n\n\
            deny contains r if {\n\tsome r in refs\n}\n";
        let compiled = compilable(text).expect("a walk fallback");
        assert_eq!(compiled.lines().count(), text.lines().count());
        assert!(!compiled.contains("walk("));
        assert!(compiled.contains("some r in input.unresolved_references"));
        assert!(compiled.contains("deny contains r if {\n\tsome r in refs\n}"));
        assert_eq!(compilable("package t\n\nx := walk\n"), None);
        let mut engine = Engine::new();
        engine
            .add_policy("t.rego".to_owned(), compiled.clone())
            .expect("policy parses");
        let (deny, mut vm) = {
            let candidates = [Candidate {
                path: "data.t",
                rules: vec!["deny"],
                assumes_references: true,
            }];
            let deny = CompiledDeny::build(&engine, &candidates, |_| true, None).expect("compiles");
            let vm = deny.vm(&Value::new_object()).expect("a VM");
            (deny, vm)
        };
        let input = Value::from_json_str(r#"{"unresolved_references": ["x"]}"#).expect("json");
        vm.set_input(input.clone());
        engine.set_input(input);
        let expected = engine
            .eval_rule("data.t.deny".to_owned())
            .expect("evaluates");
        assert_eq!(deny.run(&mut vm, 0, "deny", true), Some(expected));
        // Without the field the package goes back to the interpreter, which walks.
        assert_eq!(deny.run(&mut vm, 0, "deny", false), None);
    }
}
