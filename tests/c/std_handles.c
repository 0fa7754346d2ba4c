/*
 * std_handles.c — SetStdHandle/GetStdHandle, and what a child started without
 * STARTF_USESTDHANDLES gets: the parent's standard handles as SetStdHandle left them.
 */
#include "w32test.h"
int main(int argc, char **argv)
{
    t_init();
    if (argc > 1 && strcmp(argv[1], "std-child") == 0) {
        DWORD n;
        WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), "via GetStdHandle\n", 17, &n, NULL);
        printf("via printf\n");
        return 0;
    }
    HANDLE r, w, old = GetStdHandle(STD_OUTPUT_HANDLE);
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    PROCESS_INFORMATION pi;
    char text[256];
    t_bool("CreatePipe", CreatePipe(&r, &w, &sa, 0));
    t_bool("SetStdHandle(STD_OUTPUT_HANDLE, w)", SetStdHandle(STD_OUTPUT_HANDLE, w));
    t_yesno("GetStdHandle returns it", GetStdHandle(STD_OUTPUT_HANDLE) == w);
    t_bool("CreateProcessA(inherit, no STARTF_USESTDHANDLES)", t_spawn("std-child", TRUE, NULL, &pi));
    SetStdHandle(STD_OUTPUT_HANDLE, old);
    CloseHandle(w);
    DWORD e = t_read_all_text(r, text, sizeof text);
    t_print_lines("pipe: ", text);
    printf("ended: %s\n", t_errname(e));
    printf("exit: %u\n", (unsigned)t_wait_exit(&pi));
    t_bool("SetStdHandle(bad)", SetStdHandle(12345, w));
    t_yesno("GetStdHandle(bad) == INVALID_HANDLE_VALUE", GetStdHandle(12345) == INVALID_HANDLE_VALUE);
    return 0;
}
