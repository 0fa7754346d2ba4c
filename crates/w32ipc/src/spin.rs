//! Spinning before sleeping, for waits whose other side runs on another CPU.
//!
//! Waking a sleeping thread on another CPU costs tens of microseconds on a virtual machine (the
//! hypervisor wakes the idle virtual CPU); a thread that keeps looking for a few microseconds
//! instead catches an answer that comes that fast. The rules, one place for every wait that
//! spins (`SendMessage`'s reply, `GetMessage` after an exchange, event and semaphore waits):
//!
//! * never when the other side last ran on this CPU (it could not run while we spin), nor on a
//!   machine with one CPU;
//! * at most an adaptive budget per thread, 5–200 µs: doubled when a spin catches the change,
//!   halved when it runs out, and raised after a sleep that ended soon after a spin gave up.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::sys;

/// The longest and shortest spin before sleeping.
pub(crate) const MAX: Duration = Duration::from_micros(200);
pub(crate) const MIN: Duration = Duration::from_micros(5);

thread_local! {
    static BUDGET: Cell<Duration> = const { Cell::new(Duration::from_micros(50)) };
}

pub(crate) use sys::process::current_cpu;

/// Whether spinning for a side that last ran on `cpu` can pay off: another CPU, on a machine
/// with more than one.
pub(crate) fn worth(cpu: u32) -> bool {
    sys::process::many_cpus() && cpu != current_cpu()
}

/// Spins until `changed` says so (true) or the thread's budget — or `deadline`, if sooner —
/// runs out (false), and adapts the budget.
pub(crate) fn until(deadline: Option<Instant>, mut changed: impl FnMut() -> bool) -> bool {
    let budget = BUDGET.with(Cell::get);
    let start = Instant::now();
    let end = deadline.map_or(start + budget, |d| d.min(start + budget));
    loop {
        for _ in 0..64 {
            if changed() {
                BUDGET.with(|b| b.set((budget * 2).min(MAX)));
                return true;
            }
            std::hint::spin_loop();
        }
        if Instant::now() >= end {
            BUDGET.with(|b| b.set((budget / 2).max(MIN)));
            return false;
        }
    }
}

/// After a sleep of `slept` that followed a spin: an answer that came soon after the spin gave
/// up means the next spin should wait a little longer.
pub(crate) fn slept(slept: Duration) {
    if slept < MAX {
        BUDGET.with(|b| b.set(b.get().max(slept + slept / 2).min(MAX)));
    }
}
