# Paperwork written after the fact: whether each dated record (an approval, a test, an evaluation,
# a review, a legal review, a security test) was committed by the moment it had to exist. Only the
# history shows that, so opsgate decides these rules itself, in the auditor's report (`opsgate
# report`, src/evidence/); this package holds their metadata and denies nothing.
package opsgate.rules.evidence

import rego.v1

# No artifact is evaluated here.
kinds := set()

_forgeable := concat(" ", [
	"Commit dates are set by whoever commits (author and committer dates alike, and a rebase rewrites them): a finding is",
	"a signal for the auditor to ask questions, not proof, and the absence of findings is not proof of timely records",
	"either. The record counts from the first commit on the audited branch's first-parent history that holds it (a pull",
	"request counts from its merge).",
])

_changes := concat(" ", [
	"Change Management Objectives, items 3-4: changes are \"recorded and evaluated\", and authorized changes are",
	"\"planned, tested, implemented, documented, and reviewed in a controlled manner\".",
])

metadata["EVD-001"] := {
	"title": "Approvals were on record before the change was implemented or the release deployed",
	"severity": "warning",
	"area": "change",
	"kinds": ["ChangeRecord", "ReleaseRecord"],
	"source": _changes,
	"rationale": sprintf(concat(" ", [
		"An approval has to exist when the work it authorizes starts: a change's approved decision by the moment",
		"implementation started (for an emergency change, by the end of the emergency_approval_window_hours after its",
		"emergency authorization, as CHG-020 allows), and the approval of a release's change by the end of the day the",
		"release was deployed. An approval first committed later was written after the fact, whatever date it carries: this",
		"is what a SOC 2 Type II examiner tests under CC8.1 (changes authorized before implementation) and an ISO/IEC 27001",
		"surveillance auditor under A.8.32 (change management) and A.5.33 (protection of records). Recording the approval",
		"and implementing the same day, in that order, is normal practice and is not flagged; squashing the approval into",
		"the commit that records the implementation is. %s",
	]), [_forgeable]),
	"remediation": concat(" ", [
		"Find out when the change was really approved (CAB minutes, the ticket); if the approval came late, say so in the",
		"record and raise an improvement. Never move dates to close the gap.",
	]),
	"frameworks": {
		"iso27001": ["A.5.33", "A.8.32"],
		"nist_800_53": ["CM-3", "AU-10"],
		"itil4": ["Change enablement", "Release management"],
	},
}

metadata["EVD-002"] := {
	"title": "Tests, reviews and evaluations were committed soon after they took place",
	"severity": "warning",
	"area": "cross_process",
	"kinds": [
		"ChangeRecord",
		"ContinuityPlan",
		"IncidentManagementPlan",
		"ControlImplementation",
		"ReleaseRecord",
		"ServiceLevelAgreement",
		"InformationSecurityPlan",
		"SecurityBaseline",
		"ProcessPolicy",
		"BusinessImpactAnalysis",
		"RiskAcceptance",
		"AvailabilityPlan",
		"CapacityPlan",
		"ConfigurationItem",
	],
	"source": concat(" ", [
		"Continuity Management Plan: \"The plan should be tested at regular intervals\"; Change Management Objectives, item",
		"4 (changes tested, documented and reviewed); Service Level Management: the legal department is involved in the SLA.",
	]),
	"rationale": sprintf(concat(" ", [
		"A test, an exercise, an evaluation, a review, a legal review, a security test or a document's approval is recorded",
		"when it happens; a record first committed more than evidence_grace_days (default 14) after its own date — a",
		"continuity test entered months later, just before the audit — is the pattern of evidence made for the auditor. The",
		"grace period allows for writing up and review of the record. Auditors sample exactly this: SOC 2 Type II asks",
		"whether a control operated throughout the period (CC4.1, CC8.1), and ISO/IEC 27001 surveillance audits check that",
		"records are authentic and protected (A.5.33) and that business continuity is exercised (A.5.30). %s",
	]), [_forgeable]),
	"remediation": concat(" ", [
		"Commit records when the work is done. A record written late should say when and why it was written, so it reads as",
		"a late record and not as evidence made after the fact; raise the grace period (`evidence_grace_days`) only if the",
		"team's review cycle needs it.",
	]),
	"frameworks": {
		"iso27001": ["A.5.30", "A.5.33"],
		"nist_800_53": ["AU-10", "CP-4", "CA-2"],
		"itil4": ["Service continuity management", "Continual improvement"],
	},
}

metadata["EVD-003"] := {
	"title": "Change records existed before the configuration items they authorize were modified",
	"severity": "warning",
	"area": "change",
	"kinds": ["ChangeRecord"],
	"source": concat(" ", [
		"Configuration Management and Change Management: \"there should never be a change that is allowed to take place to a",
		"CI in a production system unless change management has approved the change first.\"; Change Management Objectives,",
		"item 5 (all changes to CIs recorded).",
	]),
	"rationale": sprintf(concat(" ", [
		"A change record authorizes a modification before it is made. When a configuration item the record lists was",
		"modified in git (its type, environment, version, baseline or configuration) before the change record itself was",
		"first committed — in a commit whose last_change already names the change, or after the change window opened while",
		"naming no change then on record — the record was written to cover a change already made. ISO/IEC 27001 A.8.32 and",
		"SOC 2 CC8.1 treat that as an unauthorized change. A change record committed in the same commit as the configuration",
		"it authorizes is not flagged. %s",
	]), [_forgeable]),
	"remediation": concat(" ", [
		"Find out whether the change was authorized elsewhere at the time. Record an unauthorized change as an incident;",
		"never by writing the change record after the fact.",
	]),
	"frameworks": {
		"iso27001": ["A.8.9", "A.8.32", "A.5.33"],
		"nist_800_53": ["CM-3", "CM-5"],
		"cis_v8": ["4.1"],
		"itil4": ["Change enablement", "Service configuration management"],
	},
}

metadata["EVD-004"] := {
	"title": "The whole history is available to date the records",
	"severity": "warning",
	"area": "cross_process",
	"kinds": [],
	"source": "Change Management Objectives, item 3 (changes recorded) — applied to the record of the records.",
	"rationale": concat(" ", [
		"Backdating is judged from the commit that first recorded each event. A shallow clone's oldest commit holds records",
		"that may have been written at any earlier time, and outside git there is no history at all; those records are not",
		"checked, and this rule says so instead of treating them as recorded in time.",
	]),
	"remediation": concat(" ", [
		"Run the report in a full clone (`git fetch --unshallow`; in GitHub Actions `fetch-depth: 0` on actions/checkout, in",
		"GitLab CI `GIT_DEPTH: 0`).",
	]),
	"frameworks": {"iso27001": ["A.5.33"], "nist_800_53": ["AU-10"]},
}

metadata["EVD-005"] := {
	"title": "Records imported with the history's first commit are counted, not dated",
	"severity": "info",
	"area": "cross_process",
	"kinds": [],
	"source": "Change Management Objectives, item 3 (changes recorded) — applied to the record of the records.",
	"rationale": concat(" ", [
		"Adopting opsgate usually starts with one commit that imports the records a team kept elsewhere, months or years",
		"after their dates. Flagging all of them as backdated would be a false alarm on normal practice, so the dated",
		"records that arrived with the history's first recording commit are not judged; this note says how many, and when",
		"the history began, so the auditor knows which period git can vouch for and relies on other evidence before it. A",
		"record added by any later commit is judged. A repository created just before an audit shows here.",
	]),
	"remediation": concat(" ", [
		"Nothing to fix. For records made before the repository existed, keep the evidence of their time (tickets, minutes)",
		"where the auditor can sample it.",
	]),
	"frameworks": {"iso27001": ["A.5.33"], "nist_800_53": ["AU-10"]},
}

deny := set()
