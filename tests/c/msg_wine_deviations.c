// w32ipc-test: linux-only
/*
 * msg_wine_deviations.c — message and window behaviour where Wine 8 is not Windows, so Wine cannot
 * be the oracle: the expected lines (tests/c/expected/msg_wine_deviations.txt) are written by hand
 * from Microsoft's documentation, and the test checks itself (exit 0 when every result is as on
 * Windows).
 *
 * - PostThreadMessage fails with ERROR_INVALID_THREAD_ID "if idThread is not a valid thread
 *   identifier, or if the thread specified by idThread does not have a message queue"
 *   (PostThreadMessage, Return value): a thread that made no message call yet (Wine 8 agrees), one
 *   that ended, an id no thread has (Wine 8 says ERROR_INVALID_PARAMETER, 87, for these two).
 * - CreateWindowEx of a class nobody registered: NULL with ERROR_CANNOT_FIND_WND_CLASS (1407), the
 *   error Windows' window manager raises for it. Wine 8 says ERROR_CLASS_DOES_NOT_EXIST (1411).
 * - DestroyWindow of a window already destroyed, or of NULL: ERROR_INVALID_WINDOW_HANDLE (1400):
 *   Windows validates the handle first. Wine 8 says ERROR_ACCESS_DENIED (5).
 * - Message-only windows are found only by FindWindowEx with HWND_MESSAGE as the parent ("To find
 *   message-only windows, specify HWND_MESSAGE in the hwndParent parameter of the FindWindowEx
 *   function"; a message-only window "cannot be enumerated"): FindWindowA/W and
 *   FindWindowEx(NULL, ...) do not find one. Wine 8 finds it by its title with both.
 */
#include "w32msg.h"

static int failures;
static HANDLE ev_go, ev_made;

static void expect(const char *label, BOOL ok, BOOL want_ok, DWORD want_error)
{
    DWORD e = GetLastError();
    m_bool(label, ok);
    if (!ok != !want_ok || (!ok && e != want_error))
        failures++;
}

static void expect_null(const char *label, HWND h)
{
    printf("%s: %s\n", label, h == NULL ? "NULL" : "found");
    if (h != NULL)
        failures++;
}

/* Makes no user32 call until told to make its queue; returns once told again. */
static DWORD WINAPI quiet_thread(LPVOID arg)
{
    MSG msg;
    (void)arg;
    if (WaitForSingleObject(ev_go, 10000) != WAIT_OBJECT_0)
        return 1;
    PeekMessageA(&msg, NULL, 0, 0, PM_NOREMOVE);
    SetEvent(ev_made);
    return WaitForSingleObject(ev_go, 10000) == WAIT_OBJECT_0 ? 0 : 2;
}

int main(void)
{
    const char *cls = m_name("dev");
    HANDLE th;
    DWORD tid;
    HWND h;

    t_init();
    ev_go = CreateEventA(NULL, FALSE, FALSE, NULL);
    ev_made = CreateEventA(NULL, FALSE, FALSE, NULL);

    printf("-- PostThreadMessage\n");
    th = CreateThread(NULL, 0, quiet_thread, NULL, 0, &tid);
    SetLastError(0);
    expect("to a thread without a message queue", PostThreadMessageA(tid, WM_USER, 0, 0), FALSE, ERROR_INVALID_THREAD_ID);
    SetEvent(ev_go);
    printf("the thread made its queue: %s\n", WaitForSingleObject(ev_made, 10000) == WAIT_OBJECT_0 ? "yes" : "no");
    expect("once it has one", PostThreadMessageA(tid, WM_USER, 0, 0), TRUE, 0);
    SetEvent(ev_go);
    printf("the thread ended: %s\n", WaitForSingleObject(th, 10000) == WAIT_OBJECT_0 ? "yes" : "no");
    CloseHandle(th);
    SetLastError(0);
    expect("to the thread that ended", PostThreadMessageA(tid, WM_USER, 0, 0), FALSE, ERROR_INVALID_THREAD_ID);
    SetLastError(0);
    expect("to an id no thread has", PostThreadMessageA(0x7ffffff0, WM_USER, 0, 0), FALSE, ERROR_INVALID_THREAD_ID);

    printf("-- CreateWindowEx of a class nobody registered\n");
    SetLastError(0);
    h = m_hwnd("CreateWindowExA", m_msg_window(m_name("no-such-class"), "x", NULL));
    if (h != NULL || GetLastError() != ERROR_CANNOT_FIND_WND_CLASS)
        failures++;
    SetLastError(0);
    h = m_hwnd("CreateWindowExW", CreateWindowExW(0, m_wide(m_name("no-such-class")), m_wide("x"), 0, 0, 0, 0, 0,
                                                  HWND_MESSAGE, NULL, NULL, NULL));
    if (h != NULL || GetLastError() != ERROR_CANNOT_FIND_WND_CLASS)
        failures++;

    printf("-- DestroyWindow of a window that is gone\n");
    if (!m_register(cls, DefWindowProcA, 0))
        failures++;
    h = m_msg_window(cls, "gone", NULL);
    expect("DestroyWindow", DestroyWindow(h), TRUE, 0);
    SetLastError(0);
    expect("DestroyWindow again", DestroyWindow(h), FALSE, ERROR_INVALID_WINDOW_HANDLE);
    SetLastError(0);
    expect("DestroyWindow(NULL)", DestroyWindow(NULL), FALSE, ERROR_INVALID_WINDOW_HANDLE);

    printf("-- FindWindow does not find message-only windows\n");
    h = m_hwnd("CreateWindowExA under HWND_MESSAGE", m_msg_window(cls, "hidden", NULL));
    printf("FindWindowExA(HWND_MESSAGE, ...) by title: %s\n",
           FindWindowExA(HWND_MESSAGE, NULL, NULL, "hidden") == h ? "that window" : "no");
    expect_null("FindWindowA by class and title", FindWindowA(cls, "hidden"));
    expect_null("FindWindowA by title", FindWindowA(NULL, "hidden"));
    expect_null("FindWindowW by class and title", FindWindowW(m_wide(cls), m_wide("hidden")));
    expect_null("FindWindowExA(NULL, ...) by title", FindWindowExA(NULL, NULL, NULL, "hidden"));
    DestroyWindow(h);
    UnregisterClassA(cls, NULL);

    CloseHandle(ev_go);
    CloseHandle(ev_made);
    printf("as on Windows: %s\n", failures == 0 ? "yes" : "no");
    return failures == 0 ? 0 : 1;
}
