/* WM_QUIT and message filters: the quit flag set by PostQuitMessage passes any range; a WM_QUIT
 * posted as a message (PostThreadMessage) is filtered like any other message. */
#include <windows.h>
#include <stdio.h>

static int peek(HWND h, UINT lo, UINT hi)
{
    MSG m;
    return PeekMessageA(&m, h, lo, hi, PM_REMOVE) ? (int)m.message : -1;
}

int main(void)
{
    MSG m;
    DWORD me = GetCurrentThreadId();
    PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE);
    PostQuitMessage(3);
    printf("quit flag, range WM_USER..WM_USER: %d\n", peek(NULL, WM_USER, WM_USER));
    PostThreadMessageA(me, WM_QUIT, 4, 5);
    printf("posted WM_QUIT, range WM_USER..WM_USER: %d\n", peek(NULL, WM_USER, WM_USER));
    printf("posted WM_QUIT, thread-only, range WM_APP..WM_APP: %d\n", peek((HWND)-1, WM_APP, WM_APP));
    printf("posted WM_QUIT, range WM_QUIT..WM_QUIT: %d\n", peek(NULL, WM_QUIT, WM_QUIT));
    printf("then nothing: %d\n", peek(NULL, 0, 0));
    return 0;
}
