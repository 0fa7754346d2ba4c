// w32ipc-test: linux-only
/*
 * pipe_null_args.c — CreatePipe with a NULL handle pointer.
 *
 * Windows and Wine both fault here (Wine 8: "page fault on write access to 0x0" inside CreatePipe),
 * so there is no oracle output: libw32ipc returns FALSE with ERROR_NOACCESS instead of crashing, and
 * creates nothing. The test checks itself (exit 0 when all is as expected) and its output is also
 * compared with tests/c/expected/pipe_null_args.txt.
 */
#include "w32test.h"

int main(void)
{
    HANDLE r = (HANDLE)(ULONG_PTR)0x77, w = (HANDLE)(ULONG_PTR)0x77;
    int failures = 0;
    BOOL ok;

    t_init();

    SetLastError(0);
    ok = CreatePipe(NULL, &w, NULL, 0);
    t_bool("CreatePipe(NULL, &w)", ok);
    failures += ok || GetLastError() != ERROR_NOACCESS;
    t_yesno("write handle left untouched", w == (HANDLE)(ULONG_PTR)0x77);
    failures += w != (HANDLE)(ULONG_PTR)0x77;

    SetLastError(0);
    ok = CreatePipe(&r, NULL, NULL, 0);
    t_bool("CreatePipe(&r, NULL)", ok);
    failures += ok || GetLastError() != ERROR_NOACCESS;
    t_yesno("read handle left untouched", r == (HANDLE)(ULONG_PTR)0x77);
    failures += r != (HANDLE)(ULONG_PTR)0x77;

    SetLastError(0);
    ok = CreatePipe(NULL, NULL, NULL, 0);
    t_bool("CreatePipe(NULL, NULL)", ok);
    failures += ok || GetLastError() != ERROR_NOACCESS;

    /* And a normal call still works afterwards. */
    ok = CreatePipe(&r, &w, NULL, 0);
    t_bool("CreatePipe(&r, &w)", ok);
    failures += !ok;
    if (ok) {
        CloseHandle(r);
        CloseHandle(w);
    }
    printf("%s\n", failures ? "FAILED" : "all as expected");
    return failures ? 1 : 0;
}
