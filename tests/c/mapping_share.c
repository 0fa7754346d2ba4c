/*
 * mapping_share.c — a named mapping between two processes (the test starts itself again).
 *
 * The parent creates a named paging-file mapping and writes a greeting; the child opens it by
 * name (FILE_MAP_ALL_ACCESS), reads it, answers in place, and also checks that a FILE_MAP_COPY
 * view of its own keeps its writes private. A second child gets the mapping handle by
 * inheritance (its value on the command line) and maps it without opening anything. Once every
 * handle in both processes is closed, the name is gone (ERROR_FILE_NOT_FOUND).
 */
#include "w32map.h"

#define SIZE 65536

static int open_child(const char *name)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    char *v, *c;
    if (!m) {
        printf("child: OpenFileMappingA failed: %u\n", (unsigned)GetLastError());
        return 10;
    }
    v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!v)
        return 11;
    printf("child: read \"%s\"\n", v);
    c = MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0);
    if (!c)
        return 12;
    strcpy(c + 8192, "private to the child");
    strcpy(v + 4096, "hello from the child");
    printf("child: copy view \"%s\", shared view at 8192: \"%s\"\n", c + 8192, v + 8192);
    UnmapViewOfFile(c);
    UnmapViewOfFile(v);
    CloseHandle(m);
    return 0;
}

static int inherit_child(const char *value)
{
    HANDLE m = t_text_to_handle(value);
    unsigned *counter = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 4);
    if (!counter) {
        printf("child: MapViewOfFile on the inherited handle failed: %u\n", (unsigned)GetLastError());
        return 20;
    }
    InterlockedIncrement((LONG *)&counter[0]);
    UnmapViewOfFile(counter);
    CloseHandle(m);
    return 0;
}

int main(int argc, char **argv)
{
    HANDLE m, o;
    PROCESS_INFORMATION pi;
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    char args[512], value[24];
    char *v;

    if (argc >= 3 && strcmp(argv[1], "open-child") == 0)
        return open_child(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "inherit-child") == 0)
        return inherit_child(argv[2]);

    t_init();
    M_HANDLE("CreateFileMappingA(named, 64 KiB)", m, CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, SIZE, m_name("share")));
    v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    if (!v)
        return 1;
    strcpy(v, "hello from the parent");
    snprintf(args, sizeof args, "open-child %s", m_name("share"));
    /* The child prints as soon as it runs: report the spawn only after it has ended. */
    {
        BOOL ok = t_spawn(args, FALSE, NULL, &pi);
        DWORD code = ok ? t_wait_exit(&pi) : 0;
        t_bool("CreateProcessA(open-child)", ok);
        printf("open-child exit code: %u\n", (unsigned)code);
    }
    printf("parent reads at 4096: \"%s\"\n", v + 4096);
    printf("parent reads at 8192: \"%s\"\n", v + 8192);

    /* An inheritable duplicate for the second child. */
    M_HANDLE("OpenFileMappingA(inheritable)", o, OpenFileMappingA(FILE_MAP_WRITE, TRUE, m_name("share")));
    t_handle_to_text(o, value, sizeof value);
    snprintf(args, sizeof args, "inherit-child %s", value);
    ((unsigned *)v)[0] = 41;
    {
        BOOL ok = t_spawn(args, TRUE, NULL, &pi);
        DWORD code = ok ? t_wait_exit(&pi) : 0;
        t_bool("CreateProcessA(inherit-child)", ok);
        printf("inherit-child exit code: %u\n", (unsigned)code);
    }
    printf("counter after the child: %u\n", ((unsigned *)v)[0]);

    UnmapViewOfFile(v);
    M_BOOL("CloseHandle(inheritable handle)", CloseHandle(o));
    M_BOOL("CloseHandle(mapping)", CloseHandle(m));
    M_HANDLE("OpenFileMappingA after every handle closed", o, OpenFileMappingA(FILE_MAP_READ, FALSE, m_name("share")));
    return 0;
}
