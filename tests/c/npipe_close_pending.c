/*
 * npipe_close_pending.c — closing a handle with overlapped operations pending on it: a pending
 * ConnectNamedPipe and a pending ReadFile end (the event is set, GetOverlappedResult reports the
 * abort), the instance is gone (a client finds no pipe), and a second instance of the name keeps
 * working.
 */
#include "w32npipe.h"

int main(void)
{
    OVERLAPPED ov;
    HANDLE ev, s, s2, c;
    DWORD n = 0;
    char buf[16];
    t_init();

    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    const char *name = p_name("closepend");

    printf("-- a pending ConnectNamedPipe, then CloseHandle\n");
    s = p_handle("CreateNamedPipeA(OVERLAPPED)", CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                 PIPE_TYPE_BYTE, 2, 4096, 4096, 0, NULL));
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    p_bool("ConnectNamedPipe", ConnectNamedPipe(s, &ov));
    p_bool("CloseHandle", CloseHandle(s));
    printf("event signalled: %s\n", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0 ? "yes" : "no");
    printf("completed: %s\n", HasOverlappedIoCompleted(&ov) ? "yes" : "no");
    c = p_open(name, GENERIC_READ | GENERIC_WRITE);
    p_handle("a client after the close", c);
    p_close(c);

    printf("-- a pending ReadFile, then CloseHandle; another instance lives on\n");
    s = p_handle("CreateNamedPipeA 1", CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                 PIPE_TYPE_BYTE, 2, 4096, 4096, 0, NULL));
    s2 = p_handle("CreateNamedPipeA 2", CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2, 4096, 4096, 0, NULL));
    c = p_handle("client", p_open(name, GENERIC_READ | GENERIC_WRITE));
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    ResetEvent(ev);
    p_bool("ConnectNamedPipe (client already there)", ConnectNamedPipe(s, &ov));
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    p_io("ReadFile (pending)", ReadFile(s, buf, sizeof buf, &n, &ov), &n);
    p_bool("CloseHandle", CloseHandle(s));
    printf("event signalled: %s\n", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0 ? "yes" : "no");
    printf("completed: %s\n", HasOverlappedIoCompleted(&ov) ? "yes" : "no");
    n = 77;
    p_io("client WriteFile after the server closed", WriteFile(c, "x", 1, &n, NULL), &n);
    p_close(c);
    c = p_handle("a new client (the second instance)", p_open(name, GENERIC_READ | GENERIC_WRITE));
    p_bool("ConnectNamedPipe on the second instance", ConnectNamedPipe(s2, NULL));
    n = 0;
    p_io("client WriteFile \"hi\"", WriteFile(c, "hi", 2, &n, NULL), &n);
    p_io("server ReadFile", ReadFile(s2, buf, sizeof buf, &n, NULL), &n);
    t_bytes("server read", buf, n);
    p_close(c);
    p_close(s2);
    CloseHandle(ev);
    return 0;
}
