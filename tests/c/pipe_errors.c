/*
 * pipe_errors.c — the error codes of anonymous-pipe I/O on wrong ends, bad buffers and bad handles.
 *
 * Covers: reading the write end / writing the read end / peeking the write end (ERROR_ACCESS_DENIED);
 * a NULL buffer (ERROR_NOACCESS for reads, ERROR_INVALID_USER_BUFFER for writes, nothing consumed);
 * NULL, INVALID_HANDLE_VALUE and closed handles (ERROR_INVALID_HANDLE), where CloseHandle of
 * INVALID_HANDLE_VALUE succeeds because that value is the current-process pseudo-handle.
 * The byte count is always set to 0 before any error check.
 */
#include "w32test.h"

/*
 * I/O on a handle that is not a pipe end. GetHandleInformation is only asked about handles that are
 * not pseudo-handles: for INVALID_HANDLE_VALUE (the current-process pseudo-handle) Wine 8 answers TRUE
 * with flags 0, and Windows' answer is not documented.
 */
static void bad_handle(const char *what, HANDLE h, BOOL ask_flags)
{
    char buf[16];
    DWORD n, avail = 0, flags = 0;

    printf("-- %s\n", what);
    n = 77;
    t_io("  ReadFile", ReadFile(h, buf, sizeof buf, &n, NULL), &n);
    n = 77;
    t_io("  WriteFile", WriteFile(h, "x", 1, &n, NULL), &n);
    t_bool("  PeekNamedPipe", PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL));
    if (ask_flags && t_bool("  GetHandleInformation", GetHandleInformation(h, &flags)))
        printf("  flags=%u\n", (unsigned)flags);
}

int main(void)
{
    HANDLE r, w;
    char buf[64];
    DWORD n, avail;

    t_init();
    t_bool("CreatePipe", CreatePipe(&r, &w, NULL, 0));

    printf("-- wrong end\n");
    n = 77;
    t_io("ReadFile on the write end", ReadFile(w, buf, sizeof buf, &n, NULL), &n);
    n = 77;
    t_io("WriteFile on the read end", WriteFile(r, "x", 1, &n, NULL), &n);
    avail = 77;
    t_bool("PeekNamedPipe on the write end", PeekNamedPipe(w, NULL, 0, NULL, &avail, NULL));

    printf("-- bad buffers (data waiting)\n");
    t_io("WriteFile 6 bytes", WriteFile(w, "abcdef", 6, &n, NULL), &n);
    n = 77;
    t_io("ReadFile into NULL, 3 bytes", ReadFile(r, NULL, 3, &n, NULL), &n);
    n = 77;
    t_io("ReadFile into NULL, 0 bytes", ReadFile(r, NULL, 0, &n, NULL), &n);
    n = 77;
    t_io("WriteFile from NULL, 3 bytes", WriteFile(w, NULL, 3, &n, NULL), &n);
    n = 77;
    t_io("WriteFile from NULL, 0 bytes", WriteFile(w, NULL, 0, &n, NULL), &n);
    avail = 77;
    if (t_bool("PeekNamedPipe", PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL)))
        printf("  avail=%u (nothing consumed, nothing added)\n", (unsigned)avail);
    n = 77;
    t_io("ReadFile 64", ReadFile(r, buf, sizeof buf, &n, NULL), &n);
    t_bytes("  read", buf, n);

    bad_handle("NULL handle", NULL, TRUE);
    bad_handle("INVALID_HANDLE_VALUE (the current-process pseudo-handle)", INVALID_HANDLE_VALUE, FALSE);
    bad_handle("a value never handed out", (HANDLE)(ULONG_PTR)0x12345678, TRUE);

    t_bool("CloseHandle(NULL)", CloseHandle(NULL));
    t_bool("CloseHandle(INVALID_HANDLE_VALUE)", CloseHandle(INVALID_HANDLE_VALUE));

    /* Closed handles: checked right after the close, before anything could reuse the value. */
    t_bool("CloseHandle read end", CloseHandle(r));
    t_bool("CloseHandle read end again", CloseHandle(r));
    n = 77;
    t_io("ReadFile on the closed read end", ReadFile(r, buf, sizeof buf, &n, NULL), &n);
    t_bool("PeekNamedPipe on the closed read end", PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL));
    t_bool("CloseHandle write end", CloseHandle(w));
    n = 77;
    t_io("WriteFile on the closed write end", WriteFile(w, "x", 1, &n, NULL), &n);
    t_bool("CloseHandle write end again", CloseHandle(w));
    return 0;
}
