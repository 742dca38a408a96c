//! `OPSGATE_TIMINGS=1` prints how long each stage took, for profiling and the benchmark.

use std::time::Instant;

pub fn stage_time(stage: &str, since: Instant) {
    if std::env::var_os("OPSGATE_TIMINGS").is_some() {
        eprintln!("opsgate: {stage}: {} ms", since.elapsed().as_millis());
    }
}
