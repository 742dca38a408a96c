# Problem management: problem records, known errors and workarounds, and their links to incidents
# and to the changes that resolve them.
# Source: "Problem Management".
package opsgate.rules.problem

import data.opsgate.lib
import rego.v1

kinds := {"ProblemRecord"}

_src := "Problem Management"

_a := lib.subject(kinds)

_spec := _a.spec

_id := _a.metadata.id

_at_least(name) if lib.reached(_a, name)

_is_date(value) if {
	is_string(value)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, value)
}

metadata["PRB-001"] := {
	"title": "Problem links the incidents it causes",
	"severity": "error",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		", item 1: \"A problem is the unknown cause of one or more incidents, often identified as a result of multiple ",
		"similar incidents.\"",
	]),
	"rationale": concat(" ", [
		"A problem exists because of incidents; without the links nobody can see its impact, and the incidents cannot",
		"benefit from its workaround or fix.",
	]),
	"remediation": "List the IncidentRecord ids in spec.incidents.",
	"frameworks": {
		"iso27001": ["A.5.27"],
		"nist_800_53": ["IR-5"],
		"cis_v8": ["17.8"],
		"itil4": ["Problem management", "Incident management"],
	},
}

deny contains lib.finding("PRB-001", "/spec/incidents", msg) if {
	lib.missing(_spec, "incidents")
	msg := "problem is linked to no incident"
}

metadata["PRB-002"] := {
	"title": "Problem is classified as minor or major",
	"severity": "error",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [_src, ": \"Problems can be classified as minor or major depending on several criteria.\""]),
	"rationale": "The classification decides how much effort and urgency the root-cause investigation gets.",
	"remediation": "Set spec.classification to `minor` or `major` according to the documented criteria.",
	"frameworks": {"iso27001": ["A.5.27"], "itil4": ["Problem management"]},
}

deny contains lib.finding("PRB-002", "/spec/classification", msg) if {
	lib.missing(_spec, "classification")
	msg := "problem is not classified as `minor` or `major`"
}

metadata["PRB-003"] := {
	"title": "Problem names the affected service",
	"severity": "error",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		": \"ensure there is a tracking system established to track and monitor all system-related problems\"",
	]),
	"rationale": concat(" ", [
		"Problems are tracked and trended per service; a problem without a service cannot be attributed or",
		"correlated.",
	]),
	"remediation": "Set spec.service to the Service id the problem affects.",
	"frameworks": {"itil4": ["Problem management"]},
}

deny contains lib.finding("PRB-003", "/spec/service", msg) if {
	lib.missing(_spec, "service")
	msg := "problem names no affected service"
}

metadata["PRB-004"] := {
	"title": "Known error records its root cause",
	"severity": "error",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		", item 2: \"A known error is an identified root cause of a problem.\"; \"identifying the root cause of the problem ",
		"at hand\"",
	]),
	"rationale": concat(" ", [
		"A problem is a known error precisely because its root cause is identified; claiming the status without the cause",
		"hides that the cause is still unknown.",
	]),
	"remediation": "Describe the identified root cause in spec.root_cause (or move the problem back to `investigating`).",
	"frameworks": {"iso27001": ["A.5.27"], "nist_800_53": ["IR-4"], "cis_v8": ["17.8"], "itil4": ["Problem management"]},
}

deny contains lib.finding("PRB-004", "/spec/root_cause", msg) if {
	_at_least("known_error")
	lib.missing(_spec, "root_cause")
	msg := sprintf("problem is `%s` but records no root cause", [_spec.status])
}

metadata["PRB-005"] := {
	"title": "Known error is recorded with its description and date",
	"severity": "error",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		", item 2: \"A known error is an identified root cause of a problem.\"; problem management provides \"solutions to ",
		"problems (workarounds and known errors)\"",
	]),
	"rationale": concat(" ", [
		"The known-error record is what the service desk searches to recognize and handle recurrences of the",
		"incidents.",
	]),
	"remediation": "Fill in spec.known_error with description and recorded_on.",
	"frameworks": {"iso27001": ["A.5.27"], "itil4": ["Problem management", "Knowledge management"]},
}

deny contains lib.finding("PRB-005", "/spec/known_error", msg) if {
	_at_least("known_error")
	lacking := lib.lacks(object.get(_spec, "known_error", {}), ["description", "recorded_on"])
	msg := sprintf("problem is `%s` but its known error lacks %s", [_spec.status, lacking])
}

_needs_workaround := "it is a known error" if _spec.status == "known_error"

_needs_workaround := sprintf("it is a major problem still `%s`", [_spec.status]) if {
	_spec.status != "known_error"
	_spec.classification == "major"
	not _at_least("resolved")
}

metadata["PRB-006"] := {
	"title": "Known error or open major problem records a workaround",
	"severity": "warning",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		", item 3: \"A workaround is a temporary way of overcoming technical difficulties (that is, incidents or ",
		"problems).\"",
	]),
	"rationale": concat(" ", [
		"Until the root cause is removed, a documented workaround is what limits the impact of further",
		"incidents.",
	]),
	"remediation": "Describe the workaround in spec.workaround (or state that none exists and why).",
	"frameworks": {"iso27001": ["A.5.26"], "itil4": ["Problem management", "Incident management"]},
}

deny contains lib.finding("PRB-006", "/spec/workaround", msg) if {
	reason := _needs_workaround
	lib.missing(_spec, "workaround")
	msg := sprintf("no workaround recorded although %s", [reason])
}

metadata["PRB-007"] := {
	"title": "Resolved problem records the change that resolved it and when",
	"severity": "error",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		": problem management \"prevents their reoccurrence\"; Release and Deployment Management: the process \"must be ",
		"tightly coupled to change management, incident and problem management\"",
	]),
	"rationale": concat(" ", [
		"Removing a root cause changes the environment; without the change record the fix is unauthorized or",
		"untraceable.",
	]),
	"remediation": "Fill in spec.resolution with change (a ChangeRecord id) and date.",
	"frameworks": {
		"iso27001": ["A.8.32", "A.5.27"],
		"nist_800_53": ["CM-3"],
		"itil4": ["Problem management", "Change enablement"],
	},
}

deny contains lib.finding("PRB-007", "/spec/resolution", msg) if {
	_at_least("resolved")
	lacking := lib.lacks(object.get(_spec, "resolution", {}), ["change", "date"])
	msg := sprintf("problem is `%s` but its resolution lacks %s", [_spec.status, lacking])
}

_implemented := {"implemented", "reviewed", "closed"}

metadata["PRB-008"] := {
	"title": "Change that resolved the problem is implemented",
	"severity": "warning",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		": problem management \"prevents their reoccurrence\"; Release and Deployment Management: \"tightly coupled to ",
		"change management, incident and problem management\"",
	]),
	"rationale": concat(" ", [
		"A problem is not resolved until the fix is actually in place; a resolving change that is still pending or was",
		"rejected leaves the root cause in production.",
	]),
	"remediation": "Implement the change before resolving the problem, or reopen the problem (status `known_error`).",
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "itil4": ["Problem management", "Change enablement"]},
}

deny contains lib.finding_with("PRB-008", "/spec/resolution/change", msg, [id]) if {
	_at_least("resolved")
	id := _spec.resolution.change
	change := lib.artifact("ChangeRecord", id)
	status := object.get(change.spec, "status", "without status")
	not status in _implemented
	msg := sprintf("problem is `%s` but its resolving change `%s` is `%s`, not implemented", [_spec.status, id, status])
}

metadata["PRB-009"] := {
	"title": "Problem dates are in order and not in the future",
	"severity": "error",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		": \"ensure there is a tracking system established to track and monitor all system-related problems\"",
	]),
	"rationale": concat(" ", [
		"A resolution dated before the root cause was known, or a date after the audit date, is a recording error that",
		"misleads trend analysis.",
	]),
	"remediation": concat(" ", [
		"Correct spec.known_error.recorded_on and spec.resolution.date (recorded_on ≤ resolution date ≤",
		"today).",
	]),
	"frameworks": {"itil4": ["Problem management"]},
}

deny contains lib.finding("PRB-009", "/spec/resolution/date", msg) if {
	recorded := _spec.known_error.recorded_on
	resolved := _spec.resolution.date
	_is_date(recorded)
	_is_date(resolved)
	lib.days_between(recorded, resolved) < 0
	msg := sprintf("resolved on %s, before the known error was recorded on %s", [resolved, recorded])
}

deny contains lib.finding("PRB-009", pointer, msg) if {
	some pair in [
		["/spec/known_error/recorded_on", object.get(object.get(_spec, "known_error", {}), "recorded_on", null)],
		["/spec/resolution/date", object.get(object.get(_spec, "resolution", {}), "date", null)],
	]
	pointer := pair[0]
	value := pair[1]
	_is_date(value)
	lib.days_between(input.as_of, value) > 0
	msg := sprintf("date %s is after the evaluation date %s", [value, input.as_of])
}

metadata["PRB-010"] := {
	"title": "Linked incidents link back to the problem",
	"severity": "warning",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		": \"It's important to understand the linkage between the incident and problem management.\"",
	]),
	"rationale": concat(" ", [
		"When the link exists only on the problem side, responders working the incident do not see the known error or its",
		"workaround.",
	]),
	"remediation": concat(" ", [
		"Set spec.problem of each listed incident to this problem's id (or remove incidents that belong to another",
		"problem).",
	]),
	"frameworks": {"iso27001": ["A.5.27"], "itil4": ["Problem management", "Incident management"]},
}

deny contains lib.finding_with("PRB-010", sprintf("/spec/incidents/%d", [i]), msg, [id]) if {
	some i, id in object.get(_spec, "incidents", [])
	incident := lib.artifact("IncidentRecord", id)
	linked := object.get(incident.spec, "problem", "")
	linked != _id
	msg := sprintf("incident `%s` does not link back to this problem (its problem: %s)", [id, _describe(linked)])
}

_describe("") := "none"

_describe(value) := sprintf("`%s`", [value]) if value != ""

metadata["PRB-011"] := {
	"title": "Closed problem's incidents are resolved or closed",
	"severity": "error",
	"area": "problem",
	"kinds": ["ProblemRecord"],
	"source": concat("", [
		_src,
		": \"It's important to understand the linkage between the incident and problem management.\"; problem management ",
		"\"prevents their reoccurrence\"",
	]),
	"rationale": concat(" ", [
		"Closing a problem while its incidents are still open ends the root-cause work before the disruption it causes is",
		"over.",
	]),
	"remediation": "Resolve or close the linked incidents first, or reopen the problem.",
	"frameworks": {"iso27001": ["A.5.26", "A.5.27"], "itil4": ["Problem management", "Incident management"]},
}

deny contains lib.finding_with("PRB-011", sprintf("/spec/incidents/%d", [i]), msg, [id]) if {
	_spec.status == "closed"
	some i, id in object.get(_spec, "incidents", [])
	incident := lib.artifact("IncidentRecord", id)
	status := object.get(incident.spec, "status", "without status")
	not status in {"resolved", "closed"}
	msg := sprintf("problem is closed but incident `%s` is still `%s`", [id, status])
}
