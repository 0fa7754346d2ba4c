/*
 * pipe_handles.c — handle flags and DuplicateHandle within one process, on anonymous-pipe ends.
 *
 * Covers: GetHandleInformation of new ends (inheritable only when SECURITY_ATTRIBUTES asks);
 * SetHandleInformation for HANDLE_FLAG_INHERIT and HANDLE_FLAG_PROTECT_FROM_CLOSE (a protected handle
 * refuses CloseHandle with ERROR_INVALID_HANDLE and keeps working); DuplicateHandle with
 * DUPLICATE_SAME_ACCESS (an independent handle to the same pipe end, its own flags, bInheritHandle),
 * DUPLICATE_CLOSE_SOURCE, and the pipe staying open while any duplicate of an end is open.
 */
#include "w32test.h"

static void show_flags(const char *label, HANDLE h)
{
    DWORD flags = 77;
    if (GetHandleInformation(h, &flags))
        printf("%s: flags=%u\n", label, (unsigned)flags);
    else
        printf("%s: GetHandleInformation FALSE error=%u\n", label, (unsigned)GetLastError());
}

/*
 * Non-blocking probe of the write side: on an empty pipe, PeekNamedPipe succeeds while any write handle
 * is open and fails with ERROR_BROKEN_PIPE once none is.
 */
static void peek(const char *label, HANDLE r)
{
    DWORD avail = 77;
    if (t_bool(label, PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL)))
        printf("  avail=%u\n", (unsigned)avail);
}

int main(void)
{
    HANDLE me = GetCurrentProcess();
    HANDLE r, w, r2, w2, w3;
    SECURITY_ATTRIBUTES sa;
    char buf[64];
    DWORD n;

    t_init();

    printf("-- flags\n");
    t_bool("CreatePipe (no SECURITY_ATTRIBUTES)", CreatePipe(&r, &w, NULL, 0));
    show_flags("read end", r);
    show_flags("write end", w);
    CloseHandle(r);
    CloseHandle(w);

    memset(&sa, 0, sizeof sa);
    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = NULL;
    sa.bInheritHandle = FALSE;
    t_bool("CreatePipe (bInheritHandle FALSE)", CreatePipe(&r, &w, &sa, 0));
    show_flags("read end", r);
    show_flags("write end", w);
    CloseHandle(r);
    CloseHandle(w);

    sa.bInheritHandle = TRUE;
    t_bool("CreatePipe (bInheritHandle TRUE)", CreatePipe(&r, &w, &sa, 0));
    show_flags("read end", r);
    show_flags("write end", w);

    t_bool("SetHandleInformation(read, INHERIT, 0)", SetHandleInformation(r, HANDLE_FLAG_INHERIT, 0));
    show_flags("read end", r);
    t_bool("SetHandleInformation(read, INHERIT, INHERIT)",
           SetHandleInformation(r, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
    show_flags("read end", r);
    t_bool("SetHandleInformation(read, 0, 0) changes nothing", SetHandleInformation(r, 0, 0));
    show_flags("read end", r);
    t_bool("SetHandleInformation(read, PROTECT, PROTECT)",
           SetHandleInformation(r, HANDLE_FLAG_PROTECT_FROM_CLOSE, HANDLE_FLAG_PROTECT_FROM_CLOSE));
    show_flags("read end", r);
    t_bool("CloseHandle(protected read end)", CloseHandle(r));
    show_flags("read end after refused close", r);
    t_io("WriteFile", WriteFile(w, "still here", 10, &n, NULL), &n);
    n = 77;
    t_io("ReadFile through the protected handle", ReadFile(r, buf, sizeof buf, &n, NULL), &n);
    t_bytes("  read", buf, n);
    t_bool("SetHandleInformation(read, INHERIT|PROTECT, 0)",
           SetHandleInformation(r, HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
    show_flags("read end", r);
    t_bool("CloseHandle(read end)", CloseHandle(r));
    t_bool("CloseHandle(write end)", CloseHandle(w));

    printf("-- DuplicateHandle\n");
    t_bool("CreatePipe", CreatePipe(&r, &w, NULL, 0));
    r2 = NULL;
    t_bool("DuplicateHandle(read end, SAME_ACCESS)",
           DuplicateHandle(me, r, me, &r2, 0, FALSE, DUPLICATE_SAME_ACCESS));
    t_yesno("duplicate is a new value", r2 != NULL && r2 != INVALID_HANDLE_VALUE && r2 != r);
    show_flags("duplicate", r2);
    t_io("WriteFile abc", WriteFile(w, "abc", 3, &n, NULL), &n);
    n = 77;
    t_io("ReadFile 1 through the original", ReadFile(r, buf, 1, &n, NULL), &n);
    n = 77;
    t_io("ReadFile 64 through the duplicate", ReadFile(r2, buf, sizeof buf, &n, NULL), &n);
    t_bytes("  read", buf, n);
    t_bool("CloseHandle(original read end)", CloseHandle(r));
    n = 77;
    t_io("WriteFile with only the duplicate reading", WriteFile(w, "def", 3, &n, NULL), &n);
    n = 77;
    t_io("ReadFile through the duplicate", ReadFile(r2, buf, sizeof buf, &n, NULL), &n);
    t_bytes("  read", buf, n);

    w2 = NULL;
    t_bool("DuplicateHandle(write end, SAME_ACCESS, bInheritHandle TRUE)",
           DuplicateHandle(me, w, me, &w2, 0, TRUE, DUPLICATE_SAME_ACCESS));
    show_flags("inheritable duplicate", w2);
    show_flags("its source", w);
    t_bool("CloseHandle(original write end)", CloseHandle(w));
    peek("Peek after closing the original write end", r2);
    t_io("WriteFile through the duplicate", WriteFile(w2, "ghi", 3, &n, NULL), &n);

    w3 = NULL;
    t_bool("DuplicateHandle(write dup, SAME_ACCESS|CLOSE_SOURCE)",
           DuplicateHandle(me, w2, me, &w3, 0, FALSE, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
    show_flags("moved handle", w3);
    peek("Peek after moving the write end", r2);
    t_io("WriteFile through the moved handle", WriteFile(w3, "jkl", 3, &n, NULL), &n);
    n = 77;
    t_io("ReadFile", ReadFile(r2, buf, sizeof buf, &n, NULL), &n);
    t_bytes("  read", buf, n);
    peek("Peek empty pipe, moved write end open", r2);
    t_bool("CloseHandle(moved write end)", CloseHandle(w3));
    peek("Peek empty pipe, last write handle closed", r2);
    n = 77;
    t_io("ReadFile after drain", ReadFile(r2, buf, sizeof buf, &n, NULL), &n);
    t_bool("CloseHandle(read duplicate)", CloseHandle(r2));

    printf("-- DuplicateHandle failures\n");
    r2 = NULL;
    t_bool("DuplicateHandle(NULL source)", DuplicateHandle(me, NULL, me, &r2, 0, FALSE, DUPLICATE_SAME_ACCESS));
    t_bool("CreatePipe", CreatePipe(&r, &w, NULL, 0));
    t_bool("CloseHandle(read end)", CloseHandle(r));
    t_bool("DuplicateHandle(closed source)", DuplicateHandle(me, r, me, &r2, 0, FALSE, DUPLICATE_SAME_ACCESS));
    t_bool("DuplicateHandle(NULL source process)",
           DuplicateHandle(NULL, w, me, &w2, 0, FALSE, DUPLICATE_SAME_ACCESS));
    t_bool("DuplicateHandle(NULL target process)",
           DuplicateHandle(me, w, NULL, &w2, 0, FALSE, DUPLICATE_SAME_ACCESS));
    t_bool("CloseHandle(write end)", CloseHandle(w));
    return 0;
}
