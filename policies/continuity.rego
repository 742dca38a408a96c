# Business continuity management: business impact analyses and continuity plans.
# Source: "Business Continuity Management" (a prioritized ranking of systems and services, created and
# maintained through a BIA) and "Continuity Management Plan" (five required contents; tested at regular
# intervals). BIA coverage by plans (XP-015) and recovery objectives versus the BIA's RTO/RPO (XP-016)
# are in cross_process.rego; they are not repeated here.
package opsgate.rules.continuity

import data.opsgate.lib
import rego.v1

kinds := {"BusinessImpactAnalysis", "ContinuityPlan"}

_bcm := "Business Continuity Management"

_plan := "Continuity Management Plan"

_fw_bia := {"iso27001": ["A.5.30"], "nist_800_53": ["CP-2(8)", "RA-9"], "itil4": ["Service continuity management"]}

_fw_plan := {"iso27001": ["A.5.29", "A.5.30"], "nist_800_53": ["CP-2"], "itil4": ["Service continuity management"]}

_a := lib.subject(kinds)

_spec := object.get(_a, "spec", {})

_is_bia if _a.kind == "BusinessImpactAnalysis"

_is_plan if _a.kind == "ContinuityPlan"

# --- Business impact analysis -----------------------------------------------------------------

_ranked := object.get(_spec, "services", [])

_criticality := {"critical": 4, "high": 3, "medium": 2, "low": 1}

metadata["BCM-001"] := {
	"title": "Business impact analysis is approved",
	"severity": "error",
	"area": "continuity",
	"kinds": ["BusinessImpactAnalysis"],
	"source": concat("", [
		_bcm,
		": \"a prioritized ranking or listing of systems and services must be created and maintained. This is accomplished ",
		"through the use of a business impact analysis (BIA) process.\"",
	]),
	"rationale": concat(" ", [
		"The BIA decides which services are recovered first; an unapproved ranking has no business authority behind those",
		"priorities.",
	]),
	"remediation": "Have the business owner approve the BIA and record it in spec.approval (decision: approved).",
	"frameworks": _fw_bia,
}

deny contains lib.finding("BCM-001", "/spec/approval", "BIA records no approval") if {
	_is_bia
	lib.missing(_spec, "approval")
}

deny contains lib.finding("BCM-001", "/spec/approval/decision", msg) if {
	_is_bia
	lib.present(_spec, "approval")
	not lib.is_approved(_spec.approval)
	msg := sprintf("BIA approval has decision `%v`, not `approved`", [object.get(_spec.approval, "decision", "none")])
}

metadata["BCM-002"] := {
	"title": "Business impact analysis is completed and kept current",
	"severity": "error",
	"area": "continuity",
	"kinds": ["BusinessImpactAnalysis"],
	"source": concat("", [
		_bcm,
		": the prioritized ranking \"must be created and maintained\"; \"Once the BIA has been completed ...\"",
	]),
	"rationale": concat(" ", [
		"Services, dependencies and business priorities change; a BIA older than the review interval ranks a business that",
		"no longer exists. Interval: param review_interval_days.",
	]),
	"remediation": "Complete (or redo) the BIA and record the date in spec.completed_on.",
	"frameworks": _fw_bia,
}

deny contains lib.finding("BCM-002", "/spec/completed_on", "BIA records no completion date") if {
	_is_bia
	lib.missing(_spec, "completed_on")
}

deny contains lib.finding("BCM-002", "/spec/completed_on", msg) if {
	_is_bia
	lib.future(_spec.completed_on)
	msg := sprintf("BIA completion is dated %s, after the evaluation date %s", [_spec.completed_on, input.as_of])
}

deny contains lib.finding("BCM-002", "/spec/completed_on", msg) if {
	_is_bia
	is_string(_spec.completed_on)
	age := lib.days_between(_spec.completed_on, input.as_of)
	age > lib.param("review_interval_days")
	msg := sprintf(
		"BIA was completed on %s, %v days ago (interval: %v days)",
		[_spec.completed_on, age, lib.param("review_interval_days")],
	)
}

metadata["BCM-003"] := {
	"title": "Business impact analysis lists the services it ranks",
	"severity": "error",
	"area": "continuity",
	"kinds": ["BusinessImpactAnalysis"],
	"source": concat("", [
		_bcm,
		": \"The BIA is designed to identify and produce a prioritized listing of systems and services critical to the ",
		"normal functioning of the business.\"",
	]),
	"rationale": "A BIA without services produces no ranking, so continuity plans have nothing to prioritize against.",
	"remediation": "List the services in spec.services, each with its rank, criticality, RTO, RPO and impact.",
	"frameworks": _fw_bia,
}

deny contains lib.finding("BCM-003", "/spec/services", "BIA ranks no services") if {
	_is_bia
	lib.missing(_spec, "services")
}

metadata["BCM-004"] := {
	"title": "Each ranked service states rank, criticality, RTO, RPO and impact",
	"severity": "error",
	"area": "continuity",
	"kinds": ["BusinessImpactAnalysis"],
	"source": concat("", [
		_bcm,
		": \"a prioritized ranking or listing of systems and services\"; BCM \"identifies potential threats ... and the ",
		"impacts to business operations\"",
	]),
	"rationale": concat(" ", [
		"Rank and criticality set the recovery order, RTO and RPO set what the continuity plan must achieve, and the impact",
		"justifies both.",
	]),
	"remediation": "Fill in rank, criticality, rto_hours, rpo_hours and impact for the service entry.",
	"frameworks": {
		"iso27001": ["A.5.30"],
		"nist_800_53": ["CP-2(8)", "RA-9", "CP-10"],
		"itil4": ["Service continuity management"],
	},
}

deny contains lib.finding("BCM-004", sprintf("/spec/services/%d", [i]), msg) if {
	_is_bia
	some i, entry in _ranked
	lacking := lib.lacks(entry, ["rank", "criticality", "rto_hours", "rpo_hours", "impact"])
	msg := sprintf("service `%s` lacks %s", [object.get(entry, "service", "?"), lacking])
}

metadata["BCM-005"] := {
	"title": "BIA ranking is unambiguous",
	"severity": "error",
	"area": "continuity",
	"kinds": ["BusinessImpactAnalysis"],
	"source": concat("", [_bcm, ": \"a prioritized ranking or listing of systems and services must be created\""]),
	"rationale": concat(" ", [
		"Two services with the same rank, or one service ranked twice, leave the recovery order to whoever is on call during",
		"the disaster.",
	]),
	"remediation": "Give every service entry a distinct rank and list each service once.",
	"frameworks": _fw_bia,
}

deny contains lib.finding("BCM-005", sprintf("/spec/services/%d/rank", [i]), msg) if {
	_is_bia
	some i, entry in _ranked
	is_number(entry.rank)
	some j, other in _ranked
	j < i
	other.rank == entry.rank
	first := min([k | some k, e in _ranked; e.rank == entry.rank])
	j == first
	msg := sprintf(
		"service `%s` has rank %v, the same as `%s`",
		[object.get(entry, "service", "?"), entry.rank, object.get(other, "service", "?")],
	)
}

deny contains lib.finding("BCM-005", sprintf("/spec/services/%d/service", [i]), msg) if {
	_is_bia
	some i, entry in _ranked
	is_string(entry.service)
	some j, other in _ranked
	j < i
	other.service == entry.service
	j == min([k | some k, e in _ranked; e.service == entry.service])
	msg := sprintf("service `%s` is ranked twice (entries %d and %d)", [entry.service, j, i])
}

metadata["BCM-006"] := {
	"title": "BIA ranking follows criticality",
	"severity": "warning",
	"area": "continuity",
	"kinds": ["BusinessImpactAnalysis"],
	"source": concat("", [
		_bcm,
		": \"ensure that their mission-critical systems can be restored to service\" in the order of the prioritized ranking",
	]),
	"rationale": concat(" ", [
		"A service ranked behind a less critical one is recovered after it; either the rank or the criticality is",
		"wrong.",
	]),
	"remediation": "Rank more critical services before less critical ones, or correct the criticality.",
	"frameworks": _fw_bia,
}

deny contains lib.finding("BCM-006", sprintf("/spec/services/%d/rank", [i]), msg) if {
	_is_bia
	some i, entry in _ranked
	is_number(entry.rank)
	level := _criticality[entry.criticality]
	ahead := sort([sprintf("`%s` (%s, rank %v)", [object.get(e, "service", "?"), e.criticality, e.rank]) |
		some e in _ranked
		is_number(e.rank)
		e.rank < entry.rank
		_criticality[e.criticality] < level
	])
	count(ahead) > 0
	msg := sprintf(
		"%s service `%s` (rank %v) is ranked behind less critical %s",
		[entry.criticality, object.get(entry, "service", "?"), entry.rank, concat(", ", ahead)],
	)
}

# --- Continuity plan --------------------------------------------------------------------------

_bia := lib.artifact("BusinessImpactAnalysis", _spec.bia) if _is_plan

metadata["BCM-007"] := {
	"title": "Continuity plan is based on a business impact analysis",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [
		_bcm,
		": \"Once the BIA has been completed, the cloud security operations management professionals can go about devising ",
		"plans and strategies\"",
	]),
	"rationale": "Without a BIA the plan's priorities, RTOs and RPOs are guesses that nobody in the business agreed to.",
	"remediation": "Reference the BusinessImpactAnalysis the plan implements in spec.bia.",
	"frameworks": {"iso27001": ["A.5.30"], "nist_800_53": ["CP-2", "CP-2(8)"], "itil4": ["Service continuity management"]},
}

deny contains lib.finding("BCM-007", "/spec/bia", "plan references no business impact analysis") if {
	_is_plan
	lib.missing(_spec, "bia")
}

metadata["BCM-008"] := {
	"title": "Continuity plan names the services it covers",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [
		_bcm,
		": plans \"that will enable the continuation of business operations and the quick recovery\" of the prioritized ",
		"systems and services",
	]),
	"rationale": concat(" ", [
		"A plan that does not say which services it restores cannot be checked against the BIA or exercised",
		"meaningfully.",
	]),
	"remediation": "List the Service ids the plan covers in spec.services.",
	"frameworks": _fw_plan,
}

deny contains lib.finding("BCM-008", "/spec/services", "plan names no services it covers") if {
	_is_plan
	lib.missing(_spec, "services")
}

metadata["BCM-009"] := {
	"title": "Services of the continuity plan are ranked in its BIA",
	"severity": "warning",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [
		_bcm,
		": \"To focus the BCM activities correctly, a prioritized ranking or listing of systems and services must be ",
		"created\"",
	]),
	"rationale": concat(" ", [
		"A service the plan covers but the BIA does not rank has no agreed priority, RTO or RPO to recover it",
		"by.",
	]),
	"remediation": concat(" ", [
		"Add the service to the referenced BIA (spec.services with rank, criticality, RTO and RPO), or remove it from the",
		"plan.",
	]),
	"frameworks": _fw_bia,
}

deny contains lib.finding_with("BCM-009", sprintf("/spec/services/%d", [i]), msg, [_spec.bia]) if {
	_is_plan
	ranked := {e.service | some e in object.get(object.get(_bia, "spec", {}), "services", [])}
	some i, service in object.get(_spec, "services", [])
	not service in ranked
	msg := sprintf("service `%s` is not ranked in BIA `%s`", [service, _spec.bia])
}

metadata["BCM-010"] := {
	"title": "Continuity plan states the capability and capacity of backup systems",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [_plan, ", item 1: \"Required capability and capacity of backup systems\""]),
	"rationale": concat(" ", [
		"A failover site that lacks a needed capability, or the capacity to carry the load, fails exactly when it is",
		"needed.",
	]),
	"remediation": "Fill in spec.backup_capability with capability, capacity and the backup sites.",
	"frameworks": {
		"iso27001": ["A.5.30", "A.8.13", "A.8.14"],
		"nist_800_53": ["CP-2", "CP-6", "CP-7"],
		"itil4": ["Service continuity management"],
	},
}

deny contains lib.finding("BCM-010", "/spec/backup_capability", msg) if {
	_is_plan
	lacking := lib.lacks(object.get(_spec, "backup_capability", {}), ["capability", "capacity", "sites"])
	msg := sprintf("backup systems lack %s", [lacking])
}

metadata["BCM-011"] := {
	"title": "Continuity plan defines the events that trigger it",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [_plan, ", item 2: \"Trigger events to implement the plan\""]),
	"rationale": "Without defined triggers, invoking the plan is debated during the disruption and recovery starts late.",
	"remediation": "List the trigger events (e.g. loss of a region, ransomware on production) in spec.triggers.",
	"frameworks": _fw_plan,
}

deny contains lib.finding("BCM-011", "/spec/triggers", "plan defines no trigger events") if {
	_is_plan
	lib.missing(_spec, "triggers")
}

metadata["BCM-012"] := {
	"title": "Continuity roles name a person with name and title, and their responsibilities",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [_plan, ", item 3: \"Clearly defined roles and responsibilities by name and title\""]),
	"rationale": concat(" ", [
		"In a disaster people must know who decides and acts; a role without a named person, a title or responsibilities is",
		"not clearly defined.",
	]),
	"remediation": concat(" ", [
		"Fill in spec.roles with role, person (a Person id whose spec has name and title) and",
		"responsibilities.",
	]),
	"frameworks": {
		"iso27001": ["A.5.2", "A.5.29"],
		"nist_800_53": ["CP-2", "CP-3"],
		"itil4": ["Service continuity management"],
	},
}

deny contains lib.finding("BCM-012", "/spec/roles", "plan defines no roles") if {
	_is_plan
	lib.missing(_spec, "roles")
}

deny contains lib.finding("BCM-012", sprintf("/spec/roles/%d", [i]), msg) if {
	_is_plan
	some i, role in object.get(_spec, "roles", [])
	lacking := lib.lacks(role, ["role", "person", "responsibilities"])
	msg := sprintf("role `%s` lacks %s", [object.get(role, "role", sprintf("#%d", [i])), lacking])
}

# A person that does not exist is REF-001's finding; here the person must carry a name and a title.
deny contains lib.finding_with("BCM-012", sprintf("/spec/roles/%d/person", [i]), msg, [role.person]) if {
	_is_plan
	some i, role in object.get(_spec, "roles", [])
	person := lib.person(role.person)
	lacking := lib.lacks(object.get(person, "spec", {}), ["name", "title"])
	msg := sprintf(
		"role `%s` names person `%s`, whose record lacks %s",
		[object.get(role, "role", sprintf("#%d", [i])), role.person, lacking],
	)
}

metadata["BCM-013"] := {
	"title": "Continuity plan defines continuity and recovery procedures",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [_plan, ", item 4: \"Clearly defined continuity and recovery procedures\""]),
	"rationale": concat(" ", [
		"Continuity procedures keep the business running during the disruption; recovery procedures bring the services back.",
		"A plan needs both.",
	]),
	"remediation": "Describe both in spec.procedures.continuity and spec.procedures.recovery.",
	"frameworks": {
		"iso27001": ["A.5.29", "A.5.30"],
		"nist_800_53": ["CP-2", "CP-10"],
		"itil4": ["Service continuity management"],
	},
}

deny contains lib.finding("BCM-013", "/spec/procedures", msg) if {
	_is_plan
	lacking := lib.lacks(object.get(_spec, "procedures", {}), ["continuity", "recovery"])
	msg := sprintf("plan lacks %s procedures", [lacking])
}

metadata["BCM-014"] := {
	"title": "Continuity plan defines notification requirements",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [_plan, ", item 5: \"Notification requirements\""]),
	"rationale": concat(" ", [
		"Customers, staff, regulators and suppliers must be told who is notified, how and by when; missed notification",
		"deadlines compound the disruption.",
	]),
	"remediation": "List each notification in spec.notification with audience, method and within_hours.",
	"frameworks": {"iso27001": ["A.5.29", "A.5.24"], "nist_800_53": ["CP-2"], "itil4": ["Service continuity management"]},
}

deny contains lib.finding("BCM-014", "/spec/notification", "plan defines no notification requirements") if {
	_is_plan
	lib.missing(_spec, "notification")
}

deny contains lib.finding("BCM-014", sprintf("/spec/notification/%d", [i]), msg) if {
	_is_plan
	some i, notice in object.get(_spec, "notification", [])
	lacking := lib.lacks(notice, ["audience", "method", "within_hours"])
	msg := sprintf("notification `%s` lacks %s", [object.get(notice, "audience", sprintf("#%d", [i])), lacking])
}

_tests := object.get(_spec, "tests", [])

_interval := object.get(_spec, "test_interval_days", lib.param("test_interval_days"))

# Tests dated after the evaluation date are no evidence: they are reported, not counted.
_past_tests := [t | some t in _tests; is_string(t.date); not lib.future(t.date)]

_latest := max(dates) if {
	dates := [t.date | some t in _past_tests]
	count(dates) > 0
}

_latest_index := min([i | some i, t in _tests; t.date == _latest])

metadata["BCM-015"] := {
	"title": "Continuity plan is tested at regular intervals",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [_plan, ": \"The plan should be tested at regular intervals\""]),
	"rationale": concat(" ", [
		"Only a test shows whether the plan works with today's systems and people. Interval: spec.test_interval_days, else",
		"param test_interval_days.",
	]),
	"remediation": "Test the plan (tabletop, failover, full recovery) and record it in spec.tests.",
	"frameworks": {
		"iso27001": ["A.5.30"],
		"nist_800_53": ["CP-4"],
		"cis_v8": ["11.5"],
		"itil4": ["Service continuity management"],
	},
}

deny contains lib.finding("BCM-015", "/spec/tests", msg) if {
	_is_plan
	count(_past_tests) == 0
	msg := sprintf("plan has no recorded test on or before %s", [input.as_of])
}

deny contains lib.finding("BCM-015", sprintf("/spec/tests/%d/date", [i]), msg) if {
	_is_plan
	some i, test in _tests
	lib.future(test.date)
	msg := sprintf("test dated %s is after the evaluation date %s: a future test is no evidence", [test.date, input.as_of])
}

deny contains lib.finding("BCM-015", sprintf("/spec/tests/%d/date", [_latest_index]), msg) if {
	_is_plan
	age := lib.days_between(_latest, input.as_of)
	age > _interval
	msg := sprintf("plan was last tested on %s, %v days ago (interval: %v days)", [_latest, age, _interval])
}

metadata["BCM-016"] := {
	"title": "Latest continuity test passed",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [_plan, ": \"The plan should be tested at regular intervals\""]),
	"rationale": "A failed or partial latest test means the plan is currently known not to work.",
	"remediation": "Fix the plan or the backup systems and re-test until a test passes.",
	"frameworks": {
		"iso27001": ["A.5.30"],
		"nist_800_53": ["CP-4"],
		"cis_v8": ["11.5"],
		"itil4": ["Service continuity management"],
	},
}

deny contains lib.finding("BCM-016", sprintf("/spec/tests/%d/result", [i]), msg) if {
	_is_plan
	some i, test in _tests
	test.date == _latest
	test.result != "passed"
	msg := sprintf("latest test (%s, %s) has result `%s`", [test.date, object.get(test, "type", "?"), test.result])
}

metadata["BCM-017"] := {
	"title": "Lessons learned from continuity tests are applied to the plan",
	"severity": "warning",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [
		_plan,
		": \"The plan should be tested at regular intervals\"; Continual Service Improvement Management",
	]),
	"rationale": "Testing is wasted if what it taught is not written back into the plan.",
	"remediation": "Update the plan with the test's lessons_learned and set plan_updated: true on the test.",
	"frameworks": {
		"iso27001": ["A.5.30", "A.5.27"],
		"nist_800_53": ["CP-4"],
		"itil4": ["Service continuity management", "Continual improvement"],
	},
}

deny contains lib.finding("BCM-017", sprintf("/spec/tests/%d/plan_updated", [i]), msg) if {
	_is_plan
	some i, test in _tests
	count(object.get(test, "lessons_learned", [])) > 0
	object.get(test, "plan_updated", false) != true
	msg := sprintf(
		"test of %s recorded lessons learned (%d) that were not applied to the plan (plan_updated is not true)",
		[object.get(test, "date", "?"), count(test.lessons_learned)],
	)
}

# --- Backup systems against the BIA and the capacity plans ---------------------------------------

_backup := object.get(_spec, "backup_capability", {})

_plan_services := {s | some s in lib.items(_spec, "services"); is_string(s)}

metadata["BCM-020"] := {
	"title": "Backup systems can carry the load within the RTO",
	"severity": "error",
	"area": "continuity",
	"kinds": ["ContinuityPlan"],
	"source": concat("", [
		_plan,
		", item 1: \"Required capability and capacity of backup systems\"; ",
		_bcm,
		": services \"restored to service\" as prioritized by the BIA; Capacity Management",
	]),
	"rationale": concat(" ", [
		"Backup systems that take longer to bring up than the BIA's recovery time objective, or that cannot carry the load",
		"the capacity plan shows today, fail the plan on the day it is invoked. Capacity and recovery time are stated as",
		"numbers so they can be compared with the BIA and the capacity plan.",
	]),
	"remediation": concat(" ", [
		"State spec.backup_capability.recovery_hours (at most the BIA's lowest RTO of the plan's services) and",
		"capacity_percent (enough of production capacity to carry every planned resource's current usage), or enlarge the",
		"backup systems.",
	]),
	"frameworks": {
		"iso27001": ["A.5.30", "A.8.14", "A.8.6"],
		"nist_800_53": ["CP-2(2)", "CP-7"],
		"itil4": ["Service continuity management", "Capacity and performance management"],
	},
}

deny contains lib.finding("BCM-020", "/spec/backup_capability", msg) if {
	_is_plan
	missing := [f | some f in ["recovery_hours", "capacity_percent"]; not is_number(object.get(_backup, f, null))]
	count(missing) > 0
	msg := sprintf(
		"backup systems state no %s, so they cannot be compared with the BIA's RTO and the capacity plan",
		[lib.join_names(missing)],
	)
}

deny contains lib.finding_with("BCM-020", "/spec/backup_capability/recovery_hours", msg, [_spec.bia]) if {
	_is_plan
	hours := _backup.recovery_hours
	is_number(hours)
	some entry in lib.items(_bia.spec, "services")
	entry.service in _plan_services
	is_number(entry.rto_hours)
	hours > entry.rto_hours
	msg := sprintf(
		"backup systems need %v h to come into service, beyond the %v h RTO the BIA sets for `%s`",
		[hours, entry.rto_hours, entry.service],
	)
}

deny contains lib.finding_with("BCM-020", "/spec/backup_capability/capacity_percent", msg, [plan_id]) if {
	_is_plan
	share := _backup.capacity_percent
	is_number(share)
	some service in _plan_services
	some plan_id in lib.lookup("capacity_plans_by_service", service)
	some resource in lib.items(data.inventory.CapacityPlan[plan_id].spec, "resources")
	is_number(resource.capacity)
	is_number(resource.current_usage)
	backup := (resource.capacity * share) / 100
	backup < resource.current_usage
	unit := object.get(resource, "unit", "")
	msg := sprintf(
		"backup systems at %v%% of capacity give `%s` %v %s, less than its current usage of %v %s (capacity plan `%s`)",
		[share, object.get(resource, "name", "?"), lib.round2(backup), unit, resource.current_usage, unit, plan_id],
	)
}
