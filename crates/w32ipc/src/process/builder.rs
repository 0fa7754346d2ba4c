//! [`ProcessBuilder`]: start a program as `CreateProcess` does.

use std::ffi::OsString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::Process;
use crate::object::Handle;
use crate::sys;

/// Starts a program as `CreateProcess` does: the child inherits every handle marked
/// inheritable, at the same value, when [`inherit_handles`](Self::inherit_handles) is on, and
/// none otherwise; its standard handles can be set; its arguments are given exactly.
///
/// Unlike `std::process::Command` with [`CommandExt`](super::CommandExt) (whose handle
/// selection needs a `pre_exec` hook, so the parent is copied with `fork`), this never copies
/// the parent: its cost does not grow with the parent's size.
///
/// ```
/// use w32ipc::process::ProcessBuilder;
/// let (reader, writer) = w32ipc::pipe::create_pipe(0, true)?;
/// let child = ProcessBuilder::new("/bin/echo")
///     .args(["echo", "hello"])
///     .stdout(writer.as_handle())
///     .spawn()?;
/// drop(writer);
/// let mut buf = [0u8; 16];
/// let n = reader.read_file(&mut buf)?;
/// assert_eq!(&buf[..n], b"hello\n");
/// assert_eq!(child.wait()?, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "CreateProcessW")]
pub struct ProcessBuilder<'a> {
    program: PathBuf,
    argv: Vec<String>,
    env: Option<Vec<(OsString, OsString)>>,
    extra_env: Vec<(OsString, OsString)>,
    cwd: Option<PathBuf>,
    std: [Option<&'a Handle>; 3],
    inherit_handles: bool,
    new_process_group: bool,
}

impl<'a> ProcessBuilder<'a> {
    /// A builder for `program` (a path), with `argv` = `[program]`, this process's environment,
    /// standard handles and directory, and inheritance of inheritable handles on.
    pub fn new(program: impl AsRef<Path>) -> ProcessBuilder<'a> {
        let program = program.as_ref().to_path_buf();
        ProcessBuilder {
            argv: vec![program.to_string_lossy().into_owned()],
            program,
            env: None,
            extra_env: Vec::new(),
            cwd: None,
            std: [None; 3],
            inherit_handles: true,
            new_process_group: false,
        }
    }

    /// The whole argument vector, `argv[0]` included.
    pub fn args<I, S>(mut self, argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.argv = argv.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the environment (`lpEnvironment`).
    pub fn env_clear_and_set<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<OsString>,
        V: Into<OsString>,
    {
        self.env = Some(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Adds or replaces one environment variable.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.extra_env.push((key.into(), value.into()));
        self
    }

    /// The child's working directory (`lpCurrentDirectory`).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The child's standard input (`STARTUPINFO.hStdInput`).
    pub fn stdin(mut self, h: &'a Handle) -> Self {
        self.std[0] = Some(h);
        self
    }

    /// The child's standard output (`STARTUPINFO.hStdOutput`).
    pub fn stdout(mut self, h: &'a Handle) -> Self {
        self.std[1] = Some(h);
        self
    }

    /// The child's standard error (`STARTUPINFO.hStdError`).
    pub fn stderr(mut self, h: &'a Handle) -> Self {
        self.std[2] = Some(h);
        self
    }

    /// Whether the child inherits the handles marked inheritable (`bInheritHandles`).
    pub fn inherit_handles(mut self, inherit: bool) -> Self {
        self.inherit_handles = inherit;
        self
    }

    /// Starts the child in a new process group (`CREATE_NEW_PROCESS_GROUP`).
    pub fn new_process_group(mut self, new: bool) -> Self {
        self.new_process_group = new;
        self
    }

    /// Starts the program.
    ///
    /// # Errors
    /// `ERROR_FILE_NOT_FOUND` when the program does not exist, `ERROR_ACCESS_DENIED` when it
    /// cannot be run, `ERROR_BAD_EXE_FORMAT` when it is not a program.
    pub fn spawn(&self) -> io::Result<Process> {
        let mut env: Vec<(OsString, OsString)> = match &self.env {
            Some(env) => env.clone(),
            None => std::env::vars_os().collect(),
        };
        for (k, v) in &self.extra_env {
            env.retain(|(ek, _)| ek != k);
            env.push((k.clone(), v.clone()));
        }
        let env: Vec<Vec<u8>> = env
            .iter()
            .map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()].concat())
            .collect();
        let std = self.std.map(|h| h.map(Handle::fd));
        let (pid, pidfd) = sys::spawn::spawn(&sys::spawn::Spawn {
            program: &self.program,
            argv: &self.argv,
            env: &env,
            cwd: self.cwd.as_deref(),
            std,
            inherit_handles: self.inherit_handles,
            new_process_group: self.new_process_group,
        })?;
        Ok(Process {
            handle: Handle::from_fd(pidfd),
            pid,
        })
    }
}
