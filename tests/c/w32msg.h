/*
 * w32msg.h — helpers for the message-queue and window C tests (on top of w32test.h).
 *
 * Everything printed is deterministic: HWND values, thread ids, process ids and times never appear,
 * only comparisons of them ("yes"/"no"). Every wait is bounded.
 */
#ifndef W32MSG_H
#define W32MSG_H

#include "w32test.h"

/* Error names w32test.h does not know. */
static inline const char *m_errname(DWORD e)
{
    switch (e) {
    case ERROR_INVALID_WINDOW_HANDLE: return "ERROR_INVALID_WINDOW_HANDLE";
    case ERROR_INVALID_THREAD_ID: return "ERROR_INVALID_THREAD_ID";
    case ERROR_CLASS_ALREADY_EXISTS: return "ERROR_CLASS_ALREADY_EXISTS";
    case ERROR_CLASS_DOES_NOT_EXIST: return "ERROR_CLASS_DOES_NOT_EXIST";
    case ERROR_CLASS_HAS_WINDOWS: return "ERROR_CLASS_HAS_WINDOWS";
    case ERROR_CANNOT_FIND_WND_CLASS: return "ERROR_CANNOT_FIND_WND_CLASS";
    case ERROR_INVALID_INDEX: return "ERROR_INVALID_INDEX";
    case ERROR_TIMEOUT: return "ERROR_TIMEOUT";
    case ERROR_MESSAGE_SYNC_ONLY: return "ERROR_MESSAGE_SYNC_ONLY";
    case ERROR_NOT_ENOUGH_QUOTA: return "ERROR_NOT_ENOUGH_QUOTA";
    case ERROR_INVALID_FLAGS: return "ERROR_INVALID_FLAGS";
    case ERROR_INVALID_MESSAGE: return "ERROR_INVALID_MESSAGE";
    case ERROR_INVALID_HOOK_HANDLE: return "ERROR_INVALID_HOOK_HANDLE";
    case ERROR_NOT_FOUND: return "ERROR_NOT_FOUND";
    default: return t_errname(e);
    }
}

/* "label: TRUE" or "label: FALSE error=N NAME". */
static inline BOOL m_bool(const char *label, BOOL ok)
{
    DWORD e = GetLastError();
    if (ok)
        printf("%s: TRUE\n", label);
    else
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, m_errname(e));
    SetLastError(e);
    return ok;
}

/* "label: error=N NAME" — the last error as it is now. */
static inline void m_lasterr(const char *label)
{
    DWORD e = GetLastError();
    printf("%s: error=%u %s\n", label, (unsigned)e, m_errname(e));
    SetLastError(e);
}

/* "label: TRUE" / "label: FALSE" for calls that do not set the last error (IsWindow), or whose
 * error is not printed because Wine's differs from Windows'. */
static inline BOOL m_tf(const char *label, BOOL ok)
{
    printf("%s: %s\n", label, ok ? "TRUE" : "FALSE");
    return ok;
}

/* "label: V error=N NAME": a value and the last error (set it to 0 before the call). */
static inline void m_val(const char *label, long long v)
{
    DWORD e = GetLastError();
    printf("%s: %lld error=%u %s\n", label, v, (unsigned)e, m_errname(e));
    SetLastError(e);
}

/* "label: ok" / "label: NULL", without the error (see m_tf). */
static inline HWND m_hwnd_q(const char *label, HWND h)
{
    printf("%s: %s\n", label, h ? "ok" : "NULL");
    return h;
}

/* A window-returning call: "label: ok" or "label: NULL error=N NAME". */
static inline HWND m_hwnd(const char *label, HWND h)
{
    DWORD e = GetLastError();
    if (h != NULL)
        printf("%s: ok\n", label);
    else
        printf("%s: NULL error=%u %s\n", label, (unsigned)e, m_errname(e));
    SetLastError(e);
    return h;
}

/* A name unique to this run: "w32ipc-BASE-PID" (class names, window titles, event names). */
static inline const char *m_name(const char *base)
{
    static char names[16][160];
    static int next;
    char *out = names[next++ % 16];
    snprintf(out, 160, "w32ipc-%s-%lu", base, (unsigned long)GetCurrentProcessId());
    return out;
}

/* The same as UTF-16 (ASCII names only). */
static inline const WCHAR *m_wide(const char *s)
{
    static WCHAR bufs[8][160];
    static int next;
    WCHAR *out = bufs[next++ % 8];
    int i;
    for (i = 0; s[i] != '\0' && i < 159; i++)
        out[i] = (WCHAR)(unsigned char)s[i];
    out[i] = 0;
    return out;
}

/* A message number as text: WM_USER+n, WM_APP+n, or the names of the few system messages we meet. */
static inline const char *m_msgname(UINT m)
{
    static char bufs[4][32];
    static int next;
    char *out = bufs[next++ % 4];
    switch (m) {
    case WM_NULL: return "WM_NULL";
    case WM_CREATE: return "WM_CREATE";
    case WM_DESTROY: return "WM_DESTROY";
    case WM_NCCREATE: return "WM_NCCREATE";
    case WM_NCDESTROY: return "WM_NCDESTROY";
    case WM_CLOSE: return "WM_CLOSE";
    case WM_QUIT: return "WM_QUIT";
    case WM_COPYDATA: return "WM_COPYDATA";
    default: break;
    }
    if (m >= WM_APP && m < 0xC000)
        snprintf(out, 32, "WM_APP+%u", m - WM_APP);
    else if (m >= WM_USER && m < WM_APP)
        snprintf(out, 32, "WM_USER+%u", m - WM_USER);
    else
        snprintf(out, 32, "0x%04x", m);
    return out;
}

/* "label: TRUE WM_USER+1 hwnd=NULL w=10 l=20" or "label: FALSE" for PeekMessage. */
static inline BOOL m_peek(const char *label, HWND h, UINT lo, UINT hi, UINT flags, MSG *out)
{
    MSG msg;
    BOOL ok;
    memset(&msg, 0, sizeof msg);
    ok = PeekMessageA(&msg, h, lo, hi, flags);
    if (ok)
        printf("%s: TRUE %s hwnd=%s w=%lld l=%lld\n", label, m_msgname(msg.message), msg.hwnd ? "window" : "NULL",
               (long long)msg.wParam, (long long)msg.lParam);
    else
        printf("%s: FALSE\n", label);
    if (out)
        *out = msg;
    return ok;
}

/* Make sure the calling thread has a message queue (any user32 message call creates it). */
static inline void m_ensure_queue(void)
{
    MSG msg;
    PeekMessageA(&msg, NULL, 0, 0, PM_NOREMOVE);
}

/* Dispatch whatever is in the queue now (and so serve pending sent messages); returns the count. */
static inline int m_pump_now(void)
{
    MSG msg;
    int n = 0;
    while (PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE)) {
        DispatchMessageA(&msg);
        n++;
    }
    return n;
}

/*
 * Wait for `ev` (at most `ms`) while serving messages: returns TRUE once the event is signalled.
 * Sent messages are served, posted ones dispatched.
 */
static inline BOOL m_pump_until(HANDLE ev, DWORD ms)
{
    DWORD start = GetTickCount();
    for (;;) {
        DWORD spent = GetTickCount() - start, r;
        if (spent >= ms)
            return WaitForSingleObject(ev, 0) == WAIT_OBJECT_0;
        r = MsgWaitForMultipleObjects(1, &ev, FALSE, ms - spent, QS_ALLINPUT);
        if (r == WAIT_OBJECT_0)
            return TRUE;
        if (r == WAIT_OBJECT_0 + 1)
            m_pump_now();
        else if (r == WAIT_TIMEOUT)
            return FALSE;
        else
            return FALSE;
    }
}

/* Serve messages for `ms` milliseconds. */
static inline void m_pump_for(DWORD ms)
{
    HANDLE never = CreateEventA(NULL, TRUE, FALSE, NULL);
    m_pump_until(never, ms);
    CloseHandle(never);
}

/* Register a class with an ANSI window procedure; returns the atom (0 on failure, error kept). */
static inline ATOM m_register(const char *cls, WNDPROC proc, int wnd_extra)
{
    WNDCLASSA wc;
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = proc;
    wc.cbWndExtra = wnd_extra;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = cls;
    return RegisterClassA(&wc);
}

/* A message-only window of class `cls` titled `title` (the usual IPC endpoint). */
static inline HWND m_msg_window(const char *cls, const char *title, void *param)
{
    return CreateWindowExA(0, cls, title, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, GetModuleHandleA(NULL), param);
}

/* Find a message-only window (FindWindowEx under HWND_MESSAGE), trying for up to `ms`. */
static inline HWND m_find_msg_window(const char *cls, const char *title, DWORD ms)
{
    DWORD start = GetTickCount();
    for (;;) {
        HWND h = FindWindowExA(HWND_MESSAGE, NULL, cls, title);
        if (h != NULL || GetTickCount() - start >= ms)
            return h;
        Sleep(10);
    }
}

/* A small deterministic checksum (FNV-1a, 32 bits). */
static inline DWORD m_fnv(const void *data, DWORD n)
{
    const unsigned char *p = (const unsigned char *)data;
    DWORD h = 2166136261u, i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* `n` bytes of a pattern that depends on `seed` and the position. */
static inline void m_fill(void *data, DWORD n, unsigned seed)
{
    unsigned char *p = (unsigned char *)data;
    DWORD i;
    for (i = 0; i < n; i++)
        p[i] = (unsigned char)((i * 131u + seed * 7u + (i >> 8)) & 0xff);
}

/* A thread handle that is waited for at most `ms` (then "still running" is printed); returns its exit code. */
static inline DWORD m_join(const char *label, HANDLE th, DWORD ms)
{
    DWORD code = 1001;
    if (WaitForSingleObject(th, ms) != WAIT_OBJECT_0) {
        printf("%s: still running after %u ms\n", label, (unsigned)ms);
        return 1000;
    }
    GetExitCodeThread(th, &code);
    CloseHandle(th);
    return code;
}

#endif /* W32MSG_H */
