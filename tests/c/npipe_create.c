/*
 * npipe_create.c — CreateNamedPipeA: parameter validation and the instance rules of one name.
 *
 * Covers: the three access directions and an empty one; type/read-mode combinations (a byte pipe
 * cannot be read in message mode); PIPE_NOWAIT, PIPE_REJECT_REMOTE_CLIENTS; nMaxInstances 1, 254
 * and 255 (= PIPE_UNLIMITED_INSTANCES, 301 instances made); names not under \\.\pipe\, empty,
 * NULL, too long, with a backslash inside; failures return INVALID_HANDLE_VALUE; GetFileType of
 * an instance; FILE_FLAG_FIRST_PIPE_INSTANCE on a new name; a second instance with another access
 * direction (ERROR_ACCESS_DENIED) and with another type (accepted); the first instance's
 * nMaxInstances caps the count (ERROR_PIPE_BUSY), whatever later instances ask for; a freed
 * slot can be taken again; the name is free once every instance is closed; the cap holds
 * across server processes (a child creates instances of the parent's name).
 *
 * Left out because Wine 8 is not Windows here (DESIGN.md, "The oracle"): nMaxInstances 0, 256 or
 * 0xFFFFFFFF (87 on Windows, Wine accepts them) and FILE_FLAG_FIRST_PIPE_INSTANCE on a name
 * that already has an instance (ERROR_ACCESS_DENIED on Windows, Wine accepts it).
 */
#include "w32npipe.h"

static HANDLE t_create(const char *label, const char *name, DWORD open_mode, DWORD pipe_mode, DWORD max)
{
    SetLastError(0);
    return p_handle(label, CreateNamedPipeA(name, open_mode, pipe_mode, max, 4096, 4096, 0, NULL));
}

/* argv: instance-child <name>: try to create one more instance; the exit code is the error (0 = created). */
static int instance_child(const char *name)
{
    HANDLE h = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 2, 4096, 4096, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return (int)GetLastError();
    CloseHandle(h);
    return 0;
}

int main(int argc, char **argv)
{
    HANDLE a, b, c, d;
    PROCESS_INFORMATION pi;
    char args[300], longname[400];
    const char *n;
    int i;

    if (argc >= 3 && strcmp(argv[1], "instance-child") == 0)
        return instance_child(argv[2]);
    t_init();

    printf("-- access directions\n");
    p_close(t_create("PIPE_ACCESS_INBOUND", p_name("in"), PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE, 1));
    p_close(t_create("PIPE_ACCESS_OUTBOUND", p_name("out"), PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE, 1));
    p_close(t_create("PIPE_ACCESS_DUPLEX", p_name("duplex"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));
    p_close(t_create("open mode 0", p_name("zero"), 0, PIPE_TYPE_BYTE, 1));

    printf("-- type and read mode\n");
    p_close(t_create("BYTE|READMODE_BYTE", p_name("bb"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE, 1));
    p_close(t_create("BYTE|READMODE_MESSAGE", p_name("bm"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_MESSAGE, 1));
    p_close(t_create("MESSAGE|READMODE_BYTE", p_name("mb"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_BYTE, 1));
    p_close(t_create("MESSAGE|READMODE_MESSAGE", p_name("mm"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1));
    p_close(t_create("BYTE|NOWAIT", p_name("nw"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_NOWAIT, 1));
    p_close(t_create("BYTE|REJECT_REMOTE_CLIENTS", p_name("rr"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 1));

    printf("-- nMaxInstances\n");
    p_close(t_create("nMaxInstances 1", p_name("max1"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));
    p_close(t_create("nMaxInstances 254", p_name("max254"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 254));
    printf("PIPE_UNLIMITED_INSTANCES = %u\n", (unsigned)PIPE_UNLIMITED_INSTANCES);
    p_close(t_create("nMaxInstances PIPE_UNLIMITED_INSTANCES", p_name("max255"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, PIPE_UNLIMITED_INSTANCES));
    printf("# (nMaxInstances 0, 256, 0xFFFFFFFF: ERROR_INVALID_PARAMETER on Windows, Wine 8 accepts them; not tested)\n");

    printf("-- names\n");
    p_close(t_create("plain name \"w32ipc-npipe\"", "w32ipc-npipe", PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));
    p_close(t_create("\\\\.\\notpipe\\x", "\\\\.\\notpipe\\x", PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));
    p_close(t_create("NULL name", NULL, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));
    p_close(t_create("empty name", "", PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));
    n = p_name("sub\\dir");
    p_close(t_create("backslash inside the pipe name", n, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));
    strcpy(longname, "\\\\.\\pipe\\");
    for (i = 0; i < 300; i++)
        strcat(longname, "x");
    p_close(t_create("300-character pipe name", longname, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));

    printf("-- an instance\n");
    a = t_create("create", p_name("one"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1);
    printf("GetFileType: %u (FILE_TYPE_PIPE=%u)\n", (unsigned)GetFileType(a), (unsigned)FILE_TYPE_PIPE);
    p_close(a);

    printf("-- FILE_FLAG_FIRST_PIPE_INSTANCE on a new name\n");
    a = t_create("first instance with the flag", p_name("first"), PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_BYTE, 2);
    b = t_create("second instance without the flag", p_name("first"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2);
    p_close(a);
    p_close(b);
    printf("# (a second instance WITH the flag: ERROR_ACCESS_DENIED on Windows, Wine 8 accepts it; not tested)\n");

    printf("-- a second instance with another access direction\n");
    a = t_create("INBOUND, max 4", p_name("dir"), PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE, 4);
    p_close(t_create("then OUTBOUND", p_name("dir"), PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE, 4));
    p_close(t_create("then DUPLEX", p_name("dir"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 4));
    b = t_create("then INBOUND", p_name("dir"), PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE, 4);
    p_close(a);
    p_close(b);
    a = t_create("DUPLEX, max 4", p_name("dir2"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 4);
    p_close(t_create("then INBOUND", p_name("dir2"), PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE, 4));
    p_close(t_create("then OUTBOUND", p_name("dir2"), PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE, 4));
    p_close(a);

    printf("-- a second instance with another type, read mode, wait mode\n");
    a = t_create("BYTE, max 4", p_name("type"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 4);
    b = t_create("then MESSAGE|READMODE_MESSAGE", p_name("type"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 4);
    c = t_create("then BYTE|NOWAIT", p_name("type"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_NOWAIT, 4);
    p_close(a);
    p_close(b);
    p_close(c);

    printf("-- the first instance's nMaxInstances caps the count\n");
    a = t_create("max 1: first", p_name("cap1"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1);
    p_close(t_create("max 1: second", p_name("cap1"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1));
    p_close(t_create("max 1: second asking max 5", p_name("cap1"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 5));
    p_close(t_create("max 1: second asking PIPE_UNLIMITED_INSTANCES", p_name("cap1"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, PIPE_UNLIMITED_INSTANCES));
    p_close(a);
    a = t_create("max 1: after the close, again", p_name("cap1"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1);
    p_close(a);
    a = t_create("max 2: first", p_name("cap2"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2);
    b = t_create("max 2: second", p_name("cap2"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2);
    p_close(t_create("max 2: third", p_name("cap2"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2));
    p_close(b);
    b = t_create("max 2: second again after closing it", p_name("cap2"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2);
    p_close(a);
    p_close(b);
    a = t_create("unlimited: first", p_name("capu"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, PIPE_UNLIMITED_INSTANCES);
    {
        HANDLE many[300];
        int made = 0;
        for (i = 0; i < 300; i++) {
            many[i] = CreateNamedPipeA(p_name("capu"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, PIPE_UNLIMITED_INSTANCES, 0, 0, 0, NULL);
            if (many[i] != INVALID_HANDLE_VALUE)
                made++;
        }
        printf("unlimited: 300 more instances created: %d\n", made);
        for (i = 0; i < 300; i++)
            p_close(many[i]);
    }
    p_close(a);

    printf("-- instance count and access direction after every instance is closed\n");
    a = t_create("INBOUND max 1", p_name("reuse"), PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE, 1);
    p_close(a);
    a = t_create("then OUTBOUND max 2 (name was free)", p_name("reuse"), PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE, 2);
    b = t_create("then OUTBOUND max 2, second", p_name("reuse"), PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE, 2);
    p_close(a);
    p_close(b);

    printf("-- across server processes\n");
    a = t_create("parent: DUPLEX max 2", p_name("procs"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2);
    snprintf(args, sizeof args, "instance-child %s", p_name("procs"));
    if (t_spawn(args, FALSE, NULL, &pi))
        printf("child creating a second instance: exit %u\n", (unsigned)t_wait_exit(&pi));
    b = t_create("parent: second instance", p_name("procs"), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2);
    if (t_spawn(args, FALSE, NULL, &pi))
        printf("child creating a third instance: exit %u\n", (unsigned)t_wait_exit(&pi));
    p_close(a);
    p_close(b);
    d = t_create("parent: INBOUND max 2 after all closed", p_name("procs"), PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE, 2);
    if (t_spawn(args, FALSE, NULL, &pi))
        printf("child creating a DUPLEX instance: exit %u\n", (unsigned)t_wait_exit(&pi));
    p_close(d);
    return 0;
}
