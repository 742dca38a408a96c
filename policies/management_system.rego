# The management system is complete: the repository holds each document the source says an
# organisation should have. The findings are about the repository as a whole, so they are carried
# by one artifact (the index's anchor: the information security plan, else the first service, else
# the first other management document). A repository with no service and none of these documents
# is a fragment (a team's change log, a test folder) and is not judged as a management system. A
# team for which a document does not apply declares it in the information security plan's
# statement of applicability (spec.not_applicable, with a justification): the rule then stays
# silent and ISP-017 reports the declaration as `info`, so the declared scope is visible in every
# report. Disabling the rule in opsgate.toml also works, but leaves no trace in the findings.
# INC-027 (every service's type has an incident definition) lives here too: it is the one rule that
# looks at every Service, and this package is already evaluated for them.
package opsgate.rules.management_system

import data.opsgate.lib
import rego.v1

# Only the anchor carries findings, and it is always one of these kinds (see the index's anchor).
kinds := {
	"Service",
	"InformationSecurityPlan",
	"IncidentManagementPlan",
	"BusinessImpactAnalysis",
	"ContinuityPlan",
	"ProcessPolicy",
	"ImprovementRegister",
	"ControlImplementation",
}

_scope := concat(" ", [
	"If the document does not apply to this organisation, declare it in the information security plan's",
	"spec.not_applicable with a justification (reported by ISP-017).",
])

_doc_meta(title, source, rationale, remediation, frameworks, area) := {
	"title": title,
	"severity": "error",
	"area": area,
	"kinds": [
		"BusinessImpactAnalysis",
		"ContinuityPlan",
		"ControlImplementation",
		"ImprovementRegister",
		"IncidentManagementPlan",
		"InformationSecurityPlan",
		"ProcessPolicy",
		"Service",
	],
	"source": source,
	"rationale": rationale,
	"remediation": concat(" ", [remediation, _scope]),
	"frameworks": frameworks,
}

metadata["ISP-016"] := _doc_meta(
	"The repository has an information security plan",
	concat(" ", [
		"Information Security: \"Organizations should have a documented and operational information security management",
		"plan\"",
	]),
	concat(" ", [
		"Every other process protects what the information security plan scopes; without one there is no documented,",
		"operational plan at all (ISO/IEC 27001 clause 4.3 scope and 6.2 objectives).",
	]),
	"Add an InformationSecurityPlan artifact (opsgate new InformationSecurityPlan).",
	{"iso27001": ["A.5.1"], "nist_800_53": ["PM-1"], "itil4": ["Information security management"]},
	"information_security",
)

metadata["INC-026"] := _doc_meta(
	"The repository has an incident management plan",
	"Incident Management Plan: \"You should have a detailed incident management plan\"",
	concat(" ", [
		"Without a plan, incidents are handled without definitions, roles, response requirements or breach-notification",
		"duties, and incident records have no plan to be judged against.",
	]),
	"Add an IncidentManagementPlan artifact.",
	{"iso27001": ["A.5.24"], "nist_800_53": ["IR-8"], "cis_v8": ["17.4"], "itil4": ["Incident management"]},
	"incident",
)

metadata["BCM-018"] := _doc_meta(
	"The repository has a business impact analysis",
	concat(" ", [
		"Business Continuity Management: \"a prioritized ranking or listing of systems and services must be created and",
		"maintained. This is accomplished through the use of a business impact analysis (BIA) process.\"",
	]),
	"Without a BIA there is no agreed order of recovery and no RTO/RPO for any continuity plan to meet.",
	"Add a BusinessImpactAnalysis artifact.",
	{"iso27001": ["A.5.30"], "nist_800_53": ["CP-2(8)", "RA-9"], "itil4": ["Service continuity management"]},
	"continuity",
)

metadata["BCM-019"] := _doc_meta(
	"The repository has a continuity plan",
	"Continuity Management Plan: \"A detailed continuity management plan should include the following\"",
	concat(" ", [
		"Without a continuity plan nobody knows the triggers, roles, procedures or notifications of a disaster until it",
		"happens.",
	]),
	"Add a ContinuityPlan artifact based on the BIA.",
	{"iso27001": ["A.5.29", "A.5.30"], "nist_800_53": ["CP-2"], "itil4": ["Service continuity management"]},
	"continuity",
)

metadata["CHG-022"] := _doc_meta(
	"The repository has a change-management process policy",
	concat(" ", [
		"Change Management Process: \"You should develop or augment a change-management process for the cloud",
		"infrastructure\"",
	]),
	concat(" ", [
		"Change records are only controlled against a documented process; without the policy its four required topics",
		"(CHG-016) are never checked.",
	]),
	"Add a ProcessPolicy with process change_management.",
	{"iso27001": ["A.5.1", "A.8.32"], "nist_800_53": ["CM-1", "CM-3"], "itil4": ["Change enablement"]},
	"change",
)

metadata["CFG-018"] := _doc_meta(
	"The repository has a configuration-management process policy",
	"Configuration Management: \"You should develop a configuration-management process for the cloud infrastructure\"",
	"Without the policy, the four topics the source requires of the process (CFG-014 to CFG-017) are never checked.",
	"Add a ProcessPolicy with process configuration_management.",
	{"iso27001": ["A.5.1", "A.8.9"], "nist_800_53": ["CM-1", "CM-9"], "itil4": ["Service configuration management"]},
	"configuration",
)

metadata["CSI-014"] := _doc_meta(
	"The repository has an improvement register",
	concat(" ", [
		"Continual Service Improvement Management: \"Metrics on all services and processes should be collected and analyzed",
		"to find areas of improvement using a formal process.\"",
	]),
	"Without a register there is no evidence that metrics are collected, analysed and turned into improvements.",
	"Add an ImprovementRegister artifact.",
	{"iso27001": ["A.5.1"], "nist_800_53": ["PM-6", "CA-7"], "itil4": ["Continual improvement"]},
	"improvement",
)

metadata["CSC-024"] := _doc_meta(
	"The repository documents the CSC 2 implementation",
	concat(" ", [
		"Preventing the Unauthorized Installation of Software: Critical Security Control Implementation Example: \"the need",
		"to do so in a documented and auditable manner is important\"",
	]),
	concat(" ", [
		"Preventing unauthorized software is one of the four topics of the change-management process; without a documented",
		"implementation there is nothing to audit.",
	]),
	"Add a ControlImplementation artifact for CIS CSC 2.",
	{
		"iso27001": ["A.8.19"],
		"nist_800_53": ["CM-7(5)", "CM-11"],
		"cis_v8": ["2.5"],
		"itil4": ["Information security management"],
	},
	"change",
)

# code → [kind, process (ProcessPolicy only), name in messages, key in spec.not_applicable]
_required := {
	"ISP-016": ["InformationSecurityPlan", null, "an information security plan", null],
	"INC-026": ["IncidentManagementPlan", null, "an incident management plan", "incident_management_plan"],
	"BCM-018": ["BusinessImpactAnalysis", null, "a business impact analysis", "business_impact_analysis"],
	"BCM-019": ["ContinuityPlan", null, "a continuity plan", "continuity_plan"],
	"CHG-022": ["ProcessPolicy", "change_management", "a change-management process policy", "change_management_policy"],
	"CFG-018": [
		"ProcessPolicy",
		"configuration_management",
		"a configuration-management process policy",
		"configuration_management_policy",
	],
	"CSI-014": ["ImprovementRegister", null, "an improvement register", "improvement_register"],
	"CSC-024": ["ControlImplementation", null, "a CSC 2 control implementation", "csc2_implementation"],
}

_a := lib.subject(kinds)

_is_anchor if {
	some anchor in object.get(lib.index, "anchors", [])
	anchor == [_a.kind, _a.metadata.id]
}

# A retired document is history, not part of the system in operation.
_in_operation(kind, process) := [id |
	some id, doc in object.get(data.inventory, kind, {})
	object.get(doc.metadata, "status", "") != "retired"
	_process_matches(doc, process)
]

_process_matches(_, null) := true

_process_matches(doc, process) if doc.spec.process == process

_pointer := "/spec/scope" if _a.kind == "InformationSecurityPlan"

else := "/metadata/id"

deny contains lib.finding(code, _pointer, msg) if {
	_is_anchor
	some code, [kind, process, name, key] in _required
	count(_in_operation(kind, process)) == 0
	not key in _declared
	msg := sprintf("the management system lacks %s in operation (no %s artifact that is not retired)", [name, kind])
}

# Documents the information security plans in operation declare not applicable, with a justification.
_declared contains entry.document if {
	some plan in _in_operation_docs("InformationSecurityPlan")
	some entry in lib.items(plan.spec, "not_applicable")
	lib.present(entry, "justification")
}

_in_operation_docs(kind) := [doc |
	some doc in object.get(data.inventory, kind, {})
	object.get(doc.metadata, "status", "") != "retired"
]

metadata["ISP-017"] := {
	"title": "Documents declared not applicable are visible with their justification",
	"severity": "info",
	"area": "information_security",
	"kinds": [
		"BusinessImpactAnalysis",
		"ContinuityPlan",
		"ControlImplementation",
		"ImprovementRegister",
		"IncidentManagementPlan",
		"InformationSecurityPlan",
		"ProcessPolicy",
		"Service",
	],
	"source": "Information Security: \"a documented and operational information security management plan\" (its scope)",
	"rationale": concat(" ", [
		"A team may decide that a document of the management system does not apply to it (ISO/IEC 27001 clause 4.3 scope and",
		"6.1.3 d statement of applicability: every exclusion is justified). The decision silences a completeness rule, so it",
		"is reported, with its justification, wherever findings are read; a declaration without a justification is not",
		"honoured.",
	]),
	"remediation": "Nothing to fix if the declaration is intended; review it with the plan.",
	"frameworks": {"iso27001": ["A.5.1"], "nist_800_53": ["PM-1", "PL-2"], "itil4": ["Information security management"]},
}

deny contains lib.finding("ISP-017", sprintf("/spec/not_applicable/%d", [i]), msg) if {
	_a.kind == "InformationSecurityPlan"
	some i, entry in lib.items(_a.spec, "not_applicable")
	lib.present(entry, "justification")
	msg := sprintf("`%s` is declared not applicable: %s", [entry.document, entry.justification])
}

# --- Coverage of the inventory: every service's type has an incident definition -------------------

_is_service if _a.kind == "Service"

_plans_exist if count(object.get(data.inventory, "IncidentManagementPlan", {})) > 0

metadata["INC-027"] := {
	"title": "Every service's type is covered by an incident definition",
	"severity": "error",
	"area": "incident",
	"kinds": ["Service"],
	"source": "Incident Management Plan, item 1: \"Definitions of an incident by service type or offering\"",
	"rationale": concat(" ", [
		"A plan that defines incidents for some service types leaves the staff of every other service unable to tell an",
		"event from an incident. Coverage is checked from the inventory: each Service states its service_type, and some",
		"incident management plan defines incidents for it.",
	]),
	"remediation": concat(" ", [
		"Set the Service's spec.service_type, and add an incident_definitions entry with that service_type to the incident",
		"management plan.",
	]),
	"frameworks": {"iso27001": ["A.5.25"], "nist_800_53": ["IR-8"], "cis_v8": ["17.9"], "itil4": ["Incident management"]},
}

deny contains lib.finding("INC-027", "/spec/service_type", msg) if {
	_is_service
	_plans_exist
	lib.missing(_a.spec, "service_type")
	msg := "service states no service_type, so no incident definition can be shown to cover it"
}

deny contains lib.finding("INC-027", "/spec/service_type", msg) if {
	_is_service
	_plans_exist
	is_string(_a.spec.service_type)
	not _a.spec.service_type in lib.indexed("incident_service_types")
	msg := sprintf("no incident management plan defines an incident for service type `%s`", [_a.spec.service_type])
}
