/* npipe_client.c — a named-pipe client: connects (waiting while every instance is busy), switches
 * to message read mode, sends one message and prints the reply.
 *
 *   npipe_client [PIPENAME] [MESSAGE...]
 *       PIPENAME  a first argument starting with \\ (default \\.\pipe\w32ipc-example)
 *       MESSAGE   the remaining arguments, joined with spaces (default "hello from npipe_client")
 *
 * Talk to npipe_server_multithreaded or npipe_server_overlapped. Build on Linux:
 *   cargo build --release -p w32ipc-capi && scripts/write-pkg-config
 *   export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   cc crates/w32ipc-capi/examples/npipe_client.c $(pkg-config --cflags --libs w32ipc) -o npipe_client
 *   ./npipe_client 'hello there'
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_PIPE "\\\\.\\pipe\\w32ipc-example"

int main(int argc, char **argv)
{
    const char *name = DEFAULT_PIPE;
    char message[4096] = "", piece[256];
    size_t len = 0;
    HANDLE pipe;
    DWORD mode, n, err, total = 0;
    BOOL ok;
    int i = 1;

    if (argc > 1 && strncmp(argv[1], "\\\\", 2) == 0)
        name = argv[i++];
    for (; i < argc; i++) {
        int w = snprintf(message + len, sizeof message - len, "%s%s", len ? " " : "", argv[i]);
        if (w < 0 || (size_t)w >= sizeof message - len)
            break;
        len += (size_t)w;
    }
    if (len == 0)
        len = (size_t)snprintf(message, sizeof message, "hello from npipe_client");

    /* Open the pipe; while all instances are busy, wait for one (up to 20 s). A server that
       closes its last instance before it makes the next one takes the name away for a moment
       (CreateFile, or a wait under way, ends with ERROR_FILE_NOT_FOUND): try again for half a
       second before deciding that there is no server. */
    for (int gone = 0;;) {
        pipe = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (pipe != INVALID_HANDLE_VALUE)
            break;
        err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND && gone < 50) {
            gone++;
            Sleep(10);
            continue;
        }
        if (err != ERROR_PIPE_BUSY) {
            fprintf(stderr, "could not open %s: error %lu%s\n", name, (unsigned long)err,
                    err == ERROR_FILE_NOT_FOUND ? " (no such pipe: is the server running?)" : "");
            return 1;
        }
        if (!WaitNamedPipeA(name, 20000)) {
            if (GetLastError() == ERROR_FILE_NOT_FOUND)
                continue;
            fprintf(stderr, "could not open %s: no instance became free in 20 s\n", name);
            return 1;
        }
    }

    /* Read whole messages from now on (a byte-mode pipe refuses this: then read bytes). */
    mode = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(pipe, &mode, NULL, NULL))
        fprintf(stderr, "SetNamedPipeHandleState: error %lu, reading in byte mode\n", (unsigned long)GetLastError());

    if (!WriteFile(pipe, message, (DWORD)len, &n, NULL)) {
        fprintf(stderr, "WriteFile failed: error %lu\n", (unsigned long)GetLastError());
        CloseHandle(pipe);
        return 1;
    }
    printf("sent (%lu bytes): %s\n", (unsigned long)n, message);

    /* One reply message, read in pieces while ReadFile says ERROR_MORE_DATA. */
    printf("reply: ");
    do {
        ok = ReadFile(pipe, piece, sizeof piece, &n, NULL);
        err = ok ? 0 : GetLastError();
        if (!ok && err != ERROR_MORE_DATA)
            break;
        fwrite(piece, 1, n, stdout);
        total += n;
    } while (!ok);
    printf("\n");
    if (err != 0 && err != ERROR_MORE_DATA) {
        fprintf(stderr, "ReadFile failed: error %lu\n", (unsigned long)err);
        CloseHandle(pipe);
        return 1;
    }
    printf("(%lu bytes)\n", (unsigned long)total);
    CloseHandle(pipe);
    return 0;
}
