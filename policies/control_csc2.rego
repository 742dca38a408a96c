# CIS CSC 2 control implementation: preventing the unauthorized installation of software.
# Source: "Preventing the Unauthorized Installation of Software: Critical Security Control Implementation
# Example", "CSC 2 Effectiveness Metrics", "CSC 2 Automation Metrics" and the sampling paragraphs after them.
# Unnotified sampling failures without an incident are XP-018 (cross_process.rego); dangling references
# are REF rules.
package opsgate.rules.control_csc2

import data.opsgate.lib
import rego.v1

kinds := {"ControlImplementation"}

_impl := "Preventing the Unauthorized Installation of Software: Critical Security Control Implementation Example"

_eff := "CSC 2 Effectiveness Metrics"

_auto := "CSC 2 Automation Metrics"

_sampling_src := "CSC 2 Automation Metrics, sampling paragraphs"

_a := lib.subject(kinds)

_spec := _a.spec if _a.kind == "ControlImplementation"

# Plans being drafted or awaiting approval cannot have an approval, measurements or tests yet.
_pending if object.get(_a.metadata, "status", "") in {"draft", "in_review"}

# Recency is demanded of controls in operation only (not draft, in review or retired).
_in_operation if not object.get(_a.metadata, "status", "") in {"draft", "in_review", "retired"}

_label(obj, i) := obj.name if {
	is_string(obj.name)
	obj.name != ""
} else := sprintf("#%d", [i])

_positive(x) if {
	is_number(x)
	x > 0
}

# --- Control and mechanisms ----------------------------------------------------------------------

metadata["CSC-001"] := {
	"title": "Control names the CIS control it implements",
	"severity": "warning",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_impl,
		": \"the need to do so in a documented and auditable manner is important ... the use of the CIS/SANS Critical ",
		"Security Controls provides a well-documented solution\"",
	]),
	"rationale": concat(" ", [
		"Auditors trace the implementation back to the control it claims to satisfy; without framework, id and title that",
		"trace is lost.",
	]),
	"remediation": "Fill in spec.control with framework (e.g. CIS Critical Security Controls v8), id (e.g. 2) and title.",
	"frameworks": {
		"iso27001": ["A.8.19"],
		"nist_800_53": ["CM-11"],
		"cis_v8": ["2.1"],
		"itil4": ["Information security management"],
	},
}

deny contains lib.finding("CSC-001", "/spec/control", msg) if {
	lacking := lib.lacks(object.get(_spec, "control", {}), ["framework", "id", "title"])
	msg := sprintf("control implemented is not identified: it lacks %s", [lacking])
}

_mechanisms := object.get(_spec, "mechanisms", [])

metadata["CSC-002"] := {
	"title": "Each candidate mechanism is evaluated with a decision and a rationale",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_impl,
		": \"evaluate the nine mechanisms listed in Table 5.6 and decide which, if any, are relevant for use in the ",
		"organization\"",
	]),
	"rationale": concat(" ", [
		"A mechanism listed without a selection decision and its reason shows no evaluation took place, and the choice",
		"cannot be audited or revisited.",
	]),
	"remediation": "List every evaluated mechanism in spec.mechanisms with name, selected (true/false) and rationale.",
	"frameworks": {
		"iso27001": ["A.8.19"],
		"nist_800_53": ["CM-7(5)", "CM-11"],
		"cis_v8": ["2.5"],
		"itil4": ["Information security management"],
	},
}

deny contains lib.finding("CSC-002", "/spec/mechanisms", "no candidate mechanism was evaluated") if {
	lib.missing(_spec, "mechanisms")
}

deny contains lib.finding("CSC-002", sprintf("/spec/mechanisms/%d", [i]), msg) if {
	some i, m in _mechanisms
	lacking := lib.lacks(m, ["name", "selected", "rationale"])
	msg := sprintf("mechanism `%s` lacks %s", [_label(m, i), lacking])
}

_mechanism_names := {lower(trim_space(m.name)) |
	some m in _mechanisms
	is_string(m.name)
	trim_space(m.name) != ""
}

metadata["CSC-003"] := {
	"title": "All nine CSC 2 mechanisms are evaluated",
	"severity": "warning",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [_impl, ": \"evaluate the nine mechanisms listed in Table 5.6\""]),
	"rationale": concat(" ", [
		"Leaving mechanisms out of the evaluation means some ways of preventing unauthorized software were never considered,",
		"not consciously rejected.",
	]),
	"remediation": concat(" ", [
		"Add the missing mechanisms to spec.mechanisms (nine distinct names), each with selected and a rationale, including",
		"those not selected.",
	]),
	"frameworks": {
		"nist_800_53": ["CM-7(5)"],
		"cis_v8": ["2.5", "2.6", "2.7"],
		"itil4": ["Information security management"],
	},
}

deny contains lib.finding("CSC-003", "/spec/mechanisms", msg) if {
	count(_mechanisms) > 0
	count(_mechanism_names) < 9
	msg := sprintf("only %d distinct mechanisms were evaluated; CSC 2 lists nine", [count(_mechanism_names)])
}

_any_selected if {
	some m in _mechanisms
	m.selected == true
}

metadata["CSC-004"] := {
	"title": "At least one mechanism is selected",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [_impl, ": \"Once the mechanisms have been selected, she must devise a plan\""]),
	"rationale": concat(" ", [
		"With no mechanism selected nothing prevents or detects unauthorized software, and the plan has nothing to",
		"implement.",
	]),
	"remediation": "Set selected: true on the mechanisms the organization will implement in spec.mechanisms.",
	"frameworks": {
		"iso27001": ["A.8.19"],
		"nist_800_53": ["CM-7(5)", "CM-11"],
		"cis_v8": ["2.3", "2.5"],
		"itil4": ["Information security management"],
	},
}

deny contains lib.finding("CSC-004", "/spec/mechanisms", msg) if {
	count(_mechanisms) > 0
	not _any_selected
	msg := sprintf("none of the %d evaluated mechanisms is selected", [count(_mechanisms)])
}

# --- Plan and its approval -----------------------------------------------------------------------

_plan := object.get(_spec, "plan", {})

_activities := ["evaluate", "acquire", "implement", "manage", "monitor", "optimize"]

metadata["CSC-005"] := {
	"title": "Plan covers evaluate, acquire, implement, manage, monitor and optimize",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_impl,
		": \"she must devise a plan to evaluate, acquire, implement, manage, monitor, and optimize the relevant ",
		"technologies involved\"",
	]),
	"rationale": concat(" ", [
		"Each activity is a stage of the technology's life; a plan missing one leaves, for example, nobody monitoring or",
		"tuning the allow-listing after roll-out.",
	]),
	"remediation": concat(" ", [
		"Describe each missing activity under spec.plan.activities (evaluate, acquire, implement, manage, monitor,",
		"optimize).",
	]),
	"frameworks": {
		"iso27001": ["A.8.19"],
		"nist_800_53": ["PL-2", "CM-11"],
		"itil4": ["Information security management", "Change enablement"],
	},
}

deny contains lib.finding("CSC-005", sprintf("/spec/plan/activities/%s", [act]), msg) if {
	activities := object.get(_plan, "activities", {})
	some act in _activities
	lib.missing(activities, act)
	msg := sprintf("plan does not describe the `%s` activity", [act])
}

metadata["CSC-006"] := {
	"title": "Plan has an agreed timeline",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_impl,
		": \"to ensure successful implementation of the plan according to the timeline specified and agreed to\"",
	]),
	"rationale": "Without a timeline neither management nor auditors can tell whether the implementation is on track.",
	"remediation": "Fill in spec.plan.timeline with the agreed schedule of the activities.",
	"frameworks": {"nist_800_53": ["PL-2"], "itil4": ["Project management", "Information security management"]},
}

deny contains lib.finding("CSC-006", "/spec/plan/timeline", "plan has no timeline") if {
	lib.missing(_plan, "timeline")
}

_approval := object.get(_plan, "approval", {})

metadata["CSC-007"] := {
	"title": "Plan is approved",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_impl,
		": \"The plan then must be submitted for approval to senior management ... Once senior management has approved the ",
		"plan\"",
	]),
	"rationale": concat(" ", [
		"Approval secures support, budget and alignment with strategic objectives; activities must not start on an",
		"unapproved plan.",
	]),
	"remediation": concat(" ", [
		"Record the decision in spec.plan.approval (approver, role, date, decision: approved). Not demanded while",
		"metadata.status is draft or in_review.",
	]),
	"frameworks": {
		"iso27001": ["A.5.4"],
		"nist_800_53": ["PL-2", "PM-1"],
		"itil4": ["Information security management", "Strategy management"],
	},
}

deny contains lib.finding("CSC-007", "/spec/plan/approval", "plan has no recorded approval") if {
	not _pending
	lib.missing(_plan, "approval")
}

deny contains lib.finding("CSC-007", "/spec/plan/approval/decision", msg) if {
	not _pending
	lib.present(_plan, "approval")
	not lib.is_approved(_approval)
	msg := sprintf("plan approval decision is `%v`, not `approved`", [object.get(_approval, "decision", "none")])
}

# Senior management, from the organisation's data: the approver's Person states a management level.
_senior_levels := {"board", "executive", "senior"}

_approver_level := lib.person(_approval.approver).spec.management_level

metadata["CSC-008"] := {
	"title": "Plan is approved by senior management",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_impl,
		": \"submitted for approval to senior management to ensure that there is support for the recommended course of ",
		"action, the allocated budget\"",
	]),
	"rationale": concat(" ", [
		"Only senior management can commit budget and confirm alignment with business drivers; approval by a lower level",
		"gives the plan no such backing. Seniority is a fact of the organisation, recorded on the approver's Person",
		"(spec.management_level: board, executive or senior), not guessed from the wording of a title or role: a \"Managing",
		"Director\" is senior, a \"Change Advisory Board\" member is not.",
	]),
	"remediation": concat(" ", [
		"Have senior management approve the plan, and record the approver's management_level (board, executive or senior) on",
		"their Person.",
	]),
	"frameworks": {
		"iso27001": ["A.5.4"],
		"nist_800_53": ["PM-1", "PL-2"],
		"itil4": ["Strategy management", "Information security management"],
	},
}

deny contains lib.finding_with("CSC-008", "/spec/plan/approval/approver", msg, [_approval.approver]) if {
	lib.is_approved(_approval)
	not _approver_level in _senior_levels
	msg := sprintf(
		"plan approved by `%v`, whose management level is %s, not senior management (board, executive or senior)",
		[_approval.approver, _level_text],
	)
}

_level_text := sprintf("`%s`", [_approver_level]) if is_string(_approver_level)

else := "not recorded (Person spec.management_level)"

# --- Effectiveness and automation metrics (one rule per item of the source lists) ----------------

metadata["CSC-009"] := {
	"title": "Time to detect new software is defined and measured",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_eff,
		", item 1: \"The amount of time it takes to detect new software installed on the organization's systems\"",
	]),
	"rationale": concat(" ", [
		"Detection latency is the window in which unauthorized software runs unnoticed; without a target and a measurement",
		"its effectiveness is unknown.",
	]),
	"remediation": concat(" ", [
		"Fill in spec.effectiveness_metrics.time_to_detect_new_software with target, value and measured_on (value and",
		"measured_on are not demanded while metadata.status is draft or in_review).",
	]),
	"frameworks": {"nist_800_53": ["CM-8(3)", "CA-7"], "cis_v8": ["2.4"], "itil4": ["Measurement and reporting"]},
}

metadata["CSC-010"] := {
	"title": "Time to alert on an unauthorized application is defined and measured",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_eff,
		", item 2: \"The amount of time it takes the scanning functions to alert the organization's administrators when an ",
		"unauthorized application has been discovered on a system\"",
	]),
	"rationale": "An unauthorized application found but not reported quickly gives administrators no chance to respond.",
	"remediation": concat(" ", [
		"Fill in spec.effectiveness_metrics.time_to_alert_unauthorized_application with target, value and",
		"measured_on.",
	]),
	"frameworks": {
		"nist_800_53": ["CM-8(3)", "SI-4"],
		"cis_v8": ["2.3"],
		"itil4": ["Measurement and reporting", "Monitoring and event management"],
	},
}

metadata["CSC-011"] := {
	"title": "Time to alert on a new application is defined and measured",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_eff,
		", item 3: \"The amount of time it takes for an alert to be generated when a new application has been discovered on ",
		"a system\"",
	]),
	"rationale": concat(" ", [
		"New applications must be reviewed for authorization; a slow or absent alert lets them settle in",
		"unnoticed.",
	]),
	"remediation": "Fill in spec.effectiveness_metrics.time_to_alert_new_application with target, value and measured_on.",
	"frameworks": {
		"nist_800_53": ["CM-8(3)", "SI-4"],
		"cis_v8": ["2.4"],
		"itil4": ["Measurement and reporting", "Monitoring and event management"],
	},
}

metadata["CSC-012"] := {
	"title": "Detection details (department, location, ...) are defined and measured",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_eff,
		", item 4: \"Whether the scanning function identifies the department, location, and other critical details about ",
		"the unauthorized software that has been detected\"",
	]),
	"rationale": "An alert that does not say where the software is and who is responsible cannot be acted on.",
	"remediation": concat(" ", [
		"Fill in spec.effectiveness_metrics.detection_details_identified with target (the details expected), value and",
		"measured_on.",
	]),
	"frameworks": {
		"nist_800_53": ["CM-8", "CM-8(3)"],
		"cis_v8": ["2.1"],
		"itil4": ["Measurement and reporting", "IT asset management"],
	},
}

metadata["CSC-013"] := {
	"title": "Total of unauthorized applications is defined and measured",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_auto,
		", item 1: \"The total number of unauthorized applications located on the organization's business systems\"",
	]),
	"rationale": "The count of unauthorized applications is the direct measure of how well the control works over time.",
	"remediation": "Fill in spec.automation_metrics.unauthorized_applications_total with target, value and measured_on.",
	"frameworks": {
		"nist_800_53": ["CM-8", "CA-7"],
		"cis_v8": ["2.3"],
		"itil4": ["Measurement and reporting", "IT asset management"],
	},
}

metadata["CSC-014"] := {
	"title": "Mean time to remove unauthorized applications is defined and measured",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_auto,
		", item 2: \"The average amount of time it takes to remove unauthorized applications from the organization's ",
		"business systems\"",
	]),
	"rationale": concat(" ", [
		"Detection without timely removal leaves the risk in place; the removal time shows whether the response workflow",
		"works.",
	]),
	"remediation": "Fill in spec.automation_metrics.mean_time_to_remove_unauthorized with target, value and measured_on.",
	"frameworks": {"nist_800_53": ["CM-11", "CA-7"], "cis_v8": ["2.3"], "itil4": ["Measurement and reporting"]},
}

metadata["CSC-015"] := {
	"title": "Systems without allow-listing software are counted",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_auto,
		", item 3: \"The total number of the organization's business systems that are not running whitelisting software\"",
	]),
	"rationale": "Every system without allow-listing is a gap where unauthorized software can run unchecked.",
	"remediation": "Fill in spec.automation_metrics.systems_without_allowlisting with target, value and measured_on.",
	"frameworks": {"nist_800_53": ["CM-7(5)", "CA-7"], "cis_v8": ["2.5"], "itil4": ["Measurement and reporting"]},
}

metadata["CSC-016"] := {
	"title": "Recently blocked applications are counted",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_auto,
		", item 4: \"The total number of applications that have been recently blocked from executing by the organization's ",
		"whitelisting software\"",
	]),
	"rationale": concat(" ", [
		"Blocked executions show the control is active and reveal attempts (or legitimate needs) that deserve",
		"review.",
	]),
	"remediation": "Fill in spec.automation_metrics.recently_blocked_applications with target, value and measured_on.",
	"frameworks": {"nist_800_53": ["CM-7(5)", "AU-6"], "cis_v8": ["2.5"], "itil4": ["Measurement and reporting"]},
}

_metric_rules := {
	"CSC-009": ["effectiveness_metrics", "time_to_detect_new_software"],
	"CSC-010": ["effectiveness_metrics", "time_to_alert_unauthorized_application"],
	"CSC-011": ["effectiveness_metrics", "time_to_alert_new_application"],
	"CSC-012": ["effectiveness_metrics", "detection_details_identified"],
	"CSC-013": ["automation_metrics", "unauthorized_applications_total"],
	"CSC-014": ["automation_metrics", "mean_time_to_remove_unauthorized"],
	"CSC-015": ["automation_metrics", "systems_without_allowlisting"],
	"CSC-016": ["automation_metrics", "recently_blocked_applications"],
}

_metric(group, key) := object.get(object.get(_spec, group, {}), key, {})

_metric_fields := ["target"] if _pending

else := ["target", "value", "measured_on"]

deny contains lib.finding(code, sprintf("/spec/%s/%s", [rule[0], rule[1]]), msg) if {
	some code, rule in _metric_rules
	lib.missing(object.get(_spec, rule[0], {}), rule[1])
	msg := sprintf("%s metric `%s` is not defined", [_group_label[rule[0]], rule[1]])
}

deny contains lib.finding(code, sprintf("/spec/%s/%s", [rule[0], rule[1]]), msg) if {
	some code, rule in _metric_rules
	lib.present(object.get(_spec, rule[0], {}), rule[1])
	lacking := lib.lacks(_metric(rule[0], rule[1]), _metric_fields)
	msg := sprintf("%s metric `%s` lacks %s", [_group_label[rule[0]], rule[1], lacking])
}

_group_label := {"effectiveness_metrics": "effectiveness", "automation_metrics": "automation"}

metadata["CSC-017"] := {
	"title": "Control metrics are measured within the test interval",
	"severity": "warning",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_impl,
		": \"the cloud security operations management professionals must think about monitoring and validation to ensure ",
		"that the system ... is effective and operating as designed\"; ",
		_auto,
		": \"automate the collection of relevant data\"",
	]),
	"rationale": "A metric last measured long ago says nothing about whether the control works today.",
	"remediation": concat(" ", [
		"Measure the metric again and update its value and measured_on (at most test_interval_days before the evaluation",
		"date).",
	]),
	"frameworks": {"nist_800_53": ["CA-7"], "cis_v8": ["2.4"], "itil4": ["Measurement and reporting"]},
}

deny contains lib.finding("CSC-017", sprintf("/spec/%s/%s/measured_on", [rule[0], rule[1]]), msg) if {
	_in_operation
	some rule in _metric_rules
	measured_on := _metric(rule[0], rule[1]).measured_on
	is_string(measured_on)
	age := lib.days_between(measured_on, input.as_of)
	_stale_or_future(age)
	msg := _measured_message(rule[1], measured_on, age)
}

_stale_or_future(age) if age > lib.param("test_interval_days")

_stale_or_future(age) if age < 0

_measured_message(name, date, age) := sprintf(
	"metric `%s` is dated %s, after the evaluation date %s: a future measurement is no evidence",
	[name, date, input.as_of],
) if age < 0

else := sprintf(
	"metric `%s` was last measured on %s, %d days ago (limit %d)",
	[name, date, age, lib.param("test_interval_days")],
)

# --- Periodic sampling ---------------------------------------------------------------------------

_sampling := object.get(_spec, "sampling", {})

_sampling_tests := object.get(_sampling, "tests", [])

metadata["CSC-018"] := {
	"title": "Periodic sampling of endpoints is defined",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_sampling_src,
		": \"create some sort of ongoing, periodic sampling system ... use a predetermined number of randomly sampled ",
		"endpoints ... assess the responses ... within a specified period\"",
	]),
	"rationale": concat(" ", [
		"Only a live test with an unauthorized deployment proves the whole system detects, blocks and alerts; sample size,",
		"interval and response window make it repeatable.",
	]),
	"remediation": concat(" ", [
		"Fill in spec.sampling with sample_size, interval_days and response_window_minutes, each greater than",
		"0.",
	]),
	"frameworks": {"nist_800_53": ["CA-2", "CA-7"], "cis_v8": ["2.3"], "itil4": ["Information security management"]},
}

deny contains lib.finding("CSC-018", "/spec/sampling", "no periodic sampling of endpoints is defined") if {
	lib.missing(_spec, "sampling")
}

deny contains lib.finding("CSC-018", sprintf("/spec/sampling/%s", [field]), msg) if {
	lib.present(_spec, "sampling")
	some field in ["sample_size", "interval_days", "response_window_minutes"]
	not _positive(object.get(_sampling, field, null))
	msg := _sampling_field_message(field, object.get(_sampling, field, null))
}

_sampling_field_message(field, value) := sprintf("sampling does not define `%s`", [field]) if value == null

_sampling_field_message(field, value) := sprintf(
	"sampling `%s` is %v; it must be greater than 0",
	[field, value],
) if value != null

# The sampling interval, or test_interval_days when the control does not define a usable one.
_sampling_interval := _sampling.interval_days if _positive(object.get(_sampling, "interval_days", null))

else := lib.param("test_interval_days")

# Sampling tests dated after the evaluation date are no evidence: reported, not counted.
_test_dates := [t.date | some t in _sampling_tests; is_string(t.date); not lib.future(t.date)]

metadata["CSC-019"] := {
	"title": "Sampling test was run within the sampling interval",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_sampling_src,
		": \"ongoing, periodic sampling system that allows for the testing of the effectiveness of the system deployed in ",
		"its entirety\"",
	]),
	"rationale": "A sampling system that is not run gives no assurance; the control may have silently stopped working.",
	"remediation": concat(" ", [
		"Run the sampling test and record it in spec.sampling.tests (date, endpoints_sampled, failures); the latest must be",
		"at most sampling.interval_days (or test_interval_days when unset) old.",
	]),
	"frameworks": {"nist_800_53": ["CA-2", "CA-7"], "cis_v8": ["2.3"], "itil4": ["Information security management"]},
}

deny contains lib.finding("CSC-019", sprintf("/spec/sampling/tests/%d/date", [i]), msg) if {
	some i, test in _sampling_tests
	lib.future(test.date)
	msg := sprintf(
		"sampling test dated %s is after the evaluation date %s: a future test is no evidence",
		[test.date, input.as_of],
	)
}

deny contains lib.finding("CSC-019", "/spec/sampling/tests", "no sampling test has been run") if {
	_in_operation
	lib.present(_spec, "sampling")
	count(_test_dates) == 0
}

deny contains lib.finding("CSC-019", sprintf("/spec/sampling/tests/%d/date", [i]), msg) if {
	_in_operation
	count(_test_dates) > 0
	latest := max(_test_dates)
	age := lib.days_between(latest, input.as_of)
	age > _sampling_interval
	i := min([j | some j, t in _sampling_tests; t.date == latest])
	msg := sprintf(
		"last sampling test ran on %s, %d days ago; the sampling interval is %d days",
		[latest, age, _sampling_interval],
	)
}

metadata["CSC-020"] := {
	"title": "Sampling test covers the predetermined number of endpoints",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_sampling_src,
		": \"use a predetermined number of randomly sampled endpoints deployed in the production network\"",
	]),
	"rationale": "A test on fewer endpoints than planned weakens the statistical assurance the sample was sized for.",
	"remediation": concat(" ", [
		"Record endpoints_sampled for each test in spec.sampling.tests; it must be at least",
		"spec.sampling.sample_size.",
	]),
	"frameworks": {"nist_800_53": ["CA-2"], "cis_v8": ["2.3"], "itil4": ["Information security management"]},
}

deny contains lib.finding("CSC-020", sprintf("/spec/sampling/tests/%d/endpoints_sampled", [i]), msg) if {
	size := _sampling.sample_size
	_positive(size)
	some i, test in _sampling_tests
	not is_number(object.get(test, "endpoints_sampled", null))
	msg := sprintf(
		"sampling test of %v does not record how many endpoints were sampled (sample size %v)",
		[object.get(test, "date", "?"), size],
	)
}

deny contains lib.finding("CSC-020", sprintf("/spec/sampling/tests/%d/endpoints_sampled", [i]), msg) if {
	size := _sampling.sample_size
	_positive(size)
	some i, test in _sampling_tests
	n := test.endpoints_sampled
	is_number(n)
	n < size
	msg := sprintf(
		"sampling test of %v sampled %v endpoints, fewer than the sample size %v",
		[object.get(test, "date", "?"), n, size],
	)
}

metadata["CSC-021"] := {
	"title": "Sampling failures are recorded with the system's response",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [_sampling_src, ": \"If failures are detected, these need to be logged and investigated.\""]),
	"rationale": concat(" ", [
		"The source defines a failure as an unauthorized package deployed \"without notification being generated and sent,",
		"as well as logging of that activity taking place\": `notified` and `logged` say what the control did, and `logged:",
		"false` is part of the failure, not a sign that the team did not log it. Recording the failure in the control's",
		"record is the team's logging; each record needs the endpoint, what happened and both facts, or the failure cannot",
		"be investigated or trended.",
	]),
	"remediation": concat(" ", [
		"Record each failure in spec.sampling.tests[].failures with endpoint, description, notified and logged (whether the",
		"system notified and logged the deployment).",
	]),
	"frameworks": {
		"iso27001": ["A.8.15", "A.6.8"],
		"nist_800_53": ["AU-6", "CA-7"],
		"cis_v8": ["2.3"],
		"itil4": ["Information security management"],
	},
}

deny contains lib.finding("CSC-021", sprintf("/spec/sampling/tests/%d/failures/%d", [t, f]), msg) if {
	some t, test in _sampling_tests
	some f, failure in object.get(test, "failures", [])
	missing := [field | some field in ["endpoint", "description", "notified", "logged"]; _unrecorded(failure, field)]
	count(missing) > 0
	msg := sprintf(
		"sampling failure #%d of the test of %v lacks %s",
		[f, object.get(test, "date", "?"), lib.join_names(missing)],
	)
}

metadata["CSC-022"] := {
	"title": "Every sampling failure is investigated",
	"severity": "warning",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [_sampling_src, ": \"If failures are detected, these need to be logged and investigated.\""]),
	"rationale": concat(" ", [
		"Even a failure that raised a notification (late block, missing details) shows a gap in the control that needs a",
		"documented investigation. Unnotified failures are checked by XP-018.",
	]),
	"remediation": "Reference the IncidentRecord investigating the failure in its `investigation` field.",
	"frameworks": {
		"iso27001": ["A.5.25", "A.8.19"],
		"nist_800_53": ["IR-4", "CA-7"],
		"cis_v8": ["2.3"],
		"itil4": ["Incident management", "Information security management"],
	},
}

# Failures with notified: false are XP-018's (they must link an incident); this rule takes the rest.
deny contains lib.finding("CSC-022", sprintf("/spec/sampling/tests/%d/failures/%d/investigation", [t, f]), msg) if {
	some t, test in _sampling_tests
	some f, failure in object.get(test, "failures", [])
	object.get(failure, "notified", null) != false
	lib.missing(failure, "investigation")
	msg := sprintf(
		"sampling failure on `%v` (test of %v) references no investigation",
		[object.get(failure, "endpoint", "?"), object.get(test, "date", "?")],
	)
}

# --- Blocking and alerting -----------------------------------------------------------------------

_unrecorded(failure, field) if {
	field in {"endpoint", "description"}
	lib.missing(failure, field)
}

_unrecorded(failure, field) if {
	field in {"notified", "logged"}
	not is_boolean(object.get(failure, field, null))
}

_blocking := object.get(_spec, "blocking", {})

metadata["CSC-023"] := {
	"title": "Security team is alerted when blocking is not available",
	"severity": "error",
	"area": "change",
	"kinds": ["ControlImplementation"],
	"source": concat("", [
		_impl,
		": \"the ability to highly automate ... the resulting workflows that are generated when an unauthorized software ",
		"installation is detected and blocked\"; ",
		_sampling_src,
		": \"the automated messaging and logging generated by the unauthorized deployment need to be monitored\"",
	]),
	"rationale": concat(" ", [
		"Where unauthorized software cannot be blocked, an automated alert to the security team is the only thing that",
		"starts the response.",
	]),
	"remediation": concat(" ", [
		"Set spec.blocking.available: true if blocking is in place; otherwise fill in spec.blocking.notification with",
		"channel and recipients.",
	]),
	"frameworks": {
		"iso27001": ["A.8.16", "A.8.19"],
		"nist_800_53": ["CM-7(5)", "SI-4(5)"],
		"cis_v8": ["2.3"],
		"itil4": ["Monitoring and event management", "Information security management"],
	},
}

deny contains lib.finding("CSC-023", "/spec/blocking/notification", msg) if {
	object.get(_blocking, "available", null) != true
	lacking := lib.lacks(object.get(_blocking, "notification", {}), ["channel", "recipients"])
	msg := sprintf("%s and the alert notification lacks %s", [_blocking_state, lacking])
}

_blocking_state := "blocking is not available" if _blocking.available == false

else := "blocking availability is not stated"
