/*
 * msg_windows.c — window classes and message-only windows in one process.
 *
 * Covers: RegisterClassA/W and RegisterClassExA/W (an atom; the same name again, in either
 * character set or another case → ERROR_CLASS_ALREADY_EXISTS 1410; RegisterClassExA with a wrong
 * cbSize → 87); UnregisterClassA/W (a class with a window → ERROR_CLASS_HAS_WINDOWS 1412, then TRUE,
 * then ERROR_CLASS_DOES_NOT_EXIST 1411); CreateWindowExA/W under HWND_MESSAGE: the procedure sees
 * WM_NCCREATE and WM_CREATE (lpCreateParams, the title) before CreateWindowEx returns; an
 * unregistered class → NULL; WM_CREATE returning -1 or WM_NCCREATE returning FALSE → NULL, the
 * window gone after WM_NCDESTROY (no WM_DESTROY; the last error is not printed); DestroyWindow:
 * WM_DESTROY then WM_NCDESTROY, IsWindow FALSE after, DestroyWindow again → FALSE, from another
 * thread → ERROR_ACCESS_DENIED (5), the messages posted to the window leave the queue with it;
 * WM_CLOSE through DefWindowProcA destroys the window;
 * IsWindow(NULL); GetWindowThreadProcessId (own ids, yes/no; a destroyed window → 0 and 1400);
 * Set/GetWindowLongPtrA with GWLP_USERDATA (0 at first, previous value returned, 64 bits kept),
 * cbWndExtra slots (index 8 of 16 bytes; index 16 → ERROR_INVALID_INDEX 1413), a destroyed window
 * (1400); GWLP_WNDPROC subclassing (the old procedure returned, the new one
 * sees messages first and passes others on with CallWindowProcA); DefWindowProcA of WM_USER and of
 * WM_COPYDATA → 0; SendMessageA to a window of one's own thread calls the procedure directly
 * (InSendMessage FALSE); RegisterWindowMessageA/W (same string → same id in 0xC000..0xFFFF, A and W
 * agree, another string → another id); FindWindowExA/W under HWND_MESSAGE by class, by title, by
 * both, enumerating three windows of one class (each found once, order not printed), after one was
 * destroyed, nothing for a missing title.
 *
 * Not printed: the error of CreateWindowEx for a missing class (Windows ERROR_CANNOT_FIND_WND_CLASS
 * 1407, Wine 8 ERROR_CLASS_DOES_NOT_EXIST 1411) and of DestroyWindow on a destroyed window
 * (Windows ERROR_INVALID_WINDOW_HANDLE 1400, Wine 8 ERROR_ACCESS_DENIED 5).
 * Left out: FindWindowA/W on message-only windows (Windows does not find them, Wine 8 does),
 * top-level windows and child windows (Wine without a display driver cannot create them, not even
 * under a message-only parent; see msg_toplevel.c).
 */
#include "w32msg.h"

static char log_buf[2048];
static HWND log_only; /* log only messages of this window (NULL: every window) */

static void log_msg(HWND h, const char *who, UINT m)
{
    size_t len = strlen(log_buf);
    if (log_only != NULL && h != log_only)
        return;
    if (m == WM_NCCREATE || m == WM_CREATE || m == WM_DESTROY || m == WM_NCDESTROY)
        snprintf(log_buf + len, sizeof log_buf - len, "%s%s:%s", len ? " " : "", who, m_msgname(m));
}

static void print_log(const char *label)
{
    printf("%s: %s\n", label, log_buf);
    log_buf[0] = '\0';
}

static LRESULT CALLBACK proc_a(HWND h, UINT m, WPARAM w, LPARAM l)
{
    log_msg(h, "w", m);
    if (m == WM_NCCREATE && ((CREATESTRUCTA *)l)->lpCreateParams == (LPVOID)(ULONG_PTR)0xbeef)
        return FALSE;
    if (m == WM_CREATE) {
        CREATESTRUCTA *cs = (CREATESTRUCTA *)l;
        if (cs->lpCreateParams == (LPVOID)(ULONG_PTR)0x1234)
            printf("  WM_CREATE: lpCreateParams matches, title \"%s\"\n", cs->lpszName);
        if (cs->lpCreateParams == (LPVOID)(ULONG_PTR)0xdead)
            return -1;
    }
    if (m == WM_USER + 1)
        return 101;
    if (m == WM_USER + 2)
        return InSendMessage() ? 1 : 0;
    if (m == WM_USER + 8)
        return 88;
    return DefWindowProcA(h, m, w, l);
}

static LRESULT CALLBACK proc_w(HWND h, UINT m, WPARAM w, LPARAM l)
{
    log_msg(h, "wide", m);
    return DefWindowProcW(h, m, w, l);
}

static WNDPROC old_proc;
static LRESULT CALLBACK subclass_proc(HWND h, UINT m, WPARAM w, LPARAM l)
{
    if (m == WM_USER + 7)
        return 77;
    if (m == WM_USER + 8)
        return 1000 + CallWindowProcA(old_proc, h, m, w, l);
    return CallWindowProcA(old_proc, h, m, w, l);
}

static HWND destroy_target;
static DWORD WINAPI destroyer(LPVOID arg)
{
    BOOL ok;
    (void)arg;
    SetLastError(0);
    ok = DestroyWindow(destroy_target);
    m_bool("DestroyWindow from another thread", ok);
    return 0;
}

static void print_atom(const char *label, ATOM a)
{
    DWORD e = GetLastError();
    if (a != 0)
        printf("%s: atom\n", label);
    else
        printf("%s: 0 error=%u %s\n", label, (unsigned)e, m_errname(e));
}

int main(void)
{
    const char *cls = m_name("win-a"), *clsw = m_name("win-w"), *clsex = m_name("win-exa"), *clsexw = m_name("win-exw");
    char upper[160];
    WNDCLASSA wc;
    WNDCLASSW wcw;
    WNDCLASSEXA wcx;
    WNDCLASSEXW wcxw;
    HWND h, hw, found[3], f;
    HANDLE th;
    DWORD tid, pid;
    LONG_PTR v;
    UINT id1, id2, id3, id4;
    int i, n, seen[3];
    size_t k;

    t_init();

    printf("-- RegisterClass\n");
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = proc_a;
    wc.cbWndExtra = 16;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = cls;
    print_atom("RegisterClassA", RegisterClassA(&wc));
    SetLastError(0);
    print_atom("RegisterClassA the same name", RegisterClassA(&wc));
    for (k = 0; cls[k] && k + 1 < sizeof upper; k++)
        upper[k] = (char)(cls[k] >= 'a' && cls[k] <= 'z' ? cls[k] - 32 : cls[k]);
    upper[k] = '\0';
    wc.lpszClassName = upper;
    SetLastError(0);
    print_atom("RegisterClassA the name in upper case", RegisterClassA(&wc));
    wc.lpszClassName = cls;
    memset(&wcw, 0, sizeof wcw);
    wcw.lpfnWndProc = proc_w;
    wcw.hInstance = GetModuleHandleA(NULL);
    wcw.lpszClassName = m_wide(cls);
    SetLastError(0);
    print_atom("RegisterClassW the same name", RegisterClassW(&wcw));
    wcw.lpszClassName = m_wide(clsw);
    print_atom("RegisterClassW", RegisterClassW(&wcw));
    memset(&wcx, 0, sizeof wcx);
    wcx.cbSize = sizeof wcx;
    wcx.lpfnWndProc = proc_a;
    wcx.hInstance = GetModuleHandleA(NULL);
    wcx.lpszClassName = clsex;
    wcx.cbSize = sizeof wcx - 4;
    SetLastError(0);
    print_atom("RegisterClassExA with a wrong cbSize", RegisterClassExA(&wcx));
    wcx.cbSize = sizeof wcx;
    print_atom("RegisterClassExA", RegisterClassExA(&wcx));
    SetLastError(0);
    print_atom("RegisterClassExA the same name", RegisterClassExA(&wcx));
    memset(&wcxw, 0, sizeof wcxw);
    wcxw.cbSize = sizeof wcxw;
    wcxw.lpfnWndProc = proc_w;
    wcxw.hInstance = GetModuleHandleA(NULL);
    wcxw.lpszClassName = m_wide(clsexw);
    print_atom("RegisterClassExW", RegisterClassExW(&wcxw));
    SetLastError(0);
    print_atom("RegisterClassExW the same name", RegisterClassExW(&wcxw));

    printf("-- CreateWindowEx under HWND_MESSAGE\n");
    SetLastError(0);
    m_hwnd_q("CreateWindowExA of a missing class", m_msg_window(m_name("no-such-class"), "x", NULL));
    h = m_hwnd("CreateWindowExA", CreateWindowExA(0, cls, "first", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                                                  GetModuleHandleA(NULL), (LPVOID)(ULONG_PTR)0x1234));
    print_log("messages during CreateWindowExA");
    m_tf("IsWindow", IsWindow(h));
    m_tf("IsWindow(NULL)", IsWindow(NULL));
    m_hwnd_q("CreateWindowExA whose WM_CREATE returns -1", m_msg_window(cls, "refused", (LPVOID)(ULONG_PTR)0xdead));
    print_log("messages during it");
    printf("FindWindowExA finds it: %s\n", FindWindowExA(HWND_MESSAGE, NULL, cls, "refused") ? "yes" : "no");
    m_hwnd_q("CreateWindowExA whose WM_NCCREATE returns FALSE", m_msg_window(cls, "refused", (LPVOID)(ULONG_PTR)0xbeef));
    print_log("messages during it");
    hw = m_hwnd("CreateWindowExW", CreateWindowExW(0, m_wide(clsw), m_wide("wide"), 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                                                   GetModuleHandleA(NULL), NULL));
    print_log("messages during CreateWindowExW");

    printf("-- GetWindowThreadProcessId\n");
    pid = 0;
    tid = GetWindowThreadProcessId(h, &pid);
    printf("thread is ours: %s, process is ours: %s\n", tid == GetCurrentThreadId() ? "yes" : "no",
           pid == GetCurrentProcessId() ? "yes" : "no");
    printf("with NULL for the pid, thread is ours: %s\n", GetWindowThreadProcessId(h, NULL) == GetCurrentThreadId() ? "yes" : "no");

    printf("-- window longs\n");
    SetLastError(0);
    m_val("GWLP_USERDATA at first", GetWindowLongPtrA(h, GWLP_USERDATA));
    v = SetWindowLongPtrA(h, GWLP_USERDATA, (LONG_PTR)0x1122334455667788LL);
    printf("SetWindowLongPtrA GWLP_USERDATA returns the previous: %lld\n", (long long)v);
    v = SetWindowLongPtrA(h, GWLP_USERDATA, (LONG_PTR)-7);
    printf("again, previous kept whole: %s\n", v == (LONG_PTR)0x1122334455667788LL ? "yes" : "no");
    printf("GetWindowLongPtrA GWLP_USERDATA: %lld\n", (long long)GetWindowLongPtrA(h, GWLP_USERDATA));
    printf("GetWindowLongPtrW GWLP_USERDATA: %lld\n", (long long)GetWindowLongPtrW(h, GWLP_USERDATA));
    printf("extra slot 8 at first: %lld\n", (long long)GetWindowLongPtrA(h, 8));
    SetWindowLongPtrA(h, 8, (LONG_PTR)0x0102030405060708LL);
    printf("extra slot 8 after set: 0x%llx\n", (unsigned long long)GetWindowLongPtrA(h, 8));
    SetLastError(0);
    m_val("extra slot 16 (past cbWndExtra)", GetWindowLongPtrA(h, 16));
    SetLastError(0);
    m_val("SetWindowLongPtrA slot 16", SetWindowLongPtrA(h, 16, 5));

    printf("-- subclassing through GWLP_WNDPROC\n");
    printf("SendMessageA WM_USER+1 (own thread): %lld\n", (long long)SendMessageA(h, WM_USER + 1, 0, 0));
    printf("InSendMessage inside, own thread: %lld\n", (long long)SendMessageA(h, WM_USER + 2, 0, 0));
    printf("GetWindowLongPtrA GWLP_WNDPROC is the class procedure: %s\n",
           (WNDPROC)GetWindowLongPtrA(h, GWLP_WNDPROC) == proc_a ? "yes" : "no");
    old_proc = (WNDPROC)SetWindowLongPtrA(h, GWLP_WNDPROC, (LONG_PTR)subclass_proc);
    printf("SetWindowLongPtrA GWLP_WNDPROC returns the class procedure: %s\n", old_proc == proc_a ? "yes" : "no");
    printf("GetWindowLongPtrA GWLP_WNDPROC is the new one: %s\n",
           (WNDPROC)GetWindowLongPtrA(h, GWLP_WNDPROC) == subclass_proc ? "yes" : "no");
    printf("SendMessageA WM_USER+7 (new procedure only): %lld\n", (long long)SendMessageA(h, WM_USER + 7, 0, 0));
    printf("SendMessageA WM_USER+8 (both): %lld\n", (long long)SendMessageA(h, WM_USER + 8, 0, 0));
    printf("SendMessageA WM_USER+1 (passed on): %lld\n", (long long)SendMessageA(h, WM_USER + 1, 0, 0));
    SetWindowLongPtrA(h, GWLP_WNDPROC, (LONG_PTR)old_proc);
    printf("SendMessageA WM_USER+7 after restoring: %lld\n", (long long)SendMessageA(h, WM_USER + 7, 0, 0));

    printf("-- DefWindowProc\n");
    printf("DefWindowProcA WM_USER+5: %lld\n", (long long)DefWindowProcA(h, WM_USER + 5, 1, 2));
    printf("DefWindowProcA WM_APP+5: %lld\n", (long long)DefWindowProcA(h, WM_APP + 5, 1, 2));
    printf("DefWindowProcW WM_USER+5: %lld\n", (long long)DefWindowProcW(hw, WM_USER + 5, 1, 2));

    printf("-- RegisterWindowMessage\n");
    id1 = RegisterWindowMessageA(m_name("registered"));
    id2 = RegisterWindowMessageA(m_name("registered"));
    id3 = RegisterWindowMessageW(m_wide(m_name("registered")));
    id4 = RegisterWindowMessageA(m_name("registered-other"));
    printf("in 0xC000..0xFFFF: %s\n", id1 >= 0xC000 && id1 <= 0xFFFF ? "yes" : "no");
    printf("the same string again, same id: %s\n", id1 == id2 ? "yes" : "no");
    printf("RegisterWindowMessageW of it, same id: %s\n", id1 == id3 ? "yes" : "no");
    printf("another string, another id in range: %s\n", id4 != id1 && id4 >= 0xC000 && id4 <= 0xFFFF ? "yes" : "no");
    printf("SendMessageA of a registered message to DefWindowProc: %lld\n", (long long)SendMessageA(h, id1, 1, 2));

    printf("-- FindWindowEx under HWND_MESSAGE\n");
    found[0] = h;
    found[1] = m_hwnd("CreateWindowExA second", m_msg_window(cls, "second", NULL));
    found[2] = m_hwnd("CreateWindowExA third", m_msg_window(cls, "third", NULL));
    printf("by class: %s\n", FindWindowExA(HWND_MESSAGE, NULL, cls, NULL) != NULL ? "found" : "NULL");
    printf("by class and title \"second\": %s\n", FindWindowExA(HWND_MESSAGE, NULL, cls, "second") == found[1] ? "that window" : "no");
    printf("by class (other case) and title \"third\": %s\n", FindWindowExA(HWND_MESSAGE, NULL, upper, "third") == found[2] ? "that window" : "no");
    printf("by title \"wide\" only: %s\n", FindWindowExA(HWND_MESSAGE, NULL, NULL, "wide") == hw ? "that window" : "no");
    printf("FindWindowExW by class and title: %s\n",
           FindWindowExW(HWND_MESSAGE, NULL, m_wide(cls), m_wide("first")) == h ? "that window" : "no");
    printf("FindWindowExW by class: %s\n", FindWindowExW(HWND_MESSAGE, NULL, m_wide(clsw), NULL) == hw ? "that window" : "no");
    printf("a missing title: %s\n", FindWindowExA(HWND_MESSAGE, NULL, cls, "fourth") == NULL ? "NULL" : "found");
    printf("a class without windows: %s\n", FindWindowExA(HWND_MESSAGE, NULL, clsex, NULL) == NULL ? "NULL" : "found");
    for (i = 0; i < 3; i++)
        seen[i] = 0;
    n = 0;
    f = NULL;
    while ((f = FindWindowExA(HWND_MESSAGE, f, cls, NULL)) != NULL && n < 10) {
        n++;
        for (i = 0; i < 3; i++)
            if (f == found[i])
                seen[i]++;
    }
    printf("enumerating the class: %d windows, each once: %s\n", n, seen[0] == 1 && seen[1] == 1 && seen[2] == 1 ? "yes" : "no");
    m_bool("DestroyWindow second", DestroyWindow(found[1]));
    n = 0;
    f = NULL;
    while ((f = FindWindowExA(HWND_MESSAGE, f, cls, NULL)) != NULL && n < 10)
        n++;
    printf("enumerating after one was destroyed: %d windows\n", n);
    printf("by title \"second\" now: %s\n", FindWindowExA(HWND_MESSAGE, NULL, cls, "second") == NULL ? "NULL" : "found");
    DestroyWindow(found[2]);

    printf("-- DestroyWindow\n");
    destroy_target = h;
    th = CreateThread(NULL, 0, destroyer, NULL, 0, NULL);
    m_join("destroyer", th, 10000);
    m_tf("IsWindow after that", IsWindow(h));
    log_buf[0] = '\0';
    log_only = h;
    m_bool("PostMessageA WM_USER+30 to it first", PostMessageA(h, WM_USER + 30, 0, 0));
    m_bool("PostThreadMessageA WM_USER+31", PostThreadMessageA(GetCurrentThreadId(), WM_USER + 31, 0, 0));
    m_bool("DestroyWindow", DestroyWindow(h));
    print_log("messages");
    log_only = NULL;
    m_tf("IsWindow after DestroyWindow", IsWindow(h));
    m_peek("the message posted to it is gone", NULL, WM_USER + 30, WM_USER + 30, PM_REMOVE, NULL);
    m_peek("the thread message is still there", NULL, WM_USER + 31, WM_USER + 31, PM_REMOVE, NULL);
    m_tf("DestroyWindow again", DestroyWindow(h)); /* Windows 1400, Wine 8 5: not printed */
    SetLastError(0);
    m_val("GetWindowThreadProcessId of it", GetWindowThreadProcessId(h, NULL));
    SetLastError(0);
    m_val("GetWindowLongPtrA GWLP_USERDATA of it", GetWindowLongPtrA(h, GWLP_USERDATA));
    SetLastError(0);
    m_val("SetWindowLongPtrA GWLP_USERDATA of it", SetWindowLongPtrA(h, GWLP_USERDATA, 1));

    printf("-- WM_CLOSE through DefWindowProc\n");
    h = m_hwnd("CreateWindowExA", m_msg_window(cls, "closing", NULL));
    log_buf[0] = '\0';
    printf("SendMessageA WM_CLOSE: %lld\n", (long long)SendMessageA(h, WM_CLOSE, 0, 0));
    print_log("messages");
    m_tf("IsWindow", IsWindow(h));

    printf("-- UnregisterClass\n");
    h = m_hwnd("CreateWindowExA", m_msg_window(cls, "last", NULL));
    SetLastError(0);
    m_bool("UnregisterClassA with a window", UnregisterClassA(cls, GetModuleHandleA(NULL)));
    DestroyWindow(h);
    m_bool("UnregisterClassA", UnregisterClassA(cls, GetModuleHandleA(NULL)));
    SetLastError(0);
    m_bool("UnregisterClassA again", UnregisterClassA(cls, GetModuleHandleA(NULL)));
    SetLastError(0);
    m_hwnd_q("CreateWindowExA of it", m_msg_window(cls, "x", NULL));
    print_atom("RegisterClassA it again", m_register(cls, proc_a, 0));
    m_bool("UnregisterClassA", UnregisterClassA(cls, GetModuleHandleA(NULL)));
    DestroyWindow(hw);
    m_bool("UnregisterClassW", UnregisterClassW(m_wide(clsw), GetModuleHandleA(NULL)));
    m_bool("UnregisterClassA of a class registered with RegisterClassExW", UnregisterClassA(clsexw, GetModuleHandleA(NULL)));
    m_bool("UnregisterClassW of a class registered with RegisterClassExA", UnregisterClassW(m_wide(clsex), GetModuleHandleA(NULL)));
    SetLastError(0);
    m_bool("UnregisterClassA of a missing class", UnregisterClassA(m_name("no-such-class"), GetModuleHandleA(NULL)));
    return 0;
}
