/*
 * msg_thread_queue.c — thread message queues, without windows.
 *
 * Covers: PostThreadMessageA to oneself; PeekMessageA with PM_NOREMOVE (the message stays) and
 * PM_REMOVE, message-range filters (wMsgFilterMin/Max, 0/0 = all), posting order kept (also within a
 * filter); GetMessageA (TRUE, hwnd NULL, wParam/lParam); 64-bit wParam/lParam kept whole;
 * PostQuitMessage: WM_QUIT comes after every posted message, even those posted after it, GetMessage
 * returns 0 with the exit code in wParam, PeekMessage returns it as a message; WM_QUIT posted with
 * PostThreadMessageA; WM_COPYDATA by PostThreadMessageA → ERROR_MESSAGE_SYNC_ONLY (1159);
 * PostThreadMessageA to a thread that has no queue yet fails with ERROR_INVALID_THREAD_ID (1444),
 * and works once that thread called PeekMessage; the seed's in-process case: two
 * threads exchanging 100 messages through their queues, in order, the worker ended by WM_QUIT with an
 * exit code; WaitMessage woken by another thread's post; MsgWaitForMultipleObjects(Ex): time-out,
 * the event, a posted message (QS_POSTMESSAGE, QS_ALLINPUT), a mask that excludes it (QS_KEY), a
 * message already seen by PeekMessage(PM_NOREMOVE) does not wake it but MWMO_INPUTAVAILABLE does,
 * nCount 0 woken by another thread's post, MWMO_ALERTABLE with an APC queued (WAIT_IO_COMPLETION).
 */
#include "w32msg.h"

static DWORD main_tid;
static HANDLE ev_ready, ev_go;

static void print_wait(const char *label, DWORD r)
{
    if (r == WAIT_TIMEOUT)
        printf("%s: WAIT_TIMEOUT\n", label);
    else if (r == WAIT_IO_COMPLETION)
        printf("%s: WAIT_IO_COMPLETION\n", label);
    else if (r == WAIT_FAILED)
        printf("%s: WAIT_FAILED error=%u\n", label, (unsigned)GetLastError());
    else
        printf("%s: WAIT_OBJECT_0+%u\n", label, (unsigned)(r - WAIT_OBJECT_0));
}

/* A thread that makes no user32 call until told: it has no message queue until then. */
static DWORD WINAPI late_queue_thread(LPVOID arg)
{
    MSG msg;
    BOOL r;
    (void)arg;
    if (WaitForSingleObject(ev_go, 10000) != WAIT_OBJECT_0)
        return 10;
    m_ensure_queue();
    SetEvent(ev_ready);
    r = GetMessageA(&msg, NULL, 0, 0);
    if (r != TRUE || msg.message != WM_APP + 5)
        return 11;
    /* echo it back to the main thread */
    PostThreadMessageA(main_tid, WM_APP + 6, msg.wParam + 1, msg.lParam + 1);
    return 0;
}

/* The seed's in-process case: a worker answers every WM_APP+1 with WM_APP+2 (wParam doubled). */
static DWORD WINAPI echo_thread(LPVOID arg)
{
    MSG msg;
    BOOL r;
    (void)arg;
    m_ensure_queue();
    SetEvent(ev_ready);
    while ((r = GetMessageA(&msg, NULL, 0, 0)) > 0) {
        if (msg.message == WM_APP + 1)
            PostThreadMessageA(main_tid, WM_APP + 2, msg.wParam * 2, msg.lParam);
    }
    if (r < 0)
        return 99;
    return (DWORD)msg.wParam; /* WM_QUIT's exit code */
}

/* Posts WM_APP+9 to the main thread after a pause. */
static DWORD WINAPI late_poster(LPVOID arg)
{
    Sleep((DWORD)(ULONG_PTR)arg);
    return PostThreadMessageA(main_tid, WM_APP + 9, 9, 0) ? 0 : 1;
}

static void CALLBACK apc(ULONG_PTR arg)
{
    (void)arg;
}

static void drain(void)
{
    MSG msg;
    while (PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE))
        ;
}

int main(void)
{
    MSG msg;
    HANDLE th, ev;
    DWORD tid, r, code;
    int i, in_order, got;
    BOOL ok;

    t_init();
    main_tid = GetCurrentThreadId();
    ev_ready = CreateEventA(NULL, FALSE, FALSE, NULL);
    ev_go = CreateEventA(NULL, FALSE, FALSE, NULL);

    printf("-- posting to oneself, peek and get\n");
    m_peek("PeekMessageA on an empty queue", NULL, 0, 0, PM_REMOVE, NULL);
    m_bool("PostThreadMessageA WM_USER+1", PostThreadMessageA(main_tid, WM_USER + 1, 10, 20));
    m_bool("PostThreadMessageA WM_USER+2", PostThreadMessageA(main_tid, WM_USER + 2, 11, 21));
    m_bool("PostThreadMessageA WM_APP+1", PostThreadMessageA(main_tid, WM_APP + 1, 12, 22));
    m_bool("PostThreadMessageA WM_USER+3", PostThreadMessageA(main_tid, WM_USER + 3, 13, 23));
    m_bool("PostThreadMessageA WM_USER+2 again", PostThreadMessageA(main_tid, WM_USER + 2, 14, 24));
    m_peek("PeekMessageA PM_NOREMOVE", NULL, 0, 0, PM_NOREMOVE, NULL);
    m_peek("PeekMessageA PM_NOREMOVE again (still there)", NULL, 0, 0, PM_NOREMOVE, NULL);
    m_peek("PeekMessageA WM_USER+2..WM_USER+3 PM_REMOVE", NULL, WM_USER + 2, WM_USER + 3, PM_REMOVE, NULL);
    m_peek("PeekMessageA WM_USER+2..WM_USER+3 PM_REMOVE", NULL, WM_USER + 2, WM_USER + 3, PM_REMOVE, NULL);
    m_peek("PeekMessageA WM_USER+2..WM_USER+2 PM_NOREMOVE", NULL, WM_USER + 2, WM_USER + 2, PM_NOREMOVE, NULL);
    m_peek("PeekMessageA WM_USER+2..WM_USER+2 PM_REMOVE", NULL, WM_USER + 2, WM_USER + 2, PM_REMOVE, NULL);
    m_peek("PeekMessageA WM_USER+2..WM_USER+3 (none left)", NULL, WM_USER + 2, WM_USER + 3, PM_REMOVE, NULL);
    m_peek("PeekMessageA WM_APP..WM_APP+10", NULL, WM_APP, WM_APP + 10, PM_REMOVE, NULL);
    memset(&msg, 0x55, sizeof msg);
    ok = GetMessageA(&msg, NULL, 0, 0);
    printf("GetMessageA: %d %s hwnd=%s w=%lld l=%lld\n", ok, m_msgname(msg.message), msg.hwnd ? "window" : "NULL",
           (long long)msg.wParam, (long long)msg.lParam);
    m_peek("PeekMessageA (queue empty again)", NULL, 0, 0, PM_REMOVE, NULL);

    printf("-- 64-bit parameters\n");
    PostThreadMessageA(main_tid, WM_USER + 4, (WPARAM)0x8123456789abcdefULL, (LPARAM)-2);
    ok = PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE);
    printf("wParam whole: %s, lParam -2: %s\n", ok && msg.wParam == (WPARAM)0x8123456789abcdefULL ? "yes" : "no",
           ok && msg.lParam == -2 ? "yes" : "no");

    printf("-- GetMessageA with a filter skips other messages\n");
    PostThreadMessageA(main_tid, WM_USER + 5, 1, 0);
    PostThreadMessageA(main_tid, WM_APP + 3, 2, 0);
    ok = GetMessageA(&msg, NULL, WM_APP, WM_APP + 5);
    printf("GetMessageA WM_APP..WM_APP+5: %d %s w=%lld\n", ok, m_msgname(msg.message), (long long)msg.wParam);
    m_peek("PeekMessageA (the skipped one)", NULL, 0, 0, PM_REMOVE, NULL);

    printf("-- WM_QUIT\n");
    PostThreadMessageA(main_tid, WM_USER + 6, 1, 0);
    PostQuitMessage(7);
    PostThreadMessageA(main_tid, WM_USER + 7, 2, 0);
    for (i = 0; i < 3; i++) {
        ok = GetMessageA(&msg, NULL, 0, 0);
        printf("GetMessageA: %d %s w=%lld\n", ok, m_msgname(msg.message), (long long)msg.wParam);
    }
    PostQuitMessage(3);
    m_peek("PeekMessageA after PostQuitMessage(3)", NULL, 0, 0, PM_REMOVE, NULL);
    m_peek("PeekMessageA again", NULL, 0, 0, PM_REMOVE, NULL);
    m_bool("PostThreadMessageA WM_QUIT", PostThreadMessageA(main_tid, WM_QUIT, 4, 5));
    ok = GetMessageA(&msg, NULL, 0, 0);
    printf("GetMessageA: %d %s w=%lld l=%lld\n", ok, m_msgname(msg.message), (long long)msg.wParam, (long long)msg.lParam);

    printf("-- WM_COPYDATA cannot be posted\n");
    SetLastError(0);
    m_bool("PostThreadMessageA WM_COPYDATA", PostThreadMessageA(main_tid, WM_COPYDATA, 0, 0));
    m_peek("PeekMessageA (nothing was queued)", NULL, 0, 0, PM_REMOVE, NULL);

    printf("-- a thread without a message queue\n");
    th = CreateThread(NULL, 0, late_queue_thread, NULL, 0, &tid);
    SetLastError(0);
    m_bool("PostThreadMessageA before it has a queue", PostThreadMessageA(tid, WM_APP + 5, 1, 2));
    SetEvent(ev_go);
    printf("the thread made its queue: %s\n", WaitForSingleObject(ev_ready, 10000) == WAIT_OBJECT_0 ? "yes" : "no");
    m_bool("PostThreadMessageA after", PostThreadMessageA(tid, WM_APP + 5, 30, 40));
    code = m_join("late-queue thread", th, 10000);
    printf("thread exit code: %u\n", (unsigned)code);
    ok = PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE);
    printf("its answer: %s %s w=%lld l=%lld\n", ok ? "TRUE" : "FALSE", m_msgname(msg.message), (long long)msg.wParam,
           (long long)msg.lParam);

    printf("-- two threads exchange messages (the seed's in-process case)\n");
    th = CreateThread(NULL, 0, echo_thread, NULL, 0, &tid);
    printf("worker ready: %s\n", WaitForSingleObject(ev_ready, 10000) == WAIT_OBJECT_0 ? "yes" : "no");
    ok = TRUE;
    for (i = 0; i < 100; i++)
        ok = ok && PostThreadMessageA(tid, WM_APP + 1, (WPARAM)i, (LPARAM)(1000 + i));
    printf("100 posts: %s\n", ok ? "TRUE" : "FALSE");
    in_order = 1;
    got = 0;
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    while (got < 100) {
        r = MsgWaitForMultipleObjects(1, &ev, FALSE, 10000, QS_POSTMESSAGE);
        if (r != WAIT_OBJECT_0 + 1)
            break;
        while (got < 100 && PeekMessageA(&msg, NULL, WM_APP + 2, WM_APP + 2, PM_REMOVE)) {
            if (msg.wParam != (WPARAM)(2 * got) || msg.lParam != 1000 + got)
                in_order = 0;
            got++;
        }
    }
    printf("answers: %d, in order: %s\n", got, in_order ? "yes" : "no");
    m_bool("PostThreadMessageA WM_QUIT to the worker", PostThreadMessageA(tid, WM_QUIT, 42, 0));
    code = m_join("worker", th, 10000);
    printf("worker exit code (WM_QUIT's wParam): %u\n", (unsigned)code);
    drain();

    printf("-- WaitMessage\n");
    th = CreateThread(NULL, 0, late_poster, (LPVOID)(ULONG_PTR)100, 0, NULL);
    m_bool("WaitMessage", WaitMessage());
    m_peek("PeekMessageA", NULL, 0, 0, PM_REMOVE, NULL);
    printf("poster exit code: %u\n", (unsigned)m_join("poster", th, 10000));

    printf("-- MsgWaitForMultipleObjects\n");
    print_wait("nothing, 50 ms", MsgWaitForMultipleObjects(1, &ev, FALSE, 50, QS_ALLINPUT));
    SetEvent(ev);
    print_wait("the event signalled", MsgWaitForMultipleObjects(1, &ev, FALSE, 50, QS_ALLINPUT));
    ResetEvent(ev);
    PostThreadMessageA(main_tid, WM_USER + 8, 0, 0);
    print_wait("a posted message, QS_KEY", MsgWaitForMultipleObjects(1, &ev, FALSE, 50, QS_KEY));
    print_wait("a posted message, QS_POSTMESSAGE", MsgWaitForMultipleObjects(1, &ev, FALSE, 50, QS_POSTMESSAGE));
    print_wait("a posted message, QS_ALLINPUT", MsgWaitForMultipleObjects(1, &ev, FALSE, 50, QS_ALLINPUT));
    SetEvent(ev);
    print_wait("a posted message and the event", MsgWaitForMultipleObjects(1, &ev, FALSE, 50, QS_ALLINPUT));
    ResetEvent(ev);
    m_peek("PeekMessageA PM_NOREMOVE", NULL, 0, 0, PM_NOREMOVE, NULL);
    print_wait("the same message, seen by PeekMessage", MsgWaitForMultipleObjects(1, &ev, FALSE, 50, QS_ALLINPUT));
    print_wait("MsgWaitForMultipleObjectsEx MWMO_INPUTAVAILABLE",
               MsgWaitForMultipleObjectsEx(1, &ev, 50, QS_ALLINPUT, MWMO_INPUTAVAILABLE));
    drain();
    th = CreateThread(NULL, 0, late_poster, (LPVOID)(ULONG_PTR)100, 0, NULL);
    print_wait("nCount 0, another thread posts", MsgWaitForMultipleObjects(0, NULL, FALSE, 10000, QS_ALLINPUT));
    m_peek("PeekMessageA", NULL, 0, 0, PM_REMOVE, NULL);
    m_join("poster", th, 10000);
    print_wait("MsgWaitForMultipleObjectsEx, nothing, 50 ms", MsgWaitForMultipleObjectsEx(1, &ev, 50, QS_ALLINPUT, 0));
    QueueUserAPC(apc, GetCurrentThread(), 0);
    print_wait("MsgWaitForMultipleObjectsEx MWMO_ALERTABLE, an APC queued",
               MsgWaitForMultipleObjectsEx(1, &ev, 5000, QS_ALLINPUT, MWMO_ALERTABLE));
    SetEvent(ev);
    print_wait("MsgWaitForMultipleObjectsEx, the event", MsgWaitForMultipleObjectsEx(1, &ev, 50, QS_ALLINPUT, 0));

    CloseHandle(ev);
    CloseHandle(ev_ready);
    CloseHandle(ev_go);
    return 0;
}
