/* npipe_client_seed.c — the seed document's named-pipe client loop, made whole: try to open the
 * pipe, wait for it while it is busy, and once it is open read until the server closes it
 * (ERROR_BROKEN_PIPE), copying what arrives to standard output.
 *
 *   npipe_client_seed [PIPENAME]      default \\.\pipe\w32ipc-example
 *
 * Pair it with npipe_server_seed (same PIPENAME); start either first: the client retries for 30 s
 * while the pipe does not exist yet. Build on Linux:
 *   cargo build --release -p w32ipc-capi && scripts/write-pkg-config
 *   export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   cc crates/w32ipc-capi/examples/npipe_client_seed.c $(pkg-config --cflags --libs w32ipc) -o npipe_client_seed
 *
 * Differences from the seed's fragment: the seed asks GENERIC_READ | GENERIC_WRITE, but its server
 * is write-only (PIPE_ACCESS_OUTBOUND), and a client asking for write access to an outbound pipe is
 * refused with ERROR_ACCESS_DENIED, so this client asks GENERIC_READ. The seed's loop also shows a
 * message box when the handle *is* valid; here a valid handle ends the loop and the reading starts.
 */
#include <windows.h>
#include <stdio.h>

#define DEFAULT_PIPE "\\\\.\\pipe\\w32ipc-example"

int main(int argc, char **argv)
{
    LPCSTR lpszPipename = argc > 1 ? argv[1] : DEFAULT_PIPE;
    HANDLE hPipe;
    char buf[512];
    DWORD n, err, total = 0;
    int missing = 0;

    /* Try to open the named pipe for reading; wait for it, if necessary. */
    for (;;) {
        hPipe = CreateFileA(lpszPipename, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);

        /* Break if the pipe handle is valid. */
        if (hPipe != INVALID_HANDLE_VALUE)
            break;

        err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND && ++missing <= 300) {
            Sleep(100); /* no server yet: try again for up to 30 s */
            continue;
        }
        if (err != ERROR_PIPE_BUSY) {
            fprintf(stderr, "could not open %s: error %lu\n", lpszPipename, (unsigned long)err);
            return 1;
        }
        /* All instances are busy: wait up to 20 s for one. */
        if (!WaitNamedPipeA(lpszPipename, 20000)) {
            fprintf(stderr, "could not open %s: no instance became free in 20 s\n", lpszPipename);
            return 1;
        }
    }
    fprintf(stderr, "client: connected to %s\n", lpszPipename);

    /* Read until the server closes its end. */
    while (ReadFile(hPipe, buf, sizeof buf, &n, NULL)) {
        fwrite(buf, 1, n, stdout);
        total += n;
    }
    err = GetLastError();
    fflush(stdout);
    if (err == ERROR_BROKEN_PIPE)
        fprintf(stderr, "client: the server closed the pipe after %lu bytes\n", (unsigned long)total);
    else
        fprintf(stderr, "client: ReadFile failed: error %lu\n", (unsigned long)err);
    CloseHandle(hPipe);
    return err == ERROR_BROKEN_PIPE ? 0 : 1;
}
