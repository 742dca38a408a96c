# Change management: change records (RFCs) and the change-management process policy.
# Source: "Change Management Objectives" and "Change Management Process".
package opsgate.rules.change

import data.opsgate.lib
import rego.v1

kinds := {"ChangeRecord", "ProcessPolicy"}

_obj := "Change Management Objectives"

_proc := "Change Management Process"

_a := lib.subject(kinds)

_spec := _a.spec

_at_least(name) if {
	_a.kind == "ChangeRecord"
	lib.reached(_a, name)
}

metadata["CHG-001"] := {
	"title": "Change is evaluated before it is authorized",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_obj, ", item 3: \"Ensure that changes are recorded and evaluated.\""]),
	"rationale": concat(" ", [
		"An unevaluated change has unknown impact: nobody has weighed its effect on services, CIs and security baselines",
		"before it is approved.",
	]),
	"remediation": "Fill in spec.evaluation with evaluated_by, date and impact once the change reaches `assessed`.",
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-4"], "cis_v8": ["4.1"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-001", "/spec/evaluation", msg) if {
	_at_least("assessed")
	lacking := lib.lacks(object.get(_spec, "evaluation", {}), ["evaluated_by", "date", "impact"])
	msg := sprintf("change is `%s` but its evaluation lacks %s", [_spec.status, lacking])
}

metadata["CHG-002"] := {
	"title": "Change is authorized before it proceeds",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [
		_obj,
		", item 4: \"Ensure that authorized changes are prioritized, planned, tested, implemented, documented, and reviewed ",
		"in a controlled manner.\"",
	]),
	"rationale": concat(" ", [
		"A change past `authorized` without an authorization is an unauthorized change, which the change-management process",
		"exists to prevent. Authorization takes the three forms of ITIL 4 change enablement: a normal change carries its own",
		"approval; a standard change is pre-authorized by the approved change model (template) it references, so it needs no",
		"approval of its own; an emergency change is authorized by the emergency change authority at once, its written",
		"approval following (CHG-020).",
	]),
	"remediation": concat(" ", [
		"Record the approval in spec.approvals (approver, role, date, decision: approved); for a standard change reference",
		"an approved model in spec.change_model; for an emergency change record spec.emergency (authorized_by,",
		"authorized_at). Or move the change back to `assessed`.",
	]),
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "cis_v8": ["4.1"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-002", "/spec/approvals", msg) if {
	_at_least("authorized")
	object.get(_spec, "type", "") != "standard"
	not lib.change_authorized(_a)
	msg := sprintf(
		"%s change is `%s` but has no approval with decision `approved`%s",
		[_spec.type, _spec.status, _emergency_hint],
	)
}

_emergency_hint := " and no emergency authorization (spec.emergency)" if _spec.type == "emergency"

else := ""

deny contains lib.finding("CHG-002", "/spec/change_model", msg) if {
	_at_least("authorized")
	_spec.type == "standard"
	not lib.pre_authorized(_a)
	msg := sprintf("standard change is `%s` but %s", [_spec.status, _model_problem])
}

_model_problem := "references no change model (spec.change_model)" if lib.missing(_spec, "change_model")

# (The message is computed and checked in the body: an else whose value is undefined falls through
# to the next one in regorus's interpreter and OPA, but the compiled engine takes it, with no value,
# unless a condition fails: docs/engine-differences.md.)
else := msg if {
	not lib.change_model(_a)
	msg := sprintf(
		"change model `%v` is not defined in change-management policy `%v`",
		[_spec.change_model.model, _spec.change_model.policy],
	)
	is_string(msg)
}

else := sprintf("change model `%s` is not approved", [_spec.change_model.model])

metadata["CHG-003"] := {
	"title": "Approval precedes implementation",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat(" ", [
		"Configuration Management and Change Management: \"there should never be a change that is allowed to take place to a",
		"CI in a production system unless change management has approved the change first.\"",
	]),
	"rationale": concat(" ", [
		"An approval dated after the work started is a retroactive rubber stamp, not control. An emergency change is",
		"approved first by the emergency change authority (spec.emergency.authorized_at, before implementation starts); its",
		"written approval may follow within the emergency approval window (CHG-020), as ITIL 4 and ISO/IEC 27001 A.8.32",
		"allow for emergencies. A standard change is approved through its change model, whose approval must precede the",
		"change.",
	]),
	"remediation": concat(" ", [
		"Implement changes only after their approval date; if the record is wrong, correct the dates with evidence. For an",
		"emergency, record the emergency authority's decision before implementation in spec.emergency.",
	]),
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-003", sprintf("/spec/approvals/%d/date", [i]), msg) if {
	_at_least("implemented")
	not object.get(_spec, "type", "") in {"standard", "emergency"}
	started := _spec.implementation.started
	approvals := object.get(_spec, "approvals", [])
	count(lib.approved_approvals(approvals)) > 0
	every a in lib.approved_approvals(approvals) {
		lib.days_between(a.date, started) < 0
	}
	some i, approval in approvals
	lib.is_approved(approval)
	msg := sprintf("approved on %s, after implementation started on %s", [approval.date, lib.date_of(started)])
}

# An emergency change: the emergency authority decides before implementation; without that decision
# its approvals are judged like a normal change's.
deny contains lib.finding("CHG-003", "/spec/emergency/authorized_at", msg) if {
	_at_least("implemented")
	lib.emergency_authorized(_a)
	_ns(_spec.emergency.authorized_at) > _ns(_spec.implementation.started)
	msg := sprintf(
		"emergency authorization at %s came after implementation started at %s",
		[_spec.emergency.authorized_at, _spec.implementation.started],
	)
}

deny contains lib.finding("CHG-003", sprintf("/spec/approvals/%d/date", [i]), msg) if {
	_at_least("implemented")
	_spec.type == "emergency"
	not lib.emergency_authorized(_a)
	started := _spec.implementation.started
	approvals := object.get(_spec, "approvals", [])
	count(lib.approved_approvals(approvals)) > 0
	every a in lib.approved_approvals(approvals) {
		lib.days_between(a.date, started) < 0
	}
	some i, approval in approvals
	lib.is_approved(approval)
	msg := sprintf(
		"approved on %s, after implementation started on %s, and no emergency authorization precedes it (spec.emergency)",
		[approval.date, lib.date_of(started)],
	)
}

deny contains lib.finding("CHG-003", "/spec/change_model", msg) if {
	_at_least("implemented")
	lib.pre_authorized(_a)
	approved := lib.change_model(_a).approval.date
	lib.days_between(approved, _spec.implementation.started) < 0
	msg := sprintf(
		"change model `%s` was approved on %s, after implementation started on %s",
		[_spec.change_model.model, approved, lib.date_of(_spec.implementation.started)],
	)
}

# RFC 3339 timestamp to nanoseconds (undefined for anything else).
_ns(value) := time.parse_rfc3339_ns(value) if is_string(value)

metadata["CHG-004"] := {
	"title": "Change is prioritized",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_obj, ", item 4 (\"prioritized\")"]),
	"rationale": concat(" ", [
		"Priority decides scheduling and the level of scrutiny; without it, urgent and trivial changes compete",
		"blindly.",
	]),
	"remediation": "Set spec.priority (low, medium, high, critical) when the change is assessed.",
	"frameworks": {"nist_800_53": ["CM-3"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-004", "/spec/priority", msg) if {
	_at_least("assessed")
	lib.missing(_spec, "priority")
	msg := sprintf("change is `%s` but has no priority", [_spec.status])
}

metadata["CHG-005"] := {
	"title": "Scheduled change has a plan",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_obj, ", item 4 (\"planned\")"]),
	"rationale": concat(" ", [
		"Without a plan (window and steps) nobody can coordinate the change with releases, availability and the help",
		"desk.",
	]),
	"remediation": "Fill in spec.plan with scheduled_start, scheduled_end and steps.",
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-005", "/spec/plan", msg) if {
	_at_least("scheduled")
	lacking := lib.lacks(object.get(_spec, "plan", {}), ["scheduled_start", "scheduled_end", "steps"])
	msg := sprintf("change is `%s` but its plan lacks %s", [_spec.status, lacking])
}

metadata["CHG-006"] := {
	"title": "Implemented change was tested and passed",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_obj, ", item 4 (\"tested\"); ", _proc, ", item 3 (\"testing and deployment procedures\")"]),
	"rationale": concat(" ", [
		"An untested change, or one whose tests failed, reaches production with unknown behaviour. A test series is judged",
		"by its latest run: a test that failed, was fixed and passed on retest (the same name, a later date) is a passed",
		"test, as in any CI pipeline and as BCM-016 judges continuity tests.",
	]),
	"remediation": concat(" ", [
		"Record each test in spec.tests (name, date, result); the latest run of every test of an implemented change must",
		"have passed (record a retest under the same name).",
	]),
	"frameworks": {"iso27001": ["A.8.32", "A.8.29"], "nist_800_53": ["CM-3(2)", "CM-4"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-006", "/spec/tests", msg) if {
	_at_least("implemented")
	lib.missing(_spec, "tests")
	msg := sprintf("change is `%s` but records no test", [_spec.status])
}

deny contains lib.finding("CHG-006", sprintf("/spec/tests/%d/result", [i]), msg) if {
	_at_least("implemented")
	some i, test in _spec.tests
	test.result != "passed"
	not _retested(i, test)
	msg := sprintf(
		"latest run of test `%s` has result `%s`; an implemented change needs passing tests",
		[test.name, test.result],
	)
}

deny contains lib.finding("CHG-006", sprintf("/spec/tests/%d/date", [i]), msg) if {
	_at_least("implemented")
	some i, test in lib.items(_spec, "tests")
	lib.future(test.date)
	msg := sprintf(
		"test `%s` is dated %s, after the evaluation date %s: a future test is no evidence",
		[test.name, test.date, input.as_of],
	)
}

# A later run of the same test (a later date, or the same date further down the list) supersedes it.
_retested(i, test) if {
	some j, other in _spec.tests
	j != i
	other.name == test.name
	_runs_after(other, j, test, i)
}

_runs_after(other, j, test, i) if {
	is_string(other.date)
	is_string(test.date)
	other.date > test.date
}

_runs_after(other, j, test, i) if {
	object.get(other, "date", null) == object.get(test, "date", null)
	j > i
}

metadata["CHG-007"] := {
	"title": "Implementation is documented",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_obj, ", items 4 and 5 (\"implemented, documented\")"]),
	"rationale": "Who implemented what and when is the evidence auditors and incident responders need.",
	"remediation": "Fill in spec.implementation with implemented_by, started, completed and result.",
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-007", "/spec/implementation", msg) if {
	_at_least("implemented")
	lacking := lib.lacks(object.get(_spec, "implementation", {}), ["implemented_by", "started", "completed", "result"])
	msg := sprintf("change is `%s` but its implementation lacks %s", [_spec.status, lacking])
}

metadata["CHG-008"] := {
	"title": "Completed change is reviewed",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_obj, ", item 4 (\"reviewed\")"]),
	"rationale": concat(" ", [
		"The post-implementation review confirms the change met its goal and feeds lessons back into the",
		"process.",
	]),
	"remediation": concat(" ", [
		"Fill in spec.review with reviewer, date, outcome and successful before moving to `reviewed` or",
		"`closed`.",
	]),
	"frameworks": {
		"iso27001": ["A.8.32"],
		"nist_800_53": ["CM-3"],
		"itil4": ["Change enablement", "Continual improvement"],
	},
}

deny contains lib.finding("CHG-008", "/spec/review", msg) if {
	_at_least("reviewed")
	lacking := lib.lacks(object.get(_spec, "review", {}), ["reviewer", "date", "outcome"])
	msg := sprintf("change is `%s` but its review lacks %s", [_spec.status, lacking])
}

metadata["CHG-009"] := {
	"title": "Change lists the CIs it affects",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [
		_obj,
		", item 5: \"Ensure that all changes to CIs are recorded in the configuration management system.\"",
	]),
	"rationale": "Without affected CIs the CMDB cannot be updated and nobody can tell which systems a change touched.",
	"remediation": concat(" ", [
		"List the ConfigurationItem ids in spec.affected_cis (a change to agreements only lists them in",
		"spec.affected_agreements instead).",
	]),
	"frameworks": {
		"iso27001": ["A.8.9", "A.8.32"],
		"nist_800_53": ["CM-3", "CM-8"],
		"itil4": ["Service configuration management"],
	},
}

# A change to an agreement alone (an SLA revision) touches no configuration item.
deny contains lib.finding("CHG-009", "/spec/affected_cis", msg) if {
	_at_least("submitted")
	lib.missing(_spec, "affected_cis")
	lib.missing(_spec, "affected_agreements")
	msg := "change lists no affected configuration items"
}

metadata["CHG-010"] := {
	"title": "Authorized change has a back-out plan",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": "Release and Deployment Management Role and Incident and Problem Management (\"rollback or back-out plan\")",
	"rationale": concat(" ", [
		"When a change goes wrong, a back-out plan written beforehand is what turns an outage into a short",
		"incident.",
	]),
	"remediation": "Describe how to undo the change in spec.backout_plan.",
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-010", "/spec/backout_plan", msg) if {
	_at_least("authorized")
	_spec.type != "standard"
	lib.missing(_spec, "backout_plan")
	msg := sprintf("%s change is `%s` without a back-out plan", [_spec.type, _spec.status])
}

metadata["CHG-011"] := {
	"title": "Change risk is assessed",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_obj, ", item 6: \"Optimize overall business risk.\""]),
	"rationale": "Business risk can only be optimized if each change states its risk level and why.",
	"remediation": "Fill in spec.risk with level and assessment.",
	"frameworks": {
		"iso27001": ["A.8.32", "A.5.8"],
		"nist_800_53": ["CM-4", "RA-3"],
		"itil4": ["Change enablement", "Risk management"],
	},
}

deny contains lib.finding("CHG-011", "/spec/risk", msg) if {
	_at_least("assessed")
	lacking := lib.lacks(object.get(_spec, "risk", {}), ["level", "assessment"])
	msg := sprintf("change is `%s` but its risk lacks %s", [_spec.status, lacking])
}

metadata["CHG-012"] := {
	"title": "High-risk change is mitigated or its risk knowingly accepted",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [
		_obj,
		", item 6: \"sometimes it is appropriate to knowingly accept a risk because of the potential benefit.\"",
	]),
	"rationale": concat(" ", [
		"The source says it is \"sometimes\" appropriate to accept a risk: a high risk is either reduced or accepted. So the",
		"record must show one of the two: a mitigation with the residual level it leaves (medium or lower), or an approved",
		"RiskAcceptance that names this change. An acceptance written for another change accepts nothing here (ISO/IEC 27001",
		"6.1.3 risk treatment: modify or retain the risk, knowingly).",
	]),
	"remediation": concat(" ", [
		"Describe spec.risk.mitigation and set spec.risk.residual_level (low or medium), or reference in",
		"spec.risk.accepted_risks an approved RiskAcceptance whose spec.artifacts names this change.",
	]),
	"frameworks": {"iso27001": ["A.5.8", "A.8.32"], "nist_800_53": ["RA-3", "PM-9"], "itil4": ["Risk management"]},
}

deny contains lib.finding("CHG-012", "/spec/risk/level", msg) if {
	_at_least("authorized")
	_spec.risk.level in {"high", "critical"}
	not _mitigated
	count(_approved_acceptances) == 0
	msg := sprintf(
		concat("", [
			"%s-risk change is neither mitigated (spec.risk.mitigation with a residual_level of medium or lower) nor covered ",
			"by an approved RiskAcceptance that names it%s",
		]),
		[_spec.risk.level, _uncovering],
	)
}

_mitigated if {
	lib.present(_spec.risk, "mitigation")
	_spec.risk.residual_level in {"low", "medium"}
}

_approved_acceptances contains id if {
	some id in lib.items(_spec.risk, "accepted_risks")
	acceptance := lib.artifact("RiskAcceptance", id)
	lib.is_approved(acceptance.spec.approval)
	some entry in lib.items(acceptance.spec, "artifacts")
	lib.covers(entry, _a.metadata.id)
}

# Approved acceptances the change cites that are about something else.
_uncovering := sprintf(" (cited acceptances that do not name this change: %s)", [lib.join_names(sort(others))]) if {
	others := [id |
		some id in lib.items(_spec.risk, "accepted_risks")
		lib.is_approved(lib.artifact("RiskAcceptance", id).spec.approval)
		not id in _approved_acceptances
	]
	count(others) > 0
} else := ""

metadata["CHG-013"] := {
	"title": "Requester does not approve their own change",
	"severity": "warning",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_proc, ", item 3: \"should include adequate oversight of all changes\""]),
	"rationale": "Oversight means a second person: self-approval defeats segregation of duties.",
	"remediation": "Have someone other than spec.requested_by approve the change.",
	"frameworks": {"iso27001": ["A.5.3", "A.8.32"], "nist_800_53": ["AC-5", "CM-3"], "itil4": ["Change enablement"]},
}

deny contains lib.finding_with("CHG-013", sprintf("/spec/approvals/%d/approver", [i]), msg, [_spec.requested_by]) if {
	_at_least("authorized")
	some i, approval in _spec.approvals
	lib.is_approved(approval)
	approval.approver == _spec.requested_by
	msg := sprintf("approved by its own requester `%s`", [approval.approver])
}

metadata["CHG-014"] := {
	"title": "Change evaluation checks security-baseline compliance",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [
		_proc,
		", item 2: \"Quality evaluation of new software and compliance with established security baselines\"",
	]),
	"rationale": "A change that breaks a security baseline silently weakens every CI it touches.",
	"remediation": concat(" ", [
		"Assess the change against the applicable SecurityBaseline and record spec.evaluation.baseline_compliance: true (or",
		"reject the change).",
	]),
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-2", "CM-6"],
		"cis_v8": ["4.1"],
		"itil4": ["Change enablement"],
	},
}

deny contains lib.finding("CHG-014", "/spec/evaluation/baseline_compliance", msg) if {
	_at_least("authorized")
	object.get(object.get(_spec, "evaluation", {}), "baseline_compliance", false) != true
	msg := "change was authorized without confirming compliance with the security baselines"
}

metadata["CHG-015"] := {
	"title": "Rejected or cancelled change was not implemented",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [_proc, ", item 4: \"Preventing the unauthorized installation of software and hardware\""]),
	"rationale": "Implementation evidence on a rejected change means an unauthorized change reached the environment.",
	"remediation": concat(" ", [
		"Investigate the unauthorized implementation; open an incident and a new change to regularize or revert",
		"it.",
	]),
	"frameworks": {"iso27001": ["A.8.32", "A.8.19"], "nist_800_53": ["CM-3", "CM-11"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-015", "/spec/implementation", msg) if {
	_a.kind == "ChangeRecord"
	_spec.status in {"rejected", "cancelled"}
	lib.present(_spec, "implementation")
	msg := sprintf("change is `%s` yet records an implementation", [_spec.status])
}

_change_topics := [
	"new_infrastructure_and_software",
	"quality_and_baseline_compliance",
	"change_oversight",
	"unauthorized_installation_prevention",
]

_config_topics := [
	"new_configurations",
	"quality_and_baseline_compliance",
	"change_oversight",
	"unauthorized_change_prevention",
]

_topics_of("change_management") := _change_topics

_topics_of("configuration_management") := _config_topics

metadata["CHG-016"] := {
	"title": "Change-management process policy covers the four required topics",
	"severity": "error",
	"area": "change",
	"kinds": ["ProcessPolicy"],
	"source": concat("", [
		_proc,
		": policies and procedures for development and acquisition of new infrastructure and software; quality evaluation ",
		"and baseline compliance; changing systems with oversight; preventing unauthorized installation",
	]),
	"rationale": "Each topic is a way changes enter the environment; a process that leaves one out leaves a door open.",
	"remediation": "Add the missing topic under spec.topics with a policy, a procedure and an owner.",
	"frameworks": {"iso27001": ["A.5.1", "A.8.32"], "nist_800_53": ["CM-1", "CM-9"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-016", "/spec/topics", msg) if {
	_a.kind == "ProcessPolicy"
	_spec.process == "change_management"
	some topic in _change_topics
	not lib.present(object.get(_spec, "topics", {}), topic)
	msg := sprintf("change-management policy does not cover `%s`", [topic])
}

metadata["CHG-017"] := {
	"title": "Each process-policy topic has a policy, a procedure and an owner",
	"severity": "error",
	"area": "change",
	"kinds": ["ProcessPolicy"],
	"source": concat("", [
		_proc,
		" and Configuration Management: \"The process should include policies and procedures for each of the following\"",
	]),
	"rationale": "A topic named without a policy, a procedure or someone accountable is not a process.",
	"remediation": "Fill in policy, procedure and owner for the topic.",
	"frameworks": {
		"iso27001": ["A.5.1", "A.5.37"],
		"nist_800_53": ["CM-1"],
		"itil4": ["Change enablement", "Service configuration management"],
	},
}

deny contains lib.finding("CHG-017", sprintf("/spec/topics/%s", [topic]), msg) if {
	_a.kind == "ProcessPolicy"
	some topic in _topics_of(_spec.process)
	entry := _spec.topics[topic]
	lacking := lib.lacks(entry, ["policy", "procedure", "owner"])
	msg := sprintf("topic `%s` lacks %s", [topic, lacking])
}

metadata["CHG-018"] := {
	"title": "Process policy is approved",
	"severity": "error",
	"area": "change",
	"kinds": ["ProcessPolicy"],
	"source": concat("", [
		_proc,
		"; Configuration Management (\"You should develop a configuration-management process\")",
	]),
	"rationale": "An unapproved process policy has no authority: nobody is bound to follow it.",
	"remediation": "Record the approval in spec.approval with decision approved.",
	"frameworks": {"iso27001": ["A.5.1"], "nist_800_53": ["CM-1", "PM-1"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-018", "/spec/approval", msg) if {
	_a.kind == "ProcessPolicy"
	not lib.is_approved(object.get(_spec, "approval", {}))
	msg := sprintf("%s process policy is not approved", [_spec.process])
}

# --- Standard and emergency changes ------------------------------------------------------------

_risk_rank := {"low": 1, "medium": 2, "high": 3, "critical": 4}

metadata["CHG-019"] := {
	"title": "Standard change stays within its pre-authorized change model",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [
		_obj,
		", item 4: authorized changes are \"prioritized, planned, tested, implemented, documented, and reviewed in a ",
		"controlled manner\"; ",
		_proc,
		", item 3 (\"adequate oversight of all changes\")",
	]),
	"rationale": concat(" ", [
		"A standard change skips the individual approval only because its model was assessed once as low-risk and routine",
		"(ITIL 4 change enablement). A change riskier than its model allows is not a standard change: calling it one",
		"bypasses the change authority.",
	]),
	"remediation": concat(" ", [
		"Raise the change as a normal change (assessed and approved on its own), or lower its risk to the model's max_risk",
		"(default low).",
	]),
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "itil4": ["Change enablement"]},
}

deny contains lib.finding_with("CHG-019", "/spec/risk/level", msg, [_spec.change_model.policy]) if {
	_a.kind == "ChangeRecord"
	_spec.type == "standard"
	model := lib.change_model(_a)
	limit := object.get(model, "max_risk", "low")
	_risk_rank[_spec.risk.level] > _risk_rank[limit]
	msg := sprintf(
		"standard change has risk `%s`, above the `%s` its change model `%s` allows",
		[_spec.risk.level, limit, model.id],
	)
}

_window_hours := lib.param("emergency_approval_window_hours")

# When an approval was given: its time, else the end of its day (the latest it can have been). A
# time on another day than the approval's date is not trusted to move the approval earlier.
_approval_ns(approval) := _ns(approval.at) if {
	is_string(approval.at)
	lib.date_of(approval.at) == approval.date
}

else := _ns(concat("", [approval.date, "T23:59:59Z"]))

_time_note(approval) := "" if lib.date_of(approval.at) == approval.date

else := "; the approval records no time (`at`) on its date, so the end of its day is assumed"

_written := [a | some a in lib.approved_approvals(lib.items(_spec, "approvals")); is_string(a.date)]

metadata["CHG-020"] := {
	"title": "Emergency change's written approval follows within the emergency window",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat(" ", [
		"Configuration Management and Change Management: \"there should never be a change that is allowed to take place to a",
		"CI in a production system unless change management has approved the change first.\"",
	]),
	"rationale": concat(" ", [
		"The source allows no change without prior approval; practice (ITIL 4, ISO/IEC 27001 A.8.32) meets it for",
		"emergencies by having an emergency change authority decide at once and the written approval follow. That is control",
		"only if the written approval really follows, within a defined window: a verbal authorization never confirmed in",
		"writing is an unauthorized change.",
	]),
	"remediation": concat(" ", [
		"Record the change authority's written approval in spec.approvals (with `at`, the time) within",
		"emergency_approval_window_hours (param, default 72) of spec.emergency.authorized_at.",
	]),
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-020", "/spec/approvals", msg) if {
	_at_least("authorized")
	lib.emergency_authorized(_a)
	count(_written) == 0
	elapsed := _ns(concat("", [input.as_of, "T00:00:00Z"])) - _ns(_spec.emergency.authorized_at)
	elapsed > _window_hours * lib.ns_per_hour
	msg := sprintf(
		"emergency authorization at %s is not confirmed by a written approval %d hours later (window %d hours)",
		[_spec.emergency.authorized_at, round(elapsed / lib.ns_per_hour), _window_hours],
	)
}

deny contains lib.finding("CHG-020", sprintf("/spec/approvals/%d", [i]), msg) if {
	_at_least("authorized")
	lib.emergency_authorized(_a)
	count(_written) > 0
	first := min([_approval_ns(a) | some a in _written])
	elapsed := first - _ns(_spec.emergency.authorized_at)
	elapsed > _window_hours * lib.ns_per_hour
	some i, approval in _spec.approvals
	lib.is_approved(approval)
	_approval_ns(approval) == first
	msg := sprintf(
		"written approval came %v hours after the emergency authorization at %s (window %d hours)%s",
		[lib.round2(elapsed / lib.ns_per_hour), _spec.emergency.authorized_at, _window_hours, _time_note(approval)],
	)
}

# --- Order of the lifecycle ----------------------------------------------------------------------

_impl := object.get(_spec, "implementation", {})

metadata["CHG-021"] := {
	"title": "Change lifecycle events are in order",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat("", [
		_obj,
		", items 3-4: changes are \"recorded and evaluated\" and authorized changes are \"prioritized, planned, tested, ",
		"implemented, documented, and reviewed in a controlled manner\"",
	]),
	"rationale": concat(" ", [
		"The order is the control: an evaluation dated after the approval did not inform it, a test dated after",
		"implementation did not gate it, a review dated before implementation reviewed nothing. Out-of-order dates are",
		"either recording errors or a process that was not followed.",
	]),
	"remediation": concat(" ", [
		"Correct the dates, or redo the step that came too late: request, then evaluation, then approval, then tests, then",
		"implementation, then review.",
	]),
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3", "CM-4"], "itil4": ["Change enablement"]},
}

deny contains lib.finding("CHG-021", "/spec/evaluation/date", msg) if {
	_a.kind == "ChangeRecord"
	evaluated := _spec.evaluation.date
	lib.days_between(_spec.requested_on, evaluated) < 0
	msg := sprintf("evaluated on %s, before the change was requested on %s", [evaluated, _spec.requested_on])
}

deny contains lib.finding("CHG-021", "/spec/evaluation/date", msg) if {
	_a.kind == "ChangeRecord"
	_spec.type != "standard"
	evaluated := _spec.evaluation.date
	first := min([a.date | some a in _written])
	lib.days_between(first, evaluated) > 0
	msg := sprintf(
		"evaluated on %s, after the change was approved on %s: the evaluation did not inform the approval",
		[evaluated, first],
	)
}

deny contains lib.finding("CHG-021", sprintf("/spec/tests/%d/date", [i]), msg) if {
	_a.kind == "ChangeRecord"
	completed := _impl.completed
	some i, test in lib.items(_spec, "tests")
	lib.days_between(completed, test.date) > 0
	msg := sprintf(
		"test `%s` is dated %s, after implementation completed on %s: it did not gate the change",
		[test.name, test.date, lib.date_of(completed)],
	)
}

deny contains lib.finding("CHG-021", "/spec/implementation/completed", msg) if {
	_a.kind == "ChangeRecord"
	_ns(_impl.completed) < _ns(_impl.started)
	msg := sprintf("implementation completed at %s, before it started at %s", [_impl.completed, _impl.started])
}

deny contains lib.finding("CHG-021", "/spec/review/date", msg) if {
	_a.kind == "ChangeRecord"
	reviewed := _spec.review.date
	lib.days_between(_impl.completed, reviewed) < 0
	msg := sprintf("reviewed on %s, before implementation completed on %s", [reviewed, lib.date_of(_impl.completed)])
}
