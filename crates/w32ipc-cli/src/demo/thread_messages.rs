//! The seed's message queue between two threads of one process: no window, only thread
//! queues. The worker makes its queue (`PeekMessage`) and posts its id to the main thread;
//! the two play ping-pong with `PostThreadMessage` and `GetMessage`; then the main thread posts
//! a burst and `WM_QUIT`, and the worker's `GetMessage` takes the burst in order and then
//! returns 0 for `WM_QUIT`.

use std::io;
use std::time::{Duration, Instant};

use w32ipc::msg::{self, Filter, MsgWait, WM_APP, WM_QUIT};
use w32ipc::process::Process;

/// The worker tells its thread id (wParam).
const WM_APP_READY: u32 = WM_APP + 1;
/// Main → worker: ping number wParam.
const WM_APP_PING: u32 = WM_APP + 2;
/// Worker → main: pong number wParam.
const WM_APP_PONG: u32 = WM_APP + 3;
/// Main → worker: one of the burst, number wParam.
const WM_APP_DATA: u32 = WM_APP + 4;

const PINGS: usize = 1000;
const BURST: usize = 5000;
const QUIT_CODE: usize = 7;

/// What the worker saw of the burst: how many, whether in order, the sum of the numbers, the
/// WM_QUIT exit code.
struct WorkerReport {
    burst: usize,
    in_order: bool,
    sum: usize,
    quit_code: usize,
}

pub fn run() -> io::Result<()> {
    let start = Instant::now();
    let main_tid = msg::current_thread_id();
    // Our queue exists before the worker posts to it.
    msg::peek_message(Filter::all(), false)?;
    let worker = std::thread::spawn(move || worker(main_tid));
    let ready = get_within(Duration::from_secs(10))?;
    if ready.message != WM_APP_READY {
        return Err(io::Error::other("the worker did not say it was ready"));
    }
    let worker_tid = ready.wparam as u32;

    let mut times = Vec::with_capacity(PINGS);
    for i in 0..PINGS {
        let t = Instant::now();
        msg::post_thread_message(worker_tid, WM_APP_PING, i, 0)?;
        let pong = get_within(Duration::from_secs(10))?;
        times.push(t.elapsed());
        if pong.message != WM_APP_PONG || pong.wparam != i {
            return Err(io::Error::other(format!(
                "ping {i} was answered with message {:#x} number {}",
                pong.message, pong.wparam
            )));
        }
    }
    times.sort();
    let median = times[times.len() / 2];

    let burst_start = Instant::now();
    for i in 0..BURST {
        msg::post_thread_message(worker_tid, WM_APP_DATA, i, 0)?;
    }
    msg::post_thread_message(worker_tid, WM_QUIT, QUIT_CODE, 0)?;
    let report = worker
        .join()
        .map_err(|_| io::Error::other("the worker panicked"))??;
    let burst_took = burst_start.elapsed();
    if report.burst != BURST
        || !report.in_order
        || report.sum != BURST * (BURST - 1) / 2
        || report.quit_code != QUIT_CODE
    {
        return Err(io::Error::other(format!(
            "the worker took {} of {BURST} messages (in order: {}) and WM_QUIT code {}",
            report.burst, report.in_order, report.quit_code
        )));
    }
    println!(
        "thread messages: in process {}, thread {main_tid} started thread {worker_tid}, which made its queue (PeekMessage) and posted its id back; they played {PINGS} rounds of ping-pong with PostThreadMessage and GetMessage (median round trip {}); then thread {main_tid} posted {BURST} messages and WM_QUIT: thread {worker_tid}'s GetMessage took all {BURST} in order, then returned 0 for WM_QUIT (exit code {QUIT_CODE}) — {}",
        Process::current_id(),
        super::took(median),
        super::took(start.elapsed()),
    );
    println!(
        "  the burst of {BURST} posts and their GetMessage took {}",
        super::took(burst_took)
    );
    Ok(())
}

/// The next message of this thread's queue, waiting at most `patience`
/// (`MsgWaitForMultipleObjects` with no object, then `PeekMessage`): `GetMessage` would wait
/// for good if the worker died.
fn get_within(patience: Duration) -> io::Result<msg::Msg> {
    let until = Instant::now() + patience;
    let how = MsgWait {
        input_available: true,
        ..MsgWait::default()
    };
    loop {
        if let Some(m) = msg::peek_message(Filter::all(), true)? {
            return Ok(m);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::other("no message from the worker thread"));
        }
        msg::wait_objects_or_messages(&[], Some(left), how)?;
    }
}

/// The worker: makes its queue, says so, answers pings, takes the burst until WM_QUIT.
fn worker(main_tid: u32) -> io::Result<WorkerReport> {
    // The first message call makes the thread's queue (PostThreadMessage to a thread without
    // one fails with ERROR_INVALID_THREAD_ID).
    msg::peek_message(Filter::all(), false)?;
    msg::post_thread_message(main_tid, WM_APP_READY, msg::current_thread_id() as usize, 0)?;
    let mut report = WorkerReport {
        burst: 0,
        in_order: true,
        sum: 0,
        quit_code: 0,
    };
    loop {
        // GetMessage: 0 (here: is_quit) for WM_QUIT.
        let m = msg::get_message(Filter::all())?;
        match m.message {
            WM_QUIT => {
                report.quit_code = m.wparam;
                return Ok(report);
            }
            WM_APP_PING => msg::post_thread_message(main_tid, WM_APP_PONG, m.wparam, 0)?,
            WM_APP_DATA => {
                report.in_order &= m.wparam == report.burst;
                report.burst += 1;
                report.sum += m.wparam;
            }
            _ => {}
        }
    }
}
