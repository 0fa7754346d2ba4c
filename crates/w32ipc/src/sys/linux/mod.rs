//! Linux backend, over `rustix`.

pub(crate) mod broker;
pub(crate) mod file;
pub(crate) mod futex;
pub(crate) mod handle;
pub(crate) mod lock;
pub(crate) mod mapping;
pub(crate) mod msgq;
pub(crate) mod named;
pub(crate) mod npipe_table;
pub(crate) mod outbox;
pub(crate) mod page;
pub(crate) mod pipe;
pub(crate) mod poll;
pub(crate) mod process;
pub(crate) mod socket;
pub(crate) mod spawn;
pub(crate) mod watch;
pub(crate) mod wintable;
