// w32ipc-test: linux-only
/*
 * sync_wine_deviations.c — waits and releases where Wine 8 is not Windows, so Wine cannot be the
 * oracle: the expected lines (tests/c/expected/sync_wine_deviations.txt) are written by hand from
 * Windows' behaviour, and the test checks itself (exit 0 when every line is as on Windows).
 *
 * - Pseudo-handles (GetCurrentProcess(), GetCurrentThread()) in WaitForMultipleObjects: Windows
 *   fails with WAIT_FAILED and ERROR_INVALID_HANDLE (the pseudo-handles are only understood by
 *   WaitForSingleObject); Wine waits on them.
 * - The same object twice in a wait-all (the same handle value, or two handles to one object):
 *   Windows fails with ERROR_INVALID_PARAMETER (STATUS_INVALID_PARAMETER_MIX; Raymond Chen, "The Old
 *   New Thing"); Wine does not check.
 * - ReleaseSemaphore with lReleaseCount 0 or negative: the documentation says the value "must be
 *   greater than zero"; Windows (NtReleaseSemaphore) fails with ERROR_INVALID_PARAMETER and changes
 *   nothing; Wine accepts 0 (a no-op that reports the count) and fails negative counts with
 *   ERROR_TOO_MANY_POSTS, as it takes the count as unsigned.
 */
#include "w32sync.h"

static int failures;

static void expect_wait(const char *label, DWORD r, DWORD want, DWORD want_error)
{
    DWORD e = GetLastError();
    if (r == WAIT_FAILED)
        printf("%s: %s error=%u %s\n", label, s_waitname(r), (unsigned)e, s_errname(e));
    else
        printf("%s: %s\n", label, s_waitname(r));
    if (r != want || (want == WAIT_FAILED && e != want_error))
        failures++;
}

static void expect_release(const char *label, HANDLE s, LONG n)
{
    LONG prev = 77;
    BOOL ok;
    DWORD e;
    SetLastError(0xDEAD);
    ok = ReleaseSemaphore(s, n, &prev);
    e = GetLastError();
    printf("%s: %s", label, ok ? "TRUE" : "FALSE");
    s_err(e);
    printf("  lpPreviousCount: %ld%s\n", (long)prev, prev == 77 ? " (untouched)" : "");
    if (ok || e != ERROR_INVALID_PARAMETER || prev != 77)
        failures++;
}

int main(void)
{
    HANDLE ev, dup, s, h[3];
    LONG n;

    t_init();

    printf("-- pseudo-handles in WaitForMultipleObjects\n");
    ev = CreateEventA(NULL, TRUE, TRUE, NULL);
    h[0] = ev;
    h[1] = GetCurrentProcess();
    expect_wait("{set event, GetCurrentProcess()}, any", WaitForMultipleObjects(2, h, FALSE, 0), WAIT_FAILED,
                ERROR_INVALID_HANDLE);
    expect_wait("{set event, GetCurrentProcess()}, all", WaitForMultipleObjects(2, h, TRUE, 0), WAIT_FAILED,
                ERROR_INVALID_HANDLE);
    h[1] = GetCurrentThread();
    expect_wait("{set event, GetCurrentThread()}, any", WaitForMultipleObjects(2, h, FALSE, 0), WAIT_FAILED,
                ERROR_INVALID_HANDLE);
    h[0] = GetCurrentProcess();
    expect_wait("{GetCurrentProcess()}, any", WaitForMultipleObjects(1, h, FALSE, 0), WAIT_FAILED, ERROR_INVALID_HANDLE);
    expect_wait("WaitForSingleObject(GetCurrentProcess(), 0) works", WaitForSingleObject(GetCurrentProcess(), 0),
                WAIT_TIMEOUT, 0);
    expect_wait("WaitForSingleObject(GetCurrentThread(), 0) works", WaitForSingleObject(GetCurrentThread(), 0),
                WAIT_TIMEOUT, 0);

    printf("-- the same object twice in a wait-all\n");
    h[0] = ev;
    h[1] = ev;
    expect_wait("{event, same handle}, all", WaitForMultipleObjects(2, h, TRUE, 0), WAIT_FAILED, ERROR_INVALID_PARAMETER);
    DuplicateHandle(GetCurrentProcess(), ev, GetCurrentProcess(), &dup, 0, FALSE, DUPLICATE_SAME_ACCESS);
    h[1] = dup;
    expect_wait("{event, duplicate of it}, all", WaitForMultipleObjects(2, h, TRUE, 0), WAIT_FAILED,
                ERROR_INVALID_PARAMETER);
    s = CreateSemaphoreA(NULL, 2, 5, NULL);
    h[0] = s;
    h[1] = ev;
    h[2] = s;
    expect_wait("{semaphore 2, event, same semaphore}, all", WaitForMultipleObjects(3, h, TRUE, 0), WAIT_FAILED,
                ERROR_INVALID_PARAMETER);
    for (n = 0; n < 10 && WaitForSingleObject(s, 0) == WAIT_OBJECT_0; n++)
        ;
    printf("semaphore count after: %ld\n", (long)n);
    failures += n != 2;
    ReleaseSemaphore(s, n, NULL);

    printf("-- ReleaseSemaphore with a count that is not positive\n");
    expect_release("ReleaseSemaphore(0) at 2", s, 0);
    expect_release("ReleaseSemaphore(-1) at 2", s, -1);
    expect_release("ReleaseSemaphore(-2147483648) at 2", s, (LONG)0x80000000);
    for (n = 0; n < 10 && WaitForSingleObject(s, 0) == WAIT_OBJECT_0; n++)
        ;
    printf("semaphore count after: %ld\n", (long)n);
    failures += n != 2;

    CloseHandle(s);
    CloseHandle(dup);
    CloseHandle(ev);
    printf("%s\n", failures ? "FAILED" : "all as expected");
    return failures ? 1 : 0;
}
