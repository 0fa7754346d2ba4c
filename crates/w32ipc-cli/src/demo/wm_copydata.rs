//! The seed's WM_COPYDATA: a receiver process creates its main window and pumps messages; a
//! sender process finds the window by class and title, fills a `COPYDATASTRUCT` with an action
//! code and a block, and sends `WM_COPYDATA` with its own window in `wParam`.
//!
//! The receiver's handler reads `dwData` as an action code: STORE copies the block (the data
//! is the system's and lives only during the call) and answers its length; REVERSE sends the
//! block reversed back to the sender's window — which the sender, blocked in its
//! `SendMessage`, serves; SUM answers a checksum of a 256 KiB block; QUIT destroys the window,
//! which ends the receiver's message loop. Posting `WM_COPYDATA` fails with
//! `ERROR_MESSAGE_SYNC_ONLY`, the seed's "must be sent, not posted".

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use w32ipc::error::{Win32ErrorExt, error_name};
use w32ipc::msg::{self, Hwnd, Message, WM_COPYDATA, Window};
use w32ipc::process::Process;

use super::Kid;

const STORE: usize = 1;
const REVERSE: usize = 2;
const SUM: usize = 3;
const QUIT: usize = 4;

const HELLO: &str = "Hello from the sender";
const STRESSED: &str = "stressed";
const SUM_BYTES: usize = 256 * 1024;
/// Small sends timed for the round-trip figure.
const ROUND_TRIPS: usize = 200;
const TITLE: &str = "w32ipc demo receiver";

pub fn run() -> io::Result<()> {
    let start = Instant::now();
    let me = Process::current_id();
    let class = format!("W32ipcDemoReceiver-{me}");
    let mut receiver = Kid::spawn("wm-copydata", &["receiver", &class, TITLE])?;
    let ready = receiver.line()?.unwrap_or_default();
    let hwnd = ready
        .strip_prefix("ready ")
        .ok_or_else(|| io::Error::other(format!("the receiver did not start: {ready:?}")))?
        .to_owned();
    let mut sender = Kid::spawn("wm-copydata", &["sender", &class, TITLE])?;
    let (said, code) = sender.finish()?;
    let field = |key: &str| -> Vec<String> {
        said.iter()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('\t')))
            .map(|r| r.split('\t').map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let (found, store, reverse, sum, posted, quit, trips) = (
        field("found"),
        field("store"),
        field("reverse"),
        field("sum"),
        field("post"),
        field("quit"),
        field("trips"),
    );
    let (kept, rcode) = receiver.finish()?;
    let kept: Vec<&str> = kept
        .iter()
        .filter_map(|l| l.strip_prefix("kept "))
        .collect();
    let ok = code == Some(0)
        && rcode == Some(0)
        && found.first() == Some(&hwnd)
        && store.first().map(String::as_str) == Some("21")
        && reverse.first().map(String::as_str) == Some("desserts")
        && sum.first().map(String::as_str) == Some("match")
        && posted.first().map(String::as_str) == Some("ERROR_MESSAGE_SYNC_ONLY")
        && quit.first().map(String::as_str) == Some("gone")
        && kept == [HELLO];
    if !ok {
        return Err(io::Error::other(format!(
            "the WM_COPYDATA scenario went wrong: the sender said {said:?} (exit {code:?}), the receiver kept {kept:?} (exit {rcode:?})"
        )));
    }
    let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
    println!(
        "WM_COPYDATA: receiver {} created window {hwnd} (class \"{class}\", title \"{TITLE}\") and pumped GetMessage/DispatchMessage; sender {} found it with FindWindow and sent WM_COPYDATA blocks with action codes: STORE \"{HELLO}\" (answered 21; the receiver kept its own copy), REVERSE \"{STRESSED}\" (the receiver sent \"desserts\" back to the sender's window while the sender waited in SendMessage), SUM of 256 KiB (the checksums matched), QUIT (the receiver destroyed its window and left its loop); posting WM_COPYDATA failed with ERROR_MESSAGE_SYNC_ONLY — {}",
        receiver.id(),
        sender.id(),
        super::took(start.elapsed()),
    );
    println!(
        "  one SendMessage(WM_COPYDATA) to the other process: 64 bytes {} (median of {ROUND_TRIPS}), 256 KiB {}; the first one (STORE) {}, REVERSE with the receiver's send back inside it {}",
        at(&trips, 0),
        at(&sum, 1),
        at(&store, 1),
        at(&reverse, 1),
    );
    Ok(())
}

/// `receiver CLASS TITLE` or `sender CLASS TITLE`. The sender's lines are `KEY\tVALUE…`.
pub fn child(args: &[String]) -> io::Result<()> {
    match args {
        [role, class, title] if role == "receiver" => receiver(class, title),
        [role, class, title] if role == "sender" => sender(class, title),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: receiver|sender CLASS TITLE",
        )),
    }
}

/// FNV-1a, the checksum SUM answers.
fn fnv(data: &[u8]) -> u32 {
    data.iter().fold(2_166_136_261u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    })
}

/// The receiver: its main window, a handler for the action codes, the message loop; then what
/// it kept.
fn receiver(class: &str, title: &str) -> io::Result<()> {
    let kept = Rc::new(RefCell::new(Vec::<Vec<u8>>::new()));
    let handler = {
        let kept = kept.clone();
        move |hwnd: Hwnd, m: Message<'_>| -> isize {
            match m {
                Message::CopyData(cd) => match cd.action {
                    STORE => {
                        // The block is the system's: keep a copy of our own.
                        kept.borrow_mut().push(cd.data.to_vec());
                        cd.data.len() as isize
                    }
                    REVERSE => {
                        let reversed: Vec<u8> = cd.data.iter().rev().copied().collect();
                        // Back to the sender's window: it is waiting in its SendMessage and
                        // serves this meanwhile.
                        cd.from
                            .map_or(Ok(0), |back| {
                                back.send_copy_data(Some(hwnd), STORE, &reversed)
                            })
                            .unwrap_or(-1)
                    }
                    SUM => fnv(cd.data) as isize,
                    QUIT => {
                        let _ = hwnd.destroy();
                        1
                    }
                    _ => 0,
                },
                Message::Destroy => {
                    msg::post_quit_message(0);
                    0
                }
                _ => 0,
            }
        }
    };
    let window = Window::builder(class).title(title).create(handler)?;
    say(&format!("ready {:#x}", window.hwnd().raw()))?;
    let code = msg::run_message_loop()?;
    for block in kept.borrow().iter() {
        say(&format!("kept {}", String::from_utf8_lossy(block)))?;
    }
    say(&format!("end {code}"))
}

/// The sender: find the window, send the action codes, report each answer and its time.
fn sender(class: &str, title: &str) -> io::Result<()> {
    let back = Rc::new(RefCell::new(Vec::new()));
    let own = {
        let back = back.clone();
        Window::builder(&format!("{class}-sender"))
            .message_only(true)
            .create(move |_h: Hwnd, m: Message<'_>| match m {
                Message::CopyData(cd) => {
                    *back.borrow_mut() = cd.data.to_vec();
                    1
                }
                _ => 0,
            })?
    };
    let me = Some(own.hwnd());
    let patience = Instant::now() + Duration::from_secs(10);
    let target = loop {
        match msg::find_window(Some(class), Some(title)) {
            Some(h) => break h,
            None if Instant::now() < patience => std::thread::sleep(Duration::from_millis(1)),
            None => return Err(io::Error::other("no receiver window")),
        }
    };
    say(&format!("found\t{:#x}", target.raw()))?;

    let timed = |action: usize, data: &[u8]| -> io::Result<(isize, Duration)> {
        let t = Instant::now();
        let r = target.send_copy_data(me, action, data)?;
        Ok((r, t.elapsed()))
    };
    let (r, t) = timed(STORE, HELLO.as_bytes())?;
    say(&format!("store\t{r}\t{}", super::took(t)))?;
    let (r, t) = timed(REVERSE, STRESSED.as_bytes())?;
    let reversed = String::from_utf8_lossy(&back.borrow()).into_owned();
    say(&format!(
        "reverse\t{}\t{}\t{r}",
        if r == 1 { reversed.as_str() } else { "?" },
        super::took(t)
    ))?;
    let block: Vec<u8> = (0..SUM_BYTES)
        .map(|i| ((i * 131 + 63 + (i >> 8)) & 0xff) as u8)
        .collect();
    let (r, t) = timed(SUM, &block)?;
    let verdict = if r as u32 == fnv(&block) {
        "match"
    } else {
        "differ"
    };
    say(&format!("sum\t{verdict}\t{}", super::took(t)))?;
    let small = [7u8; 64];
    let mut times: Vec<Duration> = (0..ROUND_TRIPS)
        .map(|_| timed(SUM, &small).map(|(_, t)| t))
        .collect::<io::Result<_>>()?;
    times.sort();
    say(&format!("trips\t{}", super::took(times[times.len() / 2])))?;
    let posted = match target.post(WM_COPYDATA, me.map_or(0, Hwnd::raw), 0) {
        Ok(()) => "accepted".to_owned(),
        Err(e) => error_name(e.win32_code())
            .unwrap_or("an unknown error")
            .to_owned(),
    };
    say(&format!("post\t{posted}"))?;
    let (r, _) = timed(QUIT, &[])?;
    let gone = if target.is_window() { "alive" } else { "gone" };
    say(&format!("quit\t{gone}\t{r}"))
}

fn say(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}
