/* A Win32 program with wide-string literals, built through pkg-config (-fshort-wchar):
 *   scripts/write-pkg-config && export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   gcc crates/w32ipc-capi/examples/wide_event.c $(pkg-config --cflags --libs w32ipc) -o wide_event
 */
#define UNICODE
#include <windows.h>
#include <stdio.h>

int main(void)
{
    HANDLE e = CreateEvent(NULL, TRUE, FALSE, TEXT("w32ipc-wide-event-example"));
    HANDLE again = CreateEvent(NULL, TRUE, FALSE, TEXT("w32ipc-wide-event-example"));
    int ok = e != NULL && again != NULL && GetLastError() == ERROR_ALREADY_EXISTS && sizeof(WCHAR) == 2 &&
             lstrlen(TEXT("abc")) == 3 && SetEvent(e) && WaitForSingleObject(again, 0) == WAIT_OBJECT_0;
    printf("wide_event: %s\n", ok ? "ok" : "FAILED");
    CloseHandle(again);
    CloseHandle(e);
    return ok ? 0 : 1;
}
