/*
 * w32npipe.h — helpers for the named-pipe C tests (on top of w32test.h).
 *
 * While these tests live in tests/c/pending, build them with the parent directory on the include
 * path (ORACLE_CFLAGS=-Itests/c for scripts/win32-oracle); once moved up to tests/c it is found as is.
 */
#ifndef W32NPIPE_H
#define W32NPIPE_H

#include "w32test.h"

/* Error names w32test.h does not know yet. */
static inline const char *p_errname(DWORD e)
{
    switch (e) {
    case ERROR_PATH_NOT_FOUND: return "ERROR_PATH_NOT_FOUND";
    case ERROR_INVALID_NAME: return "ERROR_INVALID_NAME";
    case ERROR_FILENAME_EXCED_RANGE: return "ERROR_FILENAME_EXCED_RANGE";
    case ERROR_PIPE_CONNECTED: return "ERROR_PIPE_CONNECTED";
    case ERROR_PIPE_LISTENING: return "ERROR_PIPE_LISTENING";
    case ERROR_OPERATION_ABORTED: return "ERROR_OPERATION_ABORTED";
    case ERROR_IO_INCOMPLETE: return "ERROR_IO_INCOMPLETE";
    case ERROR_NOT_FOUND: return "ERROR_NOT_FOUND";
    case ERROR_BAD_PATHNAME: return "ERROR_BAD_PATHNAME";
    case ERROR_INSUFFICIENT_BUFFER: return "ERROR_INSUFFICIENT_BUFFER";
    case ERROR_PIPE_LOCAL: return "ERROR_PIPE_LOCAL";
    default: return t_errname(e);
    }
}

/* "label: TRUE" or "label: FALSE error=N NAME" with the wider name table. */
static inline BOOL p_bool(const char *label, BOOL ok)
{
    DWORD e = GetLastError();
    if (ok)
        printf("%s: TRUE\n", label);
    else
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, p_errname(e));
    SetLastError(e);
    return ok;
}

/* Like t_io: also the byte count stored by the call. */
static inline BOOL p_io(const char *label, BOOL ok, const DWORD *count)
{
    DWORD e = GetLastError();
    if (ok)
        printf("%s: TRUE n=%u\n", label, (unsigned)*count);
    else
        printf("%s: FALSE n=%u error=%u %s\n", label, (unsigned)*count, (unsigned)e, p_errname(e));
    SetLastError(e);
    return ok;
}

/* A handle-returning call: "label: ok" or "label: INVALID_HANDLE_VALUE error=N NAME". */
static inline HANDLE p_handle(const char *label, HANDLE h)
{
    DWORD e = GetLastError();
    if (h == INVALID_HANDLE_VALUE)
        printf("%s: INVALID_HANDLE_VALUE error=%u %s\n", label, (unsigned)e, p_errname(e));
    else if (h == NULL)
        printf("%s: NULL error=%u %s\n", label, (unsigned)e, p_errname(e));
    else
        printf("%s: ok\n", label);
    SetLastError(e);
    return h;
}

static inline void p_close(HANDLE h)
{
    if (h != INVALID_HANDLE_VALUE && h != NULL)
        CloseHandle(h);
}

/* \\.\pipe\w32ipc-BASE-PID: unique per test run; children get the full name on their command line. */
static inline const char *p_name(const char *base)
{
    static char names[8][160];
    static int next;
    char *out = names[next++ % 8];
    snprintf(out, 160, "\\\\.\\pipe\\w32ipc-%s-%lu", base, (unsigned long)GetCurrentProcessId());
    return out;
}

/* A client end: CreateFileA on a pipe name, OPEN_EXISTING. */
static inline HANDLE p_open(const char *name, DWORD access)
{
    return CreateFileA(name, access, 0, NULL, OPEN_EXISTING, 0, NULL);
}

#endif /* W32NPIPE_H */
