# Continual service improvement: the improvement register (metrics, their analysis, improvements).
# Source: "Continual Service Improvement Management". Improvement owners that do not resolve to a Person
# are REF rules.
package opsgate.rules.improvement

import data.opsgate.lib
import rego.v1

kinds := {"ImprovementRegister"}

_csi := "Continual Service Improvement Management"

_a := lib.subject(kinds)

_spec := _a.spec if _a.kind == "ImprovementRegister"

_metrics := object.get(_spec, "metrics", [])

_improvements := object.get(_spec, "improvements", [])

_metric_ids := {m.id | some m in _metrics; is_string(m.id)}

_label(obj, i) := obj.id if {
	is_string(obj.id)
	obj.id != ""
} else := sprintf("#%d", [i])

# --- Framework, process, metrics -----------------------------------------------------------------

metadata["CSI-001"] := {
	"title": "Register names the improvement framework or standard adopted",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [
		_csi,
		": \"You can use various tools and standards to monitor performance. One example is the ITIL framework. The ",
		"organization should adopt and utilize one or more of these tools.\"",
	]),
	"rationale": concat(" ", [
		"A named framework (e.g. ITIL) gives the improvement work a shared method and vocabulary that can be audited",
		"against.",
	]),
	"remediation": concat(" ", [
		"Fill in spec.framework with the framework(s) or standard(s) adopted, e.g. \"ITIL 4 continual improvement",
		"model\".",
	]),
	"frameworks": {"itil4": ["Continual improvement"]},
}

deny contains lib.finding("CSI-001",
	"/spec/framework", "register names no framework or standard adopted for improvement") if {
	lib.missing(_spec, "framework")
}

metadata["CSI-002"] := {
	"title": "Register describes the formal improvement process",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [
		_csi,
		": \"Metrics ... should be collected and analyzed to find areas of improvement using a formal process.\"",
	]),
	"rationale": concat(" ", [
		"Without a defined process (who collects, how often, who analyses and decides) improvement depends on",
		"chance.",
	]),
	"remediation": "Describe in spec.process how metrics are collected and analysed and how improvements are decided.",
	"frameworks": {"nist_800_53": ["PM-6"], "itil4": ["Continual improvement", "Measurement and reporting"]},
}

deny contains lib.finding("CSI-002", "/spec/process", "register does not describe the improvement process") if {
	lib.missing(_spec, "process")
}

metadata["CSI-003"] := {
	"title": "Register defines metrics",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": \"Metrics on all services and processes should be collected\""]),
	"rationale": "Without metrics there is nothing to analyse and improvement has no evidence.",
	"remediation": "Add the metrics of the services and processes to spec.metrics.",
	"frameworks": {"nist_800_53": ["PM-6"], "itil4": ["Measurement and reporting", "Continual improvement"]},
}

deny contains lib.finding("CSI-003", "/spec/metrics", "register defines no metrics") if {
	lib.missing(_spec, "metrics")
}

metadata["CSI-004"] := {
	"title": "Each metric has an id, a name and the service or process it measures",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": \"Metrics on all services and processes\""]),
	"rationale": "A metric must say what it measures and where, and needs an id so improvements can refer to it.",
	"remediation": "Fill in id, name and area (the service or process measured) for the metric in spec.metrics.",
	"frameworks": {"nist_800_53": ["PM-6"], "itil4": ["Measurement and reporting"]},
}

deny contains lib.finding("CSI-004", sprintf("/spec/metrics/%d", [i]), msg) if {
	some i, m in _metrics
	lacking := lib.lacks(m, ["id", "name", "area"])
	msg := sprintf("metric `%s` lacks %s", [_label(m, i), lacking])
}

metadata["CSI-005"] := {
	"title": "Each metric has a target",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": metrics \"analyzed to find areas of improvement\""]),
	"rationale": concat(" ", [
		"Without a target a measurement cannot be judged good or bad, so no area of improvement can be found from",
		"it.",
	]),
	"remediation": concat(" ", [
		"Set target on the metric: a number (to be reached or exceeded), a comparison such as \"<= 4\" or \">= 99.9\", or",
		"the expected text.",
	]),
	"frameworks": {"nist_800_53": ["PM-6"], "itil4": ["Measurement and reporting", "Service level management"]},
}

deny contains lib.finding("CSI-005", sprintf("/spec/metrics/%d/target", [i]), msg) if {
	some i, m in _metrics
	lib.missing(m, "target")
	msg := sprintf("metric `%s` has no target", [_label(m, i)])
}

metadata["CSI-006"] := {
	"title": "Each metric has collected measurements",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": \"Metrics on all services and processes should be collected\""]),
	"rationale": "A metric that is defined but never collected gives the analysis nothing to work on.",
	"remediation": "Record measurements in the metric's collected list, each with period and value.",
	"frameworks": {"nist_800_53": ["PM-6", "CA-7"], "itil4": ["Measurement and reporting"]},
}

deny contains lib.finding("CSI-006", sprintf("/spec/metrics/%d/collected", [i]), msg) if {
	some i, m in _metrics
	lib.missing(m, "collected")
	msg := sprintf("metric `%s` has no collected measurement", [_label(m, i)])
}

deny contains lib.finding("CSI-006", sprintf("/spec/metrics/%d/collected/%d", [i, j]), msg) if {
	some i, m in _metrics
	some j, c in object.get(m, "collected", [])
	lacking := lib.lacks(c, ["period", "value"])
	msg := sprintf("measurement #%d of metric `%s` lacks %s", [j, _label(m, i), lacking])
}

# --- Analysis ------------------------------------------------------------------------------------

# A metric is due for analysis once something has been collected.
_collected(m) if lib.present(m, "collected")

metadata["CSI-007"] := {
	"title": "Each collected metric is analysed within the analysis interval",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": \"Metrics ... should be collected and analyzed to find areas of improvement\""]),
	"rationale": concat(" ", [
		"Collected data that nobody analyses finds no area of improvement; stale analysis misses recent",
		"degradation.",
	]),
	"remediation": concat(" ", [
		"Analyse the metric and record analysed_on (at most analysis_interval_days before the evaluation date) and the",
		"conclusion in analysis.",
	]),
	"frameworks": {"nist_800_53": ["PM-6", "CA-7"], "itil4": ["Continual improvement", "Measurement and reporting"]},
}

deny contains lib.finding("CSI-007", sprintf("/spec/metrics/%d/analysed_on", [i]), msg) if {
	some i, m in _metrics
	_collected(m)
	lib.missing(m, "analysed_on")
	msg := sprintf("metric `%s` has collected data but was never analysed", [_label(m, i)])
}

deny contains lib.finding("CSI-007", sprintf("/spec/metrics/%d/analysed_on", [i]), msg) if {
	some i, m in _metrics
	_collected(m)
	is_string(m.analysed_on)
	age := lib.days_between(m.analysed_on, input.as_of)
	age > lib.param("analysis_interval_days")
	msg := sprintf(
		"metric `%s` was last analysed on %s, %d days ago (limit %d)",
		[_label(m, i), m.analysed_on, age, lib.param("analysis_interval_days")],
	)
}

deny contains lib.finding("CSI-007", sprintf("/spec/metrics/%d/analysis", [i]), msg) if {
	some i, m in _metrics
	_collected(m)
	lib.present(m, "analysed_on")
	lib.missing(m, "analysis")
	msg := sprintf("metric `%s` records an analysis date but no analysis", [_label(m, i)])
}

# --- Collection recency --------------------------------------------------------------------------

_day := `[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])`

_parse_day(d) := time.parse_ns("2006-01-02", d)

# The last day of a period, in ns. Forms: a date; an interval ending in a date; a month; a quarter; a
# half-year; a year. Other forms are not understood (undefined).
_period_end(p) := _parse_day(substring(p, count(p) - 10, 10)) if {
	regex.match(concat("", ["^(", _day, "(/|\\.\\.))?", _day, "$"]), p)
}

_period_end(p) := time.add_date(_parse_day(concat("", [p, "-01"])), 0, 1, 0) - lib.ns_per_day if {
	regex.match(`^[0-9]{4}-(0[1-9]|1[0-2])$`, p)
}

_period_end(p) := time.add_date(
	_parse_day(concat("", [substring(p, 0, 4), "-", start, "-01"])),
	0,
	3,
	0,
) - lib.ns_per_day if {
	regex.match(`^[0-9]{4}[- ]?[Qq][1-4]$`, p)
	start := {"1": "01", "2": "04", "3": "07", "4": "10"}[substring(p, count(p) - 1, 1)]
}

_period_end(p) := time.add_date(
	_parse_day(concat("", [substring(p, 0, 4), "-", start, "-01"])),
	0,
	6,
	0,
) - lib.ns_per_day if {
	regex.match(`^[0-9]{4}[- ]?[Hh][12]$`, p)
	start := {"1": "01", "2": "07"}[substring(p, count(p) - 1, 1)]
}

_period_end(p) := _parse_day(concat("", [p, "-12-31"])) if {
	regex.match(`^[0-9]{4}$`, p)
}

# `is_number(end)` changes nothing here (a period end is a number of nanoseconds) but keeps the
# compiled engine from adding an undefined element for a period it cannot read
# (docs/engine-differences.md).
_period_ends(m) := [end |
	some c in object.get(m, "collected", [])
	is_string(c.period)
	end := _period_end(trim_space(c.period))
	is_number(end)
]

metadata["CSI-008"] := {
	"title": "Metric collection is current",
	"severity": "warning",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": metrics \"should be collected\" (on an ongoing basis, to monitor performance)"]),
	"rationale": concat(" ", [
		"If the latest collected period ended long ago, collection has stopped and analysis works on outdated",
		"data.",
	]),
	"remediation": concat(" ", [
		"Collect the metric for recent periods. Periods are read as YYYY-MM-DD, an interval ending in a date",
		"(YYYY-MM-DD/YYYY-MM-DD or ..), YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY; the latest must end at most",
		"analysis_interval_days before the evaluation date.",
	]),
	"frameworks": {"nist_800_53": ["CA-7"], "itil4": ["Measurement and reporting"]},
}

deny contains lib.finding("CSI-008", sprintf("/spec/metrics/%d/collected", [i]), msg) if {
	some i, m in _metrics
	_collected(m)
	count(_period_ends(m)) == 0
	msg := sprintf(
		"no collected period of metric `%s` is in a recognised form, so its recency cannot be established",
		[_label(m, i)],
	)
}

deny contains lib.finding("CSI-008", sprintf("/spec/metrics/%d/collected", [i]), msg) if {
	some i, m in _metrics
	ends := _period_ends(m)
	count(ends) > 0
	age := (_parse_day(input.as_of) - max(ends)) / lib.ns_per_day
	age > lib.param("analysis_interval_days")
	msg := sprintf(
		"latest collected period of metric `%s` ended %d days ago (limit %d)",
		[_label(m, i), age, lib.param("analysis_interval_days")],
	)
}

# --- Targets and improvements --------------------------------------------------------------------

_number_re := `^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`

# A number, or a string holding one (surrounding spaces and a trailing % ignored).
_num(x) := x if is_number(x)

_num(x) := to_number(s) if {
	is_string(x)
	s := trim_space(trim_suffix(trim_space(x), "%"))
	regex.match(_number_re, s)
}

_operator_re := `^(>=|<=|==|=|>|<)`

# A numeric target as [operator, bound]; a plain number must be reached or exceeded.
_numeric_target(t) := [">=", t] if is_number(t)

_numeric_target(t) := [_norm_op[op], n] if {
	is_string(t)
	s := trim_space(t)
	ops := regex.find_n(_operator_re, s, 1)
	count(ops) == 1
	op := ops[0]
	n := _num(trim_prefix(s, op))
}

_numeric_target(t) := [">=", n] if {
	is_string(t)
	not regex.match(_operator_re, trim_space(t))
	n := _num(t)
}

_norm_op := {">=": ">=", "<=": "<=", "==": "==", "=": "==", ">": ">", "<": "<"}

_meets(">=", v, n) if v >= n

_meets("<=", v, n) if v <= n

_meets("==", v, n) if v == n

_meets(">", v, n) if v > n

_meets("<", v, n) if v < n

_missed(target, value) if {
	[op, n] := _numeric_target(target)
	v := _num(value)
	is_number(v) # (always true here; the compiled engine needs it: docs/engine-differences.md)
	not _meets(op, v, n)
}

_missed(target, value) if {
	is_string(target)
	not _numeric_target(target)
	is_string(value)
	lower(trim_space(value)) != lower(trim_space(target))
}

_improved contains imp.metric if {
	some imp in _improvements
	is_string(imp.metric)
}

metadata["CSI-009"] := {
	"title": "Metric that misses its target has an improvement",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": metrics \"analyzed to find areas of improvement using a formal process\""]),
	"rationale": concat(" ", [
		"A missed target is an identified area of improvement; without a recorded improvement it is noted and",
		"forgotten.",
	]),
	"remediation": concat(" ", [
		"Add an improvement to spec.improvements whose metric is the metric's id. The latest collected value (last entry of",
		"collected) is compared with the target: a plain number must be reached or exceeded, \">= n\", \"> n\", \"<= n\",",
		"\"< n\", \"= n\" compare as written (a trailing % is ignored), any other text must equal the value",
		"(case-insensitive).",
	]),
	"frameworks": {"nist_800_53": ["CA-5", "PM-4"], "itil4": ["Continual improvement"]},
}

deny contains lib.finding("CSI-009", sprintf("/spec/metrics/%d", [i]), msg) if {
	some i, m in _metrics
	is_string(m.id)
	collected := object.get(m, "collected", [])
	count(collected) > 0
	latest := collected[count(collected) - 1]
	_missed(object.get(m, "target", null), object.get(latest, "value", null))
	not _improved[m.id]
	msg := sprintf(
		"metric `%s` misses its target `%v` with `%v` (period %v) and no improvement refers to it",
		[m.id, m.target, latest.value, object.get(latest, "period", "?")],
	)
}

metadata["CSI-010"] := {
	"title": "Each improvement is described, owned, tracked and scheduled",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": \"find areas of improvement using a formal process\""]),
	"rationale": "An improvement without an owner and a due date is a wish, not a commitment anyone can be held to.",
	"remediation": "Fill in id, description, owner, status and due for the improvement in spec.improvements.",
	"frameworks": {"nist_800_53": ["CA-5", "PM-4"], "itil4": ["Continual improvement"]},
}

deny contains lib.finding("CSI-010", sprintf("/spec/improvements/%d", [i]), msg) if {
	some i, imp in _improvements
	lacking := lib.lacks(imp, ["id", "description", "owner", "status", "due"])
	msg := sprintf("improvement `%s` lacks %s", [_label(imp, i), lacking])
}

metadata["CSI-011"] := {
	"title": "Open improvement is not past its due date",
	"severity": "warning",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": \"find areas of improvement using a formal process\""]),
	"rationale": "Overdue improvements show the process has stalled; they need to be completed or re-planned.",
	"remediation": "Complete the improvement (status: done) or agree and record a new due date.",
	"frameworks": {"nist_800_53": ["CA-5"], "itil4": ["Continual improvement"]},
}

deny contains lib.finding("CSI-011", sprintf("/spec/improvements/%d/due", [i]), msg) if {
	some i, imp in _improvements
	object.get(imp, "status", "") != "done"
	is_string(imp.due)
	overdue := lib.days_between(imp.due, input.as_of)
	overdue > 0
	msg := sprintf(
		"improvement `%s` is `%v` and was due on %s, %d days ago",
		[_label(imp, i), object.get(imp, "status", "without status"), imp.due, overdue],
	)
}

metadata["CSI-012"] := {
	"title": "Improvement refers to a metric of the register",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": metrics \"analyzed to find areas of improvement\""]),
	"rationale": "An improvement tied to a metric that does not exist cannot show whether it worked.",
	"remediation": "Set the improvement's metric to the id of a metric in spec.metrics, or add the metric.",
	"frameworks": {"itil4": ["Continual improvement", "Measurement and reporting"]},
}

deny contains lib.finding("CSI-012", sprintf("/spec/improvements/%d/metric", [i]), msg) if {
	some i, imp in _improvements
	is_string(imp.metric)
	imp.metric != ""
	not imp.metric in _metric_ids
	msg := sprintf(
		"improvement `%s` refers to metric `%s`, which the register does not define",
		[_label(imp, i), imp.metric],
	)
}

metadata["CSI-013"] := {
	"title": "Metric and improvement ids are unique within the register",
	"severity": "error",
	"area": "improvement",
	"kinds": ["ImprovementRegister"],
	"source": concat("", [_csi, ": \"using a formal process\""]),
	"rationale": "Duplicate ids make references from improvements to metrics ambiguous and reports double-count.",
	"remediation": "Give each metric and each improvement of the register its own id.",
	"frameworks": {"itil4": ["Continual improvement"]},
}

deny contains lib.finding("CSI-013", sprintf("/spec/metrics/%d/id", [i]), msg) if {
	some i, m in _metrics
	is_string(m.id)
	first := min([j | some j, other in _metrics; other.id == m.id])
	first < i
	msg := sprintf("metric id `%s` is already used by metric #%d", [m.id, first])
}

deny contains lib.finding("CSI-013", sprintf("/spec/improvements/%d/id", [i]), msg) if {
	some i, imp in _improvements
	is_string(imp.id)
	first := min([j | some j, other in _improvements; other.id == imp.id])
	first < i
	msg := sprintf("improvement id `%s` is already used by improvement #%d", [imp.id, first])
}
