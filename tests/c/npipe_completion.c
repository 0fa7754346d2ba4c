/*
 * npipe_completion.c — ReadFileEx/WriteFileEx completion routines on the server end of a pipe
 * opened with FILE_FLAG_OVERLAPPED, run by alertable waits.
 *
 * The client end is an ordinary blocking handle, used by the main thread or, for the chained
 * exchange, by a second thread whose lines are printed after it is joined. The completion routines
 * print their arguments (dwErrorCode, dwNumberOfBytesTransfered, whether lpOverlapped is the one
 * passed); they only ever run inside the main thread's alertable waits, so their lines come
 * between the wait call and the line reporting its result.
 *
 * Covers: ReadFileEx returns TRUE with the read still to finish; the completion routine does not
 * run during a non-alertable Sleep or WaitForSingleObject, nor in another thread's alertable
 * SleepEx, although the read itself has completed (HasOverlappedIoCompleted); it runs in the next
 * alertable wait of the issuing thread: SleepEx(…, TRUE), WaitForSingleObjectEx(…, TRUE) and
 * WaitForMultipleObjectsEx(…, TRUE) return WAIT_IO_COMPLETION (0xC0) after it ran, and SleepEx(0,
 * TRUE) with nothing queued returns 0; WriteFileEx queues its routine even when the write is done
 * at once; a pending ReadFileEx with a buffer shorter than the message that arrives gets the
 * buffer's size, and the rest is read next; routines that chain (a read's routine starts
 * the reply with WriteFileEx, the write's routine starts the next ReadFileEx) serve a client thread
 * through three exchanges, driven by an alertable SleepEx loop, and the read pending when the
 * client closes completes with ERROR_BROKEN_PIPE (109) and 0 bytes; afterwards ReadFileEx fails at
 * once with 109 and WriteFileEx with ERROR_NO_DATA (232), and no routine is queued for them.
 *
 * Left out (Wine 8 may not be Windows there): the dwErrorCode of a routine whose read got only part
 * of a message (Wine: ERROR_MORE_DATA; Microsoft documents only 0 and ERROR_HANDLE_EOF), and
 * ReadFileEx when the message is already there and longer than the buffer (Wine returns FALSE with
 * ERROR_MORE_DATA and still queues the routine; Microsoft documents TRUE with ERROR_MORE_DATA as the
 * last error). Which wins when an alertable wait's object is signalled while a routine is queued is
 * not tested either.
 */
#include "w32npipe.h"

static OVERLAPPED ov;
static char buf[64];
static int routine_calls;

/* dwErrorCode as "0" or "109 ERROR_BROKEN_PIPE". */
static const char *code_text(DWORD err)
{
    static char text[64];
    if (err == 0)
        return "0";
    snprintf(text, sizeof text, "%u %s", (unsigned)err, p_errname(err));
    return text;
}

static void routine_line(const char *what, DWORD err, DWORD n, LPOVERLAPPED o)
{
    routine_calls++;
    printf("  %s routine: dwErrorCode=%s, bytes=%u, lpOverlapped is ours: %s\n", what, code_text(err), (unsigned)n,
           o == &ov ? "yes" : "no");
}

static VOID CALLBACK on_read(DWORD err, DWORD n, LPOVERLAPPED o)
{
    routine_line("read", err, n, o);
    if (err == 0)
        t_bytes("  read routine sees", buf, n);
}

/*
 * For a message longer than the buffer. Wine passes ERROR_MORE_DATA as dwErrorCode; Microsoft
 * documents only 0 and ERROR_HANDLE_EOF for the routine, and the warning status may well arrive as
 * 0 on Windows, so the code is not printed, only the count and the bytes.
 */
static VOID CALLBACK on_short_read(DWORD err, DWORD n, LPOVERLAPPED o)
{
    routine_calls++;
    (void)err;
    printf("  read routine: bytes=%u, lpOverlapped is ours: %s\n", (unsigned)n, o == &ov ? "yes" : "no");
    t_bytes("  read routine sees", buf, n);
}

/* SleepEx's result: 0 when the time ran out, WAIT_IO_COMPLETION when routines ran. */
static const char *sleep_name(DWORD r)
{
    static char other[32];
    if (r == 0)
        return "0 (the time elapsed)";
    if (r == WAIT_IO_COMPLETION)
        return "WAIT_IO_COMPLETION (0xc0)";
    snprintf(other, sizeof other, "%u", (unsigned)r);
    return other;
}

static VOID CALLBACK on_write(DWORD err, DWORD n, LPOVERLAPPED o)
{
    routine_line("write", err, n, o);
}

static const char *wait_name(DWORD r)
{
    static char other[32];
    switch (r) {
    case WAIT_OBJECT_0: return "WAIT_OBJECT_0";
    case WAIT_OBJECT_0 + 1: return "WAIT_OBJECT_0+1";
    case WAIT_TIMEOUT: return "WAIT_TIMEOUT";
    case WAIT_IO_COMPLETION: return "WAIT_IO_COMPLETION (0xc0)";
    case WAIT_FAILED: return "WAIT_FAILED";
    default:
        snprintf(other, sizeof other, "%u", (unsigned)r);
        return other;
    }
}

static void start_read(HANDLE s, DWORD size)
{
    memset(&ov, 0, sizeof ov);
    memset(buf, 0, sizeof buf);
    p_bool("ReadFileEx", ReadFileEx(s, buf, size, &ov, on_read));
}

static void client_write(HANDLE c, const char *text)
{
    DWORD n = 77;
    char label[64];
    snprintf(label, sizeof label, "client WriteFile \"%s\"", text);
    p_io(label, WriteFile(c, text, (DWORD)strlen(text), &n, NULL), &n);
}

/* Another thread's alertable wait does not run our routine. */
static DWORD sleeper_result;
static DWORD WINAPI alertable_sleeper(LPVOID arg)
{
    (void)arg;
    sleeper_result = SleepEx(100, TRUE);
    return 0;
}

/* ---- the chained exchange ---- */

static OVERLAPPED chain_ov;
static HANDLE chain_pipe;
static char chain_in[64], chain_out[96];
static int chain_done, chain_failed, chain_reads;
static HANDLE fourth_read_posted;  /* the client thread closes only once the 4th read is pending */

static VOID CALLBACK chain_on_write(DWORD err, DWORD n, LPOVERLAPPED o);

static VOID CALLBACK chain_on_read(DWORD err, DWORD n, LPOVERLAPPED o)
{
    DWORD len;
    printf("  chain read routine: dwErrorCode=%s, bytes=%u", code_text(err), (unsigned)n);
    if (err != 0) {
        printf("\n");
        chain_done = 1;
        return;
    }
    printf(", \"%.*s\"\n", (int)n, chain_in);
    len = (DWORD)snprintf(chain_out, sizeof chain_out, "pong for %.*s", (int)n, chain_in);
    memset(o, 0, sizeof *o);
    if (!WriteFileEx(chain_pipe, chain_out, len, o, chain_on_write)) {
        printf("  WriteFileEx from the read routine: FALSE error=%u\n", (unsigned)GetLastError());
        chain_failed = chain_done = 1;
    }
}

static VOID CALLBACK chain_on_write(DWORD err, DWORD n, LPOVERLAPPED o)
{
    printf("  chain write routine: dwErrorCode=%s, bytes=%u\n", code_text(err), (unsigned)n);
    if (err != 0) {
        chain_done = 1;
        return;
    }
    memset(o, 0, sizeof *o);
    if (!ReadFileEx(chain_pipe, chain_in, sizeof chain_in, o, chain_on_read)) {
        DWORD e = GetLastError();
        printf("  ReadFileEx from the write routine: FALSE error=%u %s\n", (unsigned)e, p_errname(e));
        chain_failed = chain_done = 1;
        return;
    }
    if (++chain_reads == 3)
        SetEvent(fourth_read_posted);
}

static HANDLE chain_client;
static char client_log[1024];

static DWORD WINAPI chain_client_thread(LPVOID arg)
{
    char msg[32], reply[96];
    DWORD n, len = 0;
    int i;
    (void)arg;
    for (i = 1; i <= 3; i++) {
        snprintf(msg, sizeof msg, "ping %d", i);
        if (!WriteFile(chain_client, msg, (DWORD)strlen(msg), &n, NULL))
            break;
        n = 0;
        if (!ReadFile(chain_client, reply, sizeof reply, &n, NULL))
            break;
        len += (DWORD)snprintf(client_log + len, sizeof client_log - len, "client thread: got \"%.*s\"\n", (int)n, reply);
    }
    if (WaitForSingleObject(fourth_read_posted, 10000) != WAIT_OBJECT_0)
        len += (DWORD)snprintf(client_log + len, sizeof client_log - len, "client thread: the 4th read was not posted\n");
    CloseHandle(chain_client);
    snprintf(client_log + len, sizeof client_log - len, "client thread: closed its end\n");
    return 0;
}

int main(void)
{
    HANDLE s, c, ev, ev2, evs[2], th;
    const char *name;
    DWORD mode, r, n;
    int rounds;

    t_init();
    name = p_name("apc");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    ev2 = CreateEventA(NULL, TRUE, FALSE, NULL);
    s = p_handle("CreateNamedPipeA(DUPLEX|FILE_FLAG_OVERLAPPED, MESSAGE|READMODE_MESSAGE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
                                  1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    mode = PIPE_READMODE_MESSAGE;
    p_bool("client SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(c, &mode, NULL, NULL));

    printf("-- ReadFileEx, non-alertable waits, then SleepEx(alertable)\n");
    routine_calls = 0;
    start_read(s, sizeof buf);
    client_write(c, "hello");
    Sleep(200);
    printf("after Sleep(200): routine calls %d\n", routine_calls);
    printf("WaitForSingleObject(unsignalled event, 100): %s\n", wait_name(WaitForSingleObject(ev, 100)));
    printf("WaitForSingleObjectEx(unsignalled event, 100, FALSE): %s\n", wait_name(WaitForSingleObjectEx(ev, 100, FALSE)));
    printf("routine calls %d, HasOverlappedIoCompleted: %s\n", routine_calls, HasOverlappedIoCompleted(&ov) ? "yes" : "no");
    th = CreateThread(NULL, 0, alertable_sleeper, NULL, 0, NULL);
    WaitForSingleObject(th, 5000);
    CloseHandle(th);
    printf("another thread's SleepEx(100, TRUE): %s, routine calls %d\n", sleep_name(sleeper_result), routine_calls);
    printf("SleepEx(5000, TRUE):\n");
    r = SleepEx(5000, TRUE);
    printf("SleepEx returned %s, routine calls %d\n", sleep_name(r), routine_calls);
    printf("SleepEx(0, TRUE) with nothing queued: %s\n", sleep_name(SleepEx(0, TRUE)));

    printf("-- WaitForSingleObjectEx(alertable)\n");
    routine_calls = 0;
    start_read(s, sizeof buf);
    client_write(c, "world");
    Sleep(100);
    printf("WaitForSingleObjectEx(unsignalled event, 5000, TRUE):\n");
    r = WaitForSingleObjectEx(ev, 5000, TRUE);
    printf("WaitForSingleObjectEx returned %s, routine calls %d\n", wait_name(r), routine_calls);

    printf("-- WaitForMultipleObjectsEx(alertable)\n");
    routine_calls = 0;
    start_read(s, sizeof buf);
    client_write(c, "again");
    Sleep(100);
    evs[0] = ev;
    evs[1] = ev2;
    printf("WaitForMultipleObjectsEx(2 unsignalled events, any, 5000, TRUE):\n");
    r = WaitForMultipleObjectsEx(2, evs, FALSE, 5000, TRUE);
    printf("WaitForMultipleObjectsEx returned %s, routine calls %d\n", wait_name(r), routine_calls);
    printf("the same, non-alertable, 100 ms, nothing queued: %s\n", wait_name(WaitForMultipleObjectsEx(2, evs, FALSE, 100, FALSE)));

    printf("-- WriteFileEx done at once still queues its routine\n");
    routine_calls = 0;
    memset(&ov, 0, sizeof ov);
    p_bool("WriteFileEx \"reply\"", WriteFileEx(s, "reply", 5, &ov, on_write));
    printf("routine calls %d\n", routine_calls);
    {
        char cb[16];
        n = 77;
        p_io("client ReadFile", ReadFile(c, cb, sizeof cb, &n, NULL), &n);
        t_bytes("client got", cb, n);
    }
    printf("SleepEx(0, TRUE):\n");
    r = SleepEx(0, TRUE);
    printf("SleepEx returned %s, routine calls %d\n", sleep_name(r), routine_calls);

    printf("-- a message longer than the ReadFileEx buffer\n");
    routine_calls = 0;
    memset(&ov, 0, sizeof ov);
    memset(buf, 0, sizeof buf);
    p_bool("ReadFileEx (4 bytes)", ReadFileEx(s, buf, 4, &ov, on_short_read));
    client_write(c, "overflowing");
    printf("SleepEx(5000, TRUE):\n");
    r = SleepEx(5000, TRUE);
    printf("SleepEx returned %s, routine calls %d\n", sleep_name(r), routine_calls);
    start_read(s, sizeof buf);
    printf("SleepEx(5000, TRUE):\n");
    r = SleepEx(5000, TRUE);
    printf("SleepEx returned %s, routine calls %d\n", sleep_name(r), routine_calls);

    printf("-- chained routines serve a client thread until it closes\n");
    chain_pipe = s;
    chain_client = c;
    fourth_read_posted = CreateEventA(NULL, TRUE, FALSE, NULL);
    memset(&chain_ov, 0, sizeof chain_ov);
    p_bool("ReadFileEx (first of the chain)", ReadFileEx(s, chain_in, sizeof chain_in, &chain_ov, chain_on_read));
    th = CreateThread(NULL, 0, chain_client_thread, NULL, 0, NULL);
    r = 0;
    for (rounds = 0; !chain_done && rounds < 50; rounds++)
        r = SleepEx(5000, TRUE);
    printf("alertable SleepEx loop ended: chain done: %s, failed: %s, last result %s\n", chain_done ? "yes" : "no",
           chain_failed ? "yes" : "no", sleep_name(r));
    if (WaitForSingleObject(th, 5000) != WAIT_OBJECT_0)
        printf("client thread still running\n");
    CloseHandle(th);
    printf("%s", client_log);

    printf("-- after the client closed\n");
    routine_calls = 0;
    memset(&ov, 0, sizeof ov);
    p_bool("ReadFileEx", ReadFileEx(s, buf, sizeof buf, &ov, on_read));
    memset(&ov, 0, sizeof ov);
    p_bool("WriteFileEx", WriteFileEx(s, "late", 4, &ov, on_write));
    printf("SleepEx(100, TRUE): %s, routine calls %d\n", sleep_name(SleepEx(100, TRUE)), routine_calls);

    CloseHandle(s);
    CloseHandle(ev);
    CloseHandle(ev2);
    CloseHandle(fourth_read_posted);
    return 0;
}
