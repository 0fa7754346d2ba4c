//! The seed document's message queue between two threads of one process: no window, only the
//! threads' own queues (`PostThreadMessage` / `GetMessage`), ended by `WM_QUIT`.
//!
//! ```text
//! cargo run -p w32ipc --example msg_threads            # 10 jobs
//! cargo run -p w32ipc --example msg_threads -- 1000    # up to 10 000, a queue's limit
//! ```
//!
//! The main thread starts a worker. The worker makes its queue (its first message call,
//! `PeekMessage`; a thread without a queue cannot be posted to: `ERROR_INVALID_THREAD_ID`) and
//! posts its thread id to the main thread. The main thread posts jobs (`WM_APP_JOB`, the
//! number in `wParam`); the worker squares each and posts the answer back (`WM_APP_DONE`).
//! Last, the main thread posts `WM_QUIT`: the worker's `GetMessage` returns 0 (here:
//! [`Msg::is_quit`](w32ipc::msg::Msg::is_quit)) once the earlier messages are taken, and the
//! worker's loop ends with `WM_QUIT`'s `wParam` as its exit code.

use std::io;
use std::process::ExitCode;

use w32ipc::msg::{self, Filter, WM_APP, WM_QUIT};

/// Worker → main: "my queue exists; my thread id is wParam".
const WM_APP_READY: u32 = WM_APP + 1;
/// Main → worker: square wParam.
const WM_APP_JOB: u32 = WM_APP + 2;
/// Worker → main: wParam squared is lParam.
const WM_APP_DONE: u32 = WM_APP + 3;

fn main() -> ExitCode {
    let jobs = match std::env::args().nth(1).map(|n| n.parse::<usize>()) {
        None => 10,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: msg_threads [JOBS]");
            return ExitCode::from(2);
        }
    };
    match run(jobs) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("msg_threads: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(jobs: usize) -> io::Result<()> {
    let main_tid = msg::current_thread_id();
    // Our own queue must exist before the worker posts to it.
    msg::peek_message(Filter::all(), false)?;
    let worker = std::thread::spawn(move || worker(main_tid));

    let ready = msg::get_message(Filter::all())?;
    assert_eq!(ready.message, WM_APP_READY);
    let worker_tid = ready.wparam as u32;
    println!("main thread {main_tid}: worker thread {worker_tid} is ready");

    for n in 0..jobs {
        msg::post_thread_message(worker_tid, WM_APP_JOB, n, 0)?;
    }
    let mut sum = 0isize;
    for _ in 0..jobs {
        let m = msg::get_message(Filter::range(WM_APP_DONE, WM_APP_DONE))?;
        if jobs <= 10 {
            println!("main thread: {}² = {}", m.wparam, m.lparam);
        }
        sum += m.lparam;
    }
    println!("main thread: {jobs} answers, their sum is {sum}");

    // PostThreadMessage(worker, WM_QUIT, 3, 0): the worker's GetMessage returns 0.
    msg::post_thread_message(worker_tid, WM_QUIT, 3, 0)?;
    let code = worker
        .join()
        .map_err(|_| io::Error::other("the worker panicked"))??;
    println!("main thread: the worker's message loop ended with exit code {code}");
    Ok(())
}

/// The worker's message loop: `while (GetMessage(&msg, NULL, 0, 0)) { … }`.
fn worker(main_tid: u32) -> io::Result<usize> {
    msg::peek_message(Filter::all(), false)?; // makes this thread's queue
    let me = msg::current_thread_id();
    msg::post_thread_message(main_tid, WM_APP_READY, me as usize, 0)?;
    let mut done = 0;
    loop {
        let m = msg::get_message(Filter::all())?;
        if m.is_quit() {
            println!("worker thread {me}: WM_QUIT after {done} jobs");
            return Ok(m.wparam);
        }
        if m.message == WM_APP_JOB {
            let n = m.wparam;
            msg::post_thread_message(main_tid, WM_APP_DONE, n, (n * n) as isize)?;
            done += 1;
        }
    }
}
