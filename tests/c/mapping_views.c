/*
 * mapping_views.c — views of a paging-file mapping: GetSystemInfo's page size and 64 KiB
 * allocation granularity; offsets that are not multiples of it (ERROR_MAPPED_ALIGNMENT), at or
 * past the end (ERROR_INVALID_PARAMETER), lengths past the end (ERROR_ACCESS_DENIED); length 0
 * maps to the end; 64-bit sizes and offsets (high words); read-only and write-copy mappings;
 * FILE_MAP_COPY writes stay private; MapViewOfFileEx at a free and a taken address;
 * UnmapViewOfFile with an address inside a view, twice, and on memory that is not a view;
 * FlushViewOfFile ranges.
 */
#include "w32map.h"

int main(void)
{
    SYSTEM_INFO si;
    HANDLE m, ro, wc;
    char *a, *b, *c, *p;
    int i;

    t_init();
    GetSystemInfo(&si);
    printf("page size %u, allocation granularity %u, processors > 0: %s\n", (unsigned)si.dwPageSize,
           (unsigned)si.dwAllocationGranularity, si.dwNumberOfProcessors > 0 ? "yes" : "no");
    memset(&si, 0, sizeof si);
    GetNativeSystemInfo(&si);
    printf("native: granularity %u, min address 0x%llx\n", (unsigned)si.dwAllocationGranularity,
           (unsigned long long)(ULONG_PTR)si.lpMinimumApplicationAddress);

    /* 200000 bytes: three whole granules and a part. */
    M_HANDLE("create 200000 bytes", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 200000, NULL));
    M_TRYVIEW("offset 4096", MapViewOfFile(m, FILE_MAP_WRITE, 0, 4096, 0));
    M_TRYVIEW("offset 65535", MapViewOfFile(m, FILE_MAP_WRITE, 0, 65535, 0));
    M_TRYVIEW("offset 266240 (unaligned and past the end)", MapViewOfFile(m, FILE_MAP_WRITE, 0, 266240, 0));
    M_TRYVIEW("offset 65536, to the end", MapViewOfFile(m, FILE_MAP_WRITE, 0, 65536, 0));
    M_TRYVIEW("offset 196608, to the end", MapViewOfFile(m, FILE_MAP_WRITE, 0, 196608, 0));
    M_TRYVIEW("offset 196608, 3392 bytes (exactly to the end)", MapViewOfFile(m, FILE_MAP_WRITE, 0, 196608, 3392));
    M_TRYVIEW("offset 196608, 3393 bytes", MapViewOfFile(m, FILE_MAP_WRITE, 0, 196608, 3393));
    M_TRYVIEW("offset 262144 (past the end)", MapViewOfFile(m, FILE_MAP_WRITE, 0, 262144, 0));
    M_TRYVIEW("offset 4 GiB", MapViewOfFile(m, FILE_MAP_WRITE, 1, 0, 0));
    M_TRYVIEW("200001 bytes", MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 200001));
    M_TRYVIEW("2^40 bytes", MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, (SIZE_T)1 << 40));

    /* Two views of the same pages, at different offsets. */
    a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    b = MapViewOfFile(m, FILE_MAP_READ, 0, 65536, 0);
    printf("views: %s\n", a && b ? "both" : "missing");
    if (!a || !b)
        return 1;
    printf("view base a multiple of 4096: %s\n", ((ULONG_PTR)a % 4096) == 0 ? "yes" : "no");
    printf("fresh pages are zero: %s\n", a[0] == 0 && a[199999] == 0 ? "yes" : "no");
    strcpy(a + 65536, "through a");
    printf("b sees: %s\n", b);

    /* FILE_MAP_COPY: private to this view. */
    M_PTR("copy-on-write view", c, MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0));
    if (c) {
        strcpy(c + 65536 + 4096, "copied");
        printf("copy view sees the shared data: %s\n", c + 65536);
        printf("write through the copy view reached the others: %s\n", a[65536 + 4096] == 'c' ? "yes" : "no");
        M_BOOL("UnmapViewOfFile(copy view)", UnmapViewOfFile(c));
    }

    /* FlushViewOfFile */
    M_BOOL("FlushViewOfFile(base, 0)", FlushViewOfFile(a, 0));
    M_BOOL("FlushViewOfFile(inside, 10)", FlushViewOfFile(a + 4097, 10));
    M_BOOL("FlushViewOfFile(base, 1 MiB: past the view)", FlushViewOfFile(a, 1 << 20));
    M_BOOL("FlushViewOfFile(NULL, 1)", FlushViewOfFile(NULL, 1));
    p = malloc(100);
    M_BOOL("FlushViewOfFile(heap memory)", FlushViewOfFile(p, 1));
    M_BOOL("UnmapViewOfFile(heap memory)", UnmapViewOfFile(p));
    free(p);
    M_BOOL("UnmapViewOfFile(NULL)", UnmapViewOfFile(NULL));

    /* Unmap through an address inside the view; then the base is no view any more. */
    M_BOOL("UnmapViewOfFile(inside b)", UnmapViewOfFile(b + 70000));
    M_BOOL("UnmapViewOfFile(b) again", UnmapViewOfFile(b));

    /* MapViewOfFileEx */
    M_PTR("MapViewOfFileEx at a's address (taken)", p, MapViewOfFileEx(m, FILE_MAP_WRITE, 0, 0, 0, a));
    M_PTR("MapViewOfFileEx at a + 4096 (not a granule)", p, MapViewOfFileEx(m, FILE_MAP_WRITE, 0, 0, 0, a + 4096));
    M_BOOL("UnmapViewOfFile(a)", UnmapViewOfFile(a));
    M_PTR("MapViewOfFileEx at a's address (free now)", p, MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, a));
    if (p) {
        printf("at the address asked: %s; sees: %s\n", p == a ? "yes" : "no", p + 65536);
        UnmapViewOfFile(p);
    }
    M_PTR("MapViewOfFileEx with NULL", p, MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, NULL));
    if (p)
        UnmapViewOfFile(p);

    /* Read-only and write-copy mappings */
    M_HANDLE("create PAGE_READONLY", ro, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 4096, NULL));
    M_HANDLE("create PAGE_WRITECOPY", wc, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_WRITECOPY, 0, 4096, NULL));
    for (i = 0; i < 2; i++) {
        HANDLE h = i == 0 ? ro : wc;
        const char *what = i == 0 ? "PAGE_READONLY" : "PAGE_WRITECOPY";
        char label[80];
        snprintf(label, sizeof label, "%s: FILE_MAP_READ", what);
        M_TRYVIEW(label, MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0));
        snprintf(label, sizeof label, "%s: FILE_MAP_WRITE", what);
        M_TRYVIEW(label, MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0));
        snprintf(label, sizeof label, "%s: FILE_MAP_ALL_ACCESS", what);
        M_TRYVIEW(label, MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0));
        snprintf(label, sizeof label, "%s: FILE_MAP_COPY", what);
        M_PTR(label, c, MapViewOfFile(h, FILE_MAP_COPY, 0, 0, 0));
        if (c) {
            c[0] = 'w';
            printf("%s: copy view writable: %c\n", what, c[0]);
            UnmapViewOfFile(c);
        }
        CloseHandle(h);
    }

    /* 64-bit size: 4 GiB + 64 KiB (reserved, never touched but for one page). */
    CloseHandle(m);
    M_HANDLE("create 4 GiB + 64 KiB", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 1, 65536, NULL));
    if (m) {
        M_PTR("view at 4 GiB, to the end", p, MapViewOfFile(m, FILE_MAP_WRITE, 1, 0, 0));
        if (p) {
            p[65535] = 1;
            UnmapViewOfFile(p);
        }
        M_TRYVIEW("view at 4 GiB, 65537 bytes", MapViewOfFile(m, FILE_MAP_WRITE, 1, 0, 65537));
        M_TRYVIEW("view at 4 GiB + 64 KiB (the end)", MapViewOfFile(m, FILE_MAP_WRITE, 1, 65536, 0));
        CloseHandle(m);
    }
    return 0;
}
