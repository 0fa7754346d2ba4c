/*
 * npipe_misc.c — what the other named-pipe tests leave out: the wide-character functions, overlapped
 * TransactNamedPipe, GetOverlappedResultEx with time-outs, a 16 MiB message and zero-length
 * messages in overlapped and transacted I/O. One process; a thread plays the server where a call
 * blocks, and its lines are printed after it is joined.
 *
 * Covers:
 * - CreateNamedPipeW, CreateFileW, WaitNamedPipeW (missing name: ERROR_FILE_NOT_FOUND; a listening
 *   instance: TRUE), GetNamedPipeHandleStateW (state and instance count), CallNamedPipeW; a name
 *   made with CreateNamedPipeW opens with CreateFileA and the other way round; a name with
 *   non-ASCII characters (U+00E9, U+4E2D), opened with the same name and with its ASCII part in
 *   upper case and U+00E9 as U+00C9 (pipe names ignore case, beyond ASCII too). Wide strings are
 *   built from char arrays (no L"" literals: the Linux build of the tests has no -fshort-wchar).
 * - TransactNamedPipe with an OVERLAPPED on a client end opened with FILE_FLAG_OVERLAPPED: FALSE with
 *   ERROR_IO_PENDING until the server answers, then GetOverlappedResult gives the answer's size; an
 *   answer longer than the buffer completes with ERROR_MORE_DATA (234), the rest readable.
 * - GetOverlappedResultEx on a pending read: time-out 0 → ERROR_IO_INCOMPLETE (996); 100 ms →
 *   WAIT_TIMEOUT (258); alertable with an APC queued → WAIT_IO_COMPLETION (192), the APC ran;
 *   HasOverlappedIoCompleted before and after; once the data came, TRUE with the count.
 * - A 16 MiB message written with one WriteFile by a thread through 4096-byte buffers and read
 *   with one ReadFile in message mode: counts and a checksum.
 * - Zero-length messages: a pending overlapped ReadFile completes with 0 bytes for one;
 *   TransactNamedPipe with an empty request and an empty answer.
 *
 * Left out (Wine 8 is not Windows there): GetOverlappedResult(bWait FALSE) on a pending overlapped
 * TransactNamedPipe — Wine does not set OVERLAPPED.Internal to STATUS_PENDING for it and reports
 * TRUE with 0 bytes; the test waits for the event before asking for the result.
 */
#include "w32npipe.h"

/* ASCII text to a NUL-terminated WCHAR string. */
static void widen(const char *in, WCHAR *out, size_t outsize)
{
    size_t i;
    for (i = 0; in[i] && i + 1 < outsize; i++)
        out[i] = (WCHAR)(unsigned char)in[i];
    out[i] = 0;
}

static size_t wlen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void result(const char *label, HANDLE h, OVERLAPPED *ov, BOOL wait)
{
    DWORD n = 77;
    BOOL ok = GetOverlappedResult(h, ov, &n, wait);
    DWORD e = GetLastError();
    if (ok)
        printf("%s: TRUE n=%u\n", label, (unsigned)n);
    else if (e == ERROR_IO_INCOMPLETE)
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, p_errname(e));
    else
        printf("%s: FALSE n=%u error=%u %s\n", label, (unsigned)n, (unsigned)e, p_errname(e));
}

/* The last error as text, for results that are not in w32npipe.h's table. */
static const char *err_text(DWORD e)
{
    static char text[64];
    if (e == WAIT_TIMEOUT)
        return "258 WAIT_TIMEOUT";
    if (e == WAIT_IO_COMPLETION)
        return "192 WAIT_IO_COMPLETION";
    snprintf(text, sizeof text, "%u %s", (unsigned)e, p_errname(e));
    return text;
}

/* ---- a thread answering one message on a server end ---- */

static HANDLE srv;
static char srv_log[512];
static DWORD srv_reply_len;  /* 0: an empty answer; otherwise "answer to <request>" cut to this length */
static int srv_connect;      /* call ConnectNamedPipe first, and disconnect at the end */

static DWORD WINAPI answer_thread(LPVOID arg)
{
    char req[128], reply[256];
    DWORD n = 0, w = 0, len = 0;
    BOOL ok;
    int pos = 0;
    (void)arg;
    srv_log[0] = '\0';
    if (srv_connect) {
        ok = ConnectNamedPipe(srv, NULL) || GetLastError() == ERROR_PIPE_CONNECTED;
        pos += snprintf(srv_log + pos, sizeof srv_log - pos, "server ConnectNamedPipe: %s\n", ok ? "connected" : "failed");
    }
    ok = ReadFile(srv, req, sizeof req, &n, NULL);
    if (!ok) {
        snprintf(srv_log + pos, sizeof srv_log - pos, "server ReadFile: FALSE error=%u\n", (unsigned)GetLastError());
        return 0;
    }
    if (srv_reply_len > 0) {
        len = (DWORD)snprintf(reply, sizeof reply, "answer to %.*s", (int)n, req);
        if (len > srv_reply_len)
            len = srv_reply_len;
    }
    ok = WriteFile(srv, reply, len, &w, NULL);
    pos += snprintf(srv_log + pos, sizeof srv_log - pos, "server got %u bytes \"%.*s\", answered %u bytes: %s\n",
                    (unsigned)n, (int)n, req, (unsigned)w, ok ? "TRUE" : "FALSE");
    if (srv_connect) {
        FlushFileBuffers(srv);
        DisconnectNamedPipe(srv);
    }
    return 0;
}

static HANDLE start_answer(HANDLE server, DWORD reply_len, int connect)
{
    srv = server;
    srv_reply_len = reply_len;
    srv_connect = connect;
    return CreateThread(NULL, 0, answer_thread, NULL, 0, NULL);
}

static void join_answer(HANDLE th)
{
    if (WaitForSingleObject(th, 10000) != WAIT_OBJECT_0)
        printf("server thread still running after 10 s\n");
    CloseHandle(th);
    printf("%s", srv_log);
}

/* ---- the wide functions ---- */

static void wide_functions(void)
{
    WCHAR wname[160], wmissing[160], wuni[160], wuni_upper[160];
    char aname[160], out[64];
    const WCHAR extra[] = { '-', 0x00E9, 0x4E2D, 0 };
    const char *name = p_name("wide");
    HANDLE s, c, th;
    DWORD st, inst, n, mode;
    size_t i, len;

    printf("-- wide functions\n");
    widen(name, wname, 160);
    snprintf(aname, sizeof aname, "%s-missing", name);
    widen(aname, wmissing, 160);
    p_bool("WaitNamedPipeW on a missing name", WaitNamedPipeW(wmissing, 100));
    p_close(p_handle("CreateFileW on a missing name",
                     CreateFileW(wmissing, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL)));
    s = p_handle("CreateNamedPipeW(DUPLEX, MESSAGE|READMODE_MESSAGE, 2)",
                 CreateNamedPipeW(wname, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 2, 4096, 4096, 0, NULL));
    p_bool("WaitNamedPipeW on a listening instance", WaitNamedPipeW(wname, 100));
    c = p_handle("CreateFileA on the name made by CreateNamedPipeW", p_open(name, GENERIC_READ | GENERIC_WRITE));
    st = inst = 77;
    if (GetNamedPipeHandleStateW(s, &st, &inst, NULL, NULL, NULL, 0))
        printf("GetNamedPipeHandleStateW(server): TRUE state=0x%x instances=%u\n", (unsigned)st, (unsigned)inst);
    else
        printf("GetNamedPipeHandleStateW(server): FALSE error=%s\n", err_text(GetLastError()));
    mode = PIPE_READMODE_MESSAGE;
    SetNamedPipeHandleState(c, &mode, NULL, NULL);
    st = inst = 77;
    if (GetNamedPipeHandleStateW(c, &st, &inst, NULL, NULL, NULL, 0))
        printf("GetNamedPipeHandleStateW(client, message read mode): TRUE state=0x%x instances=%u\n", (unsigned)st, (unsigned)inst);
    else
        printf("GetNamedPipeHandleStateW(client): FALSE error=%s\n", err_text(GetLastError()));
    p_close(c);
    DisconnectNamedPipe(s);
    CloseHandle(s);

    /* the other way round: CreateNamedPipeA, CreateFileW */
    s = p_handle("CreateNamedPipeA", CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL));
    c = p_handle("CreateFileW on the name made by CreateNamedPipeA",
                 CreateFileW(wname, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL));
    p_close(c);
    CloseHandle(s);

    /* non-ASCII characters in the name */
    len = wlen(wname);
    for (i = 0; i <= len; i++)
        wuni[i] = wname[i];
    for (i = 0; extra[i]; i++)
        wuni[len + i] = extra[i];
    wuni[len + i] = 0;
    for (i = 0; i <= wlen(wuni); i++)
        wuni_upper[i] = (wuni[i] >= 'a' && wuni[i] <= 'z') ? (WCHAR)(wuni[i] - 'a' + 'A') : wuni[i] == 0xE9 ? 0xC9 : wuni[i];
    s = p_handle("CreateNamedPipeW(name + U+00E9 U+4E2D)",
                 CreateNamedPipeW(wuni, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2, 4096, 4096, 0, NULL));
    p_bool("WaitNamedPipeW(the same name)", WaitNamedPipeW(wuni, 100));
    c = p_handle("CreateFileW(the same name)", CreateFileW(wuni, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL));
    p_close(c);
    CloseHandle(s);
    s = CreateNamedPipeW(wuni, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2, 4096, 4096, 0, NULL);
    c = p_handle("CreateFileW(ASCII part in upper case, U+00E9 as U+00C9)",
                 CreateFileW(wuni_upper, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL));
    if (c != INVALID_HANDLE_VALUE) {
        n = 77;
        p_io("write through it", WriteFile(c, "case", 4, &n, NULL), &n);
        n = 77;
        p_io("server reads", ReadFile(s, out, sizeof out, &n, NULL), &n);
    }
    p_close(c);
    CloseHandle(s);

    /* CallNamedPipeW */
    s = CreateNamedPipeW(wname, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, NULL);
    th = start_answer(s, 100, 1);
    n = 77;
    memset(out, 0, sizeof out);
    p_io("CallNamedPipeW(\"wide call\")", CallNamedPipeW(wname, "wide call", 9, out, sizeof out, &n, 5000), &n);
    join_answer(th);
    t_bytes("CallNamedPipeW got", out, n);
    CloseHandle(s);
    p_bool("WaitNamedPipeW once every instance is closed", WaitNamedPipeW(wname, 100));
}

/* ---- TransactNamedPipe on an overlapped client end ---- */

static void overlapped_transact(void)
{
    const char *name = p_name("otrans");
    HANDLE s, c, ev, th;
    OVERLAPPED ov;
    DWORD mode, n;
    char out[64], rest[64];
    BOOL ok;

    printf("-- TransactNamedPipe with an OVERLAPPED\n");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    s = p_handle("CreateNamedPipeA(DUPLEX, MESSAGE|READMODE_MESSAGE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA(FILE_FLAG_OVERLAPPED)",
                 CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL));
    mode = PIPE_READMODE_MESSAGE;
    p_bool("client SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(c, &mode, NULL, NULL));

    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    memset(out, 0, sizeof out);
    ok = TransactNamedPipe(c, "question", 8, out, sizeof out, NULL, &ov);
    p_bool("TransactNamedPipe(&ov) before the server answers", ok);
    printf("event: %s\n", WaitForSingleObject(ev, 0) == WAIT_OBJECT_0 ? "signalled" : "not signalled");
    /* GetOverlappedResult(bWait FALSE) now is not printed: Wine 8 does not mark the OVERLAPPED as
       pending (Internal stays as the caller left it), so it reports TRUE with 0 bytes */
    th = start_answer(s, 100, 0);
    join_answer(th);
    printf("WaitForSingleObject(event, 5000): %s\n", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0 ? "WAIT_OBJECT_0" : "other");
    result("GetOverlappedResult(bWait TRUE)", c, &ov, TRUE);
    t_bytes("answer", out, (DWORD)strlen(out));

    printf("an answer longer than the buffer:\n");
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    memset(out, 0, sizeof out);
    ok = TransactNamedPipe(c, "long one", 8, out, 6, NULL, &ov);
    p_bool("TransactNamedPipe(&ov, 6-byte buffer)", ok);
    th = start_answer(s, 100, 0);
    join_answer(th);
    printf("WaitForSingleObject(event, 5000): %s\n", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0 ? "WAIT_OBJECT_0" : "other");
    result("GetOverlappedResult(bWait TRUE)", c, &ov, TRUE);
    t_bytes("first part", out, 6);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    ok = ReadFile(c, rest, sizeof rest, NULL, &ov);
    printf("client ReadFile(&ov) of the rest: %s\n", ok ? "TRUE" : err_text(GetLastError()));
    n = 77;
    if (GetOverlappedResult(c, &ov, &n, TRUE))
        t_bytes("rest", rest, n);
    else
        printf("GetOverlappedResult: FALSE error=%s\n", err_text(GetLastError()));
    CloseHandle(c);
    CloseHandle(s);
    CloseHandle(ev);
}

/* ---- GetOverlappedResultEx ---- */

static int apc_value;
static VOID CALLBACK apc(ULONG_PTR v)
{
    apc_value = (int)v;
}

static void overlapped_result_ex(void)
{
    const char *name = p_name("ovex");
    HANDLE s, c, ev;
    OVERLAPPED ov;
    char buf[32];
    DWORD n, e;
    BOOL ok;

    printf("-- GetOverlappedResultEx\n");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    s = p_handle("CreateNamedPipeA(DUPLEX|FILE_FLAG_OVERLAPPED, BYTE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    ok = ReadFile(s, buf, sizeof buf, NULL, &ov);
    e = GetLastError();
    printf("ReadFile(&ov) on an empty pipe: %s\n", ok ? "TRUE" : err_text(e));
    t_yesno("HasOverlappedIoCompleted", HasOverlappedIoCompleted(&ov));

    n = 77;
    ok = GetOverlappedResultEx(s, &ov, &n, 0, FALSE);
    printf("GetOverlappedResultEx(0 ms): %s\n", ok ? "TRUE" : err_text(GetLastError()));
    n = 77;
    ok = GetOverlappedResultEx(s, &ov, &n, 100, FALSE);
    printf("GetOverlappedResultEx(100 ms): %s\n", ok ? "TRUE" : err_text(GetLastError()));
    apc_value = 0;
    p_bool("QueueUserAPC(current thread, 7)", QueueUserAPC(apc, GetCurrentThread(), 7) != 0);
    n = 77;
    ok = GetOverlappedResultEx(s, &ov, &n, 5000, TRUE);
    printf("GetOverlappedResultEx(5000 ms, alertable) with an APC queued: %s, the APC ran with %d\n",
           ok ? "TRUE" : err_text(GetLastError()), apc_value);
    t_yesno("HasOverlappedIoCompleted", HasOverlappedIoCompleted(&ov));

    n = 77;
    p_io("client WriteFile \"late data\"", WriteFile(c, "late data", 9, &n, NULL), &n);
    n = 77;
    ok = GetOverlappedResultEx(s, &ov, &n, 5000, FALSE);
    if (ok)
        printf("GetOverlappedResultEx(5000 ms): TRUE n=%u\n", (unsigned)n);
    else
        printf("GetOverlappedResultEx(5000 ms): %s\n", err_text(GetLastError()));
    t_bytes("read", buf, n);
    t_yesno("HasOverlappedIoCompleted", HasOverlappedIoCompleted(&ov));
    CloseHandle(c);
    CloseHandle(s);
    CloseHandle(ev);
}

/* ---- a 16 MiB message ---- */

#define HUGE_MSG (16u * 1024 * 1024)
static unsigned char huge_out[HUGE_MSG], huge_in[HUGE_MSG];
static HANDLE huge_pipe;
static BOOL huge_ok;
static DWORD huge_written;

static DWORD WINAPI huge_writer(LPVOID arg)
{
    (void)arg;
    huge_ok = WriteFile(huge_pipe, huge_out, HUGE_MSG, &huge_written, NULL);
    return 0;
}

static unsigned long checksum(const unsigned char *p, DWORD n)
{
    unsigned long h = 2166136261u; /* FNV-1a, 32 bits */
    DWORD i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h = (h * 16777619u) & 0xFFFFFFFFu;
    }
    return h;
}

static void huge_message(void)
{
    const char *name = p_name("huge");
    HANDLE s, c, th;
    DWORD mode, n, i, seed = 12345;
    BOOL ok;

    printf("-- a 16 MiB message through 4096-byte buffers\n");
    for (i = 0; i < HUGE_MSG; i++) {
        seed = seed * 1103515245u + 12345u;
        huge_out[i] = (unsigned char)(seed >> 16);
    }
    s = p_handle("CreateNamedPipeA(DUPLEX, MESSAGE|READMODE_MESSAGE, buffers 4096)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    mode = PIPE_READMODE_MESSAGE;
    p_bool("client SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(c, &mode, NULL, NULL));
    huge_pipe = s;
    th = CreateThread(NULL, 0, huge_writer, NULL, 0, NULL);
    n = 77;
    ok = ReadFile(c, huge_in, HUGE_MSG, &n, NULL);
    p_io("client ReadFile(16 MiB buffer)", ok, &n);
    if (WaitForSingleObject(th, 20000) != WAIT_OBJECT_0)
        printf("writer still blocked after 20 s\n");
    CloseHandle(th);
    printf("writer WriteFile: %s n=%u\n", huge_ok ? "TRUE" : "FALSE", (unsigned)huge_written);
    printf("checksum written 0x%08lx, read 0x%08lx, equal: %s\n", checksum(huge_out, HUGE_MSG), checksum(huge_in, n),
           n == HUGE_MSG && memcmp(huge_out, huge_in, HUGE_MSG) == 0 ? "yes" : "no");
    CloseHandle(c);
    CloseHandle(s);
}

/* ---- zero-length messages ---- */

static void zero_length(void)
{
    const char *name = p_name("zero");
    HANDLE s, c, ev, th;
    OVERLAPPED ov;
    DWORD mode, n;
    char buf[32], out[32];
    BOOL ok;

    printf("-- zero-length messages\n");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    s = p_handle("CreateNamedPipeA(DUPLEX|FILE_FLAG_OVERLAPPED, MESSAGE|READMODE_MESSAGE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
                                  1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    mode = PIPE_READMODE_MESSAGE;
    SetNamedPipeHandleState(c, &mode, NULL, NULL);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    ok = ReadFile(s, buf, sizeof buf, NULL, &ov);
    printf("server ReadFile(&ov) on an empty pipe: %s\n", ok ? "TRUE" : err_text(GetLastError()));
    n = 77;
    p_io("client WriteFile(0 bytes)", WriteFile(c, "", 0, &n, NULL), &n);
    printf("WaitForSingleObject(event, 5000): %s\n", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0 ? "WAIT_OBJECT_0" : "other");
    result("GetOverlappedResult", s, &ov, FALSE);
    CloseHandle(c);
    CloseHandle(s);

    /* TransactNamedPipe with an empty request and an empty answer (blocking handles) */
    s = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, NULL);
    c = p_open(name, GENERIC_READ | GENERIC_WRITE);
    mode = PIPE_READMODE_MESSAGE;
    SetNamedPipeHandleState(c, &mode, NULL, NULL);
    th = start_answer(s, 0, 0);
    n = 77;
    p_io("TransactNamedPipe(empty request)", TransactNamedPipe(c, (void *)"", 0, out, sizeof out, &n, NULL), &n);
    join_answer(th);
    CloseHandle(c);
    CloseHandle(s);
    CloseHandle(ev);
}

int main(void)
{
    t_init();
    wide_functions();
    overlapped_transact();
    overlapped_result_ex();
    huge_message();
    zero_length();
    return 0;
}
