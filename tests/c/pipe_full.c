/*
 * pipe_full.c — a writer blocks while the pipe is full and resumes as the reader drains it.
 *
 * Thread-free: a child (this program again) writes far more than any pipe buffer holds (1 MiB in one
 * WriteFile, then 16 writes of 64 KiB) into an inherited write end. The parent first waits a little
 * and checks that the child is still running (blocked in WriteFile) with data waiting, then reads
 * everything until ERROR_BROKEN_PIPE and checks count and content. The child's exit code says
 * whether every WriteFile reported its full size.
 */
#include "w32test.h"

#define BIG_WRITE (1024u * 1024u)
#define CHUNK (64u * 1024u)
#define CHUNKS 16u
#define TOTAL (BIG_WRITE + CHUNK * CHUNKS)

static unsigned char pattern_at(DWORD i)
{
    return (unsigned char)(i % 251u);
}

static int flood_child(HANDLE w)
{
    unsigned char *buf = (unsigned char *)malloc(BIG_WRITE);
    DWORD i, n, offset = 0;
    int bad = 0;

    if (buf == NULL)
        return 60;
    for (i = 0; i < BIG_WRITE; i++)
        buf[i] = pattern_at(i);
    n = 0;
    if (!WriteFile(w, buf, BIG_WRITE, &n, NULL) || n != BIG_WRITE)
        bad = 1;
    offset = BIG_WRITE;
    for (i = 0; i < CHUNKS; i++) {
        DWORD j;
        for (j = 0; j < CHUNK; j++)
            buf[j] = pattern_at(offset + j);
        n = 0;
        if (!WriteFile(w, buf, CHUNK, &n, NULL) || n != CHUNK)
            bad = 1;
        offset += CHUNK;
    }
    free(buf);
    return bad;
}

int main(int argc, char **argv)
{
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    HANDLE r, w;
    PROCESS_INFORMATION pi;
    char args[64], sw[24];
    static unsigned char buf[8000];
    DWORD n, avail, code, total = 0, mismatches = 0, err, i;

    if (argc >= 3 && strcmp(argv[1], "flood-child") == 0)
        return flood_child(t_text_to_handle(argv[2]));

    t_init();
    t_bool("CreatePipe (inheritable, nSize 0)", CreatePipe(&r, &w, &inherit, 0));
    t_bool("SetHandleInformation(read end, INHERIT, 0)", SetHandleInformation(r, HANDLE_FLAG_INHERIT, 0));
    t_handle_to_text(w, sw, sizeof sw);
    snprintf(args, sizeof args, "flood-child %s", sw);
    t_bool("CreateProcessA(flood-child)", t_spawn(args, TRUE, NULL, &pi));
    t_bool("CloseHandle(our write end)", CloseHandle(w));

    Sleep(500);
    printf("child still running after 500 ms (blocked in WriteFile): %s\n",
           WaitForSingleObject(pi.hProcess, 0) == WAIT_TIMEOUT ? "yes" : "no");
    code = 77;
    GetExitCodeProcess(pi.hProcess, &code);
    printf("GetExitCodeProcess meanwhile: %u%s\n", (unsigned)code, code == STILL_ACTIVE ? " (STILL_ACTIVE)" : "");
    avail = 0;
    PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL);
    t_yesno("data waiting in the pipe", avail > 0);

    for (;;) {
        if (!ReadFile(r, buf, sizeof buf, &n, NULL)) {
            err = GetLastError();
            break;
        }
        for (i = 0; i < n; i++)
            if (buf[i] != pattern_at(total + i))
                mismatches++;
        total += n;
    }
    printf("read %u bytes (expected %u), %u mismatching\n", (unsigned)total, (unsigned)TOTAL, (unsigned)mismatches);
    printf("reading ended with error=%u %s\n", (unsigned)err, t_errname(err));
    printf("child exit code (0 = every WriteFile wrote its full size): %u\n", (unsigned)t_wait_exit(&pi));
    CloseHandle(r);
    return 0;
}
