/* msg_copydata_sender.c — the seed document's WM_COPYDATA sender: finds the receiver's main window
 * by class and title, fills a COPYDATASTRUCT (dwData an action code, cbData, lpData) and sends
 * WM_COPYDATA with its own window handle in wParam, then prints the answers.
 *
 *   msg_copydata_sender [CLASS [TITLE]]   defaults: W32ipcCopyDataReceiver, "w32ipc copydata receiver"
 *
 * Start msg_copydata_receiver first (it waits for the receiver's window for up to 10 s). It sends:
 * STORE "Hello from the sender"; SUM of a 64 KiB block (and checks the answer); REVERSE "stressed"
 * (the receiver sends the reversed block back to this program's own window while this program still
 * waits in SendMessage, so the answer "desserts" arrives in its window procedure); STORE "bye"; QUIT.
 * It also shows that WM_COPYDATA cannot be posted (ERROR_MESSAGE_SYNC_ONLY).
 *
 * Build on Linux:
 *   cargo build --release -p w32ipc-capi && scripts/write-pkg-config
 *   export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   cc crates/w32ipc-capi/examples/msg_copydata_sender.c $(pkg-config --cflags --libs w32ipc) -o msg_copydata_sender
 * The same source builds for Windows (x86_64-w64-mingw32-gcc msg_copydata_sender.c -o msg_copydata_sender.exe -luser32).
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTION_STORE 1
#define ACTION_REVERSE 2
#define ACTION_SUM 3
#define ACTION_QUIT 4

#define BLOCK_SIZE 65536

static char answer[256];

/* This program's own window: it takes the block the receiver sends back for REVERSE. */
static LRESULT CALLBACK SenderProc(HWND hwnd, UINT msg, WPARAM wParam, LPARAM lParam)
{
    if (msg == WM_COPYDATA) {
        PCOPYDATASTRUCT pcds = (PCOPYDATASTRUCT)lParam;
        DWORD n = pcds->cbData < sizeof answer - 1 ? pcds->cbData : (DWORD)sizeof answer - 1;
        memcpy(answer, pcds->lpData, n); /* copy it: the block lives only during this call */
        answer[n] = '\0';
        return TRUE;
    }
    return DefWindowProcA(hwnd, msg, wParam, lParam);
}

static LRESULT send_block(HWND hWndTarget, HWND hWnd, ULONG_PTR action, const void *pBuffer, DWORD nSize)
{
    COPYDATASTRUCT cds;
    cds.dwData = action;
    cds.cbData = (DWORD)nSize;
    cds.lpData = (PVOID)pBuffer;
    return SendMessageA(hWndTarget, WM_COPYDATA, (WPARAM)hWnd, (LPARAM)&cds);
}

int main(int argc, char **argv)
{
    const char *cls = argc > 1 ? argv[1] : "W32ipcCopyDataReceiver";
    const char *title = argc > 2 ? argv[2] : "w32ipc copydata receiver";
    const char *hello = "Hello from the sender";
    static BYTE block[BLOCK_SIZE];
    WNDCLASSA wc;
    HWND hWnd, hWndTarget = NULL;
    COPYDATASTRUCT cds;
    DWORD i, sum = 0, start;
    LRESULT r;
    int ok = 1;

    setvbuf(stdout, NULL, _IONBF, 0);
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = SenderProc;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = "W32ipcCopyDataSender";
    if (!RegisterClassA(&wc)) {
        fprintf(stderr, "RegisterClassA failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    /* A message-only window: enough to receive the answer, and invisible to FindWindow. */
    hWnd = CreateWindowExA(0, wc.lpszClassName, "sender", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, wc.hInstance, NULL);
    if (hWnd == NULL) {
        fprintf(stderr, "CreateWindowExA failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }

    start = GetTickCount();
    while ((hWndTarget = FindWindowA(cls, title)) == NULL && GetTickCount() - start < 10000)
        Sleep(50);
    if (hWndTarget == NULL) {
        fprintf(stderr, "no window \"%s\" of class %s\n", title, cls);
        return 1;
    }
    printf("sender: found the receiver's window\n");

    r = send_block(hWndTarget, hWnd, ACTION_STORE, hello, (DWORD)strlen(hello));
    printf("sender: STORE \"%s\" answered %lld\n", hello, (long long)r);
    ok = ok && r == (LRESULT)strlen(hello);

    for (i = 0; i < BLOCK_SIZE; i++) {
        block[i] = (BYTE)(i * 7 + (i >> 8));
        sum += block[i];
    }
    r = send_block(hWndTarget, hWnd, ACTION_SUM, block, BLOCK_SIZE);
    printf("sender: SUM of %d bytes answered %lld (expected %lu)\n", BLOCK_SIZE, (long long)r, (unsigned long)sum);
    ok = ok && r == (LRESULT)sum;

    r = send_block(hWndTarget, hWnd, ACTION_REVERSE, "stressed", 8);
    printf("sender: REVERSE \"stressed\" answered %lld, sent back: \"%s\"\n", (long long)r, answer);
    ok = ok && r == 1 && strcmp(answer, "desserts") == 0;

    cds.dwData = ACTION_STORE;
    cds.cbData = 6;
    cds.lpData = "posted";
    if (PostMessageA(hWndTarget, WM_COPYDATA, (WPARAM)hWnd, (LPARAM)&cds)) {
        ok = 0;
        printf("sender: PostMessageA WM_COPYDATA succeeded?\n");
    } else {
        printf("sender: PostMessageA WM_COPYDATA refused, error %lu (ERROR_MESSAGE_SYNC_ONLY is %d)\n",
               (unsigned long)GetLastError(), (int)ERROR_MESSAGE_SYNC_ONLY);
    }

    r = send_block(hWndTarget, hWnd, ACTION_STORE, "bye", 3);
    printf("sender: STORE \"bye\" answered %lld\n", (long long)r);
    r = send_block(hWndTarget, hWnd, ACTION_QUIT, NULL, 0);
    printf("sender: QUIT answered %lld; the receiver's window is %s\n", (long long)r,
           IsWindow(hWndTarget) ? "still there" : "gone");
    ok = ok && r == TRUE && !IsWindow(hWndTarget);

    DestroyWindow(hWnd);
    printf("sender: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
