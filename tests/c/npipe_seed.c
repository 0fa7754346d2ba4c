/*
 * npipe_seed.c — the seed document's named-pipe scenario, between two processes.
 *
 * The seed's server fragment creates ONE instance with PIPE_ACCESS_OUTBOUND ("write access only")
 * and PIPE_TYPE_BYTE | PIPE_NOWAIT ("write bytes, no waiting"), nMaxInstances 1, time-out 0 and
 * default security, and checks for INVALID_HANDLE_VALUE and NULL; its client opens the name with
 * CreateFile in a loop until the handle is valid. Here the server (this process) polls
 * ConnectNamedPipe in no-wait mode until a client process (this program started again) has opened
 * the pipe with GENERIC_READ; the server then writes LINES lines and closes its handle; the client
 * reads until ERROR_BROKEN_PIPE and prints what it received, reported after it has ended.
 *
 * Covers: CreateNamedPipeA with the seed's modes (never NULL); GetNamedPipeHandleStateA and
 * GetNamedPipeInfo refused on the write-only server end (ERROR_ACCESS_DENIED: an outbound server end
 * has GENERIC_WRITE only, and Microsoft documents that both calls need FILE_READ_ATTRIBUTES on a
 * write-only pipe); no-wait ConnectNamedPipe before a
 * client (ERROR_PIPE_LISTENING, 536), also after a refused open; WriteFile before a client
 * connected (536); the seed client's own access, GENERIC_READ | GENERIC_WRITE, refused on an
 * outbound pipe (ERROR_ACCESS_DENIED) without taking the instance; the one instance busy for a
 * second client (ERROR_PIPE_BUSY, 231) and WaitNamedPipeA timing out (121); polling ends with
 * ERROR_PIPE_CONNECTED (535); no-wait writes of LINES lines, each written whole; the client end is
 * a blocking byte-mode handle (state 0), reads everything, then ERROR_BROKEN_PIPE (109) once the
 * server closed its handle; the name is gone afterwards.
 *
 * Not as in the seed: the buffer sizes are 4096, not 0. Windows treats the sizes as advisory and
 * still buffers with 0; Wine 8 writes 0 bytes to a no-wait pipe with zero sizes (DESIGN.md). The
 * seed's string literals ("\\.\pipe\ipcdemo" in C source is not a pipe name) are not reproduced.
 */
#include "w32npipe.h"

#define LINES 5

/* argv: client NAME — the seed's client loop, with GENERIC_READ (the pipe is outbound) */
static int client_child(char **argv)
{
    const char *name = argv[2];
    HANDLE h = INVALID_HANDLE_VALUE;
    char buf[64], text[1024];
    DWORD n, st = 77, total = 0, reads = 0, e;
    int tries;

    t_init();
    /* Try to open the pipe; wait for it if it is busy (bounded: 50 tries). */
    for (tries = 0; tries < 50; tries++) {
        h = CreateFileA(name, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (h != INVALID_HANDLE_VALUE)
            break;
        e = GetLastError();
        if (e != ERROR_PIPE_BUSY) {
            printf("CreateFileA: INVALID_HANDLE_VALUE error=%u %s\n", (unsigned)e, p_errname(e));
            return 2;
        }
        WaitNamedPipeA(name, 200);
    }
    if (h == INVALID_HANDLE_VALUE) {
        printf("CreateFileA: still busy after 50 tries\n");
        return 3;
    }
    printf("CreateFileA(GENERIC_READ): ok\n");
    if (GetNamedPipeHandleStateA(h, &st, NULL, NULL, NULL, NULL, 0))
        printf("client GetNamedPipeHandleStateA: TRUE state=0x%x\n", (unsigned)st);
    else
        printf("client GetNamedPipeHandleStateA: FALSE error=%u\n", (unsigned)GetLastError());
    /* Read until the pipe breaks. How the bytes are split between reads depends on timing. */
    for (;;) {
        n = 77;
        if (!ReadFile(h, buf, sizeof buf, &n, NULL))
            break;
        if (total + n < sizeof text) {
            memcpy(text + total, buf, n);
            total += n;
        }
        reads++;
    }
    e = GetLastError();
    text[total] = '\0';
    printf("ReadFile loop ended: error=%u %s, n=%u\n", (unsigned)e, p_errname(e), (unsigned)n);
    printf("received %u bytes:\n", (unsigned)total);
    t_print_lines("  ", text);
    printf("read at least once: %s\n", reads > 0 ? "yes" : "no");
    CloseHandle(h);
    return 0;
}

int main(int argc, char **argv)
{
    HANDLE s, other;
    PROCESS_INFORMATION pi;
    HANDLE out;
    char args[300], line[64];
    const char *name;
    DWORD st, inst, flags, outsz, insz, max, n, e, waited;
    BOOL ok;
    int i, connected;

    if (argc >= 3 && strcmp(argv[1], "client") == 0)
        return client_child(argv);
    t_init();

    printf("-- the seed's server: one outbound, byte, no-wait instance\n");
    name = p_name("seed");
    s = CreateNamedPipeA(name,                        /* pipe name */
                         PIPE_ACCESS_OUTBOUND,        /* write access only */
                         PIPE_TYPE_BYTE | PIPE_NOWAIT, /* write bytes, no waiting */
                         1,                           /* one instance at a time */
                         4096,                        /* output buffer size (the seed: 0) */
                         4096,                        /* input buffer size (the seed: 0) */
                         0,                           /* time-out: the default, 50 ms */
                         NULL);                       /* default security */
    p_handle("CreateNamedPipeA(OUTBOUND, BYTE|NOWAIT, 1)", s);
    t_yesno("returned NULL", s == NULL);
    if (s == INVALID_HANDLE_VALUE || s == NULL)
        return 1;
    st = inst = 77;
    if (GetNamedPipeHandleStateA(s, &st, &inst, NULL, NULL, NULL, 0))
        printf("GetNamedPipeHandleStateA (write-only server end): TRUE state=0x%x instances=%u\n", (unsigned)st, (unsigned)inst);
    else
        printf("GetNamedPipeHandleStateA (write-only server end): FALSE error=%u %s\n", (unsigned)GetLastError(), p_errname(GetLastError()));
    flags = outsz = insz = max = 77;
    if (GetNamedPipeInfo(s, &flags, &outsz, &insz, &max))
        printf("GetNamedPipeInfo (write-only server end): TRUE flags=0x%x max=%u\n", (unsigned)flags, (unsigned)max);
    else
        printf("GetNamedPipeInfo (write-only server end): FALSE error=%u %s\n", (unsigned)GetLastError(), p_errname(GetLastError()));

    printf("-- before a client\n");
    p_bool("ConnectNamedPipe (no-wait)", ConnectNamedPipe(s, NULL));
    n = 77;
    p_io("WriteFile before a client", WriteFile(s, "early", 5, &n, NULL), &n);
    other = p_handle("CreateFileA(GENERIC_READ|GENERIC_WRITE), as the seed's client asks",
                     CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL));
    p_close(other);
    p_bool("ConnectNamedPipe after the refused open", ConnectNamedPipe(s, NULL));

    printf("-- a client process opens it with GENERIC_READ\n");
    snprintf(args, sizeof args, "client %s", name);
    ok = t_spawn_captured(args, &pi, &out);
    if (!ok) {
        printf("spawn failed: error=%u\n", (unsigned)GetLastError());
        return 1;
    }
    /* Poll, as a no-wait server does, for at most 20 s. */
    connected = 0;
    for (waited = 0; waited < 20000; waited += 10) {
        if (ConnectNamedPipe(s, NULL)) {
            printf("ConnectNamedPipe polling ended: TRUE\n");
            connected = 1;
            break;
        }
        e = GetLastError();
        if (e != ERROR_PIPE_LISTENING) {
            printf("ConnectNamedPipe polling ended: FALSE error=%u %s\n", (unsigned)e, p_errname(e));
            connected = e == ERROR_PIPE_CONNECTED;
            break;
        }
        Sleep(10);
    }
    if (waited >= 20000)
        printf("ConnectNamedPipe polling: no client within 20 s\n");
    if (connected) {
        p_close(p_handle("a second client while the one instance is connected", p_open(name, GENERIC_READ)));
        p_bool("WaitNamedPipeA(100) while the one instance is connected", WaitNamedPipeA(name, 100));
        for (i = 1; i <= LINES; i++) {
            char label[40];
            snprintf(line, sizeof line, "line %d of %d from the server\n", i, LINES);
            snprintf(label, sizeof label, "WriteFile line %d (%u bytes)", i, (unsigned)strlen(line));
            n = 77;
            p_io(label, WriteFile(s, line, (DWORD)strlen(line), &n, NULL), &n);
        }
    }
    p_bool("server CloseHandle", CloseHandle(s));
    t_finish_child("client", &pi, out, 20000);
    p_close(p_handle("CreateFileA on the name afterwards", p_open(name, GENERIC_READ)));
    return 0;
}
