/*
 * sync_events.c — events: manual and auto reset, SetEvent/ResetEvent/PulseEvent, names.
 *
 * Covers: the state after each of Set/Reset/Pulse for both kinds (an auto-reset event satisfies one
 * wait, a manual-reset one every wait until reset; setting twice does not count); an auto-reset
 * SetEvent releases exactly one of two waiting threads, a manual-reset one all of them; PulseEvent
 * leaves the event unsignalled, releases waiting threads of a manual-reset event and one waiter of
 * an auto-reset event; named events: create-on-existing (ERROR_ALREADY_EXISTS, the existing type and
 * state win; the last error is 0 after a fresh create), OpenEventA/W, the name dies with its last
 * handle, names are case-sensitive, "Local\" prefix, a name held by another object type
 * (ERROR_INVALID_HANDLE), NULL/empty/missing/over-long/malformed names; access masks of opened
 * handles; inheritable handles; the wrong handle types to SetEvent/ResetEvent/PulseEvent/
 * ReleaseMutex/ReleaseSemaphore.
 *
 * Thread interleavings never show in the output: released waiters are counted only after every
 * release that can happen has happened (see the PulseEvent notes below).
 */
#include "w32sync.h"

struct waiter {
    HANDLE ev;   /* the event waited on */
    HANDLE done; /* manual-reset, set once the wait returned */
    DWORD result;
};

static DWORD WINAPI waiter_main(LPVOID arg)
{
    struct waiter *w = (struct waiter *)arg;
    w->result = WaitForSingleObject(w->ev, INFINITE);
    SetEvent(w->done);
    return 0;
}

static void start_waiters(struct waiter *w, HANDLE *threads, int n, HANDLE ev)
{
    int i;
    for (i = 0; i < n; i++) {
        w[i].ev = ev;
        w[i].done = CreateEventA(NULL, TRUE, FALSE, NULL);
        w[i].result = 77;
        threads[i] = s_thread(waiter_main, &w[i], 0, NULL);
    }
}

static int count_done(struct waiter *w, int n)
{
    int i, c = 0;
    for (i = 0; i < n; i++)
        c += WaitForSingleObject(w[i].done, 0) == WAIT_OBJECT_0;
    return c;
}

static void finish_waiters(struct waiter *w, HANDLE *threads, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        DWORD code = s_join(threads[i]);
        if (code != 0)
            printf("waiter %d: exit code %u\n", i, (unsigned)code);
        if (w[i].result != WAIT_OBJECT_0)
            printf("waiter %d: wait returned %s\n", i, s_waitname(w[i].result));
        CloseHandle(w[i].done);
    }
}

static void long_name(char *out, size_t len)
{
    size_t i;
    const char *base = s_name("long");
    for (i = 0; i < len; i++)
        out[i] = base[i] ? base[i] : 'x';
    out[len] = '\0';
}

int main(void)
{
    HANDLE ev, ev2, ev3, m, s, r, w, t, h;
    HANDLE threads[3], dones[3];
    struct waiter wt[3];
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    char name[160], upper[160], longn[400], label[200];
    LONG prev;
    DWORD flags;
    int i, tries;
    static const size_t lens[] = { 200, 259, 260, 261, 300 };
    static const char *odd[] = { "a\\b", "Local\\", "Global\\", "Local\\a\\b" };

    t_init();

    printf("-- manual reset\n");
    S_HANDLE("CreateEventA(manual, unsignalled, unnamed)", ev, CreateEventA(NULL, TRUE, FALSE, NULL));
    printf("wait 0: %s\n", s_poll(ev));
    S_BOOL("SetEvent", SetEvent(ev));
    printf("wait 0: %s\n", s_poll(ev));
    printf("wait 0 again: %s\n", s_poll(ev));
    S_WAIT("WaitForSingleObject(INFINITE)", WaitForSingleObject(ev, INFINITE));
    S_BOOL("SetEvent (already set)", SetEvent(ev));
    S_BOOL("ResetEvent", ResetEvent(ev));
    printf("wait 0: %s\n", s_poll(ev));
    S_WAIT("WaitForSingleObject(50 ms)", WaitForSingleObject(ev, 50));
    S_BOOL("ResetEvent (already reset)", ResetEvent(ev));
    CloseHandle(ev);
    S_HANDLE("CreateEventA(manual, signalled)", ev, CreateEventA(NULL, TRUE, TRUE, NULL));
    printf("wait 0: %s\n", s_poll(ev));
    printf("wait 0 again: %s\n", s_poll(ev));
    CloseHandle(ev);

    printf("-- auto reset\n");
    S_HANDLE("CreateEventA(auto, signalled)", ev, CreateEventA(NULL, FALSE, TRUE, NULL));
    printf("wait 0: %s\n", s_poll(ev));
    printf("wait 0 again: %s\n", s_poll(ev));
    S_BOOL("SetEvent", SetEvent(ev));
    S_BOOL("SetEvent again (does not count)", SetEvent(ev));
    printf("wait 0: %s\n", s_poll(ev));
    printf("wait 0 again: %s\n", s_poll(ev));
    S_BOOL("SetEvent", SetEvent(ev));
    S_BOOL("ResetEvent", ResetEvent(ev));
    printf("wait 0: %s\n", s_poll(ev));
    CloseHandle(ev);

    printf("-- SetEvent and waiting threads\n");
    ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    start_waiters(wt, threads, 2, ev);
    Sleep(100);
    printf("auto reset, 2 waiters, nothing set: released %d\n", count_done(wt, 2));
    S_BOOL("SetEvent", SetEvent(ev));
    dones[0] = wt[0].done;
    dones[1] = wt[1].done;
    printf("one waiter released: %s\n", WaitForMultipleObjects(2, dones, FALSE, 10000) == WAIT_TIMEOUT ? "no" : "yes");
    Sleep(200);
    printf("released after one SetEvent: %d\n", count_done(wt, 2));
    printf("event consumed by the waiter: %s\n", s_poll(ev));
    S_BOOL("SetEvent", SetEvent(ev));
    printf("the other waiter released: %s\n", s_waitname(WaitForMultipleObjects(2, dones, TRUE, 10000)));
    finish_waiters(wt, threads, 2);
    printf("event consumed: %s\n", s_poll(ev));
    CloseHandle(ev);

    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    start_waiters(wt, threads, 3, ev);
    Sleep(100);
    printf("manual reset, 3 waiters, nothing set: released %d\n", count_done(wt, 3));
    S_BOOL("SetEvent", SetEvent(ev));
    for (i = 0; i < 3; i++)
        dones[i] = wt[i].done;
    printf("all 3 released: %s\n", s_waitname(WaitForMultipleObjects(3, dones, TRUE, 10000)));
    finish_waiters(wt, threads, 3);
    printf("still signalled: %s\n", s_poll(ev));
    CloseHandle(ev);

    printf("-- PulseEvent without waiters\n");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    S_BOOL("PulseEvent(manual, unsignalled)", PulseEvent(ev));
    printf("wait 0: %s\n", s_poll(ev));
    SetEvent(ev);
    S_BOOL("PulseEvent(manual, signalled)", PulseEvent(ev));
    printf("wait 0: %s\n", s_poll(ev));
    CloseHandle(ev);
    ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    S_BOOL("PulseEvent(auto, unsignalled)", PulseEvent(ev));
    printf("wait 0: %s\n", s_poll(ev));
    SetEvent(ev);
    S_BOOL("PulseEvent(auto, signalled)", PulseEvent(ev));
    printf("wait 0: %s\n", s_poll(ev));
    CloseHandle(ev);

    /*
     * A pulse only releases threads that are waiting at that moment, which a test cannot see. So the
     * pulses repeat until the waiters are out; what is deterministic: a pulse never leaves the event
     * signalled, and an auto-reset pulse never releases more than one waiter (the second waiter stays
     * blocked until the SetEvent).
     */
    printf("-- PulseEvent with waiters\n");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    start_waiters(wt, threads, 2, ev);
    for (i = 0; i < 2; i++)
        dones[i] = wt[i].done;
    Sleep(100);
    for (tries = 0; tries < 200; tries++) {
        PulseEvent(ev);
        if (WaitForMultipleObjects(2, dones, TRUE, 50) == WAIT_OBJECT_0)
            break;
    }
    printf("manual reset: both waiters released by pulses: %s\n", tries < 200 ? "yes" : "no");
    printf("manual reset: unsignalled after the pulses: %s\n", s_poll(ev));
    finish_waiters(wt, threads, 2);
    CloseHandle(ev);

    ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    start_waiters(wt, threads, 2, ev);
    for (i = 0; i < 2; i++)
        dones[i] = wt[i].done;
    Sleep(100);
    for (tries = 0; tries < 40; tries++) {
        PulseEvent(ev);
        if (WaitForMultipleObjects(2, dones, FALSE, 500) != WAIT_TIMEOUT)
            break;
    }
    printf("auto reset: a waiter released by a pulse: %s\n", tries < 40 ? "yes" : "no");
    Sleep(300);
    printf("auto reset: released by that pulse: %d\n", count_done(wt, 2));
    printf("auto reset: unsignalled after the pulse: %s\n", s_poll(ev));
    SetEvent(ev);
    printf("auto reset: the other released by SetEvent: %s\n", s_waitname(WaitForMultipleObjects(2, dones, TRUE, 10000)));
    finish_waiters(wt, threads, 2);
    CloseHandle(ev);

    printf("-- named events\n");
    snprintf(name, sizeof name, "%s", s_name("ev-a"));
    S_HANDLE("CreateEventA(manual, unsignalled, name)", ev, CreateEventA(NULL, TRUE, FALSE, name));
    S_HANDLE("CreateEventA(auto, signalled, same name)", ev2, CreateEventA(NULL, FALSE, TRUE, name));
    t_yesno("a second handle", ev2 != NULL && ev2 != ev);
    printf("through the second handle, the first's state (unsignalled): %s\n", s_poll(ev2));
    SetEvent(ev);
    printf("set through the first, seen by the second: %s\n", s_poll(ev2));
    printf("and still set (manual reset, the first's kind): %s\n", s_poll(ev2));
    S_BOOL("ResetEvent(second handle)", ResetEvent(ev2));
    printf("reset through the second, seen by the first: %s\n", s_poll(ev));
    S_HANDLE("CreateEventW(same name)", ev3, CreateEventW(NULL, TRUE, FALSE, s_wide(name)));
    CloseHandle(ev3);
    S_HANDLE("OpenEventA(EVENT_ALL_ACCESS, name)", ev3, OpenEventA(EVENT_ALL_ACCESS, FALSE, name));
    SetEvent(ev3);
    printf("set through the opened handle, seen by the first: %s\n", s_poll(ev));
    CloseHandle(ev3);
    ResetEvent(ev);
    S_HANDLE("OpenEventW(EVENT_ALL_ACCESS, name)", ev3, OpenEventW(EVENT_ALL_ACCESS, FALSE, s_wide(name)));
    SetEvent(ev3);
    printf("set through the OpenEventW handle, seen by the first: %s\n", s_poll(ev));
    CloseHandle(ev3);
    snprintf(upper, sizeof upper, "%s", name);
    for (i = 0; upper[i]; i++)
        if (upper[i] >= 'a' && upper[i] <= 'z')
            upper[i] = (char)(upper[i] - 'a' + 'A');
    S_HANDLE("OpenEventA(name in upper case)", ev3, OpenEventA(EVENT_ALL_ACCESS, FALSE, upper));
    S_HANDLE("CreateEventA(name in upper case): another object", ev3, CreateEventA(NULL, TRUE, FALSE, upper));
    printf("its own state: %s\n", s_poll(ev3));
    CloseHandle(ev3);
    CloseHandle(ev2);
    CloseHandle(ev);
    S_HANDLE("OpenEventA(name) after the last handle closed", ev3, OpenEventA(EVENT_ALL_ACCESS, FALSE, name));
    S_HANDLE("CreateEventA(name) again: a fresh object", ev, CreateEventA(NULL, TRUE, FALSE, name));
    printf("fresh state: %s\n", s_poll(ev));
    CloseHandle(ev);

    S_HANDLE("CreateEventW(manual, signalled, new name)", ev, CreateEventW(NULL, TRUE, TRUE, s_wide(s_name("ev-w"))));
    S_HANDLE("OpenEventA(that name)", ev2, OpenEventA(SYNCHRONIZE, FALSE, s_name("ev-w")));
    printf("its state: %s\n", s_poll(ev2));
    CloseHandle(ev2);
    CloseHandle(ev);

    printf("-- Local\\ and Global\\ prefixes\n");
    snprintf(label, sizeof label, "Local\\%s", s_name("ev-local"));
    S_HANDLE("CreateEventA(Local\\name)", ev, CreateEventA(NULL, TRUE, FALSE, label));
    S_HANDLE("OpenEventA(name without the prefix)", ev2, OpenEventA(EVENT_ALL_ACCESS, FALSE, s_name("ev-local")));
    if (ev2) {
        SetEvent(ev2);
        printf("the same object: %s\n", s_poll(ev));
        CloseHandle(ev2);
    }
    S_HANDLE("CreateEventA(name without the prefix)", ev2, CreateEventA(NULL, TRUE, FALSE, s_name("ev-local")));
    if (ev2)
        CloseHandle(ev2);
    CloseHandle(ev);
    snprintf(label, sizeof label, "Global\\%s", s_name("ev-global"));
    S_HANDLE("CreateEventA(Global\\name)", ev, CreateEventA(NULL, TRUE, FALSE, label));
    S_HANDLE("OpenEventA(Global\\name)", ev2, OpenEventA(EVENT_ALL_ACCESS, FALSE, label));
    if (ev2) {
        SetEvent(ev2);
        printf("the same object: %s\n", s_poll(ev));
        CloseHandle(ev2);
    }
    S_HANDLE("OpenEventA(name without Global\\)", ev2, OpenEventA(EVENT_ALL_ACCESS, FALSE, s_name("ev-global")));
    if (ev2)
        CloseHandle(ev2);
    CloseHandle(ev);

    printf("-- bad names\n");
    S_HANDLE("OpenEventA(missing name)", ev, OpenEventA(EVENT_ALL_ACCESS, FALSE, s_name("ev-missing")));
    S_HANDLE("OpenEventW(missing name)", ev, OpenEventW(EVENT_ALL_ACCESS, FALSE, s_wide(s_name("ev-missing"))));
    S_HANDLE("OpenEventA(NULL)", ev, OpenEventA(EVENT_ALL_ACCESS, FALSE, NULL));
    S_HANDLE("OpenEventW(NULL)", ev, OpenEventW(EVENT_ALL_ACCESS, FALSE, NULL));
    S_HANDLE("OpenEventA(\"\")", ev, OpenEventA(EVENT_ALL_ACCESS, FALSE, ""));
    S_HANDLE("CreateEventA(\"\")", ev, CreateEventA(NULL, TRUE, FALSE, ""));
    if (ev)
        CloseHandle(ev);
    for (i = 0; i < (int)(sizeof lens / sizeof lens[0]); i++) {
        long_name(longn, lens[i]);
        snprintf(label, sizeof label, "CreateEventA(name of %u chars)", (unsigned)lens[i]);
        S_HANDLE(label, ev, CreateEventA(NULL, TRUE, FALSE, longn));
        snprintf(label, sizeof label, "OpenEventA(name of %u chars)", (unsigned)lens[i]);
        S_HANDLE(label, ev2, OpenEventA(EVENT_ALL_ACCESS, FALSE, longn));
        if (ev2)
            CloseHandle(ev2);
        if (ev)
            CloseHandle(ev);
    }
    for (i = 0; i < (int)(sizeof odd / sizeof odd[0]); i++) {
        snprintf(label, sizeof label, "CreateEventA(\"%s\")", odd[i]);
        S_HANDLE(label, ev, CreateEventA(NULL, TRUE, FALSE, odd[i]));
        if (ev)
            CloseHandle(ev);
        snprintf(label, sizeof label, "OpenEventA(\"%s\")", odd[i]);
        S_HANDLE(label, ev, OpenEventA(EVENT_ALL_ACCESS, FALSE, odd[i]));
        if (ev)
            CloseHandle(ev);
    }

    printf("-- a name held by another object type\n");
    S_HANDLE("CreateMutexA(name)", m, CreateMutexA(NULL, FALSE, s_name("held-by-mutex")));
    S_HANDLE("CreateEventA(mutex's name)", ev, CreateEventA(NULL, TRUE, FALSE, s_name("held-by-mutex")));
    S_HANDLE("OpenEventA(mutex's name)", ev, OpenEventA(EVENT_ALL_ACCESS, FALSE, s_name("held-by-mutex")));
    S_HANDLE("CreateSemaphoreA(mutex's name)", ev, CreateSemaphoreA(NULL, 0, 1, s_name("held-by-mutex")));
    S_HANDLE("OpenSemaphoreA(mutex's name)", ev, OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, s_name("held-by-mutex")));
    S_HANDLE("CreateEventA(name)", ev, CreateEventA(NULL, TRUE, FALSE, s_name("held-by-event")));
    S_HANDLE("CreateMutexA(event's name)", h, CreateMutexA(NULL, FALSE, s_name("held-by-event")));
    S_HANDLE("OpenMutexA(event's name)", h, OpenMutexA(MUTEX_ALL_ACCESS, FALSE, s_name("held-by-event")));
    S_HANDLE("CreateFileMappingA(event's name)", h,
             CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, s_name("held-by-event")));
    S_HANDLE("OpenFileMappingA(event's name)", h, OpenFileMappingA(FILE_MAP_READ, FALSE, s_name("held-by-event")));
    S_HANDLE("CreateFileMappingA(name)", h,
             CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, s_name("held-by-mapping")));
    S_HANDLE("CreateEventA(mapping's name)", ev2, CreateEventA(NULL, TRUE, FALSE, s_name("held-by-mapping")));
    S_HANDLE("OpenEventA(mapping's name)", ev2, OpenEventA(EVENT_ALL_ACCESS, FALSE, s_name("held-by-mapping")));
    CloseHandle(h);
    CloseHandle(ev);
    CloseHandle(m);

    printf("-- access masks and inheritance\n");
    S_HANDLE("CreateEventA(name)", ev, CreateEventA(NULL, TRUE, FALSE, s_name("ev-access")));
    S_HANDLE("OpenEventA(SYNCHRONIZE)", ev2, OpenEventA(SYNCHRONIZE, FALSE, s_name("ev-access")));
    S_BOOL("SetEvent(SYNCHRONIZE handle)", SetEvent(ev2));
    S_BOOL("ResetEvent(SYNCHRONIZE handle)", ResetEvent(ev2));
    S_WAIT("WaitForSingleObject(SYNCHRONIZE handle, 0)", WaitForSingleObject(ev2, 0));
    S_HANDLE("OpenEventA(EVENT_MODIFY_STATE)", ev3, OpenEventA(EVENT_MODIFY_STATE, FALSE, s_name("ev-access")));
    S_BOOL("SetEvent(EVENT_MODIFY_STATE handle)", SetEvent(ev3));
    S_WAIT("WaitForSingleObject(EVENT_MODIFY_STATE handle, 0)", WaitForSingleObject(ev3, 0));
    printf("set through the EVENT_MODIFY_STATE handle: %s\n", s_poll(ev2));
    CloseHandle(ev3);
    CloseHandle(ev2);
    flags = 77;
    GetHandleInformation(ev, &flags);
    printf("created without SECURITY_ATTRIBUTES: flags=%u\n", (unsigned)flags);
    S_HANDLE("OpenEventA(bInheritHandle TRUE)", ev2, OpenEventA(EVENT_ALL_ACCESS, TRUE, s_name("ev-access")));
    flags = 77;
    GetHandleInformation(ev2, &flags);
    printf("opened with bInheritHandle TRUE: flags=%u\n", (unsigned)flags);
    CloseHandle(ev2);
    CloseHandle(ev);
    S_HANDLE("CreateEventA(inheritable SECURITY_ATTRIBUTES)", ev, CreateEventA(&inherit, TRUE, FALSE, NULL));
    flags = 77;
    GetHandleInformation(ev, &flags);
    printf("created inheritable: flags=%u\n", (unsigned)flags);
    CloseHandle(ev);

    printf("-- wrong handle types\n");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    m = CreateMutexA(NULL, FALSE, NULL);
    s = CreateSemaphoreA(NULL, 0, 5, NULL);
    CreatePipe(&r, &w, NULL, 0);
    t = GetCurrentThread();
    DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &t, 0, FALSE, DUPLICATE_SAME_ACCESS);
    S_BOOL("SetEvent(mutex)", SetEvent(m));
    S_BOOL("SetEvent(semaphore)", SetEvent(s));
    S_BOOL("SetEvent(pipe end)", SetEvent(r));
    S_BOOL("SetEvent(thread)", SetEvent(t));
    S_BOOL("SetEvent(GetCurrentProcess())", SetEvent(GetCurrentProcess()));
    S_BOOL("SetEvent(GetCurrentThread())", SetEvent(GetCurrentThread()));
    S_BOOL("ResetEvent(mutex)", ResetEvent(m));
    S_BOOL("ResetEvent(semaphore)", ResetEvent(s));
    S_BOOL("PulseEvent(mutex)", PulseEvent(m));
    S_BOOL("PulseEvent(semaphore)", PulseEvent(s));
    S_BOOL("ReleaseMutex(event)", ReleaseMutex(ev));
    S_BOOL("ReleaseMutex(semaphore)", ReleaseMutex(s));
    S_BOOL("ReleaseMutex(pipe end)", ReleaseMutex(w));
    prev = 77;
    S_BOOL("ReleaseSemaphore(event, 1)", ReleaseSemaphore(ev, 1, &prev));
    printf("lpPreviousCount: %ld\n", (long)prev);
    prev = 77;
    S_BOOL("ReleaseSemaphore(mutex, 1)", ReleaseSemaphore(m, 1, &prev));
    printf("lpPreviousCount: %ld\n", (long)prev);
    S_BOOL("ReleaseSemaphore(thread, 1)", ReleaseSemaphore(t, 1, NULL));
    printf("the event, untouched: %s\n", s_poll(ev));
    printf("the mutex, still free: %s\n", s_poll(m));
    ReleaseMutex(m);
    printf("the semaphore, still 0: %s\n", s_poll(s));
    CloseHandle(t);
    CloseHandle(r);
    CloseHandle(w);
    CloseHandle(s);
    CloseHandle(m);

    printf("-- bad handles\n");
    S_BOOL("SetEvent(NULL)", SetEvent(NULL));
    S_BOOL("SetEvent(INVALID_HANDLE_VALUE)", SetEvent(INVALID_HANDLE_VALUE));
    S_BOOL("ResetEvent(NULL)", ResetEvent(NULL));
    S_BOOL("PulseEvent(NULL)", PulseEvent(NULL));
    S_BOOL("ReleaseMutex(NULL)", ReleaseMutex(NULL));
    S_BOOL("ReleaseSemaphore(NULL, 1)", ReleaseSemaphore(NULL, 1, NULL));
    CloseHandle(ev);
    S_BOOL("SetEvent(closed handle)", SetEvent(ev));
    S_WAIT("WaitForSingleObject(closed handle, 0)", WaitForSingleObject(ev, 0));
    return 0;
}
