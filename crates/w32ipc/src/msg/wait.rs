//! `MsgWaitForMultipleObjects`: a wait on sync objects that also ends when the calling thread's
//! queue has input.

use std::io;
use std::rc::Rc;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use super::queue::{self, State};
use crate::sync::wait::Probe;
use crate::sync::{WaitMany, Waitable};

/// `QS_POSTMESSAGE`.
pub const QS_POSTMESSAGE: u32 = 0x0008;
/// `QS_SENDMESSAGE`.
pub const QS_SENDMESSAGE: u32 = 0x0040;
/// `QS_ALLPOSTMESSAGE`.
pub const QS_ALLPOSTMESSAGE: u32 = 0x0100;
/// `QS_ALLINPUT`: every kind of input.
pub const QS_ALLINPUT: u32 = 0x1CFF;

/// What a [`wait_objects_or_messages`] wakes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsgWait {
    /// `dwWakeMask`: `QS_*` kinds of input that end the wait (only posted and sent messages
    /// exist here; keyboard and mouse kinds never come).
    pub wake_mask: u32,
    /// `MWMO_INPUTAVAILABLE`: input already seen by `PeekMessage` counts too (otherwise only
    /// messages that arrived since the last `GetMessage`/`PeekMessage` do).
    pub input_available: bool,
    /// `MWMO_WAITALL`: every object and input at once.
    pub wait_all: bool,
}

impl Default for MsgWait {
    fn default() -> MsgWait {
        MsgWait {
            wake_mask: QS_ALLINPUT,
            input_available: false,
            wait_all: false,
        }
    }
}

struct QueueProbe {
    st: Rc<State>,
    how: MsgWait,
}

impl Probe for QueueProbe {
    fn word(&self) -> &AtomicU32 {
        &self.st.q.header().wake
    }

    fn ready(&self) -> bool {
        let m = self.how.wake_mask;
        (m & (QS_POSTMESSAGE | QS_ALLPOSTMESSAGE) != 0
            && self.st.has_posted(!self.how.input_available))
            || (m & QS_SENDMESSAGE != 0 && self.st.has_sends())
    }
}

/// Waits until one of `objects` is signalled (index `i`) or the calling thread's queue has
/// input of a kind in `how.wake_mask` (index `objects.len()`), as `MsgWaitForMultipleObjectsEx`.
/// Sent messages are not served here: a `PeekMessage` after the wait serves them.
///
/// # Errors
/// As [`crate::sync::wait_any`]; `ERROR_INVALID_PARAMETER` for 64 objects or more.
///
/// ```
/// use std::time::Duration;
/// use w32ipc::msg::{self, MsgWait, WM_USER};
/// use w32ipc::sync::{Event, WaitMany};
///
/// let event = Event::create(None, true, false)?; // not set
/// msg::post_thread_message(msg::current_thread_id(), WM_USER, 0, 0)?;
/// let r = msg::wait_objects_or_messages(&[&event], Some(Duration::from_secs(1)), MsgWait::default())?;
/// assert_eq!(r, WaitMany::Signaled(1)); // index 1 = one past the objects: a message is there
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "MsgWaitForMultipleObjectsEx")]
#[doc(alias = "MsgWaitForMultipleObjects")]
pub fn wait_objects_or_messages(
    objects: &[&dyn Waitable],
    timeout: Option<Duration>,
    how: MsgWait,
) -> io::Result<WaitMany> {
    let st = queue::state()?;
    let probe = QueueProbe { st, how };
    probe.st.set_sleeping(true);
    let r = crate::sync::wait_with_probe(objects, &probe, how.wait_all, timeout);
    probe.st.set_sleeping(false);
    r
}
