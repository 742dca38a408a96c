# Service level management: SLAs with customers, OLAs between internal units, UCs with external vendors.
# Source: "Service Level Management". Revision approval and legal review of revisions, the strength of
# underpinning agreements and designed availability are XP rules (cross_process.rego), not repeated here.
package opsgate.rules.service_level

import data.opsgate.lib
import rego.v1

kinds := {"ServiceLevelAgreement"}

_slm := "Service Level Management"

_agreements := concat("", [
	_slm,
	", items 1-3: \"SLAs are negotiated with the customers.\" / \"Operational-level agreements (OLAs) are SLAs ",
	"negotiated between internal business units within the enterprise.\" / \"Underpinning contracts (UCs) are external ",
	"contracts negotiated between the organization and vendors or suppliers.\"",
])

_meets := concat("", [
	_slm,
	": \"Ensure that policies, procedures, and tools are put in place so the organization meets all service levels as ",
	"specified in their SLAs with their customers.\"",
])

_legal := concat("", [
	_slm,
	": \"The legal department should be involved in developing the SLA and associated policies to ensure that they are ",
	"drafted correctly.\"",
])

_fw_slm := {"itil4": ["Service level management"]}

_a := lib.subject(kinds)

_spec := _a.spec

_sla if _a.kind == "ServiceLevelAgreement"

_parties := object.get(_spec, "parties", {})

# --- Parties -----------------------------------------------------------------------------------

metadata["SLM-001"] := {
	"title": "Agreement names its provider and consumer",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": _agreements,
	"rationale": concat(" ", [
		"An agreement is negotiated between parties; without knowing who provides and who receives the service, nobody can",
		"be held to its targets.",
	]),
	"remediation": "Fill in spec.parties.provider and spec.parties.consumer, each with name and kind.",
	"frameworks": {"iso27001": ["A.5.20"], "itil4": ["Service level management", "Supplier management"]},
}

deny contains lib.finding("SLM-001", "/spec/parties", msg) if {
	_sla
	lacking := lib.lacks(_parties, ["provider", "consumer"])
	msg := sprintf("%s does not name its %s", [_spec.type, lacking])
}

deny contains lib.finding("SLM-001", sprintf("/spec/parties/%s", [role]), msg) if {
	_sla
	some role in ["provider", "consumer"]
	lib.present(_parties, role)
	lacking := lib.lacks(_parties[role], ["name", "kind"])
	msg := sprintf("%s %s lacks %s", [_spec.type, role, lacking])
}

_article := {"SLA": "an SLA", "OLA": "an OLA", "UC": "a UC"}

# The party kinds each agreement type requires.
_required_kind := {
	"SLA": {"consumer": "customer"},
	"OLA": {"provider": "internal", "consumer": "internal"},
	"UC": {"provider": "external", "consumer": "internal"},
}

metadata["SLM-002"] := {
	"title": "Parties match the agreement type",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": _agreements,
	"rationale": concat(" ", [
		"An SLA is with customers, an OLA between internal units and a UC with an external supplier; a mismatch means the",
		"agreement is of the wrong type and the wrong rules (legal, penalties, underpinning) are applied to it.",
	]),
	"remediation": concat(" ", [
		"Correct spec.type, or the kind of the party: SLA consumer `customer`; OLA provider and consumer `internal`; UC",
		"provider `external` and consumer `internal`.",
	]),
	"frameworks": {
		"iso27001": ["A.5.19", "A.5.20"],
		"nist_800_53": ["SA-9"],
		"itil4": ["Service level management", "Supplier management"],
	},
}

deny contains lib.finding("SLM-002", sprintf("/spec/parties/%s/kind", [role]), msg) if {
	_sla
	some role, wanted in _required_kind[_spec.type]
	actual := _parties[role].kind
	actual != wanted
	msg := sprintf(
		"%s %s is `%s`, but the %s of %s must be `%s`",
		[_spec.type, role, actual, role, _article[_spec.type], wanted],
	)
}

# --- Services and targets ----------------------------------------------------------------------

_services := object.get(_spec, "services", [])

_targets := object.get(_spec, "targets", [])

_targeted := {t.service | some t in _targets}

metadata["SLM-003"] := {
	"title": "Agreement lists the services it covers",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat("", [
		_slm,
		": \"negotiate agreements with various parties and to design services by the agreed-upon service-level targets\"",
	]),
	"rationale": "Service levels are agreed for services; an agreement that names none commits to nothing measurable.",
	"remediation": "List the Service ids in spec.services.",
	"frameworks": _fw_slm,
}

deny contains lib.finding("SLM-003", "/spec/services", msg) if {
	_sla
	lib.missing(_spec, "services")
	msg := sprintf("%s lists no service", [_spec.type])
}

metadata["SLM-004"] := {
	"title": "Every covered service has a service-level target",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat("", [_slm, ": \"design services by the agreed-upon service-level targets\""]),
	"rationale": concat(" ", [
		"A service covered by the agreement without a target can neither be designed for nor measured against the",
		"agreement.",
	]),
	"remediation": "Add an entry for the service to spec.targets, or remove the service from spec.services.",
	"frameworks": _fw_slm,
}

deny contains lib.finding("SLM-004", sprintf("/spec/services/%d", [i]), msg) if {
	_sla
	some i, service in _services
	not service in _targeted
	msg := sprintf("service `%s` has no service-level target", [service])
}

metadata["SLM-005"] := {
	"title": "Every target belongs to a covered service",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat("", [_slm, ": \"design services by the agreed-upon service-level targets\""]),
	"rationale": "A target for a service the agreement does not cover is either a typo or an undeclared commitment.",
	"remediation": "Add the target's service to spec.services, or correct the target's service id.",
	"frameworks": _fw_slm,
}

deny contains lib.finding("SLM-005", sprintf("/spec/targets/%d/service", [i]), msg) if {
	_sla
	some i, target in _targets
	not target.service in _services
	msg := sprintf("target for `%s` names a service not listed in spec.services", [target.service])
}

_levels := ["availability_percent", "response_minutes", "resolution_hours"]

metadata["SLM-006"] := {
	"title": "Each target states a measurable service level",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": _meets,
	"rationale": concat(" ", [
		"The organization can only show that it meets a service level that is stated as a number: availability, response",
		"time or resolution time.",
	]),
	"remediation": "Set at least one of availability_percent, response_minutes or resolution_hours on the target.",
	"frameworks": {"iso27001": ["A.5.20"], "itil4": ["Service level management", "Measurement and reporting"]},
}

deny contains lib.finding("SLM-006", sprintf("/spec/targets/%d", [i]), msg) if {
	_sla
	some i, target in _targets
	every level in _levels {
		not is_number(object.get(target, level, null))
	}
	msg := sprintf("target for `%s` states none of %s", [target.service, lib.join_names(_levels)])
}

# --- Legal review ------------------------------------------------------------------------------

metadata["SLM-007"] := {
	"title": "Agreement was reviewed by the legal department",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": _legal,
	"rationale": concat(" ", [
		"Failure to meet SLAs can have a significant financial impact; an agreement the legal department never reviewed may",
		"commit the organization to terms it cannot afford. The review counts only if it was done by the legal function (the",
		"reviewer's Person spec.function is legal) and approved the text: a review by an engineer, or one that rejected the",
		"agreement, is no legal review of the agreement in force.",
	]),
	"remediation": concat(" ", [
		"Record spec.legal_review with reviewer (a Person of the legal function), date and decision approved (or",
		"approved_with_changes).",
	]),
	"frameworks": {"iso27001": ["A.5.20", "A.5.31"], "itil4": ["Service level management"]},
}

deny contains lib.finding("SLM-007", "/spec/legal_review", msg) if {
	_sla
	lacking := lib.lacks(object.get(_spec, "legal_review", {}), ["reviewer", "date"])
	msg := sprintf("%s has no legal review (lacks %s)", [_spec.type, lacking])
}

deny contains lib.finding("SLM-007", "/spec/legal_review", msg) if {
	_sla
	review := _spec.legal_review
	count(lib.missing_fields(review, ["reviewer", "date"])) == 0
	problems := lib.legal_review_problems(review)
	count(problems) > 0
	msg := sprintf("legal review does not count: %s", [concat("; ", sort([p | some p in problems]))])
}

metadata["SLM-008"] := {
	"title": "Legal review precedes the start of the agreement",
	"severity": "warning",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": _legal,
	"rationale": concat(" ", [
		"Legal must be involved in developing the agreement; a review dated after the agreement started came too late to",
		"shape its language.",
	]),
	"remediation": concat(" ", [
		"Have legal review the agreement before spec.term.start, or correct the review date if the record is",
		"wrong.",
	]),
	"frameworks": {"iso27001": ["A.5.20", "A.5.31"], "itil4": ["Service level management"]},
}

deny contains lib.finding("SLM-008", "/spec/legal_review/date", msg) if {
	_sla
	reviewed := _spec.legal_review.date
	start := _spec.term.start
	lib.days_between(reviewed, start) < 0
	msg := sprintf("legal review on %s came after the agreement started on %s", [reviewed, start])
}

# --- Term --------------------------------------------------------------------------------------

metadata["SLM-009"] := {
	"title": "Agreement term is defined",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat("", [_slm, ": \"negotiate agreements with various parties\""]),
	"rationale": concat(" ", [
		"Without a start and an end nobody can tell when the service levels apply or when the agreement must be",
		"renegotiated.",
	]),
	"remediation": "Fill in spec.term with start and end (end on or after start).",
	"frameworks": {"iso27001": ["A.5.20"], "itil4": ["Service level management"]},
}

deny contains lib.finding("SLM-009", "/spec/term", msg) if {
	_sla
	lacking := lib.lacks(object.get(_spec, "term", {}), ["start", "end"])
	msg := sprintf("%s term lacks %s", [_spec.type, lacking])
}

deny contains lib.finding("SLM-009", "/spec/term/end", msg) if {
	_sla
	lib.days_between(_spec.term.start, _spec.term.end) < 0
	msg := sprintf("term ends on %s, before it starts on %s", [_spec.term.end, _spec.term.start])
}

# Documents without a status are treated as in force.
_in_force if not _a.metadata.status

_in_force if _a.metadata.status in {"active", "approved"}

_status_text := sprintf("is still `%s`", [_a.metadata.status]) if _a.metadata.status

_status_text := "has no status marking it retired" if not _a.metadata.status

metadata["SLM-010"] := {
	"title": "Agreement in force has not expired",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": _meets,
	"rationale": concat(" ", [
		"An expired agreement still treated as active leaves the services it covers without enforceable service",
		"levels.",
	]),
	"remediation": "Renew the agreement (new revision and term end) or retire it (metadata.status: retired).",
	"frameworks": {
		"iso27001": ["A.5.20", "A.5.22"],
		"nist_800_53": ["SA-9"],
		"itil4": ["Service level management", "Supplier management"],
	},
}

deny contains lib.finding("SLM-010", "/spec/term/end", msg) if {
	_sla
	_in_force
	end := _spec.term.end
	lib.days_between(end, input.as_of) > 0
	msg := sprintf("%s expired on %s (as of %s) but %s", [_spec.type, end, input.as_of, _status_text])
}

# --- Financial impact --------------------------------------------------------------------------

metadata["SLM-011"] := {
	"title": "SLA states the penalties for missed service levels",
	"severity": "warning",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat("", [_slm, ": \"Failure to meet SLAs can have a significant financial impact on the provider.\""]),
	"rationale": concat(" ", [
		"The financial consequence of a breach must be known in advance to weigh it against the cost of meeting the service",
		"levels.",
	]),
	"remediation": "Describe the penalties or service credits in spec.penalties.",
	"frameworks": _fw_slm,
}

deny contains lib.finding("SLM-011", "/spec/penalties", msg) if {
	_spec.type == "SLA"
	lib.missing(_spec, "penalties")
	msg := "SLA states no penalties or service credits for missed service levels"
}

# --- Underpinning ------------------------------------------------------------------------------

_customer_facing := sort([id |
	some id in {s | some s in _services} | _targeted
	lib.artifact("Service", id).spec.customer_facing == true
])

metadata["SLM-012"] := {
	"title": "SLA for customer-facing services is underpinned by OLAs or UCs",
	"severity": "warning",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": _meets,
	"rationale": concat(" ", [
		"The organization can only meet customer service levels if the internal units and suppliers it depends on are bound",
		"by matching agreements.",
	]),
	"remediation": "List the OLAs and UCs the SLA relies on in spec.underpinned_by.",
	"frameworks": {
		"iso27001": ["A.5.19", "A.5.20"],
		"nist_800_53": ["SA-9"],
		"itil4": ["Service level management", "Supplier management"],
	},
}

deny contains lib.finding_with("SLM-012", "/spec/underpinned_by", msg, _customer_facing) if {
	_spec.type == "SLA"
	count(_customer_facing) > 0
	lib.missing(_spec, "underpinned_by")
	msg := sprintf("SLA covers customer-facing %s but is underpinned by no OLA or UC", [lib.join_names(_customer_facing)])
}

# --- Revisions ---------------------------------------------------------------------------------

_revisions := object.get(_spec, "revisions", [])

metadata["SLM-013"] := {
	"title": "Agreement records its revisions",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat("", [
		_slm,
		"; Service-Level Management and Change Management: \"change management must approve changes to all SLAs\"",
	]),
	"rationale": concat(" ", [
		"Only a recorded revision history shows which version of the agreement was negotiated, approved and reviewed, and",
		"when it took effect.",
	]),
	"remediation": concat(" ", [
		"Add at least the initial revision to spec.revisions (version, effective, legal_review, summary, and `initial:",
		"true`: a brand-new agreement needs no change record). Every later revision names the approved change (XP-010).",
	]),
	"frameworks": {"iso27001": ["A.5.20", "A.8.32"], "itil4": ["Service level management", "Change enablement"]},
}

deny contains lib.finding("SLM-013", "/spec/revisions", msg) if {
	_sla
	lib.missing(_spec, "revisions")
	msg := sprintf("%s records no revision", [_spec.type])
}

# The latest revision: the one with the latest effective date (the last such in the list on a tie);
# when no revision has an effective date, the last one listed.
_dated := [i | some i, r in _revisions; is_string(object.get(r, "effective", null))]

_latest_effective := max([_revisions[i].effective | some i in _dated])

_latest_index := max([i | some i in _dated; _revisions[i].effective == _latest_effective]) if count(_dated) > 0

_latest_index := count(_revisions) - 1 if {
	count(_dated) == 0
	count(_revisions) > 0
}

metadata["SLM-014"] := {
	"title": "Latest revision matches the document version",
	"severity": "error",
	"area": "service_level",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat("", [_slm, "; Service-Level Management and Change Management"]),
	"rationale": concat(" ", [
		"If the document's version differs from its latest revision, either the text was changed without a recorded",
		"(approved, reviewed) revision or the record is stale.",
	]),
	"remediation": "Record a revision for metadata.version, or set metadata.version to the latest revision's version.",
	"frameworks": {"iso27001": ["A.5.20", "A.8.32"], "itil4": ["Service level management", "Change enablement"]},
}

deny contains lib.finding("SLM-014", sprintf("/spec/revisions/%d/version", [i]), msg) if {
	_sla
	i := _latest_index
	latest := object.get(_revisions[i], "version", "")
	document := _a.metadata.version
	not lib.blank(latest)
	not lib.blank(document)
	latest != document
	msg := sprintf("latest revision is version `%s` but the document is version `%s`", [latest, document])
}
