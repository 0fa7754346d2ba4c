/*
 * file_basic.c — disk files through CreateFile: the five dispositions with ERROR_FILE_EXISTS /
 * ERROR_ALREADY_EXISTS / ERROR_FILE_NOT_FOUND / ERROR_PATH_NOT_FOUND; ReadFile at and past the
 * end (TRUE, 0 bytes); the file pointer (SetFilePointer with and without the high word,
 * SetFilePointerEx, ERROR_NEGATIVE_SEEK, a bad method); SetEndOfFile both ways; GetFileSize(Ex);
 * FlushFileBuffers; reading a write-only handle and writing a read-only one (ERROR_ACCESS_DENIED);
 * the file calls on a pipe (ERROR_INVALID_FUNCTION) and on a mapping (ERROR_INVALID_HANDLE);
 * GetTempPath's length rules; GetTempFileName with and without a number; DeleteFile.
 */
#include "w32map.h"

int main(void)
{
    char tmp[MAX_PATH], f[MAX_PATH], f2[MAX_PATH + 64], buf[64];
    HANDLE h, h2, r, w, m;
    DWORD n, high, len;
    LONG hi;
    LARGE_INTEGER li, pos;
    UINT u;

    t_init();
    len = GetTempPathA(MAX_PATH, tmp);
    printf("GetTempPathA: length matches strlen: %s; ends with a separator: %s\n", len == strlen(tmp) ? "yes" : "no",
           (tmp[len - 1] == '\\' || tmp[len - 1] == '/') ? "yes" : "no");
    printf("GetTempPathA(0, NULL) = length + 1: %s\n", GetTempPathA(0, NULL) == len + 1 ? "yes" : "no");
    printf("GetTempPathA(3, buf) = length + 1: %s\n", GetTempPathA(3, buf) == len + 1 ? "yes" : "no");
    u = GetTempFileNameA(tmp, "w3t", 0, f);
    printf("GetTempFileNameA(0): non-zero: %s; name ends with .tmp: %s\n", u != 0 ? "yes" : "no",
           strlen(f) > 4 && strcmp(f + strlen(f) - 4, ".tmp") == 0 ? "yes" : "no");
    u = GetTempFileNameA(tmp, "w3t", 0x1234, f2);
    printf("GetTempFileNameA(0x1234) = 0x%x\n", u);
    M_BOOL("DeleteFileA(never created)", DeleteFileA(f2));

    M_HANDLE("CREATE_NEW on an existing file", h, CreateFileA(f, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL));
    M_HANDLE("OPEN_EXISTING", h, CreateFileA(f, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL));
    CloseHandle(h);
    M_HANDLE("OPEN_ALWAYS on an existing file", h, CreateFileA(f, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL));
    CloseHandle(h);
    M_HANDLE("TRUNCATE_EXISTING", h, CreateFileA(f, GENERIC_READ | GENERIC_WRITE, 0, NULL, TRUNCATE_EXISTING, 0, NULL));
    CloseHandle(h);
    M_HANDLE("disposition 0", h, CreateFileA(f, GENERIC_READ, 0, NULL, 0, 0, NULL));
    M_HANDLE("disposition 6", h, CreateFileA(f, GENERIC_READ, 0, NULL, 6, 0, NULL));
    M_HANDLE("NULL path", h, CreateFileA(NULL, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL));
    M_HANDLE("empty path", h, CreateFileA("", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL));
    M_HANDLE("the temp directory", h, CreateFileA(tmp, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL));
    M_HANDLE("\\\\.\\pipe\\ name (no such pipe)", h, CreateFileA("\\\\.\\pipe\\w32ipc-no-such-pipe", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL));
    snprintf(f2, sizeof f2, "%sw32ipc-no-such-dir\\x.txt", tmp);
    M_HANDLE("file in a missing directory", h, CreateFileA(f2, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL));
    M_BOOL("DeleteFileA in a missing directory", DeleteFileA(f2));

    M_HANDLE("CREATE_ALWAYS on an existing file", h, CreateFileA(f, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL));
    M_DWORD("GetFileSize(empty)", GetFileSize(h, NULL));
    n = 77;
    t_io("WriteFile 10 bytes", WriteFile(h, "0123456789", 10, &n, NULL), &n);
    M_DWORD("SetFilePointer(0, FILE_CURRENT)", SetFilePointer(h, 0, NULL, FILE_CURRENT));
    n = 77;
    t_io("ReadFile at the end", ReadFile(h, buf, 10, &n, NULL), &n);
    M_DWORD("SetFilePointer(2, FILE_BEGIN)", SetFilePointer(h, 2, NULL, FILE_BEGIN));
    n = 77;
    t_io("ReadFile 64", ReadFile(h, buf, 64, &n, NULL), &n);
    t_bytes("read", buf, n);
    M_DWORD("SetFilePointer(-1, FILE_BEGIN)", SetFilePointer(h, -1, NULL, FILE_BEGIN));
    M_DWORD("SetFilePointer(-100, FILE_CURRENT)", SetFilePointer(h, -100, NULL, FILE_CURRENT));
    M_DWORD("SetFilePointer(-3, FILE_END)", SetFilePointer(h, -3, NULL, FILE_END));
    M_DWORD("SetFilePointer(method 3)", SetFilePointer(h, 0, NULL, 3));
    hi = 1;
    M_DWORD("SetFilePointer(0, high 1, FILE_BEGIN)", SetFilePointer(h, 0, &hi, FILE_BEGIN));
    printf("  high: %d\n", (int)hi);
    hi = -1;
    M_DWORD("SetFilePointer(-5, high -1, FILE_END)", SetFilePointer(h, -5, &hi, FILE_END));
    printf("  high: %d\n", (int)hi);
    li.QuadPart = 20;
    M_BOOL("SetFilePointerEx(20, FILE_BEGIN)", SetFilePointerEx(h, li, &pos, FILE_BEGIN));
    printf("  new position: %lld\n", (long long)pos.QuadPart);
    n = 77;
    t_io("ReadFile past the end", ReadFile(h, buf, 10, &n, NULL), &n);
    M_DWORD("GetFileSize after seeking past the end", GetFileSize(h, NULL));
    M_BOOL("SetEndOfFile at 20", SetEndOfFile(h));
    high = 77;
    M_DWORD("GetFileSize", GetFileSize(h, &high));
    printf("  high: %u\n", (unsigned)high);
    li.QuadPart = -30;
    M_BOOL("SetFilePointerEx(-30, FILE_BEGIN)", SetFilePointerEx(h, li, NULL, FILE_BEGIN));
    li.QuadPart = 4;
    M_BOOL("SetFilePointerEx(4, FILE_BEGIN)", SetFilePointerEx(h, li, NULL, FILE_BEGIN));
    M_BOOL("SetEndOfFile at 4", SetEndOfFile(h));
    M_BOOL("GetFileSizeEx", GetFileSizeEx(h, &pos));
    printf("  size: %lld\n", (long long)pos.QuadPart);
    M_BOOL("FlushFileBuffers", FlushFileBuffers(h));
    M_DWORD("GetFileType", GetFileType(h));

    M_HANDLE("open read-only", h2, CreateFileA(f, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL));
    n = 77;
    t_io("WriteFile on a read-only handle", WriteFile(h2, "x", 1, &n, NULL), &n);
    n = 77;
    t_io("ReadFile on it", ReadFile(h2, buf, 64, &n, NULL), &n);
    t_bytes("read", buf, n);
    CloseHandle(h2);
    M_HANDLE("open write-only", h2, CreateFileA(f, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL));
    n = 77;
    t_io("ReadFile on a write-only handle", ReadFile(h2, buf, 3, &n, NULL), &n);
    CloseHandle(h2);
    M_HANDLE("open with no access", h2, CreateFileA(f, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL));
    n = 77;
    t_io("ReadFile on it", ReadFile(h2, buf, 3, &n, NULL), &n);
    M_BOOL("GetFileSizeEx on it", GetFileSizeEx(h2, &pos));
    CloseHandle(h2);
    CloseHandle(h);

    /* Calls on objects that are not files. */
    CreatePipe(&r, &w, NULL, 0);
    M_DWORD("GetFileSize(pipe)", GetFileSize(r, NULL));
    M_BOOL("GetFileSizeEx(pipe)", GetFileSizeEx(r, &pos));
    M_DWORD("SetFilePointer(pipe)", SetFilePointer(r, 0, NULL, FILE_CURRENT));
    M_BOOL("SetEndOfFile(pipe)", SetEndOfFile(w));
    M_DWORD("GetFileType(pipe)", GetFileType(r));
    m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    M_BOOL("SetEndOfFile(mapping)", SetEndOfFile(m));
    M_DWORD("GetFileSize(NULL)", GetFileSize(NULL, NULL));
    M_BOOL("SetEndOfFile(NULL)", SetEndOfFile(NULL));
    CloseHandle(m);
    CloseHandle(r);
    CloseHandle(w);

    M_BOOL("DeleteFileA", DeleteFileA(f));
    M_BOOL("DeleteFileA again", DeleteFileA(f));
    M_HANDLE("OPEN_EXISTING after delete", h, CreateFileA(f, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL));
    M_HANDLE("TRUNCATE_EXISTING after delete", h, CreateFileA(f, GENERIC_WRITE, 0, NULL, TRUNCATE_EXISTING, 0, NULL));
    M_HANDLE("OPEN_ALWAYS after delete (creates)", h, CreateFileA(f, GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL));
    CloseHandle(h);
    M_HANDLE("CREATE_NEW on an existing file", h, CreateFileA(f, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL));
    M_BOOL("DeleteFileA", DeleteFileA(f));
    M_HANDLE("CREATE_NEW (creates)", h, CreateFileA(f, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL));
    CloseHandle(h);
    M_BOOL("DeleteFileA", DeleteFileA(f));
    return 0;
}
