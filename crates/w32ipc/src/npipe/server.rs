//! The server side: pipe instances (`CreateNamedPipe`), `ConnectNamedPipe` and
//! `DisconnectNamedPipe`.
//!
//! An instance owns an abstract Unix listener for its whole life, named after its table and
//! slot (see `sys::npipe_table`), and a handle descriptor that refers to the listener while no
//! client is connected and to the accepted connection while one is (`dup3` swaps what the
//! descriptor refers to, so the handle value never changes).

use std::collections::HashMap;
use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::end::{PipeEnd, Role};
use super::options::{ServerOptions, UNLIMITED_INSTANCES};
use super::{PipeMode, PipeName};
use crate::error::{
    ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, ERROR_NO_DATA, ERROR_PIPE_BUSY,
    ERROR_PIPE_CONNECTED, ERROR_PIPE_LISTENING, ERROR_PIPE_NOT_CONNECTED, win32,
};
use crate::object::ObjectKind;
use crate::object::name::file_name_for;
use crate::sys::npipe_table::{
    self as table, CONNECTED, DISCONNECTED, FREE, LISTENING, MAX_SLOTS, RESERVED, Table,
};
use crate::sys::{self, socket};

/// This process's hold on a pipe name: one open description of the name's file, shared by all
/// the instances this process has of the name. Its shared `flock` keeps the name alive; each
/// instance's slot is an OFD lock on its own byte of it. The last instance takes the hold (and,
/// if no other process has one, the name) with it.
pub(crate) struct NameHold {
    fd: ManuallyDrop<OwnedFd>,
    stat: rustix::fs::Stat,
    full_name: String,
    pub(crate) table: Arc<Table>,
    /// Instances of this process are made one at a time: they share the description, so two
    /// threads would both get a slot's lock and one would release the other's. The lock also
    /// guards the listeners of ended instances, kept bound for the next instance (a listener
    /// costs three system calls to make).
    making: Mutex<Vec<Parked>>,
    /// This process's id (for the slot's record).
    pid: u32,
    /// The user this process runs as, when it took the hold.
    uid: u32,
}

/// A listener of an ended instance, still bound to its slot's name, with its slot free.
struct Parked {
    slot: usize,
    message: bool,
    listener: OwnedFd,
}

/// At most this many listeners wait for reuse per name.
const PARKED_MAX: usize = 64;

impl Drop for NameHold {
    fn drop(&mut self) {
        // SAFETY: taken exactly once, here.
        let fd = unsafe { ManuallyDrop::take(&mut self.fd) };
        sys::named::close(fd, &self.stat, &self.full_name);
    }
}

type Holds = HashMap<String, Weak<NameHold>>;
static HOLDS: Mutex<Option<Holds>> = Mutex::new(None);

impl NameHold {
    /// This process's hold on `name`, creating the name (with these parameters) if needed.
    fn get(name: &PipeName, opts: &ServerOptions) -> io::Result<Arc<NameHold>> {
        let mut holds = lock(&HOLDS);
        let holds = holds.get_or_insert_with(HashMap::new);
        if let Some(h) = holds.get(name.name()).and_then(Weak::upgrade) {
            return Ok(h);
        }
        let dir = sys::named::namespace_dir(None)?;
        let full_name = format!(r"\\.\pipe\{}", name.name());
        let access = opts.access.bits();
        let (fd, created) = sys::named::create_or_open(
            dir.as_fd(),
            &file_name_for(name.name()),
            ObjectKind::NamedPipe,
            &full_name,
            &mut |fd| table::init(fd, access, opts.max_instances, opts.timeout_ms()),
        )?;
        let stat = rustix::fs::fstat(&fd).map_err(crate::error::from_os)?;
        let checked = (|| {
            if !created && sys::named::kind_of_file(fd.as_fd())? != Some(ObjectKind::NamedPipe) {
                return Err(win32(ERROR_ACCESS_DENIED));
            }
            let table = table::get(fd.as_fd())?;
            if !table.is_valid() {
                return Err(win32(ERROR_INVALID_HANDLE));
            }
            Ok(table)
        })();
        let table = match checked {
            Ok(t) => t,
            Err(e) => {
                sys::named::close(fd, &stat, &full_name);
                return Err(e);
            }
        };
        if holds.len() > 64 {
            holds.retain(|_, w| w.strong_count() > 0);
        }
        let hold = Arc::new(NameHold {
            fd: ManuallyDrop::new(fd),
            stat,
            full_name,
            table,
            making: Mutex::new(Vec::new()),
            pid: std::process::id(),
            uid: socket::own_uid(),
        });
        holds.insert(name.name().to_owned(), Arc::downgrade(&hold));
        Ok(hold)
    }
}

/// One instance of a pipe, as its creating process sees it.
pub(crate) struct Instance {
    pub(crate) table: Arc<Table>,
    hold: Arc<NameHold>,
    pub(crate) slot: usize,
    listener: ManuallyDrop<OwnedFd>,
    message: bool,
    state: std::sync::atomic::AtomicU32,
    op: Mutex<()>,
    client: Mutex<Option<(u32, u32)>>,
    allow_other_users: bool,
    /// The user who made the instance: clients must be this user unless others are allowed.
    owner_uid: u32,
    pub(crate) out_size: u32,
    pub(crate) in_size: u32,
}

/// Wakes `WaitNamedPipe` sleepers on `table` to look again: an instance listens (a new one,
/// one disconnected for the next client, one a client claimed and gave back), or the last
/// instance closed and the name is going away.
pub(crate) fn wake_waiters(table: &Table) {
    let p = table.params();
    p.listen_gen.fetch_add(1, Ordering::SeqCst);
    // Pairs with WaitNamedPipe, which counts itself in before it looks at the slots.
    if p.waiters.load(Ordering::SeqCst) > 0 {
        sys::futex::wake_all(&p.listen_gen);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Instance {
    /// Makes a new instance of `opts.name`; returns it and its handle descriptor.
    fn create(opts: &ServerOptions) -> io::Result<(Instance, OwnedFd)> {
        let name = PipeName::parse(&opts.name)?;
        let hold = NameHold::get(&name, opts)?;
        let uid = hold.uid;
        let (slot, listener) = Self::place(opts, &hold)?;
        let inst = Instance {
            table: hold.table.clone(),
            hold,
            slot,
            listener: ManuallyDrop::new(listener),
            message: opts.pipe_type == PipeMode::Message,
            state: LISTENING.into(),
            op: Mutex::new(()),
            client: Mutex::new(None),
            allow_other_users: opts.allow_other_users,
            owner_uid: uid,
            out_size: opts.out_buffer,
            in_size: opts.in_buffer,
        };
        // From here on, dropping `inst` gives the slot back.
        let handle =
            rustix::io::fcntl_dupfd_cloexec(&*inst.listener, 0).map_err(crate::error::from_os)?;
        if opts.inheritable {
            sys::handle::set_inheritable(handle.as_fd(), true)?;
        }
        inst.announce();
        Ok((inst, handle))
    }

    /// Checks the name's rules and takes a free slot, under the table lock.
    fn place(opts: &ServerOptions, hold: &NameHold) -> io::Result<(usize, OwnedFd)> {
        let fd = hold.fd.as_fd();
        let table = &hold.table;
        let mut parked = lock(&hold.making);
        let p = table.params();
        if (opts.first_instance && p.instances.load(Ordering::Acquire) > 0)
            || p.access.load(Ordering::Relaxed) != opts.access.bits()
        {
            return Err(win32(ERROR_ACCESS_DENIED));
        }
        let max = match p.max_instances.load(Ordering::Relaxed) {
            UNLIMITED_INSTANCES => MAX_SLOTS as u32,
            n => n,
        };
        // Count the instance in first (a compare-and-swap against the name's cap); when the
        // name looks full, dead instances may hold places: take them back once.
        let mut reclaimed = false;
        loop {
            let n = p.instances.load(Ordering::Acquire);
            if n >= max {
                if reclaimed {
                    return Err(win32(ERROR_PIPE_BUSY));
                }
                let _locked = table::lock_table(fd)?;
                reclaim(table, fd)?;
                reclaimed = true;
                continue;
            }
            if p.instances
                .compare_exchange(n, n + 1, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                break;
            }
        }
        let give_back = || {
            let _ = p
                .instances
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        };
        let id = p.id.load(Ordering::Relaxed);
        let message = opts.pipe_type == PipeMode::Message;
        let mark = |i: usize| {
            let s = table.slot(i);
            s.flags.store(u32::from(message), Ordering::Relaxed);
            s.pid.store(hold.pid, Ordering::Relaxed);
            s.out_size.store(opts.out_buffer, Ordering::Relaxed);
            s.in_size.store(opts.in_buffer, Ordering::Relaxed);
            s.state.store(LISTENING, Ordering::Release);
            p.high.fetch_max(i as u32 + 1, Ordering::AcqRel);
            p.closed.store(0, Ordering::Release);
        };
        // A listener an ended instance of this process left, if one fits.
        while let Some(at) = parked.iter().position(|k| k.message == message) {
            let k = parked.swap_remove(at);
            let s = table.slot(k.slot);
            if s.state.load(Ordering::Acquire) != FREE || !table::hold_slot(fd, k.slot)? {
                continue;
            }
            if s.state
                .compare_exchange(FREE, RESERVED, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                table::release_slot(fd, k.slot);
                continue;
            }
            mark(k.slot);
            return Ok((k.slot, k.listener));
        }
        for i in 0..MAX_SLOTS {
            let s = table.slot(i);
            // The slot's lock first (a dead holder's is free), then the slot itself.
            if s.state.load(Ordering::Acquire) != FREE || !table::hold_slot(fd, i)? {
                continue;
            }
            if s.state
                .compare_exchange(FREE, RESERVED, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                table::release_slot(fd, i);
                continue;
            }
            let listener = match socket::listen(&table::socket_name(id, i, message)) {
                Ok(Some(l)) => l,
                other => {
                    s.state.store(FREE, Ordering::Release);
                    table::release_slot(fd, i);
                    if let Err(e) = other {
                        give_back();
                        return Err(e);
                    }
                    continue;
                }
            };
            mark(i);
            return Ok((i, listener));
        }
        give_back();
        Err(win32(ERROR_PIPE_BUSY))
    }

    /// Tells `WaitNamedPipe` sleepers that an instance listens.
    fn announce(&self) {
        wake_waiters(&self.table);
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.state.load(Ordering::Acquire) == CONNECTED
    }

    pub(crate) fn client(&self) -> Option<(u32, u32)> {
        *lock(&self.client)
    }

    /// The listener, for waiting on a client without blocking a thread.
    pub(crate) fn listener(&self) -> BorrowedFd<'_> {
        self.listener.as_fd()
    }

    /// The gate for reads and writes on the server end.
    pub(crate) fn ready(&self, end: &PipeEnd) -> io::Result<()> {
        match self.state.load(Ordering::Acquire) {
            CONNECTED => Ok(()),
            LISTENING => {
                // A client may have connected before ConnectNamedPipe: the pipe is usable.
                let _op = lock(&self.op);
                if self.state.load(Ordering::Acquire) == CONNECTED || self.adopt_pending(end)? {
                    Ok(())
                } else {
                    Err(win32(ERROR_PIPE_LISTENING))
                }
            }
            _ => Err(win32(ERROR_PIPE_NOT_CONNECTED)),
        }
    }

    /// Takes a waiting client, if any (the caller holds `op`). Clients of other users are
    /// turned away unless allowed.
    fn adopt_pending(&self, end: &PipeEnd) -> io::Result<bool> {
        while let Some(conn) = socket::accept(self.listener.as_fd())? {
            let (pid, uid) = socket::peer_cred(conn.as_fd())?;
            if uid != self.owner_uid && !self.allow_other_users {
                continue;
            }
            socket::set_buffer_sizes(conn.as_fd(), self.out_size as usize, 0);
            socket::replace(conn.as_fd(), end.raw_fd())?;
            end.reset_rx();
            *lock(&self.client) = Some((pid, uid));
            self.table
                .slot(self.slot)
                .state
                .store(CONNECTED, Ordering::Release);
            self.state.store(CONNECTED, Ordering::Release);
            return Ok(true);
        }
        Ok(false)
    }

    /// Listens again after a disconnect (the caller holds `op`).
    fn relisten(&self, end: &PipeEnd) -> io::Result<()> {
        // Connections that slipped in while the instance was not listening are refused.
        while socket::accept(self.listener.as_fd())?.is_some() {}
        socket::replace(self.listener.as_fd(), end.raw_fd())?;
        self.table
            .slot(self.slot)
            .state
            .store(LISTENING, Ordering::Release);
        self.state.store(LISTENING, Ordering::Release);
        self.announce();
        Ok(())
    }

    /// `ConnectNamedPipe`'s first step, which never blocks: `ERROR_PIPE_CONNECTED` when a client
    /// is (or was, `ERROR_NO_DATA`: it already closed) there before the call; `Ok(false)` when
    /// the caller must wait for one; `Ok(true)` in no-wait mode on the first call after a
    /// disconnect (the instance is available again).
    pub(crate) fn connect_now(&self, end: &PipeEnd) -> io::Result<bool> {
        self.connect_first(end, true)
    }

    /// [`connect_now`](Self::connect_now); `tell_gone: false` reports a client that came and
    /// went as `ERROR_PIPE_CONNECTED` too (saves a system call when the caller does not care).
    fn connect_first(&self, end: &PipeEnd, tell_gone: bool) -> io::Result<bool> {
        let _op = lock(&self.op);
        match self.state.load(Ordering::Acquire) {
            // In no-wait mode Windows tells a client that left from one still there.
            CONNECTED if end.nowait() && socket::peer_closed(end.fd()) => {
                return Err(win32(ERROR_NO_DATA));
            }
            CONNECTED => return Err(win32(ERROR_PIPE_CONNECTED)),
            DISCONNECTED => {
                self.relisten(end)?;
                // No-wait mode: the first call after a disconnect succeeds, saying the
                // instance is available again (Microsoft's ConnectNamedPipe remarks; Wine 8
                // reports ERROR_PIPE_LISTENING instead).
                if end.nowait() {
                    return Ok(true);
                }
                // A client can only come now, during the call: that is a plain success.
                return Ok(false);
            }
            _ => {}
        }
        if self.adopt_pending(end)? {
            return Err(win32(if tell_gone && socket::peer_closed(end.fd()) {
                ERROR_NO_DATA
            } else {
                ERROR_PIPE_CONNECTED
            }));
        }
        Ok(false)
    }

    /// Takes a client that arrived while waiting; `Ok(true)` when connected.
    pub(crate) fn connect_arrived(&self, end: &PipeEnd) -> io::Result<bool> {
        let _op = lock(&self.op);
        match self.state.load(Ordering::Acquire) {
            CONNECTED => Ok(true),
            LISTENING => self.adopt_pending(end),
            _ => Err(win32(ERROR_PIPE_NOT_CONNECTED)),
        }
    }

    /// `ConnectNamedPipe` without `OVERLAPPED` (`tell_gone`: see
    /// [`connect_first`](Self::connect_first)).
    pub(crate) fn connect(&self, end: &PipeEnd, tell_gone: bool) -> io::Result<()> {
        if self.connect_first(end, tell_gone)? {
            return Ok(());
        }
        if end.nowait() {
            return Err(win32(ERROR_PIPE_LISTENING));
        }
        loop {
            socket::wait_readable(self.listener.as_fd(), None)?;
            if self.connect_arrived(end)? {
                return Ok(());
            }
        }
    }

    /// `DisconnectNamedPipe`: drops the client (and whatever it did not read), and leaves the
    /// instance unavailable until the next `ConnectNamedPipe`.
    pub(crate) fn disconnect(&self, end: &PipeEnd) -> io::Result<()> {
        let _op = lock(&self.op);
        let slot = self.table.slot(self.slot);
        let was = self.state.load(Ordering::Acquire);
        if was == DISCONNECTED {
            return Err(win32(ERROR_PIPE_NOT_CONNECTED));
        }
        let session = slot.session.load(Ordering::Acquire);
        slot.disconnected[session as usize % table::FATES].store(session, Ordering::Release);
        slot.state.store(DISCONNECTED, Ordering::Release);
        self.state.store(DISCONNECTED, Ordering::Release);
        if was == LISTENING {
            // A client that connected before ConnectNamedPipe is dropped too.
            while socket::accept(self.listener.as_fd())?.is_some() {}
        } else {
            // Wakes a read or write blocked on the connection in another thread.
            socket::shutdown(end.fd());
            socket::replace(self.listener.as_fd(), end.raw_fd())?;
        }
        *lock(&self.client) = None;
        end.reset_rx();
        Ok(())
    }
}

/// Frees the slots of dead instances and takes them out of the count (the caller holds the
/// table lock, so reclaims do not race each other). Liveness is asked through a fresh
/// description of the file: a lock query does not see locks held through the asking
/// description itself.
///
/// Every way out of a slot (this, and an instance's own drop) is a compare-and-swap to
/// `FREE`, and only the winner takes the instance out of the count.
fn reclaim(table: &Table, fd: BorrowedFd<'_>) -> io::Result<()> {
    let fresh = sys::named::reopen_unlocked(fd)?;
    let p = table.params();
    let high = (p.high.load(Ordering::Acquire) as usize).min(MAX_SLOTS);
    for i in 0..high {
        let s = table.slot(i);
        let state = s.state.load(Ordering::Acquire);
        if state == FREE || table::slot_alive(fresh.as_fd(), i) {
            continue;
        }
        if s.state
            .compare_exchange(state, FREE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            let _ = p
                .instances
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        }
    }
    Ok(())
}

impl Drop for Instance {
    fn drop(&mut self) {
        let fd = self.hold.fd.as_fd();
        let p = self.table.params();
        let slot = self.table.slot(self.slot);
        // The lock goes first: a creator in this process (which shares our description, and
        // so our lock) must not take the slot while it is still locked in our name.
        table::release_slot(fd, self.slot);
        let mut freed_by_us = false;
        loop {
            let state = slot.state.load(Ordering::Acquire);
            if state == FREE {
                // A reclaim took it (and the count) already.
                break;
            }
            if slot
                .state
                .compare_exchange(state, FREE, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                let before = p
                    .instances
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
                    .unwrap_or(0);
                if before <= 1 {
                    p.closed.store(1, Ordering::SeqCst);
                    // A client waiting for an instance of this name must not sleep on a table
                    // that is going away (a new instance makes a new one): it wakes, finds
                    // the name gone and says so, as a wait on Windows ends when the pipe's
                    // last instance closes.
                    wake_waiters(&self.table);
                }
                freed_by_us = true;
                break;
            }
        }
        // SAFETY: taken exactly once, here; the instance is gone after this.
        let listener = unsafe { ManuallyDrop::take(&mut self.listener) };
        let mut parked = lock(&self.hold.making);
        // A client that claimed the slot just before it was freed may have connected: it is
        // refused now (it sees the end of the stream), and one that connects after this sees
        // the slot free and goes elsewhere (see `claim`). A raw connection that bypassed the
        // table may wait there; the next instance treats it as any raw connection (another
        // user's is refused when accepted).
        if freed_by_us {
            // Only a listening slot can be claimed: after a client was taken (or sent away),
            // nobody else can have come.
            if self.state.load(Ordering::Acquire) == LISTENING {
                while let Ok(Some(_)) = socket::accept(listener.as_fd()) {}
            }
            if parked.len() < PARKED_MAX {
                parked.push(Parked {
                    slot: self.slot,
                    message: self.message,
                    listener,
                });
            }
        }
        // The listener closes after this, and the hold (and maybe the name) with the last
        // instance of the name in this process.
    }
}

/// A server instance of a named pipe (`CreateNamedPipe`'s handle): connect a client, talk,
/// disconnect, connect the next.
///
/// ```
/// use std::io::{Read, Write};
/// use w32ipc::npipe::{PipeClient, ServerOptions};
/// # let name = format!(r"\\.\pipe\doc-server-{}", std::process::id());
/// let server = ServerOptions::new(&name).create()?;
/// let mut client = PipeClient::open(&name)?; // a new instance is already listening
/// server.connect()?;                         // takes the waiting client
/// client.write_all(b"hello")?;
/// let mut buf = [0u8; 5];
/// (&server).read_exact(&mut buf)?;
/// assert_eq!(&buf, b"hello");
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "CreateNamedPipeW")]
pub struct PipeServer {
    pub(crate) end: Arc<PipeEnd>,
}

impl PipeServer {
    pub(crate) fn create(opts: &ServerOptions) -> io::Result<PipeServer> {
        let (inst, fd) = Instance::create(opts)?;
        let message = opts.pipe_type == PipeMode::Message;
        let access = opts.access.bits();
        let end = PipeEnd::new(
            fd,
            Role::Server(Box::new(inst)),
            message,
            opts.read_mode == PipeMode::Message,
            opts.nowait,
            access & 1 != 0,
            access & 2 != 0,
        );
        Ok(PipeServer { end: Arc::new(end) })
    }

    fn instance(&self) -> &Instance {
        match &self.end.role {
            Role::Server(i) => i,
            _ => unreachable!("a PipeServer always holds a server instance"),
        }
    }

    /// Waits for a client (`ConnectNamedPipe`). Also succeeds when a client connected before
    /// the call (Win32 reports that as `ERROR_PIPE_CONNECTED`), even if it has closed again
    /// since (its data is still readable).
    ///
    /// In no-wait mode it never waits, and — as Windows does — the first call after a
    /// [`disconnect`](Self::disconnect) succeeds *without* a client, meaning "listening
    /// again"; a polling loop should check [`client_process_id`](Self::client_process_id)
    /// (or keep polling until `ERROR_PIPE_CONNECTED`-style success with a client).
    ///
    /// # Errors
    /// `ERROR_PIPE_LISTENING` in no-wait mode when no client came; `ERROR_PIPE_CONNECTED` when
    /// the instance is already connected from an earlier call.
    #[doc(alias = "ConnectNamedPipe")]
    pub fn connect(&self) -> io::Result<()> {
        let inst = self.instance();
        if inst.is_connected() {
            return Err(win32(ERROR_PIPE_CONNECTED));
        }
        match inst.connect(&self.end, false) {
            Err(e)
                if matches!(
                    crate::error::Win32ErrorExt::win32_code(&e),
                    ERROR_PIPE_CONNECTED | ERROR_NO_DATA
                ) =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// Drops the client (`DisconnectNamedPipe`): data it did not read is discarded, its next
    /// operation fails with `ERROR_PIPE_NOT_CONNECTED`, and the instance takes no new client
    /// until [`connect`](Self::connect).
    #[doc(alias = "DisconnectNamedPipe")]
    pub fn disconnect(&self) -> io::Result<()> {
        self.instance().disconnect(&self.end)
    }

    /// The connected client's process id (`GetNamedPipeClientProcessId`).
    #[doc(alias = "GetNamedPipeClientProcessId")]
    pub fn client_process_id(&self) -> io::Result<u32> {
        Ok(self.end.peer()?.0)
    }

    /// The connected client's user id.
    pub fn client_uid(&self) -> io::Result<u32> {
        Ok(self.end.peer()?.1)
    }
}

super::end_methods!(PipeServer);
