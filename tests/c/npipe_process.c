/*
 * npipe_process.c — named pipes between two processes (the test starts itself again as the peer;
 * the children print nothing, they report over the pipe or by exit code).
 *
 * Covers: a client process waits for and opens the parent's pipe; GetNamedPipeClientProcessId on
 * the server end and GetNamedPipeServerProcessId on the client end name the peer (printed only as
 * "matches"); FlushFileBuffers on the server returns only once the client has read everything (the
 * client signals a named event just before it starts reading, 300 ms after the data was written);
 * the client closes its end: the server reads ERROR_BROKEN_PIPE (109) and writes ERROR_NO_DATA
 * (232); a client killed with TerminateProcess after writing: its data is still read, then 109;
 * a server process killed while a client is connected: the client reads what was written, then
 * 109, writes get 232, and the name is gone (ERROR_FILE_NOT_FOUND for CreateFileA and
 * WaitNamedPipeA).
 *
 * Left out (Wine 8 is not Windows there, DESIGN.md): GetNamedPipeClient/ServerProcessId on the
 * other end and after a disconnect.
 */
#include "w32npipe.h"

#define FLUSH_BYTES 3000

static void write_line(HANDLE h, const char *text)
{
    DWORD n;
    WriteFile(h, text, (DWORD)strlen(text), &n, NULL);
}

/* argv: client NAME PARENTPID EVENTNAME */
static int client_child(char **argv)
{
    const char *name = argv[2];
    ULONG parent = strtoul(argv[3], NULL, 10), pid = 0;
    HANDLE c, ev;
    char line[128];
    static char buf[FLUSH_BYTES];
    DWORD n, total = 0;

    if (!WaitNamedPipeA(name, 10000))
        return 10;
    c = p_open(name, GENERIC_READ | GENERIC_WRITE);
    if (c == INVALID_HANDLE_VALUE)
        return 11;
    ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, argv[4]);
    if (ev == NULL)
        return 12;
    if (GetNamedPipeServerProcessId(c, &pid))
        snprintf(line, sizeof line, "GetNamedPipeServerProcessId: TRUE, matches the parent: %s\n", pid == parent ? "yes" : "no");
    else
        snprintf(line, sizeof line, "GetNamedPipeServerProcessId: FALSE error=%u\n", (unsigned)GetLastError());
    write_line(c, line);
    /* the parent writes FLUSH_BYTES and flushes; start reading only later */
    Sleep(300);
    SetEvent(ev);
    while (total < FLUSH_BYTES && ReadFile(c, buf, sizeof buf, &n, NULL))
        total += n;
    snprintf(line, sizeof line, "read %u bytes\n", (unsigned)total);
    write_line(c, line);
    CloseHandle(ev);
    CloseHandle(c);
    return 0;
}

/* argv: hang NAME: connect, write, then wait to be killed */
static int hang_child(char **argv)
{
    HANDLE c;
    if (!WaitNamedPipeA(argv[2], 10000))
        return 10;
    c = p_open(argv[2], GENERIC_READ | GENERIC_WRITE);
    if (c == INVALID_HANDLE_VALUE)
        return 11;
    write_line(c, "written before the kill");
    Sleep(INFINITE);
    return 0;
}

/* argv: server NAME EVENTNAME: create the pipe, say so, serve one client a line, wait to be killed */
static int server_child(char **argv)
{
    HANDLE s, ev;
    s = CreateNamedPipeA(argv[2], PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL);
    if (s == INVALID_HANDLE_VALUE)
        return 10;
    ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, argv[3]);
    if (ev == NULL)
        return 12;
    SetEvent(ev);
    if (!ConnectNamedPipe(s, NULL) && GetLastError() != ERROR_PIPE_CONNECTED)
        return 13;
    write_line(s, "from the server child");
    Sleep(INFINITE);
    return 0;
}

static void read_print(const char *label, HANDLE h)
{
    char buf[256];
    DWORD n = 77;
    BOOL ok = ReadFile(h, buf, sizeof buf, &n, NULL);
    DWORD e = GetLastError();
    if (ok) {
        printf("%s: TRUE n=%u ", label, (unsigned)n);
        t_bytes("data", buf, n);
    } else {
        printf("%s: FALSE n=%u error=%u %s\n", label, (unsigned)n, (unsigned)e, p_errname(e));
    }
}

/* Read one line the child wrote (up to '\n') and print it. */
static void read_child_line(HANDLE h)
{
    char line[256];
    DWORD len = 0, n;
    while (len + 1 < sizeof line && ReadFile(h, line + len, 1, &n, NULL) && n == 1) {
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    printf("child| %s\n", line);
}

int main(int argc, char **argv)
{
    HANDLE s, c, ev;
    PROCESS_INFORMATION pi;
    char args[400], evname[160], pid[24];
    static char data[FLUSH_BYTES];
    const char *name;
    ULONG client_pid, server_pid;
    DWORD n, code;
    BOOL ok;

    if (argc >= 5 && strcmp(argv[1], "client") == 0)
        return client_child(argv);
    if (argc >= 3 && strcmp(argv[1], "hang") == 0)
        return hang_child(argv);
    if (argc >= 4 && strcmp(argv[1], "server") == 0)
        return server_child(argv);
    t_init();

    printf("-- a client process\n");
    name = p_name("proc");
    snprintf(evname, sizeof evname, "w32ipc-npipe-flush-%lu", (unsigned long)GetCurrentProcessId());
    ev = CreateEventA(NULL, TRUE, FALSE, evname);
    s = p_handle("CreateNamedPipeA", CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL));
    snprintf(pid, sizeof pid, "%lu", (unsigned long)GetCurrentProcessId());
    snprintf(args, sizeof args, "client %s %s %s", name, pid, evname);
    t_bool("spawn the client", t_spawn(args, FALSE, NULL, &pi));
    ok = ConnectNamedPipe(s, NULL);
    printf("ConnectNamedPipe: %s\n", ok || GetLastError() == ERROR_PIPE_CONNECTED ? "connected" : "failed");
    client_pid = 0;
    if (GetNamedPipeClientProcessId(s, &client_pid))
        printf("GetNamedPipeClientProcessId: TRUE, matches the child: %s\n", client_pid == pi.dwProcessId ? "yes" : "no");
    else
        printf("GetNamedPipeClientProcessId: FALSE error=%u\n", (unsigned)GetLastError());
    read_child_line(s);
    memset(data, 'f', sizeof data);
    p_io("WriteFile 3000 bytes", WriteFile(s, data, sizeof data, &n, NULL), &n);
    printf("the client has started reading (before FlushFileBuffers): %s\n",
           WaitForSingleObject(ev, 0) == WAIT_OBJECT_0 ? "yes" : "no");
    p_bool("FlushFileBuffers", FlushFileBuffers(s));
    printf("the client has started reading (after FlushFileBuffers): %s\n",
           WaitForSingleObject(ev, 0) == WAIT_OBJECT_0 ? "yes" : "no");
    read_child_line(s);
    code = t_wait_exit(&pi);
    printf("client exit code: %u\n", (unsigned)code);
    read_print("ReadFile after the client closed", s);
    n = 77;
    p_io("WriteFile after the client closed", WriteFile(s, "x", 1, &n, NULL), &n);
    p_bool("DisconnectNamedPipe", DisconnectNamedPipe(s));
    CloseHandle(ev);

    printf("-- a client process killed after writing\n");
    snprintf(args, sizeof args, "hang %s", name);
    t_bool("spawn the client", t_spawn(args, FALSE, NULL, &pi));
    ok = ConnectNamedPipe(s, NULL);
    printf("ConnectNamedPipe: %s\n", ok || GetLastError() == ERROR_PIPE_CONNECTED ? "connected" : "failed");
    read_print("ReadFile", s);
    t_bool("TerminateProcess", TerminateProcess(pi.hProcess, 7));
    printf("client exit code: %u\n", (unsigned)t_wait_exit(&pi));
    read_print("ReadFile after the kill", s);
    n = 77;
    p_io("WriteFile after the kill", WriteFile(s, "x", 1, &n, NULL), &n);
    CloseHandle(s);

    printf("-- a server process killed while we are connected\n");
    name = p_name("srvproc");
    snprintf(evname, sizeof evname, "w32ipc-npipe-ready-%lu", (unsigned long)GetCurrentProcessId());
    ev = CreateEventA(NULL, TRUE, FALSE, evname);
    snprintf(args, sizeof args, "server %s %s", name, evname);
    t_bool("spawn the server", t_spawn(args, FALSE, NULL, &pi));
    if (WaitForSingleObject(ev, 10000) != WAIT_OBJECT_0)
        printf("the server did not start\n");
    c = p_handle("CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    server_pid = 0;
    if (GetNamedPipeServerProcessId(c, &server_pid))
        printf("GetNamedPipeServerProcessId: TRUE, matches the child: %s\n", server_pid == pi.dwProcessId ? "yes" : "no");
    else
        printf("GetNamedPipeServerProcessId: FALSE error=%u\n", (unsigned)GetLastError());
    read_print("ReadFile", c);
    t_bool("TerminateProcess", TerminateProcess(pi.hProcess, 9));
    printf("server exit code: %u\n", (unsigned)t_wait_exit(&pi));
    read_print("ReadFile after the kill", c);
    n = 77;
    p_io("WriteFile after the kill", WriteFile(c, "x", 1, &n, NULL), &n);
    CloseHandle(c);
    p_close(p_handle("CreateFileA on the name afterwards", p_open(name, GENERIC_READ | GENERIC_WRITE)));
    p_bool("WaitNamedPipeA on the name afterwards", WaitNamedPipeA(name, 100));
    CloseHandle(ev);
    return 0;
}
