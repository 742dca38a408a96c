# Helpers shared by every rule package. Portable Rego v1: runs in regorus (opsgate) and in OPA.
package opsgate.lib

import rego.v1

ns_per_day := ((24 * 60) * 60) * 1000000000

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

# An artifact of the inventory, by kind and id.
artifact(kind, id) := data.inventory[kind][id]

# The person record for a Person id.
person(id) := data.inventory.Person[id]

# A finding; `pointer` is a JSON pointer into the artifact under evaluation.
finding(code, pointer, message) := {"code": code, "pointer": pointer, "message": message}

finding_with(code, pointer, message, related) := {"code": code, "pointer": pointer, "message": message, "related": related}

param(name) := data.params[name]

# The fields of `names` that `obj` lacks (absent or blank), in the order given.
missing_fields(obj, names) := [name | some name in names; not name in filled] if {
	is_object(obj)
	filled := {key | some key, value in obj; not value in _blank_values}
} else := names

# "a, b and c"
join_names(names) := concat(", ", [sprintf("`%s`", [n]) | some n in names])

# The whole-inventory indexes of package opsgate.index: precomputed once per run by opsgate (and
# by any driver that wants linear time), computed on demand otherwise.
index := data.precomputed_index if {
	data.precomputed_index
} else := data.opsgate.index

# index[name][key], or [] when the index or the key has no entry.
lookup(name, key) := object.get(object.get(index, name, {}), key, [])

# The members of a set-valued index (empty when nothing qualifies).
indexed(name) := object.get(index, name, set())
