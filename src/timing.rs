//! `OPSGATE_TIMINGS=1` prints how long each stage took, for profiling and the benchmark.

use std::time::Instant;

pub fn stage_time(stage: &str, since: Instant) {
    if std::env::var_os("OPSGATE_TIMINGS").is_some() {
        eprintln!("opsgate: {stage}: {} ms", since.elapsed().as_millis());
    }
}

/// A figure that explains a timing (e.g. how many artifacts a stage handled).
pub fn note(text: &str) {
    if std::env::var_os("OPSGATE_TIMINGS").is_some() {
        eprintln!("opsgate: {text}");
    }
}
