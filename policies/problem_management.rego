# Problem management as a process: the tracking system, its trend metrics and the classification
# criteria, documented in the incident management plan (the source ties the two processes together:
# "It's important to understand the linkage between the incident and problem management").
# Source: "Problem Management". Problem records themselves are problem.rego.
package opsgate.rules.problem_management

import data.opsgate.lib
import rego.v1

kinds := {"IncidentManagementPlan"}

_src := "Problem Management"

_a := lib.subject(kinds)

_pm := object.get(_a.spec, "problem_management", {})

metadata["PRB-012"] := {
	"title": "Problem tracking gathers trend metrics",
	"severity": "error",
	"area": "problem",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [
		_src,
		": \"you need to ensure there is a tracking system established to track and monitor all system-related problems. ",
		"The system should gather metrics to identify possible trends.\"",
	]),
	"rationale": concat(" ", [
		"Problems are \"often identified as a result of multiple similar incidents\"; without a tracking system that gathers",
		"trend metrics, the pattern is only seen by whoever happens to remember the last incidents.",
	]),
	"remediation": concat(" ", [
		"Fill in spec.problem_management.tracking_system and trend_metrics (e.g. incidents per category and month, incidents",
		"per known error).",
	]),
	"frameworks": {
		"iso27001": ["A.5.27"],
		"nist_800_53": ["IR-5", "IR-4(1)"],
		"cis_v8": ["17.8"],
		"itil4": ["Problem management", "Measurement and reporting"],
	},
}

deny contains lib.finding("PRB-012", "/spec/problem_management", msg) if {
	lacking := lib.lacks(_pm, ["tracking_system", "trend_metrics"])
	msg := sprintf("problem management lacks %s", [lacking])
}

metadata["PRB-013"] := {
	"title": "Minor and major problem criteria are documented and agreed",
	"severity": "error",
	"area": "problem",
	"kinds": ["IncidentManagementPlan"],
	"source": concat("", [
		_src,
		": \"Problems can be classified as minor or major depending on several criteria. Work with the organization and the ",
		"customers to ensure that the correct criteria are used ... and that these criteria are well documented and ",
		"understood by parties to the system\"",
	]),
	"rationale": concat(" ", [
		"PRB-002 asks every problem for a minor/major classification; it means something only against written criteria that",
		"the organisation and its customers agreed to.",
	]),
	"remediation": concat(" ", [
		"Describe spec.problem_management.classification_criteria.minor and .major, and list in agreed_with the parties",
		"(organisation and customers) who agreed them.",
	]),
	"frameworks": {"iso27001": ["A.5.27"], "itil4": ["Problem management", "Relationship management"]},
}

deny contains lib.finding("PRB-013", "/spec/problem_management", msg) if {
	missing := array.concat(
		[sprintf("classification_criteria.%s", [c]) | some c in ["minor", "major"]; lib.missing(
			object.get(_pm, "classification_criteria", {}),
			c,
		)],
		[f | some f in ["agreed_with"]; lib.missing(_pm, f)],
	)
	count(missing) > 0
	msg := sprintf("problem classification lacks %s", [lib.join_names(missing)])
}
