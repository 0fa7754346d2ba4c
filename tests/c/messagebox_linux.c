/* w32ipc-test: linux-only
 *
 * messagebox_linux.c — MessageBoxA/W, which the seed's fragments call: there is no desktop, so
 * w32ipc writes "[caption] text" to standard error and returns IDOK. (Under Wine a real dialog
 * would wait for a click, so this test runs on Linux only.)
 */
#include "w32test.h"

int main(void)
{
    WCHAR text[8] = {'w', 'i', 'd', 'e', 0}, caption[8] = {'W', 0};
    t_init();
    printf("MessageBoxA returns IDOK: %s\n",
           MessageBoxA(NULL, "Unable to create a named pipe.", "Error", MB_OK | MB_ICONSTOP) == IDOK ? "yes" : "no");
    printf("MessageBoxW returns IDOK: %s\n", MessageBoxW(NULL, text, caption, MB_OK) == IDOK ? "yes" : "no");
    printf("MessageBoxA(NULL caption) returns IDOK: %s\n", MessageBoxA(NULL, "x", NULL, MB_OK) == IDOK ? "yes" : "no");
    return 0;
}
