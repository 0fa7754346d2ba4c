/*
 * npipe_state.c — GetNamedPipeInfo, GetNamedPipeHandleStateA, SetNamedPipeHandleState,
 * TransactNamedPipe and CallNamedPipeA, in one process (a thread plays the other side where a call
 * blocks; its lines are printed after it is joined).
 *
 * Covers: GetNamedPipeInfo's flags (PIPE_SERVER_END, PIPE_TYPE_MESSAGE), buffer sizes and
 * nMaxInstances on both ends, all out-parameters optional; GetNamedPipeHandleStateA's state
 * (PIPE_NOWAIT, PIPE_READMODE_MESSAGE) and current instance count; SetNamedPipeHandleState
 * switching read mode and wait mode (a no-wait read of an empty pipe: ERROR_NO_DATA), NULL
 * arguments; GetNamedPipeInfo and ConnectNamedPipe on an anonymous pipe; TransactNamedPipe (a
 * write and a read as one call; the reply longer than the buffer gives ERROR_MORE_DATA and the
 * rest stays readable; refused in byte read mode (ERROR_BAD_PIPE) and while unread data waits
 * (ERROR_PIPE_BUSY)); CallNamedPipeA (connect, transact, close; a missing name; a reply longer than
 * the buffer; no listening instance or a busy one: ERROR_SEM_TIMEOUT; a byte pipe:
 * ERROR_INVALID_PARAMETER after it connected).
 *
 * Left out (Wine 8 is not Windows there, DESIGN.md): SetNamedPipeHandleState with an invalid mode
 * (ERROR_INVALID_PARAMETER on Windows). Not printed: what GetNamedPipeInfo says for a later
 * instance created with another type or other buffer sizes (Wine 8 reports the first instance's;
 * unverified on Windows).
 */
#include "w32npipe.h"

static void info(const char *label, HANDLE h)
{
    DWORD flags = 77, out = 77, in = 77, max = 77;
    if (GetNamedPipeInfo(h, &flags, &out, &in, &max))
        printf("%s: TRUE flags=0x%x out=%u in=%u max=%u\n", label, (unsigned)flags, (unsigned)out, (unsigned)in, (unsigned)max);
    else
        printf("%s: FALSE error=%u %s\n", label, (unsigned)GetLastError(), p_errname(GetLastError()));
}

static void state(const char *label, HANDLE h)
{
    DWORD st = 77, inst = 77;
    if (GetNamedPipeHandleStateA(h, &st, &inst, NULL, NULL, NULL, 0))
        printf("%s: TRUE state=0x%x instances=%u\n", label, (unsigned)st, (unsigned)inst);
    else
        printf("%s: FALSE error=%u %s\n", label, (unsigned)GetLastError(), p_errname(GetLastError()));
}

/* The server side of a transaction: read one message, answer with "re:" + it (or a long reply). */
static HANDLE srv;
static char srv_log[512];
static int srv_long;

static DWORD WINAPI answer_thread(LPVOID arg)
{
    char buf[128], reply[160];
    DWORD n = 0, w = 0;
    BOOL ok;
    (void)arg;
    ok = ReadFile(srv, buf, sizeof buf, &n, NULL);
    if (!ok) {
        snprintf(srv_log, sizeof srv_log, "server ReadFile: FALSE error=%u\n", (unsigned)GetLastError());
        return 0;
    }
    if (srv_long)
        snprintf(reply, sizeof reply, "a reply much longer than the caller's buffer to %.*s", (int)n, buf);
    else
        snprintf(reply, sizeof reply, "re:%.*s", (int)n, buf);
    ok = WriteFile(srv, reply, (DWORD)strlen(reply), &w, NULL);
    snprintf(srv_log, sizeof srv_log, "server got \"%.*s\" (%u bytes), WriteFile %s n=%u\n", (int)n, buf, (unsigned)n,
             ok ? "TRUE" : "FALSE", (unsigned)w);
    return 0;
}

/* Serve one CallNamedPipe client on the instance: connect (TRUE, or ERROR_PIPE_CONNECTED when the
 * client was quicker: either is printed as "connected"), answer, flush, disconnect. */
static DWORD WINAPI call_server_thread(LPVOID arg)
{
    char pre[128], tmp[640];
    BOOL ok = ConnectNamedPipe(srv, NULL);
    DWORD e = ok ? 0 : GetLastError();
    (void)arg;
    srv_log[0] = '\0';
    if (ok || e == ERROR_PIPE_CONNECTED) {
        snprintf(pre, sizeof pre, "server ConnectNamedPipe: connected\n");
        answer_thread(NULL);
    } else {
        snprintf(pre, sizeof pre, "server ConnectNamedPipe: FALSE error=%u\n", (unsigned)e);
    }
    snprintf(tmp, sizeof tmp, "%s%s", pre, srv_log);
    strcpy(srv_log, tmp);
    FlushFileBuffers(srv);
    DisconnectNamedPipe(srv);
    return 0;
}

static DWORD WINAPI connect_thread(LPVOID arg)
{
    (void)arg;
    ConnectNamedPipe(srv, NULL);
    return 0;
}

static void transact(const char *label, HANDLE c, const char *msg, DWORD outsize)
{
    char out[128];
    DWORD n = 77, e;
    HANDLE th;
    BOOL ok;
    srv_log[0] = '\0';
    th = CreateThread(NULL, 0, answer_thread, NULL, 0, NULL);
    ok = TransactNamedPipe(c, (void *)msg, (DWORD)strlen(msg), out, outsize, &n, NULL);
    e = GetLastError();
    if (!ok && e != ERROR_MORE_DATA) {
        /* the thread still waits for a message: give it one so it ends, and take its answer */
        DWORD w;
        WriteFile(c, "unblock", 7, &w, NULL);
        WaitForSingleObject(th, INFINITE);
        ReadFile(c, out, sizeof out, &w, NULL);
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, p_errname(e));
    } else {
        WaitForSingleObject(th, INFINITE);
        printf("%s", srv_log);
        if (ok)
            printf("%s: TRUE n=%u ", label, (unsigned)n);
        else
            printf("%s: FALSE n=%u error=%u %s ", label, (unsigned)n, (unsigned)e, p_errname(e));
        t_bytes("reply", out, n <= outsize ? n : 0);
    }
    CloseHandle(th);
}

static void call(const char *label, const char *name, const char *msg, DWORD outsize, DWORD timeout, int serve)
{
    char out[128];
    DWORD n = 77, e;
    HANDLE th = NULL;
    BOOL ok;
    srv_log[0] = '\0';
    if (serve)
        th = CreateThread(NULL, 0, call_server_thread, NULL, 0, NULL);
    ok = CallNamedPipeA(name, (void *)msg, (DWORD)strlen(msg), out, outsize, &n, timeout);
    e = GetLastError();
    if (th) {
        WaitForSingleObject(th, INFINITE);
        CloseHandle(th);
    }
    printf("%s", srv_log);
    if (ok) {
        printf("%s: TRUE n=%u ", label, (unsigned)n);
        t_bytes("reply", out, n);
    } else if (e == ERROR_MORE_DATA) {
        printf("%s: FALSE n=%u error=%u %s ", label, (unsigned)n, (unsigned)e, p_errname(e));
        t_bytes("reply", out, n);
    } else {
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, p_errname(e));
    }
}

int main(void)
{
    HANDLE s, s2, c, r, w, th;
    DWORD mode, n, flags, avail;
    char buf[64], out[64];
    const char *name;

    t_init();

    printf("-- GetNamedPipeInfo / GetNamedPipeHandleStateA\n");
    name = p_name("info");
    s = p_handle("CreateNamedPipeA(MESSAGE|READMODE_MESSAGE|NOWAIT, max 3, out 4096, in 8192)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_NOWAIT, 3, 4096, 8192, 0, NULL));
    info("server GetNamedPipeInfo", s);
    state("server GetNamedPipeHandleStateA", s);
    s2 = p_handle("second instance (MESSAGE|READMODE_BYTE, same sizes)",
                  CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_BYTE, 3, 4096, 8192, 0, NULL));
    info("second instance GetNamedPipeInfo", s2);
    state("second instance GetNamedPipeHandleStateA", s2);
    state("first instance GetNamedPipeHandleStateA", s);
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    info("client GetNamedPipeInfo", c);
    state("client GetNamedPipeHandleStateA", c);
    p_bool("GetNamedPipeInfo with all out-parameters NULL", GetNamedPipeInfo(c, NULL, NULL, NULL, NULL));
    p_bool("GetNamedPipeHandleStateA with all out-parameters NULL", GetNamedPipeHandleStateA(c, NULL, NULL, NULL, NULL, NULL, 0));
    CloseHandle(c);
    state("server GetNamedPipeHandleStateA after the client closed", s);
    CloseHandle(s2);
    state("server GetNamedPipeHandleStateA after the second instance closed", s);
    CloseHandle(s);

    printf("-- SetNamedPipeHandleState\n");
    name = p_name("set");
    s = p_handle("CreateNamedPipeA(MESSAGE|READMODE_MESSAGE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    state("client", c);
    mode = PIPE_READMODE_MESSAGE | PIPE_NOWAIT;
    p_bool("client SetNamedPipeHandleState(READMODE_MESSAGE|NOWAIT)", SetNamedPipeHandleState(c, &mode, NULL, NULL));
    state("client", c);
    n = 77;
    p_io("client ReadFile on an empty pipe (no-wait)", ReadFile(c, buf, sizeof buf, &n, NULL), &n);
    state("server (unchanged)", s);
    mode = PIPE_READMODE_BYTE | PIPE_WAIT;
    p_bool("client SetNamedPipeHandleState(READMODE_BYTE|WAIT)", SetNamedPipeHandleState(c, &mode, NULL, NULL));
    state("client", c);
    p_bool("client SetNamedPipeHandleState(NULL, NULL, NULL)", SetNamedPipeHandleState(c, NULL, NULL, NULL));
    state("client", c);

    printf("-- TransactNamedPipe\n");
    srv = s;
    srv_long = 0;
    transact("TransactNamedPipe in byte read mode", c, "hello", sizeof buf);
    mode = PIPE_READMODE_MESSAGE;
    p_bool("client SetNamedPipeHandleState(READMODE_MESSAGE)", SetNamedPipeHandleState(c, &mode, NULL, NULL));
    transact("TransactNamedPipe", c, "ping", sizeof buf);
    srv_long = 1;
    transact("TransactNamedPipe with a 10-byte buffer", c, "pong", 10);
    n = 77;
    p_io("client ReadFile of the rest", ReadFile(c, buf, sizeof buf, &n, NULL), &n);
    t_bytes("rest", buf, n);
    srv_long = 0;
    p_io("server WriteFile \"unread\"", WriteFile(s, "unread", 6, &n, NULL), &n);
    n = 77;
    p_io("TransactNamedPipe while a message waits unread", TransactNamedPipe(c, "x", 1, out, sizeof out, &n, NULL), &n);
    avail = 77;
    PeekNamedPipe(s, NULL, 0, NULL, &avail, NULL);
    printf("bytes waiting for the server after the refused transaction: %u\n", (unsigned)avail);
    n = 77;
    p_io("client ReadFile", ReadFile(c, buf, sizeof buf, &n, NULL), &n);
    t_bytes("data", buf, n);
    CloseHandle(c);
    CloseHandle(s);

    printf("-- CallNamedPipeA\n");
    name = p_name("call");
    call("CallNamedPipeA on a missing name", name, "x", 64, 100, 0);
    s = p_handle("CreateNamedPipeA(MESSAGE|READMODE_MESSAGE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, NULL));
    srv = s;
    srv_long = 0;
    call("CallNamedPipeA", name, "question", 64, 5000, 1);
    srv_long = 1;
    call("CallNamedPipeA with a 10-byte buffer", name, "q2", 10, 5000, 1);
    srv_long = 0;
    call("CallNamedPipeA while the only instance is disconnected, 200 ms", name, "q3", 64, 200, 0);
    th = CreateThread(NULL, 0, connect_thread, NULL, 0, NULL);
    p_bool("WaitNamedPipeA(10000)", WaitNamedPipeA(name, 10000));
    c = p_handle("client CreateFileA (takes the only instance)", p_open(name, GENERIC_READ | GENERIC_WRITE));
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    call("CallNamedPipeA while the instance is busy, 200 ms", name, "q4", 64, 200, 0);
    CloseHandle(c);
    CloseHandle(s);
    name = p_name("callbyte");
    s = p_handle("CreateNamedPipeA(BYTE)", CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL));
    call("CallNamedPipeA on a byte pipe", name, "bq", 64, 5000, 0);
    p_bool("server ConnectNamedPipe after that", ConnectNamedPipe(s, NULL));
    avail = 77;
    if (p_bool("server PeekNamedPipe", PeekNamedPipe(s, NULL, 0, NULL, &avail, NULL)))
        printf("bytes the byte-pipe call left for the server: %u\n", (unsigned)avail);
    CloseHandle(s);

    printf("-- the named-pipe calls on an anonymous pipe\n");
    p_bool("CreatePipe", CreatePipe(&r, &w, NULL, 0));
    flags = 77;
    if (GetNamedPipeInfo(r, &flags, NULL, NULL, NULL))
        printf("GetNamedPipeInfo(read end): TRUE flags=0x%x\n", (unsigned)flags);
    else
        printf("GetNamedPipeInfo(read end): FALSE error=%u\n", (unsigned)GetLastError());
    flags = 77;
    if (GetNamedPipeInfo(w, &flags, NULL, NULL, NULL))
        printf("GetNamedPipeInfo(write end): TRUE flags=0x%x\n", (unsigned)flags);
    else
        printf("GetNamedPipeInfo(write end): FALSE error=%u\n", (unsigned)GetLastError());
    p_bool("ConnectNamedPipe(read end)", ConnectNamedPipe(r, NULL));
    CloseHandle(r);
    CloseHandle(w);
    return 0;
}
