//! The client side: opening a pipe by name (`CreateFile` on `\\.\pipe\X`), `WaitNamedPipe`
//! and `CallNamedPipe`.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::end::{PipeEnd, Role};
use super::{PipeName, ReadOutcome};
use crate::error::{
    ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_PIPE_BUSY, ERROR_SEM_TIMEOUT, Win32ErrorExt,
    win32,
};
use crate::object::ObjectKind;
use crate::object::name::file_name_for;
use crate::sys::npipe_table::{self as table, CONNECTED, FATES, FREE, LISTENING, MAX_SLOTS, Table};
use crate::sys::{self, socket};

/// What a client end knows about the instance it is connected to.
pub(crate) struct ClientLink {
    table: Arc<Table>,
    slot: usize,
    session: u32,
    /// The server's (process id, user id), asked of the socket when first wanted.
    server: std::sync::OnceLock<(u32, u32)>,
}

impl ClientLink {
    /// Whether the server ended this connection with `DisconnectNamedPipe`.
    pub(crate) fn disconnected(&self) -> bool {
        self.table.slot(self.slot).disconnected[self.session as usize % FATES]
            .load(Ordering::Acquire)
            == self.session
    }

    /// The server's (process id, user id).
    pub(crate) fn server(&self, sock: BorrowedFd<'_>) -> io::Result<(u32, u32)> {
        if let Some(s) = self.server.get() {
            return Ok(*s);
        }
        let s = socket::peer_cred(sock)?;
        Ok(*self.server.get_or_init(|| s))
    }

    pub(crate) fn sizes(&self) -> (u32, u32) {
        let s = self.table.slot(self.slot);
        (
            s.out_size.load(Ordering::Relaxed),
            s.in_size.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn table(&self) -> &Table {
        &self.table
    }
}

/// Tables of names this process opened before, so a reconnect skips the file system.
static KNOWN: Mutex<Option<HashMap<String, Arc<Table>>>> = Mutex::new(None);

fn known(name: &str) -> Option<Arc<Table>> {
    let map = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    map.as_ref()?.get(name).cloned()
}

fn remember(name: &str, t: &Arc<Table>) {
    let mut map = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    let map = map.get_or_insert_with(HashMap::new);
    if map.len() > 256 {
        map.clear();
    }
    map.insert(name.to_owned(), t.clone());
}

/// The pipe's table, looked up by name: `Ok(None)` when no live instance has the name.
pub(crate) fn resolve(name: &PipeName) -> io::Result<Option<(OwnedFd, Arc<Table>)>> {
    let dir = sys::named::namespace_dir(None)?;
    let Some(fd) = table::open_unlocked(dir.as_fd(), &file_name_for(name.name()))? else {
        return Ok(None);
    };
    if sys::named::kind_of_file(fd.as_fd())? != Some(ObjectKind::NamedPipe) {
        return Ok(None);
    }
    let t = table::get(fd.as_fd())?;
    if !t.is_valid() {
        return Ok(None);
    }
    remember(name.name(), &t);
    Ok(Some((fd, t)))
}

/// Opens a client end of `name` with the given directions.
pub(crate) fn open_end(name: &str, read: bool, write: bool) -> io::Result<PipeEnd> {
    let name = PipeName::parse(name)?;
    if let Some(t) = known(name.name())
        && t.params().closed.load(Ordering::Acquire) == 0
        && let Ok(Some(end)) = claim(&t, read, write)
    {
        return Ok(end);
    }
    let (_fd, t) = resolve(&name)?.ok_or_else(|| win32(ERROR_FILE_NOT_FOUND))?;
    claim(&t, read, write)?.ok_or_else(|| win32(ERROR_FILE_NOT_FOUND))
}

/// Claims a listening instance of `t` and connects to it. `Ok(None)` when no instance is
/// alive; `ERROR_PIPE_BUSY` when all are taken.
fn claim(t: &Arc<Table>, read: bool, write: bool) -> io::Result<Option<PipeEnd>> {
    let p = t.params();
    let access = p.access.load(Ordering::Relaxed);
    // INBOUND (1) carries client → server, OUTBOUND (2) server → client.
    if (read && access & 2 == 0) || (write && access & 1 == 0) {
        return Err(win32(ERROR_ACCESS_DENIED));
    }
    let id = p.id.load(Ordering::Relaxed);
    let high = (p.high.load(Ordering::Acquire) as usize).min(MAX_SLOTS);
    let mut busy = false;
    for i in 0..high {
        let s = t.slot(i);
        match s.state.load(Ordering::Acquire) {
            FREE => continue,
            LISTENING => {}
            _ => {
                busy = true;
                continue;
            }
        }
        if s.state
            .compare_exchange(LISTENING, CONNECTED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            busy = true;
            continue;
        }
        let session = s.session.fetch_add(1, Ordering::AcqRel).wrapping_add(1);
        let message = s.flags.load(Ordering::Relaxed) & 1 != 0;
        let sock = match socket::connect(&table::socket_name(id, i, message)) {
            // The instance may have ended between our claim and our connect, its listener
            // kept for a later instance: then the slot is no longer ours.
            Ok(Some(_))
                if s.state.load(Ordering::Acquire) != CONNECTED
                    || s.session.load(Ordering::Acquire) != session =>
            {
                continue;
            }
            Ok(Some(sock)) => sock,
            Ok(None) => {
                // The instance died or is closing: its slot is free.
                let _ =
                    s.state
                        .compare_exchange(CONNECTED, FREE, Ordering::AcqRel, Ordering::Acquire);
                continue;
            }
            // The slot looked taken while we held it: a client that found every instance
            // busy meanwhile sleeps in WaitNamedPipe, and must hear that it listens again.
            Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
                s.state.store(LISTENING, Ordering::Release);
                super::server::wake_waiters(t);
                busy = true;
                continue;
            }
            Err(e) => {
                s.state.store(LISTENING, Ordering::Release);
                super::server::wake_waiters(t);
                return Err(e);
            }
        };
        socket::set_buffer_sizes(sock.as_fd(), s.in_size.load(Ordering::Relaxed) as usize, 0);
        let link = ClientLink {
            table: t.clone(),
            slot: i,
            session,
            server: std::sync::OnceLock::new(),
        };
        return Ok(Some(PipeEnd::new(
            sock,
            Role::Client(link),
            message,
            false,
            false,
            read,
            write,
        )));
    }
    if busy {
        Err(win32(ERROR_PIPE_BUSY))
    } else {
        Ok(None)
    }
}

/// How long [`wait_named_pipe`] waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitTimeout {
    /// `NMPWAIT_USE_DEFAULT_WAIT`: the time-out the pipe's first instance gave.
    Default,
    /// `NMPWAIT_WAIT_FOREVER`.
    Forever,
    /// This long.
    After(Duration),
}

/// Waits until an instance of `name` is listening (`WaitNamedPipe`). Opening it can still
/// fail with `ERROR_PIPE_BUSY` if another client is quicker.
///
/// ```
/// use std::time::Duration;
/// use w32ipc::npipe::{ServerOptions, WaitTimeout, wait_named_pipe};
/// # let name = format!(r"\\.\pipe\doc-wait-{}", std::process::id());
/// let _server = ServerOptions::new(&name).create()?;
/// wait_named_pipe(&name, WaitTimeout::After(Duration::from_secs(1)))?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// `ERROR_FILE_NOT_FOUND` at once when the name has no instance, and as soon as its last
/// instance closes during the wait; `ERROR_SEM_TIMEOUT` when none started listening in time.
#[doc(alias = "WaitNamedPipeW")]
#[doc(alias = "WaitNamedPipeA")]
pub fn wait_named_pipe(name: &str, timeout: WaitTimeout) -> io::Result<()> {
    let name = PipeName::parse(name)?;
    let (fd, t) = resolve(&name)?.ok_or_else(|| win32(ERROR_FILE_NOT_FOUND))?;
    let p = t.params();
    let deadline = match timeout {
        WaitTimeout::Forever => None,
        WaitTimeout::Default => Some(
            Instant::now()
                + Duration::from_millis(u64::from(p.default_timeout_ms.load(Ordering::Relaxed))),
        ),
        WaitTimeout::After(d) => Some(Instant::now() + d),
    };
    p.waiters.fetch_add(1, Ordering::SeqCst);
    let result = wait_listening(&t, fd.as_fd(), deadline);
    p.waiters.fetch_sub(1, Ordering::SeqCst);
    result
}

fn wait_listening(t: &Table, fd: BorrowedFd<'_>, deadline: Option<Instant>) -> io::Result<()> {
    let p = t.params();
    loop {
        let seen = p.listen_gen.load(Ordering::SeqCst);
        if any_listening(t, fd) {
            return Ok(());
        }
        if p.closed.load(Ordering::SeqCst) != 0 {
            // The last instance closed while we waited: the name is gone (a later instance
            // makes it anew, in a table this wait does not see).
            return Err(win32(ERROR_FILE_NOT_FOUND));
        }
        let watch = [sys::futex::Watch {
            word: &p.listen_gen,
            expected: seen,
            private: false,
        }];
        if !sys::futex::wait_many(&watch, deadline)? {
            return if any_listening(t, fd) {
                Ok(())
            } else {
                Err(win32(ERROR_SEM_TIMEOUT))
            };
        }
    }
}

fn any_listening(t: &Table, fd: BorrowedFd<'_>) -> bool {
    let high = (t.params().high.load(Ordering::Acquire) as usize).min(MAX_SLOTS);
    (0..high)
        .any(|i| t.slot(i).state.load(Ordering::Acquire) == LISTENING && table::slot_alive(fd, i))
}

/// Opens a message pipe, sends `request`, reads the reply into `reply` and closes
/// (`CallNamedPipe`). When every instance is busy it waits up to `timeout` for one.
///
/// # Errors
/// `ERROR_FILE_NOT_FOUND`; `ERROR_SEM_TIMEOUT` when no instance became free in time;
/// `ERROR_INVALID_PARAMETER` for a byte-type pipe (found once connected); `ERROR_MORE_DATA`
/// is not an error here: the outcome says the reply did not fit.
#[doc(alias = "CallNamedPipeW")]
#[doc(alias = "CallNamedPipeA")]
pub fn call_named_pipe(
    name: &str,
    request: &[u8],
    reply: &mut [u8],
    timeout: WaitTimeout,
) -> io::Result<ReadOutcome> {
    let end = match open_end(name, true, true) {
        Err(e) if e.win32_code() == ERROR_PIPE_BUSY => {
            wait_named_pipe(name, timeout)?;
            open_end(name, true, true)?
        }
        other => other?,
    };
    end.set_read_message(true)?;
    end.transact(request, reply)
}

/// A client end of a named pipe (`CreateFile` on `\\.\pipe\X`).
///
/// ```
/// use w32ipc::npipe::{PipeClient, PipeMode, ServerOptions};
/// # let name = format!(r"\\.\pipe\doc-client-{}", std::process::id());
/// let server = ServerOptions::new(&name)
///     .pipe_type(PipeMode::Message)
///     .read_mode(PipeMode::Message)
///     .create()?;
/// let client = PipeClient::open(&name)?;
/// client.set_read_mode(PipeMode::Message)?; // clients start in byte read mode
/// server.write_msg(b"one")?;
/// server.write_msg(b"two")?;
/// let mut buf = [0u8; 8];
/// assert_eq!(client.read_msg(&mut buf)?.len, 3);
/// assert_eq!(&buf[..3], b"one");
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "CreateFileW")]
pub struct PipeClient {
    pub(crate) end: Arc<PipeEnd>,
}

impl PipeClient {
    /// Opens `name` for reading and writing.
    ///
    /// # Errors
    /// `ERROR_FILE_NOT_FOUND` when no instance exists; `ERROR_PIPE_BUSY` when every instance
    /// has a client; `ERROR_ACCESS_DENIED` when the pipe does not carry data in a direction
    /// asked for.
    pub fn open(name: &str) -> io::Result<PipeClient> {
        Self::open_with(name, true, true)
    }

    /// Opens `name` for the directions asked (`GENERIC_READ`, `GENERIC_WRITE`).
    pub fn open_with(name: &str, read: bool, write: bool) -> io::Result<PipeClient> {
        Ok(PipeClient {
            end: Arc::new(open_end(name, read, write)?),
        })
    }

    /// The server's process id (`GetNamedPipeServerProcessId`).
    #[doc(alias = "GetNamedPipeServerProcessId")]
    pub fn server_process_id(&self) -> io::Result<u32> {
        Ok(self.end.peer()?.0)
    }

    /// The server's user id.
    pub fn server_uid(&self) -> io::Result<u32> {
        Ok(self.end.peer()?.1)
    }
}

super::end_methods!(PipeClient);

/// A pipe name of the session, as `w32ipc ls` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipeListing {
    /// The full name (`\\.\pipe\x`, case-folded).
    pub name: String,
    /// Live instances.
    pub instances: u32,
    /// Instances waiting for a client now.
    pub listening: u32,
    /// The name's `nMaxInstances` (255: unlimited).
    pub max_instances: u32,
    /// The server processes holding instances.
    pub servers: Vec<u32>,
}

/// The named pipes of the session.
///
/// ```
/// for p in w32ipc::npipe::list_pipes()? {
///     println!("{} {}/{} listening", p.name, p.listening, p.instances);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn list_pipes() -> io::Result<Vec<PipeListing>> {
    let mut out = Vec::new();
    for l in sys::named::list(None)? {
        if !l.name.starts_with(r"\\.\pipe\") {
            continue;
        }
        let Ok(name) = PipeName::parse(&l.name) else {
            continue;
        };
        // A name may go while we look: skip it.
        let Ok(Some((fd, t))) = resolve(&name) else {
            continue;
        };
        let p = t.params();
        let high = (p.high.load(Ordering::Acquire) as usize).min(MAX_SLOTS);
        let listening = (0..high)
            .filter(|&i| {
                t.slot(i).state.load(Ordering::Acquire) == LISTENING
                    && table::slot_alive(fd.as_fd(), i)
            })
            .count() as u32;
        out.push(PipeListing {
            name: l.name.clone(),
            instances: p.instances.load(Ordering::Acquire),
            listening,
            max_instances: p.max_instances.load(Ordering::Relaxed),
            servers: l.holders,
        });
    }
    Ok(out)
}
