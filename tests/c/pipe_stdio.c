/*
 * pipe_stdio.c — a child's standard handles redirected into anonymous pipes (STARTF_USESTDHANDLES).
 *
 * The parent starts itself again with lpApplicationName NULL and the quoted path as the first word of
 * the command line. Covers: the child's stdout and stderr go to one pipe, the parent reads until
 * ERROR_BROKEN_PIPE; the child's stdin comes from another pipe, which the child reads with
 * ReadFile(GetStdHandle(STD_INPUT_HANDLE)) until ERROR_BROKEN_PIPE, or through the C runtime (fgets,
 * which sees end of file when the pipe breaks); the C runtime's
 * stdout/stderr in the child are the redirected handles; exit code through GetExitCodeProcess.
 * Carriage returns are dropped when printing (the Windows C runtime writes text mode).
 */
#include "w32test.h"

static int stdio_child(void)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    char line[128];
    DWORD n;
    int i;
    const char *msg = "stdout via WriteFile\n";

    if (out == NULL || out == INVALID_HANDLE_VALUE || err == NULL || err == INVALID_HANDLE_VALUE)
        return 50;
    WriteFile(out, msg, (DWORD)strlen(msg), &n, NULL);
    msg = "stderr via WriteFile\n";
    WriteFile(err, msg, (DWORD)strlen(msg), &n, NULL);
    printf("stdout via printf\n");
    fflush(stdout);
    fprintf(stderr, "stderr via fprintf\n");
    fflush(stderr);

    /* stdin through the C runtime: two lines, then end of file once the pipe is broken. */
    for (i = 0; i < 3; i++) {
        if (fgets(line, sizeof line, stdin) != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            printf("fgets(stdin): \"%s\"\n", line);
        } else {
            printf("fgets(stdin): NULL, feof=%d\n", feof(stdin) ? 1 : 0);
        }
    }
    fflush(stdout);
    return 3;
}

static int raw_stdin_child(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    char buf[256];
    DWORD n, total = 0;
    for (;;) {
        n = 77;
        if (!ReadFile(in, buf, sizeof buf, &n, NULL))
            break;
        total += n;
    }
    printf("ReadFile(stdin) got %u bytes, then error=%u\n", (unsigned)total, (unsigned)GetLastError());
    fflush(stdout);
    return 4;
}

static void run(const char *role, const char *input)
{
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    HANDLE out_r, out_w, in_r, in_w;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    static char cmdline[4096];
    static char text[8192];
    DWORD n, err;

    printf("-- child role %s\n", role);
    t_bool("CreatePipe for the child's stdout", CreatePipe(&out_r, &out_w, &inherit, 0));
    t_bool("SetHandleInformation(our read end, INHERIT, 0)", SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0));
    t_bool("CreatePipe for the child's stdin", CreatePipe(&in_r, &in_w, &inherit, 0));
    t_bool("SetHandleInformation(our write end, INHERIT, 0)", SetHandleInformation(in_w, HANDLE_FLAG_INHERIT, 0));

    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_r;
    si.hStdOutput = out_w;
    si.hStdError = out_w;
    snprintf(cmdline, sizeof cmdline, "\"%s\" %s", t_self(), role);
    memset(&pi, 0, sizeof pi);
    t_bool("CreateProcessA(NULL, \"<self>\" role, inherit, STARTF_USESTDHANDLES)",
           CreateProcessA(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi));
    t_yesno("PROCESS_INFORMATION filled", pi.hProcess != NULL && pi.hThread != NULL && pi.dwProcessId != 0);
    CloseHandle(out_w);
    CloseHandle(in_r);

    t_io("WriteFile to the child's stdin", WriteFile(in_w, input, (DWORD)strlen(input), &n, NULL), &n);
    t_bool("CloseHandle(stdin write end)", CloseHandle(in_w));

    err = t_read_all_text(out_r, text, sizeof text);
    t_print_lines("child| ", text);
    printf("reading the child's stdout ended with error=%u %s\n", (unsigned)err, t_errname(err));
    printf("WaitForSingleObject(process): %u\n", (unsigned)WaitForSingleObject(pi.hProcess, INFINITE));
    n = 77;
    t_bool("GetExitCodeProcess", GetExitCodeProcess(pi.hProcess, &n));
    printf("  exit code=%u\n", (unsigned)n);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(out_r);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "stdio-child") == 0)
        return stdio_child();
    if (argc >= 2 && strcmp(argv[1], "raw-stdin-child") == 0)
        return raw_stdin_child();

    t_init();
    run("stdio-child", "first line of input\nsecond line\n");
    run("raw-stdin-child", "0123456789abcdefghij");
    return 0;
}
