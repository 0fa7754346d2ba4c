//! # w32ipc — Win32 interprocess communication, natively on Linux
//!
//! The classic Win32 IPC mechanisms — anonymous pipes, named pipes, named shared memory,
//! thread message queues with `WM_COPYDATA`, and the named events, mutexes and semaphores that
//! go with them — with Win32 semantics, built on Linux primitives.
//!
//! * Every kernel object is a handle ([`object::Handle`], or a typed owner such as
//!   [`pipe::PipeReader`]) that closes on drop. On Linux a handle is one file descriptor, so the
//!   kernel cleans up after a crash and an inherited handle keeps its value in the child.
//! * Every error is an [`std::io::Error`] carrying the Win32 error code Windows gives in the same
//!   situation ([`error::Win32ErrorExt::win32_code`]).
//!
//! ```
//! use std::io::{Read, Write};
//! let (mut reader, mut writer) = w32ipc::pipe::pipe()?;
//! writer.write_all(b"hello")?;
//! drop(writer);
//! let mut text = String::new();
//! reader.read_to_string(&mut text)?;
//! assert_eq!(text, "hello");
//! # Ok::<(), std::io::Error>(())
//! ```
#![warn(missing_docs)]

pub mod error;
pub mod file;
pub mod io;
pub mod mapping;
pub mod msg;
pub mod npipe;
pub mod object;
pub mod pipe;
pub mod process;
pub mod sync;
pub mod thread;

mod spin;
mod sys;

pub use object::{Handle, HandleValue, ObjectKind};
