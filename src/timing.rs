//! `OPSGATE_TIMINGS=1` prints how long each stage took, for profiling and the benchmark, with the
//! process's resident memory at the stage's end and its peak so far (Linux), to tell which stage
//! holds what.

use std::time::Instant;

pub fn stage_time(stage: &str, since: Instant) {
    if std::env::var_os("OPSGATE_TIMINGS").is_some() {
        eprintln!(
            "opsgate: {stage}: {} ms{}",
            since.elapsed().as_millis(),
            memory()
        );
    }
}

/// `, 123 MiB resident (peak 150 MiB)`, or nothing where `/proc/self/status` is not there.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(peak)) => {
            format!(", {} MiB resident (peak {} MiB)", rss / 1024, peak / 1024)
        }
        _ => String::new(),
    }
}
