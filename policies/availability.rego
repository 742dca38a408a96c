# Availability management: availability plans.
# Source: "Availability Management" (define, analyze, plan, measure and improve availability; designs that
# meet the availability requirements of all SLAs; failover in the event of a system outage).
# Designed availability versus the SLA targets is XP-013 and CI-to-service links are XP-009
# (cross_process.rego); they are not repeated here.
package opsgate.rules.availability

import data.opsgate.lib
import rego.v1

kinds := {"AvailabilityPlan"}

_avl := "Availability Management"

_fw_plan := {"iso27001": ["A.8.14"], "nist_800_53": ["CP-2", "SC-6"], "itil4": ["Availability management"]}

_a := lib.subject(kinds)

_spec := object.get(_a, "spec", {})

_entries := object.get(_spec, "services", [])

_agreements := object.get(_spec, "agreements", [])

_planned := {entry.service | some entry in _entries}

_sla_spec(id) := object.get(lib.artifact("ServiceLevelAgreement", id), "spec", {})

# The customer SLAs among the plan's agreements: only their targets bind the design (an OLA or UC
# underpins an SLA; XP-012 compares them with it).
_binding := [id | some id in _agreements; _sla_spec(id).type == "SLA"]

# Services an agreement names, in its service list or its targets.
_named(sla_spec) := {s | some s in object.get(
	sla_spec,
	"services",
	[],
)} | {t.service | some t in object.get(sla_spec, "targets", [])}

# Availability targets the referenced agreements set for a service.
_agreed(service) := [t.availability_percent |
	some id in _binding
	some t in object.get(_sla_spec(id), "targets", [])
	t.service == service
	is_number(t.availability_percent)
]

# The target a measurement is judged against: the highest of the plan's and the agreements' targets.
_target(service) := max(targets) if {
	targets := array.concat(
		[e.target_percent | some e in _entries; e.service == service; is_number(e.target_percent)],
		_agreed(service),
	)
	count(targets) > 0
}

_measurements := object.get(_spec, "measurements", [])

_measured := {m.service | some m in _measurements}

metadata["AVL-001"] := {
	"title": "Availability plan references the agreements it serves",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": \"ensuring that all IT infrastructure, processes, tools, roles, and so on, are appropriate for the agreed-upon ",
		"availability targets\"",
	]),
	"rationale": concat(" ", [
		"Availability targets come from agreements; a plan that names none cannot show that it is appropriate for any agreed",
		"target.",
	]),
	"remediation": concat(" ", [
		"List the customer SLAs (ServiceLevelAgreement ids of type SLA) whose availability targets the plan is designed to",
		"meet in spec.agreements. OLAs and UCs may be listed too, as what underpins the design, but only SLA targets bind it",
		"(AVL-002, AVL-004, AVL-010, XP-013).",
	]),
	"frameworks": {
		"iso27001": ["A.8.14", "A.5.20"],
		"nist_800_53": ["CP-2"],
		"itil4": ["Availability management", "Service level management"],
	},
}

deny contains lib.finding("AVL-001", "/spec/agreements", "plan references no service-level agreement") if {
	lib.missing(_spec, "agreements")
}

metadata["AVL-002"] := {
	"title": "Availability plan covers every service of its SLAs",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": \"Systems should be designed to meet the availability requirements listed in all SLAs.\"",
	]),
	"rationale": concat(" ", [
		"A service named in an agreement but missing from the availability plan has no availability design, failover or",
		"monitoring behind its commitment.",
	]),
	"remediation": concat(" ", [
		"Add an entry to spec.services for each service the referenced customer SLAs name (spec.services and spec.targets of",
		"the agreement).",
	]),
	"frameworks": _fw_plan,
}

deny contains lib.finding_with("AVL-002", sprintf("/spec/agreements/%d", [i]), msg, [id, service]) if {
	some i, id in _agreements
	id in _binding
	some service in _named(_sla_spec(id))
	not service in _planned
	msg := sprintf("agreement `%s` names service `%s`, which the plan does not cover", [id, service])
}

metadata["AVL-003"] := {
	"title": "Each planned service states its target and designed availability",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": \"define, analyze, plan, measure, and improve all aspects of the availability of IT services\"",
	]),
	"rationale": concat(" ", [
		"Availability can only be planned and measured against a stated target, and the design is only assessable if its",
		"expected availability is stated.",
	]),
	"remediation": "Fill in target_percent and designed_percent for the service entry in spec.services.",
	"frameworks": _fw_plan,
}

deny contains lib.finding("AVL-003", sprintf("/spec/services/%d", [i]), msg) if {
	some i, entry in _entries
	lacking := lib.lacks(entry, ["target_percent", "designed_percent"])
	msg := sprintf("service `%s` lacks %s", [object.get(entry, "service", "?"), lacking])
}

metadata["AVL-004"] := {
	"title": "Plan targets are at least the agreed availability targets",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": infrastructure, processes and tools must be \"appropriate for the agreed-upon availability targets\"",
	]),
	"rationale": concat(" ", [
		"A plan aiming lower than the agreement commits to less than the customer was promised, and measurements judged",
		"against it hide SLA breaches.",
	]),
	"remediation": concat(" ", [
		"Raise the entry's target_percent to at least the highest availability_percent its referenced agreements set for the",
		"service.",
	]),
	"frameworks": {
		"iso27001": ["A.8.14", "A.5.20"],
		"nist_800_53": ["CP-2"],
		"itil4": ["Availability management", "Service level management"],
	},
}

deny contains lib.finding("AVL-004", sprintf("/spec/services/%d/target_percent", [i]), msg) if {
	some i, entry in _entries
	is_number(entry.target_percent)
	agreed := _agreed(entry.service)
	count(agreed) > 0
	max(agreed) > entry.target_percent
	msg := sprintf(
		"service `%s` is planned for %v%%, below the %v%% its agreements set",
		[entry.service, entry.target_percent, max(agreed)],
	)
}

metadata["AVL-005"] := {
	"title": "Designed availability meets the plan's own target",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [_avl, ": \"Systems should be designed to meet the availability requirements\""]),
	"rationale": concat(" ", [
		"A design that cannot reach the plan's target makes the target a wish. The plan is the artifact that has to change,",
		"so the finding is on the plan whether or not an SLA also sets a target (XP-013 adds the customer SLA's view).",
	]),
	"remediation": concat(" ", [
		"Improve the design (redundancy, failover) until designed_percent reaches target_percent, or justify and lower the",
		"internal target.",
	]),
	"frameworks": _fw_plan,
}

deny contains lib.finding("AVL-005", sprintf("/spec/services/%d/designed_percent", [i]), msg) if {
	some i, entry in _entries
	is_number(entry.target_percent)
	is_number(entry.designed_percent)
	entry.designed_percent < entry.target_percent
	msg := sprintf(
		"service `%s` is designed for %v%%, below the plan's target of %v%%",
		[entry.service, entry.designed_percent, entry.target_percent],
	)
}

metadata["AVL-006"] := {
	"title": "Each planned service defines a failover mechanism",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": platforms \"can act in the event of a system outage (that is, failover running guest OSs to a different host)\"",
	]),
	"rationale": "Without a defined failover mechanism, an outage of one host or zone is an outage of the service.",
	"remediation": concat(" ", [
		"Describe the failover in spec.services[].failover.mechanism (e.g. hypervisor HA restart on another host, multi-zone",
		"load balancing).",
	]),
	"frameworks": {"iso27001": ["A.8.14"], "nist_800_53": ["CP-7", "SC-6"], "itil4": ["Availability management"]},
}

deny contains lib.finding("AVL-006", sprintf("/spec/services/%d/failover", [i]), msg) if {
	some i, entry in _entries
	lib.missing(object.get(entry, "failover", {}), "mechanism")
	msg := sprintf("service `%s` defines no failover mechanism", [object.get(entry, "service", "?")])
}

metadata["AVL-007"] := {
	"title": "Failover is tested at regular intervals",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [_avl, ": \"plan, measure, and improve\"; failover \"in the event of a system outage\""]),
	"rationale": concat(" ", [
		"An untested failover is an assumption; configuration drift routinely breaks failover paths that nobody exercises. A",
		"test dated after the evaluation date is no evidence (and a sign of a wrong record). Interval: param",
		"test_interval_days.",
	]),
	"remediation": "Test the failover and record the date in spec.services[].failover.tested_on.",
	"frameworks": {
		"iso27001": ["A.8.14", "A.5.30"],
		"nist_800_53": ["CP-4", "CP-7"],
		"itil4": ["Availability management"],
	},
}

deny contains lib.finding("AVL-007", sprintf("/spec/services/%d/failover/tested_on", [i]), msg) if {
	some i, entry in _entries
	failover := object.get(entry, "failover", {})
	lib.present(failover, "mechanism")
	lib.missing(failover, "tested_on")
	msg := sprintf(
		"failover of service `%s` (%s) has never been tested",
		[object.get(entry, "service", "?"), failover.mechanism],
	)
}

deny contains lib.finding("AVL-007", sprintf("/spec/services/%d/failover/tested_on", [i]), msg) if {
	some i, entry in _entries
	failover := object.get(entry, "failover", {})
	lib.present(failover, "mechanism")
	is_string(failover.tested_on)
	age := lib.days_between(failover.tested_on, input.as_of)
	age > lib.param("test_interval_days")
	msg := sprintf(
		"failover of service `%s` was last tested on %s, %v days ago (interval: %v days)",
		[object.get(entry, "service", "?"), failover.tested_on, age, lib.param("test_interval_days")],
	)
}

deny contains lib.finding("AVL-007", sprintf("/spec/services/%d/failover/tested_on", [i]), msg) if {
	some i, entry in _entries
	lib.future(entry.failover.tested_on)
	msg := sprintf(
		"failover of service `%s` is recorded as tested on %s, after the evaluation date %s: a future test is no evidence",
		[object.get(entry, "service", "?"), entry.failover.tested_on, input.as_of],
	)
}

metadata["AVL-008"] := {
	"title": "Each planned service has availability monitoring",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": \"define, analyze, plan, measure, and improve\"; tools \"appropriate for the agreed-upon availability targets\"",
	]),
	"rationale": concat(" ", [
		"Availability that is not monitored cannot be measured, reported against the SLA or improved, and outages are",
		"noticed by customers first.",
	]),
	"remediation": concat(" ", [
		"Describe how the service's availability is monitored (tool, probes, alerting) in",
		"spec.services[].monitoring.",
	]),
	"frameworks": {
		"iso27001": ["A.8.16"],
		"nist_800_53": ["SI-4", "CP-2"],
		"itil4": ["Availability management", "Monitoring and event management"],
	},
}

deny contains lib.finding("AVL-008", sprintf("/spec/services/%d/monitoring", [i]), msg) if {
	some i, entry in _entries
	lib.missing(entry, "monitoring")
	msg := sprintf("service `%s` has no availability monitoring", [object.get(entry, "service", "?")])
}

metadata["AVL-009"] := {
	"title": "Availability is measured for every planned service",
	"severity": "warning",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": \"define, analyze, plan, measure, and improve all aspects of the availability of IT services\"",
	]),
	"rationale": concat(" ", [
		"Without measurements nobody knows whether the targets are met, and there is nothing to analyze or",
		"improve.",
	]),
	"remediation": "Record achieved availability per period and service in spec.measurements.",
	"frameworks": {
		"iso27001": ["A.8.16"],
		"nist_800_53": ["SI-4", "CA-7"],
		"itil4": ["Availability management", "Measurement and reporting"],
	},
}

deny contains lib.finding("AVL-009", "/spec/measurements", "plan records no availability measurements") if {
	count(_entries) > 0
	lib.missing(_spec, "measurements")
}

deny contains lib.finding("AVL-009", sprintf("/spec/services/%d", [i]), msg) if {
	lib.present(_spec, "measurements")
	some i, entry in _entries
	not entry.service in _measured
	msg := sprintf("no availability measurement is recorded for service `%s`", [object.get(entry, "service", "?")])
}

metadata["AVL-010"] := {
	"title": "Measured availability meets the target",
	"severity": "warning",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": \"measure, and improve\"; Service Level Management: \"Failure to meet SLAs can have a significant financial ",
		"impact on the provider.\"",
	]),
	"rationale": concat(" ", [
		"A period below target is a breach (or near breach) of the agreement that calls for analysis and an improvement",
		"action.",
	]),
	"remediation": concat(" ", [
		"Analyze the shortfall (incidents, problems, design) and record improvements; the target is the higher of the plan's",
		"target_percent and the referenced agreements' availability_percent.",
	]),
	"frameworks": {
		"iso27001": ["A.8.14", "A.5.20"],
		"nist_800_53": ["CP-2", "CA-7"],
		"itil4": ["Availability management", "Service level management", "Continual improvement"],
	},
}

deny contains lib.finding("AVL-010", sprintf("/spec/measurements/%d/achieved_percent", [i]), msg) if {
	some i, m in _measurements
	is_number(m.achieved_percent)
	target := _target(m.service)
	m.achieved_percent < target
	msg := sprintf(
		"service `%s` achieved %v%% in %v, below its %v%% target",
		[m.service, m.achieved_percent, object.get(m, "period", "?"), target],
	)
}

metadata["AVL-011"] := {
	"title": "Availability plan is reviewed regularly",
	"severity": "error",
	"area": "availability",
	"kinds": ["AvailabilityPlan"],
	"source": concat("", [
		_avl,
		": \"define, analyze, plan, measure, and improve all aspects of the availability of IT services\"",
	]),
	"rationale": concat(" ", [
		"Services, agreements and infrastructure change; a plan not reviewed within the interval no longer describes what is",
		"agreed or deployed. Interval: param review_interval_days.",
	]),
	"remediation": concat(" ", [
		"Review the plan against current agreements, designs and measurements, and record the date in",
		"spec.last_reviewed.",
	]),
	"frameworks": {"iso27001": ["A.8.14", "A.5.30"], "nist_800_53": ["CP-2"], "itil4": ["Availability management"]},
}

deny contains lib.finding("AVL-011", "/spec/last_reviewed", "plan records no review date") if {
	lib.missing(_spec, "last_reviewed")
}

deny contains lib.finding("AVL-011", "/spec/last_reviewed", msg) if {
	lib.future(_spec.last_reviewed)
	msg := sprintf(
		"plan review is dated %s, after the evaluation date %s: a future review is no evidence",
		[_spec.last_reviewed, input.as_of],
	)
}

deny contains lib.finding("AVL-011", "/spec/last_reviewed", msg) if {
	is_string(_spec.last_reviewed)
	age := lib.days_between(_spec.last_reviewed, input.as_of)
	age > lib.param("review_interval_days")
	msg := sprintf(
		"plan was last reviewed on %s, %v days ago (interval: %v days)",
		[_spec.last_reviewed, age, lib.param("review_interval_days")],
	)
}
