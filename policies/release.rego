# Release and deployment management: release records.
# Source: "Release and Deployment Management" (its objectives list), "New software releases should be done
# by the configuration management plan", "You should conduct security testing on all new releases before
# deployment" and "Release and Deployment Management Role and Incident and Problem Management" (back-out plan).
# Relationships with change, incident, configuration, availability and the help desk are XP rules
# (cross_process.rego) and are not repeated here.
package opsgate.rules.release

import data.opsgate.lib
import rego.v1

kinds := {"ReleaseRecord"}

_obj := "Release and Deployment Management, objectives"

_fw_release := {
	"iso27001": ["A.8.32"],
	"nist_800_53": ["CM-3"],
	"itil4": ["Release management", "Deployment management"],
}

_a := lib.subject(kinds)

_spec := _a.spec

_at_least(name) if {
	_a.kind == "ReleaseRecord"
	lib.reached(_a, name)
}

_packages := object.get(_spec, "packages", [])

# --- 1. Deployment plans -----------------------------------------------------------------------

metadata["REL-001"] := {
	"title": "Deployment plan is defined",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 1: \"Define and agree upon deployment plans\""]),
	"rationale": concat(" ", [
		"A release approved without a written plan (what, when, which steps) cannot be scheduled, coordinated or controlled",
		"as it moves to the live environment.",
	]),
	"remediation": concat(" ", [
		"Fill in spec.deployment_plan with summary, scheduled (date-time) and steps before the release is",
		"approved.",
	]),
	"frameworks": _fw_release,
}

deny contains lib.finding("REL-001", "/spec/deployment_plan", msg) if {
	_at_least("approved")
	lacking := lib.lacks(object.get(_spec, "deployment_plan", {}), ["summary", "scheduled", "steps"])
	msg := sprintf("release is `%s` but its deployment plan lacks %s", [_spec.status, lacking])
}

metadata["REL-002"] := {
	"title": "Deployment plan is agreed",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 1: \"Define and agree upon deployment plans\""]),
	"rationale": concat(" ", [
		"A plan nobody agreed to binds nobody: the teams that must execute or absorb the deployment learn about it when it",
		"happens.",
	]),
	"remediation": "List the people who agreed the plan in spec.deployment_plan.agreed_by (Person ids).",
	"frameworks": _fw_release,
}

deny contains lib.finding("REL-002", "/spec/deployment_plan/agreed_by", msg) if {
	_at_least("approved")
	lib.missing(object.get(_spec, "deployment_plan", {}), "agreed_by")
	msg := sprintf("release is `%s` but nobody is recorded as having agreed its deployment plan", [_spec.status])
}

# --- 2. Release packages -----------------------------------------------------------------------

metadata["REL-003"] := {
	"title": "Release lists its release packages",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 2: \"Create and test release packages\""]),
	"rationale": concat(" ", [
		"Once a release is built, what exactly it contains must be known; otherwise the correct components cannot be",
		"verified, tested or tracked.",
	]),
	"remediation": "List every package in spec.packages (name, version, digest, tested, dml_entry).",
	"frameworks": {"iso27001": ["A.8.32"], "nist_800_53": ["CM-3", "CM-8"], "itil4": ["Release management"]},
}

deny contains lib.finding("REL-003", "/spec/packages", msg) if {
	_at_least("built")
	lib.missing(_spec, "packages")
	msg := sprintf("release is `%s` but lists no release package", [_spec.status])
}

metadata["REL-004"] := {
	"title": "Every release package is tested",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 2: \"Create and test release packages\""]),
	"rationale": concat(" ", [
		"An untested package reaches the live environment with unknown behaviour, defeating the goal of protecting the",
		"integrity of the live environment.",
	]),
	"remediation": "Test the package and set tested: true, or remove it from the release before it moves past `built`.",
	"frameworks": {
		"iso27001": ["A.8.29", "A.8.32"],
		"nist_800_53": ["CM-3(2)", "SA-11"],
		"itil4": ["Release management", "Service validation and testing"],
	},
}

deny contains lib.finding("REL-004", sprintf("/spec/packages/%d/tested", [i]), msg) if {
	_at_least("tested")
	some i, pkg in _packages
	object.get(pkg, "tested", false) != true
	msg := sprintf("release is `%s` but package `%v` is not tested", [_spec.status, object.get(pkg, "name", i)])
}

# --- 3. Integrity ------------------------------------------------------------------------------

metadata["REL-005"] := {
	"title": "Every release package has a SHA-256 digest",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 3: \"Ensure the integrity of released packages\""]),
	"rationale": concat(" ", [
		"Without a cryptographic digest nobody can prove that the package deployed is the package that was built and",
		"tested.",
	]),
	"remediation": "Record the package's digest as `sha256:<64 lowercase hex>` in spec.packages[].digest.",
	"frameworks": {"iso27001": ["A.8.19", "A.8.32"], "nist_800_53": ["SI-7", "SI-7(6)"], "itil4": ["Release management"]},
}

deny contains lib.finding("REL-005", sprintf("/spec/packages/%d", [i]), msg) if {
	_at_least("built")
	some i, pkg in _packages
	lib.missing(pkg, "digest")
	msg := sprintf("package `%v` has no sha256 digest", [object.get(pkg, "name", i)])
}

# --- 4. Definitive Media Library ---------------------------------------------------------------

metadata["REL-006"] := {
	"title": "Every release package is recorded in the DML",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [
		_obj,
		", item 4: \"Record and track all release packages in the Definitive Media Library (DML)\"",
	]),
	"rationale": concat(" ", [
		"The DML is the single authorized source of release media; a package outside it cannot be tracked, reproduced or",
		"rolled back to.",
	]),
	"remediation": "Store the package in the DML and record its entry in spec.packages[].dml_entry.",
	"frameworks": {
		"iso27001": ["A.8.19", "A.8.9"],
		"nist_800_53": ["SA-10"],
		"cis_v8": ["2.1"],
		"itil4": ["Release management", "Service configuration management"],
	},
}

deny contains lib.finding("REL-006", sprintf("/spec/packages/%d", [i]), msg) if {
	_at_least("built")
	some i, pkg in _packages
	lib.missing(pkg, "dml_entry")
	msg := sprintf("package `%v` is not recorded in the DML (no dml_entry)", [object.get(pkg, "name", i)])
}

# --- 5. Stakeholders ---------------------------------------------------------------------------

metadata["REL-007"] := {
	"title": "Release names its stakeholders and their roles",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 5: \"Manage stakeholders\""]),
	"rationale": concat(" ", [
		"Stakeholders can only be managed if they are known: who is affected, who must agree and who must be",
		"informed.",
	]),
	"remediation": "List the stakeholders in spec.stakeholders, each with person (Person id) and role.",
	"frameworks": {"itil4": ["Release management", "Relationship management"]},
}

deny contains lib.finding("REL-007", "/spec/stakeholders", msg) if {
	_at_least("built")
	lib.missing(_spec, "stakeholders")
	msg := sprintf("release is `%s` but names no stakeholder", [_spec.status])
}

deny contains lib.finding("REL-007", sprintf("/spec/stakeholders/%d", [i]), msg) if {
	_at_least("built")
	some i, stakeholder in object.get(_spec, "stakeholders", [])
	lacking := lib.lacks(stakeholder, ["person", "role"])
	msg := sprintf("stakeholder %d lacks %s", [i, lacking])
}

# --- 6. Utility and warranty -------------------------------------------------------------------

metadata["REL-008"] := {
	"title": "Delivery of utility and warranty is checked",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [
		_obj,
		", item 6: \"Check the delivery of utility and warranty (utility + warranty = value in the mind of the customer)\"",
	]),
	"rationale": concat(" ", [
		"A release that works (utility) but not as agreed (warranty), or the reverse, delivers no value to the customer;",
		"both must be verified once the release is tested.",
	]),
	"remediation": concat(" ", [
		"State in spec.utility_warranty what the release does (utility) and how it meets the agreed requirements",
		"(warranty).",
	]),
	"frameworks": {"itil4": ["Release management", "Service validation and testing", "Service level management"]},
}

deny contains lib.finding("REL-008", "/spec/utility_warranty", msg) if {
	_at_least("tested")
	lacking := lib.lacks(object.get(_spec, "utility_warranty", {}), ["utility", "warranty"])
	msg := sprintf("release is `%s` but the delivery of %s is not stated", [_spec.status, lacking])
}

# --- 7. Risks ----------------------------------------------------------------------------------

metadata["REL-009"] := {
	"title": "Every release risk has a mitigation",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 7: \"Manage risks\""]),
	"rationale": "A risk written down without a mitigation has been noticed, not managed.",
	"remediation": "Describe the mitigation of each entry in spec.risks, or defer the release until there is one.",
	"frameworks": {
		"iso27001": ["A.8.32", "A.5.8"],
		"nist_800_53": ["CM-4", "RA-3"],
		"itil4": ["Release management", "Risk management"],
	},
}

deny contains lib.finding("REL-009", sprintf("/spec/risks/%d", [i]), msg) if {
	_at_least("approved")
	some i, risk in object.get(_spec, "risks", [])
	lib.missing(risk, "mitigation")
	msg := sprintf("release is `%s` but risk `%v` has no mitigation", [_spec.status, object.get(risk, "description", i)])
}

metadata["REL-010"] := {
	"title": "Release risks are identified",
	"severity": "warning",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 7: \"Manage risks\""]),
	"rationale": "Every release carries some risk; an approved release listing none most likely was never assessed.",
	"remediation": "List the release's risks with their mitigations in spec.risks.",
	"frameworks": {
		"iso27001": ["A.8.32", "A.5.8"],
		"nist_800_53": ["CM-4", "RA-3"],
		"itil4": ["Release management", "Risk management"],
	},
}

deny contains lib.finding("REL-010", "/spec/risks", msg) if {
	_at_least("approved")
	lib.missing(_spec, "risks")
	msg := sprintf("release is `%s` but lists no risk", [_spec.status])
}

# --- 8. Knowledge transfer ---------------------------------------------------------------------

metadata["REL-011"] := {
	"title": "Knowledge transfer is done by the release date",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat("", [_obj, ", item 8: \"Ensure knowledge transfer\""]),
	"rationale": concat(" ", [
		"Operators and the service desk who do not know a release when it goes live cannot support it or recognise its",
		"failures.",
	]),
	"remediation": "Record spec.knowledge_transfer with date (on or before release_date), audience and materials.",
	"frameworks": {
		"iso27001": ["A.5.37"],
		"nist_800_53": ["SA-5", "AT-3"],
		"itil4": ["Release management", "Knowledge management"],
	},
}

deny contains lib.finding("REL-011", "/spec/knowledge_transfer", msg) if {
	_at_least("deployed")
	lacking := lib.lacks(object.get(_spec, "knowledge_transfer", {}), ["date", "audience", "materials"])
	msg := sprintf("release is `%s` but its knowledge transfer lacks %s", [_spec.status, lacking])
}

deny contains lib.finding("REL-011", "/spec/knowledge_transfer/date", msg) if {
	_at_least("deployed")
	transferred := _spec.knowledge_transfer.date
	lib.days_between(transferred, _spec.release_date) < 0
	msg := sprintf("knowledge transfer on %s came after the release on %s", [transferred, _spec.release_date])
}

# --- Security testing before deployment --------------------------------------------------------

metadata["REL-012"] := {
	"title": "Security testing is performed before deployment",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management: \"You should conduct security testing on all new releases before",
		"deployment.\"",
	]),
	"rationale": concat(" ", [
		"A release whose security was not tested before it went live introduces unknown vulnerabilities into the live",
		"environment.",
	]),
	"remediation": concat(" ", [
		"Record spec.security_testing with date (on or before release_date), type and result before the release is",
		"approved.",
	]),
	"frameworks": {
		"iso27001": ["A.8.29"],
		"nist_800_53": ["SA-11", "CM-4"],
		"itil4": ["Release management", "Information security management"],
	},
}

deny contains lib.finding("REL-012", "/spec/security_testing", msg) if {
	_at_least("approved")
	lacking := lib.lacks(object.get(_spec, "security_testing", {}), ["date", "type", "result"])
	msg := sprintf("release is `%s` but its security testing lacks %s", [_spec.status, lacking])
}

deny contains lib.finding("REL-012", "/spec/security_testing/date", msg) if {
	_at_least("approved")
	tested := _spec.security_testing.date
	lib.days_between(tested, _spec.release_date) < 0
	msg := sprintf("security testing on %s came after the release on %s", [tested, _spec.release_date])
}

metadata["REL-013"] := {
	"title": "Release passed its security testing",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management: \"You should conduct security testing on all new releases before",
		"deployment.\"",
	]),
	"rationale": "Approving or deploying a release whose security testing failed knowingly ships its vulnerabilities.",
	"remediation": "Fix the findings and re-test until spec.security_testing.result is `passed`, or stop the release.",
	"frameworks": {
		"iso27001": ["A.8.29"],
		"nist_800_53": ["SA-11", "CM-4"],
		"itil4": ["Release management", "Information security management"],
	},
}

deny contains lib.finding("REL-013", "/spec/security_testing/result", msg) if {
	_at_least("approved")
	result := _spec.security_testing.result
	result != "passed"
	msg := sprintf("release is `%s` but its security testing result is `%v`", [_spec.status, result])
}

# --- Back-out plan -----------------------------------------------------------------------------

metadata["REL-014"] := {
	"title": "Release has a back-out plan",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management Role and Incident and Problem Management: \"executing whatever rollback or",
		"back-out plan may have been created along with the release for just such an eventuality\"",
	]),
	"rationale": concat(" ", [
		"When a release goes wrong, a back-out plan written beforehand is what lets incident management restore service",
		"quickly.",
	]),
	"remediation": "Describe how to roll the release back in spec.backout_plan before it is approved.",
	"frameworks": {
		"iso27001": ["A.8.32"],
		"nist_800_53": ["CM-3"],
		"itil4": ["Release management", "Deployment management"],
	},
}

deny contains lib.finding("REL-014", "/spec/backout_plan", msg) if {
	_at_least("approved")
	lib.missing(_spec, "backout_plan")
	msg := sprintf("release is `%s` without a back-out plan", [_spec.status])
}

# --- Configuration management plan -------------------------------------------------------------

metadata["REL-015"] := {
	"title": "Release lists the configuration items it affects",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management: \"New software releases should be done by the configuration management",
		"plan.\"",
	]),
	"rationale": concat(" ", [
		"Only a release that names the CIs it touches can be carried out under configuration management and reflected in the",
		"CMDB.",
	]),
	"remediation": "List the ConfigurationItem ids in spec.affected_cis.",
	"frameworks": {
		"iso27001": ["A.8.9", "A.8.32"],
		"nist_800_53": ["CM-3", "CM-8"],
		"itil4": ["Service configuration management", "Release management"],
	},
}

deny contains lib.finding("REL-015", "/spec/affected_cis", msg) if {
	_at_least("planned")
	lib.missing(_spec, "affected_cis")
	msg := "release lists no affected configuration items"
}

# --- Scheduling --------------------------------------------------------------------------------

metadata["REL-016"] := {
	"title": "Approved release has a release date",
	"severity": "error",
	"area": "release",
	"kinds": ["ReleaseRecord"],
	"source": concat(" ", [
		"Release and Deployment Management: \"Release and deployment management aims to plan, schedule, and control the",
		"movement of releases to test and live environments.\"",
	]),
	"rationale": concat(" ", [
		"An unscheduled release cannot be coordinated with change, availability and the help desk, nor checked against its",
		"approvals and tests.",
	]),
	"remediation": "Set spec.release_date (the date the release goes live) once the release is approved.",
	"frameworks": _fw_release,
}

deny contains lib.finding("REL-016", "/spec/release_date", msg) if {
	_at_least("approved")
	lib.missing(_spec, "release_date")
	msg := sprintf("release is `%s` but has no release date", [_spec.status])
}
