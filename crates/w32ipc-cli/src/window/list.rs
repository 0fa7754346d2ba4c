//! `w32ipc window ls`: the session's windows.

use w32ipc::msg::{self, Parent};

use super::{hwnd_text, kind, one_line};
use crate::report::Failure;

/// List the windows of the session: handle, kind, owner process and thread, class, title
///
/// Top-level windows first (what FindWindow finds), then message-only ones (what
/// FindWindowEx(HWND_MESSAGE, …) finds). A window whose process was killed is gone at
/// once and is not listed.
#[derive(clap::Args)]
#[command(verbatim_doc_comment, after_help = LS_HELP)]
pub struct Args {
    /// Only windows of this class (compared without case).
    #[arg(long, value_name = "CLASS")]
    class: Option<String>,
    /// Only windows with this title (compared without case).
    #[arg(long, value_name = "TITLE")]
    title: Option<String>,
}

const LS_HELP: &str = concat!(
    r#"Examples:
  w32ipc window ls                                  every window of the session
  w32ipc window ls --class W32ipcListener           the `w32ipc window listen` ones

Output (one line per window):
  HWND       KIND          PROCESS   THREAD  CLASS                    TITLE
  0x10001    top-level        4242     4242  W32ipcListener           "w32ipc listen"
  0x10002    message-only     4250     4251  Receiver                 "Seed receiver"

"#,
    exit_codes!()
);

pub fn run(args: &Args) -> Result<(), Failure> {
    let mut rows = Vec::new();
    for parent in [Parent::Desktop, Parent::Message] {
        for h in msg::windows(parent, args.class.as_deref(), args.title.as_deref()) {
            // A window may go while we look: leave it out.
            let (Ok((tid, pid)), Ok(class), Ok(title)) =
                (h.thread_process_id(), h.class_name(), h.title())
            else {
                continue;
            };
            rows.push((h, kind(parent), pid, tid, class, title));
        }
    }
    if rows.is_empty() {
        println!("no windows");
        return Ok(());
    }
    println!(
        "{:<10} {:<12} {:>8} {:>8}  {:<24} TITLE",
        "HWND", "KIND", "PROCESS", "THREAD", "CLASS"
    );
    for (h, kind, pid, tid, class, title) in rows {
        println!(
            "{:<10} {:<12} {:>8} {:>8}  {:<24} {:?}",
            hwnd_text(h),
            kind,
            pid,
            tid,
            one_line(&class),
            title
        );
    }
    Ok(())
}
