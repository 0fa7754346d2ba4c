/*
 * npipe_overlapped.c — overlapped I/O on a server end opened with FILE_FLAG_OVERLAPPED (the client
 * end is an ordinary blocking handle in the same process).
 *
 * Covers: ConnectNamedPipe with an OVERLAPPED: ERROR_IO_PENDING, the event reset (it was set before),
 * GetOverlappedResult(bWait FALSE) ERROR_IO_INCOMPLETE (996), HasOverlappedIoCompleted, then a
 * client opens and the event is signalled with the result TRUE; ConnectNamedPipe when the client
 * is already there (ERROR_PIPE_CONNECTED at once); ReadFile pending until the client writes, the
 * event signalled, GetOverlappedResult's count and bytes; ReadFile with data already there; a
 * pending message read with a short buffer completes with ERROR_MORE_DATA and the rest stays
 * readable; CancelIo and CancelIoEx abort a pending read (ERROR_OPERATION_ABORTED, 995, 0 bytes),
 * CancelIoEx with nothing pending (ERROR_NOT_FOUND, 1168); a pending read ends with
 * ERROR_BROKEN_PIPE when the client closes; a write larger than the pipe's buffer pends until the
 * client reads it; GetOverlappedResult(bWait TRUE) on a pending read.
 */
#include "w32npipe.h"

static void result(const char *label, HANDLE h, OVERLAPPED *ov, BOOL wait)
{
    DWORD n = 77;
    BOOL ok = GetOverlappedResult(h, ov, &n, wait);
    DWORD e = GetLastError();
    if (ok)
        printf("%s: TRUE n=%u\n", label, (unsigned)n);
    else if (e == ERROR_IO_INCOMPLETE) /* the count is not printed: nothing says it is stored then */
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, p_errname(e));
    else
        printf("%s: FALSE n=%u error=%u %s\n", label, (unsigned)n, (unsigned)e, p_errname(e));
}

static void event_state(const char *label, HANDLE ev)
{
    DWORD w = WaitForSingleObject(ev, 0);
    printf("%s: %s\n", label, w == WAIT_OBJECT_0 ? "signalled" : w == WAIT_TIMEOUT ? "not signalled" : "wait failed");
}

static void start(const char *label, BOOL ok)
{
    DWORD e = GetLastError();
    if (ok)
        printf("%s: TRUE\n", label);
    else
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, p_errname(e));
}

#define BIG (256 * 1024)

int main(void)
{
    HANDLE s, c, ev;
    OVERLAPPED ov;
    char buf[64];
    static char big[BIG], back[BIG];
    DWORD n, total, i;
    const char *name;
    int intact;

    t_init();
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);

    printf("-- ConnectNamedPipe\n");
    name = p_name("ovl");
    s = p_handle("CreateNamedPipeA(DUPLEX|FILE_FLAG_OVERLAPPED, MESSAGE|READMODE_MESSAGE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
                                  1, 4096, 4096, 0, NULL));
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    SetEvent(ev);
    start("ConnectNamedPipe(&ov)", ConnectNamedPipe(s, &ov));
    event_state("event", ev);
    result("GetOverlappedResult(bWait FALSE)", s, &ov, FALSE);
    t_yesno("HasOverlappedIoCompleted", HasOverlappedIoCompleted(&ov));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    printf("WaitForSingleObject(event, 5000): %s\n", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0 ? "WAIT_OBJECT_0" : "other");
    t_yesno("HasOverlappedIoCompleted", HasOverlappedIoCompleted(&ov));
    result("GetOverlappedResult", s, &ov, FALSE);
    start("ConnectNamedPipe(&ov) again", ConnectNamedPipe(s, &ov));

    printf("-- ReadFile\n");
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    SetEvent(ev);
    start("ReadFile(&ov) on an empty pipe", ReadFile(s, buf, sizeof buf, NULL, &ov));
    event_state("event", ev);
    result("GetOverlappedResult(bWait FALSE)", s, &ov, FALSE);
    p_io("client WriteFile \"ovl\"", WriteFile(c, "ovl", 3, &n, NULL), &n);
    printf("WaitForSingleObject(event, 5000): %s\n", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0 ? "WAIT_OBJECT_0" : "other");
    result("GetOverlappedResult", s, &ov, FALSE);
    t_bytes("read", buf, 3);
    printf("Internal (status) = 0x%x, InternalHigh (count) = %u\n", (unsigned)ov.Internal, (unsigned)ov.InternalHigh);

    p_io("client WriteFile \"ready\"", WriteFile(c, "ready", 5, &n, NULL), &n);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    ResetEvent(ev);
    start("ReadFile(&ov) with data there", ReadFile(s, buf, sizeof buf, NULL, &ov));
    event_state("event", ev);
    result("GetOverlappedResult", s, &ov, FALSE);
    t_bytes("read", buf, 5);

    printf("-- a short message read\n");
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    start("ReadFile(&ov, 4 bytes) on an empty pipe", ReadFile(s, buf, 4, NULL, &ov));
    p_io("client WriteFile \"overlapped message\"", WriteFile(c, "overlapped message", 18, &n, NULL), &n);
    result("GetOverlappedResult(bWait TRUE)", s, &ov, TRUE);
    t_bytes("read", buf, 4);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    start("ReadFile(&ov) of the rest", ReadFile(s, buf, sizeof buf, NULL, &ov));
    result("GetOverlappedResult(bWait TRUE)", s, &ov, TRUE);
    t_bytes("read", buf, 14);

    printf("-- CancelIo / CancelIoEx\n");
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    start("ReadFile(&ov) on an empty pipe", ReadFile(s, buf, sizeof buf, NULL, &ov));
    p_bool("CancelIo", CancelIo(s));
    result("GetOverlappedResult(bWait TRUE)", s, &ov, TRUE);
    event_state("event", ev);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    start("ReadFile(&ov) on an empty pipe", ReadFile(s, buf, sizeof buf, NULL, &ov));
    p_bool("CancelIoEx(&ov)", CancelIoEx(s, &ov));
    result("GetOverlappedResult(bWait TRUE)", s, &ov, TRUE);
    p_bool("CancelIoEx(&ov) with nothing pending", CancelIoEx(s, &ov));
    printf("# (CancelIoEx(NULL) with nothing pending: Wine 8 returns TRUE, Microsoft documents ERROR_NOT_FOUND; not tested)\n");
    p_io("client WriteFile \"after the cancel\"", WriteFile(c, "after the cancel", 16, &n, NULL), &n);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    start("ReadFile(&ov)", ReadFile(s, buf, sizeof buf, NULL, &ov));
    result("GetOverlappedResult(bWait TRUE)", s, &ov, TRUE);
    t_bytes("read (nothing was lost)", buf, 16);

    printf("-- the client closes during a pending read\n");
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    start("ReadFile(&ov) on an empty pipe", ReadFile(s, buf, sizeof buf, NULL, &ov));
    p_bool("client CloseHandle", CloseHandle(c));
    result("GetOverlappedResult(bWait TRUE)", s, &ov, TRUE);
    CloseHandle(s);

    printf("-- a write larger than the pipe's buffer\n");
    name = p_name("ovlbig");
    s = p_handle("CreateNamedPipeA(DUPLEX|FILE_FLAG_OVERLAPPED, BYTE, buffers 4096)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    for (i = 0; i < BIG; i++)
        big[i] = (char)(i % 251);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    start("WriteFile(&ov, 256 KiB)", WriteFile(s, big, BIG, NULL, &ov));
    result("GetOverlappedResult(bWait FALSE)", s, &ov, FALSE);
    total = 0;
    while (total < BIG && ReadFile(c, back + total, BIG - total, &n, NULL))
        total += n;
    intact = memcmp(big, back, BIG) == 0;
    printf("client read %u bytes, intact: %s\n", (unsigned)total, intact ? "yes" : "no");
    result("GetOverlappedResult(bWait TRUE)", s, &ov, TRUE);
    CloseHandle(c);
    CloseHandle(s);
    CloseHandle(ev);
    return 0;
}
