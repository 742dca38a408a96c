//! The registry of artifact kinds. Each kind's schema is compiled into the binary so `opsgate`
//! works from any directory and a repository cannot weaken the schemas it is checked against.

/// The only `apiVersion` this release understands.
pub const API_VERSION: &str = "opsgate/v1";

/// One kind of artifact.
#[derive(Debug)]
pub struct Kind {
    pub name: &'static str,
    /// File name under `schemas/`.
    pub schema_file: &'static str,
    pub schema_source: &'static str,
}

impl Kind {
    /// The first sentence of the schema's `description`.
    pub fn summary(&self) -> String {
        let description = serde_json::from_str::<serde_json::Value>(self.schema_source)
            .ok()
            .and_then(|schema| schema.get("description")?.as_str().map(str::to_owned))
            .unwrap_or_default();
        match description.find(". ") {
            Some(end) => description[..=end].to_owned(),
            None => description,
        }
    }

    pub fn find(name: &str) -> Option<&'static Kind> {
        KINDS.iter().find(|kind| kind.name == name)
    }

    /// The known kind closest in spelling to `name`, for "did you mean" help.
    pub fn closest(name: &str) -> Option<&'static Kind> {
        KINDS
            .iter()
            .map(|kind| {
                (
                    strsim::jaro_winkler(&kind.name.to_lowercase(), &name.to_lowercase()),
                    kind,
                )
            })
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, kind)| kind)
    }
}

macro_rules! kinds {
    ($($name:literal => $file:literal),* $(,)?) => {
        /// Every kind, in the order `opsgate kinds` lists them.
        pub static KINDS: &[Kind] = &[$(Kind {
            name: $name,
            schema_file: $file,
            schema_source: include_str!(concat!("../../schemas/", $file)),
        }),*];
    };
}

kinds! {
    "Person" => "person.schema.json",
    "Service" => "service.schema.json",
    "InformationSecurityPlan" => "information-security-plan.schema.json",
    "SecurityBaseline" => "security-baseline.schema.json",
    "ConfigurationItem" => "configuration-item.schema.json",
    "ProcessPolicy" => "process-policy.schema.json",
    "ChangeRecord" => "change-record.schema.json",
    "ControlImplementation" => "control-implementation.schema.json",
    "IncidentManagementPlan" => "incident-management-plan.schema.json",
    "IncidentRecord" => "incident-record.schema.json",
    "ProblemRecord" => "problem-record.schema.json",
    "ReleaseRecord" => "release-record.schema.json",
    "ServiceLevelAgreement" => "service-level-agreement.schema.json",
    "AvailabilityPlan" => "availability-plan.schema.json",
    "CapacityPlan" => "capacity-plan.schema.json",
    "BusinessImpactAnalysis" => "business-impact-analysis.schema.json",
    "ContinuityPlan" => "continuity-plan.schema.json",
    "ImprovementRegister" => "improvement-register.schema.json",
    "RiskAcceptance" => "risk-acceptance.schema.json",
}

/// The schema every kind schema refers to for shared definitions.
pub const COMMON_SCHEMA_FILE: &str = "common.schema.json";
pub const COMMON_SCHEMA: &str = include_str!("../../schemas/common.schema.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_parsable_schema_with_a_summary() {
        for kind in KINDS {
            let schema: serde_json::Value = serde_json::from_str(kind.schema_source)
                .unwrap_or_else(|e| panic!("{}: {e}", kind.schema_file));
            assert_eq!(schema["title"], kind.name, "{}", kind.schema_file);
            assert!(
                !kind.summary().is_empty(),
                "{} has no description",
                kind.name
            );
        }
    }

    #[test]
    fn misspelled_kinds_get_a_suggestion() {
        assert_eq!(
            Kind::closest("ChangeRecrod").map(|k| k.name),
            Some("ChangeRecord")
        );
        assert!(Kind::closest("Deployment").is_none());
    }
}
