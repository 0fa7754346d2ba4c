//! `WM_COPYDATA` between processes: blocks of 0 B, 1 B, 64 KiB and 64 MiB checked on both
//! sides, `lpData` NULL with `cbData` 0, 64-bit action codes (`dwData`), the `from` window
//! (`wParam`), nested blocks sent back while the sender waits, many blocks in a row and from
//! several senders at once, posting it (`ERROR_MESSAGE_SYNC_ONLY`), and a block delivered late
//! after its sender's time-out.
//!
//! The receiving procedure computes a checksum of the block in place and both reports it on a
//! line (`@@ cd LEN ACTION FROM SUM`) and answers `SUM ^ ACTION`, so each block is compared on
//! both sides. Every test runs under a watchdog, with unique names.

mod messages_common;

use std::rc::Rc;
use std::time::Duration;

use messages_common::{
    ACT_REVERSE, H_OUTBOX_FD, Kid, M_COUNT, M_DONE, M_ECHO, M_HANG, QueueFile, Served, checksum,
    code, copy_answer, gates, parse_hwnd, pattern, quit_on_eof, receiver, run_standard_child, say,
    serve, standard_window, wait_gate,
};
use w32ipc::error::{ERROR_MESSAGE_SYNC_ONLY, ERROR_TIMEOUT};
use w32ipc::msg::{self, CopyDataStruct, Filter, Hwnd, SendFlags, WM_COPYDATA};
use w32ipc_test_support::{isolate, role, unique_name, watchdog};

const MIB: usize = 1 << 20;

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let args: Vec<&str> = r.split('|').collect();
    match args[0] {
        // A receiver that reports every block it gets.
        "std" => run_standard_child(args[1], args[2], true),
        // Sends `count` blocks (sizes from `sizes_for`) to window args[1], checks each answer,
        // then posts M_DONE (failures, count) to it.
        "sender" => {
            let target = parse_hwnd(args[1]);
            let seed: u64 = args[2].parse().unwrap();
            let count: usize = args[3].parse().unwrap();
            let mut failures = 0;
            for (i, len) in sizes_for(seed, count).into_iter().enumerate() {
                let data = pattern(seed * 100_000 + i as u64, len);
                let action = (seed as usize) << 48 | i;
                match target.send_copy_data(None, action, &data) {
                    Ok(r) if r == copy_answer(action, &data) => {}
                    other => {
                        say(&format!("block {i} ({len} B): {other:?}"));
                        failures += 1;
                    }
                }
            }
            target.post(M_DONE, failures, count as isize).unwrap();
            say(&format!("sent {count} failures {failures}"));
        }
        // One block to window args[1], then five blocks that time out against the busy window
        // args[2], then another block to args[1]: reports what each answer was.
        "outbox-churn" => {
            let rx = parse_hwnd(args[1]);
            let busy = parse_hwnd(args[2]);
            let first = pattern(41, 256 * 1024);
            let r = rx.send_copy_data(None, 1, &first);
            // The outbox descriptor our queue header names (informative, for the report).
            let own = QueueFile::open(msg::current_thread_id());
            say(&format!(
                "first {} outbox {}",
                r.ok() == Some(copy_answer(1, &first)),
                own.get(H_OUTBOX_FD)
            ));
            for i in 0..5 {
                let r = busy.send_copy_data_timeout(
                    None,
                    2,
                    &pattern(50 + i, 4096),
                    SendFlags::NORMAL,
                    Duration::from_millis(100),
                );
                say(&format!("timed out {}", code(r)));
            }
            let last = pattern(42, 256 * 1024);
            let r = rx.send_copy_data(None, 3, &last).unwrap();
            let verdict = if r == copy_answer(3, &last) {
                "right".to_owned()
            } else {
                format!("wrong {r:#x}")
            };
            say(&format!("last {verdict} outbox {}", own.get(H_OUTBOX_FD)));
        }
        // A window with a raw procedure that reports each WM_COPYDATA's COPYDATASTRUCT as it
        // arrives: `raw-cd CB_DATA NULL? DW_DATA`.
        "raw" => {
            let class: Vec<u16> = args[1].encode_utf16().collect();
            let proc_: msg::RawProc = Rc::new(|_h, m, _w, l| {
                if m != WM_COPYDATA || l == 0 {
                    return 0;
                }
                // SAFETY: the library passes WM_COPYDATA's lParam as a COPYDATASTRUCT valid
                // for the duration of the call.
                let cds = unsafe { *(l as *const CopyDataStruct) };
                say(&format!(
                    "raw-cd {} {} {:#x}",
                    cds.cb_data,
                    cds.lp_data.is_null(),
                    cds.dw_data
                ));
                1
            });
            let w = msg::create_window_raw(&class, &[], true, 0, proc_).unwrap();
            quit_on_eof(msg::current_thread_id());
            say(&format!(
                "ready {:#x} {}",
                w.raw(),
                msg::current_thread_id()
            ));
            serve(&Served::default());
        }
        other => panic!("unknown role {other}"),
    }
}

/// Block sizes for sender `seed`: mostly small, some up to 3 MiB, zero now and then.
fn sizes_for(seed: u64, count: usize) -> Vec<usize> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..count)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match i % 10 {
                0 => 0,
                1 => (x % (3 * MIB as u64)) as usize,
                _ => (x % 70_000) as usize,
            }
        })
        .collect()
}

/// Reads the receiver's report of one block: (len, action, from, sum).
#[track_caller]
fn seen(kid: &mut Kid) -> (usize, usize, usize, u64) {
    let w = kid.expect_prefix("cd ");
    let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
    (
        w[0].parse().unwrap(),
        hex(&w[1]) as usize,
        hex(&w[2]) as usize,
        hex(&w[3]),
    )
}

#[test]
fn blocks_of_every_size_arrive_whole_with_action_and_sender_window() {
    let _w = watchdog(
        "blocks_of_every_size_arrive_whole_with_action_and_sender_window",
        60,
    );
    isolate();
    let st = Rc::new(Served::default());
    let mine = standard_window(&unique_name("cd-from"), "from", &st);
    let (mut kid, h, _, _) = receiver("cd-sizes", &[]);
    let odd = Hwnd::from_raw(0x7fff_1234_5678).unwrap();
    let cases: [(usize, usize, Option<Hwnd>); 7] = [
        (0, 0, None),
        (1, 1, Some(mine.hwnd())),
        (64 * 1024, usize::MAX, Some(mine.hwnd())),
        (64 * 1024 + 1, 0xFEDC_BA98_7654_3210, None),
        (64 * MIB, 1 << 63, Some(mine.hwnd())),
        (3, 0x8000_0000_0000_0001, Some(odd)),
        (64 * MIB - 7, 42, None),
    ];
    for (i, (len, action, from)) in cases.into_iter().enumerate() {
        let data = pattern(i as u64 + 1, len);
        let sum = checksum(&data);
        let r = h.send_copy_data(from, action, &data).unwrap();
        assert_eq!(
            r,
            copy_answer(action, &data),
            "block of {len} B: the answer"
        );
        assert_eq!(
            seen(&mut kid),
            (len, action, from.map_or(0, Hwnd::raw), sum),
            "block of {len} B as the receiver saw it"
        );
    }
    // The sender's own window was never called: wParam is only a value for the receiver.
    assert_eq!(st.handled.get(), 0);
    kid.finish();
}

#[test]
fn null_lp_data_with_zero_cb_data_arrives_as_an_empty_block() {
    let _w = watchdog(
        "null_lp_data_with_zero_cb_data_arrives_as_an_empty_block",
        30,
    );
    isolate();
    let (mut kid, h, _, _) = receiver("cd-null", &[]);
    let action = 0xABCD_EF01_2345_6789usize;
    let mut cds = CopyDataStruct {
        dw_data: action,
        cb_data: 0,
        lp_data: std::ptr::null_mut(),
    };
    // SAFETY: lparam points to a valid COPYDATASTRUCT whose lp_data is NULL with cb_data 0.
    let r = unsafe { msg::send_raw(h, WM_COPYDATA, 0, &raw mut cds as isize, 0, None, false) };
    assert_eq!(r.unwrap(), copy_answer(action, &[]));
    assert_eq!(seen(&mut kid), (0, action, 0, checksum(&[])));
    // The same with a time-out, and with a real pointer and length.
    let mut bytes = *b"seven b";
    cds.lp_data = bytes.as_mut_ptr().cast();
    cds.cb_data = 7;
    cds.dw_data = 7;
    // SAFETY: lp_data points to 7 live bytes.
    let r = unsafe {
        msg::send_raw(
            h,
            WM_COPYDATA,
            0,
            &raw mut cds as isize,
            0,
            Some(Duration::from_secs(10)),
            false,
        )
    };
    assert_eq!(r.unwrap(), copy_answer(7, b"seven b"));
    assert_eq!(seen(&mut kid), (7, 7, 0, checksum(b"seven b")));
    // An empty slice through the typed call is an empty block too.
    assert_eq!(h.send_copy_data(None, 5, &[]).unwrap(), copy_answer(5, &[]));
    assert_eq!(seen(&mut kid), (0, 5, 0, checksum(&[])));
    kid.finish();
    // A raw window procedure sees lpData NULL as NULL (as recorded under Wine), and a block
    // with bytes as a pointer.
    let mut raw = Kid::spawn(&format!("raw|{}", unique_name("cd-raw")), &[]);
    let (h, _) = raw.ready();
    let mut cds = CopyDataStruct {
        dw_data: 0x77,
        cb_data: 0,
        lp_data: std::ptr::null_mut(),
    };
    // SAFETY: lparam points to a valid COPYDATASTRUCT whose lp_data is NULL with cb_data 0.
    let r = unsafe { msg::send_raw(h, WM_COPYDATA, 0, &raw mut cds as isize, 0, None, false) };
    assert_eq!(r.unwrap(), 1);
    assert_eq!(raw.line(), "raw-cd 0 true 0x77");
    let mut two = *b"ab";
    cds.lp_data = two.as_mut_ptr().cast();
    cds.cb_data = 2;
    // SAFETY: lp_data points to 2 live bytes.
    let r = unsafe { msg::send_raw(h, WM_COPYDATA, 0, &raw mut cds as isize, 0, None, false) };
    assert_eq!(r.unwrap(), 1);
    assert_eq!(raw.line(), "raw-cd 2 false 0x77");
    raw.finish();
}

#[test]
fn posting_copy_data_fails_with_message_sync_only_and_queues_nothing() {
    let _w = watchdog(
        "posting_copy_data_fails_with_message_sync_only_and_queues_nothing",
        30,
    );
    isolate();
    let (kid, h, tid, _) = receiver("cd-post", &[]);
    let before = h.send(M_COUNT, 0, 0).unwrap();
    assert_eq!(code(h.post(WM_COPYDATA, 0, 0)), ERROR_MESSAGE_SYNC_ONLY);
    assert_eq!(
        code(h.send_notify(WM_COPYDATA, 0, 0)),
        ERROR_MESSAGE_SYNC_ONLY
    );
    assert_eq!(
        code(msg::post_thread_message(tid, WM_COPYDATA, 0, 0)),
        ERROR_MESSAGE_SYNC_ONLY
    );
    let mut cds = CopyDataStruct {
        dw_data: 1,
        cb_data: 0,
        lp_data: std::ptr::null_mut(),
    };
    // SAFETY: lparam points to a valid COPYDATASTRUCT (NULL block, length 0).
    let r = unsafe { msg::send_raw(h, WM_COPYDATA, 0, &raw mut cds as isize, 0, None, true) };
    assert_eq!(code(r), ERROR_MESSAGE_SYNC_ONLY);
    // To one's own thread too, and nothing was queued there.
    let me = msg::current_thread_id();
    assert_eq!(
        code(msg::post_thread_message(me, WM_COPYDATA, 0, 0)),
        ERROR_MESSAGE_SYNC_ONLY
    );
    assert_eq!(
        code(msg::post_message(None, WM_COPYDATA, 0, 0)),
        ERROR_MESSAGE_SYNC_ONLY
    );
    assert!(msg::peek_message(Filter::all(), true).unwrap().is_none());
    // The receiver got none of them: its count moved only by our echo.
    assert_eq!(h.send(M_ECHO, 0, 1).unwrap(), 1);
    assert_eq!(h.send(M_COUNT, 0, 0).unwrap(), before + 1);
    // ... and its loop saw no thread message (it would report one).
    assert_eq!(kid.finish(), vec![format!("handled {} exit 0", before + 1)]);
}

#[test]
fn a_block_sent_back_while_the_sender_waits_nests() {
    let _w = watchdog("a_block_sent_back_while_the_sender_waits_nests", 30);
    isolate();
    let st = Rc::new(Served::default());
    let mine = standard_window(&unique_name("cd-back"), "a", &st);
    let (mut kid, h, _, _) = receiver("cd-rev", &[]);
    for len in [0, 1, 1000, 3 * MIB + 5] {
        let data = pattern(len as u64, len);
        let reversed: Vec<u8> = data.iter().rev().copied().collect();
        // The receiver sends the block back reversed to our window, which answers inside our
        // send; that answer is the result.
        let r = h
            .send_copy_data(Some(mine.hwnd()), ACT_REVERSE, &data)
            .unwrap();
        assert_eq!(r, copy_answer(0, &reversed), "{len} B");
        assert_eq!(
            seen(&mut kid),
            (len, ACT_REVERSE, mine.hwnd().raw(), checksum(&data))
        );
        let got = st.copies.borrow_mut().pop().unwrap();
        assert_eq!(
            (got.len, got.action, got.from, got.sum),
            (len, 0, h.raw(), checksum(&reversed))
        );
    }
    kid.finish();
}

#[test]
fn many_blocks_in_a_row_growing_and_shrinking_are_never_mixed_up() {
    let _w = watchdog(
        "many_blocks_in_a_row_growing_and_shrinking_are_never_mixed_up",
        60,
    );
    isolate();
    let (mut kid, h, _, _) = receiver("cd-row", &[]);
    let mut sizes = vec![1024, 2 * MIB, 10, 5 * MIB + 3, 0, 1, MIB, 9 * MIB, 64, 3];
    sizes.extend(sizes_for(7, 150));
    for (i, len) in sizes.into_iter().enumerate() {
        let data = pattern(1000 + i as u64, len);
        let action = i.wrapping_mul(0x0101_0101_0101_0101);
        assert_eq!(
            h.send_copy_data(None, action, &data).unwrap(),
            copy_answer(action, &data),
            "block {i} of {len} B"
        );
        assert_eq!(
            seen(&mut kid),
            (len, action, 0, checksum(&data)),
            "block {i}"
        );
    }
    kid.finish();
}

#[test]
fn three_sender_processes_at_once_into_one_window() {
    let _w = watchdog("three_sender_processes_at_once_into_one_window", 60);
    isolate();
    let st = Rc::new(Served::default());
    let rx = standard_window(&unique_name("cd-many"), "rx", &st);
    const COUNT: usize = 60;
    let kids: Vec<Kid> = (1..=3)
        .map(|seed| {
            Kid::spawn(
                &format!("sender|{:#x}|{seed}|{COUNT}", rx.hwnd().raw()),
                &[],
            )
        })
        .collect();
    while st.done.borrow().len() < 3 {
        let m = msg::get_message(Filter::all()).unwrap();
        assert!(!m.is_quit());
        msg::dispatch_message(&m);
    }
    assert_eq!(*st.done.borrow(), vec![(0, COUNT as isize); 3]);
    // Every block arrived once, intact, in each sender's order.
    let copies = st.copies.borrow();
    assert_eq!(copies.len(), 3 * COUNT);
    for seed in 1..=3u64 {
        let mine: Vec<_> = copies
            .iter()
            .filter(|c| c.action >> 48 == seed as usize)
            .collect();
        let sizes = sizes_for(seed, COUNT);
        assert_eq!(mine.len(), COUNT);
        for (i, c) in mine.iter().enumerate() {
            let data = pattern(seed * 100_000 + i as u64, sizes[i]);
            assert_eq!(c.action & 0xffff, i, "sender {seed}'s order");
            assert_eq!((c.len, c.sum), (data.len(), checksum(&data)));
        }
    }
    drop(copies);
    for mut k in kids {
        assert_eq!(k.line(), format!("sent {COUNT} failures 0"));
        k.finish();
    }
}

/// `SendMessageTimeout(WM_COPYDATA)` gave up before the receiver took the block, and the
/// sender sent another block into the memory the first one used. On Windows the timed-out
/// send is cancelled (never delivered: see `messages_send.rs`); whatever the receiver does
/// with it, it must never see the second block's bytes in its place, and the second block
/// arrives whole.
#[test]
fn a_block_whose_send_timed_out_never_shows_another_blocks_bytes() {
    let _w = watchdog(
        "a_block_whose_send_timed_out_never_shows_another_blocks_bytes",
        40,
    );
    isolate();
    let (entered, go, names) = gates();
    let (mut kid, h, tid, _) = receiver("cd-late", &names.env());
    let first = pattern(31, 256 * 1024);
    let second = pattern(32, 256 * 1024);
    h.post(M_HANG, 0, 0).unwrap();
    wait_gate(&entered, "the busy handler");
    let r = h.send_copy_data_timeout(
        None,
        1,
        &first,
        SendFlags::NORMAL,
        Duration::from_millis(200),
    );
    assert_eq!(code(r), ERROR_TIMEOUT);
    // Let the receiver go on once our second block is queued behind the first.
    let q = QueueFile::open(tid);
    let opener = std::thread::spawn(move || {
        q.wait_ctl_pending(2);
        go.set().unwrap();
    });
    let r = h.send_copy_data(None, 2, &second).unwrap();
    opener.join().unwrap();
    assert_eq!(r, copy_answer(2, &second));
    let mut got = seen(&mut kid);
    if got.1 == 1 {
        // Delivered late after all: then with its own bytes.
        assert_eq!(
            got,
            (first.len(), 1, 0, checksum(&first)),
            "the timed-out block (the second block's checksum is {:#x})",
            checksum(&second)
        );
        got = seen(&mut kid);
    }
    assert_eq!(got, (second.len(), 2, 0, checksum(&second)));
    kid.finish();
}

/// A sender whose sends time out against one busy window sets its outboxes aside and makes new
/// ones; a later block to another receiver, which had mapped the sender's first outbox, must
/// still arrive with its own bytes.
#[test]
fn a_block_after_repeated_time_outs_arrives_with_its_own_bytes() {
    let _w = watchdog(
        "a_block_after_repeated_time_outs_arrives_with_its_own_bytes",
        40,
    );
    isolate();
    let (entered, go, names) = gates();
    let (mut rx, h, _, _) = receiver("cd-churn-rx", &[]);
    let (busy_kid, busy, _, _) = receiver("cd-churn-busy", &names.env());
    busy.post(M_HANG, 0, 0).unwrap();
    wait_gate(&entered, "the busy handler");
    let mut sender = Kid::spawn(
        &format!("outbox-churn|{:#x}|{:#x}", h.raw(), busy.raw()),
        &[],
    );
    let first = sender.expect_prefix("first ");
    assert_eq!(first[0], "true");
    for _ in 0..5 {
        assert_eq!(sender.line(), format!("timed out {ERROR_TIMEOUT}"));
    }
    let last = sender.expect_prefix("last ");
    go.set().unwrap();
    sender.finish();
    busy_kid.finish();
    let first_seen = seen(&mut rx);
    let last_seen = seen(&mut rx);
    assert_eq!(first_seen.3, checksum(&pattern(41, 256 * 1024)));
    assert_eq!(
        (last[0].as_str(), last_seen.3),
        ("right", checksum(&pattern(42, 256 * 1024))),
        "the block after the time-outs (the sender's outbox descriptor was {} for the first \
         block and {} for this one)",
        first[2],
        last[last.len() - 1]
    );
    rx.finish();
}
