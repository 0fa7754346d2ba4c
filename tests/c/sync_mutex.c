/*
 * sync_mutex.c — mutexes: ownership, recursion, ERROR_NOT_OWNER, abandonment, names, processes.
 *
 * Covers: a mutex is owned by a thread, recursively (each wait needs its ReleaseMutex; one more
 * fails with ERROR_NOT_OWNER, 288); bInitialOwner; another thread cannot take or release it while
 * it is owned, and takes it once it is released; a thread that ends while owning it abandons it:
 * the next waiter gets WAIT_ABANDONED (0x80), owns it once (the recursion count is not inherited),
 * and the following wait is a plain WAIT_OBJECT_0; WaitForMultipleObjects reports
 * WAIT_ABANDONED_0+i for wait-any (the lowest signalled index still wins) and an abandoned result
 * for wait-all; named mutexes (create-on-existing ignores bInitialOwner, OpenMutexA/W, ownership
 * belongs to the thread, not the handle); across processes: a child process blocks on a mutex the
 * parent owns and cannot release it, and a child that owns a named mutex and is ended with
 * TerminateProcess (or returns from main) abandons it to the parent's waiter. Last, in its own
 * section, a mutex abandoned by a thread that calls ExitThread.
 */
#include "w32sync.h"

static HANDLE g_mutex;

/* Thread: wait on g_mutex with the given time-out; release it if taken; return the wait result. */
static DWORD WINAPI try_take(LPVOID arg)
{
    DWORD r = WaitForSingleObject(g_mutex, (DWORD)(ULONG_PTR)arg);
    if (r == WAIT_OBJECT_0 || r == WAIT_ABANDONED)
        ReleaseMutex(g_mutex);
    return r;
}

/* Thread: ReleaseMutex(g_mutex) and return its last error (0 when it succeeded). */
static DWORD WINAPI try_release(LPVOID arg)
{
    (void)arg;
    SetLastError(0);
    if (ReleaseMutex(g_mutex))
        return 0;
    return GetLastError();
}

/* Thread: take g_mutex twice and end without releasing it; arg != NULL: through ExitThread. */
static DWORD WINAPI take_and_end(LPVOID arg)
{
    WaitForSingleObject(g_mutex, INFINITE);
    WaitForSingleObject(g_mutex, INFINITE);
    if (arg != NULL)
        ExitThread(5);
    return 4;
}

struct holder {
    HANDLE taken, go;
};

/* Thread: take g_mutex, say so, wait for "go", end while still owning it. */
static DWORD WINAPI hold_until_go(LPVOID arg)
{
    struct holder *h = (struct holder *)arg;
    WaitForSingleObject(g_mutex, INFINITE);
    SetEvent(h->taken);
    WaitForSingleObject(h->go, INFINITE);
    return 6;
}

/* Thread: CreateMutexA(bInitialOwner TRUE) on an existing name; returns error*1000 + wait-0 result. */
static DWORD WINAPI create_owned_existing(LPVOID arg)
{
    HANDLE m = CreateMutexA(NULL, TRUE, (const char *)arg);
    DWORD e = GetLastError(), r;
    if (m == NULL)
        return 999999;
    r = WaitForSingleObject(m, 0);
    if (r == WAIT_OBJECT_0)
        ReleaseMutex(m);
    CloseHandle(m);
    return e * 1000 + r;
}

static void show_thread_wait(const char *label, HANDLE t)
{
    printf("%s: %s\n", label, s_waitname(s_join(t)));
}

/* Child roles (argv[2] is the report pipe). */
static int hold_child(char **argv)
{
    /* argv: hold-child <pipe> <mutex name> <event name> <how: wait|return> */
    HANDLE m = OpenMutexA(MUTEX_ALL_ACCESS, FALSE, argv[3]);
    HANDLE ev = OpenEventA(EVENT_ALL_ACCESS, FALSE, argv[4]);
    s_child_init(argv);
    s_report("OpenMutexA: %s, OpenEventA: %s\n", m ? "handle" : "NULL", ev ? "handle" : "NULL");
    s_report("wait INFINITE: %s\n", s_waitname(WaitForSingleObject(m, INFINITE)));
    SetEvent(ev);
    if (strcmp(argv[5], "return") == 0) {
        s_report("returning from main while owning the mutex\n");
        return 7;
    }
    Sleep(INFINITE);
    return 102;
}

static int probe_child(char **argv)
{
    /* argv: probe-child <pipe> <mutex name> */
    HANDLE m = OpenMutexA(MUTEX_ALL_ACCESS, FALSE, argv[3]);
    BOOL ok;
    s_child_init(argv);
    s_report("OpenMutexA: %s\n", m ? "handle" : "NULL");
    s_report("wait 0: %s\n", s_waitname(WaitForSingleObject(m, 0)));
    SetLastError(0);
    ok = ReleaseMutex(m);
    s_report("ReleaseMutex: %s error=%u\n", ok ? "TRUE" : "FALSE", (unsigned)GetLastError());
    s_report("wait INFINITE: %s\n", s_waitname(WaitForSingleObject(m, INFINITE)));
    ok = ReleaseMutex(m);
    s_report("ReleaseMutex: %s\n", ok ? "TRUE" : "FALSE");
    return 0;
}

int main(int argc, char **argv)
{
    HANDLE m, m2, ev, t, reports, handles[2];
    struct holder hold;
    PROCESS_INFORMATION pi;
    char name[160], evname[160], args[400];
    DWORD code, r;

    if (argc >= 6 && strcmp(argv[1], "hold-child") == 0)
        return hold_child(argv);
    if (argc >= 4 && strcmp(argv[1], "probe-child") == 0)
        return probe_child(argv);

    t_init();

    printf("-- ownership and recursion\n");
    S_HANDLE("CreateMutexA(not owned, unnamed)", m, CreateMutexA(NULL, FALSE, NULL));
    g_mutex = m;
    S_BOOL("ReleaseMutex(not owned)", ReleaseMutex(m));
    S_WAIT("wait 0", WaitForSingleObject(m, 0));
    S_WAIT("wait 0 again (recursion)", WaitForSingleObject(m, 0));
    S_WAIT("wait INFINITE (recursion)", WaitForSingleObject(m, INFINITE));
    show_thread_wait("another thread, wait 0", s_thread(try_take, (LPVOID)(ULONG_PTR)0, 0, NULL));
    show_thread_wait("another thread, wait 100 ms", s_thread(try_take, (LPVOID)(ULONG_PTR)100, 0, NULL));
    printf("another thread, ReleaseMutex: error=%u\n", (unsigned)s_join(s_thread(try_release, NULL, 0, NULL)));
    S_BOOL("ReleaseMutex 1", ReleaseMutex(m));
    S_BOOL("ReleaseMutex 2", ReleaseMutex(m));
    show_thread_wait("another thread, wait 0, still owned once", s_thread(try_take, (LPVOID)(ULONG_PTR)0, 0, NULL));
    S_BOOL("ReleaseMutex 3", ReleaseMutex(m));
    S_BOOL("ReleaseMutex 4 (one too many)", ReleaseMutex(m));
    show_thread_wait("another thread, wait 0, free", s_thread(try_take, (LPVOID)(ULONG_PTR)0, 0, NULL));
    CloseHandle(m);

    S_HANDLE("CreateMutexA(bInitialOwner TRUE)", m, CreateMutexA(NULL, TRUE, NULL));
    g_mutex = m;
    show_thread_wait("another thread, wait 0", s_thread(try_take, (LPVOID)(ULONG_PTR)0, 0, NULL));
    S_WAIT("wait 0 (recursion)", WaitForSingleObject(m, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex (one too many)", ReleaseMutex(m));
    CloseHandle(m);

    printf("-- a blocked waiter gets the mutex when it is released\n");
    m = CreateMutexA(NULL, TRUE, NULL);
    g_mutex = m;
    t = s_thread(try_take, (LPVOID)(ULONG_PTR)INFINITE, 0, NULL);
    S_WAIT("the waiting thread, after 100 ms", WaitForSingleObject(t, 100));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    show_thread_wait("the waiting thread's wait", t);
    S_WAIT("wait 0 (free again)", WaitForSingleObject(m, 0));
    ReleaseMutex(m);
    CloseHandle(m);

    printf("-- abandoned\n");
    m = CreateMutexA(NULL, FALSE, NULL);
    g_mutex = m;
    printf("owner thread returns while owning (twice): exit code %u\n",
           (unsigned)s_join(s_thread(take_and_end, NULL, 0, NULL)));
    S_WAIT("wait 0", WaitForSingleObject(m, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex again (the count was not inherited)", ReleaseMutex(m));
    S_WAIT("wait 0 after the release", WaitForSingleObject(m, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    printf("owner thread returns while owning (twice), again: exit code %u\n",
           (unsigned)s_join(s_thread(take_and_end, NULL, 0, NULL)));
    S_WAIT("wait INFINITE", WaitForSingleObject(m, INFINITE));
    S_WAIT("wait 0 (recursion on the taken-over mutex)", WaitForSingleObject(m, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex (one too many)", ReleaseMutex(m));

    hold.taken = CreateEventA(NULL, TRUE, FALSE, NULL);
    hold.go = CreateEventA(NULL, TRUE, FALSE, NULL);
    t = s_thread(hold_until_go, &hold, 0, NULL);
    S_WAIT("owner thread has taken it", WaitForSingleObject(hold.taken, 10000));
    S_WAIT("wait 0 while it is owned", WaitForSingleObject(m, 0));
    SetEvent(hold.go);
    S_WAIT("wait INFINITE while the owner ends", WaitForSingleObject(m, INFINITE));
    printf("owner exit code %u\n", (unsigned)s_join(t));
    ReleaseMutex(m);

    printf("-- abandoned, in WaitForMultipleObjects\n");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    handles[0] = ev;
    handles[1] = m;
    s_join(s_thread(take_and_end, NULL, 0, NULL));
    S_WAIT("any of {unsignalled event, abandoned mutex}", WaitForMultipleObjects(2, handles, FALSE, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_WAIT("any of {unsignalled event, mutex} again", WaitForMultipleObjects(2, handles, FALSE, 0));
    ReleaseMutex(m);
    SetEvent(ev);
    s_join(s_thread(take_and_end, NULL, 0, NULL));
    S_WAIT("any of {signalled event, abandoned mutex}: the lowest index", WaitForMultipleObjects(2, handles, FALSE, 0));
    S_WAIT("any of {abandoned mutex, signalled event}",
           (handles[0] = m, handles[1] = ev, WaitForMultipleObjects(2, handles, FALSE, 0)));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    s_join(s_thread(take_and_end, NULL, 0, NULL));
    S_WAIT("all of {abandoned mutex, signalled event}", WaitForMultipleObjects(2, handles, TRUE, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_WAIT("all of {mutex, signalled event} again", WaitForMultipleObjects(2, handles, TRUE, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    /* Which index a wait-all reports for an abandoned mutex is not documented: only the range. */
    handles[0] = ev;
    handles[1] = m;
    s_join(s_thread(take_and_end, NULL, 0, NULL));
    r = WaitForMultipleObjects(2, handles, TRUE, 0);
    printf("all of {signalled event, abandoned mutex}: in WAIT_ABANDONED_0..+1: %s\n",
           r >= WAIT_ABANDONED_0 && r <= WAIT_ABANDONED_0 + 1 ? "yes" : s_waitname(r));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex (one too many)", ReleaseMutex(m));
    CloseHandle(ev);
    CloseHandle(hold.taken);
    CloseHandle(hold.go);
    CloseHandle(m);

    printf("-- named mutexes\n");
    snprintf(name, sizeof name, "%s", s_name("mutex-a"));
    S_HANDLE("CreateMutexA(bInitialOwner FALSE, name)", m, CreateMutexA(NULL, FALSE, name));
    S_WAIT("wait 0", WaitForSingleObject(m, 0));
    code = s_join(s_thread(create_owned_existing, name, 0, NULL));
    printf("another thread, CreateMutexA(bInitialOwner TRUE, same name): error=%u, then wait 0: %s\n",
           (unsigned)(code / 1000), s_waitname(code % 1000));
    S_HANDLE("CreateMutexA(bInitialOwner TRUE, same name), same thread", m2, CreateMutexA(NULL, TRUE, name));
    S_WAIT("wait 0 through the second handle", WaitForSingleObject(m2, 0));
    S_BOOL("ReleaseMutex(first handle)", ReleaseMutex(m));
    S_BOOL("ReleaseMutex(second handle): owned by the thread, not the handle", ReleaseMutex(m2));
    S_BOOL("ReleaseMutex (one too many: bInitialOwner was ignored)", ReleaseMutex(m2));
    CloseHandle(m2);
    S_HANDLE("CreateMutexW(same name)", m2, CreateMutexW(NULL, FALSE, s_wide(name)));
    CloseHandle(m2);
    S_HANDLE("OpenMutexA(MUTEX_ALL_ACCESS, name)", m2, OpenMutexA(MUTEX_ALL_ACCESS, FALSE, name));
    S_WAIT("wait 0 through the opened handle", WaitForSingleObject(m2, 0));
    show_thread_wait("another thread, wait 0 on the first handle", (g_mutex = m, s_thread(try_take, (LPVOID)(ULONG_PTR)0, 0, NULL)));
    S_BOOL("ReleaseMutex(first handle)", ReleaseMutex(m));
    CloseHandle(m2);
    S_HANDLE("OpenMutexW(MUTEX_ALL_ACCESS, name)", m2, OpenMutexW(MUTEX_ALL_ACCESS, FALSE, s_wide(name)));
    CloseHandle(m2);
    S_HANDLE("OpenMutexA(missing name)", m2, OpenMutexA(MUTEX_ALL_ACCESS, FALSE, s_name("mutex-missing")));
    S_HANDLE("OpenMutexA(NULL)", m2, OpenMutexA(MUTEX_ALL_ACCESS, FALSE, NULL));
    S_HANDLE("OpenMutexA(\"\")", m2, OpenMutexA(MUTEX_ALL_ACCESS, FALSE, ""));
    CloseHandle(m);
    S_HANDLE("OpenMutexA(name) after the last handle closed", m2, OpenMutexA(MUTEX_ALL_ACCESS, FALSE, name));
    S_HANDLE("CreateMutexW(bInitialOwner TRUE, new name)", m, CreateMutexW(NULL, TRUE, s_wide(s_name("mutex-w"))));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    CloseHandle(m);

    printf("-- across processes\n");
    snprintf(name, sizeof name, "%s", s_name("mutex-x"));
    S_HANDLE("CreateMutexA(bInitialOwner TRUE, name)", m, CreateMutexA(NULL, TRUE, name));
    t_bool("CreateProcessA(probe-child)", s_spawn("probe-child", name, &pi, &reports));
    Sleep(300);
    S_WAIT("the child, blocked on our mutex after 300 ms", WaitForSingleObject(pi.hProcess, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    s_print_reports(reports);
    S_WAIT("wait 0 after the child released it", WaitForSingleObject(m, 0));
    ReleaseMutex(m);

    snprintf(evname, sizeof evname, "%s", s_name("mutex-x-taken"));
    ev = CreateEventA(NULL, TRUE, FALSE, evname);
    snprintf(args, sizeof args, "%s %s wait", name, evname);
    t_bool("CreateProcessA(hold-child)", s_spawn("hold-child", args, &pi, &reports));
    S_WAIT("the child has taken the mutex", WaitForSingleObject(ev, 20000));
    S_WAIT("wait 0 while the child owns it", WaitForSingleObject(m, 0));
    g_mutex = m;
    t = s_thread(try_take, (LPVOID)(ULONG_PTR)INFINITE, 0, NULL);
    S_WAIT("a thread waiting on it, after 100 ms", WaitForSingleObject(t, 100));
    S_BOOL("TerminateProcess(child, 9)", TerminateProcess(pi.hProcess, 9));
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    s_print_reports(reports);
    show_thread_wait("the waiting thread's wait", t);
    S_WAIT("wait 0 afterwards", WaitForSingleObject(m, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));

    ResetEvent(ev);
    snprintf(args, sizeof args, "%s %s return", name, evname);
    t_bool("CreateProcessA(hold-child that returns from main while owning)", s_spawn("hold-child", args, &pi, &reports));
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    s_print_reports(reports);
    S_WAIT("the child had taken the mutex", WaitForSingleObject(ev, 0));
    S_WAIT("wait 0", WaitForSingleObject(m, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_WAIT("wait 0 again", WaitForSingleObject(m, 0));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    CloseHandle(ev);
    CloseHandle(m);

    /* Last, so that a crash in ExitThread hides nothing else. */
    printf("-- abandoned through ExitThread\n");
    m = CreateMutexA(NULL, FALSE, NULL);
    g_mutex = m;
    printf("owner thread calls ExitThread while owning: exit code %u\n",
           (unsigned)s_join(s_thread(take_and_end, (LPVOID)(ULONG_PTR)1, 0, NULL)));
    S_WAIT("wait INFINITE", WaitForSingleObject(m, INFINITE));
    S_BOOL("ReleaseMutex", ReleaseMutex(m));
    S_BOOL("ReleaseMutex (one too many)", ReleaseMutex(m));
    CloseHandle(m);
    return 0;
}
