/*
 * thread_basics.c — CreateThread, exit codes, waiting on threads, CREATE_SUSPENDED, thread ids.
 *
 * Covers: the start routine gets its parameter; its return value is the exit code
 * (GetExitCodeThread, all 32 bits), STILL_ACTIVE (259) while it runs, also when a finished thread
 * returned 259 itself (the handle is signalled then); a thread handle is signalled when the thread
 * ends (WaitForSingleObject, WaitForMultipleObjects any/all over 16 threads); closing a thread
 * handle does not stop the thread; CREATE_SUSPENDED: the thread does not run until ResumeThread,
 * which returns the previous suspend count (1, then 0); lpThreadId, GetThreadId and
 * GetCurrentThreadId agree; GetCurrentThread() is a pseudo-handle, and DuplicateHandle gives a
 * real, waitable handle to the calling thread, usable from other threads; inheritable thread
 * handles; bad handles; and last, ExitThread: from the routine and from a function it calls, while
 * other threads keep running.
 */
#include "w32sync.h"

static volatile LONG g_ran;
static DWORD g_seen_id;
static HANDLE g_go, g_dup;

static DWORD WINAPI return_param(LPVOID arg)
{
    return (DWORD)(ULONG_PTR)arg;
}

static DWORD WINAPI wait_go(LPVOID arg)
{
    WaitForSingleObject(g_go, INFINITE);
    return (DWORD)(ULONG_PTR)arg;
}

static DWORD WINAPI note_and_return(LPVOID arg)
{
    (void)arg;
    g_seen_id = GetCurrentThreadId();
    InterlockedExchange((LONG *)&g_ran, 1);
    return 21;
}

static DWORD WINAPI dup_self(LPVOID arg)
{
    HANDLE h = NULL;
    (void)arg;
    g_seen_id = GetCurrentThreadId();
    if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &h, 0, FALSE,
                         DUPLICATE_SAME_ACCESS))
        return 1;
    g_dup = h;
    InterlockedExchange((LONG *)&g_ran, 1);
    WaitForSingleObject(g_go, INFINITE);
    return 9;
}

static DWORD WINAPI set_after_close(LPVOID arg)
{
    Sleep(100);
    SetEvent((HANDLE)arg);
    return 0;
}

static void nested_exit(DWORD code)
{
    ExitThread(code);
}

static DWORD WINAPI exit_thread(LPVOID arg)
{
    if (arg != NULL)
        nested_exit(8);
    ExitThread(7);
}

static void show_code(const char *label, HANDLE t)
{
    DWORD code = 77;
    SetLastError(0xDEAD);
    if (GetExitCodeThread(t, &code))
        printf("%s: %u%s\n", label, (unsigned)code, code == STILL_ACTIVE ? " (STILL_ACTIVE)" : "");
    else
        printf("%s: GetExitCodeThread FALSE error=%u\n", label, (unsigned)GetLastError());
}

static void wait_flag(void)
{
    int i;
    for (i = 0; i < 1000 && InterlockedCompareExchange((LONG *)&g_ran, 0, 0) == 0; i++)
        Sleep(10);
}

int main(void)
{
    HANDLE t, t2, h[16], ev, self, other;
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    DWORD tid, flags, code;
    int i, all;

    t_init();

    printf("-- exit codes\n");
    S_HANDLE("CreateThread(returns its parameter 42)", t, CreateThread(NULL, 0, return_param, (LPVOID)(ULONG_PTR)42, 0, &tid));
    S_WAIT("WaitForSingleObject(thread, INFINITE)", WaitForSingleObject(t, INFINITE));
    show_code("exit code", t);
    S_WAIT("WaitForSingleObject(ended thread, 0)", WaitForSingleObject(t, 0));
    S_BOOL("CloseHandle(thread)", CloseHandle(t));
    t = CreateThread(NULL, 0, return_param, (LPVOID)(ULONG_PTR)0xDEADBEEF, 0, NULL);
    printf("returns 0xDEADBEEF: exit code 0x%X\n", (unsigned)s_join(t));
    t = CreateThread(NULL, 0, return_param, (LPVOID)(ULONG_PTR)0, 0, NULL);
    printf("returns 0: exit code %u\n", (unsigned)s_join(t));
    t = CreateThread(NULL, 0, return_param, (LPVOID)(ULONG_PTR)STILL_ACTIVE, 0, NULL);
    S_WAIT("a thread that returns 259: WaitForSingleObject", WaitForSingleObject(t, INFINITE));
    show_code("its exit code", t);
    CloseHandle(t);

    printf("-- a running thread\n");
    g_go = CreateEventA(NULL, TRUE, FALSE, NULL);
    t = s_thread(wait_go, (LPVOID)(ULONG_PTR)5, 0, NULL);
    show_code("exit code while running", t);
    S_WAIT("WaitForSingleObject(thread, 0)", WaitForSingleObject(t, 0));
    S_WAIT("WaitForSingleObject(thread, 100)", WaitForSingleObject(t, 100));
    S_WAIT("WaitForSingleObjectEx(thread, 10, TRUE)", WaitForSingleObjectEx(t, 10, TRUE));
    SetEvent(g_go);
    S_WAIT("after SetEvent(go): WaitForSingleObject(thread, INFINITE)", WaitForSingleObject(t, INFINITE));
    show_code("exit code", t);
    CloseHandle(t);

    printf("-- many threads\n");
    ResetEvent(g_go);
    for (i = 0; i < 16; i++)
        h[i] = s_thread(i == 0 ? wait_go : return_param, (LPVOID)(ULONG_PTR)(i * 3), 0, NULL);
    for (i = 1; i < 16; i++)
        WaitForSingleObject(h[i], INFINITE);
    S_WAIT("any of 16, #0 still running", WaitForMultipleObjects(16, h, FALSE, INFINITE));
    S_WAIT("all of 16, #0 still running, 100 ms", WaitForMultipleObjects(16, h, TRUE, 100));
    SetEvent(g_go);
    S_WAIT("all of 16", WaitForMultipleObjects(16, h, TRUE, INFINITE));
    all = 1;
    for (i = 0; i < 16; i++) {
        code = 77;
        GetExitCodeThread(h[i], &code);
        all &= code == (DWORD)(i * 3);
        CloseHandle(h[i]);
    }
    t_yesno("every exit code is 3 * index", all);

    printf("-- closing the handle does not stop the thread\n");
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    t = s_thread(set_after_close, ev, 0, NULL);
    S_BOOL("CloseHandle(thread) at once", CloseHandle(t));
    S_WAIT("the thread still sets the event", WaitForSingleObject(ev, 10000));
    CloseHandle(ev);

    printf("-- CREATE_SUSPENDED\n");
    g_ran = 0;
    g_seen_id = 0;
    tid = 0;
    S_HANDLE("CreateThread(CREATE_SUSPENDED)", t, CreateThread(NULL, 0, note_and_return, NULL, CREATE_SUSPENDED, &tid));
    t_yesno("lpThreadId set", tid != 0);
    t_yesno("GetThreadId(handle) == lpThreadId", GetThreadId(t) == tid);
    Sleep(200);
    t_yesno("has not run after 200 ms", InterlockedCompareExchange((LONG *)&g_ran, 0, 0) == 0);
    show_code("exit code", t);
    S_WAIT("WaitForSingleObject(suspended thread, 100)", WaitForSingleObject(t, 100));
    S_DWORD("ResumeThread", ResumeThread(t));
    S_WAIT("WaitForSingleObject(thread, INFINITE)", WaitForSingleObject(t, INFINITE));
    t_yesno("has run", InterlockedCompareExchange((LONG *)&g_ran, 0, 0) == 1);
    t_yesno("its GetCurrentThreadId() == lpThreadId", g_seen_id == tid);
    t_yesno("GetThreadId(ended thread) == lpThreadId", GetThreadId(t) == tid);
    show_code("exit code", t);
    CloseHandle(t);
    ResetEvent(g_go);
    t = s_thread(wait_go, NULL, 0, NULL);
    S_DWORD("ResumeThread(running thread)", ResumeThread(t));
    SetEvent(g_go);
    s_join(t);
    S_DWORD("ResumeThread(NULL)", ResumeThread(NULL));
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    S_DWORD("ResumeThread(event)", ResumeThread(ev));

    printf("-- ids\n");
    g_seen_id = 0;
    tid = 0;
    t = CreateThread(NULL, 0, note_and_return, NULL, 0, &tid);
    s_join(t);
    t_yesno("the thread's GetCurrentThreadId() == lpThreadId", g_seen_id == tid);
    t_yesno("it differs from ours", tid != GetCurrentThreadId());
    t = CreateThread(NULL, 0, return_param, NULL, 0, NULL);
    t_yesno("lpThreadId NULL: a handle all the same", t != NULL);
    t_yesno("GetThreadId of it is not 0", GetThreadId(t) != 0);
    s_join(t);
    t_yesno("GetThreadId(GetCurrentThread()) == GetCurrentThreadId()", GetThreadId(GetCurrentThread()) == GetCurrentThreadId());
    S_DWORD("GetThreadId(NULL)", GetThreadId(NULL));
    S_DWORD("GetThreadId(event)", GetThreadId(ev));

    printf("-- GetCurrentThread and DuplicateHandle\n");
    t_yesno("GetCurrentThread() == (HANDLE)-2", GetCurrentThread() == (HANDLE)(LONG_PTR)-2);
    show_code("GetExitCodeThread(GetCurrentThread())", GetCurrentThread());
    S_WAIT("WaitForSingleObject(GetCurrentThread(), 0)", WaitForSingleObject(GetCurrentThread(), 0));
    self = NULL;
    S_BOOL("DuplicateHandle(GetCurrentThread())",
           DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &self, 0, FALSE, DUPLICATE_SAME_ACCESS));
    t_yesno("a real handle", self != NULL && self != GetCurrentThread());
    t_yesno("GetThreadId(real handle) == GetCurrentThreadId()", GetThreadId(self) == GetCurrentThreadId());
    show_code("GetExitCodeThread(real handle)", self);
    S_WAIT("WaitForSingleObject(real handle, 0)", WaitForSingleObject(self, 0));
    S_BOOL("CloseHandle(real handle)", CloseHandle(self));

    ResetEvent(g_go);
    g_ran = 0;
    g_dup = NULL;
    tid = 0;
    t = CreateThread(NULL, 0, dup_self, NULL, 0, &tid);
    wait_flag();
    other = g_dup;
    t_yesno("another thread's DuplicateHandle(GetCurrentThread()) gave a handle", other != NULL);
    t_yesno("GetThreadId(its real handle) == its id", GetThreadId(other) == tid);
    show_code("GetExitCodeThread(its real handle) while it runs", other);
    S_WAIT("WaitForSingleObject(its real handle, 0)", WaitForSingleObject(other, 0));
    SetEvent(g_go);
    S_WAIT("WaitForSingleObject(its real handle, INFINITE) after go", WaitForSingleObject(other, INFINITE));
    show_code("GetExitCodeThread(its real handle)", other);
    CloseHandle(other);
    printf("exit code through the CreateThread handle: %u\n", (unsigned)s_join(t));

    printf("-- inheritable thread handles\n");
    ResetEvent(g_go);
    t = CreateThread(NULL, 0, wait_go, NULL, 0, NULL);
    t2 = CreateThread(&inherit, 0, wait_go, NULL, 0, NULL);
    flags = 77;
    GetHandleInformation(t, &flags);
    printf("without SECURITY_ATTRIBUTES: flags=%u\n", (unsigned)flags);
    flags = 77;
    GetHandleInformation(t2, &flags);
    printf("with bInheritHandle TRUE: flags=%u\n", (unsigned)flags);
    SetEvent(g_go);
    s_join(t);
    s_join(t2);

    printf("-- bad handles\n");
    show_code("GetExitCodeThread(NULL)", NULL);
    show_code("GetExitCodeThread(event)", ev);
    t = CreateThread(NULL, 0, return_param, NULL, 0, NULL);
    s_join(t);
    show_code("GetExitCodeThread(closed thread handle)", t);
    S_WAIT("WaitForSingleObject(closed thread handle, 0)", WaitForSingleObject(t, 0));
    CloseHandle(ev);

    printf("-- ExitThread\n");
    ResetEvent(g_go);
    t2 = s_thread(wait_go, (LPVOID)(ULONG_PTR)4, 0, NULL);
    t = s_thread(exit_thread, NULL, 0, NULL);
    S_WAIT("ExitThread(7) in the routine: WaitForSingleObject", WaitForSingleObject(t, INFINITE));
    show_code("exit code", t);
    CloseHandle(t);
    t = s_thread(exit_thread, (LPVOID)(ULONG_PTR)1, 0, NULL);
    S_WAIT("ExitThread(8) in a function it calls: WaitForSingleObject", WaitForSingleObject(t, INFINITE));
    show_code("exit code", t);
    CloseHandle(t);
    show_code("another thread keeps running", t2);
    SetEvent(g_go);
    printf("its exit code: %u\n", (unsigned)s_join(t2));
    CloseHandle(g_go);
    return 0;
}
