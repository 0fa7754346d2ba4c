/*
 * msg_seed.c — the seed's WM_COPYDATA scenario, as a program would write it.
 *
 * Three processes: the parent starts a receiver, then a sender, and reports both after they ended.
 * - The receiver registers a class, creates its window (message-only: Wine cannot make top-level
 *   windows without a display, and Windows' FindWindow does not see message-only windows, so the
 *   sender looks with FindWindowExA(HWND_MESSAGE, ...)) and pumps GetMessage/DispatchMessage.
 *   Its WM_COPYDATA handler reads dwData as an action code: STORE copies the block (the data is the
 *   system's and lives only during the call) and answers its length; REVERSE answers by sending a
 *   WM_COPYDATA with the reversed block back to the window in wParam (the sender, blocked in its
 *   SendMessage, takes it); SUM answers a checksum of a 256 KiB block; QUIT destroys the window.
 *   It prints what it kept once its loop ended.
 * - The sender finds the window by class and title, fills a COPYDATASTRUCT (dwData, cbData,
 *   lpData) and sends WM_COPYDATA with its own window in wParam, as the seed's fragment does; an
 *   unknown action code is answered with 0; posting WM_COPYDATA fails (ERROR_MESSAGE_SYNC_ONLY).
 */
#include "w32msg.h"

#define ACTION_STORE 1
#define ACTION_REVERSE 2
#define ACTION_SUM 3
#define ACTION_QUIT 4
#define SUM_BYTES (256u * 1024)

static char kept[8][128];
static int nkept;
static char reply[128];
static DWORD reply_len;

static LRESULT CALLBACK receiver_proc(HWND hwnd, UINT msg, WPARAM wParam, LPARAM lParam)
{
    if (msg == WM_COPYDATA) {
        PCOPYDATASTRUCT pcds = (PCOPYDATASTRUCT)lParam;
        PBYTE pBuffer = (PBYTE)pcds->lpData;
        switch (pcds->dwData) {
        case ACTION_STORE:
            if (nkept < 8 && pcds->cbData < sizeof kept[0]) {
                memcpy(kept[nkept], pBuffer, pcds->cbData); /* our own copy */
                kept[nkept][pcds->cbData] = '\0';
                nkept++;
            }
            return (LRESULT)pcds->cbData;
        case ACTION_REVERSE: {
            char rev[128];
            COPYDATASTRUCT back;
            DWORD i, n = pcds->cbData < sizeof rev ? pcds->cbData : (DWORD)sizeof rev;
            for (i = 0; i < n; i++)
                rev[i] = (char)pBuffer[n - 1 - i];
            back.dwData = ACTION_STORE;
            back.cbData = n;
            back.lpData = rev;
            return SendMessageA((HWND)wParam, WM_COPYDATA, (WPARAM)hwnd, (LPARAM)&back);
        }
        case ACTION_SUM:
            return (LRESULT)m_fnv(pBuffer, pcds->cbData);
        case ACTION_QUIT:
            DestroyWindow(hwnd);
            return TRUE;
        default:
            return 0;
        }
    }
    if (msg == WM_DESTROY) {
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcA(hwnd, msg, wParam, lParam);
}

/* The sender's own window: takes the receiver's answer to REVERSE. */
static LRESULT CALLBACK sender_proc(HWND hwnd, UINT msg, WPARAM wParam, LPARAM lParam)
{
    if (msg == WM_COPYDATA) {
        PCOPYDATASTRUCT pcds = (PCOPYDATASTRUCT)lParam;
        reply_len = pcds->cbData < sizeof reply ? pcds->cbData : (DWORD)sizeof reply;
        memcpy(reply, pcds->lpData, reply_len);
        return 1;
    }
    return DefWindowProcA(hwnd, msg, wParam, lParam);
}

/* argv: receiver CLASS TITLE READYEVENT */
static int receiver(char **argv)
{
    HANDLE ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, argv[4]);
    MSG msg;
    HWND hwnd;
    BOOL r;
    int i;
    DWORD start = GetTickCount();
    if (!ready || !m_register(argv[2], receiver_proc, 0))
        return 10;
    hwnd = CreateWindowExA(0, argv[2], argv[3], 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, GetModuleHandleA(NULL), NULL);
    if (hwnd == NULL)
        return 11;
    SetEvent(ready);
    while ((r = GetMessageA(&msg, NULL, 0, 0)) > 0 && GetTickCount() - start < 30000) {
        TranslateMessage(&msg);
        DispatchMessageA(&msg);
    }
    printf("message loop ended: GetMessageA %d\n", (int)r);
    for (i = 0; i < nkept; i++)
        printf("kept block %d: \"%s\"\n", i, kept[i]);
    return 0;
}

static void send_block(HWND target, HWND self, const char *label, ULONG_PTR action, const void *data, DWORD n)
{
    COPYDATASTRUCT cds;
    LRESULT r;
    cds.dwData = action;
    cds.cbData = n;
    cds.lpData = (PVOID)data;
    r = SendMessageA(target, WM_COPYDATA, (WPARAM)self, (LPARAM)&cds);
    printf("%s: %lld\n", label, (long long)r);
}

/* argv: sender CLASS TITLE */
static int sender(char **argv)
{
    static unsigned char block[SUM_BYTES];
    const char *hello = "Hello from the sender";
    COPYDATASTRUCT cds;
    HWND self, target;
    LRESULT r;
    if (!m_register(m_name("seed-sender"), sender_proc, 0))
        return 10;
    self = m_msg_window(m_name("seed-sender"), "sender", NULL);
    target = FindWindowExA(HWND_MESSAGE, NULL, argv[2], argv[3]);
    printf("FindWindowExA by class and title: %s\n", target ? "found" : "NULL");
    if (target == NULL)
        return 11;
    printf("FindWindowExA by title only, the same: %s\n", FindWindowExA(HWND_MESSAGE, NULL, NULL, argv[3]) == target ? "yes" : "no");
    send_block(target, self, "STORE \"Hello from the sender\" answered", ACTION_STORE, hello, (DWORD)strlen(hello));
    send_block(target, self, "STORE 0 bytes answered", ACTION_STORE, NULL, 0);
    reply_len = 0;
    send_block(target, self, "REVERSE \"stressed\" answered", ACTION_REVERSE, "stressed", 8);
    t_bytes("the block it sent back", reply, reply_len);
    m_fill(block, SUM_BYTES, 9);
    cds.dwData = ACTION_SUM;
    cds.cbData = SUM_BYTES;
    cds.lpData = block;
    r = SendMessageA(target, WM_COPYDATA, (WPARAM)self, (LPARAM)&cds);
    printf("SUM of 256 KiB: the receiver's checksum matches: %s\n", (DWORD)r == m_fnv(block, SUM_BYTES) ? "yes" : "no");
    send_block(target, self, "an unknown action code answered", 77, "x", 1);
    cds.dwData = ACTION_STORE;
    cds.cbData = 5;
    cds.lpData = "posted";
    SetLastError(0);
    m_bool("PostMessageA WM_COPYDATA", PostMessageA(target, WM_COPYDATA, (WPARAM)self, (LPARAM)&cds));
    send_block(target, self, "STORE \"bye\" answered", ACTION_STORE, "bye", 3);
    send_block(target, self, "QUIT answered", ACTION_QUIT, NULL, 0);
    printf("the receiver's window is gone: %s\n", IsWindow(target) ? "no" : "yes");
    DestroyWindow(self);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cls = m_name("seed-receiver"), *title = m_name("Seed receiver");
    char args[400], evname[96];
    PROCESS_INFORMATION rpi, spi;
    HANDLE rout, sout, ready;

    if (argc >= 5 && strcmp(argv[1], "receiver") == 0)
        return receiver(argv);
    if (argc >= 4 && strcmp(argv[1], "sender") == 0)
        return sender(argv);
    t_init();

    snprintf(evname, sizeof evname, "w32ipc-seed-ready-%lu", (unsigned long)GetCurrentProcessId());
    ready = CreateEventA(NULL, FALSE, FALSE, evname);
    /* a title with a space: quoted on the command line */
    snprintf(args, sizeof args, "receiver %s \"%s\" %s", cls, title, evname);
    m_bool("start the receiver", t_spawn_captured(args, &rpi, &rout));
    printf("the receiver's window exists: %s\n", WaitForSingleObject(ready, 10000) == WAIT_OBJECT_0 ? "yes" : "no");
    snprintf(args, sizeof args, "sender %s \"%s\"", cls, title);
    m_bool("start the sender", t_spawn_captured(args, &spi, &sout));
    t_finish_child("sender", &spi, sout, 20000);
    t_finish_child("receiver", &rpi, rout, 20000);
    CloseHandle(ready);
    return 0;
}
