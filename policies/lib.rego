# Helpers shared by every rule package. Portable Rego v1: runs in regorus (opsgate) and in OPA.
package opsgate.lib

import rego.v1

ns_per_day := ((24 * 60) * 60) * 1000000000

ns_per_hour := (60 * 60) * 1000000000

# "1 day", "12 days": a number of days in a message.
days_text(1) := "1 day"

days_text(n) := sprintf("%d days", [n]) if n != 1

# The date part of a date or an RFC 3339 timestamp.
date_of(value) := substring(value, 0, 10) if is_string(value)

# Whole days from date `a` to date `b` (negative when b is earlier).
days_between(a, b) := (time.parse_ns("2006-01-02", date_of(b)) - time.parse_ns("2006-01-02", date_of(a))) / ns_per_day

# `value` is absent, null, an empty string, an empty list or an empty object.
blank(value) if value == null
blank(value) if value == ""
blank(value) if value == []
blank(value) if value == {}

# Spelled out rather than `not blank(value)`: it runs for most fields of every artifact, and each
# function call costs an evaluation of its own.
present(obj, key) if {
	value := obj[key]
	value != null
	value != ""
	value != []
	value != {}
}

missing(obj, key) if not is_object(obj)

missing(obj, key) if object.get(obj, key, null) in _blank_values

_blank_values := {null, "", [], {}}

# The list `obj[key]`, or [] when `obj` is not an object or the value is absent or not a list.
# Whole-inventory joins read artifacts the schema stage may not have looked at (the git gates
# validate only what a change touches), so they never iterate a value of the wrong type.
items(obj, key) := value if {
	value := object.get(obj, key, [])
	is_array(value)
} else := []

# Approvals with decision `approved`.
approved_approvals(approvals) := [a | some a in approvals; a.decision == "approved"]

is_approved(approval) if approval.decision == "approved"

# The latest approved date of a list of approvals.
latest_approval_date(approvals) := max([a.date | some a in approvals; a.decision == "approved"; is_string(a.date)])

# The order of each record kind's lifecycle (`spec.status`). A release's failed, rolled_back and
# closed all come after a deployment attempt.
lifecycle := {
	"ChangeRecord": {
		"draft": 0, "submitted": 1, "assessed": 2, "authorized": 3,
		"scheduled": 4, "implemented": 5, "reviewed": 6, "closed": 7,
	},
	"ProblemRecord": {"logged": 0, "investigating": 1, "known_error": 2, "resolved": 3, "closed": 4},
	"ReleaseRecord": {
		"planned": 0, "built": 1, "tested": 2, "approved": 3,
		"deployed": 4, "failed": 5, "rolled_back": 5, "closed": 6,
	},
}

# The record `doc` is at `status` or later in its kind's lifecycle.
reached(doc, status) if lifecycle[doc.kind][doc.spec.status] >= lifecycle[doc.kind][status]

# An artifact of the inventory, by kind and id.
artifact(kind, id) := data.inventory[kind][id]

# The person record for a Person id.
person(id) := data.inventory.Person[id]

# The artifact under evaluation when its kind is one of `kinds`, else undefined: every rules
# package's kind guard (`_a := lib.subject(kinds)`, and every rule reads the artifact through `_a`).
# opsgate evaluates a package only on its `kinds`; plain OPA and conftest evaluate every package on
# every document, and find the same because of this guard.
subject(kinds) := input.artifact if input.artifact.kind in kinds

# A finding; `pointer` is a JSON pointer into the artifact under evaluation.
finding(code, pointer, message) := {"code": code, "pointer": pointer, "message": message}

finding_with(code, pointer, message, related) := {
	"code": code,
	"pointer": pointer,
	"message": message,
	"related": related,
}

param(name) := data.params[name]

# The fields of `names` that `obj` lacks (absent or blank), in the order given.
missing_fields(obj, names) := [name | some name in names; not name in filled] if {
	is_object(obj)
	filled := {key | some key, value in obj; not value in _blank_values}
} else := names

# The fields of `names` that `obj` lacks, as `a`, `b` for a message; undefined when it lacks none.
# The one form of the "record lacks fields" rules: `lacking := lib.lacks(obj, [...])`.
lacks(obj, names) := join_names(missing) if {
	missing := missing_fields(obj, names)
	count(missing) > 0
}

# "a, b and c"
join_names(names) := concat(", ", [sprintf("`%s`", [n]) | some n in names])

# The whole-inventory indexes of package opsgate.index: precomputed once per run by opsgate (and
# by any driver that wants linear time), computed on demand otherwise.
# (`all`, not the package itself: only `all` holds `reference_patterns`, the reference table; without
# it every reference looked unlisted, and REF-001/002 and `opsgate graph` saw none.)
index := data.precomputed_index if {
	data.precomputed_index
} else := data.opsgate.index.all

# index[name][key], or [] when the index or the key has no entry.
lookup(name, key) := object.get(object.get(index, name, {}), key, [])

# The members of a set-valued index (empty when nothing qualifies).
indexed(name) := object.get(index, name, set())

# --- Change authorization, shared by the change, release, configuration and agreement rules ----
# A normal change is authorized by an approval of its own; a standard change by the approved change
# model it runs under (ITIL 4 "Change enablement": standard changes are pre-authorized); an
# emergency change by the emergency change authority's decision, with the written approval following
# within a window (CHG-020 checks the window).

# The change model (spec.change_models entry of the change-management ProcessPolicy) a standard
# change references.
change_model(change) := model if {
	ref := change.spec.change_model
	policy := data.inventory.ProcessPolicy[ref.policy]
	policy.spec.process == "change_management"
	some model in items(policy.spec, "change_models")
	model.id == ref.model
}

# The standard change's model exists and the change authority approved it.
pre_authorized(change) if {
	change.spec.type == "standard"
	is_approved(change_model(change).approval)
}

# The emergency change authority's decision is recorded.
emergency_authorized(change) if {
	change.spec.type == "emergency"
	emergency := change.spec.emergency
	is_string(emergency.authorized_by)
	is_string(emergency.authorized_at)
}

change_authorized(change) if count(approved_approvals(items(change.spec, "approvals"))) > 0

change_authorized(change) if pre_authorized(change)

change_authorized(change) if emergency_authorized(change)

# The date from which the change counts as authorized: its model's approval (standard), the
# emergency decision (emergency), else its latest approval.
authorization_date(change) := change_model(change).approval.date if pre_authorized(change)

else := date_of(change.spec.emergency.authorized_at) if emergency_authorized(change)

else := latest_approval_date(items(change.spec, "approvals"))

# A number rounded to two decimals, for messages (127.60000000000001 → 127.6).
round2(x) := round(x * 100) / 100

# Whether an id matches an entry of a RiskAcceptance's spec.artifacts (an id or a glob such as
# `CHG-2026-*`, matched as opsgate's waivers match it: `*` and `?` within an id).
covers(entry, id) if entry == id

covers(entry, id) if {
	contains(entry, "*")
	glob.match(entry, [], id)
}

covers(entry, id) if {
	contains(entry, "?")
	glob.match(entry, [], id)
}

# Evidence dated after the evaluation date is not evidence (a test "passed" tomorrow).
future(date) if days_between(input.as_of, date) > 0

# What keeps a review from being a legal approval: the reviewer is not in the legal function
# (Person spec.function), or the decision does not approve the text.
legal_review_problems(review) := {p | p := _function_problem(review)} | {p | p := _decision_problem(review)}

_function_problem(review) := sprintf(
	"reviewer `%s` is not in the legal function (Person spec.function is %s)",
	[review.reviewer, _function_text(review.reviewer)],
) if {
	is_string(review.reviewer)
	object.get(object.get(_person_or_empty(review.reviewer), "spec", {}), "function", null) != "legal"
}

_decision_problem(review) := sprintf("its decision is %s, not an approval", [_decision_text(review)]) if {
	is_object(review)
	not object.get(review, "decision", null) in {"approved", "approved_with_changes"}
}

# A person's record, or one with an empty spec when the id names no person (REF-001 reports that).
_person_or_empty(id) := object.get(object.get(data.inventory, "Person", {}), id, {"spec": {}})

_function_text(id) := sprintf("`%s`", [person(id).spec.function]) if is_string(person(id).spec.function)

else := "not recorded"

_decision_text(review) := sprintf("`%s`", [review.decision]) if is_string(review.decision)

else := "not recorded"
