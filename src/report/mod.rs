//! Stage 4 — report: findings rendered for people and for machines, one module per format.

pub mod json;
pub mod sanitize;
pub mod text;
