//! Views of a file mapping (`MapViewOfFile`) and safe access to memory other processes share.

use std::io;
use std::mem::{align_of, size_of};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU8, AtomicU16, AtomicU32, AtomicU64, AtomicUsize};

use crate::sys;

/// Plain data that may live in memory shared with other processes.
///
/// # Safety
/// Implement only for types that are valid for *every* bit pattern (another process may write
/// anything), hold no pointers or references (addresses mean nothing in another process), have
/// no `Drop`, and have a fixed layout: primitives, arrays of them, and `#[repr(C)]` structs of
/// such fields (mind the padding: it is shared too). Types whose fields may change while a
/// reference to them is held (see [`View::place`]) must allow it through interior mutability:
/// atomics are `Shareable`, `Cell` and plain integers inside a `&T` are not safe to mutate.
pub unsafe trait Shareable: Sized + 'static {}

macro_rules! shareable {
    ($($t:ty),*) => { $(
        // SAFETY: a primitive integer, float or atomic: valid for every bit pattern, no
        // pointers, no Drop.
        unsafe impl Shareable for $t {}
    )* };
}
shareable!(
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    AtomicU8,
    AtomicU16,
    AtomicU32,
    AtomicU64,
    AtomicUsize
);
// SAFETY: an array of shareable elements has their properties and no padding between them.
unsafe impl<T: Shareable, const N: usize> Shareable for [T; N] {}

/// A view of a file mapping: a range of this process's address space that shows the mapping's
/// pages (`MapViewOfFile`). Unmapped on drop (`UnmapViewOfFile`).
///
/// # The hazard: memory other processes write
///
/// The bytes of a view may change at any moment — another process (or another view, or a
/// write to the mapped file) can write them concurrently. So a view never hands out `&[u8]` or
/// `&mut [u8]`: Rust's references promise that nobody else changes the bytes, and the compiler
/// optimises on that promise. Instead it offers:
///
/// * volatile copies: [`read_into`](View::read_into) / [`write_from`](View::write_from) copy
///   bytes out and in (each byte is accessed exactly once, but a copy is not atomic as a whole
///   — use the atomics or a lock such as a named mutex to agree on when data is complete);
/// * typed volatile reads and writes of plain data: [`read`](View::read) /
///   [`write`](View::write);
/// * atomics in place: [`atomic_u32`](View::atomic_u32), [`atomic_u64`](View::atomic_u64), …
///   (cross-process atomics work: the memory is the same physical memory);
/// * typed placement of `#[repr(C)]` data: [`place`](View::place) (unsafe: you state that
///   nobody changes the fields except through their interior mutability);
/// * the raw pointer: [`as_ptr`](View::as_ptr), for everything else, at your own risk.
///
/// Accessors panic when the range is outside the view or misaligned, and writing ones panic on a
/// read-only view (Windows would raise an access violation).
///
/// ```
/// use std::sync::atomic::Ordering;
/// use w32ipc::mapping::{FileMapping, MapAccess};
///
/// let mapping = FileMapping::create(None, 4096)?;
/// let view = mapping.map_view(MapAccess::WRITE, 0, 0)?;
/// view.write_from(8, b"hello");
/// view.atomic_u32(0).fetch_add(1, Ordering::AcqRel);
/// let mut out = [0u8; 5];
/// view.read_into(8, &mut out);
/// assert_eq!(&out, b"hello");
/// assert_eq!(view.read::<u32>(0), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
#[doc(alias = "MapViewOfFile")]
pub struct View {
    ptr: NonNull<u8>,
    len: usize,
    writable: bool,
}

// SAFETY: a view is an address range; every access through it is volatile, atomic or unsafe
// with a stated contract, so sharing or sending it between threads adds no data race that
// another process could not cause anyway.
unsafe impl Send for View {}
// SAFETY: as above.
unsafe impl Sync for View {}

impl View {
    pub(crate) fn new(ptr: *mut u8, len: usize, writable: bool) -> View {
        View {
            ptr: NonNull::new(ptr).expect("mmap never returns NULL"),
            len,
            writable,
        }
    }

    /// The first byte of the view (what `MapViewOfFile` returns).
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The number of bytes of the view.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the view has no bytes (never: views are at least one byte).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the view may be written (`FILE_MAP_WRITE` or `FILE_MAP_COPY`).
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    fn check(&self, offset: usize, len: usize, align: usize) -> *mut u8 {
        let end = offset.checked_add(len).expect("offset + length overflows");
        assert!(
            end <= self.len,
            "range {offset}..{end} is outside the view of {} bytes",
            self.len
        );
        // SAFETY: offset <= len of the view, so the pointer stays inside it (or one past).
        let p = unsafe { self.ptr.as_ptr().add(offset) };
        assert!(
            (p as usize).is_multiple_of(align),
            "offset {offset} is not aligned to {align}"
        );
        p
    }

    fn check_writable(&self) {
        assert!(self.writable, "the view is read-only");
    }

    /// Copies `buf.len()` bytes from `offset` into `buf`, with volatile reads.
    ///
    /// # Panics
    /// When the range is outside the view.
    pub fn read_into(&self, offset: usize, buf: &mut [u8]) {
        let src = self.check(offset, buf.len(), 1);
        // SAFETY: `src..src + buf.len()` is inside the view (checked), which stays mapped while
        // `self` lives; reads are volatile, so concurrent writers make values change, not UB.
        unsafe { volatile_read(buf.as_mut_ptr(), src, buf.len()) };
    }

    /// Copies `data` to `offset`, with volatile writes.
    ///
    /// # Panics
    /// When the range is outside the view, or the view is read-only.
    pub fn write_from(&self, offset: usize, data: &[u8]) {
        self.check_writable();
        let dst = self.check(offset, data.len(), 1);
        // SAFETY: inside a writable view (checked); volatile writes.
        unsafe { volatile_write(dst, data.as_ptr(), data.len()) };
    }

    /// Reads a `T` at `offset` (volatile). The value may be torn if another process writes it
    /// at the same time: use atomics for values that change under you.
    ///
    /// # Panics
    /// When the range is outside the view or `offset` is not aligned for `T`.
    pub fn read<T: Shareable + Copy>(&self, offset: usize) -> T {
        let p = self.check(offset, size_of::<T>(), align_of::<T>());
        // SAFETY: inside the view and aligned (checked); any bit pattern is a valid T.
        unsafe { p.cast::<T>().read_volatile() }
    }

    /// Writes a `T` at `offset` (volatile).
    ///
    /// # Panics
    /// When the range is outside the view, `offset` is not aligned for `T`, or the view is
    /// read-only.
    pub fn write<T: Shareable + Copy>(&self, offset: usize, value: T) {
        self.check_writable();
        let p = self.check(offset, size_of::<T>(), align_of::<T>());
        // SAFETY: inside a writable view, aligned (checked).
        unsafe { p.cast::<T>().write_volatile(value) };
    }

    /// A reference to plain data placed at `offset` — the way to put a `#[repr(C)]` header of
    /// atomics in shared memory:
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
    /// use w32ipc::mapping::{FileMapping, MapAccess, Shareable};
    ///
    /// #[repr(C)]
    /// struct Header { ready: AtomicU32, _pad: u32, sequence: AtomicU64 }
    /// // SAFETY: atomics and a plain integer, every bit pattern valid, no pointers.
    /// unsafe impl Shareable for Header {}
    ///
    /// let view = FileMapping::create(None, 4096)?.map_view(MapAccess::WRITE, 0, 0)?;
    /// // SAFETY: other processes change the header only through its atomics.
    /// let header: &Header = unsafe { view.place(0) };
    /// header.sequence.fetch_add(1, Ordering::AcqRel);
    /// header.ready.store(1, Ordering::Release);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Safety
    /// While the reference lives, no one — in this process or another — may change the bytes
    /// of the `T` except through its interior mutability (its atomics). For a view that is not
    /// writable, not even that: atomics would fault on the first store.
    ///
    /// # Panics
    /// When the range is outside the view or `offset` is not aligned for `T`.
    pub unsafe fn place<T: Shareable>(&self, offset: usize) -> &T {
        let p = self.check(offset, size_of::<T>(), align_of::<T>());
        // SAFETY: inside the view, aligned, valid for any bits; the caller keeps the aliasing
        // contract; the reference cannot outlive the view.
        unsafe { &*p.cast::<T>() }
    }

    fn atomic<T: Shareable>(&self, offset: usize) -> &T {
        self.check_writable();
        // SAFETY: atomics change only through themselves; the view is writable (checked).
        unsafe { self.place(offset) }
    }

    /// An `AtomicU32` at `offset`, shared with every process that maps the same bytes.
    ///
    /// # Panics
    /// When out of range, misaligned, or the view is read-only (use [`read`](View::read) there).
    pub fn atomic_u32(&self, offset: usize) -> &AtomicU32 {
        self.atomic(offset)
    }

    /// An `AtomicU64` at `offset`; see [`atomic_u32`](View::atomic_u32).
    pub fn atomic_u64(&self, offset: usize) -> &AtomicU64 {
        self.atomic(offset)
    }

    /// An `AtomicU8` at `offset`; see [`atomic_u32`](View::atomic_u32).
    pub fn atomic_u8(&self, offset: usize) -> &AtomicU8 {
        self.atomic(offset)
    }

    /// An `AtomicUsize` at `offset`; see [`atomic_u32`](View::atomic_u32).
    pub fn atomic_usize(&self, offset: usize) -> &AtomicUsize {
        self.atomic(offset)
    }

    /// Writes the view's modified pages back to the file it maps (`FlushViewOfFile`); for a
    /// paging-file mapping there is nothing to write and it succeeds at once.
    #[doc(alias = "FlushViewOfFile")]
    pub fn flush(&self) -> io::Result<()> {
        sys::mapping::flush(self.as_ptr(), self.len)
    }

    /// Flushes `len` bytes from `offset` (0 = to the end of the view).
    ///
    /// # Errors
    /// `ERROR_INVALID_PARAMETER` when the range goes past the end of the view.
    #[doc(alias = "FlushViewOfFile")]
    pub fn flush_range(&self, offset: usize, len: usize) -> io::Result<()> {
        let page_end = self.len.next_multiple_of(sys::mapping::page_size());
        let len = if len == 0 {
            self.len.saturating_sub(offset)
        } else {
            len
        };
        match offset.checked_add(len) {
            Some(end) if end <= page_end && offset <= self.len => {
                // SAFETY: offset <= len, inside the view.
                sys::mapping::flush(unsafe { self.as_ptr().add(offset) }, len)
            }
            _ => Err(crate::error::win32(crate::error::ERROR_INVALID_PARAMETER)),
        }
    }

    /// Gives the view up without unmapping it: the caller unmaps it later through
    /// [`View::from_raw`].
    pub fn into_raw(self) -> (*mut u8, usize, bool) {
        let this = std::mem::ManuallyDrop::new(self);
        (this.ptr.as_ptr(), this.len, this.writable)
    }

    /// Takes back a view given up with [`View::into_raw`].
    ///
    /// # Safety
    /// The three values come from one `into_raw` call, and the view was not taken back before.
    pub unsafe fn from_raw(ptr: *mut u8, len: usize, writable: bool) -> View {
        View::new(ptr, len, writable)
    }
}

impl Drop for View {
    fn drop(&mut self) {
        // SAFETY: the view is ours, and with `&mut self` no reference into it is alive.
        unsafe { sys::mapping::unmap(self.ptr.as_ptr(), self.len) };
    }
}

/// Copies `n` bytes out of shared memory: volatile word reads (aligned on `src`), plain writes.
///
/// # Safety
/// `src` is valid for `n` reads and `dst` (private memory) for `n` writes; no overlap.
unsafe fn volatile_read(dst: *mut u8, src: *const u8, n: usize) {
    const W: usize = size_of::<usize>();
    let mut i = 0;
    // SAFETY: every access is at `i < n` of ranges valid for `n` bytes.
    unsafe {
        while i < n && !(src as usize + i).is_multiple_of(W) {
            dst.add(i).write(src.add(i).read_volatile());
            i += 1;
        }
        while i + W <= n {
            let v = src.add(i).cast::<usize>().read_volatile();
            dst.add(i).cast::<usize>().write_unaligned(v);
            i += W;
        }
        while i < n {
            dst.add(i).write(src.add(i).read_volatile());
            i += 1;
        }
    }
}

/// Copies `n` bytes into shared memory: plain reads, volatile word writes (aligned on `dst`).
///
/// # Safety
/// `src` (private memory) is valid for `n` reads and `dst` for `n` writes; no overlap.
unsafe fn volatile_write(dst: *mut u8, src: *const u8, n: usize) {
    const W: usize = size_of::<usize>();
    let mut i = 0;
    // SAFETY: every access is at `i < n` of ranges valid for `n` bytes.
    unsafe {
        while i < n && !(dst as usize + i).is_multiple_of(W) {
            dst.add(i).write_volatile(src.add(i).read());
            i += 1;
        }
        while i + W <= n {
            let v = src.add(i).cast::<usize>().read_unaligned();
            dst.add(i).cast::<usize>().write_volatile(v);
            i += W;
        }
        while i < n {
            dst.add(i).write_volatile(src.add(i).read());
            i += 1;
        }
    }
}
