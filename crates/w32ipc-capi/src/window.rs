//! Windows: `CreateWindowExA/W`, `DestroyWindow`, `IsWindow`, `FindWindowA/W`,
//! `FindWindowExA/W`, `GetWindowThreadProcessId`, `GetClassNameA/W`, `GetWindowTextA/W`,
//! `DefWindowProcA/W`, `CallWindowProcA/W`.
//!
//! A window is an IPC endpoint (nothing is drawn): the library keeps it in the session's window
//! table, so its `HWND` means the same window in every process. This layer keeps what only C
//! programs need, per window of this process: the current `WNDPROC` (which `SetWindowLongPtr`
//! may replace at any time: the library's procedure for the window looks it up at every call),
//! the styles, the id and the module handle.

use std::collections::HashMap;
use std::ffi::{CString, c_char, c_void};
use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use w32ipc::error::{
    ERROR_CANNOT_FIND_WND_CLASS, ERROR_INVALID_PARAMETER, ERROR_INVALID_WINDOW_HANDLE,
    ERROR_NOACCESS,
};
use w32ipc::msg::{self, Hwnd, Parent, RawProc, WM_CREATE, WM_DESTROY, WM_NCCREATE};

use crate::last_error::{SetLastError, boolean, fail, guard, set_from};
use crate::types::*;
use crate::window_class::{self, ClassArg};

/// `HWND_MESSAGE`: the parent of message-only windows.
pub const HWND_MESSAGE: usize = -3isize as usize;
/// `HWND_BROADCAST`: every top-level window (`SendMessage`, `PostMessage`).
pub const HWND_BROADCAST: usize = 0xFFFF;

const WS_CHILD: u32 = 0x4000_0000;
const WS_POPUP: u32 = 0x8000_0000;
const WS_CLIPSIBLINGS: u32 = 0x0400_0000;
const WS_CAPTION: u32 = 0x00C0_0000;
const WS_EX_WINDOWEDGE: u32 = 0x0000_0100;

/// `CREATESTRUCTA` (`C` = `c_char`) / `CREATESTRUCTW` (`C` = `WCHAR`): `WM_NCCREATE` and
/// `WM_CREATE`'s `lParam`.
#[repr(C)]
pub struct CREATESTRUCT<C> {
    /// `CreateWindowEx`'s `lpParam`.
    pub lpCreateParams: *mut c_void,
    /// `CreateWindowEx`'s `hInstance`.
    pub hInstance: HINSTANCE,
    /// `CreateWindowEx`'s `hMenu`.
    pub hMenu: *mut c_void,
    /// `CreateWindowEx`'s `hWndParent`.
    pub hwndParent: HWND,
    /// Height.
    pub cy: i32,
    /// Width.
    pub cx: i32,
    /// Position.
    pub y: i32,
    /// Position.
    pub x: i32,
    /// The window's style.
    pub style: i32,
    /// The title (NULL when none was given).
    pub lpszName: *const C,
    /// The class name, or its atom when the caller gave one.
    pub lpszClass: *const C,
    /// The extended style.
    pub dwExStyle: DWORD,
}

const _: () = assert!(std::mem::size_of::<CREATESTRUCT<u8>>() == 80);

/// What this layer keeps about a window of this process.
pub(crate) struct WinState {
    /// The window's handle (0 until `CreateWindowEx` has it).
    hwnd: AtomicUsize,
    /// The current `WNDPROC`, as an address (0: none).
    pub(crate) proc_: AtomicUsize,
    /// Whether the procedure takes UTF-16 strings (its class was registered with `…W`, or it
    /// was set with `SetWindowLongPtrW`).
    pub(crate) unicode: AtomicBool,
    /// The class's atom.
    class_atom: ATOM,
    /// `GWL_STYLE`, `GWL_EXSTYLE`, `GWLP_ID`, `GWLP_HINSTANCE`.
    pub(crate) style: AtomicU32,
    pub(crate) ex_style: AtomicU32,
    pub(crate) id: AtomicIsize,
    pub(crate) instance: AtomicUsize,
    /// Set while a creation its procedure refused destroys the window: the procedure then sees
    /// `WM_NCDESTROY` only, as on Windows.
    refused: AtomicBool,
}

impl WinState {
    /// The current procedure.
    pub(crate) fn procedure(&self) -> WNDPROC {
        proc_from_addr(self.proc_.load(Ordering::Acquire))
    }
}

/// A `WNDPROC` as an address (0 for NULL).
pub(crate) fn proc_addr(p: WNDPROC) -> usize {
    p.map_or(0, |f| f as usize)
}

/// The `WNDPROC` at an address that came from [`proc_addr`] or from the program.
pub(crate) fn proc_from_addr(a: usize) -> WNDPROC {
    if a == 0 {
        return None;
    }
    // SAFETY: a non-zero address the program gave as a window procedure (through a class or
    // SetWindowLongPtr); calling it is what the program asked for, as on Windows.
    Some(unsafe {
        std::mem::transmute::<usize, unsafe extern "C" fn(HWND, UINT, WPARAM, LPARAM) -> LRESULT>(a)
    })
}

fn windows() -> std::sync::MutexGuard<'static, HashMap<usize, Arc<WinState>>> {
    static W: OnceLock<Mutex<HashMap<usize, Arc<WinState>>>> = OnceLock::new();
    W.get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// This layer's record of `h`, if it is a window this process created.
pub(crate) fn state(h: Hwnd) -> Option<Arc<WinState>> {
    windows().get(&h.raw()).cloned()
}

/// Whether a window of the class with atom `atom` is still there.
pub(crate) fn class_has_windows(atom: ATOM) -> bool {
    let mine: Vec<usize> = windows()
        .iter()
        .filter(|(_, s)| s.class_atom == atom)
        .map(|(h, _)| *h)
        .collect();
    mine.into_iter()
        .any(|h| Hwnd::from_raw(h).is_some_and(Hwnd::is_window))
}

/// The `Hwnd` of a C handle; `None` for `NULL`.
pub(crate) fn hwnd(h: HWND) -> Option<Hwnd> {
    Hwnd::from_raw(h as usize)
}

/// A C handle that must name a live window: `ERROR_INVALID_WINDOW_HANDLE` otherwise.
pub(crate) fn live(h: HWND) -> io::Result<Hwnd> {
    match hwnd(h) {
        Some(w) if w.is_window() => Ok(w),
        _ => fail(ERROR_INVALID_WINDOW_HANDLE),
    }
}

/// The procedure the library calls for a window: the program's current `WNDPROC`. Dropped
/// when the window is gone (however it went: `DestroyWindow`, or its thread's end), which
/// drops this layer's record of it.
struct Procedure {
    st: Arc<WinState>,
}

impl Procedure {
    fn call(&self, h: Hwnd, m: UINT, w: WPARAM, l: LPARAM) -> LRESULT {
        if m == WM_DESTROY && self.st.refused.load(Ordering::Acquire) {
            return 0;
        }
        let Some(f) = self.st.procedure() else {
            return 0;
        };
        // SAFETY: the program's window procedure, called on the window's own thread with the
        // message's parameters, as Windows calls it.
        unsafe { f(h.raw() as HWND, m, w, l) }
    }
}

impl Drop for Procedure {
    fn drop(&mut self) {
        let h = self.st.hwnd.load(Ordering::Acquire);
        let mut all = windows();
        if all.get(&h).is_some_and(|s| Arc::ptr_eq(s, &self.st)) {
            all.remove(&h);
        }
    }
}

/// `CreateWindowEx`'s parameters, strings already read.
struct Create {
    ex_style: DWORD,
    /// The class argument as given (an atom stays an atom in `CREATESTRUCT`).
    class: Option<ClassArg>,
    title: Option<Vec<u16>>,
    style: DWORD,
    x: i32,
    y: i32,
    cx: i32,
    cy: i32,
    parent: HWND,
    menu: *mut c_void,
    instance: HINSTANCE,
    param: *mut c_void,
}

/// Creates the window and runs `WM_NCCREATE`/`WM_CREATE`; `Ok(None)` when the procedure
/// refused (the window is gone again, the last error untouched).
fn create(c: Create) -> io::Result<Option<Hwnd>> {
    let class = c
        .class
        .as_ref()
        .and_then(window_class::find)
        .ok_or_else(|| w32ipc::error::win32(ERROR_CANNOT_FIND_WND_CLASS))?;
    let message_only = match c.parent as usize {
        0 => false,
        HWND_MESSAGE => true,
        _ => {
            live(c.parent)?;
            return fail(ERROR_INVALID_PARAMETER); // children of windows are not supported
        }
    };
    let (mut style, mut ex_style) = (c.style, c.ex_style);
    if style & WS_CHILD == 0 {
        // What Windows adds: siblings are clipped, an overlapped window has a caption.
        style |= WS_CLIPSIBLINGS;
        if style & WS_POPUP == 0 {
            style |= WS_CAPTION;
            ex_style |= WS_EX_WINDOWEDGE;
        }
    }
    let st = Arc::new(WinState {
        hwnd: AtomicUsize::new(0),
        proc_: AtomicUsize::new(proc_addr(class.proc_)),
        unicode: AtomicBool::new(class.unicode),
        class_atom: class.atom,
        style: AtomicU32::new(style),
        ex_style: AtomicU32::new(ex_style),
        id: AtomicIsize::new(if style & WS_CHILD != 0 {
            c.menu as isize
        } else {
            0
        }),
        instance: AtomicUsize::new(c.instance as usize),
        refused: AtomicBool::new(false),
    });
    let p = Procedure { st: st.clone() };
    let raw: RawProc = Rc::new(move |h, m, w, l| p.call(h, m, w, l));
    let title = c.title.clone().unwrap_or_default();
    let h = msg::create_window_raw(&class.name, &title, message_only, class.wnd_extra, raw)?;
    st.hwnd.store(h.raw(), Ordering::Release);
    windows().insert(h.raw(), st.clone());

    let class_name = match &c.class {
        Some(ClassArg::Name(n)) => n.clone(),
        _ => class.name.clone(),
    };
    let atom = match &c.class {
        Some(ClassArg::Atom(a)) => Some(*a),
        _ => None,
    };
    let accepted = if class.unicode {
        let name_w: Option<Vec<u16>> = c.title.as_ref().map(|t| nul_terminated(t));
        let class_w = nul_terminated(&class_name);
        let mut cs = CREATESTRUCT::<WCHAR> {
            lpszName: name_w.as_ref().map_or(std::ptr::null(), |n| n.as_ptr()),
            lpszClass: atom.map_or(class_w.as_ptr(), |a| a as usize as *const WCHAR),
            ..create_struct(&c, style, ex_style)
        };
        run_create(h, std::ptr::addr_of_mut!(cs) as LPARAM)
    } else {
        let to_c = |u: &[u16]| {
            CString::new(String::from_utf16_lossy(u).replace('\0', "")).unwrap_or_default()
        };
        let name_a: Option<CString> = c.title.as_deref().map(to_c);
        let class_a = to_c(&class_name);
        let mut cs = CREATESTRUCT::<c_char> {
            lpszName: name_a.as_ref().map_or(std::ptr::null(), |n| n.as_ptr()),
            lpszClass: atom.map_or(class_a.as_ptr(), |a| a as usize as *const c_char),
            ..create_struct(&c, style, ex_style)
        };
        run_create(h, std::ptr::addr_of_mut!(cs) as LPARAM)
    };
    if accepted {
        Ok(Some(h))
    } else {
        st.refused.store(true, Ordering::Release);
        let _ = h.destroy();
        Ok(None)
    }
}

fn nul_terminated(s: &[u16]) -> Vec<u16> {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s);
    v.push(0);
    v
}

/// A `CREATESTRUCT` without its strings.
fn create_struct<C>(c: &Create, style: DWORD, ex_style: DWORD) -> CREATESTRUCT<C> {
    CREATESTRUCT {
        lpCreateParams: c.param,
        hInstance: c.instance,
        hMenu: c.menu,
        hwndParent: c.parent,
        cy: c.cy,
        cx: c.cx,
        y: c.y,
        x: c.x,
        style: style as i32,
        lpszName: std::ptr::null(),
        lpszClass: std::ptr::null(),
        dwExStyle: ex_style,
    }
}

/// Sends `WM_NCCREATE` (refused by 0) then `WM_CREATE` (refused by -1) with `cs`.
fn run_create(h: Hwnd, cs: LPARAM) -> bool {
    // SAFETY: neither message is WM_COPYDATA; the CREATESTRUCT lives across both calls.
    let nc = unsafe { msg::send_raw(h, WM_NCCREATE, 0, cs, 0, None, false) };
    if !matches!(nc, Ok(r) if r != 0) {
        return false;
    }
    // SAFETY: as above.
    let cr = unsafe { msg::send_raw(h, WM_CREATE, 0, cs, 0, None, false) };
    matches!(cr, Ok(r) if r != -1)
}

fn create_export(c: Create) -> HWND {
    guard(std::ptr::null_mut(), || match create(c) {
        Ok(Some(h)) => h.raw() as HWND,
        Ok(None) => std::ptr::null_mut(),
        Err(e) => {
            set_from(&e);
            std::ptr::null_mut()
        }
    })
}

/// `CreateWindowExA`: creates a window owned by the calling thread and sends it `WM_NCCREATE`
/// then `WM_CREATE` (with a `CREATESTRUCT` in the procedure's character set) before returning.
/// `hWndParent` `HWND_MESSAGE` makes a message-only window (found only by `FindWindowEx` with
/// `HWND_MESSAGE`); `NULL` a top-level one. Another window as the parent (child or owned
/// windows) is not supported: `ERROR_INVALID_PARAMETER` (`ERROR_INVALID_WINDOW_HANDLE` if it
/// names no window). The class may be an atom. Fails with `ERROR_CANNOT_FIND_WND_CLASS` (1407)
/// for a class not registered in this process; returns NULL without a new error when
/// `WM_NCCREATE` returns 0 or `WM_CREATE` returns -1 (the window then got `WM_NCDESTROY`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateWindowExA(
    dwExStyle: DWORD,
    lpClassName: *const c_char,
    lpWindowName: *const c_char,
    dwStyle: DWORD,
    X: i32,
    Y: i32,
    nWidth: i32,
    nHeight: i32,
    hWndParent: HWND,
    hMenu: *mut c_void,
    hInstance: HINSTANCE,
    lpParam: *mut c_void,
) -> HWND {
    let args = guard(None, || {
        // SAFETY: NULL, an atom or a string; NULL or a string, per the caller.
        let (class, title) = unsafe {
            (
                ClassArg::from_a(lpClassName),
                crate::strings::from_a(lpWindowName),
            )
        };
        Some((class, title.map(|t| t.encode_utf16().collect())))
    });
    let Some((class, title)) = args else {
        return std::ptr::null_mut();
    };
    create_export(Create {
        ex_style: dwExStyle,
        class,
        title,
        style: dwStyle,
        x: X,
        y: Y,
        cx: nWidth,
        cy: nHeight,
        parent: hWndParent,
        menu: hMenu,
        instance: hInstance,
        param: lpParam,
    })
}

/// `CreateWindowExW`: as [`CreateWindowExA`], with UTF-16 names.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CreateWindowExW(
    dwExStyle: DWORD,
    lpClassName: *const WCHAR,
    lpWindowName: *const WCHAR,
    dwStyle: DWORD,
    X: i32,
    Y: i32,
    nWidth: i32,
    nHeight: i32,
    hWndParent: HWND,
    hMenu: *mut c_void,
    hInstance: HINSTANCE,
    lpParam: *mut c_void,
) -> HWND {
    let args = guard(None, || {
        // SAFETY: NULL, an atom or a string; NULL or a string, per the caller.
        let (class, title) = unsafe {
            (
                ClassArg::from_w(lpClassName),
                (!lpWindowName.is_null())
                    .then(|| crate::strings::wide_units(lpWindowName).to_vec()),
            )
        };
        Some((class, title))
    });
    let Some((class, title)) = args else {
        return std::ptr::null_mut();
    };
    create_export(Create {
        ex_style: dwExStyle,
        class,
        title,
        style: dwStyle,
        x: X,
        y: Y,
        cx: nWidth,
        cy: nHeight,
        parent: hWndParent,
        menu: hMenu,
        instance: hInstance,
        param: lpParam,
    })
}

/// `DestroyWindow`: sends `WM_DESTROY` then `WM_NCDESTROY` and removes the window everywhere.
/// Only the window's own thread may: `ERROR_ACCESS_DENIED` (5) from another thread or
/// process; `ERROR_INVALID_WINDOW_HANDLE` (1400) for a handle that names no window (Wine 8
/// says 5 for a destroyed one; Windows validates the handle first).
#[unsafe(no_mangle)]
pub extern "C" fn DestroyWindow(hWnd: HWND) -> BOOL {
    boolean(|| match hwnd(hWnd) {
        Some(h) => h.destroy(),
        None => fail(ERROR_INVALID_WINDOW_HANDLE),
    })
}

/// `IsWindow`: whether the handle names a live window of any process of the session.
#[unsafe(no_mangle)]
pub extern "C" fn IsWindow(hWnd: HWND) -> BOOL {
    guard(FALSE, || {
        BOOL::from(hwnd(hWnd).is_some_and(Hwnd::is_window))
    })
}

/// `GetWindowThreadProcessId`: the id of the thread that created the window, and (through
/// `lpdwProcessId`, if not NULL) its process's; 0 with `ERROR_INVALID_WINDOW_HANDLE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetWindowThreadProcessId(hWnd: HWND, lpdwProcessId: *mut DWORD) -> DWORD {
    guard(0, || {
        let r = hwnd(hWnd)
            .ok_or_else(|| w32ipc::error::win32(ERROR_INVALID_WINDOW_HANDLE))
            .and_then(Hwnd::thread_process_id);
        match r {
            Ok((tid, pid)) => {
                if !lpdwProcessId.is_null() {
                    // SAFETY: non-null, per the caller valid for a write.
                    unsafe { *lpdwProcessId = pid };
                }
                tid
            }
            Err(e) => {
                set_from(&e);
                0
            }
        }
    })
}

/// The windows `FindWindowEx` looks among: `None` when `parent` is a window (it has no children
/// here) — or an error when it names none.
fn find(
    parent: HWND,
    after: HWND,
    class: Option<ClassArg>,
    title: Option<Vec<u16>>,
) -> io::Result<Option<Hwnd>> {
    let under = match parent as usize {
        0 => Parent::Desktop,
        HWND_MESSAGE => Parent::Message,
        _ => {
            live(parent)?;
            return Ok(None); // no child windows
        }
    };
    let after = match after as usize {
        0 => None,
        _ => Some(live(after)?),
    };
    let class = match class {
        None => None,
        Some(ClassArg::Name(n)) => Some(n),
        // An atom names a class of this process; other processes' atoms are not known here.
        Some(a @ ClassArg::Atom(_)) => match window_class::find(&a) {
            Some(c) => Some(c.name),
            None => return Ok(None),
        },
    };
    Ok(msg::find_window_ex_w(
        under,
        after,
        class.as_deref(),
        title.as_deref(),
    ))
}

fn find_export(r: io::Result<Option<Hwnd>>) -> HWND {
    match r {
        Ok(h) => h.map_or(std::ptr::null_mut(), |h| h.raw() as HWND),
        Err(e) => {
            set_from(&e);
            std::ptr::null_mut()
        }
    }
}

/// `FindWindowA`: the first top-level window whose class (without case; a name or an atom)
/// and title (without case) match; NULL leaves either out. Message-only windows are not found,
/// as Microsoft documents (use `FindWindowEx` with `HWND_MESSAGE`; Wine 8 finds them).
/// Searches every process of the session; NULL without an error when nothing matches.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FindWindowA(
    lpClassName: *const c_char,
    lpWindowName: *const c_char,
) -> HWND {
    // SAFETY: forwarded unchanged.
    unsafe {
        FindWindowExA(
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            lpClassName,
            lpWindowName,
        )
    }
}

/// `FindWindowW`: as [`FindWindowA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FindWindowW(
    lpClassName: *const WCHAR,
    lpWindowName: *const WCHAR,
) -> HWND {
    // SAFETY: forwarded unchanged.
    unsafe {
        FindWindowExW(
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            lpClassName,
            lpWindowName,
        )
    }
}

/// `FindWindowExA`: the next window after `hWndChildAfter` (NULL: the first) whose class and
/// title match, among top-level windows (`hWndParent` NULL) or message-only ones
/// (`HWND_MESSAGE`); call again with the last one found to enumerate. Windows have no children
/// here, so another window as the parent finds nothing. A class atom must be one of this
/// process's classes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FindWindowExA(
    hWndParent: HWND,
    hWndChildAfter: HWND,
    lpszClass: *const c_char,
    lpszWindow: *const c_char,
) -> HWND {
    guard(std::ptr::null_mut(), || {
        // SAFETY: NULL, an atom or a string; NULL or a string, per the caller.
        let (class, title) = unsafe {
            (
                ClassArg::from_a(lpszClass),
                crate::strings::from_a(lpszWindow).map(|t| t.encode_utf16().collect()),
            )
        };
        find_export(find(hWndParent, hWndChildAfter, class, title))
    })
}

/// `FindWindowExW`: as [`FindWindowExA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn FindWindowExW(
    hWndParent: HWND,
    hWndChildAfter: HWND,
    lpszClass: *const WCHAR,
    lpszWindow: *const WCHAR,
) -> HWND {
    guard(std::ptr::null_mut(), || {
        // SAFETY: NULL, an atom or a string; NULL or a string, per the caller.
        let (class, title) = unsafe {
            (
                ClassArg::from_w(lpszClass),
                (!lpszWindow.is_null()).then(|| crate::strings::wide_units(lpszWindow).to_vec()),
            )
        };
        find_export(find(hWndParent, hWndChildAfter, class, title))
    })
}

/// Copies `s` into a narrow buffer of `max` chars (cut at a character boundary, NUL added);
/// returns the chars copied.
///
/// # Safety
/// `buf` is valid for `max` chars when `max` > 0.
unsafe fn copy_out_a(s: &str, buf: *mut c_char, max: i32) -> i32 {
    if max <= 0 {
        return 0;
    }
    if buf.is_null() {
        SetLastError(ERROR_NOACCESS);
        return 0;
    }
    let mut end = s.len().min(max as usize - 1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    // SAFETY: per the caller; `end + 1 <= max`.
    unsafe { crate::strings::to_a(&s[..end], buf, max as usize) }.0 as i32
}

/// As [`copy_out_a`], for a wide buffer of `max` units.
///
/// # Safety
/// `buf` is valid for `max` units when `max` > 0.
unsafe fn copy_out_w(s: &str, buf: *mut WCHAR, max: i32) -> i32 {
    if max <= 0 {
        return 0;
    }
    if buf.is_null() {
        SetLastError(ERROR_NOACCESS);
        return 0;
    }
    // SAFETY: per the caller.
    unsafe { crate::strings::to_w(s, buf, max as usize) }.0 as i32
}

fn text_of(h: HWND, class: bool) -> io::Result<String> {
    let w = hwnd(h).ok_or_else(|| w32ipc::error::win32(ERROR_INVALID_WINDOW_HANDLE))?;
    if class { w.class_name() } else { w.title() }
}

/// The window's class name (`class`) or title into a caller's buffer of `n` chars: the chars
/// copied, or 0 with the error.
///
/// # Safety
/// `out` is NULL or valid for `n` chars.
unsafe fn text_a(hwnd: HWND, class: bool, out: *mut c_char, n: i32) -> i32 {
    guard(0, || match text_of(hwnd, class) {
        // SAFETY: per the caller.
        Ok(s) => unsafe { copy_out_a(&s, out, n) },
        Err(e) => {
            set_from(&e);
            0
        }
    })
}

/// [`text_a`] in UTF-16 units.
///
/// # Safety
/// `out` is NULL or valid for `n` units.
unsafe fn text_w(hwnd: HWND, class: bool, out: *mut WCHAR, n: i32) -> i32 {
    guard(0, || match text_of(hwnd, class) {
        // SAFETY: per the caller.
        Ok(s) => unsafe { copy_out_w(&s, out, n) },
        Err(e) => {
            set_from(&e);
            0
        }
    })
}

/// `GetClassNameA`: the window's class name (as registered) into `lpClassName`, cut to
/// `nMaxCount - 1` chars; returns the chars copied (0 with `ERROR_INVALID_WINDOW_HANDLE`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetClassNameA(
    hWnd: HWND,
    lpClassName: *mut c_char,
    nMaxCount: i32,
) -> i32 {
    // SAFETY: the caller's buffer of nMaxCount chars.
    unsafe { text_a(hWnd, true, lpClassName, nMaxCount) }
}

/// `GetClassNameW`: as [`GetClassNameA`], in UTF-16 units.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetClassNameW(hWnd: HWND, lpClassName: *mut WCHAR, nMaxCount: i32) -> i32 {
    // SAFETY: the caller's buffer of nMaxCount units.
    unsafe { text_w(hWnd, true, lpClassName, nMaxCount) }
}

/// `GetWindowTextA`: the window's title (the `lpWindowName` it was created with; any process's
/// window) into `lpString`, cut to `nMaxCount - 1` chars; returns the chars copied. No
/// `WM_GETTEXT` is sent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetWindowTextA(hWnd: HWND, lpString: *mut c_char, nMaxCount: i32) -> i32 {
    // SAFETY: the caller's buffer of nMaxCount chars.
    unsafe { text_a(hWnd, false, lpString, nMaxCount) }
}

/// `GetWindowTextW`: as [`GetWindowTextA`], in UTF-16 units.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn GetWindowTextW(hWnd: HWND, lpString: *mut WCHAR, nMaxCount: i32) -> i32 {
    // SAFETY: the caller's buffer of nMaxCount units.
    unsafe { text_w(hWnd, false, lpString, nMaxCount) }
}

/// `DefWindowProcA`: the default handling: `WM_NCCREATE` → TRUE, `WM_CLOSE` destroys the
/// window, every other message → 0.
#[unsafe(no_mangle)]
pub extern "C" fn DefWindowProcA(hWnd: HWND, Msg: UINT, wParam: WPARAM, lParam: LPARAM) -> LRESULT {
    guard(0, || match hwnd(hWnd) {
        Some(h) => msg::def_window_proc(h, Msg, wParam, lParam),
        None => 0,
    })
}

/// `DefWindowProcW`: as [`DefWindowProcA`].
#[unsafe(no_mangle)]
pub extern "C" fn DefWindowProcW(hWnd: HWND, Msg: UINT, wParam: WPARAM, lParam: LPARAM) -> LRESULT {
    DefWindowProcA(hWnd, Msg, wParam, lParam)
}

/// `CallWindowProcA`: calls `lpPrevWndFunc` (the procedure a subclass replaced) with the
/// message; 0 when it is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CallWindowProcA(
    lpPrevWndFunc: WNDPROC,
    hWnd: HWND,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
) -> LRESULT {
    match lpPrevWndFunc {
        // SAFETY: the program's procedure, called as the program asked.
        Some(f) => unsafe { f(hWnd, Msg, wParam, lParam) },
        None => 0,
    }
}

/// `CallWindowProcW`: as [`CallWindowProcA`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn CallWindowProcW(
    lpPrevWndFunc: WNDPROC,
    hWnd: HWND,
    Msg: UINT,
    wParam: WPARAM,
    lParam: LPARAM,
) -> LRESULT {
    // SAFETY: forwarded unchanged.
    unsafe { CallWindowProcA(lpPrevWndFunc, hWnd, Msg, wParam, lParam) }
}
