//! Stage 4 — report: findings rendered for people and for machines, one module per format.

pub mod audit_html;
pub mod audit_markdown;
pub mod csv;
pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod oscal;
pub mod period_html;
pub mod period_markdown;
pub mod sanitize;
pub mod sarif;
pub mod snippet;
pub mod text;
