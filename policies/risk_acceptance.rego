# Risk acceptances (waivers): a finding may be accepted knowingly, never silently.
# Source: "Change Management Objectives", item 6.
package opsgate.rules.risk_acceptance

import data.opsgate.lib
import rego.v1

kinds := {"RiskAcceptance"}

_src := concat(" ", [
	"Change Management Objectives, item 6: \"sometimes it is appropriate to knowingly accept a risk because of the",
	"potential benefit.\"",
])

_fw := {"iso27001": ["A.5.8"], "nist_800_53": ["RA-3", "PM-9"], "itil4": ["Risk management"]}

_a := lib.subject(kinds)

_spec := _a.spec

_approved if lib.is_approved(_spec.approval)

metadata["RSK-001"] := {
	"title": "Risk acceptance has not expired",
	"severity": "error",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": _src,
	"rationale": concat(" ", [
		"An expired acceptance no longer waives anything: the risk it covered is back without anyone deciding",
		"so.",
	]),
	"remediation": "Fix what the acceptance covered, or renew it with a new approval and expiry date.",
	"frameworks": _fw,
}

deny contains lib.finding("RSK-001", "/spec/expires", msg) if {
	lib.days_between(input.as_of, _spec.expires) < 0
	msg := sprintf("expired on %s; the findings it covered are no longer waived", [_spec.expires])
}

metadata["RSK-002"] := {
	"title": "Risk acceptance is not about to expire",
	"severity": "warning",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": _src,
	"rationale": concat(" ", [
		"An acceptance that lapses unnoticed turns into failing checks on the day it expires; the lead time gives the owner",
		"a chance to act.",
	]),
	"remediation": "Plan the fix or a renewal before spec.expires (the lead time is the `waiver_warning_days` parameter).",
	"frameworks": _fw,
}

deny contains lib.finding("RSK-002", "/spec/expires", msg) if {
	left := lib.days_between(input.as_of, _spec.expires)
	left >= 0
	left <= lib.param("waiver_warning_days")
	msg := sprintf("expires on %s, in %d days", [_spec.expires, left])
}

metadata["RSK-003"] := {
	"title": "Risk acceptance is approved",
	"severity": "error",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": _src,
	"rationale": concat(" ", [
		"Accepting a risk \"knowingly\" means someone accountable decided it; without an approval it is only a wish and",
		"waives nothing.",
	]),
	"remediation": "Record spec.approval with approver, role, date and decision: approved.",
	"frameworks": _fw,
}

deny contains lib.finding("RSK-003", "/spec/approval", "the acceptance has no approval with decision `approved`") if {
	is_object(_a)
	not _approved
}

metadata["RSK-004"] := {
	"title": "Risk owner does not approve their own acceptance",
	"severity": "error",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": _src,
	"rationale": concat(" ", [
		"Separation of duties: the person carrying the risk is not an independent judge of whether it is",
		"acceptable.",
	]),
	"remediation": "Have someone other than spec.risk_owner approve the acceptance.",
	"frameworks": {"iso27001": ["A.5.3", "A.5.8"], "nist_800_53": ["AC-5", "RA-3"], "itil4": ["Risk management"]},
}

deny contains lib.finding("RSK-004", "/spec/approval/approver", msg) if {
	_approved
	_spec.approval.approver == _spec.risk_owner
	msg := sprintf("approved by `%s`, who is also the risk owner", [_spec.risk_owner])
}

metadata["RSK-005"] := {
	"title": "Owner of a waived artifact does not approve the acceptance",
	"severity": "error",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": _src,
	"rationale": "An owner who waives findings on their own document grades their own work.",
	"remediation": "Have someone other than the owners of the artifacts in spec.artifacts approve the acceptance.",
	"frameworks": {"iso27001": ["A.5.3", "A.5.8"], "nist_800_53": ["AC-5", "RA-3"], "itil4": ["Risk management"]},
}

deny contains lib.finding_with("RSK-005", "/spec/approval/approver", msg, [id]) if {
	_approved
	some entry in object.get(_spec, "artifacts", [])
	some [kind, id] in _owned_by_approver(entry)
	msg := sprintf("approved by `%s`, who owns the waived %s `%s`", [_spec.approval.approver, kind, id])
}

# The artifacts an entry of spec.artifacts names — an exact id (one lookup per kind) or a glob
# (`CHG-2026-*`, matched as the waiver engine matches it) — that the approver owns: a glob must
# not let an owner approve what an exact id would not.
_owned_by_approver(entry) := {[kind, entry] |
	some kind, ids in data.inventory
	ids[entry].metadata.owner == _spec.approval.approver
} if not _is_glob(entry)

_owned_by_approver(entry) := {[kind, id] |
	some kind, ids in data.inventory
	some id, doc in ids
	doc.metadata.owner == _spec.approval.approver
	glob.match(entry, [], id)
} if _is_glob(entry)

_is_glob(entry) if {
	is_string(entry)
	regex.match(`[*?]`, entry)
}

metadata["RSK-006"] := {
	"title": "Risk acceptance is time-limited",
	"severity": "error",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": _src,
	"rationale": "An acceptance without a near expiry becomes a permanent exception that nobody revisits.",
	"remediation": "Set spec.expires no later than `waiver_max_days` (default 365) after the approval date.",
	"frameworks": _fw,
}

deny contains lib.finding("RSK-006", "/spec/expires", msg) if {
	_approved
	span := lib.days_between(_spec.approval.date, _spec.expires)
	span > lib.param("waiver_max_days")
	msg := sprintf("expires %d days after its approval; the maximum is %d", [span, lib.param("waiver_max_days")])
}

metadata["RSK-007"] := {
	"title": "Risk acceptance states what, why and who",
	"severity": "error",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": _src,
	"rationale": concat(" ", [
		"Auditors and reviewers must see which rules and artifacts are waived, why the benefit outweighs the risk, and who",
		"carries it.",
	]),
	"remediation": "Fill in spec.rules, spec.artifacts, spec.justification and spec.risk_owner.",
	"frameworks": _fw,
}

deny contains lib.finding("RSK-007", "/spec", msg) if {
	lacking := lib.lacks(_spec, ["rules", "artifacts", "justification", "risk_owner"])
	msg := sprintf("the acceptance lacks %s", [lacking])
}
