/*
 * pipe_basic.c — CreatePipe, ReadFile, WriteFile and PeekNamedPipe on one anonymous pipe, in one process.
 *
 * Covers: round trip; a read returns what is there, up to the size asked; byte-stream merging of
 * writes; zero-length reads and writes; PeekNamedPipe's available count and peeked bytes (not
 * lpBytesLeftThisMessage); data still readable after the writer closed, then ERROR_BROKEN_PIPE;
 * ERROR_NO_DATA when the reader is gone; success leaves the last error alone.
 */
#include "w32test.h"

static void peek_avail(const char *label, HANDLE r)
{
    DWORD avail = 12345;
    if (t_bool(label, PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL)))
        printf("  avail=%u\n", (unsigned)avail);
}

int main(void)
{
    HANDLE r = NULL, w = NULL;
    char buf[8192];
    DWORD n, avail, total;
    BOOL ok;
    int i;

    t_init();

    SetLastError(4242);
    ok = CreatePipe(&r, &w, NULL, 0);
    t_bool("CreatePipe", ok);
    t_yesno("last error untouched by CreatePipe", GetLastError() == 4242);
    t_yesno("handles usable (not NULL, not INVALID_HANDLE_VALUE, distinct)",
            r != NULL && w != NULL && r != INVALID_HANDLE_VALUE && w != INVALID_HANDLE_VALUE && r != w);

    /* round trip */
    peek_avail("Peek empty pipe", r);
    SetLastError(4242);
    n = 77;
    t_io("WriteFile 11 bytes", WriteFile(w, "hello, pipe", 11, &n, NULL), &n);
    t_yesno("last error untouched by WriteFile", GetLastError() == 4242);
    peek_avail("Peek after write", r);

    n = 77;
    avail = 77;
    if (t_bool("Peek 5 bytes", PeekNamedPipe(r, buf, 5, &n, &avail, NULL))) {
        printf("  peeked=%u avail=%u\n", (unsigned)n, (unsigned)avail);
        t_bytes("  peeked bytes", buf, n);
    }
    n = 77;
    avail = 77;
    if (t_bool("Peek 64 bytes", PeekNamedPipe(r, buf, 64, &n, &avail, NULL))) {
        printf("  peeked=%u avail=%u\n", (unsigned)n, (unsigned)avail);
        t_bytes("  peeked bytes", buf, n);
    }

    SetLastError(4242);
    n = 77;
    t_io("ReadFile 64 (11 there)", ReadFile(r, buf, 64, &n, NULL), &n);
    t_yesno("last error untouched by ReadFile", GetLastError() == 4242);
    t_bytes("  read", buf, n);
    peek_avail("Peek after drain", r);

    /* a read returns what is there, up to the size asked */
    t_io("WriteFile 10 bytes", WriteFile(w, "0123456789", 10, &n, NULL), &n);
    n = 77;
    t_io("ReadFile 4", ReadFile(r, buf, 4, &n, NULL), &n);
    t_bytes("  read", buf, n);
    peek_avail("Peek after partial read", r);
    n = 77;
    t_io("ReadFile 100 (6 left)", ReadFile(r, buf, 100, &n, NULL), &n);
    t_bytes("  read", buf, n);

    /* separate writes form one byte stream */
    t_io("WriteFile abc", WriteFile(w, "abc", 3, &n, NULL), &n);
    t_io("WriteFile def", WriteFile(w, "def", 3, &n, NULL), &n);
    peek_avail("Peek after two writes", r);
    n = 77;
    t_io("ReadFile 100", ReadFile(r, buf, 100, &n, NULL), &n);
    t_bytes("  read", buf, n);

    /* a larger write that fits any pipe buffer, read back in a loop */
    for (i = 0; i < 4000; i++)
        buf[i] = (char)('a' + i % 26);
    t_io("WriteFile 4000 bytes", WriteFile(w, buf, 4000, &n, NULL), &n);
    memset(buf, 0, sizeof buf);
    total = 0;
    while (total < 4000 && ReadFile(r, buf + total, 4000 - total, &n, NULL) && n > 0)
        total += n;
    printf("read back %u bytes\n", (unsigned)total);
    for (i = 0; i < 4000; i++)
        if (buf[i] != (char)('a' + i % 26))
            break;
    t_yesno("content intact", i == 4000);

    /* zero-length operations */
    n = 77;
    t_io("WriteFile 0 bytes", WriteFile(w, "x", 0, &n, NULL), &n);
    peek_avail("Peek after zero-length write", r);
    t_io("WriteFile xyz", WriteFile(w, "xyz", 3, &n, NULL), &n);
    n = 77;
    t_io("ReadFile 0 bytes with data waiting", ReadFile(r, buf, 0, &n, NULL), &n);
    peek_avail("Peek after zero-length read", r);

    /* the writer goes away: the data stays readable, then the pipe is broken */
    t_bool("CloseHandle write end", CloseHandle(w));
    peek_avail("Peek after writer closed, data waiting", r);
    n = 77;
    t_io("ReadFile 64", ReadFile(r, buf, 64, &n, NULL), &n);
    t_bytes("  read", buf, n);
    n = 77;
    t_io("ReadFile after drain", ReadFile(r, buf, 64, &n, NULL), &n);
    n = 77;
    t_io("ReadFile again", ReadFile(r, buf, 64, &n, NULL), &n);
    n = 77;
    t_io("ReadFile 0 bytes", ReadFile(r, buf, 0, &n, NULL), &n);
    peek_avail("Peek broken pipe", r);
    t_bool("CloseHandle read end", CloseHandle(r));

    /* the reader goes away: writes fail with ERROR_NO_DATA */
    t_bool("CreatePipe", CreatePipe(&r, &w, NULL, 0));
    t_io("WriteFile before reader closed", WriteFile(w, "abc", 3, &n, NULL), &n);
    t_bool("CloseHandle read end", CloseHandle(r));
    n = 77;
    t_io("WriteFile after reader closed", WriteFile(w, "abc", 3, &n, NULL), &n);
    n = 77;
    t_io("WriteFile 0 bytes after reader closed", WriteFile(w, "abc", 0, &n, NULL), &n);
    t_bool("CloseHandle write end", CloseHandle(w));

    /* nSize is only a hint: a large one works too */
    t_bool("CreatePipe nSize=1 MiB", CreatePipe(&r, &w, NULL, 1u << 20));
    t_io("WriteFile", WriteFile(w, "big", 3, &n, NULL), &n);
    n = 77;
    t_io("ReadFile", ReadFile(r, buf, 100, &n, NULL), &n);
    CloseHandle(r);
    CloseHandle(w);
    return 0;
}
