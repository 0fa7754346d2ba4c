//! The progress bar of a run, and the log lines that go above it.
//!
//! One bar for the whole run, on standard error: its length grows as each scenario starts
//! (a scenario adds one step per trial of each subject, warm-ups included), its prefix names
//! the mechanism being measured and its message the scenario. The bar is drawn only when
//! standard error is a terminal; otherwise [`log`] lines go to standard error as plain lines,
//! so CI logs and redirected runs read as before. The bar is never touched inside a timed
//! loop: [`step`] runs between trials, and no timer thread redraws it.

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn with_bar(f: impl FnOnce(&ProgressBar)) {
    if let Some(bar) = BAR.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        f(bar);
    }
}

/// The bar of a run, removed when dropped (also when the run fails half-way).
pub struct Bar(());

impl Drop for Bar {
    fn drop(&mut self) {
        finish();
    }
}

/// Starts the bar (drawn only if standard error is a terminal and `show` is true).
pub fn start(show: bool) -> Bar {
    let target = if show {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(0), target);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {elapsed:>4} [{bar:28}] {pos}/{len} trials · {prefix}: {wide_msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    *BAR.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar);
    Bar(())
}

/// Names the mechanism now measured (`2/4 named pipes`).
pub fn mechanism(name: &str) {
    with_bar(|bar| bar.set_prefix(name.to_string()));
}

/// A scenario starts: `steps` more trials to go.
pub fn scenario(name: &str, steps: usize) {
    with_bar(|bar| {
        bar.inc_length(steps as u64);
        bar.set_message(name.to_string());
    });
}

/// One trial done.
pub fn step() {
    with_bar(|bar| bar.inc(1));
}

/// A line for the reader: above the bar when it is drawn, else on standard error.
pub fn log(line: &str) {
    let mut drawn = false;
    with_bar(|bar| {
        if !bar.is_hidden() {
            bar.suspend(|| eprintln!("{line}"));
            drawn = true;
        }
    });
    if !drawn {
        eprintln!("{line}");
    }
}

/// Removes the bar.
fn finish() {
    if let Some(bar) = BAR.lock().unwrap_or_else(|e| e.into_inner()).take() {
        bar.finish_and_clear();
    }
}
