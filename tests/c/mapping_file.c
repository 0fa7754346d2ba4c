/*
 * mapping_file.c — mappings of a disk file: size 0 takes the file's size, an empty file fails
 * (ERROR_FILE_INVALID), a read-write mapping larger than the file extends it, a read-only one
 * fails (ERROR_NOT_ENOUGH_MEMORY); the file handle's access bounds the protection
 * (ERROR_ACCESS_DENIED); views end at the mapping's size; data written through a view reaches
 * the file (FlushViewOfFile, UnmapViewOfFile) and WriteFile's data shows in the view; a
 * FILE_MAP_COPY view leaves the file alone; a child process opens the named file mapping by
 * name — without the file handle — and writes through it.
 */
#include "w32map.h"

static int child(const char *name)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_WRITE, FALSE, name);
    char *v;
    if (!m) {
        printf("child: OpenFileMappingA failed: %u\n", (unsigned)GetLastError());
        return 10;
    }
    v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    if (!v) {
        printf("child: MapViewOfFile failed: %u\n", (unsigned)GetLastError());
        return 11;
    }
    printf("child: sees \"%.11s\"\n", v);
    memcpy(v + 100, "child was here", 14);
    FlushViewOfFile(v, 0);
    UnmapViewOfFile(v);
    CloseHandle(m);
    return 0;
}

int main(int argc, char **argv)
{
    char tmp[MAX_PATH], f[MAX_PATH], buf[64], args[300];
    HANDLE h, ro, wo, m, m2;
    PROCESS_INFORMATION pi;
    DWORD n;
    char *v, *c;

    if (argc >= 3 && strcmp(argv[1], "child") == 0)
        return child(argv[2]);

    t_init();
    GetTempPathA(MAX_PATH, tmp);
    GetTempFileNameA(tmp, "w3m", 0, f);
    h = CreateFileA(f, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, CREATE_ALWAYS, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return 1;
    M_HANDLE("size 0 of an empty file", m, CreateFileMappingA(h, NULL, PAGE_READWRITE, 0, 0, NULL));
    M_HANDLE("size 0 of an empty file, PAGE_READONLY", m, CreateFileMappingA(h, NULL, PAGE_READONLY, 0, 0, NULL));
    WriteFile(h, "hello world", 11, &n, NULL);

    ro = CreateFileA(f, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    wo = CreateFileA(f, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    M_HANDLE("PAGE_READWRITE of a read-only handle", m, CreateFileMappingA(ro, NULL, PAGE_READWRITE, 0, 0, NULL));
    M_HANDLE("PAGE_READONLY of a write-only handle", m, CreateFileMappingA(wo, NULL, PAGE_READONLY, 0, 0, NULL));
    M_HANDLE("PAGE_READONLY of a read-only handle", m, CreateFileMappingA(ro, NULL, PAGE_READONLY, 0, 0, NULL));
    if (m)
        CloseHandle(m);
    M_HANDLE("PAGE_WRITECOPY of a read-only handle", m, CreateFileMappingA(ro, NULL, PAGE_WRITECOPY, 0, 0, NULL));
    if (m) {
        M_PTR("  FILE_MAP_COPY view", c, MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0));
        if (c) {
            c[0] = 'J';
            M_BOOL("  FlushViewOfFile(copy view)", FlushViewOfFile(c, 0));
            printf("  copy view: \"%.5s\"\n", c);
            UnmapViewOfFile(c);
        }
        M_TRYVIEW("  FILE_MAP_WRITE view", MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0));
        CloseHandle(m);
    }
    M_HANDLE("PAGE_READONLY of 100 bytes (more than the file)", m, CreateFileMappingA(ro, NULL, PAGE_READONLY, 0, 100, NULL));
    CloseHandle(ro);
    CloseHandle(wo);

    M_HANDLE("PAGE_READWRITE, size 0", m, CreateFileMappingA(h, NULL, PAGE_READWRITE, 0, 0, NULL));
    M_DWORD("GetFileSize", GetFileSize(h, NULL));
    M_TRYVIEW("view of 11 bytes", MapViewOfFile(m, FILE_MAP_READ, 0, 0, 11));
    M_TRYVIEW("view of 12 bytes", MapViewOfFile(m, FILE_MAP_READ, 0, 0, 12));
    M_TRYVIEW("view at 64 KiB", MapViewOfFile(m, FILE_MAP_READ, 0, 65536, 0));
    v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    if (!v)
        return 2;
    printf("view: \"%.11s\"\n", v);
    v[0] = 'H';
    M_BOOL("FlushViewOfFile", FlushViewOfFile(v, 0));
    SetFilePointer(h, 0, NULL, FILE_BEGIN);
    ReadFile(h, buf, 11, &n, NULL);
    t_bytes("file after the flush", buf, n);
    SetFilePointer(h, 6, NULL, FILE_BEGIN);
    WriteFile(h, "W", 1, &n, NULL);
    printf("view after WriteFile: \"%.11s\"\n", v);
    M_BOOL("UnmapViewOfFile", UnmapViewOfFile(v));
    M_BOOL("CloseHandle(mapping)", CloseHandle(m));

    /* Larger than the file, read-write: the file grows. Named, for the child. */
    M_HANDLE("PAGE_READWRITE, 8000 bytes, named", m, CreateFileMappingA(h, NULL, PAGE_READWRITE, 0, 8000, m_name("file")));
    M_DWORD("GetFileSize after", GetFileSize(h, NULL));
    M_HANDLE("create again on the name (paging file asked)", m2, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, m_name("file")));
    if (m2) {
        M_TRYVIEW("  its view of 8000 bytes (the file's mapping)", MapViewOfFile(m2, FILE_MAP_READ, 0, 0, 8000));
        CloseHandle(m2);
    }
    M_BOOL("CloseHandle(file)", CloseHandle(h));
    snprintf(args, sizeof args, "child %s", m_name("file"));
    /* The child prints as soon as it runs: report the spawn only after it has ended. */
    {
        BOOL ok = t_spawn(args, FALSE, NULL, &pi);
        DWORD code = ok ? t_wait_exit(&pi) : 0;
        t_bool("CreateProcessA(child)", ok);
        printf("child exit code: %u\n", (unsigned)code);
    }
    M_BOOL("CloseHandle(mapping)", CloseHandle(m));

    h = CreateFileA(f, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    SetFilePointer(h, 100, NULL, FILE_BEGIN);
    ReadFile(h, buf, 14, &n, NULL);
    t_bytes("file at 100", buf, n);
    CloseHandle(h);
    M_BOOL("DeleteFileA", DeleteFileA(f));
    return 0;
}
