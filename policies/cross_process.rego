# How management processes relate to each other: the rules that join artifacts of different processes.
# Source: the last part of the source text, "How Management Processes Relate to Each Other", and
# "Incorporating Management Processes".
package opsgate.rules.cross_process

import data.opsgate.lib
import rego.v1

kinds := {
	"ReleaseRecord",
	"ConfigurationItem",
	"ServiceLevelAgreement",
	"IncidentRecord",
	"BusinessImpactAnalysis",
	"ContinuityPlan",
	"CapacityPlan",
	"ControlImplementation",
	"AvailabilityPlan",
}

_fw_change := {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3"], "itil4": ["Change enablement", "Release management"]}

_a := lib.subject(kinds)

_spec := _a.spec

_id := _a.metadata.id

_inv(kind) := object.get(data.inventory, kind, {})

_authorized := {"authorized", "scheduled", "implemented", "reviewed", "closed"}

_implemented := {"implemented", "reviewed", "closed"}

# --- Release ↔ change -------------------------------------------------------------------------

_release_change := _inv("ChangeRecord")[_spec.change] if _a.kind == "ReleaseRecord"

metadata["XP-001"] := {
	"title": "Release is backed by an authorized change",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management and Change Management: \"change management must approve the request to carry out",
		"the release, and then deployment management can schedule and execute the release.\"",
	]),
	"rationale": concat(" ", [
		"A release without an authorized change bypasses the one control that decides whether it may happen at",
		"all.",
	]),
	"remediation": concat(" ", [
		"Point spec.change at the change record that authorized this release, and get that change authorized",
		"first.",
	]),
	"frameworks": _fw_change,
}

deny contains lib.finding_with("XP-001", "/spec/change", msg, [_spec.change]) if {
	_a.kind == "ReleaseRecord"
	change := _release_change
	not change.spec.status in _authorized
	msg := sprintf(
		"change `%s` is `%s`, not authorized",
		[_spec.change, object.get(change.spec, "status", "without status")],
	)
}

deny contains lib.finding_with("XP-001", "/spec/change", msg, [_spec.change]) if {
	_a.kind == "ReleaseRecord"
	change := _release_change
	change.spec.status in _authorized
	not lib.change_authorized(change)
	msg := sprintf("change `%s` is `%s` but carries no approval", [_spec.change, change.spec.status])
}

# A release past planning that names no change at all is not backed by one either (a missing
# reference must not be a silent pass).
deny contains lib.finding("XP-001", "/spec/change", msg) if {
	_a.kind == "ReleaseRecord"
	_spec.status in {"approved", "deployed", "failed", "rolled_back", "closed"}
	lib.missing(_spec, "change")
	msg := sprintf("release is `%s` but names no change record in spec.change", [_spec.status])
}

metadata["XP-002"] := {
	"title": "Change approval precedes the release date",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management and Change Management: \"change management must approve any activities that",
		"release and deployment management will be engaging in before the release.\"",
	]),
	"rationale": "Approval after the fact is not approval.",
	"remediation": "Release only after the change's approval date; correct the record if the dates are wrong.",
	"frameworks": _fw_change,
}

deny contains lib.finding_with("XP-002", "/spec/release_date", msg, [_spec.change]) if {
	_a.kind == "ReleaseRecord"
	approved := lib.authorization_date(_release_change)
	lib.days_between(approved, _spec.release_date) < 0
	msg := sprintf("release date %s is before change `%s` was approved (%s)", [_spec.release_date, _spec.change, approved])
}

metadata["XP-003"] := {
	"title": "Release touches only CIs its change covers",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ReleaseRecord"],
	"source": "Release and Deployment Management and Change Management; Configuration Management and Change Management",
	"rationale": "A release that deploys to CIs its change never listed changes them without approval.",
	"remediation": "Add the CI to the change's affected_cis (and re-approve), or remove it from the release.",
	"frameworks": {"iso27001": ["A.8.32", "A.8.9"], "nist_800_53": ["CM-3", "CM-8"], "itil4": ["Change enablement"]},
}

deny contains lib.finding_with("XP-003", sprintf("/spec/affected_cis/%d", [i]), msg, [_spec.change, ci]) if {
	_a.kind == "ReleaseRecord"
	# Positive tests of what `not` reads below: an undefined change (not in the inventory) must
	# fail the body, not make every CI "missing" (the compiled engine, docs/engine-differences.md).
	change := _release_change
	is_object(change)
	listed := object.get(object.get(change, "spec", {}), "affected_cis", [])
	is_array(listed)
	some i, ci in object.get(_spec, "affected_cis", [])
	not ci in listed
	msg := sprintf("CI `%s` is not among the affected CIs of change `%s`", [ci, _spec.change])
}

# --- Release ↔ incident/problem ---------------------------------------------------------------

_release_incidents contains id if {
	_a.kind == "ReleaseRecord"
	some id in object.get(_spec, "incidents", [])
	_inv("IncidentRecord")[id]
}

_release_incidents contains id if {
	_a.kind == "ReleaseRecord"
	some id in lib.lookup("incidents_by_release", _id)
}

metadata["XP-004"] := {
	"title": "Failed or rolled-back release links its incident",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management Role and Incident and Problem Management: \"if anything were to go wrong with the",
		"release, incident and problem management would need to be involved\"",
	]),
	"rationale": concat(" ", [
		"A failed release that raised no incident leaves the disruption unmanaged and invisible to problem",
		"management.",
	]),
	"remediation": concat(" ", [
		"Raise an IncidentRecord for the failure and list it in spec.incidents (or set the incident's",
		"spec.release).",
	]),
	"frameworks": {
		"iso27001": ["A.5.24", "A.5.26"],
		"nist_800_53": ["IR-4"],
		"itil4": ["Incident management", "Release management"],
	},
}

deny contains lib.finding("XP-004", "/spec/incidents", msg) if {
	_a.kind == "ReleaseRecord"
	_spec.status in {"failed", "rolled_back"}
	count(_release_incidents) == 0
	msg := sprintf("release is `%s` but no incident record is linked to it", [_spec.status])
}

# --- Release ↔ configuration ------------------------------------------------------------------

_deployed := {"deployed", "closed"}

metadata["XP-005"] := {
	"title": "Deployed release is reflected in the CMDB",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management and Configuration Management: \"once the release is officially live ... the",
		"existing configurations for all systems and infrastructure affected by the release have to be updated\"",
	]),
	"rationale": "A CMDB that does not show what was deployed misleads every later change, incident and audit.",
	"remediation": "Set last_release (and last_change, version) of each affected ConfigurationItem to this release.",
	"frameworks": {
		"iso27001": ["A.8.9"],
		"nist_800_53": ["CM-8(1)"],
		"itil4": ["Service configuration management", "Deployment management"],
	},
}

deny contains lib.finding_with("XP-005", sprintf("/spec/affected_cis/%d", [i]), msg, [ci_id]) if {
	_a.kind == "ReleaseRecord"
	_spec.status in _deployed
	object.get(_spec, "environment", "production") == "production"
	some i, ci_id in object.get(_spec, "affected_cis", [])
	ci := _inv("ConfigurationItem")[ci_id]
	not _reflects_release(ci)
	msg := sprintf(
		"CI `%s` does not reflect this release (its last_release is `%s`)",
		[ci_id, object.get(ci.spec, "last_release", "unset")],
	)
}

_reflects_release(ci) if ci.spec.last_release == _id

# A later deployed release superseded this one.
_reflects_release(ci) if {
	later := _inv("ReleaseRecord")[ci.spec.last_release]
	later.spec.status in _deployed
	lib.days_between(_spec.release_date, later.spec.release_date) >= 0
}

# --- Release ↔ availability / help desk -------------------------------------------------------

_release_services contains svc if {
	some svc in object.get(_spec, "affected_services", [])
}

_release_services contains svc if {
	some ci_id in object.get(_spec, "affected_cis", [])
	svc := _inv("ConfigurationItem")[ci_id].spec.service
}

_slas_of_release contains sla_id if {
	_a.kind == "ReleaseRecord"
	some svc in _release_services
	some sla_id in lib.lookup("slas_by_service", svc)
}

metadata["XP-006"] := {
	"title": "Release of an SLA-covered service plans post-release monitoring",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management Is Related to Availability Management: \"the impact ... would have to be",
		"monitored ... to ensure compliance with all SLAs.\"",
	]),
	"rationale": "Without monitoring against the SLA, a release that degrades service is noticed by the customer first.",
	"remediation": "Fill in spec.post_release_monitoring with the agreement, an end date and the metrics watched.",
	"frameworks": {
		"iso27001": ["A.8.16"],
		"nist_800_53": ["CA-7", "SI-4"],
		"itil4": ["Availability management", "Service level management"],
	},
}

deny contains lib.finding_with("XP-006",
	"/spec/post_release_monitoring", msg, sort([s | some s in _slas_of_release])) if {
	_a.kind == "ReleaseRecord"
	_spec.status in {"approved", "deployed", "closed"}
	count(_slas_of_release) > 0
	not object.get(object.get(_spec, "post_release_monitoring", {}), "agreement", null) in _slas_of_release
	msg := sprintf(
		"release touches services under %s but plans no post-release monitoring against it",
		[lib.join_names(sort([s | some s in _slas_of_release]))],
	)
}

metadata["XP-007"] := {
	"title": "Release is communicated through the help desk",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management and the Help Desk: \"the communication around the release and the status updates",
		"need to be centrally coordinated and managed.\"",
	]),
	"rationale": "Users who call about a change nobody told the help desk about get no answer.",
	"remediation": "Record spec.communication.help_desk_notified (date, on or before the release date) and channel.",
	"frameworks": {"itil4": ["Service desk", "Release management"]},
}

deny contains lib.finding("XP-007", "/spec/communication/help_desk_notified", msg) if {
	_a.kind == "ReleaseRecord"
	_spec.status in {"approved", "deployed", "closed", "failed", "rolled_back"}
	notified := _spec.communication.help_desk_notified
	late := lib.days_between(_spec.release_date, notified)
	late > 0
	msg := sprintf(
		"help desk was notified on %s, %d days after the release on %s: it must know of a release before its users do",
		[notified, late, _spec.release_date],
	)
}

deny contains lib.finding("XP-007", "/spec/communication", msg) if {
	_a.kind == "ReleaseRecord"
	_spec.status in {"approved", "deployed", "closed", "failed", "rolled_back"}
	lacking := lib.lacks(object.get(_spec, "communication", {}), ["help_desk_notified", "channel"])
	msg := sprintf("release is `%s` but its help-desk communication lacks %s", [_spec.status, lacking])
}

# --- Configuration ↔ change -------------------------------------------------------------------

metadata["XP-008"] := {
	"title": "Production CI's configuration comes from an approved, implemented change that lists it",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ConfigurationItem"],
	"source": concat(" ", [
		"Configuration Management and Change Management: \"there should never be a change that is allowed to take place to a",
		"CI in a production system unless change management has approved the change first.\"",
	]),
	"rationale": concat(" ", [
		"A production CI whose last change was never approved, or never named it, is running an unauthorized",
		"configuration.",
	]),
	"remediation": "Point spec.last_change at the approved, implemented change that lists this CI in affected_cis.",
	"frameworks": {
		"iso27001": ["A.8.32", "A.8.9"],
		"nist_800_53": ["CM-3", "CM-5"],
		"cis_v8": ["4.1"],
		"itil4": ["Change enablement", "Service configuration management"],
	},
}

deny contains lib.finding_with("XP-008", "/spec/last_change", msg, [_spec.last_change]) if {
	_a.kind == "ConfigurationItem"
	_spec.environment == "production"
	change := _inv("ChangeRecord")[_spec.last_change]
	problems := sort([p | some p in _change_problems(change)])
	count(problems) > 0
	msg := sprintf("last change `%s` %s", [_spec.last_change, concat(", ", problems)])
}

# A change without a spec lists no CI. (Written as `not _id in object.get(change.spec, …)`, the
# undefined `change.spec` made the `not` true in regorus and false in OPA: docs/engine-differences.md.)
_lists_this_ci(change) if _id in object.get(object.get(change, "spec", {}), "affected_cis", [])

_change_problems(change) := (
	({"has no approval" | not lib.change_authorized(change)} | {
		sprintf("is `%s`, not implemented", [object.get(change.spec, "status", "unset")]) |
			not change.spec.status in _implemented
	})
		| {"does not list this CI" | not _lists_this_ci(change)}
)

# --- Configuration ↔ availability -------------------------------------------------------------

metadata["XP-009"] := {
	"title": "CIs of services with availability targets are linked to those services",
	"severity": "warning",
	"area": "cross_process",
	"kinds": ["AvailabilityPlan", "ConfigurationItem"],
	"source": concat(" ", [
		"Configuration Management and Availability Management: configurations with \"negative impacts on system",
		"availability\" must be \"identified, monitored, and remediated as per the existing SLAs\"",
	]),
	"rationale": "Availability can only be managed for a service whose CIs are known.",
	"remediation": "Set spec.service on the CIs that deliver the service (and list them in the Service's spec.cis).",
	"frameworks": {
		"iso27001": ["A.8.9", "A.8.14"],
		"nist_800_53": ["CM-8", "CP-2(8)"],
		"itil4": ["Availability management", "Service configuration management"],
	},
}

deny contains lib.finding_with("XP-009", "/spec/service", msg, [svc_id]) if {
	_a.kind == "ConfigurationItem"
	some svc_id in lib.lookup("services_listing_ci", _id)
	svc_id in lib.indexed("available_services")
	object.get(_spec, "service", null) != svc_id
	msg := sprintf(
		"service `%s` (which has an availability target) lists this CI, but the CI is not linked to it",
		[svc_id],
	)
}

deny contains lib.finding_with("XP-009", sprintf("/spec/services/%d/service", [i]), msg, [entry.service]) if {
	_a.kind == "AvailabilityPlan"
	some i, entry in object.get(_spec, "services", [])
	count(lib.lookup("cis_by_service", entry.service)) == 0
	msg := sprintf("no configuration item is linked to service `%s`", [entry.service])
}

# --- Service level ↔ change -------------------------------------------------------------------

metadata["XP-010"] := {
	"title": "SLA revision is approved by change management",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ServiceLevelAgreement"],
	"source": "Service-Level Management and Change Management: \"change management must approve changes to all SLAs\"",
	"rationale": "An SLA changed without change approval commits the organisation to terms nobody assessed.",
	"remediation": concat(" ", [
		"Reference the approved ChangeRecord in the revision's `change`; the change lists this agreement in",
		"affected_agreements. The initial revision of a new agreement (`initial: true`) needs no change record: nothing",
		"existed to change.",
	]),
	"frameworks": {"iso27001": ["A.5.20", "A.8.32"], "itil4": ["Service level management", "Change enablement"]},
}

deny contains lib.finding_with("XP-010", sprintf("/spec/revisions/%d/change", [i]), msg, related) if {
	_a.kind == "ServiceLevelAgreement"
	some i, revision in object.get(_spec, "revisions", [])
	problem := _revision_change_problem(i, revision)
	related := _change_of(revision)
	msg := sprintf("revision %v: %s", [object.get(revision, "version", i), problem])
}

# The revision's change record as the finding's related ids. (A function, not `[r | r :=
# revision.change; is_string(r)]`: that comprehension over an undefined value failed the whole
# iteration in regorus's compiled engine, a missed XP-010: docs/engine-differences.md.)
_change_of(revision) := [revision.change] if is_string(revision.change)

else := []

_revision_change_problem(i, revision) := "references no change record" if {
	not revision.change
	not _initial(i, revision)
}

# Only the first revision can be the agreement's initial version.
_initial(0, revision) if revision.initial == true

_revision_change_problem(i, revision) := sprintf("change `%s` is not approved", [revision.change]) if {
	change := _inv("ChangeRecord")[revision.change]
	is_object(change) # (always true here; the compiled engine needs it: docs/engine-differences.md)
	not lib.change_authorized(change)
}

_revision_change_problem(i, revision) := sprintf(
	"change `%s` was approved on %s, after the revision took effect on %s",
	[revision.change, approved, revision.effective],
) if {
	change := _inv("ChangeRecord")[revision.change]
	lib.change_authorized(change)
	approved := lib.authorization_date(change)
	lib.days_between(approved, revision.effective) < 0
}

# The change must be about this agreement: an approval of another change approves nothing here.
_revision_change_problem(i, revision) := sprintf(
	"change `%s` does not list this agreement in affected_agreements",
	[revision.change],
) if {
	change := _inv("ChangeRecord")[revision.change]
	lib.change_authorized(change)
	lib.days_between(lib.authorization_date(change), revision.effective) >= 0
	# An agreement without an id cannot be listed (its schema finding says so): `not` of an
	# undefined id is true in regorus and not in OPA (docs/engine-differences.md, 9).
	is_string(_id)
	not _id in lib.items(change.spec, "affected_agreements")
}

metadata["XP-011"] := {
	"title": "SLA revision was reviewed by legal before it took effect",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat(" ", [
		"Service-Level Management and Change Management: change management must \"ensure that the legal function has a",
		"chance to review them ... before they taking place.\"",
	]),
	"rationale": "Contract language reviewed after it took effect cannot be corrected without renegotiation.",
	"remediation": concat(" ", [
		"Record the revision's legal_review by a Person of the legal function, with decision approved (or",
		"approved_with_changes) and a date on or before its effective date.",
	]),
	"frameworks": {"iso27001": ["A.5.20", "A.5.31"], "itil4": ["Service level management"]},
}

deny contains lib.finding("XP-011", sprintf("/spec/revisions/%d/legal_review", [i]), msg) if {
	_a.kind == "ServiceLevelAgreement"
	some i, revision in object.get(_spec, "revisions", [])
	not revision.legal_review.date
	msg := sprintf("revision %v has no legal review", [object.get(revision, "version", i)])
}

deny contains lib.finding("XP-011", sprintf("/spec/revisions/%d/legal_review", [i]), msg) if {
	_a.kind == "ServiceLevelAgreement"
	some i, revision in object.get(_spec, "revisions", [])
	revision.legal_review.date
	problems := lib.legal_review_problems(revision.legal_review)
	count(problems) > 0
	msg := sprintf(
		"revision %v: legal review does not count: %s",
		[object.get(revision, "version", i), concat("; ", sort([p | some p in problems]))],
	)
}

deny contains lib.finding("XP-011", sprintf("/spec/revisions/%d/legal_review/date", [i]), msg) if {
	_a.kind == "ServiceLevelAgreement"
	some i, revision in object.get(_spec, "revisions", [])
	lib.days_between(revision.legal_review.date, revision.effective) < 0
	msg := sprintf(
		"revision %v took effect on %s, before its legal review on %s",
		[object.get(revision, "version", i), revision.effective, revision.legal_review.date],
	)
}

# --- SLA ↔ OLA/UC -----------------------------------------------------------------------------

metadata["XP-012"] := {
	"title": "Underpinning agreements support the SLA",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat(" ", [
		"Service Level Management: OLAs and UCs underpin SLAs; \"Ensure that policies, procedures, and tools are put in",
		"place so the organization meets all service levels\"",
	]),
	"rationale": concat(" ", [
		"An OLA or UC weaker than the SLA it underpins guarantees the SLA can be breached while every supplier meets its",
		"contract.",
	]),
	"remediation": concat(" ", [
		"Tighten the OLA/UC target (availability at least the SLA's, response time at most the SLA's) or renegotiate the",
		"SLA.",
	]),
	"frameworks": {
		"iso27001": ["A.5.20", "A.5.22"],
		"nist_800_53": ["SA-9"],
		"itil4": ["Service level management", "Supplier management"],
	},
}

deny contains lib.finding_with("XP-012", sprintf("/spec/underpinned_by/%d", [i]), msg, [ua_id]) if {
	_a.kind == "ServiceLevelAgreement"
	some i, ua_id in object.get(_spec, "underpinned_by", [])
	ua := _inv("ServiceLevelAgreement")[ua_id]
	not ua.spec.type in {"OLA", "UC"}
	msg := sprintf("`%s` is an %s; only OLAs and UCs underpin an agreement", [ua_id, ua.spec.type])
}

deny contains lib.finding_with("XP-012", sprintf("/spec/underpinned_by/%d", [i]), msg, [ua_id]) if {
	_a.kind == "ServiceLevelAgreement"
	some i, ua_id in object.get(_spec, "underpinned_by", [])
	ua := _inv("ServiceLevelAgreement")[ua_id]
	some mine in object.get(_spec, "targets", [])
	some theirs in object.get(ua.spec, "targets", [])
	theirs.service == mine.service
	weaker := _weaker(mine, theirs)
	count(weaker) > 0
	msg := sprintf(
		"%s `%s` is weaker than this agreement for `%s`: %s",
		[ua.spec.type, ua_id, mine.service, concat(", ", sort([w | some w in weaker]))],
	)
}

_weaker(mine, theirs) := ({sprintf(
	"availability %v%% < %v%%",
	[theirs.availability_percent, mine.availability_percent],
) | theirs.availability_percent < mine.availability_percent} | {sprintf(
	"response %v min > %v min",
	[theirs.response_minutes, mine.response_minutes],
) | theirs.response_minutes > mine.response_minutes}) | {sprintf(
	"resolution %v h > %v h",
	[theirs.resolution_hours, mine.resolution_hours],
) | theirs.resolution_hours > mine.resolution_hours}

# --- SLA ↔ availability plan ------------------------------------------------------------------

_designed(service) := [v | some v in lib.lookup("designed_by_service", service)]

metadata["XP-013"] := {
	"title": "Designed availability meets the agreed target",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ServiceLevelAgreement", "AvailabilityPlan"],
	"source": concat(" ", [
		"Availability Management: \"Systems should be designed to meet the availability requirements listed in all",
		"SLAs.\"",
	]),
	"rationale": concat(" ", [
		"Promising customers more availability than the design delivers is a breach waiting to happen. Only a customer SLA's",
		"target binds the design: OLAs and UCs underpin it (XP-012 compares them with the SLA) and their targets describe a",
		"supplier, not the service's design. The shortfall is reported on the availability plan entry, the place that has to",
		"change; an SLA target that no plan designs for is reported on the SLA.",
	]),
	"remediation": concat(" ", [
		"Raise the plan entry's designed_percent (redundancy, failover) to at least the SLA target, or cover the service in",
		"an AvailabilityPlan.",
	]),
	"frameworks": {"iso27001": ["A.8.14"], "nist_800_53": ["CP-2", "SC-6"], "itil4": ["Availability management"]},
}

deny contains lib.finding("XP-013", sprintf("/spec/targets/%d/availability_percent", [i]), msg) if {
	_a.kind == "ServiceLevelAgreement"
	_spec.type == "SLA"
	some i, target in object.get(_spec, "targets", [])
	is_number(target.availability_percent)
	count(_designed(target.service)) == 0
	msg := sprintf(
		"no availability plan designs service `%s` for its %v%% target",
		[target.service, target.availability_percent],
	)
}

deny contains lib.finding_with("XP-013", sprintf("/spec/services/%d/designed_percent", [i]), msg, [sla_id]) if {
	_a.kind == "AvailabilityPlan"
	some i, entry in lib.items(_spec, "services")
	is_number(entry.designed_percent)
	some sla_id in lib.lookup("slas_by_service", entry.service)
	some target in lib.items(_inv("ServiceLevelAgreement")[sla_id].spec, "targets")
	target.service == entry.service
	is_number(target.availability_percent)
	entry.designed_percent < target.availability_percent
	msg := sprintf(
		"service `%s` is designed for %v%%, below the %v%% that SLA `%s` agrees",
		[entry.service, entry.designed_percent, target.availability_percent, sla_id],
	)
}

# --- Incident ↔ problem -----------------------------------------------------------------------

_has_problem(id, incident) if incident.spec.problem

_has_problem(id, _) if id in lib.indexed("incidents_in_problems")

_similar := [id |
	is_string(_spec.service)
	is_string(_spec.category)
	some [id, detected_at, explained] in lib.lookup("incidents_by_kind", data.opsgate.index.incident_key(_a))
	explained == false
	abs(lib.days_between(detected_at, _spec.detected_at)) <= lib.param("incident_recurrence_window_days")
]

metadata["XP-014"] := {
	"title": "Recurring incidents are linked to a problem record",
	"severity": "warning",
	"area": "cross_process",
	"kinds": ["IncidentRecord"],
	"source": concat(" ", [
		"Problem Management: \"A problem is the unknown cause of one or more incidents, often identified as a result of",
		"multiple similar incidents.\"",
	]),
	"rationale": concat(" ", [
		"Repeated incidents with the same cause are treated one by one until someone opens a problem to find the root cause.",
		"Similar means the same service and category among incidents whose cause is not known and fixed: an incident of a",
		"resolved or closed problem is explained, and grouping it with new ones would demand a problem for a cause that was",
		"already found and removed.",
	]),
	"remediation": concat(" ", [
		"Open a ProblemRecord listing these incidents (or set spec.problem on them). Threshold and window: params",
		"incident_recurrence_threshold / incident_recurrence_window_days. Incidents of a resolved or closed problem (their",
		"cause was found and fixed) are not counted, and `category` should name what failed, not the service type.",
	]),
	"frameworks": {
		"iso27001": ["A.5.27"],
		"nist_800_53": ["IR-4(1)"],
		"cis_v8": ["17.8"],
		"itil4": ["Problem management"],
	},
}

deny contains lib.finding_with("XP-014", "/spec/problem", msg, others) if {
	_a.kind == "IncidentRecord"
	not _has_problem(_id, _a)
	similar := _similar
	count(similar) >= lib.param("incident_recurrence_threshold")
	others := sort([id | some id in similar; id != _id])
	msg := sprintf(
		"one of %d similar incidents (service `%s`, category `%s`) within %d days, and not linked to a problem record",
		[count(similar), _spec.service, _spec.category, lib.param("incident_recurrence_window_days")],
	)
}

# --- BIA ↔ continuity -------------------------------------------------------------------------

_covering_plans(service) := [id | some id in lib.lookup("plans_by_service", service)]

metadata["XP-015"] := {
	"title": "Every critical service of the BIA is covered by a continuity plan",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["BusinessImpactAnalysis"],
	"source": concat(" ", [
		"Business Continuity Management: \"Once the BIA has been completed, the cloud security operations management",
		"professionals can go about devising plans\"",
	]),
	"rationale": "The BIA ranks what must survive a disruption; a critical service without a plan will not.",
	"remediation": concat(" ", [
		"Add the service to a ContinuityPlan (spec.services and spec.recovery_objectives) that references this",
		"BIA.",
	]),
	"frameworks": {
		"iso27001": ["A.5.29", "A.5.30"],
		"nist_800_53": ["CP-2", "CP-2(8)"],
		"itil4": ["Service continuity management"],
	},
}

deny contains lib.finding_with("XP-015", sprintf("/spec/services/%d/service", [i]), msg, [entry.service]) if {
	_a.kind == "BusinessImpactAnalysis"
	some i, entry in object.get(_spec, "services", [])
	entry.criticality == "critical"
	count(_covering_plans(entry.service)) == 0
	msg := sprintf(
		"critical service `%s` (rank %v) is covered by no continuity plan",
		[entry.service, object.get(entry, "rank", "?")],
	)
}

metadata["XP-016"] := {
	"title": "Continuity plan's recovery objectives meet the BIA's RTO/RPO",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ContinuityPlan"],
	"source": concat(" ", [
		"Business Continuity Management: mission-critical systems \"can be restored to service following a disaster\" as",
		"prioritized by the BIA",
	]),
	"rationale": concat(" ", [
		"A plan that recovers in 24 hours a service the business can only miss for 4 is not a plan for that",
		"service.",
	]),
	"remediation": "Lower the plan's rto_hours / rpo_hours to at most the BIA's, or revisit the BIA.",
	"frameworks": {"iso27001": ["A.5.30"], "nist_800_53": ["CP-2", "CP-10"], "itil4": ["Service continuity management"]},
}

deny contains lib.finding_with("XP-016", sprintf("/spec/recovery_objectives/%d/%s", [i, field]), msg, [_spec.bia]) if {
	_a.kind == "ContinuityPlan"
	bia := _inv("BusinessImpactAnalysis")[_spec.bia]
	some i, objective in object.get(_spec, "recovery_objectives", [])
	some entry in bia.spec.services
	entry.service == objective.service
	some field in ["rto_hours", "rpo_hours"]
	objective[field] > entry[field]
	msg := sprintf(
		"%s of `%s` is %v h, but the BIA requires at most %v h",
		[field, objective.service, objective[field], entry[field]],
	)
}

deny contains lib.finding_with("XP-016", "/spec/recovery_objectives", msg, [_spec.bia]) if {
	_a.kind == "ContinuityPlan"
	bia := _inv("BusinessImpactAnalysis")[_spec.bia]
	some entry in bia.spec.services
	entry.service in object.get(_spec, "services", [])
	count([o | some o in object.get(_spec, "recovery_objectives", []); o.service == entry.service]) == 0
	msg := sprintf(
		"covers `%s` but states no recovery objectives for it (BIA: RTO %v h, RPO %v h)",
		[entry.service, entry.rto_hours, entry.rpo_hours],
	)
}

# --- Capacity ↔ business cycles ---------------------------------------------------------------

metadata["XP-017"] := {
	"title": "Capacity covers the planned business-cycle peaks",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["CapacityPlan"],
	"source": concat(" ", [
		"Incorporating Management Processes: \"be aware of these business cycles to work with capacity management ... to",
		"ensure that the appropriate infrastructure is always provisioned and available to meet customer demand.\"",
	]),
	"rationale": concat(" ", [
		"A known seasonal or event peak that pushes a resource past its critical threshold is an outage on the calendar. A",
		"peak loads the resources it names (a traffic peak loads the web tier, not backup storage) and is met by the",
		"capacity planned for it (a scheduled scale-up), not only by today's capacity.",
	]),
	"remediation": concat(" ", [
		"Provision capacity for the peak (capacity * critical_threshold_percent / 100 >= current_usage *",
		"expected_peak_factor), or record the planned scale-up in the cycle's `provisioned` (resource, capacity). Name the",
		"resources a cycle loads in its `resources`; a cycle that names none is applied to every resource.",
	]),
	"frameworks": {"iso27001": ["A.8.6"], "nist_800_53": ["CP-2(2)"], "itil4": ["Capacity and performance management"]},
}

deny contains lib.finding("XP-017", sprintf("/spec/resources/%d/capacity", [i]), msg) if {
	_a.kind == "CapacityPlan"
	some cycle in object.get(_spec, "business_cycles", [])
	is_number(cycle.expected_peak_factor)
	some i, resource in object.get(_spec, "resources", [])
	_loads(cycle, resource)
	is_number(resource.capacity)
	is_number(resource.current_usage)
	is_number(resource.critical_threshold_percent)
	capacity := _peak_capacity(cycle, resource)
	peak := resource.current_usage * cycle.expected_peak_factor
	limit := (capacity * resource.critical_threshold_percent) / 100
	peak > limit
	unit := object.get(resource, "unit", "")
	msg := sprintf(
		"`%s` peak of %v %s during `%s` exceeds its critical threshold (%v %s of %s)",
		[
			resource.name,
			lib.round2(peak),
			unit,
			cycle.name,
			lib.round2(limit),
			unit,
			_capacity_text(cycle, resource, capacity, unit),
		],
	)
}

# A cycle loads the resources it names; one that names none is assumed to load every resource
# (the conservative reading: an unnamed peak is not an unchecked one).
_loads(cycle, resource) if not is_array(cycle.resources)

_loads(cycle, resource) if resource.name in cycle.resources

# The capacity in place for the peak: what the cycle's provision plans for the resource, else today's.
_peak_capacity(cycle, resource) := max(planned) if {
	planned := [p.capacity | some p in lib.items(cycle, "provisioned"); p.resource == resource.name; is_number(p.capacity)]
	count(planned) > 0
} else := resource.capacity

_capacity_text(cycle, resource, capacity, unit) := sprintf(
	"the %v %s provisioned for the peak",
	[capacity, unit],
) if capacity != resource.capacity

else := sprintf("%v %s capacity", [capacity, unit])

metadata["XP-019"] := {
	"title": "Every service under a customer SLA is provisioned by a capacity plan",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat(" ", [
		"Capacity Management: \"ensuring that the business IT infrastructure is adequately provisioned to deliver the agreed",
		"service-level targets\"",
	]),
	"rationale": concat(" ", [
		"A service-level target agreed with customers for a service no capacity plan provisions is a promise nobody sized",
		"the infrastructure for. (Availability designs for SLA targets are XP-013.)",
	]),
	"remediation": "List the service in the spec.services of a CapacityPlan and plan its resources.",
	"frameworks": {
		"iso27001": ["A.8.6"],
		"nist_800_53": ["CP-2(2)"],
		"itil4": ["Capacity and performance management", "Service level management"],
	},
}

deny contains lib.finding_with("XP-019", sprintf("/spec/services/%d", [i]), msg, [service]) if {
	_a.kind == "ServiceLevelAgreement"
	_spec.type == "SLA"
	some i, service in lib.items(_spec, "services")
	is_string(service)
	not service in lib.indexed("capacity_services")
	msg := sprintf("service `%s` is under this SLA but no capacity plan provisions it", [service])
}

# --- CSC 2 ↔ incident -------------------------------------------------------------------------

metadata["XP-018"] := {
	"title": "CSC 2 sampling failure links an incident",
	"severity": "error",
	"area": "cross_process",
	"kinds": ["ControlImplementation"],
	"source": concat(" ", [
		"CSC 2 sampling: \"If failures are detected, these need to be logged and investigated.\" A failure is a deployment",
		"\"without notification being generated and sent\"",
	]),
	"rationale": concat(" ", [
		"An unauthorized install that went unnoticed is a security incident; without a record nobody investigates",
		"it.",
	]),
	"remediation": "Raise an IncidentRecord for the failure and reference it in the failure's `investigation`.",
	"frameworks": {
		"iso27001": ["A.8.19", "A.5.25"],
		"nist_800_53": ["CM-7(5)", "IR-4"],
		"cis_v8": ["2.3"],
		"itil4": ["Incident management"],
	},
}

deny contains lib.finding("XP-018", sprintf("/spec/sampling/tests/%d/failures/%d/investigation", [t, f]), msg) if {
	_a.kind == "ControlImplementation"
	some t, test in object.get(object.get(_spec, "sampling", {}), "tests", [])
	some f, failure in object.get(test, "failures", [])
	failure.notified == false
	not _inv("IncidentRecord")[object.get(failure, "investigation", "")]
	msg := sprintf(
		"unauthorized software reached `%v` without notification on %v and no incident record investigates it",
		[object.get(failure, "endpoint", "?"), object.get(test, "date", "?")],
	)
}
