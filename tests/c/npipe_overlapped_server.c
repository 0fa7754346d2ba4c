/*
 * npipe_overlapped_server.c — one thread serving several clients through overlapped I/O (the
 * pattern of Microsoft's "Named Pipe Server Using Overlapped I/O" documentation).
 *
 * The server creates INSTANCES instances with FILE_FLAG_OVERLAPPED (message type and read mode),
 * each with its own manual-reset event, and starts an overlapped ConnectNamedPipe on every one.
 * One loop waits with WaitForMultipleObjects on the events and drives a per-instance state machine:
 * connecting -> reading -> writing -> reading ..., finishing a pending operation with
 * GetOverlappedResult(bWait FALSE), starting the next one, and treating ERROR_IO_PENDING as "wait
 * for the event again" and ERROR_PIPE_CONNECTED as "the client is already there". When a read ends
 * with an error (the client closed: ERROR_BROKEN_PIPE), the instance is disconnected and a new
 * overlapped ConnectNamedPipe starts on it. CLIENTS client processes (this program again, more
 * than there are instances, so some wait with WaitNamedPipeA for a reconnected instance) each send
 * REQUESTS requests in message read mode and check the answers.
 *
 * Covers: the initial ConnectNamedPipe on each instance is pending (ERROR_IO_PENDING, the event
 * reset); every client is connected, served and dropped; the read that ends each connection
 * fails with 109; all instances are reused; at the end the still pending ConnectNamedPipe calls
 * are cancelled with CancelIo (ERROR_OPERATION_ABORTED, 995). Which instance serves which client,
 * and whether an operation completed at once or pended, depends on timing: only totals and the
 * per-client results, sorted by client number, are printed.
 *
 * Every wait is bounded: the loop gives up after 30 s without progress, the clients after 20 s.
 */
#include "w32npipe.h"

#define INSTANCES 4
#define CLIENTS 6
#define REQUESTS 2
#define BUFSIZE 512

/* argv: client NAME K */
static int client_child(char **argv)
{
    const char *name = argv[2];
    int k = atoi(argv[3]), i, tries;
    HANDLE h = INVALID_HANDLE_VALUE;
    DWORD mode, n, e;
    char msg[64], want[96], reply[BUFSIZE];

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
    mode = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(h, &mode, NULL, NULL))
        printf("SetNamedPipeHandleState: FALSE error=%u\n", (unsigned)GetLastError());
    for (i = 1; i <= REQUESTS; i++) {
        snprintf(msg, sizeof msg, "client %d request %d", k, i);
        snprintf(want, sizeof want, "answer to %s", msg);
        if (!WriteFile(h, msg, (DWORD)strlen(msg), &n, NULL)) {
            printf("request %d: WriteFile FALSE error=%u\n", i, (unsigned)GetLastError());
            break;
        }
        n = 0;
        if (!ReadFile(h, reply, sizeof reply, &n, NULL)) {
            e = GetLastError();
            printf("request %d: ReadFile FALSE error=%u %s\n", i, (unsigned)e, p_errname(e));
            break;
        }
        printf("request %d: answer %u bytes, as expected: %s\n", i, (unsigned)n,
               n == strlen(want) && memcmp(reply, want, n) == 0 ? "yes" : "no");
    }
    CloseHandle(h);
    return 0;
}

enum pipe_state { CONNECTING, READING, WRITING };

struct instance {
    OVERLAPPED ov;
    HANDLE pipe;
    enum pipe_state state;
    BOOL pending;         /* an operation was started and has not been finished yet */
    char request[BUFSIZE];
    DWORD request_len;
    char reply[BUFSIZE + 16];
    DWORD reply_len;
    int client;           /* the client being served (from its first request), 0 before that */
    int requests;         /* requests answered for this client */
};

/* Per-client results, indexed by client number. */
static struct {
    int served;           /* the connection ended */
    int requests;
    DWORD end_error;
} results[CLIENTS + 1];

static struct instance inst[INSTANCES];
static int connections, finished, odd_events;

/* Start an overlapped ConnectNamedPipe; returns FALSE when it failed outright. */
static BOOL start_connect(struct instance *in)
{
    DWORD e;
    HANDLE ev = in->ov.hEvent;
    memset(&in->ov, 0, sizeof in->ov);
    in->ov.hEvent = ev;
    in->client = 0;
    in->requests = 0;
    in->state = CONNECTING;
    if (ConnectNamedPipe(in->pipe, &in->ov)) {
        /* An overlapped ConnectNamedPipe is documented to return FALSE; count it as odd. */
        odd_events++;
        in->pending = FALSE;
        in->state = READING;
        connections++;
        return TRUE;
    }
    e = GetLastError();
    if (e == ERROR_IO_PENDING) {
        in->pending = TRUE;
        return TRUE;
    }
    if (e == ERROR_PIPE_CONNECTED) {
        /* The client came between the instance's creation (or disconnect) and this call. */
        in->pending = FALSE;
        in->state = READING;
        connections++;
        SetEvent(in->ov.hEvent);
        return TRUE;
    }
    printf("ConnectNamedPipe: FALSE error=%u %s\n", (unsigned)e, p_errname(e));
    return FALSE;
}

/* The client is gone (or misbehaved): record it, drop it, listen again. */
static void disconnect_and_reconnect(struct instance *in, DWORD error)
{
    if (in->client >= 1 && in->client <= CLIENTS) {
        results[in->client].served = 1;
        results[in->client].requests = in->requests;
        results[in->client].end_error = error;
    } else {
        odd_events++;
    }
    finished++;
    if (!DisconnectNamedPipe(in->pipe))
        printf("DisconnectNamedPipe: FALSE error=%u\n", (unsigned)GetLastError());
    start_connect(in);
}

static void make_reply(struct instance *in)
{
    int k = 0;
    in->request[in->request_len < BUFSIZE ? in->request_len : BUFSIZE - 1] = '\0';
    if (in->requests == 0 && sscanf(in->request, "client %d", &k) == 1)
        in->client = k;
    in->reply_len = (DWORD)snprintf(in->reply, sizeof in->reply, "answer to %s", in->request);
}

/* One step of instance `in` after its event was signalled. */
static void step(struct instance *in)
{
    DWORD n = 0, e;
    BOOL ok;

    if (in->pending) {
        ok = GetOverlappedResult(in->pipe, &in->ov, &n, FALSE);
        e = ok ? 0 : GetLastError();
        in->pending = FALSE;
        switch (in->state) {
        case CONNECTING:
            if (!ok) {
                printf("pending ConnectNamedPipe: error=%u %s\n", (unsigned)e, p_errname(e));
                return;
            }
            connections++;
            in->state = READING;
            break;
        case READING:
            if (!ok || n == 0) {
                disconnect_and_reconnect(in, ok ? 0 : e);
                return;
            }
            in->request_len = n;
            in->state = WRITING;
            break;
        case WRITING:
            if (!ok || n != in->reply_len) {
                disconnect_and_reconnect(in, ok ? 0 : e);
                return;
            }
            in->requests++;
            in->state = READING;
            break;
        }
    }

    switch (in->state) {
    case CONNECTING:
        /* signalled while connecting without a pending operation: not expected */
        odd_events++;
        ResetEvent(in->ov.hEvent);
        break;
    case READING:
        ok = ReadFile(in->pipe, in->request, BUFSIZE, &n, &in->ov);
        if (ok && n != 0) {
            /* done at once; the event is set too, so the loop comes back here */
            in->request_len = n;
            in->state = WRITING;
            return;
        }
        e = GetLastError();
        if (!ok && e == ERROR_IO_PENDING) {
            in->pending = TRUE;
            return;
        }
        disconnect_and_reconnect(in, ok ? 0 : e);
        break;
    case WRITING:
        make_reply(in);
        ok = WriteFile(in->pipe, in->reply, in->reply_len, &n, &in->ov);
        if (ok && n == in->reply_len) {
            in->requests++;
            in->state = READING;
            return;
        }
        e = GetLastError();
        if (!ok && e == ERROR_IO_PENDING) {
            in->pending = TRUE;
            return;
        }
        disconnect_and_reconnect(in, ok ? 0 : e);
        break;
    }
}

int main(int argc, char **argv)
{
    HANDLE events[INSTANCES], out[CLIENTS];
    PROCESS_INFORMATION pi[CLIENTS];
    char args[300], label[32];
    const char *name;
    DWORD r, n, e;
    int i, initial_pending = 0, initial_reset = 0, cancelled = 0, ok_clients = 0;

    if (argc >= 4 && strcmp(argv[1], "client") == 0)
        return client_child(argv);
    t_init();
    name = p_name("ovlsrv");

    printf("-- %d overlapped instances, one event each\n", INSTANCES);
    for (i = 0; i < INSTANCES; i++) {
        /* manual-reset, initially signalled, as in the documented pattern */
        events[i] = CreateEventA(NULL, TRUE, TRUE, NULL);
        inst[i].ov.hEvent = events[i];
        inst[i].pipe = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                                        PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, INSTANCES,
                                        BUFSIZE, BUFSIZE, 5000, NULL);
        if (inst[i].pipe == INVALID_HANDLE_VALUE) {
            printf("CreateNamedPipeA %d: error=%u\n", i, (unsigned)GetLastError());
            return 1;
        }
        memset(&inst[i].ov, 0, sizeof inst[i].ov);
        inst[i].ov.hEvent = events[i];
        inst[i].state = CONNECTING;
        if (!ConnectNamedPipe(inst[i].pipe, &inst[i].ov) && GetLastError() == ERROR_IO_PENDING)
            initial_pending++;
        inst[i].pending = TRUE;
        if (WaitForSingleObject(events[i], 0) == WAIT_TIMEOUT)
            initial_reset++;
    }
    printf("instances created: %d, ConnectNamedPipe ERROR_IO_PENDING: %d, events reset by it: %d\n", INSTANCES,
           initial_pending, initial_reset);
    p_close(p_handle("a fifth CreateNamedPipeA (nMaxInstances 4)",
                     CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                                      PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, INSTANCES, BUFSIZE,
                                      BUFSIZE, 5000, NULL)));

    printf("-- %d client processes, %d requests each\n", CLIENTS, REQUESTS);
    for (i = 0; i < CLIENTS; i++) {
        snprintf(args, sizeof args, "client %s %d", name, i + 1);
        if (!t_spawn_captured(args, &pi[i], &out[i])) {
            printf("spawn of client %d failed: error=%u\n", i + 1, (unsigned)GetLastError());
            return 1;
        }
    }
    while (finished < CLIENTS) {
        r = WaitForMultipleObjects(INSTANCES, events, FALSE, 30000);
        if (r >= WAIT_OBJECT_0 + INSTANCES) {
            printf("no progress for 30 s (wait result %u), giving up\n", (unsigned)r);
            break;
        }
        step(&inst[r - WAIT_OBJECT_0]);
    }
    printf("connections: %d, connections ended: %d, unexpected events: %d\n", connections, finished, odd_events);

    for (i = 0; i < CLIENTS; i++) {
        snprintf(label, sizeof label, "client %d", i + 1);
        if (t_finish_child(label, &pi[i], out[i], 30000) == 0)
            ok_clients++;
    }
    printf("clients that ended with exit code 0: %d\n", ok_clients);
    for (i = 1; i <= CLIENTS; i++) {
        if (results[i].served)
            printf("server: client %d: %d requests answered, then error=%u %s\n", i, results[i].requests,
                   (unsigned)results[i].end_error, p_errname(results[i].end_error));
        else
            printf("server: client %d: not served\n", i);
    }

    printf("-- shutting down\n");
    for (i = 0; i < INSTANCES; i++) {
        if (inst[i].pending && inst[i].state == CONNECTING) {
            CancelIo(inst[i].pipe);
            n = 77;
            if (!GetOverlappedResult(inst[i].pipe, &inst[i].ov, &n, TRUE)) {
                e = GetLastError();
                if (e == ERROR_OPERATION_ABORTED)
                    cancelled++;
                else
                    printf("instance %d: cancelled connect ended with error=%u\n", i, (unsigned)e);
            }
        }
        CloseHandle(inst[i].pipe);
        CloseHandle(events[i]);
    }
    printf("pending ConnectNamedPipe calls cancelled by CancelIo (ERROR_OPERATION_ABORTED): %d\n", cancelled);
    p_close(p_handle("CreateFileA on the name afterwards", p_open(name, GENERIC_READ | GENERIC_WRITE)));
    return 0;
}
