# Capacity management: capacity plans.
# Source: "Capacity Management" (adequate provisioning for the agreed service-level targets, all resources,
# monitoring and thresholds against over-capacity) and "Incorporating Management Processes" (business cycles).
# Business-cycle peaks against the critical threshold are XP-017 (cross_process.rego); not repeated here.
package opsgate.rules.capacity

import data.opsgate.lib
import rego.v1

kinds := {"CapacityPlan"}

_cap := "Capacity Management"

_cycles := "Incorporating Management Processes"

_fw_cap := {
	"iso27001": ["A.8.6"],
	"nist_800_53": ["CP-2(2)", "SC-5(2)"],
	"itil4": ["Capacity and performance management"],
}

_fw_monitor := {
	"iso27001": ["A.8.6", "A.8.16"],
	"nist_800_53": ["CP-2(2)", "SI-4"],
	"itil4": ["Capacity and performance management", "Monitoring and event management"],
}

_a := lib.subject(kinds)

_spec := object.get(_a, "spec", {})

_resources := object.get(_spec, "resources", [])

_name(i, resource) := object.get(resource, "name", sprintf("#%d", [i]))

# Current usage as a percentage of capacity.
_usage(resource) := (resource.current_usage * 100) / resource.capacity if {
	is_number(resource.current_usage)
	is_number(resource.capacity)
	resource.capacity > 0
}

_pct(x) := round(x * 10) / 10

_at_critical(resource) if {
	is_number(resource.critical_threshold_percent)
	_usage(resource) >= resource.critical_threshold_percent
}

_at_critical(resource) if _usage(resource) >= 100

# The level CAP-007 compares with: the critical threshold, capped at full capacity.
_critical_level(resource) := min([
	resource.critical_threshold_percent,
	100,
]) if is_number(resource.critical_threshold_percent)

_critical_level(resource) := 100 if not is_number(resource.critical_threshold_percent)

metadata["CAP-001"] := {
	"title": "Capacity plan names the services it provisions",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [
		_cap,
		": infrastructure \"adequately provisioned to deliver the agreed service-level targets\"",
	]),
	"rationale": concat(" ", [
		"Capacity is only adequate relative to the services and service-level targets it must carry; a plan for no service",
		"cannot be judged adequate.",
	]),
	"remediation": "List the Service ids the plan provisions in spec.services.",
	"frameworks": _fw_cap,
}

deny contains lib.finding("CAP-001", "/spec/services", "plan names no service it provisions") if {
	lib.missing(_spec, "services")
}

metadata["CAP-002"] := {
	"title": "Capacity plan lists the resources the services need",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [_cap, ": \"Capacity management considers all resources required to deliver IT services\""]),
	"rationale": "A resource that is not in the plan is neither sized, monitored nor protected by thresholds.",
	"remediation": "List every resource (compute, storage, network, licences, ...) in spec.resources.",
	"frameworks": _fw_cap,
}

deny contains lib.finding("CAP-002", "/spec/resources", "plan lists no resources") if {
	lib.missing(_spec, "resources")
}

metadata["CAP-003"] := {
	"title": "Each resource states its capacity and current usage",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [
		_cap,
		": \"considers all resources required to deliver IT services\"; \"The system capacity must be monitored\"",
	]),
	"rationale": concat(" ", [
		"Without a unit, a positive capacity and the current usage, a resource's headroom cannot be computed or compared",
		"with its thresholds.",
	]),
	"remediation": "Fill in name, unit, capacity (greater than 0) and current_usage for the resource.",
	"frameworks": _fw_cap,
}

deny contains lib.finding("CAP-003", sprintf("/spec/resources/%d", [i]), msg) if {
	some i, resource in _resources
	lacking := lib.lacks(resource, ["name", "unit", "capacity", "current_usage"])
	msg := sprintf("resource `%s` lacks %s", [_name(i, resource), lacking])
}

deny contains lib.finding("CAP-003", sprintf("/spec/resources/%d/capacity", [i]), msg) if {
	some i, resource in _resources
	is_number(resource.capacity)
	resource.capacity <= 0
	msg := sprintf(
		"resource `%s` has a capacity of %v; it must be greater than 0",
		[_name(i, resource), resource.capacity],
	)
}

metadata["CAP-004"] := {
	"title": "Each resource is monitored and alerts a person",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [_cap, ": \"The system capacity must be monitored\""]),
	"rationale": concat(" ", [
		"A threshold nobody watches prevents nothing: monitoring must run in a tool and alert someone who can",
		"act.",
	]),
	"remediation": "Fill in the resource's monitoring.tool and monitoring.alert_to (a Person id).",
	"frameworks": _fw_monitor,
}

deny contains lib.finding("CAP-004", sprintf("/spec/resources/%d/monitoring", [i]), msg) if {
	some i, resource in _resources
	lacking := lib.lacks(object.get(resource, "monitoring", {}), ["tool", "alert_to"])
	msg := sprintf("monitoring of resource `%s` lacks %s", [_name(i, resource), lacking])
}

metadata["CAP-005"] := {
	"title": "Each resource has warning and critical thresholds",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [
		_cap,
		": \"thresholds must be set to prevent systems from reaching an over-capacity situation\"",
	]),
	"rationale": concat(" ", [
		"Thresholds turn monitoring into early warning: the warning level buys time to provision, the critical level marks",
		"the last safe point.",
	]),
	"remediation": "Set warning_threshold_percent and critical_threshold_percent for the resource.",
	"frameworks": _fw_monitor,
}

deny contains lib.finding("CAP-005", sprintf("/spec/resources/%d", [i]), msg) if {
	some i, resource in _resources
	lacking := lib.lacks(resource, ["warning_threshold_percent", "critical_threshold_percent"])
	msg := sprintf("resource `%s` lacks %s", [_name(i, resource), lacking])
}

metadata["CAP-006"] := {
	"title": "Resource thresholds are ordered below full capacity",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [_cap, ": thresholds \"set to prevent systems from reaching an over-capacity situation\""]),
	"rationale": concat(" ", [
		"A warning level at or above the critical level never warns first, and a critical level of 100% or more fires only",
		"once the system is already at or over capacity: the source asks for thresholds set \"to prevent systems from",
		"reaching an over-capacity situation\".",
	]),
	"remediation": "Use 0 < warning_threshold_percent < critical_threshold_percent < 100.",
	"frameworks": _fw_monitor,
}

deny contains lib.finding("CAP-006", sprintf("/spec/resources/%d/warning_threshold_percent", [i]), msg) if {
	some i, resource in _resources
	is_number(resource.warning_threshold_percent)
	is_number(resource.critical_threshold_percent)
	resource.warning_threshold_percent >= resource.critical_threshold_percent
	msg := sprintf(
		"resource `%s` warns at %v%%, not below its critical threshold of %v%%",
		[_name(i, resource), resource.warning_threshold_percent, resource.critical_threshold_percent],
	)
}

deny contains lib.finding("CAP-006", sprintf("/spec/resources/%d/warning_threshold_percent", [i]), msg) if {
	some i, resource in _resources
	is_number(resource.warning_threshold_percent)
	resource.warning_threshold_percent <= 0
	msg := sprintf(
		"resource `%s` warns at %v%%, which is always reached",
		[_name(i, resource), resource.warning_threshold_percent],
	)
}

deny contains lib.finding("CAP-006", sprintf("/spec/resources/%d/critical_threshold_percent", [i]), msg) if {
	some i, resource in _resources
	is_number(resource.critical_threshold_percent)
	resource.critical_threshold_percent >= 100
	msg := sprintf(
		concat("", [
			"resource `%s` has a critical threshold of %v%%: it alerts only when the resource is already full, not before it ",
			"gets there",
		]),
		[_name(i, resource), resource.critical_threshold_percent],
	)
}

metadata["CAP-007"] := {
	"title": "Resource usage is below its critical threshold and its capacity",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [_cap, ": thresholds \"to prevent systems from reaching an over-capacity situation\""]),
	"rationale": concat(" ", [
		"Usage at or above the critical threshold (current_usage / capacity * 100), or at full capacity when no critical",
		"threshold is set, means the resource is running out: the service-level targets are at immediate risk.",
	]),
	"remediation": "Add capacity (raise capacity) or reduce the load, then update current_usage.",
	"frameworks": _fw_cap,
}

deny contains lib.finding("CAP-007", sprintf("/spec/resources/%d/current_usage", [i]), msg) if {
	some i, resource in _resources
	_at_critical(resource)
	msg := sprintf(
		"resource `%s` is at %v%% of capacity (%v of %v %s), at or above its critical level of %v%%",
		[
			_name(i, resource),
			_pct(_usage(resource)),
			resource.current_usage,
			resource.capacity,
			object.get(resource, "unit", ""),
			_critical_level(resource),
		],
	)
}

metadata["CAP-008"] := {
	"title": "Resource usage is below its warning threshold",
	"severity": "warning",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [_cap, ": infrastructure \"adequately provisioned ... in a timely and cost-effective manner\""]),
	"rationale": concat(" ", [
		"Usage at or above the warning threshold is the signal to start provisioning while there is still time to do it in a",
		"timely and cost-effective way.",
	]),
	"remediation": "Plan and schedule additional capacity (a change) before usage reaches the critical threshold.",
	"frameworks": _fw_cap,
}

deny contains lib.finding("CAP-008", sprintf("/spec/resources/%d/current_usage", [i]), msg) if {
	some i, resource in _resources
	is_number(resource.warning_threshold_percent)
	resource.warning_threshold_percent > 0
	_usage(resource) >= resource.warning_threshold_percent
	not _at_critical(resource)
	msg := sprintf(
		"resource `%s` is at %v%% of capacity (%v of %v %s), at or above its warning threshold of %v%%",
		[
			_name(i, resource),
			_pct(_usage(resource)),
			resource.current_usage,
			resource.capacity,
			object.get(resource, "unit", ""),
			resource.warning_threshold_percent,
		],
	)
}

metadata["CAP-009"] := {
	"title": "Capacity plan considers business cycles",
	"severity": "warning",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [
		_cycles,
		": \"be aware of these business cycles to work with capacity management ... to ensure that the appropriate ",
		"infrastructure is always provisioned\"",
	]),
	"rationale": concat(" ", [
		"Seasonal, cyclical and event-driven peaks (holiday sales, the World Cup) are predictable; a plan sized only for",
		"today's load fails on them.",
	]),
	"remediation": "Record the business cycles that drive demand in spec.business_cycles.",
	"frameworks": {"iso27001": ["A.8.6"], "nist_800_53": ["CP-2(2)"], "itil4": ["Capacity and performance management"]},
}

deny contains lib.finding("CAP-009",
	"/spec/business_cycles", "plan considers no business cycles (seasonal, cyclical or event-driven peaks)") if {
	lib.missing(_spec, "business_cycles")
}

metadata["CAP-010"] := {
	"title": "Each business cycle states its period, expected peak and provision",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [
		_cycles,
		": \"Some are seasonal; some are cyclical\"; \"ensure that the appropriate infrastructure is always provisioned and ",
		"available to meet customer demand\"",
	]),
	"rationale": concat(" ", [
		"A cycle is only actionable when its kind, timing, expected peak factor and the provision made for it are known;",
		"without a peak factor it cannot be checked against capacity.",
	]),
	"remediation": "Fill in name, kind, period, expected_peak_factor and provision for the business cycle.",
	"frameworks": {"iso27001": ["A.8.6"], "nist_800_53": ["CP-2(2)"], "itil4": ["Capacity and performance management"]},
}

deny contains lib.finding("CAP-010", sprintf("/spec/business_cycles/%d", [i]), msg) if {
	some i, cycle in object.get(_spec, "business_cycles", [])
	lacking := lib.lacks(cycle, ["name", "kind", "period", "expected_peak_factor", "provision"])
	msg := sprintf("business cycle `%s` lacks %s", [object.get(cycle, "name", sprintf("#%d", [i])), lacking])
}

metadata["CAP-011"] := {
	"title": "Capacity plan is reviewed regularly",
	"severity": "error",
	"area": "capacity",
	"kinds": ["CapacityPlan"],
	"source": concat("", [
		_cap,
		": \"Capacity management is a critical function.\"; \"The system capacity must be monitored\"",
	]),
	"rationale": concat(" ", [
		"Usage grows and services change; a capacity plan not reviewed within the interval sizes yesterday's demand.",
		"Interval: param review_interval_days.",
	]),
	"remediation": "Review capacities, usage, thresholds and business cycles, and record the date in spec.last_reviewed.",
	"frameworks": _fw_cap,
}

deny contains lib.finding("CAP-011", "/spec/last_reviewed", "plan records no review date") if {
	lib.missing(_spec, "last_reviewed")
}

deny contains lib.finding("CAP-011", "/spec/last_reviewed", msg) if {
	lib.future(_spec.last_reviewed)
	msg := sprintf(
		"plan review is dated %s, after the evaluation date %s: a future review is no evidence",
		[_spec.last_reviewed, input.as_of],
	)
}

deny contains lib.finding("CAP-011", "/spec/last_reviewed", msg) if {
	is_string(_spec.last_reviewed)
	age := lib.days_between(_spec.last_reviewed, input.as_of)
	age > lib.param("review_interval_days")
	msg := sprintf(
		"plan was last reviewed on %s, %v days ago (interval: %v days)",
		[_spec.last_reviewed, age, lib.param("review_interval_days")],
	)
}
