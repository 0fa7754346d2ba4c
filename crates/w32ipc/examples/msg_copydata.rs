//! The seed document's `WM_COPYDATA` in Rust: a receiver process with a main window and a
//! message loop, and a sender process that finds the window by class and title and sends it
//! blocks of bytes with an action code (`COPYDATASTRUCT.dwData`).
//!
//! ```text
//! cargo run -p w32ipc --example msg_copydata                  # both: the receiver starts a sender
//! cargo run -p w32ipc --example msg_copydata -- receiver      # in one terminal ...
//! cargo run -p w32ipc --example msg_copydata -- sender        # ... and this in another
//! cargo run -p w32ipc --example msg_copydata -- sender 'some text'
//! ```
//!
//! Both sides must use the same session root (`W32IPC_ROOT`, else `$XDG_RUNTIME_DIR/w32ipc`).
//!
//! The receiver's window procedure reads the action code: STORE keeps its own copy of the block
//! (the block belongs to the system and is valid only while the handler runs) and answers its
//! length; REVERSE sends the block reversed back to the window the sender named in `wParam` —
//! the sender is blocked in its `SendMessage` and serves that send meanwhile; SUM answers a
//! checksum; QUIT destroys the window, which ends the receiver's message loop. The sender also
//! shows the seed's rule that `WM_COPYDATA` must be sent, not posted (`ERROR_MESSAGE_SYNC_ONLY`).
//! The C twin of this scenario is `msg_seed.c` among the C tests (`tests/c/`).

use std::cell::RefCell;
use std::io;
use std::process::{Command, ExitCode, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use w32ipc::error::{Win32ErrorExt, error_name};
use w32ipc::msg::{self, Hwnd, Message, WM_COPYDATA, Window};

const CLASS: &str = "W32ipcSeedReceiver";
const TITLE: &str = "Seed receiver";

/// The action codes (`dwData`).
const STORE: usize = 1;
const REVERSE: usize = 2;
const SUM: usize = 3;
const QUIT: usize = 4;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None => both(),
        Some("receiver") => receiver(CLASS, TITLE, || Ok(())).map(|_| ()),
        Some("sender") => sender(CLASS, TITLE, args.get(1).map(String::as_str)),
        Some(_) => {
            eprintln!("usage: msg_copydata [receiver | sender [TEXT]]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("msg_copydata: {e}");
            ExitCode::FAILURE
        }
    }
}

/// No arguments: the receiver here, and a sender process (this program again, as `sender`).
fn both() -> io::Result<()> {
    let mut child = None;
    receiver(CLASS, TITLE, || {
        child = Some(
            Command::new(std::env::current_exe()?)
                .arg("sender")
                .stdin(Stdio::null())
                .spawn()?,
        );
        Ok(())
    })?;
    let status = child.expect("the sender was started").wait()?;
    if !status.success() {
        return Err(io::Error::other(format!("the sender failed: {status}")));
    }
    Ok(())
}

/// FNV-1a, the checksum SUM answers.
fn checksum(data: &[u8]) -> u32 {
    data.iter().fold(2_166_136_261u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    })
}

/// The receiver: creates its main window (class and title are how the sender finds it), runs
/// `created` (to start a sender), pumps messages until QUIT; returns the blocks it kept.
fn receiver(
    class: &str,
    title: &str,
    created: impl FnOnce() -> io::Result<()>,
) -> io::Result<Vec<Vec<u8>>> {
    let kept = Rc::new(RefCell::new(Vec::new()));
    let proc_ = {
        let kept = kept.clone();
        move |hwnd: Hwnd, m: Message<'_>| -> isize {
            match m {
                // PCOPYDATASTRUCT pcds = (PCOPYDATASTRUCT) lParam;
                // PBYTE pBuffer = (PBYTE) pcds->lpData;
                Message::CopyData(cd) => match cd.action {
                    STORE => {
                        // The data belongs to the system: keep a copy of our own.
                        kept.borrow_mut().push(cd.data.to_vec());
                        println!(
                            "receiver: STORE {} bytes: {:?}",
                            cd.data.len(),
                            String::from_utf8_lossy(cd.data)
                        );
                        cd.data.len() as isize
                    }
                    REVERSE => {
                        let reversed: Vec<u8> = cd.data.iter().rev().copied().collect();
                        println!("receiver: REVERSE, sending the block back reversed");
                        // wParam is the sender's window; the sender serves this send while it
                        // waits in its own.
                        match cd.from {
                            Some(back) => back
                                .send_copy_data(Some(hwnd), STORE, &reversed)
                                .unwrap_or(-1),
                            None => 0,
                        }
                    }
                    SUM => {
                        println!("receiver: SUM of {} bytes", cd.data.len());
                        checksum(cd.data) as isize
                    }
                    QUIT => {
                        println!("receiver: QUIT, destroying the window");
                        let _ = hwnd.destroy();
                        1
                    }
                    other => {
                        println!("receiver: unknown action code {other}");
                        0
                    }
                },
                Message::Destroy => {
                    msg::post_quit_message(0);
                    0
                }
                _ => 0,
            }
        }
    };
    let window = Window::builder(class).title(title).create(proc_)?;
    println!(
        "receiver: window {:?} of class {class:?}, title {title:?}, process {}; waiting for WM_COPYDATA",
        window.hwnd(),
        std::process::id()
    );
    created()?;
    // while (GetMessage(&msg, NULL, 0, 0)) DispatchMessage(&msg);
    let code = msg::run_message_loop()?;
    let kept = kept.borrow().clone();
    println!(
        "receiver: message loop ended ({code}); kept {} block(s)",
        kept.len()
    );
    Ok(kept)
}

/// The sender: finds the receiver's window, sends STORE, REVERSE, SUM, then QUIT.
fn sender(class: &str, title: &str, text: Option<&str>) -> io::Result<()> {
    // The sender's own window: wParam of its sends, and where REVERSE's answer arrives.
    let answer = Rc::new(RefCell::new(Vec::new()));
    let own = {
        let answer = answer.clone();
        Window::builder("W32ipcSeedSender")
            .message_only(true)
            .create(move |_h: Hwnd, m: Message<'_>| match m {
                Message::CopyData(cd) => {
                    *answer.borrow_mut() = cd.data.to_vec();
                    1
                }
                _ => 0,
            })?
    };
    let me = Some(own.hwnd());

    // hWndTarget: the receiving process's main window, found by class and title.
    let deadline = Instant::now() + Duration::from_secs(10);
    let target = loop {
        if let Some(h) = msg::find_window(Some(class), Some(title)) {
            break h;
        }
        if Instant::now() > deadline {
            return Err(io::Error::other(format!(
                "no window of class {class:?} with title {title:?} (start `msg_copydata receiver`)"
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let (_, pid) = target.thread_process_id()?;
    println!("sender: found window {target:?} of process {pid}");

    // COPYDATASTRUCT cds; cds.dwData = STORE; cds.cbData = nSize; cds.lpData = pBuffer;
    // SendMessage(hWndTarget, WM_COPYDATA, (WPARAM) hWnd, (LPARAM) &cds);
    let hello = text.unwrap_or("Hello from the sender");
    let r = target.send_copy_data(me, STORE, hello.as_bytes())?;
    println!("sender: STORE {hello:?} answered {r}");

    let r = target.send_copy_data(me, REVERSE, b"stressed")?;
    println!(
        "sender: REVERSE \"stressed\" answered {r}; the receiver sent back {:?}",
        String::from_utf8_lossy(&answer.borrow())
    );

    let block: Vec<u8> = (0..256 * 1024).map(|i| (i * 131 % 251) as u8).collect();
    let start = Instant::now();
    let r = target.send_copy_data(me, SUM, &block)?;
    println!(
        "sender: SUM of 256 KiB answered {:#x} in {:?}: {}",
        r as u32,
        start.elapsed(),
        if r as u32 == checksum(&block) {
            "the checksum matches"
        } else {
            "the checksum DIFFERS"
        }
    );

    // The seed: WM_COPYDATA must be sent, not posted.
    match target.post(WM_COPYDATA, me.map_or(0, Hwnd::raw), 0) {
        Ok(()) => println!("sender: PostMessage(WM_COPYDATA) was accepted (it should not be)"),
        Err(e) => println!(
            "sender: PostMessage(WM_COPYDATA) failed: {}",
            error_name(e.win32_code()).unwrap_or("?")
        ),
    }

    let r = target.send_copy_data(me, QUIT, &[])?;
    println!(
        "sender: QUIT answered {r}; the window is {}",
        if target.is_window() {
            "still there"
        } else {
            "gone"
        }
    );
    Ok(())
}
