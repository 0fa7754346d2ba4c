/*
 * npipe_message.c — message pipes (PIPE_TYPE_MESSAGE) and PeekNamedPipe's counts, in one process.
 *
 * Covers: a client handle starts in byte read mode and reads across message boundaries;
 * SetNamedPipeHandleState(PIPE_READMODE_MESSAGE) on the client; each write is one message; a read
 * with a buffer shorter than the message fails with ERROR_MORE_DATA, gives the first bytes and
 * leaves the rest readable (also a 0-byte read); PeekNamedPipe's bytes available (all messages)
 * and bytes left in this message, with and without a peek buffer, also one too short for the
 * message; zero-length messages (written, peeked, read as a message of 0 bytes); messages the
 * other way; a 64 KiB message written by a thread while the reader takes it in 10000-byte pieces;
 * a message pipe read in byte mode by the server (PIPE_READMODE_BYTE); message read mode refused
 * on a byte pipe.
 *
 * Left out (Wine 8 is not Windows there, DESIGN.md): a partial read in no-wait message mode.
 */
#include "w32npipe.h"

static void peek(const char *label, HANDLE h, DWORD bufsize)
{
    char buf[64];
    DWORD rd = 77, avail = 77, left = 77;
    BOOL ok = PeekNamedPipe(h, bufsize ? buf : NULL, bufsize, bufsize ? &rd : NULL, &avail, &left);
    DWORD e = GetLastError();
    if (!ok) {
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, p_errname(e));
        return;
    }
    if (bufsize) {
        printf("%s: TRUE read=%u avail=%u left=%u ", label, (unsigned)rd, (unsigned)avail, (unsigned)left);
        t_bytes("data", buf, rd);
    } else {
        printf("%s: TRUE avail=%u left=%u\n", label, (unsigned)avail, (unsigned)left);
    }
}

static void read_print(const char *label, HANDLE h, DWORD size)
{
    char buf[256];
    DWORD n = 77;
    BOOL ok = ReadFile(h, buf, size, &n, NULL);
    DWORD e = GetLastError();
    if (ok)
        printf("%s(%u): TRUE n=%u ", label, (unsigned)size, (unsigned)n);
    else
        printf("%s(%u): FALSE n=%u error=%u %s ", label, (unsigned)size, (unsigned)n, (unsigned)e, p_errname(e));
    t_bytes("data", buf, n <= size ? n : 0);
}

static void write_msg(const char *label, HANDLE h, const char *text)
{
    DWORD n = 77;
    char l[128];
    snprintf(l, sizeof l, "%s WriteFile \"%s\"", label, text);
    p_io(l, WriteFile(h, text, (DWORD)strlen(text), &n, NULL), &n);
}

#define BIG (64 * 1024)
static HANDLE big_to;
static BOOL big_ok;
static DWORD big_n;

static DWORD WINAPI big_writer(LPVOID arg)
{
    static unsigned char data[BIG];
    DWORD i;
    (void)arg;
    for (i = 0; i < BIG; i++)
        data[i] = (unsigned char)(i * 7 + i / 251);
    big_ok = WriteFile(big_to, data, BIG, &big_n, NULL);
    return 0;
}

int main(void)
{
    HANDLE s, c, th;
    DWORD mode, n, total, more, i;
    const char *name;
    static unsigned char piece[10000];
    int intact;

    t_init();

    name = p_name("msg");
    s = p_handle("CreateNamedPipeA(MESSAGE|READMODE_MESSAGE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));

    printf("-- the client reads in byte mode first\n");
    write_msg("server", s, "abc");
    write_msg("server", s, "def");
    peek("client Peek", c, 0);
    read_print("client ReadFile", c, 64);
    write_msg("server", s, "ghijk");
    read_print("client ReadFile", c, 2);
    read_print("client ReadFile", c, 64);

    printf("-- message read mode\n");
    mode = PIPE_READMODE_MESSAGE;
    p_bool("client SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(c, &mode, NULL, NULL));
    write_msg("server", s, "one");
    write_msg("server", s, "two");
    write_msg("server", s, "three");
    peek("client Peek", c, 0);
    peek("client Peek with a 64-byte buffer", c, 64);
    read_print("client ReadFile", c, 64);
    peek("client Peek", c, 0);
    read_print("client ReadFile", c, 3);
    peek("client Peek", c, 0);
    peek("client Peek with a 2-byte buffer", c, 2);
    read_print("client ReadFile", c, 2);
    peek("client Peek after a short read", c, 0);
    peek("client Peek with a 64-byte buffer", c, 64);
    read_print("client ReadFile", c, 0);
    read_print("client ReadFile", c, 1);
    read_print("client ReadFile", c, 64);
    peek("client Peek on an empty pipe", c, 0);

    printf("-- zero-length messages\n");
    n = 77;
    p_io("server WriteFile 0 bytes", WriteFile(s, "", 0, &n, NULL), &n);
    peek("client Peek", c, 0);
    write_msg("server", s, "after");
    n = 77;
    p_io("server WriteFile 0 bytes", WriteFile(s, "", 0, &n, NULL), &n);
    peek("client Peek", c, 0);
    peek("client Peek with a 64-byte buffer", c, 64);
    read_print("client ReadFile", c, 64);
    peek("client Peek", c, 0);
    read_print("client ReadFile", c, 64);
    peek("client Peek", c, 0);
    read_print("client ReadFile", c, 64);
    peek("client Peek", c, 0);

    printf("-- client to server\n");
    write_msg("client", c, "req-1");
    write_msg("client", c, "request-2");
    peek("server Peek", s, 0);
    read_print("server ReadFile", s, 4);
    read_print("server ReadFile", s, 64);
    read_print("server ReadFile", s, 64);

    printf("-- a 64 KiB message read in 10000-byte pieces\n");
    big_to = s;
    th = CreateThread(NULL, 0, big_writer, NULL, 0, NULL);
    total = 0;
    more = 0;
    intact = 1;
    for (;;) {
        BOOL ok;
        n = 0;
        ok = ReadFile(c, piece, sizeof piece, &n, NULL);
        for (i = 0; i < n; i++)
            if (piece[i] != (unsigned char)((total + i) * 7 + (total + i) / 251))
                intact = 0;
        total += n;
        if (ok)
            break;
        if (GetLastError() != ERROR_MORE_DATA) {
            printf("ReadFile failed: error=%u\n", (unsigned)GetLastError());
            break;
        }
        more++;
    }
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    printf("reads failing with ERROR_MORE_DATA: %u, then TRUE with n=%u; total %u bytes, intact: %s\n",
           (unsigned)more, (unsigned)n, (unsigned)total, intact ? "yes" : "no");
    printf("writer: %s n=%u\n", big_ok ? "TRUE" : "FALSE", (unsigned)big_n);
    CloseHandle(c);
    CloseHandle(s);

    printf("-- a message pipe the server reads in byte mode\n");
    name = p_name("msgbyte");
    s = p_handle("CreateNamedPipeA(MESSAGE|READMODE_BYTE)",
                 CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_BYTE, 1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    write_msg("client", c, "ab");
    write_msg("client", c, "cd");
    peek("server Peek", s, 0);
    read_print("server ReadFile", s, 3);
    peek("server Peek", s, 0);
    read_print("server ReadFile", s, 64);
    mode = PIPE_READMODE_MESSAGE;
    p_bool("server SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(s, &mode, NULL, NULL));
    write_msg("client", c, "xyz");
    read_print("server ReadFile", s, 1);
    mode = PIPE_READMODE_BYTE;
    p_bool("server SetNamedPipeHandleState(PIPE_READMODE_BYTE) mid-message", SetNamedPipeHandleState(s, &mode, NULL, NULL));
    write_msg("client", c, "uvw");
    read_print("server ReadFile", s, 64);
    CloseHandle(c);
    CloseHandle(s);

    printf("-- message read mode on a byte pipe\n");
    name = p_name("byte");
    s = p_handle("CreateNamedPipeA(BYTE)", CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL));
    c = p_handle("client CreateFileA", p_open(name, GENERIC_READ | GENERIC_WRITE));
    mode = PIPE_READMODE_MESSAGE;
    p_bool("server SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(s, &mode, NULL, NULL));
    p_bool("client SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)", SetNamedPipeHandleState(c, &mode, NULL, NULL));
    write_msg("client", c, "12");
    write_msg("client", c, "34");
    peek("server Peek (left this message on a byte pipe)", s, 0);
    read_print("server ReadFile", s, 3);
    read_print("server ReadFile", s, 64);
    CloseHandle(c);
    CloseHandle(s);
    return 0;
}
