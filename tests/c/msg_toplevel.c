/*
 * msg_toplevel.c — top-level windows (CreateWindowEx with a NULL parent), FindWindowA/W, and
 * broadcasts to HWND_BROADCAST.
 *
 * Covers: CreateWindowExA/W with a NULL parent (WS_OVERLAPPEDWINDOW and WS_POPUP): WM_NCCREATE and
 * WM_CREATE before it returns, the styles Windows adds (WS_CLIPSIBLINGS to every top-level window,
 * WS_CAPTION and WS_EX_WINDOWEDGE to an overlapped one), GetClassNameA, GetWindowTextA/W;
 * FindWindowA/W by class, by title, by both, in other case; FindWindowExA(NULL, ...) enumerates the
 * top-level windows and not the message-only one, FindWindowExA(HWND_MESSAGE, ...) the other way
 * round; another process finds a top-level window with FindWindowA, names its owner with
 * GetWindowThreadProcessId and sends it WM_USER and WM_COPYDATA; SendMessageA, SendNotifyMessageA,
 * SendMessageTimeoutA and PostMessageA to HWND_BROADCAST reach both top-level windows and not the
 * message-only one (which "does not receive broadcast messages"); WM_COPYDATA cannot be posted to
 * HWND_BROADCAST (ERROR_MESSAGE_SYNC_ONLY); DestroyWindow of a top-level window.
 *
 * Under Wine this needs a graphics driver: without one (a prefix with no display) CreateWindowEx
 * fails for every window that is not message-only; scripts/win32-oracle --setup selects Wine's
 * "null" driver, which needs no display. Not printed: the order in which windows are found or get a
 * broadcast (the z-order), and FindWindowA or FindWindowExA(NULL, ...) for a message-only window by
 * its title (Windows does not find it, Wine 8 does; see msg_wine_deviations.c).
 */
#include "w32msg.h"

static HWND t1, t2, mo;
static UINT bcast;
static int got[3];
static char log_buf[512];

static int index_of(HWND h)
{
    return h == t1 ? 0 : h == t2 ? 1 : h == mo ? 2 : -1;
}

static LRESULT CALLBACK proc(HWND h, UINT m, WPARAM w, LPARAM l)
{
    size_t len = strlen(log_buf);
    int i = index_of(h);
    if (m == WM_NCCREATE || m == WM_CREATE || m == WM_DESTROY || m == WM_NCDESTROY)
        snprintf(log_buf + len, sizeof log_buf - len, "%s%s", len ? " " : "", m_msgname(m));
    if (m == bcast && bcast != 0) {
        if (i >= 0)
            got[i]++;
        return 5;
    }
    if (m == WM_USER + 1)
        return (LRESULT)(w + (WPARAM)l);
    if (m == WM_COPYDATA) {
        COPYDATASTRUCT *cds = (COPYDATASTRUCT *)l;
        return (LRESULT)m_fnv(cds->lpData, cds->cbData);
    }
    return DefWindowProcA(h, m, w, l);
}

static void print_log(const char *label)
{
    printf("%s: %s\n", label, log_buf);
    log_buf[0] = '\0';
}

static void print_got(const char *label)
{
    printf("%s: \"one\" %d, \"two\" %d, message-only %d\n", label, got[0], got[1], got[2]);
    got[0] = got[1] = got[2] = 0;
}

/* argv: finder CLASS PARENTPID */
static int finder(char **argv)
{
    COPYDATASTRUCT cds;
    HWND h = FindWindowA(argv[2], "one");
    DWORD pid = 0;
    printf("FindWindowA: %s\n", h ? "found" : "NULL");
    if (h == NULL)
        return 10;
    GetWindowThreadProcessId(h, &pid);
    printf("GetWindowThreadProcessId names the parent: %s\n", pid == strtoul(argv[3], NULL, 10) ? "yes" : "no");
    printf("FindWindowW by class and title, the same: %s\n", FindWindowW(m_wide(argv[2]), m_wide("one")) == h ? "yes" : "no");
    printf("SendMessageA WM_USER+1 20 22: %lld\n", (long long)SendMessageA(h, WM_USER + 1, 20, 22));
    cds.dwData = 1;
    cds.cbData = 5;
    cds.lpData = "hello";
    printf("SendMessageA WM_COPYDATA: the checksum: %s\n",
           (DWORD)SendMessageA(h, WM_COPYDATA, 0, (LPARAM)&cds) == m_fnv("hello", 5) ? "yes" : "no");
    return 0;
}

int main(int argc, char **argv)
{
    const char *cls = m_name("top"), *other = m_name("top-other");
    char upper[160], buf[160], args[300];
    WCHAR wbuf[160];
    PROCESS_INFORMATION pi;
    HANDLE out;
    HWND f;
    MSG msg;
    DWORD_PTR res;
    LRESULT r;
    int n, seen[3], i;
    size_t k;

    if (argc >= 4 && strcmp(argv[1], "finder") == 0)
        return finder(argv);
    t_init();

    printf("-- top-level windows\n");
    printf("RegisterClassA: %s\n", m_register(cls, proc, 0) ? "atom" : "0");
    t1 = m_hwnd("CreateWindowExA WS_OVERLAPPEDWINDOW, parent NULL",
                CreateWindowExA(0, cls, "one", WS_OVERLAPPEDWINDOW, 10, 10, 200, 100, NULL, NULL, GetModuleHandleA(NULL), NULL));
    print_log("messages");
    t2 = m_hwnd("CreateWindowExW WS_POPUP, parent NULL",
                CreateWindowExW(0, m_wide(cls), m_wide("two"), WS_POPUP, 0, 0, 50, 50, NULL, NULL, GetModuleHandleA(NULL), NULL));
    print_log("messages");
    mo = m_hwnd("CreateWindowExA under HWND_MESSAGE", m_msg_window(cls, "message-only", NULL));
    print_log("messages");
    m_tf("IsWindow", IsWindow(t1));
    printf("GWL_STYLE: overlapped 0x%08x, popup 0x%08x\n", (unsigned)GetWindowLongA(t1, GWL_STYLE),
           (unsigned)GetWindowLongA(t2, GWL_STYLE));
    printf("GWL_EXSTYLE: overlapped 0x%x, popup 0x%x\n", (unsigned)GetWindowLongA(t1, GWL_EXSTYLE),
           (unsigned)GetWindowLongA(t2, GWL_EXSTYLE));
    printf("GetClassNameA is the class: %s\n", GetClassNameA(t2, buf, sizeof buf) > 0 && strcmp(buf, cls) == 0 ? "yes" : "no");
    n = GetWindowTextA(t1, buf, sizeof buf);
    printf("GetWindowTextA: %d \"%s\"\n", n, buf);
    n = GetWindowTextW(t2, wbuf, 160);
    printf("GetWindowTextW: %d, is \"two\": %s\n", n, n == 3 && wbuf[0] == 't' && wbuf[1] == 'w' && wbuf[2] == 'o' ? "yes" : "no");

    printf("-- FindWindow\n");
    for (k = 0; cls[k] && k + 1 < sizeof upper; k++)
        upper[k] = (char)(cls[k] >= 'a' && cls[k] <= 'z' ? cls[k] - 32 : cls[k]);
    upper[k] = '\0';
    f = FindWindowA(cls, NULL);
    printf("FindWindowA by class: one of the two: %s\n", f == t1 || f == t2 ? "yes" : "no");
    printf("FindWindowA by class and title \"two\": %s\n", FindWindowA(cls, "two") == t2 ? "that window" : "no");
    printf("FindWindowA by title \"one\": %s\n", FindWindowA(NULL, "one") == t1 ? "that window" : "no");
    printf("FindWindowA by class and title in upper case: %s\n", FindWindowA(upper, "ONE") == t1 ? "that window" : "no");
    printf("FindWindowW by class and title: %s\n", FindWindowW(m_wide(cls), m_wide("two")) == t2 ? "that window" : "no");
    printf("FindWindowA of a missing title: %s\n", FindWindowA(cls, "three") == NULL ? "NULL" : "found");
    printf("FindWindowA of a class without windows: %s\n", FindWindowA(other, NULL) == NULL ? "NULL" : "found");
    seen[0] = seen[1] = seen[2] = 0;
    n = 0;
    f = NULL;
    while ((f = FindWindowExA(NULL, f, cls, NULL)) != NULL && n < 10) {
        n++;
        if (index_of(f) >= 0)
            seen[index_of(f)]++;
    }
    printf("FindWindowExA(NULL, ...) enumerates %d: \"one\" %d, \"two\" %d, message-only %d\n", n, seen[0], seen[1], seen[2]);
    seen[0] = seen[1] = seen[2] = 0;
    n = 0;
    f = NULL;
    while ((f = FindWindowExA(HWND_MESSAGE, f, cls, NULL)) != NULL && n < 10) {
        n++;
        if (index_of(f) >= 0)
            seen[index_of(f)]++;
    }
    printf("FindWindowExA(HWND_MESSAGE, ...) enumerates %d: \"one\" %d, \"two\" %d, message-only %d\n", n, seen[0], seen[1],
           seen[2]);
    printf("FindWindowExA(HWND_MESSAGE, ...) by title \"one\": %s\n", FindWindowExA(HWND_MESSAGE, NULL, cls, "one") == NULL ? "NULL" : "found");

    printf("-- another process finds it\n");
    snprintf(args, sizeof args, "finder %s %lu", cls, (unsigned long)GetCurrentProcessId());
    m_bool("spawn", t_spawn_captured(args, &pi, &out));
    printf("served it until it ended: %s\n", m_pump_until(pi.hProcess, 20000) ? "yes" : "no");
    t_finish_child("finder", &pi, out, 10000);

    printf("-- HWND_BROADCAST\n");
    bcast = RegisterWindowMessageA(m_name("broadcast"));
    r = SendMessageA(HWND_BROADCAST, bcast, 1, 2);
    (void)r; /* the return value of a broadcast is not documented */
    print_got("SendMessageA reached");
    m_bool("SendNotifyMessageA", SendNotifyMessageA(HWND_BROADCAST, bcast, 1, 2));
    print_got("it reached");
    res = 0;
    r = SendMessageTimeoutA(HWND_BROADCAST, bcast, 1, 2, SMTO_NORMAL, 5000, &res);
    printf("SendMessageTimeoutA: %s\n", r ? "nonzero" : "0");
    print_got("it reached");
    m_bool("PostMessageA", PostMessageA(HWND_BROADCAST, bcast, 1, 2));
    print_got("before the queue is pumped");
    while (PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE))
        DispatchMessageA(&msg);
    print_got("once pumped");
    SetLastError(0);
    m_bool("PostMessageA WM_COPYDATA", PostMessageA(HWND_BROADCAST, WM_COPYDATA, 0, 0));

    printf("-- DestroyWindow\n");
    log_buf[0] = '\0';
    m_bool("DestroyWindow \"one\"", DestroyWindow(t1));
    print_log("messages");
    m_tf("IsWindow", IsWindow(t1));
    printf("FindWindowA by title \"one\": %s\n", FindWindowA(cls, "one") == NULL ? "NULL" : "found");
    n = 0;
    f = NULL;
    while ((f = FindWindowExA(NULL, f, cls, NULL)) != NULL && n < 10)
        n++;
    printf("FindWindowExA(NULL, ...) enumerates %d\n", n);
    for (i = 0; i < 3; i++)
        got[i] = 0;
    m_bool("DestroyWindow \"two\"", DestroyWindow(t2));
    m_bool("DestroyWindow the message-only one", DestroyWindow(mo));
    print_log("messages");
    m_bool("UnregisterClassA", UnregisterClassA(cls, GetModuleHandleA(NULL)));
    return 0;
}
