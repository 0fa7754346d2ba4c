// w32ipc-test: linux-only
/*
 * msg_null_args.c — the message and window functions given NULL pointers and handles that name
 * nothing.
 *
 * Where Windows faults (a NULL WNDCLASS, MSG or handle array: Wine 8 faults too, or returns
 * STATUS_ACCESS_VIOLATION as a wait result), libw32ipc fails the call with ERROR_NOACCESS instead;
 * a handle that names no window gives ERROR_INVALID_WINDOW_HANDLE; a real window as the parent of a
 * new one gives ERROR_INVALID_PARAMETER (child and owned windows are not supported). So there is no
 * oracle output:
 * the test checks itself (exit 0 when every result is as listed) and its output is also compared
 * with tests/c/expected/msg_null_args.txt.
 */
#include "w32msg.h"

static int failures;

#define BOGUS ((HWND)(ULONG_PTR)0x7777)

/* "label: V error=N NAME", counted as a failure unless V and the error are as wanted. */
static void check(const char *label, long long v, long long want, DWORD want_error)
{
    DWORD e = GetLastError();
    m_val(label, v);
    if (v != want || e != want_error)
        failures++;
}

int main(void)
{
    const char *cls = m_name("null-args");
    MSG msg;
    char buf[8];
    DWORD pid = 77;
    HWND h;

    t_init();

    printf("-- NULL pointers\n");
    SetLastError(0);
    check("RegisterClassA(NULL)", RegisterClassA(NULL), 0, ERROR_NOACCESS);
    SetLastError(0);
    check("RegisterClassExW(NULL)", RegisterClassExW(NULL), 0, ERROR_NOACCESS);
    SetLastError(0);
    check("UnregisterClassA(NULL)", UnregisterClassA(NULL, NULL), 0, ERROR_CLASS_DOES_NOT_EXIST);
    SetLastError(0);
    check("CreateWindowExA with a NULL class", CreateWindowExA(0, NULL, NULL, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL, NULL) != NULL,
          0, ERROR_CANNOT_FIND_WND_CLASS);
    SetLastError(0);
    check("GetMessageA(NULL)", GetMessageA(NULL, NULL, 0, 0), -1, ERROR_NOACCESS);
    SetLastError(0);
    check("PeekMessageA(NULL)", PeekMessageA(NULL, NULL, 0, 0, PM_REMOVE), 0, ERROR_NOACCESS);
    SetLastError(0);
    check("DispatchMessageA(NULL)", DispatchMessageA(NULL), 0, ERROR_NOACCESS);
    SetLastError(0);
    check("TranslateMessage(NULL)", TranslateMessage(NULL), 0, 0);
    SetLastError(0);
    check("RegisterWindowMessageA(NULL)", RegisterWindowMessageA(NULL), 0, ERROR_INVALID_PARAMETER);
    SetLastError(0);
    check("MsgWaitForMultipleObjects(1, NULL)", MsgWaitForMultipleObjects(1, NULL, FALSE, 0, QS_ALLINPUT), WAIT_FAILED,
          ERROR_NOACCESS);
    SetLastError(0);
    check("CallWindowProcA(NULL)", CallWindowProcA(NULL, NULL, WM_USER, 0, 0), 0, 0);

    printf("-- a window's strings into NULL or empty buffers\n");
    if (!m_register(cls, DefWindowProcA, 0))
        failures++;
    h = m_msg_window(cls, "title", NULL);
    SetLastError(0);
    check("GetClassNameA into NULL", GetClassNameA(h, NULL, 8), 0, ERROR_NOACCESS);
    SetLastError(0);
    check("GetWindowTextA into NULL", GetWindowTextA(h, NULL, 8), 0, ERROR_NOACCESS);
    SetLastError(0);
    check("GetWindowTextA, nMaxCount 0", GetWindowTextA(h, buf, 0), 0, 0);
    SetLastError(0);
    check("GetWindowTextA, nMaxCount 3", GetWindowTextA(h, buf, 3), 2, 0);
    printf("  the text: \"%s\"\n", buf);
    SetLastError(0);
    check("GetWindowThreadProcessId with NULL for the pid is the thread", GetWindowThreadProcessId(h, NULL) == GetCurrentThreadId(),
          1, 0);
    SetLastError(0);
    check("CreateWindowExA with a parent that names no window",
          CreateWindowExA(0, cls, "x", 0, 0, 0, 0, 0, BOGUS, NULL, NULL, NULL) != NULL, 0, ERROR_INVALID_WINDOW_HANDLE);
    /* Not Windows: child and owned windows are not supported here. */
    SetLastError(0);
    check("CreateWindowExA with a window as the parent (not supported)",
          CreateWindowExA(0, cls, "x", 0, 0, 0, 0, 0, h, NULL, NULL, NULL) != NULL, 0, ERROR_INVALID_PARAMETER);
    DestroyWindow(h);
    UnregisterClassA(cls, NULL);

    printf("-- handles that name no window\n");
    SetLastError(0);
    check("IsWindow", IsWindow(BOGUS), 0, 0);
    SetLastError(0);
    check("DestroyWindow", DestroyWindow(BOGUS), 0, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("SendMessageA", SendMessageA(BOGUS, WM_USER, 0, 0), 0, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("SendMessageTimeoutA", SendMessageTimeoutA(BOGUS, WM_USER, 0, 0, SMTO_NORMAL, 100, NULL), 0,
          ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("SendNotifyMessageA", SendNotifyMessageA(BOGUS, WM_USER, 0, 0), 0, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("PostMessageA", PostMessageA(BOGUS, WM_USER, 0, 0), 0, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("GetMessageA with it as the filter", GetMessageA(&msg, BOGUS, 0, 0), -1, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("PeekMessageA with it as the filter", PeekMessageA(&msg, BOGUS, 0, 0, PM_REMOVE), 0, ERROR_INVALID_WINDOW_HANDLE);
    msg.hwnd = BOGUS;
    msg.message = WM_USER;
    msg.wParam = 0;
    msg.lParam = 0;
    SetLastError(0);
    check("DispatchMessageA of a message for it", DispatchMessageA(&msg), 0, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("GetWindowLongPtrA", GetWindowLongPtrA(BOGUS, GWLP_USERDATA), 0, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("SetWindowLongPtrA", SetWindowLongPtrA(BOGUS, GWLP_WNDPROC, (LONG_PTR)DefWindowProcA), 0,
          ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    pid = 77;
    check("GetWindowThreadProcessId", GetWindowThreadProcessId(BOGUS, &pid), 0, ERROR_INVALID_WINDOW_HANDLE);
    printf("  the pid is left alone: %s\n", pid == 77 ? "yes" : "no");
    failures += pid != 77;
    SetLastError(0);
    check("GetClassNameA", GetClassNameA(BOGUS, buf, sizeof buf), 0, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("GetWindowTextA", GetWindowTextA(BOGUS, buf, sizeof buf), 0, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    check("DefWindowProcA", DefWindowProcA(BOGUS, WM_CLOSE, 0, 0), 0, 0);
    SetLastError(0);
    check("FindWindowExA with it as the parent", FindWindowExA(BOGUS, NULL, NULL, NULL) != NULL, 0,
          ERROR_INVALID_WINDOW_HANDLE);

    printf("all as expected: %s\n", failures == 0 ? "yes" : "no");
    return failures == 0 ? 0 : 1;
}
