/*
 * lstr.c — kernel32's lstr* string functions, which Win32 sample programs use: lengths (NULL is
 * 0), copies, bounded copies, concatenation, and comparisons with and without case.
 */
#include "w32test.h"

static int sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

int main(void)
{
    char buf[32];
    WCHAR wbuf[32], wa[8] = {'a', 'b', 'c', 0}, wB[8] = {'A', 'B', 'C', 0};
    const char *pairs[][2] = {{"abc", "abc"}, {"abc", "abd"}, {"abc", "ABC"}, {"ABC", "abc"}, {"a", "B"},
                              {"B", "a"},     {"ab", "abc"},  {"", "a"},     {"Zeta", "alpha"}, {"10", "9"}};
    size_t i;

    t_init();
    printf("lstrlenA(\"hello\") = %d, lstrlenA(NULL) = %d\n", lstrlenA("hello"), lstrlenA(NULL));
    printf("lstrlenW(abc) = %d, lstrlenW(NULL) = %d\n", lstrlenW(wa), lstrlenW(NULL));
    printf("lstrcpyA returns its destination: %s\n", lstrcpyA(buf, "copy") == buf ? "yes" : "no");
    printf("  -> %s\n", buf);
    lstrcatA(buf, " and more");
    printf("lstrcatA -> %s\n", buf);
    memset(buf, 'x', sizeof buf);
    lstrcpynA(buf, "truncated", 5);
    printf("lstrcpynA(.., 5) -> %s\n", buf);
    lstrcpyW(wbuf, wa);
    lstrcatW(wbuf, wB);
    printf("lstrcpyW + lstrcatW length: %d\n", lstrlenW(wbuf));
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        printf("lstrcmpA(%s, %s) = %d, lstrcmpiA = %d\n", pairs[i][0], pairs[i][1],
               sign(lstrcmpA(pairs[i][0], pairs[i][1])), sign(lstrcmpiA(pairs[i][0], pairs[i][1])));
    printf("lstrcmpW(abc, ABC) = %d, lstrcmpiW = %d\n", sign(lstrcmpW(wa, wB)), sign(lstrcmpiW(wa, wB)));
    return 0;
}
