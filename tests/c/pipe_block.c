/*
 * pipe_block.c — what blocks on an anonymous pipe, and what wakes it.
 *
 * Thread-free: a child (this program again) blocks on an inherited pipe end; the parent waits a
 * little, checks the child is still running, then acts. Each child reports through its exit code:
 * 100 + bytes for a successful call, or the Win32 error code of a failed one.
 * Covers: ReadFile on an empty pipe blocks until data comes and returns what came; a zero-length
 * ReadFile on an empty pipe also blocks until data comes, then returns 0 bytes; a blocked reader
 * fails with ERROR_BROKEN_PIPE when the last write handle closes; a writer blocked on a full pipe
 * fails when the last read handle closes.
 */
#include "w32test.h"

#define FLOOD (4u * 1024u * 1024u)

static int io_result(BOOL ok, DWORD n)
{
    return ok ? (int)(100 + n) : (int)GetLastError();
}

static int read_child(HANDLE r, DWORD size)
{
    char buf[64];
    DWORD n = 77;
    BOOL ok = ReadFile(r, buf, size, &n, NULL);
    return io_result(ok, n);
}

static int flood_child(HANDLE w)
{
    char *buf = (char *)calloc(FLOOD, 1);
    DWORD n = 77;
    BOOL ok;
    if (buf == NULL)
        return 60;
    ok = WriteFile(w, buf, FLOOD, &n, NULL);
    if (ok)
        return 100;
    return (int)GetLastError();
}

/* Start `role` on one end of a fresh pipe; the parent keeps the other end (*mine). */
static void start(const char *role, BOOL child_reads, HANDLE *mine, PROCESS_INFORMATION *pi)
{
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    HANDLE r, w, theirs;
    char args[64], s[24];

    printf("-- %s\n", role);
    CreatePipe(&r, &w, &inherit, 0);
    theirs = child_reads ? r : w;
    *mine = child_reads ? w : r;
    SetHandleInformation(*mine, HANDLE_FLAG_INHERIT, 0);
    t_handle_to_text(theirs, s, sizeof s);
    snprintf(args, sizeof args, "%s %s", role, s);
    t_bool("CreateProcessA", t_spawn(args, TRUE, NULL, pi));
    CloseHandle(theirs);
    Sleep(300);
    printf("child still blocked after 300 ms: %s\n", WaitForSingleObject(pi->hProcess, 0) == WAIT_TIMEOUT ? "yes" : "no");
}

int main(int argc, char **argv)
{
    PROCESS_INFORMATION pi;
    HANDLE mine;
    DWORD n;

    if (argc >= 3 && strcmp(argv[1], "read64-child") == 0)
        return read_child(t_text_to_handle(argv[2]), 64);
    if (argc >= 3 && strcmp(argv[1], "read0-child") == 0)
        return read_child(t_text_to_handle(argv[2]), 0);
    if (argc >= 3 && strcmp(argv[1], "flood-child") == 0)
        return flood_child(t_text_to_handle(argv[2]));

    t_init();

    start("read64-child", TRUE, &mine, &pi);
    t_io("WriteFile abc", WriteFile(mine, "abc", 3, &n, NULL), &n);
    printf("child exit code (100 + bytes read): %u\n", (unsigned)t_wait_exit(&pi));
    CloseHandle(mine);

    start("read0-child", TRUE, &mine, &pi);
    t_io("WriteFile abc", WriteFile(mine, "abc", 3, &n, NULL), &n);
    printf("child exit code (100 + bytes read): %u\n", (unsigned)t_wait_exit(&pi));
    CloseHandle(mine);

    start("read64-child", TRUE, &mine, &pi);
    t_bool("CloseHandle(the only write end)", CloseHandle(mine));
    printf("child exit code (its ReadFile error): %u\n", (unsigned)t_wait_exit(&pi));

    start("flood-child", FALSE, &mine, &pi);
    t_bool("CloseHandle(the only read end)", CloseHandle(mine));
    printf("child exit code (its WriteFile error): %u\n", (unsigned)t_wait_exit(&pi));
    return 0;
}
