//! `w32ipc completions SHELL`: the shell completion script, on stdout.

use std::io::{self, Write};

use clap_complete::{Generator, Shell};

use crate::report::Failure;

/// Print a shell completion script (bash, zsh, fish, elvish, powershell)
///
/// The script completes the commands, their options and the values they take (the demo's
/// scenarios, the shells here). It goes to stdout: save it where the shell looks for
/// completions, as below, and open a new shell.
#[derive(clap::Args)]
#[command(verbatim_doc_comment, after_help = HELP)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

const HELP: &str = r#"Examples (install for one user):
  w32ipc completions bash > ~/.local/share/bash-completion/completions/w32ipc
  w32ipc completions zsh > ~/.zfunc/_w32ipc
      (and in ~/.zshrc, before compinit: fpath+=~/.zfunc)
  w32ipc completions fish > ~/.config/fish/completions/w32ipc.fish
  w32ipc completions elvish >> ~/.config/elvish/rc.elv
  w32ipc completions powershell >> $PROFILE
  source <(w32ipc completions bash)       only in this shell

Exit codes: 0 success, also when the reader stops early (`| head`); otherwise as
the table in `w32ipc --help` says."#;

/// The program's name, as the shell sees it.
const BIN: &str = "w32ipc";

/// Writes the script for `cli` (the whole command line) to stdout. A reader that stops early
/// (`| head`) ends the output quietly.
pub fn run(args: &Args, cli: &clap::Command) -> Result<(), Failure> {
    let mut cmd = visible(cli);
    cmd.set_bin_name(BIN);
    cmd.build();
    // Into memory first: some generators still panic on a failed write (fish's helpers), and
    // writing to a Vec cannot fail.
    let mut script = Vec::new();
    args.shell
        .try_generate(&cmd, &mut script)
        .map_err(|e| Failure::plain("cannot make the completion script", &e))?;
    let mut out = io::stdout().lock();
    match out.write_all(&script).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure::plain(
            "cannot write the completion script to stdout",
            &e,
        )),
        _ => Ok(()),
    }
}

/// The command line without its hidden commands (`__child`): the generators list every
/// command, hidden or not, and clap cannot remove one, so the top is built again from the
/// visible ones.
fn visible(cli: &clap::Command) -> clap::Command {
    let mut cmd = clap::Command::new(BIN).version(env!("CARGO_PKG_VERSION"));
    if let Some(about) = cli.get_about() {
        cmd = cmd.about(about.clone());
    }
    for arg in cli.get_arguments() {
        cmd = cmd.arg(arg.clone());
    }
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        cmd = cmd.subcommand(sub.clone());
    }
    cmd
}
