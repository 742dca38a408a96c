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

# "service|category" → [id, detected_at] of incidents, for recurrence.
incidents_by_kind[key] contains [id, object.get(incident.spec, "detected_at", null)] if {
	some id, incident in _inv("IncidentRecord")
	key := incident_key(incident)
}

incident_key(incident) := sprintf("%v|%v", [object.get(incident.spec, "service", null), object.get(incident.spec, "category", null)])

# Service id → continuity plans that cover it.
plans_by_service[service] contains id if {
	some id, plan in _inv("ContinuityPlan")
	some service in lib.items(plan.spec, "services")
	is_string(service)
}

# CI dependency graph: id → ids it relates to.
ci_graph[id] := {r.target | some r in lib.items(ci.spec, "relationships"); is_string(r.target)} if {
	some id, ci in _inv("ConfigurationItem")
}

# "ci|target" of every relationship that leads back to the CI.
ci_cycle_edges contains sprintf("%s|%s", [id, target]) if {
	some id, targets in ci_graph
	some target in targets
	id in graph.reachable(ci_graph, {target})
}

# Artifact id → kinds of the artifacts with that id (ids are unique, so one kind, unless the
# repository has a duplicate id, which the loader reports).
kinds_by_id[id] contains kind if {
	some kind, ids in data.inventory
	some id, _ in ids
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
	"ci_cycle_edges": {x | some x in ci_cycle_edges},
	"reference_patterns": data.opsgate.rules.references.patterns,
	"kinds_by_id": {k: v | some k, v in kinds_by_id},
}
