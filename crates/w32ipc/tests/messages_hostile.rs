//! A hostile process of the same user maps a receiver's queue file (`$W32IPC_ROOT/msg/q<tid>`,
//! layout of `sys/linux/msgq.rs`) and writes garbage into it: random bytes over the rings,
//! random entries published as a producer would, `WM_COPYDATA` with no block behind it (a
//! pointer the receiver would dereference), sends from senders that do not exist, blocks at
//! absurd offsets or in fake outboxes, absurd ring indices, a stuck producer lock. The
//! receiver must not crash, must not hand any of it to its window procedure, must answer
//! forged sends from a live sender with an error, and must keep serving good senders.
//!
//! The hostile process is the test process itself (the receiver is a child); it sees the
//! receiver's answers to its forged sends in its own queue file, before it pumps. Every test
//! runs under a watchdog, with unique names.

mod messages_common;

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use messages_common::{
    CTL_AT, CTL_CAP, CTL_SIZE, F_COPYDATA, F_HAD_PTR, H_CTL_HEAD, H_CTL_TAIL, H_LOCK, H_OUTBOX_FD,
    H_POST_HEAD, H_POST_TAIL, K_NOTIFY, K_REPLY, K_SEND, Kid, M_COUNT, M_ECHO, M_MIX, M_STRAY,
    POST_AT, POST_CAP, POST_SIZE, QueueFile, RawCtl, RawPost, copy_answer, mix, parse_hwnd,
    pattern, run_standard_child, say, standard_window,
};
use w32ipc::error::{ERROR_INVALID_PARAMETER, ERROR_INVALID_WINDOW_HANDLE, Win32ErrorExt};
use w32ipc::msg::{self, Filter, Hwnd, SendFlags, WM_COPYDATA, WM_USER};
use w32ipc_test_support::{isolate, role, unique_name, watchdog};

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        "std" => run_standard_child(args[1], args[2], false),
        // `args[2]` checked sends of M_MIX and a few blocks to window args[1].
        "good-sender" => {
            let h = parse_hwnd(args[1]);
            let n: usize = args[2].parse().unwrap();
            let mut failures = (0..n)
                .filter(|&i| h.send(M_MIX, i, i as isize).ok() != Some(mix(i, i as isize)))
                .count();
            for len in [0, 100, 300_000] {
                let data = pattern(len as u64, len);
                if h.send_copy_data(None, len, &data).ok() != Some(copy_answer(len, &data)) {
                    failures += 1;
                }
            }
            say(&format!("sent {} failures {failures}", n + 3));
        }
        other => panic!("unknown role {other}"),
    }
}

/// The receiver under attack: a child with one window, reporting stray thread messages only
/// by count.
struct Victim {
    kid: Kid,
    h: Hwnd,
    q: QueueFile,
}

fn victim(tag: &str) -> Victim {
    isolate();
    let class = unique_name(tag);
    let mut kid = Kid::spawn(&format!("std|{class}|victim"), &[("W32T_QUIET", "1")]);
    let (h, tid) = kid.ready();
    let q = QueueFile::open(tid);
    Victim { kid, h, q }
}

impl Victim {
    /// Messages handled so far.
    fn count(&self) -> u64 {
        self.h.send(M_COUNT, 0, 0).unwrap() as u64
    }

    /// Messages the handler got that the protocol does not know (none may come from garbage).
    fn unknown(&self) -> u64 {
        self.h.send(M_STRAY, 0, 0).unwrap() as u64 >> 32
    }

    /// Good traffic from us and from another process, every answer checked; then the
    /// handler's count must have moved by exactly what was sent.
    #[track_caller]
    fn still_serves(&self, count_before: u64) {
        for i in 0..50usize {
            let l = -(i as isize) << 40;
            assert_eq!(self.h.send(M_MIX, i, l).unwrap(), mix(i, l), "send {i}");
        }
        for len in [0usize, 1, 4096, 1 << 20] {
            let data = pattern(900 + len as u64, len);
            assert_eq!(
                self.h.send_copy_data(None, len, &data).unwrap(),
                copy_answer(len, &data),
                "block of {len} B"
            );
        }
        for i in 0..20 {
            self.h.post(M_ECHO, 0, i).unwrap();
        }
        let r = self
            .h
            .send_timeout(M_ECHO, 0, 7, SendFlags::NORMAL, Duration::from_secs(10));
        assert_eq!(r.unwrap(), 7);
        let mut other = Kid::spawn(&format!("good-sender|{:#x}|100", self.h.raw()), &[]);
        assert_eq!(other.line(), "sent 103 failures 0");
        other.finish();
        let want = count_before + 50 + 4 + 20 + 1 + 103;
        let until = Instant::now() + Duration::from_secs(10);
        let mut got = self.count();
        while got < want && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
            got = self.count();
        }
        assert_eq!(
            got, want,
            "messages handled (garbage must not reach the handler)"
        );
        assert_eq!(self.unknown(), 0, "unknown messages reached the handler");
    }

    /// Ends the victim, which must exit normally (not killed by a signal).
    fn finish(self) {
        drop(self.q);
        self.kid.finish();
    }
}

/// The calling thread's queue (made by a harmless send to `h` if needed), and its nonce.
fn own_queue(h: Hwnd) -> (QueueFile, u32, u64) {
    assert_eq!(h.send(M_ECHO, 0, 1).unwrap(), 1);
    let me = msg::current_thread_id();
    let q = QueueFile::open(me);
    let nonce = q.nonce();
    (q, me, nonce)
}

/// Waits (at most `wait`) until our queue holds replies for all of `serials`; returns the
/// error of each. Our thread must not pump meanwhile.
#[track_caller]
fn replies(own: &QueueFile, serials: &[u32], wait: Duration) -> HashMap<u32, u32> {
    let until = Instant::now() + wait;
    loop {
        let head = own.get(H_CTL_HEAD);
        let tail = own.get(H_CTL_TAIL);
        let mut found = HashMap::new();
        let mut c = head;
        while c != tail {
            let e = own.read_ctl(c);
            if e.kind == K_REPLY && serials.contains(&e.serial) {
                found.insert(e.serial, e.aux);
            }
            c = c.wrapping_add(1);
        }
        if found.len() == serials.len() || Instant::now() > until {
            return found;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A send from thread `tid` (queue nonce `nonce`) to `h`, with serial `serial`.
fn forged_send(h: Hwnd, tid: u32, nonce: u64, serial: u32, message: u32) -> RawCtl {
    RawCtl {
        kind: K_SEND,
        hwnd: h.raw() as u32,
        msg: message,
        wparam: 0x1111,
        lparam: 0x2222,
        from_tid: tid,
        serial,
        from_nonce: nonce,
        ..RawCtl::default()
    }
}

#[test]
fn the_queue_layout_these_tests_write_is_the_librarys() {
    let _w = watchdog("the_queue_layout_these_tests_write_is_the_librarys", 30);
    isolate();
    let st = std::rc::Rc::new(messages_common::Served::default());
    let w = standard_window(&unique_name("layout"), "w", &st);
    let me = msg::current_thread_id();
    let q = QueueFile::open(me);
    assert_ne!(q.nonce(), 0);
    assert_eq!(q.get(H_LOCK), 0);
    // Posted ring: three posts move the tail by three; taking one moves the head by one.
    let (h0, t0) = (q.get(H_POST_HEAD), q.get(H_POST_TAIL));
    for i in 0..3 {
        msg::post_thread_message(me, WM_USER, i, 0).unwrap();
    }
    assert_eq!(q.get(H_POST_TAIL), t0.wrapping_add(3));
    msg::peek_message(Filter::all(), true).unwrap().unwrap();
    assert_eq!(q.get(H_POST_HEAD), h0.wrapping_add(1));
    // A posted entry written here arrives as written.
    q.push_post(&[RawPost {
        hwnd: w.hwnd().raw() as u32,
        msg: WM_USER + 77,
        wparam: 0xAABB,
        lparam: (-5i64) as u64,
        time: 1,
        flags: 0,
    }]);
    let got: Vec<_> = std::iter::from_fn(|| msg::peek_message(Filter::all(), true).unwrap())
        .map(|m| (m.hwnd, m.message, m.wparam, m.lparam))
        .collect();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2], (Some(w.hwnd()), WM_USER + 77, 0xAABB, -5));
    // Control ring: a send from another thread waits there until we pump.
    let target = w.hwnd();
    let (c0, ct0) = (q.get(H_CTL_HEAD), q.get(H_CTL_TAIL));
    let sender = std::thread::spawn(move || target.send(M_ECHO, 0, 31).unwrap());
    q.wait_ctl_pending(1);
    assert_eq!(q.get(H_CTL_TAIL), ct0.wrapping_add(1));
    let e = q.read_ctl(ct0);
    assert_eq!(
        (e.kind, e.hwnd, e.msg, e.lparam),
        (K_SEND, target.raw() as u32, M_ECHO, 31)
    );
    let sender_q = QueueFile::open(e.from_tid);
    assert_eq!(sender_q.nonce(), e.from_nonce);
    drop(sender_q);
    while !sender.is_finished() {
        msg::peek_message(Filter::all(), true).unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(sender.join().unwrap(), 31);
    assert_eq!(q.get(H_CTL_HEAD), c0.wrapping_add(1));
}

#[test]
fn random_bytes_over_both_rings_change_nothing() {
    let _w = watchdog("random_bytes_over_both_rings_change_nothing", 60);
    let v = victim("scribble");
    let before = v.count();
    v.q.scribble(POST_AT, POST_CAP as usize * POST_SIZE, 1);
    v.q.scribble(CTL_AT, CTL_CAP as usize * CTL_SIZE, 2);
    v.q.ring();
    v.still_serves(before);
    v.finish();
}

#[test]
fn published_random_entries_are_dropped_and_never_reach_the_handler() {
    let _w = watchdog(
        "published_random_entries_are_dropped_and_never_reach_the_handler",
        60,
    );
    let v = victim("published");
    let before = v.count();
    let mut rnd = pattern(3, 256 * 1024).into_iter();
    let mut next_u64 = || u64::from_le_bytes(std::array::from_fn(|_| rnd.next().unwrap()));
    // Control entries: wholly random, then random with a kind that is acted on (sends and
    // notifications to windows that are not the victim's, from senders that do not exist,
    // replies nobody waits for).
    let mut ctl = Vec::new();
    for i in 0..600u32 {
        let mut e = RawCtl {
            kind: next_u64() as u32,
            hwnd: next_u64() as u32,
            msg: next_u64() as u32,
            flags: next_u64() as u32,
            wparam: next_u64(),
            lparam: next_u64(),
            from_tid: next_u64() as u32,
            serial: next_u64() as u32,
            from_nonce: next_u64(),
            payload_off: next_u64(),
            payload_len: next_u64() as u32,
            aux: next_u64() as u32,
        };
        if i % 2 == 1 {
            e.kind = [K_SEND, K_NOTIFY, K_REPLY][(i / 2 % 3) as usize];
            e.hwnd |= 0x8000_0000; // never a live window's handle
        } else {
            e.kind |= 0x100;
        }
        ctl.push(e);
    }
    // Posted entries: random messages for windows that do not exist, and thread messages.
    let mut posts = Vec::new();
    let mut thread_msgs = 0;
    for i in 0..300u32 {
        let hwnd = if i % 3 == 0 {
            thread_msgs += 1;
            0
        } else {
            (next_u64() as u32) | 0x8000_0000
        };
        posts.push(RawPost {
            hwnd,
            msg: (next_u64() as u32) | 0x1_0000,
            wparam: next_u64(),
            lparam: next_u64(),
            time: next_u64() as u32,
            flags: 0,
        });
    }
    for chunk in ctl.chunks(CTL_CAP as usize / 2) {
        v.q.push_ctl(chunk);
        v.q.ring();
        v.q.wait_ctl_drained();
    }
    v.q.push_post(&posts);
    v.q.ring();
    v.still_serves(before);
    // The thread messages reached the loop as what they claim to be (any process of the
    // session may post to a thread); nothing else did.
    assert_eq!(v.h.send(M_STRAY, 0, 0).unwrap(), thread_msgs);
    v.finish();
}

#[test]
fn forged_copy_data_without_a_block_is_never_dereferenced() {
    let _w = watchdog("forged_copy_data_without_a_block_is_never_dereferenced", 60);
    let v = victim("forged-cd");
    let before = v.count();
    let (own, me, nonce) = own_queue(v.h);
    let bad_ptr = 0x4141_4141_4141u64;
    // Posted: PostMessage refuses WM_COPYDATA, so none can be genuine.
    v.q.push_post(&[RawPost {
        hwnd: v.h.raw() as u32,
        msg: WM_COPYDATA,
        wparam: 0,
        lparam: bad_ptr,
        time: 0,
        flags: 0,
    }]);
    // Notifications: SendNotifyMessage refuses it too, with or without the block flags.
    let notify = |flags| RawCtl {
        kind: K_NOTIFY,
        hwnd: v.h.raw() as u32,
        msg: WM_COPYDATA,
        flags,
        lparam: bad_ptr,
        payload_len: 16,
        ..RawCtl::default()
    };
    // Sends from a live sender (us): without the block flag, or a block flag on another
    // message; each answered with an error.
    let mut e1 = forged_send(v.h, me, nonce, 0xF000_0001, WM_COPYDATA);
    e1.lparam = bad_ptr;
    let mut e2 = forged_send(v.h, me, nonce, 0xF000_0002, M_ECHO);
    e2.flags = F_COPYDATA | F_HAD_PTR;
    e2.payload_len = 8;
    v.q.push_ctl(&[
        notify(0),
        notify(F_COPYDATA),
        notify(F_COPYDATA | F_HAD_PTR),
        e1,
        e2,
    ]);
    v.q.ring();
    let got = replies(&own, &[0xF000_0001, 0xF000_0002], Duration::from_secs(10));
    assert_eq!(got.get(&0xF000_0001), Some(&ERROR_INVALID_PARAMETER));
    assert_eq!(got.get(&0xF000_0002), Some(&ERROR_INVALID_PARAMETER));
    // One of ours after them: they were all taken (the posted one too) and the victim lives.
    assert_eq!(v.h.send(M_ECHO, 0, 3).unwrap(), 3);
    v.q.wait_ctl_drained();
    let until = Instant::now() + Duration::from_secs(10);
    while v.q.get(H_POST_HEAD) != v.q.get(H_POST_TAIL) && Instant::now() < until {
        assert_eq!(v.h.send(M_ECHO, 0, 4).unwrap(), 4);
        std::thread::sleep(Duration::from_millis(2));
    }
    let echoes = v.count() - before;
    v.still_serves(before + echoes);
    v.finish();
}

#[test]
fn forged_sends_from_senders_that_do_not_exist_are_not_served() {
    let _w = watchdog(
        "forged_sends_from_senders_that_do_not_exist_are_not_served",
        60,
    );
    let v = victim("bogus-sender");
    let (own, me, nonce) = own_queue(v.h);
    let before = v.count();
    // A thread that had a queue and ended.
    let (dead_tid, dead_nonce) = std::thread::spawn(|| {
        msg::peek_message(Filter::all(), false).unwrap();
        let me = msg::current_thread_id();
        (me, QueueFile::open(me).nonce())
    })
    .join()
    .unwrap();
    let bogus = [
        (0, 0),
        (u32::MAX, 1),
        (dead_tid, dead_nonce),
        (me, nonce ^ 1), // our thread, but not our queue
        (me.wrapping_add(1_000_000), nonce),
    ];
    let mut entries: Vec<RawCtl> = bogus
        .iter()
        .enumerate()
        .map(|(i, &(tid, n))| forged_send(v.h, tid, n, 0xE000_0000 + i as u32, M_ECHO))
        .collect();
    // Then sends from us (a live sender) to handles that are not the victim's windows.
    let not_its = [0u32, 0xFFFF_FFFF, (v.h.raw() as u32) ^ 0x10000];
    for (i, &hwnd) in not_its.iter().enumerate() {
        let mut e = forged_send(v.h, me, nonce, 0xE100_0000 + i as u32, M_ECHO);
        e.hwnd = hwnd;
        entries.push(e);
    }
    v.q.push_ctl(&entries);
    v.q.ring();
    let answered: Vec<u32> = (0..not_its.len() as u32).map(|i| 0xE100_0000 + i).collect();
    let got = replies(&own, &answered, Duration::from_secs(10));
    for s in &answered {
        assert_eq!(
            got.get(s),
            Some(&ERROR_INVALID_WINDOW_HANDLE),
            "serial {s:#x}"
        );
    }
    // The bogus senders' sends came first and got nothing: nobody to answer.
    let bogus_serials: Vec<u32> = (0..bogus.len() as u32).map(|i| 0xE000_0000 + i).collect();
    let none = replies(&own, &bogus_serials, Duration::ZERO);
    assert!(none.is_empty(), "answers to bogus senders: {none:?}");
    v.still_serves(before);
    v.finish();
}

/// Opens an unnamed memfd of `len` bytes, sealed against shrinking or not.
fn memfd(len: usize, sealed: bool) -> OwnedFd {
    let flags = libc::MFD_CLOEXEC | if sealed { libc::MFD_ALLOW_SEALING } else { 0 };
    // SAFETY: memfd_create reads the NUL-terminated name; the result is checked and owned.
    let fd = unsafe { libc::memfd_create(c"w32t-fake".as_ptr(), flags) };
    assert!(fd >= 0);
    // SAFETY: fd is a new descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: plain calls on a descriptor we own.
    unsafe {
        assert_eq!(libc::ftruncate(fd.as_raw_fd(), len as libc::off_t), 0);
        if sealed {
            assert_eq!(
                libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, libc::F_SEAL_SHRINK),
                0
            );
        }
    }
    fd
}

#[test]
fn forged_blocks_at_wild_offsets_or_in_fake_outboxes_are_refused() {
    let _w = watchdog(
        "forged_blocks_at_wild_offsets_or_in_fake_outboxes_are_refused",
        60,
    );
    let v = victim("wild-block");
    // A real block first: our outbox exists, the victim has mapped it.
    let data = pattern(5, 1 << 20);
    assert_eq!(
        v.h.send_copy_data(None, 1, &data).unwrap(),
        copy_answer(1, &data)
    );
    let (own, me, nonce) = own_queue(v.h);
    let before = v.count();
    let outbox = own.get(H_OUTBOX_FD);
    let size = std::fs::metadata(format!("/proc/self/fd/{outbox}"))
        .unwrap()
        .len();
    // Descriptors of ours that are not outboxes (kept open until the end).
    let unsealed = memfd(1 << 20, false);
    let small = memfd(4096, true);
    let file_path = isolate().join(unique_name("plain-file"));
    std::fs::write(&file_path, vec![7u8; 1 << 20]).unwrap();
    let file = std::fs::File::open(&file_path).unwrap();
    let (pipe_r, _pipe_w) = std::io::pipe().unwrap();
    let sock = std::os::unix::net::UnixDatagram::unbound().unwrap();
    let fifo_path = isolate().join(unique_name("fifo"));
    let cpath = std::ffi::CString::new(fifo_path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads the NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(cpath.as_ptr(), 0o600) }, 0);
    let fifo = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo_path)
        .unwrap();
    let cases: Vec<(u32, u64, u32)> = vec![
        // (outbox descriptor, offset, length)
        (outbox, u64::MAX, 16),
        (outbox, u64::MAX - 7, 16),
        (outbox, 1 << 40, 16),
        (outbox, size - 8, 16),
        (outbox, size, 1),
        (outbox, 0, u32::MAX),
        (outbox, 0, size as u32 + 1),
        (unsealed.as_raw_fd() as u32, 0, 4096),
        (small.as_raw_fd() as u32, 0, 1 << 20),
        (small.as_raw_fd() as u32, 4096, 1),
        (file.as_raw_fd() as u32, 0, 4096),
        (pipe_r.as_raw_fd() as u32, 0, 16),
        (sock.as_raw_fd() as u32, 0, 16),
        (fifo.as_raw_fd() as u32, 0, 16),
        (999_999, 0, 16),
        (u32::MAX, 0, 0),
    ];
    let entries: Vec<RawCtl> = cases
        .iter()
        .enumerate()
        .map(|(i, &(fd, off, len))| {
            let mut e = forged_send(v.h, me, nonce, 0xD000_0000 + i as u32, WM_COPYDATA);
            e.flags = F_COPYDATA | F_HAD_PTR;
            e.payload_off = off;
            e.payload_len = len;
            e.aux = fd;
            e
        })
        .collect();
    v.q.push_ctl(&entries);
    v.q.ring();
    let serials: Vec<u32> = (0..cases.len() as u32).map(|i| 0xD000_0000 + i).collect();
    let got = replies(&own, &serials, Duration::from_secs(10));
    for (i, s) in serials.iter().enumerate() {
        assert_eq!(
            got.get(s),
            Some(&ERROR_INVALID_PARAMETER),
            "block case {:?}",
            cases[i]
        );
    }
    // None reached the handler; real blocks still arrive intact.
    v.still_serves(before);
    drop((unsealed, small, file, sock, fifo));
    let _ = std::fs::remove_file(&file_path);
    let _ = std::fs::remove_file(&fifo_path);
    v.finish();
}

#[test]
fn absurd_ring_indices_are_repaired_once_the_receiver_looks() {
    let _w = watchdog(
        "absurd_ring_indices_are_repaired_once_the_receiver_looks",
        60,
    );
    for (round, set) in [
        // Tails far ahead of the heads.
        [(H_POST_TAIL, 0x4000_0000u32), (H_CTL_TAIL, 0x4000_0000)],
        // Heads ahead of the tails (the consumer's own words).
        [(H_POST_HEAD, 5), (H_CTL_HEAD, 5)],
        // Exactly full of garbage.
        [(H_POST_TAIL, POST_CAP), (H_CTL_TAIL, CTL_CAP)],
    ]
    .into_iter()
    .enumerate()
    {
        let v = victim(&format!("indices{round}"));
        let before = v.count();
        for (off, by) in set {
            v.q.set(off, v.q.get(off).wrapping_add(by));
        }
        v.q.ring();
        // The receiver looks, and repairs the indices or takes what they publish (a full
        // ring of zeros is 16384 WM_NULL thread messages: posts fail with
        // ERROR_NOT_ENOUGH_QUOTA until they are taken, as for any full queue).
        v.q.wait_ctl_drained();
        v.q.wait_post_drained();
        v.still_serves(before);
        v.finish();
    }
}

/// The same without the wake-up a producer gives: the receiver sleeps in `GetMessage`, and a
/// good sender comes along. It must be served (Windows has no such state to get stuck in).
#[test]
fn absurd_ring_indices_without_a_wake_up_do_not_lock_out_good_senders() {
    let _w = watchdog(
        "absurd_ring_indices_without_a_wake_up_do_not_lock_out_good_senders",
        60,
    );
    let v = victim("indices-quiet");
    let before = v.count();
    v.q.set(H_POST_TAIL, v.q.get(H_POST_TAIL).wrapping_add(0x4000_0000));
    v.q.set(H_CTL_TAIL, v.q.get(H_CTL_TAIL).wrapping_add(0x4000_0000));
    let r =
        v.h.send_timeout(M_ECHO, 0, 11, SendFlags::NORMAL, Duration::from_secs(5));
    assert_eq!(r.map_err(|e| e.win32_code()), Ok(11));
    v.h.post(M_ECHO, 0, 12).unwrap();
    v.still_serves(before + 2);
    v.finish();
}

#[test]
fn a_producer_lock_left_by_a_dead_thread_is_broken() {
    let _w = watchdog("a_producer_lock_left_by_a_dead_thread_is_broken", 60);
    let v = victim("dead-lock");
    let before = v.count();
    let dead = std::thread::spawn(msg::current_thread_id).join().unwrap();
    v.q.set(H_LOCK, dead);
    let t0 = Instant::now();
    assert_eq!(v.h.send(M_ECHO, 0, 5).unwrap(), 5);
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t0.elapsed()
    );
    assert_eq!(v.q.get(H_LOCK), 0);
    // Our own thread's id left there (as by a send of ours interrupted by a signal) too.
    v.q.set(H_LOCK, msg::current_thread_id());
    assert_eq!(v.h.send(M_ECHO, 0, 6).unwrap(), 6);
    v.still_serves(before + 2);
    v.finish();
}

/// A producer that stops while it holds a queue's lock (a hostile one, or one stopped by a
/// debugger or SIGSTOP in the middle of a post) must not make `SendMessageTimeout` ignore its
/// time-out.
#[test]
fn a_producer_lock_held_by_a_live_stranger_does_not_hang_send_timeout() {
    let _w = watchdog(
        "a_producer_lock_held_by_a_live_stranger_does_not_hang_send_timeout",
        60,
    );
    let v = victim("live-lock");
    let (park_tx, park_rx) = mpsc::channel::<()>();
    let (tid_tx, tid_rx) = mpsc::channel();
    let stranger = std::thread::spawn(move || {
        tid_tx.send(msg::current_thread_id()).unwrap();
        let _ = park_rx.recv();
    });
    let stranger_tid = tid_rx.recv().unwrap();
    v.q.set(H_LOCK, stranger_tid);
    let h = v.h;
    let (done_tx, done_rx) = mpsc::channel();
    let sender = std::thread::spawn(move || {
        let t0 = Instant::now();
        let r = h.send_timeout(M_ECHO, 0, 9, SendFlags::NORMAL, Duration::from_secs(1));
        done_tx
            .send((r.map_err(|e| e.win32_code()), t0.elapsed()))
            .unwrap();
    });
    let outcome = done_rx.recv_timeout(Duration::from_secs(8));
    // Let everything go again before judging.
    v.q.set(H_LOCK, 0);
    let _ = park_tx.send(());
    stranger.join().unwrap();
    sender.join().unwrap();
    let (r, took) = outcome.expect("SendMessageTimeout(1 s) still blocked after 8 s");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(matches!(r, Ok(9) | Err(1460)), "{r:?}");
    let before = v.count();
    v.still_serves(before);
    v.finish();
}
