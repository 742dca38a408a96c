# Configuration management: configuration items (the CMDB), the security baselines they must comply
# with, and the configuration-management process policy.
# Source: "Configuration Management" and "compliance with established security baselines".
package opsgate.rules.configuration

import data.opsgate.lib
import rego.v1

kinds := {"ConfigurationItem", "SecurityBaseline", "ProcessPolicy"}

_cm := "Configuration Management"

_maintain := concat("", [
	_cm,
	": \"Configuration management aims to maintain information about CIs required to deliver an IT service, including ",
	"their relationships.\"",
])

_item(n, text) := concat(
	"",
	[_cm, ", the process should include policies and procedures for each of the following, item ", n, ": \"", text, "\""],
)

_item1 := concat(" ", [
	"The development and implementation of new configurations that should apply to the hardware and software",
	"configurations of the cloud environment",
])

_item2 := "Quality evaluation of configuration changes and compliance with established security baselines"

_item3 := concat(" ", [
	"Changing systems, including testing and deployment procedures, that should include adequate oversight of all",
	"configuration changes",
])

_item4 := "The prevention of any unauthorized changes in system configurations"

_a := lib.subject(kinds)

_spec := object.get(_a, "spec", {})

_is_ci if _a.kind == "ConfigurationItem"

_is_baseline if _a.kind == "SecurityBaseline"

_is_config_policy if {
	_a.kind == "ProcessPolicy"
	_spec.process == "configuration_management"
}

# A retired CI no longer runs: what it relates to and how it was last checked stay as history.
_retired if object.get(_a.metadata, "status", "") == "retired"

_production if {
	_is_ci
	_spec.environment == "production"
}

# --- Configuration items ----------------------------------------------------------------------

metadata["CFG-001"] := {
	"title": "Configuration item records its type, environment and version",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": _maintain,
	"rationale": concat(" ", [
		"The CMDB is only useful if each CI says what it is, where it runs and which version is deployed; impact analysis,",
		"baseline checks and release tracking all depend on it.",
	]),
	"remediation": "Fill in spec.type, spec.environment and spec.version of the ConfigurationItem.",
	"frameworks": {
		"iso27001": ["A.5.9", "A.8.9"],
		"nist_800_53": ["CM-8"],
		"cis_v8": ["1.1", "2.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding("CFG-001", pointer, msg) if {
	_is_ci
	missing := lib.missing_fields(_spec, ["type", "environment", "version"])
	count(missing) > 0
	pointer := _field_pointer(missing)
	msg := sprintf("configuration item does not record its %s", [lib.join_names(missing)])
}

# One missing field: point at it; several: at the spec.
_field_pointer(missing) := sprintf("/spec/%s", [missing[0]]) if count(missing) == 1

_field_pointer(missing) := "/spec" if count(missing) > 1

metadata["CFG-002"] := {
	"title": "Configuration item names the service it helps deliver",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": concat("", [_cm, ": \"maintain information about CIs required to deliver an IT service\""]),
	"rationale": concat(" ", [
		"A CI not linked to a service cannot be assessed for the impact of its changes, incidents or outages on that",
		"service.",
	]),
	"remediation": "Set spec.service to the id of the Service the CI helps deliver.",
	"frameworks": {"iso27001": ["A.5.9", "A.8.9"], "nist_800_53": ["CM-8"], "itil4": ["Service configuration management"]},
}

deny contains lib.finding("CFG-002", "/spec/service", msg) if {
	_is_ci
	lib.missing(_spec, "service")
	msg := "configuration item does not name the service it helps deliver"
}

_related_types := {"application", "container", "virtual_machine", "database"}

metadata["CFG-003"] := {
	"title": "Application, container, virtual-machine and database CIs document their relationships",
	"severity": "warning",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": concat("", [_cm, ": \"maintain information about CIs ... including their relationships\""]),
	"rationale": concat(" ", [
		"Applications, containers, virtual machines and databases always run on, depend on or connect to other CIs; without",
		"these relationships the impact of a change or failure cannot be traced. A relationship recorded on the other CI (an",
		"application that depends_on this database) documents it too; a retired CI needs none.",
	]),
	"remediation": concat(" ", [
		"List the CI's relationships in spec.relationships (type depends_on, runs_on, connects_to, part_of or backed_up_by,",
		"and the target CI id).",
	]),
	"frameworks": {"iso27001": ["A.8.9"], "nist_800_53": ["CM-8"], "itil4": ["Service configuration management"]},
}

deny contains lib.finding("CFG-003", "/spec/relationships", msg) if {
	_is_ci
	not _retired
	_spec.type in _related_types
	lib.missing(_spec, "relationships")
	not _a.metadata.id in lib.indexed("ci_relationship_targets")
	msg := sprintf("%s configuration item documents no relationship to other CIs", [_spec.type])
}

metadata["CFG-004"] := {
	"title": "Production configuration item has a security baseline",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": _item("2", _item2),
	"rationale": concat(" ", [
		"Compliance with an established security baseline can only be evaluated for a production CI that is assigned one;",
		"without it the CI's hardening is undefined.",
	]),
	"remediation": "Set spec.baseline to the id of the SecurityBaseline that applies to the CI.",
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-2", "CM-6"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding("CFG-004", "/spec/baseline", msg) if {
	_production
	lib.missing(_spec, "baseline")
	msg := "production configuration item has no security baseline assigned"
}

metadata["CFG-005"] := {
	"title": "Configuration item's security baseline applies to its type",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": _item("2", _item2),
	"rationale": concat(" ", [
		"A baseline written for another type of CI (a database baseline on a network device) does not contain the controls",
		"the CI needs, so its compliance means nothing.",
	]),
	"remediation": concat(" ", [
		"Assign a SecurityBaseline whose spec.applies_to lists the CI's type, or extend the baseline's applies_to if its",
		"controls really fit.",
	]),
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-6"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding_with("CFG-005", "/spec/baseline", msg, [_spec.baseline]) if {
	_is_ci
	is_string(_spec.type)
	baseline := lib.artifact("SecurityBaseline", _spec.baseline)
	applies_to := object.get(baseline.spec, "applies_to", [])
	count(applies_to) > 0
	not _spec.type in applies_to
	msg := sprintf(
		"baseline `%s` applies to %s, not to CI type `%s`",
		[_spec.baseline, lib.join_names(applies_to), _spec.type],
	)
}

_compliance := object.get(_spec, "baseline_compliance", {})

_check_interval := lib.param("review_interval_days")

metadata["CFG-006"] := {
	"title": "Baseline compliance of the configuration item is checked within the review interval",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": _item("2", _item2),
	"rationale": concat(" ", [
		"Configurations drift; a compliance result older than the review interval (or never recorded) no longer says",
		"anything about the CI as it runs today.",
	]),
	"remediation": concat(" ", [
		"Check the CI against its baseline and record spec.baseline_compliance.checked_on and result (at least every",
		"review_interval_days).",
	]),
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-6", "CA-7"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding("CFG-006", "/spec/baseline_compliance", msg) if {
	_is_ci
	lib.present(_spec, "baseline")
	lacking := lib.lacks(_compliance, ["checked_on", "result"])
	msg := sprintf("CI has baseline `%s` but its baseline compliance check lacks %s", [_spec.baseline, lacking])
}

deny contains lib.finding("CFG-006", "/spec/baseline_compliance/checked_on", msg) if {
	_is_ci
	lib.present(_spec, "baseline")
	age := lib.days_between(_compliance.checked_on, input.as_of)
	age > _check_interval
	msg := sprintf(
		"baseline compliance was last checked on %s, %s before %s (interval %s)",
		[_compliance.checked_on, lib.days_text(age), input.as_of, lib.days_text(_check_interval)],
	)
}

deny contains lib.finding("CFG-006", "/spec/baseline_compliance/checked_on", msg) if {
	_is_ci
	lib.present(_spec, "baseline")
	lib.days_between(_compliance.checked_on, input.as_of) < 0
	msg := sprintf(
		"baseline compliance check is dated %s, after the evaluation date %s",
		[_compliance.checked_on, input.as_of],
	)
}

metadata["CFG-007"] := {
	"title": "Configuration item complies with its security baseline",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": _item("2", _item2),
	"rationale": concat(" ", [
		"Every deviation from the established security baseline is a weakened control on a system that delivers a",
		"service.",
	]),
	"remediation": concat(" ", [
		"Remediate the deviations listed in spec.baseline_compliance.deviations and re-check, or cover them with an approved",
		"RiskAcceptance.",
	]),
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-6"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding("CFG-007", "/spec/baseline_compliance/result", msg) if {
	_is_ci
	_compliance.result == "non_compliant"
	deviations := [d | some d in object.get(_compliance, "deviations", []); is_string(d)]
	count(deviations) > 0
	msg := sprintf(
		"CI does not comply with baseline `%s`: %s",
		[object.get(_spec, "baseline", "unset"), concat("; ", deviations)],
	)
}

deny contains lib.finding("CFG-007", "/spec/baseline_compliance/result", msg) if {
	_is_ci
	_compliance.result == "non_compliant"
	count([d | some d in object.get(_compliance, "deviations", []); is_string(d)]) == 0
	msg := sprintf(
		"CI does not comply with baseline `%s` and records no deviations",
		[object.get(_spec, "baseline", "unset")],
	)
}

metadata["CFG-008"] := {
	"title": "Baseline compliance is re-checked after the configuration item's last change",
	"severity": "warning",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": _item("2", "Quality evaluation of configuration changes and compliance with established security baselines"),
	"rationale": concat(" ", [
		"A compliance check dated before the last change was completed says nothing about the configuration that change",
		"produced.",
	]),
	"remediation": concat(" ", [
		"Re-check the CI against its baseline after the change in spec.last_change and update",
		"spec.baseline_compliance.",
	]),
	"frameworks": {
		"iso27001": ["A.8.9", "A.8.32"],
		"nist_800_53": ["CM-4(2)", "CM-6"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management", "Change enablement"],
	},
}

deny contains lib.finding_with("CFG-008", "/spec/baseline_compliance/checked_on", msg, [_spec.last_change]) if {
	_is_ci
	not _retired
	lib.present(_spec, "baseline")
	checked_on := _compliance.checked_on
	change := lib.artifact("ChangeRecord", _spec.last_change)
	completed := change.spec.implementation.completed
	lib.days_between(checked_on, completed) > 0
	msg := sprintf(
		"baseline compliance was checked on %s, before last change `%s` was completed on %s",
		[checked_on, _spec.last_change, lib.date_of(completed)],
	)
}

metadata["CFG-009"] := {
	"title": "Production configuration item records the change that produced its configuration",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": _item("4", _item4),
	"rationale": concat(" ", [
		"A production CI that names no change record cannot show that its running configuration was authorized; unauthorized",
		"changes hide behind exactly this gap.",
	]),
	"remediation": "Set spec.last_change to the ChangeRecord that produced the CI's current configuration.",
	"frameworks": {
		"iso27001": ["A.8.9", "A.8.32"],
		"nist_800_53": ["CM-3", "CM-5"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management", "Change enablement"],
	},
}

deny contains lib.finding("CFG-009", "/spec/last_change", msg) if {
	_production
	lib.missing(_spec, "last_change")
	msg := "production configuration item does not record the change that produced its configuration"
}

# --- Security baselines -----------------------------------------------------------------------

metadata["CFG-010"] := {
	"title": "Security baseline is approved",
	"severity": "error",
	"area": "configuration",
	"kinds": ["SecurityBaseline"],
	"source": concat("", [_item("2", _item2), " (an established baseline)"]),
	"rationale": concat(" ", [
		"A baseline is only \"established\" once it is approved; compliance with an unapproved baseline proves",
		"nothing.",
	]),
	"remediation": "Record the approval in spec.approval (approver, role, date, decision: approved).",
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-2"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding("CFG-010", "/spec/approval", msg) if {
	_is_baseline
	not lib.is_approved(object.get(_spec, "approval", {}))
	msg := sprintf(
		"security baseline is not approved (decision `%s`)",
		[object.get(object.get(_spec, "approval", {}), "decision", "none")],
	)
}

metadata["CFG-011"] := {
	"title": "Security baseline states the CI types it applies to",
	"severity": "error",
	"area": "configuration",
	"kinds": ["SecurityBaseline"],
	"source": concat("", [_item("1", _item1), "; item 2 (\"compliance with established security baselines\")"]),
	"rationale": concat(" ", [
		"New configurations of hardware and software must start from the right baseline; a baseline that does not say which",
		"CI types it covers cannot be matched to them.",
	]),
	"remediation": "List the CI types the baseline covers in spec.applies_to.",
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-2"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding("CFG-011", "/spec/applies_to", msg) if {
	_is_baseline
	lib.missing(_spec, "applies_to")
	msg := "security baseline does not state which CI types it applies to"
}

metadata["CFG-012"] := {
	"title": "Security baseline defines its controls",
	"severity": "error",
	"area": "configuration",
	"kinds": ["SecurityBaseline"],
	"source": _item("2", _item2),
	"rationale": concat(" ", [
		"Compliance is evaluated control by control; a baseline without identified, described controls cannot be",
		"checked.",
	]),
	"remediation": concat(" ", [
		"List the baseline's controls in spec.controls, each with an id and a description (and preferably a",
		"check).",
	]),
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-6"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding("CFG-012", "/spec/controls", msg) if {
	_is_baseline
	lib.missing(_spec, "controls")
	msg := "security baseline defines no controls"
}

deny contains lib.finding("CFG-012", sprintf("/spec/controls/%d", [i]), msg) if {
	_is_baseline
	some i, control in _spec.controls
	lacking := lib.lacks(control, ["id", "description"])
	msg := sprintf("control %d lacks %s", [i, lacking])
}

_interval := object.get(_spec, "review_interval_days", lib.param("review_interval_days"))

metadata["CFG-013"] := {
	"title": "Security baseline is reviewed within its review interval",
	"severity": "error",
	"area": "configuration",
	"kinds": ["SecurityBaseline"],
	"source": _item("2", _item2),
	"rationale": concat(" ", [
		"Threats, products and benchmarks change; a baseline not reviewed within its interval drifts away from current good",
		"practice.",
	]),
	"remediation": concat(" ", [
		"Review the baseline and set spec.last_reviewed (at least every spec.review_interval_days, default the",
		"review_interval_days parameter).",
	]),
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-2"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding("CFG-013", "/spec/last_reviewed", msg) if {
	_is_baseline
	lib.missing(_spec, "last_reviewed")
	msg := "security baseline records no review (last_reviewed)"
}

deny contains lib.finding("CFG-013", "/spec/last_reviewed", msg) if {
	_is_baseline
	lib.future(_spec.last_reviewed)
	msg := sprintf(
		"security baseline review is dated %s, after the evaluation date %s: a future review is no evidence",
		[_spec.last_reviewed, input.as_of],
	)
}

deny contains lib.finding("CFG-013", "/spec/last_reviewed", msg) if {
	_is_baseline
	age := lib.days_between(_spec.last_reviewed, input.as_of)
	age > _interval
	msg := sprintf(
		"security baseline was last reviewed on %s, %s before %s (interval %s)",
		[_spec.last_reviewed, lib.days_text(age), input.as_of, lib.days_text(_interval)],
	)
}

# --- Configuration-management process policy ----------------------------------------------------

metadata["CFG-014"] := {
	"title": "Configuration-management policy covers new configurations",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ProcessPolicy"],
	"source": _item("1", _item1),
	"rationale": concat(" ", [
		"Without a policy and procedure for new configurations, hardware and software enter the cloud environment with",
		"ad-hoc, unhardened settings.",
	]),
	"remediation": "Add spec.topics.new_configurations with a policy, a procedure and an owner.",
	"frameworks": {
		"iso27001": ["A.5.1", "A.8.9"],
		"nist_800_53": ["CM-1", "CM-2", "CM-9"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

metadata["CFG-015"] := {
	"title": "Configuration-management policy covers quality evaluation and baseline compliance",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ProcessPolicy"],
	"source": _item("2", _item2),
	"rationale": concat(" ", [
		"Without a defined quality evaluation, configuration changes are not checked against the established security",
		"baselines.",
	]),
	"remediation": "Add spec.topics.quality_and_baseline_compliance with a policy, a procedure and an owner.",
	"frameworks": {
		"iso27001": ["A.5.1", "A.8.9"],
		"nist_800_53": ["CM-1", "CM-4", "CM-6"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

metadata["CFG-016"] := {
	"title": "Configuration-management policy covers oversight of configuration changes",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ProcessPolicy"],
	"source": _item("3", _item3),
	"rationale": concat(" ", [
		"Testing, deployment and oversight procedures are what keep a configuration change from reaching production",
		"unreviewed.",
	]),
	"remediation": "Add spec.topics.change_oversight with a policy, a procedure and an owner.",
	"frameworks": {
		"iso27001": ["A.5.1", "A.8.32"],
		"nist_800_53": ["CM-1", "CM-3"],
		"itil4": ["Service configuration management", "Change enablement"],
	},
}

metadata["CFG-017"] := {
	"title": "Configuration-management policy covers prevention of unauthorized configuration changes",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ProcessPolicy"],
	"source": _item("4", _item4),
	"rationale": concat(" ", [
		"Unauthorized configuration changes bypass every other control of the process; preventing (and detecting) them must",
		"be an explicit, owned procedure.",
	]),
	"remediation": "Add spec.topics.unauthorized_change_prevention with a policy, a procedure and an owner.",
	"frameworks": {
		"iso27001": ["A.5.1", "A.8.9", "A.8.32"],
		"nist_800_53": ["CM-1", "CM-3", "CM-5"],
		"cis_v8": ["4.1"],
		"itil4": ["Service configuration management"],
	},
}

_topic_rules := {
	"CFG-014": "new_configurations",
	"CFG-015": "quality_and_baseline_compliance",
	"CFG-016": "change_oversight",
	"CFG-017": "unauthorized_change_prevention",
}

deny contains lib.finding(code, "/spec/topics", msg) if {
	_is_config_policy
	some code, topic in _topic_rules
	not lib.present(object.get(_spec, "topics", {}), topic)
	msg := sprintf("configuration-management policy does not cover `%s`", [topic])
}
