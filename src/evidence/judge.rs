//! The verdicts: each dated event of the audited state against the moment by which its record
//! had to exist, and each change record against the commits that modified the configuration items
//! it authorizes.

use jiff::{civil::Date, Timestamp};
use serde_json::Value;

use super::events::{self, Class, Event};
use super::walk::History;
use crate::finding::{Finding, Severity, Stage};
use crate::git::Git;
use crate::model::{Artifact, Workspace};

/// What the verdicts need besides the history.
pub struct Rules<'a> {
    pub workspace: &'a Workspace,
    pub history: &'a History,
    pub git: &'a Git,
    /// Days a test, review or evaluation may take to be committed after its date.
    pub grace_days: i64,
    /// An emergency change's written approval may follow its authorization by this many hours.
    pub emergency_hours: i64,
    /// The end of the as-of day: paperwork never committed is judged against it.
    pub now: i64,
    pub severity: &'a dyn Fn(&str) -> Severity,
}

/// A finding and the commit from which it holds (the late record's, or none: it is not in the
/// history, or the whole history is in question).
pub struct Verdict {
    pub finding: Finding,
    pub since: Option<usize>,
}

fn day_start(date: Date) -> i64 {
    date.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_or(i64::MAX, |z| z.timestamp().as_second())
}

/// The first second after `date` (UTC): a date-only deadline is met by the end of its day.
fn day_end(date: Date) -> i64 {
    date.tomorrow().map_or(i64::MAX, day_start)
}

/// A date-time field (RFC 3339), or the end of a bare date's day (its hour unknown: the lenient
/// reading, so the same day never counts as late).
fn moment(value: Option<&Value>) -> Option<(i64, String)> {
    let text = value?.as_str()?;
    let second = match text.parse::<Timestamp>() {
        Ok(t) => t.as_second(),
        Err(_) => day_end(text.get(..10)?.parse().ok()?),
    };
    Some((second, text.to_owned()))
}

fn utc(second: i64) -> String {
    Timestamp::from_second(second).map_or_else(
        |_| second.to_string(),
        |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

impl Rules<'_> {
    fn commit_words(&self, index: usize) -> String {
        let stamp = &self.history.commits[index];
        let sha = stamp.oid.to_string();
        let author = self
            .git
            .info(stamp.oid)
            .map(|c| c.author)
            .unwrap_or_default();
        let forged = match stamp.stated < stamp.time {
            true => format!(
                "; dated {} by its committer, before its parent",
                utc(stamp.stated)
            ),
            false => String::new(),
        };
        format!(
            "commit {} ({}, {author}{forged})",
            &sha[..12.min(sha.len())],
            utc(stamp.time)
        )
    }

    fn finding(
        &self,
        code: &str,
        artifact: &Artifact,
        pointer: &str,
        message: String,
        help: &str,
    ) -> Finding {
        let (_, range) = artifact.locate(pointer);
        let mut finding = Finding::new(code, (self.severity)(code), Stage::Policy, message)
            .in_file(&self.workspace.file_of(artifact).display, Some(range))
            .with_help(help);
        finding.artifact = Some(artifact.id.clone());
        finding.kind = Some(artifact.kind.name.to_owned());
        finding.pointer = Some(pointer.to_owned());
        finding
    }

    /// `None` when the record was there in time, or cannot be dated (shallow boundary).
    fn late(&self, key: &str, deadline: i64) -> Option<(Option<usize>, String)> {
        match self.history.first(key) {
            // The import (or a shallow clone's boundary) holds records written at any time
            // before it: they are counted (EVD-004/005), not judged.
            Some((index, _)) if Some(index) == self.history.import => None,
            Some((index, stamp)) if stamp.time > deadline => Some((
                Some(index),
                format!("first committed in {}", self.commit_words(index)),
            )),
            Some(_) => None,
            None if self.now > deadline => {
                Some((None, "not committed to the history at all".to_owned()))
            }
            None => None,
        }
    }

    /// The moment a change's approval had to be recorded by, in words.
    fn approval_deadline(&self, change: &Value) -> Option<(i64, String)> {
        let emergency = change.pointer("/spec/type").and_then(Value::as_str) == Some("emergency");
        if let (true, Some((at, text))) = (
            emergency,
            moment(change.pointer("/spec/emergency/authorized_at")),
        ) {
            let deadline = at.saturating_add(self.emergency_hours * 3600);
            let words = format!(
                "{} hours after the emergency authorization ({text})",
                self.emergency_hours
            );
            return Some((deadline, words));
        }
        let (started, text) = moment(change.pointer("/spec/implementation/started"))?;
        Some((started, format!("implementation started ({text})")))
    }

    /// EVD-001 and EVD-002 for one artifact's events.
    pub fn events(&self, artifact: &Artifact, out: &mut Vec<Verdict>) {
        let value = &artifact.value;
        for event in events::of(&artifact.id, artifact.kind.name, value) {
            if event.class == Class::ChangeApproval {
                if event.decision.as_deref() != Some("approved") {
                    continue;
                }
                let Some((deadline, words)) = self.approval_deadline(value) else {
                    continue;
                };
                if let Some((since, how)) = self.late(&event.key, deadline) {
                    let message = format!("approval of {} dated {} was {how}, after {words}: the change was implemented before its approval was on record", artifact.id, event.date);
                    let help = "find out when the change was really approved (the CAB minutes, the ticket); if the approval came late, record it as such and raise an improvement; never edit dates to close the gap";
                    out.push(Verdict {
                        finding: self.finding("EVD-001", artifact, &event.pointer, message, help),
                        since,
                    });
                }
                continue;
            }
            self.grace(artifact, &event, out);
        }
        if artifact.kind.name == "ReleaseRecord" {
            self.release(artifact, out);
        }
    }

    fn grace(&self, artifact: &Artifact, event: &Event, out: &mut Vec<Verdict>) {
        let Some(limit) = event
            .date
            .checked_add(jiff::Span::new().days(self.grace_days))
            .ok()
        else {
            return;
        };
        let Some((since, how)) = self.late(&event.key, day_end(limit)) else {
            return;
        };
        let message = format!(
            "{} of {} dated {} was {how}, more than {} days after its date",
            event.class.label(),
            artifact.id,
            event.date,
            self.grace_days
        );
        let help = "commit records when the work is done; for a late record, say in it when and why it was written (a comment or a note), so the auditor reads it as a late record and not as evidence made after the fact";
        out.push(Verdict {
            finding: self.finding("EVD-002", artifact, &event.pointer, message, help),
            since,
        });
    }

    /// EVD-001 for a release: its change's approvals had to be on record by the end of the day it
    /// was deployed.
    fn release(&self, release: &Artifact, out: &mut Vec<Verdict>) {
        let spec = release.value.get("spec").unwrap_or(&Value::Null);
        let deployed = ["deployed", "closed", "failed", "rolled_back"];
        if !spec
            .get("status")
            .and_then(Value::as_str)
            .is_some_and(|s| deployed.contains(&s))
        {
            return;
        }
        let Some(date) = spec
            .get("release_date")
            .and_then(Value::as_str)
            .and_then(|d| d.parse::<Date>().ok())
        else {
            return;
        };
        let Some(change) = spec
            .get("change")
            .and_then(Value::as_str)
            .and_then(|id| self.workspace.artifact(id))
        else {
            return;
        };
        for event in events::of(&change.id, change.kind.name, &change.value) {
            if event.class != Class::ChangeApproval || event.decision.as_deref() != Some("approved")
            {
                continue;
            }
            if let Some((since, how)) = self.late(&event.key, day_end(date)) {
                let message = format!("release {} was deployed on {date}, but the approval of its change {} dated {} was {how}", release.id, change.id, event.date);
                let help = "find out when the release was really approved; record a late approval as such, never with an earlier date";
                out.push(Verdict {
                    finding: self.finding("EVD-001", release, "/spec/change", message, help),
                    since,
                });
            }
        }
    }

    /// EVD-003 for one change record: a configuration item it authorizes was modified in git
    /// before the record existed — in a commit that names this change in `last_change`, or one
    /// made after the change window opened that names no change on record at the time.
    pub fn change_record(&self, change: &Artifact, out: &mut Vec<Verdict>) {
        let value = &change.value;
        let created = self
            .history
            .first(&events::artifact_key(&change.id))
            .map(|(i, _)| i);
        let opened = [
            moment(value.pointer("/spec/plan/scheduled_start")),
            moment(value.pointer("/spec/implementation/started")),
        ]
        .into_iter()
        .flatten()
        .map(|(second, _)| second)
        .min();
        let cis = value
            .pointer("/spec/affected_cis")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (position, ci) in cis.iter().enumerate() {
            let Some(ci) = ci.as_str() else { continue };
            let changes = self
                .history
                .ci_changes
                .get(ci)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let recorded = |id: &str, at: usize| {
                self.history
                    .first(&events::artifact_key(id))
                    .is_some_and(|(i, _)| i <= at)
            };
            let early = changes
                .iter()
                .filter(|(index, _)| Some(*index) != self.history.import)
                .find(|(index, last)| {
                    let before = created.is_none_or(|c| *index < c);
                    let claims = last.as_deref() == Some(change.id.as_str());
                    let in_window = opened.is_some_and(|o| self.history.commits[*index].time >= o)
                        && last.as_deref().is_none_or(|l| !recorded(l, *index));
                    before && (claims || in_window)
                });
            let Some((index, _)) = early else { continue };
            let record = match created {
                Some(c) => format!("first committed in {}", self.commit_words(c)),
                None => "not committed to the history at all".to_owned(),
            };
            let message = format!("configuration item {ci} was modified in {} before change record {} existed in the history ({record})", self.commit_words(*index), change.id);
            let help = "a change record authorizes a change before it is made: find out whether the change was authorized elsewhere at the time; record an unauthorized change as an incident, never by writing the change record after the fact";
            let pointer = format!("/spec/affected_cis/{position}");
            out.push(Verdict {
                finding: self.finding("EVD-003", change, &pointer, message, help),
                since: created,
            });
        }
    }
}
