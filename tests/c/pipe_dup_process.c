/*
 * pipe_dup_process.c — DuplicateHandle between processes.
 *
 * The parent gives a child process a pipe end it never inherited: DuplicateHandle with the child
 * as the target, the value sent to the child on its standard input. The child writes through it.
 * Then the parent takes a handle out of the child (the child as the source), with
 * DUPLICATE_CLOSE_SOURCE, which closes it in the child. Covers: the value is usable only in the
 * target; the duplicate keeps the pipe open after the parent closes its own end; a handle closed
 * at the source is gone there.
 */
#include "w32test.h"

static void child(void)
{
    char line[64];
    HANDLE w, mine;
    DWORD n;
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    /* The first line: the value of a write end the parent put into this process. */
    DWORD len = 0;
    while (len + 1 < sizeof line && ReadFile(in, line + len, 1, &n, NULL) && n == 1 && line[len] != '\n')
        len++;
    line[len] = '\0';
    w = t_text_to_handle(line);
    WriteFile(w, "from the child", 14, &n, NULL);
    /* Tell the parent the value of a handle of ours it will take back. */
    mine = w;
    {
        char text[32];
        t_handle_to_text(mine, text, sizeof text);
        strcat(text, "\n");
        WriteFile(out, text, (DWORD)strlen(text), &n, NULL);
    }
    /* Wait until the parent says it took it, then report whether it is still ours. */
    ReadFile(in, line, 1, &n, NULL);
    {
        DWORD flags;
        const char *s = GetHandleInformation(mine, &flags) ? "still open\n" : "closed by the parent\n";
        WriteFile(out, s, (DWORD)strlen(s), &n, NULL);
    }
    ExitProcess(0);
}

int main(int argc, char **argv)
{
    HANDLE r, w, to_child_r, to_child_w, from_child_r, from_child_w, dup = NULL, back = NULL;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    char text[256], value[32];
    DWORD n;

    t_init();
    if (argc > 1 && strcmp(argv[1], "dup-child") == 0) {
        child();
        return 0;
    }
    t_bool("CreatePipe (not inheritable)", CreatePipe(&r, &w, NULL, 0));
    t_bool("CreatePipe (child stdin)", CreatePipe(&to_child_r, &to_child_w, &sa, 0));
    t_bool("CreatePipe (child stdout)", CreatePipe(&from_child_r, &from_child_w, &sa, 0));
    SetHandleInformation(to_child_w, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(from_child_r, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = to_child_r;
    si.hStdOutput = from_child_w;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    t_bool("CreateProcessA(dup-child)", t_spawn("dup-child", TRUE, &si, &pi));
    CloseHandle(to_child_r);
    CloseHandle(from_child_w);

    t_bool("DuplicateHandle(write end -> child)",
           DuplicateHandle(GetCurrentProcess(), w, pi.hProcess, &dup, 0, FALSE, DUPLICATE_SAME_ACCESS));
    t_yesno("got a value for the child", dup != NULL);
    t_handle_to_text(dup, value, sizeof value);
    strcat(value, "\n");
    WriteFile(to_child_w, value, (DWORD)strlen(value), &n, NULL);
    t_bool("CloseHandle(our write end)", CloseHandle(w));

    {
        DWORD got = 0;
        char buf[64];
        t_io("ReadFile(what the child wrote through the duplicate)", ReadFile(r, buf, sizeof buf, &got, NULL), &got);
        t_bytes("  read", buf, got);
    }

    /* Take the child's write end back, closing it there. */
    {
        DWORD len = 0;
        while (len + 1 < sizeof text && ReadFile(from_child_r, text + len, 1, &n, NULL) && n == 1 && text[len] != '\n')
            len++;
        text[len] = '\0';
    }
    t_bool("DuplicateHandle(child's write end -> us, DUPLICATE_CLOSE_SOURCE)",
           DuplicateHandle(pi.hProcess, t_text_to_handle(text), GetCurrentProcess(), &back, 0, FALSE,
                           DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
    WriteFile(to_child_w, "x", 1, &n, NULL);
    {
        DWORD e = t_read_all_text(from_child_r, text, sizeof text);
        t_print_lines("child: ", text);
        printf("child's stdout ended: %s\n", t_errname(e));
    }
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    {
        DWORD got = 0;
        t_io("WriteFile(through the handle taken back)", WriteFile(back, "ok", 2, &got, NULL), &got);
        CloseHandle(back);
        char buf[16];
        t_io("ReadFile", ReadFile(r, buf, sizeof buf, &got, NULL), &got);
        t_io("ReadFile after every write end is closed", ReadFile(r, buf, sizeof buf, &got, NULL), &got);
    }
    CloseHandle(r);
    CloseHandle(to_child_w);
    CloseHandle(from_child_r);
    return 0;
}
