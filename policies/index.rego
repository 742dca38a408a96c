# Whole-inventory indexes that cross-artifact rules look up by id instead of scanning every
# artifact per artifact (which would make a check quadratic in the size of the repository).
# Every index is built in one pass (multi-value rules), so building them all is linear.
# opsgate evaluates this package once per run and hands the result to every evaluation as
# `data.precomputed_index`; any other Rego engine (OPA, conftest) can do the same, or let
# `lib.index` compute it on demand.
package opsgate.index

import rego.v1

import data.opsgate.lib

_inv(kind) := object.get(data.inventory, kind, {})

# Release id → incidents that name it in spec.release.
incidents_by_release[release] contains id if {
	some id, incident in _inv("IncidentRecord")
	release := incident.spec.release
	is_string(release)
}

# Service id → SLAs (type SLA) that cover it.
slas_by_service[service] contains id if {
	some id, sla in _inv("ServiceLevelAgreement")
	sla.spec.type == "SLA"
	some service in lib.items(sla.spec, "services")
	is_string(service)
}

# Services an availability plan gives a target.
available_services contains entry.service if {
	some plan in _inv("AvailabilityPlan")
	some entry in lib.items(plan.spec, "services")
	entry.target_percent
}

# CI id → services whose spec.cis list it.
services_listing_ci[ci] contains id if {
	some id, svc in _inv("Service")
	some ci in lib.items(svc.spec, "cis")
	is_string(ci)
}

# Service id → CIs whose spec.service is it.
cis_by_service[service] contains id if {
	some id, ci in _inv("ConfigurationItem")
	service := ci.spec.service
	is_string(service)
}

# Service id → designed availability percentages of the availability plans.
designed_by_service[service] contains entry.designed_percent if {
	some plan in _inv("AvailabilityPlan")
	some entry in lib.items(plan.spec, "services")
	service := entry.service
	is_string(service)
	is_number(entry.designed_percent)
}

# Incidents that a problem record lists.
incidents_in_problems contains id if {
	some problem in _inv("ProblemRecord")
	some id in lib.items(problem.spec, "incidents")
}

# "service|category" → [id, detected_at, explained] of incidents, for recurrence; `explained` when
# the incident belongs to a problem that is resolved or closed: its cause was found and fixed.
incidents_by_kind[key] contains [id, object.get(incident.spec, "detected_at", null), explained] if {
	some id, incident in _inv("IncidentRecord")
	key := incident_key(incident)
	explained := _explained(id, incident)
}

_fixed := {"resolved", "closed"}

_explained(id, incident) := true if {
	_inv("ProblemRecord")[incident.spec.problem].spec.status in _fixed
} else := true if {
	id in incidents_in_fixed_problems
} else := false

# Incidents that a resolved or closed problem record lists.
incidents_in_fixed_problems contains id if {
	some problem in _inv("ProblemRecord")
	problem.spec.status in _fixed
	some id in lib.items(problem.spec, "incidents")
}

incident_key(incident) := sprintf(
	"%v|%v",
	[object.get(incident.spec, "service", null), object.get(incident.spec, "category", null)],
)

# Service id → continuity plans in operation (not retired) that cover it.
plans_by_service[service] contains id if {
	some id, plan in _inv("ContinuityPlan")
	object.get(plan.metadata, "status", "") != "retired"
	some service in lib.items(plan.spec, "services")
	is_string(service)
}

# CI dependency graph: id → ids it depends on. Only depends_on and runs_on are dependencies:
# connects_to is communication (two CIs that talk to each other do not depend on themselves),
# backed_up_by names where copies go, part_of is composition.
ci_graph[id] := {r.target | some r in lib.items(
	ci.spec,
	"relationships",
); r.type in dependency_types; is_string(r.target)} if {
	some id, ci in _inv("ConfigurationItem")
}

dependency_types := {"depends_on", "runs_on"}

# CIs that another CI names as a relationship target (incoming relationships).
ci_relationship_targets contains r.target if {
	some ci in _inv("ConfigurationItem")
	some r in lib.items(ci.spec, "relationships")
	is_string(r.target)
}

# CI id → every CI reachable from it (itself included): one walk per CI, not per relationship.
_ci_reachable[id] := graph.reachable(ci_graph, {id}) if {
	some id, _ in ci_graph
}

# "ci|target" of every relationship that leads back to the CI. opsgate computes the same set in
# linear time (strongly connected components, src/evaluate/cycles.rs) and adds it to the index it
# precomputes, so `all` leaves it out; another engine that precomputes `all` adds this rule to it.
ci_cycle_edges contains sprintf("%s|%s", [id, target]) if {
	some id, targets in ci_graph
	some target in targets
	id in object.get(_ci_reachable, target, set())
}

# Artifact id → kinds of the artifacts with that id (ids are unique, so one kind, unless the
# repository has a duplicate id, which the loader reports).
kinds_by_id[id] contains kind if {
	some kind, ids in data.inventory
	some id, _ in ids
}

# The artifact that carries findings about the repository as a whole (a required document that
# is missing), as [kind, id]: the information security plan (the management system's own
# document), else the first service, else the first of the other management documents, by id. A
# repository that declares no service and none of the management system's documents (a fragment,
# such as a team's change log whose services live elsewhere) has no anchor: its management system
# is judged where its services are declared.
anchor := ["InformationSecurityPlan", min({id | some id, _ in _inv("InformationSecurityPlan")})] if {
	count(_inv("InformationSecurityPlan")) > 0
} else := ["Service", min({id | some id, _ in _inv("Service")})] if {
	count(_inv("Service")) > 0
} else := [kind, first] if {
	first := min({id | some doc_kind in management_documents; some id, _ in _inv(doc_kind)})
	kind := min({k | some k in kinds_by_id[first]; k in management_documents})
}

# The kinds of the management system's own documents (see policies/management_system.rego).
management_documents := {
	"InformationSecurityPlan",
	"IncidentManagementPlan",
	"BusinessImpactAnalysis",
	"ContinuityPlan",
	"ProcessPolicy",
	"ImprovementRegister",
	"ControlImplementation",
}

# The anchor as a list of zero or one entry, so the precomputed index always has the key.
anchors := [a | a := anchor]

# Services listed by a capacity plan.
capacity_services contains service if {
	some plan in _inv("CapacityPlan")
	some service in lib.items(plan.spec, "services")
	is_string(service)
}

# Service id → capacity plans that provision it.
capacity_plans_by_service[service] contains id if {
	some id, plan in _inv("CapacityPlan")
	some service in lib.items(plan.spec, "services")
	is_string(service)
}

# Services with an entry in an availability plan (with or without a target).
availability_planned_services contains entry.service if {
	some plan in _inv("AvailabilityPlan")
	some entry in lib.items(plan.spec, "services")
	is_string(entry.service)
}

# Service id → [capacity plan, cycle name, window start, window end, approval role] of the business
# cycles that load it and name an extra approval for changes inside their windows.
peak_windows_by_service[service] contains [id, cycle.name, window.start, window.end, cycle.approval_role] if {
	some id, plan in _inv("CapacityPlan")
	some cycle in lib.items(plan.spec, "business_cycles")
	is_string(cycle.approval_role)
	some service in lib.items(cycle, "services")
	is_string(service)
	some window in lib.items(cycle, "windows")
	is_string(window.start)
	is_string(window.end)
}

# Service id → [capacity plan, cycle name, window start, window end] of every business cycle that
# loads the service in a dated window, whether or not it names an extra approval (XP-021: planned
# downtime inside a peak).
peak_cycles_by_service[service] contains [id, cycle.name, window.start, window.end] if {
	some id, plan in _inv("CapacityPlan")
	some cycle in lib.items(plan.spec, "business_cycles")
	some service in lib.items(cycle, "services")
	is_string(service)
	some window in lib.items(cycle, "windows")
	is_string(window.start)
	is_string(window.end)
}

# Service types an incident management plan defines incidents for.
incident_service_types contains entry.service_type if {
	some plan in _inv("IncidentManagementPlan")
	some entry in lib.items(plan.spec, "incident_definitions")
	is_string(entry.service_type)
}

# Every index above, as one document: what opsgate precomputes (`data.precomputed_index`).
# Keep it in step with the rules of this package. The comprehensions make an index with no entry
# an empty collection rather than undefined.
all := {
	"incidents_by_release": {k: v | some k, v in incidents_by_release},
	"slas_by_service": {k: v | some k, v in slas_by_service},
	"available_services": {x | some x in available_services},
	"services_listing_ci": {k: v | some k, v in services_listing_ci},
	"cis_by_service": {k: v | some k, v in cis_by_service},
	"designed_by_service": {k: v | some k, v in designed_by_service},
	"incidents_in_problems": {x | some x in incidents_in_problems},
	"incidents_by_kind": {k: v | some k, v in incidents_by_kind},
	"plans_by_service": {k: v | some k, v in plans_by_service},
	"ci_graph": {k: v | some k, v in ci_graph},
	"ci_relationship_targets": {x | some x in ci_relationship_targets},
	"reference_patterns": data.opsgate.rules.references.patterns,
	"kinds_by_id": {k: v | some k, v in kinds_by_id},
	"anchors": anchors,
	"capacity_services": {x | some x in capacity_services},
	"capacity_plans_by_service": {k: v | some k, v in capacity_plans_by_service},
	"availability_planned_services": {x | some x in availability_planned_services},
	"incident_service_types": {x | some x in incident_service_types},
	"peak_windows_by_service": {k: v | some k, v in peak_windows_by_service},
	"peak_cycles_by_service": {k: v | some k, v in peak_cycles_by_service},
}
