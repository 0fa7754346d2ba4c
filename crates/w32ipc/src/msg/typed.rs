//! The Rust face of windows: a builder, a handler that sees typed messages, and a `Window` that
//! destroys itself when dropped.

use std::io;
use std::marker::PhantomData;
use std::rc::Rc;

use super::{
    CopyDataStruct, Hwnd, WM_CLOSE, WM_COPYDATA, WM_CREATE, WM_DESTROY, WM_NCCREATE, window,
};

/// A message as a window's handler sees it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Message<'a> {
    /// `WM_CREATE`: the window was just made.
    Create,
    /// `WM_CLOSE`: asked to close (the handler decides; [`Hwnd::destroy`] closes).
    Close,
    /// `WM_DESTROY`: the window is being destroyed.
    Destroy,
    /// `WM_COPYDATA`: a block of bytes, borrowed for this call only.
    CopyData(CopyData<'a>),
    /// Any other message, as its raw parameters.
    Other {
        /// The message number.
        message: u32,
        /// `wParam`.
        wparam: usize,
        /// `lParam` (a pointer only within one process).
        lparam: isize,
    },
}

/// A `WM_COPYDATA` block. `data` is the sender's bytes, in place in memory that is reused
/// once the handler returns: copy what you keep (`data.to_vec()`).
#[derive(Debug, Clone, Copy)]
pub struct CopyData<'a> {
    /// `dwData`: the sender's action code.
    pub action: usize,
    /// The block (`lpData`, `cbData`); empty when the sender passed none.
    pub data: &'a [u8],
    /// `wParam`: the window the sender named as its own, if any.
    pub from: Option<Hwnd>,
}

/// A window's handler. Runs on the window's own thread, only inside that thread's message
/// calls; it may be re-entered (a handler that sends a message can be called again before it
/// returns), so it takes `&self` — keep state in a `Cell` or `RefCell`.
pub trait WindowProc: 'static {
    /// Handles one message; the result is what the sender's `SendMessage` returns.
    fn message(&self, window: Hwnd, message: Message<'_>) -> isize;
}

impl<F> WindowProc for F
where
    F: Fn(Hwnd, Message<'_>) -> isize + 'static,
{
    fn message(&self, window: Hwnd, message: Message<'_>) -> isize {
        self(window, message)
    }
}

/// Builds a [`Window`] (`RegisterClass` + `CreateWindowEx` in one).
#[derive(Clone, Debug)]
pub struct WindowBuilder {
    class: String,
    title: String,
    message_only: bool,
}

/// A window owned by the calling thread; destroyed when dropped. Not `Send`: a window belongs
/// to the thread that made it, which must pump messages for it to receive sends.
#[derive(Debug)]
pub struct Window {
    hwnd: Hwnd,
    _thread: PhantomData<*const ()>,
}

impl Window {
    /// A builder for a window of class `class` (compared without case by `FindWindow`).
    #[doc(alias = "CreateWindowExW")]
    pub fn builder(class: &str) -> WindowBuilder {
        WindowBuilder {
            class: class.to_owned(),
            title: String::new(),
            message_only: false,
        }
    }

    /// The window's handle, valid in every process of the session.
    pub fn hwnd(&self) -> Hwnd {
        self.hwnd
    }

    /// Destroys the window now (`DestroyWindow`).
    ///
    /// # Errors
    /// As [`Hwnd::destroy`].
    pub fn destroy(self) -> io::Result<()> {
        let h = self.hwnd;
        std::mem::forget(self);
        h.destroy()
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.hwnd.destroy();
    }
}

impl WindowBuilder {
    /// The window's title (`lpWindowName`).
    pub fn title(mut self, title: &str) -> WindowBuilder {
        title.clone_into(&mut self.title);
        self
    }

    /// A message-only window (`HWND_MESSAGE` parent): found only by
    /// [`find_window_ex`](super::find_window_ex) with [`Parent::Message`](super::Parent).
    pub fn message_only(mut self, yes: bool) -> WindowBuilder {
        self.message_only = yes;
        self
    }

    /// Creates the window on the calling thread, with `handler` as its procedure. The handler
    /// gets [`Message::Create`] before this returns.
    ///
    /// # Errors
    /// `ERROR_NOT_ENOUGH_MEMORY` when the session's window table is full.
    pub fn create(self, handler: impl WindowProc) -> io::Result<Window> {
        let handler = Rc::new(handler);
        let raw: window::RawProc = Rc::new(move |h, m, w, l| dispatch(&*handler, h, m, w, l));
        let class: Vec<u16> = self.class.encode_utf16().collect();
        let title: Vec<u16> = self.title.encode_utf16().collect();
        let hwnd = window::create_raw(&class, &title, self.message_only, 0, raw)?;
        let win = Window {
            hwnd,
            _thread: PhantomData,
        };
        window::call_local(hwnd, WM_CREATE, 0, 0);
        Ok(win)
    }
}

fn dispatch(p: &dyn WindowProc, h: Hwnd, m: u32, wparam: usize, lparam: isize) -> isize {
    let message = match m {
        WM_NCCREATE => return 1,
        WM_CREATE => Message::Create,
        WM_CLOSE => Message::Close,
        WM_DESTROY => Message::Destroy,
        WM_COPYDATA if lparam != 0 => {
            // SAFETY: the library builds WM_COPYDATA's lParam itself (a COPYDATASTRUCT on the
            // serving stack frame, whose block stays mapped until the handler returns), and
            // `send_raw` callers promise a valid one.
            let cds = unsafe { &*(lparam as *const CopyDataStruct) };
            let data = if cds.lp_data.is_null() || cds.cb_data == 0 {
                &[][..]
            } else {
                // SAFETY: as above: lp_data is valid for cb_data bytes during this call.
                unsafe {
                    std::slice::from_raw_parts(cds.lp_data.cast::<u8>(), cds.cb_data as usize)
                }
            };
            Message::CopyData(CopyData {
                action: cds.dw_data,
                data,
                from: Hwnd::from_raw(wparam),
            })
        }
        _ => Message::Other {
            message: m,
            wparam,
            lparam,
        },
    };
    p.message(h, message)
}
