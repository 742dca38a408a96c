//! Where policy evaluation time goes, body by body: a maintainer's tool for the performance work
//! (#20), not part of opsgate. Every `deny` body of the built-in rules packages is compiled as an
//! entry of its own (`deny` renamed `deny_b<line>`, lines kept) and run on regorus's VM over the
//! inputs a real check of DIR makes; the table lists the costliest bodies.
//!
//!   cargo run --release --example profile_rules -- DIR [ROWS]
//!
//! Each body runs with an empty rule cache, so a helper that the bodies of one package share is
//! charged to every body that calls it: the sum exceeds a real run's time, the order is what
//! matters. A body of a rule whose `kinds` exclude the artifact's kind is counted apart
//! ("other kinds"), which is what splitting `deny` by kind could save.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use opsgate::evaluate::compiled;
use opsgate::evaluate::{Context, PolicySet};
use opsgate::load::{load_path, LoadLimits, PathFilter};
use opsgate::validate::SchemaSet;

#[derive(Default)]
struct Cost {
    nanos: u128,
    runs: u64,
    other_kind_nanos: u128,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: profile_rules DIR [ROWS]"));
    let rows: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(30);
    let loaded = load_path(&dir, LoadLimits::default(), &PathFilter::default());
    let schemas = SchemaSet::compile().expect("schemas compile");
    let validation = schemas.validate(&loaded.workspace, None);
    let context = Context {
        ill_typed: Arc::new(validation.ill_typed),
        ..Context::new(
            "2026-11-24".to_owned(),
            opsgate::check::default_params(),
            None,
        )
    };
    let policies = PolicySet::load(&[], Duration::ZERO).expect("policies load");
    let (engine, cases) = policies.probe(&loaded.workspace, &context).expect("probe");
    let (programs, bodies) = body_program(&policies);
    let data = engine.get_data();
    let mut vms: BTreeMap<&String, regorus::rvm::vm::RegoVM> = programs
        .iter()
        .map(|(package, program)| {
            (
                package,
                compiled::new_vm(program, &data, None).expect("a VM"),
            )
        })
        .collect();
    let mut whole_vm = compiled::new_vm(
        &policies
            .compile_packages(&programs.keys().map(String::as_str).collect::<Vec<_>>())
            .expect("the packages compile"),
        &data,
        None,
    )
    .expect("a VM");
    let kind_of: BTreeMap<&str, &str> = loaded
        .workspace
        .artifacts
        .iter()
        .map(|a| (a.id.as_str(), a.kind.name))
        .collect();
    let mut costs: BTreeMap<(String, usize), Cost> = BTreeMap::new();
    let mut whole: BTreeMap<String, u128> = BTreeMap::new();
    for (artifact, package, input) in &cases {
        let kind = kind_of.get(artifact.as_str()).copied().unwrap_or_default();
        let Some(vm) = vms.get_mut(package) else {
            continue;
        };
        vm.set_input(input.clone());
        whole_vm.set_input(input.clone());
        let started = Instant::now();
        let _ = compiled::run_entry(&mut whole_vm, &compiled::deny_rule(package));
        *whole.entry(package.clone()).or_default() += started.elapsed().as_nanos();
        for body in bodies.iter().filter(|b| &b.package == package) {
            let started = Instant::now();
            let _ = compiled::run_entry(vm, &body.entry);
            let nanos = started.elapsed().as_nanos();
            let cost = costs.entry((package.clone(), body.line)).or_default();
            cost.nanos += nanos;
            cost.runs += 1;
            let applies = body
                .code
                .as_deref()
                .and_then(|c| policies.registry.get(c))
                .is_none_or(|rule| rule.applies_to(kind));
            if !applies {
                cost.other_kind_nanos += nanos;
            }
        }
    }
    report(&costs, &whole, &bodies, rows);
}

struct Body {
    package: String,
    line: usize,
    code: Option<String>,
    entry: String,
}

/// Every built-in rules package's `deny` bodies, each renamed to a rule of its own, compiled into
/// one program (through the policy set's own compile path, so walk fallbacks are blanked).
type Programs = BTreeMap<String, Arc<regorus::rvm::program::Program>>;

fn body_program(policies: &PolicySet) -> (Programs, Vec<Body>) {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(false);
    let mut bodies = Vec::new();
    for (name, text) in policies.sources() {
        let package = text
            .lines()
            .find_map(|l| l.strip_prefix("package "))
            .map(|p| format!("data.{}", p.trim()))
            .unwrap_or_default();
        let text = compiled::compilable(text).unwrap_or_else(|| text.to_string());
        let mut out = String::new();
        for (index, line) in text.split_inclusive('\n').enumerate() {
            match line.strip_prefix("deny") {
                Some(rest)
                    if rest.starts_with(' ') && package.starts_with("data.opsgate.rules.") =>
                {
                    let rule = format!("deny_b{}", index + 1);
                    bodies.push(Body {
                        package: package.clone(),
                        line: index + 1,
                        code: first_code(rest),
                        entry: format!("{package}.{rule}"),
                    });
                    out.push_str(&rule);
                    out.push_str(rest);
                }
                _ => out.push_str(line),
            }
        }
        engine
            .add_policy(name.clone(), out)
            .expect("renamed policy parses");
    }
    // One program per package: all of them in one overflows the compiler's registers.
    let mut programs = BTreeMap::new();
    for body in &bodies {
        if programs.contains_key(&body.package) {
            continue;
        }
        let entries: Vec<&str> = bodies
            .iter()
            .filter(|b| b.package == body.package)
            .map(|b| b.entry.as_str())
            .collect();
        let policy = engine
            .compile_with_entrypoint(&regorus::Rc::from(entries[0]))
            .expect("prepares");
        match regorus::languages::rego::compiler::Compiler::compile_from_policy(&policy, &entries) {
            Ok(program) => {
                programs.insert(body.package.clone(), program);
            }
            Err(error) => eprintln!("{}: not compiled: {error}", body.package),
        }
    }
    (programs, bodies)
}

/// The literal rule code of a `deny` head (`lib.finding("ABC-001", ...`), if it has one.
fn first_code(head: &str) -> Option<String> {
    let start = head.find('"')? + 1;
    let end = start + head[start..].find('"')?;
    let code = &head[start..end];
    (code.len() == 7 && code.as_bytes()[3] == b'-').then(|| code.to_owned())
}

fn report(
    costs: &BTreeMap<(String, usize), Cost>,
    whole: &BTreeMap<String, u128>,
    bodies: &[Body],
    rows: usize,
) {
    let total: u128 = costs.values().map(|c| c.nanos).sum();
    let other: u128 = costs.values().map(|c| c.other_kind_nanos).sum();
    let whole_total: u128 = whole.values().sum();
    println!(
        "bodies one by one: {:.1} ms ({:.1} % on artifacts of other kinds); packages whole: {:.1} ms",
        total as f64 / 1e6,
        100.0 * other as f64 / total.max(1) as f64,
        whole_total as f64 / 1e6
    );
    let mut packages: Vec<(&String, &u128)> = whole.iter().collect();
    packages.sort_by_key(|p| std::cmp::Reverse(*p.1));
    for (package, nanos) in packages {
        println!("  {:>8.1} ms  {package}", *nanos as f64 / 1e6);
    }
    let mut ranked: Vec<(&(String, usize), &Cost)> = costs.iter().collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1.nanos));
    println!("\n{:>9} {:>8} {:>7}  body", "ms", "µs/run", "other%");
    for ((package, line), cost) in ranked.into_iter().take(rows) {
        let code = bodies
            .iter()
            .find(|b| &b.package == package && b.line == *line)
            .and_then(|b| b.code.clone())
            .unwrap_or_else(|| "(computed)".to_owned());
        println!(
            "{:>9.1} {:>8.1} {:>6.0}%  {}:{line} {code}",
            cost.nanos as f64 / 1e6,
            cost.nanos as f64 / 1e3 / cost.runs.max(1) as f64,
            100.0 * cost.other_kind_nanos as f64 / cost.nanos.max(1) as f64,
            package.trim_start_matches("data.opsgate.rules.")
        );
    }
}
