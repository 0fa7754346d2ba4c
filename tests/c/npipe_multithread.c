/*
 * npipe_multithread.c — a multithreaded pipe server (the pattern of Microsoft's "Multithreaded Pipe
 * Server" documentation) serving three client processes at the same time.
 *
 * The main thread creates an instance (PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE |
 * PIPE_READMODE_MESSAGE | PIPE_WAIT, PIPE_UNLIMITED_INSTANCES), waits in ConnectNamedPipe, hands
 * the connected instance to a new thread and creates the next instance, until CLIENTS clients are
 * connected. Each thread reads requests and answers "echo: " + request until the client closes
 * (ERROR_BROKEN_PIPE), then calls FlushFileBuffers, DisconnectNamedPipe and CloseHandle. The
 * clients are this program started again: each opens the name (waiting with WaitNamedPipeA while
 * every instance is busy), switches to message read mode with SetNamedPipeHandleState, sends
 * MESSAGES requests and checks the replies. The threads answer a client's first request only once
 * all CLIENTS clients are connected, so the server provably holds them all at once. Which client
 * gets which instance, and whether a client had to wait, depends on timing and is not printed; the
 * summary is sorted by client number.
 *
 * Covers: PIPE_UNLIMITED_INSTANCES with several connected instances of one name; ConnectNamedPipe
 * in a loop; ERROR_PIPE_BUSY + WaitNamedPipeA on the client side; SetNamedPipeHandleState to
 * message read mode on the client end (state 0x2 afterwards); one message per request and reply;
 * GetNamedPipeClientProcessId naming one of the children; ReadFile ERROR_BROKEN_PIPE (109) when a
 * client closes; DisconnectNamedPipe TRUE after that.
 *
 * Every wait is bounded: the clients give up after 20 s, the server threads wait at most 20 s for
 * the others, and a watchdog thread unblocks the main thread's ConnectNamedPipe (by connecting to
 * the pipe itself) if the clients did not all come within 30 s.
 */
#include "w32npipe.h"

#define CLIENTS 3
#define MESSAGES 3

/* argv: client NAME K */
static int client_child(char **argv)
{
    const char *name = argv[2];
    int k = atoi(argv[3]), i, tries;
    HANDLE h = INVALID_HANDLE_VALUE;
    DWORD mode, st, n, e;
    char msg[64], want[80], reply[128];

    t_init();
    for (tries = 0; tries < 20; tries++) {
        h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (h != INVALID_HANDLE_VALUE)
            break;
        e = GetLastError();
        if (e != ERROR_PIPE_BUSY) {
            printf("CreateFileA: INVALID_HANDLE_VALUE error=%u %s\n", (unsigned)e, p_errname(e));
            return 2;
        }
        if (!WaitNamedPipeA(name, 20000)) {
            e = GetLastError();
            printf("WaitNamedPipeA: FALSE error=%u %s\n", (unsigned)e, p_errname(e));
            return 3;
        }
    }
    if (h == INVALID_HANDLE_VALUE) {
        printf("CreateFileA: busy 20 times\n");
        return 4;
    }
    printf("connected\n");
    mode = PIPE_READMODE_MESSAGE;
    p_bool("SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(h, &mode, NULL, NULL));
    st = 77;
    if (GetNamedPipeHandleStateA(h, &st, NULL, NULL, NULL, NULL, 0))
        printf("GetNamedPipeHandleStateA: state=0x%x\n", (unsigned)st);
    for (i = 1; i <= MESSAGES; i++) {
        snprintf(msg, sizeof msg, "client %d message %d", k, i);
        snprintf(want, sizeof want, "echo: %s", msg);
        n = 77;
        if (!WriteFile(h, msg, (DWORD)strlen(msg), &n, NULL) || n != strlen(msg)) {
            printf("message %d: WriteFile failed: error=%u n=%u\n", i, (unsigned)GetLastError(), (unsigned)n);
            break;
        }
        n = 77;
        if (!ReadFile(h, reply, sizeof reply, &n, NULL)) {
            e = GetLastError();
            printf("message %d: ReadFile FALSE error=%u %s\n", i, (unsigned)e, p_errname(e));
            break;
        }
        printf("message %d: reply %u bytes, as expected: %s\n", i, (unsigned)n,
               n == strlen(want) && memcmp(reply, want, n) == 0 ? "yes" : "no");
    }
    p_bool("CloseHandle", CloseHandle(h));
    return 0;
}

/* What one server thread saw, printed by the main thread once everything has ended. */
struct served {
    HANDLE pipe;
    int client;         /* from the first request, 0 if none came */
    int requests;       /* requests answered */
    int replies_whole;  /* replies written with their full length */
    int all_at_once;    /* all CLIENTS clients were connected while this one was */
    int pid_known;      /* GetNamedPipeClientProcessId named one of the children */
    DWORD end_error;    /* the error that ended the read loop */
    BOOL disconnected;  /* DisconnectNamedPipe's result */
};

static struct served served[CLIENTS];
static DWORD child_pids[CLIENTS];
static CRITICAL_SECTION lock;
static int connected_count;
static HANDLE all_connected;  /* manual-reset event: CLIENTS threads are serving */
static volatile LONG stop_serving;

static DWORD WINAPI instance_thread(LPVOID arg)
{
    struct served *sv = (struct served *)arg;
    char req[256], reply[300];
    DWORD n, w, len;
    ULONG pid = 0;
    int i;

    if (GetNamedPipeClientProcessId(sv->pipe, &pid))
        for (i = 0; i < CLIENTS; i++)
            if (child_pids[i] == pid)
                sv->pid_known = 1;
    EnterCriticalSection(&lock);
    if (++connected_count == CLIENTS)
        SetEvent(all_connected);
    LeaveCriticalSection(&lock);

    for (;;) {
        if (!ReadFile(sv->pipe, req, sizeof req - 1, &n, NULL)) {
            sv->end_error = GetLastError();
            break;
        }
        req[n] = '\0';
        if (sv->requests == 0) {
            sscanf(req, "client %d", &sv->client);
            sv->all_at_once = WaitForSingleObject(all_connected, 20000) == WAIT_OBJECT_0;
        }
        len = (DWORD)snprintf(reply, sizeof reply, "echo: %s", req);
        if (!WriteFile(sv->pipe, reply, len, &w, NULL)) {
            sv->end_error = GetLastError();
            break;
        }
        sv->requests++;
        if (w == len)
            sv->replies_whole++;
    }
    /* As the documented pattern does: let the client read everything, then drop it and close. */
    FlushFileBuffers(sv->pipe);
    sv->disconnected = DisconnectNamedPipe(sv->pipe);
    CloseHandle(sv->pipe);
    return 0;
}

/* Ends the main thread's ConnectNamedPipe if the clients do not all come. */
static const char *watch_name;
static HANDLE loop_done;

static DWORD WINAPI watchdog_thread(LPVOID arg)
{
    (void)arg;
    if (WaitForSingleObject(loop_done, 30000) != WAIT_OBJECT_0) {
        stop_serving = 1;
        p_close(p_open(watch_name, GENERIC_READ | GENERIC_WRITE));
    }
    return 0;
}

int main(int argc, char **argv)
{
    PROCESS_INFORMATION pi[CLIENTS];
    HANDLE out[CLIENTS], threads[CLIENTS], watchdog, h;
    char args[300], label[32];
    const char *name;
    int i, nthreads = 0, created = 1;
    BOOL ok;

    if (argc >= 4 && strcmp(argv[1], "client") == 0)
        return client_child(argv);
    t_init();
    InitializeCriticalSection(&lock);
    all_connected = CreateEventA(NULL, TRUE, FALSE, NULL);
    loop_done = CreateEventA(NULL, TRUE, FALSE, NULL);
    name = p_name("mt");
    watch_name = name;

    printf("-- server: a thread per client, %d client processes at once\n", CLIENTS);
    h = p_handle("CreateNamedPipeA(DUPLEX, MESSAGE|READMODE_MESSAGE|WAIT, PIPE_UNLIMITED_INSTANCES)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                                  PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, NULL));
    if (h == INVALID_HANDLE_VALUE)
        return 1;
    for (i = 0; i < CLIENTS; i++) {
        snprintf(args, sizeof args, "client %s %d", name, i + 1);
        ok = t_spawn_captured(args, &pi[i], &out[i]);
        if (!ok) {
            printf("spawn of client %d failed: error=%u\n", i + 1, (unsigned)GetLastError());
            return 1;
        }
        child_pids[i] = pi[i].dwProcessId;
    }
    watchdog = CreateThread(NULL, 0, watchdog_thread, NULL, 0, NULL);

    /* The server loop: connect, hand over to a thread, make the next instance. */
    while (nthreads < CLIENTS) {
        ok = ConnectNamedPipe(h, NULL) ? TRUE : GetLastError() == ERROR_PIPE_CONNECTED;
        if (stop_serving || !ok) {
            if (!ok)
                printf("ConnectNamedPipe: FALSE error=%u\n", (unsigned)GetLastError());
            CloseHandle(h);
            h = INVALID_HANDLE_VALUE;
            break;
        }
        served[nthreads].pipe = h;
        threads[nthreads] = CreateThread(NULL, 0, instance_thread, &served[nthreads], 0, NULL);
        nthreads++;
        h = INVALID_HANDLE_VALUE;
        if (nthreads < CLIENTS) {
            h = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                                 PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, NULL);
            if (h == INVALID_HANDLE_VALUE) {
                printf("CreateNamedPipeA (next instance): error=%u\n", (unsigned)GetLastError());
                break;
            }
            created++;
        }
    }
    SetEvent(loop_done);
    WaitForSingleObject(watchdog, 5000);
    CloseHandle(watchdog);
    printf("instances created: %d, clients connected: %d\n", created, nthreads);

    for (i = 0; i < CLIENTS; i++) {
        snprintf(label, sizeof label, "client %d", i + 1);
        t_finish_child(label, &pi[i], out[i], 30000);
    }
    if (nthreads > 0 && WaitForMultipleObjects((DWORD)nthreads, threads, TRUE, 30000) != WAIT_OBJECT_0)
        printf("server threads still running after 30 s\n");

    /* The server's side, sorted by client number. */
    for (i = 1; i <= CLIENTS; i++) {
        int j, found = 0;
        for (j = 0; j < nthreads; j++) {
            struct served *sv = &served[j];
            if (sv->client != i)
                continue;
            found = 1;
            printf("server thread of client %d: %d requests, %d replies written whole, all %d clients connected at once: %s\n",
                   i, sv->requests, sv->replies_whole, CLIENTS, sv->all_at_once ? "yes" : "no");
            printf("server thread of client %d: GetNamedPipeClientProcessId names a child: %s\n", i, sv->pid_known ? "yes" : "no");
            printf("server thread of client %d: ReadFile ended with error=%u %s, DisconnectNamedPipe: %s\n", i,
                   (unsigned)sv->end_error, p_errname(sv->end_error), sv->disconnected ? "TRUE" : "FALSE");
        }
        if (!found)
            printf("no server thread served client %d\n", i);
    }
    for (i = 0; i < nthreads; i++)
        CloseHandle(threads[i]);
    p_close(p_handle("CreateFileA on the name afterwards", p_open(name, GENERIC_READ | GENERIC_WRITE)));
    CloseHandle(all_connected);
    CloseHandle(loop_done);
    DeleteCriticalSection(&lock);
    return 0;
}
