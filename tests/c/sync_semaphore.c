/*
 * sync_semaphore.c — semaphores: counts, ERROR_TOO_MANY_POSTS, invalid parameters, names.
 *
 * Covers: each wait takes one unit, a wait on 0 times out; ReleaseSemaphore adds its count and
 * reports the count before it (lpPreviousCount, which may be NULL); a release past the maximum fails
 * with ERROR_TOO_MANY_POSTS (298), adds nothing and leaves lpPreviousCount untouched; counts up to
 * 0x7FFFFFFF; CreateSemaphoreA/W with initial > maximum, negative counts or a maximum of 0:
 * ERROR_INVALID_PARAMETER (87), and nothing is created under the name; a release of n wakes n
 * waiting threads; named semaphores: create-on-existing keeps the first one's count and maximum
 * (invalid counts still fail), OpenSemaphoreA/W, NULL/empty/missing names, access masks; a child
 * process releasing units of a named semaphore the parent is blocked on.
 *
 * Releases of 0 and of negative counts are in sync_wine_deviations.c: Wine is not Windows there.
 */
#include "w32sync.h"

#define SENTINEL 77

static LONG prev;

static void release(const char *label, HANDLE s, LONG n)
{
    char full[160];
    prev = SENTINEL;
    snprintf(full, sizeof full, "%s: ReleaseSemaphore(%ld)", label, (long)n);
    S_BOOL(full, ReleaseSemaphore(s, n, &prev));
    printf("  lpPreviousCount: %ld%s\n", (long)prev, prev == SENTINEL ? " (untouched)" : "");
}

/* How many units the semaphore holds now: takes them all with time-out 0, then gives them back. */
static void show_count(const char *label, HANDLE s)
{
    LONG n = 0;
    while (n < 100 && WaitForSingleObject(s, 0) == WAIT_OBJECT_0)
        n++;
    printf("%s: count %ld\n", label, (long)n);
    if (n > 0)
        ReleaseSemaphore(s, n, NULL);
}

struct waiter {
    HANDLE sem, done;
    DWORD result;
};

static DWORD WINAPI waiter_main(LPVOID arg)
{
    struct waiter *w = (struct waiter *)arg;
    w->result = WaitForSingleObject(w->sem, INFINITE);
    SetEvent(w->done);
    return 0;
}

static int count_done(struct waiter *w, int n)
{
    int i, c = 0;
    for (i = 0; i < n; i++)
        c += WaitForSingleObject(w[i].done, 0) == WAIT_OBJECT_0;
    return c;
}

static int release_child(char **argv)
{
    /* argv: release-child <pipe> <semaphore name> <event name> */
    HANDLE s = OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, argv[3]);
    HANDLE taken = OpenEventA(SYNCHRONIZE, FALSE, argv[4]);
    LONG p = SENTINEL;
    BOOL ok;
    s_child_init(argv);
    s_report("OpenSemaphoreA: %s, OpenEventA: %s\n", s ? "handle" : "NULL", taken ? "handle" : "NULL");
    ok = ReleaseSemaphore(s, 3, &p);
    s_report("ReleaseSemaphore(3): %s lpPreviousCount=%ld\n", ok ? "TRUE" : "FALSE", (long)p);
    s_report("the parent took one: %s\n", s_waitname(WaitForSingleObject(taken, 20000)));
    p = SENTINEL;
    ok = ReleaseSemaphore(s, 2, &p);
    s_report("ReleaseSemaphore(2): %s lpPreviousCount=%ld\n", ok ? "TRUE" : "FALSE", (long)p);
    p = SENTINEL;
    SetLastError(0);
    ok = ReleaseSemaphore(s, 1, &p);
    s_report("ReleaseSemaphore(1): %s error=%u lpPreviousCount=%ld\n", ok ? "TRUE" : "FALSE",
             (unsigned)GetLastError(), (long)p);
    s_report("wait 0: %s\n", s_waitname(WaitForSingleObject(s, 0)));
    return 0;
}

int main(int argc, char **argv)
{
    HANDLE s, s2, taken, threads[3], reports;
    struct waiter wt[3];
    PROCESS_INFORMATION pi;
    char name[160], args[400];
    int i, tries;
    static const LONG bad[][2] = { { 4, 3 }, { -1, 3 }, { 0, 0 }, { 0, -1 }, { -1, -1 }, { 1, 0 },
                                   { (LONG)0x80000000, 1 } };
    static const LONG good[][2] = { { 0, 1 }, { 3, 3 }, { 0, 0x7FFFFFFF }, { 0x7FFFFFFF, 0x7FFFFFFF } };

    if (argc >= 5 && strcmp(argv[1], "release-child") == 0)
        return release_child(argv);

    t_init();

    printf("-- counts\n");
    S_HANDLE("CreateSemaphoreA(2, 3)", s, CreateSemaphoreA(NULL, 2, 3, NULL));
    S_WAIT("wait 0", WaitForSingleObject(s, 0));
    S_WAIT("wait 0", WaitForSingleObject(s, 0));
    S_WAIT("wait 0 (count 0)", WaitForSingleObject(s, 0));
    S_WAIT("wait 50 ms (count 0)", WaitForSingleObject(s, 50));
    release("at 0", s, 1);
    release("at 1", s, 2);
    release("at 3 (the maximum)", s, 1);
    show_count("after a refused release", s);
    S_WAIT("wait INFINITE", WaitForSingleObject(s, INFINITE));
    release("at 2", s, 2);
    S_WAIT("wait 0", WaitForSingleObject(s, 0));
    S_WAIT("wait 0", WaitForSingleObject(s, 0));
    S_WAIT("wait 0", WaitForSingleObject(s, 0));
    release("at 0", s, 4);
    show_count("after a refused release of 4", s);
    S_BOOL("ReleaseSemaphore(3, NULL)", ReleaseSemaphore(s, 3, NULL));
    show_count("after releasing 3", s);
    S_BOOL("ReleaseSemaphore(1, NULL) at the maximum", ReleaseSemaphore(s, 1, NULL));
    CloseHandle(s);

    printf("-- large counts\n");
    S_HANDLE("CreateSemaphoreA(0, 0x7FFFFFFF)", s, CreateSemaphoreA(NULL, 0, 0x7FFFFFFF, NULL));
    release("at 0", s, 0x7FFFFFFF);
    release("at 0x7FFFFFFF", s, 1);
    S_WAIT("wait 0", WaitForSingleObject(s, 0));
    release("at 0x7FFFFFFE", s, 1);
    release("at 0x7FFFFFFF", s, 0x7FFFFFFF);
    CloseHandle(s);
    S_HANDLE("CreateSemaphoreA(5, 0x7FFFFFFF)", s, CreateSemaphoreA(NULL, 5, 0x7FFFFFFF, NULL));
    release("at 5", s, 0x7FFFFFFF - 5);
    release("at 0x7FFFFFFF", s, 0x7FFFFFFF);
    CloseHandle(s);

    printf("-- create parameters\n");
    for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
        char label[120];
        snprintf(label, sizeof label, "CreateSemaphoreA(%ld, %ld)", (long)bad[i][0], (long)bad[i][1]);
        S_HANDLE(label, s, CreateSemaphoreA(NULL, bad[i][0], bad[i][1], NULL));
        if (s)
            CloseHandle(s);
        snprintf(label, sizeof label, "CreateSemaphoreW(%ld, %ld, name)", (long)bad[i][0], (long)bad[i][1]);
        S_HANDLE(label, s, CreateSemaphoreW(NULL, bad[i][0], bad[i][1], s_wide(s_name("sem-bad"))));
        if (s)
            CloseHandle(s);
    }
    S_HANDLE("OpenSemaphoreA(the name the invalid creates used)", s,
             OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, s_name("sem-bad")));
    for (i = 0; i < (int)(sizeof good / sizeof good[0]); i++) {
        char label[120];
        snprintf(label, sizeof label, "CreateSemaphoreA(%ld, %ld)", (long)good[i][0], (long)good[i][1]);
        S_HANDLE(label, s, CreateSemaphoreA(NULL, good[i][0], good[i][1], NULL));
        if (s)
            CloseHandle(s);
    }

    printf("-- waiting threads\n");
    S_HANDLE("CreateSemaphoreA(0, 5)", s, CreateSemaphoreA(NULL, 0, 5, NULL));
    for (i = 0; i < 3; i++) {
        wt[i].sem = s;
        wt[i].done = CreateEventA(NULL, TRUE, FALSE, NULL);
        wt[i].result = SENTINEL;
        threads[i] = s_thread(waiter_main, &wt[i], 0, NULL);
    }
    Sleep(100);
    printf("3 waiters, count 0: released %d\n", count_done(wt, 3));
    release("3 waiters", s, 2);
    for (tries = 0; tries < 1000 && count_done(wt, 3) < 2; tries++)
        Sleep(10);
    Sleep(200);
    printf("released after a release of 2: %d\n", count_done(wt, 3));
    show_count("units left", s);
    release("1 waiter", s, 1);
    for (i = 0; i < 3; i++) {
        DWORD code = s_join(threads[i]);
        printf("waiter %d: exit code %u, wait %s\n", i, (unsigned)code, s_waitname(wt[i].result));
        CloseHandle(wt[i].done);
    }
    show_count("units left", s);
    CloseHandle(s);

    printf("-- named semaphores\n");
    snprintf(name, sizeof name, "%s", s_name("sem-a"));
    S_HANDLE("CreateSemaphoreA(1, 5, name)", s, CreateSemaphoreA(NULL, 1, 5, name));
    S_HANDLE("CreateSemaphoreA(3, 10, same name)", s2, CreateSemaphoreA(NULL, 3, 10, name));
    show_count("through the second handle: the first one's count", s2);
    release("second handle, at 1", s2, 4);
    release("second handle, at 5: the first one's maximum", s2, 1);
    release("first handle, at 5", s, 1);
    S_WAIT("wait 0, first handle", WaitForSingleObject(s, 0));
    show_count("seen through the second handle", s2);
    CloseHandle(s2);
    S_HANDLE("CreateSemaphoreA(4, 3, same name): invalid", s2, CreateSemaphoreA(NULL, 4, 3, name));
    S_HANDLE("CreateSemaphoreW(0, 1, same name)", s2, CreateSemaphoreW(NULL, 0, 1, s_wide(name)));
    CloseHandle(s2);
    S_HANDLE("OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, name)", s2, OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, name));
    release("opened handle, at 4", s2, 1);
    show_count("seen through the first handle", s);
    CloseHandle(s2);
    S_HANDLE("OpenSemaphoreW(SEMAPHORE_ALL_ACCESS, name)", s2, OpenSemaphoreW(SEMAPHORE_ALL_ACCESS, FALSE, s_wide(name)));
    CloseHandle(s2);
    S_HANDLE("OpenSemaphoreA(SYNCHRONIZE, name)", s2, OpenSemaphoreA(SYNCHRONIZE, FALSE, name));
    S_WAIT("wait 0 through it", WaitForSingleObject(s2, 0));
    release("SYNCHRONIZE handle", s2, 1);
    CloseHandle(s2);
    S_HANDLE("OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, name)", s2, OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, name));
    S_WAIT("wait 0 through it", WaitForSingleObject(s2, 0));
    CloseHandle(s2);
    S_HANDLE("OpenSemaphoreA(missing name)", s2, OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, s_name("sem-missing")));
    S_HANDLE("OpenSemaphoreA(NULL)", s2, OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, NULL));
    S_HANDLE("OpenSemaphoreW(NULL)", s2, OpenSemaphoreW(SEMAPHORE_ALL_ACCESS, FALSE, NULL));
    S_HANDLE("OpenSemaphoreA(\"\")", s2, OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, ""));
    CloseHandle(s);
    S_HANDLE("OpenSemaphoreA(name) after the last handle closed", s2, OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, name));

    printf("-- across processes\n");
    snprintf(name, sizeof name, "%s", s_name("sem-x"));
    S_HANDLE("CreateSemaphoreA(0, 4, name)", s, CreateSemaphoreA(NULL, 0, 4, name));
    taken = CreateEventA(NULL, TRUE, FALSE, s_name("sem-x-taken"));
    snprintf(args, sizeof args, "%s %s", name, s_name("sem-x-taken"));
    t_bool("CreateProcessA(release-child)", s_spawn("release-child", args, &pi, &reports));
    S_WAIT("wait INFINITE for the child's release", WaitForSingleObject(s, INFINITE));
    SetEvent(taken);
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    s_print_reports(reports);
    show_count("units left", s);
    CloseHandle(taken);
    CloseHandle(s);
    return 0;
}
