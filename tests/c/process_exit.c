/*
 * process_exit.c — child process lifetime: waiting, exit codes, termination, process handles.
 *
 * Covers: exit codes from returning from main and from ExitProcess; GetExitCodeProcess reports
 * STILL_ACTIVE (259) while the child runs; WaitForSingleObject on a process handle (WAIT_TIMEOUT,
 * WAIT_OBJECT_0); TerminateProcess and the code it sets; WaitForMultipleObjects over two children
 * (any: the lowest signalled index; all: times out while one runs); GetProcessId, OpenProcess by id;
 * the pseudo-handles GetCurrentProcess()/GetCurrentThread() and a real handle to ourselves from
 * DuplicateHandle; the errors for NULL and closed process handles.
 */
#include "w32test.h"

/* Blocks until its stdin pipe breaks (the parent never writes): a child that runs until told. */
static int wait_child(void)
{
    char c;
    DWORD n;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), &c, 1, &n, NULL))
        ;
    return 11;
}

/* Spawn a child that keeps running until *hold is closed (its stdin). */
static BOOL spawn_waiting(PROCESS_INFORMATION *pi, HANDLE *hold)
{
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    STARTUPINFOA si;
    HANDLE r;
    BOOL ok;
    CreatePipe(&r, hold, &inherit, 0);
    SetHandleInformation(*hold, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = r;
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    ok = t_spawn("wait-child", TRUE, &si, pi);
    CloseHandle(r);
    return ok;
}

static void show_wait(const char *label, DWORD res)
{
    const char *name = res == WAIT_OBJECT_0 ? "WAIT_OBJECT_0"
                     : res == WAIT_OBJECT_0 + 1 ? "WAIT_OBJECT_0+1"
                     : res == WAIT_TIMEOUT ? "WAIT_TIMEOUT"
                     : res == WAIT_FAILED ? "WAIT_FAILED" : "?";
    if (res == WAIT_FAILED)
        printf("%s: %s error=%u\n", label, name, (unsigned)GetLastError());
    else
        printf("%s: %s\n", label, name);
}

static void show_exit_code(const char *label, HANDLE h)
{
    DWORD code = 77;
    if (GetExitCodeProcess(h, &code))
        printf("%s: %u%s\n", label, (unsigned)code, code == STILL_ACTIVE ? " (STILL_ACTIVE)" : "");
    else
        printf("%s: GetExitCodeProcess FALSE error=%u\n", label, (unsigned)GetLastError());
}

int main(int argc, char **argv)
{
    static const char *codes[] = { "0", "1", "7", "255" };
    PROCESS_INFORMATION pi, pi2;
    HANDLE hold, hold2, h, handles[2];
    char args[64];
    unsigned i;

    if (argc >= 3 && strcmp(argv[1], "return-child") == 0)
        return atoi(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "exitprocess-child") == 0) {
        ExitProcess((UINT)atoi(argv[2]));
    }
    if (argc >= 2 && strcmp(argv[1], "wait-child") == 0)
        return wait_child();

    t_init();

    printf("-- exit codes\n");
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        snprintf(args, sizeof args, "return-child %s", codes[i]);
        t_spawn(args, FALSE, NULL, &pi);
        printf("main returns %s: exit code %u\n", codes[i], (unsigned)t_wait_exit(&pi));
    }
    t_spawn("exitprocess-child 200", FALSE, NULL, &pi);
    printf("ExitProcess(200): exit code %u\n", (unsigned)t_wait_exit(&pi));

    printf("-- a running child\n");
    t_bool("CreateProcessA(wait-child)", spawn_waiting(&pi, &hold));
    t_yesno("GetProcessId(hProcess) == dwProcessId", GetProcessId(pi.hProcess) == pi.dwProcessId);
    t_yesno("child pid differs from ours", pi.dwProcessId != GetCurrentProcessId());
    show_exit_code("exit code while running", pi.hProcess);
    show_wait("WaitForSingleObject(process, 0)", WaitForSingleObject(pi.hProcess, 0));
    show_wait("WaitForSingleObject(process, 100)", WaitForSingleObject(pi.hProcess, 100));
    h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pi.dwProcessId);
    t_yesno("OpenProcess(child pid) gives a handle", h != NULL);
    t_yesno("GetProcessId(opened handle) == dwProcessId", GetProcessId(h) == pi.dwProcessId);
    t_bool("CloseHandle(stdin write end): child exits", CloseHandle(hold));
    show_wait("WaitForSingleObject(process, INFINITE)", WaitForSingleObject(pi.hProcess, INFINITE));
    show_wait("WaitForSingleObject(opened handle, 0)", WaitForSingleObject(h, 0));
    show_exit_code("exit code", pi.hProcess);
    show_exit_code("exit code through the opened handle", h);
    show_wait("WaitForSingleObject(process) again", WaitForSingleObject(pi.hProcess, 0));
    t_bool("CloseHandle(opened handle)", CloseHandle(h));
    t_bool("CloseHandle(hThread)", CloseHandle(pi.hThread));
    t_bool("CloseHandle(hProcess)", CloseHandle(pi.hProcess));
    show_wait("WaitForSingleObject(closed process handle)", WaitForSingleObject(pi.hProcess, 0));
    show_exit_code("GetExitCodeProcess(closed process handle)", pi.hProcess);

    printf("-- TerminateProcess\n");
    spawn_waiting(&pi, &hold);
    t_bool("TerminateProcess(child, 42)", TerminateProcess(pi.hProcess, 42));
    show_wait("WaitForSingleObject(process, INFINITE)", WaitForSingleObject(pi.hProcess, INFINITE));
    show_exit_code("exit code", pi.hProcess);
    CloseHandle(hold);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);

    printf("-- WaitForMultipleObjects\n");
    spawn_waiting(&pi, &hold);
    spawn_waiting(&pi2, &hold2);
    handles[0] = pi.hProcess;
    handles[1] = pi2.hProcess;
    show_wait("any, both running, 100 ms", WaitForMultipleObjects(2, handles, FALSE, 100));
    CloseHandle(hold2);
    show_wait("any, second exits", WaitForMultipleObjects(2, handles, FALSE, INFINITE));
    show_wait("all, first still running, 100 ms", WaitForMultipleObjects(2, handles, TRUE, 100));
    CloseHandle(hold);
    show_wait("all, both exit", WaitForMultipleObjects(2, handles, TRUE, INFINITE));
    show_wait("any, both exited", WaitForMultipleObjects(2, handles, FALSE, 0));
    printf("exit codes: %u %u\n", (unsigned)t_wait_exit(&pi), (unsigned)t_wait_exit(&pi2));

    printf("-- ourselves\n");
    t_yesno("GetCurrentProcess() == (HANDLE)-1", GetCurrentProcess() == (HANDLE)(LONG_PTR)-1);
    t_yesno("GetCurrentThread() == (HANDLE)-2", GetCurrentThread() == (HANDLE)(LONG_PTR)-2);
    t_yesno("GetProcessId(GetCurrentProcess()) == GetCurrentProcessId()",
            GetProcessId(GetCurrentProcess()) == GetCurrentProcessId());
    show_exit_code("our own exit code", GetCurrentProcess());
    show_wait("WaitForSingleObject(GetCurrentProcess(), 0)", WaitForSingleObject(GetCurrentProcess(), 0));
    h = NULL;
    t_bool("DuplicateHandle(GetCurrentProcess()) -> real handle",
           DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &h, 0, FALSE,
                           DUPLICATE_SAME_ACCESS));
    t_yesno("a real handle, not the pseudo-handle", h != NULL && h != GetCurrentProcess());
    t_yesno("GetProcessId(real handle) == GetCurrentProcessId()", GetProcessId(h) == GetCurrentProcessId());
    show_wait("WaitForSingleObject(real handle to ourselves, 0)", WaitForSingleObject(h, 0));
    t_bool("CloseHandle(real handle)", CloseHandle(h));
    t_bool("CloseHandle(GetCurrentProcess())", CloseHandle(GetCurrentProcess()));
    t_bool("CloseHandle(GetCurrentThread())", CloseHandle(GetCurrentThread()));

    printf("-- bad handles\n");
    show_wait("WaitForSingleObject(NULL, 0)", WaitForSingleObject(NULL, 0));
    show_exit_code("GetExitCodeProcess(NULL)", NULL);
    t_bool("TerminateProcess(NULL, 1)", TerminateProcess(NULL, 1));
    return 0;
}
