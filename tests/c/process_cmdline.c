/*
 * process_cmdline.c — the Windows command line as a child process receives it.
 *
 * The parent starts itself again with lpApplicationName set to its own path and a crafted
 * lpCommandLine whose first word is "cmdchild" (or a quoted fake path ending in cmdchild.exe), so
 * nothing printed depends on where the program lives. The child prints GetCommandLineA() verbatim,
 * argc/argv as the C runtime split them, and whether a splitter following Microsoft's documented
 * rules agrees with argv. Covers: runs of spaces and tabs, quoted arguments with spaces, empty
 * arguments (""), quotes inside a word, backslashes (literal unless they precede a quote; 2n
 * backslashes + quote -> n backslashes and a delimiting quote, 2n+1 -> n backslashes and a literal
 * quote), an unterminated quote, a quoted argv[0], trailing spaces. The ambiguous case of "" inside
 * a quoted argument (it differs between C runtime versions) is left out.
 */
#include "w32test.h"

/* Microsoft's rules for splitting a command line (argv[0] has its own simpler rule). */
static int split(const char *p, char out[][256], int max)
{
    int argc = 0;
    size_t len = 0;

    /* argv[0]: up to the closing quote if it starts with one, else up to white space. */
    if (*p == '"') {
        p++;
        while (*p && *p != '"' && len < 255)
            out[argc][len++] = *p++;
        if (*p == '"')
            p++;
    } else {
        while (*p && *p != ' ' && *p != '\t' && len < 255)
            out[argc][len++] = *p++;
    }
    out[argc++][len] = '\0';

    for (;;) {
        int quoted = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || argc == max)
            break;
        len = 0;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '\\') {
                size_t slashes = 0, i;
                while (*p == '\\') {
                    slashes++;
                    p++;
                }
                if (*p == '"') {
                    for (i = 0; i < slashes / 2 && len < 255; i++)
                        out[argc][len++] = '\\';
                    if (slashes % 2) {
                        if (len < 255)
                            out[argc][len++] = '"';
                        p++;
                    }
                } else {
                    for (i = 0; i < slashes && len < 255; i++)
                        out[argc][len++] = '\\';
                }
            } else if (*p == '"') {
                quoted = !quoted;
                p++;
            } else {
                if (len < 255)
                    out[argc][len++] = *p;
                p++;
            }
        }
        out[argc++][len] = '\0';
    }
    return argc;
}

static int cmd_child(int argc, char **argv)
{
    static char parts[32][256];
    const char *cl = GetCommandLineA();
    int n = split(cl, parts, 32), i, same = n == argc;

    printf("GetCommandLineA=[%s]\n", cl);
    printf("argc=%d\n", argc);
    for (i = 0; i < argc; i++) {
        printf("argv[%d]=[%s]\n", i, argv[i]);
        if (i < n && strcmp(parts[i], argv[i]) != 0)
            same = 0;
    }
    printf("documented splitting agrees with argv: %s\n", same ? "yes" : "no");
    if (!same)
        for (i = 0; i < n; i++)
            printf("split[%d]=[%s]\n", i, parts[i]);
    fflush(stdout);
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void run(const char *cmdline)
{
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    HANDLE r, w;
    static char buf[1024];
    static char text[8192];
    DWORD err;

    printf("-- lpCommandLine=[%s]\n", cmdline);
    CreatePipe(&r, &w, &inherit, 0);
    SetHandleInformation(r, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = w;
    si.hStdError = w;
    snprintf(buf, sizeof buf, "%s", cmdline);
    if (!t_bool("CreateProcessA", CreateProcessA(t_self(), buf, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))) {
        CloseHandle(r);
        CloseHandle(w);
        return;
    }
    CloseHandle(w);
    err = t_read_all_text(r, text, sizeof text);
    t_print_lines("child| ", text);
    if (err != ERROR_BROKEN_PIPE)
        printf("reading the child's output ended with error=%u\n", (unsigned)err);
    printf("child exit code: %u\n", (unsigned)t_wait_exit(&pi));
    CloseHandle(r);
}

int main(int argc, char **argv)
{
    if (ends_with(argv[0], "cmdchild") || ends_with(argv[0], "cmdchild.exe"))
        return cmd_child(argc, argv);

    t_init();
    run("cmdchild");
    run("cmdchild plain words  with   extra spaces");
    run("cmdchild \"quoted arg\" \"\" tail");
    run("cmdchild a\\\\b c:\\dir\\ \"c:\\dir with space\\\\\"");
    run("cmdchild \\\"literal\\\" x\\\\\\\"y");
    run("cmdchild a\"b c\"d \"e f\"g");
    run("cmdchild tab\there\t\tand\tmore");
    run("cmdchild \\\\\\\\\"x y\" z");
    run("cmdchild \"unterminated quote here");
    run("\"c:\\fake dir\\cmdchild.exe\" one two   ");
    return 0;
}
