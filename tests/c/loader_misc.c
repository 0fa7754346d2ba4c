/*
 * loader_misc.c — what Win32 programs call around their IPC: GetModuleHandle + GetProcAddress
 * over the system modules (functions looked up at run time), FormatMessage for system error
 * codes, GetModuleFileName, and the tick counts.
 */
#include "w32test.h"

typedef BOOL(WINAPI *close_fn)(HANDLE);

int main(void)
{
    HMODULE k32, nosuch;
    void *p;
    char *msg = NULL;
    char buf[MAX_PATH];
    DWORD n;
    HANDLE r, w;

    t_init();
    k32 = GetModuleHandleA("kernel32.dll");
    t_yesno("GetModuleHandleA(kernel32.dll) is not NULL", k32 != NULL);
    t_yesno("GetModuleHandleA(kernel32) is the same module", GetModuleHandleA("kernel32") == k32);
    SetLastError(0);
    nosuch = GetModuleHandleA("no-such-module.dll");
    printf("GetModuleHandleA(no-such-module.dll): %s error=%u\n", nosuch ? "module" : "NULL",
           (unsigned)GetLastError());
    p = (void *)GetProcAddress(k32, "CloseHandle");
    t_yesno("GetProcAddress(CloseHandle) is CloseHandle", p == (void *)CloseHandle);
    t_yesno("GetProcAddress(CreatePipe) is not NULL", GetProcAddress(k32, "CreatePipe") != NULL);
    SetLastError(0);
    p = (void *)GetProcAddress(k32, "NoSuchFunctionAnywhere");
    printf("GetProcAddress(NoSuchFunctionAnywhere): %s error=%u\n", p ? "address" : "NULL",
           (unsigned)GetLastError());
    /* Call a function found at run time. */
    CreatePipe(&r, &w, NULL, 0);
    {
        close_fn f = (close_fn)(void *)GetProcAddress(k32, "CloseHandle");
        t_bool("CloseHandle through GetProcAddress", f(r));
        t_bool("CloseHandle(w)", CloseHandle(w));
    }

    n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS,
                       NULL, ERROR_BROKEN_PIPE, 0, (LPSTR)&msg, 0, NULL);
    printf("FormatMessageA(ERROR_BROKEN_PIPE): %s, ends with CRLF: %s\n", n > 0 ? "text" : "nothing",
           (n >= 2 && msg[n - 2] == '\r' && msg[n - 1] == '\n') ? "yes" : "no");
    LocalFree(msg);

    n = GetModuleFileNameA(NULL, buf, sizeof buf);
    t_yesno("GetModuleFileNameA(NULL) gives a path", n > 0 && n < sizeof buf);
    SetLastError(0);
    n = GetModuleFileNameA(NULL, buf, 4);
    /* (Whether the cut name is NUL-terminated differs: Windows XP and Wine leave it open,
     * later Windows terminate it, as w32ipc does.) */
    printf("GetModuleFileNameA(NULL, 4 chars): %u error=%u\n", (unsigned)n, (unsigned)GetLastError());

    return 0;
}
