/* npipe_server_overlapped.c — a named-pipe server that serves several clients from ONE thread with
 * overlapped I/O. It creates INSTANCES instances with FILE_FLAG_OVERLAPPED, each with its own
 * event, starts an overlapped ConnectNamedPipe on each, and then loops on WaitForMultipleObjects:
 * whichever instance's event fires takes its next step (connecting -> reading a request -> writing
 * the answer -> reading ...). When a client closes its end the instance is disconnected and starts
 * listening again. Answers are "answer to: " and the request.
 *
 *   npipe_server_overlapped [PIPENAME [CLIENTS]]
 *       PIPENAME  default \\.\pipe\w32ipc-example
 *       CLIENTS   stop after this many clients have come and gone (default 0: serve until killed)
 *
 * Talk to it with npipe_client (up to 4 at once; more wait for a free instance). Build on Linux:
 *   cargo build --release -p w32ipc-capi && scripts/write-pkg-config
 *   export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   cc crates/w32ipc-capi/examples/npipe_server_overlapped.c $(pkg-config --cflags --libs w32ipc) -o npipe_server_overlapped
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PIPE "\\\\.\\pipe\\w32ipc-example"
#define INSTANCES 4
#define BUFSIZE 4096
#define PIPE_TIMEOUT 5000

enum step { CONNECTING, READING, WRITING };

struct instance {
    OVERLAPPED ov;           /* first, so a pointer to it is a pointer to the instance */
    HANDLE pipe;
    enum step step;
    BOOL pending;            /* an operation was started and its event has not fired yet */
    char request[BUFSIZE];
    DWORD request_len;
    char reply[BUFSIZE + 16];
    DWORD reply_len;
};

static struct instance inst[INSTANCES];
static long finished_clients;

/* Starts listening on an instance. Returns FALSE if ConnectNamedPipe failed outright. */
static BOOL listen_on(struct instance *in)
{
    HANDLE ev = in->ov.hEvent;
    DWORD err;
    memset(&in->ov, 0, sizeof in->ov);
    in->ov.hEvent = ev;
    in->step = CONNECTING;
    in->pending = FALSE;
    /* An overlapped ConnectNamedPipe returns FALSE: ERROR_IO_PENDING while it waits for a client,
       ERROR_PIPE_CONNECTED when one is already there. */
    if (ConnectNamedPipe(in->pipe, &in->ov)) {
        fprintf(stderr, "ConnectNamedPipe returned TRUE in overlapped mode\n");
        return FALSE;
    }
    err = GetLastError();
    if (err == ERROR_IO_PENDING) {
        in->pending = TRUE;
        return TRUE;
    }
    if (err == ERROR_PIPE_CONNECTED) {
        in->step = READING;
        SetEvent(in->ov.hEvent); /* come back to it in the loop */
        return TRUE;
    }
    fprintf(stderr, "ConnectNamedPipe failed: error %lu\n", (unsigned long)err);
    return FALSE;
}

/* The client went away (or broke the protocol): drop it and listen again. */
static void drop_client(struct instance *in, int index, DWORD err)
{
    if (err == ERROR_BROKEN_PIPE)
        printf("instance %d: the client closed the pipe\n", index);
    else
        printf("instance %d: dropping the client (error %lu)\n", index, (unsigned long)err);
    fflush(stdout);
    finished_clients++;
    DisconnectNamedPipe(in->pipe);
    listen_on(in);
}

/* One step of an instance whose event fired. */
static void serve(struct instance *in, int index)
{
    DWORD n = 0, err;
    BOOL ok;

    if (in->pending) {
        /* Finish the operation that was pending. */
        in->pending = FALSE;
        ok = GetOverlappedResult(in->pipe, &in->ov, &n, FALSE);
        err = ok ? 0 : GetLastError();
        switch (in->step) {
        case CONNECTING:
            if (!ok) {
                fprintf(stderr, "instance %d: connect failed: error %lu\n", index, (unsigned long)err);
                listen_on(in);
                return;
            }
            printf("instance %d: a client connected\n", index);
            fflush(stdout);
            in->step = READING;
            break;
        case READING:
            if (!ok) {
                drop_client(in, index, err);
                return;
            }
            in->request_len = n;
            in->step = WRITING;
            break;
        case WRITING:
            if (!ok || n != in->reply_len) {
                drop_client(in, index, ok ? ERROR_WRITE_FAULT : err);
                return;
            }
            in->step = READING;
            break;
        }
    }

    /* Start the next operation. */
    switch (in->step) {
    case CONNECTING:
        /* The event of a listening instance fired without a pending connect: nothing to do. */
        ResetEvent(in->ov.hEvent);
        break;
    case READING:
        ok = ReadFile(in->pipe, in->request, BUFSIZE, &n, &in->ov);
        if (ok) {
            /* Done at once; the event is set as well, so the loop comes back for the answer. */
            in->request_len = n;
            in->step = WRITING;
            return;
        }
        err = GetLastError();
        if (err == ERROR_IO_PENDING) {
            in->pending = TRUE;
            return;
        }
        drop_client(in, index, err);
        break;
    case WRITING:
        printf("instance %d: request (%lu bytes): %.*s\n", index, (unsigned long)in->request_len,
               (int)in->request_len, in->request);
        fflush(stdout);
        in->reply_len = (DWORD)snprintf(in->reply, sizeof in->reply, "answer to: %.*s", (int)in->request_len, in->request);
        if (in->reply_len >= sizeof in->reply)
            in->reply_len = sizeof in->reply - 1;
        ok = WriteFile(in->pipe, in->reply, in->reply_len, &n, &in->ov);
        if (ok && n == in->reply_len) {
            in->step = READING; /* the event is set: the loop comes back to read */
            return;
        }
        err = ok ? ERROR_WRITE_FAULT : GetLastError();
        if (err == ERROR_IO_PENDING) {
            in->pending = TRUE;
            return;
        }
        drop_client(in, index, err);
        break;
    }
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : DEFAULT_PIPE;
    long limit = argc > 2 ? atol(argv[2]) : 0;
    HANDLE events[INSTANCES];
    DWORD r;
    int i;

    for (i = 0; i < INSTANCES; i++) {
        /* Manual-reset, initially signalled: ConnectNamedPipe resets it when it has to wait. */
        events[i] = CreateEventA(NULL, TRUE, TRUE, NULL);
        if (events[i] == NULL) {
            fprintf(stderr, "CreateEvent failed: error %lu\n", (unsigned long)GetLastError());
            return 1;
        }
        inst[i].ov.hEvent = events[i];
        inst[i].pipe = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                                        PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, INSTANCES,
                                        BUFSIZE, BUFSIZE, PIPE_TIMEOUT, NULL);
        if (inst[i].pipe == INVALID_HANDLE_VALUE) {
            fprintf(stderr, "CreateNamedPipe failed: error %lu\n", (unsigned long)GetLastError());
            return 1;
        }
        if (!listen_on(&inst[i]))
            return 1;
    }
    printf("server: %d instances listening on %s\n", INSTANCES, name);
    fflush(stdout);

    while (limit <= 0 || finished_clients < limit) {
        r = WaitForMultipleObjects(INSTANCES, events, FALSE, INFINITE);
        if (r >= WAIT_OBJECT_0 + INSTANCES) {
            fprintf(stderr, "WaitForMultipleObjects failed: error %lu\n", (unsigned long)GetLastError());
            return 1;
        }
        i = (int)(r - WAIT_OBJECT_0);
        serve(&inst[i], i);
    }

    /* Stop listening: cancel the pending connects, then close everything. */
    for (i = 0; i < INSTANCES; i++) {
        DWORD n;
        if (inst[i].pending) {
            CancelIo(inst[i].pipe);
            GetOverlappedResult(inst[i].pipe, &inst[i].ov, &n, TRUE);
        }
        CloseHandle(inst[i].pipe);
        CloseHandle(events[i]);
    }
    printf("server: %ld clients served, done\n", finished_clients);
    return 0;
}
