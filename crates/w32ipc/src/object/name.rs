//! Object names and namespaces: `Local\X`, `Global\X`, bare `X` (same as Local), and pipe names
//! `\\.\pipe\X`.
//!
//! Kernel-object names (events, mutexes, semaphores, mappings) share one case-sensitive
//! namespace per session; pipes live apart and are case-insensitive. The rules below were
//! checked against Windows' behaviour (via Wine):
//!
//! | name | result |
//! |---|---|
//! | `""` | an unnamed object on create; `ERROR_INVALID_HANDLE` on open |
//! | 260 or more UTF-16 units | `ERROR_FILENAME_EXCED_RANGE` |
//! | `Local\` or `Global\` alone | `ERROR_INVALID_NAME` |
//! | another `\` in the name (`a\b`, `Foo\x`, `local\x`) | `ERROR_PATH_NOT_FOUND` |
//! | `/` anywhere | allowed, an ordinary character |

use std::io;

use crate::error::{
    ERROR_BAD_NETPATH, ERROR_FILENAME_EXCED_RANGE, ERROR_INVALID_NAME, ERROR_PATH_NOT_FOUND, win32,
};

/// `MAX_PATH`: object names must be shorter.
pub const MAX_NAME_LEN: usize = 260;

/// Which namespace a kernel-object name lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// The caller's session (`Local\X`, or a bare `X`).
    Local,
    /// Machine-wide (`Global\X`).
    Global,
}

/// A parsed, valid kernel-object name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectName {
    namespace: Namespace,
    name: String,
}

impl ObjectName {
    /// Parses a kernel-object name. `Ok(None)` is the empty name, which makes an unnamed
    /// object.
    ///
    /// ```
    /// use w32ipc::object::name::{Namespace, ObjectName};
    /// let n = ObjectName::parse("Global\\ready")?.unwrap();
    /// assert_eq!((n.namespace(), n.name()), (Namespace::Global, "ready"));
    /// assert!(ObjectName::parse("")?.is_none());
    /// assert!(ObjectName::parse("a\\b").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn parse(full: &str) -> io::Result<Option<ObjectName>> {
        if full.is_empty() {
            return Ok(None);
        }
        if full.encode_utf16().count() >= MAX_NAME_LEN {
            return Err(win32(ERROR_FILENAME_EXCED_RANGE));
        }
        let (namespace, rest) = if let Some(rest) = full.strip_prefix("Local\\") {
            (Namespace::Local, rest)
        } else if let Some(rest) = full.strip_prefix("Global\\") {
            (Namespace::Global, rest)
        } else if let Some(rest) = full.strip_prefix("Session\\") {
            // `Session\<n>\X`: every session is this one on Linux.
            match rest.split_once('\\') {
                Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                    (Namespace::Local, rest)
                }
                _ => return Err(win32(ERROR_PATH_NOT_FOUND)),
            }
        } else {
            (Namespace::Local, full)
        };
        if rest.is_empty() {
            return Err(win32(ERROR_INVALID_NAME));
        }
        if rest.contains('\\') {
            return Err(win32(ERROR_PATH_NOT_FOUND));
        }
        Ok(Some(ObjectName {
            namespace,
            name: rest.to_owned(),
        }))
    }

    /// The namespace.
    pub fn namespace(&self) -> Namespace {
        self.namespace
    }

    /// The name within its namespace (without `Local\` or `Global\`).
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A parsed pipe name, `\\.\pipe\X` (case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PipeName {
    name: String,
}

impl PipeName {
    /// Parses `\\.\pipe\X`. A remote `\\server\pipe\X` fails with `ERROR_BAD_NETPATH`, another
    /// device (`\\.\notpipe\X`) with `ERROR_PATH_NOT_FOUND`, a name over 256 characters with
    /// `ERROR_FILENAME_EXCED_RANGE`, anything else with `ERROR_INVALID_NAME` (as Windows does).
    ///
    /// ```
    /// use w32ipc::object::name::PipeName;
    /// assert_eq!(PipeName::parse(r"\\.\PIPE\Demo")?.name(), "demo");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn parse(full: &str) -> io::Result<PipeName> {
        let rest = full
            .strip_prefix("\\\\")
            .ok_or_else(|| win32(ERROR_INVALID_NAME))?;
        let (server, rest) = rest
            .split_once('\\')
            .ok_or_else(|| win32(ERROR_INVALID_NAME))?;
        let (kind, name) = rest.split_once('\\').unwrap_or((rest, ""));
        if !kind.eq_ignore_ascii_case("pipe") {
            // `\\.\notpipe\x` is a path that does not exist.
            return Err(win32(ERROR_PATH_NOT_FOUND));
        }
        if server != "." {
            return Err(win32(ERROR_BAD_NETPATH));
        }
        if name.is_empty() {
            return Err(win32(ERROR_INVALID_NAME));
        }
        if name.encode_utf16().count() > 256 {
            return Err(win32(ERROR_FILENAME_EXCED_RANGE));
        }
        Ok(PipeName {
            name: name.to_lowercase(),
        })
    }

    /// The case-folded name after `\\.\pipe\`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The file name that stands for an object name in a namespace directory: the name itself with
/// `/`, `%` and a leading `.` escaped, or — when that is too long for a file name — a 128-bit
/// hash of it.
pub(crate) fn file_name_for(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.char_indices() {
        match c {
            '/' | '%' | '\0' => out.push_str(&format!("%{:02X}", c as u32)),
            '.' if i == 0 => out.push_str("%2E"),
            c => out.push(c),
        }
    }
    if out.len() > 200 {
        return format!("~{:032x}", fnv1a_128(name.as_bytes()));
    }
    out
}

fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013B;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ b as u128).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Win32ErrorExt;

    fn code(s: &str) -> u32 {
        ObjectName::parse(s).unwrap_err().win32_code()
    }

    #[test]
    fn rules_match_windows() {
        assert_eq!(code("Local\\"), ERROR_INVALID_NAME);
        assert_eq!(code("Global\\"), ERROR_INVALID_NAME);
        assert_eq!(code("a\\b"), ERROR_PATH_NOT_FOUND);
        assert_eq!(code("local\\y"), ERROR_PATH_NOT_FOUND);
        assert_eq!(code(&"x".repeat(260)), ERROR_FILENAME_EXCED_RANGE);
        assert!(ObjectName::parse(&"x".repeat(259)).unwrap().is_some());
        let n = ObjectName::parse("Session\\1\\z").unwrap().unwrap();
        assert_eq!((n.namespace(), n.name()), (Namespace::Local, "z"));
        let n = ObjectName::parse("a/b").unwrap().unwrap();
        assert_eq!(n.name(), "a/b");
    }

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(file_name_for("a/b"), "a%2Fb");
        assert_eq!(file_name_for("a%2Fb"), "a%252Fb");
        assert_eq!(file_name_for(".."), "%2E.");
        let long = "é".repeat(259);
        let f = file_name_for(&long);
        assert!(f.starts_with('~') && f.len() == 33);
        assert_ne!(f, file_name_for(&"é".repeat(258)));
    }

    #[test]
    fn pipe_names() {
        assert_eq!(PipeName::parse(r"\\.\pipe\A\B").unwrap().name(), "a\\b");
        assert_eq!(
            PipeName::parse(r"\\srv\pipe\x").unwrap_err().win32_code(),
            ERROR_BAD_NETPATH
        );
        assert_eq!(
            PipeName::parse(r"\\.\pipe\").unwrap_err().win32_code(),
            ERROR_INVALID_NAME
        );
    }
}
