//! Bytes → the loader: whatever the file holds, loading reports findings instead of panicking, and
//! every position it records (findings, artifact starts, the pointer → span index) lies inside the
//! input and agrees with itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod invariants;

fuzz_target!(|bytes: &[u8]| {
    let loaded = invariants::load(bytes);
    let input = invariants::Input::new(bytes);
    input.check_findings(&loaded.findings);
    input.check_workspace(&loaded.workspace);
});
