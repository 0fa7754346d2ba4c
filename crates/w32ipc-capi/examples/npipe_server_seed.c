/* npipe_server_seed.c — the seed document's named-pipe server, made whole: ONE instance, write
 * access only (PIPE_ACCESS_OUTBOUND), bytes, no waiting (PIPE_TYPE_BYTE | PIPE_NOWAIT). As a
 * no-wait server it polls ConnectNamedPipe until a client has opened the pipe, writes a few lines,
 * and closes its handle; the client reads them and then sees ERROR_BROKEN_PIPE.
 *
 *   npipe_server_seed [PIPENAME [LINES]]      default \\.\pipe\w32ipc-example, 5 lines
 *
 * Pair it with npipe_client_seed (same PIPENAME). Build on Linux:
 *   cargo build --release -p w32ipc-capi && scripts/write-pkg-config
 *   export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   cc crates/w32ipc-capi/examples/npipe_server_seed.c $(pkg-config --cflags --libs w32ipc) -o npipe_server_seed
 * The same source builds for Windows (x86_64-w64-mingw32-gcc npipe_server_seed.c -o npipe_server_seed.exe).
 *
 * Differences from the seed's fragment: the name comes from the command line (the seed's literal
 * "\\.\pipe\ipcdemo" is not a valid C string for that name: written in C it is "\\\\.\\pipe\\ipcdemo"),
 * and the buffer sizes are 4096 instead of 0. Windows treats the sizes as advisory and still
 * buffers with 0, as w32ipc does, but Wine writes nothing to a no-wait pipe with zero sizes.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PIPE "\\\\.\\pipe\\w32ipc-example"

/* Write all of `text` to a no-wait pipe: a no-wait write may take only what fits in the buffer. */
static BOOL write_all(HANDLE pipe, const char *text)
{
    DWORD len = (DWORD)strlen(text), done = 0, n;
    int idle = 0;
    while (done < len) {
        if (!WriteFile(pipe, text + done, len - done, &n, NULL))
            return FALSE;
        done += n;
        if (n == 0) {
            if (++idle > 1000) { /* 10 s without progress: the client is not reading */
                SetLastError(ERROR_TIMEOUT);
                return FALSE;
            }
            Sleep(10);
        } else {
            idle = 0;
        }
    }
    return TRUE;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : DEFAULT_PIPE;
    int lines = argc > 2 ? atoi(argv[2]) : 5, i;
    HANDLE m_hPipe;
    char line[128];
    DWORD err;

    /*
     * Create a named pipe.
     */
    m_hPipe = CreateNamedPipeA(name,                         /* pipe name */
                               PIPE_ACCESS_OUTBOUND,         /* write access only */
                               PIPE_TYPE_BYTE | PIPE_NOWAIT, /* write bytes, no waiting */
                               1,                            /* one instance at a time, please */
                               4096,                         /* output buffer size (bytes) */
                               4096,                         /* input buffer size (bytes) */
                               0,                            /* time-out value: the default, 50 ms */
                               NULL);                        /* default security descriptor */

    /*
     * Check for failures.
     */
    if (m_hPipe == INVALID_HANDLE_VALUE) {
        MessageBoxA(NULL, "Unable to create a named pipe.", "Error", MB_OK | MB_ICONSTOP);
        fprintf(stderr, "CreateNamedPipe(%s) failed: error %lu\n", name, (unsigned long)GetLastError());
        return 1;
    }
    if (m_hPipe == NULL) { /* only Windows 9x did this; kept from the seed */
        MessageBoxA(NULL, "Older Windows versions don't support named pipe servers. "
                          "This application must be run under at least Windows NT.",
                    "Error", MB_OK | MB_ICONSTOP);
        return 1;
    }
    printf("server: %s created, waiting for a client\n", name);
    fflush(stdout);

    /*
     * No-wait mode: ConnectNamedPipe returns at once, ERROR_PIPE_LISTENING until a client came.
     */
    for (;;) {
        if (ConnectNamedPipe(m_hPipe, NULL))
            break;
        err = GetLastError();
        if (err == ERROR_PIPE_CONNECTED)
            break;
        if (err != ERROR_PIPE_LISTENING) {
            fprintf(stderr, "ConnectNamedPipe failed: error %lu\n", (unsigned long)err);
            CloseHandle(m_hPipe);
            return 1;
        }
        Sleep(50);
    }
    printf("server: a client connected\n");

    for (i = 1; i <= lines; i++) {
        snprintf(line, sizeof line, "line %d of %d from the seed's server\n", i, lines);
        if (!write_all(m_hPipe, line)) {
            fprintf(stderr, "WriteFile failed: error %lu\n", (unsigned long)GetLastError());
            break;
        }
    }
    printf("server: %d lines written, closing the pipe\n", lines);
    /* Closing (not DisconnectNamedPipe) leaves the written data readable by the client. */
    CloseHandle(m_hPipe);
    return 0;
}
