//! Overlapped I/O on named pipes opened with `FILE_FLAG_OVERLAPPED`: an operation that cannot
//! finish at once returns `ERROR_IO_PENDING` and is finished by one I/O thread per process,
//! which polls the pipes' sockets, retries the operation's non-blocking step when one is
//! ready, and on completion fills `OVERLAPPED.Internal`/`InternalHigh`, sets `hEvent` and queues
//! the completion routine (`ReadFileEx`/`WriteFileEx`). Also `GetOverlappedResult(Ex)`,
//! `CancelIo` and `CancelIoEx`.

use std::collections::HashMap;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use w32ipc::error::{
    ERROR_BAD_PIPE, ERROR_BROKEN_PIPE, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER,
    ERROR_IO_INCOMPLETE, ERROR_IO_PENDING, ERROR_MORE_DATA, ERROR_NO_DATA, ERROR_NOT_FOUND,
    ERROR_OPERATION_ABORTED, ERROR_PIPE_NOT_CONNECTED, Win32ErrorExt,
};
use w32ipc::io::readiness::{Ready, Waker};
use w32ipc::npipe::PipeHandle;

use crate::last_error::SetLastError;
use crate::types::*;

/// `OVERLAPPED`.
#[repr(C)]
pub struct OVERLAPPED {
    pub Internal: ULONG_PTR,
    pub InternalHigh: ULONG_PTR,
    pub Offset: DWORD,
    pub OffsetHigh: DWORD,
    pub hEvent: HANDLE,
}

/// `STATUS_PENDING`: `Internal` while the operation runs.
pub const STATUS_PENDING: ULONG_PTR = 0x103;

/// Win32 codes and the NTSTATUS values `Internal` holds for them.
const STATUSES: &[(DWORD, ULONG_PTR)] = &[
    (0, 0),
    (ERROR_MORE_DATA, 0x8000_0005),
    (ERROR_BROKEN_PIPE, 0xC000_014B),
    (ERROR_OPERATION_ABORTED, 0xC000_0120),
    (ERROR_PIPE_NOT_CONNECTED, 0xC000_00B0),
    (ERROR_NO_DATA, 0xC000_00B1),
    (ERROR_BAD_PIPE, 0xC000_00AD),
    (ERROR_INVALID_HANDLE, 0xC000_0008),
];

/// The `Internal` value for a Win32 result code.
pub fn status_of(code: DWORD) -> ULONG_PTR {
    STATUSES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, s)| *s)
        .unwrap_or(0xE000_0000 | code as ULONG_PTR)
}

/// The Win32 result code an `Internal` value stands for.
pub fn code_of(status: ULONG_PTR) -> DWORD {
    STATUSES
        .iter()
        .find(|(_, s)| *s == status)
        .map(|(c, _)| *c)
        .unwrap_or((status & 0xFFFF) as DWORD)
}

/// What an operation does, with its progress so far.
pub enum Work {
    Read {
        buf: *mut u8,
        len: usize,
        done: usize,
    },
    Write {
        buf: *const u8,
        len: usize,
        done: usize,
    },
    Connect,
    Transact {
        req: *const u8,
        req_len: usize,
        sent: usize,
        reply: *mut u8,
        reply_len: usize,
        got: usize,
        reading: bool,
    },
}

/// A completion routine (`ReadFileEx`/`WriteFileEx`) and the thread it runs on.
pub type Routine = (unsafe extern "C" fn(DWORD, DWORD, *mut OVERLAPPED), u32);

struct Op {
    pipe: PipeHandle,
    handle: usize,
    ov: *mut OVERLAPPED,
    work: Work,
    thread: u32,
    routine: Option<Routine>,
}

// SAFETY: the buffers and OVERLAPPED are the program's, which Win32 requires to stay valid
// until the operation completes; the I/O thread touches them only while the operation is
// pending, as the kernel would on Windows.
unsafe impl Send for Op {}

impl Op {
    /// Operations in one lane of one handle run in the order they were started, one at a time
    /// (a message is never interleaved with another): reads, writes (and transactions), connects.
    fn lane(&self) -> u8 {
        match self.work {
            Work::Read { .. } => 0,
            Work::Write { .. } | Work::Transact { .. } => 1,
            Work::Connect => 2,
        }
    }

    /// The descriptor to poll and whether to wait for input (else output).
    fn interest(&self) -> (RawFd, bool) {
        match &self.work {
            Work::Connect => (self.pipe.listener().map_or(-1, |l| l.as_raw_fd()), true),
            Work::Read { .. } => (self.pipe.fd().as_raw_fd(), true),
            Work::Write { .. } => (self.pipe.fd().as_raw_fd(), false),
            Work::Transact { reading, .. } => (self.pipe.fd().as_raw_fd(), *reading),
        }
    }

    /// One non-blocking step: `Some((code, bytes))` when finished.
    fn attempt(&mut self) -> Option<(DWORD, usize)> {
        let code = |e: std::io::Error| e.win32_code();
        match &mut self.work {
            Work::Read { buf, len, done } => {
                // SAFETY: the program's buffer of `len` bytes, valid until completion.
                let b = unsafe { slice_mut(*buf, *len) };
                match self.pipe.try_read(b, done) {
                    Ok(Some(r)) => Some((if r.more { ERROR_MORE_DATA } else { 0 }, r.len)),
                    Ok(None) => None,
                    Err(e) => Some((code(e), *done)),
                }
            }
            Work::Write { buf, len, done } => {
                // SAFETY: the program's buffer of `len` bytes, valid until completion.
                let b = unsafe { slice(*buf, *len) };
                match self.pipe.try_write(b, done) {
                    Ok(Some(n)) => Some((0, n)),
                    Ok(None) => None,
                    Err(e) => Some((code(e), 0)),
                }
            }
            Work::Connect => match self.pipe.connect_arrived() {
                Ok(true) => Some((0, 0)),
                Ok(false) => None,
                Err(e) => Some((code(e), 0)),
            },
            Work::Transact {
                req,
                req_len,
                sent,
                reply,
                reply_len,
                got,
                reading,
            } => {
                if !*reading {
                    // SAFETY: the program's request buffer, valid until completion.
                    let b = unsafe { slice(*req, *req_len) };
                    match self.pipe.try_write(b, sent) {
                        Ok(Some(_)) => *reading = true,
                        Ok(None) => return None,
                        Err(e) => return Some((code(e), 0)),
                    }
                }
                // SAFETY: the program's reply buffer, valid until completion.
                let b = unsafe { slice_mut(*reply, *reply_len) };
                match self.pipe.try_read(b, got) {
                    Ok(Some(r)) => Some((if r.more { ERROR_MORE_DATA } else { 0 }, r.len)),
                    Ok(None) => None,
                    Err(e) => Some((code(e), *got)),
                }
            }
        }
    }
}

/// # Safety
/// `p` is valid for `len` bytes (or `len` is 0).
unsafe fn slice<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || p.is_null() {
        &[]
    } else {
        // SAFETY: per the caller.
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}

/// # Safety
/// `p` is valid for writes of `len` bytes (or `len` is 0).
unsafe fn slice_mut<'a>(p: *mut u8, len: usize) -> &'a mut [u8] {
    if len == 0 || p.is_null() {
        &mut []
    } else {
        // SAFETY: per the caller.
        unsafe { std::slice::from_raw_parts_mut(p, len) }
    }
}

struct Engine {
    ops: Mutex<HashMap<u64, Op>>,
    next: AtomicU64,
    /// Wakes the I/O thread when the set of operations changes.
    waker: Waker,
    /// Completions so far, for `GetOverlappedResult` without an event.
    done: Mutex<u64>,
    done_cv: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

static ENGINE: OnceLock<&'static Engine> = OnceLock::new();

fn engine() -> &'static Engine {
    ENGINE.get_or_init(|| {
        let e: &'static Engine = Box::leak(Box::new(Engine {
            ops: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            waker: Waker::new().expect("an eventfd for the I/O thread"),
            done: Mutex::new(0),
            done_cv: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("w32ipc-io".into())
            .spawn(move || run(e))
            .expect("the I/O thread");
        e
    })
}

/// The I/O thread: waits for the pending operations' descriptors and finishes what it can.
fn run(e: &'static Engine) {
    loop {
        let (ids, interest): (Vec<u64>, Vec<(RawFd, bool)>) = lock(&e.ops)
            .iter()
            .map(|(id, op)| (*id, op.interest()))
            .unzip();
        let Ok(ready) = e.waker.wait(&interest) else {
            continue;
        };
        if ready.iter().all(|r| *r == Ready::No) {
            continue;
        }
        let mut ready: Vec<(u64, Ready)> = ids
            .into_iter()
            .zip(ready)
            .filter(|(_, r)| *r != Ready::No)
            .collect();
        ready.sort_unstable_by_key(|(id, _)| *id);
        let mut ops = lock(&e.ops);
        for (id, r) in ready {
            let Some(op) = ops.get(&id) else { continue };
            let (handle, lane) = (op.handle, op.lane());
            if ops
                .iter()
                .any(|(other, o)| *other < id && o.handle == handle && o.lane() == lane)
            {
                continue;
            }
            let Some(op) = ops.get_mut(&id) else { continue };
            let result = if r == Ready::Closed {
                Some((ERROR_OPERATION_ABORTED, 0))
            } else {
                op.attempt()
            };
            if let Some((code, bytes)) = result
                && let Some(op) = ops.remove(&id)
            {
                complete(e, op, code, bytes);
            }
        }
    }
}

/// Publishes an operation's result: `Internal`/`InternalHigh`, the event, the routine.
fn complete(e: &Engine, op: Op, code: DWORD, bytes: usize) {
    publish(op.ov, code, bytes);
    // SAFETY: the program's OVERLAPPED, valid until completion (which is now).
    let event = unsafe { (*op.ov).hEvent };
    if !event.is_null() && op.routine.is_none() {
        crate::sync::SetEvent(event);
    }
    if let Some((routine, tid)) = op.routine {
        crate::apc::queue(tid, routine, code, bytes as DWORD, op.ov);
    }
    *lock(&e.done) += 1;
    e.done_cv.notify_all();
}

fn publish(ov: *mut OVERLAPPED, code: DWORD, bytes: usize) {
    // SAFETY: the program's OVERLAPPED, valid until the operation completes; written with
    // volatile stores (the program may poll it, as HasOverlappedIoCompleted does), the count
    // before the status.
    unsafe {
        std::ptr::write_volatile(&raw mut (*ov).InternalHigh, bytes);
        fence(Ordering::Release);
        std::ptr::write_volatile(&raw mut (*ov).Internal, status_of(code));
    }
}

/// Starts an overlapped operation on `pipe`: finishes it at once if it can (`TRUE`, or
/// `FALSE` with its error), else hands it to the I/O thread (`FALSE`, `ERROR_IO_PENDING`). With
/// a `routine`, success is `TRUE` either way and the routine reports the result. A connect
/// that succeeds at once is reported as pending (already completed), as Windows does.
///
/// # Safety
/// `ov` and the buffers in `work` stay valid until the operation completes.
pub unsafe fn start(
    pipe: PipeHandle,
    handle: HANDLE,
    ov: *mut OVERLAPPED,
    work: Work,
    routine: Option<unsafe extern "C" fn(DWORD, DWORD, *mut OVERLAPPED)>,
    transferred: *mut DWORD,
) -> BOOL {
    // SAFETY: per the caller.
    let event = unsafe { (*ov).hEvent };
    if routine.is_none() && !event.is_null() {
        crate::sync::ResetEvent(event);
    }
    // SAFETY: per the caller.
    unsafe {
        std::ptr::write_volatile(&raw mut (*ov).InternalHigh, 0);
        std::ptr::write_volatile(&raw mut (*ov).Internal, STATUS_PENDING);
    }
    let thread = w32ipc::process::current_thread_id();
    let mut op = Op {
        pipe,
        handle: handle as usize,
        ov,
        work,
        thread,
        routine: routine.map(|r| (r, thread)),
    };
    let e = engine();
    let (h, lane) = (op.handle, op.lane());
    let queued_behind = lock(&e.ops)
        .values()
        .any(|o| o.handle == h && o.lane() == lane);
    let first = if queued_behind { None } else { op.attempt() };
    match first {
        // An overlapped ConnectNamedPipe never succeeds within the call (Microsoft: FALSE with
        // ERROR_IO_PENDING, or ERROR_PIPE_CONNECTED for a client that came before the call,
        // which ConnectNamedPipe tells apart first). A client that came since then completes
        // the pending listen at once: the event is set, and the call still says pending.
        Some((0, bytes)) if matches!(op.work, Work::Connect) => {
            complete(e, op, 0, bytes);
            SetLastError(ERROR_IO_PENDING);
            0
        }
        Some((code, bytes)) if code == 0 || code == ERROR_MORE_DATA => {
            let ex = op.routine.is_some();
            complete(e, op, code, bytes);
            if !transferred.is_null() {
                // SAFETY: a non-null out-pointer from the caller.
                unsafe { *transferred = bytes as DWORD };
            }
            SetLastError(if ex { 0 } else { code });
            BOOL::from(code == 0 || ex)
        }
        Some((code, bytes)) => {
            publish(ov, code, bytes);
            SetLastError(code);
            0
        }
        None => {
            let id = e.next.fetch_add(1, Ordering::Relaxed);
            let ex = op.routine.is_some();
            lock(&e.ops).insert(id, op);
            e.waker.wake();
            if ex {
                SetLastError(0);
                1
            } else {
                SetLastError(ERROR_IO_PENDING);
                0
            }
        }
    }
}

/// Cancels the pending operations on `handle` that `matches` accepts; how many.
fn cancel(handle: HANDLE, matches: impl Fn(&Op) -> bool) -> usize {
    let e = engine();
    let mut ops = lock(&e.ops);
    let ids: Vec<u64> = ops
        .iter()
        .filter(|(_, op)| op.handle == handle as usize && matches(op))
        .map(|(id, _)| *id)
        .collect();
    for id in &ids {
        if let Some(op) = ops.remove(id) {
            complete(e, op, ERROR_OPERATION_ABORTED, 0);
        }
    }
    drop(ops);
    e.waker.wake();
    ids.len()
}

/// Cancels every pending operation on `handle` (it is being closed). Does nothing, and starts
/// no I/O thread, when no overlapped operation was ever started.
pub fn cancel_all(handle: HANDLE) {
    if ENGINE.get().is_some() {
        cancel(handle, |_| true);
    }
}

/// `CancelIo`: cancels the calling thread's pending operations on the handle.
#[unsafe(no_mangle)]
pub extern "C" fn CancelIo(hFile: HANDLE) -> BOOL {
    crate::last_error::boolean(|| {
        crate::handles::borrow(hFile)?;
        let me = w32ipc::process::current_thread_id();
        cancel(hFile, |op| op.thread == me);
        Ok(())
    })
}

/// `CancelIoEx`: cancels the pending operation `lpOverlapped` on the handle (every pending
/// operation on it, from any thread, if `NULL`); `ERROR_NOT_FOUND` when there was none.
#[unsafe(no_mangle)]
pub extern "C" fn CancelIoEx(hFile: HANDLE, lpOverlapped: *mut OVERLAPPED) -> BOOL {
    crate::last_error::boolean(|| {
        crate::handles::borrow(hFile)?;
        let n = cancel(hFile, |op| lpOverlapped.is_null() || op.ov == lpOverlapped);
        if n == 0 {
            return crate::last_error::fail(ERROR_NOT_FOUND);
        }
        Ok(())
    })
}

/// `GetOverlappedResult`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetOverlappedResult(
    hFile: HANDLE,
    lpOverlapped: *mut OVERLAPPED,
    lpNumberOfBytesTransferred: *mut DWORD,
    bWait: BOOL,
) -> BOOL {
    let ms = if bWait != 0 { INFINITE } else { 0 };
    // SAFETY: forwarded unchanged.
    unsafe { GetOverlappedResultEx(hFile, lpOverlapped, lpNumberOfBytesTransferred, ms, 0) }
}

/// `GetOverlappedResultEx`: the result of an overlapped operation, waiting up to
/// `dwMilliseconds` for it (`ERROR_IO_INCOMPLETE` without waiting, `WAIT_TIMEOUT` after).
/// A pending operation with an event is waited for on that event, as Windows does.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetOverlappedResultEx(
    _hFile: HANDLE,
    lpOverlapped: *mut OVERLAPPED,
    lpNumberOfBytesTransferred: *mut DWORD,
    dwMilliseconds: DWORD,
    bAlertable: BOOL,
) -> BOOL {
    crate::last_error::guard(0, || {
        if lpOverlapped.is_null() {
            SetLastError(ERROR_INVALID_PARAMETER);
            return 0;
        }
        let ov = lpOverlapped;
        let deadline = crate::wait::timeout(dwMilliseconds).map(|d| Instant::now() + d);
        let mut waited_event = false;
        loop {
            // SAFETY: the program's OVERLAPPED.
            let status = unsafe { std::ptr::read_volatile(&raw const (*ov).Internal) };
            if status != STATUS_PENDING {
                fence(Ordering::Acquire);
                // SAFETY: as above.
                let bytes = unsafe { std::ptr::read_volatile(&raw const (*ov).InternalHigh) };
                if !lpNumberOfBytesTransferred.is_null() {
                    // SAFETY: a non-null out-pointer from the caller.
                    unsafe { *lpNumberOfBytesTransferred = bytes as DWORD };
                }
                let code = code_of(status);
                SetLastError(code);
                return BOOL::from(code == 0);
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if dwMilliseconds == 0 {
                SetLastError(ERROR_IO_INCOMPLETE);
                return 0;
            }
            if left == Some(Duration::ZERO) {
                SetLastError(crate::wait::WAIT_TIMEOUT);
                return 0;
            }
            if bAlertable != 0 && crate::apc::run_pending() {
                SetLastError(crate::apc::WAIT_IO_COMPLETION);
                return 0;
            }
            // SAFETY: as above.
            let event = unsafe { (*ov).hEvent };
            if !event.is_null() && !waited_event {
                waited_event = true;
                let ms = left.map_or(INFINITE, |l| l.as_millis().min(u32::MAX as u128 - 1) as u32);
                if crate::wait::WaitForSingleObjectEx(event, ms, bAlertable)
                    == crate::apc::WAIT_IO_COMPLETION
                {
                    SetLastError(crate::apc::WAIT_IO_COMPLETION);
                    return 0;
                }
                continue;
            }
            let e = engine();
            let seen = lock(&e.done);
            // SAFETY: as above.
            if unsafe { std::ptr::read_volatile(&raw const (*ov).Internal) } != STATUS_PENDING {
                continue;
            }
            let most = if bAlertable != 0 {
                Duration::from_millis(10)
            } else {
                Duration::from_secs(1)
            };
            let slice = left.unwrap_or(most).min(most);
            let _ = e.done_cv.wait_timeout(seen, slice);
        }
    })
}

/// Whether `fd` belongs to an overlapped named pipe (the C functions' dispatch).
pub fn overlapped_pipe(fd: BorrowedFd<'_>) -> Option<PipeHandle> {
    PipeHandle::of_fd(fd.as_fd()).filter(|p| p.is_overlapped())
}
