/*
 * pipe_inherit.c — anonymous-pipe ends inherited by a child process (CreateProcessA, bInheritHandles).
 *
 * The test starts itself again as the child and passes handle values on the command line, the
 * classic way. Covers: an inheritable handle keeps its value and works in the child, still marked
 * inheritable there; a non-inheritable handle does not exist in the child (ERROR_INVALID_HANDLE);
 * the child sees end-of-pipe once the parent closed its (non-inherited) write end; with
 * bInheritHandles FALSE not even inheritable handles reach the child.
 *
 * Handle values are only meaningful per process; to keep a value that was not inherited from
 * colliding with whatever the child opens for itself at start-up, the pipes under test are made
 * after some filler handles, so their values are larger than the child's own first handles.
 */
#include "w32test.h"

#define FILLER_PIPES 40

static HANDLE report_to;

static void report(const char *fmt, ...)
{
    char line[256];
    DWORD n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    WriteFile(report_to, line, (DWORD)strlen(line), &n, NULL);
}

static void report_flags(const char *name, HANDLE h)
{
    DWORD flags = 77;
    if (GetHandleInformation(h, &flags))
        report("%s: GetHandleInformation TRUE flags=%u\n", name, (unsigned)flags);
    else
        report("%s: GetHandleInformation FALSE error=%u\n", name, (unsigned)GetLastError());
}

/* argv: inherit-child <read end of A> <write end of B> <read end of C> <write end of A> */
static int inherit_child(char **argv)
{
    HANDLE ra = t_text_to_handle(argv[2]);
    HANDLE wb = t_text_to_handle(argv[3]);
    HANDLE rc = t_text_to_handle(argv[4]);
    HANDLE wa = t_text_to_handle(argv[5]);
    DWORD flags, n;
    char buf[256];

    report_to = wb;
    report_flags("inherited read end of A", ra);
    report_flags("inherited write end of B", wb);
    report_flags("non-inheritable read end of C", rc);
    report_flags("non-inheritable write end of A", wa);

    /* Only touch the handle that should not exist if it really does not: a read could block. */
    if (!GetHandleInformation(rc, &flags)) {
        n = 77;
        if (ReadFile(rc, buf, sizeof buf, &n, NULL))
            report("ReadFile on C: TRUE n=%u\n", (unsigned)n);
        else
            report("ReadFile on C: FALSE n=%u error=%u\n", (unsigned)n, (unsigned)GetLastError());
    }

    /* The parent wrote to A and closed its write end; no write end of A exists here. */
    for (;;) {
        n = 77;
        if (!ReadFile(ra, buf, sizeof buf - 1, &n, NULL)) {
            report("ReadFile on A: FALSE n=%u error=%u\n", (unsigned)n, (unsigned)GetLastError());
            break;
        }
        buf[n] = '\0';
        report("ReadFile on A: TRUE n=%u \"%s\"\n", (unsigned)n, buf);
    }
    report("child done\n");
    return 0;
}

/* argv: noinherit-child <inheritable handle the parent holds> */
static int noinherit_child(char **argv)
{
    HANDLE h = t_text_to_handle(argv[2]);
    DWORD flags;
    if (GetHandleInformation(h, &flags))
        return 100;
    return (int)GetLastError();
}

int main(int argc, char **argv)
{
    HANDLE filler[FILLER_PIPES][2];
    HANDLE ra, wa, rb, wb, rc, wc, rd, wd;
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    PROCESS_INFORMATION pi;
    char args[256], sra[24], swb[24], src[24], swa[24], swd[24];
    static char text[4096];
    DWORD n, avail, err;
    int i;

    if (argc >= 6 && strcmp(argv[1], "inherit-child") == 0)
        return inherit_child(argv);
    if (argc >= 3 && strcmp(argv[1], "noinherit-child") == 0)
        return noinherit_child(argv);

    t_init();
    for (i = 0; i < FILLER_PIPES; i++)
        CreatePipe(&filler[i][0], &filler[i][1], NULL, 0);

    /* A: parent -> child, only the read end inheritable (the usual recipe). */
    t_bool("CreatePipe A (inheritable)", CreatePipe(&ra, &wa, &inherit, 0));
    t_bool("SetHandleInformation(write end of A, INHERIT, 0)", SetHandleInformation(wa, HANDLE_FLAG_INHERIT, 0));
    /* B: child -> parent, only the write end inheritable. */
    t_bool("CreatePipe B (inheritable)", CreatePipe(&rb, &wb, &inherit, 0));
    t_bool("SetHandleInformation(read end of B, INHERIT, 0)", SetHandleInformation(rb, HANDLE_FLAG_INHERIT, 0));
    /* C: not inheritable at all. */
    t_bool("CreatePipe C (not inheritable)", CreatePipe(&rc, &wc, NULL, 0));

    t_handle_to_text(ra, sra, sizeof sra);
    t_handle_to_text(wb, swb, sizeof swb);
    t_handle_to_text(rc, src, sizeof src);
    t_handle_to_text(wa, swa, sizeof swa);
    snprintf(args, sizeof args, "inherit-child %s %s %s %s", sra, swb, src, swa);
    t_bool("CreateProcessA(bInheritHandles TRUE)", t_spawn(args, TRUE, NULL, &pi));
    for (i = 0; i < FILLER_PIPES; i++) {
        CloseHandle(filler[i][0]);
        CloseHandle(filler[i][1]);
    }

    /* The parent's copies of the child's ends go, or end-of-pipe would never come. */
    t_bool("CloseHandle(read end of A)", CloseHandle(ra));
    t_bool("CloseHandle(write end of B)", CloseHandle(wb));
    t_io("WriteFile A", WriteFile(wa, "ping from parent", 16, &n, NULL), &n);
    t_bool("CloseHandle(write end of A)", CloseHandle(wa));

    err = t_read_all_text(rb, text, sizeof text);
    t_print_lines("child| ", text);
    printf("reading B ended with error=%u %s\n", (unsigned)err, t_errname(err));
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    CloseHandle(rb);
    CloseHandle(rc);
    CloseHandle(wc);

    /* bInheritHandles FALSE: even an inheritable handle stays behind. */
    for (i = 0; i < FILLER_PIPES; i++)
        CreatePipe(&filler[i][0], &filler[i][1], NULL, 0);
    t_bool("CreatePipe D (inheritable)", CreatePipe(&rd, &wd, &inherit, 0));
    t_handle_to_text(wd, swd, sizeof swd);
    snprintf(args, sizeof args, "noinherit-child %s", swd);
    t_bool("CreateProcessA(bInheritHandles FALSE)", t_spawn(args, FALSE, NULL, &pi));
    for (i = 0; i < FILLER_PIPES; i++) {
        CloseHandle(filler[i][0]);
        CloseHandle(filler[i][1]);
    }
    printf("child exit code (its GetHandleInformation error): %u\n", (unsigned)t_wait_exit(&pi));
    t_bool("CloseHandle(write end of D)", CloseHandle(wd));
    avail = 77;
    t_bool("PeekNamedPipe(read end of D): no write end left anywhere",
           PeekNamedPipe(rd, NULL, 0, NULL, &avail, NULL));
    CloseHandle(rd);
    return 0;
}
