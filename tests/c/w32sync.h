/*
 * w32sync.h — helpers of the synchronisation-object and thread tests (on top of w32test.h): print
 * the result of a call with the last error it left (by name where known), print wait results by
 * name, make per-run object names, and start threads.
 *
 * A last error of 0xDEAD means "the call did not touch it": every macro sets it first.
 */
#ifndef W32SYNC_H
#define W32SYNC_H

#include "w32test.h"

static inline const char *s_errname(DWORD e)
{
    switch (e) {
    case ERROR_PATH_NOT_FOUND: return "ERROR_PATH_NOT_FOUND";
    case ERROR_ALREADY_EXISTS: return "ERROR_ALREADY_EXISTS";
    case ERROR_INVALID_NAME: return "ERROR_INVALID_NAME";
    case ERROR_BAD_PATHNAME: return "ERROR_BAD_PATHNAME";
    case ERROR_FILENAME_EXCED_RANGE: return "ERROR_FILENAME_EXCED_RANGE";
    case ERROR_NOT_OWNER: return "ERROR_NOT_OWNER";
    case ERROR_TOO_MANY_POSTS: return "ERROR_TOO_MANY_POSTS";
    default: return t_errname(e);
    }
}

/* The last error a call left, printed; 0xDEAD means "not touched". */
static inline void s_err(DWORD e)
{
    if (e == 0xDEAD)
        printf(" error=untouched\n");
    else
        printf(" error=%u %s\n", (unsigned)e, s_errname(e));
}

/* "label: NULL error=..." / "label: handle error=..." for calls returning a HANDLE (NULL on failure). */
#define S_HANDLE(label, var, expr)                                                   \
    do {                                                                             \
        DWORD s_e_;                                                                  \
        SetLastError(0xDEAD);                                                        \
        (var) = (expr);                                                              \
        s_e_ = GetLastError();                                                       \
        printf("%s: %s", (label), (var) == NULL ? "NULL" : (var) == INVALID_HANDLE_VALUE ? "INVALID_HANDLE_VALUE" : "handle"); \
        s_err(s_e_);                                                                 \
    } while (0)

/* For BOOL calls. */
#define S_BOOL(label, expr)                                                          \
    do {                                                                             \
        DWORD s_e_;                                                                  \
        BOOL s_b_;                                                                   \
        SetLastError(0xDEAD);                                                        \
        s_b_ = (expr);                                                               \
        s_e_ = GetLastError();                                                       \
        printf("%s: %s", (label), s_b_ ? "TRUE" : "FALSE");                          \
        s_err(s_e_);                                                                 \
    } while (0)

/* For DWORD calls (ResumeThread's previous count): the value in decimal, (DWORD)-1 as -1. */
#define S_DWORD(label, expr)                                                         \
    do {                                                                             \
        DWORD s_e_, s_d_;                                                            \
        SetLastError(0xDEAD);                                                        \
        s_d_ = (expr);                                                               \
        s_e_ = GetLastError();                                                       \
        if (s_d_ == (DWORD)-1)                                                       \
            printf("%s: -1", (label));                                               \
        else                                                                         \
            printf("%s: %u", (label), (unsigned)s_d_);                               \
        s_err(s_e_);                                                                 \
    } while (0)

/* A wait result by name: WAIT_OBJECT_0+i, WAIT_ABANDONED_0+i, WAIT_TIMEOUT, WAIT_FAILED. */
static inline const char *s_waitname(DWORD r)
{
    static char buf[8][40];
    static int next;
    char *out = buf[next++ % 8];
    if (r == WAIT_TIMEOUT)
        return "WAIT_TIMEOUT";
    if (r == WAIT_FAILED)
        return "WAIT_FAILED";
    if (r == WAIT_IO_COMPLETION)
        return "WAIT_IO_COMPLETION";
    if (r == WAIT_OBJECT_0)
        return "WAIT_OBJECT_0";
    if (r == WAIT_ABANDONED_0)
        return "WAIT_ABANDONED_0";
    if (r > WAIT_OBJECT_0 && r < WAIT_OBJECT_0 + MAXIMUM_WAIT_OBJECTS)
        snprintf(out, 40, "WAIT_OBJECT_0+%u", (unsigned)(r - WAIT_OBJECT_0));
    else if (r > WAIT_ABANDONED_0 && r < WAIT_ABANDONED_0 + MAXIMUM_WAIT_OBJECTS)
        snprintf(out, 40, "WAIT_ABANDONED_0+%u", (unsigned)(r - WAIT_ABANDONED_0));
    else
        snprintf(out, 40, "0x%x (?)", (unsigned)r);
    return out;
}

/* For wait calls: the result by name, and the last error when the wait failed. */
#define S_WAIT(label, expr)                                                          \
    do {                                                                             \
        DWORD s_e_, s_r_;                                                            \
        SetLastError(0xDEAD);                                                        \
        s_r_ = (expr);                                                               \
        s_e_ = GetLastError();                                                       \
        printf("%s: %s", (label), s_waitname(s_r_));                                 \
        if (s_r_ == WAIT_FAILED)                                                     \
            s_err(s_e_);                                                             \
        else                                                                         \
            printf("\n");                                                            \
    } while (0)

/* Is the object signalled now? (Waits with time-out 0: consumes it for auto-reset/semaphore/mutex.) */
static inline const char *s_poll(HANDLE h)
{
    return s_waitname(WaitForSingleObject(h, 0));
}

/* A name unique to this run of the test (the process id), so reruns never collide. */
static inline const char *s_name(const char *base)
{
    static char names[16][160];
    static int next;
    char *out = names[next++ % 16];
    snprintf(out, 160, "w32ipc-%s-%lu", base, (unsigned long)GetCurrentProcessId());
    return out;
}

/* ASCII to UTF-16, for the W functions (L"" is 32-bit without -fshort-wchar on Linux). */
static inline const WCHAR *s_wide(const char *s)
{
    static WCHAR bufs[4][400];
    static int next;
    WCHAR *out = bufs[next++ % 4];
    size_t i;
    for (i = 0; s[i] && i + 1 < 400; i++)
        out[i] = (WCHAR)(unsigned char)s[i];
    out[i] = 0;
    return out;
}

/* CreateThread with the usual defaults; the id is stored when `id` is not NULL. */
static inline HANDLE s_thread(LPTHREAD_START_ROUTINE fn, void *arg, DWORD flags, DWORD *id)
{
    return CreateThread(NULL, 0, fn, arg, flags, id);
}

/* Wait for a thread and return its exit code (or 1000 + the failing step); closes the handle. */
static inline DWORD s_join(HANDLE t)
{
    DWORD code = 0;
    if (WaitForSingleObject(t, INFINITE) != WAIT_OBJECT_0)
        return 1001;
    if (!GetExitCodeThread(t, &code))
        return 1002;
    CloseHandle(t);
    return code;
}

/*
 * Child processes report through a pipe, not through their exit code (Linux keeps only 8 bits of
 * it) nor their stdout (its lines would interleave with the parent's). s_spawn starts this program
 * again as "<self> <role> <pipe write end> <rest>"; the child calls s_child_init(argv) and then
 * s_report(...); once the child has ended, the parent prints its lines with s_print_reports.
 */
static HANDLE s_report_to;

static inline void s_child_init(char **argv)
{
    s_report_to = t_text_to_handle(argv[2]);
}

static inline void s_report(const char *fmt, ...)
{
    char line[512];
    DWORD n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    WriteFile(s_report_to, line, (DWORD)strlen(line), &n, NULL);
}

/* Start a child with the role `role` and arguments `rest`; *reports receives the pipe's read end. */
static inline BOOL s_spawn(const char *role, const char *rest, PROCESS_INFORMATION *pi, HANDLE *reports)
{
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    char args[1024], hw[24];
    HANDLE w;
    BOOL ok;
    if (!CreatePipe(reports, &w, &inherit, 0))
        return FALSE;
    SetHandleInformation(*reports, HANDLE_FLAG_INHERIT, 0);
    t_handle_to_text(w, hw, sizeof hw);
    snprintf(args, sizeof args, "%s %s %s", role, hw, rest);
    ok = t_spawn(args, TRUE, NULL, pi);
    CloseHandle(w);
    return ok;
}

/* Print what a child reported (read until its write end is gone), each line as "child| ...". */
static inline void s_print_reports(HANDLE reports)
{
    static char text[16384];
    t_read_all_text(reports, text, sizeof text);
    t_print_lines("child| ", text);
    CloseHandle(reports);
}

#endif /* W32SYNC_H */
