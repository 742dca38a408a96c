# Information security management: the information security management plan and its ten areas, and
# document control (review dates) for every artifact.
# Source: "Information Security".
package opsgate.rules.information_security

import data.opsgate.lib
import rego.v1

kinds := {"InformationSecurityPlan"}

_isp := "Information Security"

_plan := concat("", [
	_isp,
	": \"Organizations should have a documented and operational information security management plan that generally ",
	"covers the following areas\"",
])

_area_source(n, name) := concat("", [_plan, ", item ", n, ": \"", name, "\""])

_area_meta(n, name, title, rationale, key, frameworks) := {
	"title": title,
	"severity": "error",
	"area": "information_security",
	"kinds": ["InformationSecurityPlan"],
	"source": _area_source(n, name),
	"rationale": rationale,
	"remediation": sprintf(concat(" ", [
		"Describe the area in spec.areas.%s with a summary and an owner (a Person id), and list the supporting documents in",
		"references.",
	]), [key]),
	"frameworks": frameworks,
}

_a := lib.subject(kinds)

_spec := object.get(_a, "spec", {})

_is_plan if _a.kind == "InformationSecurityPlan"

metadata["ISP-001"] := _area_meta(
	"1", "Security management",
	"Information security plan covers security management",
	concat(" ", [
		"Security management is how the plan itself is run: risk assessment, objectives, measurement and improvement of the",
		"security program; without it the other areas are unmanaged.",
	]),
	"security_management",
	{"iso27001": ["A.5.1", "A.5.4"], "nist_800_53": ["PM-1", "PM-9"], "itil4": ["Information security management"]}
)

metadata["ISP-002"] := _area_meta(
	"2", "Security policy",
	"Information security plan covers security policy",
	concat(" ", [
		"The security policy states management's direction and the rules everyone must follow; the plan must say which",
		"policies exist and who maintains them.",
	]),
	"security_policy",
	{"iso27001": ["A.5.1"], "nist_800_53": ["PM-1", "PL-1"], "itil4": ["Information security management"]}
)

metadata["ISP-003"] := _area_meta(
	"3", "Information security organization",
	"Information security plan covers the information security organization",
	"Security responsibilities that are not assigned to roles and people are carried out by nobody.",
	"security_organization",
	{
		"iso27001": ["A.5.2", "A.5.3", "A.5.4"],
		"nist_800_53": ["PM-2", "PM-29"],
		"itil4": ["Information security management"],
	}
)

metadata["ISP-004"] := _area_meta(
	"4", "Asset management",
	"Information security plan covers asset management",
	"Assets that are not inventoried, owned and classified cannot be protected proportionately.",
	"asset_management",
	{
		"iso27001": ["A.5.9", "A.5.10", "A.5.12"],
		"nist_800_53": ["CM-8", "PM-5"],
		"cis_v8": ["1.1", "2.1"],
		"itil4": ["IT asset management", "Information security management"],
	}
)

metadata["ISP-005"] := _area_meta(
	"5", "Human resources security",
	"Information security plan covers human resources security",
	concat(" ", [
		"People are granted access and trust; screening, awareness, terms of employment and off-boarding decide whether that",
		"trust is warranted.",
	]),
	"human_resources_security",
	{
		"iso27001": ["A.6.1", "A.6.2", "A.6.3", "A.6.5"],
		"nist_800_53": ["PS-1", "AT-2"],
		"cis_v8": ["14.1"],
		"itil4": ["Information security management", "Workforce and talent management"],
	}
)

metadata["ISP-006"] := _area_meta(
	"6", "Physical and environmental security",
	"Information security plan covers physical and environmental security",
	concat(" ", [
		"Logical controls are void if the facilities, equipment and supporting utilities that host the cloud infrastructure",
		"are not protected.",
	]),
	"physical_environmental_security",
	{
		"iso27001": ["A.7.1", "A.7.2", "A.7.8", "A.7.11"],
		"nist_800_53": ["PE-1", "PE-3"],
		"itil4": ["Information security management", "Infrastructure and platform management"],
	}
)

metadata["ISP-007"] := _area_meta(
	"7", "Communications and operations management",
	"Information security plan covers communications and operations management",
	concat(" ", [
		"Day-to-day operations (networks, information transfer, logging and monitoring, operating procedures) are where most",
		"security controls actually run.",
	]),
	"communications_operations_management",
	{
		"iso27001": ["A.5.14", "A.5.37", "A.8.15", "A.8.16", "A.8.20"],
		"nist_800_53": ["SC-7", "SC-8", "SI-4"],
		"cis_v8": ["8.2", "12.2"],
		"itil4": ["Information security management", "Infrastructure and platform management"],
	}
)

metadata["ISP-008"] := _area_meta(
	"8", "Access control",
	"Information security plan covers access control",
	concat(" ", [
		"Access control decides who can use which information and systems; without a defined approach, access accumulates",
		"and is never revoked.",
	]),
	"access_control",
	{
		"iso27001": ["A.5.15", "A.5.18", "A.8.2", "A.8.5"],
		"nist_800_53": ["AC-1", "AC-2", "AC-6"],
		"cis_v8": ["6.1", "6.2"],
		"itil4": ["Information security management"],
	}
)

metadata["ISP-009"] := _area_meta(
	"9", "Information systems acquisition, development, and maintenance",
	"Information security plan covers systems acquisition, development and maintenance",
	concat(" ", [
		"Security built into acquisition, development and maintenance is far cheaper and more effective than security bolted",
		"on after deployment.",
	]),
	"systems_acquisition_development_maintenance",
	{
		"iso27001": ["A.8.25", "A.8.26", "A.8.28", "A.8.29", "A.8.30"],
		"nist_800_53": ["SA-3", "SA-4", "SA-8"],
		"cis_v8": ["16.1"],
		"itil4": ["Information security management", "Software development and management"],
	}
)

metadata["ISP-010"] := _area_meta(
	"10", "Provider and customer responsibilities",
	"Information security plan covers provider and customer responsibilities",
	concat(" ", [
		"In the cloud, security is shared: a control neither the provider nor the customer knows it owns is a control nobody",
		"operates.",
	]),
	"provider_customer_responsibilities",
	{
		"iso27001": ["A.5.19", "A.5.20", "A.5.23"],
		"nist_800_53": ["SA-9"],
		"cis_v8": ["15.4"],
		"itil4": ["Information security management", "Supplier management"],
	}
)

_area_rules := {
	"ISP-001": "security_management",
	"ISP-002": "security_policy",
	"ISP-003": "security_organization",
	"ISP-004": "asset_management",
	"ISP-005": "human_resources_security",
	"ISP-006": "physical_environmental_security",
	"ISP-007": "communications_operations_management",
	"ISP-008": "access_control",
	"ISP-009": "systems_acquisition_development_maintenance",
	"ISP-010": "provider_customer_responsibilities",
}

_areas := object.get(_spec, "areas", {})

deny contains lib.finding(code, "/spec/areas", msg) if {
	_is_plan
	some code, key in _area_rules
	not lib.present(_areas, key)
	msg := sprintf("information security plan does not cover `%s`", [key])
}

deny contains lib.finding(code, sprintf("/spec/areas/%s", [key]), msg) if {
	_is_plan
	some code, key in _area_rules
	area := _areas[key]
	not lib.blank(area)
	lacking := lib.lacks(area, ["summary", "owner"])
	msg := sprintf("area `%s` lacks %s", [key, lacking])
}

metadata["ISP-011"] := {
	"title": "Information security plan states its scope",
	"severity": "error",
	"area": "information_security",
	"kinds": ["InformationSecurityPlan"],
	"source": concat("", [_isp, ": \"a documented ... information security management plan\""]),
	"rationale": concat(" ", [
		"A plan that does not say which organization, services and environments it covers cannot be shown to cover",
		"anything.",
	]),
	"remediation": "Describe the services, environments and organizational units the plan covers in spec.scope.",
	"frameworks": {"iso27001": ["A.5.1"], "nist_800_53": ["PM-1"], "itil4": ["Information security management"]},
}

deny contains lib.finding("ISP-011", "/spec/scope", msg) if {
	_is_plan
	lib.missing(_spec, "scope")
	msg := "information security plan does not state its scope"
}

metadata["ISP-012"] := {
	"title": "Information security plan is approved",
	"severity": "error",
	"area": "information_security",
	"kinds": ["InformationSecurityPlan"],
	"source": concat("", [_isp, ": \"a documented ... information security management plan\""]),
	"rationale": "A plan that management has not approved is a draft: it carries no authority and commits no resources.",
	"remediation": "Record management's approval in spec.approval (approver, role, date, decision: approved).",
	"frameworks": {"iso27001": ["A.5.1"], "nist_800_53": ["PM-1"], "itil4": ["Information security management"]},
}

deny contains lib.finding("ISP-012", "/spec/approval", msg) if {
	_is_plan
	not lib.is_approved(object.get(_spec, "approval", {}))
	msg := sprintf(
		"information security plan is not approved (decision `%s`)",
		[object.get(object.get(_spec, "approval", {}), "decision", "none")],
	)
}

metadata["ISP-013"] := {
	"title": "Information security plan is operational",
	"severity": "error",
	"area": "information_security",
	"kinds": ["InformationSecurityPlan"],
	"source": concat("", [_isp, ": \"a documented and operational information security management plan\""]),
	"rationale": concat(" ", [
		"The source asks for an operational plan, not only a documented one: a plan that has not been put into operation",
		"protects nothing.",
	]),
	"remediation": concat(" ", [
		"Set spec.operational_since to the date the plan went into operation (not later than today), and metadata.status to",
		"approved or active (not draft, in_review or retired).",
	]),
	"frameworks": {"iso27001": ["A.5.1", "A.5.36"], "nist_800_53": ["PM-1"], "itil4": ["Information security management"]},
}

deny contains lib.finding("ISP-013", "/spec/operational_since", msg) if {
	_is_plan
	lib.missing(_spec, "operational_since")
	msg := "information security plan does not record since when it is operational"
}

deny contains lib.finding("ISP-013", "/spec/operational_since", msg) if {
	_is_plan
	lib.days_between(_spec.operational_since, input.as_of) < 0
	msg := sprintf(
		"information security plan is not operational yet: operational_since %s is after %s",
		[_spec.operational_since, input.as_of],
	)
}

deny contains lib.finding("ISP-013", "/metadata/status", msg) if {
	_is_plan
	status := _a.metadata.status
	status in {"draft", "in_review", "retired"}
	msg := sprintf(
		"information security plan has document status `%s`: a plan that is not approved or active is not operational",
		[status],
	)
}

_interval := object.get(_spec, "review_interval_days", lib.param("review_interval_days"))

metadata["ISP-014"] := {
	"title": "Information security plan is reviewed within its review interval",
	"severity": "error",
	"area": "information_security",
	"kinds": ["InformationSecurityPlan"],
	"source": concat("", [_isp, ": \"a documented and operational information security management plan\""]),
	"rationale": concat(" ", [
		"Threats, services and providers change; a plan that is not reviewed regularly stops describing the security",
		"actually needed and operated.",
	]),
	"remediation": concat(" ", [
		"Review the plan and set spec.last_reviewed (at least every spec.review_interval_days, default the",
		"review_interval_days parameter).",
	]),
	"frameworks": {"iso27001": ["A.5.1", "A.5.35"], "nist_800_53": ["PM-1"], "itil4": ["Information security management"]},
}

deny contains lib.finding("ISP-014", "/spec/last_reviewed", msg) if {
	_is_plan
	lib.missing(_spec, "last_reviewed")
	msg := "information security plan records no review (last_reviewed)"
}

deny contains lib.finding("ISP-014", "/spec/last_reviewed", msg) if {
	_is_plan
	lib.future(_spec.last_reviewed)
	msg := sprintf(
		"information security plan review is dated %s, after the evaluation date %s: a future review is no evidence",
		[_spec.last_reviewed, input.as_of],
	)
}

deny contains lib.finding("ISP-014", "/spec/last_reviewed", msg) if {
	_is_plan
	age := lib.days_between(_spec.last_reviewed, input.as_of)
	age > _interval
	msg := sprintf(
		"information security plan was last reviewed on %s, %s before %s (interval %s)",
		[_spec.last_reviewed, lib.days_text(age), input.as_of, lib.days_text(_interval)],
	)
}

