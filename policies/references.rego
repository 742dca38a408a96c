# The reference graph: every id an artifact names must exist and be of the right kind, and CI
# relationships must not loop back on themselves.
# Source: "How Management Processes Relate to Each Other" — the processes form "the mutually
# reinforcing web" (Configuration Management) only if their links resolve.
package opsgate.rules.references

import data.opsgate.lib
import rego.v1

_web := concat(" ", [
	"Configuration Management: lateral ties between the management areas \"form the basis for the mutually reinforcing",
	"web\"; How Management Processes Relate to Each Other",
])

# Fields that hold ids, as [kind ("*" = every kind), path pattern ("*" = any list index or key), expected kinds].
_refs := [
	["*", ["metadata", "owner"], {"Person"}],
	["InformationSecurityPlan", ["spec", "approval", "approver"], {"Person"}],
	["InformationSecurityPlan", ["spec", "areas", "*", "owner"], {"Person"}],
	["SecurityBaseline", ["spec", "approval", "approver"], {"Person"}],
	["Service", ["spec", "cis", "*"], {"ConfigurationItem"}],
	["ConfigurationItem", ["spec", "service"], {"Service"}],
	["ConfigurationItem", ["spec", "baseline"], {"SecurityBaseline"}],
	["ConfigurationItem", ["spec", "relationships", "*", "target"], {"ConfigurationItem"}],
	["ConfigurationItem", ["spec", "last_change"], {"ChangeRecord"}],
	["ConfigurationItem", ["spec", "last_release"], {"ReleaseRecord"}],
	["ProcessPolicy", ["spec", "approval", "approver"], {"Person"}],
	["ProcessPolicy", ["spec", "topics", "*", "owner"], {"Person"}],
	["ProcessPolicy", ["spec", "change_models", "*", "approval", "approver"], {"Person"}],
	["ChangeRecord", ["spec", "requested_by"], {"Person"}],
	["ChangeRecord", ["spec", "affected_cis", "*"], {"ConfigurationItem"}],
	["ChangeRecord", ["spec", "affected_services", "*"], {"Service"}],
	["ChangeRecord", ["spec", "affected_agreements", "*"], {"ServiceLevelAgreement"}],
	["ChangeRecord", ["spec", "risk", "accepted_risks", "*"], {"RiskAcceptance"}],
	["ChangeRecord", ["spec", "evaluation", "evaluated_by"], {"Person"}],
	["ChangeRecord", ["spec", "approvals", "*", "approver"], {"Person"}],
	["ChangeRecord", ["spec", "implementation", "implemented_by"], {"Person"}],
	["ChangeRecord", ["spec", "review", "reviewer"], {"Person"}],
	["ChangeRecord", ["spec", "change_model", "policy"], {"ProcessPolicy"}],
	["ChangeRecord", ["spec", "emergency", "authorized_by"], {"Person"}],
	["ControlImplementation", ["spec", "plan", "approval", "approver"], {"Person"}],
	["ControlImplementation", ["spec", "sampling", "tests", "*", "failures", "*", "investigation"], {"IncidentRecord"}],
	["IncidentManagementPlan", ["spec", "approval", "approver"], {"Person"}],
	["IncidentManagementPlan", ["spec", "media_coordination", "contact"], {"Person"}],
	["IncidentManagementPlan", ["spec", "response_team", "members", "*", "person"], {"Person"}],
	["IncidentRecord", ["spec", "plan"], {"IncidentManagementPlan"}],
	["IncidentRecord", ["spec", "service"], {"Service"}],
	["IncidentRecord", ["spec", "affected_cis", "*"], {"ConfigurationItem"}],
	["IncidentRecord", ["spec", "assigned_to"], {"Person"}],
	["IncidentRecord", ["spec", "problem"], {"ProblemRecord"}],
	["IncidentRecord", ["spec", "release"], {"ReleaseRecord"}],
	["ProblemRecord", ["spec", "service"], {"Service"}],
	["ProblemRecord", ["spec", "incidents", "*"], {"IncidentRecord"}],
	["ProblemRecord", ["spec", "resolution", "change"], {"ChangeRecord"}],
	["ReleaseRecord", ["spec", "change"], {"ChangeRecord"}],
	["ReleaseRecord", ["spec", "deployment_plan", "agreed_by", "*"], {"Person"}],
	["ReleaseRecord", ["spec", "affected_cis", "*"], {"ConfigurationItem"}],
	["ReleaseRecord", ["spec", "affected_services", "*"], {"Service"}],
	["ReleaseRecord", ["spec", "stakeholders", "*", "person"], {"Person"}],
	["ReleaseRecord", ["spec", "post_release_monitoring", "agreement"], {"ServiceLevelAgreement"}],
	["ReleaseRecord", ["spec", "incidents", "*"], {"IncidentRecord"}],
	["ServiceLevelAgreement", ["spec", "services", "*"], {"Service"}],
	["ServiceLevelAgreement", ["spec", "targets", "*", "service"], {"Service"}],
	["ServiceLevelAgreement", ["spec", "underpinned_by", "*"], {"ServiceLevelAgreement"}],
	["ServiceLevelAgreement", ["spec", "legal_review", "reviewer"], {"Person"}],
	["ServiceLevelAgreement", ["spec", "revisions", "*", "change"], {"ChangeRecord"}],
	["ServiceLevelAgreement", ["spec", "revisions", "*", "legal_review", "reviewer"], {"Person"}],
	["AvailabilityPlan", ["spec", "agreements", "*"], {"ServiceLevelAgreement"}],
	["AvailabilityPlan", ["spec", "services", "*", "service"], {"Service"}],
	["CapacityPlan", ["spec", "services", "*"], {"Service"}],
	["CapacityPlan", ["spec", "resources", "*", "ci"], {"ConfigurationItem"}],
	["CapacityPlan", ["spec", "business_cycles", "*", "services", "*"], {"Service"}],
	["BusinessImpactAnalysis", ["spec", "approval", "approver"], {"Person"}],
	["BusinessImpactAnalysis", ["spec", "services", "*", "service"], {"Service"}],
	["ContinuityPlan", ["spec", "bia"], {"BusinessImpactAnalysis"}],
	["ContinuityPlan", ["spec", "services", "*"], {"Service"}],
	["ContinuityPlan", ["spec", "roles", "*", "person"], {"Person"}],
	["ContinuityPlan", ["spec", "recovery_objectives", "*", "service"], {"Service"}],
	["ImprovementRegister", ["spec", "improvements", "*", "owner"], {"Person"}],
	["RiskAcceptance", ["spec", "risk_owner"], {"Person"}],
	["RiskAcceptance", ["spec", "approval", "approver"], {"Person"}],
]

_a := input.artifact

# The table by kind and pattern ("spec/affected_cis/*"), so each string of an artifact is matched
# with one lookup instead of against every pattern. Part of the precomputed index: built once.
patterns[kind] := {concat("/", ref[1]): ref[2] | some ref in _refs; ref[0] == kind} if {
	some kind in {ref[0] | some ref in _refs}
}

_expected(kind, key) := lib.lookup("reference_patterns", kind)[key]

# A path as a pattern: list indexes, and the keys of the plan's areas and the policy's topics,
# become "*".
_pattern_of(path) := concat("/", [_step(path, i) | some i, _ in path])

_step(path, i) := "*" if is_number(path[i])

_step(path, i) := "*" if {
	i == 2
	path[1] in {"areas", "topics"}
}

_step(path, i) := path[i] if {
	not is_number(path[i])
	not _keyed(path, i)
}

_keyed(path, 2) if path[1] in {"areas", "topics"}

# (pointer, id, expected kinds, kinds found under that id) of the references of the artifact under
# evaluation. opsgate finds and resolves them natively from the same table and passes only those
# that do not resolve (all the rules below look at) as input.unresolved_references; other engines,
# and `opsgate graph`, walk the document and get every reference here.
_references contains [pointer, id, {k | some k in kinds}, {k | some k in found}] if {
	some [pointer, id, kinds, found] in input.unresolved_references
}

_references contains [pointer, id, expected, _kinds_of(id)] if {
	not input.unresolved_references
	walk(_a, [path, id])
	is_string(id)
	key := _pattern_of(path)
	some kind in {"*", _a.kind}

	# A set, whether the index was precomputed (JSON arrays) or computed here (sets).
	kinds := _expected(kind, key)
	expected := {k | some k in kinds}
	pointer := concat("", [sprintf("/%v", [step]) | some step in path])
}

# Risk acceptances may cover any artifact; glob patterns (`CHG-2026-*`) are selectors, not references.
_references contains [sprintf("/spec/artifacts/%d", [i]), id, {"*"}, _kinds_of(id)] if {
	_a.kind == "RiskAcceptance"
	some i, id in lib.items(_a.spec, "artifacts")
	is_string(id)
	not contains(id, "*")
	not contains(id, "?")
}

_kinds_of(id) := {kind | some kind in lib.lookup("kinds_by_id", id)}

_names(kinds) := concat(" or ", sort([k | some k in kinds]))

metadata["REF-001"] := {
	"title": "Reference resolves to an existing artifact",
	"severity": "error",
	"area": "cross_process",
	"source": _web,
	"rationale": concat(" ", [
		"A link to an artifact that does not exist (a typo, a deleted record) silently breaks every rule that follows it: an",
		"approval that cannot be checked is no approval.",
	]),
	"remediation": "Correct the id, or add the missing artifact.",
	"frameworks": {
		"iso27001": ["A.5.9", "A.8.9"],
		"nist_800_53": ["CM-8", "PM-5"],
		"itil4": ["Service configuration management"],
	},
}

deny contains lib.finding_with("REF-001", pointer, msg, [id]) if {
	some [pointer, id, expected, found] in _references
	count(found) == 0
	msg := sprintf("`%s` does not exist (expected a %s)", [id, _names(expected)])
}

metadata["REF-002"] := {
	"title": "Reference points to an artifact of the expected kind",
	"severity": "error",
	"area": "cross_process",
	"source": _web,
	"rationale": concat(" ", [
		"A field that should name a change record but names a release (or a person that is really a service) makes the",
		"relationship meaningless.",
	]),
	"remediation": "Point the field at an artifact of the expected kind.",
	"frameworks": {"iso27001": ["A.8.9"], "nist_800_53": ["CM-8"], "itil4": ["Service configuration management"]},
}

deny contains lib.finding_with("REF-002", pointer, msg, [id]) if {
	some [pointer, id, expected, found] in _references
	not "*" in expected
	count(found) > 0
	count(found & expected) == 0
	msg := sprintf("`%s` is a %s, expected a %s", [id, _names(found), _names(expected)])
}

metadata["REF-003"] := {
	"title": "Configuration items do not depend on themselves",
	"severity": "error",
	"area": "configuration",
	"kinds": ["ConfigurationItem"],
	"source": concat(" ", [
		"Configuration Management: \"maintain information about CIs required to deliver an IT service, including their",
		"relationships\"",
	]),
	"rationale": concat(" ", [
		"A CI that depends on itself through a chain of relationships is a recording error; impact analysis over the CMDB",
		"would loop or mislead. Only depends_on and runs_on are dependencies: connects_to (two CIs talking to each other),",
		"backed_up_by and part_of do not make a loop.",
	]),
	"remediation": "Fix the depends_on or runs_on relationship that closes the loop (often a reversed depends_on).",
	"frameworks": {"iso27001": ["A.8.9"], "nist_800_53": ["CM-8"], "itil4": ["Service configuration management"]},
}

deny contains lib.finding_with("REF-003", sprintf("/spec/relationships/%d/target", [i]), msg, [rel.target]) if {
	_a.kind == "ConfigurationItem"
	some i, rel in lib.items(_a.spec, "relationships")
	rel.type in data.opsgate.index.dependency_types
	sprintf("%s|%s", [_a.metadata.id, rel.target]) in lib.indexed("ci_cycle_edges")
	msg := sprintf("relationship to `%s` leads back to `%s`: the CI depends on itself", [rel.target, _a.metadata.id])
}

metadata["REF-004"] := {
	"title": "Risk acceptance names existing rule codes",
	"severity": "error",
	"area": "change",
	"kinds": ["RiskAcceptance"],
	"source": "Change Management Objectives, item 6 (\"knowingly accept a risk\")",
	"rationale": concat(" ", [
		"An acceptance of a rule that does not exist accepts nothing, and hides a typo that leaves the real finding",
		"unwaived.",
	]),
	"remediation": "Use codes listed by `opsgate rules`.",
	"frameworks": {"iso27001": ["A.5.8"], "nist_800_53": ["RA-3"], "itil4": ["Risk management"]},
}

deny contains lib.finding("REF-004", sprintf("/spec/rules/%d", [i]), msg) if {
	_a.kind == "RiskAcceptance"
	some i, code in lib.items(_a.spec, "rules")
	not code in data.rule_codes
	msg := sprintf("no rule has code `%s`", [code])
}

# Every reference of the artifact under evaluation (what `opsgate graph` draws; it evaluates this
# without input.unresolved_references).
edges contains {"pointer": pointer, "target": id} if {
	some [pointer, id, _, _] in _references
}
