/*
 * sync_wait.c — WaitForSingleObject(Ex), WaitForMultipleObjects(Ex), SignalObjectAndWait.
 *
 * Covers: wait-any returns the lowest signalled index and consumes only that object (auto-reset
 * events, semaphores, mutexes); wait-all takes all or none: a semaphore with count 1 and an
 * unsignalled event time out and the semaphore keeps its unit, a wait-all completed by another
 * thread consumes every object; 64 handles (MAXIMUM_WAIT_OBJECTS), 65 and 0 handles
 * (ERROR_INVALID_PARAMETER); NULL and closed handles in the array (ERROR_INVALID_HANDLE, nothing
 * consumed); time-outs of 0 and 1 ms; the Ex variants with bAlertable TRUE and no APC queued;
 * SignalObjectAndWait with an event, a semaphore and an owned mutex to signal, a non-owned mutex
 * (WAIT_FAILED, ERROR_NOT_OWNER), a full semaphore (ERROR_TOO_MANY_POSTS), handles that cannot be
 * signalled, a ping-pong between two threads; across processes: a ping-pong over named auto-reset
 * events with a child, an inherited unnamed event set by a child, and a child process handle and
 * an event in one wait.
 *
 * Pseudo-handles in WaitForMultipleObjects and the same object twice in a wait-all are left out:
 * Wine is not Windows there (sync_wine_deviations.c has them).
 */
#include "w32sync.h"

#define ROUNDS 200

static HANDLE g_a, g_b;
static LONG g_rounds;

/* Thread: set g_a after 100 ms. */
static DWORD WINAPI set_later(LPVOID arg)
{
    (void)arg;
    Sleep(100);
    SetEvent(g_a);
    return 0;
}

/* Thread: take g_a (a mutex), say so through g_b, hold it until the "arg" event is set. */
static DWORD WINAPI hold_mutex(LPVOID arg)
{
    WaitForSingleObject(g_a, INFINITE);
    SetEvent(g_b);
    WaitForSingleObject((HANDLE)arg, INFINITE);
    ReleaseMutex(g_a);
    return 0;
}

/* Thread: wait 0 on g_a (a mutex), release it if taken, return the wait result. */
static DWORD WINAPI try_take(LPVOID arg)
{
    DWORD r = WaitForSingleObject(g_a, 0);
    (void)arg;
    if (r == WAIT_OBJECT_0 || r == WAIT_ABANDONED)
        ReleaseMutex(g_a);
    return r;
}

/* Thread: ping-pong partner: wait on g_a, signal g_b and wait on g_a again, ROUNDS times. */
static DWORD WINAPI pong(LPVOID arg)
{
    int i;
    (void)arg;
    if (WaitForSingleObject(g_a, 10000) != WAIT_OBJECT_0)
        return 1;
    for (i = 0; i < ROUNDS; i++) {
        InterlockedIncrement(&g_rounds);
        if (i + 1 < ROUNDS) {
            if (SignalObjectAndWait(g_b, g_a, 10000, FALSE) != WAIT_OBJECT_0)
                return 2;
        } else {
            SetEvent(g_b);
        }
    }
    return 0;
}

/* A semaphore's count without changing it (0..99). */
static LONG sem_count(HANDLE s)
{
    LONG n = 0;
    while (n < 100 && WaitForSingleObject(s, 0) == WAIT_OBJECT_0)
        n++;
    if (n > 0)
        ReleaseSemaphore(s, n, NULL);
    return n;
}

static int pingpong_child(char **argv)
{
    /* argv: pingpong-child <pipe> <ping name> <pong name> */
    HANDLE ping = OpenEventA(SYNCHRONIZE, FALSE, argv[3]);
    HANDLE pongev = OpenEventA(EVENT_MODIFY_STATE, FALSE, argv[4]);
    int i, ok = 0;
    s_child_init(argv);
    s_report("OpenEventA(ping): %s, OpenEventA(pong): %s\n", ping ? "handle" : "NULL", pongev ? "handle" : "NULL");
    for (i = 0; i < ROUNDS; i++) {
        if (WaitForSingleObject(ping, 10000) != WAIT_OBJECT_0)
            break;
        ok++;
        SetEvent(pongev);
    }
    s_report("rounds: %d\n", ok);
    return 0;
}

static int set_child(char **argv)
{
    /* argv: set-child <pipe> <inherited event handle> */
    HANDLE ev = t_text_to_handle(argv[3]);
    s_child_init(argv);
    s_report("SetEvent(inherited handle): %s\n", SetEvent(ev) ? "TRUE" : "FALSE");
    return 0;
}

static int quit_child(char **argv)
{
    /* argv: quit-child <pipe> <quit event name> */
    HANDLE quit = OpenEventA(SYNCHRONIZE, FALSE, argv[3]);
    s_child_init(argv);
    s_report("wait for quit: %s\n", s_waitname(WaitForSingleObject(quit, 20000)));
    return 3;
}

int main(int argc, char **argv)
{
    HANDLE e[3], a[3], h[MAXIMUM_WAIT_OBJECTS + 1], s, m, ev, t, go, reports;
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    PROCESS_INFORMATION pi;
    char args[400], hs[24];
    LONG prev;
    int i, ok;

    if (argc >= 5 && strcmp(argv[1], "pingpong-child") == 0)
        return pingpong_child(argv);
    if (argc >= 4 && strcmp(argv[1], "set-child") == 0)
        return set_child(argv);
    if (argc >= 4 && strcmp(argv[1], "quit-child") == 0)
        return quit_child(argv);

    t_init();

    printf("-- wait-any\n");
    for (i = 0; i < 3; i++) {
        e[i] = CreateEventA(NULL, TRUE, FALSE, NULL);
        a[i] = CreateEventA(NULL, FALSE, FALSE, NULL);
    }
    S_WAIT("3 unsignalled, 0 ms", WaitForMultipleObjects(3, e, FALSE, 0));
    S_WAIT("3 unsignalled, 1 ms", WaitForMultipleObjects(3, e, FALSE, 1));
    S_WAIT("3 unsignalled, 50 ms", WaitForMultipleObjects(3, e, FALSE, 50));
    SetEvent(e[2]);
    S_WAIT("#2 set", WaitForMultipleObjects(3, e, FALSE, 0));
    SetEvent(e[1]);
    S_WAIT("#1 and #2 set", WaitForMultipleObjects(3, e, FALSE, 0));
    SetEvent(e[0]);
    S_WAIT("all set", WaitForMultipleObjects(3, e, FALSE, INFINITE));
    S_WAIT("all set, manual reset: again", WaitForMultipleObjects(3, e, FALSE, 0));
    SetEvent(a[1]);
    SetEvent(a[2]);
    S_WAIT("auto reset #1 and #2 set", WaitForMultipleObjects(3, a, FALSE, 0));
    S_WAIT("again: #1 was consumed, #2 was not", WaitForMultipleObjects(3, a, FALSE, 0));
    S_WAIT("again: nothing left", WaitForMultipleObjects(3, a, FALSE, 0));
    S_WAIT("WaitForMultipleObjectsEx(alertable), nothing set", WaitForMultipleObjectsEx(3, a, FALSE, 0, TRUE));
    SetEvent(a[0]);
    S_WAIT("WaitForMultipleObjectsEx(alertable), #0 set", WaitForMultipleObjectsEx(3, a, FALSE, 100, TRUE));

    s = CreateSemaphoreA(NULL, 1, 5, NULL);
    m = CreateMutexA(NULL, FALSE, NULL);
    h[0] = s;
    h[1] = e[0];
    S_WAIT("{semaphore 1, set event}", WaitForMultipleObjects(2, h, FALSE, 0));
    printf("semaphore count after: %ld\n", (long)sem_count(s));
    S_WAIT("{semaphore 0, set event}", WaitForMultipleObjects(2, h, FALSE, 0));
    h[0] = a[0];
    h[1] = m;
    h[2] = e[0];
    S_WAIT("{unsignalled event, free mutex, set event}", WaitForMultipleObjects(3, h, FALSE, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_WAIT("{free mutex, set event}", WaitForMultipleObjects(2, h + 1, FALSE, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    WaitForSingleObject(m, 0);
    S_WAIT("{mutex we own, set event}", WaitForMultipleObjects(2, h + 1, FALSE, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    h[0] = s;
    ReleaseSemaphore(s, 1, NULL);
    S_WAIT("{semaphore 1, free mutex, set event}", WaitForMultipleObjects(3, h, FALSE, 0));
    printf("semaphore count after: %ld\n", (long)sem_count(s));

    printf("-- wait-all\n");
    ResetEvent(e[0]);
    h[0] = s;
    h[1] = e[0];
    ReleaseSemaphore(s, 1, NULL);
    S_WAIT("{semaphore 1, unsignalled event}, 0 ms", WaitForMultipleObjects(2, h, TRUE, 0));
    S_WAIT("{semaphore 1, unsignalled event}, 100 ms", WaitForMultipleObjects(2, h, TRUE, 100));
    printf("semaphore count after the time-outs: %ld\n", (long)sem_count(s));
    S_WAIT("{semaphore 1, unsignalled event}, any", WaitForMultipleObjects(2, h, FALSE, 0));
    printf("semaphore count after wait-any: %ld\n", (long)sem_count(s));
    ReleaseSemaphore(s, 1, NULL);
    SetEvent(e[0]);
    S_WAIT("{semaphore 1, set manual event}", WaitForMultipleObjects(2, h, TRUE, 0));
    printf("semaphore count after: %ld, event: %s\n", (long)sem_count(s), s_poll(e[0]));
    ReleaseSemaphore(s, 1, NULL);
    h[1] = a[0];
    g_a = a[0];
    t = s_thread(set_later, NULL, 0, NULL);
    S_WAIT("{semaphore 1, auto event set by a thread after 100 ms}, INFINITE", WaitForMultipleObjects(2, h, TRUE, INFINITE));
    printf("semaphore count after: %ld, event: %s\n", (long)sem_count(s), s_poll(a[0]));
    s_join(t);
    ReleaseSemaphore(s, 1, NULL);
    SetEvent(a[0]);
    S_WAIT("{semaphore 1, set auto event}, WaitForMultipleObjectsEx(alertable)", WaitForMultipleObjectsEx(2, h, TRUE, 0, TRUE));
    printf("semaphore count after: %ld, event: %s\n", (long)sem_count(s), s_poll(a[0]));

    g_a = m;
    g_b = CreateEventA(NULL, FALSE, FALSE, NULL);
    go = CreateEventA(NULL, TRUE, FALSE, NULL);
    t = s_thread(hold_mutex, go, 0, NULL);
    WaitForSingleObject(g_b, INFINITE);
    SetEvent(a[0]);
    h[0] = a[0];
    h[1] = m;
    S_WAIT("{set auto event, mutex owned by another thread}, 100 ms", WaitForMultipleObjects(2, h, TRUE, 100));
    printf("the event was not consumed: %s\n", s_poll(a[0]));
    SetEvent(a[0]);
    SetEvent(go);
    S_WAIT("{set auto event, mutex released by its owner}, INFINITE", WaitForMultipleObjects(2, h, TRUE, INFINITE));
    s_join(t);
    S_WAIT("{unsignalled auto event, mutex we own}, 0 ms", WaitForMultipleObjects(2, h, TRUE, 0));
    SetEvent(a[0]);
    S_WAIT("{set auto event, mutex we own}: recursion", WaitForMultipleObjects(2, h, TRUE, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex (one too many)", ReleaseMutex(m));
    CloseHandle(go);
    CloseHandle(g_b);

    printf("-- 64 handles\n");
    for (i = 0; i < MAXIMUM_WAIT_OBJECTS + 1; i++)
        h[i] = CreateEventA(NULL, TRUE, FALSE, NULL);
    S_WAIT("64, none set, any", WaitForMultipleObjects(64, h, FALSE, 0));
    SetEvent(h[63]);
    S_WAIT("64, #63 set, any", WaitForMultipleObjects(64, h, FALSE, 0));
    S_WAIT("64, #63 set, all", WaitForMultipleObjects(64, h, TRUE, 0));
    for (i = 0; i < 63; i++)
        SetEvent(h[i]);
    S_WAIT("64, all set, all", WaitForMultipleObjects(64, h, TRUE, 0));
    ResetEvent(h[0]);
    S_WAIT("64, all but #0 set, any", WaitForMultipleObjects(64, h, FALSE, 0));
    S_WAIT("65, any", WaitForMultipleObjects(65, h, FALSE, 0));
    S_WAIT("65, all", WaitForMultipleObjects(65, h, TRUE, 0));
    S_WAIT("0 handles, any", WaitForMultipleObjects(0, h, FALSE, 0));
    S_WAIT("0 handles, all", WaitForMultipleObjects(0, h, TRUE, 0));
    S_WAIT("0xFFFFFFFF handles", WaitForMultipleObjects(0xFFFFFFFF, h, FALSE, 0));
    S_WAIT("WaitForMultipleObjectsEx, 65", WaitForMultipleObjectsEx(65, h, FALSE, 0, TRUE));
    for (i = 0; i < MAXIMUM_WAIT_OBJECTS + 1; i++)
        CloseHandle(h[i]);

    printf("-- bad handles in the array\n");
    SetEvent(a[0]);
    ReleaseSemaphore(s, 1, NULL);
    h[0] = a[0];
    h[1] = NULL;
    S_WAIT("{set auto event, NULL}, any", WaitForMultipleObjects(2, h, FALSE, 0));
    S_WAIT("{set auto event, NULL}, all", WaitForMultipleObjects(2, h, TRUE, 0));
    ev = CreateEventA(NULL, TRUE, TRUE, NULL);
    CloseHandle(ev);
    h[1] = s;
    h[2] = ev;
    S_WAIT("{set auto event, semaphore 1, closed handle}, any", WaitForMultipleObjects(3, h, FALSE, 0));
    S_WAIT("{set auto event, semaphore 1, closed handle}, all", WaitForMultipleObjects(3, h, TRUE, 0));
    printf("nothing consumed: event %s, semaphore count %ld\n", s_poll(a[0]), (long)sem_count(s));
    S_WAIT("WaitForSingleObject(NULL, 0)", WaitForSingleObject(NULL, 0));
    S_WAIT("WaitForSingleObject(closed handle, 0)", WaitForSingleObject(ev, 0));
    S_WAIT("WaitForSingleObjectEx(NULL, 0, TRUE)", WaitForSingleObjectEx(NULL, 0, TRUE));

    printf("-- single waits and time-outs\n");
    ResetEvent(e[1]);
    S_WAIT("WaitForSingleObject(unsignalled, 0)", WaitForSingleObject(e[1], 0));
    S_WAIT("WaitForSingleObject(unsignalled, 1)", WaitForSingleObject(e[1], 1));
    S_WAIT("WaitForSingleObjectEx(unsignalled, 1, TRUE)", WaitForSingleObjectEx(e[1], 1, TRUE));
    SetEvent(e[1]);
    S_WAIT("WaitForSingleObjectEx(set, INFINITE, TRUE)", WaitForSingleObjectEx(e[1], INFINITE, TRUE));
    S_WAIT("WaitForSingleObjectEx(semaphore 1, 0, FALSE)", WaitForSingleObjectEx(s, 0, FALSE));

    printf("-- SignalObjectAndWait\n");
    ResetEvent(e[0]);
    SetEvent(e[1]);
    S_WAIT("signal event #0, wait on set event #1", SignalObjectAndWait(e[0], e[1], 0, FALSE));
    printf("event #0 now: %s\n", s_poll(e[0]));
    ResetEvent(e[0]);
    ResetEvent(e[1]);
    S_WAIT("signal event #0, wait on unsignalled #1, 0 ms", SignalObjectAndWait(e[0], e[1], 0, FALSE));
    printf("event #0 was set all the same: %s\n", s_poll(e[0]));
    S_WAIT("signal event #1, wait on #1 itself", SignalObjectAndWait(e[1], e[1], 0, FALSE));
    S_WAIT("signal auto event, wait on it", SignalObjectAndWait(a[1], a[1], 0, FALSE));
    printf("auto event consumed by the wait: %s\n", s_poll(a[1]));
    S_WAIT("signal semaphore 0, wait on it", SignalObjectAndWait(s, s, 0, FALSE));
    printf("semaphore count after: %ld\n", (long)sem_count(s));
    ResetEvent(e[1]);
    S_WAIT("signal semaphore 0, wait on unsignalled event, 50 ms", SignalObjectAndWait(s, e[1], 50, FALSE));
    printf("semaphore count after: %ld\n", (long)sem_count(s));
    WaitForSingleObject(s, 0);
    S_WAIT("signal a mutex we do not own", SignalObjectAndWait(m, e[0], 0, FALSE));
    SetEvent(a[1]);
    S_WAIT("signal a mutex we do not own, wait on a set auto event", SignalObjectAndWait(m, a[1], 0, FALSE));
    printf("the auto event was not consumed: %s\n", s_poll(a[1]));
    WaitForSingleObject(m, 0);
    WaitForSingleObject(m, 0);
    S_WAIT("signal a mutex we own twice", SignalObjectAndWait(m, e[0], 0, FALSE));
    g_a = m;
    printf("another thread, wait 0 on it (still owned once): %s\n", s_waitname(s_join(s_thread(try_take, NULL, 0, NULL))));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex (one too many)", ReleaseMutex(m));
    printf("another thread, wait 0 on it (free): %s\n", s_waitname(s_join(s_thread(try_take, NULL, 0, NULL))));
    ReleaseSemaphore(s, 5, NULL);
    prev = 77;
    S_WAIT("signal a full semaphore", SignalObjectAndWait(s, e[0], 0, FALSE));
    ReleaseSemaphore(s, 1, &prev);
    printf("semaphore still full: %s\n", prev == 77 ? "yes" : "no");
    DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &t, 0, FALSE, DUPLICATE_SAME_ACCESS);
    S_WAIT("signal a thread handle", SignalObjectAndWait(t, e[0], 0, FALSE));
    S_WAIT("signal NULL", SignalObjectAndWait(NULL, e[0], 0, FALSE));
    ResetEvent(e[1]);
    S_WAIT("signal event #1, wait on NULL", SignalObjectAndWait(e[1], NULL, 0, FALSE));
    printf("event #1 after the failed call: %s\n", s_poll(e[1]));
    ResetEvent(e[1]);
    ev = CreateEventA(NULL, TRUE, TRUE, NULL);
    CloseHandle(ev);
    S_WAIT("signal event #1, wait on a closed handle", SignalObjectAndWait(e[1], ev, 0, FALSE));
    printf("event #1 after the failed call: %s\n", s_poll(e[1]));
    CloseHandle(t);
    SetEvent(e[0]);
    S_WAIT("signal an event, wait on a set one, alertable", SignalObjectAndWait(e[1], e[0], INFINITE, TRUE));

    g_a = CreateEventA(NULL, FALSE, FALSE, NULL);
    g_b = CreateEventA(NULL, FALSE, FALSE, NULL);
    g_rounds = 0;
    t = s_thread(pong, NULL, 0, NULL);
    ok = 0;
    for (i = 0; i < ROUNDS; i++)
        ok += SignalObjectAndWait(g_a, g_b, 10000, FALSE) == WAIT_OBJECT_0;
    printf("ping-pong between two threads: %d of %d rounds, partner counted %ld, partner exit code %u\n", ok, ROUNDS,
           (long)g_rounds, (unsigned)s_join(t));
    CloseHandle(g_a);
    CloseHandle(g_b);

    printf("-- across processes\n");
    g_a = CreateEventA(NULL, FALSE, FALSE, s_name("ping"));
    g_b = CreateEventA(NULL, FALSE, FALSE, s_name("pong"));
    snprintf(args, sizeof args, "%s %s", s_name("ping"), s_name("pong"));
    t_bool("CreateProcessA(pingpong-child)", s_spawn("pingpong-child", args, &pi, &reports));
    ok = 0;
    for (i = 0; i < ROUNDS; i++) {
        if (i % 2 == 0) {
            SetEvent(g_a);
            ok += WaitForSingleObject(g_b, 10000) == WAIT_OBJECT_0;
        } else {
            ok += SignalObjectAndWait(g_a, g_b, 10000, FALSE) == WAIT_OBJECT_0;
        }
    }
    printf("ping-pong with a child over named events: %d of %d rounds\n", ok, ROUNDS);
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    s_print_reports(reports);
    CloseHandle(g_a);
    CloseHandle(g_b);

    ev = CreateEventA(&inherit, TRUE, FALSE, NULL);
    t_handle_to_text(ev, hs, sizeof hs);
    t_bool("CreateProcessA(set-child) with an inheritable unnamed event", s_spawn("set-child", hs, &pi, &reports));
    S_WAIT("wait for the child to set it", WaitForSingleObject(ev, 20000));
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    s_print_reports(reports);
    CloseHandle(ev);

    ev = CreateEventA(NULL, TRUE, FALSE, s_name("quit"));
    t_bool("CreateProcessA(quit-child)", s_spawn("quit-child", s_name("quit"), &pi, &reports));
    h[0] = e[2];
    h[1] = pi.hProcess;
    ResetEvent(e[2]);
    S_WAIT("{unsignalled event, running child}, any, 0 ms", WaitForMultipleObjects(2, h, FALSE, 0));
    S_WAIT("{unsignalled event, running child}, any, 100 ms", WaitForMultipleObjects(2, h, FALSE, 100));
    SetEvent(e[2]);
    S_WAIT("{set event, running child}, all, 100 ms", WaitForMultipleObjects(2, h, TRUE, 100));
    ResetEvent(e[2]);
    SetEvent(ev);
    S_WAIT("{unsignalled event, child told to quit}, any, INFINITE", WaitForMultipleObjects(2, h, FALSE, INFINITE));
    SetEvent(e[2]);
    S_WAIT("{set event, ended child}, any", WaitForMultipleObjects(2, h, FALSE, 0));
    S_WAIT("{set event, ended child}, all", WaitForMultipleObjects(2, h, TRUE, 0));
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    s_print_reports(reports);
    CloseHandle(ev);

    for (i = 0; i < 3; i++) {
        CloseHandle(e[i]);
        CloseHandle(a[i]);
    }
    CloseHandle(s);
    CloseHandle(m);
    return 0;
}
