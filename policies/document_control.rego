# Document control for every kind: a managed document is reviewed by its review date.
# Source: "Information Security" (a documented and operational plan; document control).
# Its own package so that only this one rule runs for every artifact.
package opsgate.rules.document_control

import data.opsgate.lib
import rego.v1

_a := input.artifact

metadata["ISP-015"] := {
	"title": "Document is reviewed by its review date",
	"severity": "warning",
	"area": "information_security",
	"source": concat("", [
		"Information Security",
		": \"a documented and operational information security management plan\" (document control of the plan and of every ",
		"managed document)",
	]),
	"rationale": concat(" ", [
		"A document past its review-by date may no longer describe reality; overdue reviews are the first sign that",
		"documentation and operation have drifted apart.",
	]),
	"remediation": concat(" ", [
		"Review the document and move metadata.review_by to the next review date (or retire the document with",
		"metadata.status: retired).",
	]),
	"frameworks": {"iso27001": ["A.5.1", "A.5.37"], "itil4": ["Information security management", "Knowledge management"]},
}

deny contains lib.finding("ISP-015", "/metadata/review_by", msg) if {
	review_by := _a.metadata.review_by
	object.get(_a.metadata, "status", "") != "retired"
	overdue := lib.days_between(review_by, input.as_of)
	overdue > 0
	msg := sprintf(
		"%s `%s` was due for review by %s, %s before %s",
		[_a.kind, _a.metadata.id, lib.date_of(review_by), lib.days_text(overdue), input.as_of],
	)
}
