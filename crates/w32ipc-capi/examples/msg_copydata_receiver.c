/* msg_copydata_receiver.c — the seed document's WM_COPYDATA receiver: a window class, a main window,
 * a GetMessage / TranslateMessage / DispatchMessage loop, and a WM_COPYDATA handler that reads
 * dwData as an action code.
 *
 *   msg_copydata_receiver [CLASS [TITLE]]   defaults: W32ipcCopyDataReceiver, "w32ipc copydata receiver"
 *
 * Pair it with msg_copydata_sender (same CLASS and TITLE), which finds the window with FindWindow.
 * Action codes:
 *   1 STORE    keep a copy of the block (the data belongs to the system and lives only during the
 *              call, as the seed says), answer its length
 *   2 REVERSE  answer by sending a WM_COPYDATA with the block reversed back to the window in wParam
 *              (the sender, still blocked in its SendMessage, handles it), answer 1
 *   3 SUM      answer the sum of the bytes
 *   4 QUIT     destroy the window: the message loop ends, the kept blocks are printed
 *   other      answer 0
 *
 * Build on Linux:
 *   cargo build --release -p w32ipc-capi && scripts/write-pkg-config
 *   export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   cc crates/w32ipc-capi/examples/msg_copydata_receiver.c $(pkg-config --cflags --libs w32ipc) -o msg_copydata_receiver
 * The same source builds for Windows (x86_64-w64-mingw32-gcc msg_copydata_receiver.c -o msg_copydata_receiver.exe -luser32).
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTION_STORE 1
#define ACTION_REVERSE 2
#define ACTION_SUM 3
#define ACTION_QUIT 4

#define MAX_KEPT 16

static char *kept[MAX_KEPT];
static DWORD kept_len[MAX_KEPT];
static int nkept;

static LRESULT store(const BYTE *data, DWORD n)
{
    char *copy;
    if (nkept == MAX_KEPT)
        return 0;
    copy = (char *)malloc(n + 1);
    if (copy == NULL)
        return 0;
    if (n > 0)
        memcpy(copy, data, n); /* our own copy: the block goes away when we return */
    copy[n] = '\0';
    kept[nkept] = copy;
    kept_len[nkept] = n;
    nkept++;
    return (LRESULT)n;
}

static LRESULT reverse_back(HWND hwnd, HWND to, const BYTE *data, DWORD n)
{
    COPYDATASTRUCT back;
    BYTE *rev = (BYTE *)malloc(n ? n : 1);
    DWORD i;
    LRESULT r;
    if (rev == NULL)
        return 0;
    for (i = 0; i < n; i++)
        rev[i] = data[n - 1 - i];
    back.dwData = ACTION_STORE;
    back.cbData = n;
    back.lpData = rev;
    r = SendMessageA(to, WM_COPYDATA, (WPARAM)hwnd, (LPARAM)&back);
    free(rev);
    return r != 0;
}

static LRESULT CALLBACK WndProc(HWND hwnd, UINT msg, WPARAM wParam, LPARAM lParam)
{
    switch (msg) {
    case WM_COPYDATA: {
        PCOPYDATASTRUCT pcds = (PCOPYDATASTRUCT)lParam;
        PBYTE pBuffer = (PBYTE)pcds->lpData;
        DWORD i, sum = 0;
        printf("receiver: WM_COPYDATA action %lu, %lu bytes\n", (unsigned long)pcds->dwData,
               (unsigned long)pcds->cbData);
        switch (pcds->dwData) {
        case ACTION_STORE:
            return store(pBuffer, pcds->cbData);
        case ACTION_REVERSE:
            return reverse_back(hwnd, (HWND)wParam, pBuffer, pcds->cbData);
        case ACTION_SUM:
            for (i = 0; i < pcds->cbData; i++)
                sum += pBuffer[i];
            return (LRESULT)sum;
        case ACTION_QUIT:
            DestroyWindow(hwnd);
            return TRUE;
        default:
            return 0;
        }
    }
    case WM_DESTROY:
        PostQuitMessage(0);
        return 0;
    default:
        return DefWindowProcA(hwnd, msg, wParam, lParam);
    }
}

int main(int argc, char **argv)
{
    const char *cls = argc > 1 ? argv[1] : "W32ipcCopyDataReceiver";
    const char *title = argc > 2 ? argv[2] : "w32ipc copydata receiver";
    WNDCLASSA wc;
    HWND hwnd;
    MSG msg;
    BOOL r;
    int i;

    setvbuf(stdout, NULL, _IONBF, 0);
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = WndProc;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = cls;
    if (!RegisterClassA(&wc)) {
        fprintf(stderr, "RegisterClassA failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    /* The receiving process's main window: a top-level window (nothing is drawn on Linux). */
    hwnd = CreateWindowExA(0, cls, title, WS_OVERLAPPEDWINDOW, CW_USEDEFAULT, CW_USEDEFAULT, 400, 200, NULL, NULL,
                           wc.hInstance, NULL);
    if (hwnd == NULL) {
        fprintf(stderr, "CreateWindowExA failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    printf("receiver: window \"%s\" of class %s is ready\n", title, cls);

    while ((r = GetMessageA(&msg, NULL, 0, 0)) > 0) {
        TranslateMessage(&msg);
        DispatchMessageA(&msg);
    }
    if (r < 0) {
        fprintf(stderr, "GetMessageA failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    printf("receiver: message loop ended, exit code %d\n", (int)msg.wParam);
    for (i = 0; i < nkept; i++) {
        printf("receiver: stored block %d (%lu bytes): \"%s\"\n", i, (unsigned long)kept_len[i], kept[i]);
        free(kept[i]);
    }
    UnregisterClassA(cls, wc.hInstance);
    return 0;
}
