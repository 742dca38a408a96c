# Business cycles across change, release and availability: work scheduled inside a declared peak or
# freeze window needs the extra approval the capacity plan's cycle names, and planned downtime does
# not fall inside one. Its own package, so that the cross-process package is not evaluated for every
# change record.
# Source: "Incorporating Management Processes".
package opsgate.rules.business_cycles

import data.opsgate.lib
import rego.v1

kinds := {"ChangeRecord", "ReleaseRecord", "AvailabilityPlan"}

_a := lib.subject(kinds)

_spec := _a.spec

_inv(kind) := object.get(data.inventory, kind, {})

_release_change := _inv("ChangeRecord")[_spec.change] if _a.kind == "ReleaseRecord"

# The services a change or release touches: listed, or delivered by the CIs it lists.
_touched contains svc if {
	_a.kind in {"ChangeRecord", "ReleaseRecord"}
	some svc in lib.items(_spec, "affected_services")
}

_touched contains svc if {
	_a.kind in {"ChangeRecord", "ReleaseRecord"}
	some ci_id in lib.items(_spec, "affected_cis")
	svc := _inv("ConfigurationItem")[ci_id].spec.service
}

# When the work happens: a change's scheduled start (else its implementation start), a release's date.
_work_date := lib.date_of(_spec.plan.scheduled_start) if _a.kind == "ChangeRecord"

else := lib.date_of(_spec.implementation.started) if _a.kind == "ChangeRecord"

else := _spec.release_date if _a.kind == "ReleaseRecord"

# The approvals that can carry the extra approval: the change's own, or the release's change's.
_peak_approvals := lib.items(_spec, "approvals") if _a.kind == "ChangeRecord"

else := lib.items(_release_change.spec, "approvals")

metadata["XP-020"] := {
	"title": "Changes and releases inside a business peak carry the extra approval",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ChangeRecord", "ReleaseRecord"],
	"source": concat(" ", [
		"Incorporating Management Processes: \"be aware of these business cycles to work with capacity management as well as",
		"change, availability, incident and problem, service level and release, and deployment management\"",
	]),
	"rationale": concat(" ", [
		"A change or release during a declared peak (the holiday season, the World Cup final) risks the service exactly when",
		"demand is highest; the team's policy names the extra approval such a change needs (ITIL 4 change schedule and",
		"freeze windows).",
	]),
	"remediation": concat(" ", [
		"Reschedule outside the window, or record an approved approval whose role is the cycle's approval_role (on the",
		"change, or on the release's change).",
	]),
	"frameworks": {
		"iso27001": ["A.8.32", "A.8.6"],
		"nist_800_53": ["CM-3"],
		"itil4": ["Change enablement", "Release management", "Capacity and performance management"],
	},
}

deny contains lib.finding_with("XP-020", _work_pointer, msg, [plan_id]) if {
	_a.kind in {"ChangeRecord", "ReleaseRecord"}
	not _a.spec.status in {"draft", "rejected", "cancelled"}
	date := _work_date
	some svc in _touched
	some [plan_id, name, start, end, role] in lib.lookup("peak_windows_by_service", svc)
	lib.days_between(start, date) >= 0
	lib.days_between(date, end) >= 0
	not _has_role_approval(role)
	msg := sprintf(
		"scheduled on %s, inside `%s` (%s..%s) for service `%s`, without the approval of the `%s` the capacity plan requires",
		[date, name, start, end, svc, role],
	)
}

_work_pointer := "/spec/plan/scheduled_start" if {
	_a.kind == "ChangeRecord"
	_spec.plan.scheduled_start
} else := "/spec/implementation/started" if {
	_a.kind == "ChangeRecord"
} else := "/spec/release_date"

_has_role_approval(role) if {
	some approval in _peak_approvals
	lib.is_approved(approval)
	lower(trim_space(object.get(approval, "role", ""))) == lower(trim_space(role))
}

metadata["XP-021"] := {
	"title": "Planned maintenance stays outside the service's business peaks",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["AvailabilityPlan"],
	"source": concat(" ", [
		"Incorporating Management Processes: \"be aware of these business cycles to work with capacity management as well as",
		"change, availability, incident and problem, service level and release, and deployment management\"",
	]),
	"rationale": concat(" ", [
		"Planned downtime inside a declared peak takes the service away exactly when the business needs it most, and spends",
		"the availability budget the SLA allows where it costs most. Availability management schedules maintenance around",
		"the business cycles capacity management declares (ITIL 4 availability management; ISO/IEC 27001 A.8.6 capacity",
		"management and A.5.30 ICT readiness). A window touching a peak day counts: windows are compared by calendar day, as",
		"the capacity plan dates them.",
	]),
	"remediation": concat(" ", [
		"Move the maintenance window outside the peak (the capacity plan's business_cycles[].windows for the service), or,",
		"where it cannot move, record the decision in a RiskAcceptance that covers the plan.",
	]),
	"frameworks": {
		"iso27001": ["A.8.6", "A.5.30"],
		"nist_800_53": ["CP-2"],
		"itil4": ["Availability management", "Capacity and performance management"],
	},
}

# Planned downtime of a service that overlaps a peak window the capacity plan declares for it
# (both compared by calendar day, as the plans date them).
deny contains lib.finding_with("XP-021",
	sprintf("/spec/services/%d/planned_maintenance/%d/start", [i, j]), msg, [plan_id]) if {
	_a.kind == "AvailabilityPlan"
	some i, entry in lib.items(_spec, "services")
	some j, window in lib.items(entry, "planned_maintenance")
	start := lib.date_of(window.start)
	end := lib.date_of(window.end)
	some [plan_id, name, peak_start, peak_end] in lib.lookup("peak_cycles_by_service", entry.service)
	lib.days_between(start, peak_end) >= 0
	lib.days_between(peak_start, end) >= 0
	msg := sprintf(
		concat("", [
			"planned maintenance of `%s` (%s..%s) falls inside `%s` (%s..%s), a business peak capacity plan `%s` declares for ",
			"the service",
		]),
		[entry.service, start, end, name, peak_start, peak_end, plan_id],
	)
}
