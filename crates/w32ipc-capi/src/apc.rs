//! Asynchronous procedure calls for I/O completion routines (`ReadFileEx`, `WriteFileEx`): each
//! thread that starts such I/O gets a queue; a routine runs on its thread, and only inside an
//! alertable wait (`SleepEx`, `WaitForSingleObjectEx`, `WaitForMultipleObjectsEx` with
//! `bAlertable`), which then returns `WAIT_IO_COMPLETION`.
//!
//! A queue's wake-up is an unnamed auto-reset event, so an alertable wait is an ordinary wait
//! on one more object.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use w32ipc::sync::Event;

use crate::overlapped::OVERLAPPED;
use crate::types::*;

/// `LPOVERLAPPED_COMPLETION_ROUTINE`.
pub type CompletionRoutine =
    Option<unsafe extern "C" fn(dwErrorCode: DWORD, dwBytes: DWORD, lpOverlapped: *mut OVERLAPPED)>;

/// `WAIT_IO_COMPLETION`.
pub const WAIT_IO_COMPLETION: DWORD = 0xC0;

enum Call {
    Io {
        routine: unsafe extern "C" fn(DWORD, DWORD, *mut OVERLAPPED),
        code: DWORD,
        bytes: DWORD,
        ov: *mut OVERLAPPED,
    },
    User {
        routine: unsafe extern "C" fn(ULONG_PTR),
        data: ULONG_PTR,
    },
}

// SAFETY: the pointers are the program's, handed back to its routine on the thread
// that started the I/O, exactly as Windows does; nothing here dereferences it.
unsafe impl Send for Call {}

/// One thread's queue of completion routines to run.
pub struct Queue {
    calls: Mutex<VecDeque<Call>>,
    /// Set when a call is queued; alertable waits wait on it too.
    pub event: Event,
}

static QUEUES: Mutex<Option<HashMap<u32, Arc<Queue>>>> = Mutex::new(None);

/// The queue of thread `tid`, made on first use.
pub fn queue_of(tid: u32) -> std::io::Result<Arc<Queue>> {
    let mut map = QUEUES.lock().unwrap_or_else(|e| e.into_inner());
    let map = map.get_or_insert_with(HashMap::new);
    if let Some(q) = map.get(&tid) {
        return Ok(q.clone());
    }
    let q = Arc::new(Queue {
        calls: Mutex::new(VecDeque::new()),
        event: Event::create(None, false, false)?,
    });
    map.insert(tid, q.clone());
    Ok(q)
}

/// The calling thread's queue.
pub fn own_queue() -> std::io::Result<Arc<Queue>> {
    queue_of(w32ipc::process::current_thread_id())
}

/// Queues `routine(code, bytes, ov)` to run on thread `tid`.
pub fn queue(
    tid: u32,
    routine: unsafe extern "C" fn(DWORD, DWORD, *mut OVERLAPPED),
    code: DWORD,
    bytes: DWORD,
    ov: *mut OVERLAPPED,
) {
    let Ok(q) = queue_of(tid) else { return };
    q.calls
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push_back(Call::Io {
            routine,
            code,
            bytes,
            ov,
        });
    let _ = q.event.set();
}

/// `PAPCFUNC`.
pub type ApcFunction = Option<unsafe extern "C" fn(ULONG_PTR)>;

/// `QueueUserAPC`: queues `pfnAPC(dwData)` to run on the thread `hThread` in its next
/// alertable wait. Returns 0 (with the error) on failure.
#[unsafe(no_mangle)]
pub extern "C" fn QueueUserAPC(pfnAPC: ApcFunction, hThread: HANDLE, dwData: ULONG_PTR) -> DWORD {
    crate::last_error::guard(0, || {
        let r = (|| {
            let Some(routine) = pfnAPC else {
                return crate::last_error::fail(w32ipc::error::ERROR_INVALID_PARAMETER);
            };
            let tid = if crate::handles::is_current_thread(hThread) {
                w32ipc::process::current_thread_id()
            } else {
                w32ipc::thread::id_of(&*crate::handles::borrow(hThread)?)?
            };
            let q = queue_of(tid)?;
            q.calls
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_back(Call::User {
                    routine,
                    data: dwData,
                });
            q.event.set()
        })();
        match r {
            Ok(()) => 1,
            Err(e) => {
                crate::last_error::set_from(&e);
                0
            }
        }
    })
}

/// Runs the calling thread's queued routines, in order; whether any ran.
pub fn run_pending() -> bool {
    let Ok(q) = own_queue() else { return false };
    let mut ran = false;
    loop {
        let next = q
            .calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        let Some(call) = next else { return ran };
        ran = true;
        match call {
            Call::Io {
                routine,
                code,
                bytes,
                ov,
            } => {
                // SAFETY: the program gave this routine for this I/O; it runs on the thread
                // that started the I/O, in an alertable wait, with the program's OVERLAPPED.
                unsafe { routine(code, bytes, ov) }
            }
            Call::User { routine, data } => {
                // SAFETY: the program queued this function and argument to this thread.
                unsafe { routine(data) }
            }
        }
    }
}
