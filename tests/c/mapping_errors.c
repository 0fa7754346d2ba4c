/*
 * mapping_errors.c — bad input to the file-mapping calls, each with the error Windows gives.
 *
 * CreateFileMapping: size 0 with the paging file, protections Windows refuses, SEC_ flags, a
 * non-file handle; NULL vs empty names, over-long and malformed names, a name held by another
 * kind of object; create-on-existing (ERROR_ALREADY_EXISTS, and the last error set to 0 on a
 * fresh create). OpenFileMapping: NULL, empty, missing names, every access mask (the open
 * succeeds; the view then needs the right). MapViewOfFile on handles of the wrong type.
 */
#include "w32map.h"

int main(void)
{
    HANDLE m, m2, o, r, w, ev;
    char longname[300];
    int i;
    static const DWORD prots[] = { 0, PAGE_NOACCESS, PAGE_EXECUTE, PAGE_READONLY | PAGE_READWRITE,
                                   PAGE_READWRITE | PAGE_GUARD, PAGE_READWRITE | PAGE_NOCACHE,
                                   PAGE_READWRITE | 0x1000, PAGE_READWRITE | SEC_COMMIT | SEC_RESERVE,
                                   PAGE_READWRITE | SEC_NOCACHE, PAGE_READWRITE | SEC_LARGE_PAGES,
                                   PAGE_READWRITE | SEC_IMAGE, PAGE_READWRITE | SEC_COMMIT,
                                   PAGE_READWRITE | SEC_RESERVE, PAGE_EXECUTE_READ,
                                   PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY };
    static const DWORD masks[] = { 0, FILE_MAP_READ, FILE_MAP_WRITE, FILE_MAP_ALL_ACCESS, FILE_MAP_COPY,
                                   FILE_MAP_EXECUTE, SECTION_EXTEND_SIZE, 0x100, GENERIC_READ, GENERIC_WRITE,
                                   GENERIC_ALL, 0xFFFFFFFF, FILE_MAP_READ | FILE_MAP_WRITE };
    static const DWORD views[] = { 0, FILE_MAP_READ, FILE_MAP_WRITE, FILE_MAP_ALL_ACCESS, FILE_MAP_COPY,
                                   FILE_MAP_COPY | FILE_MAP_WRITE, SECTION_EXTEND_SIZE, GENERIC_READ };

    t_init();

    M_HANDLE("paging file, size 0", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, NULL));
    M_HANDLE("paging file, size 0, named", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, m_name("e0")));
    M_HANDLE("paging file, size 2^46", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0x4000, 0, NULL));
    for (i = 0; i < (int)(sizeof prots / sizeof prots[0]); i++) {
        char label[80];
        snprintf(label, sizeof label, "flProtect 0x%x", (unsigned)prots[i]);
        M_HANDLE(label, m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, prots[i], 0, 65536, NULL));
        if (m)
            CloseHandle(m);
    }
    M_HANDLE("hFile NULL (the paging file too)", m, CreateFileMappingA(NULL, NULL, PAGE_READWRITE, 0, 4096, NULL));
    if (m)
        CloseHandle(m);
    CreatePipe(&r, &w, NULL, 0);
    M_HANDLE("hFile a pipe", m, CreateFileMappingA(r, NULL, PAGE_READONLY, 0, 4096, NULL));
    M_HANDLE("hFile never issued", m, CreateFileMappingA((HANDLE)(ULONG_PTR)0x7ff0, NULL, PAGE_READWRITE, 0, 4096, NULL));

    /* Names */
    M_HANDLE("name \"\" (unnamed)", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, ""));
    if (m)
        CloseHandle(m);
    memset(longname, 'x', 299);
    longname[299] = '\0';
    M_HANDLE("name of 299 chars", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, longname));
    M_HANDLE("open name of 299 chars", o, OpenFileMappingA(FILE_MAP_READ, FALSE, longname));
    M_HANDLE("name Local\\ alone", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "Local\\"));
    M_HANDLE("name a\\b", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "a\\b"));
    M_HANDLE("open NULL name", o, OpenFileMappingA(FILE_MAP_READ, FALSE, NULL));
    M_HANDLE("open \"\"", o, OpenFileMappingA(FILE_MAP_READ, FALSE, ""));
    M_HANDLE("open missing", o, OpenFileMappingA(FILE_MAP_READ, FALSE, m_name("missing")));
    {
        /* L"..." is 32-bit without -fshort-wchar: spell the UTF-16 name out. */
        static const WCHAR wname[] = { 'w', '3', '2', '-', 'n', 'o', '-', 's', 'u', 'c', 'h', 0 };
        M_HANDLE("OpenFileMappingW missing", o, OpenFileMappingW(FILE_MAP_READ, FALSE, wname));
    }

    /* Another kind of object holds the name. */
    ev = CreateEventA(NULL, FALSE, FALSE, m_name("ev"));
    M_HANDLE("create on an event's name", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, m_name("ev")));
    M_HANDLE("open an event's name", o, OpenFileMappingA(FILE_MAP_READ, FALSE, m_name("ev")));
    CloseHandle(ev);

    /* Create, then create again: the same object, ERROR_ALREADY_EXISTS. */
    M_HANDLE("create named", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, m_name("m")));
    M_HANDLE("create again, bigger, read-only", m2, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 1 << 20, m_name("m")));
    if (m2) {
        char *a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0), *b;
        M_PTR("view of the second handle, write, to the end", b, MapViewOfFile(m2, FILE_MAP_WRITE, 0, 0, 0));
        if (a && b) {
            a[100] = 'S';
            printf("same memory: %s\n", b[100] == 'S' ? "yes" : "no");
            M_TRYVIEW("second handle, 65537 bytes", MapViewOfFile(m2, FILE_MAP_READ, 0, 0, 65537));
        }
        if (a) UnmapViewOfFile(a);
        if (b) UnmapViewOfFile(b);
        CloseHandle(m2);
    }
    M_HANDLE("create again, size 0", m2, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, m_name("m")));
    M_HANDLE("create again, flProtect 0", m2, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, 0, 0, 4096, m_name("m")));
    M_HANDLE("event on the mapping's name", ev, CreateEventA(NULL, FALSE, FALSE, m_name("m")));
    M_HANDLE("Local\\ prefix opens it", o, OpenFileMappingA(FILE_MAP_READ, FALSE, "Local\\w32ipc-placeholder"));
    {
        char local[160];
        snprintf(local, sizeof local, "Local\\%s", m_name("m"));
        M_HANDLE("open Local\\<name>", o, OpenFileMappingA(FILE_MAP_READ, FALSE, local));
        if (o)
            CloseHandle(o);
    }

    /* Every access mask opens; views then need the right. */
    for (i = 0; i < (int)(sizeof masks / sizeof masks[0]); i++) {
        char label[80];
        int j;
        snprintf(label, sizeof label, "open access 0x%x", (unsigned)masks[i]);
        M_HANDLE(label, o, OpenFileMappingA(masks[i], FALSE, m_name("m")));
        if (!o)
            continue;
        for (j = 0; j < (int)(sizeof views / sizeof views[0]); j++) {
            snprintf(label, sizeof label, "  view 0x%x", (unsigned)views[j]);
            M_TRYVIEW(label, MapViewOfFile(o, views[j], 0, 0, 0));
        }
        CloseHandle(o);
    }

    /* Handles of the wrong type. */
    M_TRYVIEW("MapViewOfFile on a pipe", MapViewOfFile(r, FILE_MAP_READ, 0, 0, 0));
    M_TRYVIEW("MapViewOfFile on NULL", MapViewOfFile(NULL, FILE_MAP_READ, 0, 0, 0));
    M_TRYVIEW("MapViewOfFile on INVALID_HANDLE_VALUE", MapViewOfFile(INVALID_HANDLE_VALUE, FILE_MAP_READ, 0, 0, 0));
    ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    M_TRYVIEW("MapViewOfFile on an event", MapViewOfFile(ev, FILE_MAP_READ, 0, 0, 0));
    M_TRYVIEW("MapViewOfFileEx on a pipe", MapViewOfFileEx(r, FILE_MAP_READ, 0, 0, 0, NULL));
    M_HANDLE("CreateFileMapping on a mapping handle", m2, CreateFileMappingA(m, NULL, PAGE_READWRITE, 0, 4096, NULL));
    M_HANDLE("CreateFileMapping on an event handle", m2, CreateFileMappingA(ev, NULL, PAGE_READWRITE, 0, 4096, NULL));
    CloseHandle(ev);
    M_BOOL("CloseHandle(mapping)", CloseHandle(m));
    M_BOOL("CloseHandle(mapping) again", CloseHandle(m));
    M_HANDLE("open after the last close", o, OpenFileMappingA(FILE_MAP_READ, FALSE, m_name("m")));
    CloseHandle(r);
    CloseHandle(w);
    return 0;
}
