// w32ipc-test: linux-only
/*
 * npipe_wine_deviations.c — named-pipe behaviour where Wine 8 is not Windows, so Wine cannot be
 * the oracle: the expected lines (tests/c/expected/npipe_wine_deviations.txt) are written by hand
 * from Microsoft's documentation, and the test checks itself (exit 0 when every result is as on
 * Windows).
 *
 * - ConnectNamedPipe in no-wait mode "returns a nonzero value the first time it is called for a
 *   pipe instance that is disconnected from a previous client", and fails with ERROR_NO_DATA
 *   "if a previous client has closed its pipe handle but the server has not disconnected"
 *   (ConnectNamedPipe, Remarks). Wine 8 reports ERROR_PIPE_LISTENING after a disconnect.
 * - FILE_FLAG_FIRST_PIPE_INSTANCE on a name that has an instance: ERROR_ACCESS_DENIED
 *   (CreateNamedPipe, dwOpenMode). Wine 8 creates the instance.
 * - nMaxInstances must be 1 through PIPE_UNLIMITED_INSTANCES (255): 0, 256 and 0xFFFFFFFF are
 *   ERROR_INVALID_PARAMETER. Wine 8 accepts them.
 * - SetNamedPipeHandleState with mode bits other than PIPE_READMODE_* / PIPE_*WAIT:
 *   ERROR_INVALID_PARAMETER.
 * - CancelIoEx with nothing to cancel: FALSE, ERROR_NOT_FOUND (CancelIoEx, Return value). Wine 8
 *   returns TRUE.
 */
#include "w32npipe.h"

static int failures;

static void expect(const char *label, BOOL ok, BOOL want_ok, DWORD want_error)
{
    DWORD e = GetLastError();
    p_bool(label, ok);
    if (!ok != !want_ok || (!ok && e != want_error))
        failures++;
}

static void expect_handle(const char *label, HANDLE h, DWORD want_error)
{
    DWORD e = GetLastError();
    p_handle(label, h);
    if (want_error == 0 ? h == INVALID_HANDLE_VALUE : (h != INVALID_HANDLE_VALUE || e != want_error))
        failures++;
}

int main(void)
{
    HANDLE s, c, s2;
    DWORD mode;
    t_init();

    printf("-- no-wait ConnectNamedPipe\n");
    const char *name = p_name("dev-nowait");
    s = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_NOWAIT, 1, 4096, 4096, 0, NULL);
    expect_handle("CreateNamedPipeA(NOWAIT)", s, 0);
    c = p_open(name, GENERIC_READ | GENERIC_WRITE);
    expect_handle("CreateFileA", c, 0);
    expect("ConnectNamedPipe with a client", ConnectNamedPipe(s, NULL), FALSE, ERROR_PIPE_CONNECTED);
    CloseHandle(c);
    expect("ConnectNamedPipe after the client closed", ConnectNamedPipe(s, NULL), FALSE, ERROR_NO_DATA);
    expect("DisconnectNamedPipe", DisconnectNamedPipe(s), TRUE, 0);
    expect("ConnectNamedPipe right after the disconnect", ConnectNamedPipe(s, NULL), TRUE, 0);
    expect("ConnectNamedPipe again", ConnectNamedPipe(s, NULL), FALSE, ERROR_PIPE_LISTENING);
    c = p_open(name, GENERIC_READ | GENERIC_WRITE);
    expect_handle("a new client", c, 0);
    expect("ConnectNamedPipe with the new client", ConnectNamedPipe(s, NULL), FALSE, ERROR_PIPE_CONNECTED);
    CloseHandle(c);
    CloseHandle(s);

    printf("-- CreateNamedPipe\n");
    name = p_name("dev-first");
    s = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 4, 4096, 4096, 0, NULL);
    expect_handle("first instance", s, 0);
    s2 = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_BYTE, 4, 4096, 4096, 0, NULL);
    expect_handle("FILE_FLAG_FIRST_PIPE_INSTANCE on an existing name", s2, ERROR_ACCESS_DENIED);
    p_close(s2);
    CloseHandle(s);
    static const DWORD bad[] = {0, 256, 0xFFFFFFFF};
    for (int i = 0; i < 3; i++) {
        char label[64];
        snprintf(label, sizeof label, "nMaxInstances %lu", (unsigned long)bad[i]);
        s = CreateNamedPipeA(p_name("dev-max"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, bad[i], 4096, 4096, 0, NULL);
        expect_handle(label, s, ERROR_INVALID_PARAMETER);
        p_close(s);
    }

    printf("-- SetNamedPipeHandleState\n");
    name = p_name("dev-state");
    s = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, NULL);
    expect_handle("CreateNamedPipeA(MESSAGE, OVERLAPPED)", s, 0);
    mode = 0x10;
    expect("mode 0x10", SetNamedPipeHandleState(s, &mode, NULL, NULL), FALSE, ERROR_INVALID_PARAMETER);
    mode = PIPE_READMODE_MESSAGE | 0x100;
    expect("mode PIPE_READMODE_MESSAGE|0x100", SetNamedPipeHandleState(s, &mode, NULL, NULL), FALSE, ERROR_INVALID_PARAMETER);

    printf("-- CancelIoEx\n");
    expect("CancelIoEx(h, NULL) with nothing pending", CancelIoEx(s, NULL), FALSE, ERROR_NOT_FOUND);
    CloseHandle(s);

    printf("%s\n", failures ? "FAILURES" : "all as on Windows");
    return failures ? 1 : 0;
}
