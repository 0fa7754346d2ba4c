/*
 * msg_reentrant.c — a thread blocked in SendMessage serves messages sent to it.
 *
 * Covers, between two threads of one process (windows WA of the main thread and WB of a worker that
 * pumps with GetMessageA): A sends to WB, B's handler sends back to WA, and A — still inside
 * SendMessageA — runs that handler on its own thread (InSendMessage TRUE there); the results come
 * back through both sends; a ping-pong of nested sends 8 deep alternating between the two threads;
 * a message B *posts* to A during the send is not dispatched by SendMessage (it is still in A's
 * queue afterwards), a message B *sends* is; SendMessageTimeoutA with SMTO_NORMAL serves sends too.
 * Between two processes (a peer child with window WC; the parent's window WP): parent → WC → WP →
 * WC nested three deep with the results combined; a ping-pong 6 deep; both processes sending to each
 * other at the same moment complete (no deadlock). Handlers always run on the thread that owns the
 * window (yes/no). A watchdog thread ends the test if anything hangs.
 */
#include "w32msg.h"

static HWND wa, wb;
static DWORD tid_a, tid_b;
static char log_buf[4096];

static void logf_(const char *fmt, ...)
{
    size_t len = strlen(log_buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(log_buf + len, sizeof log_buf - len, fmt, ap);
    va_end(ap);
}

static void print_log(void)
{
    t_print_lines("  ", log_buf);
    log_buf[0] = '\0';
}

static const char *who(HWND h)
{
    return h == wa ? "A" : h == wb ? "B" : "?";
}

static int on_own_thread(HWND h)
{
    return GetWindowThreadProcessId(h, NULL) == GetCurrentThreadId();
}

static LRESULT CALLBACK proc(HWND h, UINT m, WPARAM w, LPARAM l)
{
    LRESULT r;
    switch (m) {
    case WM_USER + 1: /* on B: send back to A */
        logf_("%s got WM_USER+1 w=%lld, own thread: %s\n", who(h), (long long)w, on_own_thread(h) ? "yes" : "no");
        r = SendMessageA(wa, WM_USER + 2, w, 0);
        logf_("%s: SendMessageA to A returned %lld\n", who(h), (long long)r);
        return r + 1;
    case WM_USER + 2: /* on A, while A is inside SendMessageA */
        logf_("%s got WM_USER+2 w=%lld, own thread: %s, InSendMessage: %s\n", who(h), (long long)w,
              on_own_thread(h) ? "yes" : "no", InSendMessage() ? "TRUE" : "FALSE");
        return (LRESULT)w * 10;
    case WM_USER + 3: /* ping-pong: wParam = remaining depth */
        logf_("%s depth %lld own thread: %s\n", who(h), (long long)w, on_own_thread(h) ? "yes" : "no");
        if (w == 0)
            return 0;
        return 1 + SendMessageA(h == wa ? wb : wa, WM_USER + 3, w - 1, 0);
    case WM_USER + 4: /* on B: post one to A, send one to A */
        PostThreadMessageA(tid_a, WM_APP + 1, 1, 0);
        PostMessageA(wa, WM_APP + 2, 2, 0);
        return SendMessageA(wa, WM_USER + 5, 0, 0);
    case WM_USER + 5:
        logf_("%s got WM_USER+5 (sent during its SendMessageA)\n", who(h));
        return 5;
    case WM_APP + 2:
        logf_("%s got WM_APP+2 (posted) dispatched\n", who(h));
        return 0;
    case WM_USER + 6: /* on B: SendMessageTimeoutA back to A */
    {
        DWORD_PTR res = 0;
        LRESULT ok = SendMessageTimeoutA(wa, WM_USER + 2, 3, 0, SMTO_NORMAL, 5000, &res);
        logf_("%s: SendMessageTimeoutA to A: %s, result %lld\n", who(h), ok ? "nonzero" : "0", (long long)res);
        return (LRESULT)res;
    }
    default:
        return DefWindowProcA(h, m, w, l);
    }
}

static HANDLE ev_ready;

static DWORD WINAPI thread_b(LPVOID arg)
{
    MSG msg;
    (void)arg;
    wb = m_msg_window(m_name("reent"), "B", NULL);
    tid_b = GetCurrentThreadId();
    SetEvent(ev_ready);
    while (GetMessageA(&msg, NULL, 0, 0) > 0)
        DispatchMessageA(&msg);
    DestroyWindow(wb);
    return 0;
}

static DWORD WINAPI watchdog(LPVOID arg)
{
    Sleep((DWORD)(ULONG_PTR)arg);
    printf("watchdog: the test hung, ending it\n");
    ExitProcess(3);
}

/* ---- two processes ---- */

static HWND wc, wp;
static HANDLE ev_go, ev_done;
static int is_child;

static LRESULT CALLBACK xproc(HWND h, UINT m, WPARAM w, LPARAM l)
{
    const char *me = is_child ? "child" : "parent";
    HWND other = is_child ? wp : wc;
    switch (m) {
    case WM_USER + 1: /* child: wParam is the parent's window */
        wp = (HWND)w;
        logf_("%s got WM_USER+1, own thread: %s\n", me, on_own_thread(h) ? "yes" : "no");
        return SendMessageA(wp, WM_USER + 2, 0, 0) + 1;
    case WM_USER + 2: /* parent, inside its SendMessageA */
        logf_("%s got WM_USER+2 inside its SendMessageA, InSendMessage: %s\n", me, InSendMessage() ? "TRUE" : "FALSE");
        return SendMessageA(wc, WM_USER + 3, 0, 0) * 10;
    case WM_USER + 3: /* child, inside its SendMessageA */
        logf_("%s got WM_USER+3 inside its SendMessageA\n", me);
        return 4;
    case WM_USER + 4: /* ping-pong */
        logf_("%s depth %lld\n", me, (long long)w);
        if (w == 0)
            return 0;
        return 1 + SendMessageA(other, WM_USER + 4, w - 1, 0);
    case WM_USER + 5: /* the simultaneous send */
        return is_child ? 'C' : 'P';
    case WM_CLOSE:
        PostQuitMessage(0);
        return 0;
    default:
        return DefWindowProcA(h, m, w, l);
    }
}

static const char *ev_name(const char *what, unsigned long pid)
{
    static char names[4][96];
    static int next;
    char *out = names[next++ % 4];
    snprintf(out, 96, "w32ipc-reent-%s-%lu", what, pid);
    return out;
}

/* argv: peer CLASS PARENTPID PARENTCLASS */
static int peer_child(char **argv)
{
    unsigned long ppid = strtoul(argv[3], NULL, 10);
    HANDLE ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, ev_name("ready", ppid));
    MSG msg;
    LRESULT r;
    DWORD start = GetTickCount();
    is_child = 1;
    ev_go = OpenEventA(SYNCHRONIZE, FALSE, ev_name("go", ppid));
    ev_done = OpenEventA(EVENT_MODIFY_STATE, FALSE, ev_name("done", ppid));
    if (!ready || !ev_go || !ev_done || !m_register(argv[2], xproc, 0))
        return 10;
    wc = m_msg_window(argv[2], "peer", NULL);
    SetEvent(ready);
    /* serve until the simultaneous-send step */
    if (!m_pump_until(ev_go, 20000))
        return 11;
    wp = FindWindowExA(HWND_MESSAGE, NULL, argv[4], "parent");
    r = SendMessageA(wp, WM_USER + 5, 0, 0);
    logf_("child: simultaneous SendMessageA to the parent returned '%c'\n", (char)r);
    SetEvent(ev_done);
    while (GetMessageA(&msg, NULL, 0, 0) > 0 && GetTickCount() - start < 30000)
        DispatchMessageA(&msg);
    printf("%s", log_buf);
    return 0;
}

int main(int argc, char **argv)
{
    HANDLE th, out, ready;
    PROCESS_INFORMATION pi;
    char args[300];
    MSG msg;
    LRESULT r;
    DWORD_PTR res;
    unsigned long me = (unsigned long)GetCurrentProcessId();
    const char *xcls = m_name("reent-x"), *pcls = m_name("reent-p");

    if (argc >= 5 && strcmp(argv[1], "peer") == 0)
        return peer_child(argv);
    t_init();
    CloseHandle(CreateThread(NULL, 0, watchdog, (LPVOID)(ULONG_PTR)50000, 0, NULL));

    printf("-- two threads of one process\n");
    m_register(m_name("reent"), proc, 0);
    wa = m_msg_window(m_name("reent"), "A", NULL);
    tid_a = GetCurrentThreadId();
    ev_ready = CreateEventA(NULL, FALSE, FALSE, NULL);
    th = CreateThread(NULL, 0, thread_b, NULL, 0, NULL);
    printf("B ready: %s\n", WaitForSingleObject(ev_ready, 10000) == WAIT_OBJECT_0 ? "yes" : "no");
    r = SendMessageA(wb, WM_USER + 1, 4, 0);
    printf("A: SendMessageA WM_USER+1 to B: %lld\n", (long long)r);
    print_log();
    r = SendMessageA(wb, WM_USER + 3, 8, 0);
    printf("A: ping-pong 8 deep: %lld\n", (long long)r);
    print_log();
    r = SendMessageA(wb, WM_USER + 4, 0, 0);
    printf("A: SendMessageA WM_USER+4 to B (B posts two, sends one): %lld\n", (long long)r);
    print_log();
    m_peek("A: the thread message B posted is still queued", NULL, WM_APP + 1, WM_APP + 1, PM_REMOVE, NULL);
    printf("A: the window message B posted is still queued: %s\n",
           PeekMessageA(&msg, wa, WM_APP + 2, WM_APP + 2, PM_REMOVE) ? "yes" : "no");
    DispatchMessageA(&msg);
    print_log();
    res = 0;
    r = SendMessageTimeoutA(wb, WM_USER + 6, 0, 0, SMTO_NORMAL, 5000, &res);
    printf("A: SendMessageTimeoutA SMTO_NORMAL to B: %s, result %lld\n", r ? "nonzero" : "0", (long long)res);
    print_log();
    PostThreadMessageA(tid_b, WM_QUIT, 0, 0);
    printf("B ended: %s\n", WaitForSingleObject(th, 10000) == WAIT_OBJECT_0 ? "yes" : "no");
    CloseHandle(th);

    printf("-- two processes\n");
    ready = CreateEventA(NULL, FALSE, FALSE, ev_name("ready", me));
    ev_go = CreateEventA(NULL, TRUE, FALSE, ev_name("go", me));
    ev_done = CreateEventA(NULL, TRUE, FALSE, ev_name("done", me));
    m_register(pcls, xproc, 0);
    wp = m_msg_window(pcls, "parent", NULL);
    snprintf(args, sizeof args, "peer %s %lu %s", xcls, me, pcls);
    m_bool("spawn the peer", t_spawn_captured(args, &pi, &out));
    printf("peer ready: %s\n", WaitForSingleObject(ready, 10000) == WAIT_OBJECT_0 ? "yes" : "no");
    wc = m_hwnd("FindWindowExA the peer", FindWindowExA(HWND_MESSAGE, NULL, xcls, "peer"));
    r = SendMessageA(wc, WM_USER + 1, (WPARAM)wp, 0);
    printf("parent: SendMessageA WM_USER+1 (child → parent → child nested): %lld\n", (long long)r);
    print_log();
    r = SendMessageA(wc, WM_USER + 4, 6, 0);
    printf("parent: ping-pong 6 deep: %lld\n", (long long)r);
    print_log();
    SetEvent(ev_go);
    r = SendMessageA(wc, WM_USER + 5, 0, 0);
    printf("parent: simultaneous SendMessageA to the child returned '%c'\n", (char)r);
    printf("the child's send completed: %s\n", m_pump_until(ev_done, 10000) ? "yes" : "no");
    PostMessageA(wc, WM_CLOSE, 0, 0);
    t_finish_child("peer", &pi, out, 10000);
    CloseHandle(ready);
    CloseHandle(ev_go);
    CloseHandle(ev_done);
    return 0;
}
