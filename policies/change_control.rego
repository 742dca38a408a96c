# Change control over a diff: what only git can show. These rules fire in pull-request mode
# (`check --base REV`) and pre-commit mode (`check --staged`), where opsgate hands each artifact's
# state before the change to the policy as `input.change` ({status: added|modified|unchanged, base}).
package opsgate.rules.change_control

import data.opsgate.lib
import rego.v1

kinds := {
	"ConfigurationItem",
	"ServiceLevelAgreement",
	"ChangeRecord",
	"IncidentRecord",
	"ProblemRecord",
	"RiskAcceptance",
}

# Only meaningful on a diff: opsgate skips the package when it checks a plain directory.
modes := {"diff"}

_cfg_chg := concat(" ", [
	"Configuration Management and Change Management: \"there should never be a change that is allowed to take place to a",
	"CI in a production system unless change management has approved the change first.\"",
])

metadata["GIT-005"] := {
	"title": "Changes to opsgate's configuration or policies are pointed out to reviewers",
	"severity": "warning",
	"area": "change",
	"kinds": [],
	"source": "Change Management Objectives, item 4 (changes controlled) — applied to the gate itself.",
	"rationale": concat(" ", [
		"Editing opsgate.toml or the policies changes what every other change is checked against; reviewers must see",
		"it.",
	]),
	"remediation": "Nothing to fix if the change is intended: have it reviewed by whoever owns the compliance gate.",
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3", "CM-5"], "itil4": ["Change enablement"]},
}

metadata["GIT-006"] := {
	"title": "Closed records are not deleted",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord", "IncidentRecord", "ProblemRecord"],
	"source": concat(" ", [
		"Change Management Objectives, items 3-4 (changes recorded, documented and reviewed); Objectives of Incident",
		"Management, item 1 (documentation of incidents).",
	]),
	"rationale": concat(" ", [
		"Deleting a closed record, or re-creating it under another id, erases evidence as surely as editing it (GIT-003).",
		"Records management practice (ISO/IEC 27001 A.5.33) retires records by marking them and disposes of them only after",
		"their retention period, as a decision someone approves.",
	]),
	"remediation": concat(" ", [
		"Restore the record. To retire it, add a label in metadata.labels (closed records may change only there); it may be",
		"deleted once record_retention_days (default 2555, seven years) have passed since the last date it holds.",
	]),
	"frameworks": {
		"iso27001": ["A.5.33", "A.8.15"],
		"nist_800_53": ["AU-9", "AU-11"],
		"itil4": ["Change enablement", "Incident management", "Problem management"],
	},
}

metadata["GIT-007"] := {
	"title": "A change's findings are waived only by acceptances that were valid before it",
	"severity": "error",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": concat(" ", [
		"Change Management Objectives, item 6: \"sometimes it is appropriate to knowingly accept a risk\" — knowingly means",
		"before, not inside, the change that takes it.",
	]),
	"rationale": concat(" ", [
		"A pull request that introduces a gap and the acceptance that waives it — by adding or widening it, or by making an",
		"invalid one valid (changing the owner RSK-005 looks at) — asks reviewers to approve both at once, and lets its",
		"author decide what the gate sees. The acceptance must be reviewed and approved on its own first; then the change",
		"passes.",
	]),
	"remediation": concat(" ", [
		"Land the risk acceptance in its own change, approved by the risk owner, before the change it waives (or fix the",
		"findings).",
	]),
	"frameworks": {
		"iso27001": ["A.5.8", "A.8.32"],
		"nist_800_53": ["RA-3", "CM-3"],
		"itil4": ["Risk management", "Change enablement"],
	},
}

_a := lib.subject(kinds)

_spec := _a.spec

_changed if input.change.status in {"added", "modified"}

_base := input.change.base

# The content of a change outside the fields that may always move.
_content(doc) := [doc.spec, object.remove(doc.metadata, {"labels", "review_by"})]

_authorizing(change) if lib.reached(change, "authorized")

# The fields of a CI that are its configuration; the rest of spec is record-keeping (see GIT-001).
_config_fields := ["type", "environment", "version", "baseline", "configuration"]

_configuration(doc) := [object.get(object.get(doc, "spec", {}), f, null) | some f in _config_fields]

# The CI is or was in production, and its configuration changed (a new production CI is all
# configuration).
_production_config_changed if {
	_a.kind == "ConfigurationItem"
	input.change.status == "added"
	_spec.environment == "production"
}

_production_config_changed if {
	_a.kind == "ConfigurationItem"
	input.change.status == "modified"
	base := object.get(input.change, "base", {})
	"production" in {_spec.environment, object.get(object.get(base, "spec", {}), "environment", null)}
	_configuration(base) != _configuration(_a)
}

metadata["GIT-001"] := {
	"title": "Modified production CI references, in the same change, an authorized change that lists it",
	"severity": "error",
	"area": "change",
	"kinds": ["ConfigurationItem"],
	"source": _cfg_chg,
	"rationale": concat(" ", [
		"A pull request that edits a production CI's configuration while still pointing at the change that authorized its",
		"previous configuration is an unauthorized change wearing an old approval. Only configuration fields need a change:",
		"spec.type, environment, version, baseline and configuration. Record-keeping fields describe the CI without changing",
		"it (baseline_compliance records the re-check CFG-006 demands, relationships and service correct the CMDB,",
		"last_change and last_release point at history) and may be kept current without a change record. A CI moved out of",
		"production in the same edit is still a production CI here.",
	]),
	"remediation": concat(" ", [
		"Point spec.last_change at the change record that authorizes this edit (status authorized or later, listing this CI",
		"in affected_cis).",
	]),
	"frameworks": {
		"iso27001": ["A.8.9", "A.8.32"],
		"nist_800_53": ["CM-3", "CM-5"],
		"cis_v8": ["4.1"],
		"itil4": ["Change enablement", "Service configuration management"],
	},
}

deny contains lib.finding("GIT-001", "/spec/last_change", msg) if {
	_production_config_changed
	_base.spec.last_change == _spec.last_change
	msg := sprintf(
		"production CI changed but still references `%s`, the change of its previous configuration",
		[_spec.last_change],
	)
}

deny contains lib.finding("GIT-001",
	"/spec", "production CI changed without referencing a change in spec.last_change") if {
	_production_config_changed
	lib.missing(_spec, "last_change")
}

deny contains lib.finding_with("GIT-001", "/spec/last_change", msg, [_spec.last_change]) if {
	_production_config_changed
	change := lib.artifact("ChangeRecord", _spec.last_change)
	problems := [p |
		some p in [
			sprintf("is `%s`, not authorized", [change.spec.status]),
			"does not list this CI in affected_cis",
		]
		_change_problem(change, p)
	]
	count(problems) > 0
	msg := sprintf("change `%s` %s", [_spec.last_change, concat(" and ", problems)])
}

_change_problem(change, p) if {
	startswith(p, "is `")
	not _authorizing(change)
}

_change_problem(change, p) if {
	p == "does not list this CI in affected_cis"
	not _a.metadata.id in object.get(change.spec, "affected_cis", [])
}

_versions(doc) := {r.version | some r in object.get(doc.spec, "revisions", [])}

metadata["GIT-002"] := {
	"title": "Modified SLA carries a new revision with change approval and legal review",
	"severity": "error",
	"area": "change",
	"kinds": ["ServiceLevelAgreement"],
	"source": concat(" ", [
		"Service-Level Management and Change Management: change management must approve changes to all SLAs; Service Level",
		"Management: \"The legal department should be involved in developing the SLA\".",
	]),
	"rationale": concat(" ", [
		"An agreement edited without a recorded revision cannot be traced to the change that approved it or to the legal",
		"review that checked it.",
	]),
	"remediation": concat(" ", [
		"Add an entry to spec.revisions with a new version, the approved change record in `change`, and `legal_review`",
		"(reviewer, date).",
	]),
	"frameworks": {
		"iso27001": ["A.5.20", "A.8.32"],
		"nist_800_53": ["SA-4", "CM-3"],
		"itil4": ["Service level management", "Change enablement"],
	},
}

deny contains lib.finding("GIT-002", "/spec/revisions", msg) if {
	_a.kind == "ServiceLevelAgreement"
	input.change.status == "modified"
	not _base.spec == _spec
	count(_versions(_a) - _versions(_base)) == 0
	msg := "agreement changed without a new entry in spec.revisions"
}

deny contains lib.finding("GIT-002", sprintf("/spec/revisions/%d", [i]), msg) if {
	_a.kind == "ServiceLevelAgreement"
	input.change.status == "modified"
	some i, revision in _spec.revisions
	not revision.version in _versions(_base)
	problems := [p | some check in ["change", "approval", "legal"]; p := _revision_problem(revision, check)]
	count(problems) > 0
	msg := sprintf("new revision %v %s", [revision.version, concat(" and ", problems)])
}

_revision_problem(revision, "change") := "names no change record" if lib.missing(revision, "change")

_revision_problem(revision, "approval") := sprintf(
	"references change `%s`, which has no approval",
	[revision.change],
) if {
	change := lib.artifact("ChangeRecord", revision.change)
	not lib.change_authorized(change)
}

_revision_problem(revision, "legal") := "has no legal review" if {
	count(lib.missing_fields(object.get(revision, "legal_review", {}), ["reviewer", "date"])) > 0
}

metadata["GIT-003"] := {
	"title": "Closed records are not edited",
	"severity": "error",
	"area": "change",
	"kinds": ["ChangeRecord", "IncidentRecord", "ProblemRecord"],
	"source": concat(" ", [
		"Change Management Objectives, items 3-4 (changes recorded, documented and reviewed); Objectives of Incident",
		"Management, item 1 (documentation of incidents).",
	]),
	"rationale": concat(" ", [
		"A closed change, incident or problem record is evidence; rewriting it after the fact destroys the audit trail. Only",
		"metadata.labels and metadata.review_by may change after closure.",
	]),
	"remediation": concat(" ", [
		"Revert the edit and record what happened since in a new record (a new change, incident or problem referring to this",
		"one).",
	]),
	"frameworks": {
		"iso27001": ["A.5.28", "A.8.15"],
		"nist_800_53": ["AU-9", "CM-3"],
		"itil4": ["Change enablement", "Incident management"],
	},
}

deny contains lib.finding("GIT-003", "/spec/status", msg) if {
	_a.kind in {"ChangeRecord", "IncidentRecord", "ProblemRecord"}
	input.change.status == "modified"
	_base.spec.status == "closed"
	_content(_base) != _content(_a)
	msg := sprintf("this %s was already closed before the change; closed records are immutable", [_a.kind])
}

metadata["GIT-004"] := {
	"title": "New or extended risk acceptances are pointed out to reviewers",
	"severity": "warning",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": "Change Management Objectives, item 6: \"sometimes it is appropriate to knowingly accept a risk\".",
	"rationale": concat(" ", [
		"A pull request that adds or widens a waiver loosens the gate itself; reviewers must see it to accept the risk",
		"knowingly.",
	]),
	"remediation": "Nothing to fix if the acceptance is intended: make sure the approver reviewed this pull request.",
	"frameworks": {"iso27001": ["A.5.8"], "nist_800_53": ["RA-3", "CM-3"], "itil4": ["Risk management"]},
}

deny contains lib.finding("GIT-004", "/spec/rules", msg) if {
	_a.kind == "RiskAcceptance"
	input.change.status == "added"
	msg := sprintf(
		"new risk acceptance waives %s on %s",
		[lib.join_names(object.get(_spec, "rules", [])), lib.join_names(object.get(_spec, "artifacts", []))],
	)
}

deny contains lib.finding("GIT-004", "/spec", msg) if {
	_a.kind == "RiskAcceptance"
	input.change.status == "modified"
	widened := _widened
	count(widened) > 0
	msg := sprintf("risk acceptance widened: %s", [concat("; ", widened)])
}

_widened contains sprintf("now also waives %s", [lib.join_names(sort(added))]) if {
	added := {r | some r in object.get(_spec, "rules", [])} - {r | some r in object.get(_base.spec, "rules", [])}
	count(added) > 0
}

_widened contains sprintf("now also covers %s", [lib.join_names(sort(added))]) if {
	added := {r | some r in object.get(_spec, "artifacts", [])} - {r | some r in object.get(_base.spec, "artifacts", [])}
	count(added) > 0
}

_widened contains sprintf("expiry moved from %s to %s", [_base.spec.expires, _spec.expires]) if {
	lib.days_between(_base.spec.expires, _spec.expires) > 0
}
