/*
 * w32test.h — small helpers shared by the C tests in tests/c.
 *
 * Every test is built twice from the same source: with gcc against w32ipc's windows.h and
 * libw32ipc on Linux, and with mingw-w64 for Wine (scripts/win32-oracle). scripts/c-tests compares
 * the two stdouts line by line, so a test prints only deterministic facts: return values, error
 * codes, byte counts and contents — never handle values, process ids or timings.
 *
 * Only the Win32 API and the C library are used here, nothing specific to either side.
 */
#ifndef W32TEST_H
#define W32TEST_H

#include <windows.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Call first in main: unbuffered stdout keeps our lines in order with anything a child writes. */
static inline void t_init(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
}

static inline const char *t_errname(DWORD e)
{
    switch (e) {
    case ERROR_SUCCESS: return "ERROR_SUCCESS";
    case ERROR_INVALID_FUNCTION: return "ERROR_INVALID_FUNCTION";
    case ERROR_FILE_NOT_FOUND: return "ERROR_FILE_NOT_FOUND";
    case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
    case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
    case ERROR_NOT_ENOUGH_MEMORY: return "ERROR_NOT_ENOUGH_MEMORY";
    case ERROR_NOT_SUPPORTED: return "ERROR_NOT_SUPPORTED";
    case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
    case ERROR_CALL_NOT_IMPLEMENTED: return "ERROR_CALL_NOT_IMPLEMENTED";
    case ERROR_BROKEN_PIPE: return "ERROR_BROKEN_PIPE";
    case ERROR_SEM_TIMEOUT: return "ERROR_SEM_TIMEOUT";
    case ERROR_BAD_PIPE: return "ERROR_BAD_PIPE";
    case ERROR_PIPE_BUSY: return "ERROR_PIPE_BUSY";
    case ERROR_NO_DATA: return "ERROR_NO_DATA";
    case ERROR_PIPE_NOT_CONNECTED: return "ERROR_PIPE_NOT_CONNECTED";
    case ERROR_MORE_DATA: return "ERROR_MORE_DATA";
    case ERROR_IO_PENDING: return "ERROR_IO_PENDING";
    case ERROR_NOACCESS: return "ERROR_NOACCESS";
    case ERROR_INVALID_USER_BUFFER: return "ERROR_INVALID_USER_BUFFER";
    default: return "?";
    }
}

/* "label: TRUE" or "label: FALSE error=109 ERROR_BROKEN_PIPE". */
static inline BOOL t_bool(const char *label, BOOL ok)
{
    DWORD e = GetLastError();
    if (ok)
        printf("%s: TRUE\n", label);
    else
        printf("%s: FALSE error=%u %s\n", label, (unsigned)e, t_errname(e));
    SetLastError(e);
    return ok;
}

/*
 * Like t_bool, and also prints the byte count a ReadFile/WriteFile stored (also on failure). The count
 * is passed by address so it is read after the call, whatever order the arguments are evaluated in.
 */
static inline BOOL t_io(const char *label, BOOL ok, const DWORD *count)
{
    DWORD e = GetLastError();
    if (ok)
        printf("%s: TRUE n=%u\n", label, (unsigned)*count);
    else
        printf("%s: FALSE n=%u error=%u %s\n", label, (unsigned)*count, (unsigned)e, t_errname(e));
    SetLastError(e);
    return ok;
}

static inline void t_yesno(const char *label, int cond)
{
    printf("%s: %s\n", label, cond ? "yes" : "no");
}

/* Bytes printed as text; non-printable bytes as \xNN. */
static inline void t_bytes(const char *label, const void *data, DWORD n)
{
    const unsigned char *p = (const unsigned char *)data;
    DWORD i;
    printf("%s: \"", label);
    for (i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
            putchar(p[i]);
        else
            printf("\\x%02x", p[i]);
    }
    printf("\"\n");
}

/* Handle values travel to a child process as decimal text on its command line. */
static inline void t_handle_to_text(HANDLE h, char *out, size_t outsize)
{
    unsigned long long v = (unsigned long long)(ULONG_PTR)h;
    char tmp[24];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0 && n < sizeof tmp);
    for (i = 0; i < n && i + 1 < outsize; i++)
        out[i] = tmp[n - 1 - i];
    out[i] = '\0';
}

static inline HANDLE t_text_to_handle(const char *s)
{
    return (HANDLE)(ULONG_PTR)strtoull(s, NULL, 10);
}

/* This program's own path: a .exe under Wine, an ELF file on Linux. */
static inline const char *t_self(void)
{
    static char path[MAX_PATH];
    DWORD n = GetModuleFileNameA(NULL, path, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) {
        printf("GetModuleFileNameA failed: error=%u\n", (unsigned)GetLastError());
        exit(90);
    }
    return path;
}

/*
 * Start this program again: the command line is "<self>" followed by `args`, where the first word of
 * `args` names the child role. With `si` NULL the child gets a default STARTUPINFO.
 */
static inline BOOL t_spawn(const char *args, BOOL inherit, STARTUPINFOA *si, PROCESS_INFORMATION *pi)
{
    static char cmdline[4096];
    STARTUPINFOA plain;
    const char *self = t_self();
    if (si == NULL) {
        memset(&plain, 0, sizeof plain);
        plain.cb = sizeof plain;
        si = &plain;
    }
    if (strlen(self) + strlen(args) + 4 > sizeof cmdline) {
        printf("command line too long\n");
        exit(91);
    }
    snprintf(cmdline, sizeof cmdline, "\"%s\" %s", self, args);
    memset(pi, 0, sizeof *pi);
    return CreateProcessA(self, cmdline, NULL, NULL, inherit, 0, NULL, NULL, si, pi);
}

/* Wait for a child and return its exit code (or 1000 + the failing step). */
static inline DWORD t_wait_exit(PROCESS_INFORMATION *pi)
{
    DWORD code = 0;
    if (WaitForSingleObject(pi->hProcess, INFINITE) != WAIT_OBJECT_0)
        return 1001;
    if (!GetExitCodeProcess(pi->hProcess, &code))
        return 1002;
    CloseHandle(pi->hProcess);
    CloseHandle(pi->hThread);
    return code;
}

/*
 * Read `h` until ReadFile fails, appending to `buf` (NUL-terminated, carriage returns dropped so the
 * C runtime's text mode on Windows does not show). Returns the error that ended the loop.
 */
static inline DWORD t_read_all_text(HANDLE h, char *buf, size_t bufsize)
{
    size_t len = 0;
    char chunk[512];
    DWORD n, i;
    for (;;) {
        if (!ReadFile(h, chunk, sizeof chunk, &n, NULL)) {
            DWORD e = GetLastError();
            buf[len] = '\0';
            return e;
        }
        for (i = 0; i < n; i++)
            if (chunk[i] != '\r' && len + 1 < bufsize)
                buf[len++] = chunk[i];
    }
}

/*
 * Read what the pipe `h` holds now, without waiting for more (t_read_all_text's text rules): for a
 * writer that has ended, whose other write ends may still be open elsewhere. Under Wine the first
 * process of a session that needs the desktop window starts explorer.exe and hands it a copy of its
 * own standard error, which then stays open as long as the session: end-of-file never comes.
 */
static inline void t_read_buffered_text(HANDLE h, char *buf, size_t bufsize)
{
    size_t len = 0;
    char chunk[512];
    DWORD avail, n, i;
    while (PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL) && avail > 0) {
        if (!ReadFile(h, chunk, avail < sizeof chunk ? avail : (DWORD)sizeof chunk, &n, NULL) || n == 0)
            break;
        for (i = 0; i < n; i++)
            if (chunk[i] != '\r' && len + 1 < bufsize)
                buf[len++] = chunk[i];
    }
    buf[len] = '\0';
}

/* Print each line of `text` with a prefix. */
static inline void t_print_lines(const char *prefix, const char *text)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        int len = nl ? (int)(nl - text) : (int)strlen(text);
        printf("%s%.*s\n", prefix, len, text);
        text += len + (nl ? 1 : 0);
    }
}

/*
 * A child whose output is captured: t_spawn_captured starts this program again with `args` (first word
 * the role), its stdout and stderr going into an anonymous pipe, so the child can simply printf. The
 * parent reports the child only after it has ended (t_finish_child), so its lines never interleave
 * with the parent's. Keep a child's output under 64 KiB (the pipe's size): the parent reads it only
 * after the child exits.
 */
static inline BOOL t_spawn_captured(const char *args, PROCESS_INFORMATION *pi, HANDLE *out)
{
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    STARTUPINFOA si;
    HANDLE w;
    BOOL ok;
    *out = NULL;
    memset(pi, 0, sizeof *pi);
    if (!CreatePipe(out, &w, &inherit, 65536))
        return FALSE;
    SetHandleInformation(*out, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = w;
    si.hStdError = w;
    ok = t_spawn(args, TRUE, &si, pi);
    CloseHandle(w);
    if (!ok) {
        CloseHandle(*out);
        *out = NULL;
    }
    return ok;
}

/*
 * Wait (at most `ms`; then the child is killed and that is said) for a child started by
 * t_spawn_captured, then print "LABEL: exit code N" and its output as "LABEL| line" lines.
 * Returns the exit code. The output is what the pipe holds once the child has ended
 * (t_read_buffered_text), not all until end-of-file: a child that created the first window of a
 * Wine session has passed the pipe's write end on to explorer.exe.
 */
static inline DWORD t_finish_child(const char *label, PROCESS_INFORMATION *pi, HANDLE out, DWORD ms)
{
    static char text[65536];
    char prefix[64];
    DWORD code = 1001;
    if (WaitForSingleObject(pi->hProcess, ms) != WAIT_OBJECT_0) {
        printf("%s: still running after %u ms, killed\n", label, (unsigned)ms);
        TerminateProcess(pi->hProcess, 1000);
        WaitForSingleObject(pi->hProcess, 5000);
    }
    GetExitCodeProcess(pi->hProcess, &code);
    CloseHandle(pi->hProcess);
    CloseHandle(pi->hThread);
    t_read_buffered_text(out, text, sizeof text);
    CloseHandle(out);
    printf("%s: exit code %u\n", label, (unsigned)code);
    snprintf(prefix, sizeof prefix, "%s| ", label);
    t_print_lines(prefix, text);
    return code;
}

#endif /* W32TEST_H */
