//! The differential test: the regorus interpreter (the reference), the compiled engine (regorus's
//! RVM) and the real Open Policy Agent over mutated copies of the example repository
//! (fixtures/acme, what `opsgate init --example` writes).
//!
//! Each copy carries exactly one mutation of one artifact: a field dropped, retyped (string, number,
//! list, object, null), re-dated (past, future, invalid) or, for a reference, pointed at nothing or
//! at an artifact of another kind. Every copy goes through the real pipeline (load, schema, the
//! ill-typed values withheld, the indexes) and each (artifact, package) evaluation `opsgate check`
//! would make is replayed on the three engines.
//!
//! What fails the test: any difference between the interpreter and OPA, and any difference between
//! the interpreter and the compiled engine in a package on `compiled::PROVEN` (those run compiled
//! in `opsgate check`). Differences in the other packages are printed (they are why those packages
//! stay on the interpreter), as are the packages that compiled without a difference (candidates).
//! Each difference is printed once per package and kind, with its smallest reproducing input.
//!
//! Size: a seeded sample of `OPSGATE_DIFF_MUTATIONS` mutations (default below; `all` for every
//! one), seed `OPSGATE_DIFF_SEED`, of those whose pointer contains `OPSGATE_DIFF_ONLY` if set. OPA is the Python wheel scripts/peers.sh installs
//! (`OPSGATE_OPA_PYTHON`); without it the test fails and says how to install it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use opsgate::evaluate::compiled::{self, PROVEN};
use opsgate::evaluate::{Context, PolicySet};
use opsgate::load::{load_path, LoadLimits, PathFilter};
use opsgate::validate::SchemaSet;
use serde_json::{json, Value};

/// Mutations evaluated by default: sized for under two minutes in a debug build on two cores.
const DEFAULT_SAMPLE: usize = 150;
const DEFAULT_SEED: u64 = 20;

/// What one mutation does at its pointer.
#[derive(Clone, Debug)]
enum Change {
    /// The example as shipped: the one copy OPA evaluates in full.
    Nothing,
    Drop,
    Set(Value),
}

#[derive(Clone, Debug)]
struct Mutation {
    artifact: usize,
    pointer: String,
    label: &'static str,
    change: Change,
}

/// An engine's answer for one evaluation; errors compare equal whatever their text.
#[derive(Clone, Debug)]
enum Outcome {
    Set(Vec<Value>),
    Undefined,
    Error(String),
}

impl PartialEq for Outcome {
    fn eq(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Set(a), Outcome::Set(b)) => a == b,
            (Outcome::Undefined, Outcome::Undefined) => true,
            (Outcome::Error(_), Outcome::Error(_)) => true,
            _ => false,
        }
    }
}

impl Outcome {
    fn of_findings(value: &Value) -> Outcome {
        match value {
            Value::Array(items) => {
                let mut items = items.clone();
                items.sort_by_key(|v| v.to_string());
                Outcome::Set(items)
            }
            _ => Outcome::Undefined,
        }
    }

    fn codes(&self) -> BTreeSet<String> {
        match self {
            Outcome::Set(items) => items
                .iter()
                .filter_map(|f| f["code"].as_str().map(str::to_owned))
                .collect(),
            _ => BTreeSet::new(),
        }
    }
}

/// One evaluation of one copy, with each engine's answer.
struct Case {
    copy: usize,
    artifact: String,
    package: String,
    interpreter: Outcome,
    compiled: Option<Outcome>,
    opa: Option<Outcome>,
    /// Its position among the copy's cases sent to OPA, if it was sent.
    opa_slot: Option<usize>,
}

/// One copy: its mutation, the mutated artifact and what OPA needs to replay it.
struct Copy {
    mutation: Mutation,
    artifact: Value,
    inventory: Value,
    cases: Vec<Value>,
}

#[test]
fn interpreter_compiled_engine_and_opa_agree_on_mutated_artifacts() {
    let opa_python = opa_python();
    let base = base_artifacts();
    let all: Vec<Mutation> = mutations(&base)
        .into_iter()
        .filter(|m| only().is_none_or(|only| m.pointer.contains(&only)))
        .collect();
    let chosen = sample(&all, sample_size(all.len()), seed());
    let started = std::time::Instant::now();
    let policies = PolicySet::load(&[], Duration::ZERO).expect("built-in policies load");
    let schemas = SchemaSet::compile().expect("schemas compile");
    let programs = ProgramSet::new(&policies, &schemas, &base);
    let mut copies = Vec::new();
    let mut cases = Vec::new();
    let unmutated = Mutation {
        artifact: 0,
        pointer: "/metadata".to_owned(),
        label: "unmutated",
        change: Change::Nothing,
    };
    for mutation in std::iter::once(&unmutated).chain(&chosen) {
        let index = copies.len();
        let (copy, replayed) =
            evaluate_copy(index, mutation, &base, &policies, &schemas, &programs);
        copies.push(copy);
        cases.extend(replayed);
    }
    eprintln!(
        "differential: {} of {} mutations, {} evaluations, in-process engines {:.1?}",
        chosen.len(),
        all.len(),
        cases.len(),
        started.elapsed()
    );
    let started = std::time::Instant::now();
    add_opa_outcomes(&opa_python, &copies, &mut cases);
    eprintln!("differential: OPA {:.1?}", started.elapsed());
    let failures = report(&copies, &cases, &programs);
    assert!(
        failures.is_empty(),
        "{} engine difference(s) that must not exist (see above):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn sample_size(total: usize) -> usize {
    match std::env::var("OPSGATE_DIFF_MUTATIONS").as_deref() {
        Ok("all") => total,
        Ok(n) => n
            .parse()
            .expect("OPSGATE_DIFF_MUTATIONS is a number or `all`"),
        Err(_) => DEFAULT_SAMPLE.min(total),
    }
}

/// `OPSGATE_DIFF_ONLY`: only the mutations whose pointer contains this text (to re-check a fix).
fn only() -> Option<String> {
    std::env::var("OPSGATE_DIFF_ONLY").ok()
}

fn seed() -> u64 {
    std::env::var("OPSGATE_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

/// The example repository's artifacts, in load order.
fn base_artifacts() -> Vec<Value> {
    let loaded = load_path(
        &common::acme(),
        LoadLimits::default(),
        &PathFilter::default(),
    );
    assert!(loaded.workspace.artifacts.len() > 20, "the example loads");
    loaded
        .workspace
        .artifacts
        .iter()
        .map(|a| (*a.value).clone())
        .collect()
}

// --- The generator -------------------------------------------------------------------------------

/// Every mutation of every field of every artifact, in a fixed order.
fn mutations(base: &[Value]) -> Vec<Mutation> {
    let ids = ids_by_kind(base);
    let mut out = Vec::new();
    for (index, artifact) in base.iter().enumerate() {
        let mut fields = Vec::new();
        fields_of(artifact, String::new(), &mut fields);
        for (pointer, value) in fields {
            for (label, change) in changes_of(value, &ids, kind_of(artifact)) {
                out.push(Mutation {
                    artifact: index,
                    pointer: pointer.clone(),
                    label,
                    change,
                });
            }
        }
    }
    out
}

/// Every field below the root as (JSON pointer, value); `apiVersion` and `kind` are left alone
/// (without them a document is not an artifact, and nothing is evaluated).
fn fields_of<'v>(value: &'v Value, pointer: String, out: &mut Vec<(String, &'v Value)>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (escape(k), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (key, child) in children {
        let child_pointer = format!("{pointer}/{key}");
        if child_pointer != "/apiVersion" && child_pointer != "/kind" {
            out.push((child_pointer.clone(), child));
            fields_of(child, child_pointer, out);
        }
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn kind_of(artifact: &Value) -> &str {
    artifact["kind"].as_str().unwrap_or_default()
}

fn ids_by_kind(base: &[Value]) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    for artifact in base {
        if let Some(id) = artifact["metadata"]["id"].as_str() {
            ids.insert(id.to_owned(), kind_of(artifact).to_owned());
        }
    }
    ids
}

/// The mutations of one field: dropped, retyped, and re-dated or re-pointed where it is a date or
/// a reference.
fn changes_of(
    value: &Value,
    ids: &BTreeMap<String, String>,
    own_kind: &str,
) -> Vec<(&'static str, Change)> {
    let mut out = vec![("dropped", Change::Drop)];
    let retypes = [
        ("retyped to a string", json!("retyped")),
        ("retyped to a number", json!(7)),
        ("retyped to a list", json!(["retyped"])),
        ("retyped to an object", json!({"retyped": 1})),
        ("retyped to null", Value::Null),
    ];
    for (label, new) in retypes {
        if std::mem::discriminant(&new) != std::mem::discriminant(value) {
            out.push((label, Change::Set(new)));
        }
    }
    let Some(text) = value.as_str() else {
        return out;
    };
    if looks_like_date(text) {
        let rest = text.get(10..).unwrap_or_default();
        out.push((
            "re-dated to the past",
            Change::Set(json!(format!("1999-01-01{rest}"))),
        ));
        out.push((
            "re-dated to the future",
            Change::Set(json!(format!("2099-12-31{rest}"))),
        ));
        out.push((
            "re-dated to an invalid date",
            Change::Set(json!(format!("2026-02-30{rest}"))),
        ));
    }
    if let Some(kind) = ids.get(text) {
        out.push(("reference to nothing", Change::Set(json!("NOPE-404"))));
        let other = ids
            .iter()
            .find(|(_, k)| *k != kind && k.as_str() != own_kind);
        if let Some((other, _)) = other {
            out.push(("reference to another kind", Change::Set(json!(other))));
        }
    }
    out
}

fn looks_like_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// A deterministic sample of `n` mutations (a seeded shuffle, then the original order).
fn sample(all: &[Mutation], n: usize, seed: u64) -> Vec<Mutation> {
    let mut order: Vec<(u64, usize)> = (0..all.len())
        .map(|i| {
            (
                splitmix(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                i,
            )
        })
        .collect();
    order.sort_unstable();
    let mut chosen: Vec<usize> = order.into_iter().take(n).map(|(_, i)| i).collect();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| all[i].clone()).collect()
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The artifact with the mutation applied.
fn apply(artifact: &Value, mutation: &Mutation) -> Value {
    let mut out = artifact.clone();
    let (parent, key) = mutation
        .pointer
        .rsplit_once('/')
        .expect("a pointer below the root");
    let key = key.replace("~1", "/").replace("~0", "~");
    let Some(target) = out.pointer_mut(parent) else {
        return out;
    };
    match (&mutation.change, target) {
        (Change::Nothing, _) => {}
        (Change::Drop, Value::Object(map)) => {
            map.shift_remove(&key);
        }
        (Change::Drop, Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>() {
                items.remove(i);
            }
        }
        (Change::Set(new), Value::Object(map)) => {
            map.insert(key, new.clone());
        }
        (Change::Set(new), Value::Array(items)) => {
            if let Some(slot) = key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = new.clone();
            }
        }
        _ => {}
    }
    out
}

// --- The engines ---------------------------------------------------------------------------------

/// The compiled engine as the test runs it: every package whose `deny` compiles, listed or not.
struct ProgramSet {
    program: Arc<regorus::rvm::program::Program>,
    compiled: BTreeSet<String>,
    not_compiled: BTreeMap<String, String>,
}

impl ProgramSet {
    fn new(policies: &PolicySet, schemas: &SchemaSet, base: &[Value]) -> ProgramSet {
        let dir = write_copy(base);
        let (_, cases) = probe(dir.path(), policies, schemas);
        let packages: BTreeSet<String> = cases.into_iter().map(|(_, p, _)| p).collect();
        let mut compiled = BTreeSet::new();
        let mut not_compiled = BTreeMap::new();
        for package in packages {
            match policies.compile_packages(&[&package]) {
                Ok(_) => {
                    compiled.insert(package);
                }
                Err(error) => {
                    not_compiled.insert(package, first_line(&error));
                }
            }
        }
        let names: Vec<&str> = compiled.iter().map(String::as_str).collect();
        let program = policies
            .compile_packages(&names)
            .expect("the packages compile together");
        // The program as a later run reads it back from the cache (src/evaluate/compiled.rs keeps
        // it): what the comparison proves is the round-tripped program.
        let program = round_trip(&program);
        for package in PROVEN {
            assert!(
                compiled.contains(*package),
                "{package} is on compiled::PROVEN but does not compile: {:?}",
                not_compiled.get(*package)
            );
        }
        ProgramSet {
            program,
            compiled,
            not_compiled,
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

/// A folder holding `artifacts`, one file each, as JSON (which is YAML).
fn write_copy(artifacts: &[Value]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (i, artifact) in artifacts.iter().enumerate() {
        let text = serde_json::to_string_pretty(artifact).expect("serialises");
        std::fs::write(dir.path().join(format!("a{i:03}.yaml")), text).expect("writes");
    }
    dir
}

/// The real pipeline up to the evaluations: load, schema (ill-typed values withheld), indexes.
/// `dir` loaded and validated, and the context of its evaluation (ill-typed values withheld).
fn loaded_context(dir: &Path, schemas: &SchemaSet) -> (opsgate::load::Loaded, Context) {
    let loaded = load_path(dir, LoadLimits::default(), &PathFilter::default());
    let validation = schemas.validate(&loaded.workspace, None);
    let context = Context {
        ill_typed: Arc::new(validation.ill_typed),
        ..Context::new(
            common::AS_OF.to_owned(),
            opsgate::check::default_params(),
            None,
        )
    };
    (loaded, context)
}

/// The indexes the run hands the policies are computed natively: they must be index.rego's (or,
/// for a value the native code does not reproduce, left to the interpreter: `None`).
fn native_index_of(dir: &Path, policies: &PolicySet, schemas: &SchemaSet) -> Option<()> {
    let (loaded, context) = loaded_context(dir, schemas);
    let (native, rego) = policies
        .index_pair(&loaded.workspace, &context)
        .expect("the indexes evaluate");
    let native = native?;
    assert!(
        native == rego,
        "the native indexes differ from index.rego in {}:\nnative: {:#}\nrego: {:#}",
        dir.display(),
        to_json(&native),
        to_json(&rego)
    );
    Some(())
}

fn probe(
    dir: &Path,
    policies: &PolicySet,
    schemas: &SchemaSet,
) -> (regorus::Engine, Vec<(String, String, regorus::Value)>) {
    native_index_of(dir, policies, schemas);
    let (loaded, context) = loaded_context(dir, schemas);
    policies
        .probe(&loaded.workspace, &context)
        .expect("the copy reaches the engine")
}

/// One copy on the interpreter and the compiled engine; OPA's answers are added later, in one batch.
fn evaluate_copy(
    index: usize,
    mutation: &Mutation,
    base: &[Value],
    policies: &PolicySet,
    schemas: &SchemaSet,
    programs: &ProgramSet,
) -> (Copy, Vec<Case>) {
    let mut artifacts = base.to_vec();
    artifacts[mutation.artifact] = apply(&base[mutation.artifact], mutation);
    let dir = write_copy(&artifacts);
    let (mut engine, probed) = probe(dir.path(), policies, schemas);
    let data = engine.get_data();
    let mut vm = compiled::new_vm(&programs.program, &data, None).expect("the VM takes the data");
    let mut cases = Vec::new();
    let mut opa_cases = Vec::new();
    for (artifact, package, input) in probed {
        engine.set_input(input.clone());
        let interpreter = match engine.eval_rule(compiled::deny_rule(&package)) {
            Ok(value) => Outcome::of_findings(&to_json(&value)),
            Err(error) => Outcome::Error(first_line(&error.to_string())),
        };
        let compiled = programs.compiled.contains(&package).then(|| {
            vm.set_input(input.clone());
            match compiled::run_entry(&mut vm, &compiled::deny_rule(&package)) {
                Ok(Some(value)) => Outcome::of_findings(&to_json(&value)),
                Ok(None) => Outcome::Undefined,
                Err(error) => Outcome::Error(first_line(&error)),
            }
        });
        let input = to_json(&input);
        let opa_slot =
            related(mutation, &artifacts[mutation.artifact], &artifact, &input).then(|| {
                let short = package.trim_start_matches("data.opsgate.rules.");
                opa_cases.push(json!({"package": short, "input": input}));
                opa_cases.len() - 1
            });
        cases.push(Case {
            copy: index,
            artifact,
            package,
            interpreter,
            compiled,
            opa: None,
            opa_slot,
        });
    }
    let copy = Copy {
        mutation: mutation.clone(),
        artifact: artifacts[mutation.artifact].clone(),
        inventory: to_json(&data[&regorus::Value::from("inventory")]),
        cases: opa_cases,
    };
    (copy, cases)
}

/// Whether OPA replays an evaluation of a mutated copy: only those of the mutated artifact and of
/// the artifacts naming it or named by it (OPA takes ~2.5 ms an evaluation through the wheel; the
/// others read the same documents as in the unmutated copy, which OPA evaluates in full).
fn related(mutation: &Mutation, mutated: &Value, id: &str, input: &Value) -> bool {
    let evaluated = &input["artifact"];
    let id_of = |v: &Value| v["metadata"]["id"].as_str().map(str::to_owned);
    // An artifact without an id is named after its file (see `write_copy`).
    let own_file = format!("a{:03}.yaml", mutation.artifact);
    matches!(mutation.change, Change::Nothing)
        || id.starts_with(&own_file)
        || id_of(mutated).is_some_and(|own| own == id)
        || id_of(mutated).is_some_and(|id| mentions(evaluated, &id))
        || id_of(evaluated).is_some_and(|id| mentions(mutated, &id))
}

fn mentions(value: &Value, id: &str) -> bool {
    match value {
        Value::String(s) => s == id,
        Value::Array(items) => items.iter().any(|v| mentions(v, id)),
        Value::Object(map) => map.values().any(|v| mentions(v, id)),
        _ => false,
    }
}

fn to_json(value: &regorus::Value) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The Python with the OPA wheel: `OPSGATE_OPA_PYTHON` (scripts/peers.sh), else the benchmark's.
fn opa_python() -> PathBuf {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers/bench/venv/bin/python");
    let python = std::env::var_os("OPSGATE_OPA_PYTHON").map_or(bench, PathBuf::from);
    let works = std::process::Command::new(&python)
        .args(["-c", "import opa_bindings"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        works,
        "the real OPA (PyPI opa-golib-python-bindings) is not installed at {}: run scripts/peers.sh \
         (it writes OPSGATE_OPA_PYTHON to target/peers/env.sh) or scripts/test.sh",
        python.display()
    );
    python
}

/// OPA's results for `copies` (`[{inventory, cases: [{package, input}]}]`): one list per copy, one
/// entry per case (see tests/differential/opa.py).
fn opa_results(python: &Path, copies: Vec<Value>) -> Vec<Vec<Value>> {
    let request = json!({
        "params": opsgate::check::default_params(),
        "rule_codes": rule_codes(),
        "copies": copies,
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("request.json");
    std::fs::write(&path, request.to_string()).expect("writes the request");
    if let Some(keep) = std::env::var_os("OPSGATE_DIFF_KEEP_REQUEST") {
        std::fs::copy(&path, keep).expect("keeps OPA's request");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(python)
        .arg(root.join("tests/differential/opa.py"))
        .arg(root.join("policies"))
        .arg(&path)
        .output()
        .expect("runs OPA");
    assert!(
        output.status.success(),
        "OPA failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("OPA's JSON")
}

fn add_opa_outcomes(python: &Path, copies: &[Copy], cases: &mut [Case]) {
    let request = copies
        .iter()
        .map(|c| json!({"inventory": c.inventory, "cases": c.cases}))
        .collect();
    let results = opa_results(python, request);
    for case in cases.iter_mut() {
        let Some(slot) = case.opa_slot else { continue };
        let result = &results[case.copy][slot];
        case.opa = Some(if let Some(error) = result["error"].as_str() {
            Outcome::Error(first_line(error))
        } else if result.get("ok").is_some() {
            Outcome::of_findings(&result["ok"])
        } else {
            Outcome::Undefined
        });
    }
}

fn rule_codes() -> Vec<String> {
    let policies = PolicySet::load(&[], Duration::ZERO).expect("built-in policies load");
    policies.registry.iter().map(|r| r.code.clone()).collect()
}

// --- The report ----------------------------------------------------------------------------------

/// Prints every difference (the smallest reproduction per package and engine pair) and returns the
/// ones that fail the test.
fn report(copies: &[Copy], cases: &[Case], programs: &ProgramSet) -> Vec<String> {
    // (engine pair, package) → the smallest differing case.
    let mut smallest: BTreeMap<(&str, &str), (&Case, usize)> = BTreeMap::new();
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for case in cases {
        let opa = if strict_opa_error(case) {
            STRICT_OPA
        } else {
            "OPA"
        };
        let pairs = [
            ("compiled engine", case.compiled.as_ref()),
            (opa, case.opa.as_ref()),
        ];
        for (engine, other) in pairs {
            let Some(other) = other else { continue };
            if *other == case.interpreter {
                continue;
            }
            let key = (engine, case.package.as_str());
            *counts.entry(key).or_default() += 1;
            let size = copies[case.copy].artifact.to_string().len();
            let entry = smallest.entry(key).or_insert((case, size));
            if size < entry.1 {
                *entry = (case, size);
            }
        }
    }
    let mut failures = Vec::new();
    for ((engine, package), (case, _)) in &smallest {
        let fails = *engine == "OPA" || (*engine == "compiled engine" && PROVEN.contains(package));
        eprintln!(
            "\n=== {engine} differs from the interpreter in {package} ({} evaluation(s)){}",
            counts[&(*engine, *package)],
            match (fails, *engine == STRICT_OPA) {
                (true, _) => "",
                (false, true) => " — accepted: see STRICT_OPA",
                (false, false) => " — not on compiled::PROVEN: runs on the interpreter",
            }
        );
        eprintln!("{}", describe(&copies[case.copy], case));
        if fails {
            failures.push(format!("{engine} vs interpreter in {package}"));
        }
    }
    print_summary(programs, &counts);
    failures
}

/// The one accepted kind of difference with OPA: where a built-in fails on its arguments (a date
/// that does not exist, `object.get` of a non-object), opsgate's engines make the expression
/// undefined (OPA's documented default, `set_strict_builtin_errors(false)` in evaluate/mod.rs) but
/// the wheel's OPA stops the evaluation with `eval_builtin_error` / `eval_type_error`. Only
/// already-reported schema errors get there (the schema stage withholds ill-typed values, invalid
/// dates are its findings). Printed, not failing; docs/engine-differences.md lists them.
const STRICT_OPA: &str = "OPA (stricter built-in errors)";

fn strict_opa_error(case: &Case) -> bool {
    let strict = |m: &str| m.contains("eval_builtin_error") || m.contains("eval_type_error");
    matches!(&case.opa, Some(Outcome::Error(m)) if strict(m))
        && !matches!(case.interpreter, Outcome::Error(_))
}

fn describe(copy: &Copy, case: &Case) -> String {
    let m = &copy.mutation;
    let other = case.compiled.iter().chain(case.opa.iter());
    let codes: BTreeSet<String> = other
        .flat_map(|o| {
            o.codes()
                .symmetric_difference(&case.interpreter.codes())
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    format!(
        "mutation: {} {} of artifact #{}\nevaluated artifact: {}\nrule codes differing: {:?}\n\
         mutated artifact: {}\ninterpreter: {:?}\ncompiled engine: {:?}\nOPA: {:?}",
        m.pointer,
        m.label,
        m.artifact,
        case.artifact,
        codes,
        copy.artifact,
        case.interpreter,
        case.compiled,
        case.opa,
    )
}

fn print_summary(programs: &ProgramSet, counts: &BTreeMap<(&str, &str), usize>) {
    for (package, error) in &programs.not_compiled {
        eprintln!("not compiled: {package}: {error}");
    }
    let candidates: Vec<&String> = programs
        .compiled
        .iter()
        .filter(|p| !counts.contains_key(&("compiled engine", p.as_str())))
        .filter(|p| !PROVEN.contains(&p.as_str()))
        .collect();
    eprintln!("compiled without a difference here but not on compiled::PROVEN: {candidates:?}");
}

// --- The VM's known hazards, checked on the source of the packages it runs ---------------------

/// Two of the VM's differences (docs/engine-differences.md) hide in ordinary-looking Rego: an
/// assignment whose variable is never used again (`x := <undefined>` does not fail the body) and an
/// array comprehension whose head is assigned last (`[x | …; x := <undefined>]` gets an undefined
/// element), and the first one again where the variable is only used under `not` (`not f(x)` is
/// true of an undefined `x`). A package on `compiled::PROVEN` (or the library) must contain none; the check is
/// textual (a rule is a block between blank lines), so it errs on the side of flagging.
#[test]
fn packages_run_compiled_avoid_the_vm_hazards() {
    let assignment = regex::Regex::new(r"(?m)^\s+(\w+)\s*:=").expect("regex");
    let mut hazards = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    for entry in std::fs::read_dir(root).expect("policies") {
        let path = entry.expect("entry").path();
        let written = std::fs::read_to_string(&path).expect("reads");
        // What the VM runs: a walk fallback is blanked before compiling (it never runs there).
        let text = compiled::compilable(&written).unwrap_or(written);
        let package = text
            .lines()
            .find_map(|l| l.strip_prefix("package "))
            .map(|p| format!("data.{}", p.trim()))
            .unwrap_or_default();
        if !PROVEN.contains(&package.as_str()) && !package.ends_with(".lib") {
            continue;
        }
        hazards.extend(assigned_heads(&text).into_iter().map(|head| {
            format!(
                "{}: `[{head} | …; {head} := …]` never uses {head} again",
                path.display()
            )
        }));
        for block in text.split("\n\n") {
            let head_end = block.find('{').unwrap_or(0);
            for found in assignment.captures_iter(block) {
                let name = &found[1];
                let used = regex::Regex::new(&format!(r"\b{name}\b")).expect("regex");
                let rest = block
                    .get(found.get(0).map_or(0, |m| m.end())..)
                    .unwrap_or_default();
                let head = block.get(..head_end).unwrap_or_default();
                let later: Vec<&str> = rest.lines().filter(|l| used.is_match(l)).collect();
                if !later.is_empty() && later.iter().all(|l| l.trim_start().starts_with("not ")) {
                    hazards.push(format!(
                        "{}: `{name} :=` is only used under `not`",
                        path.display()
                    ));
                }
                // Used before the assignment counts too: a comprehension's head comes first.
                if name != "_"
                    && used.find_iter(block).count() < 2
                    && !used.is_match(rest)
                    && !used.is_match(head)
                {
                    hazards.push(format!("{}: `{name} :=` is never used", path.display()));
                }
            }
        }
    }
    assert!(
        hazards.is_empty(),
        "VM hazards in packages that run compiled:\n{}",
        hazards.join("\n")
    );
}

/// The heads of array comprehensions `[v | …]` whose body assigns `v` and never uses it after.
fn assigned_heads(text: &str) -> Vec<String> {
    let open = regex::Regex::new(r"\[\s*(\w+)\s*\|").expect("regex");
    let mut out = Vec::new();
    for found in open.captures_iter(text) {
        let head = found[1].to_owned();
        let start = found.get(0).map_or(0, |m| m.end());
        let body = comprehension_body(&text[start..]);
        let assigned = regex::Regex::new(&format!(r"(?:^|[;\s]){head}\s*:=")).expect("regex");
        let used = regex::Regex::new(&format!(r"\b{head}\b")).expect("regex");
        if let Some(at) = assigned.find(body) {
            if !used.is_match(&body[at.end()..]) {
                out.push(head);
            }
        }
    }
    out
}

/// The text up to the bracket that closes a comprehension (its opening bracket already read).
fn comprehension_body(text: &str) -> &str {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '[' | '{' | '(' => depth += 1,
            ']' | '}' | ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return &text[..i];
        }
    }
    text
}

/// On the shipped examples the native indexes are computed (not left to the interpreter) and are
/// index.rego's, value for value.
#[test]
fn native_indexes_are_index_rego_on_the_examples() {
    let policies = PolicySet::load(&[], Duration::from_secs(30)).expect("policies load");
    let schemas = SchemaSet::compile().expect("schemas compile");
    for name in ["acme", "gaps"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        native_index_of(&dir, &policies, &schemas)
            .unwrap_or_else(|| panic!("{name}: the native indexes gave up"));
    }
}

/// Every rules package guards its own kinds (`_a := lib.subject(kinds)`, policies/lib.rego): plain
/// OPA and conftest evaluate every package on every document, without opsgate's `kinds` filter, and
/// must find exactly what opsgate finds. So every package (taken from the policy set: a new one cannot
/// be left out) is evaluated by the real OPA on every artifact of the example and on an empty and a
/// spec-less artifact of every kind and of an unknown one (where a body made only of `not` would
/// fire): no rule may find anything on a kind its metadata does not list, and on the example the
/// findings of the unfiltered run are those opsgate's filtered run finds.
#[test]
fn every_package_finds_nothing_on_other_kinds_under_plain_opa() {
    let policies = PolicySet::load(&[], Duration::ZERO).expect("built-in policies load");
    let schemas = SchemaSet::compile().expect("schemas compile");
    let mut findings = 0;
    for name in ["acme", "gaps"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        findings += unfiltered_run_is_opsgates(&dir, &policies, &schemas);
    }
    assert!(
        findings > 0,
        "the examples have findings (not a vacuous comparison)"
    );
}

/// The test above on one repository; returns how many findings opsgate's run has.
fn unfiltered_run_is_opsgates(dir: &Path, policies: &PolicySet, schemas: &SchemaSet) -> usize {
    let (engine, probed) = probe(dir, policies, schemas);
    let packages: BTreeSet<&str> = policies
        .registry
        .iter()
        .filter(|r| r.builtin)
        .map(|r| r.package.trim_start_matches("data.opsgate.rules."))
        .collect();
    let mut inputs: BTreeMap<String, Value> = probed
        .iter()
        .map(|(artifact, _, input)| (artifact.clone(), to_json(input)))
        .collect();
    let as_of = inputs.values().next().map(|i| i["as_of"].clone());
    for kind in opsgate::model::KINDS
        .iter()
        .map(|k| k.name)
        .chain(["Unknown"])
    {
        for (shape, spec) in [("empty", Some(json!({}))), ("spec-less", None)] {
            let mut artifact = json!({"apiVersion": "opsgate/v1", "kind": kind,
                "metadata": {"id": format!("{shape}-{kind}"), "title": "x", "owner": "nobody"}});
            if let Some(spec) = spec {
                artifact["spec"] = spec;
            }
            let input = json!({"artifact": artifact, "as_of": as_of});
            inputs.insert(format!("{shape}-{kind}"), input);
        }
    }
    let mut cases = Vec::new();
    for (artifact, input) in &inputs {
        for package in &packages {
            cases.push((
                artifact.clone(),
                json!({"package": package, "input": input}),
            ));
        }
    }
    let copy = json!({
        "inventory": to_json(&engine.get_data()[&regorus::Value::from("inventory")]),
        "cases": cases.iter().map(|(_, case)| case.clone()).collect::<Vec<_>>(),
    });
    let results = opa_results(&opa_python(), vec![copy]);
    let mut unfiltered = BTreeSet::new();
    for ((artifact, case), result) in cases.iter().zip(&results[0]) {
        let kind = case["input"]["artifact"]["kind"]
            .as_str()
            .unwrap_or_default();
        assert!(
            result.get("error").is_none(),
            "{case} under plain OPA: {result}"
        );
        for finding in result["ok"].as_array().into_iter().flatten() {
            let code = finding["code"].as_str().unwrap_or_default();
            let rule = policies.registry.get(code).expect("a known code");
            assert!(
                rule.applies_to(kind),
                "{} finds {code} on {artifact} ({kind}) under plain OPA: {finding}",
                case["package"]
            );
            if probed.iter().any(|(id, _, _)| id == artifact) {
                unfiltered.insert(finding_key(artifact, finding));
            }
        }
    }
    let filtered = interpreter_findings(&engine, &probed);
    assert_eq!(
        unfiltered,
        filtered,
        "{}: plain OPA on every package against opsgate's filtered run",
        dir.display()
    );
    filtered.len()
}

/// The interpreter's findings on the evaluations opsgate makes (its `kinds` filter applied).
fn interpreter_findings(
    engine: &regorus::Engine,
    probed: &[(String, String, regorus::Value)],
) -> BTreeSet<[String; 5]> {
    let mut engine = engine.clone();
    let mut out = BTreeSet::new();
    for (artifact, package, input) in probed {
        engine.set_input(input.clone());
        let found = engine
            .eval_rule(compiled::deny_rule(package))
            .expect("the interpreter evaluates");
        for finding in to_json(&found).as_array().into_iter().flatten() {
            out.insert(finding_key(artifact, finding));
        }
    }
    out
}

/// A finding as engines agree on it, whatever their key order.
fn finding_key(artifact: &str, finding: &Value) -> [String; 5] {
    let field = |name: &str| finding[name].to_string();
    [
        artifact.to_owned(),
        field("code"),
        field("pointer"),
        field("message"),
        field("related"),
    ]
}

/// `program` written as the cache keeps it and read back.
fn round_trip(
    program: &regorus::rvm::program::Program,
) -> std::sync::Arc<regorus::rvm::program::Program> {
    use regorus::rvm::program::{DeserializationResult, Program};
    let bytes = program.serialize_binary().expect("the program serializes");
    match Program::deserialize_binary(&bytes).expect("the program reads back") {
        DeserializationResult::Complete(read) if !read.needs_recompilation => {
            std::sync::Arc::new(read)
        }
        _ => panic!("the program does not read back whole"),
    }
}
