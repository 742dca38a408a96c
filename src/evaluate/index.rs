//! The whole-inventory indexes of `policies/index.rego`, computed natively.
//!
//! The Rego package stays the definition (OPA, conftest and `lib.index` evaluate it); this module
//! computes the same document (`data.opsgate.index.all`) in one linear pass without the
//! interpreter, which took ~25 ms a run at 1,000 artifacts and ~1.2 s at 100,000, and which the
//! period report pays at every point of a history. It is used only while the index package is the
//! built-in one, and it is held to the interpreter's result value for value: on the shipped
//! examples, on the benchmark corpora and on every mutation of the differential test
//! (tests/differential.rs). A value it does not reproduce exactly (an incident's `service` or
//! `category` that is a collection, formatted by `sprintf`) makes it give up, and the run
//! evaluates the Rego package instead.

use std::collections::{BTreeMap, BTreeSet};

use regorus::Value;

/// `data.opsgate.index.all` for `inventory` (kind → id → artifact, as the policies see it), with
/// `patterns` as its `reference_patterns`; `None` where only the interpreter can say.
pub fn build(inventory: &Value, patterns: &Value) -> Option<Value> {
    let inv = Inventory(inventory);
    let mut all = BTreeMap::new();
    let mut put = |name: &str, value: Value| {
        all.insert(Value::from(name), value);
    };
    put("incidents_by_release", incidents_by_release(&inv));
    put("slas_by_service", slas_by_service(&inv));
    put("available_services", available_services(&inv));
    put(
        "services_listing_ci",
        string_multimap(&inv, "Service", "cis"),
    );
    put("cis_by_service", cis_by_service(&inv));
    put("designed_by_service", designed_by_service(&inv));
    put("incidents_in_problems", incidents_in_problems(&inv, false));
    put("incidents_by_kind", incidents_by_kind(&inv)?);
    put("plans_by_service", plans_by_service(&inv));
    put("ci_graph", ci_graph(&inv));
    put("ci_relationship_targets", ci_relationship_targets(&inv));
    put("reference_patterns", patterns.clone());
    put("kinds_by_id", kinds_by_id(inventory));
    put("anchors", anchors(&inv, inventory));
    put(
        "capacity_services",
        string_set(&inv, "CapacityPlan", "services"),
    );
    put(
        "capacity_plans_by_service",
        string_multimap(&inv, "CapacityPlan", "services"),
    );
    put(
        "availability_planned_services",
        availability_planned_services(&inv),
    );
    put("incident_service_types", incident_service_types(&inv));
    put("peak_windows_by_service", peak_windows(&inv, true));
    put("peak_cycles_by_service", peak_windows(&inv, false));
    Some(Value::from(all))
}

struct Inventory<'a>(&'a Value);

impl<'a> Inventory<'a> {
    /// `_inv(kind)`: id → artifact.
    fn of(&self, kind: &str) -> impl Iterator<Item = (&'a Value, &'a Value)> {
        let ids = match field(Some(self.0), kind) {
            Some(Value::Object(ids)) => Some(ids.iter()),
            _ => None,
        };
        ids.into_iter().flatten()
    }
}

/// `v.key`: defined only on an object that has the key.
fn field<'a>(value: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    match value? {
        Value::Object(object) => object.get(&Value::from(key)),
        _ => None,
    }
}

/// `lib.items(obj, key)`: the list `obj[key]`, else nothing.
fn items<'a>(value: Option<&'a Value>, key: &str) -> impl Iterator<Item = &'a Value> {
    let list = match field(value, key) {
        Some(Value::Array(list)) => Some(list.iter()),
        _ => None,
    };
    list.into_iter().flatten()
}

fn string(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| matches!(v, Value::String(_)))
}

fn spec(artifact: &Value) -> Option<&Value> {
    field(Some(artifact), "spec")
}

/// A partial object rule `m[k] contains v`, as the interpreter gives it: key → set.
#[derive(Default)]
struct MultiMap(BTreeMap<Value, BTreeSet<Value>>);

impl MultiMap {
    fn add(&mut self, key: &Value, value: Value) {
        self.0.entry(key.clone()).or_default().insert(value);
    }

    fn into_value(self) -> Value {
        let map: BTreeMap<Value, Value> = self
            .0
            .into_iter()
            .map(|(k, v)| (k, Value::from(v)))
            .collect();
        Value::from(map)
    }
}

fn incidents_by_release(inv: &Inventory<'_>) -> Value {
    let mut out = MultiMap::default();
    for (id, incident) in inv.of("IncidentRecord") {
        if let Some(release) = string(field(spec(incident), "release")) {
            out.add(release, id.clone());
        }
    }
    out.into_value()
}

fn slas_by_service(inv: &Inventory<'_>) -> Value {
    let mut out = MultiMap::default();
    for (id, sla) in inv.of("ServiceLevelAgreement") {
        if field(spec(sla), "type") != Some(&Value::from("SLA")) {
            continue;
        }
        for service in items(spec(sla), "services").filter(|s| string(Some(s)).is_some()) {
            out.add(service, id.clone());
        }
    }
    out.into_value()
}

/// `m[item] contains id` for every string `item` of `spec[list]` of the artifacts of `kind`.
fn string_multimap(inv: &Inventory<'_>, kind: &str, list: &str) -> Value {
    let mut out = MultiMap::default();
    for (id, artifact) in inv.of(kind) {
        for item in items(spec(artifact), list).filter(|s| string(Some(s)).is_some()) {
            out.add(item, id.clone());
        }
    }
    out.into_value()
}

/// Every string of `spec[list]` of the artifacts of `kind`.
fn string_set(inv: &Inventory<'_>, kind: &str, list: &str) -> Value {
    let set: BTreeSet<Value> = inv
        .of(kind)
        .flat_map(|(_, artifact)| items(spec(artifact), list))
        .filter(|s| string(Some(s)).is_some())
        .cloned()
        .collect();
    Value::from(set)
}

/// A Rego condition on a value: defined and not `false`.
fn truthy(value: Option<&Value>) -> bool {
    value.is_some_and(|v| *v != Value::Bool(false))
}

fn available_services(inv: &Inventory<'_>) -> Value {
    let set: BTreeSet<Value> = inv
        .of("AvailabilityPlan")
        .flat_map(|(_, plan)| items(spec(plan), "services"))
        .filter(|entry| truthy(field(Some(entry), "target_percent")))
        .filter_map(|entry| field(Some(entry), "service").cloned())
        .collect();
    Value::from(set)
}

fn availability_planned_services(inv: &Inventory<'_>) -> Value {
    let set: BTreeSet<Value> = inv
        .of("AvailabilityPlan")
        .flat_map(|(_, plan)| items(spec(plan), "services"))
        .filter_map(|entry| string(field(Some(entry), "service")).cloned())
        .collect();
    Value::from(set)
}

fn cis_by_service(inv: &Inventory<'_>) -> Value {
    let mut out = MultiMap::default();
    for (id, ci) in inv.of("ConfigurationItem") {
        if let Some(service) = string(field(spec(ci), "service")) {
            out.add(service, id.clone());
        }
    }
    out.into_value()
}

fn designed_by_service(inv: &Inventory<'_>) -> Value {
    let mut out = MultiMap::default();
    for (_, plan) in inv.of("AvailabilityPlan") {
        for entry in items(spec(plan), "services") {
            let service = string(field(Some(entry), "service"));
            let designed = field(Some(entry), "designed_percent");
            if let (Some(service), Some(designed @ Value::Number(_))) = (service, designed) {
                out.add(service, designed.clone());
            }
        }
    }
    out.into_value()
}

const FIXED: [&str; 2] = ["resolved", "closed"];

fn fixed(problem: &Value) -> bool {
    matches!(field(spec(problem), "status"), Some(Value::String(s)) if FIXED.contains(&s.as_ref()))
}

/// The incidents problem records list (`fixed_only`: only resolved or closed ones).
fn incidents_in_problems(inv: &Inventory<'_>, fixed_only: bool) -> Value {
    let set: BTreeSet<Value> = inv
        .of("ProblemRecord")
        .filter(|(_, problem)| !fixed_only || fixed(problem))
        .flat_map(|(_, problem)| items(spec(problem), "incidents"))
        .cloned()
        .collect();
    Value::from(set)
}

/// `sprintf("%v", [value])` for the values the interpreter formats plainly; `None` otherwise.
fn format_plain(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("null".to_owned()),
        Value::Bool(b) => Some(b.to_string()),
        Value::String(s) => Some(s.to_string()),
        Value::Number(n) => Some(n.format_decimal()),
        _ => None,
    }
}

fn incidents_by_kind(inv: &Inventory<'_>) -> Option<Value> {
    let problems: BTreeMap<&Value, &Value> = inv.of("ProblemRecord").collect();
    let in_fixed = incidents_in_problems(inv, true);
    let in_fixed = match &in_fixed {
        Value::Set(set) => Some(set),
        _ => None,
    };
    let mut out = MultiMap::default();
    let null = Value::Null;
    for (id, incident) in inv.of("IncidentRecord") {
        let Some(spec @ Value::Object(_)) = spec(incident) else {
            continue;
        };
        let of = |key: &str| field(Some(spec), key).unwrap_or(&null);
        let key = format!(
            "{}|{}",
            format_plain(of("service"))?,
            format_plain(of("category"))?
        );
        let explained = field(Some(spec), "problem")
            .and_then(|p| problems.get(p))
            .is_some_and(|problem| fixed(problem))
            || in_fixed.is_some_and(|set| set.contains(id));
        let entry = vec![
            id.clone(),
            of("detected_at").clone(),
            Value::Bool(explained),
        ];
        out.add(&Value::from(key), Value::from(entry));
    }
    Some(out.into_value())
}

fn plans_by_service(inv: &Inventory<'_>) -> Value {
    let mut out = MultiMap::default();
    for (id, plan) in inv.of("ContinuityPlan") {
        // `object.get(plan.metadata, "status", "") != "retired"`: undefined (the plan left out)
        // unless metadata is an object.
        let Some(Value::Object(_)) = field(Some(plan), "metadata") else {
            continue;
        };
        if field(field(Some(plan), "metadata"), "status") == Some(&Value::from("retired")) {
            continue;
        }
        for service in items(spec(plan), "services").filter(|s| string(Some(s)).is_some()) {
            out.add(service, id.clone());
        }
    }
    out.into_value()
}

fn ci_graph(inv: &Inventory<'_>) -> Value {
    let dependency = |r: &Value| matches!(field(Some(r), "type"), Some(Value::String(t)) if matches!(t.as_ref(), "depends_on" | "runs_on"));
    let graph: BTreeMap<Value, Value> = inv
        .of("ConfigurationItem")
        .map(|(id, ci)| {
            let targets: BTreeSet<Value> = items(spec(ci), "relationships")
                .filter(|r| dependency(r))
                .filter_map(|r| string(field(Some(r), "target")).cloned())
                .collect();
            (id.clone(), Value::from(targets))
        })
        .collect();
    Value::from(graph)
}

fn ci_relationship_targets(inv: &Inventory<'_>) -> Value {
    let set: BTreeSet<Value> = inv
        .of("ConfigurationItem")
        .flat_map(|(_, ci)| items(spec(ci), "relationships"))
        .filter_map(|r| string(field(Some(r), "target")).cloned())
        .collect();
    Value::from(set)
}

fn kinds_by_id(inventory: &Value) -> Value {
    let mut out = MultiMap::default();
    if let Value::Object(kinds) = inventory {
        for (kind, ids) in kinds.iter() {
            if let Value::Object(ids) = ids {
                for (id, _) in ids.iter() {
                    out.add(id, kind.clone());
                }
            }
        }
    }
    out.into_value()
}

/// The kinds of the management system's own documents (`management_documents` of index.rego).
const MANAGEMENT_DOCUMENTS: [&str; 7] = [
    "InformationSecurityPlan",
    "IncidentManagementPlan",
    "BusinessImpactAnalysis",
    "ContinuityPlan",
    "ProcessPolicy",
    "ImprovementRegister",
    "ControlImplementation",
];

fn anchors(inv: &Inventory<'_>, inventory: &Value) -> Value {
    let first_of = |kind: &str| inv.of(kind).map(|(id, _)| id).min();
    let anchor = if let Some(id) = first_of("InformationSecurityPlan") {
        Some((Value::from("InformationSecurityPlan"), id.clone()))
    } else if let Some(id) = first_of("Service") {
        Some((Value::from("Service"), id.clone()))
    } else {
        let first = MANAGEMENT_DOCUMENTS
            .iter()
            .filter_map(|kind| first_of(kind))
            .min();
        first.and_then(|first| {
            let kinds_by_id = kinds_by_id(inventory);
            let kind = match field(Some(&kinds_by_id), &string_of(first)?) {
                Some(Value::Set(kinds)) => kinds
                    .iter()
                    .filter(|k| matches!(k, Value::String(s) if MANAGEMENT_DOCUMENTS.contains(&s.as_ref())))
                    .min()
                    .cloned(),
                _ => None,
            }?;
            Some((kind, first.clone()))
        })
    };
    let list: Vec<Value> = anchor
        .into_iter()
        .map(|(kind, id)| Value::from(vec![kind, id]))
        .collect();
    Value::from(list)
}

fn string_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

fn incident_service_types(inv: &Inventory<'_>) -> Value {
    let set: BTreeSet<Value> = inv
        .of("IncidentManagementPlan")
        .flat_map(|(_, plan)| items(spec(plan), "incident_definitions"))
        .filter_map(|entry| string(field(Some(entry), "service_type")).cloned())
        .collect();
    Value::from(set)
}

/// `peak_windows_by_service` (`with_role`: the cycles naming an approval role, which ends each
/// entry) or `peak_cycles_by_service`: service → [plan, cycle name, window start, window end].
fn peak_windows(inv: &Inventory<'_>, with_role: bool) -> Value {
    let mut out = MultiMap::default();
    for (id, plan) in inv.of("CapacityPlan") {
        for cycle in items(spec(plan), "business_cycles") {
            let role = string(field(Some(cycle), "approval_role"));
            if with_role && role.is_none() {
                continue;
            }
            // The entry is undefined (left out) without a name.
            let Some(name) = field(Some(cycle), "name") else {
                continue;
            };
            for service in items(Some(cycle), "services").filter(|s| string(Some(s)).is_some()) {
                for window in items(Some(cycle), "windows") {
                    let start = string(field(Some(window), "start"));
                    let end = string(field(Some(window), "end"));
                    let (Some(start), Some(end)) = (start, end) else {
                        continue;
                    };
                    let mut entry = vec![id.clone(), name.clone(), start.clone(), end.clone()];
                    entry.extend(role.filter(|_| with_role).cloned());
                    out.add(service, Value::from(entry));
                }
            }
        }
    }
    out.into_value()
}
