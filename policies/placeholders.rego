# DOC-001: the starter of `opsgate init` and the drafts of `opsgate new` mark what must be
# filled in as `<fill in: …>`. opsgate reports each such value itself (src/placeholders.rs), so the
# finding cannot be lost to a pruned value or a team's policy set; this package holds its metadata.
package opsgate.rules.placeholders

import rego.v1

metadata["DOC-001"] := {
	"title": "No placeholder is left to fill in",
	"severity": "error",
	"area": "cross_process",
	"kinds": [],
	"source": concat(" ", [
		"Document control: a document is issued complete, with its owner, approvals and content stated (Information Security",
		"Plan; Change Management Objectives, item 3).",
	]),
	"rationale": concat(" ", [
		"A starter or a new draft with `<fill in: …>` values is not a real record: an approval by `<fill in: who approves",
		"changes>` approves nothing, and a gate that passed it would count a template as evidence.",
	]),
	"remediation": "Replace every `<fill in: …>` value with the real one, or delete the draft.",
	"frameworks": {
		"iso27001": ["A.5.37", "A.5.33"],
		"nist_800_53": ["PL-2", "CM-3"],
		"itil4": ["Information security management"],
	},
}

deny := set()
