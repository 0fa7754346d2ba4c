/* npipe_server_multithreaded.c — a named-pipe server with one thread per client. The main thread
 * creates an instance, waits in ConnectNamedPipe, hands the connected instance to a new thread and
 * creates the next instance; each thread answers every request message with "answer to: " and the
 * request, until its client closes the pipe.
 *
 *   npipe_server_multithreaded [PIPENAME [CLIENTS]]
 *       PIPENAME  default \\.\pipe\w32ipc-example
 *       CLIENTS   stop after serving this many clients (default 0: serve until killed)
 *
 * Talk to it with npipe_client (several at once, if you like). Build on Linux:
 *   cargo build --release -p w32ipc-capi && scripts/write-pkg-config
 *   export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   cc crates/w32ipc-capi/examples/npipe_server_multithreaded.c $(pkg-config --cflags --libs w32ipc) -o npipe_server_multithreaded
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PIPE "\\\\.\\pipe\\w32ipc-example"
#define BUFSIZE 4096

static CRITICAL_SECTION print_lock;  /* guards stdout and `active` */
static long active;                  /* client threads still running */
static HANDLE all_done;              /* manual-reset event: set while `active` is 0 */

static void say(unsigned long client, const char *what, DWORD n, const char *data)
{
    EnterCriticalSection(&print_lock);
    if (data != NULL)
        printf("client %lu: %s (%lu bytes): %.*s\n", client, what, (unsigned long)n, (int)n, data);
    else
        printf("client %lu: %s\n", client, what);
    fflush(stdout);
    LeaveCriticalSection(&print_lock);
}

/* Serves one connected instance until the client goes away, then disconnects and closes it. */
static DWORD WINAPI client_thread(LPVOID param)
{
    HANDLE pipe = (HANDLE)param;
    char *request = malloc(BUFSIZE), *reply = malloc(BUFSIZE + 16);
    ULONG pid = 0;
    DWORD n, len, written, err;

    if (request == NULL || reply == NULL) {
        free(request);
        free(reply);
        CloseHandle(pipe);
        return 1;
    }
    GetNamedPipeClientProcessId(pipe, &pid);
    say(pid, "connected", 0, NULL);
    for (;;) {
        if (!ReadFile(pipe, request, BUFSIZE, &n, NULL)) {
            err = GetLastError();
            if (err == ERROR_MORE_DATA) {
                /* a request longer than our buffer: answer the first part, drop the rest */
                while (!ReadFile(pipe, reply, BUFSIZE, &len, NULL) && GetLastError() == ERROR_MORE_DATA)
                    ;
            } else {
                say(pid, err == ERROR_BROKEN_PIPE ? "closed the pipe" : "read failed", 0, NULL);
                break;
            }
        }
        say(pid, "request", n, request);
        len = (DWORD)snprintf(reply, BUFSIZE + 16, "answer to: %.*s", (int)n, request);
        if (len > BUFSIZE + 15)
            len = BUFSIZE + 15;
        if (!WriteFile(pipe, reply, len, &written, NULL) || written != len) {
            say(pid, "write failed", 0, NULL);
            break;
        }
    }
    /* Let the client read what is still buffered, then drop it and free the instance. */
    FlushFileBuffers(pipe);
    DisconnectNamedPipe(pipe);
    CloseHandle(pipe);
    free(request);
    free(reply);
    EnterCriticalSection(&print_lock);
    if (--active == 0)
        SetEvent(all_done);
    LeaveCriticalSection(&print_lock);
    return 0;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : DEFAULT_PIPE;
    long limit = argc > 2 ? atol(argv[2]) : 0, served = 0;
    HANDLE pipe, thread;
    BOOL connected;

    InitializeCriticalSection(&print_lock);
    all_done = CreateEventA(NULL, TRUE, TRUE, NULL);
    printf("server: listening on %s\n", name);
    fflush(stdout);

    while (limit <= 0 || served < limit) {
        pipe = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX,
                                PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                                PIPE_UNLIMITED_INSTANCES, BUFSIZE, BUFSIZE, 0, NULL);
        if (pipe == INVALID_HANDLE_VALUE) {
            fprintf(stderr, "CreateNamedPipe failed: error %lu\n", (unsigned long)GetLastError());
            return 1;
        }
        /* TRUE, or ERROR_PIPE_CONNECTED when the client came before this call. */
        connected = ConnectNamedPipe(pipe, NULL) ? TRUE : GetLastError() == ERROR_PIPE_CONNECTED;
        if (!connected) {
            fprintf(stderr, "ConnectNamedPipe failed: error %lu\n", (unsigned long)GetLastError());
            CloseHandle(pipe);
            continue;
        }
        EnterCriticalSection(&print_lock);
        if (active++ == 0)
            ResetEvent(all_done);
        LeaveCriticalSection(&print_lock);
        thread = CreateThread(NULL, 0, client_thread, pipe, 0, NULL);
        if (thread == NULL) {
            fprintf(stderr, "CreateThread failed: error %lu\n", (unsigned long)GetLastError());
            EnterCriticalSection(&print_lock);
            if (--active == 0)
                SetEvent(all_done);
            LeaveCriticalSection(&print_lock);
            DisconnectNamedPipe(pipe);
            CloseHandle(pipe);
            continue;
        }
        CloseHandle(thread); /* the thread runs on; it closes its instance itself */
        served++;
    }
    /* With a client limit: let the last clients finish before leaving. */
    WaitForSingleObject(all_done, INFINITE);
    printf("server: served %ld clients, done\n", served);
    CloseHandle(all_done);
    DeleteCriticalSection(&print_lock);
    return 0;
}
