//! File mappings between real processes: data written by one is read by another, copy-on-write
//! isolation, file-backed data reaching the file, views outliving the name, names gone after
//! SIGKILL, and the errors of over-access, misalignment and impossible sizes. Every test runs
//! under a watchdog with unique names.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::Mutex as StdMutex;
use std::sync::atomic::Ordering;

use w32ipc::error::{
    ERROR_ACCESS_DENIED, ERROR_ALREADY_EXISTS, ERROR_COMMITMENT_LIMIT, ERROR_FILE_INVALID,
    ERROR_FILE_NOT_FOUND, ERROR_INVALID_ADDRESS, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER,
    ERROR_MAPPED_ALIGNMENT, ERROR_NOT_ENOUGH_MEMORY, Win32ErrorExt,
};
use w32ipc::file::{CreationDisposition, DiskFile};
use w32ipc::mapping::{FileMapping, MapAccess, MappingOptions, PageProtection};
use w32ipc::object::AsHandleValue;
use w32ipc::object::name::Namespace;
use w32ipc::process::CommandExt;
use w32ipc::{HandleValue, ObjectKind};
use w32ipc_test_support::{ChildGuard, isolate, role, self_child, unique_name, watchdog};

const CHILD: &str = "child_main";

/// The tests here check that names are gone; a process being started elsewhere in this binary
/// holds copies of our descriptors (and their locks) until it `exec`s. So they take turns.
static SERIAL: StdMutex<()> = StdMutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn code<T: std::fmt::Debug>(r: std::io::Result<T>) -> u32 {
    r.unwrap_err().win32_code()
}

#[test]
#[ignore = "runs only as a child process of the tests below"]
fn child_main() {
    let Some(r) = role() else { return };
    let (what, arg) = r.split_once(':').unwrap();
    let line = || {
        let mut s = String::new();
        std::io::stdin().read_line(&mut s).unwrap();
        s
    };
    match what {
        // Open by name, print what is at 0, answer at 4096.
        "read-answer" => {
            let m = FileMapping::open(arg, MapAccess::ALL_ACCESS).unwrap();
            let v = m.map_view(MapAccess::WRITE, 0, 0).unwrap();
            let mut buf = [0u8; 21];
            v.read_into(0, &mut buf);
            println!("@@ {}", String::from_utf8_lossy(&buf));
            v.write_from(4096, b"answer from the child");
            v.atomic_u32(8192).fetch_add(1, Ordering::AcqRel);
        }
        // A copy-on-write view: write privately, report what this view sees.
        "copy" => {
            let m = FileMapping::open(arg, MapAccess::COPY).unwrap();
            let v = m.map_view(MapAccess::COPY, 0, 0).unwrap();
            v.write_from(0, b"PRIVATE");
            let mut buf = [0u8; 7];
            v.read_into(0, &mut buf);
            println!("@@ {}", String::from_utf8_lossy(&buf));
            assert_eq!(
                code(m.map_view(MapAccess::WRITE, 0, 0)),
                ERROR_ACCESS_DENIED
            );
        }
        // Map, close the handle, say "mapped", wait for a line, print what the view holds.
        "hold-view" => {
            let m = FileMapping::open(arg, MapAccess::WRITE | MapAccess::READ).unwrap();
            let v = m.map_view(MapAccess::WRITE, 0, 0).unwrap();
            drop(m);
            println!("@@ mapped");
            line();
            let mut buf = [0u8; 18];
            v.read_into(100, &mut buf);
            println!("@@ {}", String::from_utf8_lossy(&buf));
        }
        // Create a named mapping (or open it), say "ready", hang until killed.
        "hold" => {
            let m = FileMapping::create(Some(arg), 65536).unwrap();
            let v = m.map_view(MapAccess::WRITE, 0, 0).unwrap();
            v.write_from(0, b"x");
            println!("@@ ready");
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
        // Open a file-backed mapping by name and write through it.
        "write-file" => {
            let m = FileMapping::open(arg, MapAccess::WRITE).unwrap();
            assert!(m.is_file_backed().unwrap());
            let v = m.map_view(MapAccess::WRITE, 65536, 0).unwrap();
            v.write_from(10, b"written by the child");
            v.flush().unwrap();
        }
        // Map an inherited handle by value.
        "inherited" => {
            let value: HandleValue = arg.parse().unwrap();
            // SAFETY: the parent passed this handle for our sole use.
            let m = unsafe { FileMapping::from_inherited(value) }.unwrap();
            let v = m.map_view(MapAccess::READ, 0, 0).unwrap();
            println!("@@ {}", v.read::<u64>(0));
        }
        other => panic!("unknown role {other}"),
    }
}

fn spawn(role: &str) -> (ChildGuard, BufReader<ChildStdout>) {
    let mut c = ChildGuard::spawn(
        self_child(CHILD, role)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    );
    let out = BufReader::new(c.0.stdout.take().unwrap());
    (c, out)
}

/// The child's next line marked `@@ ` (the test harness prints its own lines too).
fn read_line(out: &mut BufReader<ChildStdout>) -> String {
    loop {
        let mut s = String::new();
        assert_ne!(out.read_line(&mut s).unwrap(), 0, "the child ended early");
        if let Some(line) = s.strip_prefix("@@ ") {
            return line.trim_end().to_owned();
        }
    }
}

fn finish(mut c: ChildGuard) {
    assert!(c.0.wait().unwrap().success());
}

fn wait_success(c: &mut Child) {
    assert!(c.wait().unwrap().success());
}

#[test]
fn a_mapping_written_by_one_process_is_read_by_another() {
    let _wd = watchdog("mapping between processes", 30);
    let _turn = serial();
    isolate();
    let name = unique_name("share");
    let m = FileMapping::create(Some(&name), 3 * 65536).unwrap();
    assert!(!m.already_existed());
    let v = m.map_view(MapAccess::WRITE, 0, 0).unwrap();
    v.write_from(0, b"hello from the parent");
    v.atomic_u32(8192).store(41, Ordering::Release);
    let (c, mut out) = spawn(&format!("read-answer:{name}"));
    assert_eq!(read_line(&mut out), "hello from the parent");
    finish(c);
    let mut buf = [0u8; 21];
    v.read_into(4096, &mut buf);
    assert_eq!(&buf, b"answer from the child");
    assert_eq!(v.atomic_u32(8192).load(Ordering::Acquire), 42);
    // `w32ipc ls` lists it, with its size.
    let listed = w32ipc::object::list_named(Namespace::Local).unwrap();
    let me = listed
        .iter()
        .find(|o| o.name == format!("Local\\{name}"))
        .expect("listed");
    assert_eq!((me.kind, me.size), (ObjectKind::Mapping, 3 * 65536));
    // Created again: the same object, ERROR_ALREADY_EXISTS.
    let again = FileMapping::create(Some(&name), 4096).unwrap();
    assert!(again.already_existed());
    assert_eq!(again.size().unwrap(), 3 * 65536);
}

#[test]
fn copy_on_write_views_stay_private() {
    let _wd = watchdog("copy on write", 30);
    let _turn = serial();
    isolate();
    let name = unique_name("cow");
    let m = FileMapping::create(Some(&name), 65536).unwrap();
    let v = m.map_view(MapAccess::WRITE, 0, 0).unwrap();
    v.write_from(0, b"shared!");
    let (c, mut out) = spawn(&format!("copy:{name}"));
    assert_eq!(read_line(&mut out), "PRIVATE");
    finish(c);
    let mut buf = [0u8; 7];
    v.read_into(0, &mut buf);
    assert_eq!(&buf, b"shared!");
    // In one process too.
    let copy = m.map_view(MapAccess::COPY, 0, 0).unwrap();
    copy.write_from(0, b"mine");
    v.read_into(0, &mut buf);
    assert_eq!(&buf, b"shared!");
}

#[test]
fn file_backed_data_reaches_the_file_after_flush_and_unmap() {
    let _wd = watchdog("file-backed", 30);
    let _turn = serial();
    isolate();
    let dir = std::env::temp_dir();
    let path = dir.join(unique_name("file")).with_extension("dat");
    let path_s = path.to_str().unwrap().to_owned();
    let file = DiskFile::options()
        .read(true)
        .write(true)
        .disposition(CreationDisposition::CreateNew)
        .open(&path_s)
        .unwrap();
    // Size 0 of an empty file.
    let opts = MappingOptions::new();
    assert_eq!(
        code(opts.clone().create_for_file(file.as_handle())),
        ERROR_FILE_INVALID
    );
    let name = unique_name("filemap");
    let m = MappingOptions::new()
        .name(Some(&name))
        .size(2 * 65536)
        .create_for_file(file.as_handle())
        .unwrap();
    assert_eq!(file.size().unwrap(), 2 * 65536, "the file grew");
    drop(file);
    let v = m.map_view(MapAccess::WRITE, 0, 0).unwrap();
    v.write_from(0, b"written by the parent");
    v.flush().unwrap();
    drop(v);
    let (c, _out) = spawn(&format!("write-file:{name}"));
    finish(c);
    drop(m);
    let data = std::fs::read(&path).unwrap();
    assert_eq!(&data[..21], b"written by the parent");
    assert_eq!(&data[65536 + 10..65536 + 30], b"written by the child");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn views_keep_the_memory_after_the_name_is_gone() {
    let _wd = watchdog("views outlive the name", 30);
    let _turn = serial();
    isolate();
    let name = unique_name("outlive");
    let m = FileMapping::create(Some(&name), 65536).unwrap();
    let v = m.map_view(MapAccess::WRITE, 0, 0).unwrap();
    let (mut c, mut out) = spawn(&format!("hold-view:{name}"));
    assert_eq!(read_line(&mut out), "mapped");
    drop(m);
    // Every handle is closed (the child closed its own): the name is gone, views or not.
    assert_eq!(
        code(FileMapping::open(&name, MapAccess::READ)),
        ERROR_FILE_NOT_FOUND
    );
    // The memory lives on, shared by both views.
    v.write_from(100, b"after the last one");
    writeln!(c.0.stdin.take().unwrap(), "go").unwrap();
    assert_eq!(read_line(&mut out), "after the last one");
    wait_success(&mut c.0);
    // And the name can be created afresh: a new object.
    let fresh = FileMapping::create(Some(&name), 4096).unwrap();
    assert!(!fresh.already_existed());
}

#[test]
fn names_are_gone_after_sigkill_of_every_holder() {
    let _wd = watchdog("names after SIGKILL", 30);
    let _turn = serial();
    isolate();
    let name = unique_name("killed");
    let (mut a, mut out_a) = spawn(&format!("hold:{name}"));
    assert_eq!(read_line(&mut out_a), "ready");
    let (mut b, mut out_b) = spawn(&format!("hold:{name}"));
    assert_eq!(read_line(&mut out_b), "ready");
    assert!(FileMapping::open(&name, MapAccess::READ).is_ok());
    a.0.kill().unwrap();
    a.0.wait().unwrap();
    // One holder left.
    let m = FileMapping::open(&name, MapAccess::READ).unwrap();
    let mut buf = [0u8; 1];
    m.map_view(MapAccess::READ, 0, 1)
        .unwrap()
        .read_into(0, &mut buf);
    assert_eq!(&buf, b"x");
    drop(m);
    b.0.kill().unwrap();
    b.0.wait().unwrap();
    assert_eq!(
        code(FileMapping::open(&name, MapAccess::READ)),
        ERROR_FILE_NOT_FOUND
    );
}

#[test]
fn an_inherited_handle_maps_in_the_child() {
    let _wd = watchdog("inherited mapping", 30);
    let _turn = serial();
    isolate();
    let m = MappingOptions::new().size(4096).create().unwrap();
    m.map_view(MapAccess::WRITE, 0, 0)
        .unwrap()
        .write(0, 0x1234_5678_9abc_u64);
    let out = self_child(CHILD, &format!("inherited:{}", m.handle_value()))
        .inherit_handle(&m)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l == format!("@@ {}", 0x1234_5678_9abc_u64)),
        "child output: {text}"
    );
}

#[test]
fn over_access_is_denied() {
    let _wd = watchdog("over-access", 30);
    let _turn = serial();
    isolate();
    let name = unique_name("access");
    let m = FileMapping::create(Some(&name), 65536).unwrap();
    let read = FileMapping::open(&name, MapAccess::READ).unwrap();
    assert_eq!(
        code(read.map_view(MapAccess::WRITE, 0, 0)),
        ERROR_ACCESS_DENIED
    );
    assert!(read.map_view(MapAccess::COPY, 0, 0).is_ok());
    let write_only = FileMapping::open(&name, MapAccess::WRITE).unwrap();
    assert_eq!(
        code(write_only.map_view(MapAccess::READ, 0, 0)),
        ERROR_ACCESS_DENIED
    );
    assert!(write_only.map_view(MapAccess::WRITE, 0, 0).is_ok());
    let nothing = FileMapping::open(&name, MapAccess::from_bits(0)).unwrap();
    assert_eq!(
        code(nothing.map_view(MapAccess::READ, 0, 0)),
        ERROR_ACCESS_DENIED
    );
    // Past the end.
    assert_eq!(
        code(m.map_view(MapAccess::READ, 0, 65537)),
        ERROR_ACCESS_DENIED
    );
    assert_eq!(
        code(m.map_view(MapAccess::READ, 65536, 0)),
        ERROR_INVALID_PARAMETER
    );
    // A read-only mapping, and the handle a create-on-existing with PAGE_READONLY gives.
    let ro = MappingOptions::new()
        .protection(PageProtection::ReadOnly)
        .size(4096)
        .create()
        .unwrap();
    assert_eq!(
        code(ro.map_view(MapAccess::WRITE, 0, 0)),
        ERROR_ACCESS_DENIED
    );
    let ro_handle = MappingOptions::new()
        .name(Some(&name))
        .protection(PageProtection::ReadOnly)
        .size(4096)
        .create()
        .unwrap();
    assert!(ro_handle.already_existed());
    assert_eq!(
        code(ro_handle.map_view(MapAccess::WRITE, 0, 0)),
        ERROR_ACCESS_DENIED
    );
    assert!(
        !ro_handle
            .map_view(MapAccess::READ, 0, 0)
            .unwrap()
            .is_writable()
    );
    // Wrong handle types.
    let (r, _w) = w32ipc::pipe::pipe().unwrap();
    assert_eq!(
        code(w32ipc::mapping::map_view_of_handle(
            r.as_handle(),
            MapAccess::READ,
            0,
            0,
            None
        )),
        ERROR_INVALID_HANDLE
    );
    assert_eq!(
        code(MappingOptions::new().create_for_file(r.as_handle())),
        ERROR_INVALID_HANDLE
    );
    assert_eq!(
        code(MappingOptions::new().create_for_file(m.as_handle())),
        ERROR_INVALID_HANDLE
    );
    let mut buf = [0u8; 1];
    assert_eq!(
        code(w32ipc::io::read_file(m.as_handle(), &mut buf)),
        ERROR_INVALID_HANDLE
    );
}

#[test]
fn alignment_of_offsets_and_addresses() {
    let _wd = watchdog("alignment", 30);
    // Alone: a thread of another test could take the freed address before it is mapped again.
    let _turn = serial();
    isolate();
    let m = FileMapping::create(None, 4 * 65536).unwrap();
    for off in [1, 4096, 65535, 65536 + 4096] {
        assert_eq!(
            code(m.map_view(MapAccess::READ, off, 0)),
            ERROR_MAPPED_ALIGNMENT
        );
    }
    let v = m.map_view(MapAccess::WRITE, 65536, 0).unwrap();
    assert_eq!(v.len(), 3 * 65536);
    assert_eq!(v.as_ptr() as usize % 65536, 0, "views are 64 KiB-aligned");
    let base = v.as_ptr() as usize;
    assert_eq!(
        code(m.map_view_at(MapAccess::READ, 0, 0, base)),
        ERROR_INVALID_ADDRESS
    );
    assert_eq!(
        code(m.map_view_at(MapAccess::READ, 0, 0, base + 4096)),
        ERROR_MAPPED_ALIGNMENT
    );
    v.write_from(0, b"again");
    drop(v);
    // Mapping back at the freed base works — unless something else of this process (another
    // thread's large allocation, say) took the range in between, which Windows allows too.
    match m.map_view_at(MapAccess::READ, 65536, 0, base) {
        Ok(again) => {
            assert_eq!(again.as_ptr() as usize, base);
            let mut buf = [0u8; 5];
            again.read_into(0, &mut buf);
            assert_eq!(&buf, b"again");
        }
        Err(e) => {
            assert_eq!(e.win32_code(), ERROR_INVALID_ADDRESS, "{e}");
            let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
            let taken = maps.lines().any(|l| {
                let (a, b) = l
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .split_once('-')
                    .unwrap();
                let (a, b) = (
                    usize::from_str_radix(a, 16).unwrap(),
                    usize::from_str_radix(b, 16).unwrap(),
                );
                a < base + 3 * 65536 && base < b
            });
            assert!(taken, "the freed range is free, yet it could not be mapped");
        }
    }
}

#[test]
fn zero_and_huge_sizes() {
    let _turn = serial();
    let _wd = watchdog("sizes", 30);
    isolate();
    assert_eq!(code(FileMapping::create(None, 0)), ERROR_INVALID_PARAMETER);
    assert_eq!(
        code(FileMapping::create(None, 1 << 46)),
        ERROR_NOT_ENOUGH_MEMORY
    );
    assert_eq!(
        code(FileMapping::create(None, u64::MAX)),
        ERROR_NOT_ENOUGH_MEMORY
    );
    // More than memory plus swap can hold: the commit limit, checked, never allocated.
    assert_eq!(
        code(FileMapping::create(None, 1 << 45)),
        ERROR_COMMITMENT_LIMIT
    );
    // Reserved (SEC_RESERVE) it is accepted and costs nothing until touched.
    let big = MappingOptions::new()
        .size(1 << 40)
        .reserve(true)
        .create()
        .unwrap();
    assert_eq!(big.size().unwrap(), 1 << 40);
    let v = big
        .map_view(MapAccess::WRITE, (1 << 40) - 65536, 0)
        .unwrap();
    v.write(65528, 7u64);
    assert_eq!(v.read::<u64>(65528), 7);
    // 4 GiB + 1 page, high word set; a view past 4 GiB.
    let m = MappingOptions::new()
        .size((1 << 32) + 4096)
        .reserve(true)
        .create()
        .unwrap();
    let v = m.map_view(MapAccess::WRITE, 1 << 32, 0).unwrap();
    assert_eq!(v.len(), 4096);
    let name = unique_name("exists");
    let first = FileMapping::create(Some(&name), 4096).unwrap();
    let err = FileMapping::create(Some(&name), 8192).unwrap();
    assert!(err.already_existed());
    let _ = (first, ERROR_ALREADY_EXISTS);
}

#[test]
fn names_follow_the_windows_rules() {
    let _turn = serial();
    let _wd = watchdog("names", 30);
    isolate();
    assert_eq!(
        code(FileMapping::open("", MapAccess::READ)),
        ERROR_INVALID_HANDLE
    );
    let long = "x".repeat(300);
    assert_eq!(
        code(FileMapping::create(Some(&long), 4096)),
        w32ipc::error::ERROR_FILENAME_EXCED_RANGE
    );
    // "" makes an unnamed mapping.
    assert!(
        !FileMapping::create(Some(""), 4096)
            .unwrap()
            .already_existed()
    );
    assert_eq!(
        code(FileMapping::open(&unique_name("none"), MapAccess::READ)),
        ERROR_FILE_NOT_FOUND
    );
}
