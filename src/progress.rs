//! A progress bar on stderr for runs that take a while.
//!
//! Only a person at a terminal sees it: the command line turns it on for text output when stderr is
//! a terminal and `CI` is unset, and it appears only once the run has taken a second (a pre-commit
//! hook that finishes in 200 ms never flickers). The stages only bump an atomic counter; a
//! separate thread draws, so checking is not slowed down by drawing.
//!
//! It is process-wide on purpose, like a logger: the stages deep in the pipeline report progress
//! without every function signature carrying a handle.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(false);
static FINISHED: AtomicBool = AtomicBool::new(false);
static DONE: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);
static STAGE: Mutex<&str> = Mutex::new("reading files");
static DRAWER: Mutex<Option<JoinHandle<()>>> = Mutex::new(None);

/// How long a run goes before the bar appears; `OPSGATE_PROGRESS_AFTER_MS` overrides it (tests).
fn delay() -> Duration {
    std::env::var("OPSGATE_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// Whether a bar may be shown at all: a person is watching stderr, and this is not a CI log.
pub fn wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// Starts the drawing thread; it draws nothing until the delay has passed.
pub fn start() {
    if ENABLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let started = Instant::now();
    let delay = delay();
    let handle = std::thread::spawn(move || {
        while started.elapsed() < delay {
            if FINISHED.load(Ordering::Acquire) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        draw_until_finished();
    });
    if let Ok(mut drawer) = DRAWER.lock() {
        *drawer = Some(handle);
    }
}

fn draw_until_finished() {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let counted =
        ProgressStyle::with_template("{spinner} {msg:<20} {wide_bar} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    let uncounted = ProgressStyle::with_template("{spinner} {msg:<20} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let mut shown_total = None;
    let mut update = |bar: &ProgressBar| {
        let stage = STAGE.lock().map(|s| *s).unwrap_or("working");
        let total = TOTAL.load(Ordering::Relaxed);
        if shown_total != Some(total) {
            bar.set_style(if total == 0 {
                uncounted.clone()
            } else {
                counted.clone()
            });
            shown_total = Some(total);
        }
        bar.set_message(stage);
        bar.set_length(total as u64);
        bar.set_position(DONE.load(Ordering::Relaxed) as u64);
    };
    while !FINISHED.load(Ordering::Acquire) {
        update(&bar);
        bar.tick();
        std::thread::sleep(Duration::from_millis(80));
    }
    // The last stage is shown once however quickly it went, then the bar makes way for the result.
    update(&bar);
    bar.force_draw();
    bar.finish_and_clear();
}

/// A new stage with `total` steps (0 when unknown).
pub fn stage(name: &'static str, total: usize) {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    if let Ok(mut stage) = STAGE.lock() {
        *stage = name;
    }
    DONE.store(0, Ordering::Relaxed);
    TOTAL.store(total, Ordering::Relaxed);
}

/// One step of the current stage done.
pub fn tick() {
    if ENABLED.load(Ordering::Relaxed) {
        DONE.fetch_add(1, Ordering::Relaxed);
    }
}

/// Clears the bar (before anything else is printed) and stops the thread.
pub fn finish() {
    if !ENABLED.load(Ordering::SeqCst) {
        return;
    }
    FINISHED.store(true, Ordering::Release);
    let handle = DRAWER.lock().ok().and_then(|mut drawer| drawer.take());
    if let Some(handle) = handle {
        let _ = handle.join();
    }
}
