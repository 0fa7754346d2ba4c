/* msg_thread_queue.c — two threads of one process exchanging messages through their message queues
 * (the seed's "simple method for moving data between two threads within the same process"), no
 * window involved: PostThreadMessage to post, GetMessage to wait for the next one.
 *
 *   msg_thread_queue [COUNT]      default 1000 work items
 *
 * The main thread starts a worker, waits until the worker has a message queue (a thread gets one
 * with its first message call: PostThreadMessage to a thread without one fails with
 * ERROR_INVALID_THREAD_ID), posts COUNT work items (WM_APP_WORK, wParam = n), and collects the
 * worker's answers (WM_APP_DONE, wParam = n, lParam = n * n) in order. Then it posts WM_QUIT, which
 * ends the worker's GetMessage loop with the exit code in wParam.
 *
 * Build on Linux:
 *   cargo build --release -p w32ipc-capi && scripts/write-pkg-config
 *   export PKG_CONFIG_PATH=$PWD/target/release/pkgconfig
 *   cc crates/w32ipc-capi/examples/msg_thread_queue.c $(pkg-config --cflags --libs w32ipc) -o msg_thread_queue
 * The same source builds for Windows (x86_64-w64-mingw32-gcc msg_thread_queue.c -o msg_thread_queue.exe -luser32).
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#define WM_APP_WORK (WM_APP + 1)
#define WM_APP_DONE (WM_APP + 2)

static DWORD main_thread;
static HANDLE queue_ready;

static DWORD WINAPI worker(LPVOID arg)
{
    MSG msg;
    BOOL r;
    DWORD handled = 0;
    (void)arg;
    /* Any message call gives the thread its queue; then the main thread may post to it. */
    PeekMessageA(&msg, NULL, 0, 0, PM_NOREMOVE);
    SetEvent(queue_ready);
    while ((r = GetMessageA(&msg, NULL, 0, 0)) > 0) {
        if (msg.message == WM_APP_WORK) {
            LPARAM square = (LPARAM)(msg.wParam * msg.wParam);
            while (!PostThreadMessageA(main_thread, WM_APP_DONE, msg.wParam, square))
                Sleep(1); /* the main thread's queue is full (10 000 messages): let it catch up */
            handled++;
        }
    }
    if (r < 0)
        return 1000;
    printf("worker: WM_QUIT after %lu items, exit code %d\n", (unsigned long)handled, (int)msg.wParam);
    return (DWORD)msg.wParam;
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 1000, got = 0, in_order = 1, i;
    DWORD worker_id, code = 0;
    HANDLE th;
    MSG msg;
    long long total = 0;

    setvbuf(stdout, NULL, _IONBF, 0);
    main_thread = GetCurrentThreadId();
    PeekMessageA(&msg, NULL, 0, 0, PM_NOREMOVE); /* our own queue, for the answers */
    queue_ready = CreateEventA(NULL, FALSE, FALSE, NULL);
    th = CreateThread(NULL, 0, worker, NULL, 0, &worker_id);
    if (th == NULL || WaitForSingleObject(queue_ready, 10000) != WAIT_OBJECT_0) {
        fprintf(stderr, "the worker did not start\n");
        return 1;
    }

    for (i = 1; i <= count;) {
        if (PostThreadMessageA(worker_id, WM_APP_WORK, (WPARAM)i, 0)) {
            i++;
        } else if (GetLastError() == ERROR_NOT_ENOUGH_QUOTA) {
            Sleep(1); /* the worker's queue is full (10 000 messages): let it catch up */
        } else {
            fprintf(stderr, "PostThreadMessageA failed: %lu\n", (unsigned long)GetLastError());
            return 1;
        }
        /* Collect answers as they come, so that the worker never waits for room in our queue long. */
        while (PeekMessageA(&msg, NULL, WM_APP_DONE, WM_APP_DONE, PM_REMOVE)) {
            got++;
            in_order = in_order && msg.wParam == (WPARAM)got && msg.lParam == (LPARAM)got * got;
            total += msg.lParam;
        }
    }
    while (got < count && GetMessageA(&msg, NULL, WM_APP_DONE, WM_APP_DONE) > 0) {
        got++;
        in_order = in_order && msg.wParam == (WPARAM)got && msg.lParam == (LPARAM)got * got;
        total += msg.lParam;
    }
    printf("main: %d answers, in order: %s, sum of squares 1..%d = %lld\n", got, in_order ? "yes" : "no", count, total);

    PostThreadMessageA(worker_id, WM_QUIT, 42, 0);
    WaitForSingleObject(th, 10000);
    GetExitCodeThread(th, &code);
    CloseHandle(th);
    CloseHandle(queue_ready);
    printf("main: worker exit code %lu\n", (unsigned long)code);
    if (got != count || !in_order || total != (long long)count * (count + 1) * (2 * count + 1) / 6 || code != 42) {
        printf("msg_thread_queue: FAILED\n");
        return 1;
    }
    printf("msg_thread_queue: ok\n");
    return 0;
}
