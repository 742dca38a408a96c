# Incident management: the incident management plan and incident records.
# Source: "Incident Management Plan", "Incident Classification", "Events Vs Incidents" and
# "Example of an Incident Management Process".
package opsgate.rules.incident

import data.opsgate.lib
import rego.v1

kinds := {"IncidentManagementPlan", "IncidentRecord"}

_plan_src := "Incident Management Plan"

_class_src := "Incident Classification"

_process_src := "Example of an Incident Management Process"

_events_src := "Events Vs Incidents"

_a := lib.subject(kinds)

_spec := _a.spec

_is_plan if _a.kind == "IncidentManagementPlan"

_is_record if _a.kind == "IncidentRecord"

# Values of the classification (levels, priorities) compared as text, whatever their YAML type.
_key(value) := sprintf("%v", [value])

_is_date(value) if {
	is_string(value)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, value)
}

# RFC 3339 timestamp to nanoseconds; undefined for anything else.
_ts(value) := time.parse_rfc3339_ns(value) if {
	is_string(value)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$`, value)
}

# Nanoseconds as hours, one decimal.
_hours(ns) := round((ns * 10) / lib.ns_per_hour) / 10

# --- Plan -------------------------------------------------------------------------------------

metadata["INC-001"] := {
	"title": "Incident plan defines an incident for each service type",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [
		_plan_src,
		", item 1: \"Definitions of an incident by service type or offering\"; ",
		_events_src,
		": \"an incident is defined as an unplanned interruption to an IT service or a reduction in the quality of an IT ",
		"service\"",
	]),
	"rationale": concat(" ", [
		"Without a definition per service type, staff cannot tell an event that needs no action from an incident that must",
		"be logged and handled.",
	]),
	"remediation": concat(" ", [
		"List spec.incident_definitions, one entry per service type or offering, each with service_type and",
		"definition.",
	]),
	"frameworks": {
		"iso27001": ["A.5.25"],
		"nist_800_53": ["IR-8"],
		"cis_v8": ["17.9"],
		"itil4": ["Incident management", "Monitoring and event management"],
	},
}

deny contains lib.finding("INC-001", "/spec/incident_definitions", msg) if {
	_is_plan
	lib.missing(_spec, "incident_definitions")
	msg := "plan defines no incident per service type"
}

deny contains lib.finding("INC-001", sprintf("/spec/incident_definitions/%d", [i]), msg) if {
	_is_plan
	some i, entry in object.get(_spec, "incident_definitions", [])
	lacking := lib.lacks(entry, ["service_type", "definition"])
	msg := sprintf("incident definition `%v` lacks %s", [object.get(entry, "service_type", i), lacking])
}

_parties := {role.party | some role in object.get(_spec, "roles", []); lib.present(role, "responsibilities")}

metadata["INC-002"] := {
	"title": "Incident plan assigns roles and responsibilities to both customer and provider",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_plan_src, ", item 2: \"Customer and provider roles and responsibilities for an incident\""]),
	"rationale": concat(" ", [
		"In a cloud service an incident crosses the customer/provider boundary; if either side's duties are unwritten, tasks",
		"fall between the two.",
	]),
	"remediation": concat(" ", [
		"Add spec.roles entries with party `customer` and party `provider`, each with role and",
		"responsibilities.",
	]),
	"frameworks": {
		"iso27001": ["A.5.24"],
		"nist_800_53": ["IR-8"],
		"cis_v8": ["17.5"],
		"itil4": ["Incident management", "Relationship management"],
	},
}

deny contains lib.finding("INC-002", "/spec/roles", msg) if {
	_is_plan
	absent := [party | some party in ["customer", "provider"]; not party in _parties]
	count(absent) > 0
	msg := sprintf("plan assigns no role with responsibilities to the %s", [_party_names(absent)])
}

_party_names(names) := sprintf("%s party", [names[0]]) if count(names) == 1

_party_names(names) := sprintf("%s parties", [concat(" and ", names)]) if count(names) > 1

deny contains lib.finding("INC-002", sprintf("/spec/roles/%d", [i]), msg) if {
	_is_plan
	some i, role in object.get(_spec, "roles", [])
	lacking := lib.lacks(role, ["party", "role", "responsibilities"])
	# A role of another type is the schema's finding; said here, OPA stops on object.get's type
	# error where regorus leaves the message undefined.
	is_object(role)
	msg := sprintf("role `%v` lacks %s", [object.get(role, "role", i), lacking])
}

metadata["INC-003"] := {
	"title": "Incident plan describes the process from detection to resolution",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [
		_plan_src,
		", items 3-4: \"Incident management process from detection to resolution\"; ",
		_process_src,
		": \"focused on the identification, classification, investigation, and resolution of an incident\"",
	]),
	"rationale": concat(" ", [
		"A formal process with every stage written down is what makes the response standardized and prompt instead of",
		"improvised.",
	]),
	"remediation": concat(" ", [
		"Fill in spec.process with detection, classification, investigation and resolution (closure is",
		"optional).",
	]),
	"frameworks": {
		"iso27001": ["A.5.24", "A.5.26"],
		"nist_800_53": ["IR-4", "IR-8"],
		"cis_v8": ["17.4"],
		"itil4": ["Incident management"],
	},
}

deny contains lib.finding("INC-003", "/spec/process", msg) if {
	_is_plan
	lacking := lib.lacks(object.get(_spec, "process", {}), ["detection", "classification", "investigation", "resolution"])
	msg := sprintf("incident process does not describe %s", [lacking])
}

metadata["INC-004"] := {
	"title": "Incident plan defines response requirements per priority",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_plan_src, ", item 5: \"Response requirements\""]),
	"rationale": concat(" ", [
		"Response and resolution times per priority are the commitments the service desk is measured against; without them",
		"no incident can be late or on time.",
	]),
	"remediation": "List spec.response_requirements, each entry with priority, response_minutes and resolution_hours.",
	"frameworks": {
		"iso27001": ["A.5.24"],
		"nist_800_53": ["IR-8"],
		"cis_v8": ["17.4"],
		"itil4": ["Incident management", "Service level management"],
	},
}

deny contains lib.finding("INC-004", "/spec/response_requirements", msg) if {
	_is_plan
	lib.missing(_spec, "response_requirements")
	msg := "plan defines no response requirements"
}

deny contains lib.finding("INC-004", sprintf("/spec/response_requirements/%d", [i]), msg) if {
	_is_plan
	some i, entry in object.get(_spec, "response_requirements", [])
	lacking := lib.lacks(entry, ["priority", "response_minutes", "resolution_hours"])
	msg := sprintf("response requirement for priority `%v` lacks %s", [object.get(entry, "priority", "?"), lacking])
}

_classification := object.get(_spec, "classification", {})

_matrix := object.get(_classification, "priority_matrix", [])

_matrix_priorities := {_key(entry.priority) | some entry in _matrix; lib.present(entry, "priority")}

_required_priorities := {_key(entry.priority) | some entry in object.get(
	_spec,
	"response_requirements",
	[],
); lib.present(entry, "priority")}

metadata["INC-005"] := {
	"title": "Response requirements cover every priority of the priority matrix",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [
		_plan_src,
		", item 5: \"Response requirements\"; ",
		_class_src,
		": \"Priority = Urgency × Impact\"",
	]),
	"rationale": concat(" ", [
		"A priority the matrix can assign but for which no response requirement exists leaves those incidents without any",
		"response or resolution target.",
	]),
	"remediation": "Add a spec.response_requirements entry for each priority used in spec.classification.priority_matrix.",
	"frameworks": {
		"iso27001": ["A.5.24"],
		"nist_800_53": ["IR-8"],
		"cis_v8": ["17.4"],
		"itil4": ["Incident management", "Service level management"],
	},
}

deny contains lib.finding("INC-005", "/spec/response_requirements", msg) if {
	_is_plan
	lib.present(_spec, "response_requirements")
	uncovered := sort([p | some p in _matrix_priorities; not p in _required_priorities])
	count(uncovered) > 0
	msg := sprintf("no response requirement for priority %s of the priority matrix", [lib.join_names(uncovered)])
}

metadata["INC-006"] := {
	"title": "Incident plan coordinates media communication",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_plan_src, ", item 6: \"Media coordination\""]),
	"rationale": concat(" ", [
		"Uncoordinated statements to the press during an incident can breach confidentiality, contradict the facts and",
		"damage trust; one named contact and a procedure prevent that.",
	]),
	"remediation": "Fill in spec.media_coordination with contact (a Person id) and procedure.",
	"frameworks": {"iso27001": ["A.5.24"], "nist_800_53": ["IR-8"], "cis_v8": ["17.6"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-006", "/spec/media_coordination", msg) if {
	_is_plan
	lacking := lib.lacks(object.get(_spec, "media_coordination", {}), ["contact", "procedure"])
	msg := sprintf("media coordination lacks %s", [lacking])
}

# A legal/regulatory entry is the data breach notification requirement when its text (case-insensitive)
# mentions a breach together with its notification ("notif…") or with the data it concerns ("data",
# "personal", "pii", "privacy", "security"). "Report SLA breach penalties" is not one.
_breach_qualifiers := ["notif", "data", "personal", "pii", "privacy", "security"]

_breach_entry(entry) if {
	text := lower(object.get(entry, "requirement", ""))
	contains(text, "breach")
	some word in _breach_qualifiers
	contains(text, word)
}

# The structured form: the entry says what kind of requirement it is, whatever its wording
# ("GDPR Art. 33: notify the supervisory authority within 72 hours").
_breach_entry(entry) if entry.type == "data_breach_notification"

metadata["INC-007"] := {
	"title": "Incident plan covers legal and regulatory requirements including data breach notification",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_plan_src, ", item 7: \"Legal and regulatory requirements such as data breach notification\""]),
	"rationale": concat(" ", [
		"Breach-notification laws impose duties and deadlines that start when the incident is discovered; a plan that",
		"ignores them makes the organization miss them.",
	]),
	"remediation": concat(" ", [
		"List spec.legal_regulatory, including the data breach notification entry: `type: data_breach_notification` (any",
		"wording, e.g. \"GDPR Art. 33: notify the supervisory authority\"), or a requirement whose text mentions a breach",
		"together with its notification or the data concerned.",
	]),
	"frameworks": {
		"iso27001": ["A.5.31", "A.5.34", "A.5.24"],
		"nist_800_53": ["IR-6", "IR-8"],
		"cis_v8": ["17.2"],
		"itil4": ["Incident management", "Information security management"],
	},
}

deny contains lib.finding("INC-007", "/spec/legal_regulatory", msg) if {
	_is_plan
	lib.missing(_spec, "legal_regulatory")
	msg := "plan lists no legal or regulatory requirements"
}

deny contains lib.finding("INC-007", "/spec/legal_regulatory", msg) if {
	_is_plan
	entries := object.get(_spec, "legal_regulatory", [])
	count(entries) > 0
	not _has_breach_entry
	msg := sprintf("none of the %d legal or regulatory requirements covers data breach notification", [count(entries)])
}

_has_breach_entry if {
	some entry in _spec.legal_regulatory
	_breach_entry(entry)
}

metadata["INC-008"] := {
	"title": "Data breach notification requirement states its deadline",
	"severity": "warning",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_plan_src, ", item 7: \"Legal and regulatory requirements such as data breach notification\""]),
	"rationale": concat(" ", [
		"Breach-notification duties are defined by their deadline (e.g. 72 hours); responders who do not know it cannot meet",
		"it.",
	]),
	"remediation": "Set notification_deadline_hours on the breach-notification entry of spec.legal_regulatory.",
	"frameworks": {
		"iso27001": ["A.5.31", "A.5.34"],
		"nist_800_53": ["IR-6"],
		"cis_v8": ["17.2"],
		"itil4": ["Information security management"],
	},
}

deny contains lib.finding("INC-008", sprintf("/spec/legal_regulatory/%d", [i]), msg) if {
	_is_plan
	some i, entry in object.get(_spec, "legal_regulatory", [])
	_breach_entry(entry)
	lib.missing(entry, "notification_deadline_hours")
	msg := sprintf("breach notification requirement `%s` states no notification_deadline_hours", [entry.requirement])
}

metadata["INC-009"] := {
	"title": "Incident plan names its incident management tool",
	"severity": "info",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_plan_src, ": \"You may also want to consider the use of an incident management tool.\""]),
	"rationale": concat(" ", [
		"A tool keeps incidents logged, tracked and reportable; the plan should say which one is used (or that none",
		"is).",
	]),
	"remediation": "Set spec.tool to the incident management tool in use.",
	"frameworks": {"nist_800_53": ["IR-4(1)", "IR-5(1)"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-009", "/spec/tool", msg) if {
	_is_plan
	lib.missing(_spec, "tool")
	msg := "plan names no incident management tool"
}

_past_tests := [test | some test in object.get(_spec, "tests", []); _is_date(test.date); lib.days_between(
	test.date,
	input.as_of,
) >= 0]

metadata["INC-010"] := {
	"title": "Incident plan is tested within the test interval",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_plan_src, ": \"The incident management plan should be routinely tested\""]),
	"rationale": concat(" ", [
		"An untested plan fails in its first real use: contacts are stale, steps are missing and nobody has practised",
		"them.",
	]),
	"remediation": concat(" ", [
		"Exercise the plan (tabletop, simulation, or a real event reviewed afterwards) and record it in spec.tests.",
		"Interval: param test_interval_days.",
	]),
	"frameworks": {
		"iso27001": ["A.5.24"],
		"nist_800_53": ["IR-3", "IR-8"],
		"cis_v8": ["17.7"],
		"itil4": ["Incident management"],
	},
}

deny contains lib.finding("INC-010", "/spec/tests", msg) if {
	_is_plan
	count(_past_tests) == 0
	msg := sprintf("plan has no recorded test on or before %s", [input.as_of])
}

deny contains lib.finding("INC-010", sprintf("/spec/tests/%d/date", [i]), msg) if {
	_is_plan
	count(_past_tests) > 0
	latest := max([test.date | some test in _past_tests])
	age := lib.days_between(latest, input.as_of)
	age > lib.param("test_interval_days")
	i := min([j | some j, test in _spec.tests; test.date == latest])
	msg := sprintf(
		"last tested on %s, %v days before %s (interval %v days)",
		[latest, age, input.as_of, lib.param("test_interval_days")],
	)
}

_updated_since(date) if {
	_is_date(_spec.last_updated)
	lib.days_between(date, _spec.last_updated) >= 0
}

metadata["INC-011"] := {
	"title": "Lessons learned from tests and real events are applied to the plan",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [
		_plan_src,
		": \"routinely tested and updated based on lessons learned from real and practice events\"",
	]),
	"rationale": "Lessons that are recorded but never fed back into the plan will be learned again, in the next incident.",
	"remediation": concat(" ", [
		"Update the plan with the lessons and set plan_updated: true on the test (and spec.last_updated to the update",
		"date).",
	]),
	"frameworks": {
		"iso27001": ["A.5.27"],
		"nist_800_53": ["IR-3", "IR-4", "IR-8"],
		"cis_v8": ["17.8"],
		"itil4": ["Incident management", "Continual improvement"],
	},
}

deny contains lib.finding("INC-011", sprintf("/spec/tests/%d/plan_updated", [i]), msg) if {
	_is_plan
	some i, test in object.get(_spec, "tests", [])
	count(object.get(test, "lessons_learned", [])) > 0
	object.get(test, "plan_updated", false) != true
	_is_date(test.date)
	not _updated_since(test.date)
	msg := sprintf(
		"test of %s recorded %d lessons learned, but the plan was not updated since (last_updated %v)",
		[test.date, count(test.lessons_learned), object.get(_spec, "last_updated", "unset")],
	)
}

metadata["INC-012"] := {
	"title": "Incident classification documents impact and urgency levels",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [
		_class_src,
		": \"Impact = Effect upon the business\", \"Urgency = Extent to which the resolution can bear delay\"; the criteria ",
		"must be \"well documented and understood by all parties\"",
	]),
	"rationale": "Consistent prioritization requires shared, written criteria for each impact and urgency level.",
	"remediation": concat(" ", [
		"Fill in spec.classification.impact_levels and urgency_levels, each level with a description of its",
		"criteria.",
	]),
	"frameworks": {
		"iso27001": ["A.5.25"],
		"nist_800_53": ["IR-4", "IR-8"],
		"cis_v8": ["17.9"],
		"itil4": ["Incident management"],
	},
}

deny contains lib.finding("INC-012", "/spec/classification", msg) if {
	_is_plan
	missing := lib.missing_fields(_classification, ["impact_levels", "urgency_levels"])
	count(missing) > 0
	msg := sprintf("classification defines no %s", [concat(" and no ", missing)])
}

deny contains lib.finding("INC-012", sprintf("/spec/classification/%s/%d", [list, i]), msg) if {
	_is_plan
	some list in ["impact_levels", "urgency_levels"]
	some i, level in object.get(_classification, list, [])
	lacking := lib.lacks(level, ["level", "description"])
	msg := sprintf("%s entry `%v` lacks %s", [list, object.get(level, "level", i), lacking])
}

_levels(list) := {_key(level.level) | some level in object.get(_classification, list, []); lib.present(level, "level")}

# Computed once per plan (rules are cached, functions are not): the checks below loop over them.
_impact_levels := _levels("impact_levels")

_urgency_levels := _levels("urgency_levels")

# [impact, urgency, priority] of each matrix entry, as keys.
_matrix_keys := [[
	_key(object.get(entry, "impact", "")),
	_key(object.get(entry, "urgency", "")),
	_key(object.get(entry, "priority", "")),
] | some entry in _matrix]

metadata["INC-013"] := {
	"title": "Priority matrix assigns one priority to every impact × urgency combination",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_class_src, ": \"Priority = Urgency × Impact\""]),
	"rationale": concat(" ", [
		"A gap in the matrix leaves some incidents without a priority; a combination listed twice with different priorities",
		"makes prioritization arbitrary.",
	]),
	"remediation": concat(" ", [
		"Add one spec.classification.priority_matrix entry (impact, urgency, priority) per combination of defined levels,",
		"and remove contradicting duplicates.",
	]),
	"frameworks": {
		"iso27001": ["A.5.25"],
		"nist_800_53": ["IR-4", "IR-8"],
		"cis_v8": ["17.9"],
		"itil4": ["Incident management"],
	},
}

deny contains lib.finding("INC-013", "/spec/classification/priority_matrix", msg) if {
	_is_plan
	lib.missing(_classification, "priority_matrix")
	msg := "classification has no priority matrix"
}

_matrix_cells := {[
	_key(object.get(entry, "impact", "")),
	_key(object.get(entry, "urgency", "")),
] | some entry in _matrix}

deny contains lib.finding("INC-013", "/spec/classification/priority_matrix", msg) if {
	_is_plan
	count(_matrix) > 0
	gaps := sort([sprintf("impact `%s` × urgency `%s`", [i, u]) |
		some i in _impact_levels
		some u in _urgency_levels
		not [i, u] in _matrix_cells
	])
	count(gaps) > 0
	msg := sprintf("priority matrix assigns no priority to %s", [concat(", ", gaps)])
}

deny contains lib.finding("INC-013", sprintf("/spec/classification/priority_matrix/%d/priority", [i]), msg) if {
	_is_plan
	some i, entry in _matrix
	lib.missing(entry, "priority")
	msg := sprintf(
		"priority matrix entry for impact `%v` × urgency `%v` has no priority",
		[object.get(entry, "impact", "?"), object.get(entry, "urgency", "?")],
	)
}

deny contains lib.finding("INC-013", sprintf("/spec/classification/priority_matrix/%d/priority", [j]), msg) if {
	_is_plan
	some j, later_keys in _matrix_keys
	some i, earlier_keys in _matrix_keys
	i < j
	earlier_keys[0] == later_keys[0]
	earlier_keys[1] == later_keys[1]
	earlier_keys[2] != later_keys[2]
	later := _matrix[j]
	earlier := _matrix[i]
	every field in ["impact", "urgency", "priority"] {
		earlier[field] != null
		later[field] != null
	}
	msg := sprintf(
		"impact `%v` × urgency `%v` is given priority `%v` here and `%v` in entry %d",
		[later.impact, later.urgency, later.priority, earlier.priority, i],
	)
}

metadata["INC-014"] := {
	"title": "Priority matrix uses only defined impact and urgency levels",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_class_src, ": criteria \"well documented and understood by all parties\""]),
	"rationale": concat(" ", [
		"A matrix row for an undefined level is a typo or an undocumented criterion; incidents cannot be classified against",
		"it.",
	]),
	"remediation": concat(" ", [
		"Correct the impact or urgency of the priority_matrix entry, or define the level in impact_levels /",
		"urgency_levels.",
	]),
	"frameworks": {"iso27001": ["A.5.25"], "nist_800_53": ["IR-8"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-014", sprintf("/spec/classification/priority_matrix/%d/%s", [i, field]), msg) if {
	_is_plan
	some pair in [["impact", "impact_levels"], ["urgency", "urgency_levels"]]
	field := pair[0]
	list := pair[1]
	defined := {"impact_levels": _impact_levels, "urgency_levels": _urgency_levels}[list]
	count(defined) > 0
	some i, entry in _matrix
	value := object.get(entry, field, "")
	not _key(value) in defined
	msg := sprintf(
		"priority matrix entry %d uses %s `%v`, which is not among the defined %s (%s)",
		[i, field, value, list, lib.join_names(sort([l | some l in defined]))],
	)
}

metadata["INC-015"] := {
	"title": "Incident plan is approved",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [
		_plan_src,
		": \"You should have a detailed incident management plan\"; ",
		_process_src,
		": \"a formal incident management process should be defined and used\"",
	]),
	"rationale": concat(" ", [
		"An unapproved plan has no authority: responders are not bound to it and resources are not committed to",
		"it.",
	]),
	"remediation": "Record the approval in spec.approval with decision approved.",
	"frameworks": {
		"iso27001": ["A.5.24"],
		"nist_800_53": ["IR-1", "IR-8"],
		"cis_v8": ["17.4"],
		"itil4": ["Incident management"],
	},
}

deny contains lib.finding("INC-015", "/spec/approval", msg) if {
	_is_plan
	not lib.is_approved(object.get(_spec, "approval", {}))
	msg := sprintf(
		"incident management plan is not approved (decision: %v)",
		[object.get(object.get(_spec, "approval", {}), "decision", "none")],
	)
}

# --- Incident record --------------------------------------------------------------------------

metadata["INC-016"] := {
	"title": "Incident references the incident management plan it is handled under",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [_process_src, ": \"a formal incident management process should be defined and used\""]),
	"rationale": concat(" ", [
		"The plan supplies the classification criteria and response targets the incident is judged against; without the link",
		"neither can be checked.",
	]),
	"remediation": "Set spec.plan to the IncidentManagementPlan id.",
	"frameworks": {"iso27001": ["A.5.26"], "nist_800_53": ["IR-4"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-016", "/spec/plan", msg) if {
	_is_record
	lib.missing(_spec, "plan")
	msg := "incident references no incident management plan"
}

metadata["INC-017"] := {
	"title": "Incident records the affected service, its category and when it was detected and reported",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [
		_events_src,
		": \"an incident is defined as an unplanned interruption to an IT service or a reduction in the quality of an IT ",
		"service\"; ",
		_process_src,
		" (\"identification\")",
	]),
	"rationale": concat(" ", [
		"An incident is an interruption of a service: without the service, a category and the detection and reporting times",
		"it cannot be prioritized, measured or correlated with other incidents.",
	]),
	"remediation": "Fill in spec.service, category, detected_at and reported_at.",
	"frameworks": {
		"iso27001": ["A.6.8", "A.5.25"],
		"nist_800_53": ["IR-5", "IR-6"],
		"cis_v8": ["17.3"],
		"itil4": ["Incident management", "Service desk"],
	},
}

deny contains lib.finding("INC-017", sprintf("/spec/%s", [field]), msg) if {
	_is_record
	some field in ["service", "category", "detected_at", "reported_at"]
	lib.missing(_spec, field)
	msg := sprintf("incident does not record `%s`", [field])
}

metadata["INC-018"] := {
	"title": "Incident is classified by impact, urgency and priority",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [
		_class_src,
		": \"Impact = Effect upon the business\", \"Urgency = Extent to which the resolution can bear delay\", \"Priority = ",
		"Urgency × Impact\"; ",
		_process_src,
		" (\"classification\")",
	]),
	"rationale": concat(" ", [
		"Priority decides the order and speed of the response; an unclassified incident is handled first-come",
		"first-served.",
	]),
	"remediation": "Set spec.impact, spec.urgency and spec.priority using the plan's classification.",
	"frameworks": {"iso27001": ["A.5.25"], "nist_800_53": ["IR-4"], "cis_v8": ["17.9"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-018", sprintf("/spec/%s", [field]), msg) if {
	_is_record
	some field in ["impact", "urgency", "priority"]
	lib.missing(_spec, field)
	msg := sprintf("incident is not classified: no `%s`", [field])
}

_plan := lib.artifact("IncidentManagementPlan", _spec.plan) if _is_record

_plan_classification := object.get(object.get(_plan, "spec", {}), "classification", {})

_plan_levels(list) := {_key(level.level) | some level in object.get(
	_plan_classification,
	list,
	[],
); lib.present(level, "level")}

# The plan's levels and matrix as keys, computed once per record (rules are cached, functions
# are not).
_plan_defined_levels := {
	"impact_levels": _plan_levels("impact_levels"),
	"urgency_levels": _plan_levels("urgency_levels"),
}

_plan_matrix_keys := [[
	_key(object.get(entry, "impact", "")),
	_key(object.get(entry, "urgency", "")),
	_key(entry.priority),
] |
	some entry in object.get(_plan_classification, "priority_matrix", [])
	lib.present(entry, "priority")
]

metadata["INC-019"] := {
	"title": "Incident impact and urgency are levels its plan defines",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [
		_class_src,
		": \"ensure that the correct criteria are used for incident identification and classification\"",
	]),
	"rationale": concat(" ", [
		"A level the plan does not define has no documented criteria, so the classification cannot be verified or",
		"compared.",
	]),
	"remediation": "Use one of the levels in the plan's spec.classification.impact_levels / urgency_levels.",
	"frameworks": {"iso27001": ["A.5.25"], "nist_800_53": ["IR-4"], "itil4": ["Incident management"]},
}

deny contains lib.finding_with("INC-019", sprintf("/spec/%s", [field]), msg, [_spec.plan]) if {
	_is_record
	some pair in [["impact", "impact_levels"], ["urgency", "urgency_levels"]]
	field := pair[0]
	list := pair[1]
	lib.present(_spec, field)
	defined := _plan_defined_levels[list]
	count(defined) > 0
	not _key(_spec[field]) in defined
	msg := sprintf(
		"%s `%v` is not a level of plan `%s` (%s)",
		[field, _spec[field], _spec.plan, lib.join_names(sort([l | some l in defined]))],
	)
}

metadata["INC-020"] := {
	"title": "Incident priority follows the plan's priority matrix",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [_class_src, ": \"Priority = Urgency × Impact\""]),
	"rationale": concat(" ", [
		"A priority that departs from the matrix for the recorded impact and urgency is either a misclassification or an",
		"undocumented override, and sets the wrong response target.",
	]),
	"remediation": concat(" ", [
		"Set spec.priority to the priority the plan's matrix gives for the incident's impact and urgency (or correct",
		"impact/urgency).",
	]),
	"frameworks": {"iso27001": ["A.5.25"], "nist_800_53": ["IR-4"], "cis_v8": ["17.9"], "itil4": ["Incident management"]},
}

deny contains lib.finding_with("INC-020", "/spec/priority", msg, [_spec.plan]) if {
	_is_record
	lib.present(_spec, "priority")
	impact := _key(object.get(_spec, "impact", null))
	urgency := _key(object.get(_spec, "urgency", null))
	expected := {keys[2] | some keys in _plan_matrix_keys; keys[0] == impact; keys[1] == urgency}
	count(expected) > 0
	not _key(_spec.priority) in expected
	msg := sprintf(
		"priority `%v` differs from `%s`, which plan `%s` assigns to impact `%v` × urgency `%v`",
		[_spec.priority, concat("` or `", sort([p | some p in expected])), _spec.plan, _spec.impact, _spec.urgency],
	)
}

_resolved := {"resolved", "closed"}

_open := {"new", "in_progress", "on_hold"}

metadata["INC-021"] := {
	"title": "Resolved incident records its resolution and when it was resolved",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [
		_process_src,
		": \"resolution of an incident, with the ultimate goal of returning the affected systems to normal\"",
	]),
	"rationale": concat(" ", [
		"The resolution is the knowledge problem management and the next responder need, and the resolution time is what the",
		"response requirements measure.",
	]),
	"remediation": "Fill in spec.resolution and spec.resolved_at before moving the incident to `resolved` or `closed`.",
	"frameworks": {"iso27001": ["A.5.26"], "nist_800_53": ["IR-4", "IR-5"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-021", sprintf("/spec/%s", [field]), msg) if {
	_is_record
	_spec.status in _resolved
	some field in ["resolution", "resolved_at"]
	lib.missing(_spec, field)
	msg := sprintf("incident is `%s` but does not record `%s`", [_spec.status, field])
}

metadata["INC-022"] := {
	"title": "Closed incident records when it was closed",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [_plan_src, ", items 3-4: \"Incident management process from detection to resolution\""]),
	"rationale": "The closure time completes the incident's timeline for reporting and audit.",
	"remediation": "Set spec.closed_at when closing the incident.",
	"frameworks": {"iso27001": ["A.5.26"], "nist_800_53": ["IR-5"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-022", "/spec/closed_at", msg) if {
	_is_record
	_spec.status == "closed"
	lib.missing(_spec, "closed_at")
	msg := "incident is `closed` but does not record `closed_at`"
}

_ts_fields := ["detected_at", "reported_at", "resolved_at", "closed_at"]

_times[field] := t if {
	_is_record
	some field in _ts_fields
	t := _ts(_spec[field])
}

metadata["INC-023"] := {
	"title": "Incident timestamps are in order: detected, reported, resolved, closed",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [_plan_src, ", items 3-4: \"Incident management process from detection to resolution\""]),
	"rationale": concat(" ", [
		"Out-of-order timestamps are recording errors that corrupt response-time measurements and the incident's evidential",
		"timeline.",
	]),
	"remediation": concat(" ", [
		"Correct detected_at, reported_at, resolved_at and closed_at so that each is not earlier than the one before",
		"it.",
	]),
	"frameworks": {"iso27001": ["A.5.26"], "nist_800_53": ["IR-5"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-023", sprintf("/spec/%s", [later]), msg) if {
	_is_record
	some j, later in _ts_fields
	t := _times[later]
	before := [k | some k, field in _ts_fields; k < j; _times[field]]
	count(before) > 0
	earlier := _ts_fields[max(before)]
	t < _times[earlier]
	msg := sprintf("%s %s is before %s %s", [later, _spec[later], earlier, _spec[earlier]])
}

_start := "detected_at" if _times.detected_at

_start := "reported_at" if {
	not _times.detected_at
	_times.reported_at
}

_resolution_hours := min(hours) if {
	hours := [entry.resolution_hours |
		some entry in object.get(object.get(_plan, "spec", {}), "response_requirements", [])
		_key(object.get(entry, "priority", "")) == _key(_spec.priority)
		is_number(entry.resolution_hours)
	]
	count(hours) > 0
}

metadata["INC-024"] := {
	"title": "Incident is resolved within the plan's resolution time for its priority",
	"severity": "warning",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [
		_plan_src,
		", item 5: \"Response requirements\"; Purpose of Incident Management, item 1: \"Restore normal service operation as ",
		"quickly as possible\"",
	]),
	"rationale": concat(" ", [
		"Resolution beyond the agreed time is a breach of the response requirements and often of the SLA; it should be",
		"visible and explained.",
	]),
	"remediation": concat(" ", [
		"Review why resolution took longer than the plan's resolution_hours for this priority (measured from detected_at);",
		"escalate open incidents that have exceeded it.",
	]),
	"frameworks": {
		"iso27001": ["A.5.26"],
		"nist_800_53": ["IR-4"],
		"itil4": ["Incident management", "Service level management"],
	},
}

deny contains lib.finding_with("INC-024", "/spec/resolved_at", msg, [_spec.plan]) if {
	_is_record
	_spec.status in _resolved
	limit := _resolution_hours
	elapsed := _times.resolved_at - _times[_start]
	elapsed > limit * lib.ns_per_hour
	msg := sprintf(
		"resolved %v hours after %s, beyond the %v hours plan `%s` allows for priority `%v`",
		[_hours(elapsed), _start, limit, _spec.plan, _spec.priority],
	)
}

deny contains lib.finding_with("INC-024", "/spec/status", msg, [_spec.plan]) if {
	_is_record
	_spec.status in _open
	limit := _resolution_hours
	now := time.parse_rfc3339_ns(concat("", [input.as_of, "T00:00:00Z"]))
	elapsed := now - _times[_start]
	elapsed > limit * lib.ns_per_hour
	msg := sprintf(
		"still `%s` %v hours after %s (at the start of %s), beyond the %v hours plan `%s` allows for priority `%v`",
		[_spec.status, _hours(elapsed), _start, input.as_of, limit, _spec.plan, _spec.priority],
	)
}

metadata["INC-025"] := {
	"title": "Incident past `new` is assigned to a person",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [
		_plan_src,
		", item 2: \"Customer and provider roles and responsibilities for an incident\"; Incident Management: incidents are ",
		"addressed by \"an incident response team (IRT) or an incident management team (IMT)\"",
	]),
	"rationale": concat(" ", [
		"An incident that is being worked on (or was resolved) without an owner has nobody accountable for its",
		"progress.",
	]),
	"remediation": "Set spec.assigned_to to the Person handling the incident.",
	"frameworks": {"iso27001": ["A.5.24"], "nist_800_53": ["IR-4", "IR-7"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-025", "/spec/assigned_to", msg) if {
	_is_record
	_spec.status in {"in_progress", "on_hold", "resolved", "closed"}
	lib.missing(_spec, "assigned_to")
	msg := sprintf("incident is `%s` but assigned to nobody", [_spec.status])
}

# --- The response team --------------------------------------------------------------

metadata["INC-028"] := {
	"title": "Incident response team is designated by name beforehand",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat(" ", [
		"Incident Management: \"an incident response team (IRT) or an incident management team (IMT) typically addresses",
		"these types of incidents. These are often designated beforehand or during the event and are placed in control of",
		"the organization while the incident is dealt with\"",
	]),
	"rationale": concat(" ", [
		"The source allows designating the team during the event; a plan written beforehand should not leave it to then: the",
		"team that takes control must be known, by name, before the first major incident (ISO/IEC 27001 A.5.24",
		"responsibilities established in advance).",
	]),
	"remediation": "Fill in spec.response_team with name, kind (IRT or IMT) and members (Person ids with their roles).",
	"frameworks": {
		"iso27001": ["A.5.24"],
		"nist_800_53": ["IR-7", "IR-8"],
		"cis_v8": ["17.1", "17.2"],
		"itil4": ["Incident management"],
	},
}

deny contains lib.finding("INC-028", "/spec/response_team", msg) if {
	_is_plan
	team := object.get(_spec, "response_team", {})
	lacking := lib.lacks(team, ["name", "kind", "members"])
	msg := sprintf("incident response team is not designated beforehand: it lacks %s", [lacking])
}

metadata["INC-029"] := {
	"title": "Lessons learned from real incidents are applied to the incident plan",
	"severity": "warning",
	"area": "incident",
	"kinds": ["IncidentRecord"],
	"source": concat("", [
		_plan_src,
		": \"routinely tested and updated based on lessons learned from real and practice events\"",
	]),
	"rationale": concat(" ", [
		"INC-011 follows the lessons of practice events (plan tests); real incidents teach more, and a lesson recorded on a",
		"resolved incident but never written into the plan is learned again in the next one.",
	]),
	"remediation": concat(" ", [
		"Update the incident management plan with the incident's lessons_learned, then set plan_updated: true on the",
		"incident (or move the plan's spec.last_updated past the resolution).",
	]),
	"frameworks": {
		"iso27001": ["A.5.27"],
		"nist_800_53": ["IR-4", "IR-8"],
		"cis_v8": ["17.8"],
		"itil4": ["Incident management", "Continual improvement"],
	},
}

deny contains lib.finding("INC-029", "/spec/lessons_learned", msg) if {
	_is_record
	_spec.status in _resolved
	count(lib.items(_spec, "lessons_learned")) > 0
	object.get(_spec, "plan_updated", false) != true
	not _plan_updated_after_resolution
	msg := sprintf(
		"incident recorded %d lessons learned, but plan `%v` was not updated since it was resolved (last_updated %v)",
		[
			count(_spec.lessons_learned),
			object.get(_spec, "plan", "unset"),
			object.get(object.get(_plan, "spec", {}), "last_updated", "unset"),
		],
	)
}

_plan_updated_after_resolution if {
	updated := _plan.spec.last_updated
	_is_date(updated)
	lib.days_between(_spec.resolved_at, updated) >= 0
}

# --- Monotonic priority matrix --------------------------------------------------------------------

# Position of each level in its list (0 = highest) and the resolution time of each priority,
# computed once per plan (rules are cached, functions are not).
_ranks := {list: {k: min([i | some i, l in levels; _key(object.get(l, "level", "")) == k]) |
	some entry in levels
	k := _key(object.get(entry, "level", ""))
} |
	some list in ["impact_levels", "urgency_levels"]
	levels := object.get(_classification, list, [])
}

_priority_hours := {p: min(hours) |
	some requirement in object.get(_spec, "response_requirements", [])
	p := _key(object.get(requirement, "priority", ""))
	hours := [e.resolution_hours |
		some e in object.get(_spec, "response_requirements", [])
		_key(object.get(e, "priority", "")) == p
		is_number(e.resolution_hours)
	]
	count(hours) > 0
}

# [dimension index, other dimension index, level list, name] for impact and urgency.
_dimensions := [[0, 1, "impact_levels", "impact"], [1, 0, "urgency_levels", "urgency"]]

metadata["INC-030"] := {
	"title": "Priority matrix is monotonic in impact and urgency",
	"severity": "error",
	"area": "incident",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [_class_src, ": \"Priority = Urgency × Impact\""]),
	"rationale": concat(" ", [
		"Priority is a product of urgency and impact: more impact or more urgency can never make an incident less urgent to",
		"resolve. A matrix where a higher level gets a priority with a longer resolution time sends the worse incident to",
		"the back of the queue. Levels are ordered as listed (highest first); priorities by their resolution_hours.",
	]),
	"remediation": concat(" ", [
		"Give the cell a priority at least as urgent (resolution_hours at most) as the cells of lower impact or urgency, or",
		"reorder impact_levels / urgency_levels from highest to lowest.",
	]),
	"frameworks": {
		"iso27001": ["A.5.25"],
		"nist_800_53": ["IR-4", "IR-8"],
		"cis_v8": ["17.9"],
		"itil4": ["Incident management"],
	},
}

deny contains lib.finding("INC-030", sprintf("/spec/classification/priority_matrix/%d/priority", [j]), msg) if {
	_is_plan
	some [d, other, list, name] in _dimensions
	some j, higher in _matrix_keys
	some k, lower in _matrix_keys
	higher[other] == lower[other]
	_ranks[list][higher[d]] < _ranks[list][lower[d]]
	_priority_hours[higher[2]] > _priority_hours[lower[2]]
	msg := sprintf(
		"%s `%s` gets priority `%s` (%v h) but the lower %s `%s` gets `%s` (%v h), with the same %s `%s`",
		[
			name,
			higher[d],
			higher[2],
			_priority_hours[higher[2]],
			name,
			lower[d],
			lower[2],
			_priority_hours[lower[2]],
			_dimensions[other][3],
			higher[other],
		],
	)
}
