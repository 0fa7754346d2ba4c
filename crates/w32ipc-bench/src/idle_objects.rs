//! The idle objects of the idle-memory scenarios ([`crate::idle_memory`]), one kind per arm,
//! made and held by the child process.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixListener};
use std::ptr::NonNull;

use interprocess::local_socket::{self as ipc, GenericNamespaced, ListenerOptions, ToNsName};
use ipc_channel::ipc::{IpcBytesReceiver, IpcBytesSender};
use rustix::mm::{MapFlags, ProtFlags};
use shared_memory::{Shmem, ShmemConf};
use w32ipc::mapping::{FileMapping, MapAccess, View};
use w32ipc::msg::{Message, Window};
use w32ipc::npipe::{PipeServer, ServerOptions};

use crate::npipe::{pipe_name, socket_addr};

/// The size of each idle mapping.
pub const MAPPING_BYTES: usize = 64 * 1024;

/// One way of making an idle object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arm {
    /// Nothing at all: the method's noise floor.
    Nothing,
    /// An abstract Unix stream socket, bound and listening (what a pipe instance stands on).
    RawListener,
    /// A w32ipc named pipe server instance, one per name.
    W32ipcPipe,
    /// A w32ipc named pipe server instance, all of one name.
    W32ipcPipeOneName,
    /// An `interprocess` local socket listener (namespaced name).
    Interprocess,
    /// An abstract Unix datagram socket, bound (a hand-made message endpoint).
    RawDatagram,
    /// A w32ipc message-only window.
    W32ipcWindow,
    /// An `ipc-channel` byte channel (sender and receiver).
    IpcChannel,
    /// `shm_open` + `ftruncate` + `mmap` of 64 KiB + one byte written.
    RawShm,
    /// `CreateFileMapping` of 64 KiB + `MapViewOfFile` + one byte written.
    W32ipcMapping,
    /// A `shared_memory` mapping of 64 KiB + one byte written.
    SharedMemory,
}

impl Arm {
    const ALL: [Arm; 11] = [
        Arm::Nothing,
        Arm::RawListener,
        Arm::W32ipcPipe,
        Arm::W32ipcPipeOneName,
        Arm::Interprocess,
        Arm::RawDatagram,
        Arm::W32ipcWindow,
        Arm::IpcChannel,
        Arm::RawShm,
        Arm::W32ipcMapping,
        Arm::SharedMemory,
    ];

    /// The arm's name on the child's command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Nothing => "nothing",
            Arm::RawListener => "raw-listener",
            Arm::W32ipcPipe => "w32ipc-pipe",
            Arm::W32ipcPipeOneName => "w32ipc-pipe-one-name",
            Arm::Interprocess => "interprocess",
            Arm::RawDatagram => "raw-datagram",
            Arm::W32ipcWindow => "w32ipc-window",
            Arm::IpcChannel => "ipc-channel",
            Arm::RawShm => "raw-shm",
            Arm::W32ipcMapping => "w32ipc-mapping",
            Arm::SharedMemory => "shared-memory",
        }
    }

    /// The arm named `s`.
    pub fn parse(s: &str) -> Option<Arm> {
        Arm::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// An upper bound on the descriptors one object holds open (a pipe instance: its listener,
    /// its handle's descriptor and its name's table; a channel: two sockets).
    pub fn descriptors_per_object(self) -> u64 {
        match self {
            Arm::Nothing => 0,
            Arm::W32ipcPipe | Arm::W32ipcPipeOneName => 3,
            Arm::IpcChannel => 2,
            _ => 1,
        }
    }
}

/// One idle object, held until dropped.
pub enum Held {
    /// See [`Arm::RawListener`].
    Listener(UnixListener),
    /// See [`Arm::W32ipcPipe`].
    Pipe(PipeServer),
    /// See [`Arm::Interprocess`].
    Interprocess(ipc::Listener),
    /// See [`Arm::RawDatagram`].
    Datagram(UnixDatagram),
    /// See [`Arm::W32ipcWindow`].
    Window(Window),
    /// See [`Arm::IpcChannel`].
    Channel(IpcBytesSender, IpcBytesReceiver),
    /// See [`Arm::RawShm`].
    Shm(RawShm),
    /// See [`Arm::W32ipcMapping`] (the view first: it goes before the mapping's handle).
    Mapping(View, FileMapping),
    /// See [`Arm::SharedMemory`].
    SharedMemory(Shmem),
}

/// Makes object number `i` of `arm`; `base` is the run's unique name for the trial. `None`
/// for [`Arm::Nothing`].
pub fn make(arm: Arm, base: &str, i: u64) -> io::Result<Option<Held>> {
    let name = format!("{base}-{i}");
    Ok(Some(match arm {
        Arm::Nothing => return Ok(None),
        Arm::RawListener => Held::Listener(UnixListener::bind_addr(&socket_addr(&name)?)?),
        Arm::W32ipcPipe => Held::Pipe(ServerOptions::new(&pipe_name(&name)).create()?),
        Arm::W32ipcPipeOneName => Held::Pipe(ServerOptions::new(&pipe_name(base)).create()?),
        Arm::Interprocess => {
            let name = name.as_str().to_ns_name::<GenericNamespaced>()?;
            Held::Interprocess(ListenerOptions::new().name(name).create_sync()?)
        }
        Arm::RawDatagram => Held::Datagram(UnixDatagram::bind_addr(&socket_addr(&name)?)?),
        Arm::W32ipcWindow => Held::Window(
            Window::builder(base)
                .title(&name)
                .message_only(true)
                .create(|_hwnd, _m: Message<'_>| 0)?,
        ),
        Arm::IpcChannel => {
            let (tx, rx) = ipc_channel::ipc::bytes_channel()?;
            Held::Channel(tx, rx)
        }
        Arm::RawShm => Held::Shm(RawShm::create(&format!("/{name}"))?),
        Arm::W32ipcMapping => {
            let mapping = FileMapping::create(Some(&name), MAPPING_BYTES as u64)?;
            let view = mapping.map_view(MapAccess::WRITE, 0, 0)?;
            view.write(0, 1u8);
            Held::Mapping(view, mapping)
        }
        Arm::SharedMemory => {
            let shmem = ShmemConf::new()
                .size(MAPPING_BYTES)
                .os_id(format!("/{name}"))
                .create()
                .map_err(io::Error::other)?;
            // SAFETY: `as_ptr` is the start of the crate's fresh writable shared mapping of
            // `MAPPING_BYTES` (≥ 1) bytes, which lives as long as `shmem`; nothing else in
            // this process refers to it.
            unsafe { shmem.as_ptr().write_volatile(1) };
            Held::SharedMemory(shmem)
        }
    }))
}

/// A POSIX shared memory object, open and mapped, its first byte written; unmapped, closed and
/// unlinked on drop.
pub struct RawShm {
    ptr: NonNull<u8>,
    _fd: OwnedFd,
    name: CString,
}

impl RawShm {
    /// `shm_open(name, O_CREAT | O_EXCL | O_RDWR)` + `ftruncate` + `mmap` + one byte written.
    pub fn create(name: &str) -> io::Result<RawShm> {
        let name = CString::new(name).map_err(io::Error::other)?;
        // SAFETY: a valid NUL-terminated name; the call only reads it.
        let fd = unsafe {
            libc::shm_open(
                name.as_ptr(),
                libc::O_CREAT | libc::O_EXCL | libc::O_RDWR | libc::O_CLOEXEC,
                0o600,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `shm_open` just returned this descriptor to us alone.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let made = (|| {
            rustix::fs::ftruncate(&fd, MAPPING_BYTES as u64)?;
            // SAFETY: a fresh shared mapping of our own descriptor, where the kernel chooses.
            let p = unsafe {
                rustix::mm::mmap(
                    std::ptr::null_mut(),
                    MAPPING_BYTES,
                    ProtFlags::READ | ProtFlags::WRITE,
                    MapFlags::SHARED,
                    fd.as_fd(),
                    0,
                )
            }?;
            Ok::<_, io::Error>(NonNull::new(p.cast::<u8>()).expect("mmap never returns NULL"))
        })();
        let ptr = match made {
            Ok(p) => p,
            Err(e) => {
                // SAFETY: the name we just created.
                unsafe { libc::shm_unlink(name.as_ptr()) };
                return Err(e);
            }
        };
        // SAFETY: the first byte of the writable mapping just made.
        unsafe { ptr.as_ptr().write_volatile(1) };
        Ok(RawShm { ptr, _fd: fd, name })
    }
}

impl Drop for RawShm {
    fn drop(&mut self) {
        // SAFETY: our mapping of `MAPPING_BYTES`, no longer used; the name is ours.
        unsafe {
            let _ = rustix::mm::munmap(self.ptr.as_ptr().cast(), MAPPING_BYTES);
            libc::shm_unlink(self.name.as_ptr());
        }
    }
}
