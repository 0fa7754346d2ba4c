//! The calling thread's message queue: made on first use (as Windows gives a thread its queue
//! on its first user32 call), consumed only by its thread, torn down when the thread ends.
//!
//! Sent messages are served here — in `GetMessage`, `PeekMessage`, `WaitMessage` and while
//! the thread itself waits in `SendMessage` — and nowhere else, which is what makes a
//! cross-thread `SendMessage` run the procedure on the window's own thread.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::peer::{self, Peer};
use super::{CopyDataStruct, Filter, Hwnd, Msg, WM_COPYDATA, WM_QUIT, WindowFilter, window};
use crate::error::{ERROR_INVALID_PARAMETER, ERROR_INVALID_WINDOW_HANDLE};
use crate::sys;
use crate::sys::futex::Watch;
use crate::sys::msgq::{CTL_CAP, CtlEntry, GAVE_UP, POST_CAP, PostEntry, Push, Queue, TAKEN};
use crate::sys::outbox::Outbox;

/// Control-entry kinds.
pub(crate) const SEND: u32 = 1;
pub(crate) const NOTIFY: u32 = 2;
pub(crate) const REPLY: u32 = 3;
/// Control-entry flags: a `WM_COPYDATA` whose block is in the sender's outbox; its `lpData`
/// was not NULL.
pub(crate) const F_COPYDATA: u32 = 1;
pub(crate) const F_HAD_PTR: u32 = 2;

/// A message being handled by this thread, innermost last.
pub(crate) struct Incoming {
    /// Where the reply goes (a cross-thread `SendMessage`), until it has been sent.
    pub(crate) reply_to: Option<(Arc<Peer>, u32)>,
    /// Sent from another thread (`InSendMessage`).
    pub(crate) sent: bool,
    /// Sent with `SendNotifyMessage`: nobody waits for the result (`InSendMessageEx`).
    pub(crate) notify: bool,
}

/// The calling thread's queue and bookkeeping.
pub(crate) struct State {
    pub(crate) q: Queue,
    /// The process that made it (a `fork` child must not use its parent's queue).
    pid: u32,
    pub(crate) tid: u32,
    pub(crate) nonce: u64,
    outbox: RefCell<Option<Outbox>>,
    outbox_top: Cell<usize>,
    /// Outboxes replaced after a send timed out: a receiver may still read a block in them.
    retired: RefCell<VecDeque<Outbox>>,
    /// Counts the outboxes made: with the descriptor number, it tells receivers which one a
    /// block is in (a number can be reused once a retired outbox closes).
    outbox_gen: Cell<u16>,
    serial: Cell<u32>,
    quit: Cell<Option<i32>>,
    /// The posted ring's tail at the last `GetMessage`/`PeekMessage`: later messages are new.
    seen_post_tail: Cell<u32>,
    pub(crate) incoming: RefCell<Vec<Incoming>>,
    /// Serials of this thread's sends waiting for replies, and replies that came.
    waiting: RefCell<Vec<u32>>,
    replies: RefCell<Vec<(u32, i64, u32)>>,
    /// Sent messages taken off the ring while serving was not allowed (`SMTO_BLOCK`).
    deferred: RefCell<VecDeque<CtlEntry>>,
    /// The CPU of the last thread this one exchanged with (served a send of, or posted to),
    /// and whether that was since the thread last gave up spinning: `GetMessage` spins for an
    /// answer only then.
    peer_cpu: Cell<u32>,
    hot: Cell<bool>,
}

thread_local! {
    static STATE: RefCell<Option<Rc<State>>> = const { RefCell::new(None) };
}

/// The calling thread's queue, made if it has none.
pub(crate) fn state() -> io::Result<Rc<State>> {
    if let Some(s) = current() {
        return Ok(s);
    }
    let tid = sys::process::current_thread_id();
    let q = Queue::create(sys::process::current_pid(), tid)?;
    let nonce = q.header().nonce.load(Ordering::Relaxed);
    peer::forget(tid);
    let s = Rc::new(State {
        q,
        pid: sys::process::current_pid(),
        tid,
        nonce,
        outbox: RefCell::new(None),
        outbox_top: Cell::new(0),
        retired: RefCell::new(VecDeque::new()),
        outbox_gen: Cell::new(0),
        serial: Cell::new(0),
        quit: Cell::new(None),
        seen_post_tail: Cell::new(0),
        incoming: RefCell::new(Vec::new()),
        waiting: RefCell::new(Vec::new()),
        replies: RefCell::new(Vec::new()),
        deferred: RefCell::new(VecDeque::new()),
        peer_cpu: Cell::new(u32::MAX),
        hot: Cell::new(false),
    });
    s.look();
    STATE.with(|st| *st.borrow_mut() = Some(s.clone()));
    Ok(s)
}

/// The calling thread's queue, if it has one.
pub(crate) fn current() -> Option<Rc<State>> {
    let s = STATE.try_with(|st| st.borrow().clone()).ok().flatten()?;
    if s.pid != sys::process::current_pid() {
        // A `fork` child inherited its parent thread's queue: not ours. Forget it without
        // tearing it down (the parent still owns it) and start afresh.
        let _ = STATE.try_with(|st| st.borrow_mut().take().map(std::mem::forget));
        std::mem::forget(s);
        return None;
    }
    Some(s)
}

impl Drop for State {
    fn drop(&mut self) {
        // The thread ends: its windows go, senders waiting on it are answered, the name goes.
        window::forget_thread_windows(self.tid);
        let h = self.q.header();
        h.alive.store(0, Ordering::SeqCst);
        // Pairs with the fence after a sender's push: either it sees `alive` 0, or the drain
        // below sees its entry.
        std::sync::atomic::fence(Ordering::SeqCst);
        while let Some(e) = self.deferred.borrow_mut().pop_front() {
            fail_send(&e, ERROR_INVALID_WINDOW_HANDLE);
        }
        loop {
            let head = h.ctl_head.load(Ordering::Relaxed);
            let tail = h.ctl_tail.load(Ordering::Acquire);
            if head == tail || tail.wrapping_sub(head) > CTL_CAP {
                break;
            }
            let e = self.q.read_ctl(head);
            h.ctl_head.store(head.wrapping_add(1), Ordering::Release);
            fail_send(&e, ERROR_INVALID_WINDOW_HANDLE);
        }
        self.q.unlink();
    }
}

/// Answers a send that will not be served with `error`.
fn fail_send(e: &CtlEntry, error: u32) {
    if e.kind == SEND
        && let Ok(p) = peer::get(e.from_tid, Some(e.from_nonce))
    {
        reply(&p, e.serial, 0, error);
    }
}

/// Sends the reply to send `serial` of thread `to`.
pub(crate) fn reply(to: &Peer, serial: u32, result: isize, error: u32) {
    let e = CtlEntry {
        kind: REPLY,
        serial,
        lparam: result as u64,
        aux: error,
        ..CtlEntry::default()
    };
    // A sender whose queue stays locked for a second (stopped, or hostile) loses its reply.
    if to.q.push_ctl(&e, Duration::from_secs(1)) == Push::Done {
        to.q.ring();
    }
}

impl State {
    /// Records that the thread looks at its queue now (it is not hung), and where it runs.
    fn look(&self) {
        // Stored only when changed: the line is read by every producer.
        let h = self.q.header();
        let (ms, cpu) = (sys::msgq::coarse_ms(), crate::spin::current_cpu());
        if h.last_look_ms.load(Ordering::Relaxed) != ms {
            h.last_look_ms.store(ms, Ordering::Relaxed);
        }
        if h.cpu.load(Ordering::Relaxed) != cpu {
            h.cpu.store(cpu, Ordering::Relaxed);
        }
    }

    /// Notes an exchange with `p` (a send served, a message posted to it).
    pub(crate) fn exchanged_with(&self, p: &Peer) {
        self.peer_cpu.set(p.q.header().cpu.load(Ordering::Relaxed));
        self.hot.set(true);
    }

    /// In `GetMessage`, before sleeping: spins for the next message if this thread has just
    /// exchanged messages with a thread on another CPU (see [`State::spin`]).
    pub(crate) fn spin_if_hot(&self, seq: u32) -> bool {
        if !self.hot.get() {
            return false;
        }
        let moved = self.spin(seq, self.peer_cpu.get());
        if !moved {
            self.hot.set(false);
        }
        moved
    }

    /// Before sleeping for a peer that runs on another CPU (`peer_cpu`) and may answer within
    /// microseconds: spins until the queue's counter moves from `seq` (true) or the adaptive
    /// budget runs out (false); never when the peer shares this CPU (see [`crate::spin`]).
    pub(crate) fn spin(&self, seq: u32, peer_cpu: u32) -> bool {
        if !crate::spin::worth(peer_cpu) {
            return false;
        }
        let h = self.q.header();
        crate::spin::until(None, || h.wake.load(Ordering::Acquire) != seq)
    }

    /// Remembers that send `serial` gave up waiting: a receiver that has not taken it yet
    /// drops it.
    pub(crate) fn gave_up(&self, serial: u32) {
        let h = self.q.header();
        let i = h.gave_up_next.fetch_add(1, Ordering::Relaxed) as usize % GAVE_UP;
        h.gave_up[i].store(serial, Ordering::Release);
    }

    /// The next serial for a send of this thread, registered as waiting.
    pub(crate) fn begin_send(&self) -> u32 {
        let s = self.serial.get().wrapping_add(1).max(1);
        self.serial.set(s);
        self.waiting.borrow_mut().push(s);
        s
    }

    /// Stops waiting for send `serial` (its reply, if it comes later, is dropped).
    pub(crate) fn end_send(&self, serial: u32) {
        self.waiting.borrow_mut().retain(|&s| s != serial);
        self.replies.borrow_mut().retain(|r| r.0 != serial);
    }

    /// The reply to `serial`, if it came: (result, error).
    pub(crate) fn take_reply(&self, serial: u32) -> Option<(i64, u32)> {
        let mut r = self.replies.borrow_mut();
        let i = r.iter().position(|x| x.0 == serial)?;
        let (_, v, e) = r.swap_remove(i);
        Some((v, e))
    }

    /// Copies `data` into the outbox above the blocks of sends in progress; returns the
    /// outbox's descriptor number, its generation and the block's offset. Pair with
    /// [`State::pop_block`].
    pub(crate) fn push_block(&self, data: &[u8]) -> io::Result<(u32, u16, u64)> {
        let mut o = self.outbox.borrow_mut();
        if o.is_none() {
            self.outbox_gen.set(self.outbox_gen.get().wrapping_add(1));
            let ob = Outbox::create()?;
            self.q
                .header()
                .outbox_fd
                .store(ob.raw_fd(), Ordering::Release);
            *o = Some(ob);
            self.outbox_top.set(0);
        }
        let ob = o.as_mut().expect("made above");
        let at = self.outbox_top.get();
        ob.ensure(at + data.len())?;
        // SAFETY: ensure made the mapping at least at + len long; the source is a caller's
        // slice, which cannot overlap our private outbox mapping.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ob.ptr().add(at), data.len()) };
        self.outbox_top.set((at + data.len()).next_multiple_of(64));
        Ok((ob.raw_fd(), self.outbox_gen.get(), at as u64))
    }

    /// Gives back the outbox space taken by the block at `at` of outbox `fd`; once the outbox
    /// is empty again after a big block, the memory past the first 8 MiB goes back to the
    /// system.
    pub(crate) fn pop_block(&self, fd: u32, at: u64) {
        const KEEP: usize = 8 << 20;
        let mut o = self.outbox.borrow_mut();
        let Some(ob) = o.as_mut().filter(|ob| ob.raw_fd() == fd) else {
            return; // a retired outbox's block
        };
        let top = self.outbox_top.replace(at as usize);
        if at == 0 && top > KEEP {
            ob.trim(KEEP);
        }
    }

    /// After a send with a block gave up waiting: the receiver may still read that block
    /// later, so the outbox is set aside (the last few are kept open) and the next block goes
    /// into a new one.
    pub(crate) fn retire_outbox(&self) {
        if let Some(ob) = self.outbox.borrow_mut().take() {
            let mut r = self.retired.borrow_mut();
            r.push_back(ob);
            if r.len() > 4 {
                r.pop_front();
            }
        }
    }

    /// Takes control entries off the ring: replies are filed, sent messages served (or, when
    /// `serve` is false, set aside for later). Returns whether anything was taken.
    pub(crate) fn pump(&self, serve: bool) -> bool {
        self.look();
        let mut did = false;
        if serve {
            loop {
                let e = self.deferred.borrow_mut().pop_front();
                let Some(e) = e else { break };
                self.serve(&e);
                did = true;
            }
        }
        let h = self.q.header();
        loop {
            let head = h.ctl_head.load(Ordering::Relaxed);
            let tail = h.ctl_tail.load(Ordering::Acquire);
            if head == tail {
                break;
            }
            if tail.wrapping_sub(head) > CTL_CAP {
                // Indices written by someone who is not a producer: drop what is there.
                h.ctl_head.store(tail, Ordering::Release);
                break;
            }
            let e = self.q.read_ctl(head);
            h.ctl_head.store(head.wrapping_add(1), Ordering::Release);
            did = true;
            match e.kind {
                REPLY if self.waiting.borrow().contains(&e.serial) => {
                    self.replies
                        .borrow_mut()
                        .push((e.serial, e.lparam as i64, e.aux));
                }
                SEND | NOTIFY if serve => self.serve(&e),
                SEND | NOTIFY => self.deferred.borrow_mut().push_back(e),
                _ => {} // garbage
            }
        }
        did
    }

    /// Whether sent messages wait to be served (`QS_SENDMESSAGE`).
    pub(crate) fn has_sends(&self) -> bool {
        if !self.deferred.borrow().is_empty() {
            return true;
        }
        let h = self.q.header();
        let head = h.ctl_head.load(Ordering::Relaxed);
        let tail = h.ctl_tail.load(Ordering::Acquire);
        let n = tail.wrapping_sub(head).min(CTL_CAP);
        (0..n).any(|k| matches!(self.q.read_ctl(head.wrapping_add(k)).kind, SEND | NOTIFY))
    }

    /// Serves one sent message: validates it, runs the window procedure, replies.
    fn serve(&self, e: &CtlEntry) {
        let sender = match e.kind {
            SEND => match peer::get(e.from_tid, Some(e.from_nonce)) {
                // A send whose sender gave up before it was taken is not delivered.
                Ok(p) if p.gave_up(e.serial) => return,
                Ok(p) => Some(p),
                Err(_) => return, // the sender is gone: nobody waits for this any more
            },
            _ => None,
        };
        if let Some(p) = &sender {
            self.exchanged_with(p);
        }
        let answer = |result: isize, error: u32| {
            if let Some(p) = &sender {
                reply(p, e.serial, result, error);
            }
        };
        // One look in this thread's own procedures: the window is live and this thread's.
        let Some((hwnd, proc_)) =
            Hwnd::from_raw(e.hwnd as usize).and_then(|h| Some((h, window::own_proc(h)?)))
        else {
            answer(0, ERROR_INVALID_WINDOW_HANDLE);
            return;
        };
        let mut cds = CopyDataStruct {
            dw_data: e.lparam as usize,
            cb_data: e.payload_len,
            lp_data: std::ptr::null_mut(),
        };
        let mut block = false;
        let lparam = if e.flags & F_COPYDATA != 0 || e.msg == WM_COPYDATA {
            // Only a block this library copied may arrive as WM_COPYDATA: its lParam is a
            // pointer the receiver dereferences.
            if e.msg != WM_COPYDATA || e.flags & F_COPYDATA == 0 || e.kind != SEND {
                answer(0, ERROR_INVALID_PARAMETER);
                return;
            }
            if e.payload_len > 0 || e.flags & F_HAD_PTR != 0 {
                let Some(p) = sender.as_ref().and_then(|s| {
                    s.block(e.aux, (e.flags >> 16) as u16, e.payload_off, e.payload_len)
                }) else {
                    answer(0, ERROR_INVALID_PARAMETER);
                    return;
                };
                block = true;
                cds.lp_data = p.as_ptr().cast();
            }
            std::ptr::addr_of_mut!(cds) as isize
        } else {
            e.lparam as isize
        };
        self.incoming.borrow_mut().push(Incoming {
            reply_to: sender.map(|s| (s, e.serial)),
            sent: true,
            notify: e.kind == NOTIFY,
        });
        let result = proc_(hwnd, e.msg, e.wparam as usize, lparam);
        let done = self.incoming.borrow_mut().pop();
        if block {
            peer::release_block();
        }
        if let Some(Incoming {
            reply_to: Some((p, serial)),
            ..
        }) = done
        {
            reply(&p, serial, result, 0);
        }
    }

    /// The first posted message that passes `filter`, removed if `remove`; then `WM_QUIT` if
    /// `PostQuitMessage` was called.
    pub(crate) fn take_posted(&self, filter: &Filter, remove: bool) -> Option<Msg> {
        let h = self.q.header();
        let mut head = h.post_head.load(Ordering::Relaxed);
        let tail = h.post_tail.load(Ordering::Acquire);
        if tail.wrapping_sub(head) > POST_CAP {
            h.post_head.store(tail, Ordering::Release);
            head = tail;
        }
        self.seen_post_tail.set(tail);
        let mut c = head;
        while c != tail {
            let e = self.q.read_post(c);
            if e.msg == WM_COPYDATA && e.flags & TAKEN == 0 {
                // Never posted by this library (it refuses to): a forged pointer message.
                self.q.mark_post_taken(c);
                continue;
            }
            if e.flags & TAKEN != 0 {
                if c == head {
                    head = head.wrapping_add(1);
                    h.post_head.store(head, Ordering::Release);
                }
                c = c.wrapping_add(1);
                continue;
            }
            if passes(&e, filter) {
                if remove {
                    if c == head {
                        h.post_head.store(head.wrapping_add(1), Ordering::Release);
                    } else {
                        self.q.mark_post_taken(c);
                    }
                }
                return Some(Msg {
                    hwnd: Hwnd::from_raw(e.hwnd as usize),
                    message: e.msg,
                    wparam: e.wparam as usize,
                    lparam: e.lparam as isize,
                    time: e.time,
                });
            }
            c = c.wrapping_add(1);
        }
        let code = self.quit.get()?;
        if remove {
            self.quit.set(None);
        }
        Some(Msg {
            hwnd: None,
            message: WM_QUIT,
            wparam: code as isize as usize,
            lparam: 0,
            time: sys::msgq::tick_count() as u32,
        })
    }

    /// Drops the messages posted to window `hwnd` that are still queued: it was destroyed, and
    /// on Windows its posted messages go with it.
    pub(crate) fn drop_posted_for(&self, hwnd: Hwnd) {
        let h = self.q.header();
        let head = h.post_head.load(Ordering::Relaxed);
        let tail = h.post_tail.load(Ordering::Acquire);
        if tail.wrapping_sub(head) > POST_CAP {
            return;
        }
        let mut c = head;
        while c != tail {
            let e = self.q.read_post(c);
            if e.flags & TAKEN == 0 && e.hwnd as usize == hwnd.raw() {
                self.q.mark_post_taken(c);
            }
            c = c.wrapping_add(1);
        }
    }

    /// Whether posted messages arrived since the last `GetMessage`/`PeekMessage` (`new_only`),
    /// or any are there at all.
    pub(crate) fn has_posted(&self, new_only: bool) -> bool {
        let h = self.q.header();
        let tail = h.post_tail.load(Ordering::Acquire);
        if self.quit.get().is_some() {
            return true;
        }
        if new_only {
            return tail != self.seen_post_tail.get();
        }
        let head = h.post_head.load(Ordering::Relaxed);
        let n = tail.wrapping_sub(head).min(POST_CAP);
        (0..n).any(|k| self.q.read_post(head.wrapping_add(k)).flags & TAKEN == 0)
    }

    /// Sets the quit flag (`PostQuitMessage`).
    pub(crate) fn set_quit(&self, code: i32) {
        self.quit.set(Some(code));
    }

    /// The queue's wake counter, read before looking (sleep on it with [`State::sleep`]).
    pub(crate) fn wake_seq(&self) -> u32 {
        self.q.header().wake.load(Ordering::SeqCst)
    }

    /// Sleeps until something is pushed after `seq` was read, `also` changes, or `deadline`.
    pub(crate) fn sleep(
        &self,
        seq: u32,
        also: Option<(&std::sync::atomic::AtomicU32, u32)>,
        deadline: Option<Instant>,
    ) -> io::Result<bool> {
        let h = self.q.header();
        h.sleeping.store(1, Ordering::SeqCst);
        let own = Watch {
            word: &h.wake,
            expected: seq,
            private: false,
        };
        let start = Instant::now();
        let r = match also {
            Some((word, expected)) => {
                let other = Watch {
                    word,
                    expected,
                    private: true,
                };
                sys::futex::wait_many(&[own, other], deadline)
            }
            None => sys::futex::wait_many(&[own], deadline),
        };
        h.sleeping.store(0, Ordering::SeqCst);
        self.look();
        crate::spin::slept(start.elapsed());
        r
    }

    /// Marks the queue as waited on (or not) by a wait that sleeps on its counter elsewhere.
    pub(crate) fn set_sleeping(&self, on: bool) {
        self.q
            .header()
            .sleeping
            .store(u32::from(on), Ordering::SeqCst);
        if !on {
            self.look();
        }
    }
}

/// Whether a posted message passes a `GetMessage`/`PeekMessage` filter. (Only the quit flag
/// passes every filter; a posted `WM_QUIT` entry is filtered like any message — Wine shows it.)
fn passes(e: &PostEntry, f: &Filter) -> bool {
    let window_ok = match f.window {
        WindowFilter::Any => true,
        WindowFilter::Window(h) => e.hwnd as usize == h.raw(),
        WindowFilter::ThreadOnly => e.hwnd == 0,
    };
    let range_ok =
        (f.min == 0 && f.max == 0) || (f.min <= f.max && (f.min..=f.max).contains(&e.msg));
    window_ok && range_ok
}
