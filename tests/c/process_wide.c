/*
 * process_wide.c — the W side of process creation: CreateProcessW with a UTF-16 command line
 * and environment block (CREATE_UNICODE_ENVIRONMENT), GetCommandLineW and GetModuleFileNameW
 * in the child.
 */
#include "w32test.h"

/* ASCII to UTF-16 (the tests build without -fshort-wchar, so no L"..." literals). */
static void widen(const char *s, WCHAR *out, size_t n)
{
    size_t i;
    for (i = 0; s[i] && i + 1 < n; i++)
        out[i] = (WCHAR)(unsigned char)s[i];
    out[i] = 0;
}

static void narrow(const WCHAR *s, char *out, size_t n)
{
    size_t i;
    for (i = 0; s[i] && i + 1 < n; i++)
        out[i] = s[i] < 128 ? (char)s[i] : '?';
    out[i] = 0;
}

int main(int argc, char **argv)
{
    char self[MAX_PATH], line[1024], text[1024];
    WCHAR wline[1024], wself[MAX_PATH], *env;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    DWORD code;
    int i;

    t_init();
    if (argc > 1 && strcmp(argv[1], "wide-child") == 0) {
        const WCHAR *cl = GetCommandLineW();
        char *tail;
        narrow(cl, text, sizeof text);
        tail = strstr(text, "wide-child");
        printf("child: command line ends with: %s\n", tail ? tail : "(not found)");
        for (i = 2; i < argc; i++)
            printf("child: argv[%d] = [%s]\n", i, argv[i]);
        printf("child: W32IPC_TEST_VAR = %s\n", getenv("W32IPC_TEST_VAR") ? getenv("W32IPC_TEST_VAR") : "(unset)");
        printf("child: GetModuleFileNameW gives a path: %s\n", GetModuleFileNameW(NULL, wself, MAX_PATH) > 0 ? "yes" : "no");
        return 5;
    }
    strcpy(self, t_self());
    snprintf(line, sizeof line, "\"%s\" wide-child \"two words\" plain", self);
    widen(line, wline, sizeof wline / sizeof wline[0]);
    widen(self, wself, MAX_PATH);
    /* A UTF-16 environment block: our variable (and, where the library is found through it,
     * LD_LIBRARY_PATH), then an empty string. */
    {
        const char *lib = getenv("LD_LIBRARY_PATH");
        size_t need = 64 + (lib ? strlen(lib) + 32 : 0), at;
        char *block = malloc(need);
        env = malloc(need * sizeof(WCHAR));
        widen("W32IPC_TEST_VAR=wide", env, need);
        at = strlen("W32IPC_TEST_VAR=wide") + 1;
        if (lib) {
            snprintf(block, need, "LD_LIBRARY_PATH=%s", lib);
            widen(block, env + at, need - at);
            at += strlen(block) + 1;
        }
        env[at] = 0;
        free(block);
    }
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    {
        /* The child prints as soon as it runs: report the spawn after it has ended. */
        BOOL ok = CreateProcessW(wself, wline, NULL, NULL, FALSE, CREATE_UNICODE_ENVIRONMENT, env, NULL, &si, &pi);
        if (ok) {
            WaitForSingleObject(pi.hProcess, INFINITE);
            GetExitCodeProcess(pi.hProcess, &code);
        }
        t_bool("CreateProcessW", ok);
        printf("exit code: %u\n", ok ? (unsigned)code : 0u);
    }
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    SetLastError(0);
    free(env);
    widen("\"/no/such/program.exe\" x", wline, 1024);
    t_bool("CreateProcessW(missing program)", CreateProcessW(NULL, wline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    return 0;
}
